"""Normalisers: put indicators measured in different units on one common scale.

A normaliser is a callable ``f(values, /, *, units=None) -> ndarray`` over
one indicator: ``values`` is a 1-D float array over units, ``nan`` marks a
missing value, and the direction is already applied (higher is better; see
:func:`flip`). It returns a new float64 array of the same shape that is
``nan`` exactly where the input is ``nan`` and finite everywhere else. When a
method cannot give finite numbers (a constant column for min-max, a zero
maximum for fraction-of-max, an unknown reference unit...) it raises
:class:`~policyeval.exceptions.InvalidArgument`; callers add the indicator's
name.

The built-ins follow the definitions of COINr (the European Commission JRC's
R package for composite indicators, v1.1.14). Each is a factory returning a
frozen callable whose ``repr`` shows its parameters, and each declares
``increasing = True``: every built-in is monotone non-decreasing, so a better
raw value never gets a worse normalised score.

>>> import numpy as np
>>> values = np.array([2.0, 4.0, np.nan, 10.0])
>>> min_max()(values)
array([ 0., 25., nan, 100.])
>>> rank()(values)
array([ 1.,  2., nan,  3.])
>>> min_max(low=1, high=10)
min_max(low=1.0, high=10.0)
>>> sorted(NORMALISERS)[:4]
['borda', 'distance_to_max', 'distance_to_reference', 'distance_to_target']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.exceptions import InvalidArgument

__all__ = [
    "NORMALISERS",
    "borda",
    "distance_to_max",
    "distance_to_reference",
    "distance_to_target",
    "flip",
    "for_direction",
    "fraction_of_max",
    "goalposts",
    "min_max",
    "percentile_rank",
    "rank",
    "z_score",
]

FloatArray = npt.NDArray[np.float64]


def flip(values: npt.ArrayLike, direction: int | float | str) -> FloatArray:
    """Return the values with higher meaning better, as COINr does: multiply by the direction.

    ``direction`` is ``1`` or ``"higher"`` (unchanged) or ``-1`` or ``"lower"``
    (multiplied by -1). Missing values stay missing.

    >>> flip([3.0, float("nan")], "lower")
    array([-3., nan])
    >>> flip([3.0], 1)
    array([3.])
    """
    if direction in (1, "higher") and not isinstance(direction, bool):
        sign = 1.0
    elif direction in (-1, "lower") and not isinstance(direction, bool):
        sign = -1.0
    else:
        raise InvalidArgument(
            f"direction must be 1, -1, 'higher' or 'lower', got direction={direction!r}"
        )
    return np.asarray(values, dtype=np.float64) * sign


def for_direction(normaliser: Any, direction: int | float | str) -> Any:
    """The normaliser to apply to values flipped by ``direction``, with raw-unit parameters flipped too.

    Goalposts and targets are given in the indicator's own units. Once a
    lower-is-better indicator is multiplied by -1, its goalposts ``(low,
    high)`` become ``(-high, -low)`` and its target ``-target``, as COINr
    does; every other normaliser is returned as it is.

    >>> import numpy as np
    >>> raw = np.array([10.0, 30.0, 50.0])  # lower is better; 50 is the worst post, 10 the best
    >>> for_direction(goalposts(10, 50), "lower")
    goalposts(low=-50.0, high=-10.0, scale=100.0, trunc=True)
    >>> for_direction(goalposts(10, 50), "lower")(flip(raw, "lower"))
    array([100.,  50.,   0.])
    >>> for_direction(distance_to_target(2.5), -1)
    distance_to_target(target=-2.5, cap=True)
    """
    if flip([1.0], direction)[0] > 0:
        return normaliser
    if isinstance(normaliser, _Goalposts):
        return attrs.evolve(normaliser, low=-normaliser.high, high=-normaliser.low)
    if isinstance(normaliser, _DistanceToTarget):
        return attrs.evolve(normaliser, target=-normaliser.target)
    return normaliser


def _column(values: npt.ArrayLike, units: Sequence[str] | None) -> FloatArray:
    """Validate one indicator column and return a float64 copy."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(f"values must be numbers, got values={values!r}") from None
    if array.ndim != 1:
        raise InvalidArgument(f"values must be a 1-D array over units, got shape={array.shape!r}")
    if np.isinf(array).any():
        raise InvalidArgument(
            f"values must be finite numbers or nan (missing), got values={array.tolist()!r}"
        )
    if units is not None and len(units) != array.shape[0]:
        raise InvalidArgument(
            f"units and values differ in length: {len(units)} != {array.shape[0]}"
        )
    return array


