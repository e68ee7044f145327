"""Law checks for aggregators and triangulation rules.

:func:`check_aggregator` and :func:`check_rule` run every law of their
plug-in contract on many generated examples and raise :class:`AssertionError`
naming each broken law and its smallest falsifying example. Runs are
reproducible: the examples are derived from the check alone, never from a
random seed or a saved database. :func:`aggregator_checks` and
:func:`rule_checks` list one ``(law, check)`` pair per law, for
parametrising a test suite.

>>> def weighted_mean(values, weights):
...     return sum(v * w for v, w in zip(values, weights)) / sum(weights)
>>> check_aggregator(weighted_mean, max_examples=20)
>>> def plus_one(values, weights):
...     return max(values) + 1
>>> check_aggregator(plus_one, max_examples=20)
Traceback (most recent call last):
...
AssertionError: plus_one breaks ... laws: bounded, unanimity...
<BLANKLINE>
plus_one breaks law 'bounded': the result is a real number between the smallest and the largest value of the positive-weight children.
Falsifying example: values=[0.0], weights=[1.0] -> 1.0, outside [0.0, 0.0]
...
"""

from __future__ import annotations

import functools
import math
import numbers
import types
import unittest
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from policyeval.evidence import Evidence
from policyeval.evidence_table import EvidenceTable
from policyeval.exceptions import InvalidArgument
from policyeval.protocols import Aggregator, Assessment, Status, TriangulationRule
from policyeval.scales import NumericScale, OrdinalScale, Scale
from policyeval.testing.strategies import (
    FOUR_LEVEL_SCALE,
    PERCENT_SCALE,
    child_values,
    evidence_sets,
    values_and_weights,
    weights,
)

__all__ = [
    "AGGREGATOR_LAWS",
    "LAW_STATEMENTS",
    "RULE_LAWS",
    "aggregator_checks",
    "check_aggregator",
    "check_rule",
    "rule_checks",
]

AGGREGATOR_LAWS: tuple[str, ...] = (
    "bounded",
    "unanimity",
    "symmetry",
    "monotonicity",
    "weight_scaling",
    "determinism",
    "zero_weight",
)
"""The names of the laws every aggregator obeys, in the order they are checked."""

RULE_LAWS: tuple[str, ...] = (
    "order_invariance",
    "duplicates_add_no_sources",
    "new_category_never_lowers_status",
    "no_evidence",
    "returns_assessment",
    "array_form_matches",
)
"""The names of the laws every triangulation rule obeys, in the order they are checked."""

LAW_STATEMENTS: Mapping[str, str] = types.MappingProxyType(
    {
        "bounded": "the result is a real number between the smallest and the largest value "
        "of the positive-weight children",
        "unanimity": "when every child has the same value x, the result is x",
        "symmetry": "permuting the children together with their weights leaves the result unchanged",
        "monotonicity": "raising one child's value never lowers the result",
        "weight_scaling": "multiplying every weight by the same c > 0 leaves the result unchanged",
        "determinism": "the same call twice gives the same result, and leaves its arguments unchanged",
        "zero_weight": "adding a child of weight zero leaves the result unchanged",
        "order_invariance": "permuting the evidence gives an equal assessment",
        "duplicates_add_no_sources": "adding a copy of an agreeing item under a new id leaves the "
        "sources, source categories, techniques, dates and investigators unchanged",
        "new_category_never_lowers_status": "adding an item that agrees with the consensus, from a "
        "new source in a new source category, never lowers the status",
        "no_evidence": "no evidence gives status no_evidence and confidence None",
        "one_score_per_unit": "array(values, weights) returns one finite number per unit",
        "units_permute": "reordering the units reorders their scores the same way",
        "children_permute": "permuting the children together with their weights leaves every "
        "unit's score unchanged",
        "weights_rescale": "multiplying every weight by the same c > 0 leaves the scores unchanged",
        "zero_weight_child": "adding a child of weight zero leaves the scores unchanged",
        "dominance": "a unit as good as another on every child and better on one never scores "
        "lower than it",
        "repeatable": "the same call twice gives the same scores, and leaves its arguments "
        "unchanged",
        "monotone": "within one call, a unit whose value is better in the scale's direction never "
        "scores below a unit whose value is worse",
        "in_range": "every score is finite and lies in the target range (the one given to the "
        "check, else the one the scorer declares with range_for)",
        "deterministic": "the same call twice gives the same scores, and leaves the values unchanged",
        "missing_stays_missing": "a score is missing exactly where the value is: a missing value "
        "stays missing and a present value never becomes nan",
        "array_form_matches": "a rule with an array form (assess_groups) gives, for every group "
        "of an evidence table, the assessment its scalar form gives on that group's items",
        "returns_assessment": "the result is an Assessment listing exactly the given evidence ids, "
        "whose agreeing ids are among them, whose rating is a level of the scale, whose agreement "
        "lies in [0, 1], whose confidence is set whenever there is evidence, and whose sources, "
        "categories, techniques, dates and investigators come from the agreeing items",
    }
)
"""One sentence per law (aggregators, cross-unit aggregators, rules and scorers), as the checks
state it in their failure messages."""

