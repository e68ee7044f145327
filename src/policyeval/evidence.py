"""Evidence: what was said, seen or read, by whom, how, and when.

An :class:`Evidence` item attaches one rating (a level of the indicator's
scale) or one value (a number) to one indicator for one unit (the region or
organisation evaluated), together with its source, the source's category
(an informant role or a document type), the technique that produced it
(interview, observation, documentation, survey, statistic ...: an open
vocabulary), and optionally a date, the investigator who coded it, a weight,
an excerpt and a citation. :class:`Source` describes a source once so
evidence rows can refer to it by id.

``attribution`` says whether the item's source and technique are as the
study or record states them (``"stated"``, the default) or the encoder's
inference (``"inferred"``). The technique :data:`UNSPECIFIED`
(``"unspecified"``) records that nobody said how the item was collected.
Triangulation rules count neither an inferred item nor an unspecified
technique as an independent source, category or technique.

>>> item = Evidence(id="e1", unit="kota-serang", indicator="kompetensi", rating="baik",
...                 source="komisioner", source_category="penyelenggara", technique="interview")
>>> item.weight
1.0
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import attrs

from policyeval._converters import as_float
from policyeval._frozen import freeze
from policyeval.exceptions import InvalidArgument

__all__ = ["ATTRIBUTIONS", "UNSPECIFIED", "Evidence", "Origin", "Source"]

UNSPECIFIED = "unspecified"
"""The technique of an item whose collection technique the source does not state."""

ATTRIBUTIONS = ("inferred", "stated")
"""The values of :attr:`Evidence.attribution`."""


@attrs.frozen
class Origin:
    """Where an item was read from: a file and a row as a spreadsheet numbers it."""

    file: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        if self.row is None:
            return self.file or "?"
        return f"{self.file or '?'}: row {self.row}"


def _extra(value: dict[str, Any] | None) -> dict[str, Any]:
    frozen: dict[str, Any] = freeze(dict(sorted((value or {}).items())))
    return frozen


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


@attrs.frozen(kw_only=True)
class Source:
    """A source of evidence, described once: an informant, a document, a data set."""

    id: str
    name: str | None = None
    category: str | None = None
    technique: str | None = None
    description: str | None = None
    citation: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, converter=_extra)
    origin: Origin | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class Evidence:
    """One piece of evidence about one indicator for one unit.

    Exactly one of ``rating`` (a level id of the indicator's scale) and
    ``value`` (a number) is set. ``weight`` (default 1) says how much the
    item counts in consensus and agreement. ``extra`` keeps any further
    columns of the row (such as ``limitations`` or ``relevance``, which the
    CERQual-style rule reads). ``origin`` says where the row came from.
    """

    id: str
    indicator: str
    source: str
    technique: str
    unit: str = "default"
    rating: str | None = None
    value: float | None = attrs.field(default=None, converter=_optional_float)
    source_category: str | None = None
    date: datetime.date | None = None
    investigator: str | None = None
    weight: float = attrs.field(default=1.0, converter=as_float)
    excerpt: str | None = None
    citation: str | None = None
    attribution: str = "stated"
    extra: dict[str, Any] = attrs.field(factory=dict, converter=_extra)
    origin: Origin | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if (self.rating is None) == (self.value is None):
            raise InvalidArgument(
                f"evidence {self.id!r}: give exactly one of rating and value, got "
                f"rating={self.rating!r}, value={self.value!r}"
            )
        if self.value is not None and not math.isfinite(self.value):
            raise InvalidArgument(
                f"evidence {self.id!r}: value must be finite, got value={self.value!r}"
            )
        if not (math.isfinite(self.weight) and self.weight > 0):
            raise InvalidArgument(
                f"evidence {self.id!r}: weight must be a finite number > 0, got weight={self.weight!r}"
            )
        if self.attribution not in ATTRIBUTIONS:
            raise InvalidArgument(
                f"evidence {self.id!r}: attribution must be one of {', '.join(ATTRIBUTIONS)}, "
                f"got attribution={self.attribution!r}"
            )
        for name in ("id", "indicator", "source", "technique", "unit"):
            if not getattr(self, name):
                raise InvalidArgument(
                    f"evidence: {name} must be a non-empty string, got {name}={getattr(self, name)!r}"
                )

    @property
    def category(self) -> str:
        """The source category, or the source itself when no category is known."""
        return self.source_category or self.source

    @property
    def independent(self) -> bool:
        """Whether the item's source and category count as independent in triangulation.

        False when its attribution is the encoder's inference.

        >>> Evidence(id="e", indicator="i", rating="baik", source="s", technique="interview",
        ...          attribution="inferred").independent
        False
        """
        return self.attribution == "stated"

    @property
    def known_technique(self) -> bool:
        """Whether the item's technique counts in technique triangulation.

        False when the attribution is inferred or the technique is ``"unspecified"``.

        >>> Evidence(id="e", indicator="i", rating="baik", source="s",
        ...          technique="unspecified").known_technique
        False
        """
        return self.independent and self.technique.casefold() != UNSPECIFIED
