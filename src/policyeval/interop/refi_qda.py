"""REFI-QDA projects (``.qdpx`` archives and bare ``.qde`` files) as coded segments.

The project file is read with entity expansion, DTDs and external references
refused; an archive is checked member by member (no absolute paths, no
``..``, no symbolic links, no oversized members, no compression bombs) and
never extracted. Sources referenced as ``relative://`` or ``absolute://`` are
not read (a stranger's project must not make us read local files); their
selections keep their positions and the summary lists them.

Text positions count Unicode code points from 0. Tools write ``endPosition``
as exclusive while the standard's wording reads as inclusive, so both
readings are tried against the selection names the project carries, and the
summary says which one was used (``end = "exclusive"`` or ``"inclusive"`` in
the mapping fixes it).

>>> from policyeval.interop.mapping import mapping_from_dict
>>> project = read_refi_qda("docs/howto/samples/interviews.qdpx")
>>> [code.path_text for code in project.codes][:2]
['Resources', 'Resources/Staff competence']
>>> project.details["end_positions"]
'exclusive'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element

from policyeval.exceptions import InteropError
from policyeval.interop._safe import SafeArchive, check_member_name, local_name, parse_xml
from policyeval.interop.coded import CodedProject, CodedSegment
from policyeval.interop.mapping import Code

__all__ = ["read_refi_qda"]

_SELECTIONS = {
    "PlainTextSelection",
    "PDFSelection",
    "PictureSelection",
    "AudioSelection",
    "VideoSelection",
    "TranscriptSelection",
}
_VALUE_TAGS = {
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
}


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local_name(child) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _grandchildren(element: Element, name: str, child: str) -> list[Element]:
    """The ``child`` elements inside ``element``'s ``name`` element (none when it is missing)."""
    found = _child(element, name)
    return [] if found is None else _children(found, child)


def _text_of(element: Element, name: str) -> str | None:
    child = _child(element, name)
    return None if child is None else (child.text or "")


class _Texts:
    """Reads ``internal://`` plain texts from the archive or the folder beside a ``.qde``."""

    def __init__(self, archive: SafeArchive | None, folder: Path | None, file: str) -> None:
        self.archive = archive
        self.folder = folder
        self.file = file
        self.unread: list[dict[str, str]] = []

    def read(self, reference: str, source: str) -> str | None:
        scheme, _, rest = reference.partition("://")
        if scheme != "internal":
            self.unread.append(
                {"source": source, "path": reference, "reason": f"{scheme}:// sources are not read"}
            )
            return None
        member = check_member_name(rest, file=self.file)
        data: bytes | None = None
        if self.archive is not None:
            for name in (f"sources/{member.as_posix()}", member.as_posix()):
                if self.archive.has(name):
                    data = self.archive.read(name)
                    break
        elif self.folder is not None:
            path = self.folder / "sources" / PurePosixPath(member)
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
        if data is None:
            self.unread.append({"source": source, "path": reference, "reason": "not found"})
            return None
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise InteropError(
                f"source {source!r} ({reference}) is not UTF-8 text", file=self.file
            ) from None


def read_refi_qda(
    path: str | os.PathLike[str], *, end: str = "auto", limits: Mapping[str, int] | None = None
) -> CodedProject:
    """Read a ``.qdpx`` archive or a ``.qde`` project into coded segments.

    ``end`` is ``"auto"`` (decide from the selection names), ``"exclusive"``
    or ``"inclusive"``. ``limits`` may lower the archive limits (``member``,
    ``total`` bytes and expansion ``ratio``).
    """
    name = os.fspath(path)
    if not Path(path).is_file():
        raise InteropError("no such file", file=name)
    if end not in {"auto", "exclusive", "inclusive"}:
        raise InteropError(
            f"end must be 'auto', 'exclusive' or 'inclusive', got end={end!r}", file=name
        )
    if Path(path).suffix.lower() == ".qde":
        return _Project(
            parse_xml(Path(path).read_bytes(), file=name),
            _Texts(None, Path(path).parent, name),
            name,
            end,
        ).read()
    with SafeArchive(name, limits=limits) as archive:
        projects = [n for n in archive.names() if n.lower().endswith(".qde") and "/" not in n]
        if len(projects) != 1:
            raise InteropError(
                f"expected one .qde project at the top of the archive, found {projects!r}",
                file=name,
                message_id="interop.one_qde",
                params={"found": repr(projects)},
            )
        root = parse_xml(archive.read(projects[0]), file=f"{name}:{projects[0]}")
        return _Project(root, _Texts(archive, None, name), name, end).read()