_Example = TypeVar("_Example")
_Check = Callable[[], None]
_SCALES_FACTORS = (0.125, 0.5, 2.0, 3.0, 10.0, 1000.0)
_DEFAULT_SCALES: tuple[Scale, ...] = (FOUR_LEVEL_SCALE, PERCENT_SCALE)


class _Falsified(AssertionError):
    """One example broke a law; the message shows the example."""


def _close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _at_least(a: float, bound: float) -> bool:
    return a >= bound or _close(a, bound)


def _describe(plugin: object) -> str:
    if isinstance(plugin, types.FunctionType | types.BuiltinFunctionType | types.MethodType):
        return plugin.__qualname__
    return repr(plugin)


def _run_examples(
    strategy: st.SearchStrategy[_Example], body: Callable[[_Example], None], max_examples: int
) -> None:
    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=True,
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        # The explain phase only annotates tracebacks, which the messages replace, and is slow.
        phases=[phase for phase in Phase if phase is not Phase.explain],
        # Users choose the sizes (``sizes=(50, 100)`` is a fair request), so a large smallest
        # example is their choice, not a fault of the strategy.
        suppress_health_check=[HealthCheck.large_base_example],
    )
    @given(strategy)
    def run(example: _Example) -> None:
        body(example)

    run()


def _verify(subject: str, law: str, run: _Check) -> None:
    """Run one law and turn its failure into a message naming the law."""
    head = f"{subject} breaks law {law!r}: {LAW_STATEMENTS[law]}."
    try:
        run()
    except _Falsified as failure:
        raise AssertionError(f"{head}\nFalsifying example: {failure}") from failure.__cause__
    except Flaky as error:
        raise AssertionError(
            f"{head}\nIt failed on an example that passed when run again, so its results "
            f"depend on something other than its arguments: {error}"
        ) from error


def _check_options(
    skip: Mapping[str, str], laws: tuple[str, ...], max_examples: int
) -> Mapping[str, str]:
    if not isinstance(max_examples, int) or isinstance(max_examples, bool) or max_examples < 1:
        raise InvalidArgument(
            f"max_examples must be an integer >= 1, got max_examples={max_examples!r}"
        )
    if not isinstance(skip, Mapping):
        raise InvalidArgument(f"skip must map law names to reasons, got skip={skip!r}")
    unknown = sorted(str(law) for law in skip if law not in laws)
    if unknown:
        raise InvalidArgument(
            f"skip={dict(skip)!r} names unknown laws {unknown!r}; the laws are {', '.join(laws)}"
        )
    for law, reason in skip.items():
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidArgument(
                f"skipping law {law!r} needs a reason, got skip[{law!r}]={reason!r}"
            )
    return skip


def _named_check(law: str, run: _Check) -> _Check:
    def check() -> None:
        run()

    check.__name__ = check.__qualname__ = f"check_{law}"
    return check


def _skipped_check(law: str, reason: str) -> _Check:
    def check() -> None:
        raise unittest.SkipTest(f"law {law!r} skipped: {reason}")

    check.__name__ = check.__qualname__ = f"check_{law}"
    return check


