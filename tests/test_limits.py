"""Input limits: defaults that fit a national case, raised from case.toml or the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyeval.cli import main
from policyeval.exceptions import EvidenceError
from policyeval.framework_io import MAX_FRAMEWORK_BYTES
from policyeval.tables import TableLimits, read_table, table_limits

CASE_TOML = """\
schema = "policyeval.case/1"

[case]
id = "limits"
framework = "agustino"

[[units]]
id = "kota"
"""

EVIDENCE = (
    "id,indicator,rating,source,technique\n"
    "E1,kompetensi,baik,s1,interview\n"
    "E2,kompetensi,baik,s2,documentation\n"
    "E3,kapabilitas,cukup_baik,s3,interview\n"
)


def _case(folder: Path, toml: str = CASE_TOML, evidence: str = EVIDENCE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.toml").write_text(toml, encoding="utf-8")
    (folder / "evidence.csv").write_text(evidence, encoding="utf-8")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_defaults_fit_a_national_case() -> None:
    """Millions of evidence rows of ordinary width pass the default limits: five million rows,
    512 MiB per table (a million rows of 300 bytes is 300 MB), 64 MiB of framework file."""
    limits = TableLimits()
    assert limits.rows >= 5_000_000
    assert limits.bytes >= 1_000_000 * 300
    assert limits.columns >= 100
    assert MAX_FRAMEWORK_BYTES >= 64 * 2**20


def test_csv_headers_wider_than_the_column_limit_are_refused(tmp_path: Path) -> None:
    """CSV has a column limit too: a header wider than the limit is refused at its row before
    any data row is read, and raising the limit reads the same file."""
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(12)) + "\n" + "1," * 11 + "1\n")
    with pytest.raises(EvidenceError, match="beyond column 10, the limit") as caught:
        read_table(path, limits=TableLimits(columns=10))
    assert caught.value.problems[0].row == 1
    assert "--limit columns=N" in str(caught.value)
    assert len(read_table(path, limits=TableLimits(columns=12)).columns) == 12


def test_csv_rows_with_cells_beyond_the_column_limit_are_refused(tmp_path: Path) -> None:
    """A data row with a filled cell beyond the limit is refused with its row number."""
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n1,2,,,,9\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match="beyond column 4") as caught:
        read_table(path, limits=TableLimits(columns=4))
    assert caught.value.problems[0].row == 3


def test_the_file_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    """A table larger than ``bytes`` is refused with its size and how to raise the limit."""
    path = tmp_path / "big.csv"
    path.write_text("id\n" + "x\n" * 100, encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"has 203 bytes, more than the limit of 100"):
        read_table(path, limits=TableLimits(bytes=100))


def test_table_limits_apply_to_every_read_inside_the_block(tmp_path: Path) -> None:
    """Inside ``with table_limits(...)`` every read uses those limits unless it names its own."""
    path = tmp_path / "t.csv"
    path.write_text("id\n1\n2\n3\n", encoding="utf-8")
    with table_limits(TableLimits(rows=2)):
        with pytest.raises(EvidenceError, match="more than 2 data rows"):
            read_table(path)
        assert len(read_table(path, limits=TableLimits(rows=3)).rows) == 3
    assert len(read_table(path).rows) == 3


def test_a_case_sets_its_limits_and_the_command_line_raises_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """[limits] in case.toml applies to the case's tables; --limit wins over it for one run."""
    case = _case(tmp_path / "case", CASE_TOML + "\n[limits]\nrows = 2\n")
    for command in ("validate", "evaluate"):
        code, _, err = _run(capsys, command, str(case))
        assert code == 2, err
        assert "evidence.csv: row 4: more than 2 data rows, the limit" in err
    code, out, err = _run(capsys, "validate", str(case), "--limit", "rows=3")
    assert code == 0, err
    assert "3 evidence items" in out
    code, _, err = _run(capsys, "evaluate", "--limit", "rows=1000", "--format", "json", str(case))
    assert code == 0, err


def test_a_case_can_lower_and_raise_its_framework_file_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """framework_bytes bounds the case's framework file, from case.toml and from --limit, and
    `validate FILE` takes --limit framework_bytes too."""
    case = _case(tmp_path / "case")
    assert _run(capsys, "frameworks", "show", "agustino", "--format", "toml", "-o",
                str(case / "fw.toml"))[0] == 0  # fmt: skip
    size = (case / "fw.toml").stat().st_size
    toml = CASE_TOML.replace('"agustino"', '"fw.toml"') + "\n[limits]\nframework_bytes = 1000\n"
    (case / "case.toml").write_text(toml, encoding="utf-8")
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 2
    assert f"has {size} bytes, more than the limit of 1000" in err
    assert "case.framework" in err
    assert _run(capsys, "validate", str(case), "--limit", f"framework_bytes={size}")[0] == 0
    code, _, err = _run(capsys, "validate", str(case / "fw.toml"), "--limit", "framework_bytes=10")
    assert code == 2 and "more than the limit of 10" in err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("rows", "--limit takes KEY=VALUE"),
        ("row=5", "--limit takes KEY=VALUE with KEY one of bytes, columns"),
        ("rows=0", "--limit rows must be an integer >= 1, got '0'"),
        ("rows=many", "--limit rows must be an integer >= 1, got 'many'"),
        ("compression_ratio=nan", "--limit compression_ratio must be a number >= 1"),
        ("columns=2.5", "--limit columns must be an integer >= 1"),
    ],
)
def test_bad_limit_options_exit_2_with_the_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, message: str
) -> None:
    """A --limit that is not KEY=VALUE, names no limit, or gives no positive number exits 2."""
    case = _case(tmp_path / "case")
    code, _, err = _run(capsys, "validate", str(case), "--limit", option)
    assert code == 2
    assert message in err


def test_limits_in_case_toml_are_checked_by_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """[limits] takes only known keys with positive numbers."""
    case = _case(tmp_path / "case", CASE_TOML + "\n[limits]\nrows = 0\nrow = 5\n")
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 2
    assert "limits.rows: must be an integer >= 1 (got 0)" in err
    assert "limits.row: unknown key (did you mean 'rows'?)" in err


def test_a_cases_limits_hold_for_its_data_table_in_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The [data] table of a numbers-only case is read under the case's limits by validate and
    by sensitivity alike, and --limit raises them."""
    import shutil

    case = tmp_path / "asem"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "asem_coinr", case)
    with (case / "case.toml").open("a", encoding="utf-8") as file:
        file.write("\n[limits]\nrows = 10\n")
    for command in (["validate"], ["sensitivity", "--draws", "2"]):
        code, _, err = _run(capsys, *command, str(case))
        assert code == 2, err
        assert "more than 10 data rows, the limit" in err
    assert _run(capsys, "validate", str(case), "--limit", "rows=100")[0] == 0
    code, _, err = _run(
        capsys, "sensitivity", "--draws", "2", "--quiet", "--limit", "rows=100", str(case)
    )
    assert code == 0, err