def _finish(
    name: str, values: FloatArray, result: FloatArray, present: npt.NDArray[np.bool_]
) -> FloatArray:
    """Check the normaliser's own promise: finite where present, nan where missing."""
    result[~present] = np.nan
    if not np.isfinite(result[present]).all():
        raise InvalidArgument(
            f"{name} overflows: the values are too large for it, got "
            f"max |value| = {float(np.nanmax(np.abs(values))) if present.any() else 0.0!r}"
        )
    return result


def _ranks(values: FloatArray, present: npt.NDArray[np.bool_]) -> FloatArray:
    """Ranks from 1 (smallest) with ties taking the lowest rank, as R's ``ties.method = "min"``."""
    ordered = np.sort(values[present])
    result = np.full(values.shape, np.nan)
    result[present] = np.searchsorted(ordered, values[present], side="left") + 1.0
    return result


def _spread(
    name: str, values: FloatArray, present: npt.NDArray[np.bool_]
) -> tuple[float, float, float]:
    """The smallest and largest present values and the span between them, refusing a constant."""
    smallest, largest = float(values[present].min()), float(values[present].max())
    if smallest == largest:
        raise InvalidArgument(
            f"{name} needs at least two different values, got {int(present.sum())} equal to "
            f"{smallest!r}"
        )
    return smallest, largest, _span(name, smallest, largest)


def _span(name: str, low: float, high: float) -> float:
    """``high - low``, refusing a difference too large for floating point."""
    with np.errstate(over="ignore"):
        span = float(high) - float(low)
    if not math.isfinite(span):
        raise InvalidArgument(
            f"{name} overflows: the spread from {float(low)!r} to {float(high)!r} is too large"
        )
    return span


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgument(f"{name} must be a finite number, got {name}={value!r}")
    return float(value)


@attrs.frozen(repr=False)
class _MinMax:
    low: float
    high: float
    increasing: bool = attrs.field(default=True, init=False)

    def __call__(self, values: FloatArray, /, *, units: Sequence[str] | None = None) -> FloatArray:
        x = _column(values, units)
        present = ~np.isnan(x)
        if not present.any():
            return x
        smallest, _, span = _spread(repr(self), x, present)
        # COINr's order of operations, then a clip so rounding never leaves [low, high].
        scaled = (x - smallest) / span * (self.high - self.low) + self.low
        return _finish(repr(self), x, np.clip(scaled, self.low, self.high), present)

    def columns(self, values: FloatArray, /) -> FloatArray:
        """Normalise every column of a units x indicators array at once, as column by column.

        Raises :class:`~policyeval.exceptions.InvalidArgument` when any
        column would fail; calling the normaliser on that column says why.
        """
        x = np.array(values, dtype=np.float64)
        if x.ndim != 2 or np.isinf(x).any():
            raise InvalidArgument(
                f"values must be a 2-D array of finite numbers or nan, got shape={x.shape!r}"
            )
        present = ~np.isnan(x)
        some = present.any(axis=0)
        smallest = np.where(present, x, np.inf).min(axis=0, initial=np.inf)
        largest = np.where(present, x, -np.inf).max(axis=0, initial=-np.inf)
        with np.errstate(over="ignore", invalid="ignore"):
            span = largest - smallest
        if (smallest[some] == largest[some]).any() or not np.isfinite(span[some]).all():
            raise InvalidArgument(f"{self!r} cannot normalise every column; try them one by one")
        with np.errstate(invalid="ignore"):
            scaled = (x - smallest) / span * (self.high - self.low) + self.low
        return _finish(repr(self), x, np.clip(scaled, self.low, self.high), present)

    def __repr__(self) -> str:
        return f"min_max(low={self.low!r}, high={self.high!r})"


