"""Reports: what they say, in which language, and that they are well formed and stable."""

from __future__ import annotations

import html.parser
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import Evidence, Framework, Node, aggregator, evaluate, reaggregate, report
from policyeval.case import Alternative, AlternativeResult, Case, CaseResult, Unit
from policyeval.datachecks import CheckResult, Finding
from policyeval.evidence_io import Rejection
from policyeval.exceptions import InvalidArgument
from policyeval.report import build_report, compare, competition_ranks
from policyeval.scales import Level, OrdinalScale

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"


# --- a hand-built case ---------------------------------------------------------------------


def _text(en: str, id_: str) -> dict[str, str]:
    return {"en": en, "id": id_}


def _framework() -> Framework:
    scale = OrdinalScale(
        "gfp",
        (
            Level("good", 3, label=_text("Good", "Baik")),
            Level("fair", 2, label=_text("Fair", "Cukup")),
            Level("poor", 1, label=_text("Poor", "Buruk")),
        ),
    )
    return Framework.build(
        id="tiny",
        title=_text("Tiny framework", "Kerangka kecil"),
        languages=("en", "id"),
        default_language="en",
        scales=[scale],
        default_scale="gfp",
        citation="Author, A. (2024). The tiny framework.",
        nodes=[
            Node(
                "programme",
                "root",
                label=_text("Programme", "Program"),
                recommendation=_text("Review the programme.", "Tinjau program."),
            ),
            Node(
                "people",
                "dimension",
                label=_text("People", "Orang"),
                parents=("programme",),
                recommendation=_text("Invest in people.", "Berinvestasi pada orang."),
            ),
            Node(
                "money",
                "dimension",
                label=_text("Money", "Uang"),
                parents=("programme",),
                recommendation=_text("Budget better.", "Anggarkan lebih baik."),
            ),
            Node(
                "rules",
                "dimension",
                label=_text("Rules", "Aturan"),
                parents=("programme",),
                recommendation=_text("Write local rules.", "Tulis aturan daerah."),
            ),
            Node(
                "skills",
                "indicator",
                label=_text("Skills", "Keterampilan"),
                parents=("people",),
                recommendation=_text("Train the staff.", "Latih staf."),
            ),
            Node(
                "staffing",
                "indicator",
                label=_text("Staffing | headcount", "Jumlah staf"),
                parents=("people",),
                weight=2,
                recommendation=_text("Fill the vacancies.", "Isi lowongan."),
            ),
            Node(
                "budget",
                "indicator",
                label=_text("Budget", "Anggaran"),
                parents=("money",),
                recommendation=_text("Spend the budget.", "Serap anggaran."),
            ),
            Node(
                "regulation",
                "indicator",
                label=_text("Regulation", "Regulasi"),
                parents=("rules",),
                weight=3,
                recommendation=_text("Issue guidelines.", "Terbitkan pedoman."),
            ),
        ],
    )


def _item(
    id_: str,
    unit: str,
    indicator: str,
    rating: str,
    source: str,
    category: str,
    technique: str,
    **extra: str,
) -> Evidence:
    return Evidence(
        id=id_,
        unit=unit,
        indicator=indicator,
        rating=rating,
        source=source,
        source_category=category,
        technique=technique,
        excerpt=f"kutipan {id_}",
        citation=f"hal. {id_[1:]}",
        extra=extra,
    )


EVIDENCE = [
    _item("E1", "north", "skills", "good", "head", "official", "interview", excerpt_en="quote E1"),
    _item("E2", "north", "skills", "good", "report", "document", "documentation"),
    _item("E3", "north", "staffing", "good", "head", "official", "interview"),
    _item("E4", "north", "budget", "good", "report", "document", "documentation"),
    _item("E5", "north", "regulation", "fair", "decree", "document", "documentation"),
    _item("E6", "south", "skills", "good", "head", "official", "interview"),
    _item("E7", "south", "staffing", "poor", "head", "official", "interview"),
    _item("E8", "south", "staffing", "poor", "citizen", "public", "observation"),
    _item("E9", "south", "staffing", "good", "mayor", "official", "interview"),
    _item("E10", "south", "budget", "good", "report", "document", "documentation"),
    _item("E11", "south", "regulation", "fair", "decree", "document", "documentation"),
]


