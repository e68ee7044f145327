"""Copeland's method: wins minus losses of each unit against every other, by weighted majority."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import registry
from policyeval.aggregation import copeland
from policyeval.exceptions import InvalidArgument
from policyeval.testing.strategies import decimal_weights, weights

COPELAND = copeland()


def test_copeland_by_hand() -> None:
    """A = (3, 3), B = (2, 2), C = (1, 3) with equal weights: A beats B on both children and C
    on the first (the second is a tie), so A wins both pairs (+2); B and C split evenly (0),
    so B and C each lose to A only (-1)."""
    assert COPELAND.array([[3, 3], [2, 2], [1, 3]], [[1, 1]] * 3) == [2.0, -1.0, -1.0]


def test_copeland_weights_decide_a_split_pair() -> None:
    """Weighting the second child 3:1 makes C (better on it) beat B: A 2, B -2, C 0."""
    assert COPELAND.array([[3, 3], [2, 2], [1, 3]], [[1, 3]] * 3) == [2.0, -2.0, 0.0]
    assert COPELAND.array([[3, 3], [2, 2], [1, 3]], [1, 3]) == [2.0, -2.0, 0.0]


def test_copeland_reads_decimal_weights_exactly() -> None:
    """Weights 0.1 + 0.2 against 0.3 split a pair exactly, as 1 + 2 against 3 does: a tie."""
    values = [[2, 2, 1], [1, 1, 2]]
    assert COPELAND.array(values, [0.1, 0.2, 0.3]) == COPELAND.array(values, [1, 2, 3]) == [0, 0]


def test_copeland_leaves_a_missing_child_out_of_the_pair() -> None:
    """Weight 0 marks a missing child: B lacks the second child, so A and B compare on the
    first only (B wins), while A beats C on both."""
    values = [[1, 5], [2, 0], [0, 0]]
    row_weights = [[1, 1], [1, 0], [1, 1]]
    assert COPELAND.array(values, row_weights) == [0.0, 2.0, -2.0]


def test_copeland_has_no_value_for_one_unit_alone() -> None:
    """Called like a per-unit aggregator, it explains that it ranks units against each other."""
    with pytest.raises(InvalidArgument, match="ranks units against each other"):
        COPELAND([1, 2], [1, 1])


@pytest.mark.parametrize(
    ("values", "row_weights", "message"),
    [
        ([[1, 2]], [[1, 1], [1, 1]], "units x children"),
        ([[1, 2], [1]], [[1, 1], [1, 1]], "units x children"),
        ([[1, float("nan")]], [[1, 1]], "finite"),
        ([[1, 2]], [[0, 0]], "positive"),
        ([[1, 2]], [[1, -1]], ">= 0"),
        ("12", [[1, 1]], "rows"),
    ],
)
def test_copeland_refuses_bad_tables(values: object, row_weights: object, message: str) -> None:
    """Ragged or mismatched tables, non-finite values and bad weights are refused."""
    with pytest.raises(InvalidArgument, match=message):
        COPELAND.array(values, row_weights)


def test_copeland_is_registered_and_not_compensatory() -> None:
    """The registry builds it by name; its repr is the factory call."""
    built = registry.aggregator("copeland")
    assert repr(built) == "copeland()" and not built.compensatory and built.cross_unit


@st.composite
def tables(draw: st.DrawFn, *, decimal: bool = False) -> tuple[list[list[float]], list[float]]:
    units = draw(st.integers(1, 6))
    children = draw(st.integers(1, 4))
    value = st.integers(0, 4).map(float)
    rows = draw(
        st.lists(
            st.lists(value, min_size=children, max_size=children), min_size=units, max_size=units
        )
    )
    return rows, draw((decimal_weights if decimal else weights)(children))


@settings(max_examples=60, deadline=None)
@given(tables(), st.randoms())
def test_copeland_laws(table: tuple[list[list[float]], list[float]], random: object) -> None:
    """Scores add up to 0 and lie in [-(n-1), n-1]; reordering the units reorders the scores;
    an increasing transformation of the values or a rescaling of the weights changes nothing."""
    rows, child_weights = table
    scores = COPELAND.array(rows, child_weights)
    n = len(rows)
    assert sum(scores) == 0
    assert all(-(n - 1) <= score <= n - 1 for score in scores)
    order = list(range(n))
    random.shuffle(order)  # type: ignore[attr-defined]
    moved = COPELAND.array([rows[index] for index in order], child_weights)
    assert moved == [scores[index] for index in order]
    assert (
        COPELAND.array([[value**3 + 1 for value in row] for row in rows], child_weights) == scores
    )
    assert COPELAND.array(rows, [weight * 8 for weight in child_weights]) == scores


@settings(max_examples=40, deadline=None)
@given(tables(decimal=True))
def test_copeland_decimal_weights_agree_with_integers(
    table: tuple[list[list[float]], list[float]],
) -> None:
    """Decimal weights give the scores their integer multiples give."""
    from policyeval.median import integer_weights

    rows, child_weights = table
    scaled = [float(weight) for weight in integer_weights(child_weights)]
    assert COPELAND.array(rows, child_weights) == COPELAND.array(rows, scaled)


@settings(max_examples=40, deadline=None)
@given(tables())
def test_a_unit_best_on_every_child_wins_every_pair(
    table: tuple[list[list[float]], list[float]],
) -> None:
    """A unit scoring above every other unit on every child gets n - 1."""
    rows, child_weights = table
    best = [max(column) + 1 for column in zip(*rows, strict=True)]
    assert COPELAND.array([*rows, best], child_weights)[-1] == len(rows)


@settings(max_examples=60, deadline=None)
@given(tables(decimal=True), st.data())
def test_the_array_path_agrees_with_the_pairwise_reference(
    table: tuple[list[list[float]], list[float]], data: st.DataObject
) -> None:
    """numpy's all-at-once scores equal the exact pair-by-pair scores, missing children included."""
    from policyeval.aggregation import _copeland_arrays, _copeland_pairs
    from policyeval.median import integer_weights

    rows, child_weights = table
    present = [[weight > 0 and data.draw(st.booleans()) for weight in child_weights] for _ in rows]
    scaled = integer_weights(child_weights)
    assert _copeland_arrays(rows, present, scaled) == _copeland_pairs(rows, present, scaled)
