"""Loading evidence and sources tables: every data row becomes an item or a located rejection."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CsvWriter, XlsxWriter, csv_text, make_framework
from policyeval.evidence import Evidence, Origin, Source
from policyeval.evidence_io import (
    EvidenceSet,
    Rejection,
    evidence_from_rows,
    load_evidence,
    load_sources,
)
from policyeval.exceptions import EvidenceError, PolicyEvalWarning
from policyeval.framework import Framework
from policyeval.tables import read_table

HEADER = (
    "id",
    "unit",
    "indicator",
    "rating",
    "value",
    "source",
    "source_category",
    "technique",
    "date",
    "investigator",
    "weight",
    "excerpt",
)
GOOD = {
    "id": "E0",
    "unit": "kota",
    "indicator": "kejelasan",
    "rating": "baik",
    "source": "komisioner",
    "source_category": "penyelenggara",
    "technique": "interview",
    "date": "2024-02-14",
    "investigator": "ana",
    "weight": "1",
    "excerpt": "Informasi jelas",
}
SOURCES = [
    ["id", "name", "category", "technique", "description", "citation"],
    ["komisioner", "Komisioner KPU", "penyelenggara", "interview", "", ""],
    ["staf", "Staf sekretariat", "pelaksana", "interview", "", ""],
    ["laporan", "Laporan akhir", "dokumen_resmi", "documentation", "", "Tabel 8"],
]
UNITS = ("kota", "kabupaten")


def rows_of(
    records: Sequence[Mapping[str, str]], header: Sequence[str] = HEADER
) -> list[list[str]]:
    """The header and one list of cells per record (cells beyond the header from ``__extra__``)."""
    out = [list(header)]
    for record in records:
        cells = [record.get(column, "") for column in header]
        out.append(cells + list(record.get("__extra__", [])))
    return out


def good(**overrides: str) -> dict[str, str]:
    """The good row with some cells replaced (an empty string empties a cell)."""
    return {**GOOD, **overrides}


@pytest.fixture
def sources(write_csv: CsvWriter) -> dict[str, Source]:
    """The sources table, loaded."""
    found, rejected = load_sources(write_csv("sources.csv", SOURCES))
    assert rejected == ()
    return found


# --- one table of invalid rows ---------------------------------------------------------------

INVALID = [
    pytest.param(
        good(id="E1", indicator="kepuasan"),
        "indicator",
        "unknown indicator (not in framework 'mini')",
        "kepuasan",
        id="unknown-indicator",
    ),
    pytest.param(
        good(id="E1", indicator="komunikasi"),
        "indicator",
        "is a dimension, not an indicator; evidence attaches to indicators",
        "komunikasi",
        id="dimension-as-indicator",
    ),
    pytest.param(
        good(id="E1", indicator="program"),
        "indicator",
        "is a root, not an indicator",
        "program",
        id="root-as-indicator",
    ),
    pytest.param(
        good(id="E1", indicator=""), "indicator", "missing value", None, id="missing-indicator"
    ),
    pytest.param(
        good(id="E1", rating="bagus"),
        "rating",
        "is not a level of scale 'empat' (levels: baik, cukup_baik, kurang_baik, tidak_baik)",
        "bagus",
        id="off-scale-rating",
    ),
    pytest.param(good(id="E0"), "id", "duplicate id (first at row 2)", "E0", id="duplicate-id"),
    pytest.param(good(id=""), "id", "missing value", None, id="missing-id"),
    pytest.param(
        good(id="E1", indicator="realisasi", rating="", value="lima puluh"),
        "value",
        "is not a number",
        "lima puluh",
        id="unparsable-value",
    ),
    pytest.param(
        good(id="E1", indicator="realisasi", rating="", value="120"),
        "value",
        "is outside scale 'persen' [0, 100]",
        "120",
        id="value-off-scale",
    ),
    pytest.param(
        good(id="E1", indicator="realisasi"),
        "rating",
        "indicator 'realisasi' is numeric (scale 'persen'): give a value",
        "baik",
        id="rating-for-numeric",
    ),
    pytest.param(
        good(id="E1", rating="", value="3"),
        "value",
        "indicator 'kejelasan' is rated on the ordinal scale 'empat': give a rating",
        "3",
        id="value-for-ordinal",
    ),
    pytest.param(
        good(id="E1", value="3"),
        "rating",
        "give a rating or a value, not both",
        "baik",
        id="rating-and-value",
    ),
    pytest.param(
        good(id="E1", rating=""),
        "rating",
        "missing value: give a rating or a value",
        None,
        id="neither-rating-nor-value",
    ),
    pytest.param(
        good(id="E1", source="warga"),
        "source",
        "unknown source (not in the sources table)",
        "warga",
        id="unknown-source",
    ),
    pytest.param(good(id="E1", source=""), "source", "missing value", None, id="missing-source"),
    pytest.param(
        good(id="E1", unit="provinsi"),
        "unit",
        "unknown unit (the case declares ['kabupaten', 'kota'])",
        "provinsi",
        id="unknown-unit",
    ),
    pytest.param(
        good(id="E1", date="14/02/24"),
        "date",
        "a two-digit year is ambiguous",
        "14/02/24",
        id="ambiguous-date",
    ),
    pytest.param(
        good(id="E1", date="2024-02-30"),
        "date",
        "day 30 does not exist in 2024-02",
        "2024-02-30",
        id="impossible-date",
    ),
    pytest.param(good(id="E1", weight="0"), "weight", "must be > 0", "0", id="zero-weight"),
    pytest.param(
        good(id="E1", weight="-0.5"), "weight", "must be > 0", "-0.5", id="negative-weight"
    ),
    pytest.param(
        good(id="E1", weight="berat"), "weight", "is not a number", "berat", id="unparsable-weight"
    ),
    pytest.param(
        {**good(id="E1"), "__extra__": ["", "sisa"]},
        "row",
        "more cells than the header has columns",
        "sisa",
        id="more-cells-than-header",
    ),
]


@pytest.mark.parametrize(("record", "column", "fragment", "value"), INVALID)
def test_each_invalid_row_is_reported_with_file_row_and_column(
    write_csv: CsvWriter,
    mini_framework: Framework,
    sources: dict[str, Source],
    record: dict[str, str],
    column: str,
    fragment: str,
    value: str | None,
) -> None:
    """Strict loading refuses the bad row with its file, row 3, column, message and value."""
    path = write_csv("evidence.csv", rows_of([GOOD, record]))
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, mini_framework, sources=sources, units=UNITS)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.key) == (str(path), 3, column)
    assert fragment in problem.message
    assert problem.has_value is (value is not None)
    if value is not None:
        assert problem.value == value
    assert str(problem).startswith(f"{path}: row 3: {column}: ")


def test_strict_mode_lists_every_bad_row_in_one_error(
    write_csv: CsvWriter, mini_framework: Framework, sources: dict[str, Source]
) -> None:
    """With every invalid row of the table in one file, one error lists each, in row order."""
    records = []
    for number, param in enumerate(INVALID, start=3):
        record = dict(param.values[0])
        if record["id"] == "E1":
            record["id"] = f"E{number}"
        records.append(record)
    path = write_csv("evidence.csv", rows_of([GOOD, *records]))
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, mini_framework, sources=sources, units=UNITS)
    problems = caught.value.problems
    assert [(p.row, p.key) for p in problems] == [
        (number, param.values[1]) for number, param in enumerate(INVALID, start=3)
    ]
    assert all(p.file == str(path) for p in problems)
    assert all(param.values[2] in p.message for p, param in zip(problems, INVALID, strict=True))
    assert str(caught.value).startswith(f"{len(INVALID)} problems:\n  - {path}: row 3: indicator: ")


def test_strict_mode_lists_several_problems_of_one_row(
    write_csv: CsvWriter, mini_framework: Framework, sources: dict[str, Source]
) -> None:
    """A row with an unknown source, a bad date and a zero weight yields all three problems."""
    path = write_csv("evidence.csv", rows_of([good(source="warga", date="kemarin", weight="0")]))
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, mini_framework, sources=sources, units=UNITS)
    assert [(p.row, p.key) for p in caught.value.problems] == [
        (2, "source"),
        (2, "date"),
        (2, "weight"),
    ]


@pytest.mark.parametrize(
    ("header", "column", "fragment"),
    [
        (tuple(c for c in HEADER if c != "id"), "id", "missing required column"),
        (tuple(c for c in HEADER if c != "indicator"), "indicator", "missing required column"),
        (tuple(c for c in HEADER if c != "source"), "source", "missing required column"),
        (tuple(c for c in HEADER if c != "technique"), "technique", "missing required column"),
        (
            tuple(c for c in HEADER if c not in ("rating", "value")),
            "rating",
            "missing required column: give 'rating' or 'value'",
        ),
        (
            tuple(c for c in HEADER if c != "unit"),
            "unit",
            "missing column 'unit', and no default unit was given",
        ),
    ],
    ids=["id", "indicator", "source", "technique", "rating-or-value", "unit"],
)
@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
def test_a_missing_required_column_is_an_error_even_when_lenient(
    write_csv: CsvWriter,
    mini_framework: Framework,
    header: tuple[str, ...],
    column: str,
    fragment: str,
    lenient: bool,
) -> None:
    """A table without a required column cannot be read at all: the error names row 1 and the column."""
    path = write_csv("evidence.csv", rows_of([GOOD], header=header))
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, mini_framework, lenient=lenient)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.key) == (str(path), 1, column)
    assert problem.message == fragment


def test_every_missing_column_is_listed(write_csv: CsvWriter, mini_framework: Framework) -> None:
    """A header missing several required columns lists each of them."""
    path = write_csv("evidence.csv", [["excerpt"], ["Informasi jelas"]])
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, mini_framework)
    assert [p.key for p in caught.value.problems] == [
        "id",
        "indicator",
        "source",
        "technique",
        "rating",
        "unit",
    ]


# --- lenient mode --------------------------------------------------------------------------


def test_lenient_mode_keeps_good_rows_and_reports_each_rejected_row(
    write_csv: CsvWriter, mini_framework: Framework, sources: dict[str, Source]
) -> None:
    """Good rows become items in file order; each bad row is one rejection with its reason."""
    path = write_csv(
        "evidence.csv",
        rows_of(
            [
                GOOD,
                good(id="E1", rating="bagus"),
                good(id="E2", indicator="konsistensi", rating="Kurang baik"),
                good(id="E3", source="warga", weight="0"),
                good(id="E2"),
            ]
        ),
    )
    found = load_evidence(path, mini_framework, sources=sources, units=UNITS, lenient=True)
    assert [(item.id, item.rating, item.origin) for item in found.items] == [
        ("E0", "baik", Origin(str(path), 2)),
        ("E2", "kurang_baik", Origin(str(path), 4)),
    ]
    assert [r.as_dict() for r in found.rejected] == [
        {
            "file": str(path),
            "row": 3,
            "id": "E1",
            "column": "rating",
            "reason": "rating: is not a level of scale 'empat' "
            "(levels: baik, cukup_baik, kurang_baik, tidak_baik) (got 'bagus')",
        },
        {
            "file": str(path),
            "row": 5,
            "id": "E3",
            "column": "source",
            "reason": "source: unknown source (not in the sources table) (got 'warga'); "
            "weight: must be > 0 (got '0')",
        },
        {
            "file": str(path),
            "row": 6,
            "id": "E2",
            "column": "id",
            "reason": "id: duplicate id (first at row 4) (got 'E2')",
        },
    ]


def test_a_rejection_without_a_column_leaves_it_out_of_its_dict() -> None:
    """``Rejection.as_dict`` omits ``column`` when the reason concerns no single column."""
    rejection = Rejection(file="e.csv", row=4, id=None, reason="broken")
    assert rejection.as_dict() == {"file": "e.csv", "row": 4, "id": None, "reason": "broken"}


FRAMEWORK = make_framework()
GOOD_KINDS = ("rating", "label", "value")
BAD_KINDS = ("indicator", "rating", "value", "both", "neither", "weight", "date", "no_id", "dup")


def _generated_record(index: int, kind: str, bad: bool) -> dict[str, str]:
    """A row of the given kind; good rows are unique, bad rows fail for the named reason."""
    row_id = f"G{index}"
    if not bad:
        return {
            "rating": good(id=row_id, rating="cukup_baik"),
            "label": good(id=row_id, rating="Fair"),
            "value": good(id=row_id, indicator="realisasi", rating="", value="58.4"),
        }[kind]
    return {
        "indicator": good(id=row_id, indicator="nope"),
        "rating": good(id=row_id, rating="lumayan"),
        "value": good(id=row_id, indicator="realisasi", rating="", value="x"),
        "both": good(id=row_id, value="1"),
        "neither": good(id=row_id, rating=""),
        "weight": good(id=row_id, weight="-1"),
        "date": good(id=row_id, date="2024-13-01"),
        "no_id": good(id=""),
        "dup": good(id="G0"),
    }[kind]


@settings(max_examples=50, deadline=None)
@given(
    plan=st.lists(
        st.one_of(
            st.tuples(st.just(False), st.sampled_from(GOOD_KINDS)),
            st.tuples(st.just(True), st.sampled_from(BAD_KINDS)),
            st.tuples(st.none(), st.none()),
        ),
        max_size=12,
    )
)
def test_every_data_row_is_either_an_item_or_a_rejection(
    plan: list[tuple[bool | None, str | None]],
) -> None:
    """Lenient loading accounts for every non-blank row exactly once, with its row number and id."""
    records = [good(id="G0")]
    for index, (bad, kind) in enumerate(plan, start=1):
        records.append({} if kind is None else _generated_record(index, kind, bool(bad)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "evidence.csv"
        path.write_text(csv_text(rows_of(records)), encoding="utf-8")
        found = load_evidence(path, FRAMEWORK, lenient=True)
    data_rows = [
        (number, record.get("id") or None)
        for number, record in enumerate(records, start=2)
        if record
    ]
    assert len(found.items) + len(found.rejected) == len(data_rows)
    accounted = sorted(
        [(item.origin.row, item.id) for item in found.items if item.origin is not None]
        + [(rejection.row, rejection.id) for rejection in found.rejected]
    )
    assert accounted == data_rows
    planned_good = [2] + [number for number, (bad, _) in enumerate(plan, start=3) if bad is False]
    assert [item.origin.row for item in found.items if item.origin is not None] == planned_good
    assert all(r.file == str(path) and r.reason for r in found.rejected)


# --- what good rows become -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("cukup_baik", "cukup_baik"),
        ("Cukup baik", "cukup_baik"),
        ("Fair", "cukup_baik"),
        ("cukup-baik", "cukup_baik"),
        ("  CUKUP BAIK ", "cukup_baik"),
        ("Good", "baik"),
        ("tidak baik", "tidak_baik"),
        ("Poor", "kurang_baik"),
    ],
)
def test_ratings_in_either_language_map_to_level_ids(
    write_csv: CsvWriter, mini_framework: Framework, written: str, level: str
) -> None:
    """A rating given as a level id or a label in Indonesian or English becomes the level id."""
    path = write_csv("evidence.csv", rows_of([good(rating=written)]))
    (item,) = load_evidence(path, mini_framework).items
    assert item.rating == level
    assert item.value is None


def test_a_good_row_becomes_a_complete_evidence_item(
    write_csv: CsvWriter, mini_framework: Framework
) -> None:
    """Every column lands in its field, with the date parsed and the weight a float."""
    path = write_csv(
        "evidence.csv",
        rows_of([good(weight="2,5", citation="Wawancara 3")], header=(*HEADER, "citation")),
        delimiter=";",
    )
    (item,) = load_evidence(path, mini_framework).items
    assert item == Evidence(
        id="E0",
        unit="kota",
        indicator="kejelasan",
        rating="baik",
        source="komisioner",
        source_category="penyelenggara",
        technique="interview",
        date=datetime.date(2024, 2, 14),
        investigator="ana",
        weight=2.5,
        excerpt="Informasi jelas",
        citation="Wawancara 3",
    )
    assert item.origin == Origin(str(path), 2)


def test_numeric_values_read_with_a_decimal_comma_in_semicolon_files(
    write_csv: CsvWriter, mini_framework: Framework
) -> None:
    """``58,4`` in a semicolon file is the value 58.4 for a numeric indicator."""
    path = write_csv(
        "evidence.csv",
        rows_of([good(indicator="realisasi", rating="", value="58,4")]),
        delimiter=";",
    )
    (item,) = load_evidence(path, mini_framework).items
    assert (item.rating, item.value) == (None, 58.4)


def test_optional_cells_default_sensibly(write_csv: CsvWriter, mini_framework: Framework) -> None:
    """Without date, investigator, weight, category or excerpt the item has None and weight 1."""
    header = ("id", "indicator", "rating", "source", "technique")
    path = write_csv("evidence.csv", rows_of([GOOD], header=header))
    (item,) = load_evidence(path, mini_framework, default_unit="kota").items
    assert (item.unit, item.date, item.investigator, item.weight) == ("kota", None, None, 1.0)
    assert (item.source_category, item.excerpt, item.extra) == (None, None, {})
    assert item.category == "komisioner"


def test_the_default_unit_fills_only_empty_unit_cells(
    write_csv: CsvWriter, mini_framework: Framework
) -> None:
    """Rows naming a unit keep it; rows leaving it empty get the default unit."""
    path = write_csv("evidence.csv", rows_of([GOOD, good(id="E1", unit="")]))
    found = load_evidence(path, mini_framework, default_unit="kabupaten")
    assert [item.unit for item in found.items] == ["kota", "kabupaten"]
    assert found.units == ("kabupaten", "kota")


def test_an_empty_unit_without_a_default_is_rejected(
    write_csv: CsvWriter, mini_framework: Framework
) -> None:
    """With a unit column but no default, a row with an empty unit is a located problem."""
    path = write_csv("evidence.csv", rows_of([good(unit="")]))
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, mini_framework)
    (problem,) = caught.value.problems
    assert (problem.row, problem.key, problem.message) == (
        2,
        "unit",
        "missing value, and no default unit",
    )


def test_category_and_technique_come_from_sources_when_the_row_leaves_them_empty(
    write_csv: CsvWriter, mini_framework: Framework, sources: dict[str, Source]
) -> None:
    """Empty ``source_category``/``technique`` cells take the source's; filled cells win."""
    path = write_csv(
        "evidence.csv",
        rows_of(
            [
                good(id="E1", source="laporan", source_category="", technique=""),
                good(id="E2", source="staf", source_category="", technique="observation"),
                good(id="E3", source="komisioner", source_category="ketua", technique=""),
            ]
        ),
    )
    found = load_evidence(path, mini_framework, sources=sources)
    assert [(i.id, i.source_category, i.technique) for i in found.items] == [
        ("E1", "dokumen_resmi", "documentation"),
        ("E2", "pelaksana", "observation"),
        ("E3", "ketua", "interview"),
    ]
    assert found.sources == sources


