"""Cases: a folder holding everything one evaluation needs.

A case directory holds ``case.toml`` (title, framework, units, and the rule
and aggregator choices, each with the reason for it), ``evidence.csv`` or
``evidence.xlsx``, an optional ``sources.csv``, and optionally data tables
with the checks and derived evidence declared for them. Copy the folder,
edit the files, and the same code evaluates another region.

From the repository root, the worked example runs as::

    result = evaluate_case("examples/serang_2024")
    result.evaluation.level("kota-serang", "program")   # 'cukup_baik'

See ``docs/reference/case-format.rst`` for every key of ``case.toml``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from policyeval.datachecks import Check, CheckResult, parse_checks, run_checks
from policyeval.derive import Derivation, derive_evidence, parse_derivations
from policyeval.evaluate import DEFAULT_MIN_SHARE, evaluate, reaggregate
from policyeval.evidence_io import EvidenceSet, load_evidence, load_sources
from policyeval.exceptions import (
    CaseError,
    DataCheckError,
    FrameworkError,
    PolicyEvalError,
    Problem,
    UnknownPluginError,
)
from policyeval.files import (
    OUTSIDE_FOLDER,
    FileRefused,
    ParseError,
    inside,
    parse_toml,
    read_bytes,
)
from policyeval.framework import Framework
from policyeval.framework_io import key_locator, load_framework
from policyeval.registry import build_aggregator, build_confidence_rule, build_rule, describe
from policyeval.results import Evaluation, Judgement, dumps

__all__ = [
    "CASE_SCHEMA",
    "Alternative",
    "AlternativeResult",
    "Case",
    "CaseResult",
    "Unit",
    "evaluate_case",
    "load_case",
    "load_case_evidence",
    "run_case",
]

CASE_SCHEMA = "policyeval.case/1"
MAX_CASE_BYTES = 16 * 1024 * 1024
"""The largest ``case.toml`` read, in bytes: a case file is settings, not data."""
RESULT_SCHEMA = "policyeval.evaluation/1"

_TOP = {
    "schema",
    "case",
    "units",
    "evidence",
    "triangulation",
    "aggregation",
    "report",
    "derived",
    "checks",
}
_CASE = {"id", "title", "period", "framework", "language", "description", "citation"}
_EVIDENCE = {"file", "sources", "lenient", "sheet"}
_TRIANGULATION = {"rule", "why", "indicators"}
_AGGREGATION = {
    "default",
    "why",
    "nodes",
    "confidence",
    "confidence_why",
    "min_share",
    "alternatives",
}
_ALTERNATIVE = {"id", "aggregator", "over", "node", "why", "label"}
_REPORT = {"recommend_below", "language"}


def _texts(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"": value}
    return {str(k): str(v) for k, v in sorted(dict(value).items())}


@attrs.frozen
class Unit:
    """A unit evaluated: a region or an organisation."""

    id: str
    label: dict[str, str] = attrs.field(factory=dict)

    def text(self, lang: str | None = None) -> str:
        """The label in ``lang`` (else any label, else the id)."""
        if lang in self.label:
            return self.label[lang]
        return next(iter(self.label.values()), self.id)


@attrs.frozen(kw_only=True)
class Alternative:
    """An alternative aggregation of one node, shown beside the case's verdict."""

    id: str
    aggregator: Any
    over: str = "children"
    node: str | None = None
    why: str | None = None
    label: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Case:
    """A loaded, validated case directory."""

    path: Path
    id: str
    title: dict[str, str]
    period: str | None
    framework: Framework
    units: tuple[Unit, ...]
    language: str
    description: dict[str, str]
    citation: str | None
    evidence_file: Path
    sources_file: Path | None
    sheet: str | None
    lenient: bool
    rule: Any
    rule_overrides: dict[str, Any]
    rule_why: str | None
    aggregator: Any
    aggregator_overrides: dict[str, Any]
    aggregation_why: str | None
    confidence: Any
    confidence_why: str | None
    min_share: float
    alternatives: tuple[Alternative, ...]
    recommend_below: str | None
    derivations: tuple[Derivation, ...]
    checks: tuple[Check, ...]

    @property
    def file(self) -> str:
        """The path of ``case.toml``."""
        return str(self.path / "case.toml")

    def title_text(self, lang: str | None = None) -> str:
        """The title in ``lang``, else the case language, else the id."""
        for language in (lang, self.language, ""):
            if language in self.title:
                return self.title[language]
        return self.id


