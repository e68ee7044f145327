"""Triangulation rules: how far one indicator's evidence is corroborated.

A triangulation rule turns the evidence on one indicator for one unit into an
:class:`~policyeval.protocols.Assessment`: the consensus (found by
:func:`policyeval.consensus.consensus`, the same for every rule), a
:class:`~policyeval.protocols.Status` and a
:class:`~policyeval.protocols.Confidence`. Each factory here returns a frozen
callable object whose ``repr`` shows its parameters.

The four *counting* rules follow Denzin's types of triangulation and
Sugiyono's *triangulasi sumber, teknik, waktu*; they differ only in what they
count among the agreeing items (source categories, techniques, dates or
investigators) and share one status table. With ``a`` the agreement share,
``n`` the number of distinct counted values among agreeing items and ``m`` the
rule's minimum:

===================================  ==========================  ========================
condition (checked top to bottom)    status                      confidence
===================================  ==========================  ========================
no items                             ``no_evidence``             ``None``
``a < min_agreement``                ``contested``               ``very_low``
an even split between two levels     ``contested``               ``very_low``
``n >= m``                           ``corroborated``            ``high`` or ``moderate``
agreeing items from >= 2 sources     ``partially_corroborated``  ``moderate`` or ``low``
otherwise                            ``single_source``           ``low``
===================================  ==========================  ========================

Where two confidences are given, the first applies when ``a >= high_agreement``.
An *even split* is exactly half the evidence weight at or below the consensus
level and the rest on higher levels (two informants say "baik", two "tidak
baik"): the consensus shows the lower level, and the judgement is contested
whatever the agreement share, since the evidence supports neither side more.
Every built-in rule, :func:`agreement` and :func:`cerqual` included, treats
it so, and its explanation says so.

Only independent items count: an item whose ``attribution`` is
``"inferred"`` (its source or technique is the encoder's guess, not what the
study states) adds no source, source category or technique of its own, and
the technique ``"unspecified"`` is never counted as a technique. Such items
still take part in the consensus and the agreement share.

:func:`agreement` judges the agreement share alone, :func:`cerqual` grades
confidence GRADE-CERQual style, and :func:`all_of` / :func:`any_of` combine
rules.

>>> from policyeval.evidence import Evidence
>>> from policyeval.scales import Level, OrdinalScale
>>> levels = (Level("baik", 4), Level("cukup_baik", 3), Level("kurang_baik", 2))
>>> scale = OrdinalScale("four", levels)
>>> rows = [("e1", "baik", "komisioner", "penyelenggara"), ("e2", "baik", "kabag", "asn"),
...         ("e3", "baik", "staf", "asn"), ("e4", "cukup_baik", "dosen", "akademisi")]
>>> items = [Evidence(id=i, indicator="kompetensi", rating=r, source=s, source_category=c,
...                   technique="interview") for i, r, s, c in rows]
>>> result = source_triangulation()(items, scale)
>>> result.status, result.confidence
(<Status.CORROBORATED: 'corroborated'>, <Confidence.HIGH: 'high'>)
>>> print(result.explanation)
3 of 4 items (75%) agree on 'baik'; 2 source categories (asn, penyelenggara) — corroborated
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

import attrs

from policyeval.consensus import Consensus, consensus, group_consensus
from policyeval.evidence import UNSPECIFIED, Evidence
from policyeval.evidence_table import EvidenceGroups, EvidenceTable
from policyeval.exceptions import InvalidArgument, PluginContractError
from policyeval.protocols import Assessment, Confidence, Status, TriangulationRule
from policyeval.registry import describe
from policyeval.scales import OrdinalScale, Scale

__all__ = [
    "agreement",
    "all_of",
    "any_of",
    "cerqual",
    "coder_agreement",
    "investigator_triangulation",
    "source_triangulation",
    "technique_triangulation",
    "time_triangulation",
]

_Counted = Literal["category", "technique", "date", "investigator"]

# counted attribute -> (factory name, name of its minimum parameter)
_FACTORIES: dict[str, tuple[str, str]] = {
    "category": ("source_triangulation", "min_categories"),
    "technique": ("technique_triangulation", "min_techniques"),
    "date": ("time_triangulation", "min_dates"),
    "investigator": ("investigator_triangulation", "min_investigators"),
}


# --- argument checks -------------------------------------------------------------------------


def _check_count(name: str, value: object, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidArgument(f"{name} must be an integer >= {least}, got {name}={value!r}")
    return value


def _check_share(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (math.isfinite(value) and 0 <= value <= 1)
    ):
        raise InvalidArgument(f"{name} must be a number between 0 and 1, got {name}={value!r}")
    return float(value)


def _check_order(*named: tuple[str, float]) -> None:
    """Check that the named thresholds do not decrease, left to right."""
    for (low_name, low), (high_name, high) in itertools.pairwise(named):
        if low > high:
            raise InvalidArgument(
                f"{low_name} must not exceed {high_name}, got {low_name}={low!r}, "
                f"{high_name}={high!r}"
            )


# --- shared pieces ---------------------------------------------------------------------------


def _percent(share: float) -> str:
    whole = round(share * 100)
    return f"{share:.0%}" if math.isclose(share * 100, whole, abs_tol=1e-9) else f"{share:.1%}"


def _listed(count: int, singular: str, plural: str, values: Sequence[str]) -> str:
    noun = singular if count == 1 else plural
    return f"{count} {noun} ({', '.join(values)})" if values else f"{count} {noun}"


def _status_text(level: Status | Confidence) -> str:
    return str(level.value).replace("_", " ")


def _agree_phrase(found: Consensus) -> str:
    if found.value is None:
        subject = repr(found.rating)
    elif found.rating is None:
        subject = f"{found.value:g}"
    else:
        subject = f"{found.value:g} ({found.rating!r})"
    total = len(found.evidence)
    return (
        f"{len(found.agreeing)} of {total} item{'' if total == 1 else 's'} "
        f"({_percent(found.agreement)}) agree on {subject}"
    )


def _sources(items: Sequence[Evidence]) -> tuple[str, ...]:
    return tuple(sorted({item.source for item in items}))


def _assess(
    found: Consensus,
    *,
    status: Status,
    confidence: Confidence | None,
    explanation: str,
    rule: object,
    concerns: Sequence[str] = (),
) -> Assessment:
    agreeing = found.agreeing
    return Assessment(
        rating=found.rating,
        value=found.value,
        agreement=found.agreement,
        evidence=tuple(item if isinstance(item, str) else item.id for item in found.evidence),
        agreeing=tuple(item.id for item in agreeing),
        sources=_sources(agreeing),
        source_categories=tuple(item.category for item in agreeing),
        techniques=tuple(item.technique for item in agreeing),
        dates=tuple(item.date.isoformat() for item in agreeing if item.date is not None),
        investigators=tuple(item.investigator for item in agreeing if item.investigator),
        status=status,
        confidence=confidence,
        explanation=explanation,
        concerns=tuple(concerns),
        rule=repr(rule),
    )


def _no_evidence(rule: object) -> Assessment:
    return Assessment(status=Status.NO_EVIDENCE, explanation="no evidence", rule=repr(rule))


def _corroboration(
    *,
    agreement_share: float,
    count: int,
    minimum: int,
    sources: int,
    min_agreement: float,
    high_agreement: float,
    even_split: bool = False,
) -> tuple[Status, Confidence]:
    """The status table of the module docstring, for a non-empty evidence set."""
    if agreement_share < min_agreement or even_split:
        return Status.CONTESTED, Confidence.VERY_LOW
    high = agreement_share >= high_agreement
    if count >= minimum:
        return Status.CORROBORATED, Confidence.HIGH if high else Confidence.MODERATE
    if sources >= 2:
        return Status.PARTIALLY_CORROBORATED, Confidence.MODERATE if high else Confidence.LOW
    return Status.SINGLE_SOURCE, Confidence.LOW


def _split_phrase(found: Consensus) -> str:
    lower, upper = found.even_split
    return (
        f"an even split between {lower!r} and {upper!r}: half the weight on each side, "
        f"the lower one shown"
    )


def _contested_text(found: Consensus, min_agreement: float) -> str:
    if found.even_split and found.agreement >= min_agreement:
        return f"{_agree_phrase(found)}; {_split_phrase(found)} — contested"
    return f"{_agree_phrase(found)}, below {_percent(min_agreement)} — contested"


# --- the counting rules ----------------------------------------------------------------------


@attrs.frozen(repr=False)
class _CountingRule:
    """Corroboration by the number of distinct values of one attribute among agreeing items."""

    counted: _Counted
    minimum: int
    min_agreement: float
    high_agreement: float
    within_source: bool = False
    min_gap_days: int = 0

    def __repr__(self) -> str:
        factory, parameter = _FACTORIES[self.counted]
        options = [f"{parameter}={self.minimum!r}"]
        if self.counted == "technique":
            options.append(f"within_source={self.within_source!r}")
        if self.counted == "date":
            options.append(f"min_gap_days={self.min_gap_days!r}")
        options.append(f"min_agreement={self.min_agreement!r}")
        options.append(f"high_agreement={self.high_agreement!r}")
        return f"{factory}({', '.join(options)})"

    def __call__(self, evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        found = consensus(evidence, scale)
        if not found.evidence:
            return _no_evidence(self)
        return self._judge(found)

    def assess_groups(self, groups: EvidenceGroups, scale: Scale) -> Sequence[Assessment]:
        """The array form: one assessment per group, equal to ``self(groups.items(g), scale)``.

        The consensus of every group is found at once
        (:func:`~policyeval.consensus.group_consensus`), and so are the
        distinct values among the agreeing rows; the spread of dates more
        than a day apart and techniques within one source are counted on the
        agreeing rows of each group. Groups the array form does not decide
        (numeric scales, weights that are not whole numbers) are judged on
        their items. Ids within a group are distinct, as
        :func:`~policyeval.triangulate.triangulate` ensures.
        """
        if not isinstance(scale, OrdinalScale):
            return [self(groups.items(group), scale) for group in range(len(groups))]
        if not (self.within_source or self.min_gap_days > 1):
            from policyeval._rule_arrays import counting_groups

            return counting_groups(self, groups, scale)
        return _by_summary(self, groups, scale)

    def _judge(self, found: Consensus) -> Assessment:
        count, counted_text = self._count(found.agreeing)
        sources = _sources([item for item in found.agreeing if item.independent])
        status, confidence = _corroboration(
            agreement_share=found.agreement,
            count=count,
            minimum=self.minimum,
            sources=len(sources),
            min_agreement=self.min_agreement,
            high_agreement=self.high_agreement,
            even_split=bool(found.even_split),
        )
        if status is Status.CONTESTED:
            explanation = _contested_text(found, self.min_agreement)
        elif status is Status.CORROBORATED:
            explanation = f"{_agree_phrase(found)}; {counted_text} — corroborated"
        else:
            explanation = (
                f"{_agree_phrase(found)}; {counted_text}, {self.minimum} needed; "
                f"{_listed(len(sources), 'source', 'sources', sources)} — {_status_text(status)}"
            )
        return _assess(
            found, status=status, confidence=confidence, explanation=explanation, rule=self
        )

    def _count(self, agreeing: Sequence[Evidence]) -> tuple[int, str]:
        """How many distinct counted values the agreeing items show, and a phrase saying so.

        Items whose attribution is inferred add no source category or
        technique of their own, and neither does the technique
        ``"unspecified"``: they are not independent confirmation.
        """
        if self.counted == "category":
            counted = [item for item in agreeing if item.independent]
            categories = sorted({item.category for item in counted})
            text = _listed(len(categories), "source category", "source categories", categories)
            return len(categories), text + _not_counted(len(agreeing) - len(counted), "inferred")
        if self.counted == "technique":
            counted = [item for item in agreeing if item.known_technique]
            note = _not_counted(len(agreeing) - len(counted), "inferred or unspecified technique")
            if self.within_source:
                count, text = self._techniques_within_one_source(counted)
                return count, text + note
            techniques = sorted({item.technique for item in counted})
            text = _listed(len(techniques), "technique", "techniques", techniques)
            return len(techniques), text + note
        if self.counted == "date":
            days = _spread(
                sorted({item.date for item in agreeing if item.date is not None}), self.min_gap_days
            )
            noun = "date" if len(days) == 1 else "dates"
            if self.min_gap_days > 1:
                noun += f" at least {self.min_gap_days} days apart"
            return len(days), _listed(len(days), noun, noun, [day.isoformat() for day in days])
        investigators = sorted({item.investigator for item in agreeing if item.investigator})
        return len(investigators), _listed(
            len(investigators), "investigator", "investigators", investigators
        )

    def _techniques_within_one_source(self, agreeing: Sequence[Evidence]) -> tuple[int, str]:
        if not agreeing:
            return 0, "0 techniques"
        by_source: dict[str, set[str]] = {}
        for item in agreeing:
            by_source.setdefault(item.source, set()).add(item.technique)
        # the source with most techniques; among equals the first by id, so the text is stable
        source, techniques = min(by_source.items(), key=lambda pair: (-len(pair[1]), pair[0]))
        listed = _listed(len(techniques), "technique", "techniques", sorted(techniques))
        return len(techniques), f"{listed} from one source ({source})"


def _summaries(groups: EvidenceGroups, scale: Scale) -> list[Consensus | None]:
    """Each group's consensus as a rule's judging code reads it, ``None`` where not decided.

    The consensus of every group is found at once
    (:func:`~policyeval.consensus.group_consensus`); a summary holds the
    group's ids where :func:`consensus` holds its items, and light records
    of the agreeing rows only. ``None`` marks a group the array form does
    not decide (a numeric scale, weights that are not whole numbers or
    sixteenths): it must be judged on its items.
    """
    if not isinstance(scale, OrdinalScale):
        return [None] * len(groups)
    found = group_consensus(groups, scale)
    ids = groups.table.ids
    rows = groups.rows.tolist()
    bounds = groups.bounds.tolist()
    agreeing = found.agreeing.tolist()
    exact = found.exact.tolist()
    levels = [level.id for level in scale.levels]
    chosen, uppers, shares = found.level.tolist(), found.upper.tolist(), found.agreement.tolist()
    record = _RowReader(groups.table)
    out: list[Consensus | None] = []
    for group in range(len(groups)):
        if not exact[group]:
            out.append(None)
            continue
        start, stop = bounds[group], bounds[group + 1]
        members = rows[start:stop]
        rating = levels[chosen[group]]
        upper = uppers[group]
        out.append(
            Consensus(
                rating=rating,
                evidence=cast(Any, tuple(ids[row] for row in members)),
                agreeing=cast(
                    Any,
                    tuple(
                        record(row)
                        for row, agrees in zip(members, agreeing[start:stop], strict=True)
                        if agrees
                    ),
                ),
                agreement=shares[group],
                even_split=(rating, levels[upper]) if upper >= 0 else (),
            )
        )
    return out


def _by_summary(rule: Any, groups: EvidenceGroups, scale: Scale) -> list[Assessment]:
    """``rule._judge`` on each group's summary; the rule itself on a group not decided."""
    return [
        rule(groups.items(group), scale) if summary is None else rule._judge(summary)
        for group, summary in enumerate(_summaries(groups, scale))
    ]


