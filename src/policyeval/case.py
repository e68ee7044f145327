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

import bisect
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from policyeval._collector import collection_paused
from policyeval._json import jsonable
from policyeval._json import write as write_json
from policyeval.case_data import DataSpec, load_case_data, parse_data_sections
from policyeval.datachecks import Check, CheckResult, parse_checks, run_checks
from policyeval.derive import Derivation, derive_evidence, parse_derivations
from policyeval.evaluate import DEFAULT_MIN_SHARE, evaluate, reaggregate
from policyeval.evidence_io import EvidenceSet, load_evidence, load_sources
from policyeval.evidence_table import EvidenceTable
from policyeval.exceptions import (
    CaseError,
    DataCheckError,
    FrameworkError,
    PolicyEvalError,
    Problem,
    UnknownPluginError,
    did_you_mean,
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
from policyeval.framework_io import MAX_FRAMEWORK_BYTES, key_locator, load_framework
from policyeval.identifiers import identifier_problem, normalise_identifier
from policyeval.registry import build_aggregator, build_confidence_rule, build_rule, describe
from policyeval.reported import (
    Agreement,
    ReportedVerdict,
    compare_reported,
    load_reported,
    summarise_agreement,
)
from policyeval.results import SCHEMA, Evaluation, Judgement, dumps
from policyeval.schemas import schema_problems
from policyeval.score import scoring_problems
from policyeval.tables import TableLimits, table_limits
from policyeval.texts import Text
from policyeval.uncertainty import Uncertainty, parse_uncertainty

if TYPE_CHECKING:
    from policyeval.pipeline import PipelineResult

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
    "load_case_numbers",
    "load_case_reported",
    "run_case",
]

