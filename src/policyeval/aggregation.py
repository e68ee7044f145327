"""Aggregators: how a node combines its children's scores.

An aggregator is any callable ``f(values, weights) -> float``. The built-ins
are factories returning frozen callable objects whose ``repr`` shows their
parameters. Each validates its inputs (same lengths, at least one value,
finite values, finite non-negative weights with a positive sum), ignores
zero-weight children, and says whether it is *compensatory*, that is,
whether a high score on one child can make up for a low score on another.
The means, the minimum, the maximum, the median and the bars (over a base
with one) also have an ``array`` form that combines many units at once (see
:class:`~policyeval.protocols.ArrayAggregator`), and decision tables a
``partial`` form for unknown children.

>>> mean()([4, 3, 2, 2, 2], [1, 1, 1, 1, 1])
2.6
>>> median()([4, 3, 2, 2, 2], [1, 1, 1, 1, 1]), weakest_link()([4, 3, 2, 2, 2], [1] * 5)
(2.0, 2.0)
>>> generalised(2)
generalised(p=2.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from policyeval.exceptions import InvalidArgument
from policyeval.median import checked_lower_median, integer_weights

__all__ = [
    "bars",
    "copeland",
    "decision_table",
    "generalised",
    "geometric",
    "harmonic",
    "majority",
    "mean",
    "median",
    "strongest",
    "weakest_link",
    "weighted_median",
]


def _pairs(values: Sequence[float], weights: Sequence[float]) -> list[tuple[float, float]]:
    """Validate the inputs and return the (value, weight) pairs of positive weight."""
    if len(values) != len(weights):
        raise InvalidArgument(
            f"values and weights differ in length: {len(values)} != {len(weights)}"
        )
    if not values:
        raise InvalidArgument("an aggregator needs at least one value")
    for value in values:
        if not (isinstance(value, int | float) and math.isfinite(value)):
            raise InvalidArgument(f"values must be finite numbers, got values={list(values)!r}")
    for weight in weights:
        if not (isinstance(weight, int | float) and math.isfinite(weight) and weight >= 0):
            raise InvalidArgument(f"weights must be finite and >= 0, got weights={list(weights)!r}")
    pairs = [(float(v), float(w)) for v, w in zip(values, weights, strict=True) if w > 0]
    if not pairs:
        raise InvalidArgument(
            f"at least one weight must be positive, got weights={list(weights)!r}"
        )
    return pairs


def _clamp(result: float, pairs: Sequence[tuple[float, float]]) -> float:
    """Keep float rounding from stepping outside the children's range."""
    low = min(v for v, _ in pairs)
    high = max(v for v, _ in pairs)
    return min(max(result, low), high)


def _array_inputs(values: Any, weights: Any) -> tuple[Any, Any, Any]:
    """Float arrays (units x children) and the mask of positive weights."""
    grid = np.asarray(values, dtype=np.float64)
    weight_grid = np.asarray(weights, dtype=np.float64)
    if grid.ndim != 2 or grid.shape != weight_grid.shape:
        raise InvalidArgument(
            f"array forms take values and weights of one shape (units, children), got "
            f"{grid.shape} and {weight_grid.shape}"
        )
    positive = weight_grid > 0
    if not positive.any(axis=1).all() or not np.isfinite(grid[positive]).all():
        raise InvalidArgument("every row needs a positive weight and finite values")
    return grid, weight_grid, positive


def _weighted_sums(grid: Any, weight_grid: Any) -> tuple[Any, Any]:
    """Sum w * v and w child by child, in the order the scalar forms sum them."""
    products = np.zeros(grid.shape[0])
    totals = np.zeros(grid.shape[0])
    for index in range(grid.shape[1]):
        products += grid[:, index] * weight_grid[:, index]
        totals += weight_grid[:, index]
    return products, totals


