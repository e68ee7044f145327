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
never claims more than half of the evidence weight supports. Such an *even
split* (exactly half the weight at or below the consensus, the rest above
it) is recorded in :attr:`Consensus.even_split`, and the built-in
triangulation rules judge it ``contested``. The median
is :func:`policyeval.median.weighted_lower_median`, the one the aggregators
and confidence rules use (re-exported here), exact on decimal weights.

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
>>> found.even_split
('cukup_baik', 'baik')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument, ScaleError
from policyeval.median import weighted_lower_median
from policyeval.scales import NumericScale, OrdinalScale, Scale

if TYPE_CHECKING:
    from policyeval.evidence_table import EvidenceGroups

__all__ = [
    "Consensus",
    "GroupConsensus",
    "consensus",
    "group_consensus",
    "weighted_lower_median",
]


@attrs.frozen(kw_only=True)
class Consensus:
    """What the evidence on one indicator says, and who agrees.

    ``rating`` is the consensus level id (ordinal scales, and numeric scales
    with bands); ``value`` the consensus number (numeric scales only).
    ``evidence`` holds every item considered (an item given twice counts
    once) and ``agreeing`` those that agree with the consensus, both sorted
    by id. ``agreement`` is the agreeing items' share of the total evidence
    weight, 0 when there is no evidence. ``even_split`` names the two sides
    (lower first: level ids, or values on a numeric scale without bands)
    when exactly half the weight lies at or below the consensus and the rest
    above it on another level; it is empty otherwise.

    >>> Consensus()
    Consensus(rating=None, value=None, evidence=(), agreeing=(), agreement=0.0, even_split=())
    """

    rating: str | None = None
    value: float | None = None
    evidence: tuple[Evidence, ...] = ()
    agreeing: tuple[Evidence, ...] = ()
    agreement: float = 0.0
    even_split: tuple[str, ...] = ()


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
    Consensus(rating=None, value=None, evidence=(), agreeing=(), agreement=0.0, even_split=())
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
    """Sort the items by id and drop exact repeats, so input order never matters.

    Equal items share their sort key, so they sit next to each other: each
    item is compared only with the kept items of its own key, which keeps
    the work n log n however many items an indicator has.
    """
    kept: list[Evidence] = []
    same_key: list[Evidence] = []
    previous: tuple[str, str] | None = None
    keyed = [((item.id, repr(item)), item) for item in evidence]
    for key, item in sorted(keyed, key=lambda pair: pair[0]):
        if key != previous:
            previous, same_key = key, []
        if not any(item == other for other in same_key):
            same_key.append(item)
            kept.append(item)
    return tuple(kept)


def _upper_median(pairs: Sequence[tuple[float, float]], lower: float) -> float | None:
    """The value just above ``lower`` when exactly half the weight lies at or below it."""
    from fractions import Fraction  # exact sums, on the path of items only (not of tables)

    total = sum((Fraction(weight) for _, weight in pairs), Fraction(0))
    below = sum((Fraction(weight) for value, weight in pairs if value <= lower), Fraction(0))
    above = [value for value, weight in pairs if value > lower and weight > 0]
    if 2 * below != total or not above:
        return None
    return min(above)


