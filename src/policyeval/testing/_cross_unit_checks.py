"""Law checks for cross-unit aggregators, which score every unit against the others.

A cross-unit aggregator (Copeland's method, say) has no value for one unit
alone: its ``array(values, weights)`` takes a units x children table of
values and one of weights (a weight of 0 leaves a child out for that unit)
and returns one number per unit. The per-unit laws of
:func:`~policyeval.testing.check_aggregator` do not apply;
:func:`check_cross_unit_aggregator` checks these instead, on small tables
with many ties.

>>> class TotalRank:
...     cross_unit = True
...     def array(self, values, weights):
...         totals = [sum(v * w for v, w in zip(row, ws)) for row, ws in zip(values, weights)]
...         return [float(sum(other < total for other in totals)) for total in totals]
>>> check_cross_unit_aggregator(TotalRank(), max_examples=20)
>>> class FirstRowWins:
...     cross_unit = True
...     def array(self, values, weights):
...         return [1.0] + [0.0] * (len(values) - 1)
>>> check_cross_unit_aggregator(FirstRowWins(), max_examples=20)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
AssertionError: ...breaks ...'units_permute'...
"""

from __future__ import annotations

import math
import numbers
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument
from policyeval.testing.checks import (
    _check_options,
    _checks,
    _close,
    _describe,
    _Falsified,
    _run_all,
    _run_examples,
)
from policyeval.testing.strategies import decimal_weights, weights

__all__ = ["CROSS_UNIT_LAWS", "check_cross_unit_aggregator", "cross_unit_aggregator_checks"]

CROSS_UNIT_LAWS: tuple[str, ...] = (
    "one_score_per_unit",
    "units_permute",
    "children_permute",
    "weights_rescale",
    "zero_weight_child",
    "dominance",
    "repeatable",
)
"""The names of the laws every cross-unit aggregator obeys, in the order they are checked."""

Table = tuple[list[list[float]], list[float]]


@st.composite
def _tables(draw: st.DrawFn, sizes: tuple[int, int], decimal: bool) -> Table:
    units = draw(st.integers(*sizes))
    children = draw(st.integers(1, 4))
    # Few distinct values, so ties between units come up often.
    value = st.integers(0, 4).map(float)
    rows = draw(
        st.lists(
            st.lists(value, min_size=children, max_size=children), min_size=units, max_size=units
        )
    )
    return rows, draw((decimal_weights if decimal else weights)(children))


def _show(rows: Sequence[Sequence[float]], child_weights: Sequence[float]) -> str:
    return f"values={[list(row) for row in rows]!r}, weights={list(child_weights)!r}"


def _scores(
    f: Any, rows: Sequence[Sequence[float]], child_weights: Sequence[float], *, copy: bool = True
) -> list[float]:
    grid = [list(row) for row in rows] if copy else rows
    weight_grid = [list(child_weights) for _ in rows]
    try:
        result = f.array(grid, weight_grid)
    except Exception as error:
        raise _Falsified(f"{_show(rows, child_weights)} raised {error!r}") from error
    listed = result.tolist() if hasattr(result, "tolist") else result
    if not isinstance(listed, Sequence) or len(listed) != len(rows):
        raise _Falsified(
            f"{_show(rows, child_weights)} returned {result!r}, not one score per unit"
        )
    for score in listed:
        if isinstance(score, bool) or not (
            isinstance(score, numbers.Real) and math.isfinite(score)
        ):
            raise _Falsified(f"{_show(rows, child_weights)} returned {result!r}: {score!r}")
    return [float(score) for score in listed]


def _same(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))


