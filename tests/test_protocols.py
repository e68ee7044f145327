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


@pytest.mark.parametrize("kind", [Confidence, Status])
def test_a_level_orders_against_its_value_written_as_a_string(kind: type[Confidence]) -> None:
    """``Confidence.LOW < "high"`` follows the rank, never the alphabet, from either side."""
    members = list(kind)
    for low in members:
        for high in members:
            assert (low < high.value) is (low.rank < high.rank)
            assert (low.value > high) is (low.rank > high.rank)
            assert (low <= high.value) is (low.rank <= high.rank)
            assert (high.value >= low) is (high.rank >= low.rank)
    assert min(members[-1], members[0].value) == members[0].value
    assert max(members[0], members[-1].value) == members[-1].value


@pytest.mark.parametrize("other", ["bogus", "HIGH", ""])
def test_a_string_that_is_not_a_value_cannot_be_ordered(other: str) -> None:
    """An unknown string is a type error naming the allowed values, not an alphabetical answer."""
    with pytest.raises(TypeError, match="its values are 'very_low', 'low', 'moderate', 'high'"):
        Confidence.LOW.__lt__(other)
    with pytest.raises(TypeError):
        assert other > Confidence.LOW
