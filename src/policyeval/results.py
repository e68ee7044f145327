"""Results: a judgement for every unit and node, each traceable to its evidence.

An :class:`Evaluation` holds one :class:`Judgement` per (unit, node). An
indicator's judgement carries the :class:`~policyeval.protocols.Assessment`
its triangulation rule made; an inner node's judgement names the children
and weights it combined. :meth:`Evaluation.explain` walks from any node down
to the evidence rows behind it (the report package draws it), and :meth:`Evaluation.to_json` writes a
stable, versioned JSON document: identical inputs give byte-identical output.
"""

from __future__ import annotations

import json
import math
import types
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from policyeval._frozen import freeze, frozen_dict
from policyeval.evidence import Evidence, Source
from policyeval.evidence_io import Rejection
from policyeval.evidence_table import items_of_unit
from policyeval.framework import Framework
from policyeval.protocols import Assessment, Confidence, ConfidenceRule, Status
from policyeval.ranking import competition_ranks, strengths_and_weaknesses

__all__ = ["SCHEMA", "Evaluation", "Explanation", "Judgement"]

SCHEMA = "policyeval.evaluation/3"


def _round(number: float | None) -> float | None:
    """Round for output, so float noise (2.6000000000000005) does not show."""
    if number is None:
        return None
    rounded = round(number, 10)
    return 0.0 if rounded == 0 else rounded


@attrs.frozen(kw_only=True)
class Judgement:
    """The verdict on one node for one unit.

    ``level`` is a level id (``None`` when the node is undefined), ``score``
    the number aggregated upward, ``evidence`` the ids of every evidence item
    behind the verdict (for an inner node: behind any of its children).
    Indicators carry their ``assessment``; inner nodes carry the
    ``children`` and ``weights`` they combined, the ``aggregator`` used, and
    ``share_present``, the share of child weight that had a score.
    """

    unit: str
    node: str
    kind: str
    level: str | None
    score: float | None
    confidence: Confidence | None
    status: Status
    evidence: tuple[str, ...]
    explanation: str
    value: float | None = None
    assessment: Assessment | None = None
    children: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    aggregator: str | None = None
    share_present: float | None = None

    @property
    def is_defined(self) -> bool:
        """Whether the node received a score."""
        return self.score is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form of the judgement."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "level": self.level,
            "score": _round(self.score),
            "confidence": None if self.confidence is None else self.confidence.value,
            "status": self.status.value,
            "evidence": list(self.evidence),
            "explanation": self.explanation,
        }
        if self.value is not None:
            out["value"] = _round(self.value)
        if self.assessment is not None:
            a = self.assessment
            out["triangulation"] = {
                "rule": a.rule,
                "agreement": _round(a.agreement),
                "agreeing": list(a.agreeing),
                "sources": list(a.sources),
                "source_categories": list(a.source_categories),
                "techniques": list(a.techniques),
                "dates": list(a.dates),
                "investigators": list(a.investigators),
                "concerns": list(a.concerns),
            }
        if self.children:
            out["aggregation"] = {
                "aggregator": self.aggregator,
                "children": list(self.children),
                "weights": [_round(w) for w in self.weights],
                "share_present": _round(self.share_present),
            }
        return out