def test_the_technique_column_may_be_left_out_when_every_source_gives_one(
    write_csv: CsvWriter, mini_framework: Framework, sources: dict[str, Source]
) -> None:
    """A table without ``technique`` loads when the sources table names each source's technique."""
    header = ("id", "unit", "indicator", "rating", "source")
    path = write_csv("evidence.csv", rows_of([good(source="laporan")], header=header))
    (item,) = load_evidence(path, mini_framework, sources=sources).items
    assert (item.technique, item.source_category) == ("documentation", "dokumen_resmi")


def test_a_source_without_technique_needs_the_row_to_give_it(
    write_csv: CsvWriter, mini_framework: Framework
) -> None:
    """When the source gives no technique and the row neither, the row is rejected on ``technique``."""
    sources_path = write_csv("sources.csv", [["id", "category"], ["warga", "masyarakat"]])
    known, _ = load_sources(sources_path)
    path = write_csv("evidence.csv", rows_of([good(source="warga", technique="")]))
    found = load_evidence(path, mini_framework, sources=known, lenient=True)
    assert found.items == ()
    (rejection,) = found.rejected
    assert rejection.column == "technique"
    assert "the sources table gives none for this source" in rejection.reason


def test_extra_columns_are_kept_in_extra(write_csv: CsvWriter, mini_framework: Framework) -> None:
    """Columns outside the core set are kept (stripped, empty ones left out) in ``Evidence.extra``."""
    header = (*HEADER, "limitations", "relevance", "excerpt_en")
    path = write_csv(
        "evidence.csv",
        rows_of(
            [
                good(limitations=" minor ", relevance="direct", excerpt_en="Clear information"),
                good(id="E1", limitations="none"),
            ],
            header=header,
        ),
    )
    first, second = load_evidence(path, mini_framework).items
    assert first.extra == {
        "excerpt_en": "Clear information",
        "limitations": "minor",
        "relevance": "direct",
    }
    assert second.extra == {"limitations": "none"}


