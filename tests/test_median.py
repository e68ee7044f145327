"""One weighted lower median, exact on decimal weights, shared by consensus, the `median`
aggregator and the `weighted_median` confidence rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import registry
from policyeval.aggregation import median
from policyeval.confidence import weighted_median
from policyeval.consensus import consensus
from policyeval.consensus import weighted_lower_median as consensus_median
from policyeval.evidence import Evidence
from policyeval.median import integer_weights, weighted_lower_median
from policyeval.protocols import Confidence
from policyeval.scales import Level, OrdinalScale
from policyeval.testing.strategies import decimal_weights, weights

LEVELS = tuple(Confidence)
# An ordinal scale whose level scores are the confidence ranks, so all three read the same numbers.
RANKS = OrdinalScale("ranks", tuple(Level(f"l{rank}", rank) for rank in range(len(LEVELS))))


def test_consensus_reexports_the_one_median() -> None:
    """consensus.weighted_lower_median is the shared function, not a copy."""
    assert consensus_median is weighted_lower_median


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ([0.1, 0.2, 0.3], [1, 2, 3]),
        ([1, 2, 3], [1, 2, 3]),
        ([2, 0.25, 0.001], [2000, 250, 1]),
        ([1e-5, 1.5e-7], [1000, 15]),
        ([0.0, 4.0], [0, 4]),
        ([1.0000000000000002], [10000000000000002]),
    ],
)
def test_integer_weights_scale_decimals_to_integers(
    weights: list[float], expected: list[int]
) -> None:
    """Weights read as the decimals they print as, scaled by one power of ten."""
    assert integer_weights(weights) == expected


def test_decimal_weights_tie_as_integers_do() -> None:
    """0.1 + 0.2 against 0.3 is an exact half, as 1 + 2 against 3 is: the lower value wins.

    In binary 0.3 is a little under half of 0.1 + 0.2 + 0.3, which used to push the median up.
    """
    decimal = [(0.0, 0.3), (1.0, 0.1), (2.0, 0.2)]
    integer = [(0.0, 3.0), (1.0, 1.0), (2.0, 2.0)]
    assert weighted_lower_median(decimal) == weighted_lower_median(integer) == 0.0
    assert median()([0, 1, 2], [0.3, 0.1, 0.2]) == 0.0
    assert (
        weighted_median()(
            [Confidence.VERY_LOW, Confidence.LOW, Confidence.MODERATE], [0.3, 0.1, 0.2]
        )
        is Confidence.VERY_LOW
    )


def test_consensus_reads_decimal_weights_exactly() -> None:
    """Evidence weighted 0.3 on 'l0' against 0.1 + 0.2 on higher levels: a tie, so 'l0'."""
    items = [
        Evidence(
            id="a", indicator="k", rating="l0", source="s1", technique="interview", weight=0.3
        ),
        Evidence(
            id="b", indicator="k", rating="l1", source="s2", technique="interview", weight=0.1
        ),
        Evidence(
            id="c", indicator="k", rating="l2", source="s3", technique="interview", weight=0.2
        ),
    ]
    assert consensus(items, RANKS).rating == "l0"


def test_the_weighted_median_aggregator_is_the_median() -> None:
    """The registry's weighted_median aggregator is the one weighted median."""
    built = registry.aggregator("weighted_median")
    assert built([4, 2, 1], [0.3, 0.1, 0.2]) == median()([4, 2, 1], [0.3, 0.1, 0.2]) == 2.0


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda size: st.tuples(
            st.lists(st.integers(0, len(LEVELS) - 1), min_size=size, max_size=size),
            decimal_weights(size),
        )
    )
)
def test_the_three_medians_agree_on_decimal_weights(example: tuple[list[int], list[float]]) -> None:
    """Consensus, the median aggregator and the weighted_median confidence rule pick the same
    level for the same (rank, weight) pairs, and the same as with the weights scaled to integers."""
    ranks, weights = example
    scaled = [float(weight) for weight in integer_weights(weights)]
    expected = median()(ranks, scaled)

    assert median()(ranks, weights) == expected
    assert weighted_median()([LEVELS[rank] for rank in ranks], weights) is LEVELS[int(expected)]
    items = [
        Evidence(
            id=f"e{index}",
            indicator="k",
            rating=f"l{rank}",
            source=f"s{index}",
            technique="interview",
            weight=weight,
        )
        for index, (rank, weight) in enumerate(zip(ranks, weights, strict=True))
        if weight > 0
    ]
    assert consensus(items, RANKS).rating == f"l{int(expected)}"


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda size: st.tuples(
            st.lists(st.integers(0, 4).map(float), min_size=size, max_size=size),
            st.one_of(decimal_weights(size), weights(size)),
        )
    )
)
def test_the_fast_path_decides_as_the_exact_one(example: tuple[list[float], list[float]]) -> None:
    """Float sums decide only clear cases; every result equals the exact integer decision."""
    from policyeval.median import _exact_lower_median

    values, drawn = example
    pairs = list(zip(values, drawn, strict=True))
    assert weighted_lower_median(pairs) == _exact_lower_median(pairs)
