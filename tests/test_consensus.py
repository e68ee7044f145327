"""Specification of the consensus helpers shared by every triangulation rule."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval.consensus import Consensus, consensus, weighted_lower_median
from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument, ScaleError
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale

FOUR = OrdinalScale(
    "agustino4",
    (
        Level("baik", 4),
        Level("cukup_baik", 3),
        Level("kurang_baik", 2),
        Level("tidak_baik", 1),
    ),
)
REALISATION = NumericScale(
    "realisation_pct",
    minimum=0,
    maximum=100,
    unit="%",
    bands=Bands((50, 75, 90), ("tidak_baik", "kurang_baik", "cukup_baik", "baik")),
    levels=FOUR,
)
PLAIN = NumericScale("count")


def rated(id: str, rating: str, *, weight: float = 1.0, source: str | None = None) -> Evidence:
    return Evidence(
        id=id,
        indicator="kompetensi",
        rating=rating,
        source=source or f"source-{id}",
        technique="interview",
        weight=weight,
    )


def valued(id: str, value: float, *, weight: float = 1.0) -> Evidence:
    return Evidence(
        id=id,
        indicator="realisasi",
        value=value,
        source=f"source-{id}",
        technique="documentation",
        weight=weight,
    )


def ids(items: tuple[Evidence, ...]) -> list[str]:
    return [item.id for item in items]


# --- weighted_lower_median -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([(7.0, 1.0)], 7.0),
        ([(1.0, 1.0), (2.0, 1.0), (3.0, 1.0)], 2.0),
        ([(2.0, 1.0), (1.0, 1.0)], 1.0),
        ([(1.0, 1.0), (5.0, 3.0)], 5.0),
        ([(4.0, 2.0), (3.0, 1.0), (1.0, 0.5)], 4.0),
        ([(1.0, 0.0), (2.0, 1.0)], 2.0),
        ([(3.0, 0.1), (1.0, 0.2), (2.0, 0.2)], 2.0),
    ],
)
def test_weighted_lower_median_examples(pairs: list[tuple[float, float]], expected: float) -> None:
    """The median is the smallest value whose cumulative weight reaches half the total."""
    assert weighted_lower_median(pairs) == expected


def test_weighted_lower_median_exact_half_goes_down() -> None:
    """When the weight splits exactly in half, the lower value is the median."""
    assert weighted_lower_median([(4.0, 0.1), (3.0, 0.1)]) == 3.0
    assert weighted_lower_median([(4.0, 0.3), (3.0, 0.1), (2.0, 0.2)]) == 3.0


@pytest.mark.parametrize(
    ("pairs", "fragment"),
    [
        ([], "pairs=[]"),
        ([(math.nan, 1.0)], "value=nan"),
        ([(1.0, -1.0)], "weight=-1.0"),
        ([(1.0, math.inf)], "weight=inf"),
        ([(1.0, 0.0), (2.0, 0.0)], "at least one weight must be positive"),
    ],
)
def test_weighted_lower_median_rejects_bad_pairs(
    pairs: list[tuple[float, float]], fragment: str
) -> None:
    """Empty input, non-finite values and bad weights raise InvalidArgument naming them."""
    with pytest.raises(InvalidArgument, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        weighted_lower_median(pairs)


weighted_pairs = st.lists(
    st.tuples(
        st.floats(-1e6, 1e6, allow_nan=False),
        st.floats(0.01, 100, allow_nan=False),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=100)
@given(weighted_pairs, st.randoms())
def test_weighted_lower_median_is_a_lower_median(
    pairs: list[tuple[float, float]], random: object
) -> None:
    """The result is one of the values, with under half the weight strictly below it and at
    least half at or below it, whatever the order of the pairs."""
    median = weighted_lower_median(pairs)
    assert median in [value for value, _ in pairs]
    total = math.fsum(weight for _, weight in pairs)
    below = math.fsum(weight for value, weight in pairs if value < median)
    up_to = math.fsum(weight for value, weight in pairs if value <= median)
    assert below < total / 2 * (1 + 1e-9)
    assert up_to >= total / 2 * (1 - 1e-9)
    shuffled = list(pairs)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert weighted_lower_median(shuffled) == median


# --- consensus on ordinal scales -------------------------------------------------------------


def test_ordinal_consensus_two_against_two_goes_down() -> None:
    """Two 'baik' and two 'cukup_baik' give 'cukup_baik', half the weight agreeing."""
    items = [
        rated("e1", "baik"),
        rated("e2", "baik"),
        rated("e3", "cukup_baik"),
        rated("e4", "cukup_baik"),
    ]
    found = consensus(items, FOUR)
    assert (found.rating, found.value, found.agreement) == ("cukup_baik", None, 0.5)
    assert ids(found.agreeing) == ["e3", "e4"]
    assert ids(found.evidence) == ["e1", "e2", "e3", "e4"]


def test_ordinal_consensus_follows_weights() -> None:
    """Weights count: 'baik' weighted 3 against two single items gives 'baik' at 60%."""
    items = [rated("e1", "baik", weight=3), rated("e2", "cukup_baik"), rated("e3", "tidak_baik")]
    found = consensus(items, FOUR)
    assert found.rating == "baik"
    assert found.agreement == pytest.approx(0.6)
    assert ids(found.agreeing) == ["e1"]


def test_ordinal_consensus_median_not_mean() -> None:
    """Ratings 1, 1, 4 give the level of the median (1), not of the mean (2)."""
    items = [rated("e1", "tidak_baik"), rated("e2", "tidak_baik"), rated("e3", "baik")]
    found = consensus(items, FOUR)
    assert found.rating == "tidak_baik"
    assert found.agreement == pytest.approx(2 / 3)


def test_ordinal_consensus_rejects_a_value() -> None:
    """An ordinal indicator given a number raises ScaleError naming the item."""
    with pytest.raises(ScaleError, match=r"'e9'.*value=58\.4"):
        consensus([rated("e1", "baik"), valued("e9", 58.4)], FOUR)


def test_ordinal_consensus_rejects_unknown_level() -> None:
    """A rating that is not a level id raises ScaleError naming the item and the rating."""
    with pytest.raises(ScaleError, match=r"'e2'.*rating='Baik'"):
        consensus([rated("e1", "baik"), rated("e2", "Baik")], FOUR)


# --- consensus on numeric scales -------------------------------------------------------------


def test_banded_numeric_consensus() -> None:
    """Values 58.4, 60, 74, 80 give 60 ('kurang_baik'); the three values in that band agree."""
    items = [valued("e1", 80), valued("e2", 58.4), valued("e3", 74), valued("e4", 60)]
    found = consensus(items, REALISATION)
    assert (found.rating, found.value, found.agreement) == ("kurang_baik", 60.0, 0.75)
    assert ids(found.agreeing) == ["e2", "e3", "e4"]


def test_unbanded_numeric_consensus_uses_relative_tolerance() -> None:
    """Without bands, items within 5% of the median (100) agree: 96 and 104 do, 106 does not."""
    items = [valued("e1", 96), valued("e2", 100), valued("e3", 104), valued("e4", 106)]
    found = consensus(items, PLAIN)
    assert (found.rating, found.value, found.agreement) == (None, 100.0, 0.75)
    assert ids(found.agreeing) == ["e1", "e2", "e3"]
    narrow = consensus(items, PLAIN, tolerance=0.01)
    assert ids(narrow.agreeing) == ["e2"]
    assert narrow.agreement == 0.25


def test_unbanded_numeric_consensus_at_zero() -> None:
    """A consensus of 0 admits only values within tolerance * 1e-12 of it."""
    items = [valued("e1", 0), valued("e2", 0), valued("e3", 1e-13)]
    found = consensus(items, PLAIN)
    assert found.value == 0.0
    assert ids(found.agreeing) == ["e1", "e2"]


def test_numeric_consensus_rejects_a_rating() -> None:
    """A numeric indicator given a rating raises ScaleError naming the item."""
    with pytest.raises(ScaleError, match=r"'e2'.*rating='baik'"):
        consensus([valued("e1", 60), rated("e2", "baik")], REALISATION)


# --- edge cases and arguments ----------------------------------------------------------------


def test_no_evidence() -> None:
    """No evidence gives no rating, no value, nobody agreeing and agreement 0."""
    assert consensus([], FOUR) == Consensus(
        rating=None, value=None, evidence=(), agreeing=(), agreement=0.0
    )


def test_an_item_given_twice_counts_once() -> None:
    """The very same item listed twice is counted once."""
    first, second = rated("e1", "baik"), rated("e2", "kurang_baik")
    once = consensus([first, second], FOUR)
    twice = consensus([first, second, first], FOUR)
    assert twice == once
    assert ids(twice.evidence) == ["e1", "e2"]


@pytest.mark.parametrize("tolerance", [-0.1, math.nan, math.inf, True, "0.1"])
def test_bad_tolerance(tolerance: object) -> None:
    """A tolerance that is not a finite number >= 0 raises InvalidArgument naming it."""
    with pytest.raises(InvalidArgument, match="tolerance="):
        consensus([valued("e1", 1)], PLAIN, tolerance=tolerance)  # type: ignore[arg-type]


def test_bad_scale() -> None:
    """Something that is not a scale raises InvalidArgument naming it."""
    with pytest.raises(InvalidArgument, match="scale='agustino4'"):
        consensus([], "agustino4")  # type: ignore[arg-type]


# --- laws ------------------------------------------------------------------------------------

LEVEL_IDS = [level.id for level in FOUR.levels]


@st.composite
def ordinal_items(draw: st.DrawFn) -> list[Evidence]:
    ratings = draw(st.lists(st.sampled_from(LEVEL_IDS), max_size=8))
    weights = draw(
        st.lists(
            st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=len(ratings), max_size=len(ratings)
        )
    )
    return [
        rated(f"e{n}", rating, weight=weight)
        for n, (rating, weight) in enumerate(zip(ratings, weights, strict=True))
    ]


@st.composite
def numeric_items(draw: st.DrawFn) -> list[Evidence]:
    values = draw(
        st.lists(
            st.sampled_from([0.0, 40.0, 50.0, 58.4, 60.0, 75.0, 80.0, 90.0, 95.0])
            | st.floats(0, 100),
            max_size=8,
        )
    )
    weights = draw(
        st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=len(values), max_size=len(values))
    )
    return [
        valued(f"e{n}", value, weight=weight)
        for n, (value, weight) in enumerate(zip(values, weights, strict=True))
    ]


cases = st.one_of(
    st.tuples(st.just(FOUR), ordinal_items()),
    st.tuples(st.just(REALISATION), numeric_items()),
    st.tuples(st.just(PLAIN), numeric_items()),
)


@settings(max_examples=100)
@given(cases, st.randoms())
def test_consensus_ignores_order(
    case: tuple[OrdinalScale | NumericScale, list[Evidence]], random: object
) -> None:
    """Shuffling the evidence never changes the consensus."""
    scale, items = case
    shuffled = list(items)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert consensus(shuffled, scale) == consensus(items, scale)


@settings(max_examples=100)
@given(cases)
def test_consensus_is_held_by_someone(
    case: tuple[OrdinalScale | NumericScale, list[Evidence]],
) -> None:
    """With evidence, some item agrees, agreement lies in (0, 1], and the agreeing items are
    exactly those matching the consensus."""
    scale, items = case
    found = consensus(items, scale)
    if not items:
        assert found == Consensus()
        return
    assert found.agreeing
    assert 0 < found.agreement <= 1
    assert set(ids(found.agreeing)) <= set(ids(found.evidence))
    if isinstance(scale, OrdinalScale):
        assert {item.rating for item in found.agreeing} == {found.rating}
    else:
        assert found.value in [item.value for item in items]


@settings(max_examples=100)
@given(cases, st.sampled_from([0.5, 1.0, 4.0]))
def test_adding_an_agreeing_item_keeps_the_consensus(
    case: tuple[OrdinalScale | NumericScale, list[Evidence]], weight: float
) -> None:
    """An item at the consensus keeps the consensus and never lowers the agreement."""
    scale, items = case
    found = consensus(items, scale)
    if not items:
        return
    if isinstance(scale, OrdinalScale):
        extra = rated("new", str(found.rating), weight=weight)
    else:
        extra = attrs.evolve(valued("new", 0.0, weight=weight), value=found.value)
    grown = consensus([*items, extra], scale)
    assert (grown.rating, grown.value) == (found.rating, found.value)
    assert grown.agreement >= found.agreement
    assert set(ids(found.agreeing)) | {"new"} == set(ids(grown.agreeing))


# Scales with their levels in any order of score and unevenly spaced.
_SCALES = [
    OrdinalScale("up", (Level("a", 1), Level("b", 2), Level("c", 3), Level("d", 4))),
    OrdinalScale("down", (Level("a", 4), Level("b", 3), Level("c", 2), Level("d", 1))),
    OrdinalScale("mixed", (Level("a", 2), Level("b", 10), Level("c", -1), Level("d", 2.5))),
]


@settings(max_examples=150, deadline=None)
@given(
    scale=st.sampled_from(_SCALES),
    groups=st.lists(
        st.lists(
            st.tuples(
                st.sampled_from("abcd"), st.sampled_from((0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 0.1))
            ),
            min_size=1,
            max_size=7,
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_group_consensus_is_consensus_group_by_group(
    scale: OrdinalScale, groups: list[list[tuple[str, float]]]
) -> None:
    """The array form gives every exact group the consensus of its items: level, agreeing items,
    agreement share and even split; a group with a weight of no exact sixteenths form is left to
    the scalar path."""
    from policyeval.consensus import group_consensus
    from policyeval.evidence_table import EvidenceTable

    items = [
        Evidence(
            id=f"e{g}_{n}",
            unit="u",
            indicator=f"i{g}",
            rating=r,
            source="s",
            technique="t",
            weight=w,
        )
        for g, group in enumerate(groups)
        for n, (r, w) in enumerate(group)
    ]
    grouped = EvidenceTable.from_items(items).groups()
    found = group_consensus(grouped, scale)
    assert len(grouped) == len(groups)
    for index in range(len(grouped)):
        members = grouped.items(index)
        assert bool(found.exact[index]) == all(item.weight != 0.1 for item in members)
        if not found.exact[index]:
            continue
        expected = consensus(members, scale)
        assert scale.levels[int(found.level[index])].id == expected.rating
        assert float(found.agreement[index]) == expected.agreement
        rows = grouped.group_rows(index)
        position = {int(row): k for k, row in enumerate(grouped.rows.tolist())}
        agreeing = {
            members[k].id for k, row in enumerate(rows.tolist()) if found.agreeing[position[row]]
        }
        assert agreeing == {item.id for item in expected.agreeing}
        upper = int(found.upper[index])
        assert (() if upper < 0 else (expected.rating, scale.levels[upper].id)) == (
            expected.even_split
        )
