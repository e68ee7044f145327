"""Judgements, one at a time or as a units x nodes grid made only when asked for.

The engine's last step reads each node's level, status and confidence from
the stages' results. :func:`indicator_judgement` and :func:`inner_judgement`
make one :class:`~policyeval.results.Judgement` (the scalar path).
:func:`judgement_grid` computes the same verdicts as units x nodes arrays in
one pass up the graph (the columnar path) and returns a
:class:`JudgementGrid`: a read-only mapping ``(unit, node) -> Judgement``
that makes each judgement (with the scalar functions, from the judgements of
its children) the first time it is read, and writes the JSON document's
nodes straight from its arrays, as text, without making any.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from policyeval._frozen import FrozenDict
from policyeval._node_text import NodeText
from policyeval._rule_arrays import AssessmentFields
from policyeval.aggregate import NodeScores
from policyeval.confidence import _Weakest
from policyeval.exceptions import PluginContractError
from policyeval.framework import Framework
from policyeval.protocols import Assessment, Confidence, ConfidenceRule, Status
from policyeval.results import EvidenceIds, Judgement
from policyeval.scales import NumericScale, OrdinalScale
from policyeval.score import ScoreTable, cell_grid
from policyeval.triangulate import AssessmentTable

__all__ = ["JudgementGrid", "indicator_judgement", "inner_judgement", "judgement_grid"]

_STATUSES = tuple(Status)
_CONFIDENCES = tuple(Confidence)
_NO_EVIDENCE = _STATUSES.index(Status.NO_EVIDENCE)
_PARTIAL = _STATUSES.index(Status.PARTIALLY_CORROBORATED)
_MEASURED = _STATUSES.index(Status.MEASURED)
_NONE = -1  # no confidence
_ABOVE = 127  # above every rank, for minimum reductions


def _indicator_fields(
    table: ScoreTable,
    node: str,
    score_cell: float,
    value_cell: float,
    origin: str | None,
    level: str | None,
    assessment: Assessment | AssessmentFields | None,
) -> dict[str, Any]:
    """The fields of an indicator's judgement from its cells (see :func:`indicator_judgement`).

    ``assessment`` may be given as its fields only (an
    :class:`~policyeval._rule_arrays.AssessmentFields`), as the JSON writer does.
    """
    number = None if score_cell != score_cell else score_cell  # nan: no score
    if origin == "data":
        value = None if value_cell != value_cell else value_cell
        return {
            "level": level,
            "score": number,
            "confidence": None,
            "status": Status.MEASURED if number is not None else Status.NO_EVIDENCE,
            "evidence": (),
            "explanation": f"from the data table: {value!r} scored by {table.scorers[node]}",
            "value": value,
            "assessment": None,
        }
    if assessment is None:
        return {
            "level": None,
            "score": None,
            "confidence": None,
            "status": Status.NO_EVIDENCE,
            "evidence": (),
            "explanation": "0 evidence items",
            "value": None,
            "assessment": None,
        }
    return {
        "level": level,
        "score": number,
        "confidence": assessment.confidence if number is not None or level is not None else None,
        "status": assessment.status,
        "evidence": assessment.evidence,
        "explanation": assessment.explanation or f"{len(assessment.evidence)} evidence items",
        "value": assessment.value,
        "assessment": assessment,
    }


def indicator_judgement(
    table: ScoreTable, unit: str, node: str, score_cell: float, value_cell: float
) -> Judgement:
    """The judgement on indicator ``node`` for ``unit`` from its cells of the score table."""
    found = table.triangulation
    return Judgement(
        unit=unit,
        node=node,
        kind=table.framework.node(node).kind,
        **_indicator_fields(
            table,
            node,
            score_cell,
            value_cell,
            table.origins[unit, node],
            table.levels[unit, node],
            found.assessments.get((unit, node)) if found is not None else None,
        ),
    )


def inner_explanation(
    framework: Framework,
    node: str,
    aggregator: str,
    number: float | None,
    level: str | None,
    present: int,
    missing: Sequence[str],
    share: float,
    min_share: float,
    reachable: tuple[float, ...] | None,
) -> str:
    """The one-line explanation of an inner node's verdict."""
    if number is None:
        if reachable is not None:
            shown = ", ".join(_level_text(framework, node, value) for value in reachable)
            return (
                f"undefined: with {', '.join(missing)} unknown, {aggregator} can reach "
                f"{shown or 'no result'}"
            )
        return (
            f"undefined: children with a score carry {share:.0%} of the weight, "
            f"below the minimum share {min_share:.0%}"
        )
    level_text = f" -> {level}" if level else ""
    return f"{aggregator} of {present} children = {number:.2f}{level_text}" + (
        f"; missing: {', '.join(missing)} (weights renormalised)" if missing else ""
    )


