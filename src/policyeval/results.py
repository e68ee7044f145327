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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import attrs

from policyeval._collector import collection_paused
from policyeval._frozen import FrozenDict, freeze, frozen_dict
from policyeval._json import Encoded, Stream, jsonable, round_number, write
from policyeval._json import dumps as _json_dumps
from policyeval._node_text import NodeText
from policyeval.evidence import Evidence, Source
from policyeval.evidence_io import Rejection
from policyeval.evidence_table import items_of_unit
from policyeval.framework import Framework
from policyeval.protocols import Assessment, Confidence, ConfidenceRule, Status
from policyeval.ranking import competition_ranks, strengths_and_weaknesses

__all__ = ["SCHEMA", "Evaluation", "EvidenceIds", "Explanation", "Judgement"]

SCHEMA = "policyeval.evaluation/4"


_round = round_number


class EvidenceIds(Sequence[str]):
    """The ids of the evidence behind an inner node, derived from its children when read.

    An inner node does not copy the ids below it: it keeps its children's id
    sequences, and the sorted union is made the first time it is read (a
    node with one child carrying evidence shares that child's ids). It reads
    and compares as the tuple of ids.

    >>> below = EvidenceIds([("E2", "E1"), ("E3",), ()])
    >>> below, len(below), below == ("E1", "E2", "E3"), "E3" in below
    (('E1', 'E2', 'E3'), 3, True, True)
    >>> EvidenceIds([below, ()])[0]
    'E1'
    """

    __slots__ = ("_ids", "_parts")

    def __init__(self, parts: Iterable[Sequence[str]]) -> None:
        self._parts: tuple[Sequence[str], ...] = tuple(parts)
        self._ids: tuple[str, ...] | None = None

    def _materialise(self) -> tuple[str, ...]:
        if self._ids is None:
            # Depth-first without recursion: a 10,000-deep chain must not overflow the stack.
            stack: list[EvidenceIds] = [self]
            while stack:
                top = stack[-1]
                waiting = [
                    part
                    for part in top._parts
                    if isinstance(part, EvidenceIds) and part._ids is None
                ]
                if waiting:
                    stack.extend(waiting)
                    continue
                stack.pop()
                if top._ids is None:
                    top._ids = union_ids(top._parts)
        assert self._ids is not None  # made just above
        return self._ids

    def __getitem__(self, index: Any) -> Any:
        return self._materialise()[index]

    def __len__(self) -> int:
        return len(self._materialise())

    def __iter__(self) -> Iterator[str]:
        return iter(self._materialise())

    def __contains__(self, item: object) -> bool:
        return item in self._materialise()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._materialise() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._materialise())

    def __repr__(self) -> str:
        return repr(self._materialise())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), ((self._materialise(),),))


