"""Numeric tables: loading with located errors, denominating and screening units."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from policyeval.exceptions import EvidenceError, InvalidArgument
from policyeval.numeric_data import (
    NumericTable,
    Record,
    denominate,
    load_numeric_table,
    screen_units,
)

NAN = math.nan


def small_table() -> NumericTable:
    return NumericTable(
        units=("A", "B", "C"),
        indicators=("jobs", "roads", "parks"),
        values=np.array([[10.0, 2.0, NAN], [30.0, NAN, NAN], [5.0, 1.0, 3.0]]),
        groups={"region": ("west", "east", None)},
        denominators={"people": np.array([5.0, 10.0, NAN]), "area": np.array([2.0, 4.0, 8.0])},
    )


def test_a_table_is_read_only_all_the_way_down():
    table = small_table()
    with pytest.raises(ValueError, match="read-only"):
        table.values[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        table.denominators["people"][0] = 1.0
    with pytest.raises(TypeError):
        table.groups["region"] = ("x", "y", "z")  # type: ignore[index]
    column = table.column("jobs")
    column[0] = 99.0
    assert table.values[0, 0] == 10.0


def test_a_table_copies_the_array_it_is_given():
    values = np.array([[1.0]])
    table = NumericTable(units=("A",), indicators=("x",), values=values)
    values[0, 0] = 2.0
    assert table.values[0, 0] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"units": ("A", "A"), "values": [[1.0], [2.0]]}, "duplicate name in units: 'A'"),
        ({"indicators": ("x", "y")}, r"shape \(units, indicators\) = \(1, 2\)"),
        ({"values": [[math.inf]]}, "finite numbers or nan"),
        ({"values": [1.0]}, "2-D"),
        ({"groups": {"g": ("a", "b")}}, r"groups\['g'\] has 2 entries for 1 units"),
        ({"denominators": {"d": [1.0, 2.0]}}, r"denominators\['d'\] has 2 entries"),
        ({"units": ("",)}, "non-empty strings"),
    ],
)
def test_a_table_that_does_not_add_up_is_refused(kwargs, message):
    arguments = {"units": ("A",), "indicators": ("x",), "values": [[1.0]], **kwargs}
    with pytest.raises(InvalidArgument, match=message):
        NumericTable(**arguments)


def test_tables_compare_by_content_with_missing_values_equal():
    assert small_table() == small_table()
    assert small_table() != small_table().with_values(np.zeros((3, 3)))


def test_load_reads_units_groups_denominators_and_keeps_header_case(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "Name;uCode;EurAsia_group;Pop;LPI;CO2\nAustria;AUT;Europe;10;3,5;\nJapan;JPN;Asia;;4;7\n",
        encoding="utf-8",
    )
    table = load_numeric_table(
        path,
        unit_column="ucode",
        group_columns=["EurAsia_group"],
        denominator_columns=["POP"],
        ignore=["name"],
    )
    assert table.units == ("AUT", "JPN")
    assert table.indicators == ("LPI", "CO2")
    assert table.groups == {"EurAsia_group": ("Europe", "Asia")}
    np.testing.assert_array_equal(table.denominators["Pop"], [10.0, NAN])
    np.testing.assert_array_equal(table.values, [[3.5, NAN], [4.0, 7.0]])


def test_load_takes_only_the_indicators_asked_for_in_their_order(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("unit,a,b,c\nU1,1,x,3\n", encoding="utf-8")
    table = load_numeric_table(path, unit_column="unit", indicators=["c", "A"])
    assert table.indicators == ("c", "a")
    np.testing.assert_array_equal(table.values, [[3.0, 1.0]])


def test_load_reads_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["uCode", "Group", "x"], ["A", "g1", 1.25], ["B", "g2", None]):
        sheet.append(row)
    path = tmp_path / "units.xlsx"
    workbook.save(path)
    table = load_numeric_table(path, unit_column="uCode", group_columns=["group"])
    assert table.units == ("A", "B")
    np.testing.assert_array_equal(table.values, [[1.25], [NAN]])


def test_every_bad_row_is_reported_with_file_row_column_and_value(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("unit,x,y\nA,1,2\n,3,4\nA,5,6\nB,many,8\nC,1,2,3\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        load_numeric_table(path, unit_column="unit")
    problems = [(p.row, p.key, p.message) for p in caught.value.problems]
    assert problems == [
        (3, "unit", "no unit name"),
        (4, "unit", "unit 'A' already given in row 2"),
        (5, "x", "not a number"),
        (6, None, "cells beyond the last header column"),
    ]
    assert caught.value.problems[2].value == "many"
    assert all(p.file == str(path) for p in caught.value.problems)


def test_unknown_columns_are_reported_at_the_header(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("unit,x\nA,1\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match="no group column 'region'") as caught:
        load_numeric_table(path, unit_column="unit", group_columns=["region"], indicators=["z"])
    assert [p.row for p in caught.value.problems] == [1, 1]
    assert "no indicator column 'z'" in str(caught.value)


def test_denominate_divides_by_the_scaled_denominator():
    # jobs / (people / 1000): 10 / 0.005 = 2000, 30 / 0.01 = 3000, C's people missing.
    # roads / area: 2 / 2 = 1, B missing stays missing, 1 / 8 = 0.125.
    result = denominate(small_table(), {"roads": "area", "jobs": "people"}, scale={"jobs": 1000})
    np.testing.assert_allclose(
        result.table.values,
        [[2000.0, 1.0, NAN], [3000.0, NAN, NAN], [NAN, 0.125, 3.0]],
        rtol=0,
        atol=1e-12,
    )
    assert result.records == (
        Record("denominate", "divided by people / 1000", indicator="jobs"),
        Record(
            "denominate",
            "value made missing",
            indicator="jobs",
            unit="C",
            detail="denominator people is missing",
        ),
        Record("denominate", "divided by area", indicator="roads"),
    )


@pytest.mark.parametrize(
    ("denominators", "scale", "message"),
    [
        ({"nope": "area"}, 1.0, "no indicator 'nope'"),
        ({"jobs": "gdp"}, 1.0, "no denominator column 'gdp'"),
        ({"jobs": "area"}, 0.0, "scale must be > 0"),
        ({"jobs": "area"}, "1", "scale must be a number"),
    ],
)
def test_denominate_refuses_what_it_cannot_do(denominators, scale, message):
    with pytest.raises(InvalidArgument, match=message):
        denominate(small_table(), denominators, scale=scale)


def test_a_zero_denominator_under_a_value_is_refused_naming_unit_and_indicator():
    table = NumericTable(
        units=("A", "B"),
        indicators=("x",),
        values=[[1.0], [NAN]],
        denominators={"d": [0.0, 0.0]},
    )
    with pytest.raises(InvalidArgument, match="unit 'A', indicator 'x': denominator d must be > 0"):
        denominate(table, {"x": "d"})


def test_screen_drops_units_below_the_share_and_records_each():
    # Shares: A 2/3, B 1/3, C 3/3.
    screened = screen_units(small_table(), min_share=0.6)
    assert screened.table.units == ("A", "C")
    assert screened.table.groups == {"region": ("west", None)}
    np.testing.assert_array_equal(screened.table.denominators["area"], [2.0, 8.0])
    assert screened.dropped == (("B", pytest.approx(1 / 3)),)
    assert [str(r) for r in screened.records] == [
        "screen: B: unit dropped (data share 0.3333 < 0.6)"
    ]


def test_screen_keeps_a_unit_exactly_at_the_threshold():
    assert screen_units(small_table(), min_share=2 / 3).table.units == ("A", "C")
    assert screen_units(small_table(), min_share=0).dropped == ()


@pytest.mark.parametrize(
    ("min_share", "message"),
    [(1.5, r"lie in \[0, 1\]"), ("high", "must be a number"), (1.0 + 1e-9, "lie in")],
)
def test_screen_refuses_a_share_outside_zero_to_one(min_share, message):
    with pytest.raises(InvalidArgument, match=message):
        screen_units(small_table(), min_share=min_share)


def test_screening_out_every_unit_is_refused():
    table = NumericTable(units=("A",), indicators=("x", "y"), values=[[1.0, NAN]])
    with pytest.raises(InvalidArgument, match=r"drops every unit; the best data share is 0\.5"):
        screen_units(table, min_share=0.9)


def test_values_that_are_not_numbers_are_refused_naming_the_field() -> None:
    """NumericTable(values=...) must hold numbers; the message names the field and its value."""
    with pytest.raises(
        InvalidArgument, match=r"values must hold numbers, got values=\[\['many'\]\]"
    ):
        NumericTable(units=("A",), indicators=("x",), values=[["many"]])


def test_selecting_units_keeps_their_rows_groups_and_denominators() -> None:
    """select_units keeps the rows where the mask is true; a mask of another length is refused."""
    kept = small_table().select_units([True, False, True])
    assert kept.units == ("A", "C")
    assert kept.column("jobs").tolist() == [10.0, 5.0]
    assert kept.groups["region"] == ("west", None)
    assert kept.denominators["area"].tolist() == [2.0, 8.0]
    with pytest.raises(InvalidArgument, match=r"one flag per unit, got shape=\(2,\)"):
        small_table().select_units([True, False])


def test_a_table_is_not_equal_to_other_kinds_of_values() -> None:
    """A NumericTable equals only another table, never a list of its rows or its units."""
    table = small_table()
    assert table != table.values.tolist()
    assert table != table.units
    assert table == small_table()


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        (
            "unit,region\nA,west\n",
            {"group_columns": ["region"]},
            "the table has no indicator columns",
        ),
        ("unit,jobs\n", {}, "the table has no units"),
    ],
)
def test_a_table_without_indicators_or_units_is_refused(
    tmp_path: Any, content: str, arguments: dict[str, Any], message: str
) -> None:
    """A table whose only columns are units and groups, or with no rows, names the file."""
    path = tmp_path / "data.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvidenceError, match=message) as caught:
        load_numeric_table(path, unit_column="unit", **arguments)
    assert str(path) in str(caught.value)