class _RowReader:
    """Reads one table row as the fields the rules' judging code looks at (no Evidence object)."""

    def __init__(self, table: EvidenceTable) -> None:
        self.table = table
        self.ids = table.ids
        self.columns = {
            name: (table.codes(name).tolist(), (*table.vocabulary(name), None))
            for name in ("source", "source_category", "technique", "date", "investigator")
        }
        self.inferred = table.inferred.tolist()
        self.weights = table.weights.tolist()

    def __call__(self, row: int) -> _Agreeing:
        fields = {
            name: vocabulary[codes[row]] for name, (codes, vocabulary) in self.columns.items()
        }
        return _Agreeing(
            id=self.ids[row],
            attribution="inferred" if self.inferred[row] else "stated",
            weight=self.weights[row],
            extra=self.table.extra_of(row),
            **fields,
        )


@attrs.frozen
class _Agreeing:
    """The fields of an agreeing item that the counting rules read, as :class:`Evidence` has them."""

    id: str
    source: str
    source_category: str | None
    technique: str
    date: datetime.date | None
    investigator: str | None
    attribution: str
    weight: float
    extra: Mapping[str, Any]

    @property
    def category(self) -> str:
        return self.source_category or self.source

    @property
    def independent(self) -> bool:
        return self.attribution == "stated"

    @property
    def known_technique(self) -> bool:
        return self.independent and self.technique.casefold() != UNSPECIFIED


