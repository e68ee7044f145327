"""Stable JSON for result documents, written piece by piece.

A result document can be large (every node of every unit), so it is never
built whole nor copied before encoding: the parts that grow with the units are
a :class:`Stream` of ``(key, value)`` pairs produced while writing, and each
value is encoded and written before the next is made.

Two layouts, one document: the readable one (2-space indentation, the bytes
``json.dumps(..., indent=2, ensure_ascii=False)`` gives, except that the
members of a :class:`Lines` object are each written on one line) and a
compact one for machines (no white space, encoded by the standard library's
C encoder).
Values are read as :func:`jsonable` reads them: mappings become objects with
string keys, tuples lists, floats are rounded to 10 decimals (non-finite ones
written as strings), anything else as its ``repr``.

>>> import io
>>> out = io.StringIO()
>>> write({"a": [1, 2.50000000001], "b": Stream(lambda: iter([("c", {})]))}, out)
>>> print(out.getvalue(), end="")
{
  "a": [
    1,
    2.5
  ],
  "b": {
    "c": {}
  }
}
>>> dumps({"a": (1, None), "b": "ü"}, compact=True)
'{"a":[1,null],"b":"ü"}\\n'
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

__all__ = ["Encoded", "Lines", "Stream", "dumps", "jsonable", "round_number", "write"]

# The C encoder for strings when the interpreter has it; byte for byte what json.dumps writes.
_string: Callable[[str], str] = json.encoder.encode_basestring
_float = float.__repr__
_int = int.__repr__
# A document is a tree made by jsonable() or by code writing JSON-ready values (never a cycle):
# the encoders skip the check for one, which costs a dict insert and delete per container.
_compact = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
).encode
_line = json.JSONEncoder(
    ensure_ascii=False, separators=(", ", ": "), allow_nan=False, check_circular=False
).encode


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class Lines(dict[str, Any]):
    """An object whose members the readable layout writes one per line, each on a single line.

    Its values must already be JSON-ready: each is encoded whole by the C
    encoder (``", "`` and ``": "`` between items), where the indented layout
    would be written piece by piece in Python. The compact layout and
    :func:`jsonable` read it as the plain object it is.

    >>> print(dumps({"nodes": Lines(a={"x": [1, 2]}, b={})}), end="")
    {
      "nodes": {
        "a": {"x": [1, 2]},
        "b": {}
      }
    }
    """

    __slots__ = ()


class Stream:
    """An object whose members are made while it is written: ``items()`` gives ``(key, value)``.

    Each value must already be JSON-ready (dicts, lists, strings, rounded
    finite floats, ints, booleans, ``None``): a stream carries the bulk of a
    document, so it is encoded as it is, with no conversion pass.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Callable[[], Iterator[tuple[str, Any]]]) -> None:
        self._items = items

    def items(self) -> Iterator[tuple[str, Any]]:
        """The members, made one by one."""
        return self._items()


class Encoded:
    """An object whose members are JSON text already, made for the layout being written.

    ``members(compact)`` gives ``(key, text)`` pairs: the key encoded as a
    JSON string, the text one JSON value encoded as :class:`Lines` members
    are, on one line, with ``", "`` and ``": "`` between items in the
    readable layout, ``","`` and ``":"`` in the compact one. The writer puts
    both in as they are, so code that knows its values well (a result
    document's nodes) encodes them without making a dict per value.
    :func:`jsonable` reads the text back.

    >>> nodes = Encoded(lambda compact: [('"a"', '{"x":[1,2]}' if compact else '{"x": [1, 2]}')])
    >>> print(dumps({"nodes": nodes}), end="")
    {
      "nodes": {
        "a": {"x": [1, 2]}
      }
    }
    >>> dumps({"nodes": nodes}, compact=True)
    '{"nodes":{"a":{"x":[1,2]}}}\\n'
    """

    __slots__ = ("_members",)

    def __init__(self, members: Callable[[bool], Iterable[tuple[str, str]]]) -> None:
        self._members = members

    def members(self, compact: bool) -> Iterable[tuple[str, str]]:
        """The ``(key, text)`` pairs, encoded in the compact layout or the readable one."""
        return self._members(compact)


def round_number(number: float | None) -> float | None:
    """Round for output, so float noise (2.6000000000000005) does not show.

    >>> round_number(2.6000000000000005), round_number(-1e-12), round_number(None)
    (2.6, 0.0, None)
    """
    if number is None:
        return None
    if type(number) is float:
        # A document repeats a few numbers (level scores, agreement shares) many times, and
        # round() to ten digits is slow: each float is rounded once, in a bounded memo.
        found = _ROUNDED.get(number)
        if found is not None:
            return found
    rounded = round(number, 10)
    rounded = 0.0 if rounded == 0 else rounded
    if type(number) is float:
        if len(_ROUNDED) >= 1 << 16:
            _ROUNDED.clear()
        _ROUNDED[number] = rounded
    return rounded


