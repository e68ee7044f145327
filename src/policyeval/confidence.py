"""Confidence propagation: how sure a parent's verdict can be, given its children.

A confidence rule is ``rule(confidences, weights) -> Confidence | None``.
Children without a judgement (``None``) and children of zero weight are
ignored; with nothing left the result is ``None``.

>>> from policyeval.protocols import Confidence as C
>>> weakest()([C.HIGH, C.MODERATE, None], [1, 1, 1])
<Confidence.MODERATE: 'moderate'>
>>> weighted_median()([C.HIGH, C.HIGH, C.LOW], [1, 1, 1])
<Confidence.HIGH: 'high'>
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import attrs

from policyeval.exceptions import InvalidArgument
from policyeval.median import weighted_lower_median
from policyeval.protocols import Confidence

__all__ = ["weakest", "weighted_median"]

_LEVELS = tuple(Confidence)


def _present(
    confidences: Sequence[Confidence | None], weights: Sequence[float]
) -> list[tuple[Confidence, float]]:
    if len(confidences) != len(weights):
        raise InvalidArgument(
            f"confidences and weights differ in length: {len(confidences)} != {len(weights)}"
        )
    for weight in weights:
        if isinstance(weight, bool) or not (
            isinstance(weight, numbers.Real) and math.isfinite(weight) and weight >= 0
        ):
            raise InvalidArgument(f"weights must be finite and >= 0, got weights={list(weights)!r}")
    for confidence in confidences:
        if confidence is not None and not isinstance(confidence, Confidence):
            raise InvalidArgument(
                f"confidences must be Confidence levels or None, "
                f"got confidences={list(confidences)!r}"
            )
    return [
        (c, float(w)) for c, w in zip(confidences, weights, strict=True) if c is not None and w > 0
    ]


@attrs.frozen(repr=False)
class _Weakest:
    def __call__(
        self, confidences: Sequence[Confidence | None], weights: Sequence[float], /
    ) -> Confidence | None:
        present = _present(confidences, weights)
        return min((c for c, _ in present), default=None)

    def __repr__(self) -> str:
        return "weakest()"


@attrs.frozen(repr=False)
class _WeightedMedian:
    def __call__(
        self, confidences: Sequence[Confidence | None], weights: Sequence[float], /
    ) -> Confidence | None:
        present = _present(confidences, weights)
        if not present:
            return None
        median = weighted_lower_median([(c.rank, w) for c, w in present])
        return _LEVELS[int(median)]

    def __repr__(self) -> str:
        return "weighted_median()"


def weakest() -> _Weakest:
    """The lowest confidence among positive-weight children (the default).

    A verdict is never more certain than its weakest input.

    >>> from policyeval.protocols import Confidence as C
    >>> weakest()([C.HIGH, C.LOW], [1, 0])  # a zero-weight child does not count
    <Confidence.HIGH: 'high'>
    """
    return _Weakest()


def weighted_median() -> _WeightedMedian:
    """The weighted lower median of the children's confidences.

    More forgiving than :func:`weakest`: one weak child among many strong ones
    does not pull the parent down. The median is
    :func:`policyeval.median.weighted_lower_median` over the levels' ranks,
    the one consensus and the ``median`` aggregator use, exact on decimal
    weights.

    >>> from policyeval.protocols import Confidence as C
    >>> weighted_median()([C.HIGH, C.LOW], [1, 1])  # ties go to the lower level
    <Confidence.LOW: 'low'>
    """
    return _WeightedMedian()
