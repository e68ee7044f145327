"""Honest statuses: an inner node says which part its status comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policyeval import evaluate, frameworks
from policyeval.cli import main
from policyeval.evidence import Evidence
from policyeval.report import render_tree

AGUSTINO = frameworks.load("agustino")


def _item(id: str, indicator: str, rating: str, source: str, category: str) -> Evidence:
    return Evidence(
        id=id,
        unit="u",
        indicator=indicator,
        rating=rating,
        source=source,
        source_category=category,
        technique="interview",
    )


EVIDENCE = [
    _item("E1", "kompetensi", "baik", "s1", "asn"),
    _item("E2", "kompetensi", "baik", "s2", "akademisi"),
    _item("E3", "regulasi_turunan", "baik", "s1", "asn"),
    _item("E4", "regulasi_turunan", "kurang_baik", "s3", "masyarakat"),
]


def test_an_inner_node_names_the_indicator_its_status_comes_from() -> None:
    """The programme is contested because 'regulasi_turunan' is (an even split), via 'regulasi'."""
    result = evaluate(AGUSTINO, EVIDENCE, min_share=0)
    assert result.judgement("u", "program").status.value == "contested"
    assert result.status_from("u", "program") == ("regulasi", "regulasi_turunan")
    assert result.status_from("u", "sumber_daya_aparatur") == ()  # lowered for missing parts
    assert result.status_from("u", "regulasi_turunan") == ()


def test_json_and_explain_say_where_an_inherited_status_comes_from() -> None:
    """JSON names the child in `status_from`; explain names the path down to the indicator."""
    result = evaluate(AGUSTINO, EVIDENCE, min_share=0)
    nodes = json.loads(result.to_json())["units"]["u"]["nodes"]
    assert nodes["program"]["status_from"] == "regulasi"
    assert nodes["regulasi"]["status_from"] == "regulasi_turunan"
    assert "status_from" not in nodes["kompetensi"]
    text = render_tree(result.explain("u", lang="en"))
    assert (
        "status contested inherited from its weakest part: "
        "Derivative regulation [regulasi_turunan] via Regulation [regulasi]"
    ) in text


def test_a_status_lowered_for_a_missing_child_is_the_nodes_own() -> None:
    """A dimension with a missing indicator is partially corroborated on its own account."""
    items = [
        _item("E1", "manajemen_organisasi", "baik", "s1", "asn"),
        _item("E2", "manajemen_organisasi", "baik", "s2", "akademisi"),
    ]
    result = evaluate(AGUSTINO, items, min_share=0)
    assert result.judgement("u", "kelembagaan").status.value == "partially_corroborated"
    assert result.status_from("u", "kelembagaan") == ()


def test_explain_speaks_indonesian_throughout_with_lang_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`explain --lang id`: level labels, statuses, the even split, the inherited status and the
    evidence rows are worded in Indonesian; `--lang en` keeps the rule's own sentence."""
    folder = tmp_path / "case"
    folder.mkdir()
    (folder / "case.toml").write_text(
        'schema = "policyeval.case/1"\n[case]\nid = "c"\nframework = "agustino"\n'
        '[[units]]\nid = "u"\n[aggregation]\nmin_share = 0\n',
        encoding="utf-8",
    )
    rows = ["id,indicator,rating,source,source_category,technique,excerpt"]
    for item in EVIDENCE:
        rows.append(
            f"{item.id},{item.indicator},{item.rating},{item.source},{item.category},interview,"
            f"kutipan {item.id}"
        )
    (folder / "evidence.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["explain", str(folder), "regulasi", "--lang", "id"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Regulasi [regulasi]: Kurang baik (skor 2.00, diperdebatkan, keyakinan sangat rendah)"
    )
    assert "status diperdebatkan, diwarisi dari bagian terlemahnya: Regulasi turunan" in out
    assert "terbagi rata antara Kurang baik dan Baik" in out
    assert "1 kategori sumber (masyarakat), 1 teknik (wawancara) — diperdebatkan" in out
    assert "+ E4 @ " in out and "(Kurang baik): s3, masyarakat, wawancara: kutipan E4" in out
    for english in ("score", "confidence", "agree", "inherited", "contested", "from s"):
        assert english not in out
    assert main(["explain", str(folder), "regulasi", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "an even split between 'kurang_baik' and 'baik'" in out
    assert "status contested, inherited from its weakest part: Derivative regulation" in out
