"""The draw engine behind :func:`policyeval.sensitivity.sensitivity`.

A chunk of draws is sampled from its own generator, then evaluated stage by
stage with caches kept per analysis and process: draws that share a
triangulation (same threshold, same evidence left out) triangulate once,
draws that also share a scorer score once, and draws that also share their
aggregators are aggregated together, all weight draws at once. When every
inner node takes the weighted mean and every score is defined, a group is
aggregated on inner nodes x draws x units arrays with the mean's own
arithmetic, a level of the framework at a time
(:func:`policyeval._draw_arrays.mean_tree`); otherwise with the aggregators'
array forms, every group with the same aggregators at once (each draw from
its own score table), and a group whose aggregators have no array form (or
decide by position, or compare units) goes through
:func:`policyeval.aggregate.aggregate` draw by draw. Every path gives the
bits a plain evaluation gives.

A chunk's result is kept compact (:class:`Parts`): only the inner nodes
change from draw to draw; the indicators' scores are one of the chunk's few
score tables.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval._draw_arrays import (
    MeanLeaves,
    Workspace,
    line_ranks,
    mean_leaves,
    mean_shape,
    mean_tree,
)
from policyeval.aggregate import aggregate, aggregator_lookup, edge_order
from policyeval.aggregation import _Mean
from policyeval.evidence_io import EvidenceSet
from policyeval.framework import Framework
from policyeval.protocols import Aggregator
from policyeval.registry import build_scorer, rules_with
from policyeval.scales import NumericScale, OrdinalScale
from policyeval.score import NumericData, ScoreTable, score
from policyeval.triangulate import Triangulation, _assess, rule_lookup, triangulate

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NOMINAL = -1  # a choice index meaning "the nominal setting"


@attrs.frozen(kw_only=True)
class Input:
    """One uncertain input: a weight multiplier (``low``..``high``), a Dirichlet
    weight's gamma variate (``shape``, for the edges under ``nodes[0]``), or a
    choice among ``choices`` (for a ``threshold``, of the rule parameter
    ``parameter``)."""

    name: str
    kind: str
    low: float = 1.0
    high: float = 1.0
    choices: tuple[Any, ...] = ()
    edges: tuple[int, ...] = ()
    nodes: tuple[str, ...] = ()
    parameter: str = ""
    shape: float = 0.0

    @property
    def continuous(self) -> bool:
        """Whether the input is sampled from a range (a weight) rather than a set."""
        return self.kind in ("weight", "dirichlet")


@attrs.frozen(kw_only=True, eq=False)
class Context:
    """Everything a chunk needs, fixed for the whole analysis (picklable).

    Compared by identity, so each process keeps its caches (triangulations,
    score tables) per context it was given.
    """

    framework: Framework
    evidence: EvidenceSet
    data: NumericData | None
    units: tuple[str, ...]
    rules: Any
    aggregators: Any
    scorers: Any
    weights: tuple[float, ...]
    min_share: float
    inputs: tuple[Input, ...]
    numeric_indicators: tuple[str, ...]
    # The data prepared with each (imputation, treatment) choice pair, by choice indices.
    prepared: tuple[tuple[tuple[int, int], NumericData], ...] = ()


def sample(context: Context, rng: np.random.Generator, count: int) -> FloatArray:
    """A ``count`` x inputs Monte Carlo design (see :func:`policyeval.sampling.montecarlo`)."""
    from policyeval.sampling import montecarlo

    return montecarlo(context.inputs, rng, count)


def _settings(context: Context, row: FloatArray) -> dict[str, Any]:
    """The evaluation settings of one draw (``row`` of the design)."""
    weights = weight_matrix(context, np.asarray(row, dtype=np.float64)[None, :])[0]
    return {"weights": weights, **_choices(context, row)}


def _choices(context: Context, row: FloatArray) -> dict[str, Any]:
    """The settings one draw (``row`` of the design) chooses from sets: everything but
    its weights."""
    rules = context.rules
    scorers = context.scorers
    aggregators: dict[str, Any] = {}
    left_out: dict[str, Any] = {}
    prepared = [NOMINAL, NOMINAL]
    for column, item in enumerate(context.inputs):
        value = float(row[column])
        if item.continuous:
            continue
        if int(value) == NOMINAL:
            continue
        choice = item.choices[int(value)]
        if item.kind == "aggregator":
            aggregators.update(dict.fromkeys(item.nodes, choice))
        elif item.kind == "scorer":
            if choice is not None:
                base = dict(scorers) if isinstance(scorers, Mapping) else {}
                if scorers is not None and not isinstance(scorers, Mapping):
                    base["*"] = scorers
                # Built once, so the indicators share one scorer and are scored as one block.
                built = build_scorer(choice)
                scorers = {**base, **dict.fromkeys(context.numeric_indicators, built)}
        elif item.kind == "min_agreement":
            rules = rules_with(rules, choice)
        elif item.kind == "threshold":
            rules = rules_with(rules, choice, item.parameter)
        elif item.kind == "imputation":
            prepared[0] = int(value)
        elif item.kind == "treatment":
            prepared[1] = int(value)
        elif item.kind.startswith("leave_out_"):
            left_out[item.kind] = choice
    return {
        "rules": rules,
        "scorers": scorers,
        "aggregators": aggregators,
        "data": (
            context.data
            if prepared == [NOMINAL, NOMINAL]
            else dict(context.prepared)[prepared[0], prepared[1]]
        ),
        "evidence": left_out.get("leave_out_evidence"),
        "source": left_out.get("leave_out_source"),
    }


def draw_settings(context: Context, row: FloatArray) -> dict[str, Any]:
    """The keyword arguments of :func:`policyeval.evaluate` for one draw.

    Used by the tests to check a draw against a plain evaluation.
    """
    chosen = _settings(context, row)
    return {
        "evidence": _evidence(context.evidence, chosen["evidence"], chosen["source"]),
        "rules": chosen["rules"],
        "aggregators": _aggregators(context, chosen["aggregators"]),
        "units": context.units,
        "min_share": context.min_share,
        "data": chosen["data"],
        "scorers": chosen["scorers"],
        "weights": chosen["weights"],
    }


def _evidence(evidence: EvidenceSet, item: str | None, source: str | None) -> EvidenceSet:
    if item is None and source is None:
        return evidence
    kept = tuple(i for i in evidence.items if i.id != item and i.source != source)
    return attrs.evolve(evidence, items=kept)


def _aggregators(context: Context, chosen: Mapping[str, Any]) -> Any:
    if not chosen:
        return context.aggregators
    base: dict[str, Any] = {}
    if isinstance(context.aggregators, Mapping) and "name" not in context.aggregators:
        base = dict(context.aggregators)
    elif context.aggregators is not None:
        base = {"*": context.aggregators}
    return {**base, **chosen}


class _Cache:
    """What chunks of one analysis share within a process: triangulations and score tables
    by choice indices, and the framework's shape. Only ever holds results that are
    the same for every chunk, so it changes no draw."""

    def __init__(self, context: Context) -> None:
        framework = context.framework
        nodes = framework.node_ids
        self.node_ids = nodes
        self.position = {node: index for index, node in enumerate(nodes)}
        self.inner, self.leaves = node_columns(framework)
        self.bottom_up = [
            node for node in framework.bottom_up() if not framework.node(node).is_indicator
        ]
        self.triangulator = _Triangulator(context)
        self.triangulations: dict[Any, Triangulation | None] = {}
        self.tables: dict[Any, ScoreTable] = {}
        self.lookups: dict[Any, Callable[[str], Aggregator]] = {}
        self.shape = mean_shape(framework)
        self._local = threading.local()
        # Each score table's indicators as the mean reads them (None: not all weighted means).
        self.mean_leaves: dict[Any, MeanLeaves | None] = {}
        # Each score table's indicators (units x indicators, node order) and their ranks.
        self.leaf_tables: dict[Any, tuple[FloatArray, FloatArray]] = {}
        self.table_codes: dict[Any, IntArray] = {}
        self.weights = WeightDraws(context)
        # The columns of the design whose choices select a triangulation, a score table and
        # aggregators; draws are grouped by these choice indices.
        self.rule_columns = _columns(context, ("min_agreement", "threshold"))
        self.found_columns = self.rule_columns + _columns(
            context, ("leave_out_evidence", "leave_out_source")
        )
        self.scorer_columns = _columns(context, ("scorer", "imputation", "treatment"))
        self.aggregator_columns = _columns(context, ("aggregator",))
        # The place values that number each combination of choices (None if they overflow).
        self.choice_radix: IntArray | None = None
        sizes = [
            len(context.inputs[column].choices) + 1
            for column in self.found_columns + self.scorer_columns + self.aggregator_columns
        ]
        if math.prod(sizes) < 2**62:
            self.choice_radix = np.array(
                [math.prod(sizes[index + 1 :]) for index in range(len(sizes))], dtype=np.int64
            )
        self.level_columns = [
            (column, node, level_names(framework, node))
            for column, node in enumerate(nodes)
            if level_names(framework, node)
        ]

    def workspace(self) -> Workspace:
        """This thread's scratch arrays."""
        found: Workspace | None = getattr(self._local, "workspace", None)
        if found is None:
            found = self._local.workspace = Workspace()
        return found


