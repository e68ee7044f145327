"""Framework files: reading, writing, round trips, located problems, and the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from policyeval import framework_io
from policyeval.exceptions import FrameworkError, InvalidArgument
from policyeval.framework import AggregatorSpec, Edge, Framework, Node
from policyeval.framework_io import (
    check_framework_file,
    dumps_framework,
    framework_from_dict,
    framework_schema,
    framework_to_dict,
    load_framework,
    loads_framework,
    save_framework,
)
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale
from policyeval.testing._framework_strategies import frameworks

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "framework_example.toml"


@pytest.fixture
def example() -> Framework:
    return load_framework(EXAMPLE)


# --- reading ---------------------------------------------------------------------------------


def test_example_file_reads_every_part(example: Framework) -> None:
    """The documented example loads with its scales, DAG, weights, edges and free attributes."""
    assert example.id == "layanan_desa"
    assert example.source == str(EXAMPLE)
    assert example.languages == ("id", "en")
    assert example.root == "layanan"
    assert example.parents("kompetensi") == ("sumber_daya", "hasil")
    assert example.weight("layanan", "sumber_daya") == 2.0
    assert example.weight("hasil", "kepuasan") == 0.5
    assert example.aggregator_of("layanan") == AggregatorSpec("generalised", {"p": 2})
    assert example.node("kompetensi").attributes == {"instrument": "wawancara"}
    assert example.attributes == {"licence": "CC-BY-4.0"}
    pct = example.scales["realisasi_pct"]
    assert isinstance(pct, NumericScale)
    assert pct.levels is example.scales["baik4"]
    level = pct.level_for_value(58.4)
    assert level is not None and level.id == "kurang_baik"


def test_json_file_reads_the_same_framework(tmp_path: Path, example: Framework) -> None:
    """A JSON file with the same structure gives an equal framework."""
    target = tmp_path / "example.json"
    target.write_text(json.dumps(framework_to_dict(example)), encoding="utf-8")
    loaded = load_framework(target)
    assert loaded == example
    assert loaded.source == str(target)


def test_unsupported_suffix_names_the_file(tmp_path: Path) -> None:
    """Only .toml and .json files are read; the error names the file."""
    target = tmp_path / "fw.yaml"
    target.write_text("id: x\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"fw\.yaml: unsupported framework file suffix"):
        load_framework(target)


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """check_framework_file reports an unreadable file; load_framework raises FrameworkError."""
    target = tmp_path / "missing.toml"
    [problem] = check_framework_file(target)
    assert problem.file == str(target)
    assert "cannot read the file" in problem.message
    with pytest.raises(FrameworkError, match=r"missing\.toml"):
        load_framework(target)


def test_valid_file_has_no_problems() -> None:
    """A valid file checks clean."""
    assert check_framework_file(EXAMPLE) == []


def test_bands_shorthands(example: Framework) -> None:
    """Bands may be midpoints, equal width over a range, or explicit cuts."""
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'bands = { method = "midpoints", ties = "down" }',
        'bands = { method = "equal_width", low = 1, high = 4, ties = "up" }',
    )
    scale = loads_framework(text).scales["baik4"]
    assert isinstance(scale, OrdinalScale)
    assert scale.bands == Bands.equal_width(
        ("tidak_baik", "kurang_baik", "cukup_baik", "baik"), 1, 4, ties="up"
    )
    assert scale.level_for_score(1.75).id == "kurang_baik"
    four = example.scales["baik4"]
    assert isinstance(four, OrdinalScale)
    assert four.bands == Bands.midpoints(four.levels)


def test_numeric_equal_width_bands_use_the_scale_range(example: Framework) -> None:
    """Equal-width bands on a numeric scale default to its minimum and maximum."""
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "cuts = [50, 75, 90], levels", 'method = "equal_width", levels'
    )
    pct = loads_framework(text).scales["realisasi_pct"]
    assert pct.bands is not None
    assert pct.bands.cuts == (25.0, 50.0, 75.0)


# --- writing ---------------------------------------------------------------------------------


def test_canonical_toml_pins_parent_parents_weight_and_edges() -> None:
    """One parent is written `parent`, several `parents`; only explicit edges go to [[edges]]."""
    yn = OrdinalScale("yn", (Level("yes", 1, label={"en": "Yes"}),))
    fw = Framework.build(
        id="pin",
        scales=[yn],
        default_scale="yn",
        nodes=[
            Node("r", "root", label={"en": "R"}),
            Node("d", "dimension", label={"en": "D"}, parents=("r",), weight=2.5),
            Node("i", "indicator", label={"en": 'Say "hi"'}, parents=("r", "d")),
            Node("j", "indicator", label={"en": "J"}),
        ],
        edges=[Edge("d", "j", 0.5)],
    )
    assert dumps_framework(fw) == (
        'schema = "policyeval.framework/1"\n'
        "\n"
        "[framework]\n"
        'id = "pin"\n'
        'default_language = "en"\n'
        'languages = ["en"]\n'
        'default_scale = "yn"\n'
        "\n"
        "[[scales]]\n"
        'id = "yn"\n'
        'kind = "ordinal"\n'
        "\n"
        "[[scales.levels]]\n"
        'id = "yes"\n'
        "score = 1\n"
        'label = { en = "Yes" }\n'
        "\n"
        "[[nodes]]\n"
        'id = "r"\n'
        'kind = "root"\n'
        'label = { en = "R" }\n'
        "\n"
        "[[nodes]]\n"
        'id = "d"\n'
        'kind = "dimension"\n'
        'label = { en = "D" }\n'
        'parent = "r"\n'
        "weight = 2.5\n"
        "\n"
        "[[nodes]]\n"
        'id = "i"\n'
        'kind = "indicator"\n'
        'label = { en = "Say \\"hi\\"" }\n'
        'parents = ["r", "d"]\n'
        "\n"
        "[[nodes]]\n"
        'id = "j"\n'
        'kind = "indicator"\n'
        'label = { en = "J" }\n'
        "\n"
        "[[edges]]\n"
        'parent = "d"\n'
        'child = "j"\n'
        "weight = 0.5\n"
    )


def test_json_output_is_indented_utf8_with_a_final_newline(example: Framework) -> None:
    """JSON is indented by two spaces, keeps non-ASCII text as is, and ends with a newline."""
    text = dumps_framework(example, format="json")
    assert text.endswith("}\n")
    assert '\n  "framework": {\n    "id": "layanan_desa"' in text
    assert json.loads(text) == framework_to_dict(example)


def test_scale_order_does_not_change_the_output(example: Framework) -> None:
    """Equal frameworks give byte-identical text, whatever order their scales were given in."""
    reordered = Framework.build(
        id=example.id,
        nodes=list(example),
        edges=[Edge("hasil", "kepuasan", 0.5)],
        scales=list(reversed(example.scales.values())),
        title=example.title,
        description=example.description,
        languages=example.languages,
        default_scale=example.default_scale,
        version=example.version,
        citation=example.citation,
        references=example.references,
        attributes=example.attributes,
    )
    assert reordered == example
    assert dumps_framework(reordered) == dumps_framework(example)


def test_save_framework_chooses_the_format_by_suffix(tmp_path: Path, example: Framework) -> None:
    """save_framework writes TOML or JSON by suffix and refuses any other suffix."""
    save_framework(example, tmp_path / "a.toml")
    save_framework(example, tmp_path / "a.json")
    assert (tmp_path / "a.toml").read_text(encoding="utf-8") == dumps_framework(example)
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["schema"] == (
        "policyeval.framework/1"
    )
    with pytest.raises(InvalidArgument, match=r"path=.*a\.yaml"):
        save_framework(example, tmp_path / "a.yaml")


def test_bad_format_argument_is_named() -> None:
    """An unknown format is refused as format=value."""
    with pytest.raises(InvalidArgument, match="format='yaml'"):
        loads_framework("", format="yaml")  # type: ignore[arg-type]


def test_bands_that_no_shorthand_gives_are_written_in_full() -> None:
    """Bands whose cuts differ from what their method would compute are written out in full."""
    levels = (Level("lo", 0, label={"en": "Lo"}), Level("hi", 10, label={"en": "Hi"}))
    odd = Bands((7.0,), ("lo", "hi"), method="midpoints")
    scale = OrdinalScale("s", levels, bands=odd)
    fw = Framework.build(
        id="odd",
        scales=[scale],
        default_scale="s",
        nodes=[
            Node("r", "root", label={"en": "R"}),
            Node("i", "indicator", label={"en": "I"}, parents=("r",)),
        ],
    )
    assert framework_to_dict(fw)["scales"][0]["bands"] == {
        "method": "midpoints",
        "cuts": [7],
        "levels": ["lo", "hi"],
    }
    assert loads_framework(dumps_framework(fw)) == fw


@settings(max_examples=60, deadline=None)
@given(frameworks())
def test_toml_round_trip(fw: Framework) -> None:
    """Any valid framework survives TOML: load(dump(fw)) == fw, and dumping again is identical."""
    text = dumps_framework(fw)
    back = loads_framework(text)
    assert back == fw
    assert dumps_framework(back) == text


@settings(max_examples=60, deadline=None)
@given(frameworks())
def test_json_round_trip(fw: Framework) -> None:
    """Any valid framework survives JSON the same way."""
    text = dumps_framework(fw, format="json")
    back = loads_framework(text, format="json")
    assert back == fw
    assert dumps_framework(back, format="json") == text


@settings(max_examples=30, deadline=None)
@given(frameworks(max_depth=2))
def test_dict_round_trip_and_determinism(fw: Framework) -> None:
    """The canonical structure rebuilds the framework, and dumping twice gives the same bytes."""
    assert framework_from_dict(framework_to_dict(fw)) == fw
    assert dumps_framework(fw) == dumps_framework(fw)


# --- located problems ----------------------------------------------------------------------


def test_toml_parse_error_has_line_and_column(tmp_path: Path) -> None:
    """A TOML syntax error is reported with its file, line and column."""
    target = tmp_path / "bad.toml"
    target.write_text('[framework]\nid = "x"\nweight = = 2\n', encoding="utf-8")
    [problem] = check_framework_file(target)
    assert (problem.file, problem.line) == (str(target), 3)
    assert problem.message.startswith("invalid TOML: ")
    assert "(column 10)" in problem.message


def test_json_parse_error_has_line_and_column() -> None:
    """A JSON syntax error is reported with its line and column."""
    with pytest.raises(FrameworkError) as caught:
        loads_framework('{\n  "framework": {"id": "x",}\n}', format="json", source="x.json")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("x.json", 2)
    assert problem.message.startswith("invalid JSON: ")


def test_json_problems_are_located_by_line() -> None:
    """Problems in a JSON file point at the line of the offending key."""
    text = (
        '{"framework": {"id": "x", "default_scale": "yn"},\n'
        ' "scales": [{"id": "yn", "kind": "ordinal",\n'
        '             "levels": [{"id": "y", "score": 1, "label": {"en": "Y"}}]}],\n'
        ' "nodes": [\n'
        '  {"id": "r", "kind": "root", "label": {"en": "R"}},\n'
        '  {"id": "i", "kind": "indicator", "label": {"en": "I"},\n'
        '   "parent": "r",\n'
        '   "weight": -1}\n'
        " ]}\n"
    )
    with pytest.raises(FrameworkError) as caught:
        loads_framework(text, format="json", source="x.json")
    assert str(caught.value) == ("x.json:8: nodes[1].weight: must be a number >= 0 (got -1)")


def test_inline_arrays_are_located_by_element() -> None:
    """In a multi-line inline array, a problem points at the element's own line."""
    text = (
        '[framework]\nid = "x"\ndefault_scale = "yn"\n'
        "[[scales]]\n"
        'id = "yn"\nkind = "ordinal"\n'
        "levels = [\n"
        '  { id = "y", score = 1, label = { en = "Y" } },\n'
        '  { id = "n", score = 0, label = { id = "T" } },\n'
        "]\n"
        '[[nodes]]\nid = "r"\nkind = "root"\nlabel = { en = "R" }\n'
        '[[nodes]]\nid = "i"\nkind = "indicator"\nlabel = { en = "I" }\n'
        'parents = [\n  "r",\n  "q",\n]\n'
    )
    with pytest.raises(FrameworkError) as caught:
        loads_framework(text, source="a.toml")
    assert [str(p) for p in caught.value.problems] == [
        "a.toml:9: scales[0].levels[1].label: level 'n' has no label in the default language 'en'",
        "a.toml:21: nodes[1].parents[1]: dangling edge: node 'i' names an unknown parent (got 'q')",
    ]


