"""Scorers: the built-ins keep the scorer laws, a broken scorer per law is caught, and numbers
never reach a parent on another scale without a scorer."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from policyeval import evaluate
from policyeval.evidence import Evidence
from policyeval.exceptions import (
    InvalidArgument,
    PluginContractError,
    ScoringError,
    UnknownPluginError,
)
from policyeval.framework import Framework, Node
from policyeval.registry import build_scorer, scorer, scorer_names
from policyeval.scales import Level, NumericScale, OrdinalScale
from policyeval.score import score, scoring_problems
from policyeval.scorers import bands, levels
from policyeval.testing import LOWER_IS_BETTER_SCALE, SCORER_LAWS, check_scorer, scorer_checks
from policyeval.testing.strategies import FOUR_LEVEL_SCALE, PERCENT_SCALE

NUMERIC_SCALES = (PERCENT_SCALE, LOWER_IS_BETTER_SCALE)
BUILT_INS: list[tuple[Any, tuple[Any, ...]]] = [
    (levels(), (FOUR_LEVEL_SCALE,)),
    (bands(), (PERCENT_SCALE,)),
    (scorer("min_max"), (*NUMERIC_SCALES, FOUR_LEVEL_SCALE)),
    (scorer("min_max", low=1, high=4), NUMERIC_SCALES),
    (scorer("z_score"), NUMERIC_SCALES),
    (scorer("z_score", mean=10, sd=2), NUMERIC_SCALES),
    (scorer("rank"), NUMERIC_SCALES),
    (scorer("percentile_rank"), NUMERIC_SCALES),
    (scorer("borda"), NUMERIC_SCALES),
    (scorer("distance_to_max"), NUMERIC_SCALES),
    (scorer("distance_to_reference", reference="u0"), (PERCENT_SCALE,)),
    (scorer("distance_to_target", target=75), (PERCENT_SCALE,)),
    (scorer("fraction_of_max"), (PERCENT_SCALE,)),
    (scorer("goalposts", low=0, high=100), (PERCENT_SCALE,)),
    (scorer("goalposts", low=0, high=100), (LOWER_IS_BETTER_SCALE,)),
    (scorer("distance_to_target", target=10), (LOWER_IS_BETTER_SCALE,)),
]


@pytest.mark.parametrize(
    "built, scales, law",
    [(b, s, law) for (b, s), law in itertools.product(BUILT_INS, SCORER_LAWS)],
    ids=[f"{b!r}-{law}" for (b, _), law in itertools.product(BUILT_INS, SCORER_LAWS)],
)
def test_every_built_in_scorer_keeps_every_law(built: Any, scales: Any, law: str) -> None:
    """Each built-in scorer obeys each scorer law on the scales it is meant for."""
    dict(scorer_checks(built, scales=scales, max_examples=40))[law]()


def test_every_registered_scorer_is_covered() -> None:
    """The list above exercises every built-in scorer name."""
    covered = {repr(b).split("(")[0] for b, _ in BUILT_INS}
    assert covered == set(scorer_names())


class _Declared:
    """A scorer declaring scores in [0, 1] but returning values times ten."""

    def __call__(self, values: Any, scale: Any, /, *, units: Any) -> Any:
        return np.asarray(values) * 10

    def range_for(self, scale: Any) -> tuple[float, float]:
        return (0.0, 1.0)

    def __repr__(self) -> str:
        return "declared()"


def _reversed(values: Any, scale: Any, /, *, units: Any) -> Any:
    return -np.asarray(values)


def _mutating(values: Any, scale: Any, /, *, units: Any) -> Any:
    values += 1
    return values.copy()


_counter = itertools.count()


def _drifting(values: Any, scale: Any, /, *, units: Any) -> Any:
    return np.asarray(values) + next(_counter)


def _zero_filling(values: Any, scale: Any, /, *, units: Any) -> Any:
    return np.nan_to_num(np.asarray(values, dtype=float))


def _forgetful(values: Any, scale: Any, /, *, units: Any) -> Any:
    out = np.asarray(values, dtype=float).copy()
    out[-1] = np.nan
    return out


@pytest.mark.parametrize(
    "broken, law",
    [
        (_reversed, "monotone"),
        (_Declared(), "in_range"),
        (_mutating, "deterministic"),
        (_drifting, "deterministic"),
        (_zero_filling, "missing_stays_missing"),
        (_forgetful, "missing_stays_missing"),
    ],
)
def test_the_kit_catches_a_scorer_breaking_each_law(broken: Any, law: str) -> None:
    """A scorer built to break one law fails that law's check, and the message names it."""
    with pytest.raises(AssertionError, match=f"breaks law '{law}'"):
        dict(scorer_checks(broken, scales=NUMERIC_SCALES, max_examples=40))[law]()


