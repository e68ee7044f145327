"""Sensitivity and uncertainty analysis: how often does each verdict hold?

:func:`sensitivity` evaluates a framework many times, each time (a *draw*)
with the uncertain inputs of an :class:`Uncertainty` sampled at random
(uniform Monte Carlo):

- ``weights``: each edge weight below a node of a given kind (or ``"*"``,
  every kind) is multiplied by a number drawn uniformly from
  ``[1 - x, 1 + x]``;
- ``aggregators``: the nodes of a kind (or ``"*"``) use one aggregator drawn
  from a set;
- ``scorers``: the indicators with numbers in the data use one scorer
  (normaliser) drawn from a set;
- ``min_agreement``: the triangulation rule's agreement threshold, drawn from
  a set of values (for combined rules, set on every rule combined);
- ``leave_out``: ``"evidence"`` drops one evidence item, ``"source"`` every
  item of one source, ``"indicator"`` gives one indicator weight 0 on every
  edge into it; each draw picks one of them, or none.

Every draw is exactly :func:`policyeval.evaluate` with that draw's settings;
draws sharing a triangulation or a score table reuse it, and weight draws are
aggregated together with the aggregators' array forms.

Draws are cut into chunks of ``chunk_size``; chunk ``i`` samples from
``numpy.random.SeedSequence(seed, spawn_key=(i,))`` (the ``i``-th child of
``SeedSequence(seed).spawn``), so the same seed gives the same draws, and
byte-identical JSON, whatever executor runs the chunks.

>>> from policyeval import frameworks
>>> from policyeval.evidence import Evidence
>>> fw = frameworks.load("agustino")
>>> items = [
...     Evidence(id=f"E{i}", unit="u", indicator=node, rating=rating, source=f"s{i}",
...              source_category="asn", technique="interview")
...     for i, (node, rating) in enumerate(
...         [("kompetensi", "baik"), ("kompetensi", "cukup_baik"), ("komunikasi_publik", "baik")]
...     )
... ]
>>> result = sensitivity(
...     fw, items, uncertainty=Uncertainty(leave_out=("evidence",)), draws=40, seed=1,
...     min_share=0,
... )
>>> result.nominal_level("u", "kompetensi")
'cukup_baik'
>>> shares = result.level_shares("u", "kompetensi")
>>> sorted(shares) == ["baik", "cukup_baik"] and round(sum(shares.values()), 9)
1.0
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval import _draws
from policyeval.aggregate import DEFAULT_MIN_SHARE, AggregatorLike, WeightsLike, edge_order
from policyeval.evidence import Evidence
from policyeval.evidence_io import EvidenceSet
from policyeval.exceptions import InvalidArgument, Problem
from policyeval.framework import Framework
from policyeval.registry import build_aggregator, build_rule, build_scorer
from policyeval.results import dumps
from policyeval.score import NumericData, ScorerSpec, scoring_problems
from policyeval.triangulate import RuleSpec

if TYPE_CHECKING:
    from policyeval.case import Case

__all__ = [
    "LEAVE_OUT",
    "Sensitivity",
    "Uncertainty",
    "correlation_ratio",
    "sensitivity",
    "sensitivity_case",
    "uncertainty_problems",
]

FloatArray = npt.NDArray[np.float64]
LEAVE_OUT = ("evidence", "indicator", "source")
DEFAULT_CHUNK_SIZE = 250
BINS = 10


def _frozen(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return types.MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Uncertainty:
    """The uncertain inputs of a sensitivity analysis (see the module docstring).

    >>> Uncertainty(weights={"*": 0.25}, aggregators={"root": ("mean", "median")})
    Uncertainty(weights={'*': 0.25}, aggregators={'root': ('mean', 'median')})
    >>> Uncertainty(min_agreement=[0.4, 0.6], leave_out=["source"])
    Uncertainty(min_agreement=(0.4, 0.6), leave_out=('source',))
    """

    weights: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen)
    aggregators: Mapping[str, tuple[Any, ...]] = attrs.field(factory=dict, converter=_frozen)
    scorers: tuple[Any, ...] = attrs.field(default=(), converter=tuple)
    min_agreement: tuple[float, ...] = attrs.field(default=(), converter=tuple)
    leave_out: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def __repr__(self) -> str:
        shown = []
        for name in ("weights", "aggregators", "scorers", "min_agreement", "leave_out"):
            value = getattr(self, name)
            if value:
                shown.append(
                    f"{name}={dict(value) if name in ('weights', 'aggregators') else value!r}"
                )
        return "Uncertainty(" + ", ".join(shown) + ")"

    @property
    def empty(self) -> bool:
        """Whether nothing is declared uncertain."""
        return not (
            self.weights or self.aggregators or self.scorers or self.min_agreement or self.leave_out
        )


def uncertainty_problems(
    uncertainty: Uncertainty,
    framework: Framework,
    *,
    rules: Any = None,
    has_data: bool = True,
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
    for level, spread in uncertainty.weights.items():
        key = f"{prefix}weights.{level}"
        if level != "*" and level not in kinds:
            problems.append(
                Problem(
                    f"not a kind of inner node (kinds: {', '.join(map(repr, kinds))})",
                    file=file,
                    key=key,
                    value=level,
                )
            )
        if not (
            isinstance(spread, int | float) and not isinstance(spread, bool) and 0 <= spread < 1
        ):
            problems.append(Problem("must be a number in [0, 1)", file=file, key=key, value=spread))
    for level, choices in uncertainty.aggregators.items():
        key = f"{prefix}aggregators.{level}"
        if level != "*" and level not in kinds:
            problems.append(
                Problem(
                    f"not a kind of inner node (kinds: {', '.join(map(repr, kinds))})",
                    file=file,
                    key=key,
                    value=level,
                )
            )
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
    key = f"{prefix}min_agreement"
    for index, value in enumerate(uncertainty.min_agreement):
        if not (isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1):
            problems.append(
                Problem("must be a number in [0, 1]", file=file, key=f"{key}[{index}]", value=value)
            )
            continue
        try:
            build_rule(_draws.with_threshold(rules if rules is not None else "source", value))
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


def _inputs(
    framework: Framework,
    uncertainty: Uncertainty,
    evidence: EvidenceSet,
    numeric: Sequence[str],
) -> tuple[_draws.Input, ...]:
    inputs: list[_draws.Input] = []
    order = edge_order(framework)
    for index, (parent, child) in enumerate(order):
        kind = framework.node(parent).kind
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


def _read_only(value: Any) -> Any:
    # The arrays are built for this result alone, so no copy is needed to freeze them.
    array = np.asarray(value)
    array.flags.writeable = False
    return array


@attrs.frozen(kw_only=True, eq=False)
class Sensitivity:
    """The draws of a sensitivity analysis and their summaries.

    ``scores``, ``levels`` (codes into :func:`level_names`, ``-1`` = none)
    and ``ranks`` are draws x units x nodes arrays; ``design`` is draws x
    inputs (weight multipliers, or choice indices). ``nominal_*`` hold the
    verdicts under the nominal settings.
    """

    framework: Framework
    units: tuple[str, ...]
    inputs: tuple[_draws.Input, ...]
    seed: int
    chunk_size: int
    design: FloatArray = attrs.field(converter=_read_only)
    scores: FloatArray = attrs.field(converter=_read_only)
    levels: npt.NDArray[np.int64] = attrs.field(converter=_read_only)
    ranks: FloatArray = attrs.field(converter=_read_only)
    nominal_scores: FloatArray = attrs.field(converter=_read_only)
    nominal_levels: npt.NDArray[np.int64] = attrs.field(converter=_read_only)
    nominal_ranks: FloatArray = attrs.field(converter=_read_only)

    @property
    def draws(self) -> int:
        """The number of draws."""
        return int(self.scores.shape[0])

    def _at(self, unit: str, node: str) -> tuple[int, int]:
        try:
            return self.units.index(unit), self.framework.node_ids.index(node)
        except ValueError:
            raise KeyError(f"no results for unit={unit!r}, node={node!r}") from None

    def nominal_level(self, unit: str, node: str) -> str | None:
        """The level under the nominal settings (``None`` when undefined or unbanded)."""
        row, column = self._at(unit, node)
        code = int(self.nominal_levels[row, column])
        return None if code < 0 else _draws.level_names(self.framework, node)[code]

    def level_shares(self, unit: str, node: str) -> dict[str, float]:
        """The share of draws giving each level (levels never reached are left out;
        ``None`` stands for draws with no level)."""
        row, column = self._at(unit, node)
        names = _draws.level_names(self.framework, node)
        codes = self.levels[:, row, column]
        found = np.bincount(codes + 1, minlength=len(names) + 1) / max(self.draws, 1)
        shares: dict[Any, float] = {
            name: float(found[index + 1]) for index, name in enumerate(names) if found[index + 1]
        }
        if found[0]:
            shares["none"] = float(found[0])
        return shares

    def index(self, unit: str, node: str, name: str) -> float | None:
        """The first-order sensitivity index of input ``name`` for the node's score
        (see :func:`correlation_ratio`)."""
        row, column = self._at(unit, node)
        for position, item in enumerate(self.inputs):
            if item.name == name:
                return correlation_ratio(
                    self.design[:, position],
                    self.scores[:, row, column],
                    bins=BINS if item.continuous else None,
                )
        raise KeyError(f"no input named {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document: the inputs, and per unit and node the level
        shares, the nominal verdict's share, the score and rank medians with
        their 5-95 % intervals, and each input's sensitivity index."""
        units: dict[str, Any] = {}
        for row, unit in enumerate(self.units):
            nodes: dict[str, Any] = {}
            for column, node in enumerate(self.framework.node_ids):
                nominal = self.nominal_level(unit, node)
                shares = self.level_shares(unit, node)
                entry: dict[str, Any] = {
                    "nominal": nominal,
                    "nominal_share": _round(shares.get(nominal or "none", 0.0)),
                    "levels": {key: _round(value) for key, value in shares.items()},
                    "score": _summary(
                        self.scores[:, row, column], self.nominal_scores[row, column]
                    ),
                    "rank": _summary(self.ranks[:, row, column], self.nominal_ranks[row, column]),
                }
                if not self.framework.node(node).is_indicator:
                    entry["sensitivity"] = {
                        item.name: _round(self.index(unit, node, item.name)) for item in self.inputs
                    }
                nodes[node] = entry
            units[unit] = {"nodes": nodes}
        return {
            "draws": self.draws,
            "seed": self.seed,
            "chunk_size": self.chunk_size,
            "method": "uniform Monte Carlo; first-order index = correlation ratio",
            "inputs": [_describe(item) for item in self.inputs],
            "units": units,
        }

    def to_json(self, *, compact: bool = False) -> str:
        """Deterministic JSON: the same inputs and seed give the same bytes (``compact``: no white space)."""
        return dumps(self.to_dict(), compact=compact)


