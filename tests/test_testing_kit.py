"""The conformance kit fails every broken plug-in on the law it breaks, and passes correct ones."""

from __future__ import annotations

import ast
import itertools
import re
import subprocess
import sys
import unittest
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyeval.testing
from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument
from policyeval.framework import Framework
from policyeval.protocols import Assessment, Confidence, Status
from policyeval.scales import Scale
from policyeval.testing import (
    AGGREGATOR_LAWS,
    CROSS_UNIT_LAWS,
    LAW_STATEMENTS,
    RULE_LAWS,
    SCORER_LAWS,
    aggregator_checks,
    check_aggregator,
    check_rule,
    rule_checks,
)
from policyeval.testing.strategies import (
    FOUR_LEVEL_SCALE,
    PERCENT_SCALE,
    child_values,
    evidence_sets,
    frameworks,
    values_and_weights,
    weights,
)
from policyeval.triangulation import source_triangulation

EXAMPLES = 40
SCALES: list[Scale] = [FOUR_LEVEL_SCALE, PERCENT_SCALE]


# Correct plug-ins, written as a user would write them ----------------------------------------


def weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    return sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights)


def weighted_lower_median(values: Sequence[float], weights: Sequence[float]) -> float:
    pairs = sorted((v, w) for v, w in zip(values, weights, strict=True) if w > 0)
    half = sum(w for _, w in pairs) / 2
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]


def _positive(values: Sequence[float], weights: Sequence[float]) -> list[float]:
    return [v for v, w in zip(values, weights, strict=True) if w > 0]


def categories_rule(
    evidence: Sequence[Evidence],
    scale: Scale,
    *,
    corroborated: Callable[[int], bool] = lambda count: count >= 2,
    explanation: Callable[[Sequence[Evidence]], str] = lambda items: "",
    sources: Callable[[Sequence[Evidence]], list[str]] | None = None,
    listed: Callable[[Sequence[Evidence], Sequence[Evidence]], list[str]] | None = None,
) -> Assessment:
    """Weighted lower median of ratings; corroborated when two categories agree.

    The keyword options exist so the tests can break one thing at a time.
    """
    assert scale.kind == "ordinal"
    total = sum(item.weight for item in evidence)
    if not evidence:
        return Assessment(rule="categories")
    scored = sorted(evidence, key=lambda item: scale.get(item.rating or "").score)
    running = 0.0
    for item in scored:
        running += item.weight
        if running >= total / 2:
            median = item.rating
            break
    agreeing = [item for item in evidence if item.rating == median]
    categories = sorted({item.category for item in agreeing})
    status = Status.CORROBORATED if corroborated(len(categories)) else Status.SINGLE_SOURCE
    ids = listed(evidence, agreeing) if listed else [item.id for item in evidence]
    return Assessment(
        rating=median,
        agreement=sum(item.weight for item in agreeing) / total,
        evidence=ids,
        agreeing=[item.id for item in agreeing],
        sources=sources(agreeing) if sources else [item.source for item in agreeing],
        source_categories=categories,
        techniques=[item.technique for item in agreeing],
        dates=[item.date.isoformat() for item in agreeing if item.date],
        investigators=[item.investigator for item in agreeing if item.investigator],
        status=status,
        confidence=Confidence.HIGH if status is Status.CORROBORATED else Confidence.LOW,
        explanation=explanation(evidence),
        rule="categories",
    )


# Broken aggregators, one per law --------------------------------------------------------------


def plus_one(values: Sequence[float], weights: Sequence[float]) -> float:
    return max(values) + 1


def shrunk_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    return 0.9 * weighted_mean(values, weights)


def first_counted_child(values: Sequence[float], weights: Sequence[float]) -> float:
    return _positive(values, weights)[0]


def reflected_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    counted = _positive(values, weights)
    return min(counted) + max(counted) - weighted_mean(values, weights)


def mean_or_max_by_total_weight(values: Sequence[float], weights: Sequence[float]) -> float:
    if sum(weights) <= 4:
        return weighted_mean(values, weights)
    return max(_positive(values, weights))


def _alternating() -> Callable[[Sequence[float], Sequence[float]], float]:
    calls = itertools.count()

    def alternating(values: Sequence[float], weights: Sequence[float]) -> float:
        counted = _positive(values, weights)
        return min(counted) if next(calls) % 2 else max(counted)

    return alternating


