"""Built-in aggregators: concrete numbers, validation, and the laws every one keeps."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval.aggregation import (
    bars,
    decision_table,
    generalised,
    geometric,
    harmonic,
    majority,
    mean,
    median,
    strongest,
    weakest_link,
)
from policyeval.exceptions import InvalidArgument

SERANG_DIMENSIONS = [4, 3, 2, 2, 2]
EQUAL = [1, 1, 1, 1, 1]


@pytest.mark.parametrize(
    ("aggregator", "expected"),
    [
        (mean(), 2.6),
        (median(), 2.0),
        (weakest_link(), 2.0),
        (strongest(), 4.0),
        (majority(), 2.0),
        (geometric(), (4 * 3 * 2 * 2 * 2) ** (1 / 5)),
        (harmonic(), 5 / (1 / 4 + 1 / 3 + 3 / 2)),
        (generalised(2), math.sqrt((16 + 9 + 4 + 4 + 4) / 5)),
        (generalised(1), 2.6),
        (generalised(float("inf")), 4.0),
        (generalised(float("-inf")), 2.0),
    ],
    ids=repr,
)
def test_serang_dimension_scores(aggregator: object, expected: float) -> None:
    """Each aggregator gives its textbook value on the Serang dimension scores 4, 3, 2, 2, 2."""
    assert aggregator(SERANG_DIMENSIONS, EQUAL) == pytest.approx(expected, rel=1e-12)  # type: ignore[operator]


def test_weights_count() -> None:
    """Weights shift the mean and the median toward heavier children."""
    assert mean()([4, 2], [3, 1]) == 3.5
    assert median()([4, 2], [3, 1]) == 4.0
    assert median()([4, 2], [1, 1]) == 2.0  # a tie goes to the lower value


def test_zero_weight_children_are_ignored_by_min_and_max() -> None:
    """The weakest link only looks at children with positive weight."""
    assert weakest_link()([4, 1], [1, 0]) == 4.0
    assert strongest()([4, 9], [1, 0]) == 4.0


def test_geometric_and_harmonic_give_zero_for_a_zero_child() -> None:
    """A zero with positive weight makes the geometric and harmonic means zero."""
    assert geometric()([0, 4], [1, 1]) == 0.0
    assert harmonic()([0, 4], [1, 1]) == 0.0


def test_power_means_refuse_negative_values_for_p_at_most_zero() -> None:
    """Geometric and harmonic means are undefined for negative values."""
    with pytest.raises(InvalidArgument, match="values >= 0"):
        geometric()([-1, 4], [1, 1])


def test_bars_cap_the_parent_when_a_child_is_low() -> None:
    """Any child at or below the threshold caps the parent; otherwise the base decides."""
    rubric = bars([{"at_or_below": 2, "cap": 3}], base="mean")
    assert rubric([4, 4, 4, 2], [1, 1, 1, 1]) == 3.0
    assert rubric([4, 4, 4, 3], [1, 1, 1, 1]) == 3.75
    assert rubric([4, 4, 4, 2], [1, 1, 1, 0]) == 4.0  # a zero-weight child does not cap
    assert "cap" in repr(rubric)


def test_bars_refuse_a_cap_below_its_threshold() -> None:
    """A cap below its threshold would push the parent below every child."""
    with pytest.raises(InvalidArgument, match="cap >= at_or_below"):
        bars([{"at_or_below": 3, "cap": 2}])


def test_decision_table_with_level_ids() -> None:
    """The first matching row wins; '*' matches anything; intervals match inclusively."""
    table = decision_table(
        [
            {"when": ["baik", "baik"], "then": "baik"},
            {"when": [[3, 4], "*"], "then": "cukup_baik"},
        ],
        default="tidak_baik",
        levels={"baik": 4, "cukup_baik": 3, "tidak_baik": 1},
    )
    assert table([4, 4], [1, 1]) == 4.0
    assert table([3, 1], [1, 1]) == 3.0
    assert table([2, 4], [1, 1]) == 1.0


def test_decision_table_without_default_refuses_unmatched_input() -> None:
    """With no default, an unmatched combination is an error naming the values."""
    table = decision_table([([4, 4], 4)])
    with pytest.raises(InvalidArgument, match=r"values=\[1, 1\]"):
        table([1, 1], [1, 1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mean()([1, 2], [1]), "differ in length"),
        (lambda: mean()([], []), "at least one value"),
        (lambda: mean()([1, float("nan")], [1, 1]), "finite numbers"),
        (lambda: mean()([1, 2], [1, -1]), r"finite and >= 0"),
        (lambda: mean()([1, 2], [0, 0]), "at least one weight must be positive"),
        (lambda: generalised(float("nan")), "p=nan"),
        (lambda: decision_table([([4, 4], "baik")]), "unknown level 'baik'"),
        (lambda: decision_table([([4, 4], 4), ([4], 4)]), "same number of conditions"),
    ],
)
def test_bad_inputs_are_named(call: object, message: str) -> None:
    """Bad inputs and parameters raise InvalidArgument naming what is wrong."""
    with pytest.raises(InvalidArgument, match=message):
        call()  # type: ignore[operator]


def test_reprs_show_how_each_was_built() -> None:
    """An aggregator's repr is the call that makes it."""
    assert [repr(a) for a in (mean(), median(), weakest_link(), strongest(), majority())] == [
        "mean()",
        "median()",
        "weakest_link()",
        "strongest()",
        "majority()",
    ]
    assert repr(generalised(0)) == "geometric()"
    assert repr(generalised(-1)) == "harmonic()"