def _describe(item: _draws.Input) -> dict[str, Any]:
    if item.continuous:
        return {"name": item.name, "range": [_round(item.low), _round(item.high)]}
    shown = []
    for choice in item.choices:
        if item.kind == "aggregator":
            shown.append(repr(build_aggregator(choice)))
        elif item.kind == "scorer":
            shown.append(repr(build_scorer(choice)))
        else:
            shown.append(choice)
    return {"name": item.name, "choices": shown}


def _round(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(float(value), 10)


def _summary(values: FloatArray, nominal: float) -> dict[str, Any]:
    defined = values[~np.isnan(values)]
    if not defined.size:
        return {"nominal": _round(nominal), "median": None, "p5": None, "p95": None}
    low, middle, high = np.percentile(defined, [5, 50, 95]).tolist()
    return {
        "nominal": _round(nominal),
        "median": _round(middle),
        "p5": _round(low),
        "p95": _round(high),
        "defined_share": _round(defined.size / values.size),
    }


def correlation_ratio(x: FloatArray, y: FloatArray, *, bins: int | None = None) -> float | None:
    """The share of the variance of ``y`` explained by ``x`` alone (first-order index).

    The correlation ratio ``Var(E[y | x]) / Var(y)``: draws are grouped by
    the value of ``x`` (a choice), or with ``bins`` into that many
    equal-width bins of ``x`` (a continuous input), and the variance of the
    group means, weighted by group size, is divided by the total variance.
    For independent uniform draws this estimates the first-order Sobol'
    index; with ``g`` groups and ``n`` draws it is biased upwards by about
    ``(g - 1) / n``. Draws where ``y`` is ``nan`` are left out; ``None``
    when ``y`` does not vary.

    >>> x = np.array([0.0, 0.0, 1.0, 1.0])
    >>> correlation_ratio(x, np.array([1.0, 1.0, 3.0, 3.0]))
    1.0
    >>> correlation_ratio(x, np.array([1.0, 3.0, 1.0, 3.0]))
    0.0
    """
    keep = ~np.isnan(y)
    x, y = np.asarray(x)[keep], np.asarray(y)[keep]
    if y.size < 2:
        return None
    total = float(((y - y.mean()) ** 2).sum())
    if total <= 1e-12 * max(1.0, float((y**2).sum())):
        return None
    if bins is not None:
        low, high = float(x.min()), float(x.max())
        width = (high - low) / bins or 1.0
        groups = np.minimum(((x - low) / width).astype(np.int64), bins - 1)
    else:
        groups = x.astype(np.int64) - int(x.min())
    counts = np.bincount(groups)
    sums = np.bincount(groups, weights=y)
    used = counts > 0
    means = sums[used] / counts[used]
    between = float((counts[used] * (means - y.mean()) ** 2).sum())
    return min(1.0, max(0.0, between / total))


def _chunk(
    context: _draws.Context, seed: int, index: int, count: int
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64], FloatArray]:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    design = _draws.sample(context, rng, count)
    return (design, *_draws.run_chunk(context, design))