@attrs.frozen(kw_only=True)
class Explanation:
    """A judgement with the explanations of its children, down to evidence rows.

    Results do not render themselves: :func:`policyeval.report.render_tree`
    draws it as an indented tree, and
    :func:`policyeval.report.render_explanation` words it in the reader's
    language.
    """

    judgement: Judgement
    label: str
    children: tuple[Explanation, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    status_from: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Evaluation:
    """Judgements for every unit and node, with the evidence and settings behind them.

    ``judgements`` maps ``(unit, node)`` to a :class:`Judgement`; ``units``
    and the framework's declaration order fix the order of everything
    written out. ``evidence`` holds the items evaluated, ``rejected`` the
    input rows that were not, ``sources`` the sources table (when one was
    read), and ``settings`` the plug-ins used (by their ``repr``).
    """

    framework: Framework
    units: tuple[str, ...]
    judgements: dict[tuple[str, str], Judgement] = attrs.field(converter=frozen_dict)
    evidence: Sequence[Evidence] = ()
    rejected: tuple[Rejection, ...] = ()
    sources: dict[str, Source] = attrs.field(factory=dict, converter=frozen_dict)
    settings: dict[str, Any] = attrs.field(factory=dict, converter=freeze)
    confidence_rule: ConfidenceRule | None = attrs.field(default=None, eq=False, repr=False)
    min_share: float = 0.5

    def judgement(self, unit: str, node: str) -> Judgement:
        """The judgement on ``node`` for ``unit`` (``KeyError`` naming both when unknown)."""
        try:
            return self.judgements[unit, node]
        except KeyError:
            raise KeyError(f"no judgement for unit={unit!r}, node={node!r}") from None

    def __getitem__(self, key: tuple[str, str]) -> Judgement:
        return self.judgement(*key)

    def level(self, unit: str, node: str) -> str | None:
        """Shorthand for ``judgement(unit, node).level``."""
        return self.judgement(unit, node).level

    def ranks(self, node: str) -> Mapping[str, int | None]:
        """Each unit's competition rank on ``node`` (1 = highest score; ``None`` = no score).

        Tied scores share the lower rank number and the next is skipped
        ("1224"), as in COINr; see :mod:`policyeval.ranking`.

        >>> from policyeval.report._examples import two_unit_result
        >>> dict(two_unit_result().evaluation.ranks("people"))
        {'north': 1, 'south': 2}
        """
        if node not in self.framework:
            raise KeyError(f"framework {self.framework.id!r} has no node {node!r}")
        ranks = competition_ranks([self.judgement(unit, node).score for unit in self.units])
        return types.MappingProxyType(dict(zip(self.units, ranks, strict=True)))

    def rank(self, unit: str, node: str) -> int | None:
        """The competition rank of ``unit`` on ``node`` among the evaluation's units.

        >>> from policyeval.report._examples import two_unit_result
        >>> two_unit_result().evaluation.rank("south", "money")  # tied with north
        1
        """
        self.judgement(unit, node)  # a KeyError naming both when unknown
        return self.ranks(node)[unit]

    def strengths_and_weaknesses(
        self, unit: str, n: int = 3, *, nodes: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The ``n`` nodes where ``unit`` ranks best, and the ``n`` where it ranks worst.

        ``nodes`` are the candidates (default: the indicators), compared by
        the unit's rank among the evaluation's units (COINr's top and
        bottom indicators by rank). Nodes where every unit ties, or where
        the unit has no score, are left out; a strength must be in the upper
        half of the ranking and a weakness in the lower half (see
        :func:`policyeval.ranking.strengths_and_weaknesses`); strengths come
        best first, weaknesses worst first. With one unit there are none.

        >>> from policyeval.report._examples import two_unit_result
        >>> evaluation = two_unit_result().evaluation
        >>> evaluation.strengths_and_weaknesses("north"), evaluation.strengths_and_weaknesses("south")
        ((('staffing',), ()), ((), ('staffing',)))
        """
        self.judgement(unit, self.framework.root)  # a KeyError naming the unit when unknown
        candidates = self.framework.indicators if nodes is None else tuple(nodes)
        return strengths_and_weaknesses({node: self.ranks(node) for node in candidates}, unit, n)

    def for_unit(self, unit: str) -> tuple[Judgement, ...]:
        """The judgements for one unit, in framework declaration order."""
        return tuple(self.judgement(unit, node) for node in self.framework.node_ids)

    def status_from(self, unit: str, node: str) -> tuple[str, ...]:
        """Where an inner node's status comes from: the path down to the part it inherits it from.

        An inner node's status is its weakest scored child's (lowered to
        ``partially_corroborated`` when a child is missing). This returns the
        node ids from the child whose status the node took down to the
        indicator that has it as its own, so a report can say "contested,
        from Regulasi turunan". It is empty when the status is the node's
        own: an indicator, a node lowered for a missing child, or no evidence.

        >>> from policyeval import evaluate, frameworks
        >>> from policyeval.evidence import Evidence
        >>> fw = frameworks.load("agustino")
        >>> items = [Evidence(id="E1", unit="u", indicator="regulasi_turunan", rating="baik",
        ...                   source="s1", source_category="asn", technique="interview")]
        >>> evaluate(fw, items, min_share=0).status_from("u", "program")
        ('regulasi', 'regulasi_turunan')
        """
        judgement = self.judgement(unit, node)
        for child, weight in zip(judgement.children, judgement.weights, strict=False):
            found = self.judgement(unit, child)
            if weight > 0 and found.score is not None and found.status is judgement.status:
                return (child, *self.status_from(unit, child))
        return ()

    def explain(
        self, unit: str, node: str | None = None, *, lang: str | None = None
    ) -> Explanation:
        """Walk from ``node`` (default: the root) down to the evidence rows.

        >>> from policyeval import evaluate, frameworks
        >>> from policyeval.evidence import Evidence, Source
        >>> fw = frameworks.load("agustino")
        >>> items = [Evidence(id="E1", unit="u", indicator="kompetensi", rating="baik",
        ...                   source="s1", source_category="asn", technique="interview")]
        >>> result = evaluate(fw, items)
        >>> tree = result.explain("u", "kompetensi")
        >>> tree.judgement.level, [item.id for item in tree.evidence]
        ('baik', ['E1'])
        >>> tree.children, tree.judgement.status.value
        ((), 'single_source')
        """
        node = node or self.framework.root
        by_id = {item.id: item for item in items_of_unit(self.evidence, unit)}
        return self._explain(unit, node, lang, by_id)

    def _explain(
        self, unit: str, node: str, lang: str | None, by_id: Mapping[str, Evidence]
    ) -> Explanation:
        judgement = self.judgement(unit, node)
        label = self.framework.label(node, lang)
        if judgement.assessment is not None or self.framework.node(node).is_indicator:
            items = tuple(by_id[i] for i in judgement.evidence if i in by_id)
            return Explanation(judgement=judgement, label=label, evidence=items)
        children = tuple(
            self._explain(unit, child, lang, by_id) for child in self.framework.children(node)
        )
        status_from = tuple(
            f"{self.framework.label(part, lang)} [{part}]" for part in self.status_from(unit, node)
        )
        return Explanation(
            judgement=judgement, label=label, children=children, status_from=status_from
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready document (see :meth:`to_json`)."""
        ranks = {node: self.ranks(node) for node in self.framework.node_ids}
        units: dict[str, Any] = {}
        for unit in self.units:
            nodes: dict[str, dict[str, Any]] = {}
            for node in self.framework.node_ids:
                # The rank goes right after the score it ranks.
                written = self.judgement(unit, node).as_dict()
                nodes[node] = {}
                for key, value in written.items():
                    nodes[node][key] = value
                    if key == "score":
                        nodes[node]["rank"] = ranks[node][unit]
            for node, document in nodes.items():
                inherited = self.status_from(unit, node)
                if inherited:
                    document["status_from"] = inherited[0]
            units[unit] = {"nodes": nodes}
        return {
            "schema": SCHEMA,
            "framework": self.framework.id,
            "framework_version": self.framework.version,
            "root": self.framework.root,
            "settings": _jsonable(self.settings),
            "units": units,
            "rejected": [rejection.as_dict() for rejection in self.rejected],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """A stable, versioned JSON document; identical inputs give identical bytes.

        Keys: ``schema`` (``"policyeval.evaluation/3"``), ``framework``,
        ``units`` → unit → ``nodes`` → node → ``level``, ``score``,
        ``rank`` (among the evaluation's units), ``confidence``, ``status``,
        ``evidence`` (and more: ``status_from`` names the child an inner node
        took its status from, see :meth:`status_from`), and ``rejected``.
        """
        return dumps(self.to_dict(), indent=indent)

    def to_frame(self) -> Any:
        """A :class:`pandas.DataFrame` with one row per unit and node (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "Evaluation.to_frame() needs pandas: pip install 'policyeval[pandas]'"
            ) from None
        records = []
        ranks = {node: self.ranks(node) for node in self.framework.node_ids}
        for unit in self.units:
            for node in self.framework.node_ids:
                j = self.judgement(unit, node)
                records.append(
                    {
                        "unit": unit,
                        "node": node,
                        "kind": j.kind,
                        "label": self.framework.label(node),
                        "level": j.level,
                        "score": j.score,
                        "rank": ranks[node][unit],
                        "confidence": None if j.confidence is None else j.confidence.value,
                        "status": j.status.value,
                        "n_evidence": len(j.evidence),
                    }
                )
        return pd.DataFrame.from_records(records)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return _round(value) if math.isfinite(value) else str(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return repr(value)


def dumps(document: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """Serialise a result document deterministically (UTF-8 text, trailing newline)."""
    return (
        json.dumps(_jsonable(document), ensure_ascii=False, indent=indent, allow_nan=False) + "\n"
    )
