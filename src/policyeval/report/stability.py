"""The stability section of a report: how often each verdict holds across the draws.

Reads a :class:`~policyeval.sensitivity.Sensitivity` only; nothing is
evaluated again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from policyeval.report._strings import text

if TYPE_CHECKING:
    from policyeval.sensitivity import Sensitivity

__all__ = ["StabilityRow", "stability_rows"]


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


def stability_rows(result: Sensitivity, lang: str) -> list[StabilityRow]:
    """One row per unit and inner node, in unit then framework order, with labels in ``lang``."""
    framework = result.framework
    document = result.to_dict()
    rows = []
    for unit, entry in document["units"].items():
        for node in framework.inner_nodes:
            cell = entry["nodes"][node]
            scale = framework.scale_of(node)

            def label_of(level: str | None, scale: object = scale) -> str:
                if level is None or level == "none":
                    return text("stability_none", lang)
                found = getattr(scale, "find", lambda _: None)(level)
                return str(found.text(lang)) if found is not None else level

            indices = {k: v for k, v in cell.get("sensitivity", {}).items() if v is not None}
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
