"""Specification of the built-in triangulation rules."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument, PluginContractError
from policyeval.protocols import Assessment, Confidence, Status, TriangulationRule
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale, Scale
from policyeval.triangulation import (
    agreement,
    all_of,
    any_of,
    cerqual,
    investigator_triangulation,
    source_triangulation,
    technique_triangulation,
    time_triangulation,
)

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
    bands=Bands((50, 75, 90), ("tidak_baik", "kurang_baik", "cukup_baik", "baik")),
    levels=FOUR,
)
PLAIN = NumericScale("count")


def item(
    id: str,
    rating: str | None = "baik",
    *,
    source: str | None = None,
    category: str | None = None,
    technique: str = "interview",
    date: str | None = None,
    investigator: str | None = None,
    weight: float = 1.0,
    value: float | None = None,
    **extra: str,
) -> Evidence:
    return Evidence(
        id=id,
        indicator="kompetensi",
        rating=None if value is not None else rating,
        value=value,
        source=source or f"source-{id}",
        source_category=category,
        technique=technique,
        date=None if date is None else datetime.date.fromisoformat(date),
        investigator=investigator,
        weight=weight,
        extra=extra,
    )


# --- source triangulation: one example per status --------------------------------------------


def test_source_corroborated_high_full_assessment() -> None:
    """3 of 4 items agree on 'baik' from two categories: corroborated, high; every field set."""
    items = [
        item("e1", source="komisioner", category="penyelenggara", date="2024-03-01"),
        item("e2", source="kabag", category="asn", investigator="ani"),
        item("e3", source="staf", category="asn", technique="observation"),
        item("e4", "cukup_baik", source="dosen", category="akademisi"),
    ]
    rule = source_triangulation()
    assert rule(items, FOUR) == Assessment(
        rating="baik",
        value=None,
        agreement=0.75,
        evidence=("e1", "e2", "e3", "e4"),
        agreeing=("e1", "e2", "e3"),
        sources=("kabag", "komisioner", "staf"),
        source_categories=("asn", "penyelenggara"),
        techniques=("interview", "observation"),
        dates=("2024-03-01",),
        investigators=("ani",),
        status=Status.CORROBORATED,
        confidence=Confidence.HIGH,
        explanation=(
            "3 of 4 items (75%) agree on 'baik'; 2 source categories (asn, penyelenggara) "
            "— corroborated"
        ),
        concerns=(),
        rule="source_triangulation(min_categories=2, min_agreement=0.5, high_agreement=0.75)",
    )


def test_source_corroborated_moderate() -> None:
    """2 of 3 items (66.7%, below high_agreement) from two categories: corroborated, moderate."""
    items = [
        item("e1", category="asn"),
        item("e2", category="penyelenggara"),
        item("e3", "cukup_baik", category="asn"),
    ]
    result = source_triangulation()(items, FOUR)
    assert (result.status, result.confidence) == (Status.CORROBORATED, Confidence.MODERATE)
    assert result.explanation == (
        "2 of 3 items (66.7%) agree on 'baik'; 2 source categories (asn, penyelenggara) "
        "— corroborated"
    )


def test_source_partially_corroborated_moderate() -> None:
    """Two sources of one category, all agreeing: partially corroborated, moderate."""
    items = [item("e1", source="camat", category="asn"), item("e2", source="lurah", category="asn")]
    result = source_triangulation()(items, FOUR)
    assert (result.status, result.confidence) == (
        Status.PARTIALLY_CORROBORATED,
        Confidence.MODERATE,
    )
    assert result.explanation == (
        "2 of 2 items (100%) agree on 'baik'; 1 source category (asn), 2 needed; "
        "2 sources (camat, lurah) — partially corroborated"
    )


def test_an_even_split_is_contested_and_says_so() -> None:
    """Two 'baik' against two 'cukup_baik': the lower level is shown, 50% agree, and the
    judgement is contested (very low) with an explanation naming the split."""
    items = [
        item("e1", category="akademisi"),
        item("e2", category="akademisi"),
        item("e3", "cukup_baik", source="camat", category="asn"),
        item("e4", "cukup_baik", source="lurah", category="asn"),
    ]
    result = source_triangulation()(items, FOUR)
    assert result.rating == "cukup_baik"
    assert result.agreement == 0.5
    assert (result.status, result.confidence) == (Status.CONTESTED, Confidence.VERY_LOW)
    assert result.explanation == (
        "2 of 4 items (50%) agree on 'cukup_baik'; an even split between 'cukup_baik' and "
        "'baik': half the weight on each side, the lower one shown — contested"
    )


@pytest.mark.parametrize(
    "rule",
    [
        source_triangulation(),
        technique_triangulation(),
        agreement(corroborated_at=0.5),
        cerqual(),
        all_of(source_triangulation(), technique_triangulation()),
    ],
    ids=repr,
)
def test_every_built_in_rule_judges_an_even_split_contested(rule: TriangulationRule) -> None:
    """Half the weight on 'baik', half on 'tidak_baik' (weights 1.5 + 0.5 against 2): contested."""
    items = [
        item("e1", category="akademisi", technique="interview", weight=1.5),
        item("e2", source="kpu", category="asn", technique="documentation", weight=0.5),
        item("e3", "tidak_baik", source="camat", category="asn", technique="observation", weight=2),
    ]
    result = rule(items, FOUR)
    assert (result.rating, result.status) == ("tidak_baik", Status.CONTESTED)


def test_a_majority_is_not_an_even_split() -> None:
    """Three 'baik' against one 'cukup_baik' from two categories: corroborated, no split."""
    items = [
        item("e1", category="akademisi"),
        item("e2", category="asn", source="camat"),
        item("e3", category="asn", source="lurah"),
        item("e4", "cukup_baik", source="kpu", category="penyelenggara"),
    ]
    result = source_triangulation()(items, FOUR)
    assert (result.rating, result.status) == ("baik", Status.CORROBORATED)


def test_source_single_source() -> None:
    """One item: single source, low."""
    result = source_triangulation()([item("e1", source="kpu", category="penyelenggara")], FOUR)
    assert (result.status, result.confidence) == (Status.SINGLE_SOURCE, Confidence.LOW)
    assert result.explanation == (
        "1 of 1 item (100%) agree on 'baik'; 1 source category (penyelenggara), 2 needed; "
        "1 source (kpu) — single source"
    )


def test_source_contested() -> None:
    """Ratings 4, 3, 2 from three categories: consensus 'cukup_baik' at 33.3%: contested."""
    items = [
        item("e1", "baik", category="a"),
        item("e2", "cukup_baik", category="b"),
        item("e3", "kurang_baik", category="c"),
    ]
    result = source_triangulation()(items, FOUR)
    assert (result.status, result.confidence) == (Status.CONTESTED, Confidence.VERY_LOW)
    assert result.rating == "cukup_baik"
    assert result.explanation == (
        "1 of 3 items (33.3%) agree on 'cukup_baik', below 50% — contested"
    )


def test_no_evidence() -> None:
    """No items: no evidence, no rating, no confidence."""
    rule = source_triangulation()
    assert rule([], FOUR) == Assessment(
        status=Status.NO_EVIDENCE, explanation="no evidence", rule=repr(rule)
    )


def test_source_category_defaults_to_the_source() -> None:
    """An item without a category counts its source as its category."""
    result = source_triangulation()([item("e1", source="kpu"), item("e2", source="kpu2")], FOUR)
    assert result.status is Status.CORROBORATED
    assert result.source_categories == ("kpu", "kpu2")


def test_source_min_categories_and_thresholds() -> None:
    """min_categories=3 needs three categories; min_agreement=0.7 contests 66.7% agreement."""
    items = [
        item("e1", category="asn"),
        item("e2", category="penyelenggara"),
        item("e3", "cukup_baik", category="akademisi"),
    ]
    assert source_triangulation(min_categories=3)(items, FOUR).status is (
        Status.PARTIALLY_CORROBORATED
    )
    assert source_triangulation(min_agreement=0.7)(items, FOUR).status is Status.CONTESTED


def test_weights_move_the_consensus() -> None:
    """A 'kurang_baik' weighted 3 outweighs two 'baik' items."""
    items = [
        item("e1", category="a"),
        item("e2", category="b"),
        item("e3", "kurang_baik", weight=3),
    ]
    result = source_triangulation()(items, FOUR)
    assert (result.rating, result.agreement, result.status) == (
        "kurang_baik",
        0.6,
        Status.SINGLE_SOURCE,
    )


def test_banded_numeric_indicator() -> None:
    """Values 58.4, 60 and 95 band to 'kurang_baik' at 60 (2 of 3 agree) from two categories."""
    items = [
        item("e1", value=58.4, category="bpkad"),
        item("e2", value=60, category="bawaslu"),
        item("e3", value=95, category="bawaslu"),
    ]
    result = source_triangulation()(items, REALISATION)
    assert (result.rating, result.value, result.agreeing) == ("kurang_baik", 60.0, ("e1", "e2"))
    assert result.explanation == (
        "2 of 3 items (66.7%) agree on 60 ('kurang_baik'); 2 source categories "
        "(bawaslu, bpkad) — corroborated"
    )


def test_unbanded_numeric_indicator() -> None:
    """Values 100 and 103 agree within 5%; 150 does not."""
    items = [item("e1", value=100), item("e2", value=103), item("e3", value=150)]
    result = source_triangulation()(items, PLAIN)
    assert (result.rating, result.value, result.agreeing) == (None, 103.0, ("e1", "e2"))
    assert result.explanation.startswith("2 of 3 items (66.7%) agree on 103;")


# --- technique triangulation -----------------------------------------------------------------


def test_technique_corroborated_across_sources() -> None:
    """Interview at one source, documents at another: two techniques, corroborated."""
    items = [
        item("e1", source="kpu", technique="interview"),
        item("e2", source="bawaslu", technique="documentation"),
    ]
    result = technique_triangulation()(items, FOUR)
    assert (result.status, result.confidence) == (Status.CORROBORATED, Confidence.HIGH)
    assert result.techniques == ("documentation", "interview")
    assert result.explanation == (
        "2 of 2 items (100%) agree on 'baik'; 2 techniques (documentation, interview) "
        "— corroborated"
    )


def test_technique_within_source_needs_one_source() -> None:
    """With within_source=True, two techniques at two different sources are not enough, but
    two techniques at one source are."""
    strict = technique_triangulation(within_source=True)
    spread = [
        item("e1", source="kpu", technique="interview"),
        item("e2", source="bawaslu", technique="documentation"),
    ]
    assert strict(spread, FOUR).status is Status.PARTIALLY_CORROBORATED
    same = [*spread, item("e3", source="kpu", technique="observation")]
    result = strict(same, FOUR)
    assert result.status is Status.CORROBORATED
    assert result.explanation == (
        "3 of 3 items (100%) agree on 'baik'; 2 techniques (interview, observation) from one "
        "source (kpu) — corroborated"
    )


def test_technique_single_source_one_technique() -> None:
    """Two interviews with one source: single source, low."""
    items = [item("e1", source="kpu"), item("e2", source="kpu")]
    result = technique_triangulation()(items, FOUR)
    assert (result.status, result.confidence) == (Status.SINGLE_SOURCE, Confidence.LOW)


# --- time triangulation ----------------------------------------------------------------------


def test_time_counts_distinct_dates() -> None:
    """Two distinct dates corroborate; an undated item and a repeated date do not count."""
    items = [
        item("e1", source="kpu", date="2024-01-05"),
        item("e2", source="kpu", date="2024-01-05"),
        item("e3", source="kpu"),
    ]
    rule = time_triangulation()
    assert rule(items, FOUR).status is Status.SINGLE_SOURCE
    later = [*items, item("e4", source="kpu", date="2024-03-01")]
    result = rule(later, FOUR)
    assert (result.status, result.confidence) == (Status.CORROBORATED, Confidence.HIGH)
    assert result.dates == ("2024-01-05", "2024-03-01")
    assert result.explanation == (
        "4 of 4 items (100%) agree on 'baik'; 2 dates (2024-01-05, 2024-03-01) — corroborated"
    )


def test_time_minimum_gap() -> None:
    """With min_gap_days=30, 1 Jan, 15 Jan and 20 Feb give two dates far enough apart
    (1 Jan and 20 Feb); with 60 days only one."""
    items = [
        item("e1", source="kpu", date="2024-01-01"),
        item("e2", source="kpu", date="2024-01-15"),
        item("e3", source="kpu", date="2024-02-20"),
    ]
    assert time_triangulation(min_gap_days=30)(items, FOUR).status is Status.CORROBORATED
    result = time_triangulation(min_gap_days=60)(items, FOUR)
    assert result.status is Status.SINGLE_SOURCE
    assert result.dates == ("2024-01-01", "2024-01-15", "2024-02-20")
    assert result.explanation == (
        "3 of 3 items (100%) agree on 'baik'; 1 date at least 60 days apart (2024-01-01), "
        "2 needed; 1 source (kpu) — single source"
    )


# --- investigator triangulation --------------------------------------------------------------


def test_investigators() -> None:
    """Two investigators corroborate; items without an investigator do not count."""
    rule = investigator_triangulation()
    one = [item("e1", investigator="ani"), item("e2")]
    result = rule(one, FOUR)
    assert (result.status, result.confidence) == (
        Status.PARTIALLY_CORROBORATED,
        Confidence.MODERATE,
    )
    assert result.investigators == ("ani",)
    two = [*one, item("e3", investigator="budi")]
    assert rule(two, FOUR).status is Status.CORROBORATED


# --- agreement -------------------------------------------------------------------------------


def ratings(*levels: str) -> list[Evidence]:
    return [item(f"e{n}", level) for n, level in enumerate(levels)]


@pytest.mark.parametrize(
    ("levels", "status", "confidence"),
    [
        (["baik"] * 9 + ["kurang_baik"], Status.CORROBORATED, Confidence.HIGH),
        (["baik"] * 4 + ["kurang_baik"], Status.CORROBORATED, Confidence.MODERATE),
        (["baik"] * 3 + ["kurang_baik"] * 2, Status.PARTIALLY_CORROBORATED, Confidence.LOW),
        (["baik", "cukup_baik", "kurang_baik"], Status.CONTESTED, Confidence.VERY_LOW),
        (["baik"], Status.CORROBORATED, Confidence.HIGH),
    ],
)
def test_agreement_rule(levels: list[str], status: Status, confidence: Confidence) -> None:
    """The agreement rule reads only the agreement share: 90% high, 80% moderate, 60% low and
    partially corroborated, 33% contested."""
    result = agreement()(ratings(*levels), FOUR)
    assert (result.status, result.confidence) == (status, confidence)


def test_agreement_explanation() -> None:
    """The explanation states the share and the threshold it was compared with."""
    result = agreement()(ratings("baik", "baik", "baik", "kurang_baik", "kurang_baik"), FOUR)
    assert result.explanation == (
        "3 of 5 items (60%) agree on 'baik', below 75% — partially corroborated"
    )


# --- cerqual ---------------------------------------------------------------------------------


def three() -> list[Evidence]:
    return [item(f"e{n}") for n in range(3)]


def test_cerqual_no_concerns() -> None:
    """Three agreeing items from three sources, no flags: corroborated, high, no concerns."""
    result = cerqual()(three(), FOUR)
    assert (result.status, result.confidence, result.concerns) == (
        Status.CORROBORATED,
        Confidence.HIGH,
        (),
    )
    assert result.explanation == (
        "3 of 3 items (100%) agree on 'baik'; 3 sources (source-e0, source-e1, source-e2) "
        "— corroborated; confidence high: no concerns"
    )


def test_cerqual_methodological_limitations() -> None:
    """Two of three agreeing items with serious limitations: one concern, moderate."""
    items = [item("e0", limitations="serious"), item("e1", limitations="Serious"), item("e2")]
    result = cerqual()(items, FOUR)
    assert (result.confidence, result.concerns) == (
        Confidence.MODERATE,
        ("methodological_limitations",),
    )


def test_cerqual_limitations_below_the_share() -> None:
    """One of three with serious limitations, one minor: under half, no concern."""
    items = [item("e0", limitations="serious"), item("e1", limitations="minor"), item("e2")]
    assert cerqual()(items, FOUR).concerns == ()


def test_cerqual_coherence() -> None:
    """3 of 5 agreeing (60% < 75%): a coherence concern, moderate."""
    items = [*three(), item("e3", "kurang_baik"), item("e4", "kurang_baik")]
    result = cerqual()(items, FOUR)
    assert (result.status, result.confidence, result.concerns) == (
        Status.CORROBORATED,
        Confidence.MODERATE,
        ("coherence",),
    )


def test_cerqual_adequacy_by_items() -> None:
    """Two agreeing items from two sources: an adequacy concern, moderate."""
    result = cerqual()(three()[:2], FOUR)
    assert (result.status, result.confidence, result.concerns) == (
        Status.CORROBORATED,
        Confidence.MODERATE,
        ("adequacy",),
    )


def test_cerqual_adequacy_by_sources() -> None:
    """Three agreeing items from one source: single source, adequacy concern, moderate."""
    items = [item(f"e{n}", source="kpu") for n in range(3)]
    result = cerqual()(items, FOUR)
    assert (result.status, result.confidence, result.concerns) == (
        Status.SINGLE_SOURCE,
        Confidence.MODERATE,
        ("adequacy",),
    )
    assert result.explanation.endswith(
        "— single source; confidence moderate: adequacy (1 source, 2 needed)"
    )


def test_cerqual_relevance() -> None:
    """Agreeing weight mostly partial or indirect: a relevance concern."""
    items = [
        item("e0", relevance="partial"),
        item("e1", relevance="indirect"),
        item("e2", relevance="direct", weight=1.5),
    ]
    result = cerqual()(items, FOUR)
    assert result.concerns == ("relevance",)
    assert result.confidence is Confidence.MODERATE


def test_cerqual_all_concerns() -> None:
    """All four concerns take confidence down to very low, listed in the fixed order."""
    items = [
        item("e0", source="kpu", limitations="serious", relevance="indirect"),
        item("e1", source="kpu", limitations="serious", relevance="indirect"),
        item("e2", "kurang_baik"),
    ]
    result = cerqual()(items, FOUR)
    assert result.concerns == (
        "methodological_limitations",
        "coherence",
        "adequacy",
        "relevance",
    )
    assert result.confidence is Confidence.VERY_LOW
    assert result.explanation == (
        "2 of 3 items (66.7%) agree on 'baik'; 1 source (kpu) — single source; confidence "
        "very low: methodological_limitations (100% of agreeing weight has serious "
        "limitations); coherence (agreement 66.7% below 75%); adequacy (2 agreeing items, "
        "3 needed, 1 source, 2 needed); relevance (100% of agreeing weight is partial or "
        "indirect)"
    )


def test_cerqual_contested() -> None:
    """Agreement below min_agreement is contested with very low confidence."""
    result = cerqual()(ratings("baik", "cukup_baik", "kurang_baik"), FOUR)
    assert (result.status, result.confidence) == (Status.CONTESTED, Confidence.VERY_LOW)
    assert "coherence" in result.concerns


# --- combining rules -------------------------------------------------------------------------

TWO_TECHNIQUES_ONE_SOURCE = [
    item("e1", source="kpu", technique="interview"),
    item("e2", source="kpu", technique="documentation"),
]


def test_all_of_takes_the_weakest() -> None:
    """all_of gives the weakest status and the lowest confidence, and joins explanations."""
    rule = all_of(source_triangulation(), technique_triangulation())
    result = rule(TWO_TECHNIQUES_ONE_SOURCE, FOUR)
    assert (result.status, result.confidence) == (Status.SINGLE_SOURCE, Confidence.LOW)
    assert result.explanation.startswith("all_of (single source): 2 of 2 items (100%)")
    assert " | " in result.explanation
    assert result.rule == repr(rule)


def test_any_of_takes_the_strongest() -> None:
    """any_of gives the strongest status and the highest confidence."""
    rule = any_of(source_triangulation(), technique_triangulation())
    result = rule(TWO_TECHNIQUES_ONE_SOURCE, FOUR)
    assert (result.status, result.confidence) == (Status.CORROBORATED, Confidence.HIGH)


def test_combined_concerns() -> None:
    """all_of keeps every member's concerns; any_of only those every member raised."""
    items = three()[:2]
    strict = cerqual(min_items=3)
    lenient = cerqual(min_items=1, coherence_at=0.0)
    assert all_of(strict, source_triangulation())(items, FOUR).concerns == ("adequacy",)
    assert any_of(strict, source_triangulation())(items, FOUR).concerns == ()
    assert any_of(strict, strict)(items, FOUR).concerns == ("adequacy",)
    assert any_of(strict, lenient)(items, FOUR).confidence is Confidence.HIGH


