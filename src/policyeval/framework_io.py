"""Framework files: load, validate and write evaluation frameworks.

A framework file is TOML (``.toml``) or JSON (``.json``) with the same
structure: a ``[framework]`` table, ``[[scales]]`` with their
``[[scales.levels]]``, ``[[nodes]]`` and optional ``[[edges]]``. The format
is documented in ``docs/reference/framework-format.rst`` and described by a
JSON Schema shipped with the package (:func:`framework_schema`).

Reading a file checks it in two steps, each collecting every problem before
raising: first its shape against the JSON Schema with ``jsonschema`` (unknown
keys, typos caught with a "did you mean", wrong types, missing keys, values
out of range), then, for a file of the right shape, its meaning: everything
:meth:`~policyeval.framework.Framework.build` reports (duplicate ids,
dangling parents, cycles, several roots ...). Each problem names the file,
the line and the key path. A typo is reported alone, without the problems of
meaning it would cause.

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
policyeval.exceptions.FrameworkError: tiny.toml:21: nodes[1].parnet: unknown key 'parnet' (did you mean 'parent'?)
>>> loads_framework(text.replace('parent = "all"', 'parent = "al"'), source="tiny.toml")
Traceback (most recent call last):
...
policyeval.exceptions.FrameworkError: 2 problems:
  - tiny.toml:14: nodes[0].kind: inner node 'all' (kind 'root') has no children
  - tiny.toml:21: nodes[1].parent: dangling edge: node 'a' names an unknown parent (got 'al')
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import attrs

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
    "MAX_FRAMEWORK_BYTES",
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

MAX_FRAMEWORK_BYTES = 64 * 1024 * 1024
"""The default largest framework file read, in bytes (64 MiB: some 400,000 nodes).

Raise it with ``max_bytes``, ``framework_bytes`` in a case's ``[limits]``,
or ``--limit framework_bytes=N`` on the command line."""

_SUFFIXES: dict[str, Format] = {".toml": "toml", ".json": "json"}

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LAST_PART = re.compile(r'(\[(?:\d+|"(?:[^"\\]|\\.)*")\]|\.[A-Za-z0-9_-]+)$')


# --- public API ----------------------------------------------------------------------------


def _schema_text() -> str:
    from policyeval.schemas import _schema_text

    return _schema_text("framework")


def framework_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the framework file format.

    >>> schema = framework_schema()
    >>> schema["properties"]["schema"]["const"]
    'policyeval.framework/1'
    >>> sorted(schema["required"])
    ['framework', 'nodes']
    """
    text = _schema_text()
    return cast(dict[str, Any], json.loads(text))


def load_framework(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_FRAMEWORK_BYTES
) -> Framework:
    """Read a framework file (``.toml`` or ``.json``, chosen by suffix).

    Raises :class:`~policyeval.exceptions.FrameworkError` listing every
    problem of the file, each with the file name, line and key path.
    ``Framework.source`` is set to the path. A file larger than
    ``max_bytes`` is refused before it is read.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> load_framework(folder / "fw.yaml")
    Traceback (most recent call last):
    ...
    policyeval.exceptions.FrameworkError: ...fw.yaml: unsupported framework file suffix '.yaml'; use .toml or .json
    """
    framework, problems = _check_file(path, max_bytes)
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
    policyeval.exceptions.FrameworkError: one.toml: nodes[1].weight: must be a number >= 0 (got -1)
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
        for parent in fw.node_ids
        for child in fw.children(parent)
        for weight in (fw.weight(parent, child),)
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


