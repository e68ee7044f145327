"""Data checks: totals, internal consistency and plausibility of data tables.

A case may ship the tables its evidence draws on (budgets, event lists,
counts). Checks declared in ``case.toml`` test them, and every inconsistency
found is reported, never fixed: the source data stay as published.

Check kinds (each a table in ``[[checks]]``):

``complete``
    every listed ``columns`` has a value in every row.
``not_greater``
    per row, ``left <= right`` (e.g. realisation not above allocation).
``sum``
    the rows matching ``parts`` add up, in ``column`` (or each of
    ``columns``), to the rows matching ``total``.
``equals``
    an aggregate of one table equals an aggregate of another, or a constant:
    ``left``/``right`` are ``{table, column (or columns), where, agg}`` (``agg`` is
    ``sum``, ``count``, ``min`` or ``max``) or ``{value = ...}``.
``at_least``
    like ``equals``, but passes when the left aggregate is at least the
    right one (e.g. a majority claim against the counts it rests on).
``date_order``
    per row, ``start <= end``.
``unique``
    the listed ``columns`` identify a row.
``range``
    per row, ``min <= column <= max`` (either bound optional).

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "budget.csv").write_text(
...     "line,allocation,realisation\\nA,100,120\\nB,50,\\n", encoding="utf-8")
>>> checks = parse_checks([
...     {"id": "le", "kind": "not_greater", "table": "budget.csv", "left": "realisation", "right": "allocation"},
...     {"id": "full", "kind": "complete", "table": "budget.csv", "columns": ["realisation"]},
... ], file="case.toml")
>>> for result in run_checks(checks, base=folder):
...     print(result.id, result.passed, [f.message for f in result.findings])
le False ['realisation 120 is greater than allocation 100']
full False ['realisation has no value']
"""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from policyeval.dates import parse_date
from policyeval.exceptions import DataCheckError, EvidenceError, Problem
from policyeval.files import OUTSIDE_FOLDER, inside
from policyeval.tables import (
    Row,
    Table,
    filter_rows,
    fold_column,
    number_hint,
    parse_number,
    read_table,
)
from policyeval.texts import Text

__all__ = ["CHECK_KINDS", "Check", "CheckResult", "Finding", "parse_checks", "run_checks"]

_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required keys, optional keys), besides id, kind, why
    "complete": ({"table", "columns"}, set()),
    "not_greater": ({"table", "left", "right"}, {"where"}),
    "sum": ({"table", "total", "parts"}, {"column", "columns", "tolerance"}),
    "equals": ({"left", "right"}, {"tolerance"}),
    "at_least": ({"left", "right"}, {"tolerance"}),
    "date_order": ({"table", "start", "end"}, set()),
    "unique": ({"table", "columns"}, set()),
    "range": ({"table", "column"}, {"min", "max", "where"}),
}
CHECK_KINDS = tuple(sorted(_FIELDS))
_AGGREGATES = ("sum", "count", "min", "max")
_SIDE_KEYS = {"table", "column", "columns", "where", "agg", "value"}


@attrs.frozen
class Check:
    """One declared check: its id, kind, parameters and the reason it exists."""

    id: str
    kind: str
    params: dict[str, Any]
    why: Text | None = None


@attrs.frozen(kw_only=True)
class Finding:
    """One inconsistency found by a check, with the file and row it is in."""

    message: str
    file: str | None = None
    row: int | None = None
    values: dict[str, Any] = attrs.field(factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"message": self.message, "file": self.file, "row": self.row, "values": self.values}


@attrs.frozen(kw_only=True)
class CheckResult:
    """The outcome of one check: passed, or the findings that failed it."""

    id: str
    kind: str
    why: Text | None
    tables: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        """Whether the check found nothing."""
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``data_checks`` entries of a case result)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "passed": self.passed,
            "why": self.why,
            "tables": list(self.tables),
            "findings": [finding.as_dict() for finding in self.findings],
        }


