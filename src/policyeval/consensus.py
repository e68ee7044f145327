"""Consensus: what one indicator's evidence says, and which items agree with it.

Every triangulation rule starts from the same consensus, so rules differ only
in how they judge *who* agrees, never in *what* the evidence says.

* On an :class:`~policyeval.scales.OrdinalScale` each item gives a rating (a
  level id). The consensus level is the weighted lower median of the items'
  level scores; the items rating that level agree.
* On a :class:`~policyeval.scales.NumericScale` each item gives a value. The
  consensus value is the weighted lower median of the values. When the scale
  has bands, the consensus rating is the band the median falls in and the
  items whose values fall in the same band agree; otherwise the items within
  a relative ``tolerance`` of the median agree.

The *lower* median settles ties towards the lower score, so two informants
saying "baik" and two saying "cukup baik" give "cukup baik": the consensus
never claims more than half of the evidence weight supports. The median is
:func:`policyeval.median.weighted_lower_median`, the one the aggregators and
confidence rules use (re-exported here), exact on decimal weights.

>>> from policyeval.evidence import Evidence
>>> from policyeval.scales import Level, OrdinalScale
>>> levels = (Level("baik", 4), Level("cukup_baik", 3), Level("kurang_baik", 2))
>>> scale = OrdinalScale("four", levels)
>>> items = [
...     Evidence(id=f"e{n}", indicator="k", rating=rating, source=f"s{n}", technique="interview")
...     for n, rating in enumerate(["baik", "baik", "cukup_baik", "cukup_baik"])
... ]
>>> found = consensus(items, scale)
>>> found.rating, found.agreement, [item.id for item in found.agreeing]
('cukup_baik', 0.5, ['e2', 'e3'])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import attrs

from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument, ScaleError
from policyeval.median import weighted_lower_median
from policyeval.scales import NumericScale, OrdinalScale, Scale

__all__ = ["Consensus", "consensus", "weighted_lower_median"]


@attrs.frozen(kw_only=True)
class Consensus:
    """What the evidence on one indicator says, and who agrees.

    ``rating`` is the consensus level id (ordinal scales, and numeric scales
    with bands); ``value`` the consensus number (numeric scales only).
    ``evidence`` holds every item considered (an item given twice counts
    once) and ``agreeing`` those that agree with the consensus, both sorted
    by id. ``agreement`` is the agreeing items' share of the total evidence
    weight, 0 when there is no evidence.

    >>> Consensus()
    Consensus(rating=None, value=None, evidence=(), agreeing=(), agreement=0.0)
    """

    rating: str | None = None
    value: float | None = None
    evidence: tuple[Evidence, ...] = ()
    agreeing: tuple[Evidence, ...] = ()
    agreement: float = 0.0


def consensus(evidence: Sequence[Evidence], scale: Scale, *, tolerance: float = 0.05) -> Consensus:
    """Find the consensus of ``evidence`` on ``scale`` and the items agreeing with it.

    Ordinal scales take ratings (level ids) only and numeric scales values
    only; anything else raises :class:`~policyeval.exceptions.ScaleError`
    naming the item (the evidence loader turns labels into level ids). On a
    numeric scale without bands an item agrees when
    ``|value - c| <= tolerance * max(|c|, 1e-12)``, ``c`` being the consensus
    value. Value bounds are checked when evidence is loaded, not here.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import NumericScale
    >>> rate = NumericScale("pct", minimum=0, maximum=100)
    >>> items = [
    ...     Evidence(id=f"e{n}", indicator="k", value=value, source=f"s{n}", technique="statistic")
    ...     for n, value in enumerate([58.4, 60.0, 75.0])
    ... ]
    >>> found = consensus(items, rate)
    >>> found.value, [item.id for item in found.agreeing], round(found.agreement, 3)
    (60.0, ['e0', 'e1'], 0.667)
    >>> consensus([], rate)
    Consensus(rating=None, value=None, evidence=(), agreeing=(), agreement=0.0)
    """
    if isinstance(tolerance, bool) or not (
        isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0
    ):
        raise InvalidArgument(
            f"tolerance must be a finite number >= 0, got tolerance={tolerance!r}"
        )
    if not isinstance(scale, OrdinalScale | NumericScale):
        raise InvalidArgument(
            f"scale must be an OrdinalScale or a NumericScale, got scale={scale!r}"
        )
    items = _distinct(evidence)
    if not items:
        return Consensus()
    if isinstance(scale, OrdinalScale):
        return _ordinal(items, scale)
    return _numeric(items, scale, float(tolerance))


def _distinct(evidence: Sequence[Evidence]) -> tuple[Evidence, ...]:
    """Sort the items by id and drop exact repeats, so input order never matters."""
    kept: list[Evidence] = []
    for item in sorted(evidence, key=lambda item: (item.id, repr(item))):
        if not any(item == other for other in kept if other.id == item.id):
            kept.append(item)
    return tuple(kept)


def _share(part: Sequence[Evidence], whole: Sequence[Evidence]) -> float:
    """The exact weight share of ``part`` in ``whole``, rounded once to a float."""
    total = sum((Fraction(item.weight) for item in whole), Fraction(0))
    return float(sum((Fraction(item.weight) for item in part), Fraction(0)) / total)


def _ordinal(items: tuple[Evidence, ...], scale: OrdinalScale) -> Consensus:
    scores = {level.id: level.score for level in scale.levels}
    for item in items:
        if item.rating is None:
            raise ScaleError(
                f"evidence {item.id!r}: scale {scale.id!r} is ordinal and takes a rating "
                f"(a level id), got value={item.value!r}"
            )
        if item.rating not in scores:
            raise ScaleError(
                f"evidence {item.id!r}: rating={item.rating!r} is not a level of scale "
                f"{scale.id!r} (levels: {', '.join(scores)})"
            )
    median = weighted_lower_median([(scores[str(item.rating)], item.weight) for item in items])
    rating = next(level.id for level in scale.levels if level.score == median)
    agreeing = tuple(item for item in items if item.rating == rating)
    return Consensus(
        rating=rating, evidence=items, agreeing=agreeing, agreement=_share(agreeing, items)
    )


def _numeric(items: tuple[Evidence, ...], scale: NumericScale, tolerance: float) -> Consensus:
    values: list[float] = []
    for item in items:
        if item.value is None:
            raise ScaleError(
                f"evidence {item.id!r}: scale {scale.id!r} is numeric and takes a value, "
                f"got rating={item.rating!r}"
            )
        values.append(item.value)
    median = weighted_lower_median(
        [(value, item.weight) for value, item in zip(values, items, strict=True)]
    )
    rating: str | None = None
    if scale.bands is not None:
        bands = scale.bands
        rating = bands.level_for(median)
        agreeing = tuple(
            item
            for value, item in zip(values, items, strict=True)
            if bands.level_for(value) == rating
        )
    else:
        margin = tolerance * max(abs(median), 1e-12)
        agreeing = tuple(
            item for value, item in zip(values, items, strict=True) if abs(value - median) <= margin
        )
    return Consensus(
        rating=rating,
        value=median,
        evidence=items,
        agreeing=agreeing,
        agreement=_share(agreeing, items),
    )
