"""The draw engine's array kernels: ranks of many lines are competition ranks, and Monte Carlo
designs drawn in blocks are the column-by-column draws."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval._draw_arrays import Workspace, line_ranks
from policyeval._draws import Input
from policyeval.ranking import competition_ranks
from policyeval.sampling import montecarlo

# Ties (2.6 against 2.6000000000000005 rounds to one score; -0.0 equals 0.0), missing scores,
# negatives and values far apart.
SCORES = st.sampled_from(
    (-3.5, -1.0, -0.0, 0.0, 1.0, 2.6, 2.6000000000000005, 2.6000001, 99.0, 1e6, math.nan)
) | st.floats(-1e3, 1e3)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 9).flatmap(
        lambda units: st.lists(
            st.lists(SCORES, min_size=units, max_size=units), min_size=1, max_size=6
        )
    )
)
def test_line_ranks_are_competition_ranks(lines: list[list[float]]) -> None:
    """Each line's ranks are competition_ranks of its scores (nan for a missing score), with or
    without a workspace and an output array."""
    expected = [
        [
            math.nan if rank is None else float(rank)
            for rank in competition_ranks([None if math.isnan(value) else value for value in line])
        ]
        for line in lines
    ]
    values = np.array(lines)
    out = np.empty_like(values)
    for got in (line_ranks(values), line_ranks(values, out=out, workspace=Workspace())):
        assert np.array_equal(got, np.array(expected), equal_nan=True)
    assert np.array_equal(out, np.array(expected), equal_nan=True)


def test_line_ranks_fill_an_output_that_is_not_contiguous() -> None:
    """Ranks written into a strided view land in that view."""
    block = np.zeros((2, 3, 2))
    line_ranks(np.array([[1.0, 3.0, 2.0], [5.0, 5.0, 4.0]]), out=block[:, :, 0])
    assert block[:, :, 0].tolist() == [[3.0, 1.0, 2.0], [1.0, 1.0, 3.0]]
    assert not block[:, :, 1].any()


INPUTS = st.one_of(
    st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 3.0)).map(
        lambda spread: Input(
            name="w", kind="weight", low=1.0 - spread[0], high=1.0 + spread[0] + spread[1]
        )
    ),
    st.integers(1, 5).map(
        lambda count: Input(name="c", kind="scorer", choices=tuple(range(count)))
    ),
    st.floats(0.1, 20.0).map(
        lambda shape: Input(name="d", kind="dirichlet", shape=shape, edges=(0,), nodes=("p",))
    ),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(INPUTS, max_size=8), st.integers(0, 2**32 - 1), st.integers(0, 40))
def test_montecarlo_draws_column_by_column(inputs: list[Input], seed: int, count: int) -> None:
    """Runs of weights are drawn in one block, and give exactly the values drawn one column at
    a time: the same seed keeps giving the same design."""
    rng = np.random.default_rng(seed)
    expected = np.empty((count, len(inputs)))
    for column, item in enumerate(inputs):
        if item.kind == "weight":
            expected[:, column] = rng.uniform(item.low, item.high, size=count)
        elif item.kind == "dirichlet":
            expected[:, column] = np.maximum(rng.gamma(item.shape, size=count), 1e-12)
        else:
            expected[:, column] = rng.integers(0, len(item.choices), size=count)
    got = montecarlo(inputs, np.random.default_rng(seed), count)
    assert got.tobytes() == expected.tobytes()
