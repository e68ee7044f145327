"""Reading a table straight into columns: a fast CSV path and the general one.

:func:`read_columns` gives a table's data as :class:`TableColumns`: each
column a caller names as *coded* becomes integer codes into its distinct
cells, the *key* column (evidence ids) a byte-string array when every cell
is plain printable ASCII, and any other column a list of stripped texts.

A CSV file in the common shape (UTF-8, one header line without quotes,
every record on one line and as wide as the header, LF or CR LF line
ends) is parsed from its bytes with numpy: the delimiters and line ends
are found a block at a time, each coded column is read as 8-byte words
gathered at the cells' offsets and grouped by a hash table checked against
the words themselves, and only the distinct cells are decoded; the lines
that hold a quote are parsed by the csv module, as the general reader
parses them. Any other file (a quoted cell running over lines, ragged
rows, blank lines above the header, a stray CR, not UTF-8 ...) is read by
:func:`policyeval.tables.read_records`, which says what is wrong with it,
so both paths give the same columns, rows and errors.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = path.write_bytes(b"id,unit,note\\r\\nE1,a, x \\r\\nE2,b,\\r\\n\\r\\nE3,a,y\\r\\n")
>>> header, columns = read_columns(path, coded=("unit",), key="id")
>>> columns.numbers.tolist(), columns.key.tolist(), columns.texts["note"]
([2, 3, 5], [b'E1', b'E2', b'E3'], ['x', '', 'y'])
>>> codes, texts = columns.coded["unit"]
>>> [texts[code] for code in codes.tolist()]
['a', 'b', 'a']
"""

from __future__ import annotations

import codecs
import csv
import itertools
import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval.exceptions import EvidenceError, Problem
from policyeval.tables import (
    _CSV_SUFFIXES,
    _TEXT_LINE,
    Table,
    TableLimits,
    _read_raw,
    _records,
    _too_long,
    _too_wide,
    fold_column,
    overflow_text,
)

__all__ = ["TableColumns", "columns_from_records", "read_columns"]

IntArray = npt.NDArray[np.int64]
PositionArray = npt.NDArray[np.signedinteger[Any]]
CodeArray = npt.NDArray[np.int32]


@attrs.frozen(eq=False)
class TableColumns:
    """A table's data rows as columns.

    ``numbers`` holds each row's number as a spreadsheet shows it.
    ``coded`` maps a column to its cells' codes and the stripped text of
    each code (``None`` for an empty cell; two codes may share a text).
    ``key`` is the key column: an ``S`` array when every cell is printable
    ASCII without surrounding spaces (so the cells are their stripped texts
    and none is empty), else a list of stripped texts (``""`` when empty),
    or ``None`` without a key column. ``texts`` holds every other named
    column as stripped texts, and ``overflow`` the cells beyond the header
    of the rows that have them, by row position.
    """

    numbers: IntArray
    coded: dict[str, tuple[CodeArray, list[str | None]]]
    key: npt.NDArray[np.bytes_] | list[str] | None
    texts: dict[str, list[str]]
    overflow: dict[int, str]

    def __len__(self) -> int:
        return len(self.numbers)


def read_columns(
    path: str | os.PathLike[str],
    *,
    coded: Collection[str],
    key: str | None = None,
    sheet: str | None = None,
    check_header: Callable[[Table], Sequence[Problem]] | None = None,
    limits: TableLimits | None = None,
) -> tuple[Table, TableColumns]:
    """Read a table's header and its data as columns.

    The header is checked (size limits, then ``check_header``) before any
    data row is parsed (in a plain CSV file only the line ends are found
    first), and the data as :func:`~policyeval.tables.read_records` checks
    it; the header :class:`~policyeval.tables.Table` comes back with its
    ``columns`` as that function gives them.
    """
    raw, file, suffix, limits = _read_raw(path, limits)
    plain = _plain_header(raw) if suffix in _CSV_SUFFIXES else None
    # The general reader parses a first chunk of rows before it checks the header; unless the
    # file is known to parse without error, it must keep that order.
    scan = _scan(raw, *plain) if plain is not None else None
    if plain is not None and scan is not None:
        cells, delimiter = plain
        if len(cells) > limits.columns and any(cell.strip() for cell in cells[limits.columns :]):
            raise EvidenceError([_too_wide(limits, file, 1)])
        names = tuple(fold_column(name) for name in cells)
        header = Table(file, names, (), delimiter == ";", 1, tuple(name.strip() for name in cells))
        if check_header is not None:
            found = check_header(header)
            if found:
                raise EvidenceError(found)
        columns = _plain_columns(raw, scan, names, delimiter, coded=coded, key=key)
        if columns is not None:
            if len(columns) > limits.rows:
                raise EvidenceError([_too_long(limits, file, int(columns.numbers[limits.rows]))])
            return header, columns
    # The general reader checks the header again, as the file is not plain after all.
    header, chunks = _records(raw, file, suffix, sheet, check_header, limits)
    del raw
    return header, columns_from_records(header, chunks, coded=coded, key=key)


