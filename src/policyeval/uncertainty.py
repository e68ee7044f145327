"""The uncertain inputs of a sensitivity analysis, declared as data.

An :class:`Uncertainty` lists what may vary (see
:mod:`policyeval.sensitivity` for what each field means);
:func:`uncertainty_problems` checks it against a framework, every problem
naming its key; :func:`parse_uncertainty` reads a case's ``[sensitivity]``
section. The engine turns it into one input per design column.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from policyeval import sampling
from policyeval._converters import as_tuple
from policyeval._frozen import FrozenDict
from policyeval.aggregate import edge_order
from policyeval.evidence_io import EvidenceSet
from policyeval.exceptions import Problem
from policyeval.framework import Framework
from policyeval.registry import build_aggregator, build_rule, build_scorer, rules_with
from policyeval.score import scoring_problems

if TYPE_CHECKING:
    from policyeval import _draws

__all__ = ["LEAVE_OUT", "Uncertainty", "parse_uncertainty", "uncertainty_problems"]

LEAVE_OUT = ("evidence", "indicator", "source")


def _frozen(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return FrozenDict(value)


def _frozen_lists(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only mapping whose list values become tuples (immutable all the way down)."""
    return FrozenDict(
        {key: tuple(item) if isinstance(item, list) else item for key, item in value.items()}
    )


@attrs.frozen(kw_only=True)
class Uncertainty:
    """The uncertain inputs of a sensitivity analysis (each field is described in
    :mod:`policyeval.sensitivity` and, as a case file's keys, in the case format reference).

    >>> Uncertainty(weights={"*": 0.25}, aggregators={"root": ("mean", "median")})
    Uncertainty(weights={'*': 0.25}, aggregators={'root': ('mean', 'median')})
    >>> Uncertainty(min_agreement=[0.4, 0.6], leave_out=["source"])
    Uncertainty(min_agreement=(0.4, 0.6), leave_out=('source',))
    >>> Uncertainty(dirichlet={"dimension": 50}, thresholds={"contested_below": [0.4, 0.5]})
    Uncertainty(dirichlet={'dimension': 50}, thresholds={'contested_below': (0.4, 0.5)})
    """

    weights: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen)
    aggregators: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict, converter=_frozen_lists)
    scorers: tuple[Any, ...] = attrs.field(default=(), converter=as_tuple)
    min_agreement: tuple[float, ...] = attrs.field(default=(), converter=as_tuple)
    leave_out: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    dirichlet: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen)
    thresholds: Mapping[str, tuple[float, ...]] = attrs.field(factory=dict, converter=_frozen_lists)
    imputation: tuple[Any, ...] = attrs.field(default=(), converter=as_tuple)
    treatment: tuple[Any, ...] = attrs.field(default=(), converter=as_tuple)

    def __repr__(self) -> str:
        shown = []
        for field in attrs.fields(Uncertainty):
            value = getattr(self, field.name)
            if value:
                shown.append(
                    f"{field.name}={dict(value) if isinstance(value, Mapping) else value!r}"
                )
        return "Uncertainty(" + ", ".join(shown) + ")"

    @property
    def empty(self) -> bool:
        """Whether nothing is declared uncertain."""
        return not any(getattr(self, field.name) for field in attrs.fields(Uncertainty))


def _not_a_kind(level: str, kinds: Sequence[str], file: str | None, key: str) -> Problem:
    listed = ", ".join(map(repr, kinds))
    return Problem(f"not a kind of inner node (kinds: {listed})", file=file, key=key, value=level)


