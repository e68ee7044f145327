"""Hypothesis strategies for scales and frameworks.

:func:`frameworks` draws valid frameworks of any shape the format allows:
deep or flat hierarchies, DAGs where an indicator (or a dimension) has
several parents, explicit per-parent edge weights, several ordinal and
numeric scales with every kind of bands, aggregators with parameters,
recommendations and free attributes. Every drawn framework passes
:meth:`~policyeval.framework.Framework.build`, so properties such as
"a framework survives a file round trip" can be tested over all of them.

>>> from hypothesis import given, settings
>>> @settings(max_examples=5, database=None)
... @given(frameworks(max_depth=2))
... def test_has_a_root(fw):
...     assert fw.node(fw.root).kind == "root"
>>> test_has_a_root()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument
from policyeval.framework import AggregatorSpec, Edge, Framework, Node
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale

__all__ = ["frameworks", "numeric_scales", "ordinal_scales"]

_INNER_KINDS = ("dimension", "sub_dimension", "aspect", "pillar")

# Text as users write it: any printable character, including quotes, backslashes and non-Latin
# scripts (surrogates cannot be encoded, so they are left out).
_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_ids = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)
_weights = st.floats(min_value=0, max_value=10, allow_nan=False, allow_infinity=False)
# Quarter steps keep neighbouring scores far enough apart for equal-width cuts to stay distinct.
_scores = st.integers(min_value=-400, max_value=400).map(lambda quarters: quarters / 4)
_TIES: tuple[Literal["down", "up"], ...] = ("down", "up")
_DIRECTIONS: tuple[Literal["higher", "lower"], ...] = ("higher", "lower")


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


def _texts(languages: Sequence[str], *, required: bool) -> st.SearchStrategy[dict[str, str]]:
    """Language -> text maps; with ``required``, the first language always has text."""
    optional = st.dictionaries(st.sampled_from(tuple(languages)), _text, max_size=len(languages))
    if not required:
        return optional
    return st.tuples(_text, optional).map(lambda pair: {**pair[1], languages[0]: pair[0]})


_free_values = st.recursive(
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)
_attributes = st.dictionaries(_text, _free_values, max_size=3)


@st.composite
def _aggregator_specs(draw: st.DrawFn) -> AggregatorSpec:
    name = draw(st.sampled_from(("mean", "geometric", "median", "generalised", "bars", "min")))
    if name == "generalised":
        return AggregatorSpec(name, {"p": draw(st.floats(min_value=-5, max_value=5))})
    if name == "bars":
        rules = draw(
            st.lists(
                st.fixed_dictionaries({"at_or_below": st.integers(1, 3), "cap": st.integers(3, 4)}),
                min_size=1,
                max_size=2,
            )
        )
        return AggregatorSpec(name, {"rules": rules, "base": "mean"})
    return AggregatorSpec(name)


@st.composite
def _ordinal_bands(draw: st.DrawFn, levels: Sequence[Level]) -> Bands | None:
    ascending = sorted(levels, key=lambda level: level.score)
    ids = tuple(level.id for level in ascending)
    ties = draw(st.sampled_from(_TIES))
    method = draw(st.sampled_from(("none", "midpoints", "equal_width", "explicit")))
    if method == "midpoints":
        return Bands.midpoints(levels, ties=ties)
    low, high = ascending[0].score, ascending[-1].score
    if method == "equal_width" and low < high:
        return Bands.equal_width(ids, low, high, ties=ties)
    if method == "explicit":
        return Bands(_cuts(draw, len(ids) - 1), ids, ties)
    return None


def _cuts(draw: st.DrawFn, count: int) -> tuple[float, ...]:
    cuts = draw(st.lists(_scores, min_size=count, max_size=count, unique=True))
    return tuple(sorted(cuts))


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
    languages = _check_languages(languages)

    @st.composite
    def build(draw: st.DrawFn) -> OrdinalScale:
        level_ids = draw(st.lists(_ids, min_size=1, max_size=6, unique=True))
        scores = draw(
            st.lists(_scores, min_size=len(level_ids), max_size=len(level_ids), unique=True)
        )
        levels = [
            Level(
                level_id,
                score,
                label=draw(_texts(languages, required=True)),
                description=draw(_texts(languages, required=False)),
            )
            for level_id, score in zip(level_ids, scores, strict=True)
        ]
        return OrdinalScale(
            id if id is not None else draw(_ids),
            levels,
            label=draw(_texts(languages, required=False)),
            description=draw(_texts(languages, required=False)),
            bands=draw(_ordinal_bands(levels)),
        )

    return build()


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
    languages = _check_languages(languages)

    @st.composite
    def build(draw: st.DrawFn) -> NumericScale:
        bounds = draw(st.lists(_scores, min_size=2, max_size=2, unique=True).map(sorted))
        minimum = draw(st.sampled_from((None, bounds[0])))
        maximum = draw(st.sampled_from((None, bounds[1])))
        options: dict[str, Any] = {}
        if ordinal is not None and draw(st.booleans()):
            ids = tuple(level.id for level in ordinal.ascending)
            if draw(st.booleans()):
                ids = ids[::-1]
            ties = draw(st.sampled_from(_TIES))
            method = draw(st.sampled_from(("explicit", "equal_width", "midpoints")))
            if method == "equal_width" and minimum is not None and maximum is not None:
                bands = Bands.equal_width(ids, minimum, maximum, ties=ties)
            elif method == "midpoints":
                bands = Bands.midpoints(ordinal.levels, ties=ties)
            else:
                bands = Bands(_cuts(draw, len(ids) - 1), ids, ties)
            options = {"bands": bands, "levels": ordinal}
        return NumericScale(
            id if id is not None else draw(_ids),
            minimum=minimum,
            maximum=maximum,
            unit=draw(st.none() | _text),
            direction=draw(st.sampled_from(_DIRECTIONS)),
            label=draw(_texts(languages, required=False)),
            description=draw(_texts(languages, required=False)),
            **options,
        )

    return build()


def frameworks(
    *,
    max_depth: int = 4,
    max_children: int = 4,
    shared: bool = True,
    languages: Sequence[str] = ("id", "en"),
) -> st.SearchStrategy[Framework]:
    """Valid frameworks: a root, inner levels down to ``max_depth``, indicators as leaves.

    With ``shared``, some nodes get extra parents (a DAG), through their
    ``parents`` or through explicit :class:`~policyeval.framework.Edge`
    objects with their own weights. Labels are in ``languages`` (always in
    the first, the default language).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(frameworks(max_depth=3, max_children=3))
    ... def test_depth_bounded(fw):
    ...     assert all(fw.depth(node) <= 3 for node in fw.node_ids)
    >>> test_depth_bounded()
    """
    for name, value in (("max_depth", max_depth), ("max_children", max_children)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidArgument(f"{name} must be an integer >= 1, got {name}={value!r}")
    languages = _check_languages(languages)
    return _frameworks(max_depth, max_children, shared, languages)


@st.composite
def _frameworks(
    draw: st.DrawFn,
    max_depth: int,
    max_children: int,
    shared: bool,
    languages: tuple[str, ...],
) -> Framework:
    ordinal_ids = draw(st.lists(_ids, min_size=1, max_size=3, unique=True))
    ordinals = [draw(ordinal_scales(languages=languages, id=scale_id)) for scale_id in ordinal_ids]
    numeric_ids = draw(
        st.lists(_ids.filter(lambda i: i not in ordinal_ids), max_size=2, unique=True)
    )
    numerics = [
        draw(numeric_scales(ordinal=draw(st.sampled_from(ordinals)), languages=languages, id=i))
        for i in numeric_ids
    ]
    scale_ids = [*ordinal_ids, *numeric_ids]
    default_scale = draw(st.none() | st.sampled_from(scale_ids))

    # Nodes in depth-first order, so every edge runs from an earlier node to a later one and
    # extra (shared) edges can never close a cycle.
    order: list[dict[str, Any]] = []

    def grow(depth: int, parent: int | None) -> None:
        index = len(order)
        inner = depth == 0 or (depth < max_depth and draw(st.booleans()))
        order.append({"depth": depth, "parents": [] if parent is None else [parent]})
        order[index]["inner"] = inner
        if inner:
            for _ in range(draw(st.integers(1, max_children))):
                grow(depth + 1, index)

    grow(0, None)
    names = draw(st.lists(_ids, min_size=len(order), max_size=len(order), unique=True))
    explicit: list[tuple[int, int]] = []
    if shared:
        for index, entry in enumerate(order):
            candidates = [
                other
                for other in range(index)
                # One level up only, so the longest path to a node stays its tree depth.
                if order[other]["inner"]
                and order[other]["depth"] == entry["depth"] - 1
                and other not in entry["parents"]
            ]
            if index and candidates and draw(st.integers(0, 3)) == 0:
                extra = draw(st.sampled_from(candidates))
                if draw(st.booleans()):
                    entry["parents"].append(extra)
                else:
                    explicit.append((extra, index))
            # Sometimes the only link to a parent is an explicit edge.
            if index and entry["parents"] and draw(st.integers(0, 5)) == 0:
                explicit.append((entry["parents"].pop(0), index))

    weights = [draw(st.none() | _weights) for _ in order]
    edge_weights = [draw(_weights) for _ in explicit]
    # Every inner node needs a child with positive weight.
    for index, entry in enumerate(order):
        if not entry["inner"]:
            continue
        incoming = [
            1.0 if weights[child] is None else weights[child]
            for child, other in enumerate(order)
            if index in other["parents"]
        ] + [edge_weights[k] for k, (p, _) in enumerate(explicit) if p == index]
        if not any(incoming):
            for child, other in enumerate(order):
                if index in other["parents"]:
                    weights[child] = 1.0
            edge_weights = [
                1.0 if p == index else w for (p, _), w in zip(explicit, edge_weights, strict=True)
            ]

    nodes = []
    for index, entry in enumerate(order):
        kind = (
            "root"
            if index == 0
            else _INNER_KINDS[min(entry["depth"] - 1, len(_INNER_KINDS) - 1)]
            if entry["inner"]
            else "indicator"
        )
        scale_choices = st.sampled_from(scale_ids)
        scale = draw(
            scale_choices
            if default_scale is None and not entry["inner"]
            else st.none() | scale_choices
        )
        nodes.append(
            Node(
                names[index],
                kind,
                label=draw(_texts(languages, required=True)),
                description=draw(_texts(languages, required=False)),
                parents=tuple(names[parent] for parent in entry["parents"]),
                weight=weights[index],
                scale=scale,
                aggregator=draw(st.none() | _aggregator_specs()) if entry["inner"] else None,
                recommendation=draw(_texts(languages, required=False)),
                attributes=draw(_attributes),
            )
        )
    edges = [
        Edge(names[parent], names[child], weight)
        for (parent, child), weight in zip(explicit, edge_weights, strict=True)
    ]
    title = draw(_texts(languages, required=False))
    if title:
        title[languages[0]] = draw(_text)
    return Framework.build(
        id=draw(_ids),
        nodes=nodes,
        edges=edges,
        scales=[*ordinals, *numerics],
        title=title,
        description=draw(_texts(languages, required=False)),
        languages=languages,
        default_language=languages[0],
        default_scale=default_scale,
        default_aggregator=draw(_aggregator_specs()),
        version=draw(st.none() | st.from_regex(r"[0-9]\.[0-9]", fullmatch=True)),
        citation=draw(st.none() | _text),
        references=draw(st.lists(_text, max_size=2)),
        attributes=draw(_attributes),
    )
