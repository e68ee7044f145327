"""Imputation: fill missing values of a units x indicators array, and say which.

:func:`impute` replaces each missing value (``nan``) by the mean or the
median of its indicator's present values, over all units or, with
``groups``, over the units of the same group (COINr's ``i_mean``,
``i_median``, ``i_mean_grp`` and ``i_median_grp``). Present values are never
changed. Every imputed cell is recorded; a column or group with no data to
impute from is refused, so a missing value never survives silently.

>>> import numpy as np
>>> values = np.array([[1.0, 10.0], [np.nan, 20.0], [5.0, np.nan], [7.0, 40.0]])
>>> result = impute(values, groups=["a", "a", "b", "b"])
>>> result.values
array([[ 1., 10.],
       [ 1., 20.],
       [ 5., 40.],
       [ 7., 40.]])
>>> result.record
(ImputedValue(unit=1, indicator=0, value=1.0, group='a'), ImputedValue(unit=2, indicator=1, value=40.0, group='b'))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.exceptions import InvalidArgument

__all__ = ["Imputed", "ImputedValue", "impute"]

FloatArray = npt.NDArray[np.float64]


@attrs.frozen
class ImputedValue:
    """One imputed cell: unit (row) and indicator (column) indices, the value, the group used."""

    unit: int
    indicator: int
    value: float
    group: str | None = None


@attrs.frozen(eq=False)
class Imputed:
    """The result of :func:`impute`: the filled values and one record per filled cell.

    ``values`` is a new, read-only array; ``record`` lists the filled cells
    by indicator, then unit.
    """

    values: FloatArray
    record: tuple[ImputedValue, ...]


def _name(names: Sequence[str] | None, index: int) -> str:
    return repr(names[index]) if names is not None else f"at index {index}"


def impute(
    values: npt.ArrayLike,
    *,
    method: Literal["mean", "median"] = "mean",
    groups: Sequence[str | None] | None = None,
    units: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
) -> Imputed:
    """Fill each missing value with its column's mean or median, within the unit's group if given.

    ``values`` is a units x indicators array with ``nan`` for missing;
    ``groups`` gives one label per unit. ``units`` and ``indicators`` are
    names used only in error messages. Raises
    :class:`~policyeval.exceptions.InvalidArgument` when a missing value has
    nothing to be imputed from: its column (or its group within the column)
    has no data, or its unit has no group.

    >>> import numpy as np
    >>> impute(np.array([[1.0], [np.nan], [2.0], [9.0]]), method="median").values.ravel()
    array([1., 2., 2., 9.])
    >>> impute(np.array([[np.nan], [np.nan]]), indicators=["x"])
    Traceback (most recent call last):
    ...
    policyeval.exceptions.InvalidArgument: indicator 'x' has no data to impute from
    """
    if method not in ("mean", "median"):
        raise InvalidArgument(f"method must be 'mean' or 'median', got method={method!r}")
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument("values must be a units x indicators array of numbers") from None
    if array.ndim != 2:
        raise InvalidArgument(f"values must be 2-D (units x indicators), got shape={array.shape!r}")
    if np.isinf(array).any():
        raise InvalidArgument("values must be finite numbers or nan (missing)")
    count_units, count_indicators = array.shape
    for kind, names, size, counted in (
        ("units", units, count_units, "units"),
        ("indicators", indicators, count_indicators, "indicators"),
        ("groups", groups, count_units, "units"),
    ):
        if names is not None and len(names) != size:
            raise InvalidArgument(f"{kind} has {len(names)} entries for {size} {counted}")
    summary = np.mean if method == "mean" else np.median
    labels: list[str | None] = list(groups) if groups is not None else [None] * count_units
    record: list[ImputedValue] = []
    members_of: dict[str | None, list[int]] = {}
    for k, label in enumerate(labels):
        members_of.setdefault(label, []).append(k)
    for j in range(count_indicators):
        column = array[:, j]
        missing = np.isnan(column)
        if not missing.any():
            continue
        fills: dict[str | None, float] = {}
        for i in np.flatnonzero(missing):
            label = labels[i]
            if groups is not None and label is None:
                raise InvalidArgument(
                    f"unit {_name(units, int(i))} misses indicator "
                    f"{_name(indicators, j)} and has no group to impute from"
                )
            if label not in fills:
                members = members_of[label]
                present = column[members][~missing[members]]
                if present.size == 0:
                    where = f" within group {label!r}" if groups is not None else ""
                    raise InvalidArgument(
                        f"indicator {_name(indicators, j)} has no data to impute from{where}"
                    )
                fills[label] = float(summary(present))
            record.append(ImputedValue(int(i), j, fills[label], label))
        for i in np.flatnonzero(missing):
            column[i] = fills[labels[i]]
    array.flags.writeable = False
    return Imputed(array, tuple(record))