def test_compensation_is_declared() -> None:
    """Means are compensatory; the median, min, max, majority, bars and tables are not."""
    assert mean().compensatory and generalised(2).compensatory
    assert not any(a.compensatory for a in (median(), weakest_link(), majority()))


def test_vectorised_forms_agree_with_the_plain_call() -> None:
    """``many`` gives the same numbers as calling row by row."""
    rows = [[4, 3, 2], [1, 1, 4], [2, 2, 2]]
    for aggregator in (mean(), weakest_link()):
        assert aggregator.many(rows, [1, 2, 1]) == [aggregator(row, [1, 2, 1]) for row in rows]


values_and_weights = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0.5, 10, allow_nan=False), min_size=n, max_size=n),
        st.lists(st.floats(0.01, 5, allow_nan=False), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(values_and_weights)
def test_power_means_are_ordered_in_p(pair: tuple[list[float], list[float]]) -> None:
    """min <= harmonic <= geometric <= mean <= quadratic <= max, for positive values."""
    values, weights = pair
    chain = [
        weakest_link(),
        harmonic(),
        geometric(),
        mean(),
        generalised(2),
        strongest(),
    ]
    results = [a(values, weights) for a in chain]
    for lower, higher in itertools.pairwise(results):
        assert lower <= higher + 1e-9


def test_power_means_at_infinity_do_not_compensate() -> None:
    """generalised(inf) and generalised(-inf) are the maximum and the minimum: not compensatory."""
    assert generalised(2).compensatory
    assert not generalised(float("inf")).compensatory
    assert not generalised(float("-inf")).compensatory


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: bars("at_or_below"), "rules must be a list"),
        (lambda: bars({"at_or_below": 2, "cap": 3}), "rules must be a list"),
        (lambda: decision_table("baik"), "rules must be a list"),
        (lambda: decision_table([([[3, 1]], 1)]), "low <= high"),
        (lambda: decision_table([(["a"], 1)], levels=[("a", 1)]), "levels must map"),
        (lambda: decision_table([(["a"], 1)], levels={"a": "high"}), r"levels\['a'\]='high'"),
    ],
)
def test_stricter_table_and_rubric_checks(build: Any, message: str) -> None:
    """Rubrics and decision tables refuse rules that are not a list, reversed intervals and
    levels that are not level ids mapped to finite scores."""
    with pytest.raises(InvalidArgument, match=message):
        build()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: bars([{"at_or_below": 2}]),
            r"rules\[0\] must be \{'at_or_below': number, 'cap': number\}",
        ),
        (lambda: bars([{"at_or_below": "low", "cap": 3}]), r"rules\[0\] must be"),
        (lambda: bars([]), "bars: give at least one rule"),
        (
            lambda: bars([{"at_or_below": 2, "cap": 3}], base=4),
            "bars: base must be an aggregator or its name, got base=4",
        ),
        (lambda: decision_table([]), "decision_table: give at least one rule"),
        (lambda: decision_table([([4, 4], 4, 1)]), r"rules\[0\] must be \(conditions, result\)"),
        (
            lambda: decision_table([([[1, 2, 3]], 1)]),
            r"rules\[0\]\[0\]\[0\]: an interval is \[low, high\]",
        ),
        (
            lambda: decision_table([([True], 1)]),
            r"rules\[0\]\[0\]\[0\]: expected a score or level id, got True",
        ),
    ],
)
def test_rubric_and_table_rules_are_checked_one_by_one(build: Any, message: str) -> None:
    """Each malformed rule is named by its index: missing or non-numeric caps, no rules, a base
    that cannot aggregate, intervals of three ends and booleans as scores."""
    with pytest.raises(InvalidArgument, match=message):
        build()


