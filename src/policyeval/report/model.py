"""The report model: everything a report shows, assembled once from a case result.

:func:`build_report` turns a :class:`~policyeval.case.CaseResult` into a
:class:`Report` of plain, already-translated values (labels, formatted
scores, counts, rows), so the text, Markdown and HTML renderers only lay
them out. Nothing here depends on how a report is drawn.

>>> from policyeval.report._examples import two_unit_result
>>> report = build_report(two_unit_result(), lang="en")
>>> [(unit.label, unit.verdict.level_text) for unit in report.units]
[('North', 'Good'), ('South', 'Fair')]
>>> [r.label for r in report.units[1].recommendations]
['Staffing | headcount', 'People']
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from policyeval.case import CaseResult
from policyeval.evidence import Evidence, Source
from policyeval.framework import Framework
from policyeval.registry import build_aggregator, build_confidence_rule, build_rule, describe
from policyeval.report._strings import humanise, kind_text, technique_text, text
from policyeval.report.charts import level_colour
from policyeval.report.compare import Comparison, compare
from policyeval.results import Judgement
from policyeval.scales import Level, NumericScale, OrdinalScale

__all__ = [
    "AlternativeRow",
    "CheckView",
    "EvidenceView",
    "FindingView",
    "IndicatorEvidence",
    "LevelView",
    "MethodItem",
    "NodeRow",
    "Recommendation",
    "RejectedRow",
    "Report",
    "UnitReport",
    "build_report",
    "format_score",
]


def format_score(score: float | None, digits: int = 2) -> str:
    """A score with fixed decimals, or an en dash when there is none.

    >>> format_score(2.6), format_score(None), format_score(58.4, 1)
    ('2.60', '–', '58.4')
    """
    return "–" if score is None else f"{score:.{digits}f}"


@attrs.frozen(kw_only=True)
class LevelView:
    """A level of the root's scale, for legends: id, label, score, description, fill."""

    id: str
    label: str
    score: float
    description: str
    colour: str


@attrs.frozen(kw_only=True)
class NodeRow:
    """One node's judgement for one unit, translated and formatted.

    ``technique_counts`` and ``category_counts`` are ``(name, items)`` pairs
    over every evidence item the node's judgement considered (indicators
    only); ``agreeing`` counts the items that agree with the consensus.
    """

    id: str
    kind: str
    label: str
    depth: int
    parents: tuple[str, ...]
    parent_label: str
    level: str | None
    level_text: str
    score: float | None
    score_text: str
    value_text: str | None
    confidence: str | None
    confidence_text: str
    status: str
    status_text: str
    colour: str
    explanation: str
    evidence: int = 0
    agreeing: int = 0
    technique_counts: tuple[tuple[str, int], ...] = ()
    category_counts: tuple[tuple[str, int], ...] = ()


@attrs.frozen(kw_only=True)
class EvidenceView:
    """One evidence item as a report shows it."""

    id: str
    agrees: bool
    said: str
    source: str
    category: str
    technique: str
    date: str | None
    citation: str | None
    excerpt: str | None
    origin: str | None


@attrs.frozen(kw_only=True)
class IndicatorEvidence:
    """An indicator's evidence items, those agreeing with the consensus first."""

    id: str
    label: str
    level_text: str
    status_text: str
    items: tuple[EvidenceView, ...]


@attrs.frozen(kw_only=True)
class Recommendation:
    """A node judged below the threshold, with the framework's advice for it."""

    id: str
    kind: str
    kind_text: str
    label: str
    level_text: str
    score_text: str
    weight: float
    text: str


@attrs.frozen(kw_only=True)
class UnitReport:
    """Everything the report says about one unit."""

    id: str
    label: str
    key: str
    verdict: NodeRow
    verdict_sentence: str
    dimensions: tuple[NodeRow, ...]
    top: tuple[NodeRow, ...]
    indicators: tuple[NodeRow, ...]
    nodes: tuple[NodeRow, ...]
    techniques: tuple[str, ...]
    categories: tuple[str, ...]
    by_technique: tuple[tuple[tuple[int, int], ...], ...]
    by_category: tuple[tuple[tuple[int, int], ...], ...]
    evidence: tuple[IndicatorEvidence, ...]
    recommendations: tuple[Recommendation, ...]


@attrs.frozen(kw_only=True)
class FindingView:
    """One data-check finding: message, file and row."""

    message: str
    file: str | None
    row: int | None


