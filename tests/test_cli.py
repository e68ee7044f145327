"""The command line: exit codes, located errors, and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policyeval.cli import main

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

CASE_TOML = """\
schema = "policyeval.case/1"

[case]
id = "mini"
title = { id = "Kasus mini", en = "Mini case" }
framework = "agustino"

[[units]]
id = "kota-a"
label = { id = "Kota A", en = "City A" }

[triangulation]
rule = "source"
why = "Two informant categories must agree."
"""

INDICATORS = [
    "kompetensi",
    "kapabilitas",
    "integritas",
    "pemahaman_kebijakan",
    "harmoni_kebijakan",
    "kualitas_data",
    "kepemimpinan",
    "manajemen_organisasi",
    "koordinasi_kolaborasi",
    "komunikasi_publik",
    "pengelolaan_anggaran",
    "regulasi_turunan",
]


def _case(folder: Path, *, extra_rows: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.toml").write_text(CASE_TOML, encoding="utf-8")
    rows = ["id,indicator,rating,source,source_category,technique"]
    for index, indicator in enumerate(INDICATORS):
        rows.append(f"A{index},{indicator},baik,s1,asn,interview")
        rows.append(f"B{index},{indicator},Cukup baik,s2,dokumen,documentation")
    (folder / "evidence.csv").write_text("\n".join(rows) + "\n" + extra_rows, encoding="utf-8")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_frameworks_list_names_the_built_ins(capsys: pytest.CaptureFixture[str]) -> None:
    """`frameworks list` prints every built-in framework."""
    code, out, _ = _run(capsys, "frameworks", "list")
    assert code == 0
    assert out.split()[0] == "agustino"
    for name in ("dunn", "edward3", "oecd_dac"):
        assert name in out


def test_show_agustino_as_json_has_5_dimensions_and_12_bilingual_indicators(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`frameworks show agustino --format json` lists 5 dimensions and 12 indicators in id and en."""
    code, out, _ = _run(capsys, "frameworks", "show", "agustino", "--format", "json")
    assert code == 0
    nodes = json.loads(out)["nodes"]
    dimensions = [n for n in nodes if n["kind"] == "dimension"]
    indicators = [n for n in nodes if n["kind"] == "indicator"]
    assert len(dimensions) == 5 and len(indicators) == 12
    assert all(set(n["label"]) >= {"id", "en"} for n in dimensions + indicators)


def test_evaluate_prints_json_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`evaluate --format json` prints the versioned document."""
    case = _case(tmp_path / "mini")
    code, out, _ = _run(capsys, "evaluate", str(case), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["schema"] == "policyeval.evaluation/4"
    program = document["units"]["kota-a"]["nodes"]["program"]
    assert program["level"] == "cukup_baik"  # lower median of baik and cukup baik, everywhere


def test_bad_evidence_exits_2_listing_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad evidence table exits 2 and names file, row and column for each bad row, no traceback."""
    case = _case(
        tmp_path / "bad",
        extra_rows="X1,kompetensi,bagus,s1,asn,interview\nX2,nope,baik,s1,asn,interview\n",
    )
    code, _, err = _run(capsys, "evaluate", str(case))
    assert code == 2
    assert "Traceback" not in err
    assert "row 26: rating" in err and "'bagus'" in err
    assert "row 27: indicator" in err and "'nope'" in err


def test_lenient_evaluates_the_good_rows_and_lists_the_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --lenient the run succeeds and each rejected row is in the output with its reason."""
    case = _case(tmp_path / "lenient", extra_rows="X1,kompetensi,bagus,s1,asn,interview\n")
    code, out, _ = _run(capsys, "evaluate", str(case), "--format", "json", "--lenient")
    assert code == 0
    rejected = json.loads(out)["rejected"]
    assert [(r["file"], r["row"], r["id"]) for r in rejected] == [("evidence.csv", 26, "X1")]
    assert "bagus" in rejected[0]["reason"]


def test_validate_framework_file_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate` exits 0 for a valid framework file and 2 for a cyclic one, naming the file."""
    good = tmp_path / "good.toml"
    code, out, _ = _run(capsys, "frameworks", "show", "dunn", "--format", "toml", "-o", str(good))
    assert code == 0
    code, out, _ = _run(capsys, "validate", str(good))
    assert (code, "valid framework" in out) == (0, True)
    cyclic = tmp_path / "cyclic.toml"
    cyclic.write_text(
        """schema = "policyeval.framework/1"
[framework]
id = "c"
languages = ["en"]
default_language = "en"
default_scale = "s"
title = { en = "C" }
[[scales]]
id = "s"
kind = "ordinal"
label = { en = "S" }
[[scales.levels]]
id = "ok"
score = 1
label = { en = "OK" }
[[nodes]]
id = "root"
kind = "root"
label = { en = "Root" }
[[nodes]]
id = "a"
kind = "dimension"
parents = ["root", "b"]
label = { en = "A" }
[[nodes]]
id = "b"
kind = "dimension"
parent = "a"
label = { en = "B" }
[[nodes]]
id = "i"
kind = "indicator"
parent = "b"
label = { en = "I" }
""",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "validate", str(cyclic))
    assert code == 2
    assert str(cyclic) in err and "cycle" in err