def test_combined_rules_share_the_consensus() -> None:
    """all_of and any_of report the same consensus and items as their members."""
    items = [item("e1"), item("e2", "kurang_baik", weight=0.5), item("e3", category="x")]
    member = source_triangulation()(items, FOUR)
    for combined in (all_of(source_triangulation(), cerqual()), any_of(agreement())):
        result = combined(items, FOUR)
        fields = ("rating", "value", "agreement", "evidence", "agreeing", "sources")
        assert [getattr(result, name) for name in fields] == [
            getattr(member, name) for name in fields
        ]


def test_combined_repr_nests() -> None:
    """The repr of a combination shows its members."""
    assert repr(any_of(all_of(agreement()), time_triangulation(min_dates=3))) == (
        "any_of(all_of(agreement(corroborated_at=0.75, contested_below=0.5, high_at=0.9)), "
        "time_triangulation(min_dates=3, min_gap_days=0, min_agreement=0.5, high_agreement=0.75))"
    )


def test_combined_rejects_a_member_returning_something_else() -> None:
    """A member returning no Assessment breaks its contract."""

    def broken(evidence: Sequence[Evidence], scale: Scale) -> Any:
        return "corroborated"

    with pytest.raises(PluginContractError, match="expected an Assessment"):
        all_of(source_triangulation(), broken)([item("e1")], FOUR)


