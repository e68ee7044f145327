"""Imputation and outlier treatment as uncertain inputs of a sensitivity analysis.

A choice is written as in a case's ``[pipeline]``: an imputation is
``"mean"``, ``"median"``, ``{ method = "mean", group = "EurAsia_group" }``
or ``"none"`` (no imputation); a treatment is a treatment's name or
``{ name = "winsorise", winmax = 3 }`` (:data:`policyeval.treatment.TREATMENTS`,
and ``"none"``). A draw's pipeline is the case's with its impute and treat
steps replaced by the drawn ones (or inserted where COINr runs them: impute
after denominate, treat after screen), run on the table as read. The few
distinct pipelines are run once, before any draw.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from policyeval.exceptions import PolicyEvalError, Problem
from policyeval.numeric_data import NumericTable
from policyeval.pipeline import NumericPipeline, impute_step, treat_step

__all__ = ["choice_problems", "prepare", "step_for"]

NOMINAL = -1
# Where a step goes when the pipeline has none of its kind: after the last of these.
_BEFORE = {"impute": ("denominate",), "treat": ("denominate", "impute", "screen")}


def step_for(kind: str, choice: Any) -> Any:
    """The pipeline step for an ``"imputation"`` or ``"treatment"`` choice (``None``: no step).

    Raises :class:`~policyeval.exceptions.PolicyEvalError` (or :class:`TypeError`
    for parameters the treatment does not take) on a bad choice.

    >>> step_for("imputation", {"method": "median", "group": "region"})
    impute_step('median', group='region')
    >>> step_for("treatment", {"name": "winsorise", "winmax": 3})
    treat_step(winsorise(winmax=3, skew_threshold=2.0, kurtosis_threshold=3.5))
    >>> step_for("treatment", "none") is None
    True
    """
    from policyeval.exceptions import InvalidArgument

    if choice == "none":
        return None
    if kind == "imputation":
        options = dict(choice) if isinstance(choice, Mapping) else {"method": choice}
        unknown = sorted(set(options) - {"method", "group"})
        if unknown:
            raise InvalidArgument(f"unknown imputation keys {unknown!r} (allowed: group, method)")
        return impute_step(options.get("method", "mean"), group=options.get("group"))
    from policyeval.treatment import TREATMENTS

    params = dict(choice) if isinstance(choice, Mapping) else {}
    name = params.pop("name", None) if isinstance(choice, Mapping) else choice
    if name not in TREATMENTS:
        known = ", ".join(map(repr, sorted([*TREATMENTS, "none"])))
        raise InvalidArgument(f"unknown treatment {name!r} (known: {known})")
    return treat_step(TREATMENTS[str(name)](**params))


def choice_problems(
    kind: str, choices: Any, *, groups: Sequence[str] | None, file: str | None, key: str
) -> list[Problem]:
    """Every problem with a list of imputation or treatment choices, located at ``key[i]``.

    ``groups`` are the data's group columns (``None``: not known here).
    """
    if isinstance(choices, str | Mapping) or not isinstance(choices, Sequence) or not choices:
        return [Problem("must be a non-empty list of choices", file=file, key=key, value=choices)]
    problems = []
    for index, choice in enumerate(choices):
        try:
            step = step_for(kind, choice)
        except (PolicyEvalError, TypeError) as error:
            problems.append(Problem(str(error), file=file, key=f"{key}[{index}]", value=choice))
            continue
        group = getattr(step, "group", None)
        if groups is not None and group is not None and group not in groups:
            problems.append(
                Problem("not one of data.groups", file=file, key=f"{key}[{index}]", value=group)
            )
    return problems


def _with_step(steps: list[Any], name: str, step: Any) -> list[Any]:
    found = [index for index, old in enumerate(steps) if getattr(old, "name", None) == name]
    if found:
        kept = [old for index, old in enumerate(steps) if index not in found[1:]]
        position = found[0]
        return kept[:position] + ([step] if step is not None else []) + kept[position + 1 :]
    if step is None:
        return steps
    after = [i for i, old in enumerate(steps) if getattr(old, "name", None) in _BEFORE[name]]
    position = after[-1] + 1 if after else 0
    return [*steps[:position], step, *steps[position:]]


def prepare(
    table: NumericTable,
    pipeline: NumericPipeline,
    *,
    imputations: Sequence[Any],
    treatments: Sequence[Any],
    units: Sequence[str],
) -> tuple[tuple[tuple[int, int], NumericTable], ...]:
    """The table after the pipeline with each pair of choices, by choice indices.

    An empty ``imputations`` (``treatments``) keeps the pipeline's own step,
    written with the index ``-1``. Raises :class:`~policyeval.exceptions.InvalidArgument` naming
    the choices when a pipeline fails or drops one of ``units``.
    """
    from policyeval.exceptions import InvalidArgument

    prepared = []
    imputation_options = range(len(imputations)) if imputations else [NOMINAL]
    treatment_options = range(len(treatments)) if treatments else [NOMINAL]
    for imputation, treatment in itertools.product(imputation_options, treatment_options):
        steps = list(pipeline.steps)
        if imputation != NOMINAL:
            steps = _with_step(steps, "impute", step_for("imputation", imputations[imputation]))
        if treatment != NOMINAL:
            steps = _with_step(steps, "treat", step_for("treatment", treatments[treatment]))
        named = (
            f"imputation={imputations[imputation]!r}" if imputation != NOMINAL else "",
            f"treatment={treatments[treatment]!r}" if treatment != NOMINAL else "",
        )
        where = " with " + " and ".join(part for part in named if part)
        try:
            result = NumericPipeline(tuple(steps))(table).table if steps else table
        except PolicyEvalError as error:
            raise InvalidArgument(f"the data pipeline{where} fails: {error}") from None
        missing = [unit for unit in units if unit not in result.units]
        if missing:
            raise InvalidArgument(
                f"the data pipeline{where} drops units {missing!r}; every draw needs every unit"
            )
        prepared.append(((imputation, treatment), result))
    return tuple(prepared)
