"""The fast CSV reader reads exactly what the general reader reads, or leaves the file to it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from policyeval import _columns, frameworks
from policyeval._columns import TableColumns, read_columns
from policyeval.evidence import Source
from policyeval.evidence_io import _CODED_CELLS, load_evidence
from policyeval.evidence_table import EvidenceTable
from policyeval.exceptions import EvidenceError
from policyeval.tables import TableLimits, fold_column

AGUSTINO = frameworks.load("agustino")

# Cells a plain file holds, and cells that make it not plain or test the decoding of cells.
_CELLS = {
    "id": [
        "E1",
        "E2",
        "E1",
        "E10",
        "LONG-IDENTIFIER-17",
        " E3 ",
        "",
        "E\u200b4",
        "é5",
        "E 6",
        "E\x7f",
        "E\x01",
    ],
    "unit": ["kota", "desa", "", " desa", "kota\u00a0", "lain", "\u2028", '"kota"', '" desa "'],
    "indicator": ["kompetensi", "komunikasi_publik", "anggaran", "nope", ""],
    "rating": ["baik", "Baik", "cukup_baik", "cukup baik", "bagus", "", " baik "],
    "value": ["", "", "3", "58.4", "x"],
    "source": ["s1", "s2", "", "ghost", "a-much-longer-source-name-than-eight"],
    "source_category": ["asn", "", "dokumen", "penyelenggara"],
    "technique": ["interview", "", "documentation", "observation"],
    "date": ["", "2024-03-01", "31/12/2023", "yesterday"],
    "weight": ["", "1", "0", "2.5"],
    "attribution": ["", "stated", "Inferred", "guessed"],
    "investigator": ["", "ana", "budi"],
    "excerpt": ["", "kata pak camat", " spasi ", "ünï", "\x0bvt", '"kata, ""pak"" camat"', '""'],
    "Limitations": ["", "serious"],
}
_QUIRKS = [
    '"open',
    '"a"b',
    '"x\ny"',
    'a"b',
    "1,5",
    "x;y",
    "a\tb",
    "\r",
    "\n",
    "\x00",
    "\x1c",
    "\x85",
]
_HEADER_QUIRKS = ["", "Unit", " ID ", "Source Category", "a;b", "a,b", "a\tb", "x\u2028y", "x\x0cy"]
_SOURCES = {"s1": Source(id="s1", category="asn", technique="interview"), "s2": Source(id="s2")}


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A CSV file's bytes, and whether it is plain (the fast reader must take it)."""
    plain = True
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    chosen = draw(st.lists(st.sampled_from(sorted(_CELLS)), unique=True, max_size=8))
    names = ["id", *(c for c in chosen if c != "id")]
    if draw(st.integers(0, 19)) == 0:
        names = names[1:] or ["unit"]  # no id column: the header check refuses the file
    header = list(names)
    if draw(st.integers(0, 9)) == 0:
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(_HEADER_QUIRKS))
        plain = False
    lines = [delimiter.join(header)]
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.integers(0, 19))
        cells = [draw(st.sampled_from(_CELLS[name])) for name in names]
        if kind == 0:
            blank = draw(st.sampled_from(["", "  ", delimiter * (len(names) - 1)]))
            # A line of spaces is one cell: a short row unless the header has one column.
            plain = plain and (blank != "  " or len(names) == 1)
            lines.append(blank)
            continue
        if kind == 1:
            cells = cells[: draw(st.integers(0, len(cells)))]
        elif kind == 2:
            cells.append(draw(st.sampled_from(["", "extra"])))
        elif kind == 3:
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(_QUIRKS))
        plain = plain and kind > 3
        lines.append(delimiter.join(cells))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = ending.join(lines)
    if draw(st.booleans()):
        text += ending
    if draw(st.integers(0, 9)) == 0:
        text = draw(st.sampled_from(["\n", "\r\n", "  \n", "\r"])) + text
        plain = False
    if draw(st.integers(0, 9)) == 0:
        text = text.replace(ending, "\r", 1)
        plain = False
    if draw(st.integers(0, 19)) == 0:
        text += "\r"
        plain = False
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 19)) == 0:
        data += b"\xff"
        plain = False
    # Cells that hold a delimiter of their own or line ends make the file ragged.
    return data, plain and len(data) >= 16 and '"' not in lines[0]


