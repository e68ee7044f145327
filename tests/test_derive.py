"""Evidence derived from data tables: computed, banded, and explained so a reader can redo it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import ASCENDING_LEVEL_IDS, CsvWriter
from policyeval.derive import Derivation, derive_evidence, parse_derivations
from policyeval.evidence import Origin, Source
from policyeval.exceptions import CaseError
from policyeval.framework import Framework
from policyeval.scales import Bands

BUDGET = [
    ["line", "level", "allocation", "realisation"],
    ["total", "output", "1000", "584"],
    ["A", "component", "600", "400"],
    ["B", "component", "300", "184"],
    ["C", "component", "100", ""],
]
EVENTS = [
    ["event", "type", "target group"],
    ["E1", "sosialisasi", "ASN"],
    ["E2", "sosialisasi", "pemilih"],
    ["E3", "bimtek", "ASN"],
    ["E4", "sosialisasi", "ASN"],
]
BANDS = {"cuts": [50, 75, 90], "levels": list(ASCENDING_LEVEL_IDS)}
RATIO = {
    "id": "D1",
    "indicator": "kompetensi",
    "table": "data/budget.csv",
    "measure": "ratio",
    "numerator": "realisation",
    "denominator": "allocation",
    "where": {"level": "component"},
    "multiply": 100,
    "unit": "%",
    "bands": BANDS,
    "source": "laporan",
    "technique": "documentation",
}


@pytest.fixture
def folder(write_csv: CsvWriter, tmp_path: Path) -> Path:
    """A case folder with ``data/budget.csv`` and ``data/events.csv``."""
    write_csv("data/budget.csv", BUDGET)
    write_csv("data/events.csv", EVENTS)
    return tmp_path


def derive_one(folder: Path, framework: Framework, **entry: Any) -> Any:
    """Parse one ``[[derived]]`` entry and derive its item for unit ``kota``."""
    (item,) = derive_evidence(
        parse_derivations([entry], file="case.toml"), base=folder, framework=framework, unit="kota"
    )
    return item


# --- measures ------------------------------------------------------------------------------


def test_a_ratio_is_banded_into_a_level_and_explains_the_left_out_row(
    folder: Path, mini_framework: Framework
) -> None:
    """584 / 900 × 100 = 64.89 % over the components is ``kurang_baik``; row 5 has no realisation."""
    item = derive_one(folder, mini_framework, **RATIO)
    assert (item.id, item.unit, item.indicator, item.rating, item.value) == (
        "D1",
        "kota",
        "kompetensi",
        "kurang_baik",
        None,
    )
    assert item.extra == {
        "derived_value": "64.89",
        "derived_unit": "%",
        "derivation": "sum(realisation) / sum(allocation) × 100 over budget.csv "
        "where {'level': 'component'}; row 5 left out (no realisation)",
    }
    assert item.excerpt == f"kompetensi: 64.89% ({item.extra['derivation']})"
    assert (item.source, item.technique, item.weight) == ("laporan", "documentation", 1.0)
    assert item.origin == Origin(str(folder / "data" / "budget.csv"), None)


def test_a_ratio_for_a_numeric_indicator_is_the_value(
    folder: Path, mini_framework: Framework
) -> None:
    """For the numeric indicator the ratio 584 / 900 × 100 is the value itself, unbanded."""
    item = derive_one(folder, mini_framework, **{**RATIO, "indicator": "realisasi", "bands": None})
    assert item.rating is None
    assert item.value == pytest.approx(584 / 900 * 100)


def test_a_ratio_over_the_total_row_only(folder: Path, mini_framework: Framework) -> None:
    """The total row alone gives 584 / 1000 × 100 = 58.4 %, and nothing is left out."""
    item = derive_one(folder, mini_framework, **{**RATIO, "where": {"level": "output"}})
    assert (item.rating, item.extra["derived_value"]) == ("kurang_baik", "58.4")
    assert item.extra["derivation"] == (
        "sum(realisation) / sum(allocation) × 100 over budget.csv where {'level': 'output'}"
    )


def test_a_sum_with_multiply_and_filter(folder: Path, mini_framework: Framework) -> None:
    """Component allocations sum to 1000; × 0.05 gives 50, which ties down to ``tidak_baik``."""
    item = derive_one(
        folder,
        mini_framework,
        **{
            **RATIO,
            "measure": "sum",
            "numerator": None,
            "denominator": None,
            "column": "allocation",
            "multiply": 0.05,
            "unit": None,
        },
    )
    assert item.rating == "tidak_baik"
    assert item.extra == {
        "derived_value": "50",
        "derivation": "sum(allocation) over budget.csv where {'level': 'component'} × 0.05",
    }


def test_a_sum_leaves_out_rows_without_a_figure(folder: Path, mini_framework: Framework) -> None:
    """Realisation over every row sums to 1168, and row 5's empty cell is named."""
    item = derive_one(
        folder,
        mini_framework,
        id="D2",
        indicator="realisasi",
        table="data/budget.csv",
        measure="sum",
        column="realisation",
        multiply=0.05,
        source="laporan",
    )
    assert item.value == pytest.approx(58.4)
    assert item.extra["derivation"] == (
        "sum(realisation) over budget.csv × 0.05; row 5 left out (no realisation)"
    )


