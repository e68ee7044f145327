"""Hostile inputs: every row accounted for, nothing read outside the case, no crash or hang.

Each test feeds one class of bad input and states what policyeval does with it: a located
problem (exit 2 at the command line), never a traceback, a silent drop or a read outside the
case folder.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import csv_text, make_framework
from policyeval import frameworks
from policyeval.cli import main
from policyeval.evidence_io import load_evidence
from policyeval.exceptions import EvidenceError
from policyeval.tables import read_table

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

FRAMEWORK = make_framework()

CASE_TOML = """\
schema = "policyeval.case/1"

[case]
id = "hostile"
framework = "agustino"

[[units]]
id = "kota"
"""

QUOTE_CASE = (
    "id,indicator,rating,source,technique,excerpt\n"
    'E1,kompetensi,baik,s1,interview,"he said\n'
    "E2,kapabilitas,tidak_baik,s2,interview,x\n"
    "E3,integritas,tidak_baik,s3,interview,y\n"
)


def _case(folder: Path, evidence: str, toml: str = CASE_TOML) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.toml").write_text(toml, encoding="utf-8")
    (folder / "evidence.csv").write_text(evidence, encoding="utf-8")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# --- 1. every input row accounted for ----------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "evaluate", "evaluate --lenient"])
def test_unbalanced_quote_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """A cell that opens a quote and never closes it stops every command with the file and row,
    in strict and lenient mode alike, instead of swallowing the rows after it."""
    folder = _case(tmp_path / "case", QUOTE_CASE)
    code, out, err = _run(capsys, *command.split(), str(folder))
    assert code == 2, out
    assert "evidence.csv:2: row 2: unbalanced quote" in err
    assert "Traceback" not in err


def test_text_after_a_closing_quote_is_a_located_error(tmp_path: Path) -> None:
    """A quoted cell followed by more text is malformed, and the error names its row."""
    path = tmp_path / "e.csv"
    path.write_text('id,excerpt\nE1,ok\nE2,"quoted" and more\n', encoding="utf-8")
    with pytest.raises(EvidenceError) as raised:
        read_table(path)
    (problem,) = raised.value.problems
    assert (problem.file, problem.row) == (str(path), 3)
    assert "malformed CSV" in problem.message


def test_quotes_that_close_are_still_read(tmp_path: Path) -> None:
    """Doubled quotes and quoted line breaks are ordinary cell text; each record is one row."""
    path = tmp_path / "e.csv"
    path.write_text('id,excerpt\nE1,"he said ""yes""\nthen left"\nE2,x\n', encoding="utf-8")
    table = read_table(path)
    assert [(row.number, row.get("excerpt")) for row in table.rows] == [
        (2, 'he said "yes"\nthen left'),
        (3, "x"),
    ]


# Cells people really type, quotes, delimiters and line breaks included.
_cell_text = st.text(alphabet='ab ",;\n', max_size=6)
_ROW = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["E1", "E2", "E3", ""]),
        "indicator": st.sampled_from(["kejelasan", "kompetensi", "realisasi", "program", "x"]),
        "rating": st.sampled_from(["baik", "Baik", "Good", "bagus", ""]),
        "source": st.sampled_from(["s1", "s2", ""]),
        "technique": st.sampled_from(["interview", ""]),
        "excerpt": _cell_text,
    }
)
_ROWS = st.lists(_ROW, max_size=8)
_COLUMNS = ("id", "indicator", "rating", "source", "technique", "excerpt")


def _write_rows(folder: Path, rows: list[dict[str, str]], suffix: str) -> Path:
    records = [list(_COLUMNS)] + [[row[column] for column in _COLUMNS] for row in rows]
    path = folder / f"evidence{suffix}"
    if suffix == ".csv":
        path.write_text(csv_text(records), encoding="utf-8")
    else:
        openpyxl = pytest.importorskip("openpyxl")
        workbook = openpyxl.Workbook()
        for record in records:
            workbook.active.append([cell or None for cell in record])
        workbook.save(path)
    return path


def _check_accounting(rows: list[dict[str, str]], suffix: str) -> None:
    data_rows = [
        number
        for number, row in enumerate(rows, start=2)
        if any(cell.strip() for cell in row.values())
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = _write_rows(Path(folder), rows, suffix)
        lenient = load_evidence(path, FRAMEWORK, default_unit="kota", lenient=True)
        try:
            strict = load_evidence(path, FRAMEWORK, default_unit="kota")
        except EvidenceError as error:
            strict_problem_rows = {problem.row for problem in error.problems}
        else:
            strict_problem_rows = set()
            assert strict.items == lenient.items
    used = [item.origin.row for item in lenient.items if item.origin is not None]
    rejected = [rejection.row for rejection in lenient.rejected]
    # Rows in = rows used + rows rejected, each row exactly once.
    assert sorted(used + rejected) == data_rows
    # Strict mode refuses exactly the rows lenient mode rejects.
    assert strict_problem_rows == set(rejected)


@settings(max_examples=40)
@given(rows=_ROWS)
def test_every_csv_row_is_used_or_rejected_in_both_modes(rows: list[dict[str, str]]) -> None:
    """CSV: rows in = rows used + rows rejected, and strict mode names exactly the rejected rows."""
    _check_accounting(rows, ".csv")


@settings(max_examples=15)
@given(rows=_ROWS)
def test_every_xlsx_row_is_used_or_rejected_in_both_modes(rows: list[dict[str, str]]) -> None:
    """XLSX: rows in = rows used + rows rejected, and strict mode names exactly the rejected rows."""
    _check_accounting(rows, ".xlsx")


# --- 2. a case reads only files inside its folder ----------------------------------------------

GOOD_EVIDENCE = (
    "id,indicator,rating,source,technique\n"
    "E1,kompetensi,baik,s1,interview\n"
    "E2,kompetensi,baik,s2,documentation\n"
)
SECRET = "id,value\nTOPSECRET,42\n"

# One entry per path a case names: the case.toml text that points it at {path}.
PATH_KEYS = {
    "evidence.file": '[evidence]\nfile = "{path}"\n',
    "evidence.sources": '[evidence]\nsources = "{path}"\n',
    "case.framework": None,  # written in place of the built-in name
    "derived.table": (
        '[[derived]]\nid = "D1"\nindicator = "kapabilitas"\ntable = "{path}"\nmeasure = "count"\n'
        'unit = "x"\nsource = "s1"\ntechnique = "documentation"\n'
        'bands = {{ cuts = [0, 1, 2], levels = ["tidak_baik", "kurang_baik", "cukup_baik", '
        '"baik"] }}\n'
    ),
    "checks.table": '[[checks]]\nid = "c1"\nkind = "unique"\ntable = "{path}"\ncolumns = ["id"]\n',
    "data.file": '[data]\nfile = "{path}"\nunit_column = "unit"\n',
    "reported.file": '[reported]\nfile = "{path}"\n',
}


def _case_naming(folder: Path, key: str, path: str) -> Path:
    template = PATH_KEYS[key]
    if template is None:
        toml = CASE_TOML.replace('framework = "agustino"', f'framework = "{path}"')
    else:
        toml = CASE_TOML + template.format(path=path)
    return _case(folder, GOOD_EVIDENCE, toml)


def _outside_paths(tmp_path: Path, case: Path) -> dict[str, str]:
    """Ways to name a file outside the case: existing or not, absolute, relative, via a link."""
    secret = tmp_path / "secret.csv"
    secret.write_text(SECRET, encoding="utf-8")
    (case / "link.csv").symlink_to(secret)
    (case / "data").mkdir()
    (case / "data" / "up.csv").symlink_to(Path("..") / ".." / "secret.csv")
    return {
        "absolute": str(secret),
        "absolute, missing": str(tmp_path / "nope.csv"),
        "relative": "../secret.csv",
        "relative, missing": "../nope.csv",
        "system file": "/etc/passwd",
        "link": "link.csv",
        "link in a subfolder": "data/up.csv",
    }


@pytest.mark.parametrize("key", sorted(PATH_KEYS))
def test_case_paths_outside_the_folder_are_refused_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    """Every path a case names must resolve inside its folder; otherwise validate and evaluate
    exit 2 with one message that does not tell whether the outside path exists, and never show
    the outside content."""
    case = tmp_path / "case"
    case.mkdir()
    messages = set()
    for how, path in _outside_paths(tmp_path, case).items():
        _case_naming(case, key, path)
        for command in ("validate", "evaluate"):
            options = ["--format", "json"] if command == "evaluate" else []
            code, out, err = _run(capsys, command, *options, str(case))
            assert code == 2, (how, command, out)
            assert "TOPSECRET" not in out + err
            assert "outside the case folder" in err, (how, err)
            messages.add(err.replace(path, "PATH").replace(repr(path), "PATH"))
    assert len(messages) == 1, messages


def test_paths_inside_the_folder_still_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path inside the folder, written with .. or through a link that stays inside, is read."""
    case = _case(tmp_path / "case", "")
    (case / "tables").mkdir()
    (case / "tables" / "real.csv").write_text(GOOD_EVIDENCE, encoding="utf-8")
    (case / "link.csv").symlink_to(Path("tables") / "real.csv")
    for path in ("tables/../tables/real.csv", "link.csv", str(case / "tables" / "real.csv")):
        _case_naming(case, "evidence.file", path)
        code, out, err = _run(capsys, "validate", str(case))
        assert code == 0, (path, err)
        assert "2 evidence items" in out


