"""Does a document fit a JSON Schema? A yes or no, for the keywords policyeval's schemas use.

:mod:`policyeval.schemas` checks every file against its schema. Most files fit, and then the
answer is all that is needed; only a file that does not fit needs ``jsonschema``, which says
where and why. :func:`fit_check` compiles a schema (draft 2020-12, refs to its own ``$defs``)
into a predicate that answers in one pass, with ``jsonschema``'s meaning of every
keyword it knows: types as its draft 2020-12 type checker sees them (``1.0`` is an integer,
``True`` is no number), ``const``, ``enum`` and ``uniqueItems`` comparing as its ``equal``
does (``1 == 1.0``, ``True != 1``), bounds, lengths and sizes applying only to values of their
type. A schema using any other keyword is refused with :class:`UnsupportedSchema`, so the check
can never accept what ``jsonschema`` would reject because of a keyword it does not know.

>>> fits = fit_check({"type": "object", "required": ["id"], "additionalProperties": False,
...                   "properties": {"id": {"type": "string", "minLength": 1}}})
>>> fits({"id": "a"}), fits({"id": ""}), fits({"id": "a", "other": 1}), fits([])
(True, False, False, False)
>>> fit_check({"type": "string", "pattern": "^a"})
Traceback (most recent call last):
...
policyeval._schema_fit.UnsupportedSchema: keyword 'pattern' is not one the fit check knows
"""

from __future__ import annotations

import contextlib
import itertools
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["DRAFT", "UnsupportedSchema", "fit_check"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
"""The one draft the fit check reads: keywords such as ``items`` mean other things in others."""

Check = Callable[[Any], bool]

# Keywords that only annotate (and ``$defs``, whose definitions are reached through refs already
# put in place): they never make a document fail. Keywords starting with "x-" are our own notes.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"}
)


class UnsupportedSchema(ValueError):
    """Raised for a schema using a keyword (or a draft) the fit check does not know."""


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Check] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _is_integer,
    "null": lambda value: value is None,
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def _equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema means it: ``True`` is not ``1``, ``1`` is ``1.0``, containers
    compare item by item, and a string only equals a string."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and _equal(value, two[key]) for key, value in one.items()
        )
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def _unique(items: list[Any]) -> bool:
    """No two items equal (as :func:`_equal` compares). Like ``jsonschema``, items that sort are
    compared with their neighbours after sorting, others each with every other."""
    ordered = None
    # Booleans sort among numbers but never equal them: such lists are compared pair by pair.
    if not any(isinstance(item, bool) for item in items):
        with contextlib.suppress(TypeError):
            ordered = sorted(items)
    if ordered is None:
        return all(not _equal(items[i], items[j]) for i in range(len(items)) for j in range(i))
    return not any(_equal(a, b) for a, b in itertools.pairwise(ordered))


def _all(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]

    return lambda value: all(check(value) for check in checks)


