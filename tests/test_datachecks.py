"""Data checks report every inconsistency of a case's tables, with concrete numbers and rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import CsvWriter
from policyeval.datachecks import (
    CHECK_KINDS,
    Check,
    CheckResult,
    Finding,
    parse_checks,
    run_checks,
)
from policyeval.exceptions import DataCheckError

BUDGET = [
    ["line", "level", "allocation", "realisation", "start", "end"],
    ["total", "total", "1000", "900", "2024-01-01", "2024-12-31"],
    ["A", "item", "600", "650", "2024-01-01", "2024-06-30"],
    ["B", "item", "300", "200", "2024-03-01", "2024-02-01"],
    ["C", "item", "50", "", "2024-05-01", ""],
]
EVENTS = [
    ["event", "type", "participants", "date"],
    ["E1", "sosialisasi", "40", "2024-01-10"],
    ["E2", "sosialisasi", "25", "2024-02-10"],
    ["E3", "bimtek", "12", "2024-03-10"],
    ["E4", "sosialisasi", "", "2024-04-10"],
]


@pytest.fixture
def folder(write_csv: CsvWriter, tmp_path: Path) -> Path:
    """A case folder with ``data/budget.csv`` and ``data/events.csv``."""
    write_csv("data/budget.csv", BUDGET)
    write_csv("data/events.csv", EVENTS)
    return tmp_path


def run_one(folder: Path, **entry: Any) -> CheckResult:
    """Parse and run a single check entry (id ``c``) against the case folder."""
    (result,) = run_checks(parse_checks([{"id": "c", **entry}], file="case.toml"), base=folder)
    return result


def messages(result: CheckResult) -> list[tuple[int | None, str]]:
    """The (row, message) of each finding of a result."""
    return [(finding.row, finding.message) for finding in result.findings]


BUDGET_FILE = "data/budget.csv"
EVENTS_FILE = "data/events.csv"


# --- complete ------------------------------------------------------------------------------


def test_complete_passes_when_every_row_has_the_columns(folder: Path) -> None:
    """Every budget row has a line and an allocation, so the check passes with no findings."""
    result = run_one(folder, kind="complete", table=BUDGET_FILE, columns=["line", "Allocation"])
    assert result.passed
    assert result.findings == ()
    assert result.tables == (BUDGET_FILE,)  # relative to the case folder


def test_complete_reports_each_empty_cell_with_its_row(folder: Path) -> None:
    """Row 5 lacks realisation and end: one finding for each."""
    result = run_one(folder, kind="complete", table=BUDGET_FILE, columns=["realisation", "end"])
    assert not result.passed
    assert messages(result) == [(5, "realisation has no value"), (5, "end has no value")]
    assert result.findings[0].file == BUDGET_FILE
    assert result.findings[0].values == {"realisation": None}


# --- not_greater ---------------------------------------------------------------------------


def test_not_greater_reports_the_excess_with_both_figures(folder: Path) -> None:
    """Realisation 650 above allocation 600 on row 3 is reported with an excess of 50."""
    result = run_one(
        folder, kind="not_greater", table=BUDGET_FILE, left="realisation", right="allocation"
    )
    assert messages(result) == [(3, "realisation 650 is greater than allocation 600")]
    assert result.findings[0].values == {"realisation": 650.0, "allocation": 600.0, "excess": 50.0}


def test_not_greater_passes_when_left_never_exceeds_right(folder: Path) -> None:
    """On the total row realisation 900 does not exceed allocation 1000, so the filtered check passes."""
    result = run_one(
        folder,
        kind="not_greater",
        table=BUDGET_FILE,
        left="realisation",
        right="allocation",
        where={"level": "total"},
    )
    assert result.passed


def test_not_greater_skips_empty_cells_and_reports_text(
    write_csv: CsvWriter, tmp_path: Path
) -> None:
    """An empty cell is not compared; a cell that is not a number is a finding of its own."""
    write_csv("t.csv", [["a", "b"], ["1", ""], ["satu", "2"], ["3,5", "3"]])
    result = run_one(tmp_path, kind="not_greater", table="t.csv", left="a", right="b")
    assert messages(result) == [
        (3, "a is not a number: 'satu'"),
        (
            4,
            "a is not a number: '3,5'; a decimal comma is read only in files delimited by ';' "
            "(write 3.5 with a decimal point, or save the file with ';' between columns)",
        ),
    ]


def test_not_greater_reads_decimal_commas_in_semicolon_files(
    write_csv: CsvWriter, tmp_path: Path
) -> None:
    """In a semicolon file 58,4 is compared as 58.4 and reported in the same form."""
    write_csv("t.csv", "a;b\n58,4;58\n")
    result = run_one(tmp_path, kind="not_greater", table="t.csv", left="a", right="b")
    assert messages(result) == [(2, "a 58.4 is greater than b 58")]


# --- sum -----------------------------------------------------------------------------------


def test_sum_reports_parts_total_and_difference(folder: Path) -> None:
    """Item allocations 950 against a total of 1000 differ by -50, found on the total's row."""
    result = run_one(
        folder,
        kind="sum",
        table=BUDGET_FILE,
        total={"level": "total"},
        parts={"level": "item"},
        column="allocation",
    )
    assert messages(result) == [
        (2, "allocation: parts add up to 950, the total says 1000 (difference -50)")
    ]
    assert result.findings[0].values == {
        "column": "allocation",
        "parts": 950.0,
        "total": 1000.0,
        "difference": -50.0,
    }


