"""Plug-ins by name: aggregators, triangulation rules, confidence rules and scorers.

Framework and case files name their plug-ins (``aggregator = "median"``,
``rule = { name = "technique", within_source = true }``); the registry
turns a name and parameters into the plug-in by calling its *factory*.
Third-party packages add plug-ins through the entry-point groups
``policyeval.aggregators``, ``policyeval.rules``,
``policyeval.confidence_rules`` and ``policyeval.scorers``, whose entry
points load factories.

>>> aggregator("generalised", p=2)
generalised(p=2.0)
>>> build_aggregator({"name": "median"})
median()
>>> "source" in rule_names()
True
>>> aggregator("avg")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
policyeval.exceptions.UnknownPluginError: unknown aggregator 'avg'; known: bars, copeland, ...

Names round-trip: whatever a report or a ``repr`` shows is accepted back.
A factory's own name is an alias of its short name (``weakest_link`` for
``min``, ``source_triangulation`` for ``source``), and a spec may be written
as the call a ``repr`` shows, keyword arguments as literals:

>>> build_aggregator("weakest_link")
weakest_link()
>>> build_rule("all_of(source_triangulation(min_categories=3), technique_triangulation())")
... # doctest: +ELLIPSIS
all_of(source_triangulation(min_categories=3, ...), technique_triangulation(...))
>>> build_rule(repr(build_rule("time"))) == build_rule("time")
True
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from policyeval.exceptions import InvalidArgument, UnknownPluginError, did_you_mean
from policyeval.framework import AggregatorSpec
from policyeval.protocols import Aggregator, ConfidenceRule, Scorer, TriangulationRule

__all__ = [
    "aggregator",
    "aggregator_names",
    "build_aggregator",
    "build_confidence_rule",
    "build_rule",
    "build_scorer",
    "confidence_rule",
    "confidence_rule_names",
    "describe",
    "register_aggregator",
    "register_confidence_rule",
    "register_rule",
    "register_scorer",
    "rule",
    "rule_names",
    "scorer",
    "scorer_names",
]

Factory = Callable[..., Any]
# Entry points stay unloaded until a plug-in is built from them.
if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    _Source = Factory | EntryPoint


def _builtin_aggregators() -> dict[str, Factory]:
    from policyeval import aggregation

    return {
        "bars": aggregation.bars,
        "copeland": aggregation.copeland,
        "decision_table": aggregation.decision_table,
        "generalised": aggregation.generalised,
        "geometric": aggregation.geometric,
        "harmonic": aggregation.harmonic,
        "majority": aggregation.majority,
        "max": aggregation.strongest,
        "mean": aggregation.mean,
        "median": aggregation.median,
        "min": aggregation.weakest_link,
        "weighted_median": aggregation.weighted_median,
    }


def _composed(combine: Factory) -> Factory:
    def factory(*, rules: Any) -> Any:
        if isinstance(rules, str | Mapping) or not hasattr(rules, "__iter__"):
            raise InvalidArgument(f"rules must be a list of rule specs, got rules={rules!r}")
        return combine(*(build_rule(spec) for spec in rules))

    return factory


def _builtin_rules() -> dict[str, Factory]:
    from policyeval import triangulation

    return {
        "agreement": triangulation.agreement,
        "all_of": _composed(triangulation.all_of),
        "any_of": _composed(triangulation.any_of),
        "cerqual": triangulation.cerqual,
        "coder_agreement": triangulation.coder_agreement,
        "investigator": triangulation.investigator_triangulation,
        "source": triangulation.source_triangulation,
        "technique": triangulation.technique_triangulation,
        "time": triangulation.time_triangulation,
    }


def _builtin_confidence_rules() -> dict[str, Factory]:
    from policyeval import confidence

    return {"weakest": confidence.weakest, "weighted_median": confidence.weighted_median}


# The factory names that reprs show, for the built-ins registered under a shorter name.
_AGGREGATOR_ALIASES = {"weakest_link": "min", "strongest": "max", "generalized": "generalised"}
_RULE_ALIASES = {
    f"{name}_triangulation": name for name in ("source", "technique", "time", "investigator")
}
# all_of(a, b) and any_of(a, b) take their rules positionally in a repr.
_POSITIONAL_RULES = {"all_of", "any_of"}


def _call_spec(text: str, kind: str) -> dict[str, Any]:
    """The ``{"name": ..., **params}`` spec of a call written as a repr shows it."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        tree = None
    if tree is None:
        raise InvalidArgument(
            f"cannot read the {kind} {text!r}: write name or name(key=value, ...)"
        )
    return _call_node(tree, text, kind)


