"""Numeric data for many units: a units x indicators table and the steps that prepare it.

A :class:`NumericTable` holds one number (or ``nan`` for missing) per unit
and indicator, plus per-unit metadata: text ``groups`` (such as a region)
and numeric ``denominators`` (population, GDP...). It is immutable all the
way down: its arrays are read-only and its mappings cannot be changed.

Steps are plain functions that take a table and return a new one with a
tuple of :class:`Record` entries saying what they did to which indicator and
unit, so no step is ever silently skipped:

- :func:`load_numeric_table` reads CSV or XLSX, locating every bad cell;
- :func:`denominate` divides indicators by a denominator column;
- :func:`screen_units` drops units with too little data.

>>> import numpy as np
>>> table = NumericTable(
...     units=("A", "B"),
...     indicators=("jobs", "roads"),
...     values=np.array([[10.0, np.nan], [30.0, 4.0]]),
...     denominators={"people": np.array([5.0, 10.0])},
... )
>>> result = denominate(table, {"jobs": "people"}, scale=1000)
>>> result.table.column("jobs")
array([2000., 3000.])
>>> print(result.records[0])
denominate: jobs: divided by people / 1000
>>> screened = screen_units(table, min_share=0.9)
>>> screened.table.units, screened.dropped
(('B',), (('A', 0.5),))
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval._frozen import FrozenDict
from policyeval.exceptions import EvidenceError, InvalidArgument, Problem
from policyeval.tables import fold_column, parse_number, read_table

__all__ = [
    "Denominated",
    "NumericTable",
    "Record",
    "Screened",
    "denominate",
    "load_numeric_table",
    "screen_units",
]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen
class Record:
    """One line of provenance: what a step did to an indicator and a unit.

    ``indicator`` or ``unit`` is ``None`` when the action concerns every
    indicator or every unit; ``value`` carries the number the action is about
    (an imputed value, a data share...), when there is one.
    """

    step: str
    action: str
    indicator: str | None = None
    unit: str | None = None
    detail: str = ""
    value: float | None = None

    def __str__(self) -> str:
        where = [part for part in (self.indicator, self.unit) if part is not None]
        text = ": ".join([self.step, *where, self.action])
        return f"{text} ({self.detail})" if self.detail else text

    def as_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready mapping, with every key always present."""
        return {
            "step": self.step,
            "indicator": self.indicator,
            "unit": self.unit,
            "action": self.action,
            "detail": self.detail,
            "value": self.value,
        }


