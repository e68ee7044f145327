"""Frameworks, evidence and results are immutable all the way down, so a cached built-in
framework or a shared result cannot be changed by one caller behind another's back."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from policyeval import evaluate, frameworks
from policyeval.evidence import Evidence
from policyeval.report._examples import two_unit_result


def _dunn_changes() -> list[Callable[[Any], None]]:
    return [
        lambda fw: fw.title.__setitem__("en", "Changed"),
        lambda fw: fw.description.update({"en": "Changed"}),
        lambda fw: fw.scales.pop(next(iter(fw.scales))),
        lambda fw: fw.attributes.__setitem__("x", 1),
        lambda fw: fw.node(fw.root).label.__setitem__("en", "Changed"),
        lambda fw: fw.node(fw.root).recommendation.clear(),
        lambda fw: fw.default_aggregator.params.__setitem__("p", 2),
        lambda fw: fw.scales[next(iter(fw.scales))].label.__setitem__("en", "Changed"),
        lambda fw: fw.graph.nodes[fw.root].__setitem__("node", None),
        lambda fw: fw.graph.edges[fw.root, fw.children(fw.root)[0]].__setitem__("weight", 9.0),
    ]


@pytest.mark.parametrize("change", _dunn_changes())
def test_a_cached_builtin_framework_cannot_be_changed(change: Callable[[Any], None]) -> None:
    """Every mapping reachable from a loaded framework refuses changes, and the next load
    is unchanged."""
    before = frameworks.load("dunn")
    with pytest.raises(TypeError, match="read-only"):
        change(frameworks.load("dunn"))
    assert frameworks.load("dunn") == before
    assert frameworks.load("dunn").title == before.title


def test_nested_parameters_are_frozen_too() -> None:
    """Lists and dicts inside node attributes become tuples and read-only mappings."""
    from policyeval.framework import Node

    node = Node("n", "dimension", attributes={"tags": ["a", "b"], "meta": {"years": [2023]}})
    assert node.attributes == {"tags": ("a", "b"), "meta": {"years": (2023,)}}
    with pytest.raises(TypeError, match="read-only"):
        node.attributes["meta"]["years"] = ()


def test_evidence_extra_columns_are_read_only() -> None:
    """An evidence item's extra columns cannot change."""
    item = Evidence(
        id="e1", indicator="k", rating="baik", source="s", technique="t", extra={"note": ["a"]}
    )
    with pytest.raises(TypeError):
        item.extra["note"] = "b"  # type: ignore[index]
    assert item.extra["note"] == ("a",)


def test_results_are_read_only() -> None:
    """An evaluation's judgements, sources and settings cannot change."""
    evaluation = two_unit_result().evaluation
    with pytest.raises(TypeError):
        evaluation.judgements["north", "money"] = evaluation.judgements["south", "money"]  # type: ignore[index]
    with pytest.raises(TypeError):
        evaluation.settings["min_share"] = 0.0  # type: ignore[index]
    with pytest.raises(TypeError):
        evaluation.sources.clear()


def test_frozen_objects_still_pickle_copy_and_compare() -> None:
    """Read-only mappings pickle and copy, and compare equal to dicts with the same items."""
    fw = frameworks.load("dunn")
    assert pickle.loads(pickle.dumps(fw)) == fw
    assert copy.deepcopy(fw) == fw
    assert fw.title == dict(fw.title)
    evaluation = evaluate(fw, [])
    assert pickle.loads(pickle.dumps(evaluation)).to_json() == evaluation.to_json()


def test_numeric_tables_problems_and_case_results_pickle() -> None:
    """Everything a worker process sends or receives pickles: a numeric case's table and
    result, an uncertainty, a problem without a value (still ``UNSET`` after the trip) and an
    error carrying problems."""
    from pathlib import Path

    from policyeval.case import load_case, run_case
    from policyeval.exceptions import UNSET, EvidenceError, Problem
    from policyeval.uncertainty import Uncertainty

    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    result = run_case(case)
    assert result.numeric is not None
    table = pickle.loads(pickle.dumps(result.numeric.table))
    assert dict(table.groups) == dict(result.numeric.table.groups)
    assert table.groups and table.denominators
    assert pickle.loads(pickle.dumps(result)).to_json() == result.to_json()
    uncertainty = Uncertainty(weights={"*": 0.25}, aggregators={"root": ("mean", "median")})
    assert pickle.loads(pickle.dumps(uncertainty)) == uncertainty
    problem = Problem("no such level", file="evidence.csv", row=4, key="rating")
    again = pickle.loads(pickle.dumps(problem))
    assert again == problem and again.value is UNSET
    assert str(again) == "evidence.csv: row 4: rating: no such level"
    error = pickle.loads(pickle.dumps(EvidenceError([problem, Problem("bad", value=5)])))
    assert isinstance(error, EvidenceError) and len(error.problems) == 2