def columns_at(positions: Sequence[int]) -> slice | list[int]:
    """``positions`` as a slice when they are a run of consecutive columns (numpy writes a
    slice of columns many times faster than a list of them)."""
    if positions and list(positions) == list(range(positions[0], positions[-1] + 1)):
        return slice(positions[0], positions[-1] + 1)
    return list(positions)


_CACHES: weakref.WeakKeyDictionary[Context, _Cache] = weakref.WeakKeyDictionary()


def _cache(context: Context) -> _Cache:
    found = _CACHES.get(context)
    if found is None:
        found = _CACHES[context] = _Cache(context)
    return found


@attrs.frozen(kw_only=True)
class Parts:
    """A chunk's draws, kept compact: only the inner nodes vary from draw to draw.

    ``inner_scores`` and ``inner_ranks`` are draws x inner nodes x units
    (the framework's inner nodes in node order; each line of units
    contiguous); draw ``d``'s indicators are ``leaf_scores[groups[d]]`` and
    ``leaf_ranks[groups[d]]`` (tables x units x indicators, in node order);
    ``codes`` are the draws' level codes (draws x units x nodes), ``None``
    when no node has levels.
    """

    inner_scores: FloatArray
    inner_ranks: FloatArray
    groups: IntArray
    leaf_scores: FloatArray
    leaf_ranks: FloatArray
    codes: IntArray | None