def _case(framework: Framework, units: tuple[Unit, ...], **changes: Any) -> Case:
    case = Case(
        path=Path("tiny"),
        id="tiny",
        title=_text("Tiny case", "Kasus kecil"),
        period="2024",
        framework=framework,
        units=units,
        language="id",
        description=_text("A tiny case.", "Kasus kecil."),
        citation="Writer, W. (2025). The tiny case.",
        evidence_file=Path("tiny/evidence.csv"),
        sources_file=None,
        sheet=None,
        lenient=False,
        rule="source",
        rule_overrides={},
        rule_why="Two kinds of source must agree.",
        aggregator="mean",
        aggregator_overrides={},
        aggregation_why="Parts make up for each other.",
        confidence="weakest",
        confidence_why="No more certain than the weakest part.",
        min_share=0.5,
        alternatives=(Alternative(id="weakest", aggregator="min", why="No compensation."),),
        recommend_below=None,
        derivations=(),
        checks=(),
    )
    return attrs.evolve(case, **changes)


CHECKS = (
    CheckResult(
        id="totals-add-up", kind="sum", why="Parts add up.", tables=("t.csv",), findings=()
    ),
    CheckResult(
        id="no-overspending",
        kind="not_greater",
        why="Spending above allocation needs an explanation.",
        tables=("budget.csv",),
        findings=(
            Finding(
                message="realisation 120 is greater than allocation 100", file="budget.csv", row=3
            ),
        ),
    ),
)


def make_result(units: tuple[str, ...] = ("north", "south"), **case_changes: Any) -> CaseResult:
    """Units north (good, good, fair) and south (staffing poor), judged on the tiny framework."""
    framework = _framework()
    labels = {"north": _text("North", "Utara"), "south": _text("South", "Selatan")}
    items = [item for item in EVIDENCE if item.unit in units]
    evaluation = evaluate(framework, items, units=list(units))
    case = _case(
        framework, tuple(Unit(unit, labels.get(unit, {})) for unit in units), **case_changes
    )
    alternatives = tuple(
        AlternativeResult(
            alternative=alternative,
            node=framework.root,
            judgements=reaggregate(evaluation, alternative.aggregator),
        )
        for alternative in case.alternatives
    )
    return CaseResult(
        case=case, evaluation=evaluation, data_checks=CHECKS, alternatives=alternatives
    )


@pytest.fixture(scope="module")
def result() -> CaseResult:
    return make_result()


@pytest.fixture(scope="module")
def single() -> CaseResult:
    return make_result(("south",))


# --- helpers -------------------------------------------------------------------------------


def markdown_tables(text: str) -> list[list[str]]:
    """Every block of consecutive lines starting with a pipe."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def cell_count(line: str) -> int:
    """The number of cells of a pipe-table row, ignoring escaped pipes."""
    return len(re.split(r"(?<!\\)\|", line)) - 2


class _Headings(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.stack: list[str] = []
        self.void = {"meta", "br", "img", "input", "link", "hr", "col", "source", "wbr"}
        self.svg_depth = 0
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if tag not in self.void:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in self.void:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()


# --- content -------------------------------------------------------------------------------


@pytest.mark.parametrize("render", [report.render_text, report.render_markdown, report.render_html])
def test_every_renderer_shows_verdict_dimensions_and_indicators(
    result: CaseResult, render: object
) -> None:
    """Text, Markdown and HTML name every unit's verdict, every dimension and every indicator."""
    assert callable(render)
    out = render(result, lang="en")
    assert "Programme: Good (score 2.67" in out.replace("&#39;", "'")
    assert "Programme: Fair (score 2.22" in out
    for label in ("People", "Money", "Rules", "Skills", "Budget", "Regulation"):
        assert label in out


def test_verdict_sentence_states_level_score_confidence_and_status(single: CaseResult) -> None:
    """The verdict gives the level, the score on the scale's range, confidence and status, and
    the part the status comes from."""
    model = build_report(single, lang="en")
    assert model.units[0].verdict_sentence == (
        "Programme: Fair (score 2.22 on 1–3), confidence low, single source (from Skills)."
    )