def test_sum_names_the_part_rows_without_a_figure(folder: Path) -> None:
    """Realisation parts add to 850 against 900, and row 5 is named as having no figure."""
    result = run_one(
        folder,
        kind="sum",
        table=BUDGET_FILE,
        total={"level": "total"},
        parts={"level": "item"},
        columns=["realisation"],
    )
    assert messages(result) == [
        (
            2,
            "realisation: parts add up to 850, the total says 900 (difference -50) "
            "(1 part row(s) without a figure: rows [5])",
        )
    ]


def test_sum_checks_each_listed_column(folder: Path) -> None:
    """With two columns, each gets its own comparison."""
    result = run_one(
        folder,
        kind="sum",
        table=BUDGET_FILE,
        total={"level": "total"},
        parts={"level": "item"},
        columns=["allocation", "realisation"],
    )
    assert [f.values["column"] for f in result.findings] == ["allocation", "realisation"]


def test_sum_passes_within_the_tolerance(folder: Path) -> None:
    """A difference of 50 passes with tolerance 50 and fails with tolerance 49.9."""
    entry = {
        "kind": "sum",
        "table": BUDGET_FILE,
        "total": {"level": "total"},
        "parts": {"level": "item"},
        "column": "allocation",
    }
    assert run_one(folder, **entry, tolerance=50).passed
    assert not run_one(folder, **entry, tolerance=49.9).passed


def test_sum_passes_when_the_parts_add_up(write_csv: CsvWriter, tmp_path: Path) -> None:
    """0.1 + 0.2 parts against a 0.3 total pass despite floating-point rounding."""
    write_csv("t.csv", [["kind", "x"], ["total", "0.3"], ["part", "0.1"], ["part", "0.2"]])
    result = run_one(
        tmp_path,
        kind="sum",
        table="t.csv",
        total={"kind": "total"},
        parts={"kind": "part"},
        column="x",
    )
    assert result.passed


def test_sum_without_a_total_row_says_so(folder: Path) -> None:
    """When no row matches ``total`` the check fails naming the filter."""
    result = run_one(
        folder,
        kind="sum",
        table=BUDGET_FILE,
        total={"level": "grand"},
        parts={"level": "item"},
        column="allocation",
    )
    assert messages(result) == [(None, "no row matches total={'level': 'grand'}")]


