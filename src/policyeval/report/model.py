"""The report model: everything a report shows, assembled once from a result.

:func:`build_report` turns a :class:`~policyeval.case.CaseResult`, or any
:class:`~policyeval.results.Evaluation` (the case's title, data checks and
alternatives are then simply absent), into a :class:`Report` of plain,
already-translated values (labels, formatted scores, counts, rows), so the
text, Markdown and HTML renderers only lay them out. The method section
reads the plug-ins recorded in the evaluation's settings; nothing is
rebuilt from the registry. Nothing here depends on how a report is drawn.

>>> from policyeval.report._examples import two_unit_result
>>> report = build_report(two_unit_result(), lang="en")
>>> [(unit.label, unit.verdict.level_text) for unit in report.units]
[('North', 'Good'), ('South', 'Fair')]
>>> [r.label for r in report.units[1].recommendations]
['Staffing | headcount', 'People', 'Programme']
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from policyeval.case import Case, CaseResult
from policyeval.evidence import Evidence, Source
from policyeval.evidence_table import items_of_unit
from policyeval.framework import Framework
from policyeval.locales import translate
from policyeval.protocols import Status
from policyeval.report._input import Reportable, chosen_units, parts
from policyeval.report._strings import humanise, kind_text, technique_text, text
from policyeval.report.charts import level_colour
from policyeval.report.compare import Comparison, compare
from policyeval.report.explain import indicator_reason
from policyeval.reported import AGREEMENTS, Agreement
from policyeval.results import Evaluation, Judgement
from policyeval.scales import Level, NumericScale, OrdinalScale
from policyeval.texts import Text, pick_text

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
    "ReportedRow",
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
    ``parent_label`` names every parent (a shared indicator has several).
    ``status_from`` is the label of the part an inner node took its status
    from (empty when the status is its own); ``status_text`` names it when
    the status is below corroborated.
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
    status_from: str = ""


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
    concerns: tuple[str, ...] = ()
    coder_agreement: str | None = None


@attrs.frozen(kw_only=True)
class Recommendation:
    """A node judged below the threshold, with the advice for it.

    ``origin`` says where the advice comes from: ``"case"`` (the case's
    ``[report.recommendations]``), ``"framework"`` (the node's
    ``recommendation``), or ``"generic"`` (a general line, where neither
    has a text).
    """

    id: str
    kind: str
    kind_text: str
    label: str
    level_text: str
    score_text: str
    weight: float
    text: str
    origin: str = "framework"


@attrs.frozen(kw_only=True)
class ReportedRow:
    """A verdict the evaluated study states, beside the evidence-based one, and why they differ."""

    id: str
    label: str
    depth: int
    reported_text: str
    level_text: str
    confidence_text: str
    agreement: str
    agreement_text: str
    citation: str
    reason: str


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
    reported_summary: str = ""
    reported: tuple[ReportedRow, ...] = ()
    tree: tuple[NodeRow, ...] = ()
    """Every node under each of its parents, in preorder, with the depth of that path."""


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
    """A result ready to render in one language (see :func:`build_report`)."""

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


def _judged_level_text(framework: Framework, judgement: Judgement, lang: str) -> str:
    """The judgement's level, or nothing when a node without levels has a score: the score says it."""
    if judgement.level is None and judgement.score is not None:
        return ""
    return _level_text(framework, judgement.node, judgement.level, lang)


def _score_range(framework: Framework) -> tuple[float | None, float | None]:
    """The root's score range: its levels' scores, or the bounds of its numeric scale."""
    scale = framework.scale_of(framework.root)
    ordinal = _ordinal(scale)
    if ordinal is not None:
        return ordinal.minimum, ordinal.maximum
    if isinstance(scale, NumericScale):
        return scale.minimum, scale.maximum
    return None, None


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
    if number in ("0", "-0") and value != 0:
        number = f"{value:.2g}"  # a small statistic (a share of GDP) is not zero
    return f"{number} {unit}".strip() if unit else number


