"""A small, hand-built case result for the report's doctest examples.

Two units ("north" and "south") are judged on a two-dimension framework with
a three-level scale; one data check fails and one alternative aggregation is
declared. Nothing is read from disk.
"""

from __future__ import annotations

from pathlib import Path

from policyeval.case import Alternative, AlternativeResult, Case, CaseResult, Unit
from policyeval.datachecks import CheckResult, Finding
from policyeval.evaluate import evaluate, reaggregate
from policyeval.evidence import Evidence
from policyeval.framework import Framework, Node
from policyeval.scales import Level, OrdinalScale

__all__ = ["example_framework", "two_unit_result"]


def example_framework() -> Framework:
    """A root, two dimensions and three indicators on a good/fair/poor scale."""
    scale = OrdinalScale(
        "gfp",
        (
            Level("good", 3, label={"en": "Good", "id": "Baik"}),
            Level("fair", 2, label={"en": "Fair", "id": "Cukup"}),
            Level("poor", 1, label={"en": "Poor", "id": "Buruk"}),
        ),
    )

    def text(en: str, id_: str) -> dict[str, str]:
        return {"en": en, "id": id_}

    return Framework.build(
        id="mini",
        title=text("Mini framework", "Kerangka mini"),
        languages=("en", "id"),
        default_language="en",
        scales=[scale],
        default_scale="gfp",
        citation="Example, A. (2024). A mini framework.",
        nodes=[
            Node("programme", "root", label=text("Programme", "Program")),
            Node(
                "people",
                "dimension",
                label=text("People", "Orang"),
                parents=("programme",),
                recommendation=text("Hire and train.", "Rekrut dan latih."),
            ),
            Node(
                "money",
                "dimension",
                label=text("Money", "Uang"),
                parents=("programme",),
                recommendation=text("Budget better.", "Anggarkan lebih baik."),
            ),
            Node(
                "skills",
                "indicator",
                label=text("Skills", "Keterampilan"),
                parents=("people",),
                recommendation=text("Train the staff.", "Latih staf."),
            ),
            Node(
                "staffing",
                "indicator",
                label=text("Staffing | headcount", "Jumlah staf"),
                parents=("people",),
                weight=2,
                recommendation=text("Fill the vacancies.", "Isi lowongan."),
            ),
            Node(
                "budget",
                "indicator",
                label=text("Budget", "Anggaran"),
                parents=("money",),
                recommendation=text("Spend the budget.", "Serap anggaran."),
            ),
        ],
    )


def _item(
    id_: str, unit: str, indicator: str, rating: str, source: str, category: str, technique: str
) -> Evidence:
    return Evidence(
        id=id_,
        unit=unit,
        indicator=indicator,
        rating=rating,
        source=source,
        source_category=category,
        technique=technique,
        excerpt=f"{source} on {indicator}",
        citation=f"p. {id_[1:]}",
        extra={"excerpt_en": f"(en) {source} on {indicator}"},
    )


def two_unit_result() -> CaseResult:
    """North is good on every indicator; south is poor on staffing and fair on the rest."""
    framework = example_framework()
    items = [
        _item("E1", "north", "skills", "good", "head", "official", "interview"),
        _item("E2", "north", "skills", "good", "report", "document", "documentation"),
        _item("E3", "north", "staffing", "good", "head", "official", "interview"),
        _item("E4", "north", "budget", "good", "report", "document", "documentation"),
        _item("E5", "south", "skills", "good", "head", "official", "interview"),
        _item("E6", "south", "staffing", "poor", "head", "official", "interview"),
        _item("E7", "south", "staffing", "fair", "citizen", "public", "interview"),
        _item("E8", "south", "budget", "good", "report", "document", "documentation"),
    ]
    evaluation = evaluate(framework, items, units=["north", "south"])
    alternative = Alternative(id="weakest", aggregator="min", why="No compensation.")
    case = Case(
        path=Path("mini"),
        id="mini",
        title={"en": "Mini case", "id": "Kasus mini"},
        period="2024",
        framework=framework,
        units=(Unit("north", {"en": "North", "id": "Utara"}), Unit("south", {"en": "South"})),
        language="en",
        description={"en": "A tiny case.", "id": "Kasus kecil."},
        citation="Example, B. (2024). A mini case.",
        evidence_file=Path("mini/evidence.csv"),
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
        alternatives=(alternative,),
        recommend_below=None,
        derivations=(),
        checks=(),
    )
    checks = (
        CheckResult(id="totals", kind="sum", why="Parts add up.", tables=("t.csv",), findings=()),
        CheckResult(
            id="budget-le",
            kind="not_greater",
            why="No overspending.",
            tables=("budget.csv",),
            findings=(
                Finding(
                    message="realisation 120 is greater than allocation 100",
                    file="budget.csv",
                    row=3,
                ),
            ),
        ),
    )
    alternatives = (
        AlternativeResult(
            alternative=alternative,
            node="programme",
            judgements=reaggregate(evaluation, "min"),
        ),
    )
    return CaseResult(
        case=case, evaluation=evaluation, data_checks=checks, alternatives=alternatives
    )
