"""Every piece of report text that is not data, in Indonesian and English.

Data (level labels, node labels, unit labels, excerpts) comes with its own
languages; the catalogues in :mod:`policyeval.locales` hold only the words
around it. A language without an entry falls back to English.

>>> text("verdict", "id"), text("verdict", "en")
('Penilaian keseluruhan', 'Overall verdict')
>>> text("n_items", "en", n=3)
'3 items'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policyeval.locales import LANGUAGES, catalogue

__all__ = [
    "LANGUAGES",
    "MAX_SHOWN_DEPTH",
    "depth_marks",
    "humanise",
    "kind_text",
    "technique_text",
    "text",
]


_TEXT: Mapping[str, Mapping[str, str]] = {lang: catalogue(lang)["text"] for lang in LANGUAGES}
_TECHNIQUES: Mapping[str, Mapping[str, str]] = {
    lang: catalogue(lang)["technique"] for lang in LANGUAGES
}


def text(key: str, lang: str | None, **values: Any) -> str:
    """The report text for ``key`` in ``lang`` (English when missing), filled with ``values``.

    >>> text("status.corroborated", "id")
    'terkonfirmasi'
    >>> text("passed", "fr")
    'passed'
    """
    template = _TEXT.get(lang or "en", _TEXT["en"]).get(key)
    if template is None:
        template = _TEXT["en"][key]
    return template.format(**values) if values else template


def humanise(name: str) -> str:
    """An open-vocabulary id made readable: underscores become spaces.

    >>> humanise("dokumen_resmi")
    'dokumen resmi'
    """
    return name.replace("_", " ")


def technique_text(technique: str, lang: str | None) -> str:
    """A technique name in ``lang`` when it is a common one, else the name made readable.

    >>> technique_text("interview", "id"), technique_text("focus_group", "en")
    ('wawancara', 'focus group')
    """
    table = _TECHNIQUES.get(lang or "en", _TECHNIQUES["en"])
    if technique not in table:
        return humanise(technique)
    return table[technique]


def kind_text(kind: str, lang: str | None) -> str:
    """A node kind in ``lang`` (root, dimension, indicator), else the kind made readable.

    >>> kind_text("dimension", "id"), kind_text("sub_pillar", "en")
    ('dimensi', 'sub pillar')
    """
    key = f"kind.{kind}"
    return text(key, lang) if key in _TEXT["en"] else humanise(kind)


MAX_SHOWN_DEPTH = 12
"""How many levels of a tree reports draw as indentation; deeper rows also show their depth."""


def depth_marks(depth: int, mark: str = "— ") -> str:
    """``mark`` once per level of ``depth``, at most ``MAX_SHOWN_DEPTH`` times.

    Deeper rows show their depth as a number after the marks, so a row's
    text stays the same size however deep the framework and a report stays
    linear in the nodes.

    >>> depth_marks(2), depth_marks(0), depth_marks(14, ".")
    ('— — ', '', '............[14] ')
    """
    if depth <= MAX_SHOWN_DEPTH:
        return mark * max(depth, 0)
    return mark * MAX_SHOWN_DEPTH + f"[{depth}] "