def _call_node(node: ast.expr, text: str, kind: str) -> dict[str, Any]:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise InvalidArgument(f"cannot read the {kind} {text!r}: expected name(key=value, ...)")
    spec: dict[str, Any] = {"name": node.func.id}
    if node.args:
        if node.func.id not in _POSITIONAL_RULES:
            raise InvalidArgument(
                f"cannot read the {kind} {text!r}: {node.func.id}() takes key=value arguments"
            )
        spec["rules"] = [_call_node(arg, text, kind) for arg in node.args]
    for keyword in node.keywords:
        if keyword.arg is None:
            raise InvalidArgument(f"cannot read the {kind} {text!r}: no **arguments")
        if isinstance(keyword.value, ast.Call):
            spec[keyword.arg] = _call_node(keyword.value, text, kind)
            continue
        try:
            spec[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            raise InvalidArgument(
                f"cannot read the {kind} {text!r}: {keyword.arg}= must be a literal value"
            ) from None
    return spec


def _normaliser_factory(name: str) -> Factory:
    from policyeval import normalisation, scorers

    def factory(**params: Any) -> Any:
        return scorers.normalised(name, **params)

    # The registry checks parameters against the normaliser's own signature.
    factory.__signature__ = inspect.signature(normalisation.NORMALISERS[name])  # type: ignore[attr-defined]
    return factory


def _builtin_scorers() -> dict[str, Factory]:
    from policyeval import scorers

    found: dict[str, Factory] = {"bands": scorers.bands, "levels": scorers.levels}
    for name in scorers.normaliser_names():
        found[name] = _normaliser_factory(name)
    return found


class _Registry:
    """Name -> factory for one kind of plug-in, with entry points loaded lazily."""

    def __init__(
        self,
        kind: str,
        group: str,
        builtins: Callable[[], dict[str, Factory]],
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.group = group
        self._builtins = builtins
        self.aliases = dict(aliases or {})
        self._added: dict[str, Factory] = {}
        self._factories: dict[str, _Source] | None = None
        self._builtin_cache: dict[str, Factory] | None = None

    def _builtin_factories(self) -> dict[str, Factory]:
        if self._builtin_cache is None:
            self._builtin_cache = dict(self._builtins())
        return self._builtin_cache

    def _load(self) -> dict[str, _Source]:
        if self._factories is None:
            factories: dict[str, _Source] = dict(self._builtin_factories())
            # Imported here: scanning the installed distributions is needed only for a name
            # that is not built in.
            import importlib.metadata

            for entry_point in importlib.metadata.entry_points(group=self.group):
                factories.setdefault(entry_point.name, entry_point)
            self._factories = factories
        return {**self._factories, **self._added}

    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._load()))

    def register(self, name: str, factory: Factory, *, replace: bool) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidArgument(
                f"a {self.kind} name must be a non-empty string, got name={name!r}"
            )
        if not callable(factory):
            raise InvalidArgument(
                f"the factory for {self.kind} {name!r} must be callable, got {factory!r}"
            )
        if not isinstance(replace, bool):
            raise InvalidArgument(f"replace must be True or False, got replace={replace!r}")
        if name in self._load() and not replace:
            raise InvalidArgument(f"{self.kind} {name!r} is already registered; pass replace=True")
        self._added[name] = factory

    def factory(self, name: str) -> Factory | None:
        """The factory registered as ``name`` (or its alias), loaded; ``None`` if unknown."""
        builtin = self._added.get(name) or self._builtin_factories().get(name)
        if builtin is not None:  # found without scanning the entry points, as in build()
            return builtin
        factories = self._load()
        found = factories.get(name, factories.get(self.aliases.get(name, "")))
        if found is None or callable(found):
            return found
        loaded: Factory = found.load()  # an entry point
        return loaded

    def build(self, name: str, params: Mapping[str, Any]) -> Any:
        # Built-in and added names win over entry points (see _load), so they are found without
        # scanning the installed distributions.
        found = self._added.get(name) or self._builtin_factories().get(name)
        factories = {name: found} if found is not None else self._load()
        if name not in factories and self.aliases.get(name) in factories:
            name = self.aliases[name]
        if name not in factories:
            hint = did_you_mean(name, [*factories, *self.aliases])
            known = ", ".join(sorted(factories))
            raise UnknownPluginError(
                f"unknown {self.kind} {name!r}{hint}; known: {known}",
                message_id="plugin.unknown_" + self.kind.replace(" ", "_"),
                params={"name": repr(name), "hint": hint, "known": known},
            )
        factory = factories[name]
        if not callable(factory):  # an entry point: factories are callable, entry points not
            factory = factory.load()
        try:
            inspect.signature(factory).bind(**params)
        except TypeError as error:
            raise InvalidArgument(
                f"{self.kind} {name!r}: bad parameters {dict(params)!r}: {error}"
            ) from None
        except ValueError:  # a callable without an inspectable signature: the call decides
            pass
        built = factory(**params)
        _remember(built, name, params)
        return built

    def from_spec(self, spec: Any) -> Any:
        if isinstance(spec, AggregatorSpec):
            return self.build(spec.name, spec.params)
        if isinstance(spec, str) and "(" in spec:
            return self.from_spec(_call_spec(spec, self.kind))
        if isinstance(spec, str):
            return self.build(spec, {})
        if isinstance(spec, Mapping):
            params = dict(spec)
            name = params.pop("name", None)
            if not isinstance(name, str):
                raise InvalidArgument(f"a {self.kind} spec needs a 'name', got {dict(spec)!r}")
            return self.build(name, params)
        if callable(spec):
            return spec
        raise InvalidArgument(
            f"a {self.kind} is a name, a mapping with a 'name', or a callable; got {spec!r}"
        )