def test_builtin_framework_names_and_command_line_paths_stay_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Built-in framework names resolve without any file, and a path given on the command line
    may lie anywhere."""
    case = _case(tmp_path / "somewhere" / "case", GOOD_EVIDENCE)
    assert _run(capsys, "validate", str(case))[0] == 0
    framework = tmp_path / "elsewhere" / "fw.toml"
    framework.parent.mkdir()
    assert (
        _run(capsys, "frameworks", "show", "agustino", "--format", "toml", "-o", str(framework))[0]
        == 0
    )
    code, out, _ = _run(capsys, "validate", str(framework))
    assert (code, out.strip()) == (0, f"{framework}: valid framework")


@pytest.mark.parametrize("name", ["evidence.csv", "fw.toml"])
def test_fifos_are_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A FIFO named like a table or a framework file is refused, never opened for a blocking
    read: only regular files are read."""
    case = _case(tmp_path / "case", GOOD_EVIDENCE)
    target = case / name
    target.unlink(missing_ok=True)
    os.mkfifo(target)
    if name == "fw.toml":
        code, _, err = _run(capsys, "validate", str(target))
        assert code == 2
        assert "not a regular file" in err
        _case(case, GOOD_EVIDENCE, CASE_TOML.replace('"agustino"', '"fw.toml"'))
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 2
    assert "not a regular file" in err or "not found" in err