def _not_counted(count: int, why: str) -> str:
    """A note on agreeing items left out of a count, or nothing when none were."""
    if not count:
        return ""
    return f" ({count} item{'' if count == 1 else 's'} not counted: {why})"


def _spread(days: Sequence[datetime.date], gap: int) -> list[datetime.date]:
    """The most dates that lie pairwise at least ``gap`` days apart (greedy from the earliest).

    Greedy selection from the earliest date keeps the largest such set, so adding
    a date never makes the count smaller.
    """
    kept: list[datetime.date] = []
    for day in days:
        if not kept or (day - kept[-1]).days >= gap:
            kept.append(day)
    return kept


def _counting_rule(
    counted: _Counted,
    minimum: int,
    min_agreement: float,
    high_agreement: float,
    *,
    within_source: bool = False,
    min_gap_days: int = 0,
) -> _CountingRule:
    parameter = _FACTORIES[counted][1]
    min_agreement = _check_share("min_agreement", min_agreement)
    high_agreement = _check_share("high_agreement", high_agreement)
    _check_order(("min_agreement", min_agreement), ("high_agreement", high_agreement))
    if not isinstance(within_source, bool):
        raise InvalidArgument(
            f"within_source must be True or False, got within_source={within_source!r}"
        )
    return _CountingRule(
        counted=counted,
        minimum=_check_count(parameter, minimum, least=1),
        min_agreement=min_agreement,
        high_agreement=high_agreement,
        within_source=within_source,
        min_gap_days=_check_count("min_gap_days", min_gap_days, least=0),
    )


