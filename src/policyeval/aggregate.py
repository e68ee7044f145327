"""The third stage: indicator scores -> every node's score for every unit.

:func:`aggregate` walks the framework bottom-up once, combining the children
of each inner node for all units at once on a units x nodes array. Weights
and aggregators are parameters, so aggregating again with other weights
(``weights=`` a mapping ``(parent, child) -> weight`` or an array aligned
with :func:`edge_order`, as networkx takes ``weight=``) or other aggregators
reuses the score table: nothing is triangulated again and the framework is
never rebuilt.

Aggregators offering an ``array`` form (the built-in means, minimum and
maximum) combine every unit in one call; any other aggregator, including
third-party scalar ones, is called unit by unit. ``vectorise=False`` calls
every aggregator unit by unit: the scalar path is the reference the array
forms must agree with. An aggregator marked ``cross_unit`` (one that
compares the units with each other) is always given every defined unit at
once.

Missing children: a child without a score is left out and the remaining
weights renormalised; when the children present carry less than
``min_share`` of the node's total child weight, the node is left undefined.
An aggregator that reads its children by position (a decision table) and
offers ``partial`` is asked instead which results a missing child could
lead to (DEXi's convention: an unknown input may take any value); one
reachable result is the node's score, several leave the node undefined and
are recorded in :attr:`NodeScores.reachable`.

>>> from policyeval import frameworks
>>> from policyeval.score import score
>>> fw = frameworks.load("dunn")
>>> data = {"u1": {"units_of_service": 90.0}, "u2": {"units_of_service": 30.0}}
>>> table = score(fw, data=data)
>>> nodes = aggregate(fw, table, min_share=0)
>>> nodes.score("u1", "effectiveness"), nodes.score("u2", "effectiveness")
(4.0, 2.0)
>>> again = aggregate(fw, table, min_share=0, aggregators="min")
>>> again.score("u1", "policy")
4.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval._arrays import arrays_equal, frozen_mapping, read_only
from policyeval.exceptions import InvalidArgument, PluginContractError, PolicyEvalError
from policyeval.framework import AggregatorSpec, Framework
from policyeval.protocols import Aggregator
from policyeval.registry import build_aggregator, describe
from policyeval.score import ScoreTable

__all__ = [
    "DEFAULT_MIN_SHARE",
    "AggregatorLike",
    "NodeScores",
    "WeightsLike",
    "aggregate",
    "aggregator_lookup",
    "combine",
    "edge_order",
    "edge_weights",
]

DEFAULT_MIN_SHARE = 0.5

FloatArray = npt.NDArray[np.float64]
AggregatorLike = Aggregator | str | Mapping[str, Any] | AggregatorSpec
WeightsLike = Mapping[tuple[str, str], float] | Sequence[float] | FloatArray


@attrs.frozen(kw_only=True)
class NodeScores:
    """Every node's score for every unit, with the choices that made them.

    ``scores`` is a read-only float array of shape ``(len(units),
    len(nodes))`` (``nodes`` in framework declaration order), ``nan`` where
    a node is undefined for a unit; ``share_present`` holds, for inner
    nodes, the share of child weight that had a score (``nan`` for
    indicators). ``aggregators`` maps each inner node to its aggregator's
    ``repr`` and ``weights`` to its children's weights in child order.
    ``reachable`` maps ``(unit, node)`` to the results a decision table
    could reach when missing children left it undefined. ``table`` is the
    score table aggregated.
    """

    framework: Framework = attrs.field(eq=False, repr=False)
    units: tuple[str, ...]
    nodes: tuple[str, ...]
    scores: FloatArray = attrs.field(converter=read_only, eq=attrs.cmp_using(eq=arrays_equal))
    share_present: FloatArray = attrs.field(
        converter=read_only, eq=attrs.cmp_using(eq=arrays_equal)
    )
    aggregators: Mapping[str, str] = attrs.field(converter=frozen_mapping)
    weights: Mapping[str, tuple[float, ...]] = attrs.field(converter=frozen_mapping)
    reachable: Mapping[tuple[str, str], tuple[float, ...]] = attrs.field(converter=frozen_mapping)
    min_share: float
    table: ScoreTable = attrs.field(eq=False, repr=False)

    def score(self, unit: str, node: str) -> float | None:
        """The score of ``node`` for ``unit``, or ``None`` when it is undefined."""
        try:
            number = float(self.scores[self.units.index(unit), self.nodes.index(node)])
        except ValueError:
            raise KeyError(f"no score for unit={unit!r}, node={node!r}") from None
        return None if math.isnan(number) else number

    def column(self, node: str) -> FloatArray:
        """The scores of ``node`` for every unit, in unit order (``nan`` = undefined)."""
        return self.scores[:, self.nodes.index(node)]


def edge_order(framework: Framework) -> tuple[tuple[str, str], ...]:
    """The edges an array of weights is aligned with.

    Inner nodes in declaration order, each followed by its children in
    declaration order.

    >>> from policyeval import frameworks
    >>> edge_order(frameworks.load("agustino"))[:2]
    (('program', 'sumber_daya_aparatur'), ('program', 'kelembagaan'))
    """
    return tuple(
        (parent, child) for parent in framework.inner_nodes for child in framework.children(parent)
    )


def edge_weights(
    framework: Framework, weights: WeightsLike | None = None
) -> dict[str, tuple[float, ...]]:
    """Each inner node's child weights, in child order, after applying ``weights``.

    ``weights`` is ``None`` (the framework's own weights), a mapping from
    ``(parent, child)`` to a weight overriding those edges, or a sequence
    of one weight per edge in :func:`edge_order`.
    """
    order = edge_order(framework)
    chosen = {edge: framework.weight(*edge) for edge in order}
    if isinstance(weights, Mapping):
        unknown = sorted(str(edge) for edge in weights if edge not in chosen)
        if unknown:
            raise InvalidArgument(f"weights name edges the framework does not have: {unknown}")
        chosen.update(weights)
    elif weights is not None:
        given = np.asarray(weights, dtype=np.float64)
        if given.shape != (len(order),):
            raise InvalidArgument(
                f"weights must give one weight per edge of edge_order(framework) "
                f"({len(order)}), got shape {given.shape}"
            )
        chosen = dict(zip(order, given.tolist(), strict=True))
    for edge, weight in chosen.items():
        if not (isinstance(weight, int | float) and math.isfinite(weight) and weight >= 0):
            raise InvalidArgument(f"weights[{edge!r}] must be finite and >= 0, got {weight!r}")
    return {
        parent: tuple(float(chosen[parent, child]) for child in framework.children(parent))
        for parent in framework.inner_nodes
    }


def aggregator_lookup(
    framework: Framework, aggregators: AggregatorLike | Mapping[str, AggregatorLike] | None
) -> Callable[[str], Aggregator]:
    """A function from inner node id to its aggregator.

    ``aggregators`` overrides the framework's own: one aggregator for every
    inner node, or a mapping from node id (or ``"*"``, every other node).
    """
    overrides: dict[str, Aggregator] = {}
    default: Aggregator | None = None
    if isinstance(aggregators, Mapping) and "name" not in aggregators:
        unknown = sorted(set(aggregators) - set(framework.inner_nodes) - {"*"})
        if unknown:
            raise InvalidArgument(f"aggregators name nodes that do not aggregate: {unknown!r}")
        overrides = {key: build_aggregator(spec) for key, spec in aggregators.items() if key != "*"}
        if "*" in aggregators:
            default = build_aggregator(aggregators["*"])
    elif aggregators is not None:
        default = build_aggregator(aggregators)
    # The framework's own aggregators, built once each and only for nodes not overridden.
    from_framework: dict[str, Aggregator] = {}

    def lookup(node: str) -> Aggregator:
        chosen = overrides.get(node) or default
        if chosen is not None:
            return chosen
        if node not in from_framework:
            from_framework[node] = build_aggregator(framework.aggregator_of(node))
        return from_framework[node]

    return lookup


def aggregate(
    framework: Framework,
    scores: ScoreTable,
    *,
    aggregators: AggregatorLike | Mapping[str, AggregatorLike] | None = None,
    weights: WeightsLike | None = None,
    min_share: float = DEFAULT_MIN_SHARE,
    vectorise: bool = True,
) -> NodeScores:
    """Score every node of ``framework`` for every unit of ``scores``.

    ``aggregators`` overrides the framework's aggregators (see
    :func:`aggregator_lookup`), ``weights`` its edge weights (see
    :func:`edge_weights`); ``min_share`` is the smallest share of a node's
    child weight that must have scores for the node to be defined. With
    ``vectorise=False`` every aggregator is called unit by unit.

    Raises :class:`~policyeval.exceptions.PluginContractError` naming the
    unit and node when an aggregator fails or returns something other than
    a finite number.
    """
    if not (isinstance(min_share, int | float) and 0 <= min_share <= 1):
        raise InvalidArgument(f"min_share must be a number in [0, 1], got min_share={min_share!r}")
    if tuple(scores.indicators) != framework.indicators:
        raise InvalidArgument(
            "scores must have one column per indicator of the framework, in its order; "
            f"got {list(scores.indicators)!r}"
        )
    lookup = aggregator_lookup(framework, aggregators)
    child_weights = edge_weights(framework, weights)
    nodes = framework.node_ids
    position = {node: index for index, node in enumerate(nodes)}
    units = scores.units
    table = np.full((len(units), len(nodes)), np.nan)
    shares = np.full_like(table, np.nan)
    for column, indicator in enumerate(scores.indicators):
        table[:, position[indicator]] = scores.scores[:, column]
    reachable: dict[tuple[str, str], tuple[float, ...]] = {}
    for node in framework.bottom_up():
        if framework.node(node).is_indicator:
            continue
        children = [position[child] for child in framework.children(node)]
        result, share, reached = combine(
            lookup(node),
            table[:, children],
            child_weights[node],
            float(min_share),
            vectorise,
            units,
            node,
        )
        table[:, position[node]] = result
        shares[:, position[node]] = share
        reachable.update(((units[row], node), outputs) for row, outputs in reached.items())
    return NodeScores(
        framework=framework,
        units=units,
        nodes=nodes,
        scores=table,
        share_present=shares,
        aggregators={node: describe(lookup(node)) for node in framework.inner_nodes},
        weights=child_weights,
        reachable=reachable,
        min_share=float(min_share),
        table=scores,
    )


def combine(
    aggregator: Aggregator,
    children: FloatArray,
    weights: tuple[float, ...],
    min_share: float,
    vectorise: bool,
    units: Sequence[str],
    node: str,
) -> tuple[FloatArray, FloatArray, dict[int, tuple[float, ...]]]:
    """Combine one node's children for every unit.

    ``children`` is a units x children array (``nan`` = no score). Returns
    the node's scores (``nan`` = undefined), the share of child weight
    present, and the results a positional aggregator could reach for the
    rows (unit indices) it left undefined.
    """
    count = children.shape[0]
    present = ~np.isnan(children)
    row_weights = np.where(present, np.asarray(weights, dtype=np.float64), 0.0)
    # Summed child by child, as the scalar path sums, so both give the same bits.
    present_weight = np.zeros(count)
    for index in range(len(weights)):
        present_weight += row_weights[:, index]
    total = sum(weights)
    share = present_weight / total if total > 0 else np.zeros(count)
    defined = (present_weight > 0) & (share >= min_share)
    result = np.full(count, np.nan)
    reached: dict[int, tuple[float, ...]] = {}
    partial = getattr(aggregator, "partial", None)
    positive_missing = (~present & (np.asarray(weights) > 0)).any(axis=1)
    by_position = defined & positive_missing if partial is not None else np.zeros(count, bool)
    for row in np.flatnonzero(by_position).tolist():
        assert partial is not None  # rows are chosen by position only when it exists
        known = [
            float(value) if is_present else None
            for value, is_present in zip(children[row], present[row], strict=True)
        ]
        outputs = _call(partial, (known, list(weights)), aggregator, units[row], node)
        options = tuple(sorted({float(value) for value in outputs}))
        if len(options) == 1:
            result[row] = _finite(options[0], aggregator, units[row], node)
        else:
            reached[row] = options
    rows = np.flatnonzero(defined & ~by_position)
    if rows.size:
        # An aggregator that compares units with each other (Copeland) has only an array form.
        cross_unit = bool(getattr(aggregator, "cross_unit", False))
        array_form = getattr(aggregator, "array", None) if vectorise or cross_unit else None
        done = False
        if array_form is not None:
            values = np.where(present[rows], children[rows], 0.0)
            try:
                combined = np.asarray(array_form(values, row_weights[rows]), dtype=np.float64)
                done = combined.shape == (rows.size,) and bool(np.isfinite(combined).all())
            except (PolicyEvalError, ValueError, TypeError, ArithmeticError) as error:
                if cross_unit:
                    raise PluginContractError(
                        f"aggregator {aggregator!r} failed for node={node!r}: {error}"
                    ) from error
                done = False  # the scalar calls below say which unit failed, and why
            if done:
                result[rows] = combined
        if not done:
            for row in rows.tolist():
                mask = present[row]
                values_row = [float(v) for v in children[row][mask]]
                weights_row = [w for w, keep in zip(weights, mask.tolist(), strict=True) if keep]
                outcome = _call(
                    aggregator,
                    (values_row, weights_row),
                    aggregator,
                    units[row],
                    node,
                    values_row,
                    weights_row,
                )
                result[row] = _finite(
                    outcome, aggregator, units[row], node, values_row, weights_row
                )
    return result, share, reached


def _call(
    function: Callable[..., Any],
    arguments: tuple[Any, ...],
    aggregator: Aggregator,
    unit: str,
    node: str,
    values: Sequence[float] | None = None,
    weights: Sequence[float] | None = None,
) -> Any:
    try:
        return function(*arguments)
    except PluginContractError:
        raise
    except (PolicyEvalError, ValueError, TypeError, ArithmeticError, LookupError) as error:
        given = "" if values is None else f" from values {values!r} and weights {weights!r}"
        raise PluginContractError(
            f"aggregator {aggregator!r} failed for unit={unit!r}, node={node!r}{given}: {error}"
        ) from error


def _finite(
    outcome: Any,
    aggregator: Aggregator,
    unit: str,
    node: str,
    values: Sequence[float] | None = None,
    weights: Sequence[float] | None = None,
) -> float:
    if (
        not isinstance(outcome, int | float | np.floating | np.integer)
        or isinstance(outcome, bool)
        or not math.isfinite(outcome)
    ):
        given = "" if values is None else f" from values {values!r} and weights {weights!r}"
        raise PluginContractError(
            f"aggregator {aggregator!r} returned {outcome!r} for unit={unit!r}, node={node!r}"
            f"{given}; expected a finite number"
        )
    return float(outcome)
