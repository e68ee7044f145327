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
from policyeval.aggregation import decision_table, generalised, mean, strongest, weakest_link
from policyeval.evidence import Evidence
from policyeval.framework import Framework, Node
from policyeval.scales import Level, OrdinalScale
from policyeval.score import ScoreTable

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
    inner = draw(st.integers(1, 4))
    leaves = draw(st.integers(1, 6))
    nodes = [Node("n0", "root", label={"en": "n0"})]
    for index in range(1, inner):
        parent = f"n{draw(st.integers(0, index - 1))}"
        nodes.append(Node(f"n{index}", "dimension", label={"en": "x"}, parents=(parent,)))
    childless = {f"n{i}" for i in range(inner)} - {p for n in nodes for p in n.parents}
    for index in range(leaves):
        parents = {f"n{draw(st.integers(0, inner - 1))}"}
        if childless:
            parents.add(childless.pop())
        if draw(st.booleans()):
            parents.add(f"n{draw(st.integers(0, inner - 1))}")
        nodes.append(Node(f"i{index}", "indicator", label={"en": "i"}, parents=sorted(parents)))
    for node in sorted(childless):  # any inner node still without a child gets an indicator
        nodes.append(Node(f"extra_{node}", "indicator", label={"en": "i"}, parents=(node,)))
    framework = Framework.build(id="random", scales=[FOUR], default_scale="four", nodes=nodes)
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