def _array_clamp(result: Any, grid: Any, positive: Any) -> Any:
    low = np.where(positive, grid, np.inf).min(axis=1)
    high = np.where(positive, grid, -np.inf).max(axis=1)
    return np.minimum(np.maximum(result, low), high)


@attrs.frozen(repr=False)
class _Mean:
    compensatory: bool = attrs.field(default=True, init=False)

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float:
        pairs = _pairs(values, weights)
        total = sum(w for _, w in pairs)
        return _clamp(sum(v * w for v, w in pairs) / total, pairs)

    def many(self, rows: Sequence[Sequence[float]], weights: Sequence[float], /) -> list[float]:
        """Aggregate many rows of values with the same weights."""
        return [self(row, weights) for row in rows]

    def array(self, values: Any, weights: Any, /) -> Any:
        """The weighted mean of each row (units x children arrays)."""
        grid, weight_grid, positive = _array_inputs(values, weights)
        products, totals = _weighted_sums(np.where(positive, grid, 0.0), weight_grid)
        return _array_clamp(products / totals, grid, positive)

    def __repr__(self) -> str:
        return "mean()"


@attrs.frozen(repr=False)
class _Generalised:
    p: float

    @property
    def compensatory(self) -> bool:
        """Power means compensate, except at p = +-inf (the maximum and the minimum)."""
        return math.isfinite(self.p)

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float:
        pairs = _pairs(values, weights)
        total = sum(w for _, w in pairs)
        p = self.p
        if p == math.inf:
            return max(v for v, _ in pairs)
        if p == -math.inf:
            return min(v for v, _ in pairs)
        if p <= 0 and any(v < 0 for v, _ in pairs):
            raise InvalidArgument(f"{self!r} needs values >= 0, got values={list(values)!r}")
        if p == 0:
            if any(v == 0 for v, _ in pairs):
                return 0.0
            return _clamp(math.exp(sum(w * math.log(v) for v, w in pairs) / total), pairs)
        if p < 0 and any(v == 0 for v, _ in pairs):
            return 0.0
        if p != int(p) and any(v < 0 for v, _ in pairs):
            raise InvalidArgument(f"{self!r} needs values >= 0, got values={list(values)!r}")
        try:
            powered = sum(w * v**p for v, w in pairs) / total
            result = math.copysign(abs(powered) ** (1 / p), powered)
        except (OverflowError, ZeroDivisionError):
            return _clamp(_scaled_power_mean(pairs, p, total), pairs)
        if not (math.isfinite(result) and math.isfinite(powered)) or (
            powered == 0 and any(v != 0 for v, _ in pairs)
        ):
            # v**p left the float range for some child (1e-209 ** -2, 1e200 ** 2, 1e-200 ** 2):
            # the same mean, computed relative to the child that keeps every term within 1.
            result = _scaled_power_mean(pairs, p, total)
        return _clamp(result, pairs)

    def array(self, values: Any, weights: Any, /) -> Any:
        """The weighted power mean of each row (units x children arrays)."""
        grid, weight_grid, positive = _array_inputs(values, weights)
        p = self.p
        if p == math.inf:
            return np.where(positive, grid, -np.inf).max(axis=1)
        if p == -math.inf:
            return np.where(positive, grid, np.inf).min(axis=1)
        used = np.where(positive, grid, 1.0)
        if (p <= 0 or p != int(p)) and (used < 0).any():
            raise InvalidArgument(f"{self!r} needs values >= 0")
        zero = (used == 0).any(axis=1)
        safe = np.where(used == 0, 1.0, used)
        if p == 0:
            logs, totals = _weighted_sums(np.log(safe), weight_grid)
            result = _array_clamp(np.exp(logs / totals), grid, positive)
            return np.where(zero, 0.0, result)
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            powered, totals = _weighted_sums(safe**p if p < 0 else used**p, weight_grid)
            powered = powered / totals
            result = np.copysign(np.abs(powered) ** (1 / p), powered)
        # Rows where a power left the float range take the scalar form's scaled mean.
        nonzero = (np.where(positive, used, 0.0) != 0).any(axis=1)
        outside = ~(np.isfinite(result) & np.isfinite(powered)) | ((powered == 0) & nonzero)
        for row in np.flatnonzero(outside):
            if not (p < 0 and zero[row]):
                kept = positive[row]
                result[row] = self(grid[row][kept].tolist(), weight_grid[row][kept].tolist())
        result = _array_clamp(result, grid, positive)
        return np.where(zero, 0.0, result) if p < 0 else result

    def __repr__(self) -> str:
        if self.p == 0:
            return "geometric()"
        if self.p == -1:
            return "harmonic()"
        return f"generalised(p={self.p!r})"


