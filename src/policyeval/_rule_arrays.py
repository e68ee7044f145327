"""The array form of the counting rules: every (unit, indicator) group of a table at once.

:func:`counting_groups` gives, for each group of an
:class:`~policyeval.evidence_table.EvidenceGroups`, the assessment the
counting rule's scalar form gives on the group's items. The consensus comes
from :func:`~policyeval.consensus.group_consensus`; the distinct sources,
categories, techniques, dates and investigators among the agreeing rows come
from one sort of ``(group, code)`` pairs per column (vocabularies are sorted,
so codes sort as their strings do); only the explanation and the
:class:`~policyeval.protocols.Assessment` itself are written group by group.
The conformance kit's ``array_form_matches`` law holds it to the scalar form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, overload

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.consensus import group_consensus
from policyeval.evidence import UNSPECIFIED
from policyeval.evidence_table import EvidenceGroups
from policyeval.protocols import Assessment, Confidence, Status
from policyeval.scales import OrdinalScale

if TYPE_CHECKING:
    from policyeval.triangulation import _CountingRule

__all__ = [
    "AssessmentFields",
    "GroupAssessments",
    "GroupColumns",
    "PatternFields",
    "counting_groups",
]

IntArray = npt.NDArray[np.int64]
Codes = npt.NDArray[np.integer[Any]]
BoolArray = npt.NDArray[np.bool_]


# Extra cells a groups x values table may have beyond 8 per value found before groups are told
# apart by their tuples instead.
_SPARSE = 1 << 16


class _Distinct:
    """The sorted distinct values of one column among some rows, group by group."""

    def __init__(
        self,
        chosen: BoolArray,
        codes: Codes,
        names: Sequence[str],
        group_of_row: IntArray,
        groups: int,
    ) -> None:
        width = max(len(names), 1)
        selected = np.flatnonzero(chosen & (codes >= 0))
        keys = group_of_row[selected] * width + codes[selected]
        if groups * width <= 4 * len(keys) + _SPARSE:
            # Few values per group: marked in a groups x values table, read back in order.
            present = np.zeros(groups * width, dtype=np.bool_)
            present[keys] = True
            keys = np.flatnonzero(present)
        else:
            # Sorted, then neighbours compared: np.unique's hash table is slower on a million
            # keys.
            keys = np.sort(keys)
            if len(keys):
                keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        owner, code = np.divmod(keys, width)
        self.counts = np.bincount(owner, minlength=groups)
        self._owner, self._code = owner, code
        self._starts = np.concatenate(([0], np.cumsum(self.counts))).astype(np.int64)
        # Plain strings, looked up by code (a vocabulary may be an array of numpy strings).
        self._names = [str(name) for name in names]
        self._lists: tuple[list[int], list[int]] | None = None

    def of(self, group: int) -> tuple[str, ...]:
        """The group's distinct values, sorted."""
        if self._lists is None:
            self._lists = (self._starts.tolist(), self._code.tolist())
        starts, codes = self._lists
        names = self._names
        return tuple([names[code] for code in codes[starts[group] : starts[group + 1]]])

    def combinations(self) -> IntArray:
        """A number for each group, the same for groups with the same distinct values."""
        groups, found = len(self.counts), len(self._code)
        widest = int(self.counts.max(initial=0))
        if widest == 0:
            return np.zeros(groups, dtype=np.int64)
        if groups * widest > 8 * found + _SPARSE:
            # A few groups with many values: a table of groups x values would be mostly empty.
            seen: dict[tuple[str, ...], int] = {}
            return np.fromiter(
                (seen.setdefault(self.of(group), len(seen)) for group in range(groups)),
                dtype=np.int64,
                count=groups,
            )
        table = np.full((groups, widest), -1, dtype=np.int64)
        table[self._owner, np.arange(found) - self._starts[self._owner]] = self._code
        return row_numbers(list(table.T), groups)