def inner_judgement(
    framework: Framework,
    unit: str,
    node: str,
    children: Sequence[Judgement],
    weights: Sequence[float],
    aggregator: str,
    confidence_rule: ConfidenceRule,
    min_share: float,
    number: float | None,
    share: float,
    reachable: tuple[float, ...] | None,
) -> Judgement:
    """A judgement on an inner node whose score (or undefinedness) is already known."""
    # The ids below are derived from the children's when read, not copied at every level.
    evidence = EvidenceIds(child.evidence for child in children)
    common: dict[str, Any] = {
        "unit": unit,
        "node": node,
        "kind": framework.node(node).kind,
        "evidence": evidence,
        "children": tuple(child.node for child in children),
        "weights": tuple(weights),
        "aggregator": aggregator,
        "share_present": share,
    }
    missing = [
        child.node
        for child, w in zip(children, weights, strict=True)
        if child.score is None and w > 0
    ]
    if number is None:
        explanation = inner_explanation(
            framework, node, aggregator, None, None, 0, missing, share, min_share, reachable
        )
        return Judgement(
            level=None,
            score=None,
            confidence=None,
            status=Status.NO_EVIDENCE,
            explanation=explanation,
            **common,
        )
    present = [
        (child, w) for child, w in zip(children, weights, strict=True) if child.score is not None
    ]
    level = _level_of(framework, node, number)
    positive = [(child, w) for child, w in present if w > 0]
    status = min((child.status for child, _ in positive), default=Status.NO_EVIDENCE)
    if missing and status is not Status.MEASURED:
        # Measured data has no corroboration to lose; its gaps show in share_present.
        status = min(status, Status.PARTIALLY_CORROBORATED)
    confidence = _confidence(
        confidence_rule,
        [child.confidence for child, _ in present],
        [w for _, w in present],
        unit,
        node,
    )
    explanation = inner_explanation(
        framework, node, aggregator, number, level, len(present), missing, share, min_share, None
    )
    return Judgement(
        level=level,
        score=number,
        confidence=confidence,
        status=status,
        explanation=explanation,
        **common,
    )


def _confidence(
    rule: ConfidenceRule,
    confidences: Sequence[Confidence | None],
    weights: Sequence[float],
    unit: str,
    node: str,
) -> Confidence | None:
    confidence = rule(confidences, weights)
    if confidence is not None and not isinstance(confidence, Confidence):
        raise PluginContractError(
            f"confidence rule {rule!r} returned {confidence!r} for unit={unit!r}, "
            f"node={node!r}; expected a policyeval.protocols.Confidence or None"
        )
    return confidence


def _level_of(framework: Framework, node: str, number: float) -> str | None:
    scale = framework.scale_of(node)
    if isinstance(scale, OrdinalScale):
        return scale.level_for_score(number).id
    if isinstance(scale, NumericScale):
        banded = scale.level_for_value(number)
        return banded.id if banded else None
    return None


def _level_text(framework: Framework, node: str, value: float) -> str:
    scale = framework.scale_of(node)
    if isinstance(scale, OrdinalScale):
        return f"{scale.level_for_score(value).id} ({value:g})"
    return f"{value:g}"


IntArray = npt.NDArray[np.int8]