def _node_row(
    framework: Framework,
    judgement: Judgement,
    lang: str,
    depth: int,
    items: Sequence[Evidence] = (),
    inherited: Sequence[str] = (),
    category_text: Callable[[str], str] = humanise,
) -> NodeRow:
    node = judgement.node
    status_text = text(f"status.{judgement.status.value}", lang)
    status_from = framework.label(inherited[-1], lang) if inherited else ""
    if status_from and judgement.status not in (Status.CORROBORATED, Status.MEASURED):
        status_text = text("status_from", lang, status=status_text, part=status_from)
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
        # a node shared by several parents is listed under each of them
        parent_label=", ".join(framework.label(parent, lang) for parent in framework.parents(node)),
        level=judgement.level,
        level_text=_judged_level_text(framework, judgement, lang),
        score=judgement.score,
        score_text=format_score(judgement.score),
        value_text=_value_text(framework, node, judgement.value),
        confidence=confidence,
        confidence_text="–" if confidence is None else text(f"confidence.{confidence}", lang),
        status=judgement.status.value,
        status_text=status_text,
        status_from=status_from,
        colour=_colour(framework, node, judgement.level),
        explanation=judgement.explanation,
        evidence=len(items),
        agreeing=sum(item.id in agreeing for item in items),
        technique_counts=tuple(
            (technique_text(name, lang), count) for name, count in sorted(techniques.items())
        ),
        category_counts=tuple(
            (category_text(name), count) for name, count in sorted(categories.items())
        ),
    )


def _coder_agreement(
    framework: Framework, node: str, items: Sequence[Evidence], lang: str
) -> str | None:
    """Krippendorff's alpha among the investigators of an indicator's items, when measurable."""
    from policyeval.agreement import coder_alpha

    scale = framework.scale_of(node)
    if scale is None or len({item.investigator for item in items if item.investigator}) < 2:
        return None
    found = coder_alpha(items, scale)
    if found.alpha is None:
        return None
    return text(
        "coder_agreement_text",
        lang,
        alpha=f"{found.alpha:.3f}",
        coders=len(found.coders),
        units=found.units,
    )


def _evidence_view(
    framework: Framework,
    item: Evidence,
    agrees: bool,
    lang: str,
    sources: Mapping[str, Source],
    category_text: Callable[[str], str] = humanise,
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
        category=category_text(item.category),
        technique=technique_text(item.technique, lang)
        + ("" if item.independent else " " + text("inferred_mark", lang)),
        date=None if item.date is None else item.date.isoformat(),
        citation=item.citation,
        excerpt=excerpt,
        origin=None if item.origin is None else str(item.origin),
    )


def _relative(path: str | None, base: Path | None) -> str | None:
    """A data file's path relative to the case folder, so reports do not depend on where they ran."""
    if path is None:
        return None
    if base is None:
        return Path(path).as_posix()
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


def _advice(
    framework: Framework, own: Mapping[str, Text], row: NodeRow, lang: str, fallback: str
) -> tuple[str, str]:
    """The advice for a node and where it comes from: the case, the framework, or generic."""
    if row.id in own:
        return pick_text(own[row.id], lang, fallback=fallback), "case"
    advice = framework.node(row.id).recommendation
    if advice:
        return framework.text(advice, lang), "framework"
    return text("recommendation_generic", lang, label=row.label, level=row.level_text), "generic"


def _recommendations(
    framework: Framework,
    rows: Sequence[NodeRow],
    threshold: Level | None,
    lang: str,
    own: Mapping[str, Text] | None = None,
    fallback: str = "",
) -> tuple[Recommendation, ...]:
    """Every node judged below ``threshold``, lowest score first, with its advice."""
    if threshold is None:
        return ()
    picked = []
    for order, row in enumerate(rows):
        if row.score is None:
            continue
        found = _level(framework, row.id, row.level)
        score = found[0].score if found is not None else row.score
        if score >= threshold.score:
            continue
        weight = _incoming_weight(framework, row.id)
        advice, origin = _advice(framework, own or {}, row, lang, fallback)
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
                    text=advice,
                    origin=origin,
                ),
            )
        )
    return tuple(recommendation for _, recommendation in sorted(picked, key=lambda p: p[0]))