def test_a_scorer_refusing_everything_does_not_pass() -> None:
    """A scorer that raises InvalidArgument on every column never shows it keeps a law."""
    from policyeval.exceptions import InvalidArgument

    def refuses(values: Any, scale: Any, /, *, units: Any) -> Any:
        raise InvalidArgument("never")

    with pytest.raises(AssertionError, match="refused every example"):
        check_scorer(refuses, max_examples=10)


def test_the_registry_builds_scorers_by_name_and_checks_parameters() -> None:
    """scorer(name, **params) and build_scorer(spec) give frozen callables with readable reprs."""
    assert repr(build_scorer({"name": "min_max", "low": 1, "high": 4})) == (
        "min_max(low=1.0, high=4.0)"
    )
    assert repr(scorer("goalposts", low=0, high=1)) == (
        "goalposts(low=0.0, high=1.0, scale=100.0, trunc=True)"
    )
    with pytest.raises(UnknownPluginError, match="unknown scorer 'minmax'"):
        scorer("minmax")
    with pytest.raises(Exception, match="bad parameters"):
        scorer("min_max", lowest=1)


def test_goalposts_for_a_lower_is_better_indicator_are_given_in_its_own_units() -> None:
    """Unemployment with goalposts 0 % (best) and 50 % (worst): 10 % scores 80, 60 % scores 0."""
    scored = scorer("goalposts", low=0, high=50)(
        np.array([10.0, 60.0, 25.0]), LOWER_IS_BETTER_SCALE, units=["a", "b", "c"]
    )
    assert scored.tolist() == [80.0, 0.0, 50.0]


def test_lower_is_better_values_are_flipped_before_normalising() -> None:
    """Unemployment 5 % scores 100 and 60 % scores 0 under min-max to 0..100."""
    column = np.array([60.0, 5.0, np.nan, 32.5])
    scored = scorer("min_max")(column, LOWER_IS_BETTER_SCALE, units=["a", "b", "c", "d"])
    assert scored.tolist()[:2] == [0.0, 100.0]
    assert np.isnan(scored[2]) and scored[3] == 50.0


# The reproducer ------------------------------------------------------------------------

ONE_TO_FOUR = OrdinalScale(
    "one_to_four",
    (
        Level("good", 4, label={"en": "Good"}),
        Level("fair", 3, label={"en": "Fair"}),
        Level("poor", 2, label={"en": "Poor"}),
        Level("bad", 1, label={"en": "Bad"}),
    ),
)
UNEMPLOYMENT = NumericScale("unemployment_pct", minimum=0, maximum=100, unit="%", direction="lower")


def _mixed() -> Framework:
    return Framework.build(
        id="mixed",
        scales=[ONE_TO_FOUR, UNEMPLOYMENT],
        default_scale="one_to_four",
        nodes=[
            Node("root", "root", label={"en": "Root"}),
            Node("service", "indicator", label={"en": "Service"}, parents=("root",)),
            Node(
                "unemployment",
                "indicator",
                label={"en": "Unemployment"},
                parents=("root",),
                scale="unemployment_pct",
            ),
        ],
    )


def _evidence(unit: str, rating: str, unemployment: float) -> list[Evidence]:
    common = {"source_category": "office", "technique": "documentation"}
    return [
        Evidence(
            id=f"{unit}-1", unit=unit, indicator="service", rating=rating, source="a", **common
        ),
        Evidence(
            id=f"{unit}-2",
            unit=unit,
            indicator="unemployment",
            value=unemployment,
            source="b",
            **common,
        ),
    ]


