"""The first stage: evidence -> one assessment per (unit, indicator).

:func:`triangulate` groups the evidence by unit and indicator and asks each
indicator's triangulation rule for an
:class:`~policyeval.protocols.Assessment`, checking that the rule kept its
contract. Its result, a :class:`Triangulation`, is what
:func:`policyeval.score.score` reads; nothing in it is recomputed when the
weights or aggregators change later.

>>> from policyeval import frameworks
>>> from policyeval.evidence import Evidence
>>> fw = frameworks.load("agustino")
>>> items = [Evidence(id="E1", unit="u", indicator="kompetensi", rating="baik",
...                   source="s1", source_category="asn", technique="interview")]
>>> found = triangulate(fw, items)
>>> found.units, found.assessment("u", "kompetensi").rating
(('u',), 'baik')
>>> found.assessment("u", "komunikasi_publik").status.value
'no_evidence'
"""

from __future__ import annotations

import types
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from policyeval._collector import collection_paused
from policyeval.evidence import Evidence, Source
from policyeval.evidence_io import EvidenceSet, Rejection
from policyeval.evidence_table import EvidenceTable
from policyeval.exceptions import (
    EvidenceError,
    InvalidArgument,
    PluginContractError,
    PolicyEvalError,
    Problem,
)
from policyeval.framework import Framework
from policyeval.protocols import Assessment, TriangulationRule
from policyeval.registry import build_rule, describe
from policyeval.scales import OrdinalScale, Scale

__all__ = ["RuleSpec", "Triangulation", "triangulate"]

RuleSpec = TriangulationRule | str | Mapping[str, Any]


def _frozen_mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return types.MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Triangulation:
    """One :class:`~policyeval.protocols.Assessment` per unit and indicator, with its inputs.

    ``assessments`` maps ``(unit, indicator)`` to the assessment, for every
    unit in ``units`` and every indicator of the framework; ``evidence``,
    ``rejected`` and ``sources`` are the evidence read, the rows refused and
    the sources table; ``rules`` maps each indicator to its rule's ``repr``.
    Every mapping is read-only.
    """

    framework: Framework
    units: tuple[str, ...]
    assessments: Mapping[tuple[str, str], Assessment] = attrs.field(converter=_frozen_mapping)
    evidence: Sequence[Evidence] = ()
    rejected: tuple[Rejection, ...] = ()
    sources: Mapping[str, Source] = attrs.field(factory=dict, converter=_frozen_mapping, eq=False)
    rules: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)

    def assessment(self, unit: str, indicator: str) -> Assessment:
        """The assessment of ``indicator`` for ``unit`` (``KeyError`` naming both when unknown)."""
        try:
            return self.assessments[unit, indicator]
        except KeyError:
            raise KeyError(f"no assessment for unit={unit!r}, indicator={indicator!r}") from None


