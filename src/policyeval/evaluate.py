"""The engine: triangulate each indicator, then aggregate bottom-up.

:func:`evaluate` is a loop over the framework graph. For each unit it asks a
triangulation rule to assess every indicator's evidence, scores the
indicator from the consensus, then walks up the graph combining children
with each inner node's aggregator and propagating confidence. The engine
holds no plug-in-specific logic: it only checks that each plug-in returned
what its protocol promises, and says what was expected when it did not.

Missing children: a child without a score is left out and the remaining
weights renormalised; when the children present carry less than
``min_share`` of the node's total child weight, the node is left undefined.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from policyeval.evidence import Evidence
from policyeval.evidence_io import EvidenceSet
from policyeval.exceptions import EvidenceError, InvalidArgument, PluginContractError, Problem
from policyeval.framework import AggregatorSpec, Framework
from policyeval.protocols import (
    Aggregator,
    Assessment,
    Confidence,
    ConfidenceRule,
    Status,
    TriangulationRule,
)
from policyeval.registry import build_aggregator, build_confidence_rule, build_rule, describe
from policyeval.results import Evaluation, Judgement
from policyeval.scales import NumericScale, OrdinalScale, Scale

__all__ = ["DEFAULT_MIN_SHARE", "evaluate", "reaggregate"]

DEFAULT_MIN_SHARE = 0.5

RuleSpec = TriangulationRule | str | Mapping[str, Any]
AggregatorLike = Aggregator | str | Mapping[str, Any] | AggregatorSpec


def evaluate(
    framework: Framework,
    evidence: EvidenceSet | Iterable[Evidence],
    *,
    rules: RuleSpec | Mapping[str, RuleSpec] | None = None,
    aggregators: AggregatorLike | Mapping[str, AggregatorLike] | None = None,
    confidence: ConfidenceRule | str | Mapping[str, Any] | None = None,
    units: Sequence[str] | None = None,
    min_share: float = DEFAULT_MIN_SHARE,
) -> Evaluation:
    """Judge every node of ``framework`` for every unit from ``evidence``.

    ``rules`` is one triangulation rule (an object, a registered name, or a
    ``{"name": ..., **params}`` mapping) or a mapping from indicator id to
    rule, where the key ``"*"`` gives the default; the default rule is
    source triangulation. ``aggregators`` overrides the framework's
    aggregators: one aggregator for every inner node, or a mapping from node
    id (or ``"*"``) to aggregator. ``confidence`` is the confidence
    propagation rule (default ``"weakest"``). ``units`` fixes the units and
    their order (default: the units found in the evidence, sorted); a unit
    without evidence gets ``no_evidence`` judgements.

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
    if isinstance(evidence, EvidenceSet):
        items, rejected, sources = evidence.items, evidence.rejected, evidence.sources
    else:
        items, rejected, sources = tuple(evidence), (), {}
    _check_evidence(framework, items)
    rule_for = _rule_lookup(framework, rules)
    aggregator_for = _aggregator_lookup(framework, aggregators)
    confidence_rule = build_confidence_rule(confidence if confidence is not None else "weakest")
    unit_ids = tuple(units) if units is not None else tuple(sorted({i.unit for i in items}))
    if units is not None:
        unknown = sorted({i.unit for i in items} - set(unit_ids))
        if unknown:
            raise InvalidArgument(
                f"evidence names units not in units={list(unit_ids)!r}: {unknown!r}"
            )

    grouped: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for item in items:
        grouped[item.unit, item.indicator].append(item)

    order = framework.bottom_up()
    judgements: dict[tuple[str, str], Judgement] = {}
    for unit in unit_ids:
        for node in order:
            if framework.node(node).is_indicator:
                judgements[unit, node] = _judge_indicator(
                    framework, unit, node, grouped.get((unit, node), []), rule_for(node)
                )
            else:
                children = framework.children(node)
                judgements[unit, node] = _judge_inner(
                    framework,
                    unit,
                    node,
                    [judgements[unit, child] for child in children],
                    [framework.weight(node, child) for child in children],
                    aggregator_for(node),
                    confidence_rule,
                    min_share,
                )
    settings = {
        "rules": {node: describe(rule_for(node)) for node in framework.indicators},
        "aggregators": {node: describe(aggregator_for(node)) for node in framework.inner_nodes},
        "confidence": describe(confidence_rule),
        "min_share": float(min_share),
    }
    return Evaluation(
        framework=framework,
        units=unit_ids,
        judgements={
            key: judgements[key] for key in sorted(judgements, key=_order_key(framework, unit_ids))
        },
        evidence=items,
        rejected=tuple(rejected),
        sources=dict(sources),
        settings=settings,
        confidence_rule=confidence_rule,
        min_share=float(min_share),
    )


