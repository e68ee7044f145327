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
        known = [level.score for level in scale.levels]
        stray = ~np.isnan(column) & ~np.isin(column, known)
        if stray.any():
            row = int(np.flatnonzero(stray)[0])
            raise InvalidArgument(
                f"{self!r}: unit={units[row]!r} has value={float(column[row])!r}, not a level "
                f"score of scale {scale.id!r} ({sorted(known)!r})"
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
        if not isinstance(scale, NumericScale) or scale.bands is None or scale.levels is None:
            raise InvalidArgument(f"{self!r} scores numeric scales with bands, got {scale.id!r}")
        return _banded_scores(column, scale)

    def range_for(self, scale: Scale) -> tuple[float, float] | None:
        """The lowest and highest score of the levels the bands read values as."""
        if not isinstance(scale, NumericScale) or scale.levels is None:
            return None
        return (scale.levels.minimum, scale.levels.maximum)

    def __repr__(self) -> str:
        return "bands()"


def _banded_scores(column: FloatArray, scale: NumericScale) -> FloatArray:
    """The score of the level each value's band reads it as, for the whole column at once.

    A value equal to a cut goes down (``ties="down"``) or up, as
    :meth:`~policyeval.scales.Bands.level_for` reads one value.
    """
    assert scale.bands is not None and scale.levels is not None  # checked by the caller
    scores = [scale.levels.get(level_id).score for level_id in scale.bands.levels]
    present = ~np.isnan(column)
    cuts = np.asarray(scale.bands.cuts, dtype=np.float64)
    if scale.bands.ties == "up":
        band = np.searchsorted(cuts, column[present], side="right")
    else:
        band = np.searchsorted(cuts, column[present], side="left")
    out = np.full_like(column, np.nan)
    out[present] = np.asarray(scores, dtype=np.float64)[band]
    return out


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

    def columns(
        self, values: Any, scales: Sequence[Scale], /, *, units: Sequence[str]
    ) -> FloatArray:
        """Score a units x indicators array, one scale per column, as column by column.

        The array form of the normaliser runs once over every column flipped
        the same way; a normaliser without one is called column by column.
        """
        from policyeval import normalisation

        block = np.array(values, dtype=np.float64, copy=True)
        if block.shape != (len(units), len(scales)):
            raise InvalidArgument(
                f"{self!r}: values must be one row per unit and one column per scale, "
                f"got shape {block.shape}"
            )
        if np.isinf(block).any():
            raise InvalidArgument(f"{self!r}: values must be finite or nan")
        directions = [
            scale.direction if isinstance(scale, NumericScale) else "higher" for scale in scales
        ]
        array_form = getattr(self.normaliser, "columns", None)
        if array_form is None or any(
            normalisation.for_direction(self.normaliser, direction) is not self.normaliser
            for direction in set(directions)
        ):
            out = np.empty_like(block)
            for column, scale in enumerate(scales):
                out[:, column] = self(block[:, column], scale, units=units)
            return out
        signs = np.array([normalisation.flip([1.0], d)[0] for d in directions])
        return np.asarray(array_form(block * signs), dtype=np.float64)

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
