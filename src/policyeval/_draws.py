"""The draw engine behind :func:`policyeval.sensitivity.sensitivity`.

A chunk of draws is sampled from its own generator, then evaluated stage by
stage with caches: draws that share a triangulation (same threshold, same
evidence left out) triangulate once, draws that also share a scorer score
once, and draws that also share their aggregators are aggregated together,
all weight draws at once, with the aggregators' array forms. A group whose
aggregators have no array form (or decide by position, or compare units)
goes through :func:`policyeval.aggregate.aggregate` draw by draw.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.aggregate import aggregate, aggregator_lookup, edge_order
from policyeval.evidence_io import EvidenceSet
from policyeval.framework import Framework
from policyeval.protocols import Aggregator
from policyeval.ranking import TIE_DIGITS
from policyeval.registry import _call_spec, build_scorer
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


@attrs.frozen(kw_only=True)
class Context:
    """Everything a chunk needs, fixed for the whole analysis (picklable)."""

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


def with_threshold(spec: Any, value: float, parameter: str = "min_agreement") -> Any:
    """A rule spec with ``parameter`` set to ``value`` on it, and on each rule it combines or
    wraps whose factory takes that parameter.

    Raises :class:`TypeError` when no rule in the spec takes the parameter.
    """
    changed = _with_parameter(spec, parameter, value)
    if changed is None:
        raise TypeError(f"no rule in {spec!r} takes the parameter {parameter!r}")
    return changed


def _with_parameter(spec: Any, parameter: str, value: float) -> Any:
    if isinstance(spec, str):
        # A rule written as its repr ("all_of(source_triangulation(...), ...)") is read first.
        spec = _call_spec(spec, "triangulation rule") if "(" in spec else {"name": spec}
    if not isinstance(spec, Mapping):
        raise TypeError(f"cannot set {parameter} on the rule object {spec!r}")
    result: dict[str, Any] = dict(spec)
    found = False
    if "rules" in spec and not isinstance(spec["rules"], str | Mapping):
        parts = [_with_parameter(rule, parameter, value) for rule in spec["rules"]]
        found = any(part is not None for part in parts)
        result["rules"] = [
            rule if part is None else part for rule, part in zip(spec["rules"], parts, strict=True)
        ]
    if "base" in spec:
        base = _with_parameter(spec["base"], parameter, value)
        if base is not None:
            result["base"], found = base, True
    if parameter in _parameters(spec.get("name")):
        result[parameter], found = value, True
    return result if found else None


def _parameters(name: Any) -> frozenset[str]:
    """The keyword parameters of the registered rule factory ``name`` (none if unknown)."""
    import inspect

    from policyeval.registry import _rule_factory

    factory = _rule_factory(str(name))
    if factory is None:  # an unknown name is reported when the rule is built
        return frozenset()
    try:
        return frozenset(inspect.signature(factory).parameters)
    except (TypeError, ValueError):
        return frozenset()


def _settings(context: Context, row: FloatArray) -> dict[str, Any]:
    """The evaluation settings of one draw (``row`` of the design)."""
    weights = weight_matrix(context, np.asarray(row, dtype=np.float64)[None, :])[0]
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
        "weights": weights,
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


def rules_with(rules: Any, value: float, parameter: str = "min_agreement") -> Any:
    """The nominal rules (one spec, or specs by indicator) with ``parameter`` set to ``value``."""
    if rules is None:
        return with_threshold("source", value, parameter)
    if isinstance(rules, Mapping) and "name" not in rules:
        # Rules by indicator: set on each rule that takes the parameter; at least one must.
        changed = {key: _with_parameter(spec, parameter, value) for key, spec in rules.items()}
        if all(spec is None for spec in changed.values()):
            raise TypeError(f"no rule in {dict(rules)!r} takes the parameter {parameter!r}")
        return {key: rules[key] if spec is None else spec for key, spec in changed.items()}
    return with_threshold(rules, value, parameter)


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


def run_chunk(context: Context, design: FloatArray) -> tuple[FloatArray, IntArray, FloatArray]:
    """Scores, level codes and ranks, each draws x units x nodes, for the draws in ``design``.

    Level codes index the node's scale levels (in the scale's order); ``-1`` means
    no level. Ranks are competition ranks among the units (1 = best), ``nan``
    where the node is undefined.
    """
    framework = context.framework
    count = design.shape[0]
    nodes = framework.node_ids
    scores = np.full((count, len(context.units), len(nodes)), np.nan)
    codes = np.full(scores.shape, -1, dtype=np.int64)
    ranks = np.full(scores.shape, np.nan)
    inner = [index for index, node in enumerate(nodes) if not framework.node(node).is_indicator]
    leaves = [index for index, node in enumerate(nodes) if framework.node(node).is_indicator]
    # Chunks of one analysis in one process share their triangulations and score tables.
    cache = _cache_for(context)
    triangulator: _Triangulator = cache.setdefault("triangulator", _Triangulator(context))
    triangulations: dict[Any, Triangulation | None] = cache.setdefault("triangulations", {})
    tables: dict[Any, ScoreTable] = cache.setdefault("tables", {})
    groups: dict[Any, list[int]] = {}
    chosen_for: dict[Any, dict[str, Any]] = {}
    weights_all = weight_matrix(context, design)
    # Draws are grouped by their choice indices, not by the settings they stand for.
    choices = design.astype(np.int64).tolist()
    rule_columns = _columns(context, ("min_agreement", "threshold"))
    found_columns = rule_columns + _columns(context, ("leave_out_evidence", "leave_out_source"))
    scorer_columns = _columns(context, ("scorer", "imputation", "treatment"))
    aggregator_columns = _columns(context, ("aggregator",))
    for row in range(count):
        picked = choices[row]
        found_key = tuple(picked[column] for column in found_columns)
        table_key = (found_key, tuple(picked[column] for column in scorer_columns))
        group_key = (table_key, tuple(picked[column] for column in aggregator_columns))
        if group_key in groups:
            groups[group_key].append(row)
            continue
        groups[group_key] = [row]
        chosen = chosen_for[group_key] = _settings(context, design[row])
        if found_key not in triangulations:
            evidence = _evidence(context.evidence, chosen["evidence"], chosen["source"])
            triangulations[found_key] = (
                triangulator(evidence, chosen["rules"], found_key[: len(rule_columns)])
                if context.data is None or evidence.items or evidence.rejected or evidence.sources
                else None
            )
        if table_key not in tables:
            tables[table_key] = score(
                framework,
                triangulations[found_key],
                chosen["data"],
                scorers=chosen["scorers"],
                units=context.units,
            )
    # Draws sharing their aggregators are aggregated together whatever their score tables
    # (scorer, imputation, treatment, evidence): each row starts from its own table's scores.
    merged: dict[Any, list[Any]] = {}
    for group_key in groups:
        merged.setdefault(group_key[1], []).append(group_key)
    for members in merged.values():
        aggregators = _aggregators(context, chosen_for[members[0]]["aggregators"])
        lookup = aggregator_lookup(framework, aggregators)
        rows = [row for member in members for row in groups[member]]
        member_tables = [tables[member[0]] for member in members]
        first = member_tables[0]
        batched = None
        if all(t.indicators == first.indicators and t.units == first.units for t in member_tables):
            starts = np.concatenate(
                [
                    np.broadcast_to(table.scores, (len(groups[member]), *table.scores.shape))
                    for member, table in zip(members, member_tables, strict=True)
                ]
            )
            batched = _batch(framework, first, lookup, weights_all[rows], context.min_share, starts)
        parts = []
        offset = 0
        for member, table in zip(members, member_tables, strict=True):
            member_rows = groups[member]
            if batched is None:
                part = np.stack(
                    [
                        aggregate(
                            framework,
                            table,
                            aggregators=aggregators,
                            weights=weights_all[row],
                            min_share=context.min_share,
                        ).scores
                        for row in member_rows
                    ]
                )
            else:
                part = batched[offset : offset + len(member_rows)]
            offset += len(member_rows)
            parts.append(part)
        # The members' rows follow each other in ``rows``: fill the group, then write it once.
        group_scores = batched if batched is not None else np.concatenate(parts)
        group_codes = np.empty(group_scores.shape, dtype=np.int64)
        group_ranks = np.empty_like(group_scores)
        group_ranks[:, :, inner] = _ranks(group_scores[:, :, inner])
        offset = 0
        for part, table in zip(parts, member_tables, strict=True):
            span = slice(offset, offset + part.shape[0])
            group_codes[span] = _level_codes(framework, table, part)
            # Indicators' scores are the table's in every draw of the member: rank them once.
            group_ranks[span, :, leaves] = _ranks(part[:1, :, leaves])
            offset = span.stop
        scores[rows] = group_scores
        codes[rows] = group_codes
        ranks[rows] = group_ranks
    return scores, codes, ranks


_CACHES: dict[int, dict[str, Any]] = {}


def _cache_for(context: Context) -> dict[str, Any]:
    """The stage caches of ``context``, dropped when the context is."""
    key = id(context)
    found = _CACHES.get(key)
    if found is None:
        found = _CACHES[key] = {}
        weakref.finalize(context, _CACHES.pop, key, None)
    return found


def _columns(context: Context, kinds: Sequence[str]) -> list[int]:
    return [column for column, item in enumerate(context.inputs) if item.kind in kinds]


def weight_matrix(context: Context, design: FloatArray) -> FloatArray:
    """Every draw's edge weights (draws x edges in edge order), as :func:`_settings` gives them."""
    weights = np.tile(np.array(context.weights), (design.shape[0], 1))
    order = edge_order(context.framework)
    # Dirichlet weights: the gamma variates of a parent's edges, shared out in proportion.
    groups: dict[str, list[int]] = {}
    for column, item in enumerate(context.inputs):
        if item.kind == "dirichlet":
            groups.setdefault(item.nodes[0], []).append(column)
    for columns in groups.values():
        edges = [context.inputs[column].edges[0] for column in columns]
        variates = design[:, columns]
        total = float(np.sum(np.array(context.weights)[edges]))
        weights[:, edges] = total * variates / variates.sum(axis=1, keepdims=True)
    for column, item in enumerate(context.inputs):
        if item.kind == "weight":
            edges = list(item.edges)
            weights[:, edges] = weights[:, edges] * design[:, column : column + 1]
        elif item.kind == "leave_out_indicator":
            picked = design[:, column].astype(np.int64)
            for index, indicator in enumerate(item.choices):
                if indicator is None:
                    continue
                into = np.array(
                    [e for e, (_, child) in enumerate(order) if child == indicator], dtype=np.int64
                )
                rows = np.flatnonzero(picked == index)
                weights[np.ix_(rows, into)] = 0.0
    return weights