def test_validate_a_case_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`validate CASE_DIR` loads the case and its evidence."""
    case = _case(tmp_path / "ok")
    code, out, _ = _run(capsys, "validate", str(case))
    assert code == 0
    assert "24 evidence items" in out


def test_missing_case_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing case folder is an input error naming the folder, not a crash."""
    code, _, err = _run(capsys, "evaluate", str(tmp_path / "nowhere"))
    assert code == 2
    assert "nowhere: no such folder" in err


def test_case_toml_errors_name_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown keys and bad plug-in names in case.toml are reported with their key paths."""
    case = _case(tmp_path / "typo")
    text = (
        CASE_TOML.replace('rule = "source"', 'rule = "sorce"')
        + '\n[aggregation]\ndefualt = "mean"\n'
    )
    (case / "case.toml").write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, "evaluate", str(case))
    assert code == 2
    assert "triangulation.rule" in err and "sorce" in err
    assert "aggregation.defualt" in err


def test_explain_prints_the_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`explain CASE_DIR NODE` walks down to the evidence rows."""
    case = _case(tmp_path / "explain")
    code, out, _ = _run(capsys, "explain", str(case), "keuangan", "--lang", "en")
    assert code == 0
    assert "[pengelolaan_anggaran]" in out and "A10" in out and "B10" in out


