"""Measurement scales: ordinal levels, numeric ranges, and bands between them.

An :class:`OrdinalScale` is an ordered set of :class:`Level` objects, each
with an id, a numeric score and labels per language. A :class:`NumericScale`
has optional bounds, a unit and a direction (higher or lower is better).
:class:`Bands` map numbers to level ids: either explicit cut points, equal
width class intervals over a range (the *interval kelas* convention of
Indonesian social research), or the midpoints between the scores of an
ordinal scale's levels, which is how an aggregated score is read back as a
level.

>>> scale = OrdinalScale(
...     id="four",
...     levels=(
...         Level("baik", 4, label={"id": "Baik", "en": "Good"}),
...         Level("cukup_baik", 3, label={"id": "Cukup baik", "en": "Fair"}),
...         Level("kurang_baik", 2, label={"id": "Kurang baik", "en": "Poor"}),
...         Level("tidak_baik", 1, label={"id": "Tidak baik", "en": "Bad"}),
...     ),
... )
>>> scale.level("Cukup Baik").id
'cukup_baik'
>>> scale.level_for_score(2.6).id
'cukup_baik'
>>> scale.level_for_score(2.5).id  # ties go to the lower level by default
'kurang_baik'
>>> Bands.equal_width(("tidak_baik", "kurang_baik", "cukup_baik", "baik"), 1, 4).cuts
(1.75, 2.5, 3.25)
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, TypeAlias

import attrs

from policyeval._converters import as_float
from policyeval._frozen import FrozenDict
from policyeval.exceptions import ScaleError

__all__ = [
    "Bands",
    "Level",
    "NumericScale",
    "OrdinalScale",
    "Scale",
    "normalise_label",
]

Ties = Literal["down", "up"]
Direction = Literal["higher", "lower"]
BandMethod = Literal["explicit", "equal_width", "midpoints"]


def _text_map(value: Mapping[str, str] | None) -> dict[str, str]:
    """Copy a language -> text mapping, sorted by language for stable output, read-only."""
    if value is None:
        return FrozenDict()
    return FrozenDict({str(key): str(text) for key, text in sorted(value.items())})


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """Convert to a tuple of strings (a typed converter, so callers may pass any iterable)."""
    return tuple(values)


def _float_tuple(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(value) for value in values)


_SEPARATORS = re.compile(r"[\s\-_]+")


@functools.lru_cache(maxsize=4096)
def normalise_label(text: str) -> str:
    """Fold a level id or label for lenient matching.

    Case, surrounding space, and the difference between spaces, hyphens and
    underscores are ignored. (Folded texts are remembered: a scale's labels
    are folded at every look-up.)

    >>> normalise_label("  Cukup-Baik ")
    'cukup_baik'
    """
    return _SEPARATORS.sub("_", text.strip().casefold())


@attrs.frozen
class Level:
    """One level of an ordinal scale.

    ``score`` is the number the level stands for when scores are aggregated;
    ``label`` and ``description`` map a language code to text.
    """

    id: str
    score: float = attrs.field(converter=as_float)
    label: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)
    description: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)

    @score.validator
    def _check_score(self, attribute: attrs.Attribute[float], value: float) -> None:
        if not math.isfinite(value):
            raise ScaleError(f"level {self.id!r}: score must be finite, got {value!r}")

    def text(self, lang: str | None = None, *, fallback: str | None = None) -> str:
        """Return the label in ``lang``, else in ``fallback``, else the id."""
        for language in (lang, fallback):
            if language is not None and language in self.label:
                return self.label[language]
        return self.id


@attrs.frozen
class Bands:
    """Map numbers to level ids by cut points.

    ``levels`` run along increasing numbers, so ``levels[0]`` covers the
    numbers below ``cuts[0]`` and ``levels[-1]`` the numbers above
    ``cuts[-1]``. A number equal to a cut goes to the lower level when
    ``ties="down"`` (the conservative default) and to the upper level when
    ``ties="up"``. ``method`` records how the cuts were made, so a file
    written back says the same thing the user wrote.

    >>> bands = Bands(cuts=(50.0, 75.0, 90.0), levels=("tidak_baik", "kurang_baik", "cukup_baik", "baik"))
    >>> bands.level_for(58.4), bands.level_for(75), bands.level_for(75.01)
    ('kurang_baik', 'kurang_baik', 'cukup_baik')
    """

    cuts: tuple[float, ...] = attrs.field(converter=_float_tuple)
    levels: tuple[str, ...] = attrs.field(converter=_str_tuple)
    ties: Ties = "down"
    method: BandMethod = "explicit"
    low: float | None = None
    high: float | None = None

    def __attrs_post_init__(self) -> None:
        if len(self.levels) != len(self.cuts) + 1:
            raise ScaleError(
                f"bands need one more level than cuts: {len(self.levels)} levels, "
                f"{len(self.cuts)} cuts"
            )
        if any(not math.isfinite(cut) for cut in self.cuts):
            raise ScaleError(f"band cuts must be finite, got cuts={list(self.cuts)!r}")
        if any(b <= a for a, b in zip(self.cuts, self.cuts[1:], strict=False)):
            raise ScaleError(f"band cuts must increase strictly, got cuts={list(self.cuts)!r}")
        if len(set(self.levels)) != len(self.levels):
            raise ScaleError(f"band levels must be distinct, got levels={list(self.levels)!r}")
        if self.ties not in ("down", "up"):
            raise ScaleError(f"ties must be 'down' or 'up', got ties={self.ties!r}")

    @classmethod
    def equal_width(
        cls, levels: Sequence[str], low: float, high: float, *, ties: Ties = "down"
    ) -> Bands:
        """Equal-width class intervals over ``[low, high]`` (*interval kelas*).

        The width is ``(high - low) / len(levels)``.

        >>> Bands.equal_width(("rendah", "sedang", "tinggi"), 0, 30).cuts
        (10.0, 20.0)
        """
        if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
            raise ScaleError(f"equal-width bands need low < high, got low={low!r}, high={high!r}")
        if len(levels) < 1:
            raise ScaleError("equal-width bands need at least one level")
        width = (high - low) / len(levels)
        cuts = tuple(low + width * index for index in range(1, len(levels)))
        return cls(cuts, tuple(levels), ties, "equal_width", float(low), float(high))

    @classmethod
    def midpoints(cls, levels: Sequence[Level], *, ties: Ties = "down") -> Bands:
        """Cut halfway between the scores of neighbouring levels.

        >>> Bands.midpoints([Level("a", 1), Level("b", 2), Level("c", 4)]).cuts
        (1.5, 3.0)
        """
        ordered = sorted(levels, key=lambda level: level.score)
        cuts = tuple((a.score + b.score) / 2 for a, b in itertools.pairwise(ordered))
        return cls(cuts, tuple(level.id for level in ordered), ties, "midpoints")

    def level_for(self, number: float) -> str:
        """Return the id of the level whose band holds ``number``."""
        if not math.isfinite(number):
            raise ScaleError(f"cannot band a non-finite number, got {number!r}")
        index = 0
        for cut in self.cuts:
            if number > cut or (self.ties == "up" and number == cut):
                index += 1
            else:
                break
        return self.levels[index]


def _level_tuple(values: Iterable[Level]) -> tuple[Level, ...]:
    return tuple(values)


@attrs.frozen
class OrdinalScale:
    """An ordered set of levels, with bands to read scores back as levels.

    Levels are kept in the order they were declared (usually best first, as
    questionnaires list them); scores must be distinct and order them. When
    ``bands`` is not given, a score is read back as the level whose score is
    nearest, ties going down (:meth:`Bands.midpoints`).
    """

    id: str
    levels: tuple[Level, ...] = attrs.field(converter=_level_tuple)
    label: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)
    description: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)
    bands: Bands | None = attrs.field(default=None, kw_only=True)
    kind: Literal["ordinal"] = attrs.field(default="ordinal", init=False)

    def __attrs_post_init__(self) -> None:
        if not self.levels:
            raise ScaleError(f"scale {self.id!r}: an ordinal scale needs at least one level")
        ids = [level.id for level in self.levels]
        duplicates = sorted({level_id for level_id in ids if ids.count(level_id) > 1})
        if duplicates:
            raise ScaleError(f"scale {self.id!r}: duplicate level ids {duplicates!r}")
        scores = [level.score for level in self.levels]
        if len(set(scores)) != len(scores):
            raise ScaleError(f"scale {self.id!r}: level scores must be distinct, got {scores!r}")
        if self.bands is not None:
            unknown = sorted(set(self.bands.levels) - set(ids))
            if unknown:
                raise ScaleError(f"scale {self.id!r}: bands name unknown levels {unknown!r}")

    @property
    def ascending(self) -> tuple[Level, ...]:
        """The levels from the lowest score to the highest."""
        return tuple(sorted(self.levels, key=lambda level: level.score))

    @property
    def best(self) -> Level:
        """The level with the highest score."""
        return self.ascending[-1]

    @property
    def worst(self) -> Level:
        """The level with the lowest score."""
        return self.ascending[0]

    @property
    def effective_bands(self) -> Bands:
        """The bands used to read a score as a level (declared, or midpoints)."""
        return self.bands if self.bands is not None else Bands.midpoints(self.levels)

    def get(self, level_id: str) -> Level:
        """Return the level with exactly this id."""
        for level in self.levels:
            if level.id == level_id:
                return level
        raise ScaleError(
            f"scale {self.id!r} has no level {level_id!r}; levels are {[lv.id for lv in self.levels]!r}"
        )

    def find(self, reference: str) -> Level | None:
        """Return the level an id or label (any language) refers to, or ``None``.

        Matching ignores case, surrounding space, and spaces versus
        underscores or hyphens.
        """
        wanted = normalise_label(str(reference))
        for level in self.levels:
            if normalise_label(level.id) == wanted:
                return level
        for level in self.levels:
            if any(normalise_label(text) == wanted for text in level.label.values()):
                return level
        return None

    def level(self, reference: str) -> Level:
        """Like :meth:`find`, but raise :class:`ScaleError` when nothing matches."""
        found = self.find(reference)
        if found is None:
            choices = ", ".join(level.id for level in self.levels)
            raise ScaleError(
                f"{reference!r} is not a level of scale {self.id!r} (levels: {choices})"
            )
        return found

    def level_for_score(self, score: float) -> Level:
        """Read a score back as a level through the scale's bands."""
        return self.get(self.effective_bands.level_for(score))

    @property
    def minimum(self) -> float:
        """The lowest level score."""
        return self.worst.score

    @property
    def maximum(self) -> float:
        """The highest level score."""
        return self.best.score


