"""The ``policyeval`` command line.

Every command exits 0 on success and 2 on invalid input, printing every
problem with its file, line or row, and key. It never shows a traceback:
an unexpected failure is reported in one line and exits 3.
"""

from __future__ import annotations

import contextvars
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, TextIO, TypeVar

import attrs
import click

from policyeval.exceptions import PolicyEvalError, PolicyEvalWarning, did_you_mean, first_of
from policyeval.locales import LANGUAGES, localise, message

if TYPE_CHECKING:
    from policyeval.case import CaseResult

F = TypeVar("F", bound=Callable[..., Any])

_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar("language", default=None)
"""The ``--lang`` of the running command: the language of its messages (English when not given)."""


def _choose_language(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> str | None:
    _LANGUAGE.set(value)
    return value


LANG = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    callback=_choose_language,
    help="Language of labels, text and messages (default: the case's or framework's language).",
)


def _say(key: str, **values: Any) -> str:
    """The catalogue message ``key`` in the command's language."""
    return message(key, _LANGUAGE.get(), **values)


def _in_language(text: object) -> str:
    """A message of policyeval (a problem, an error, a rejection reason) in the command's language."""
    return localise(text, _LANGUAGE.get())


# Control characters but line feed and tab: a label or excerpt holding ESC or a carriage return
# must not drive the terminal, so it is shown as an escape such as \x1b instead.
_TERMINAL_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def visible(text: str) -> str:
    r"""``text`` safe for a terminal: control characters shown as escapes, never emitted.

    >>> visible("ok\tfine\n\x1b[2Jgone\rback")
    'ok\tfine\n\\x1b[2Jgone\\rback'
    """
    return _TERMINAL_CONTROL.sub(lambda found: repr(found.group())[1:-1], text)


def _echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    click.echo(visible(text), err=err, nl=nl)


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _fail(error: Exception) -> NoReturn:
    problems = getattr(error, "problems", None)
    if problems:
        if len(problems) > 1:
            _echo(_say("cli.errors", count=len(problems)), err=True)
        else:
            _echo(_say("cli.error", message="").rstrip(), err=True)
        for problem in problems:
            _echo(f"  {_in_language(problem)}", err=True)
    else:
        _echo(_say("cli.error", message=_in_language(error)), err=True)
    raise _Exit(2)


def _run_case(
    case_dir: str, *, lenient: bool = False, limits: dict[str, float] | None = None
) -> CaseResult:
    """Evaluate a case directory, turning input errors into exit code 2."""
    from policyeval.case import evaluate_case

    try:
        return evaluate_case(case_dir, lenient=True if lenient else None, limits=limits)
    except PolicyEvalError as error:
        _fail(error)


# Input limits a user may raise, and the smallest value each takes.
_LIMIT_KEYS: dict[str, type] = {
    "bytes": int,
    "columns": int,
    "compression_ratio": float,
    "framework_bytes": int,
    "rows": int,
    "uncompressed_bytes": int,
}


def _parse_limits(
    context: click.Context, parameter: click.Parameter, values: Sequence[str]
) -> dict[str, float]:
    limits: dict[str, float] = {}
    for value in values:
        key, equals, number = value.partition("=")
        key = key.strip().replace("-", "_")
        if not equals or key not in _LIMIT_KEYS:
            keys = ", ".join(_LIMIT_KEYS)
            raise click.BadParameter(_say("limits.option", keys=keys, value=repr(value)))
        kind = _LIMIT_KEYS[key]
        try:
            parsed = kind(number.replace("_", "")) if number.strip() else 0
        except ValueError:
            parsed = 0
        if not parsed >= 1 or parsed != parsed or parsed == float("inf"):
            expected = "an integer >= 1" if kind is int else "a number >= 1"
            raise click.BadParameter(
                _say("limits.value", name=key, expected=expected, value=repr(number))
            )
        limits[key] = parsed
    return limits


LIMIT = click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="KEY=VALUE",
    callback=_parse_limits,
    help="Raise an input limit for this run, over the case's [limits]: rows, columns, bytes, "
    "uncompressed_bytes, compression_ratio or framework_bytes (repeat for several).",
)