def node_columns(framework: Framework) -> tuple[list[int], list[int]]:
    """The columns of the inner nodes and of the indicators, in node order."""
    nodes = framework.node_ids
    inner = [index for index, node in enumerate(nodes) if not framework.node(node).is_indicator]
    leaves = [index for index, node in enumerate(nodes) if framework.node(node).is_indicator]
    return inner, leaves


def assemble(
    framework: Framework,
    inner_values: FloatArray,
    leaf_values: FloatArray,
    groups: IntArray,
    columns: tuple[list[int], list[int]] | None = None,
) -> FloatArray:
    """Draws x units x nodes from the inner nodes' values (draws x inner nodes x units) and
    the indicators' tables (tables x units x indicators); ``columns`` are
    :func:`node_columns` when known."""
    inner, leaves = node_columns(framework) if columns is None else columns
    grid = np.empty((inner_values.shape[0], inner_values.shape[2], len(framework.node_ids)))
    grid[:, :, columns_at(inner)] = inner_values.transpose(0, 2, 1)
    grid[:, :, columns_at(leaves)] = leaf_values[groups]
    return grid


def run_chunk(context: Context, design: FloatArray) -> tuple[FloatArray, IntArray, FloatArray]:
    """Scores, level codes and ranks, each draws x units x nodes, for the draws in ``design``.

    Level codes index the node's scale levels (in the scale's order); ``-1`` means
    no level. Ranks are competition ranks among the units (1 = best), ``nan``
    where the node is undefined.
    """
    parts = run_parts(context, design)
    framework = context.framework
    scores = assemble(framework, parts.inner_scores, parts.leaf_scores, parts.groups)
    ranks = assemble(framework, parts.inner_ranks, parts.leaf_ranks, parts.groups)
    codes = parts.codes
    if codes is None:
        codes = np.broadcast_to(np.int64(-1), scores.shape)
    return scores, codes, ranks


