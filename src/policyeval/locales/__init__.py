"""The message catalogues: one TOML file per language, editable without Python.

Each ``<lang>.toml`` beside this module holds every word policyeval shows a
user that is not data: report text (``[text]``), technique names
(``[technique]``) and the messages of rejected rows, data checks and the
command line (``[message]``). English is the source language: a message is
written in English where it is raised (so ``str()`` of an exception stays
English for Python users) and :func:`translate` renders it in another
language. Where a message is raised with its catalogue id and values
(``message_id`` and ``params`` of a :class:`~policyeval.exceptions.Problem`,
an error or a warning), :func:`localise` fills them into the target
template; a message without an id (a third-party plug-in's, say) is
recognised against the English ``[message]`` templates by :func:`translate`,
and :func:`recognise` gives the message id and its values.

>>> message("cli.valid_case", "id", file="case.toml", items=3, rejected=1, reported=0, checks=2)
'case.toml: kasus valid; 3 butir bukti, 1 baris ditolak, 0 putusan studi, 2 pemeriksaan data'
>>> translate("missing value", "id")
'nilai kosong'
>>> translate("unknown indicator (did you mean 'kepemimpinan'?) (not in framework 'agustino')", "id")
"indikator tidak dikenal (maksud Anda 'kepemimpinan'?) (tidak ada dalam kerangka 'agustino')"
>>> translate("something no catalogue knows", "id")
'something no catalogue knows'
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from policyeval._resources import package_files

__all__ = [
    "LANGUAGES",
    "catalogue",
    "localise",
    "message",
    "placeholders",
    "recognise",
    "translate",
]

LANGUAGES: tuple[str, ...] = tuple(
    sorted(
        entry.name.removesuffix(".toml")
        for entry in package_files(__name__, __file__).iterdir()
        if entry.name.endswith(".toml")
    )
)
"""The languages with a catalogue file here (``en``, ``id``); English is the source and the fallback."""


@functools.cache
def catalogue(lang: str) -> Mapping[str, Mapping[str, str]]:
    """The catalogue of ``lang`` as read-only tables (``text``, ``technique``, ``message``).

    >>> catalogue("id")["technique"]["interview"]
    'wawancara'
    """
    if lang not in LANGUAGES:
        raise LookupError(f"no catalogue for lang={lang!r}; languages are {', '.join(LANGUAGES)}")
    raw = tomllib.loads(
        package_files(__name__, __file__).joinpath(f"{lang}.toml").read_text("utf-8")
    )
    return MappingProxyType(
        {
            name: MappingProxyType({str(k): str(v) for k, v in table.items()})
            for name, table in raw.items()
            if isinstance(table, dict)
        }
    )


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a template fills in.

    >>> sorted(placeholders("{n} of {total}"))
    ['n', 'total']
    """
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def message(key: str, lang: str | None, /, **values: Any) -> str:
    """The ``[message]`` ``key`` in ``lang`` (English when missing), filled with ``values``.

    >>> message("cli.rejected", "en", where="evidence.csv: row 4", id="e4", reason="missing value")
    'rejected evidence.csv: row 4 (e4): missing value'
    """
    table = catalogue(lang if lang in LANGUAGES else "en")["message"]
    template = table.get(key) or catalogue("en")["message"][key]
    return template.format(**values)


_MESSAGE_VALUES = frozenset({"error", "hint", "missing", "reason", "where"})
"""Placeholders whose value is itself a message (a hint, a parser's error), shown translated."""


def localise(shown: object, lang: str | None) -> str:
    """A message of policyeval (a problem, an error, a warning or text) in ``lang``.

    An object with a ``message_id`` (see :class:`~policyeval.exceptions.Problem`)
    is rendered from that catalogue entry and its ``params``, provided the
    English entry filled with them is the message itself; a
    :class:`~policyeval.exceptions.Problem` keeps its location, with ``row``
    and ``(got ...)`` in ``lang``. Anything else falls back to
    :func:`translate` of its English text. English is the text as written.

    >>> from policyeval.exceptions import Problem
    >>> problem = Problem("unknown unit (the case declares ['kota'])", file="e.csv", row=3,
    ...     key="unit", value="kot", message_id="row.unknown_unit",
    ...     params={"hint": "", "units": ['kota']})
    >>> localise(problem, "id")
    "e.csv: baris 3: unit: unit tidak dikenal (kasus menyatakan ['kota']) (isian 'kot')"
    >>> localise(problem, "en") == str(problem)
    True
    """
    text = str(shown)
    if not lang or lang == "en" or lang not in LANGUAGES:
        return text
    problems = getattr(shown, "problems", None)
    if isinstance(problems, tuple) and len(problems) == 1:
        return localise(problems[0], lang)  # an error with one located problem reads as it
    key = getattr(shown, "message_id", None)
    if not isinstance(key, str) or key not in catalogue("en")["message"]:
        return translate(text, lang)
    params = getattr(shown, "params", None) or {}
    try:
        english = message(key, "en", **params)
    except (KeyError, IndexError, ValueError):
        english = None
    if english != getattr(shown, "message", text):
        # an entry that does not say what the message says (a message changed after it was
        # raised, say) is not trusted: the English text is recognised instead
        return translate(text, lang)
    values = {
        # a value that is itself a message (a hint, a parser's error) is shown in lang too
        name: localise(value, lang)
        if name in _MESSAGE_VALUES or getattr(value, "message_id", None) is not None
        else value
        for name, value in params.items()
    }
    body = message(key, lang, **values)
    if not hasattr(shown, "has_value"):
        return body
    return _located(shown, body, lang)


