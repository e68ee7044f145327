"""Array kernels of the draw engine: the weighted mean up a framework for many weight
draws at once, and competition ranks of many lines of units.

Both give, to the bit, what a plain evaluation gives. The mean follows
:meth:`policyeval.aggregation.mean`'s arithmetic element by element (weights
and products summed child by child from zero, in child order, the result
kept within the children's range); it only does the nodes of one level side
by side, so a level costs one array operation per child position rather than
one per edge. The ranks are :func:`policyeval.ranking.competition_ranks`'s.

The inner nodes' values are kept as one block, inner nodes x draws x units
(the framework's inner nodes in node order), so each (node, draw) line of
units is contiguous for the ranks.

Both work in a :class:`Workspace`: a chunk's temporary arrays are a few
hundred kilobytes each, and allocating them afresh for every chunk costs
more in page faults (the allocator hands arrays that large back to the
system when they are freed) than the arithmetic done on them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.framework import Framework
from policyeval.ranking import TIE_DIGITS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Rows = slice | IntArray


class Workspace:
    """Scratch arrays by name, reused from call to call (not thread-safe: one per thread)."""

    def __init__(self) -> None:
        self._arrays: dict[str, npt.NDArray[Any]] = {}

    def array(self, name: str, shape: tuple[int, ...], dtype: Any = np.float64) -> Any:
        """An uninitialised array of ``shape``, sharing memory with the last one of ``name``."""
        size = math.prod(shape)
        found = self._arrays.get(name)
        if found is None or found.size < size or found.dtype != dtype:
            found = self._arrays[name] = np.empty(size, dtype=dtype)
        return found[:size].reshape(shape)


def rows_at(positions: Sequence[int]) -> Rows:
    """``positions`` as a slice when they are a run of consecutive indices (a view, not a copy)."""
    if len(positions) and list(positions) == list(range(positions[0], positions[-1] + 1)):
        return slice(positions[0], positions[-1] + 1)
    return np.asarray(positions, dtype=np.int64)


@attrs.frozen(kw_only=True, eq=False)
class Step:
    """The ``k``-th children of a level's first ``count`` nodes (the level's nodes come
    widest first, so every node with a ``k``-th child is among them): their edges, and
    which of those children are indicators (``leaf_at``, the indicators ``leaves``) and
    which inner nodes (``inner_at``, their rows ``inner`` of the block)."""

    count: int
    edges: IntArray
    leaf_at: Rows
    leaves: tuple[str, ...]
    inner_at: Rows
    inner: Rows


@attrs.frozen(kw_only=True, eq=False)
class Level:
    """Inner nodes whose children all sit on lower levels, widest first, as ``rows`` of
    the block; ``fixed`` when every child is an indicator (the children's range is then
    the same in every draw)."""

    rows: Rows
    steps: tuple[Step, ...]
    fixed: bool


@attrs.frozen(kw_only=True, eq=False)
class MeanShape:
    """A framework's inner nodes level by level, for :func:`mean_tree`."""

    inner: int
    levels: tuple[Level, ...]


def mean_shape(framework: Framework) -> MeanShape:
    """The levels of ``framework``'s inner nodes: a node's level is one more than its
    highest child's (indicators are level 0)."""
    node_ids = framework.node_ids
    inner_nodes = [node for node in node_ids if not framework.node(node).is_indicator]
    row_of = {node: row for row, node in enumerate(inner_nodes)}
    first_edge: dict[str, int] = {}
    start = 0
    for parent in framework.inner_nodes:
        first_edge[parent] = start
        start += len(framework.children(parent))
    height: dict[str, int] = {}
    for node in framework.bottom_up():
        children = framework.children(node)
        height[node] = 1 + max((height[child] for child in children), default=-1)
    by_height: dict[int, list[str]] = {}
    for node in inner_nodes:
        by_height.setdefault(height[node], []).append(node)
    levels = []
    for level_height in sorted(by_height):
        # Widest first (declaration order among equals), so each step's nodes are a prefix.
        nodes = sorted(by_height[level_height], key=lambda node: -len(framework.children(node)))
        width = len(framework.children(nodes[0]))
        steps = []
        for position in range(width):
            taking = [node for node in nodes if len(framework.children(node)) > position]
            kth = [framework.children(node)[position] for node in taking]
            leaf_at = [i for i, child in enumerate(kth) if child not in row_of]
            inner_at = [i for i, child in enumerate(kth) if child in row_of]
            steps.append(
                Step(
                    count=len(taking),
                    edges=np.array([first_edge[node] + position for node in taking], np.int64),
                    leaf_at=rows_at(leaf_at),
                    leaves=tuple(kth[i] for i in leaf_at),
                    inner_at=rows_at(inner_at),
                    inner=rows_at([row_of[kth[i]] for i in inner_at]),
                )
            )
        levels.append(
            Level(
                rows=rows_at([row_of[node] for node in nodes]),
                steps=tuple(steps),
                fixed=all(
                    child not in row_of for node in nodes for child in framework.children(node)
                ),
            )
        )
    return MeanShape(inner=len(inner_nodes), levels=tuple(levels))