def test_labels_switch_with_the_language(result: CaseResult) -> None:
    """Report text, level labels, node labels and unit labels follow ``lang``."""
    english = report.render_html(result, lang="en")
    indonesian = report.render_html(result, lang="id")
    assert '<html lang="en">' in english and '<html lang="id">' in indonesian
    assert "Overall verdict" in english and "Penilaian keseluruhan" in indonesian
    assert "Overall verdict" not in indonesian
    assert ">Fair<" in english and ">Cukup<" in indonesian
    assert "Regulation" in english and "Regulasi" in indonesian
    assert "North" in english and "Utara" in indonesian
    assert "Recommendations" in english and "Rekomendasi" in indonesian


def test_language_defaults_to_the_case_language(result: CaseResult) -> None:
    """Without ``lang`` a report is written in the case's language."""
    assert result.case.language == "id"
    assert report.render_markdown(result) == report.render_markdown(result, lang="id")
    assert report.render_text(result).splitlines()[1] == "Kerangka: Kerangka kecil"


def test_english_excerpt_is_used_in_english_only(result: CaseResult) -> None:
    """``excerpt_en`` replaces the excerpt in English reports; Indonesian keeps the original."""
    assert "quote E1" in report.render_markdown(result, lang="en")
    assert "kutipan E1" in report.render_markdown(result, lang="id")
    assert "quote E1" not in report.render_markdown(result, lang="id")
    assert "kutipan E2" in report.render_markdown(result, lang="en")


def test_evidence_lists_agreeing_items_first_and_marks_them(single: CaseResult) -> None:
    """Items agreeing with the consensus come first, each item marked agree or differ."""
    staffing = next(i for i in build_report(single).units[0].evidence if i.id == "staffing")
    assert [(item.id, item.agrees) for item in staffing.items] == [
        ("E7", True),
        ("E8", True),
        ("E9", False),
    ]
    markdown = report.render_markdown(single, lang="en")
    assert "- ✔ **E7**" in markdown and "- ✘ **E9**" in markdown


def test_indicator_rows_count_evidence_by_technique_and_category(single: CaseResult) -> None:
    """Each indicator row counts its items by technique and by source category."""
    staffing = next(
        row for row in build_report(single, lang="en").units[0].indicators if row.id == "staffing"
    )
    assert (staffing.evidence, staffing.agreeing) == (3, 2)
    assert staffing.technique_counts == (("interview", 2), ("observation", 1))
    assert staffing.category_counts == (("official", 2), ("public", 1))


def test_triangulation_matrix_counts_agreeing_and_all_items(single: CaseResult) -> None:
    """The matrix holds (agreeing, total) per indicator and technique/category."""
    unit = build_report(single, lang="en").units[0]
    assert unit.techniques == ("documentation", "interview", "observation")
    staffing = [row.id for row in unit.indicators].index("staffing")
    assert unit.by_technique[staffing] == ((0, 0), (1, 2), (1, 1))
    markdown = report.render_markdown(single, lang="en")
    assert "| Staffing \\| headcount |   | 1/2 | 1 |" in markdown


def test_recommendations_weakest_first_then_heavier_then_declared(single: CaseResult) -> None:
    """Below the best level: lowest score first, then higher weight, then declaration order."""
    recommendations = build_report(single, lang="en").units[0].recommendations
    assert [(r.id, r.score_text, r.weight) for r in recommendations] == [
        ("staffing", "1.00", 2.0),
        ("people", "1.67", 1.0),
        ("regulation", "2.00", 3.0),
        ("rules", "2.00", 1.0),
        ("programme", "2.22", 1.0),
    ]
    assert recommendations[0].text == "Fill the vacancies."
    markdown = report.render_markdown(single, lang="en")
    assert markdown.index("Fill the vacancies.") < markdown.index("Issue guidelines.")
    assert markdown.index("Issue guidelines.") < markdown.index("Write local rules.")


def test_recommend_below_sets_the_threshold() -> None:
    """With ``recommend_below = "fair"`` only parts judged poor get a recommendation."""
    model = build_report(make_result(("south",), recommend_below="fair"), lang="en")
    assert [r.id for r in model.units[0].recommendations] == ["staffing"]
    assert model.threshold_text == "Fair"