@attrs.frozen(repr=False)
class _ZScore:
    mean: float
    sd: float
    increasing: bool = attrs.field(default=True, init=False)

    def __call__(self, values: FloatArray, /, *, units: Sequence[str] | None = None) -> FloatArray:
        x = _column(values, units)
        present = ~np.isnan(x)
        if not present.any():
            return x
        if present.sum() < 2:
            raise InvalidArgument(f"{self!r} needs at least two values, got 1")
        with np.errstate(over="ignore"):
            spread = float(np.std(x[present], ddof=1))
        if not math.isfinite(spread):
            raise InvalidArgument(f"{self!r} overflows: the values are too large to square")
        if spread == 0:
            raise InvalidArgument(
                f"{self!r} needs values that vary; all {int(present.sum())} are "
                f"{float(x[present][0])!r}"
            )
        centre = float(np.mean(x[present]))
        return _finish(repr(self), x, (x - centre) / spread * self.sd + self.mean, present)

    def __repr__(self) -> str:
        return f"z_score(mean={self.mean!r}, sd={self.sd!r})"


@attrs.frozen(repr=False)
class _Rank:
    kind: str
    increasing: bool = attrs.field(default=True, init=False)

    def __call__(self, values: FloatArray, /, *, units: Sequence[str] | None = None) -> FloatArray:
        x = _column(values, units)
        present = ~np.isnan(x)
        if not present.any():
            return x
        ranks = _ranks(x, present)
        if self.kind == "rank":
            return ranks
        if self.kind == "borda":
            return ranks - 1.0
        count = int(present.sum())
        if count < 2:
            raise InvalidArgument(f"{self!r} needs at least two values, got 1")
        return _finish(repr(self), x, (ranks - 1.0) / (count - 1), present)

    def __repr__(self) -> str:
        return f"{self.kind}()"


@attrs.frozen(repr=False)
class _DistanceToMax:
    increasing: bool = attrs.field(default=True, init=False)

    def __call__(self, values: FloatArray, /, *, units: Sequence[str] | None = None) -> FloatArray:
        x = _column(values, units)
        present = ~np.isnan(x)
        if not present.any():
            return x
        _, largest, span = _spread(repr(self), x, present)
        result = 1 - (largest - x) / span
        return _finish(repr(self), x, np.clip(result, 0.0, 1.0), present)

    def __repr__(self) -> str:
        return "distance_to_max()"


@attrs.frozen(repr=False)
class _DistanceToReference:
    reference: str
    cap: bool
    increasing: bool = attrs.field(default=True, init=False)

    def __call__(self, values: FloatArray, /, *, units: Sequence[str] | None = None) -> FloatArray:
        x = _column(values, units)
        if units is None:
            raise InvalidArgument(f"{self!r} needs the units' names: pass units=")
        names = list(units)
        if self.reference not in names:
            raise InvalidArgument(
                f"{self!r}: no unit {self.reference!r} among the {len(names)} units"
            )
        present = ~np.isnan(x)
        if not present.any():
            return x
        reference_value = x[names.index(self.reference)]
        if math.isnan(reference_value):
            raise InvalidArgument(f"{self!r}: the reference unit's value is missing")
        smallest = x[present].min()
        if reference_value == smallest:
            raise InvalidArgument(
                f"{self!r}: the reference unit has the smallest value ({float(smallest)!r}), "
                "so every distance divides by zero"
            )
        span = _span(repr(self), smallest, reference_value)
        with np.errstate(over="ignore"):
            result = 1 - (reference_value - x) / span
        if self.cap:
            result = np.minimum(result, 1.0)
        return _finish(repr(self), x, result, present)

    def __repr__(self) -> str:
        return f"distance_to_reference(reference={self.reference!r}, cap={self.cap!r})"


@attrs.frozen(repr=False)
class _DistanceToTarget:
    target: float
    cap: bool
    increasing: bool = attrs.field(default=True, init=False)

    def __call__(self, values: FloatArray, /, *, units: Sequence[str] | None = None) -> FloatArray:
        x = _column(values, units)
        present = ~np.isnan(x)
        if not present.any():
            return x
        smallest = x[present].min()
        if self.target <= smallest:
            raise InvalidArgument(
                f"{self!r}: the target must lie above the smallest value {float(smallest)!r}, "
                "or the distances are infinite or reversed"
            )
        span = _span(repr(self), smallest, self.target)
        with np.errstate(over="ignore"):
            result = (x - smallest) / span
        if self.cap:
            result = np.minimum(result, 1.0)
        return _finish(repr(self), x, result, present)

    def __repr__(self) -> str:
        return f"distance_to_target(target={self.target!r}, cap={self.cap!r})"


