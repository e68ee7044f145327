"""Sensitivity analysis speed: policyeval against a hand-written numpy loop, in the same run.

Run ``python benchmarks/sensitivity.py`` (``--draws N``, default 2000; ``--json`` prints one
JSON object). Figures:

- ``ua_asem_draws_per_s``: :func:`policyeval.sensitivity.sensitivity_case` on the ASEM example
  (51 units x 49 indicators) with every weight within +-25 % and the normaliser (min-max 0-100
  or z-score) drawn per draw; every draw's scores, levels and competition ranks for every node.
- ``ua_asem_numpy_draws_per_s`` and ``ua_asem_numpy_ratio``: a hand-written numpy loop doing the
  same arithmetic per draw (weights drawn, weighted means up the levels, ranks) on the two
  normalised tables computed once; the ratio is numpy's rate over policyeval's.
  ``ua_asem_numpy_no_ranks_draws_per_s`` is the same loop without the ranks.
- ``ua_asem_treatment_draws_per_s``: the same with the imputation (the group mean or median,
  the overall mean or median) and the outlier treatment (COINr's default with winmax 5 or 3,
  a log transform, none) also drawn per draw; each pipeline runs once, before the draws.
- ``serang_sensitivity_draws_per_s``: the Serang case's own ``[sensitivity]`` section
  (weights, aggregators at the root, thresholds, leaving out evidence items and sources).
- ``serang_cold_s``: the cold wall time of ``policyeval evaluate examples/serang_2024 --format
  json`` in a fresh interpreter (the best of five).

Targets (issue 12): 12,600 ASEM draws/s, within 2x of numpy; 1,300 ASEM draws/s with imputation
and treatment varying; Serang cold at most 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from policyeval.case import load_case
from policyeval.case_data import load_case_data
from policyeval.score import score
from policyeval.sensitivity import Uncertainty, sensitivity_case

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT / "examples" / "asem_coinr"
SERANG = ROOT / "examples" / "serang_2024"
MIN_MAX = {"name": "min_max", "low": 0, "high": 100}
IMPUTATIONS = (
    {"method": "mean", "group": "EurAsia_group"},
    {"method": "median", "group": "EurAsia_group"},
    "mean",
    "median",
)
TREATMENTS = (
    {"name": "coinr_default", "winmax": 5},
    {"name": "coinr_default", "winmax": 3},
    "log_transform",
    "none",
)


def numpy_loop(draws: int, seed: int, *, with_ranks: bool = True) -> float:
    """Draws per second of the hand-written loop on the ASEM example."""
    case = load_case(ASEM)
    framework = case.framework
    numeric = load_case_data(case.data, framework)
    tables = [
        score(framework, data=numeric.table, scorers=spec).scores for spec in (MIN_MAX, "z_score")
    ]
    nodes = framework.node_ids
    position = {node: index for index, node in enumerate(nodes)}
    # The inner nodes level by level, each with its children's columns and nominal weights.
    by_depth: dict[int, list[str]] = {}
    for node in framework.inner_nodes:
        by_depth.setdefault(framework.depth(node), []).append(node)
    levels = []
    for depth in sorted(by_depth, reverse=True):
        parents = by_depth[depth]
        matrix = np.zeros((len(nodes), len(parents)))
        for column, parent in enumerate(parents):
            for child in framework.children(parent):
                matrix[position[child], column] = framework.weight(parent, child)
        levels.append(([position[parent] for parent in parents], matrix))
    indicator_columns = [position[indicator] for indicator in framework.indicators]
    rng = np.random.default_rng(seed)
    units = tables[0].shape[0]
    start = time.perf_counter()
    for _ in range(draws):
        grid = np.zeros((units, len(nodes)))
        grid[:, indicator_columns] = tables[int(rng.integers(0, 2))]
        for parents, matrix in levels:
            weights = matrix * rng.uniform(0.75, 1.25, size=matrix.shape)
            grid[:, parents] = (grid @ weights) / weights.sum(axis=0)
        if with_ranks:
            ranks = 1 + (grid[None, :, :] > grid[:, None, :]).sum(axis=1)
            assert ranks.shape == grid.shape
    return draws / (time.perf_counter() - start)


def policyeval_rate(case_dir: Path, uncertainty: Uncertainty | None, draws: int) -> float:
    case = load_case(case_dir)
    sensitivity_case(case, uncertainty=uncertainty, draws=50, seed=0)  # warm caches and imports
    start = time.perf_counter()
    sensitivity_case(case, uncertainty=uncertainty, draws=draws, seed=1)
    return draws / (time.perf_counter() - start)


def serang_cold() -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, "-m", "policyeval", "evaluate", str(SERANG), "--format", "json"]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    uncertainty = Uncertainty(weights={"*": 0.25}, scorers=(MIN_MAX, "z_score"))
    ours = policyeval_rate(ASEM, uncertainty, options.draws)
    treated = Uncertainty(
        weights={"*": 0.25},
        scorers=(MIN_MAX, "z_score"),
        imputation=IMPUTATIONS,
        treatment=TREATMENTS,
    )
    reference = statistics.median(numpy_loop(options.draws, seed) for seed in range(3))
    figures: dict[str, Any] = {
        "ua_asem_draws_per_s": round(ours, 1),
        "ua_asem_numpy_draws_per_s": round(reference, 1),
        "ua_asem_numpy_ratio": round(reference / ours, 2),
        "ua_asem_numpy_no_ranks_draws_per_s": round(
            numpy_loop(options.draws, 0, with_ranks=False), 1
        ),
        "ua_asem_treatment_draws_per_s": round(policyeval_rate(ASEM, treated, options.draws), 1),
        "serang_sensitivity_draws_per_s": round(policyeval_rate(SERANG, None, options.draws), 1),
        "serang_cold_s": round(serang_cold(), 3),
    }
    if options.json:
        print(json.dumps(figures, sort_keys=True))
        return
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