# Two references sharing this many characters in a row cite the same work (a title).
_SAME_WORK = 60


def _same_work(one: str, other: str) -> bool:
    """Whether two citations name the same work, though written differently."""
    first, second = (" ".join(text.casefold().split()) for text in (one, other))
    if first == second:
        return True
    match = difflib.SequenceMatcher(None, first, second, autojunk=False).find_longest_match()
    return match.size >= min(_SAME_WORK, len(first), len(second))


def _references(cited: Sequence[str | None], references: Sequence[str]) -> tuple[str, ...]:
    """The framework's references without those the case or framework citation already names."""
    listed = [citation for citation in cited if citation]
    kept: list[str] = []
    for reference in references:
        if not any(_same_work(reference, other) for other in [*listed, *kept]):
            kept.append(reference)
    return tuple(kept)


def _matrix(
    indicators: Sequence[str],
    items_of: Mapping[str, Sequence[Evidence]],
    agreeing_of: Mapping[str, set[str]],
    column_of: str,
) -> tuple[tuple[str, ...], tuple[tuple[tuple[int, int], ...], ...]]:
    # Each item's column and whether it agrees, read once; then counted in one pass per node.
    read = {
        node: [
            (
                item.technique if column_of == "technique" else item.category,
                item.id in agreeing_of[node],
            )
            for item in items_of[node]
        ]
        for node in indicators
    }
    columns = tuple(sorted({column for pairs in read.values() for column, _ in pairs}))
    position = {column: index for index, column in enumerate(columns)}
    cells = []
    for node in indicators:
        agreeing, total = [0] * len(columns), [0] * len(columns)
        for column, agrees in read[node]:
            index = position[column]
            total[index] += 1
            agreeing[index] += agrees
        cells.append(tuple(zip(agreeing, total, strict=True)))
    return columns, tuple(cells)


def _unit_key(unit: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in unit.casefold()).strip("-")
    return cleaned or "unit"


