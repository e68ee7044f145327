"""Hypothesis strategies for testing aggregators, rules and frameworks.

The strategies make realistic inputs rather than merely valid ones. Weights
are multiples of 1/8, so sums and rescalings are exact and a failed law is
never a rounding artefact; :func:`decimal_weights` draws the decimal weights
(0.1, 0.2, 0.3) frameworks write, for plug-ins that promise to read them
exactly. Evidence sets draw their sources, categories,
techniques, dates and investigators from small pools, so coincidences (two
items from one source, a repeated date) happen as they do in field data.

>>> from hypothesis import given
>>> @given(values_and_weights(max_size=3))
... def test_mean_within_range(example):
...     values, weights = example
...     mean = sum(v * w for v, w in zip(values, weights)) / sum(weights)
...     assert min(values) - 1e-9 <= mean <= max(values) + 1e-9
>>> test_mean_within_range()

The framework and scale strategies :func:`ordinal_scales`,
:func:`numeric_scales` and :func:`frameworks` are re-exported here from
their own module.
"""

from __future__ import annotations

import datetime
import functools
import math
from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale, Scale
from policyeval.testing._framework_strategies import frameworks, numeric_scales, ordinal_scales

__all__ = [
    "FOUR_LEVEL_SCALE",
    "PERCENT_SCALE",
    "child_values",
    "decimal_weights",
    "evidence_items",
    "evidence_sets",
    "frameworks",
    "numeric_scales",
    "ordinal_scales",
    "values_and_weights",
    "weights",
]

FOUR_LEVEL_SCALE = OrdinalScale(
    id="four_levels",
    levels=(
        Level("baik", 4, label={"id": "Baik", "en": "Good"}),
        Level("cukup_baik", 3, label={"id": "Cukup baik", "en": "Fair"}),
        Level("kurang_baik", 2, label={"id": "Kurang baik", "en": "Poor"}),
        Level("tidak_baik", 1, label={"id": "Tidak baik", "en": "Bad"}),
    ),
    label={"en": "Four levels"},
)
"""A four-level ordinal scale (scores 1 to 4), the default for rule checks."""

PERCENT_SCALE = NumericScale(
    id="percent",
    minimum=0,
    maximum=100,
    unit="%",
    bands=Bands(
        cuts=(50.0, 75.0, 90.0),
        levels=("tidak_baik", "kurang_baik", "cukup_baik", "baik"),
    ),
    levels=FOUR_LEVEL_SCALE,
    label={"en": "Percent, banded into four levels"},
)
"""A 0-100 numeric scale banded into :data:`FOUR_LEVEL_SCALE`'s levels."""

_WEIGHT_STEPS = 80  # weights are k/8 for k in 0..80, that is 0 to 10
_SOURCES = ("kepala_dinas", "sekretaris", "warga_a", "warga_b", "laporan_tahunan")
_CATEGORIES = ("penyelenggara", "masyarakat", "dokumen")
_TECHNIQUES = ("interview", "observation", "documentation")
_DATES = (datetime.date(2023, 3, 1), datetime.date(2023, 3, 15), datetime.date(2023, 9, 1))
_INVESTIGATORS = ("peneliti_1", "peneliti_2")
_LIMITATIONS = ("none", "minor", "serious")
_RELEVANCE = ("direct", "partial", "indirect")


