"""A result document's node entries written as JSON text, from pieces encoded once.

:func:`policyeval.results.node_document` gives a node's entry as a dict; a
document of a thousand units has hundreds of thousands of them, and making
each dict only to encode it costs more than the encoding. :class:`NodeText`
writes the same entry straight as text: the bytes the standard library's
encoder gives for that dict in one layout of :class:`policyeval._json.Encoded`
(compact, or one line with ``", "`` and ``": "``). The words a document
repeats (kinds, levels, statuses, sources, rules, numbers) are encoded once
per writer; evidence ids and explanations are encoded by the C string encoder
as they come; anything unusual (a number that is not a float, a list that
is not of strings) goes through the standard encoder itself, so the text is
always what it would write.

>>> from policyeval.protocols import Status
>>> NodeText(compact=True).node(kind="indicator", level=None, score=None, rank=(2,),
...     confidence=None, status=Status.NO_EVIDENCE, evidence=(), explanation="none")
'{"kind":"indicator","level":null,"score":null,"rank":2,"confidence":null,"status":"no_evidence","evidence":[],"explanation":"none"}'
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from policyeval._json import _compact, _line, round_number
from policyeval.protocols import Confidence, Status

if TYPE_CHECKING:
    from policyeval._rule_arrays import GroupColumns

__all__ = ["NodeText"]

_string = json.encoder.encode_basestring
_LIMIT = 1 << 16  # entries per cache: a document repeats few words, and memory stays bounded


class NodeText:
    """Encodes node entries in one layout (``compact`` or the readable one-line form)."""

    def __init__(self, *, compact: bool) -> None:
        self.compact = compact
        item, key = (",", ":") if compact else (", ", ": ")
        self._item, self._key = item, key
        self._encode = _compact if compact else _line

        def field(name: str) -> str:
            return item + _string(name) + key

        self._kind = "{" + _string("kind") + key
        self._level, self._score, self._rank = field("level"), field("score"), field("rank")
        self._confidence, self._status = field("confidence"), field("status")
        self._evidence, self._explanation = field("evidence"), field("explanation")
        self._value = field("value")
        self._triangulation = field("triangulation") + "{" + _string("rule") + key
        self._agreement, self._agreeing = field("agreement"), field("agreeing")
        self._sources, self._categories = field("sources"), field("source_categories")
        self._techniques, self._dates = field("techniques"), field("dates")
        self._investigators, self._concerns = field("investigators"), field("concerns")
        self._aggregation = field("aggregation") + "{" + _string("aggregator") + key
        self._children, self._weights = field("children"), field("weights")
        self._share_present, self._status_from = field("share_present"), field("status_from")
        self._ids_between = '"' + item + '"'
        self._words: dict[str, str] = {}
        self._numbers: dict[float, str] = {}
        self._lists: dict[tuple[Any, ...], str] = {}
        self._ranks: list[str] = []
        self._aggregations: dict[Any, tuple[Sequence[str], Sequence[float], str]] = {}
        self._added: dict[Any, str] = {}
        # The group columns being read, and what is encoded once for them.
        self._columns: GroupColumns | None = None
        self._read: dict[int, tuple[GroupColumns, dict[int, tuple[str, str]], bool]] = {}
        self._patterns: dict[int, tuple[str, str]] = {}
        self._id_list: Sequence[str] = ()
        self._agreeing_list: Sequence[str] = ()
        self._plain_ids = False
        self._openings: dict[tuple[str, str | None, float | None], str] = {}
        statuses = [self._status + _string(status._value_) for status in Status]
        confidences = [self._confidence + _string(c._value_) for c in Confidence]
        # [status][confidence]: from the confidence to the evidence's key; confidence -1: none.
        self._closings = [
            [confidence + status + self._evidence for confidence in confidences]
            + [self._confidence + "null" + status + self._evidence]
            for status in statuses
        ]

    # --- values -------------------------------------------------------------------------------

    def word(self, value: Any) -> str:
        """A string the document repeats (a kind, level, status, rule); ``None`` is ``null``."""
        if type(value) is str:
            found = self._words.get(value)
            if found is None:
                found = _string(value)
                if len(self._words) >= _LIMIT:
                    self._words.clear()
                self._words[value] = found
            return found
        return "null" if value is None else self._encode(value)

    def number(self, value: Any) -> str:
        """A number rounded as the document rounds it (see :func:`~policyeval._json.round_number`)."""
        if type(value) is float:
            found = self._numbers.get(value)
            if found is None:
                found = self._encode(round_number(value))
                if len(self._numbers) >= _LIMIT:
                    self._numbers.clear()
                self._numbers[value] = found
            return found
        return "null" if value is None else self._encode(round_number(value))

    def rank(self, value: Any) -> str:
        """A rank, written as it is (not rounded: ``round_number`` would make ``0`` ``0.0``)."""
        if type(value) is int and 0 <= value < _LIMIT:
            ranks = self._ranks
            while len(ranks) <= value:
                ranks.append(str(len(ranks)))
            return ranks[value]
        return "null" if value is None else self._encode(value)

    def listed(self, values: Sequence[Any]) -> str:
        """A list of strings (any other list through the standard encoder)."""
        if not values:
            return "[]"
        try:
            return "[" + self._item.join(map(_string, values)) + "]"
        except TypeError:  # not all strings
            return self._encode(list(values))

    def shared(self, values: Sequence[Any]) -> str:
        """A list the document repeats (sources, techniques, children): encoded once."""
        if type(values) is not tuple:
            return self.listed(values)
        found = self._lists.get(values)
        if found is None:
            found = self.listed(values)
            # Only strings are kept: 1 and 1.0 are equal keys but written differently.
            if all(type(value) is str for value in values):
                if len(self._lists) >= _LIMIT:
                    self._lists.clear()
                self._lists[values] = found
        return found

    def _text(self, value: Any) -> str:
        return _string(value) if type(value) is str else self._encode(value)

    # --- entries ------------------------------------------------------------------------------

    def _aggregation_text(
        self,
        aggregator: str | None,
        children: Sequence[str],
        weights: Sequence[float],
        share_present: float | None,
    ) -> str:
        """The ``aggregation`` member; the same for most units of a node, so encoded once.

        Known by the very ``children`` and ``weights`` objects (a node's own,
        shared by its units): equal numbers of other types (``1`` and
        ``1.0``) would be written differently.
        """
        cacheable = type(aggregator) is str and type(share_present) in (float, type(None))
        key = (aggregator, id(children), id(weights), share_present)
        found = self._aggregations.get(key) if cacheable else None
        if found is not None and found[0] is children and found[1] is weights:
            return found[2]
        text = (
            self._aggregation
            + self.word(aggregator)
            + self._children
            + self.shared(tuple(children))
            + self._weights
            + "["
            + self._item.join(map(self.number, weights))
            + "]"
            + self._share_present
            + self.number(share_present)
            + "}"
        )
        if cacheable:
            if len(self._aggregations) >= _LIMIT:
                self._aggregations.clear()
            self._aggregations[key] = (children, weights, text)
        return text

    def head(
        self,
        kind: str,
        level: str | None,
        score: float | None,
        rank: tuple[int | None] | tuple[()],
        confidence: Confidence | None,
        status: Status,
    ) -> str:
        """The entry's opening members, up to its status."""
        return (
            self._kind
            + self.word(kind)
            + self._level
            + self.word(level)
            + self._score
            + self.number(score)
            + (self._rank + self.rank(rank[0]) if rank else "")
            + self._confidence
            + ("null" if confidence is None else self.word(confidence._value_))
            + self._status
            + self.word(status._value_)
        )

    def triangulation(
        self,
        rule: Any,
        agreement: Any,
        agreeing: str,
        sources: Sequence[Any],
        source_categories: Sequence[Any],
        techniques: Sequence[Any],
        dates: Sequence[Any],
        investigators: Sequence[Any],
        concerns: Sequence[Any],
    ) -> str:
        """The ``triangulation`` member; ``agreeing`` is the ids' text already."""
        return (
            self._triangulation
            + self.word(rule)
            + self._agreement
            + self.number(agreement)
            + self._agreeing
            + agreeing
            + self._listed_vocabulary(
                sources, source_categories, techniques, dates, investigators, concerns
            )
            + "}"
        )

    def node(
        self,
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
        status_from: str | None = None,
    ) -> str:
        """The text of :func:`~policyeval.results.node_document` for these fields.

        ``status_from``, when given, is the member an inner node's entry
        gets after its other members.
        """
        text = self.head(kind, level, score, rank, confidence, status)
        if evidence is not None:
            text += self._evidence + self.listed(evidence)
        text += self._explanation + self._text(explanation)
        if value is not None:
            text += self._value + self.number(value)
        if assessment is not None:
            a = assessment
            text += self.triangulation(
                a.rule,
                a.agreement,
                self.listed(a.agreeing),
                a.sources,
                a.source_categories,
                a.techniques,
                a.dates,
                a.investigators,
                a.concerns,
            )
        if children:
            text += self._aggregation_text(aggregator, children, weights, share_present)
        if status_from is not None:
            text += self._status_from + self.word(status_from)
        return text + "}"

    def appended(self, text: str, members: Mapping[str, Any]) -> str:
        """An entry's ``text`` with ``members`` added after its own, as a dict gets new keys.

        >>> NodeText(compact=False).appended('{"kind": "root"}', {"reported": None})
        '{"kind": "root", "reported": null}'
        """
        try:
            # Typed, so that 1, 1.0 and True (equal keys) keep their own texts.
            key: Any = tuple((name, type(value), value) for name, value in members.items())
            added = self._added.get(key)
        except TypeError:  # a value that is not hashable: encoded each time
            key, added = None, None
        if added is None:
            added = "".join(
                self._item + _string(name) + self._key + self._encode(value)
                for name, value in members.items()
            )
            if key is not None:
                self._remember(self._added, key, added)
        return text[:-1] + added + "}"

    def groups(
        self,
        columns: GroupColumns,
        entries: Sequence[tuple[int, str, str | None, float | None, int | None]],
    ) -> list[str]:
        """The entries of indicators whose assessments are groups of ``columns``.

        Each of ``entries`` is ``(group, kind, level, score, rank)``, the
        score a float or ``None``; each text is what :meth:`node` gives for
        the indicator's judgement with the assessment's fields, read
        off the columns (``columns.patterns[group]`` must not be ``-1``).
        What the groups of one pattern share is encoded once, and so are the
        opening members a document repeats.
        """
        if columns is not self._columns:
            self._use(columns)
        openings, patterns, closings = self._openings, self._patterns, self._closings
        confidences, statuses, numbers = columns.confidences, columns.statuses, columns.patterns
        bounds, agreeing_bounds = columns.id_bounds, columns.agreeing_bounds
        ids, agreeing_ids = self._id_list, self._agreeing_list
        plain, between = self._plain_ids, self._ids_between
        self.rank(max((entry[4] or 0 for entry in entries), default=0))  # the ranks' texts, made
        rank_texts = self._ranks
        out = []
        for group, kind, level, score, rank in entries:
            key = (kind, level, score)
            opening = openings.get(key)
            if opening is None:
                # Up to the rank's value.
                opening = self._remember(
                    openings,
                    key,
                    self._kind
                    + self.word(kind)
                    + self._level
                    + self.word(level)
                    + self._score
                    + self.number(score)
                    + self._rank,
                )
            confidence = confidences[group] if score is not None or level is not None else -1
            pattern = numbers[group]
            shared = patterns.get(pattern)
            if shared is None:
                shared = patterns[pattern] = self._pattern(columns, group)
            start, end = bounds[group], bounds[group + 1]
            first, last = agreeing_bounds[group], agreeing_bounds[group + 1]
            rank_text = (
                rank_texts[rank]
                if type(rank) is int and 0 <= rank < len(rank_texts)
                else self.rank(rank)
            )
            # From the confidence to the evidence key.
            closing = closings[statuses[group]][confidence]
            if plain and end > start and last > first:
                out.append(
                    f'{opening}{rank_text}{closing}["{between.join(ids[start:end])}"]'
                    f'{shared[0]}["{between.join(agreeing_ids[first:last])}"]{shared[1]}'
                )
            else:
                out.append(
                    f"{opening}{rank_text}{closing}{self._ids(ids[start:end])}"
                    f"{shared[0]}{self._ids(agreeing_ids[first:last])}{shared[1]}"
                )
        return out

    def _ids(self, ids: Sequence[str]) -> str:
        """A list of ids, joined as they are when none needs escaping."""
        if not ids:
            return "[]"
        if self._plain_ids:
            return '["' + self._ids_between.join(ids) + '"]'
        return self.listed(ids)

    def _pattern(self, columns: GroupColumns, group: int) -> tuple[str, str]:
        """What ``group``'s pattern shares: the text around its agreeing ids."""
        fields = columns.pattern_fields(group)
        explanation = fields.explanation or (
            f"{columns.id_bounds[group + 1] - columns.id_bounds[group]} evidence items"
        )
        return (
            self._explanation
            + _string(explanation)
            + self._triangulation
            + self.word(columns.rule)
            + self._agreement
            + self.number(fields.agreement)
            + self._agreeing,
            self._listed_vocabulary(
                fields.sources,
                fields.source_categories,
                fields.techniques,
                fields.dates,
                fields.investigators,
                (),
            )
            + "}}",  # the triangulation's end and the entry's
        )

    def _use(self, columns: GroupColumns) -> None:
        """Read groups from ``columns`` from now on, with what is encoded once for them."""
        found = self._read.get(id(columns))
        if found is None or found[0] is not columns:
            # Ids are joined as they are when none needs escaping.
            plain = all(
                len(_string(joined)) == len(joined) + 2
                for joined in ("".join(columns.ids), "".join(columns.agreeing))
            )
            found = self._read[id(columns)] = (columns, {}, plain)
        self._columns, self._patterns, self._plain_ids = found
        self._id_list, self._agreeing_list = columns.ids, columns.agreeing

    def _listed_vocabulary(self, *lists: Sequence[Any]) -> str:
        """The members of ``triangulation`` from ``sources`` to ``concerns``."""
        keys = (
            self._sources,
            self._categories,
            self._techniques,
            self._dates,
            self._investigators,
            self._concerns,
        )
        return "".join(key + self.shared(values) for key, values in zip(keys, lists, strict=True))

    @staticmethod
    def _remember(cache: dict[Any, str], key: Any, text: str) -> str:
        if len(cache) >= _LIMIT:
            cache.clear()
        cache[key] = text
        return text