def unweighted_min(values: Sequence[float], weights: Sequence[float]) -> float:
    return min(values)


BROKEN_AGGREGATORS: dict[str, Callable[[Sequence[float], Sequence[float]], float]] = {
    "bounded": plus_one,
    "unanimity": shrunk_mean,
    "symmetry": first_counted_child,
    "monotonicity": reflected_mean,
    "weight_scaling": mean_or_max_by_total_weight,
    "determinism": _alternating(),
    "zero_weight": unweighted_min,
}


def _run_law(checks: object, law: str) -> None:
    dict(checks)[law]()  # type: ignore[call-overload]


def test_every_aggregator_law_has_a_broken_example() -> None:
    """The table of broken aggregators covers every law."""
    assert sorted(BROKEN_AGGREGATORS) == sorted(AGGREGATOR_LAWS)


@pytest.mark.parametrize("law", AGGREGATOR_LAWS)
def test_kit_fails_an_aggregator_that_breaks_a_law(law: str) -> None:
    """Each law's check fails the aggregator built to break it, naming the law and the example."""
    broken = BROKEN_AGGREGATORS[law]
    with pytest.raises(AssertionError) as failure:
        _run_law(aggregator_checks(broken, max_examples=EXAMPLES), law)
    message = str(failure.value)
    assert f"breaks law {law!r}" in message
    assert LAW_STATEMENTS[law] in message
    assert re.search(r"Falsifying example: .*values=\[.*\], weights=\[.*\]", message)


@pytest.mark.parametrize("law", [law for law in AGGREGATOR_LAWS if law != "determinism"])
def test_broken_aggregators_break_only_their_law_where_possible(law: str) -> None:
    """A broken aggregator other than the unanimity and bounded ones keeps every other law.

    Breaking unanimity necessarily breaks boundedness, and the out-of-range
    ones are excused for the laws their output range drags along.
    """
    broken = BROKEN_AGGREGATORS[law]
    excused = {
        "bounded": {"unanimity", "zero_weight"},
        "unanimity": {"bounded"},
        "zero_weight": {"bounded"},
    }.get(law, set())
    skip = {other: "broken on purpose" for other in {law, *excused}}
    check_aggregator(broken, skip=skip, max_examples=EXAMPLES)


def test_falsifying_example_reproduces_the_failure() -> None:
    """The values and weights in the message, fed back to the aggregator, break the law again."""
    with pytest.raises(AssertionError) as failure:
        _run_law(aggregator_checks(plus_one, max_examples=EXAMPLES), "bounded")
    found = re.search(r"values=(\[[^\]]*\]), weights=(\[[^\]]*\]) -> ", str(failure.value))
    assert found is not None
    values, weights_ = ast.literal_eval(found.group(1)), ast.literal_eval(found.group(2))
    assert plus_one(values, weights_) > max(_positive(values, weights_))


def test_failure_is_reproducible() -> None:
    """Two runs of the same check report the same falsifying example."""
    messages = []
    for _ in range(2):
        with pytest.raises(AssertionError) as failure:
            check_aggregator(reflected_mean, max_examples=EXAMPLES)
        messages.append(str(failure.value))
    assert messages[0] == messages[1]


def test_check_aggregator_lists_every_broken_law() -> None:
    """An aggregator breaking several laws gets one message naming all of them."""
    with pytest.raises(AssertionError, match=r"plus_one breaks 3 laws: bounded, unanimity, zero"):
        check_aggregator(plus_one, max_examples=EXAMPLES)


def test_aggregator_that_raises_fails_with_the_error() -> None:
    """An exception from the aggregator is a failure showing the error and the arguments."""

    def fragile(values: Sequence[float], weights: Sequence[float]) -> float:
        if len(values) > 2:
            raise ValueError("too many children")
        return weighted_mean(values, weights)

    with pytest.raises(AssertionError, match=r"raised ValueError\('too many children'\)"):
        check_aggregator(fragile, max_examples=EXAMPLES)


def test_aggregator_returning_a_non_number_fails() -> None:
    """A result that is not a real number breaks the bounded law."""
    with pytest.raises(AssertionError, match="not a real number"):
        checks = aggregator_checks(lambda v, w: str(max(v)), max_examples=EXAMPLES)  # type: ignore[arg-type]
        _run_law(checks, "bounded")