def test_sum_with_empty_parts_filter_sums_the_other_rows(folder: Path) -> None:
    """``parts = {}`` means every row except the total rows: 950 against 1000."""
    result = run_one(
        folder,
        kind="sum",
        table=BUDGET_FILE,
        total={"level": "total"},
        parts={},
        column="allocation",
    )
    assert messages(result) == [
        (2, "allocation: parts add up to 950, the total says 1000 (difference -50)")
    ]


# --- equals --------------------------------------------------------------------------------


def test_equals_compares_a_table_sum_with_a_value(folder: Path) -> None:
    """The total row's allocation is 1000: equal to 1000 passes, to 999 fails with both figures."""
    left = {"table": BUDGET_FILE, "column": "allocation", "where": {"level": "total"}}
    assert run_one(folder, kind="equals", left=left, right={"value": 1000}).passed
    result = run_one(folder, kind="equals", left=left, right={"value": 999})
    assert messages(result) == [
        (None, "sum(allocation) of budget.csv where {'level': 'total'} = 1000, but 999 = 999")
    ]
    assert result.findings[0].values == {"left": 1000.0, "right": 999.0}
    assert result.findings[0].file == BUDGET_FILE


def test_equals_compares_two_tables(folder: Path) -> None:
    """Sum of item allocations (950) against the max of participants (40) across two tables."""
    result = run_one(
        folder,
        kind="equals",
        left={"table": BUDGET_FILE, "column": "allocation", "where": {"level": "item"}},
        right={"table": EVENTS_FILE, "column": "participants", "agg": "max"},
    )
    assert messages(result) == [
        (
            None,
            "sum(allocation) of budget.csv where {'level': 'item'} = 950, "
            "but max(participants) of events.csv = 40",
        )
    ]
    assert result.tables == (BUDGET_FILE, EVENTS_FILE)


def test_equals_counts_rows(folder: Path) -> None:
    """Three ``sosialisasi`` events: a count of 3 passes, a claim of 4 fails."""
    left = {"table": EVENTS_FILE, "agg": "count", "where": {"type": "sosialisasi"}}
    assert run_one(folder, kind="equals", left=left, right={"value": 3}).passed
    result = run_one(folder, kind="equals", left=left, right={"value": 4})
    assert messages(result) == [
        (None, "count of events.csv where {'type': 'sosialisasi'} = 3, but 4 = 4")
    ]


def test_equals_min_and_tolerance(folder: Path) -> None:
    """The smallest participant count is 12; 12.5 is within tolerance 0.5, 13 is not."""
    left = {"table": EVENTS_FILE, "column": "participants", "agg": "min"}
    assert run_one(folder, kind="equals", left=left, right={"value": 12.5}, tolerance=0.5).passed
    assert not run_one(folder, kind="equals", left=left, right={"value": 13}, tolerance=0.5).passed


def test_equals_without_any_figure_fails(folder: Path) -> None:
    """A sum over rows with no figure is ``no figure``, which never equals a value."""
    result = run_one(
        folder,
        kind="equals",
        left={"table": EVENTS_FILE, "column": "participants", "where": {"event": "E4"}},
        right={"value": 0},
    )
    assert messages(result) == [
        (None, "sum(participants) of events.csv where {'event': 'E4'} = no figure, but 0 = 0")
    ]


# --- date_order ----------------------------------------------------------------------------


def test_date_order_reports_reversed_missing_and_malformed_dates(
    write_csv: CsvWriter, tmp_path: Path
) -> None:
    """A start after its end, an empty end and an unreadable date are each reported on their row;
    a day-first date is read."""
    write_csv(
        "t.csv",
        [
            ["start", "end"],
            ["2024-01-01", "2024-01-01"],
            ["2024-03-01", "2024-02-01"],
            ["2024-05-01", ""],
            ["01/05/2024", "2024-06-01"],
            ["01/05/24", "2024-06-01"],
        ],
    )
    result = run_one(tmp_path, kind="date_order", table="t.csv", start="start", end="end")
    assert messages(result) == [
        (3, "start 2024-03-01 is after end 2024-02-01"),
        (4, "end has no value"),
        (
            6,
            "start is not a date: '01/05/24': a two-digit year is ambiguous: write the year in "
            "full, e.g. 01/05/2024 or 2024-08-17",
        ),
    ]
    assert result.findings[0].values == {"start": "2024-03-01", "end": "2024-02-01"}


