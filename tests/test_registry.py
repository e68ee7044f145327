"""The plug-in registry: names, specs, entry points and errors."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest

from policyeval import registry
from policyeval.exceptions import InvalidArgument, UnknownPluginError
from policyeval.framework import AggregatorSpec


def test_builtin_names() -> None:
    """Every built-in is registered under its documented name."""
    assert registry.aggregator_names() == (
        "bars", "copeland", "decision_table", "generalised", "geometric", "harmonic",
        "majority", "max", "mean", "median", "min", "weighted_median",
    )  # fmt: skip
    assert registry.rule_names() == (
        "agreement", "all_of", "any_of", "cerqual", "coder_agreement", "investigator", "source",
        "technique", "time",
    )  # fmt: skip
    assert registry.confidence_rule_names() == ("weakest", "weighted_median")


@pytest.mark.parametrize(
    "spec",
    ["median", {"name": "median"}, AggregatorSpec("median")],
    ids=["name", "mapping", "spec"],
)
def test_specs_build_the_same_aggregator(spec: Any) -> None:
    """A name, a mapping with a name, and an AggregatorSpec all build the aggregator."""
    assert repr(registry.build_aggregator(spec)) == "median()"


def test_a_callable_spec_is_returned_as_is() -> None:
    """Plain functions need no registration."""

    def first(values: Any, weights: Any) -> float:
        return float(values[0])

    assert registry.build_aggregator(first) is first


def test_parameters_reach_the_factory() -> None:
    """Parameters in a spec become factory arguments."""
    assert repr(registry.build_aggregator({"name": "generalised", "p": 3})) == "generalised(p=3.0)"
    composed = registry.build_rule({"name": "any_of", "rules": ["time", {"name": "investigator"}]})
    assert repr(composed).startswith("any_of(time_triangulation(")


def test_unknown_names_list_the_known_ones() -> None:
    """An unknown name is a LookupError listing what is known."""
    with pytest.raises(UnknownPluginError, match="known: bars, copeland, decision_table"):
        registry.aggregator("avg")
    with pytest.raises(LookupError, match="unknown triangulation rule 'sorce'"):
        registry.rule("sorce")


def test_bad_parameters_name_the_plugin() -> None:
    """A parameter the factory does not take is an InvalidArgument naming the plug-in."""
    with pytest.raises(InvalidArgument, match="aggregator 'mean': bad parameters"):
        registry.aggregator("mean", p=2)
    with pytest.raises(InvalidArgument, match="needs a 'name'"):
        registry.build_aggregator({"p": 2})


def test_register_and_replace() -> None:
    """Registering a taken name needs replace=True."""
    registry.register_aggregator("test_first", lambda: lambda v, w: v[0], replace=True)
    assert registry.aggregator("test_first")([7, 1], [1, 1]) == 7
    with pytest.raises(InvalidArgument, match="already registered"):
        registry.register_aggregator("mean", lambda: None)


def test_entry_point_plugins_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """Third-party factories published under the entry-point group are available by name."""
    point = importlib.metadata.EntryPoint(
        name="ep_first", value="policyeval.aggregation:strongest", group="policyeval.aggregators"
    )

    def entry_points(*, group: str) -> list[importlib.metadata.EntryPoint]:
        return [point] if group == "policyeval.aggregators" else []

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    fresh = registry._Registry(
        "aggregator", "policyeval.aggregators", registry._builtin_aggregators
    )
    assert "ep_first" in fresh.names()
    assert repr(fresh.build("ep_first", {})) == "strongest()"


def test_a_builtin_name_is_built_without_scanning_entry_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Built-in names win over entry points, so building one never reads the installed
    distributions (which a cold start would pay for); an unknown name still does."""

    def entry_points(*, group: str) -> list[importlib.metadata.EntryPoint]:
        raise AssertionError(f"entry points of {group!r} were scanned")

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    fresh = registry._Registry(
        "aggregator", "policyeval.aggregators", registry._builtin_aggregators
    )
    assert repr(fresh.build("mean", {})) == "mean()"
    with pytest.raises(AssertionError, match="scanned"):
        fresh.build("not_built_in", {})


def test_an_error_inside_a_factory_is_not_mistaken_for_bad_parameters() -> None:
    """Only parameters the factory's signature refuses are reported as bad parameters."""

    def broken(*, size: int = 1) -> Any:
        raise TypeError("a bug inside the factory")

    registry.register_aggregator("test_broken", broken, replace=True)
    with pytest.raises(TypeError, match="a bug inside the factory"):
        registry.aggregator("test_broken", size=2)
    with pytest.raises(InvalidArgument, match="bad parameters"):
        registry.aggregator("test_broken", colour="red")


