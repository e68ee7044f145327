"""Inter-coder agreement: Krippendorff's alpha, Cohen's kappa, and the coder_agreement rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import frameworks
from policyeval.agreement import (
    agreement_by_indicator,
    coder_alpha,
    cohen_kappa,
    krippendorff_alpha,
)
from policyeval.evidence import Evidence
from policyeval.exceptions import InvalidArgument
from policyeval.protocols import Confidence
from policyeval.registry import rule
from policyeval.scales import Level, OrdinalScale
from policyeval.triangulation import coder_agreement

krippendorff = pytest.importorskip("krippendorff")
np = pytest.importorskip("numpy")

# Krippendorff's own worked example (Content Analysis, 2004): 4 coders, 12 units, gaps.
CANONICAL = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
SCALE = OrdinalScale("s", (Level("hi", 3), Level("mid", 2), Level("lo", 1)))


def _units(rows: list[list[int | None]]) -> list[list[int | None]]:
    return [list(column) for column in zip(*rows, strict=True)]


def _reference(rows: list[list[int | None]], metric: str) -> float:
    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=metric))


@pytest.mark.parametrize(
    ("metric", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_gives_krippendorffs_published_values(metric: str, expected: float) -> None:
    alpha = krippendorff_alpha(_units(CANONICAL), metric=metric)  # type: ignore[arg-type]
    assert alpha is not None and round(alpha, 3) == expected
    assert math.isclose(alpha, _reference(CANONICAL, metric), rel_tol=1e-12)


codings = st.integers(2, 4).flatmap(
    lambda coders: st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=coders, max_size=coders),
        min_size=2,
        max_size=12,
    )
)


@settings(max_examples=60, deadline=None)
@given(codings, st.sampled_from(["nominal", "ordinal", "interval"]))
def test_alpha_matches_the_krippendorff_package(units, metric) -> None:  # type: ignore[no-untyped-def]
    """Law: our alpha equals the reference implementation wherever it is defined."""
    ours = krippendorff_alpha(units, metric=metric)
    rows = [list(row) for row in zip(*units, strict=True)]
    pairable = sum(sum(v is not None for v in unit) >= 2 for unit in units)
    values = {
        v for unit in units if sum(x is not None for x in unit) >= 2 for v in unit if v is not None
    }
    if ours is None:
        assert pairable == 0 or len(values) <= 1
        return
    assert math.isclose(ours, _reference(rows, metric), rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=15).filter(lambda v: len(set(v)) > 1))
def test_identical_coders_agree_perfectly(values: list[int]) -> None:
    """Law: coders who give every unit the same value have alpha = 1 and kappa = 1."""
    units = [[value, value, value] for value in values]
    for metric in ("nominal", "ordinal", "interval"):
        assert krippendorff_alpha(units, metric=metric) == pytest.approx(1.0)  # type: ignore[arg-type]
    assert cohen_kappa(values, values) == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=1, max_size=20))
def test_kappa_is_symmetric_in_the_coders(pairs: list[tuple[str, str]]) -> None:
    """Law: swapping the two coders does not change kappa (weighted or not)."""
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    for weights in (None, "linear", "quadratic"):
        one = cohen_kappa(first, second, weights=weights)  # type: ignore[arg-type]
        other = cohen_kappa(second, first, weights=weights)  # type: ignore[arg-type]
        assert (one is None and other is None) or one == pytest.approx(other)


@settings(max_examples=60, deadline=None)
@given(codings)
def test_alpha_does_not_depend_on_unit_or_coder_order(units) -> None:  # type: ignore[no-untyped-def]
    """Law: reordering units, or the values within a unit, leaves alpha unchanged."""
    forward = krippendorff_alpha(units, metric="ordinal")
    backward = krippendorff_alpha([list(reversed(u)) for u in reversed(units)], metric="ordinal")
    assert (forward is None and backward is None) or forward == pytest.approx(backward)


def test_kappa_by_hand() -> None:
    # p_o = 3/4; p_e = (2/4)(3/4) + (2/4)(1/4) = 1/2; kappa = (3/4 - 1/2) / (1/2) = 0.5
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "a"]) == 0.5
    assert cohen_kappa(["a", None], ["a", "b"]) is None  # one pair, chance agreement 1


def test_bad_arguments_are_named() -> None:
    with pytest.raises(InvalidArgument, match="metric="):
        krippendorff_alpha([[1, 1]], metric="ratio")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="different numbers"):
        cohen_kappa(["a"], ["a", "b"])
    with pytest.raises(InvalidArgument, match="not in order="):
        krippendorff_alpha([["x", "y"]], metric="ordinal", order=["x"])


def _items(pairs: list[tuple[str, str]], *, selection: bool = False) -> list[Evidence]:
    return [
        Evidence(
            id=f"e{n}{coder}",
            indicator="k",
            rating=rating,
            source="one" if selection else f"s{n}",
            technique="interview",
            investigator=coder,
            extra={"selection": f"sel-{n}"} if selection else {},
        )
        for n, pair in enumerate(pairs)
        for coder, rating in zip(["ana", "budi"], pair, strict=True)
    ]


def test_coder_alpha_uses_levels_in_score_order() -> None:
    found = coder_alpha(_items([("hi", "hi"), ("lo", "mid"), ("mid", "mid")]), SCALE)
    assert found.coders == ("ana", "budi") and found.units == 3
    assert found.alpha == pytest.approx(_reference([[3, 1, 2], [3, 2, 2]], "ordinal"))
    assert found.kappa == 0.5


def test_segments_are_the_units_of_analysis_when_items_carry_a_selection() -> None:
    # all from one source: without selections there is one unit of analysis only
    found = coder_alpha(_items([("hi", "hi"), ("lo", "lo")], selection=True), SCALE)
    assert (found.units, found.alpha) == (2, 1.0)


def test_agreement_by_indicator_pairs_ratings_of_the_same_unit() -> None:
    fw = frameworks.load("agustino")
    items = [
        Evidence(id=f"{u}{c}", unit=u, indicator="integritas", rating=r, source=f"{u}{c}",
                 technique="interview", investigator=c)
        for u, pair in {"a": ("baik", "baik"), "b": ("tidak_baik", "kurang_baik")}.items()
        for c, r in zip(["ana", "budi"], pair, strict=True)
    ]  # fmt: skip
    found = agreement_by_indicator(items, fw)
    assert list(found) == ["integritas"]
    assert found["integritas"].alpha == pytest.approx(_reference([[4, 1], [4, 2]], "ordinal"))


def test_the_rule_lowers_confidence_below_the_threshold() -> None:
    disagreeing = _items([("hi", "lo"), ("lo", "hi"), ("hi", "hi")])
    base = rule("agreement")
    plain = base(disagreeing, SCALE)
    lowered = coder_agreement(base)(disagreeing, SCALE)
    assert lowered.rating == plain.rating and lowered.status == plain.status
    assert plain.confidence is not None
    assert lowered.confidence == plain.confidence.lowered(1)
    assert lowered.concerns[-1].startswith("coder agreement alpha=")
    assert "alpha=" in lowered.explanation


def test_the_rule_keeps_confidence_when_coders_agree_and_says_so() -> None:
    agreeing = _items([("hi", "hi"), ("lo", "lo"), ("mid", "mid")])
    base = rule("agreement")
    kept = coder_agreement(base)(agreeing, SCALE)
    assert kept.confidence == base(agreeing, SCALE).confidence
    assert "alpha=1.000" in kept.explanation and kept.concerns == ()


def test_the_rule_says_when_agreement_cannot_be_measured() -> None:
    single = [Evidence(id="e", indicator="k", rating="hi", source="s", technique="interview")]
    result = coder_agreement()(single, SCALE)
    assert "not measurable" in result.explanation
    assert result.confidence == rule("agreement")(single, SCALE).confidence


def test_the_rule_is_built_from_a_case_spec_with_a_readable_repr() -> None:
    built = rule("coder_agreement", base="investigator", threshold=0.8, steps=2)
    assert repr(built).startswith("coder_agreement(base=investigator_triangulation(")
    assert "threshold=0.8, metric='ordinal', steps=2)" in repr(built)
    with pytest.raises(InvalidArgument, match="threshold="):
        coder_agreement(threshold=2)
    assert Confidence.HIGH.lowered(2) is Confidence.LOW


def test_reports_show_the_coder_agreement_concern(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Import the sample project, rate the open row, and ask for coder agreement."""
    from pathlib import Path

    from policyeval.cli import main

    samples = Path(__file__).parent.parent / "docs" / "howto" / "samples"
    case = tmp_path / "case"
    args = ["import", "refi-qda", str(samples / "interviews.qdpx")]
    assert (
        main([*args, "--mapping", str(samples / "interviews-mapping.toml"), "--out", str(case)])
        == 0
    )
    evidence = case / "evidence.csv"
    evidence.write_text(
        evidence.read_text(encoding="utf-8").replace(
            ",pengelolaan_anggaran,,", ",pengelolaan_anggaran,kurang_baik,"
        ),
        encoding="utf-8",
    )
    with (case / "case.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[triangulation]\nrule = { name = "coder_agreement", base = "investigator" }\n'
        )
    assert main(["report", str(case), "-o", str(tmp_path / "r.md"), "--lang", "en"]) == 0
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    # village_b: Ana says cukup_baik, Budi says baik about the same segment
    assert "*Concerns:* coder agreement alpha=0.000 \\< 0.667" in report
    assert (
        "Coder agreement: Krippendorff's alpha 0.000 (2 investigators; segments rated by two or more: 1)"
        in report
    )