def test_evidence_reads_from_xlsx_with_date_and_number_cells(
    write_xlsx: XlsxWriter, mini_framework: Framework
) -> None:
    """An XLSX evidence sheet with real date and number cells loads like the CSV."""
    header = ["id", "unit", "indicator", "rating", "value", "source", "technique", "date", "weight"]
    path = write_xlsx(
        "evidence.xlsx",
        [
            header,
            [
                "E1",
                "kota",
                "realisasi",
                None,
                58.4,
                "laporan",
                "documentation",
                datetime.date(2024, 3, 1),
                2,
            ],
            [
                "E2",
                "kota",
                "kejelasan",
                "Good",
                None,
                "staf",
                "interview",
                datetime.datetime(2024, 3, 2),
                0.5,
            ],
        ],
    )
    found = load_evidence(path, mini_framework)
    assert [(i.id, i.rating, i.value, i.date, i.weight) for i in found.items] == [
        ("E1", None, 58.4, datetime.date(2024, 3, 1), 2.0),
        ("E2", "baik", None, datetime.date(2024, 3, 2), 0.5),
    ]
    assert found.items[1].origin == Origin(str(path), 3)


def test_table_errors_pass_through_load_evidence(tmp_path: Path, mini_framework: Framework) -> None:
    """A missing evidence file is an ``EvidenceError`` naming it."""
    with pytest.raises(EvidenceError, match="file not found"):
        load_evidence(tmp_path / "missing.csv", mini_framework)


