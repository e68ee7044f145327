"""Reading CSV and XLSX tables as people save them, with every row numbered as a spreadsheet shows it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CsvWriter, XlsxWriter
from policyeval.exceptions import EvidenceError
from policyeval.tables import Row, Table, filter_rows, fold_column, parse_number, read_table

# --- dialects ------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_every_common_dialect_reads_the_same_table(
    write_csv: CsvWriter, bom: bool, delimiter: str, newline: str
) -> None:
    """UTF-8 with or without BOM, comma/semicolon/tab, LF/CRLF all give the same columns and cells."""
    path = write_csv(
        "t.csv",
        [
            ["Id", "Indicator", "Excerpt"],
            ["E1", "kejelasan", "Jelas sekali"],
            ["E2", "kompetensi", "Cakap"],
        ],
        delimiter=delimiter,
        newline=newline,
        bom=bom,
    )
    table = read_table(path)
    assert table.file == str(path)
    assert table.columns == ("id", "indicator", "excerpt")
    assert [row.number for row in table.rows] == [2, 3]
    assert table.rows[0].values == {"id": "E1", "indicator": "kejelasan", "excerpt": "Jelas sekali"}
    assert table.rows[1].get("excerpt") == "Cakap"
    assert table.decimal_comma is (delimiter == ";")


def test_semicolon_files_use_a_decimal_comma(write_csv: CsvWriter) -> None:
    """In a semicolon-delimited file ``58,4`` stays one cell and parses as 58.4."""
    path = write_csv("t.csv", "line;allocation;realisation\r\nA;100;58,4\r\n")
    table = read_table(path)
    assert table.decimal_comma is True
    text = table.rows[0].values["realisation"]
    assert text == "58,4"
    assert parse_number(text, decimal_comma=table.decimal_comma) == 58.4


def test_comma_files_do_not_use_a_decimal_comma(write_csv: CsvWriter) -> None:
    """A quoted ``"1,5"`` in a comma-delimited file is one cell, but not a number there."""
    table = read_table(write_csv("t.csv", 'id,value\nE1,"1,5"\n'))
    assert table.decimal_comma is False
    assert table.rows[0].values["value"] == "1,5"
    with pytest.raises(ValueError, match="not a number"):
        parse_number("1,5", decimal_comma=table.decimal_comma)


def test_quoted_fields_keep_embedded_delimiters_and_newlines(write_csv: CsvWriter) -> None:
    """A quoted cell may hold the delimiter and line breaks; the next record is still the next row."""
    path = write_csv(
        "t.csv",
        'id;excerpt;source\nE1;"Satu; dua\r\ntiga";komisioner\nE2;"kata ""kutip""";staf\n',
    )
    table = read_table(path)
    assert table.rows[0].values["excerpt"] == "Satu; dua\r\ntiga"
    assert table.rows[0].values["source"] == "komisioner"
    assert table.rows[1].values["excerpt"] == 'kata "kutip"'
    assert [row.number for row in table.rows] == [2, 3]


def test_blank_rows_are_skipped_but_keep_the_numbering(write_csv: CsvWriter) -> None:
    """Empty lines and rows of empty cells are not data; later rows keep their spreadsheet numbers."""
    path = write_csv("t.csv", "id,indicator\nE1,kejelasan\n\n,\n  ,  \nE2,kompetensi\n")
    table = read_table(path)
    assert [(row.number, row.get("id")) for row in table.rows] == [(2, "E1"), (6, "E2")]


def test_blank_rows_above_the_header_are_skipped(write_csv: CsvWriter) -> None:
    """The first non-blank row is the header, and rows keep the numbers a spreadsheet shows."""
    table = read_table(write_csv("t.csv", "\n;;\nid;x\nE1;1\n"))
    assert table.columns == ("id", "x")
    assert [(row.number, row.values) for row in table.rows] == [(4, {"id": "E1", "x": "1"})]


def test_a_duplicate_header_below_blank_rows_names_its_real_row(write_csv: CsvWriter) -> None:
    """Header problems point at the row the header is really on."""
    with pytest.raises(EvidenceError) as caught:
        read_table(write_csv("t.csv", "\nid,id\nE1,E2\n"))
    assert (caught.value.problems[0].row, caught.value.problems[0].key) == (2, "id")


def test_delimiters_inside_quoted_header_cells_do_not_decide_the_dialect(
    write_csv: CsvWriter,
) -> None:
    """A semicolon file whose header quotes a comma is still read as semicolon-delimited."""
    table = read_table(write_csv("t.csv", '"Nama, lengkap";id\nAni, S.;1\n'))
    assert table.columns == ("nama,_lengkap", "id")
    assert table.rows[0].values == {"nama,_lengkap": "Ani, S.", "id": "1"}
    assert table.decimal_comma is True


