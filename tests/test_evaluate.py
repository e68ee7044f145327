"""The engine: a two-unit case computed by hand, the missing-children policy,
plug-in contracts, provenance and deterministic output."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import evaluate, reaggregate
from policyeval.evidence import Evidence
from policyeval.evidence_io import EvidenceSet, Rejection
from policyeval.exceptions import EvidenceError, InvalidArgument, PluginContractError
from policyeval.framework import Framework, Node
from policyeval.protocols import Assessment, Confidence, Status
from policyeval.report import render_tree
from policyeval.scales import Level, OrdinalScale

FOUR = OrdinalScale(
    "four",
    (
        Level("baik", 4, label={"id": "Baik", "en": "Good"}),
        Level("cukup_baik", 3, label={"id": "Cukup baik", "en": "Fair"}),
        Level("kurang_baik", 2, label={"id": "Kurang baik", "en": "Poor"}),
        Level("tidak_baik", 1, label={"id": "Tidak baik", "en": "Bad"}),
    ),
)


def _framework() -> Framework:
    def node(id: str, kind: str, *parents: str) -> Node:
        return Node(id, kind, label={"id": id.upper(), "en": id.title()}, parents=parents)

    return Framework.build(
        id="hand",
        title={"id": "Kasus", "en": "Case"},
        languages=("id", "en"),
        default_language="id",
        scales=[FOUR],
        default_scale="four",
        nodes=[
            node("prog", "root"),
            node("d1", "dimension", "prog"),
            node("i1", "indicator", "d1"),
            node("i2", "indicator", "d1"),
            node("d2", "dimension", "prog"),
            node("i3", "indicator", "d2"),
        ],
    )


def _item(
    id: str,
    unit: str,
    indicator: str,
    rating: str,
    source: str,
    category: str,
    technique: str = "interview",
) -> Evidence:
    return Evidence(
        id=id,
        unit=unit,
        indicator=indicator,
        rating=rating,
        source=source,
        source_category=category,
        technique=technique,
    )


EVIDENCE = [
    _item("E1", "A", "i1", "baik", "s1", "asn"),
    _item("E2", "A", "i1", "baik", "s2", "dok", "documentation"),
    _item("E3", "A", "i2", "cukup_baik", "s1", "asn"),
    _item("E4", "A", "i2", "kurang_baik", "s3", "asn"),
    _item("E5", "A", "i2", "cukup_baik", "s4", "akademisi"),
    _item("E6", "A", "i3", "kurang_baik", "s1", "asn"),
    _item("E7", "B", "i1", "baik", "s1", "asn"),
    _item("E8", "B", "i1", "tidak_baik", "s2", "dok", "documentation"),
    _item("E9", "B", "i3", "cukup_baik", "s1", "asn"),
    _item("E10", "B", "i3", "cukup_baik", "s5", "asn"),
]

# (unit, node): (level, score, status, confidence), computed by hand with source
# triangulation (2 categories corroborate; high confidence from 75% agreement),
# the weighted lower median, means up the graph, and midpoint bands with ties down.
HAND = {
    ("A", "i1"): ("baik", 4.0, "corroborated", "high"),
    ("A", "i2"): ("cukup_baik", 3.0, "corroborated", "moderate"),
    ("A", "i3"): ("kurang_baik", 2.0, "single_source", "low"),
    ("A", "d1"): ("cukup_baik", 3.5, "corroborated", "moderate"),
    ("A", "d2"): ("kurang_baik", 2.0, "single_source", "low"),
    ("A", "prog"): ("cukup_baik", 2.75, "single_source", "low"),
    ("B", "i1"): ("tidak_baik", 1.0, "contested", "very_low"),  # an even split
    ("B", "i2"): (None, None, "no_evidence", None),
    ("B", "i3"): ("cukup_baik", 3.0, "partially_corroborated", "moderate"),
    ("B", "d1"): ("tidak_baik", 1.0, "contested", "very_low"),
    ("B", "d2"): ("cukup_baik", 3.0, "partially_corroborated", "moderate"),
    ("B", "prog"): ("kurang_baik", 2.0, "contested", "very_low"),
}


def test_two_unit_case_matches_the_hand_computation() -> None:
    """Levels, scores, statuses and confidences match a computation done by hand."""
    result = evaluate(_framework(), EVIDENCE, rules="source")
    got = {
        key: (j.level, j.score, j.status.value, j.confidence.value if j.confidence else None)
        for key, j in result.judgements.items()
    }
    assert got == HAND


def test_judgements_list_the_evidence_behind_them() -> None:
    """Indicators list every item considered; inner nodes the union of their children's."""
    result = evaluate(_framework(), EVIDENCE)
    assert result.judgement("A", "i2").evidence == ("E3", "E4", "E5")
    assert result.judgement("A", "i2").assessment is not None
    assert result.judgement("A", "i2").assessment.agreeing == ("E3", "E5")
    assert result.judgement("A", "d1").evidence == ("E1", "E2", "E3", "E4", "E5")
    assert result.judgement("B", "prog").evidence == ("E10", "E7", "E8", "E9")
    assert result.judgement("B", "i2").evidence == ()