def test_data_check_findings_appear_with_file_and_row(result: CaseResult) -> None:
    """Each check says passed or failed, with its reason and each finding's file and row."""
    for out in (report.render_markdown(result, lang="en"), report.render_html(result, lang="en")):
        assert "no-overspending" in out and "totals-add-up" in out
        assert "Spending above allocation needs an explanation." in out
        assert "realisation 120 is greater than allocation 100" in out
        assert "budget.csv" in out
        assert "failed" in out and "passed" in out
    markdown = report.render_markdown(result, lang="en")
    assert "realisation 120 is greater than allocation 100 (budget.csv, row 3)" in markdown
    model = build_report(result)
    assert [check.id for check in model.checks] == ["no-overspending", "totals-add-up"]


def test_alternative_aggregations_appear_with_the_note(single: CaseResult) -> None:
    """The aggregation note lists the verdict under each alternative, with its why."""
    markdown = report.render_markdown(single, lang="en")
    assert "non-compensatory" in markdown
    assert f"`{aggregator('min')!r}`" in markdown and "No compensation." in markdown
    rows = build_report(single, lang="en").alternatives
    assert [(row.id, row.verdicts) for row in rows] == [
        ("declared", (("Fair", "2.22"),)),
        ("weakest", (("Fair", "1.67"),)),
    ]


def test_method_gives_choices_and_reasons(result: CaseResult) -> None:
    """The method section names the rule, aggregator and confidence rule with their reasons."""
    markdown = report.render_markdown(result, lang="en")
    for why in (
        "Two kinds of source must agree.",
        "Parts make up for each other.",
        "No more certain than the weakest part.",
    ):
        assert why in markdown
    assert "source_triangulation(" in markdown


def test_citations_of_case_and_framework_appear(result: CaseResult) -> None:
    """The references name the case citation and the framework citation."""
    page = report.render_html(result)
    assert "Writer, W. (2025). The tiny case." in page
    assert "Author, A. (2024). The tiny framework." in page


def test_rejected_rows_are_listed_only_when_present(single: CaseResult) -> None:
    """Rejected evidence rows get a section with file, row and reason; none, no section."""
    assert "Rejected evidence rows" not in report.render_markdown(single, lang="en")
    rejected = Rejection(file="evidence.csv", row=7, id="E99", reason="unknown indicator 'x'")
    with_rejected = attrs.evolve(
        single, evaluation=attrs.evolve(single.evaluation, rejected=(rejected,))
    )
    markdown = report.render_markdown(with_rejected, lang="en")
    assert "## Rejected evidence rows" in markdown
    assert "| evidence.csv | 7 | E99 | unknown indicator 'x' |" in markdown
    assert "unknown indicator" in report.render_html(with_rejected, lang="en")


def test_several_units_bring_a_comparison_table(result: CaseResult, single: CaseResult) -> None:
    """A case with several units shows the comparison; a single-unit case does not."""
    assert "## Perbandingan" in report.render_markdown(result)
    assert 'id="comparison"' in report.render_html(result)
    assert "Perbandingan" not in report.render_markdown(single)


# --- text tree -----------------------------------------------------------------------------


def test_text_tree_is_aligned(single: CaseResult) -> None:
    """The text report draws the framework as a tree with aligned level/score columns."""
    out = report.render_text(single, lang="en")
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Node"))
    start = lines.index(header)
    table = lines[start : start + 2 + 8]
    column = header.index("Level")
    assert table[2][column:].startswith("Fair")
    assert table[3].startswith("├─ People") and table[3][column:].startswith("Fair")
    assert table[5].startswith("│  └─ Staffing | headcount") and table[5][column:].startswith(
        "Poor"
    )
    assert table[9].startswith("   └─ Regulation")
    assert all(line == line.rstrip() for line in lines)


# --- determinism and well-formedness -------------------------------------------------------


@pytest.mark.parametrize("render", [report.render_text, report.render_markdown, report.render_html])
def test_rendering_twice_gives_identical_bytes(render: object) -> None:
    """Two renderings of equal results are byte-identical."""
    assert callable(render)
    first = render(make_result(), lang="en").encode("utf-8")
    second = render(make_result(), lang="en").encode("utf-8")
    assert first == second


def test_html_references_nothing_outside_the_file(result: CaseResult) -> None:
    """No src/href leaves the page, and no script, stylesheet link, import or url() is used."""
    page = report.render_html(result)
    assert "http://" not in page and "https://" not in page
    targets = re.findall(r"""(?:src|href|xlink:href|action)\s*=\s*["']?([^"' >]*)""", page)
    assert targets and all(target.startswith("#") for target in targets)
    for forbidden in ("<script", "<link", "@import", "url(", "<img", "<iframe", "<object"):
        assert forbidden not in page