@attrs.frozen(kw_only=True)
class CheckView:
    """One data check's outcome."""

    id: str
    kind: str
    passed: bool
    result_text: str
    why: str
    tables: tuple[str, ...]
    findings: tuple[FindingView, ...]


@attrs.frozen(kw_only=True)
class AlternativeRow:
    """A verdict under one aggregation (the case's own first), per unit."""

    id: str
    label: str
    node_label: str
    aggregator: str
    over_text: str
    why: str
    declared: bool
    verdicts: tuple[tuple[str, str], ...]


@attrs.frozen(kw_only=True)
class MethodItem:
    """A methodological choice: what was chosen and why."""

    title: str
    choice: str
    why: str
    details: tuple[tuple[str, str], ...] = ()


@attrs.frozen(kw_only=True)
class RejectedRow:
    """An evidence row that was not used, and why."""

    file: str
    row: str
    id: str
    column: str
    reason: str


@attrs.frozen(kw_only=True)
class Report:
    """A case result ready to render in one language (see :func:`build_report`)."""

    lang: str
    title: str
    description: str
    period: str | None
    framework_title: str
    framework_id: str
    root_label: str
    levels: tuple[LevelView, ...]
    minimum: float
    maximum: float
    threshold_text: str
    units: tuple[UnitReport, ...]
    comparison: Comparison | None
    checks: tuple[CheckView, ...]
    alternatives: tuple[AlternativeRow, ...]
    method: tuple[MethodItem, ...]
    rejected: tuple[RejectedRow, ...]
    case_citation: str | None
    framework_citation: str | None
    references: tuple[str, ...]

    def t(self, key: str, **values: object) -> str:
        """A piece of report text in the report's language."""
        return text(key, self.lang, **values)

    @property
    def failed_checks(self) -> int:
        """How many data checks found something."""
        return sum(not check.passed for check in self.checks)


# --- helpers -------------------------------------------------------------------------------


def _ordinal(scale: object) -> OrdinalScale | None:
    if isinstance(scale, NumericScale):
        return scale.levels
    return scale if isinstance(scale, OrdinalScale) else None


def _level(
    framework: Framework, node: str, level_id: str | None
) -> tuple[Level, OrdinalScale] | None:
    if level_id is None:
        return None
    for scale in (framework.scale_of(node), framework.scale_of(framework.root)):
        ordinal = _ordinal(scale)
        if ordinal is not None:
            found = ordinal.find(level_id)
            if found is not None:
                return found, ordinal
    return None


def _level_text(framework: Framework, node: str, level_id: str | None, lang: str) -> str:
    found = _level(framework, node, level_id)
    if found is None:
        return level_id or text("undefined", lang)
    return found[0].text(lang, fallback=framework.default_language)


def _colour(framework: Framework, node: str, level_id: str | None) -> str:
    found = _level(framework, node, level_id)
    if found is None:
        return level_colour(None, 0)
    level, scale = found
    ascending = [item.id for item in scale.ascending]
    return level_colour(ascending.index(level.id), len(ascending))


def _value_text(framework: Framework, node: str, value: float | None) -> str | None:
    if value is None:
        return None
    scale = framework.scale_of(node)
    unit = scale.unit if isinstance(scale, NumericScale) else None
    number = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    return f"{number} {unit}".strip() if unit else number


def _first_parent(framework: Framework, node: str) -> str | None:
    parents = framework.parents(node)
    return parents[0] if parents else None


def _node_row(
    framework: Framework,
    judgement: Judgement,
    lang: str,
    depth: int,
    items: Sequence[Evidence] = (),
) -> NodeRow:
    node = judgement.node
    parent = _first_parent(framework, node)
    agreeing = set(judgement.assessment.agreeing) if judgement.assessment else set()
    techniques = Counter(item.technique for item in items)
    categories = Counter(item.category for item in items)
    confidence = None if judgement.confidence is None else judgement.confidence.value
    return NodeRow(
        id=node,
        kind=judgement.kind,
        label=framework.label(node, lang),
        depth=depth,
        parents=framework.parents(node),
        parent_label="" if parent is None else framework.label(parent, lang),
        level=judgement.level,
        level_text=_level_text(framework, node, judgement.level, lang),
        score=judgement.score,
        score_text=format_score(judgement.score),
        value_text=_value_text(framework, node, judgement.value),
        confidence=confidence,
        confidence_text="–" if confidence is None else text(f"confidence.{confidence}", lang),
        status=judgement.status.value,
        status_text=text(f"status.{judgement.status.value}", lang),
        colour=_colour(framework, node, judgement.level),
        explanation=judgement.explanation,
        evidence=len(items),
        agreeing=sum(item.id in agreeing for item in items),
        technique_counts=tuple(
            (technique_text(name, lang), count) for name, count in sorted(techniques.items())
        ),
        category_counts=tuple(
            (humanise(name), count) for name, count in sorted(categories.items())
        ),
    )


