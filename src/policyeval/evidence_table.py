"""Evidence as columns: one array per field, one vocabulary per repeated string.

A national case holds a million evidence rows or more. An
:class:`EvidenceTable` keeps them as columns: integer codes into sorted
vocabularies for the unit, indicator, source, source category, technique,
rating, date and investigator, float arrays for the value and the weight,
and the ids as one tuple (or, read from a file whose ids are plain ASCII,
one byte array, their strings made when first asked for). It is a
read-only ``Sequence[Evidence]``: indexing or iterating it makes the
:class:`~policyeval.evidence.Evidence` objects, one at a time, only where a
caller asks for them (an explanation, a third-party triangulation rule).
The built-in rules read the columns directly (see
:meth:`EvidenceTable.groups`).

:func:`policyeval.evidence_io.load_evidence` builds one from a file, checking
the cells column by column: each distinct unit, indicator, rating, source,
technique, date and weight is checked once, and a row whose cells are not
all plainly valid is handed to the same row check the loader always used, so
errors name the same file, row, column and value, strict or lenient.

>>> from policyeval.evidence import Evidence
>>> items = [Evidence(id=f"e{n}", unit="u", indicator="k", rating=r, source=f"s{n}",
...                   technique="interview") for n, r in enumerate(["baik", "cukup", "baik"])]
>>> table = EvidenceTable.from_items(items)
>>> len(table), table.vocabulary("rating"), table.codes("rating").tolist()
(3, ('baik', 'cukup'), [0, 1, 0])
>>> table[1] == items[1], list(table) == items
(True, True)
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.evidence import Evidence, Origin

__all__ = ["CODED_COLUMNS", "EvidenceGroups", "EvidenceTable", "items_of_unit"]

IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]

CODED_COLUMNS = (
    "unit",
    "indicator",
    "source",
    "source_category",
    "technique",
    "rating",
    "date",
    "investigator",
    "file",
)
"""The columns held as codes into a sorted vocabulary (``-1`` where a cell is empty)."""

_TEXT_COLUMNS = ("excerpt", "citation")
_ITEMS_AT_ONCE = 4096  # items made at a time when a table is iterated


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"  # unpickles as the one module-level value


ABSENT: Any = _Absent()
"""The cell of a further column (:attr:`Evidence.extra`) that a row leaves empty."""


def _frozen(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def _has_repeats(cells: np.ndarray) -> bool:
    """Whether an ``S`` array holds a value twice (sorted as 8-byte words, not as strings)."""
    if len(cells) < 2:
        return False
    width = -(-cells.dtype.itemsize // 8) * 8
    words = np.ascontiguousarray(cells, dtype=f"S{width}").view(np.uint64).reshape(len(cells), -1)
    if words.shape[1] == 1:
        ordered = np.sort(words[:, 0])
        return bool(np.any(ordered[1:] == ordered[:-1]))
    order = np.lexsort(words.T[::-1])
    ordered = words[order]
    return bool(np.any(np.all(ordered[1:] == ordered[:-1], axis=1)))


class _Coder:
    """Collects a column's distinct values, then sorts them into a vocabulary."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}

    def code(self, value: Any) -> int:
        if value is None:
            return -1
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.index)
        return found

    def finish(
        self, codes: Sequence[int] | npt.NDArray[np.integer[Any]]
    ) -> tuple[tuple[Any, ...], CodeArray]:
        """The sorted vocabulary of the values ``codes`` use, and the codes renumbered into it.

        A value seen only in rows that were dropped (rejected rows) is left out.
        """
        values = list(self.index)
        array = np.asarray(codes, dtype=np.int32)
        # The extra last place takes code -1 (empty), so no mask is needed to skip it.
        used = np.zeros(len(values) + 1, dtype=np.bool_)
        used[array] = True
        order = sorted(np.flatnonzero(used[:-1]).tolist(), key=values.__getitem__)
        rank = np.full(len(values) + 1, -1, dtype=np.int32)  # code -1 (empty) stays -1
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
        return tuple(values[i] for i in order), rank[array]


