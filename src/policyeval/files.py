"""Input files as untrusted data: paths confined to a folder, regular files only, sizes bounded.

Case folders travel between people, so a path written in a case file is
resolved (following symbolic links) and must stay inside the case folder;
the message for a path outside it is the same whether or not that path
exists. Only regular files are read, so a FIFO or a device named like a
table can neither block a command nor feed it endless data, and a file
larger than the limit is refused before it is read.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "evidence.csv").write_text("id\\n", encoding="utf-8")
>>> inside(folder, "evidence.csv") == folder / "evidence.csv"
True
>>> inside(folder, "../secret.csv") is None, inside(folder, "/etc/passwd") is None
(True, True)
>>> read_bytes(folder / "evidence.csv", max_bytes=100)
b'id\\n'
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = [
    "MAX_FILE_BYTES",
    "OUTSIDE_FOLDER",
    "FileRefused",
    "inside",
    "read_bytes",
]

MAX_FILE_BYTES = 512 * 1024 * 1024
"""The default largest input file, in bytes (512 MiB): far above a national case's tables."""

OUTSIDE_FOLDER = (
    "names a path outside the case folder; a case may only read files inside its folder"
)
"""The one message for a case path outside its folder, whether or not that path exists."""


class FileRefused(OSError):
    """An input path that is not a readable regular file within the size limit.

    Readers turn it into a located problem; its message never names the
    kind of file found at a path outside a case folder.
    """


def inside(folder: str | os.PathLike[str], name: str | os.PathLike[str]) -> Path | None:
    """``folder / name``, or ``None`` when that path, with every link followed, lies outside
    ``folder``.

    Absolute names and ``..`` are allowed as long as the resolved path stays
    inside. The path need not exist. The path returned is not resolved, so
    messages and results name it as the case does.
    """
    joined = Path(folder) / os.fspath(name)
    try:
        base, target = Path(folder).resolve(), joined.resolve()
    except (OSError, RuntimeError, ValueError):
        # A link loop, or a name holding a NUL byte, cannot name a file inside the folder.
        return None
    return joined if target == base or target.is_relative_to(base) else None


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file of at most ``max_bytes`` bytes.

    Raises :class:`FileRefused` for a missing path, a directory, a FIFO, a
    socket or a device (opened without blocking, and never read), or a file
    larger than ``max_bytes``.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise FileRefused("file not found") from None
    except OSError as error:
        raise FileRefused(f"cannot open the file: {error.strerror}") from None
    try:
        info = os.fstat(descriptor)
    except OSError:  # pragma: no cover - fstat on a just-opened descriptor does not fail
        os.close(descriptor)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise FileRefused("not a regular file (a directory, FIFO, socket or device)")
    if info.st_size > max_bytes:
        os.close(descriptor)
        raise FileRefused(f"the file has {info.st_size} bytes, more than the limit of {max_bytes}")
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRefused(f"the file grew beyond the limit of {max_bytes} bytes while read")
    return data
