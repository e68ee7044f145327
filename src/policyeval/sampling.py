"""Sampling designs for sensitivity analysis, and the Sobol' indices of a Saltelli design.

A design is a draws x inputs matrix: one row per draw, one column per
uncertain input (a weight multiplier, a Dirichlet variate, or the index of a
choice). Two designs are built in:

- ``"montecarlo"``: independent uniform draws, each chunk of draws from its
  own seeded generator (:func:`montecarlo`);
- ``"saltelli"``: Saltelli's design for first-order and total Sobol'
  indices, built from a scrambled Sobol' sequence by SALib
  (:func:`saltelli`); ``N`` base rows give ``N * (inputs + 2)`` draws, in
  SALib's order, and :func:`sobol_indices` estimates the indices from the
  draws' outputs.

Both give every input the same distribution: a weight multiplier uniform in
its range, a choice uniform among its options, a Dirichlet weight's gamma
variate (the variates of a node's edges, divided by their sum, are
Dirichlet). Monte Carlo draws them from a generator; the Saltelli design maps
its points of the unit cube onto them (:func:`from_unit_cube`: cutting
``[0, 1)`` into equal parts for a choice, the gamma quantile function for a
variate).

>>> from policyeval._draws import Input
>>> inputs = [Input(name="w", kind="weight", low=0.5, high=1.5),
...           Input(name="c", kind="scorer", choices=("a", "b"))]
>>> design = saltelli(inputs, 64, seed=3)
>>> design.shape
(256, 2)
>>> first, total = sobol_indices(design[:, 0] ** 2, inputs=2)  # only the weight matters
>>> bool(first[0] > 0.9 and total[1] == 0)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from policyeval.exceptions import InvalidArgument

if TYPE_CHECKING:
    from policyeval._draws import Input

__all__ = ["DESIGNS", "from_unit_cube", "montecarlo", "saltelli", "sobol_indices"]

FloatArray = npt.NDArray[np.float64]
DESIGNS = ("montecarlo", "saltelli")
MISSING_SALIB = (
    "the Saltelli design needs SALib: pip install 'policyeval[sensitivity]' (or SALib>=1.4)"
)
# A Dirichlet variate of exactly 0 in every column of a group would leave no weight to share.
_EDGE = 1e-12


def montecarlo(inputs: Sequence[Input], rng: np.random.Generator, count: int) -> FloatArray:
    """``count`` independent uniform draws of ``inputs``, column by column from ``rng``.

    >>> from policyeval._draws import Input
    >>> rows = montecarlo(
    ...     [Input(name="w", kind="weight", low=0.5, high=1.5),
    ...      Input(name="c", kind="scorer", choices=("a", "b", "c"))],
    ...     np.random.default_rng(0), 4)
    >>> rows.shape, bool(((rows[:, 0] >= 0.5) & (rows[:, 0] <= 1.5)).all())
    ((4, 2), True)
    >>> sorted(set(rows[:, 1].tolist())) <= [0.0, 1.0, 2.0]
    True
    """
    design = np.empty((count, len(inputs)))
    column = 0
    while column < len(inputs):
        item = inputs[column]
        if item.kind == "weight":
            # A run of weights in one call: ``uniform(low, high)`` is ``low + (high - low) * u``
            # with ``u`` the generator's next double, so the draws are the column-by-column ones.
            end = column
            while end < len(inputs) and inputs[end].kind == "weight":
                end += 1
            low = np.array([inputs[i].low for i in range(column, end)])
            high = np.array([inputs[i].high for i in range(column, end)])
            design[:, column:end] = (
                low[:, None] + (high - low)[:, None] * rng.random((end - column, count))
            ).T
            column = end
            continue
        if item.kind == "dirichlet":
            design[:, column] = np.maximum(rng.gamma(item.shape, size=count), _EDGE)
        else:
            design[:, column] = rng.integers(0, len(item.choices), size=count)
        column += 1
    return design


def from_unit_cube(inputs: Sequence[Input], points: FloatArray) -> FloatArray:
    """Map ``points`` (draws x inputs in ``[0, 1]``) onto the inputs' values.

    >>> from policyeval._draws import Input
    >>> from_unit_cube(
    ...     [Input(name="w", kind="weight", low=0.75, high=1.25),
    ...      Input(name="c", kind="scorer", choices=("a", "b"))],
    ...     np.array([[0.0, 0.49], [1.0, 0.5], [0.5, 1.0]]))
    array([[0.75, 0.  ],
           [1.25, 1.  ],
           [1.  , 1.  ]])
    """
    design = np.empty(points.shape)
    for column, item in enumerate(inputs):
        unit = points[:, column]
        if item.kind == "weight":
            design[:, column] = item.low + unit * (item.high - item.low)
        elif item.kind == "dirichlet":
            from scipy.stats import gamma

            inside = np.clip(unit, _EDGE, 1.0 - _EDGE)
            design[:, column] = np.maximum(gamma.ppf(inside, item.shape), _EDGE)
        else:
            count = len(item.choices)
            design[:, column] = np.minimum(np.floor(unit * count), count - 1)
    return design


def saltelli(inputs: Sequence[Input], base: int, seed: int) -> FloatArray:
    """Saltelli's design for first-order and total indices: ``base * (inputs + 2)`` rows.

    ``base`` (``N``) must be a power of two, as the Sobol' sequence's balance
    properties need; the rows come in SALib's order (for each base row:
    ``A``, then ``A`` with column ``j`` taken from ``B`` for every ``j``,
    then ``B``). The same ``seed`` gives the same rows.

    >>> from policyeval._draws import Input
    >>> rows = saltelli([Input(name="w", kind="weight", low=0.5, high=1.5)], 4, seed=1)
    >>> rows.shape
    (12, 1)
    >>> bool((rows == saltelli([Input(name="w", kind="weight", low=0.5, high=1.5)], 4, 1)).all())
    True
    """
    if not (isinstance(base, int) and base >= 1 and base & (base - 1) == 0):
        wanted = (
            2 ** max(0, math.ceil(math.log2(base))) if isinstance(base, int) and base > 0 else 1
        )
        raise InvalidArgument(
            f"the Saltelli design needs a power of two base sample, got draws={base!r} "
            f"(try {wanted})"
        )
    if not inputs:
        raise InvalidArgument("the Saltelli design needs at least one uncertain input")
    try:
        from SALib.sample import sobol as sobol_sample
    except ImportError:
        raise InvalidArgument(MISSING_SALIB) from None
    problem = {
        "num_vars": len(inputs),
        "names": [item.name for item in inputs],
        "bounds": [[0.0, 1.0]] * len(inputs),
    }
    points = sobol_sample.sample(problem, base, calc_second_order=False, scramble=True, seed=seed)
    return from_unit_cube(inputs, np.asarray(points, dtype=np.float64))


def sobol_indices(outputs: FloatArray, *, inputs: int) -> tuple[FloatArray, FloatArray]:
    """First-order and total Sobol' indices from the outputs of a Saltelli design.

    ``outputs`` holds one value per design row along its first axis (any
    further axes, e.g. units x nodes, are estimated at once); the result is
    two arrays of shape ``(inputs, *outputs.shape[1:])``. The estimators are
    SALib's (Saltelli et al. 2010 for the first-order index, Jansen for the
    total), on outputs centred and scaled as SALib does, so where every
    draw is defined the numbers equal ``SALib.analyze.sobol.analyze(...)["S1"]``
    and ``["ST"]``. Where some draws are undefined (``nan``: a node left
    without enough children), each input's estimate uses the base rows whose
    three values (``A``, ``B``, ``A`` with that input from ``B``) are
    defined, and the variance the defined ``A`` and ``B`` values. A cell
    whose output does not vary gets ``nan``.

    >>> from policyeval._draws import Input
    >>> inputs = [Input(name=name, kind="weight", low=0.5, high=1.5) for name in "xy"]
    >>> design = saltelli(inputs, 256, seed=0)
    >>> first, total = sobol_indices(design[:, 0] + 0.1 * design[:, 1], inputs=2)
    >>> first.round(2).tolist(), total.round(2).tolist()
    ([0.99, 0.01], [0.99, 0.01])
    """
    values = np.asarray(outputs, dtype=np.float64)
    step = inputs + 2
    if values.shape[0] % step:
        raise InvalidArgument(
            f"a Saltelli design with {inputs} inputs has a multiple of {step} rows, "
            f"got {values.shape[0]}"
        )
    tail = values.shape[1:]
    defined = ~np.isnan(values)
    filled = np.where(defined, values, 0.0)
    count = defined.sum(axis=0)
    mean = filled.sum(axis=0) / np.maximum(count, 1)
    spread = np.sqrt(
        np.where(defined, (filled - mean) ** 2, 0.0).sum(axis=0) / np.maximum(count, 1)
    )
    varies = spread > np.finfo(float).eps
    scaled = np.where(defined, (filled - mean) / np.where(varies, spread, 1.0), 0.0)
    a, b = scaled[0::step], scaled[step - 1 :: step]
    a_defined, b_defined = defined[0::step], defined[step - 1 :: step]
    both = np.concatenate([a_defined, b_defined])
    pooled = np.concatenate([a, b])
    pooled_count = np.maximum(both.sum(axis=0), 1)
    pooled_mean = pooled.sum(axis=0) / pooled_count
    variance = np.where(both, (pooled - pooled_mean) ** 2, 0.0).sum(axis=0) / pooled_count
    usable = varies & (variance > np.finfo(float).eps)
    safe = np.where(usable, variance, 1.0)
    first = np.full((inputs, *tail), np.nan)
    total = np.full((inputs, *tail), np.nan)
    complete = bool(defined.all())
    for j in range(inputs):
        ab = scaled[j + 1 :: step]
        if complete:
            # Every draw defined (the usual case): plain means over the base rows.
            used = np.full(tail, a.shape[0])
            difference = ab - a
            first_sum = (b * difference).sum(axis=0)
            total_sum = 0.5 * (difference * difference).sum(axis=0)
        else:
            # Undefined values are 0 in ``scaled``; the mask keeps only complete triples.
            rows = a_defined & b_defined & defined[j + 1 :: step]
            used = rows.sum(axis=0)
            difference = (ab - a) * rows
            first_sum = (b * difference).sum(axis=0)
            total_sum = 0.5 * (difference * difference).sum(axis=0)
        ok = usable & (used > 0)
        divisor = np.where(ok, used * safe, 1.0)
        first[j] = np.where(ok, first_sum / divisor, np.nan)
        total[j] = np.where(ok, total_sum / divisor, np.nan)
    return first, total
