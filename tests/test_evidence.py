"""Evidence items: one rating or one value, a positive weight, and the fields a row must have."""

from __future__ import annotations

from typing import Any

import pytest

from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument

GOOD: dict[str, Any] = {
    "id": "E1",
    "indicator": "kompetensi",
    "source": "s1",
    "technique": "interview",
    "rating": "baik",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"rating": None},
            r"evidence 'E1': give exactly one of rating and value, got rating=None, value=None",
        ),
        ({"value": 3.0}, r"give exactly one of rating and value, got rating='baik', value=3.0"),
        (
            {"rating": None, "value": float("inf")},
            r"evidence 'E1': value must be finite, got value=inf",
        ),
        ({"weight": 0}, r"evidence 'E1': weight must be a finite number > 0, got weight=0.0"),
        ({"weight": float("nan")}, r"weight must be a finite number > 0, got weight=nan"),
        (
            {"attribution": "guessed"},
            r"attribution must be one of inferred, stated, got attribution='guessed'",
        ),
        ({"source": ""}, r"evidence: source must be a non-empty string, got source=''"),
        ({"unit": ""}, r"evidence: unit must be a non-empty string, got unit=''"),
    ],
)
def test_an_item_breaking_a_rule_is_refused_naming_the_field_and_value(
    change: dict[str, Any], message: str
) -> None:
    """Evidence() checks its fields and names the offending one with its value."""
    with pytest.raises(InvalidArgument, match=message):
        Evidence(**{**GOOD, **change})


def test_a_valid_item_keeps_its_fields() -> None:
    """A numeric item takes its value as a float; weight defaults to 1 and unit to "default"."""
    item = Evidence(**{**GOOD, "rating": None, "value": "12.5"})
    assert (item.value, item.weight, item.unit, item.attribution) == (
        12.5,
        1.0,
        "default",
        "stated",
    )
