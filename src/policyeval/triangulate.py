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

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval._collector import collection_paused
from policyeval._frozen import FrozenDict
from policyeval._rule_arrays import AssessmentFields, GroupAssessments
from policyeval.evidence import Evidence, Source
from policyeval.evidence_io import EvidenceSet, Rejection
from policyeval.evidence_table import EvidenceGroups, EvidenceTable
from policyeval.exceptions import (
    EvidenceError,
    InvalidArgument,
    PluginContractError,
    PolicyEvalError,
    Problem,
)
from policyeval.framework import Framework
from policyeval.protocols import Assessment, Confidence, Status, TriangulationRule
from policyeval.registry import build_rule, describe
from policyeval.scales import OrdinalScale, Scale

__all__ = ["RuleSpec", "Triangulation", "triangulate"]

RuleSpec = TriangulationRule | str | Mapping[str, Any]


def _frozen_mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return FrozenDict(value)


def _assessment_mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return value if isinstance(value, AssessmentTable) else _frozen_mapping(value)


class AssessmentTable(Mapping[tuple[str, str], Assessment]):
    """A read-only mapping ``(unit, indicator) -> Assessment`` over the rules' results.

    A built-in rule's array form gives its groups' ratings, statuses and
    confidences as arrays (:class:`~policyeval._rule_arrays.GroupAssessments`)
    and makes an assessment only when it is read; :meth:`columns` gives
    those values for every unit and indicator without making any. Cells
    without evidence share their indicator's assessment of no evidence.
    """

    def __init__(
        self,
        units: tuple[str, ...],
        indicators: tuple[str, ...],
        made: dict[tuple[str, str], Assessment],
        empty: Mapping[str, Assessment],
        parts: Sequence[tuple[GroupAssessments, npt.NDArray[np.int64], npt.NDArray[np.int64]]],
    ) -> None:
        self.units, self.indicators = units, indicators
        self._rows = {unit: row for row, unit in enumerate(units)}
        self._columns = {indicator: column for column, indicator in enumerate(indicators)}
        self._made, self._empty, self._parts = made, dict(empty), tuple(parts)
        shape = (len(units), len(indicators))
        # Which part holds each cell (-1: made already, or no evidence) and its group there.
        self._part = np.full(shape, -1, dtype=np.int32)
        self._group = np.zeros(shape, dtype=np.int64)
        for number, (_, rows, columns) in enumerate(self._parts):
            self._part[rows, columns] = number
            self._group[rows, columns] = np.arange(len(rows))

    def __getitem__(self, key: tuple[str, str]) -> Assessment:
        made = self._made.get(key)
        if made is not None:
            return made
        if key not in self:
            raise KeyError(key)
        unit, indicator = key
        row, column = self._rows[unit], self._columns[indicator]
        part = int(self._part[row, column])
        if part < 0:
            return self._empty[indicator]
        # Made on each read and not kept: writing every cell leaves the table as small as it was.
        return self._parts[part][0][int(self._group[row, column])]

    def fields(self, unit: str, indicator: str) -> Assessment | AssessmentFields | None:
        """The assessment of ``indicator`` for ``unit``, or its fields when it is not made yet.

        ``None`` when the table has no such unit or indicator.
        """
        made = self._made.get((unit, indicator))
        if made is not None:
            return made
        row, column = self._rows.get(unit), self._columns.get(indicator)
        if row is None or column is None:
            return None
        part = int(self._part[row, column])
        if part < 0:
            return self._empty[indicator]
        return self._parts[part][0].fields(int(self._group[row, column]))

    def unit_fields(self, unit: str) -> list[Assessment | AssessmentFields | None]:
        """:meth:`fields` of every indicator for ``unit``, in indicator order."""
        return [
            cell[0].fields(cell[1]) if isinstance(cell, tuple) else cell
            for cell in self.unit_cells(unit)
        ]

    @property
    def parts(self) -> tuple[GroupAssessments, ...]:
        """The array forms' results this table reads groups from (see :meth:`unit_parts`)."""
        return tuple(part for part, _, _ in self._parts)

    def unit_parts(self, unit: str) -> tuple[list[int], list[int]] | None:
        """For each indicator of ``unit``, the part of :attr:`parts` holding its assessment and its
        group there; part ``-1`` when it is made already, or there is no evidence.

        ``None`` when the table has no such unit.
        """
        row = self._rows.get(unit)
        if row is None:
            return None
        return self._part[row].tolist(), self._group[row].tolist()

    def unit_cells(self, unit: str) -> list[Assessment | tuple[GroupAssessments, int] | None]:
        """Where each indicator's assessment for ``unit`` is, in indicator order.

        An assessment already made, or the part holding it and its group
        there (to be read with :meth:`GroupAssessments.fields
        <policyeval._rule_arrays.GroupAssessments.fields>` or its columns);
        ``None`` for every indicator when the table has no such unit.
        """
        row = self._rows.get(unit)
        if row is None:
            return [None] * len(self.indicators)
        out: list[Assessment | tuple[GroupAssessments, int] | None] = []
        parts = self._parts
        for indicator, part, group in zip(
            self.indicators, self._part[row].tolist(), self._group[row].tolist(), strict=True
        ):
            made = self._made.get((unit, indicator)) if self._made else None
            if made is not None:
                out.append(made)
            elif part < 0:
                out.append(self._empty[indicator])
            else:
                out.append((parts[part][0], group))
        return out

    def __contains__(self, key: object) -> bool:
        if not (isinstance(key, tuple) and len(key) == 2):
            return False
        try:
            return key[0] in self._rows and key[1] in self._columns
        except TypeError:  # an unhashable part
            return False

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((unit, indicator) for unit in self.units for indicator in self.indicators)

    def __len__(self) -> int:
        return len(self.units) * len(self.indicators)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_frozen_mapping, (dict(self.items()),))

    def columns(self) -> tuple[npt.NDArray[Any], npt.NDArray[np.int8], npt.NDArray[np.int8]]:
        """Every cell's rating (or ``None``), status and confidence (``-1``: none) as arrays.

        Statuses and confidences are indices into
        :class:`~policyeval.protocols.Status` and
        :class:`~policyeval.protocols.Confidence`; no assessment is made.
        """
        statuses = tuple(Status)
        confidences = tuple(Confidence)
        shape = self._part.shape
        rating = np.full(shape, None, dtype=object)
        status = np.full(shape, statuses.index(Status.NO_EVIDENCE), dtype=np.int8)
        confidence = np.full(shape, -1, dtype=np.int8)
        plain = np.argwhere(self._part < 0).tolist()
        for row, column in plain:
            key = (self.units[row], self.indicators[column])
            found = self._made.get(key) or self._empty[self.indicators[column]]
            rating[row, column] = found.rating
            status[row, column] = statuses.index(found.status)
            if found.confidence is not None:
                confidence[row, column] = confidences.index(found.confidence)
        for part, rows, columns in self._parts:
            ratings = np.empty(len(part.ratings), dtype=object)
            ratings[:] = part.ratings
            rating[rows, columns] = ratings
            status[rows, columns] = part.statuses
            confidence[rows, columns] = part.confidences
        return rating, status, confidence


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
    assessments: Mapping[tuple[str, str], Assessment] = attrs.field(converter=_assessment_mapping)
    evidence: Sequence[Evidence] = ()
    rejected: tuple[Rejection, ...] = ()
    sources: Mapping[str, Source] = attrs.field(factory=dict, converter=_frozen_mapping, eq=False)
    rules: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)

    def columns_for(
        self, units: Sequence[str]
    ) -> (
        tuple[npt.NDArray[np.bool_], npt.NDArray[Any], npt.NDArray[np.int8], npt.NDArray[np.int8]]
        | None
    ):
        """:meth:`AssessmentTable.columns` with one row per unit of ``units``, in that order.

        Also which of ``units`` were judged; the others get no rating, ``no_evidence`` and no
        confidence. ``None`` when the assessments are not an :class:`AssessmentTable`.

        >>> from policyeval import frameworks
        >>> from policyeval.evidence import Evidence
        >>> from policyeval.evidence_table import EvidenceTable
        >>> item = Evidence(id="E1", unit="u", indicator="kompetensi", rating="baik",
        ...                 source="s1", source_category="asn", technique="interview")
        >>> fw = frameworks.load("agustino")
        >>> found = triangulate(fw, EvidenceTable.from_items([item]))
        >>> judged, ratings, statuses, _ = found.columns_for(["u", "v"])
        >>> judged.tolist(), ratings[:, fw.indicators.index("kompetensi")].tolist()
        ([True, False], ['baik', None])
        """
        if not isinstance(self.assessments, AssessmentTable):
            return None
        ratings, statuses, confidences = self.assessments.columns()
        position = {unit: row for row, unit in enumerate(self.units)}
        rows = np.asarray([position.get(unit, -1) for unit in units], dtype=np.int64)
        judged = rows >= 0
        shape = (len(units), ratings.shape[1])
        out_ratings = np.full(shape, None, dtype=object)
        out_statuses = np.full(shape, tuple(Status).index(Status.NO_EVIDENCE), dtype=np.int8)
        out_confidences = np.full(shape, -1, dtype=np.int8)
        out_ratings[judged] = ratings[rows[judged]]
        out_statuses[judged] = statuses[rows[judged]]
        out_confidences[judged] = confidences[rows[judged]]
        return judged, out_ratings, out_statuses, out_confidences

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
    assessments: Mapping[tuple[str, str], Assessment]
    if isinstance(items, EvidenceTable):
        with collection_paused():
            found, parts = _assess_table(framework, items, rule_for)
        assessments = _assessment_table(framework, unit_ids, found, parts, rule_for)
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
    if not plain or not table.unique_ids():
        _check_evidence(framework, table)