def test_headers_are_folded_to_snake_case(write_csv: CsvWriter) -> None:
    """Header case, surrounding space, inner spaces and hyphens fold to ``snake_case``."""
    table = read_table(write_csv("t.csv", " Source Category ,Excerpt-EN,ID\na,b,c\n"))
    assert table.columns == ("source_category", "excerpt_en", "id")
    assert table.has("excerpt_en") and not table.has("Excerpt-EN")
    assert fold_column("  Tanggal  Mulai ") == "tanggal_mulai"


def test_empty_cells_are_absent_and_cells_are_stripped_on_get(write_csv: CsvWriter) -> None:
    """A cell of spaces counts as empty; ``get`` returns stripped text or None."""
    table = read_table(write_csv("t.csv", "id,rating,value\n E1 ,   ,\n"))
    row = table.rows[0]
    assert row.values == {"id": " E1 "}
    assert row.get("id") == "E1"
    assert row.get("rating") is None
    assert row.get("no_such_column") is None


def test_a_header_only_file_has_columns_and_no_rows(write_csv: CsvWriter) -> None:
    """A file with just a header is a valid empty table."""
    table = read_table(write_csv("t.csv", "id,indicator\n"))
    assert table.columns == ("id", "indicator")
    assert table.rows == ()


def test_short_rows_simply_lack_the_missing_cells(write_csv: CsvWriter) -> None:
    """A row with fewer cells than the header is read with the remaining cells empty."""
    table = read_table(write_csv("t.csv", "id,indicator,rating\nE1,kejelasan\n"))
    assert table.rows[0].values == {"id": "E1", "indicator": "kejelasan"}


# --- errors --------------------------------------------------------------------------------


def test_duplicate_header_is_an_error_naming_the_column(write_csv: CsvWriter) -> None:
    """Two headers that fold to the same name are refused, naming the folded column and row 1."""
    path = write_csv("t.csv", "id,Rating,rating \nE1,baik,baik\n")
    with pytest.raises(EvidenceError) as caught:
        read_table(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.key) == (str(path), 1, "rating")
    assert "duplicate column" in problem.message
    assert f"{path}: row 1: rating: duplicate column" in str(caught.value)


def test_every_duplicate_header_is_listed(write_csv: CsvWriter) -> None:
    """Each duplicated column is reported once in the same error."""
    with pytest.raises(EvidenceError) as caught:
        read_table(write_csv("t.csv", "id,id,value,Value\n"))
    assert [p.key for p in caught.value.problems] == ["id", "value"]


def test_a_cell_under_no_header_is_an_error(write_csv: CsvWriter) -> None:
    """A column with an empty header but data in it is refused, naming its position."""
    with pytest.raises(EvidenceError, match="column 2 has no header"):
        read_table(write_csv("t.csv", "id,,rating\nE1,oops,baik\n"))


def test_an_empty_header_over_empty_cells_is_ignored(write_csv: CsvWriter) -> None:
    """A trailing empty header (a stray delimiter) over empty cells is dropped, not an error."""
    table = read_table(write_csv("t.csv", "id,rating,\nE1,baik,\n"))
    assert table.columns == ("id", "rating")
    assert table.rows[0].values == {"id": "E1", "rating": "baik"}


def test_more_cells_than_header_are_kept_as_overflow(write_csv: CsvWriter) -> None:
    """Cells beyond the header are not dropped: the row carries them so loaders can report it."""
    table = read_table(write_csv("t.csv", "id,rating\nE1,baik,extra,more\nE2,baik,,\n"))
    assert table.rows[0].values["__overflow__"] == "extra | more"
    assert "__overflow__" not in table.rows[1].values
    assert table.columns == ("id", "rating")


def test_not_utf8_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    """A Latin-1 file is refused with the file, the line of the first bad byte, and the byte offset."""
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,excerpt\nE1,baik\nE2,Pelayanan cukup memuaskan (ä)\n".encode("latin-1"))
    with pytest.raises(EvidenceError) as caught:
        read_table(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    assert problem.line == 3
    offset = b"id,excerpt\nE1,baik\nE2,Pelayanan cukup memuaskan ("
    assert f"not valid UTF-8 at byte {len(offset)}" in problem.message
    assert str(caught.value).startswith(f"{path}:3: ")


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n"], ids=["zero-bytes", "bom-only", "blank-lines"]
)
def test_an_empty_file_is_an_error(tmp_path: Path, content: bytes) -> None:
    """A file with no text (or only a BOM and blank lines) is refused as empty."""
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(EvidenceError) as caught:
        read_table(path)
    assert caught.value.problems[0].file == str(path)
    assert "the file is empty" in str(caught.value)


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    """A path that does not exist is refused with ``file not found`` and the path."""
    path = tmp_path / "nowhere.csv"
    with pytest.raises(EvidenceError) as caught:
        read_table(path)
    assert str(caught.value) == f"{path}: file not found"