def test_html_charts_are_svg_with_text_alternatives(result: CaseResult) -> None:
    """Each chart is role="img" SVG with a title and desc it is labelled by, and parses as XML."""
    page = report.render_html(result, lang="en")
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(charts) == 2 * 4  # per unit: radar, two heatmaps, framework graph
    for chart in charts:
        element = ElementTree.fromstring(chart)
        assert element.get("role") == "img"
        title, desc = element.find("title"), element.find("desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert element.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert len(list(element)) > 3
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_radar_text_alternative_lists_every_dimension_score(single: CaseResult) -> None:
    """The radar's desc gives the scale range and every dimension's score and level."""
    page = report.render_html(single, lang="en")
    desc = re.search(r'<desc id="u1-south-radar-desc">(.*?)</desc>', page)
    assert desc is not None
    assert desc.group(1) == (
        "Scores of the dimensions on a scale from 1 to 3: "
        "People 1.67 (Fair); Money 3.00 (Good); Rules 2.00 (Fair)."
    )


def test_html_is_accessible_and_well_nested(result: CaseResult) -> None:
    """Headings never skip a level, tags nest, tables have captions and header scopes."""
    page = report.render_html(result, lang="en")
    parser = _Headings()
    parser.feed(page)
    assert parser.problems == [] and parser.stack == []
    assert parser.levels[0] == 1 and parser.levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(parser.levels, parser.levels[1:], strict=False))
    assert page.count("<table") == page.count("<caption>")
    assert "<th>" not in page and '<th scope="col">' in page and '<th scope="row">' in page
    assert "@media print" in page


def test_levels_are_written_as_text_not_only_colour(single: CaseResult) -> None:
    """Every coloured level badge carries the level's label."""
    page = report.render_html(single, lang="en")
    badges = re.findall(
        r'<span class="badge[^"]*" style="background:#[0-9a-f]{6}">([^<]*)</span>', page
    )
    assert badges and set(badges) <= {"Good", "Fair", "Poor", "undefined"}


def test_markdown_tables_are_well_formed(result: CaseResult) -> None:
    """Every Markdown table has a separator row and the same number of cells in every row."""
    markdown = report.render_markdown(result, lang="en")
    tables = markdown_tables(markdown)
    assert len(tables) >= 8
    for table in tables:
        width = cell_count(table[0])
        assert re.fullmatch(r"\|( --- \|)+", table[1])
        assert all(cell_count(row) == width for row in table), table
    assert "Staffing \\| headcount" in markdown


def test_markdown_has_headings_and_a_mermaid_graph(single: CaseResult) -> None:
    """The Markdown report has one title, section headings and a Mermaid flowchart."""
    markdown = report.render_markdown(single, lang="en")
    assert markdown.startswith("# Tiny case\n")
    assert markdown.count("\n# ") == 0
    block = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.startswith("flowchart TD\n")
    assert 'n3["Staffing | headcount<br/>Poor · 1.00"]' in block
    assert "n1 --> n3" in block and "classDef" in block


# --- comparison ----------------------------------------------------------------------------


def test_comparison_ranks_ties_share_the_lower_rank(result: CaseResult) -> None:
    """Ranks go by score, highest first; equal scores share the lower rank number."""
    comparison = compare([result])
    assert comparison.nodes == ("people", "money", "rules", "programme")
    ranks = {unit.key: unit.ranks for unit in comparison.units}
    assert ranks == {"north": (1, 1, 1, 1), "south": (2, 1, 1, 2)}
    levels = {unit.key: unit.levels for unit in comparison.units}
    assert levels["south"] == ("fair", "good", "fair", "fair")


def test_comparison_puts_undefined_units_last_without_rank() -> None:
    """A unit without a score has no rank and is listed after the ranked units."""
    comparison = compare([make_result(("east", "south", "north"))])
    assert [unit.key for unit in comparison.ranked()] == ["north", "south", "east"]
    east = next(unit for unit in comparison.units if unit.key == "east")
    assert east.ranks == (None, None, None, None) and east.scores[-1] is None
    text = report.render_comparison_text(comparison, lang="en")
    assert "undefined – (#–)" in text


