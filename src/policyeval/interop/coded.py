"""Coded segments from qualitative tools, turned into evidence rows through a mapping.

Every importer (REFI-QDA, QualCoder, Taguette) reads its file into a
:class:`CodedProject`; :func:`map_segments` turns it into evidence and
sources rows with a summary that accounts for every coded selection, and
:func:`write_case` writes them into a case folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from policyeval._frozen import FrozenDict
from policyeval.exceptions import InteropError
from policyeval.interop.mapping import Code, CodeMapping

__all__ = [
    "EVIDENCE_COLUMNS",
    "SOURCE_COLUMNS",
    "CodedProject",
    "CodedSegment",
    "ImportResult",
    "map_segments",
    "write_case",
]

EVIDENCE_COLUMNS = (
    "id",
    "unit",
    "indicator",
    "rating",
    "source",
    "source_category",
    "technique",
    "investigator",
    "excerpt",
    "citation",
    "code",
    "selection",
)
SOURCE_COLUMNS = ("id", "name", "category", "technique", "description", "citation")


def _read_only(values: Mapping[str, str]) -> Mapping[str, str]:
    return FrozenDict(values)


@attrs.frozen
class CodedSegment:
    """One code applied to one selection of a source.

    A selection coded with several codes gives several segments with the
    same ``selection``; a selection with no code gives one with ``code=None``.
    ``variables`` are the source's and its case's variables (the case's win).
    """

    selection: str
    source: str
    code: str | None
    coder: str | None
    text: str | None
    position: str
    case: str | None = None
    variables: Mapping[str, str] = attrs.field(factory=dict, converter=_read_only)


@attrs.frozen
class CodedProject:
    """What an importer read: the code book, the segments in document order, notes for the summary."""

    file: str
    codes: tuple[Code, ...]
    segments: tuple[CodedSegment, ...]
    source_descriptions: Mapping[str, str] = attrs.field(factory=dict, converter=_read_only)
    details: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class ImportResult:
    """Evidence rows, source rows and the summary that accounts for every selection."""

    evidence: tuple[dict[str, str], ...]
    sources: tuple[dict[str, str], ...]
    units: tuple[str, ...]
    summary: dict[str, Any]


def slug(text: str) -> str:
    """An id from a name: lower case, runs of other characters as ``_``.

    >>> slug("Interview 1.txt"), slug("Participant #2")
    ('interview_1_txt', 'participant_2')
    """
    return re.sub(r"[^0-9a-z]+", "_", text.casefold()).strip("_") or "x"


def _unique(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}_{number}"
    taken.add(candidate)
    return candidate


def map_segments(project: CodedProject, mapping: CodeMapping, *, prefix: str = "Q") -> ImportResult:
    """Evidence rows for every mapped segment, and a summary of the rest.

    The summary has ``selections`` (every selection read), ``mapped`` (those
    giving at least one row), ``rows``, ``unmapped`` (each selection and code
    that gave no row), ``unused_codes`` (codes no selection uses) and
    ``needs_rating`` (rows whose level is not known yet). A code counts as
    used when it, or a code below it, codes a selection.
    """
    targets = mapping.bind(project.codes)
    codes = {code.id: code for code in project.codes}
    source_ids: dict[str, str] = {}
    taken: set[str] = set()
    for segment in project.segments:
        if segment.source not in source_ids:
            source_ids[segment.source] = _unique(slug(segment.source), taken)
    orphans = sorted({s.source for s in project.segments if s.case is None and s.code in targets})
    if orphans and mapping.unit is None:
        raise InteropError(
            f"sources that belong to no case need a unit: set [mapping] unit (sources: {orphans!r})",
            file=mapping.file,
        )
    rows: list[dict[str, str]] = []
    unmapped: list[dict[str, Any]] = []
    selections: list[str] = []
    mapped: set[str] = set()
    categories: dict[str, str] = {}
    units: list[str] = []
    for segment in project.segments:
        if segment.selection not in selections:
            selections.append(segment.selection)
        target = targets.get(segment.code) if segment.code is not None else None
        code = codes.get(segment.code) if segment.code is not None else None
        if target is None or code is None:
            entry: dict[str, Any] = {
                "selection": segment.selection,
                "source": segment.source,
                "code": None if code is None else code.path_text,
            }
            if segment.code is not None and code is None:
                entry["reason"] = f"the code {segment.code!r} is not in the code book"
            unmapped.append(entry)
            continue
        mapped.add(segment.selection)
        unit = slug(segment.case) if segment.case is not None else str(mapping.unit)
        if unit not in units:
            units.append(unit)
        category = ""
        if mapping.category_variable is not None:
            category = segment.variables.get(mapping.category_variable, "")
            if category:
                categories.setdefault(segment.source, category)
        rows.append(
            {
                "id": f"{prefix}{len(rows) + 1:04d}",
                "unit": unit,
                "indicator": target.indicator,
                "rating": target.level or "",
                "source": source_ids[segment.source],
                "source_category": category,
                "technique": mapping.technique,
                "investigator": segment.coder or "",
                "excerpt": segment.text or "",
                "citation": f"{segment.source}, {segment.position}",
                "code": code.path_text,
                "selection": segment.selection,
            }
        )
    used = {segment.code for segment in project.segments if segment.code is not None}
    # a code counts as used when it or a code below it codes a selection
    for code_id in list(used):
        parent = codes[code_id].parent if code_id in codes else None
        while parent is not None and parent in codes:
            used.add(parent)
            parent = codes[parent].parent
    sources = tuple(
        {
            "id": source_id,
            "name": name,
            "category": categories.get(name, ""),
            "technique": mapping.technique,
            "description": project.source_descriptions.get(name, ""),
            "citation": name,
        }
        for name, source_id in source_ids.items()
    )
    summary: dict[str, Any] = {
        "selections": len(selections),
        "mapped": len(mapped),
        "rows": len(rows),
        "unmapped": unmapped,
        "unused_codes": [code.path_text for code in project.codes if code.id not in used],
        "needs_rating": [row["id"] for row in rows if not row["rating"]],
        **dict(project.details),
    }
    return ImportResult(tuple(rows), sources, tuple(units), summary)


def _csv(rows: Sequence[Mapping[str, str]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_case(
    result: ImportResult,
    case_dir: str | os.PathLike[str],
    mapping: CodeMapping,
    *,
    overwrite: bool = False,
) -> list[Path]:
    """Write ``evidence.csv`` and ``sources.csv`` (and ``case.toml`` when there is none).

    Existing evidence or sources tables are kept unless ``overwrite``. Only
    these three fixed names inside ``case_dir`` are ever written, and, when
    the mapping names a framework file outside ``case_dir``, a copy of it
    under its own name there: a case may only read files inside its folder.
    """
    import tomli_w

    folder = Path(case_dir)
    evidence_file, sources_file, case_file = (
        folder / "evidence.csv",
        folder / "sources.csv",
        folder / "case.toml",
    )
    if not overwrite:
        existing = [str(p) for p in (evidence_file, sources_file) if p.exists()]
        if existing:
            raise InteropError(
                f"refusing to replace {', '.join(existing)}: give --overwrite to replace them",
                file=str(folder),
            )
    # A framework file outside the folder is copied in (and checked before anything is written).
    reference = mapping.framework_ref
    copy: tuple[Path, bytes] | None = None
    if not case_file.exists() and Path(reference).is_absolute():
        if Path(reference).resolve().is_relative_to(folder.resolve()):
            reference = Path(os.path.relpath(reference, folder.resolve())).as_posix()
        else:
            copy = _framework_copy(Path(reference), folder, overwrite=overwrite)
            reference = copy[0].name
    folder.mkdir(parents=True, exist_ok=True)
    evidence_file.write_text(_csv(result.evidence, EVIDENCE_COLUMNS), encoding="utf-8")
    sources_file.write_text(_csv(result.sources, SOURCE_COLUMNS), encoding="utf-8")
    written = [evidence_file, sources_file]
    if copy is not None:
        copy[0].write_bytes(copy[1])
        written.append(copy[0])
    if not case_file.exists():
        data = {
            "schema": "policyeval.case/1",
            "case": {"id": slug(folder.resolve().name), "framework": reference},
            "units": [{"id": unit} for unit in (result.units or (mapping.unit or "unit",))],
            "evidence": {"file": "evidence.csv", "sources": "sources.csv"},
        }
        case_file.write_text(tomli_w.dumps(data), encoding="utf-8")
        written.append(case_file)
    return written


def _framework_copy(source: Path, folder: Path, *, overwrite: bool) -> tuple[Path, bytes]:
    """Where in the case folder a framework file is copied (under its own name), and its bytes."""
    from policyeval.files import FileRefused, read_bytes

    try:
        data = read_bytes(source)
    except FileRefused as error:
        raise InteropError(f"cannot copy the framework file: {error}", file=str(source)) from None
    target = folder / ("framework.toml" if source.name == "case.toml" else source.name)
    if target.exists() and target.read_bytes() != data and not overwrite:
        raise InteropError(
            f"refusing to replace {target} with the mapping's framework: give --overwrite to "
            "replace it",
            file=str(folder),
        )
    return target, data
