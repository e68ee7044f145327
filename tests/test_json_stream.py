"""Result JSON is written unit by unit: the same bytes as before, a compact form, cheap provenance."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import golden_cases
from policyeval import evaluate
from policyeval._json import Lines, Stream, dumps, jsonable, write
from policyeval.case import evaluate_case
from policyeval.cli import main
from policyeval.evidence import Evidence
from policyeval.framework_io import load_framework
from policyeval.results import EvidenceIds

SERANG = golden_cases.ROOT / "examples" / "serang_2024"


def reference(document: Any, *, compact: bool = False) -> str:
    """What the standard library writes for the document read as plain JSON types."""
    plain = jsonable(document)
    if compact:
        return json.dumps(plain, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"
    return json.dumps(plain, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.dictionaries(st.integers(-5, 5), inner, max_size=3)
    ),
    max_leaves=20,
)


@given(values)
def test_the_readable_layout_is_what_json_dumps_writes_with_indent_2(value: Any) -> None:
    """Any document of mappings, sequences and scalars (non-finite floats, control characters,
    integer keys included) is written byte for byte as json.dumps(indent=2) writes it."""
    assert dumps(value) == reference(value)


@given(values)
def test_the_compact_layout_is_the_same_document_without_white_space(value: Any) -> None:
    """The compact form is json.dumps with the tightest separators, and reads back equal."""
    assert dumps(value, compact=True) == reference(value, compact=True)


@given(st.dictionaries(st.text(max_size=4), values, max_size=4))
def test_a_stream_is_written_like_the_mapping_it_makes(members: dict[str, Any]) -> None:
    """A Stream's members are made while writing and give the bytes of the equivalent dict."""
    members = jsonable(members)  # a stream carries JSON-ready values
    document = {"before": 1, "units": Stream(lambda: iter(members.items())), "after": []}
    plain = {"before": 1, "units": members, "after": []}
    for compact in (False, True):
        out = io.StringIO()
        write(document, out, compact=compact)
        assert out.getvalue() == reference(plain, compact=compact)


@pytest.mark.parametrize("name", sorted(golden_cases.documents()))
def test_result_documents_match_the_standard_library_encoder(name: str) -> None:
    """Every golden document is what json.dumps(indent=2) writes for to_dict(), except that each
    node is one line (json.dumps with ", " and ": "), and the compact form is the same document."""
    if name == "serang_2024.json":
        result: Any = evaluate_case(SERANG)
    else:
        framework = load_framework(golden_cases.HERE / "data" / "framework_example.toml")
        items = golden_cases.example_evidence()
        _, aggregators_name, share = name.removesuffix(".json").split("_")
        result = evaluate(
            framework,
            items,
            aggregators=golden_cases.AGGREGATOR_SETS[aggregators_name],
            units=sorted({item.unit for item in items} | {"desa-kosong"}),
            min_share=float(share),
        )
    document = result.to_dict()
    assert result.to_json() == node_lines(document)
    assert result.to_json(compact=True) == reference(document, compact=True)
    assert json.loads(result.to_json(compact=True)) == json.loads(result.to_json())
    out = io.StringIO()
    result.write_json(out)
    assert out.getvalue() == result.to_json()