def source_triangulation(
    *, min_categories: int = 2, min_agreement: float = 0.5, high_agreement: float = 0.75
) -> TriangulationRule:
    """Data (source) triangulation: agreeing items from enough source categories.

    Denzin's data triangulation, Sugiyono's *triangulasi sumber*: a finding is
    corroborated when the items agreeing with the consensus come from at
    least ``min_categories`` distinct source categories (informant roles or
    document types; an item without a category counts its source as one).
    The status table is in the module docstring.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("yn", (Level("ya", 1), Level("tidak", 0)))
    >>> items = [Evidence(id=f"e{n}", indicator="k", rating="ya", source=source,
    ...                   source_category="asn", technique="interview")
    ...          for n, source in enumerate(["camat", "lurah"])]
    >>> rule = source_triangulation()
    >>> rule
    source_triangulation(min_categories=2, min_agreement=0.5, high_agreement=0.75)
    >>> rule(items, scale).status
    <Status.PARTIALLY_CORROBORATED: 'partially_corroborated'>
    """
    return _counting_rule("category", min_categories, min_agreement, high_agreement)


def technique_triangulation(
    *,
    min_techniques: int = 2,
    within_source: bool = False,
    min_agreement: float = 0.5,
    high_agreement: float = 0.75,
) -> TriangulationRule:
    """Methodological triangulation: agreeing items from enough techniques.

    Denzin's methodological (between-method) triangulation, Sugiyono's
    *triangulasi teknik*: corroborated when the agreeing items were gathered
    with at least ``min_techniques`` distinct techniques (interview,
    observation, documentation ...). With ``within_source=True`` the
    techniques must all come from one source, as Sugiyono describes it
    (the same source checked with different techniques).

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("yn", (Level("ya", 1), Level("tidak", 0)))
    >>> pairs = [("bawaslu", "interview"), ("kpu", "documentation")]
    >>> items = [Evidence(id=f"e{n}", indicator="k", rating="ya", source=source, technique=how)
    ...          for n, (source, how) in enumerate(pairs)]
    >>> technique_triangulation()(items, scale).status
    <Status.CORROBORATED: 'corroborated'>
    >>> strict = technique_triangulation(within_source=True)
    >>> print(strict(items, scale).explanation)
    2 of 2 items (100%) agree on 'ya'; 1 technique (interview) from one source (bawaslu),
    2 needed; 2 sources (bawaslu, kpu) — partially corroborated
    """
    return _counting_rule(
        "technique", min_techniques, min_agreement, high_agreement, within_source=within_source
    )


