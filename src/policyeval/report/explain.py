"""``explain`` in the reader's language: from a node down to the evidence rows behind it.

:func:`render_explanation` walks the same tree as
:meth:`policyeval.results.Evaluation.explain` and words it with the report's
string catalogue, so ``policyeval explain --lang id`` is Indonesian
throughout: level and status names, how the consensus was reached (with an
even split named), how an inner node combined its children, where an
inherited status comes from, and each evidence row with its source. In
English the triangulation rule's own sentence is kept, since it names the
rule's thresholds.

>>> from policyeval.report._examples import two_unit_result
>>> result = two_unit_result()
>>> print(render_explanation(result.evaluation, "south", "people", lang="id"))
Orang [people]: Cukup (skor 1.67, diperdebatkan, keyakinan sangat rendah)
  mean() dari 2 anak simpul = 1.67 → Cukup
  status diperdebatkan, diwarisi dari bagian terlemahnya: Jumlah staf [staffing]
  Keterampilan [skills]: Baik (skor 3.00, satu sumber, keyakinan rendah)
    1 dari 1 butir (100%) sejalan pada Baik; 1 kategori sumber (official), 1 teknik (wawancara) — satu sumber
    + E5 (Baik): head, official, wawancara: head on skills [p. 5]
  Jumlah staf [staffing]: Buruk (skor 1.00, diperdebatkan, keyakinan sangat rendah)
    1 dari 2 butir (50%) sejalan pada Buruk; terbagi rata antara Buruk dan Cukup: setengah bobot di tiap sisi, tingkat yang lebih rendah ditampilkan; 1 kategori sumber (official), 1 teknik (wawancara) — diperdebatkan
    + E6 (Buruk): head, official, wawancara: head on staffing [p. 6]
    - E7 (Cukup): citizen, public, wawancara: citizen on staffing [p. 7]
"""

from __future__ import annotations

from collections.abc import Iterator

from policyeval.consensus import consensus
from policyeval.evidence import Evidence
from policyeval.evidence_table import items_of_unit
from policyeval.locales import message
from policyeval.protocols import Status
from policyeval.report._strings import depth_marks, humanise, technique_text, text
from policyeval.results import Evaluation, Explanation, Judgement
from policyeval.scales import NumericScale, OrdinalScale

__all__ = ["indicator_reason", "render_explanation", "render_tree"]


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _level(evaluation: Evaluation, node: str, level_id: str | None, lang: str) -> str:
    if level_id is None:
        return text("undefined", lang)
    framework = evaluation.framework
    for scale in (framework.scale_of(node), framework.scale_of(framework.root)):
        ordinal = scale.levels if isinstance(scale, NumericScale) else scale
        if isinstance(ordinal, OrdinalScale):
            found = ordinal.find(level_id)
            if found is not None:
                return found.text(lang, fallback=framework.default_language)
    return level_id


def _has_level(judgement: Judgement) -> bool:
    """False for a scored node without levels (a numeric index): its score is what it says."""
    return judgement.level is not None or judgement.score is None


def _header(evaluation: Evaluation, judgement: Judgement, lang: str) -> str:
    node = judgement.node
    score = "–" if judgement.score is None else f"{judgement.score:.2f}"
    confidence = (
        "–"
        if judgement.confidence is None
        else text(f"confidence.{judgement.confidence.value}", lang)
    )
    return text(
        "explain_header",
        lang,
        label=evaluation.framework.label(node, lang),
        node=node,
        level=_level(evaluation, node, judgement.level, lang) if _has_level(judgement) else "–",
        score=score,
        status=text(f"status.{judgement.status.value}", lang),
        confidence=confidence,
    )