def run_parts(
    context: Context, design: FloatArray, out: tuple[FloatArray, FloatArray] | None = None
) -> Parts:
    """The draws in ``design``, kept compact (see :class:`Parts`); ``out`` are the arrays to
    write the inner nodes' scores and ranks into."""
    framework = context.framework
    cache = _cache(context)
    count, units = design.shape[0], len(context.units)
    inner_shape = (count, len(cache.inner), units)
    inner, leaves = cache.inner, cache.leaves
    weights_all = weight_matrix(context, design)
    groups = _groups(cache, design)
    # Each group gives its draws' inner nodes and its table's indicators.
    inner_values = np.empty(inner_shape) if out is None else out[0]
    group_of = np.empty(count, dtype=np.int64)
    tables: list[ScoreTable] = []
    leaf_tables: list[tuple[FloatArray, FloatArray]] = []
    # Groups the weighted mean cannot do, by their aggregators: aggregated together.
    pending: dict[Any, list[int]] = {}
    lookups: dict[Any, Callable[[str], Aggregator]] = {}
    every_row = [rows if isinstance(rows, np.ndarray) else np.arange(count) for _, rows in groups]
    for number, (group_key, rows) in enumerate(groups):
        row = design[rows][0]
        table = _table(context, cache, group_key[0], row)
        tables.append(table)
        leaf_tables.append(_leaf_table(cache, group_key[0], table))
        group_of[rows] = number
        lookup = lookups[group_key[1]] = _lookup(context, cache, group_key[1], row)
        found = _mean_draws(context, cache, group_key, table, lookup, weights_all[rows])
        if found is not None:
            inner_values[rows] = found.transpose(1, 0, 2)
        else:
            pending.setdefault(group_key[1], []).append(number)
    for lookup_key, numbers in pending.items():
        rows_of = [every_row[number] for number in numbers]
        together = np.concatenate(rows_of)
        if len({tables[number].indicators for number in numbers}) == 1:
            starts = np.concatenate(
                [
                    np.broadcast_to(
                        tables[number].scores, (rows.size, *tables[number].scores.shape)
                    )
                    for number, rows in zip(numbers, rows_of, strict=True)
                ]
            )
            batched = _batch(
                framework,
                tables[numbers[0]],
                lookups[lookup_key],
                weights_all[together],
                context.min_share,
                starts=starts,
            )
            if batched is not None:
                inner_values[together] = batched[:, :, inner].transpose(0, 2, 1)
                continue
        for number, rows in zip(numbers, rows_of, strict=True):
            batched = _batch(
                framework, tables[number], lookups[lookup_key], weights_all[rows], context.min_share
            )
            if batched is None:
                row = design[rows][0]
                aggregators = _aggregators(context, _choices(context, row)["aggregators"])
                batched = np.stack(
                    [
                        aggregate(
                            framework,
                            tables[number],
                            aggregators=aggregators,
                            weights=draw_weights,
                            min_share=context.min_share,
                        ).scores
                        for draw_weights in weights_all[rows]
                    ]
                )
                # The indicators as aggregate gives them, in every draw of the group.
                leaf_tables[number] = (
                    batched[0][:, leaves],
                    _ranks(batched[:1, :, leaves])[0],
                )
            inner_values[rows] = batched[:, :, inner].transpose(0, 2, 1)
    leaf_block = np.stack([scores for scores, _ in leaf_tables])
    inner_ranks = np.empty(inner_shape) if out is None else out[1]
    lines = inner_values.reshape(-1, units)
    if inner_ranks.flags.c_contiguous:  # then reshaping gives a view to write the ranks into
        line_ranks(lines, out=inner_ranks.reshape(-1, units), workspace=cache.workspace())
    else:
        inner_ranks[...] = line_ranks(lines, workspace=cache.workspace()).reshape(inner_shape)
    codes = None
    if cache.level_columns:
        grid = assemble(framework, inner_values, leaf_block, group_of, (inner, leaves))
        codes = _level_codes(
            framework, cache, [key[0] for key, _ in groups], tables, grid, group_of
        )
    return Parts(
        inner_scores=inner_values,
        inner_ranks=inner_ranks,
        groups=group_of,
        leaf_scores=leaf_block,
        leaf_ranks=np.stack([ranks for _, ranks in leaf_tables]),
        codes=codes,
    )


