"""A researcher's own region, from an empty folder to a bilingual report and a comparison,
through the command line only, as the tutorial "Your own region from scratch" goes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyeval import evaluate_case, frameworks
from policyeval.cli import main
from policyeval.report import build_report

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

openpyxl = pytest.importorskip("openpyxl")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"

SOURCES = """\
id,name,category,technique,description,citation
ketua_bawaslu,Ketua Bawaslu Kota Contoh,penyelenggara,interview,Informan kunci,Wawancara 1
staf_asn,Staf ASN Dinas,asn,interview,Informan ASN,Wawancara 2
laporan_2024,Laporan Akhir 2024,dokumen_resmi,documentation,Laporan tahunan,Bab 3
"""

# (indicator, rating as a label, source, date as people type it)
ROWS = [
    ("kompetensi", "Baik", "ketua_bawaslu", "17 Agustus 2024"),
    ("kompetensi", "Baik", "laporan_2024", "17/08/2024"),
    ("kapabilitas", "Cukup baik", "staf_asn", "2024-8-17"),
    ("kapabilitas", "Cukup baik", "laporan_2024", "18-08-2024"),
    ("manajemen_organisasi", "Kurang baik", "ketua_bawaslu", "17 Agu 2024"),
    ("manajemen_organisasi", "Kurang baik", "staf_asn", "17 August 2024"),
    ("koordinasi_kolaborasi", "Cukup baik", "laporan_2024", "2024-08-19"),
    ("komunikasi_publik", "Kurang baik", "staf_asn", "2024-08-19"),
    ("pengelolaan_anggaran", "Tidak baik", "laporan_2024", "2024-08-20"),
    ("regulasi_turunan", "Kurang baik", "laporan_2024", "2024-08-20"),
    ("regulasi_turunan", "Kurang baik", "ketua_bawaslu", "2024-08-21"),
]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def initialised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "kota_contoh_2024"
    code, out, err = _run(
        capsys, "init", str(folder), "--framework", "agustino", "--units", "kota-contoh"
    )
    assert (code, err) == (0, "")
    assert sorted(path.name for path in folder.iterdir()) == [
        "case.toml",
        "evidence.csv",
        "evidence.xlsx",
        "sources.csv",
    ]
    assert "policyeval validate" in out
    return folder


def test_what_init_writes_validates_and_evaluates_to_no_evidence(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The untouched folder validates, and every node of every unit has no evidence."""
    code, out, _ = _run(capsys, "validate", str(initialised))
    assert code == 0
    assert "valid case; 0 evidence items, 0 rejected rows" in out
    code, out, _ = _run(capsys, "evaluate", str(initialised), "--format", "json")
    assert code == 0
    nodes = json.loads(out)["units"]["kota-contoh"]["nodes"]
    assert len(nodes) == 18
    assert {node["status"] for node in nodes.values()} == {"no_evidence"}
    for lang in ("id", "en"):
        report = initialised / f"report-{lang}.html"
        assert _run(capsys, "report", str(initialised), "-o", str(report), "--lang", lang)[0] == 0


def test_the_csv_variant_validates_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --no-xlsx and two units, case.toml names evidence.csv and the case validates."""
    folder = tmp_path / "banten"
    code, _, _ = _run(
        capsys,
        "init",
        str(folder),
        "--framework",
        "agustino",
        "--units",
        "kota-a,kab-b",
        "--lang",
        "en",
        "--no-xlsx",
    )
    assert code == 0
    assert not (folder / "evidence.xlsx").exists()
    assert 'file = "evidence.csv"' in (folder / "case.toml").read_text(encoding="utf-8")
    assert _run(capsys, "validate", str(folder))[0] == 0
    result = evaluate_case(folder)
    assert result.evaluation.units == ("kota-a", "kab-b")


def test_init_refuses_to_overwrite_and_names_what_exists(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second init on the same folder exits 2 naming each file; --force overwrites."""
    code, _, err = _run(capsys, "init", str(initialised), "--framework", "agustino")
    assert code == 2
    assert "case.toml: already exists; pass --force to overwrite" in err
    code, _, err = _run(capsys, "init", str(initialised), "--framework", "agustno")
    assert code == 2 and "did you mean 'agustino'?" in err
    assert _run(capsys, "init", str(initialised), "--framework", "agustino", "--force")[0] == 0