def _checks(
    subject: str, laws: object, names: tuple[str, ...], skip: Mapping[str, str]
) -> list[tuple[str, _Check]]:
    pairs = []
    for law in names:
        if law in skip:
            pairs.append((law, _skipped_check(law, skip[law])))
        else:
            run = functools.partial(_verify, subject, law, getattr(laws, law))
            pairs.append((law, _named_check(law, run)))
    return pairs


def _run_all(subject: str, checks: list[tuple[str, _Check]], skip: Mapping[str, str]) -> None:
    failures: list[tuple[str, AssertionError]] = []
    for law, check in checks:
        if law in skip:
            continue
        try:
            check()
        except AssertionError as failure:
            failures.append((law, failure))
    if len(failures) == 1:
        raise failures[0][1]
    if failures:
        laws = ", ".join(law for law, _ in failures)
        details = "\n\n".join(str(failure) for _, failure in failures)
        raise AssertionError(
            f"{subject} breaks {len(failures)} laws: {laws}\n\n{details}"
        ) from None


# Aggregators -------------------------------------------------------------------------------------


def _show(values: Sequence[float], weights_: Sequence[float]) -> str:
    return f"values={list(values)!r}, weights={list(weights_)!r}"


def _aggregate(f: Aggregator, values: Sequence[float], weights_: Sequence[float]) -> float:
    try:
        result = f(list(values), list(weights_))
    except Exception as error:
        raise _Falsified(f"{_show(values, weights_)} raised {error!r}") from error
    if isinstance(result, bool) or not isinstance(result, numbers.Real):
        raise _Falsified(f"{_show(values, weights_)} returned {result!r}, not a real number")
    return float(result)