def _scaled_power_mean(pairs: Sequence[tuple[float, float]], p: float, total: float) -> float:
    """The power mean as ``scale * M_p(v / scale)``, every term within 1 in size.

    The scale is the largest size for ``p > 0`` and the smallest (positive) value
    for ``p < 0``, so no ``(v / scale) ** p`` overflows and one term is exactly 1.
    """
    scale = max(abs(v) for v, _ in pairs) if p > 0 else min(v for v, _ in pairs)
    powered = sum(w * (v / scale) ** p for v, w in pairs) / total
    if powered == 0:
        return 0.0
    exponent = min(math.log(abs(powered)) / p, 709.0)  # exp(709) is the largest finite power
    return math.copysign(scale * math.exp(exponent), powered)


@attrs.frozen(repr=False)
class _Median:
    compensatory: bool = attrs.field(default=False, init=False)

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float:
        median = checked_lower_median(_pairs(values, weights))
        assert median is not None  # _pairs keeps positive weights only, at least one
        return median

    def __repr__(self) -> str:
        return "median()"

    def array(self, values: Any, weights: Any, /) -> Any:
        """The weighted lower median of each row; rows near a tie are left to the scalar form."""
        return _median_array(self, values, weights)


@attrs.frozen(repr=False)
class _Extreme:
    lowest: bool
    compensatory: bool = attrs.field(default=False, init=False)

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float:
        pairs = _pairs(values, weights)
        chosen = (min if self.lowest else max)(v for v, _ in pairs)
        return chosen

    def many(self, rows: Sequence[Sequence[float]], weights: Sequence[float], /) -> list[float]:
        """Aggregate many rows of values with the same weights."""
        return [self(row, weights) for row in rows]

    def array(self, values: Any, weights: Any, /) -> Any:
        """The minimum (or maximum) of each row's positive-weight values."""
        grid, _, positive = _array_inputs(values, weights)
        if self.lowest:
            return np.where(positive, grid, np.inf).min(axis=1)
        return np.where(positive, grid, -np.inf).max(axis=1)

    def __repr__(self) -> str:
        return "weakest_link()" if self.lowest else "strongest()"


@attrs.frozen(repr=False)
class _Majority:
    compensatory: bool = attrs.field(default=False, init=False)

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float:
        totals: dict[float, float] = {}
        for value, weight in _pairs(values, weights):
            totals[value] = totals.get(value, 0.0) + weight
        best = max(totals.values())
        return min(
            value for value, total in totals.items() if math.isclose(total, best, rel_tol=1e-12)
        )

    def __repr__(self) -> str:
        return "majority()"


def mean() -> _Mean:
    """The weighted arithmetic mean: fully compensatory.

    >>> mean()([4, 2], [3, 1])
    3.5
    """
    return _Mean()


def generalised(p: float) -> _Generalised:
    """The weighted power mean with exponent ``p``.

    ``p = 1`` is the arithmetic mean, ``p = 0`` the geometric, ``p = -1`` the
    harmonic; ``p = inf`` and ``p = -inf`` give the maximum and minimum. The
    lower ``p``, the less a high child can compensate a low one. For ``p <= 0``
    values must be non-negative, and any zero value gives 0.

    >>> round(generalised(2)([4, 2], [1, 1]), 6)
    3.162278
    >>> generalised(float("-inf"))([4, 2], [1, 1])
    2.0
    """
    if not isinstance(p, int | float) or isinstance(p, bool) or math.isnan(p):
        raise InvalidArgument(f"generalised: p must be a number, got p={p!r}")
    return _Generalised(float(p))


