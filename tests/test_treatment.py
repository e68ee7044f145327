"""Outlier treatment: COINr's statistics, winsorisation and log fallback, each step recorded."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument
from policyeval.treatment import (
    TREATMENTS,
    coinr_default,
    kurtosis,
    log_transform,
    no_treatment,
    skewness,
    winsorise,
)

NAN = math.nan
ONE_OUTLIER = np.array([1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 60.0])
NEEDS_LOG = np.r_[np.zeros(100), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]]


def test_skewness_and_kurtosis_follow_the_sample_adjusted_formulas():
    # [1, 2, 6]: d = -2, -1, 3; sum d^2 = 14, sum d^3 = 18;
    # sqrt(3) * 18 / 14^1.5 * sqrt(3 * 2) / 1 = 1.4578629...
    assert skewness([1.0, 2.0, 6.0]) == pytest.approx(1.4578629673, abs=1e-9)
    # [1, 2, 3, 10]: d = -3, -2, -1, 6; sum d^2 = 50, sum d^4 = 1394; r = 4 * 1394 / 2500 = 2.2304;
    # (5 * (2.2304 - 3) + 6) * 3 / (2 * 1) = 3.228
    assert kurtosis([1.0, 2.0, 3.0, 10.0]) == pytest.approx(3.228, abs=1e-12)


def test_the_statistics_ignore_missing_values_and_are_undefined_when_too_few():
    assert skewness([1.0, NAN, 2.0, 6.0]) == skewness([1.0, 2.0, 6.0])
    assert skewness([1.0, 2.0]) is None
    assert kurtosis([1.0, 2.0, 3.0]) is None
    assert skewness([4.0, 4.0, 4.0]) is None
    assert kurtosis([4.0, 4.0, 4.0, 4.0]) is None


def test_a_column_that_passes_is_left_alone():
    values = np.array([1.0, 2.0, 3.0, 4.0, 100.0])  # skewness 2.23 >= 2 and kurtosis 4.99 >= 3.5
    symmetric = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    treated = coinr_default()(symmetric)
    np.testing.assert_array_equal(treated.values, symmetric)
    assert [step.action for step in treated.record] == ["check"]
    assert treated.record[0].passes is True
    assert coinr_default()(values).record[0].passes is False


def test_one_high_outlier_is_winsorised_to_the_next_value():
    treated = coinr_default()(ONE_OUTLIER)
    np.testing.assert_array_equal(treated.values, [1, 2, 2, 3, 3, 3, 4, 4, 5, 5])
    check, win = treated.record
    assert (check.action, check.passes) == ("check", False)
    assert check.skewness == pytest.approx(skewness(ONE_OUTLIER))
    assert (win.action, win.points, win.passes) == ("winsorise", (9,), True)
    assert win.skewness == pytest.approx(skewness(treated.values))
    assert win.detail == "high points [9] set to 5"


def test_negative_skew_winsorises_the_low_side():
    treated = coinr_default()(-ONE_OUTLIER)
    np.testing.assert_array_equal(treated.values, -np.array([1, 2, 2, 3, 3, 3, 4, 4, 5, 5]))
    assert treated.record[1].detail == "low points [9] set to -5"


def test_ties_at_the_extreme_are_winsorised_together_and_counted_as_coinr_does():
    # After 7 -> 6 the top two tie at 6 and both go to 5, then three go to 4...:
    # COINr counts the points sitting at the extreme, so the 5-point limit is reached
    # with five points at 2, and the column still fails.
    treated = winsorise()(NEEDS_LOG)
    np.testing.assert_array_equal(treated.values[100:], [1, 2, 2, 2, 2, 2, 2])
    step = treated.record[1]
    assert step.points == (102, 103, 104, 105, 106)
    assert step.passes is False


def test_when_winsorising_fails_the_original_column_is_log_transformed():
    treated = coinr_default()(NEEDS_LOG)
    # log(x - min + 0.01 * (max - min)) = log(x + 0.07)
    np.testing.assert_allclose(treated.values, np.log(NEEDS_LOG + 0.07), rtol=0, atol=1e-15)
    assert [s.action for s in treated.record] == ["check", "winsorise", "log_transform"]
    assert treated.record[2].detail == "log(x - 0 + 0.07)"
    assert treated.record[2].points == tuple(range(107))


def test_winsorise_up_to_winmax_points_only():
    treated = winsorise(winmax=1)(NEEDS_LOG)
    np.testing.assert_array_equal(treated.values[100:], [1, 2, 3, 4, 5, 6, 6])
    assert treated.record[1].points == (106,)


def test_winmax_zero_goes_straight_to_the_log():
    treated = coinr_default(winmax=0)(ONE_OUTLIER)
    assert [s.action for s in treated.record] == ["check", "log_transform"]


def test_missing_values_stay_missing_and_are_not_counted():
    values = np.r_[ONE_OUTLIER, NAN]
    treated = coinr_default()(values)
    assert math.isnan(treated.values[-1])
    np.testing.assert_array_equal(treated.values[:-1], [1, 2, 2, 3, 3, 3, 4, 4, 5, 5])


def test_a_column_with_undefined_statistics_is_returned_untreated_and_says_why():
    treated = coinr_default()(np.array([3.0, 3.0, 3.0, 3.0, NAN]))
    assert [s.action for s in treated.record] == ["check", "untreated"]
    assert treated.record[1].detail == "skewness or kurtosis undefined"
    np.testing.assert_array_equal(treated.values, [3, 3, 3, 3, NAN])


def test_winsorising_into_a_constant_column_gives_up_as_coinr_does():
    values = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 50.0])
    treated = coinr_default()(values)
    assert [s.action for s in treated.record] == ["check", "winsorise", "untreated"]
    np.testing.assert_array_equal(treated.values, values)


def test_log_transform_plain_refuses_non_positive_values_naming_the_index():
    with pytest.raises(InvalidArgument, match=r"index 1 is 0\.0"):
        log_transform(shift=False)(np.array([1.0, 0.0]))
    np.testing.assert_allclose(
        log_transform()(np.array([-1.0, 9.0])).values, [math.log(0.1), math.log(10.1)]
    )


def test_no_treatment_copies_and_records():
    values = np.array([1.0, 99.0])
    treated = no_treatment()(values)
    np.testing.assert_array_equal(treated.values, values)
    assert treated.values is not values
    assert not treated.values.flags.writeable
    assert str(treated.record[0]) == "none"


def test_reprs_and_bad_parameters():
    assert (
        repr(coinr_default())
        == "coinr_default(winmax=5, skew_threshold=2.0, kurtosis_threshold=3.5)"
    )
    assert (
        repr(winsorise(winmax=2))
        == "winsorise(winmax=2, skew_threshold=2.0, kurtosis_threshold=3.5)"
    )
    assert repr(log_transform()) == "log_transform(shift=True)"
    assert repr(no_treatment()) == "no_treatment()"
    with pytest.raises(InvalidArgument, match="winmax=-1"):
        coinr_default(winmax=-1)
    with pytest.raises(InvalidArgument, match="skew_threshold=0"):
        coinr_default(skew_threshold=0)
    with pytest.raises(InvalidArgument, match="kurtosis_threshold=nan"):
        winsorise(kurtosis_threshold=NAN)
    with pytest.raises(InvalidArgument, match="1-D"):
        coinr_default()(np.zeros((2, 2)))


cells = st.one_of(st.integers(-50, 50).map(float), st.just(NAN))
columns = st.lists(cells, min_size=0, max_size=12).map(lambda xs: np.array(xs, dtype=float))
treatments = st.sampled_from(
    [coinr_default(), coinr_default(winmax=1), winsorise(), log_transform(), no_treatment()]
)


@given(values=columns, treatment=treatments)
def test_treatment_keeps_missing_values_missing_and_order_intact(values, treatment):
    treated = treatment(values)
    np.testing.assert_array_equal(np.isnan(treated.values), np.isnan(values))
    present = ~np.isnan(values)
    assert np.isfinite(treated.values[present]).all()
    order = np.argsort(values[present], kind="stable")
    assert (np.diff(treated.values[present][order]) >= 0).all()
    again = treatment(values.copy())
    np.testing.assert_array_equal(again.values, treated.values)
    assert again.record == treated.record


def test_coinr_own_examples_give_coinr_own_answers():
    # From COINr's test suite: c(1:10, 100) fails, and winsorising sets 100 to 10, which passes.
    values = np.r_[np.arange(1.0, 11.0), 100.0]
    assert coinr_default()(values).record[0].passes is False
    treated = winsorise(winmax=5)(values)
    np.testing.assert_array_equal(treated.values, np.r_[np.arange(1.0, 11.0), 10.0])
    assert treated.record[-1].passes is True
    # c(1:20, 100, 200) with winmax = 1 still fails after winsorising.
    assert winsorise(winmax=1)(np.r_[np.arange(1.0, 21.0), 100.0, 200.0]).record[-1].passes is False


def test_the_treatments_table_names_every_factory():
    assert {name: factory.__name__ for name, factory in TREATMENTS.items()} == {
        "coinr_default": "coinr_default",
        "log_transform": "log_transform",
        "no_treatment": "no_treatment",
        "winsorise": "winsorise",
    }


def test_a_range_too_small_for_the_shifted_log_is_refused():
    with pytest.raises(InvalidArgument, match="log transform overflows"):
        log_transform()(np.array([0.0, 5e-324]))


skewed_cells = st.one_of(
    st.integers(0, 9).map(float), st.sampled_from([100.0, -100.0, 2500.0]), st.just(NAN)
)


@st.composite
def blocks(draw):
    rows = draw(st.integers(0, 12))
    width = draw(st.integers(1, 4))
    cells = draw(st.lists(skewed_cells, min_size=rows * width, max_size=rows * width))
    return np.array(cells, dtype=float).reshape(rows, width)


@given(block=blocks(), treatment=st.sampled_from([coinr_default(), winsorise(winmax=2)]))
def test_treating_all_columns_at_once_gives_the_column_by_column_results_bit_for_bit(
    block, treatment
):
    together = treatment.columns(block)
    assert len(together) == block.shape[1]
    for column, treated in enumerate(together):
        alone = treatment(block[:, column])
        assert treated.values.tobytes() == alone.values.tobytes()
        assert treated.record == alone.record


def test_the_array_form_refuses_what_is_not_a_table():
    with pytest.raises(InvalidArgument, match="2-D"):
        coinr_default().columns(np.zeros(3))
    with pytest.raises(InvalidArgument, match="finite"):
        coinr_default().columns(np.array([[1.0], [math.inf]]))