def columns_from_records(
    header: Table,
    chunks: Iterable[tuple[Sequence[int], Sequence[Sequence[str]]]],
    *,
    coded: Collection[str],
    key: str | None = None,
) -> TableColumns:
    """Columns from data records in chunks of ``(row numbers, records)`` (see ``read_records``)."""
    columns = header.columns
    width = len(columns)
    position = {column: index for index, column in enumerate(columns) if column}
    raw = {name: _DistinctCells() for name in position if name in coded}
    plain = [name for name in position if name not in coded and name != key]
    texts: dict[str, list[str]] = {name: [] for name in plain}
    keys: list[str] = []
    number_chunks: list[IntArray] = []
    overflow: dict[int, str] = {}
    offset = 0
    for chunk_numbers, cells in chunks:
        number_chunks.append(np.asarray(chunk_numbers, dtype=np.int64))
        if max(map(len, cells)) > width:
            for index, values in enumerate(cells):
                text = overflow_text(values, width)
                if text:
                    overflow[offset + index] = text
        by_column = list(itertools.zip_longest(*cells, fillvalue=""))
        by_column += [("",) * len(cells)] * (width - len(by_column))
        if key in position:
            keys.extend(map(str.strip, by_column[position[key]]))
        for name, column in raw.items():
            column.extend(by_column[position[name]])
        for name in plain:
            texts[name].extend(map(str.strip, by_column[position[name]]))
        offset += len(cells)
    numbers = np.concatenate(number_chunks) if number_chunks else np.zeros(0, dtype=np.int64)
    return TableColumns(
        numbers=numbers,
        coded={name: (column.codes(), column.texts()) for name, column in raw.items()},
        key=keys if key in position else None,
        texts=texts,
        overflow=overflow,
    )


