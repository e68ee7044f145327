"""Errors in the user's language: messages carry their catalogue id, and every loader, parser,
file and command error reads in Indonesian with ``--lang id``."""

from __future__ import annotations

import shutil
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from language_check import check_both_languages
from policyeval.cli import _main, main
from policyeval.evidence_io import load_evidence, load_sources
from policyeval.exceptions import (
    EvidenceError,
    PolicyEvalError,
    PolicyEvalWarning,
    Problem,
    UnknownPluginError,
)
from policyeval.framework_io import framework_to_dict
from policyeval.frameworks import load
from policyeval.locales import localise, message
from policyeval.registry import build_aggregator
from policyeval.schemas import schema_problems

SERANG = Path(__file__).parent.parent / "examples" / "serang_2024"

CASE_TOML = """\
schema = "policyeval.case/1"

[case]
id = "kota"
framework = "agustino"

[[units]]
id = "kota"
"""

EVIDENCE = "id,indicator,rating,source,technique\nE1,kompetensi,baik,s1,interview\n"


def _case(folder: Path, toml: str = CASE_TOML, evidence: str = EVIDENCE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.toml").write_text(toml, encoding="utf-8")
    (folder / "evidence.csv").write_text(evidence, encoding="utf-8")
    return folder


def _indonesian(*argv: str) -> str:
    """The Indonesian error of a command that exits 2, checked line by line against English."""
    assert main(list(argv)) == 2
    return check_both_languages(_main, list(argv))


# --- messages carry their id ---------------------------------------------------------------


def test_a_keyed_problem_is_rendered_from_its_entry() -> None:
    """A problem with a message id is shown from that entry and its values, with its location."""
    problem = Problem(
        "duplicate id (first at row 3)",
        file="e.csv",
        row=4,
        key="id",
        message_id="row.duplicate_id",
        params={"row": 3},
    )
    assert localise(problem, "id") == "e.csv: baris 4: id: id ganda (pertama di baris 3)"
    assert localise(problem, "en") == str(problem)


def test_an_entry_that_does_not_say_what_the_message_says_is_not_trusted() -> None:
    """A message changed after it was raised (a prefix added, say) keeps its words: its text is
    recognised instead of the stale entry."""
    problem = Problem("missing value", key="x", message_id="row.missing_value")
    changed = attrs.evolve(problem, message="check 'c1': missing value")
    assert localise(changed, "id") == "x: pemeriksaan 'c1': nilai kosong"
    wrong = Problem("English wording", message_id="table.empty")
    assert localise(wrong, "id") == "English wording"


def test_a_message_without_an_id_falls_back_to_recognising_its_english_text() -> None:
    """A plug-in's error without an id is translated when its text is a catalogue message."""
    assert localise(ValueError("missing value"), "id") == "nilai kosong"
    assert localise(ValueError("plug-in's own words"), "id") == "plug-in's own words"


def test_errors_and_warnings_carry_an_id_and_values() -> None:
    """The project's errors and warnings take an optional id and values, read-only."""
    error = UnknownPluginError("x", message_id="plugin.unknown_scorer", params={"name": "'z'"})
    assert (error.message_id, dict(error.params)) == ("plugin.unknown_scorer", {"name": "'z'"})
    with pytest.raises(TypeError):
        error.params["name"] = "y"  # type: ignore[index]
    assert PolicyEvalError("plain").message_id is None
    warning = PolicyEvalWarning(
        problem=Problem("duplicate column", key="k", message_id="table.duplicate_column")
    )
    assert str(warning) == "k: duplicate column"
    assert localise(warning, "id") == "k: kolom ganda"


def test_keyed_problems_of_the_loaders_say_in_english_what_their_entry_says(
    tmp_path: Path,
) -> None:
    """Where a loader raises a message with its id, the English entry filled with its values is
    the message itself, so both languages say the same thing."""
    raised: list[Problem] = []
    cases = {
        "quote.csv": 'id,indicator\nE1,"open\n',
        "big.json": '{"a": 1e400}',
        "dup.json": '{"a": 1, "a": 2}',
        "deep.json": "[" * 5000 + "]" * 5000,
        "syntax.json": '{"a": }',
        "syntax.toml": "a = \n",
        "fw.yaml": "",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises((EvidenceError, PolicyEvalError)) as caught:
            if name.endswith(".csv"):
                load_evidence(path, load("agustino"))
            else:
                from policyeval.framework_io import load_framework

                load_framework(path)
        raised += caught.value.problems  # type: ignore[attr-defined]
    with pytest.raises(EvidenceError) as caught:
        load_sources(tmp_path / "missing.csv")
    raised += caught.value.problems
    with pytest.raises(UnknownPluginError) as plugin:
        build_aggregator("weakest_lnk")
    assert plugin.value.message_id == "plugin.unknown_aggregator"
    assert message("plugin.unknown_aggregator", "en", **plugin.value.params) == str(plugin.value)
    assert len(raised) == len(cases) + 1
    for problem in raised:
        assert problem.message_id is not None, problem
        assert message(problem.message_id, "en", **problem.params) == problem.message
        assert localise(problem, "id") != str(problem)


# --- JSON Schema errors ----------------------------------------------------------------------


def _case_document(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = tomllib.loads(CASE_TOML)
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "english", "indonesian"),
    [
        (
            lambda d: d["case"].__setitem__("id", 3),
            "case.toml: case.id: must be a string, not a number (got 3)",
            "case.toml: case.id: harus string, bukan angka (isian 3)",
        ),
        (
            lambda d: d.__setitem__("schema", "x"),
            "case.toml: schema: unsupported schema (expected 'policyeval.case/1') (got 'x')",
            "case.toml: schema: skema tidak didukung (seharusnya 'policyeval.case/1') (isian 'x')",
        ),
        (
            lambda d: d["case"].__setitem__("framwork", "x"),
            "case.toml: case.framwork: unknown key (did you mean 'framework'?) (allowed: citation, "
            "description, framework, id, language, period, title)",
            "case.toml: case.framwork: kunci tidak dikenal (maksud Anda 'framework'?) (yang "
            "diizinkan: citation, description, framework, id, language, period, title)",
        ),
        (
            lambda d: d.setdefault("limits", {}).__setitem__("rows", 0),
            "case.toml: limits.rows: must be an integer >= 1 (got 0)",
            "case.toml: limits.rows: harus berupa bilangan bulat >= 1 (isian 0)",
        ),
        (
            lambda d: d.setdefault("evidence", {}).__setitem__("lenient", "no"),
            "case.toml: evidence.lenient: must be true or false, not a string (got 'no')",
            "case.toml: evidence.lenient: harus true atau false, bukan string (isian 'no')",
        ),
    ],
)
def test_each_kind_of_schema_error_reads_in_both_languages(
    change: Callable[[dict[str, Any]], None], english: str, indonesian: str
) -> None:
    """A case file's schema error names the key path, what was expected and the value given."""
    (problem,) = schema_problems(_case_document(change), "case", file="case.toml")
    assert str(problem) == english
    assert localise(problem, "id") == indonesian


def test_the_framework_schema_names_the_kinds_a_misspelt_kind_could_be() -> None:
    """A scale of kind 'ordinl' is told which kinds exist, in both languages."""
    data = framework_to_dict(load("agustino"))
    data["scales"][0]["kind"] = "ordinl"
    (problem,) = schema_problems(data, "framework", file="fw.toml")
    assert problem.key == "scales[0].kind"
    assert str(problem).endswith("must be one of 'ordinal', 'numeric' (got 'ordinl')")
    assert localise(problem, "id").endswith(
        "harus salah satu dari 'ordinal', 'numeric' (isian 'ordinl')"
    )


# --- the command line in Indonesian ------------------------------------------------------------


def test_toml_syntax_errors_read_in_indonesian(tmp_path: Path) -> None:
    """Python's TOML reader's messages are translated, with the line and column kept."""
    case = _case(tmp_path / "case", CASE_TOML + "[aggregation\n")
    assert "case.toml:9: TOML tidak valid: seharusnya ada ']' di akhir deklarasi tabel" in (
        _indonesian("validate", str(case))
    )
    framework = tmp_path / "fw.toml"
    framework.write_text("a = \n", encoding="utf-8")
    assert "fw.toml:1: TOML tidak valid: nilai tidak valid (kolom 5)" in _indonesian(
        "validate", str(framework)
    )


def test_json_syntax_errors_read_in_indonesian(tmp_path: Path) -> None:
    """Python's JSON reader's messages are translated, with the line and column kept."""
    framework = tmp_path / "fw.json"
    framework.write_text('{\n  "framework": }', encoding="utf-8")
    assert "fw.json:2: JSON tidak valid: seharusnya ada nilai (kolom 16)" in _indonesian(
        "validate", str(framework)
    )


def test_file_system_errors_read_in_indonesian(tmp_path: Path) -> None:
    """A missing file, a folder where a file belongs, and an operating-system error."""
    assert "berkas tidak dapat dibaca: berkas tidak ditemukan" in _indonesian(
        "validate", str(tmp_path / "nope.toml")
    )
    case = _case(tmp_path / "case", CASE_TOML.replace('"agustino"', '"fw.toml"'))
    (case / "fw.toml").mkdir()
    err = _indonesian("validate", str(case))
    assert "case.framework: kerangka tidak dapat dimuat: " in err
    assert (
        "fw.toml: berkas tidak dapat dibaca: bukan berkas biasa"
        " (melainkan folder, FIFO, soket, atau perangkat) (isian 'fw.toml')"
    ) in err
    (tmp_path / "plain").write_text("", encoding="utf-8")
    err = _indonesian("frameworks", "show", "agustino", "-o", str(tmp_path / "plain" / "x.toml"))
    assert "galat: [Errno " in err and "berkas sudah ada: " in err
    assert "folder tidak ada" in _indonesian("validate", str(tmp_path / "kota_contho"))


def test_case_file_errors_read_in_indonesian(tmp_path: Path) -> None:
    """Unknown plug-in names, numbers out of range and hidden characters in case.toml."""
    case = _case(
        tmp_path / "case",
        CASE_TOML.replace('"kota"\n', '"ko\\u200bta"\n', 1)
        + '[aggregation]\ndefault = "weakest_lnk"\nmin_share = 1e-400\n',
    )
    err = _indonesian("validate", str(case))
    assert "angka 1e-400 terlalu kecil untuk dibedakan dari 0" in err
    case = _case(tmp_path / "case", CASE_TOML + '[aggregation]\ndefault = "weakest_lnk"\n')
    err = _indonesian("validate", str(case))
    assert "agregator 'weakest_lnk' tidak dikenal (maksud Anda 'weakest_link'?)" in err
    case = _case(tmp_path / "case", CASE_TOML.replace('id = "kota"\n', 'id = "ko\\u200bta"\n'))
    assert "memuat karakter tak terlihat atau karakter kontrol ('\\u200b'" in _indonesian(
        "validate", str(case)
    )


def test_evidence_table_errors_read_in_indonesian(tmp_path: Path) -> None:
    """An unbalanced quote and table limits in an evidence table."""
    case = _case(tmp_path / "case", evidence=EVIDENCE + 'E2,kompetensi,"baik\n')
    assert "baris 3: tanda petik tidak seimbang" in _indonesian("evaluate", str(case))


def test_commands_for_other_tools_speak_indonesian(tmp_path: Path) -> None:
    """import, dexi and sensitivity take --lang and show their errors in it."""
    broken = tmp_path / "project.qdpx"
    broken.write_bytes(b"not a zip")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[mapping]\nframework = "agustino"\n\n[codes]\nx = { indicator = "kompetensi", level = "baik" }\n',
        encoding="utf-8",
    )
    err = _indonesian(
        "import", "refi-qda", str(broken), "--mapping", str(mapping), "--out", str(tmp_path / "o")
    )
    assert "bukan arsip zip yang dapat dibaca: berkas ini bukan berkas zip" in err
    archive = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(archive, "w") as opened:
        opened.writestr("../evil.txt", "x")
    err = _indonesian(
        "import", "refi-qda", str(archive), "--mapping", str(mapping), "--out", str(tmp_path / "o")
    )
    assert "ditolak: anggota arsip '../evil.txt' keluar dari arsip" in err
    model = tmp_path / "model.dxi"
    model.write_text("<notdexi/>", encoding="utf-8")
    assert "bukan model DEXi: elemen akarnya <notdexi>" in _indonesian(
        "dexi", "evaluate", str(model)
    )
    case = _case(tmp_path / "case", CASE_TOML + "[sensitivity]\ndraws = 0\n")
    assert "sensitivity.draws: harus berupa bilangan bulat >= 1 (isian 0)" in _indonesian(
        "sensitivity", str(case)
    )