def test_combined_rejects_members_with_different_consensus() -> None:
    """Members that disagree on the consensus cannot be combined."""

    def pessimist(evidence: Sequence[Evidence], scale: Scale) -> Assessment:
        return attrs.evolve(source_triangulation()(evidence, scale), rating="tidak_baik")

    with pytest.raises(PluginContractError, match="disagree on the consensus"):
        any_of(source_triangulation(), pessimist)([item("e1")], FOUR)


# --- arguments and reprs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "kwargs", "fragment"),
    [
        (source_triangulation, {"min_categories": 0}, "min_categories=0"),
        (source_triangulation, {"min_categories": 2.0}, "min_categories=2.0"),
        (source_triangulation, {"min_categories": True}, "min_categories=True"),
        (source_triangulation, {"min_agreement": 1.5}, "min_agreement=1.5"),
        (source_triangulation, {"high_agreement": -0.1}, "high_agreement=-0.1"),
        (source_triangulation, {"min_agreement": 0.8, "high_agreement": 0.7}, "min_agreement=0.8"),
        (technique_triangulation, {"min_techniques": -1}, "min_techniques=-1"),
        (technique_triangulation, {"within_source": "yes"}, "within_source='yes'"),
        (time_triangulation, {"min_dates": 0}, "min_dates=0"),
        (time_triangulation, {"min_gap_days": -1}, "min_gap_days=-1"),
        (investigator_triangulation, {"min_investigators": "2"}, "min_investigators='2'"),
        (investigator_triangulation, {"min_agreement": float("nan")}, "min_agreement=nan"),
        (agreement, {"corroborated_at": 1.2}, "corroborated_at=1.2"),
        (agreement, {"contested_below": 0.8}, "contested_below=0.8"),
        (agreement, {"high_at": 0.6}, "high_at=0.6"),
        (cerqual, {"coherence_at": 2}, "coherence_at=2"),
        (cerqual, {"min_items": 0}, "min_items=0"),
        (cerqual, {"min_sources": 1.5}, "min_sources=1.5"),
        (cerqual, {"concern_share": -1}, "concern_share=-1"),
        (cerqual, {"min_agreement": None}, "min_agreement=None"),
    ],
)
def test_bad_arguments(factory: Any, kwargs: dict[str, Any], fragment: str) -> None:
    """Every factory rejects bad arguments with InvalidArgument naming name=value."""
    with pytest.raises(InvalidArgument) as caught:
        factory(**kwargs)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [((), "rules=()"), ((source_triangulation(), "source"), "rules[1]='source'")],
)
def test_bad_combinations(rules: tuple[Any, ...], fragment: str) -> None:
    """all_of and any_of need at least one rule, and only callables."""
    for combine in (all_of, any_of):
        with pytest.raises(InvalidArgument) as caught:
            combine(*rules)
        assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (
            source_triangulation(),
            "source_triangulation(min_categories=2, min_agreement=0.5, high_agreement=0.75)",
        ),
        (
            technique_triangulation(within_source=True),
            "technique_triangulation(min_techniques=2, within_source=True, min_agreement=0.5, "
            "high_agreement=0.75)",
        ),
        (
            time_triangulation(min_gap_days=30),
            "time_triangulation(min_dates=2, min_gap_days=30, min_agreement=0.5, "
            "high_agreement=0.75)",
        ),
        (
            investigator_triangulation(high_agreement=1),
            "investigator_triangulation(min_investigators=2, min_agreement=0.5, "
            "high_agreement=1.0)",
        ),
        (agreement(), "agreement(corroborated_at=0.75, contested_below=0.5, high_at=0.9)"),
        (
            cerqual(),
            "cerqual(coherence_at=0.75, min_items=3, min_sources=2, concern_share=0.5, "
            "min_agreement=0.5)",
        ),
    ],
)
def test_repr_shows_parameters(rule: TriangulationRule, text: str) -> None:
    """Each rule's repr is the factory call that builds it."""
    assert repr(rule) == text
    assert isinstance(rule, TriangulationRule)