@attrs.frozen
class NumericScale:
    """A numeric scale: optional bounds, a unit, and which direction is better.

    ``bands`` (optional) turn values into levels of the ordinal scale
    ``levels``; a banded numeric indicator is then scored with that level's
    score, so it can be aggregated with ordinal indicators.

    >>> rate = NumericScale(id="pct", minimum=0, maximum=100, unit="%")
    >>> rate.contains(58.4), rate.contains(120)
    (True, False)
    """

    id: str
    minimum: float | None = attrs.field(default=None, kw_only=True)
    maximum: float | None = attrs.field(default=None, kw_only=True)
    unit: str | None = attrs.field(default=None, kw_only=True)
    direction: Direction = attrs.field(default="higher", kw_only=True)
    label: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)
    description: dict[str, str] = attrs.field(factory=dict, converter=_text_map, kw_only=True)
    bands: Bands | None = attrs.field(default=None, kw_only=True)
    levels: OrdinalScale | None = attrs.field(default=None, kw_only=True)
    kind: Literal["numeric"] = attrs.field(default="numeric", init=False)

    def __attrs_post_init__(self) -> None:
        for name in ("minimum", "maximum"):
            bound = getattr(self, name)
            if bound is not None and not math.isfinite(bound):
                raise ScaleError(f"scale {self.id!r}: {name} must be finite, got {bound!r}")
        if (
            self.minimum is not None
            and self.maximum is not None
            and not self.minimum < self.maximum
        ):
            raise ScaleError(
                f"scale {self.id!r}: minimum must be below maximum, got "
                f"minimum={self.minimum!r}, maximum={self.maximum!r}"
            )
        if self.direction not in ("higher", "lower"):
            raise ScaleError(
                f"scale {self.id!r}: direction must be 'higher' or 'lower', got {self.direction!r}"
            )
        if (self.bands is None) != (self.levels is None):
            raise ScaleError(f"scale {self.id!r}: bands and their levels go together")
        if self.bands is not None and self.levels is not None:
            known = {level.id for level in self.levels.levels}
            unknown = sorted(set(self.bands.levels) - known)
            if unknown:
                raise ScaleError(
                    f"scale {self.id!r}: bands name levels {unknown!r} that scale "
                    f"{self.levels.id!r} does not have"
                )

    def contains(self, value: float) -> bool:
        """Whether ``value`` is finite and within the bounds (bounds included)."""
        if not math.isfinite(value):
            return False
        if self.minimum is not None and value < self.minimum:
            return False
        return not (self.maximum is not None and value > self.maximum)

    def level_for_value(self, value: float) -> Level | None:
        """The level a value falls in, or ``None`` for an unbanded scale."""
        if self.bands is None or self.levels is None:
            return None
        return self.levels.get(self.bands.level_for(value))


Scale: TypeAlias = OrdinalScale | NumericScale
