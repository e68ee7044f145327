"""Texts written by people: a plain string, or one string per language.

Wherever a case or framework file takes *text* (a title, a description, a
label, a ``why``, a recommendation), it accepts either a string, used in
every language, or a table of strings keyed by language code::

    why = "The mean reproduces the paper's overall verdict."
    why = { id = "Rerata mengikuti kesimpulan penelitian.", en = "The mean ..." }

:func:`text_problem` says what is wrong with a value that is neither, and
:func:`pick_text` chooses the string to show in one language.

>>> pick_text({"id": "Alasan", "en": "Reason"}, "en")
'Reason'
>>> pick_text("Same in every language", "id")
'Same in every language'
>>> pick_text({"id": "Alasan"}, "en", fallback="id")
'Alasan'
>>> text_problem({"id": 3})
"a text is a string or a table of strings by language, e.g. { id = '...', en = '...' }"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

__all__ = ["Text", "pick_text", "text_problem"]

Text: TypeAlias = str | Mapping[str, str]
"""A string, or a mapping from language code to string."""

_EXPECTED = "a text is a string or a table of strings by language, e.g. { id = '...', en = '...' }"


def text_problem(value: object) -> str | None:
    """``None`` when ``value`` is a valid text (a string or a language map), else why not.

    >>> text_problem("ok") is None, text_problem({"en": "ok"}) is None, text_problem({}) is None
    (True, True, False)
    """
    if isinstance(value, str):
        return None
    if (
        isinstance(value, Mapping)
        and value
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        return None
    return _EXPECTED


def pick_text(value: Text | None, lang: str | None, *, fallback: str | None = None) -> str:
    """The string of ``value`` in ``lang``, else in ``fallback``, else the first by language code.

    A plain string is the same in every language; ``None`` gives ``""``.

    >>> pick_text(None, "en")
    ''
    >>> pick_text({"en": "B", "id": "A"}, "fr")
    'B'
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for language in (lang, fallback, ""):
        if language is not None and language in value:
            return value[language]
    return value[min(value)] if value else ""
