"""Node entries written as text are byte for byte what the standard encoder writes for their dicts."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import golden_cases
from policyeval import evaluate, frameworks
from policyeval._json import Encoded, Lines, dumps
from policyeval._node_text import NodeText
from policyeval._rule_arrays import row_numbers
from policyeval.evidence import Evidence
from policyeval.evidence_table import EvidenceTable
from policyeval.framework_io import load_framework
from policyeval.protocols import Confidence, Status
from policyeval.results import Evaluation, node_document
from test_evidence_table import RULES, agustino_evidence

AGUSTINO = frameworks.load("agustino")


def dict_document(evaluation: Evaluation) -> dict[str, Any]:
    """The document as dicts made from each judgement (node_document), nodes one per line."""
    framework = evaluation.framework
    ranks = {node: evaluation.ranks(node) for node in framework.node_ids}
    units = {}
    for unit in evaluation.units:
        nodes = {}
        for node in framework.node_ids:
            judgement = evaluation.judgement(unit, node)
            evidence = judgement.evidence if framework.node(node).is_indicator else None
            written = judgement._as_dict(evidence, (ranks[node][unit],))
            child = evaluation._status_child(unit, node)
            if child is not None:
                written["status_from"] = child
            nodes[node] = written
        units[unit] = {"nodes": Lines(nodes)}
    return {**evaluation.to_dict(), "units": units}


def assert_written_as_dicts(evaluation: Evaluation) -> None:
    document = dict_document(evaluation)
    for compact in (False, True):
        assert evaluation.to_json(compact=compact) == dumps(document, compact=compact)


def test_the_golden_evaluations_are_written_as_their_judgements_dicts() -> None:
    """Every golden evaluation, from Evidence objects and from a table, writes each node as the
    standard encoder writes the judgement's dict, in both layouts."""
    framework = load_framework(golden_cases.HERE / "data" / "framework_example.toml")
    items = golden_cases.example_evidence()
    units = sorted({item.unit for item in items} | {"desa-kosong"})
    for aggregators in golden_cases.AGGREGATOR_SETS.values():
        for evidence in (items, EvidenceTable.from_items(items)):
            assert_written_as_dicts(
                evaluate(framework, evidence, aggregators=aggregators, units=units, min_share=0)
            )


@settings(max_examples=60, deadline=None)
@given(agustino_evidence(), st.sampled_from(RULES))
def test_random_evaluations_are_written_as_their_judgements_dicts(
    items: list[Evidence], rule: Any
) -> None:
    """Whatever the rule and the evidence, both modes write what the judgements' dicts give."""
    assert_written_as_dicts(evaluate(AGUSTINO, items, rules=rule))
    assert_written_as_dicts(evaluate(AGUSTINO, EvidenceTable.from_items(items), rules=rule))


@settings(max_examples=40, deadline=None)
@given(agustino_evidence(), st.lists(st.text(min_size=1, max_size=4), min_size=10, unique=True))
def test_ids_that_need_escaping_are_written_as_the_encoder_writes_them(
    items: list[Evidence], ids: list[str]
) -> None:
    """Evidence ids with quotes, backslashes, control or non-ASCII characters are escaped as the
    standard encoder escapes them, and both modes agree."""
    items = [attrs.evolve(item, id=ids[number]) for number, item in enumerate(items)]
    scalar = evaluate(AGUSTINO, items)
    columnar = evaluate(AGUSTINO, EvidenceTable.from_items(items))
    assert_written_as_dicts(columnar)
    assert columnar.to_json(compact=True) == scalar.to_json(compact=True)


texts = st.text(max_size=6)
numbers = (
    st.none()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(-50, 50)
    | st.sampled_from([0, 1, 0.0, 1.0, -0.0, True, 2.6000000000000005])
)
words = st.lists(texts, max_size=3).map(tuple)
odd_lists = st.lists(texts | st.integers(0, 3) | st.none(), max_size=3).map(tuple)