def _order_key(framework: Framework, units: Sequence[str]) -> Any:
    unit_rank = {unit: index for index, unit in enumerate(units)}
    node_rank = {node: index for index, node in enumerate(framework.node_ids)}
    return lambda key: (unit_rank[key[0]], node_rank[key[1]])


def _check_evidence(framework: Framework, items: Sequence[Evidence]) -> None:
    problems = []
    seen: set[str] = set()
    for item in items:
        file = item.origin.file if item.origin else None
        row = item.origin.row if item.origin else None
        if item.id in seen:
            problems.append(
                Problem("duplicate evidence id", file=file, row=row, key="id", value=item.id)
            )
        seen.add(item.id)
        if item.indicator not in framework:
            problems.append(
                Problem(
                    f"evidence {item.id!r}: unknown indicator",
                    file=file,
                    row=row,
                    key="indicator",
                    value=item.indicator,
                )
            )
        elif not framework.node(item.indicator).is_indicator:
            problems.append(
                Problem(
                    f"evidence {item.id!r}: {item.indicator!r} is not an indicator",
                    file=file,
                    row=row,
                    key="indicator",
                    value=item.indicator,
                )
            )
    if problems:
        raise EvidenceError(problems)


def _rule_lookup(framework: Framework, rules: RuleSpec | Mapping[str, RuleSpec] | None) -> Any:
    if rules is None:
        rules = "source"
    if isinstance(rules, Mapping) and "name" not in rules:
        unknown = sorted(set(rules) - set(framework.indicators) - {"*"})
        if unknown:
            raise InvalidArgument(f"rules name nodes that are not indicators: {unknown!r}")
        built = {key: build_rule(spec) for key, spec in rules.items()}
        default = built.get("*") or build_rule("source")
        return lambda node: built.get(node, default)
    rule = build_rule(rules)
    return lambda node: rule


def _aggregator_lookup(
    framework: Framework, aggregators: AggregatorLike | Mapping[str, AggregatorLike] | None
) -> Any:
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
    from_framework = {
        node: build_aggregator(framework.aggregator_of(node)) for node in framework.inner_nodes
    }

    def lookup(node: str) -> Aggregator:
        return overrides.get(node) or default or from_framework[node]

    return lookup


def _score_for(
    scale: Scale | None, assessment: Assessment, node: str
) -> tuple[str | None, float | None]:
    """The level and score an assessment gives an indicator on its scale."""
    if assessment.status is Status.NO_EVIDENCE:
        return None, None
    if isinstance(scale, OrdinalScale):
        if assessment.rating is None:
            return None, None
        return assessment.rating, scale.get(assessment.rating).score
    if isinstance(scale, NumericScale):
        if assessment.value is None:
            return assessment.rating, None
        level = scale.level_for_value(assessment.value)
        if level is not None:
            return level.id, level.score
        return None, assessment.value
    raise PluginContractError(f"indicator {node!r} has no scale")


def _judge_indicator(
    framework: Framework,
    unit: str,
    node: str,
    items: Sequence[Evidence],
    rule: TriangulationRule,
) -> Judgement:
    scale = framework.scale_of(node)
    assert scale is not None  # validated: every indicator has a scale
    assessment = rule(tuple(items), scale)
    if not isinstance(assessment, Assessment):
        raise PluginContractError(
            f"triangulation rule {rule!r} returned {type(assessment).__name__} for indicator "
            f"{node!r}; expected a policyeval.protocols.Assessment"
        )
    given = {item.id for item in items}
    if not set(assessment.evidence) <= given or not set(assessment.agreeing) <= given:
        raise PluginContractError(
            f"triangulation rule {rule!r} cites evidence it was not given for indicator {node!r}: "
            f"{sorted((set(assessment.evidence) | set(assessment.agreeing)) - given)!r}"
        )
    if (
        isinstance(scale, OrdinalScale)
        and assessment.rating is not None
        and scale.find(assessment.rating) is None
    ):
        raise PluginContractError(
            f"triangulation rule {rule!r} returned rating {assessment.rating!r}, not a level of "
            f"scale {scale.id!r}"
        )
    if items and not assessment.evidence:
        raise PluginContractError(
            f"triangulation rule {rule!r} lists no evidence for indicator {node!r} although it was given {len(items)} items"
        )
    level, score = _score_for(scale, assessment, node)
    return Judgement(
        unit=unit,
        node=node,
        kind=framework.node(node).kind,
        level=level,
        score=score,
        confidence=assessment.confidence if score is not None or level is not None else None,
        status=assessment.status,
        evidence=assessment.evidence,
        explanation=assessment.explanation or f"{len(items)} evidence items",
        value=assessment.value,
        assessment=assessment,
    )