def parse_checks(
    entries: Sequence[Mapping[str, Any]], *, file: str | None = None
) -> tuple[Check, ...]:
    """Validate ``[[checks]]`` entries; raise :class:`DataCheckError` listing every problem."""
    problems = []
    checks = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        key = f"checks[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem("must be a table", file=file, key=key))
            continue
        kind = entry.get("kind")
        if kind not in _FIELDS:
            problems.append(
                Problem(
                    f"unknown check kind; kinds are {', '.join(CHECK_KINDS)}",
                    file=file,
                    key=f"{key}.kind",
                    value=kind,
                )
            )
            continue
        required, optional = _FIELDS[kind]
        for missing in sorted(required - set(entry)):
            problems.append(
                Problem(f"a {kind!r} check needs {missing!r}", file=file, key=f"{key}.{missing}")
            )
        for unknown in sorted(set(entry) - required - optional - {"id", "kind", "why"}):
            problems.append(
                Problem(f"unknown key for a {kind!r} check", file=file, key=f"{key}.{unknown}")
            )
        if kind == "sum" and not ({"column", "columns"} & set(entry)):
            problems.append(
                Problem("a 'sum' check needs 'column' or 'columns'", file=file, key=f"{key}.column")
            )
        problems.extend(_check_params(entry, key, file))
        check_id = str(entry.get("id") or f"{kind}-{index + 1}")
        if check_id in seen:
            problems.append(
                Problem("duplicate check id", file=file, key=f"{key}.id", value=check_id)
            )
        seen.add(check_id)
        params = {k: v for k, v in entry.items() if k not in ("id", "kind", "why")}
        checks.append(Check(check_id, str(kind), params, entry.get("why")))
    if problems:
        raise DataCheckError(problems)
    return tuple(checks)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_params(entry: Mapping[str, Any], key: str, file: str | None) -> list[Problem]:
    """Problems with the types of a check's parameters, so that a check never fails half-run."""
    problems = []
    columns = entry.get("columns")
    if "columns" in entry and (
        isinstance(columns, str)
        or not isinstance(columns, Sequence)
        or not columns
        or not all(isinstance(column, str) for column in columns)
    ):
        problems.append(
            Problem(
                "must be a list of column names", file=file, key=f"{key}.columns", value=columns
            )
        )
    for name in ("min", "max", "tolerance"):
        if name in entry and not _is_number(entry[name]):
            problems.append(
                Problem("must be a number", file=file, key=f"{key}.{name}", value=entry[name])
            )
    for name in ("where", "total", "parts"):
        if name in entry and not isinstance(entry[name], Mapping):
            problems.append(
                Problem(
                    "must be a table of column = value pairs",
                    file=file,
                    key=f"{key}.{name}",
                    value=entry[name],
                )
            )
    if entry.get("kind") in ("equals", "at_least"):
        for side in ("left", "right"):
            if side in entry:
                problems.extend(_check_side(entry[side], f"{key}.{side}", file))
    return problems


def _check_side(spec: Any, key: str, file: str | None) -> list[Problem]:
    """Problems with one side of an ``equals`` check: ``{table, column, where, agg}`` or ``{value}``."""
    if not isinstance(spec, Mapping):
        return [
            Problem(
                "must be a table: {table, column, where, agg} or {value}",
                file=file,
                key=key,
                value=spec,
            )
        ]
    problems = [
        Problem("unknown key", file=file, key=f"{key}.{unknown}")
        for unknown in sorted(set(spec) - _SIDE_KEYS)
    ]
    if "value" in spec:
        if not _is_number(spec["value"]):
            problems.append(
                Problem("must be a number", file=file, key=f"{key}.value", value=spec["value"])
            )
        if set(spec) & (_SIDE_KEYS - {"value"}):
            problems.append(Problem("give 'value' or a table, not both", file=file, key=key))
        return problems
    agg = spec.get("agg", "sum")
    if agg not in _AGGREGATES:
        problems.append(
            Problem("agg must be sum, count, min or max", file=file, key=f"{key}.agg", value=agg)
        )
    if "table" not in spec or (agg != "count" and not ({"column", "columns"} & set(spec))):
        problems.append(
            Problem(
                "needs 'value', or 'table' and 'column' or 'columns' (neither when agg = 'count')",
                file=file,
                key=key,
            )
        )
    if "where" in spec and not isinstance(spec["where"], Mapping):
        problems.append(
            Problem(
                "must be a table of column = value pairs",
                file=file,
                key=f"{key}.where",
                value=spec["where"],
            )
        )
    return problems