def test_aggregator_changing_its_arguments_fails_determinism() -> None:
    """An aggregator that sorts its arguments in place breaks determinism."""

    def sorting_median(values: list[float], weights: list[float]) -> float:
        values.sort()
        return weighted_lower_median(values, weights)

    with pytest.raises(AssertionError, match="changed its arguments"):
        checks = aggregator_checks(sorting_median, max_examples=EXAMPLES)  # type: ignore[arg-type]
        _run_law(checks, "determinism")


@pytest.mark.parametrize("aggregator", [weighted_mean, weighted_lower_median])
def test_kit_passes_correct_aggregators(
    aggregator: Callable[[Sequence[float], Sequence[float]], float],
) -> None:
    """A correct weighted mean and weighted lower median pass every law."""
    check_aggregator(aggregator, max_examples=EXAMPLES)


def test_kit_passes_an_aggregator_on_level_scores() -> None:
    """`scores` restricts children's values to level scores; `sizes` fixes how many children."""

    def worse_of_two(values: Sequence[float], weights: Sequence[float]) -> float:
        assert len(values) == 2 and set(values) <= {1.0, 2.0, 3.0, 4.0}
        return min(_positive(values, weights))

    check_aggregator(
        worse_of_two,
        scores=[1, 2, 3, 4],
        sizes=(2, 2),
        skip={"zero_weight": "it takes exactly two children"},
        max_examples=EXAMPLES,
    )


@pytest.mark.parametrize("law, check", aggregator_checks(weighted_mean, max_examples=EXAMPLES))
def test_aggregator_checks_parametrise_a_suite(law: str, check: Callable[[], None]) -> None:
    """Each (law, check) pair runs on its own and passes for a correct aggregator."""
    assert law in AGGREGATOR_LAWS
    check()


def test_skipped_law_is_not_run() -> None:
    """Skipping the one law an aggregator breaks lets it pass."""
    check_aggregator(
        first_counted_child,
        skip={"symmetry": "children are ranked by position"},
        max_examples=EXAMPLES,
    )


def test_skipped_check_reports_a_skip_with_its_reason() -> None:
    """A skipped law's check raises unittest.SkipTest carrying the reason."""
    checks = dict(aggregator_checks(weighted_mean, skip={"symmetry": "ranked by position"}))
    with pytest.raises(unittest.SkipTest, match="ranked by position"):
        checks["symmetry"]()


def test_checks_come_in_law_order() -> None:
    """The pairs follow AGGREGATOR_LAWS, RULE_LAWS and SCORER_LAWS, each law stated once."""
    assert [law for law, _ in aggregator_checks(weighted_mean)] == list(AGGREGATOR_LAWS)
    assert [law for law, _ in rule_checks(categories_rule)] == list(RULE_LAWS)
    assert set(LAW_STATEMENTS) == {*AGGREGATOR_LAWS, *RULE_LAWS, *SCORER_LAWS, *CROSS_UNIT_LAWS}


@pytest.mark.parametrize("reason", ["", "   ", None, 3])
def test_skipping_needs_a_reason(reason: object) -> None:
    """A skip whose reason is empty or not a string is refused."""
    with pytest.raises(InvalidArgument, match="needs a reason"):
        check_aggregator(weighted_mean, skip={"symmetry": reason})  # type: ignore[dict-item]
    with pytest.raises(InvalidArgument, match="needs a reason"):
        check_rule(categories_rule, skip={"no_evidence": reason})  # type: ignore[dict-item]


def test_unknown_law_is_refused_with_the_list_of_laws() -> None:
    """Skipping a law that does not exist names the laws that do."""
    with pytest.raises(InvalidArgument, match=r"unknown laws \['symmetric'\].*bounded, unanimity"):
        check_aggregator(weighted_mean, skip={"symmetric": "typo"})
    with pytest.raises(InvalidArgument, match="order_invariance"):
        rule_checks(categories_rule, skip={"bounded": "an aggregator law"})