def test_a_link_to_a_device_inside_the_case_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link named like the evidence table pointing at /dev/zero is outside the folder."""
    case = _case(tmp_path / "case", GOOD_EVIDENCE)
    (case / "evidence.csv").unlink()
    (case / "evidence.csv").symlink_to("/dev/zero")
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 2
    assert "outside the case folder" in err


def test_device_files_are_not_read(tmp_path: Path) -> None:
    """Reading a device as a table is refused before any byte is read."""
    with pytest.raises(EvidenceError, match="not a regular file"):
        read_table(_device_link(tmp_path))


def _device_link(tmp_path: Path) -> Path:
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    return link


# --- 6. provenance never depends on memory addresses ------------------------------------------


def softmin(values: list[float], weights: list[float]) -> float:
    """A plain-function aggregator, as a user writes one."""
    return min(value for value, weight in zip(values, weights, strict=True) if weight > 0)


class Lowest:
    """A plug-in object without a repr of its own."""

    def __call__(self, values: list[float], weights: list[float]) -> float:
        return min(values)


def _evaluation_json(aggregator: object) -> str:
    from policyeval import evaluate, frameworks
    from policyeval.evidence import Evidence

    items = [
        Evidence(
            id="E1",
            unit="u",
            indicator="kompetensi",
            rating="baik",
            source="s1",
            technique="interview",
        ),
    ]
    result = evaluate(frameworks.load("agustino"), items, aggregators=aggregator)
    return result.to_json()


@pytest.mark.parametrize(
    ("plugin", "recorded"),
    [
        (softmin, "test_hostile_inputs.softmin"),
        (Lowest(), "test_hostile_inputs.Lowest"),
        (functools.partial(softmin), "functools.partial(test_hostile_inputs.softmin)"),
    ],
    ids=["function", "object", "partial"],
)
def test_plugins_without_a_stable_repr_are_recorded_by_qualified_name(
    plugin: object, recorded: str
) -> None:
    """A plug-in whose repr shows a memory address is recorded by its qualified name, so the
    JSON is the same in every run."""
    document = _evaluation_json(plugin)
    assert " at 0x" not in document
    assert json.loads(document)["settings"]["aggregators"]["program"] == recorded
    assert _evaluation_json(plugin) == document


def plain_rule(evidence: object, scale: object) -> object:
    """A plain-function triangulation rule that defers to source triangulation."""
    from policyeval.triangulation import source_triangulation

    return source_triangulation()(evidence, scale)  # type: ignore[arg-type]


def test_plain_function_rules_are_recorded_by_qualified_name() -> None:
    """Triangulation rules, like aggregators, never put a memory address in the settings."""
    from policyeval import evaluate, frameworks
    from policyeval.evidence import Evidence

    items = [
        Evidence(
            id="E1", unit="u", indicator="kompetensi", rating="baik", source="s1", technique="x"
        ),
    ]
    document = evaluate(frameworks.load("agustino"), items, rules=plain_rule).to_json()
    assert " at 0x" not in document
    assert (
        json.loads(document)["settings"]["rules"]["kompetensi"] == "test_hostile_inputs.plain_rule"
    )


def test_registered_plugins_are_recorded_by_registry_name_and_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plug-in built from the registry by name is recorded as the call that built it."""
    from policyeval import registry

    # Registered for this test only: other tests pin the registered names.
    monkeypatch.setattr(registry._AGGREGATORS, "_added", dict(registry._AGGREGATORS._added))
    registry.register_aggregator("hostile_softmin", lambda *, floor=0: Lowest(), replace=True)
    built = registry.aggregator("hostile_softmin", floor=1)
    assert registry.describe(built) == "hostile_softmin(floor=1)"
    assert registry.describe(registry.aggregator("generalised", p=2)) == "generalised(p=2.0)"


def test_combined_rules_record_their_members_without_addresses() -> None:
    """all_of over a plain-function rule names the function, not its address."""
    from policyeval.triangulation import all_of, source_triangulation

    def quiet_rule(evidence: object, scale: object) -> object:
        raise AssertionError("not called")

    text = repr(all_of(source_triangulation(), quiet_rule))  # type: ignore[arg-type]
    assert " at 0x" not in text
    assert text.endswith("quiet_rule)")


# --- 5. output safety --------------------------------------------------------------------------

INJECTED = (
    "Kompetensi\n```\n![x](https://attacker.example/p.png)\n[click](https://attacker.example)"
)


def test_newlines_in_labels_cannot_leave_the_mermaid_fence() -> None:
    """A label with line breaks stays on its own line inside the Mermaid block of a Markdown
    report and of `frameworks show --format mermaid`."""
    from policyeval.export import mermaid_text, to_mermaid
    from policyeval.framework import Framework

    fw = make_framework()
    node = fw.node("kejelasan")
    hostile = Framework.build(
        id=fw.id,
        nodes=[
            attrs.evolve(n, label={**n.label, "id": INJECTED}) if n.id == node.id else n for n in fw
        ],
        scales=list(fw.scales.values()),
        default_scale="empat",
        languages=fw.languages,
        default_language=fw.default_language,
    )
    chart = to_mermaid(hostile)
    assert len(chart.splitlines()) == len(to_mermaid(fw).splitlines())
    assert not any(line.startswith("```") or line.startswith("!") for line in chart.splitlines())
    assert "\n" not in mermaid_text(INJECTED)