_ADDRESS = re.compile(r" at 0x[0-9A-Fa-f]+")
# Plug-ins built here whose repr shows a memory address, by id, with a weak reference proving
# the id still belongs to them: they are described by the name and parameters that built them.
_BUILT_AS: dict[int, tuple[weakref.ref[Any], str]] = {}


def _call_text(name: str, params: Mapping[str, Any]) -> str:
    return f"{name}({', '.join(f'{key}={value!r}' for key, value in sorted(params.items()))})"


def _remember(plugin: object, name: str, params: Mapping[str, Any]) -> None:
    if _ADDRESS.search(repr(plugin)) is None:
        return
    try:
        reference = weakref.ref(plugin)
    except TypeError:  # not weakly referable: it will be described by its qualified name
        return
    for key in [key for key, (ref, _) in _BUILT_AS.items() if ref() is None]:
        del _BUILT_AS[key]
    _BUILT_AS[id(plugin)] = (reference, _call_text(name, params))


def _qualified(target: Any) -> str:
    module = getattr(target, "__module__", None) or "?"
    qualname = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module}.{qualname}"


def describe(plugin: object) -> str:
    """How results record a plug-in, the same in every run.

    A plug-in whose ``repr`` is stable (every built-in's is the registry call
    that builds it) is recorded by it; one built from the registry whose
    ``repr`` shows a memory address, by its registry name and parameters;
    any other, by its qualified name, never by a memory address.

    >>> describe(aggregator("generalised", p=2))
    'generalised(p=2.0)'
    >>> def softmin(values, weights):
    ...     return min(values)
    >>> describe(softmin)
    'policyeval.registry.softmin'
    >>> register_aggregator("doc_softmin", lambda: softmin, replace=True)
    >>> describe(aggregator("doc_softmin"))
    'doc_softmin()'
    """
    text = repr(plugin)
    if _ADDRESS.search(text) is None:
        return text
    found = _BUILT_AS.get(id(plugin))
    if found is not None and found[0]() is plugin:
        return found[1]
    if isinstance(plugin, functools.partial):
        parts = [describe(plugin.func), *map(repr, plugin.args)]
        parts += [f"{key}={value!r}" for key, value in sorted(plugin.keywords.items())]
        text = f"functools.partial({', '.join(parts)})"
        if _ADDRESS.search(text) is None:
            return text
        return f"functools.partial({describe(plugin.func)}, ...)"
    if isinstance(plugin, type) or inspect.isroutine(plugin):
        return _qualified(plugin)
    return _qualified(type(plugin))


