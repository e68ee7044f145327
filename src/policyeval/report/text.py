"""Plain-text reports for the terminal: an aligned tree of the framework per unit.

>>> from policyeval.report._examples import two_unit_result
>>> print(render_text(two_unit_result()).splitlines()[0])
Mini case
"""

from __future__ import annotations

from collections.abc import Sequence

from policyeval.locales import translate
from policyeval.report._input import Reportable
from policyeval.report._strings import MAX_SHOWN_DEPTH, text
from policyeval.report.compare import Comparison
from policyeval.report.model import (
    NodeRow,
    Report,
    ReportedRow,
    build_report,
    format_score,
)

__all__ = ["render_comparison_text", "render_text"]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Left-aligned columns two spaces apart; no trailing spaces."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = ["-" * width for width in widths]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, rule, *rows]
    ]


def _tree_labels(rows: Sequence[NodeRow | ReportedRow]) -> list[str]:
    """Each node's label behind tree branches drawn from the depths of the preorder.

    One backward pass: at each row, ``below[level]`` says whether a later
    row at that level comes before a shallower one (the branch goes on).
    Branches are drawn for at most ``MAX_SHOWN_DEPTH``
    levels; a deeper row shows its depth as a number, so labels stay
    linear in size.
    """
    labels = [""] * len(rows)
    below: list[bool] = []
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        depth = row.depth
        if depth == 0:
            labels[index] = row.label
            below = []
            continue
        while len(below) <= depth:
            below.append(False)
        shown = min(depth, MAX_SHOWN_DEPTH)
        prefix = "".join("│  " if below[level] else "   " for level in range(1, shown))
        if depth > MAX_SHOWN_DEPTH:
            prefix += f"[{depth}] "
        labels[index] = prefix + ("├─ " if below[depth] else "└─ ") + row.label
        # This row ends the runs of deeper levels and continues its own.
        del below[depth + 1 :]
        below[depth] = True
    return labels


def _unit_lines(report: Report, index: int) -> list[str]:
    unit = report.units[index]
    header = [
        report.t("node"),
        report.t("level"),
        report.t("score"),
        report.t("confidence"),
        report.t("status"),
        report.t("evidence"),
    ]
    rows = [
        [
            label,
            row.level_text,
            row.score_text,
            row.confidence_text,
            row.status_text,
            str(row.evidence) if row.kind == "indicator" else "",
        ]
        for label, row in zip(_tree_labels(unit.tree), unit.tree, strict=True)
    ]
    lines = [f"{report.t('unit')}: {unit.label}", unit.verdict_sentence, "", *_table(header, rows)]
    if unit.reported:
        lines += ["", f"{report.t('reported_verdicts')}: {unit.reported_summary}"]
        lines += _table(
            [
                report.t("node"),
                report.t("reported_level"),
                report.t("evidence_level"),
                report.t("agreement"),
            ],
            [
                [label, row.reported_text, row.level_text, row.agreement_text]
                for label, row in zip(_tree_labels(unit.reported), unit.reported, strict=True)
            ],
        )
        lines += [f"  {row.label}: {row.reason}" for row in unit.reported if row.reason]
    return lines


def render_text(result: Reportable, *, lang: str | None = None) -> str:
    """The framework as an aligned tree with each node's level, score, confidence and status.

    One block per unit, then one line each for the data checks and any
    alternative aggregations. ``lang`` defaults to the case's language.

    >>> from policyeval.report._examples import two_unit_result
    >>> print(render_text(two_unit_result(), lang="en"))  # doctest: +ELLIPSIS
    Mini case
    Framework: Mini framework
    <BLANKLINE>
    Unit: North
    Programme: Good (score 3.00 on 1–3), confidence low, single source (from Staffing | headcount).
    <BLANKLINE>
    Node                        Level  Score  Confidence  Status                                     Evidence
    --------------------------  -----  -----  ----------  -----------------------------------------  --------
    Programme                   Good   3.00   low         single source (from Staffing | headcount)
    ├─ People                   Good   3.00   low         single source (from Staffing | headcount)
    │  ├─ Skills                Good   3.00   high        corroborated                               2
    │  └─ Staffing | headcount  Good   3.00   low         single source                              1
    └─ Money                    Good   3.00   low         single source (from Budget)
       └─ Budget                Good   3.00   low         single source                              1
    ...
    """
    report = build_report(result, lang=lang)
    lines = [report.title, f"{report.t('framework')}: {report.framework_title}"]
    for index in range(len(report.units)):
        lines += ["", *_unit_lines(report, index)]
    if report.checks:
        failed = [check.id for check in report.checks if not check.passed]
        lines += [
            "",
            f"{report.t('data_checks')}: "
            + report.t("data_checks_intro", failed=len(failed), total=len(report.checks)),
        ]
        lines += [f"  ✘ {check_id}" for check_id in failed]
    if report.alternatives:
        lines += ["", f"{report.t('aggregation')}:"]
        for alternative in report.alternatives:
            verdicts = "; ".join(f"{level} {score}" for level, score in alternative.verdicts)
            lines.append(f"  {alternative.label} ({alternative.aggregator}): {verdicts}")
    if report.rejected:
        lines += ["", f"{report.t('rejected')}: {len(report.rejected)}"]
        lines += [
            f"  {row.file} {report.t('row').lower()} {row.row or '–'} ({row.id or '–'}): {row.reason}"
            for row in report.rejected
        ]
    return "\n".join(lines) + "\n"


