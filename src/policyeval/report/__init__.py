"""Reports people read: terminal text, Markdown for GitHub, and self-contained HTML.

Every renderer starts from the same report model (:func:`build_report`),
assembled once from a :class:`~policyeval.case.CaseResult`, and writes it in
Indonesian or English (default: the case's language). :func:`compare` lines
units up side by side with ranks; :func:`render_explanation` draws
an evaluation's explanation tree down to the evidence rows.

>>> from policyeval.report._examples import two_unit_result
>>> result = two_unit_result()
>>> render_html(result) == render_html(result)
True
>>> print(render_comparison_text(compare([result])).splitlines()[-5])
Overall: Programme  Good 3.00 (#1)           Fair 2.33 (#2)
"""

from policyeval.report.compare import ComparedUnit, Comparison, compare, competition_ranks
from policyeval.report.explain import render_explanation, render_tree
from policyeval.report.html import render_html, write_html
from policyeval.report.markdown import render_comparison_markdown, render_markdown
from policyeval.report.model import Report, build_report
from policyeval.report.text import render_comparison_text, render_text

__all__ = [
    "ComparedUnit",
    "Comparison",
    "Report",
    "build_report",
    "compare",
    "competition_ranks",
    "render_comparison_markdown",
    "render_comparison_text",
    "render_explanation",
    "render_html",
    "render_markdown",
    "render_text",
    "render_tree",
    "write_html",
]
