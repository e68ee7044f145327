"""DEXi models: reading, evaluating as DEXi does, frameworks and back."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval.cli import main
from policyeval.exceptions import InteropError, InvalidArgument
from policyeval.framework_io import dumps_framework, framework_from_dict, loads_framework
from policyeval.interop.dexi import (
    evaluate_dexi,
    evaluation_json,
    parse_value,
    read_dexi,
    reads_dexi,
    value_json,
)
from policyeval.interop.dexi_framework import dexi_to_framework, framework_to_dxi
from policyeval.registry import build_aggregator

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

DATA = Path(__file__).parent / "data" / "dexi"
CAR = read_dexi(DATA / "Car.dxi")
LINKED = read_dexi(DATA / "Linked.dxi")

CONTINUOUS = """<?xml version="1.0" encoding="UTF-8"?>
<DEXi>
 <NAME>cont</NAME>
 <ALTERNATIVE><NAME>low</NAME></ALTERNATIVE>
 <ALTERNATIVE><NAME>at_lower_bound</NAME></ALTERNATIVE>
 <ALTERNATIVE><NAME>at_upper_bound</NAME></ALTERNATIVE>
 <ALTERNATIVE><NAME>high</NAME></ALTERNATIVE>
 <ALTERNATIVE><NAME>unknown</NAME></ALTERNATIVE>
 <ATTRIBUTE>
  <NAME>Level</NAME>
  <SCALE>
   <SCALEVALUE><NAME>bad</NAME></SCALEVALUE>
   <SCALEVALUE><NAME>ok</NAME></SCALEVALUE>
   <SCALEVALUE><NAME>good</NAME></SCALEVALUE>
  </SCALE>
  <DISCRETIZE>
   <VALUE>0</VALUE>
   <BOUND Associate="Up">-1</BOUND>
   <VALUE>1</VALUE>
   <BOUND Associate="Down">1</BOUND>
   <VALUE>2</VALUE>
  </DISCRETIZE>
  <ATTRIBUTE>
   <NAME>Measure</NAME>
   <SCALE><CONTINUOUS/></SCALE>
   <ALTERNATIVE>-2</ALTERNATIVE>
   <ALTERNATIVE>-1</ALTERNATIVE>
   <ALTERNATIVE>1</ALTERNATIVE>
   <ALTERNATIVE>2.5</ALTERNATIVE>
   <ALTERNATIVE>undef</ALTERNATIVE>
  </ATTRIBUTE>
 </ATTRIBUTE>
