"""The Framework model: accessors over the graph, validation, and DAG support."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings

from policyeval.exceptions import FrameworkError
from policyeval.framework import AggregatorSpec, Edge, Framework, Node
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale
from policyeval.testing._framework_strategies import frameworks

YN = OrdinalScale("yn", (Level("yes", 1, label={"en": "Yes"}), Level("no", 0, label={"en": "No"})))


def node(node_id: str, kind: str = "indicator", **options: Any) -> Node:
    return Node(node_id, kind, label={"en": node_id.upper()}, **options)


def build(nodes: list[Node], **options: Any) -> Framework:
    arguments: dict[str, Any] = {"id": "t", "scales": [YN], "default_scale": "yn"}
    arguments.update(options)
    return Framework.build(nodes=nodes, **arguments)


def problems(nodes: list[Node], **options: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(FrameworkError) as caught:
        build(nodes, **options)
    return [(p.key, p.message) for p in caught.value.problems]


@pytest.fixture
def dag() -> Framework:
    """root -> inputs, outputs; staff is shared by both (weight 3 under outputs)."""
    return build(
        [
            node("root", "root", aggregator="min"),
            node("inputs", "dimension", parents=("root",), weight=2),
            node("outputs", "dimension", parents=("root",)),
            node("staff", parents=("inputs",)),
            node("budget", parents=("inputs",), weight=0.5),
            node("reach", parents=("outputs",)),
        ],
        edges=[Edge("outputs", "staff", 3)],
    )


def test_accessors_follow_declaration_order() -> None:
    """Node ids, indicators and children come back in the order the framework declares them."""
    fw = build(
        [
            node("r", "root"),
            node("z", parents=("r",)),
            node("a", "dimension", parents=("r",)),
            node("m", parents=("a",)),
        ]
    )
    assert fw.root == "r"
    assert fw.node_ids == ("r", "z", "a", "m")
    assert fw.indicators == ("z", "m")
    assert fw.inner_nodes == ("r", "a")
    assert fw.children("r") == ("z", "a")
    assert fw.of_kind("dimension") == ("a",)
    assert [n.id for n in fw] == ["r", "z", "a", "m"]
    assert len(fw) == 4
    assert "m" in fw and "q" not in fw


def test_unknown_node_is_a_key_error_naming_it() -> None:
    """Asking for an unknown node raises KeyError naming the node and the framework."""
    fw = build([node("r", "root"), node("i", parents=("r",))])
    with pytest.raises(KeyError, match="framework 't' has no node 'nope'"):
        fw.node("nope")


def test_node_weight_is_the_default_edge_weight(dag: Framework) -> None:
    """A node's weight applies to every edge into it; an explicit edge overrides it per parent."""
    assert dag.weight("root", "inputs") == 2.0
    assert dag.weight("root", "outputs") == 1.0
    assert dag.weight("inputs", "budget") == 0.5


def test_shared_indicator_has_several_parents(dag: Framework) -> None:
    """An indicator may belong to several parents, each edge with its own weight."""
    assert dag.parents("staff") == ("inputs", "outputs")
    assert dag.weight("inputs", "staff") == 1.0
    assert dag.weight("outputs", "staff") == 3.0
    assert dag.children("outputs") == ("reach", "staff")
    assert dag.indicators_under("inputs") == ("staff", "budget")
    assert dag.indicators_under("outputs") == ("staff", "reach")
    assert dag.indicators_under("staff") == ("staff",)


def test_explicit_edge_alone_links_a_child() -> None:
    """An explicit edge may be a node's only link to its parent."""
    fw = build([node("r", "root"), node("i")], edges=[Edge("r", "i", 0.25)])
    assert fw.parents("i") == ("r",)
    assert fw.weight("r", "i") == 0.25


def test_bottom_up_puts_every_node_after_its_descendants(dag: Framework) -> None:
    """Aggregation order: each node comes after everything below it."""
    order = dag.bottom_up()
    assert sorted(order) == sorted(dag.node_ids)
    for parent, child in dag.graph.edges:
        assert order.index(child) < order.index(parent)


