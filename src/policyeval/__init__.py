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

# Every public name is imported on first use (PEP 562): a command imports only the modules it
# runs, so ``policyeval evaluate`` does not pay for sensitivity analysis, and ``import
# policyeval`` stays cheap. Type checkers and readers see the names as plain imports here.

from typing import TYPE_CHECKING

_PLACES = {
    "Aggregator": "policyeval.protocols",
    "AggregatorSpec": "policyeval.framework",
    "Agreement": "policyeval.reported",
    "Assessment": "policyeval.protocols",
    "Bands": "policyeval.scales",
    "Case": "policyeval.case",
    "CaseError": "policyeval.exceptions",
    "CaseResult": "policyeval.case",
    "Confidence": "policyeval.protocols",
    "ConfidenceRule": "policyeval.protocols",
    "DataCheckError": "policyeval.exceptions",
    "Edge": "policyeval.framework",
    "Evaluation": "policyeval.results",
    "Evidence": "policyeval.evidence",
    "EvidenceError": "policyeval.exceptions",
    "EvidenceSet": "policyeval.evidence_io",
    "EvidenceTable": "policyeval.evidence_table",
    "Explanation": "policyeval.results",
    "Framework": "policyeval.framework",
    "FrameworkError": "policyeval.exceptions",
    "InteropError": "policyeval.exceptions",
    "InvalidArgument": "policyeval.exceptions",
    "Judgement": "policyeval.results",
    "Level": "policyeval.scales",
    "Node": "policyeval.framework",
    "NodeScores": "policyeval.aggregate",
    "NumericScale": "policyeval.scales",
    "OrdinalScale": "policyeval.scales",
    "Origin": "policyeval.evidence",
    "PluginContractError": "policyeval.exceptions",
    "PolicyEvalError": "policyeval.exceptions",
    "Problem": "policyeval.exceptions",
    "Rejection": "policyeval.evidence_io",
    "ReportedVerdict": "policyeval.reported",
    "ScaleError": "policyeval.exceptions",
    "ScoreTable": "policyeval.score",
    "Scorer": "policyeval.protocols",
    "ScoringError": "policyeval.exceptions",
    "Sensitivity": "policyeval.sensitivity",
    "Source": "policyeval.evidence",
    "Status": "policyeval.protocols",
    "Triangulation": "policyeval.triangulate",
    "TriangulationRule": "policyeval.protocols",
    "Uncertainty": "policyeval.uncertainty",
    "UnknownPluginError": "policyeval.exceptions",
    "aggregator": "policyeval.registry",
    "compare_reported": "policyeval.reported",
    "confidence_rule": "policyeval.registry",
    "dumps_framework": "policyeval.framework_io",
    "evaluate": "policyeval.evaluate",
    "evaluate_case": "policyeval.case",
    "frameworks": "policyeval.frameworks",
    "load_case": "policyeval.case",
    "load_evidence": "policyeval.evidence_io",
    "load_framework": "policyeval.framework_io",
    "load_reported": "policyeval.reported",
    "load_sources": "policyeval.evidence_io",
    "loads_framework": "policyeval.framework_io",
    "reaggregate": "policyeval.evaluate",
    "rule": "policyeval.registry",
    "run_case": "policyeval.case",
    "save_framework": "policyeval.framework_io",
    "scorer": "policyeval.registry",
    "sensitivity": "policyeval.sensitivity",
    "sensitivity_case": "policyeval.sensitivity",
}
"""Where each public name lives."""

_SHADOWED = frozenset(
    name
    for name, module in _PLACES.items()
    if module == f"policyeval.{name}" and name != "frameworks"
)
"""Public names that are also the names of the modules defining them: the name means the object."""

if TYPE_CHECKING:
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
    from policyeval.framework_io import (
        dumps_framework,
        load_framework,
        loads_framework,
        save_framework,
    )
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

    __version__: str
else:
    import sys
    from importlib import import_module
    from types import ModuleType

    def __getattr__(name: str) -> object:
        if name == "__version__":
            return _version()
        module = _PLACES.get(name)
        if module is None:
            raise AttributeError(f"module 'policyeval' has no attribute {name!r}")
        found = import_module(module)
        value = (
            found
            if module == f"policyeval.{name}" and name not in _SHADOWED
            else getattr(found, name)
        )
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})

    def _version() -> str:
        # The version is read on first use: importlib.metadata costs a cold start more than most
        # of the library, and most commands never ask for it.
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("policyeval")
        except PackageNotFoundError:  # running from a source tree that is not installed
            found = "0.0.0+unknown"
        globals()["__version__"] = found
        return found

    class _Package(ModuleType):
        """The package module, which keeps the import system from binding the modules
        ``policyeval.evaluate`` and ``policyeval.sensitivity`` over the public functions of those
        names (it binds each submodule it imports to the package): they stay functions, as when
        every name was imported eagerly."""

        def __setattr__(self, name: str, value: object) -> None:
            if name in _SHADOWED and isinstance(value, ModuleType):
                return
            super().__setattr__(name, value)

    sys.modules[__name__].__class__ = _Package

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
