"""Case directories: every problem in case.toml is reported with its file, line and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policyeval import load_case
from policyeval.exceptions import CaseError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "case"
    shutil.copytree(EXAMPLE, folder)
    case_file = folder / "case.toml"
    text = case_file.read_text(encoding="utf-8")
    assert old in text, old
    case_file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


INVALID = [
    (
        'framework = "agustino"',
        'framework = "agustinus"',
        "case.framework",
        "no built-in framework",
    ),
    ('framework = "agustino"', 'framwork = "agustino"', "case.framwork", "unknown key"),
    ('file = "evidence.csv"', 'file = "bukti.csv"', "evidence.file", "evidence file not found"),
    ('"all_of"', '"al_of"', "triangulation.rule", "unknown triangulation rule 'al_of'"),
    ('default = "mean"', 'default = "avg"', "aggregation.default", "unknown aggregator 'avg'"),
    ("min_share = 0.5", "min_share = 2", "aggregation.min_share", "must be a number in [0, 1]"),
    (
        'over = "indicators"',
        'over = "leaves"',
        "aggregation.alternatives[2].over",
        "must be one of 'children', 'indicators'",
    ),
    (
        'recommend_below = "baik"',
        'recommend_below = "bagus"',
        "report.recommend_below",
        "not a level",
    ),
    ('file = "reported.csv"', 'file = "verdicts.csv"', "reported.file", "not found"),
    (
        'kind = "not_greater"',
        'kind = "not_bigger"',
        "checks[0].kind",
        "must be one of 'at_least', ",
    ),
    (
        'measure = "count"',
        'measure = "mean"',
        "derived[0].measure",
        "must be one of 'ratio', 'sum', 'count'",
    ),
    (
        'indicator = "komunikasi_publik"',
        'indicator = "sarana_prasarana_teknologi"',
        "derived[0].indicator",
        "not an indicator",
    ),
]


@pytest.mark.parametrize(("old", "new", "key", "message"), INVALID, ids=[row[2] for row in INVALID])
def test_invalid_case_files_name_line_and_key(
    tmp_path: Path, old: str, new: str, key: str, message: str
) -> None:
    """Each mistake is refused with the case file, the line of the key, the key and the reason."""
    folder = _copy(tmp_path, old, new)
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    problems = [p for p in caught.value.problems if p.key == key]
    assert problems, str(caught.value)
    problem = problems[0]
    assert problem.file == str(folder / "case.toml")
    assert message in str(problem)
    lines = (folder / "case.toml").read_text(encoding="utf-8").splitlines()
    assert problem.line is not None
    assert (
        key.rsplit(".", 1)[-1].split("[")[0] in lines[problem.line - 1]
        or "[" in lines[problem.line - 1]
    )


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    """Two mistakes of meaning in one file give one error listing both, and so do two mistakes
    of shape; a file of the wrong shape is refused before its meaning is checked."""
    folder = _copy(tmp_path, 'default = "mean"', 'default = "avg"')
    case_toml = folder / "case.toml"
    text = case_toml.read_text(encoding="utf-8")
    case_toml.write_text(
        text.replace('recommend_below = "baik"', 'recommend_below = "bagus"'), encoding="utf-8"
    )
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    assert {p.key for p in caught.value.problems} >= {
        "aggregation.default",
        "report.recommend_below",
    }
    case_toml.write_text(
        text.replace("min_share = 0.5", "min_share = -1").replace(
            'sources = "sources.csv"', "sources = 0"
        ),
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    assert {p.key for p in caught.value.problems} == {"aggregation.min_share", "evidence.sources"}


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    """A TOML syntax error points at its line."""
    folder = _copy(tmp_path, "[report]", "[report")
    with pytest.raises(CaseError) as caught:
        load_case(folder)
    assert "invalid TOML" in str(caught.value)
    assert caught.value.problems[0].line is not None


def test_the_example_loads_with_its_choices() -> None:
    """The worked example declares one unit, the agustino framework, four alternatives and the
    paper's reported verdicts."""
    case = load_case(EXAMPLE)
    assert [unit.id for unit in case.units] == ["kota-serang"]
    assert case.framework.id == "agustino"
    assert [alternative.id for alternative in case.alternatives] == [
        "median",
        "weakest_link",
        "indicator_mean",
        "indicator_majority",
    ]
    assert case.rule_why and case.aggregation_why and case.confidence_why
    assert case.reported_file == EXAMPLE / "reported.csv" and case.reported_why


def test_a_case_read_from_a_table_makes_no_item_or_judgement_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case whose evidence is a plain CSV is evaluated, compared with its (absent) reported
    verdicts and written as JSON from arrays: no Evidence or Judgement object is made, so the
    command line's path stays as cheap as the library's at a national scale."""
    from policyeval._judgements import JudgementGrid
    from policyeval.case import evaluate_case
    from policyeval.evidence_table import EvidenceTable
    from policyeval.framework_io import save_framework
    from policyeval.frameworks import load

    rows = ["id,unit,indicator,rating,source,source_category,technique"]
    for number, (unit, indicator, rating, category) in enumerate(
        [
            ("a", "kompetensi", "baik", "asn"),
            ("a", "kompetensi", "baik", "dokumen"),
            ("a", "integritas", "cukup_baik", "asn"),
            ("b", "kompetensi", "kurang_baik", "asn"),
        ]
    ):
        rows.append(f"E{number},{unit},{indicator},{rating},s{number},{category},interview")
    (tmp_path / "evidence.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    save_framework(load("agustino"), tmp_path / "framework.toml")
    (tmp_path / "case.toml").write_text(
        'schema = "policyeval.case/1"\n\n[case]\nid = "t"\ntitle = { en = "T" }\n'
        'framework = "framework.toml"\nlanguage = "en"\n\n[evidence]\nfile = "evidence.csv"\n\n'
        '[[units]]\nid = "a"\n\n[[units]]\nid = "b"\n',
        encoding="utf-8",
    )

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("an object was made for a row or a judgement")

    monkeypatch.setattr(EvidenceTable, "item", refused)
    monkeypatch.setattr(JudgementGrid, "_make", refused)
    result = evaluate_case(tmp_path)
    assert isinstance(result.evaluation.evidence, EvidenceTable)
    text = result.to_json(compact=True)
    assert '"kompetensi":{"kind":"indicator","level":"baik"' in text
    assert [row.agreement for row in result.agreement].count("not_reported") == 2 * 18
    monkeypatch.undo()
    assert result.evaluation.level("a", "kompetensi") == "baik"