def test_top_down_visits_a_shared_node_once(dag: Framework) -> None:
    """Top-down traversal lists each node once, a shared one under its first parent."""
    assert dag.top_down() == ("root", "inputs", "staff", "budget", "outputs", "reach")


def test_depth_is_the_longest_path_from_the_root() -> None:
    """A node reachable at several depths has the deepest one."""
    fw = build(
        [
            node("r", "root"),
            node("d", "dimension", parents=("r",)),
            node("i", parents=("r", "d")),
        ]
    )
    assert (fw.depth("r"), fw.depth("d"), fw.depth("i")) == (0, 1, 2)


def test_scale_and_aggregator_fall_back_to_the_defaults(dag: Framework) -> None:
    """A node without its own scale or aggregator uses the framework's defaults."""
    assert dag.scale_of("staff") is YN
    assert dag.aggregator_of("root") == AggregatorSpec("min")
    assert dag.aggregator_of("inputs") == AggregatorSpec("mean")


def test_labels_fall_back_to_the_default_language() -> None:
    """A label missing in the asked language falls back to the default language, then the id."""
    fw = build(
        [
            Node("r", "root", label={"id": "Program", "en": "Programme"}),
            Node("i", "indicator", label={"id": "Kompetensi"}, parents=("r",)),
        ],
        languages=("id", "en"),
        scales=[OrdinalScale("yn", (Level("yes", 1, label={"id": "Ya"}),))],
    )
    assert fw.default_language == "id"
    assert fw.label("r", "en") == "Programme"
    assert fw.label("i", "en") == "Kompetensi"
    assert fw.text({"en": "x", "fr": "y"}, "fr") == "y"
    assert fw.text({}, "en") == ""


def test_aggregator_spec_accepts_names_and_mappings() -> None:
    """Aggregators may be given as a name, a mapping with a name, or a spec; params are sorted."""
    fw = build(
        [node("r", "root", aggregator={"name": "generalised", "p": 2}), node("i", parents=("r",))],
        default_aggregator="median",
    )
    assert fw.aggregator_of("r") == AggregatorSpec("generalised", {"p": 2})
    assert fw.default_aggregator == AggregatorSpec("median")


def test_frameworks_compare_by_content() -> None:
    """Two frameworks built from equal parts are equal; the source file does not count."""
    parts = [node("r", "root"), node("i", parents=("r",), weight=2)]
    assert build(parts, source="a.toml") == build(parts, source="b.toml")
    assert build(parts) != build([node("r", "root"), node("i", parents=("r",), weight=3)])


LEAF = node("i", parents=("r",))
ROOT = node("r", "root")