def test_a_count_of_filtered_rows(folder: Path, mini_framework: Framework) -> None:
    """Two ``sosialisasi`` events for ASN; with cuts 0/2/5 that ties down to ``kurang_baik``."""
    item = derive_one(
        folder,
        mini_framework,
        id="D3",
        indicator="kejelasan",
        table="data/events.csv",
        measure="count",
        where={"type": "sosialisasi", "Target Group": "ASN"},
        unit=" kegiatan",
        bands={"cuts": [0, 2, 5], "levels": list(ASCENDING_LEVEL_IDS)},
        source="laporan",
    )
    assert item.rating == "kurang_baik"
    assert item.extra["derived_value"] == "2"
    assert item.extra["derivation"] == (
        "count of rows of events.csv where {'type': 'sosialisasi', 'Target Group': 'ASN'}"
    )
    assert item.excerpt.startswith("kejelasan: 2 kegiatan (count of rows")


def test_a_count_with_multiply(folder: Path, mini_framework: Framework) -> None:
    """Four events × 25 = 100 is the value of the numeric indicator; the formula shows the factor."""
    item = derive_one(
        folder,
        mini_framework,
        id="D4",
        indicator="realisasi",
        table="data/events.csv",
        measure="count",
        multiply=25,
        source="laporan",
    )
    assert item.value == 100.0
    assert item.extra["derivation"] == "count of rows of events.csv × 25"


@pytest.mark.parametrize(
    ("line", "ties", "level"),
    [("A", "down", "kurang_baik"), ("A", "up", "cukup_baik"), ("B", "up", "kurang_baik")],
)
def test_bands_ties_follow_the_declared_direction(
    write_csv: CsvWriter,
    tmp_path: Path,
    mini_framework: Framework,
    line: str,
    ties: str,
    level: str,
) -> None:
    """A ratio exactly on the cut 75 goes down by default and up with ``ties = "up"``; 60 is no tie."""
    write_csv("t.csv", [["line", "a", "b"], ["A", "75", "100"], ["B", "60", "100"]])
    entry = {
        **RATIO,
        "table": "t.csv",
        "numerator": "a",
        "denominator": "b",
        "where": {"line": line},
        "bands": {**BANDS, "ties": ties},
    }
    assert derive_one(tmp_path, mini_framework, **entry).rating == level


