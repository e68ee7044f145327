"""A cold start imports only what the command runs: no graph library to evaluate a case, no
schema library for files that fit their schema, no template engine for JSON output.

Each test runs a fresh interpreter and reads its ``sys.modules``; the speed itself is measured
by ``benchmarks/sensitivity.py`` (``serang_cold_s``), not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import policyeval

ROOT = Path(__file__).resolve().parents[1]
SERANG = ROOT / "examples" / "serang_2024"
HEAVY = ("networkx", "jsonschema", "jinja2")
# Smaller imports a JSON evaluation does without: numpy's masked arrays (np.unique loads them),
# the sensitivity draws, a workbook's zip reader and importlib.resources (data files are read
# from the package folder), exact fractions (the consensus of a table's groups sums integers).
LIGHTER = ("numpy.ma", "policyeval._draws", "zipfile", "importlib.resources", "fractions")


def _modules_after(code: str) -> set[str]:
    """The top-level names of the modules a fresh interpreter holds after running ``code``."""
    source = Path(policyeval.__file__).resolve().parents[1]
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    environment = dict(os.environ, PYTHONPATH=str(source))
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    names: list[str] = json.loads(done.stdout.splitlines()[-1])
    return {name.split(".")[0] for name in names} | set(names)


def test_importing_the_package_imports_nothing_else() -> None:
    """``import policyeval`` loads none of its modules until a name is used."""
    modules = _modules_after("import policyeval")
    assert not {name for name in modules if name.startswith("policyeval.")}
    assert "numpy" not in modules and "attrs" not in modules


def test_importing_the_command_line_imports_no_heavy_library() -> None:
    """``import policyeval.cli`` loads neither networkx, jsonschema nor jinja2."""
    modules = _modules_after("import policyeval.cli")
    assert not modules & set(HEAVY)
    assert "policyeval.sensitivity" not in modules


def test_evaluating_the_serang_case_as_json_imports_no_heavy_library() -> None:
    """``policyeval evaluate examples/serang_2024 --format json`` runs on the framework's own
    tables (no networkx), passes its files by the quick schema check (no jsonschema), and
    writes JSON without templates (no jinja2)."""
    code = (
        "import contextlib, io\n"
        "from policyeval.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    assert main(['evaluate', {str(SERANG)!r}, '--format', 'json']) == 0\n"
        "assert out.getvalue().startswith('{')\n"
    )
    modules = _modules_after(code)
    assert "policyeval.case" in modules
    assert not modules & set(HEAVY)
    assert not modules & set(LIGHTER)


def test_a_case_that_does_not_fit_its_schema_is_told_by_jsonschema(tmp_path: Path) -> None:
    """A case file with a typo still gets its located problem: jsonschema is loaded for it."""
    case = tmp_path / "case"
    case.mkdir()
    text = (SERANG / "case.toml").read_text("utf-8").replace("[reported]", "[reportd]", 1)
    (case / "case.toml").write_text(text, encoding="utf-8")
    code = (
        "import contextlib, io\n"
        "from policyeval.cli import main\n"
        "with contextlib.redirect_stderr(io.StringIO()) as err:\n"
        f"    assert main(['evaluate', {str(case)!r}, '--format', 'json']) == 2\n"
        "assert \"unknown key (did you mean 'reported'?)\" in err.getvalue(), err.getvalue()\n"
    )
    assert "jsonschema" in _modules_after(code)