class AssessmentFields(NamedTuple):
    """An assessment's fields, in :class:`~policyeval.protocols.Assessment`'s order.

    Read as an assessment (same attribute names) where one is only looked
    at, as the JSON writer does: cheaper to make than the frozen object.
    """

    rating: str | None
    value: float | None
    agreement: float
    evidence: tuple[str, ...]
    agreeing: tuple[str, ...]
    sources: tuple[str, ...]
    source_categories: tuple[str, ...]
    techniques: tuple[str, ...]
    dates: tuple[str, ...]
    investigators: tuple[str, ...]
    status: Status
    confidence: Confidence | None
    explanation: str
    concerns: tuple[str, ...]
    rule: str

    @classmethod
    def of(cls, assessment: Assessment) -> AssessmentFields:
        """The fields of ``assessment``."""
        return cls(*(getattr(assessment, name) for name in cls._fields))

    def assessment(self) -> Assessment:
        """The :class:`~policyeval.protocols.Assessment` with these fields."""
        return _assessment(*self)


def row_numbers(columns: Sequence[Codes], count: int) -> IntArray:
    """A number for each of ``count`` rows, the same for rows equal in all ``columns``.

    Numbers go from ``0`` up, in the rows' sorted order.

    >>> row_numbers([np.array([1, 0, 1]), np.array([2, 5, 2])], 3).tolist()
    [1, 0, 1]
    """
    # The columns packed into one integer per row, most significant first, so that one sort of
    # integers numbers the rows (np.unique(axis=0) sorts rows as bytes, slowly).
    key = np.zeros(count, dtype=np.int64)
    size = 1
    for given in columns:
        if not count:
            break
        column = np.asarray(given, dtype=np.int64)
        low = int(column.min())
        span = int(column.max()) - low + 1
        values = column - low
        if span > count:  # a sparse column (float bits, large codes): its values numbered densely
            values = _dense(column)
            span = int(values.max()) + 1
        if size * span >= 1 << 62:
            key = _dense(key)
            size = int(key.max()) + 1
        key = key * span + values
        size *= span
    return _dense(key)


def _dense(values: IntArray) -> IntArray:
    """Each value's position among the sorted distinct values."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    return np.unique(values, return_inverse=True)[1].reshape(-1).astype(np.int64)


class PatternFields(NamedTuple):
    """The fields groups of one pattern share (see :class:`GroupColumns`)."""

    explanation: str
    agreement: float
    sources: tuple[str, ...]
    source_categories: tuple[str, ...]
    techniques: tuple[str, ...]
    dates: tuple[str, ...]
    investigators: tuple[str, ...]


class GroupColumns(NamedTuple):
    """The fields of every group an array form decided, as columns.

    Groups with the same ``patterns[group]`` (``-1``: a group the array
    form did not decide, read with :meth:`GroupAssessments.fields`) share
    every field but their ids: ``pattern_fields(group)`` gives them
    (:class:`PatternFields`) for any one of the groups. A group's
    ``evidence`` is ``ids[id_bounds[group]:id_bounds[group + 1]]``, its
    ``agreeing`` likewise from ``agreeing`` and ``agreeing_bounds``, its
    status and confidence ``statuses[group]`` and ``confidences[group]``
    (indices into :class:`~policyeval.protocols.Status` and
    :class:`~policyeval.protocols.Confidence`), ``rule`` the rule's
    ``repr``; no value and no concerns. A writer reads these without making
    an object per group, and words what a pattern shares once.
    """

    patterns: list[int]
    pattern_fields: Callable[[int], PatternFields]
    ids: list[str]
    id_bounds: list[int]
    agreeing: list[str]
    agreeing_bounds: list[int]
    statuses: list[int]
    confidences: list[int]
    rule: str


class GroupAssessments(Sequence[Assessment]):
    """The assessments of every group, each made when it is read.

    What the engine reads for every group is held as arrays: ``ratings``
    (level ids), ``statuses`` (indices into
    :class:`~policyeval.protocols.Status`) and ``confidences`` (indices into
    :class:`~policyeval.protocols.Confidence`); the explanation and the
    :class:`~policyeval.protocols.Assessment` itself are made for a group
    only when it is read (a report, a JSON document, ``explain``).
    """

    def __init__(
        self,
        count: int,
        make: Callable[[int], AssessmentFields],
        ratings: list[str | None],
        statuses: npt.NDArray[np.int8],
        confidences: npt.NDArray[np.int8],
        columns: Callable[[], GroupColumns] | None = None,
    ) -> None:
        self._count, self._make = count, make
        self.ratings, self.statuses, self.confidences = ratings, statuses, confidences
        self._columns = columns
        self._made_columns: GroupColumns | None = None

    def columns(self) -> GroupColumns | None:
        """Every group's fields as columns (see :class:`GroupColumns`), or ``None`` when not held."""
        if self._made_columns is None and self._columns is not None:
            self._made_columns = self._columns()
        return self._made_columns

    def __len__(self) -> int:
        return self._count

    def fields(self, group: int) -> AssessmentFields:
        """The fields of group ``group``'s assessment, without making it."""
        return self._make(group)

    @overload
    def __getitem__(self, index: int) -> Assessment: ...

    @overload
    def __getitem__(self, index: slice) -> list[Assessment]: ...

    def __getitem__(self, index: int | slice) -> Assessment | list[Assessment]:
        if isinstance(index, slice):
            return [self._make(group).assessment() for group in range(self._count)[index]]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        return self._make(index % self._count).assessment()