@attrs.frozen(repr=False)
class _FractionOfMax:
    increasing: bool = attrs.field(default=True, init=False)

    def __call__(self, values: FloatArray, /, *, units: Sequence[str] | None = None) -> FloatArray:
        x = _column(values, units)
        present = ~np.isnan(x)
        if not present.any():
            return x
        largest = x[present].max()
        if largest <= 0:
            raise InvalidArgument(f"{self!r} needs a positive maximum, got max={float(largest)!r}")
        return _finish(repr(self), x, x / largest, present)

    def __repr__(self) -> str:
        return "fraction_of_max()"


@attrs.frozen(repr=False)
class _Goalposts:
    low: float
    high: float
    scale: float
    trunc: bool
    increasing: bool = attrs.field(default=True, init=False)

    def __call__(self, values: FloatArray, /, *, units: Sequence[str] | None = None) -> FloatArray:
        x = _column(values, units)
        present = ~np.isnan(x)
        result = (x - self.low) / (self.high - self.low)
        if self.trunc:
            result = np.clip(result, 0.0, 1.0)
        return _finish(repr(self), x, result * self.scale, present)

    def __repr__(self) -> str:
        return (
            f"goalposts(low={self.low!r}, high={self.high!r}, scale={self.scale!r}, "
            f"trunc={self.trunc!r})"
        )


def min_max(low: float = 0.0, high: float = 100.0) -> _MinMax:
    """Min-max onto ``[low, high]``: ``(x - min) / (max - min) * (high - low) + low``.

    COINr's ``n_minmax`` (its default, with ``low, high = 0, 100``). A column
    whose values are all equal has no range and is refused.

    >>> import numpy as np
    >>> min_max()(np.array([1.0, 2.0, 5.0]))
    array([  0.,  25., 100.])
    >>> min_max(0, 1)(np.array([3.0, 3.0]))
    Traceback (most recent call last):
    ...
    policyeval.exceptions.InvalidArgument: min_max(low=0.0, high=1.0) needs at least two different values, got 2 equal to 3.0
    """
    low, high = _number("low", low), _number("high", high)
    if not low < high:
        raise InvalidArgument(f"min_max needs low < high, got low={low!r}, high={high!r}")
    _span("min_max", low, high)
    return _MinMax(low, high)


def z_score(mean: float = 0.0, sd: float = 1.0) -> _ZScore:
    """Standardise to mean ``mean`` and standard deviation ``sd``.

    ``(x - mean(x)) / sd(x) * sd + mean`` with the sample standard deviation
    (divisor n - 1), as COINr's ``n_zscore``. Needs two different values.

    >>> import numpy as np
    >>> z_score()(np.array([1.0, 2.0, 3.0]))
    array([-1.,  0.,  1.])
    >>> z_score(mean=10, sd=2)(np.array([1.0, 2.0, 3.0]))
    array([ 8., 10., 12.])
    """
    mean, sd = _number("mean", mean), _number("sd", sd)
    if not sd > 0:
        raise InvalidArgument(f"z_score needs sd > 0, got sd={sd!r}")
    return _ZScore(mean, sd)


def rank() -> _Rank:
    """Ranks from 1 for the smallest value; tied values share the lowest rank.

    COINr's ``n_rank`` (R's ``rank(ties.method = "min")``); missing values stay missing.

    >>> import numpy as np
    >>> rank()(np.array([5.0, 1.0, 5.0, 3.0]))
    array([3., 1., 3., 2.])
    """
    return _Rank("rank")


def percentile_rank() -> _Rank:
    """Percentile ranks in [0, 1]: ``(rank - 1) / (n - 1)`` over the n present values.

    COINr's ``n_prank`` with ties taking the lowest rank. Needs two values.

    >>> import numpy as np
    >>> percentile_rank()(np.array([5.0, 1.0, 5.0, 3.0, np.nan]))
    array([0.66666667, 0.        , 0.66666667, 0.33333333,        nan])
    """
    return _Rank("percentile_rank")


def borda() -> _Rank:
    """Borda scores: the number of units with a strictly smaller value (``rank - 1``).

    COINr's ``n_borda``.

    >>> import numpy as np
    >>> borda()(np.array([5.0, 1.0, 5.0, 3.0]))
    array([2., 0., 2., 1.])
    """
    return _Rank("borda")


def distance_to_max() -> _DistanceToMax:
    """One minus the distance to the best unit, as a share of the range: ``1 - (max - x) / (max - min)``.

    COINr's ``n_dist2max``; the result lies in [0, 1]. Needs two different values.

    >>> import numpy as np
    >>> distance_to_max()(np.array([2.0, 4.0, 10.0]))
    array([0.  , 0.25, 1.  ])
    """
    return _DistanceToMax()


