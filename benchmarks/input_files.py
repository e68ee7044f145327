"""Large input files: locating an error in a framework file, and checking it against its schema.

Run ``python benchmarks/input_files.py`` (``--nodes N``, default 304,396 nodes: a 47 MiB TOML
framework file). The file is written once, with a misspelt key in its last node; then each step
is timed (CPU seconds): finding the line of that key with the locator told the key in advance and
with a full scan, checking the parsed file against the JSON Schema, and the whole of
``check_framework_file`` (read, parse, schema, locate). Targets, on an idle machine: locating
under 2 s and linear in the file's size (twice the nodes, about twice the time); the whole check
of a 47 MiB file under a minute.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policyeval.framework_io import MAX_FRAMEWORK_BYTES, check_framework_file, key_locator
from policyeval.schemas import schema_problems


def framework_text(nodes: int) -> str:
    """A framework file of one root and ``nodes`` indicators; the last says ``wieght``."""
    parts = [
        'schema = "policyeval.framework/1"\n\n[framework]\nid = "big"\ndefault_scale = "s"\n\n'
        '[[scales]]\nid = "s"\nkind = "numeric"\nminimum = 0\nmaximum = 1\n\n'
        '[[nodes]]\nid = "root"\nkind = "root"\nlabel = { en = "Root" }\n'
    ]
    for index in range(nodes):
        weight = "wieght" if index == nodes - 1 else "weight"
        parts.append(
            f'\n[[nodes]]\nid = "n{index}"\nkind = "indicator"\n'
            f'label = {{ en = "Indicator number {index}", id = "Indikator nomor {index}" }}\n'
            f'parent = "root"\n{weight} = 1\n'
        )
    return "".join(parts)


def timed(step: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    result = step()
    return result, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=304_396)
    nodes = parser.parse_args().nodes
    text = framework_text(nodes)
    key = f"nodes[{nodes}].wieght"
    print(f"{nodes} nodes, {len(text) / 2**20:.1f} MiB")
    line, seconds = timed(lambda: key_locator(text, keys=[key])(key))
    print(f"locate one announced key      {seconds:7.2f} s  (line {line})")
    line, seconds = timed(lambda: key_locator(text)(key))
    print(f"locate after a full scan      {seconds:7.2f} s  (line {line})")
    data, seconds = timed(lambda: tomllib.loads(text))
    print(f"parse (tomllib)               {seconds:7.2f} s")
    problems, seconds = timed(lambda: schema_problems(data, "framework", file="big.toml"))
    print(f"schema check (jsonschema)     {seconds:7.2f} s  ({len(problems)} problem)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.toml"
        path.write_text(text, encoding="utf-8")
        problems, seconds = timed(
            lambda: check_framework_file(path, max_bytes=max(MAX_FRAMEWORK_BYTES, len(text) * 2))
        )
    print(f"check_framework_file          {seconds:7.2f} s  ({problems[0]})")


if __name__ == "__main__":
    main()