_STATUSES = tuple(Status)
_CONFIDENCES = tuple(Confidence)


def counting_groups(
    rule: _CountingRule, groups: EvidenceGroups, scale: OrdinalScale
) -> GroupAssessments:
    """The assessments of ``rule`` for every group of ``groups``, rated on ``scale``."""
    from policyeval.triangulation import (
        _listed,
        _not_counted,
        _percent,
        _status_text,
    )

    count = len(groups)
    if count == 0:
        return GroupAssessments(
            0, _no_group, [], np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int8)
        )
    found = group_consensus(groups, scale)
    table, rows, bounds = groups.table, groups.rows, groups.bounds
    lengths = np.diff(bounds)
    group_of_row = np.repeat(np.arange(count, dtype=np.int64), lengths)
    agreeing = found.agreeing
    independent = ~table.inferred[rows]

    def column(name: str) -> tuple[npt.NDArray[np.int32], tuple[Any, ...]]:
        return table.codes(name)[rows], table.vocabulary(name)

    source_codes, source_names = column("source")
    category_codes, category_names = column("source_category")
    technique_codes, technique_names = column("technique")
    date_codes, dates = column("date")
    investigator_codes, investigator_names = column("investigator")
    # An item's category is its source category, else its source: one vocabulary for both.
    categories = sorted({*filter(None, category_names), *source_names})
    place = {name: index for index, name in enumerate(categories)}
    own = np.asarray([place.get(name, -1) if name else -1 for name in category_names] + [-1])
    by_source = np.asarray([place[name] for name in source_names] + [-1])
    category = np.where(own[category_codes] >= 0, own[category_codes], by_source[source_codes])
    known = np.asarray(
        [name.casefold() != UNSPECIFIED for name in technique_names] + [False], dtype=np.bool_
    )
    known_technique = independent & known[technique_codes]
    investigator_codes = np.where(
        np.asarray([bool(name) for name in investigator_names] + [False])[investigator_codes],
        investigator_codes,
        -1,
    )
    date_names = [day.isoformat() for day in dates]

    def distinct(chosen: BoolArray, codes: Codes, names: Sequence[str]) -> _Distinct:
        return _Distinct(chosen, codes, names, group_of_row, count)

    sources = distinct(agreeing, source_codes, source_names)
    independent_sources = distinct(agreeing & independent, source_codes, source_names)
    all_categories = distinct(agreeing, category, categories)
    techniques = distinct(agreeing, technique_codes, technique_names)
    dated = distinct(agreeing, date_codes, date_names)
    investigators = distinct(agreeing, investigator_codes, investigator_names)
    if rule.counted == "category":
        counted_rows = agreeing & independent
        counted = distinct(counted_rows, category, categories)
        singular, plural, why = "source category", "source categories", "inferred"
    elif rule.counted == "technique":
        counted_rows = agreeing & known_technique
        counted = distinct(counted_rows, technique_codes, technique_names)
        singular, plural, why = "technique", "techniques", "inferred or unspecified technique"
    elif rule.counted == "date":
        counted_rows, counted = agreeing, dated
        singular = plural = "dates"
        why = ""
    else:
        counted_rows, counted = agreeing, investigators
        singular, plural, why = "investigator", "investigators", ""
    segment = bounds[:-1]
    agreeing_count = np.add.reduceat(agreeing.astype(np.int64), segment).tolist()
    left_out = (
        np.add.reduceat((agreeing & ~counted_rows).astype(np.int64), segment).tolist()
        if why
        else [0] * count
    )
    # Ids are looked up in one pass when the first group is read (the JSON writer reads them all).
    id_lists: list[list[str]] = []
    agreeing_bounds = np.concatenate(([0], np.cumsum(agreeing_count))).tolist()
    group_bounds = bounds.tolist()
    levels = [level.id for level in scale.levels]
    exact = found.exact.tolist()
    chosen_level = found.level.tolist()
    upper = found.upper.tolist()
    shares = found.agreement.tolist()
    rule_text = repr(rule)
    percents: dict[float, str] = {}
    # The status table of the triangulation module, for every exact group at once.
    split = found.upper >= 0
    contested = (found.agreement < rule.min_agreement) | split
    high = found.agreement >= rule.high_agreement
    enough = counted.counts >= rule.minimum
    several = independent_sources.counts >= 2
    statuses = np.select(
        [contested, enough, several],
        [
            _STATUSES.index(Status.CONTESTED),
            _STATUSES.index(Status.CORROBORATED),
            _STATUSES.index(Status.PARTIALLY_CORROBORATED),
        ],
        _STATUSES.index(Status.SINGLE_SOURCE),
    ).astype(np.int8)
    rank = _CONFIDENCES.index
    confidences = np.select(
        [contested, enough & high, enough, several & high],
        [
            rank(Confidence.VERY_LOW),
            rank(Confidence.HIGH),
            rank(Confidence.MODERATE),
            rank(Confidence.MODERATE),
        ],
        rank(Confidence.LOW),
    ).astype(np.int8)
    ratings: list[str | None] = [
        levels[level] if decided else None
        for level, decided in zip(chosen_level, exact, strict=True)
    ]
    # Groups the array form does not decide are judged on their items, now.
    undecided = {
        group: rule(groups.items(group), scale) for group in np.flatnonzero(~found.exact).tolist()
    }
    for group, assessment in undecided.items():
        ratings[group] = assessment.rating
        statuses[group] = _STATUSES.index(assessment.status)
        confidences[group] = -1 if assessment.confidence is None else rank(assessment.confidence)

    status_list, confidence_list = statuses.tolist(), confidences.tolist()
    # Explanations are made from a few phrases that most groups share: each is worded once.
    phrases: dict[tuple[int, int, float, int], str] = {}
    counted_texts: dict[tuple[tuple[str, ...], int], str] = {}
    source_texts: dict[tuple[str, ...], str] = {}
    below = _percent(rule.min_agreement)

    def counted_text_of(values: tuple[str, ...], left: int) -> str:
        if rule.counted == "date":
            noun = "date" if len(values) == 1 else "dates"
            if rule.min_gap_days > 1:
                noun += f" at least {rule.min_gap_days} days apart"
            return _listed(len(values), noun, noun, values)
        text = _listed(len(values), singular, plural, values)
        return text + _not_counted(left, why) if why else text

    def prepare() -> None:
        # Ids are looked up for every group at once, when the first is read (the agreeing ones
        # are the same strings, not copies).
        if not id_lists:
            ids = table.ids_of(rows)
            id_lists.append(ids)
            id_lists.append(list(map(ids.__getitem__, np.flatnonzero(agreeing).tolist())))

    def explain(group: int) -> str:
        start, end = group_bounds[group], group_bounds[group + 1]
        agreed = agreeing_count[group]
        share = shares[group]
        level = chosen_level[group]
        rating = levels[level]
        split = upper[group] >= 0
        key = (agreed, end - start, share, level)
        phrase = phrases.get(key)
        if phrase is None:
            total = end - start
            phrase = phrases[key] = (
                f"{agreed} of {total} item{'' if total == 1 else 's'} "
                f"({percents.get(share) or percents.setdefault(share, _percent(share))}) "
                f"agree on {rating!r}"
            )
        status = _STATUSES[status_list[group]]
        if status is Status.CONTESTED:
            if split and share >= rule.min_agreement:
                return (
                    f"{phrase}; an even split between {rating!r} and "
                    f"{levels[upper[group]]!r}: half the weight on each side, the lower one "
                    "shown — contested"
                )
            return f"{phrase}, below {below} — contested"
        values = counted.of(group)
        left = left_out[group]
        counted_text = counted_texts.get((values, left))
        if counted_text is None:
            counted_text = counted_texts[values, left] = counted_text_of(values, left)
        if status is Status.CORROBORATED:
            return f"{phrase}; {counted_text} — corroborated"
        independent_names = independent_sources.of(group)
        listed = source_texts.get(independent_names)
        if listed is None:
            listed = source_texts[independent_names] = _listed(
                len(independent_names), "source", "sources", independent_names
            )
        return f"{phrase}; {counted_text}, {rule.minimum} needed; {listed} — {_status_text(status)}"

    def pattern_fields(group: int) -> PatternFields:
        return PatternFields(
            explain(group),
            shares[group],
            sources.of(group),
            all_categories.of(group),
            techniques.of(group),
            dated.of(group),
            investigators.of(group),
        )

    def make(group: int) -> AssessmentFields:
        if not exact[group]:
            return AssessmentFields.of(undecided[group])
        prepare()
        shared = pattern_fields(group)
        start, end = group_bounds[group], group_bounds[group + 1]
        return AssessmentFields(
            levels[chosen_level[group]],
            None,
            shared.agreement,
            tuple(id_lists[0][start:end]),
            tuple(id_lists[1][agreeing_bounds[group] : agreeing_bounds[group + 1]]),
            shared.sources,
            shared.source_categories,
            shared.techniques,
            shared.dates,
            shared.investigators,
            _STATUSES[status_list[group]],
            _CONFIDENCES[confidence_list[group]],
            shared.explanation,
            (),
            rule_text,
        )

    def as_columns() -> GroupColumns:
        prepare()
        # Groups alike in everything the explanation and the shared fields are made of.
        patterns = row_numbers(
            [
                np.ascontiguousarray(found.agreement, dtype=np.float64).view(np.int64),
                np.asarray(agreeing_count, dtype=np.int64),
                lengths,
                found.level,
                found.upper,
                statuses,
                np.asarray(left_out, dtype=np.int64),
                *(
                    column.combinations()
                    for column in (
                        counted,
                        independent_sources,
                        sources,
                        all_categories,
                        techniques,
                        dated,
                        investigators,
                    )
                ),
            ],
            count,
        )
        patterns[~found.exact] = -1
        return GroupColumns(
            patterns.tolist(),
            pattern_fields,
            id_lists[0],
            group_bounds,
            id_lists[1],
            agreeing_bounds,
            status_list,
            confidence_list,
            rule_text,
        )

    return GroupAssessments(count, make, ratings, statuses, confidences, as_columns)


def _no_group(group: int) -> AssessmentFields:
    raise IndexError(group)


_FIELDS = tuple(field.name for field in attrs.fields(Assessment))


def _assessment(*values: Any) -> Assessment:
    """An :class:`Assessment` from field values that are already what its converters make.

    Every tuple given here is sorted and distinct by construction (sorted
    vocabularies, rows sorted by id), so the converters would only copy them.
    """
    made = object.__new__(Assessment)
    assert len(values) == len(_FIELDS)
    for name, value in zip(_FIELDS, values, strict=False):
        _set(made, name, value)
    return made


_set = object.__setattr__