class _DistinctCells:
    """One column's cells as codes into its distinct cells, as read (not yet stripped)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {"": 0}
        self.chunks: list[CodeArray] = []

    def extend(self, cells: Sequence[str]) -> None:
        index = self.index
        for cell in dict.fromkeys(cells):
            if cell not in index:
                index[cell] = len(index)
        self.chunks.append(
            np.fromiter(map(index.__getitem__, cells), dtype=np.int32, count=len(cells))
        )

    def codes(self) -> CodeArray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int32)

    def texts(self) -> list[str | None]:
        return [cell.strip() or None for cell in self.index]


# --- the fast CSV path ---------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"
_NEWLINE, _CARRIAGE_RETURN, _SPACE = 10, 13, 32
# _MASKS[r] keeps the first r bytes of a little-endian 8-byte word.
_MASKS = np.array([(1 << (8 * r)) - 1 for r in range(9)], dtype=np.uint64)
_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
    ],
    dtype=np.uint64,
)


def _plain_header(raw: bytes) -> tuple[list[str], str] | None:
    """The header cells and delimiter of a CSV file that may be plain, or ``None`` if it is not.

    The file is plain so far when it is UTF-8 without NUL bytes and its
    first line, without quotes, is the header: then the general reader
    would find the same cells and delimiter, and raise nothing before
    checking them.
    """
    if sys.byteorder != "little" or len(raw) < 16 or b"\x00" in raw:
        return None
    if not raw.isascii() and not _utf8(raw):
        return None
    start = len(_BOM) if raw.startswith(_BOM) else 0
    end = raw.find(b"\n", start)
    line = raw[start : len(raw) if end < 0 else end]
    line = line.removesuffix(b"\r")
    if b"\r" in line or b'"' in line:
        return None
    text = line.decode("utf-8")
    # Where the general reader would split the line elsewhere, or skip it as blank.
    if not _TEXT_LINE.fullmatch(text):
        return None
    delimiter = max((",", ";", "\t"), key=text.count)
    cells = text.split(delimiter)
    if not "".join(cells).strip():
        return None
    return cells, delimiter


@attrs.frozen(eq=False)
class _Scan:
    """The lines of a CSV file that parses without error, and its rows that hold a quote.

    ``lines`` numbers the non-empty lines after the header (the header is
    line 0); ``quoted_rows`` are positions in ``lines``, and ``records``
    their cells as the general reader reads them.
    """

    begins: PositionArray
    content_ends: PositionArray
    ends: PositionArray
    lines: IntArray
    quoted_rows: IntArray
    records: list[list[str]]


def _scan(raw: bytes, cells: Sequence[str], delimiter: str) -> _Scan | None:
    """The lines of a CSV file with a plain header, or ``None`` if it needs the general reader.

    A file comes back only when the general reader would parse it without
    error: no line longer than a cell may be, no CR but before an LF, and
    every line with a quote a whole record as wide as the header.
    """
    start = len(_BOM) if raw.startswith(_BOM) else 0
    data = np.frombuffer(raw, dtype=np.uint8)
    ends = _positions(data, _NEWLINE)
    if raw[-1] != _NEWLINE:
        ends = np.append(ends, len(raw))
    begins = np.empty_like(ends)
    begins[0], begins[1:] = start, ends[:-1] + 1
    content_ends = ends
    if b"\r" in raw:
        # A CR may only end a line, before its LF; the general reader splits lines at a lone CR.
        before = data[np.maximum(ends - 1, 0)] == _CARRIAGE_RETURN
        if _count(data, _CARRIAGE_RETURN) != np.count_nonzero(before):
            return None
        content_ends = ends - before
    if len(raw) > csv.field_size_limit() and np.max(content_ends - begins) > csv.field_size_limit():
        return None  # a cell may be too long for the general reader
    lines = np.flatnonzero(content_ends[1:] != begins[1:]) + 1
    quoted = _quoted_records(raw, data, begins, content_ends, ends, lines, delimiter, len(cells))
    if quoted is None:
        return None
    return _Scan(begins, content_ends, ends, lines, *quoted)


def _plain_columns(
    raw: bytes,
    scan: _Scan,
    names: Sequence[str],
    delimiter: str,
    *,
    coded: Collection[str],
    key: str | None,
) -> TableColumns | None:
    """The data of a plain CSV file as columns, or ``None`` if the file is not plain."""
    if not all(names) or len(set(names)) < len(names):
        return None  # the general reader says which column is wrong
    begins, content_ends, ends, lines = scan.begins, scan.content_ends, scan.ends, scan.lines
    quoted_rows, records = scan.quoted_rows, scan.records
    width = len(names)
    data = np.frombuffer(raw, dtype=np.uint8)
    delimiters = _positions(data, ord(delimiter))[width - 1 :]
    # Lines with a quote are read one by one as the general reader reads them; the rest at once.
    if len(quoted_rows):
        # The delimiters on quoted lines: each line's run of them, found by its bounds.
        quoted_lines = lines[quoted_rows]
        first = np.searchsorted(delimiters, begins[quoted_lines])
        counts = np.searchsorted(delimiters, ends[quoted_lines]) - first
        on_quoted = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        kept = np.ones(len(delimiters), dtype=np.bool_)
        kept[on_quoted] = False
        delimiters = delimiters[kept]
        unquoted = np.ones(len(lines), dtype=np.bool_)
        unquoted[quoted_rows] = False
        plain_rows = np.flatnonzero(unquoted)
    else:
        plain_rows = np.arange(len(lines))
    plain_lines = lines[plain_rows]
    # Every line as wide as the header: as many delimiters as that needs in all, and each
    # line's first and last in it (so none holds fewer, hence none more).
    if len(delimiters) != len(plain_lines) * (width - 1):
        return None  # ragged rows: the general reader lines them up
    inner = delimiters.reshape(len(plain_lines), width - 1)
    if width > 1 and (
        np.any(inner[:, 0] < begins[plain_lines])
        or np.any(inner[:, -1] >= content_ends[plain_lines])
    ):
        return None
    words = np.ndarray((len(raw) - 7,), dtype="<u8", buffer=raw, strides=(1,))
    columns = _Cells(raw, words, begins[plain_lines], content_ends[plain_lines], inner)
    del begins, ends, content_ends, delimiters
    coded_columns: dict[str, tuple[CodeArray, list[str | None]]] = {}
    texts: dict[str, list[str]] = {}
    key_column: npt.NDArray[np.bytes_] | list[str] | None = None
    blank = np.ones(len(lines), dtype=np.bool_)
    for index, name in enumerate(names):
        cells = [record[index] for record in records]
        if name in coded:
            codes, values = columns.factorized(index)
            if records:
                codes, values = _with_cells(codes, values, plain_rows, quoted_rows, cells)
            coded_columns[name] = (codes, values)
            blank &= np.asarray([value is None for value in values], dtype=np.bool_)[codes]
            continue
        plain = columns.plain(index) if name == key else None
        if plain is not None and records:
            plain = _with_plain_cells(plain, plain_rows, quoted_rows, cells)
        if plain is not None:
            key_column = plain
            blank[:] = False
            continue
        column = columns.texts(index)
        if records:
            merged = np.empty(len(lines), dtype=object)
            merged[plain_rows] = column
            merged[quoted_rows] = [cell.strip() for cell in cells]
            column = merged.tolist()
        blank &= np.asarray([not text for text in column], dtype=np.bool_)
        if name == key:
            key_column = column
        else:
            texts[name] = column
    numbers = lines + 1
    if blank.any():
        keep = np.flatnonzero(~blank)
        listed = keep.tolist()
        numbers = numbers[keep]
        coded_columns = {name: (codes[keep], v) for name, (codes, v) in coded_columns.items()}
        texts = {name: [column[row] for row in listed] for name, column in texts.items()}
        if isinstance(key_column, list):
            key_column = [key_column[row] for row in listed]
    return TableColumns(
        numbers=numbers.astype(np.int64),
        coded=coded_columns,
        key=key_column,
        texts=texts,
        overflow={},
    )


def _quoted_records(
    raw: bytes,
    data: npt.NDArray[np.uint8],
    begins: PositionArray,
    content_ends: PositionArray,
    ends: PositionArray,
    lines: IntArray,
    delimiter: str,
    width: int,
) -> tuple[IntArray, list[list[str]]] | None:
    """The data rows whose line holds a quote, and their records as the general reader reads them.

    ``None`` when one of them is not a whole record as wide as the header
    (a quoted cell running on to the next line, a stray quote, a ragged
    row): the general reader then reads the file and says what is wrong.
    """
    if b'"' not in raw:
        return np.zeros(0, dtype=np.int64), []
    quotes = _positions(data, ord('"'))
    # Quote positions ascend, so their lines do: neighbours compared give the distinct ones
    # (and keep np.unique's masked-array import off a small file's path).
    hit = np.searchsorted(ends, quotes)
    on_line = hit[np.flatnonzero(np.diff(hit, prepend=-1))]
    rows = np.searchsorted(lines, on_line).astype(np.int64)
    quoted = lines[rows]
    texts = [
        raw[start:stop].decode("utf-8")
        for start, stop in zip(begins[quoted].tolist(), content_ends[quoted].tolist(), strict=True)
    ]
    try:
        records = list(csv.reader(texts, delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    # A quoted cell running on past its line takes the next line in: fewer records than lines.
    if len(records) != len(texts) or any(len(record) != width for record in records):
        return None
    return rows, records


def _with_cells(
    codes: CodeArray,
    values: list[str | None],
    plain_rows: IntArray,
    quoted_rows: IntArray,
    cells: list[str],
) -> tuple[CodeArray, list[str | None]]:
    """A coded column of the plain rows joined with the cells of the quoted rows."""
    distinct = {cell: len(values) + n for n, cell in enumerate(dict.fromkeys(cells))}
    joined = np.empty(len(plain_rows) + len(quoted_rows), dtype=np.int32)
    joined[plain_rows] = codes
    joined[quoted_rows] = np.fromiter(map(distinct.__getitem__, cells), np.int32, len(cells))
    return joined, [*values, *(cell.strip() or None for cell in distinct)]


def _with_plain_cells(
    plain: npt.NDArray[np.bytes_],
    plain_rows: IntArray,
    quoted_rows: IntArray,
    cells: list[str],
) -> npt.NDArray[np.bytes_] | None:
    """A plain column of the plain rows joined with the quoted rows' cells, if those are plain."""
    if not all(
        cell and cell.isascii() and cell.isprintable() and cell.strip() == cell for cell in cells
    ):
        return None
    size = max(plain.dtype.itemsize, *map(len, cells))
    joined = np.zeros(len(plain_rows) + len(quoted_rows), dtype=f"S{-(-size // 8) * 8}")
    joined[plain_rows] = plain
    joined[quoted_rows] = [cell.encode("ascii") for cell in cells]
    return joined