@attrs.frozen
class _AggregatorLaws:
    f: Aggregator
    domain: tuple[float, float]
    scores: Sequence[float] | None
    sizes: tuple[int, int]
    max_examples: int

    def examples(self) -> st.SearchStrategy[tuple[list[float], list[float]]]:
        low, high = self.sizes
        return values_and_weights(low, high, self.domain, scores=self.scores)

    def values(self) -> st.SearchStrategy[float]:
        return child_values(domain=self.domain, scores=self.scores)

    def extremes(self) -> tuple[float, float]:
        if self.scores is not None:
            return float(min(self.scores)), float(max(self.scores))
        return float(self.domain[0]), float(self.domain[1])

    def bounded(self) -> None:
        def body(example: tuple[list[float], list[float]]) -> None:
            values, weights_ = example
            result = _aggregate(self.f, values, weights_)
            counted = [value for value, weight in zip(values, weights_, strict=True) if weight > 0]
            low, high = min(counted), max(counted)
            if not (_at_least(result, low) and _at_least(high, result)):
                raise _Falsified(
                    f"{_show(values, weights_)} -> {result!r}, outside [{low!r}, {high!r}]"
                )

        _run_examples(self.examples(), body, self.max_examples)

    def unanimity(self) -> None:
        # Strategies are built before drawing, not on every example.
        sizes, values = st.integers(*self.sizes), self.values()

        @st.composite
        def examples(draw: st.DrawFn) -> tuple[float, list[float]]:
            return draw(values), draw(weights(draw(sizes)))

        def body(example: tuple[float, list[float]]) -> None:
            value, weights_ = example
            values = [value] * len(weights_)
            result = _aggregate(self.f, values, weights_)
            if not _close(result, value):
                raise _Falsified(f"{_show(values, weights_)} -> {result!r}, not {value!r}")

        _run_examples(examples(), body, self.max_examples)

    def symmetry(self) -> None:
        pairs = self.examples()

        @st.composite
        def examples(draw: st.DrawFn) -> tuple[list[float], list[float], list[int]]:
            values, weights_ = draw(pairs)
            return values, weights_, draw(st.permutations(range(len(values))))

        def body(example: tuple[list[float], list[float], list[int]]) -> None:
            values, weights_, order = example
            moved_values = [values[index] for index in order]
            moved_weights = [weights_[index] for index in order]
            before = _aggregate(self.f, values, weights_)
            after = _aggregate(self.f, moved_values, moved_weights)
            if not _close(before, after):
                raise _Falsified(
                    f"{_show(values, weights_)} -> {before!r}, but permuted to "
                    f"{_show(moved_values, moved_weights)} -> {after!r}"
                )

        _run_examples(examples(), body, self.max_examples)

    def monotonicity(self) -> None:
        pairs, others = self.examples(), self.values()
        indices = {size: st.integers(0, size - 1) for size in range(1, self.sizes[1] + 1)}

        @st.composite
        def examples(draw: st.DrawFn) -> tuple[list[float], list[float], int, float]:
            values, weights_ = draw(pairs)
            index = draw(indices[len(values)])
            return values, weights_, index, draw(others)

        def body(example: tuple[list[float], list[float], int, float]) -> None:
            values, weights_, index, other = example
            lower, higher = list(values), list(values)
            lower[index] = min(values[index], other)
            higher[index] = max(values[index], other)
            low_result = _aggregate(self.f, lower, weights_)
            high_result = _aggregate(self.f, higher, weights_)
            if not _at_least(high_result, low_result):
                raise _Falsified(
                    f"raising values[{index}] from {lower[index]!r} to {higher[index]!r} lowered "
                    f"the result from {low_result!r} to {high_result!r}: "
                    f"{_show(lower, weights_)} -> {low_result!r}; "
                    f"{_show(higher, weights_)} -> {high_result!r}"
                )

        _run_examples(examples(), body, self.max_examples)

    def weight_scaling(self) -> None:
        # Weights are multiples of 1/8 and the factors small integers or powers
        # of two, so the rescaled weights are exact.
        examples = st.tuples(self.examples(), st.sampled_from(_SCALES_FACTORS))

        def body(example: tuple[tuple[list[float], list[float]], float]) -> None:
            (values, weights_), factor = example
            scaled = [weight * factor for weight in weights_]
            before = _aggregate(self.f, values, weights_)
            after = _aggregate(self.f, values, scaled)
            if not _close(before, after):
                raise _Falsified(
                    f"{_show(values, weights_)} -> {before!r}, but with the weights multiplied "
                    f"by {factor!r}, {_show(values, scaled)} -> {after!r}"
                )

        _run_examples(examples, body, self.max_examples)

    def determinism(self) -> None:
        def body(example: tuple[list[float], list[float]]) -> None:
            values, weights_ = example
            given_values, given_weights = list(values), list(weights_)
            try:
                first = self.f(given_values, given_weights)
            except Exception as error:
                raise _Falsified(f"{_show(values, weights_)} raised {error!r}") from error
            if given_values != values or given_weights != weights_:
                raise _Falsified(
                    f"{_show(values, weights_)} changed its arguments to "
                    f"{_show(given_values, given_weights)}"
                )
            second = _aggregate(self.f, values, weights_)
            same = first == second or (
                isinstance(first, float) and math.isnan(first) and math.isnan(second)
            )
            if not same:
                raise _Falsified(
                    f"{_show(values, weights_)} -> {first!r} the first time, {second!r} the second"
                )

        _run_examples(self.examples(), body, self.max_examples)

    def zero_weight(self) -> None:
        pairs = self.examples()
        # A value beyond the others' range catches aggregators that count the child.
        extras = st.one_of(self.values(), st.sampled_from(self.extremes()))
        places = {size: st.integers(0, size) for size in range(1, self.sizes[1] + 1)}

        @st.composite
        def examples(draw: st.DrawFn) -> tuple[list[float], list[float], int, float]:
            values, weights_ = draw(pairs)
            extra = draw(extras)
            return values, weights_, draw(places[len(values)]), extra

        def body(example: tuple[list[float], list[float], int, float]) -> None:
            values, weights_, index, extra = example
            more_values = [*values[:index], extra, *values[index:]]
            more_weights = [*weights_[:index], 0.0, *weights_[index:]]
            before = _aggregate(self.f, values, weights_)
            after = _aggregate(self.f, more_values, more_weights)
            if not _close(before, after):
                raise _Falsified(
                    f"{_show(values, weights_)} -> {before!r}, but with a zero-weight child "
                    f"{_show(more_values, more_weights)} -> {after!r}"
                )

        _run_examples(examples(), body, self.max_examples)


