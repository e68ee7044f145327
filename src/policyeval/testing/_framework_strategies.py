"""Hypothesis strategies for scales and frameworks.

:func:`frameworks` draws valid frameworks of any shape the format allows:
deep or flat hierarchies, DAGs where an indicator (or a dimension) has
several parents, explicit per-parent edge weights, several ordinal and
numeric scales with every kind of bands, aggregators with parameters,
recommendations and free attributes. Every drawn framework passes
:meth:`~policyeval.framework.Framework.build`, so properties such as
"a framework survives a file round trip" can be tested over all of them.

The strategies are cheap to draw from, so tests using them stay within
Hypothesis' health checks on a busy machine: every sub-strategy is built
once, and a drawn framework has at most ``max_nodes`` nodes.

>>> from hypothesis import given, settings
>>> @settings(max_examples=5, database=None)
... @given(frameworks(max_depth=2))
... def test_has_a_root(fw):
...     assert fw.node(fw.root).kind == "root"
>>> test_has_a_root()
"""

from __future__ import annotations

import functools
import string
from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument
from policyeval.framework import AggregatorSpec, Edge, Framework, Node
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale

__all__ = ["frameworks", "numeric_scales", "ordinal_scales"]

_T = TypeVar("_T")

_INNER_KINDS = ("dimension", "sub_dimension", "aspect", "pillar")

# Text as users write it: any printable character, including quotes, backslashes and non-Latin
# scripts (surrogates cannot be encoded, so they are left out).
_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_optional_text = st.none() | _text
# Identifiers as the file format allows them: a lower-case letter, then letters, digits or "_".
_ids = st.builds(
    str.__add__,
    st.sampled_from(string.ascii_lowercase),
    st.text(string.ascii_lowercase + string.digits + "_", max_size=7),
)
_weights = st.floats(min_value=0, max_value=10, allow_nan=False, allow_infinity=False)
_optional_weights = st.none() | _weights
# Quarter steps keep neighbouring scores far enough apart for equal-width cuts to stay distinct.
_scores = st.integers(min_value=-400, max_value=400).map(lambda quarters: quarters / 4)
_bounds = st.lists(_scores, min_size=2, max_size=2, unique=True).map(sorted)
_TIES: tuple[Literal["down", "up"], ...] = ("down", "up")
_ties = st.sampled_from(_TIES)
_DIRECTIONS: tuple[Literal["higher", "lower"], ...] = ("higher", "lower")
_directions = st.sampled_from(_DIRECTIONS)
_ordinal_band_methods = st.sampled_from(("none", "midpoints", "equal_width", "explicit"))
_numeric_band_methods = st.sampled_from(("explicit", "equal_width", "midpoints"))
_versions = st.none() | st.builds("{}.{}".format, st.integers(0, 9), st.integers(0, 9))
_references = st.lists(_text, max_size=2)
_one_in_four = st.integers(0, 3)
_one_in_six = st.integers(0, 5)

_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_free_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)
# The framework's own attributes nest lists and tables; a node's hold plain values, which keeps
# drawing a large framework cheap.
_attributes = st.dictionaries(_text, _free_values, max_size=3)
_node_attributes = st.dictionaries(_text, _scalars, max_size=2)

_bars_rules = st.lists(
    st.fixed_dictionaries({"at_or_below": st.integers(1, 3), "cap": st.integers(3, 4)}),
    min_size=1,
    max_size=2,
)
_aggregators = st.one_of(
    st.sampled_from(("mean", "geometric", "median", "min")).map(AggregatorSpec),
    st.floats(min_value=-5, max_value=5).map(lambda p: AggregatorSpec("generalised", {"p": p})),
    _bars_rules.map(lambda rules: AggregatorSpec("bars", {"rules": rules, "base": "mean"})),
)
_optional_aggregators = st.none() | _aggregators


@functools.cache
def _below(count: int) -> st.SearchStrategy[int]:
    """Indices ``0 .. count - 1``, built once per count."""
    return st.integers(0, count - 1)


