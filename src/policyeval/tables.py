"""Reading tables as people really save them: CSV (any common dialect) and XLSX.

CSV files may be UTF-8 with or without a byte-order mark, comma-, semicolon-
or tab-delimited (spreadsheet programs in Indonesian and most European locales
write ``;``), with LF or CRLF line endings. XLSX files need the optional
``openpyxl`` package (``pip install 'policyeval[xlsx]'``).

Every row keeps the number a spreadsheet shows for it (the header is row 1),
so errors can point at it. Column names are folded to ``snake_case``.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = path.write_bytes("\\ufeffId;Rating;Value\\r\\nE1;baik;1,5\\r\\n".encode())
>>> table = read_table(path)
>>> table.columns, table.rows[0].number, table.rows[0].values["value"]
(('id', 'rating', 'value'), 2, '1,5')
>>> parse_number("1,5", decimal_comma=table.decimal_comma)
1.5
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import datetime
import io
import itertools
import math
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from policyeval.exceptions import EvidenceError, Problem
from policyeval.files import MAX_FILE_BYTES, FileRefused, read_bytes

__all__ = [
    "Row",
    "Table",
    "TableLimits",
    "filter_rows",
    "fold_column",
    "number_hint",
    "overflow_text",
    "parse_number",
    "read_records",
    "read_table",
    "table_limits",
]


def fold_column(name: str) -> str:
    """Fold a column header to ``snake_case``.

    >>> fold_column(" Source Category ")
    'source_category'
    """
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


@attrs.frozen
class Row:
    """One data row: its spreadsheet row number and its non-empty cells by column."""

    number: int
    values: dict[str, str]

    def get(self, column: str) -> str | None:
        """The stripped cell text, or ``None`` when the cell is empty or absent."""
        text = self.values.get(column)
        if text is None:
            return None
        text = text.strip()
        return text or None


@attrs.frozen
class Table:
    """A table read from a file: folded column names and data rows.

    ``decimal_comma`` is true for semicolon-delimited CSV, where numbers such
    as ``58,4`` use a decimal comma. ``header_row`` is the row number of the
    header (1 unless blank rows stand above it). ``headers`` holds the header
    cells as written (stripped), one per column, for callers whose column
    names are codes that keep their case; it is empty for hand-made tables.
    """

    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    decimal_comma: bool = False
    header_row: int = 1
    headers: tuple[str, ...] = ()

    def has(self, column: str) -> bool:
        """Whether the table has this (folded) column."""
        return column in self.columns


@attrs.frozen
class TableLimits:
    """How much a table may hold, checked before its content is read.

    The defaults fit a national case (every district of Indonesia, many
    items each: five million rows); raise them for bigger tables, e.g.
    ``read_table(path, limits=TableLimits(rows=20_000_000))``, with a
    ``[limits]`` table in ``case.toml`` or with ``--limit rows=20000000`` on
    the command line. ``bytes`` bounds the file as stored. For XLSX the zip
    members are measured before the workbook is opened: their total
    uncompressed size and the compression ratio of each member (a zip bomb
    compresses far beyond what spreadsheets do), then rows and columns are
    counted as the sheet is read, the header first. CSV header rows wider
    than ``columns`` are refused before any data row is looked at.

    >>> TableLimits()
    TableLimits(rows=5000000, columns=200, bytes=536870912, uncompressed_bytes=1073741824, compression_ratio=100.0)
    """

    rows: int = 5_000_000
    columns: int = 200
    bytes: int = MAX_FILE_BYTES
    uncompressed_bytes: int = 2**30
    compression_ratio: float = 100.0


_LIMITS: contextvars.ContextVar[TableLimits | None] = contextvars.ContextVar(
    "table_limits", default=None
)


@contextlib.contextmanager
def table_limits(limits: TableLimits) -> Iterator[TableLimits]:
    """Read every table inside the ``with`` block under ``limits`` (unless a call gives its own).

    A case sets its limits once this way for every table it reads: evidence,
    sources, data, derived evidence, data checks and reported verdicts.

    >>> with table_limits(TableLimits(rows=10)) as limits:
    ...     limits.rows
    10
    """
    token = _LIMITS.set(limits)
    try:
        yield limits
    finally:
        _LIMITS.reset(token)


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    check_header: Callable[[Table], Sequence[Problem]] | None = None,
    limits: TableLimits | None = None,
) -> Table:
    """Read a CSV or XLSX table.

    Raises :class:`~policyeval.exceptions.EvidenceError` naming the file when
    it is missing, not valid UTF-8, empty, has duplicate column names, or
    exceeds its :class:`TableLimits`. ``check_header`` is called with the
    table as read so far (its header, no rows) before any data row is read,
    so a missing column is reported at once however long the sheet; the
    problems it returns are raised. Rows whose cells are all empty are not
    data and are skipped.
    """
    header, chunks = read_records(path, sheet=sheet, check_header=check_header, limits=limits)
    columns = header.columns
    rows = []
    for number, values in (pair for chunk in chunks for pair in zip(*chunk, strict=True)):
        cells = {
            column: values[index]
            for index, column in enumerate(columns)
            if column and index < len(values) and values[index].strip()
        }
        overflow = overflow_text(values, len(columns))
        if overflow:
            cells["__overflow__"] = overflow
        rows.append(Row(number, cells))
    return attrs.evolve(header, columns=tuple(c for c in columns if c), rows=tuple(rows))


def overflow_text(values: Sequence[str], width: int) -> str:
    """The non-empty cells beyond the header's ``width``, joined with `` | `` (``""`` if none)."""
    if len(values) <= width:
        return ""
    return " | ".join(cell for cell in values[width:] if cell.strip())