def test_date_order_passes_on_ordered_dates(write_csv: CsvWriter, tmp_path: Path) -> None:
    """Equal and increasing dates pass."""
    write_csv("t.csv", [["from", "to"], ["2024-01-01", "2024-01-01"], ["2024-01-01", "2025-01-01"]])
    assert run_one(tmp_path, kind="date_order", table="t.csv", start="from", end="to").passed


# --- unique --------------------------------------------------------------------------------


def test_unique_reports_each_repeat_with_the_first_row(
    write_csv: CsvWriter, tmp_path: Path
) -> None:
    """Rows 4 and 5 repeat row 2's key; each repeat names the row it repeats."""
    write_csv(
        "t.csv",
        [
            ["kode", "tahun"],
            ["A", "2024"],
            ["B", "2024"],
            ["A", "2024"],
            ["A", "2024"],
            ["A", "2023"],
        ],
    )
    result = run_one(tmp_path, kind="unique", table="t.csv", columns=["kode", "tahun"])
    assert messages(result) == [
        (4, "duplicate kode, tahun ['A', '2024'] (first at row 2)"),
        (5, "duplicate kode, tahun ['A', '2024'] (first at row 2)"),
    ]
    assert run_one(tmp_path, kind="unique", table="t.csv", columns=["kode"]).findings[0].row == 4


def test_unique_passes_on_distinct_keys(folder: Path) -> None:
    """The budget lines are distinct."""
    assert run_one(folder, kind="unique", table=BUDGET_FILE, columns=["line"]).passed


# --- range ---------------------------------------------------------------------------------


def test_range_reports_values_outside_the_bounds(folder: Path) -> None:
    """Allocations 1000 and 50 fall outside [100, 700]; 600 and 300 are inside."""
    result = run_one(folder, kind="range", table=BUDGET_FILE, column="allocation", min=100, max=700)
    assert messages(result) == [
        (2, "allocation 1000 is outside [100, 700]"),
        (5, "allocation 50 is outside [100, 700]"),
    ]
    assert result.findings[0].values == {"allocation": 1000.0}


def test_range_with_one_bound_and_a_filter(folder: Path) -> None:
    """Only a maximum, over item rows: realisation 650 is above 600; the empty cell is skipped."""
    result = run_one(
        folder,
        kind="range",
        table=BUDGET_FILE,
        column="realisation",
        max=600,
        where={"level": "item"},
    )
    assert messages(result) == [(3, "realisation 650 is outside [-inf, 600]")]
    assert run_one(folder, kind="range", table=BUDGET_FILE, column="allocation", min=0).passed


# --- results -------------------------------------------------------------------------------


def test_results_keep_order_and_serialise(folder: Path) -> None:
    """Results come back in declaration order and their dicts carry id, kind, why and findings."""
    checks = parse_checks(
        [
            {
                "kind": "unique",
                "table": BUDGET_FILE,
                "columns": ["line"],
                "why": "one row per line",
            },
            {"id": "complete", "kind": "complete", "table": BUDGET_FILE, "columns": ["end"]},
        ]
    )
    first, second = run_checks(checks, base=folder)
    assert first.as_dict() == {
        "id": "unique-1",
        "kind": "unique",
        "passed": True,
        "why": "one row per line",
        "tables": [BUDGET_FILE],
        "findings": [],
    }
    assert second.as_dict()["findings"] == [
        {
            "message": "end has no value",
            "file": BUDGET_FILE,
            "row": 5,
            "values": {"end": None},
        }
    ]


def test_a_finding_serialises_every_field() -> None:
    """``Finding.as_dict`` gives message, file, row and values."""
    finding = Finding(message="m", file="f.csv", row=3, values={"a": 1.0})
    assert finding.as_dict() == {"message": "m", "file": "f.csv", "row": 3, "values": {"a": 1.0}}