def _share(part: Sequence[Evidence], whole: Sequence[Evidence]) -> float:
    """The exact weight share of ``part`` in ``whole``, rounded once to a float."""
    from fractions import Fraction  # exact sums, on the path of items only (not of tables)

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
    pairs = [(scores[str(item.rating)], item.weight) for item in items]
    median = weighted_lower_median(pairs)
    rating = next(level.id for level in scale.levels if level.score == median)
    agreeing = tuple(item for item in items if item.rating == rating)
    upper = _upper_median(pairs, median)
    split: tuple[str, ...] = ()
    if upper is not None:
        split = (rating, next(level.id for level in scale.levels if level.score == upper))
    return Consensus(
        rating=rating,
        evidence=items,
        agreeing=agreeing,
        agreement=_share(agreeing, items),
        even_split=split,
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
    pairs = [(value, item.weight) for value, item in zip(values, items, strict=True)]
    median = weighted_lower_median(pairs)
    upper = _upper_median(pairs, median)
    rating: str | None = None
    split: tuple[str, ...] = ()
    if scale.bands is not None:
        bands = scale.bands
        rating = bands.level_for(median)
        agreeing = tuple(
            item
            for value, item in zip(values, items, strict=True)
            if bands.level_for(value) == rating
        )
        if upper is not None and bands.level_for(upper) != rating:
            split = (str(rating), str(bands.level_for(upper)))
    else:
        margin = tolerance * max(abs(median), 1e-12)
        agreeing = tuple(
            item for value, item in zip(values, items, strict=True) if abs(value - median) <= margin
        )
        if upper is not None and abs(upper - median) > margin:
            split = (f"{median:g}", f"{upper:g}")
    return Consensus(
        rating=rating,
        value=median,
        evidence=items,
        agreeing=agreeing,
        agreement=_share(agreeing, items),
        even_split=split,
    )


@attrs.frozen(kw_only=True)
class GroupConsensus:
    """The consensus of many groups of evidence on one ordinal scale, as arrays.

    One entry per group of an :class:`~policyeval.evidence_table.EvidenceGroups`
    (``level``: index into ``scale.levels`` of the consensus level;
    ``agreement``; ``upper``: the level on the upper side of an even split,
    ``-1`` when there is none), and one per grouped row (``agreeing``).
    ``exact`` is false for a group this form does not decide (a weight that
    is not a whole number, or a rating that is not a level of the scale):
    such a group must be judged by :func:`consensus` on its items.
    """

    exact: npt.NDArray[np.bool_]
    level: npt.NDArray[np.int64]
    agreeing: npt.NDArray[np.bool_]
    agreement: npt.NDArray[np.float64]
    upper: npt.NDArray[np.int64]


def group_consensus(groups: EvidenceGroups, scale: OrdinalScale) -> GroupConsensus:
    """:func:`consensus` of every group at once: one sort, then segment sums.

    Weights that are whole numbers or sixteenths (0.5, 0.25, 1.5 ...) are
    summed as integers, so the lower median, the even split and the
    agreement share (one division of two exact integers, rounded once) are
    exactly what :func:`consensus` finds; groups with other weights (0.1 has
    no exact binary form) are marked not ``exact``.

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.evidence_table import EvidenceTable
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("s", (Level("baik", 2), Level("buruk", 1)))
    >>> table = EvidenceTable.from_items(
    ...     Evidence(id=f"e{n}", unit=u, indicator="k", rating=r, source="s", technique="t")
    ...     for n, (u, r) in enumerate([("a", "baik"), ("a", "buruk"), ("b", "baik")]))
    >>> found = group_consensus(table.groups(), scale)
    >>> found.level.tolist(), found.agreement.tolist(), found.upper.tolist()
    ([1, 0], [0.5, 1.0], [0, -1])
    """
    table, rows, bounds = groups.table, groups.rows, groups.bounds
    count = len(groups)
    lengths = np.diff(bounds)
    starts = bounds[:-1]
    levels = scale.levels
    position = {each.id: index for index, each in enumerate(levels)}
    # The levels by ascending score (a scale's scores are distinct): a group's items are
    # counted by the rank of their level's score.
    ascending = sorted(range(len(levels)), key=lambda index: float(levels[index].score))
    level_of_rank = np.asarray(ascending, dtype=np.int64)
    rank_of_level = np.empty(len(levels), dtype=np.int64)
    rank_of_level[level_of_rank] = np.arange(len(levels))
    of_code = np.asarray(
        [position.get(rating, -1) for rating in table.vocabulary("rating")] + [-1], dtype=np.int64
    )
    level = of_code[table.codes("rating")[rows]]
    weight = table.weights[rows]
    if count == 0:
        empty = np.zeros(0, dtype=np.int64)
        return GroupConsensus(
            exact=np.zeros(0, dtype=np.bool_),
            level=empty,
            agreeing=np.zeros(0, dtype=np.bool_),
            agreement=np.zeros(0),
            upper=empty,
        )
    # Sixteenths below 2**30 are read exactly both as binary fractions (the agreement share and
    # the even split) and as the decimals they print as (the median), so scaled by 16 they are
    # integers all three can be decided on; whole numbers up to 2**53 are integers as they are.
    factor = 16.0 if len(weight) and float(weight.max()) < 2.0**30 else 1.0
    scaled = weight * factor
    whole = (scaled == np.floor(scaled)) & (scaled < 2.0**53) & (level >= 0)
    integer = np.where(whole, scaled, 0).astype(np.int64)
    total = np.add.reduceat(integer, starts)
    exact = np.logical_and.reduceat(whole, starts) & (total < 2**53) & (total > 0)
    # A rating that is no level is counted (weight 0) under the first level's score.
    safe_level = np.where(level >= 0, level, 0)
    group_of_row = np.repeat(np.arange(count), lengths)
    median_rank = np.empty(count, dtype=np.int64)
    agreed = np.empty(count, dtype=np.float64)
    upper = np.full(count, -1, dtype=np.int64)
    # Groups x score ranks tables, in slices of groups so that a scale of many levels stays small.
    step = max(1, (1 << 22) // len(levels))
    for first in range(0, count, step):
        last = min(first + step, count)
        span = slice(int(bounds[first]), int(bounds[last]))
        local = group_of_row[span] - first
        rank = local * len(ascending) + rank_of_level[safe_level[span]]
        cells = (last - first) * len(ascending)
        # Weight sums are whole numbers below 2**53 in an exact group: float64 holds them exactly.
        chunk_weight = integer[span].astype(np.float64)
        present = np.bincount(rank, minlength=cells).reshape(-1, len(ascending)) > 0
        cumulative = np.cumsum(
            np.bincount(rank, weights=chunk_weight, minlength=cells).reshape(-1, len(ascending)),
            axis=1,
        )
        # The lower median: the lowest score present at which the weight reaches half the total.
        reached = present & (2 * cumulative >= total[first:last, None])
        median = reached.argmax(axis=1)
        here = np.arange(last - first)
        median_rank[first:last] = median
        below = cumulative[here, median]
        by_level = np.bincount(
            local * len(levels) + safe_level[span],
            weights=chunk_weight,
            minlength=(last - first) * len(levels),
        ).reshape(-1, len(levels))
        agreed[first:last] = by_level[here, level_of_rank[median]]
        # An even split: half the weight at or below the median and a higher score present.
        higher = present & (np.arange(len(ascending)) > median[:, None])
        split = (2 * below == total[first:last]) & higher.any(axis=1)
        upper[first:last] = np.where(split, level_of_rank[higher.argmax(axis=1)], -1)
    median_level = level_of_rank[median_rank]
    agreeing: npt.NDArray[np.bool_] = np.equal(level, np.repeat(median_level, lengths))
    agreement = agreed / np.maximum(total, 1)
    return GroupConsensus(
        exact=exact, level=median_level, agreeing=agreeing, agreement=agreement, upper=upper
    )
