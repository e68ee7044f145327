"""A case's [data] and [pipeline] tables: every problem named with its key, and a table that
needs no step used as read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import make_framework
from policyeval.case_data import load_case_data, parse_data_sections


def _problems(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    (tmp_path / "data.csv").write_text("unit,realisasi,pop\na,80,10\n", encoding="utf-8")
    spec, problems = parse_data_sections(
        data, folder=tmp_path, framework=make_framework(), where="case.toml"
    )
    assert (spec is None) == bool(problems)
    return [str(problem) for problem in problems]


DATA = {"file": "data.csv", "unit_column": "unit", "denominators": ["pop"], "groups": ["region"]}


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        (
            {"pipeline": {"impute": "mean"}},
            "case.toml: pipeline: a [pipeline] needs a [data] table",
        ),
        (
            {"data": {**DATA, "colour": "red"}, "pipeline": {"colour": 1}},
            "case.toml: data.colour: unknown key (allowed: denominators, file, groups, ignore, "
            "sheet, unit_column)",
        ),
        (
            {"data": {**DATA, "file": "missing.csv"}},
            "data.file: data file not found (got 'missing.csv')",
        ),
        ({"data": {**DATA, "groups": "region"}}, "data.groups: must be a list of column names"),
        (
            {"data": DATA, "pipeline": {"denominate": {"kejelasn": "pop"}}},
            "case.toml: pipeline.denominate.kejelasn: not an indicator of the framework",
        ),
        (
            {"data": DATA, "pipeline": {"denominate": "pop"}},
            "pipeline.denominate: must map indicators to denominator columns",
        ),
        (
            {"data": DATA, "pipeline": {"impute": "mode"}},
            "pipeline.impute: method must be 'mean' or 'median'",
        ),
        (
            {"data": DATA, "pipeline": {"screen": {"min_share": 2}}},
            "case.toml: pipeline.screen: min_share must lie in [0, 1], got min_share=2",
        ),
        (
            {"data": DATA, "pipeline": {"treat": {"name": "winsorise", "strength": 3}}},
            "pipeline.treat: bad parameters",
        ),
        (
            {"data": DATA, "pipeline": {"treat_indicators": {"program": "none"}}},
            "pipeline.treat_indicators.program: not an indicator of the framework",
        ),
    ],
)
def test_each_problem_in_data_and_pipeline_names_its_key(
    tmp_path: Path, tables: dict[str, Any], expected: str
) -> None:
    """Unknown keys, missing files, wrong lists, non-indicators, unknown methods and bad step
    parameters are each reported with the case file and key."""
    found = _problems(tmp_path, tables)
    assert any(expected in problem for problem in found), found


def test_a_treatment_given_as_a_table_with_parameters_is_built(tmp_path: Path) -> None:
    """treat = { name = ..., params } builds the treatment; the data file resolves in the folder."""
    assert _problems(tmp_path, {"data": DATA, "pipeline": {"treat": {"name": "none"}}}) == []


def test_a_table_without_pipeline_steps_is_used_as_read(tmp_path: Path) -> None:
    """With no [pipeline], the values are the table's own and one record says no step ran."""
    (tmp_path / "data.csv").write_text(
        "unit,kejelasan,konsistensi,kompetensi,realisasi\na,4,3,2,80\nb,1,,2,55.5\n",
        encoding="utf-8",
    )
    spec, problems = parse_data_sections(
        {"data": {"file": "data.csv", "unit_column": "unit"}},
        folder=tmp_path,
        framework=make_framework(),
        where="case.toml",
    )
    assert problems == [] and spec is not None
    result = load_case_data(spec, make_framework())
    assert result.table.units == ("a", "b")
    assert result.table.values[:, result.table.indicators.index("realisasi")].tolist() == [
        80.0,
        55.5,
    ]
    assert [(record.step, record.action, record.detail) for record in result.provenance] == [
        ("pipeline", "no step", "the values are used as read")
    ]
