"""Honest statuses: an inner node says which part its status comes from."""

from __future__ import annotations

import json

from policyeval import evaluate, frameworks
from policyeval.evidence import Evidence

AGUSTINO = frameworks.load("agustino")


def _item(id: str, indicator: str, rating: str, source: str, category: str) -> Evidence:
    return Evidence(
        id=id,
        unit="u",
        indicator=indicator,
        rating=rating,
        source=source,
        source_category=category,
        technique="interview",
    )


EVIDENCE = [
    _item("E1", "kompetensi", "baik", "s1", "asn"),
    _item("E2", "kompetensi", "baik", "s2", "akademisi"),
    _item("E3", "regulasi_turunan", "baik", "s1", "asn"),
    _item("E4", "regulasi_turunan", "kurang_baik", "s3", "masyarakat"),
]


def test_an_inner_node_names_the_indicator_its_status_comes_from() -> None:
    """The programme is contested because 'regulasi_turunan' is (an even split), via 'regulasi'."""
    result = evaluate(AGUSTINO, EVIDENCE, min_share=0)
    assert result.judgement("u", "program").status.value == "contested"
    assert result.status_from("u", "program") == ("regulasi", "regulasi_turunan")
    assert result.status_from("u", "sumber_daya_aparatur") == ()  # lowered for missing parts
    assert result.status_from("u", "regulasi_turunan") == ()


def test_json_and_explain_say_where_an_inherited_status_comes_from() -> None:
    """JSON names the child in `status_from`; explain names the path down to the indicator."""
    result = evaluate(AGUSTINO, EVIDENCE, min_share=0)
    nodes = json.loads(result.to_json())["units"]["u"]["nodes"]
    assert nodes["program"]["status_from"] == "regulasi"
    assert nodes["regulasi"]["status_from"] == "regulasi_turunan"
    assert "status_from" not in nodes["kompetensi"]
    text = str(result.explain("u", lang="en"))
    assert (
        "status contested inherited from its weakest part: "
        "Derivative regulation [regulasi_turunan] via Regulation [regulasi]"
    ) in text


def test_a_status_lowered_for_a_missing_child_is_the_nodes_own() -> None:
    """A dimension with a missing indicator is partially corroborated on its own account."""
    items = [
        _item("E1", "manajemen_organisasi", "baik", "s1", "asn"),
        _item("E2", "manajemen_organisasi", "baik", "s2", "akademisi"),
    ]
    result = evaluate(AGUSTINO, items, min_share=0)
    assert result.judgement("u", "kelembagaan").status.value == "partially_corroborated"
    assert result.status_from("u", "kelembagaan") == ()