def aggregator_checks(
    f: Aggregator,
    *,
    domain: tuple[float, float] = (0.0, 10.0),
    scores: Sequence[float] | None = None,
    sizes: tuple[int, int] = (1, 8),
    skip: Mapping[str, str] = types.MappingProxyType({}),
    max_examples: int = 100,
) -> list[tuple[str, Callable[[], None]]]:
    """List ``(law, check)`` for each aggregator law, ``check()`` testing ``f``.

    The options are those of :func:`check_aggregator`. A skipped law's check
    raises :class:`unittest.SkipTest` with the reason, which test runners
    report as a skip. Use it to give every law its own test::

        @pytest.mark.parametrize("law, check", aggregator_checks(my_aggregator))
        def test_my_aggregator(law, check):
            check()

    >>> def unweighted_mean(values, weights):  # counts every child, zero weight or not
    ...     return sum(values) / len(values)
    >>> checks = dict(aggregator_checks(unweighted_mean, max_examples=10))
    >>> sorted(checks) == sorted(AGGREGATOR_LAWS)
    True
    >>> checks["zero_weight"]()
    Traceback (most recent call last):
    ...
    AssertionError: unweighted_mean breaks law 'zero_weight': ...
    """
    if not callable(f):
        raise InvalidArgument(f"f must be callable, got f={f!r}")
    skip = _check_options(skip, AGGREGATOR_LAWS, max_examples)
    try:
        low_size, high_size = (int(size) for size in sizes)
    except (TypeError, ValueError):
        raise InvalidArgument(f"sizes must be a pair (min, max), got sizes={sizes!r}") from None
    if not 1 <= low_size <= high_size:
        raise InvalidArgument(f"sizes must satisfy 1 <= min <= max, got sizes={sizes!r}")
    child_values(domain=domain, scores=scores)  # validates domain and scores
    laws = _AggregatorLaws(f, domain, scores, (low_size, high_size), max_examples)
    return _checks(_describe(f), laws, AGGREGATOR_LAWS, skip)


def check_aggregator(
    f: Aggregator,
    *,
    domain: tuple[float, float] = (0.0, 10.0),
    scores: Sequence[float] | None = None,
    sizes: tuple[int, int] = (1, 8),
    skip: Mapping[str, str] = types.MappingProxyType({}),
    max_examples: int = 100,
) -> None:
    """Check that the aggregator ``f`` obeys every law in :data:`AGGREGATOR_LAWS`.

    Children's values are drawn from ``domain`` (bounds included), or only
    from ``scores`` when given (an aggregator defined on level scores);
    between ``sizes[0]`` and ``sizes[1]`` children are drawn. ``skip`` maps
    a law to the reason it does not apply. Each law is tried on
    ``max_examples`` examples.

    Raises :class:`AssertionError` naming every broken law with its smallest
    falsifying example, and :class:`~policyeval.exceptions.InvalidArgument`
    for an unknown law or a skip without a reason.

    >>> def first_child(values, weights):
    ...     return values[0]
    >>> check_aggregator(first_child, skip={"symmetry": "the first child decides"},
    ...                  max_examples=20)
    Traceback (most recent call last):
    ...
    AssertionError: first_child breaks ...'zero_weight'...
    >>> check_aggregator(first_child, skip={"symmetry": ""})
    Traceback (most recent call last):
    ...
    policyeval.exceptions.InvalidArgument: skipping law 'symmetry' needs a reason, got skip['symmetry']=''
    """
    checks = aggregator_checks(
        f, domain=domain, scores=scores, sizes=sizes, skip=skip, max_examples=max_examples
    )
    _run_all(_describe(f), checks, skip)


# Rules -------------------------------------------------------------------------------------------


def _show_item(item: Evidence) -> str:
    fields = [item.id + ":"]
    measure = f"rating={item.rating!r}" if item.rating is not None else f"value={item.value!r}"
    fields.append(measure)
    for name in ("source", "source_category", "technique", "date", "investigator"):
        field_value = getattr(item, name)
        if field_value is not None:
            fields.append(f"{name}={str(field_value)!r}")
    fields.append(f"weight={item.weight!r}")
    if item.extra:
        fields.append(f"extra={item.extra!r}")
    return " ".join(fields)