def test_comparison_across_cases_keys_repeated_units_by_case(result: CaseResult) -> None:
    """Units from several cases are compared; a repeated unit id is keyed case/unit."""
    other = attrs.evolve(result, case=attrs.evolve(result.case, id="other"))
    comparison = compare([result, other])
    assert [unit.key for unit in comparison.units] == [
        "tiny/north",
        "tiny/south",
        "other/north",
        "other/south",
    ]
    assert [unit.ranks[-1] for unit in comparison.units] == [1, 3, 1, 3]


def test_comparison_json_is_deterministic_and_complete(result: CaseResult) -> None:
    """Comparison JSON is stable and holds level, score and rank per unit and node."""
    comparison = compare([result])
    assert comparison.to_json() == compare([make_result()]).to_json()
    document = json.loads(comparison.to_json())
    assert document["schema"] == "policyeval.comparison/1"
    assert document["units"][1]["nodes"]["programme"] == {
        "level": "fair",
        "score": pytest.approx(2.2222222222),
        "rank": 2,
        "confidence": "low",
    }


def test_comparison_renderers_show_levels_scores_and_ranks(result: CaseResult) -> None:
    """Text and Markdown comparisons give level, score and rank in the chosen language."""
    comparison = compare([result])
    text = report.render_comparison_text(comparison, lang="en")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "Overall: Programme Good 2.67 (#1) Fair 2.22 (#2)" in lines
    assert "Overall confidence low low" in lines
    assert "Coverage 4/4 indicators, 5 items 4/4 indicators, 6 items" in lines
    assert [line.split()[0] for line in text.splitlines()[-2:]] == ["Strengths", "Weaknesses"]
    markdown = report.render_comparison_markdown(comparison, lang="id")
    assert "| Keseluruhan: Program | Baik 2.67 (#1) | Cukup 2.22 (#2) |" in markdown
    for table in markdown_tables(markdown):
        assert all(cell_count(row) == cell_count(table[0]) for row in table)


def test_compare_rejects_nothing_and_mixed_frameworks(result: CaseResult) -> None:
    """Comparing no results, or results of different frameworks, is an invalid argument."""
    with pytest.raises(InvalidArgument, match="results=\\[\\]"):
        compare([])
    other_framework = attrs.evolve(result.evaluation.framework, id="other")
    other = attrs.evolve(
        result, evaluation=attrs.evolve(result.evaluation, framework=other_framework)
    )
    with pytest.raises(InvalidArgument, match="framework="):
        compare([result, other])


def test_competition_ranking_examples() -> None:
    """Competition ranking: "1224" for ties; None has no rank."""
    assert competition_ranks([4.0, 3.0, 3.0, 2.0]) == (1, 2, 2, 4)
    assert competition_ranks([None, 2.0, None]) == (None, 1, None)
    assert competition_ranks([]) == ()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 5).map(float)), max_size=8))
def test_competition_rank_is_one_plus_the_number_scoring_higher(
    scores: list[float | None],
) -> None:
    """Each defined score's rank is 1 + how many scores are strictly higher."""
    ranks = competition_ranks(scores)
    for score, rank in zip(scores, ranks, strict=True):
        if score is None:
            assert rank is None
        else:
            assert rank == 1 + sum(other is not None and other > score for other in scores)


# --- a report of some units ---------------------------------------------------------------


def test_a_report_of_one_unit_holds_that_units_section_of_the_full_report(
    result: CaseResult,
) -> None:
    """``units`` keeps the chosen units, each exactly as the full report shows it (ranks among
    all units, same key), and leaves the comparison out for a single unit."""
    full = build_report(result, lang="en")
    assert [unit.id for unit in full.units] == ["north", "south"]
    south = build_report(result, lang="en", units=["south"])
    assert south.units == (full.units[1],)
    assert south.comparison is None and full.comparison is not None
    both = build_report(result, lang="en", units=["south", "north"])
    assert both.units == full.units  # the evaluation's order, not the order asked
    markdown = report.render_markdown(result, lang="en", units=["north"])
    assert "south" not in markdown.split("## ")[1] and "North" in markdown


