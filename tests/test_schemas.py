"""One JSON Schema per file format: what case.toml and framework files accept, checked by
jsonschema, and every departure located by file, line and key."""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import frameworks
from policyeval.cli import main
from policyeval.framework_io import (
    dumps_framework,
    framework_schema,
    framework_to_dict,
    key_locator,
)
from policyeval.scaffold import init_case
from policyeval.schemas import case_schema, schema_problems

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(path.parent for path in (ROOT / "examples").glob("*/case.toml"))
CASE_FORMAT_DOC = ROOT / "docs" / "reference" / "case-format.rst"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_schemas_are_valid_json_schemas() -> None:
    """Both shipped schemas are themselves valid draft 2020-12 schemas."""
    for schema in (case_schema(), framework_schema()):
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_every_example_case_fits_the_schema(example: Path) -> None:
    """The worked examples' case.toml files validate against the case schema."""
    data = tomllib.loads((example / "case.toml").read_text(encoding="utf-8"))
    jsonschema.validate(data, case_schema())
    assert schema_problems(data, "case", file="case.toml") == []


def _toml_blocks(text: str) -> Iterator[str]:
    """The ``.. code-block:: toml`` blocks of a reStructuredText page, dedented."""
    for found in re.finditer(r"\.\. code-block:: toml\n\n((?:(?: {3,}.*)?\n)+)", text):
        lines = found.group(1).splitlines()
        indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        yield "\n".join(line[indent:] for line in lines) + "\n"


def test_every_case_file_example_in_the_docs_fits_the_schema() -> None:
    """Each TOML example of the case-file reference validates: the page and the schema agree."""
    blocks = list(_toml_blocks(CASE_FORMAT_DOC.read_text(encoding="utf-8")))
    assert len(blocks) >= 5
    for block in blocks:
        data = tomllib.loads(block)
        assert schema_problems(data, "case", file="doc", text=block) == [], block


def test_the_reference_page_points_to_the_schema() -> None:
    """The case-file reference names the schema file and the function that returns it."""
    text = CASE_FORMAT_DOC.read_text(encoding="utf-8")
    assert "case.schema.json" in text and "case_schema" in text


def _uncommented(text: str) -> str:
    """A case.toml written by init with every commented-out key switched on."""
    return re.sub(r"(?m)^# (\[[\w.]+\]|[a-z_]+ = .*)$", r"\1", text)


@pytest.mark.parametrize("name", frameworks.available())
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_case_init_writes_fits_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, lang: str
) -> None:
    """What `policyeval init` writes, as written and with every optional key switched on,
    validates against the schema, and validate accepts both."""
    folder = tmp_path / "case"
    init_case(folder, name, lang=lang, xlsx=False)
    written = (folder / "case.toml").read_text(encoding="utf-8")
    for text in (written, _uncommented(written)):
        data = tomllib.loads(text)
        jsonschema.validate(data, case_schema())
        (folder / "case.toml").write_text(text, encoding="utf-8")
        code, _, err = _run(capsys, "validate", str(folder))
        assert code == 0, err
    assert _uncommented(written) != written


# --- wrong types everywhere --------------------------------------------------------------------

_CANDIDATES: tuple[Any, ...] = (5, "x", True, [1], {"a": 1})