def test_every_builtin_repr_names_a_registered_aggregator() -> None:
    """What a built-in's repr shows (its factory name) builds it again, so recorded settings
    round-trip: weakest_link() and strongest() are names as well as min and max."""
    params: dict[str, dict[str, Any]] = {
        "generalised": {"p": 2},
        "bars": {"rules": [{"at_or_below": 2, "cap": 3}]},
        "decision_table": {"rules": [{"when": ["*"], "then": 1}]},
    }
    builtins = {
        "bars", "copeland", "decision_table", "generalised", "geometric", "harmonic",
        "majority", "max", "mean", "median", "min", "strongest", "weakest_link",
        "weighted_median",
    }  # fmt: skip
    for name in builtins:
        shown = repr(registry.aggregator(name, **params.get(name, {})))
        if shown.endswith("()"):
            assert repr(registry.build_aggregator(shown[:-2])) == shown
    assert repr(registry.build_aggregator("weakest_link")) == "weakest_link()"
    assert repr(registry.build_aggregator("strongest")) == "strongest()"


def test_replace_must_be_a_bool() -> None:
    """register_* refuse a replace flag that is not True or False."""
    with pytest.raises(InvalidArgument, match="replace='yes'"):
        registry.register_aggregator("doc_x", lambda: max, replace="yes")  # type: ignore[arg-type]


def test_composed_rules_take_a_list_of_rule_specs() -> None:
    """all_of and any_of refuse a single name where a list of rules is expected."""
    with pytest.raises(
        InvalidArgument, match="rules must be a list of rule specs, got rules='source'"
    ):
        registry.rule("all_of", rules="source")
    both = registry.build_rule({"name": "all_of", "rules": ["source", "technique"]})
    assert repr(both) == repr(registry.build_rule("all_of(source(), technique())"))
    assert repr(both).startswith("all_of(source_triangulation(")


def test_a_call_spec_with_double_star_arguments_is_refused() -> None:
    """Call-style specs take key=value arguments only; **mapping is refused naming the text."""
    with pytest.raises(
        InvalidArgument, match=r"cannot read the .* 'source\(\*\*extra\)': no \*\*arguments"
    ):
        registry.build_rule("source(**extra)")


@pytest.mark.parametrize(
    ("name", "factory", "message"),
    [
        ("", lambda: None, "a aggregator name must be a non-empty string, got name=''"),
        (3, lambda: None, "non-empty string, got name=3"),
        (
            "test_not_callable",
            "mean",
            "the factory for aggregator 'test_not_callable' must be callable",
        ),
    ],
)
def test_registering_needs_a_name_and_a_callable_factory(
    name: Any, factory: Any, message: str
) -> None:
    """register_* refuses an empty or non-string name and a factory that cannot be called."""
    with pytest.raises(InvalidArgument, match=message):
        registry.register_aggregator(name, factory)


def test_a_spec_of_another_type_is_refused_saying_what_a_spec_is() -> None:
    """A spec that is not a name, a mapping or a callable is refused with the three forms."""
    with pytest.raises(
        InvalidArgument,
        match="a aggregator is a name, a mapping with a 'name', or a callable; got 5",
    ):
        registry.build_aggregator(5)


@pytest.fixture
def scratch_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plug-ins registered by a test are forgotten after it, so no other test sees them."""
    for kind in (registry._AGGREGATORS, registry._RULES, registry._CONFIDENCE, registry._SCORERS):
        monkeypatch.setattr(kind, "_added", dict(kind._added))


@pytest.mark.usefixtures("scratch_registries")
def test_rules_confidence_rules_and_scorers_can_be_registered_by_name() -> None:
    """Each kind of plug-in has its register function; the name then builds it."""
    rule_factory = registry._RULES.build("source", {}).__class__
    registry.register_rule("test_source_again", lambda: registry.rule("source"), replace=True)
    assert isinstance(registry.rule("test_source_again"), rule_factory)
    assert "test_source_again" in registry.rule_names()
    registry.register_confidence_rule(
        "test_weakest_again", lambda: registry.confidence_rule("weakest"), replace=True
    )
    assert "test_weakest_again" in registry.confidence_rule_names()
    assert repr(registry.confidence_rule("test_weakest_again")) == repr(
        registry.confidence_rule("weakest")
    )
    registry.register_scorer("test_levels_again", lambda: registry.scorer("levels"), replace=True)
    assert repr(registry.scorer("test_levels_again")) == "levels()"


def _smallest(values: Any, weights: Any) -> Any:
    return min(values)


@pytest.mark.usefixtures("scratch_registries")
def test_describe_never_records_a_memory_address() -> None:
    """A partial over an object printed with its address, and a plug-in that cannot be weakly
    referenced, are described by qualified names."""
    import functools

    marker = object()
    assert registry.describe(functools.partial(_smallest, marker)) == (
        "functools.partial(test_registry._smallest, ...)"
    )
    assert registry.describe(functools.partial(_smallest, weights=2)) == (
        "functools.partial(test_registry._smallest, weights=2)"
    )
    registry.register_aggregator("test_listed", lambda: [_smallest], replace=True)
    built = registry.aggregator("test_listed")
    assert " at 0x" in repr(built)
    assert registry.describe(built) == "builtins.list"


def test_registrations_in_a_scratch_registry_do_not_outlive_the_test() -> None:
    """The names registered under scratch_registries are gone afterwards."""
    assert "test_levels_again" not in registry.scorer_names()
    assert "test_listed" not in registry.aggregator_names()
