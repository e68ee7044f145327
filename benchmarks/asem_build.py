"""One full ASEM build in-process: policyeval against hand-written numpy, in the same run.

Run ``python benchmarks/asem_build.py`` (``--repeat N`` builds each, default 20). The data
(examples/asem_coinr) is loaded once; each timed build then runs COINr's default pipeline from
the raw table: denominate, impute by group mean, screen, treat outliers (skewness/kurtosis check,
winsorise, log fallback), min-max normalise after flipping, arithmetic means up the three levels,
and competition ranks of every node. The numpy version writes the same arithmetic by hand with no
provenance, no checks and no plug-ins; both must give the same index. Target: policyeval within
2x of numpy. For reference, COINr reports about 0.079 s per build of the same example.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from policyeval.aggregate import NodeScores, aggregate
from policyeval.case import load_case
from policyeval.case_data import load_case_data
from policyeval.evaluate import evaluate
from policyeval.numeric_data import NumericTable, load_numeric_table
from policyeval.score import score

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "asem_coinr"
COINR_SECONDS = 0.079


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest score in each column; ties share the best rank."""
    ordered = np.sort(scores, axis=0)
    ranks = np.empty_like(scores)
    for column in range(scores.shape[1]):
        higher = ordered.shape[0] - np.searchsorted(ordered[:, column], scores[:, column], "right")
        ranks[:, column] = 1 + higher
    return ranks


# The hand-written numpy build ------------------------------------------------------------------


def _skew_kurt(x: np.ndarray) -> tuple[float, float]:
    n = x.size
    d = x - x.mean()
    s2 = float(np.sum(d * d))
    skew = math.sqrt(n) * float(np.sum(d**3)) / s2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)
    r = n * float(np.sum(d**4)) / s2**2
    kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return skew, kurt


def _passes(x: np.ndarray) -> bool:
    skew, kurt = _skew_kurt(x)
    return abs(skew) < 2 or kurt < 3.5


def _treat(x: np.ndarray, winmax: int = 5) -> np.ndarray:
    if _passes(x):
        return x
    y = x.copy()
    high = low = np.array([], dtype=int)
    while True:
        skew, _ = _skew_kurt(y)
        if skew >= 0:
            high = np.flatnonzero(y == y.max())
            y[high] = np.delete(y, high).max()
        else:
            low = np.flatnonzero(y == y.min())
            y[low] = np.delete(y, low).min()
        if _passes(y):
            return y
        if high.size + low.size >= winmax:
            break
    smallest, largest = x.min(), x.max()
    logged: np.ndarray = np.log(x - smallest + 0.01 * (largest - smallest))
    return logged


class NumpyBuild:
    """COINr's default build of ASEM, as plain numpy over arrays prepared once."""

    def __init__(self, case: Any, table: NumericTable) -> None:
        framework = case.framework
        spec = case.data
        denominate = dict(spec.pipeline.steps[0].denominators)
        self.values = table.values
        self.divisors = np.ones_like(table.values)
        for j, indicator in enumerate(table.indicators):
            if indicator in denominate:
                self.divisors[:, j] = table.denominators[denominate[indicator]]
        groups = np.array(table.groups["EurAsia_group"], dtype=object)
        self.group_masks = [groups == g for g in sorted(set(groups))]
        self.signs = np.array(
            [-1.0 if framework.scale_of(i).direction == "lower" else 1.0 for i in table.indicators]
        )
        # One weight matrix per level: children columns -> parent columns, rows summing to 1.
        self.levels = []
        position = {node: j for j, node in enumerate(table.indicators)}
        for kind in ("pillar", "sub_index", "root"):
            parents = framework.of_kind(kind)
            children = sorted(
                {c for p in parents for c in framework.children(p)}, key=position.__getitem__
            )
            matrix = np.zeros((len(children), len(parents)))
            for k, parent in enumerate(parents):
                for child in framework.children(parent):
                    matrix[children.index(child), k] = framework.weight(parent, child)
            matrix /= matrix.sum(axis=0)
            self.levels.append(([position[c] for c in children], matrix))
            for parent in parents:
                position[parent] = len(position)
        self.node_count = len(position)
        self.nodes = sorted(position, key=position.__getitem__)

    def __call__(self) -> np.ndarray:
        x = self.values / self.divisors
        for mask in self.group_masks:
            block = x[mask]
            means = np.nanmean(block, axis=0)
            x[mask] = np.where(np.isnan(block), means, block)
        keep = (~np.isnan(x)).mean(axis=1) >= 0.9
        x = x[keep]
        x = np.column_stack([_treat(x[:, j]) for j in range(x.shape[1])]) * self.signs
        low, high = x.min(axis=0), x.max(axis=0)
        scores = np.empty((x.shape[0], self.node_count))
        scores[:, : x.shape[1]] = (x - low) / (high - low) * 100
        filled = x.shape[1]
        for children, matrix in self.levels:
            parents = scores[:, children] @ matrix
            scores[:, filled : filled + parents.shape[1]] = parents
            filled += parents.shape[1]
        competition_ranks(scores)
        return scores


