"""The weighted lower median: one implementation for every place that takes one.

Consensus (what an indicator's evidence says), the ``median`` and
``weighted_median`` aggregators and the ``weighted_median`` confidence rule
all take the weighted lower median of ``(value, weight)`` pairs through
:func:`weighted_lower_median`, so they agree on every input.

Weights are read as the decimal numbers they are written as: ``0.1`` is one
tenth, not the binary fraction nearest to it. So the weights 0.1 and 0.2
against 0.3 split exactly in half, as 1 and 2 against 3 do, and the median
does not depend on whether a framework writes its weights as shares or as
counts. Ties are decided by exact integer sums (each weight is scaled by a
power of ten to an integer), so the result does not depend on the order of
the pairs; float sums decide only the cases far from a tie, where rounding
cannot matter, which keeps the common call fast.

>>> weighted_lower_median([(3, 0.3), (1, 0.1), (2, 0.2)])
2.0
>>> weighted_lower_median([(3, 3), (1, 1), (2, 2)])
2.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NoReturn

from policyeval.exceptions import InvalidArgument

__all__ = ["checked_lower_median", "integer_weights", "weighted_lower_median"]


_CACHE_SIZE = 4096
# Frameworks reuse a handful of weights millions of times (sensitivity analysis), so each
# float's decimal reading is remembered; a plain dict is faster than functools.lru_cache here.
_DECIMALS: dict[float, tuple[int, int]] = {}


def _decimal(weight: float) -> tuple[int, int]:
    """``weight`` as ``(digits, exponent)`` with ``weight == digits * 10**exponent``,
    read from its shortest decimal representation."""
    if weight.is_integer():
        parts = int(weight), 0
    else:
        mantissa, _, power = repr(weight).partition("e")
        whole, _, fraction = mantissa.partition(".")
        parts = int(whole + fraction), (int(power) if power else 0) - len(fraction)
    if len(_DECIMALS) < _CACHE_SIZE:
        _DECIMALS[weight] = parts
    return parts


def integer_weights(weights: Iterable[float]) -> list[int]:
    """Integers proportional to ``weights`` read as decimal numbers, exactly.

    Each weight is taken as the shortest decimal that rounds to it (its
    ``repr``), and all are scaled by the same power of ten. Weights must be
    finite and non-negative (the caller checks).

    >>> integer_weights([0.1, 0.2, 0.3])
    [1, 2, 3]
    >>> integer_weights([2, 0.25, 1e-3])
    [2000, 250, 1]
    """
    known = _DECIMALS
    parts = [known.get(weight) or _decimal(float(weight)) for weight in weights]
    if not parts:
        return []
    lowest = min(exponent for _, exponent in parts)
    if lowest == 0:
        return [digits for digits, _ in parts]
    return [digits * 10 ** (exponent - lowest) for digits, exponent in parts]


def weighted_lower_median(pairs: Sequence[tuple[float, float]]) -> float:
    """Return the weighted lower median of ``(value, weight)`` pairs.

    This is the smallest value whose cumulative weight (adding the weights of
    the values up to and including it) reaches half the total weight. When
    the weight splits exactly in half the lower value wins, which is the
    conservative choice. Weights must be finite and non-negative with a
    positive total; zero-weight values are never the median. Weights are
    summed exactly as decimal numbers (see the module docstring), so the
    result depends neither on the order of the pairs nor on the scale of the
    weights.

    >>> weighted_lower_median([(4, 1), (3, 1)])
    3.0
    >>> weighted_lower_median([(4, 2), (3, 1), (1, 0.5)])
    4.0
    >>> weighted_lower_median([(1, 0.1), (2, 0.2), (0, 0.3)])  # 0.3 is exactly half
    0.0
    """
    if not pairs:
        raise InvalidArgument("weighted_lower_median needs at least one pair, got pairs=[]")
    for index, (value, weight) in enumerate(pairs):
        if not (math.isfinite(value) and math.isfinite(weight) and weight >= 0):
            _refuse(index, value, weight)
    median = checked_lower_median(pairs)
    if median is None:
        raise InvalidArgument(f"at least one weight must be positive, got pairs={list(pairs)!r}")
    return median


def checked_lower_median(pairs: Sequence[tuple[float, float]]) -> float | None:
    """:func:`weighted_lower_median` of pairs already known to be finite with weights >= 0.

    For callers that validated their input themselves (the aggregators), so
    the hot path checks it once; ``None`` when every weight is zero.

    >>> checked_lower_median([(1.0, 0.3), (2.0, 0.1), (3.0, 0.2)]), checked_lower_median([(1.0, 0.0)])
    (1.0, None)
    """
    # Float sums decide every case that is not within rounding distance of an exact half;
    # those few are decided exactly, so the result is always the exact one.
    ordered = sorted(pairs)
    total = 0.0
    for _, weight in ordered:
        total += weight
    if total == 0:
        return None
    margin = total * (len(ordered) + 2) * 1e-15
    running = 0.0
    for value, weight in ordered:
        running += weight
        gap = 2 * running - total
        if gap > margin:
            return float(value)
        if gap >= -margin:
            return _exact_lower_median(ordered)
    return _exact_lower_median(ordered)  # pragma: no cover - the float sums reach the total


def _exact_lower_median(pairs: Sequence[tuple[float, float]]) -> float | None:
    scaled = integer_weights([weight for _, weight in pairs])
    total = sum(scaled)
    if total == 0:
        return None
    ordered = sorted(zip([float(value) for value, _ in pairs], scaled, strict=True))
    cumulative = 0
    for value, share in ordered:
        cumulative += share
        if 2 * cumulative >= total:
            return value
    raise AssertionError("unreachable: the cumulative weight reaches the total")  # pragma: no cover


def _refuse(index: int, value: float, weight: float) -> NoReturn:
    if not math.isfinite(value):
        raise InvalidArgument(f"pairs[{index}]: value must be finite, got value={value!r}")
    raise InvalidArgument(f"pairs[{index}]: weight must be finite and >= 0, got weight={weight!r}")