def test_semicolon_tables_use_decimal_commas(
    write_csv: CsvWriter, tmp_path: Path, mini_framework: Framework
) -> None:
    """``58,4`` and ``100`` in a semicolon table give the value 58.4."""
    write_csv("t.csv", "a;b\n58,4;100\n")
    item = derive_one(
        tmp_path,
        mini_framework,
        **{
            **RATIO,
            "indicator": "realisasi",
            "table": "t.csv",
            "numerator": "a",
            "denominator": "b",
            "where": {},
        },
    )
    assert item.value == pytest.approx(58.4)


def test_optional_fields_reach_the_item(folder: Path, mini_framework: Framework) -> None:
    """Category from the sources table, case unit, citation, excerpts and reason are carried over."""
    sources = {"laporan": Source(id="laporan", category="dokumen_resmi", technique="documentation")}
    entry = {
        **RATIO,
        "case_unit": "kabupaten",
        "citation": "Tabel 8",
        "excerpt": "Realisasi 64,89 %",
        "excerpt_en": "Realisation 64.89 %",
        "why": "the budget is the plan",
    }
    (item,) = derive_evidence(
        parse_derivations([entry]),
        base=folder,
        framework=mini_framework,
        unit="kota",
        sources=sources,
    )
    assert (item.unit, item.source_category, item.citation, item.excerpt) == (
        "kabupaten",
        "dokumen_resmi",
        "Tabel 8",
        "Realisasi 64,89 %",
    )
    assert item.extra["excerpt_en"] == "Realisation 64.89 %"
    assert item.extra["why"] == "the budget is the plan"
    own = derive_evidence(
        parse_derivations([{**entry, "source_category": "laporan_resmi"}]),
        base=folder,
        framework=mini_framework,
        unit="kota",
        sources=sources,
    )
    assert own[0].source_category == "laporan_resmi"


# --- errors --------------------------------------------------------------------------------


def test_an_ordinal_indicator_without_bands_is_a_case_error(
    folder: Path, mini_framework: Framework
) -> None:
    """A number cannot become a level without bands: the error names the item and the indicator."""
    with pytest.raises(CaseError) as caught:
        derive_one(folder, mini_framework, **{**RATIO, "bands": None})
    assert caught.value.problems[0].message == (
        "derived item 'D1': indicator 'kompetensi' is ordinal; give bands to turn the number into a level"
    )


def test_bands_naming_a_level_outside_the_scale_are_a_case_error(
    folder: Path, mini_framework: Framework
) -> None:
    """Bands producing ``rendah`` for a scale without it are refused."""
    bands = {"cuts": [50, 75, 90], "levels": ["sangat_rendah", "rendah", "sedang", "tinggi"]}
    with pytest.raises(CaseError, match=r"bands give 'rendah', not a level of scale 'empat'"):
        derive_one(folder, mini_framework, **{**RATIO, "bands": bands})


@pytest.mark.parametrize("indicator", ["kepuasan", "komunikasi", "program"])
def test_an_unknown_indicator_is_a_case_error(
    folder: Path, mini_framework: Framework, indicator: str
) -> None:
    """An indicator not in the framework, or a node that is not an indicator, is refused."""
    with pytest.raises(CaseError) as caught:
        derive_one(folder, mini_framework, **{**RATIO, "indicator": indicator})
    (problem,) = caught.value.problems
    assert problem.message.startswith("derived item 'D1': unknown indicator")
    assert problem.value == indicator


def test_an_unknown_source_is_a_case_error(folder: Path, mini_framework: Framework) -> None:
    """With a sources table, a derivation naming another source is refused."""
    with pytest.raises(CaseError) as caught:
        derive_evidence(
            parse_derivations([RATIO]),
            base=folder,
            framework=mini_framework,
            unit="kota",
            sources={"komisioner": Source(id="komisioner")},
        )
    (problem,) = caught.value.problems
    assert problem.message == "derived item 'D1': unknown source (not in the sources table)"
    assert problem.value == "laporan"


