"""Loading evidence and sources tables, with every bad row located.

:func:`load_evidence` reads a CSV or XLSX evidence table against a framework.
Strict by default: when any row is bad it raises one
:class:`~policyeval.exceptions.EvidenceError` listing every problem with its
file, row, column and value. With ``lenient=True`` it keeps the good rows and
returns each rejected row with its reason. Nothing is dropped silently:
every data row ends up either in :attr:`EvidenceSet.items` or in
:attr:`EvidenceSet.rejected`.

Required columns: ``id``, ``indicator``, ``rating`` or ``value``,
``source``, and ``technique`` (unless a sources table gives each source's
technique). Optional: ``unit``, ``source_category``, ``date`` (ISO or
day first, see :func:`policyeval.dates.parse_date`), ``investigator``,
``weight``, ``excerpt``, ``citation``,
``attribution`` (``stated``, the default, or ``inferred``: whether the source
and technique are as the study states them or the encoder's inference); any
other column is kept in :attr:`Evidence.extra`.

>>> import pathlib, tempfile
>>> from policyeval import frameworks
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "e.csv").write_text(
...     "id;indicator;rating;source;technique\\n"
...     "E1;kompetensi;Baik;komisioner;interview\\n"
...     "E2;kompetensi;bagus;staf;interview\\n", encoding="utf-8")
>>> found = load_evidence(folder / "e.csv", frameworks.load("agustino"), default_unit="kota", lenient=True)
>>> [item.rating for item in found.items]
['baik']
>>> print(found.rejected[0].reason)  # doctest: +ELLIPSIS
rating: is not a level of scale 'agustino4' (levels: baik, cukup_baik, kurang_baik, tidak_baik) (got 'bagus')
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from policyeval._frozen import frozen_dict
from policyeval.dates import parse_date
from policyeval.evidence import ATTRIBUTIONS, Evidence, Origin, Source
from policyeval.exceptions import EvidenceError, PolicyEvalWarning, Problem, did_you_mean
from policyeval.framework import Framework
from policyeval.identifiers import identifier_problem, normalise_identifier
from policyeval.scales import NumericScale, OrdinalScale
from policyeval.tables import Row, Table, TableLimits, number_hint, parse_number, read_table

__all__ = [
    "SOURCE_COLUMNS",
    "EvidenceSet",
    "Rejection",
    "evidence_from_rows",
    "load_evidence",
    "load_sources",
]

SOURCE_COLUMNS = ("id", "name", "category", "technique", "description", "citation")
"""The columns of a sources table, in the order ``policyeval init`` writes them."""

_CORE = {
    "id",
    "unit",
    "indicator",
    "rating",
    "value",
    "source",
    "source_category",
    "technique",
    "date",
    "investigator",
    "weight",
    "excerpt",
    "citation",
    "attribution",
}


@attrs.frozen(kw_only=True)
class Rejection:
    """An input row that was not used, and why."""

    file: str | None
    row: int | None
    id: str | None
    reason: str
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``rejected`` entries of an evaluation)."""
        out: dict[str, Any] = {
            "file": self.file,
            "row": self.row,
            "id": self.id,
            "reason": self.reason,
        }
        if self.column is not None:
            out["column"] = self.column
        return out

    @classmethod
    def from_problem(cls, problem: Problem, row_id: str | None) -> Rejection:
        """Turn a located :class:`Problem` into a rejection of its row."""
        reason = str(attrs.evolve(problem, file=None, row=None, line=None))
        return cls(file=problem.file, row=problem.row, id=row_id, reason=reason, column=problem.key)


