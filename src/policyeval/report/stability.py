"""The stability section of a report: how often each verdict holds across the draws.

Reads a :class:`~policyeval.sensitivity.Sensitivity` only; nothing is
evaluated again.
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

import attrs

from policyeval.report._strings import kind_text, text

if TYPE_CHECKING:
    from policyeval.sensitivity import Sensitivity

__all__ = [
    "DriverBar",
    "DriverGroup",
    "StabilityRow",
    "driver_description",
    "driver_groups",
    "drivers_intro",
    "input_label",
    "stability_intro",
    "stability_rows",
]

DRIVERS_SHOWN = 3


@attrs.frozen(kw_only=True)
class StabilityRow:
    """One unit and node: its nominal verdict, that verdict's share, and the spread."""

    unit: str
    node: str
    label: str
    nominal: str
    share: str
    levels: str
    score: str
    rank: str
    driver: str


def _interval(summary: dict[str, float | None]) -> str:
    if summary["median"] is None:
        return "–"
    return f"{summary['median']:.3g} [{summary['p5']:.3g}–{summary['p95']:.3g}]"


def stability_rows(
    result: Sensitivity,
    lang: str,
    *,
    indicators: bool = False,
    units: Container[str] | None = None,
) -> list[StabilityRow]:
    """One row per unit (of ``units``, when given) and inner node (and indicator, with
    ``indicators``), in unit then framework order, with labels in ``lang``."""
    framework = result.framework
    document = result.to_dict()
    nodes = framework.node_ids if indicators else framework.inner_nodes
    rows = []
    for unit, entry in document["units"].items():
        if units is not None and unit not in units:
            continue
        for node in nodes:
            cell = entry["nodes"][node]
            scale = framework.scale_of(node)

            def label_of(level: str | None, scale: object = scale) -> str:
                if level is None or level == "none":
                    return text("stability_none", lang)
                found = getattr(scale, "find", lambda _: None)(level)
                return str(found.text(lang)) if found is not None else level

            # The total index when the design gives one (it includes interactions).
            indices = {
                k: v
                for k, v in cell.get("total", cell.get("sensitivity", {})).items()
                if v is not None
            }
            driver = max(indices, key=lambda k: (indices[k], k)) if indices else ""
            rows.append(
                StabilityRow(
                    unit=unit,
                    node=node,
                    label=framework.label(node, lang),
                    nominal=label_of(cell["nominal"]),
                    share=f"{100 * (cell['nominal_share'] or 0):.0f} %",
                    levels=", ".join(
                        f"{label_of(level)} {100 * share:.0f} %"
                        for level, share in cell["levels"].items()
                    ),
                    score=_interval(cell["score"]),
                    rank=_interval(cell["rank"]),
                    driver=f"{driver} ({indices[driver]:.2f})" if driver else "–",
                )
            )
    return rows


@attrs.frozen(kw_only=True)
class DriverBar:
    """One input's sensitivity indices for one node's score (``total``: Saltelli only)."""

    name: str
    label: str
    first: float | None
    total: float | None


@attrs.frozen(kw_only=True)
class DriverGroup:
    """The inputs that drive one unit's node most, largest index first."""

    unit: str
    node: str
    label: str
    bars: tuple[DriverBar, ...]


def input_label(result: Sensitivity, name: str, lang: str) -> str:
    """An input's name in words, in ``lang``.

    >>> from policyeval import frameworks
    >>> from policyeval.sensitivity import Uncertainty, sensitivity
    >>> from policyeval.evidence import Evidence
    >>> fw = frameworks.load("agustino")
    >>> items = [Evidence(id="E1", unit="u", indicator="kompetensi", rating="baik", source="s",
    ...                   source_category="asn", technique="interview")]
    >>> result = sensitivity(fw, items, uncertainty=Uncertainty(leave_out=["source"]), draws=2)
    >>> input_label(result, "leave_out:source", "id")
    'menghilangkan satu sumber'
    >>> input_label(result, "weight:program>keuangan", "en")
    'weight of Finance in Programme under evaluation'
    """
    framework = result.framework
    kind, _, detail = name.partition(":")
    if kind == "weight":
        parent, _, child = detail.partition(">")
        return text(
            "driver_weight",
            lang,
            child=framework.label(child, lang),
            parent=framework.label(parent, lang),
        )
    if kind == "aggregator":
        if detail == "*":
            return text("driver_aggregator_all", lang)
        return text("driver_aggregator", lang, kind=kind_text(detail, lang))
    if kind == "threshold":
        return text("driver_threshold", lang, name=detail)
    if kind == "leave_out":
        return text(f"driver_leave_out_{detail}", lang)
    return text(f"driver_{kind}", lang)


def driver_groups(result: Sensitivity, lang: str, *, top: int = DRIVERS_SHOWN) -> list[DriverGroup]:
    """Per unit, the root and its children, each with its ``top`` inputs by index.

    Inputs are ordered by total index when the design gives one, else by
    first-order index (ties by name); inputs with no index or an index of 0
    are left out, so a node whose score never moves has no bars.
    """
    framework = result.framework
    document = result.to_dict()
    shown = [framework.root, *framework.children(framework.root)]
    nodes = [node for node in shown if not framework.node(node).is_indicator]
    groups = []
    for unit, entry in document["units"].items():
        for node in nodes:
            cell = entry["nodes"][node]
            first = cell.get("sensitivity", {})
            total = cell.get("total", {})
            ranked = sorted(
                (name for name in first if (total.get(name) or first[name] or 0) > 0),
                key=lambda name: (-(total.get(name) or first[name] or 0.0), name),
            )
            groups.append(
                DriverGroup(
                    unit=unit,
                    node=node,
                    label=framework.label(node, lang),
                    bars=tuple(
                        DriverBar(
                            name=name,
                            label=input_label(result, name, lang),
                            first=first[name],
                            total=total.get(name),
                        )
                        for name in ranked[:top]
                    ),
                )
            )
    return groups


def stability_intro(result: Sensitivity, lang: str) -> str:
    """The section's opening words: the draws, and for a Saltelli design what its indices are."""
    intro = text("stability_intro", lang, draws=result.draws, seed=result.seed)
    if result.base_sample is not None:
        intro += " " + text("stability_saltelli", lang, base=result.base_sample, draws=result.draws)
    return intro


def drivers_intro(lang: str, *, top: int = DRIVERS_SHOWN) -> str:
    """What the driver chart shows."""
    return text("stability_drivers_intro", lang, count=top)


def driver_description(group: DriverGroup, lang: str) -> str:
    """A group's bars as a sentence (the chart's text alternative).

    >>> bar = DriverBar(name="scorer", label="normaliser", first=0.5, total=0.75)
    >>> driver_description(DriverGroup(unit="u", node="n", label="Index", bars=(bar,)), "en")
    'Index: normaliser 0.50 (total 0.75).'
    """
    parts = []
    for bar in group.bars:
        part = f"{bar.label} {_index(bar.first)}"
        if bar.total is not None:
            part += f" ({text('driver_total', lang)} {_index(bar.total)})"
        parts.append(part)
    bars = "; ".join(parts) or text("stability_drivers_none", lang)
    return text("stability_drivers_desc", lang, node=group.label, bars=bars)


def _index(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"