def geometric() -> _Generalised:
    """The weighted geometric mean (power mean with p = 0); values must be >= 0.

    >>> geometric()([4, 1], [1, 1])
    2.0
    """
    return _Generalised(0.0)


def harmonic() -> _Generalised:
    """The weighted harmonic mean (power mean with p = -1); values must be >= 0.

    >>> round(harmonic()([4, 1], [1, 1]), 6)
    1.6
    """
    return _Generalised(-1.0)


def median() -> _Median:
    """The weighted lower median: the smallest value whose cumulative weight reaches half.

    Conservative on ties: with two equal halves the lower value wins. This is
    :func:`policyeval.median.weighted_lower_median`, the median consensus and
    the ``weighted_median`` confidence rule use, so weights are summed
    exactly as decimals: 0.1 and 0.2 against 0.3 is an exact tie, as 1 and 2
    against 3 is. The registry also offers it as ``weighted_median``.

    >>> median()([4, 2], [1, 1])
    2.0
    >>> median()([1, 2, 0], [0.1, 0.2, 0.3]), median()([1, 2, 0], [1, 2, 3])
    (0.0, 0.0)
    """
    return _Median()


def weakest_link() -> _Extreme:
    """The minimum over positive-weight children: no compensation at all.

    >>> weakest_link()([4, 1], [1, 0])
    4.0
    """
    return _Extreme(lowest=True)


def strongest() -> _Extreme:
    """The maximum over positive-weight children.

    >>> strongest()([4, 1], [1, 1])
    4.0
    """
    return _Extreme(lowest=False)


def majority() -> _Majority:
    """The weighted mode: the value with the most weight; ties go to the lower value.

    >>> majority()([4, 4, 2], [1, 1, 1]), majority()([4, 2], [1, 1])
    (4.0, 2.0)
    """
    return _Majority()


@attrs.frozen(repr=False)
class _Bars:
    rules: tuple[tuple[float, float], ...]
    base: Any

    @property
    def compensatory(self) -> bool:
        """Bars limit compensation: a weak child caps the parent."""
        return False

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float:
        pairs = _pairs(values, weights)
        result = float(self.base(values, weights))
        for threshold, cap in self.rules:
            if any(v <= threshold for v, _ in pairs):
                result = min(result, cap)
        return _clamp(result, pairs)

    def __repr__(self) -> str:
        rules = [{"at_or_below": t, "cap": c} for t, c in self.rules]
        return f"bars(rules={rules!r}, base={self.base!r})"

    def array(self, values: Any, weights: Any, /) -> Any:
        """The capped base of each row, when the base has an array form."""
        return _bars_array(self, values, weights)


