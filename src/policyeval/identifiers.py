"""Identifiers written by people: evidence, source, unit and node ids.

An id is compared character by character, so two ids that look the same
must be the same string. Every id read from a file is therefore put in
Unicode normal form C (NFC: ``"e\\u0301"``, an ``e`` followed by a combining
accent, becomes the single character ``"\\u00e9"``), and an id holding a
character nobody can see or type is refused: control characters (Unicode
category ``Cc``, including NUL and ESC) and format characters (category
``Cf``: zero-width spaces and joiners, direction marks, soft hyphens, the
byte-order mark). Look-alike letters such as the full-width ``Ｅ１`` stay
distinct ids: they are visible, and NFC keeps them as written.

>>> normalise_identifier("Caf\\u0065\\u0301")
'Café'
>>> identifier_problem("E\\u200b1")
"holds an invisible or control character ('\\\\u200b', ZERO WIDTH SPACE, at position 2)"
>>> identifier_problem("E1") is None
True
"""

from __future__ import annotations

import unicodedata

__all__ = ["identifier_problem", "normalise_identifier"]

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf"})


def normalise_identifier(text: str) -> str:
    """The id in Unicode normal form C.

    >>> normalise_identifier("E1") == "E1"
    True
    """
    return unicodedata.normalize("NFC", text)


def identifier_problem(text: str) -> str | None:
    """Why ``text`` cannot be an id, or ``None`` when it can.

    The first invisible (category ``Cf``) or control (category ``Cc``)
    character is named with its escape, Unicode name and 1-based position.

    >>> identifier_problem("E\\x001")
    "holds an invisible or control character ('\\\\x00', NUL, at position 2)"
    """
    for position, character in enumerate(text, start=1):
        if unicodedata.category(character) in _REFUSED_CATEGORIES:
            name = unicodedata.name(character, "") or _CONTROL_NAMES.get(
                ord(character), f"U+{ord(character):04X}"
            )
            return (
                f"holds an invisible or control character ({character!a}, {name}, "
                f"at position {position})"
            )
    return None


# unicodedata has no names for the C0 and C1 controls; these are the ones people meet.
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BACKSPACE",
    0x09: "TAB",
    0x0A: "LINE FEED",
    0x0B: "VERTICAL TAB",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESC",
    0x7F: "DELETE",
}