@contextlib.contextmanager
def general_reader_only() -> Iterator[None]:
    with mock.patch.object(_columns, "_plain_header", return_value=None):
        yield


def fast_path_takes(data: bytes) -> bool:
    header = _columns._plain_header(data)
    if header is None:
        return False
    scan = _columns._scan(data, *header)
    if scan is None:
        return False
    names = [fold_column(cell) for cell in header[0]]
    found = _columns._plain_columns(data, scan, names, header[1], coded=_CODED_CELLS, key="id")
    return found is not None


def _cells_by_row(columns: TableColumns) -> list[dict[str, Any]]:
    """Each row's stripped cells, whichever way the reader held them."""
    rows: list[dict[str, Any]] = [{"row": number} for number in columns.numbers.tolist()]
    for name, (codes, texts) in columns.coded.items():
        for row, code in zip(rows, codes.tolist(), strict=True):
            row[name] = texts[code]
    if columns.key is not None:
        key = columns.key
        cells = [cell.decode() for cell in key.tolist()] if isinstance(key, np.ndarray) else key
        for row, cell in zip(rows, cells, strict=True):
            row["__key__"] = cell
    for name, texts in columns.texts.items():
        for row, text in zip(rows, texts, strict=True):
            row[name] = text
    return rows


def _read(path: Path, limits: TableLimits) -> Any:
    try:
        header, columns = read_columns(path, coded=_CODED_CELLS, key="id", limits=limits)
    except EvidenceError as error:
        return "error", [str(problem) for problem in error.problems]
    return header, _cells_by_row(columns), columns.overflow


def _load(path: Path, limits: TableLimits, **options: Any) -> Any:
    try:
        found = load_evidence(path, AGUSTINO, limits=limits, **options)
    except EvidenceError as error:
        return "error", [str(problem) for problem in error.problems]
    assert isinstance(found.items, EvidenceTable)
    return list(found.items), found.rejected, found.items.ids, found.items.rows.tolist()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fast_csv")


@settings(max_examples=300, deadline=None)
@given(
    csv_files(),
    st.booleans(),
    st.sampled_from([None, "kota"]),
    st.booleans(),
    st.sampled_from([TableLimits(), TableLimits(rows=3, columns=5)]),
)
def test_the_fast_reader_reads_what_the_general_reader_reads(
    folder: Path,
    file: tuple[bytes, bool],
    lenient: bool,
    default_unit: str | None,
    with_sources: bool,
    limits: TableLimits,
) -> None:
    """For any CSV file, reading it with the fast path allowed gives the same header, cells,
    row numbers, evidence, rejections and errors (file, row, column, value, in order) as the
    general reader, strict or lenient, within limits or beyond them; and a plain file is
    taken by the fast path."""
    data, plain = file
    path = folder / "e.csv"
    path.write_bytes(data)
    options = {
        "lenient": lenient,
        "default_unit": default_unit,
        "sources": _SOURCES if with_sources else None,
    }
    fast_columns, fast_evidence = _read(path, limits), _load(path, limits, **options)
    with general_reader_only():
        assert fast_columns == _read(path, limits)
        assert fast_evidence == _load(path, limits, **options)
    taken = fast_path_takes(data)
    event(("fast path" + (" with quoted lines" if b'"' in data else "")) if taken else "general")
    assert taken or not plain