def check_framework_file(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_FRAMEWORK_BYTES
) -> list[Problem]:
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
    broken.toml:4: nodes[0].id: must be a string, not a number (got 3)
    """
    framework, problems = _check_file(path, max_bytes)
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


def _check_file(
    path: str | os.PathLike[str], max_bytes: int
) -> tuple[Framework | None, list[Problem]]:
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
        text = read_bytes(source, max_bytes=max_bytes).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        message = str(error)
        if "limit" in message:
            message += (
                " (raise it with --limit framework_bytes=N, or the same key in the case's [limits])"
            )
        return None, [Problem(f"cannot read the file: {message}", file=source)]
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
    from policyeval.schemas import schema_problems

    # The schema checks every key's name and type; the reader below checks meaning only.
    shape = schema_problems(data, "framework", file=source, text=text, json_text=format == "json")
    if shape:
        return None, shape
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
    locate = (
        key_locator(text, format=format, keys=[problem.key for problem in problems])
        if text is not None
        else (lambda key: None)
    )
    located = [
        attrs.evolve(
            problem,
            file=source,
            line=problem.line if problem.line is not None else locate(problem.key),
        )
        for problem in problems
    ]
    located.sort(key=lambda p: p.line if p.line is not None else math.inf)
    return framework, located


def _under(key: str, prefix: str) -> bool:
    return key == prefix or key.startswith((f"{prefix}.", f"{prefix}["))


class _Reader:
    """Turns parsed file content into the arguments of ``Framework.build``, noting problems."""

    def __init__(self, format: Format) -> None:
        self.format = format
        self.problems: list[Problem] = []
        # Node key paths whose file says ``parent = "x"`` rather than ``parents = [...]``.
        self.singular: set[str] = set()

    # --- reading values: their names and types are the schema's, checked before the reader ---

    def report(self, message: str, key: str, value: Any = UNSET) -> None:
        self.problems.append(Problem(message, key=key, value=value))

    def table(self, value: Any, key: str) -> Mapping[str, Any]:
        return cast(Mapping[str, Any], value)

    def string(self, table: Mapping[str, Any], name: str, key: str) -> str | None:
        return cast(str | None, table.get(name))

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

    def number(self, table: Mapping[str, Any], name: str, key: str) -> float | None:
        value = table.get(name)
        return None if value is None else float(value)

    def finite(self, table: Mapping[str, Any], name: str, key: str) -> float | None:
        # TOML's inf and nan are numbers to the schema, not to a scale.
        value = self.number(table, name, key)
        if value is not None and not math.isfinite(value):
            self.report("must be a finite number", _join(key, name), value)
            return None
        return value

    def text(self, table: Mapping[str, Any], name: str, key: str) -> dict[str, str]:
        return dict(table.get(name) or {})

    def strings(self, table: Mapping[str, Any], name: str, key: str) -> list[str] | None:
        value = table.get(name)
        return None if value is None else list(value)

    def numbers(self, table: Mapping[str, Any], name: str, key: str) -> list[float] | None:
        value = table.get(name)
        return None if value is None else [float(item) for item in value]

    def free(self, table: Mapping[str, Any], name: str, key: str) -> dict[str, Any]:
        return dict(table.get(name) or {})

    def aggregator(self, table: Mapping[str, Any], name: str, key: str) -> AggregatorSpec | None:
        value = table.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return AggregatorSpec(value)
        return AggregatorSpec(value["name"], {k: v for k, v in value.items() if k != "name"})

    def array(
        self, table: Mapping[str, Any], name: str, key: str
    ) -> Iterator[tuple[int, str, Any]]:
        for index, item in enumerate(table.get(name) or ()):
            yield index, f"{_join(key, name)}[{index}]", item

    # --- the file ---

    def read(self, data: Mapping[str, Any]) -> dict[str, Any]:
        schema = data.get("schema")
        if schema is not None and schema != SCHEMA_ID:
            self.report(f"unsupported schema; this version reads {SCHEMA_ID!r}", "schema", schema)
        head: Mapping[str, Any] = {}
        if "framework" in data:
            head = self.table(data["framework"], "framework")
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
            scale_id = self.string(table, "id", key)
            # A broken scale keeps its place (so key paths stay right) as a bare numeric scale.
            placeholder = NumericScale(scale_id or f"\0{key}")
            count = len(self.problems)
            if self.string(table, "kind", key) == "numeric":
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
        label = self.text(table, "label", key)
        description = self.text(table, "description", key)
        levels: list[Level] = []
        ids: dict[str, str] = {}
        scores: dict[float, str] = {}
        for _, level_key, item in self.array(table, "levels", key):
            level_table = self.table(item, level_key)
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
            "direction": self.string(table, "direction", key) or "higher",
            "label": self.text(table, "label", key),
            "description": self.text(table, "description", key),
        }
        bands_key = _join(key, "bands")
        bands_table = self.table(table["bands"], bands_key) if "bands" in table else None
        if bands_table is not None:
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
        method = self.string(bands, "method", bands_key)
        if method is None:
            method = "explicit" if "cuts" in bands else "midpoints"
        ties = self.string(bands, "ties", bands_key) or "down"
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
        parents: list[str] = []
        if "parent" in table:
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


def key_locator(
    text: str, *, format: Format = "toml", keys: Iterable[str | None] | None = None
) -> Callable[[str | None], int | None]:
    """A function from a key path (``checks[3].kind``) to its line in ``text``.

    Keys not in the text resolve to their nearest enclosing key; ``None``
    when nothing encloses them. Other TOML and JSON files of the project
    (such as ``case.toml``) use it to point errors at lines. The text is
    scanned once, linearly, on the first question; naming the ``keys`` to
    be asked lets the scan pass over the tables that hold none of them
    without recording their keys (another key is still found, by a second
    scan).

    >>> locate = key_locator('[case]\\nid = "x"\\n\\n[[units]]\\nid = "a"\\n')
    >>> locate("units[0].id"), locate("units[0].label"), locate("nowhere")
    (5, 4, None)
    """
    return _Locator(text, format, None if keys is None else _enclosing(keys))


def _enclosing(keys: Iterable[str | None]) -> set[str]:
    """Every key path given and every path enclosing one (``a.b[1].c``: ``a.b[1]``, ``a.b``, ``a``)."""
    found = {""}
    for key in keys:
        while key:
            found.add(key)
            part = _LAST_PART.search(key)
            key = key[: part.start()] if part else ""
    return found


class _Locator:
    """Key path -> line. The text is scanned once, on the first question, for the offset of
    each key; offsets become lines by bisecting the offsets of the line breaks, found once."""

    def __init__(self, text: str, format: Format, wanted: set[str] | None) -> None:
        self.text, self.format, self.wanted = text, format, wanted
        self.offsets: dict[str, int] | None = None
        self.breaks: list[int] | None = None

    def __call__(self, key: str | None) -> int | None:
        if self.wanted is not None and key not in self.wanted and key:
            self.wanted, self.offsets = None, None  # a key nobody announced: scan everything
        if self.offsets is None:
            self.offsets = _positions(self.text, self.format, self.wanted)
        offset = _offset_of(self.offsets, key)
        if offset is None:
            return None
        if self.breaks is None:
            self.breaks = [found.start() for found in re.finditer("\n", self.text)]
        return bisect.bisect_left(self.breaks, offset) + 1


def _offset_of(positions: Mapping[str, int], key: str | None) -> int | None:
    """The offset of a key path, else of its nearest enclosing key that is in the text."""
    while key:
        if key in positions:
            return positions[key]
        found = _LAST_PART.search(key)
        key = key[: found.start()] if found else ""
    return None


def _positions(text: str, format: Format, wanted: set[str] | None = None) -> dict[str, int]:
    """The offset in ``text`` where each key path starts (each in ``wanted``, when given)."""
    scanner = _Scanner(text, wanted)
    # Positions are a courtesy: text that parsed but defeats the scanner keeps what was found.
    with contextlib.suppress(IndexError, ValueError, RecursionError):
        if format == "json":
            scanner.json_value("")
        else:
            scanner.toml_document()
    return scanner.positions


# The scanner moves by whole tokens matched with these, never one character per Python step,
# so locating keys stays fast on files of many megabytes.
_QUOTED_PATTERNS = {'"': r'"(?:[^"\\]|\\.)*"', "'": r"'[^']*'"}
_BLANK = r"(?:[ \t\r]+|#[^\n]*)*"
# Fast paths for the statements most files are made of: ``key = "text"`` or ``key = 1`` on one
# line, the same pair inside an inline table, and ``"key": "text"`` or ``"key": 1`` in JSON.
# Possessive quantifiers (*+, ++) never give back what they matched: a line that fails a fast
# path fails at once, however many blank lines or spaces stand before it, instead of trying
# every way to split them.
_SIMPLE_VALUE = r"""(?:"(?:[^"\\\n]|\\.)*+"(?!")|'[^'\n]*+'(?!')|[-+0-9A-Za-z_.:]++)"""
_BLANKS = r"(?:[ \t\r\n]|#[^\n]*+)*+"
_TOML_PAIR = rf"([A-Za-z0-9_-]+)[ \t]*+=[ \t]*+{_SIMPLE_VALUE}[ \t]*+"
_INLINE = rf"\{{[ \t]*+(?:{_TOML_PAIR},[ \t]*+)*+(?:{_TOML_PAIR})?\}}"
_LINE_END = r"[ \t\r]*+(?:#[^\n]*+)?(?=\n|\Z)"
_TOML_FAST = (
    _BLANKS + r"(?:\[\[(?P<array>[A-Za-z0-9_-]+)\]\]|\[(?P<table>[A-Za-z0-9_-]+)\]"
    rf"|(?P<key>[A-Za-z0-9_-]+)[ \t]*+=[ \t]*+(?:{_SIMPLE_VALUE}|(?P<inline>{_INLINE})))"
    + _LINE_END
)
# A run of simple key lines (no header), passed over when their table holds no wanted key.
_TOML_RUN = rf"(?:{_BLANKS}[A-Za-z0-9_-]+[ \t]*+=[ \t]*+(?:{_SIMPLE_VALUE}|{_INLINE}){_LINE_END})*+"
_JSON_MEMBER = (
    r'"([^"\\\n]*)"[ \t\r\n]*:[ \t\r\n]*(?:"(?:[^"\\\n]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)'
)
_BLANK_LINES = r"(?:[ \t\r\n]+|#[^\n]*)*"
_SCALARS: dict[str, re.Pattern[str]] = {}


class _Patterns:
    """The scanner's regular expressions, compiled when a key is first located: a file that
    is valid never needs them, and compiling them costs more than checking a small file."""

    def __init__(self) -> None:
        self.quoted = {
            '"': re.compile(_QUOTED_PATTERNS['"'], re.DOTALL),
            "'": re.compile(_QUOTED_PATTERNS["'"]),
        }
        self.blank = re.compile(_BLANK)
        self.blank_lines = re.compile(_BLANK_LINES)
        self.toml_pair = re.compile(_TOML_PAIR)
        self.toml_fast = re.compile(_TOML_FAST)
        self.toml_run = re.compile(_TOML_RUN)
        self.json_member = re.compile(_JSON_MEMBER)


@functools.cache
def _patterns() -> _Patterns:
    return _Patterns()


class _Scanner:
    """Walks TOML or JSON text and records the offset where each key path starts."""

    def __init__(self, text: str, wanted: set[str] | None = None) -> None:
        self.text = text
        self.pos = 0
        self.positions: dict[str, int] = {}
        self.wanted = wanted
        self.patterns = _patterns()

    def mark(self, path: str) -> None:
        if self.wanted is None or path in self.wanted:
            self.positions.setdefault(path, self.pos)

    def peek(self, literal: str = "") -> bool | str:
        if literal:
            return self.text.startswith(literal, self.pos)
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def advance(self, count: int = 1) -> None:
        self.pos += count

    def skip(self, *, newlines: bool) -> None:
        """Skip spaces, comments (TOML) and, when asked, newlines."""
        found = (self.patterns.blank_lines if newlines else self.patterns.blank).match(
            self.text, self.pos
        )
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
        found = self.patterns.quoted[quote].match(self.text, self.pos)
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

        text, positions, wanted = self.text, self.positions, self.wanted
        fast = self.patterns.toml_fast.match
        while True:
            # Most lines are simple: a bare key with a one-line value, or a one-word header.
            found = fast(text, self.pos)
            while found is not None:
                key = found["key"]
                if key is not None and wanted is not None and table not in wanted:
                    # A table holding no wanted key: pass over its simple lines in one step.
                    run = self.patterns.toml_run.match(text, self.pos)
                    self.pos = max(run.end() if run else 0, found.end())
                elif key is not None:
                    path = f"{table}.{key}" if table else key
                    positions.setdefault(path, found.start("key"))
                    inline = found["inline"]
                    if inline:
                        base = found.start("inline")
                        for pair in self.patterns.toml_pair.finditer(inline):
                            positions.setdefault(f"{path}.{pair[1]}", base + pair.start(1))
                    self.pos = found.end()
                elif found["array"] is not None:
                    name = found["array"]
                    arrays[name] = arrays.get(name, 0) + 1
                    table = f"{name}[{arrays[name] - 1}]"
                    positions.setdefault(name, found.start("array"))
                    positions.setdefault(table, found.start("array"))
                    self.pos = found.end()
                else:
                    name = found["table"]
                    table = f"{name}[{arrays[name] - 1}]" if name in arrays else name
                    positions.setdefault(table, found.start("table"))
                    self.pos = found.end()
                found = fast(text, self.pos)
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
                found = self.patterns.toml_pair.match(self.text, self.pos)
                if found is not None:
                    self.mark(_join(path, found.group(1)))
                    self.pos = found.end()
                    if self.peek() == ",":
                        self.advance()
                    continue
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
                found = self.patterns.json_member.match(self.text, self.pos)
                if found is not None:
                    self.mark(_join(path, found.group(1)))
                    self.pos = found.end()
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
    import tomli_w  # only writing needs it

    line = tomli_w.dumps({"v": value})
    return line[len("v = ") : -1]


def _toml_key(key: str) -> str:
    import tomli_w

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