class _Project:
    def __init__(self, root: Element, texts: _Texts, file: str, end: str) -> None:
        if local_name(root) != "Project":
            raise InteropError(
                f"not a REFI-QDA project: the root element is <{local_name(root)}>", file=file
            )
        self.root = root
        self.texts = texts
        self.file = file
        self.end = end
        self.users: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.codes: list[Code] = []
        self.case_of_source: dict[str, Element] = {}
        self.case_of_selection: dict[str, Element] = {}

    def read(self) -> CodedProject:
        for user in _grandchildren(self.root, "Users", "User"):
            self.users[user.get("guid", "")] = user.get("name") or user.get("guid") or ""
        codebook = _child(self.root, "CodeBook")
        codes = _child(codebook, "Codes") if codebook is not None else None
        if codes is not None:
            self._codes(codes, (), None)
        for variable in _grandchildren(self.root, "Variables", "Variable"):
            self.variables[variable.get("guid", "")] = variable.get("name", "")
        for case in _grandchildren(self.root, "Cases", "Case"):
            for ref in _children(case, "SourceRef"):
                self.case_of_source.setdefault(ref.get("targetGUID", ""), case)
            for ref in _children(case, "SelectionRef"):
                self.case_of_selection.setdefault(ref.get("targetGUID", ""), case)
        pending: list[tuple[Element, Element, str | None, str]] = []
        descriptions: dict[str, str] = {}
        for source in self._sources():
            source_name = source.get("name") or source.get("guid") or ""
            descriptions[source_name] = _text_of(source, "Description") or ""
            text = self._source_text(source, source_name)
            for selection in source:
                if local_name(selection) in _SELECTIONS:
                    pending.append((source, selection, text, source_name))
            for transcript in _children(source, "Transcript"):
                transcript_text = self._plain(transcript, source_name)
                for selection in _children(transcript, "TranscriptSelection"):
                    pending.append((transcript, selection, transcript_text, source_name))
        reading, details = self._end_reading(pending)
        segments = []
        for owner, selection, text, source_name in pending:
            segments += self._segments(owner, selection, text, source_name, reading)
        return CodedProject(
            file=self.file,
            codes=tuple(self.codes),
            segments=tuple(segments),
            source_descriptions=descriptions,
            details={**details, "unread_sources": self.texts.unread},
        )

    def _sources(self) -> list[Element]:
        found = _child(self.root, "Sources")
        return [] if found is None else list(found)

    def _codes(self, element: Element, path: tuple[str, ...], parent: str | None) -> None:
        for code in _children(element, "Code"):
            guid = code.get("guid") or "/".join((*path, code.get("name", "")))
            full = (*path, code.get("name", ""))
            self.codes.append(Code(guid, code.get("name", ""), full, parent))
            self._codes(code, full, guid)

    def _plain(self, element: Element, source_name: str) -> str | None:
        inline = _text_of(element, "PlainTextContent")
        if inline is not None:
            return inline
        reference = element.get("plainTextPath")
        return None if reference is None else self.texts.read(reference, source_name)

    def _source_text(self, source: Element, source_name: str) -> str | None:
        text = self._plain(source, source_name)
        if text is None:
            representation = _child(source, "Representation")
            if representation is not None:
                text = self._plain(representation, source_name)
        return text

    def _end_reading(
        self, pending: list[tuple[Element, Element, str | None, str]]
    ) -> tuple[str, dict[str, Any]]:
        counts = {"exclusive": 0, "inclusive": 0, "past_end_if_inclusive": 0}
        for _, selection, text, _ in pending:
            if local_name(selection) != "PlainTextSelection" or text is None:
                continue
            start, stop = self._positions(selection)
            label = selection.get("name")
            if stop + 1 > len(text):
                counts["past_end_if_inclusive"] += 1
            if label:
                counts["exclusive"] += text[start:stop] == label
                counts["inclusive"] += text[start : stop + 1] == label
        if self.end != "auto":
            reading, why = self.end, "set in the mapping"
        elif counts["inclusive"] > counts["exclusive"] and not counts["past_end_if_inclusive"]:
            reading, why = "inclusive", "selection names match the inclusive reading"
        elif counts["exclusive"] or counts["past_end_if_inclusive"]:
            reading, why = (
                "exclusive",
                "selection names or ends at the end of the text match the exclusive reading",
            )
        else:
            reading, why = (
                "exclusive",
                "nothing in the file decides; exclusive is what the tools write",
            )
        return reading, {
            "end_positions": reading,
            "end_positions_why": why,
            "end_position_checks": counts,
        }

    def _positions(self, selection: Element) -> tuple[int, int]:
        try:
            start, stop = (
                int(selection.get("startPosition", "")),
                int(selection.get("endPosition", "")),
            )
        except ValueError:
            raise InteropError(
                f"selection {selection.get('guid')!r}: startPosition and endPosition must be integers",
                file=self.file,
            ) from None
        if not 0 <= start <= stop:
            raise InteropError(
                f"selection {selection.get('guid')!r}: positions {start}-{stop} are out of order",
                file=self.file,
            )
        return start, stop

    def _segments(
        self, owner: Element, selection: Element, text: str | None, source_name: str, reading: str
    ) -> list[CodedSegment]:
        kind = local_name(selection)
        guid = selection.get("guid", "")
        excerpt: str | None = None
        if kind == "PlainTextSelection":
            start, stop = self._positions(selection)
            end = stop + 1 if reading == "inclusive" else stop
            if text is not None:
                if end > len(text):
                    raise InteropError(
                        f"selection {guid!r}: positions {start}-{stop} run past the end of "
                        f"{source_name!r} ({len(text)} characters, {reading} ends)",
                        file=self.file,
                    )
                excerpt = text[start:end]
            position = f"characters {start}-{stop}"
        elif kind == "TranscriptSelection":
            points = {
                p.get("guid"): int(p.get("position", "0")) for p in _children(owner, "SyncPoint")
            }
            start = points.get(selection.get("fromSyncPoint"), 0)
            end = points.get(selection.get("toSyncPoint"), start)
            excerpt = text[start:end] if text is not None else None
            position = f"transcript characters {start}-{end}"
        elif kind == "PDFSelection":
            representation = _child(selection, "Representation")
            excerpt = (
                None if representation is None else _text_of(representation, "PlainTextContent")
            )
            position = (
                f"page {selection.get('page')}, region ({selection.get('firstX')},{selection.get('firstY')})"
                f"-({selection.get('secondX')},{selection.get('secondY')})"
            )
        elif kind == "PictureSelection":
            position = (
                f"region ({selection.get('firstX')},{selection.get('firstY')})"
                f"-({selection.get('secondX')},{selection.get('secondY')})"
            )
        else:
            position = f"{selection.get('begin')}-{selection.get('end')} ms"
        case = self.case_of_selection.get(guid)
        source_guid = self._source_guid(owner)
        if case is None:
            case = self.case_of_source.get(source_guid)
        variables = self._variables(owner)
        if case is not None:
            variables.update(self._variables(case))
        case_name = None if case is None else case.get("name") or case.get("guid")

        def segment(code: str | None, user: str) -> CodedSegment:
            return CodedSegment(
                selection=guid,
                source=source_name,
                code=code,
                coder=self.users.get(user, user or None),
                text=excerpt,
                position=position,
                case=case_name,
                variables=variables,
            )

        codings = _children(selection, "Coding")
        if not codings:
            return [segment(None, selection.get("creatingUser", ""))]
        out = []
        for coding in codings:
            ref = _child(coding, "CodeRef")
            user = coding.get("creatingUser") or selection.get("creatingUser") or ""
            out.append(segment(None if ref is None else ref.get("targetGUID"), user))
        return out

    def _source_guid(self, owner: Element) -> str:
        if local_name(owner) == "Transcript":
            for source in self._sources():
                if owner in list(source):
                    return source.get("guid", "")
        return owner.get("guid", "")

    def _variables(self, element: Element) -> dict[str, str]:
        out: dict[str, str] = {}
        for value in _children(element, "VariableValue"):
            ref = _child(value, "VariableRef")
            name = self.variables.get(ref.get("targetGUID", "") if ref is not None else "", "")
            for child in value:
                if local_name(child) in _VALUE_TAGS and name:
                    out[name] = (child.text or "").strip()
        return out
