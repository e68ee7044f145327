"""Pausing the cyclic garbage collector around work that makes many objects and no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collection_paused"]


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block, then restore it.

    Reading a table or judging every group of one makes millions of objects
    and no reference cycles; the collector would scan them again and again
    (40 % of the time of reading a million rows) and free nothing. Memory is
    still freed by reference counting. The collector's state before the
    block is restored after it, even on error.

    >>> import gc
    >>> with collection_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