CASE_SCHEMA = "policyeval.case/1"
MAX_CASE_BYTES = 16 * 1024 * 1024
"""The largest ``case.toml`` read, in bytes: a case file is settings, not data."""
RESULT_SCHEMA = SCHEMA


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
    why: Text | None = None
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
    evidence_file: Path | None
    sources_file: Path | None
    sheet: str | None
    lenient: bool
    rule: Any
    rule_overrides: dict[str, Any]
    rule_why: Text | None
    aggregator: Any
    aggregator_overrides: dict[str, Any]
    aggregation_why: Text | None
    confidence: Any
    confidence_why: Text | None
    min_share: float
    alternatives: tuple[Alternative, ...]
    recommend_below: str | None
    recommendations: dict[str, Text] = attrs.field(factory=dict)
    categories: dict[str, Text] = attrs.field(factory=dict)
    derivations: tuple[Derivation, ...]
    checks: tuple[Check, ...]
    data: DataSpec | None = None
    scorers: dict[str, Any] = attrs.field(factory=dict)
    scoring_why: str | None = None
    weights: dict[tuple[str, str], float] = attrs.field(factory=dict)
    reported_file: Path | None = None
    reported_why: Text | None = None
    sensitivity: Uncertainty | None = None
    sensitivity_draws: int = 1000
    sensitivity_design: str = "montecarlo"
    limits: TableLimits = attrs.field(factory=TableLimits)

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
    numeric: PipelineResult | None = None
    reported: tuple[ReportedVerdict, ...] = ()
    agreement: tuple[Agreement, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The evaluation's JSON document plus ``case``, ``data_checks`` and ``alternatives``.

        Every node also carries ``reported`` (the level the evaluated study
        states, or ``None``) and ``agreement`` (``agrees``, ``differs``,
        ``not_reported`` or ``no_evidence``); ``reported_verdicts`` gives,
        per unit, the counts and each reported verdict's citation.

        A case with a ``[data]`` table also gets each node's competition
        ``rank`` among the units (1 = highest score, ties share the best
        rank, undefined nodes ``None``) and the ``pipeline`` provenance:
        one record per thing a data step did.
        """
        return self._document(streamed=False)

    def _document(self, *, streamed: bool = True) -> dict[str, Any]:
        """The document; with ``streamed`` its units are made while it is written."""
        evaluation = self.evaluation
        strict_ranks = _strict_ranks(evaluation) if self.numeric is not None else None
        rows_of: dict[str, list[Agreement]] = {}
        for row in self.agreement:
            rows_of.setdefault(row.unit, []).append(row)

        # The members each node gains, one dict per pair of values (they repeat across units).
        members: dict[tuple[Any, Any], dict[str, Any]] = {}

        def extra(unit: str) -> dict[str, dict[str, Any]]:
            out = {}
            for row in rows_of.get(unit, ()):
                pair = (row.reported_level, row.agreement)
                found = members.get(pair)
                if found is None:
                    found = members[pair] = {
                        "reported": jsonable(row.reported_level),
                        "agreement": jsonable(row.agreement),
                    }
                out[row.node] = found
            return out

        document = evaluation._document(extra, ranks=strict_ranks)
        if not streamed:
            # Plain dicts: each unit's nodes are read back from their text.
            document["units"] = jsonable(dict(document["units"].items()))
        if self.numeric is not None:
            document["pipeline"] = [record.as_dict() for record in self.numeric.provenance]
        verdicts: dict[str, Any] = {}
        for row in self.agreement:
            if row.reported is not None:
                verdicts.setdefault(row.unit, {})[row.node] = row.reported.as_dict()
        document["reported_verdicts"] = {
            unit: {
                "summary": summarise_agreement(rows_of.get(unit, ()), unit),
                "nodes": verdicts.get(unit, {}),
            }
            for unit in evaluation.units
        }
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
                "reported": self.case.reported_why,
                **({"scoring": self.case.scoring_why} if self.case.scoring_why else {}),
            },
        }
        for rejection in document["rejected"]:
            if rejection.get("file"):
                relative = os.path.relpath(rejection["file"], self.case.path)
                rejection["file"] = Path(relative).as_posix()
        document["data_checks"] = [check.as_dict() for check in self.data_checks]
        document["alternatives"] = [alt.as_dict() for alt in self.alternatives]
        return document

    def write_json(self, out: IO[str], *, compact: bool = False) -> None:
        """Write the document of :meth:`to_json` to ``out`` unit by unit."""
        # Writing makes many short-lived objects and no cycles: the cyclic collector only costs.
        with collection_paused():
            write_json(self._document(), out, compact=compact)

    def to_json(self, *, compact: bool = False) -> str:
        """Deterministic JSON (see :meth:`policyeval.results.Evaluation.to_json`).

        ``compact=True`` writes the same document without white space.
        """
        with collection_paused():
            return dumps(self._document(), compact=compact)


def _strict_ranks(evaluation: Evaluation) -> dict[str, dict[str, int | None]]:
    """Each node's rank per unit: 1 + the number of units with a strictly higher score.

    Unlike :meth:`Evaluation.ranks` scores are not rounded before comparing;
    sorting once keeps it n log n in the units.
    """
    out: dict[str, dict[str, int | None]] = {}
    for node in evaluation.framework.node_ids:
        scores = {unit: evaluation.judgement(unit, node).score for unit in evaluation.units}
        defined = sorted(score for score in scores.values() if score is not None)
        out[node] = {
            unit: None if mine is None else 1 + len(defined) - bisect.bisect_right(defined, mine)
            for unit, mine in scores.items()
        }
    return out


def _read_toml(file: Path) -> tuple[dict[str, Any], str]:
    try:
        text = read_bytes(file, max_bytes=MAX_CASE_BYTES).decode("utf-8")
    except FileRefused as error:
        if error.args == ("file not found",):
            message = (
                "no case.toml in this folder (policyeval init FOLDER --framework NAME writes one)"
            )
            message_id: str | None = "case.no_case_toml"
            params: Mapping[str, Any] = {}
        else:
            message, message_id, params = str(error), error.message_id, error.params
        raise CaseError(
            [Problem(message, file=str(file), message_id=message_id, params=params)]
        ) from None
    except UnicodeDecodeError as error:
        raise CaseError(
            [
                Problem(
                    f"not valid UTF-8: {error}",
                    file=str(file),
                    message_id="case.not_utf8",
                    params={"error": str(error)},
                )
            ]
        ) from None
    try:
        return parse_toml(text), text
    except ParseError as error:
        line = error.line
        if line is None and error.key is not None:
            line = key_locator(text)(error.key)
        problem = Problem(
            error.message,
            file=str(file),
            line=line,
            key=error.key,
            message_id=error.message_id,
            params=error.params,
        )
        raise CaseError([problem]) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+)", str(error))
        line = int(found.group(1)) if found else None
        message = str(error).split(" (at line")[0]
        raise CaseError(
            [
                Problem(
                    f"invalid TOML: {message}",
                    file=str(file),
                    line=line,
                    message_id="case.invalid_toml",
                    params={"error": message},
                )
            ]
        ) from None


def _no_such_folder(folder: Path) -> Problem:
    """'no such folder', with the closest folder beside it when one looks like a typo."""
    parent = folder.parent if str(folder.parent) else Path(".")
    siblings = [p.name for p in parent.iterdir() if p.is_dir()] if parent.is_dir() else []
    hint = did_you_mean(folder.name, siblings)
    if not parent.is_dir():
        hint = f" (nor its parent folder {str(parent)!r})"
    return Problem(f"no such folder{hint}", file=str(folder))


def _section(key: str | None) -> str:
    """The top-level section of a key path: ``aggregation`` for ``aggregation.nodes.x``."""
    return re.split(r"[.\[]", key or "", maxsplit=1)[0]


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
            problems.append(Problem.from_error(error, file=file, key=key))
    if allowed is not None:
        for node in sorted(set(overrides) - set(allowed)):
            problems.append(
                Problem(
                    not_allowed + did_you_mean(node, allowed), file=file, key=f"{prefix}.{node}"
                )
            )
    return problems


def load_case(
    path: str | os.PathLike[str],
    *,
    lenient: bool | None = None,
    limits: Mapping[str, float] | None = None,
) -> Case:
    """Load and validate a case directory (or a path to its ``case.toml``).

    Every problem is collected and raised together as a
    :class:`~policyeval.exceptions.CaseError` naming the file and key.
    ``lenient`` overrides the case's own ``[evidence] lenient`` setting, and
    ``limits`` (keys as in ``[limits]``: ``rows``, ``columns``, ``bytes``,
    ``uncompressed_bytes``, ``compression_ratio``, ``framework_bytes``)
    override the case's own input limits.
    """
    from policyeval import frameworks

    folder = Path(path)
    if folder.is_file():
        folder = folder.parent
    elif not folder.exists():
        raise CaseError([_no_such_folder(folder)])
    file = folder / "case.toml"
    where = str(file)
    data, text = _read_toml(file)
    # The schema checks every key's name and type; the code below checks meaning only, on the
    # sections the schema found well formed, so one pass still reports every problem.
    problems = schema_problems(data, "case", file=where, text=text)
    broken = {_section(problem.key) for problem in problems}
    # A numbers-only case needs no units or evidence file, even when its [data] is refused.
    numbers_only = "data" in data
    data = {name: value for name, value in data.items() if name not in broken}
    shape_problems = len(problems)
    chosen = {**data.get("limits", {}), **(limits or {})}
    framework_bytes = int(chosen.pop("framework_bytes", MAX_FRAMEWORK_BYTES))
    table_limits = TableLimits(**chosen)
    case_table = data.get("case", {})
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
                    Problem(
                        OUTSIDE_FOLDER,
                        message_id="file.outside_folder",
                        file=where,
                        key="case.framework",
                        value=framework_ref,
                    )
                )
            elif candidate.suffix in (".toml", ".json") or candidate.is_file():
                framework = load_framework(candidate, max_bytes=framework_bytes)
            else:
                framework = frameworks.resolve(str(framework_ref))  # unknown: lists the names
        except (FrameworkError, UnknownPluginError, LookupError) as error:
            problems.append(
                Problem(
                    f"cannot load framework: {error}",
                    file=where,
                    key="case.framework",
                    value=framework_ref,
                    message_id="case.cannot_load_framework",
                    params={"error": error},
                )
            )

    units = []
    for index, entry in enumerate(data.get("units", [])):
        unit_id = str(entry["id"])
        id_problem = identifier_problem(unit_id)
        if id_problem is not None:
            problems.append(
                Problem(id_problem, file=where, key=f"units[{index}].id", value=unit_id)
            )
            continue
        units.append(Unit(normalise_identifier(unit_id), _texts(entry.get("label"))))
    data_spec, data_problems = parse_data_sections(
        data, folder=folder, framework=framework, where=where
    )
    problems += data_problems
    if not units and not numbers_only:
        problems.append(Problem("declare at least one [[units]] entry", file=where, key="units"))
    unit_ids = [unit.id for unit in units]
    for index, unit_id in enumerate(unit_ids):
        if unit_ids.index(unit_id) != index:
            problems.append(
                Problem("duplicate unit id", file=where, key=f"units[{index}].id", value=unit_id)
            )

    evidence_table = data.get("evidence", {})
    evidence_name = evidence_table.get("file")
    if evidence_name is None:
        evidence_name = next(
            (n for n in ("evidence.csv", "evidence.xlsx") if (folder / n).is_file()), "evidence.csv"
        )
    evidence_file = inside(folder, str(evidence_name))
    if numbers_only and "file" not in evidence_table and not (folder / evidence_name).is_file():
        evidence_file = None  # numbers only: no evidence table
    elif evidence_file is None:
        problems.append(
            Problem(
                OUTSIDE_FOLDER,
                message_id="file.outside_folder",
                file=where,
                key="evidence.file",
                value=str(evidence_name),
            )
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
            Problem(
                OUTSIDE_FOLDER,
                message_id="file.outside_folder",
                file=where,
                key="evidence.sources",
                value=str(sources_name),
            )
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
    aggregator = aggregation.get("default")
    aggregator_overrides = dict(aggregation.get("nodes", {}))
    kinds = dict(aggregation.get("kinds", {}))
    if framework is not None:
        inner_kinds = {framework.node(node).kind for node in framework.inner_nodes}
        for kind in sorted(set(kinds) - inner_kinds):
            problems.append(
                Problem(
                    f"not a kind of inner node (kinds: {', '.join(sorted(inner_kinds))})",
                    file=where,
                    key=f"aggregation.kinds.{kind}",
                )
            )
        for node in framework.inner_nodes:
            kind = framework.node(node).kind
            if kind in kinds and node not in aggregator_overrides:
                aggregator_overrides[node] = kinds[kind]
    weights: dict[tuple[str, str], float] = {}
    for parent, row in dict(aggregation.get("weights", {})).items():
        for child, weight in dict(row).items():
            key = f"aggregation.weights.{parent}.{child}"
            if framework is not None and not (
                parent in framework and child in framework.children(parent)
            ):
                problems.append(Problem("no such edge in the framework", file=where, key=key))
            else:
                weights[str(parent), str(child)] = float(weight)
    problems += _check_plugins(
        build_aggregator,
        {"aggregation.default": aggregator},
        "aggregation.nodes",
        aggregator_overrides,
        None if framework is None else framework.inner_nodes,
        "not an inner node of the framework",
        where,
    )
    scoring = data.get("scoring", {})
    scorers: dict[str, Any] = dict(scoring.get("indicators", {}))
    if "default" in scoring:
        scorers["*"] = scoring["default"]
    if framework is not None:
        try:
            problems += scoring_problems(
                framework, scorers or None, file=where, key="scoring.indicators"
            )
        except PolicyEvalError as error:
            problems.append(Problem.from_error(error, file=where, key="scoring"))
    confidence = aggregation.get("confidence", "weakest")
    try:
        build_confidence_rule(confidence)
    except PolicyEvalError as error:
        problems.append(Problem.from_error(error, file=where, key="aggregation.confidence"))
    min_share = aggregation.get("min_share", DEFAULT_MIN_SHARE)

    alternatives = []
    for index, entry in enumerate(aggregation.get("alternatives", [])):
        key = f"aggregation.alternatives[{index}]"
        try:
            build_aggregator(entry["aggregator"])
        except PolicyEvalError as error:
            problems.append(Problem.from_error(error, file=where, key=f"{key}.aggregator"))
        over = entry.get("over", "children")
        node = entry.get("node")
        if framework is not None and node is not None and node not in framework.inner_nodes:
            problems.append(
                Problem(
                    "not an inner node of the framework"
                    + did_you_mean(node, framework.inner_nodes),
                    file=where,
                    key=f"{key}.node",
                    value=node,
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

    reported_table = data.get("reported", {})
    reported_name = reported_table.get("file")
    reported_file = inside(folder, str(reported_name)) if reported_name else None
    if reported_name and reported_file is None:
        problems.append(
            Problem(
                OUTSIDE_FOLDER,
                message_id="file.outside_folder",
                file=where,
                key="reported.file",
                value=str(reported_name),
            )
        )
    elif reported_file is not None and not reported_file.is_file():
        problems.append(
            Problem(
                "reported verdicts file not found",
                file=where,
                key="reported.file",
                value=str(reported_name),
            )
        )

    report = data.get("report", {})
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

    recommendations: dict[str, Text] = dict(report.get("recommendations", {}))
    categories: dict[str, Text] = dict(report.get("categories", {}))
    for node in recommendations:
        key = f"report.recommendations.{node}"
        if framework is not None and node not in framework:
            problems.append(
                Problem(
                    "not a node of the framework" + did_you_mean(node, framework.node_ids),
                    file=where,
                    key=key,
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
                        "not an indicator of the framework"
                        + did_you_mean(derivation.indicator, framework.indicators),
                        file=where,
                        key=f"derived[{index}].indicator",
                        value=derivation.indicator,
                    )
                )
    sensitivity, sensitivity_draws, sensitivity_design, sensitivity_problems = parse_uncertainty(
        data.get("sensitivity", {}),
        file=where,
        framework=framework,
        rules={"*": rule, **rule_overrides} if rule_overrides else rule,
        has_data=data_spec is not None,
        groups=data_spec.groups if data_spec is not None else None,
    )
    problems += sensitivity_problems
    # A section left out for its shape would only add noise (a missing value, say) of its own.
    problems[shape_problems:] = [
        problem for problem in problems[shape_problems:] if _section(problem.key) not in broken
    ]
    if problems:
        locate = key_locator(text, keys=[problem.key for problem in problems])
        raise CaseError(
            attrs.evolve(p, line=p.line if p.line is not None else locate(p.key)) for p in problems
        )
    assert framework is not None
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
        recommendations=recommendations,
        categories=categories,
        derivations=derivations,
        checks=checks,
        data=data_spec,
        scorers=scorers,
        scoring_why=scoring.get("why"),
        weights=weights,
        reported_file=reported_file,
        reported_why=reported_table.get("why"),
        sensitivity=sensitivity if "sensitivity" in data else None,
        sensitivity_draws=sensitivity_draws,
        sensitivity_design=sensitivity_design,
        limits=table_limits,
    )


def load_case_reported(case: Case) -> tuple[ReportedVerdict, ...]:
    """Read the case's reported verdicts (none when the case declares no ``[reported]`` file)."""
    if case.reported_file is None:
        return ()
    with table_limits(case.limits):
        return load_reported(
            case.reported_file,
            case.framework,
            units=[unit.id for unit in case.units],
            default_unit=case.units[0].id if len(case.units) == 1 else None,
        )


def load_case_evidence(case: Case) -> EvidenceSet:
    """Read the case's sources and evidence tables and add its derived items."""
    with table_limits(case.limits):
        return _load_case_evidence(case)


def _load_case_evidence(case: Case) -> EvidenceSet:
    if case.evidence_file is None:
        return EvidenceSet()
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
    derived = (
        derive_evidence(
            case.derivations,
            base=case.path,
            framework=case.framework,
            unit=case.units[0].id,
            sources=sources,
        )
        if case.derivations and case.units
        else ()
    )
    clash: list[str] = []
    if derived:
        # A loaded table's ids are read as one tuple, without making an item per row.
        items = evidence.items
        ids = items.ids if isinstance(items, EvidenceTable) else [item.id for item in items]
        clash = sorted({item.id for item in derived}.intersection(ids))
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


def load_case_numbers(case: Case) -> PipelineResult | None:
    """Read the case's ``[data]`` table under its limits and run its pipeline (``None`` for a
    case without one)."""
    if case.data is None:
        return None
    with table_limits(case.limits):
        return load_case_data(case.data, case.framework)


def run_case(case: Case) -> CaseResult:
    """Evaluate a case: evidence, triangulation, aggregation, data checks, alternatives,
    and the comparison with the verdicts the evaluated study reports."""
    evidence = load_case_evidence(case)
    numeric = load_case_numbers(case)
    with table_limits(case.limits):
        checks = run_checks(case.checks, base=case.path)
    units = [unit.id for unit in case.units]
    if numeric is not None and not units:
        units = list(numeric.table.units)
    reported = load_case_reported(case)
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
        units=units,
        min_share=case.min_share,
        data=numeric.table if numeric is not None else None,
        scorers=case.scorers or None,
        weights=case.weights or None,
    )
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
        case=case,
        evaluation=evaluation,
        data_checks=checks,
        alternatives=alternatives,
        numeric=numeric,
        reported=reported,
        agreement=compare_reported(evaluation, reported),
    )


def evaluate_case(
    path: str | os.PathLike[str],
    *,
    lenient: bool | None = None,
    limits: Mapping[str, float] | None = None,
) -> CaseResult:
    """Load and run a case directory in one call (``lenient`` and ``limits`` as in
    :func:`load_case`)."""
    return run_case(load_case(path, lenient=lenient, limits=limits))
