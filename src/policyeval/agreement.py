"""Inter-coder agreement: Krippendorff's alpha and Cohen's kappa.

When several investigators rate the same thing, their agreement is the
strongest check on a qualitative rating. :func:`krippendorff_alpha` takes
units of analysis (each a list of the values coders gave it) and works with
any number of coders and missing values; ``metric="ordinal"`` respects the
order of levels. :func:`cohen_kappa` compares two coders. :func:`coder_alpha`
applies alpha to evidence items: a unit of analysis is a coded segment
(the ``selection`` column the importers write) or, failing that, a source;
each investigator contributes one value per unit of analysis (the lower
median of theirs).

Krippendorff suggests relying on data with alpha >= 0.800 and drawing
tentative conclusions only from 0.667 up.

>>> krippendorff_alpha([["a", "a"], ["b", "b"], ["a", "b"]], metric="nominal")
0.444...
>>> cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "a"])
0.5
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import attrs

from policyeval.exceptions import InvalidArgument
from policyeval.scales import OrdinalScale

if TYPE_CHECKING:
    from policyeval.evidence import Evidence
    from policyeval.framework import Framework
    from policyeval.scales import Scale

__all__ = [
    "CoderAgreement",
    "agreement_by_indicator",
    "coder_alpha",
    "cohen_kappa",
    "krippendorff_alpha",
]

Metric = Literal["nominal", "ordinal", "interval"]
_METRICS = ("nominal", "ordinal", "interval")


def _check_metric(metric: str) -> None:
    if metric not in _METRICS:
        raise InvalidArgument(f"metric must be one of {_METRICS!r}, got metric={metric!r}")


def krippendorff_alpha(
    units: Sequence[Sequence[Hashable | None]],
    *,
    metric: Metric = "nominal",
    order: Sequence[Hashable] | None = None,
) -> float | None:
    """Krippendorff's alpha over units of analysis, each the values its coders gave.

    ``None`` values are missing and ignored; units with fewer than two values
    are not pairable and ignored. ``metric`` is ``"nominal"`` (any difference
    counts the same), ``"ordinal"`` (differences weighted by how many values
    lie between, given ``order`` from lowest to highest, else the values'
    natural order) or ``"interval"`` (squared numeric differences). Returns
    ``None`` when alpha is undefined: no pairable values, or no variation at
    all.

    >>> krippendorff_alpha([[1, 1], [2, 2], [3, 3]], metric="ordinal")
    1.0
    >>> krippendorff_alpha([[1, 2], [2, 1]], metric="interval")
    -0.5
    """
    _check_metric(metric)
    pairable = [[v for v in unit if v is not None] for unit in units]
    pairable = [unit for unit in pairable if len(unit) >= 2]
    if not pairable:
        return None
    coincidences: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for unit in pairable:
        share = 1.0 / (len(unit) - 1)
        for i, first in enumerate(unit):
            for j, second in enumerate(unit):
                if i != j:
                    coincidences[(first, second)] += share
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (first, _), count in coincidences.items():
        totals[first] += count
    values = _ordered(list(totals), order, metric)
    distance = _distance(values, totals, metric)
    n = math.fsum(totals.values())
    observed = math.fsum(count * distance(c, k) for (c, k), count in coincidences.items())
    expected = math.fsum(
        totals[c] * totals[k] * distance(c, k) for c in values for k in values if c != k
    )
    if expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def _ordered(
    values: list[Hashable], order: Sequence[Hashable] | None, metric: str
) -> list[Hashable]:
    if order is None:
        return sorted(values, key=lambda v: (str(type(v)), v))
    position = {value: index for index, value in enumerate(order)}
    unknown = [v for v in values if v not in position]
    if unknown:
        raise InvalidArgument(f"values {unknown!r} are not in order={list(order)!r}")
    return sorted(values, key=position.__getitem__)


def _distance(
    values: Sequence[Hashable], totals: Mapping[Hashable, float], metric: str
) -> Callable[[Hashable, Hashable], float]:
    if metric == "nominal":
        return lambda c, k: 0.0 if c == k else 1.0
    if metric == "interval":
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidArgument(f"the interval metric needs numbers, got {value!r}")
        return lambda c, k: (float(c) - float(k)) ** 2  # type: ignore[arg-type]
    rank = {value: index for index, value in enumerate(values)}
    cumulative = [0.0]
    for value in values:
        cumulative.append(cumulative[-1] + totals[value])

    def ordinal(c: Hashable, k: Hashable) -> float:
        low, high = sorted((rank[c], rank[k]))
        between = cumulative[high + 1] - cumulative[low]
        return (between - (totals[c] + totals[k]) / 2) ** 2

    return ordinal


def cohen_kappa(
    first: Sequence[Hashable | None],
    second: Sequence[Hashable | None],
    *,
    weights: Literal["linear", "quadratic"] | None = None,
    order: Sequence[Hashable] | None = None,
) -> float | None:
    """Cohen's kappa between two coders' parallel ratings (pairs with a missing value skipped).

    ``weights`` (``"linear"`` or ``"quadratic"``, with ``order`` from lowest
    to highest or the natural order) credit near misses on an ordinal scale.
    Returns ``None`` when kappa is undefined (no pairs, or chance agreement
    of 1).

    >>> cohen_kappa(["lo", "hi", "hi"], ["lo", "hi", "lo"], weights="linear", order=["lo", "hi"])
    0.4
    """
    if len(first) != len(second):
        raise InvalidArgument(
            f"the coders rated different numbers of items: {len(first)} and {len(second)}"
        )
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
    if not pairs:
        return None
    if weights not in (None, "linear", "quadratic"):
        raise InvalidArgument(f"weights must be 'linear', 'quadratic' or None, got {weights!r}")
    values = _ordered(list({v for pair in pairs for v in pair}), order, "ordinal")
    rank = {value: index for index, value in enumerate(values)}
    span = max(len(values) - 1, 1)

    def disagreement(a: Hashable, b: Hashable) -> float:
        if weights is None:
            return 0.0 if a == b else 1.0
        gap = abs(rank[a] - rank[b]) / span
        return gap if weights == "linear" else gap**2

    count = len(pairs)
    first_share = Counter(a for a, _ in pairs)
    second_share = Counter(b for _, b in pairs)
    observed = math.fsum(disagreement(a, b) for a, b in pairs) / count
    expected = math.fsum(
        first_share[a] * second_share[b] * disagreement(a, b) for a in values for b in values
    ) / (count * count)
    if expected == 0:
        return None
    return 1.0 - observed / expected


@attrs.frozen
class CoderAgreement:
    """Agreement among the investigators behind some evidence.

    ``alpha`` is Krippendorff's alpha (``None`` when it cannot be measured),
    ``kappa`` Cohen's kappa when exactly two investigators rated the same
    units, ``units`` the number of pairable units of analysis.
    """

    alpha: float | None
    kappa: float | None
    coders: tuple[str, ...]
    units: int
    metric: str


def _segment(item: Evidence) -> str:
    return str(item.extra.get("selection") or f"source:{item.source}")


def coder_alpha(
    evidence: Sequence[Evidence],
    scale: Scale,
    *,
    metric: Metric = "ordinal",
    by: Callable[[Evidence], str] = _segment,
) -> CoderAgreement:
    """Agreement among the investigators of evidence items on one scale.

    Ordinal scales compare level ids (in score order); numeric scales compare
    values, where ``"ordinal"`` becomes ``"interval"``. Items without an
    investigator or without a rating or value do not count. ``by`` names an
    item's unit of analysis (by default its ``selection``, else its source).

    >>> from policyeval.evidence import Evidence
    >>> from policyeval.scales import Level, OrdinalScale
    >>> scale = OrdinalScale("s", (Level("hi", 3), Level("mid", 2), Level("lo", 1)))
    >>> items = [Evidence(id=f"e{n}{coder}", indicator="k", rating=rating, source=f"s{n}",
    ...                   technique="interview", investigator=coder)
    ...          for n, pair in enumerate([("hi", "hi"), ("lo", "mid"), ("mid", "mid")])
    ...          for coder, rating in zip(["ana", "budi"], pair)]
    >>> found = coder_alpha(items, scale)
    >>> round(found.alpha, 3), found.kappa, found.units
    (0.778, 0.5, 3)
    """
    _check_metric(metric)
    ordinal = isinstance(scale, OrdinalScale)
    order: list[Hashable] | None = None
    if isinstance(scale, OrdinalScale):
        order = [level.id for level in sorted(scale.levels, key=lambda level: level.score)]
    elif metric == "ordinal":
        metric = "interval"
    groups: dict[str, dict[str, list[Hashable]]] = {}
    for item in evidence:
        value: Hashable | None = item.rating if ordinal else item.value
        if item.investigator is None or value is None:
            continue
        key = by(item)
        groups.setdefault(key, {}).setdefault(item.investigator, []).append(value)
    coders = sorted({coder for by_coder in groups.values() for coder in by_coder})
    rank = {value: index for index, value in enumerate(order or ())}

    def lower_median(values: list[Hashable]) -> Hashable:
        ranked = sorted(values, key=lambda v: float(rank[v] if rank else v))  # type: ignore[arg-type]
        return ranked[(len(ranked) - 1) // 2]

    table = [
        [lower_median(by_coder[coder]) if coder in by_coder else None for coder in coders]
        for _, by_coder in sorted(groups.items())
    ]
    pairable = [row for row in table if sum(v is not None for v in row) >= 2]
    alpha = krippendorff_alpha(pairable, metric=metric, order=order)
    kappa = None
    if len(coders) == 2 and pairable:
        kappa = cohen_kappa([row[0] for row in pairable], [row[1] for row in pairable], order=order)
    return CoderAgreement(alpha, kappa, tuple(coders), len(pairable), metric)


def _unit_and_segment(item: Evidence) -> str:
    return f"{item.unit}\x1f{item.extra.get('selection', '')}"


def agreement_by_indicator(
    evidence: Sequence[Evidence], framework: Framework, *, metric: Metric = "ordinal"
) -> dict[str, CoderAgreement]:
    """Coder agreement per indicator, over every unit: indicators in framework order.

    A unit of analysis is an indicator's rating for one unit, or one coded
    segment within it when the items carry a ``selection``.

    >>> from policyeval import frameworks
    >>> from policyeval.evidence import Evidence
    >>> ratings = {"a": ("baik", "baik"), "b": ("kurang_baik", "kurang_baik"), "c": ("baik", "cukup_baik")}
    >>> items = [Evidence(id=f"{unit}{coder}", unit=unit, indicator="kompetensi", rating=rating,
    ...                   source="s", technique="interview", investigator=coder)
    ...          for unit, pair in ratings.items() for coder, rating in zip(["ana", "budi"], pair)]
    >>> found = agreement_by_indicator(items, frameworks.load("agustino"))
    >>> list(found), round(found["kompetensi"].alpha, 3)
    (['kompetensi'], 0.778)
    """
    out: dict[str, CoderAgreement] = {}
    for indicator in framework.indicators:
        items = [item for item in evidence if item.indicator == indicator]
        scale = framework.scale_of(indicator)
        if not items or scale is None:
            continue
        found = coder_alpha(items, scale, metric=metric, by=_unit_and_segment)
        if found.units:
            out[indicator] = found
    return out
