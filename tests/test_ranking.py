"""Ranks of many units: competition ranks per node and unit, strengths and weaknesses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import Evaluation, evaluate
from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument
from policyeval.framework import Framework, Node
from policyeval.ranking import competition_ranks, strengths_and_weaknesses
from policyeval.report.compare import compare
from policyeval.scales import Level, OrdinalScale

SCALE = OrdinalScale(
    "four",
    tuple(Level(f"l{score}", score, label={"en": f"L{score}"}) for score in (4, 3, 2, 1)),
)


def framework() -> Framework:
    """A root over three indicators a, b, c with equal weights."""
    return Framework.build(
        id="three",
        scales=[SCALE],
        default_scale="four",
        nodes=[
            Node("index", "root", label={"en": "Index"}),
            *(
                Node(name, "indicator", parents=("index",), label={"en": name.upper()})
                for name in "abc"
            ),
        ],
    )


def rated(unit: str, ratings: dict[str, int]) -> list[Evidence]:
    return [
        Evidence(
            id=f"{unit}-{node}",
            unit=unit,
            indicator=node,
            rating=f"l{score}",
            source="s",
            technique="interview",
        )
        for node, score in ratings.items()
    ]


# Scores by hand: u = (4, 1, 2) -> 7/3; v = (3, 3, 2) -> 8/3; w = (2, 3, 2) -> 7/3; x has only a = 1.
UNITS = {
    "u": {"a": 4, "b": 1, "c": 2},
    "v": {"a": 3, "b": 3, "c": 2},
    "w": {"a": 2, "b": 3, "c": 2},
    "x": {"a": 1},
}


def result() -> Evaluation:
    items = [item for unit, ratings in UNITS.items() for item in rated(unit, ratings)]
    return evaluate(framework(), items, min_share=0)


def test_ranks_per_node_are_competition_ranks() -> None:
    """On a: 4 > 3 > 2 > 1 gives 1, 2, 3, 4; on b, v and w tie for 1 and u is 3rd; x has no b."""
    evaluation = result()
    assert dict(evaluation.ranks("a")) == {"u": 1, "v": 2, "w": 3, "x": 4}
    assert dict(evaluation.ranks("b")) == {"u": 3, "v": 1, "w": 1, "x": None}
    # The index: v 8/3, u and w 7/3 (tied), x 1.
    assert dict(evaluation.ranks("index")) == {"u": 2, "v": 1, "w": 2, "x": 4}
    assert evaluation.rank("w", "index") == 2


def test_unknown_units_and_nodes_are_named() -> None:
    """Asking for a rank of an unknown unit or node is a KeyError naming it."""
    evaluation = result()
    with pytest.raises(KeyError, match="'nowhere'"):
        evaluation.ranks("nowhere")
    with pytest.raises(KeyError, match="unit='y'"):
        evaluation.rank("y", "a")


def test_strengths_and_weaknesses_by_hand() -> None:
    """u ranks 1st of 4 on a (upper half) and 3rd of 3 on b (lower half); c ties everyone."""
    evaluation = result()
    assert evaluation.strengths_and_weaknesses("u") == (("a",), ("b",))
    assert evaluation.strengths_and_weaknesses("v") == (("b", "a"), ())
    assert evaluation.strengths_and_weaknesses("x") == ((), ("a",))
    assert evaluation.strengths_and_weaknesses("u", 0) == ((), ())


def test_comparison_carries_strengths_and_weaknesses() -> None:
    """compare() ranks indicators among the compared units and lists each unit's sides."""
    import attrs

    from policyeval.report._examples import two_unit_result

    base = two_unit_result()
    comparison = compare([attrs.evolve(base, evaluation=result())])
    sides = {unit.key: (unit.strengths, unit.weaknesses) for unit in comparison.units}
    assert sides["u"] == (("a",), ("b",))
    document = comparison.to_dict()
    by_key = {unit["key"]: unit for unit in document["units"]}
    assert (by_key["u"]["strengths"], by_key["u"]["weaknesses"]) == (["a"], ["b"])


def test_json_has_a_rank_per_node_and_unit() -> None:
    """The evaluation's JSON puts each unit's rank next to every node's score."""
    import json

    document = json.loads(result().to_json())
    assert document["schema"] == "policyeval.evaluation/4"
    assert document["units"]["x"]["nodes"]["b"]["rank"] is None
    assert document["units"]["v"]["nodes"]["index"]["rank"] == 1


def test_strengths_refuse_bad_n() -> None:
    """n must be a non-negative integer."""
    with pytest.raises(InvalidArgument, match="n=-1"):
        strengths_and_weaknesses({}, "u", -1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 5).map(float)), max_size=8))
def test_competition_ranks_count_the_better_scores(scores: list[float | None]) -> None:
    """Each rank is one more than the number of strictly higher scores; None has none."""
    ranks = competition_ranks(scores)
    defined = [score for score in scores if score is not None]
    for score, rank in zip(scores, ranks, strict=True):
        if score is None:
            assert rank is None
        else:
            assert rank == 1 + sum(other > score for other in defined)