def _read_only(array: npt.ArrayLike, ndim: int, name: str) -> FloatArray:
    try:
        copy = np.array(array, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{name} must hold numbers, got {name}={array!r}") from None
    if copy.ndim != ndim:
        raise InvalidArgument(f"{name} must be {ndim}-D, got shape={copy.shape!r}")
    if np.isinf(copy).any():
        raise InvalidArgument(f"{name} must be finite numbers or nan (missing)")
    copy.flags.writeable = False
    return copy


def _frozen_groups(
    groups: Mapping[str, Sequence[str | None]],
) -> Mapping[str, tuple[str | None, ...]]:
    return FrozenDict({str(k): tuple(v) for k, v in groups.items()})


def _frozen_denominators(denominators: Mapping[str, npt.ArrayLike]) -> Mapping[str, FloatArray]:
    return FrozenDict(
        {str(k): _read_only(v, 1, f"denominators[{k!r}]") for k, v in denominators.items()}
    )


def _matrix(values: npt.ArrayLike) -> FloatArray:
    return _read_only(values, 2, "values")


def _names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


def _unique(kind: str, names: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"{kind} must be non-empty strings, got {name!r}")
        if name in seen:
            raise InvalidArgument(f"duplicate name in {kind}: {name!r}")
        seen.add(name)


@attrs.frozen(eq=False)
class NumericTable:
    """Values per unit (rows) and indicator (columns); ``nan`` marks a missing value.

    ``groups`` maps a metadata column to one text label per unit (``None``
    when unknown); ``denominators`` maps a column to one number per unit.
    Arrays are float64 and read-only.
    """

    units: tuple[str, ...] = attrs.field(converter=_names)
    indicators: tuple[str, ...] = attrs.field(converter=_names)
    values: FloatArray = attrs.field(converter=_matrix)
    groups: Mapping[str, tuple[str | None, ...]] = attrs.field(
        factory=dict, converter=_frozen_groups
    )
    denominators: Mapping[str, FloatArray] = attrs.field(
        factory=dict, converter=_frozen_denominators
    )

    def __attrs_post_init__(self) -> None:
        _unique("units", self.units)
        _unique("indicators", self.indicators)
        expected = (len(self.units), len(self.indicators))
        if self.values.shape != expected:
            raise InvalidArgument(
                f"values must have shape (units, indicators) = {expected!r}, "
                f"got shape={self.values.shape!r}"
            )
        for kind, columns in (("groups", self.groups), ("denominators", self.denominators)):
            for name, column in columns.items():
                if len(column) != len(self.units):
                    raise InvalidArgument(
                        f"{kind}[{name!r}] has {len(column)} entries for {len(self.units)} units"
                    )

    def column(self, indicator: str) -> FloatArray:
        """A writable copy of one indicator's values over the units."""
        return self.values[:, self.index(indicator)].copy()

    def index(self, indicator: str) -> int:
        """The column number of an indicator."""
        try:
            return self.indicators.index(indicator)
        except ValueError:
            raise InvalidArgument(
                f"no indicator {indicator!r}; indicators are {list(self.indicators)!r}"
            ) from None

    def with_values(self, values: npt.ArrayLike) -> NumericTable:
        """The same units, indicators and metadata with new values."""
        return attrs.evolve(self, values=values)

    def select_units(self, keep: npt.ArrayLike) -> NumericTable:
        """The table restricted to the units where the boolean mask ``keep`` is true."""
        mask = np.asarray(keep, dtype=bool)
        if mask.shape != (len(self.units),):
            raise InvalidArgument(f"keep must have one flag per unit, got shape={mask.shape!r}")
        return NumericTable(
            units=tuple(u for u, k in zip(self.units, mask, strict=True) if k),
            indicators=self.indicators,
            values=self.values[mask],
            groups={
                name: tuple(g for g, k in zip(column, mask, strict=True) if k)
                for name, column in self.groups.items()
            },
            denominators={name: column[mask] for name, column in self.denominators.items()},
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NumericTable):
            return NotImplemented
        return (
            self.units == other.units
            and self.indicators == other.indicators
            and np.array_equal(self.values, other.values, equal_nan=True)
            and dict(self.groups) == dict(other.groups)
            and self.denominators.keys() == other.denominators.keys()
            and all(
                np.array_equal(v, other.denominators[k], equal_nan=True)
                for k, v in self.denominators.items()
            )
        )

    __hash__ = None  # type: ignore[assignment]


def load_numeric_table(
    path: str | os.PathLike[str],
    *,
    unit_column: str,
    indicators: Sequence[str] | None = None,
    group_columns: Sequence[str] = (),
    denominator_columns: Sequence[str] = (),
    ignore: Sequence[str] = (),
    sheet: str | None = None,
) -> NumericTable:
    """Read a units x indicators table from CSV or XLSX.

    Each row is one unit, named in ``unit_column``. ``indicators`` lists the
    indicator columns (default: every column not named in ``unit_column``,
    ``group_columns``, ``denominator_columns`` or ``ignore``). Column names
    match case-insensitively; indicators, groups and denominators keep their
    names as written in the header. An empty cell is a missing value.

    Every row is accounted for: a row without a unit name, a repeated unit, a
    cell that is not a number or a cell beyond the header is reported with
    its file, row, column and value, all in one
    :class:`~policyeval.exceptions.EvidenceError`.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "units.csv"
    >>> _ = path.write_text("uCode;Region;Pop;Jobs\\nA;west;10;1,5\\nB;east;20;\\n")
    >>> table = load_numeric_table(
    ...     path, unit_column="ucode", group_columns=["region"], denominator_columns=["pop"]
    ... )
    >>> table.units, table.indicators, table.groups["Region"]
    (('A', 'B'), ('Jobs',), ('west', 'east'))
    >>> table.values
    array([[1.5],
           [nan]])
    """
    table = read_table(path, sheet=sheet)
    headers = dict(zip(table.columns, table.headers or table.columns, strict=True))
    problems: list[Problem] = []

    def known(names: Sequence[str], what: str) -> list[str]:
        found = []
        for name in names:
            column = fold_column(name)
            if column in headers:
                found.append(column)
            else:
                problems.append(
                    Problem(
                        f"no {what} column {name!r}; columns are {list(headers.values())!r}",
                        file=table.file,
                        row=table.header_row,
                        key=name,
                    )
                )
        return found

    unit = known([unit_column], "unit")
    groups = known(group_columns, "group")
    denominators = known(denominator_columns, "denominator")
    skipped = set(known(ignore, "ignored"))
    if indicators is None:
        taken = {*unit, *groups, *denominators, *skipped}
        chosen = [c for c in table.columns if c not in taken]
    else:
        chosen = known(indicators, "indicator")
    if problems:
        raise EvidenceError(problems)
    if not chosen:
        raise EvidenceError([Problem("the table has no indicator columns", file=table.file)])

    def number(row_number: int, column: str, text: str | None) -> float:
        if text is None:
            return math.nan
        try:
            return parse_number(text, decimal_comma=table.decimal_comma)
        except ValueError:
            problems.append(
                Problem(
                    "not a number", file=table.file, row=row_number, key=headers[column], value=text
                )
            )
            return math.nan

    names: list[str] = []
    seen: dict[str, int] = {}
    rows: list[list[float]] = []
    group_values: dict[str, list[str | None]] = {headers[c]: [] for c in groups}
    denominator_values: dict[str, list[float]] = {headers[c]: [] for c in denominators}
    for row in table.rows:
        if "__overflow__" in row.values:
            problems.append(
                Problem(
                    "cells beyond the last header column",
                    file=table.file,
                    row=row.number,
                    value=row.values["__overflow__"],
                )
            )
        name = row.get(unit[0])
        if name is None:
            problems.append(
                Problem("no unit name", file=table.file, row=row.number, key=headers[unit[0]])
            )
            continue
        if name in seen:
            problems.append(
                Problem(
                    f"unit {name!r} already given in row {seen[name]}",
                    file=table.file,
                    row=row.number,
                    key=headers[unit[0]],
                    value=name,
                )
            )
            continue
        seen[name] = row.number
        names.append(name)
        rows.append([number(row.number, c, row.get(c)) for c in chosen])
        for c in groups:
            group_values[headers[c]].append(row.get(c))
        for c in denominators:
            denominator_values[headers[c]].append(number(row.number, c, row.get(c)))
    if problems:
        raise EvidenceError(problems)
    if not names:
        raise EvidenceError([Problem("the table has no units", file=table.file)])
    return NumericTable(
        units=tuple(names),
        indicators=tuple(headers[c] for c in chosen),
        values=np.array(rows, dtype=np.float64),
        groups=group_values,
        denominators={k: np.array(v, dtype=np.float64) for k, v in denominator_values.items()},
    )


@attrs.frozen
class Denominated:
    """The result of :func:`denominate`: the new table and what was done."""

    table: NumericTable
    records: tuple[Record, ...]


def denominate(
    table: NumericTable,
    denominators: Mapping[str, str],
    *,
    scale: float | Mapping[str, float] = 1.0,
) -> Denominated:
    """Divide indicators by a per-unit denominator: ``value / (denominator / scale)``.

    ``denominators`` maps an indicator to a column of ``table.denominators``;
    ``scale`` (one number, or one per indicator; COINr's ``ScaleFactor``,
    default 1) turns, say, "per person" into "per 1,000 people". Indicators
    not named are left as they are. A missing denominator makes the unit's
    value missing, and says so in a record; a zero or negative denominator
    under a present value is refused, naming the unit and the indicator.

    >>> import numpy as np
    >>> table = NumericTable(
    ...     units=("A", "B"), indicators=("x",), values=np.array([[6.0], [6.0]]),
    ...     denominators={"d": np.array([3.0, np.nan])},
    ... )
    >>> result = denominate(table, {"x": "d"})
    >>> result.table.values.ravel()
    array([ 2., nan])
    >>> [str(r) for r in result.records]  # doctest: +NORMALIZE_WHITESPACE
    ['denominate: x: divided by d',
     'denominate: x: B: value made missing (denominator d is missing)']
    """
    values = table.values.copy()
    records: list[Record] = []
    for indicator, column_name in sorted(denominators.items(), key=lambda kv: table.index(kv[0])):
        j = table.index(indicator)
        if column_name not in table.denominators:
            raise InvalidArgument(
                f"indicator {indicator!r}: no denominator column {column_name!r}; "
                f"denominators are {sorted(table.denominators)!r}"
            )
        factor = scale.get(indicator, 1.0) if isinstance(scale, Mapping) else scale
        if isinstance(factor, bool) or not isinstance(factor, int | float):
            raise InvalidArgument(f"scale must be a number, got scale={factor!r}")
        if not (math.isfinite(factor) and factor > 0):
            raise InvalidArgument(f"indicator {indicator!r}: scale must be > 0, got {factor!r}")
        denominator = table.denominators[column_name]
        present = ~np.isnan(values[:, j])
        bad = np.flatnonzero(present & (denominator <= 0))
        if bad.size:
            i = bad[0]
            raise InvalidArgument(
                f"unit {table.units[i]!r}, indicator {indicator!r}: denominator {column_name} "
                f"must be > 0, got {float(denominator[i])!r}"
            )
        values[:, j] = values[:, j] / (denominator / factor)
        label = column_name if factor == 1 else f"{column_name} / {factor:g}"
        records.append(Record("denominate", f"divided by {label}", indicator=indicator))
        for i in np.flatnonzero(present & np.isnan(denominator)):
            records.append(
                Record(
                    "denominate",
                    "value made missing",
                    indicator=indicator,
                    unit=table.units[i],
                    detail=f"denominator {column_name} is missing",
                )
            )
    return Denominated(table.with_values(values), tuple(records))


@attrs.frozen
class Screened:
    """The result of :func:`screen_units`: the kept table, the dropped units and the records.

    ``dropped`` pairs each dropped unit with its data share, in table order.
    """

    table: NumericTable
    dropped: tuple[tuple[str, float], ...]
    records: tuple[Record, ...]


def _check_min_share(min_share: object) -> None:
    """Refuse a screening threshold that is not a number in [0, 1]."""
    if isinstance(min_share, bool) or not isinstance(min_share, int | float):
        raise InvalidArgument(f"min_share must be a number, got min_share={min_share!r}")
    if not 0 <= min_share <= 1:
        raise InvalidArgument(f"min_share must lie in [0, 1], got min_share={min_share!r}")


def screen_units(table: NumericTable, *, min_share: float = 0.9) -> Screened:
    """Keep the units whose share of present values is at least ``min_share``.

    COINr's ``Screen(unit_screen = "byNA")``: a unit is dropped when its data
    share (present values / indicators) is below the threshold. Each dropped
    unit gets a record with its share; keeping no unit at all is refused.

    >>> import numpy as np
    >>> table = NumericTable(units=("A", "B"), indicators=("x", "y"),
    ...                      values=np.array([[1.0, 2.0], [np.nan, 2.0]]))
    >>> [str(r) for r in screen_units(table, min_share=0.75).records]
    ['screen: B: unit dropped (data share 0.5 < 0.75)']
    """
    _check_min_share(min_share)
    shares = 1 - np.isnan(table.values).mean(axis=1)
    keep = shares >= min_share
    if not keep.any():
        raise InvalidArgument(
            f"screening with min_share={min_share!r} drops every unit; the best data share is "
            f"{float(shares.max())!r}"
        )
    dropped = tuple(
        (unit, float(share))
        for unit, share, kept in zip(table.units, shares, keep, strict=True)
        if not kept
    )
    records = tuple(
        Record(
            "screen",
            "unit dropped",
            unit=unit,
            detail=f"data share {share:.4g} < {min_share:g}",
            value=share,
        )
        for unit, share in dropped
    )
    return Screened(table.select_units(keep), dropped, records)