def read_records(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    check_header: Callable[[Table], Sequence[Problem]] | None = None,
    limits: TableLimits | None = None,
) -> tuple[Table, Iterator[tuple[list[int], list[list[str]]]]]:
    """Read a table's header, and stream its data records in chunks.

    Each chunk is ``(row numbers, records)``: a record is the list of a
    row's cells, and its number the one a spreadsheet shows.
    The header comes back as a :class:`Table` without rows, whose
    ``columns`` keep an empty name for a column without a header, so the
    cells of each record line up with them. The records are checked as
    :func:`read_table` checks them (row limit, cells under a column without a
    header, duplicate columns); a problem is raised when the stream reaches
    it, so a caller that builds columns from the stream never holds the
    whole table as rows.
    """
    raw, file, suffix, limits = _read_raw(path, limits)
    return _records(raw, file, suffix, sheet, check_header, limits)


_CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def _read_raw(
    path: str | os.PathLike[str], limits: TableLimits | None
) -> tuple[bytes, str, str, TableLimits]:
    """A table file's bytes, name, folded suffix and limits, once its format and size are checked."""
    limits = limits or _LIMITS.get() or TableLimits()
    file = str(path)
    suffix = Path(path).suffix.casefold()
    if suffix not in (".xlsx", ".xlsm", *_CSV_SUFFIXES):
        raise EvidenceError(
            [
                Problem(
                    f"unsupported table format {suffix or '(none)'!r}; use .csv or .xlsx", file=file
                )
            ]
        )
    try:
        raw = read_bytes(path, max_bytes=limits.bytes)
    except FileRefused as error:
        message = _raise_hint(str(error), "bytes")
        if message != str(error):
            raise EvidenceError([Problem(message, file=file)]) from None
        raise EvidenceError(
            [Problem(message, file=file, message_id=error.message_id, params=error.params)]
        ) from None
    return raw, file, suffix, limits


