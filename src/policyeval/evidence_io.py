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

import datetime
import itertools
import math
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from policyeval._collector import collection_paused
from policyeval._columns import TableColumns, columns_from_records, read_columns
from policyeval._frozen import frozen_dict
from policyeval.dates import parse_date
from policyeval.evidence import ATTRIBUTIONS, Evidence, Origin, Source
from policyeval.evidence_table import (
    ABSENT,
    CODED_COLUMNS,
    EvidenceTable,
    _Coder,
    _has_repeats,
    items_of_unit,
)
from policyeval.exceptions import EvidenceError, PolicyEvalWarning, Problem, did_you_mean
from policyeval.framework import Framework
from policyeval.identifiers import identifier_problem, normalise_identifier
from policyeval.scales import NumericScale, OrdinalScale
from policyeval.tables import (
    Row,
    Table,
    TableLimits,
    number_hint,
    parse_number,
    read_table,
)

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
    """Evidence items that passed validation, the rows that did not, and the sources.

    ``items`` is a sequence of :class:`~policyeval.evidence.Evidence`: a
    tuple, or an :class:`~policyeval.evidence_table.EvidenceTable` (what the
    loaders return), which makes each item only when it is read.
    """

    items: Sequence[Evidence] = ()
    rejected: tuple[Rejection, ...] = ()
    sources: dict[str, Source] = attrs.field(factory=dict, converter=frozen_dict)

    @property
    def units(self) -> tuple[str, ...]:
        """The units the items speak of, sorted."""
        if isinstance(self.items, EvidenceTable):
            return self.items.vocabulary("unit")
        return tuple(sorted({item.unit for item in self.items}))

    def for_indicator(self, unit: str, indicator: str) -> tuple[Evidence, ...]:
        """The items about one indicator for one unit, in file order."""
        return tuple(i for i in items_of_unit(self.items, unit) if i.indicator == indicator)

    def by_id(self) -> dict[str, Evidence]:
        """The items keyed by id."""
        return {item.id: item for item in self.items}

    def plus(self, items: Iterable[Evidence], rejected: Iterable[Rejection] = ()) -> EvidenceSet:
        """A new set with more items (and rejections) appended."""
        more = tuple(items)
        joined: Sequence[Evidence] = self.items
        if more and isinstance(self.items, EvidenceTable):
            joined = EvidenceTable.from_items([*self.items, *more])
        elif more:
            joined = tuple(self.items) + more
        return attrs.evolve(
            self,
            items=joined,
            rejected=self.rejected + tuple(rejected),
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
    with collection_paused():
        header, cells = read_columns(
            path,
            coded=_CODED_CELLS,
            key="id",
            sheet=sheet,
            check_header=lambda header: _check_columns(header, sources, default_unit),
            limits=limits,
        )
        table, rejected, problems = _evidence_columns(
            header, cells, framework, sources=sources, default_unit=default_unit, units=units
        )
    if problems and not lenient:
        raise EvidenceError(problems)
    return EvidenceSet(items=table, rejected=tuple(rejected), sources=dict(sources or {}))


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
    records = [
        [row.values.get(column, "") for column in table.columns]
        + ([row.values["__overflow__"]] if "__overflow__" in row.values else [])
        for row in table.rows
    ]
    chunks = [([row.number for row in table.rows], records)] if records else []
    header = attrs.evolve(table, rows=())
    cells = columns_from_records(header, chunks, coded=_CODED_CELLS, key="id")
    found, rejected, problems = _evidence_columns(
        header, cells, framework, sources=sources, default_unit=default_unit, units=units
    )
    if problems and not lenient:
        raise EvidenceError(problems)
    return EvidenceSet(items=found, rejected=tuple(rejected), sources=dict(sources or {}))


def _scalar_evidence_from_rows(
    table: Table,
    framework: Framework,
    *,
    sources: Mapping[str, Source] | None = None,
    default_unit: str | None = None,
    units: Sequence[str] | None = None,
    lenient: bool = False,
) -> EvidenceSet:
    """The row-by-row reading :func:`evidence_from_rows` must agree with (kept for the tests)."""
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


# --- the column builder ------------------------------------------------------------------------

_CHUNK = 65_536
_CODED_CELLS = (
    "unit",
    "indicator",
    "rating",
    "value",
    "source",
    "source_category",
    "technique",
    "date",
    "weight",
    "investigator",
    "attribution",
)


def _identifiers(texts: Sequence[str | None]) -> tuple[list[str | None], np.ndarray]:
    """Each text as an identifier (NFC) and whether it is one (``None`` texts are not)."""
    valid = np.zeros(len(texts), dtype=np.bool_)
    out: list[str | None] = []
    for position, text in enumerate(texts):
        # Printable ASCII holds no control or invisible character and is already in NFC.
        if text is not None and text.isascii() and text.isprintable():
            out.append(text)
            valid[position] = True
            continue
        if text is None or identifier_problem(text) is not None:
            out.append(None)
            continue
        out.append(normalise_identifier(text))
        valid[position] = True
    return out, valid


def _unique(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for non-negative integer keys.

    Keys that combine a few columns' codes are small: a lookup table finds
    the distinct ones in one pass where sorting would take many.
    """
    if not len(keys) or keys.max() >= max(4 * len(keys), 1 << 16):
        return np.unique(keys, return_inverse=True)
    present = np.zeros(int(keys.max()) + 1, dtype=np.bool_)
    present[keys] = True
    distinct = np.flatnonzero(present)
    position = np.zeros(len(present), dtype=np.int64)
    position[distinct] = np.arange(len(distinct))
    return distinct.astype(keys.dtype), position[keys]


def _id_text(cell: str | bytes) -> str:
    """An id cell as text (a plain id column is held as ASCII bytes)."""
    return cell.decode("ascii") if isinstance(cell, bytes) else cell


def _checked_ids(
    key: np.ndarray | list[str] | None, count: int, bad: np.ndarray
) -> tuple[np.ndarray | list[str], dict[int, int]]:
    """The id cells, marking in ``bad`` the rows whose id is missing, not plain or repeated.

    Returns the ids (an ``S`` array of plain ASCII ids, or stripped texts
    with ``""`` where empty) and, for each repeated id, the row of its first
    occurrence.
    """
    if key is None:
        key = [""] * count
    if isinstance(key, np.ndarray):
        # Printable ASCII without surrounding spaces: present, stripped, in NFC, no control
        # or invisible character. Only a repeat can be wrong, and sorting finds one.
        if not _has_repeats(key):
            return key, {}
        key = [cell.decode("ascii") for cell in key.tolist()]
    ids = key
    present_ids = [text for text in ids if text] if "" in ids else ids
    joined = "".join(present_ids)
    if len(present_ids) < count:
        bad |= np.fromiter((not text for text in ids), dtype=np.bool_, count=count)
    # A text that is printable has no control or invisible character, and an ASCII one is
    # already in normal form C.
    if not (joined.isascii() and joined.isprintable()):
        for row, cell in enumerate(ids):
            if cell and (
                identifier_problem(cell) is not None or normalise_identifier(cell) != cell
            ):
                bad[row] = True
    duplicates: dict[int, int] = {}
    if len(set(present_ids)) < len(present_ids):
        first_row: dict[str, int] = {}
        for row, cell in enumerate(ids):
            if not cell:
                continue
            if cell in first_row:
                duplicates[row] = first_row[cell]
                bad[row] = True
            else:
                first_row[cell] = row
    return ids, duplicates


def _evidence_columns(
    header: Table,
    cells: TableColumns,
    framework: Framework,
    *,
    sources: Mapping[str, Source] | None,
    default_unit: str | None,
    units: Sequence[str] | None,
) -> tuple[EvidenceTable, list[Rejection], list[Problem]]:
    """Read data columns into an :class:`EvidenceTable`, checking the cells column by column.

    A row whose cells are all plainly valid goes straight into the columns;
    any other row goes through :func:`_row_to_evidence`, the row check the
    loader has always used, so its problems (and, when it is valid after
    all, its item) are exactly what that check says.
    """
    columns = header.columns
    raw = cells.coded
    free = [c for c in columns if (c and c not in _CORE) or c in ("excerpt", "citation")]
    free_cells = cells.texts  # stripped, "" when empty
    overflow = cells.overflow
    numbers = cells.numbers
    count = len(numbers)
    empty = np.zeros(count, dtype=np.int32)

    def raw_codes(name: str) -> np.ndarray:
        return raw[name][0] if name in raw else empty

    def texts(name: str) -> list[str | None]:
        return raw[name][1] if name in raw else [None]

    bad = np.zeros(count, dtype=np.bool_)
    bad[np.asarray(list(overflow), dtype=np.int64)] = True
    final: dict[str, np.ndarray] = {}

    # ids: unique, present, plain identifiers.
    ids, duplicates = _checked_ids(cells.key, count, bad)

    # unit
    unit_cells = texts("unit")
    unit_texts, unit_ok = _identifiers(unit_cells)
    allowed_units = set(units) if units else None
    unit_values: list[str | None] = []
    for position_, unit in enumerate(unit_texts):
        if unit_cells[position_] is None:
            unit, unit_ok[position_] = default_unit, default_unit is not None
        if not unit or (allowed_units is not None and unit not in allowed_units):
            unit_ok[position_] = False
        unit_values.append(unit if unit_ok[position_] else None)
    unit_codes = raw_codes("unit")
    bad |= ~unit_ok[unit_codes]

    # indicator, and each indicator's scale
    indicator_texts, indicator_ok = _identifiers(texts("indicator"))
    scales: list[Any] = []
    for position_, indicator in enumerate(indicator_texts):
        scale = None
        if (
            indicator is not None
            and indicator in framework
            and framework.node(indicator).is_indicator
        ):
            scale = framework.scale_of(indicator)
        indicator_ok[position_] = scale is not None
        scales.append(scale)
    indicator_codes = raw_codes("indicator")
    bad |= ~indicator_ok[indicator_codes]

    # rating or value, read on the indicator's scale: each distinct pair once
    rating_texts, value_texts = texts("rating"), texts("value")
    rating_codes, value_codes = raw_codes("rating"), raw_codes("value")
    rating_level = np.full(count, -1, dtype=np.int64)
    value_numbers = np.full(count, math.nan)
    rating_vocabulary: dict[str, int] = {}
    decimal_comma = header.decimal_comma
    wide = indicator_codes.astype(np.int64)
    pair = (wide * len(rating_texts) + rating_codes) * len(value_texts) + value_codes
    unique_pairs, inverse = _unique(pair)
    pair_ok = np.zeros(len(unique_pairs), dtype=np.bool_)
    pair_level = np.full(len(unique_pairs), -1, dtype=np.int64)
    pair_value = np.full(len(unique_pairs), math.nan)
    for index, key in enumerate(unique_pairs.tolist()):
        rest, value_code = divmod(key, len(value_texts))
        indicator_code, rating_code = divmod(rest, len(rating_texts))
        scale = scales[indicator_code] if indicator_code < len(scales) else None
        rating_text, value_text = rating_texts[rating_code], value_texts[value_code]
        if scale is None or (rating_text is None) == (value_text is None):
            continue
        if rating_text is not None:
            level = scale.find(rating_text) if isinstance(scale, OrdinalScale) else None
            if level is not None:
                pair_ok[index] = True
                pair_level[index] = rating_vocabulary.setdefault(level.id, len(rating_vocabulary))
            continue
        assert value_text is not None
        try:
            number = parse_number(value_text, decimal_comma=decimal_comma)
        except ValueError:
            continue
        if isinstance(scale, NumericScale) and scale.contains(number):
            pair_ok[index], pair_value[index] = True, number
    bad |= ~pair_ok[inverse]
    rating_level = pair_level[inverse]
    value_numbers = pair_value[inverse]

    # source (and what the sources table says of it)
    source_texts, source_ok = _identifiers(texts("source"))
    known: list[Source | None] = []
    for position_, source_id in enumerate(source_texts):
        found = sources.get(source_id) if sources is not None and source_id is not None else None
        if sources is not None and found is None:
            source_ok[position_] = False
        known.append(found)
    source_codes = raw_codes("source")
    bad |= ~source_ok[source_codes]

    # technique and source category: the row's own, else the sources table's
    def from_source(name: str, attribute: str) -> tuple[np.ndarray, list[str | None], np.ndarray]:
        own, codes = texts(name), raw_codes(name)
        if sources is None:  # the row's own cell, or nothing
            return codes, own, codes
        key = codes.astype(np.int64) * len(source_texts) + source_codes
        unique_keys, where = _unique(key)
        values: list[str | None] = []
        for combined in unique_keys.tolist():
            own_code, source_code = divmod(combined, len(source_texts))
            source = known[source_code]
            values.append(own[own_code] or (getattr(source, attribute) if source else None))
        return where, values, unique_keys

    technique_where, technique_values, _ = from_source("technique", "technique")
    technique_ok = np.asarray([bool(value) for value in technique_values], dtype=np.bool_)
    bad |= ~technique_ok[technique_where]
    category_where, category_values, _ = from_source("source_category", "category")

    # date, weight, attribution: each distinct cell once
    dates: list[datetime.date | None] = []
    date_ok = np.ones(len(texts("date")), dtype=np.bool_)
    for position_, date_text in enumerate(texts("date")):
        day = None
        if date_text is not None:
            try:
                day = parse_date(date_text)
            except ValueError:
                date_ok[position_] = False
        dates.append(day)
    bad |= ~date_ok[raw_codes("date")]
    weight_texts = texts("weight")
    weight_numbers = np.ones(len(weight_texts))
    weight_ok = np.ones(len(weight_texts), dtype=np.bool_)
    for position_, weight_text in enumerate(weight_texts):
        if weight_text is None:
            continue
        try:
            number = parse_number(weight_text, decimal_comma=decimal_comma)
        except ValueError:
            weight_ok[position_] = False
            continue
        weight_ok[position_] = number > 0
        weight_numbers[position_] = number
    bad |= ~weight_ok[raw_codes("weight")]
    attributions = [(text or "stated").casefold() for text in texts("attribution")]
    attribution_ok = np.asarray([a in ATTRIBUTIONS for a in attributions], dtype=np.bool_)
    bad |= ~attribution_ok[raw_codes("attribution")]
    inferred = np.asarray([a == "inferred" for a in attributions], dtype=np.bool_)[
        raw_codes("attribution")
    ]

    # The columns of the rows that passed, coded into sorted vocabularies.
    coders = {name: _Coder() for name in CODED_COLUMNS}

    def recode(name: str, values: Sequence[Any], where: np.ndarray) -> None:
        coder = coders[name]
        mapping = np.asarray([coder.code(value) for value in values] + [-1], dtype=np.int32)
        final[name] = mapping[where]

    recode("unit", unit_values, unit_codes)
    recode("indicator", indicator_texts, indicator_codes)
    recode("source", source_texts, source_codes)
    recode("technique", technique_values, technique_where)
    recode("source_category", category_values, category_where)
    recode("date", dates, raw_codes("date"))
    recode("investigator", texts("investigator"), raw_codes("investigator"))
    rating_names = list(rating_vocabulary)
    recode("rating", rating_names, np.where(rating_level < 0, len(rating_names), rating_level))
    final["file"] = np.zeros(count, dtype=np.int32)
    coders["file"].code(header.file)
    weight_column = weight_numbers[raw_codes("weight")]
    value_column = value_numbers.copy()
    final_ids = ids

    # Rows that are not plainly valid: the row check decides, in row order.
    rejected: list[Rejection] = []
    all_problems: list[Problem] = []
    bad_rows = np.flatnonzero(bad).tolist()
    fixed: list[tuple[int, Evidence]] = []
    units_set = set(units) if units else None
    named = attrs.evolve(header, columns=tuple(c for c in columns if c))
    for row in bad_rows:
        cells_of_row: dict[str, str] = {}
        for name in columns:
            if name == "id":
                found_cell = _id_text(ids[row]) or None
            elif name in free_cells:
                found_cell = free_cells[name][row] or None
            else:
                found_cell = texts(name)[raw[name][0][row]] if name in raw else None
            if found_cell is not None:
                cells_of_row[name] = found_cell
        if row in overflow:
            cells_of_row["__overflow__"] = overflow[row]
        record = Row(int(numbers[row]), cells_of_row)
        row_id = record.get("id")
        problems: list[Problem] = []
        item = None
        if row in duplicates:
            problems.append(
                Problem(
                    f"duplicate id (first at row {int(numbers[duplicates[row]])})",
                    file=header.file,
                    row=int(numbers[row]),
                    key="id",
                    value=row_id,
                )
            )
        else:
            item, problems = _row_to_evidence(
                record, named, framework, sources, default_unit, units_set
            )
        if problems or item is None:
            all_problems.extend(problems)
            rejection = Rejection.from_problem(problems[0], row_id)
            if len(problems) > 1:
                rejection = attrs.evolve(rejection, reason="; ".join(_reason(p) for p in problems))
            rejected.append(rejection)
            continue
        fixed.append((row, item))
    keep = ~bad
    if isinstance(final_ids, np.ndarray) and any(
        _id_text(final_ids[row]) != item.id for row, item in fixed
    ):
        final_ids = [_id_text(cell) for cell in final_ids.tolist()]
    for row, item in fixed:
        keep[row] = True
        if isinstance(final_ids, list):
            final_ids[row] = item.id
        for name, field in (
            ("unit", item.unit),
            ("indicator", item.indicator),
            ("source", item.source),
            ("technique", item.technique),
            ("source_category", item.source_category),
            ("date", item.date),
            ("investigator", item.investigator),
            ("rating", item.rating),
        ):
            final[name][row] = coders[name].code(field)
        value_column[row] = math.nan if item.value is None else item.value
        weight_column[row] = item.weight
        inferred[row] = item.attribution == "inferred"
    every_row = bool(keep.all())
    kept = np.flatnonzero(keep)
    vocabularies = {}
    for name in CODED_COLUMNS:
        used = final[name] if every_row else final[name][kept]
        vocabularies[name], final[name] = coders[name].finish(used)
    kept_list: Sequence[int] = range(count) if every_row else kept.tolist()
    texts_out: dict[str, Sequence[str | None]] = {
        name: [free_cells[name][row] or None for row in kept_list]
        for name in ("excerpt", "citation")
        if name in free_cells
    }
    extra = {
        name: [free_cells[name][row] or ABSENT for row in kept_list]
        for name in free
        if name not in _CORE
    }
    table = EvidenceTable(
        ids=(
            final_ids
            if every_row
            else final_ids[kept]
            if isinstance(final_ids, np.ndarray)
            else [final_ids[row] for row in kept_list]
        ),
        codes=final,
        vocabularies=vocabularies,
        value=value_column if every_row else value_column[kept],
        weight=weight_column if every_row else weight_column[kept],
        inferred=inferred if every_row else inferred[kept],
        rows=numbers if every_row else numbers[kept],
        texts=texts_out,
        extra=extra,
    )
    return table, rejected, all_problems