def test_a_plain_file_is_read_by_the_fast_path(tmp_path: Path) -> None:
    """A plain file never reaches the general reader, and its ids stay bytes until asked for."""
    path = tmp_path / "e.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid;unit;indicator;rating;source;technique\r\n"
        b"E1;kota;kompetensi;Baik;s1;interview\r\n"
        b"\r\n"
        b"E2;kota;kompetensi;cukup_baik;s2;interview\r\n"
    )
    with mock.patch.object(_columns, "_records", side_effect=AssertionError("general reader")):
        found = load_evidence(path, AGUSTINO)
    assert isinstance(found.items, EvidenceTable)
    assert found.items.rows.tolist() == [2, 4]
    assert found.items.id_of(1) == "E2"
    assert found.items.ids == ("E1", "E2")
    assert [item.rating for item in found.items] == ["baik", "cukup_baik"]


def test_a_long_file_with_many_distinct_cells_is_read_the_same_both_ways(tmp_path: Path) -> None:
    """Thousands of rows with thousands of distinct dates, long ids and a few bad rows: the fast
    path (hash collisions and all) keeps and rejects exactly what the general reader does."""
    lines = ["id;unit;indicator;rating;source;technique;date;excerpt"]
    for n in range(6000):
        day = f"{1 + n % 28:02d}/{1 + n // 28 % 12:02d}/{2000 + n // 336}"
        rating = ["baik", "cukup_baik", "Kurang baik"][n % 3] if n % 97 else "bagus"
        row_id = f"EVIDENCE-{n - 500 if n % 1000 == 999 else n}"
        lines.append(f"{row_id};u{n % 37};kompetensi;{rating};s{n % 5};interview;{day};kata {n}")
    path = tmp_path / "e.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert fast_path_takes(path.read_bytes())
    fast = _load(path, TableLimits(), lenient=True)
    with general_reader_only():
        assert fast == _load(path, TableLimits(), lenient=True)
    assert len(fast[1]) == 62 + 6  # the unknown ratings, then the repeated ids


def test_hash_collisions_still_give_distinct_cells_distinct_codes() -> None:
    """Codes follow the cells exactly even when every cell lands in one hash bucket."""
    words = np.array([[n % 7, n % 3] for n in range(50)], dtype=np.uint64)
    with mock.patch.object(_columns, "_MULTIPLIERS", np.zeros(6, dtype=np.uint64)):
        codes, representatives = _columns._factorize([words[:, 0], words[:, 1]])
    assert len(set(codes.tolist())) == 21
    assert (words[representatives[codes]] == words).all()
    for a in range(50):
        for b in range(50):
            assert (codes[a] == codes[b]) == bool((words[a] == words[b]).all())


@pytest.mark.parametrize(
    "rows",
    [3, 4],
)
def test_the_row_limit_names_the_first_row_beyond_it(tmp_path: Path, rows: int) -> None:
    """The fast path refuses a table longer than its row limit at the first row beyond it."""
    path = tmp_path / "e.csv"
    body = "".join(f"E{n},kota,kompetensi,baik,s1,interview\n" for n in range(5))
    path.write_text("id,unit,indicator,rating,source,technique\n\n" + body)
    if rows == 4:
        load_evidence(path, AGUSTINO, limits=TableLimits(rows=5))
    with pytest.raises(EvidenceError, match=rf"row {rows + 3}: more than {rows} data rows"):
        load_evidence(path, AGUSTINO, limits=TableLimits(rows=rows))


def test_a_missing_column_is_reported_before_the_rows_are_parsed(tmp_path: Path) -> None:
    """The header of a plain file is checked before any data row is looked at."""
    path = tmp_path / "e.csv"
    path.write_text("id,unit,indicator,rating,source\n" + "E1,kota,kompetensi,baik,s1\n" * 50)
    with (
        mock.patch.object(_columns, "_plain_columns", side_effect=AssertionError("rows parsed")),
        pytest.raises(EvidenceError, match=r"row 1: technique: missing required column"),
    ):
        load_evidence(path, AGUSTINO)