def test_raw_numbers_under_an_ordinal_parent_are_refused_naming_the_indicator() -> None:
    """A 'good' rating and unemployment 60 % (lower is better, no bands) under a 1-4 root are
    refused by evaluate, and by scoring_problems (what validate runs), naming the indicator."""
    framework = _mixed()
    problems = scoring_problems(framework)
    assert [p.key for p in problems] == ["scorers.unemployment"]
    assert "'unemployment'" in problems[0].message and "'root'" in problems[0].message
    with pytest.raises(ScoringError, match="indicator 'unemployment'"):
        evaluate(framework, _evidence("u", "good", 60.0))


def test_a_scorer_onto_the_common_range_evaluates_many_units_in_one_call() -> None:
    """With min-max onto 1..4 the numbers join the ratings, lower unemployment scoring higher."""
    framework = _mixed()
    items = (
        _evidence("a", "good", 60.0) + _evidence("b", "poor", 5.0) + _evidence("c", "fair", 32.5)
    )
    result = evaluate(
        framework, items, scorers={"unemployment": {"name": "min_max", "low": 1, "high": 4}}
    )
    scores = {unit: result.judgement(unit, "unemployment").score for unit in result.units}
    assert scores == {"a": 1.0, "b": 4.0, "c": 2.5}
    assert result.judgement("a", "root").score == 2.5
    assert result.judgement("b", "root").score == 3.0
    assert result.judgement("c", "root").score == 2.75
    assert result.settings["scorers"]["unemployment"] == "min_max(low=1.0, high=4.0)"


def test_an_unbounded_scorer_under_a_bounded_parent_is_refused() -> None:
    """z-scores have no bounds, so they cannot reach a 1-4 parent either."""
    problems = scoring_problems(_mixed(), {"unemployment": "z_score"})
    assert len(problems) == 1 and "unbounded" in problems[0].message


def test_a_scorer_that_returns_nan_for_a_present_value_names_the_indicator() -> None:
    """The engine checks each scorer's output and says which indicator and units broke it."""
    framework = _mixed()
    items = _evidence("a", "good", 60.0) + _evidence("b", "poor", 5.0)
    with pytest.raises(PluginContractError, match=r"indicator='unemployment', units \['b'\]"):
        evaluate(framework, items, scorers={"unemployment": _forgetful})


def test_numbers_from_a_data_table_are_scored_like_evidence_values() -> None:
    """data={unit: {indicator: value}} feeds numeric indicators without evidence rows."""
    framework = _mixed()
    items = [e for u, r in (("a", "good"), ("b", "poor")) for e in _evidence(u, r, 0)[:1]]
    result = evaluate(
        framework,
        items,
        data={"a": {"unemployment": 60.0}, "b": {"unemployment": 5.0}},
        scorers={"unemployment": {"name": "min_max", "low": 1, "high": 4}},
    )
    assert result.judgement("a", "unemployment").score == 1.0
    assert result.judgement("b", "unemployment").value == 5.0
    table = score(
        framework,
        data={"a": {"unemployment": 60.0}, "b": {"unemployment": 5.0}},
        scorers={"unemployment": {"name": "min_max", "low": 1, "high": 4}},
    )
    assert table.origins["b", "unemployment"] == "data"
    assert table.scorers == {"service": "levels()", "unemployment": "min_max(low=1.0, high=4.0)"}


def test_a_value_from_both_evidence_and_data_is_refused() -> None:
    """A unit's number comes from its evidence or from the data table, never both."""
    framework = _mixed()
    with pytest.raises(Exception, match=r"unit='a', indicator='unemployment'.*both"):
        evaluate(
            framework,
            _evidence("a", "good", 60.0) + _evidence("b", "poor", 5.0),
            data={"a": {"unemployment": 60.0}},
            scorers={"unemployment": {"name": "min_max", "low": 1, "high": 4}},
        )


def _two_scales(aggregator: Any) -> Framework:
    """A 1-4 child under a two-level parent, combined by ``aggregator``."""
    two = OrdinalScale(
        "two_levels",
        levels=(Level("no", 1, label={"en": "No"}), Level("yes", 2, label={"en": "Yes"})),
    )
    return Framework.build(
        id="two_scales",
        scales=[ONE_TO_FOUR, two],
        default_scale="one_to_four",
        nodes=[
            Node("root", "root", label={"en": "Root"}, scale="two_levels", aggregator=aggregator),
            Node("service", "indicator", label={"en": "Service"}, parents=("root",)),
        ],
    )


