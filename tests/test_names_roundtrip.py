"""Names round-trip: every name a report or repr shows is accepted back in files."""

from __future__ import annotations

from pathlib import Path

import pytest

from policyeval import evaluate_case
from policyeval.exceptions import InvalidArgument, UnknownPluginError
from policyeval.registry import (
    aggregator_names,
    build_aggregator,
    build_confidence_rule,
    build_rule,
    confidence_rule_names,
    rule_names,
)

NEEDS_PARAMETERS = {
    "bars": {"rules": [{"at_or_below": 2, "cap": 2}]},
    "decision_table": {"rules": [{"when": [1, "*"], "then": 1}], "default": 2},
    "generalised": {"p": 2},
    "all_of": {"rules": ["source", "technique"]},
    "any_of": {"rules": ["time", {"name": "investigator", "min_investigators": 3}]},
}

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"


def _spec(name: str) -> object:
    return {"name": name, **NEEDS_PARAMETERS[name]} if name in NEEDS_PARAMETERS else name


@pytest.mark.parametrize(
    ("build", "name"),
    [(build_aggregator, name) for name in aggregator_names()]
    + [(build_rule, name) for name in rule_names()]
    + [(build_confidence_rule, name) for name in confidence_rule_names()],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_every_built_in_repr_builds_the_same_plug_in(build: object, name: str) -> None:
    """repr(plug-in), written in a file, builds a plug-in with the same repr."""
    assert callable(build)
    built = build(_spec(name))
    assert repr(build(repr(built))) == repr(built)


@pytest.mark.parametrize(
    ("alias", "name"),
    [("weakest_link", "min"), ("strongest", "max"), ("generalized", "generalised")],
)
def test_aggregator_factory_names_are_aliases(alias: str, name: str) -> None:
    """`aggregator = "weakest_link"` is the same as `"min"`."""
    spec = {"name": alias, "p": 2} if name == "generalised" else alias
    expected = {"name": name, "p": 2} if name == "generalised" else name
    assert repr(build_aggregator(spec)) == repr(build_aggregator(expected))


def test_rule_factory_names_are_aliases() -> None:
    """`rule = "source_triangulation"` is the same as `"source"`, with parameters too."""
    assert repr(build_rule("source_triangulation")) == repr(build_rule("source"))
    assert repr(build_rule({"name": "technique_triangulation", "within_source": True})) == repr(
        build_rule({"name": "technique", "within_source": True})
    )


def test_the_rule_a_report_shows_is_accepted_in_case_toml(tmp_path: Path) -> None:
    """The Serang case with its rule and aggregator written as the report shows them runs alike."""
    original = evaluate_case(EXAMPLE)
    shown_rule = original.evaluation.settings["rules"]["kompetensi"]
    shown_aggregator = original.evaluation.judgement("kota-serang", "program").aggregator
    assert isinstance(shown_rule, str) and isinstance(shown_aggregator, str)
    copy = tmp_path / "serang"
    for path in EXAMPLE.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(EXAMPLE)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    text = (copy / "case.toml").read_text(encoding="utf-8")
    text = text.replace(
        'rule = { name = "all_of", rules = ["source", "technique"] }', f"rule = {shown_rule!r}"
    )
    text = text.replace('default = "mean"', f"default = {shown_aggregator!r}")
    text = text.replace('aggregator = "min"', 'aggregator = "weakest_link"')
    (copy / "case.toml").write_text(text, encoding="utf-8")
    again = evaluate_case(copy)
    assert again.evaluation.judgements == original.evaluation.judgements


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("mean(", "cannot read the aggregator 'mean('"),
        ("mean(1)", "mean() takes key=value arguments"),
        ("mean(p=x)", "p= must be a literal value"),
        ("mean()()", "expected name(key=value, ...)"),
    ],
)
def test_unreadable_calls_are_refused_with_the_reason(spec: str, message: str) -> None:
    """A spec written as a call that is not a plain call of literals says what is wrong."""
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_aggregator(spec)


def test_an_unknown_name_suggests_the_closest_name_or_alias() -> None:
    """'weakest_lnk' suggests 'weakest_link'; 'sourse' suggests 'source'."""
    with pytest.raises(UnknownPluginError, match="did you mean 'weakest_link'"):
        build_aggregator("weakest_lnk")
    with pytest.raises(UnknownPluginError, match="did you mean 'source'"):
        build_rule("sourse")
