"""Comparing units side by side: dimension levels, scores and ranks.

:func:`compare` takes the results of several cases (one region each), or one
case with several units, and lines up every unit's judgement on each
dimension and on the root. Ranks use competition ranking: the highest score
is rank 1, tied scores share the lower rank number and the next rank is
skipped ("1224"); a unit without a score on a node has no rank there and
is listed last.

>>> competition_ranks([3.0, 4.0, 3.0, None, 2.0])
(2, 1, 2, None, 4)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from policyeval.case import CaseResult
from policyeval.evidence_io import Rejection
from policyeval.exceptions import InvalidArgument
from policyeval.framework import Framework
from policyeval.results import dumps
from policyeval.scales import Level, NumericScale, OrdinalScale

__all__ = ["SCHEMA", "ComparedUnit", "Comparison", "compare", "competition_ranks"]

SCHEMA = "policyeval.comparison/1"

# Scores are means of level scores: round away float noise before deciding ties.
_TIE_DIGITS = 9


def competition_ranks(scores: Sequence[float | None]) -> tuple[int | None, ...]:
    """Rank scores high to low; ties share the lower rank number; ``None`` gets no rank.

    >>> competition_ranks([2.6, 2.6000000000000005, 3.0])
    (2, 2, 1)
    >>> competition_ranks([None, 1.0])
    (None, 1)
    """
    rounded = [None if score is None else round(score, _TIE_DIGITS) for score in scores]
    defined = [score for score in rounded if score is not None]
    return tuple(
        None if score is None else 1 + sum(other > score for other in defined) for score in rounded
    )


@attrs.frozen(kw_only=True)
class ComparedUnit:
    """One unit's row of a comparison: level id, score and rank per compared node.

    ``key`` is unique within the comparison: the unit id, or ``case/unit``
    when the same unit id comes from several cases. ``confidences`` holds
    the confidence per compared node; ``indicators_with_evidence`` of
    ``indicators`` had evidence for this unit, from ``evidence`` items, so
    a missing indicator shows beside the verdict.
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
                }
                for unit in self.ranked()
            ],
            "rejected": [{"case": case, **row.as_dict()} for case, row in self.rejected],
        }

    def to_json(self) -> str:
        """Deterministic JSON: ``schema`` (``"policyeval.comparison/1"``), ``nodes``, ``units``.

        Units come in rank order. Each unit has ``key``, ``case``, ``unit``,
        ``label``, ``evidence``, ``indicators``, ``indicators_with_evidence``
        and, per node, ``level``, ``score``, ``rank`` and ``confidence``
        (``null`` when undefined). ``rejected`` lists the rows the cases did
        not use, each with its ``case``.
        """
        return dumps(self.to_dict())


def compare(results: Sequence[CaseResult]) -> Comparison:
    """Line up the units of one or more case results on the dimensions and the root.

    All results must use the same framework. The language is the first
    case's.

    >>> from policyeval.report._examples import two_unit_result
    >>> comparison = compare([two_unit_result()])
    >>> [(unit.key, unit.ranks) for unit in comparison.ranked()]
    [('north', (1, 1, 1)), ('south', (2, 1, 2))]
    """
    if not results:
        raise InvalidArgument("compare needs at least one case result, got results=[]")
    first = results[0].evaluation.framework
    for result in results[1:]:
        framework = result.evaluation.framework
        if (framework.id, framework.version) != (first.id, first.version) or framework.children(
            framework.root
        ) != first.children(first.root):
            raise InvalidArgument(
                "compare needs results from one framework, got "
                f"framework={framework.id!r} after framework={first.id!r}"
            )
    nodes = (*first.children(first.root), first.root)
    entries: list[tuple[str, str, dict[str, str], CaseResult]] = []
    for result in results:
        labels = {unit.id: unit.label for unit in result.case.units}
        for unit in result.evaluation.units:
            entries.append((result.case.id, unit, dict(labels.get(unit, {})), result))
    unit_ids = [unit for _, unit, _, _ in entries]
    keys = [unit if unit_ids.count(unit) == 1 else f"{case}/{unit}" for case, unit, _, _ in entries]
    if len(set(keys)) != len(keys):
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        raise InvalidArgument(f"compare got the same unit twice: duplicates={duplicates!r}")
    judgements = [
        [result.evaluation.judgement(unit, node) for node in nodes]
        for _, unit, _, result in entries
    ]
    ranks_by_node = [
        competition_ranks([row[column].score for row in judgements]) for column in range(len(nodes))
    ]
    indicators = first.indicators
    units = tuple(
        ComparedUnit(
            key=key,
            case=case,
            unit=unit,
            label=label,
            levels=tuple(j.level for j in row),
            scores=tuple(None if j.score is None else round(j.score, 10) for j in row),
            ranks=tuple(ranks_by_node[column][index] for column in range(len(nodes))),
            confidences=tuple(None if j.confidence is None else j.confidence.value for j in row),
            evidence=sum(item.unit == unit for item in result.evaluation.evidence),
            indicators=len(indicators),
            indicators_with_evidence=sum(
                bool(result.evaluation.judgement(unit, node).evidence) for node in indicators
            ),
        )
        for index, (key, (case, unit, label, result), row) in enumerate(
            zip(keys, entries, judgements, strict=True)
        )
    )
    rejected = tuple(
        (result.case.id, _relative_to(rejection, result.case.path))
        for result in results
        for rejection in result.evaluation.rejected
    )
    return Comparison(
        framework=first,
        language=results[0].case.language,
        nodes=nodes,
        units=units,
        rejected=rejected,
    )


def _relative_to(rejection: Rejection, folder: Path) -> Rejection:
    """The rejection with its file named relative to the case folder, as in case JSON."""
    if not rejection.file:
        return rejection
    relative = Path(os.path.relpath(rejection.file, folder)).as_posix()
    return attrs.evolve(rejection, file=relative)