def union_ids(parts: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The sorted union of evidence id sequences; one canonical part is shared, not copied.

    >>> union_ids([("b", "a"), ("a",)])
    ('a', 'b')
    """
    filled = [part for part in parts if part]
    if len(filled) == 1 and isinstance(filled[0], EvidenceIds):
        return filled[0]._materialise()
    return tuple(sorted(set().union(*filled)))


@attrs.frozen(kw_only=True)
class Judgement:
    """The verdict on one node for one unit.

    ``level`` is a level id (``None`` when the node is undefined), ``score``
    the number aggregated upward, ``evidence`` the ids of every evidence item
    behind the verdict (for an inner node: behind any of its children, an
    :class:`EvidenceIds` derived from the children's when read, not a copy).
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
    evidence: Sequence[str]
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
        return self._as_dict(self.evidence)

    def _as_dict(
        self, evidence: Sequence[str] | None, rank: tuple[int | None] | tuple[()] = ()
    ) -> dict[str, Any]:
        """The JSON-ready form with ``evidence`` as the ids (left out when ``None``), and the ``rank`` (when given) after the score."""
        return node_document(
            kind=self.kind,
            level=self.level,
            score=self.score,
            rank=rank,
            confidence=self.confidence,
            status=self.status,
            evidence=evidence,
            explanation=self.explanation,
            value=self.value,
            assessment=self.assessment,
            children=self.children,
            weights=self.weights,
            aggregator=self.aggregator,
            share_present=self.share_present,
        )


def node_document(
    *,
    kind: str,
    level: str | None,
    score: float | None,
    rank: tuple[int | None] | tuple[()],
    confidence: Confidence | None,
    status: Status,
    evidence: Sequence[str] | None,
    explanation: str,
    value: float | None = None,
    assessment: Any = None,
    children: Sequence[str] = (),
    weights: Sequence[float] = (),
    aggregator: str | None = None,
    share_present: float | None = None,
) -> dict[str, Any]:
    """One node's entry in the JSON document, from a judgement's fields (one shape for every path).

    ``assessment`` is an :class:`~policyeval.protocols.Assessment` or
    anything with its attributes (the columnar path passes its fields only).
    """
    out: dict[str, Any] = {"kind": kind, "level": level, "score": _round(score)}
    if rank:
        out["rank"] = rank[0]
    # _value_ is the member's own attribute: the value, without the enum descriptor's call.
    out["confidence"] = None if confidence is None else confidence._value_
    out["status"] = status._value_
    if evidence is not None:
        out["evidence"] = list(evidence)
    out["explanation"] = explanation
    if value is not None:
        out["value"] = _round(value)
    if assessment is not None:
        a = assessment
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
    if children:
        out["aggregation"] = {
            "aggregator": aggregator,
            "children": list(children),
            "weights": [_round(w) for w in weights],
            "share_present": _round(share_present),
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


def _judgement_mapping(
    value: Mapping[tuple[str, str], Judgement],
) -> Mapping[tuple[str, str], Judgement]:
    """A read-only mapping: the engine's judgement grid as it is, anything else frozen."""
    if isinstance(value, Mapping) and hasattr(value, "node_texts"):
        return value
    return frozen_dict(value)


@attrs.frozen(kw_only=True)
class Evaluation:
    """Judgements for every unit and node, with the evidence and settings behind them.

    ``judgements`` maps ``(unit, node)`` to a :class:`Judgement` (the
    engine's is a grid of arrays that makes each judgement when it is first
    read); ``units``
    and the framework's declaration order fix the order of everything
    written out. ``evidence`` holds the items evaluated, ``rejected`` the
    input rows that were not, ``sources`` the sources table (when one was
    read), and ``settings`` the plug-ins used (by their ``repr``).
    """

    framework: Framework
    units: tuple[str, ...]
    judgements: Mapping[tuple[str, str], Judgement] = attrs.field(converter=_judgement_mapping)
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

    def unit_levels(self, unit: str) -> dict[str, str | None]:
        """Every node's level for ``unit``, in the framework's declaration order.

        The same as :meth:`level` node by node, without making a judgement
        for each when the evaluation holds its judgements as arrays.

        >>> from policyeval.report._examples import two_unit_result
        >>> evaluation = two_unit_result().evaluation
        >>> unit = evaluation.units[0]
        >>> levels = evaluation.unit_levels(unit)
        >>> levels == {node: evaluation.level(unit, node) for node in evaluation.framework.node_ids}
        True
        """
        held = getattr(self.judgements, "unit_levels", None)
        if held is None:
            return {node: self.level(unit, node) for node in self.framework.node_ids}
        try:
            found = held(unit)
        except KeyError:
            raise KeyError(f"no judgement for unit={unit!r}") from None
        return {node: found[node] for node in self.framework.node_ids}

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
        columnar = getattr(self.judgements, "score_column", None)
        if columnar is not None:
            scores = columnar(node)
        else:
            scores = [self.judgement(unit, node).score for unit in self.units]
        ranks = competition_ranks(scores)
        return FrozenDict(zip(self.units, ranks, strict=True))

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
        path: list[str] = []
        while True:
            child = self._status_child(unit, node)
            if child is None:
                return tuple(path)
            path.append(child)
            node = child

    def _status_child(self, unit: str, node: str) -> str | None:
        """The child whose status ``node`` took (the first step of :meth:`status_from`)."""
        judgement = self.judgement(unit, node)
        for child, weight in zip(judgement.children, judgement.weights, strict=False):
            found = self.judgement(unit, child)
            if weight > 0 and found.score is not None and found.status is judgement.status:
                return child
        return None

    def status_origins(self, unit: str) -> dict[str, tuple[str, str]]:
        """For every node that inherits its status: the child it took it from, and the origin.

        The origin is the last node of :meth:`status_from` (the indicator, or
        the node lowered for a missing child, whose status it is). One pass
        over the nodes, however deep the framework, where calling
        :meth:`status_from` on every node would walk each path again.

        >>> from policyeval import evaluate, frameworks
        >>> from policyeval.evidence import Evidence
        >>> fw = frameworks.load("agustino")
        >>> items = [Evidence(id="E1", unit="u", indicator="regulasi_turunan", rating="baik",
        ...                   source="s1", source_category="asn", technique="interview")]
        >>> evaluate(fw, items, min_share=0).status_origins("u")["program"]
        ('regulasi', 'regulasi_turunan')
        """
        origins: dict[str, tuple[str, str]] = {}
        for node in self.framework.bottom_up():
            child = self._status_child(unit, node)
            if child is not None:
                origins[node] = (child, origins[child][1] if child in origins else child)
        return origins

    def explain(
        self, unit: str, node: str | None = None, *, lang: str | None = None
    ) -> Explanation:
        """Walk from ``node`` (default: the root) down to the evidence rows.

        ``status_from`` on an inner node's explanation names the path its
        status comes from (see :meth:`status_from`); a path of more than
        four parts is shortened to its first two and its last, with ``…``
        between, so the explanation of a deep chain stays linear in size.

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
        self.judgement(unit, node)  # a KeyError naming both when unknown
        by_id = {item.id: item for item in items_of_unit(self.evidence, unit)}
        framework = self.framework
        paths = _short_paths(self, unit)
        # Post-order without recursion; a node shared by several parents is explained once.
        done: dict[str, Explanation] = {}
        stack = [node]
        while stack:
            current = stack[-1]
            if current in done:
                stack.pop()
                continue
            judgement = self.judgement(unit, current)
            label = framework.label(current, lang)
            if judgement.assessment is not None or framework.node(current).is_indicator:
                items = tuple(by_id[i] for i in judgement.evidence if i in by_id)
                done[current] = Explanation(judgement=judgement, label=label, evidence=items)
                stack.pop()
                continue
            waiting = [child for child in framework.children(current) if child not in done]
            if waiting:
                stack.extend(reversed(waiting))
                continue
            stack.pop()
            done[current] = Explanation(
                judgement=judgement,
                label=label,
                children=tuple(done[child] for child in framework.children(current)),
                status_from=tuple(
                    part if part == "…" else f"{framework.label(part, lang)} [{part}]"
                    for part in paths.get(current, ())
                ),
            )
        return done[node]

    def _document(
        self,
        extra: Callable[[str], Mapping[str, Mapping[str, Any]]] | None = None,
        *,
        ranks: Mapping[str, Mapping[str, int | None]] | None = None,
    ) -> dict[str, Any]:
        """The document with its units as a :class:`~policyeval._json.Stream`.

        Each unit's nodes are written as text (:class:`~policyeval._node_text.NodeText`)
        when the writer reaches the unit; ``extra(unit)`` gives members (JSON-ready
        values) to add after a node's own, by node. ``ranks`` gives each node's
        rank per unit in place of :meth:`ranks`.
        """
        framework = self.framework
        by_node = [
            self.ranks(node) if ranks is None else ranks[node] for node in framework.node_ids
        ]
        # Each unit's ranks, in declaration order.
        ranks_of = {unit: tuple(column[unit] for column in by_node) for unit in self.units}
        columnar = getattr(self.judgements, "node_texts", None)
        encoders = {True: NodeText(compact=True), False: NodeText(compact=False)}

        keys = [json.dumps(node, ensure_ascii=False) for node in framework.node_ids]

        def node_texts(unit: str, compact: bool) -> list[str]:
            encoder = encoders[compact]
            if columnar is not None:
                return columnar(unit, ranks_of[unit], encoder)  # type: ignore[no-any-return]
            texts = []
            for node, rank in zip(framework.node_ids, ranks_of[unit], strict=True):
                judgement = self.judgement(unit, node)
                # Inner nodes name their children; their evidence ids are the children's.
                indicator = framework.node(node).is_indicator
                texts.append(
                    encoder.node(
                        kind=judgement.kind,
                        level=judgement.level,
                        score=judgement.score,
                        rank=(rank,),
                        confidence=judgement.confidence,
                        status=judgement.status,
                        evidence=judgement.evidence if indicator else None,
                        explanation=judgement.explanation,
                        value=judgement.value,
                        assessment=judgement.assessment,
                        children=judgement.children,
                        weights=judgement.weights,
                        aggregator=judgement.aggregator,
                        share_present=judgement.share_present,
                        status_from=self._status_child(unit, node),
                    )
                )
            return texts

        def extended(unit: str, compact: bool) -> list[str]:
            texts = node_texts(unit, compact)
            added = extra(unit) if extra is not None else None
            if added:
                encoder = encoders[compact]
                texts = [
                    text if node not in added else encoder.appended(text, added[node])
                    for node, text in zip(framework.node_ids, texts, strict=True)
                ]
            return texts

        def unit_document(unit: str) -> dict[str, Any]:
            return {
                "nodes": Encoded(lambda compact: zip(keys, extended(unit, compact), strict=True))
            }

        return {
            "schema": SCHEMA,
            "framework": framework.id,
            "framework_version": framework.version,
            "root": framework.root,
            "settings": jsonable(self.settings),
            "units": Stream(lambda: ((unit, unit_document(unit)) for unit in self.units)),
            "rejected": [rejection.as_dict() for rejection in self.rejected],
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready document (see :meth:`to_json`)."""
        return dict(jsonable(self._document()))

    def write_json(self, out: IO[str], *, compact: bool = False) -> None:
        """Write the document of :meth:`to_json` to ``out`` unit by unit, never whole in memory.

        >>> import io
        >>> from policyeval.report._examples import two_unit_result
        >>> evaluation, out = two_unit_result().evaluation, io.StringIO()
        >>> evaluation.write_json(out)
        >>> out.getvalue() == evaluation.to_json()
        True
        """
        # Writing makes many short-lived objects and no cycles: the cyclic collector only costs.
        with collection_paused():
            write(self._document(), out, compact=compact)

    def to_json(self, *, indent: int | None = 2, compact: bool = False) -> str:
        """A stable, versioned JSON document; identical inputs give identical bytes.

        Keys: ``schema`` (``"policyeval.evaluation/4"``), ``framework``,
        ``units`` → unit → ``nodes`` → node → ``level``, ``score``,
        ``rank`` (among the evaluation's units), ``confidence``, ``status``,
        ``evidence`` at indicators (an inner node names its children in
        ``aggregation.children``; ``status_from`` names the child it took its
        status from, see :meth:`status_from`), and ``rejected``.
        ``compact=True`` writes the same document without white space (for
        machines); ``indent`` is the indentation of the readable form.
        """
        with collection_paused():
            return dumps(self._document(), indent=indent, compact=compact)

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


def _short_paths(evaluation: Evaluation, unit: str) -> dict[str, tuple[str, ...]]:
    """:meth:`Evaluation.status_from` for every node, paths over four parts shortened with ``…``.

    Built bottom-up from each node's first step, so the work is linear in
    the nodes whatever the depth.
    """
    paths: dict[str, tuple[str, ...]] = {}
    lengths: dict[str, int] = {}
    origins = evaluation.status_origins(unit)
    for node in evaluation.framework.bottom_up():
        if node not in origins:
            continue
        child, origin = origins[node]
        length = 1 + lengths.get(child, 0)
        lengths[node] = length
        below = paths.get(child, ())
        if length <= 4:
            paths[node] = (child, *below)
        else:
            paths[node] = (child, below[0], "…", origin)
    return paths


def dumps(document: Any, *, indent: int | None = 2, compact: bool = False) -> str:
    """Serialise a result document deterministically (UTF-8 text, trailing newline).

    The readable form (``indent=2``) and the compact one are written piece
    by piece by :mod:`policyeval._json`; another ``indent`` goes through
    :func:`json.dumps`.
    """
    if compact or indent == 2:
        return _json_dumps(document, compact=compact)
    return json.dumps(jsonable(document), ensure_ascii=False, indent=indent, allow_nan=False) + "\n"