def _show_evidence(scale: Scale, evidence: Sequence[Evidence]) -> str:
    lines = [f"scale {scale.id!r}, evidence ({len(evidence)} items):"]
    lines += [f"  {_show_item(item)}" for item in evidence]
    return "\n".join(lines)


def _assess(rule: TriangulationRule, evidence: Sequence[Evidence], scale: Scale) -> Assessment:
    try:
        assessment = rule(list(evidence), scale)
    except Exception as error:
        raise _Falsified(f"{_show_evidence(scale, evidence)}\nraised {error!r}") from error
    if not isinstance(assessment, Assessment):
        raise _Falsified(
            f"{_show_evidence(scale, evidence)}\nreturned {assessment!r}, not an Assessment"
        )
    if not isinstance(assessment.status, Status):
        raise _Falsified(
            f"{_show_evidence(scale, evidence)}\nreturned status={assessment.status!r}, "
            "not a Status"
        )
    return assessment


def _differences(first: Assessment, second: Assessment) -> list[str]:
    found = []
    for field in attrs.fields(Assessment):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if isinstance(a, float) and isinstance(b, float):
            if not _close(a, b):
                found.append(f"{field.name}: {a!r} != {b!r}")
        elif a != b:
            found.append(f"{field.name}: {a!r} != {b!r}")
    return found


def _with_scale(scale: Scale, evidence: list[Evidence]) -> tuple[Scale, list[Evidence]]:
    return scale, evidence


_DISTINCT_FIELDS = ("sources", "source_categories", "techniques", "dates", "investigators")