@attrs.frozen
class _CrossUnitLaws:
    f: Any
    sizes: tuple[int, int]
    decimal: bool
    max_examples: int

    def tables(self) -> st.SearchStrategy[Table]:
        return _tables(self.sizes, self.decimal)

    def one_score_per_unit(self) -> None:
        def body(table: Table) -> None:
            _scores(self.f, *table)

        _run_examples(self.tables(), body, self.max_examples)

    def units_permute(self) -> None:
        examples = st.tuples(self.tables(), st.randoms(use_true_random=False))

        def body(example: tuple[Table, Any]) -> None:
            (rows, child_weights), random = example
            order = list(range(len(rows)))
            random.shuffle(order)
            before = _scores(self.f, rows, child_weights)
            after = _scores(self.f, [rows[index] for index in order], child_weights)
            if not _same(after, [before[index] for index in order]):
                raise _Falsified(
                    f"{_show(rows, child_weights)} -> {before!r}, but with the units in order "
                    f"{order!r} -> {after!r}"
                )

        _run_examples(examples, body, self.max_examples)

    def children_permute(self) -> None:
        examples = st.tuples(self.tables(), st.randoms(use_true_random=False))

        def body(example: tuple[Table, Any]) -> None:
            (rows, child_weights), random = example
            order = list(range(len(child_weights)))
            random.shuffle(order)
            moved_rows = [[row[index] for index in order] for row in rows]
            moved_weights = [child_weights[index] for index in order]
            before = _scores(self.f, rows, child_weights)
            after = _scores(self.f, moved_rows, moved_weights)
            if not _same(before, after):
                raise _Falsified(
                    f"{_show(rows, child_weights)} -> {before!r}, but with the children in "
                    f"order {order!r} -> {after!r}"
                )

        _run_examples(examples, body, self.max_examples)

    def weights_rescale(self) -> None:
        examples = st.tuples(self.tables(), st.sampled_from((0.5, 2.0, 8.0)))

        def body(example: tuple[Table, float]) -> None:
            (rows, child_weights), factor = example
            scaled = [weight * factor for weight in child_weights]
            before = _scores(self.f, rows, child_weights)
            after = _scores(self.f, rows, scaled)
            if not _same(before, after):
                raise _Falsified(
                    f"{_show(rows, child_weights)} -> {before!r}, but with the weights "
                    f"multiplied by {factor!r} -> {after!r}"
                )

        _run_examples(examples, body, self.max_examples)

    def zero_weight_child(self) -> None:
        examples = st.tuples(self.tables(), st.integers(0, 4).map(float))

        def body(example: tuple[Table, float]) -> None:
            (rows, child_weights), seed = example
            # The extra child's values disagree with everything: it must not count.
            more_rows = [[*row, (seed + index) % 5] for index, row in enumerate(rows)]
            before = _scores(self.f, rows, child_weights)
            after = _scores(self.f, more_rows, [*child_weights, 0.0])
            if not _same(before, after):
                raise _Falsified(
                    f"{_show(rows, child_weights)} -> {before!r}, but with a zero-weight child "
                    f"{_show(more_rows, [*child_weights, 0.0])} -> {after!r}"
                )

        _run_examples(examples, body, self.max_examples)

    def dominance(self) -> None:
        def body(table: Table) -> None:
            rows, child_weights = table
            if len(rows) < 2:
                return
            # The last unit matches the first everywhere and beats it on the heaviest child.
            heaviest = max(range(len(child_weights)), key=lambda index: child_weights[index])
            better = list(rows[0])
            better[heaviest] += 1
            more = [*rows, better]
            scores = _scores(self.f, more, child_weights)
            if scores[-1] < scores[0] and not _close(scores[-1], scores[0]):
                raise _Falsified(
                    f"{_show(more, child_weights)} -> {scores!r}: the last unit is as good as "
                    f"the first on every child and better on child {heaviest}, yet scores lower"
                )

        _run_examples(self.tables(), body, self.max_examples)

    def repeatable(self) -> None:
        def body(table: Table) -> None:
            rows, child_weights = table
            given = [list(row) for row in rows]
            first = _scores(self.f, given, child_weights, copy=False)
            if given != rows:
                raise _Falsified(f"{_show(rows, child_weights)} changed its values to {given!r}")
            second = _scores(self.f, rows, child_weights)
            if first != second:
                raise _Falsified(
                    f"{_show(rows, child_weights)} -> {first!r} the first time, {second!r} the "
                    f"second"
                )

        _run_examples(self.tables(), body, self.max_examples)


def cross_unit_aggregator_checks(
    f: Any,
    *,
    sizes: tuple[int, int] = (1, 6),
    decimal: bool = False,
    skip: Mapping[str, str] = types.MappingProxyType({}),
    max_examples: int = 100,
) -> list[tuple[str, Callable[[], None]]]:
    """List ``(law, check)`` for each law in :data:`CROSS_UNIT_LAWS`, ``check()`` testing ``f``.

    The options are those of :func:`check_cross_unit_aggregator`.

    >>> from policyeval.aggregation import copeland
    >>> [law for law, _ in cross_unit_aggregator_checks(copeland())][:2]
    ['one_score_per_unit', 'units_permute']
    """
    if not callable(getattr(f, "array", None)):
        raise InvalidArgument(
            f"a cross-unit aggregator has an array(values, weights) method, got f={f!r}"
        )
    skip = _check_options(skip, CROSS_UNIT_LAWS, max_examples)
    try:
        low, high = (int(size) for size in sizes)
    except (TypeError, ValueError):
        raise InvalidArgument(f"sizes must be a pair (min, max), got sizes={sizes!r}") from None
    if not 1 <= low <= high:
        raise InvalidArgument(f"sizes must satisfy 1 <= min <= max, got sizes={sizes!r}")
    laws = _CrossUnitLaws(f, (low, high), bool(decimal), max_examples)
    return _checks(_describe(f), laws, CROSS_UNIT_LAWS, skip)


def check_cross_unit_aggregator(
    f: Any,
    *,
    sizes: tuple[int, int] = (1, 6),
    decimal: bool = False,
    skip: Mapping[str, str] = types.MappingProxyType({}),
    max_examples: int = 100,
) -> None:
    """Check that the cross-unit aggregator ``f`` obeys every law in :data:`CROSS_UNIT_LAWS`.

    Tables have between ``sizes[0]`` and ``sizes[1]`` units and one to four
    children with values 0 to 4; weights come from
    :func:`~policyeval.testing.strategies.weights`, or
    :func:`~policyeval.testing.strategies.decimal_weights` when ``decimal``
    is true. ``skip`` maps a law to the reason it does not apply. Raises
    :class:`AssertionError` naming every broken law with its smallest
    falsifying example.

    >>> from policyeval.aggregation import copeland
    >>> check_cross_unit_aggregator(copeland(), decimal=True, max_examples=20)
    """
    checks = cross_unit_aggregator_checks(
        f, sizes=sizes, decimal=decimal, skip=skip, max_examples=max_examples
    )
    _run_all(_describe(f), checks, skip)