def test_parse_checks_keeps_parameters_and_reason() -> None:
    """A parsed check holds its id, kind, the remaining keys as parameters, and its reason."""
    (check,) = parse_checks(
        [
            {
                "id": "le",
                "kind": "not_greater",
                "table": "t.csv",
                "left": "a",
                "right": "b",
                "why": "w",
            }
        ]
    )
    assert check == Check("le", "not_greater", {"table": "t.csv", "left": "a", "right": "b"}, "w")
    assert CHECK_KINDS == (
        "at_least",
        "complete",
        "date_order",
        "equals",
        "not_greater",
        "range",
        "sum",
        "unique",
    )


# --- specification errors ------------------------------------------------------------------

INVALID_SPECS = [
    pytest.param(
        {"kind": "average", "table": "t.csv"},
        "checks[0].kind",
        "unknown check kind; kinds are at_least, complete, date_order, equals, not_greater, range, sum, unique",
        id="unknown-kind",
    ),
    pytest.param({"table": "t.csv"}, "checks[0].kind", "unknown check kind", id="no-kind"),
    pytest.param(
        {"kind": "complete", "table": "t.csv"},
        "checks[0].columns",
        "a 'complete' check needs 'columns'",
        id="missing-key",
    ),
    pytest.param(
        {"kind": "range", "table": "t.csv", "column": "x", "maximum": 3},
        "checks[0].maximum",
        "unknown key for a 'range' check",
        id="unknown-key",
    ),
    pytest.param(
        {"kind": "sum", "table": "t.csv", "total": {}, "parts": {}},
        "checks[0].column",
        "a 'sum' check needs 'column' or 'columns'",
        id="sum-without-column",
    ),
    pytest.param("complete", "checks[0]", "must be a table", id="not-a-table"),
    pytest.param(
        {"kind": "equals", "left": {"column": "x"}, "right": {"value": 1}},
        "checks[0].left",
        "needs 'value', or 'table' and 'column'",
        id="equals-side-without-table",
    ),
    pytest.param(
        {"kind": "equals", "left": 5, "right": {"value": 1}},
        "checks[0].left",
        "must be a table",
        id="equals-side-not-a-table",
    ),
    pytest.param(
        {
            "kind": "equals",
            "left": {"table": "t.csv", "column": "x", "agg": "mean"},
            "right": {"value": 1},
        },
        "checks[0].left.agg",
        "agg must be sum, count, min or max",
        id="equals-unknown-agg",
    ),
    pytest.param(
        {
            "kind": "equals",
            "left": {"table": "t.csv", "agg": "count", "colour": 1},
            "right": {"value": 1},
        },
        "checks[0].left.colour",
        "unknown key",
        id="equals-side-unknown-key",
    ),
    pytest.param(
        {"kind": "unique", "table": "t.csv", "columns": "kode"},
        "checks[0].columns",
        "must be a list of column names",
        id="columns-not-a-list",
    ),
    pytest.param(
        {"kind": "range", "table": "t.csv", "column": "x", "min": "0"},
        "checks[0].min",
        "must be a number",
        id="bound-not-a-number",
    ),
]