def comparison_rows(comparison: Comparison, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a comparison: one row per compared node, one column per unit.

    A cell reads ``level score (#rank)``; the overall row comes after the
    dimensions, followed by the overall confidence, the evidence coverage and
    each unit's strengths and weaknesses (indicator labels, best and worst
    first).
    """
    units = comparison.ranked()
    header = [text("node", lang), *(unit.text(lang) for unit in units)]
    rows = []
    for column, node in enumerate(comparison.nodes):
        label = comparison.node_text(node, lang)
        if node == comparison.root:
            label = f"{text('overall', lang)}: {label}"
        cells = [label]
        for unit in units:
            level = comparison.level_text(node, unit.levels[column], lang)
            if level is None and unit.scores[column] is None:
                level = text("undefined", lang)
            rank = unit.ranks[column]
            # A node without levels reads by its score alone.
            cells.append(
                f"{level + ' ' if level else ''}{format_score(unit.scores[column])} "
                f"(#{'–' if rank is None else rank})"
            )
        rows.append(cells)
    rows.append(
        [
            text("overall_confidence", lang),
            *(
                "–"
                if unit.confidences[-1] is None
                else text(f"confidence.{unit.confidences[-1]}", lang)
                for unit in units
            ),
        ]
    )
    rows.append(
        [
            text("coverage", lang),
            *(
                text(
                    "coverage_cell_measured" if unit.indicators_measured else "coverage_cell",
                    lang,
                    with_evidence=unit.indicators_with_evidence,
                    indicators=unit.indicators,
                    items=unit.evidence,
                    measured=unit.indicators_measured,
                )
                for unit in units
            ),
        ]
    )
    for side in ("strengths", "weaknesses"):
        cells = [text(side, lang)]
        for unit in units:
            chosen = getattr(unit, side)
            cells.append(
                ", ".join(comparison.node_text(node, lang) for node in chosen) if chosen else "–"
            )
        rows.append(cells)
    return header, rows


def rejected_lines(comparison: Comparison, lang: str) -> list[str]:
    """One line per evidence row a compared case did not use, with its reason."""
    return [
        text(
            "rejected_in",
            lang,
            case=case,
            file=row.file or "",
            row="–" if row.row is None else row.row,
            id=row.id or "–",
            reason=translate(row.reason, lang),
        )
        for case, row in comparison.rejected
    ]


def render_comparison_text(comparison: Comparison, *, lang: str | None = None) -> str:
    """Units side by side: per dimension and overall, each unit's level, score and rank.

    >>> from policyeval.report._examples import two_unit_result
    >>> from policyeval.report.compare import compare
    >>> print(render_comparison_text(compare([two_unit_result()])))
    Comparison
    Node                North                    South
    ------------------  -----------------------  -----------------------
    People              Good 3.00 (#1)           Fair 1.67 (#2)
    Money               Good 3.00 (#1)           Good 3.00 (#1)
    Overall: Programme  Good 3.00 (#1)           Fair 2.33 (#2)
    Overall confidence  low                      very low
    Coverage            3/3 indicators, 4 items  3/3 indicators, 4 items
    Strengths           Staffing | headcount     –
    Weaknesses          –                        Staffing | headcount
    <BLANKLINE>
    """
    lang = lang or comparison.language
    header, rows = comparison_rows(comparison, lang)
    lines = [text("comparison", lang), *_table(header, rows)]
    if comparison.rejected:
        lines += ["", f"{text('rejected', lang)}: {len(comparison.rejected)}"]
        lines += [f"  {line}" for line in rejected_lines(comparison, lang)]
    return "\n".join(lines) + "\n"