def _check_domain(domain: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(bound) for bound in domain)
    except (TypeError, ValueError):
        raise InvalidArgument(f"domain must be a pair (low, high), got domain={domain!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise InvalidArgument(f"domain must be finite with low < high, got domain={domain!r}")
    return low, high


def _weight(*, positive: bool) -> st.SearchStrategy[float]:
    # Frameworks mostly use a few round weights, sometimes zero.
    round_weights = (1.0, 2.0, 0.5, 3.0) if positive else (1.0, 0.0, 2.0, 0.5, 3.0)
    return st.one_of(
        st.sampled_from(round_weights),
        st.integers(1 if positive else 0, _WEIGHT_STEPS).map(lambda steps: steps / 8),
    )


# Built once: strategies made inside a draw are rebuilt on every example, which is slow.
_POSITIVE_WEIGHT = _weight(positive=True)
_ANY_WEIGHT = _weight(positive=False)


@functools.cache
def _below(count: int) -> st.SearchStrategy[int]:
    return st.integers(0, count - 1)


@functools.cache
def _weights(n: int) -> st.SearchStrategy[list[float]]:
    @st.composite
    def draw_weights(draw: st.DrawFn) -> list[float]:
        positive_at = draw(_below(n))
        return [
            draw(_POSITIVE_WEIGHT if index == positive_at else _ANY_WEIGHT) for index in range(n)
        ]

    return draw_weights()


def weights(n: int) -> st.SearchStrategy[list[float]]:
    """Lists of ``n`` weights in ``[0, 10]``, at least one of them positive.

    Weights are multiples of 1/8, mostly round ones (1, 2, 0.5, 3), with
    zeros among them, so their sums are exact.

    >>> from hypothesis import find
    >>> find(weights(3), lambda drawn: True)  # the simplest list of three weights
    [1.0, 1.0, 1.0]
    >>> find(weights(3), lambda drawn: 0.0 in drawn)
    [1.0, 1.0, 0.0]
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidArgument(f"n must be an integer >= 1, got n={n!r}")
    return _weights(n)


_DECIMAL_STEPS = 1000  # decimal weights are k/100 for k in 0..1000, that is 0 to 10
# Shares as people write them: tenths that should add up to one and do not in binary.
_SHARES = (0.1, 0.2, 0.3, 0.7, 0.15, 0.05)


def _decimal_weight(*, positive: bool) -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from(_SHARES if positive else (*_SHARES, 0.0)),
        st.integers(1 if positive else 0, _DECIMAL_STEPS).map(lambda steps: steps / 100),
    )


def decimal_weights(n: int) -> st.SearchStrategy[list[float]]:
    """Lists of ``n`` decimal weights in ``[0, 10]``, at least one of them positive.

    Weights have at most two decimal places, often shares such as 0.1, 0.2
    and 0.3, whose binary sums are not exact (``0.1 + 0.2 != 0.3``). Use them
    to check that a plug-in reads weights as the decimals a framework writes:
    with weights 0.1 and 0.2 against 0.3, it should decide as it does with 1
    and 2 against 3.

    >>> from hypothesis import find
    >>> find(decimal_weights(3), lambda drawn: True)
    [0.1, 0.1, 0.1]
    >>> find(decimal_weights(2), lambda drawn: sum(drawn) != drawn[0] + drawn[1] or 0.0 in drawn)
    [0.1, 0.0]
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidArgument(f"n must be an integer >= 1, got n={n!r}")

    @st.composite
    def draw_weights(draw: st.DrawFn) -> list[float]:
        positive_at = draw(st.integers(0, n - 1))
        return [draw(_decimal_weight(positive=index == positive_at)) for index in range(n)]

    return draw_weights()


def child_values(
    *, domain: tuple[float, float] = (0.0, 10.0), scores: Sequence[float] | None = None
) -> st.SearchStrategy[float]:
    """Scores of one child: numbers in ``domain``, or one of ``scores``.

    Whole numbers come up often, as level scores do in real frameworks;
    subnormal numbers never do.

    >>> from hypothesis import find
    >>> find(child_values(domain=(1.0, 4.0)), lambda value: value > 2)
    3.0
    >>> find(child_values(scores=[1, 2, 3, 4]), lambda value: value > 3)
    4.0
    """
    if scores is not None:
        choices = sorted({float(score) for score in scores})
        if not choices or not all(math.isfinite(score) for score in choices):
            raise InvalidArgument(
                f"scores must be finite numbers, at least one, got scores={scores!r}"
            )
        return st.sampled_from(choices)
    low, high = _check_domain(domain)
    numbers = st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    if math.ceil(low) > math.floor(high):
        return numbers
    return st.one_of(st.integers(math.ceil(low), math.floor(high)).map(float), numbers)


def values_and_weights(
    min_size: int = 1,
    max_size: int = 8,
    domain: tuple[float, float] = (0.0, 10.0),
    *,
    scores: Sequence[float] | None = None,
    decimal: bool = False,
) -> st.SearchStrategy[tuple[list[float], list[float]]]:
    """Pairs ``(values, weights)`` of equal length, as an aggregator receives them.

    Values come from :func:`child_values` (``domain``, or ``scores`` when
    given); weights from :func:`weights`, or from :func:`decimal_weights`
    when ``decimal`` is true.

    >>> from hypothesis import find
    >>> find(values_and_weights(min_size=2), lambda pair: len(set(pair[0])) > 1)
    ([0.0, 1.0], [1.0, 1.0])
    >>> find(values_and_weights(decimal=True), lambda pair: True)
    ([0.0], [0.1])
    """
    for name, size in (("min_size", min_size), ("max_size", max_size)):
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise InvalidArgument(f"{name} must be an integer >= 1, got {name}={size!r}")
    if max_size < min_size:
        raise InvalidArgument(
            f"max_size must be >= min_size, got min_size={min_size!r}, max_size={max_size!r}"
        )
    values = child_values(domain=domain, scores=scores)
    sizes = st.integers(min_size, max_size)
    weights_of = decimal_weights if decimal else _weights
    value_lists = {
        size: st.lists(values, min_size=size, max_size=size)
        for size in range(min_size, max_size + 1)
    }

    @st.composite
    def draw_pair(draw: st.DrawFn) -> tuple[list[float], list[float]]:
        size = draw(sizes)
        return draw(value_lists[size]), draw(weights_of(size))

    return draw_pair()


def _value_range(scale: NumericScale) -> tuple[float, float]:
    low, high = scale.minimum, scale.maximum
    if low is None and high is None:
        return 0.0, 100.0
    if low is None:
        assert high is not None
        return high - 100.0, high
    if high is None:
        return low, low + 100.0
    return low, high


def _rating_or_value(scale: Scale) -> st.SearchStrategy[dict[str, Any]]:
    if isinstance(scale, OrdinalScale):
        return st.sampled_from([level.id for level in scale.levels]).map(
            lambda level_id: {"rating": level_id}
        )
    low, high = _value_range(scale)
    landmarks = [low, high, *(scale.bands.cuts if scale.bands is not None else ())]
    landmarks += [low + (high - low) * share for share in (0.25, 0.5, 0.75)]
    numbers = st.one_of(
        st.sampled_from(sorted(set(landmarks))),
        st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False),
    )
    return numbers.map(lambda number: {"value": number})


