"""Reported verdicts: a study's own conclusions, validated, kept apart from evidence and compared."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CsvWriter
from policyeval import evaluate, frameworks
from policyeval.case import evaluate_case
from policyeval.evidence import Evidence
from policyeval.exceptions import EvidenceError
from policyeval.reported import (
    AGREEMENTS,
    ReportedVerdict,
    compare_reported,
    load_reported,
    summarise_agreement,
)

AGUSTINO = frameworks.load("agustino")
HEADER = ["unit", "node", "level", "citation", "excerpt"]


def test_a_valid_table_gives_one_verdict_per_row_with_level_ids_and_extra_columns(
    write_csv: CsvWriter,
) -> None:
    """Levels are matched like ratings and stored as ids; other columns are kept in extra."""
    path = write_csv(
        "reported.csv",
        [
            [*HEADER, "note"],
            ["kota", "program", "Cukup baik", "Kesimpulan", "berjalan cukup baik", "as printed"],
            ["kota", "keuangan", "kurang_baik", "Kesimpulan 5", "", ""],
        ],
    )
    verdicts = load_reported(path, AGUSTINO, units=["kota"])
    assert verdicts == (
        ReportedVerdict(
            unit="kota",
            node="program",
            level="cukup_baik",
            citation="Kesimpulan",
            excerpt="berjalan cukup baik",
            extra={"note": "as printed"},
        ),
        ReportedVerdict(unit="kota", node="keuangan", level="kurang_baik", citation="Kesimpulan 5"),
    )
    assert verdicts[0].origin is not None and verdicts[0].origin.row == 2


def test_every_bad_row_is_reported_at_once_with_row_and_column(write_csv: CsvWriter) -> None:
    """Unknown unit and node, a level off the scale, a missing citation and a node reported
    twice are all listed in one error."""
    path = write_csv(
        "reported.csv",
        [
            HEADER,
            ["desa", "program", "baik", "K", ""],
            ["kota", "programme", "baik", "K", ""],
            ["kota", "keuangan", "bagus", "K", ""],
            ["kota", "regulasi", "baik", "", ""],
            ["kota", "kompetensi", "baik", "K1", ""],
            ["kota", "kompetensi", "baik", "K2", ""],
        ],
    )
    with pytest.raises(EvidenceError) as caught:
        load_reported(path, AGUSTINO, units=["kota"])
    located = [(p.row, p.key) for p in caught.value.problems]
    assert located == [(2, "unit"), (3, "node"), (4, "level"), (5, "citation"), (7, "node")]
    messages = " | ".join(p.message for p in caught.value.problems)
    assert "unknown unit" in messages and "unknown node" in messages
    assert "reported twice for unit 'kota' (first at row 6)" in messages
    assert all(p.file == str(path) for p in caught.value.problems)


def test_a_missing_required_column_names_the_header_row(write_csv: CsvWriter) -> None:
    """Without a level column nothing is read; the error points at the header."""
    path = write_csv("reported.csv", [["unit", "node", "citation"], ["kota", "program", "K"]])
    with pytest.raises(EvidenceError) as caught:
        load_reported(path, AGUSTINO)
    assert [(p.row, p.key, p.message) for p in caught.value.problems] == [
        (1, "level", "missing required column")
    ]


def test_agreement_is_agrees_differs_no_evidence_or_not_reported() -> None:
    """Each node gets exactly one of the four agreement values, by the rule in the module."""
    items = [
        Evidence(
            id="E1",
            unit="kota",
            indicator="kompetensi",
            rating="baik",
            source="s",
            technique="interview",
        ),
        Evidence(
            id="E2",
            unit="kota",
            indicator="kapabilitas",
            rating="kurang_baik",
            source="s",
            technique="interview",
        ),
    ]
    evaluation = evaluate(AGUSTINO, items, units=["kota"])
    reported = [
        ReportedVerdict(unit="kota", node="kompetensi", level="baik", citation="c"),
        ReportedVerdict(unit="kota", node="kapabilitas", level="baik", citation="c"),
        ReportedVerdict(unit="kota", node="kualitas_data", level="baik", citation="c"),
        ReportedVerdict(unit="elsewhere", node="program", level="baik", citation="c"),
    ]
    rows = {row.node: row for row in compare_reported(evaluation, reported)}
    assert len(rows) == len(AGUSTINO.node_ids)
    assert rows["kompetensi"].agreement == "agrees"
    assert rows["kapabilitas"].agreement == "differs"
    assert rows["kualitas_data"].agreement == "no_evidence"
    assert rows["integritas"].agreement == "not_reported"
    assert rows["program"].reported is None
    assert summarise_agreement(tuple(rows.values()), "kota") == {
        "reported": 3,
        "agrees": 1,
        "differs": 1,
        "not_reported": len(AGUSTINO.node_ids) - 3,
        "no_evidence": 1,
    }
    assert {row.agreement for row in rows.values()} <= set(AGREEMENTS)


def test_a_case_without_reported_verdicts_marks_every_node_not_reported(tmp_path: Path) -> None:
    """The JSON shape is the same for every case: reported is null, agreement not_reported."""
    (tmp_path / "case.toml").write_text(
        'schema = "policyeval.case/1"\n[case]\nframework = "agustino"\n[[units]]\nid = "kota"\n',
        encoding="utf-8",
    )
    (tmp_path / "evidence.csv").write_text(
        "id,indicator,rating,source,technique\nE1,kompetensi,baik,s,interview\n",
        encoding="utf-8",
    )
    document = json.loads(evaluate_case(tmp_path).to_json())
    nodes = document["units"]["kota"]["nodes"]
    assert {(node["reported"], node["agreement"]) for node in nodes.values()} == {
        (None, "not_reported")
    }
    assert document["reported_verdicts"]["kota"]["summary"]["reported"] == 0
