"""Plain converters for attrs fields: ``float`` and ``tuple`` as Python functions.

attrs reads a converter's signature when it builds a class, to annotate the
``__init__`` it writes. A Python function's signature is read directly; a
built-in type's (``float``, ``tuple``) is parsed from its text signature
with the tokenizer, whose patterns then compile: several milliseconds of
every command's start-up, for nothing these functions do not do.

>>> as_float("0.5"), as_tuple([1, 2])
(0.5, (1, 2))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, SupportsFloat, SupportsIndex

__all__ = ["as_float", "as_tuple"]


def as_float(value: SupportsFloat | SupportsIndex | str) -> float:
    """``float(value)``."""
    return float(value)


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """``tuple(value)``."""
    return tuple(value)
