"""Dates and numbers as people type them: Indonesian and ISO forms in, clear refusals out."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyeval import frameworks, load_evidence
from policyeval.dates import parse_date
from policyeval.exceptions import EvidenceError
from policyeval.tables import parse_number

AUGUST_17 = datetime.date(2024, 8, 17)

INDONESIAN_MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@pytest.mark.parametrize(
    "text",
    [
        "2024-08-17",
        "2024-8-17",
        "2024/08/17",
        "17/08/2024",
        "17-08-2024",
        "17.8.2024",
        "17 Agustus 2024",
        "17 agustus 2024",
        "17 AGUSTUS 2024",
        "17 Agu 2024",
        "17 Agt. 2024",
        "17-Agu-2024",
        "17 August 2024",
        "17 Aug 2024",
        "August 17, 2024",
        "Aug 17 2024",
        "Sabtu, 17 Agustus 2024",
        "  17   Agustus   2024 ",
    ],
)
def test_iso_and_day_first_forms_are_read(text: str) -> None:
    """Every documented form of 17 August 2024 reads as that day."""
    assert parse_date(text) == AUGUST_17


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("17/08/24", "a two-digit year is ambiguous"),
        ("17 Agustus 24", "a two-digit year is ambiguous"),
        ("08/17/2024", "month 17 does not exist; numeric dates are day first"),
        ("31/02/2024", "day 31 does not exist in 2024-02"),
        ("2024-02-30", "day 30 does not exist in 2024-02"),
        ("17 Agustos 2024", "'Agustos' is not a month name"),
        ("Agustus 2024", "a date needs a day"),
        ("08/2024", "a date needs a day"),
        ("kemarin", "not a date"),
        ("", "not a date"),
    ],
)
def test_ambiguous_and_invalid_dates_are_refused_with_the_reason(text: str, reason: str) -> None:
    """Two-digit years, month-first numbers, impossible days and partial dates say why."""
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


@given(st.dates(min_value=datetime.date(1000, 1, 1)), st.booleans())
def test_every_date_written_in_every_form_reads_back(day: datetime.date, english: bool) -> None:
    """ISO, DD/MM/YYYY, DD-MM-YYYY and 'D Month YYYY' in either language give the same day."""
    month = (ENGLISH_MONTHS if english else INDONESIAN_MONTHS)[day.month - 1]
    forms = [
        day.isoformat(),
        f"{day.year}-{day.month}-{day.day}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}-{day.month}-{day.year}",
        f"{day.day} {month} {day.year}",
        f"{day.day} {month[:3]} {day.year}",
    ]
    assert {parse_date(form) for form in forms} == {day}


def _evidence(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "evidence.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_evidence_table_reads_indonesian_dates(tmp_path: Path) -> None:
    """A date column with '17 Agustus 2024' and '17/08/2024' gives ISO dates on the items."""
    path = _evidence(
        tmp_path,
        "id,unit,indicator,rating,source,technique,date\n"
        "E1,u,kompetensi,baik,s1,interview,17 Agustus 2024\n"
        "E2,u,kompetensi,baik,s2,interview,17/08/2024\n",
    )
    found = load_evidence(path, frameworks.load("agustino"))
    assert [item.date for item in found.items] == [AUGUST_17, AUGUST_17]


def test_a_bad_date_names_file_row_column_and_reason(tmp_path: Path) -> None:
    """'17/08/24' in row 2 is refused with the file, row, column and why."""
    path = _evidence(
        tmp_path,
        "id,unit,indicator,rating,source,technique,date\nE1,u,kompetensi,baik,s1,interview,17/08/24\n",
    )
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, frameworks.load("agustino"))
    assert str(caught.value) == (
        f"{path}: row 2: date: a two-digit year is ambiguous: write the year in full, "
        "e.g. 17/08/2024 or 2024-08-17 (got '17/08/24')"
    )


def test_a_decimal_comma_in_a_comma_delimited_file_gets_a_hint(tmp_path: Path) -> None:
    """A quoted "0,5" weight says to write 0.5 or use ';'; an unquoted one says the cell split."""
    header = "id,unit,indicator,rating,source,technique,weight\n"
    quoted = _evidence(tmp_path, header + 'E1,u,kompetensi,baik,s1,interview,"0,5"\n')
    with pytest.raises(EvidenceError, match=r"write 0\.5 with a decimal point, or save the file"):
        load_evidence(quoted, frameworks.load("agustino"))
    split = _evidence(tmp_path, header + "E1,u,kompetensi,baik,s1,interview,0,5\n")
    with pytest.raises(EvidenceError, match="a decimal comma such as 58,4 splits a cell"):
        load_evidence(split, frameworks.load("agustino"))


def test_decimal_commas_are_numbers_in_semicolon_files() -> None:
    """With ';' between columns '58,4' is 58.4; with ',' the error explains the choice."""
    assert parse_number("58,4", decimal_comma=True) == 58.4
    with pytest.raises(ValueError, match="a decimal comma is read only in files delimited by ';'"):
        parse_number("58,4")
    with pytest.raises(ValueError, match=r"^not a number: 'abc'$"):
        parse_number("abc")