def _recommend_below(result: CaseResult, level: str | None) -> CaseResult:
    """The result with its report threshold replaced, when ``--recommend-below`` is given."""
    if level is None:
        return result
    framework = result.case.framework
    scale = framework.scale_of(framework.root)
    found = getattr(scale, "find", lambda _: None)(level)
    if found is None:
        _echo(_say("cli.error", message=_say("cli.recommend_below", level=repr(level))), err=True)
        raise _Exit(2)
    return attrs.evolve(result, case=attrs.evolve(result.case, recommend_below=found.id))


LENIENT = click.option(
    "--lenient",
    is_flag=True,
    help="Use the good evidence rows and list each rejected row with its reason.",
)

RECOMMEND_BELOW = click.option(
    "--recommend-below",
    default=None,
    metavar="LEVEL",
    help="Recommend for nodes below this level (default: the case's setting).",
)


def _echo_rejected(result: CaseResult) -> None:
    """One line per evidence row the case did not use (lenient cases), with its reason."""
    for row in result.evaluation.rejected:
        where = ": ".join(
            part
            for part in (
                os.path.relpath(row.file, result.case.path) if row.file else "",
                "" if row.row is None else _say("location.row", row=row.row),
            )
            if part
        )
        reason = _in_language(row.reason)
        _echo("  " + _say("cli.rejected", where=where, id=row.id or "–", reason=reason))


def _write_json(result: Any, output: str | None, *, compact: bool) -> None:
    """Write a result's JSON document; to a file it is streamed unit by unit."""
    if output is None or output == "-":
        _write(result.to_json(compact=compact), output)
        return
    _stream(output, lambda handle: result.write_json(handle, compact=compact))


def _stream(output: str, write: Callable[[TextIO], None]) -> None:
    """Write a large document to the file ``output`` as ``write`` produces it: into a partial
    file beside it, moved into place when done, so that a failure leaves no half-written
    output (and is reported under the name asked for)."""
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", encoding="utf-8") as handle:
            write(handle)
        partial.replace(target)
    except OSError as error:
        raise OSError(error.errno, error.strerror, output) from None
    finally:
        partial.unlink(missing_ok=True)
    _echo(_say("cli.wrote", file=output), err=True)


WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Run the draws' chunks in this many processes; the result is the same.",
)

COMPACT = click.option(
    "--compact",
    is_flag=True,
    help="With --format json: the same document without white space, for machines.",
)


def _write(text: str, output: str | None) -> None:
    if output is None or output == "-":
        _echo(text, nl=False)
        return
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(text, encoding="utf-8")
    _echo(_say("cli.wrote", file=output), err=True)