def test_a_directory_is_not_a_table(tmp_path: Path) -> None:
    """A folder named like a table is refused: only regular files are read."""
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(EvidenceError, match="not a regular file"):
        read_table(tmp_path / "folder.csv")


@pytest.mark.parametrize("name", ["t.json", "t.xls", "t"])
def test_an_unsupported_suffix_is_an_error(tmp_path: Path, name: str) -> None:
    """Only .csv/.tsv/.txt and .xlsx/.xlsm are read; anything else is refused naming the suffix."""
    path = tmp_path / name
    path.write_text("id\nE1\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        read_table(path)
    suffix = path.suffix or "(none)"
    assert f"unsupported table format {suffix!r}" in str(caught.value)
    assert caught.value.problems[0].file == str(path)


def test_the_suffix_is_matched_case_insensitively(write_csv: CsvWriter) -> None:
    """``DATA.CSV`` is read as CSV."""
    assert read_table(write_csv("DATA.CSV", "id\nE1\n")).rows[0].get("id") == "E1"


def test_tables_are_evidence_errors_and_value_errors(tmp_path: Path) -> None:
    """Table errors can be caught as ``ValueError`` by callers who do not know policyeval."""
    with pytest.raises(ValueError):
        read_table(tmp_path / "nowhere.csv")


# --- XLSX ----------------------------------------------------------------------------------


def test_xlsx_cells_become_text_like_csv_cells(write_xlsx: XlsxWriter) -> None:
    """Numbers, dates and datetimes in an XLSX sheet read as plain text; whole floats lose ``.0``."""
    path = write_xlsx(
        "t.xlsx",
        [
            ["Id", "Value", "Date", "When", "Count"],
            ["E1", 58.4, datetime.date(2024, 2, 14), datetime.datetime(2024, 2, 14, 9, 30), 3],
            ["E2", 100.0, datetime.datetime(2024, 3, 1), None, 0],
        ],
    )
    table = read_table(path)
    assert table.columns == ("id", "value", "date", "when", "count")
    assert table.decimal_comma is False
    first, second = table.rows
    assert first.number == 2
    assert first.values == {
        "id": "E1",
        "value": "58.4",
        "date": "2024-02-14",
        "when": "2024-02-14T09:30:00",
        "count": "3",
    }
    assert second.values == {"id": "E2", "value": "100", "date": "2024-03-01", "count": "0"}


def test_xlsx_blank_rows_are_skipped_but_keep_the_numbering(write_xlsx: XlsxWriter) -> None:
    """An empty sheet row is not data and later rows keep the number the spreadsheet shows."""
    path = write_xlsx("t.xlsx", [["id"], ["E1"], [], [None], ["E2"]])
    assert [(row.number, row.get("id")) for row in read_table(path).rows] == [(2, "E1"), (5, "E2")]


def test_xlsx_blank_rows_above_the_header_are_skipped(write_xlsx: XlsxWriter) -> None:
    """A sheet whose header is on row 3 reads its first data row as row 4."""
    path = write_xlsx("t.xlsx", [[], [], ["id", "value"], ["E1", 2.5]])
    table = read_table(path)
    assert table.columns == ("id", "value")
    assert [(row.number, row.values) for row in table.rows] == [(4, {"id": "E1", "value": "2.5"})]


def test_xlsx_reads_a_named_sheet(tmp_path: Path) -> None:
    """``sheet=`` picks a sheet by name; an unknown name lists the sheets."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.title = "notes"
    workbook.active.append(["nothing here"])
    data = workbook.create_sheet("bukti")
    data.append(["id", "rating"])
    data.append(["E9", "baik"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    assert read_table(path, sheet="bukti").rows[0].values == {"id": "E9", "rating": "baik"}
    assert read_table(path).columns == ("nothing_here",)
    with pytest.raises(EvidenceError, match=r"no sheet 'data'; sheets are \['notes', 'bukti'\]"):
        read_table(path, sheet="data")


def test_xlsx_duplicate_header_is_an_error(write_xlsx: XlsxWriter) -> None:
    """The duplicate-column rule applies to workbooks too."""
    with pytest.raises(EvidenceError) as caught:
        read_table(write_xlsx("t.xlsx", [["id", "ID"], ["a", "b"]]))
    assert caught.value.problems[0].key == "id"


def test_an_empty_sheet_is_an_error(write_xlsx: XlsxWriter) -> None:
    """A workbook whose first sheet has no header row is refused."""
    with pytest.raises(EvidenceError, match="has no header row"):
        read_table(write_xlsx("t.xlsx", []))


def test_a_broken_workbook_is_an_error_naming_the_file(tmp_path: Path) -> None:
    """A file named .xlsx that is not a workbook is refused naming the file."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(EvidenceError) as caught:
        read_table(path)
    assert caught.value.problems[0].file == str(path)
    assert "cannot read workbook" in str(caught.value)


# --- numbers and filters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1633859000", False, 1633859000.0),
        (" 58.4 ", False, 58.4),
        ("-3", False, -3.0),
        ("+.5", False, 0.5),
        ("1e3", False, 1000.0),
        ("1\u00a0000", False, 1000.0),
        ("58,4", True, 58.4),
        ("58.4", True, 58.4),
        ("-0,25", True, -0.25),
    ],
)
def test_parse_number_accepts_numbers_as_spreadsheets_write_them(
    text: str, decimal_comma: bool, expected: float
) -> None:
    """Plain, signed, exponent, space-grouped and (in decimal-comma files) comma numbers parse."""
    assert parse_number(text, decimal_comma=decimal_comma) == expected