@attrs.frozen(kw_only=True, eq=False)
class MeanLeaves:
    """One score table's indicator values for each step (steps' leaf children x units),
    and each fixed level's range (nodes x 1 x units)."""

    units: int
    values: tuple[tuple[FloatArray, ...], ...]
    bounds: tuple[tuple[FloatArray, FloatArray] | None, ...]


def mean_leaves(shape: MeanShape, scores: FloatArray, column_of: dict[str, int]) -> MeanLeaves:
    """The indicator values :func:`mean_tree` reads, from a units x indicators table
    (``column_of`` gives each indicator's column)."""
    units = scores.shape[0]
    values = []
    bounds: list[tuple[FloatArray, FloatArray] | None] = []
    for level in shape.levels:
        level_values = tuple(
            np.ascontiguousarray(
                scores[:, [column_of[leaf] for leaf in step.leaves]].T.reshape(-1, units)
            )
            for step in level.steps
        )
        values.append(level_values)
        if not level.fixed:
            bounds.append(None)
            continue
        # The children's range, taken child by child from +-inf as the mean takes it.
        count = level.steps[0].count
        low = np.full((count, units), np.inf)
        high = np.full((count, units), -np.inf)
        for step, step_values in zip(level.steps, level_values, strict=True):
            np.minimum(low[: step.count], step_values, out=low[: step.count])
            np.maximum(high[: step.count], step_values, out=high[: step.count])
        bounds.append((low[:, None, :], high[:, None, :]))
    return MeanLeaves(units=units, values=tuple(values), bounds=tuple(bounds))


def mean_tree(
    shape: MeanShape, leaves: MeanLeaves, weights: FloatArray, workspace: Workspace
) -> FloatArray:
    """Every inner node's weighted mean for every draw and unit (inner nodes x draws x
    units, an array of ``workspace``), from the indicators' values and ``weights``
    (draws x edges in edge order, all positive)."""
    draws, units = weights.shape[0], leaves.units
    by_edge = np.ascontiguousarray(weights.T)
    block: FloatArray = workspace.array("block", (shape.inner, draws, units))
    for level, values, bounds in zip(shape.levels, leaves.values, leaves.bounds, strict=True):
        count = level.steps[0].count
        products: FloatArray = workspace.array("products", (count, draws, units))
        products.fill(0.0)
        totals = np.zeros((count, draws))
        term: FloatArray = workspace.array("term", (count, draws, units))
        if bounds is None:
            low: FloatArray = workspace.array("low", (count, draws, units))
            high: FloatArray = workspace.array("high", (count, draws, units))
            low.fill(np.inf)
            high.fill(-np.inf)
        else:
            low, high = bounds
        for step, step_values in zip(level.steps, values, strict=True):
            taking = step.count
            step_weights = by_edge[step.edges]
            totals[:taking] += step_weights
            all_leaves = _all_of(step.leaf_at, taking)
            if all_leaves or _all_of(step.inner_at, taking):
                # Every k-th child is an indicator (the same in each draw), or every one is an
                # inner node: one product and one sum for the whole step.
                children = step_values[:, None, :] if all_leaves else block[step.inner]
                np.multiply(children, step_weights[:, :, None], out=term[:taking])
                products[:taking] += term[:taking]
                if bounds is None:
                    np.minimum(low[:taking], children, out=low[:taking])
                    np.maximum(high[:taking], children, out=high[:taking])
                continue
            _add_children(
                step, step_values, step_weights, block, products, None if bounds else (low, high)
            )
        result = np.divide(products, totals[:, :, None], out=products)
        np.maximum(result, low, out=result)
        np.minimum(result, high, out=result)
        block[level.rows] = result
    return block


