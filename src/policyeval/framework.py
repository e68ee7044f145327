"""Evaluation frameworks: a graph of dimensions and indicators.

A :class:`Framework` is a frozen object over a :class:`networkx.DiGraph`.
Edges run from parent to child and carry a ``weight``; every node holds a
:class:`Node` under the ``"node"`` attribute. The graph is a DAG with one
root: an indicator may belong to several parents (as attributes are shared
in DEX models), but nothing may reach itself.

Build a framework with :meth:`Framework.build`, which validates everything
and raises one :class:`~policyeval.exceptions.FrameworkError` listing every
problem. Framework files are read by :mod:`policyeval.framework_io`.

>>> from policyeval.scales import Level, OrdinalScale
>>> yes_no = OrdinalScale("yn", (Level("yes", 1, label={"en": "Yes"}), Level("no", 0, label={"en": "No"})))
>>> fw = Framework.build(
...     id="tiny",
...     title={"en": "Tiny"},
...     languages=("en",),
...     scales=[yes_no],
...     default_scale="yn",
...     nodes=[
...         Node("all", "root", label={"en": "All"}),
...         Node("a", "indicator", label={"en": "A"}, parents=("all",)),
...         Node("b", "indicator", label={"en": "B"}, parents=("all",), weight=2),
...     ],
... )
>>> fw.root, fw.children("all"), fw.weight("all", "b")
('all', ('a', 'b'), 2.0)
>>> fw.indicators
('a', 'b')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import networkx as nx

from policyeval._frozen import FrozenDict, freeze
from policyeval.exceptions import FrameworkError, Problem
from policyeval.scales import NumericScale, OrdinalScale, Scale, _str_tuple, _text_map

__all__ = [
    "INDICATOR",
    "ROOT",
    "AggregatorSpec",
    "Edge",
    "Framework",
    "Node",
]

ROOT = "root"
INDICATOR = "indicator"


def _params(value: Mapping[str, Any] | None) -> dict[str, Any]:
    frozen: dict[str, Any] = freeze(dict(sorted((value or {}).items())))
    return frozen


def _scales(value: Mapping[str, Scale]) -> dict[str, Scale]:
    return FrozenDict(value)


@attrs.frozen
class AggregatorSpec:
    """The name of an aggregator and the parameters to build it with.

    >>> AggregatorSpec("generalised", {"p": 2})
    AggregatorSpec(name='generalised', params={'p': 2})
    """

    name: str
    params: dict[str, Any] = attrs.field(factory=dict, converter=_params)


def _spec(value: AggregatorSpec | str | Mapping[str, Any] | None) -> AggregatorSpec | None:
    if value is None or isinstance(value, AggregatorSpec):
        return value
    if isinstance(value, str):
        return AggregatorSpec(value)
    params = dict(value)
    return AggregatorSpec(str(params.pop("name")), params)


def _weight(value: float | None) -> float | None:
    return None if value is None else float(value)


@attrs.frozen
class Node:
    """One node of a framework: the root, a dimension, an indicator, or a named level.

    ``kind`` is ``"root"``, ``"indicator"`` (a leaf, judged from evidence),
    or any other name for an inner level (``"dimension"``, ``"pillar"``,
    ``"sub_pillar"`` ...). ``weight`` is the default weight of the edges
    into this node (1 when not given); :class:`Edge` objects can override it
    per parent. ``scale`` names the scale an indicator is rated on, or the
    scale an inner node's score is read on (the framework's default scale
    otherwise). ``aggregator`` says how an inner node combines its children
    (the framework's default aggregator otherwise). ``recommendation`` is
    the advice a report gives when the node scores low. ``attributes`` holds
    anything else a file says about the node, kept for round trips.
    ``key`` locates the node in the file it came from (for error messages).
    """

    id: str
    kind: str
    label: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)
    description: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)
    parents: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple, kw_only=True)
    weight: float | None = attrs.field(default=None, converter=_weight, kw_only=True)
    scale: str | None = attrs.field(default=None, kw_only=True)
    aggregator: AggregatorSpec | None = attrs.field(default=None, converter=_spec, kw_only=True)
    recommendation: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)
    attributes: dict[str, Any] = attrs.field(factory=dict, converter=_params, kw_only=True)
    key: str | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)

    @property
    def is_indicator(self) -> bool:
        """Whether the node is a leaf judged directly from evidence."""
        return self.kind == INDICATOR

    def text(self, lang: str | None = None, *, fallback: str | None = None) -> str:
        """The label in ``lang``, else ``fallback``, else the id."""
        for language in (lang, fallback):
            if language is not None and language in self.label:
                return self.label[language]
        return self.id


@attrs.frozen
class Edge:
    """An explicit edge with its own weight, for a node weighted differently per parent."""

    parent: str
    child: str
    weight: float = attrs.field(converter=float)
    key: str | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


def _frozen_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """Freeze the structure (networkx) and every node and edge attribute dict (ours), so a
    cached built-in framework cannot be changed through its graph."""
    for node, data in list(graph._node.items()):
        graph._node[node] = FrozenDict(data)
    for parent, children in graph._adj.items():
        for child, data in list(children.items()):
            frozen = FrozenDict(data)
            children[child] = frozen
            graph._pred[child][parent] = frozen  # networkx shares one dict per edge
    return nx.freeze(graph)


def _graphs_equal(a: nx.DiGraph, b: nx.DiGraph) -> bool:
    return list(a.nodes(data="node")) == list(b.nodes(data="node")) and list(
        a.edges(data="weight")
    ) == list(b.edges(data="weight"))


@attrs.frozen
class Framework:
    """A validated evaluation framework. Construct it with :meth:`build`.

    Use the accessors rather than the graph where you can: they return
    nodes in the order the framework declares them, so output is stable.
    """

    id: str
    graph: nx.DiGraph = attrs.field(eq=attrs.cmp_using(eq=_graphs_equal), repr=False)
    title: dict[str, str] = attrs.field(factory=dict, converter=_text_map)
    description: dict[str, str] = attrs.field(factory=dict, converter=_text_map)
    languages: tuple[str, ...] = attrs.field(default=("en",), converter=_str_tuple)
    default_language: str = "en"
    scales: dict[str, Scale] = attrs.field(factory=dict, converter=_scales)
    default_scale: str | None = None
    default_aggregator: AggregatorSpec = attrs.field(
        factory=lambda: AggregatorSpec("mean"), converter=_spec
    )
    version: str | None = None
    citation: str | None = None
    references: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    attributes: dict[str, Any] = attrs.field(factory=dict, converter=_params)
    source: str | None = attrs.field(default=None, eq=False, repr=False)
    # Longest-path depths, computed once on first use: the graph is frozen, and a report asks
    # for the depth of every node, so sorting the graph per call would make it quadratic.
    _depths: Mapping[str, int] | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @classmethod
    def build(
        cls,
        *,
        id: str,
        nodes: Sequence[Node],
        edges: Sequence[Edge] = (),
        scales: Iterable[Scale] = (),
        title: Mapping[str, str] | None = None,
        description: Mapping[str, str] | None = None,
        languages: Sequence[str] = ("en",),
        default_language: str | None = None,
        default_scale: str | None = None,
        default_aggregator: AggregatorSpec | str | Mapping[str, Any] = "mean",
        version: str | None = None,
        citation: str | None = None,
        references: Sequence[str] = (),
        attributes: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> Framework:
        """Validate the parts and assemble a framework.

        Raises :class:`~policyeval.exceptions.FrameworkError` listing every
        problem (each with the key path of the offending part, and the file
        when ``source`` is given).
        """
        scale_list = list(scales)
        language = default_language or (languages[0] if languages else "en")
        problems = _check(
            nodes=nodes,
            edges=edges,
            scales=scale_list,
            title=dict(title or {}),
            default_language=language,
            default_scale=default_scale,
        )
        if problems:
            raise FrameworkError(attrs.evolve(p, file=p.file or source) for p in problems)
        graph = nx.DiGraph()
        for node in nodes:
            graph.add_node(node.id, node=node)
        for node in nodes:
            for parent in node.parents:
                graph.add_edge(parent, node.id, weight=1.0 if node.weight is None else node.weight)
        for edge in edges:
            graph.add_edge(edge.parent, edge.child, weight=edge.weight)
        return cls(
            id=id,
            graph=_frozen_graph(graph),
            title=dict(title or {}),
            description=dict(description or {}),
            languages=tuple(languages),
            default_language=language,
            scales={scale.id: scale for scale in scale_list},
            default_scale=default_scale,
            default_aggregator=default_aggregator,
            version=version,
            citation=citation,
            references=tuple(references),
            attributes=dict(attributes or {}),
            source=source,
        )

    # --- structure -------------------------------------------------------------------------

    @property
    def root(self) -> str:
        """The id of the single node without parents."""
        return next(node for node, degree in self.graph.in_degree() if degree == 0)  # type: ignore[no-any-return]

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Every node id, in declaration order."""
        return tuple(self.graph.nodes)

    @property
    def indicators(self) -> tuple[str, ...]:
        """The indicator ids, in declaration order."""
        return tuple(n for n in self.graph.nodes if self.node(n).is_indicator)

    @property
    def inner_nodes(self) -> tuple[str, ...]:
        """The ids of nodes that aggregate children, in declaration order."""
        return tuple(n for n in self.graph.nodes if not self.node(n).is_indicator)

    def node(self, node_id: str) -> Node:
        """The :class:`Node` with this id (``KeyError`` naming it when unknown)."""
        try:
            node: Node = self.graph.nodes[node_id]["node"]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no node {node_id!r}") from None
        return node

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.graph

    def __iter__(self) -> Iterator[Node]:
        return (self.node(n) for n in self.graph.nodes)

    def __len__(self) -> int:
        return int(self.graph.number_of_nodes())

    def children(self, node_id: str) -> tuple[str, ...]:
        """The children of a node, in declaration order."""
        return tuple(self.graph.successors(node_id))

    def parents(self, node_id: str) -> tuple[str, ...]:
        """The parents of a node."""
        return tuple(self.graph.predecessors(node_id))

    def weight(self, parent: str, child: str) -> float:
        """The weight of the edge from ``parent`` to ``child``."""
        return float(self.graph.edges[parent, child]["weight"])

    def kind_of(self, node_id: str) -> str:
        """The kind of a node (``root``, ``dimension``, ``indicator`` ...)."""
        return self.node(node_id).kind

    def of_kind(self, kind: str) -> tuple[str, ...]:
        """The ids of nodes of one kind, in declaration order."""
        return tuple(n for n in self.graph.nodes if self.node(n).kind == kind)

    def bottom_up(self) -> tuple[str, ...]:
        """Every node id, each after all of its descendants (for aggregation)."""
        return tuple(reversed(list(nx.topological_sort(self.graph))))

    def top_down(self) -> tuple[str, ...]:
        """Every node id in depth-first preorder from the root, children in declaration order.

        A node shared by several parents appears once, under its first parent.
        """
        return tuple(nx.dfs_preorder_nodes(self.graph, self.root))

    def depth(self, node_id: str) -> int:
        """The length of the longest path from the root to the node.

        All depths are computed in one linear pass the first time and kept.
        """
        depths = self._depths
        if depths is None:
            longest: dict[str, int] = {}
            for current in nx.topological_sort(self.graph):
                longest[current] = max(
                    (longest[p] + 1 for p in self.graph.predecessors(current)), default=0
                )
            depths = FrozenDict(longest)
            object.__setattr__(self, "_depths", depths)
        try:
            return depths[node_id]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no node {node_id!r}") from None

    def indicators_under(self, node_id: str) -> tuple[str, ...]:
        """The indicators reachable from a node (itself, for an indicator)."""
        below = nx.descendants(self.graph, node_id) | {node_id}
        return tuple(n for n in self.indicators if n in below)

    # --- scales, aggregators, text ---------------------------------------------------------

    def scale_of(self, node_id: str) -> Scale | None:
        """The scale a node is rated or read on (its own, else the default)."""
        name = self.node(node_id).scale or self.default_scale
        return None if name is None else self.scales[name]

    def aggregator_of(self, node_id: str) -> AggregatorSpec:
        """How an inner node combines its children (its own, else the default)."""
        return self.node(node_id).aggregator or self.default_aggregator

    def label(self, node_id: str, lang: str | None = None) -> str:
        """A node's label in ``lang``, else the default language, else its id."""
        return self.node(node_id).text(lang, fallback=self.default_language)

    def text(self, mapping: Mapping[str, str], lang: str | None = None) -> str:
        """Pick ``lang`` (else the default language, else any) from a text mapping."""
        for language in (lang, self.default_language):
            if language is not None and language in mapping:
                return mapping[language]
        return next(iter(mapping.values()), "")


# --- validation ----------------------------------------------------------------------------


def _node_key(index: int, node: Node) -> str:
    return node.key or f"nodes[{index}]"


def _check(
    *,
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    scales: Sequence[Scale],
    title: Mapping[str, str],
    default_language: str,
    default_scale: str | None,
) -> list[Problem]:
    """Every structural problem of a would-be framework, with key paths."""
    problems: list[Problem] = []
    if not nodes:
        return [Problem("a framework needs at least one node", key="nodes")]

    scale_ids = [scale.id for scale in scales]
    for index, scale_id in enumerate(scale_ids):
        if scale_ids.index(scale_id) != index:
            problems.append(
                Problem("duplicate scale id", key=f"scales[{index}].id", value=scale_id)
            )
    if default_scale is not None and default_scale not in scale_ids:
        problems.append(
            Problem(
                "default scale is not defined", key="framework.default_scale", value=default_scale
            )
        )
    if title and default_language not in title:
        problems.append(
            Problem(
                f"title has no text in the default language {default_language!r}",
                key="framework.title",
            )
        )
    for index, scale in enumerate(scales):
        if isinstance(scale, OrdinalScale):
            for level_index, level in enumerate(scale.levels):
                if default_language not in level.label:
                    problems.append(
                        Problem(
                            f"level {level.id!r} has no label in the default language "
                            f"{default_language!r}",
                            key=f"scales[{index}].levels[{level_index}].label",
                        )
                    )

    first_index: dict[str, int] = {}
    for index, node in enumerate(nodes):
        key = _node_key(index, node)
        if not node.id or not isinstance(node.id, str):
            problems.append(
                Problem("node id must be a non-empty string", key=f"{key}.id", value=node.id)
            )
        if node.id in first_index:
            problems.append(
                Problem(
                    f"duplicate node id (first declared at {_node_key(first_index[node.id], nodes[first_index[node.id]])})",
                    key=f"{key}.id",
                    value=node.id,
                )
            )
        else:
            first_index[node.id] = index
        if not node.kind:
            problems.append(Problem("node kind must be a non-empty string", key=f"{key}.kind"))
        if default_language not in node.label:
            problems.append(
                Problem(
                    f"node {node.id!r} has no label in the default language {default_language!r}",
                    key=f"{key}.label",
                )
            )
        if node.weight is not None and not (math.isfinite(node.weight) and node.weight >= 0):
            problems.append(
                Problem(
                    "weight must be a finite number >= 0", key=f"{key}.weight", value=node.weight
                )
            )
        if node.scale is not None and node.scale not in scale_ids:
            problems.append(Problem("unknown scale", key=f"{key}.scale", value=node.scale))
        if node.is_indicator and node.scale is None and default_scale is None:
            problems.append(
                Problem(
                    f"indicator {node.id!r} has no scale and the framework has no default scale",
                    key=f"{key}.scale",
                )
            )
        if node.is_indicator and node.aggregator is not None:
            problems.append(
                Problem("an indicator has no children to aggregate", key=f"{key}.aggregator")
            )
        if node.kind == ROOT and node.parents:
            problems.append(Problem("the root cannot have parents", key=f"{key}.parents"))
        for parent_index, parent in enumerate(node.parents):
            if node.parents.index(parent) != parent_index:
                problems.append(
                    Problem(
                        "parent listed twice", key=f"{key}.parents[{parent_index}]", value=parent
                    )
                )

    known = set(first_index)
    edge_list: list[tuple[str, str, float, str]] = []
    for index, node in enumerate(nodes):
        key = _node_key(index, node)
        for parent_index, parent in enumerate(node.parents):
            edge_key = f"{key}.parents[{parent_index}]"
            if parent not in known:
                problems.append(
                    Problem(
                        f"dangling edge: node {node.id!r} names an unknown parent",
                        key=edge_key,
                        value=parent,
                    )
                )
            else:
                edge_list.append(
                    (parent, node.id, 1.0 if node.weight is None else node.weight, edge_key)
                )
    for index, edge in enumerate(edges):
        key = edge.key or f"edges[{index}]"
        for end in ("parent", "child"):
            if getattr(edge, end) not in known:
                problems.append(
                    Problem(
                        f"dangling edge: unknown {end}",
                        key=f"{key}.{end}",
                        value=getattr(edge, end),
                    )
                )
        if not (math.isfinite(edge.weight) and edge.weight >= 0):
            problems.append(
                Problem(
                    "weight must be a finite number >= 0", key=f"{key}.weight", value=edge.weight
                )
            )
        if edge.parent in known and edge.child in known:
            edge_list.append((edge.parent, edge.child, edge.weight, key))

    graph = nx.DiGraph()
    graph.add_nodes_from(first_index)
    seen_edges: dict[tuple[str, str], str] = {}
    for parent, child, weight, key in edge_list:
        if (parent, child) in seen_edges:
            problems.append(
                Problem(
                    f"edge {parent!r} -> {child!r} declared twice (also at {seen_edges[parent, child]})",
                    key=key,
                )
            )
            continue
        seen_edges[parent, child] = key
        graph.add_edge(parent, child, weight=weight)

    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        path = " -> ".join([cycle[0][0], *(child for _, child in cycle)])
        problems.append(Problem(f"cycle: {path}", key=seen_edges.get((cycle[-1][0], cycle[-1][1]))))

    by_id = {node.id: (index, node) for index, node in reversed(list(enumerate(nodes)))}
    roots = [n for n in first_index if graph.in_degree(n) == 0]
    if not roots and not cycle:
        problems.append(Problem("the framework has no root", key="nodes"))
    # A node whose declared parents are all unknown is already reported as dangling.
    unparented = [n for n in roots if not by_id[n][1].parents]
    if len(unparented) > 1:
        roots = unparented
        for extra in roots[1:]:
            index, node = by_id[extra]
            problems.append(
                Problem(
                    f"several roots: {', '.join(repr(r) for r in roots)}; "
                    f"node {extra!r} has no parent",
                    key=f"{_node_key(index, node)}.parents",
                )
            )
    for node_id, (index, node) in sorted(by_id.items(), key=lambda item: item[1][0]):
        key = _node_key(index, node)
        has_children = graph.out_degree(node_id) > 0
        if node.is_indicator and has_children:
            problems.append(Problem(f"indicator {node_id!r} has children", key=f"{key}.kind"))
        if not node.is_indicator and not has_children:
            problems.append(
                Problem(
                    f"inner node {node_id!r} (kind {node.kind!r}) has no children",
                    key=f"{key}.kind",
                )
            )
        if has_children and all(
            graph.edges[node_id, child]["weight"] == 0 for child in graph.successors(node_id)
        ):
            problems.append(Problem(f"every child of {node_id!r} has weight 0", key=key))
    for index, scale in enumerate(scales):
        if (
            isinstance(scale, NumericScale)
            and scale.levels is not None
            and scale.levels.id not in scale_ids
        ):
            problems.append(
                Problem(
                    "bands refer to an unknown ordinal scale",
                    key=f"scales[{index}].bands.scale",
                    value=scale.levels.id,
                )
            )
        elif (
            isinstance(scale, NumericScale)
            and scale.levels is not None
            and scales[scale_ids.index(scale.levels.id)] != scale.levels
        ):
            # The bands must use the framework's own scale of that id, or no file could say them.
            problems.append(
                Problem(
                    "bands refer to a scale that differs from the framework's scale of that id",
                    key=f"scales[{index}].bands.scale",
                    value=scale.levels.id,
                )
            )
    return problems