class _Triangulator:
    """Triangulation with every (rule, unit, indicator, items left out) assessed once.

    Leaving one item or source out changes only the cells holding it, so a
    draw re-assesses those cells and reuses every other assessment.
    """

    def __init__(self, context: Context) -> None:
        self.context = context
        self.cells: dict[tuple[str, str], list[Any]] = {}
        for item in context.evidence.items:
            self.cells.setdefault((item.unit, item.indicator), []).append(item)
        self.assessed: dict[Any, Any] = {}
        self.rules: dict[Any, Callable[[str], Any]] = {}
        self.full: dict[Any, Triangulation] = {}

    def __call__(self, evidence: EvidenceSet, rules: Any, rules_key: Any) -> Triangulation:
        context, framework = self.context, self.context.framework
        if rules_key not in self.full:
            # The full evidence goes through triangulate itself, which checks the evidence.
            self.full[rules_key] = triangulate(
                framework, context.evidence, rules=rules, units=context.units
            )
            self.rules[rules_key] = rule_lookup(framework, rules)
        full = self.full[rules_key]
        if evidence is context.evidence:
            return full
        kept = {item.id for item in evidence.items}
        rule_for = self.rules[rules_key]
        assessments = dict(full.assessments)
        for (unit, indicator), items in self.cells.items():
            dropped = tuple(item.id for item in items if item.id not in kept)
            if not dropped or unit not in context.units:
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


