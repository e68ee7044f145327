"""Every built-in aggregator and triangulation rule keeps the laws of its contract."""

from __future__ import annotations

from typing import Any

import pytest

from policyeval import registry
from policyeval.testing import check_aggregator, check_cross_unit_aggregator, check_rule

EXAMPLES = 50

POSITIVE = (0.1, 10.0)

# Parameters for the aggregators that need them, each with the kit options it needs.
AGGREGATOR_CASES: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {
    "geometric": [({}, {"domain": POSITIVE})],
    "harmonic": [({}, {"domain": POSITIVE})],
    "generalised": [
        ({"p": 2.0}, {}),
        ({"p": -1.0}, {"domain": POSITIVE}),
        ({"p": 0.5}, {}),
    ],
    "majority": [
        (
            {},
            {
                "skip": {
                    "monotonicity": "a weighted mode is not monotone: raising one of the modal "
                    "children can leave a tie that goes to a lower value",
                }
            },
        )
    ],
    "bars": [
        ({"rules": [{"at_or_below": 2, "cap": 3}]}, {}),
        ({"rules": [{"at_or_below": 2, "cap": 3}, {"at_or_below": 5, "cap": 6}]}, {}),
    ],
    # Two children rated 1-4: the first may exceed the second by at most one level.
    "decision_table": [
        (
            {
                "rules": [
                    {"when": [first, second], "then": min(first, second + 1)}
                    for first in (1, 2, 3, 4)
                    for second in (1, 2, 3, 4)
                ],
            },
            {
                "scores": [1, 2, 3, 4],
                "sizes": (2, 2),
                "skip": {
                    "symmetry": "a decision table names its children by position",
                    "zero_weight": "a decision table takes a fixed number of children",
                    "bounded": "a decision table reads every child by position, zero-weight "
                    "ones included, so the range of the positive-weight children alone "
                    "does not bound it",
                },
            },
        )
    ],
}


# Aggregators that rank units against each other have no value for one unit alone, so the
# per-unit laws do not apply; check_cross_unit_aggregator checks their own.
CROSS_UNIT = {"copeland"}


def _aggregator_cases() -> list[Any]:
    cases = []
    for name in registry.aggregator_names():
        if name in CROSS_UNIT:
            continue
        for params, options in AGGREGATOR_CASES.get(name, [({}, {})]):
            shown = ", ".join(f"{key}={value!r}" for key, value in params.items())
            cases.append(pytest.param(name, params, options, id=f"{name}({shown})"))
    return cases


def _rule_cases() -> list[Any]:
    cases = []
    for name in registry.rule_names():
        params: dict[str, Any] = {}
        if name in ("all_of", "any_of"):
            params = {"rules": ["source", "technique"]}
        cases.append(pytest.param(name, params, id=name))
    return cases


def test_every_aggregator_with_parameters_is_registered() -> None:
    """The parameter table names only registered aggregators, so no case is silently dropped."""
    assert set(AGGREGATOR_CASES) <= set(registry.aggregator_names())


@pytest.mark.parametrize("name", sorted(CROSS_UNIT))
@pytest.mark.parametrize("decimal", [False, True], ids=["eighths", "decimals"])
def test_builtin_cross_unit_aggregator_keeps_the_laws(name: str, decimal: bool) -> None:
    """Each built-in cross-unit aggregator passes the cross-unit kit, with decimal weights too."""
    check_cross_unit_aggregator(registry.aggregator(name), decimal=decimal, max_examples=EXAMPLES)


def test_cross_unit_aggregators_say_so() -> None:
    """Only aggregators that declare themselves cross-unit skip the per-unit laws."""
    for name in registry.aggregator_names():
        built = registry.aggregator(name, **AGGREGATOR_CASES.get(name, [({}, {})])[0][0])
        assert getattr(built, "cross_unit", False) == (name in CROSS_UNIT), name


@pytest.mark.parametrize(("name", "params", "options"), _aggregator_cases())
def test_builtin_aggregator_keeps_the_laws(
    name: str, params: dict[str, Any], options: dict[str, Any]
) -> None:
    """Each built-in aggregator passes the conformance kit (skips carry their reasons)."""
    check_aggregator(registry.aggregator(name, **params), max_examples=EXAMPLES, **options)


@pytest.mark.parametrize(("name", "params"), _rule_cases())
def test_builtin_rule_keeps_the_laws(name: str, params: dict[str, Any]) -> None:
    """Each built-in rule passes the conformance kit on ordinal and banded numeric scales."""
    check_rule(registry.rule(name, **params), max_examples=EXAMPLES)


def test_every_builtin_rule_is_checked() -> None:
    """The registry offers at least the documented rules and aggregators."""
    assert {"source", "technique", "time", "investigator", "agreement", "cerqual"} <= set(
        registry.rule_names()
    )
    assert {"mean", "median", "min", "max", "bars", "decision_table"} <= set(
        registry.aggregator_names()
    )
