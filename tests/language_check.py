"""Every error the command line shows, checked in both languages.

:func:`check_both_languages` runs a command line again with ``--lang en`` and
``--lang id`` and states what a user of each language sees: the same exit
code and the same number of lines; each line of the Indonesian error
differs from the English one, holds words only the Indonesian catalogue
has, and no sentence only the English catalogue has. The
``errors_in_both_languages`` fixture (``conftest.py``) applies it to every
command a test runs that exits 2, so a test module that uses it proves its
error cases are translated.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import string
from collections.abc import Callable, Iterable, Sequence

from policyeval.locales import catalogue

_PHRASE = re.compile(r"[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*)*")


def _phrases(templates: Iterable[str], *, words: int, letters: int) -> set[str]:
    """The runs of at least ``words`` words and ``letters`` characters in the fixed text of
    ``templates``, lower-cased."""
    found = set()
    for template in templates:
        for literal, _, _, _ in string.Formatter().parse(template):
            for phrase in _PHRASE.findall(literal):
                if len(phrase.split()) >= words and len(phrase) >= letters:
                    found.add(phrase.lower())
    return found


def _holds(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


@functools.cache
def english_only() -> frozenset[str]:
    """Phrases of two or more words in English messages that no Indonesian message holds."""
    indonesian = " | ".join(catalogue("id")["message"].values()).lower()
    return frozenset(
        phrase
        for phrase in _phrases(catalogue("en")["message"].values(), words=2, letters=7)
        if phrase not in indonesian
    )


@functools.cache
def indonesian_only() -> frozenset[str]:
    """Words and phrases of Indonesian messages that no English message holds."""
    english = " | ".join(catalogue("en")["message"].values()).lower()
    return frozenset(
        phrase
        for phrase in _phrases(catalogue("id")["message"].values(), words=1, letters=5)
        if phrase not in english
    )


def _run(run: Callable[[list[str]], int], argv: Sequence[str], lang: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = run([*argv, "--lang", lang])
    return code, err.getvalue()


def check_both_languages(run: Callable[[list[str]], int], argv: Sequence[str]) -> str:
    """Run ``argv`` in English and in Indonesian and check the Indonesian error; return it."""
    code_en, english = _run(run, argv, "en")
    code_id, indonesian = _run(run, argv, "id")
    assert code_id == code_en, (argv, english, indonesian)
    english_lines, indonesian_lines = english.splitlines(), indonesian.splitlines()
    assert len(indonesian_lines) == len(english_lines), (argv, english, indonesian)
    for line_en, line_id in zip(english_lines, indonesian_lines, strict=True):
        if not re.search("[A-Za-z]{3}", line_en):
            continue
        lowered = line_id.lower()
        assert line_id != line_en, (argv, line_id)
        assert any(_holds(lowered, phrase) for phrase in indonesian_only()), (argv, line_id)
        left = sorted(phrase for phrase in english_only() if _holds(lowered, phrase))
        assert not left, (argv, line_id, left)
    return indonesian
