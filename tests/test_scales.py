"""Scales: ordinal levels, numeric ranges, and the bands that turn numbers into levels."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval.exceptions import ScaleError
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale, normalise_label
from policyeval.testing._framework_strategies import numeric_scales, ordinal_scales

FOUR = OrdinalScale(
    "agustino4",
    (
        Level("baik", 4, label={"id": "Baik", "en": "Good"}),
        Level("cukup_baik", 3, label={"id": "Cukup baik", "en": "Fair"}),
        Level("kurang_baik", 2, label={"id": "Kurang baik", "en": "Poor"}),
        Level("tidak_baik", 1, label={"id": "Tidak baik", "en": "Bad"}),
    ),
)
ASCENDING = ("tidak_baik", "kurang_baik", "cukup_baik", "baik")


def test_labels_are_normalised_for_matching() -> None:
    """Case, surrounding space, hyphens and spaces do not matter when matching labels."""
    assert normalise_label("  Cukup - Baik ") == "cukup_baik"
    assert normalise_label("KURANG_BAIK") == "kurang_baik"


def test_level_found_by_id_or_label_in_any_language() -> None:
    """A rating may name a level by id, or by its label in any language."""
    assert FOUR.level("cukup_baik").id == "cukup_baik"
    assert FOUR.level("Kurang Baik").id == "kurang_baik"
    assert FOUR.level("good").id == "baik"
    assert FOUR.find("excellent") is None


def test_unknown_level_names_the_choices() -> None:
    """An unknown rating raises ScaleError listing the scale's levels."""
    with pytest.raises(ScaleError, match=r"'sangat baik' is not a level of scale 'agustino4'"):
        FOUR.level("sangat baik")


def test_best_worst_and_ascending_follow_scores() -> None:
    """Levels keep declaration order, but best, worst and ascending follow scores."""
    assert FOUR.best.id == "baik"
    assert FOUR.worst.id == "tidak_baik"
    assert tuple(level.id for level in FOUR.ascending) == ASCENDING
    assert (FOUR.minimum, FOUR.maximum) == (1.0, 4.0)


def test_midpoint_bands_read_scores_back_as_the_nearest_level() -> None:
    """Without bands, a score is read as the nearest level; a tie goes to the lower level."""
    assert FOUR.effective_bands.cuts == (1.5, 2.5, 3.5)
    assert FOUR.level_for_score(2.6).id == "cukup_baik"
    assert FOUR.level_for_score(2.5).id == "kurang_baik"
    assert FOUR.level_for_score(0.0).id == "tidak_baik"
    assert FOUR.level_for_score(9.0).id == "baik"


def test_midpoints_follow_unequal_score_gaps() -> None:
    """Midpoint cuts sit halfway between neighbouring scores, whatever the gaps."""
    bands = Bands.midpoints([Level("c", 10), Level("a", 0), Level("b", 4)])
    assert bands.cuts == (2.0, 7.0)
    assert bands.levels == ("a", "b", "c")
    assert bands.method == "midpoints"


def test_ties_up_send_a_cut_value_to_the_upper_level() -> None:
    """With ties="up", a number equal to a cut goes to the upper level."""
    down = Bands((50, 75), ("low", "mid", "high"))
    up = Bands((50, 75), ("low", "mid", "high"), ties="up")
    assert (down.level_for(50), up.level_for(50)) == ("low", "mid")
    assert (down.level_for(75), up.level_for(75)) == ("mid", "high")
    assert down.level_for(50.0001) == up.level_for(50.0001) == "mid"


def test_equal_width_interval_kelas() -> None:
    """Equal-width class intervals split [low, high] into as many equal classes as levels.

    A five-item questionnaire scored 1-4 per item totals 5-20; four classes are
    3.75 wide, so the cuts are 8.75, 12.5 and 16.25.
    """
    bands = Bands.equal_width(ASCENDING, 5, 20)
    assert bands.cuts == (8.75, 12.5, 16.25)
    assert (bands.low, bands.high, bands.method) == (5.0, 20.0, "equal_width")
    assert [bands.level_for(total) for total in (5, 8.75, 9, 12.5, 16.3, 20)] == [
        "tidak_baik",
        "tidak_baik",
        "kurang_baik",
        "kurang_baik",
        "baik",
        "baik",
    ]


def test_equal_width_needs_a_range() -> None:
    """Equal-width bands over an empty or reversed range are refused."""
    with pytest.raises(ScaleError, match="low < high"):
        Bands.equal_width(ASCENDING, 4, 4)
    with pytest.raises(ScaleError, match="low < high"):
        Bands.equal_width(ASCENDING, 0, math.inf)