@pytest.mark.parametrize(
    ("text", "decimal_comma"),
    [
        ("1,234", False),
        ("1.234,5", True),
        ("1,2,3", True),
        ("abc", False),
        ("", False),
        ("nan", False),
        ("inf", False),
        ("1e999", False),
        ("12%", False),
    ],
)
def test_parse_number_refuses_ambiguous_or_non_finite_text(text: str, decimal_comma: bool) -> None:
    """Ambiguous commas, words, percent signs and non-finite numbers raise ``ValueError``."""
    with pytest.raises(ValueError, match="not a"):
        parse_number(text, decimal_comma=decimal_comma)


@settings(max_examples=50)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_round_trips_repr(number: float) -> None:
    """Any finite float written with ``repr`` parses back to itself."""
    assert parse_number(repr(number)) == number


def test_filter_rows_matches_every_pair_on_stripped_text() -> None:
    """``where`` keeps rows equal on every column; numbers compare as their text; no filter keeps all."""
    rows = (
        Row(2, {"level": " output ", "year": "2024"}),
        Row(3, {"level": "output", "year": "2023"}),
        Row(4, {"level": "programme", "year": "2024"}),
    )
    table = Table("t.csv", ("level", "year"), rows)
    assert [r.number for r in filter_rows(table, {"Level": "output", "year": 2024})] == [2]
    assert [r.number for r in filter_rows(table, {"year": 2024.0})] == [2, 4]
    assert filter_rows(table, None) == rows
    assert filter_rows(table, {}) == rows
    assert filter_rows(table, {"level": "nothing"}) == ()


def test_a_csv_longer_than_the_row_limit_is_refused_at_the_first_row_past_it(
    write_csv: CsvWriter,
) -> None:
    """TableLimits.rows bounds CSV tables too: the first row past the limit is named."""
    from policyeval.tables import TableLimits

    path = write_csv("t.csv", [["id"], ["E1"], ["E2"], ["E3"]])
    with pytest.raises(EvidenceError, match="more than 2 data rows") as caught:
        read_table(path, limits=TableLimits(rows=2))
    assert "row 4" in str(caught.value)
    assert len(read_table(path, limits=TableLimits(rows=3)).rows) == 3


def test_a_zip_that_is_not_a_workbook_is_a_located_error(tmp_path: Path) -> None:
    """An .xlsx that is a zip archive without a workbook inside says it cannot be read."""
    import zipfile

    path = tmp_path / "t.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    with pytest.raises(EvidenceError, match="cannot read workbook") as caught:
        read_table(path)
    assert str(path) in str(caught.value)


def test_a_comma_hint_is_given_only_for_what_would_be_a_number() -> None:
    """number_hint explains a decimal comma only when the cell would read with a point."""
    from policyeval.tables import number_hint

    assert "write 1.5 with a decimal point" in number_hint("1,5")
    assert number_hint("a,b") == ""
    assert number_hint("1,5x") == ""