@st.composite
def node_fields(draw: st.DrawFn) -> dict[str, Any]:
    assessment = draw(
        st.none()
        | st.builds(
            types.SimpleNamespace,
            rule=texts,
            agreement=numbers,
            agreeing=words,
            sources=words | odd_lists,
            source_categories=words,
            techniques=odd_lists,
            dates=words,
            investigators=words,
            concerns=words,
        )
    )
    children = draw(st.lists(texts, max_size=3).map(tuple))
    return {
        "kind": draw(texts),
        "level": draw(st.none() | texts),
        "score": draw(numbers),
        "rank": draw(st.just(()) | st.tuples(st.none() | st.integers(0, 10**6))),
        "confidence": draw(st.none() | st.sampled_from(Confidence)),
        "status": draw(st.sampled_from(Status)),
        "evidence": draw(st.none() | words | odd_lists),
        "explanation": draw(st.text(max_size=20)),
        "value": draw(numbers),
        "assessment": assessment,
        "children": children,
        "weights": draw(st.lists(numbers, min_size=len(children), max_size=len(children))),
        "aggregator": draw(st.none() | texts),
        "share_present": draw(numbers),
    }


@given(node_fields(), st.none() | texts)
def test_a_node_is_the_text_of_its_dict(fields: dict[str, Any], status_from: str | None) -> None:
    """NodeText.node gives what the standard encoder gives for node_document's dict, in both
    layouts: odd numbers (ints, -0.0, float noise), escapes, lists that are not of strings."""
    expected = node_document(**fields)
    if status_from is not None:
        expected["status_from"] = status_from
    compact = json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    readable = json.dumps(expected, ensure_ascii=False)
    for _ in range(2):  # the second time from the caches, which every example shares
        assert SHARED[True].node(**fields, status_from=status_from) == compact
        assert SHARED[False].node(**fields, status_from=status_from) == readable


# One encoder per layout for every example: what one example cached must not leak into another
# (1 and 1.0 are equal keys, written differently).
SHARED = {True: NodeText(compact=True), False: NodeText(compact=False)}


@given(st.dictionaries(st.text(max_size=4), st.lists(st.integers(), max_size=3), max_size=4))
def test_encoded_members_are_written_like_lines(members: dict[str, list[int]]) -> None:
    """An Encoded object is written as the Lines object of the same values, in both layouts."""
    encoded = Encoded(
        lambda compact: [
            (
                json.dumps(key, ensure_ascii=False),
                json.dumps(value, separators=(",", ":") if compact else None),
            )
            for key, value in members.items()
        ]
    )
    for compact in (False, True):
        assert dumps({"nodes": encoded}, compact=compact) == dumps(
            {"nodes": Lines(members)}, compact=compact
        )
    assert json.loads(dumps({"nodes": encoded})) == {"nodes": members}


@given(
    st.lists(
        st.tuples(st.integers(-3, 3), st.integers(-(2**62), 2**62), st.integers(0, 1)),
        max_size=30,
    )
)
def test_row_numbers_are_equal_exactly_for_equal_rows_in_sorted_order(
    rows: list[tuple[int, int, int]],
) -> None:
    """Rows get the same number exactly when they are equal, numbered in sorted order from 0."""
    table = np.array(rows, dtype=np.int64).reshape(len(rows), 3)
    numbers = row_numbers(list(table.T), len(rows)).tolist()
    distinct = sorted(set(rows))
    assert numbers == [distinct.index(row) for row in rows]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 5),
    st.lists(st.tuples(st.integers(0, 5), st.integers(-1, 4), st.booleans()), max_size=40),
)
def test_each_groups_distinct_values_are_found_either_way(
    groups: int, width: int, rows: list[tuple[int, int, int]]
) -> None:
    """A group's distinct values among the chosen rows (empty cells left out), in vocabulary
    order: the same whether they are marked in a groups x values table or sorted."""
    from policyeval import _rule_arrays

    names = [f"v{code}" for code in range(width)]
    group_of_row = np.array([group % groups for group, _, _ in rows], dtype=np.int64)
    codes = np.array([min(code, width - 1) for _, code, _ in rows], dtype=np.int64)
    chosen = np.array([keep for _, _, keep in rows], dtype=np.bool_)
    expected = [
        tuple(
            names[code]
            for code in sorted(
                {
                    int(codes[row])
                    for row in range(len(rows))
                    if chosen[row] and codes[row] >= 0 and group_of_row[row] == group
                }
            )
        )
        for group in range(groups)
    ]
    for sparse in (_rule_arrays._SPARSE, -(10**9)):  # the table, then sorting
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_rule_arrays, "_SPARSE", sparse)
            found = _rule_arrays._Distinct(chosen, codes, names, group_of_row, groups)
            assert [found.of(group) for group in range(groups)] == expected
            assert found.counts.tolist() == [len(values) for values in expected]


