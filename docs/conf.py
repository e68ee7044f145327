"""Sphinx configuration for the policyeval documentation."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

project = "policyeval"
author = "The policyeval developers"
copyright = "2026, The policyeval developers"

try:
    from policyeval import __version__ as release
except ImportError:  # docs built without the package importable
    release = "0.1.0"
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.mathjax",
]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
nitpicky = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["policyeval.css"]
html_theme_options = {"page_width": "min(1200px, 100%)", "body_max_width": "none"}
suppress_warnings = ["ref.python"]
