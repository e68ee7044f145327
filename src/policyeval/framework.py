"""Evaluation frameworks: a graph of dimensions and indicators.

A :class:`Framework` is a frozen graph of :class:`Node` objects. Edges run
from parent to child and carry a ``weight``. The graph is a DAG with one
root: an indicator may belong to several parents (as attributes are shared
in DEX models), but nothing may reach itself. :attr:`Framework.graph` is
the graph as a :class:`networkx.DiGraph` (every node holds its
:class:`Node` under the ``"node"`` attribute), for any networkx algorithm;
the framework's own accessors and traversals work without it.

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
from typing import TYPE_CHECKING, Any

import attrs

from policyeval._converters import as_float
from policyeval._frozen import FrozenDict, freeze
from policyeval.exceptions import FrameworkError, Problem
from policyeval.scales import NumericScale, OrdinalScale, Scale, _str_tuple, _text_map

if TYPE_CHECKING:
    import networkx as nx

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
    weight: float = attrs.field(converter=as_float)
    key: str | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


def _frozen_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """Freeze the structure (networkx) and every node and edge attribute dict (ours), so a
    cached built-in framework cannot be changed through its graph."""
    import networkx

    for node, data in list(graph._node.items()):
        graph._node[node] = FrozenDict(data)
    for parent, children in graph._adj.items():
        for child, data in list(children.items()):
            frozen = FrozenDict(data)
            children[child] = frozen
            graph._pred[child][parent] = frozen  # networkx shares one dict per edge
    return networkx.freeze(graph)


def _no_node(node_id: object) -> Exception:
    """The error networkx raises for a node a graph does not hold, as the traversals raised it
    when they ran on the graph (networkx is imported only on this error path)."""
    import networkx

    error: Exception = networkx.NetworkXError(f"The node {node_id} is not in the digraph.")
    return error


def _generations(
    nodes: Iterable[str],
    children: Mapping[str, Sequence[str]],
    parents: Mapping[str, Sequence[str]],
) -> tuple[list[str], dict[str, int]]:
    """Kahn's topological order, generation by generation, in the order networkx's
    ``topological_sort`` gives; and the in-degrees left over (empty unless there is a cycle)."""
    waiting = {node: len(parents[node]) for node in nodes if parents[node]}
    generation = [node for node in nodes if not parents[node]]
    order: list[str] = []
    while generation:
        order.extend(generation)
        following = []
        for node in generation:
            for child in children[node]:
                waiting[child] -= 1
                if not waiting[child]:
                    following.append(child)
                    del waiting[child]
        generation = following
    return order, waiting


class _Structure:
    """A framework's nodes and weighted edges, with the lookups traversals need.

    Plain dicts and tuples, so that loading and evaluating a framework needs no graph
    library; :attr:`Framework.graph` builds the networkx graph from it when asked. ``edges``
    keeps the order the edges were added in (a node's parents come in that order), and
    equality compares what a graph's equality compared: the nodes in order, and each node's
    outgoing edges in order.
    """

    __slots__ = (
        "_bottom_up",
        "_depths",
        "children",
        "edges",
        "inner",
        "leaves",
        "nodes",
        "parents",
        "root",
        "weights",
    )

    def __init__(self, nodes: Iterable[Node], edges: Iterable[tuple[str, str, float]]) -> None:
        self.nodes: Mapping[str, Node] = FrozenDict((node.id, node) for node in nodes)
        children: dict[str, list[str]] = {node_id: [] for node_id in self.nodes}
        parents: dict[str, list[str]] = {node_id: [] for node_id in self.nodes}
        weights: dict[tuple[str, str], float] = {}
        for parent, child, weight in edges:
            if (parent, child) not in weights:
                children[parent].append(child)
                parents[child].append(parent)
            weights[parent, child] = weight
        self.edges = tuple((parent, child, weight) for (parent, child), weight in weights.items())
        self.children: Mapping[str, tuple[str, ...]] = FrozenDict(
            (node_id, tuple(found)) for node_id, found in children.items()
        )
        self.parents: Mapping[str, tuple[str, ...]] = FrozenDict(
            (node_id, tuple(found)) for node_id, found in parents.items()
        )
        self.weights: Mapping[tuple[str, str], float] = FrozenDict(weights)
        self.root: str | None = next((n for n, found in parents.items() if not found), None)
        self.leaves = tuple(n for n, node in self.nodes.items() if node.kind == INDICATOR)
        self.inner = tuple(n for n, node in self.nodes.items() if node.kind != INDICATOR)
        self._bottom_up: tuple[str, ...] | None = None
        self._depths: Mapping[str, int] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (tuple(self.nodes.values()), self.edges))

    def __repr__(self) -> str:
        return f"_Structure({tuple(self.nodes.values())!r}, {self.edges!r})"

    def _outgoing(self) -> list[tuple[str, str, float]]:
        return [(p, c, self.weights[p, c]) for p in self.nodes for c in self.children[p]]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Structure):
            return NotImplemented
        return self is other or (
            list(self.nodes.items()) == list(other.nodes.items())
            and self._outgoing() == other._outgoing()
        )

    __hash__ = None  # type: ignore[assignment]  # equal structures may differ in their edges' order

    def bottom_up(self) -> tuple[str, ...]:
        order = self._bottom_up
        if order is None:
            found, waiting = _generations(self.nodes, self.children, self.parents)
            if waiting:
                import networkx

                raise networkx.NetworkXUnfeasible(
                    "Graph contains a cycle or graph changed during iteration"
                )
            order = self._bottom_up = tuple(reversed(found))
        return order

    def depths(self) -> Mapping[str, int]:
        depths = self._depths
        if depths is None:
            longest: dict[str, int] = {}
            for current in reversed(self.bottom_up()):
                longest[current] = max((longest[p] + 1 for p in self.parents[current]), default=0)
            depths = self._depths = FrozenDict(longest)
        return depths

    def below(self, node_id: str) -> set[str]:
        """The node and every node reachable from it."""
        if node_id not in self.children:
            raise _no_node(node_id)
        seen = {node_id}
        stack = [node_id]
        while stack:
            for child in self.children[stack.pop()]:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    def preorder(self, start: str) -> tuple[str, ...]:
        """Depth-first preorder from ``start``, children in order, each node once (as networkx's
        ``dfs_preorder_nodes``)."""
        order = [start]
        seen = {start}
        stack = [iter(self.children[start])]
        while stack:
            for child in stack[-1]:
                if child not in seen:
                    seen.add(child)
                    order.append(child)
                    stack.append(iter(self.children[child]))
                    break
            else:
                stack.pop()
        return tuple(order)

    def to_graph(self) -> nx.DiGraph:
        import networkx

        graph = networkx.DiGraph()
        for node_id, node in self.nodes.items():
            graph.add_node(node_id, node=node)
        for parent, child, weight in self.edges:
            graph.add_edge(parent, child, weight=weight)
        return _frozen_graph(graph)


def _structure(value: _Structure | nx.DiGraph) -> _Structure:
    """The structure of a framework given as one, or as a networkx graph built as
    :meth:`Framework.build` builds it (each node under ``"node"``, each edge's ``"weight"``)."""
    if isinstance(value, _Structure):
        return value
    return _Structure(
        (data for _, data in value.nodes(data="node")),
        ((parent, child, float(weight)) for parent, child, weight in value.edges(data="weight")),
    )


@attrs.frozen
class Framework:
    """A validated evaluation framework. Construct it with :meth:`build`.

    Use the accessors rather than the graph where you can: they return
    nodes in the order the framework declares them, so output is stable,
    and they work on the framework's own tables, without networkx.
    """

    id: str
    # The nodes and edges; the initialiser also takes a networkx graph under this name, as it
    # once stored one (see :attr:`graph`).
    _structure: _Structure = attrs.field(alias="graph", converter=_structure, repr=False)
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
    # The networkx graph, built on first use of :attr:`graph` and kept: the framework is frozen.
    _graph: nx.DiGraph | None = attrs.field(default=None, init=False, eq=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        # The graph is rebuilt on demand rather than pickled: a pickle stays small, and
        # unpickling needs no networkx.
        return {
            field.name: getattr(self, field.name)
            for field in attrs.fields(type(self))
            if field.name != "_graph"
        }

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_graph", None)

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
        declared = [
            (parent, node.id, 1.0 if node.weight is None else node.weight)
            for node in nodes
            for parent in node.parents
        ]
        declared += [(edge.parent, edge.child, edge.weight) for edge in edges]
        return cls(
            id=id,
            graph=_Structure(nodes, declared),
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
    def graph(self) -> nx.DiGraph:
        """The framework as a frozen :class:`networkx.DiGraph`: edges run from parent to
        child with a ``weight``, and each node holds its :class:`Node` under ``"node"``.

        Built on first use (networkx is imported then) and kept, so every call returns the
        same graph; use it with any networkx algorithm.

        >>> from policyeval import frameworks
        >>> graph = frameworks.load("agustino").graph
        >>> graph.number_of_nodes(), graph.edges["program", "kelembagaan"]["weight"]
        (18, 1.0)
        """
        graph = self._graph
        if graph is None:
            graph = self._structure.to_graph()
            object.__setattr__(self, "_graph", graph)
        return graph

    @property
    def root(self) -> str:
        """The id of the single node without parents."""
        root = self._structure.root
        if root is None:
            raise StopIteration  # as before: a graph without a node of in-degree 0
        return root

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Every node id, in declaration order."""
        return tuple(self._structure.nodes)

    @property
    def indicators(self) -> tuple[str, ...]:
        """The indicator ids, in declaration order."""
        return self._structure.leaves

    @property
    def inner_nodes(self) -> tuple[str, ...]:
        """The ids of nodes that aggregate children, in declaration order."""
        return self._structure.inner

    def node(self, node_id: str) -> Node:
        """The :class:`Node` with this id (``KeyError`` naming it when unknown)."""
        try:
            return self._structure.nodes[node_id]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no node {node_id!r}") from None

    def __contains__(self, node_id: object) -> bool:
        try:
            return node_id in self._structure.nodes
        except TypeError:  # an unhashable value is no node id
            return False

    def __iter__(self) -> Iterator[Node]:
        return iter(self._structure.nodes.values())

    def __len__(self) -> int:
        return len(self._structure.nodes)

    def children(self, node_id: str) -> tuple[str, ...]:
        """The children of a node, in declaration order."""
        try:
            return self._structure.children[node_id]
        except KeyError:
            raise _no_node(node_id) from None

    def parents(self, node_id: str) -> tuple[str, ...]:
        """The parents of a node."""
        try:
            return self._structure.parents[node_id]
        except KeyError:
            raise _no_node(node_id) from None

    def weight(self, parent: str, child: str) -> float:
        """The weight of the edge from ``parent`` to ``child``."""
        try:
            return self._structure.weights[parent, child]
        except KeyError:
            raise KeyError(f"The edge {(parent, child)} is not in the graph.") from None

    def kind_of(self, node_id: str) -> str:
        """The kind of a node (``root``, ``dimension``, ``indicator`` ...)."""
        return self.node(node_id).kind

    def of_kind(self, kind: str) -> tuple[str, ...]:
        """The ids of nodes of one kind, in declaration order."""
        return tuple(n for n, node in self._structure.nodes.items() if node.kind == kind)

    def bottom_up(self) -> tuple[str, ...]:
        """Every node id, each after all of its descendants (for aggregation)."""
        return self._structure.bottom_up()

    def top_down(self) -> tuple[str, ...]:
        """Every node id in depth-first preorder from the root, children in declaration order.

        A node shared by several parents appears once, under its first parent.
        """
        return self._structure.preorder(self.root)

    def depth(self, node_id: str) -> int:
        """The length of the longest path from the root to the node.

        All depths are computed in one linear pass the first time and kept.
        """
        try:
            return self._structure.depths()[node_id]
        except KeyError:
            raise KeyError(f"framework {self.id!r} has no node {node_id!r}") from None

    def indicators_under(self, node_id: str) -> tuple[str, ...]:
        """The indicators reachable from a node (itself, for an indicator)."""
        below = self._structure.below(node_id)
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

    children: dict[str, list[str]] = {node_id: [] for node_id in first_index}
    parents: dict[str, list[str]] = {node_id: [] for node_id in first_index}
    weights: dict[tuple[str, str], float] = {}
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
        children[parent].append(child)
        parents[child].append(parent)
        weights[parent, child] = weight

    cycle = None
    if _generations(first_index, children, parents)[1]:
        cycle = _find_cycle(first_index, seen_edges)
        path = " -> ".join([cycle[0][0], *(child for _, child in cycle)])
        problems.append(Problem(f"cycle: {path}", key=seen_edges.get((cycle[-1][0], cycle[-1][1]))))

    by_id = {node.id: (index, node) for index, node in reversed(list(enumerate(nodes)))}
    roots = [n for n in first_index if not parents[n]]
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
        has_children = bool(children[node_id])
        if node.is_indicator and has_children:
            problems.append(Problem(f"indicator {node_id!r} has children", key=f"{key}.kind"))
        if not node.is_indicator and not has_children:
            problems.append(
                Problem(
                    f"inner node {node_id!r} (kind {node.kind!r}) has no children",
                    key=f"{key}.kind",
                )
            )
        if has_children and all(weights[node_id, child] == 0 for child in children[node_id]):
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


def _find_cycle(node_ids: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The cycle networkx's ``find_cycle`` reports for these nodes and edges (added in this
    order), as a list of edges. Only called once a cycle is known to exist, so networkx is
    imported only for a framework that cannot be built."""
    import networkx

    graph = networkx.DiGraph()
    graph.add_nodes_from(node_ids)
    graph.add_edges_from(edges)
    return list(networkx.find_cycle(graph))