def _groups(cache: _Cache, design: FloatArray) -> list[tuple[Any, slice | IntArray]]:
    """The draws grouped by their choice indices (not by the settings they stand for), in
    order of first appearance: ``((triangulation and scoring choices, aggregator
    choices), rows)``; the key's first part is ``(triangulation choices, scoring
    choices)``."""
    found, scorer, aggregator = cache.found_columns, cache.scorer_columns, cache.aggregator_columns
    columns = found + scorer + aggregator
    if not columns:
        return [((((), ()), ()), slice(None))]
    picked = design[:, columns].astype(np.int64)
    radix = cache.choice_radix
    if radix is not None:
        # Each row's choices as one number (NOMINAL, -1, counts as a choice too): uniqueness
        # over numbers is much quicker than over rows.
        codes = (picked + 1) @ radix
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        distinct = picked[first]
    else:
        distinct, first, inverse = np.unique(picked, axis=0, return_index=True, return_inverse=True)
    if distinct.shape[0] == 1:
        rows_of: list[slice | IntArray] = [slice(None)]
    else:
        order = np.argsort(inverse.reshape(-1), kind="stable")
        bounds = np.cumsum(np.bincount(inverse.reshape(-1), minlength=distinct.shape[0]))[:-1]
        rows_of = list(np.split(order, bounds))
    keys = []
    for values in distinct.tolist():
        found_key = tuple(values[: len(found)])
        scorer_key = tuple(values[len(found) : len(found) + len(scorer)])
        keys.append(((found_key, scorer_key), tuple(values[len(found) + len(scorer) :])))
    return [(keys[group], rows_of[group]) for group in np.argsort(first, kind="stable").tolist()]


def _table(context: Context, cache: _Cache, table_key: Any, row: FloatArray) -> ScoreTable:
    """The score table of a draw's triangulation and scoring choices (``row``), made once."""
    if table_key in cache.tables:
        return cache.tables[table_key]
    chosen = _choices(context, row)
    found_key = table_key[0]
    if found_key not in cache.triangulations:
        evidence = _evidence(context.evidence, chosen["evidence"], chosen["source"])
        cache.triangulations[found_key] = (
            cache.triangulator(evidence, chosen["rules"], found_key[: len(cache.rule_columns)])
            if context.data is None or evidence.items or evidence.rejected or evidence.sources
            else None
        )
    table = cache.tables[table_key] = score(
        context.framework,
        cache.triangulations[found_key],
        chosen["data"],
        scorers=chosen["scorers"],
        units=context.units,
    )
    return table


def _lookup(
    context: Context, cache: _Cache, lookup_key: Any, row: FloatArray
) -> Callable[[str], Aggregator]:
    """Each node's aggregator under a draw's aggregator choices (``row``), looked up once."""
    if lookup_key not in cache.lookups:
        aggregators = _aggregators(context, _choices(context, row)["aggregators"])
        cache.lookups[lookup_key] = aggregator_lookup(context.framework, aggregators)
    return cache.lookups[lookup_key]


def _leaf_table(cache: _Cache, table_key: Any, table: ScoreTable) -> tuple[FloatArray, FloatArray]:
    """The table's scores as units x indicators in the framework's indicator order (``nan``
    for an indicator the table lacks), and their ranks: made once per table."""
    if table_key not in cache.leaf_tables:
        columns = {indicator: column for column, indicator in enumerate(table.indicators)}
        scores = np.full((len(table.units), len(cache.leaves)), np.nan)
        for place, position in enumerate(cache.leaves):
            column = columns.get(cache.node_ids[position])
            if column is not None:
                scores[:, place] = table.scores[:, column]
        cache.leaf_tables[table_key] = (scores, _ranks(scores[None])[0])
    return cache.leaf_tables[table_key]