def _unit_report(
    evaluation: Evaluation,
    case_result: CaseResult | None,
    unit: str,
    lang: str,
    threshold: Level | None,
    sources: Mapping[str, Source],
    index: int,
    stated: Sequence[Agreement] = (),
) -> UnitReport:
    framework = evaluation.framework
    case = case_result.case if case_result is not None else None
    labels = {item.id: item for item in case.units} if case is not None else {}
    root = framework.root
    named = case.categories if case is not None else {}

    def category_text(name: str) -> str:
        if name in named:
            return pick_text(named[name], lang, fallback=case.language if case else lang)
        return humanise(name)

    items = items_of_unit(evaluation.evidence, unit)
    by_id = {item.id: item for item in items}
    order = framework.top_down()
    depth = {node: framework.depth(node) for node in order}
    # Each node's status origin in one pass; status_from per node would walk every path again.
    origins = evaluation.status_origins(unit)
    items_of: dict[str, tuple[Evidence, ...]] = {}
    agreeing_of: dict[str, set[str]] = {}
    concerns_of: dict[str, tuple[str, ...]] = {}
    rows: dict[str, NodeRow] = {}
    for node in order:
        judgement = evaluation.judgement(unit, node)
        if framework.node(node).is_indicator:
            items_of[node] = tuple(by_id[i] for i in judgement.evidence if i in by_id)
            agreeing_of[node] = (
                set(judgement.assessment.agreeing) if judgement.assessment else set()
            )
            concerns_of[node] = judgement.assessment.concerns if judgement.assessment else ()
        rows[node] = _node_row(
            framework,
            judgement,
            lang,
            depth[node],
            items_of.get(node, ()),
            origins[node][1:] if node in origins else (),
            category_text,
        )
    indicators = tuple(node for node in order if framework.node(node).is_indicator)
    indicator_set = set(indicators)
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
                    _evidence_view(
                        framework, item, item.id in agreeing, lang, sources, category_text
                    )
                    for item in listed
                ),
                concerns=concerns_of[node],
                coder_agreement=_coder_agreement(framework, node, items_of[node], lang),
            )
        )
    verdict = rows[root]
    minimum, maximum = _score_range(framework)
    sentence = text(
        "verdict_sentence"
        if verdict.level_text
        else "verdict_sentence_scored"
        if minimum is not None and maximum is not None
        else "verdict_sentence_score_only",
        lang,
        node=verdict.label,
        level=verdict.level_text,
        score=verdict.score_text,
        minimum=format_score(minimum, 0),
        maximum=format_score(maximum, 0),
        confidence=verdict.confidence_text,
        status=verdict.status_text,
    )
    unit_label = labels[unit].text(lang) if unit in labels else unit
    reported_summary, reported = (
        _reported_rows(case_result, stated, rows, by_id, lang)
        if case_result is not None
        else ("", ())
    )
    return UnitReport(
        id=unit,
        label=unit_label,
        key=f"u{index + 1}-{_unit_key(unit)}",
        verdict=verdict,
        verdict_sentence=sentence,
        dimensions=tuple(rows[n] for n in order if n != root and n not in indicator_set),
        top=tuple(rows[n] for n in framework.children(root)),
        indicators=tuple(rows[n] for n in indicators),
        nodes=tuple(rows[n] for n in order),
        techniques=tuple(technique_text(name, lang) for name in techniques),
        categories=tuple(category_text(name) for name in categories),
        by_technique=by_technique,
        by_category=by_category,
        evidence=tuple(evidence),
        recommendations=_recommendations(
            framework,
            [rows[n] for n in order],
            threshold,
            lang,
            case.recommendations if case is not None else None,
            case.language if case is not None else "",
        ),
        reported_summary=reported_summary,
        reported=reported,
        tree=_tree(framework, rows),
    )


def _tree(framework: Framework, rows: Mapping[str, NodeRow]) -> tuple[NodeRow, ...]:
    """The rows as a tree: a node shared by several parents is drawn under each of them."""
    out: list[NodeRow] = []
    # Preorder without recursion, so a 10,000-deep chain does not overflow the stack.
    stack = [(framework.root, 0)]
    while stack:
        node, depth = stack.pop()
        row = rows[node]
        out.append(row if row.depth == depth else attrs.evolve(row, depth=depth))
        stack.extend((child, depth + 1) for child in reversed(framework.children(node)))
    return tuple(out)


def _reason(
    evaluation: Evaluation,
    judgement: Judgement,
    items: Mapping[str, Evidence],
    rows: Mapping[str, NodeRow],
    agreement: str,
    lang: str,
) -> str:
    """Why the evidence-based verdict differs from the study's: the rows and rule, or the children."""
    framework = evaluation.framework
    if agreement == "no_evidence":
        return text("reason_no_evidence", lang)
    if agreement != "differs":
        return ""
    if judgement.assessment is not None:
        listed = ", ".join(
            f"{item_id} ({_level_text(framework, judgement.node, items[item_id].rating, lang)})"
            if item_id in items and items[item_id].rating is not None
            else item_id
            for item_id in judgement.evidence
        )
        return f"{text('reason_rows', lang, rows=listed)}; {indicator_reason(evaluation, judgement, lang)}"
    children = ", ".join(
        f"{rows[child].label} {rows[child].level_text} ({rows[child].score_text})"
        for child in judgement.children
        if child in rows
    )
    return (
        text("reason_children", lang, aggregator=judgement.aggregator or "", children=children)
        + f" = {format_score(judgement.score)}"
    )


