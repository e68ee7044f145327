"""Shared fixtures: a small bilingual framework, its scales, and writers for CSV and XLSX tables."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import settings

from policyeval.framework import Framework, Node
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale

LEVEL_IDS = ("baik", "cukup_baik", "kurang_baik", "tidak_baik")
ASCENDING_LEVEL_IDS = tuple(reversed(LEVEL_IDS))

# The suite runs on busy shared machines, where a test may wait seconds for a core: a deadline
# measures the machine, not the code. Speed targets live in benchmarks/, so no test has a
# deadline; Hypothesis then allows 30 s of data generation for the first examples before its
# too-slow health check fails, and the strategies stay far below that. The health checks stay on.
settings.register_profile("policyeval", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "policyeval"))

CsvWriter = Callable[..., Path]
XlsxWriter = Callable[..., Path]


def make_scale4() -> OrdinalScale:
    """The four-level ordinal scale, best first, labelled in Indonesian and English."""
    return OrdinalScale(
        "empat",
        (
            Level("baik", 4, label={"id": "Baik", "en": "Good"}),
            Level("cukup_baik", 3, label={"id": "Cukup baik", "en": "Fair"}),
            Level("kurang_baik", 2, label={"id": "Kurang baik", "en": "Poor"}),
            Level("tidak_baik", 1, label={"id": "Tidak baik", "en": "Bad"}),
        ),
        label={"id": "Skala empat", "en": "Four-point scale"},
    )


def make_percent_scale(scale4: OrdinalScale) -> NumericScale:
    """A 0-100 % numeric scale banded into the four levels at 50, 75 and 90."""
    return NumericScale(
        "persen",
        minimum=0,
        maximum=100,
        unit="%",
        label={"id": "Persen", "en": "Percent"},
        bands=Bands(cuts=(50, 75, 90), levels=ASCENDING_LEVEL_IDS),
        levels=scale4,
    )


def make_framework() -> Framework:
    """Root → two dimensions → four indicators; ``realisasi`` is numeric, the rest ordinal."""
    scale4 = make_scale4()
    percent = make_percent_scale(scale4)

    def label(indonesian: str, english: str) -> dict[str, str]:
        return {"id": indonesian, "en": english}

    return Framework.build(
        id="mini",
        title=label("Kerangka mini", "Mini framework"),
        languages=("id", "en"),
        default_language="id",
        scales=[scale4, percent],
        default_scale="empat",
        nodes=[
            Node("program", "root", label=label("Program", "Programme")),
            Node(
                "komunikasi",
                "dimension",
                label=label("Komunikasi", "Communication"),
                parents=("program",),
            ),
            Node(
                "sumber_daya",
                "dimension",
                label=label("Sumber daya", "Resources"),
                parents=("program",),
            ),
            Node(
                "kejelasan",
                "indicator",
                label=label("Kejelasan", "Clarity"),
                parents=("komunikasi",),
            ),
            Node(
                "konsistensi",
                "indicator",
                label=label("Konsistensi", "Consistency"),
                parents=("komunikasi",),
            ),
            Node(
                "kompetensi",
                "indicator",
                label=label("Kompetensi", "Competence"),
                parents=("sumber_daya",),
            ),
            Node(
                "realisasi",
                "indicator",
                label=label("Realisasi anggaran", "Budget realisation"),
                parents=("sumber_daya",),
                scale="persen",
            ),
        ],
    )


@pytest.fixture
def scale4() -> OrdinalScale:
    """The four-level ordinal scale baik / cukup_baik / kurang_baik / tidak_baik."""
    return make_scale4()


@pytest.fixture
def percent_scale(scale4: OrdinalScale) -> NumericScale:
    """The banded 0-100 % scale of the numeric indicator ``realisasi``."""
    return make_percent_scale(scale4)


@pytest.fixture
def mini_framework() -> Framework:
    """The small bilingual two-dimension framework."""
    return make_framework()


def csv_text(rows: Sequence[Sequence[object]], *, delimiter: str = ",", newline: str = "\n") -> str:
    """Render rows as CSV text with the given delimiter and line ending (quoting as needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.fixture
def write_csv(tmp_path: Path) -> CsvWriter:
    """A function writing rows (or raw text) to a CSV file under ``tmp_path`` and returning its path."""

    def write(
        name: str,
        rows: Sequence[Sequence[object]] | str,
        *,
        delimiter: str = ",",
        newline: str = "\n",
        bom: bool = False,
    ) -> Path:
        text = (
            rows if isinstance(rows, str) else csv_text(rows, delimiter=delimiter, newline=newline)
        )
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> XlsxWriter:
    """A function writing rows of Python values to the first sheet of an XLSX file under ``tmp_path``."""
    openpyxl = pytest.importorskip("openpyxl")

    def write(name: str, rows: Sequence[Sequence[object]], *, sheet: str = "Sheet1") -> Path:
        workbook = openpyxl.Workbook()
        worksheet = workbook.active
        worksheet.title = sheet
        for row in rows:
            worksheet.append(list(row))
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


@pytest.fixture
def errors_in_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command a test runs that exits 2 is run again with ``--lang en`` and ``--lang id``,
    and its Indonesian error checked (see ``language_check.py``)."""
    import policyeval.cli
    from language_check import check_both_languages

    run = policyeval.cli._main

    def run_and_check(argv: Sequence[str] | None) -> int:
        code = run(argv)
        if code == 2 and argv is not None and "--lang" not in argv:
            check_both_languages(run, list(argv))
        return code

    monkeypatch.setattr(policyeval.cli, "_main", run_and_check)