@pytest.mark.parametrize(
    "options",
    [
        {"domain": (10.0, 0.0)},
        {"domain": (0.0, float("inf"))},
        {"domain": "0-10"},
        {"scores": []},
        {"sizes": (0, 3)},
        {"sizes": (4, 3)},
        {"max_examples": 0},
        {"max_examples": True},
        {"skip": ["symmetry"]},
    ],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    """Every malformed option raises InvalidArgument naming it."""
    name = next(iter(options))
    with pytest.raises(InvalidArgument, match=name):
        check_aggregator(weighted_mean, **options)  # type: ignore[arg-type]


def test_non_callables_and_bad_scales_are_refused() -> None:
    """The plug-in must be callable and the scale a scale."""
    with pytest.raises(InvalidArgument, match="f="):
        check_aggregator(3)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="rule="):
        check_rule("source")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="scale="):
        check_rule(categories_rule, scale="four")  # type: ignore[arg-type]


# Rules -----------------------------------------------------------------------------------------


def _broken(**options: object) -> Callable[[Sequence[Evidence], Scale], Assessment]:
    def rule(evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        return categories_rule(evidence, scale, **options)  # type: ignore[arg-type]

    return rule


def _contested_when_empty(evidence: Sequence[Evidence], scale: Scale) -> Assessment:
    if not evidence:
        return Assessment(status=Status.CONTESTED, confidence=Confidence.VERY_LOW)
    return categories_rule(evidence, scale)


@attrs.frozen
class _ArrayFormForgetsAgreement:
    """Source triangulation whose array form reports no agreement at all."""

    def __call__(self, evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        return source_triangulation()(evidence, scale)

    def assess_groups(self, groups: Any, scale: Scale) -> list[Assessment]:
        found = source_triangulation().assess_groups(groups, scale)  # type: ignore[attr-defined]
        return [attrs.evolve(assessment, agreement=0.0) for assessment in found]


BROKEN_RULES: dict[str, Callable[[Sequence[Evidence], Scale], Assessment]] = {
    "order_invariance": _broken(explanation=lambda items: f"first item {items[0].id}"),
    "duplicates_add_no_sources": _broken(sources=lambda items: [i.id for i in items]),
    "new_category_never_lowers_status": _broken(corroborated=lambda count: count == 2),
    "no_evidence": _contested_when_empty,
    "returns_assessment": _broken(listed=lambda items, agreeing: [i.id for i in agreeing]),
    "array_form_matches": _ArrayFormForgetsAgreement(),
}


def test_every_rule_law_has_a_broken_example() -> None:
    """The table of broken rules covers every law."""
    assert sorted(BROKEN_RULES) == sorted(RULE_LAWS)


@pytest.mark.parametrize("law", RULE_LAWS)
def test_kit_fails_a_rule_that_breaks_a_law(law: str) -> None:
    """Each rule law's check fails the rule built to break it, showing the evidence."""
    checks = rule_checks(BROKEN_RULES[law], scale=FOUR_LEVEL_SCALE, max_examples=EXAMPLES)
    with pytest.raises(AssertionError) as failure:
        _run_law(checks, law)
    message = str(failure.value)
    assert f"breaks law {law!r}" in message
    assert "Falsifying example: scale 'four_levels', evidence (" in message
    if law != "no_evidence":
        assert re.search(r"\n  e00: rating='\w+' source='\w+'", message)


@pytest.mark.parametrize("law", [law for law in RULE_LAWS if law != "returns_assessment"])
def test_broken_rules_keep_the_other_laws(law: str) -> None:
    """Each broken rule breaks its own law and (beyond the assessment contract) no other."""
    skip = {law: "broken on purpose", "returns_assessment": "checked separately"}
    check_rule(BROKEN_RULES[law], scale=FOUR_LEVEL_SCALE, skip=skip, max_examples=EXAMPLES)


def test_kit_passes_a_correct_rule() -> None:
    """A correct user rule passes every rule law."""
    check_rule(categories_rule, scale=FOUR_LEVEL_SCALE, max_examples=EXAMPLES)


def test_rule_that_raises_fails_with_the_error() -> None:
    """An exception from the rule is a failure showing the error and the evidence."""

    def divides_by_total(evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        share = 1 / sum(item.weight for item in evidence)
        return categories_rule(evidence, scale) if share else Assessment()

    with pytest.raises(AssertionError, match=r"evidence \(0 items\):\nraised ZeroDivisionError"):
        _run_law(rule_checks(divides_by_total, max_examples=EXAMPLES), "no_evidence")


def test_rule_returning_something_else_fails() -> None:
    """A rule returning a mapping instead of an Assessment fails, quoting what it returned."""

    def as_mapping(evidence: Sequence[Evidence], scale: Scale) -> object:
        return {"status": "no_evidence"}

    with pytest.raises(AssertionError, match=r"returned \{'status': 'no_evidence'\}, not an"):
        _run_law(rule_checks(as_mapping, max_examples=EXAMPLES), "returns_assessment")  # type: ignore[arg-type]


def test_rule_naming_a_source_no_agreeing_item_has_fails() -> None:
    """Listing a source that no agreeing item has breaks the assessment contract."""
    inventing = _broken(sources=lambda items: ["invented"])
    with pytest.raises(AssertionError, match=r"sources names \['invented'\]"):
        check_rule(inventing, scale=FOUR_LEVEL_SCALE, max_examples=EXAMPLES)


# Strategies ------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6).flatmap(weights))
def test_weights_have_a_positive_member(drawn: list[float]) -> None:
    """Weights lie in [0, 10], are multiples of 1/8, and at least one is positive."""
    assert any(weight > 0 for weight in drawn)
    assert all(0 <= weight <= 10 and (weight * 8).is_integer() for weight in drawn)


@settings(max_examples=30, deadline=None)
@given(values_and_weights(min_size=2, max_size=5, domain=(1.0, 4.0)))
def test_values_and_weights_fit_their_bounds(example: tuple[list[float], list[float]]) -> None:
    """Values stay in the domain and the two lists have the same length within the sizes."""
    values, weights_ = example
    assert 2 <= len(values) == len(weights_) <= 5
    assert all(1.0 <= value <= 4.0 for value in values)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(SCALES).flatmap(evidence_sets))
def test_evidence_sets_are_valid_for_their_scale(items: list[Evidence]) -> None:
    """Ids are distinct; ratings are levels of an ordinal scale, values within a numeric one."""
    assert len({item.id for item in items}) == len(items)
    for item in items:
        if item.rating is not None:
            assert FOUR_LEVEL_SCALE.find(item.rating) is not None
        else:
            assert item.value is not None and PERCENT_SCALE.contains(item.value)


def test_strategies_refuse_bad_arguments() -> None:
    """Malformed sizes, domains and scales raise InvalidArgument naming them."""
    with pytest.raises(InvalidArgument, match="n=0"):
        weights(0)
    with pytest.raises(InvalidArgument, match="max_size"):
        values_and_weights(min_size=3, max_size=2)
    with pytest.raises(InvalidArgument, match="domain"):
        child_values(domain=(1.0, 1.0))
    with pytest.raises(InvalidArgument, match="scale="):
        evidence_sets("four")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "options",
    [
        {"max_depth": 0},
        {"max_children": True},
        {"max_nodes": 1},
        {"max_nodes": 2.5},
        {"languages": "id"},
        {"languages": ()},
    ],
)
def test_bad_framework_strategy_options_are_refused(options: dict[str, object]) -> None:
    """frameworks() refuses each malformed option, naming it."""
    name = next(iter(options))
    with pytest.raises(InvalidArgument, match=f"{name}="):
        frameworks(**options)  # type: ignore[arg-type]


@settings(max_examples=20)
@given(frameworks(max_depth=6, max_children=4, max_nodes=9))
def test_frameworks_stay_within_max_nodes(fw: Framework) -> None:
    """A drawn framework never has more than max_nodes nodes, however deep it may grow."""
    assert len(fw.node_ids) <= 9


def test_public_names() -> None:
    """policyeval.testing exports exactly these names, sorted."""
    assert policyeval.testing.__all__ == [
        "AGGREGATOR_LAWS",
        "CROSS_UNIT_LAWS",
        "LAW_STATEMENTS",
        "LOWER_IS_BETTER_SCALE",
        "RULE_LAWS",
        "SCORER_LAWS",
        "aggregator_checks",
        "check_aggregator",
        "check_cross_unit_aggregator",
        "check_rule",
        "check_scorer",
        "cross_unit_aggregator_checks",
        "rule_checks",
        "scorer_checks",
        "strategies",
    ]


def test_core_package_does_not_import_the_kit() -> None:
    """Importing policyeval loads neither the kit nor hypothesis."""
    code = (
        "import sys, policyeval; "
        "print(sorted(m for m in sys.modules if m.startswith(('policyeval.testing', 'hypothesis'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