def _reported_rows(
    result: CaseResult,
    mine: Sequence[Agreement],
    rows: Mapping[str, NodeRow],
    items: Mapping[str, Evidence],
    lang: str,
) -> tuple[str, tuple[ReportedRow, ...]]:
    """The summary and rows of one unit's reported verdicts (``mine``: its agreement rows that
    have a reported verdict)."""
    framework = result.evaluation.framework
    if not mine:
        return "", ()
    counts = {value: sum(row.agreement == value for row in mine) for value in AGREEMENTS}
    summary = text(
        "reported_summary",
        lang,
        agrees=counts["agrees"],
        total=len(mine),
        differs=counts["differs"],
        no_evidence=counts["no_evidence"],
    )
    out = []
    for row in mine:
        assert row.reported is not None
        view = rows[row.node]
        out.append(
            ReportedRow(
                id=row.node,
                label=view.label,
                depth=view.depth,
                reported_text=_level_text(framework, row.node, row.reported.level, lang),
                level_text=view.level_text,
                confidence_text=view.confidence_text,
                agreement=row.agreement,
                agreement_text=text(f"agreement.{row.agreement}", lang),
                citation=row.reported.citation,
                reason=_reason(
                    result.evaluation,
                    result.evaluation.judgement(row.unit, row.node),
                    items,
                    rows,
                    row.agreement,
                    lang,
                ),
            )
        )
    return summary, tuple(out)


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
                    why=pick_text(result.case.aggregation_why, lang, fallback=result.case.language),
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
                why=pick_text(spec.why, lang, fallback=result.case.language),
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
        _judged_level_text(framework, judgement, lang),
        format_score(judgement.score),
    )


def _most_common(choices: Mapping[str, str], first: str | None) -> str:
    """The choice most nodes share (the first node's on a tie): the default that was set."""
    counts = Counter(choices.values())
    if not counts:
        return ""
    best = max(counts.values())
    if first is not None and counts.get(choices.get(first, ""), 0) == best:
        return choices[first]
    return next(choice for choice in choices.values() if counts[choice] == best)


def _method(evaluation: Evaluation, case: Case | None, lang: str) -> tuple[MethodItem, ...]:
    """The plug-ins as the evaluation recorded them, with the case's reasons when there is one."""
    framework = evaluation.framework
    settings = evaluation.settings
    no_reason = text("no_reason", lang)
    rules: Mapping[str, str] = settings.get("rules", {})
    aggregators: Mapping[str, str] = settings.get("aggregators", {})
    rule = _most_common(rules, next(iter(framework.indicators), None))

    def why(value: Text | None) -> str:
        if case is None:
            return no_reason
        return pick_text(value, lang, fallback=case.language) or no_reason

    rule_details = tuple(
        (framework.label(node, lang), choice) for node, choice in rules.items() if choice != rule
    )
    order = [node for node in framework.top_down() if not framework.node(node).is_indicator]
    used = tuple((framework.label(node, lang), aggregators.get(node, "")) for node in order)
    aggregator_details = used if len({choice for _, choice in used}) > 1 else ()
    share = f"{float(settings.get('min_share', evaluation.min_share)):.0%}"
    return (
        MethodItem(
            title=text("rule", lang),
            choice=rule,
            why=why(case.rule_why if case else None),
            details=rule_details,
        ),
        MethodItem(
            title=text("aggregation_choice", lang),
            choice=_most_common(aggregators, framework.root),
            why=why(case.aggregation_why if case else None)
            + " "
            + text("min_share", lang, share=share),
            details=aggregator_details,
        ),
        MethodItem(
            title=text("confidence_rule", lang),
            choice=str(settings.get("confidence", "")),
            why=why(case.confidence_why if case else None),
        ),
    )


