"""What reports accept: a case result, or any evaluation (case metadata optional)."""

from __future__ import annotations

from policyeval.case import CaseResult
from policyeval.exceptions import InvalidArgument
from policyeval.results import Evaluation

__all__ = ["Reportable", "parts"]

Reportable = CaseResult | Evaluation
"""What a report renders: a case result, or any evaluation."""


def parts(result: Reportable) -> tuple[Evaluation, CaseResult | None]:
    """The evaluation, and the case result around it when there is one."""
    if isinstance(result, CaseResult):
        return result.evaluation, result
    if isinstance(result, Evaluation):
        return result, None
    raise InvalidArgument(
        f"a report renders a CaseResult or an Evaluation, got {type(result).__name__}"
    )