def test_warnings_read_in_indonesian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A warning about an unknown column of sources.csv is shown in the chosen language."""
    case = tmp_path / "serang"
    shutil.copytree(SERANG, case)
    sources = case / "sources.csv"
    header, rest = sources.read_text(encoding="utf-8").split("\n", 1)
    sources.write_text(header + ",kategori\n" + rest, encoding="utf-8")
    assert main(["validate", str(case), "--lang", "id"]) == 0
    err = capsys.readouterr().err
    assert "peringatan: " in err and "kolom tidak dikenal" in err
    assert "unknown column" not in err


@pytest.mark.parametrize(
    ("argv", "indonesian"),
    [
        (["validate"], "galat: Argumen 'PATH' belum diberikan."),
        (["validate", "--lnag", "x"], "galat: Opsi '--lnag' tidak ada. Maksud Anda '--lang'?"),
        (["nosuch"], "galat: Perintah 'nosuch' tidak ada."),
        (["report", "x"], "galat: Opsi '-o' / '--output' belum diberikan."),
        (["validate", "a", "b"], "galat: Ada argumen tambahan yang tidak diharapkan (b)"),
        (
            ["evaluate", "x", "--format", "xml"],
            "galat: Nilai tidak valid untuk '--format': 'xml' bukan salah satu dari"
            " 'table', 'json', 'markdown'.",
        ),
        (
            ["sensitivity", "x", "--draws", "0"],
            "galat: Nilai tidak valid untuk '--draws': 0 tidak berada dalam rentang x>=1.",
        ),
    ],
)
def test_usage_errors_read_in_indonesian(argv: list[str], indonesian: str) -> None:
    """The command line's own errors (options, arguments, commands) follow --lang too, with
    the usage line and the help hint."""
    err = _indonesian(*argv)
    assert err.startswith("Penggunaan: policyeval ")
    assert "untuk bantuan." in err
    assert err.rstrip("\n").endswith(indonesian)


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        (
            "case.toml: derived[0].measure: measure must be ratio, sum or count (got 'mean')",
            "case.toml: derived[0].measure: measure harus ratio, sum, atau count (isian 'mean')",
        ),
        (
            "derived item 'D1': 4.5 is outside scale 'pct' [0.0, 1.0]",
            "butir turunan 'D1': 4.5 berada di luar skala 'pct' [0.0, 1.0]",
        ),
        (
            "derived item 'D1': indicator 'k' is ordinal; give bands to turn the number into a level",
            "butir turunan 'D1': indikator 'k' berskala ordinal; beri bands untuk mengubah angka"
            " menjadi tingkat",
        ),
        (
            "case.toml: checks[0].colour: unknown key for a 'unique' check",
            "case.toml: checks[0].colour: kunci tidak dikenal untuk pemeriksaan 'unique'",
        ),
        (
            "check 'c1': agg must be sum, count, min or max",
            "pemeriksaan 'c1': agg harus sum, count, min, atau max",
        ),
        (
            "m.dxi: ATTRIBUTE[2]: the attribute has no scale",
            "m.dxi: ATTRIBUTE[2]: atribut ini tidak memiliki skala",
        ),
        (
            "data.csv:1: row 1: column 3 has no header",
            "data.csv:1: baris 1: kolom 3 tidak memiliki judul",
        ),
    ],
)
def test_messages_raised_without_an_id_are_recognised(english: str, indonesian: str) -> None:
    """Derived evidence, data-check specifications, DEXi models and tables: messages still
    written without an id read in Indonesian through their English text."""
    from policyeval.locales import translate

    assert translate(english, "id") == indonesian