def _records(
    raw: bytes,
    file: str,
    suffix: str,
    sheet: str | None,
    check_header: Callable[[Table], Sequence[Problem]] | None,
    limits: TableLimits,
) -> tuple[Table, Iterator[tuple[list[int], list[list[str]]]]]:
    """What :func:`read_records` gives for a file's bytes."""
    chunks: Iterator[list[list[str]]]
    if suffix in (".xlsx", ".xlsm"):
        rows, decimal_comma = _read_xlsx(raw, file, sheet, limits)
        chunks = _in_chunks(rows)
    else:
        chunks, decimal_comma = _read_csv(raw, file)
    del raw
    # Blank rows above the header are not the header: a spreadsheet shows them as empty rows.
    numbered = _numbered(chunks)
    first = next(numbered, None)
    if first is None:
        raise EvidenceError([Problem("the table has no header row", file=file)])
    numbers, records = first
    header_row, header = numbers[0], records[0]
    if len(header) > limits.columns and any(cell.strip() for cell in header[limits.columns :]):
        raise EvidenceError([_too_wide(limits, file, header_row)])
    columns = tuple(fold_column(name) for name in header)
    headers = tuple(name.strip() for name, column in zip(header, columns, strict=True) if column)
    if check_header is not None:
        found = check_header(
            Table(file, tuple(c for c in columns if c), (), decimal_comma, header_row, headers)
        )
        if found:
            raise EvidenceError(found)
    table = Table(file, columns, (), decimal_comma, header_row, headers)
    rest = itertools.chain([(numbers[1:], records[1:])], numbered)
    return table, _checked(rest, table, limits)


_CHUNK = 65_536


def _in_chunks(lines: Iterable[list[str]]) -> Iterator[list[list[str]]]:
    """Lines in chunks; up to the header one by one, so it is checked before any data row is read."""
    iterator = iter(lines)
    for line in iterator:
        yield [line]
        if "".join(line).strip():
            break
    while chunk := list(itertools.islice(iterator, _CHUNK)):
        yield chunk


def _numbered(chunks: Iterable[list[list[str]]]) -> Iterator[tuple[list[int], list[list[str]]]]:
    """The non-blank records of each chunk with their row numbers (the first line being 1)."""
    start = 1
    for chunk in chunks:
        filled = list(map(str.strip, map("".join, chunk)))
        if all(filled):
            numbers, kept = list(range(start, start + len(chunk))), chunk
        else:
            numbers = [start + index for index, text in enumerate(filled) if text]
            kept = [record for record, text in zip(chunk, filled, strict=True) if text]
        start += len(chunk)
        if kept:
            yield numbers, kept


def _checked(
    numbered: Iterable[tuple[list[int], list[list[str]]]], table: Table, limits: TableLimits
) -> Iterator[tuple[list[int], list[list[str]]]]:
    file, columns, header_row = table.file, table.columns, table.header_row
    unnamed = [index for index, column in enumerate(columns) if not column]
    filled: set[int] = set()
    duplicates = len(set(c for c in columns if c)) < len([c for c in columns if c])
    count = 0
    for numbers, records in numbered:
        if count + len(records) > limits.rows:
            raise EvidenceError([_too_long(limits, file, numbers[limits.rows - count])])
        if max(map(len, records), default=0) > limits.columns:
            for number, values in zip(numbers, records, strict=True):
                if any(cell.strip() for cell in values[limits.columns :]):
                    raise EvidenceError([_too_wide(limits, file, number)])
        count += len(records)
        for index in unnamed:
            if index not in filled and any(
                len(values) > index and values[index].strip() for values in records
            ):
                filled.add(index)
        # A refused table is still read to its end, where its row limit is checked first.
        if records and not duplicates and not filled:
            yield numbers, records
    found = []
    for index, column in enumerate(columns):
        if not column:
            if index in filled:
                found.append(
                    Problem(f"column {index + 1} has no header", file=file, row=header_row)
                )
        elif columns.index(column) != index:
            found.append(Problem("duplicate column", file=file, row=header_row, key=column))
    if found:
        raise EvidenceError(found)


def _raise_hint(message: str, key: str) -> str:
    """A limit's message with how to raise it."""
    if "limit" not in message:
        return message
    return f"{message} (raise it with --limit {key}=N, or the same key in the case's [limits])"


