"""The array core: aggregating every unit at once agrees with calling each aggregator unit by
unit (the reference), and decision tables give a defined result when children are missing."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import evaluate
from policyeval.aggregate import aggregate, edge_order
from policyeval.aggregation import (
    bars,
    decision_table,
    generalised,
    mean,
    median,
    strongest,
    weakest_link,
)
from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument
from policyeval.framework import Framework, Node
from policyeval.registry import build_scorer
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale
from policyeval.score import ScoreTable
from policyeval.scorers import bands as banded
from policyeval.scorers import levels
from policyeval.testing import LOWER_IS_BETTER_SCALE
from policyeval.testing.strategies import FOUR_LEVEL_SCALE, PERCENT_SCALE
from random_frameworks import random_dag

FOUR = OrdinalScale(
    "four",
    tuple(
        Level(name, score, label={"en": name})
        for name, score in (("good", 4), ("fair", 3), ("poor", 2), ("bad", 1))
    ),
)
AGGREGATORS = (
    "mean",
    "geometric",
    "harmonic",
    {"name": "generalised", "p": 2},
    {"name": "generalised", "p": -2.5},
    {"name": "generalised", "p": 0.5},
    "min",
    "max",
    "median",
    {"name": "bars", "rules": [{"at_or_below": 2, "cap": 3}]},
)
# A few weights, zero included, so sums stay exact and renormalisation is exercised.
WEIGHTS = st.sampled_from((0.0, 0.1, 0.25, 0.3, 1.0, 2.0, 3.5))
VALUES = st.one_of(
    st.just(math.nan),
    st.sampled_from((0.0, 1.0, 2.5, 4.0)),
    # Thousandths: realistic scores (a power mean with p < 0 overflows on values near 1e-200).
    st.integers(min_value=0, max_value=10_000).map(lambda k: k / 1000),
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Framework, ScoreTable, dict[str, Any], list[float], float]:
    """A small random DAG, a score table with missing cells, aggregators, weights, min_share."""
    framework = random_dag(draw, FOUR, inner=4, indicators=6, extra_parents=True)
    units = tuple(f"u{k}" for k in range(draw(st.integers(1, 5))))
    grid = np.array(
        [[draw(VALUES) for _ in framework.indicators] for _ in units], dtype=np.float64
    ).reshape(len(units), len(framework.indicators))
    table = ScoreTable(
        framework=framework,
        units=units,
        indicators=framework.indicators,
        scores=grid,
        values=grid,
        levels={},
        origins={},
        scorers={},
    )
    aggregators = {node: draw(st.sampled_from(AGGREGATORS)) for node in framework.inner_nodes}
    weights = [draw(WEIGHTS) for _ in edge_order(framework)]
    min_share = draw(st.sampled_from((0.0, 0.5, 1.0)))
    return framework, table, aggregators, weights, min_share


@settings(max_examples=150, deadline=None)
@given(cases())
def test_array_and_scalar_paths_agree_within_1e_12(case: Any) -> None:
    """On random frameworks, weights and missing cells, every node's score from the array core
    equals the scalar reference within 1e-12, and both leave the same nodes undefined."""
    framework, table, aggregators, weights, min_share = case
    options = {"aggregators": aggregators, "weights": weights, "min_share": min_share}
    fast = aggregate(framework, table, vectorise=True, **options)
    slow = aggregate(framework, table, vectorise=False, **options)
    assert np.array_equal(np.isnan(fast.scores), np.isnan(slow.scores))
    defined = ~np.isnan(slow.scores)
    assert np.allclose(fast.scores[defined], slow.scores[defined], rtol=1e-12, atol=1e-12)
    assert np.array_equal(fast.share_present, slow.share_present, equal_nan=True)


@pytest.mark.parametrize(
    "aggregator",
    [
        mean(),
        generalised(2),
        generalised(0),
        generalised(-1),
        generalised(-3),
        weakest_link(),
        strongest(),
        median(),
        bars([{"at_or_below": 2, "cap": 3}]),
        bars([{"at_or_below": 1, "cap": 1.5}], base="max"),
    ],
    ids=repr,
)
def test_array_forms_by_hand(aggregator: Any) -> None:
    """Each array form gives, row by row, exactly the scalar form's number."""
    values = np.array([[4.0, 2.0, 1.0], [3.0, 0.0, 9.0], [2.0, 2.0, 7.0]])
    weights = np.array([[1.0, 1.0, 2.0], [1.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    expected = [aggregator(list(v), list(w)) for v, w in zip(values, weights, strict=True)]
    assert aggregator.array(values, weights).tolist() == pytest.approx(expected, rel=1e-15)


def test_the_mean_array_form_matches_a_hand_computation() -> None:
    """(4*1 + 2*1 + 1*2) / 4 = 2 and (3 + 9) / 2 = 6, the zero-weight 0 left out."""
    values = np.array([[4.0, 2.0, 1.0], [3.0, 0.0, 9.0]])
    weights = np.array([[1.0, 1.0, 2.0], [1.0, 0.0, 1.0]])
    assert mean().array(values, weights).tolist() == [2.0, 6.0]


def test_the_median_array_form_by_hand() -> None:
    """Sorted (1, 2, 4) with weights (2, 1, 1): 2 of 4 reaches half at 1. Sorted (0, 3, 9) with
    weights (1, 0, 1): the zero-weight 3 is left out, and 0 reaches half. A near tie (0.1 + 0.2
    against 0.3) is decided as the scalar form decides it."""
    values = np.array([[4.0, 2.0, 1.0], [3.0, 0.0, 9.0], [1.0, 2.0, 0.0]])
    weights = np.array([[1.0, 1.0, 2.0], [0.0, 1.0, 1.0], [0.1, 0.2, 0.3]])
    expected = [median()(list(v), list(w)) for v, w in zip(values, weights, strict=True)]
    assert median().array(values, weights).tolist() == expected
    assert expected[:2] == [1.0, 0.0]


def test_bars_without_an_array_form_in_the_base_leave_it_to_the_scalar_path() -> None:
    """The engine falls back to unit-by-unit calls when an array form refuses."""

    def middle(values: Any, weights: Any) -> float:
        return float(sorted(values)[len(values) // 2])

    rubric = bars([{"at_or_below": 2, "cap": 3}], base=middle)
    with pytest.raises(InvalidArgument, match="no array form"):
        rubric.array(np.array([[4.0, 1.0]]), np.array([[1.0, 1.0]]))


# Scorers: the array forms against the scalar reference ------------------------------------------

UP_SCALE = NumericScale(
    id="up",
    minimum=0,
    maximum=100,
    bands=Bands(cuts=(50.0, 75.0, 90.0), levels=("d", "c", "b", "a"), ties="up"),
    levels=OrdinalScale(
        "letters",
        tuple(Level(k, s, label={"en": k}) for k, s in (("a", 4), ("b", 3), ("c", 2), ("d", 1))),
    ),
)
NUMBERS = st.one_of(
    st.just(math.nan), st.sampled_from((50.0, 75.0, 90.0)), st.integers(0, 100).map(float)
)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(NUMBERS, min_size=1, max_size=8),
    scale=st.sampled_from((PERCENT_SCALE, UP_SCALE)),
)
def test_the_bands_scorer_reads_every_value_as_one_value_at_a_time(
    cells: list[float], scale: NumericScale
) -> None:
    """The whole-column bands give each value its level's score, cuts included, ties either way."""
    units = [f"u{k}" for k in range(len(cells))]
    scores = banded()(np.array(cells), scale, units=units)
    for value, got in zip(cells, scores.tolist(), strict=True):
        if math.isnan(value):
            assert math.isnan(got)
        else:
            level = scale.level_for_value(value)
            assert level is not None
            assert got == level.score


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(st.sampled_from((1.0, 2.0, 3.0, 4.0, math.nan)), min_size=1, max_size=8))
def test_the_levels_scorer_passes_level_scores_and_names_a_stray_one(cells: list[float]) -> None:
    units = [f"u{k}" for k in range(len(cells))]
    np.testing.assert_array_equal(levels()(np.array(cells), FOUR_LEVEL_SCALE, units=units), cells)
    with pytest.raises(InvalidArgument, match=r"unit='u0' has value=2.5"):
        levels()(np.array([2.5, *cells]), FOUR_LEVEL_SCALE, units=["u0", *units])


NORMALISER_SPECS = (
    {"name": "min_max", "low": 0, "high": 100},
    {"name": "min_max", "low": 1, "high": 4},
    {"name": "z_score"},
    {"name": "rank"},
    {"name": "goalposts", "low": 10, "high": 60},
)


@st.composite
def scored_blocks(draw: st.DrawFn) -> tuple[np.ndarray, list[Any]]:
    rows = draw(st.integers(1, 6))
    width = draw(st.integers(1, 4))
    cell = st.one_of(st.just(math.nan), st.integers(0, 1000).map(lambda k: k / 10))
    block = np.array(draw(st.lists(cell, min_size=rows * width, max_size=rows * width)))
    scales = [
        draw(st.sampled_from((PERCENT_SCALE, LOWER_IS_BETTER_SCALE, UP_SCALE)))
        for _ in range(width)
    ]
    return block.reshape(rows, width), scales


@settings(max_examples=100, deadline=None)
@given(block_and_scales=scored_blocks(), spec=st.sampled_from(NORMALISER_SPECS))
def test_scoring_a_block_of_indicators_at_once_agrees_with_column_by_column_within_1e_12(
    block_and_scales: tuple[np.ndarray, list[Any]], spec: dict[str, Any]
) -> None:
    """A normalising scorer's array form over many indicators, each flipped by its own scale,
    gives each column's scalar scores within 1e-12, or refuses where a column is refused."""
    block, scales = block_and_scales
    scorer = build_scorer(spec)
    units = tuple(f"u{k}" for k in range(block.shape[0]))
    alone = []
    for column, scale in enumerate(scales):
        try:
            alone.append(scorer(block[:, column], scale, units=units))
        except InvalidArgument:
            alone.append(None)
    if any(column is None for column in alone):
        with pytest.raises(InvalidArgument):
            scorer.columns(block, scales, units=units)
        return
    together = scorer.columns(block, scales, units=units)
    for column, expected in enumerate(alone):
        assert np.array_equal(np.isnan(together[:, column]), np.isnan(expected))
        assert np.allclose(together[:, column], expected, rtol=1e-12, atol=1e-12, equal_nan=True)


# Decision tables with missing children ----------------------------------------------------------

TABLE = decision_table(
    [
        (["good", "good"], "good"),
        (["good", "*"], "fair"),
        (["poor", "*"], "poor"),
    ],
    default="bad",
    levels={"good": 4, "fair": 3, "poor": 2, "bad": 1},
)


def test_an_unknown_child_gives_the_set_of_reachable_results() -> None:
    """DEXi's convention: the unknown child may take any value."""
    assert TABLE.partial([4.0, None], [1, 1]) == [3.0, 4.0]
    assert TABLE.partial([2.0, None], [1, 1]) == [2.0]
    assert TABLE.partial([None, 4.0], [1, 1]) == [1.0, 2.0, 3.0, 4.0]
    assert TABLE.partial([1.0, None], [1, 1]) == [1.0]


def _two_children() -> Framework:
    return Framework.build(
        id="dex",
        scales=[FOUR],
        default_scale="four",
        default_aggregator={
            "name": "decision_table",
            "rules": [
                {"when": ["good", "good"], "then": "good"},
                {"when": ["good", "*"], "then": "fair"},
                {"when": ["poor", "*"], "then": "poor"},
            ],
            "default": "bad",
            "levels": {"good": 4, "fair": 3, "poor": 2, "bad": 1},
        },
        nodes=[
            Node("root", "root", label={"en": "Root"}),
            Node("a", "indicator", label={"en": "A"}, parents=("root",)),
            Node("b", "indicator", label={"en": "B"}, parents=("root",)),
        ],
    )


def _rated(unit: str, indicator: str, rating: str) -> Evidence:
    return Evidence(
        id=f"{unit}-{indicator}",
        unit=unit,
        indicator=indicator,
        rating=rating,
        source="s",
        source_category="c",
        technique="interview",
    )


def test_missing_children_under_a_decision_table_never_stop_the_evaluation() -> None:
    """One unit reaches a single result, another several (undefined, with the set named), and
    a third with every child known is evaluated as usual: all in one call."""
    items = [_rated("single", "a", "poor"), _rated("several", "a", "good")]
    items += [_rated("full", "a", "good"), _rated("full", "b", "good")]
    result = evaluate(_two_children(), items, min_share=0)
    assert result.judgement("single", "root").level == "poor"
    undefined = result.judgement("several", "root")
    assert undefined.score is None
    assert "can reach fair (3), good (4)" in undefined.explanation
    assert result.judgement("full", "root").level == "good"