def uncertainty_problems(
    uncertainty: Uncertainty,
    framework: Framework,
    *,
    rules: Any = None,
    has_data: bool = True,
    groups: Sequence[str] | None = None,
    file: str | None = None,
    prefix: str = "sensitivity.",
) -> list[Problem]:
    """Every problem with ``uncertainty`` for ``framework``, each naming its key.

    >>> from policyeval import frameworks
    >>> fw = frameworks.load("agustino")
    >>> [p.message for p in uncertainty_problems(Uncertainty(weights={"pillar": 2}), fw)]
    ["not a kind of inner node (kinds: 'dimension', 'root')", 'must be a number in [0, 1)']
    """
    problems: list[Problem] = []
    kinds = sorted({framework.node(n).kind for n in framework.inner_nodes})
    for level, concentration in uncertainty.dirichlet.items():
        key = f"{prefix}dirichlet.{level}"
        if level != "*" and level not in kinds:
            problems.append(_not_a_kind(level, kinds, file, key))
        if level in uncertainty.weights:
            problems.append(
                Problem(
                    "the weights of a kind vary either within +-x or around a Dirichlet, "
                    f"not both ({prefix}weights.{level} is set too)",
                    file=file,
                    key=key,
                )
            )
        if not (
            isinstance(concentration, int | float)
            and not isinstance(concentration, bool)
            and 0 < concentration < math.inf
        ):
            problems.append(
                Problem("must be a positive number", file=file, key=key, value=concentration)
            )
    for level, spread in uncertainty.weights.items():
        key = f"{prefix}weights.{level}"
        if level != "*" and level not in kinds:
            problems.append(_not_a_kind(level, kinds, file, key))
        if not (
            isinstance(spread, int | float) and not isinstance(spread, bool) and 0 <= spread < 1
        ):
            problems.append(Problem("must be a number in [0, 1)", file=file, key=key, value=spread))
    for level, choices in uncertainty.aggregators.items():
        key = f"{prefix}aggregators.{level}"
        if level != "*" and level not in kinds:
            problems.append(_not_a_kind(level, kinds, file, key))
        problems += _choices(choices, build_aggregator, file, key)
    if uncertainty.scorers:
        key = f"{prefix}scorers"
        if not has_data:
            problems.append(Problem("needs a [data] table to vary scorers", file=file, key=key))
        problems += _choices(uncertainty.scorers, build_scorer, file, key)
        for index, choice in enumerate(uncertainty.scorers):
            try:
                build_scorer(choice)
            except Exception:  # reported by _choices
                continue
            for problem in scoring_problems(framework, choice, file=file, key=None):
                problems.append(attrs.evolve(problem, key=f"{key}[{index}]"))
    for kind in ("imputation", "treatment"):
        choices = getattr(uncertainty, kind)
        if not choices:
            continue
        if not has_data:
            problems.append(
                Problem(f"needs a [data] table to vary {kind}", file=file, key=f"{prefix}{kind}")
            )
        from policyeval._pipeline_choices import choice_problems

        problems += choice_problems(kind, choices, groups=groups, file=file, key=f"{prefix}{kind}")
    problems += _threshold_problems(uncertainty, rules, file, prefix)
    key = f"{prefix}min_agreement"
    for index, value in enumerate(uncertainty.min_agreement):
        if not (isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1):
            problems.append(
                Problem("must be a number in [0, 1]", file=file, key=f"{key}[{index}]", value=value)
            )
            continue
        try:
            _build_rules(rules_with(rules, float(value)))
        except Exception as error:
            problems.append(
                Problem(
                    f"the triangulation rule does not take this threshold: {error}",
                    file=file,
                    key=f"{key}[{index}]",
                    value=value,
                )
            )
    for index, what in enumerate(uncertainty.leave_out):
        if what not in LEAVE_OUT:
            problems.append(
                Problem(
                    f"must be one of {', '.join(map(repr, LEAVE_OUT))}",
                    file=file,
                    key=f"{prefix}leave_out[{index}]",
                    value=what,
                )
            )
    return problems


def _threshold_problems(
    uncertainty: Uncertainty, rules: Any, file: str | None, prefix: str
) -> list[Problem]:
    """Each threshold value alone, then every combination of the declared values, must build."""
    problems: list[Problem] = []
    nominal = rules if rules is not None else "source"
    valid: dict[str, list[float]] = {}
    if uncertainty.min_agreement and "min_agreement" in uncertainty.thresholds:
        problems.append(
            Problem(
                f"declared twice: use {prefix}min_agreement or this, not both",
                file=file,
                key=f"{prefix}thresholds.min_agreement",
            )
        )
    for parameter, values in uncertainty.thresholds.items():
        key = f"{prefix}thresholds.{parameter}"
        if isinstance(values, str | Mapping) or not isinstance(values, Sequence) or not values:
            problems.append(Problem("must be a non-empty list of numbers", file=file, key=key))
            continue
        for index, value in enumerate(values):
            if not (isinstance(value, int | float) and not isinstance(value, bool)):
                problems.append(
                    Problem("must be a number", file=file, key=f"{key}[{index}]", value=value)
                )
                continue
            try:
                _build_rules(rules_with(nominal, float(value), str(parameter)))
            except Exception as error:  # any failure to build is the user's declaration
                problems.append(
                    Problem(
                        f"the triangulation rule does not take this value: {error}",
                        file=file,
                        key=f"{key}[{index}]",
                        value=value,
                    )
                )
                continue
            valid.setdefault(str(parameter), []).append(float(value))
    declared = dict(valid)
    if uncertainty.min_agreement and "min_agreement" not in declared:
        declared["min_agreement"] = [float(v) for v in uncertainty.min_agreement]
    if problems or len(declared) < 2:
        return problems
    names = sorted(declared)
    for values in itertools.product(*(declared[name] for name in names)):
        spec = nominal
        try:
            for name, value in zip(names, values, strict=True):
                spec = rules_with(spec, value, name)
            _build_rules(spec)
        except Exception as error:  # a combination the draws could pick must build
            combination = ", ".join(f"{n}={v!r}" for n, v in zip(names, values, strict=True))
            problems.append(
                Problem(
                    f"the thresholds {combination} do not fit together: {error}",
                    file=file,
                    key=f"{prefix}thresholds",
                )
            )
            break
    return problems