_ROUNDED: dict[float, float] = {}


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types (see the module docstring); streams are made into dicts.

    >>> jsonable({1: (0.1 + 0.2, float("inf")), "f": len})
    {'1': [0.3, 'inf'], 'f': '<built-in function len>'}
    """
    if isinstance(value, Stream):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, Encoded):
        return {json.loads(key): json.loads(text) for key, text in value.members(True)}
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, float):
        return round_number(value) if math.isfinite(value) else str(value)
    if value is None or isinstance(value, str | int | bool):
        return value
    return repr(value)


def write(document: Any, out: _Writable, *, compact: bool = False) -> None:
    """Write ``document`` and a final newline to ``out``, piece by piece."""
    if compact:
        _write_compact(document, out)
    else:
        _write_indented(document, out, "\n")
    out.write("\n")


def dumps(document: Any, *, compact: bool = False) -> str:
    """``document`` as text, exactly as :func:`write` writes it."""
    chunks: list[str] = []

    class _Collect:
        write = chunks.append

    write(document, _Collect(), compact=compact)
    return "".join(chunks)


def _write_compact(document: Any, out: _Writable) -> None:
    if isinstance(document, Encoded):
        out.write("{" + ",".join(map(":".join, document.members(True))) + "}")
    elif isinstance(document, Stream):
        out.write("{")
        first = True
        for key, value in document.items():
            out.write(("" if first else ",") + _string(str(key)) + ":")
            if _has_stream(value):
                _write_compact(value, out)
            else:
                out.write(_compact(value))
            first = False
        out.write("}")
    elif isinstance(document, Mapping) and any(_is_made(value) for value in document.values()):
        out.write("{")
        for index, (key, value) in enumerate(document.items()):
            out.write(("," if index else "") + _string(str(key)) + ":")
            _write_compact(value, out)
        out.write("}")
    else:
        out.write(_compact(jsonable(document)))


def _scalar(value: Any) -> str | None:
    """The encoding of a scalar as json.dumps writes it after :func:`jsonable`; ``None`` otherwise."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is float and value - value == 0:  # finite
        rounded = round(value, 10)
        return "0.0" if rounded == 0 else _float(rounded)
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return _string(str(value))
        rounded = round(value, 10)
        return "0.0" if rounded == 0 else _float(rounded)
    if isinstance(value, Mapping | list | tuple | Stream | Encoded):
        return None
    return _string(repr(value))


def _is_made(value: Any) -> bool:
    """Whether ``value`` is a :class:`Stream` or :class:`Encoded`, made while it is written."""
    return isinstance(value, Stream | Encoded)


def _has_stream(value: Any) -> bool:
    return _is_made(value) or (
        isinstance(value, Mapping) and any(_is_made(item) for item in value.values())
    )


def _write_indented(value: Any, out: _Writable, newline: str) -> None:
    """Write ``value`` in the readable layout; streams member by member, the rest as one piece."""
    if not _has_stream(value):
        out.write(_indented(value, newline))
        return
    inner = newline + "  "
    if isinstance(value, Encoded):
        text = ("," + inner).join(map(": ".join, value.members(False)))
        out.write("{" + inner + text + newline + "}" if text else "{}")
        return
    first = True
    for key, item in value.items():
        out.write(("{" if first else ",") + inner + _string(str(key)) + ": ")
        first = False
        _write_indented(item, out, inner)
    out.write("{}" if first else newline + "}")


def _indented(value: Any, newline: str) -> str:
    """json.dumps's indent=2 layout; ``newline`` is the line break plus the current indentation.

    Recursion follows the document's own nesting, which the code writing the
    document fixes (a few levels), never the depth of the input.
    """
    scalar = _scalar(value)
    if scalar is not None:
        return scalar
    inner = newline + "  "
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        encoded = [_scalar(item) for item in value]
        if None in encoded:
            encoded = [_indented(item, inner) for item in value]
        return "[" + inner + ("," + inner).join(encoded) + newline + "]"  # type: ignore[arg-type]
    if not value:
        return "{}"
    separator = "," + inner
    if isinstance(value, Lines):
        return (
            "{"
            + inner
            + separator.join(_string(str(key)) + ": " + _line(item) for key, item in value.items())
            + newline
            + "}"
        )
    return (
        "{"
        + inner
        + separator.join(
            _string(str(key)) + ": " + _indented(item, inner) for key, item in value.items()
        )
        + newline
        + "}"
    )
