"""Imputation: means and medians by column or group, every filled cell recorded."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument
from policyeval.imputation import ImputedValue, impute

NAN = math.nan
VALUES = np.array(
    [
        [1.0, 10.0],
        [NAN, 20.0],
        [4.0, NAN],
        [NAN, 30.0],
        [9.0, 50.0],
    ]
)


def test_mean_imputation_uses_the_column_mean():
    # Column 0 present: 1, 4, 9 -> mean 14 / 3; column 1 present: 10, 20, 30, 50 -> mean 27.5.
    result = impute(VALUES)
    np.testing.assert_allclose(
        result.values,
        [[1, 10], [14 / 3, 20], [4, 27.5], [14 / 3, 30], [9, 50]],
        rtol=0,
        atol=1e-12,
    )
    assert result.record == (
        ImputedValue(1, 0, pytest.approx(14 / 3)),
        ImputedValue(3, 0, pytest.approx(14 / 3)),
        ImputedValue(2, 1, 27.5),
    )


def test_median_imputation_uses_the_column_median():
    # Column 0: median of 1, 4, 9 is 4; column 1: median of 10, 20, 30, 50 is 25.
    result = impute(VALUES, method="median")
    np.testing.assert_array_equal(result.values[:, 0], [1, 4, 4, 4, 9])
    np.testing.assert_array_equal(result.values[:, 1], [10, 20, 25, 30, 50])


def test_group_imputation_uses_only_the_units_of_the_same_group():
    # Group x = units 0, 1, 2; group y = units 3, 4.
    # Column 0: x mean (1 + 4) / 2 = 2.5 for unit 1; y mean 9 for unit 3.
    # Column 1: x mean (10 + 20) / 2 = 15 for unit 2.
    result = impute(VALUES, groups=["x", "x", "x", "y", "y"])
    np.testing.assert_array_equal(result.values, [[1, 10], [2.5, 20], [4, 15], [9, 30], [9, 50]])
    assert result.record == (
        ImputedValue(1, 0, 2.5, "x"),
        ImputedValue(3, 0, 9.0, "y"),
        ImputedValue(2, 1, 15.0, "x"),
    )


def test_imputation_returns_a_new_read_only_array_and_leaves_the_input_alone():
    values = VALUES.copy()
    result = impute(values)
    np.testing.assert_array_equal(values, VALUES)
    assert not result.values.flags.writeable


def test_a_complete_array_is_returned_unchanged_with_an_empty_record():
    result = impute(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(result.values, [[1.0, 2.0]])
    assert result.record == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"groups": ["x", "x", "x", "y", "y"]},
            "indicator 'b' has no data to impute from within group 'y'",
        ),
        ({"groups": ["x", None, "x", "y", "y"]}, "unit 'u1' misses indicator 'a' and has no group"),
        ({"groups": ["x"]}, "groups has 1 entries for 5 units"),
        ({"method": "mode"}, "method='mode'"),
    ],
)
def test_imputation_refuses_what_it_cannot_fill(kwargs, message):
    values = VALUES.copy()
    values[3:, 1] = NAN  # column b: units 3 and 4 (group y below) have no data
    with pytest.raises(InvalidArgument, match=message):
        impute(
            values,
            units=[f"u{i}" for i in range(5)],
            indicators=["a", "b"],
            **kwargs,
        )


def test_a_column_with_no_data_is_refused_by_index_without_names():
    with pytest.raises(InvalidArgument, match="indicator at index 1 has no data"):
        impute(np.array([[1.0, NAN], [2.0, NAN]]))


cells = st.one_of(st.integers(-100, 100).map(float), st.just(NAN))
arrays = st.lists(st.lists(cells, min_size=2, max_size=2), min_size=1, max_size=6).map(
    lambda rows: np.array(rows, dtype=float)
)


@given(values=arrays, method=st.sampled_from(["mean", "median"]))
def test_present_values_never_change_and_every_filled_cell_is_recorded(values, method):
    try:
        result = impute(values, method=method)
    except InvalidArgument:
        assert np.isnan(values).all(axis=0).any()
        return
    present = ~np.isnan(values)
    np.testing.assert_array_equal(result.values[present], values[present])
    assert not np.isnan(result.values).any()
    assert sorted((r.unit, r.indicator) for r in result.record) == sorted(
        zip(*np.nonzero(~present), strict=True)
    )
    for r in result.record:
        column = values[:, r.indicator]
        assert np.nanmin(column) <= r.value <= np.nanmax(column)