def bars(rules: Sequence[Mapping[str, float]], *, base: Any = "mean") -> _Bars:
    """A rubric: any positive-weight child at or below a threshold caps the parent.

    ``rules`` is a sequence of ``{"at_or_below": t, "cap": c}`` with
    ``c >= t``; the result is ``base(values, weights)`` lowered to every cap
    whose threshold some child reaches. ``base`` is an aggregator or a
    registered name (default ``"mean"``).

    >>> rubric = bars([{"at_or_below": 2, "cap": 3}])
    >>> rubric([4, 4, 4, 2], [1, 1, 1, 1])  # the mean 3.5 is capped at 3
    3.0
    >>> rubric([4, 4, 4, 3], [1, 1, 1, 1])
    3.75
    """
    if isinstance(rules, str | Mapping) or not isinstance(rules, Sequence):
        raise InvalidArgument(f"bars: rules must be a list of rules, got rules={rules!r}")
    parsed = []
    for index, rule in enumerate(rules):
        try:
            threshold, cap = float(rule["at_or_below"]), float(rule["cap"])
        except (KeyError, TypeError, ValueError):
            raise InvalidArgument(
                f"bars: rules[{index}] must be {{'at_or_below': number, 'cap': number}}, got {rule!r}"
            ) from None
        if not (math.isfinite(threshold) and math.isfinite(cap)) or cap < threshold:
            raise InvalidArgument(
                f"bars: rules[{index}] needs finite numbers with cap >= at_or_below, got {rule!r}"
            )
        parsed.append((threshold, cap))
    if not parsed:
        raise InvalidArgument("bars: give at least one rule")
    if isinstance(base, str | Mapping):
        from policyeval.registry import build_aggregator

        base = build_aggregator(base)
    if not callable(base):
        raise InvalidArgument(f"bars: base must be an aggregator or its name, got base={base!r}")
    return _Bars(tuple(parsed), base)


# Array forms of the median and the bars --------------------------------------------------------


def _median_array(median: Any, values: Any, weights: Any) -> Any:
    """Sort each row once and take the first value whose running weight reaches half the total.

    Running sums in floating point decide the clear cases; a row where some
    running sum lies within 1e-9 of half the total is a near tie, decided by
    the scalar form exactly as unit-by-unit aggregation decides it.
    """
    grid, weight_grid, positive = _array_inputs(values, weights)
    keyed = np.where(positive, grid, np.inf)  # zero-weight children sort last and never decide
    order = np.argsort(keyed, axis=1, kind="stable")
    ordered_values = np.take_along_axis(keyed, order, axis=1)
    running = np.cumsum(np.take_along_axis(np.where(positive, weight_grid, 0.0), order, axis=1), 1)
    half = running[:, -1:] / 2
    chosen = np.argmax(running >= half, axis=1)
    result = np.take_along_axis(ordered_values, chosen[:, None], axis=1)[:, 0]
    near = (np.abs(running - half) <= 1e-9 * half).any(axis=1)
    for row in np.flatnonzero(near).tolist():
        keep = positive[row]
        result[row] = median(grid[row][keep].tolist(), weight_grid[row][keep].tolist())
    return result


def _bars_array(rubric: Any, values: Any, weights: Any) -> Any:
    base_array = getattr(rubric.base, "array", None)
    if base_array is None:
        raise InvalidArgument(f"{rubric!r}: the base {rubric.base!r} has no array form")
    grid, weight_grid, positive = _array_inputs(values, weights)
    result = np.asarray(base_array(grid, weight_grid), dtype=np.float64)
    for threshold, cap in rubric.rules:
        reached = (positive & (grid <= threshold)).any(axis=1)
        result = np.where(reached, np.minimum(result, cap), result)
    return _array_clamp(result, grid, positive)


