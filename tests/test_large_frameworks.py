"""Deep chains, wide frameworks and crowded indicators evaluate and report without overflowing.

Nothing walks the framework by recursion and no report grows faster than the nodes: a
10,000-deep chain and a 100,000-node framework evaluate and report (JSON, Markdown, HTML,
terminal text, explain), and so do 200,000 evidence rows on one indicator. Speed itself is
measured in ``benchmarks/``; these tests pin that the work finishes and stays linear in size.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policyeval import evaluate, report
from policyeval.evidence import Evidence
from policyeval.export import to_tree
from policyeval.framework import Framework, Node
from policyeval.results import Evaluation
from policyeval.scales import Level, OrdinalScale

pytestmark = pytest.mark.large

LEVELS = ("tidak_baik", "kurang_baik", "cukup_baik", "baik")


def _scale() -> OrdinalScale:
    return OrdinalScale(
        "four",
        tuple(Level(level, score + 1, label={"en": level}) for score, level in enumerate(LEVELS)),
    )


def chain(depth: int) -> Framework:
    """A root, ``depth - 1`` dimensions each under the previous one, and one indicator."""
    nodes = [Node("n0", "root", label={"en": "N0"})]
    nodes += [
        Node(f"n{d}", "dimension", label={"en": f"N{d}"}, parents=(f"n{d - 1}",))
        for d in range(1, depth)
    ]
    nodes.append(Node("leaf", "indicator", label={"en": "Leaf"}, parents=(f"n{depth - 1}",)))
    return Framework.build(id="chain", nodes=nodes, scales=[_scale()], default_scale="four")


def wide(dimensions: int, per_dimension: int) -> Framework:
    """A root over ``dimensions`` dimensions of ``per_dimension`` indicators each."""
    nodes = [Node("root", "root", label={"en": "Root"})]
    for d in range(dimensions):
        nodes.append(Node(f"d{d}", "dimension", label={"en": f"D{d}"}, parents=("root",)))
        nodes += [
            Node(f"d{d}_i{i}", "indicator", label={"en": f"I{d}.{i}"}, parents=(f"d{d}",))
            for i in range(per_dimension)
        ]
    return Framework.build(id="wide", nodes=nodes, scales=[_scale()], default_scale="four")


def items_on(indicator: str, count: int) -> list[Evidence]:
    """``count`` evidence rows on one indicator, from four source categories, mostly agreeing."""
    categories = ("asn", "warga", "dokumen", "akademisi")
    return [
        Evidence(
            id=f"E{n:06d}",
            unit="u",
            indicator=indicator,
            rating=LEVELS[3] if n % 5 else LEVELS[1],
            source=f"s{n}",
            source_category=categories[n % 4],
            technique="interview",
        )
        for n in range(count)
    ]


def check_reports(evaluation: Evaluation, *, per_node: int) -> dict[str, Any]:
    """Every report of ``evaluation``, each at most ``per_node`` characters per node."""
    unit = evaluation.units[0]
    size = len(evaluation.framework)
    outputs = {
        "json": evaluation.to_json(),
        "compact": evaluation.to_json(compact=True),
        "markdown": report.render_markdown(evaluation),
        "html": report.render_html(evaluation),
        "text": report.render_text(evaluation),
        "explain": report.render_explanation(evaluation, unit, lang="en"),
        "tree": report.render_tree(evaluation.explain(unit)),
        "framework": to_tree(evaluation.framework),
    }
    for name, text in outputs.items():
        assert len(text) < per_node * size, (name, len(text))
    return outputs


@pytest.fixture(scope="module")
def deep() -> Evaluation:
    framework = chain(10_000)
    return evaluate(framework, items_on("leaf", 3), min_share=0)


def test_a_10000_deep_chain_evaluates_with_the_verdict_carried_to_the_root(
    deep: Evaluation,
) -> None:
    """Every level of a 10,000-deep chain takes the indicator's verdict, status and ids."""
    root, leaf = deep.judgement("u", "n0"), deep.judgement("u", "leaf")
    assert (root.level, root.score, root.status) == (leaf.level, leaf.score, leaf.status)
    assert root.evidence == leaf.evidence == ("E000000", "E000001", "E000002")
    assert deep.status_from("u", "n9990") == (*(f"n{d}" for d in range(9991, 10_000)), "leaf")


def test_a_10000_deep_chain_reports_in_every_form_linear_in_size(deep: Evaluation) -> None:
    """JSON, Markdown, HTML, text, explain and the framework tree of a 10,000-deep chain are
    written, none longer than a constant per node (indentation stops growing, long status paths
    are shortened)."""
    outputs = check_reports(deep, per_node=1_200)
    nodes = json.loads(outputs["json"])["units"]["u"]["nodes"]
    assert nodes["n0"]["status_from"] == "n1" and len(nodes) == 10_001
    assert json.loads(outputs["compact"]) == json.loads(outputs["json"])
    explained = outputs["explain"].splitlines()
    # The deepest lines name their depth instead of indenting further.
    assert any(line.lstrip().startswith("[9999]") for line in explained)
    assert "… […] via" not in outputs["explain"]
    assert "N2 [n2] via N1 [n1]" in explained[2] and "via …" in explained[2]


@pytest.fixture(scope="module")
def broad() -> Evaluation:
    framework = wide(1_000, 99)
    assert len(framework) == 100_001
    return evaluate(framework, items_on("d7_i3", 4), min_share=0)


def test_a_100000_node_framework_evaluates_and_writes_json_and_explain(broad: Evaluation) -> None:
    """A framework of 100,000 nodes (1,000 dimensions of 99 indicators) evaluates; its JSON and
    explanation are linear in the nodes."""
    assert broad.judgement("u", "d7").level == "baik"
    assert broad.judgement("u", "root").evidence == tuple(f"E{n:06d}" for n in range(4))
    written = broad.to_json()
    assert len(written) < 1_000 * len(broad.framework)
    assert len(json.loads(written)["units"]["u"]["nodes"]) == 100_001
    assert len(report.render_explanation(broad, "u", lang="en")) < 300 * len(broad.framework)


def test_a_100000_node_framework_reports_in_markdown_and_html(broad: Evaluation) -> None:
    """The Markdown and HTML reports of a 100,000-node framework are written, each linear in the
    nodes (no lookup repeated per node over all the nodes)."""
    markdown = report.render_markdown(broad)
    html = report.render_html(broad)
    assert "D999" in markdown and "D999" in html
    assert len(markdown) < 2_000 * len(broad.framework)
    assert len(html) < 2_000 * len(broad.framework)


def test_200000_rows_on_one_indicator_evaluate_and_report() -> None:
    """200,000 evidence rows on one indicator are triangulated (80 % agree), and the JSON,
    Markdown and explain outputs list every row once per node that carries it."""
    framework = wide(1, 2)
    evaluation = evaluate(framework, items_on("d0_i0", 200_000), min_share=0)
    judgement = evaluation.judgement("u", "d0_i0")
    assert judgement.level == "baik" and judgement.assessment is not None
    assert judgement.assessment.agreement == pytest.approx(0.8)
    assert len(evaluation.judgement("u", "root").evidence) == 200_000
    document = json.loads(evaluation.to_json(compact=True))
    assert len(document["units"]["u"]["nodes"]["d0_i0"]["evidence"]) == 200_000
    assert "evidence" not in document["units"]["u"]["nodes"]["root"]
    explained = report.render_explanation(evaluation, "u", lang="en")
    assert explained.count("E1") > 10_000
    assert len(report.render_markdown(evaluation)) < 200 * 200_000