_BLOCK = 1 << 22


def _utf8(raw: bytes) -> bool:
    """Whether ``raw`` is valid UTF-8 (checked a block at a time: no copy of the text is made)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _BLOCK):
            decoder.decode(view[start : start + _BLOCK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _positions(data: npt.NDArray[np.uint8], byte: int) -> PositionArray:
    """Where ``byte`` occurs in ``data``, found a block at a time to bound the memory used."""
    counts = [int(np.count_nonzero(block)) for block in _matches(data, byte)]
    # Offsets into a file under 2 GiB fit in 32 bits, half the memory.
    kind = np.int32 if len(data) < 2**31 - 2 * _BLOCK else np.int64
    found: PositionArray = np.empty(sum(counts), dtype=kind)
    filled = 0
    for index, (block, count) in enumerate(zip(_matches(data, byte), counts, strict=True)):
        found[filled : filled + count] = np.flatnonzero(block)
        found[filled : filled + count] += index * _BLOCK
        filled += count
    return found


def _count(data: npt.NDArray[np.uint8], byte: int) -> int:
    """How many times ``byte`` occurs in ``data``."""
    return sum(int(np.count_nonzero(block)) for block in _matches(data, byte))


def _matches(data: npt.NDArray[np.uint8], byte: int) -> Iterator[npt.NDArray[np.bool_]]:
    """Whether each byte of ``data`` is ``byte``, a block at a time in one reused buffer."""
    buffer = np.empty(min(len(data), _BLOCK), dtype=np.bool_)
    for start in range(0, len(data), _BLOCK):
        block = data[start : start + _BLOCK]
        yield np.equal(block, byte, out=buffer[: len(block)])


class _Cells:
    """The cells of a plain CSV file, a column at a time."""

    def __init__(
        self,
        raw: bytes,
        words: npt.NDArray[np.uint64],
        begins: PositionArray,
        ends: PositionArray,
        inner: PositionArray,
    ) -> None:
        self.raw, self.words = raw, words
        self.is_ascii = raw.isascii()
        self.ascii: str | None = None
        self.begins, self.ends, self.inner = begins, ends, inner

    def bounds(self, column: int) -> tuple[PositionArray, PositionArray]:
        starts = self.begins if column == 0 else self.inner[:, column - 1] + 1
        stops = self.ends if column == self.inner.shape[1] else self.inner[:, column]
        return starts, stops

    def gathered(
        self, column: int
    ) -> tuple[list[npt.NDArray[np.uint64]], PositionArray, PositionArray]:
        """The column's cells as little-endian 8-byte words, an array per word, zero past a cell."""
        starts, stops = self.bounds(column)
        lengths = stops - starts
        count = max(-(-int(lengths.max(initial=0)) // 8), 1)
        shortest = int(lengths.min(initial=0))
        last = len(self.words) - 1
        out = []
        for word in range(count):
            at = starts + 8 * word if word else starts
            # The cells are in file order: only the last few can start too near its end to
            # read 8 bytes there; their words are read earlier and shifted into place.
            near = int(np.searchsorted(at, last, side="right"))
            if near == len(at):
                found = self.words[at]
            else:
                found = np.empty(len(at), dtype=np.uint64)
                found[:near] = self.words[at[:near]]
                shift = (np.minimum(at[near:] - last, 7) * 8).astype(np.uint64)
                found[near:] = self.words[np.full(len(at) - near, last)] >> shift
            if shortest < 8 * (word + 1):
                remaining = lengths - 8 * word
                np.clip(remaining, 0, 8, out=remaining)
                found &= _MASKS[remaining]
            out.append(found)
        return out, starts, stops

    def text(self, start: int, stop: int) -> str:
        return self.raw[start:stop].decode("utf-8").strip()

    def texts(self, column: int) -> list[str]:
        starts, stops = self.bounds(column)
        bounds = zip(starts.tolist(), stops.tolist(), strict=True)
        if self.is_ascii:
            # In ASCII a byte is a character: slicing the text once decoded skips a decode a cell.
            if self.ascii is None:
                self.ascii = self.raw.decode("ascii")
            text = self.ascii
            return [text[start:stop].strip() for start, stop in bounds]
        raw = self.raw
        return [raw[start:stop].decode("utf-8").strip() for start, stop in bounds]

    def factorized(self, column: int) -> tuple[CodeArray, list[str | None]]:
        """Codes of the column's cells into their distinct stripped texts."""
        words, starts, stops = self.gathered(column)
        codes, representatives = _factorize(words)
        values = [
            self.text(start, stop) or None
            for start, stop in zip(
                starts[representatives].tolist(), stops[representatives].tolist(), strict=True
            )
        ]
        return codes, values

    def plain(self, column: int) -> npt.NDArray[np.bytes_] | None:
        """The column as an ``S`` array if every cell is printable ASCII, unpadded and not empty."""
        found, starts, stops = self.gathered(column)
        words = np.stack(found, axis=1) if len(found) > 1 else found[0]
        lengths = stops - starts
        if not len(lengths) or lengths.min() == 0:
            return None
        width = 8 * len(found)
        octets = words.view(np.uint8).reshape(len(lengths), width)
        inside = np.arange(width) < lengths[:, None]
        if np.any(inside & ((octets < _SPACE) | (octets > 126))):
            return None
        rows = np.arange(len(lengths))
        if np.any(octets[:, 0] == _SPACE) or np.any(octets[rows, lengths - 1] == _SPACE):
            return None
        return words.view(f"S{width}").reshape(len(lengths))


def _factorize(words: Sequence[npt.NDArray[np.uint64]]) -> tuple[CodeArray, IntArray]:
    """Codes for the distinct rows of ``words`` (one array per word) and one row of each code.

    Rows are put in a hash table; a row equal to the one its bucket kept
    takes that bucket's code, and the rest (hash collisions) go round again
    with another hash, so equal rows always share a code and unequal rows
    never do.
    """
    count = len(words[0])
    codes = np.empty(count, dtype=np.int32)
    representatives: list[IntArray] = []
    pending: IntArray | None = None  # None: every row
    issued = 0
    for multiplier in _MULTIPLIERS:
        rows = list(words) if pending is None else [word[pending] for word in words]
        size = len(rows[0])
        if not size:
            break
        mixed = rows[0]
        for index, word in enumerate(rows[1:], start=1):
            mixed = (mixed << np.uint64(29)) | (mixed >> np.uint64(35))
            mixed = mixed ^ (word * _MULTIPLIERS[-index % len(_MULTIPLIERS)])
        # A small table first: most coded columns hold few distinct cells, and a table that
        # stays in the cache is filled and read several times faster. Rows it cannot tell
        # apart go round again in a table sized for them.
        bits = 12 if pending is None else min(max(size.bit_length() + 1, 10), 22)
        bucket = ((mixed * multiplier) >> np.uint64(64 - bits)).astype(np.intp)
        del mixed
        table = np.full(1 << bits, -1, dtype=np.int32)
        table[bucket] = np.arange(size, dtype=np.int32)
        kept = table[bucket]
        same = rows[0][kept] == rows[0]
        for word in rows[1:]:
            same &= word[kept] == word
        used = np.flatnonzero(table >= 0)
        renumber = np.zeros(1 << bits, dtype=np.int32)
        renumber[used] = np.arange(issued, issued + len(used), dtype=np.int32)
        held = table[used] if pending is None else pending[table[used]]
        representatives.append(held.astype(np.int64))
        issued += len(used)
        if pending is None and bool(same.all()):
            codes[:] = renumber[bucket]
            pending = np.zeros(0, dtype=np.int64)
            break
        everyone = np.arange(count) if pending is None else pending
        codes[everyone[same]] = renumber[bucket[same]]
        pending = everyone[~same]
    if pending is not None and len(pending):
        rest = np.stack([word[pending] for word in words], axis=1)
        _, first, inverse = np.unique(rest, axis=0, return_index=True, return_inverse=True)
        codes[pending] = issued + inverse.reshape(-1).astype(np.int32)
        representatives.append(pending[first])
    found = np.concatenate(representatives) if representatives else np.zeros(0, np.int64)
    return codes, found.astype(np.int64)
