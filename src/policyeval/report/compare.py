"""Comparing units side by side: dimension levels, scores and ranks.

:func:`compare` takes the results of several cases (one region each), or one
case with several units, and lines up every unit's judgement on each
dimension and on the root. Ranks use competition ranking: the highest score
is rank 1, tied scores share the lower rank number and the next rank is
skipped ("1224"); a unit without a score on a node has no rank there and
is listed last. Each unit also gets its strengths and weaknesses: the
indicators where it ranks best and worst among the compared units (see
:mod:`policyeval.ranking`).

>>> competition_ranks([3.0, 4.0, 3.0, None, 2.0])
(2, 1, 2, None, 4)
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from policyeval.evidence_io import Rejection
from policyeval.evidence_table import EvidenceTable
from policyeval.exceptions import InvalidArgument
from policyeval.framework import Framework
from policyeval.protocols import Status
from policyeval.ranking import competition_ranks, strengths_and_weaknesses
from policyeval.report._input import Reportable, chosen_units, parts
from policyeval.results import Evaluation, dumps
from policyeval.scales import Level, NumericScale, OrdinalScale

__all__ = ["SCHEMA", "ComparedUnit", "Comparison", "compare", "competition_ranks"]

SCHEMA = "policyeval.comparison/1"


@attrs.frozen(kw_only=True)
class ComparedUnit:
    """One unit's row of a comparison: level id, score and rank per compared node.

    ``key`` is unique within the comparison: the unit id, or ``case/unit``
    when the same unit id comes from several cases. ``confidences`` holds
    the confidence per compared node; ``indicators_with_evidence`` of
    ``indicators`` had evidence for this unit, from ``evidence`` items, and
    ``indicators_measured`` were read from data, so a missing indicator
    shows beside the verdict. ``strengths`` and
    ``weaknesses`` are indicator ids, best and worst first.
    """

    key: str
    case: str
    unit: str
    label: dict[str, str]
    levels: tuple[str | None, ...]
    scores: tuple[float | None, ...]
    ranks: tuple[int | None, ...]
    confidences: tuple[str | None, ...] = ()
    evidence: int = 0
    indicators: int = 0
    indicators_with_evidence: int = 0
    indicators_measured: int = 0
    strengths: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()

    def text(self, lang: str | None = None) -> str:
        """The unit's label in ``lang`` (else any label, else the key)."""
        if lang in self.label:
            return self.label[lang]
        return next(iter(self.label.values()), self.key)


def _level(framework: Framework, node: str, level_id: str | None) -> Level | None:
    if level_id is None:
        return None
    scales = [framework.scale_of(node), framework.scale_of(framework.root)]
    for scale in scales:
        if isinstance(scale, NumericScale):
            scale = scale.levels
        if isinstance(scale, OrdinalScale):
            found = scale.find(level_id)
            if found is not None:
                return found
    return None