def test_every_item_is_behind_the_root_judgement() -> None:
    """Every evidence item of a unit reaches the root's evidence list."""
    result = evaluate(_framework(), EVIDENCE)
    for unit in ("A", "B"):
        assert set(result.judgement(unit, "prog").evidence) == {
            i.id for i in EVIDENCE if i.unit == unit
        }


def test_missing_children_renormalise_then_leave_the_parent_undefined() -> None:
    """With one of two equal children present the parent is defined; with min_share above 1/2 it is not."""
    result = evaluate(_framework(), EVIDENCE, min_share=0.5)
    assert result.judgement("B", "d1").score == 1.0
    assert "missing: i2" in result.judgement("B", "d1").explanation
    strict = evaluate(_framework(), EVIDENCE, min_share=0.6)
    undefined = strict.judgement("B", "d1")
    assert (undefined.level, undefined.score, undefined.status) == (None, None, Status.NO_EVIDENCE)
    assert strict.judgement("B", "prog").score is None  # d2 alone carries half the root's weight
    assert strict.judgement("A", "prog").score == 2.75


def test_a_unit_without_evidence_gets_no_evidence_everywhere() -> None:
    """Units named explicitly but without evidence are judged undefined, not dropped."""
    result = evaluate(_framework(), EVIDENCE, units=["A", "B", "C"])
    assert {j.status for j in result.for_unit("C")} == {Status.NO_EVIDENCE}
    assert result.units == ("A", "B", "C")


def test_aggregator_overrides_by_node_and_for_all() -> None:
    """An aggregator given for one node replaces that node's; one given for all replaces every one."""
    by_node = evaluate(_framework(), EVIDENCE, aggregators={"prog": "min"})
    assert by_node.judgement("A", "prog").score == 2.0
    assert by_node.judgement("A", "d1").score == 3.5
    everywhere = evaluate(_framework(), EVIDENCE, aggregators="min")
    assert everywhere.judgement("A", "d1").score == 3.0


def test_rules_per_indicator_with_a_default() -> None:
    """A mapping of rules applies per indicator, '*' giving the default."""
    result = evaluate(_framework(), EVIDENCE, rules={"*": "source", "i1": "agreement"})
    assert "agreement" in result.settings["rules"]["i1"]
    assert "source" in result.settings["rules"]["i2"]


def test_reaggregate_over_children_and_over_indicators() -> None:
    """Alternative aggregations change only the node asked for."""
    result = evaluate(_framework(), EVIDENCE)
    assert reaggregate(result, "min")["A"].score == 2.0
    flat = reaggregate(result, "mean", over="indicators")
    assert flat["A"].score == pytest.approx(3.0)  # (4 + 3 + 2) / 3
    assert flat["A"].level == "cukup_baik"
    with pytest.raises(InvalidArgument, match="over="):
        reaggregate(result, "mean", over="leaves")


def test_unknown_indicator_in_programmatic_evidence_is_refused() -> None:
    """Evidence naming an unknown indicator or a dimension raises with both named."""
    bad = [
        *EVIDENCE,
        _item("X1", "A", "nope", "baik", "s1", "asn"),
        _item("X2", "A", "d1", "baik", "s1", "asn"),
    ]
    with pytest.raises(EvidenceError) as caught:
        evaluate(_framework(), bad)
    text = str(caught.value)
    assert "'nope'" in text and "'d1' is not an indicator" in text


def test_a_rule_returning_the_wrong_type_breaks_the_contract() -> None:
    """The engine says what it expected when a rule returns something else."""
    with pytest.raises(PluginContractError, match=r"expected a policyeval\.protocols\.Assessment"):
        evaluate(_framework(), EVIDENCE, rules=lambda evidence, scale: "baik")  # type: ignore[arg-type,return-value]