def test_rules_are_frozen_values() -> None:
    """Rules with equal parameters are equal, and cannot be changed."""
    assert source_triangulation() == source_triangulation()
    assert source_triangulation() != source_triangulation(min_categories=3)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        source_triangulation().minimum = 3  # type: ignore[attr-defined]


# --- laws, for every built-in rule -----------------------------------------------------------

RULES: list[TriangulationRule] = [
    source_triangulation(),
    source_triangulation(min_categories=3, min_agreement=0.6, high_agreement=0.9),
    technique_triangulation(),
    technique_triangulation(within_source=True),
    time_triangulation(),
    time_triangulation(min_dates=2, min_gap_days=30),
    investigator_triangulation(),
    agreement(),
    cerqual(),
    all_of(source_triangulation(), technique_triangulation(), cerqual()),
    any_of(time_triangulation(), investigator_triangulation(), agreement()),
]
RULE_IDS = [repr(rule)[:40] for rule in RULES]

SOURCES = {"kpu": "penyelenggara", "bawaslu": "penyelenggara", "bkpsdm": "asn", "opd": "asn"}
DAYS = [datetime.date(2024, 1, 1) + datetime.timedelta(days=d) for d in (0, 10, 45, 120)]
TECHNIQUES = ["interview", "observation", "documentation"]
SCALES: list[Scale] = [FOUR, REALISATION, PLAIN]
VALUES = [0.0, 40.0, 50.0, 58.4, 60.0, 61.0, 75.0, 90.0, 100.0]