@attrs.frozen(repr=False)
class _Copeland:
    compensatory: bool = attrs.field(default=False, init=False)
    cross_unit: bool = attrs.field(default=True, init=False)

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float:
        raise InvalidArgument(
            "copeland() ranks units against each other, so one unit's children alone have no "
            "Copeland score; aggregate every unit at once with copeland().array(values, weights)"
        )

    def array(self, values: Any, weights: Any, /) -> list[float]:
        """The Copeland score of each row (unit) against every other row.

        ``values`` and ``weights`` are units x children; a weight of 0 leaves
        that child out for that unit (the engine's convention for a missing
        child). ``weights`` may also be one row shared by every unit.
        """
        rows = [[float(value) for value in row] for row in _rows(values, "values")]
        listed = weights.tolist() if hasattr(weights, "tolist") else weights
        if isinstance(listed, Sequence) and all(isinstance(w, int | float) for w in listed):
            listed = [listed]  # one row of weights shared by every unit
        weight_rows = _rows(listed, "weights")
        if len(weight_rows) == 1 and len(rows) != 1:
            weight_rows = weight_rows * len(rows)
        if len(weight_rows) != len(rows) or any(
            len(w) != len(v) for w, v in zip(weight_rows, rows, strict=True)
        ):
            raise InvalidArgument(
                f"{self!r}: values and weights must both be units x children, got "
                f"{len(rows)} rows of values and {len(weight_rows)} rows of weights"
            )
        for row, weight_row in zip(rows, weight_rows, strict=True):
            _pairs(row, weight_row)  # finite values, weights >= 0, one positive per unit
        width = len(rows[0]) if rows else 0
        # One weight per child (rows differ only by the zeros of missing children), read as
        # exact decimals so a pair splitting its weight evenly is an exact tie.
        shared = [max(float(row[child]) for row in weight_rows) for child in range(width)]
        scaled = integer_weights(shared)
        present = [[float(w) > 0 for w in row] for row in weight_rows]
        fast = _copeland_arrays(rows, present, scaled)
        return fast if fast is not None else _copeland_pairs(rows, present, scaled)

    def __repr__(self) -> str:
        return "copeland()"


def _copeland_pairs(
    rows: list[list[float]], present: list[list[bool]], scaled: list[int]
) -> list[float]:
    """Copeland scores pair by pair, in exact integer arithmetic: the reference."""
    width = len(scaled)
    scores = [0] * len(rows)
    for first in range(len(rows)):
        for second in range(first + 1, len(rows)):
            margin = 0
            for child in range(width):
                if not (present[first][child] and present[second][child]):
                    continue
                a, b = rows[first][child], rows[second][child]
                if a > b:
                    margin += scaled[child]
                elif a < b:
                    margin -= scaled[child]
            if margin:
                sign = 1 if margin > 0 else -1
                scores[first] += sign
                scores[second] -= sign
    return [float(score) for score in scores]


