"""Self-contained HTML reports: one file, inline CSS and SVG, nothing fetched, printable.

The page needs no script, font, stylesheet or image from anywhere else; the
charts are inline SVG with text alternatives, tables have captions and
header scopes, and levels are written as text as well as shown as colour.
The same result gives byte-identical HTML.

>>> from policyeval.report._examples import two_unit_result
>>> page = render_html(two_unit_result(), lang="en")
>>> page.startswith('<!DOCTYPE html>\\n<html lang="en">')
True
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

import jinja2
from markupsafe import Markup

from policyeval.report._input import Reportable
from policyeval.report._strings import depth_marks
from policyeval.report.charts import (
    GraphNode,
    driver_chart,
    framework_graph,
    heatmap,
    radar_chart,
)
from policyeval.report.model import Report, UnitReport, build_report
from policyeval.report.stability import (
    driver_description,
    driver_groups,
    drivers_intro,
    stability_intro,
    stability_rows,
)
from policyeval.report.text import comparison_rows

if TYPE_CHECKING:
    from policyeval.sensitivity import Sensitivity

__all__ = ["render_html", "write_html"]


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("policyeval.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["depth_marks"] = depth_marks
    return environment


def _charts(report: Report, unit: UnitReport) -> dict[str, Markup]:
    t = report.t
    values = "; ".join(
        f"{row.label} {row.score_text}" + (f" ({row.level_text})" if row.level_text else "")
        for row in unit.top
    )
    radar = radar_chart(
        [
            (row.label, row.score, " · ".join(filter(None, (row.score_text, row.level_text))))
            for row in unit.top
        ],
        minimum=report.minimum,
        maximum=report.maximum,
        title=t("radar"),
        description=t(
            "radar_desc",
            minimum=f"{report.minimum:g}",
            maximum=f"{report.maximum:g}",
            values=values,
        ),
        key=f"{unit.key}-radar",
        ticks=[(level.score, level.label) for level in reversed(report.levels)],
    )
    graph = framework_graph(
        [
            GraphNode(
                row.id,
                row.label,
                " · ".join(filter(None, (row.level_text, row.score_text))),
                row.colour,
                row.parents,
                row.depth,
            )
            for row in unit.nodes
        ],
        title=t("graph"),
        description=t("graph_desc")
        + " "
        + "; ".join(f"{row.label}: {row.level_text}" for row in unit.nodes),
        key=f"{unit.key}-graph",
    )
    out = {"radar": Markup(radar), "graph": Markup(graph)}
    for name, caption, columns, cells in (
        ("techniques", t("matrix_technique"), unit.techniques, unit.by_technique),
        ("categories", t("matrix_category"), unit.categories, unit.by_category),
    ):
        said = "; ".join(
            f"{row.label}: "
            + (
                ", ".join(
                    f"{column} {total}" if agreeing == total else f"{column} {agreeing}/{total}"
                    for column, (agreeing, total) in zip(columns, cells[index], strict=True)
                    if total
                )
                or t("none")
            )
            for index, row in enumerate(unit.indicators)
        )
        out[name] = Markup(
            heatmap(
                [row.label for row in unit.indicators],
                columns,
                cells,
                title=caption,
                description=t("heatmap_desc", cells=said),
                key=f"{unit.key}-{name}",
            )
        )
    return out


def _drivers(stability: Sensitivity, report: Report) -> list[tuple[str, Markup]]:
    """One driver chart per unit: (the unit's label, the SVG)."""
    groups = driver_groups(stability, report.lang)
    labels = {unit.id: unit.label for unit in report.units}
    charts = []
    for unit in stability.units:
        if unit not in labels:
            continue  # a unit the report leaves out
        mine = [group for group in groups if group.unit == unit]
        label = labels[unit]
        title = report.t("stability_drivers")
        if len(report.units) > 1:
            title += f": {label}"
        charts.append(
            (
                label,
                Markup(
                    driver_chart(
                        [
                            (
                                group.label,
                                [(bar.label, bar.first, bar.total) for bar in group.bars],
                            )
                            for group in mine
                        ],
                        title=title,
                        description=" ".join(
                            driver_description(group, report.lang) for group in mine
                        ),
                        key=f"drivers-{unit}",
                        total_text=report.t("driver_total"),
                        empty_text=report.t("stability_drivers_none"),
                    )
                ),
            )
        )
    return charts


def render_html(
    result: Reportable,
    *,
    lang: str | None = None,
    stability: Sensitivity | None = None,
    units: Iterable[str] | None = None,
) -> str:
    """The full report as one self-contained HTML page (``lang`` defaults to the case's).

    With ``stability`` (a :func:`policyeval.sensitivity.sensitivity_case`
    result) the page gains a section on how stable each verdict is.
    ``units`` keeps only these units (see :func:`~policyeval.report.build_report`).

    >>> from policyeval.report._examples import two_unit_result
    >>> page = render_html(two_unit_result(), lang="id")
    >>> "<title>Kasus mini</title>" in page and page.count("<svg") == 8
    True
    """
    return "".join(_pieces(result, lang=lang, stability=stability, units=units))


def write_html(
    result: Reportable,
    out: TextIO,
    *,
    lang: str | None = None,
    stability: Sensitivity | None = None,
    units: Iterable[str] | None = None,
) -> None:
    """Write :func:`render_html`'s page to the text stream ``out`` as it is rendered, never
    holding the whole page: a report of many units takes a fraction of the memory.

    >>> import io
    >>> from policyeval.report._examples import two_unit_result
    >>> out = io.StringIO()
    >>> write_html(two_unit_result(), out, lang="id")
    >>> out.getvalue() == render_html(two_unit_result(), lang="id")
    True
    """
    pieces = _pieces(result, lang=lang, stability=stability, units=units)
    while batch := list(itertools.islice(pieces, _PIECES_AT_ONCE)):
        out.write("".join(batch))


_PIECES_AT_ONCE = 16_384  # template pieces joined for each write


def _pieces(
    result: Reportable,
    *,
    lang: str | None,
    stability: Sensitivity | None,
    units: Iterable[str] | None,
) -> Iterator[str]:
    """The page, piece by piece as the template renders it."""
    report = build_report(result, lang=lang, units=units)
    several = len(report.units) > 1
    shown = {unit.id for unit in report.units}
    context: dict[str, Any] = {
        "r": report,
        "t": report.t,
        "several": several,
        "h": 3 if several else 2,
        "charts": {unit.key: _charts(report, unit) for unit in report.units},
        "comparison": (
            comparison_rows(report.comparison, report.lang)
            if report.comparison is not None
            else None
        ),
        "stability": (
            stability_rows(stability, report.lang, units=shown) if stability is not None else None
        ),
        "stability_intro": (
            stability_intro(stability, report.lang) if stability is not None else ""
        ),
        "drivers": _drivers(stability, report) if stability is not None else [],
        "drivers_intro": drivers_intro(report.lang),
    }
    return _environment().get_template("report.html.j2").generate(context)
