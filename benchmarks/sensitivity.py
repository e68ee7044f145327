"""Sensitivity analysis, DEX tables and a cold start: policyeval's speed against its targets.

Run ``python benchmarks/sensitivity.py`` (``--draws N``, default 2000; ``--quick`` for a smoke
run; ``--json`` prints one JSON object). It prints every figure, and for each figure with a
target the target and the ratio to it (above 1 = target met). Figures:

- ``ua_asem_draws_per_s``: :func:`policyeval.sensitivity.sensitivity_case` on the ASEM example
  (51 units x 49 indicators) with every weight within +-25 % and the normaliser (min-max 0-100
  or z-score) drawn per draw; every draw's scores, levels and competition ranks for every node,
  from the case's loaded evidence and data (:func:`policyeval.sensitivity.case_arguments`; the
  numpy loop below also starts from loaded tables). ``ua_asem_with_files_draws_per_s`` also
  reads the case's files (:func:`~policyeval.sensitivity.sensitivity_case`);
  ``ua_asem_wall_draws_per_s`` is the first figure in wall-clock time (lower on a busy machine).
  ``ua_asem_summary_s`` is the time of that run's summaries (``to_dict``: level shares,
  medians and 5-95 % intervals of scores and ranks, every input's index for every cell).
- ``ua_asem_numpy_draws_per_s`` and ``ua_asem_numpy_ratio``: a hand-written numpy loop doing the
  same arithmetic per draw (weights drawn, weighted means up the levels, ranks) on the two
  normalised tables computed once; the ratio is numpy's rate over policyeval's (at most 2 is
  the target). ``ua_asem_numpy_no_ranks_draws_per_s`` is the same loop without the ranks.
- ``ua_asem_treatment_draws_per_s``: the same with the imputation (the group mean or median,
  the overall mean or median) and the outlier treatment (COINr's default with winmax 5 or 3,
  a log transform, none) also drawn per draw; each pipeline runs once, before the draws.
- ``serang_sensitivity_draws_per_s``: the Serang case's own ``[sensitivity]`` section
  (weights, aggregators at the root, thresholds, leaving out evidence items and sources).
- ``dex_alternatives_per_s``: :func:`policyeval.interop.dexi_codes.evaluate_dexi_codes` on a
  seeded random DEX model of 30 inputs with 5-valued scales (a root over 3 aggregates, each over
  2 aggregates of 5 inputs: three levels of decision tables), many alternatives at once;
  ``dex_scalar_alternatives_per_s`` is :func:`policyeval.interop.dexi.evaluate_dexi`, one
  alternative at a time, on the same model.
- ``serang_cold_s``: the cold wall time of ``policyeval evaluate examples/serang_2024 --format
  json`` in a fresh interpreter (the median of several runs) reading compiled modules from a
  bytecode cache, as an installed package does; ``serang_cold_cpu_s`` its processor time
  (user + system), steadier than the wall time on a busy machine.
  ``serang_cold_no_bytecode_s`` and ``serang_cold_no_bytecode_cpu_s`` are the same with every
  module compiled from source on every run (as with ``PYTHONDONTWRITEBYTECODE`` set).
  ``--cold-reference COMMIT`` also times a temporary checkout of an older commit, its runs
  taken in turn with this checkout's: ``serang_cold_reference_s`` and ``_cpu_s``, and
  ``serang_cold_reference_ratio`` (this checkout's wall time over the reference's), since a
  wall time depends on the machine as much as on the code.

Rates are per second of processor time (``time.process_time``, the median of three runs for
the sensitivity figures, the best of three for DEX), so other work on a shared machine does not
count against them; on an idle machine they are wall-clock rates. The numpy loop is timed the
same way, so the ratio compares like with like.

Targets (issue 12): 12,600 ASEM draws/s, within 2x of numpy; 1,300 ASEM draws/s with imputation
and treatment varying; 4.5 million DEX alternatives/s; Serang cold at most 0.3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from policyeval.case import load_case
from policyeval.case_data import load_case_data
from policyeval.interop.dexi import DexiAttribute, DexiModel, evaluate_dexi
from policyeval.interop.dexi_codes import evaluate_dexi_codes, input_attributes
from policyeval.score import score
from policyeval.sensitivity import Uncertainty, case_arguments, sensitivity, sensitivity_case

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
#: figure -> (target, True when higher is better)
TARGETS = {
    "ua_asem_draws_per_s": (12_600, True),
    "ua_asem_numpy_ratio": (2.0, False),
    "ua_asem_treatment_draws_per_s": (1_300, True),
    "dex_alternatives_per_s": (4_500_000, True),
    "serang_cold_s": (0.3, False),
}


def numpy_loop(draws: int, seed: int, *, with_ranks: bool = True) -> float:
    """Draws per second of the hand-written loop on the ASEM example."""
    case = load_case(ASEM)
    framework = case.framework
    assert case.data is not None, "the ASEM case declares its data"
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
    start = time.process_time()
    for _ in range(draws):
        grid = np.zeros((units, len(nodes)))
        grid[:, indicator_columns] = tables[int(rng.integers(0, 2))]
        for parent_columns, matrix in levels:
            weights = matrix * rng.uniform(0.75, 1.25, size=matrix.shape)
            grid[:, parent_columns] = (grid @ weights) / weights.sum(axis=0)
        if with_ranks:
            ranks = 1 + (grid[None, :, :] > grid[:, None, :]).sum(axis=1)
            assert ranks.shape == grid.shape
    return draws / (time.process_time() - start)


def policyeval_rate(
    case_dir: Path,
    uncertainty: Uncertainty | None,
    draws: int,
    runs: int = 3,
    *,
    files_and_summaries: bool = True,
) -> tuple[float, float, float, float]:
    """Draws per second of a sensitivity run on the case's loaded inputs (as the numpy loop has
    its tables ready), the same with reading the case's files, the summaries' seconds, and
    the first figure in wall-clock time (each the median of ``runs``; the second and third
    ``nan`` without ``files_and_summaries``)."""
    case = load_case(case_dir)
    sensitivity_case(case, uncertainty=uncertainty, draws=50, seed=0)  # warm caches and imports
    arguments = case_arguments(case)
    chosen = uncertainty if uncertainty is not None else case.sensitivity
    assert chosen is not None
    rates, with_files, summaries, walls = [], [], [], []
    for _ in range(runs):
        start, wall = time.process_time(), time.perf_counter()
        result = sensitivity(
            case.framework,
            uncertainty=chosen,
            draws=draws,
            seed=1,
            design=case.sensitivity_design,
            **arguments,
        )
        rates.append(draws / (time.process_time() - start))
        walls.append(draws / (time.perf_counter() - wall))
        if not files_and_summaries:
            continue
        start = time.process_time()
        sensitivity_case(case, uncertainty=uncertainty, draws=draws, seed=1)
        with_files.append(draws / (time.process_time() - start))
        start = time.process_time()
        result.to_dict()
        summaries.append(time.process_time() - start)
    wall_rate = statistics.median(walls)
    if not files_and_summaries:
        return statistics.median(rates), math.nan, math.nan, wall_rate
    return (
        statistics.median(rates),
        statistics.median(with_files),
        statistics.median(summaries),
        wall_rate,
    )


def dex_model(seed: int) -> DexiModel:
    """A random DEX model: 30 inputs, 5-valued scales, three levels of decision tables."""
    rng = np.random.default_rng(seed)
    scale = tuple(f"v{value}" for value in range(5))
    attributes = []

    def add(name: str, parent: str | None, inputs: list[str]) -> None:
        table = tuple(int(v) for v in rng.integers(0, 5, size=5 ** len(inputs))) if inputs else None
        attributes.append(
            DexiAttribute(
                id=name, name=name, parent=parent, scale=scale, inputs=tuple(inputs), table=table
            )
        )

    add("root", None, [f"m{i}" for i in range(3)])
    for i in range(3):
        add(f"m{i}", "root", [f"l{i}{j}" for j in range(2)])
        for j in range(2):
            add(f"l{i}{j}", f"m{i}", [f"b{i}{j}{k}" for k in range(5)])
            for k in range(5):
                add(f"b{i}{j}{k}", f"l{i}{j}", [])
    return DexiModel(name="bench", description="", attributes=tuple(attributes), alternatives=())


def dex_rates(alternatives: int, seed: int) -> tuple[float, float]:
    """Alternatives per second: the array path (best of three), and one at a time."""
    model = dex_model(seed)
    codes = np.random.default_rng(seed + 1).integers(0, 5, size=(alternatives, 30), dtype=np.int8)
    times = []
    for _ in range(3):
        start = time.process_time()
        evaluate_dexi_codes(model, codes)
        times.append(time.process_time() - start)
    names = [attribute.id for attribute in input_attributes(model)]
    rows = [dict(zip(names, row, strict=True)) for row in codes[:2000].tolist()]
    start = time.process_time()
    evaluate_dexi(model, rows)
    return alternatives / min(times), len(rows) / (time.process_time() - start)


def serang_cold(
    runs: int, *, bytecode: bool = True, roots: Sequence[Path] = (ROOT,)
) -> list[tuple[float, float]]:
    """Median wall and processor seconds of a cold ``evaluate --format json`` on Serang.

    With ``bytecode`` (the figure of the targets) the interpreter reads the compiled modules
    from a cache filled by one untimed run first, as an installed package has them; without,
    every run compiles policyeval's sources again (``PYTHONDONTWRITEBYTECODE``, and a source
    tree without ``__pycache__`` folders, as a checkout run with that setting has).

    One pair of figures per source tree in ``roots`` (this checkout and, with
    ``--cold-reference``, an older commit's), their runs taken in turn so that a change in the
    machine's load falls on each alike.
    """
    command = ["-m", "policyeval", "evaluate", "examples/serang_2024", "--format", "json"]

    def run(root: Path, env: dict[str, str]) -> None:
        subprocess.run(
            [sys.executable, *command], check=True, stdout=subprocess.DEVNULL, env=env, cwd=root
        )

    walls: list[list[float]] = [[] for _ in roots]
    processor: list[list[float]] = [[] for _ in roots]
    with tempfile.TemporaryDirectory() as cache:
        environments = []
        for root in roots:
            env = dict(os.environ, PYTHONPATH=str(root / "src"))
            if bytecode:
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                env["PYTHONPYCACHEPREFIX"] = cache
            else:
                env["PYTHONDONTWRITEBYTECODE"] = "1"
                env.pop("PYTHONPYCACHEPREFIX", None)  # the libraries' own caches are still read
            environments.append(env)
            if bytecode:
                run(root, env)
        for _ in range(runs):
            for index, (root, env) in enumerate(zip(roots, environments, strict=True)):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                run(root, env)
                walls[index].append(time.perf_counter() - start)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                processor[index].append(
                    after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                )
    return [
        (statistics.median(wall), statistics.median(cpu))
        for wall, cpu in zip(walls, processor, strict=True)
    ]


@contextlib.contextmanager
def checkout(commit: str) -> Iterator[Path]:
    """A temporary detached ``git worktree`` of ``commit`` of this repository."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "reference"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--quiet", "--detach", str(tree), commit],
            check=True,
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--cold-reference",
        metavar="COMMIT",
        help="also time the cold start of this commit's checkout, in turn with this one's",
    )
    options = parser.parse_args()
    draws = options.draws or (200 if options.quick else 2000)
    uncertainty = Uncertainty(weights={"*": 0.25}, scorers=(MIN_MAX, "z_score"))
    ours, with_files, summary, wall = policyeval_rate(ASEM, uncertainty, draws)
    treated = Uncertainty(
        weights={"*": 0.25},
        scorers=(MIN_MAX, "z_score"),
        imputation=IMPUTATIONS,
        treatment=TREATMENTS,
    )
    reference = statistics.median(numpy_loop(draws, seed) for seed in range(3))
    dex, dex_scalar = dex_rates(100_000 if options.quick else 1_000_000, seed=0)
    runs = 3 if options.quick else 7
    reference_cold: tuple[float, float] | None = None
    if options.cold_reference:
        with checkout(options.cold_reference) as tree:
            (cold, cold_processor), reference_cold = serang_cold(runs, roots=(ROOT, tree))
    else:
        [(cold, cold_processor)] = serang_cold(runs)
    [(compiling, compiling_processor)] = serang_cold(runs, bytecode=False)
    figures: dict[str, Any] = {
        "ua_asem_draws_per_s": round(ours, 1),
        "ua_asem_wall_draws_per_s": round(wall, 1),
        "ua_asem_with_files_draws_per_s": round(with_files, 1),
        "ua_asem_summary_s": round(summary, 3),
        "ua_asem_numpy_draws_per_s": round(reference, 1),
        "ua_asem_numpy_ratio": round(reference / ours, 2),
        "ua_asem_numpy_no_ranks_draws_per_s": round(numpy_loop(draws, 0, with_ranks=False), 1),
        "ua_asem_treatment_draws_per_s": round(
            policyeval_rate(ASEM, treated, draws, files_and_summaries=False)[0], 1
        ),
        "serang_sensitivity_draws_per_s": round(
            policyeval_rate(SERANG, None, draws, files_and_summaries=False)[0], 1
        ),
        "dex_alternatives_per_s": round(dex),
        "dex_scalar_alternatives_per_s": round(dex_scalar),
        "serang_cold_s": round(cold, 3),
        "serang_cold_cpu_s": round(cold_processor, 3),
        "serang_cold_no_bytecode_s": round(compiling, 3),
        "serang_cold_no_bytecode_cpu_s": round(compiling_processor, 3),
    }
    if reference_cold is not None:
        figures["serang_cold_reference_s"] = round(reference_cold[0], 3)
        figures["serang_cold_reference_cpu_s"] = round(reference_cold[1], 3)
        figures["serang_cold_reference_ratio"] = round(cold / reference_cold[0], 2)
    targets = {}
    for key, (target, higher) in TARGETS.items():
        ratio = figures[key] / target if higher else target / figures[key]
        targets[key] = {"target": target, "ratio": round(ratio, 2), "met": ratio >= 1}
    if options.json:
        print(json.dumps({**figures, "targets": targets}, sort_keys=True))
        return
    width = max(map(len, figures))
    print(f"{'figure':<{width}}  {'value':>12}  {'target':>10}  ratio")
    for key, value in figures.items():
        line = f"{key:<{width}}  {value:>12}"
        if key in targets:
            found = targets[key]
            line += (
                f"  {found['target']:>10}  {found['ratio']}{'' if found['met'] else ' (not met)'}"
            )
        print(line)


if __name__ == "__main__":
    main()
