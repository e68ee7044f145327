"""Law checks for scorers.

:func:`check_scorer` runs every law of the
:class:`~policyeval.protocols.Scorer` contract on generated columns of
values and raises :class:`AssertionError` naming each broken law with its
smallest falsifying example; :func:`scorer_checks` lists one ``(law,
check)`` pair per law for a parametrised test suite. A scorer may refuse a
column by raising :class:`~policyeval.exceptions.InvalidArgument` (a
min-max scorer cannot spread equal values); such examples are skipped, but
a scorer that refuses every example breaks the law being checked.

>>> import numpy as np
>>> from policyeval.testing.strategies import FOUR_LEVEL_SCALE
>>> def doubled(values, scale, *, units):
...     return np.asarray(values) * 2
>>> check_scorer(doubled, scales=[FOUR_LEVEL_SCALE], max_examples=20)
>>> def upside_down(values, scale, *, units):
...     return -np.asarray(values)
>>> check_scorer(upside_down, scales=[FOUR_LEVEL_SCALE], max_examples=20)
Traceback (most recent call last):
...
AssertionError: upside_down breaks law 'monotone': ...
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument
from policyeval.protocols import Scorer
from policyeval.scales import NumericScale, OrdinalScale, Scale
from policyeval.testing.checks import (
    _check_options,
    _checks,
    _describe,
    _Falsified,
    _run_all,
    _run_examples,
)
from policyeval.testing.strategies import FOUR_LEVEL_SCALE, PERCENT_SCALE

__all__ = ["LOWER_IS_BETTER_SCALE", "SCORER_LAWS", "check_scorer", "scorer_checks"]

SCORER_LAWS: tuple[str, ...] = ("monotone", "in_range", "deterministic", "missing_stays_missing")
"""The names of the laws every scorer obeys, in the order they are checked."""

LOWER_IS_BETTER_SCALE = NumericScale(
    id="lower_is_better", minimum=0, maximum=100, unit="%", direction="lower"
)
"""A 0-100 numeric scale without bands on which lower values are better (unemployment)."""

_DEFAULT_SCALES: tuple[Scale, ...] = (FOUR_LEVEL_SCALE, PERCENT_SCALE, LOWER_IS_BETTER_SCALE)
_TOLERANCE = 1e-9

Column = tuple[Scale, tuple[str, ...], tuple[float, ...]]


@st.composite
def _columns(draw: st.DrawFn, scales: tuple[Scale, ...], sizes: tuple[int, int]) -> Column:
    scale = draw(st.sampled_from(scales))
    count = draw(st.integers(min_value=sizes[0], max_value=sizes[1]))
    if isinstance(scale, OrdinalScale):
        present = st.sampled_from(tuple(level.score for level in scale.levels))
    else:
        low = -1000.0 if scale.minimum is None else scale.minimum
        high = 1000.0 if scale.maximum is None else scale.maximum
        # Quarter steps between the bounds: exact arithmetic, and ties happen.
        steps = int((high - low) * 4)
        present = st.integers(min_value=0, max_value=steps).map(lambda k: low + k / 4)
    values = draw(
        st.lists(
            st.one_of(present, present, present, st.just(math.nan)), min_size=count, max_size=count
        )
    )
    units = tuple(f"u{index}" for index in range(count))
    return scale, units, tuple(values)


def _show(column: Column) -> str:
    scale, units, values = column
    return f"scale={scale.id!r} ({scale.kind}), units={list(units)!r}, values={list(values)!r}"


def _apply(scorer: Scorer, column: Column) -> Any:
    """The scores as a float array, or ``None`` when the scorer refused the column."""
    scale, units, values = column
    try:
        result = scorer(np.array(values, dtype=np.float64), scale, units=units)
    except InvalidArgument:
        return None
    except Exception as error:
        raise _Falsified(f"{_show(column)} raised {error!r}") from error
    try:
        scores = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise _Falsified(f"{_show(column)} returned {result!r}, not numbers") from None
    if scores.shape != (len(values),):
        raise _Falsified(f"{_show(column)} returned {result!r}, not one number per unit")
    return scores


@attrs.frozen
class _ScorerLaws:
    scorer: Scorer
    scales: tuple[Scale, ...]
    target: tuple[float, float] | None
    sizes: tuple[int, int]
    max_examples: int

    def _run(self, law: str, body: Callable[[Column, Any], None]) -> None:
        accepted = []

        def run(column: Column) -> None:
            scores = _apply(self.scorer, column)
            if scores is not None:
                accepted.append(True)
                body(column, scores)

        _run_examples(_columns(self.scales, self.sizes), run, self.max_examples)
        if not accepted:
            raise _Falsified(
                f"it refused every example with InvalidArgument, so law {law!r} was never tried"
            )

    def monotone(self) -> None:
        def body(column: Column, scores: Any) -> None:
            scale, units, values = column
            lower = isinstance(scale, NumericScale) and scale.direction == "lower"
            for i, (value_i, score_i) in enumerate(zip(values, scores.tolist(), strict=True)):
                for j, (value_j, score_j) in enumerate(zip(values, scores.tolist(), strict=True)):
                    if math.isnan(value_i) or math.isnan(value_j) or math.isnan(score_i):
                        continue
                    better = value_i < value_j if lower else value_i > value_j
                    if better and not score_i >= score_j - _TOLERANCE:
                        raise _Falsified(
                            f"{_show(column)} -> {scores.tolist()!r}: {units[i]} has the better "
                            f"value {value_i!r} but scores {score_i!r} below {units[j]}'s "
                            f"{score_j!r}"
                        )

        self._run("monotone", body)

    def in_range(self) -> None:
        def body(column: Column, scores: Any) -> None:
            scale = column[0]
            span = self.target
            if span is None and hasattr(self.scorer, "range_for"):
                span = self.scorer.range_for(scale)
            for score in scores.tolist():
                if math.isinf(score):
                    raise _Falsified(f"{_show(column)} -> {scores.tolist()!r}: not finite")
                outside = (
                    not span[0] - _TOLERANCE <= score <= span[1] + _TOLERANCE if span else False
                )
                if outside and not math.isnan(score):
                    assert span is not None
                    raise _Falsified(
                        f"{_show(column)} -> {scores.tolist()!r}: {score!r} is outside "
                        f"[{span[0]!r}, {span[1]!r}]"
                    )

        self._run("in_range", body)

    def deterministic(self) -> None:
        def body(column: Column, scores: Any) -> None:
            scale, units, values = column
            given = np.array(values, dtype=np.float64)
            again = self.scorer(given, scale, units=units)
            if not np.array_equal(given, np.array(values), equal_nan=True):
                raise _Falsified(f"{_show(column)}: the call changed its values to {given!r}")
            if not np.array_equal(np.asarray(again, dtype=np.float64), scores, equal_nan=True):
                raise _Falsified(
                    f"{_show(column)} -> {scores.tolist()!r}, then {np.asarray(again).tolist()!r}"
                )

        self._run("deterministic", body)

    def missing_stays_missing(self) -> None:
        def body(column: Column, scores: Any) -> None:
            values = column[2]
            for value, score in zip(values, scores.tolist(), strict=True):
                if math.isnan(value) != math.isnan(score):
                    raise _Falsified(
                        f"{_show(column)} -> {scores.tolist()!r}: missing values and missing "
                        "scores differ"
                    )

        self._run("missing_stays_missing", body)


def scorer_checks(
    scorer: Scorer,
    *,
    scales: Sequence[Scale] | None = None,
    target: tuple[float, float] | None = None,
    sizes: tuple[int, int] = (1, 8),
    skip: Mapping[str, str] = types.MappingProxyType({}),
    max_examples: int = 100,
) -> list[tuple[str, Callable[[], None]]]:
    """List ``(law, check)`` for each scorer law, ``check()`` testing ``scorer``.

    The options are those of :func:`check_scorer`.

    >>> from policyeval.scorers import levels
    >>> from policyeval.testing.strategies import FOUR_LEVEL_SCALE
    >>> [law for law, _ in scorer_checks(levels(), scales=[FOUR_LEVEL_SCALE])] == list(SCORER_LAWS)
    True
    """
    if not callable(scorer):
        raise InvalidArgument(f"scorer must be callable, got scorer={scorer!r}")
    skip = _check_options(skip, SCORER_LAWS, max_examples)
    chosen = _DEFAULT_SCALES if scales is None else tuple(scales)
    if not chosen or not all(isinstance(s, OrdinalScale | NumericScale) for s in chosen):
        raise InvalidArgument(f"scales must be a non-empty list of scales, got scales={scales!r}")
    if target is not None:
        try:
            low, high = (float(bound) for bound in target)
        except (TypeError, ValueError):
            raise InvalidArgument(f"target must be (low, high), got target={target!r}") from None
        if not low <= high:
            raise InvalidArgument(f"target must have low <= high, got target={target!r}")
        target = (low, high)
    if not (isinstance(sizes, tuple) and len(sizes) == 2 and 1 <= sizes[0] <= sizes[1]):
        raise InvalidArgument(f"sizes must be (min, max) with 1 <= min <= max, got {sizes!r}")
    laws = _ScorerLaws(scorer, chosen, target, sizes, max_examples)
    return _checks(_describe(scorer), laws, SCORER_LAWS, skip)


def check_scorer(
    scorer: Scorer,
    *,
    scales: Sequence[Scale] | None = None,
    target: tuple[float, float] | None = None,
    sizes: tuple[int, int] = (1, 8),
    skip: Mapping[str, str] = types.MappingProxyType({}),
    max_examples: int = 100,
) -> None:
    """Check that ``scorer`` obeys every law in :data:`SCORER_LAWS`.

    Columns of ``sizes[0]`` to ``sizes[1]`` units are drawn on each of
    ``scales`` (by default a four-level ordinal scale, a banded percentage
    and an unbanded lower-is-better percentage), with some values missing.
    ``target`` is the range every score must lie in; by default the one the
    scorer declares with ``range_for(scale)``, if any. ``skip`` maps a law to
    the reason it does not apply.

    >>> from policyeval.scorers import bands
    >>> from policyeval.testing.strategies import PERCENT_SCALE
    >>> check_scorer(bands(), scales=[PERCENT_SCALE], max_examples=20)
    """
    checks = scorer_checks(
        scorer, scales=scales, target=target, sizes=sizes, skip=skip, max_examples=max_examples
    )
    _run_all(_describe(scorer), checks, skip)