def test_evidence_from_rows_validates_an_already_read_table(
    write_csv: CsvWriter, mini_framework: Framework
) -> None:
    """``evidence_from_rows`` gives the same result as ``load_evidence`` on a read table."""
    path = write_csv("evidence.csv", rows_of([GOOD, good(id="E1", rating="x")]))
    from_table = evidence_from_rows(read_table(path), mini_framework, lenient=True)
    assert from_table == load_evidence(path, mini_framework, lenient=True)
    assert [i.id for i in from_table.items] == ["E0"]


def test_evidence_set_helpers_select_and_extend(
    write_csv: CsvWriter, mini_framework: Framework
) -> None:
    """``for_indicator`` filters by unit and indicator in file order; ``plus`` appends."""
    path = write_csv(
        "evidence.csv",
        rows_of(
            [
                GOOD,
                good(id="E1", unit="kabupaten"),
                good(id="E2", indicator="kompetensi"),
                good(id="E3", rating="Poor"),
            ]
        ),
    )
    found = load_evidence(path, mini_framework)
    assert [i.id for i in found.for_indicator("kota", "kejelasan")] == ["E0", "E3"]
    assert sorted(found.by_id()) == ["E0", "E1", "E2", "E3"]
    extra = Evidence(id="D1", indicator="kompetensi", source="s", technique="t", rating="baik")
    bigger = found.plus([extra], [Rejection(file=None, row=None, id="X", reason="r")])
    assert [i.id for i in bigger.items] == ["E0", "E1", "E2", "E3", "D1"]
    assert len(bigger.rejected) == 1
    assert found.rejected == ()
    assert EvidenceSet().units == ()