def _indicator_line(
    evaluation: Evaluation, judgement: Judgement, items: tuple[Evidence, ...], lang: str
) -> str:
    assessment = judgement.assessment
    if judgement.status is Status.MEASURED:
        return judgement.explanation  # the value read from the data table and its scorer
    if assessment is None or judgement.status is Status.NO_EVIDENCE:
        return text("explain_no_evidence", lang)
    if lang == "en" and judgement.explanation:
        return judgement.explanation
    node = judgement.node
    if assessment.rating is not None:
        subject = _level(evaluation, node, assessment.rating, lang)
    else:
        subject = f"{assessment.value:g}"
    parts = [
        text(
            "explain_agree",
            lang,
            agreeing=len(assessment.agreeing),
            total=len(assessment.evidence),
            share=_percent(assessment.agreement),
            subject=subject,
        )
    ]
    scale = evaluation.framework.scale_of(node)
    if items and isinstance(scale, OrdinalScale | NumericScale):
        split = consensus(items, scale).even_split
        if split:
            lower, upper = (_level(evaluation, node, side, lang) for side in split)
            parts.append(text("explain_even_split", lang, lower=lower, upper=upper))
    categories = sorted(set(assessment.source_categories))
    techniques = sorted(set(assessment.techniques))
    parts.append(
        text(
            "explain_counts",
            lang,
            categories=len(categories),
            category_list=", ".join(humanise(name) for name in categories),
            techniques=len(techniques),
            technique_list=", ".join(technique_text(name, lang) for name in techniques),
        )
    )
    return "; ".join(parts) + f" — {text(f'status.{judgement.status.value}', lang)}"


def indicator_reason(evaluation: Evaluation, judgement: Judgement, lang: str) -> str:
    """How an indicator's evidence was triangulated, in ``lang``: the line ``explain`` shows.

    >>> from policyeval.report._examples import two_unit_result
    >>> evaluation = two_unit_result().evaluation
    >>> indicator_reason(evaluation, evaluation.judgement("north", "skills"), "id")
    '2 dari 2 butir (100%) sejalan pada ...'
    """
    by_id = {item.id: item for item in items_of_unit(evaluation.evidence, judgement.unit)}
    items = tuple(by_id[i] for i in judgement.evidence if i in by_id)
    return _indicator_line(evaluation, judgement, items, lang)


def _inner_line(evaluation: Evaluation, judgement: Judgement, lang: str) -> str:
    children = [evaluation.judgement(judgement.unit, child) for child in judgement.children]
    if judgement.score is None:
        return text(
            "explain_undefined",
            lang,
            share=_percent(judgement.share_present or 0.0),
            minimum=_percent(evaluation.min_share),
        )
    scored = [child for child in children if child.score is not None]
    line = text(
        "explain_combined",
        lang,
        aggregator=judgement.aggregator or "",
        count=len(scored),
        score=f"{judgement.score:.2f}",
        level=_level(evaluation, judgement.node, judgement.level, lang),
    )
    if not _has_level(judgement):
        line = line.rsplit(" → ", 1)[0]  # a node without levels stops at its score
    missing = [
        evaluation.framework.label(child.node, lang)
        for child, weight in zip(children, judgement.weights, strict=False)
        if child.score is None and weight > 0
    ]
    if missing:
        line += "; " + text("explain_missing", lang, parts=", ".join(missing))
    return line


def _evidence_line(evaluation: Evaluation, item: Evidence, agrees: bool, lang: str) -> str:
    source = evaluation.sources.get(item.source)
    said = (
        _level(evaluation, item.indicator, item.rating, lang)
        if item.rating is not None
        else f"{item.value:g}"
    )
    name = source.name if source is not None and source.name else item.source
    where = ""
    if item.origin:
        where = f" @ {item.origin.file or '?'}"
        if item.origin.row is not None:
            where += ": " + message("location.row", lang, row=item.origin.row)
    line = (
        f"{'+' if agrees else '-'} {item.id}{where} ({said}): {name}, {humanise(item.category)}, "
        f"{technique_text(item.technique, lang)}"
    )
    excerpt = item.excerpt
    translated = item.extra.get(f"excerpt_{lang}")
    if lang != "id" and isinstance(translated, str) and translated.strip():
        excerpt = translated
    if excerpt:
        line += f": {excerpt}"
    if item.citation:
        line += f" [{item.citation}]"
    return line


