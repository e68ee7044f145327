"""Case files with numbers: the ``[data]`` and ``[pipeline]`` sections of ``case.toml``.

A case may give its units' numbers in a units x indicators table (CSV or
XLSX) instead of, or beside, evidence rows::

    [data]
    file = "data/ASEM_iData.csv"
    unit_column = "uCode"
    groups = ["EurAsia_group"]
    denominators = ["Area", "Energy", "GDP", "Population"]

    [pipeline]
    denominate = { Flights = "Population", Bord = "Area" }
    impute = { method = "mean", group = "EurAsia_group" }
    screen = { min_share = 0.9 }
    treat = { name = "coinr_default", winmax = 5 }
    treat_indicators = { Tariff = "none" }

The steps run in COINr's order (denominate, impute, screen, treat), each
only when its key is present, and every one of them is recorded in the
provenance. Normalising is scoring: the case's ``[scoring]`` section (or the
framework's declared scorer) puts each indicator on the common range.

>>> spec, problems = parse_data_sections({}, folder=Path("."), framework=None, where="case.toml")
>>> spec is None, problems
(True, [])
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from policyeval.exceptions import PolicyEvalError, Problem
from policyeval.files import OUTSIDE_FOLDER, inside
from policyeval.framework import Framework

if TYPE_CHECKING:
    # Imported where a [data] table is read: a case without one needs neither.
    from policyeval.numeric_data import NumericTable
    from policyeval.pipeline import NumericPipeline, PipelineResult

__all__ = ["DATA_KEYS", "PIPELINE_KEYS", "DataSpec", "load_case_data", "parse_data_sections"]

DATA_KEYS = frozenset({"file", "unit_column", "groups", "denominators", "ignore", "sheet"})
PIPELINE_KEYS = frozenset({"denominate", "impute", "screen", "treat", "treat_indicators", "why"})


def _treatments() -> dict[str, Callable[..., Any]]:
    from policyeval.treatment import TREATMENTS

    return {**TREATMENTS, "none": TREATMENTS["no_treatment"]}


@attrs.frozen(kw_only=True)
class DataSpec:
    """Where a case's numbers are and how they are prepared before scoring."""

    file: Path
    unit_column: str
    groups: tuple[str, ...] = ()
    denominators: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    sheet: str | None = None
    pipeline: NumericPipeline
    why: str | None = None