@attrs.frozen(kw_only=True)
class Comparison:
    """Units side by side on the root's children (the dimensions) and the root.

    ``nodes`` lists the compared node ids, dimensions first and the root
    last; each :class:`ComparedUnit` holds values aligned with it. ``units``
    keep the order they were given in; :meth:`ranked` orders them by the
    overall rank, the order every rendering (JSON included) uses.
    ``rejected`` pairs each case id with an evidence row that case did not
    use (``lenient`` cases), its file relative to the case folder.
    """

    framework: Framework = attrs.field(eq=False, repr=False)
    language: str
    nodes: tuple[str, ...]
    units: tuple[ComparedUnit, ...]
    rejected: tuple[tuple[str, Rejection], ...] = ()

    @property
    def root(self) -> str:
        """The id of the framework's root (the last compared node)."""
        return self.nodes[-1]

    def ranked(self) -> tuple[ComparedUnit, ...]:
        """The units by overall rank, ties and then units without a rank in given order."""
        order = {unit.key: index for index, unit in enumerate(self.units)}
        return tuple(
            sorted(
                self.units,
                key=lambda unit: (
                    unit.ranks[-1] is None,
                    unit.ranks[-1] or 0,
                    order[unit.key],
                ),
            )
        )

    def node_text(self, node: str, lang: str | None = None) -> str:
        """A compared node's label in ``lang`` (default: the comparison's language)."""
        return self.framework.label(node, lang or self.language)

    def level_text(self, node: str, level_id: str | None, lang: str | None = None) -> str | None:
        """A level's label in ``lang``; ``None`` for no level."""
        level = _level(self.framework, node, level_id)
        if level is None:
            return level_id
        return level.text(lang or self.language, fallback=self.framework.default_language)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready document (see :meth:`to_json`)."""
        return {
            "schema": SCHEMA,
            "framework": self.framework.id,
            "framework_version": self.framework.version,
            "root": self.root,
            "nodes": list(self.nodes),
            "units": [
                {
                    "key": unit.key,
                    "case": unit.case,
                    "unit": unit.unit,
                    "label": dict(sorted(unit.label.items())),
                    "evidence": unit.evidence,
                    "indicators": unit.indicators,
                    "indicators_with_evidence": unit.indicators_with_evidence,
                    "indicators_measured": unit.indicators_measured,
                    "nodes": {
                        node: {
                            "level": level,
                            "score": score,
                            "rank": rank,
                            "confidence": confidence,
                        }
                        for node, level, score, rank, confidence in zip(
                            self.nodes,
                            unit.levels,
                            unit.scores,
                            unit.ranks,
                            unit.confidences,
                            strict=True,
                        )
                    },
                    "strengths": list(unit.strengths),
                    "weaknesses": list(unit.weaknesses),
                }
                for unit in self.ranked()
            ],
            "rejected": [{"case": case, **row.as_dict()} for case, row in self.rejected],
        }

    def to_json(self, *, compact: bool = False) -> str:
        """Deterministic JSON: ``schema`` (``"policyeval.comparison/1"``), ``nodes``, ``units``.

        Units come in rank order. Each unit has ``key``, ``case``, ``unit``,
        ``label``, ``evidence``, ``indicators``, ``indicators_with_evidence``,
        ``indicators_measured`` (indicators read from data) and, per node, ``level``, ``score``, ``rank`` and ``confidence``
        (``null`` when undefined). ``rejected`` lists the rows the cases did
        not use, each with its ``case``.
        Each unit also lists its ``strengths`` and ``weaknesses`` (indicator ids).
        ``compact=True`` writes the same document without white space.
        """
        return dumps(self.to_dict(), compact=compact)


def compare(
    results: Sequence[Reportable], *, strengths: int = 3, units: Iterable[str] | None = None
) -> Comparison:
    """Line up the units of one or more case results or evaluations on the dimensions and the root.

    All results must use the same framework. The language is the first
    case's (for a bare evaluation, its framework's default language).
    Each unit gets up to ``strengths`` strengths and as many weaknesses, ranked among all the compared units.
    ``units`` keeps only the units with these ids (of any result), ranked among themselves.

    >>> from policyeval.report._examples import two_unit_result
    >>> comparison = compare([two_unit_result()])
    >>> [(unit.key, unit.ranks) for unit in comparison.ranked()]
    [('north', (1, 1, 1)), ('south', (2, 1, 2))]
    """
    if not results:
        raise InvalidArgument("compare needs at least one case result, got results=[]")
    given = [parts(result) for result in results]
    first = given[0][0].framework
    for evaluation, _ in given[1:]:
        framework = evaluation.framework
        if (framework.id, framework.version) != (first.id, first.version) or framework.children(
            framework.root
        ) != first.children(first.root):
            raise InvalidArgument(
                "compare needs results from one framework, got "
                f"framework={framework.id!r} after framework={first.id!r}"
            )
    nodes = (*first.children(first.root), first.root)
    kept = chosen_units((unit for evaluation, _ in given for unit in evaluation.units), units)
    entries: list[tuple[str, str, dict[str, str], Evaluation]] = []
    for evaluation, case_result in given:
        case = case_result.case if case_result is not None else None
        labels = {unit.id: unit.label for unit in case.units} if case is not None else {}
        case_id = case.id if case is not None else evaluation.framework.id
        for unit in evaluation.units:
            if kept is None or unit in kept:
                entries.append((case_id, unit, dict(labels.get(unit, {})), evaluation))
    occurrences = Counter(unit for _, unit, _, _ in entries)
    keys = [unit if occurrences[unit] == 1 else f"{case}/{unit}" for case, unit, _, _ in entries]
    if len(set(keys)) != len(keys):
        duplicates = sorted(key for key, count in Counter(keys).items() if count > 1)
        raise InvalidArgument(f"compare got the same unit twice: duplicates={duplicates!r}")
    judgements = [
        [evaluation.judgement(unit, node) for node in nodes] for _, unit, _, evaluation in entries
    ]
    ranks_by_node = [
        competition_ranks([row[column].score for row in judgements]) for column in range(len(nodes))
    ]
    indicators = first.indicators
    indicator_ranks = {
        node: dict(
            zip(
                keys,
                competition_ranks(
                    [evaluation.judgement(unit, node).score for _, unit, _, evaluation in entries]
                ),
                strict=True,
            )
        )
        for node in first.indicators
    }
    sides = {key: strengths_and_weaknesses(indicator_ranks, key, strengths) for key in keys}
    items_per_unit: dict[int, Counter[str]] = {}
    for _, _, _, evaluation in entries:
        if id(evaluation) not in items_per_unit:
            held = evaluation.evidence
            items_per_unit[id(evaluation)] = Counter(
                held.unit_counts()
                if isinstance(held, EvidenceTable)
                else (item.unit for item in held)
            )
    compared = tuple(
        ComparedUnit(
            key=key,
            case=case,
            unit=unit,
            label=label,
            levels=tuple(j.level for j in row),
            scores=tuple(None if j.score is None else round(j.score, 10) for j in row),
            ranks=tuple(ranks_by_node[column][index] for column in range(len(nodes))),
            confidences=tuple(None if j.confidence is None else j.confidence.value for j in row),
            evidence=items_per_unit[id(evaluation)][unit],
            indicators=len(indicators),
            indicators_with_evidence=sum(
                bool(evaluation.judgement(unit, node).evidence) for node in indicators
            ),
            indicators_measured=sum(
                evaluation.judgement(unit, node).status is Status.MEASURED for node in indicators
            ),
            strengths=sides[key][0],
            weaknesses=sides[key][1],
        )
        for index, (key, (case, unit, label, evaluation), row) in enumerate(
            zip(keys, entries, judgements, strict=True)
        )
    )
    rejected = tuple(
        (
            case_result.case.id if case_result is not None else evaluation.framework.id,
            _relative_to(rejection, case_result.case.path)
            if case_result is not None
            else rejection,
        )
        for evaluation, case_result in given
        for rejection in evaluation.rejected
    )
    first_case = given[0][1]
    return Comparison(
        framework=first,
        language=first_case.case.language if first_case is not None else first.default_language,
        nodes=nodes,
        units=compared,
        rejected=rejected,
    )


def _relative_to(rejection: Rejection, folder: Path) -> Rejection:
    """The rejection with its file named relative to the case folder, as in case JSON."""
    if not rejection.file:
        return rejection
    relative = Path(os.path.relpath(rejection.file, folder)).as_posix()
    return attrs.evolve(rejection, file=relative)