def test_python_dash_m_runs_the_cli() -> None:
    """`python -m policyeval --version` works as a subprocess."""
    done = subprocess.run(
        [sys.executable, "-m", "policyeval", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "policyeval" in done.stdout


def test_report_recommend_below_sets_the_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--recommend-below changes which verdicts get recommendations; an unknown level exits 2."""
    case = _case(tmp_path / "recommend")
    strict = tmp_path / "strict.md"
    lax = tmp_path / "lax.md"
    assert _run(capsys, "report", str(case), "-o", str(strict), "--recommend-below", "baik")[0] == 0
    assert (
        _run(capsys, "report", str(case), "-o", str(lax), "--recommend-below", "Cukup baik")[0] == 0
    )
    assert strict.read_text(encoding="utf-8").count("(indikator;") == 12
    assert lax.read_text(encoding="utf-8").count("(indikator;") == 0
    code, _, err = _run(capsys, "report", str(case), "-o", str(lax), "--recommend-below", "bagus")
    assert code == 2 and "'bagus'" in err


def test_validate_reads_the_reported_verdicts_so_a_bad_one_fails_early(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate` loads reported.csv as `evaluate` does: a level off the scale exits 2 with its
    row and column, a good file is counted."""
    case = _case(tmp_path / "reported")
    (case / "case.toml").write_text(
        CASE_TOML + '\n[reported]\nfile = "reported.csv"\n', encoding="utf-8"
    )
    reported = case / "reported.csv"
    reported.write_text("node,level,citation\nprogram,bagus,Kesimpulan\n", encoding="utf-8")
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 2
    assert "row 2" in err and "level" in err and "'bagus'" in err
    reported.write_text("node,level,citation\nprogram,baik,Kesimpulan\n", encoding="utf-8")
    code, out, _ = _run(capsys, "validate", str(case))
    assert code == 0
    assert "1 reported verdicts" in out


def test_show_an_unknown_framework_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    """`frameworks show` with a name that is neither built in nor a file exits 2 and names it."""
    code, out, err = _run(capsys, "frameworks", "show", "agustin")
    assert code == 2
    assert out == ""
    assert "'agustin'" in err and "agustino" in err


def test_report_refuses_an_output_that_is_neither_html_nor_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report -o report.pdf` exits 2 before evaluating, naming the output, and writes nothing."""
    case = _case(tmp_path / "suffix")
    code, _, err = _run(capsys, "report", str(case), "-o", str(tmp_path / "report.pdf"))
    assert code == 2
    assert "must end in .html or .md" in err and "report.pdf" in err
    assert not (tmp_path / "report.pdf").exists()


def test_report_html_is_written_as_rendered_and_moved_into_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report -o page.html` streams the page into a partial file and moves it into place: the
    page is render_html's, and no partial file is left behind."""
    from policyeval import evaluate_case, report

    case = _case(tmp_path / "streamed")
    output = tmp_path / "out" / "page.html"
    code, _, err = _run(capsys, "report", str(case), "-o", str(output), "--lang", "en")
    assert code == 0 and "page.html" in err
    assert output.read_text(encoding="utf-8") == report.render_html(evaluate_case(case), lang="en")
    assert sorted(path.name for path in output.parent.iterdir()) == ["page.html"]
    taken = tmp_path / "out" / "taken.html"
    taken.mkdir()
    code, _, err = _run(capsys, "report", str(case), "-o", str(taken))
    assert code == 2 and f"Is a directory: '{taken}'" in err and "partial" not in err
    assert sorted(path.name for path in output.parent.iterdir()) == ["page.html", "taken.html"]


def test_report_of_chosen_units_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`report --unit A --unit B` writes those units' sections and no other; an unknown unit
    exits 2 naming it, and writes nothing."""
    asem = str(Path(__file__).parent.parent / "examples" / "asem_coinr")
    output = tmp_path / "two.md"
    code, _, _ = _run(capsys, "report", asem, "-o", str(output), "--unit", "BEL", "--unit", "AUT")
    assert code == 0
    headings = [line for line in output.read_text(encoding="utf-8").splitlines()]
    assert [line for line in headings if line.startswith("## Unit: ")] == [
        "## Unit: AUT",
        "## Unit: BEL",
    ]
    missing = tmp_path / "missing.html"
    code, _, err = _run(capsys, "report", asem, "-o", str(missing), "--unit", "BELL")
    assert code == 2
    assert "unknown unit 'BELL' (did you mean 'BEL'?); units are AUT, BEL," in err
    assert "… (51)" in err and "Traceback" not in err
    assert not missing.exists()


def test_report_stability_without_a_sensitivity_section_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --stability` on a case with no [sensitivity] section exits 2 and says so."""
    case = _case(tmp_path / "stable")
    output = tmp_path / "stable.md"
    code, _, err = _run(capsys, "report", str(case), "-o", str(output), "--stability")
    assert code == 2
    assert "declares no [sensitivity] section" in err
    assert not output.exists()


def test_compare_the_same_case_twice_exits_2_naming_the_duplicate_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`compare A A` names the unit that appears twice instead of ranking it against itself."""
    case = _case(tmp_path / "twice")
    code, out, err = _run(capsys, "compare", str(case), str(case))
    assert code == 2
    assert out == ""
    assert "the same unit twice" in err and "mini/kota-a" in err


def test_a_usage_error_exits_2_with_click_s_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown --format value is a usage error: exit 2, the bad value and the choices named."""
    case = _case(tmp_path / "usage")
    code, out, err = _run(capsys, "evaluate", str(case), "--format", "xml")
    assert code == 2
    assert out == ""
    assert "'xml'" in err and "table" in err and "json" in err


def test_an_output_path_that_is_a_folder_exits_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-o FOLDER` cannot be written: exit 2 with the operating system's reason, no traceback."""
    case = _case(tmp_path / "folder-out")
    target = tmp_path / "taken"
    target.mkdir()
    code, _, err = _run(capsys, "evaluate", str(case), "-o", str(target))
    assert code == 2
    assert err.startswith("error:") and "taken" in err
    assert "Traceback" not in err


def test_an_interrupted_command_exits_1_saying_aborted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during a command prints "aborted" and exits 1 instead of a traceback."""
    import policyeval.case

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(policyeval.case, "evaluate_case", interrupted)
    code, out, err = _run(capsys, "evaluate", str(_case(tmp_path / "ctrl-c")))
    assert (code, out, err.strip()) == (1, "", "aborted")


def test_an_unexpected_error_exits_3_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug inside a command is reported as an internal error with exit 3, never a traceback."""
    import policyeval.report

    def broken(*args: object, **kwargs: object) -> str:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(policyeval.report, "render_text", broken)
    code, out, err = _run(capsys, "evaluate", str(_case(tmp_path / "bug")))
    assert code == 3
    assert out == ""
    assert err.splitlines() == [
        "internal error: ZeroDivisionError: division by zero",
        "please report this with the command you ran",
    ]


def test_a_policyeval_error_escaping_a_command_is_listed_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input error a command does not catch itself still exits 2 with each problem listed."""
    import policyeval.report
    from policyeval.exceptions import EvidenceError, Problem

    def refuses(*args: object, **kwargs: object) -> str:
        raise EvidenceError(
            [
                Problem("first problem", file="a.csv", row=2, key="rating"),
                Problem("second problem", file="a.csv", row=3, key="source"),
            ]
        )

    monkeypatch.setattr(policyeval.report, "render_markdown", refuses)
    code, _, err = _run(capsys, "evaluate", str(_case(tmp_path / "late")), "--format", "markdown")
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("error") and "2" in lines[0]
    assert "a.csv" in lines[1] and "row 2" in lines[1] and "first problem" in lines[1]
    assert "row 3" in lines[2] and "second problem" in lines[2]


def test_the_console_script_exits_with_the_command_s_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The `policyeval` console script and `python -m policyeval` exit with main()'s code."""
    import runpy

    from policyeval.cli import entry

    monkeypatch.setattr(sys, "argv", ["policyeval", "frameworks", "show", "nope"])
    with pytest.raises(SystemExit) as stopped:
        entry()
    assert stopped.value.code == 2
    monkeypatch.setattr(sys, "argv", ["policyeval", "--version"])
    with pytest.raises(SystemExit) as stopped:
        runpy.run_module("policyeval", run_name="__main__")
    assert stopped.value.code == 0
    assert "policyeval" in capsys.readouterr().out