# The policyeval build ----------------------------------------------------------------------------


class PolicyevalBuild:
    """The same build through policyeval's pipeline, score and aggregate stages."""

    def __init__(self, case: Any, table: NumericTable) -> None:
        self.case, self.table = case, table

    def __call__(self) -> NodeScores:
        case = self.case
        prepared = case.data.pipeline(self.table).table
        table = score(
            case.framework, None, prepared, scorers=case.scorers or None, units=prepared.units
        )
        nodes = aggregate(case.framework, table, aggregators="mean")
        competition_ranks(nodes.scores)
        return nodes


def _time(build: Any, repeat: int) -> tuple[float, Any]:
    seconds, _, result = _timings(build, repeat)
    return seconds, result


def _timings(build: Any, repeat: int) -> tuple[float, float, Any]:
    """The median and the best of ``repeat`` timed builds, after one to warm up."""
    result = build()  # warm up (imports, caches)
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = build()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), min(timings), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--strict", action="store_true", help="exit 2 when the 2x target is not met"
    )
    options = parser.parse_args(argv)
    case = load_case(EXAMPLE)
    assert case.data is not None
    table = load_numeric_table(
        case.data.file,
        unit_column=case.data.unit_column,
        indicators=list(case.framework.indicators),
        group_columns=list(case.data.groups),
        denominator_columns=list(case.data.denominators),
    )
    by_hand = NumpyBuild(case, table)
    numpy_seconds, numpy_best, numpy_scores = _timings(by_hand, options.repeat)
    ours_seconds, ours_best, our_nodes = _timings(PolicyevalBuild(case, table), options.repeat)
    # Every node (indicators after treatment and normalisation, pillars, sub-indices, the index)
    # for every unit, not the index alone: both builds do the same arithmetic.
    ours_aligned = np.column_stack([our_nodes.column(node) for node in by_hand.nodes])
    if not np.allclose(numpy_scores, ours_aligned, rtol=0, atol=1e-9):
        print("the two builds disagree on some node's scores", file=sys.stderr)
        return 1
    our_index = np.asarray(our_nodes.column(case.framework.root))

    spec = case.data

    def full() -> Any:
        numeric = load_case_data(spec, case.framework)
        return evaluate(
            case.framework,
            data=numeric.table,
            units=numeric.table.units,
            scorers=case.scorers or None,
            aggregators="mean",
        )

    full_seconds, _ = _time(full, max(3, options.repeat // 4))
    prepared = case.data.pipeline(table).table
    steps_seconds, _ = _time(lambda: case.data.pipeline(table), options.repeat)

    def engine() -> Any:
        scored = score(
            case.framework, None, prepared, scorers=case.scorers or None, units=prepared.units
        )
        return competition_ranks(aggregate(case.framework, scored, aggregators="mean").scores)

    engine_seconds, _ = _time(engine, options.repeat)
    ratio = ours_seconds / numpy_seconds
    best_ratio = ours_best / numpy_best
    print(f"ASEM build, 51 units x 49 indicators, median (best) of {options.repeat} builds")
    print(
        f"  hand-written numpy       {numpy_seconds * 1000:8.1f} ms  ({numpy_best * 1000:.1f} ms)"
    )
    print(
        f"  policyeval stages        {ours_seconds * 1000:8.1f} ms  ({ours_best * 1000:.1f} ms)  "
        f"{ratio:.2f}x numpy ({best_ratio:.2f}x best to best; target 2x)"
    )
    print(
        f"  policyeval evaluate()    {full_seconds * 1000:8.1f} ms  (with loading and judgements)"
    )
    print(f"    data steps             {steps_seconds * 1000:8.1f} ms  (denominate ... treat)")
    print(f"    engine stages          {engine_seconds * 1000:8.1f} ms  (score, aggregate, rank)")
    print(f"  COINr (reported)         {COINR_SECONDS * 1000:8.1f} ms")
    print(f"  index CHE = {float(our_index[list(table.units).index('CHE')]):.2f}")
    return 2 if options.strict and ratio > 2 else 0


if __name__ == "__main__":
    sys.exit(main())
