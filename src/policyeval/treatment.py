"""Outlier treatment: tame skewed indicators before they are normalised.

A treatment is a callable ``f(values) -> Treated`` over one indicator (a
1-D float array over units, ``nan`` for missing). It returns the treated
values and a record of every step: the skewness and kurtosis it checked, the
points it winsorised, the transformation it applied.

:func:`coinr_default` is COINr's default (``Treat()`` in v1.1.14): a column
passes when ``|skewness| < 2`` or ``kurtosis < 3.5``; otherwise it is
winsorised one extreme at a time, on the side the skewness points to, until
it passes or 5 points are winsorised; if it still fails, the *original*
column is log-transformed instead (``log(x - min + 0.01 (max - min))``).

>>> import numpy as np
>>> values = np.array([1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 60.0])
>>> treated = coinr_default()(values)
>>> treated.values
array([1., 2., 2., 3., 3., 3., 4., 4., 5., 5.])
>>> for step in treated.record:
...     print(step)
check: fails (skewness 3.138, kurtosis 9.888)
winsorise: passes (skewness -0.08764, kurtosis -0.7513); high points [9] set to 5
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.exceptions import InvalidArgument

__all__ = [
    "TREATMENTS",
    "Treated",
    "TreatmentStep",
    "coinr_default",
    "kurtosis",
    "log_transform",
    "no_treatment",
    "skewness",
    "winsorise",
]

FloatArray = npt.NDArray[np.float64]
Treatment = Callable[[FloatArray], "Treated"]


def skewness(values: npt.ArrayLike) -> float | None:
    """The sample-adjusted skewness of the present values, as COINr (and e1071's type 2).

    With ``d = x - mean(x)`` over the n present values:
    ``sqrt(n) * sum(d**3) / sum(d**2)**1.5 * sqrt(n (n - 1)) / (n - 2)``.
    ``None`` when it is undefined: fewer than 3 values, or all equal.

    >>> round(skewness([1.0, 2.0, 6.0]), 6)
    1.457863
    """
    x = _present(values)
    return _skewness(x.size, *_sums(x)[:2])


def kurtosis(values: npt.ArrayLike) -> float | None:
    """The sample-adjusted excess kurtosis of the present values, as COINr (e1071's type 2).

    With ``r = n * sum(d**4) / sum(d**2)**2``:
    ``((n + 1) (r - 3) + 6) (n - 1) / ((n - 2) (n - 3))``. ``None`` when it is
    undefined: fewer than 4 values, or all equal.

    >>> round(kurtosis([1.0, 2.0, 3.0, 10.0]), 6)
    3.228
    """
    x = _present(values)
    spread, _, fourth = _sums(x)
    return _kurtosis(x.size, spread, fourth)


def _sums(x: FloatArray) -> tuple[float, float, float]:
    """``sum(d**2)``, ``sum(d**3)`` and ``sum(d**4)`` with ``d = x - mean(x)`` (0 when empty)."""
    if x.size == 0:
        return 0.0, 0.0, 0.0
    d = x - x.mean()
    return float(np.sum(d**2)), float(np.sum(d**3)), float(np.sum(d**4))


def _column_sums(block: FloatArray) -> tuple[list[float], list[float], list[float]]:
    """:func:`_sums` of every column of a units x indicators block without missing values.

    The columns are laid out as contiguous rows first, so each reduction runs
    over the same memory in the same order as :func:`_sums` over one column:
    the statistics agree bit for bit with the column-by-column ones.
    """
    return _row_sums(np.ascontiguousarray(block.T))


def _row_sums(rows: FloatArray) -> tuple[list[float], list[float], list[float]]:
    """:func:`_sums` of every row of a C-contiguous array, each bit for bit as for one column."""
    d = rows - rows.mean(axis=1)[:, None]
    return (
        np.sum(d**2, axis=1).tolist(),
        np.sum(d**3, axis=1).tolist(),
        np.sum(d**4, axis=1).tolist(),
    )


def _skewness(n: int, spread: float, third: float) -> float | None:
    if n < 3 or spread == 0:
        return None
    raw = math.sqrt(n) * third / math.pow(spread, 1.5)
    return raw * math.sqrt(n * (n - 1)) / (n - 2)


def _kurtosis(n: int, spread: float, fourth: float) -> float | None:
    if n < 4 or spread == 0:
        return None
    r = n * fourth / spread**2
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def _present(values: npt.ArrayLike) -> FloatArray:
    x = np.asarray(values, dtype=np.float64)
    return x[~np.isnan(x)]


def _column(values: npt.ArrayLike) -> FloatArray:
    try:
        x = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(f"values must be numbers, got values={values!r}") from None
    if x.ndim != 1:
        raise InvalidArgument(f"values must be a 1-D array over units, got shape={x.shape!r}")
    if np.isinf(x).any():
        raise InvalidArgument("values must be finite numbers or nan (missing)")
    return x


@attrs.frozen
class TreatmentStep:
    """One step of a treatment and the column's state after it.

    ``action`` is ``"check"``, ``"winsorise"``, ``"log_transform"``,
    ``"none"`` or ``"untreated"`` (the treatment gave up and returned the
    column as it came, saying why in ``detail``). ``points`` are the indices
    of the values the step changed; ``skewness``, ``kurtosis`` and ``passes``
    describe the column after the step (``None`` when undefined or not checked).
    """

    action: str
    points: tuple[int, ...] = ()
    skewness: float | None = None
    kurtosis: float | None = None
    passes: bool | None = None
    detail: str = ""

    def __str__(self) -> str:
        parts = [self.action]
        if self.passes is not None or self.skewness is not None:
            verdict = {True: "passes", False: "fails", None: "undecided"}[self.passes]
            parts.append(f"{verdict} (skewness {_g(self.skewness)}, kurtosis {_g(self.kurtosis)})")
        text = ": ".join(parts)
        return f"{text}; {self.detail}" if self.detail else text


def _g(number: float | None) -> str:
    return "undefined" if number is None else f"{number:.4g}"


@attrs.frozen(eq=False)
class Treated:
    """The result of a treatment: the treated values (a new, read-only array) and its steps."""

    values: FloatArray
    record: tuple[TreatmentStep, ...]


def _treated(values: FloatArray, steps: list[TreatmentStep]) -> Treated:
    values.flags.writeable = False
    return Treated(values, tuple(steps))


@attrs.frozen
class _Check:
    skew_threshold: float
    kurtosis_threshold: float

    def __call__(
        self, x: FloatArray, action: str, points: tuple[int, ...] = (), detail: str = ""
    ) -> TreatmentStep:
        present = _present(x)
        spread, third, fourth = _sums(present)
        return self.step(
            _skewness(present.size, spread, third),
            _kurtosis(present.size, spread, fourth),
            action,
            points,
            detail,
        )

    def step(
        self,
        skew: float | None,
        kurt: float | None,
        action: str,
        points: tuple[int, ...] = (),
        detail: str = "",
    ) -> TreatmentStep:
        """The step judging a column with these statistics."""
        # COINr's test is (|skew| < t1) | (kurt < t2) in R, where NA | TRUE is TRUE.
        passes: bool | None
        if (skew is not None and abs(skew) < self.skew_threshold) or (
            kurt is not None and kurt < self.kurtosis_threshold
        ):
            passes = True
        elif skew is None or kurt is None:
            passes = None
        else:
            passes = False
        return TreatmentStep(action, points, skew, kurt, passes, detail)


def _winsorise(
    x: FloatArray, check: _Check, winmax: int, first: TreatmentStep
) -> tuple[FloatArray, TreatmentStep]:
    """COINr's ``winsorise()``: one extreme at a time until the column passes or winmax is reached."""
    x = x.copy()
    high: np.ndarray = np.array([], dtype=int)
    low: np.ndarray = np.array([], dtype=int)
    state = first
    count = 0
    present = ~np.isnan(x)
    complete = bool(present.all())
    while state.passes is False and count < winmax:
        skew = state.skewness  # of x as it is now: the check below keeps it current
        if complete:
            # The common case, without the nan-aware reductions: the same values, sooner.
            if skew is not None and skew >= 0:
                at = x == x.max()
                high = np.flatnonzero(at)
                x[at] = x[~at].max()
            else:
                at = x == x.min()
                low = np.flatnonzero(at)
                x[at] = x[~at].min()
        elif skew is not None and skew >= 0:
            top = np.nanmax(x)
            high = np.flatnonzero(present & (x == top))
            others = np.delete(x, high)
            x[high] = np.nanmax(others)
        else:
            bottom = np.nanmin(x)
            low = np.flatnonzero(present & (x == bottom))
            others = np.delete(x, low)
            x[low] = np.nanmin(others)
        # COINr counts the points now sitting at each winsorised extreme, ties included.
        count = high.size + low.size
        if complete:
            spread, third, fourth = _sums(x)
            state = check.step(
                _skewness(x.size, spread, third), _kurtosis(x.size, spread, fourth), "winsorise"
            )
        else:
            state = check(x, "winsorise")
    points = tuple(sorted(int(i) for i in (*high, *low)))
    details = []
    if high.size:
        details.append(f"high points {[int(i) for i in high]} set to {float(x[high[0]]):.6g}")
    if low.size:
        details.append(f"low points {[int(i) for i in low]} set to {float(x[low[0]]):.6g}")
    return x, attrs.evolve(state, points=points, detail="; ".join(details))


def _winsorise_columns(
    block: FloatArray,
    check: _Check,
    winmax: int,
    columns: list[int],
    firsts: Mapping[int, TreatmentStep],
) -> dict[int, tuple[FloatArray, TreatmentStep]]:
    """:func:`_winsorise` for several complete failing columns at once, step for step.

    Every column still failing takes its next step in the same pass: the
    extremes on the side its skewness points to are set to the next value in,
    and the statistics of every column are computed together (columns laid
    out as contiguous rows, so each matches :func:`_sums` of one column bit
    for bit). Returns each column's values and last step, keyed by column.
    """
    if not columns:
        return {}
    rows = np.ascontiguousarray(block.T)
    count, size = rows.shape
    states = [firsts[j] for j in columns]
    high = np.zeros(rows.shape, dtype=bool)  # the points winsorised last on each side, as COINr
    low = np.zeros(rows.shape, dtype=bool)
    active = np.ones(count, dtype=bool)
    while active.any():
        upward = active & np.array(
            [state.skewness is not None and state.skewness >= 0 for state in states]
        )
        downward = ~upward & active
        at_top = rows == rows.max(axis=1)[:, None]
        at_bottom = rows == rows.min(axis=1)[:, None]
        next_down = np.where(at_top, -np.inf, rows).max(axis=1)
        next_up = np.where(at_bottom, np.inf, rows).min(axis=1)
        moved = (at_top & upward[:, None]) | (at_bottom & downward[:, None])
        replacement = np.where(upward, next_down, next_up)
        if not np.isfinite(replacement[active]).all():
            # A column with one distinct value left: the column-by-column path says what happens.
            return {}
        rows = np.where(moved, replacement[:, None], rows)
        high[upward] = at_top[upward]
        low[downward] = at_bottom[downward]
        still = np.flatnonzero(active).tolist()
        spreads, thirds, fourths = _row_sums(rows[still])  # a copy: each row contiguous again
        for k, spread, third, fourth in zip(still, spreads, thirds, fourths, strict=True):
            states[k] = check.step(
                _skewness(size, spread, third), _kurtosis(size, spread, fourth), "winsorise"
            )
        winsorised = high.sum(axis=1) + low.sum(axis=1)
        active &= np.array([state.passes is False for state in states]) & (winsorised < winmax)
    out = {}
    for k, column in enumerate(columns):
        x = rows[k].copy()
        high_points = np.flatnonzero(high[k])
        low_points = np.flatnonzero(low[k])
        points = tuple(sorted(int(i) for i in (*high_points, *low_points)))
        details = []
        if high_points.size:
            details.append(
                f"high points {[int(i) for i in high_points]} set to {float(x[high_points[0]]):.6g}"
            )
        if low_points.size:
            details.append(
                f"low points {[int(i) for i in low_points]} set to {float(x[low_points[0]]):.6g}"
            )
        out[column] = x, attrs.evolve(states[k], points=points, detail="; ".join(details))
    return out


def _log(x: FloatArray, shift: bool) -> tuple[FloatArray, str]:
    present = x[~np.isnan(x)]
    if shift:
        smallest, largest = float(present.min()), float(present.max())
        offset = 0.01 * (largest - smallest)
        with np.errstate(divide="ignore"):
            logged = np.log(x - smallest + offset)
        if not np.isfinite(logged[~np.isnan(x)]).all():
            raise InvalidArgument(
                f"the log transform overflows: the values' range {largest - smallest!r} is too "
                "small for log(x - min + 0.01 (max - min))"
            )
        return logged, f"log(x - {smallest:.6g} + {offset:.6g})"
    bad = np.flatnonzero(~np.isnan(x) & (x <= 0))
    if bad.size:
        raise InvalidArgument(
            f"log_transform(shift=False) needs positive values; the value at index {int(bad[0])} "
            f"is {float(x[bad[0]])!r}"
        )
    return np.log(x), "log(x)"


def _numbers_enough(x: FloatArray) -> bool:
    present = x[~np.isnan(x)]
    return present.size >= 2 and float(present.min()) < float(present.max())


@attrs.frozen(repr=False)
class _Winsorise:
    """Check, winsorise, and (``then_log``) fall back to the log transform: COINr's ``Treat()``."""

    winmax: int
    skew_threshold: float
    kurtosis_threshold: float
    then_log: bool

    def __call__(self, values: FloatArray, /) -> Treated:
        x = _column(values)
        check = _Check(self.skew_threshold, self.kurtosis_threshold)
        return self._treat(x, check, check(x, "check"))

    def columns(self, values: FloatArray, /) -> tuple[Treated, ...]:
        """Treat every column of a units x indicators array, as calling it on each column would.

        The first check runs for all complete columns at once; only failing
        columns are winsorised one by one. The results, records included, are
        those of the column-by-column calls, bit for bit.
        """
        block = np.array(values, dtype=np.float64)
        if block.ndim != 2:
            raise InvalidArgument(
                f"values must be a 2-D array of units x indicators, got shape={block.shape!r}"
            )
        complete = ~np.isnan(block).any(axis=0)
        if np.isinf(block).any():
            raise InvalidArgument("values must be finite numbers or nan (missing)")
        check = _Check(self.skew_threshold, self.kurtosis_threshold)
        n = block.shape[0]
        firsts: dict[int, TreatmentStep] = {}
        whole = np.flatnonzero(complete).tolist() if n > 0 else []
        if whole:
            spreads, thirds, fourths = _column_sums(block[:, whole])
            for j, spread, third, fourth in zip(whole, spreads, thirds, fourths, strict=True):
                firsts[j] = check.step(
                    _skewness(n, spread, third), _kurtosis(n, spread, fourth), "check"
                )
        failing = [j for j in whole if firsts[j].passes is False] if self.winmax > 0 else []
        winsorised = _winsorise_columns(block[:, failing], check, self.winmax, failing, firsts)
        treated = []
        for j in range(block.shape[1]):
            x = block[:, j].copy()
            first = firsts[j] if j in firsts else check(x, "check")
            treated.append(self._treat(x, check, first, winsorised.get(j)))
        return tuple(treated)

    def _treat(
        self,
        x: FloatArray,
        check: _Check,
        first: TreatmentStep,
        done: tuple[FloatArray, TreatmentStep] | None = None,
    ) -> Treated:
        steps = [first]
        if first.passes is None:
            steps.append(TreatmentStep("untreated", detail="skewness or kurtosis undefined"))
            return _treated(x, steps)
        if first.passes:
            return _treated(x, steps)
        if self.winmax > 0:
            winsorised, step = done or _winsorise(x, check, self.winmax, first)
            if step.passes is None:
                # COINr's winsorise() stops with an error here, and Treat() keeps the column as it was.
                steps.append(
                    attrs.evolve(
                        step, detail=step.detail + "; gave up: skewness or kurtosis undefined"
                    )
                )
                steps.append(
                    TreatmentStep("untreated", detail="winsorising left too few distinct values")
                )
                return _treated(x, steps)
            steps.append(step)
            if step.passes or not self.then_log:
                return _treated(winsorised, steps)
        if not self.then_log:
            return _treated(x, steps)
        # COINr's combine_treat = FALSE: the log transform starts again from the original column.
        # The log is strictly increasing, so the statistics stay defined and the result is kept
        # whether or not it passes, as in COINr.
        logged, formula = _log(x, shift=True)
        steps.append(check(logged, "log_transform", _all(logged), formula))
        return _treated(logged, steps)

    def __repr__(self) -> str:
        name = "coinr_default" if self.then_log else "winsorise"
        return (
            f"{name}(winmax={self.winmax!r}, skew_threshold={self.skew_threshold!r}, "
            f"kurtosis_threshold={self.kurtosis_threshold!r})"
        )


@attrs.frozen(repr=False)
class _LogTransform:
    shift: bool

    def __call__(self, values: FloatArray, /) -> Treated:
        x = _column(values)
        if not _numbers_enough(x):
            return _treated(
                x, [TreatmentStep("untreated", detail="fewer than two different values")]
            )
        logged, formula = _log(x, self.shift)
        check = _Check(2.0, 3.5)
        return _treated(logged, [check(logged, "log_transform", _all(logged), formula)])

    def __repr__(self) -> str:
        return f"log_transform(shift={self.shift!r})"


@attrs.frozen(repr=False)
class _NoTreatment:
    def __call__(self, values: FloatArray, /) -> Treated:
        return _treated(_column(values), [TreatmentStep("none")])

    def __repr__(self) -> str:
        return "no_treatment()"


def _all(x: FloatArray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.flatnonzero(~np.isnan(x)))


def _thresholds(
    winmax: int, skew_threshold: float, kurtosis_threshold: float
) -> tuple[int, float, float]:
    if isinstance(winmax, bool) or not isinstance(winmax, int) or winmax < 0:
        raise InvalidArgument(f"winmax must be an integer >= 0, got winmax={winmax!r}")
    for name, value in (
        ("skew_threshold", skew_threshold),
        ("kurtosis_threshold", kurtosis_threshold),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise InvalidArgument(f"{name} must be a number, got {name}={value!r}")
    if not skew_threshold > 0:
        raise InvalidArgument(f"skew_threshold must be > 0, got skew_threshold={skew_threshold!r}")
    return winmax, float(skew_threshold), float(kurtosis_threshold)


def coinr_default(
    winmax: int = 5, skew_threshold: float = 2.0, kurtosis_threshold: float = 3.5
) -> _Winsorise:
    """COINr's default treatment: check, winsorise up to ``winmax`` points, else log-transform.

    A column passes when ``|skewness| < skew_threshold`` or ``kurtosis <
    kurtosis_threshold`` (:func:`skewness`, :func:`kurtosis`). A failing
    column is winsorised: while it fails and fewer than ``winmax`` points sit
    at the winsorised extremes, the highest values (if skewness >= 0) or the
    lowest (otherwise), ties together, are set to the next value in. If it
    still fails, the original column is log-transformed as
    ``log(x - min + 0.01 (max - min))`` and kept whether or not it then
    passes. A column whose statistics are undefined (fewer than 4 values,
    all equal) is returned untreated, with a record saying so.

    >>> import numpy as np
    >>> coinr_default()(np.array([1.0, 2.0, 3.0, 4.0])).record[0].passes
    True
    >>> coinr_default(winmax=1)
    coinr_default(winmax=1, skew_threshold=2.0, kurtosis_threshold=3.5)
    """
    winmax, skew, kurt = _thresholds(winmax, skew_threshold, kurtosis_threshold)
    return _Winsorise(winmax, skew, kurt, then_log=True)


def winsorise(
    winmax: int = 5, skew_threshold: float = 2.0, kurtosis_threshold: float = 3.5
) -> _Winsorise:
    """COINr's winsorisation alone: as :func:`coinr_default` without the log fallback.

    A column that still fails after ``winmax`` points is returned winsorised.

    >>> import numpy as np
    >>> winsorise(winmax=1)(np.array([1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 60.0])).values[-1]
    np.float64(5.0)
    """
    winmax, skew, kurt = _thresholds(winmax, skew_threshold, kurtosis_threshold)
    return _Winsorise(winmax, skew, kurt, then_log=False)


def log_transform(shift: bool = True) -> _LogTransform:
    """Log-transform every value, without a check first.

    With ``shift`` (COINr's ``log_CT``), ``log(x - min + 0.01 (max - min))``,
    which accepts zero and negative values; without, the plain ``log(x)``,
    which refuses a non-positive value naming its index. The record gives
    the skewness and kurtosis after the transform, judged against COINr's
    default thresholds.

    >>> import numpy as np
    >>> log_transform(shift=False)(np.array([1.0, np.e])).values
    array([0., 1.])
    """
    if not isinstance(shift, bool):
        raise InvalidArgument(f"shift must be true or false, got shift={shift!r}")
    return _LogTransform(shift)


def no_treatment() -> _NoTreatment:
    """Leave the column as it is (recorded as a ``none`` step).

    >>> import numpy as np
    >>> print(no_treatment()(np.array([1.0, 100.0])).record[0])
    none
    """
    return _NoTreatment()


TREATMENTS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "coinr_default": coinr_default,
        "log_transform": log_transform,
        "no_treatment": no_treatment,
        "winsorise": winsorise,
    }
)
"""The built-in treatments by name, for case files and the registry: name -> factory."""
