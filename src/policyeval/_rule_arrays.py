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

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.consensus import group_consensus
from policyeval.evidence import UNSPECIFIED
from policyeval.evidence_table import EvidenceGroups
from policyeval.protocols import Assessment, Status
from policyeval.scales import OrdinalScale

if TYPE_CHECKING:
    from policyeval.triangulation import _CountingRule

__all__ = ["counting_groups"]

IntArray = npt.NDArray[np.int64]
Codes = npt.NDArray[np.integer[Any]]
BoolArray = npt.NDArray[np.bool_]


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
        keys = np.unique(group_of_row[selected] * width + codes[selected])
        owner, code = np.divmod(keys, width)
        counts = np.bincount(owner, minlength=groups)
        bounds = np.concatenate(([0], np.cumsum(counts))).astype(np.int64).tolist()
        found = [names[c] for c in code.tolist()]
        # Groups mostly repeat a few combinations: one tuple object each.
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.per_group = [
            shared.setdefault(values, values)
            for values in (tuple(found[a:b]) for a, b in itertools.pairwise(bounds))
        ]

    def of(self, group: int) -> tuple[str, ...]:
        return self.per_group[group]


def counting_groups(
    rule: _CountingRule, groups: EvidenceGroups, scale: OrdinalScale
) -> list[Assessment]:
    """The assessments of ``rule`` for every group of ``groups``, rated on ``scale``."""
    from policyeval.triangulation import (
        _corroboration,
        _listed,
        _not_counted,
        _percent,
        _status_text,
    )

    count = len(groups)
    if count == 0:
        return []
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
    ids = table.ids
    ordered_ids = [ids[row] for row in rows.tolist()]
    agreeing_ids = [ids[row] for row in rows[agreeing].tolist()]
    agreeing_bounds = np.concatenate(([0], np.cumsum(agreeing_count))).tolist()
    group_bounds = bounds.tolist()
    levels = [level.id for level in scale.levels]
    exact = found.exact.tolist()
    chosen_level = found.level.tolist()
    upper = found.upper.tolist()
    shares = found.agreement.tolist()
    rule_text = repr(rule)
    percents: dict[float, str] = {}
    out: list[Assessment] = []
    for group in range(count):
        if not exact[group]:
            out.append(rule(groups.items(group), scale))
            continue
        total = group_bounds[group + 1] - group_bounds[group]
        agreed = agreeing_count[group]
        share = shares[group]
        rating = levels[chosen_level[group]]
        split = upper[group] >= 0
        phrase = (
            f"{agreed} of {total} item{'' if total == 1 else 's'} "
            f"({percents.get(share) or percents.setdefault(share, _percent(share))}) "
            f"agree on {rating!r}"
        )
        values = counted.of(group)
        if rule.counted == "date":
            noun = "date" if len(values) == 1 else "dates"
            if rule.min_gap_days > 1:
                noun += f" at least {rule.min_gap_days} days apart"
            counted_text = _listed(len(values), noun, noun, values)
        else:
            counted_text = _listed(len(values), singular, plural, values)
            if why:
                counted_text += _not_counted(left_out[group], why)
        independent_names = independent_sources.of(group)
        status, confidence = _corroboration(
            agreement_share=share,
            count=len(values),
            minimum=rule.minimum,
            sources=len(independent_names),
            min_agreement=rule.min_agreement,
            high_agreement=rule.high_agreement,
            even_split=split,
        )
        if status is Status.CONTESTED:
            if split and share >= rule.min_agreement:
                explanation = (
                    f"{phrase}; an even split between {rating!r} and "
                    f"{levels[upper[group]]!r}: half the weight on each side, the lower one "
                    "shown — contested"
                )
            else:
                explanation = f"{phrase}, below {_percent(rule.min_agreement)} — contested"
        elif status is Status.CORROBORATED:
            explanation = f"{phrase}; {counted_text} — corroborated"
        else:
            listed = _listed(len(independent_names), "source", "sources", independent_names)
            explanation = (
                f"{phrase}; {counted_text}, {rule.minimum} needed; {listed} — "
                f"{_status_text(status)}"
            )
        out.append(
            _assessment(
                rating,
                None,
                share,
                tuple(ordered_ids[group_bounds[group] : group_bounds[group + 1]]),
                tuple(agreeing_ids[agreeing_bounds[group] : agreeing_bounds[group + 1]]),
                sources.of(group),
                all_categories.of(group),
                techniques.of(group),
                dated.of(group),
                investigators.of(group),
                status,
                confidence,
                explanation,
                (),
                rule_text,
            )
        )
    return out


_FIELDS = tuple(field.name for field in attrs.fields(Assessment))


def _assessment(*values: Any) -> Assessment:
    """An :class:`Assessment` from field values that are already what its converters make.

    Every tuple given here is sorted and distinct by construction (sorted
    vocabularies, rows sorted by id), so the converters would only copy them.
    """
    made = object.__new__(Assessment)
    for name, value in zip(_FIELDS, values, strict=True):
        object.__setattr__(made, name, value)
    return made