INVALID = [
    pytest.param([], {}, "nodes", "a framework needs at least one node", id="no-nodes"),
    pytest.param(
        [ROOT, LEAF], {"scales": [YN, YN]}, "scales[1].id", "duplicate scale id", id="dup-scale"
    ),
    pytest.param(
        [ROOT, LEAF],
        {"default_scale": "nope"},
        "framework.default_scale",
        "default scale is not defined",
        id="default-scale",
    ),
    pytest.param(
        [ROOT, LEAF],
        {"title": {"id": "Judul"}},
        "framework.title",
        "title has no text in the default language 'en'",
        id="title-language",
    ),
    pytest.param(
        [ROOT, LEAF],
        {"scales": [OrdinalScale("yn", (Level("yes", 1, label={"id": "Ya"}),))]},
        "scales[0].levels[0].label",
        "level 'yes' has no label in the default language 'en'",
        id="level-label",
    ),
    pytest.param(
        [ROOT, node("", parents=("r",))], {}, "nodes[1].id", "node id must be", id="empty-id"
    ),
    pytest.param(
        [ROOT, LEAF, node("i", parents=("r",))],
        {},
        "nodes[2].id",
        "duplicate node id (first declared at nodes[1])",
        id="dup-node",
    ),
    pytest.param(
        [ROOT, Node("i", "", label={"en": "I"}, parents=("r",))],
        {},
        "nodes[1].kind",
        "node kind must be a non-empty string",
        id="empty-kind",
    ),
    pytest.param(
        [ROOT, Node("i", "indicator", label={"id": "I"}, parents=("r",))],
        {},
        "nodes[1].label",
        "node 'i' has no label in the default language 'en'",
        id="node-label",
    ),
    pytest.param(
        [ROOT, node("i", parents=("r",), weight=-1)],
        {},
        "nodes[1].weight",
        "weight must be a finite number >= 0",
        id="negative-weight",
    ),
    pytest.param(
        [ROOT, node("i", parents=("r",), weight=math.inf)],
        {},
        "nodes[1].weight",
        "weight must be a finite number >= 0",
        id="infinite-weight",
    ),
    pytest.param(
        [ROOT, node("i", parents=("r",), scale="pct")],
        {},
        "nodes[1].scale",
        "unknown scale",
        id="unknown-scale",
    ),
    pytest.param(
        [ROOT, LEAF],
        {"default_scale": None},
        "nodes[1].scale",
        "indicator 'i' has no scale and the framework has no default scale",
        id="no-scale",
    ),
    pytest.param(
        [ROOT, node("i", parents=("r",), aggregator="mean")],
        {},
        "nodes[1].aggregator",
        "an indicator has no children to aggregate",
        id="indicator-aggregator",
    ),
    pytest.param(
        [node("r", "root", parents=("d",)), node("d", "dimension", parents=("r",)), LEAF],
        {},
        "nodes[0].parents",
        "the root cannot have parents",
        id="root-parents",
    ),
    pytest.param(
        [ROOT, node("i", parents=("r", "r"))],
        {},
        "nodes[1].parents[1]",
        "parent listed twice",
        id="parent-twice",
    ),
    pytest.param(
        [ROOT, LEAF, node("j", parents=("rot",))],
        {},
        "nodes[2].parents[0]",
        "dangling edge: node 'j' names an unknown parent",
        id="dangling-parent",
    ),
    pytest.param(
        [ROOT, LEAF],
        {"edges": [Edge("r", "x", 1)]},
        "edges[0].child",
        "dangling edge: unknown child",
        id="dangling-edge",
    ),
    pytest.param(
        [ROOT, node("i")],
        {"edges": [Edge("r", "i", -2)]},
        "edges[0].weight",
        "weight must be a finite number >= 0",
        id="edge-weight",
    ),
    pytest.param(
        [ROOT, LEAF],
        {"edges": [Edge("r", "i", 2)]},
        "edges[0]",
        "edge 'r' -> 'i' declared twice (also at nodes[1].parents[0])",
        id="edge-twice",
    ),
    pytest.param(
        [
            ROOT,
            node("a", "dimension", parents=("r", "b")),
            node("b", "dimension", parents=("a",)),
            node("i", parents=("b",)),
        ],
        {},
        "nodes[1].parents[1]",
        "cycle: ",
        id="cycle",
    ),
    pytest.param(
        [node("a", "dimension", parents=("b",)), node("b", "dimension", parents=("a",))],
        {},
        "nodes[0].parents[0]",
        "cycle: a -> b -> a",
        id="no-root",
    ),
    pytest.param(
        [ROOT, LEAF, node("s", "root"), node("j", parents=("s",))],
        {},
        "nodes[2].parents",
        "several roots: 'r', 's'; node 's' has no parent",
        id="several-roots",
    ),
    pytest.param(
        [ROOT, LEAF, node("j", parents=("i",))],
        {},
        "nodes[1].kind",
        "indicator 'i' has children",
        id="indicator-children",
    ),
    pytest.param(
        [ROOT, LEAF, node("d", "dimension", parents=("r",))],
        {},
        "nodes[2].kind",
        "inner node 'd' (kind 'dimension') has no children",
        id="childless-dimension",
    ),
    pytest.param(
        [ROOT, node("i", parents=("r",), weight=0), node("j", parents=("r",), weight=0)],
        {},
        "nodes[0]",
        "every child of 'r' has weight 0",
        id="zero-weights",
    ),
    pytest.param(
        [ROOT, LEAF],
        {
            "scales": [
                YN,
                NumericScale(
                    "pct",
                    bands=Bands((50,), ("no", "yes")),
                    levels=OrdinalScale("yn4", (Level("no", 0), Level("yes", 1))),
                ),
            ]
        },
        "scales[1].bands.scale",
        "bands refer to an unknown ordinal scale",
        id="bands-unknown-scale",
    ),
    pytest.param(
        [ROOT, LEAF],
        {
            "scales": [
                YN,
                NumericScale(
                    "pct",
                    bands=Bands((50,), ("no", "yes")),
                    levels=OrdinalScale("yn", (Level("no", 0), Level("yes", 5))),
                ),
            ]
        },
        "scales[1].bands.scale",
        "bands refer to a scale that differs from the framework's scale of that id",
        id="bands-other-scale",
    ),
]