class JudgementGrid(Mapping[tuple[str, str], Judgement]):
    """Every unit's verdict on every node as arrays; a :class:`Judgement` is made when read.

    ``levels`` (level ids or ``None``), ``statuses`` (indices into
    :class:`~policyeval.protocols.Status`), ``confidences`` (indices into
    :class:`~policyeval.protocols.Confidence`, ``-1`` for none) and
    ``status_child`` (the position among its children of the child an inner
    node took its status from, ``-1`` for none) are units x nodes arrays,
    nodes in declaration order; the scores are ``nodes.scores``. Reading a
    judgement makes it, and the judgements below it it needs, once.
    """

    def __init__(
        self,
        nodes: NodeScores,
        confidence_rule: ConfidenceRule,
        *,
        levels: npt.NDArray[Any],
        statuses: IntArray,
        confidences: IntArray,
        status_child: npt.NDArray[np.int32],
    ) -> None:
        framework = nodes.framework
        self.nodes = nodes
        self.confidence_rule = confidence_rule
        self.units = nodes.units
        self.levels, self.statuses, self.confidences = levels, statuses, confidences
        self.status_child = status_child
        self._rows = {unit: row for row, unit in enumerate(nodes.units)}
        self._columns = {node: column for column, node in enumerate(nodes.nodes)}
        self._indicator_columns = {
            indicator: column for column, indicator in enumerate(nodes.table.indicators)
        }
        self._children = {node: framework.children(node) for node in framework.inner_nodes}
        self._made: dict[tuple[str, str], Judgement] = {}
        self._kinds = [framework.node(node).kind for node in nodes.nodes]
        # Each indicator (in the score table's order) with its column, and the other nodes.
        self._indicator_places = [
            (indicator, self._columns[indicator]) for indicator in nodes.table.indicators
        ]
        self._inner_places = [
            (column, node)
            for column, node in enumerate(nodes.nodes)
            if node not in self._indicator_columns
        ]
        self._origin_grid = cell_grid(nodes.table, "origins")
        self._level_grid = cell_grid(nodes.table, "levels")
        for array in (levels, statuses, confidences, status_child):
            array.flags.writeable = False

    # --- the mapping --------------------------------------------------------------------------

    def __getitem__(self, key: tuple[str, str]) -> Judgement:
        made = self._made.get(key)
        if made is not None:
            return made
        if key not in self:
            raise KeyError(key)
        unit, node = key
        # Children first, without recursion: a 10,000-deep chain must not overflow the stack.
        stack = [node]
        while stack:
            current = stack[-1]
            if (unit, current) in self._made:
                stack.pop()
                continue
            children = self._children.get(current, ())
            waiting = [child for child in children if (unit, child) not in self._made]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            self._made[unit, current] = self._make(unit, current, children)
        return self._made[unit, node]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((unit, node) for unit in self.units for node in self.nodes.nodes)

    def __len__(self) -> int:
        return len(self.units) * len(self.nodes.nodes)

    def __contains__(self, key: object) -> bool:
        if not (isinstance(key, tuple) and len(key) == 2):
            return False
        try:
            return key[0] in self._rows and key[1] in self._columns
        except TypeError:  # an unhashable part
            return False

    def __repr__(self) -> str:
        return f"JudgementGrid({len(self.units)} units x {len(self.nodes.nodes)} nodes)"

    def __reduce__(self) -> tuple[Any, ...]:
        # The stages' results hold read-only views that do not pickle: a copy holds the judgements.
        return (FrozenDict, (dict(self.items()),))

    def _make(self, unit: str, node: str, children: Sequence[str]) -> Judgement:
        nodes = self.nodes
        row, column = self._rows[unit], self._columns[node]
        if node in self._indicator_columns:
            position = self._indicator_columns[node]
            table = nodes.table
            return indicator_judgement(
                table,
                unit,
                node,
                float(table.scores[row, position]),
                float(table.values[row, position]),
            )
        number = float(nodes.scores[row, column])
        return inner_judgement(
            nodes.framework,
            unit,
            node,
            [self._made[unit, child] for child in children],
            nodes.weights[node],
            nodes.aggregators[node],
            self.confidence_rule,
            nodes.min_share,
            None if math.isnan(number) else number,
            float(nodes.share_present[row, column]),
            nodes.reachable.get((unit, node)),
        )

    def unit_levels(self, unit: str) -> dict[str, str | None]:
        """Every node's level for ``unit``, read off the arrays (no judgement made)."""
        return dict(zip(self.nodes.nodes, self.levels[self._rows[unit]].tolist(), strict=True))

    # --- the JSON document ----------------------------------------------------------------------

    def score_column(self, node: str) -> list[float | None]:
        """Every unit's score on ``node``, in unit order (``None`` = undefined)."""
        column = self.nodes.scores[:, self._columns[node]].tolist()
        return [None if number != number else number for number in column]

    def node_texts(self, unit: str, ranks: Sequence[int | None], encoder: NodeText) -> list[str]:
        """Every node's entry in the JSON document for ``unit`` as text, read off the arrays.

        ``ranks`` are the unit's ranks on the nodes, and the entries come,
        in declaration order; an entry is the text of
        :func:`~policyeval.results.node_document` (with ``status_from``) in
        ``encoder``'s layout.
        """
        nodes = self.nodes
        framework, table = nodes.framework, nodes.table
        row = self._rows[unit]
        table_scores, table_values = table.scores[row].tolist(), table.values[row].tolist()
        found = table.triangulation
        assessments: Mapping[tuple[str, str], Assessment] = (
            found.assessments if found is not None else {}
        )
        origins = self._origin_grid[row].tolist()
        table_levels = self._level_grid[row].tolist()
        kinds = self._kinds
        out = [""] * len(nodes.nodes)
        # Which part holds each indicator's assessment (-1: none, or made) and its group there.
        in_table = assessments if isinstance(assessments, AssessmentTable) else None
        held = in_table.unit_parts(unit) if in_table is not None else None
        parts, groups = held if held is not None else ((), ())
        columns_of = (
            [part.columns() for part in in_table.parts]
            if in_table is not None and held is not None
            else []
        )
        # Assessments a part holds as columns are written together, part by part.
        batches: list[tuple[list[int], list[Any]]] = [([], []) for _ in columns_of]
        for position, (indicator, column) in enumerate(self._indicator_places):
            part = parts[position] if held is not None else -1
            origin = origins[position]
            number = table_scores[position]
            if part >= 0 and origin != "data":
                group_columns = columns_of[part]
                group = groups[position]
                if group_columns is not None and group_columns.patterns[group] >= 0:
                    placed, entries = batches[part]
                    placed.append(column)
                    entries.append(
                        (
                            group,
                            kinds[column],
                            table_levels[position],
                            None if number != number else number,
                            ranks[column],
                        )
                    )
                    continue
            given: Assessment | AssessmentFields | None = (
                in_table.fields(unit, indicator)
                if in_table is not None
                else assessments.get((unit, indicator))
            )
            fields = _indicator_fields(
                table,
                indicator,
                number,
                table_values[position],
                origin,
                table_levels[position],
                given,
            )
            out[column] = encoder.node(kind=kinds[column], rank=(ranks[column],), **fields)
        for part, (placed, entries) in enumerate(batches):
            if entries:
                group_columns = columns_of[part]
                assert group_columns is not None  # only parts with columns get entries
                for column, text in zip(
                    placed, encoder.groups(group_columns, entries), strict=True
                ):
                    out[column] = text
        if not self._inner_places:
            return out
        scores = nodes.scores[row].tolist()
        shares = nodes.share_present[row].tolist()
        levels = self.levels[row].tolist()
        statuses = self.statuses[row].tolist()
        confidences = self.confidences[row].tolist()
        status_child = self.status_child[row].tolist()
        for column, node in self._inner_places:
            children = self._children[node]
            weights = nodes.weights[node]
            number = scores[column]
            defined = number == number
            child_columns = [self._columns[child] for child in children]
            missing = [
                child
                for child, child_column, w in zip(children, child_columns, weights, strict=True)
                if w > 0 and scores[child_column] != scores[child_column]
            ]
            present = sum(scores[c] == scores[c] for c in child_columns)
            level = levels[column]
            confidence = confidences[column]
            explanation = inner_explanation(
                framework,
                node,
                nodes.aggregators[node],
                number if defined else None,
                level,
                present,
                missing,
                shares[column],
                nodes.min_share,
                nodes.reachable.get((unit, node)) if not defined else None,
            )
            taken = status_child[column]
            out[column] = encoder.node(
                kind=kinds[column],
                level=level,
                score=number if defined else None,
                rank=(ranks[column],),
                confidence=None if confidence < 0 else _CONFIDENCES[confidence],
                status=_STATUSES[statuses[column]],
                evidence=None,
                explanation=explanation,
                children=children,
                weights=weights,
                aggregator=nodes.aggregators[node],
                share_present=shares[column],
                status_from=children[taken] if taken >= 0 else None,
            )
        return out


