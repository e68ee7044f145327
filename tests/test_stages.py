"""The engine in three stages: triangulate, score and aggregate, each usable alone,
composing to exactly what evaluate() wrote before the split."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import golden_cases
from policyeval import evaluate, frameworks
from policyeval.aggregate import aggregate, edge_order, edge_weights
from policyeval.evaluate import judge
from policyeval.evidence import Evidence
from policyeval.exceptions import EvidenceError, InvalidArgument, PluginContractError
from policyeval.framework_io import load_framework
from policyeval.protocols import Assessment
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


# --- the aggregate stage: arguments checked, array forms checked against the scalar form ------


def _mini_scores() -> Any:
    from conftest import make_framework

    framework = make_framework()
    data = {
        "a": {"kejelasan": 4.0, "konsistensi": 2.0, "kompetensi": 3.0, "realisasi": 95.0},
        "b": {"kejelasan": 1.0, "konsistensi": 1.0, "kompetensi": 2.0, "realisasi": 60.0},
    }
    return framework, score(framework, data=data)


def test_node_scores_answer_per_unit_and_node() -> None:
    """score() and column() read the aggregated scores; an unknown unit or node is a KeyError."""
    framework, table = _mini_scores()
    nodes = aggregate(framework, table)
    assert nodes.score("a", "komunikasi") == 3.0
    assert nodes.column("komunikasi").tolist() == [3.0, 1.0]
    assert nodes.score("b", "sumber_daya") == 2.0
    with pytest.raises(KeyError, match="no score for unit='c', node='komunikasi'"):
        nodes.score("c", "komunikasi")
    with pytest.raises(KeyError, match="no score for unit='a', node='komunikas'"):
        nodes.score("a", "komunikas")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"aggregators": {"kejelasan": "min"}},
            r"aggregators name nodes that do not aggregate: \['kejelasan'\]",
        ),
        ({"min_share": 1.5}, r"min_share must be a number in \[0, 1\], got min_share=1.5"),
        ({"min_share": "half"}, "got min_share='half'"),
    ],
)
def test_bad_aggregate_arguments_are_refused(arguments: dict[str, Any], message: str) -> None:
    """Aggregators for indicators and a share outside [0, 1] raise InvalidArgument."""
    framework, table = _mini_scores()
    with pytest.raises(InvalidArgument, match=message):
        aggregate(framework, table, **arguments)


def test_scores_of_another_framework_are_refused() -> None:
    """A score table whose indicators are not the framework's, in order, is refused."""
    framework, _ = _mini_scores()
    other = load_framework(EXAMPLE)
    table = score(other, triangulate(other, golden_cases.example_evidence()))
    with pytest.raises(InvalidArgument, match="scores must have one column per indicator"):
        aggregate(framework, table)


class _ArrayMean:
    """A mean whose array form is broken in one way, to show the scalar form takes over."""

    def __init__(self, broken: str, *, cross_unit: bool = False) -> None:
        self.broken, self.cross_unit, self.calls = broken, cross_unit, 0

    def __call__(self, values: Any, weights: Any) -> float:
        self.calls += 1
        return float(np.average(values, weights=weights))

    def array(self, values: Any, weights: Any) -> Any:
        if self.broken == "raises":
            raise ArithmeticError("no array today")
        return np.zeros(1)  # the wrong shape

    def __repr__(self) -> str:
        return f"array_mean(broken={self.broken!r})"


@pytest.mark.parametrize("broken", ["raises", "shape"])
def test_an_array_form_that_fails_gives_way_to_the_scalar_calls(broken: str) -> None:
    """When an aggregator's array form raises or returns the wrong shape, each unit is
    aggregated by the scalar form, with the same results as a plain mean."""
    framework, table = _mini_scores()
    chosen = _ArrayMean(broken)
    nodes = aggregate(framework, table, aggregators={"komunikasi": chosen})
    assert chosen.calls == 2
    assert (
        nodes.column("komunikasi").tolist()
        == aggregate(framework, table).column("komunikasi").tolist()
    )


def test_a_cross_unit_aggregator_whose_array_form_fails_names_the_node() -> None:
    """An aggregator comparing units has no scalar fallback: its failure names the node."""
    framework, table = _mini_scores()
    chosen = _ArrayMean("raises", cross_unit=True)
    with pytest.raises(PluginContractError, match=r"failed for node='komunikasi': no array today"):
        aggregate(framework, table, aggregators={"komunikasi": chosen})