@attrs.frozen(kw_only=True)
class AlternativeResult:
    """The verdict of one node under an alternative aggregation, per unit."""

    alternative: Alternative
    node: str
    judgements: dict[str, Judgement]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.alternative.id,
            "node": self.node,
            "over": self.alternative.over,
            "aggregator": describe(build_aggregator(self.alternative.aggregator)),
            "why": self.alternative.why,
            "units": {
                unit: {"level": j.level, "score": None if j.score is None else round(j.score, 10)}
                for unit, j in self.judgements.items()
            },
        }


@attrs.frozen(kw_only=True)
class CaseResult:
    """An evaluation together with the case, its data checks and alternative verdicts."""

    case: Case
    evaluation: Evaluation
    data_checks: tuple[CheckResult, ...]
    alternatives: tuple[AlternativeResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """The evaluation's JSON document plus ``case``, ``data_checks`` and ``alternatives``."""
        document = self.evaluation.to_dict()
        document["case"] = {
            "id": self.case.id,
            "title": self.case.title,
            "period": self.case.period,
            "citation": self.case.citation,
            "units": {unit.id: unit.label for unit in self.case.units},
            "why": {
                "triangulation": self.case.rule_why,
                "aggregation": self.case.aggregation_why,
                "confidence": self.case.confidence_why,
            },
        }
        for rejection in document["rejected"]:
            if rejection.get("file"):
                relative = os.path.relpath(rejection["file"], self.case.path)
                rejection["file"] = Path(relative).as_posix()
        document["data_checks"] = [check.as_dict() for check in self.data_checks]
        document["alternatives"] = [alt.as_dict() for alt in self.alternatives]
        return document

    def to_json(self) -> str:
        """Deterministic JSON (see :meth:`policyeval.results.Evaluation.to_json`)."""
        return dumps(self.to_dict())


def _read_toml(file: Path) -> tuple[dict[str, Any], str]:
    try:
        text = read_bytes(file, max_bytes=MAX_CASE_BYTES).decode("utf-8")
    except FileRefused as error:
        message = (
            "no case.toml in the case directory" if error.args == ("file not found",) else error
        )
        raise CaseError([Problem(f"{message}", file=str(file))]) from None
    except UnicodeDecodeError as error:
        raise CaseError([Problem(f"not valid UTF-8: {error}", file=str(file))]) from None
    try:
        return parse_toml(text), text
    except ParseError as error:
        line = error.line
        if line is None and error.key is not None:
            line = key_locator(text)(error.key)
        raise CaseError(
            [Problem(error.message, file=str(file), line=line, key=error.key)]
        ) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        message = str(error).split(" (at line")[0]
        raise CaseError([Problem(f"invalid TOML: {message}", file=str(file), line=line)]) from None


def _unknown(
    section: Mapping[str, Any], allowed: set[str], prefix: str, file: str
) -> list[Problem]:
    return [
        Problem(
            f"unknown key (allowed: {', '.join(sorted(allowed))})", file=file, key=f"{prefix}{key}"
        )
        for key in sorted(set(section) - allowed)
    ]


def _check_plugins(
    build: Any,
    defaults: Mapping[str, Any],
    prefix: str,
    overrides: Mapping[str, Any],
    allowed: Sequence[str] | None,
    not_allowed: str,
    file: str,
) -> list[Problem]:
    """Problems with plug-in specs: each must build, and overrides must name allowed nodes."""
    problems = []
    specs = {**defaults, **{f"{prefix}.{node}": spec for node, spec in overrides.items()}}
    for key, spec in specs.items():
        if spec is None:
            continue
        try:
            build(spec)
        except PolicyEvalError as error:
            problems.append(Problem(str(error), file=file, key=key))
    if allowed is not None:
        for node in sorted(set(overrides) - set(allowed)):
            problems.append(Problem(not_allowed, file=file, key=f"{prefix}.{node}"))
    return problems


def load_case(path: str | os.PathLike[str], *, lenient: bool | None = None) -> Case:
    """Load and validate a case directory (or a path to its ``case.toml``).

    Every problem is collected and raised together as a
    :class:`~policyeval.exceptions.CaseError` naming the file and key.
    ``lenient`` overrides the case's own ``[evidence] lenient`` setting.
    """
    from policyeval import frameworks

    folder = Path(path)
    if folder.is_file():
        folder = folder.parent
    file = folder / "case.toml"
    where = str(file)
    data, text = _read_toml(file)
    problems = _unknown(data, _TOP, "", where)
    if data.get("schema", CASE_SCHEMA) != CASE_SCHEMA:
        problems.append(
            Problem(
                f"unsupported schema (expected {CASE_SCHEMA!r})",
                file=where,
                key="schema",
                value=data.get("schema"),
            )
        )
    case_table = data.get("case", {})
    problems += _unknown(case_table, _CASE, "case.", where)
    framework_ref = case_table.get("framework")
    framework = None
    if not framework_ref:
        problems.append(
            Problem(
                "missing value: a built-in framework name or a path",
                file=where,
                key="case.framework",
            )
        )
    elif isinstance(framework_ref, str) and framework_ref in frameworks.available():
        framework = frameworks.load(framework_ref)
    else:
        # Anything but a built-in name is a file, which must lie inside the case folder.
        candidate = inside(folder, str(framework_ref))
        try:
            if candidate is None:
                problems.append(
                    Problem(OUTSIDE_FOLDER, file=where, key="case.framework", value=framework_ref)
                )
            elif candidate.suffix in (".toml", ".json") or candidate.is_file():
                framework = load_framework(candidate)
            else:
                framework = frameworks.resolve(str(framework_ref))  # unknown: lists the names
        except (FrameworkError, UnknownPluginError, LookupError) as error:
            problems.append(
                Problem(
                    f"cannot load framework: {error}",
                    file=where,
                    key="case.framework",
                    value=framework_ref,
                )
            )

    units = []
    for index, entry in enumerate(data.get("units", [])):
        if not isinstance(entry, Mapping) or not entry.get("id"):
            problems.append(Problem("each unit needs an id", file=where, key=f"units[{index}].id"))
            continue
        problems += _unknown(entry, {"id", "label"}, f"units[{index}].", where)
        units.append(Unit(str(entry["id"]), _texts(entry.get("label"))))
    if not units:
        problems.append(Problem("declare at least one [[units]] entry", file=where, key="units"))
    unit_ids = [unit.id for unit in units]
    for index, unit_id in enumerate(unit_ids):
        if unit_ids.index(unit_id) != index:
            problems.append(
                Problem("duplicate unit id", file=where, key=f"units[{index}].id", value=unit_id)
            )

    evidence_table = data.get("evidence", {})
    problems += _unknown(evidence_table, _EVIDENCE, "evidence.", where)
    evidence_name = evidence_table.get("file")
    if evidence_name is None:
        evidence_name = next(
            (n for n in ("evidence.csv", "evidence.xlsx") if (folder / n).is_file()), "evidence.csv"
        )
    evidence_file = inside(folder, str(evidence_name))
    if evidence_file is None:
        problems.append(
            Problem(OUTSIDE_FOLDER, file=where, key="evidence.file", value=str(evidence_name))
        )
    elif not evidence_file.is_file():
        problems.append(
            Problem(
                "evidence file not found", file=where, key="evidence.file", value=str(evidence_name)
            )
        )
    sources_name = evidence_table.get("sources")
    if sources_name is None and (folder / "sources.csv").is_file():
        sources_name = "sources.csv"
    sources_file = inside(folder, str(sources_name)) if sources_name else None
    if sources_name and sources_file is None:
        problems.append(
            Problem(OUTSIDE_FOLDER, file=where, key="evidence.sources", value=str(sources_name))
        )
    elif sources_file is not None and not sources_file.is_file():
        problems.append(
            Problem(
                "sources file not found",
                file=where,
                key="evidence.sources",
                value=str(sources_name),
            )
        )

    triangulation = data.get("triangulation", {})
    problems += _unknown(triangulation, _TRIANGULATION, "triangulation.", where)
    rule = triangulation.get("rule", "source")
    rule_overrides = dict(triangulation.get("indicators", {}))
    problems += _check_plugins(
        build_rule,
        {"triangulation.rule": rule},
        "triangulation.indicators",
        rule_overrides,
        None if framework is None else framework.indicators,
        "not an indicator of the framework",
        where,
    )

    aggregation = data.get("aggregation", {})
    problems += _unknown(aggregation, _AGGREGATION, "aggregation.", where)
    aggregator = aggregation.get("default")
    aggregator_overrides = dict(aggregation.get("nodes", {}))
    problems += _check_plugins(
        build_aggregator,
        {"aggregation.default": aggregator},
        "aggregation.nodes",
        aggregator_overrides,
        None if framework is None else framework.inner_nodes,
        "not an inner node of the framework",
        where,
    )
    confidence = aggregation.get("confidence", "weakest")
    try:
        build_confidence_rule(confidence)
    except PolicyEvalError as error:
        problems.append(Problem(str(error), file=where, key="aggregation.confidence"))
    min_share = aggregation.get("min_share", DEFAULT_MIN_SHARE)
    if not isinstance(min_share, int | float) or not 0 <= min_share <= 1:
        problems.append(
            Problem(
                "must be a number in [0, 1]",
                file=where,
                key="aggregation.min_share",
                value=min_share,
            )
        )
        min_share = DEFAULT_MIN_SHARE

    alternatives = []
    for index, entry in enumerate(aggregation.get("alternatives", [])):
        key = f"aggregation.alternatives[{index}]"
        problems += _unknown(entry, _ALTERNATIVE, f"{key}.", where)
        if "aggregator" not in entry:
            problems.append(Problem("missing value", file=where, key=f"{key}.aggregator"))
            continue
        try:
            build_aggregator(entry["aggregator"])
        except PolicyEvalError as error:
            problems.append(Problem(str(error), file=where, key=f"{key}.aggregator"))
        over = entry.get("over", "children")
        if over not in ("children", "indicators"):
            problems.append(
                Problem(
                    "must be 'children' or 'indicators'", file=where, key=f"{key}.over", value=over
                )
            )
        node = entry.get("node")
        if framework is not None and node is not None and node not in framework.inner_nodes:
            problems.append(
                Problem(
                    "not an inner node of the framework", file=where, key=f"{key}.node", value=node
                )
            )
        alternatives.append(
            Alternative(
                id=str(entry.get("id") or f"alternative-{index + 1}"),
                aggregator=entry["aggregator"],
                over=over,
                node=node,
                why=entry.get("why"),
                label=_texts(entry.get("label")),
            )
        )

    report = data.get("report", {})
    problems += _unknown(report, _REPORT, "report.", where)
    recommend_below = report.get("recommend_below")
    if framework is not None and recommend_below is not None:
        scale = framework.scale_of(framework.root)
        if scale is None or getattr(scale, "find", lambda _: None)(recommend_below) is None:
            problems.append(
                Problem(
                    "not a level of the framework's scale",
                    file=where,
                    key="report.recommend_below",
                    value=recommend_below,
                )
            )

    derivations: tuple[Derivation, ...] = ()
    checks: tuple[Check, ...] = ()
    try:
        derivations = parse_derivations(data.get("derived", []), file=where)
    except CaseError as error:
        problems += error.problems
    try:
        checks = parse_checks(data.get("checks", []), file=where)
    except DataCheckError as error:
        problems += error.problems
    if framework is not None:
        for index, derivation in enumerate(derivations):
            if derivation.indicator not in framework.indicators:
                problems.append(
                    Problem(
                        "not an indicator of the framework",
                        file=where,
                        key=f"derived[{index}].indicator",
                        value=derivation.indicator,
                    )
                )
    if problems:
        locate = key_locator(text)
        raise CaseError(
            attrs.evolve(p, line=p.line if p.line is not None else locate(p.key)) for p in problems
        )
    assert framework is not None and evidence_file is not None
    language = str(case_table.get("language") or framework.default_language)
    return Case(
        path=folder,
        id=str(case_table.get("id") or folder.name),
        title=_texts(case_table.get("title")),
        period=case_table.get("period"),
        framework=framework,
        units=tuple(units),
        language=language,
        description=_texts(case_table.get("description")),
        citation=case_table.get("citation"),
        evidence_file=evidence_file,
        sources_file=sources_file,
        sheet=evidence_table.get("sheet"),
        lenient=bool(evidence_table.get("lenient", False)) if lenient is None else lenient,
        rule=rule,
        rule_overrides=rule_overrides,
        rule_why=triangulation.get("why"),
        aggregator=aggregator,
        aggregator_overrides=aggregator_overrides,
        aggregation_why=aggregation.get("why"),
        confidence=confidence,
        confidence_why=aggregation.get("confidence_why"),
        min_share=float(min_share),
        alternatives=tuple(alternatives),
        recommend_below=recommend_below,
        derivations=derivations,
        checks=checks,
    )


def load_case_evidence(case: Case) -> EvidenceSet:
    """Read the case's sources and evidence tables and add its derived items."""
    sources = None
    source_rejections: tuple[Any, ...] = ()
    if case.sources_file is not None:
        sources, source_rejections = load_sources(case.sources_file, lenient=case.lenient)
    default_unit = case.units[0].id if len(case.units) == 1 else None
    evidence = load_evidence(
        case.evidence_file,
        case.framework,
        sources=sources,
        default_unit=default_unit,
        units=[unit.id for unit in case.units],
        lenient=case.lenient,
        sheet=case.sheet,
    )
    derived = derive_evidence(
        case.derivations,
        base=case.path,
        framework=case.framework,
        unit=case.units[0].id,
        sources=sources,
    )
    clash = sorted({item.id for item in derived} & {item.id for item in evidence.items})
    if clash:
        raise CaseError(
            [
                Problem(
                    f"derived item ids clash with evidence ids: {clash!r}",
                    file=case.file,
                    key="derived",
                )
            ]
        )
    return evidence.plus(derived, source_rejections)


def run_case(case: Case) -> CaseResult:
    """Evaluate a case: evidence, triangulation, aggregation, data checks, alternatives."""
    evidence = load_case_evidence(case)
    rules: Any = case.rule
    if case.rule_overrides:
        rules = {"*": case.rule, **case.rule_overrides}
    aggregators: Any = None
    if case.aggregator is not None or case.aggregator_overrides:
        aggregators = dict(case.aggregator_overrides)
        if case.aggregator is not None:
            aggregators["*"] = case.aggregator
    evaluation = evaluate(
        case.framework,
        evidence,
        rules=rules,
        aggregators=aggregators,
        confidence=case.confidence,
        units=[unit.id for unit in case.units],
        min_share=case.min_share,
    )
    checks = run_checks(case.checks, base=case.path)
    alternatives = tuple(
        AlternativeResult(
            alternative=alternative,
            node=alternative.node or case.framework.root,
            judgements=reaggregate(
                evaluation, alternative.aggregator, node=alternative.node, over=alternative.over
            ),
        )
        for alternative in case.alternatives
    )
    return CaseResult(
        case=case, evaluation=evaluation, data_checks=checks, alternatives=alternatives
    )


def evaluate_case(path: str | os.PathLike[str], *, lenient: bool | None = None) -> CaseResult:
    """Load and run a case directory in one call."""
    return run_case(load_case(path, lenient=lenient))
