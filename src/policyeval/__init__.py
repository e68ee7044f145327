"""policyeval: evaluate public programmes with explicit, testable evaluation frameworks.

Data flows one way: a :class:`Framework` (a graph of dimensions and
indicators) → :class:`Evidence` attached to indicators → a triangulation
rule per indicator → aggregation up the graph → an :class:`Evaluation` whose
every :class:`Judgement` is traceable to the evidence behind it.

>>> import policyeval
>>> fw = policyeval.frameworks.load("agustino")
>>> len(fw.of_kind("dimension")), len(fw.indicators)
(5, 12)
>>> policyeval.aggregator("mean")([4, 3, 2, 2, 2], [1, 1, 1, 1, 1])
2.6
"""

from typing import Any

from policyeval import frameworks
from policyeval.aggregate import NodeScores
from policyeval.case import Case, CaseResult, evaluate_case, load_case, run_case
from policyeval.evaluate import evaluate, reaggregate
from policyeval.evidence import Evidence, Origin, Source
from policyeval.evidence_io import EvidenceSet, Rejection, load_evidence, load_sources
from policyeval.evidence_table import EvidenceTable
from policyeval.exceptions import (
    CaseError,
    DataCheckError,
    EvidenceError,
    FrameworkError,
    InteropError,
    InvalidArgument,
    PluginContractError,
    PolicyEvalError,
    Problem,
    ScaleError,
    ScoringError,
    UnknownPluginError,
)
from policyeval.framework import AggregatorSpec, Edge, Framework, Node
from policyeval.framework_io import dumps_framework, load_framework, loads_framework, save_framework
from policyeval.protocols import (
    Aggregator,
    Assessment,
    Confidence,
    ConfidenceRule,
    Scorer,
    Status,
    TriangulationRule,
)
from policyeval.registry import aggregator, confidence_rule, rule, scorer
from policyeval.reported import Agreement, ReportedVerdict, compare_reported, load_reported
from policyeval.results import Evaluation, Explanation, Judgement
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale
from policyeval.score import ScoreTable
from policyeval.sensitivity import Sensitivity, sensitivity, sensitivity_case
from policyeval.triangulate import Triangulation
from policyeval.uncertainty import Uncertainty


def __getattr__(name: str) -> Any:
    # The version is read on first use: importlib.metadata costs a cold start more than most of
    # the library, and most commands never ask for it.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("policyeval")
        except PackageNotFoundError:  # running from a source tree that is not installed
            found = "0.0.0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module 'policyeval' has no attribute {name!r}")


__all__ = [
    "Aggregator",
    "AggregatorSpec",
    "Agreement",
    "Assessment",
    "Bands",
    "Case",
    "CaseError",
    "CaseResult",
    "Confidence",
    "ConfidenceRule",
    "DataCheckError",
    "Edge",
    "Evaluation",
    "Evidence",
    "EvidenceError",
    "EvidenceSet",
    "EvidenceTable",
    "Explanation",
    "Framework",
    "FrameworkError",
    "InteropError",
    "InvalidArgument",
    "Judgement",
    "Level",
    "Node",
    "NodeScores",
    "NumericScale",
    "OrdinalScale",
    "Origin",
    "PluginContractError",
    "PolicyEvalError",
    "Problem",
    "Rejection",
    "ReportedVerdict",
    "ScaleError",
    "ScoreTable",
    "Scorer",
    "ScoringError",
    "Sensitivity",
    "Source",
    "Status",
    "Triangulation",
    "TriangulationRule",
    "Uncertainty",
    "UnknownPluginError",
    "__version__",
    "aggregator",
    "compare_reported",
    "confidence_rule",
    "dumps_framework",
    "evaluate",
    "evaluate_case",
    "frameworks",
    "load_case",
    "load_evidence",
    "load_framework",
    "load_reported",
    "load_sources",
    "loads_framework",
    "reaggregate",
    "rule",
    "run_case",
    "save_framework",
    "scorer",
    "sensitivity",
    "sensitivity_case",
]
