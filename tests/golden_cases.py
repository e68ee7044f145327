"""Evaluations whose JSON is pinned byte for byte in tests/data/golden.

Run ``python tests/golden_cases.py`` only to regenerate the files after a deliberate change of the
JSON document; ``tests/test_stages.py`` compares against them.
"""

from __future__ import annotations

import random
from pathlib import Path

from policyeval import evaluate
from policyeval.case import evaluate_case
from policyeval.evidence import Evidence
from policyeval.framework_io import load_framework

HERE = Path(__file__).parent
ROOT = HERE.parent
GOLDEN = HERE / "data" / "golden"

AGGREGATOR_SETS = {
    "framework": None,
    "median": {"*": "median"},
    "bars": {"*": {"name": "bars", "rules": [{"at_or_below": 2, "cap": 3}]}},
    "geometric": {"layanan": "geometric", "sumber_daya": "harmonic", "hasil": "max"},
}


def example_evidence(seed: int = 8) -> list[Evidence]:
    """Ratings and values for six villages, some indicators missing, chosen by a fixed seed."""
    pick = random.Random(seed)
    levels = ["baik", "cukup_baik", "kurang_baik", "tidak_baik"]
    items = []
    for unit_index in range(6):
        unit = f"desa-{unit_index}"
        for indicator in ("kompetensi", "kepuasan"):
            for copy in range(pick.randint(0, 3)):
                items.append(
                    Evidence(
                        id=f"{unit}-{indicator}-{copy}",
                        unit=unit,
                        indicator=indicator,
                        rating=pick.choice(levels),
                        source=f"s{pick.randint(1, 3)}",
                        source_category=pick.choice(["asn", "warga", "dokumen"]),
                        technique=pick.choice(["interview", "documentation"]),
                    )
                )
        if pick.random() < 0.8:
            items.append(
                Evidence(
                    id=f"{unit}-anggaran",
                    unit=unit,
                    indicator="anggaran",
                    value=round(pick.uniform(20, 100), 1),
                    source="apbdes",
                    source_category="dokumen",
                    technique="documentation",
                )
            )
    return items


def documents() -> dict[str, str]:
    """File name -> the JSON the engine writes for it."""
    out = {"serang_2024.json": evaluate_case(ROOT / "examples" / "serang_2024").to_json()}
    framework = load_framework(HERE / "data" / "framework_example.toml")
    items = example_evidence()
    units = sorted({item.unit for item in items} | {"desa-kosong"})
    for name, aggregators in AGGREGATOR_SETS.items():
        for min_share in (0.5, 0.0):
            result = evaluate(
                framework, items, aggregators=aggregators, units=units, min_share=min_share
            )
            out[f"example_{name}_{min_share}.json"] = result.to_json()
    return out


if __name__ == "__main__":
    for name, text in documents().items():
        (GOLDEN / name).write_text(text, encoding="utf-8")