# Every strategy is built once, so drawing a case stays cheap on a busy machine.
_RATINGS = {
    scale.id: st.sampled_from([level.id for level in scale.levels]).map(
        lambda rating: {"rating": rating}
    )
    for scale in SCALES
    if isinstance(scale, OrdinalScale)
}
_VALUES = (st.sampled_from(VALUES) | st.floats(0, 100)).map(lambda value: {"value": value})
_SOURCES = st.sampled_from(sorted(SOURCES))
_TECHNIQUES = st.sampled_from(TECHNIQUES)
_DATES = st.none() | st.sampled_from(DAYS)
_INVESTIGATORS = st.none() | st.sampled_from(["ani", "budi"])
_WEIGHTS = st.sampled_from([0.5, 1.0, 1.0, 2.0])
_KEEP_CATEGORY = st.booleans()
_EXTRA = st.fixed_dictionaries(
    {},
    optional={
        "limitations": st.sampled_from(["none", "minor", "serious"]),
        "relevance": st.sampled_from(["direct", "partial", "indirect"]),
    },
)
_SCALES = st.sampled_from(SCALES)
_COUNTS = st.integers(0, 7)


def draw_item(draw: st.DrawFn, scale: Scale, id: str) -> Evidence:
    source = draw(_SOURCES)
    reading = draw(_RATINGS[scale.id] if isinstance(scale, OrdinalScale) else _VALUES)
    return Evidence(
        id=id,
        indicator="kompetensi",
        source=source,
        source_category=SOURCES[source] if draw(_KEEP_CATEGORY) else None,
        technique=draw(_TECHNIQUES),
        date=draw(_DATES),
        investigator=draw(_INVESTIGATORS),
        weight=draw(_WEIGHTS),
        extra=draw(_EXTRA),
        **reading,
    )