def time_triangulation(
    *,
    min_dates: int = 2,
    min_gap_days: int = 0,
    min_agreement: float = 0.5,
    high_agreement: float = 0.75,
) -> TriangulationRule:
    """Time triangulation: agreeing items gathered on enough distinct dates.

    Sugiyono's *triangulasi waktu* (Denzin's time dimension of data
    triangulation): corroborated when the agreeing items carry at least
    ``min_dates`` distinct dates lying pairwise at least ``min_gap_days``
    days apart (the largest such set is counted). Items without a date do
    not count.

    >>> import datetime
    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("yn", (Level("ya", 1), Level("tidak", 0)))
    >>> items = [Evidence(id=f"e{n}", indicator="k", rating="ya", source="bawaslu",
    ...                   technique="interview", date=datetime.date(2024, month, 1))
    ...          for n, month in enumerate([1, 2, 6])]
    >>> time_triangulation(min_dates=3)(items, scale).status
    <Status.CORROBORATED: 'corroborated'>
    >>> print(time_triangulation(min_dates=3, min_gap_days=60)(items, scale).explanation)
    3 of 3 items (100%) agree on 'ya'; 2 dates at least 60 days apart (2024-01-01, 2024-06-01),
    3 needed; 1 source (bawaslu) — single source
    """
    return _counting_rule(
        "date", min_dates, min_agreement, high_agreement, min_gap_days=min_gap_days
    )


def investigator_triangulation(
    *, min_investigators: int = 2, min_agreement: float = 0.5, high_agreement: float = 0.75
) -> TriangulationRule:
    """Investigator triangulation: agreeing items coded by enough investigators.

    Denzin's investigator triangulation: corroborated when at least
    ``min_investigators`` distinct investigators produced the agreeing items.
    Items without an investigator do not count.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("yn", (Level("ya", 1), Level("tidak", 0)))
    >>> items = [Evidence(id=f"e{n}", indicator="k", rating="ya", source="bawaslu",
    ...                   technique="interview", investigator=name)
    ...          for n, name in enumerate(["ani", "budi"])]
    >>> print(investigator_triangulation()(items, scale).explanation)
    2 of 2 items (100%) agree on 'ya'; 2 investigators (ani, budi) — corroborated
    """
    return _counting_rule("investigator", min_investigators, min_agreement, high_agreement)


# --- agreement share alone -------------------------------------------------------------------