</DEXi>
"""


def _names(model, row):  # type: ignore[no-untyped-def]
    return {a.id: value_json(a, row[a.id]) for a in model.attributes}


@pytest.mark.parametrize("model", [CAR, LINKED], ids=["Car", "Linked"])
def test_stored_alternatives_evaluate_to_the_values_dexi_stored(model) -> None:  # type: ignore[no-untyped-def]
    rows = evaluate_dexi(model)
    assert len(rows) == len(model.alternatives) > 0
    for alternative, row in zip(model.alternatives, rows, strict=True):
        assert row == dict(alternative.values), alternative.name


def test_car_alternatives_are_exc_and_good() -> None:
    data = evaluation_json(CAR)
    assert data["model"] == "CAR_MODEL"
    assert [(a["name"], a["values"]["CAR"]) for a in data["alternatives"]] == [
        ("Car1", "exc"),
        ("Car2", "good"),
    ]


def test_ids_are_made_unique_like_dexipy() -> None:
    assert [a.id for a in LINKED.attributes] == [
        "LinkedBoundsTest", "MIN", "A", "B", "MAX", "A_1", "B_1", "MID", "A_2", "B_2",
    ]  # fmt: skip


def test_a_star_input_spans_the_whole_scale_and_sets_give_the_union_of_rules() -> None:
    car1 = dict(CAR.alternatives[0].values, **{"BUY.PRICE": frozenset({0, 1, 2})})
    values = _names(CAR, evaluate_dexi(CAR, [car1])[0])
    assert values["PRICE"] == ["high", "low"]
    assert values["CAR"] == ["unacc", "exc"]


def test_a_set_input_gives_dexis_set_result() -> None:
    car2 = dict(CAR.alternatives[1].values, SAFETY=frozenset({1, 2}))
    values = _names(CAR, evaluate_dexi(CAR, [car2])[0])
    assert values["TECH.CHAR."] == ["good", "exc"]
    assert values["CAR"] == ["good", "exc"]


def test_an_undefined_input_counts_as_any_value_unless_told_otherwise() -> None:
    car2 = dict(CAR.alternatives[1].values, SAFETY=None)
    full = _names(CAR, evaluate_dexi(CAR, [car2])[0])
    assert full["SAFETY"] is None
    assert full["CAR"] == ["unacc", "good", "exc"]
    none = _names(CAR, evaluate_dexi(CAR, [car2], undefined="none")[0])
    assert none["TECH.CHAR."] is None and none["CAR"] is None


def test_distributions_are_evaluated_probabilistically() -> None:
    car1 = dict(CAR.alternatives[0].values, **{"BUY.PRICE": (0.5, 0.0, 0.5)})
    values = _names(CAR, evaluate_dexi(CAR, [car1])[0])
    # BUY.PRICE high -> PRICE high -> CAR unacc; BUY.PRICE low -> PRICE low -> CAR exc
    assert values["PRICE"] == {"high": 0.5, "low": 0.5}
    assert values["CAR"] == {"unacc": 0.5, "exc": 0.5}


def test_fuzzy_method_takes_min_and_max() -> None:
    car2 = dict(CAR.alternatives[1].values, SAFETY=(0.0, 0.2, 0.5))
    values = _names(CAR, evaluate_dexi(CAR, [car2], method="fuzzy")[0])
    assert values["CAR"] == {"good": 0.2, "exc": 0.5}


def test_a_linked_attribute_reads_the_value_of_the_attribute_it_stands_for() -> None:
    assert LINKED.attribute("A").link == "A_2"
    row = dict(LINKED.alternatives[0].values, A=2, A_1=2)  # copies: ignored
    assert evaluate_dexi(LINKED, [row])[0]["MAX"] == 0
    row = dict(LINKED.alternatives[0].values, A_2=2)  # the linked attribute
    result = evaluate_dexi(LINKED, [row])[0]
    assert (result["A"], result["A_1"], result["MAX"]) == (2, 2, 2)


def test_continuous_inputs_are_discretised_with_bound_association() -> None:
    model = reads_dexi(CONTINUOUS)
    data = evaluation_json(model)
    levels = {a["name"]: a["values"]["Level"] for a in data["alternatives"]}
    assert levels == {
        "low": "bad",
        "at_lower_bound": "ok",  # bound -1 belongs to the interval above (Up)
        "at_upper_bound": "ok",  # bound 1 belongs to the interval below (Down)
        "high": "good",
        "unknown": ["bad", "ok", "good"],
    }
    assert data["alternatives"][3]["values"]["Measure"] == 2.5
    assert evaluate_dexi(model, undefined="none")[4]["Level"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{0;2}", ["lo", "hi"]),
        ("0:1", ["lo", "mid"]),
        ("&lt;0.25;0;0.75&gt;", {"lo": 0.25, "hi": 0.75}),
        ("*", ["lo", "mid", "hi"]),
        ("undef", None),
        ("2", "hi"),
    ],
)
def test_dexi_suite_values_are_read(text: str, expected: object) -> None:
    model = reads_dexi(
        "<DEXi><ALTERNATIVE><NAME>a</NAME></ALTERNATIVE><ATTRIBUTE><NAME>x</NAME><SCALE>"
        + "".join(f"<SCALEVALUE><NAME>{n}</NAME></SCALEVALUE>" for n in ("lo", "mid", "hi"))
        + f"</SCALE><ALTERNATIVE>{text}</ALTERNATIVE></ATTRIBUTE></DEXi>"
    )
    x = model.attribute("x")
    assert value_json(x, model.alternatives[0].values["x"]) == expected


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["#PERS", "#DOORS", "LUGGAGE", "SAFETY", "BUY.PRICE"]), min_size=1),
    st.data(),
)
def test_a_set_input_evaluates_to_the_union_of_its_members(attribute_ids, data) -> None:  # type: ignore[no-untyped-def]
    """Law: evaluating a set equals the union of evaluating each of its members."""
    base = dict(CAR.alternatives[0].values)
    attribute_id = attribute_ids[0]
    size = len(CAR.attribute(attribute_id).scale)
    members = data.draw(st.sets(st.integers(0, size - 1), min_size=1))
    together = evaluate_dexi(CAR, [dict(base, **{attribute_id: frozenset(members)})])[0]["CAR"]
    union: set[int] = set()
    for member in members:
        single = evaluate_dexi(CAR, [dict(base, **{attribute_id: member})])[0]["CAR"]
        union |= {single} if isinstance(single, int) else set(single)  # type: ignore[arg-type]
    expected = next(iter(union)) if len(union) == 1 else frozenset(union)
    assert together == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=3, max_size=3).filter(lambda m: sum(m) > 0))
def test_probabilistic_results_sum_to_one(members: list[float]) -> None:
    """Law: a probabilistic result is a distribution (its memberships sum to 1)."""
    row = dict(CAR.alternatives[1].values, SAFETY=tuple(members))
    value = evaluate_dexi(CAR, [row])[0]["CAR"]
    total = sum(value) if isinstance(value, tuple) else 1.0
    assert math.isclose(total, 1.0)


def _framework_value(fw, node_id, inputs):  # type: ignore[no-untyped-def]
    children = fw.children(node_id)
    if not children:
        return inputs[node_id]
    scores = [_framework_value(fw, child, inputs) for child in children]
    return build_aggregator(fw.aggregator_of(node_id))(scores, [1.0] * len(scores))


@pytest.mark.parametrize("model", [CAR, LINKED], ids=["Car", "Linked"])
def test_the_imported_framework_computes_what_dexi_stored(model) -> None:  # type: ignore[no-untyped-def]
    fw = dexi_to_framework(model)
    root = model.roots[0].id
    for alternative in model.alternatives:
        inputs = {
            node.id: float(alternative.values[node.id] + 1)
            for node in fw
            if not fw.children(node.id)
        }
        assert _framework_value(fw, root, inputs) == alternative.values[root] + 1


def test_linked_attributes_become_one_shared_node() -> None:
    fw = dexi_to_framework(LINKED)
    assert fw.parents("A") == ("MIN", "MAX", "MID")
    assert "A_1" not in fw and "A_2" not in fw
    assert len(fw.indicators) == 2


@pytest.mark.parametrize("model", [CAR, LINKED], ids=["Car", "Linked"])
def test_framework_and_dxi_round_trips(model) -> None:  # type: ignore[no-untyped-def]
    fw = dexi_to_framework(model)
    assert loads_framework(dumps_framework(fw)) == fw
    again = reads_dexi(framework_to_dxi(fw))

    def shape(m):  # type: ignore[no-untyped-def]
        return [(a.id, a.name, a.inputs, a.scale, a.groups, a.table, a.link) for a in m.attributes]

    assert shape(again) == shape(model)


def test_interval_rules_survive_the_round_trip() -> None:
    text = (DATA / "Car.dxi").read_text(encoding="utf-8")
    text = text.replace("<LOW>000012022</LOW>", "<LOW>000012022</LOW><HIGH>000012122</HIGH>")
    model = reads_dexi(text)
    assert model.attribute("PRICE").table[6] == frozenset({0, 1})  # type: ignore[index]
    assert reads_dexi(framework_to_dxi(dexi_to_framework(model))).attribute("PRICE").table == (
        model.attribute("PRICE").table
    )


def test_a_framework_that_does_not_fit_dex_is_refused() -> None:
    fw = framework_from_dict(
        {
            "framework": {"id": "f", "default_scale": "s"},
            "scales": [
                {
                    "id": "s",
                    "kind": "ordinal",
                    "levels": [{"id": "a", "score": 1, "label": {"en": "A"}}],
                }
            ],
            "nodes": [
                {"id": "r", "kind": "root", "label": {"en": "R"}, "aggregator": "mean"},
                {"id": "i", "kind": "indicator", "label": {"en": "I"}, "parent": "r"},
            ],
        }
    )
    with pytest.raises(InteropError, match="node 'r': DEXi needs a decision_table"):
        framework_to_dxi(fw)


_SCALE_AB = (
    "<SCALE><SCALEVALUE><NAME>a</NAME></SCALEVALUE><SCALEVALUE><NAME>b</NAME></SCALEVALUE></SCALE>"
)
_SCALE_AA = _SCALE_AB.replace(">b<", ">a<")
_CONTINUOUS = "<SCALE><CONTINUOUS/></SCALE>"


def _model(parent_scale: str, parent_body: str, child_scale: str) -> str:
    """A model whose attribute x, with ``parent_body``, has one input y."""
    return (
        f"<DEXi><ATTRIBUTE><NAME>x</NAME>{parent_scale}{parent_body}"
        f"<ATTRIBUTE><NAME>y</NAME>{child_scale}</ATTRIBUTE></ATTRIBUTE></DEXi>"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('<!DOCTYPE DEXi [<!ENTITY a "aaaa">]><DEXi>&a;</DEXi>', "DTD"),
        ('<!DOCTYPE DEXi SYSTEM "http://example.org/x.dtd"><DEXi/>', "DTD"),
        ("<DEXi><ATTRIBUTE>", "not well-formed"),
        ("<Model/>", "not a DEXi model"),
        ("<DEXi><ATTRIBUTE><NAME>x</NAME></ATTRIBUTE></DEXi>", "no scale"),
        (
            "<DEXi><ATTRIBUTE><NAME>x</NAME><SCALE><SCALEVALUE><NAME>a</NAME></SCALEVALUE>"
            "</SCALE><FUNCTION><LOW>00</LOW></FUNCTION><ATTRIBUTE><NAME>y</NAME><SCALE>"
            "<SCALEVALUE><NAME>a</NAME></SCALEVALUE></SCALE></ATTRIBUTE></ATTRIBUTE></DEXi>",
            "expected 1 rules",
        ),
        (_model(_SCALE_AA, "", _SCALE_AB), r"the scale repeats a value name: \['a', 'a'\]"),
        (
            _model(_SCALE_AB, "<FUNCTION><LOW>00</LOW></FUNCTION>", _CONTINUOUS),
            "ATTRIBUTE.0.: a decision table over a continuous input",
        ),
        (
            _model(_SCALE_AB, "<FUNCTION><LOW>05</LOW></FUNCTION>", _SCALE_AB),
            r"FUNCTION: rule 1 has value '55'",
        ),
        (
            _model(_SCALE_AB, "<TABLE><RULE>0</RULE></TABLE>", _SCALE_AB),
            r"TABLE: expected 2 rules, got 1",
        ),
        (
            _model(_SCALE_AB, "<TABLE><RULE>0</RULE><RULE>7</RULE></TABLE>", _SCALE_AB),
            r"TABLE.RULE\[1\]: value '7' is outside the scale \['a', 'b'\]",
        ),
        (
            _model(
                _SCALE_AB, "<DISCRETIZE><VALUE>0</VALUE><BOUND>1</BOUND></DISCRETIZE>", _SCALE_AB
            ),
            "DISCRETIZE needs exactly one continuous input",
        ),
        (
            _model(_SCALE_AB, "<DISCRETIZE><BOUND>one</BOUND></DISCRETIZE>", _CONTINUOUS),
            r"DISCRETIZE.BOUND\[0\]: not a number: 'one'",
        ),
        (
            _model(
                _SCALE_AB, "<DISCRETIZE><BOUND>2</BOUND><BOUND>1</BOUND></DISCRETIZE>", _CONTINUOUS
            ),
            r"DISCRETIZE: bounds must increase, got \[2.0, 1.0\]",
        ),
    ],
)
def test_bad_models_are_refused_with_the_file_named(text: str, message: str) -> None:
    with pytest.raises(InteropError, match=message) as caught:
        reads_dexi(text, file="bad.dxi")
    assert "bad.dxi" in str(caught.value)


def test_cli_evaluate_prints_byte_identical_json(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["dexi", "evaluate", str(DATA / "Car.dxi"), "--format", "json"]) == 0
    first = capsys.readouterr().out
    assert main(["dexi", "evaluate", str(DATA / "Car.dxi"), "--format", "json"]) == 0
    assert capsys.readouterr().out == first
    assert json.loads(first)["alternatives"][1]["values"]["CAR"] == "good"


def test_cli_import_writes_a_valid_framework(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "linked.toml"
    assert main(["import", "dexi", str(DATA / "Linked.dxi"), "-o", str(target)]) == 0
    assert main(["validate", str(target)]) == 0
    bad = tmp_path / "bad.dxi"
    bad.write_text("<DEXi><ATTRIBUTE>", encoding="utf-8")
    assert main(["import", "dexi", str(bad), "-o", str(tmp_path / "x.toml")]) == 2
    assert "bad.dxi" in capsys.readouterr().err
    assert not (tmp_path / "x.toml").exists()


def _yes_no(name: str, inner: str = "", options: str = "") -> str:
    scale = "<SCALE><SCALEVALUE><NAME>no</NAME></SCALEVALUE><SCALEVALUE><NAME>yes</NAME></SCALEVALUE></SCALE>"
    return f"<ATTRIBUTE><NAME>{name}</NAME>{scale}{inner}{options}</ATTRIBUTE>"


def _options(*values: int) -> str:
    return "".join(f"<OPTION>{v}</OPTION>" for v in values)


# X is an aggregate; Q's input X is a basic attribute linked to it
LINKED_AGGREGATE = (
    "<DEXi><NAME>shared</NAME><OPTION>both</OPTION><OPTION>one</OPTION>"
    "<SETTINGS><LINKING>True</LINKING></SETTINGS>"
    + _yes_no(
        "ROOT",
        "<FUNCTION><LOW>0001</LOW></FUNCTION>"
        + _yes_no("X", "<FUNCTION><LOW>0001</LOW></FUNCTION>" + _yes_no("a", "", _options(1, 0)) + _yes_no("b", "", _options(1, 1)), _options(1, 0))
        + _yes_no("Q", "<FUNCTION><LOW>0111</LOW></FUNCTION>" + _yes_no("X", "", _options(1, 0)) + _yes_no("c", "", _options(0, 1)), _options(1, 1)),
        _options(1, 0),
    )
    + "</DEXi>"
)  # fmt: skip


def test_a_basic_attribute_linked_to_an_aggregate_takes_its_computed_value() -> None:
    model = reads_dexi(LINKED_AGGREGATE)
    assert model.attribute("X_1").link == "X"
    rows = evaluate_dexi(model)
    assert [row["ROOT"] for row in rows] == [1, 0]
    row = dict(model.alternatives[1].values, a=1)  # X becomes yes, and so does its link
    assert evaluate_dexi(model, [row])[0]["X_1"] == 1


def test_a_shared_aggregate_round_trips_as_one_full_attribute_and_a_link() -> None:
    model = reads_dexi(LINKED_AGGREGATE)
    fw = dexi_to_framework(model)
    assert fw.parents("X") == ("ROOT", "Q")
    assert fw.children("Q") == ("X", "c")
    again = reads_dexi(framework_to_dxi(fw))
    assert [(a.id, a.inputs, a.link, a.table) for a in again.attributes] == [
        (a.id, a.inputs, a.link, a.table) for a in model.attributes
    ]


def test_export_refuses_names_that_dexi_would_link_by_mistake() -> None:
    fw = dexi_to_framework(LINKED)
    data = json.loads(dumps_framework(fw, format="json"))
    for node in data["nodes"]:
        if node["id"] == "MAX":
            node["label"] = {"en": "MIN"}
    with pytest.raises(InteropError, match="share the name 'MIN'"):
        framework_to_dxi(framework_from_dict(data))


@pytest.mark.parametrize("name", ["Car", "Linked"])
def test_the_engine_evaluates_the_imported_framework_to_dexis_values(
    name: str, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """Each stored alternative becomes a unit with one evidence row per basic attribute."""
    model = read_dexi(DATA / f"{name}.dxi")
    fw = dexi_to_framework(model)
    (tmp_path / "model.toml").write_text(dumps_framework(fw), encoding="utf-8")
    rows = ["id,unit,indicator,rating,source,technique"]
    for alternative in model.alternatives:
        for node in fw.indicators:
            level = model.attribute(node).scale[alternative.values[node]]  # type: ignore[index]
            rows.append(
                f"{alternative.name}-{node},u{alternative.name},{node},{level},model,documentation"
            )
    (tmp_path / "evidence.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    units = "".join(f'[[units]]\nid = "u{a.name}"\n' for a in model.alternatives)
    (tmp_path / "case.toml").write_text(
        f'schema = "policyeval.case/1"\n[case]\nid = "c"\nframework = "model.toml"\n{units}',
        encoding="utf-8",
    )
    assert main(["evaluate", str(tmp_path), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for alternative in model.alternatives:
        nodes = result["units"][f"u{alternative.name}"]["nodes"]
        for node in fw:
            expected = model.attribute(node.id).scale[alternative.values[node.id]]  # type: ignore[index]
            assert nodes[node.id]["level"] == expected, (alternative.name, node.id)


def test_a_continuous_input_becomes_a_numeric_indicator_read_by_interval_rules(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    model = reads_dexi(CONTINUOUS)
    fw = dexi_to_framework(model)
    assert fw.scale_of("Measure").kind == "numeric"  # type: ignore[union-attr]
    table = build_aggregator(fw.aggregator_of("Level"))
    # bound -1 belongs above (Up), bound 1 below (Down): as DEXi discretises
    for number, expected in [(-2.0, 1), (-1.0, 2), (0.0, 2), (1.0, 2), (1.5, 3), (1e300, 3)]:
        assert table([number], [1.0]) == expected, number
        assert model.attribute("Level").discretization(number) == expected - 1  # type: ignore[misc]
    assert loads_framework(dumps_framework(fw)) == fw
    with pytest.raises(InteropError, match="ordinal scale"):
        framework_to_dxi(fw)


def test_cli_evaluate_table_lists_each_alternative_with_its_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dexi evaluate` prints each alternative, then one aligned line per attribute and value."""
    assert main(["dexi", "evaluate", str(DATA / "Car.dxi")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Car1"
    assert lines[1] == '  CAR                      "exc"'
    second = lines.index("Car2")
    assert lines[second + 1] == '  CAR                      "good"'
    assert all(line.startswith("  ") for line in lines[1:second])


def test_cli_evaluate_a_broken_model_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model that cannot be read is a located error with exit 2, not a traceback."""
    bad = tmp_path / "broken.dxi"
    bad.write_text("<DEXi><ATTRIBUTE>", encoding="utf-8")
    assert main(["dexi", "evaluate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "broken.dxi" in err and "Traceback" not in err


def test_a_missing_model_file_is_refused_naming_it(tmp_path: Path) -> None:
    """read_dexi names the file it cannot read and the reason."""
    with pytest.raises(InteropError, match=r"missing\.dxi: file not found"):
        read_dexi(tmp_path / "missing.dxi")


def test_a_model_path_that_is_not_a_regular_file_is_refused_unread(tmp_path: Path) -> None:
    """A FIFO or a folder named as the model is refused without blocking on it."""
    fifo = tmp_path / "model.dxi"
    os.mkfifo(fifo)
    with pytest.raises(InteropError, match=r"model\.dxi: not a regular file") as caught:
        read_dexi(fifo)
    assert caught.value.problems[0].message_id == "file.not_regular"
    with pytest.raises(InteropError, match="not a regular file"):
        read_dexi(tmp_path)


def test_a_rule_value_that_is_not_an_index_is_refused_naming_the_value() -> None:
    """A rule written with fractions instead of scale indices names the value and the forms."""
    text = (
        "<DEXi><NAME>m</NAME><ATTRIBUTE><NAME>y</NAME><SCALE>"
        "<SCALEVALUE><NAME>lo</NAME></SCALEVALUE><SCALEVALUE><NAME>hi</NAME></SCALEVALUE>"
        "</SCALE><FUNCTION><LOW>0</LOW></FUNCTION>"
        "<ATTRIBUTE><NAME>x</NAME><SCALE><SCALEVALUE><NAME>a</NAME></SCALEVALUE></SCALE>"
        "</ATTRIBUTE></ATTRIBUTE></DEXi>"
    )
    for raw in ("{0.5;0.7}", "0:x", "1.5"):
        attribute = reads_dexi(text).attribute("y")
        with pytest.raises(ValueError, match=r"is not a scale index") as caught:
            parse_value(raw, attribute)
        assert repr(raw) in str(caught.value) and "int()" not in str(caught.value)


def test_evaluation_options_and_attribute_ids_are_checked() -> None:
    """An unknown method, undefined reading or attribute id is refused naming the value."""
    with pytest.raises(InvalidArgument, match="method must be 'prob' or 'fuzzy', got method='max'"):
        evaluate_dexi(CAR, method="max")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="undefined must be 'full' or 'none'"):
        evaluate_dexi(CAR, undefined="skip")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidArgument, match=r"unknown attribute attribute_id='VAN'; known: \['CAR'"
    ):
        CAR.attribute("VAN")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"<DEXi><ATTRIBUTE><NAME>x</NAME>{_SCALE_AB}</ATTRIBUTE>"
            f"<ATTRIBUTE><NAME>y</NAME>{_SCALE_AB}</ATTRIBUTE></DEXi>",
            r"m\.dxi: a framework has one root; the model has 2 top attributes \['x', 'y'\]",
        ),
        (
            _model(_SCALE_AB, "", _SCALE_AB),
            r"m\.dxi: attribute 'x': an aggregate attribute without a decision table",
        ),
    ],
)
def test_a_model_that_is_no_framework_is_refused_saying_why(text: str, message: str) -> None:
    """Several top attributes, or an aggregate without a decision table, cannot become a
    framework; the file and attribute are named."""
    with pytest.raises(InteropError, match=message):
        dexi_to_framework(reads_dexi(text, file="m.dxi"))


def test_a_descending_scale_scores_its_first_value_highest() -> None:
    """DEXi's ORDER DESC lists the best value first: it gets the highest level score."""
    descending = _SCALE_AB.replace("<SCALE>", "<SCALE><ORDER>DESC</ORDER>")
    model = reads_dexi(
        _model(descending, "<FUNCTION><LOW>01</LOW></FUNCTION>", _SCALE_AB), file="m.dxi"
    )
    framework = dexi_to_framework(model)
    top = framework.scales["x.scale"]
    assert {level.id: level.score for level in top.levels} == {"a": 2.0, "b": 1.0}
    inputs = framework.scales["y.scale"]
    assert {level.id: level.score for level in inputs.levels} == {"a": 1.0, "b": 2.0}