def _sources(result: CaseResult) -> Mapping[str, Source]:
    return result.evaluation.sources


def _evidence_view(
    framework: Framework,
    item: Evidence,
    agrees: bool,
    lang: str,
    sources: Mapping[str, Source],
) -> EvidenceView:
    if item.rating is not None:
        said = _level_text(framework, item.indicator, item.rating, lang)
    else:
        said = _value_text(framework, item.indicator, item.value) or ""
    excerpt = item.excerpt
    translated = item.extra.get(f"excerpt_{lang}")
    if lang != "id" and isinstance(translated, str) and translated.strip():
        excerpt = translated
    source = sources.get(item.source)
    return EvidenceView(
        id=item.id,
        agrees=agrees,
        said=said,
        source=(source.name if source is not None and source.name else item.source),
        category=humanise(item.category),
        technique=technique_text(item.technique, lang),
        date=None if item.date is None else item.date.isoformat(),
        citation=item.citation,
        excerpt=excerpt,
        origin=None if item.origin is None else str(item.origin),
    )


def _relative(path: str | None, base: Path) -> str | None:
    """A data file's path relative to the case folder, so reports do not depend on where they ran."""
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
    except (ValueError, OSError):
        return Path(path).as_posix()


def _threshold(framework: Framework, below: str | None) -> Level | None:
    scale = _ordinal(framework.scale_of(framework.root))
    if scale is None:
        return None
    if below is not None:
        found = scale.find(below)
        if found is not None:
            return found
    return scale.best


def _incoming_weight(framework: Framework, node: str) -> float:
    parents = framework.parents(node)
    return max((framework.weight(parent, node) for parent in parents), default=1.0)


def _recommendations(
    framework: Framework, rows: Sequence[NodeRow], threshold: Level | None, lang: str
) -> tuple[Recommendation, ...]:
    if threshold is None:
        return ()
    picked = []
    for order, row in enumerate(rows):
        advice = framework.node(row.id).recommendation
        if not advice or row.score is None:
            continue
        found = _level(framework, row.id, row.level)
        score = found[0].score if found is not None else row.score
        if score >= threshold.score:
            continue
        weight = _incoming_weight(framework, row.id)
        picked.append(
            (
                (row.score, -weight, order),
                Recommendation(
                    id=row.id,
                    kind=row.kind,
                    kind_text=kind_text(row.kind, lang),
                    label=row.label,
                    level_text=row.level_text,
                    score_text=row.score_text,
                    weight=weight,
                    text=framework.text(advice, lang),
                ),
            )
        )
    return tuple(recommendation for _, recommendation in sorted(picked, key=lambda p: p[0]))


def _matrix(
    indicators: Sequence[str],
    items_of: Mapping[str, Sequence[Evidence]],
    agreeing_of: Mapping[str, set[str]],
    column_of: str,
) -> tuple[tuple[str, ...], tuple[tuple[tuple[int, int], ...], ...]]:
    def key(item: Evidence) -> str:
        return item.technique if column_of == "technique" else item.category

    columns = tuple(sorted({key(item) for node in indicators for item in items_of[node]}))
    cells = tuple(
        tuple(
            (
                sum(key(i) == column and i.id in agreeing_of[node] for i in items_of[node]),
                sum(key(i) == column for i in items_of[node]),
            )
            for column in columns
        )
        for node in indicators
    )
    return columns, cells


def _unit_key(unit: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in unit.casefold()).strip("-")
    return cleaned or "unit"