def test_a_table_called_with_another_number_of_children_says_so() -> None:
    """A decision table for two children refuses three values, called whole or partially."""
    table = decision_table([([4, "*"], 4)], default=1)
    with pytest.raises(InvalidArgument, match="has rules for 2 children, got 3 values"):
        table([4, 4, 4], [1, 1, 1])
    with pytest.raises(InvalidArgument, match="has rules for 2 children, got 3 values"):
        table.partial([4, None, 4], [1, 1, 1])
    with pytest.raises(InvalidArgument, match="differ in length: 2 != 1"):
        table.partial([4, None], [1])
    assert table.partial([None, 2], [1, 1]) == [1.0, 4.0]
    assert decision_table([([4, "*"], 4)]).partial([3, None], [1, 1]) == []


def test_power_means_refuse_negative_values_for_a_fractional_p() -> None:
    """A fractional power of a negative number is not real: generalised(0.5) refuses one,
    whole or as an array; an integer p accepts it."""
    with pytest.raises(InvalidArgument, match=r"needs values >= 0, got values=\[-1, 4\]"):
        generalised(0.5)([-1, 4], [1, 1])
    with pytest.raises(InvalidArgument, match="needs values >= 0"):
        generalised(0.5).array([[-1.0, 4.0]], [[1.0, 1.0]])
    assert generalised(3)([-1, 1], [1, 1]) == 0.0


def test_power_means_at_infinity_have_array_forms_ignoring_zero_weights() -> None:
    """generalised(+-inf).array is the row maximum or minimum over positive-weight children."""
    values = [[1.0, 9.0, 5.0], [3.0, 2.0, 7.0]]
    weights = [[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
    assert generalised(math.inf).array(values, weights).tolist() == [5.0, 7.0]
    assert generalised(-math.inf).array(values, weights).tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("values", "weights", "message"),
    [
        ([1.0, 2.0], [1.0, 1.0], r"one shape \(units, children\), got \(2,\) and \(2,\)"),
        ([[1.0, 2.0]], [[1.0]], r"got \(1, 2\) and \(1, 1\)"),
        ([[1.0, 2.0]], [[0.0, 0.0]], "every row needs a positive weight and finite values"),
        (
            [[float("nan"), 2.0]],
            [[1.0, 1.0]],
            "every row needs a positive weight and finite values",
        ),
    ],
)
def test_array_forms_check_their_grids(values: Any, weights: Any, message: str) -> None:
    """Array forms take 2-D grids of one shape, each row with a positive weight on finite values."""
    with pytest.raises(InvalidArgument, match=message):
        mean().array(values, weights)


def test_a_decision_table_names_its_levels_in_its_description() -> None:
    """Tables with the same level-id rules but different level scores describe differently."""
    rules = [(["baik", "*"], "baik")]
    first = decision_table(rules, default="kurang", levels={"kurang": 1, "baik": 4})
    second = decision_table(rules, default="kurang", levels={"kurang": 1, "baik": 2})
    assert repr(first) == (
        "decision_table(rules=[{'when': ['baik', '*'], 'then': 'baik'}], default='kurang', "
        "levels={'kurang': 1, 'baik': 4})"
    )
    assert repr(first) != repr(second)
    assert repr(decision_table([([1, "*"], 2)])) == (
        "decision_table(rules=[{'when': [1, '*'], 'then': 2}], default=None)"
    )


@settings(max_examples=200, deadline=None)
@given(
    p=st.sampled_from([-3.0, -2.0, -1.0, -0.5, -0.001, 0.001, 0.5, 2.0, 3.0]),
    values=st.lists(
        st.floats(min_value=1e-300, max_value=1e300, allow_nan=False), min_size=1, max_size=5
    ),
    data=st.data(),
)
def test_a_power_mean_stays_within_its_children_whatever_their_size(
    p: float, values: list[float], data: st.DataObject
) -> None:
    """No power of a child overflows: the mean is finite, between the children, in both forms."""
    weights = data.draw(
        st.lists(
            st.floats(min_value=0.01, max_value=100), min_size=len(values), max_size=len(values)
        )
    )
    result = generalised(p)(values, weights)
    assert math.isfinite(result)
    assert min(values) <= result <= max(values)
    [row] = generalised(p).array(np.array([values]), np.array([weights])).tolist()
    assert math.isclose(row, result, rel_tol=1e-12)  # numpy's and libm's pow may differ in an ulp


def test_a_power_mean_of_children_far_apart_is_the_scaled_mean() -> None:
    """1e-209 and 1 under p = -2: the harmonic-like mean sqrt(2) * 1e-209, not an overflow."""
    assert generalised(-2)([1e-209, 1.0], [1, 1]) == pytest.approx(math.sqrt(2) * 1e-209)
    assert generalised(2)([1e200, 1.0], [1, 1]) == pytest.approx(1e200 / math.sqrt(2))
    assert generalised(2)([1e-200, 1e-200], [1, 1]) == 1e-200