def test_a_contract_error_raised_by_an_aggregator_passes_through_unchanged() -> None:
    """An aggregator may raise PluginContractError itself; its message is kept as it is."""
    framework, table = _mini_scores()

    def strict(values: Any, weights: Any) -> float:
        raise PluginContractError("strict wants three children")

    with pytest.raises(PluginContractError, match=r"^strict wants three children$"):
        aggregate(framework, table, aggregators={"komunikasi": strict})


# --- the triangulate stage: evidence checked, rules held to their contract --------------------


def _item(item_id: str, indicator: str = "kompetensi", unit: str = "u") -> Evidence:
    return Evidence(
        id=item_id,
        unit=unit,
        indicator=indicator,
        rating="baik",
        source="s",
        source_category="asn",
        technique="interview",
    )


def test_a_triangulation_answers_per_unit_and_indicator() -> None:
    """assessment() reads one cell; an unknown unit or indicator is a KeyError naming both."""
    found = triangulate(frameworks.load("agustino"), [_item("E1")])
    assert found.assessment("u", "kompetensi").evidence == ("E1",)
    with pytest.raises(KeyError, match="no assessment for unit='v', indicator='kompetensi'"):
        found.assessment("v", "kompetensi")


@pytest.mark.parametrize(
    ("items", "arguments", "message"),
    [
        (
            [_item("E1", unit="w")],
            {"units": ["u"]},
            r"evidence names units not in units=\['u'\]: \['w'\]",
        ),
        (
            [_item("E1")],
            {"rules": {"kepemimpinan_x": "source"}},
            r"rules name nodes that are not indicators",
        ),
        ([_item("E1"), _item("E1")], {}, r"duplicate evidence id \(got 'E1'\)"),
        (
            [_item("E1", indicator="kompetensy")],
            {},
            r"evidence 'E1': unknown indicator \(got 'kompetensy'\)",
        ),
        (
            [_item("E1", indicator="sumber_daya_aparatur")],
            {},
            r"evidence 'E1': 'sumber_daya_aparatur' is not an indicator",
        ),
    ],
)
def test_evidence_and_rules_that_do_not_fit_the_framework_are_refused(
    items: list[Evidence], arguments: dict[str, Any], message: str
) -> None:
    """Units outside `units`, rules for non-indicators, duplicate ids, unknown indicators and
    evidence on inner nodes are refused, naming the value."""
    with pytest.raises((InvalidArgument, EvidenceError), match=message):
        triangulate(frameworks.load("agustino"), items, **arguments)


def _returning(assessment: Any) -> Any:
    def rule(evidence: Any, scale: Any) -> Any:
        return assessment(evidence) if callable(assessment) else assessment

    return rule


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            _returning("baik"),
            r"returned str for unit='u', indicator='kompetensi'; expected a policyeval",
        ),
        (
            _returning(Assessment(rating="baik", evidence=("E9",))),
            r"cites evidence it was not given for unit='u', indicator='kompetensi': \['E9'\]",
        ),
        (
            _returning(lambda items: Assessment(rating="bagus", evidence=("E1",))),
            r"returned rating 'bagus' .* not a level of scale",
        ),
        (
            _returning(Assessment(rating="baik")),
            "lists no evidence .* although it was given 1 items",
        ),
    ],
)
def test_a_rule_breaking_its_contract_is_named_with_unit_and_indicator(
    rule: Any, message: str
) -> None:
    """A rule returning something else than an Assessment, citing evidence it was not given, a
    rating off the scale, or no evidence at all, is a PluginContractError."""
    with pytest.raises(PluginContractError, match=message):
        triangulate(frameworks.load("agustino"), [_item("E1")], rules=rule)


def test_a_contract_error_raised_by_a_rule_passes_through_unchanged() -> None:
    """A rule may raise PluginContractError itself; its message is kept as it is."""

    def strict(evidence: Any, scale: Any) -> Any:
        raise PluginContractError("strict rule wants two sources")

    with pytest.raises(PluginContractError, match=r"^strict rule wants two sources$"):
        triangulate(frameworks.load("agustino"), [_item("E1")], rules=strict)
