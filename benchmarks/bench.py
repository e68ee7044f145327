"""Speed and memory of policyeval on large synthetic cases.

Run ``python benchmarks/bench.py`` for the full figures or ``--quick`` for a
smoke run. Each scenario builds a framework of the given shape, writes an
evidence CSV, then times loading, evaluation and JSON output, and reports
peak traced memory. Targets (full run, one core of a 2-core machine):

* loading 100,000 evidence rows: under 10 s;
* evaluating them (200 units x 100 indicators x 5 items): under 20 s;
* peak memory for that run: under 1 GiB;
* 200,000 items on one indicator (``--one-indicator 200000``): load and
  evaluate under 30 s each (the evidence check is n log n in the items of
  an indicator, never quadratic).
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policyeval import evaluate, load_evidence
from policyeval.framework import Framework, Node
from policyeval.scales import Level, OrdinalScale

LEVELS = ("tidak_baik", "kurang_baik", "cukup_baik", "baik")


def build_framework(dimensions: int, indicators_per_dimension: int) -> Framework:
    """A three-level framework: root, dimensions, indicators."""
    scale = OrdinalScale(
        "four",
        tuple(Level(level, score + 1, label={"en": level}) for score, level in enumerate(LEVELS)),
    )
    nodes = [Node("root", "root", label={"en": "Root"})]
    for d in range(dimensions):
        nodes.append(Node(f"d{d}", "dimension", label={"en": f"D{d}"}, parents=("root",)))
        for i in range(indicators_per_dimension):
            nodes.append(
                Node(f"d{d}_i{i}", "indicator", label={"en": f"I{d}.{i}"}, parents=(f"d{d}",))
            )
    return Framework.build(
        id="bench", nodes=nodes, scales=[scale], default_scale="four", title={"en": "Bench"}
    )


def write_evidence(path: Path, framework: Framework, units: int, per_indicator: int) -> int:
    """Write a synthetic evidence CSV; return the number of rows."""
    rng = random.Random(20240214)
    categories = ("asn", "penyelenggara", "akademisi", "dokumen")
    techniques = ("interview", "observation", "documentation")
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["id", "unit", "indicator", "rating", "source", "source_category", "technique"]
        )
        for unit in range(units):
            for indicator in framework.indicators:
                for item in range(per_indicator):
                    count += 1
                    writer.writerow(
                        [
                            f"E{count}",
                            f"u{unit}",
                            indicator,
                            rng.choice(LEVELS),
                            f"s{item}",
                            categories[item % len(categories)],
                            techniques[rng.randrange(len(techniques))],
                        ]
                    )
    return count


def measure(label: str, function: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``function`` once, returning its value, seconds and the process's peak RSS in MiB."""
    start = time.perf_counter()
    value = function()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {label:<28} {seconds:8.2f} s   peak RSS so far {peak:8.1f} MiB")
    return value, seconds, peak


def scenario(dimensions: int, per_dimension: int, units: int, per_indicator: int) -> None:
    """Build, load, evaluate and serialise one synthetic case."""
    framework = build_framework(dimensions, per_dimension)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "evidence.csv"
        rows = write_evidence(path, framework, units, per_indicator)
        print(
            f"{units} units x {len(framework.indicators)} indicators x {per_indicator} items "
            f"= {rows} rows"
        )
        evidence, _, _ = measure("load evidence CSV", lambda: load_evidence(path, framework))
        result, _, _ = measure("evaluate", lambda: evaluate(framework, evidence))
        text, _, _ = measure("to_json", result.to_json)
        print(f"  JSON size {len(text) / 2**20:.1f} MiB")


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument(
        "--units",
        type=int,
        metavar="N",
        help="only the case of N units x 200 indicators x 5 items (1000 for a million rows)",
    )
    parser.add_argument(
        "--one-indicator",
        type=int,
        metavar="ROWS",
        help="only the case of ROWS items on a single indicator (200000 for the target)",
    )
    args = parser.parse_args(argv)
    if args.units:
        scenario(dimensions=10, per_dimension=20, units=args.units, per_indicator=5)
    elif args.one_indicator:
        scenario(dimensions=1, per_dimension=1, units=1, per_indicator=args.one_indicator)
    elif args.quick:
        scenario(dimensions=5, per_dimension=4, units=10, per_indicator=3)
    else:
        scenario(dimensions=5, per_dimension=20, units=20, per_indicator=5)
        scenario(dimensions=10, per_dimension=10, units=200, per_indicator=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
