"""JSON Schema errors as located problems with catalogue messages, for every file format.

A file format has one schema, checked by :mod:`jsonschema`; this module turns
each of its errors into a :class:`~policyeval.exceptions.Problem` naming the
key path (``nodes[2].weight``), the expected value and the offending one, with
a ``message_id`` of the ``schema.*`` (or shared ``row.one_of``,
``case.unknown_key``) catalogue entries, so the message reads the same in
every schema and in every language. A check without its own entry is
reported as ``schema.invalid`` naming the check.

>>> schema = {"type": "object", "properties": {"weight": {"type": "number", "minimum": 0}},
...           "required": ["weight"], "additionalProperties": False}
>>> [str(p) for p in schema_problems({"weight": -1, "wieght": 2}, schema, file="f.toml")]
['f.toml: weight: must be >= 0 (got -1)', "f.toml: wieght: unknown key (did you mean 'weight'?) (allowed: weight)"]
>>> from policyeval.locales import localise
>>> [localise(p, "id") for p in schema_problems({}, schema)]
["kunci wajib 'weight' tidak ada"]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from policyeval.exceptions import UNSET, Problem, did_you_mean
from policyeval.locales import message

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = ["key_path", "schema_problems"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")

_TYPES = {
    "string": "schema.type_string",
    "number": "schema.type_number",
    "integer": "schema.type_integer",
    "boolean": "schema.type_boolean",
    "array": "schema.type_array",
    "object": "schema.type_object",
}
"""A JSON type to the message saying a value must be of it, in words a user of TOML knows."""

_LIMITS = {
    "minimum": "schema.minimum",
    "maximum": "schema.maximum",
    "exclusiveMinimum": "schema.exclusive_minimum",
    "exclusiveMaximum": "schema.exclusive_maximum",
    "minLength": "schema.min_length",
    "maxLength": "schema.max_length",
    "minItems": "schema.min_items",
    "maxItems": "schema.max_items",
    "minProperties": "schema.min_properties",
    "maxProperties": "schema.max_properties",
}
"""Checks whose message names one limit, the schema's value for the check."""


def key_path(parts: Iterable[str | int]) -> str:
    """A key path as policyeval writes it: ``nodes[2].weight``, ``labels["a b"]``.

    >>> key_path(["nodes", 2, "weight"]), key_path(["labels", "a b"]), key_path([])
    ('nodes[2].weight', 'labels["a b"]', '')
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _BARE.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += '["' + part.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return out


def schema_problems(
    instance: Any,
    schema: Mapping[str, Any],
    *,
    file: str | None = None,
    locate: Callable[[str | None], int | None] | None = None,
) -> list[Problem]:
    """Every problem of ``instance`` against the JSON Schema ``schema`` (draft 2020-12), in
    key-path order; empty when it is valid.

    ``file`` names the file in each problem; ``locate`` (such as
    :func:`policyeval.framework_io.key_locator` of the file's text) gives a
    key path's line.
    """
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    problems = [
        problem
        for error in validator.iter_errors(instance)
        for problem in _problems(error, file=file, locate=locate)
    ]
    return sorted(problems, key=lambda problem: (problem.key or "", problem.message))


def _problems(
    error: ValidationError,
    *,
    file: str | None,
    locate: Callable[[str | None], int | None] | None,
) -> list[Problem]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        # the alternative that came closest (fewest errors, then deepest) says most about
        # what to change: a misspelt kind is reported against the form it almost is
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        closest = min(
            branches.values(),
            key=lambda errors: (len(errors), -max(len(e.absolute_path) for e in errors)),
        )
        return [problem for sub in closest for problem in _problems(sub, file=file, locate=locate)]
    path = list(error.absolute_path)
    found = []
    for parts, message_id, params, value in _described(error, path):
        key = key_path(parts) or None
        line = locate(key) if locate is not None else None
        text = message(message_id, "en", **params)
        found.append(
            Problem(
                text,
                file=file,
                line=line,
                key=key,
                value=value,
                message_id=message_id,
                params=params,
            )
        )
    return found


def _described(
    error: ValidationError, path: list[str | int]
) -> list[tuple[list[str | int], str, dict[str, Any], Any]]:
    """The key path, catalogue entry, values and offending value of each problem in ``error``."""
    kind, instance = error.validator, error.instance
    expected: Any = error.validator_value
    schema: Any = error.schema
    value = instance if _scalar(instance) else UNSET
    if kind == "type":
        if isinstance(expected, str) and expected in _TYPES:
            return [(path, _TYPES[expected], {}, value)]
        names = [expected] if isinstance(expected, str) else list(expected)
        return [(path, "schema.type", {"expected": " or ".join(names)}, value)]
    if kind == "required" and isinstance(instance, Mapping):
        return [
            (path, "schema.required", {"name": repr(name)}, UNSET)
            for name in expected
            if name not in instance
        ]
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        allowed = sorted(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        return [
            (
                [*path, name],
                "case.unknown_key",
                {"hint": did_you_mean(name, allowed), "allowed": ", ".join(allowed)},
                UNSET,
            )
            for name in sorted(instance)
            if name not in allowed and not any(p.search(name) for p in patterns)
        ]
    if kind == "enum":
        return [(path, "row.one_of", {"choices": ", ".join(map(repr, expected))}, value)]
    if kind == "const":
        return [(path, "schema.const", {"expected": repr(expected)}, value)]
    if kind in _LIMITS:
        return [(path, _LIMITS[kind], {"limit": expected}, value)]
    if kind == "uniqueItems":
        return [(path, "schema.unique", {}, UNSET)]
    if kind == "pattern":
        return [(path, "schema.pattern", {"pattern": repr(expected)}, value)]
    if kind == "format":
        return [(path, "schema.format", {"format": expected}, value)]
    if kind == "dependentRequired" and isinstance(instance, Mapping):
        return [
            (path, "schema.dependent", {"name": repr(name)}, UNSET)
            for needed in expected.values()
            for name in needed
            if name not in instance
        ][:1] or [(path, "schema.invalid", {"check": repr(kind)}, value)]
    if kind == "anyOf":
        return [(path, "schema.any_of", {}, value)]
    if kind == "oneOf":
        return [(path, "schema.one_of", {}, value)]
    return [(path, "schema.invalid", {"check": repr(kind)}, value)]


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)
