"""The columnar evidence path gives what the row-by-row path gives: items, errors, JSON."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import golden_cases
from policyeval import evaluate, frameworks
from policyeval.case import load_case, load_case_evidence
from policyeval.evidence import Evidence, Source
from policyeval.evidence_io import (
    EvidenceSet,
    _scalar_evidence_from_rows,
    evidence_from_rows,
    load_evidence,
)
from policyeval.evidence_table import CODED_COLUMNS, EvidenceTable
from policyeval.exceptions import EvidenceError, PluginContractError
from policyeval.framework_io import load_framework
from policyeval.tables import Row, Table
from policyeval.testing.strategies import FOUR_LEVEL_SCALE, evidence_items
from policyeval.triangulation import (
    agreement,
    all_of,
    any_of,
    cerqual,
    investigator_triangulation,
    source_triangulation,
    technique_triangulation,
    time_triangulation,
)

AGUSTINO = frameworks.load("agustino")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "serang_2024"
EXAMPLE_FRAMEWORK = load_framework(golden_cases.HERE / "data" / "framework_example.toml")

_CELLS = {
    "id": ["E1", "E2", "E1", " E3 ", "", "E\u200b4", "Cafe\u0301"],
    "unit": ["kota", "", "desa", "kota\x00", "lain"],
    "indicator": ["kompetensi", "komunikasi_publik", "anggaran", "program", "nope", ""],
    "rating": ["baik", "Baik", "cukup baik", "bagus", ""],
    "value": ["", "", "", "3", "1,5", "58.4", "120", "x"],
    "source": ["s1", "s2", "", "ghost"],
    "source_category": ["asn", "", "dokumen"],
    "technique": ["interview", "", "documentation"],
    "date": ["", "2024-03-01", "31/12/2023", "yesterday"],
    "weight": ["", "1", "2", "0.5", "0", "abc", "1,5"],
    "attribution": ["", "stated", "Inferred", "guessed"],
    "investigator": ["", "ana", "budi"],
    "limitations": ["", "serious"],
}
_SOURCES = {
    "s1": Source(id="s1", category="asn", technique="interview"),
    "s2": Source(id="s2"),
}


@st.composite
def tables(draw: st.DrawFn) -> Table:
    columns = draw(
        st.lists(st.sampled_from(sorted(_CELLS)), unique=True, min_size=1).map(
            lambda chosen: ("id", *[c for c in chosen if c != "id"])
        )
    )
    rows = []
    for number in range(2, 2 + draw(st.integers(0, 8))):
        values = {column: draw(st.sampled_from(_CELLS[column])) for column in columns}
        values = {column: text for column, text in values.items() if text.strip()}
        if draw(st.integers(0, 9)) == 0:
            values["__overflow__"] = "58 | 4"
        rows.append(Row(number, values))
    return Table("e.csv", columns, tuple(rows), decimal_comma=draw(st.booleans()))


def _outcome(reader, table: Table, framework, **options):  # type: ignore[no-untyped-def]
    try:
        found = reader(table, framework, **options)
    except EvidenceError as error:
        return "error", [str(problem) for problem in error.problems]
    return tuple(found.items), found.rejected, found.units


@settings(max_examples=150, deadline=None)
@given(
    tables(),
    st.booleans(),
    st.sampled_from([None, "kota"]),
    st.sampled_from([None, ["kota", "desa"]]),
    st.booleans(),
    st.sampled_from(["agustino", "example"]),
)
def test_columns_read_exactly_what_rows_read(
    table: Table,
    lenient: bool,
    default_unit: str | None,
    units: list[str] | None,
    with_sources: bool,
    framework_name: str,
) -> None:
    """For any table, the column reader keeps the same items and reports the same problems,
    row by row and in the same words, as the row reader, strict or lenient."""
    options = {
        "lenient": lenient,
        "default_unit": default_unit,
        "units": units,
        "sources": _SOURCES if with_sources else None,
    }
    framework = AGUSTINO if framework_name == "agustino" else EXAMPLE_FRAMEWORK
    columnar = _outcome(evidence_from_rows, table, framework, **options)
    assert columnar == _outcome(_scalar_evidence_from_rows, table, framework, **options)
    if lenient and columnar[0] != "error":
        assert len(columnar[0]) + len(columnar[1]) == len(table.rows)


def test_a_loaded_table_makes_evidence_only_when_read(tmp_path: Path) -> None:
    """load_evidence returns a table: its items are made on reading, equal to the rows."""
    path = tmp_path / "e.csv"
    path.write_text(
        "id;unit;indicator;rating;source;technique;weight;catatan\n"
        "E2;kota;kompetensi;Baik;s1;interview;1,5;x\n"
        "E1;kota;kompetensi;cukup baik;s2;interview;;\n",
        encoding="utf-8",
    )
    found = load_evidence(path, AGUSTINO)
    assert isinstance(found.items, EvidenceTable)
    first = found.items[0]
    assert (first.id, first.rating, first.weight, dict(first.extra)) == (
        "E2",
        "baik",
        1.5,
        {"catatan": "x"},
    )
    assert str(first.origin) == f"{path}: row 2"
    assert found.items.vocabulary("rating") == ("baik", "cukup_baik")


def test_a_unit_named_only_by_rejected_rows_is_not_a_unit(tmp_path: Path) -> None:
    """The vocabularies hold the values of the rows kept, so a rejected row adds no unit."""
    path = tmp_path / "e.csv"
    path.write_text(
        "id;unit;indicator;rating;source;technique\n"
        "E1;kota;kompetensi;baik;s1;interview\n"
        "E2;desa;kompetensi;bagus;s2;interview\n",
        encoding="utf-8",
    )
    found = load_evidence(path, AGUSTINO, lenient=True)
    assert found.units == ("kota",)
    assert found.items.vocabulary("source") == ("s1",)
    assert evaluate(AGUSTINO, found).units == ("kota",)


def test_the_golden_documents_are_the_same_from_items_and_from_a_table() -> None:
    """Each golden case evaluated from Evidence objects and from their table gives the same bytes."""
    framework = load_framework(golden_cases.HERE / "data" / "framework_example.toml")
    items = golden_cases.example_evidence()
    units = sorted({item.unit for item in items} | {"desa-kosong"})
    for aggregators, min_share in itertools.product(
        golden_cases.AGGREGATOR_SETS.values(), (0.5, 0)
    ):
        scalar = evaluate(
            framework, items, aggregators=aggregators, units=units, min_share=min_share
        )
        columnar = evaluate(
            framework,
            EvidenceTable.from_items(items),
            aggregators=aggregators,
            units=units,
            min_share=min_share,
        )
        assert isinstance(columnar.evidence, EvidenceTable)
        assert columnar.to_json() == scalar.to_json()


def test_the_serang_example_is_the_same_from_items_and_from_its_table() -> None:
    """The Serang case loaded as a table and the same items as Evidence objects give equal JSON."""
    case = load_case(EXAMPLE)
    evidence = load_case_evidence(case)
    assert isinstance(evidence.items, EvidenceTable)
    as_objects = EvidenceSet(
        items=tuple(evidence.items), rejected=evidence.rejected, sources=dict(evidence.sources)
    )
    from policyeval.case import evaluate_case

    expected = (golden_cases.GOLDEN / "serang_2024.json").read_text(encoding="utf-8")
    assert evaluate_case(EXAMPLE).to_json() == expected
    rules = getattr(case, "rules", None)
    options = {"rules": rules} if rules is not None else {}
    assert (
        evaluate(case.framework, evidence, **options).to_json()
        == evaluate(case.framework, as_objects, **options).to_json()
    )


_UNITS = st.sampled_from(["a", "b", "c"])
_INDICATORS = st.sampled_from(["kompetensi", "komunikasi_publik", "integritas"])


@st.composite
def agustino_evidence(draw: st.DrawFn) -> list[Evidence]:
    drawn = draw(st.lists(st.tuples(_UNITS, _INDICATORS), max_size=10))
    items = []
    for number, (unit, indicator) in enumerate(drawn):
        # The test scale's level ids are Agustino's.
        item = draw(evidence_items(FOUR_LEVEL_SCALE, indicator=indicator, unit=unit))
        items.append(attrs.evolve(item, id=f"e{number}"))
    return items


def _third_party(evidence, scale):  # type: ignore[no-untyped-def]
    """A rule without an array form: the table path must hand it its items."""
    return source_triangulation(min_categories=1)(evidence, scale)


RULES = [
    "source",
    "technique",
    "cerqual",
    "agreement",
    "coder_agreement",
    technique_triangulation(within_source=True),
    time_triangulation(min_gap_days=30),
    time_triangulation(),
    investigator_triangulation(),
    all_of(source_triangulation(), agreement()),
    any_of(cerqual(), technique_triangulation(), _third_party),
    _third_party,
]


@settings(max_examples=80, deadline=None)
@given(agustino_evidence(), st.sampled_from(RULES))
def test_the_engine_gives_the_same_json_in_both_modes(items: list[Evidence], rule: Any) -> None:
    """Evaluating Evidence objects (the scalar path) and their table (the array path) gives
    identical judgements and byte-identical JSON."""
    scalar = evaluate(AGUSTINO, items, rules=rule)
    columnar = evaluate(AGUSTINO, EvidenceTable.from_items(items), rules=rule)
    assert isinstance(columnar.evidence, EvidenceTable)
    assert columnar.judgements == scalar.judgements
    assert columnar.to_json() == scalar.to_json()


@attrs.frozen
class _CitesStrangers:
    """A third-party rule whose array form cites an item it was not given."""

    def __call__(self, evidence, scale):  # type: ignore[no-untyped-def]
        return source_triangulation()(evidence, scale)

    def assess_groups(self, groups, scale):  # type: ignore[no-untyped-def]
        found = source_triangulation().assess_groups(groups, scale)
        return [attrs.evolve(found[0], evidence=("stranger",)), *found[1:]]


def test_a_third_party_array_form_is_held_to_the_rule_contract() -> None:
    """The engine checks what a third-party array form returns, naming the rule and the group."""
    items = [
        Evidence(
            id="e1",
            unit="a",
            indicator="kompetensi",
            rating="baik",
            source="s",
            technique="interview",
        )
    ]
    with pytest.raises(PluginContractError, match=r"cites evidence it was not given.*'stranger'"):
        evaluate(AGUSTINO, EvidenceTable.from_items(items), rules=_CitesStrangers())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_UNITS, _INDICATORS, st.sampled_from(["e1", "e10", "e2", "E2", "e1"])),
        max_size=12,
    ),
    st.booleans(),
)
def test_groups_hold_each_unit_and_indicator_in_id_order(
    cells: list[tuple[str, str, str]], as_bytes: bool
) -> None:
    """Groups follow (unit, indicator) order and, inside one, the ids as strings sort (repeated
    ids in row order), whether the ids are held as strings or as ASCII bytes."""
    items = [
        Evidence(id=i, unit=u, indicator=k, rating="baik", source="s", technique="t")
        for u, k, i in cells
    ]
    table = EvidenceTable.from_items(items)
    if as_bytes:
        table = EvidenceTable(
            ids=np.array([i.encode() for _, _, i in cells], dtype="S8"),
            codes={name: table.codes(name) for name in CODED_COLUMNS},
            vocabularies={name: table.vocabulary(name) for name in CODED_COLUMNS},
            value=table.values,
            weight=table.weights,
            inferred=table.inferred,
            rows=table.rows,
        )
    expected = sorted(
        range(len(cells)), key=lambda row: (cells[row][0], cells[row][1], cells[row][2])
    )
    found = table.groups()
    assert found.rows.tolist() == expected
    assert list(found.keys) == sorted({(u, k) for u, k, _ in cells})
    assert table.ids == tuple(i for _, _, i in cells)
    assert table.unique_ids() == (len({i for _, _, i in cells}) == len(cells))