def test_a_zero_denominator_is_a_case_error(
    write_csv: CsvWriter, tmp_path: Path, mini_framework: Framework
) -> None:
    """A ratio whose denominator sums to 0 is refused rather than divided."""
    write_csv("t.csv", [["a", "b"], ["5", "0"], ["3", "0"]])
    with pytest.raises(CaseError) as caught:
        derive_one(
            tmp_path,
            mini_framework,
            **{**RATIO, "table": "t.csv", "numerator": "a", "denominator": "b", "where": {}},
        )
    (problem,) = caught.value.problems
    assert problem.message == "derived item 'D1': the denominator sums to 0"
    assert problem.file == str(tmp_path / "t.csv")


def test_a_ratio_over_no_rows_is_a_zero_denominator(
    folder: Path, mini_framework: Framework
) -> None:
    """A filter matching no row leaves a zero denominator, which is refused."""
    with pytest.raises(CaseError, match="the denominator sums to 0"):
        derive_one(folder, mini_framework, **{**RATIO, "where": {"level": "nothing"}})


def test_a_missing_column_is_a_case_error(folder: Path, mini_framework: Framework) -> None:
    """A numerator column the table lacks is named with the file and row 1."""
    with pytest.raises(CaseError) as caught:
        derive_one(folder, mini_framework, **{**RATIO, "numerator": "pagu"})
    (problem,) = caught.value.problems
    assert problem.message == "derived item 'D1': no column 'pagu'"
    assert (problem.file, problem.row) == (str(folder / "data" / "budget.csv"), 1)


def test_a_filter_on_a_missing_column_is_a_case_error(
    folder: Path, mini_framework: Framework
) -> None:
    """A ``where`` on a column the table lacks is an error, never a silent empty match."""
    with pytest.raises(CaseError, match=r"derived item 'D2': no column 'jenis'"):
        derive_one(
            folder,
            mini_framework,
            id="D2",
            indicator="realisasi",
            table="data/events.csv",
            measure="count",
            where={"jenis": "sosialisasi"},
            source="laporan",
        )


def test_text_in_a_summed_column_is_a_case_error(
    write_csv: CsvWriter, tmp_path: Path, mini_framework: Framework
) -> None:
    """A cell that is not a number is refused, naming the column and the text."""
    write_csv("t.csv", [["a", "b"], ["lima", "10"]])
    with pytest.raises(CaseError) as caught:
        derive_one(
            tmp_path,
            mini_framework,
            **{**RATIO, "table": "t.csv", "numerator": "a", "denominator": "b", "where": {}},
        )
    (problem,) = caught.value.problems
    assert (problem.key, problem.message) == ("a", "derived item 'D1': not a number: 'lima'")


def test_a_value_outside_the_numeric_scale_is_a_case_error(
    write_csv: CsvWriter, tmp_path: Path, mini_framework: Framework
) -> None:
    """A realisation of 120 % does not fit the 0-100 % scale, as it would not in an evidence table."""
    write_csv("t.csv", [["a", "b"], ["120", "100"]])
    entry = {
        **RATIO,
        "indicator": "realisasi",
        "table": "t.csv",
        "numerator": "a",
        "denominator": "b",
        "where": {},
    }
    with pytest.raises(CaseError) as caught:
        derive_one(tmp_path, mini_framework, **entry)
    (problem,) = caught.value.problems
    assert problem.message == "derived item 'D1': 120 is outside scale 'persen' [0, 100]"


def test_a_missing_table_is_a_case_error(folder: Path, mini_framework: Framework) -> None:
    """A table that does not exist is refused naming the file."""
    with pytest.raises(CaseError) as caught:
        derive_one(folder, mini_framework, **{**RATIO, "table": "data/nope.csv"})
    (problem,) = caught.value.problems
    assert (problem.message, problem.file) == ("file not found", str(folder / "data" / "nope.csv"))