def _leaves(
    schema: dict[str, Any], definitions: dict[str, Any]
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every key path the case schema names (``0`` for an array item, ``"x"`` for a free key),
    with its subschema."""

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = definitions[node["$ref"].removeprefix("#/$defs/")]
        return node

    def walk(
        node: dict[str, Any], path: tuple[Any, ...]
    ) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
        node = resolve(node)
        if path:
            yield path, node
        for name, child in node.get("properties", {}).items():
            yield from walk(child, (*path, name))
        if isinstance(node.get("additionalProperties"), dict):
            yield from walk(node["additionalProperties"], (*path, "x"))
        if isinstance(node.get("items"), dict):
            item = resolve(node["items"])
            if "properties" in item or "additionalProperties" in item:
                yield from walk(item, (*path, 0))

    yield from walk(schema, ())


def _at(path: tuple[Any, ...], value: Any) -> Any:
    for part in reversed(path):
        value = [value] if part == 0 else {part: value}
    return value


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _key(path: tuple[Any, ...]) -> str:
    key = ""
    for part in path:
        key = f"{key}[{part}]" if isinstance(part, int) else f"{key}.{part}" if key else part
    return key


def _wrong_cases() -> list[tuple[str, dict[str, Any]]]:
    schema = case_schema()
    base: dict[str, Any] = {
        "schema": "policyeval.case/1",
        "case": {"id": "wrong", "framework": "agustino"},
        "units": [{"id": "kota"}],
    }
    cases = []
    for path, node in _leaves(schema, schema["$defs"]):
        leaf = jsonschema.Draft202012Validator({**node, "$defs": schema["$defs"]})
        wrong = next(candidate for candidate in _CANDIDATES if not leaf.is_valid(candidate))
        cases.append((_key(path), _merge(base, _at(path, wrong))))
    return cases


WRONG = _wrong_cases()


def test_the_wrong_type_table_covers_every_key() -> None:
    """Every key the schema names has a wrong-typed case below (over a hundred of them)."""
    assert len(WRONG) > 100
    assert {"case.framework", "aggregation.weights.x.x", "checks[0].left", "limits.rows"} <= {
        key for key, _ in WRONG
    }


@pytest.mark.parametrize(("key", "data"), WRONG, ids=[key for key, _ in WRONG])
def test_a_wrong_type_anywhere_is_a_located_error_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, data: dict[str, Any]
) -> None:
    """A value of the wrong type at any key of case.toml stops validate and evaluate with exit 2
    and a problem naming case.toml, the key's line and the key path (never an internal error)."""
    case = tmp_path / "case"
    case.mkdir()
    text = tomli_w.dumps(data)
    (case / "case.toml").write_text(text, encoding="utf-8")
    (case / "evidence.csv").write_text("id,indicator,rating,source,technique\n", encoding="utf-8")
    for command in ("validate", "evaluate"):
        code, _, err = _run(capsys, command, str(case))
        assert code == 2, (command, err)
        found = re.search(rf"case\.toml:(\d+): {re.escape(key)}(?:[.\[][^:]*)?: ", err)
        assert found, err
        line = text.splitlines()[int(found.group(1)) - 1]
        if not key.endswith("]"):  # an array item's line holds its value, not a name
            assert key.split(".")[-1] in line or line.startswith("["), (line, key)


def test_unknown_keys_get_a_did_you_mean_and_the_allowed_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt key is refused with the closest allowed key and the list of allowed keys, in
    English and in Indonesian."""
    (tmp_path / "case.toml").write_text(
        'schema = "policyeval.case/1"\n[case]\nframework = "agustino"\n[[units]]\nid = "u"\n'
        "[evidence]\nlenent = true\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "validate", str(tmp_path))
    assert code == 2
    assert (
        "case.toml:7: evidence.lenent: unknown key (did you mean 'lenient'?) "
        "(allowed: file, lenient, sheet, sources)"
    ) in err
    code, _, err = _run(capsys, "validate", str(tmp_path), "--lang", "id")
    assert "evidence.lenent: kunci tidak dikenal (maksud Anda 'lenient'?)" in err


def test_wrong_types_are_reported_in_the_chosen_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The schema's messages are in the catalogues: --lang id renders them in Indonesian."""
    (tmp_path / "case.toml").write_text(
        'schema = "policyeval.case/1"\ncase = "x"\n[aggregation]\nmin_share = 2\n'
        "default = { p = 1 }\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "validate", str(tmp_path), "--lang", "id")
    assert code == 2
    assert "case.toml:2: case: harus tabel, bukan string (isian 'x')" in err
    assert "aggregation.min_share: harus berupa angka dalam [0, 1] (isian 2)" in err
    assert "aggregation.default.name: kunci wajib 'name' tidak ada" in err


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[aggregation]\nmin_share = nan\n", "aggregation.min_share"),
        ("[aggregation.weights]\nprogram = { kelembagaan = inf }\n", "aggregation.weights.program"),
        ("[limits]\ncompression_ratio = inf\n", "limits.compression_ratio"),
        ("[sensitivity]\nmin_agreement = [0.5, -inf]\n", "sensitivity.min_agreement[1]"),
    ],
)
def test_nan_and_infinity_are_refused_wherever_a_case_takes_a_number(toml: str, key: str) -> None:
    """NaN passes every bound of a schema (each comparison with it is false), so a case file's
    non-finite numbers are refused by name."""
    (problem,) = schema_problems(tomllib.loads(toml), "case", file="case.toml", text=toml)
    assert problem.key is not None and problem.key.startswith(key)
    assert problem.message == "must be a finite number"


