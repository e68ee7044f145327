"""What reports accept: a case result, or any evaluation (case metadata optional)."""

from __future__ import annotations

from collections.abc import Iterable

from policyeval.case import CaseResult
from policyeval.exceptions import InvalidArgument, did_you_mean, first_of
from policyeval.results import Evaluation

__all__ = ["Reportable", "chosen_units", "parts"]

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


def chosen_units(held: Iterable[str], units: Iterable[str] | None) -> frozenset[str] | None:
    """The units a report or comparison is asked to show, checked against those ``held``
    (``None``: all of them).

    >>> sorted(chosen_units(["north", "south"], ["south"]))
    ['south']
    >>> chosen_units(["north", "south"], ["sout"])
    Traceback (most recent call last):
    ...
    policyeval.exceptions.InvalidArgument: no unit 'sout' in the evaluation (did you mean 'south'?); its units are north, south
    """
    if units is None:
        return None
    if isinstance(units, str):
        raise InvalidArgument(f"units must be a list of unit ids, not a string: units={units!r}")
    wanted, known = list(units), list(held)
    if not wanted:
        raise InvalidArgument("units names no unit; give at least one, or None for all")
    present = set(known)
    for unit in wanted:
        if unit not in present:
            raise InvalidArgument(
                f"no unit {unit!r} in the evaluation{did_you_mean(unit, known)}; "
                f"its units are {first_of(known)}"
            )
    return frozenset(wanted)