@attrs.frozen(kw_only=True)
class EvidenceSet:
    """Evidence items that passed validation, the rows that did not, and the sources."""

    items: tuple[Evidence, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    sources: dict[str, Source] = attrs.field(factory=dict, converter=frozen_dict)

    @property
    def units(self) -> tuple[str, ...]:
        """The units the items speak of, sorted."""
        return tuple(sorted({item.unit for item in self.items}))

    def for_indicator(self, unit: str, indicator: str) -> tuple[Evidence, ...]:
        """The items about one indicator for one unit, in file order."""
        return tuple(i for i in self.items if i.unit == unit and i.indicator == indicator)

    def by_id(self) -> dict[str, Evidence]:
        """The items keyed by id."""
        return {item.id: item for item in self.items}

    def plus(self, items: Iterable[Evidence], rejected: Iterable[Rejection] = ()) -> EvidenceSet:
        """A new set with more items (and rejections) appended."""
        return attrs.evolve(
            self, items=self.items + tuple(items), rejected=self.rejected + tuple(rejected)
        )


def load_sources(
    path: str | os.PathLike[str], *, lenient: bool = False
) -> tuple[dict[str, Source], tuple[Rejection, ...]]:
    """Read a sources table (``id``, ``name``, ``category``, ``technique`` ...).

    The columns are :data:`SOURCE_COLUMNS`; only ``id`` is required. Any
    other column is kept in :attr:`Source.extra <policyeval.evidence.Source.extra>`
    with a :class:`~policyeval.exceptions.PolicyEvalWarning` that lists the
    known columns, since it is more often a misspelt or translated name
    (``kategori``) than extra information.

    Returns the sources by id and the rejected rows (always empty in strict
    mode, which raises instead).
    """
    table = read_table(path)
    problems: list[tuple[Problem, str | None]] = []
    if not table.has("id"):
        raise EvidenceError(
            [Problem("missing required column", file=table.file, row=table.header_row, key="id")]
        )
    for column in table.columns:
        if column not in SOURCE_COLUMNS:
            hint, columns = did_you_mean(column, SOURCE_COLUMNS), ", ".join(SOURCE_COLUMNS)
            location = Problem(
                f"unknown column{hint}, kept as extra information (known columns: {columns})",
                file=table.file,
                row=table.header_row,
                key=column,
                message_id="table.unknown_source_column",
                params={"hint": hint, "columns": columns},
            )
            warnings.warn(PolicyEvalWarning(problem=location), stacklevel=2)
    sources: dict[str, Source] = {}
    first_row: dict[str, int] = {}
    for row in table.rows:
        source_id = row.get("id")
        if "__overflow__" in row.values:
            problems.append(
                (
                    Problem(
                        "more cells than the header has columns",
                        file=table.file,
                        row=row.number,
                        key="row",
                        value=row.values["__overflow__"],
                    ),
                    source_id,
                )
            )
            continue
        if source_id is None:
            problems.append(
                (Problem("missing value", file=table.file, row=row.number, key="id"), None)
            )
            continue
        id_problem = identifier_problem(source_id)
        if id_problem is not None:
            problems.append(
                (
                    Problem(id_problem, file=table.file, row=row.number, key="id", value=source_id),
                    source_id,
                )
            )
            continue
        source_id = normalise_identifier(source_id)
        if source_id in first_row:
            problems.append(
                (
                    Problem(
                        f"duplicate id (first at row {first_row[source_id]})",
                        file=table.file,
                        row=row.number,
                        key="id",
                        value=source_id,
                    ),
                    source_id,
                )
            )
            continue
        first_row[source_id] = row.number
        known = set(SOURCE_COLUMNS)
        sources[source_id] = Source(
            id=source_id,
            name=row.get("name"),
            category=row.get("category"),
            technique=row.get("technique"),
            description=row.get("description"),
            citation=row.get("citation"),
            extra={k: v.strip() for k, v in row.values.items() if k not in known and v.strip()},
            origin=Origin(table.file, row.number),
        )
    if problems and not lenient:
        raise EvidenceError(problem for problem, _ in problems)
    return sources, tuple(Rejection.from_problem(p, row_id) for p, row_id in problems)


def load_evidence(
    path: str | os.PathLike[str],
    framework: Framework,
    *,
    sources: Mapping[str, Source] | None = None,
    default_unit: str | None = None,
    units: Sequence[str] | None = None,
    lenient: bool = False,
    sheet: str | None = None,
    limits: TableLimits | None = None,
) -> EvidenceSet:
    """Read an evidence table (CSV or XLSX) and validate it against ``framework``.

    ``sources`` (from :func:`load_sources`) supply each source's category and
    technique when the row leaves them empty; when given, every row's source
    must be in it. ``default_unit`` is used for rows without a ``unit``;
    ``units``, when given, lists the units a row may name. ``limits`` raise
    the size limits of :class:`~policyeval.tables.TableLimits`; the header
    is checked before any data row is read.
    """
    table = read_table(
        path,
        sheet=sheet,
        check_header=lambda header: _check_columns(header, sources, default_unit),
        limits=limits,
    )
    return evidence_from_rows(
        table, framework, sources=sources, default_unit=default_unit, units=units, lenient=lenient
    )


def evidence_from_rows(
    table: Table,
    framework: Framework,
    *,
    sources: Mapping[str, Source] | None = None,
    default_unit: str | None = None,
    units: Sequence[str] | None = None,
    lenient: bool = False,
) -> EvidenceSet:
    """Validate the rows of an already-read :class:`~policyeval.tables.Table`.

    See :func:`load_evidence`.
    """
    header_problems = _check_columns(table, sources, default_unit)
    if header_problems:
        raise EvidenceError(header_problems)
    items: list[Evidence] = []
    rejected: list[Rejection] = []
    all_problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for row in table.rows:
        row_id = row.get("id")
        problems: list[Problem] = []
        if row_id is not None and row_id in first_row:
            problems.append(
                Problem(
                    f"duplicate id (first at row {first_row[row_id]})",
                    file=table.file,
                    row=row.number,
                    key="id",
                    value=row_id,
                )
            )
        item = None
        if not problems:
            item, problems = _row_to_evidence(
                row, table, framework, sources, default_unit, set(units) if units else None
            )
        if row_id is not None and row_id not in first_row:
            first_row[row_id] = row.number
        if problems or item is None:
            all_problems.extend(problems)
            rejected.extend(Rejection.from_problem(p, row_id) for p in problems[:1])
            if len(problems) > 1:
                rejected[-1] = attrs.evolve(
                    rejected[-1], reason="; ".join(_reason(p) for p in problems)
                )
            continue
        items.append(item)
    if all_problems and not lenient:
        raise EvidenceError(all_problems)
    return EvidenceSet(items=tuple(items), rejected=tuple(rejected), sources=dict(sources or {}))


def _reason(problem: Problem) -> str:
    return Rejection.from_problem(problem, None).reason


def _check_columns(
    table: Table, sources: Mapping[str, Source] | None, default_unit: str | None
) -> list[Problem]:
    problems = []
    required = ["id", "indicator", "source"]
    if sources is None or any(s.technique is None for s in sources.values()):
        required.append("technique")
    for column in required:
        if not table.has(column):
            problems.append(
                Problem(
                    "missing required column", file=table.file, row=table.header_row, key=column
                )
            )
    if not (table.has("rating") or table.has("value")):
        problems.append(
            Problem(
                "missing required column: give 'rating' or 'value'",
                file=table.file,
                row=table.header_row,
                key="rating",
            )
        )
    if not table.has("unit") and default_unit is None:
        problems.append(
            Problem(
                "missing column 'unit', and no default unit was given",
                file=table.file,
                row=table.header_row,
                key="unit",
            )
        )
    return problems


def _row_to_evidence(
    row: Row,
    table: Table,
    framework: Framework,
    sources: Mapping[str, Source] | None,
    default_unit: str | None,
    units: set[str] | None,
) -> tuple[Evidence | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(column: str, message: str, *value: Any) -> None:
        if value:
            problems.append(
                Problem(message, file=table.file, row=row.number, key=column, value=value[0])
            )
        else:
            problems.append(Problem(message, file=table.file, row=row.number, key=column))

    if "__overflow__" in row.values:
        message = "more cells than the header has columns"
        cells = [(row.get(column) or "") for column in table.columns]
        cells += row.values["__overflow__"].split(" | ")
        if not table.decimal_comma and any(
            left.strip().isdigit() and right.strip().isdigit()
            for left, right in itertools.pairwise(cells)
        ):
            message += (
                " (a decimal comma such as 58,4 splits a cell in a file delimited by ',': write "
                "58.4, quote the cell, or save the file with ';' between columns)"
            )
        bad("row", message, row.values["__overflow__"])

    def identifier(column: str) -> str | None:
        text = row.get(column)
        if text is None:
            return None
        problem = identifier_problem(text)
        if problem is not None:
            bad(column, problem, text)
            return None
        return normalise_identifier(text)

    row_id = identifier("id")
    if row_id is None and row.get("id") is None:
        bad("id", "missing value")
    unit = identifier("unit") if row.get("unit") is not None else default_unit
    if unit is None:
        if row.get("unit") is None:
            bad("unit", "missing value, and no default unit")
    elif units is not None and unit not in units:
        bad(
            "unit",
            f"unknown unit{did_you_mean(unit, units)} (the case declares {sorted(units)!r})",
            unit,
        )

    indicator = identifier("indicator")
    scale = None
    if indicator is None:
        if row.get("indicator") is None:
            bad("indicator", "missing value")
    elif indicator not in framework:
        bad(
            "indicator",
            f"unknown indicator{did_you_mean(indicator, framework.indicators)} "
            f"(not in framework {framework.id!r})",
            indicator,
        )
    elif not framework.node(indicator).is_indicator:
        kind = framework.node(indicator).kind
        bad(
            "indicator",
            f"is a {kind}, not an indicator; evidence attaches to indicators",
            indicator,
        )
    else:
        scale = framework.scale_of(indicator)

    rating_text, value_text = row.get("rating"), row.get("value")
    rating: str | None = None
    value: float | None = None
    if rating_text is not None and value_text is not None:
        bad("rating", "give a rating or a value, not both", rating_text)
    elif rating_text is None and value_text is None:
        bad("rating", "missing value: give a rating or a value")
    elif scale is not None:
        if rating_text is not None:
            if isinstance(scale, OrdinalScale):
                level = scale.find(rating_text)
                if level is None:
                    choices = ", ".join(lv.id for lv in scale.levels)
                    bad(
                        "rating",
                        f"is not a level of scale {scale.id!r} (levels: {choices})",
                        rating_text,
                    )
                else:
                    rating = level.id
            else:
                bad(
                    "rating",
                    f"indicator {indicator!r} is numeric (scale {scale.id!r}): give a value",
                    rating_text,
                )
        elif value_text is not None:
            try:
                value = parse_number(value_text, decimal_comma=table.decimal_comma)
            except ValueError:
                hint = number_hint(value_text, decimal_comma=table.decimal_comma)
                bad("value", f"is not a number{hint}", value_text)
            else:
                if isinstance(scale, OrdinalScale):
                    bad(
                        "value",
                        f"indicator {indicator!r} is rated on the ordinal scale {scale.id!r}: give a rating",
                        value_text,
                    )
                elif isinstance(scale, NumericScale) and not scale.contains(value):
                    bad(
                        "value",
                        f"is outside scale {scale.id!r} [{scale.minimum}, {scale.maximum}]",
                        value_text,
                    )

    source_id = identifier("source")
    source = None
    if source_id is None:
        if row.get("source") is None:
            bad("source", "missing value")
    elif sources is not None:
        source = sources.get(source_id)
        if source is None:
            bad(
                "source",
                f"unknown source{did_you_mean(source_id, sources)} (not in the sources table)",
                source_id,
            )
    technique = row.get("technique") or (source.technique if source else None)
    if technique is None:
        bad("technique", "missing value (and the sources table gives none for this source)")
    category = row.get("source_category") or (source.category if source else None)

    date = None
    date_text = row.get("date")
    if date_text is not None:
        try:
            date = parse_date(date_text)
        except ValueError as error:
            bad("date", str(error), date_text)
    weight = 1.0
    weight_text = row.get("weight")
    if weight_text is not None:
        try:
            weight = parse_number(weight_text, decimal_comma=table.decimal_comma)
        except ValueError:
            hint = number_hint(weight_text, decimal_comma=table.decimal_comma)
            bad("weight", f"is not a number{hint}", weight_text)
        else:
            if weight <= 0:
                bad("weight", "must be > 0", weight_text)
    attribution = (row.get("attribution") or "stated").casefold()
    if attribution not in ATTRIBUTIONS:
        bad("attribution", f"must be one of {', '.join(ATTRIBUTIONS)}", row.get("attribution"))
    if problems:
        return None, problems
    assert row_id is not None and unit is not None and indicator is not None
    assert source_id is not None and technique is not None
    extra = {k: v.strip() for k, v in row.values.items() if k not in _CORE and v.strip()}
    return (
        Evidence(
            id=row_id,
            unit=unit,
            indicator=indicator,
            rating=rating,
            value=value,
            source=source_id,
            source_category=category,
            technique=technique,
            date=date,
            investigator=row.get("investigator"),
            weight=weight,
            excerpt=row.get("excerpt"),
            citation=row.get("citation"),
            attribution=attribution,
            extra=extra,
            origin=Origin(table.file, row.number),
        ),
        [],
    )
