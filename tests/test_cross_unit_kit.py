"""The cross-unit kit catches a broken aggregator for each of its laws."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from policyeval.exceptions import InvalidArgument
from policyeval.testing import CROSS_UNIT_LAWS, cross_unit_aggregator_checks

EXAMPLES = 30


class _Ranker:
    """Ranks units by their weighted total: a correct cross-unit aggregator to break."""

    cross_unit = True

    def totals(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        return [
            sum(v * w for v, w in zip(row, ws, strict=True)) / sum(w for w in ws)
            for row, ws in zip(values, weights, strict=True)
        ]

    def array(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        totals = self.totals(values, weights)
        return [float(sum(other < total for other in totals)) for total in totals]


class _Short(_Ranker):
    def array(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        return super().array(values, weights)[:-1]


class _ByPosition(_Ranker):
    def array(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        return [float(index) for index in range(len(values))]


class _FirstChild(_Ranker):
    def array(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        return [row[0] for row in values]


class _RawWeights(_Ranker):
    def array(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        return [
            sum(v * w for v, w in zip(row, ws, strict=True))
            for row, ws in zip(values, weights, strict=True)
        ]


class _CountsChildren(_Ranker):
    def array(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        return [float(sum(row)) / len(row) for row in values]


class _Reversed(_Ranker):
    def array(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        return [-score for score in super().array(values, weights)]


class _Sorting(_Ranker):
    def array(self, values: Sequence[Sequence[float]], weights: Any) -> list[float]:
        for row in values:
            row.sort()  # type: ignore[attr-defined]
        return super().array(values, weights)


BROKEN = {
    "one_score_per_unit": _Short(),
    "units_permute": _ByPosition(),
    "children_permute": _FirstChild(),
    "weights_rescale": _RawWeights(),
    "zero_weight_child": _CountsChildren(),
    "dominance": _Reversed(),
    "repeatable": _Sorting(),
}


def test_every_law_has_a_broken_example() -> None:
    """The table below covers every law."""
    assert set(BROKEN) == set(CROSS_UNIT_LAWS)


@pytest.mark.parametrize("law", CROSS_UNIT_LAWS)
def test_the_kit_catches_each_broken_law(law: str) -> None:
    """Each broken aggregator fails the law it breaks, with the law named."""
    checks = dict(cross_unit_aggregator_checks(BROKEN[law], max_examples=EXAMPLES))
    with pytest.raises(AssertionError, match=f"breaks law {law!r}"):
        checks[law]()


def test_a_correct_ranker_passes() -> None:
    """The unbroken ranker keeps every law."""
    for _, check in cross_unit_aggregator_checks(_Ranker(), max_examples=EXAMPLES):
        check()


def test_an_aggregator_without_an_array_form_is_refused() -> None:
    """The kit needs an array(values, weights) method."""
    with pytest.raises(InvalidArgument, match="array"):
        cross_unit_aggregator_checks(lambda values, weights: 0.0)