def test_groups_told_apart_by_their_tuples_are_written_the_same(monkeypatch: Any) -> None:
    """When a groups x values table would be mostly empty, groups are told apart by their
    tuples of values instead: the document is the same."""
    from policyeval import _rule_arrays

    framework = load_framework(golden_cases.HERE / "data" / "framework_example.toml")
    table = EvidenceTable.from_items(golden_cases.example_evidence())
    expected = evaluate(framework, table, min_share=0).to_json(compact=True)
    monkeypatch.setattr(_rule_arrays, "_SPARSE", -(10**9))
    assert evaluate(framework, table, min_share=0).to_json(compact=True) == expected


def test_evaluations_with_data_tables_are_written_as_their_judgements_dicts() -> None:
    """Scores from a data table (measured, with values) and rated items on numeric scales, from
    Evidence objects and from a table, and the ASEM case's evaluation: the judgements' dicts."""
    from policyeval.case import evaluate_case
    from test_measured import DATA, EXAMPLE, SCORERS, _framework, _rated

    items = [_rated(unit, 50.0) for unit in DATA]
    for evidence in (items, EvidenceTable.from_items(items)):
        assert_written_as_dicts(
            evaluate(_framework(), evidence, data=DATA, scorers=SCORERS, min_share=0)
        )
    assert_written_as_dicts(evaluate_case(EXAMPLE).evaluation)


@pytest.mark.parametrize("example", ["serang_2024", "asem_coinr"])
def test_a_case_document_written_as_text_is_its_dict_encoded(example: str) -> None:
    """A case's nodes gain their reported verdict and agreement (Serang) or strict ranks (ASEM)
    on the text path: the compact bytes are those of the document read back as dicts and
    encoded, and the readable form holds the same document."""
    from policyeval._json import dumps
    from policyeval.case import evaluate_case

    result = evaluate_case(Path(__file__).resolve().parents[1] / "examples" / example)
    document = result.to_dict()
    assert result.to_json(compact=True) == dumps(document, compact=True)
    assert json.loads(result.to_json())["units"] == document["units"]
    nodes = next(iter(document["units"].values()))["nodes"]
    if example == "serang_2024":
        assert list(nodes["program"])[-2:] == ["reported", "agreement"]
    else:
        assert all(isinstance(entry["rank"], int) for entry in nodes.values())


@pytest.mark.parametrize("compact", [False, True])
def test_appended_members_are_encoded_as_a_dict_gets_them(compact: bool) -> None:
    """Members added after an entry's own are the keys a dict gains, encoded in its layout; equal
    values of other types (1, 1.0, True) keep their own texts although the texts are cached."""
    from policyeval._json import dumps

    encoder = NodeText(compact=compact)
    base = {"kind": "root", "level": None}
    text = dumps(base, compact=True).strip() if compact else '{"kind": "root", "level": null}'
    for value in (1, 1.0, True, "agrees", None, 1, True):
        added = encoder.appended(text, {"reported": value, "agreement": "differs"})
        expected = {**base, "reported": value, "agreement": "differs"}
        separators = (",", ":") if compact else (", ", ": ")
        assert added == json.dumps(expected, ensure_ascii=False, separators=separators)
