"""Write framework.toml from COINr's ASEM_iMeta table (run from this folder).

Each iMeta row of type Indicator or Aggregate becomes a node under its iCode: level 1 rows are
indicators on the ``higher`` or ``lower`` raw scale (by their Direction), level 2 rows pillars,
level 3 sub-indices and level 4 the index. Weights, units, targets and denominators are kept.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).parent
KINDS = {"1": "indicator", "2": "pillar", "3": "sub_index", "4": "root"}

HEADER = """\
# The ASEM sustainable connectivity index of COINr (github.com/bluefoxr/COINr, v1.1.14, MIT;
# European Commission JRC), written from data/ASEM_iMeta.csv by build_framework.py.
schema = "policyeval.framework/1"

[framework]
id = "asem_coinr"
version = "COINr 1.1.14"
default_language = "en"
languages = ["en"]
default_scale = "score"
default_aggregator = "mean"
citation = "Becker, W., Caperna, G., Del Sorbo, M., Norlen, H., Papadimitriou, E., Saisana, M. (2022). COINr: An R package for developing composite indicators. Journal of Open Source Software, 7(78), 4567."
title = {{ en = "ASEM Sustainable Connectivity Index" }}
description = {{ en = "Connectivity and sustainability of the 51 ASEM countries: 49 indicators in eight pillars, two sub-indices and one index, as in COINr's example data." }}
# Indicators are put on 0-100 by min-max after lower-is-better ones are flipped (COINr's default).
attributes = {{ licence = "MIT (COINr)", scorer = {{ name = "min_max", low = 0, high = 100 }} }}

[[scales]]
id = "score"
kind = "numeric"
label = {{ en = "Score" }}
description = {{ en = "An aggregate's score: 0-100 under min-max, unbounded under z-scores or ranks." }}

[[scales]]
id = "higher"
kind = "numeric"
direction = "higher"
label = {{ en = "Raw value, higher is better" }}

[[scales]]
id = "lower"
kind = "numeric"
direction = "lower"
label = {{ en = "Raw value, lower is better" }}
"""


def _text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def main() -> None:
    with (HERE / "data" / "ASEM_iMeta.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Type"] in ("Indicator", "Aggregate")]
    rows.sort(key=lambda row: -int(row["Level"]))  # parents before children, file order kept
    lines = [HEADER.format()]
    for row in rows:
        kind = KINDS[row["Level"]]
        lines.append("[[nodes]]")
        lines.append(f"id = {_text(row['iCode'])}")
        lines.append(f'kind = "{kind}"')
        if row["Parent"]:
            lines.append(f"parent = {_text(row['Parent'])}")
        lines.append(f"label = {{ en = {_text(row['iName'])} }}")
        if float(row["Weight"] or 1) != 1:
            lines.append(f"weight = {float(row['Weight'])!r}")
        if kind == "indicator":
            lines.append(f'scale = "{"lower" if row["Direction"] == "-1" else "higher"}"')
            extras = [f"unit = {_text(row['Unit'])}"]
            if row["Target"]:
                extras.append(f"target = {float(row['Target'])!r}")
            if row["Denominator"]:
                extras.append(f"denominator = {_text(row['Denominator'])}")
            lines.append(f"attributes = {{ {', '.join(extras)} }}")
        lines.append("")
    (HERE / "framework.toml").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