def test_a_rule_citing_foreign_evidence_breaks_the_contract() -> None:
    """A rule may only cite the items it was given."""

    def liar(evidence: object, scale: object) -> Assessment:
        return Assessment(
            rating="baik", evidence=("ZZZ",), status=Status.SINGLE_SOURCE, confidence=Confidence.LOW
        )

    with pytest.raises(PluginContractError, match="ZZZ"):
        evaluate(_framework(), EVIDENCE, rules=liar)


def test_an_aggregator_returning_nan_breaks_the_contract() -> None:
    """Non-finite aggregator output is refused, naming the node and inputs."""
    with pytest.raises(PluginContractError, match="finite number"):
        evaluate(_framework(), EVIDENCE, aggregators=lambda values, weights: float("nan"))


def test_bad_min_share_is_an_invalid_argument() -> None:
    """min_share outside [0, 1] is named in the error."""
    with pytest.raises(InvalidArgument, match=r"min_share=1\.5"):
        evaluate(_framework(), EVIDENCE, min_share=1.5)


def test_json_follows_the_contract() -> None:
    """The JSON document keeps the contracted keys and values."""
    document = json.loads(evaluate(_framework(), EVIDENCE).to_json())
    assert document["schema"] == "policyeval.evaluation/4"
    assert document["framework"] == "hand"
    node = document["units"]["A"]["nodes"]["i2"]
    assert {k: node[k] for k in ("level", "score", "confidence", "status", "evidence")} == {
        "level": "cukup_baik",
        "score": 3.0,
        "confidence": "moderate",
        "status": "corroborated",
        "evidence": ["E3", "E4", "E5"],
    }
    assert document["units"]["B"]["nodes"]["i2"]["level"] is None
    assert document["rejected"] == []
    # Each node carries its rank among the units, right after the score.
    assert list(node)[:4] == ["kind", "level", "score", "rank"]
    assert (node["rank"], document["units"]["B"]["nodes"]["i2"]["rank"]) == (1, None)


def test_rejected_rows_are_carried_into_the_output() -> None:
    """Rows rejected while loading appear in the result's 'rejected' list."""
    evidence = EvidenceSet(
        items=tuple(EVIDENCE),
        rejected=(
            Rejection(file="e.csv", row=9, id="E99", reason="rating: not a level", column="rating"),
        ),
    )
    document = json.loads(evaluate(_framework(), evidence).to_json())
    assert document["rejected"] == [
        {
            "file": "e.csv",
            "row": 9,
            "id": "E99",
            "reason": "rating: not a level",
            "column": "rating",
        }
    ]


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_output_is_byte_identical_whatever_the_evidence_order(rng: random.Random) -> None:
    """Shuffling the evidence does not change a single byte of the JSON."""
    shuffled = list(EVIDENCE)
    rng.shuffle(shuffled)
    assert evaluate(_framework(), shuffled).to_json() == evaluate(_framework(), EVIDENCE).to_json()


def test_explain_walks_down_to_the_evidence_rows() -> None:
    """The explanation tree names every node below and every evidence row, agreeing ones marked '+'."""
    text = render_tree(evaluate(_framework(), EVIDENCE).explain("A", lang="en"))
    assert text.splitlines()[0].startswith("Prog [prog]: cukup_baik (score 2.75")
    assert "  + E3: cukup_baik from s1 (asn, interview)" in text
    assert "  - E4: kurang_baik from s3 (asn, interview)" in text
    for node in ("d1", "d2", "i1", "i2", "i3"):
        assert f"[{node}]" in text


def test_to_frame_has_one_row_per_unit_and_node() -> None:
    """The pandas view has a row per (unit, node) with levels and statuses."""
    pytest.importorskip("pandas")
    frame = evaluate(_framework(), EVIDENCE).to_frame()
    assert len(frame) == 12
    row = frame[(frame.unit == "A") & (frame.node == "d1")].iloc[0]
    assert (row.level, row.status, row.n_evidence) == ("cukup_baik", "corroborated", 5)


def test_judgements_are_read_by_unit_and_node_and_say_whether_they_are_defined() -> None:
    """evaluation[unit, node] is judgement(unit, node); is_defined follows the score; an unknown
    pair is a KeyError naming both."""
    strict = evaluate(_framework(), EVIDENCE, min_share=0.6)
    assert strict["A", "prog"] is strict.judgement("A", "prog")
    assert strict["A", "prog"].is_defined and strict["A", "prog"].score == 2.75
    assert not strict["B", "d1"].is_defined
    with pytest.raises(KeyError, match="no judgement for unit='C', node='prog'"):
        strict["C", "prog"]