def test_a_decision_table_reads_each_child_on_its_own_scale() -> None:
    """A mean would carry 1-4 scores into a 1-2 parent and is refused; a decision table maps
    each child level itself, so the same framework is accepted and evaluates."""
    assert [p.key for p in scoring_problems(_two_scales("mean"))] == ["scorers.service"]
    table = {"name": "decision_table", "rules": [{"when": [[3, 4]], "then": 2}], "default": 1}
    framework = _two_scales(table)
    assert scoring_problems(framework) == []
    result = evaluate(framework, _evidence("u", "good", 1.0)[:1])
    assert result.judgement("u", "root").level == "yes"


def test_a_score_table_records_each_cell_level_and_origin_as_a_read_only_mapping() -> None:
    """Levels and origins answer per (unit, indicator), iterate indicator by indicator, equal
    the plain dicts they stand for, and cannot be changed."""
    framework = Framework.build(
        id="two",
        scales=[FOUR_LEVEL_SCALE, PERCENT_SCALE],
        default_scale="percent",
        nodes=[
            Node("root", "root", label={"en": "Root"}),
            Node("a", "indicator", label={"en": "A"}, parents=("root",)),
            Node("b", "indicator", label={"en": "B"}, parents=("root",)),
        ],
    )
    table = score(framework, data={"u1": {"a": 95.0}, "u2": {"a": 40.0, "b": 80.0}})
    assert dict(table.origins) == {
        ("u1", "a"): "data",
        ("u2", "a"): "data",
        ("u1", "b"): None,
        ("u2", "b"): "data",
    }
    assert list(table.levels) == [("u1", "a"), ("u2", "a"), ("u1", "b"), ("u2", "b")]
    assert table.levels == {
        ("u1", "a"): "baik",
        ("u2", "a"): "tidak_baik",
        ("u1", "b"): None,
        ("u2", "b"): "cukup_baik",
    }
    with pytest.raises(KeyError):
        table.levels["u3", "a"]
    with pytest.raises(TypeError):
        table.levels["u1", "a"] = "baik"  # type: ignore[index]


@pytest.mark.parametrize(
    ("built", "values", "scale", "message"),
    [
        (
            levels(),
            [4.0, 1.0],
            PERCENT_SCALE,
            r"levels\(\) scores ordinal scales, got scale 'percent'",
        ),
        (
            bands(),
            [40.0, 1.0],
            FOUR_LEVEL_SCALE,
            r"bands\(\) scores numeric scales with bands, got 'four_levels'",
        ),
        (
            levels(),
            [[4.0, 1.0]],
            FOUR_LEVEL_SCALE,
            r"one number per unit \(2 units\), got shape \(1, 2\)",
        ),
        (
            bands(),
            [40.0, float("inf")],
            PERCENT_SCALE,
            r"values must be finite or nan, got \[40.0, inf\]",
        ),
    ],
)
def test_a_built_in_scorer_refuses_the_wrong_scale_or_shape(
    built: Any, values: list[Any], scale: Any, message: str
) -> None:
    """levels() reads ordinal scales, bands() banded numeric ones; both want one finite number
    (or nan) per unit, and say what they got."""
    with pytest.raises(InvalidArgument, match=message):
        built(values, scale, units=("a", "b"))


def test_a_built_in_scorer_has_no_range_on_a_scale_it_does_not_read() -> None:
    """range_for is the scale's level scores where the scorer reads it, else None."""
    assert levels().range_for(FOUR_LEVEL_SCALE) == (1.0, 4.0)
    assert levels().range_for(PERCENT_SCALE) is None
    assert bands().range_for(PERCENT_SCALE) == (1.0, 4.0)
    assert bands().range_for(FOUR_LEVEL_SCALE) is None