def _check_scale(scale: object) -> Scale:
    if not isinstance(scale, OrdinalScale | NumericScale):
        raise InvalidArgument(
            f"scale must be an OrdinalScale or a NumericScale, got scale={scale!r}"
        )
    return scale


def evidence_items(
    scale: Scale, *, indicator: str = "i", unit: str = "u"
) -> st.SearchStrategy[Evidence]:
    """One evidence item for ``indicator`` and ``unit``, rated on ``scale``.

    An ordinal scale gets a ``rating`` (a level id), a numeric scale a
    ``value`` within its bounds (cut points and bounds come up often). The
    source, category, technique, date and investigator come from small
    pools; the category, date and investigator are sometimes missing; some
    items carry the ``limitations`` and ``relevance`` columns a CERQual-style
    rule reads.

    >>> from hypothesis import find
    >>> item = find(evidence_items(FOUR_LEVEL_SCALE, indicator="kompetensi"),
    ...             lambda item: item.date is not None)
    >>> item.indicator, item.rating, item.source, item.date
    ('kompetensi', 'baik', 'kepala_dinas', datetime.date(2023, 3, 1))
    """
    scale = _check_scale(scale)
    extra: st.SearchStrategy[dict[str, str]] = st.one_of(
        st.just({}),
        st.fixed_dictionaries(
            {"limitations": st.sampled_from(_LIMITATIONS), "relevance": st.sampled_from(_RELEVANCE)}
        ),
    )
    return st.builds(
        lambda measure, **fields: Evidence(**measure, **fields),
        _rating_or_value(scale),
        id=st.integers(0, 99).map(lambda number: f"e{number:02d}"),
        indicator=st.just(indicator),
        unit=st.just(unit),
        source=st.sampled_from(_SOURCES),
        source_category=st.one_of(st.none(), st.sampled_from(_CATEGORIES)),
        technique=st.sampled_from(_TECHNIQUES),
        date=st.one_of(st.none(), st.sampled_from(_DATES)),
        investigator=st.one_of(st.none(), st.sampled_from(_INVESTIGATORS)),
        weight=st.sampled_from((1.0, 1.0, 1.0, 0.5, 2.0, 0.25)),
        extra=extra,
    )


def evidence_sets(
    scale: Scale,
    *,
    min_size: int = 0,
    max_size: int = 12,
    indicator: str = "i",
    unit: str = "u",
) -> st.SearchStrategy[list[Evidence]]:
    """Lists of evidence items for one indicator and unit, with distinct ids.

    Ids are ``e00``, ``e01`` ... in list order; everything else is drawn as
    :func:`evidence_items` draws it.

    >>> from hypothesis import find
    >>> items = find(evidence_sets(PERCENT_SCALE, min_size=3), lambda items: True)
    >>> [(item.id, item.value) for item in items]
    [('e00', 0.0), ('e01', 0.0), ('e02', 0.0)]
    """
    scale = _check_scale(scale)
    for name, size in (("min_size", min_size), ("max_size", max_size)):
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise InvalidArgument(f"{name} must be an integer >= 0, got {name}={size!r}")
    if max_size < min_size:
        raise InvalidArgument(
            f"max_size must be >= min_size, got min_size={min_size!r}, max_size={max_size!r}"
        )
    items = st.lists(
        evidence_items(scale, indicator=indicator, unit=unit), min_size=min_size, max_size=max_size
    )
    return items.map(
        lambda drawn: [attrs.evolve(item, id=f"e{index:02d}") for index, item in enumerate(drawn)]
    )
