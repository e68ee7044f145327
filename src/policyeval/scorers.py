"""Built-in scorers: put an indicator's values onto the framework's common score range.

A scorer (:class:`~policyeval.protocols.Scorer`) takes one indicator's
values for every unit at once and returns their scores:

* :func:`levels`: an ordinal rating scores its level's score (the default
  for ordinal indicators);
* :func:`bands`: a number scores the score of the level its band reads it
  as (the default for numeric indicators whose scale has bands);
* :func:`normalised`: any normaliser of :mod:`policyeval.normalisation`
  (min-max, z-score, rank, goalposts ...), applied after the values of a
  lower-is-better indicator are flipped (goalposts and targets, given in
  the indicator's own units, flip with them). The registry offers each of them
  by its name (``scorer("min_max", low=0, high=100)``).

A scorer may say which interval its scores lie in (``range_for(scale)``),
so that :func:`policyeval.score.scoring_problems` can refuse a framework
whose numbers would reach a parent on another scale before any data is read.

>>> import numpy as np
>>> from policyeval.testing.strategies import FOUR_LEVEL_SCALE, PERCENT_SCALE
>>> levels()(np.array([4.0, np.nan, 2.0]), FOUR_LEVEL_SCALE, units=["a", "b", "c"])
array([ 4., nan,  2.])
>>> bands()(np.array([58.4, 95.0]), PERCENT_SCALE, units=["a", "b"])
array([2., 4.])
>>> bands().range_for(PERCENT_SCALE)
(1.0, 4.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.exceptions import InvalidArgument
from policyeval.scales import NumericScale, OrdinalScale, Scale

__all__ = ["bands", "levels", "normalised", "normaliser_names"]

FloatArray = npt.NDArray[np.float64]


def _column(values: Any, units: Sequence[str], scorer: object) -> FloatArray:
    column = np.array(values, dtype=np.float64, copy=True)
    if column.ndim != 1 or column.shape[0] != len(units):
        raise InvalidArgument(
            f"{scorer!r}: values must be one number per unit ({len(units)} units), "
            f"got shape {column.shape}"
        )
    if np.isinf(column).any():
        raise InvalidArgument(f"{scorer!r}: values must be finite or nan, got {column.tolist()!r}")
    return column


@attrs.frozen(repr=False)
class _Levels:
    def __call__(self, values: Any, scale: Scale, /, *, units: Sequence[str]) -> FloatArray:
        column = _column(values, units, self)
        if not isinstance(scale, OrdinalScale):
            raise InvalidArgument(f"{self!r} scores ordinal scales, got scale {scale.id!r}")
        known = {level.score for level in scale.levels}
        for unit, value in zip(units, column.tolist(), strict=True):
            if not math.isnan(value) and value not in known:
                raise InvalidArgument(
                    f"{self!r}: unit={unit!r} has value={value!r}, not a level score of "
                    f"scale {scale.id!r} ({sorted(known)!r})"
                )
        return column

    def range_for(self, scale: Scale) -> tuple[float, float] | None:
        """The lowest and highest level score of an ordinal scale."""
        if not isinstance(scale, OrdinalScale):
            return None
        return (scale.minimum, scale.maximum)

    def __repr__(self) -> str:
        return "levels()"


@attrs.frozen(repr=False)
class _Bands:
    def __call__(self, values: Any, scale: Scale, /, *, units: Sequence[str]) -> FloatArray:
        column = _column(values, units, self)
        if not isinstance(scale, NumericScale) or scale.bands is None:
            raise InvalidArgument(f"{self!r} scores numeric scales with bands, got {scale.id!r}")
        out = np.full_like(column, np.nan)
        for index, value in enumerate(column.tolist()):
            if not math.isnan(value):
                level = scale.level_for_value(value)
                assert level is not None  # the scale has bands
                out[index] = level.score
        return out

    def range_for(self, scale: Scale) -> tuple[float, float] | None:
        """The lowest and highest score of the levels the bands read values as."""
        if not isinstance(scale, NumericScale) or scale.levels is None:
            return None
        return (scale.levels.minimum, scale.levels.maximum)

    def __repr__(self) -> str:
        return "bands()"


def levels() -> _Levels:
    """Score an ordinal rating with its level's score (the scale's own numbers).

    >>> levels()
    levels()
    """
    return _Levels()


def bands() -> _Bands:
    """Score a number with the score of the level its scale's bands read it as.

    This is how a banded numeric indicator (budget realisation in percent,
    banded into four levels) joins ordinal indicators.

    >>> bands()
    bands()
    """
    return _Bands()


# Normalisers -------------------------------------------------------------------------------------

# The interval a normaliser's output lies in, from its parameters, where it does not depend on the
# data; the others (z-scores, ranks, ratios) are unbounded as far as a framework can know.
_RANGES: Mapping[str, Callable[[Mapping[str, Any]], tuple[float, float] | None]] = {
    "min_max": lambda p: (float(p.get("low", 0.0)), float(p.get("high", 100.0))),
    "goalposts": lambda p: (0.0, float(p.get("scale", 100.0))) if p.get("trunc", True) else None,
}


@attrs.frozen(repr=False)
class _Normalised:
    name: str
    params: Mapping[str, Any]
    normaliser: Any = attrs.field(eq=False)

    def __call__(self, values: Any, scale: Scale, /, *, units: Sequence[str]) -> FloatArray:
        from policyeval import normalisation

        column = _column(values, units, self)
        direction = scale.direction if isinstance(scale, NumericScale) else "higher"
        flipped = np.asarray(normalisation.flip(column, direction), dtype=np.float64)
        # Goalposts and targets are given in the indicator's units, so they flip with it.
        normaliser = normalisation.for_direction(self.normaliser, direction)
        result = np.asarray(normaliser(flipped, units=tuple(units)), dtype=np.float64)
        if result.shape != column.shape:
            raise InvalidArgument(
                f"{self!r} returned shape {result.shape} for {column.shape[0]} units"
            )
        return result

    def range_for(self, scale: Scale) -> tuple[float, float] | None:
        """The interval the scores lie in when it does not depend on the data, else ``None``."""
        known = _RANGES.get(self.name)
        return None if known is None else known(self.params)

    def __repr__(self) -> str:
        return repr(self.normaliser)


def normaliser_names() -> tuple[str, ...]:
    """The names of the normalisers :func:`normalised` accepts (empty without the module)."""
    try:
        from policyeval import normalisation
    except ImportError:  # pragma: no cover - the numeric modules ship with the package
        return ()
    return tuple(sorted(normalisation.NORMALISERS))


def normalised(name: str, **params: Any) -> _Normalised:
    """A scorer applying the normaliser ``name`` of :mod:`policyeval.normalisation`.

    Values of a ``direction = "lower"`` scale are flipped first, so a higher
    score is always better. ``params`` go to the normaliser's factory.

    >>> normalised("min_max", low=0, high=100)
    min_max(low=0.0, high=100.0)
    """
    from policyeval import normalisation

    factories = normalisation.NORMALISERS
    if name not in factories:
        raise InvalidArgument(
            f"unknown normaliser name={name!r}; known: {', '.join(sorted(factories))}"
        )
    return _Normalised(name, dict(sorted(params.items())), factories[name](**params))
