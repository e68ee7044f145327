"""The Serang 2024 worked example: evidence from what the paper reports, its verdicts compared."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from policyeval import evaluate_case, load_case
from policyeval.protocols import Status

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"
UNIT = "kota-serang"

# The paper's verdicts mapped to levels (Hasil dan Diskusi paragraph 1; Kesimpulan points 1-6).
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


# The evidence-based levels: three human-resource indicators have no passage in the available
# text, organisational management falls to kurang_baik on a 2-2 tie resolved downward, and
# coordination rises to baik on two positive findings against one weakness.
EVIDENCE = {
    **PAPER,
    "pemahaman_kebijakan": None,
    "harmoni_kebijakan": None,
    "kualitas_data": None,
    "manajemen_organisasi": "kurang_baik",
    "koordinasi_kolaborasi": "baik",
}


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return evaluate_case(EXAMPLE)


def _rows(name: str) -> list[dict[str, str]]:
    with (EXAMPLE / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_papers_18_verdicts_are_reported_verdicts_not_evidence(result) -> None:  # type: ignore[no-untyped-def]
    """reported.csv holds the paper's level on every node, each with a citation."""
    reported = {verdict.node: verdict for verdict in result.reported}
    assert {node: verdict.level for node, verdict in reported.items()} == PAPER
    assert all(verdict.citation and verdict.excerpt for verdict in reported.values())


def test_the_evidence_based_verdicts_fall_where_the_evidence_puts_them(result) -> None:  # type: ignore[no-untyped-def]
    """13 of 18 agree with the paper, 2 differ and 3 have no evidence."""
    got = {node: result.evaluation.level(UNIT, node) for node in PAPER}
    assert got == EVIDENCE
    agreement = {row.node: row.agreement for row in result.agreement}
    assert agreement["manajemen_organisasi"] == agreement["koordinasi_kolaborasi"] == "differs"
    assert [node for node, value in agreement.items() if value == "no_evidence"] == [
        "pemahaman_kebijakan",
        "harmoni_kebijakan",
        "kualitas_data",
    ]
    assert sum(value == "agrees" for value in agreement.values()) == 13


def test_no_evidence_row_cites_the_papers_verdict_statements() -> None:
    """No row cites the Kesimpulan, the Saran or the indicator-summary paragraph."""
    for row in _rows("evidence.csv"):
        citation = row["citation"]
        assert "Kesimpulan" not in citation and "Saran" not in citation, row["id"]
        assert "paragraf 1," not in citation and "paragraf 1 " not in citation, row["id"]


def test_unstated_attribution_is_marked_and_no_informant_is_invented() -> None:
    """The paper names no informant: rows come from the authors' findings (technique
    'unspecified') or the documents it cites; an inferred technique says so."""
    rows = _rows("evidence.csv")
    assert {row["source"] for row in rows} == {"temuan_lapangan", "laporan_komprehensif_2024"}
    for row in rows:
        if row["source"] == "temuan_lapangan":
            assert (row["technique"], row["attribution"]) in {
                ("unspecified", "stated"),
                ("documentation", "inferred"),
            }, row["id"]
        else:
            assert "(Bawaslu Kota Serang, 2024)" in row["excerpt"] or "laporan komprehensif" in (
                row["excerpt"].casefold()
            ), row["id"]
    assert not any(row["technique"] == "interview" for row in rows)


def test_each_sentence_is_used_once() -> None:
    """No citation (section, paragraph and sentences) appears in two rows."""
    citations = [row["citation"] for row in _rows("evidence.csv")]
    assert len(citations) == len(set(citations))


def test_triangulation_is_not_claimed_where_the_paper_does_not_show_it(result) -> None:  # type: ignore[no-untyped-def]
    """With techniques unstated, no indicator is corroborated under source-and-technique
    triangulation; five reach partial corroboration through the comprehensive report."""
    statuses = {
        node: result.evaluation.judgement(UNIT, node).status
        for node in result.evaluation.framework.indicators
    }
    assert Status.CORROBORATED not in statuses.values()
    partial = sorted(n for n, s in statuses.items() if s is Status.PARTIALLY_CORROBORATED)
    assert partial == [
        "kepemimpinan",
        "kompetensi",
        "komunikasi_publik",
        "koordinasi_kolaborasi",
        "pengelolaan_anggaran",
    ]


def test_every_evidence_row_is_behind_a_judgement(result) -> None:  # type: ignore[no-untyped-def]
    """No row of evidence.csv is dropped: each is behind the root's verdict, none rejected."""
    ids = {row["id"] for row in _rows("evidence.csv")}
    assert len(ids) == 25
    behind = set(result.evaluation.judgement(UNIT, "program").evidence)
    assert ids <= behind
    assert result.evaluation.rejected == ()


