"""Markdown reports that read well on GitHub: headings, pipe tables, a Mermaid graph.

>>> from policyeval.report._examples import two_unit_result
>>> print(render_markdown(two_unit_result()).splitlines()[0])
# Mini case
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from typing import TYPE_CHECKING

from policyeval.export import mermaid_text, one_line
from policyeval.report._input import Reportable
from policyeval.report._strings import depth_marks, text
from policyeval.report.compare import Comparison
from policyeval.report.model import Report, UnitReport, build_report
from policyeval.report.stability import (
    driver_groups,
    drivers_intro,
    stability_intro,
    stability_rows,
)
from policyeval.report.text import comparison_rows, rejected_lines

if TYPE_CHECKING:
    from policyeval.sensitivity import Sensitivity

__all__ = ["escape", "mermaid", "render_comparison_markdown", "render_markdown", "table"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def escape(value: object) -> str:
    """Text made safe for a Markdown paragraph or table cell: one line, markup escaped.

    >>> escape("a | b *c*\\nd")
    'a \\\\| b \\\\*c\\\\* d'
    """
    escaped = _SPECIAL.sub(r"\\\1", one_line(str(value)))
    return "\\" + escaped if escaped.startswith(("#", "+", "-", "=")) else escaped


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub pipe table; cells are taken as Markdown (escape them first).

    >>> print("\\n".join(table(["a", "b"], [["1", "2"]])))
    | a | b |
    | --- | --- |
    | 1 | 2 |
    """
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines


def _code(value: str) -> str:
    return "`" + one_line(value).replace("`", "'").replace("|", "\\|") + "`" if value else ""


def mermaid(unit: UnitReport) -> list[str]:
    """The framework as a Mermaid flowchart, each box showing and coloured by its level.

    >>> from policyeval.report._examples import two_unit_result
    >>> from policyeval.report.model import build_report
    >>> print("\\n".join(mermaid(build_report(two_unit_result()).units[1])[:4]))
    ```mermaid
    flowchart TD
        n0["Programme<br/>Fair · 2.33"]
        n1["People<br/>Fair · 1.67"]
    """
    ids = {row.id: f"n{index}" for index, row in enumerate(unit.nodes)}
    lines = ["```mermaid", "flowchart TD"]
    for row in unit.nodes:
        label = (
            mermaid_text(row.label)
            + "<br/>"
            + mermaid_text(" · ".join(filter(None, (row.level_text, row.score_text))))
        )
        lines.append(f'    {ids[row.id]}["{label}"]')
    for row in unit.nodes:
        for parent in row.parents:
            lines.append(f"    {ids[parent]} --> {ids[row.id]}")
    colours = sorted({row.colour for row in unit.nodes})
    for index, colour in enumerate(colours):
        lines.append(f"    classDef c{index} fill:{colour},stroke:#555555,color:#1b1b1b")
    for index, colour in enumerate(colours):
        members = ",".join(ids[row.id] for row in unit.nodes if row.colour == colour)
        lines.append(f"    class {members} c{index}")
    lines.append("```")
    return lines


