"""The engine in three stages: triangulate, score and aggregate, each usable alone,
composing to exactly what evaluate() wrote before the split."""

from __future__ import annotations

import numpy as np
import pytest

import golden_cases
from policyeval import evaluate, frameworks
from policyeval.aggregate import aggregate, edge_order, edge_weights
from policyeval.evaluate import judge
from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument, PluginContractError
from policyeval.framework_io import load_framework
from policyeval.score import score
from policyeval.triangulate import triangulate

EXAMPLE = golden_cases.HERE / "data" / "framework_example.toml"


@pytest.mark.parametrize("name", sorted(golden_cases.documents()))
def test_json_is_byte_identical_to_the_single_loop_engine(name: str) -> None:
    """The Serang case and the six-village example give the bytes the engine wrote before it
    was split into stages (files written by the earlier engine)."""
    expected = (golden_cases.GOLDEN / name).read_text(encoding="utf-8")
    assert golden_cases.documents()[name] == expected


def test_the_stages_compose_to_evaluate() -> None:
    """triangulate -> score -> aggregate -> judge gives the same evaluation as evaluate()."""
    framework = load_framework(EXAMPLE)
    items = golden_cases.example_evidence()
    found = triangulate(framework, items)
    table = score(framework, found)
    nodes = aggregate(framework, table)
    assert judge(nodes).to_json() == evaluate(framework, items).to_json()
    assert table.units == found.units == nodes.units
    assert table.scores.shape == (len(found.units), len(framework.indicators))


def test_reaggregating_never_triangulates_again_nor_rebuilds_the_framework() -> None:
    """A rule that counts its calls is called once per unit and indicator, however many times
    the scores are aggregated with other weights and aggregators."""
    framework = load_framework(EXAMPLE)
    items = golden_cases.example_evidence()
    calls = []
    source = __import__("policyeval.registry", fromlist=["rule"]).rule("source")

    def counting(evidence, scale):  # type: ignore[no-untyped-def]
        calls.append(1)
        return source(evidence, scale)

    table = score(framework, triangulate(framework, items, rules=counting))
    after_triangulation = len(calls)
    graph_before = framework.graph
    results = [
        aggregate(framework, table, weights=np.full(len(edge_order(framework)), w), aggregators=a)
        for w in (0.5, 1.0, 3.0)
        for a in (None, "median", "min")
    ]
    assert len(calls) == after_triangulation == len(table.units) * len(framework.indicators)
    assert framework.graph is graph_before
    assert len({r.scores.tobytes() for r in results}) > 1


def test_weights_as_a_mapping_override_only_the_named_edges() -> None:
    """weights={(parent, child): w} changes that edge; the others keep the framework's weights."""
    framework = load_framework(EXAMPLE)
    chosen = edge_weights(framework, {("sumber_daya", "anggaran"): 3.0})
    assert chosen["sumber_daya"] == (1.0, 3.0)
    assert chosen["layanan"] == (2.0, 1.0)
    assert chosen["hasil"] == (1.0, 0.5)


def test_weights_as_an_array_follow_edge_order() -> None:
    """An array gives one weight per edge of edge_order(framework), parents in declaration
    order, each followed by its children."""
    framework = load_framework(EXAMPLE)
    order = edge_order(framework)
    assert order == (
        ("layanan", "sumber_daya"),
        ("layanan", "hasil"),
        ("sumber_daya", "kompetensi"),
        ("sumber_daya", "anggaran"),
        ("hasil", "kompetensi"),
        ("hasil", "kepuasan"),
    )
    chosen = edge_weights(framework, [1, 2, 3, 4, 5, 6])
    assert chosen == {"layanan": (1.0, 2.0), "sumber_daya": (3.0, 4.0), "hasil": (5.0, 6.0)}


@pytest.mark.parametrize(
    "weights, message",
    [
        ({("layanan", "kepuasan"): 1.0}, "edges the framework does not have"),
        ([1, 2, 3], "one weight per edge"),
        ({("layanan", "hasil"): -1.0}, "finite and >= 0"),
        ([1, 2, 3, 4, 5, float("nan")], "finite and >= 0"),
    ],
)
def test_bad_weights_are_refused_with_the_edge_named(weights: object, message: str) -> None:
    """Unknown edges, a wrong length and negative or nan weights raise InvalidArgument."""
    with pytest.raises(InvalidArgument, match=message):
        edge_weights(load_framework(EXAMPLE), weights)  # type: ignore[arg-type]


def test_evaluate_takes_weights_and_reports_them_in_the_judgements() -> None:
    """Weights given to evaluate() are the ones each inner judgement records and uses."""
    framework = load_framework(EXAMPLE)
    items = golden_cases.example_evidence()
    result = evaluate(framework, items, weights={("layanan", "hasil"): 0.0})
    unit = result.units[0]
    root = result.judgement(unit, "layanan")
    assert root.weights == (2.0, 0.0)
    assert root.score == result.judgement(unit, "sumber_daya").score


def test_a_failing_aggregator_names_the_unit_and_the_node() -> None:
    """An exception inside an aggregator comes out naming unit and node."""
    framework = load_framework(EXAMPLE)
    items = golden_cases.example_evidence()

    def broken(values, weights):  # type: ignore[no-untyped-def]
        raise ValueError("cannot")

    with pytest.raises(PluginContractError, match=r"unit='desa-0', node='hasil'.*cannot"):
        evaluate(framework, items, aggregators={"hasil": broken}, min_share=0)


def test_a_failing_rule_names_the_unit_and_the_indicator() -> None:
    """An exception inside a triangulation rule comes out naming unit and indicator."""
    framework = frameworks.load("agustino")
    item = Evidence(
        id="E1",
        unit="u",
        indicator="kompetensi",
        rating="baik",
        source="s",
        source_category="asn",
        technique="interview",
    )

    def broken(evidence, scale):  # type: ignore[no-untyped-def]
        raise LookupError("no such thing")

    with pytest.raises(
        PluginContractError, match=r"unit='u', indicator='kompetensi'.*no such thing"
    ):
        triangulate(framework, [item], rules=broken)


def test_stage_results_are_read_only() -> None:
    """Score tables and node scores cannot be changed after the fact."""
    framework = load_framework(EXAMPLE)
    table = score(framework, triangulate(framework, golden_cases.example_evidence()))
    nodes = aggregate(framework, table)
    with pytest.raises(ValueError, match="read-only"):
        table.scores[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        nodes.scores[0, 0] = 1.0
    with pytest.raises(TypeError):
        nodes.weights["layanan"] = (1.0, 1.0)  # type: ignore[index]