def _mean_draws(
    context: Context,
    cache: _Cache,
    group_key: Any,
    table: ScoreTable,
    lookup: Callable[[str], Aggregator],
    weights: FloatArray,
) -> FloatArray | None:
    """The inner nodes (inner nodes x draws x units) of a group of draws, when every inner
    node takes the weighted mean of children that all have a score, with positive
    weights; ``None`` otherwise (see :func:`policyeval._draw_arrays.mean_tree`)."""
    key = group_key
    if key not in cache.mean_leaves:
        usable = (
            0 <= context.min_share <= 1
            and set(table.indicators) == set(context.framework.indicators)
            and all(type(lookup(node)) is _Mean for node in cache.bottom_up)
            and not bool(np.isnan(table.scores).any())
        )
        cache.mean_leaves[key] = (
            mean_leaves(
                cache.shape,
                table.scores,
                {indicator: column for column, indicator in enumerate(table.indicators)},
            )
            if usable
            else None
        )
    leaves = cache.mean_leaves[key]
    if leaves is None or not bool((weights > 0).all()):
        return None
    return mean_tree(cache.shape, leaves, weights, cache.workspace())


def _columns(context: Context, kinds: Sequence[str]) -> list[int]:
    return [column for column, item in enumerate(context.inputs) if item.kind in kinds]


def weight_matrix(context: Context, design: FloatArray) -> FloatArray:
    """Every draw's edge weights (draws x edges in edge order), as :func:`_settings` gives them."""
    return _cache(context).weights(design)


class WeightDraws:
    """How a design's columns become edge weights, worked out once per analysis."""

    def __init__(self, context: Context) -> None:
        self.nominal = np.array(context.weights, dtype=np.float64)
        order = edge_order(context.framework)
        # Dirichlet weights: the gamma variates of a parent's edges, shared out in proportion.
        groups: dict[str, list[int]] = {}
        for column, item in enumerate(context.inputs):
            if item.kind == "dirichlet":
                groups.setdefault(item.nodes[0], []).append(column)
        self.dirichlet = []
        for columns in groups.values():
            edges = [context.inputs[column].edges[0] for column in columns]
            self.dirichlet.append((columns, edges, float(np.sum(self.nominal[edges]))))
        pairs = [
            (column, edge)
            for column, item in enumerate(context.inputs)
            if item.kind == "weight"
            for edge in item.edges
        ]
        self.multiplied_by = np.array([column for column, _ in pairs], dtype=np.int64)
        self.multiplied = np.array([edge for _, edge in pairs], dtype=np.int64)
        # One multiplier per edge (as the inputs are built) lets them all apply at once.
        self.one_each = len(set(self.multiplied.tolist())) == len(pairs)
        # Leaving an indicator out: per choice, the edges into it (a last row for the nominal).
        self.leave_out: list[tuple[int, npt.NDArray[np.bool_]]] = []
        for column, item in enumerate(context.inputs):
            if item.kind == "leave_out_indicator":
                into = np.zeros((len(item.choices) + 1, len(order)), dtype=bool)
                for index, indicator in enumerate(item.choices):
                    if indicator is not None:
                        into[index] = [child == indicator for _, child in order]
                self.leave_out.append((column, into))

    def __call__(self, design: FloatArray) -> FloatArray:
        weights = np.tile(self.nominal, (design.shape[0], 1))
        for columns, edges, total in self.dirichlet:
            variates = design[:, columns]
            weights[:, edges] = total * variates / variates.sum(axis=1, keepdims=True)
        if self.one_each:
            weights[:, self.multiplied] = (
                weights[:, self.multiplied] * design[:, self.multiplied_by]
            )
        else:
            for column, edge in zip(self.multiplied_by, self.multiplied, strict=True):
                weights[:, edge] = weights[:, edge] * design[:, column]
        for column, into in self.leave_out:
            # NOMINAL (-1) picks the last row, which leaves every edge in.
            weights[into[design[:, column].astype(np.int64)]] = 0.0
        return weights