def _unit_report(
    result: CaseResult,
    unit: str,
    lang: str,
    threshold: Level | None,
    sources: Mapping[str, Source],
    index: int,
) -> UnitReport:
    framework = result.evaluation.framework
    evaluation = result.evaluation
    labels = {item.id: item for item in result.case.units}
    root = framework.root
    items = [item for item in evaluation.evidence if item.unit == unit]
    by_id = {item.id: item for item in items}
    order = framework.top_down()
    depth = {node: framework.depth(node) for node in order}
    items_of: dict[str, tuple[Evidence, ...]] = {}
    agreeing_of: dict[str, set[str]] = {}
    rows: dict[str, NodeRow] = {}
    for node in order:
        judgement = evaluation.judgement(unit, node)
        if framework.node(node).is_indicator:
            items_of[node] = tuple(by_id[i] for i in judgement.evidence if i in by_id)
            agreeing_of[node] = (
                set(judgement.assessment.agreeing) if judgement.assessment else set()
            )
        rows[node] = _node_row(framework, judgement, lang, depth[node], items_of.get(node, ()))
    indicators = tuple(node for node in order if framework.node(node).is_indicator)
    techniques, by_technique = _matrix(indicators, items_of, agreeing_of, "technique")
    categories, by_category = _matrix(indicators, items_of, agreeing_of, "category")
    evidence = []
    for node in indicators:
        agreeing = agreeing_of[node]
        listed = sorted(items_of[node], key=lambda item: item.id not in agreeing)
        evidence.append(
            IndicatorEvidence(
                id=node,
                label=rows[node].label,
                level_text=rows[node].level_text,
                status_text=rows[node].status_text,
                items=tuple(
                    _evidence_view(framework, item, item.id in agreeing, lang, sources)
                    for item in listed
                ),
            )
        )
    verdict = rows[root]
    scale = _ordinal(framework.scale_of(root))
    sentence = text(
        "verdict_sentence",
        lang,
        node=verdict.label,
        level=verdict.level_text,
        score=verdict.score_text,
        minimum=format_score(scale.minimum if scale else None, 0),
        maximum=format_score(scale.maximum if scale else None, 0),
        confidence=verdict.confidence_text,
        status=verdict.status_text,
    )
    unit_label = labels[unit].text(lang) if unit in labels else unit
    return UnitReport(
        id=unit,
        label=unit_label,
        key=f"u{index + 1}-{_unit_key(unit)}",
        verdict=verdict,
        verdict_sentence=sentence,
        dimensions=tuple(rows[n] for n in order if n != root and n not in indicators),
        top=tuple(rows[n] for n in framework.children(root)),
        indicators=tuple(rows[n] for n in indicators),
        nodes=tuple(rows[n] for n in order),
        techniques=tuple(technique_text(name, lang) for name in techniques),
        categories=tuple(humanise(name) for name in categories),
        by_technique=by_technique,
        by_category=by_category,
        evidence=tuple(evidence),
        recommendations=_recommendations(framework, [rows[n] for n in order], threshold, lang),
    )


def _alternatives(result: CaseResult, lang: str) -> tuple[AlternativeRow, ...]:
    framework = result.evaluation.framework
    evaluation = result.evaluation
    rows: list[AlternativeRow] = []
    seen: list[str] = []
    for alternative in result.alternatives:
        node = alternative.node
        if node not in seen:
            seen.append(node)
            declared = evaluation.judgement(evaluation.units[0], node)
            rows.append(
                AlternativeRow(
                    id="declared",
                    label=text("as_declared", lang),
                    node_label=framework.label(node, lang),
                    aggregator=declared.aggregator or "",
                    over_text=text("over_children", lang),
                    why=result.case.aggregation_why or "",
                    declared=True,
                    verdicts=tuple(
                        _verdict(framework, evaluation.judgement(unit, node), lang)
                        for unit in evaluation.units
                    ),
                )
            )
        spec = alternative.alternative
        rows.append(
            AlternativeRow(
                id=spec.id,
                label=framework.text(spec.label, lang) if spec.label else spec.id,
                node_label=framework.label(node, lang),
                aggregator=str(alternative.as_dict()["aggregator"]),
                over_text=text(f"over_{spec.over}", lang),
                why=spec.why or "",
                declared=False,
                verdicts=tuple(
                    _verdict(framework, alternative.judgements[unit], lang)
                    if unit in alternative.judgements
                    else (text("undefined", lang), "–")
                    for unit in evaluation.units
                ),
            )
        )
    return tuple(rows)


def _verdict(framework: Framework, judgement: Judgement, lang: str) -> tuple[str, str]:
    return (
        _level_text(framework, judgement.node, judgement.level, lang),
        format_score(judgement.score),
    )