def _show_version(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    # Read only when asked: the version lookup is slow to import on every command.
    if not value or context.resilient_parsing:
        return
    import policyeval

    click.echo(f"policyeval, version {policyeval.__version__}")
    context.exit()


class _Commands(click.Group):
    """The top-level group: the commands kept in modules of their own are imported only
    when one of them runs or the commands are listed, so other commands start faster."""

    elsewhere: ClassVar[dict[str, tuple[str, str]]] = {
        "dexi": ("policyeval.interop.commands", "dexi_group"),
        "import": ("policyeval.interop.commands", "import_group"),
        "sensitivity": ("policyeval._sensitivity_cli", "sensitivity_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.elsewhere})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.elsewhere and cmd_name not in self.commands:
            import importlib

            module, attribute = self.elsewhere[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """Evaluate public programmes with explicit, testable evaluation frameworks."""


@cli.group()
def frameworks() -> None:
    """List and show evaluation frameworks."""


@frameworks.command("list")
@LANG
def frameworks_list(lang: str | None) -> None:
    """List the built-in frameworks."""
    from policyeval import frameworks as builtin

    for name in builtin.available():
        fw = builtin.load(name)
        _echo(f"{name:<12} {fw.text(fw.title, lang)}")


@frameworks.command("show")
@click.argument("name_or_path")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tree", "json", "toml", "mermaid", "graphml"]),
    default="tree",
    show_default=True,
)
@LANG
@click.option("-o", "--output", default=None, help="Write to a file instead of standard output.")
def frameworks_show(name_or_path: str, fmt: str, lang: str | None, output: str | None) -> None:
    """Show a built-in framework (by name) or a framework file (by path)."""
    from policyeval import export, framework_io
    from policyeval import frameworks as builtin

    try:
        fw = builtin.resolve(name_or_path)
    except (PolicyEvalError, LookupError) as error:
        _fail(error)
    renderers: dict[str, Callable[[], str]] = {
        "tree": lambda: export.to_tree(fw, lang=lang),
        "json": lambda: framework_io.dumps_framework(fw, format="json"),
        "toml": lambda: framework_io.dumps_framework(fw, format="toml"),
        "mermaid": lambda: export.to_mermaid(fw, lang=lang),
        "graphml": lambda: export.to_graphml(fw),
    }
    text = renderers[fmt]()
    _write(text if text.endswith("\n") else text + "\n", output)


@cli.command("init")
@click.argument("folder", type=click.Path())
@click.option(
    "--framework",
    "framework",
    required=True,
    metavar="NAME",
    help="A built-in framework name (see `frameworks list`) or a framework file.",
)
@click.option(
    "--units",
    default=None,
    metavar="A,B,...",
    help="Unit ids, comma-separated (default: one unit named after the folder).",
)
@LANG
@click.option("--no-xlsx", is_flag=True, help="Write CSV files only, no evidence.xlsx template.")
@click.option("--force", is_flag=True, help="Overwrite an existing case.toml and evidence files.")
def init_command(
    folder: str,
    framework: str,
    units: str | None,
    lang: str | None,
    no_xlsx: bool,
    force: bool,
) -> None:
    """Create a case folder ready to fill: case.toml, sources.csv, evidence.csv and evidence.xlsx.

    The evidence.xlsx template offers drop-down lists of the framework's
    indicators, levels, units, sources and techniques. What init writes
    validates as is and evaluates to no evidence everywhere.
    """
    from policyeval.scaffold import init_case

    try:
        written = init_case(
            folder,
            framework,
            units=None if units is None else [unit for unit in units.split(",")],
            lang=lang,
            xlsx=not no_xlsx,
            force=force,
        )
    except (PolicyEvalError, LookupError) as error:
        _fail(error)
    for path in written:
        _echo(_say("cli.wrote", file=path))
    _echo(_say("cli.init_next", folder=folder))


@cli.command()
@click.argument("path", type=click.Path())
@LENIENT
@LIMIT
@LANG
def validate(path: str, lenient: bool, limits: dict[str, float], lang: str | None) -> None:
    """Validate a framework file, or a case directory with its evidence.

    A case is run as ``evaluate`` and ``report`` would run it, so a case
    that validates never fails later. Exits 0 when valid and 2 when not,
    listing every problem; a lenient case lists each rejected row.
    """
    from policyeval import framework_io
    from policyeval.report import build_report

    target = Path(path)
    framework_file = target.suffix.casefold() in (".toml", ".json") and target.name != "case.toml"
    if target.is_dir() or target.name == "case.toml" or not (target.exists() or framework_file):
        result = _run_case(path, lenient=lenient, limits=limits)
        for lang in LANGUAGES:
            build_report(result, lang=lang)
        if result.case.sensitivity is not None:
            _check_sensitivity(result.case)
        case, evaluation = result.case, result.evaluation
        _echo(
            _say(
                "cli.valid_case",
                file=case.file,
                items=len(evaluation.evidence),
                rejected=len(evaluation.rejected),
                reported=len(result.reported),
                checks=len(case.checks),
            )
            + (
                _say("cli.numeric_units", units=len(evaluation.units))
                if case.data is not None
                else ""
            )
        )
        _echo_rejected(result)
        return
    max_bytes = int(limits.get("framework_bytes", framework_io.MAX_FRAMEWORK_BYTES))
    problems = framework_io.check_framework_file(target, max_bytes=max_bytes)
    if problems:
        _echo(_say("cli.errors", count=len(problems)), err=True)
        for problem in problems:
            _echo(f"  {_in_language(problem)}", err=True)
        raise _Exit(2)
    _echo(_say("cli.valid_framework", file=path))


def _check_sensitivity(case: Any) -> None:
    """Run every declared sensitivity choice once, so a case that validates also runs there."""
    from policyeval.sensitivity import sensitivity_case

    try:
        sensitivity_case(case, draws=1)
    except PolicyEvalError as error:
        _fail(error)


@cli.command("evaluate")
@click.argument("case_dir", type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
)
@COMPACT
@LENIENT
@LIMIT
@LANG
@click.option("-o", "--output", default=None, help="Write to a file instead of standard output.")
def evaluate_command(
    case_dir: str,
    fmt: str,
    compact: bool,
    lenient: bool,
    limits: dict[str, float],
    lang: str | None,
    output: str | None,
) -> None:
    """Evaluate a case directory (case.toml, evidence, sources, data)."""
    result = _run_case(case_dir, lenient=lenient, limits=limits)
    if fmt == "json":
        _write_json(result, output, compact=compact)
        return
    # The report package (and its template engine) is imported only for the text formats.
    from policyeval import report

    if fmt == "markdown":
        text = report.render_markdown(result, lang=lang)
    else:
        text = report.render_text(result, lang=lang)
    _write(text, output)


@cli.command("report")
@click.argument("case_dir", type=click.Path())
@click.option("-o", "--output", required=True, help="FILE.html or FILE.md")
@LENIENT
@LIMIT
@RECOMMEND_BELOW
@LANG
@click.option(
    "--stability",
    is_flag=True,
    help="Add a section on how stable each verdict is (runs the case's [sensitivity]).",
)
@click.option("--draws", type=click.IntRange(min=1), default=None, help="Draws for --stability.")
@click.option("--seed", type=click.IntRange(min=0), default=0, help="Seed for --stability.")
@click.option(
    "--design",
    type=click.Choice(["montecarlo", "saltelli"]),
    default=None,
    help="Sampling design for --stability (default: the case's).",
)
@WORKERS
@click.option(
    "--unit",
    "units",
    multiple=True,
    help="Report only this unit (repeat for several); default: every unit.",
)
def report_command(
    case_dir: str,
    output: str,
    lenient: bool,
    limits: dict[str, float],
    recommend_below: str | None,
    lang: str | None,
    stability: bool,
    draws: int | None,
    seed: int,
    design: str | None,
    workers: int,
    units: tuple[str, ...],
) -> None:
    """Write a self-contained HTML report or a Markdown report for a case.

    A large case can be reported a unit at a time with --unit.
    """
    from policyeval import report

    suffix = Path(output).suffix.casefold()
    if suffix not in (".html", ".htm", ".md", ".markdown"):
        _echo(_say("cli.error", message=_say("cli.output_suffix", output=repr(output))), err=True)
        raise _Exit(2)
    result = _recommend_below(_run_case(case_dir, lenient=lenient, limits=limits), recommend_below)
    _require_units(result.evaluation.units, units)
    stable = None
    if stability:
        from policyeval._sensitivity_cli import worker_pool
        from policyeval.sensitivity import sensitivity_case

        with worker_pool(workers) as executor:
            try:
                stable = sensitivity_case(
                    result.case, draws=draws, seed=seed, design=design, executor=executor
                )
            except PolicyEvalError as error:
                _fail(error)
    chosen = units or None
    if suffix in (".html", ".htm"):
        # Written as it is rendered: a page of many units is large.
        _stream(
            output,
            lambda handle: report.write_html(
                result, handle, lang=lang, stability=stable, units=chosen
            ),
        )
        return
    _write(report.render_markdown(result, lang=lang, stability=stable, units=chosen), output)


def _require_units(held: Sequence[str], units: Sequence[str]) -> None:
    """Exit 2 naming the first of ``units`` that is not ``held``, with the closest one."""
    known = set(held)
    for unit in units:
        if unit not in known:
            hint = _in_language(did_you_mean(unit, held))
            found = _say("cli.unknown_unit", unit=repr(unit), hint=hint, units=first_of(held))
            _echo(_say("cli.error", message=found), err=True)
            raise _Exit(2)


@cli.command("compare")
@click.argument("case_dirs", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
)
@COMPACT
@LENIENT
@LIMIT
@LANG
@click.option("-o", "--output", default=None, help="Write to a file instead of standard output.")
def compare_command(
    case_dirs: Sequence[str],
    fmt: str,
    compact: bool,
    lenient: bool,
    limits: dict[str, float],
    lang: str | None,
    output: str | None,
) -> None:
    """Compare units side by side: dimension levels and ranks.

    Give several case directories, or one case with several units.
    """
    from policyeval import report

    results = [_run_case(path, lenient=lenient, limits=limits) for path in case_dirs]
    try:
        comparison = report.compare(results)
    except PolicyEvalError as error:
        _fail(error)
    if fmt == "json":
        text = comparison.to_json(compact=compact)
    elif fmt == "markdown":
        text = report.render_comparison_markdown(comparison, lang=lang)
    else:
        text = report.render_comparison_text(comparison, lang=lang)
    _write(text, output)


@cli.command("explain")
@click.argument("case_dir", type=click.Path())
@click.argument("node", required=False)
@click.option("--unit", default=None, help="The unit (default: the case's first unit).")
@LENIENT
@LIMIT
@LANG
def explain_command(
    case_dir: str,
    node: str | None,
    unit: str | None,
    lenient: bool,
    limits: dict[str, float],
    lang: str | None,
) -> None:
    """Walk from a node (default: the root) down to the evidence rows behind it."""
    result = _run_case(case_dir, lenient=lenient, limits=limits)
    evaluation = result.evaluation
    unit = unit or evaluation.units[0]
    _require_units(evaluation.units, [unit])
    if node is not None and node not in evaluation.framework:
        hint = _in_language(did_you_mean(node, evaluation.framework.node_ids))
        found = _say(
            "cli.unknown_node", node=repr(node), hint=hint, framework=repr(evaluation.framework.id)
        )
        _echo(_say("cli.error", message=found), err=True)
        raise _Exit(2)
    from policyeval.report import render_explanation

    _echo(render_explanation(evaluation, unit, node, lang=lang or result.case.language))
    _echo_rejected(result)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    _echo(_say("cli.warning", message=_in_language(message)), err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code instead of raising."""
    _LANGUAGE.set(None)
    with warnings.catch_warnings():
        warnings.simplefilter("always", PolicyEvalWarning)
        warnings.showwarning = _show_warning
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="policyeval",
            standalone_mode=False,
        )
    except _Exit as stop:
        return stop.code
    except click.exceptions.Abort:
        _echo(_say("cli.aborted"), err=True)
        return 1
    except click.ClickException as error:
        _show_click_error(error, _requested_language(argv))
        return 2
    except PolicyEvalError as error:
        try:
            _fail(error)
        except _Exit as stop:
            return stop.code
    except OSError as error:
        _echo(_say("cli.error", message=_in_language(error)), err=True)
        return 2
    except Exception as error:  # never show a traceback to a user
        _echo(_say("cli.internal_error", error=f"{type(error).__name__}: {error}"), err=True)
        _echo(_say("cli.report_it"), err=True)
        return 3
    return 0


def _requested_language(argv: Sequence[str] | None) -> str | None:
    """The ``--lang`` of a command line, read before click parses it (for click's own errors)."""
    words = list(sys.argv[1:] if argv is None else argv)
    for index, word in enumerate(words):
        if word == "--lang" and index + 1 < len(words):
            return words[index + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return None


def _show_click_error(error: click.ClickException, lang: str | None) -> None:
    """A usage error of the command line (unknown option, missing argument...) in ``lang``."""
    if lang not in LANGUAGES or lang == "en":
        error.show()
        return
    context = getattr(error, "ctx", None)
    if context is not None:
        usage = context.get_usage().removeprefix("Usage: ")
        _echo(message("cli.usage", lang, usage=usage), err=True)
        if context.command.get_help_option(context) is not None:
            longest = max(context.command.get_help_option_names(context), key=len)
            command = f"'{context.command_path} {longest}'"
            _echo(message("cli.try_help", lang, command=command), err=True)
        _echo("", err=True)
    _echo(message("cli.error", lang, message=localise(error.format_message(), lang)), err=True)


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