def build_report(
    result: Reportable, *, lang: str | None = None, units: Iterable[str] | None = None
) -> Report:
    """Assemble the report model of a case result or an evaluation in ``lang``.

    ``lang`` defaults to the case's language, or for a bare evaluation to
    its framework's default language. A bare evaluation has no case title
    (the framework's title stands in), data checks or alternatives.
    ``units`` keeps only the units with these ids (in the evaluation's
    order; their ranks stay those among all its units), for a report per
    unit of a large case; the comparison then lines up those units only.

    >>> from policyeval.report._examples import two_unit_result
    >>> report = build_report(two_unit_result(), lang="id")
    >>> report.units[0].verdict_sentence
    'Program: Baik (skor 3.00 pada rentang 1–3), keyakinan rendah, satu sumber (dari Jumlah staf).'
    >>> bare = build_report(two_unit_result().evaluation)
    >>> bare.title, bare.units[1].label, bare.checks
    ('Mini framework', 'south', ())
    """
    evaluation, case_result = parts(result)
    kept = chosen_units(evaluation.units, units)
    case = case_result.case if case_result is not None else None
    framework = evaluation.framework
    lang = lang or (case.language if case is not None else framework.default_language)
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
    threshold = _threshold(framework, case.recommend_below if case is not None else None)
    base = case.path if case is not None else None
    # The reported verdicts of each unit, gathered once (not one pass over every row per unit).
    stated: dict[str, list[Agreement]] = {}
    for row in case_result.agreement if case_result is not None else ():
        if row.reported is not None:
            stated.setdefault(row.unit, []).append(row)
    unit_reports = tuple(
        _unit_report(
            evaluation,
            case_result,
            unit,
            lang,
            threshold,
            evaluation.sources,
            index,
            stated.get(unit, []),
        )
        for index, unit in enumerate(evaluation.units)
        if kept is None or unit in kept
    )
    checks = tuple(
        CheckView(
            id=check.id,
            kind=check.kind,
            passed=check.passed,
            result_text=text("passed" if check.passed else "failed", lang),
            why=pick_text(check.why, lang, fallback=case.language if case else lang),
            tables=tuple(_relative(table, base) or table for table in check.tables),
            findings=tuple(
                FindingView(
                    message=translate(finding.message, lang),
                    file=_relative(finding.file, base),
                    row=finding.row,
                )
                for finding in check.findings
            ),
        )
        for check in sorted(
            case_result.data_checks if case_result is not None else (),
            key=lambda check: check.passed,
        )
    )
    rejected = tuple(
        RejectedRow(
            file=_relative(rejection.file, base) or "",
            row="" if rejection.row is None else str(rejection.row),
            id=rejection.id or "",
            column=rejection.column or "",
            reason=translate(rejection.reason, lang),
        )
        for rejection in evaluation.rejected
    )
    framework_title = framework.text(framework.title, lang) or framework.id
    description = ""
    if case is not None:
        description = (
            case.description.get(lang)
            or case.description.get(case.language)
            or next(iter(case.description.values()), "")
        )
    return Report(
        lang=lang,
        title=case.title_text(lang) if case is not None else framework_title,
        description=description,
        period=case.period if case is not None else None,
        framework_title=framework_title,
        framework_id=framework.id,
        root_label=framework.label(framework.root, lang),
        levels=levels,
        minimum=root_scale.minimum if root_scale else 0.0,
        maximum=root_scale.maximum if root_scale else 1.0,
        threshold_text=(
            "" if threshold is None else threshold.text(lang, fallback=framework.default_language)
        ),
        units=unit_reports,
        comparison=compare([result], units=kept) if len(unit_reports) > 1 else None,
        checks=checks,
        alternatives=_alternatives(case_result, lang) if case_result is not None else (),
        method=_method(evaluation, case, lang),
        rejected=rejected,
        case_citation=case.citation if case is not None else None,
        framework_citation=framework.citation,
        references=_references(
            [case.citation if case is not None else None, framework.citation],
            framework.references,
        ),
    )