@pytest.mark.parametrize(
    ("cuts", "levels", "message"),
    [
        ((1, 2), ("a", "b"), "one more level than cuts"),
        ((2, 1), ("a", "b", "c"), "increase strictly"),
        ((1, 1), ("a", "b", "c"), "increase strictly"),
        ((1, math.nan), ("a", "b", "c"), "finite"),
        ((1, 2), ("a", "a", "b"), "distinct"),
    ],
)
def test_malformed_bands_are_refused(
    cuts: tuple[float, ...], levels: tuple[str, ...], message: str
) -> None:
    """Bands need increasing finite cuts and one more distinct level than cuts."""
    with pytest.raises(ScaleError, match=message):
        Bands(cuts, levels)


def test_banding_refuses_non_finite_numbers() -> None:
    """A NaN cannot be placed in a band."""
    with pytest.raises(ScaleError, match="non-finite"):
        FOUR.effective_bands.level_for(math.nan)


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ((), "at least one level"),
        ((Level("a", 1), Level("a", 2)), "duplicate level ids"),
        ((Level("a", 1), Level("b", 1)), "scores must be distinct"),
    ],
)
def test_malformed_ordinal_scales_are_refused(levels: tuple[Level, ...], message: str) -> None:
    """An ordinal scale needs levels with distinct ids and distinct scores."""
    with pytest.raises(ScaleError, match=message):
        OrdinalScale("s", levels)


def test_level_scores_must_be_finite() -> None:
    """A level with an infinite score is refused."""
    with pytest.raises(ScaleError, match="finite"):
        Level("a", math.inf)


def test_ordinal_bands_must_name_known_levels() -> None:
    """Bands on an ordinal scale may only produce the scale's own levels."""
    with pytest.raises(ScaleError, match="unknown levels"):
        OrdinalScale("s", (Level("a", 1), Level("b", 2)), bands=Bands((1.5,), ("a", "z")))


def test_numeric_scale_bands_values_into_levels() -> None:
    """A banded numeric scale reads a value as a level of its ordinal scale."""
    bands = Bands((50, 75, 90), ASCENDING)
    pct = NumericScale("pct", minimum=0, maximum=100, unit="%", bands=bands, levels=FOUR)
    level = pct.level_for_value(58.4)
    assert level is not None
    assert level.id == "kurang_baik"
    assert NumericScale("raw").level_for_value(58.4) is None


def test_numeric_scale_contains_its_bounds() -> None:
    """Bounds are inclusive; NaN is never within a scale."""
    pct = NumericScale("pct", minimum=0, maximum=100)
    assert [pct.contains(v) for v in (0, 100, -0.1, 100.1, math.nan)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert NumericScale("open").contains(1e300)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"minimum": 5, "maximum": 5}, "minimum must be below maximum"),
        ({"minimum": math.nan}, "finite"),
        ({"direction": "sideways"}, "direction"),
        ({"bands": Bands((1,), ("a", "b"))}, "go together"),
        ({"bands": Bands((1,), ("a", "z")), "levels": FOUR}, "does not have"),
    ],
)
def test_malformed_numeric_scales_are_refused(options: dict[str, object], message: str) -> None:
    """A numeric scale needs ordered finite bounds, a direction, and bands with their levels."""
    with pytest.raises(ScaleError, match=message):
        NumericScale("n", **options)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(ordinal_scales(), st.integers(-500, 500).map(lambda n: n / 4))
def test_every_score_reads_as_a_level_of_the_scale(scale: OrdinalScale, score: float) -> None:
    """Whatever the bands, any finite score is read back as one of the scale's levels."""
    assert scale.level_for_score(score) in scale.levels


@settings(max_examples=50, deadline=None)
@given(ordinal_scales())
def test_midpoint_banding_returns_each_level_for_its_own_score(scale: OrdinalScale) -> None:
    """Read through midpoint bands, a level's own score is read as that level."""
    bands = Bands.midpoints(scale.levels)
    for level in scale.levels:
        assert bands.level_for(level.score) == level.id


@settings(max_examples=50, deadline=None)
@given(ordinal_scales(), st.data())
def test_banding_is_monotone(scale: OrdinalScale, data: st.DataObject) -> None:
    """A larger number never falls in an earlier band."""
    bands = scale.effective_bands
    a, b = sorted(data.draw(st.lists(st.floats(-200, 200), min_size=2, max_size=2)))
    assert bands.levels.index(bands.level_for(a)) <= bands.levels.index(bands.level_for(b))


@settings(max_examples=30, deadline=None)
@given(numeric_scales(ordinal=FOUR))
def test_numeric_scales_band_into_their_ordinal_levels(scale: NumericScale) -> None:
    """A banded numeric scale only ever produces levels of its ordinal scale."""
    if scale.bands is not None:
        assert scale.levels is FOUR
        assert scale.level_for_value(42.0) in FOUR.levels