def test_markdown_report_keeps_hostile_text_inline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Excerpts with line breaks, fences and control characters never start a line of the
    Markdown report, and never reach the terminal raw (ids holding them are refused outright)."""
    evidence = GOOD_EVIDENCE.replace("technique\n", "technique,excerpt\n").replace(
        "E1,kompetensi,baik,s1,interview",
        'E1,kompetensi,baik,s1,interview,"x\n```\n![x](https://attacker.example/p.png)\x1b[2J"',
    )
    evidence = evidence.replace("s2,documentation", "s2,documentation,")
    case = _case(tmp_path / "case", evidence)
    code, out, err = _run(capsys, "evaluate", "--format", "markdown", str(case))
    assert code == 0, err
    assert "attacker.example" in out
    assert "\x1b" not in out
    fences = [line for line in out.splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0
    assert not any(line.startswith("![") for line in out.splitlines())


@pytest.mark.parametrize("command", ["evaluate", "explain"])
def test_control_characters_reach_the_terminal_only_as_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """ESC and carriage returns in evidence are shown as \\x1b and \\r in terminal output."""
    evidence = (
        "id,indicator,rating,source,technique,excerpt\n"
        'E1,kompetensi,baik,s1,interview,"\x1b[2Jwiped\rover"\n'
        "E2,kompetensi,baik,s2,documentation,x\n"
    )
    case = _case(tmp_path / "case", evidence)
    args = [command, str(case)] + (["kompetensi"] if command == "explain" else [])
    code, out, err = _run(capsys, *args)
    assert code == 0, err
    assert "\x1b" not in out + err and "\r" not in out + err
    if command == "explain":
        assert "\\x1b[2Jwiped\\rover" in out


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        ('"id": "mini", "id": "other"', "duplicate key 'id'"),
        ('"id": "mini", "version": 1e400', "outside the range"),
        ('"id": "mini", "version": 1e-400', "too small to tell from 0"),
        ('"id": "mini", "version": ' + "9" * 5000, "5000 digits"),
        ('"id": "\\ud800"', "lone surrogate"),
        ('"id": "mini", "version": NaN', "NaN is not a JSON number"),
    ],
    ids=["duplicate key", "overflow", "underflow", "huge integer", "surrogate", "NaN"],
)
def test_json_framework_files_refuse_what_json_cannot_mean_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], replacement: str, message: str
) -> None:
    """Duplicate keys, numbers outside float range, NaN and lone surrogates are located errors,
    never a last-value-wins reading or an internal error."""
    from policyeval.framework_io import dumps_framework

    text = dumps_framework(make_framework(), format="json")
    assert '"id": "mini"' in text
    path = tmp_path / "fw.json"
    path.write_text(text.replace('"id": "mini"', replacement, 1), encoding="utf-8")
    code, _, err = _run(capsys, "validate", str(path))
    assert code == 2
    assert message in err
    assert f"{path}:" in err


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_deep_nesting_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """Input nested thousands deep is refused, not a recursion crash."""
    path = tmp_path / f"fw{suffix}"
    nested = "[" * 5000 + "]" * 5000
    path.write_text(
        f'{{"framework": {nested}}}' if suffix == ".json" else f"a = {nested}\n", encoding="utf-8"
    )
    code, _, err = _run(capsys, "validate", str(path))
    assert code == 2
    assert "nested too deeply" in err


def test_case_toml_refuses_numbers_outside_float_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A case.toml number that cannot be a float is a located error with exit 2."""
    case = _case(
        tmp_path / "case", GOOD_EVIDENCE, CASE_TOML + "[aggregation]\nmin_share = 1e-400\n"
    )
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 2
    assert "case.toml:" in err and "too small to tell from 0" in err


# --- 5. ids: NFC-normalised, invisible and control characters refused --------------------------

HIDDEN_CHARACTERS = {
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "right-to-left mark": "\u200f",
    "byte-order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "NUL": "\x00",
    "ESC": "\x1b",
    "BEL": "\x07",
}


@pytest.mark.parametrize("column", ["id", "indicator", "unit", "source"])
@pytest.mark.parametrize("hidden", HIDDEN_CHARACTERS.values(), ids=list(HIDDEN_CHARACTERS))
def test_ids_with_invisible_or_control_characters_are_located_errors(
    tmp_path: Path, column: str, hidden: str
) -> None:
    """An evidence id, indicator, unit or source holding an invisible or control character is
    refused with its file, row and column, and the value shown escaped."""
    cells = {"id": "E1", "indicator": "kompetensi", "unit": "kota", "source": "s1"}
    cells[column] = cells[column][:1] + hidden + cells[column][1:]
    path = tmp_path / "e.csv"
    path.write_text(
        "id,unit,indicator,rating,source,technique\n"
        f"{cells['id']},{cells['unit']},{cells['indicator']},baik,{cells['source']},interview\n",
        encoding="utf-8",
    )
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, frameworks.load("agustino"))
    message = str(caught.value)
    assert f"{path}" in message and "row 2" in message and column in message
    assert "invisible or control character" in message
    assert ascii(hidden) in message
    assert hidden not in message


def test_hidden_character_rows_are_rejected_not_dropped_in_lenient_mode(tmp_path: Path) -> None:
    """In lenient mode the row with a hidden character is rejected with its reason; the rest is used."""
    path = tmp_path / "e.csv"
    path.write_text(
        "id,unit,indicator,rating,source,technique\n"
        "E1,kota,kompetensi,baik,s1,interview\n"
        "E\u200b1,kota,kompetensi,baik,s2,interview\n",
        encoding="utf-8",
    )
    found = load_evidence(path, frameworks.load("agustino"), lenient=True)
    assert [item.id for item in found.items] == ["E1"]
    assert len(found.rejected) == 1
    assert "invisible or control character" in str(found.rejected[0])


