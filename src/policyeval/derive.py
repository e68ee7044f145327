"""Quantitative evidence derived from data tables.

A case can compute evidence from its tables instead of typing it in: the
budget realisation rate from a budget table, the number of events from an
event list. Each ``[[derived]]`` entry of ``case.toml`` names a table, a
``measure`` (``ratio`` of two column sums, ``sum`` of a column, or
``count`` of rows), optional ``where`` filters and a ``multiply`` factor.
For an indicator rated on an ordinal scale, the entry's ``bands`` turn the
number into a level; for a numeric indicator the number is the value.

The derived item records how it was computed, so a reader can redo it, and
says which rows were left out for lack of a figure.

>>> import pathlib, tempfile
>>> from policyeval import frameworks
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "b.csv").write_text("line,allocation,realisation\\nA,100,50\\nB,100,\\n", encoding="utf-8")
>>> spec = parse_derivations([{
...     "id": "D1", "indicator": "pengelolaan_anggaran", "table": "b.csv", "measure": "ratio",
...     "numerator": "realisation", "denominator": "allocation", "multiply": 100, "unit": "%",
...     "bands": {"cuts": [50, 75, 90], "levels": ["tidak_baik", "kurang_baik", "cukup_baik", "baik"]},
...     "source": "report", "technique": "documentation"}])
>>> item = derive_evidence(spec, base=folder, framework=frameworks.load("agustino"), unit="u")[0]
>>> item.rating, item.extra["derived_value"]
('tidak_baik', '50')
>>> print(item.extra["derivation"])
sum(realisation) / sum(allocation) × 100 over b.csv; row 3 left out (no realisation)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from policyeval.evidence import Evidence, Origin
from policyeval.exceptions import CaseError, EvidenceError, Problem, ScaleError, did_you_mean
from policyeval.files import OUTSIDE_FOLDER, inside
from policyeval.framework import Framework
from policyeval.scales import Bands, NumericScale, OrdinalScale
from policyeval.tables import filter_rows, fold_column, parse_number, read_table
from policyeval.texts import Text

__all__ = ["Derivation", "derive_evidence", "parse_derivations"]

_KEYS = {
    "id",
    "indicator",
    "table",
    "measure",
    "numerator",
    "denominator",
    "column",
    "where",
    "multiply",
    "unit",
    "bands",
    "source",
    "source_category",
    "technique",
    "citation",
    "why",
    "excerpt",
    "excerpt_en",
    "date",
    "investigator",
    "case_unit",
}


@attrs.frozen(kw_only=True)
class Derivation:
    """How to compute one evidence item from a table."""

    id: str
    indicator: str
    table: str
    measure: str
    numerator: str | None = None
    denominator: str | None = None
    where: dict[str, Any] = attrs.field(factory=dict)
    multiply: float = 1.0
    unit: str | None = None
    bands: Bands | None = None
    source: str
    source_category: str | None = None
    technique: str = "documentation"
    citation: str | None = None
    why: Text | None = None
    excerpt: str | None = None
    excerpt_en: str | None = None
    case_unit: str | None = None


def parse_derivations(
    entries: Sequence[Mapping[str, Any]], *, file: str | None = None
) -> tuple[Derivation, ...]:
    """Validate ``[[derived]]`` entries; raise :class:`CaseError` listing every problem."""
    problems = []
    out = []
    first_key: dict[str, str] = {}
    for index, entry in enumerate(entries):
        key = f"derived[{index}]"
        entry_id = entry.get("id")
        if entry_id and str(entry_id) in first_key:
            problems.append(
                Problem(
                    f"duplicate derived item id (first at {first_key[str(entry_id)]})",
                    file=file,
                    key=f"{key}.id",
                    value=entry_id,
                )
            )
        elif entry_id:
            first_key[str(entry_id)] = key
        for unknown in sorted(set(entry) - _KEYS):
            problems.append(Problem("unknown key", file=file, key=f"{key}.{unknown}"))
        for needed in ("id", "indicator", "table", "measure", "source"):
            if not entry.get(needed):
                problems.append(Problem("missing value", file=file, key=f"{key}.{needed}"))
        measure = entry.get("measure")
        if measure not in ("ratio", "sum", "count"):
            problems.append(
                Problem(
                    "measure must be ratio, sum or count",
                    file=file,
                    key=f"{key}.measure",
                    value=measure,
                )
            )
        if measure == "ratio" and not (entry.get("numerator") and entry.get("denominator")):
            problems.append(Problem("a ratio needs numerator and denominator", file=file, key=key))
        if measure == "sum" and not (entry.get("numerator") or entry.get("column")):
            problems.append(Problem("a sum needs column", file=file, key=f"{key}.column"))
        multiply = entry.get("multiply", 1)
        if not (
            isinstance(multiply, int | float)
            and not isinstance(multiply, bool)
            and math.isfinite(multiply)
        ):
            problems.append(
                Problem("must be a number", file=file, key=f"{key}.multiply", value=multiply)
            )
        if not isinstance(entry.get("where") or {}, Mapping):
            problems.append(
                Problem(
                    "must be a table of column = value pairs",
                    file=file,
                    key=f"{key}.where",
                    value=entry["where"],
                )
            )
        bands = None
        if entry.get("bands") is not None:
            spec = entry["bands"]
            try:
                bands = Bands(
                    cuts=spec["cuts"], levels=spec["levels"], ties=spec.get("ties", "down")
                )
            except (KeyError, TypeError, ScaleError) as error:
                problems.append(Problem(f"invalid bands: {error}", file=file, key=f"{key}.bands"))
        if problems:
            continue
        out.append(
            Derivation(
                id=str(entry["id"]),
                indicator=str(entry["indicator"]),
                table=str(entry["table"]),
                measure=str(measure),
                numerator=entry.get("numerator") or entry.get("column"),
                denominator=entry.get("denominator"),
                where=dict(entry.get("where") or {}),
                multiply=float(entry.get("multiply", 1)),
                unit=entry.get("unit"),
                bands=bands,
                source=str(entry["source"]),
                source_category=entry.get("source_category"),
                technique=str(entry.get("technique", "documentation")),
                citation=entry.get("citation"),
                why=entry.get("why"),
                excerpt=entry.get("excerpt"),
                excerpt_en=entry.get("excerpt_en"),
                case_unit=entry.get("case_unit"),
            )
        )
    if problems:
        raise CaseError(problems)
    return tuple(out)


def _fmt(number: float) -> str:
    return f"{number:.4g}" if not float(number).is_integer() else str(int(number))


def derive_evidence(
    derivations: Sequence[Derivation],
    *,
    base: str | Path,
    framework: Framework,
    unit: str,
    sources: Mapping[str, Any] | None = None,
) -> tuple[Evidence, ...]:
    """Compute each derived item. Raise :class:`CaseError` when one cannot be computed."""
    items = []
    problems: list[Problem] = []
    for spec in derivations:
        try:
            items.append(_derive(spec, Path(base), framework, unit, sources))
        except (CaseError, EvidenceError) as error:
            problems.extend(error.problems)
    if problems:
        raise CaseError(problems)
    return tuple(items)


def _derive(
    spec: Derivation, base: Path, framework: Framework, unit: str, sources: Mapping[str, Any] | None
) -> Evidence:
    where = f"derived item {spec.id!r}"
    if spec.indicator not in framework or not framework.node(spec.indicator).is_indicator:
        hint = did_you_mean(spec.indicator, framework.indicators)
        raise CaseError([Problem(f"{where}: unknown indicator{hint}", value=spec.indicator)])
    source = sources.get(spec.source) if sources is not None else None
    if sources is not None and source is None:
        raise CaseError(
            [Problem(f"{where}: unknown source (not in the sources table)", value=spec.source)]
        )
    path = inside(base, spec.table)
    if path is None:
        raise CaseError([Problem(f"{where}: table {OUTSIDE_FOLDER}", value=spec.table)])
    table = read_table(path)
    columns = [fold_column(c) for c in (spec.numerator, spec.denominator) if c]
    # A filter on a missing column would match nothing and silently give 0.
    for column in [*columns, *(fold_column(str(c)) for c in spec.where)]:
        if not table.has(column):
            raise CaseError(
                [Problem(f"{where}: no column {column!r}", file=table.file, row=table.header_row)]
            )
    rows = filter_rows(table, spec.where)
    left_out = []
    used = []
    for row in rows:
        if any(row.get(c) is None for c in columns):
            empty = ", ".join(c for c in columns if row.get(c) is None)
            left_out.append(f"row {row.number} left out (no {empty})")
            continue
        used.append(row)

    def total(column: str) -> float:
        try:
            return sum(
                parse_number(row.get(column) or "", decimal_comma=table.decimal_comma)
                for row in used
            )
        except ValueError as error:
            raise CaseError([Problem(f"{where}: {error}", file=table.file, key=column)]) from None

    name = Path(spec.table).name
    filters = f" where {spec.where}" if spec.where else ""
    if spec.measure == "count":
        number = float(len(used))
        formula = f"count of rows of {name}{filters}"
    elif spec.measure == "sum":
        assert spec.numerator is not None
        number = total(fold_column(spec.numerator))
        formula = f"sum({fold_column(spec.numerator)}) over {name}{filters}"
    else:
        assert spec.numerator is not None and spec.denominator is not None
        denominator = total(fold_column(spec.denominator))
        if denominator == 0:
            raise CaseError([Problem(f"{where}: the denominator sums to 0", file=table.file)])
        number = total(fold_column(spec.numerator)) / denominator
        formula = f"sum({fold_column(spec.numerator)}) / sum({fold_column(spec.denominator)})"
        formula += f" × {_fmt(spec.multiply)}" if spec.multiply != 1 else ""
        formula += f" over {name}{filters}"
    if spec.measure != "ratio" and spec.multiply != 1:
        formula += f" × {_fmt(spec.multiply)}"
    number *= spec.multiply
    if left_out:
        formula += "; " + "; ".join(left_out)
    scale = framework.scale_of(spec.indicator)
    rating: str | None = None
    value: float | None = None
    if isinstance(scale, OrdinalScale):
        if spec.bands is None:
            raise CaseError(
                [
                    Problem(
                        f"{where}: indicator {spec.indicator!r} is ordinal; give bands to turn the number into a level"
                    )
                ]
            )
        rating = spec.bands.level_for(number)
        if scale.find(rating) is None:
            raise CaseError(
                [Problem(f"{where}: bands give {rating!r}, not a level of scale {scale.id!r}")]
            )
    elif isinstance(scale, NumericScale):
        if not scale.contains(number):
            # The same rule as for a value typed into an evidence table.
            raise CaseError(
                [
                    Problem(
                        f"{where}: {_fmt(number)} is outside scale {scale.id!r} "
                        f"[{scale.minimum}, {scale.maximum}]",
                        file=table.file,
                    )
                ]
            )
        value = number
    shown = f"{_fmt(number)}{spec.unit or ''}"
    excerpt = spec.excerpt or f"{spec.indicator}: {shown} ({formula})"
    extra: dict[str, Any] = {"derived_value": _fmt(number), "derivation": formula}
    if spec.unit:
        extra["derived_unit"] = spec.unit
    if spec.excerpt_en:
        extra["excerpt_en"] = spec.excerpt_en
    if spec.why:
        extra["why"] = spec.why if isinstance(spec.why, str) else dict(spec.why)
    return Evidence(
        id=spec.id,
        unit=spec.case_unit or unit,
        indicator=spec.indicator,
        rating=rating,
        value=value,
        source=spec.source,
        source_category=spec.source_category or (source.category if source is not None else None),
        technique=spec.technique,
        excerpt=excerpt,
        citation=spec.citation,
        extra=extra,
        origin=Origin(table.file, None),
    )