def test_problems_come_in_file_order(tmp_path: Path) -> None:
    """check_framework_file sorts problems by line, so they read top to bottom."""
    target = tmp_path / "fw.toml"
    target.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        .replace("weight = 0.5", "weight = -0.5")
        .replace('version = "1.0"', "version = 1.0"),
        encoding="utf-8",
    )
    problems = check_framework_file(target)
    lines = [p.line for p in problems]
    assert lines == sorted(lines)  # type: ignore[type-var]
    assert [p.key for p in problems] == ["framework.version", "edges[0].weight"]


# --- the JSON Schema -------------------------------------------------------------------------


def test_schema_is_draft_2020_12_json() -> None:
    """The shipped schema is JSON Schema draft 2020-12 pinning the format version."""
    schema = framework_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema"]["const"] == framework_io.SCHEMA_ID
    text = (Path(framework_io.__file__).parent / "schema" / "framework.schema.json").read_text(
        encoding="utf-8"
    )
    assert json.loads(text) == schema


@settings(max_examples=40, deadline=None)
@given(frameworks(max_depth=3))
def test_written_files_follow_the_schema(fw: Framework) -> None:
    """Every written framework has only the keys, types and constants the schema allows."""
    import jsonschema

    jsonschema.validate(json.loads(dumps_framework(fw, format="json")), framework_schema())


def test_written_files_validate_with_jsonschema(example: Framework) -> None:
    """jsonschema accepts the schema and written files."""
    import jsonschema

    schema = framework_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(dumps_framework(example, format="json")), schema)