@pytest.mark.parametrize(("nodes", "options", "key", "message"), INVALID)
def test_build_reports_each_problem_with_its_key(
    nodes: list[Node], options: dict[str, Any], key: str, message: str
) -> None:
    """Build refuses an invalid framework, naming the key path of the offending part."""
    found = problems(nodes, **options)
    assert any(k == key and m.startswith(message) for k, m in found), found


def test_build_reports_every_problem_at_once() -> None:
    """All problems are reported together, each located, with the source file."""
    with pytest.raises(FrameworkError) as caught:
        build(
            [ROOT, node("i", parents=("r",), weight=-1), node("i", parents=("x",))],
            source="fw.toml",
        )
    rendered = str(caught.value)
    assert rendered.startswith("3 problems:")
    assert "fw.toml: nodes[1].weight: weight must be a finite number >= 0 (got -1.0)" in rendered
    assert all(p.file == "fw.toml" for p in caught.value.problems)
    assert isinstance(caught.value, ValueError)


def test_node_key_locates_problems() -> None:
    """A node's key (set by loaders) is used in its problems instead of its position."""
    found = problems([ROOT, node("i", parents=("r",), weight=-1, key="nodes[7]")])
    assert ("nodes[7].weight", "weight must be a finite number >= 0") in found


@settings(max_examples=30, deadline=None)
@given(frameworks(max_depth=3, max_children=3))
def test_generated_frameworks_are_rooted_dags(fw: Framework) -> None:
    """Every node is reachable from the one root; indicators are exactly the leaves."""
    assert fw.top_down()[0] == fw.root
    assert sorted(fw.top_down()) == sorted(fw.node_ids)
    assert {n for n in fw.node_ids if not fw.children(n)} == set(fw.indicators)
    assert fw.indicators_under(fw.root) == fw.indicators


@settings(max_examples=30, deadline=None)
@given(frameworks(max_depth=3, max_children=3))
def test_rebuilding_from_parts_gives_an_equal_framework(fw: Framework) -> None:
    """A framework rebuilt from its own nodes, edges and scales is equal to it."""
    explicit = [
        Edge(p, c, w) for p, c, w in fw.graph.edges(data="weight") if p not in fw.node(c).parents
    ]
    again = Framework.build(
        id=fw.id,
        nodes=list(fw),
        edges=explicit,
        scales=list(fw.scales.values()),
        title=fw.title,
        description=fw.description,
        languages=fw.languages,
        default_language=fw.default_language,
        default_scale=fw.default_scale,
        default_aggregator=fw.default_aggregator,
        version=fw.version,
        citation=fw.citation,
        references=fw.references,
        attributes=fw.attributes,
    )
    assert again == fw


