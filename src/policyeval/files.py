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

import json
import math
import os
import re
import stat
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_FILE_BYTES",
    "OUTSIDE_FOLDER",
    "FileRefused",
    "ParseError",
    "inside",
    "parse_json",
    "parse_toml",
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
    kind of file found at a path outside a case folder. ``message_id`` and
    ``params`` name the message's catalogue entry (:mod:`policyeval.locales`).
    """

    def __init__(self, message: str, *, message_id: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message_id, self.params = message_id, params


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
        raise FileRefused("file not found", message_id="file.not_found") from None
    except OSError as error:
        raise FileRefused(
            f"cannot open the file: {error.strerror}",
            message_id="file.cannot_open",
            error=error.strerror,
        ) from None
    try:
        info = os.fstat(descriptor)
    except OSError:  # pragma: no cover - fstat on a just-opened descriptor does not fail
        os.close(descriptor)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise FileRefused(
            "not a regular file (a directory, FIFO, socket or device)",
            message_id="file.not_regular",
        )
    if info.st_size > max_bytes:
        os.close(descriptor)
        raise FileRefused(
            f"the file has {info.st_size} bytes, more than the limit of {max_bytes}",
            message_id="file.size_limit",
            size=info.st_size,
            limit=max_bytes,
        )
    with os.fdopen(descriptor, "rb") as handle:
        # Ask for the size the file has (one byte more shows growth), not for the limit: a
        # buffer of the limit's size would be reserved on every read.
        data = handle.read(info.st_size + 1)
        if len(data) > info.st_size:
            data += handle.read(max_bytes + 1 - len(data))
    if len(data) > max_bytes:
        raise FileRefused(
            f"the file grew beyond the limit of {max_bytes} bytes while read",
            message_id="file.grew",
            limit=max_bytes,
        )
    return data


# --- parsing untrusted JSON and TOML ---------------------------------------------------------


class ParseError(ValueError):
    """Text that parses but cannot be trusted, or does not parse within bounds.

    ``line`` is the 1-based line when known; ``key`` the key path of the
    offending value when known; ``message_id`` and ``params`` the message's
    catalogue entry (:mod:`policyeval.locales`).
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        key: str | None = None,
        message_id: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message)
        self.message, self.line, self.key = message, line, key
        self.message_id, self.params = message_id, params


def _line_of(text: str, literal: str) -> int | None:
    found = text.find(literal)
    return None if found < 0 else text.count("\n", 0, found) + 1


def _float_parser(text: str) -> Callable[[str], float]:
    def parse(literal: str) -> float:
        number = float(literal)
        mantissa = literal.lower().split("e")[0]
        if not math.isfinite(number) and literal.strip("+-").lower() not in ("inf", "nan"):
            raise ParseError(
                f"number {literal} is outside the range of floating-point numbers",
                line=_line_of(text, literal),
                message_id="parse.number_overflow",
                number=literal,
            )
        if number == 0 and any(digit in mantissa for digit in "123456789"):
            raise ParseError(
                f"number {literal} is too small to tell from 0 in floating point",
                line=_line_of(text, literal),
                message_id="parse.number_underflow",
                number=literal,
            )
        return number

    return parse


def _join_key(prefix: str, key: object) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def _check_values(data: Any) -> None:
    """Refuse integers beyond float range and strings with lone surrogates, without recursion."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((_join_key(path, key), item) for key, item in value.items())
            for key in value:
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise ParseError(
                        "a key holds a lone surrogate (not text)",
                        key=path or None,
                        message_id="parse.key_surrogate",
                    )
        elif isinstance(value, list):
            stack.extend((_join_key(path, index), item) for index, item in enumerate(value))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if abs(value) > _LARGEST_INTEGER:
                raise ParseError(
                    "integer is outside the range of floating-point numbers",
                    key=path or None,
                    message_id="parse.integer_overflow",
                )
        elif isinstance(value, str) and _SURROGATE.search(value):
            raise ParseError(
                "text holds a lone surrogate (not a character)",
                key=path or None,
                message_id="parse.text_surrogate",
            )


_SURROGATE = re.compile("[\ud800-\udfff]")
_LARGEST_INTEGER = int(sys.float_info.max)  # every integer up to here converts to a float
_INTEGER_DIGITS = 400


def _integer_parser(text: str) -> Callable[[str], int]:
    def parse(literal: str) -> int:
        if len(literal.lstrip("+-")) > _INTEGER_DIGITS:
            raise ParseError(
                f"integer of {len(literal)} digits is outside the range of numbers",
                line=_line_of(text, literal[:40]),
                message_id="parse.integer_digits",
                digits=len(literal),
            )
        return int(literal)

    return parse


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ParseError(
                f"duplicate key {key!r} in one object (JSON keys must be unique)",
                message_id="parse.duplicate_key",
                name=repr(key),
            )
        out[key] = value
    return out


def parse_json(text: str) -> Any:
    """Parse JSON as untrusted input.

    Raises :class:`json.JSONDecodeError` for syntax errors and
    :class:`ParseError` for duplicate keys, numbers outside float range
    (``1e400``, ``1e-400``, 400-digit integers), lone surrogates, and nesting
    too deep to parse.

    >>> parse_json('{"weight": 1, "weight": 2}')
    Traceback (most recent call last):
    ...
    policyeval.files.ParseError: duplicate key 'weight' in one object (JSON keys must be unique)
    """
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_float_parser(text),
            parse_int=_integer_parser(text),
            parse_constant=_refuse_constant,
        )
    except RecursionError:
        raise ParseError("nested too deeply to read", message_id="parse.too_deep") from None
    _check_values(data)
    return data


def _refuse_constant(name: str) -> float:
    raise ParseError(
        f"{name} is not a JSON number", message_id="parse.not_a_json_number", name=name
    )


def parse_toml(text: str) -> dict[str, Any]:
    """Parse TOML as untrusted input.

    Raises :class:`tomllib.TOMLDecodeError` for syntax errors and
    :class:`ParseError` for numbers outside float range, lone surrogates and
    nesting too deep to parse.

    >>> parse_toml("p = 1e400")
    Traceback (most recent call last):
    ...
    policyeval.files.ParseError: number 1e400 is outside the range of floating-point numbers
    """
    try:
        data = tomllib.loads(text, parse_float=_float_parser(text))
    except RecursionError:
        raise ParseError("nested too deeply to read", message_id="parse.too_deep") from None
    _check_values(data)
    return data