@attrs.frozen
class _RuleLaws:
    rule: TriangulationRule
    scales: tuple[Scale, ...]
    max_examples: int

    def examples(self, *, min_size: int = 0) -> st.SearchStrategy[tuple[Scale, list[Evidence]]]:
        return st.one_of(
            [
                evidence_sets(scale, min_size=min_size).map(functools.partial(_with_scale, scale))
                for scale in self.scales
            ]
        )

    def order_invariance(self) -> None:
        sets = self.examples()

        @st.composite
        def examples(draw: st.DrawFn) -> tuple[Scale, list[Evidence], list[Evidence]]:
            scale, evidence = draw(sets)
            return scale, evidence, draw(st.permutations(evidence))

        def body(example: tuple[Scale, list[Evidence], list[Evidence]]) -> None:
            scale, evidence, moved = example
            first = _assess(self.rule, evidence, scale)
            second = _assess(self.rule, moved, scale)
            found = _differences(first, second)
            if found:
                order = [item.id for item in moved]
                raise _Falsified(
                    f"{_show_evidence(scale, evidence)}\nreordered as {order!r}, the assessment "
                    "changes:\n  " + "\n  ".join(found)
                )

        _run_examples(examples(), body, self.max_examples)

    def _agreeing_copy(
        self, example: tuple[tuple[Scale, list[Evidence]], int], **changes: Any
    ) -> tuple[Scale, list[Evidence], Assessment, Evidence] | None:
        (scale, evidence), choice = example
        before = _assess(self.rule, evidence, scale)
        agreeing = [item for item in evidence if item.id in before.agreeing]
        if not agreeing:
            return None
        original = agreeing[choice % len(agreeing)]
        return scale, evidence, before, attrs.evolve(original, id=f"{original.id}_copy", **changes)

    def duplicates_add_no_sources(self) -> None:
        examples = st.tuples(self.examples(min_size=1), st.integers(0, 11))

        def body(example: tuple[tuple[Scale, list[Evidence]], int]) -> None:
            found = self._agreeing_copy(example)
            if found is None:
                return
            scale, evidence, before, copy = found
            after = _assess(self.rule, [*evidence, copy], scale)
            changed = [
                f"{name}: {getattr(before, name)!r} -> {getattr(after, name)!r}"
                for name in _DISTINCT_FIELDS
                if getattr(before, name) != getattr(after, name)
            ]
            if changed:
                raise _Falsified(
                    f"{_show_evidence(scale, evidence)}\nadding {_show_item(copy)}\n"
                    "changes:\n  " + "\n  ".join(changed)
                )

        _run_examples(examples, body, self.max_examples)

    def new_category_never_lowers_status(self) -> None:
        examples = st.tuples(self.examples(min_size=1), st.integers(0, 11))

        def body(example: tuple[tuple[Scale, list[Evidence]], int]) -> None:
            found = self._agreeing_copy(
                example, source="conformance_source", source_category="conformance_category"
            )
            if found is None:
                return
            scale, evidence, before, newcomer = found
            after = _assess(self.rule, [*evidence, newcomer], scale)
            if after.status < before.status:
                raise _Falsified(
                    f"{_show_evidence(scale, evidence)}\nhas status {before.status.value!r}; "
                    f"adding {_show_item(newcomer)}\nlowers it to {after.status.value!r}"
                )

        _run_examples(examples, body, self.max_examples)

    def no_evidence(self) -> None:
        for scale in self.scales:
            assessment = _assess(self.rule, [], scale)
            if assessment.status != Status.NO_EVIDENCE or assessment.confidence is not None:
                raise _Falsified(
                    f"{_show_evidence(scale, [])}\nreturned status={assessment.status!r}, "
                    f"confidence={assessment.confidence!r}"
                )

    def returns_assessment(self) -> None:
        def body(example: tuple[Scale, list[Evidence]]) -> None:
            scale, evidence = example
            assessment = _assess(self.rule, evidence, scale)
            problems = _assessment_problems(assessment, evidence, scale)
            if problems:
                raise _Falsified(
                    f"{_show_evidence(scale, evidence)}\nreturned {assessment!r}\n  "
                    + "\n  ".join(problems)
                )

        _run_examples(self.examples(), body, self.max_examples)

    def array_form_matches(self) -> None:
        array_form = getattr(self.rule, "assess_groups", None)
        if array_form is None:
            return
        sets = self.examples()

        @st.composite
        def examples(draw: st.DrawFn) -> tuple[Scale, list[Evidence]]:
            scale, first = draw(sets)
            more = [first] + [draw(evidence_sets(scale)) for _ in range(draw(st.integers(0, 2)))]
            items = [
                attrs.evolve(
                    item, unit=f"u{number}", id=f"u{number}-{item.id}" if number else item.id
                )
                for number, group in enumerate(more)
                for item in group
            ]
            return scale, items

        def body(example: tuple[Scale, list[Evidence]]) -> None:
            scale, evidence = example
            groups = EvidenceTable.from_items(evidence).groups()
            try:
                found = list(array_form(groups, scale))
            except Exception as error:
                raise _Falsified(
                    f"{_show_evidence(scale, evidence)}\nassess_groups raised {error!r}"
                ) from error
            if len(found) != len(groups):
                raise _Falsified(
                    f"{_show_evidence(scale, evidence)}\nassess_groups returned {len(found)} "
                    f"assessments for {len(groups)} groups"
                )
            for number, assessment in enumerate(found):
                expected = _assess(self.rule, groups.items(number), scale)
                if assessment != expected:
                    differences = [
                        f"{field.name}: {getattr(assessment, field.name)!r} != "
                        f"{getattr(expected, field.name)!r}"
                        for field in attrs.fields(Assessment)
                        if getattr(assessment, field.name) != getattr(expected, field.name)
                    ]
                    raise _Falsified(
                        f"{_show_evidence(scale, evidence)}\nfor unit {groups.keys[number][0]!r} "
                        "the array form differs from the scalar form:\n  "
                        + "\n  ".join(differences)
                    )

        _run_examples(examples(), body, self.max_examples)


def _level_ids(scale: Scale) -> set[str]:
    if isinstance(scale, OrdinalScale):
        return {level.id for level in scale.levels}
    if scale.levels is not None:
        return {level.id for level in scale.levels.levels}
    return set()