def _level_codes(framework: Framework, table: ScoreTable, grid: FloatArray) -> IntArray:
    codes = np.full(grid.shape, -1, dtype=np.int64)
    indicators = set(table.indicators)
    for column, node in enumerate(framework.node_ids):
        names = level_names(framework, node)
        if not names:
            continue
        code_of = {name: index for index, name in enumerate(names)}
        if node in indicators:
            fixed = [code_of.get(table.levels[unit, node] or "", -1) for unit in table.units]
            codes[:, :, column] = np.asarray(fixed, dtype=np.int64)
            continue
        scale = framework.scale_of(node)
        values = grid[:, :, column]
        distinct, inverse = np.unique(values, return_inverse=True)
        mapped = np.array([_code(scale, code_of, value) for value in distinct.tolist()])
        codes[:, :, column] = mapped[inverse].reshape(values.shape)
    return codes


def _code(scale: Any, code_of: Mapping[str, int], value: float) -> int:
    if math.isnan(value):
        return -1
    if isinstance(scale, OrdinalScale):
        return code_of[scale.level_for_score(value).id]
    level = scale.level_for_value(value)
    return -1 if level is None else code_of[level.id]


def _ranks(scores: FloatArray) -> FloatArray:
    """Competition ranks among the units per draw and node, as
    :func:`policyeval.ranking.competition_ranks` gives them (scores rounded to
    ``TIE_DIGITS`` decimals, then 1 + the units strictly better)."""
    draws, units, nodes = scores.shape
    rounded = np.round(np.where(np.isnan(scores), -np.inf, scores), TIE_DIGITS)
    lines = rounded.transpose(0, 2, 1).reshape(-1, units)
    order = np.argsort(lines, axis=1, kind="stable")
    ordered = np.take_along_axis(lines, order, axis=1)
    # For each sorted place, the last place holding the same value: its count of values <= it.
    position = np.broadcast_to(np.arange(units), ordered.shape)
    is_last = np.ones(ordered.shape, dtype=bool)
    is_last[:, :-1] = ordered[:, :-1] != ordered[:, 1:]
    last = np.where(is_last, position, units)
    last = np.minimum.accumulate(last[:, ::-1], axis=1)[:, ::-1]
    sorted_ranks = (units - last).astype(np.float64)
    ranks = np.empty_like(lines)
    np.put_along_axis(ranks, order, sorted_ranks, axis=1)
    shaped = ranks.reshape(draws, nodes, units).transpose(0, 2, 1)
    return np.where(np.isnan(scores), np.nan, shaped)


def indicators_with_data(data: NumericData | None) -> Sequence[str]:
    """The indicators that have a column in the data."""
    if data is None:
        return ()
    if isinstance(data, Mapping):
        return tuple(dict.fromkeys(str(i) for row in data.values() for i in row))
    return tuple(str(i) for i in getattr(data, "indicators", getattr(data, "columns", ())))