def test_a_plugin_of_the_wrong_shape_names_what_a_plugin_is() -> None:
    """A number where a plug-in goes says what a plug-in spec may be."""
    (problem,) = schema_problems(
        {"triangulation": {"rule": 3}}, "case", file="case.toml", text="[triangulation]\nrule = 3\n"
    )
    assert str(problem) == (
        "case.toml:2: triangulation.rule: must be a plug-in name or a table with a 'name', "
        "not a number (got 3)"
    )


def test_a_framework_file_of_the_wrong_shape_is_refused_before_its_meaning(
    tmp_path: Path,
) -> None:
    """Framework files are checked against their schema too: an unknown scale kind is one
    located problem naming the kinds, and a typo does not add the problems it would cause."""
    text = dumps_framework(frameworks.load("agustino"), format="toml")
    path = tmp_path / "fw.toml"
    path.write_text(text.replace('kind = "ordinal"', 'kind = "likert"', 1), encoding="utf-8")
    from policyeval.framework_io import check_framework_file

    (problem,) = check_framework_file(path)
    assert problem.key == "scales[0].kind"
    assert problem.message == "must be one of 'ordinal', 'numeric'"
    assert text.splitlines()[problem.line - 1 if problem.line else 0].startswith("kind")


def _subschemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _subschemas(value)


def test_every_choice_of_forms_in_the_schemas_says_what_it_expects() -> None:
    """Each anyOf or oneOf names the forms it takes (x-expected) or its whole message
    (x-message), so a value that fits no form gets a readable problem."""
    for schema in (case_schema(), framework_schema()):
        for node in _subschemas(schema):
            if "anyOf" in node or "oneOf" in node:
                assert "x-expected" in node or "x-message" in node, node


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            'parent = "program"',
            'parent = "program"\nparents = ["program"]',
            "parents",
            "give either 'parent' or 'parents', not both",
        ),
        ('languages = ["id", "en"]', 'languages = "id"', "framework.languages", "must be an array"),
        ('default_scale = "agustino4"', "default_scale = 4", "framework.default_scale", "a string"),
    ],
)
def test_framework_files_of_the_wrong_shape_are_located(
    tmp_path: Path, old: str, new: str, key: str, message: str
) -> None:
    """Parent and parents together, or keys of the wrong type, are located schema problems."""
    from policyeval.framework_io import check_framework_file

    text = dumps_framework(frameworks.load("agustino"), format="toml")
    assert old in text, old
    path = tmp_path / "fw.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    (problem,) = check_framework_file(path)
    assert problem.key is not None and problem.key.endswith(key)
    assert message in problem.message and problem.line is not None


def test_a_parent_listed_twice_is_a_schema_problem() -> None:
    """``parents`` lists each parent once."""
    from policyeval.exceptions import FrameworkError
    from policyeval.framework_io import framework_from_dict

    data = framework_to_dict(frameworks.load("agustino"))
    node = next(node for node in data["nodes"] if "parent" in node)
    node["parents"] = [node.pop("parent")] * 2
    with pytest.raises(FrameworkError, match="must not list an item twice"):
        framework_from_dict(data)


# --- the key locator ---------------------------------------------------------------------------


def _texts() -> Iterator[tuple[str, str, str]]:
    for example in EXAMPLES:
        yield example.name, (example / "case.toml").read_text(encoding="utf-8"), "toml"
    for name in frameworks.available():
        for format in ("toml", "json"):
            yield name, dumps_framework(frameworks.load(name), format=format), format  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "text", "format"), list(_texts()))