_Part = tuple[GroupAssessments, EvidenceGroups]


def _assessment_table(
    framework: Framework,
    units: tuple[str, ...],
    found: dict[tuple[str, str], Assessment],
    parts: list[_Part],
    rule_for: Callable[[str], TriangulationRule],
) -> AssessmentTable:
    """Every unit's assessment of every indicator; a cell without evidence gets the rule's own."""
    indicators = framework.indicators
    row_of = {unit: row for row, unit in enumerate(units)}
    column_of = {indicator: column for column, indicator in enumerate(indicators)}
    placed = []
    covered = np.zeros((len(units), len(indicators)), dtype=np.bool_)
    for lazy, chosen in parts:
        table = chosen.table
        first = chosen.rows[chosen.bounds[:-1]]
        unit_rows = np.asarray([row_of[u] for u in table.vocabulary("unit")] + [-1])
        indicator_columns = np.asarray([column_of[i] for i in table.vocabulary("indicator")] + [-1])
        rows = unit_rows[table.codes("unit")[first]]
        columns = indicator_columns[table.codes("indicator")[first]]
        covered[rows, columns] = True
        placed.append((lazy, rows, columns))
    for unit, indicator in found:
        covered[row_of[unit], column_of[indicator]] = True
    empty: dict[str, Assessment] = {}
    for column, indicator in enumerate(indicators):
        missing = np.flatnonzero(~covered[:, column]).tolist()
        if missing:
            # A rule sees no unit: one assessment of no evidence serves every unit without any.
            unit = units[missing[0]]
            empty[indicator] = _assess(framework, unit, indicator, (), rule_for(indicator))
    return AssessmentTable(units, indicators, found, empty, placed)