_AGGREGATORS = _Registry(
    "aggregator", "policyeval.aggregators", _builtin_aggregators, _AGGREGATOR_ALIASES
)
_RULES = _Registry("triangulation rule", "policyeval.rules", _builtin_rules, _RULE_ALIASES)
_CONFIDENCE = _Registry("confidence rule", "policyeval.confidence_rules", _builtin_confidence_rules)
_SCORERS = _Registry("scorer", "policyeval.scorers", _builtin_scorers)


def aggregator(name: str, **params: Any) -> Aggregator:
    """Build the aggregator registered as ``name`` with ``params``.

    >>> aggregator("mean")([4, 2], [1, 1])
    3.0
    """
    built: Aggregator = _AGGREGATORS.build(name, params)
    return built


def rule(name: str, **params: Any) -> TriangulationRule:
    """Build the triangulation rule registered as ``name`` with ``params``.

    >>> rule("technique", within_source=True)  # doctest: +ELLIPSIS
    technique_triangulation(...within_source=True...)
    """
    built: TriangulationRule = _RULES.build(name, params)
    return built


def _rule_factory(name: str) -> Factory | None:
    """The factory of the triangulation rule ``name``, unbuilt (``None`` if unknown)."""
    return _RULES.factory(name)


def confidence_rule(name: str, **params: Any) -> ConfidenceRule:
    """Build the confidence propagation rule registered as ``name``.

    >>> confidence_rule("weakest")
    weakest()
    """
    built: ConfidenceRule = _CONFIDENCE.build(name, params)
    return built


def scorer(name: str, **params: Any) -> Scorer:
    """Build the scorer registered as ``name`` with ``params``.

    >>> scorer("levels")
    levels()
    """
    built: Scorer = _SCORERS.build(name, params)
    return built


def build_aggregator(spec: Any) -> Aggregator:
    """An aggregator from a name, a ``{"name": ..., **params}`` mapping, an
    :class:`~policyeval.framework.AggregatorSpec`, or a callable (returned as is).

    >>> build_aggregator({"name": "generalised", "p": -1})
    harmonic()
    """
    built: Aggregator = _AGGREGATORS.from_spec(spec)
    return built


def build_rule(spec: Any) -> TriangulationRule:
    """A triangulation rule from a name, a mapping with a ``name``, or a callable.

    >>> build_rule({"name": "all_of", "rules": ["source", "technique"]})  # doctest: +ELLIPSIS
    all_of(source_triangulation(...), technique_triangulation(...))
    """
    built: TriangulationRule = _RULES.from_spec(spec)
    return built


def build_confidence_rule(spec: Any) -> ConfidenceRule:
    """A confidence rule from a name, a mapping with a ``name``, or a callable.

    >>> build_confidence_rule("weighted_median")
    weighted_median()
    """
    built: ConfidenceRule = _CONFIDENCE.from_spec(spec)
    return built


def build_scorer(spec: Any) -> Scorer:
    """A scorer from a name, a mapping with a ``name``, or a callable (returned as is).

    >>> build_scorer({"name": "bands"})
    bands()
    """
    built: Scorer = _SCORERS.from_spec(spec)
    return built