@pytest.mark.parametrize(("entry", "key", "fragment"), INVALID_SPECS)
def test_each_invalid_specification_is_refused_with_its_key(
    entry: Any, key: str, fragment: str
) -> None:
    """An invalid ``[[checks]]`` entry raises ``DataCheckError`` naming the file and key path."""
    with pytest.raises(DataCheckError) as caught:
        parse_checks([entry], file="case.toml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.key) == ("case.toml", key)
    assert fragment in problem.message


def test_every_specification_problem_is_listed_at_once() -> None:
    """Problems across entries, including a duplicate id, come in one error, in entry order."""
    entries = [
        {"id": "a", "kind": "complete", "table": "t.csv", "columns": ["x"]},
        {"id": "b", "kind": "mystery"},
        {"id": "a", "kind": "unique", "table": "t.csv", "columns": ["x"], "colour": "red"},
        {"kind": "range", "column": "x"},
    ]
    with pytest.raises(DataCheckError) as caught:
        parse_checks(entries, file="case.toml")
    assert [(p.key, p.message) for p in caught.value.problems] == [
        (
            "checks[1].kind",
            "unknown check kind; kinds are at_least, complete, date_order, equals, not_greater, range, sum, unique",
        ),
        ("checks[2].colour", "unknown key for a 'unique' check"),
        ("checks[2].id", "duplicate check id"),
        ("checks[3].table", "a 'range' check needs 'table'"),
    ]
    assert caught.value.problems[2].value == "a"
    assert str(caught.value).startswith("4 problems:\n  - case.toml: checks[1].kind: ")


def test_a_missing_table_names_the_check(folder: Path) -> None:
    """A check over a table that does not exist cannot run: the error names the check and file."""
    checks = parse_checks(
        [{"id": "anggaran", "kind": "unique", "table": "data/nope.csv", "columns": ["x"]}]
    )
    with pytest.raises(DataCheckError) as caught:
        run_checks(checks, base=folder)
    (problem,) = caught.value.problems
    assert problem.message == "check 'anggaran': file not found"
    assert problem.file == str(folder / "data" / "nope.csv")


@pytest.mark.parametrize(
    "entry",
    [
        {"kind": "complete", "table": BUDGET_FILE, "columns": ["line", "pagu"]},
        {"kind": "not_greater", "table": BUDGET_FILE, "left": "pagu", "right": "allocation"},
        {
            "kind": "sum",
            "table": BUDGET_FILE,
            "total": {"level": "total"},
            "parts": {"level": "item"},
            "column": "pagu",
        },
        {"kind": "equals", "left": {"table": BUDGET_FILE, "column": "pagu"}, "right": {"value": 1}},
        {"kind": "date_order", "table": BUDGET_FILE, "start": "start", "end": "pagu"},
        {"kind": "unique", "table": BUDGET_FILE, "columns": ["pagu"]},
        {"kind": "range", "table": BUDGET_FILE, "column": "pagu", "min": 0},
    ],
    ids=lambda entry: entry["kind"],
)
def test_a_missing_column_names_the_check_and_the_columns(
    folder: Path, entry: dict[str, Any]
) -> None:
    """Every kind refuses an unknown column, naming the check id and listing the table's columns."""
    with pytest.raises(DataCheckError) as caught:
        run_one(folder, **entry)
    (problem,) = caught.value.problems
    assert problem.message == (
        "check 'c': no column 'pagu' (columns: line, level, allocation, realisation, start, end)"
    )
    assert (problem.file, problem.row) == (str(folder / BUDGET_FILE), 1)


@pytest.mark.parametrize(
    "entry",
    [
        {
            "kind": "not_greater",
            "table": BUDGET_FILE,
            "left": "realisation",
            "right": "allocation",
            "where": {"pagu": "x"},
        },
        {
            "kind": "sum",
            "table": BUDGET_FILE,
            "total": {"pagu": "total"},
            "parts": {},
            "column": "allocation",
        },
        {
            "kind": "sum",
            "table": BUDGET_FILE,
            "total": {"level": "total"},
            "parts": {"pagu": "x"},
            "column": "allocation",
        },
        {
            "kind": "equals",
            "left": {"table": BUDGET_FILE, "agg": "count", "where": {"pagu": "x"}},
            "right": {"value": 1},
        },
        {
            "kind": "range",
            "table": BUDGET_FILE,
            "column": "allocation",
            "min": 0,
            "where": {"pagu": "x"},
        },
    ],
    ids=["not_greater", "sum-total", "sum-parts", "equals", "range"],
)
def test_a_filter_on_a_missing_column_names_the_check(folder: Path, entry: dict[str, Any]) -> None:
    """A ``where`` (or total/parts) filter on an unknown column is an error, never an empty match."""
    with pytest.raises(DataCheckError) as caught:
        run_one(folder, **entry)
    (problem,) = caught.value.problems
    assert problem.message.startswith("check 'c': no column 'pagu' (columns: line, level, ")


def test_at_least_passes_when_the_left_aggregate_reaches_the_right_and_fails_below(
    tmp_path: Path,
) -> None:
    """An at_least check compares two aggregates and reports the shortfall."""
    (tmp_path / "v.csv").write_text("scope,level\nd,baik\nd,kurang\ni,baik\n", encoding="utf-8")
    checks = parse_checks(
        [
            {
                "id": "majority",
                "kind": "at_least",
                "left": {
                    "table": "v.csv",
                    "where": {"scope": "d", "level": "baik"},
                    "agg": "count",
                },
                "right": {"value": 2},
            },
            {
                "id": "one",
                "kind": "at_least",
                "left": {"table": "v.csv", "where": {"level": "baik"}, "agg": "count"},
                "right": {"value": 2},
            },
        ]
    )
    results = {result.id: result for result in run_checks(checks, base=tmp_path)}
    assert not results["majority"].passed
    assert "= 1, less than 2 = 2" in results["majority"].findings[0].message
    assert results["one"].passed


# --- cells that are not numbers ------------------------------------------------------------

MESSY = [
    ["line", "level", "allocation"],
    ["total", "total", ""],
    ["A", "item", "6OO"],
    ["B", "item", "1,5"],
    ["C", "item", "300"],
]


@pytest.fixture
def messy(write_csv: CsvWriter, tmp_path: Path) -> Path:
    """A case folder with ``data/messy.csv``: an empty total and text where numbers belong."""
    write_csv("data/messy.csv", MESSY)
    return tmp_path


def test_sum_reports_text_cells_and_an_empty_total_row(messy: Path) -> None:
    """Each text cell is a finding on its row (with the decimal-comma hint where it applies),
    and a total row without a figure is named."""
    result = run_one(
        messy,
        kind="sum",
        table="data/messy.csv",
        total={"level": "total"},
        parts={"level": "item"},
        column="allocation",
    )
    found = messages(result)
    assert (2, "the total row has no allocation") in found
    assert (3, "allocation is not a number: '6OO'") in found
    assert any(row == 4 and "not a number: '1,5'; a decimal comma" in text for row, text in found)


def test_a_text_total_is_not_a_number_either(write_csv: CsvWriter, tmp_path: Path) -> None:
    """A total cell holding text is reported like a part's."""
    write_csv("t.csv", [["level", "n"], ["total", "many"], ["item", "3"]])
    result = run_one(
        tmp_path,
        kind="sum",
        table="t.csv",
        total={"level": "total"},
        parts={"level": "item"},
        column="n",
    )
    assert (2, "n is not a number: 'many'") in messages(result)


def test_range_and_equals_report_text_cells_by_row(messy: Path) -> None:
    """range and the aggregates of equals report each text cell with its row."""
    ranged = run_one(messy, kind="range", table="data/messy.csv", column="allocation", min=0)
    assert [row for row, _ in messages(ranged)] == [3, 4]
    left = {"table": "data/messy.csv", "column": "allocation", "where": {"level": "item"}}
    equal = run_one(messy, kind="equals", left=left, right={"value": 300})
    assert (3, "allocation is not a number: '6OO'") in messages(equal)


def test_an_unknown_aggregate_function_names_the_check(folder: Path) -> None:
    """agg must be sum, count, min or max: a case file saying otherwise is refused with its key,
    and a Check built by hand is refused when run, naming the check."""
    left = {"table": BUDGET_FILE, "column": "allocation", "agg": "mean"}
    with pytest.raises(DataCheckError, match=r"checks\[0\]\.left\.agg: agg must be sum, count"):
        run_one(folder, kind="equals", left=left, right={"value": 1})
    built = Check(id="hand", kind="equals", params={"left": left, "right": {"value": 1}})
    with pytest.raises(DataCheckError, match=r"check 'hand': agg must be sum, count, min or max"):
        run_checks([built], base=folder)
