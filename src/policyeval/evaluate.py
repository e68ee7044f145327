"""The engine: triangulate, score and aggregate, then write the judgements.

:func:`evaluate` composes the three stages, each usable on its own:
:func:`~policyeval.triangulate.triangulate` (evidence -> one assessment per
unit and indicator), :func:`~policyeval.score.score` (assessments and
numeric data -> a units x indicators score table) and
:func:`~policyeval.aggregate.aggregate` (scores -> every node for every
unit). It then reads each node's level, status and confidence and writes a
:class:`~policyeval.results.Judgement` for every unit and node. The engine
holds no plug-in-specific logic: it only checks that each plug-in returned
what its protocol promises, and says what was expected when it did not.

Missing children: a child without a score is left out and the remaining
weights renormalised; when the children present carry less than
``min_share`` of the node's total child weight, the node is left undefined.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from policyeval._judgements import indicator_judgement, inner_judgement, judgement_grid
from policyeval.aggregate import (
    DEFAULT_MIN_SHARE,
    AggregatorLike,
    NodeScores,
    WeightsLike,
    aggregate,
    combine,
)
from policyeval.evidence import Evidence
from policyeval.evidence_io import EvidenceSet
from policyeval.evidence_table import EvidenceTable
from policyeval.exceptions import InvalidArgument
from policyeval.framework import Framework
from policyeval.protocols import ConfidenceRule
from policyeval.registry import build_aggregator, build_confidence_rule, describe
from policyeval.results import Evaluation, Judgement
from policyeval.score import NumericData, ScorerSpec, cell_grid, score
from policyeval.triangulate import RuleSpec, triangulate

__all__ = ["DEFAULT_MIN_SHARE", "evaluate", "judge", "reaggregate"]


def evaluate(
    framework: Framework,
    evidence: EvidenceSet | Iterable[Evidence] = (),
    *,
    rules: RuleSpec | Mapping[str, RuleSpec] | None = None,
    aggregators: AggregatorLike | Mapping[str, AggregatorLike] | None = None,
    confidence: ConfidenceRule | str | Mapping[str, Any] | None = None,
    units: Sequence[str] | None = None,
    min_share: float = DEFAULT_MIN_SHARE,
    data: NumericData | None = None,
    scorers: ScorerSpec | Mapping[str, ScorerSpec] | None = None,
    weights: WeightsLike | None = None,
) -> Evaluation:
    """Judge every node of ``framework`` for every unit from ``evidence`` and ``data``.

    ``rules`` is one triangulation rule (an object, a registered name, or a
    ``{"name": ..., **params}`` mapping) or a mapping from indicator id to
    rule, where the key ``"*"`` gives the default; the default rule is
    source triangulation. ``aggregators`` overrides the framework's
    aggregators: one aggregator for every inner node, or a mapping from node
    id (or ``"*"``) to aggregator. ``confidence`` is the confidence
    propagation rule (default ``"weakest"``). ``units`` fixes the units and
    their order (default: the units found in the evidence, sorted, then
    those only in the data); a unit without evidence gets ``no_evidence``
    judgements. ``data`` gives numbers per unit and indicator, ``scorers``
    the scorer of each indicator (see :func:`policyeval.score.score`), and
    ``weights`` overrides edge weights (see
    :func:`policyeval.aggregate.edge_weights`).

    >>> from policyeval import frameworks
    >>> fw = frameworks.load("agustino")
    >>> items = [
    ...     Evidence(id="E1", unit="u", indicator="kompetensi", rating="baik",
    ...              source="s1", source_category="asn", technique="interview"),
    ...     Evidence(id="E2", unit="u", indicator="kompetensi", rating="baik",
    ...              source="s2", source_category="dokumen", technique="documentation"),
    ... ]
    >>> result = evaluate(fw, items)
    >>> j = result.judgement("u", "kompetensi")
    >>> j.level, j.score, j.status.value, j.confidence.value, j.evidence
    ('baik', 4.0, 'corroborated', 'high', ('E1', 'E2'))
    >>> result.judgement("u", "program").level  # 1 of 12 indicators is not enough
    """
    if not (isinstance(min_share, int | float) and 0 <= min_share <= 1):
        raise InvalidArgument(f"min_share must be a number in [0, 1], got min_share={min_share!r}")
    if not isinstance(evidence, EvidenceSet):
        kept = evidence if isinstance(evidence, EvidenceTable) else tuple(evidence)
        evidence = EvidenceSet(items=kept)
    found = None
    if data is None or evidence.items or evidence.rejected or evidence.sources:
        found = triangulate(framework, evidence, rules=rules, units=units)
    # With numbers only there is nothing to triangulate: the table is scored from the data.
    table = score(framework, found, data, scorers=scorers, units=units)
    nodes = aggregate(
        framework, table, aggregators=aggregators, weights=weights, min_share=min_share
    )
    confidence_rule = build_confidence_rule(confidence if confidence is not None else "weakest")
    return judge(
        nodes,
        confidence_rule=confidence_rule,
        columnar=isinstance(evidence.items, EvidenceTable),
    )


def judge(
    nodes: NodeScores,
    *,
    confidence_rule: ConfidenceRule | None = None,
    columnar: bool = True,
) -> Evaluation:
    """Turn aggregated scores into an :class:`~policyeval.results.Evaluation`.

    Reads each node's level on its scale, its status and its confidence
    (propagated with ``confidence_rule``, default ``weakest``) from the
    stages' results; nothing is triangulated, scored or aggregated again.
    With ``columnar`` (the default) the verdicts are computed as units x
    nodes arrays and each :class:`~policyeval.results.Judgement` is made
    when it is first read; ``columnar=False`` makes every judgement at once,
    node by node. Both give the same judgements and the same JSON.
    """
    framework, table = nodes.framework, nodes.table
    found = table.triangulation
    confidence_rule = confidence_rule or build_confidence_rule("weakest")
    settings = _settings(nodes, confidence_rule)
    common: dict[str, Any] = {
        "framework": framework,
        "units": nodes.units,
        "evidence": found.evidence if found is not None else (),
        "rejected": found.rejected if found is not None else (),
        "sources": dict(found.sources) if found is not None else {},
        "settings": settings,
        "confidence_rule": confidence_rule,
        "min_share": nodes.min_share,
    }
    if columnar:
        return Evaluation(judgements=judgement_grid(nodes, confidence_rule), **common)
    judgements: dict[tuple[str, str], Judgement] = {}
    order = framework.bottom_up()
    children_of = {node: framework.children(node) for node in framework.inner_nodes}
    column_of = {node: index for index, node in enumerate(nodes.nodes)}
    scores = nodes.scores.tolist()
    shares = nodes.share_present.tolist()
    indicator_column = {indicator: index for index, indicator in enumerate(table.indicators)}
    table_scores, table_values = table.scores.tolist(), table.values.tolist()
    for row, unit in enumerate(nodes.units):
        for node in order:
            if node not in children_of:
                judgements[unit, node] = indicator_judgement(
                    table,
                    unit,
                    node,
                    table_scores[row][indicator_column[node]],
                    table_values[row][indicator_column[node]],
                )
                continue
            number = scores[row][column_of[node]]
            judgements[unit, node] = inner_judgement(
                framework,
                unit,
                node,
                [judgements[unit, child] for child in children_of[node]],
                nodes.weights[node],
                nodes.aggregators[node],
                confidence_rule,
                nodes.min_share,
                None if math.isnan(number) else number,
                shares[row][column_of[node]],
                nodes.reachable.get((unit, node)),
            )
    unit_rank = {unit: index for index, unit in enumerate(nodes.units)}
    rank = {node: index for index, node in enumerate(framework.node_ids)}
    return Evaluation(
        judgements={
            key: judgements[key]
            for key in sorted(judgements, key=lambda key: (unit_rank[key[0]], rank[key[1]]))
        },
        **common,
    )


def _settings(nodes: NodeScores, confidence_rule: ConfidenceRule) -> dict[str, Any]:
    """The plug-ins the evaluation used, by their ``repr``."""
    table = nodes.table
    found = table.triangulation
    settings: dict[str, Any] = {
        "rules": dict(found.rules) if found is not None else {},
        "aggregators": dict(nodes.aggregators),
        "confidence": describe(confidence_rule),
        "min_share": nodes.min_share,
    }
    if (cell_grid(table, "origins") == "data").any() or any(
        text not in ("levels()", "bands()") for text in table.scorers.values()
    ):
        settings["scorers"] = dict(table.scorers)
    return settings


def reaggregate(
    evaluation: Evaluation,
    aggregator: AggregatorLike,
    *,
    node: str | None = None,
    over: str = "children",
) -> dict[str, Judgement]:
    """Recompute one node's verdict with another aggregator, for every unit.

    With ``over="children"`` the node's children keep their judgements and
    only the node's own aggregation changes. With ``over="indicators"`` the
    node aggregates every indicator below it directly, each weighted by the
    product of the edge weights on its paths (summed over paths), skipping
    the intermediate levels. Nothing else is recomputed. Used to show what
    the choice of aggregation means.
    """
    framework = evaluation.framework
    node = node or framework.root
    if node not in framework or framework.node(node).is_indicator:
        raise InvalidArgument(f"node must be an inner node of the framework, got node={node!r}")
    if over not in ("children", "indicators"):
        raise InvalidArgument(f"over must be 'children' or 'indicators', got over={over!r}")
    built = build_aggregator(aggregator)
    confidence_rule = evaluation.confidence_rule or build_confidence_rule("weakest")
    if over == "children":
        weights = {child: framework.weight(node, child) for child in framework.children(node)}
    else:
        weights = _indicator_weights(framework, node)
    units = evaluation.units
    grid = np.array(
        [[_number(evaluation.judgement(unit, child).score) for child in weights] for unit in units],
        dtype=np.float64,
    ).reshape(len(units), len(weights))
    numbers, shares, reached = combine(
        built, grid, tuple(weights.values()), evaluation.min_share, True, units, node
    )
    out = {}
    for row, unit in enumerate(units):
        out[unit] = inner_judgement(
            framework,
            unit,
            node,
            [evaluation.judgement(unit, child) for child in weights],
            list(weights.values()),
            describe(built),
            confidence_rule,
            evaluation.min_share,
            None if np.isnan(numbers[row]) else float(numbers[row]),
            float(shares[row]),
            reached.get(row),
        )
    return out


def _number(value: float | None) -> float:
    return np.nan if value is None else value


def _indicator_weights(framework: Framework, node: str) -> dict[str, float]:
    """Each indicator below ``node``: the product of the edge weights on its paths, summed.

    Pushed down the graph in topological order, so the work is linear in the
    edges however deep the framework or however many paths a DAG has.
    """
    mass: dict[str, float] = {node: 1.0}
    for current in reversed(framework.bottom_up()):
        if current not in mass or framework.node(current).is_indicator:
            continue
        for child in framework.children(current):
            share = mass[current] * framework.weight(current, child)
            mass[child] = mass[child] + share if child in mass else share
    return {i: mass[i] for i in framework.indicators if i in mass and i != node}