def one_item(scale: Scale, id: str) -> st.SearchStrategy[Evidence]:
    return st.composite(lambda draw: draw_item(draw, scale, id))()


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scale, list[Evidence]]:
    scale = draw(_SCALES)
    return scale, [draw_item(draw, scale, f"e{n}") for n in range(draw(_COUNTS))]


LAW_SETTINGS = settings(max_examples=40, deadline=None)


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
@LAW_SETTINGS
@given(case=cases(), data=st.data())
def test_law_order_does_not_matter(
    rule: TriangulationRule, case: tuple[Scale, list[Evidence]], data: st.DataObject
) -> None:
    """Any order of the same evidence gives the same assessment."""
    scale, items = case
    shuffled = data.draw(st.permutations(items))
    assert rule(shuffled, scale) == rule(items, scale)


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
@LAW_SETTINGS
@given(case=cases(), data=st.data())
def test_law_duplicates_add_no_sources(
    rule: TriangulationRule, case: tuple[Scale, list[Evidence]], data: st.DataObject
) -> None:
    """An item given twice changes nothing; a copy under a new id of an item stating the
    consensus adds no sources.

    (A copy of an agreeing item with another value may move a numeric consensus, and with it
    the items within tolerance, so the law is stated for items at the consensus itself.)"""
    scale, items = case
    if not items:
        return
    before = rule(items, scale)
    again = data.draw(st.sampled_from(items))
    assert rule([*items, again], scale) == before
    at_consensus = [
        candidate
        for candidate in items
        if candidate.id in before.agreeing
        and (before.value is None or candidate.value == before.value)
    ]
    if not at_consensus:
        # Only a combining rule can agree with no item at the consensus of its members.
        return
    copy = attrs.evolve(data.draw(st.sampled_from(at_consensus)), id="copy")
    after = rule([*items, copy], scale)
    assert after.sources == before.sources
    assert after.source_categories == before.source_categories


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
@LAW_SETTINGS
@given(case=cases(), data=st.data())
def test_law_new_agreeing_category_never_lowers_status(
    rule: TriangulationRule, case: tuple[Scale, list[Evidence]], data: st.DataObject
) -> None:
    """Adding an item that agrees with the consensus, from a new source category, never
    lowers the status."""
    scale, items = case
    before = rule(items, scale)
    template = data.draw(one_item(scale, "new"))
    if before.status is Status.NO_EVIDENCE:
        newcomer = template
    elif isinstance(scale, OrdinalScale):
        newcomer = attrs.evolve(template, rating=before.rating)
    else:
        newcomer = attrs.evolve(template, value=before.value)
    newcomer = attrs.evolve(newcomer, source="new-source", source_category="new-category")
    after = rule([*items, newcomer], scale)
    assert after.status >= before.status
    if before.status is not Status.NO_EVIDENCE:
        assert (after.rating, after.value) == (before.rating, before.value)


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
@pytest.mark.parametrize("scale", [FOUR, REALISATION, PLAIN], ids=["ordinal", "banded", "plain"])
def test_law_no_evidence(rule: TriangulationRule, scale: Scale) -> None:
    """No evidence gives no_evidence, no rating, no value, no confidence."""
    result = rule([], scale)
    assert (result.status, result.rating, result.value, result.confidence) == (
        Status.NO_EVIDENCE,
        None,
        None,
        None,
    )


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
@LAW_SETTINGS
@given(case=cases())
def test_law_assessment_is_consistent(
    rule: TriangulationRule, case: tuple[Scale, list[Evidence]]
) -> None:
    """Evidence lists every item, agreeing items are among them, confidence is missing only
    without evidence, and contested means very low confidence."""
    scale, items = case
    result = rule(items, scale)
    assert result.evidence == tuple(sorted(item.id for item in items))
    assert set(result.agreeing) <= set(result.evidence)
    assert (result.confidence is None) == (result.status is Status.NO_EVIDENCE) == (not items)
    if result.status is Status.CONTESTED:
        assert result.confidence is Confidence.VERY_LOW
    assert result.rule == repr(rule)
    assert "\n" not in result.explanation