# --- sources -------------------------------------------------------------------------------


def test_load_sources_reads_every_field_and_keeps_extra_columns(write_csv: CsvWriter) -> None:
    """Each source keeps its fields, its extra columns, and the row it came from."""
    path = write_csv(
        "sources.csv",
        [
            ["ID", "Name", "Category", "Technique", "Description", "Citation", "Tahun"],
            ["komisioner", "Komisioner KPU", "penyelenggara", "interview", "Ketua", "W1", " 2024 "],
            ["laporan", "", "", "", "", "", ""],
        ],
    )
    with pytest.warns(PolicyEvalWarning, match="tahun: unknown column, kept as extra information"):
        found, rejected = load_sources(path)
    assert rejected == ()
    assert list(found) == ["komisioner", "laporan"]
    assert found["komisioner"] == Source(
        id="komisioner",
        name="Komisioner KPU",
        category="penyelenggara",
        technique="interview",
        description="Ketua",
        citation="W1",
        extra={"tahun": "2024"},
    )
    assert found["komisioner"].origin == Origin(str(path), 2)
    assert found["laporan"] == Source(id="laporan")


def test_load_sources_refuses_duplicate_ids_in_strict_mode(write_csv: CsvWriter) -> None:
    """Every repeated source id is reported with its row and the row of its first use."""
    path = write_csv(
        "sources.csv",
        [["id", "name"], ["a", "A"], ["b", "B"], ["a", "A again"], ["b", "B again"]],
    )
    with pytest.raises(EvidenceError) as caught:
        load_sources(path)
    assert [(p.row, p.key, p.value, p.message) for p in caught.value.problems] == [
        (4, "id", "a", "duplicate id (first at row 2)"),
        (5, "id", "b", "duplicate id (first at row 3)"),
    ]


