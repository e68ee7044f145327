"""Reported verdicts: what the evaluated study (or any authority) concluded, held apart from evidence.

A published evaluation states its own verdicts ("the human-resource
indicators work well", "the programme works fairly well"). Re-encoding a
study must not turn those statements into evidence, or the re-analysis would
only copy them. A case keeps them instead in a *reported verdicts* table
(``reported.csv``: ``unit``, ``node``, ``level``, ``citation``, ``excerpt``;
any other column is kept in :attr:`ReportedVerdict.extra`), and
:func:`compare_reported` sets each one beside the evidence-based judgement:

``agrees``
    the study's level is the level the evidence gives;
``differs``
    the evidence gives another level;
``not_reported``
    the study states no verdict on the node;
``no_evidence``
    the study states a verdict, but the evidence gives the node no level.

>>> import pathlib, tempfile
>>> from policyeval import evaluate, frameworks
>>> from policyeval.evidence import Evidence
>>> fw = frameworks.load("agustino")
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "reported.csv").write_text(
...     "unit,node,level,citation,excerpt\\n"
...     "kota,kompetensi,baik,Kesimpulan 1,kompeten\\n"
...     "kota,kapabilitas,Baik,Kesimpulan 1,\\n", encoding="utf-8")
>>> reported = load_reported(folder / "reported.csv", fw, units=["kota"])
>>> items = [Evidence(id="E1", unit="kota", indicator="kompetensi", rating="cukup_baik",
...                   source="s", technique="interview")]
>>> rows = compare_reported(evaluate(fw, items, units=["kota"]), reported)
>>> [(row.node, row.agreement) for row in rows if row.reported is not None]
[('kompetensi', 'differs'), ('kapabilitas', 'no_evidence')]
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from policyeval.evidence import Origin
from policyeval.exceptions import EvidenceError, Problem
from policyeval.framework import Framework
from policyeval.results import Evaluation
from policyeval.scales import OrdinalScale
from policyeval.tables import Row, Table, read_table

__all__ = [
    "AGREEMENTS",
    "Agreement",
    "ReportedVerdict",
    "compare_reported",
    "load_reported",
    "summarise_agreement",
]

AGREEMENTS = ("agrees", "differs", "not_reported", "no_evidence")
"""The values of :attr:`Agreement.agreement`."""

_KNOWN = {"unit", "node", "level", "citation", "excerpt"}


def _extra(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(sorted((value or {}).items()))


@attrs.frozen(kw_only=True)
class ReportedVerdict:
    """A verdict the evaluated study states on one node for one unit, with where it says so."""

    unit: str
    node: str
    level: str
    citation: str
    excerpt: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, converter=_extra)
    origin: Origin | None = attrs.field(default=None, eq=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (without unit and node, which the document's keys give)."""
        return {
            "level": self.level,
            "citation": self.citation,
            "excerpt": self.excerpt,
            **({"extra": self.extra} if self.extra else {}),
        }


@attrs.frozen(kw_only=True)
class Agreement:
    """A reported verdict (or its absence) beside the evidence-based level of one node."""

    unit: str
    node: str
    level: str | None
    reported: ReportedVerdict | None
    agreement: str

    @property
    def reported_level(self) -> str | None:
        """The study's level, or ``None`` when it states none."""
        return None if self.reported is None else self.reported.level


def load_reported(
    path: str | os.PathLike[str],
    framework: Framework,
    *,
    units: Sequence[str] | None = None,
    default_unit: str | None = None,
) -> tuple[ReportedVerdict, ...]:
    """Read and validate a reported-verdicts table (CSV or XLSX).

    Every problem (missing column or value, unknown unit or node, a level
    not on the node's scale, a node reported twice) is collected and raised
    together as an :class:`~policyeval.exceptions.EvidenceError` naming the
    file, row and column. Levels are matched as evidence ratings are
    (case and spaces do not matter) and stored as level ids.
    """
    table = read_table(path)
    problems: list[Problem] = []
    required = ["node", "level", "citation"]
    if default_unit is None:
        required.insert(0, "unit")
    for column in required:
        if not table.has(column):
            problems.append(
                Problem(
                    "missing required column", file=table.file, row=table.header_row, key=column
                )
            )
    if problems:
        raise EvidenceError(problems)
    allowed = set(units) if units is not None else None
    verdicts: list[ReportedVerdict] = []
    first: dict[tuple[str, str], int] = {}
    for row in table.rows:
        verdict, found = _row_to_verdict(row, table, framework, allowed, default_unit)
        unit, node = row.get("unit") or default_unit, row.get("node")
        if unit is not None and node is not None:
            if (unit, node) in first:
                found.append(
                    Problem(
                        f"reported twice for unit {unit!r} (first at row {first[unit, node]})",
                        file=table.file,
                        row=row.number,
                        key="node",
                        value=node,
                    )
                )
            else:
                first[unit, node] = row.number
        if found or verdict is None:
            problems.extend(found)
            continue
        verdicts.append(verdict)
    if problems:
        raise EvidenceError(problems)
    return tuple(verdicts)