def distance_to_reference(reference: str, *, cap: bool = False) -> _DistanceToReference:
    """One minus the distance to a reference unit: ``1 - (x_ref - x) / (x_ref - min)``.

    COINr's ``n_dist2ref``. The reference unit scores 1; units better than it
    score above 1 unless ``cap`` (COINr's ``cap_max``) limits them to 1. The
    call needs ``units=`` to find the reference; a missing or unknown reference,
    or a reference holding the smallest value, is refused.

    >>> import numpy as np
    >>> distance_to_reference("B")(np.array([2.0, 6.0, 10.0]), units=["A", "B", "C"])
    array([0., 1., 2.])
    >>> distance_to_reference("B", cap=True)(np.array([2.0, 6.0, 10.0]), units=["A", "B", "C"])
    array([0., 1., 1.])
    """
    if not isinstance(reference, str) or not reference:
        raise InvalidArgument(f"reference must be a unit name, got reference={reference!r}")
    if not isinstance(cap, bool):
        raise InvalidArgument(f"cap must be true or false, got cap={cap!r}")
    return _DistanceToReference(reference, cap)


def distance_to_target(target: float, cap: bool = True) -> _DistanceToTarget:
    """Progress from the worst unit to a target: ``(x - min) / (target - min)``.

    COINr's ``n_dist2targ``; with ``cap`` (COINr's ``cap_max``) units beyond
    the target score 1. The target must lie above the smallest value. Values
    arrive with the direction applied, so the target of a negative-direction
    indicator must be flipped too (``-target``), as COINr does.

    >>> import numpy as np
    >>> distance_to_target(8)(np.array([2.0, 5.0, 11.0]))
    array([0. , 0.5, 1. ])
    >>> distance_to_target(8, cap=False)(np.array([2.0, 5.0, 11.0]))
    array([0. , 0.5, 1.5])
    """
    target = _number("target", target)
    if not isinstance(cap, bool):
        raise InvalidArgument(f"cap must be true or false, got cap={cap!r}")
    return _DistanceToTarget(target, cap)


def fraction_of_max() -> _FractionOfMax:
    """Each value as a fraction of the largest: ``x / max``; the maximum must be positive.

    COINr's ``n_fracmax``.

    >>> import numpy as np
    >>> fraction_of_max()(np.array([1.0, 2.0, 4.0]))
    array([0.25, 0.5 , 1.  ])
    """
    return _FractionOfMax()


def goalposts(low: float, high: float, scale: float = 100.0, trunc: bool = True) -> _Goalposts:
    """Fixed goalposts: ``(x - low) / (high - low)``, truncated to [0, 1] by ``trunc``, times ``scale``.

    COINr's ``n_goalposts``. Unlike the other methods it does not depend on
    the other units. For a negative-direction indicator (values flipped), pass
    the flipped posts ``low=-high_raw, high=-low_raw``, as COINr does.

    >>> import numpy as np
    >>> goalposts(0, 50)(np.array([-5.0, 10.0, 60.0]))
    array([  0.,  20., 100.])
    >>> goalposts(0, 50, scale=1, trunc=False)(np.array([-5.0, 10.0, 60.0]))
    array([-0.1,  0.2,  1.2])
    """
    low, high, scale = _number("low", low), _number("high", high), _number("scale", scale)
    if not low < high:
        raise InvalidArgument(f"goalposts needs low < high, got low={low!r}, high={high!r}")
    _span("goalposts", low, high)
    if not scale > 0:
        raise InvalidArgument(f"goalposts needs scale > 0, got scale={scale!r}")
    if not isinstance(trunc, bool):
        raise InvalidArgument(f"trunc must be true or false, got trunc={trunc!r}")
    return _Goalposts(low, high, scale, trunc)


Normaliser = Callable[..., FloatArray]

NORMALISERS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "borda": borda,
        "distance_to_max": distance_to_max,
        "distance_to_reference": distance_to_reference,
        "distance_to_target": distance_to_target,
        "fraction_of_max": fraction_of_max,
        "goalposts": goalposts,
        "min_max": min_max,
        "percentile_rank": percentile_rank,
        "rank": rank,
        "z_score": z_score,
    }
)
"""The built-in normalisers by name, for the registry: name -> factory."""
