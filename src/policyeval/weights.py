"""Weights: explicit, equal, effective, and from AHP pairwise comparisons.

A framework's edges carry weights, and aggregation takes other weights as a
parameter, a mapping ``(parent, child) -> weight`` (the :data:`Weights`
type), as networkx functions take ``weight=``. This module makes and checks
such mappings:

* :func:`explicit_weights` checks a mapping against a framework and fills in
  the framework's own weights for the edges it does not name;
* :func:`framework_weights` and :func:`equal_weights` give every edge its
  declared weight, or 1;
* :func:`effective_weights` says what share of the index each node carries
  once the weights of every level are multiplied down the graph;
* :func:`ahp` derives priorities from pairwise comparisons (Saaty's
  Analytic Hierarchy Process), with the consistency ratio, and completes
  missing comparisons by Harker's method.

All returned mappings are read-only. Functions take the framework first and
never change it.

>>> from policyeval import frameworks
>>> fw = frameworks.load("dunn")
>>> shares = effective_weights(fw)
>>> round(sum(shares[node] for node in fw.indicators), 12)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from policyeval._frozen import FrozenDict
from policyeval.exceptions import InvalidArgument
from policyeval.framework import Framework

__all__ = [
    "AHP",
    "SAATY_1980",
    "SAATY_2005",
    "Weights",
    "ahp",
    "edges",
    "effective_weights",
    "equal_weights",
    "explicit_weights",
    "framework_weights",
]

Weights = Mapping[tuple[str, str], float]
"""Edge weights: ``(parent, child) -> weight``, each finite and non-negative."""

SAATY_1980: Mapping[int, float] = FrozenDict(
    {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
)
"""Saaty's random index by matrix size: the mean consistency index of random
reciprocal matrices on the 1-9 scale (T. L. Saaty, *The Analytic Hierarchy
Process*, McGraw-Hill, 1980). The default of :func:`ahp`."""

SAATY_2005: Mapping[int, float] = FrozenDict(
    {
        1: 0.0,
        2: 0.0,
        3: 0.52,
        4: 0.89,
        5: 1.11,
        6: 1.25,
        7: 1.35,
        8: 1.40,
        9: 1.45,
        10: 1.49,
        11: 1.52,
        12: 1.54,
        13: 1.56,
        14: 1.58,
        15: 1.59,
    }
)
"""Saaty's later random index, from larger simulations, up to 15 items (T. L.
Saaty, *Theory and Applications of the Analytic Network Process*, RWS
Publications, 2005, p. 31)."""


def edges(framework: Framework) -> tuple[tuple[str, str], ...]:
    """Every edge ``(parent, child)``: inner nodes in declaration order, each
    followed by its children in declaration order.

    >>> from policyeval import frameworks
    >>> edges(frameworks.load("agustino"))[:2]
    (('program', 'sumber_daya_aparatur'), ('program', 'kelembagaan'))
    """
    return tuple(
        (parent, child) for parent in framework.inner_nodes for child in framework.children(parent)
    )


def framework_weights(framework: Framework) -> Weights:
    """The framework's own weight on every edge, in :func:`edges` order.

    >>> from policyeval import frameworks
    >>> weights = framework_weights(frameworks.load("dunn"))
    >>> weights["policy", "effectiveness"]
    1.0
    """
    return FrozenDict(
        {(parent, child): framework.weight(parent, child) for parent, child in edges(framework)}
    )


def equal_weights(framework: Framework) -> Weights:
    """Weight 1 on every edge: each node's children count equally.

    >>> from policyeval import frameworks
    >>> set(equal_weights(frameworks.load("agustino")).values())
    {1.0}
    """
    return FrozenDict(dict.fromkeys(edges(framework), 1.0))


def _weight(edge: Any, weight: Any) -> float:
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        raise InvalidArgument(f"weights[{edge!r}] must be a number, got {weight!r}")
    if not (math.isfinite(weight) and weight >= 0):
        raise InvalidArgument(f"weights[{edge!r}] must be finite and >= 0, got {weight!r}")
    return float(weight)


def explicit_weights(framework: Framework, weights: Weights) -> Weights:
    """Check ``weights`` against ``framework`` and complete them.

    Every key must be an edge ``(parent, child)`` of the framework and every
    weight a finite number ``>= 0``; edges not named keep the framework's
    weight. Each inner node must keep a positive total weight over its
    children. Raises :class:`~policyeval.exceptions.InvalidArgument` naming
    the offending edge. The result names every edge, in :func:`edges` order.

    >>> from policyeval import frameworks
    >>> fw = frameworks.load("dunn")
    >>> chosen = explicit_weights(fw, {("policy", "effectiveness"): 3})
    >>> chosen["policy", "effectiveness"], chosen["policy", "efficiency"]
    (3.0, 1.0)
    >>> explicit_weights(fw, {("policy", "nowhere"): 1})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    policyeval.exceptions.InvalidArgument: weights name edges framework 'dunn' does not have: ...
    """
    if not isinstance(weights, Mapping):
        raise InvalidArgument(
            f"weights must be a mapping (parent, child) -> weight, got weights={weights!r}"
        )
    known = dict(framework_weights(framework))
    unknown = [edge for edge in weights if edge not in known]
    if unknown:
        raise InvalidArgument(
            f"weights name edges framework {framework.id!r} does not have: "
            f"{sorted(map(repr, unknown))}; edges are (parent, child) pairs"
        )
    for edge, weight in weights.items():
        known[edge] = _weight(edge, weight)
    for parent in framework.inner_nodes:
        if not any(known[parent, child] > 0 for child in framework.children(parent)):
            raise InvalidArgument(
                f"weights leave node {parent!r} without a positive weight on any child"
            )
    return FrozenDict(known)


def effective_weights(framework: Framework, weights: Weights | None = None) -> Mapping[str, float]:
    """Each node's final share of the index (the root has 1).

    A child receives its parent's share times its weight over the total
    weight of the parent's children; a node under several parents (a shared
    indicator in a DAG) adds the shares arriving along every path. The
    indicators' shares add up to 1. ``weights`` (checked as by
    :func:`explicit_weights`) replaces the framework's weights where given.
    These are nominal shares, as for a linear aggregator with every child
    present: a missing child, or a non-linear aggregator, changes how much a
    node actually moves the index.

    >>> from policyeval.framework import Framework, Node
    >>> from policyeval.scales import Level, OrdinalScale
    >>> en = lambda text: {"en": text}
    >>> scale = OrdinalScale("yn", (Level("no", 0, label=en("No")), Level("yes", 1, label=en("Yes"))))
    >>> fw = Framework.build(id="dag", scales=[scale], default_scale="yn", nodes=[
    ...     Node("index", "root", label=en("Index")),
    ...     Node("a", "dimension", parents=("index",), weight=3, label=en("A")),
    ...     Node("b", "dimension", parents=("index",), label=en("B")),
    ...     Node("x", "indicator", parents=("a", "b"), label=en("X")),
    ...     Node("y", "indicator", parents=("a",), label=en("Y")),
    ... ])
    >>> shares = effective_weights(fw)
    >>> shares["a"], shares["b"], shares["x"], shares["y"]
    (0.75, 0.25, 0.625, 0.375)
    """
    chosen = (
        framework_weights(framework) if weights is None else explicit_weights(framework, weights)
    )
    share = dict.fromkeys(framework.node_ids, 0.0)
    share[framework.root] = 1.0
    for parent in reversed(framework.bottom_up()):
        children = framework.children(parent)
        if not children:
            continue
        total = math.fsum(chosen[parent, child] for child in children)
        for child in children:
            share[child] += share[parent] * chosen[parent, child] / total
    return FrozenDict({node: share[node] for node in framework.node_ids})


def _read_only(value: Mapping[Any, float]) -> Mapping[Any, float]:
    return FrozenDict(value)


# --- AHP ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AHP:
    """Priorities derived from pairwise comparisons.

    ``items`` are the compared items in order; ``priorities`` maps each to
    its weight (they add up to 1); ``lambda_max`` is the principal
    eigenvalue, ``consistency_index`` is ``(lambda_max - n) / (n - 1)`` (0
    for one or two items), ``random_index`` the table value for ``n`` items
    and ``consistency_ratio`` their quotient (``None`` when the table has no
    value for ``n``). ``completed`` holds the comparisons that were missing,
    filled in as the ratio of the derived priorities (Harker's method).
    """

    items: tuple[str, ...]
    priorities: Mapping[str, float] = attrs.field(converter=_read_only)
    lambda_max: float
    consistency_index: float
    random_index: float | None
    consistency_ratio: float | None
    completed: Mapping[tuple[str, str], float] = attrs.field(converter=_read_only)

    @property
    def consistent(self) -> bool:
        """Saaty's rule of thumb: a consistency ratio of at most 0.10 is acceptable.

        With no random index for the size, only perfectly consistent
        judgements pass.
        """
        if self.consistency_ratio is None:
            return self.consistency_index <= 1e-12
        return self.consistency_ratio <= 0.10

    def edge_weights(self, parent: str) -> Weights:
        """The priorities as weights on the edges from ``parent`` to the items.

        >>> result = ahp({("a", "b"): 3})
        >>> dict(result.edge_weights("root"))
        {('root', 'a'): 0.75, ('root', 'b'): 0.25}
        """
        return FrozenDict({(parent, item): self.priorities[item] for item in self.items})


def _matrix(
    comparisons: Mapping[tuple[str, str], float], items: Sequence[str] | None
) -> tuple[tuple[str, ...], list[list[float | None]]]:
    if not isinstance(comparisons, Mapping) or not comparisons:
        raise InvalidArgument(
            f"comparisons must be a non-empty mapping (a, b) -> how many times a outweighs b, "
            f"got comparisons={comparisons!r}"
        )
    seen: list[str] = []
    for pair in comparisons:
        if not (
            isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise InvalidArgument(f"comparisons: each key is a pair of item names, got {pair!r}")
        if pair[0] == pair[1]:
            raise InvalidArgument(f"comparisons[{pair!r}]: an item is not compared with itself")
        seen.extend(name for name in pair if name not in seen)
    if items is None:
        order = tuple(seen)
    else:
        order = tuple(items)
        if len(set(order)) != len(order):
            raise InvalidArgument(f"items must be distinct, got items={list(order)!r}")
        stray = [name for name in seen if name not in order]
        if stray:
            raise InvalidArgument(f"comparisons name items not in items={list(order)!r}: {stray}")
    index = {name: position for position, name in enumerate(order)}
    size = len(order)
    matrix: list[list[float | None]] = [
        [1.0 if row == column else None for column in range(size)] for row in range(size)
    ]
    for (first, second), value in comparisons.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidArgument(
                f"comparisons[{(first, second)!r}] must be a number, got {value!r}"
            )
        if not (math.isfinite(value) and value > 0):
            raise InvalidArgument(
                f"comparisons[{(first, second)!r}] must be finite and > 0, got {value!r}"
            )
        row, column = index[first], index[second]
        given = matrix[row][column]
        if given is not None and not math.isclose(given, value, rel_tol=1e-9):
            raise InvalidArgument(
                f"comparisons[{(first, second)!r}] = {value!r} contradicts "
                f"comparisons[{(second, first)!r}] = {1 / given!r}: they must be reciprocal"
            )
        matrix[row][column] = float(value)
        matrix[column][row] = 1 / float(value)
    _check_connected(order, matrix)
    return order, matrix


def _check_connected(order: tuple[str, ...], matrix: list[list[float | None]]) -> None:
    reached = {0}
    frontier = [0]
    while frontier:
        row = frontier.pop()
        for column, value in enumerate(matrix[row]):
            if value is not None and column not in reached:
                reached.add(column)
                frontier.append(column)
    if len(reached) != len(order):
        apart = [order[position] for position in range(len(order)) if position not in reached]
        raise InvalidArgument(
            f"comparisons do not link {apart} to {order[0]!r}: every item must be compared, "
            f"directly or through others, with every other"
        )


def _principal(matrix: list[list[float]]) -> tuple[list[float], float]:
    """The principal eigenvector (summing to 1) and eigenvalue of a positive-diagonal,
    irreducible non-negative matrix, by power iteration."""
    size = len(matrix)
    vector = [1 / size] * size
    eigenvalue = float(size)
    for _ in range(10_000):
        product = [math.fsum(a * v for a, v in zip(row, vector, strict=True)) for row in matrix]
        eigenvalue = math.fsum(product)  # the vector sums to 1
        following = [value / eigenvalue for value in product]
        if max(abs(a - b) for a, b in zip(following, vector, strict=True)) < 1e-15:
            return following, eigenvalue
        vector = following
    return vector, eigenvalue  # pragma: no cover - positive matrices converge long before


def ahp(
    comparisons: Mapping[tuple[str, str], float],
    *,
    items: Sequence[str] | None = None,
    random_index: Mapping[int, float] = SAATY_1980,
) -> AHP:
    """Priorities from pairwise comparisons by Saaty's eigenvector method.

    ``comparisons[a, b] = x`` says ``a`` matters ``x`` times as much as
    ``b`` (Saaty's scale runs from 1/9 to 9; any positive number is
    accepted); ``(b, a)`` is implied as ``1 / x`` and, if given too, must
    agree. ``items`` fixes the order (default: as first named). The
    priorities are the principal eigenvector of the comparison matrix,
    scaled to add up to 1; the consistency ratio is the consistency index
    over ``random_index[n]`` (:data:`SAATY_1980` by default,
    :data:`SAATY_2005` up to 15 items).

    Comparisons may be incomplete, as long as they link every item:
    Harker's method (P. T. Harker, "Incomplete pairwise comparisons in the
    analytic hierarchy process", *Mathematical Modelling* 9(11), 1987,
    837-848) puts 0 for each missing comparison and adds the number of
    missing comparisons in a row to its diagonal. The eigenvector of that
    matrix is the priority vector of the complete matrix whose missing
    entries are the ratios of those same priorities, so the consistency
    ratio is that of the completed matrix.

    >>> result = ahp({("a", "b"): 2, ("b", "c"): 2, ("a", "c"): 4})  # consistent
    >>> {item: round(weight, 6) for item, weight in result.priorities.items()}
    {'a': 0.571429, 'b': 0.285714, 'c': 0.142857}
    >>> round(result.consistency_ratio, 12), result.consistent
    (0.0, True)
    >>> partial = ahp({("a", "b"): 2, ("b", "c"): 2})  # a-c missing: completed as 4
    >>> round(partial.completed["a", "c"], 12)
    4.0
    """
    if not isinstance(random_index, Mapping):
        raise InvalidArgument(
            f"random_index must map matrix sizes to indices, got random_index={random_index!r}"
        )
    order, given = _matrix(comparisons, items)
    size = len(order)
    missing = [[value is None for value in row] for row in given]
    harker = [
        [
            (1.0 + sum(missing[row]) if row == column else (given[row][column] or 0.0))
            for column in range(size)
        ]
        for row in range(size)
    ]
    priorities, eigenvalue = _principal(harker)
    completed = {
        (order[row], order[column]): priorities[row] / priorities[column]
        for row in range(size)
        for column in range(size)
        if missing[row][column]
    }
    index = 0.0 if size < 3 else max(0.0, (eigenvalue - size) / (size - 1))
    table = random_index.get(size)
    ratio: float | None
    if size < 3:
        ratio = 0.0
    elif table is None or table <= 0:
        ratio = None
    else:
        ratio = index / table
    return AHP(
        items=order,
        priorities=dict(zip(order, priorities, strict=True)),
        lambda_max=eigenvalue,
        consistency_index=index,
        random_index=table,
        consistency_ratio=ratio,
        completed=completed,
    )