def _judge_inner(
    framework: Framework,
    unit: str,
    node: str,
    children: Sequence[Judgement],
    child_weights: Sequence[float],
    aggregator: Aggregator,
    confidence_rule: ConfidenceRule,
    min_share: float,
) -> Judgement:
    child_ids = tuple(child.node for child in children)
    weights = tuple(child_weights)
    evidence = tuple(sorted({i for child in children for i in child.evidence}))
    total = sum(weights)
    present = [
        (child, w) for child, w in zip(children, weights, strict=True) if child.score is not None
    ]
    present_weight = sum(w for _, w in present)
    share = present_weight / total if total > 0 else 0.0
    kind = framework.node(node).kind
    common: dict[str, Any] = {
        "unit": unit,
        "node": node,
        "kind": kind,
        "evidence": evidence,
        "children": child_ids,
        "weights": weights,
        "aggregator": describe(aggregator),
        "share_present": share,
    }
    if present_weight <= 0 or share < min_share:
        return Judgement(
            level=None,
            score=None,
            confidence=None,
            status=Status.NO_EVIDENCE,
            explanation=(
                f"undefined: children with a score carry {share:.0%} of the weight, "
                f"below the minimum share {min_share:.0%}"
            ),
            **common,
        )
    values = [float(child.score) for child, _ in present if child.score is not None]
    present_weights = [w for _, w in present]
    score = aggregator(values, present_weights)
    if not isinstance(score, int | float) or isinstance(score, bool) or not math.isfinite(score):
        raise PluginContractError(
            f"aggregator {aggregator!r} returned {score!r} for node {node!r} from values "
            f"{values!r} and weights {present_weights!r}; expected a finite number"
        )
    score = float(score)
    scale = framework.scale_of(node)
    level = None
    if isinstance(scale, OrdinalScale):
        level = scale.level_for_score(score).id
    elif isinstance(scale, NumericScale):
        banded = scale.level_for_value(score)
        level = banded.id if banded else None
    positive = [(child, w) for child, w in present if w > 0]
    status = min((child.status for child, _ in positive), default=Status.NO_EVIDENCE)
    missing = [
        child.node
        for child, w in zip(children, weights, strict=True)
        if child.score is None and w > 0
    ]
    if missing:
        status = min(status, Status.PARTIALLY_CORROBORATED)
    confidence = confidence_rule([child.confidence for child, _ in present], present_weights)
    if confidence is not None and not isinstance(confidence, Confidence):
        raise PluginContractError(
            f"confidence rule {confidence_rule!r} returned {confidence!r} for node {node!r}; "
            "expected a policyeval.protocols.Confidence or None"
        )
    level_text = f" -> {level}" if level else ""
    explanation = f"{aggregator!r} of {len(values)} children = {score:.2f}{level_text}" + (
        f"; missing: {', '.join(missing)} (weights renormalised)" if missing else ""
    )
    return Judgement(
        level=level,
        score=score,
        confidence=confidence,
        status=status,
        explanation=explanation,
        **common,
    )


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
    min_share = evaluation.min_share
    out = {}
    for unit in evaluation.units:
        if over == "children":
            weights = {child: framework.weight(node, child) for child in framework.children(node)}
        else:
            weights = _indicator_weights(framework, node)
        children = [evaluation.judgement(unit, child) for child in weights]
        out[unit] = _judge_inner(
            framework,
            unit,
            node,
            children,
            list(weights.values()),
            built,
            confidence_rule,
            min_share,
        )
    return out


def _indicator_weights(framework: Framework, node: str) -> dict[str, float]:
    weights: dict[str, float] = {}

    def walk(current: str, product: float) -> None:
        for child in framework.children(current):
            w = product * framework.weight(current, child)
            if framework.node(child).is_indicator:
                weights[child] = weights.get(child, 0.0) + w
            else:
                walk(child, w)

    walk(node, 1.0)
    return {i: weights[i] for i in framework.indicators if i in weights}
