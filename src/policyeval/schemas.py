"""File formats as JSON Schemas: one schema per format, checked with ``jsonschema``.

The package ships ``schema/case.schema.json`` (``case.toml``) and
``schema/framework.schema.json`` (framework files). A file is checked
against its schema first: wrong types, unknown keys, missing keys and
values outside a fixed set or range are found there, each turned into a
:class:`~policyeval.exceptions.Problem` naming the file, the line and the
key path, in the words the rest of policyeval uses. Only what fits the
schema reaches the checks of meaning in code (framework ids, levels, plug-in
parameters, paths): a whole framework file, or each section of a case file.
A case file's ``nan`` and ``inf`` are refused here too, as they pass every
bound a schema sets.

A file that fits its schema, as most do, is passed by a quick check of its
own (:mod:`policyeval._schema_fit`) without loading ``jsonschema``; only a
file that does not fit is run through ``jsonschema``, which locates every
problem.

>>> sorted(case_schema()["properties"])[:4]
['aggregation', 'case', 'checks', 'data']
>>> for problem in schema_problems({"case": "x", "evidence": {"lenent": True}}, "case",
...                                file="case.toml", text='case = "x"\\n[evidence]\\nlenent = true\\n'):
...     print(problem)
case.toml:1: case: must be a table, not a string (got 'x')
case.toml:3: evidence.lenent: unknown key (did you mean 'lenient'?) (allowed: file, lenient, sheet, sources)
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

from policyeval._resources import package_files
from policyeval._schema_fit import UnsupportedSchema, fit_check
from policyeval.exceptions import UNSET, Problem, did_you_mean

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

__all__ = ["case_schema", "schema_problems"]

Format = Literal["case", "framework"]

_FILES: dict[Format, str] = {
    "case": "schema/case.schema.json",
    "framework": "schema/framework.schema.json",
}
_CONSTANT = {
    # The one const of each format: the format version.
    "case": "unsupported schema (expected {expected})",
    "framework": "unsupported schema; this version reads {expected}",
}


@functools.cache
def _schema_text(kind: Format) -> str:
    return package_files("policyeval", __file__).joinpath(_FILES[kind]).read_text("utf-8")


def case_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``case.toml``, a fresh copy on every call.

    >>> case_schema()["properties"]["schema"]["const"]
    'policyeval.case/1'
    """
    return cast(dict[str, Any], json.loads(_schema_text("case")))


@functools.cache
def _inlined(kind: Format) -> dict[str, Any]:
    # Following a $ref costs more than the check it leads to, on every node of a large file:
    # the schemas refer only to their own $defs, without cycles, so the refs are put in place.
    schema = json.loads(_schema_text(kind))
    return cast(dict[str, Any], _inline(schema, schema.get("$defs", {})))


@functools.cache
def _fits(kind: Format) -> Callable[[Any], bool] | None:
    """The quick yes-or-no check of the schema of ``kind`` (``None`` should the schema use a
    keyword the check does not know: then every file goes through ``jsonschema``)."""
    try:
        return fit_check(json.loads(_schema_text(kind)))
    except UnsupportedSchema:
        return None


@functools.cache
def _validator(kind: Format) -> jsonschema.protocols.Validator:
    import jsonschema

    schema = _inlined(kind)
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema)


