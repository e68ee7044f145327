"""The ``policyeval sensitivity`` command.

It lives here so the main command module only registers it; like every
command it exits 2 with a located message on bad input.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

import click

from policyeval.cli import WORKERS
from policyeval.exceptions import PolicyEvalError
from policyeval.locales import LANGUAGES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from concurrent.futures import Executor

    from policyeval.sensitivity import Sensitivity

__all__ = ["sensitivity_command", "worker_pool"]


def _limits(context: click.Context, parameter: click.Parameter, values: Any) -> dict[str, float]:
    from policyeval.cli import _parse_limits  # the command module registers this one

    return _parse_limits(context, parameter, values)


def _language() -> str | None:
    from policyeval.cli import _LANGUAGE

    return _LANGUAGE.get()


def _choose_language(context: click.Context, parameter: click.Parameter, value: Any) -> Any:
    # the main command module imports this one, so its --lang option is rebuilt here
    from policyeval.cli import _choose_language as choose

    return choose(context, parameter, value)


@click.command("sensitivity")
@click.argument("case_dir", type=click.Path())
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    default=None,
    help="Number of draws (default: the case's [sensitivity] draws, else 1000).",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--design",
    type=click.Choice(["montecarlo", "saltelli"]),
    default=None,
    help="Sampling design (default: the case's [sensitivity] design, else montecarlo). "
    "saltelli gives first-order and total Sobol' indices; --draws is then its base sample, "
    "a power of two, and it needs the sensitivity extra (SALib).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
)
@click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_limits,
    help="Raise an input limit for this run, as for evaluate (repeat for several).",
)
@click.option(
    "--compact",
    is_flag=True,
    help="With --format json: the same document without white space, for machines.",
)
@WORKERS
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("-o", "--output", default=None, help="Write to a file instead of standard output.")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    callback=lambda context, parameter, value: _choose_language(context, parameter, value),
    expose_value=False,
    help="Language of labels, text and messages (default: the case's language; messages: English).",
)
def sensitivity_command(
    case_dir: str,
    draws: int | None,
    seed: int,
    design: str | None,
    fmt: str,
    limits: dict[str, float],
    compact: bool,
    workers: int,
    quiet: bool,
    output: str | None,
) -> None:
    """How stable each verdict is under the case's [sensitivity] alternatives.

    With --workers N the draws' chunks run in N processes; the same seed
    gives the same result with any number of workers.
    """
    from policyeval.case import load_case
    from policyeval.cli import _fail, _write
    from policyeval.sensitivity import sensitivity_case

    with worker_pool(workers) as executor:
        try:
            case = load_case(case_dir, limits=limits)
            if quiet or not sys.stderr.isatty():
                result = sensitivity_case(
                    case, draws=draws, seed=seed, design=design, executor=executor
                )
            else:
                # The length is known once the design is: the first report sets it.
                with click.progressbar(length=1, label="draws", file=sys.stderr) as bar:
                    shown = [0]

                    def progress(done: int, total: int) -> None:
                        bar.length = total
                        bar.update(done - shown[0])
                        shown[0] = done

                    result = sensitivity_case(
                        case,
                        draws=draws,
                        seed=seed,
                        design=design,
                        executor=executor,
                        progress=progress,
                    )
        except PolicyEvalError as error:
            _fail(error)
    text = (
        result.to_json(compact=compact)
        if fmt == "json"
        else render(result, markdown=fmt == "markdown", lang=_language() or case.language)
    )
    _write(text, output)


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[Executor | None]:
    """A pool of ``workers`` processes for the draws' chunks (``None``: run them here)."""
    if workers <= 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool


def render(result: Sensitivity, *, markdown: bool = False, lang: str = "en") -> str:
    """A table of every unit's nodes, in ``lang``: nominal verdict, its share, the levels,
    score and rank, and the input that drives the node most (the rows of the report's
    stability section, indicators included)."""
    from policyeval.report._strings import text
    from policyeval.report.stability import stability_rows

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    header = [
        t("unit"),
        t("node"),
        t("stability_nominal"),
        t("stability_share"),
        t("stability_levels"),
        t("stability_score"),
        t("stability_rank"),
        t("stability_driver"),
    ]
    rows = [
        [row.unit, row.label, row.nominal, row.share, row.levels, row.score, row.rank, row.driver]
        for row in stability_rows(result, lang, indicators=True)
    ]
    lead = t("sensitivity_lead", draws=result.draws, seed=result.seed)
    if result.base_sample is not None:
        lead += t("sensitivity_lead_saltelli", base=result.base_sample)
    if markdown:
        from policyeval.report.markdown import escape, table

        lines = table([escape(cell) for cell in header], [[escape(c) for c in r] for r in rows])
        return f"# {t('sensitivity')}\n\n{escape(lead)}\n\n" + "\n".join(lines) + "\n"
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return lead + "\n\n" + "\n".join(lines) + "\n"