def _assessment_problems(
    assessment: Assessment, evidence: Sequence[Evidence], scale: Scale
) -> list[str]:
    problems = []
    given_ids = tuple(sorted(item.id for item in evidence))
    if assessment.evidence != given_ids:
        problems.append(f"evidence={assessment.evidence!r}, expected {given_ids!r}")
    if not set(assessment.agreeing) <= set(given_ids):
        problems.append(f"agreeing={assessment.agreeing!r} names items not in the evidence")
    if assessment.rating is not None and assessment.rating not in _level_ids(scale):
        problems.append(f"rating={assessment.rating!r} is not a level of scale {scale.id!r}")
    if not 0.0 <= assessment.agreement <= 1.0:
        problems.append(f"agreement={assessment.agreement!r} is outside [0, 1]")
    if evidence and assessment.confidence is None:
        problems.append("confidence=None although there is evidence")
    agreeing = [item for item in evidence if item.id in assessment.agreeing]
    allowed: dict[str, set[Any]] = {
        "sources": {item.source for item in agreeing},
        "source_categories": {item.category for item in agreeing},
        "techniques": {item.technique for item in agreeing},
        "dates": {item.date.isoformat() for item in agreeing if item.date is not None},
        "investigators": {item.investigator for item in agreeing if item.investigator},
    }
    for name, values in allowed.items():
        strays = sorted(set(getattr(assessment, name)) - values)
        if strays:
            problems.append(f"{name} names {strays!r}, which no agreeing item has")
    return problems


def rule_checks(
    rule: TriangulationRule,
    *,
    scale: Scale | None = None,
    skip: Mapping[str, str] = types.MappingProxyType({}),
    max_examples: int = 100,
) -> list[tuple[str, Callable[[], None]]]:
    """List ``(law, check)`` for each rule law, ``check()`` testing ``rule``.

    The options are those of :func:`check_rule`; a skipped law's check
    raises :class:`unittest.SkipTest` with the reason.

    >>> from policyeval.protocols import Assessment
    >>> def silent(evidence, scale):
    ...     return Assessment(evidence=[item.id for item in evidence])
    >>> checks = dict(rule_checks(silent, max_examples=10))
    >>> checks["no_evidence"]()
    >>> checks["returns_assessment"]()
    Traceback (most recent call last):
    ...
    AssertionError: silent breaks law 'returns_assessment': ...
    """
    if not callable(rule):
        raise InvalidArgument(f"rule must be callable, got rule={rule!r}")
    skip = _check_options(skip, RULE_LAWS, max_examples)
    if scale is not None and not isinstance(scale, OrdinalScale | NumericScale):
        raise InvalidArgument(
            f"scale must be an OrdinalScale or a NumericScale, got scale={scale!r}"
        )
    laws = _RuleLaws(rule, _DEFAULT_SCALES if scale is None else (scale,), max_examples)
    return _checks(_describe(rule), laws, RULE_LAWS, skip)


def check_rule(
    rule: TriangulationRule,
    *,
    scale: Scale | None = None,
    skip: Mapping[str, str] = types.MappingProxyType({}),
    max_examples: int = 100,
) -> None:
    """Check that the triangulation rule ``rule`` obeys every law in :data:`RULE_LAWS`.

    Evidence is rated on ``scale``; by default on both a four-level ordinal
    scale and a banded percentage scale (see
    :mod:`policyeval.testing.strategies`). ``skip`` maps a law to the reason
    it does not apply. Each law is tried on ``max_examples`` examples.

    Raises :class:`AssertionError` naming every broken law with its smallest
    falsifying example (the evidence, item by item), and
    :class:`~policyeval.exceptions.InvalidArgument` for an unknown law or a
    skip without a reason.

    >>> from policyeval.protocols import Assessment, Confidence, Status
    >>> def believe_everything(evidence, scale):
    ...     if not evidence:
    ...         return Assessment()
    ...     return Assessment(status=Status.CORROBORATED, confidence=Confidence.HIGH,
    ...                       evidence=[item.id for item in evidence], sources=["oracle"])
    >>> check_rule(believe_everything, max_examples=20)
    Traceback (most recent call last):
    ...
    AssertionError: believe_everything breaks law 'returns_assessment': ...
    """
    checks = rule_checks(rule, scale=scale, skip=skip, max_examples=max_examples)
    _run_all(_describe(rule), checks, skip)