def _build_rules(rules: Any) -> None:
    """Build one rule spec, or each of a mapping of specs by indicator."""
    for spec in rules.values() if isinstance(rules, Mapping) and "name" not in rules else [rules]:
        build_rule(spec)


def _choices(
    choices: Any, build: Callable[[Any], Any], file: str | None, key: str
) -> list[Problem]:
    if isinstance(choices, str | Mapping) or not isinstance(choices, Sequence) or not choices:
        return [Problem("must be a non-empty list of choices", file=file, key=key, value=choices)]
    problems = []
    for index, choice in enumerate(choices):
        try:
            build(choice)
        except Exception as error:  # any failure to build is the user's spec
            problems.append(Problem(str(error), file=file, key=f"{key}[{index}]", value=choice))
    return problems


def _dirichlet_for(uncertainty: Uncertainty, kind: str) -> float | None:
    """The Dirichlet concentration for the weights below a node of ``kind``, if any:
    a kind named in ``dirichlet`` or, unless named in ``weights``, ``"*"``."""
    if kind in uncertainty.dirichlet:
        return float(uncertainty.dirichlet[kind])
    if "*" in uncertainty.dirichlet and kind not in uncertainty.weights:
        return float(uncertainty.dirichlet["*"])
    return None


def _inputs(
    framework: Framework,
    uncertainty: Uncertainty,
    evidence: EvidenceSet,
    numeric: Sequence[str],
    nominal_weights: Sequence[float],
) -> tuple[_draws.Input, ...]:
    from policyeval import _draws  # the draws' machinery, only when a sensitivity analysis runs

    inputs: list[_draws.Input] = []
    order = edge_order(framework)
    nominal = np.asarray(nominal_weights, dtype=np.float64)
    for index, (parent, child) in enumerate(order):
        kind = framework.node(parent).kind
        concentration = _dirichlet_for(uncertainty, kind)
        if concentration is not None:
            under = [i for i, (p, _) in enumerate(order) if p == parent and nominal[i] > 0]
            # A node with one weighted child has nothing to share out.
            if index in under and len(under) > 1:
                share = float(nominal[index] / nominal[under].sum())
                inputs.append(
                    _draws.Input(
                        name=f"weight:{parent}>{child}",
                        kind="dirichlet",
                        shape=float(concentration) * share,
                        edges=(index,),
                        nodes=(parent,),
                    )
                )
            continue
        spread = uncertainty.weights.get(kind, uncertainty.weights.get("*"))
        if spread:
            inputs.append(
                _draws.Input(
                    name=f"weight:{parent}>{child}",
                    kind="weight",
                    low=1.0 - float(spread),
                    high=1.0 + float(spread),
                    edges=(index,),
                )
            )
    explicit = {kind for kind in uncertainty.aggregators if kind != "*"}
    for kind, choices in sorted(uncertainty.aggregators.items()):
        nodes = tuple(
            node
            for node in framework.inner_nodes
            if framework.node(node).kind == kind
            or (kind == "*" and framework.node(node).kind not in explicit)
        )
        if nodes:
            inputs.append(
                _draws.Input(
                    name=f"aggregator:{kind}",
                    kind="aggregator",
                    choices=tuple(choices),
                    nodes=nodes,
                )
            )
    if uncertainty.scorers and numeric:
        inputs.append(_draws.Input(name="scorer", kind="scorer", choices=uncertainty.scorers))
    for kind in ("imputation", "treatment"):
        if getattr(uncertainty, kind) and numeric:
            inputs.append(_draws.Input(name=kind, kind=kind, choices=getattr(uncertainty, kind)))
    for parameter, values in sorted(uncertainty.thresholds.items()):
        inputs.append(
            _draws.Input(
                name=f"threshold:{parameter}",
                kind="threshold",
                parameter=parameter,
                choices=tuple(float(v) for v in values),
            )
        )
    if uncertainty.min_agreement:
        inputs.append(
            _draws.Input(
                name="min_agreement",
                kind="min_agreement",
                choices=tuple(float(v) for v in uncertainty.min_agreement),
            )
        )
    for what in sorted(set(uncertainty.leave_out)):
        if what == "evidence":
            options: tuple[Any, ...] = tuple(item.id for item in evidence.items)
        elif what == "source":
            options = tuple(sorted({item.source for item in evidence.items}))
        else:
            options = framework.indicators
        inputs.append(
            _draws.Input(
                name=f"leave_out:{what}", kind=f"leave_out_{what}", choices=(None, *options)
            )
        )
    return tuple(inputs)