def sensitivity(
    framework: Framework,
    evidence: EvidenceSet | Iterable[Evidence] = (),
    *,
    uncertainty: Uncertainty,
    draws: int = 1000,
    seed: int = 0,
    rules: RuleSpec | Mapping[str, RuleSpec] | None = None,
    aggregators: AggregatorLike | Mapping[str, AggregatorLike] | None = None,
    units: Sequence[str] | None = None,
    min_share: float = DEFAULT_MIN_SHARE,
    data: NumericData | None = None,
    scorers: ScorerSpec | Mapping[str, ScorerSpec] | None = None,
    weights: WeightsLike | None = None,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> Sensitivity:
    """Evaluate ``draws`` random variations of the nominal settings (see the module docstring).

    The nominal settings are the keyword arguments shared with
    :func:`policyeval.evaluate`. ``executor`` runs the chunks (any
    :class:`concurrent.futures.Executor`; default: in this process);
    ``progress`` is called with ``(draws done, draws)`` after each chunk.
    """
    if not (isinstance(draws, int) and not isinstance(draws, bool) and draws >= 1):
        raise InvalidArgument(f"draws must be a positive integer, got draws={draws!r}")
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        raise InvalidArgument(f"seed must be a non-negative integer, got seed={seed!r}")
    if not (isinstance(chunk_size, int) and chunk_size >= 1):
        raise InvalidArgument(f"chunk_size must be a positive integer, got {chunk_size=!r}")
    if not isinstance(evidence, EvidenceSet):
        evidence = EvidenceSet(items=tuple(evidence))
    problems = uncertainty_problems(
        uncertainty, framework, rules=rules, has_data=data is not None, prefix="uncertainty."
    )
    if problems:
        raise InvalidArgument("; ".join(str(problem) for problem in problems))
    if units is None:
        found = {item.unit for item in evidence.items}
        data_units = () if data is None else _data_units(data)
        units = tuple(sorted(found)) + tuple(sorted(set(data_units) - found))
    numeric = _draws.indicators_with_data(data)
    nominal_weights = np.zeros(len(edge_order(framework)))
    from policyeval.aggregate import edge_weights

    chosen = edge_weights(framework, weights)
    position = 0
    for parent in framework.inner_nodes:
        for value in chosen[parent]:
            nominal_weights[position] = value
            position += 1
    context = _draws.Context(
        framework=framework,
        evidence=evidence,
        data=data,
        units=tuple(units),
        rules=rules,
        aggregators=aggregators,
        scorers=scorers,
        weights=tuple(nominal_weights.tolist()),
        min_share=float(min_share),
        inputs=_inputs(framework, uncertainty, evidence, numeric),
        numeric_indicators=tuple(numeric),
    )
    nominal_row = [1.0 if item.continuous else float(_draws.NOMINAL) for item in context.inputs]
    # Every aggregator, scorer and threshold choice runs once with the rest nominal, so a choice
    # that cannot run on this case fails here, before any draw (and in ``validate``).
    rows = [nominal_row]
    for column, item in enumerate(context.inputs):
        if item.kind in ("aggregator", "scorer", "min_agreement"):
            for index in range(len(item.choices)):
                rows.append([*nominal_row[:column], float(index), *nominal_row[column + 1 :]])
    nominal = _draws.run_chunk(context, np.array(rows).reshape(len(rows), len(context.inputs)))
    counts = [min(chunk_size, draws - start) for start in range(0, draws, chunk_size)]
    parts: list[Any] = []
    done = 0
    if executor is None:
        for index, count in enumerate(counts):
            parts.append(_chunk(context, seed, index, count))
            done += count
            if progress is not None:
                progress(done, draws)
    else:
        futures = [
            executor.submit(_chunk, context, seed, index, count)
            for index, count in enumerate(counts)
        ]
        for future, count in zip(futures, counts, strict=True):
            parts.append(future.result())
            done += count
            if progress is not None:
                progress(done, draws)
    return Sensitivity(
        framework=framework,
        units=tuple(units),
        inputs=context.inputs,
        seed=seed,
        chunk_size=chunk_size,
        design=np.concatenate([part[0] for part in parts]),
        scores=np.concatenate([part[1] for part in parts]),
        levels=np.concatenate([part[2] for part in parts]),
        ranks=np.concatenate([part[3] for part in parts]),
        nominal_scores=nominal[0][0],  # the first row is the nominal one
        nominal_levels=nominal[1][0],
        nominal_ranks=nominal[2][0],
    )


def _data_units(data: NumericData) -> tuple[str, ...]:
    if isinstance(data, Mapping):
        return tuple(str(unit) for unit in data)
    return tuple(str(unit) for unit in getattr(data, "units", ()))


def sensitivity_case(
    case: Case,
    *,
    uncertainty: Uncertainty | None = None,
    draws: int | None = None,
    seed: int = 0,
    executor: Executor | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> Sensitivity:
    """Run :func:`sensitivity` on a loaded case, with its ``[sensitivity]`` section.

    ``uncertainty`` and ``draws`` override the case's; the nominal settings
    are the case's own (rule, aggregators, scorers, weights, units).
    """
    from policyeval.case import load_case_evidence
    from policyeval.case_data import load_case_data

    chosen = uncertainty if uncertainty is not None else case.sensitivity
    if chosen is None:
        raise InvalidArgument(
            f"case {case.file} declares no [sensitivity] section and no uncertainty was given"
        )
    evidence = load_case_evidence(case)
    numeric = load_case_data(case.data, case.framework) if case.data is not None else None
    units = [unit.id for unit in case.units]
    if numeric is not None and not units:
        units = list(numeric.table.units)
    rules: Any = case.rule
    if case.rule_overrides:
        rules = {"*": case.rule, **case.rule_overrides}
    aggregators: Any = None
    if case.aggregator is not None or case.aggregator_overrides:
        aggregators = dict(case.aggregator_overrides)
        if case.aggregator is not None:
            aggregators["*"] = case.aggregator
    return sensitivity(
        case.framework,
        evidence,
        uncertainty=chosen,
        draws=draws if draws is not None else case.sensitivity_draws,
        seed=seed,
        rules=rules,
        aggregators=aggregators,
        units=units,
        min_share=case.min_share,
        data=numeric.table if numeric is not None else None,
        scorers=case.scorers or None,
        weights=case.weights or None,
        executor=executor,
        chunk_size=chunk_size,
        progress=progress,
    )


def parse_uncertainty(
    section: Mapping[str, Any],
    *,
    file: str,
    framework: Framework | None,
    rules: Any,
    has_data: bool,
) -> tuple[Uncertainty | None, int, list[Problem]]:
    """Read a case's ``[sensitivity]`` section: the uncertainty, the draws and the problems."""
    if not isinstance(section, Mapping):
        return None, 1000, [Problem("must be a table", file=file, key="sensitivity")]
    allowed = {"aggregators", "draws", "leave_out", "min_agreement", "scorers", "weights", "why"}
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
    }
    for key, (value, kind) in shapes.items():
        if not isinstance(value, kind):
            wanted = "a table" if kind is Mapping else "a list"
            problems.append(
                Problem(f"must be {wanted}", file=file, key=f"sensitivity.{key}", value=value)
            )
    if problems or framework is None:
        return None, draws, problems
    uncertainty = Uncertainty(
        weights=weights,
        aggregators={
            key: tuple(value) if isinstance(value, list) else value
            for key, value in aggregators.items()
        },
        scorers=shapes["scorers"][0],
        min_agreement=shapes["min_agreement"][0],
        leave_out=shapes["leave_out"][0],
    )
    found = uncertainty_problems(uncertainty, framework, rules=rules, has_data=has_data, file=file)
    # A shorthand (one number, one list) is located at the key the file has.
    shorthand = {
        "sensitivity.weights.*": not isinstance(section.get("weights", {}), Mapping),
        "sensitivity.aggregators.*": isinstance(section.get("aggregators"), list),
    }
    for problem in found:
        key = problem.key or ""
        for long, short in shorthand.items():
            if short and key.startswith(long):
                key = "sensitivity." + long.split(".")[1] + key[len(long) :]
        problems.append(attrs.evolve(problem, key=key))
    return uncertainty, draws, problems