class _Triangulator:
    """Triangulation with every (rule, unit, indicator, items left out) assessed once.

    Leaving one item or source out changes only the cells holding it, so a
    draw re-assesses those cells and reuses every other assessment.
    """

    def __init__(self, context: Context) -> None:
        # What it needs of the context, not the context: the per-context caches hold this
        # object, and a reference back would keep every context (and its data) alive.
        self.framework, self.evidence = context.framework, context.evidence
        self.units = context.units
        self.cells: dict[tuple[str, str], list[Any]] = {}
        for item in self.evidence.items:
            self.cells.setdefault((item.unit, item.indicator), []).append(item)
        self.assessed: dict[Any, Any] = {}
        self.rules: dict[Any, Callable[[str], Any]] = {}
        self.full: dict[Any, Triangulation] = {}

    def __call__(self, evidence: EvidenceSet, rules: Any, rules_key: Any) -> Triangulation:
        framework = self.framework
        if rules_key not in self.full:
            # The full evidence goes through triangulate itself, which checks the evidence.
            self.full[rules_key] = triangulate(
                framework, self.evidence, rules=rules, units=self.units
            )
            self.rules[rules_key] = rule_lookup(framework, rules)
        full = self.full[rules_key]
        if evidence is self.evidence:
            return full
        kept = {item.id for item in evidence.items}
        rule_for = self.rules[rules_key]
        assessments = dict(full.assessments)
        for (unit, indicator), items in self.cells.items():
            dropped = tuple(item.id for item in items if item.id not in kept)
            if not dropped or unit not in self.units:
                continue
            key = (rules_key, unit, indicator, dropped)
            if key not in self.assessed:
                remaining = [item for item in items if item.id in kept]
                self.assessed[key] = _assess(
                    framework, unit, indicator, remaining, rule_for(indicator)
                )
            assessments[unit, indicator] = self.assessed[key]
        return attrs.evolve(full, assessments=assessments, evidence=evidence.items)


def _batchable(aggregator: Aggregator) -> bool:
    return (
        getattr(aggregator, "array", None) is not None
        and getattr(aggregator, "partial", None) is None
        and not getattr(aggregator, "cross_unit", False)
    )


def _batch(
    framework: Framework,
    table: ScoreTable,
    lookup: Callable[[str], Aggregator],
    weights: FloatArray,
    min_share: float,
    starts: FloatArray | None = None,
) -> FloatArray | None:
    """Every node for every draw and unit, many weight draws at once; ``None`` to fall back.

    ``starts`` (draws x units x the table's indicators) gives each draw its own
    indicator scores; by default every draw starts from ``table``'s.

    The arithmetic follows :func:`policyeval.aggregate.combine` row by row
    (weights summed child by child, the array form called on the defined
    rows only), so each draw gives the bits a plain ``aggregate`` gives.
    """
    inner = [node for node in framework.bottom_up() if not framework.node(node).is_indicator]
    built = {node: lookup(node) for node in inner}
    if not all(_batchable(aggregator) for aggregator in built.values()):
        return None
    draws, units = weights.shape[0], len(table.units)
    nodes = framework.node_ids
    position = {node: index for index, node in enumerate(nodes)}
    grid = np.full((draws, units, len(nodes)), np.nan)
    for column, indicator in enumerate(table.indicators):
        grid[:, :, position[indicator]] = (
            table.scores[:, column] if starts is None else starts[:, :, column]
        )
    start = 0
    first_edge: dict[str, int] = {}
    for parent in framework.inner_nodes:
        first_edge[parent] = start
        start += len(framework.children(parent))
    for node in inner:
        children = [position[child] for child in framework.children(node)]
        width = len(children)
        node_weights = weights[:, first_edge[node] : first_edge[node] + width]
        values = grid[:, :, children].reshape(draws * units, width)
        row_weights_all = np.repeat(node_weights, units, axis=0)
        present = ~np.isnan(values)
        row_weights = np.where(present, row_weights_all, 0.0)
        present_weight = np.zeros(draws * units)
        total = np.zeros(draws * units)
        for index in range(width):
            present_weight += row_weights[:, index]
            total += row_weights_all[:, index]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, present_weight / np.where(total > 0, total, 1.0), 0.0)
        defined = (present_weight > 0) & (share >= min_share)
        result = np.full(draws * units, np.nan)
        rows = np.flatnonzero(defined)
        if rows.size:
            array_form = built[node].array  # type: ignore[attr-defined]
            filled = np.where(present[rows], values[rows], 0.0)
            try:
                combined = np.asarray(array_form(filled, row_weights[rows]), dtype=np.float64)
            except (ValueError, TypeError, ArithmeticError):
                return None
            if combined.shape != (rows.size,) or not bool(np.isfinite(combined).all()):
                return None
            result[rows] = combined
        grid[:, :, position[node]] = result.reshape(draws, units)
    return grid