def test_ids_are_nfc_normalised_so_look_alike_spellings_meet(tmp_path: Path) -> None:
    """A decomposed accent in the evidence table matches the composed unit id of the case and the
    sources table, and the loaded ids are in NFC."""
    sources = tmp_path / "sources.csv"
    sources.write_text("id,technique\nsumb\u00e9r,interview\n", encoding="utf-8")
    path = tmp_path / "e.csv"
    path.write_text(
        "id,unit,indicator,rating,source\nCafe\u0301,kote\u0301,kompetensi,baik,sumbe\u0301r\n",
        encoding="utf-8",
    )
    from policyeval.evidence_io import load_sources

    found = load_evidence(
        path,
        frameworks.load("agustino"),
        sources=load_sources(sources)[0],
        units=["kot\u00e9"],
    )
    (item,) = found.items
    assert (item.id, item.unit, item.source) == ("Caf\u00e9", "kot\u00e9", "sumb\u00e9r")


def test_full_width_look_alikes_stay_distinct_ids(tmp_path: Path) -> None:
    """NFC keeps full-width letters as written: they are visible, distinct ids, not silently merged."""
    path = tmp_path / "e.csv"
    path.write_text(
        "id,unit,indicator,rating,source,technique\n"
        "E1,kota,kompetensi,baik,s1,interview\n"
        "\uff25\uff11,kota,kompetensi,baik,s2,interview\n",
        encoding="utf-8",
    )
    found = load_evidence(path, frameworks.load("agustino"))
    assert [item.id for item in found.items] == ["E1", "\uff25\uff11"]


def test_source_table_ids_with_hidden_characters_are_located_errors(tmp_path: Path) -> None:
    """A sources table id with a NUL byte is refused with its file, row and column."""
    from policyeval.evidence_io import load_sources

    path = tmp_path / "sources.csv"
    path.write_text("id,technique\ns\x001,interview\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert f"{path}" in message and "row 2" in message and "'s\\x001'" in message


@pytest.mark.parametrize("key", ["id", "parent"])
def test_framework_node_ids_with_hidden_characters_are_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    """A node id or parent holding a zero-width character is refused with the file, line and key."""
    from policyeval.framework_io import dumps_framework

    text = dumps_framework(make_framework(), format="toml")
    needle = f'{key} = "komunikasi"'
    assert needle in text
    path = tmp_path / "fw.toml"
    path.write_text(text.replace(needle, f'{key} = "komu\\u200bnikasi"', 1), encoding="utf-8")
    code, _, err = _run(capsys, "validate", str(path))
    assert code == 2
    assert f"{path}:" in err and "invisible or control character" in err
    assert "'\\u200b'" in err and "ZERO WIDTH SPACE" in err


def test_framework_node_ids_are_nfc_normalised(tmp_path: Path) -> None:
    """A node id written decomposed is loaded composed, and parents written either way meet it."""
    from policyeval.framework_io import dumps_framework, load_framework

    text = dumps_framework(make_framework(), format="toml")
    text = text.replace('id = "komunikasi"', 'id = "komunikase\u0301"', 1)
    text = text.replace('parent = "komunikasi"', 'parent = "komunikas\u00e9"')
    path = tmp_path / "fw.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_framework(path)
    assert "komunikas\u00e9" in loaded
    assert "komunikase\u0301" not in loaded


def test_case_unit_ids_with_control_characters_are_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A unit id in case.toml holding ESC is a located error with exit 2, in validate and evaluate."""
    case = _case(tmp_path / "case", GOOD_EVIDENCE, CASE_TOML.replace('"kota"', '"ko\\u001bta"'))
    for command in ("validate", "evaluate"):
        code, out, err = _run(capsys, command, str(case))
        assert code == 2
        assert "case.toml:" in err and "units[0].id" in err and "'ko\\x1bta'" in err
        assert "\x1b" not in err + out


# --- 3. bounded work: linear in the input -------------------------------------------------------


def test_framework_depth_sorts_the_graph_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Depths of every node of a 2,000-deep chain are right and cost one topological sort."""
    from policyeval import framework as framework_module
    from policyeval.framework import Framework, Node

    nodes = [Node("n0", "root", label={"en": "n0"})]
    nodes += [
        Node(f"n{i}", "dimension", label={"en": f"n{i}"}, parents=(f"n{i - 1}",))
        for i in range(1, 2000)
    ]
    nodes.append(Node("leaf", "indicator", label={"en": "leaf"}, parents=("n1999",)))
    chain = Framework.build(
        id="chain",
        nodes=nodes,
        scales=list(FRAMEWORK.scales.values()),
        default_scale=FRAMEWORK.default_scale,
        title={"en": "Chain"},
    )
    sorts = []
    original = framework_module._generations

    def counting(*arguments: Any) -> Any:
        sorts.append(arguments)
        return original(*arguments)

    monkeypatch.setattr(framework_module, "_generations", counting)
    assert [chain.depth(f"n{i}") for i in range(2000)] == list(range(2000))
    assert chain.depth("leaf") == 2000
    assert len(sorts) == 1
    with pytest.raises(KeyError, match="no node 'nowhere'"):
        chain.depth("nowhere")


def test_consensus_compares_each_item_only_with_its_own_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dropping exact repeats among n items sharing one id costs about n equality checks, not
    n squared, and still drops exactly the repeats."""
    from policyeval.consensus import consensus
    from policyeval.evidence import Evidence

    scale = FRAMEWORK.scale_of("kejelasan")
    assert scale is not None
    level = scale.levels[0].id  # type: ignore[union-attr]
    items = [
        Evidence(
            id="E",  # one id shared by items that differ: the case that was quadratic
            unit="u",
            indicator="kejelasan",
            rating=level,
            source=f"s{i}",
            technique="interview",
        )
        for i in range(2000)
    ]
    calls = 0
    original = Evidence.__eq__

    def counting(self: Evidence, other: object) -> bool:
        nonlocal calls
        calls += 1
        return original(self, other)  # type: ignore[no-any-return]

    monkeypatch.setattr(Evidence, "__eq__", counting)
    found = consensus(items + items[:10], scale)
    assert len(found.evidence) == 2000
    assert calls <= 2 * len(items)


@pytest.mark.parametrize(
    "value",
    ['"plain"', '"esc\\"aped \\\\ \\u00e9"', "'lit\\eral'", '"""multi\nline"""'],
    ids=["plain", "escapes", "literal", "multiline"],
)
def test_key_locator_reads_every_kind_of_string(value: str) -> None:
    """The line locator, which moves by whole tokens, still finds keys after each string kind."""
    from policyeval.framework_io import key_locator

    text = f"[case]\nid = {value}  # comment\nnext = 1\n\n[[units]]\nid = 'a'\n"
    locate = key_locator(text)
    extra = value.count("\n")
    assert locate("case.next") == 3 + extra
    assert locate("units[0].id") == 6 + extra


def _workbook(path: Path, records: list[list[object]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    for record in records:
        workbook.active.append(record)
    workbook.save(path)
    return path


def _rezip(path: Path, change: dict[str, bytes]) -> None:
    """Rewrite a workbook with some members replaced or added."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members.update(change)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


EVIDENCE_HEADER: list[object] = ["id", "unit", "indicator", "rating", "source", "technique"]


def _evidence_records(count: int) -> list[list[object]]:
    return [EVIDENCE_HEADER] + [
        [f"E{i}", "kota", "kompetensi", "baik", f"s{i}", "interview"] for i in range(count)
    ]


def test_xlsx_zip_bombs_are_refused_before_opening(tmp_path: Path) -> None:
    """A workbook member compressed far beyond what spreadsheets do is refused, by name."""
    path = _workbook(tmp_path / "bomb.xlsx", _evidence_records(2))
    _rezip(path, {"xl/padding.xml": b" " * (20 * 2**20)})
    with pytest.raises(EvidenceError, match=r"'xl/padding.xml' is compressed \d+ to 1") as caught:
        read_table(path)
    assert str(path) in str(caught.value)


def test_xlsx_uncompressed_size_limit_can_be_raised(tmp_path: Path) -> None:
    """The uncompressed size limit refuses a workbook, and raising it reads the same workbook."""
    from policyeval.tables import TableLimits

    path = _workbook(tmp_path / "e.xlsx", _evidence_records(3))
    with pytest.raises(EvidenceError, match=r"unpacks to .* more than the limit of 1000"):
        read_table(path, limits=TableLimits(uncompressed_bytes=1000))
    assert len(read_table(path, limits=TableLimits(uncompressed_bytes=10**9)).rows) == 3


def test_xlsx_header_is_checked_before_the_rows(tmp_path: Path) -> None:
    """A missing column is reported from the header alone: the row limit, which reading the rows
    would hit first, is never reached."""
    from policyeval.tables import TableLimits

    records = [
        [cell for cell in record if cell != "source"][:4] for record in _evidence_records(50)
    ]
    path = _workbook(tmp_path / "e.xlsx", records)
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, FRAMEWORK, limits=TableLimits(rows=10))
    message = str(caught.value)
    assert "missing required column" in message and "source" in message
    assert "data rows" not in message
    with pytest.raises(EvidenceError, match="more than 10 data rows"):
        read_table(path, limits=TableLimits(rows=10))