@LAW_SETTINGS
@given(case=cases())
def test_law_all_of_and_any_of_bound_their_members(case: tuple[Scale, list[Evidence]]) -> None:
    """all_of is never stronger, and any_of never weaker, than any member."""
    scale, items = case
    members = [source_triangulation(), time_triangulation(), cerqual()]
    statuses = [member(items, scale).status for member in members]
    assert all_of(*members)(items, scale).status == min(statuses)
    assert any_of(*members)(items, scale).status == max(statuses)


# --- attribution: inferred sources and unspecified techniques are not independent ----------


def test_an_inferred_item_adds_no_source_category() -> None:
    """Two categories agree, but one item's source is the encoder's inference: single source."""
    stated = item("e1", source="report", category="dokumen")
    inferred = attrs.evolve(
        item("e2", source="informant", category="penyelenggara"), attribution="inferred"
    )
    result = source_triangulation()([stated, inferred], FOUR)
    assert result.status is Status.SINGLE_SOURCE
    assert "1 source category (dokumen) (1 item not counted: inferred)" in result.explanation
    both_stated = source_triangulation()(
        [stated, attrs.evolve(inferred, attribution="stated")], FOUR
    )
    assert both_stated.status is Status.CORROBORATED


def test_an_unspecified_technique_is_not_counted_as_a_technique() -> None:
    """'unspecified' beside 'documentation' is one technique, not two."""
    items = [
        item("e1", source="authors", technique="unspecified"),
        item("e2", source="report", technique="documentation"),
    ]
    result = technique_triangulation()(items, FOUR)
    assert result.status is Status.PARTIALLY_CORROBORATED
    assert "1 technique (documentation) (1 item not counted" in result.explanation
    assert technique_triangulation(within_source=True)(items[:1], FOUR).status is (
        Status.SINGLE_SOURCE
    )


