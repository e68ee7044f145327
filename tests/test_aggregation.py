"""Built-in aggregators: concrete numbers, validation, and the laws every one keeps."""

from __future__ import annotations

import itertools
import math
from typing import Any

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