def _assess_table(
    framework: Framework, table: EvidenceTable, rule_for: Callable[[str], TriangulationRule]
) -> tuple[dict[tuple[str, str], Assessment], list[_Part]]:
    """Assess every (unit, indicator) group of a table that has evidence.

    A rule with an array form (``assess_groups``) judges all its groups in
    one call; any other rule is called on each group's items, made from the
    table for it. A built-in rule's array form that makes its assessments
    when read (:class:`~policyeval._rule_arrays.GroupAssessments`) is kept
    as it is, with its groups.
    """
    groups = table.groups()
    parts: list[_Part] = []
    # Each group's indicator, as a code into the table's indicator vocabulary.
    group_indicator = table.codes("indicator")[groups.rows[groups.bounds[:-1]]]
    by_code: dict[int, tuple[TriangulationRule, list[int]]] = {}
    for code, indicator in enumerate(table.vocabulary("indicator")):
        rule = rule_for(indicator)
        by_code.setdefault(id(rule), (rule, []))[1].append(code)
    by_rule: dict[int, tuple[TriangulationRule, dict[str, list[int]]]] = {}
    for rule_id, (rule, codes) in by_code.items():
        taken = np.flatnonzero(np.isin(group_indicator, codes))
        taken_codes = group_indicator[taken]
        by_rule[rule_id] = (rule, {})
        for code in codes:
            indicator = table.vocabulary("indicator")[code]
            by_rule[rule_id][1][indicator] = taken[taken_codes == code].tolist()
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
                given = array_form(chosen, scale)
                if trusted and isinstance(given, GroupAssessments) and len(given) == len(chosen):
                    parts.append((given, chosen))
                    continue
                results = list(given)
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
    return found, parts


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