def _unit_sections(report: Report, unit: UnitReport, level: int) -> list[str]:
    h = "#" * level
    t = report.t
    out = [f"{h} {t('verdict')}", "", f"**{escape(unit.verdict_sentence)}**", ""]
    out += [f"{h} {t('dimensions')}", ""]
    out += table(
        [t("dimension"), t("level"), t("score"), t("confidence"), t("status")],
        [
            [
                escape(depth_marks(row.depth - 1) + row.label),
                escape(row.level_text),
                row.score_text,
                escape(row.confidence_text),
                escape(row.status_text),
            ]
            for row in unit.dimensions
        ],
    )
    out += ["", f"{h} {t('indicators')}", ""]
    out += table(
        [
            t("indicator"),
            t("dimension"),
            t("level"),
            t("score"),
            t("confidence"),
            t("status"),
            t("evidence_count"),
            t("by_technique"),
            t("by_category"),
        ],
        [
            [
                escape(row.label),
                escape(row.parent_label),
                escape(row.level_text) + (f" ({escape(row.value_text)})" if row.value_text else ""),
                row.score_text,
                escape(row.confidence_text),
                escape(row.status_text),
                f"{row.evidence} ({row.agreeing})",
                escape(", ".join(f"{name} {count}" for name, count in row.technique_counts)),
                escape(", ".join(f"{name} {count}" for name, count in row.category_counts)),
            ]
            for row in unit.indicators
        ],
    )
    out += ["", f"{h} {t('triangulation')}", "", escape(t("triangulation_intro")), ""]
    for caption, columns, cells in (
        (t("matrix_technique"), unit.techniques, unit.by_technique),
        (t("matrix_category"), unit.categories, unit.by_category),
    ):
        out += [f"*{escape(caption)}*", ""]
        out += table(
            [t("indicator"), *(escape(column) for column in columns)],
            [
                [escape(row.label)]
                + [
                    "" if not total else str(total) if agreeing == total else f"{agreeing}/{total}"
                    for agreeing, total in cells[index]
                ]
                for index, row in enumerate(unit.indicators)
            ],
        )
        out.append("")
    out += [f"{h} {t('graph')}", "", escape(t("graph_desc")), ""]
    out += mermaid(unit)
    out += ["", f"{h} {t('key_evidence')}", "", escape(t("key_evidence_intro")), ""]
    for indicator in unit.evidence:
        out += [
            f"{h}# {escape(indicator.label)}: {escape(indicator.level_text)} "
            f"({escape(indicator.status_text)})",
            "",
        ]
        if indicator.coder_agreement:
            out += [escape(indicator.coder_agreement), ""]
        if indicator.concerns:
            out += [f"*{escape(t('concerns'))}:* " + escape("; ".join(indicator.concerns)), ""]
        if not indicator.items:
            out += [t("no_evidence_items"), ""]
            continue
        for item in indicator.items:
            mark = "✔" if item.agrees else "✘"
            meta = [
                escape(item.said),
                escape(item.source),
                escape(item.category),
                escape(item.technique),
            ]
            if item.date:
                meta.append(item.date)
            line = f"- {mark} **{escape(item.id)}** · " + " · ".join(meta)
            if item.excerpt:
                line += f": “{escape(item.excerpt)}”"
            if item.citation:
                line += f" ({escape(item.citation)})"
            out.append(line)
        out.append("")
    if unit.reported:
        out += [f"{h} {t('reported_verdicts')}", "", escape(t("reported_intro")), ""]
        out += [f"**{escape(unit.reported_summary)}**", ""]
        out += table(
            [
                t("node"),
                t("reported_level"),
                t("evidence_level"),
                t("confidence"),
                t("agreement"),
                t("why_differs"),
                t("citation"),
            ],
            [
                [
                    escape(depth_marks(row.depth) + row.label),
                    escape(row.reported_text),
                    escape(row.level_text),
                    escape(row.confidence_text),
                    escape(row.agreement_text),
                    escape(row.reason),
                    escape(row.citation),
                ]
                for row in unit.reported
            ],
        )
        out.append("")
    out += [f"{h} {t('recommendations')}", ""]
    if unit.recommendations:
        out += [escape(t("recommendations_intro", level=report.threshold_text)), ""]
        out += [
            f"{index}. **{escape(r.label)}** ({escape(r.kind_text)}; {escape(r.level_text)}, "
            f"{r.score_text}): "
            f"{escape(r.text)}"
            for index, r in enumerate(unit.recommendations, start=1)
        ]
    else:
        out.append(escape(t("no_recommendations", level=report.threshold_text)))
    out.append("")
    return out


def _comparison_table(comparison: Comparison, lang: str) -> list[str]:
    header, rows = comparison_rows(comparison, lang)
    return table([escape(cell) for cell in header], [[escape(c) for c in row] for row in rows])


def _stability_section(
    stability: Sensitivity, lang: str, several: bool, shown: Set[str]
) -> list[str]:
    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    rows = stability_rows(stability, lang, units=shown)
    out = [f"## {t('stability')}", ""]
    out += [escape(stability_intro(stability, lang)), ""]
    out += table(
        [
            *([t("unit")] if several else []),
            t("node"),
            t("stability_nominal"),
            t("stability_share"),
            t("stability_levels"),
            t("stability_score"),
            *([t("stability_rank")] if several else []),
            t("stability_driver"),
        ],
        [
            [
                *([escape(row.unit)] if several else []),
                escape(row.label),
                escape(row.nominal),
                row.share,
                escape(row.levels),
                row.score,
                *([row.rank] if several else []),
                _code(row.driver) if row.driver != "–" else row.driver,
            ]
            for row in rows
        ],
    )
    return [*out, "", *_drivers_section(stability, lang, several)]