def test_the_template_offers_drop_down_lists_and_describes_the_indicators(
    initialised: Path,
) -> None:
    """Indicator, rating, unit, source and technique cells are lists fed from the lists sheet;
    the indicators sheet gives each indicator's label, dimension, description and levels."""
    workbook = openpyxl.load_workbook(initialised / "evidence.xlsx")
    assert workbook.sheetnames == ["evidence", "indicators", "lists"]
    sheet = workbook["evidence"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["id", "unit", "indicator", "rating", "source"]
    validations = {
        str(validation.sqref): validation.formula1
        for validation in sheet.data_validations.dataValidation
        if validation.type == "list"
    }
    assert validations == {
        "C2:C1000": "=lists!$A$2:$A$13",
        "D2:D1000": "=lists!$B$2:$B$5",
        "B2:B1000": "=lists!$C$2:$C$2",
        "E2:E1000": "=lists!$D$2:$D$201",
        "G2:G1000": "=lists!$E$2:$E$7",
    }
    lists = workbook["lists"]
    agustino = frameworks.load("agustino")
    assert [row[0] for row in lists.iter_rows(min_row=2, max_col=1, values_only=True)] == list(
        agustino.indicators
    )
    assert [lists.cell(row=r, column=2).value for r in range(2, 6)] == [
        "Baik",
        "Cukup baik",
        "Kurang baik",
        "Tidak baik",
    ]
    described = list(workbook["indicators"].iter_rows(min_row=2, values_only=True))
    assert len(described) == 12
    assert described[0][:3] == ("kompetensi", "Kompetensi", "Sumber daya aparatur")
    assert all(row[3] for row in described)  # every agustino indicator has a description


def _fill(folder: Path) -> None:
    (folder / "sources.csv").write_text(SOURCES, encoding="utf-8")
    workbook = openpyxl.load_workbook(folder / "evidence.xlsx")
    sheet = workbook["evidence"]
    header = [cell.value for cell in sheet[1]]
    categories = {"ketua_bawaslu": "penyelenggara", "staf_asn": "asn", "laporan_2024": ""}
    for number, (indicator, rating, source, date) in enumerate(ROWS, start=1):
        values = {
            "id": f"K{number:02d}",
            "unit": "kota-contoh",
            "indicator": indicator,
            "rating": rating,
            "source": source,
            "source_category": categories[source] or None,
            "date": date,
            "excerpt": f"Temuan {number}",
        }
        sheet.append([values.get(column) for column in header])
    workbook.save(folder / "evidence.xlsx")
    text = (folder / "case.toml").read_text(encoding="utf-8")
    text = text.replace(
        'title = { id = "Kota Contoh 2024", en = "Kota Contoh 2024" }',
        'title = { id = "Evaluasi Kota Contoh", en = "Evaluation of Kota Contoh" }',
    )
    text = text.replace(
        '# why = "..."',
        'why = { id = "Dua kategori sumber.", en = "Two kinds of source." }',
        1,
    )
    (folder / "case.toml").write_text(text, encoding="utf-8")


def test_a_filled_template_gives_a_bilingual_report_and_a_comparison_with_serang(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fill sources.csv and the XLSX with labels and Indonesian dates, then validate, evaluate,
    report in both languages and compare with the Serang example, all without an error."""
    _fill(initialised)
    code, out, err = _run(capsys, "validate", str(initialised))
    assert (code, err) == (0, ""), err
    assert "11 evidence items, 0 rejected rows" in out

    code, out, _ = _run(capsys, "evaluate", str(initialised), "--format", "json")
    assert code == 0
    nodes = json.loads(out)["units"]["kota-contoh"]["nodes"]
    assert nodes["kompetensi"]["level"] == "baik"
    assert nodes["kompetensi"]["status"] == "corroborated"
    assert nodes["kompetensi"]["triangulation"]["dates"] == ["2024-08-17"]  # both forms, one day
    assert nodes["pengelolaan_anggaran"]["status"] == "single_source"
    assert nodes["kelembagaan"]["level"] == "kurang_baik"  # mean of 2 and 3 is 2.5 -> lower band

    for lang, words in (
        ("id", ("Evaluasi Kota Contoh", "Dua kategori sumber.", "Rekomendasi")),
        ("en", ("Evaluation of Kota Contoh", "Two kinds of source.", "Recommendations")),
    ):
        for suffix in ("html", "md"):
            output = initialised / f"laporan-{lang}.{suffix}"
            code, _, err = _run(
                capsys, "report", str(initialised), "-o", str(output), "--lang", lang
            )
            assert code == 0, err
            written = output.read_text(encoding="utf-8")
            for word in words:
                assert word in written, (lang, suffix, word)
            assert "Banten" not in written  # the framework's advice names no province

    model = build_report(evaluate_case(initialised), lang="en")
    recommended = model.units[0].recommendations
    assert {row.id for row in recommended} >= {"pengelolaan_anggaran", "kelembagaan", "program"}
    assert all("Serang" not in row.text for row in recommended)

    code, out, err = _run(capsys, "compare", str(initialised), str(EXAMPLE), "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert [unit["key"] for unit in document["units"]] == ["kota-serang", "kota-contoh"]
    contoh = document["units"][1]
    assert (contoh["indicators_with_evidence"], contoh["evidence"]) == (7, 11)
    code, out, _ = _run(capsys, "compare", str(initialised), str(EXAMPLE), "--lang", "en")
    assert code == 0
    assert "Coverage" in out and "7/12 indicators, 11 items" in out


def test_the_framework_tree_shows_the_ids_the_evidence_needs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`frameworks show agustino` prints each indicator's id beside its label."""
    code, out, _ = _run(capsys, "frameworks", "show", "agustino", "--lang", "en")
    assert code == 0
    assert "Competence (kompetensi) [indicator]" in out
    for indicator in frameworks.load("agustino").indicators:
        assert f"({indicator}) [indicator]" in out


def test_without_openpyxl_init_says_how_to_get_the_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With openpyxl missing, init exits 2 naming the extra and --no-xlsx, writing nothing."""
    monkeypatch.setitem(__import__("sys").modules, "openpyxl", None)
    folder = tmp_path / "no_xlsx"
    code, _, err = _run(capsys, "init", str(folder), "--framework", "agustino")
    assert code == 2
    assert "pip install 'policyeval[xlsx]'" in err and "--no-xlsx" in err
    assert not folder.exists()


@pytest.mark.browser
def test_the_new_regions_report_renders_in_a_browser(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The filled Kota Contoh report loads in headless Chromium with no console message and no
    request, showing its verdict, its charts and its recommendations."""
    import re

    from test_report_browser import _browser, _page_requests
    from test_report_browser import _run as _chromium

    browser = _browser()
    _fill(initialised)
    page = initialised / "report.html"
    assert _run(capsys, "report", str(initialised), "-o", str(page), "--lang", "en")[0] == 0
    net_log = initialised / "net-log.json"
    dump = _chromium(browser, page, "--dump-dom", f"--log-net-log={net_log}")
    assert dump.returncode == 0, dump.stderr[-2000:]
    assert re.findall(r"CONSOLE.*", dump.stderr) == []
    assert _page_requests(net_log) == []
    model = build_report(evaluate_case(initialised), lang="en")
    dom = dump.stdout
    assert model.units[0].verdict.level_text in dom
    assert "Evaluation of Kota Contoh" in dom
    charts = re.findall(r"<svg\b.*?</svg>", dom, flags=re.S)
    assert len(charts) >= 3
    for recommendation in model.units[0].recommendations:
        assert recommendation.label in dom


@pytest.mark.parametrize("name", frameworks.available())
@pytest.mark.parametrize("lang", ["id", "en"])
def test_init_gives_a_valid_empty_case_for_every_built_in_framework(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, lang: str
) -> None:
    """For every built-in framework and language, init then validate succeeds, and every node
    of the evaluation has no evidence."""
    folder = tmp_path / f"{name}_{lang}"
    assert _run(capsys, "init", str(folder), "--framework", name, "--lang", lang)[0] == 0
    code, _, err = _run(capsys, "validate", str(folder))
    assert (code, err) == (0, "")
    evaluation = evaluate_case(folder).evaluation
    assert {j.status.value for j in evaluation.judgements.values()} == {"no_evidence"}