def _all_of(rows: Rows, count: int) -> bool:
    return isinstance(rows, slice) and rows == slice(0, count)


def _add_children(
    step: Step,
    step_values: FloatArray,
    step_weights: FloatArray,
    block: FloatArray,
    products: FloatArray,
    range_so_far: tuple[FloatArray, FloatArray] | None,
) -> None:
    """One step whose children are inner nodes, or a mix of inner nodes and indicators:
    add their products to ``products`` and, unless the level's range is fixed, widen
    ``range_so_far`` (low, high) to them."""
    parts: list[tuple[Rows, FloatArray]] = []
    if len(step.leaves):
        parts.append((step.leaf_at, step_values[:, None, :]))
    inner_count = (
        step.inner_at.stop - step.inner_at.start
        if isinstance(step.inner_at, slice)
        else step.inner_at.size
    )
    if inner_count:
        parts.append((step.inner_at, block[step.inner]))
    for at, children in parts:
        weights = step_weights[at][:, :, None]
        products[at] += children * weights
        if range_so_far is not None:
            low, high = range_so_far
            low[at] = np.minimum(low[at], children)
            high[at] = np.maximum(high[at], children)


def line_ranks(
    lines: FloatArray, out: FloatArray | None = None, workspace: Workspace | None = None
) -> FloatArray:
    """Competition ranks within each line (lines x units), as
    :func:`policyeval.ranking.competition_ranks` gives them: scores rounded to
    ``TIE_DIGITS`` decimals, then 1 + the units strictly better; ``nan`` stays
    ``nan``. ``out`` (the shape of ``lines``) receives them.

    >>> line_ranks(np.array([[3.0, 4.0, 3.0, np.nan, 2.0]]))
    array([[ 2.,  1.,  2., nan,  4.]])
    """
    count, units = lines.shape
    workspace = Workspace() if workspace is None else workspace
    rounded: FloatArray = workspace.array("rounded", lines.shape)
    # A sum is nan when some value is (or when +inf meets -inf): only then look closer.
    missing = np.isnan(lines) if bool(np.isnan(lines.sum())) else None
    if missing is not None and bool(missing.any()):
        np.round(np.where(missing, -np.inf, lines), TIE_DIGITS, out=rounded)
    else:
        missing = None
        np.round(lines, TIE_DIGITS, out=rounded)
    # Any order among ties will do: a rank depends on the value only.
    order = np.argsort(rounded, axis=1)
    rounded.sort(axis=1)
    tied = rounded[:, 1:] == rounded[:, :-1]
    # Without ties the unit in sorted place j (ascending) has units - 1 - j better ones.
    places: FloatArray = np.broadcast_to(np.arange(units, 0, -1, dtype=np.float64), lines.shape)
    tied_lines = np.flatnonzero(tied.any(axis=1))
    if tied_lines.size:
        places = np.array(places)
        # With ties: units - the last place holding the same value.
        is_last = np.ones((tied_lines.size, units), dtype=bool)
        is_last[:, :-1] = ~tied[tied_lines]
        last = np.where(is_last, np.arange(units), units)
        last = np.minimum.accumulate(last[:, ::-1], axis=1)[:, ::-1]
        places[tied_lines] = units - last
    # The scatter below writes through a flat view, which only a contiguous array has.
    contiguous = out is not None and out.flags.c_contiguous
    ranks = out if contiguous and out is not None else np.empty(lines.shape)
    order += (np.arange(count, dtype=np.int64) * units)[:, None]
    ranks.reshape(-1)[order] = places
    if missing is not None:
        ranks[missing] = np.nan
    if out is not None and not contiguous:
        out[...] = ranks
        return out
    return ranks