BAR_WIDTH = 20  # characters for an index of 1


def _bar(value: float | None) -> str:
    """An index as a bar of block characters (eighths), 20 characters for 1.

    >>> _bar(0.5), _bar(0.03), _bar(None)
    ('██████████', '▋', '')
    """
    if value is None:
        return ""
    eighths = round(min(max(value, 0.0), 1.0) * BAR_WIDTH * 8)
    whole, part = divmod(eighths, 8)
    return "█" * whole + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[part]


def _drivers_section(stability: Sensitivity, lang: str, several: bool) -> list[str]:
    """The driver chart as a table of text bars: per unit and node, its main inputs."""

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    totals = stability.base_sample is not None
    out = [f"### {t('stability_drivers')}", "", escape(drivers_intro(lang)), ""]
    rows = []
    for group in driver_groups(stability, lang):
        bars = group.bars or ()
        if not bars:
            rows.append(
                [
                    *([escape(group.unit)] if several else []),
                    escape(group.label),
                    escape(t("stability_drivers_none")),
                    "",
                    *([""] if totals else []),
                    "",
                ]
            )
        for bar in bars:
            rows.append(
                [
                    *([escape(group.unit)] if several else []),
                    escape(group.label),
                    escape(bar.label),
                    "–" if bar.first is None else f"{bar.first:.2f}",
                    *(["–" if bar.total is None else f"{bar.total:.2f}"] if totals else []),
                    f"`{_bar(bar.total if totals else bar.first) or ' '}`",
                ]
            )
    out += table(
        [
            *([t("unit")] if several else []),
            t("node"),
            t("stability_driver"),
            t("driver_first_column"),
            *([t("driver_total_column")] if totals else []),
            "",
        ],
        rows,
    )
    return [*out, ""]