class EvidenceTable(Sequence[Evidence]):
    """Evidence items held as columns; a read-only sequence of :class:`Evidence`.

    Build one with :meth:`from_items` or
    :func:`~policyeval.evidence_io.load_evidence`. Two tables, or a table and
    any sequence of items, are equal when they hold equal items in the same
    order.
    """

    __slots__ = (
        "_codes",
        "_extra",
        "_id_array",
        "_ids",
        "_inferred",
        "_rows",
        "_texts",
        "_unit_rows",
        "_value",
        "_vocabularies",
        "_weight",
    )

    def __init__(
        self,
        *,
        ids: Sequence[str] | npt.NDArray[Any],
        codes: Mapping[str, npt.NDArray[np.integer[Any]]],
        vocabularies: Mapping[str, tuple[Any, ...]],
        value: FloatArray,
        weight: FloatArray,
        inferred: npt.NDArray[np.bool_],
        rows: IntArray,
        texts: Mapping[str, Sequence[str | None]] | None = None,
        extra: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        # Ids read from a file as plain ASCII stay one byte array; their strings are made when
        # the ids are first asked for.
        self._ids: tuple[str, ...] | None
        self._unit_rows: tuple[IntArray, IntArray] | None = None
        if isinstance(ids, np.ndarray) and ids.dtype.kind == "S":
            self._id_array: npt.NDArray[np.bytes_] | None = _frozen(ids)
            self._ids = None
        else:
            self._id_array = None
            self._ids = tuple(ids.tolist() if isinstance(ids, np.ndarray) else ids)
        self._codes = {
            name: _frozen(np.asarray(codes[name], dtype=np.int32)) for name in CODED_COLUMNS
        }
        self._vocabularies = {name: tuple(vocabularies[name]) for name in CODED_COLUMNS}
        self._value = _frozen(np.asarray(value, dtype=np.float64))
        self._weight = _frozen(np.asarray(weight, dtype=np.float64))
        self._inferred = _frozen(np.asarray(inferred, dtype=np.bool_))
        self._rows = _frozen(np.asarray(rows, dtype=np.int64))
        self._texts = {name: tuple(column) for name, column in (texts or {}).items()}
        self._extra = {name: tuple(column) for name, column in sorted((extra or {}).items())}
        count = len(self)
        for name, array in [*self._codes.items(), ("value", self._value), ("weight", self._weight)]:
            if len(array) != count:
                raise ValueError(f"column {name!r} has {len(array)} cells, expected {count}")

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def from_items(cls, items: Iterable[Evidence]) -> EvidenceTable:
        """A table holding ``items``, in their order.

        >>> from policyeval.evidence import Evidence
        >>> table = EvidenceTable.from_items([Evidence(id="e1", indicator="k", value=2.5,
        ...                                            source="bps", technique="statistic")])
        >>> table.values.tolist(), table.vocabulary("unit")
        ([2.5], ('default',))
        """
        builder = _ItemColumns()
        for item in items:
            builder.add(item)
        return builder.finish()

    # --- reading columns --------------------------------------------------------------------

    @property
    def ids(self) -> tuple[str, ...]:
        """The item ids, in row order."""
        if self._ids is None:
            assert self._id_array is not None  # one of the two is always set
            self._ids = tuple([item.decode("ascii") for item in self._id_array.tolist()])
        return self._ids

    def id_of(self, index: int) -> str:
        """The id of row ``index``, without making every id.

        >>> from policyeval.evidence import Evidence
        >>> EvidenceTable.from_items([Evidence(id="e7", indicator="k", rating="baik",
        ...                                    source="s", technique="t")]).id_of(0)
        'e7'
        """
        if self._ids is not None:
            return self._ids[index]
        assert self._id_array is not None  # one of the two is always set
        return self._id_array[index].decode("ascii")  # type: ignore[no-any-return]

    def ids_of(self, rows: IntArray) -> list[str]:
        """The ids of rows ``rows``, in that order, without making every id.

        >>> from policyeval.evidence import Evidence
        >>> table = EvidenceTable.from_items(
        ...     Evidence(id=i, indicator="k", rating="baik", source="s", technique="t")
        ...     for i in ("e1", "e2", "e3"))
        >>> table.ids_of(np.array([2, 0]))
        ['e3', 'e1']
        """
        if self._ids is not None:
            ids = self._ids
            return [ids[row] for row in rows.tolist()]
        assert self._id_array is not None  # one of the two is always set
        # Decoded one by one: faster than numpy's conversion to its unicode strings.
        return [item.decode("ascii") for item in self._id_array[rows].tolist()]

    def unique_ids(self) -> bool:
        """Whether no id is held twice.

        >>> from policyeval.evidence import Evidence
        >>> items = [Evidence(id=i, indicator="k", rating="baik", source="s", technique="t")
        ...          for i in ("e1", "e2", "e1")]
        >>> [EvidenceTable.from_items(chosen).unique_ids() for chosen in (items, items[:2])]
        [False, True]
        """
        if self._id_array is not None:
            return not _has_repeats(self._id_array)
        assert self._ids is not None  # one of the two is always set
        return len(set(self._ids)) == len(self._ids)

    def codes(self, column: str) -> CodeArray:
        """The read-only codes of a coded column (see :data:`CODED_COLUMNS`), ``-1`` when empty."""
        return self._codes[column]

    def vocabulary(self, column: str) -> tuple[Any, ...]:
        """The sorted distinct values of a coded column; ``codes`` index into it."""
        return self._vocabularies[column]

    @property
    def values(self) -> FloatArray:
        """The numbers of value items (``nan`` for rated items)."""
        return self._value

    @property
    def weights(self) -> FloatArray:
        """The item weights."""
        return self._weight

    @property
    def inferred(self) -> npt.NDArray[np.bool_]:
        """Whether each item's attribution is ``"inferred"``."""
        return self._inferred

    @property
    def rows(self) -> IntArray:
        """Each item's row number in its file (``-1`` when unknown)."""
        return self._rows

    @property
    def extra_columns(self) -> tuple[str, ...]:
        """The names of the further columns kept in :attr:`Evidence.extra`, sorted."""
        return tuple(self._extra)

    def column_values(self, column: str) -> list[Any]:
        """A coded column decoded to one value (or ``None``) per row."""
        vocabulary = (*self._vocabularies[column], None)
        return [vocabulary[code] for code in self._codes[column].tolist()]

    # --- the Sequence protocol ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._id_array) if self._id_array is not None else len(self._ids or ())

    @overload
    def __getitem__(self, index: int) -> Evidence: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Evidence, ...]: ...

    def __getitem__(self, index: int | slice) -> Evidence | tuple[Evidence, ...]:
        if isinstance(index, slice):
            return self.items_of(np.arange(*index.indices(len(self)), dtype=np.int64))
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"evidence table index out of range: {index!r} (length {count})")
        return self.item(index % count if index < 0 else index)

    def __iter__(self) -> Iterator[Evidence]:
        for start in range(0, len(self), _ITEMS_AT_ONCE):
            yield from self.items_of(
                np.arange(start, min(start + _ITEMS_AT_ONCE, len(self)), dtype=np.int64)
            )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<EvidenceTable: {len(self)} items, {len(self._vocabularies['unit'])} units>"

    def extra_of(self, index: int) -> dict[str, Any]:
        """The further columns (:attr:`Evidence.extra`) of row ``index``."""
        return {
            name: column[index]
            for name, column in self._extra.items()
            if column[index] is not ABSENT
        }

    def item(self, index: int) -> Evidence:
        """The :class:`Evidence` object of row ``index`` (made on each call)."""
        return self.items_of(np.array([index], dtype=np.int64))[0]

    def items_of(self, rows: IntArray) -> tuple[Evidence, ...]:
        """The :class:`Evidence` objects of rows ``rows``, in that order (made on each call,
        each column read once for all of them).

        >>> table = EvidenceTable.from_items(
        ...     Evidence(id=i, indicator="k", rating="baik", source="s", technique="t")
        ...     for i in ("e1", "e2", "e3"))
        >>> [item.id for item in table.items_of(np.array([2, 0]))]
        ['e3', 'e1']
        """
        picked = rows.tolist()

        def coded(column: str) -> list[Any]:
            vocabulary = self._vocabularies[column]
            return [
                None if code < 0 else vocabulary[code]
                for code in self._codes[column][rows].tolist()
            ]

        units, indicators, ratings = coded("unit"), coded("indicator"), coded("rating")
        sources, categories, techniques = (
            coded("source"),
            coded("source_category"),
            coded("technique"),
        )
        dates, investigators, files = coded("date"), coded("investigator"), coded("file")
        values = self._value[rows].tolist()
        weights = self._weight[rows].tolist()
        inferred = self._inferred[rows].tolist()
        origins = self._rows[rows].tolist()
        excerpts = self._texts.get("excerpt")
        citations = self._texts.get("citation")
        items = []
        for at, (index, identifier) in enumerate(zip(picked, self.ids_of(rows), strict=True)):
            value, row, file = values[at], origins[at], files[at]
            items.append(
                Evidence(
                    id=identifier,
                    unit=units[at],
                    indicator=indicators[at],
                    rating=ratings[at],
                    value=None if math.isnan(value) else value,
                    source=sources[at],
                    source_category=categories[at],
                    technique=techniques[at],
                    date=dates[at],
                    investigator=investigators[at],
                    weight=weights[at],
                    excerpt=None if excerpts is None else excerpts[index],
                    citation=None if citations is None else citations[index],
                    attribution="inferred" if inferred[at] else "stated",
                    extra=self.extra_of(index),
                    origin=(
                        None if file is None and row < 0 else Origin(file, None if row < 0 else row)
                    ),
                )
            )
        return tuple(items)

    def of_unit(self, unit: str) -> tuple[Evidence, ...]:
        """The items about one unit, in row order; only those are made."""
        vocabulary = self._vocabularies["unit"]
        position = bisect.bisect_left(vocabulary, unit)
        if position == len(vocabulary) or vocabulary[position] != unit:
            return ()
        return self.items_of(self.unit_rows(position))

    def unit_rows(self, code: int) -> IntArray:
        """The rows about the unit coded ``code`` (its place in the unit vocabulary), ascending.

        The rows are put in unit order once, so asking for every unit in turn is one sort, not
        one pass over the table per unit.
        """
        if self._unit_rows is None:
            codes = self._codes["unit"]
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(
                codes[order], np.arange(len(self._vocabularies["unit"]) + 1), side="left"
            )
            self._unit_rows = (order.astype(np.int64), bounds.astype(np.int64))
        order, bounds = self._unit_rows
        return order[bounds[code] : bounds[code + 1]]

    def unit_counts(self) -> dict[str, int]:
        """How many rows each unit has (units without rows are left out).

        >>> from policyeval.evidence import Evidence
        >>> table = EvidenceTable.from_items(
        ...     Evidence(id=f"e{n}", unit=u, indicator="k", rating="baik", source="s",
        ...              technique="t") for n, u in enumerate("aba"))
        >>> table.unit_counts()
        {'a': 2, 'b': 1}
        """
        counts = np.bincount(
            self._codes["unit"][self._codes["unit"] >= 0],
            minlength=len(self._vocabularies["unit"]),
        )
        return {
            unit: count
            for unit, count in zip(self._vocabularies["unit"], counts.tolist(), strict=True)
            if count
        }

    # --- grouping -----------------------------------------------------------------------------

    def id_ranks(self) -> IntArray:
        """Each row's position when the ids are sorted (ids are compared as strings)."""
        if self._id_array is not None:
            # Bytes of ASCII text sort as the text does.
            order: Sequence[int] | IntArray = np.argsort(self._id_array, kind="stable")
        else:
            assert self._ids is not None  # one of the two is always set
            order = sorted(range(len(self._ids)), key=self._ids.__getitem__)
        ranks = np.empty(len(order), dtype=np.int64)
        ranks[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
        return ranks

    def groups(self) -> EvidenceGroups:
        """The rows grouped by unit and indicator, each group sorted by id.

        >>> from policyeval.evidence import Evidence
        >>> table = EvidenceTable.from_items(
        ...     Evidence(id=i, unit=u, indicator="k", rating="baik", source="s", technique="t")
        ...     for i, u in [("e2", "b"), ("e1", "b"), ("e3", "a")])
        >>> found = table.groups()
        >>> found.keys, [found.ids(g) for g in range(len(found))]
        ((('a', 'k'), ('b', 'k')), [('e3',), ('e1', 'e2')])
        """
        unit, indicator = self._codes["unit"], self._codes["indicator"]
        width = max(len(self._vocabularies["indicator"]), 1)
        count = len(self)
        if not count:
            order = np.zeros(0, np.int64)
        elif (len(self._vocabularies["unit"]) + 1) * (width + 1) * count < 2**62:
            # One number per row orders by unit, indicator and id at once (codes shifted past
            # -1, the empty cell): a single sort.
            group = (unit.astype(np.int64) + 1) * (width + 1) + (indicator + 1)
            order = np.argsort(group * count + self.id_ranks())
        else:
            order = np.lexsort((self.id_ranks(), indicator, unit))
        key = unit[order].astype(np.int64) * width + indicator[order]
        if len(key):
            starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        else:
            starts = np.zeros(0, dtype=np.int64)
        bounds = np.append(starts, len(key)).astype(np.int64)
        return EvidenceGroups(
            table=self, rows=_frozen(order.astype(np.int64)), bounds=_frozen(bounds)
        )


@attrs.frozen(eq=False)
class EvidenceGroups:
    """Rows of an :class:`EvidenceTable` in groups: group ``g`` is ``rows[bounds[g]:bounds[g + 1]]``.

    Each group holds one unit's evidence on one indicator, sorted by id;
    :attr:`keys` names each group's ``(unit, indicator)``. :meth:`subset`
    keeps some of the groups, so a rule sees only the indicators it judges.
    """

    table: EvidenceTable
    rows: IntArray
    bounds: IntArray

    @functools.cached_property
    def keys(self) -> tuple[tuple[str, str], ...]:
        """Each group's ``(unit, indicator)``, made when first read (array forms need codes only)."""
        first = self.rows[self.bounds[:-1]]
        units = self.table.vocabulary("unit")
        indicators = self.table.vocabulary("indicator")
        return tuple(
            (units[u], indicators[i])
            for u, i in zip(
                self.table.codes("unit")[first].tolist(),
                self.table.codes("indicator")[first].tolist(),
                strict=True,
            )
        )

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def group_rows(self, group: int) -> IntArray:
        """The table rows of one group, sorted by id."""
        return self.rows[self.bounds[group] : self.bounds[group + 1]]

    def ids(self, group: int) -> tuple[str, ...]:
        """The ids of one group's items, sorted."""
        ids = self.table.ids
        return tuple(ids[row] for row in self.group_rows(group).tolist())

    def items(self, group: int) -> tuple[Evidence, ...]:
        """The :class:`Evidence` objects of one group, sorted by id (made on each call)."""
        return self.table.items_of(self.group_rows(group))

    def subset(self, groups: Sequence[int]) -> EvidenceGroups:
        """The groups numbered ``groups``, in that order."""
        chosen = np.asarray(groups, dtype=np.int64)
        lengths = (self.bounds[1:] - self.bounds[:-1])[chosen]
        bounds = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        if len(chosen):
            starts = self.bounds[:-1][chosen]
            rows = self.rows[np.repeat(starts - bounds[:-1], lengths) + np.arange(bounds[-1])]
        else:
            rows = np.zeros(0, dtype=np.int64)
        return EvidenceGroups(table=self.table, rows=_frozen(rows), bounds=_frozen(bounds))


class _ItemColumns:
    """Builds a table from :class:`Evidence` objects."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.coders = {name: _Coder() for name in CODED_COLUMNS}
        self.codes: dict[str, list[int]] = {name: [] for name in CODED_COLUMNS}
        self.value: list[float] = []
        self.weight: list[float] = []
        self.inferred: list[bool] = []
        self.rows: list[int] = []
        self.texts: dict[str, list[str | None]] = {name: [] for name in _TEXT_COLUMNS}
        self.extra: list[Mapping[str, Any]] = []

    def add(self, item: Evidence) -> None:
        self.ids.append(item.id)
        origin = item.origin
        fields: dict[str, Any] = {
            "unit": item.unit,
            "indicator": item.indicator,
            "source": item.source,
            "source_category": item.source_category,
            "technique": item.technique,
            "rating": item.rating,
            "date": item.date,
            "investigator": item.investigator,
            "file": origin.file if origin else None,
        }
        for name, field in fields.items():
            self.codes[name].append(self.coders[name].code(field))
        self.value.append(math.nan if item.value is None else item.value)
        self.weight.append(item.weight)
        self.inferred.append(item.attribution == "inferred")
        self.rows.append(origin.row if origin and origin.row is not None else -1)
        self.texts["excerpt"].append(item.excerpt)
        self.texts["citation"].append(item.citation)
        self.extra.append(item.extra)

    def finish(self) -> EvidenceTable:
        codes, vocabularies = {}, {}
        for name in CODED_COLUMNS:
            vocabularies[name], codes[name] = self.coders[name].finish(self.codes[name])
        names = sorted({key for extra in self.extra for key in extra})
        extra = {name: [found.get(name, ABSENT) for found in self.extra] for name in names}
        return EvidenceTable(
            ids=self.ids,
            codes=codes,
            vocabularies=vocabularies,
            value=np.asarray(self.value, dtype=np.float64),
            weight=np.asarray(self.weight, dtype=np.float64),
            inferred=np.asarray(self.inferred, dtype=np.bool_),
            rows=np.asarray(self.rows, dtype=np.int64),
            texts=self.texts,
            extra=extra,
        )


def items_of_unit(evidence: Sequence[Evidence], unit: str) -> Sequence[Evidence]:
    """The items of ``evidence`` about ``unit``: read off the columns of a table.

    >>> from policyeval.evidence import Evidence
    >>> items = [Evidence(id=f"e{n}", unit=u, indicator="k", rating="baik", source="s",
    ...                   technique="t") for n, u in enumerate("aba")]
    >>> [item.id for item in items_of_unit(EvidenceTable.from_items(items), "a")]
    ['e0', 'e2']
    """
    if isinstance(evidence, EvidenceTable):
        return evidence.of_unit(unit)
    return tuple(item for item in evidence if item.unit == unit)