def test_xlsx_cells_beyond_the_column_limit_are_located_errors(tmp_path: Path) -> None:
    """One far cell is refused with its row; the sheet is not padded to reach it."""
    records = _evidence_records(3)
    far: list[object] = [None] * 300
    far[299] = "x"
    records.append(far)
    path = _workbook(tmp_path / "e.xlsx", records)
    with pytest.raises(EvidenceError, match="beyond column 200") as caught:
        read_table(path)
    assert "row 5" in str(caught.value)


def test_xlsx_declared_dimension_is_not_trusted(tmp_path: Path) -> None:
    """A sheet declaring A1:XFD1048576 is read by its real cells: rows keep their own width and
    no padded rows appear."""
    import re
    import zipfile

    path = _workbook(tmp_path / "e.xlsx", _evidence_records(3))
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<dimension" in sheet
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    _rezip(path, {"xl/worksheets/sheet1.xml": sheet.encode()})
    table = read_table(path)
    assert table.columns == tuple(EVIDENCE_HEADER)
    assert [row.number for row in table.rows] == [2, 3, 4]


# --- validate and evaluate agree on every hostile case --------------------------------------------

HostileCase = Callable[[Path], Path]
HOSTILE_CASES: dict[str, HostileCase] = {}


def _hostile(name: str, toml: str = CASE_TOML, evidence: str = GOOD_EVIDENCE) -> None:
    HOSTILE_CASES[name] = lambda tmp_path: _case(tmp_path / "case", evidence, toml)


def _with_files(name: str, toml: str, files: dict[str, Callable[[Path], object]]) -> None:
    """A hostile case whose extra files are made by the given writers (folder -> anything)."""

    def build(tmp_path: Path) -> Path:
        case = _case(tmp_path / "case", GOOD_EVIDENCE, toml)
        for file_name, write in files.items():
            target = case / file_name
            target.unlink(missing_ok=True)
            write(target)
        return case

    HOSTILE_CASES[name] = build


