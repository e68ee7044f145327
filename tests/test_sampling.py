"""Sampling designs: the Saltelli design is seeded and in SALib's order, its Sobol' indices are
SALib's, and a Saltelli analysis gives the same JSON however its rows are run."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval._draws import Input
from policyeval.case import load_case
from policyeval.cli import main
from policyeval.exceptions import InvalidArgument
from policyeval.sampling import from_unit_cube, montecarlo, saltelli, sobol_indices
from policyeval.sensitivity import Uncertainty, sensitivity_case

SALib = pytest.importorskip("SALib", reason="the optional sensitivity extra")
from SALib.analyze import sobol as salib_sobol  # noqa: E402

SERANG = Path(__file__).parent.parent / "examples" / "serang_2024"
ASEM = Path(__file__).parent.parent / "examples" / "asem_coinr"
MIXED = (
    Input(name="w", kind="weight", low=0.75, high=1.25),
    Input(name="c", kind="aggregator", choices=("mean", "median", "min")),
    Input(name="d", kind="dirichlet", shape=2.5, edges=(0,), nodes=("p",)),
)


def _problem(count: int) -> dict[str, Any]:
    return {"num_vars": count, "names": [f"x{i}" for i in range(count)], "bounds": [[0, 1]] * count}


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 4),
    st.sampled_from((8, 32)),
    st.integers(0, 2**16),
    st.lists(st.floats(-3, 3), min_size=4, max_size=4),
)
def test_sobol_indices_are_salibs(inputs: int, base: int, seed: int, weights: list[float]) -> None:
    """For any Saltelli design and any model of its inputs, the first-order and total indices
    equal SALib.analyze.sobol's S1 and ST."""
    points = np.random.default_rng(seed).uniform(size=(base * (inputs + 2), inputs))
    coefficients = np.array(weights[:inputs])
    outputs = points @ coefficients + points[:, 0] * points[:, -1]
    if np.ptp(outputs) < 1e-9:
        return
    first, total = sobol_indices(outputs, inputs=inputs)
    expected = salib_sobol.analyze(
        _problem(inputs), outputs, calc_second_order=False, num_resamples=2, seed=1
    )
    np.testing.assert_allclose(first, expected["S1"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(total, expected["ST"], rtol=1e-9, atol=1e-12)


def test_sobol_indices_rank_a_driver_above_an_inert_input() -> None:
    """A model of one input gives that input indices near 1 and the others 0; a constant output
    gives no index at all."""
    inputs = [Input(name=n, kind="weight", low=0.0, high=1.0) for n in "abc"]
    design = saltelli(inputs, 512, seed=0)
    first, total = sobol_indices(np.sin(3 * design[:, 1]), inputs=3)
    assert first[1] == pytest.approx(1.0, abs=0.03) and total[1] == pytest.approx(1.0, abs=0.03)
    assert first[0] == pytest.approx(0.0, abs=1e-12) and total[2] == pytest.approx(0.0, abs=1e-12)
    first, total = sobol_indices(np.ones(design.shape[0]), inputs=3)
    assert np.isnan(first).all() and np.isnan(total).all()


def test_sobol_indices_use_the_rows_where_the_output_is_defined() -> None:
    """Undefined outputs (nan) leave out only the base rows that need them."""
    inputs = [Input(name=n, kind="weight", low=0.0, high=1.0) for n in "ab"]
    design = saltelli(inputs, 256, seed=2)
    outputs = design[:, 0] + 0.01 * design[:, 1]
    holed = outputs.copy()
    holed[4 * 3 + 1] = np.nan  # one AB_0 value of base row 3
    first, _ = sobol_indices(holed, inputs=2)
    full, _ = sobol_indices(outputs, inputs=2)
    assert not np.isnan(first).any()
    assert first[0] == pytest.approx(full[0], abs=0.02)


def test_the_saltelli_design_is_seeded_and_in_salibs_order() -> None:
    """The same seed gives the same rows; in each block of inputs + 2 rows, row j + 1 is row 0
    with column j taken from the block's last row."""
    design = saltelli(MIXED, 16, seed=7)
    assert design.shape == (16 * 5, 3)
    assert np.array_equal(design, saltelli(MIXED, 16, seed=7))
    assert not np.array_equal(design, saltelli(MIXED, 16, seed=8))
    for block in design.reshape(16, 5, 3):
        a, b = block[0], block[-1]
        for j in range(3):
            expected = a.copy()
            expected[j] = b[j]
            assert np.array_equal(block[j + 1], expected)


def test_unit_cube_points_map_onto_each_kind_of_input() -> None:
    """Weights scale into their range, choices cut [0, 1) evenly, Dirichlet variates follow
    the gamma quantiles (the median of Gamma(2.5) is about 2.1757)."""
    values = from_unit_cube(MIXED, np.array([[0.0, 0.0, 0.5], [1.0, 0.999, 0.5], [0.5, 0.34, 0.5]]))
    assert values[:, 0].tolist() == [0.75, 1.25, 1.0]
    assert values[:, 1].tolist() == [0.0, 2.0, 1.0]
    assert values[0, 2] == pytest.approx(2.1757, abs=1e-4)


def test_montecarlo_draws_stay_in_their_ranges() -> None:
    """Monte Carlo weights stay in range, choices are indices, Dirichlet variates positive."""
    values = montecarlo(MIXED, np.random.default_rng(0), 500)
    assert ((values[:, 0] >= 0.75) & (values[:, 0] <= 1.25)).all()
    assert set(values[:, 1].tolist()) == {0.0, 1.0, 2.0}
    assert (values[:, 2] > 0).all() and values[:, 2].mean() == pytest.approx(2.5, rel=0.1)


@pytest.mark.parametrize(
    ("base", "message"), [(6, r"draws=6 \(try 8\)"), (1000, r"draws=1000 \(try 1024\)")]
)
def test_a_base_sample_that_is_not_a_power_of_two_is_refused(base: int, message: str) -> None:
    """The Sobol' sequence needs a power of two; the error names the next one."""
    with pytest.raises(InvalidArgument, match=message):
        saltelli(MIXED, base, seed=0)


def test_without_salib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Saltelli design needs SALib; without it the error says how to install it."""
    monkeypatch.setitem(sys.modules, "SALib.sample", None)
    with pytest.raises(InvalidArgument, match=r"policyeval\[sensitivity\]"):
        saltelli(MIXED, 4, seed=0)


def test_serang_saltelli_json_is_the_same_on_one_worker_and_in_pools() -> None:
    """A Saltelli analysis of Serang gives the same JSON in one process, over threads and over
    processes, whatever the chunk size; its totals name the root aggregator as the programme's
    main driver."""
    case = load_case(SERANG)
    alone = sensitivity_case(case, draws=8, seed=3, design="saltelli", chunk_size=1000)
    text = alone.to_json()
    with ThreadPoolExecutor(max_workers=2) as pool:
        threads = sensitivity_case(
            case, draws=8, seed=3, design="saltelli", chunk_size=7, executor=pool
        )
    with ProcessPoolExecutor(max_workers=2) as pool:
        processes = sensitivity_case(
            case, draws=8, seed=3, design="saltelli", chunk_size=50, executor=pool
        )
    assert threads.to_json() == text and processes.to_json() == text
    document = json.loads(text)
    assert document["design"] == "saltelli" and document["base_sample"] == 8
    assert document["draws"] == 8 * (len(alone.inputs) + 2)
    program = document["units"]["kota-serang"]["nodes"]["program"]
    assert set(program["total"]) == set(program["sensitivity"])
    totals = {k: v for k, v in program["total"].items() if v is not None}
    assert max(totals, key=totals.__getitem__) == "aggregator:root"


def test_a_dask_local_cluster_gives_the_same_saltelli_json_as_one_process() -> None:
    """The Saltelli rows split over Dask's executor give the one-process JSON."""
    distributed = pytest.importorskip("distributed", reason="the optional dask extra")
    case = load_case(SERANG)
    alone = sensitivity_case(case, draws=4, seed=2, design="saltelli").to_json()
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False) as cluster,
        distributed.Client(cluster) as client,
    ):
        pooled = sensitivity_case(
            case, draws=4, seed=2, chunk_size=25, design="saltelli", executor=client.get_executor()
        )
    assert pooled.to_json() == alone