def level_names(framework: Framework, node: str) -> tuple[str, ...]:
    """The level ids of a node's scale in its order (none for an unbanded numeric scale)."""
    scale = framework.scale_of(node)
    if isinstance(scale, OrdinalScale):
        return tuple(level.id for level in scale.levels)
    if isinstance(scale, NumericScale) and scale.levels is not None:
        return tuple(level.id for level in scale.levels.levels)
    return ()


def _level_codes(
    framework: Framework,
    cache: _Cache,
    table_keys: Sequence[Any],
    tables: Sequence[ScoreTable],
    grid: FloatArray,
    group_of: IntArray,
) -> IntArray:
    """Level codes (draws x units x nodes) of a chunk's scores ``grid``: an indicator's level
    is its table's (the table of the draw's group), any other node's is read from its
    score."""
    codes = np.full(grid.shape, -1, dtype=np.int64)
    # Per group and node column: the table's codes, or -2 where they come from the scores.
    by_group = np.stack(
        [
            _table_codes(cache, key, table, grid.shape[1])
            for key, table in zip(table_keys, tables, strict=True)
        ]
    )
    for column, node, names in cache.level_columns:
        code_of = {name: index for index, name in enumerate(names)}
        found = by_group[:, :, column][group_of]
        scored = found == -2
        if bool(scored.any()):
            scale = framework.scale_of(node)
            values = grid[:, :, column][scored]
            distinct, inverse = np.unique(values, return_inverse=True)
            mapped = np.array(
                [_code(scale, code_of, value) for value in distinct.tolist()], dtype=np.int64
            )
            found[scored] = mapped[inverse.reshape(-1)]
        codes[:, :, column] = found
    return codes


def _table_codes(cache: _Cache, table_key: Any, table: ScoreTable, units: int) -> IntArray:
    """A table's level codes for the indicators it holds (units x nodes; -2 elsewhere),
    made once per table."""
    if table_key not in cache.table_codes:
        codes = np.full((units, len(cache.node_ids)), -2, dtype=np.int64)
        held = set(table.indicators)
        for column, node, names in cache.level_columns:
            if node in held:
                code_of = {name: index for index, name in enumerate(names)}
                codes[:, column] = [
                    code_of.get(table.levels[unit, node] or "", -1) for unit in table.units
                ]
        cache.table_codes[table_key] = codes
    return cache.table_codes[table_key]


def _code(scale: Any, code_of: Mapping[str, int], value: float) -> int:
    if math.isnan(value):
        return -1
    if isinstance(scale, OrdinalScale):
        return code_of[scale.level_for_score(value).id]
    level = scale.level_for_value(value)
    return -1 if level is None else code_of[level.id]


def _ranks(scores: FloatArray) -> FloatArray:
    """Competition ranks among the units per draw and node (draws x units x nodes), as
    :func:`policyeval.ranking.competition_ranks` gives them (see
    :func:`policyeval._draw_arrays.line_ranks`)."""
    draws, units, nodes = scores.shape
    lines = scores.transpose(0, 2, 1).reshape(-1, units)
    return line_ranks(lines).reshape(draws, nodes, units).transpose(0, 2, 1)


def indicators_with_data(data: NumericData | None) -> Sequence[str]:
    """The indicators that have a column in the data."""
    if data is None:
        return ()
    if isinstance(data, Mapping):
        return tuple(dict.fromkeys(str(i) for row in data.values() for i in row))
    return tuple(str(i) for i in getattr(data, "indicators", getattr(data, "columns", ())))
