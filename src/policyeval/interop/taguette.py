"""Taguette highlight exports (CSV) as coded segments.

Taguette's "export highlights" table has the columns ``id``, ``document``,
``tag`` and ``content``; a highlight with several tags takes one row per tag.
Tags are flat, so give levels in the mapping (``level = ...``). Taguette
records no coder and no case: set ``[mapping] unit``.

>>> project = read_taguette("docs/howto/samples/taguette-highlights.csv")
>>> sorted({segment.code for segment in project.segments})
['Budget', 'Coordination', 'Off-topic', 'Staff competence']
"""

from __future__ import annotations

import os
from pathlib import Path

from policyeval.exceptions import InteropError, Problem
from policyeval.interop.coded import CodedProject, CodedSegment
from policyeval.interop.qualcoder import codes_from_paths, read_segment_table

__all__ = ["read_taguette"]

_REQUIRED = ("id", "document", "tag", "content")


def read_taguette(path: str | os.PathLike[str]) -> CodedProject:
    """Read a Taguette highlights CSV (or XLSX)."""
    file = os.fspath(path)
    header, rows = read_segment_table(path)
    missing = [column for column in _REQUIRED if column not in header]
    if missing:
        raise InteropError(
            [Problem("missing required column", file=file, row=1, key=column) for column in missing]
        )
    index = {column: header.index(column) for column in _REQUIRED}
    segments = []
    paths = []
    for number, cells in rows:
        values = {
            column: (cells[i].strip() if i < len(cells) else "") for column, i in index.items()
        }
        for column in ("id", "document", "tag"):
            if not values[column]:
                raise InteropError([Problem("missing value", file=file, row=number, key=column)])
        paths.append((values["tag"],))
        segments.append(
            CodedSegment(
                selection=values["id"],
                source=values["document"],
                code=values["tag"],
                coder=None,
                text=values["content"],
                position=f"highlight {values['id']} (row {number} of {Path(file).name})",
            )
        )
    return CodedProject(file=file, codes=tuple(codes_from_paths(paths)), segments=tuple(segments))