def _located(problem: Any, body: str, lang: str) -> str:
    """A problem's location and offending value around its message ``body``, in ``lang``."""
    head = ""
    if problem.file is not None:
        head = str(problem.file) + ("" if problem.line is None else f":{problem.line}")
    elif problem.line is not None:
        head = message("location.line", lang, line=problem.line)
    parts = [head] if head else []
    if problem.row is not None:
        parts.append(message("location.row", lang, row=problem.row))
    if problem.key is not None:
        parts.append(problem.key)
    text = ": ".join([*parts, body])
    if problem.has_value:
        text += message("got", lang, value=repr(problem.value))
    return text


_PLACEHOLDER_PATTERNS = {
    # a file or function name has no spaces
    "file": r"(?P<{name}>\S+)",
    "field": r"(?P<{name}>\S+)",
    # a cell value: quoted as repr() writes it, or a number
    "cell": r"(?P<{name}>'(?:[^'\\]|\\.)*'|\S+)",
    "function": r"(?P<{name}>\S+)",
    "table": r"(?P<{name}>\S+)",
    # an appended hint is empty or starts with a space or "; ", never inside the value before it
    "hint": r"(?P<{name}>(?:[ ;].*?)?)",
    "missing": r"(?P<{name}>(?:[ ;].*?)?)",
    "where": r"(?P<{name}>(?:[ ;].*?)?)",
}


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each English template as a regular expression, the most literal text (most specific) first."""
    found = []
    for key, template in catalogue("en")["message"].items():
        if key.startswith(("cli.", "location.")):
            continue  # lines written directly in the language, never recognised in English text
        pattern, literals = "", 0
        for literal, name, _, _ in string.Formatter().parse(template):
            literals += len(literal)
            pattern += re.escape(literal)
            if name:
                pattern += _PLACEHOLDER_PATTERNS.get(name, "(?P<{name}>.*?)").format(name=name)
        found.append((-literals, key, re.compile(pattern + r"\Z", re.DOTALL)))
    return tuple((key, pattern) for _, key, pattern in sorted(found))


def translate(text: str, lang: str | None) -> str:
    """An English message of policyeval rendered in ``lang``; unknown text is returned unchanged.

    A message is recognised whole, or as parts joined by ``"; "`` (a row with
    several problems), or as ``...: message`` after a location, and a trailing
    `` (got ...)`` is kept. Filled-in values are translated too when they are
    themselves messages (a "did you mean" hint, a date error).

    >>> translate("date: not a date: write it as 2024-08-17, 17/08/2024, 17-08-2024 or 17 Agustus 2024 (got 'x')", "id")
    "date: bukan tanggal: tulis sebagai 2024-08-17, 17/08/2024, 17-08-2024 atau 17 Agustus 2024 (isian 'x')"
    """
    if not lang or lang == "en" or lang not in LANGUAGES or not text:
        return text
    return _translate(text, lang)[0]


def _translate(text: str, lang: str) -> tuple[str, bool]:
    """``text`` in ``lang``, and whether a message was recognised in it."""
    whole = _match(text, lang)
    if whole is not None:
        return whole, True
    parts = _SEVERAL.split(text)
    if len(parts) > 1:
        # the problems of one row, each "key: message"; a message that itself holds
        # "; word: " (a list of choices) is not split, as its parts are not all messages
        translated = [_translate(part, lang) for part in parts]
        if all(recognised for _, recognised in translated):
            return "; ".join(part for part, _ in translated), True
    got = _GOT.search(text)
    if got:
        before, recognised = _translate(text[: got.start()], lang)
        return before + message("got", lang, value=got.group(1)), recognised
    head, colon, rest = text.partition(": ")
    if colon:
        for location, pattern in _HEADS:
            found = pattern.fullmatch(head)
            if found:
                head = message(location, lang, **found.groupdict())
                break
        after, recognised = _translate(rest, lang)
        return head + colon + after, recognised
    return text, False


_SEVERAL = re.compile(r"; (?=[\w.\[\]]+: )")
"""Where the problems of one row are joined: before the next ``key: ``."""
_HEADS = (
    ("location.row", re.compile(r"row (?P<row>\d+)")),
    ("location.line", re.compile(r"line (?P<line>\d+)")),
    ("location.derived_item", re.compile(r"derived item (?P<item>'.*')")),
    ("location.check", re.compile(r"check (?P<check>'.*')")),
    ("location.evidence", re.compile(r"evidence (?P<id>'.*')")),
    ("location.attribute", re.compile(r"attribute (?P<id>'.*')")),
    ("location.node", re.compile(r"node (?P<id>'.*')")),
)
"""The locations a message may start with, before ``": "``."""
_GOT = re.compile(r" \(got (.*)\)\Z", re.DOTALL)


def recognise(text: str) -> tuple[str, dict[str, str]] | None:
    """The message id and filled-in values of a whole English message, or ``None``.

    >>> recognise("duplicate id (first at row 3)")
    ('row.duplicate_id', {'row': '3'})
    >>> recognise("row 3: id: missing value") is None  # a located message: see translate()
    True
    """
    for key, pattern in _patterns():
        found = pattern.match(text)
        if found:
            return key, found.groupdict()
    return None


def _match(text: str, lang: str) -> str | None:
    recognised = recognise(text)
    if recognised is None:
        return None
    key, values = recognised
    # a filled-in value may itself be a message (a hint, a date error, a check's side)
    return message(
        key, lang, **{name: _match(value, lang) or value for name, value in values.items()}
    )