# 1. rows: an unbalanced quote, strict and lenient
_hostile("unbalanced quote", evidence=QUOTE_CASE)
_hostile("unbalanced quote, lenient", CASE_TOML + "[evidence]\nlenient = true\n", QUOTE_CASE)

# 2. paths outside the folder, for every key that names a path, and paths that stay inside
for _key in sorted(PATH_KEYS):
    for _how, _path in {
        "absolute": "/etc/passwd",
        "absolute, missing": "/etc/nope.csv",
        "relative": "../secret.csv",
    }.items():
        _template = PATH_KEYS[_key]
        _toml = (
            CASE_TOML.replace('framework = "agustino"', f'framework = "{_path}"')
            if _template is None
            else CASE_TOML + _template.format(path=_path)
        )
        _hostile(f"{_key} {_how}", _toml)
_hostile("evidence inside through ./", CASE_TOML + '[evidence]\nfile = "./evidence.csv"\n')


def _link(target: str) -> Callable[[Path], object]:
    return lambda path: path.symlink_to(target)


_with_files("evidence linked to /dev/zero", CASE_TOML, {"evidence.csv": _link("/dev/zero")})
_with_files("evidence is a FIFO", CASE_TOML, {"evidence.csv": os.mkfifo})
_with_files(
    "framework is a FIFO", CASE_TOML.replace('"agustino"', '"fw.toml"'), {"fw.toml": os.mkfifo}
)

# 3. and 4. types, numbers and nesting in case.toml that used to end in an internal error
_UNITS = '[[units]]\nid = "kota"\n'
_CASE = '[case]\nid = "hostile"\nframework = "agustino"\n'
for _name, _toml in {
    "case is a string": 'case = "x"\n' + _UNITS,
    "evidence is a number": "evidence = 5\n" + _CASE + _UNITS,
    "triangulation is a string": 'triangulation = "source"\n' + _CASE + _UNITS,
    "units is a table": "units = { id = 'x' }\n" + _CASE,
    "units hold a string": 'units = ["kota"]\n' + _CASE,
    "derived is a table": "derived = { id = 'x' }\n" + _CASE + _UNITS,
    "checks is a string": 'checks = "all"\n' + _CASE + _UNITS,
    "sensitivity is a list": "sensitivity = [1]\n" + _CASE + _UNITS,
}.items():
    _hostile(_name, 'schema = "policyeval.case/1"\n' + _toml)
for _name, _extra in {
    "lenient is a string": '[evidence]\nlenient = "no"\n',
    "min_share is a boolean": "[aggregation]\nmin_share = true\n",
    "min_share is nan": "[aggregation]\nmin_share = nan\n",
    "a weight of inf": "[aggregation.weights]\nprogram = { kelembagaan = inf }\n",
    "min_share below float range": "[aggregation]\nmin_share = 1e-400\n",
    "weights is a number": "[aggregation]\nweights = 3\n",
    "a weight of 400 digits": "[aggregation.weights]\nprogram = { kelembagaan = 1"
    + "0" * 399
    + " }\n",
    "a weight row is a string": '[aggregation.weights]\nprogram = "x"\n',
    "generalised p = 1e308": '[aggregation]\ndefault = { name = "generalised", p = 1e308 }\n',
    "generalised p = -1e308": '[aggregation]\ndefault = { name = "generalised", p = -1e308 }\n',
    "a plug-in without a name": "[aggregation]\ndefault = { p = 2 }\n",
    "an alternative without an aggregator": "[[aggregation.alternatives]]\nid = 'a'\n",
    "rules nested 300 deep": "[triangulation]\nrule = "
    + '{ name = "all_of", rules = [' * 300
    + '"source"'
    + "] }" * 300
    + "\n",
    "a check parameter of the wrong type": '[[checks]]\nid = "c"\nkind = "range"\n'
    'table = "evidence.csv"\ncolumn = "rating"\nmin = "low"\n',
    "a check without a kind": '[[checks]]\nid = "c"\ntable = "evidence.csv"\n',
    "a derived item with a string multiplier": '[[derived]]\nid = "D1"\nindicator = "kapabilitas"\n'
    'table = "evidence.csv"\nmeasure = "count"\nsource = "s1"\nmultiply = "x"\n',
    "report categories are a string": '[report]\ncategories = "x"\n',
    "a sensitivity draw count of text": '[sensitivity]\ndraws = "many"\n',
    "a limit of zero": "[limits]\nrows = 0\n",
    "an unknown section": "[extra]\nx = 1\n",
}.items():
    _hostile(_name, CASE_TOML + _extra)
_hostile("a case file nested 5000 deep", CASE_TOML + "x = " + "[" * 5000 + "]" * 5000 + "\n")
_hostile("a unit id with ESC", CASE_TOML.replace('"kota"', '"ko\\u001bta"'))

# 5. output: hostile text that is valid input
_hostile(
    "excerpts with fences and ESC",
    evidence="id,indicator,rating,source,technique,excerpt\n"
    'E1,kompetensi,baik,s1,interview,"x\n```\n![x](https://attacker.example/p.png)\x1b[2J"\n'
    "E2,kompetensi,baik,s2,documentation,\r\n",
)
for _column in ("id", "indicator", "source"):
    _cells = {"id": "E1", "indicator": "kompetensi", "source": "s1"}
    _cells[_column] = _cells[_column][:1] + "\u200b" + _cells[_column][1:]
    _rows = (
        "id,indicator,rating,source,technique\n"
        f"{_cells['id']},{_cells['indicator']},baik,{_cells['source']},interview\n"
        "E2,kompetensi,baik,s2,documentation\n"
    )
    _hostile(f"a zero-width space in the {_column}", evidence=_rows)
    _hostile(
        f"a zero-width space in the {_column}, lenient",
        CASE_TOML + "[evidence]\nlenient = true\n",
        _rows,
    )
