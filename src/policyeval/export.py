"""Show a framework's graph to people and other tools: GraphML, Mermaid, a text tree.

Every function reads the framework and never changes it; output is
deterministic (nodes and edges in declaration order).

>>> from policyeval.framework_io import loads_framework, _EXAMPLE
>>> fw = loads_framework(_EXAMPLE)
>>> print(to_tree(fw))
All (all) [root]
└── A (a) [indicator] w=2
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policyeval.framework import Framework

__all__ = ["mermaid_text", "one_line", "to_graphml", "to_mermaid", "to_tree"]

_MERMAID_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Words a Mermaid flowchart reads as syntax when used as a node id.
_MERMAID_RESERVED = frozenset(
    {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click", "linkstyle"}
)


def _number(value: float) -> str:
    return f"{value:g}"


def _edges(fw: Framework) -> Iterator[tuple[str, str, float]]:
    """Every edge with its weight: parents in declaration order, each with its children in
    order (the order of the framework's graph, without building it)."""
    for parent in fw.node_ids:
        for child in fw.children(parent):
            yield parent, child, fw.weight(parent, child)


def to_graphml(fw: Framework) -> str:
    """The framework as GraphML text (nodes with ``kind`` and ``label_<lang>``; weighted edges).

    >>> from policyeval.framework_io import loads_framework, _EXAMPLE
    >>> text = to_graphml(loads_framework(_EXAMPLE))
    >>> '<edge source="all" target="a">' in text
    True
    >>> import networkx as nx, io
    >>> graph = nx.read_graphml(io.BytesIO(text.encode()))
    >>> graph.nodes["a"]["label_en"], graph.edges["all", "a"]["weight"]
    ('A', 2.0)
    """
    import networkx as nx

    graph = nx.DiGraph(id=fw.id)
    for language, text in fw.title.items():
        graph.graph[f"title_{language}"] = text
    for node in fw:
        data = {"kind": node.kind}
        data.update({f"label_{language}": text for language, text in node.label.items()})
        graph.add_node(node.id, **data)
    for parent, child, weight in _edges(fw):
        graph.add_edge(parent, child, weight=weight)
    return "\n".join(nx.generate_graphml(graph)) + "\n"


def mermaid_text(text: str) -> str:
    """Escape text for a quoted Mermaid label: one line, markup as entity codes.

    Every line break and other control character becomes a space, so a label
    can never end the label, the diagram or a Markdown code fence around it.

    >>> mermaid_text('a "b"\\n```\\n![x](http://h/i.png) <i>')
    'a #quot;b#quot; ``` ![x](http://h/i.png) #lt;i#gt;'
    """
    text = one_line(text)
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text


# Control characters (C0, DEL, C1) and the line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` on one line: control characters and runs of white space become one space.

    >>> one_line("a\\n\\x1b[31mb\\u2028 c ")
    'a [31mb c'
    """
    return " ".join(_CONTROL.sub(" ", text).split())


def _mermaid_ids(fw: Framework) -> dict[str, str]:
    """A Mermaid-safe id per node: the node id itself when Mermaid accepts it."""
    out: dict[str, str] = {}
    taken = {
        node_id
        for node_id in fw.node_ids
        if _MERMAID_ID.fullmatch(node_id) and node_id.lower() not in _MERMAID_RESERVED
    }
    for index, node_id in enumerate(fw.node_ids):
        if node_id in taken:
            out[node_id] = node_id
            continue
        candidate = f"node_{index}"
        while candidate in taken:
            candidate += "_"
        taken.add(candidate)
        out[node_id] = candidate
    return out


def to_mermaid(fw: Framework, *, lang: str | None = None) -> str:
    """The framework as a Mermaid flowchart (top down; indicators drawn round).

    Labels are in ``lang`` (else the default language). Edge weights are
    shown when they are not all 1.

    >>> from policyeval.framework_io import loads_framework, _EXAMPLE
    >>> print(to_mermaid(loads_framework(_EXAMPLE)))
    flowchart TD
        all["All"]
        a("A")
        all -->|"2"| a
    """
    ids = _mermaid_ids(fw)
    lines = ["flowchart TD"]
    for node in fw:
        label = mermaid_text(fw.label(node.id, lang))
        shape = '("{}")' if node.is_indicator else '["{}"]'
        lines.append(f"    {ids[node.id]}{shape.format(label)}")
    edges = list(_edges(fw))
    weighted = any(weight != 1 for _, _, weight in edges)
    for parent, child, weight in edges:
        arrow = f'-->|"{_number(weight)}"|' if weighted else "-->"
        lines.append(f"    {ids[parent]} {arrow} {ids[child]}")
    return "\n".join(lines) + "\n"


_MAX_DRAWN_DEPTH = 12


def to_tree(fw: Framework, *, lang: str | None = None) -> str:
    """The framework as an indented text tree with ids, kinds and edge weights.

    Each node shows its label in ``lang`` with its id beside it (the id is
    what evidence tables and case files use). A node with several parents is drawn in full under its first parent and
    marked ``↳ (shared)`` under the others. Weights are shown when they are
    not all 1. Below twelve levels the branches stop moving right and each
    line shows its depth, so the tree stays linear in size.

    >>> from policyeval.framework import Framework, Node
    >>> from policyeval.scales import Level, OrdinalScale
    >>> yn = OrdinalScale("yn", [Level("yes", 1, label={"en": "Yes"})])
    >>> fw = Framework.build(id="dag", scales=[yn], default_scale="yn", nodes=[
    ...     Node("r", "root", label={"en": "Programme"}),
    ...     Node("d1", "dimension", label={"en": "Inputs"}, parents=("r",)),
    ...     Node("d2", "dimension", label={"en": "Outputs"}, parents=("r",)),
    ...     Node("i", "indicator", label={"en": "Staff"}, parents=("d1", "d2")),
    ... ])
    >>> print(to_tree(fw))
    Programme (r) [root]
    ├── Inputs (d1) [dimension]
    │   └── Staff (i) [indicator]
    └── Outputs (d2) [dimension]
        └── ↳ Staff (i) [indicator] (shared)
    """
    weighted = any(weight != 1 for _, _, weight in _edges(fw))

    def named(node_id: str) -> str:
        label = fw.label(node_id, lang)
        shown = label if label == node_id else f"{label} ({node_id})"
        return f"{shown} [{fw.kind_of(node_id)}]"

    lines = [named(fw.root)]
    drawn: set[str] = {fw.root}

    # Preorder without recursion, so a 10,000-deep chain does not overflow the stack.
    stack: list[tuple[str, str, str, bool, int]] = [
        (child, fw.root, "", position == len(fw.children(fw.root)) - 1, 1)
        for position, child in enumerate(fw.children(fw.root))
    ][::-1]
    while stack:
        child, parent, prefix, last, depth = stack.pop()
        branch = "└── " if last else "├── "
        # Past _MAX_DRAWN_DEPTH levels the branches stop moving right and the depth is written.
        if depth > _MAX_DRAWN_DEPTH:
            branch = f"[{depth}] {branch}"
        text = named(child)
        if weighted:
            text += f" w={_number(fw.weight(parent, child))}"
        if child in drawn:
            lines.append(f"{prefix}{branch}↳ {text} (shared)")
            continue
        drawn.add(child)
        lines.append(f"{prefix}{branch}{text}")
        below = prefix
        if depth < _MAX_DRAWN_DEPTH:
            below += "    " if last else "│   "
        children = fw.children(child)
        stack.extend(
            (grandchild, child, below, position == len(children) - 1, depth + 1)
            for position, grandchild in reversed(list(enumerate(children)))
        )
    return "\n".join(lines) + "\n"
