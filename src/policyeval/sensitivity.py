"""Sensitivity and uncertainty analysis: how often does each verdict hold?

:func:`sensitivity` evaluates a framework many times, each time (a *draw*)
with the uncertain inputs of an :class:`Uncertainty` sampled at random
(see :mod:`policyeval.sampling` for the designs):

- ``weights``: each edge weight below a node of a given kind (or ``"*"``,
  every kind) is multiplied by a number drawn uniformly from
  ``[1 - x, 1 + x]``;
- ``dirichlet``: the weights below each node of a kind (or ``"*"``) are
  drawn together from a Dirichlet distribution centred on the nominal
  weights, ``Dirichlet(c * w / sum(w))`` times ``sum(w)``, with the
  concentration ``c`` (larger: closer to the nominal weights; each weight's
  share ``p`` has variance ``p (1 - p) / (c + 1)``);
- ``aggregators``: the nodes of a kind (or ``"*"``) use one aggregator drawn
  from a set;
- ``scorers``: the indicators with numbers in the data use one scorer
  (normaliser) drawn from a set;
- ``imputation`` and ``treatment``: the data pipeline's imputation and
  outlier treatment, each drawn from a set of the built-in choices, written
  as in a case's ``[pipeline]`` (``"mean"``, ``"median"``, ``{"method":
  "mean", "group": ...}``; a treatment's name or ``{"name": ..., ...}``;
  ``"none"``); needs the table as read and the pipeline (``raw_data`` and
  ``pipeline``);
- ``min_agreement``: the triangulation rule's agreement threshold, drawn from
  a set of values (for combined rules, set on every rule combined);
- ``thresholds``: any threshold parameter of the rules by name, each drawn
  from a set of values: ``contested_below`` and ``corroborated_at`` (the
  ``agreement`` rule), ``high_agreement``, ``high_at``, ``threshold``
  (``coder_agreement``)...; set on every rule (combined or wrapped) whose
  factory takes it;
- ``leave_out``: ``"evidence"`` drops one evidence item, ``"source"`` every
  item of one source, ``"indicator"`` gives one indicator weight 0 on every
  edge into it; each draw picks one of them, or none.

Every draw is exactly :func:`policyeval.evaluate` with that draw's settings;
draws sharing a triangulation or a score table reuse it, and weight draws are
aggregated together with the aggregators' array forms.

Draws are cut into chunks of ``chunk_size``. With ``design="montecarlo"``
chunk ``i`` samples from ``numpy.random.SeedSequence(seed, spawn_key=(i,))``
(the ``i``-th child of ``SeedSequence(seed).spawn``); with
``design="saltelli"`` the whole design (``draws`` base rows, a power of two,
give ``draws * (inputs + 2)`` evaluations) is built from the seed first and
the chunks evaluate its rows. Either way the same seed gives the same draws,
and byte-identical JSON, whatever executor runs the chunks.

>>> from policyeval import frameworks
>>> from policyeval.evidence import Evidence
>>> fw = frameworks.load("agustino")
>>> items = [
...     Evidence(id=f"E{i}", unit="u", indicator=node, rating=rating, source=f"s{i}",
...              source_category="asn", technique="interview")
...     for i, (node, rating) in enumerate(
...         [("kompetensi", "baik"), ("kompetensi", "cukup_baik"), ("komunikasi_publik", "baik")]
...     )
... ]
>>> result = sensitivity(
...     fw, items, uncertainty=Uncertainty(leave_out=("evidence",)), draws=40, seed=1,
...     min_share=0,
... )
>>> result.nominal_level("u", "kompetensi")
'cukup_baik'
>>> shares = result.level_shares("u", "kompetensi")
>>> sorted(shares) == ["baik", "cukup_baik"] and round(sum(shares.values()), 9)
1.0
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval import _draws, sampling
from policyeval.aggregate import DEFAULT_MIN_SHARE, AggregatorLike, WeightsLike, edge_order
from policyeval.evidence import Evidence
from policyeval.evidence_io import EvidenceSet
from policyeval.exceptions import InvalidArgument, Problem
from policyeval.framework import Framework
from policyeval.registry import build_aggregator, build_scorer
from policyeval.results import dumps
from policyeval.score import NumericData, ScorerSpec
from policyeval.triangulate import RuleSpec
from policyeval.uncertainty import LEAVE_OUT as LEAVE_OUT
from policyeval.uncertainty import Uncertainty as Uncertainty
from policyeval.uncertainty import _inputs, uncertainty_problems

if TYPE_CHECKING:
    from policyeval.case import Case
    from policyeval.numeric_data import NumericTable
    from policyeval.pipeline import NumericPipeline

# Uncertainty, uncertainty_problems and LEAVE_OUT are importable from here too, and
# documented in policyeval.uncertainty.
__all__ = ["Sensitivity", "case_arguments", "correlation_ratio", "sensitivity", "sensitivity_case"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
DEFAULT_CHUNK_SIZE = 250
# Cells x draws summarised at once when a result is written: about 32 MiB of scores.
_BLOCK_CELLS = 4_000_000
BINS = 10


def _read_only(value: Any) -> Any:
    # The arrays are built for this result alone, so no copy is needed to freeze them.
    array = np.asarray(value)
    array.flags.writeable = False
    return array


@attrs.frozen(kw_only=True, eq=False)
class Sensitivity:
    """The draws of a sensitivity analysis and their summaries.

    ``scores``, ``levels`` (codes into :func:`level_names`, ``-1`` = none)
    and ``ranks`` are draws x units x nodes arrays; ``design`` is draws x
    inputs (weight multipliers, Dirichlet variates, or choice indices).
    ``nominal_*`` hold the verdicts under the nominal settings. ``sampling``
    names the design (``"montecarlo"`` or ``"saltelli"``); a Saltelli
    design's draws come in SALib's order, and its first-order and total
    Sobol' indices are estimated from them (:func:`policyeval.sampling.sobol_indices`).
    Built by :func:`sensitivity`, which keeps the draws compact (only the
    inner nodes differ from draw to draw; each draw's indicators are one of a
    few score tables): ``scores`` and ``ranks`` are assembled on first use.
    """

    framework: Framework
    units: tuple[str, ...]
    inputs: tuple[_draws.Input, ...]
    seed: int
    chunk_size: int
    design: FloatArray = attrs.field(converter=_read_only)
    inner_scores: FloatArray = attrs.field(converter=_read_only, repr=False)
    inner_ranks: FloatArray = attrs.field(converter=_read_only, repr=False)
    tables: npt.NDArray[np.int64] = attrs.field(converter=_read_only, repr=False)
    table_scores: FloatArray = attrs.field(converter=_read_only, repr=False)
    table_ranks: FloatArray = attrs.field(converter=_read_only, repr=False)
    levels: npt.NDArray[np.int64] = attrs.field(converter=_read_only)
    nominal_scores: FloatArray = attrs.field(converter=_read_only)
    nominal_levels: npt.NDArray[np.int64] = attrs.field(converter=_read_only)
    nominal_ranks: FloatArray = attrs.field(converter=_read_only)
    sampling: str = "montecarlo"
    _assembled: dict[str, FloatArray] = attrs.field(factory=dict, init=False, repr=False, eq=False)
    _sobol: tuple[FloatArray, FloatArray] | None = attrs.field(init=False, default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.sampling == "saltelli":
            first, total = sampling.sobol_indices(self.scores, inputs=len(self.inputs))
            object.__setattr__(self, "_sobol", (_read_only(first), _read_only(total)))

    @property
    def scores(self) -> FloatArray:
        """Every draw's score for every unit and node (draws x units x nodes, read-only)."""
        return self._assemble("scores", self.inner_scores, self.table_scores)

    @property
    def ranks(self) -> FloatArray:
        """Every draw's competition rank for every unit and node (``nan`` where undefined)."""
        return self._assemble("ranks", self.inner_ranks, self.table_ranks)

    def _assemble(self, name: str, inner: FloatArray, tables: FloatArray) -> FloatArray:
        if name not in self._assembled:
            self._assembled[name] = _read_only(
                _draws.assemble(self.framework, inner, tables, self.tables)
            )
        return self._assembled[name]

    def _inner_cells(self, inner: FloatArray, units: slice) -> FloatArray:
        """The inner nodes' ``scores`` or ``ranks`` for the units in ``units`` as (unit, inner
        node) cells x draws, each cell's draws contiguous."""
        block = inner[:, :, units].transpose(2, 1, 0)
        return np.ascontiguousarray(block).reshape(-1, self.draws)

    @property
    def draws(self) -> int:
        """The number of draws (for a Saltelli design, every row: base x (inputs + 2))."""
        return int(self.design.shape[0])

    @property
    def base_sample(self) -> int | None:
        """A Saltelli design's base sample ``N`` (``None`` for Monte Carlo)."""
        if self.sampling != "saltelli":
            return None
        return self.draws // (len(self.inputs) + 2)

    def _at(self, unit: str, node: str) -> tuple[int, int]:
        try:
            return self.units.index(unit), self.framework.node_ids.index(node)
        except ValueError:
            raise KeyError(f"no results for unit={unit!r}, node={node!r}") from None

    def nominal_level(self, unit: str, node: str) -> str | None:
        """The level under the nominal settings (``None`` when undefined or unbanded)."""
        row, column = self._at(unit, node)
        code = int(self.nominal_levels[row, column])
        return None if code < 0 else _draws.level_names(self.framework, node)[code]

    def level_shares(self, unit: str, node: str) -> dict[str, float]:
        """The share of draws giving each level (levels never reached are left out;
        ``None`` stands for draws with no level)."""
        row, column = self._at(unit, node)
        names = _draws.level_names(self.framework, node)
        codes = self.levels[:, row, column]
        found = np.bincount(codes + 1, minlength=len(names) + 1) / max(self.draws, 1)
        shares: dict[Any, float] = {
            name: float(found[index + 1]) for index, name in enumerate(names) if found[index + 1]
        }
        if found[0]:
            shares["none"] = float(found[0])
        return shares

    def _input(self, name: str) -> int:
        for position, item in enumerate(self.inputs):
            if item.name == name:
                return position
        raise KeyError(f"no input named {name!r}")

    def index(self, unit: str, node: str, name: str) -> float | None:
        """The first-order sensitivity index of input ``name`` for the node's score:
        the Sobol' estimate of a Saltelli design, else the correlation ratio
        (see :func:`correlation_ratio`); ``None`` when the score does not vary
        or is undefined in some draw of a Saltelli design."""
        row, column = self._at(unit, node)
        position = self._input(name)
        if self._sobol is not None:
            return _defined(self._sobol[0][position, row, column])
        return _reached(
            correlation_ratio(
                self.design[:, position],
                self.scores[:, row, column],
                bins=BINS if self.inputs[position].continuous else None,
            ),
            _Reach(self.framework)(self.inputs[position], node),
        )

    def total_index(self, unit: str, node: str, name: str) -> float | None:
        """The total Sobol' index of input ``name`` for the node's score (Saltelli
        design only: ``None`` for Monte Carlo): the share of the score's variance
        that goes away if the input were fixed, its interactions included."""
        row, column = self._at(unit, node)
        position = self._input(name)
        if self._sobol is None:
            return None
        return _defined(self._sobol[1][position, row, column])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document: the inputs, and per unit and node the level
        shares, the nominal verdict's share, the score and rank medians with
        their 5-95 % intervals, and each input's sensitivity index."""
        framework = self.framework
        nodes_ids = framework.node_ids
        count = len(self.units) * len(nodes_ids)
        # Every summary is computed for many (unit, node) cells at once, with the arithmetic
        # the per-cell functions use (row by row), so the numbers are theirs to the bit. An
        # inner node's draws are read a block of units at a time, so that memory stays bounded
        # whatever the number of draws; an indicator's draws take one value per table, so its
        # intervals are read off the tables and their counts, never draw by draw.
        inner, leaves = _draws.node_columns(framework)
        width = len(nodes_ids)
        counts = np.bincount(self.tables, minlength=self.table_scores.shape[0])
        scores: list[dict[str, Any]] = []
        ranks: list[dict[str, Any]] = []
        indices: dict[str, dict[int, float | None]] = (
            {item.name: {} for item in self.inputs} if self._sobol is None else {}
        )
        block = max(1, _BLOCK_CELLS // max(1, len(inner) * self.draws))
        for first in range(0, len(self.units), block):
            units_at = slice(first, min(first + block, len(self.units)))
            size = units_at.stop - first
            score_columns = self._inner_cells(self.inner_scores, units_at)
            for summaries, inner_draws, tables, nominal_values in (
                (scores, score_columns, self.table_scores, self.nominal_scores),
                (
                    ranks,
                    self._inner_cells(self.inner_ranks, units_at),
                    self.table_ranks,
                    self.nominal_ranks,
                ),
            ):
                nominal_at = nominal_values[units_at]
                by_inner = _summaries(inner_draws, nominal_at[:, inner].reshape(-1))
                by_leaf = _table_summaries(
                    tables[:, units_at], counts, self.tables, nominal_at[:, leaves].reshape(-1)
                )
                for row in range(size):
                    cells: list[Any] = [None] * width
                    for part, columns in ((by_inner, inner), (by_leaf, leaves)):
                        start = row * len(columns)
                        for offset, column in enumerate(columns):
                            cells[column] = part[start + offset]
                    summaries += cells
            if self._sobol is None and inner:
                moments = _Moments(score_columns)
                cell_ids = [
                    (first + row) * width + column for row in range(size) for column in inner
                ]
                for position, item in enumerate(self.inputs):
                    indices[item.name].update(
                        zip(
                            cell_ids,
                            moments.correlation_ratios(
                                self.design[:, position], bins=BINS if item.continuous else None
                            ),
                            strict=True,
                        )
                    )
            del score_columns
        shares = self._all_level_shares()
        reaches = _Reach(framework)
        units: dict[str, Any] = {}
        for row, unit in enumerate(self.units):
            nodes: dict[str, Any] = {}
            for column, node in enumerate(nodes_ids):
                cell = row * len(nodes_ids) + column
                nominal = self.nominal_level(unit, node)
                found = shares[cell]
                entry: dict[str, Any] = {
                    "nominal": nominal,
                    "nominal_share": _round(found.get(nominal or "none", 0.0)),
                    "levels": {key: _round(value) for key, value in found.items()},
                    "score": scores[cell],
                    "rank": ranks[cell],
                }
                if not framework.node(node).is_indicator:
                    entry["sensitivity"] = {
                        item.name: _round(
                            _reached(indices[item.name][cell], reaches(item, node))
                            if self._sobol is None
                            else self.index(unit, node, item.name)
                        )
                        for item in self.inputs
                    }
                    if self._sobol is not None:
                        entry["total"] = {
                            item.name: _round(self.total_index(unit, node, item.name))
                            for item in self.inputs
                        }
                nodes[node] = entry
            units[unit] = {"nodes": nodes}
        assert len(shares) == count
        document: dict[str, Any] = {"draws": self.draws, "seed": self.seed}
        if self._sobol is None:
            # Monte Carlo chunks are seeded one by one, so their size is part of the draws;
            # a Saltelli design is built whole, and chunks only split its rows.
            document["chunk_size"] = self.chunk_size
        document["design"] = self.sampling
        document["method"] = METHODS[self.sampling]
        if self._sobol is not None:
            document["base_sample"] = self.base_sample
        document["inputs"] = [_describe(item) for item in self.inputs]
        document["units"] = units
        return document

    def _all_level_shares(self) -> list[dict[str, float]]:
        """:meth:`level_shares` of every (unit, node) cell, unit-major."""
        framework = self.framework
        nodes_ids = framework.node_ids
        draws = max(self.draws, 1)
        by_node: list[list[dict[str, float]]] = []
        for column, node in enumerate(nodes_ids):
            names = _draws.level_names(framework, node)
            codes = self.levels[:, :, column]
            if codes.strides[0] == 0 and codes.size and int(codes.flat[0]) == -1:
                by_node.append([{"none": 1.0} if self.draws else {}] * len(self.units))
                continue
            # counts[k, unit]: the draws giving code k - 1 (k = 0: no level).
            counts = np.stack([(codes == code).sum(axis=0) for code in range(-1, len(names))])
            found = counts / draws
            cells = []
            for row in range(len(self.units)):
                shares: dict[str, float] = {
                    name: float(found[index + 1, row])
                    for index, name in enumerate(names)
                    if found[index + 1, row]
                }
                if found[0, row]:
                    shares["none"] = float(found[0, row])
                cells.append(shares)
            by_node.append(cells)
        return [
            by_node[column][row]
            for row in range(len(self.units))
            for column in range(len(nodes_ids))
        ]

    def to_json(self, *, compact: bool = False) -> str:
        """Deterministic JSON: the same inputs and seed give the same bytes (``compact``: no white space)."""
        return dumps(self.to_dict(), compact=compact)


def _defined(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


METHODS = {
    "montecarlo": "uniform Monte Carlo; first-order index = correlation ratio",
    "saltelli": (
        "Saltelli design (scrambled Sobol' sequence, SALib); first-order index: "
        "Saltelli 2010, total index: Jansen, on the node's score"
    ),
}


def _describe(item: _draws.Input) -> dict[str, Any]:
    if item.kind == "dirichlet":
        return {"name": item.name, "dirichlet_shape": _round(item.shape)}
    if item.continuous:
        return {"name": item.name, "range": [_round(item.low), _round(item.high)]}
    shown = []
    for choice in item.choices:
        if item.kind == "aggregator":
            shown.append(repr(build_aggregator(choice)))
        elif item.kind == "scorer":
            shown.append(repr(build_scorer(choice)))
        elif item.kind in ("imputation", "treatment"):
            from policyeval._pipeline_choices import step_for

            step = step_for(item.kind, choice)
            shown.append("none" if step is None else repr(step))
        else:
            shown.append(choice)
    return {"name": item.name, "choices": shown}


def _round(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(float(value), 10)


def _summary(values: FloatArray, nominal: float) -> dict[str, Any]:
    defined = values[~np.isnan(values)]
    if not defined.size:
        return {"nominal": _round(nominal), "median": None, "p5": None, "p95": None}
    low, middle, high = np.percentile(defined, [5, 50, 95]).tolist()
    return {
        "nominal": _round(nominal),
        "median": _round(middle),
        "p5": _round(low),
        "p95": _round(high),
        "defined_share": _round(defined.size / values.size),
    }


def _summaries(columns: FloatArray, nominal: FloatArray) -> list[dict[str, Any]]:
    """:func:`_summary` of every row of ``columns`` (cells x draws)."""
    complete = ~np.isnan(columns).any(axis=1)
    found: dict[int, list[float]] = {}
    rows = np.flatnonzero(complete)
    if rows.size and columns.shape[1]:
        # Along the contiguous last axis numpy sorts and interpolates each row as it would alone.
        chosen = columns if rows.size == columns.shape[0] else columns[rows]
        quantiles = np.percentile(chosen, [5, 50, 95], axis=1).T.tolist()
        found = dict(zip(rows.tolist(), quantiles, strict=True))
    return _with_quantiles(found, nominal, lambda row: columns[row])


def _table_summaries(
    tables: FloatArray, counts: IntArray, chosen: IntArray, nominal: FloatArray
) -> list[dict[str, Any]]:
    """:func:`_summary` of every (unit, indicator) cell of ``tables`` (tables x units x
    indicators), whose draws take the value of table ``chosen[draw]`` (``counts`` of each)."""
    values = tables.transpose(1, 2, 0).reshape(-1, tables.shape[0])
    used = np.flatnonzero(counts)
    found: dict[int, list[float]] = {}
    if values.shape[0] and used.size:
        complete = np.flatnonzero(~np.isnan(values[:, used]).any(axis=1))
        if complete.size:
            quantiles = _repeated_percentiles(values[complete][:, used], counts[used], (5, 50, 95))
            found = dict(zip(complete.tolist(), quantiles.tolist(), strict=True))
    return _with_quantiles(found, nominal, lambda row: values[row][chosen])


def _repeated_percentiles(
    values: FloatArray, counts: IntArray, percentiles: Sequence[float]
) -> FloatArray:
    """``numpy.percentile`` (its default, linear method) of each row of ``values`` with its
    ``k``-th value repeated ``counts[k]`` times, computed from the counts alone.

    The order statistics either side of each percentile are found by the
    cumulative counts of the sorted row, and interpolated with numpy's
    arithmetic, so the numbers are those of the repeated rows to the bit.

    >>> values, counts = np.array([[3.0, 1.0, 2.0]]), np.array([2, 5, 1])
    >>> _repeated_percentiles(values, counts, [5, 50, 95]).tolist()
    [[1.0, 1.0, 3.0]]
    >>> np.percentile(np.repeat(values[0], counts), [5, 50, 95]).tolist()
    [1.0, 1.0, 3.0]
    """
    draws = int(counts.sum())
    rows = values.shape[0]
    # numpy's virtual index for its linear method, and its neighbours.
    quantiles = np.true_divide(np.asarray(percentiles, dtype=np.float64), 100)
    virtual = (draws - 1) * quantiles
    previous = np.floor(virtual)
    following = previous + 1
    above, below = virtual >= draws - 1, virtual < 0
    previous[above], following[above] = -1, -1
    previous[below], following[below] = 0, 0
    previous_at, following_at = previous.astype(np.intp), following.astype(np.intp)
    gamma = np.asarray(virtual - previous_at, dtype=virtual.dtype)
    order = np.argsort(values, axis=1, kind="stable")
    ordered = np.take_along_axis(values, order, axis=1)
    ends = np.cumsum(counts[order], axis=1)  # the draws up to and with each ordered value
    every = np.arange(rows)

    def nth(position: int) -> FloatArray:
        found: FloatArray = ordered[every, (ends <= position % draws).sum(axis=1)]
        return found

    low = np.stack([nth(int(position)) for position in previous_at], axis=1)
    high = np.stack([nth(int(position)) for position in following_at], axis=1)
    difference = high - low
    result: FloatArray = low + difference * gamma
    np.subtract(high, difference * (1 - gamma), out=result, where=gamma >= 0.5)
    return result


def _with_quantiles(
    found: Mapping[int, Sequence[float]],
    nominal: FloatArray,
    draws_of: Callable[[int], FloatArray],
) -> list[dict[str, Any]]:
    """The summaries of ``nominal``'s cells: from the quantiles ``found`` for rows with every
    draw defined, else from the row's draws (``draws_of(row)``)."""
    summaries = []
    for row in range(nominal.shape[0]):
        if row not in found:
            summaries.append(_summary(draws_of(row), float(nominal[row])))
            continue
        low, middle, high = found[row]
        summaries.append(
            {
                "nominal": _round(float(nominal[row])),
                "median": _round(middle),
                "p5": _round(low),
                "p95": _round(high),
                "defined_share": 1.0,
            }
        )
    return summaries


class _Moments:
    """:func:`correlation_ratio` of any input with every row of ``columns`` (cells x draws).

    Rows without ``nan`` share each input's grouping and are done together,
    with the same sums in the same order as one call would do them; the
    moments that do not depend on the input are computed once."""

    def __init__(self, columns: FloatArray) -> None:
        self.columns = columns
        complete = ~np.isnan(columns).any(axis=1)
        self.partial = np.flatnonzero(~complete).tolist()
        self.rows = np.flatnonzero(complete)
        y = columns if self.rows.size == columns.shape[0] else columns[self.rows]
        self.mean = y.mean(axis=1)
        self.total = ((y - self.mean[:, None]) ** 2).sum(axis=1)
        self.varies = (self.total > 1e-12 * np.maximum(1.0, (y**2).sum(axis=1))).tolist()
        # Draws x rows: a block of draws sums row by row, each cell in draw order (as bincount).
        self.by_draw = np.ascontiguousarray(y.T)

    def correlation_ratios(self, x: FloatArray, *, bins: int | None) -> list[float | None]:
        columns, rows = self.columns, self.rows
        results: list[float | None] = [None] * columns.shape[0]
        for row in self.partial:
            results[row] = correlation_ratio(x, columns[row], bins=bins)
        if not rows.size or columns.shape[1] < 2:
            return results
        x = np.asarray(x)
        if bins is not None:
            low, high = float(x.min()), float(x.max())
            width = (high - low) / bins or 1.0
            groups = np.minimum(((x - low) / width).astype(np.int64), bins - 1)
        else:
            groups = x.astype(np.int64) - int(x.min())
        counts = np.bincount(groups)
        # The draws of each group, in draw order, summed for every row at once: the same
        # additions in the same order as the one-cell bincount.
        order = np.argsort(groups, kind="stable")
        bounds = np.concatenate(([0], np.cumsum(counts)))
        ordered = self.by_draw[order]
        used = counts > 0
        sums = np.stack(
            [
                ordered[bounds[group] : bounds[group + 1]].sum(axis=0)
                for group in np.flatnonzero(used)
            ],
            axis=1,
        )
        means = sums / counts[used]
        between = (counts[used] * (means - self.mean[:, None]) ** 2).sum(axis=1)
        ratios = epsilon_squared(
            between,
            np.where(self.varies, self.total, 1.0),
            groups=int(used.sum()),
            draws=columns.shape[1],
        )
        for row, ratio, keep in zip(rows.tolist(), ratios.tolist(), self.varies, strict=True):
            results[row] = ratio if keep and not math.isnan(ratio) else None
        return results


def _reached(index: float | None, reaches: bool) -> float | None:
    """``index``, or 0 for an input that cannot reach the node (``None`` stays ``None``)."""
    return index if index is None or reaches else 0.0


class _Reach:
    """Whether an input can change a node's score at all.

    A weight or Dirichlet share on an edge changes its parent's mean and what
    lies above it; an aggregator choice changes its nodes and what lies above
    them. Any other input (scorers, treatment, thresholds, leaving evidence
    out) may reach any node. An input that cannot reach a node has index 0
    there: Saltelli's estimates are exactly 0 for it, and a correlation ratio
    over few draws would show noise as a driver.
    """

    def __init__(self, framework: Framework) -> None:
        self._framework = framework
        self._edges = edge_order(framework)
        self._above: dict[str, frozenset[str]] = {}

    def _with_ancestors(self, node: str) -> frozenset[str]:
        found = self._above.get(node)
        if found is None:
            seen, stack = {node}, [node]
            while stack:
                for parent in self._framework.parents(stack.pop()):
                    if parent not in seen:
                        seen.add(parent)
                        stack.append(parent)
            found = self._above[node] = frozenset(seen)
        return found

    def __call__(self, item: _draws.Input, node: str) -> bool:
        if item.kind == "weight":
            starts = [self._edges[edge][0] for edge in item.edges]
        elif item.kind in ("dirichlet", "aggregator"):
            starts = list(item.nodes)
        else:
            return True
        return any(node in self._with_ancestors(start) for start in starts)


def correlation_ratio(x: FloatArray, y: FloatArray, *, bins: int | None = None) -> float | None:
    """The share of the variance of ``y`` explained by ``x`` alone (first-order index).

    The correlation ratio ``Var(E[y | x]) / Var(y)``: draws are grouped by
    the value of ``x`` (a choice), or with ``bins`` into that many
    equal-width bins of ``x`` (a continuous input), and the variance of the
    group means, weighted by group size, is divided by the total variance.
    For independent uniform draws this estimates the first-order Sobol'
    index. The plain ratio is biased upwards by about ``(g - 1) / n`` with
    ``g`` groups and ``n`` draws (an input with many choices, such as
    leaving out one of many evidence items, would look influential on few
    draws), so the between-group sum of squares is corrected by ``g - 1``
    times the within-group mean square (epsilon-squared) and the result
    clipped at 0. Draws where ``y`` is ``nan`` are left out; ``None`` when
    ``y`` does not vary or there are no more draws than groups.

    >>> x = np.array([0.0, 0.0, 1.0, 1.0])
    >>> correlation_ratio(x, np.array([1.0, 1.0, 3.0, 3.0]))
    1.0
    >>> correlation_ratio(x, np.array([1.0, 3.0, 1.0, 3.0]))
    0.0
    """
    keep = ~np.isnan(y)
    x, y = np.asarray(x)[keep], np.asarray(y)[keep]
    if y.size < 2:
        return None
    total = float(((y - y.mean()) ** 2).sum())
    if total <= 1e-12 * max(1.0, float((y**2).sum())):
        return None
    if bins is not None:
        low, high = float(x.min()), float(x.max())
        width = (high - low) / bins or 1.0
        groups = np.minimum(((x - low) / width).astype(np.int64), bins - 1)
    else:
        groups = x.astype(np.int64) - int(x.min())
    counts = np.bincount(groups)
    sums = np.bincount(groups, weights=y)
    used = counts > 0
    means = sums[used] / counts[used]
    between = float((counts[used] * (means - y.mean()) ** 2).sum())
    corrected = epsilon_squared(between, total, groups=int(used.sum()), draws=y.size)
    return None if math.isnan(corrected) else corrected


def epsilon_squared(between: Any, total: Any, *, groups: Any, draws: Any) -> Any:
    """The correlation ratio ``between / total`` corrected for its bias, clipped to [0, 1].

    ``between`` and ``total`` are the between-group and total sums of
    squares of ``draws`` values in ``groups`` non-empty groups (numbers or
    arrays of them); ``nan`` where there are no more draws than groups. One
    formula for every caller that computes the sums its own way.

    >>> epsilon_squared(4.0, 4.0, groups=2, draws=4), epsilon_squared(0.0, 4.0, groups=2, draws=4)
    (1.0, 0.0)
    """
    between, total = np.asarray(between, dtype=np.float64), np.asarray(total, dtype=np.float64)
    spare = np.asarray(draws) - np.asarray(groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        within = np.maximum(total - between, 0.0) / np.where(spare > 0, spare, 1)
        value = (between - (np.asarray(groups) - 1) * within) / np.where(total > 0, total, 1.0)
    result = np.where(spare > 0, np.minimum(1.0, np.maximum(0.0, value)), np.nan)
    return float(result) if result.ndim == 0 else result


def _sample(context: _draws.Context, seed: int, index: int, count: int) -> FloatArray:
    """Chunk ``index``'s design, from its own generator (so any executor draws the same)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    return _draws.sample(context, rng, count)


class _Shipped:
    """A draw context as chunks receive it, unpickled once per process.

    An executor that runs chunks in other processes pickles each chunk's
    arguments. A context unpickled afresh for every chunk would build its
    caches (tables per aggregator, rule arrays, ...) again for every chunk,
    which costs far more than the chunk's draws. The context is pickled once
    here; a process that receives the same bytes again (same digest) reuses
    the context it unpickled, caches and all. Threads and the calling process
    get the object itself.
    """

    __slots__ = ("_packed", "context")

    def __init__(self, context: _draws.Context) -> None:
        self.context = context
        self._packed: tuple[bytes, bytes] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        if self._packed is None:
            import hashlib
            import pickle

            payload = pickle.dumps(self.context, protocol=pickle.HIGHEST_PROTOCOL)
            self._packed = (hashlib.blake2b(payload, digest_size=16).digest(), payload)
        return (_received, self._packed)


_RECEIVED: dict[bytes, _Shipped] = {}
_RECEIVED_KEPT = 2  # contexts kept per process (a long-lived worker holds no more), latest last
_RECEIVING = threading.Lock()  # threads of one worker may receive chunks at once


def _received(digest: bytes, payload: bytes) -> _Shipped:
    """The context of ``payload``, unpickled once per process (see :class:`_Shipped`)."""
    import pickle

    with _RECEIVING:
        shipped = _RECEIVED.pop(digest, None)
        if shipped is None:
            shipped = _Shipped(pickle.loads(payload))
        _RECEIVED[digest] = shipped
        while len(_RECEIVED) > _RECEIVED_KEPT:
            del _RECEIVED[next(iter(_RECEIVED))]
    return shipped


def _chunk(shipped: _Shipped, seed: int, index: int, count: int) -> tuple[FloatArray, _draws.Parts]:
    design = _sample(shipped.context, seed, index, count)
    return design, _draws.run_parts(shipped.context, design)


def _rows(shipped: _Shipped, design: FloatArray) -> tuple[FloatArray, _draws.Parts]:
    return design, _draws.run_parts(shipped.context, design)


def sensitivity(
    framework: Framework,
    evidence: EvidenceSet | Iterable[Evidence] = (),
    *,
    uncertainty: Uncertainty,
    draws: int = 1000,
    seed: int = 0,
    rules: RuleSpec | Mapping[str, RuleSpec] | None = None,
    aggregators: AggregatorLike | Mapping[str, AggregatorLike] | None = None,
    units: Sequence[str] | None = None,
    min_share: float = DEFAULT_MIN_SHARE,
    data: NumericData | None = None,
    scorers: ScorerSpec | Mapping[str, ScorerSpec] | None = None,
    weights: WeightsLike | None = None,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
    design: str = "montecarlo",
    raw_data: NumericTable | None = None,
    pipeline: NumericPipeline | None = None,
) -> Sensitivity:
    """Evaluate ``draws`` random variations of the nominal settings (see the module docstring).

    The nominal settings are the keyword arguments shared with
    :func:`policyeval.evaluate`. ``executor`` runs the chunks (any
    :class:`concurrent.futures.Executor`; default: in this process);
    ``progress`` is called with ``(draws done, draws)`` after each chunk.
    ``design`` is ``"montecarlo"`` or ``"saltelli"`` (``draws`` is then the
    base sample, a power of two; needs SALib, the ``sensitivity`` extra).
    Varying imputation or treatment needs the table as read (``raw_data``)
    and the case's ``pipeline``; ``data`` stays the nominal, prepared table.
    """
    if not (isinstance(draws, int) and not isinstance(draws, bool) and draws >= 1):
        raise InvalidArgument(f"draws must be a positive integer, got draws={draws!r}")
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        raise InvalidArgument(f"seed must be a non-negative integer, got seed={seed!r}")
    if not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise InvalidArgument(f"chunk_size must be a positive integer, got {chunk_size=!r}")
    if design not in sampling.DESIGNS:
        raise InvalidArgument(
            f"design must be one of {', '.join(map(repr, sampling.DESIGNS))}, got design={design!r}"
        )
    if not isinstance(evidence, EvidenceSet):
        evidence = EvidenceSet(items=tuple(evidence))
    problems = uncertainty_problems(
        uncertainty,
        framework,
        rules=rules,
        has_data=data is not None,
        groups=None if raw_data is None else tuple(raw_data.groups),
        prefix="uncertainty.",
    )
    if (uncertainty.imputation or uncertainty.treatment) and (raw_data is None or pipeline is None):
        problems.append(
            Problem(
                "varying imputation or treatment needs raw_data (the table as read) and pipeline",
                key="uncertainty.imputation" if uncertainty.imputation else "uncertainty.treatment",
            )
        )
    if problems:
        raise InvalidArgument("; ".join(str(problem) for problem in problems))
    if units is None:
        found = {item.unit for item in evidence.items}
        data_units = () if data is None else _data_units(data)
        units = tuple(sorted(found)) + tuple(sorted(set(data_units) - found))
    numeric = _draws.indicators_with_data(data)
    nominal_weights = np.zeros(len(edge_order(framework)))
    from policyeval.aggregate import edge_weights

    chosen = edge_weights(framework, weights)
    position = 0
    for parent in framework.inner_nodes:
        for value in chosen[parent]:
            nominal_weights[position] = value
            position += 1
    context = _draws.Context(
        framework=framework,
        evidence=evidence,
        data=data,
        units=tuple(units),
        rules=rules,
        aggregators=aggregators,
        scorers=scorers,
        weights=tuple(nominal_weights.tolist()),
        min_share=float(min_share),
        inputs=_inputs(framework, uncertainty, evidence, numeric, nominal_weights.tolist()),
        numeric_indicators=tuple(numeric),
    )
    if numeric and (uncertainty.imputation or uncertainty.treatment):
        assert raw_data is not None and pipeline is not None  # checked above
        from policyeval._pipeline_choices import prepare

        context = attrs.evolve(
            context,
            prepared=prepare(
                raw_data,
                pipeline,
                imputations=uncertainty.imputation,
                treatments=uncertainty.treatment,
                units=tuple(units),
            ),
        )
    nominal_row = [_nominal_value(item) for item in context.inputs]
    # Every aggregator, scorer and threshold choice runs once with the rest nominal, so a choice
    # that cannot run on this case fails here, before any draw (and in ``validate``); every
    # imputation and treatment pair has run in ``prepare`` already.
    rows = [nominal_row]
    for column, item in enumerate(context.inputs):
        if item.kind in ("aggregator", "scorer", "min_agreement", "threshold"):
            for index in range(len(item.choices)):
                rows.append([*nominal_row[:column], float(index), *nominal_row[column + 1 :]])
    nominal = _draws.run_chunk(context, np.array(rows).reshape(len(rows), len(context.inputs)))
    planned = sampling.saltelli(context.inputs, draws, seed) if design == "saltelli" else None
    total = draws if planned is None else planned.shape[0]
    starts = list(range(0, total, chunk_size))
    inner_columns, _ = _draws.node_columns(framework)
    inner_shape = (total, len(inner_columns), len(context.units))
    design_rows = np.empty((total, len(context.inputs)))
    inner_scores, inner_ranks = np.empty(inner_shape), np.empty(inner_shape)
    groups = np.empty(total, dtype=np.int64)
    parts: list[_draws.Parts] = []
    if executor is None:
        # Each chunk writes its inner nodes straight into its rows of the result.
        for index, start in enumerate(starts):
            chunk_rows = slice(start, min(start + chunk_size, total))
            design_rows[chunk_rows] = (
                _sample(context, seed, index, chunk_rows.stop - start)
                if planned is None
                else planned[chunk_rows]
            )
            parts.append(
                _draws.run_parts(
                    context,
                    design_rows[chunk_rows],
                    out=(inner_scores[chunk_rows], inner_ranks[chunk_rows]),
                )
            )
            if progress is not None:
                progress(chunk_rows.stop, total)
    else:
        shipped = _Shipped(context)
        futures = [
            executor.submit(_chunk, shipped, seed, index, min(chunk_size, total - start))
            if planned is None
            else executor.submit(_rows, shipped, planned[start : start + chunk_size])
            for index, start in enumerate(starts)
        ]
        for future, start in zip(futures, starts, strict=True):
            chunk_design, part = future.result()
            chunk_rows = slice(start, start + chunk_design.shape[0])
            design_rows[chunk_rows] = chunk_design
            inner_scores[chunk_rows], inner_ranks[chunk_rows] = part.inner_scores, part.inner_ranks
            parts.append(part)
            if progress is not None:
                progress(chunk_rows.stop, total)
    # Each chunk's tables follow the ones before, so a draw's table index counts them.
    offset = 0
    for start, part in zip(starts, parts, strict=True):
        groups[start : start + part.groups.shape[0]] = part.groups + offset
        offset += part.leaf_scores.shape[0]
    shape = (total, len(context.units), len(framework.node_ids))
    codes: npt.NDArray[np.int64] = (
        np.broadcast_to(np.int64(-1), shape)  # no node has levels
        if parts[0].codes is None
        else np.concatenate([part.codes for part in parts if part.codes is not None])
    )
    return Sensitivity(
        framework=framework,
        units=tuple(units),
        inputs=context.inputs,
        seed=seed,
        chunk_size=chunk_size,
        design=design_rows,
        inner_scores=inner_scores,
        inner_ranks=inner_ranks,
        tables=groups,
        table_scores=np.concatenate([part.leaf_scores for part in parts]),
        table_ranks=np.concatenate([part.leaf_ranks for part in parts]),
        levels=codes,
        nominal_scores=nominal[0][0],  # the first row is the nominal one
        nominal_levels=nominal[1][0],
        nominal_ranks=nominal[2][0],
        sampling=design,
    )


def _nominal_value(item: _draws.Input) -> float:
    """The design value standing for the nominal setting of an input."""
    if item.kind == "dirichlet":
        return item.shape  # each variate at its mean: the nominal shares
    return 1.0 if item.continuous else float(_draws.NOMINAL)


def _data_units(data: NumericData) -> tuple[str, ...]:
    if isinstance(data, Mapping):
        return tuple(str(unit) for unit in data)
    return tuple(str(unit) for unit in getattr(data, "units", ()))


def sensitivity_case(
    case: Case,
    *,
    uncertainty: Uncertainty | None = None,
    draws: int | None = None,
    seed: int = 0,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
    design: str | None = None,
) -> Sensitivity:
    """Run :func:`sensitivity` on a loaded case, with its ``[sensitivity]`` section.

    ``uncertainty``, ``draws`` and ``design`` override the case's; the
    nominal settings are the case's own (rule, aggregators, scorers,
    weights, units, data pipeline).
    """
    chosen = uncertainty if uncertainty is not None else case.sensitivity
    if chosen is None:
        raise InvalidArgument(
            f"case {case.file} declares no [sensitivity] section and no uncertainty was given"
        )
    return sensitivity(
        case.framework,
        uncertainty=chosen,
        draws=draws if draws is not None else case.sensitivity_draws,
        seed=seed,
        executor=executor,
        chunk_size=chunk_size,
        progress=progress,
        design=design if design is not None else case.sensitivity_design,
        **case_arguments(case),
    )


def case_arguments(case: Case) -> dict[str, Any]:
    """The nominal settings of a loaded case as :func:`sensitivity`'s keyword arguments
    (its evidence and data read from their files)."""
    from policyeval.case import load_case_evidence, load_case_numbers

    evidence = load_case_evidence(case)
    numeric = load_case_numbers(case)
    units = [unit.id for unit in case.units]
    if numeric is not None and not units:
        units = list(numeric.table.units)
    rules: Any = case.rule
    if case.rule_overrides:
        rules = {"*": case.rule, **case.rule_overrides}
    aggregators: Any = None
    if case.aggregator is not None or case.aggregator_overrides:
        aggregators = dict(case.aggregator_overrides)
        if case.aggregator is not None:
            aggregators["*"] = case.aggregator
    return {
        "evidence": evidence,
        "rules": rules,
        "aggregators": aggregators,
        "units": units,
        "min_share": case.min_share,
        "data": numeric.table if numeric is not None else None,
        "scorers": case.scorers or None,
        "weights": case.weights or None,
        "raw_data": numeric.tables[0][1] if numeric is not None else None,
        "pipeline": case.data.pipeline if case.data is not None else None,
    }
