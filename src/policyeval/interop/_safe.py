"""Reading untrusted files: XML without entity tricks, zip archives without escapes or bombs.

Every refusal raises :class:`~policyeval.exceptions.InteropError` naming the
file (and the archive member) and saying what was refused.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from policyeval.exceptions import InteropError

#: Largest member (uncompressed bytes) an archive may hold.
MAX_MEMBER_BYTES = 200 * 1024 * 1024
#: Largest total (uncompressed bytes) of every member together.
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: Largest ratio of uncompressed to compressed size a member may have.
MAX_RATIO = 200
#: Most members an archive may hold.
MAX_MEMBERS = 100_000


def parse_xml(data: bytes | str, *, file: str) -> Element:
    """The root element of an XML document, refusing DTDs, entities and external references."""
    # Entities and external references can only be declared in a DTD, so refusing every DTD
    # (before any of its declarations is read) refuses them too.
    try:
        root: Element = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DTDForbidden:
        raise InteropError(
            "refused: the XML declares a DTD (entity tricks)", file=file, message_id="interop.dtd"
        ) from None
    except ParseError as error:
        raise InteropError(
            f"not well-formed XML: {error}",
            file=file,
            message_id="interop.bad_xml",
            params={"error": str(error)},
        ) from None
    return root


def local_name(element: Element) -> str:
    """An element's tag without its ``{namespace}``."""
    return element.tag.rsplit("}", 1)[-1]


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def check_member_name(name: str, *, file: str) -> PurePosixPath:
    """A member's relative path, refusing absolute paths, drive letters and ``..``."""
    normal = name.replace("\\", "/")
    path = PurePosixPath(normal)
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        raise InteropError(
            f"refused: member {name!r} has an absolute path",
            file=file,
            message_id="interop.absolute_member",
            params={"name": repr(name)},
        )
    if ".." in path.parts:
        raise InteropError(
            f"refused: member {name!r} escapes the archive (path traversal)",
            file=file,
            message_id="interop.escaping_member",
            params={"name": repr(name)},
        )
    return path


class SafeArchive:
    """A zip archive whose members were all checked before any is read.

    Members are read into memory only, never extracted to disk; each read
    stops at the size the directory promised, so a lying header cannot
    inflate past the limits.
    """

    def __init__(self, path: str, *, limits: Mapping[str, int] | None = None) -> None:
        given = dict(limits or {})
        self.max_member = given.get("member", MAX_MEMBER_BYTES)
        self.max_total = given.get("total", MAX_TOTAL_BYTES)
        self.max_ratio = given.get("ratio", MAX_RATIO)
        self.file = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise InteropError(
                f"not a readable zip archive: {error}",
                file=path,
                message_id="interop.not_zip",
                params={"error": error},
            ) from None
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._check()

    def _check(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InteropError(
                f"refused: {len(infos)} members (limit {MAX_MEMBERS})",
                file=self.file,
                message_id="interop.too_many_members",
                params={"count": len(infos), "limit": MAX_MEMBERS},
            )
        total = 0
        for info in infos:
            path = check_member_name(info.filename, file=self.file)
            if _is_symlink(info):
                raise InteropError(
                    f"refused: member {info.filename!r} is a symbolic link",
                    file=self.file,
                    message_id="interop.link_member",
                    params={"name": repr(info.filename)},
                )
            if info.flag_bits & 0x1:
                raise InteropError(
                    f"refused: member {info.filename!r} is encrypted",
                    file=self.file,
                    message_id="interop.encrypted_member",
                    params={"name": repr(info.filename)},
                )
            if info.file_size > self.max_member:
                raise InteropError(
                    f"refused: member {info.filename!r} is {info.file_size} bytes "
                    f"(limit {self.max_member})",
                    file=self.file,
                    message_id="interop.big_member",
                    params={
                        "name": repr(info.filename),
                        "size": info.file_size,
                        "limit": self.max_member,
                    },
                )
            if info.file_size > 1024 * 1024 and info.file_size > self.max_ratio * max(
                info.compress_size, 1
            ):
                raise InteropError(
                    f"refused: member {info.filename!r} expands {info.file_size} bytes from "
                    f"{info.compress_size} (a compression bomb; limit ratio {self.max_ratio})",
                    file=self.file,
                    message_id="interop.bomb",
                    params={
                        "name": repr(info.filename),
                        "size": info.file_size,
                        "compressed": info.compress_size,
                        "ratio": self.max_ratio,
                    },
                )
            total += info.file_size
            if total > self.max_total:
                raise InteropError(
                    f"refused: the members expand to more than {self.max_total} bytes",
                    file=self.file,
                    message_id="interop.expands",
                    params={"limit": self.max_total},
                )
            if not info.is_dir():
                if path.as_posix() in self._members:
                    raise InteropError(
                        f"refused: member {info.filename!r} appears twice",
                        file=self.file,
                        message_id="interop.member_twice",
                        params={"name": repr(info.filename)},
                    )
                self._members[path.as_posix()] = info

    def names(self) -> list[str]:
        """The normalised paths of every file member, in archive order."""
        return list(self._members)

    def has(self, name: str) -> bool:
        """Whether a file member has this normalised path."""
        return name in self._members

    def read(self, name: str) -> bytes:
        """A member's bytes (at most the size its directory entry declares)."""
        info = self._members[name]
        with self._zip.open(info) as handle:
            data = handle.read(info.file_size + 1)
        if len(data) > info.file_size:
            raise InteropError(
                f"refused: member {name!r} is larger than its directory entry says", file=self.file
            )
        return data

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