def parse_uncertainty(
    section: Mapping[str, Any],
    *,
    file: str,
    framework: Framework | None,
    rules: Any,
    has_data: bool,
    groups: Sequence[str] | None = None,
) -> tuple[Uncertainty | None, int, str, list[Problem]]:
    """Read a case's ``[sensitivity]`` section: the uncertainty, the draws, the design
    (``"montecarlo"`` or ``"saltelli"``) and the problems."""
    if not isinstance(section, Mapping):
        return None, 1000, "montecarlo", [Problem("must be a table", file=file, key="sensitivity")]
    allowed = {
        "aggregators",
        "design",
        "dirichlet",
        "draws",
        "imputation",
        "leave_out",
        "min_agreement",
        "scorers",
        "thresholds",
        "treatment",
        "weights",
        "why",
    }
    problems = [
        Problem(
            f"unknown key (allowed: {', '.join(sorted(allowed))})",
            file=file,
            key=f"sensitivity.{key}",
        )
        for key in sorted(set(section) - allowed)
    ]
    draws = section.get("draws", 1000)
    if not (isinstance(draws, int) and not isinstance(draws, bool) and draws >= 1):
        problems.append(
            Problem("must be a positive integer", file=file, key="sensitivity.draws", value=draws)
        )
        draws = 1000
    design = section.get("design", "montecarlo")
    if design not in sampling.DESIGNS:
        problems.append(
            Problem(
                f"must be one of {', '.join(map(repr, sampling.DESIGNS))}",
                file=file,
                key="sensitivity.design",
                value=design,
            )
        )
        design = "montecarlo"
    elif design == "saltelli" and draws & (draws - 1):
        problems.append(
            Problem(
                "the Saltelli design needs a power of two base sample "
                f"(try {2 ** math.ceil(math.log2(draws))})",
                file=file,
                key="sensitivity.draws",
                value=draws,
            )
        )
    dirichlet = section.get("dirichlet", {})
    if isinstance(dirichlet, int | float) and not isinstance(dirichlet, bool):
        dirichlet = {"*": dirichlet}
    weights = section.get("weights", {})
    if isinstance(weights, int | float) and not isinstance(weights, bool):
        weights = {"*": weights}
    aggregators = section.get("aggregators", {})
    if isinstance(aggregators, list):
        aggregators = {"*": aggregators}
    shapes = {
        "weights": (weights, Mapping),
        "aggregators": (aggregators, Mapping),
        "scorers": (section.get("scorers", []), list),
        "min_agreement": (section.get("min_agreement", []), list),
        "leave_out": (section.get("leave_out", []), list),
        "dirichlet": (dirichlet, Mapping),
        "thresholds": (section.get("thresholds", {}), Mapping),
        "imputation": (section.get("imputation", []), list),
        "treatment": (section.get("treatment", []), list),
    }
    for key, (value, kind) in shapes.items():
        if not isinstance(value, kind):
            wanted = "a table" if kind is Mapping else "a list"
            problems.append(
                Problem(f"must be {wanted}", file=file, key=f"sensitivity.{key}", value=value)
            )
    if problems or framework is None:
        return None, draws, design, problems
    uncertainty = Uncertainty(
        weights=weights,
        aggregators={
            key: tuple(value) if isinstance(value, list) else value
            for key, value in aggregators.items()
        },
        scorers=shapes["scorers"][0],
        min_agreement=shapes["min_agreement"][0],
        leave_out=shapes["leave_out"][0],
        dirichlet=dirichlet,
        thresholds={
            key: tuple(value) if isinstance(value, list) else value
            for key, value in shapes["thresholds"][0].items()
        },
        imputation=shapes["imputation"][0],
        treatment=shapes["treatment"][0],
    )
    found = uncertainty_problems(
        uncertainty, framework, rules=rules, has_data=has_data, groups=groups, file=file
    )
    # A shorthand (one number, one list) is located at the key the file has.
    shorthand = {
        "sensitivity.weights.*": not isinstance(section.get("weights", {}), Mapping),
        "sensitivity.aggregators.*": isinstance(section.get("aggregators"), list),
        "sensitivity.dirichlet.*": not isinstance(section.get("dirichlet", {}), Mapping),
    }
    for problem in found:
        key = problem.key or ""
        for long, short in shorthand.items():
            if short and key.startswith(long):
                key = "sensitivity." + long.split(".")[1] + key[len(long) :]
        problems.append(attrs.evolve(problem, key=key))
    return uncertainty, draws, design, problems