def test_the_locator_finds_each_key_on_its_own_line_with_or_without_announced_keys(
    name: str, text: str, format: str
) -> None:
    """Every key the full scan finds sits on a line naming it, and a locator told the keys in
    advance (which passes over the other tables) gives the same lines."""
    from policyeval.framework_io import _positions

    keys = sorted(key for key in _positions(text, format) if key)  # type: ignore[arg-type]
    assert len(keys) > 20
    full = key_locator(text, format=format)  # type: ignore[arg-type]
    lines = text.splitlines()
    for key in keys[:: max(1, len(keys) // 200)]:
        line = full(key)
        assert line is not None
        if not key.endswith("]"):  # an array item's line holds its value, not a name
            last = re.split(r"[.\[\]\"]", key)[-1]
            assert last in lines[line - 1] or lines[line - 1].lstrip().startswith("["), key
        announced = key_locator(text, format=format, keys=[key, "nowhere.else"])  # type: ignore[arg-type]
        assert announced(key) == line


# --- any value anywhere: a located problem or a result, never a crash ---------------------------

_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["name", "id", "en", "x"]), st.integers(0, 3), max_size=2),
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


_AGUSTINO = framework_to_dict(frameworks.load("agustino"))
_AGUSTINO_PATHS = list(_paths(_AGUSTINO))[1:]
_SERANG = tomllib.loads((ROOT / "examples" / "serang_2024" / "case.toml").read_text("utf-8"))
_SERANG_PATHS = list(_paths(_SERANG))[1:]


@settings(max_examples=60)
@given(path=st.sampled_from(_AGUSTINO_PATHS), value=_ANY_VALUE)
def test_any_value_anywhere_in_a_framework_is_a_problem_or_a_framework(
    path: tuple[Any, ...], value: Any
) -> None:
    """Replacing any part of a framework file by any value gives located problems or a framework,
    never another exception: the reader only sees what the schema let through."""
    from policyeval.exceptions import FrameworkError
    from policyeval.framework_io import framework_from_dict

    try:
        framework_from_dict(_replace(_AGUSTINO, path, value), source="fw.json")
    except FrameworkError as error:
        assert all(problem.file == "fw.json" for problem in error.problems)


@settings(max_examples=60)
@given(path=st.sampled_from(_SERANG_PATHS), value=_ANY_VALUE)
def test_any_value_anywhere_in_a_case_file_is_a_problem_or_a_case(
    path: tuple[Any, ...], value: Any
) -> None:
    """Replacing any part of the Serang case file by any value TOML can hold gives located
    problems or a loaded case, never another exception."""
    from policyeval.case import load_case
    from policyeval.exceptions import PolicyEvalError

    data = _replace(_SERANG, path, value)
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        return  # None, or a float TOML cannot write: no case file holds it
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "case"
        shutil.copytree(ROOT / "examples" / "serang_2024", case)
        (case / "case.toml").write_text(text, encoding="utf-8")
        try:
            load_case(case)
        except PolicyEvalError as error:
            problems = getattr(error, "problems", ())
            assert problems and all(p.file == str(case / "case.toml") for p in problems)


def test_a_refused_data_section_adds_no_problems_of_its_own(tmp_path: Path) -> None:
    """A numbers-only case whose [data] has a wrong type gets that one problem, not also "declare
    at least one [[units]] entry" or "evidence file not found"."""
    from policyeval.case import load_case
    from policyeval.exceptions import CaseError

    (tmp_path / "case.toml").write_text(
        '[case]\nframework = "agustino"\n[data]\nfile = "data.csv"\nunit_column = 5\n',
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as caught:
        load_case(tmp_path)
    assert [problem.key for problem in caught.value.problems] == ["data.unit_column"]


@pytest.mark.parametrize(
    "filler",
    [" \n" * 200, "# note\n" * 200, " " * 5000 + "\n", "\t\r\n" * 200],
    ids=["blank lines", "comments", "spaces", "tabs and carriage returns"],
)
def test_the_locator_passes_long_blank_runs_before_a_complex_line(filler: str) -> None:
    """Blank lines, comments or spaces before a line that no fast path matches are passed over
    once, not retried in every way of splitting them (which would never finish)."""
    text = f"[a]\n{filler}b = [1, {{ c = 2 }}]\nd = 3\n"
    lines = text.splitlines()
    for keys in (None, ["a.b", "a.d"]):
        locate = key_locator(text, keys=keys)
        assert lines[locate("a.b") - 1].startswith("b = ")  # type: ignore[operator]
        assert lines[locate("a.d") - 1] == "d = 3"  # type: ignore[operator]