def node_lines(document: Any) -> str:
    """json.dumps(indent=2) of ``document``, with each unit's nodes written one per line."""
    plain = jsonable(document)
    marker = "\u0000node-{}-{}\u0000"
    lines = {}
    for unit_index, unit in enumerate(plain["units"].values()):
        for node_index, (node, written) in enumerate(list(unit["nodes"].items())):
            key = marker.format(unit_index, node_index)
            lines[json.dumps(key)] = json.dumps(written, ensure_ascii=False, allow_nan=False)
            unit["nodes"][node] = key
    text = json.dumps(plain, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    for key, line in lines.items():
        text = text.replace(key, line)
    return text


@given(st.dictionaries(st.text(max_size=4), values, max_size=4))
def test_lines_members_are_each_written_on_one_line(members: dict[str, Any]) -> None:
    """A Lines object's members are each one line of json.dumps with ", " and ": "; the compact
    layout writes it as the plain object."""
    members = jsonable(members)
    text = dumps({"nodes": Lines(members)})
    assert json.loads(text) == {"nodes": members}
    if members:
        inner = text.split("\n")[2:-3]
        assert inner == [
            "    "
            + json.dumps(key, ensure_ascii=False)
            + ": "
            + json.dumps(value, ensure_ascii=False, allow_nan=False)
            + ("," if index < len(members) - 1 else "")
            for index, (key, value) in enumerate(members.items())
        ]
    assert dumps({"nodes": Lines(members)}, compact=True) == reference(
        {"nodes": members}, compact=True
    )


def chain_evaluation() -> Any:
    """A five-deep chain above two indicators, one unit, three evidence rows."""
    from policyeval.framework import Framework, Node
    from policyeval.scales import Level, OrdinalScale

    scale = OrdinalScale(
        "yn", (Level("no", 0, label={"en": "No"}), Level("yes", 1, label={"en": "Yes"}))
    )
    nodes = [Node("n0", "root", label={"en": "N0"})]
    nodes += [
        Node(f"n{d}", "dimension", label={"en": f"N{d}"}, parents=(f"n{d - 1}",))
        for d in range(1, 5)
    ]
    nodes += [Node(name, "indicator", label={"en": name.upper()}, parents=("n4",)) for name in "ab"]
    framework = Framework.build(id="chain", nodes=nodes, scales=[scale], default_scale="yn")
    items = [
        Evidence(
            id=f"E{n}",
            unit="u",
            indicator=indicator,
            rating="yes",
            source=f"s{n}",
            technique="interview",
        )
        for n, indicator in ((3, "a"), (1, "b"), (2, "a"))
    ]
    return evaluate(framework, items, min_share=0)


def test_inner_nodes_derive_their_evidence_ids_from_their_children() -> None:
    """An inner node keeps references to its children's ids, reads as their sorted union, and
    writing the document does not store the unions in the evaluation."""
    evaluation = chain_evaluation()
    inner = [evaluation.judgement("u", f"n{d}").evidence for d in range(5)]
    assert all(isinstance(ids, EvidenceIds) for ids in inner)
    evaluation.write_json(io.StringIO())
    assert all(ids._ids is None for ids in inner)
    document = json.loads(evaluation.to_json())["units"]["u"]["nodes"]
    # The document lists ids at indicators only; an inner node names its children.
    assert all("evidence" not in document[f"n{d}"] for d in range(5))
    assert document["n4"]["aggregation"]["children"] == ["a", "b"]
    assert (document["a"]["evidence"], document["b"]["evidence"]) == (["E2", "E3"], ["E1"])
    assert evaluation.judgement("u", "n0").evidence == ("E1", "E2", "E3")
    assert tuple(evaluation.judgement("u", "n0").evidence) == ("E1", "E2", "E3")


def test_evidence_ids_read_compare_and_pickle_as_the_tuple() -> None:
    """EvidenceIds behaves as the tuple of ids: equality, hash, repr, membership, pickling."""
    import pickle

    ids = EvidenceIds([("b", "a"), EvidenceIds([("c",), ("a",)]), ()])
    assert ids == ("a", "b", "c") and ids != ("a",)
    assert ("a", "b", "c") == ids  # noqa: SIM300 - the tuple on the left is the point
    assert hash(ids) == hash(("a", "b", "c")) and repr(ids) == "('a', 'b', 'c')"
    assert "c" in ids and list(ids[1:]) == ["b", "c"] and len(ids) == 3
    assert pickle.loads(pickle.dumps(ids)) == ids


def test_a_10000_deep_chain_of_evidence_ids_reads_without_recursion() -> None:
    """Reading the ids of the top of a 10,000-deep chain does not overflow the stack."""
    ids: Any = ("E1",)
    for _ in range(10_000):
        ids = EvidenceIds([ids, ()])
    assert tuple(ids) == ("E1",)


def test_evaluate_writes_compact_json_to_a_file_streamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``evaluate --format json --compact`` writes the readable document without white space,
    the same to a file (streamed) as to standard output."""
    assert main(["evaluate", str(SERANG), "--format", "json"]) == 0
    readable = capsys.readouterr().out
    assert main(["evaluate", str(SERANG), "--format", "json", "--compact"]) == 0
    compact = capsys.readouterr().out
    expected = json.dumps(json.loads(readable), ensure_ascii=False, separators=(",", ":"))
    assert compact == expected + "\n"
    assert (
        main(
            [
                "evaluate",
                str(SERANG),
                "--format",
                "json",
                "--compact",
                "-o",
                str(tmp_path / "c.json"),
            ]
        )
        == 0
    )
    assert (tmp_path / "c.json").read_text(encoding="utf-8") == compact
    assert main(["evaluate", str(SERANG), "--format", "json", "-o", str(tmp_path / "r.json")]) == 0
    assert (tmp_path / "r.json").read_text(encoding="utf-8") == readable


def test_compare_writes_compact_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``compare --format json --compact`` is the readable comparison without white space."""
    assert main(["compare", str(SERANG), "--format", "json"]) == 0
    readable = capsys.readouterr().out
    assert main(["compare", str(SERANG), "--format", "json", "--compact"]) == 0
    compact = capsys.readouterr().out
    assert compact.count("\n") == 1 and json.loads(compact) == json.loads(readable)


def test_non_finite_numbers_in_settings_are_written_as_text() -> None:
    """A setting holding infinity is written as the string "inf" in both layouts."""
    document = {"settings": {"p": math.inf}}
    assert json.loads(dumps(document))["settings"]["p"] == "inf"
    assert json.loads(dumps(document, compact=True))["settings"]["p"] == "inf"


def test_other_objects_are_written_as_their_repr_and_other_indents_use_the_standard_encoder() -> (
    None
):
    """An object JSON has no type for is written as its repr, in both layouts; an indent other
    than 2 goes through json.dumps with the same reading of the values."""
    from policyeval.results import dumps as result_dumps

    document = {"f": len, "t": (1, 2)}
    assert json.loads(dumps(document)) == {"f": "<built-in function len>", "t": [1, 2]}
    assert dumps(document, compact=True) == '{"f":"<built-in function len>","t":[1,2]}\n'
    expected = json.dumps(jsonable(document), ensure_ascii=False, indent=4) + "\n"
    assert result_dumps(document, indent=4) == expected