def test_load_sources_keeps_the_first_of_duplicates_when_lenient(write_csv: CsvWriter) -> None:
    """Leniently, the first row of an id is kept and each repeat is a rejection."""
    path = write_csv(
        "sources.csv", [["id", "name"], ["a", "A"], ["", "nameless"], ["a", "A again"]]
    )
    found, rejected = load_sources(path, lenient=True)
    assert found == {"a": Source(id="a", name="A")}
    assert [(r.row, r.id, r.column, r.reason) for r in rejected] == [
        (3, None, "id", "id: missing value"),
        (4, "a", "id", "id: duplicate id (first at row 2) (got 'a')"),
    ]


def test_load_sources_needs_an_id_column(write_csv: CsvWriter) -> None:
    """A sources table without ``id`` is refused naming row 1 and the column."""
    path = write_csv("sources.csv", [["name"], ["A"]])
    with pytest.raises(EvidenceError) as caught:
        load_sources(path, lenient=True)
    assert str(caught.value) == f"{path}: row 1: id: missing required column"


def test_load_sources_reports_more_cells_than_the_header(write_csv: CsvWriter) -> None:
    """A sources row with cells beyond the header is reported, not kept as a hidden extra."""
    path = write_csv("sources.csv", [["id", "name"], ["a", "A", "stray"]])
    with pytest.raises(EvidenceError) as caught:
        load_sources(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.key, problem.value) == (2, "row", "stray")
    assert problem.message == "more cells than the header has columns"
    found, rejected = load_sources(path, lenient=True)
    assert found == {}
    assert [r.row for r in rejected] == [2]