def test_inferred_items_still_count_in_the_consensus() -> None:
    """Attribution changes corroboration only: the consensus and agreement stay the same."""
    items = [item("e1"), item("e2", "kurang_baik"), item("e3", "kurang_baik")]
    marked = [attrs.evolve(one, attribution="inferred") for one in items]
    before, after = source_triangulation()(items, FOUR), source_triangulation()(marked, FOUR)
    assert (after.rating, after.agreement, after.agreeing) == (
        before.rating,
        before.agreement,
        before.agreeing,
    )


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
@LAW_SETTINGS
@given(case=cases(), data=st.data())
def test_law_marking_items_inferred_never_raises_status(
    rule: TriangulationRule, case: tuple[Scale, list[Evidence]], data: st.DataObject
) -> None:
    """Marking items' attribution inferred, or their technique unspecified, never raises the
    status: a guess is never more independent than a stated fact."""
    scale, items = case
    chosen = data.draw(
        st.sets(st.sampled_from([one.id for one in items])) if items else st.just(set())
    )
    how = data.draw(st.sampled_from(["inferred", "unspecified"]))
    changes: dict[str, Any] = (
        {"attribution": "inferred"} if how == "inferred" else {"technique": "unspecified"}
    )
    marked = [attrs.evolve(one, **changes) if one.id in chosen else one for one in items]
    assert rule(marked, scale).status <= rule(items, scale).status
