"""Random small frameworks for the property tests: a DAG of inner nodes over indicators.

Every inner node gets at least one child, an indicator may sit under several
inner nodes, and node ids are ``n0`` (the root), ``n1``..., ``i0``... and
``extra_<node>`` for an indicator added only so that ``<node>`` has a child.
"""

from __future__ import annotations

from hypothesis import strategies as st

from policyeval.framework import Framework, Node
from policyeval.scales import Scale


def random_dag(
    draw: st.DrawFn,
    scale: Scale,
    *,
    inner: int,
    indicators: int,
    extra_parents: bool = False,
) -> Framework:
    """Draw a framework with up to ``inner`` inner nodes and ``indicators`` indicators on
    ``scale``; with ``extra_parents`` an indicator may get one more parent."""
    count = draw(st.integers(1, inner))
    nodes = [Node("n0", "root", label={"en": "n0"})]
    for index in range(1, count):
        parent = f"n{draw(st.integers(0, index - 1))}"
        nodes.append(Node(f"n{index}", "dimension", label={"en": "x"}, parents=(parent,)))
    childless = {f"n{i}" for i in range(count)} - {p for n in nodes for p in n.parents}
    for index in range(draw(st.integers(1, indicators))):
        parents = {f"n{draw(st.integers(0, count - 1))}"}
        if childless:
            parents.add(childless.pop())
        if extra_parents and draw(st.booleans()):
            parents.add(f"n{draw(st.integers(0, count - 1))}")
        nodes.append(Node(f"i{index}", "indicator", label={"en": "i"}, parents=sorted(parents)))
    for node in sorted(childless):  # any inner node still without a child gets an indicator
        nodes.append(Node(f"extra_{node}", "indicator", label={"en": "i"}, parents=(node,)))
    return Framework.build(id="random", scales=[scale], default_scale=scale.id, nodes=nodes)