def render_markdown(
    result: Reportable,
    *,
    lang: str | None = None,
    stability: Sensitivity | None = None,
    units: Iterable[str] | None = None,
) -> str:
    """The full report as GitHub-flavoured Markdown (``lang`` defaults to the case's).

    With ``stability`` (a :func:`policyeval.sensitivity.sensitivity_case`
    result) the report gains a section on how stable each verdict is.
    ``units`` keeps only these units (see :func:`~policyeval.report.build_report`).

    >>> from policyeval.report._examples import two_unit_result
    >>> md = render_markdown(two_unit_result(), lang="id")
    >>> "## Perbandingan" in md and "```mermaid" in md
    True
    """
    report = build_report(result, lang=lang, units=units)
    t = report.t
    out = [f"# {escape(report.title)}", ""]
    if report.description:
        out += [escape(report.description), ""]
    out.append(
        f"- **{t('framework')}:** {escape(report.framework_title)} ({_code(report.framework_id)})"
    )
    if report.period:
        out.append(f"- **{t('period')}:** {escape(report.period)}")
    out.append(f"- **{t('units')}:** " + ", ".join(escape(unit.label) for unit in report.units))
    out += [
        "",
        f"**{t('levels_legend')}:** "
        + "; ".join(f"{escape(level.label)} ({level.score:g})" for level in report.levels),
        "",
    ]
    several = len(report.units) > 1
    if report.comparison is not None:
        out += [f"## {t('comparison')}", "", f"*{escape(t('comparison_caption'))}*", ""]
        out += _comparison_table(report.comparison, report.lang)
        out.append("")
    for unit in report.units:
        if several:
            out += [f"## {t('unit')}: {escape(unit.label)}", ""]
        out += _unit_sections(report, unit, 3 if several else 2)
    if stability is not None:
        out += _stability_section(
            stability, report.lang, several, {unit.id for unit in report.units}
        )
    out += [f"## {t('aggregation')}", "", escape(t("aggregation_note")), ""]
    if report.alternatives:
        verdict_headers = (
            [escape(unit.label) for unit in report.units]
            if several
            else [f"{t('level')} ({t('score')})"]
        )
        node_column = len({row.node_label for row in report.alternatives}) > 1
        out += table(
            [
                t("alternative"),
                *([t("node")] if node_column else []),
                t("aggregator"),
                *verdict_headers,
                t("why"),
            ],
            [
                [
                    ("**" + escape(row.label) + "**") if row.declared else escape(row.label),
                    *([escape(row.node_label)] if node_column else []),
                    _code(row.aggregator)
                    + (f" {escape(row.over_text)}" if not row.declared else ""),
                    *(f"{escape(level)} ({score})" for level, score in row.verdicts),
                    escape(row.why),
                ]
                for row in report.alternatives
            ],
        )
    else:
        out.append(t("no_alternatives"))
    out += ["", f"## {t('data_checks')}", ""]
    if report.checks:
        out += [
            escape(t("data_checks_intro", failed=report.failed_checks, total=len(report.checks))),
            "",
        ]
        for check in report.checks:
            mark = "✔" if check.passed else "✘"
            out.append(
                f"- {mark} **{escape(check.id)}** ({escape(check.kind)}): "
                f"**{check.result_text}**. {escape(check.why)}"
            )
            for finding in check.findings:
                where = ", ".join(
                    part
                    for part in (
                        escape(finding.file) if finding.file else "",
                        f"{t('row').lower()} {finding.row}" if finding.row is not None else "",
                    )
                    if part
                )
                out.append(f"  - {escape(finding.message)}" + (f" ({where})" if where else ""))
    else:
        out.append(t("no_checks"))
    out += ["", f"## {t('method')}", ""]
    for item in report.method:
        out.append(f"- **{escape(item.title)}:** {_code(item.choice)}. {escape(item.why)}")
        for name, choice in item.details:
            out.append(f"  - {escape(name)}: {_code(choice)}")
    if report.rejected:
        out += ["", f"## {t('rejected')}", "", t("rejected_intro"), ""]
        out += table(
            [t("file"), t("row"), "id", t("reason")],
            [[escape(r.file), r.row, escape(r.id), escape(r.reason)] for r in report.rejected],
        )
    out += ["", f"## {t('references')}", ""]
    if report.case_citation:
        out.append(f"- **{t('case_citation')}:** {escape(report.case_citation)}")
    if report.framework_citation:
        out.append(f"- **{t('framework_citation')}:** {escape(report.framework_citation)}")
    out += [f"- {escape(reference)}" for reference in report.references]
    out += ["", f"*{escape(t('generated_by'))}*"]
    return "\n".join(out) + "\n"


def render_comparison_markdown(comparison: Comparison, *, lang: str | None = None) -> str:
    """Units side by side as a Markdown table: level, score and rank per dimension and overall.

    >>> from policyeval.report._examples import two_unit_result
    >>> from policyeval.report.compare import compare
    >>> print(render_comparison_markdown(compare([two_unit_result()]), lang="en"))
    ## Comparison
    <BLANKLINE>
    *Levels, scores and ranks per dimension and overall (rank 1 is the highest score), then each unit's strengths and weaknesses: the indicators where it ranks best and worst*
    <BLANKLINE>
    | Node | North | South |
    | --- | --- | --- |
    | People | Good 3.00 (#1) | Fair 1.67 (#2) |
    | Money | Good 3.00 (#1) | Good 3.00 (#1) |
    | Overall: Programme | Good 3.00 (#1) | Fair 2.33 (#2) |
    | Overall confidence | low | very low |
    | Coverage | 3/3 indicators, 4 items | 3/3 indicators, 4 items |
    | Strengths | Staffing \\| headcount | – |
    | Weaknesses | – | Staffing \\| headcount |
    <BLANKLINE>
    """
    lang = lang or comparison.language
    lines = [
        f"## {text('comparison', lang)}",
        "",
        f"*{escape(text('comparison_caption', lang))}*",
        "",
        *_comparison_table(comparison, lang),
    ]
    if comparison.rejected:
        lines += ["", f"### {text('rejected', lang)}", ""]
        lines += [f"- {escape(line)}" for line in rejected_lines(comparison, lang)]
    return "\n".join(lines) + "\n"