@attrs.frozen(repr=False)
class _AgreementRule:
    corroborated_at: float
    contested_below: float
    high_at: float

    def __repr__(self) -> str:
        return (
            f"agreement(corroborated_at={self.corroborated_at!r}, "
            f"contested_below={self.contested_below!r}, high_at={self.high_at!r})"
        )

    def __call__(self, evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        found = consensus(evidence, scale)
        if not found.evidence:
            return _no_evidence(self)
        return self._judge(found)

    def assess_groups(self, groups: EvidenceGroups, scale: Scale) -> list[Assessment]:
        """The array form: one assessment per group, equal to ``self(groups.items(g), scale)``."""
        return _by_summary(self, groups, scale)

    def _judge(self, found: Consensus) -> Assessment:
        share = found.agreement
        if share < self.contested_below or found.even_split:
            status, confidence = Status.CONTESTED, Confidence.VERY_LOW
            explanation = _contested_text(found, self.contested_below)
        elif share >= self.corroborated_at:
            status = Status.CORROBORATED
            confidence = Confidence.HIGH if share >= self.high_at else Confidence.MODERATE
            explanation = (
                f"{_agree_phrase(found)}, at least {_percent(self.corroborated_at)} — corroborated"
            )
        else:
            status, confidence = Status.PARTIALLY_CORROBORATED, Confidence.LOW
            explanation = (
                f"{_agree_phrase(found)}, below {_percent(self.corroborated_at)} "
                "— partially corroborated"
            )
        return _assess(
            found, status=status, confidence=confidence, explanation=explanation, rule=self
        )


def agreement(
    *, corroborated_at: float = 0.75, contested_below: float = 0.5, high_at: float = 0.9
) -> TriangulationRule:
    """Coherence alone: judge by the share of evidence weight agreeing with the consensus.

    Who said it does not matter to this rule: agreement below
    ``contested_below`` is ``contested`` (``very_low``); at least
    ``corroborated_at`` is ``corroborated`` (``high`` from ``high_at``, else
    ``moderate``); in between is ``partially_corroborated`` (``low``). Combine
    it with a counting rule through :func:`all_of` to ask for both.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("yn", (Level("ya", 1), Level("tidak", 0)))
    >>> items = [Evidence(id=f"e{n}", indicator="k", rating=rating, source=f"s{n}",
    ...                   technique="survey")
    ...          for n, rating in enumerate(["ya", "ya", "ya", "ya", "tidak"])]
    >>> result = agreement()(items, scale)
    >>> result.status, result.confidence, result.agreement
    (<Status.CORROBORATED: 'corroborated'>, <Confidence.MODERATE: 'moderate'>, 0.8)
    """
    contested = _check_share("contested_below", contested_below)
    corroborated = _check_share("corroborated_at", corroborated_at)
    high = _check_share("high_at", high_at)
    _check_order(
        ("contested_below", contested), ("corroborated_at", corroborated), ("high_at", high)
    )
    return _AgreementRule(corroborated_at=corroborated, contested_below=contested, high_at=high)


# --- GRADE-CERQual style ---------------------------------------------------------------------


def _flag(item: Evidence, key: str) -> str:
    return str(item.extra.get(key, "")).strip().casefold()


def _weight_share(part: Sequence[Evidence], whole: Sequence[Evidence]) -> float:
    return math.fsum(item.weight for item in part) / math.fsum(item.weight for item in whole)


@attrs.frozen(repr=False)
class _CerqualRule:
    coherence_at: float
    min_items: int
    min_sources: int
    concern_share: float
    min_agreement: float

    def __repr__(self) -> str:
        return (
            f"cerqual(coherence_at={self.coherence_at!r}, min_items={self.min_items!r}, "
            f"min_sources={self.min_sources!r}, concern_share={self.concern_share!r}, "
            f"min_agreement={self.min_agreement!r})"
        )

    def __call__(self, evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        found = consensus(evidence, scale)
        if not found.evidence:
            return _no_evidence(self)
        return self._judge(found)

    def assess_groups(self, groups: EvidenceGroups, scale: Scale) -> list[Assessment]:
        """The array form: one assessment per group, equal to ``self(groups.items(g), scale)``."""
        return _by_summary(self, groups, scale)

    def _judge(self, found: Consensus) -> Assessment:
        agreeing = found.agreeing
        # an item whose source is the encoder's inference is not an independent source
        sources = _sources([item for item in agreeing if item.independent])
        status, _ = _corroboration(
            agreement_share=found.agreement,
            count=len(sources),
            minimum=self.min_sources,
            sources=len(sources),
            min_agreement=self.min_agreement,
            high_agreement=1.0,
            even_split=bool(found.even_split),
        )
        concerns = self._concerns(found, len(sources))
        confidence = Confidence.HIGH.lowered(len(concerns))
        if status is Status.CONTESTED:
            confidence = Confidence.VERY_LOW
        head = _agree_phrase(found)
        if status is Status.CONTESTED and found.agreement >= self.min_agreement:
            head += f"; {_split_phrase(found)}"
        elif status is Status.CONTESTED:
            head += f", below {_percent(self.min_agreement)}"
        else:
            head += f"; {_listed(len(sources), 'source', 'sources', sources)}"
        details = "; ".join(f"{name} ({detail})" for name, detail in concerns) or "no concerns"
        explanation = (
            f"{head} — {_status_text(status)}; confidence {_status_text(confidence)}: {details}"
        )
        return _assess(
            found,
            status=status,
            confidence=confidence,
            explanation=explanation,
            rule=self,
            concerns=[name for name, _ in concerns],
        )

    def _concerns(self, found: Consensus, sources: int) -> list[tuple[str, str]]:
        agreeing = found.agreeing
        concerns: list[tuple[str, str]] = []
        serious = [item for item in agreeing if _flag(item, "limitations") == "serious"]
        limited = _weight_share(serious, agreeing)
        if limited >= self.concern_share:
            concerns.append(
                (
                    "methodological_limitations",
                    f"{_percent(limited)} of agreeing weight has serious limitations",
                )
            )
        if found.agreement < self.coherence_at:
            concerns.append(
                (
                    "coherence",
                    f"agreement {_percent(found.agreement)} below {_percent(self.coherence_at)}",
                )
            )
        thin = []
        if len(agreeing) < self.min_items:
            thin.append(
                f"{len(agreeing)} agreeing item{'' if len(agreeing) == 1 else 's'}, "
                f"{self.min_items} needed"
            )
        if sources < self.min_sources:
            thin.append(f"{sources} source{'' if sources == 1 else 's'}, {self.min_sources} needed")
        if thin:
            concerns.append(("adequacy", ", ".join(thin)))
        indirect = [
            item for item in agreeing if _flag(item, "relevance") in {"indirect", "partial"}
        ]
        removed = _weight_share(indirect, agreeing)
        if removed >= self.concern_share:
            concerns.append(
                ("relevance", f"{_percent(removed)} of agreeing weight is partial or indirect")
            )
        return concerns


def cerqual(
    *,
    coherence_at: float = 0.75,
    min_items: int = 3,
    min_sources: int = 2,
    concern_share: float = 0.5,
    min_agreement: float = 0.5,
) -> TriangulationRule:
    """GRADE-CERQual-style confidence: start at high, one level down per serious concern.

    The four components of Lewin et al. (2018), each read off the items
    agreeing with the consensus:

    * ``methodological_limitations``: items flagged ``limitations = serious``
      (in :attr:`Evidence.extra <policyeval.evidence.Evidence.extra>`) hold at
      least ``concern_share`` of the agreeing weight;
    * ``coherence``: the agreement share is below ``coherence_at``;
    * ``adequacy``: fewer than ``min_items`` agreeing items, or fewer than
      ``min_sources`` distinct sources among them;
    * ``relevance``: items flagged ``relevance = partial`` or ``indirect``
      hold at least ``concern_share`` of the agreeing weight.

    The status counts distinct sources (``corroborated`` from
    ``min_sources``, ``partially_corroborated`` from 2, else
    ``single_source``); agreement below ``min_agreement`` is ``contested``
    with ``very_low`` confidence. Concerns never change the status.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("yn", (Level("ya", 1), Level("tidak", 0)))
    >>> items = [Evidence(id=f"e{n}", indicator="k", rating="ya", source=f"s{n}",
    ...                   technique="interview", extra={"relevance": relevance})
    ...          for n, relevance in enumerate(["direct", "indirect"])]
    >>> result = cerqual()(items, scale)
    >>> result.status, result.confidence, result.concerns
    (<Status.CORROBORATED: 'corroborated'>, <Confidence.LOW: 'low'>, ('adequacy', 'relevance'))
    """
    return _CerqualRule(
        coherence_at=_check_share("coherence_at", coherence_at),
        min_items=_check_count("min_items", min_items, least=1),
        min_sources=_check_count("min_sources", min_sources, least=1),
        concern_share=_check_share("concern_share", concern_share),
        min_agreement=_check_share("min_agreement", min_agreement),
    )


# --- combining rules -------------------------------------------------------------------------


def _confidence_rank(confidence: Confidence | None) -> int:
    return -1 if confidence is None else confidence.rank


@attrs.frozen(repr=False)
class _Combined:
    mode: Literal["all_of", "any_of"]
    rules: tuple[TriangulationRule, ...]

    def __repr__(self) -> str:
        return f"{self.mode}({', '.join(describe(rule) for rule in self.rules)})"

    def __call__(self, evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        return self._combine([rule(evidence, scale) for rule in self.rules])

    def assess_groups(self, groups: EvidenceGroups, scale: Scale) -> list[Assessment]:
        """The array form: the members' array forms, combined group by group.

        A member without an array form is asked group by group, on the items.
        """
        per_rule = [
            rule.assess_groups(groups, scale)
            if hasattr(rule, "assess_groups")
            else [rule(groups.items(group), scale) for group in range(len(groups))]
            for rule in self.rules
        ]
        return [self._combine(list(results)) for results in zip(*per_rule, strict=True)]

    def _combine(self, results: list[Assessment]) -> Assessment:
        for rule, result in zip(self.rules, results, strict=True):
            if not isinstance(result, Assessment):
                raise PluginContractError(
                    f"{self.mode}: rule {rule!r} returned {result!r}, expected an Assessment"
                )
        first = results[0]
        for rule, result in zip(self.rules, results, strict=True):
            if (result.rating, result.value) != (first.rating, first.value):
                raise PluginContractError(
                    f"{self.mode}: rules disagree on the consensus: {self.rules[0]!r} gives "
                    f"rating={first.rating!r}, value={first.value!r} but {rule!r} gives "
                    f"rating={result.rating!r}, value={result.value!r}"
                )
        pick = min if self.mode == "all_of" else max
        status = pick(result.status for result in results)
        confidence = pick((result.confidence for result in results), key=_confidence_rank)
        if self.mode == "all_of":
            concerns = list(dict.fromkeys(c for result in results for c in result.concerns))
        else:
            concerns = [
                c for c in first.concerns if all(c in result.concerns for result in results)
            ]
        explanation = f"{self.mode} ({_status_text(status)}): " + " | ".join(
            result.explanation for result in results
        )
        return attrs.evolve(
            first,
            status=status,
            confidence=confidence,
            explanation=explanation,
            concerns=tuple(concerns),
            rule=repr(self),
        )


def _combined(mode: Literal["all_of", "any_of"], rules: tuple[TriangulationRule, ...]) -> _Combined:
    if not rules:
        raise InvalidArgument(f"{mode} needs at least one rule, got rules=()")
    for index, rule in enumerate(rules):
        if not callable(rule):
            raise InvalidArgument(f"{mode}: rules[{index}]={rule!r} is not callable")
    return _Combined(mode=mode, rules=rules)


def all_of(*rules: TriangulationRule) -> TriangulationRule:
    """Ask every rule: the weakest status, the lowest confidence.

    The consensus is the members' own (all built-in rules share it); the
    explanation joins the members'; the concerns are every concern any
    member raised.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("yn", (Level("ya", 1), Level("tidak", 0)))
    >>> items = [Evidence(id=f"e{n}", indicator="k", rating="ya", source="kpu", technique=technique)
    ...          for n, technique in enumerate(["interview", "documentation"])]
    >>> both = all_of(source_triangulation(), technique_triangulation())
    >>> both
    all_of(source_triangulation(min_categories=2, min_agreement=0.5, high_agreement=0.75),
           technique_triangulation(min_techniques=2, within_source=False, min_agreement=0.5,
                                   high_agreement=0.75))
    >>> both(items, scale).status
    <Status.SINGLE_SOURCE: 'single_source'>
    """
    return _combined("all_of", rules)


def any_of(*rules: TriangulationRule) -> TriangulationRule:
    """Ask every rule: the strongest status, the highest confidence.

    The consensus is the members' own; the explanation joins the members';
    the concerns are those every member raised.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("yn", (Level("ya", 1), Level("tidak", 0)))
    >>> items = [Evidence(id=f"e{n}", indicator="k", rating="ya", source="kpu", technique=technique)
    ...          for n, technique in enumerate(["interview", "documentation"])]
    >>> any_of(source_triangulation(), technique_triangulation())(items, scale).status
    <Status.CORROBORATED: 'corroborated'>
    """
    return _combined("any_of", rules)


# --- coder agreement ---------------------------------------------------------------------------


@attrs.frozen(repr=False)
class _CoderAgreementRule:
    base: TriangulationRule
    threshold: float
    metric: str
    steps: int

    def __repr__(self) -> str:
        return (
            f"coder_agreement(base={self.base!r}, threshold={self.threshold!r}, "
            f"metric={self.metric!r}, steps={self.steps!r})"
        )

    def __call__(self, evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        from policyeval.agreement import coder_alpha

        result = self.base(evidence, scale)
        if not isinstance(result, Assessment):
            raise PluginContractError(
                f"coder_agreement: base rule {self.base!r} returned {result!r}, expected an Assessment"
            )
        if result.status is Status.NO_EVIDENCE:
            return attrs.evolve(result, rule=repr(self))
        found = coder_alpha(evidence, scale, metric=self.metric)  # type: ignore[arg-type]
        if found.alpha is None:
            note = "coder agreement not measurable (no segment rated by two investigators)"
            return attrs.evolve(
                result, explanation=f"{result.explanation}; {note}", rule=repr(self)
            )
        note = (
            f"coder agreement alpha={found.alpha:.3f} ({found.metric}, {len(found.coders)} "
            f"investigators, {found.units} segment{'' if found.units == 1 else 's'})"
        )
        if found.alpha >= self.threshold:
            return attrs.evolve(
                result, explanation=f"{result.explanation}; {note}", rule=repr(self)
            )
        concern = f"coder agreement alpha={found.alpha:.3f} < {self.threshold:g}"
        confidence = None if result.confidence is None else result.confidence.lowered(self.steps)
        return attrs.evolve(
            result,
            confidence=confidence,
            explanation=f"{result.explanation}; {note}, below {self.threshold:g}: confidence lowered",
            concerns=(*result.concerns, concern),
            rule=repr(self),
        )


def coder_agreement(
    base: Any = "agreement",
    *,
    threshold: float = 0.667,
    metric: Literal["nominal", "ordinal", "interval"] = "ordinal",
    steps: int = 1,
) -> TriangulationRule:
    """Lower the confidence of another rule's judgement when coders disagree.

    The ``base`` rule (a rule, its name or spec) judges the evidence; then
    Krippendorff's alpha among the investigators who rated the same segments
    (see :func:`policyeval.agreement.coder_alpha`) is measured, and when it
    is below ``threshold`` the confidence drops ``steps`` levels and a
    concern names the alpha. The alpha is always stated in the explanation,
    so reports show it.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("s", (Level("baik", 2), Level("buruk", 1)))
    >>> items = [Evidence(id=f"e{n}{coder}", indicator="k", rating=rating, source=f"s{n}",
    ...                   technique="interview", investigator=coder)
    ...          for n, pair in enumerate([("baik", "buruk"), ("buruk", "baik"), ("baik", "baik")])
    ...          for coder, rating in zip(["ana", "budi"], pair)]
    >>> result = coder_agreement()(items, scale)
    >>> result.concerns, result.confidence
    (('coder agreement alpha=-0.250 < 0.667',), <Confidence.VERY_LOW: 'very_low'>)
    """
    if isinstance(base, str | Mapping):
        from policyeval.registry import build_rule

        base = build_rule(base)
    if not callable(base):
        raise InvalidArgument(
            f"coder_agreement: base must be a rule or its name, got base={base!r}"
        )
    if metric not in ("nominal", "ordinal", "interval"):
        raise InvalidArgument(
            f"metric must be 'nominal', 'ordinal' or 'interval', got metric={metric!r}"
        )
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not (-1.0 <= threshold <= 1.0)
    ):
        raise InvalidArgument(f"threshold must be a number in [-1, 1], got threshold={threshold!r}")
    return _CoderAgreementRule(
        base, float(threshold), metric, _check_count("steps", steps, least=0)
    )
