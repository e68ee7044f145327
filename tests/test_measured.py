"""Scores read from a data table have status ``measured``, and reports show numeric frameworks
by their scores and ranks, not as undefined levels without evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyeval import evaluate
from policyeval.case import evaluate_case
from policyeval.evidence import Evidence
from policyeval.framework import Framework, Node
from policyeval.protocols import Status
from policyeval.report import render_explanation, render_html, render_markdown
from policyeval.scales import NumericScale

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "asem_coinr"
SCORE = NumericScale("score", minimum=0, maximum=100)
RAW = NumericScale("raw")


def _framework() -> Framework:
    """root <- (pillar <- data_a, data_b), rated; data indicators are min-maxed onto 0..100."""
    return Framework.build(
        id="numbers",
        scales=[SCORE, RAW],
        default_scale="score",
        nodes=[
            Node("root", "root", label={"en": "Root"}),
            Node("pillar", "dimension", label={"en": "Pillar"}, parents=("root",)),
            Node("data_a", "indicator", label={"en": "A"}, parents=("pillar",), scale="raw"),
            Node("data_b", "indicator", label={"en": "B"}, parents=("pillar",), scale="raw"),
            Node("rated", "indicator", label={"en": "Rated"}, parents=("root",)),
        ],
    )


SCORERS = {"data_a": "min_max", "data_b": "min_max"}
DATA = {
    "u1": {"data_a": 1.0, "data_b": 10.0},
    "u2": {"data_a": 3.0, "data_b": 30.0},
    "u3": {"data_a": 2.0},
}


def _rated(unit: str, value: float) -> Evidence:
    return Evidence(
        id=f"{unit}-r",
        unit=unit,
        indicator="rated",
        value=value,
        source="s",
        source_category="c",
        technique="documentation",
    )


def test_measured_comes_after_every_degree_of_corroboration() -> None:
    """So a parent's weakest-child status is never lowered by data."""
    assert list(Status)[-1] is Status.MEASURED
    assert all(status < Status.MEASURED for status in list(Status)[:-1])


def test_a_score_from_the_data_table_is_measured_and_so_is_a_node_fed_only_by_data() -> None:
    result = evaluate(_framework(), data=DATA, scorers=SCORERS, min_share=0)
    judgement = result.judgement("u1", "data_a")
    assert judgement.status is Status.MEASURED and judgement.confidence is None
    assert result.judgement("u1", "pillar").status is Status.MEASURED
    # u3 lacks data_b: the pillar is still measured, its gap shown by the share present.
    assert result.judgement("u3", "pillar").status is Status.MEASURED
    assert result.judgement("u3", "pillar").share_present == 0.5
    assert result.judgement("u3", "data_b").status is Status.NO_EVIDENCE


def test_data_never_lowers_a_parent_below_its_triangulated_children() -> None:
    """Root = pillar (measured) + rated (one source): single_source, the evidence's status."""
    items = [_rated(unit, 50.0) for unit in DATA]
    result = evaluate(_framework(), items, data=DATA, scorers=SCORERS, min_share=0)
    assert result.judgement("u1", "rated").status is Status.SINGLE_SOURCE
    assert result.judgement("u1", "root").status is Status.SINGLE_SOURCE


@pytest.fixture(scope="module")
def asem():  # type: ignore[no-untyped-def]
    return evaluate_case(EXAMPLE)


def test_the_asem_json_says_every_score_is_measured(asem) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(asem.evaluation.to_json())
    statuses = {
        node["status"] for unit in document["units"].values() for node in unit["nodes"].values()
    }
    assert statuses == {"measured"}


def test_reports_of_a_numeric_framework_show_scores_and_ranks_not_undefined_levels(asem) -> None:  # type: ignore[no-untyped-def]
    html = render_html(asem, lang="en").split("</style>", 1)[1]  # the page, not its stylesheet
    assert "undefined" not in html and "no evidence" not in html
    assert "Sustainable Connectivity: score 68.38, confidence –, measured." in html
    assert "68.38 (#1)" in html  # CHE's index in the comparison: score and rank, no level
    assert "Levels of the scale" not in html
    assert '<span class="note">(0.0033)</span>' in html  # AUT's flights per head: small, not 0
    markdown = render_markdown(asem, lang="en")
    assert "undefined" not in markdown and "measured" in markdown


def test_the_explanation_of_a_measured_index_reads_its_scores_and_data(asem) -> None:  # type: ignore[no-untyped-def]
    text = render_explanation(asem.evaluation, "CHE", lang="en")
    assert text.splitlines()[0] == (
        "Sustainable Connectivity [Index]: – (score 68.38, measured, confidence –)"
    )
    assert "undefined" not in text and "no evidence" not in text and "inherited" not in text
    assert "from the data table: " in text
