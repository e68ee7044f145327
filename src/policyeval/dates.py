"""Dates as people type them in Indonesian and English research notes.

:func:`parse_date` accepts

* ISO dates, with or without leading zeros: ``2024-08-17``, ``2024-8-17``,
  ``2024/08/17``;
* day-first numeric dates, the Indonesian (and British) order:
  ``17/08/2024``, ``17-08-2024``, ``17.8.2024``;
* dates with a month name or abbreviation in Indonesian or English, day
  first or (English style) month first: ``17 Agustus 2024``, ``17 Agu
  2024``, ``17-Aug-2024``, ``17 August 2024``, ``August 17, 2024``, also
  after a weekday (``Sabtu, 17 Agustus 2024``).

and refuses, with a message saying why, what it cannot read for certain:
two-digit years (``17/08/24``), dates without a day (``Agustus 2024``), and
days or months that do not exist (``31/02/2024``, ``08/17/2024``, which
would be month-first).

>>> parse_date("17 Agustus 2024"), parse_date("17/08/2024"), parse_date("2024-8-17")
(datetime.date(2024, 8, 17), datetime.date(2024, 8, 17), datetime.date(2024, 8, 17))
>>> parse_date("17/08/24")
Traceback (most recent call last):
...
ValueError: a two-digit year is ambiguous: write the year in full, e.g. 17/08/2024 or 2024-08-17
"""

from __future__ import annotations

import datetime
import re

__all__ = ["MONTHS", "parse_date"]

_MONTH_NAMES = {
    1: ("januari", "january", "jan"),
    2: ("februari", "pebruari", "february", "feb", "peb"),
    3: ("maret", "march", "mar"),
    4: ("april", "apr"),
    5: ("mei", "may"),
    6: ("juni", "june", "jun"),
    7: ("juli", "july", "jul"),
    8: ("agustus", "august", "agu", "agt", "ags", "agus", "aug"),
    9: ("september", "sep", "sept"),
    10: ("oktober", "october", "okt", "oct"),
    11: ("november", "nopember", "nov", "nop"),
    12: ("desember", "december", "des", "dec"),
}
MONTHS: dict[str, int] = {name: number for number, names in _MONTH_NAMES.items() for name in names}
"""Month names and abbreviations (Indonesian and English, lower case) -> month number."""

_WEEKDAYS = (
    "senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "sen|sel|rab|kam|jum|sab|min|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
)
_WEEKDAY = re.compile(rf"^(?:{_WEEKDAYS})\.?,?\s+", re.IGNORECASE)
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})$")
_NAMED_DAY_FIRST = re.compile(r"^(\d{1,2})[\s\-/.]+([^\W\d_]+)\.?[\s\-/.,]+(\d{2,4})$")
_NAMED_MONTH_FIRST = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{2,4})$")
_MONTH_ONLY = re.compile(r"^([^\W\d_]+)\.?[\s\-/.]+(\d{4})$|^(\d{1,2})[-/.](\d{4})$")


def _month(name: str) -> int:
    number = MONTHS.get(name.casefold())
    if number is None:
        raise ValueError(
            f"{name!r} is not a month name (Indonesian or English, e.g. Agustus, Agu, August, Aug)"
        )
    return number


def _year(digits: str, example: str) -> int:
    if len(digits) != 4:
        raise ValueError(
            f"a two-digit year is ambiguous: write the year in full, e.g. {example} or 2024-08-17"
        )
    return int(digits)


def _build(year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise ValueError(
            f"month {month} does not exist; numeric dates are day first (DD/MM/YYYY) "
            "or ISO (YYYY-MM-DD)"
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"day {day} does not exist in {year}-{month:02d}") from None


def parse_date(text: str) -> datetime.date:
    """Read a date in one of the forms of the module docstring; ``ValueError`` says why not.

    >>> parse_date("Sabtu, 17 Agustus 2024"), parse_date("August 17, 2024")
    (datetime.date(2024, 8, 17), datetime.date(2024, 8, 17))
    >>> parse_date("31/02/2024")
    Traceback (most recent call last):
    ...
    ValueError: day 31 does not exist in 2024-02
    """
    cleaned = " ".join(str(text).split())
    cleaned = _WEEKDAY.sub("", cleaned)
    found = _ISO.match(cleaned)
    if found:
        year, month, day = (int(part) for part in found.groups())
        return _build(year, month, day)
    found = _DAY_FIRST.match(cleaned)
    if found:
        day, month = int(found.group(1)), int(found.group(2))
        year = _year(found.group(3), f"{day:02d}/{month:02d}/2024")
        return _build(year, month, day)
    found = _NAMED_DAY_FIRST.match(cleaned)
    if found:
        day, month = int(found.group(1)), _month(found.group(2))
        year = _year(found.group(3), f"{day} {found.group(2)} 2024")
        return _build(year, month, day)
    found = _NAMED_MONTH_FIRST.match(cleaned)
    if found:
        month, day = _month(found.group(1)), int(found.group(2))
        year = _year(found.group(3), f"{found.group(1)} {day}, 2024")
        return _build(year, month, day)
    if _MONTH_ONLY.match(cleaned):
        raise ValueError("a date needs a day: write e.g. 17 Agustus 2024 or 2024-08-17")
    raise ValueError(
        "not a date: write it as 2024-08-17, 17/08/2024, 17-08-2024 or 17 Agustus 2024"
    )
