"""QualCoder coded-segment exports (CSV or XLSX) as coded segments.

The export has one row per coded segment: ``File`` (or ``Case``), ``Coder``,
``Coded`` (the text), ``Id``, ``Codename``, ``Coded_Memo`` and one
``Category`` column per level of the code tree above the code, top first. A
code's path is its categories followed by its name, so mapping keys and
level-named children work as for REFI-QDA projects.

>>> project = read_qualcoder("docs/howto/samples/qualcoder-codings.csv")
>>> [segment.code for segment in project.segments][:2]
['Resources/Staff competence/Good', 'Resources/Staff competence/Good']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from policyeval.exceptions import InteropError, Problem
from policyeval.files import FileRefused, read_bytes
from policyeval.interop.coded import CodedProject, CodedSegment
from policyeval.interop.mapping import Code
from policyeval.tables import TableLimits, _read_csv, _read_xlsx, fold_column

__all__ = ["read_qualcoder", "read_segment_table"]


def read_segment_table(
    path: str | os.PathLike[str], *, sheet: str | None = None
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The folded header and the numbered data rows of a CSV or XLSX export.

    Unlike evidence tables, a header may repeat a name (QualCoder writes one
    ``Category`` column per level).
    """
    file = os.fspath(path)
    target = Path(path)
    if not target.is_file():
        raise InteropError("no such file", file=file)
    suffix = target.suffix.casefold()
    if suffix in (".xlsx", ".xlsm", ".csv", ".tsv", ".txt"):
        try:
            raw = read_bytes(target)
        except FileRefused as error:
            raise InteropError(str(error), file=file) from None
        if suffix in (".xlsx", ".xlsm"):
            rows, _ = _read_xlsx(raw, file, sheet, TableLimits())
            lines = list(rows)
        else:
            chunks, _ = _read_csv(raw, file)
            lines = [record for chunk in chunks for record in chunk]
    else:
        raise InteropError(f"unsupported table format {suffix!r}; use .csv or .xlsx", file=file)
    numbered = [
        (n, cells) for n, cells in enumerate(lines, start=1) if any(c.strip() for c in cells)
    ]
    if not numbered:
        raise InteropError("the table has no header row", file=file)
    header = [fold_column(cell) for cell in numbered[0][1]]
    return header, numbered[1:]


def _cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def codes_from_paths(paths: Sequence[tuple[str, ...]]) -> list[Code]:
    """A code book from code paths (every prefix becomes a code), in first-seen order."""
    codes: dict[str, Code] = {}
    for path in paths:
        for depth in range(1, len(path) + 1):
            key = "/".join(path[:depth])
            if key not in codes:
                parent = "/".join(path[: depth - 1]) if depth > 1 else None
                codes[key] = Code(key, path[depth - 1], path[:depth], parent)
    return list(codes.values())


def read_qualcoder(path: str | os.PathLike[str], *, sheet: str | None = None) -> CodedProject:
    """Read a QualCoder export of coded text segments."""
    file = os.fspath(path)
    header, rows = read_segment_table(path, sheet=sheet)
    index = {name: header.index(name) for name in dict.fromkeys(header)}
    problems = []
    if "file" not in index and "case" not in index:
        problems.append(Problem("missing column 'File' or 'Case'", file=file, row=1))
    for column in ("codename", "coded"):
        if column not in index:
            problems.append(Problem("missing required column", file=file, row=1, key=column))
    if problems:
        raise InteropError(problems)
    categories = [i for i, name in enumerate(header) if name.startswith("category")]
    segments = []
    paths: list[tuple[str, ...]] = []
    for number, cells in rows:
        name = _cell(cells, index["codename"])
        if not name:
            raise InteropError([Problem("missing value", file=file, row=number, key="codename")])
        code_path = (*(c for c in (_cell(cells, i) for i in categories) if c), name)
        paths.append(code_path)
        source = _cell(cells, index.get("file")) or _cell(cells, index.get("case"))
        segments.append(
            CodedSegment(
                selection=_cell(cells, index.get("id")) or f"row {number}",
                source=source,
                code="/".join(code_path),
                coder=_cell(cells, index.get("coder")) or None,
                text=_cell(cells, index["coded"]),
                position=f"row {number} of {Path(file).name}",
                case=_cell(cells, index.get("case")) or None,
            )
        )
    return CodedProject(file=file, codes=tuple(codes_from_paths(paths)), segments=tuple(segments))