def _choice(draw: st.DrawFn, options: Sequence[_T]) -> _T:
    """One of ``options``, shrinking towards the first, without building a strategy per call."""
    return options[draw(_below(len(options)))]


@functools.cache
def _distinct_scores(count: int) -> st.SearchStrategy[list[float]]:
    return st.lists(_scores, min_size=count, max_size=count, unique=True)


@functools.cache
def _distinct_ids(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(_ids, min_size=min_size, max_size=max_size, unique=True)


@functools.cache
def _texts(languages: tuple[str, ...], *, required: bool) -> st.SearchStrategy[dict[str, str]]:
    """Language -> text maps; with ``required``, the first language always has text."""
    optional = st.dictionaries(st.sampled_from(languages), _text, max_size=len(languages))
    if not required:
        return optional
    return st.tuples(_text, optional).map(lambda pair: {**pair[1], languages[0]: pair[0]})


def _check_languages(languages: Sequence[str]) -> tuple[str, ...]:
    if (
        isinstance(languages, str)
        or not languages
        or not all(isinstance(language, str) and language for language in languages)
    ):
        raise InvalidArgument(
            f"languages must be a non-empty sequence of language codes, got languages={languages!r}"
        )
    return tuple(languages)


def _check_size(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidArgument(f"{name} must be an integer >= 1, got {name}={value!r}")
    return value


def _cuts(draw: st.DrawFn, count: int) -> tuple[float, ...]:
    return tuple(sorted(draw(_distinct_scores(count))))


def _ordinal_bands(draw: st.DrawFn, levels: Sequence[Level]) -> Bands | None:
    ascending = sorted(levels, key=lambda level: level.score)
    ids = tuple(level.id for level in ascending)
    ties = draw(_ties)
    method = draw(_ordinal_band_methods)
    if method == "midpoints":
        return Bands.midpoints(levels, ties=ties)
    low, high = ascending[0].score, ascending[-1].score
    if method == "equal_width" and low < high:
        return Bands.equal_width(ids, low, high, ties=ties)
    if method == "explicit":
        return Bands(_cuts(draw, len(ids) - 1), ids, ties)
    return None


def _ordinal_scale(draw: st.DrawFn, languages: tuple[str, ...], id: str | None) -> OrdinalScale:
    level_ids = draw(_distinct_ids(1, 6))
    scores = draw(_distinct_scores(len(level_ids)))
    labels, descriptions = _texts(languages, required=True), _texts(languages, required=False)
    levels = [
        Level(level_id, score, label=draw(labels), description=draw(descriptions))
        for level_id, score in zip(level_ids, scores, strict=True)
    ]
    return OrdinalScale(
        id if id is not None else draw(_ids),
        levels,
        label=draw(descriptions),
        description=draw(descriptions),
        bands=_ordinal_bands(draw, levels),
    )


def _numeric_scale(
    draw: st.DrawFn, ordinal: OrdinalScale | None, languages: tuple[str, ...], id: str | None
) -> NumericScale:
    bounds = draw(_bounds)
    minimum = bounds[0] if draw(st.booleans()) else None
    maximum = bounds[1] if draw(st.booleans()) else None
    options: dict[str, Any] = {}
    if ordinal is not None and draw(st.booleans()):
        ids = tuple(level.id for level in ordinal.ascending)
        if draw(st.booleans()):
            ids = ids[::-1]
        ties = draw(_ties)
        method = draw(_numeric_band_methods)
        if method == "equal_width" and minimum is not None and maximum is not None:
            bands = Bands.equal_width(ids, minimum, maximum, ties=ties)
        elif method == "midpoints":
            bands = Bands.midpoints(ordinal.levels, ties=ties)
        else:
            bands = Bands(_cuts(draw, len(ids) - 1), ids, ties)
        options = {"bands": bands, "levels": ordinal}
    descriptions = _texts(languages, required=False)
    return NumericScale(
        id if id is not None else draw(_ids),
        minimum=minimum,
        maximum=maximum,
        unit=draw(_optional_text),
        direction=draw(_directions),
        label=draw(descriptions),
        description=draw(descriptions),
        **options,
    )


def ordinal_scales(
    *, languages: Sequence[str] = ("id", "en"), id: str | None = None
) -> st.SearchStrategy[OrdinalScale]:
    """Ordinal scales of one to six levels with distinct scores, labelled in ``languages[0]``.

    Some have bands (midpoints, equal width or explicit cuts, ties either way).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(ordinal_scales(languages=("en",)))
    ... def test_levels_labelled(scale):
    ...     assert all("en" in level.label for level in scale.levels)
    >>> test_levels_labelled()
    """
    checked = _check_languages(languages)
    return st.composite(lambda draw: _ordinal_scale(draw, checked, id))()


def numeric_scales(
    *,
    ordinal: OrdinalScale | None = None,
    languages: Sequence[str] = ("id", "en"),
    id: str | None = None,
) -> st.SearchStrategy[NumericScale]:
    """Numeric scales with optional bounds, unit and direction.

    When ``ordinal`` is given, some scales band their values into its levels
    (explicit cuts, equal width over the bounds, or the level midpoints).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(numeric_scales(languages=("en",)))
    ... def test_bounds_ordered(scale):
    ...     assert scale.minimum is None or scale.maximum is None or scale.minimum < scale.maximum
    >>> test_bounds_ordered()
    """
    checked = _check_languages(languages)
    return st.composite(lambda draw: _numeric_scale(draw, ordinal, checked, id))()


def frameworks(
    *,
    max_depth: int = 4,
    max_children: int = 4,
    max_nodes: int = 40,
    shared: bool = True,
    languages: Sequence[str] = ("id", "en"),
) -> st.SearchStrategy[Framework]:
    """Valid frameworks: a root, inner levels down to ``max_depth``, indicators as leaves.

    An inner node has one to ``max_children`` children, as long as the
    framework has fewer than ``max_nodes`` nodes (a node already started
    always gets at least one child). With ``shared``, some nodes get extra
    parents (a DAG), through their ``parents`` or through explicit
    :class:`~policyeval.framework.Edge` objects with their own weights.
    Labels are in ``languages`` (always in the first, the default language).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(frameworks(max_depth=3, max_children=3, max_nodes=12))
    ... def test_depth_bounded(fw):
    ...     assert len(fw.node_ids) <= 12
    ...     assert all(fw.depth(node) <= 3 for node in fw.node_ids)
    >>> test_depth_bounded()
    """
    _check_size("max_depth", max_depth)
    _check_size("max_children", max_children)
    _check_size("max_nodes", max_nodes)
    if max_nodes < 2:
        raise InvalidArgument(
            f"max_nodes must leave room for a root and an indicator, got max_nodes={max_nodes!r}"
        )
    checked = _check_languages(languages)
    children = st.integers(1, max_children)
    return st.composite(
        lambda draw: _framework(draw, max_depth, children, max_nodes, shared, checked)
    )()


def _shape(
    draw: st.DrawFn, max_depth: int, children: st.SearchStrategy[int], max_nodes: int
) -> list[dict[str, Any]]:
    """Nodes in depth-first order, so every edge runs from an earlier node to a later one and
    extra (shared) edges can never close a cycle. A stack, not recursion, walks the tree."""
    order: list[dict[str, Any]] = []
    # Each entry: (depth, parent index); a parent is pushed before its children.
    pending: list[tuple[int, int | None]] = [(0, None)]
    while pending:
        depth, parent = pending.pop()
        index = len(order)
        # Keep one place per pending node, so every started inner node can get a child.
        room = max_nodes - index - len(pending) - 1
        inner = depth == 0 or (depth < max_depth and room >= 1 and draw(st.booleans()))
        order.append(
            {"depth": depth, "parents": [] if parent is None else [parent], "inner": inner}
        )
        if inner:
            count = max(1, min(draw(children), room))
            pending.extend([(depth + 1, index)] * count)
    return order


def _share_parents(draw: st.DrawFn, order: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Give some nodes extra parents, one level up; return the explicit edges."""
    explicit: list[tuple[int, int]] = []
    inner_at: dict[int, list[int]] = {}
    for index, entry in enumerate(order):
        candidates = [
            other
            for other in inner_at.get(entry["depth"] - 1, ())
            # One level up only, so the longest path to a node stays its tree depth.
            if other not in entry["parents"]
        ]
        if index and candidates and draw(_one_in_four) == 0:
            extra = _choice(draw, candidates)
            if draw(st.booleans()):
                entry["parents"].append(extra)
            else:
                explicit.append((extra, index))
        # Sometimes the only link to a parent is an explicit edge.
        if index and entry["parents"] and draw(_one_in_six) == 0:
            explicit.append((entry["parents"].pop(0), index))
        if entry["inner"]:
            inner_at.setdefault(entry["depth"], []).append(index)
    return explicit


def _framework(
    draw: st.DrawFn,
    max_depth: int,
    children: st.SearchStrategy[int],
    max_nodes: int,
    shared: bool,
    languages: tuple[str, ...],
) -> Framework:
    scale_ids = draw(_distinct_ids(1, 5))
    ordinal_count = 1 + draw(_below(min(3, len(scale_ids))))
    ordinal_ids, numeric_ids = scale_ids[:ordinal_count], scale_ids[ordinal_count:]
    ordinals = [_ordinal_scale(draw, languages, scale_id) for scale_id in ordinal_ids]
    numerics = [
        _numeric_scale(draw, _choice(draw, ordinals), languages, scale_id)
        for scale_id in numeric_ids
    ]
    default_scale = draw(st.none() | st.sampled_from(scale_ids))

    order = _shape(draw, max_depth, children, max_nodes)
    names = draw(_distinct_ids(len(order), len(order)))
    explicit = _share_parents(draw, order) if shared else []

    weights = [draw(_optional_weights) for _ in order]
    edge_weights = [draw(_weights) for _ in explicit]
    # Every inner node needs a child with positive weight.
    incoming: dict[int, list[float]] = {}
    for child, entry in enumerate(order):
        weight = weights[child]
        for parent in entry["parents"]:
            incoming.setdefault(parent, []).append(1.0 if weight is None else weight)
    for (parent, _), weight in zip(explicit, edge_weights, strict=True):
        incoming.setdefault(parent, []).append(weight)
    starved = {index for index, entry in enumerate(order) if entry["inner"]} - {
        parent for parent, found in incoming.items() if any(found)
    }
    for child, entry in enumerate(order):
        if starved.intersection(entry["parents"]):
            weights[child] = 1.0
    edge_weights = [
        1.0 if parent in starved else weight
        for (parent, _), weight in zip(explicit, edge_weights, strict=True)
    ]

    scale_choices = st.sampled_from(scale_ids)
    optional_scales = st.none() | scale_choices
    labels, texts = _texts(languages, required=True), _texts(languages, required=False)
    nodes = []
    for index, entry in enumerate(order):
        kind = (
            "root"
            if index == 0
            else _INNER_KINDS[min(entry["depth"] - 1, len(_INNER_KINDS) - 1)]
            if entry["inner"]
            else "indicator"
        )
        needs_scale = default_scale is None and not entry["inner"]
        nodes.append(
            Node(
                names[index],
                kind,
                label=draw(labels),
                description=draw(texts),
                parents=tuple(names[parent] for parent in entry["parents"]),
                weight=weights[index],
                scale=draw(scale_choices if needs_scale else optional_scales),
                aggregator=draw(_optional_aggregators) if entry["inner"] else None,
                recommendation=draw(texts),
                attributes=draw(_node_attributes),
            )
        )
    edges = [
        Edge(names[parent], names[child], weight)
        for (parent, child), weight in zip(explicit, edge_weights, strict=True)
    ]
    title = draw(texts)
    if title:
        title[languages[0]] = draw(_text)
    return Framework.build(
        id=draw(_ids),
        nodes=nodes,
        edges=edges,
        scales=[*ordinals, *numerics],
        title=title,
        description=draw(texts),
        languages=languages,
        default_language=languages[0],
        default_scale=default_scale,
        default_aggregator=draw(_aggregators),
        version=draw(_versions),
        citation=draw(_optional_text),
        references=draw(_references),
        attributes=draw(_attributes),
    )
