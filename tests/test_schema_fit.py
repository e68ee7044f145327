"""The quick schema check: it says a document fits exactly when jsonschema finds no error, and
refuses schemas with keywords it does not know."""

from __future__ import annotations

import datetime
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import frameworks
from policyeval._schema_fit import UnsupportedSchema, fit_check
from policyeval.framework_io import framework_to_dict
from policyeval.schemas import _fits, _inlined, _validator, schema_problems
from test_schemas import _paths

ROOT = Path(__file__).resolve().parents[1]


def _toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text("utf-8"))


# --- the meaning of each keyword, as jsonschema gives it -----------------------------------------

AGREEMENT = [
    pytest.param({"type": "integer"}, [1, 1.0, -3], [1.5, True, "1", None], id="integer"),
    pytest.param({"type": "number"}, [1, 1.5, math.nan, math.inf], [True, "1", None], id="number"),
    pytest.param({"type": ["string", "boolean"]}, ["", True], [0, None, []], id="types"),
    pytest.param({"type": "object"}, [{}], [[], "x"], id="object"),
    pytest.param({"enum": [1, "a"]}, [1, 1.0, "a"], [True, "A", 2], id="enum"),
    pytest.param({"const": False}, [False], [0, 0.0, None], id="const-false"),
    pytest.param({"const": [1, {"a": True}]}, [[1.0, {"a": True}]], [[1, {"a": 1}]], id="const"),
    pytest.param({"minimum": 0, "maximum": 1}, [0, 1, 0.5, math.nan, "x"], [-1, 1.5], id="bounds"),
    pytest.param({"minLength": 1}, ["a", 3, []], [""], id="min-length"),
    pytest.param({"minItems": 1}, [[0], {}], [[]], id="min-items"),
    pytest.param({"minProperties": 1}, [{"a": 1}, []], [{}], id="min-properties"),
    pytest.param(
        {"uniqueItems": True},
        [[1, True], [0, False], [[1], [True]], ["a", "b"], [True], ["a", 1]],
        [[1, 1.0], [True, True], ["a", "a"], [{"a": 1}, {"a": 1.0}], [[1], [1]]],
        id="unique-items",
    ),
    pytest.param(
        {"required": ["a"], "properties": {"a": {"type": "string"}}, "additionalProperties": False},
        [{"a": "x"}, 3],
        [{}, {"a": 1}, {"a": "x", "b": 1}],
        id="object-keys",
    ),
    pytest.param(
        {"additionalProperties": {"type": "number"}}, [{"a": 1}], [{"a": "1"}], id="additional"
    ),
    pytest.param({"items": {"type": "string"}}, [["a"], [], "x"], [["a", 1]], id="items"),
    pytest.param({"anyOf": [{"type": "string"}, {"minimum": 2}]}, ["a", 3], [1], id="any-of"),
    pytest.param(
        {"oneOf": [{"type": "number"}, {"type": "integer"}]}, [1.5], [1, "a"], id="one-of"
    ),
    pytest.param({"allOf": [{"minimum": 0}, {"maximum": 1}]}, [0.5], [2], id="all-of"),
    pytest.param({"not": {"required": ["a", "b"]}}, [{"a": 1}], [{"a": 1, "b": 2}], id="not"),
    pytest.param(
        {"if": {"required": ["kind"]}, "then": {"required": ["levels"]}, "else": {"minItems": 9}},
        [{"kind": 1, "levels": 2}, {}],
        [{"kind": 1}],
        id="if-then-else",
    ),
    pytest.param({"then": {"type": "string"}}, [1], [], id="then-without-if"),
    pytest.param({"x-expected": "anything", "description": "d", "default": 3}, [1], [], id="notes"),
]