@settings(max_examples=30, deadline=None)
@given(frameworks(max_depth=3, max_children=3))
def test_traversals_agree_with_networkx_on_the_graph(fw: Framework) -> None:
    """The framework's own traversals give what the networkx algorithms give on its graph,
    order included: the graph is the public view of the same structure."""
    import networkx as nx

    graph = fw.graph
    assert tuple(graph.nodes) == fw.node_ids
    assert [data for _, data in graph.nodes(data="node")] == list(fw)
    assert fw.bottom_up() == tuple(reversed(list(nx.topological_sort(graph))))
    assert fw.top_down() == tuple(nx.dfs_preorder_nodes(graph, fw.root))
    assert fw.root == next(n for n, degree in graph.in_degree() if degree == 0)
    for node_id in fw.node_ids:
        assert fw.children(node_id) == tuple(graph.successors(node_id))
        assert fw.parents(node_id) == tuple(graph.predecessors(node_id))
        below = nx.descendants(graph, node_id) | {node_id}
        assert fw.indicators_under(node_id) == tuple(n for n in fw.indicators if n in below)
        longest = nx.dag_longest_path_length(
            graph.subgraph(nx.ancestors(graph, node_id) | {node_id}), weight=None
        )
        assert fw.depth(node_id) == longest
    for parent, child, weight in graph.edges(data="weight"):
        assert fw.weight(parent, child) == weight


def test_the_graph_is_built_once_and_frozen(dag: Framework) -> None:
    """``graph`` is one frozen networkx DiGraph per framework, holding the nodes and weights."""
    import networkx as nx

    assert dag.graph is dag.graph
    assert isinstance(dag.graph, nx.DiGraph) and nx.is_frozen(dag.graph)
    assert dag.graph.nodes["staff"]["node"] == dag.node("staff")
    assert dag.graph.edges["outputs", "staff"]["weight"] == 3.0
    with pytest.raises(nx.NetworkXError):
        dag.graph.add_node("more")


def test_unknown_nodes_and_edges_raise_as_the_graph_did(dag: Framework) -> None:
    """Traversals from an unknown node raise networkx's error, an unknown edge a KeyError."""
    import networkx as nx

    for ask in (dag.children, dag.parents, dag.indicators_under):
        with pytest.raises(nx.NetworkXError, match="The node nope is not in the digraph"):
            ask("nope")
    with pytest.raises(KeyError, match=r"The edge \('root', 'staff'\) is not in the graph"):
        dag.weight("root", "staff")
    assert ["not", "hashable"] not in dag


def test_a_framework_pickles_without_its_graph(dag: Framework) -> None:
    """A pickled framework is equal to the original, with the same order of parents and
    children, whether or not its graph was built; the graph is rebuilt when asked."""
    import pickle

    before = pickle.dumps(dag)
    assert dag.graph is not None
    after = pickle.dumps(dag)
    assert len(after) == len(before)
    again = pickle.loads(after)
    assert again == dag
    assert [again.parents(n) for n in again.node_ids] == [dag.parents(n) for n in dag.node_ids]
    assert list(again.graph.edges(data="weight")) == list(dag.graph.edges(data="weight"))


def test_a_framework_can_be_evolved_or_made_from_its_graph(dag: Framework) -> None:
    """``attrs.evolve`` keeps the structure, and the initialiser still takes a networkx graph
    (as built by ``build``) in place of it."""
    import attrs

    renamed = attrs.evolve(dag, id="other")
    assert renamed.node_ids == dag.node_ids and renamed.id == "other"
    assert attrs.evolve(renamed, id=dag.id) == dag
    from_graph = Framework(
        id=dag.id, graph=dag.graph, scales=dag.scales, default_scale=dag.default_scale
    )
    assert from_graph == dag
    assert from_graph.bottom_up() == dag.bottom_up()


def test_equal_frameworks_may_list_parents_in_another_order() -> None:
    """Equality compares nodes in order and each node's children in order, as it did on graphs:
    the order in which explicit edges give a shared node its parents does not count."""
    nodes = [
        node("r", "root"),
        node("a", "dimension", parents=("r",)),
        node("b", "dimension", parents=("r",)),
        node("i"),
    ]
    first = build(nodes, edges=[Edge("a", "i", 1), Edge("b", "i", 1)])
    second = build(nodes, edges=[Edge("b", "i", 1), Edge("a", "i", 1)])
    assert first.parents("i") == ("a", "b") and second.parents("i") == ("b", "a")
    assert first == second
    assert first != build(nodes, edges=[Edge("a", "i", 1), Edge("b", "i", 2)])
