"""Ranks of many units: competition ranks, and each unit's strengths and weaknesses.

Ranks use competition ranking, as COINr does (R's ``rank(-x, ties.method =
"min")``): the highest score is rank 1, tied scores share the lower rank
number and the next rank is skipped ("1224"); a unit without a score has no
rank. A unit's *strengths* are the nodes where it ranks best among the
units, its *weaknesses* those where it ranks worst (COINr's
``get_str_wks``), leaving out nodes on which every ranked unit ties, which
say nothing about any unit.

>>> competition_ranks([3.0, 4.0, 3.0, None, 2.0])
(2, 1, 2, None, 4)
>>> ranks = {
...     "a": {"u": 1, "v": 2, "w": 3},
...     "b": {"u": 3, "v": 1, "w": 2},
...     "c": {"u": 2, "v": 1, "w": 3},
...     "d": {"u": 1, "v": 1, "w": 1},  # everyone ties: says nothing
... }
>>> strengths_and_weaknesses(ranks, "u", 2)
(('a', 'c'), ('b',))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from policyeval.exceptions import InvalidArgument

__all__ = ["TIE_DIGITS", "competition_ranks", "strengths_and_weaknesses"]

TIE_DIGITS = 9
"""Scores are rounded to this many decimals before ties are decided, so float
noise (2.6 against 2.6000000000000005) never separates equal scores."""


def competition_ranks(scores: Sequence[float | None]) -> tuple[int | None, ...]:
    """Rank scores high to low; ties share the lower rank number; ``None`` gets no rank.

    >>> competition_ranks([2.6, 2.6000000000000005, 3.0])
    (2, 2, 1)
    >>> competition_ranks([None, 1.0])
    (None, 1)
    """
    # Units share few scores (an indicator has a score per level): each is rounded once.
    rounding = {score: round(score, TIE_DIGITS) for score in set(scores) if score is not None}
    rounded = [None if score is None else rounding[score] for score in scores]
    defined = sorted((score for score in rounded if score is not None), reverse=True)
    first: dict[float, int] = {}
    for position, score in enumerate(defined, start=1):
        first.setdefault(score, position)
    return tuple(None if score is None else first[score] for score in rounded)


def strengths_and_weaknesses(
    ranks: Mapping[str, Mapping[str, int | None]], unit: str, n: int = 3
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ``n`` nodes where ``unit`` ranks best, and the ``n`` where it ranks worst.

    ``ranks`` maps each candidate node, in declaration order, to every
    unit's rank there (``None`` for none). A node is left out when ``unit``
    has no rank on it or every ranked unit ties. A node is a strength only
    when the unit is in the upper half of the ranking there (rank at most
    ``(m + 1) / 2`` of ``m`` ranked units) and a weakness only in the lower
    half, so no node is both and a unit last everywhere has no strengths.
    Strengths come best first, weaknesses worst first; equal ranks keep
    declaration order.

    >>> ranks = {"x": {"u": 2, "v": 1}, "y": {"u": 1, "v": 2}, "z": {"u": 1, "v": 1}}
    >>> strengths_and_weaknesses(ranks, "u", 1)
    (('y',), ('x',))
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidArgument(f"n must be an integer >= 0, got n={n!r}")
    upper: list[tuple[int, int, str]] = []
    lower: list[tuple[int, int, str]] = []
    for index, (node, by_unit) in enumerate(ranks.items()):
        if unit not in by_unit:
            raise InvalidArgument(f"no rank for unit={unit!r} on node={node!r}")
        rank = by_unit[unit]
        ranked = [other for other in by_unit.values() if other is not None]
        if rank is None or len(set(ranked)) < 2:
            continue
        (upper if 2 * rank <= len(ranked) + 1 else lower).append((rank, index, node))
    best = sorted(upper)[:n]
    worst = sorted(lower, key=lambda entry: (-entry[0], entry[1]))[:n]
    return tuple(node for _, _, node in best), tuple(node for _, _, node in worst)