@pytest.mark.parametrize(("schema", "fitting", "failing"), AGREEMENT)
def test_each_keyword_means_what_jsonschema_means(
    schema: dict[str, Any], fitting: list[Any], failing: list[Any]
) -> None:
    """Each keyword accepts and refuses the same values as jsonschema's draft 2020-12."""
    import jsonschema

    fits = fit_check(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in fitting:
        assert validator.is_valid(value) and fits(value), value
    for value in failing:
        assert not validator.is_valid(value) and not fits(value), value


@pytest.mark.parametrize(
    "schema",
    [
        {"pattern": "^a"},
        {"type": "string", "format": "date"},
        {"exclusiveMinimum": 0},
        {"properties": {"a": {"$ref": "#/$defs/a"}}},
        {"$defs": {"a": {"items": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"},
        {"$ref": "other.json#/a"},
        {"prefixItems": [{"type": "string"}]},
        {"patternProperties": {"^a": {}}},
        {"type": "date"},
        {"$schema": "http://json-schema.org/draft-07/schema#"},
        {"anyOf": [{"dependentRequired": {"a": ["b"]}}]},
        ["not", "a", "schema"],
    ],
)
def test_an_unknown_keyword_is_refused(schema: Any) -> None:
    """A schema using anything the check does not know is refused, never half read."""
    with pytest.raises(UnsupportedSchema):
        fit_check(schema)


def test_the_shipped_schemas_are_fully_known() -> None:
    """Both shipped schemas compile into a quick check, so valid files skip jsonschema."""
    assert _fits("case") is not None
    assert _fits("framework") is not None


def test_without_a_quick_check_every_file_goes_through_jsonschema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should a schema use a keyword the check does not know, problems still come, from
    jsonschema: the check can refuse to answer, never answer wrongly."""
    import policyeval.schemas as schemas

    broken = {"case": "x", "evidence": {"lenent": True}}
    expected = schema_problems(broken, "case", file="case.toml")
    monkeypatch.setattr(schemas, "_fits", lambda kind: None)
    assert schema_problems(broken, "case", file="case.toml") == expected
    assert expected
    assert schema_problems({"schema": "policyeval.case/1"}, "case", file="case.toml") == []


# --- agreement with jsonschema on real documents and their near misses ---------------------------


def _documents() -> dict[str, list[dict[str, Any]]]:
    cases = [_toml(path) for path in sorted(ROOT.glob("examples/*/case.toml"))]
    framework_files = [
        *sorted((ROOT / "src" / "policyeval" / "frameworks" / "data").glob("*.toml")),
        *sorted(ROOT.glob("examples/*/framework.toml")),
        ROOT / "tests" / "data" / "framework_example.toml",
        *sorted((ROOT / "tests" / "data" / "invalid_frameworks").glob("*.toml")),
    ]
    framework_documents = []
    for path in framework_files:
        try:
            framework_documents.append(_toml(path))
        except tomllib.TOMLDecodeError:
            continue  # a parse error: nothing for a schema to check
    framework_documents += [framework_to_dict(frameworks.load("agustino"))]
    return {"case": cases, "framework": framework_documents}


def _schema_words(schema: Any) -> tuple[set[str], list[Any]]:
    """Every property name and every const or enum value a schema mentions, and the numbers
    on and just beyond each of its bounds."""
    names: set[str] = set()
    values: list[Any] = []
    stack = [schema]
    while stack:
        part = stack.pop()
        if isinstance(part, list):
            stack.extend(part)
        elif isinstance(part, dict):
            names.update(part.get("properties", {}))
            values.extend(part.get("enum", []))
            if "const" in part:
                values.append(part["const"])
            for bound, beyond in (("minimum", -0.5), ("maximum", 0.5)):
                if isinstance(part.get(bound), int | float):
                    values += [part[bound], float(part[bound]), part[bound] + beyond]
            stack.extend(value for key, value in part.items() if key not in ("enum", "const"))
    return names, values


DOCUMENTS = _documents()
WORDS = {kind: _schema_words(_inlined(kind)) for kind in ("case", "framework")}
PLAIN_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1,
    1.0,
    0.5,
    2,
    -0.0,
    1e300,
    math.nan,
    math.inf,
    "",
    "x",
    "mean",
    [],
    {},
    ["a", "a"],
    [1, 1.0],
    [True, 1],
    {"name": "mean"},
    {"en": "x"},
    datetime.date(2024, 1, 1),
]


@st.composite
def _path(draw: st.DrawFn, document: Any) -> tuple[Any, ...]:
    """A path into ``document``: first a kind of place (the path with array positions left
    out), each as likely as any other however many places of that kind there are, then one
    such place. A file's one ``languages`` array is then as likely as its node ids."""
    places: dict[str, list[tuple[Any, ...]]] = {}
    for path in _paths(document):
        kind = repr(tuple("*" if isinstance(step, int) else step for step in path))
        places.setdefault(kind, []).append(path)
    return draw(st.sampled_from(places[draw(st.sampled_from(sorted(places)))]))


def _change(value: Any, path: tuple[Any, ...], *change: Any) -> Any:
    """``value`` with the part at ``path`` changed by :func:`_mutated`; only that path is copied."""
    if not path:
        return _mutated(value, *change)
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _change(value[path[0]], path[1:], *change)
    return copy


def _nudged(part: Any, step: int) -> Any:
    """A value next to ``part``: a number as a float, moved by a half or below zero; a string
    capitalised or emptied; a boolean as a number."""
    if isinstance(part, bool):
        return int(part)
    if isinstance(part, int | float):
        return [float(part), part + 0.5, part - 0.5, part + 1, -1 - part][step % 5]
    if isinstance(part, str):
        return [part.capitalize(), "", part + " "][step % 3]
    return part


def _mutated(part: Any, operation: str, name: str, new: Any, step: int) -> Any:
    if operation == "replace":
        return new
    if operation == "nudge":
        return _nudged(part, step)
    if operation == "empty":
        return type(part)() if isinstance(part, dict | list | str) else new
    if isinstance(part, dict):
        if operation == "drop" and part:
            return {key: item for key, item in part.items() if key != next(iter(part))}
        if operation == "add":
            return {**part, name: new}
        return {key: new for key in part}  # every value of the table at once
    if isinstance(part, list):
        if operation == "drop":
            return part[1:]
        if operation == "add":
            return [*part, part[0] if part else new]  # a repeated item, or a first one
        return [new for _ in part]
    return new


@st.composite
def near_misses(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A shipped or example document of ``kind``, with up to three changes: a value replaced
    by one of another type, one the schema names elsewhere, or one next to it; a key or an item
    dropped or added; a table, array or string emptied."""
    names, schema_values = WORDS[kind]
    document: Any = draw(st.sampled_from(DOCUMENTS[kind]))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(_path(document))
        part = document
        for step in path:
            part = part[step]
        container = isinstance(part, dict | list)
        operation = draw(
            st.sampled_from(
                ["replace", "drop", "add", "empty", "all"] if container else ["replace", "nudge"]
            )
        )
        name = draw(st.sampled_from(sorted(names)) | st.just("unknown_key"))
        new = draw(st.sampled_from(PLAIN_VALUES) | st.sampled_from(schema_values))
        document = _change(document, path, operation, name, new, draw(st.integers(0, 11)))
    return dict(document) if isinstance(document, dict) else {"not": document}


def _agree(document: dict[str, Any], kind: str) -> None:
    fits = _fits(kind)
    assert fits is not None
    errors = list(_validator(kind).iter_errors(document))
    assert fits(document) is (not errors), [error.message for error in errors]


@settings(max_examples=200)
@given(document=near_misses("case"))
def test_a_case_fits_exactly_when_jsonschema_finds_no_error(document: dict[str, Any]) -> None:
    """On example cases and their near misses, the quick check says yes exactly when jsonschema
    reports nothing."""
    _agree(document, "case")


@settings(max_examples=200)
@given(document=near_misses("framework"))
def test_a_framework_fits_exactly_when_jsonschema_finds_no_error(document: dict[str, Any]) -> None:
    """On shipped and test framework files and their near misses, the quick check says yes
    exactly when jsonschema reports nothing."""
    _agree(document, "framework")


@pytest.mark.parametrize("kind", ["case", "framework"])
def test_every_unchanged_document_fits(kind: str) -> None:
    """The documents the near misses start from agree too, unchanged (most of them fit)."""
    for document in DOCUMENTS[kind]:
        _agree(document, kind)
