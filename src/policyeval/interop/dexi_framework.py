"""DEXi models as frameworks, and frameworks back as DEXi models.

A model becomes a framework whose inner nodes use the ``decision_table``
aggregator with one rule per combination of their children's level scores;
linked attributes become one node shared by several parents. Each DEXi scale
becomes an ordinal scale scored 1, 2, 3... from the worst value (identical
scales are shared). What a framework has no place for (value groups, rules
whose value is an interval) is kept in the nodes' ``attributes`` so the
model can be written back.

>>> from policyeval.interop.dexi import read_dexi
>>> fw = dexi_to_framework(read_dexi("tests/data/dexi/Linked.dxi"))
>>> fw.parents("A")
('MIN', 'MAX', 'MID')
>>> print(framework_to_dxi(fw)[:38])
<?xml version="1.0" encoding="UTF-8"?>
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from policyeval.exceptions import InteropError
from policyeval.framework import Framework
from policyeval.framework_io import framework_from_dict
from policyeval.interop.dexi import DexiAttribute, DexiModel, DexiValue
from policyeval.registry import build_aggregator
from policyeval.scales import OrdinalScale

__all__ = ["dexi_to_framework", "framework_to_dxi"]

_LANGUAGE = "en"


def _scores(attribute: DexiAttribute) -> list[int]:
    """Level scores by value index: 1 for the worst value."""
    count = len(attribute.scale)
    if attribute.order == "DESC":
        return [count - index for index in range(count)]
    return [index + 1 for index in range(count)]


def dexi_to_framework(model: DexiModel, *, framework_id: str | None = None) -> Framework:
    """A framework with the model's structure, scales and decision tables.

    The model needs one top attribute (the root) and discrete scales
    throughout; an :class:`~policyeval.exceptions.InteropError` says what does
    not fit otherwise.

    >>> from policyeval.interop.dexi import read_dexi
    >>> fw = dexi_to_framework(read_dexi("tests/data/dexi/Car.dxi"))
    >>> fw.children("CAR"), fw.node("PRICE").aggregator.name
    (('PRICE', 'TECH.CHAR.'), 'decision_table')
    """
    file = model.file

    def refuse(message: str) -> InteropError:
        return InteropError(message, file=file)

    roots = model.roots
    if len(roots) != 1:
        raise refuse(
            f"a framework has one root; the model has {len(roots)} top attributes "
            f"{[attribute.id for attribute in roots]!r}"
        )
    by_id = {attribute.id: attribute for attribute in model.attributes}
    node_of: dict[str, str] = {}
    for attribute in model.attributes:
        if attribute.continuous and attribute.inputs:
            raise refuse(f"attribute {attribute.id!r}: a continuous aggregate attribute")
        if attribute.inputs and attribute.table is None and attribute.discretization is None:
            raise refuse(
                f"attribute {attribute.id!r}: an aggregate attribute without a decision table"
            )
        target = attribute.link or attribute.id
        # a link's node takes the id of the first attribute of its group in file order
        group = [a.id for a in model.attributes if (a.link or a.id) == target]
        node_of[attribute.id] = group[0]

    scales: dict[tuple[Any, ...], str] = {}
    scale_tables: list[dict[str, Any]] = []

    def scale_for(attribute: DexiAttribute) -> str:
        if attribute.continuous:
            # a measured number; its parent's discretisation reads it
            scale_tables.append({"id": f"{attribute.id}.scale", "kind": "numeric"})
            return f"{attribute.id}.scale"
        key = (attribute.scale, attribute.scale_descriptions, attribute.order)
        if key not in scales:
            scales[key] = f"{attribute.id}.scale"
            levels = []
            for name, description, score in sorted(
                zip(attribute.scale, attribute.scale_descriptions, _scores(attribute), strict=True),
                key=lambda item: -item[2],
            ):
                level: dict[str, Any] = {"id": name, "score": score, "label": {_LANGUAGE: name}}
                if description:
                    level["description"] = {_LANGUAGE: description}
                levels.append(level)
            scale_tables.append({"id": scales[key], "kind": "ordinal", "levels": levels})
        return scales[key]

    nodes: list[dict[str, Any]] = []
    declared: dict[str, int] = {}
    parents: dict[str, list[str]] = {}
    for attribute in model.attributes:
        node_id = node_of[attribute.id]
        if attribute.parent is not None:
            parent = node_of[attribute.parent]
            if parent in parents.setdefault(node_id, []):
                raise refuse(
                    f"attribute {attribute.parent!r} has the linked input {node_id!r} twice"
                )
            parents[node_id].append(parent)
        if node_id in declared:
            continue
        source = by_id[node_id] if not by_id[node_id].link else attribute
        real = by_id[attribute.link] if attribute.link else attribute
        declared[node_id] = len(nodes)
        node: dict[str, Any] = {
            "id": node_id,
            "kind": "root"
            if attribute.parent is None
            else ("indicator" if real.is_basic else "dimension"),
            "label": {_LANGUAGE: source.name or node_id},
            "scale": scale_for(real),
        }
        if source.description:
            node["description"] = {_LANGUAGE: source.description}
        extra: dict[str, Any] = {}
        if any(real.groups):
            extra["dexi_groups"] = list(real.groups)
        if extra:
            node["attributes"] = extra
        nodes.append(node)
    for node in nodes:
        if node["id"] in parents and parents[node["id"]]:
            node["parents" if len(parents[node["id"]]) > 1 else "parent"] = (
                parents[node["id"]] if len(parents[node["id"]]) > 1 else parents[node["id"]][0]
            )
    for attribute in model.attributes:
        if attribute.link or not attribute.inputs:
            continue
        node = nodes[declared[node_of[attribute.id]]]
        if attribute.discretization is not None:
            node["aggregator"] = _discretize_spec(attribute)
            continue
        node["aggregator"], high = _table_spec(attribute, by_id, node_of, declared)
        if high is not None:
            node.setdefault("attributes", {})["dexi_high"] = high
    root = roots[0]
    data = {
        "framework": {
            "id": framework_id or model.name,
            "default_language": _LANGUAGE,
            "languages": [_LANGUAGE],
            "default_scale": scale_for(root),
            "title": {_LANGUAGE: model.name},
            **({"description": {_LANGUAGE: model.description}} if model.description else {}),
            "attributes": {"imported_from": "DEXi", "dexi_linking": model.linking},
        },
        "scales": scale_tables,
        "nodes": nodes,
    }
    return framework_from_dict(data, source=file)


def _discretize_spec(attribute: DexiAttribute) -> dict[str, Any]:
    """A decision table over one number: one rule per interval between the bounds.

    Rules are tried in order, so a bound that belongs to the interval above
    ends the interval below just before it.
    """
    discretization = attribute.discretization
    assert discretization is not None
    scores = _scores(attribute)
    bounds = discretization.bounds
    rules = []
    for index, value in enumerate(discretization.values):
        if value is None:
            raise InteropError(
                f"attribute {attribute.id!r}: interval {index} of its discretisation has no value"
            )
        low = -sys.float_info.max if index == 0 else bounds[index - 1]
        if index < len(bounds):
            bound = bounds[index]
            high = math.nextafter(bound, -math.inf) if discretization.up[index] else bound
        else:
            high = sys.float_info.max
        low_value, _ = _bounds(value, attribute)
        rules.append({"when": [[low, high]], "then": scores[low_value]})
    return {"name": "decision_table", "rules": rules}


def _table_spec(
    attribute: DexiAttribute,
    by_id: Mapping[str, DexiAttribute],
    node_of: Mapping[str, str],
    declared: Mapping[str, int],
) -> tuple[dict[str, Any], str | None]:
    """The decision-table aggregator of an attribute, its children in framework order.

    A framework's children come in declaration order; a linked input may sit
    elsewhere in the model's own order, so conditions are permuted to match.
    """
    inputs = [by_id[i] for i in attribute.inputs]
    real = [by_id[i.link] if i.link else i for i in inputs]
    order = sorted(range(len(inputs)), key=lambda k: declared[node_of[inputs[k].id]])
    sizes = [len(item.scale) for item in inputs]
    strides = [math.prod(sizes[k + 1 :]) for k in range(len(sizes))]
    scores = _scores(attribute)
    table = attribute.table
    assert table is not None
    rules = []
    high_parts: list[str] = []
    has_interval = False
    for combination in itertools.product(*(range(size) for size in sizes)):
        value = table[sum(i * s for i, s in zip(combination, strides, strict=True))]
        low, high = _bounds(value, attribute)
        has_interval = has_interval or low != high
        high_parts.append(chr(48 + high))
        rules.append(
            {
                "when": [_scores(real[k])[combination[k]] for k in order],
                "then": scores[low],
            }
        )
    spec = {"name": "decision_table", "rules": rules}
    return spec, ("".join(high_parts) if has_interval else None)


def _bounds(value: DexiValue, attribute: DexiAttribute) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    if isinstance(value, frozenset) and value == frozenset(range(min(value), max(value) + 1)):
        return min(value), max(value)
    raise InteropError(
        f"attribute {attribute.id!r}: a rule value {value!r} is not a value or an interval"
    )


def framework_to_dxi(fw: Framework) -> str:
    """A ``.dxi`` document for a framework that fits the DEX model.

    It fits when every node is on an ordinal scale and every inner node
    aggregates with a ``decision_table`` that gives a level for every
    combination of its children's levels. A node shared by several parents is
    written in full under its first parent and as a linked attribute (its name
    and scale) under the others, with linking on; DEXi links attributes by
    name, so then no two nodes may share a name and a scale. Rules that
    imported as intervals (``dexi_high``) are written back as intervals.
    """
    problems: list[str] = []
    scale_of: dict[str, OrdinalScale] = {}
    for node in fw:
        scale = fw.scale_of(node.id)
        if not isinstance(scale, OrdinalScale):
            problems.append(f"node {node.id!r}: DEXi needs an ordinal scale")
        else:
            scale_of[node.id] = scale
    if problems:
        raise InteropError("; ".join(problems))
    shared = any(len(fw.parents(node.id)) > 1 for node in fw)
    if shared:
        seen: dict[tuple[str, tuple[str, ...]], str] = {}
        for node in fw:
            key = (_name(fw, node.id), tuple(level.id for level in _ascending(scale_of[node.id])))
            if key in seen:
                raise InteropError(
                    f"nodes {seen[key]!r} and {node.id!r} share the name {key[0]!r} and a scale: "
                    "DEXi would link them into one attribute"
                )
            seen[key] = node.id
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<DEXi>",
        "  <VERSION>5.04</VERSION>",
        f"  <NAME>{escape(_text(fw.title, fw.id))}</NAME>",
    ]
    if fw.description:
        lines.append(f"  <DESCRIPTION>{escape(_text(fw.description, ''))}</DESCRIPTION>")
    lines.append("  <SETTINGS>" + ("<LINKING>True</LINKING>" if shared else "") + "</SETTINGS>")
    lines += _attribute_xml(fw, fw.root, scale_of, "  ", set())
    lines.append("</DEXi>")
    return "\n".join(lines) + "\n"


def _text(text: Mapping[str, str], default: str) -> str:
    return next(iter(text.values()), default) if text else default


def _name(fw: Framework, node_id: str) -> str:
    """A node's label in the framework's default language (its id without one)."""
    return fw.node(node_id).label.get(fw.default_language) or node_id


def _ascending(scale: OrdinalScale) -> list[Any]:
    return sorted(scale.levels, key=lambda level: level.score)


def _attribute_xml(
    fw: Framework,
    node_id: str,
    scale_of: Mapping[str, OrdinalScale],
    indent: str,
    written: set[str],
) -> list[str]:
    node = fw.node(node_id)
    levels = _ascending(scale_of[node_id])
    groups = list(node.attributes.get("dexi_groups", []))
    lines = [f"{indent}<ATTRIBUTE>", f"{indent}  <NAME>{escape(_name(fw, node_id))}</NAME>"]
    if node.description:
        lines.append(f"{indent}  <DESCRIPTION>{escape(_text(node.description, ''))}</DESCRIPTION>")
    lines.append(f"{indent}  <SCALE>")
    for index, level in enumerate(levels):
        lines.append(f"{indent}    <SCALEVALUE>")
        lines.append(f"{indent}      <NAME>{escape(level.id)}</NAME>")
        if level.description:
            lines.append(
                f"{indent}      <DESCRIPTION>{escape(_text(level.description, ''))}</DESCRIPTION>"
            )
        if index < len(groups) and groups[index]:
            lines.append(f"{indent}      <GROUP>{escape(groups[index])}</GROUP>")
        lines.append(f"{indent}    </SCALEVALUE>")
    lines.append(f"{indent}  </SCALE>")
    # a shared node is written in full once; elsewhere it is a link (name and scale only)
    children = () if node_id in written else fw.children(node_id)
    written.add(node_id)
    if children:
        lines += _function_xml(fw, node_id, children, scale_of, levels, indent + "  ")
    for child in children:
        lines += _attribute_xml(fw, child, scale_of, indent + "  ", written)
    lines.append(f"{indent}</ATTRIBUTE>")
    return lines


def _function_xml(
    fw: Framework,
    node_id: str,
    children: Sequence[str],
    scale_of: Mapping[str, OrdinalScale],
    levels: Sequence[Any],
    indent: str,
) -> list[str]:
    node = fw.node(node_id)
    spec = fw.aggregator_of(node_id)
    name = spec.name
    if name != "decision_table":
        raise InteropError(
            f"node {node_id!r}: DEXi needs a decision_table aggregator, not {name!r}"
        )
    table = build_aggregator(spec)
    child_scores = [[level.score for level in _ascending(scale_of[c])] for c in children]
    index_of = {float(level.score): index for index, level in enumerate(levels)}
    low = []
    for combination in itertools.product(*child_scores):
        try:
            result = table([float(s) for s in combination], [1.0] * len(children))
        except Exception as error:
            raise InteropError(f"node {node_id!r}: {error}") from None
        if float(result) not in index_of:
            raise InteropError(
                f"node {node_id!r}: the table gives {result!r} for {list(combination)!r}, "
                "not a level score"
            )
        low.append(chr(48 + index_of[float(result)]))
    lines = [f"{indent}<FUNCTION>", f"{indent}  <LOW>{''.join(low)}</LOW>"]
    high = node.attributes.get("dexi_high")
    if isinstance(high, str) and len(high) == len(low):
        lines.append(f"{indent}  <HIGH>{escape(high)}</HIGH>")
    lines.append(f"{indent}</FUNCTION>")
    return lines