def test_the_cli_runs_a_saltelli_design(tmp_path: Path, capsys: Any) -> None:
    """`policyeval sensitivity --design saltelli` reports the design; a draws count that is not
    a power of two is a located error, not a traceback."""
    target = tmp_path / "out.json"
    arguments = ["sensitivity", str(SERANG), "--design", "saltelli", "--seed", "1", "--quiet"]
    assert main([*arguments, "--draws", "4", "--format", "json", "-o", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["design"] == "saltelli"
    assert main([*arguments, "--draws", "4"]) == 0
    assert "desain Saltelli (sampel dasar 4)" in capsys.readouterr().out  # the case speaks id
    assert main([*arguments, "--draws", "10"]) == 2
    assert "try 16" in capsys.readouterr().err


def test_asem_saltelli_indices_find_the_normaliser() -> None:
    """On the ASEM data with weights and the normaliser varying, the normaliser drives the
    index's score more than any single weight (first-order and total)."""
    uncertainty = Uncertainty(
        weights={"root": 0.25}, scorers=({"name": "min_max", "low": 0, "high": 100}, "z_score")
    )
    result = sensitivity_case(
        load_case(ASEM), uncertainty=uncertainty, draws=16, seed=0, design="saltelli"
    )
    root = result.framework.root
    unit = result.units[0]
    totals = {item.name: result.total_index(unit, root, item.name) or 0.0 for item in result.inputs}
    assert max(totals, key=totals.__getitem__) == "scorer"