_hostile(
    "dates that are not YYYY-MM-DD",
    evidence="id,indicator,rating,source,technique,date\n"
    "E1,kompetensi,baik,s1,interview,20240131\n"
    "E2,kompetensi,baik,s2,documentation,2024-W05-3\n",
)


# framework files named by the case
def _framework_text(change: Callable[[str], str], format: str = "json") -> Callable[[Path], object]:
    from policyeval.framework_io import dumps_framework

    def write(path: Path) -> None:
        text = dumps_framework(frameworks.load("agustino"), format=format)  # type: ignore[arg-type]
        path.write_text(change(text), encoding="utf-8")

    return write


for _name, (_old, _new) in {
    "duplicate keys": ('"id": "agustino"', '"id": "agustino", "id": "other"'),
    "a number beyond float range": ('"id": "agustino"', '"id": "agustino", "version": 1e400'),
    "a 5000-digit integer": ('"id": "agustino"', '"id": "agustino", "version": ' + "9" * 5000),
    "a lone surrogate": ('"id": "agustino"', '"id": "\\ud800"'),
    "NaN": ('"id": "agustino"', '"id": "agustino", "version": NaN'),
    "a weight of the wrong type": ('"kind": "indicator"', '"kind": "indicator", "weight": "x"'),
    "a negative weight": ('"kind": "indicator"', '"kind": "indicator", "weight": -5'),
    "an unknown scale kind": ('"kind": "ordinal"', '"kind": "likert"'),
}.items():
    _with_files(
        f"framework JSON with {_name}",
        CASE_TOML.replace('"agustino"', '"fw.json"'),
        {"fw.json": _framework_text(lambda text, old=_old, new=_new: text.replace(old, new, 1))},
    )


def _chain_framework(depth: int) -> Callable[[Path], object]:
    """A framework file of one chain ``depth`` nodes deep over the agustino scale."""

    def write(path: Path) -> None:
        lines = [
            'schema = "policyeval.framework/1"\n[framework]\nid = "chain"\ndefault_scale = "s"\n',
            '[[scales]]\nid = "s"\nkind = "ordinal"\nlevels = [{ id = "baik", score = 2, '
            'label = { en = "Good" } }, { id = "tidak_baik", score = 1, label = { en = "Bad" } }]\n',
            '[[nodes]]\nid = "n0"\nkind = "root"\nlabel = { en = "n0" }\n',
        ]
        for index in range(1, depth):
            lines.append(
                f'[[nodes]]\nid = "n{index}"\nkind = "level"\nlabel = {{ en = "n{index}" }}\n'
                f'parent = "n{index - 1}"\n'
            )
        lines.append(
            f'[[nodes]]\nid = "kompetensi"\nkind = "indicator"\nlabel = {{ en = "k" }}\n'
            f'parent = "n{depth - 1}"\n'
        )
        path.write_text("".join(lines), encoding="utf-8")

    return write


_with_files(
    "a framework 500 deep",
    CASE_TOML.replace('"agustino"', '"chain.toml"'),
    {"chain.toml": _chain_framework(500)},
)


# XLSX evidence
def _xlsx(change: dict[str, bytes] | None = None, records: int = 3) -> Callable[[Path], object]:
    def write(path: Path) -> None:
        _workbook(path, _evidence_records(records))
        if change:
            _rezip(path, change)

    return write


def _no_sheet(path: Path) -> None:
    import zipfile

    _workbook(path, _evidence_records(3))
    with zipfile.ZipFile(path) as archive:
        members = {
            name: archive.read(name)
            for name in archive.namelist()
            if name != "xl/worksheets/sheet1.xml"
        }
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


_XLSX_TOML = CASE_TOML + '[evidence]\nfile = "evidence.xlsx"\n'
_with_files("an XLSX zip bomb", _XLSX_TOML, {"evidence.xlsx": _xlsx({"xl/pad.xml": b" " * 2**22})})
_with_files("an XLSX without its sheet part", _XLSX_TOML, {"evidence.xlsx": _no_sheet})
_with_files("a valid XLSX", _XLSX_TOML, {"evidence.xlsx": _xlsx()})
_with_files(
    "an XLSX over the row limit", _XLSX_TOML + "[limits]\nrows = 2\n", {"evidence.xlsx": _xlsx()}
)


@pytest.mark.parametrize("name", sorted(HOSTILE_CASES))
def test_validate_and_evaluate_agree_on_every_hostile_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """Each hostile case folder validates exactly when it evaluates, and neither command ends
    in an internal error: a case that validates never fails later."""
    if "XLSX" in name:
        pytest.importorskip("openpyxl")
    case = HOSTILE_CASES[name](tmp_path)
    validate, _, validate_err = _run(capsys, "validate", str(case))
    evaluate, _, evaluate_err = _run(capsys, "evaluate", "--format", "json", str(case))
    assert 3 not in (validate, evaluate), validate_err + evaluate_err
    assert (validate == 0) == (evaluate == 0), (validate_err, evaluate_err)
    assert {validate, evaluate} <= {0, 2}


def test_the_hostile_cases_include_valid_and_refused_ones() -> None:
    """The table holds both kinds, so agreement is not trivially all refusals."""
    assert len(HOSTILE_CASES) > 60
    assert {"a valid XLSX", "excerpts with fences and ESC", "case is a string"} <= set(
        HOSTILE_CASES
    )