def _too_long(limits: TableLimits, file: str, row: int) -> Problem:
    return Problem(
        _raise_hint(f"more than {limits.rows} data rows, the limit", "rows"), file=file, row=row
    )


def _too_wide(limits: TableLimits, file: str, row: int) -> Problem:
    message = f"a cell beyond column {limits.columns}, the limit"
    return Problem(_raise_hint(message, "columns"), file=file, row=row)


def _read_csv(raw: bytes, file: str) -> tuple[Iterator[list[list[str]]], bool]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise EvidenceError(
            [
                Problem(
                    f"not valid UTF-8 at byte {error.start}; save the file as UTF-8",
                    file=file,
                    line=line,
                )
            ]
        ) from None
    if not text.strip():
        raise EvidenceError([Problem("the file is empty", file=file)])
    first_line = next(match.group() for match in _TEXT_LINE.finditer(text) if match.group().strip())
    # Delimiters inside quoted header cells ("Nama, lengkap";id) do not count.
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    delimiter = max((",", ";", "\t"), key=unquoted.count)
    return _csv_chunks(text, file, delimiter), delimiter == ";"


# The lines str.splitlines() finds, without their ends, and the lines a text file opened with
# newline="" yields, with them: csv reads quoted cells across lines from the second.
_TEXT_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_CSV_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time (no copy of the text is made)."""
    return map(operator.methodcaller("group"), _CSV_LINE.finditer(text))


def _csv_chunks(text: str, file: str, delimiter: str) -> Iterator[list[list[str]]]:
    """The records of a CSV text in chunks, so a big file is never held as rows."""
    # Strict: a quoted cell must close, and nothing may follow its closing quote but a
    # delimiter; otherwise one stray quote would silently swallow every line after it.
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    count = 0
    while True:
        chunk: list[list[str]] = []
        try:
            chunk.extend(itertools.islice(reader, _CHUNK))
        except csv.Error as error:
            count += len(chunk)  # the records before the bad one stay in the chunk
            raise _csv_problem(error, text, file, delimiter, count, reader.line_num) from None
        if not chunk:
            return
        count += len(chunk)
        yield chunk


def _csv_problem(
    error: csv.Error, text: str, file: str, delimiter: str, good: int, line: int
) -> EvidenceError:
    # Rows are numbered as a spreadsheet shows them: one per record, the header being 1.
    if "unexpected end of data" in str(error):
        message = (
            "unbalanced quote: a quoted cell opened in this row never closes, so it would "
            "swallow every line after it; close the quote, or double a quote inside a "
            'quoted cell ("")'
        )
        # The line the bad record starts on: read the good records again to find it.
        again = csv.reader(_lines(text), delimiter=delimiter)
        for _ in itertools.islice(again, good):
            pass
        line = again.line_num + 1
        message_id, params = "table.unbalanced_quote", {}
    else:
        message = f"malformed CSV: {error}"
        message_id, params = "table.malformed_csv", {"error": str(error)}
    problem = Problem(
        message, file=file, row=good + 1, line=line, message_id=message_id, params=params
    )
    return EvidenceError([problem])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unreadable_workbook(error: Exception, file: str) -> EvidenceError:
    return EvidenceError(
        [
            Problem(
                f"cannot read workbook: {error}",
                file=file,
                message_id="table.cannot_read_workbook",
                params={"error": str(error)},
            )
        ]
    )


def _check_zip(raw: bytes, file: str, limits: TableLimits) -> None:
    """Measure the zip members of a workbook before anything decompresses them."""
    import zipfile  # a workbook's container, only when one is read

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise _unreadable_workbook(error, file) from None
    total = sum(member.file_size for member in members)
    if total > limits.uncompressed_bytes:
        raise EvidenceError(
            [
                Problem(
                    _raise_hint(
                        f"the workbook unpacks to {total} bytes, more than the limit of "
                        f"{limits.uncompressed_bytes}",
                        "uncompressed_bytes",
                    ),
                    file=file,
                )
            ]
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        # Tiny members compress oddly without being dangerous.
        if member.file_size > 2**20 and ratio > limits.compression_ratio:
            raise EvidenceError(
                [
                    Problem(
                        _raise_hint(
                            f"workbook part {member.filename!r} is compressed {ratio:.0f} to 1, "
                            f"more than the limit of {limits.compression_ratio:g}",
                            "compression_ratio",
                        ),
                        file=file,
                    )
                ]
            )


def _read_xlsx(
    raw: bytes, file: str, sheet: str | None, limits: TableLimits
) -> tuple[Iterator[list[str]], bool]:
    try:
        import openpyxl
    except ImportError:
        raise EvidenceError(
            [
                Problem(
                    "reading .xlsx files needs openpyxl: pip install 'policyeval[xlsx]'", file=file
                )
            ]
        ) from None
    _check_zip(raw, file, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types for broken files
        raise _unreadable_workbook(error, file) from None
    if sheet is not None and sheet not in workbook.sheetnames:
        workbook.close()
        raise EvidenceError(
            [Problem(f"no sheet {sheet!r}; sheets are {workbook.sheetnames!r}", file=file)]
        )
    return _xlsx_rows(workbook, sheet, file, limits), False


def _xlsx_rows(
    workbook: Any, sheet: str | None, file: str, limits: TableLimits
) -> Iterator[list[str]]:
    """The sheet's rows, read one at a time, so the header is checked before the rest is read."""
    try:
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        # The declared dimension (A1:XFD1048576) is not trusted: openpyxl would pad every row
        # to it. Without it, each row is as wide as its own last cell.
        worksheet.reset_dimensions()
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if len(row) > limits.columns and any(v is not None for v in row[limits.columns :]):
                raise EvidenceError([_too_wide(limits, file, number)])
            if number > limits.rows + 1 and any(v is not None for v in row):
                raise EvidenceError([_too_long(limits, file, number)])
            yield [_cell_text(cell) for cell in row]
    except EvidenceError:
        raise
    except Exception as error:  # openpyxl raises many unrelated types for broken sheets
        raise _unreadable_workbook(error, file) from None
    finally:
        workbook.close()


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(text: str, *, decimal_comma: bool = False) -> float:
    """Parse a number as spreadsheets write it; raise ``ValueError`` otherwise.

    With ``decimal_comma`` a single comma is the decimal mark (``58,4``);
    otherwise commas are not accepted, since ``1,234`` is ambiguous.
    Non-finite numbers are refused.

    >>> parse_number("1633859000"), parse_number("58,4", decimal_comma=True)
    (1633859000.0, 58.4)
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma and cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _PLAIN_NUMBER.match(cleaned):
        raise ValueError(f"not a number: {text!r}{number_hint(text, decimal_comma=decimal_comma)}")
    number = float(cleaned)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {text!r}")
    return number


def number_hint(text: str, *, decimal_comma: bool = False) -> str:
    """Why a cell that looks like a number with a decimal comma was not read, or ``""``.

    >>> number_hint("58,4")
    "; a decimal comma is read only in files delimited by ';' (write 58.4 with a decimal point, or save the file with ';' between columns)"
    >>> number_hint("abc"), number_hint("58,4", decimal_comma=True)
    ('', '')
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma or cleaned.count(",") != 1:
        return ""
    dotted = cleaned.replace(",", ".")
    if not _PLAIN_NUMBER.match(dotted):
        return ""
    return (
        "; a decimal comma is read only in files delimited by ';' "
        f"(write {dotted} with a decimal point, or save the file with ';' between columns)"
    )


def filter_rows(table: Table, where: Mapping[str, object] | None) -> tuple[Row, ...]:
    """The rows whose cells equal every ``column = value`` pair in ``where``.

    Comparison is on stripped text; numbers in ``where`` compare as text of
    the number (``12`` matches ``"12"``).
    """
    if not where:
        return table.rows
    wanted = {fold_column(k): _cell_text(v).strip() for k, v in where.items()}
    return tuple(
        row for row in table.rows if all((row.get(k) or "") == v for k, v in wanted.items())
    )
