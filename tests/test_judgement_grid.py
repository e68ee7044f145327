"""The judgement grid: judging every node as units x nodes arrays gives the judgements and the
JSON that judging node by node gives, and makes each judgement only when it is read."""

from __future__ import annotations

import io
import pickle
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import evaluate
from policyeval._judgements import JudgementGrid
from policyeval._rule_arrays import AssessmentFields
from policyeval.aggregate import aggregate, edge_order
from policyeval.evaluate import judge
from policyeval.evidence import Evidence
from policyeval.evidence_table import EvidenceTable
from policyeval.framework import Framework, Node
from policyeval.protocols import Assessment, Confidence, Status
from policyeval.registry import build_confidence_rule
from policyeval.score import score
from policyeval.triangulate import AssessmentTable, triangulate
from policyeval.triangulation import source_triangulation
from random_frameworks import random_dag
from test_array_core import AGGREGATORS, FOUR, WEIGHTS

LEVELS = ("good", "fair", "poor", "bad")
CATEGORIES = ("asn", "warga", "dokumen")


@st.composite
def inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A random DAG on a four-level scale, evidence and data for some cells, and the options."""
    framework = random_dag(draw, FOUR, inner=4, indicators=5)
    units = [f"u{k}" for k in range(draw(st.integers(1, 4)))]
    items: list[Evidence] = []
    data: dict[str, dict[str, float]] = {}
    for unit in units:
        for indicator in framework.indicators:
            source = draw(st.sampled_from(("none", "evidence", "evidence", "data")))
            if source == "data":
                data.setdefault(unit, {})[indicator] = float(draw(st.integers(1, 4)))
            elif source == "evidence":
                for copy in range(draw(st.integers(1, 3))):
                    items.append(
                        Evidence(
                            id=f"{unit}-{indicator}-{copy}",
                            unit=unit,
                            indicator=indicator,
                            rating=draw(st.sampled_from(LEVELS)),
                            source=f"s{draw(st.integers(1, 3))}",
                            source_category=draw(st.sampled_from(CATEGORIES)),
                            technique="interview",
                        )
                    )
    return {
        "framework": framework,
        "items": items,
        "data": data or None,
        "units": units,
        "aggregators": {n: draw(st.sampled_from(AGGREGATORS)) for n in framework.inner_nodes},
        "weights": [draw(WEIGHTS) for _ in edge_order(framework)],
        "min_share": draw(st.sampled_from((0.0, 0.5, 1.0))),
        "confidence": draw(st.sampled_from(("weakest", "weighted_median"))),
    }


def _judged(case: dict[str, Any], *, columnar: bool) -> Any:
    framework = case["framework"]
    found = triangulate(framework, EvidenceTable.from_items(case["items"]), units=case["units"])
    table = score(framework, found, case["data"], units=case["units"])
    nodes = aggregate(
        framework,
        table,
        aggregators=case["aggregators"],
        weights=case["weights"],
        min_share=case["min_share"],
    )
    rule = build_confidence_rule(case["confidence"])
    return judge(nodes, confidence_rule=rule, columnar=columnar)


@settings(max_examples=60, deadline=None)
@given(inputs())
def test_the_grid_gives_what_judging_node_by_node_gives(case: dict[str, Any]) -> None:
    """On random frameworks, evidence, data, aggregators, weights, shares and confidence rules,
    the columnar and the scalar judge write byte-identical JSON (both layouts) and make equal
    judgements, status paths and explanations."""
    columnar, scalar = _judged(case, columnar=True), _judged(case, columnar=False)
    assert isinstance(columnar.judgements, JudgementGrid)
    assert columnar.to_json() == scalar.to_json()
    assert columnar.to_json(compact=True) == scalar.to_json(compact=True)
    fresh = _judged(case, columnar=True)
    assert dict(fresh.judgements) == dict(scalar.judgements)
    for unit in columnar.units:
        assert columnar.status_origins(unit) == scalar.status_origins(unit)
        assert columnar.explain(unit) == scalar.explain(unit)


def test_evaluating_a_table_reads_judgements_from_the_grid_only_when_asked() -> None:
    """Evaluating an evidence table makes no judgement until one is read; reading the root makes
    the judgements below it once, and writing JSON makes none."""
    framework = Framework.build(
        id="small",
        scales=[FOUR],
        default_scale="four",
        nodes=[
            Node("root", "root", label={"en": "r"}),
            Node("a", "indicator", label={"en": "a"}, parents=("root",)),
            Node("b", "indicator", label={"en": "b"}, parents=("root",)),
        ],
    )
    items = [
        Evidence(id="e1", unit="u", indicator="a", rating="good", source="s1", technique="t"),
        Evidence(id="e2", unit="u", indicator="b", rating="poor", source="s2", technique="t"),
    ]
    evaluation = evaluate(framework, EvidenceTable.from_items(items))
    grid = evaluation.judgements
    assert isinstance(grid, JudgementGrid)
    evaluation.write_json(io.StringIO())
    assert grid._made == {}
    root = evaluation.judgement("u", "root")
    assert set(grid._made) == {("u", "root"), ("u", "a"), ("u", "b")}
    assert evaluation.judgement("u", "root") is root
    assert root.evidence == ("e1", "e2") and root.children == ("a", "b")
    assert list(grid) == [("u", "root"), ("u", "a"), ("u", "b")] and len(grid) == 3
    assert ("u", "c") not in grid and ("v", "root") not in grid
    assert pickle.loads(pickle.dumps(evaluation)).to_json() == evaluation.to_json()


def test_assessment_fields_follow_the_assessment_class() -> None:
    """The fields the JSON writer reads are the Assessment's, in its order."""
    assert AssessmentFields._fields == tuple(field.name for field in attrs.fields(Assessment))


@settings(max_examples=40, deadline=None)
@given(inputs())
def test_a_table_of_assessments_reads_as_the_rules_give_them(case: dict[str, Any]) -> None:
    """Triangulating a table keeps the built-in rule's groups as arrays: each cell reads as the
    rule's assessment of the cell's items, and the arrays give its rating, status and
    confidence without making it."""
    framework, items, units = case["framework"], case["items"], case["units"]
    found = triangulate(framework, EvidenceTable.from_items(items), units=units)
    table = found.assessments
    assert isinstance(table, AssessmentTable)
    ratings, statuses, confidences = table.columns()
    rule = source_triangulation()
    for row, unit in enumerate(units):
        for column, indicator in enumerate(framework.indicators):
            given = sorted(
                (i for i in items if (i.unit, i.indicator) == (unit, indicator)),
                key=lambda item: item.id,
            )
            expected = rule(given, FOUR)
            assert table[unit, indicator] == expected
            fields = table.fields(unit, indicator)
            if isinstance(fields, Assessment):  # made already, or an assessment of no evidence
                fields = AssessmentFields.of(fields)
            assert fields == AssessmentFields.of(expected)
            assert ratings[row, column] == expected.rating
            assert tuple(Status)[statuses[row, column]] is expected.status
            confidence = confidences[row, column]
            assert (None if confidence < 0 else tuple(Confidence)[confidence]) == (
                expected.confidence
            )
    assert len(table) == len(units) * len(framework.indicators)
    assert ("nobody", "i0") not in table and table.fields("nobody", "i0") is None
