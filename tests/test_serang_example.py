"""The Serang 2024 worked example reproduces the study's verdicts from its encoded evidence."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from policyeval import evaluate_case, load_case
from policyeval.protocols import Status

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"
UNIT = "kota-serang"

# The paper's verdicts mapped to levels (Hasil dan Diskusi; Kesimpulan points 1-6).
PAPER = {
    "program": "cukup_baik",
    "sumber_daya_aparatur": "baik",
    "kompetensi": "baik",
    "kapabilitas": "baik",
    "integritas": "baik",
    "pemahaman_kebijakan": "baik",
    "harmoni_kebijakan": "baik",
    "kualitas_data": "baik",
    "kepemimpinan": "baik",
    "kelembagaan": "cukup_baik",
    "manajemen_organisasi": "cukup_baik",
    "koordinasi_kolaborasi": "cukup_baik",
    "sarana_prasarana_teknologi": "kurang_baik",
    "komunikasi_publik": "kurang_baik",
    "keuangan": "kurang_baik",
    "pengelolaan_anggaran": "kurang_baik",
    "regulasi": "kurang_baik",
    "regulasi_turunan": "kurang_baik",
}


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return evaluate_case(EXAMPLE)


def test_all_18_verdicts_match_the_paper(result) -> None:  # type: ignore[no-untyped-def]
    """Every indicator, every dimension and the programme get the paper's level."""
    got = {node: result.evaluation.level(UNIT, node) for node in PAPER}
    assert got == PAPER


def test_every_indicator_judgement_lists_its_evidence(result) -> None:  # type: ignore[no-untyped-def]
    """Each indicator's verdict rests on at least three evidence rows, none undefined."""
    for indicator in result.evaluation.framework.indicators:
        judgement = result.evaluation.judgement(UNIT, indicator)
        assert len(judgement.evidence) >= 3, indicator
        assert judgement.status is not Status.NO_EVIDENCE


def test_every_evidence_row_is_behind_a_judgement(result) -> None:  # type: ignore[no-untyped-def]
    """No row of evidence.csv is dropped: each is behind the root's verdict, none rejected."""
    with (EXAMPLE / "evidence.csv").open(encoding="utf-8-sig", newline="") as handle:
        ids = {row["id"] for row in csv.DictReader(handle)}
    behind = set(result.evaluation.judgement(UNIT, "program").evidence)
    assert ids <= behind
    assert result.evaluation.rejected == ()


def test_budget_realisation_is_derived_from_the_budget_table(result) -> None:  # type: ignore[no-untyped-def]
    """A derived item computes the realisation rate from data/budget.csv and says how."""
    derived = [
        item
        for item in result.evaluation.evidence
        if item.indicator == "pengelolaan_anggaran" and "derivation" in item.extra
    ]
    assert derived, "no derived budget evidence"
    assert "realisation" in derived[0].extra["derivation"]


def test_data_checks_report_the_tables_inconsistencies(result) -> None:  # type: ignore[no-untyped-def]
    """The checks flag realisation above allocation, the missing figure and the impossible date range."""
    failed = {check.id: check for check in result.data_checks if not check.passed}
    messages = " | ".join(f.message for check in failed.values() for f in check.findings)
    assert "realisation 92583000 is greater than allocation 82254000" in messages
    assert "realisation has no value" in messages
    assert "start_date 2022-10-11 is after end_date 2022-10-02" in messages
    assert any(check.passed for check in result.data_checks)


def test_aggregation_choice_changes_the_overall_verdict(result) -> None:  # type: ignore[no-untyped-def]
    """Compensatory means keep 'cukup_baik'; the median and the weakest link give 'kurang_baik'."""
    levels = {alt.alternative.id: alt.judgements[UNIT].level for alt in result.alternatives}
    assert levels["median"] == "kurang_baik"
    assert levels["weakest_link"] == "kurang_baik"
    assert levels["indicator_mean"] == "cukup_baik"
    assert result.evaluation.judgement(UNIT, "program").score == pytest.approx(2.6)


def test_json_is_byte_identical_across_runs() -> None:
    """Two runs of the example give the same bytes."""
    assert evaluate_case(EXAMPLE).to_json() == evaluate_case(EXAMPLE).to_json()


def test_a_copy_edited_for_another_region_runs_without_code(tmp_path: Path) -> None:
    """Copying the folder and renaming the unit and title is all it takes to evaluate another region."""
    copy = tmp_path / "kota_cilegon_2024"
    shutil.copytree(EXAMPLE, copy)
    case_file = copy / "case.toml"
    text = case_file.read_text(encoding="utf-8").replace('"kota-serang"', '"kota-cilegon"')
    case_file.write_text(text.replace("Kota Serang", "Kota Cilegon"), encoding="utf-8")
    evidence = copy / "evidence.csv"
    evidence.write_text(
        evidence.read_text(encoding="utf-8").replace("kota-serang", "kota-cilegon"),
        encoding="utf-8",
    )
    case = load_case(copy)
    assert [unit.id for unit in case.units] == ["kota-cilegon"]
    other = evaluate_case(copy)
    assert other.evaluation.level("kota-cilegon", "program") == "cukup_baik"