class _Tables:
    """Reads each table once, relative to the case folder."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.cache: dict[str, Table] = {}

    def get(self, name: str, check: Check) -> Table:
        if name not in self.cache:
            path = inside(self.base, name)
            if path is None:
                raise DataCheckError(
                    [Problem(f"check {check.id!r}: table {OUTSIDE_FOLDER}", value=name)]
                )
            try:
                self.cache[name] = read_table(path)
            except EvidenceError as error:
                raise DataCheckError(
                    attrs.evolve(p, message=f"check {check.id!r}: {p.message}", message_id=None)
                    for p in error.problems
                ) from None
        return self.cache[name]

    def column(self, table: Table, column: str, check: Check) -> str:
        folded = fold_column(column)
        if not table.has(folded):
            raise DataCheckError(
                [
                    Problem(
                        f"check {check.id!r}: no column {column!r} (columns: {', '.join(table.columns)})",
                        file=table.file,
                        row=table.header_row,
                    )
                ]
            )
        return folded

    def rows(self, table: Table, where: Mapping[str, Any] | None, check: Check) -> tuple[Row, ...]:
        """The rows matching ``where``; a filter on a missing column is an error, not an empty match."""
        for column in where or {}:
            self.column(table, str(column), check)
        return filter_rows(table, where)


def run_checks(checks: Sequence[Check], *, base: str | Path) -> tuple[CheckResult, ...]:
    """Run checks against the tables under ``base``; every inconsistency is a finding.

    A check that cannot run (missing table or column) raises
    :class:`DataCheckError`: that is a problem with the case, not with the data.
    File names in the results are relative to ``base``, so results do not
    depend on where the case folder lies.
    """
    tables = _Tables(Path(base))
    results = []

    def relative(file: str | None) -> str | None:
        return None if file is None else Path(os.path.relpath(file, base)).as_posix()

    for check in checks:
        runner = _RUNNERS[check.kind]
        findings, used = runner(check, tables)
        results.append(
            CheckResult(
                id=check.id,
                kind=check.kind,
                why=check.why,
                tables=tuple(relative(file) or file for file in used),
                findings=tuple(attrs.evolve(f, file=relative(f.file)) for f in findings),
            )
        )
    return tuple(results)


def _number(table: Table, row: Row, column: str) -> float | str | None:
    """A cell as a number, ``None`` when empty, or the text when it is not a number."""
    text = row.get(column)
    if text is None:
        return None
    try:
        return parse_number(text, decimal_comma=table.decimal_comma)
    except ValueError:
        return text


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _not_a_number(table: Table, row: Row, column: str, text: str) -> Finding:
    return Finding(
        message=f"{column} is not a number: {text!r}"
        + number_hint(text, decimal_comma=table.decimal_comma),
        file=table.file,
        row=row.number,
        values={column: text},
    )


def _complete(check: Check, tables: _Tables) -> tuple[list[Finding], tuple[str, ...]]:
    table = tables.get(check.params["table"], check)
    columns = [tables.column(table, c, check) for c in check.params["columns"]]
    findings = [
        Finding(
            message=f"{column} has no value", file=table.file, row=row.number, values={column: None}
        )
        for row in table.rows
        for column in columns
        if row.get(column) is None
    ]
    return findings, (table.file,)


def _not_greater(check: Check, tables: _Tables) -> tuple[list[Finding], tuple[str, ...]]:
    table = tables.get(check.params["table"], check)
    left = tables.column(table, check.params["left"], check)
    right = tables.column(table, check.params["right"], check)
    findings = []
    for row in tables.rows(table, check.params.get("where"), check):
        a, b = _number(table, row, left), _number(table, row, right)
        for column, cell in ((left, a), (right, b)):
            if isinstance(cell, str):
                findings.append(_not_a_number(table, row, column, cell))
        if isinstance(a, float) and isinstance(b, float) and a > b:
            findings.append(
                Finding(
                    message=f"{left} {_fmt(a)} is greater than {right} {_fmt(b)}",
                    file=table.file,
                    row=row.number,
                    values={left: a, right: b, "excess": a - b},
                )
            )
    return findings, (table.file,)


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


def _sum(check: Check, tables: _Tables) -> tuple[list[Finding], tuple[str, ...]]:
    table = tables.get(check.params["table"], check)
    names = check.params.get("columns") or [check.params["column"]]
    tolerance = float(check.params.get("tolerance", 0))
    totals = tables.rows(table, check.params["total"], check)
    total_numbers = {row.number for row in totals}
    # A total row is never its own part, so ``parts = {}`` means "every other row".
    parts = tuple(
        row
        for row in tables.rows(table, check.params["parts"], check)
        if row.number not in total_numbers
    )
    findings = []
    if not totals:
        findings.append(
            Finding(message=f"no row matches total={check.params['total']!r}", file=table.file)
        )
    for name in names:
        column = tables.column(table, name, check)
        total_sum = 0.0
        parts_sum = 0.0
        empty_parts = []
        for row in totals:
            cell = _number(table, row, column)
            if isinstance(cell, str):
                findings.append(_not_a_number(table, row, column, cell))
            elif cell is None:
                findings.append(
                    Finding(
                        message=f"the total row has no {column}", file=table.file, row=row.number
                    )
                )
            else:
                total_sum += cell
        for row in parts:
            cell = _number(table, row, column)
            if isinstance(cell, str):
                findings.append(_not_a_number(table, row, column, cell))
            elif cell is None:
                empty_parts.append(row.number)
            else:
                parts_sum += cell
        if totals and not _close(parts_sum, total_sum, tolerance):
            missing = (
                f" ({len(empty_parts)} part row(s) without a figure: rows {empty_parts})"
                if empty_parts
                else ""
            )
            findings.append(
                Finding(
                    message=(
                        f"{column}: parts add up to {_fmt(parts_sum)}, the total says {_fmt(total_sum)} "
                        f"(difference {_fmt(parts_sum - total_sum)}){missing}"
                    ),
                    file=table.file,
                    row=totals[0].number,
                    values={
                        "column": column,
                        "parts": parts_sum,
                        "total": total_sum,
                        "difference": parts_sum - total_sum,
                    },
                )
            )
    return findings, (table.file,)


def _aggregate(
    spec: Mapping[str, Any], check: Check, tables: _Tables, findings: list[Finding]
) -> tuple[float | None, str, str | None]:
    if "value" in spec:
        return float(spec["value"]), _fmt(float(spec["value"])), None
    table = tables.get(spec["table"], check)
    rows = tables.rows(table, spec.get("where"), check)
    agg = spec.get("agg", "sum")
    functions: dict[str, Callable[[list[float]], float]] = {"sum": sum, "min": min, "max": max}
    if agg not in (*functions, "count"):
        raise DataCheckError(
            [Problem(f"check {check.id!r}: agg must be sum, count, min or max", value=agg)]
        )
    where = f" where {dict(spec['where'])}" if spec.get("where") else ""
    if agg == "count":
        return float(len(rows)), f"count of {Path(table.file).name}{where}", table.file
    names = spec.get("columns") or [spec["column"]]
    columns = [tables.column(table, name, check) for name in names]
    numbers = []
    for row in rows:
        for column in columns:
            cell = _number(table, row, column)
            if isinstance(cell, str):
                findings.append(_not_a_number(table, row, column, cell))
            elif cell is not None:
                numbers.append(cell)
    description = f"{agg}({' + '.join(columns)}) of {Path(table.file).name}{where}"
    if not numbers:
        return None, description, table.file
    return float(functions[agg](numbers)), description, table.file


def _equals(check: Check, tables: _Tables) -> tuple[list[Finding], tuple[str, ...]]:
    findings: list[Finding] = []
    left, left_text, left_file = _aggregate(check.params["left"], check, tables, findings)
    right, right_text, right_file = _aggregate(check.params["right"], check, tables, findings)
    tolerance = float(check.params.get("tolerance", 0))
    if left is None or right is None or not _close(left, right, tolerance):
        shown_left = "no figure" if left is None else _fmt(left)
        shown_right = "no figure" if right is None else _fmt(right)
        findings.append(
            Finding(
                message=f"{left_text} = {shown_left}, but {right_text} = {shown_right}",
                file=left_file or right_file,
                values={"left": left, "right": right},
            )
        )
    used = tuple(f for f in (left_file, right_file) if f is not None)
    return findings, tuple(dict.fromkeys(used))


def _at_least(check: Check, tables: _Tables) -> tuple[list[Finding], tuple[str, ...]]:
    findings: list[Finding] = []
    left, left_text, left_file = _aggregate(check.params["left"], check, tables, findings)
    right, right_text, right_file = _aggregate(check.params["right"], check, tables, findings)
    tolerance = float(check.params.get("tolerance", 0))
    if left is None or right is None or left < right - tolerance:
        shown_left = "no figure" if left is None else _fmt(left)
        shown_right = "no figure" if right is None else _fmt(right)
        findings.append(
            Finding(
                message=f"{left_text} = {shown_left}, less than {right_text} = {shown_right}",
                file=left_file or right_file,
                values={"left": left, "right": right},
            )
        )
    used = tuple(f for f in (left_file, right_file) if f is not None)
    return findings, tuple(dict.fromkeys(used))


def _date_order(check: Check, tables: _Tables) -> tuple[list[Finding], tuple[str, ...]]:
    table = tables.get(check.params["table"], check)
    start = tables.column(table, check.params["start"], check)
    end = tables.column(table, check.params["end"], check)
    findings = []
    for row in table.rows:
        dates: dict[str, datetime.date] = {}
        for column in (start, end):
            text = row.get(column)
            if text is None:
                findings.append(
                    Finding(message=f"{column} has no value", file=table.file, row=row.number)
                )
                continue
            try:
                dates[column] = parse_date(text)
            except ValueError as error:
                findings.append(
                    Finding(
                        message=f"{column} is not a date: {text!r}: {error}",
                        file=table.file,
                        row=row.number,
                    )
                )
        if len(dates) == 2 and dates[start] > dates[end]:
            findings.append(
                Finding(
                    message=f"{start} {dates[start].isoformat()} is after {end} {dates[end].isoformat()}",
                    file=table.file,
                    row=row.number,
                    values={start: dates[start].isoformat(), end: dates[end].isoformat()},
                )
            )
    return findings, (table.file,)


def _unique(check: Check, tables: _Tables) -> tuple[list[Finding], tuple[str, ...]]:
    table = tables.get(check.params["table"], check)
    columns = [tables.column(table, c, check) for c in check.params["columns"]]
    first: dict[tuple[str | None, ...], int] = {}
    findings = []
    for row in table.rows:
        key = tuple(row.get(c) for c in columns)
        if key in first:
            findings.append(
                Finding(
                    message=f"duplicate {', '.join(columns)} {list(key)!r} (first at row {first[key]})",
                    file=table.file,
                    row=row.number,
                )
            )
        else:
            first[key] = row.number
    return findings, (table.file,)


def _range(check: Check, tables: _Tables) -> tuple[list[Finding], tuple[str, ...]]:
    table = tables.get(check.params["table"], check)
    column = tables.column(table, check.params["column"], check)
    low, high = check.params.get("min"), check.params.get("max")
    findings = []
    for row in tables.rows(table, check.params.get("where"), check):
        cell = _number(table, row, column)
        if isinstance(cell, str):
            findings.append(_not_a_number(table, row, column, cell))
        elif cell is not None and (
            (low is not None and cell < low) or (high is not None and cell > high)
        ):
            findings.append(
                Finding(
                    message=f"{column} {_fmt(cell)} is outside [{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]",
                    file=table.file,
                    row=row.number,
                    values={column: cell},
                )
            )
    return findings, (table.file,)


_RUNNERS = {
    "complete": _complete,
    "not_greater": _not_greater,
    "sum": _sum,
    "equals": _equals,
    "at_least": _at_least,
    "date_order": _date_order,
    "unique": _unique,
    "range": _range,
}
