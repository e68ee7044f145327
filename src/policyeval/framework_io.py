"""Framework files: load, validate and write evaluation frameworks.

A framework file is TOML (``.toml``) or JSON (``.json``) with the same
structure: a ``[framework]`` table, ``[[scales]]`` with their
``[[scales.levels]]``, ``[[nodes]]`` and optional ``[[edges]]``. The format
is documented in ``docs/reference/framework-format.rst`` and described by a
JSON Schema shipped with the package (:func:`framework_schema`).

Reading a file collects every problem before raising: parse errors, unknown
keys (typos), wrong types, missing keys, and everything
:meth:`~policyeval.framework.Framework.build` reports (duplicate ids,
dangling parents, cycles, bad weights ...). Each problem names the file, the
line and the key path, so a user fixes a file in one pass.

Writing is canonical: defaults are left out, numbers that are whole are
written as integers, and equal frameworks give byte-identical text, so
``loads_framework(dumps_framework(fw)) == fw``.

>>> text = '''
... [framework]
... id = "tiny"
... default_scale = "yn"
...
... [[scales]]
... id = "yn"
... kind = "ordinal"
... levels = [{ id = "yes", score = 1, label = { en = "Yes" } },
...           { id = "no", score = 0, label = { en = "No" } }]
...
... [[nodes]]
... id = "all"
... kind = "root"
... label = { en = "All" }
...
... [[nodes]]
... id = "a"
... kind = "indicator"
... label = { en = "A" }
... parent = "all"
... '''
>>> fw = loads_framework(text)
>>> fw.indicators
('a',)
>>> loads_framework(dumps_framework(fw)) == fw
True
>>> loads_framework(text.replace("parent =", "parnet ="), source="tiny.toml")
Traceback (most recent call last):
...
policyeval.exceptions.FrameworkError: 3 problems:
  - tiny.toml:14: nodes[0].kind: inner node 'all' (kind 'root') has no children
  - tiny.toml:17: nodes[1].parents: several roots: 'all', 'a'; node 'a' has no parent
  - tiny.toml:21: nodes[1].parnet: unknown key 'parnet' (did you mean 'parent'?)
"""

from __future__ import annotations

import contextlib
import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import attrs
import tomli_w

from policyeval.exceptions import (
    UNSET,
    FrameworkError,
    InvalidArgument,
    PolicyEvalError,
    Problem,
    ScaleError,
)
from policyeval.files import ParseError, parse_json, parse_toml, read_bytes
from policyeval.framework import AggregatorSpec, Edge, Framework, Node
from policyeval.identifiers import identifier_problem, normalise_identifier
from policyeval.scales import Bands, Level, NumericScale, OrdinalScale, Scale

__all__ = [
    "SCHEMA_ID",
    "check_framework_file",
    "dumps_framework",
    "framework_from_dict",
    "framework_schema",
    "framework_to_dict",
    "key_locator",
    "load_framework",
    "loads_framework",
    "save_framework",
]

Format = Literal["toml", "json"]

SCHEMA_ID = "policyeval.framework/1"
"""The value of the ``schema`` key of every framework file this version writes."""

_SUFFIXES: dict[str, Format] = {".toml": "toml", ".json": "json"}

# The keys each table accepts, in the order they are written, and those it needs.
_TOP_KEYS = ("schema", "framework", "scales", "nodes", "edges")
_TOP_REQUIRED = ("framework", "nodes")
_FRAMEWORK_KEYS = (
    "id",
    "version",
    "default_language",
    "languages",
    "default_scale",
    "default_aggregator",
    "citation",
    "references",
    "title",
    "description",
    "attributes",
)
_FRAMEWORK_REQUIRED = ("id",)
_SCALE_REQUIRED = ("id", "kind")
_ORDINAL_KEYS = ("id", "kind", "label", "description", "bands", "levels")
_ORDINAL_REQUIRED = ("id", "kind", "levels")
_NUMERIC_KEYS = (
    "id",
    "kind",
    "label",
    "description",
    "minimum",
    "maximum",
    "unit",
    "direction",
    "bands",
)
_LEVEL_KEYS = ("id", "score", "label", "description")
_LEVEL_REQUIRED = ("id", "score")
_BANDS_KEYS = ("method", "ties", "cuts", "levels", "low", "high")
_NUMERIC_BANDS_KEYS = ("scale", *_BANDS_KEYS)
_NUMERIC_BANDS_REQUIRED = ("scale",)
_NODE_KEYS = (
    "id",
    "kind",
    "label",
    "description",
    "parent",
    "parents",
    "weight",
    "scale",
    "aggregator",
    "recommendation",
    "attributes",
)
_NODE_REQUIRED = ("id", "kind")
_EDGE_KEYS = ("parent", "child", "weight")
_EDGE_REQUIRED = ("parent", "child", "weight")

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LAST_PART = re.compile(r'(\[(?:\d+|"(?:[^"\\]|\\.)*")\]|\.[A-Za-z0-9_-]+)$')


# --- public API ----------------------------------------------------------------------------


