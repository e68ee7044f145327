"""One acceptance rule: what `validate` accepts, every other command runs, and lenient runs
list each rejected row with its reason in every output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyeval.cli import main

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

CASE_TOML = """\
schema = "policyeval.case/1"

[case]
id = "kota_contoh"
title = { id = "Kota Contoh", en = "Example City" }
description = "A made-up region."
framework = "agustino"

[[units]]
id = "kota-contoh"
label = "Kota Contoh"

[triangulation]
rule = "source"
why = { id = "Dua kategori sumber harus sejalan.", en = "Two source categories must agree." }

[aggregation]
default = "mean"
why = { id = "Bagian saling mengimbangi.", en = "Parts make up for each other." }
confidence_why = { id = "Tidak lebih yakin dari bagian terlemah.", en = "No surer than the weakest part." }

[[aggregation.alternatives]]
id = "weakest"
aggregator = "min"
label = { id = "Terlemah", en = "Weakest" }
why = { id = "Tanpa kompensasi.", en = "No compensation." }
"""

INDICATORS = [
    "kompetensi",
    "kapabilitas",
    "integritas",
    "pemahaman_kebijakan",
    "harmoni_kebijakan",
    "kualitas_data",
    "kepemimpinan",
    "manajemen_organisasi",
    "koordinasi_kolaborasi",
    "komunikasi_publik",
    "pengelolaan_anggaran",
    "regulasi_turunan",
]

BAD_ROWS = "X1,kompetensi,bagus,s1,asn,interview\nX2,nope,baik,s1,asn,interview\n"


def _case(folder: Path, *, toml: str = CASE_TOML, extra_rows: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.toml").write_text(toml, encoding="utf-8")
    rows = ["id,indicator,rating,source,source_category,technique"]
    for index, indicator in enumerate(INDICATORS):
        rows.append(f"A{index},{indicator},baik,s1,asn,interview")
        rows.append(f"B{index},{indicator},Cukup baik,s2,dokumen,documentation")
    (folder / "evidence.csv").write_text("\n".join(rows) + "\n" + extra_rows, encoding="utf-8")
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("lang", ["id", "en"])
def test_text_maps_for_every_why_render_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    """A `why` given as a language map validates and is shown in the chosen language everywhere."""
    case = _case(tmp_path / "maps")
    assert _run(capsys, "validate", str(case))[0] == 0
    for fmt in ("table", "markdown", "json"):
        code, _, err = _run(capsys, "evaluate", str(case), "--format", fmt, "--lang", lang)
        assert (code, err) == (0, "")
    for suffix in ("md", "html"):
        output = tmp_path / f"report-{lang}.{suffix}"
        code, _, err = _run(capsys, "report", str(case), "-o", str(output), "--lang", lang)
        assert code == 0, err
        written = output.read_text(encoding="utf-8")
        expected = "Bagian saling mengimbangi." if lang == "id" else "Parts make up for each other."
        assert expected in written
        assert "Tanpa kompensasi." in written if lang == "id" else "No compensation." in written
        assert "{'" not in written  # no dict printed as text


def test_a_text_that_is_neither_string_nor_map_is_a_located_validation_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`why = 3` or a map with a non-string value is refused by validate, naming the key and line."""
    toml = CASE_TOML.replace('why = { id = "Bagian', 'why = { id = 3, xx = "Bagian')
    case = _case(tmp_path / "bad-text", toml=toml)
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 2
    assert "aggregation.why: a text is a string or a table of strings by language" in err
    assert "case.toml:19:" in err


def test_every_case_command_takes_lenient_and_lists_each_rejected_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate, evaluate (all formats), explain, compare and report list rows 26 and 27 with reasons."""
    case = _case(tmp_path / "lenient", extra_rows=BAD_ROWS)
    assert _run(capsys, "validate", str(case))[0] == 2
    outputs = {}
    code, outputs["validate"], _ = _run(capsys, "validate", str(case), "--lenient")
    assert code == 0
    for fmt in ("table", "markdown", "json"):
        code, outputs[fmt], _ = _run(capsys, "evaluate", str(case), "--format", fmt, "--lenient")
        assert code == 0
    code, outputs["explain"], _ = _run(capsys, "explain", str(case), "--lenient")
    assert code == 0
    for fmt in ("table", "markdown", "json"):
        code, outputs[f"compare-{fmt}"], _ = _run(
            capsys, "compare", str(case), "--format", fmt, "--lenient"
        )
        assert code == 0
    for suffix in ("md", "html"):
        output = tmp_path / f"report.{suffix}"
        assert _run(capsys, "report", str(case), "-o", str(output), "--lenient")[0] == 0
        outputs[f"report-{suffix}"] = output.read_text(encoding="utf-8")
    for name, output in outputs.items():
        assert "X1" in output and "X2" in output, name
        assert "bagus" in output and "nope" in output, name
    compared = json.loads(outputs["compare-json"])["rejected"]
    assert [(row["case"], row["file"], row["row"]) for row in compared] == [
        ("kota_contoh", "evidence.csv", 26),
        ("kota_contoh", "evidence.csv", 27),
    ]


def test_lenient_in_case_toml_makes_validate_list_the_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`[evidence] lenient = true` is honoured by validate, which names each rejected row."""
    case = _case(
        tmp_path / "lenient-file",
        toml=CASE_TOML + '\n[evidence]\nfile = "evidence.csv"\nlenient = true\n',
        extra_rows=BAD_ROWS,
    )
    code, out, _ = _run(capsys, "validate", str(case))
    assert code == 0
    assert "24 evidence items, 2 rejected rows" in out
    assert "rejected evidence.csv: row 26 (X1): rating:" in out
    assert "rejected evidence.csv: row 27 (X2): indicator:" in out
