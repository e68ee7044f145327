"""Input files as untrusted data: confinement, regular files only, bounded size and numbers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policyeval.files import FileRefused, ParseError, inside, parse_json, read_bytes


def test_a_name_with_a_nul_byte_or_a_link_loop_names_nothing_inside(tmp_path: Path) -> None:
    """A NUL byte or a symbolic-link loop cannot name a file inside the folder: inside() is None."""
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert inside(tmp_path, "evidence\x00.csv") is None
    assert inside(tmp_path, "loop/evidence.csv") is None
    assert inside(tmp_path, "sub/../evidence.csv") == tmp_path / "sub/../evidence.csv"


def test_a_file_larger_than_the_limit_is_refused_with_its_size(tmp_path: Path) -> None:
    """read_bytes refuses a file over max_bytes, naming its size and the limit; at the limit it reads."""
    table = tmp_path / "evidence.csv"
    table.write_bytes(b"id,rating\n")
    assert read_bytes(table, max_bytes=10) == b"id,rating\n"
    with pytest.raises(FileRefused, match="the file has 10 bytes, more than the limit of 9"):
        read_bytes(table, max_bytes=9)


def test_a_path_through_a_file_is_refused_with_the_system_s_reason(tmp_path: Path) -> None:
    """A path that treats a file as a folder cannot be opened; the reason is the system's own."""
    table = tmp_path / "evidence.csv"
    table.write_bytes(b"id\n")
    with pytest.raises(FileRefused, match="cannot open the file: Not a directory"):
        read_bytes(table / "inner.csv")
    with pytest.raises(FileRefused, match="file not found"):
        read_bytes(tmp_path / "missing.csv")


def test_a_folder_is_not_a_regular_file(tmp_path: Path) -> None:
    """A folder named like a table is refused without being read."""
    with pytest.raises(FileRefused, match="not a regular file"):
        read_bytes(tmp_path)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux procfs")
def test_a_file_that_reports_size_0_but_yields_more_is_cut_at_the_limit() -> None:
    """A procfs file says it has 0 bytes yet yields more: reading stops one byte past the limit."""
    with pytest.raises(FileRefused, match="grew beyond the limit of 8 bytes"):
        read_bytes("/proc/self/status", max_bytes=8)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux procfs")
def test_a_file_that_reports_size_0_is_read_whole_within_the_limit() -> None:
    """A file whose size is not known up front is still read to its end."""
    data = read_bytes("/proc/self/status", max_bytes=1 << 20)
    assert data.startswith(b"Name:") and data.endswith(b"\n") and len(data) > 100


def test_reading_a_small_file_does_not_reserve_the_limit(tmp_path: Path) -> None:
    """The buffer asked for follows the file's size, not the (large) limit."""
    import tracemalloc

    small = tmp_path / "small.csv"
    small.write_bytes(b"id,unit\n" * 100)
    tracemalloc.start()
    try:
        assert read_bytes(small, max_bytes=256 << 20) == b"id,unit\n" * 100
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


@pytest.mark.parametrize(
    ("text", "message", "key"),
    [
        ('{"\\ud800": 1}', "a key holds a lone surrogate", None),
        ('{"nodes": [{"label": "\\udfff"}]}', "text holds a lone surrogate", "nodes[0].label"),
        ('{"weight": 1' + "0" * 310 + "}", "integer is outside the range", "weight"),
        ('{"w": [1, -1' + "0" * 310 + "]}", "integer is outside the range", "w[1]"),
    ],
)
def test_json_values_beyond_text_or_float_range_are_refused_with_their_key(
    text: str, message: str, key: str | None
) -> None:
    """Lone surrogates and integers beyond float range are refused, naming the key path."""
    with pytest.raises(ParseError, match=message) as refused:
        parse_json(text)
    assert refused.value.key == key
