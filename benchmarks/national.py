"""The national case: policyeval beside a pandas/numpy baseline, from the same CSV.

A national evaluation has every regency, city and province office as a unit,
200 indicators and survey or interview evidence: a million rows or more. This
script writes ``bench.py``'s synthetic evidence (N units x 200 indicators x 5
rows) to a CSV, then runs two sides on it, each in its own subprocess so that
each side's peak memory is its own:

* **policyeval**: ``load_evidence``, ``evaluate`` (source triangulation,
  weighted mean up the tree, weakest confidence) and the JSON document in its
  compact form (``--compact``, as the baseline writes); the readable form's
  time is printed as an extra figure, outside the totals;
* **baseline**: pandas and numpy doing the same arithmetic (weighted lower
  median consensus, agreement share, status and confidence, weighted mean up
  the tree, levels read back through the scale's midpoints) and writing a JSON
  object for every node.

A third run, outside the comparison, takes the command line's path on the
same rows: the CSV's folder as a case (``evaluate_case``: reading, checks,
evaluation, comparison with reported verdicts) and the case's compact JSON.

Each side reports CPU seconds for load, evaluate and JSON, and its peak
resident memory. The two results are then compared node by node (level,
score, status, confidence) and the script fails loudly when any differs.

Run ``python benchmarks/national.py`` for 1e5, 1e6 and 5e6 rows,
``--rows 100000 1000000`` to choose, ``--json`` for one JSON object on
standard output, and ``--quick`` for a CI smoke run (10,000 rows). Targets
(issue: national scale): at 1e6 rows, policyeval within 2x the baseline's CPU
time and peak memory; 5e6 rows in under 4 GB.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import LEVELS, build_framework, write_evidence

from policyeval.framework import Framework

INDICATORS_PER_DIMENSION = 20
DIMENSIONS = 10
ROWS_PER_INDICATOR = 5
ROWS_PER_UNIT = DIMENSIONS * INDICATORS_PER_DIMENSION * ROWS_PER_INDICATOR
DEFAULT_ROWS = (100_000, 1_000_000, 5_000_000)
QUICK_ROWS = (10_000,)
# Status and confidence ranks, weakest first, as policyeval.protocols declares them.
STATUSES = ("no_evidence", "contested", "single_source", "partially_corroborated", "corroborated")
CONFIDENCES = ("very_low", "low", "moderate", "high")


def national_framework() -> Framework:
    """Root, 10 dimensions, 200 indicators (``bench.py``'s shape)."""
    return build_framework(DIMENSIONS, INDICATORS_PER_DIMENSION)


def _cpu(step: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    value = step()
    return value, time.process_time() - start


def _peak_mib() -> float:
    """This interpreter's peak resident memory in MiB.

    On Linux the figure is ``VmHWM``, the high-water mark of this process's own memory map.
    ``ru_maxrss`` is not: a process started by ``subprocess`` keeps the parent's high-water mark
    through ``exec``, so a side started after the driver had read two large JSON documents
    reported the driver's size instead of its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # in kB
    except OSError:
        pass
    # Without /proc: ru_maxrss (KiB on Linux), which may include the parent's mark.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the policyeval side ----------------------------------------------------------------------


def run_policyeval(csv_path: Path, out: Path) -> dict[str, float]:
    """Load, evaluate and write the JSON document; return CPU seconds and peak MiB."""
    from policyeval import evaluate, load_evidence

    framework = national_framework()
    evidence, load = _cpu(lambda: load_evidence(csv_path, framework))
    result, evaluate_seconds = _cpu(lambda: evaluate(framework, evidence))

    def write(compact: bool, path: Path) -> None:
        with path.open("w", encoding="utf-8") as handle:
            result.write_json(handle, compact=compact)

    # The machine form, as the baseline writes; the readable one is an extra figure, after it.
    _, json_seconds = _cpu(lambda: write(True, out))
    peak = _peak_mib()
    readable = out.with_name(out.stem + "_readable.json")
    _, readable_seconds = _cpu(lambda: write(False, readable))
    readable.unlink()
    return {
        "load": load,
        "evaluate": evaluate_seconds,
        "json": json_seconds,
        "json_readable": readable_seconds,
        "peak": peak,
        "peak_readable": _peak_mib(),
    }


def run_case(csv_path: Path, out: Path) -> dict[str, float]:
    """The command line's path on the same rows: the CSV's folder as a case, evaluated with
    :func:`~policyeval.case.evaluate_case` (reading, checking, evaluating and comparing with
    reported verdicts, of which there are none) and its compact JSON written."""
    from policyeval.case import evaluate_case
    from policyeval.framework_io import save_framework

    folder = csv_path.parent
    framework = national_framework()
    save_framework(framework, folder / "framework.toml")
    with csv_path.open(encoding="utf-8") as handle:
        next(handle)
        units = sorted({line.split(",", 2)[1] for line in handle})
    declared = "".join(f'\n[[units]]\nid = "{unit}"\n' for unit in units)
    (folder / "case.toml").write_text(
        'schema = "policyeval.case/1"\n\n[case]\nid = "national"\n'
        'title = { en = "National benchmark" }\nframework = "framework.toml"\n'
        f'language = "en"\n\n[evidence]\nfile = "{csv_path.name}"\n{declared}',
        encoding="utf-8",
    )
    result, evaluate_seconds = _cpu(lambda: evaluate_case(folder))

    def write() -> None:
        with out.open("w", encoding="utf-8") as handle:
            result.write_json(handle, compact=True)

    _, json_seconds = _cpu(write)
    return {"evaluate": evaluate_seconds, "json": json_seconds, "peak": _peak_mib()}


# --- the baseline side ------------------------------------------------------------------------


def run_baseline(csv_path: Path, out: Path) -> dict[str, float]:
    """The same arithmetic with pandas and numpy; return CPU seconds and peak MiB."""
    import numpy as np
    import pandas as pd

    framework = national_framework()
    indicators = list(framework.indicators)
    scores_of = {level: index + 1 for index, level in enumerate(LEVELS)}

    def load() -> pd.DataFrame:
        text = ("unit", "indicator", "rating", "source", "source_category", "technique")
        dtypes: dict[str, str] = {"id": "str", **dict.fromkeys(text, "category")}
        frame: pd.DataFrame = pd.read_csv(csv_path, dtype=dtypes, engine="c")
        return frame

    frame, load_seconds = _cpu(load)

    def judge() -> dict[str, Any]:
        units = sorted(frame["unit"].cat.categories)
        unit_code = frame["unit"].cat.set_categories(units).cat.codes.to_numpy(np.int64)
        indicator_code = (
            frame["indicator"].cat.set_categories(indicators).cat.codes.to_numpy(np.int64)
        )
        rating = frame["rating"]
        score = np.array([scores_of[name] for name in rating.cat.categories], dtype=np.float64)[
            rating.cat.codes.to_numpy()
        ]
        group = unit_code * len(indicators) + indicator_code
        # Sort once by group then score; every group is a segment of the sorted rows.
        order = np.lexsort((score, group))
        sorted_group, sorted_score = group[order], score[order]
        starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
        counts = np.diff(np.r_[starts, len(order)])
        # Every weight is 1: the lower median is the ceil(n/2)-th smallest score.
        median = sorted_score[starts + (counts + 1) // 2 - 1]
        per_row_median = np.repeat(median, counts)
        agreeing = sorted_score == per_row_median
        agree_count = np.add.reduceat(agreeing.astype(np.int64), starts)
        at_or_below = np.add.reduceat((sorted_score <= per_row_median).astype(np.int64), starts)
        even_split = (2 * at_or_below == counts) & (at_or_below < counts)
        agreement = agree_count / counts
        segment = np.repeat(np.arange(len(starts)), counts)

        def distinct(column: str) -> Any:
            codes = frame[column].cat.codes.to_numpy(np.int64)[order][agreeing]
            pairs = pd.DataFrame({"g": segment[agreeing], "c": codes}).drop_duplicates()
            return np.bincount(pairs["g"].to_numpy(), minlength=len(starts))

        categories, sources = distinct("source_category"), distinct("source")
        high = agreement >= 0.75
        contested = (agreement < 0.5) | even_split
        status = np.select([contested, categories >= 2, sources >= 2], [1, 4, 3], default=2).astype(
            np.int64
        )
        confidence = np.select(
            [contested, categories >= 2, sources >= 2],
            [0, np.where(high, 3, 2), np.where(high, 2, 1)],
            default=1,
        ).astype(np.int64)
        shape = (len(units), len(indicators))
        cell = sorted_group[starts]
        indicator_score = np.full(shape, np.nan)
        indicator_status = np.zeros(shape, np.int64)
        indicator_confidence = np.zeros(shape, np.int64)
        indicator_score.flat[cell] = median
        indicator_status.flat[cell] = status
        indicator_confidence.flat[cell] = confidence
        ids = frame["id"].to_numpy()[order]
        evidence = np.split(ids, starts[1:])
        nodes: dict[str, tuple[Any, Any, Any]] = {}
        for column, node in enumerate(indicators):
            nodes[node] = (
                indicator_score[:, column],
                indicator_status[:, column],
                indicator_confidence[:, column],
            )

        def combine(node: str) -> None:
            children = framework.children(node)
            total = np.zeros(len(units))
            weight = np.zeros(len(units))
            for child in children:  # summed child by child, as the engine sums
                child_weight = framework.weight(node, child)
                total += nodes[child][0] * child_weight
                weight += child_weight
            stacked_status = np.stack([nodes[child][1] for child in children])
            stacked_confidence = np.stack([nodes[child][2] for child in children])
            nodes[node] = (
                total / weight,
                stacked_status.min(axis=0),
                stacked_confidence.min(axis=0),
            )

        for node in framework.bottom_up():
            if not framework.node(node).is_indicator:
                combine(node)
        return {
            "units": units,
            "nodes": nodes,
            "evidence": evidence,
            "cells": cell,
        }

    judged, evaluate_seconds = _cpu(judge)

    def write() -> None:
        units, nodes = judged["units"], judged["nodes"]
        evidence_of = dict(zip(judged["cells"].tolist(), judged["evidence"], strict=True))
        cuts = [1.5, 2.5, 3.5]  # midpoints between level scores; a tie goes down
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        columns = {
            node: (score.tolist(), status.tolist(), confidence.tolist())
            for node, (score, status, confidence) in nodes.items()
        }
        position = {node: index for index, node in enumerate(indicators)}
        with out.open("w", encoding="utf-8") as handle:
            handle.write("{")
            for row, unit in enumerate(units):
                document = {}
                for node in framework.node_ids:
                    score_list, status_list, confidence_list = columns[node]
                    number = score_list[row]
                    entry: dict[str, Any] = {
                        "level": LEVELS[sum(number > cut for cut in cuts)],
                        "score": round(number, 10),
                        "status": STATUSES[status_list[row]],
                        "confidence": CONFIDENCES[confidence_list[row]],
                    }
                    if node in position:
                        ids = evidence_of.get(row * len(indicators) + position[node])
                        entry["evidence"] = [] if ids is None else ids.tolist()
                    document[node] = entry
                handle.write(("," if row else "") + encode(unit) + ":" + encode(document))
            handle.write("}\n")

    _, json_seconds = _cpu(write)
    return {
        "load": load_seconds,
        "evaluate": evaluate_seconds,
        "json": json_seconds,
        "peak": _peak_mib(),
    }


# --- the comparison ---------------------------------------------------------------------------


def compare_outputs(policyeval_json: Path, baseline_json: Path) -> int:
    """Compare level, score, status and confidence at every node; return the nodes checked.

    Raises ``SystemExit`` naming the first node where the two sides disagree.
    """
    with policyeval_json.open(encoding="utf-8") as handle:
        ours = json.load(handle)["units"]
    with baseline_json.open(encoding="utf-8") as handle:
        theirs = json.load(handle)
    if list(ours) != list(theirs):
        raise SystemExit(f"MISMATCH: units differ: {list(ours)[:5]} vs {list(theirs)[:5]}")
    checked = 0
    for unit, baseline_nodes in theirs.items():
        nodes = ours[unit]["nodes"]
        if list(nodes) != list(baseline_nodes):
            raise SystemExit(f"MISMATCH: unit {unit!r}: the nodes differ")
        for node, expected in baseline_nodes.items():
            found = nodes[node]
            for key in ("level", "status", "confidence"):
                if found[key] != expected[key]:
                    raise SystemExit(
                        f"MISMATCH: unit={unit!r}, node={node!r}, {key}: "
                        f"policyeval {found[key]!r}, baseline {expected[key]!r}"
                    )
            if not math.isclose(found["score"], expected["score"], rel_tol=0, abs_tol=1e-9):
                raise SystemExit(
                    f"MISMATCH: unit={unit!r}, node={node!r}, score: "
                    f"policyeval {found['score']!r}, baseline {expected['score']!r}"
                )
            if "evidence" in expected and sorted(expected["evidence"]) != found.get("evidence"):
                raise SystemExit(f"MISMATCH: unit={unit!r}, node={node!r}: evidence ids differ")
            checked += 1
    return checked


# --- driver -----------------------------------------------------------------------------------


def _side(name: str, csv_path: Path, out: Path) -> dict[str, float]:
    """Run one side in a fresh interpreter, so its peak memory is its own."""
    command = [sys.executable, __file__, "--side", name, str(csv_path), str(out)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"the {name} side failed:\n{finished.stderr}")
    figures: dict[str, float] = json.loads(finished.stdout.strip().splitlines()[-1])
    return figures


def measure(rows: int, folder: Path) -> dict[str, Any]:
    """Write the CSV for ``rows`` rows, run both sides, check they agree, return the figures."""
    framework = national_framework()
    units = max(1, rows // ROWS_PER_UNIT)
    (folder / "case").mkdir(exist_ok=True)
    csv_path = folder / "case" / f"evidence_{rows}.csv"
    written = write_evidence(csv_path, framework, units, ROWS_PER_INDICATOR)
    ours_out, theirs_out = folder / "policyeval.json", folder / "baseline.json"
    ours = _side("policyeval", csv_path, ours_out)
    theirs = _side("baseline", csv_path, theirs_out)
    checked = compare_outputs(ours_out, theirs_out)
    case_out = folder / "case.json"
    case = _side("case", csv_path, case_out)
    case_out.unlink()
    sizes = {"policyeval": ours_out.stat().st_size, "baseline": theirs_out.stat().st_size}
    for path in (csv_path, ours_out, theirs_out):
        path.unlink()
    total_ours = ours["load"] + ours["evaluate"] + ours["json"]
    total_theirs = theirs["load"] + theirs["evaluate"] + theirs["json"]
    return {
        "rows": written,
        "units": units,
        "nodes_checked": checked,
        "policyeval": {**ours, "total": total_ours, "json_bytes": sizes["policyeval"]},
        "baseline": {**theirs, "total": total_theirs, "json_bytes": sizes["baseline"]},
        "case": {**case, "total": case["evaluate"] + case["json"]},
        "cpu_ratio": total_ours / total_theirs if total_theirs else math.inf,
        "memory_ratio": ours["peak"] / theirs["peak"] if theirs["peak"] else math.inf,
    }


def _print(figures: dict[str, Any]) -> None:
    print(
        f"{figures['rows']:,} rows ({figures['units']} units x 200 indicators x 5): "
        f"{figures['nodes_checked']:,} nodes agree"
    )
    print(f"  {'':<12}{'load':>9}{'evaluate':>10}{'JSON':>8}{'total':>9}{'peak MiB':>10}")
    for side in ("policyeval", "baseline"):
        f = figures[side]
        print(
            f"  {side:<12}{f['load']:>8.2f}s{f['evaluate']:>9.2f}s{f['json']:>7.2f}s"
            f"{f['total']:>8.2f}s{f['peak']:>10.0f}"
        )
    print(
        f"  ratio (policyeval / baseline): CPU {figures['cpu_ratio']:.1f}x, "
        f"peak memory {figures['memory_ratio']:.1f}x"
    )
    ours = figures["policyeval"]
    print(
        f"  policyeval readable JSON (indented, not in the totals): {ours['json_readable']:.2f}s, "
        f"peak {ours['peak_readable']:.0f} MiB"
    )
    case = figures["case"]
    print(
        f"  policyeval as a case (evaluate_case + its JSON, the command line's path; not in the "
        f"totals): {case['evaluate']:.2f}s + {case['json']:.2f}s = {case['total']:.2f}s, "
        f"peak {case['peak']:.0f} MiB"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the national case at each size and print (or dump) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, nargs="+", help="sizes to run (default 1e5 1e6 5e6)")
    parser.add_argument("--quick", action="store_true", help="a smoke run on 10,000 rows")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--side", nargs=3, metavar=("SIDE", "CSV", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.side:
        name, csv_path, out = args.side
        run = {"policyeval": run_policyeval, "baseline": run_baseline, "case": run_case}[name]
        print(json.dumps(run(Path(csv_path), Path(out))))
        return 0
    sizes = QUICK_ROWS if args.quick else tuple(int(n) for n in (args.rows or DEFAULT_ROWS))
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            figures = measure(rows, Path(folder))
            results.append(figures)
            if not args.json:
                _print(figures)
    if args.json:
        print(json.dumps({"runs": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