def judgement_grid(nodes: NodeScores, confidence_rule: ConfidenceRule) -> JudgementGrid:
    """The verdicts on every node for every unit, computed as arrays in one pass up the graph.

    Gives what :func:`indicator_judgement` and :func:`inner_judgement` give
    node by node: an inner node's status is its weakest scored child's of
    positive weight (lowered to ``partially_corroborated`` when such a child
    is missing, unless measured), its confidence the ``confidence_rule``'s
    (the built-in ``weakest`` as a reduction, any other rule unit by unit).
    """
    framework, table = nodes.framework, nodes.table
    found = table.triangulation
    units = nodes.units
    shape = (len(units), len(nodes.nodes))
    column_of = {node: column for column, node in enumerate(nodes.nodes)}
    levels = np.full(shape, None, dtype=object)
    statuses = np.full(shape, _NO_EVIDENCE, dtype=np.int8)
    confidences = np.full(shape, _NONE, dtype=np.int8)
    status_child = np.full(shape, -1, dtype=np.int32)
    status_rank = {status: index for index, status in enumerate(_STATUSES)}
    confidence_rank = {confidence: index for index, confidence in enumerate(_CONFIDENCES)}
    scores = nodes.scores
    assessments = found.assessments if found is not None else {}
    origin_grid, level_grid = cell_grid(table, "origins"), cell_grid(table, "levels")
    arrays = found.columns_for(units) if found is not None else None
    for position, indicator in enumerate(table.indicators):
        column = column_of[indicator]
        has_score = ~np.isnan(table.scores[:, position])
        from_data = origin_grid[:, position] == "data"
        levels[from_data, column] = level_grid[from_data, position]
        statuses[from_data, column] = np.where(has_score, _MEASURED, _NO_EVIDENCE)[from_data]
        if arrays is not None:
            judged = arrays[0]
            cells = judged & ~from_data
            level_column = level_grid[:, position]
            levels[cells, column] = level_column[cells]
            statuses[cells, column] = arrays[2][cells, position]
            read = cells & (has_score | (level_column != None))  # noqa: E711 - elementwise
            confidences[read, column] = arrays[3][read, position]
            continue
        for row in np.flatnonzero(~from_data).tolist():
            assessment = assessments.get((units[row], indicator))
            if assessment is None:
                continue
            level = level_grid[row, position]
            levels[row, column] = level
            statuses[row, column] = status_rank[assessment.status]
            if assessment.confidence is not None and (has_score[row] or level is not None):
                confidences[row, column] = confidence_rank[assessment.confidence]
    weakest = isinstance(confidence_rule, _Weakest)
    indicators = set(table.indicators)
    for node in framework.bottom_up():
        if node in indicators:
            continue
        children = framework.children(node)
        column = column_of[node]
        child_columns = [column_of[child] for child in children]
        weights = np.asarray(nodes.weights[node], dtype=np.float64)
        number = scores[:, column]
        defined = ~np.isnan(number)
        present = ~np.isnan(scores[:, child_columns])
        positive = weights > 0
        counted = present & positive
        child_status = statuses[:, child_columns]
        status = np.where(counted, child_status, _ABOVE).min(axis=1, initial=_ABOVE)
        status = np.where(status == _ABOVE, _NO_EVIDENCE, status)
        missing = (~present & positive).any(axis=1)
        status = np.where(missing & (status != _MEASURED), np.minimum(status, _PARTIAL), status)
        status = np.where(defined, status, _NO_EVIDENCE).astype(np.int8)
        statuses[:, column] = status
        taken = counted & (child_status == status[:, None])
        if children:
            status_child[:, column] = np.where(taken.any(axis=1), taken.argmax(axis=1), -1)
        if weakest:
            child_confidence = confidences[:, child_columns]
            usable = counted & (child_confidence >= 0)
            low = np.where(usable, child_confidence, _ABOVE).min(axis=1, initial=_ABOVE)
            confidences[:, column] = np.where(defined & (low != _ABOVE), low, _NONE)
        else:
            for row in np.flatnonzero(defined).tolist():
                kept = np.flatnonzero(present[row]).tolist()
                given = [
                    None
                    if confidences[row, child_columns[k]] < 0
                    else _CONFIDENCES[confidences[row, child_columns[k]]]
                    for k in kept
                ]
                confidence = _confidence(
                    confidence_rule,
                    given,
                    [nodes.weights[node][k] for k in kept],
                    units[row],
                    node,
                )
                if confidence is not None:
                    confidences[row, column] = confidence_rank[confidence]
        levels[:, column] = _levels(framework, node, number, defined)
    return JudgementGrid(
        nodes,
        confidence_rule,
        levels=levels,
        statuses=statuses,
        confidences=confidences,
        status_child=status_child,
    )


def _levels(
    framework: Framework, node: str, number: npt.NDArray[np.float64], defined: npt.NDArray[np.bool_]
) -> npt.NDArray[Any]:
    """Each defined score of ``node`` read back as a level id (``None`` elsewhere)."""
    scale = framework.scale_of(node)
    out = np.full(number.shape, None, dtype=object)
    if isinstance(scale, OrdinalScale):
        bands = scale.effective_bands
        safe = np.where(defined, number, 0.0)
        index = np.zeros(number.shape, dtype=np.int64)
        passing = np.ones(number.shape, dtype=np.bool_)
        for cut in bands.cuts:
            passing &= (safe > cut) | ((safe == cut) if bands.ties == "up" else False)
            index += passing
        ids = np.asarray([scale.get(level).id for level in bands.levels], dtype=object)
        out[defined] = ids[index[defined]]
    elif isinstance(scale, NumericScale):
        for row in np.flatnonzero(defined).tolist():
            banded = scale.level_for_value(float(number[row]))
            out[row] = banded.id if banded else None
    return out
