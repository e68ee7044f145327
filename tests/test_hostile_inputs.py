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
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import csv_text, make_framework
from policyeval.cli import main
from policyeval.evidence_io import load_evidence
from policyeval.exceptions import EvidenceError
from policyeval.tables import read_table

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
    """Excerpts and ids with line breaks, fences and control characters never start a line of
    the Markdown report, and never reach the terminal raw."""
    evidence = GOOD_EVIDENCE.replace(
        "E1,kompetensi,baik,s1,interview",
        'E1,kompetensi,baik,"s1\n```\n![x](https://attacker.example/p.png)\x1b[2J",interview',
    )
    case = _case(tmp_path / "case", evidence)
    code, out, err = _run(capsys, "evaluate", "--format", "markdown", str(case))
    assert code == 0, err
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