def _type(names: Any) -> Check:
    wanted = [names] if isinstance(names, str) else list(names)
    try:
        checks = [_TYPES[name] for name in wanted]
    except (KeyError, TypeError):
        raise UnsupportedSchema(f"type {names!r} is not one the fit check knows") from None
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _object(schema: Mapping[str, Any], compile: _Compiler) -> Check:
    """``properties``, ``additionalProperties``, ``required`` and ``minProperties`` in one pass
    over the keys; each applies to objects only."""
    properties = {name: compile(sub) for name, sub in schema.get("properties", {}).items()}
    additional = schema.get("additionalProperties", True)
    others = None if additional is True else compile(additional)
    required = tuple(schema.get("required", ()))
    smallest = schema.get("minProperties", 0)

    def fits(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            check = properties.get(key, others)
            if check is not None and not check(item):
                return False
        return all(name in value for name in required) and len(value) >= smallest

    return fits


def _array(schema: Mapping[str, Any], compile: _Compiler) -> Check:
    """``items``, ``minItems`` and ``uniqueItems``; each applies to arrays only."""
    items = compile(schema["items"]) if "items" in schema else None
    smallest = schema.get("minItems", 0)
    unique = schema.get("uniqueItems", False)

    def fits(value: Any) -> bool:
        if not isinstance(value, list):
            return True
        if len(value) < smallest or (unique and not _unique(value)):
            return False
        return items is None or all(items(item) for item in value)

    return fits


def _bounds(schema: Mapping[str, Any], compile: _Compiler) -> Check:
    low = schema.get("minimum")
    high = schema.get("maximum")

    def fits(value: Any) -> bool:
        # A comparison with NaN is false, so NaN passes every bound, as in jsonschema.
        if not _is_number(value):
            return True
        return not ((low is not None and value < low) or (high is not None and value > high))

    return fits


def _if(schema: Mapping[str, Any], compile: _Compiler) -> Check:
    condition = compile(schema["if"])
    then = compile(schema.get("then", True))
    otherwise = compile(schema.get("else", True))
    return lambda value: then(value) if condition(value) else otherwise(value)


def _min_length(size: int, compile: _Compiler) -> Check:
    return lambda value: not isinstance(value, str) or len(value) >= size


def _const(expected: Any, compile: _Compiler) -> Check:
    return lambda value: _equal(value, expected)


def _enum(choices: Any, compile: _Compiler) -> Check:
    return lambda value: any(_equal(value, choice) for choice in choices)


def _any_of(schemas: Any, compile: _Compiler) -> Check:
    checks = [compile(sub) for sub in schemas]
    return lambda value: any(check(value) for check in checks)


def _one_of(schemas: Any, compile: _Compiler) -> Check:
    checks = [compile(sub) for sub in schemas]
    return lambda value: sum(1 for check in checks if check(value)) == 1


def _all_of(schemas: Any, compile: _Compiler) -> Check:
    return _all([compile(sub) for sub in schemas])


def _not(schema: Any, compile: _Compiler) -> Check:
    check = compile(schema)
    return lambda value: not check(value)


def _type_of(names: Any, compile: _Compiler) -> Check:
    return _type(names)


# Keywords read together with others of the same kind of value, each group made once.
_GROUPS: dict[str, Callable[[Mapping[str, Any], _Compiler], Check]] = {
    "properties": _object,
    "additionalProperties": _object,
    "required": _object,
    "minProperties": _object,
    "items": _array,
    "minItems": _array,
    "uniqueItems": _array,
    "minimum": _bounds,
    "maximum": _bounds,
    "if": _if,
    "then": _if,
    "else": _if,
}
_SINGLE: dict[str, Callable[[Any, _Compiler], Check]] = {
    "type": _type_of,
    "minLength": _min_length,
    "const": _const,
    "enum": _enum,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "allOf": _all_of,
    "not": _not,
}


def _checking(keyword: str) -> bool:
    return keyword not in _ANNOTATIONS and not keyword.startswith("x-")


class _Compiler:
    """Compiles the parts of one schema, each ``#/$defs/<name>`` once."""

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self.definitions = definitions
        self.made: dict[str, Check] = {}
        self.making: set[str] = set()

    def definition(self, reference: Any) -> tuple[str, Any]:
        name = str(reference).removeprefix("#/$defs/")
        if not str(reference).startswith("#/$defs/") or name not in self.definitions:
            raise UnsupportedSchema(f"$ref {reference!r} is not one of the schema's own $defs")
        if name in self.making:
            raise UnsupportedSchema(f"$ref {reference!r} refers to itself")
        return name, self.definitions[name]

    def __call__(self, schema: Any) -> Check:
        if schema is True or schema is False:
            return (lambda value: True) if schema else (lambda value: False)
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"a schema must be an object or a boolean, not {schema!r}")
        if schema.get("$schema", DRAFT) != DRAFT:
            raise UnsupportedSchema(f"draft {schema['$schema']!r} is not one the fit check knows")
        if "$ref" in schema:
            return self.reference(schema)
        if "if" not in schema and ("then" in schema or "else" in schema):
            schema = {key: value for key, value in schema.items() if key not in ("then", "else")}
        checks: list[Check] = []
        made: set[Callable[[Mapping[str, Any], _Compiler], Check]] = set()
        for keyword, value in schema.items():
            if not _checking(keyword):
                continue
            if keyword in _SINGLE:
                checks.append(_SINGLE[keyword](value, self))
            elif keyword in _GROUPS:
                group = _GROUPS[keyword]
                if group not in made:
                    made.add(group)
                    checks.append(group(schema, self))
            else:
                raise UnsupportedSchema(f"keyword {keyword!r} is not one the fit check knows")
        if not checks:
            return lambda value: True
        return _all(checks)

    def reference(self, schema: Mapping[str, Any]) -> Check:
        """A ``$ref`` is put in place as :mod:`policyeval.schemas` puts it for ``jsonschema``:
        the definition's keywords, overridden by the ones beside the ``$ref``."""
        name, target = self.definition(schema["$ref"])
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        self.making.add(name)
        try:
            if any(_checking(keyword) for keyword in rest):
                return self({**target, **rest})
            if name not in self.made:
                self.made[name] = self(target)
            return self.made[name]
        finally:
            self.making.discard(name)


def fit_check(schema: Any) -> Check:
    """A predicate saying whether a document fits ``schema``.

    A ``$ref`` may name one of the schema's own ``$defs``, which are compiled once each.
    Raises :class:`UnsupportedSchema` for a keyword outside the ones the shipped schemas use,
    for any other ``$ref``, and for a draft other than 2020-12.

    >>> fit_check({"enum": [1, "a"]})(1.0), fit_check({"enum": [1, "a"]})(True)
    (True, False)
    >>> fits = fit_check({"$defs": {"count": {"type": "integer", "minimum": 0}},
    ...                   "items": {"$ref": "#/$defs/count"}})
    >>> fits([0, 2.0]), fits([0, -1])
    (True, False)
    """
    definitions = schema.get("$defs", {}) if isinstance(schema, dict) else {}
    return _Compiler(definitions)(schema)
