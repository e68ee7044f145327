"""Confidence propagation rules."""

from __future__ import annotations

import pytest

from policyeval.confidence import weakest, weighted_median
from policyeval.exceptions import InvalidArgument
from policyeval.protocols import Confidence as C


def test_weakest_takes_the_lowest_positive_weight_confidence() -> None:
    """A parent is never more certain than its weakest child with weight."""
    assert weakest()([C.HIGH, C.LOW, C.MODERATE], [1, 1, 1]) is C.LOW
    assert weakest()([C.HIGH, C.VERY_LOW], [1, 0]) is C.HIGH


def test_children_without_confidence_are_skipped() -> None:
    """None is a child without a judgement; with nothing left the result is None."""
    assert weakest()([None, C.MODERATE], [1, 1]) is C.MODERATE
    assert weakest()([None, None], [1, 1]) is None
    assert weighted_median()([], []) is None


def test_weighted_median_follows_the_weight() -> None:
    """The weighted lower median ignores one weak child among strong ones."""
    assert weighted_median()([C.HIGH, C.HIGH, C.LOW], [1, 1, 1]) is C.HIGH
    assert weighted_median()([C.HIGH, C.LOW], [1, 1]) is C.LOW
    assert weighted_median()([C.HIGH, C.LOW], [3, 1]) is C.HIGH


def test_lengths_must_match() -> None:
    """Confidences and weights go in pairs."""
    with pytest.raises(InvalidArgument, match="differ in length"):
        weakest()([C.HIGH], [1, 1])


def test_reprs() -> None:
    """The repr is the factory call."""
    assert (repr(weakest()), repr(weighted_median())) == ("weakest()", "weighted_median()")


@pytest.mark.parametrize(
    ("confidences", "weights", "message"),
    [
        ([C.HIGH], [-1], "weights must be finite and >= 0"),
        ([C.HIGH], [float("nan")], "weights must be finite"),
        ([C.HIGH], [True], "weights must be finite"),
        (["high"], [1], "confidences must be Confidence levels or None"),
    ],
)
def test_confidence_rules_check_their_inputs(
    confidences: list[object], weights: list[float], message: str
) -> None:
    """Both rules refuse bad weights and anything that is not a Confidence level."""
    for rule in (weakest(), weighted_median()):
        with pytest.raises(InvalidArgument, match=message):
            rule(confidences, weights)  # type: ignore[arg-type]
