"""Case-level texts: a case adds or overrides recommendations; every weak node is listed."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from policyeval import evaluate_case, load_case
from policyeval.exceptions import CaseError
from policyeval.report import build_report, render_markdown
from policyeval.report._examples import two_unit_result

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"

CASE_TOML = """\
schema = "policyeval.case/1"

[case]
id = "kota_contoh"
framework = "agustino"

[[units]]
id = "kota-contoh"

[report]
recommend_below = "baik"
{extra}
"""

EVIDENCE = """\
id,indicator,rating,source,source_category,technique
E1,pengelolaan_anggaran,kurang_baik,s1,asn,interview
E2,pengelolaan_anggaran,kurang_baik,s2,dokumen,documentation
E3,kompetensi,baik,s1,asn,interview
"""


def _case(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.toml").write_text(CASE_TOML.format(extra=extra), encoding="utf-8")
    (folder / "evidence.csv").write_text(EVIDENCE, encoding="utf-8")
    return folder


def test_a_case_text_replaces_the_frameworks_advice_in_the_chosen_language(
    tmp_path: Path,
) -> None:
    """[report.recommendations] gives the advice for a node, marked as the case's own."""
    case = _case(
        tmp_path / "own",
        '[report.recommendations]\npengelolaan_anggaran = { id = "Minta pos anggaran ke '
        'Pemprov.", en = "Ask the province for a budget line." }\n',
    )
    for lang, expected in (
        ("en", "Ask the province for a budget line."),
        ("id", "Minta pos anggaran ke Pemprov."),
    ):
        model = build_report(evaluate_case(case), lang=lang)
        advice = {row.id: row for row in model.units[0].recommendations}
        assert advice["pengelolaan_anggaran"].text == expected
        assert advice["pengelolaan_anggaran"].origin == "case"
        assert advice["keuangan"].origin == "framework"


def test_a_recommendation_for_an_unknown_node_is_a_located_error(tmp_path: Path) -> None:
    """A misspelt node id in [report.recommendations] names the key and suggests the node."""
    case = _case(tmp_path / "bad", '[report.recommendations]\nkeuangn = "Anggaran."\n')
    with pytest.raises(CaseError) as caught:
        load_case(case)
    (problem,) = caught.value.problems
    assert problem.key == "report.recommendations.keuangn"
    assert problem.message == "not a node of the framework (did you mean 'keuangan'?)"
    assert problem.line == 13


def test_every_node_below_the_threshold_is_recommended_with_a_generic_line_if_needed() -> None:
    """South's programme has no advice in the framework: it is listed with a generic line."""
    result = two_unit_result()
    model = build_report(result, lang="en")
    south = model.units[1]
    assert [row.id for row in south.recommendations] == ["staffing", "people", "programme"]
    generic = south.recommendations[-1]
    assert generic.origin == "generic"
    assert generic.text == (
        "No specific advice is written for this part: review the evidence behind "
        "“Programme” (Fair) and plan how to raise it."
    )
    below = [row for row in south.nodes if row.score is not None and row.score < 3]
    assert {row.id for row in below} == {row.id for row in south.recommendations}
    model_id = build_report(result, lang="id")
    assert model_id.units[1].recommendations[-1].text.startswith("Belum ada saran khusus")


def test_the_serang_paper_is_listed_once_among_the_references() -> None:
    """The case citation and the framework's reference to the same paper are one entry."""
    markdown = render_markdown(evaluate_case(EXAMPLE), lang="en")
    references = markdown.split("## References", 1)[1]
    assert references.count("Evaluasi Program Pencegahan Pelanggaran Netralitas ASN") == 1


def test_a_framework_reference_to_another_work_stays() -> None:
    """References naming other works than the citations are all kept."""
    result = two_unit_result()
    framework = attrs.evolve(
        result.evaluation.framework, references=("Other, B. (2020). Another study.",)
    )
    evaluation = attrs.evolve(result.evaluation, framework=framework)
    model = build_report(attrs.evolve(result, evaluation=evaluation), lang="en")
    assert model.references == ("Other, B. (2020). Another study.",)


def test_source_categories_are_shown_by_the_cases_names_in_each_language() -> None:
    """Serang names its categories: the English report says 'Official documents', never the id."""
    result = evaluate_case(EXAMPLE)
    english = render_markdown(result, lang="en")
    assert "Official documents" in english and "dokumen resmi" not in english
    assert "Dokumen resmi" in render_markdown(result, lang="id")


def test_a_category_name_that_is_not_a_text_is_a_located_error(tmp_path: Path) -> None:
    """`[report.categories] asn = 3` is refused naming the key."""
    case = _case(tmp_path / "bad-category", "[report.categories]\nasn = 3\n")
    with pytest.raises(CaseError) as caught:
        load_case(case)
    (problem,) = caught.value.problems
    assert problem.key == "report.categories.asn"
    assert problem.message.startswith("a text is a string or a table of strings by language")
