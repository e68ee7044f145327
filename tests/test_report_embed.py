"""Reports render any Evaluation, with the case's metadata optional, and take the plug-ins from
the settings the evaluation recorded."""

from __future__ import annotations

import attrs
import pytest

from policyeval import report
from policyeval.exceptions import InvalidArgument
from policyeval.report._examples import two_unit_result
from policyeval.report.model import build_report


def test_every_renderer_takes_a_bare_evaluation() -> None:
    """Text, Markdown and HTML render an evaluation without a case; the framework's title
    stands in for the case's and the units keep their ids."""
    evaluation = two_unit_result().evaluation
    text = report.render_text(evaluation, lang="en")
    assert text.splitlines()[0] == "Mini framework"
    markdown = report.render_markdown(evaluation, lang="en")
    assert markdown.startswith("# Mini framework")
    assert "north" in markdown and "south" in markdown
    html = report.render_html(evaluation, lang="en")
    assert "<title>Mini framework" in html
    assert report.render_html(evaluation, lang="en") == html  # deterministic


def test_a_bare_evaluation_defaults_to_the_framework_language() -> None:
    """Without a case, the report speaks the framework's default language."""
    assert build_report(two_unit_result().evaluation).lang == "en"


def test_the_method_reads_the_recorded_settings() -> None:
    """The method section shows the plug-ins the evaluation recorded, not rebuilt ones."""
    result = two_unit_result()
    settings = dict(result.evaluation.settings)
    settings["confidence"] = "recorded_rule()"
    changed = attrs.evolve(result.evaluation, settings=settings)
    method = {item.title: item.choice for item in build_report(changed, lang="en").method}
    assert "recorded_rule()" in method.values()
    cased = {item.title: item.choice for item in build_report(result, lang="en").method}
    assert set(cased.values()) >= {result.evaluation.settings["confidence"]}


def test_compare_takes_evaluations() -> None:
    """compare() lines up bare evaluations as it does case results."""
    comparison = report.compare([two_unit_result().evaluation])
    assert [unit.key for unit in comparison.ranked()] == ["north", "south"]


def test_anything_else_is_refused() -> None:
    """A report of something that is neither a CaseResult nor an Evaluation is refused."""
    with pytest.raises(InvalidArgument, match="CaseResult or an Evaluation, got dict"):
        build_report({})  # type: ignore[arg-type]