def test_every_failing_derivation_is_listed(folder: Path, mini_framework: Framework) -> None:
    """Problems of several derivations come in one error, in declaration order."""
    specs = parse_derivations(
        [
            {**RATIO, "bands": None},
            {**RATIO, "id": "D2", "indicator": "kepuasan"},
            {**RATIO, "id": "D3"},
        ]
    )
    with pytest.raises(CaseError) as caught:
        derive_evidence(specs, base=folder, framework=mini_framework, unit="kota")
    assert [p.message.split(":")[0] for p in caught.value.problems] == [
        "derived item 'D1'",
        "derived item 'D2'",
    ]


# --- parsing -------------------------------------------------------------------------------


def test_parse_derivations_builds_bands_and_defaults() -> None:
    """Bands become ``Bands``; technique defaults to documentation and multiply to 1."""
    (spec,) = parse_derivations(
        [
            {
                "id": "D9",
                "indicator": "x",
                "table": "t.csv",
                "measure": "count",
                "source": "s",
                "bands": BANDS,
            }
        ]
    )
    assert spec == Derivation(
        id="D9",
        indicator="x",
        table="t.csv",
        measure="count",
        source="s",
        bands=Bands(cuts=(50, 75, 90), levels=ASCENDING_LEVEL_IDS),
    )
    assert (spec.technique, spec.multiply, spec.where) == ("documentation", 1.0, {})


INVALID_ENTRIES = [
    pytest.param({**RATIO, "colour": "red"}, "derived[0].colour", "unknown key", id="unknown-key"),
    pytest.param({**RATIO, "id": ""}, "derived[0].id", "missing value", id="missing-id"),
    pytest.param(
        {k: v for k, v in RATIO.items() if k != "source"},
        "derived[0].source",
        "missing value",
        id="missing-source",
    ),
    pytest.param(
        {**RATIO, "measure": "mean"},
        "derived[0].measure",
        "measure must be ratio, sum or count",
        id="bad-measure",
    ),
    pytest.param(
        {**RATIO, "denominator": None},
        "derived[0]",
        "a ratio needs numerator and denominator",
        id="ratio-without-denominator",
    ),
    pytest.param(
        {**RATIO, "measure": "sum", "numerator": None},
        "derived[0].column",
        "a sum needs column",
        id="sum-without-column",
    ),
    pytest.param(
        {**RATIO, "bands": {"cuts": [50, 75], "levels": list(ASCENDING_LEVEL_IDS)}},
        "derived[0].bands",
        "invalid bands: bands need one more level than cuts: 4 levels, 2 cuts",
        id="bands-count",
    ),
    pytest.param(
        {**RATIO, "bands": {"levels": list(ASCENDING_LEVEL_IDS)}},
        "derived[0].bands",
        "invalid bands: 'cuts'",
        id="bands-without-cuts",
    ),
    pytest.param(
        {**RATIO, "multiply": "seratus"},
        "derived[0].multiply",
        "must be a number",
        id="multiply-not-a-number",
    ),
    pytest.param(
        {**RATIO, "where": "level = component"},
        "derived[0].where",
        "must be a table",
        id="where-not-a-table",
    ),
]


@pytest.mark.parametrize(("entry", "key", "fragment"), INVALID_ENTRIES)
def test_each_invalid_entry_is_refused_with_its_key(
    entry: dict[str, Any], key: str, fragment: str
) -> None:
    """An invalid ``[[derived]]`` entry raises ``CaseError`` naming the file and key path."""
    with pytest.raises(CaseError) as caught:
        parse_derivations([entry], file="case.toml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.key) == ("case.toml", key)
    assert fragment in problem.message


def test_every_entry_problem_is_listed_and_duplicate_ids_are_refused() -> None:
    """Problems of all entries come in one error, including an id used twice."""
    with pytest.raises(CaseError) as caught:
        parse_derivations(
            [RATIO, {**RATIO, "id": "D2", "measure": "mean"}, RATIO], file="case.toml"
        )
    assert [(p.key, p.message) for p in caught.value.problems] == [
        ("derived[1].measure", "measure must be ratio, sum or count"),
        ("derived[2].id", "duplicate derived item id (first at derived[0])"),
    ]
