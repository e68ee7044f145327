"""DEXi models (``.dxi``): read them and evaluate their alternatives as DEXi does.

A DEX model is a tree of attributes with ordinal scales; each aggregate
attribute computes its value from its inputs by a decision table (every
combination of the inputs' values, the first input varying slowest), and an
attribute over a single continuous input discretises it with bounds. With
linking on, basic attributes named like another attribute with the same
scale stand for it, which makes the tree a DAG.

Values follow DEXi: a value index, a set of indices, a distribution (a
membership per index), a number (continuous attributes) or ``None``
(undefined). Like DEXi, an undefined or ``*`` input counts as the whole
range (``undefined="none"`` leaves its ancestors undefined instead, as
dexipy does); set inputs give the union of the rules they reach; a
distribution input is evaluated probabilistically (``method="prob"``:
products of memberships, summed and normalised) or with ``"fuzzy"``
(min/max).

>>> model = read_dexi("tests/data/dexi/Car.dxi")
>>> model.name, [alternative.name for alternative in model.alternatives]
('CAR_MODEL', ['Car1', 'Car2'])
>>> [value_json(model.attribute("CAR"), row["CAR"]) for row in evaluate_dexi(model)]
['exc', 'good']
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import Element

import attrs

from policyeval._frozen import FrozenDict
from policyeval.exceptions import InteropError, InvalidArgument
from policyeval.interop._safe import parse_xml

__all__ = [
    "DexiAlternative",
    "DexiAttribute",
    "DexiModel",
    "Discretization",
    "evaluate_dexi",
    "evaluation_json",
    "read_dexi",
    "reads_dexi",
    "value_json",
]

#: A DEXi value: an index, a set of indices, a distribution, a number, or undefined.
DexiValue = int | frozenset[int] | tuple[float, ...] | float | None

_RESERVED = ("name", "description", "structure", "alternative")
_MAX_COMBINATIONS = 1_000_000


@attrs.frozen
class Discretization:
    """How an attribute turns its one continuous input into a value.

    ``bounds`` split the line into ``len(bounds) + 1`` intervals, each mapped
    to ``values[i]``; ``up[i]`` says whether ``bounds[i]`` itself belongs to
    the interval above it (DEXi's ``Associate="Up"``) or below.
    """

    values: tuple[DexiValue, ...]
    bounds: tuple[float, ...]
    up: tuple[bool, ...]

    def __call__(self, number: float) -> DexiValue:
        for index, bound in enumerate(self.bounds):
            if number < bound or (number == bound and not self.up[index]):
                return self.values[index]
        return self.values[-1]


@attrs.frozen
class DexiAttribute:
    """One attribute of a DEXi model, as the file has it.

    ``id`` is unique in the model (names made unique with ``_1``, ``_2``...);
    ``inputs`` are the ids of its inputs in order; ``scale`` the value names
    (empty for a continuous attribute); ``table`` the decision rules (one
    value per combination, first input slowest) or ``None``; ``link`` the id
    of the attribute a linked basic attribute stands for.
    """

    id: str
    name: str
    description: str = ""
    inputs: tuple[str, ...] = ()
    parent: str | None = None
    scale: tuple[str, ...] = ()
    scale_descriptions: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    order: str = "ASC"
    continuous: bool = False
    table: tuple[DexiValue, ...] | None = None
    discretization: Discretization | None = None
    link: str | None = None

    @property
    def is_basic(self) -> bool:
        """Whether the attribute has no inputs (it is given, not computed)."""
        return not self.inputs

    def full_range(self) -> frozenset[int] | None:
        """Every value of a discrete scale (``None`` for a continuous one)."""
        return None if self.continuous else frozenset(range(len(self.scale)))


def _read_only(values: Mapping[str, DexiValue]) -> Mapping[str, DexiValue]:
    return FrozenDict(values)


@attrs.frozen
class DexiAlternative:
    """An alternative stored in a model: its name and every value the file holds."""

    name: str
    values: Mapping[str, DexiValue] = attrs.field(converter=_read_only)


@attrs.frozen
class DexiModel:
    """A DEXi model: its attributes in file order (parents before inputs) and its alternatives."""

    name: str
    description: str
    attributes: tuple[DexiAttribute, ...]
    alternatives: tuple[DexiAlternative, ...]
    linking: bool = False
    file: str | None = None

    def attribute(self, attribute_id: str) -> DexiAttribute:
        """The attribute with this id."""
        for attribute in self.attributes:
            if attribute.id == attribute_id:
                return attribute
        known = [attribute.id for attribute in self.attributes]
        raise InvalidArgument(f"unknown attribute attribute_id={attribute_id!r}; known: {known!r}")

    @property
    def roots(self) -> tuple[DexiAttribute, ...]:
        """The top attributes (a model may have several)."""
        return tuple(attribute for attribute in self.attributes if attribute.parent is None)


def read_dexi(path: str | os.PathLike[str]) -> DexiModel:
    """Read a ``.dxi`` file (DEXi Classic ``OPTION`` or DEXi Suite ``ALTERNATIVE`` style)."""
    from policyeval.files import FileRefused, read_bytes

    name = os.fspath(path)
    try:
        data = read_bytes(path)
    except FileRefused as error:
        raise InteropError(
            str(error), file=name, message_id=error.message_id, params=error.params
        ) from None
    return reads_dexi(data, file=name)


def reads_dexi(data: bytes | str, *, file: str = "<string>") -> DexiModel:
    """Read a DEXi model from the text of a ``.dxi`` file.

    >>> model = reads_dexi(
    ...     "<DEXi><NAME>m</NAME><OPTION>a</OPTION><ATTRIBUTE><NAME>x</NAME><SCALE>"
    ...     "<SCALEVALUE><NAME>lo</NAME></SCALEVALUE><SCALEVALUE><NAME>hi</NAME></SCALEVALUE>"
    ...     "</SCALE><OPTION>1</OPTION></ATTRIBUTE></DEXi>")
    >>> model.attribute("x").scale, dict(model.alternatives[0].values)
    (('lo', 'hi'), {'x': 1})
    """
    root = parse_xml(data, file=file)
    if root.tag != "DEXi":
        raise InteropError(f"not a DEXi model: the root element is <{root.tag}>", file=file)
    return _Reader(root, file).model()


class _Reader:
    def __init__(self, root: Element, file: str) -> None:
        self.root = root
        self.file = file
        self.elements: list[tuple[Element, int | None, str]] = []

    def fail(self, where: str, message: str) -> InteropError:
        return InteropError(f"{where}: {message}", file=self.file)

    def model(self) -> DexiModel:
        model_name = self.root.findtext("NAME") or ""
        linking = (self.root.findtext("SETTINGS/LINKING") or "").strip().upper() in {
            "TRUE",
            "T",
            "1",
        }
        alternative_names = _alternative_names(self.root)
        self._collect(self.root, None, "DEXi")
        names = [model_name or "root"] + [
            element.findtext("NAME") or "" for element, _, _ in self.elements
        ]
        ids = _unique_names(names, _RESERVED)[1:]
        attributes: list[DexiAttribute] = []
        children: dict[int, list[int]] = {}
        for index, (_, parent, _) in enumerate(self.elements):
            if parent is not None:
                children.setdefault(parent, []).append(index)
        for index, (element, parent, where) in enumerate(self.elements):
            attributes.append(
                self._attribute(element, ids[index], where, parent, ids, children.get(index, []))
            )
        if linking:
            attributes = _link(attributes)
        values: list[dict[str, DexiValue]] = [{} for _ in alternative_names]
        for attribute, (element, _, where) in zip(attributes, self.elements, strict=True):
            stored = _stored_values(element)
            for position, (tag, text) in enumerate(stored[: len(alternative_names)]):
                values[position][attribute.id] = self._value(
                    text, attribute, f"{where}.{tag}[{position}]", classic=tag == "OPTION"
                )
        alternatives = tuple(
            DexiAlternative(name, value)
            for name, value in zip(_unique_names(alternative_names), values, strict=True)
        )
        return DexiModel(
            model_name or Path(self.file).stem,
            self.root.findtext("DESCRIPTION") or "",
            tuple(attributes),
            alternatives,
            linking,
            self.file,
        )

    def _collect(self, element: Element, parent: int | None, where: str) -> None:
        for position, child in enumerate(element.findall("ATTRIBUTE")):
            self.elements.append((child, parent, f"{where}.ATTRIBUTE[{position}]"))
            self._collect(child, len(self.elements) - 1, f"{where}.ATTRIBUTE[{position}]")

    def _attribute(
        self,
        element: Element,
        attribute_id: str,
        where: str,
        parent: int | None,
        ids: Sequence[str],
        inputs: Sequence[int],
    ) -> DexiAttribute:
        scale = element.find("SCALE")
        values: list[str] = []
        descriptions: list[str] = []
        groups: list[str] = []
        continuous = False
        order = "ASC"
        if scale is not None:
            order = (scale.findtext("ORDER") or "ASC").strip().upper()
            continuous = scale.find("CONTINUOUS") is not None
            for item in scale.findall("SCALEVALUE"):
                values.append(item.findtext("NAME") or "")
                descriptions.append(item.findtext("DESCRIPTION") or "")
                groups.append((item.findtext("GROUP") or "").strip().upper())
        if not continuous and not values:
            raise self.fail(where, "the attribute has no scale")
        if len(set(values)) != len(values):
            raise self.fail(where, f"the scale repeats a value name: {values!r}")
        attribute = DexiAttribute(
            id=attribute_id,
            name=element.findtext("NAME") or "",
            description=element.findtext("DESCRIPTION") or "",
            inputs=tuple(ids[i] for i in inputs),
            parent=None if parent is None else ids[parent],
            scale=tuple(values),
            scale_descriptions=tuple(descriptions),
            groups=tuple(groups),
            order=order,
            continuous=continuous,
        )
        if not inputs:
            return attribute
        input_elements = [self.elements[i][0] for i in inputs]
        return attrs.evolve(
            attribute,
            table=self._table(element, attribute, input_elements, where),
            discretization=self._discretization(element, attribute, input_elements, where),
        )

    def _table(
        self, element: Element, attribute: DexiAttribute, inputs: Sequence[Element], where: str
    ) -> tuple[DexiValue, ...] | None:
        function = element.find("FUNCTION")
        table = element.find("TABLE")
        if function is None and table is None:
            return None
        sizes = []
        for item in inputs:
            if item.find("SCALE/CONTINUOUS") is not None:
                raise self.fail(where, "a decision table over a continuous input")
            sizes.append(len(item.findall("SCALE/SCALEVALUE")))
        count = math.prod(sizes)
        if function is not None:
            low = (function.findtext("LOW") or "").strip()
            high = (function.findtext("HIGH") or low).strip()
            if len(low) != count or len(high) != count:
                raise self.fail(
                    f"{where}.FUNCTION",
                    f"expected {count} rules for inputs of sizes {sizes}, "
                    f"got LOW of {len(low)} and HIGH of {len(high)}",
                )
            rules: list[DexiValue] = []
            for position, (a, b) in enumerate(zip(low, high, strict=True)):
                lo, hi = ord(a) - 48, ord(b) - 48
                if not 0 <= lo <= hi < len(attribute.scale):
                    raise self.fail(f"{where}.FUNCTION", f"rule {position} has value {a + b!r}")
                rules.append(lo if lo == hi else frozenset(range(lo, hi + 1)))
            return tuple(rules)
        assert table is not None
        parsed = [
            self._value(rule.text, attribute, f"{where}.TABLE.RULE[{i}]")
            for i, rule in enumerate(table.findall("RULE"))
        ]
        if len(parsed) != count:
            raise self.fail(f"{where}.TABLE", f"expected {count} rules, got {len(parsed)}")
        return tuple(parsed)

    def _discretization(
        self, element: Element, attribute: DexiAttribute, inputs: Sequence[Element], where: str
    ) -> Discretization | None:
        node = element.find("DISCRETIZE")
        if node is None or len(node) == 0:
            return None
        if len(inputs) != 1 or inputs[0].find("SCALE/CONTINUOUS") is None:
            raise self.fail(where, "DISCRETIZE needs exactly one continuous input")
        values = [
            self._value(item.text, attribute, f"{where}.DISCRETIZE.VALUE[{i}]")
            for i, item in enumerate(node.findall("VALUE"))
        ]
        bounds: list[float] = []
        up: list[bool] = []
        for i, item in enumerate(node.findall("BOUND")):
            try:
                bounds.append(float(item.text or ""))
            except ValueError:
                raise self.fail(
                    f"{where}.DISCRETIZE.BOUND[{i}]", f"not a number: {item.text!r}"
                ) from None
            up.append(item.get("Associate", "Down").strip().upper() == "UP")
        if bounds != sorted(bounds):
            raise self.fail(f"{where}.DISCRETIZE", f"bounds must increase, got {bounds!r}")
        values += [None] * (len(bounds) + 1 - len(values))
        return Discretization(tuple(values[: len(bounds) + 1]), tuple(bounds), tuple(up))

    def _value(
        self, text: str | None, attribute: DexiAttribute, where: str, *, classic: bool = False
    ) -> DexiValue:
        try:
            return parse_value(text, attribute, classic=classic)
        except ValueError as error:
            raise self.fail(where, str(error)) from None


def parse_value(text: str | None, attribute: DexiAttribute, *, classic: bool = False) -> DexiValue:
    """A value as ``.dxi`` files write it, for ``attribute``.

    DEXi Classic writes a value as one character per index (``"2"``,
    ``"12"`` for a set); DEXi Suite writes ``"2"``, ``"0:2"`` (an interval),
    ``"{0;2}"`` (a set), ``"<0.2;0;0.8>"`` (a distribution), a number for a
    continuous attribute, ``"*"`` (any) or ``"undef"``. ``classic`` reads the
    first form (``OPTION`` elements).
    """
    raw = (text or "").strip()
    if raw == "" or raw.lower().startswith("undef"):
        return None
    if attribute.continuous:
        return float(raw)
    size = len(attribute.scale)
    if raw == "*":
        return frozenset(range(size))
    if raw.startswith("<") and raw.endswith(">"):
        members = tuple(float(part) for part in raw[1:-1].split(";"))
        if len(members) > size or any(not math.isfinite(m) or m < 0 for m in members):
            raise ValueError(f"bad distribution {raw!r} for a scale of {size} values")
        return _reduce(members + (0.0,) * (size - len(members)))
    if classic:
        indices = frozenset(ord(character) - 48 for character in raw)
    elif raw.startswith("{") and raw.endswith("}"):
        indices = frozenset(_index(part, raw) for part in raw[1:-1].split(";") if part.strip())
    elif ":" in raw:
        low, high = (_index(part, raw) for part in raw.split(":", 1))
        indices = frozenset(range(low, high + 1))
    else:
        indices = frozenset({_index(raw, raw)})
    if not indices or any(not 0 <= index < size for index in indices):
        raise ValueError(f"value {raw!r} is outside the scale {list(attribute.scale)!r}")
    return _reduce(indices)


def _index(part: str, raw: str) -> int:
    """One 0-based scale index of a value written as ``raw``; ``ValueError`` names the value."""
    try:
        return int(part)
    except ValueError:
        raise ValueError(
            f"value {raw!r} is not a scale index (0-based), a set, a range or a distribution"
        ) from None


def _alternative_names(root: Element) -> list[str]:
    names: list[str] = []
    for element in root:
        if element.tag == "OPTION":
            names.append(element.text or "")
        elif element.tag == "ALTERNATIVE":
            names.append(element.findtext("NAME") or "")
    return names


def _stored_values(element: Element) -> list[tuple[str, str | None]]:
    return [(item.tag, item.text) for item in element if item.tag in {"OPTION", "ALTERNATIVE"}]


def _unique_names(names: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """Names made unique as dexipy makes attribute ids: ``x``, ``x_1``, ``x_2``...

    ``reserved`` words (dexipy reserves some for attribute ids) get a suffix too.
    """
    taken: list[str] = list(reserved)
    counters: dict[str, int] = {}
    out: list[str] = []
    for name in names:
        if name not in taken:
            taken.append(name)
            out.append(name)
            continue
        while True:
            counters[name] = counters.get(name, 0) + 1
            candidate = f"{name}_{counters[name]}"
            if candidate not in taken:
                taken.append(candidate)
                out.append(candidate)
                break
    return out


def _link(attributes: list[DexiAttribute]) -> list[DexiAttribute]:
    """Link basic attributes to a namesake with the same scale (DEXi's linking rule).

    A basic attribute links to the one aggregate attribute of its name when
    there is exactly one, else to the last basic one; never to itself or to
    an attribute it affects, and only when the scales are equal.
    """
    by_id = {attribute.id: attribute for attribute in attributes}
    linked: dict[str, str] = {}

    def affects(source: str, target: str) -> bool:
        current = by_id[target].parent
        while current is not None:
            if current == source:
                return True
            current = by_id[current].parent
        return False

    for attribute in attributes:
        if not attribute.is_basic:
            continue
        candidates = [a for a in attributes if a.name == attribute.name and a.id not in linked]
        aggregates = [a for a in candidates if not a.is_basic]
        basics = [a for a in candidates if a.is_basic]
        target = aggregates[0] if len(aggregates) == 1 else (basics[-1] if basics else None)
        if (
            target is None
            or target.id == attribute.id
            or affects(attribute.id, target.id)
            or (target.scale, target.continuous) != (attribute.scale, attribute.continuous)
        ):
            continue
        linked[attribute.id] = target.id
    return [
        attrs.evolve(attribute, link=linked[attribute.id]) if attribute.id in linked else attribute
        for attribute in attributes
    ]


def _reduce(value: DexiValue) -> DexiValue:
    if isinstance(value, frozenset) and len(value) == 1:
        return next(iter(value))
    if isinstance(value, tuple):
        nonzero = [index for index, member in enumerate(value) if member > 0]
        if len(nonzero) == 1 and math.isclose(value[nonzero[0]], 1.0):
            return nonzero[0]
        if not nonzero:
            return None
    return value


def _as_set(value: DexiValue) -> frozenset[int]:
    if isinstance(value, int):
        return frozenset({value})
    if isinstance(value, frozenset):
        return value
    if isinstance(value, tuple):
        return frozenset(index for index, member in enumerate(value) if member > 0)
    raise TypeError(f"not a discrete value: {value!r}")


def _as_distribution(value: DexiValue, size: int) -> tuple[float, ...]:
    if isinstance(value, tuple):
        return value + (0.0,) * (size - len(value))
    members = _as_set(value)
    return tuple(1.0 if index in members else 0.0 for index in range(size))


Method = Literal["prob", "fuzzy"]
Undefined = Literal["full", "none"]


def evaluate_dexi(
    model: DexiModel,
    alternatives: Sequence[Mapping[str, DexiValue]] | None = None,
    *,
    method: Method = "prob",
    undefined: Undefined = "full",
) -> list[dict[str, DexiValue]]:
    """Evaluate alternatives (by default the model's stored ones): every attribute's value.

    Only the basic attributes' values are read; aggregates are computed.
    ``method`` says how distribution inputs combine; ``undefined`` whether an
    undefined input counts as the whole range (DEXi) or leaves its ancestors
    undefined.

    >>> model = read_dexi("tests/data/dexi/Car.dxi")
    >>> car2 = dict(model.alternatives[1].values, SAFETY=frozenset({1, 2}))
    >>> value_json(model.attribute("CAR"), evaluate_dexi(model, [car2])[0]["CAR"])
    ['good', 'exc']
    """
    if method not in ("prob", "fuzzy"):
        raise InvalidArgument(f"method must be 'prob' or 'fuzzy', got method={method!r}")
    if undefined not in ("full", "none"):
        raise InvalidArgument(f"undefined must be 'full' or 'none', got undefined={undefined!r}")
    rows = (
        [alternative.values for alternative in model.alternatives]
        if alternatives is None
        else alternatives
    )
    by_id = {attribute.id: attribute for attribute in model.attributes}
    results = []
    for row in rows:
        memo: dict[str, DexiValue] = {}
        for attribute in model.attributes:
            _evaluate(attribute.id, by_id, row, memo, method, undefined)
        results.append({attribute.id: memo[attribute.id] for attribute in model.attributes})
    return results


def _evaluate(
    attribute_id: str,
    by_id: Mapping[str, DexiAttribute],
    row: Mapping[str, DexiValue],
    memo: dict[str, DexiValue],
    method: Method,
    undefined: Undefined,
) -> DexiValue:
    if attribute_id in memo:
        return memo[attribute_id]
    attribute = by_id[attribute_id]
    value: DexiValue
    if attribute.link is not None:
        value = _evaluate(attribute.link, by_id, row, memo, method, undefined)
    elif attribute.is_basic:
        value = row.get(attribute_id)
    else:
        inputs = [_evaluate(i, by_id, row, memo, method, undefined) for i in attribute.inputs]
        value = _aggregate(
            attribute, [by_id[i] for i in attribute.inputs], inputs, method, undefined
        )
    memo[attribute_id] = value
    return value


def _aggregate(
    attribute: DexiAttribute,
    inputs: Sequence[DexiAttribute],
    values: Sequence[DexiValue],
    method: Method,
    undefined: Undefined,
) -> DexiValue:
    if attribute.discretization is not None:
        number = values[0]
        if isinstance(number, float | int) and not isinstance(number, bool):
            return attribute.discretization(float(number))
        if undefined == "none":
            return None
        reachable: set[int] = set()
        for option in attribute.discretization.values:
            if option is None:
                return None
            reachable |= _as_set(option)
        return _reduce(frozenset(reachable))
    if attribute.table is None:
        return None
    filled: list[DexiValue] = []
    for given, item in zip(values, inputs, strict=True):
        if given is None:
            if undefined == "none":
                return None
            given = item.full_range()
        filled.append(given)
    sizes = [len(item.scale) for item in inputs]
    strides = [math.prod(sizes[position + 1 :]) for position in range(len(sizes))]
    table = attribute.table
    singles = [value for value in filled if isinstance(value, int)]
    if len(singles) == len(filled):
        return table[sum(v * s for v, s in zip(singles, strides, strict=True))]
    if math.prod(len(_as_set(value)) for value in filled) > _MAX_COMBINATIONS:
        raise InvalidArgument(f"{attribute.id}: too many input combinations to evaluate")
    if not any(isinstance(value, tuple) for value in filled):
        union: set[int] = set()
        for combination in itertools.product(*(sorted(_as_set(value)) for value in filled)):
            rule = table[sum(i * s for i, s in zip(combination, strides, strict=True))]
            if rule is None:
                return None
            union |= _as_set(rule)
        return _reduce(frozenset(union))
    return _distribution(attribute, filled, sizes, strides, method)


def _distribution(
    attribute: DexiAttribute,
    filled: Sequence[DexiValue],
    sizes: Sequence[int],
    strides: Sequence[int],
    method: Method,
) -> DexiValue:
    size = len(attribute.scale)
    result = [0.0] * size
    distributions = [_as_distribution(value, n) for value, n in zip(filled, sizes, strict=True)]
    supports = [[i for i, m in enumerate(d) if m > 0] for d in distributions]
    for combination in itertools.product(*supports):
        members = [distributions[k][i] for k, i in enumerate(combination)]
        weight = math.prod(members) if method == "prob" else min(members)
        rule = attribute.table[sum(i * s for i, s in zip(combination, strides, strict=True))]  # type: ignore[index]
        if rule is None:
            return None
        reached = sorted(_as_set(rule))
        for index in reached:
            if method == "prob":
                result[index] += weight / len(reached)
            else:
                result[index] = max(result[index], weight)
    if method == "prob":
        total = sum(result)
        if total > 0:
            result = [member / total for member in result]
    return _reduce(tuple(result))


def value_json(attribute: DexiAttribute, value: DexiValue) -> Any:
    """A value as JSON: a value name, a list of names (a set), ``{name: membership}``
    (a distribution), a number (continuous) or ``None`` (undefined).

    >>> x = DexiAttribute(id="x", name="x", scale=("lo", "mid", "hi"))
    >>> value_json(x, 2), value_json(x, frozenset({0, 2})), value_json(x, (0.25, 0.0, 0.75))
    ('hi', ['lo', 'hi'], {'lo': 0.25, 'hi': 0.75})
    """
    if value is None:
        return None
    if attribute.continuous:
        number = float(value)  # type: ignore[arg-type]
        return int(number) if number.is_integer() else number
    if isinstance(value, int):
        return attribute.scale[value]
    if isinstance(value, frozenset):
        return [attribute.scale[index] for index in sorted(value)]
    if isinstance(value, tuple):
        return {attribute.scale[i]: m for i, m in enumerate(value) if m > 0}
    raise TypeError(f"not a DEXi value: {value!r}")


def evaluation_json(
    model: DexiModel, *, method: Method = "prob", undefined: Undefined = "full"
) -> dict[str, Any]:
    """The stored alternatives evaluated, in the ``dexi evaluate --format json`` shape."""
    rows = evaluate_dexi(model, method=method, undefined=undefined)
    return {
        "model": model.name,
        "alternatives": [
            {
                "name": alternative.name,
                "values": {
                    attribute.id: value_json(attribute, row[attribute.id])
                    for attribute in model.attributes
                },
            }
            for alternative, row in zip(model.alternatives, rows, strict=True)
        ],
    }