def test_a_normalised_scorer_checks_the_block_it_scores() -> None:
    """The array form takes one column per scale and finite numbers, naming the normaliser."""
    min_max = build_scorer({"name": "min_max", "low": 1, "high": 4})
    block = np.array([[0.0, 10.0], [5.0, 20.0]])
    scored = min_max.columns(block, [PERCENT_SCALE, PERCENT_SCALE], units=("a", "b"))
    assert scored.tolist() == [[1.0, 1.0], [4.0, 4.0]]
    with pytest.raises(
        InvalidArgument, match=r"min_max\(low=1.0, high=4.0\): values must be one row"
    ):
        min_max.columns(block, [PERCENT_SCALE], units=("a", "b"))
    with pytest.raises(InvalidArgument, match="values must be finite or nan"):
        min_max.columns(block + np.inf, [PERCENT_SCALE, PERCENT_SCALE], units=("a", "b"))


def test_an_unknown_normaliser_is_refused_with_the_known_ones() -> None:
    """normalised() names the unknown normaliser and lists the known ones."""
    from policyeval.scorers import normalised

    with pytest.raises(
        InvalidArgument, match=r"unknown normaliser name='minmax'; known: .*min_max"
    ):
        normalised("minmax")


def _crashing(values: Any, scale: Any, /, *, units: Any) -> Any:
    raise ZeroDivisionError("scale has no width")


def _wordy(values: Any, scale: Any, /, *, units: Any) -> Any:
    return ["high"] * len(values)


def _single(values: Any, scale: Any, /, *, units: Any) -> Any:
    return [1.0]


def _infinite(values: Any, scale: Any, /, *, units: Any) -> Any:
    out = np.asarray(values, dtype=float).copy()
    out[~np.isnan(out)] = np.inf
    return out


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        (_crashing, "raised ZeroDivisionError('scale has no width')"),
        (_wordy, "not numbers"),
        (_single, "not one number per unit"),
        (_infinite, "not finite"),
    ],
)
def test_the_kit_says_how_a_scorer_failed_to_score(broken: Any, said: str) -> None:
    """A scorer that raises something other than InvalidArgument, returns words, the wrong
    number of scores or infinities fails, and the message says which and for which column."""
    checks = dict(scorer_checks(broken, scales=NUMERIC_SCALES, sizes=(2, 4), max_examples=20))
    failures = []
    for check in checks.values():
        try:
            check()
        except AssertionError as error:
            failures.append(str(error))
    assert failures and any(said in failure and "scale=" in failure for failure in failures)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scorer": "levels"}, "scorer must be callable, got scorer='levels'"),
        ({"scales": []}, r"scales must be a non-empty list of scales, got scales=\[\]"),
        ({"scales": ["percent"]}, "scales must be a non-empty list of scales"),
        ({"target": (0, "top")}, r"target must be \(low, high\), got target=\(0, 'top'\)"),
        ({"target": 5}, r"target must be \(low, high\), got target=5"),
        ({"target": (1, 0)}, r"target must have low <= high, got target=\(1, 0\)"),
        ({"sizes": (0, 3)}, r"sizes must be \(min, max\) with 1 <= min <= max, got \(0, 3\)"),
        ({"sizes": [1, 3]}, r"got \[1, 3\]"),
    ],
)
def test_the_scorer_kit_refuses_bad_options_naming_them(
    options: dict[str, Any], message: str
) -> None:
    """scorer_checks checks its own arguments: a callable, real scales, a (low, high) target
    with low <= high, and sizes (min, max) with 1 <= min <= max."""
    arguments: dict[str, Any] = {"scorer": levels(), **options}
    scorer_arg = arguments.pop("scorer")
    with pytest.raises(InvalidArgument, match=message):
        scorer_checks(scorer_arg, **arguments)


def test_a_target_is_the_range_every_score_must_lie_in() -> None:
    """With target=(1, 4), levels() keeps the in_range law on the four-level scale; with a
    narrower target it breaks it."""
    dict(scorer_checks(levels(), scales=[FOUR_LEVEL_SCALE], target=(1, 4), max_examples=20))[
        "in_range"
    ]()
    narrow = scorer_checks(levels(), scales=[FOUR_LEVEL_SCALE], target=(2, 3), max_examples=20)
    with pytest.raises(AssertionError, match="breaks law 'in_range'"):
        dict(narrow)["in_range"]()
