"""Ranked enums: statuses and confidence levels compare by rank, and only with their own kind."""

from __future__ import annotations

import pytest

from policyeval.protocols import Confidence, Status


def test_levels_compare_by_declaration_order() -> None:
    """Weakest first: every comparison follows the rank, not the alphabet of the values."""
    assert Confidence.VERY_LOW < Confidence.LOW <= Confidence.LOW < Confidence.HIGH
    assert Confidence.HIGH > Confidence.MODERATE >= Confidence.MODERATE
    assert Status.NO_EVIDENCE < Status.CONTESTED
    assert str(Confidence.MODERATE) == "moderate"
    assert max(Confidence) is Confidence.HIGH


@pytest.mark.parametrize("other", [3, 2.5, Status.CONTESTED])
def test_comparing_with_another_kind_is_a_type_error(other: object) -> None:
    """A confidence level is not ordered against numbers or statuses."""
    for compare in (
        lambda: other > Confidence.LOW,
        lambda: other >= Confidence.LOW,
        lambda: other < Confidence.LOW,
        lambda: other <= Confidence.LOW,
    ):
        with pytest.raises(TypeError):
            compare()