def _row_to_verdict(
    row: Row,
    table: Table,
    framework: Framework,
    allowed: set[str] | None,
    default_unit: str | None,
) -> tuple[ReportedVerdict | None, list[Problem]]:
    found: list[Problem] = []

    def bad(column: str, message: str, value: object = None) -> None:
        if value is None:
            found.append(Problem(message, file=table.file, row=row.number, key=column))
        else:
            found.append(Problem(message, file=table.file, row=row.number, key=column, value=value))

    if "__overflow__" in row.values:
        bad("row", "more cells than the header has columns", row.values["__overflow__"])
    unit = row.get("unit") or default_unit
    if unit is None:
        bad("unit", "missing value")
    elif allowed is not None and unit not in allowed:
        bad("unit", f"unknown unit (the case declares {sorted(allowed)!r})", unit)
    node = row.get("node")
    level_id: str | None = None
    if node is None:
        bad("node", "missing value")
    elif node not in framework:
        bad("node", f"unknown node (not in framework {framework.id!r})", node)
    level_text = row.get("level")
    if level_text is None:
        bad("level", "missing value")
    elif node is not None and node in framework:
        scale = framework.scale_of(node)
        level = scale.find(level_text) if isinstance(scale, OrdinalScale) else None
        if level is None:
            choices = (
                ", ".join(lv.id for lv in scale.levels)
                if isinstance(scale, OrdinalScale)
                else "none: the node's scale is not ordinal"
            )
            bad("level", f"is not a level of the node's scale (levels: {choices})", level_text)
        else:
            level_id = level.id
    citation = row.get("citation")
    if citation is None:
        bad("citation", "missing value: say where the study states the verdict")
    if found or unit is None or node is None or level_id is None or citation is None:
        return None, found
    verdict = ReportedVerdict(
        unit=unit,
        node=node,
        level=level_id,
        citation=citation,
        excerpt=row.get("excerpt"),
        extra={k: v.strip() for k, v in row.values.items() if k not in _KNOWN and v.strip()},
        origin=Origin(table.file, row.number),
    )
    return verdict, found


def compare_reported(
    evaluation: Evaluation, reported: Sequence[ReportedVerdict]
) -> tuple[Agreement, ...]:
    """Set every node's evidence-based level beside the verdict the study reports.

    One :class:`Agreement` per unit and node of the evaluation, in the
    evaluation's unit order and the framework's declaration order. Reported
    verdicts on units the evaluation does not hold are ignored.
    """
    by_key = {(verdict.unit, verdict.node): verdict for verdict in reported}
    rows = []
    for unit in evaluation.units:
        levels = evaluation.unit_levels(unit)
        for node in evaluation.framework.node_ids:
            level = levels[node]
            verdict = by_key.get((unit, node))
            if verdict is None:
                agreement = "not_reported"
            elif level is None:
                agreement = "no_evidence"
            else:
                agreement = "agrees" if level == verdict.level else "differs"
            rows.append(
                Agreement(unit=unit, node=node, level=level, reported=verdict, agreement=agreement)
            )
    return tuple(rows)


def summarise_agreement(rows: Sequence[Agreement], unit: str) -> dict[str, int]:
    """Counts per agreement value for one unit, plus ``reported`` (the verdicts the study states).

    >>> summarise_agreement([], "u")
    {'reported': 0, 'agrees': 0, 'differs': 0, 'not_reported': 0, 'no_evidence': 0}
    """
    mine = [row for row in rows if row.unit == unit]
    counts = {"reported": sum(row.reported is not None for row in mine)}
    for value in AGREEMENTS:
        counts[value] = sum(row.agreement == value for row in mine)
    return counts