def framework_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the framework file format.

    >>> schema = framework_schema()
    >>> schema["properties"]["schema"]["const"]
    'policyeval.framework/1'
    >>> sorted(schema["required"])
    ['framework', 'nodes']
    """
    text = resources.files("policyeval").joinpath("schema/framework.schema.json").read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


def load_framework(path: str | os.PathLike[str]) -> Framework:
    """Read a framework file (``.toml`` or ``.json``, chosen by suffix).

    Raises :class:`~policyeval.exceptions.FrameworkError` listing every
    problem of the file, each with the file name, line and key path.
    ``Framework.source`` is set to the path.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> load_framework(folder / "fw.yaml")
    Traceback (most recent call last):
    ...
    policyeval.exceptions.FrameworkError: ...fw.yaml: unsupported framework file suffix '.yaml'; use .toml or .json
    """
    framework, problems = _check_file(path)
    if problems or framework is None:
        raise FrameworkError(problems)
    return framework


def loads_framework(text: str, *, format: Format = "toml", source: str | None = None) -> Framework:
    """Read a framework from TOML or JSON text.

    ``source`` names the text in problems (a file name, say).

    >>> fw = loads_framework('''{"framework": {"id": "one", "default_scale": "yn"},
    ...   "scales": [{"id": "yn", "kind": "ordinal", "levels": [{"id": "yes", "score": 1,
    ...     "label": {"en": "Yes"}}]}],
    ...   "nodes": [{"id": "r", "kind": "root", "label": {"en": "R"}},
    ...             {"id": "i", "kind": "indicator", "label": {"en": "I"}, "parent": "r"}]}''',
    ...   format="json")
    >>> fw.children("r")
    ('i',)
    """
    _check_format(format)
    data, problems = _parse(text, format)
    if data is None:
        raise FrameworkError(attrs.evolve(problem, file=source) for problem in problems)
    return framework_from_dict(data, source=source, text=text, format=format)


def framework_from_dict(
    data: Mapping[str, Any],
    *,
    source: str | None = None,
    text: str | None = None,
    format: Format = "toml",
) -> Framework:
    """Build a framework from parsed file content (the structure of a framework file).

    ``text`` (the file's text in ``format``) lets problems carry line
    numbers; ``source`` names the file.

    >>> fw = framework_from_dict({
    ...     "framework": {"id": "one", "default_scale": "yn"},
    ...     "scales": [{"id": "yn", "kind": "ordinal",
    ...                 "levels": [{"id": "yes", "score": 1, "label": {"en": "Yes"}}]}],
    ...     "nodes": [{"id": "r", "kind": "root", "label": {"en": "R"}},
    ...               {"id": "i", "kind": "indicator", "label": {"en": "I"}, "parent": "r",
    ...                "weight": -1}],
    ... }, source="one.toml")
    Traceback (most recent call last):
    ...
    policyeval.exceptions.FrameworkError: one.toml: nodes[1].weight: weight must be a finite number >= 0 (got -1.0)
    """
    _check_format(format)
    framework, problems = _collect(data, source=source, text=text, format=format)
    if problems or framework is None:
        raise FrameworkError(problems)
    return framework


def framework_to_dict(fw: Framework) -> dict[str, Any]:
    """The canonical file structure of a framework (defaults and empty parts left out).

    A node with one parent says ``parent``, one with several says
    ``parents``; ``edges`` lists only edges that do not come from a node's
    parents. Scales are sorted by id; whole numbers become integers.

    >>> fw = loads_framework(_EXAMPLE)
    >>> data = framework_to_dict(fw)
    >>> data["nodes"][1]
    {'id': 'a', 'kind': 'indicator', 'label': {'en': 'A'}, 'parent': 'all', 'weight': 2}
    >>> framework_from_dict(data) == fw
    True
    """
    out: dict[str, Any] = {"schema": SCHEMA_ID, "framework": _framework_table(fw)}
    if fw.scales:
        out["scales"] = [_scale_table(fw.scales[key]) for key in sorted(fw.scales)]
    out["nodes"] = [_node_table(node) for node in fw]
    edges = [
        {"parent": parent, "child": child, "weight": _number(weight)}
        for parent, child, weight in fw.graph.edges(data="weight")
        if parent not in fw.node(child).parents
    ]
    if edges:
        out["edges"] = edges
    return out


def dumps_framework(fw: Framework, *, format: Format = "toml") -> str:
    """Write a framework as TOML or JSON text (canonical and deterministic).

    >>> fw = loads_framework(_EXAMPLE)
    >>> print(dumps_framework(fw))  # doctest: +ELLIPSIS
    schema = "policyeval.framework/1"
    <BLANKLINE>
    [framework]
    id = "tiny"
    default_language = "en"
    languages = ["en"]
    default_scale = "yn"
    <BLANKLINE>
    [[scales]]
    id = "yn"
    kind = "ordinal"
    ...
    [[nodes]]
    id = "a"
    kind = "indicator"
    label = { en = "A" }
    parent = "all"
    weight = 2
    <BLANKLINE>
    >>> dumps_framework(fw, format="json").startswith('{\\n  "schema": "policyeval.framework/1"')
    True
    """
    _check_format(format)
    data = framework_to_dict(fw)
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _toml_document(data)


def save_framework(fw: Framework, path: str | os.PathLike[str]) -> None:
    """Write a framework to a ``.toml`` or ``.json`` file (format chosen by suffix).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "tiny.json"
    >>> fw = loads_framework(_EXAMPLE)
    >>> save_framework(fw, target)
    >>> load_framework(target) == fw
    True
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InvalidArgument(f"path must end in .toml or .json, got path={os.fspath(path)!r}")
    Path(path).write_text(dumps_framework(fw, format=_SUFFIXES[suffix]), encoding="utf-8")


def check_framework_file(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of a framework file, in file order (empty when the file is valid).

    Never raises for bad content: unreadable files, parse errors, unknown
    keys, wrong types, missing keys and structural problems all come back as
    :class:`~policyeval.exceptions.Problem` records naming the file and,
    where it can be found, the line.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "broken.toml"
    >>> _ = target.write_text('[framework]\\nid = "x"\\n[[nodes]]\\nid = 3\\n', encoding="utf-8")
    >>> for problem in check_framework_file(target):
    ...     print(str(problem).replace(str(target), "broken.toml"))
    broken.toml:3: nodes[0].kind: missing required key 'kind'
    broken.toml:3: nodes[0].label: node '' has no label in the default language 'en'
    broken.toml:4: nodes[0].id: must be a string, not a number (got 3)
    """
    framework, problems = _check_file(path)
    if framework is not None and not problems:
        # A numeric indicator whose raw values would reach a parent on another scale cannot be
        # evaluated, so a file declaring one (without a scorer) is not valid either.
        from policyeval.score import scoring_problems

        try:
            problems = scoring_problems(framework, file=os.fspath(path), key=None)
        except PolicyEvalError as error:
            problems = [Problem(str(error), file=os.fspath(path), key="attributes.scorer")]
    return problems


# --- reading -------------------------------------------------------------------------------


def _check_format(format: str) -> None:
    if format not in ("toml", "json"):
        raise InvalidArgument(f"format must be 'toml' or 'json', got format={format!r}")


def _check_file(path: str | os.PathLike[str]) -> tuple[Framework | None, list[Problem]]:
    source = os.fspath(path)
    suffix = Path(source).suffix.lower()
    if suffix not in _SUFFIXES:
        message = f"unsupported framework file suffix {suffix!r}; use .toml or .json"
        return None, [
            Problem(
                message,
                file=source,
                message_id="framework.unsupported_suffix",
                params={"suffix": repr(suffix)},
            )
        ]
    try:
        text = read_bytes(source).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(
            f"cannot read the file: {error}",
            file=source,
            message_id="framework.cannot_read",
            params={"error": error},
        )
        return None, [problem]
    data, problems = _parse(text, _SUFFIXES[suffix])
    if data is None:
        return None, [attrs.evolve(problem, file=source) for problem in problems]
    return _collect(data, source=source, text=text, format=_SUFFIXES[suffix])


def _parse(text: str, format: Format) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse text; on failure return the parse error with its line."""
    if format == "json":
        try:
            data = parse_json(text)
        except json.JSONDecodeError as error:
            message = f"invalid JSON: {error.msg} (column {error.colno})"
            params = {"error": error.msg, "column": error.colno}
            return None, [
                Problem(message, line=error.lineno, message_id="parse.invalid_json", params=params)
            ]
        except ParseError as error:
            return None, [_parse_problem(error, text, format)]
        if not isinstance(data, dict):
            return None, [
                Problem(
                    "a framework file must hold a JSON object",
                    line=1,
                    message_id="framework.not_object",
                )
            ]
        return data, []
    try:
        return parse_toml(text), []
    except ParseError as error:
        return None, [_parse_problem(error, text, format)]
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if found:
            text_part = message[: found.start()]
            problem = Problem(
                f"invalid TOML: {text_part} (column {found.group(2)})",
                line=int(found.group(1)),
                message_id="parse.invalid_toml_column",
                params={"error": text_part, "column": found.group(2)},
            )
        else:
            problem = Problem(
                f"invalid TOML: {message}",
                message_id="case.invalid_toml",
                params={"error": message},
            )
        return None, [problem]


def _parse_problem(error: ParseError, text: str, format: Format) -> Problem:
    line = error.line
    if line is None and error.key is not None:
        line = key_locator(text, format=format)(error.key)
    return Problem(
        error.message, line=line, key=error.key, message_id=error.message_id, params=error.params
    )


def _join(prefix: str, name: str) -> str:
    """Append a key to a key path: ``a.b`` for bare keys, ``a["b c"]`` for others."""
    if _BARE_KEY.fullmatch(name):
        return f"{prefix}.{name}" if prefix else name
    return f"{prefix}[{json.dumps(name, ensure_ascii=False)}]"


def _collect(
    data: Mapping[str, Any], *, source: str | None, text: str | None, format: Format
) -> tuple[Framework | None, list[Problem]]:
    """Check and build; return the framework (when valid) and every located problem."""
    reader = _Reader(format)
    parts = reader.read(data)
    problems = list(reader.problems)
    framework: Framework | None = None
    try:
        framework = Framework.build(**parts)
    except FrameworkError as error:
        reported = [p.key for p in problems if p.key is not None]
        for problem in error.problems:
            key = reader.rename(problem.key)
            if key is None or not any(_under(key, done) for done in reported):
                problems.append(attrs.evolve(problem, key=key))
    if problems:
        framework = None
    elif framework is not None:
        framework = attrs.evolve(framework, source=source)
    positions = _positions(text, format) if text is not None else {}
    located = [
        attrs.evolve(
            problem,
            file=source,
            line=problem.line if problem.line is not None else _line_of(positions, problem.key),
        )
        for problem in problems
    ]
    located.sort(key=lambda p: p.line if p.line is not None else math.inf)
    return framework, located


def _under(key: str, prefix: str) -> bool:
    return key == prefix or key.startswith((f"{prefix}.", f"{prefix}["))


def _describe(value: Any, table_word: str = "table") -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return f"a {table_word}"
    return type(value).__name__


class _Reader:
    """Turns parsed file content into the arguments of ``Framework.build``, noting problems."""

    def __init__(self, format: Format) -> None:
        self.format = format
        self.table_word = "table" if format == "toml" else "object"
        self.problems: list[Problem] = []
        # Node key paths whose file says ``parent = "x"`` rather than ``parents = [...]``.
        self.singular: set[str] = set()

    # --- small checks ---

    def report(self, message: str, key: str, value: Any = UNSET) -> None:
        self.problems.append(Problem(message, key=key, value=value))

    def wrong_type(self, expected: str, key: str, value: Any) -> None:
        self.report(f"must be {expected}, not {_describe(value, self.table_word)}", key, value)

    def table(self, value: Any, key: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.wrong_type(f"a {self.table_word}", key, value)
        return None

    def keys(
        self,
        table: Mapping[str, Any],
        key: str,
        allowed: Sequence[str],
        required: Sequence[str],
        where: str = "",
    ) -> None:
        for name in table:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.report(f"unknown key {name!r}{where}{hint}", _join(key, name))
        for name in required:
            if name not in table:
                self.report(f"missing required key {name!r}", _join(key, name))

    def string(self, table: Mapping[str, Any], name: str, key: str) -> str | None:
        value = table.get(name)
        if value is None or isinstance(value, str):
            return value
        self.wrong_type("a string", _join(key, name), value)
        return None

    def identifier(self, table: Mapping[str, Any], name: str, key: str) -> str | None:
        value = self.string(table, name, key)
        if value is None:
            return None
        problem = identifier_problem(value)
        if problem is not None:
            self.report(problem, _join(key, name), value)
            return None
        return normalise_identifier(value)

    def identifiers(self, table: Mapping[str, Any], name: str, key: str) -> list[str] | None:
        values = self.strings(table, name, key)
        if values is None:
            return None
        kept = []
        for index, value in enumerate(values):
            problem = identifier_problem(value)
            if problem is not None:
                self.report(problem, f"{_join(key, name)}[{index}]", value)
            else:
                kept.append(normalise_identifier(value))
        return kept

    def choice(
        self, table: Mapping[str, Any], name: str, key: str, choices: Sequence[str]
    ) -> str | None:
        value = self.string(table, name, key)
        if value is not None and value not in choices:
            options = ", ".join(repr(choice) for choice in choices)
            self.report(f"must be one of {options}", _join(key, name), value)
            return None
        return value

    def number(self, table: Mapping[str, Any], name: str, key: str) -> float | None:
        value = table.get(name)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        self.wrong_type("a number", _join(key, name), value)
        return None

    def finite(self, table: Mapping[str, Any], name: str, key: str) -> float | None:
        value = self.number(table, name, key)
        if value is not None and not math.isfinite(value):
            self.report("must be a finite number", _join(key, name), value)
            return None
        return value

    def text(self, table: Mapping[str, Any], name: str, key: str) -> dict[str, str]:
        value = table.get(name)
        if value is None:
            return {}
        if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
            return dict(value)
        self.wrong_type(f"a {self.table_word} of language code to text", _join(key, name), value)
        return {}

    def strings(self, table: Mapping[str, Any], name: str, key: str) -> list[str] | None:
        value = table.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            self.wrong_type("an array of strings", _join(key, name), value)
            return None
        good = True
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.wrong_type("a string", f"{_join(key, name)}[{index}]", item)
                good = False
        return value if good else None

    def numbers(self, table: Mapping[str, Any], name: str, key: str) -> list[float] | None:
        value = table.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            self.wrong_type("an array of numbers", _join(key, name), value)
            return None
        out: list[float] = []
        for index, item in enumerate(value):
            if not isinstance(item, int | float) or isinstance(item, bool):
                self.wrong_type("a number", f"{_join(key, name)}[{index}]", item)
            else:
                out.append(float(item))
        return out if len(out) == len(value) else None

    def free(self, table: Mapping[str, Any], name: str, key: str) -> dict[str, Any]:
        value = table.get(name)
        if value is None:
            return {}
        if isinstance(value, Mapping):
            return dict(value)
        self.wrong_type(f"a {self.table_word}", _join(key, name), value)
        return {}

    def aggregator(self, table: Mapping[str, Any], name: str, key: str) -> AggregatorSpec | None:
        value = table.get(name)
        where = _join(key, name)
        if value is None:
            return None
        if isinstance(value, str) and value:
            return AggregatorSpec(value)
        if isinstance(value, Mapping):
            spec_name = value.get("name")
            if isinstance(spec_name, str) and spec_name:
                return AggregatorSpec(spec_name, {k: v for k, v in value.items() if k != "name"})
            if "name" not in value:
                self.report("missing required key 'name'", _join(where, "name"))
            else:
                self.wrong_type("a non-empty string", _join(where, "name"), spec_name)
            return None
        self.wrong_type(f"an aggregator name or a {self.table_word} with a 'name'", where, value)
        return None

    def array(
        self, table: Mapping[str, Any], name: str, key: str
    ) -> Iterator[tuple[int, str, Any]]:
        value = table.get(name)
        if value is None:
            return
        if not isinstance(value, list):
            self.wrong_type(f"an array of {self.table_word}s", _join(key, name), value)
            return
        for index, item in enumerate(value):
            yield index, f"{_join(key, name)}[{index}]", item

    # --- the file ---

    def read(self, data: Mapping[str, Any]) -> dict[str, Any]:
        self.keys(data, "", _TOP_KEYS, _TOP_REQUIRED)
        schema = data.get("schema")
        if schema is not None and schema != SCHEMA_ID:
            self.report(f"unsupported schema; this version reads {SCHEMA_ID!r}", "schema", schema)
        head: Mapping[str, Any] = {}
        if "framework" in data:
            head = self.table(data["framework"], "framework") or {}
            if isinstance(data["framework"], Mapping):
                self.keys(head, "framework", _FRAMEWORK_KEYS, _FRAMEWORK_REQUIRED)
        languages = self.strings(head, "languages", "framework")
        default_language = self.string(head, "default_language", "framework")
        if languages is None:
            languages = [default_language] if default_language else ["en"]
        parts: dict[str, Any] = {
            "id": self.string(head, "id", "framework") or "",
            "title": self.text(head, "title", "framework"),
            "description": self.text(head, "description", "framework"),
            "languages": languages,
            "default_language": default_language,
            "default_scale": self.string(head, "default_scale", "framework"),
            "default_aggregator": self.aggregator(head, "default_aggregator", "framework")
            or "mean",
            "version": self.string(head, "version", "framework"),
            "citation": self.string(head, "citation", "framework"),
            "references": self.strings(head, "references", "framework") or [],
            "attributes": self.free(head, "attributes", "framework"),
        }
        parts["scales"] = self.scales(data)
        parts["nodes"] = [
            node
            for index, key, item in self.array(data, "nodes", "")
            if (node := self.node(item, key)) is not None
        ]
        parts["edges"] = [
            edge
            for index, key, item in self.array(data, "edges", "")
            if (edge := self.edge(item, key)) is not None
        ]
        return parts

    def scales(self, data: Mapping[str, Any]) -> list[Scale]:
        # Two passes: numeric bands name an ordinal scale that may come later in the file.
        scales: list[Scale] = []
        ordinal: dict[str, OrdinalScale] = {}
        broken: set[str] = set()
        numeric_kind: set[str] = set()
        pending: list[tuple[int, str, Mapping[str, Any]]] = []
        for index, key, item in self.array(data, "scales", ""):
            table = self.table(item, key)
            scale_id = None if table is None else self.string(table, "id", key)
            # A broken scale keeps its place (so key paths stay right) as a bare numeric scale.
            placeholder = NumericScale(scale_id or f"\0{key}")
            if table is None:
                scales.append(placeholder)
                continue
            count = len(self.problems)
            kind = self.choice(table, "kind", key, ("ordinal", "numeric"))
            if kind is None:
                self.keys(table, key, _ORDINAL_KEYS + _NUMERIC_KEYS, _SCALE_REQUIRED)
                scales.append(placeholder)
                broken.add(placeholder.id)
                continue
            if kind == "numeric":
                numeric_kind.add(placeholder.id)
                pending.append((index, key, table))
                scales.append(placeholder)
                continue
            scale = self.ordinal_scale(table, key, scale_id or "")
            if scale is None or len(self.problems) > count:
                scales.append(placeholder)
                broken.add(placeholder.id)
            else:
                scales.append(scale)
                ordinal.setdefault(scale.id, scale)
        for index, key, table in pending:
            numeric = self.numeric_scale(table, key, ordinal, broken, numeric_kind)
            if numeric is not None:
                scales[index] = numeric
        return scales

    def ordinal_scale(
        self, table: Mapping[str, Any], key: str, scale_id: str
    ) -> OrdinalScale | None:
        count = len(self.problems)
        self.keys(table, key, _ORDINAL_KEYS, _ORDINAL_REQUIRED, " for an ordinal scale")
        label = self.text(table, "label", key)
        description = self.text(table, "description", key)
        levels: list[Level] = []
        ids: dict[str, str] = {}
        scores: dict[float, str] = {}
        if "levels" in table and not table["levels"]:
            self.report("an ordinal scale needs at least one level", _join(key, "levels"))
        for _, level_key, item in self.array(table, "levels", key):
            level_table = self.table(item, level_key)
            if level_table is None:
                continue
            self.keys(level_table, level_key, _LEVEL_KEYS, _LEVEL_REQUIRED)
            level_id = self.string(level_table, "id", level_key)
            score = self.finite(level_table, "score", level_key)
            if level_id is not None and level_id in ids:
                self.report(
                    f"duplicate level id (first declared at {ids[level_id]})",
                    _join(level_key, "id"),
                    level_id,
                )
            if score is not None and score in scores:
                self.report(
                    f"level scores must be distinct (same score as {scores[score]})",
                    _join(level_key, "score"),
                    score,
                )
            if level_id is None or score is None:
                continue
            ids.setdefault(level_id, level_key)
            scores.setdefault(score, level_key)
            levels.append(
                Level(
                    level_id,
                    score,
                    label=self.text(level_table, "label", level_key),
                    description=self.text(level_table, "description", level_key),
                )
            )
        if not levels or len(self.problems) > count:
            return None
        bands = None
        if "bands" in table:
            bands_key = _join(key, "bands")
            bands_table = self.table(table["bands"], bands_key)
            if bands_table is None:
                return None
            self.keys(bands_table, bands_key, _BANDS_KEYS, ())
            ascending = sorted(levels, key=lambda level: level.score)
            bands = self.bands(
                bands_table,
                bands_key,
                ascending,
                default_range=(ascending[0].score, ascending[-1].score),
            )
            if bands is None:
                return None
        try:
            return OrdinalScale(scale_id, levels, label=label, description=description, bands=bands)
        except ScaleError as error:
            self.report(str(error), key)
            return None

    def numeric_scale(
        self,
        table: Mapping[str, Any],
        key: str,
        ordinal: Mapping[str, OrdinalScale],
        broken: set[str],
        numeric_kind: set[str],
    ) -> NumericScale | None:
        count = len(self.problems)
        self.keys(table, key, _NUMERIC_KEYS, _SCALE_REQUIRED, " for a numeric scale")
        scale_id = self.string(table, "id", key) or ""
        minimum = self.finite(table, "minimum", key)
        maximum = self.finite(table, "maximum", key)
        if minimum is not None and maximum is not None and not minimum < maximum:
            self.report(
                f"maximum must be above minimum ({minimum!r})", _join(key, "maximum"), maximum
            )
        options: dict[str, Any] = {
            "minimum": minimum,
            "maximum": maximum,
            "unit": self.string(table, "unit", key),
            "direction": self.choice(table, "direction", key, ("higher", "lower")) or "higher",
            "label": self.text(table, "label", key),
            "description": self.text(table, "description", key),
        }
        bands_key = _join(key, "bands")
        bands_table = self.table(table["bands"], bands_key) if "bands" in table else None
        if bands_table is not None:
            self.keys(bands_table, bands_key, _NUMERIC_BANDS_KEYS, _NUMERIC_BANDS_REQUIRED)
            target = self.string(bands_table, "scale", bands_key)
            scale_key = _join(bands_key, "scale")
            if target is None or target in broken:
                # The missing or broken target scale has been reported already.
                options.pop("bands", None)
            elif target in ordinal:
                levels = ordinal[target].ascending
                bands = self.bands(bands_table, bands_key, levels, default_range=(minimum, maximum))
                options.update(bands=bands, levels=ordinal[target] if bands else None)
            elif target in numeric_kind:
                self.report(
                    "bands must name an ordinal scale, not a numeric one", scale_key, target
                )
            else:
                self.report("bands refer to an unknown ordinal scale", scale_key, target)
        if len(self.problems) > count:
            return None
        try:
            return NumericScale(scale_id, **options)
        except ScaleError as error:
            self.report(str(error), key)
            return None

    def bands(
        self,
        bands: Mapping[str, Any],
        bands_key: str,
        ascending: Sequence[Level],
        *,
        default_range: tuple[float | None, float | None],
    ) -> Bands | None:
        """Read a ``bands`` table; ``ascending`` are the target levels, lowest score first."""
        count = len(self.problems)
        cuts = self.numbers(bands, "cuts", bands_key)
        method = self.choice(bands, "method", bands_key, ("explicit", "equal_width", "midpoints"))
        if method is None:
            method = "explicit" if "cuts" in bands else "midpoints"
        ties = self.choice(bands, "ties", bands_key, ("down", "up")) or "down"
        low = self.finite(bands, "low", bands_key)
        high = self.finite(bands, "high", bands_key)
        known = {level.id: level for level in ascending}
        level_ids = self.strings(bands, "levels", bands_key)
        for index, level_id in enumerate(level_ids or ()):
            if level_id not in known:
                self.report(
                    f"not a level of the scale (levels: {', '.join(known)})",
                    f"{_join(bands_key, 'levels')}[{index}]",
                    level_id,
                )
        if level_ids is None:
            level_ids = list(known)
        if len(self.problems) > count:
            return None
        ties_value = cast(Literal["down", "up"], ties)
        try:
            if cuts is not None:
                return Bands(
                    cuts,
                    level_ids,
                    ties_value,
                    cast(Literal["explicit", "equal_width", "midpoints"], method),
                    low,
                    high,
                )
            if method == "explicit":
                self.report("explicit bands need 'cuts'", _join(bands_key, "cuts"))
                return None
            if method == "midpoints":
                for name in ("low", "high"):
                    if name in bands:
                        self.report(
                            "only equal_width bands take low and high", _join(bands_key, name)
                        )
                if len(self.problems) > count:
                    return None
                return Bands.midpoints([known[level_id] for level_id in level_ids], ties=ties_value)
            low = default_range[0] if low is None else low
            high = default_range[1] if high is None else high
            if low is None or high is None:
                self.report(
                    "equal_width bands need 'low' and 'high' (or the scale's minimum and maximum)",
                    bands_key,
                )
                return None
            return Bands.equal_width(level_ids, low, high, ties=ties_value)
        except ScaleError as error:
            self.report(str(error), bands_key)
            return None

    def node(self, item: Any, key: str) -> Node | None:
        table = self.table(item, key)
        if table is None:
            return None
        self.keys(table, key, _NODE_KEYS, _NODE_REQUIRED)
        parents: list[str] = []
        if "parent" in table and "parents" in table:
            self.report("give either 'parent' or 'parents', not both", _join(key, "parents"))
        elif "parent" in table:
            parent = self.identifier(table, "parent", key)
            parents = [] if parent is None else [parent]
            self.singular.add(key)
        else:
            parents = self.identifiers(table, "parents", key) or []
        weight = self.number(table, "weight", key)
        node_id = self.identifier(table, "id", key)
        if node_id is None and isinstance(table.get("id"), str):
            return None  # a refused id is reported; a node named '' would only add noise
        return Node(
            node_id or "",
            self.string(table, "kind", key) or "",
            label=self.text(table, "label", key),
            description=self.text(table, "description", key),
            parents=tuple(parents),
            weight=weight,
            scale=self.string(table, "scale", key),
            aggregator=self.aggregator(table, "aggregator", key),
            recommendation=self.text(table, "recommendation", key),
            attributes=self.free(table, "attributes", key),
            key=key,
        )

    def edge(self, item: Any, key: str) -> Edge | None:
        table = self.table(item, key)
        if table is None:
            return None
        self.keys(table, key, _EDGE_KEYS, _EDGE_REQUIRED)
        parent = self.identifier(table, "parent", key)
        child = self.identifier(table, "child", key)
        weight = self.number(table, "weight", key)
        if parent is None or child is None or weight is None:
            return None
        return Edge(parent, child, weight, key=key)

    def rename(self, key: str | None) -> str | None:
        """Say ``nodes[i].parent`` where the file wrote a single ``parent``."""
        if key is None:
            return None
        for node_key in self.singular:
            for plural in (f"{node_key}.parents[0]", f"{node_key}.parents"):
                if key == plural or key.startswith((f"{plural}.", f"{plural}[")):
                    return f"{node_key}.parent{key[len(plural) :]}"
        return key


# --- locating key paths in the text ----------------------------------------------------------


def key_locator(text: str, *, format: Format = "toml") -> Callable[[str | None], int | None]:
    """A function from a key path (``checks[3].kind``) to its line in ``text``.

    Keys not in the text resolve to their nearest enclosing key; ``None``
    when nothing encloses them. Other TOML and JSON files of the project
    (such as ``case.toml``) use it to point errors at lines.

    >>> locate = key_locator('[case]\\nid = "x"\\n\\n[[units]]\\nid = "a"\\n')
    >>> locate("units[0].id"), locate("units[0].label"), locate("nowhere")
    (5, 4, None)
    """
    positions = _positions(text, format)
    return lambda key: _line_of(positions, key)


def _line_of(positions: Mapping[str, int], key: str | None) -> int | None:
    """The line of a key path, else of its nearest enclosing key that is in the text."""
    while key:
        if key in positions:
            return positions[key]
        found = _LAST_PART.search(key)
        key = key[: found.start()] if found else ""
    return None


def _positions(text: str, format: Format) -> dict[str, int]:
    scanner = _Scanner(text)
    # Positions are a courtesy: text that parsed but defeats the scanner keeps what was found.
    with contextlib.suppress(IndexError, ValueError, RecursionError):
        if format == "json":
            scanner.json_value("")
        else:
            scanner.toml_document()
    return scanner.positions


# The scanner moves by whole tokens matched with these, never one character per Python step,
# so locating keys stays fast on files of many megabytes.
_QUOTED = {
    '"': re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL),
    "'": re.compile(r"'[^']*'"),
}
_BLANK = re.compile(r"(?:[ \t\r]+|#[^\n]*)*")
_BLANK_LINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_SCALARS: dict[str, re.Pattern[str]] = {}


class _Scanner:
    """Walks TOML or JSON text and records the line where each key path starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.positions: dict[str, int] = {}

    def mark(self, path: str) -> None:
        self.positions.setdefault(path, self.line)

    def peek(self, literal: str = "") -> bool | str:
        if literal:
            return self.text.startswith(literal, self.pos)
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def advance(self, count: int = 1) -> None:
        chunk = self.text[self.pos : self.pos + count]
        self.line += chunk.count("\n")
        self.pos += count

    def skip(self, *, newlines: bool) -> None:
        """Skip spaces, comments (TOML) and, when asked, newlines."""
        found = (_BLANK_LINES if newlines else _BLANK).match(self.text, self.pos)
        assert found is not None  # a starred group always matches
        self.advance(found.end() - self.pos)

    def string(self, *, json_text: bool = False) -> str:
        """Consume a TOML or JSON string and return its value."""
        start = self.pos
        for delimiter in ('"""', "'''"):
            if self.peek(delimiter):
                end = self.text.index(delimiter, self.pos + 3)
                while self.text.startswith(delimiter[0], end + 3):
                    end += 1
                self.advance(end + 3 - self.pos)
                return ""
        quote = self.text[self.pos]
        found = _QUOTED[quote].match(self.text, self.pos)
        if found is None:
            raise ValueError("unterminated string")
        self.advance(found.end() - self.pos)
        raw = self.text[start : self.pos]
        if quote == "'" or "\\" not in raw:
            return raw[1:-1]
        if json_text:
            return cast(str, json.loads(raw))
        return cast(str, tomllib.loads(f"k = {raw}")["k"])

    def scalar(self, stops: str) -> None:
        pattern = _SCALARS.get(stops)
        if pattern is None:
            pattern = _SCALARS[stops] = re.compile(f"[^{re.escape(stops)}]*")
        found = pattern.match(self.text, self.pos)
        assert found is not None  # a starred class always matches
        self.advance(found.end() - self.pos)

    # --- TOML ---

    def toml_key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip(newlines=False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                found = _BARE_KEY.match(self.text, self.pos)
                if found is None:
                    raise ValueError("not a key")
                parts.append(found.group())
                self.advance(len(found.group()))
            self.skip(newlines=False)
            if self.peek() != ".":
                return parts
            self.advance()

    def toml_document(self) -> None:
        arrays: dict[str, int] = {}
        table = ""

        def resolve(parts: Sequence[str]) -> str:
            path = ""
            for part in parts:
                path = _join(path, part)
                if path in arrays:
                    path = f"{path}[{arrays[path] - 1}]"
            return path

        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.peek("[["):
                self.advance(2)
                parts = self.toml_key()
                self.advance(2)
                full = _join(resolve(parts[:-1]), parts[-1])
                arrays[full] = arrays.get(full, 0) + 1
                table = f"{full}[{arrays[full] - 1}]"
                self.mark(full)
                self.mark(table)
            elif self.peek("["):
                self.advance()
                table = resolve(self.toml_key())
                self.advance()
                self.mark(table)
            else:
                path = table
                for part in self.toml_key():
                    path = _join(path, part)
                    self.mark(path)
                self.advance()  # the "="
                self.toml_value(path)

    def toml_value(self, path: str) -> None:
        self.skip(newlines=False)
        char = self.peek()
        if char == "[":
            self.advance()
            index = 0
            while True:
                self.skip(newlines=True)
                if self.peek() == "]":
                    self.advance()
                    return
                item = f"{path}[{index}]"
                self.mark(item)
                self.toml_value(item)
                index += 1
                self.skip(newlines=True)
                if self.peek() == ",":
                    self.advance()
        elif char == "{":
            self.advance()
            while True:
                self.skip(newlines=True)
                if self.peek() == "}":
                    self.advance()
                    return
                sub = path
                for part in self.toml_key():
                    sub = _join(sub, part)
                    self.mark(sub)
                self.advance()  # the "="
                self.toml_value(sub)
                self.skip(newlines=True)
                if self.peek() == ",":
                    self.advance()
        elif char in ('"', "'"):
            self.string()
        else:
            self.scalar(",]}\n#")

    # --- JSON ---

    def json_value(self, path: str) -> None:
        self.skip(newlines=True)
        self.mark(path)
        char = self.peek()
        if char == "{":
            self.advance()
            while True:
                self.skip(newlines=True)
                if self.peek() == "}":
                    self.advance()
                    return
                if self.peek() == ",":
                    self.advance()
                    continue
                name = self.string(json_text=True)
                self.mark(_join(path, name))
                self.skip(newlines=True)
                self.advance()  # the ":"
                self.json_value(_join(path, name))
        elif char == "[":
            self.advance()
            index = 0
            while True:
                self.skip(newlines=True)
                if self.peek() == "]":
                    self.advance()
                    return
                if self.peek() == ",":
                    self.advance()
                    continue
                self.json_value(f"{path}[{index}]")
                index += 1
        elif char == '"':
            self.string()
        else:
            self.scalar(",]}\n")


# --- writing -------------------------------------------------------------------------------


def _number(value: float) -> int | float:
    """Write whole numbers as integers (exactly representable ones only)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _canonical(value: Any) -> Any:
    """Free data with mapping keys sorted and whole floats as integers (stable output)."""
    if isinstance(value, Mapping):
        return {str(key): _canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, float):
        return _number(value)
    return value


def _aggregator(spec: AggregatorSpec) -> str | dict[str, Any]:
    if not spec.params:
        return spec.name
    return {"name": spec.name, **_canonical(spec.params)}


def _put(out: dict[str, Any], name: str, value: Any) -> None:
    """Set a key unless the value is empty (``None``, ``{}``, ``[]``, ``()``)."""
    if value is not None and value != {} and value != [] and value != ():
        out[name] = value


def _framework_table(fw: Framework) -> dict[str, Any]:
    out: dict[str, Any] = {"id": fw.id}
    _put(out, "version", fw.version)
    out["default_language"] = fw.default_language
    out["languages"] = list(fw.languages)
    _put(out, "default_scale", fw.default_scale)
    if fw.default_aggregator != AggregatorSpec("mean"):
        out["default_aggregator"] = _aggregator(fw.default_aggregator)
    _put(out, "citation", fw.citation)
    _put(out, "references", list(fw.references))
    _put(out, "title", dict(fw.title))
    _put(out, "description", dict(fw.description))
    _put(out, "attributes", _canonical(fw.attributes))
    return out


def _bands_table(
    bands: Bands,
    ascending: tuple[str, ...],
    regenerate: Callable[[dict[str, Any]], Bands | None],
) -> dict[str, Any]:
    """The shortest bands table that reads back as ``bands``, else the full one."""
    ties: dict[str, Any] = {} if bands.ties == "down" else {"ties": bands.ties}
    short: dict[str, Any]
    if bands.method == "midpoints":
        short = {"method": "midpoints", **ties}
    elif bands.method == "equal_width":
        short = {"method": "equal_width", "low": bands.low, "high": bands.high, **ties}
        if bands.levels != ascending:
            short["levels"] = list(bands.levels)
    else:
        short = {"cuts": list(bands.cuts), "levels": list(bands.levels), **ties}
    short = {key: value for key, value in short.items() if value is not None}
    if regenerate(short) != bands:
        short = {
            "method": bands.method,
            **ties,
            "cuts": list(bands.cuts),
            "levels": list(bands.levels),
        }
        _put(short, "low", bands.low)
        _put(short, "high", bands.high)
    return _canonical(short)  # type: ignore[no-any-return]


def _regenerate(
    table: dict[str, Any], scale_table: dict[str, Any], levels: OrdinalScale
) -> Bands | None:
    """Read a bands table back the way a file would be read (no problems expected)."""
    reader = _Reader("toml")
    default_range = (
        (levels.minimum, levels.maximum)
        if "levels" in scale_table
        else (scale_table.get("minimum"), scale_table.get("maximum"))
    )
    return reader.bands(table, "bands", levels.ascending, default_range=default_range)


def _level_table(level: Level) -> dict[str, Any]:
    out: dict[str, Any] = {"id": level.id, "score": _number(level.score)}
    _put(out, "label", dict(level.label))
    _put(out, "description", dict(level.description))
    return out


def _scale_table(scale: Scale) -> dict[str, Any]:
    out: dict[str, Any] = {"id": scale.id, "kind": scale.kind}
    _put(out, "label", dict(scale.label))
    _put(out, "description", dict(scale.description))
    if isinstance(scale, OrdinalScale):
        out["levels"] = [_level_table(level) for level in scale.levels]
        if scale.bands is not None:
            ascending = tuple(level.id for level in scale.ascending)
            out["bands"] = _bands_table(
                scale.bands, ascending, lambda table: _regenerate(table, out, scale)
            )
        return out
    for name in ("minimum", "maximum"):
        bound = getattr(scale, name)
        _put(out, name, None if bound is None else _number(bound))
    _put(out, "unit", scale.unit)
    if scale.direction != "higher":
        out["direction"] = scale.direction
    if scale.bands is not None and scale.levels is not None:
        target = scale.levels
        ascending = tuple(level.id for level in target.ascending)
        table = _bands_table(scale.bands, ascending, lambda t: _regenerate(t, out, target))
        out["bands"] = {"scale": target.id, **table}
    return out


def _node_table(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"id": node.id, "kind": node.kind}
    _put(out, "label", dict(node.label))
    _put(out, "description", dict(node.description))
    if len(node.parents) == 1:
        out["parent"] = node.parents[0]
    _put(out, "parents", list(node.parents) if len(node.parents) > 1 else None)
    _put(out, "weight", None if node.weight is None else _number(node.weight))
    _put(out, "scale", node.scale)
    if node.aggregator is not None:
        out["aggregator"] = _aggregator(node.aggregator)
    _put(out, "recommendation", dict(node.recommendation))
    _put(out, "attributes", _canonical(node.attributes))
    return out


def _toml_scalar(value: Any) -> str:
    """One TOML value on one line (strings, numbers, booleans, arrays, inline tables)."""
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        pairs = (f"{_toml_key(key)} = {_toml_scalar(item)}" for key, item in value.items())
        return "{ " + ", ".join(pairs) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_scalar(item) for item in value) + "]"
    line = tomli_w.dumps({"v": value})
    return line[len("v = ") : -1]


def _toml_key(key: str) -> str:
    line = tomli_w.dumps({key: 0})
    return line[: -len(" = 0\n")]


def _toml_table(header: str, table: Mapping[str, Any], subtables: Sequence[str] = ()) -> str:
    lines = [header] if header else []
    lines += [
        f"{_toml_key(key)} = {_toml_scalar(value)}"
        for key, value in table.items()
        if key not in subtables
    ]
    return "\n".join(lines) + "\n"


def _toml_document(data: Mapping[str, Any]) -> str:
    """Write the canonical structure as TOML: tables and arrays of tables, inline text maps."""
    chunks = [
        _toml_table("", {"schema": data["schema"]}),
        _toml_table("[framework]", data["framework"]),
    ]
    for scale in data.get("scales", ()):
        chunks.append(_toml_table("[[scales]]", scale, ("levels",)))
        chunks += [_toml_table("[[scales.levels]]", level) for level in scale.get("levels", ())]
    chunks += [_toml_table("[[nodes]]", node) for node in data["nodes"]]
    chunks += [_toml_table("[[edges]]", edge) for edge in data.get("edges", ())]
    return "\n".join(chunks)


_EXAMPLE = """
[framework]
id = "tiny"
default_scale = "yn"

[[scales]]
id = "yn"
kind = "ordinal"
levels = [{ id = "yes", score = 1, label = { en = "Yes" } },
          { id = "no", score = 0, label = { en = "No" } }]

[[nodes]]
id = "all"
kind = "root"
label = { en = "All" }

[[nodes]]
id = "a"
kind = "indicator"
label = { en = "A" }
parent = "all"
weight = 2
"""
