"""The numeric pipeline: ordered, swappable steps, each recorded in the provenance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument, PluginContractError
from policyeval.normalisation import goalposts, min_max, rank
from policyeval.numeric_data import NumericTable, Record
from policyeval.pipeline import (
    NumericPipeline,
    StepResult,
    coinr_default_pipeline,
    denominate_step,
    impute_step,
    normalise_step,
    screen_step,
    treat_step,
)
from policyeval.treatment import no_treatment

NAN = math.nan


def table() -> NumericTable:
    return NumericTable(
        units=("A", "B", "C", "D", "E"),
        indicators=("jobs", "waste", "parks"),
        values=np.array(
            [
                [10.0, 4.0, NAN],
                [20.0, NAN, 5.0],
                [30.0, 2.0, 1.0],
                [40.0, 1.0, 2.0],
                [50.0, 3.0, 4.0],
            ]
        ),
        groups={"region": ("n", "n", "s", "s", "s")},
        denominators={"people": np.array([1.0, 2.0, 3.0, 4.0, 5.0])},
    )


def test_coinr_order_imputes_by_group_treats_and_normalises_after_flipping():
    pipeline = coinr_default_pipeline(
        denominators={}, directions={"waste": -1}, group="region", min_share=0.6
    )
    result = pipeline(table())
    # waste: B gets region n's mean 4 -> flipped -4, -4, -2, -1, -3 -> min-max 0..100.
    # parks: A gets region n's mean 5 -> 5, 5, 1, 2, 4.
    np.testing.assert_allclose(result.table.column("jobs"), [0, 25, 50, 75, 100])
    np.testing.assert_allclose(result.table.column("waste"), [0, 0, 200 / 3, 100, 100 / 3])
    np.testing.assert_allclose(result.table.column("parks"), [100, 100, 0, 25, 75])
    assert [name for name, _ in result.tables] == [
        "input",
        "denominate",
        "impute",
        "screen",
        "treat",
        "normalise",
    ]


def test_a_method_that_fails_names_the_indicator():
    pipeline = coinr_default_pipeline(
        denominators={"jobs": "people"}, directions={}, group="region", min_share=0.6
    )
    # jobs / people = 10 for every unit: no range to min-max.
    with pytest.raises(InvalidArgument, match="indicator 'jobs': min_max"):
        pipeline(table())


def test_a_hand_worked_run_with_swapped_steps():
    pipeline = NumericPipeline(
        (
            denominate_step({"jobs": "people"}, scale=10),
            screen_step(min_share=0.6),
            impute_step("mean", group="region"),
            treat_step({"jobs": no_treatment()}, default=no_treatment()),
            normalise_step({"jobs": rank()}, directions={"waste": "lower"}),
        )
    )
    source = table().with_values(np.c_[[10.0, 30.0, 30.0, 40.0, 50.0], table().values[:, 1:]])
    result = pipeline(source)
    # jobs / (people / 10) = 100, 150, 100, 100, 100 -> ranks 1, 5, 1, 1, 1
    np.testing.assert_array_equal(result.table.column("jobs"), [1, 5, 1, 1, 1])
    np.testing.assert_allclose(result.table.column("waste"), [0, 0, 200 / 3, 100, 100 / 3])
    np.testing.assert_allclose(result.table.column("parks"), [100, 100, 0, 25, 75])
    assert [name for name, _ in result.tables][1:3] == ["denominate", "screen"]
    assert result.table_after("impute").values[1, 1] == 4.0
    with pytest.raises(InvalidArgument, match="no step 'weigh'"):
        result.table_after("weigh")
    assert (
        Record(
            "impute", "imputed", indicator="waste", unit="B", detail="mean of region n", value=4.0
        )
        in result.provenance
    )
    assert Record("denominate", "divided by people / 10", indicator="jobs") in result.provenance
    assert Record("treat", "none", indicator="parks", detail="none") in result.provenance


def test_every_step_says_what_it_did_even_when_nothing():
    complete = NumericTable(units=("A", "B"), indicators=("x",), values=[[1.0], [2.0]])
    pipeline = NumericPipeline(
        (
            denominate_step({}),
            impute_step(),
            screen_step(),
            treat_step(),
            normalise_step(),
        )
    )
    result = pipeline(complete)
    assert [(r.step, r.action) for r in result.provenance] == [
        ("denominate", "nothing to do"),
        ("impute", "nothing to do"),
        ("screen", "kept units"),
        ("treat", "check"),
        ("treat", "untreated"),
        ("normalise", "normalised"),
    ]
    np.testing.assert_array_equal(result.table.values, [[0.0], [100.0]])


def test_a_missing_value_that_reaches_normalisation_is_kept_and_recorded():
    pipeline = NumericPipeline((normalise_step(min_max(0, 1)),))
    result = pipeline(table())
    assert math.isnan(result.table.values[1, 1])
    assert (
        Record(
            "normalise",
            "missing value kept",
            indicator="waste",
            unit="B",
            detail="no value to normalise",
        )
        in result.provenance
    )


def test_winsorised_points_are_named_by_unit():
    values = np.array([[v] for v in (1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0, 60.0)])
    units = tuple(f"u{i}" for i in range(10))
    result = NumericPipeline((treat_step(),))(
        NumericTable(units=units, indicators=("x",), values=values)
    )
    assert result.provenance[1].detail.endswith("units ['u9']")


def test_a_step_that_breaks_the_contract_is_named():
    def bad(table):
        return table

    def silent(table):
        return StepResult(table, ())

    with pytest.raises(PluginContractError, match="must return a StepResult"):
        NumericPipeline((bad,))(table())
    with pytest.raises(PluginContractError, match="returned no records"):
        NumericPipeline((silent,))(table())
    with pytest.raises(InvalidArgument, match="must be callable"):
        NumericPipeline((1,))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="NumericTable"):
        NumericPipeline(())([[1.0]])  # type: ignore[arg-type]


def test_a_normaliser_that_invents_values_is_caught():
    def fills_gaps(values, /, *, units=None):
        return np.nan_to_num(values)

    with pytest.raises(PluginContractError, match="indicator 'waste'"):
        NumericPipeline((normalise_step(fills_gaps),))(table())


def test_step_errors_name_the_group_or_indicator():
    with pytest.raises(InvalidArgument, match="no group column 'province'"):
        NumericPipeline((impute_step(group="province"),))(table())
    lonely = table().with_values(np.c_[table().values[:, :2], [NAN, NAN, 1.0, 2.0, 3.0]])
    with pytest.raises(
        InvalidArgument, match="indicator 'parks' has no data to impute from within group 'n'"
    ):
        NumericPipeline((impute_step(group="region"),))(lonely)
    with pytest.raises(InvalidArgument, match=r"unknown indicators \['CO2'\]"):
        NumericPipeline((normalise_step(directions={"CO2": -1}),))(table())
    with pytest.raises(InvalidArgument, match="direction=2"):
        normalise_step(directions={"x": 2})
    with pytest.raises(InvalidArgument, match="method='mode'"):
        impute_step("mode")  # type: ignore[arg-type]


def test_runs_are_deterministic():
    pipeline = NumericPipeline((impute_step(), treat_step(), normalise_step()))
    first, second = pipeline(table()), pipeline(table())
    assert first.provenance == second.provenance
    assert first.table == second.table


def test_steps_have_constructor_like_reprs():
    assert repr(screen_step(min_share=0.5)) == "screen_step(min_share=0.5)"
    assert (
        repr(treat_step({"x": no_treatment()})) == "treat_step({'x': no_treatment()}, default=None)"
    )
    assert (
        repr(normalise_step({"x": rank()}, directions={"x": "lower"}))
        == "normalise_step({'x': rank()}, default=min_max(low=0.0, high=100.0), directions={'x': 'lower'})"
    )


cells = st.one_of(st.integers(-20, 20).map(float), st.just(NAN))


@st.composite
def tables(draw):
    rows = draw(st.integers(2, 6))
    columns = draw(st.integers(1, 3))
    values = np.array(
        draw(
            st.lists(
                st.lists(cells, min_size=columns, max_size=columns), min_size=rows, max_size=rows
            )
        )
    )
    return NumericTable(
        units=tuple(f"u{i}" for i in range(rows)),
        indicators=tuple(f"i{j}" for j in range(columns)),
        values=values,
    )


@given(source=tables())
def test_a_missing_value_never_appears_or_survives_without_a_record(source):
    pipeline = NumericPipeline((treat_step(), normalise_step(rank())))
    result = pipeline(source)
    np.testing.assert_array_equal(np.isnan(result.table.values), np.isnan(source.values))
    kept = {(r.unit, r.indicator) for r in result.provenance if r.action == "missing value kept"}
    missing = {
        (source.units[i], source.indicators[j])
        for i, j in zip(*np.nonzero(np.isnan(source.values)), strict=True)
    }
    assert kept == missing


def test_goalposts_in_raw_units_follow_the_indicator_direction():
    source = NumericTable(
        units=("A", "B", "C"), indicators=("waste",), values=[[10.0], [30.0], [50.0]]
    )
    step = normalise_step(goalposts(10, 50), directions={"waste": "lower"})
    result = NumericPipeline((step,))(source)
    np.testing.assert_array_equal(result.table.column("waste"), [100.0, 50.0, 0.0])
    assert result.provenance[0].detail == (
        "goalposts(low=-50.0, high=-10.0, scale=100.0, trunc=True) after flipping the direction"
    )
