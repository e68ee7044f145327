"""The ``policyeval sensitivity`` command.

It lives here so the main command module only registers it; like every
command it exits 2 with a located message on bad input.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from policyeval.exceptions import PolicyEvalError
from policyeval.locales import LANGUAGES

if TYPE_CHECKING:
    from policyeval.sensitivity import Sensitivity

__all__ = ["sensitivity_command"]


def _limits(context: click.Context, parameter: click.Parameter, values: Any) -> dict[str, float]:
    from policyeval.cli import _parse_limits  # the command module registers this one

    return _parse_limits(context, parameter, values)


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
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("-o", "--output", default=None, help="Write to a file instead of standard output.")
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    callback=lambda context, parameter, value: _choose_language(context, parameter, value),
    expose_value=False,
    help="Language of messages (default: English).",
)
def sensitivity_command(
    case_dir: str,
    draws: int | None,
    seed: int,
    design: str | None,
    fmt: str,
    limits: dict[str, float],
    compact: bool,
    quiet: bool,
    output: str | None,
) -> None:
    """How stable each verdict is under the case's [sensitivity] alternatives."""
    from policyeval.case import load_case
    from policyeval.cli import _fail, _write
    from policyeval.sensitivity import sensitivity_case

    try:
        case = load_case(case_dir, limits=limits)
        if quiet or not sys.stderr.isatty():
            result = sensitivity_case(case, draws=draws, seed=seed, design=design)
        else:
            # The length is known once the design is: the first report sets it.
            with click.progressbar(length=1, label="draws", file=sys.stderr) as bar:
                shown = [0]

                def progress(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - shown[0])
                    shown[0] = done

                result = sensitivity_case(
                    case, draws=draws, seed=seed, design=design, progress=progress
                )
    except PolicyEvalError as error:
        _fail(error)
    text = (
        result.to_json(compact=compact)
        if fmt == "json"
        else render(result, markdown=fmt == "markdown")
    )
    _write(text, output)


def _percent(value: Any) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _interval(summary: dict[str, Any]) -> str:
    if summary["median"] is None:
        return "–"
    return f"{summary['median']:.3g} [{summary['p5']:.3g}, {summary['p95']:.3g}]"


def render(result: Sensitivity, *, markdown: bool = False) -> str:
    """A table of every unit's nodes: nominal verdict, its share, the levels, score and rank,
    and the input that drives the node most."""
    document = result.to_dict()
    header = ["unit", "node", "nominal", "share", "levels", "score [5-95 %]", "rank", "driver"]
    rows = []
    for unit, entry in document["units"].items():
        for node, cell in entry["nodes"].items():
            # The total index when the design gives one (it includes interactions).
            indices = {
                k: v
                for k, v in cell.get("total", cell.get("sensitivity", {})).items()
                if v is not None
            }
            driver = max(indices, key=lambda k: (indices[k], k)) if indices else ""
            rows.append(
                [
                    unit,
                    node,
                    cell["nominal"] or "–",
                    _percent(cell["nominal_share"]),
                    ", ".join(f"{k} {_percent(v)}" for k, v in cell["levels"].items()),
                    _interval(cell["score"]),
                    _interval(cell["rank"]),
                    f"{driver} ({indices[driver]:.2f})" if driver else "",
                ]
            )
    lead = f"{document['draws']} draws, seed {document['seed']}"
    if document["design"] == "saltelli":
        lead += f", Saltelli design (base sample {document['base_sample']})"
    lead += "\n\n"
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "# Sensitivity\n\n" + lead + "\n".join(lines) + "\n"
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return lead + "\n".join(lines) + "\n"