def test_a_missing_column_names_the_real_header_row(
    write_csv: CsvWriter, mini_framework: Framework
) -> None:
    """With blank rows above the header, a missing column is reported at the header's own row."""
    path = write_csv("evidence.csv", "\n\nid,indicator,rating,source\nE1,x,baik,s\n")
    with pytest.raises(EvidenceError) as caught:
        load_evidence(path, mini_framework, default_unit="u")
    assert [(p.row, p.key) for p in caught.value.problems] == [(3, "technique")]


# --- attribution ---------------------------------------------------------------------------


def test_attribution_defaults_to_stated_and_an_unknown_value_is_located(
    write_csv: CsvWriter, mini_framework: Framework, sources: dict[str, Source]
) -> None:
    """The attribution column takes 'stated' or 'inferred' (any case); another value is rejected
    with its row and column, and an empty cell means 'stated'."""
    path = write_csv(
        "evidence.csv",
        rows_of(
            [
                good(id="E1", attribution="Inferred"),
                good(id="E2", attribution=""),
                good(id="E3", attribution="guessed"),
            ],
            header=(*HEADER, "attribution"),
        ),
    )
    found = load_evidence(path, mini_framework, sources=sources, units=UNITS, lenient=True)
    assert [(item.id, item.attribution) for item in found.items] == [
        ("E1", "inferred"),
        ("E2", "stated"),
    ]
    assert [(r.row, r.column, r.reason) for r in found.rejected] == [
        (4, "attribution", "attribution: must be one of inferred, stated (got 'guessed')")
    ]
    assert "attribution" not in found.items[0].extra
