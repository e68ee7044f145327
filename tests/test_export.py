"""Framework exports: Mermaid charts with safe node ids, GraphML with titles and labels."""

from __future__ import annotations

import io

import networkx as nx

from policyeval import frameworks
from policyeval.export import to_graphml, to_mermaid
from policyeval.framework_io import framework_from_dict


def _framework(*ids: str) -> object:
    scale = {
        "id": "s",
        "kind": "ordinal",
        "levels": [{"id": "ok", "score": 1, "label": {"en": "OK"}}],
    }
    root, *indicators = ids
    return framework_from_dict(
        {
            "framework": {"id": "f", "default_scale": "s", "title": {"en": "F"}},
            "scales": [scale],
            "nodes": [
                {"id": root, "kind": "root", "label": {"en": "Root"}},
                *(
                    {"id": node, "kind": "indicator", "label": {"en": node.upper()}, "parent": root}
                    for node in indicators
                ),
            ],
        }
    )


def test_node_ids_mermaid_would_misread_get_generated_ids_that_collide_with_none() -> None:
    """A reserved word or an id with a dash is drawn under node_<index>, lengthened until no
    real node id has it; plain ids are kept."""
    chart = to_mermaid(_framework("end", "node_0", "a-b"))  # type: ignore[arg-type]
    lines = [line.strip() for line in chart.splitlines()]
    assert 'node_0_["Root"]' in lines
    assert 'node_0("NODE_0")' in lines
    assert 'node_2("A-B")' in lines
    assert "node_0_ --> node_0" in lines and "node_0_ --> node_2" in lines
    assert not any(line.startswith("end") for line in lines)


def test_graphml_carries_the_title_in_every_language() -> None:
    """GraphML keeps the framework id and one title attribute per language."""
    framework = frameworks.load("agustino")
    text = to_graphml(framework)
    assert '<graph edgedefault="directed" id="agustino">' in text
    graph = nx.read_graphml(io.BytesIO(text.encode()))
    for language, title in framework.title.items():
        assert graph.graph[f"title_{language}"] == title
    assert graph.nodes["kompetensi"]["kind"] == "indicator"