def test_outreach_to_civil_servants_is_derived_from_its_table(result) -> None:  # type: ignore[no-untyped-def]
    """D02 counts the one outreach event aimed at civil servants and reads it as kurang_baik."""
    derived = {item.id: item for item in result.evaluation.evidence if "derivation" in item.extra}
    assert set(derived) == {"D02"}
    assert (derived["D02"].indicator, derived["D02"].rating) == ("komunikasi_publik", "kurang_baik")


def test_data_checks_report_the_papers_inconsistencies(result) -> None:  # type: ignore[no-untyped-def]
    """The checks flag the tables' gaps and the text's contradictions with itself."""
    failed = {check.id for check in result.data_checks if not check.passed}
    assert failed == {
        "budget-realisation-not-above-allocation",
        "budget-complete",
        "budget-component-realisations-sum-to-output",
        "registered-cases-vs-violations",
        "registered-findings-vs-temuan-total",
        "registered-reports-vs-laporan-total",
        "capacity-building-dates",
        "information-reach-consistent",
        "conclusion-majority-of-dimensions",
        "comprehensive-report-year",
    }
    passed = {check.id for check in result.data_checks if check.passed}
    assert {"conclusion-majority-of-indicators", "district-handling-reported-separately"} <= passed


def test_aggregation_choice_changes_the_overall_verdict(result) -> None:  # type: ignore[no-untyped-def]
    """The dimension and indicator means give the paper's 'cukup_baik'; the median and the
    weakest link give 'kurang_baik'; the indicator majority gives 'baik'."""
    levels = {alt.alternative.id: alt.judgements[UNIT] for alt in result.alternatives}
    assert levels["median"].level == "kurang_baik"
    assert levels["weakest_link"].level == "kurang_baik"
    assert levels["indicator_mean"].level == "cukup_baik"
    assert levels["indicator_mean"].score == pytest.approx(28 / 9)
    assert levels["indicator_majority"].level == "baik"
    assert result.evaluation.judgement(UNIT, "program").score == pytest.approx(2.6)


def test_json_carries_reported_and_agreement_on_all_18_nodes(result) -> None:  # type: ignore[no-untyped-def]
    """Every node of the JSON document has the paper's level and the agreement with it."""
    document = json.loads(result.to_json())
    nodes = document["units"][UNIT]["nodes"]
    assert {node: nodes[node]["reported"] for node in PAPER} == PAPER
    assert {nodes[node]["agreement"] for node in PAPER} == {"agrees", "differs", "no_evidence"}
    assert document["reported_verdicts"][UNIT]["summary"] == {
        "reported": 18,
        "agrees": 13,
        "differs": 2,
        "not_reported": 0,
        "no_evidence": 3,
    }


def test_the_reports_show_the_comparison_in_both_languages(result) -> None:  # type: ignore[no-untyped-def]
    """Text, Markdown and HTML carry the summary line and the reason for each difference."""
    from policyeval.report import render_html, render_markdown, render_text

    english = render_text(result, lang="en")
    assert "The evidence supports 13 of 18 of the study's verdicts" in english
    assert "evidence rows E12 (Fair), E13 (Fair), E14 (Poor), E15 (Poor)" in english
    markdown = render_markdown(result, lang="id")
    assert "Bukti mendukung 13 dari 18 putusan studi" in markdown
    html = render_html(result, lang="en")
    assert "no evidence row bears on this node" in html


def test_json_is_byte_identical_across_runs() -> None:
    """Two runs of the example give the same bytes."""
    assert evaluate_case(EXAMPLE).to_json() == evaluate_case(EXAMPLE).to_json()


def test_a_copy_edited_for_another_region_runs_without_code(tmp_path: Path) -> None:
    """Copying the folder, renaming the unit and title and dropping the Serang paper's verdicts is
    all it takes to evaluate another region."""
    copy = tmp_path / "kota_cilegon_2024"
    shutil.copytree(EXAMPLE, copy)
    case_file = copy / "case.toml"
    text = case_file.read_text(encoding="utf-8").replace('"kota-serang"', '"kota-cilegon"')
    # the Serang paper's own verdicts do not belong to another region: drop them
    text = text.replace('[reported]\nfile = "reported.csv"\n', "[reported]\n")
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


def test_writing_a_case_result_pauses_the_collector_and_restores_it(result) -> None:  # type: ignore[no-untyped-def]
    """The case document is written with the cyclic collector paused, then switched back on."""
    import gc
    import io

    seen: list[bool] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            seen.append(gc.isenabled())
            return super().write(text)

    out = Out()
    assert gc.isenabled()
    result.write_json(out)
    assert seen and not any(seen)
    assert gc.isenabled()
    assert out.getvalue() == result.to_json()