def _method(result: CaseResult, lang: str) -> tuple[MethodItem, ...]:
    case = result.case
    framework = result.evaluation.framework
    no_reason = text("no_reason", lang)
    rule_details = tuple(
        (framework.label(node, lang), describe(build_rule(spec)))
        for node, spec in sorted(case.rule_overrides.items())
    )
    aggregator = build_aggregator(
        case.aggregator if case.aggregator is not None else framework.default_aggregator
    )
    used = tuple(
        (framework.label(node, lang), result.evaluation.judgement(unit, node).aggregator or "")
        for unit in result.evaluation.units[:1]
        for node in framework.top_down()
        if not framework.node(node).is_indicator
    )
    aggregator_details = used if len({choice for _, choice in used}) > 1 else ()
    share = f"{result.evaluation.min_share:.0%}"
    return (
        MethodItem(
            title=text("rule", lang),
            choice=describe(build_rule(case.rule)),
            why=case.rule_why or no_reason,
            details=rule_details,
        ),
        MethodItem(
            title=text("aggregation_choice", lang),
            choice=describe(aggregator),
            why=(case.aggregation_why or no_reason) + " " + text("min_share", lang, share=share),
            details=aggregator_details,
        ),
        MethodItem(
            title=text("confidence_rule", lang),
            choice=describe(build_confidence_rule(case.confidence)),
            why=case.confidence_why or no_reason,
        ),
    )


def build_report(result: CaseResult, *, lang: str | None = None) -> Report:
    """Assemble the report model of a case result in ``lang`` (default: the case's language).

    >>> from policyeval.report._examples import two_unit_result
    >>> report = build_report(two_unit_result(), lang="id")
    >>> report.units[0].verdict_sentence
    'Program: Baik (skor 3.00 pada rentang 1–3), keyakinan rendah, satu sumber.'
    """
    lang = lang or result.case.language
    case = result.case
    evaluation = result.evaluation
    framework = evaluation.framework
    root_scale = _ordinal(framework.scale_of(framework.root))
    levels: tuple[LevelView, ...] = ()
    if root_scale is not None:
        ascending = root_scale.ascending
        levels = tuple(
            LevelView(
                id=level.id,
                label=level.text(lang, fallback=framework.default_language),
                score=level.score,
                description=framework.text(level.description, lang) if level.description else "",
                colour=level_colour(index, len(ascending)),
            )
            for index, level in reversed(list(enumerate(ascending)))
        )
    threshold = _threshold(framework, case.recommend_below)
    sources = _sources(result)
    units = tuple(
        _unit_report(result, unit, lang, threshold, sources, index)
        for index, unit in enumerate(evaluation.units)
    )
    checks = tuple(
        CheckView(
            id=check.id,
            kind=check.kind,
            passed=check.passed,
            result_text=text("passed" if check.passed else "failed", lang),
            why=check.why or "",
            tables=tuple(_relative(table, case.path) or table for table in check.tables),
            findings=tuple(
                FindingView(
                    message=finding.message,
                    file=_relative(finding.file, case.path),
                    row=finding.row,
                )
                for finding in check.findings
            ),
        )
        for check in sorted(result.data_checks, key=lambda check: check.passed)
    )
    rejected = tuple(
        RejectedRow(
            file=_relative(rejection.file, case.path) or "",
            row="" if rejection.row is None else str(rejection.row),
            id=rejection.id or "",
            column=rejection.column or "",
            reason=rejection.reason,
        )
        for rejection in evaluation.rejected
    )
    return Report(
        lang=lang,
        title=case.title_text(lang),
        description=case.description.get(lang)
        or case.description.get(case.language)
        or next(iter(case.description.values()), ""),
        period=case.period,
        framework_title=framework.text(framework.title, lang) or framework.id,
        framework_id=framework.id,
        root_label=framework.label(framework.root, lang),
        levels=levels,
        minimum=root_scale.minimum if root_scale else 0.0,
        maximum=root_scale.maximum if root_scale else 1.0,
        threshold_text=(
            "" if threshold is None else threshold.text(lang, fallback=framework.default_language)
        ),
        units=units,
        comparison=compare([result]) if len(units) > 1 else None,
        checks=checks,
        alternatives=_alternatives(result, lang),
        method=_method(result, lang),
        rejected=rejected,
        case_citation=case.citation,
        framework_citation=framework.citation,
        references=framework.references,
    )
