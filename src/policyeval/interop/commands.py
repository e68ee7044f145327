"""The ``policyeval import ...`` and ``policyeval dexi ...`` commands.

They live here so the main command module only registers them; like every
command they exit 2 with a located message on bad input.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import click

from policyeval.exceptions import PolicyEvalError
from policyeval.locales import LANGUAGES

__all__ = ["dexi_group", "import_group"]


def _choose_language(context: click.Context, parameter: click.Parameter, value: Any) -> Any:
    from policyeval.cli import _choose_language as choose

    return choose(context, parameter, value)


# the main command module imports this one, so its --lang option is rebuilt here
_LANG = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    callback=_choose_language,
    expose_value=False,
    help="Language of messages (default: English).",
)


def _say(key: str, **values: Any) -> str:
    from policyeval.cli import _say as say

    return say(key, **values)


def _fail(error: Exception) -> Any:
    from policyeval.cli import _fail as fail

    return fail(error)


def _write(text: str, output: str | None) -> None:
    from policyeval.cli import _write as write

    write(text, output)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@click.group("import")
def import_group() -> None:
    """Import work done in other tools (REFI-QDA, QualCoder, Taguette, DEXi)."""


@import_group.command("dexi")
@click.argument("model", type=click.Path())
@click.option("-o", "--output", required=True, help="FRAMEWORK.toml or FRAMEWORK.json")
@click.option(
    "--id", "framework_id", default=None, help="The framework's id (default: the model's name)."
)
@_LANG
def import_dexi(model: str, output: str, framework_id: str | None) -> None:
    """Turn a DEXi model into a framework with decision-table aggregators."""
    from policyeval.framework_io import dumps_framework
    from policyeval.interop.dexi import read_dexi
    from policyeval.interop.dexi_framework import dexi_to_framework

    fmt: Literal["json", "toml"] = "json" if output.lower().endswith(".json") else "toml"
    try:
        fw = dexi_to_framework(read_dexi(model), framework_id=framework_id)
    except PolicyEvalError as error:
        _fail(error)
    _write(dumps_framework(fw, format=fmt), output)


@click.group("dexi")
def dexi_group() -> None:
    """Work with DEXi models (.dxi)."""


@dexi_group.command("evaluate")
@click.argument("model", type=click.Path())
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option(
    "--method",
    type=click.Choice(["prob", "fuzzy"]),
    default="prob",
    show_default=True,
    help="How distribution-valued inputs combine.",
)
@click.option(
    "--undefined",
    type=click.Choice(["full", "none"]),
    default="full",
    show_default=True,
    help="An undefined input counts as the whole range (DEXi) or leaves its ancestors undefined.",
)
@click.option("-o", "--output", default=None, help="Write to a file instead of standard output.")
@_LANG
def dexi_evaluate(model: str, fmt: str, method: str, undefined: str, output: str | None) -> None:
    """Evaluate the alternatives stored in a DEXi model."""
    from policyeval.interop.dexi import evaluation_json, read_dexi

    try:
        data = evaluation_json(read_dexi(model), method=method, undefined=undefined)  # type: ignore[arg-type]
    except PolicyEvalError as error:
        _fail(error)
    if fmt == "json":
        _write(_json(data), output)
        return
    lines = []
    for alternative in data["alternatives"]:
        lines.append(alternative["name"])
        for key, value in alternative["values"].items():
            lines.append(f"  {key:<24} {json.dumps(value, ensure_ascii=False)}")
    _write("\n".join(lines) + "\n", output)


def _coded_import(
    reader: Any,
    source: str,
    mapping_path: str,
    case_dir: str,
    fmt: str,
    framework: str | None,
    overwrite: bool,
) -> None:
    from policyeval.interop.coded import map_segments, write_case
    from policyeval.interop.mapping import load_mapping

    try:
        mapping = load_mapping(mapping_path, framework=framework)
        project = reader(source, mapping)
        result = map_segments(project, mapping)
        written = write_case(result, case_dir, mapping, overwrite=overwrite)
    except PolicyEvalError as error:
        _fail(error)
    for path in written:
        click.echo(_say("cli.wrote", file=path), err=True)
    if fmt == "json":
        click.echo(_json(result.summary), nl=False)
        return
    summary = result.summary
    click.echo(
        _say(
            "cli.import_summary",
            selections=summary["selections"],
            mapped=summary["mapped"],
            rows=summary["rows"],
            unmapped=len(summary["unmapped"]),
            needs_rating=len(summary["needs_rating"]),
        )
    )


_MAPPING = click.option(
    "--mapping", "mapping_path", required=True, help="The code-to-indicator mapping (TOML)."
)
_OUT = click.option("--out", "case_dir", required=True, help="The case folder to write into.")
_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
_FRAMEWORK = click.option(
    "--framework", default=None, help="A framework name or path (overrides the mapping's)."
)
_OVERWRITE = click.option(
    "--overwrite", is_flag=True, help="Replace an existing evidence.csv and sources.csv."
)


@import_group.command("refi-qda")
@click.argument("project", type=click.Path())
@_MAPPING
@_OUT
@_FORMAT
@_FRAMEWORK
@_OVERWRITE
@_LANG
def import_refi_qda(
    project: str, mapping_path: str, case_dir: str, fmt: str, framework: str | None, overwrite: bool
) -> None:
    """Import a REFI-QDA project (.qdpx or .qde) into a case folder."""
    from policyeval.interop.refi_qda import read_refi_qda

    def reader(path: str, mapping: Any) -> Any:
        return read_refi_qda(path, end=mapping.end)

    _coded_import(reader, project, mapping_path, case_dir, fmt, framework, overwrite)


@import_group.command("qualcoder")
@click.argument("export", type=click.Path())
@_MAPPING
@_OUT
@_FORMAT
@_FRAMEWORK
@_OVERWRITE
@click.option("--sheet", default=None, help="XLSX only: the sheet to read (default: the first).")
def import_qualcoder(
    export: str,
    mapping_path: str,
    case_dir: str,
    fmt: str,
    framework: str | None,
    overwrite: bool,
    sheet: str | None,
) -> None:
    """Import a QualCoder coded-segments export (.csv or .xlsx) into a case folder."""
    from policyeval.interop.qualcoder import read_qualcoder

    def reader(path: str, mapping: Any) -> Any:
        return read_qualcoder(path, sheet=sheet)

    _coded_import(reader, export, mapping_path, case_dir, fmt, framework, overwrite)


@import_group.command("taguette")
@click.argument("export", type=click.Path())
@_MAPPING
@_OUT
@_FORMAT
@_FRAMEWORK
@_OVERWRITE
@_LANG
def import_taguette(
    export: str, mapping_path: str, case_dir: str, fmt: str, framework: str | None, overwrite: bool
) -> None:
    """Import a Taguette highlights export (.csv) into a case folder."""
    from policyeval.interop.taguette import read_taguette

    def reader(path: str, mapping: Any) -> Any:
        return read_taguette(path)

    _coded_import(reader, export, mapping_path, case_dir, fmt, framework, overwrite)