def _strings(value: Any, key: str, where: str, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        problems.append(Problem("must be a list of column names", file=where, key=key, value=value))
        return ()
    return tuple(str(item) for item in value)


def _build_treatment(spec: Any, key: str, where: str, problems: list[Problem]) -> Any:
    known = _treatments()
    params: dict[str, Any] = {}
    if isinstance(spec, Mapping):
        params = dict(spec)
        name = params.pop("name", None)
    else:
        name = spec
    if name not in known:
        problems.append(
            Problem(
                f"unknown treatment (known: {', '.join(sorted(known))})",
                file=where,
                key=key,
                value=name,
            )
        )
        return None
    factory = known[str(name)]
    try:
        inspect.signature(factory).bind(**params)
        return factory(**params)
    except TypeError as error:
        problems.append(Problem(f"bad parameters: {error}", file=where, key=key, value=params))
    except PolicyEvalError as error:
        problems.append(Problem(str(error), file=where, key=key))
    return None


def parse_data_sections(
    data: Mapping[str, Any], *, folder: Path, framework: Framework | None, where: str
) -> tuple[DataSpec | None, list[Problem]]:
    """Read ``[data]`` and ``[pipeline]`` from a parsed ``case.toml``.

    Returns the spec (``None`` when the case has no ``[data]``) and every
    problem found, each naming the file and key.
    """
    problems: list[Problem] = []
    section = data.get("data")
    pipeline = data.get("pipeline", {})
    if section is None:
        if pipeline:
            problems.append(
                Problem("a [pipeline] needs a [data] table", file=where, key="pipeline")
            )
        return None, problems
    from policyeval.pipeline import (
        NumericPipeline,
        denominate_step,
        impute_step,
        screen_step,
        treat_step,
    )

    for table, allowed, prefix in (
        (section, DATA_KEYS, "data."),
        (pipeline, PIPELINE_KEYS, "pipeline."),
    ):
        for key in sorted(set(table) - allowed):
            problems.append(
                Problem(
                    f"unknown key (allowed: {', '.join(sorted(allowed))})",
                    file=where,
                    key=f"{prefix}{key}",
                )
            )
    file = section.get("file")
    data_file = inside(folder, file) if isinstance(file, str) and file else None
    if isinstance(file, str) and file and data_file is None:
        problems.append(
            Problem(
                OUTSIDE_FOLDER,
                message_id="file.outside_folder",
                file=where,
                key="data.file",
                value=file,
            )
        )
    elif data_file is None or not data_file.is_file():
        problems.append(Problem("data file not found", file=where, key="data.file", value=file))
    unit_column = section.get("unit_column")
    if not isinstance(unit_column, str) or not unit_column:
        problems.append(
            Problem("name the column holding unit ids", file=where, key="data.unit_column")
        )
    groups = _strings(section.get("groups"), "data.groups", where, problems)
    denominators = _strings(section.get("denominators"), "data.denominators", where, problems)
    ignore = _strings(section.get("ignore"), "data.ignore", where, problems)

    steps: list[Any] = []
    denominate = pipeline.get("denominate")
    if denominate is not None:
        if not isinstance(denominate, Mapping):
            problems.append(
                Problem(
                    "must map indicators to denominator columns",
                    file=where,
                    key="pipeline.denominate",
                )
            )
        else:
            for indicator, column in denominate.items():
                if framework is not None and indicator not in framework.indicators:
                    problems.append(
                        Problem(
                            "not an indicator of the framework",
                            file=where,
                            key=f"pipeline.denominate.{indicator}",
                        )
                    )
                if column not in denominators:
                    problems.append(
                        Problem(
                            "not one of data.denominators",
                            file=where,
                            key=f"pipeline.denominate.{indicator}",
                            value=column,
                        )
                    )
            steps.append(denominate_step({str(k): str(v) for k, v in denominate.items()}))
    impute = pipeline.get("impute")
    if impute is not None:
        options = dict(impute) if isinstance(impute, Mapping) else {"method": impute}
        group = options.get("group")
        if group is not None and group not in groups:
            problems.append(
                Problem(
                    "not one of data.groups", file=where, key="pipeline.impute.group", value=group
                )
            )
        try:
            steps.append(impute_step(options.get("method", "mean"), group=group))
        except PolicyEvalError as error:
            problems.append(Problem(str(error), file=where, key="pipeline.impute"))
    screen = pipeline.get("screen")
    if screen is not None:
        try:
            steps.append(screen_step(min_share=dict(screen).get("min_share", 0.9)))
        except (PolicyEvalError, TypeError, ValueError) as error:
            problems.append(Problem(str(error), file=where, key="pipeline.screen"))
    treat = pipeline.get("treat")
    per_indicator = pipeline.get("treat_indicators", {})
    if treat is not None or per_indicator:
        default = (
            _build_treatment(treat, "pipeline.treat", where, problems)
            if treat is not None
            else None
        )
        chosen = {
            str(indicator): _build_treatment(
                spec, f"pipeline.treat_indicators.{indicator}", where, problems
            )
            for indicator, spec in dict(per_indicator).items()
        }
        if framework is not None:
            for indicator in sorted(set(chosen) - set(framework.indicators)):
                problems.append(
                    Problem(
                        "not an indicator of the framework",
                        file=where,
                        key=f"pipeline.treat_indicators.{indicator}",
                    )
                )
        steps.append(treat_step(chosen, default=default) if chosen else treat_step(default))
    if problems:
        return None, problems
    spec = DataSpec(
        file=data_file if data_file is not None else folder / str(file),
        unit_column=str(unit_column),
        groups=groups,
        denominators=denominators,
        ignore=ignore,
        sheet=section.get("sheet"),
        pipeline=NumericPipeline(tuple(steps)),
        why=pipeline.get("why"),
    )
    return spec, problems


def load_case_data(spec: DataSpec, framework: Framework) -> PipelineResult:
    """Read the case's table (one column per indicator of the framework) and run its steps.

    An empty pipeline returns the table as read, with one provenance record
    saying that no step ran.
    """
    from policyeval.numeric_data import load_numeric_table
    from policyeval.pipeline import PipelineResult

    table: NumericTable = load_numeric_table(
        spec.file,
        unit_column=spec.unit_column,
        indicators=list(framework.indicators),
        group_columns=list(spec.groups),
        denominator_columns=list(spec.denominators),
        ignore=list(spec.ignore),
        sheet=spec.sheet,
    )
    if not spec.pipeline.steps:
        from policyeval.numeric_data import Record

        return PipelineResult(
            table,
            (Record("pipeline", "no step", detail="the values are used as read"),),
            (("input", table),),
        )
    return spec.pipeline(table)