def triangulate(
    framework: Framework,
    evidence: EvidenceSet | Iterable[Evidence],
    *,
    rules: RuleSpec | Mapping[str, RuleSpec] | None = None,
    units: Sequence[str] | None = None,
) -> Triangulation:
    """Assess every indicator of ``framework`` for every unit from ``evidence``.

    ``rules`` is one triangulation rule (an object, a registered name, or a
    ``{"name": ..., **params}`` mapping) or a mapping from indicator id to
    rule, where the key ``"*"`` gives the default; the default rule is
    source triangulation. ``units`` fixes the units and their order
    (default: the units found in the evidence, sorted); a unit without
    evidence gets ``no_evidence`` assessments. The framework is read, never
    changed.
    """
    items: Sequence[Evidence]
    if isinstance(evidence, EvidenceSet):
        items, rejected, sources = evidence.items, evidence.rejected, evidence.sources
    elif isinstance(evidence, EvidenceTable):
        items, rejected, sources = evidence, (), {}
    else:
        items, rejected, sources = tuple(evidence), (), {}
    rule_for = rule_lookup(framework, rules)
    if isinstance(items, EvidenceTable):
        _check_table(framework, items)
        found_units: set[str] = set(items.vocabulary("unit"))
    else:
        _check_evidence(framework, items)
        found_units = {i.unit for i in items}
    unit_ids = tuple(units) if units is not None else tuple(sorted(found_units))
    if units is not None:
        unknown = sorted(found_units - set(unit_ids))
        if unknown:
            raise InvalidArgument(
                f"evidence names units not in units={list(unit_ids)!r}: {unknown!r}"
            )
    if isinstance(items, EvidenceTable):
        with collection_paused():
            found = _assess_table(framework, items, rule_for)
        assessments = {
            (unit, indicator): found.get((unit, indicator))
            or _assess(framework, unit, indicator, (), rule_for(indicator))
            for unit in unit_ids
            for indicator in framework.indicators
        }
    else:
        grouped: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
        for item in items:
            grouped[item.unit, item.indicator].append(item)
        assessments = {
            (unit, indicator): _assess(
                framework, unit, indicator, grouped.get((unit, indicator), []), rule_for(indicator)
            )
            for unit in unit_ids
            for indicator in framework.indicators
        }
    return Triangulation(
        framework=framework,
        units=unit_ids,
        assessments=assessments,
        evidence=items if isinstance(items, EvidenceTable) else tuple(items),
        rejected=tuple(rejected),
        sources=dict(sources),
        rules={indicator: describe(rule_for(indicator)) for indicator in framework.indicators},
    )


def rule_lookup(
    framework: Framework, rules: RuleSpec | Mapping[str, RuleSpec] | None
) -> Callable[[str], TriangulationRule]:
    """A function from indicator id to its built triangulation rule."""
    if rules is None:
        rules = "source"
    if isinstance(rules, Mapping) and "name" not in rules:
        unknown = sorted(set(rules) - set(framework.indicators) - {"*"})
        if unknown:
            raise InvalidArgument(f"rules name nodes that are not indicators: {unknown!r}")
        built = {key: build_rule(spec) for key, spec in rules.items()}
        default = built.get("*") or build_rule("source")
        return lambda node: built.get(node, default)
    rule = build_rule(rules)
    return lambda node: rule


def _check_table(framework: Framework, table: EvidenceTable) -> None:
    """The checks of :func:`_check_evidence`, on a table's vocabularies and ids."""
    indicators = table.vocabulary("indicator")
    plain = all(i in framework and framework.node(i).is_indicator for i in indicators)
    if not plain or len(set(table.ids)) < len(table):
        _check_evidence(framework, table)


def _assess_table(
    framework: Framework, table: EvidenceTable, rule_for: Callable[[str], TriangulationRule]
) -> dict[tuple[str, str], Assessment]:
    """Assess every (unit, indicator) group of a table that has evidence.

    A rule with an array form (``assess_groups``) judges all its groups in
    one call; any other rule is called on each group's items, made from the
    table for it.
    """
    groups = table.groups()
    by_rule: dict[int, tuple[TriangulationRule, dict[str, list[int]]]] = {}
    for number, (_, indicator) in enumerate(groups.keys):
        rule = rule_for(indicator)
        by_rule.setdefault(id(rule), (rule, {}))[1].setdefault(indicator, []).append(number)
    found: dict[tuple[str, str], Assessment] = {}
    for rule, by_indicator in by_rule.values():
        array_form = getattr(rule, "assess_groups", None)
        if array_form is None:
            for indicator, numbers in by_indicator.items():
                for number in numbers:
                    unit = groups.keys[number][0]
                    found[unit, indicator] = _assess(
                        framework, unit, indicator, groups.items(number), rule
                    )
            continue
        by_scale: dict[int, tuple[Any, list[int]]] = {}
        for indicator, numbers in by_indicator.items():
            scale = framework.scale_of(indicator)
            by_scale.setdefault(id(scale), (scale, []))[1].extend(numbers)
        trusted = _built_in(rule)
        for scale, numbers in by_scale.values():
            chosen = groups.subset(numbers)
            try:
                results = list(array_form(chosen, scale))
            except PluginContractError:
                raise
            except (PolicyEvalError, ValueError, TypeError, ArithmeticError, LookupError) as error:
                raise PluginContractError(
                    f"triangulation rule {rule!r} failed in assess_groups: {error}"
                ) from error
            if len(results) != len(chosen):
                raise PluginContractError(
                    f"triangulation rule {rule!r}: assess_groups returned {len(results)} "
                    f"assessments for {len(chosen)} groups"
                )
            for number, (key, assessment) in enumerate(zip(chosen.keys, results, strict=True)):
                if not trusted:
                    where = f"unit={key[0]!r}, indicator={key[1]!r}"
                    assessment = _checked(assessment, rule, scale, where, chosen.ids(number))
                found[key] = assessment
    return found