def render_explanation(
    evaluation: Evaluation, unit: str, node: str | None = None, *, lang: str
) -> str:
    """The path from ``node`` (default: the root) down to the evidence, in ``lang``.

    A node shared by several parents is explained in full under the first
    and named under the others, and indentation stops growing after
    ``MAX_SHOWN_DEPTH`` levels (deeper lines
    show their depth), so the text stays linear in the nodes; a
    status inherited along a path of more than four parts names its first
    two and its origin (see :meth:`~policyeval.results.Evaluation.explain`).
    """
    tree = evaluation.explain(unit, node, lang=lang)
    lines: list[str] = []
    shown: set[str] = set()
    # Preorder without recursion, so a 10,000-deep chain does not overflow the stack.
    stack: list[tuple[Explanation, int]] = [(tree, 0)]
    while stack:
        explanation, depth = stack.pop()
        pad = depth_marks(depth, "  ")
        judgement = explanation.judgement
        header = pad + _header(evaluation, judgement, lang)
        if explanation.children and judgement.node in shown:
            lines.append(f"{header} {text('explain_shared', lang)}")
            continue
        shown.add(judgement.node)
        lines.append(header)
        if evaluation.framework.node(judgement.node).is_indicator:
            items = explanation.evidence
            lines.append(pad + "  " + _indicator_line(evaluation, judgement, items, lang))
            agreeing = set(judgement.assessment.agreeing) if judgement.assessment else set()
            for item in items:
                lines.append(
                    pad + "  " + _evidence_line(evaluation, item, item.id in agreeing, lang)
                )
            continue
        lines.append(pad + "  " + _inner_line(evaluation, judgement, lang))
        if explanation.status_from and judgement.status is not Status.MEASURED:
            path = text("via", lang).join(reversed(explanation.status_from))
            lines.append(
                pad
                + "  "
                + text(
                    "explain_inherited",
                    lang,
                    status=text(f"status.{judgement.status.value}", lang),
                    path=path,
                )
            )
        stack.extend((child, depth + 1) for child in reversed(explanation.children))
    return "\n".join(lines)


def render_tree(explanation: Explanation) -> str:
    """An explanation as an indented, language-neutral tree with node ids and evidence rows.

    Agreeing evidence rows are marked ``+``, the others ``-``.

    >>> from policyeval import evaluate, frameworks
    >>> from policyeval.evidence import Evidence
    >>> items = [Evidence(id="E1", unit="u", indicator="kompetensi", rating="baik",
    ...                   source="s1", source_category="asn", technique="interview")]
    >>> tree = evaluate(frameworks.load("agustino"), items).explain("u", "kompetensi")
    >>> print(render_tree(tree))  # doctest: +ELLIPSIS
    Kompetensi [kompetensi]: baik (score 4.00, single_source, confidence low)
    ...
      + E1: baik from s1 (asn, interview)
    """
    return "\n".join(_tree_lines(explanation))


def _tree_lines(explanation: Explanation) -> Iterator[str]:
    # Preorder without recursion; a shared node is drawn in full once and named after that.
    shown: set[str] = set()
    stack: list[tuple[Explanation, int]] = [(explanation, 0)]
    while stack:
        current, indent = stack.pop()
        j = current.judgement
        pad = depth_marks(indent, "  ")
        confidence = j.confidence.value if j.confidence else "-"
        score = "-" if j.score is None else f"{j.score:.2f}"
        header = (
            f"{pad}{current.label} [{j.node}]: {j.level or 'undefined'} "
            f"(score {score}, {j.status.value}, confidence {confidence})"
        )
        if current.children and j.node in shown:
            yield header + " (shared: shown above)"
            continue
        shown.add(j.node)
        yield header
        yield f"{pad}  {j.explanation}"
        if current.status_from:
            yield (
                f"{pad}  status {j.status.value} inherited from its weakest part: "
                + " via ".join(reversed(current.status_from))
            )
        agreeing = set(j.assessment.agreeing) if j.assessment else set()
        for item in current.evidence:
            mark = "+" if item.id in agreeing else "-"
            said = item.rating if item.rating is not None else item.value
            where = f" @ {item.origin}" if item.origin else ""
            yield (
                f"{pad}  {mark} {item.id}{where}: {said} from {item.source} "
                f"({item.category}, {item.technique})"
                + (f": {item.excerpt}" if item.excerpt else "")
                + (f" [{item.citation}]" if item.citation else "")
            )
        stack.extend((child, indent + 1) for child in reversed(current.children))