def register_aggregator(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make ``factory(**params)`` available as the aggregator ``name``.

    >>> register_aggregator("doc_first", lambda: (lambda values, weights: values[0]), replace=True)
    >>> aggregator("doc_first")([3, 1], [1, 1])
    3
    """
    _AGGREGATORS.register(name, factory, replace=replace)


def register_rule(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make ``factory(**params)`` available as the triangulation rule ``name``."""
    _RULES.register(name, factory, replace=replace)


def register_confidence_rule(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make ``factory(**params)`` available as the confidence rule ``name``."""
    _CONFIDENCE.register(name, factory, replace=replace)


def register_scorer(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make ``factory(**params)`` available as the scorer ``name``."""
    _SCORERS.register(name, factory, replace=replace)


def aggregator_names() -> tuple[str, ...]:
    """Every registered aggregator name, sorted (built-ins, entry points, added)."""
    return _AGGREGATORS.names()


def rule_names() -> tuple[str, ...]:
    """Every registered triangulation rule name, sorted."""
    return _RULES.names()


def confidence_rule_names() -> tuple[str, ...]:
    """Every registered confidence rule name, sorted."""
    return _CONFIDENCE.names()


def scorer_names() -> tuple[str, ...]:
    """Every registered scorer name, sorted (``levels``, ``bands``, the normalisers ...)."""
    return _SCORERS.names()


def with_threshold(spec: Any, value: float, parameter: str = "min_agreement") -> Any:
    """A rule spec with ``parameter`` set to ``value`` on it, and on each rule it combines or
    wraps whose factory takes that parameter.

    Raises :class:`TypeError` when no rule in the spec takes the parameter.
    (What a sensitivity analysis draws for a threshold it varies.)

    >>> with_threshold({"name": "all_of", "rules": ["source", "agreement"]}, 0.6)
    {'name': 'all_of', 'rules': [{'name': 'source', 'min_agreement': 0.6}, 'agreement']}
    """
    changed = _with_parameter(spec, parameter, value)
    if changed is None:
        raise TypeError(f"no rule in {spec!r} takes the parameter {parameter!r}")
    return changed


def _with_parameter(spec: Any, parameter: str, value: float) -> Any:
    if isinstance(spec, str):
        # A rule written as its repr ("all_of(source_triangulation(...), ...)") is read first.
        spec = _call_spec(spec, "triangulation rule") if "(" in spec else {"name": spec}
    if not isinstance(spec, Mapping):
        raise TypeError(f"cannot set {parameter} on the rule object {spec!r}")
    result: dict[str, Any] = dict(spec)
    found = False
    if "rules" in spec and not isinstance(spec["rules"], str | Mapping):
        parts = [_with_parameter(rule, parameter, value) for rule in spec["rules"]]
        found = any(part is not None for part in parts)
        result["rules"] = [
            rule if part is None else part for rule, part in zip(spec["rules"], parts, strict=True)
        ]
    if "base" in spec:
        base = _with_parameter(spec["base"], parameter, value)
        if base is not None:
            result["base"], found = base, True
    if parameter in _parameters(spec.get("name")):
        result[parameter], found = value, True
    return result if found else None


def _parameters(name: Any) -> frozenset[str]:
    """The keyword parameters of the registered rule factory ``name`` (none if unknown)."""
    factory = _rule_factory(str(name))
    if factory is None:  # an unknown name is reported when the rule is built
        return frozenset()
    try:
        return frozenset(inspect.signature(factory).parameters)
    except (TypeError, ValueError):
        return frozenset()


def rules_with(rules: Any, value: float, parameter: str = "min_agreement") -> Any:
    """The nominal rules (one spec, or specs by indicator) with ``parameter`` set to ``value``.

    >>> rules_with({"*": "agreement", "kompetensi": "source"}, 0.4, "contested_below")
    {'*': {'name': 'agreement', 'contested_below': 0.4}, 'kompetensi': 'source'}
    """
    if rules is None:
        return with_threshold("source", value, parameter)
    if isinstance(rules, Mapping) and "name" not in rules:
        # Rules by indicator: set on each rule that takes the parameter; at least one must.
        changed = {key: _with_parameter(spec, parameter, value) for key, spec in rules.items()}
        if all(spec is None for spec in changed.values()):
            raise TypeError(f"no rule in {dict(rules)!r} takes the parameter {parameter!r}")
        return {key: rules[key] if spec is None else spec for key, spec in changed.items()}
    return with_threshold(rules, value, parameter)
