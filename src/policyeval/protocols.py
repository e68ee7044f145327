"""The plug-in contracts, and the values plug-ins return.

policyeval has four plug-in points, each a small protocol with one obvious
method. Plain functions satisfy them; configurable plug-ins are factories
returning frozen callable objects whose ``repr`` shows their parameters.
Nothing needs to subclass a policyeval class.

* :class:`TriangulationRule`: ``rule(evidence, scale) -> Assessment`` judges
  how far one indicator's evidence for one unit is corroborated, and how much
  confidence the judgement deserves.
* :class:`Aggregator`: ``aggregator(values, weights) -> float`` combines the
  scores of a node's children.
* :class:`ConfidenceRule`: ``rule(confidences, weights) -> Confidence | None``
  propagates confidence from children to a parent.
* :class:`Scorer`: ``scorer(values, scale, *, units) -> scores`` puts one
  indicator's values for every unit onto the framework's common score range.

>>> Status.CORROBORATED > Status.SINGLE_SOURCE
True
>>> Confidence.HIGH.lowered(2)
<Confidence.LOW: 'low'>
>>> min(Confidence.MODERATE, Confidence.VERY_LOW)
<Confidence.VERY_LOW: 'very_low'>
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

if TYPE_CHECKING:
    from policyeval.evidence import Evidence
    from policyeval.scales import Scale

__all__ = [
    "Aggregator",
    "ArrayAggregator",
    "Assessment",
    "Confidence",
    "ConfidenceRule",
    "Scorer",
    "Status",
    "TriangulationRule",
    "VectorisedAggregator",
]


class _Ranked(enum.StrEnum):
    """A string enum whose members compare by their declaration order.

    A member also orders against its value written as a string; anything
    else cannot be ordered against it.

    >>> Confidence.LOW < Confidence.HIGH, Confidence.LOW < "high", "high" > Confidence.LOW
    (True, True, True)
    >>> min([Status.CORROBORATED, Status.CONTESTED]).value
    'contested'
    """

    @property
    def rank(self) -> int:
        """0 for the first (weakest) member, counting up."""
        return type(self)._member_names_.index(self.name)

    def _other_rank(self, other: object) -> int:
        """The rank of ``other``: a member of this enum, or one of their values as a string."""
        if isinstance(other, type(self)):
            return other.rank
        if isinstance(other, str):
            with contextlib.suppress(ValueError):  # not one of the values: refused below
                return type(self)(other).rank
        names = ", ".join(repr(member.value) for member in type(self))
        raise TypeError(
            f"cannot order {type(self).__name__} against {other!r}; its values are {names}"
        )

    def __lt__(self, other: object) -> bool:
        return self.rank < self._other_rank(other)

    def __le__(self, other: object) -> bool:
        return self.rank <= self._other_rank(other)

    def __gt__(self, other: object) -> bool:
        return self.rank > self._other_rank(other)

    def __ge__(self, other: object) -> bool:
        return self.rank >= self._other_rank(other)

    def __str__(self) -> str:
        return str(self.value)


class Status(_Ranked):
    """How far a judgement is corroborated, weakest first.

    ``measured`` is not a degree of corroboration: it marks a score read from
    a data table (a statistic), which has no sources to triangulate. It comes
    last, so a parent's status (its weakest child's) is never lowered by a
    measured child: a node mixing measured and triangulated children takes
    the weakest triangulated status, and a node fed only by data is measured.
    """

    NO_EVIDENCE = "no_evidence"
    CONTESTED = "contested"
    SINGLE_SOURCE = "single_source"
    PARTIALLY_CORROBORATED = "partially_corroborated"
    CORROBORATED = "corroborated"
    MEASURED = "measured"


class Confidence(_Ranked):
    """How much confidence a judgement deserves, lowest first (GRADE-CERQual's four levels)."""

    VERY_LOW = "very_low"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"

    def lowered(self, steps: int = 1) -> Confidence:
        """This level moved ``steps`` levels down, stopping at ``very_low``."""
        members = list(Confidence)
        return members[max(0, self.rank - max(0, steps))]


def _sorted_strings(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def _strings(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class Assessment:
    """What a triangulation rule concludes about one indicator for one unit.

    ``rating`` is the consensus level id (ordinal indicators, or numeric
    indicators with bands); ``value`` the consensus number (numeric
    indicators). ``agreement`` is the share of evidence weight that agrees
    with the consensus (0 when there is no evidence). ``evidence`` lists every
    item the rule considered and ``agreeing`` those that agree with the
    consensus; the ``sources``, ``source_categories``, ``techniques``,
    ``dates`` (ISO dates) and ``investigators`` are the distinct values among
    the agreeing items. ``confidence`` is ``None`` only when there is no
    evidence. ``concerns`` names what lowered the confidence, if anything.
    All tuples are sorted, so equal inputs give equal assessments.
    """

    rating: str | None = None
    value: float | None = None
    agreement: float = 0.0
    evidence: tuple[str, ...] = attrs.field(default=(), converter=_sorted_strings)
    agreeing: tuple[str, ...] = attrs.field(default=(), converter=_sorted_strings)
    sources: tuple[str, ...] = attrs.field(default=(), converter=_sorted_strings)
    source_categories: tuple[str, ...] = attrs.field(default=(), converter=_sorted_strings)
    techniques: tuple[str, ...] = attrs.field(default=(), converter=_sorted_strings)
    dates: tuple[str, ...] = attrs.field(default=(), converter=_sorted_strings)
    investigators: tuple[str, ...] = attrs.field(default=(), converter=_sorted_strings)
    status: Status = Status.NO_EVIDENCE
    confidence: Confidence | None = None
    explanation: str = ""
    concerns: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    rule: str = ""


@runtime_checkable
class TriangulationRule(Protocol):
    """Judge one indicator's evidence for one unit.

    ``evidence`` holds the items for that indicator and unit (possibly none);
    ``scale`` is the indicator's scale. The rule must not depend on the order
    of the items, and must return ``Status.NO_EVIDENCE`` for no items.

    A rule may also have an array form, a method
    ``assess_groups(groups, scale)`` taking an
    :class:`~policyeval.evidence_table.EvidenceGroups` (many units' evidence
    on indicators of one scale, read from an
    :class:`~policyeval.evidence_table.EvidenceTable`) and returning one
    assessment per group, equal to what the rule returns on that group's
    items; :func:`~policyeval.triangulate.triangulate` then judges a table in
    one call per rule and scale. The built-in counting rules have one; the
    conformance kit's ``array_form_matches`` law checks it. Rules without one
    are called item by item, as always.
    """

    def __call__(self, evidence: Sequence[Evidence], scale: Scale, /) -> Assessment: ...


@runtime_checkable
class Aggregator(Protocol):
    """Combine children's scores into a parent's score.

    ``values`` and ``weights`` have the same length, at least 1; weights are
    finite and non-negative, and at least one is positive. The result must
    lie between the smallest and largest value of positive-weight children
    (the conformance kit checks this and the other laws).
    """

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float: ...


@runtime_checkable
class VectorisedAggregator(Aggregator, Protocol):
    """An aggregator that can also combine many units at once.

    ``many(rows, weights)`` returns ``[self(row, weights) for row in rows]``,
    only faster. The engine never depends on it.
    """

    def many(self, rows: Sequence[Sequence[float]], weights: Sequence[float], /) -> list[float]: ...


@runtime_checkable
class ConfidenceRule(Protocol):
    """Propagate confidence from a node's children to the node.

    ``confidences`` and ``weights`` are parallel; a ``None`` confidence is a
    child without a judgement.
    """

    def __call__(
        self, confidences: Sequence[Confidence | None], weights: Sequence[float], /
    ) -> Confidence | None: ...


@runtime_checkable
class ArrayAggregator(Aggregator, Protocol):
    """An aggregator that also combines every unit at once on arrays.

    ``array(values, weights)`` takes two float arrays of shape
    ``(units, children)``: a weight of 0 marks a child to leave out for
    that unit (a missing child's value is then an arbitrary finite number),
    and every row has a positive weight. It returns one number per row,
    agreeing with ``self(row_values, row_weights)`` within 1e-12. The
    engine uses it when present and calls the scalar form otherwise.
    """

    def array(self, values: Any, weights: Any, /) -> Any: ...


@runtime_checkable
class Scorer(Protocol):
    """Put one indicator's values for every unit onto the common score range.

    ``values`` is a one-dimensional float array over ``units``: the level
    score of each unit's rating (ordinal indicators) or its number (numeric
    indicators), ``nan`` where the unit has none. ``scale`` is the
    indicator's scale, whose ``direction`` a scorer of numbers reads (lower
    is better: the values are flipped before they are normalised). The
    result has the same shape, is ``nan`` exactly where ``values`` is, and
    is otherwise finite; scores never fall as the values improve in the
    scale's direction. A scorer may also offer ``range_for(scale)``, the
    ``(low, high)`` interval its scores lie in (``None`` when unbounded),
    so that a framework can be checked before any data is read.
    """

    def __call__(self, values: Any, scale: Scale, /, *, units: Sequence[str]) -> Any: ...