def _inline(schema: Any, definitions: Mapping[str, Any]) -> Any:
    """``schema`` with every local ``{"$ref": "#/$defs/name"}`` replaced by its definition."""
    if isinstance(schema, list):
        return [_inline(item, definitions) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target = definitions[str(schema["$ref"]).removeprefix("#/$defs/")]
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        return {**_inline(target, definitions), **_inline(rest, definitions)}
    return {key: _inline(value, definitions) for key, value in schema.items()}


def schema_problems(
    data: Mapping[str, Any],
    kind: Format,
    *,
    file: str | None,
    text: str | None = None,
    json_text: bool = False,
) -> list[Problem]:
    """Every way ``data`` (a parsed file) departs from the schema of ``kind``, located.

    ``text`` is the file's text (TOML, or JSON when ``json_text``): problems
    then carry the line of their key. Problems come in file order.
    """
    from policyeval.framework_io import key_locator

    problems: list[Problem] = []
    fits = _fits(kind)
    if fits is None or not fits(data):
        validator = _validator(kind)
        describe = _Describer(validator, table_word="object" if json_text else "table", kind=kind)
        for error in validator.iter_errors(data):
            problems.extend(describe(error))
    if kind == "case":
        problems.extend(_non_finite(data))
    if not problems:
        return []
    locate: Callable[[str | None], int | None] = (
        key_locator(
            text,
            format="json" if json_text else "toml",
            keys=[problem.key for problem in problems],
        )
        if text is not None
        else lambda key: None
    )
    located = {
        (problem.key, problem.message): Problem(
            problem.message,
            file=file,
            line=locate(problem.key),
            key=problem.key,
            value=problem.value,
        )
        for problem in problems
    }
    return sorted(
        located.values(),
        key=lambda p: (math.inf if p.line is None else p.line, p.key or ""),
    )


def _non_finite(data: Any) -> Iterator[Problem]:
    """TOML's ``nan`` and ``inf`` pass a schema's bounds (every comparison with NaN is false), and
    no setting of a case means them: each is a problem at its key."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            yield Problem("must be a finite number", key=_key(path), value=value)
        elif isinstance(value, Mapping):
            stack.extend(((*path, name), item) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))


def _key(path: Iterable[Any]) -> str:
    """A key path as the rest of policyeval writes it: ``a.b[2]``, ``a["x y"]``."""
    from policyeval.framework_io import _join

    key = ""
    for part in path:
        key = f"{key}[{part}]" if isinstance(part, int) else _join(key, str(part))
    return key


def _describe_value(value: Any, table_word: str) -> str:
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
    return f"a {type(value).__name__}"  # a TOML date or time


def _scalar(value: Any) -> Any:
    """The value a problem shows: scalars only, never a whole table or array."""
    return UNSET if isinstance(value, Mapping | list) else value


class _Describer:
    """Turns one jsonschema error into problems worded like policyeval's own."""

    def __init__(
        self, validator: jsonschema.protocols.Validator, *, table_word: str, kind: Format
    ) -> None:
        self.validator = validator
        self.table_word = table_word
        self.kind = kind
        self.types = {
            "string": "a string",
            "number": "a number",
            "integer": "an integer",
            "boolean": "true or false",
            "object": f"a {table_word}",
            "array": "an array",
        }

    def expected(self, schema: Mapping[str, Any]) -> str:
        """What a subschema takes: its ``x-expected`` (every ``anyOf`` and ``oneOf`` of the
        shipped schemas gives one), else its types."""
        if "x-expected" in schema:
            return str(schema["x-expected"]).replace("{table}", self.table_word)
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return " or ".join(self.types.get(str(name), str(name)) for name in types)

    def wrong_type(self, error: ValidationError, schema: Mapping[str, Any]) -> Problem:
        found = _describe_value(error.instance, self.table_word)
        return Problem(
            f"must be {self.expected(schema)}, not {found}",
            key=_key(error.absolute_path),
            value=_scalar(error.instance),
        )

    def __call__(self, error: ValidationError) -> list[Problem]:
        key = _key(error.absolute_path)
        schema = cast(Mapping[str, Any], error.schema)  # refs are inlined: see _validator
        instance: Any = error.instance
        validator = str(error.validator)
        if "x-message" in schema:
            return [Problem(str(schema["x-message"]), key=key, value=_scalar(instance))]
        if validator in ("anyOf", "oneOf"):
            return self.branches(error, schema)
        if validator == "type":
            return [self.wrong_type(error, schema)]
        if validator == "additionalProperties":
            allowed = sorted(schema.get("properties", {}))
            where = str(schema.get("x-where", ""))
            return [
                self.unknown(str(name), allowed, _key([*error.absolute_path, name]), where)
                for name in instance
                if name not in allowed
            ]
        if validator == "required":
            return [
                Problem(f"missing required key {name!r}", key=_key([*error.absolute_path, name]))
                for name in schema.get("required", ())
                if name not in instance
            ]
        if validator == "enum":
            choices = ", ".join(repr(choice) for choice in schema["enum"])
            return [Problem(f"must be one of {choices}", key=key, value=_scalar(instance))]
        if validator == "const":
            message = _CONSTANT[self.kind].format(expected=repr(schema["const"]))
            return [Problem(message, key=key, value=_scalar(instance))]
        if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            return [Problem(self.bounds(schema), key=key, value=_scalar(instance))]
        if validator in ("minLength", "minItems", "minProperties"):
            return [Problem("must not be empty", key=key, value=_scalar(instance))]
        if validator == "uniqueItems":
            return [Problem("must not list an item twice", key=key)]
        if validator == "not" and self.kind == "framework":
            both = _key([*error.absolute_path, "parents"])
            return [Problem("give either 'parent' or 'parents', not both", key=both)]
        return [Problem(error.message, key=key)]  # pragma: no cover - every keyword used is above

    def bounds(self, schema: Mapping[str, Any]) -> str:
        word = "an integer" if schema.get("type") == "integer" else "a number"
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            return f"must be {word} in [{low:g}, {high:g}]"
        return f"must be {word} >= {low:g}"

    def unknown(self, name: str, allowed: list[str], key: str, where: str) -> Problem:
        hint = did_you_mean(name, allowed)
        if self.kind == "framework":
            return Problem(f"unknown key {name!r}{where}{hint}", key=key)
        return Problem(f"unknown key{hint} (allowed: {', '.join(allowed)})", key=key)

    def branches(self, error: ValidationError, schema: Mapping[str, Any]) -> list[Problem]:
        """A value that fits no branch: the errors of the branch of its type, else its type."""
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in error.context or ():
            by_branch.setdefault(int(sub.schema_path[0]), []).append(sub)
        fitting = [
            errors
            for errors in by_branch.values()
            if not any(sub.validator == "type" and not sub.path for sub in errors)
        ]
        if fitting:
            best = min(fitting, key=len)
            return [problem for sub in best for problem in self(sub)]
        return [self.wrong_type(error, schema)]