def _built_in(rule: object) -> bool:
    """Whether ``rule`` and every rule inside it are built-in rules (held to the kit's laws)."""
    if type(rule).__module__ != "policyeval.triangulation":
        return False
    inner = [*getattr(rule, "rules", ()), *([rule.base] if hasattr(rule, "base") else [])]
    return all(_built_in(member) for member in inner)


def _check_evidence(framework: Framework, items: Sequence[Evidence]) -> None:
    problems = []
    seen: set[str] = set()
    for item in items:
        file = item.origin.file if item.origin else None
        row = item.origin.row if item.origin else None
        if item.id in seen:
            problems.append(
                Problem("duplicate evidence id", file=file, row=row, key="id", value=item.id)
            )
        seen.add(item.id)
        if item.indicator not in framework:
            problems.append(
                Problem(
                    f"evidence {item.id!r}: unknown indicator",
                    file=file,
                    row=row,
                    key="indicator",
                    value=item.indicator,
                )
            )
        elif not framework.node(item.indicator).is_indicator:
            problems.append(
                Problem(
                    f"evidence {item.id!r}: {item.indicator!r} is not an indicator",
                    file=file,
                    row=row,
                    key="indicator",
                    value=item.indicator,
                )
            )
    if problems:
        raise EvidenceError(problems)


def _assess(
    framework: Framework,
    unit: str,
    node: str,
    items: Sequence[Evidence],
    rule: TriangulationRule,
) -> Assessment:
    scale = framework.scale_of(node)
    assert scale is not None  # validated: every indicator has a scale
    where = f"unit={unit!r}, indicator={node!r}"
    try:
        assessment = rule(tuple(items), scale)
    except PluginContractError:
        raise
    except (PolicyEvalError, ValueError, TypeError, ArithmeticError, LookupError) as error:
        raise PluginContractError(
            f"triangulation rule {rule!r} failed for {where}: {error}"
        ) from error
    return _checked(assessment, rule, scale, where, [item.id for item in items])


def _checked(
    assessment: object, rule: TriangulationRule, scale: Scale, where: str, ids: Sequence[str]
) -> Assessment:
    """``assessment`` when it keeps the rule's contract for evidence ``ids``; else an error."""
    if not isinstance(assessment, Assessment):
        raise PluginContractError(
            f"triangulation rule {rule!r} returned {type(assessment).__name__} for {where}; "
            "expected a policyeval.protocols.Assessment"
        )
    given = set(ids)
    if not set(assessment.evidence) <= given or not set(assessment.agreeing) <= given:
        raise PluginContractError(
            f"triangulation rule {rule!r} cites evidence it was not given for {where}: "
            f"{sorted((set(assessment.evidence) | set(assessment.agreeing)) - given)!r}"
        )
    if (
        isinstance(scale, OrdinalScale)
        and assessment.rating is not None
        and scale.find(assessment.rating) is None
    ):
        raise PluginContractError(
            f"triangulation rule {rule!r} returned rating {assessment.rating!r} for {where}, "
            f"not a level of scale {scale.id!r}"
        )
    if ids and not assessment.evidence:
        raise PluginContractError(
            f"triangulation rule {rule!r} lists no evidence for {where} although it was given "
            f"{len(ids)} items"
        )
    return assessment
