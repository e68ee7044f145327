"""The public names are a promise: this test pins them."""

from __future__ import annotations

import policyeval

PUBLIC = {
    "Aggregator",
    "AggregatorSpec",
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
    "Agreement",
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
    "NodeScores",
    "Triangulation",
    "Status",
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
}


def test_all_is_sorted_and_pinned() -> None:
    """__all__ lists exactly the public names, sorted."""
    assert policyeval.__all__ == sorted(policyeval.__all__)
    assert set(policyeval.__all__) == PUBLIC


def test_every_public_name_exists_and_is_documented() -> None:
    """Each public name resolves, and each callable has a docstring."""
    for name in policyeval.__all__:
        value = getattr(policyeval, name)
        if callable(value):
            assert value.__doc__, name


def test_every_exception_derives_from_the_root_and_a_builtin() -> None:
    """Each exception class is a PolicyEvalError and also a builtin exception type."""
    builtin_bases = (ValueError, LookupError, TypeError)
    for name in policyeval.__all__:
        value = getattr(policyeval, name)
        if (
            isinstance(value, type)
            and issubclass(value, Exception)
            and value is not policyeval.PolicyEvalError
        ):
            assert issubclass(value, policyeval.PolicyEvalError), name
            assert issubclass(value, builtin_bases), name


def test_version_is_the_package_version() -> None:
    """__version__ is read from the installed distribution."""
    assert policyeval.__version__ == "0.1.0"