def test_a_report_of_an_unknown_unit_is_refused_with_a_hint(result: CaseResult) -> None:
    """A unit the evaluation does not hold is named, with the closest one."""
    with pytest.raises(InvalidArgument, match=r"no unit 'sout'.*did you mean 'south'"):
        build_report(result, units=["sout"])
    with pytest.raises(InvalidArgument, match="not a string"):
        build_report(result, units="south")
    with pytest.raises(InvalidArgument, match="names no unit"):
        report.render_html(result, units=[])


def test_comparing_some_units_ranks_them_among_themselves() -> None:
    """compare(units=...) lines up the chosen units only, ranked among themselves."""
    from policyeval.report._examples import two_unit_result

    both = compare([two_unit_result()])
    assert [(unit.key, unit.ranks) for unit in both.ranked()] == [
        ("north", (1, 1, 1)),
        ("south", (2, 1, 2)),
    ]
    alone = compare([two_unit_result()], units=["south"])
    assert [(unit.key, unit.ranks) for unit in alone.ranked()] == [("south", (1, 1, 1))]


def test_a_stability_section_of_some_units_lists_those_units_only() -> None:
    """With ``units``, the stability table and driver charts cover the chosen units."""
    from policyeval import evaluate_case
    from policyeval.sensitivity import sensitivity_case

    asem = evaluate_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    stable = sensitivity_case(asem.case, draws=20, seed=1)
    first, second = asem.evaluation.units[:2]
    one = report.render_markdown(asem, lang="en", stability=stable, units=[first])
    section = one.split("## Stability of the verdicts", 1)[1]
    table = markdown_tables(section)[0]
    assert len(table) == 2 + len(asem.case.framework.inner_nodes)  # header, rule, one unit
    assert "| Unit |" not in table[0]
    page = report.render_html(asem, lang="en", stability=stable, units=[first, second])
    charts = re.findall(r'id="drivers-([^"]*)-title"', page)
    assert charts == [first, second]  # the full page has one for each of its 51 units
    shown = build_report(asem, lang="en", units=[second]).units[0].label
    assert shown in page


# --- the worked example --------------------------------------------------------------------


@pytest.fixture(scope="module")
def serang() -> CaseResult:
    from policyeval import evaluate_case

    return evaluate_case(EXAMPLE)


def test_serang_report_states_the_verdict_and_every_dimension(serang: CaseResult) -> None:
    """The Serang report gives the programme verdict and all five dimensions and twelve indicators."""
    model = build_report(serang, lang="id")
    unit = model.units[0]
    assert unit.verdict.level == "cukup_baik" and unit.verdict.level_text == "Cukup baik"
    assert len(unit.top) == 5 and len(unit.indicators) == 12
    page = report.render_html(serang)
    for row in (*unit.top, *unit.indicators):
        assert row.label in page
    assert "Cukup baik" in page


def test_serang_report_in_english(serang: CaseResult) -> None:
    """In English the Serang report uses English labels and the English excerpts."""
    model = build_report(serang, lang="en")
    assert model.units[0].verdict.level_text == "Fair"
    markdown = report.render_markdown(serang, lang="en")
    assert "Overall verdict" in markdown and "Personnel" in markdown
    english = [
        item.extra["excerpt_en"]
        for item in serang.evaluation.evidence
        if item.extra.get("excerpt_en")
    ]
    assert english and all(
        " ".join(excerpt.split())[:40] in markdown.replace("\\", "") for excerpt in english[:5]
    )


def test_serang_report_lists_failed_checks_and_alternatives(serang: CaseResult) -> None:
    """Every failed data check and every alternative aggregation appears in the report."""
    page = report.render_html(serang, lang="en")
    failed = [check for check in serang.data_checks if not check.passed]
    assert failed
    for check in failed:
        assert check.id in page
        for finding in check.findings:
            assert finding.message in page.replace("&#39;", "'")
            if finding.row is not None:
                assert f'<td class="num">{finding.row}</td>' in page
    for alternative in serang.alternatives:
        assert alternative.alternative.id in page


def test_serang_outputs_are_self_contained_and_well_formed(serang: CaseResult) -> None:
    """The Serang HTML fetches nothing and its Markdown tables are well formed."""
    page = report.render_html(serang)
    assert "http://" not in page and "https://" not in page
    assert page == report.render_html(serang)
    for table in markdown_tables(report.render_markdown(serang)):
        assert all(cell_count(row) == cell_count(table[0]) for row in table)
