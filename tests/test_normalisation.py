"""Normalisers: COINr's definitions, pinned with numbers worked by hand, and their laws."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument
from policyeval.normalisation import (
    NORMALISERS,
    borda,
    distance_to_max,
    distance_to_reference,
    distance_to_target,
    flip,
    for_direction,
    fraction_of_max,
    goalposts,
    min_max,
    percentile_rank,
    rank,
    z_score,
)

NAN = math.nan
VALUES = np.array([4.0, 8.0, NAN, 2.0, 8.0])
UNITS = ["A", "B", "C", "D", "E"]


def same(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(actual, np.array(expected), rtol=0, atol=1e-12)


# Each expectation below is worked by hand from VALUES = [4, 8, nan, 2, 8]:
# min 2, max 8, range 6, n = 4 present, mean 5.5, sample sd sqrt(27 / 3) = 3.
HAND_WORKED = [
    (min_max(), [200 / 6, 100, NAN, 0, 100]),
    (min_max(low=1, high=7), [3, 7, NAN, 1, 7]),
    (z_score(), [-0.5, 2.5 / 3, NAN, -3.5 / 3, 2.5 / 3]),
    (z_score(mean=100, sd=6), [97, 105, NAN, 93, 105]),
    (rank(), [2, 3, NAN, 1, 3]),
    (percentile_rank(), [1 / 3, 2 / 3, NAN, 0, 2 / 3]),
    (borda(), [1, 2, NAN, 0, 2]),
    (distance_to_max(), [1 / 3, 1, NAN, 0, 1]),
    (distance_to_reference("A"), [1, 3, NAN, 0, 3]),
    (distance_to_reference("A", cap=True), [1, 1, NAN, 0, 1]),
    (distance_to_target(6), [0.5, 1, NAN, 0, 1]),
    (distance_to_target(6, cap=False), [0.5, 1.5, NAN, 0, 1.5]),
    (fraction_of_max(), [0.5, 1, NAN, 0.25, 1]),
    (goalposts(3, 7), [25, 100, NAN, 0, 100]),
    (goalposts(3, 7, scale=1, trunc=False), [0.25, 1.25, NAN, -0.25, 1.25]),
]


@pytest.mark.parametrize(("normaliser", "expected"), HAND_WORKED, ids=repr)
def test_each_normaliser_matches_its_hand_worked_numbers(normaliser, expected):
    same(normaliser(VALUES, units=UNITS), expected)


@pytest.mark.parametrize(("normaliser", "expected"), HAND_WORKED, ids=repr)
def test_a_normaliser_never_changes_its_input(normaliser, expected):
    values = VALUES.copy()
    result = normaliser(values, units=UNITS)
    assert result is not values
    np.testing.assert_array_equal(values, VALUES)


def test_reprs_read_like_the_calls_that_built_them():
    assert repr(min_max(low=1, high=7)) == "min_max(low=1.0, high=7.0)"
    assert repr(z_score()) == "z_score(mean=0.0, sd=1.0)"
    assert repr(distance_to_reference("IDN")) == "distance_to_reference(reference='IDN', cap=False)"
    assert repr(distance_to_target(3)) == "distance_to_target(target=3.0, cap=True)"
    assert repr(goalposts(0, 1)) == "goalposts(low=0.0, high=1.0, scale=100.0, trunc=True)"
    assert [repr(f()) for f in (rank, percentile_rank, borda)] == [
        "rank()",
        "percentile_rank()",
        "borda()",
    ]


def test_the_registry_table_names_every_factory_and_each_declares_itself_increasing():
    assert sorted(NORMALISERS) == [
        "borda",
        "distance_to_max",
        "distance_to_reference",
        "distance_to_target",
        "fraction_of_max",
        "goalposts",
        "min_max",
        "percentile_rank",
        "rank",
        "z_score",
    ]
    for normaliser, _ in HAND_WORKED:
        assert normaliser.increasing is True
    with pytest.raises(TypeError):
        NORMALISERS["mine"] = min_max  # type: ignore[index]


def test_rank_ties_take_the_lowest_rank_as_in_r():
    same(rank()(np.array([3.0, 1.0, 3.0, 3.0, 7.0])), [2, 1, 2, 2, 5])


def test_flip_multiplies_by_the_direction():
    same(flip(np.array([1.0, -2.0, NAN]), -1), [-1, 2, NAN])
    same(flip([1.0, 2.0], "higher"), [1, 2])
    with pytest.raises(InvalidArgument, match="direction=0"):
        flip([1.0], 0)
    with pytest.raises(InvalidArgument, match="direction=True"):
        flip([1.0], True)


def test_an_all_missing_column_stays_missing():
    for normaliser, _ in HAND_WORKED:
        result = normaliser(np.array([NAN, NAN]), units=["A", "B"])
        assert np.isnan(result).all()


REFUSED_CALLS = [
    (min_max(), [3.0, 3.0, NAN], "at least two different values"),
    (distance_to_max(), [3.0, 3.0], "at least two different values"),
    (z_score(), [3.0, 3.0], "values that vary"),
    (z_score(), [3.0, NAN], "at least two values"),
    (percentile_rank(), [3.0], "at least two values"),
    (fraction_of_max(), [-3.0, 0.0], "positive maximum"),
    (distance_to_target(2), [2.0, 5.0], "above the smallest value"),
    (distance_to_reference("A"), [2.0, 5.0], "smallest value"),
    (distance_to_reference("Z"), [2.0, 5.0], "no unit 'Z'"),
    (distance_to_reference("A"), [NAN, 5.0], "reference unit's value is missing"),
    (min_max(), [1.0, math.inf], "finite numbers"),
    (min_max(), [[1.0, 2.0]], "1-D"),
    (min_max(), ["x", "y"], "must be numbers"),
]


@pytest.mark.parametrize(("normaliser", "values", "message"), REFUSED_CALLS)
def test_a_method_that_cannot_give_finite_numbers_refuses_the_column(normaliser, values, message):
    with pytest.raises(InvalidArgument, match=message):
        normaliser(np.array(values, dtype=object), units=["A", "B", "C"][: len(values)])


def test_distance_to_reference_needs_unit_names_of_the_right_length():
    with pytest.raises(InvalidArgument, match="units="):
        distance_to_reference("A")(np.array([1.0, 2.0]))
    with pytest.raises(InvalidArgument, match="differ in length"):
        min_max()(np.array([1.0, 2.0]), units=["A"])


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"),
    [
        (min_max, {"low": 5, "high": 5}, "low < high"),
        (min_max, {"low": math.nan}, "low=nan"),
        (z_score, {"sd": 0}, "sd > 0"),
        (goalposts, {"low": 1, "high": 0}, "low < high"),
        (goalposts, {"low": 0, "high": 1, "scale": -1}, "scale > 0"),
        (goalposts, {"low": 0, "high": 1, "trunc": "yes"}, "trunc='yes'"),
        (distance_to_target, {"target": "high"}, "target='high'"),
        (distance_to_target, {"target": 1, "cap": 1}, "cap=1"),
        (distance_to_reference, {"reference": ""}, "reference=''"),
        (distance_to_reference, {"reference": "A", "cap": None}, "cap=None"),
    ],
)
def test_factories_refuse_bad_parameters_naming_them(factory, kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        factory(**kwargs)


# Properties over small arrays: cheap to generate, enough to find a broken law.
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3))
cells = st.one_of(finite, finite, finite, st.just(NAN))
columns = st.lists(cells, min_size=2, max_size=8).map(lambda xs: np.array(xs, dtype=float))

FACTORIES = [
    min_max,
    lambda: min_max(-1, 1),
    z_score,
    rank,
    percentile_rank,
    borda,
    distance_to_max,
    lambda: distance_to_reference("u0"),
    lambda: distance_to_reference("u0", cap=True),
    lambda: distance_to_target(2e6),
    lambda: distance_to_target(2e6, cap=False),
    fraction_of_max,
    lambda: goalposts(-10, 10),
    lambda: goalposts(-10, 10, scale=1, trunc=False),
]


def _apply(normaliser, values):
    units = [f"u{i}" for i in range(len(values))]
    try:
        return normaliser(values, units=units)
    except InvalidArgument:
        return None


@pytest.mark.parametrize("factory", FACTORIES)
@given(values=columns)
def test_missing_stays_missing_and_present_values_stay_finite(factory, values):
    result = _apply(factory(), values)
    if result is not None:
        assert result.dtype == np.float64
        assert result.shape == values.shape
        np.testing.assert_array_equal(np.isnan(result), np.isnan(values))


@pytest.mark.parametrize("factory", FACTORIES)
@given(values=columns)
def test_a_better_value_never_gets_a_worse_score(factory, values):
    result = _apply(factory(), values)
    if result is not None:
        present = ~np.isnan(values)
        order = np.argsort(values[present], kind="stable")
        assert (np.diff(result[present][order]) >= -1e-9).all()


@pytest.mark.parametrize("factory", FACTORIES)
@given(values=columns)
def test_normalising_twice_gives_identical_arrays(factory, values):
    first = _apply(factory(), values)
    second = _apply(factory(), values.copy())
    if first is None:
        assert second is None
    else:
        np.testing.assert_array_equal(first, second)


@given(values=columns, bounds=st.tuples(finite, finite).filter(lambda b: b[0] != b[1]))
def test_min_max_and_goalposts_stay_inside_their_range(values, bounds):
    low, high = sorted(bounds)
    for normaliser, top in ((min_max(low, high), high), (goalposts(low, high, scale=3), 3.0)):
        result = _apply(normaliser, values)
        if result is not None:
            inside = result[~np.isnan(result)]
            bottom = low if top == high else 0.0
            assert (inside >= bottom).all()
            assert (inside <= top).all()


def test_for_direction_flips_goalposts_and_targets_given_in_raw_units():
    raw = np.array([10.0, 30.0, 50.0, 70.0])  # lower is better
    flipped = flip(raw, "lower")
    # Goalposts 10 (best) .. 50 (worst): (50 - x) / 40 * 100, truncated.
    same(for_direction(goalposts(10, 50), "lower")(flipped), [100, 50, 0, 0])
    # Target 30 from the worst (70): (70 - x) / (70 - 30), capped at 1.
    same(for_direction(distance_to_target(30), -1)(flipped), [1, 1, 0.5, 0])
    assert for_direction(goalposts(10, 50), "higher") == goalposts(10, 50)
    assert for_direction(min_max(), -1) == min_max()


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_values_too_large_for_the_arithmetic_are_refused_not_turned_into_nan():
    with pytest.raises(InvalidArgument, match="overflows"):
        min_max()(np.array([-1e308, 0.0, 1e308]))
    with pytest.raises(InvalidArgument, match="overflows"):
        z_score()(np.array([-1e308, 0.0, 1e308]))
    with pytest.raises(InvalidArgument, match="overflows"):
        distance_to_max()(np.array([-1e308, 0.0, 1e308]))
    with pytest.raises(InvalidArgument, match="overflows"):
        distance_to_target(1e308)(np.array([-1e308, 0.0]))
    with pytest.raises(InvalidArgument, match="overflows"):
        goalposts(-1e308, 1e308)


@st.composite
def blocks(draw):
    rows = draw(st.integers(0, 8))
    width = draw(st.integers(1, 4))
    cell = st.one_of(st.floats(-1e6, 1e6), st.just(math.nan))
    cells = draw(st.lists(cell, min_size=rows * width, max_size=rows * width))
    return np.array(cells, dtype=float).reshape(rows, width)


@given(block=blocks(), low=st.sampled_from([0.0, 1.0]), high=st.sampled_from([100.0, 4.0]))
def test_min_max_over_every_column_at_once_gives_the_column_results_bit_for_bit(block, low, high):
    normaliser = min_max(low=low, high=high)
    alone = [_apply(normaliser, block[:, column]) for column in range(block.shape[1])]
    if any(column is None for column in alone):
        with pytest.raises(InvalidArgument):
            normaliser.columns(block)
        return
    together = normaliser.columns(block)
    for column, expected in enumerate(alone):
        assert together[:, column].tobytes() == expected.tobytes()