def _copeland_arrays(
    rows: list[list[float]], present: list[list[bool]], scaled: list[int]
) -> list[float] | None:
    """Copeland scores with numpy, unit against all units at once; ``None`` without numpy,
    or when the integer weights are too large for float64 sums to stay exact."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is installed wherever the array core runs
        return None
    if not rows or sum(scaled) >= 2**52:
        return None
    grid = np.asarray(rows, dtype=np.float64)
    mask = np.asarray(present, dtype=bool)
    child_weights = np.asarray(scaled, dtype=np.float64)
    scores = np.zeros(len(rows))
    for unit in range(len(rows)):
        # +1 where this unit scores higher, -1 lower, 0 on ties or where either lacks the child;
        # the weighted sums are sums of integers below 2**52, so they are exact.
        sides = np.where(mask[unit] & mask, np.sign(grid[unit] - grid), 0.0)
        scores[unit] = np.sign(sides @ child_weights).sum()
    return [float(score) for score in scores]


def _rows(table: Any, name: str) -> list[list[float]]:
    listed = table.tolist() if hasattr(table, "tolist") else table
    if not isinstance(listed, Sequence) or not all(isinstance(row, Sequence) for row in listed):
        raise InvalidArgument(f"copeland(): {name} must be rows (units) of children, got {table!r}")
    return [list(row) for row in listed]


def copeland() -> _Copeland:
    """Copeland's pairwise method: a unit's wins minus its losses against every other unit.

    For two units, a child *outranks* for the unit scoring higher on it; the
    unit carrying more than half of the weight of the children both have
    wins the pair (a child on which they score equal counts half for each,
    so only the children where they differ decide). A unit's score is the
    number of pairs it wins minus those it loses, between ``-(n - 1)`` and
    ``n - 1`` for ``n`` units; the scores add up to 0. This is COINr's
    ``a_copeland`` (Becker et al., *COINr*, JRC), except that a child
    missing for either unit of a pair is left out of that pair rather than
    counted for the second unit.

    The result depends on every unit, so Copeland is a *cross-unit*
    aggregator: it has no value for one unit alone (calling it on one
    unit's children raises :class:`~policyeval.exceptions.InvalidArgument`),
    and works through its ``array`` form, which the engine uses to combine
    every unit at once. Its scores count pairwise wins, not the children's
    scale: use it where a ranking is wanted (the index of many units), not
    where a level is read back. Only the order of each child's values
    matters, so it needs no normalisation and no child compensates another.

    >>> rank = copeland()
    >>> rank.array([[3, 3], [2, 2], [1, 3]], [[1, 1]] * 3)
    [2.0, -1.0, -1.0]
    >>> rank.array([[3, 3], [2, 2], [1, 3]], [[1, 3]] * 3)  # the second child decides B against C
    [2.0, -2.0, 0.0]
    """
    return _Copeland()


def weighted_median() -> _Median:
    """The weighted lower median, under the name COINr gives it (``a_wmedian``).

    The same aggregator as :func:`median`, which is weighted.

    >>> weighted_median()([4, 2, 1], [0.3, 0.1, 0.2])
    2.0
    """
    return _Median()


Condition = float | tuple[float, float] | None


@attrs.frozen(repr=False)
class _DecisionTable:
    rules: tuple[tuple[tuple[Condition, ...], float], ...]
    default: float | None
    text: str

    @property
    def compensatory(self) -> bool:
        """A decision table says exactly what each combination is worth."""
        return False

    @property
    def reads_child_scales(self) -> bool:
        """A table reads each child's score on the child's own scale, so none needs rescaling."""
        return True

    def __call__(self, values: Sequence[float], weights: Sequence[float], /) -> float:
        _pairs(values, weights)
        for conditions, result in self.rules:
            if len(conditions) != len(values):
                raise InvalidArgument(
                    f"{self!r} has rules for {len(conditions)} children, got {len(values)} values"
                )
            if all(_matches(c, v) for c, v in zip(conditions, values, strict=True)):
                return result
        if self.default is None:
            raise InvalidArgument(
                f"{self!r}: no rule matches values={list(values)!r} and there is no default"
            )
        return self.default

    def partial(self, values: Sequence[float | None], weights: Sequence[float], /) -> list[float]:
        """Every result the table can reach when the ``None`` children may take any value.

        DEXi's convention for an unknown input: the result is the set of
        outputs of the rules that match the known children (plus the default
        when some combination of unknown values matches no rule), sorted.
        """
        if len(values) != len(weights):
            raise InvalidArgument(
                f"values and weights differ in length: {len(values)} != {len(weights)}"
            )
        reached: set[float] = set()
        for conditions, result in self.rules:
            if len(conditions) != len(values):
                raise InvalidArgument(
                    f"{self!r} has rules for {len(conditions)} children, got {len(values)} values"
                )
            if all(v is None or _matches(c, v) for c, v in zip(conditions, values, strict=True)):
                reached.add(result)
                if all(c is None for c, v in zip(conditions, values, strict=True) if v is None):
                    # This rule catches every value of the unknown children: later rules and
                    # the default are never reached.
                    return sorted(reached)
        if self.default is not None:
            reached.add(self.default)
        return sorted(reached)

    def __repr__(self) -> str:
        return self.text


def _pair(rule: Any) -> tuple[Any, Any]:
    if isinstance(rule, Mapping):
        return rule["when"], rule["then"]
    return rule[0], rule[1]


def _matches(condition: Condition, value: float) -> bool:
    if condition is None:
        return True
    if isinstance(condition, tuple):
        return condition[0] <= value <= condition[1]
    return math.isclose(value, condition, rel_tol=1e-12, abs_tol=1e-12)


def decision_table(
    rules: Sequence[Any],
    *,
    default: float | str | None = None,
    levels: Mapping[str, float] | None = None,
) -> _DecisionTable:
    """A DEX-style table from the children's scores to the parent's score.

    ``rules`` is a sequence of ``(conditions, result)`` pairs or
    ``{"when": conditions, "then": result}`` mappings (the form framework
    files use): ``conditions`` has
    one entry per child, in the node's child order, each a score, a
    ``[low, high]`` interval, or ``"*"`` (anything); the first matching rule
    wins; with no match the result is ``default`` (an error when there is
    none). With ``levels`` (level id -> score), conditions and results may be
    level ids. Children are positional, so the table is not symmetric.

    >>> table = decision_table(
    ...     [(["baik", "baik"], "baik"), (["baik", "*"], "cukup_baik")],
    ...     default="kurang_baik",
    ...     levels={"baik": 4, "cukup_baik": 3, "kurang_baik": 2},
    ... )
    >>> table([4, 4], [1, 1]), table([4, 2], [1, 1]), table([2, 4], [1, 1])
    (4.0, 3.0, 2.0)
    """
    if levels is not None and not isinstance(levels, Mapping):
        raise InvalidArgument(
            f"decision_table: levels must map level ids to scores, got levels={levels!r}"
        )
    scores = dict(levels or {})
    for level_id, level_score in scores.items():
        if not (
            isinstance(level_id, str)
            and isinstance(level_score, int | float)
            and not isinstance(level_score, bool)
            and math.isfinite(level_score)
        ):
            raise InvalidArgument(
                f"decision_table: levels must map level ids to finite scores, "
                f"got levels[{level_id!r}]={level_score!r}"
            )

    def score(value: Any, where: str) -> float:
        if isinstance(value, str):
            if value not in scores:
                raise InvalidArgument(
                    f"decision_table: {where}: unknown level {value!r} (levels: {sorted(scores)!r})"
                )
            return float(scores[value])
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise InvalidArgument(
            f"decision_table: {where}: expected a score or level id, got {value!r}"
        )

    if isinstance(rules, str | Mapping) or not isinstance(rules, Sequence):
        raise InvalidArgument(f"decision_table: rules must be a list of rules, got rules={rules!r}")
    parsed = []
    for index, given in enumerate(rules):
        rule: Any = given
        if isinstance(given, Mapping) and set(given) == {"when", "then"}:
            rule = (given["when"], given["then"])
        if not (
            isinstance(rule, Sequence)
            and len(rule) == 2
            and isinstance(rule[0], Sequence)
            and not isinstance(rule[0], str)
        ):
            raise InvalidArgument(
                f"decision_table: rules[{index}] must be (conditions, result) or "
                f"{{'when': conditions, 'then': result}}, got {rule!r}"
            )
        conditions: list[Condition] = []
        for position, condition in enumerate(rule[0]):
            where = f"rules[{index}][0][{position}]"
            if condition == "*":
                conditions.append(None)
            elif isinstance(condition, Sequence) and not isinstance(condition, str):
                if len(condition) != 2:
                    raise InvalidArgument(
                        f"decision_table: {where}: an interval is [low, high], got {condition!r}"
                    )
                low, high = score(condition[0], where), score(condition[1], where)
                if high < low:
                    raise InvalidArgument(
                        f"decision_table: {where}: an interval needs low <= high, got {condition!r}"
                    )
                conditions.append((low, high))
            else:
                conditions.append(score(condition, where))
        parsed.append((tuple(conditions), score(rule[1], f"rules[{index}][1]")))
    if not parsed:
        raise InvalidArgument("decision_table: give at least one rule")
    if len({len(conditions) for conditions, _ in parsed}) != 1:
        raise InvalidArgument("decision_table: every rule needs the same number of conditions")
    fallback = None if default is None else score(default, "default")
    shown = [{"when": list(c), "then": r} for c, r in (_pair(rule) for rule in rules)]
    text = f"decision_table(rules={shown!r}, default={default!r}"
    # Level ids in the rules only mean something with the levels they name.
    text += f", levels={scores!r})" if scores else ")"
    return _DecisionTable(tuple(parsed), fallback, text)
