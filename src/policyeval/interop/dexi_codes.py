"""Many alternatives of a DEXi model at once, as integer value codes.

:func:`evaluate_dexi_codes` is :func:`~policyeval.interop.dexi.evaluate_dexi`
for the common case where every input value is a single value and every
decision rule gives a single value: the alternatives are rows of value
indices (one column per basic attribute, see :func:`input_attributes`), and
each aggregate looks its value up in its table for all rows at once, at the
mixed-radix index of its inputs' values (the first input varying slowest,
as DEXi stores tables).

>>> import numpy as np
>>> from policyeval.interop.dexi import read_dexi
>>> model = read_dexi("tests/data/dexi/Car.dxi")
>>> [attribute.id for attribute in input_attributes(model)]
['BUY.PRICE', 'MAINT.PRICE', '#PERS', '#DOORS', 'LUGGAGE', 'SAFETY']
>>> codes = np.array([[1, 2, 2, 2, 2, 2], [1, 1, 2, 2, 2, 1]])
>>> values = evaluate_dexi_codes(model, codes)
>>> car = attribute_index(model, "CAR")
>>> [model.attribute("CAR").scale[code] for code in values[:, car]]
['exc', 'good']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from policyeval.exceptions import InvalidArgument
from policyeval.interop.dexi import DexiAttribute, DexiModel

__all__ = ["attribute_index", "evaluate_dexi_codes", "input_attributes"]

Codes = npt.NDArray[np.signedinteger[Any]]


def input_attributes(model: DexiModel) -> tuple[DexiAttribute, ...]:
    """The attributes whose values an alternative gives: basic and not linked, in file order."""
    return tuple(a for a in model.attributes if a.is_basic and a.link is None)


def attribute_index(model: DexiModel, attribute_id: str) -> int:
    """The column of ``attribute_id`` in :func:`evaluate_dexi_codes`'s result (file order)."""
    for index, attribute in enumerate(model.attributes):
        if attribute.id == attribute_id:
            return index
    raise KeyError(f"no attribute with id={attribute_id!r}")


def evaluate_dexi_codes(model: DexiModel, codes: Any) -> Codes:
    """Every attribute's value index for every alternative (alternatives x attributes).

    ``codes`` is an integer array, one row per alternative and one column
    per :func:`input_attributes` attribute, each a value index of that
    attribute's scale. The result has one column per attribute of the
    model, in file order (linked attributes repeat their target's column),
    as signed integers (``int16`` unless a table has more than 32,767 rules).
    Each row equals what :func:`~policyeval.interop.dexi.evaluate_dexi`
    gives for that alternative. A model with a continuous attribute, or a
    table entry that is not one value (a set, a distribution, undefined),
    is refused naming the attribute, as is a code outside its scale.
    """
    inputs = input_attributes(model)
    grid = np.asarray(codes)
    if grid.ndim != 2 or grid.shape[1] != len(inputs) or not np.issubdtype(grid.dtype, np.integer):
        raise InvalidArgument(
            f"codes must be an integer array of alternatives x {len(inputs)} input attributes "
            f"({', '.join(a.id for a in inputs)}), got shape {grid.shape} of {grid.dtype}"
        )
    for attribute in inputs:
        if attribute.continuous:
            raise InvalidArgument(
                f"attribute {attribute.id!r} is continuous: codes hold value indices only"
            )
    by_id = {attribute.id: attribute for attribute in model.attributes}
    tables = {a.id: _table(a, [by_id[i] for i in a.inputs]) for a in model.attributes if a.inputs}
    # One signed type holds every code and every position in the largest table.
    kind = np.min_scalar_type(
        -max([len(t) for t in tables.values()] + [1] + [len(a.scale) for a in model.attributes])
    )
    kind = np.result_type(kind, np.int16)
    for attribute_id, table in tables.items():
        tables[attribute_id] = table.astype(kind)
    plan = _plan(model, by_id, inputs)
    row_of = {attribute.id: row for row, attribute in enumerate(model.attributes)}
    sizes = np.array([[len(a.scale)] for a in inputs], dtype=kind)
    result = np.empty((len(model.attributes), grid.shape[0]), dtype=kind)
    index = np.empty(min(_BLOCK, grid.shape[0]), dtype=kind)
    # Blocks of alternatives small enough to stay in the processor's cache; every column is
    # computed in place in its row of the result.
    for start in range(0, grid.shape[0], _BLOCK):
        stop = min(start + _BLOCK, grid.shape[0])
        if np.can_cast(grid.dtype, kind):
            block = grid[start:stop].T.astype(kind)
            _check(block, sizes, inputs, start)
        else:  # checked before narrowing, so no code wraps around into range
            wide = np.ascontiguousarray(grid[start:stop].T)
            _check(wide, sizes.astype(wide.dtype), inputs, start)
            block = wide.astype(kind)
        for position, attribute in enumerate(inputs):
            result[row_of[attribute.id], start:stop] = block[position]
        here = index[: stop - start]
        for attribute_id, radices in plan:
            attribute = by_id[attribute_id]
            out = result[row_of[attribute_id], start:stop]
            if attribute.link is not None:
                out[...] = result[row_of[attribute.link], start:stop]
                continue
            # Horner's rule over the inputs' codes: the mixed-radix index, first input slowest.
            here[...] = result[row_of[attribute.inputs[0]], start:stop]
            for child, radix in zip(attribute.inputs[1:], radices[1:], strict=True):
                np.multiply(here, radix, out=here)
                np.add(here, result[row_of[child], start:stop], out=here)
            tables[attribute_id].take(here.astype(np.intp), out=out)
    return result.T


_BLOCK = 1 << 14


def _check(block: Any, sizes: Any, inputs: Sequence[DexiAttribute], start: int) -> None:
    """Refuse a code outside its attribute's scale, naming the cell."""
    # Read as unsigned, a negative code is larger than any scale: one comparison finds both.
    unsigned = block.view(np.dtype(f"u{block.dtype.itemsize}"))
    wrong = np.greater_equal(unsigned, sizes.view(unsigned.dtype))
    if not wrong.any():
        return
    position, row = (int(i[0]) for i in np.nonzero(wrong))
    size = len(inputs[position].scale)
    raise InvalidArgument(
        f"codes[{start + row}, {position}] ({inputs[position].id!r}) must be a value index "
        f"in 0..{size - 1}, got {int(block[position, row])}"
    )


def _plan(
    model: DexiModel, by_id: dict[str, DexiAttribute], inputs: Sequence[DexiAttribute]
) -> list[tuple[str, tuple[int, ...]]]:
    """The computed attributes, each after what it reads, with its inputs' scale sizes."""
    done = {attribute.id for attribute in inputs}
    order: list[tuple[str, tuple[int, ...]]] = []

    def visit(attribute_id: str) -> None:
        if attribute_id in done:
            return
        done.add(attribute_id)
        attribute = by_id[attribute_id]
        for child in (attribute.link,) if attribute.link is not None else attribute.inputs:
            visit(child)
        order.append((attribute_id, tuple(len(by_id[c].scale) for c in attribute.inputs)))

    for attribute in model.attributes:
        visit(attribute.id)
    return order


def _table(attribute: DexiAttribute, inputs: Sequence[DexiAttribute]) -> Any:
    """The decision table as an array of value indices, refusing what codes cannot hold."""
    if attribute.discretization is not None or any(item.continuous for item in inputs):
        raise InvalidArgument(
            f"attribute {attribute.id!r} discretises a continuous input: codes hold value "
            f"indices only"
        )
    table = attribute.table
    expected = int(np.prod([len(item.scale) for item in inputs]))
    if table is None or len(table) != expected:
        raise InvalidArgument(f"attribute {attribute.id!r} has no complete decision table")
    for index, entry in enumerate(table):
        if not isinstance(entry, int) or isinstance(entry, bool):
            raise InvalidArgument(
                f"attribute {attribute.id!r}: rule {index} gives {entry!r}, not one value; "
                f"use evaluate_dexi for sets, distributions and undefined rules"
            )
    return np.asarray(table, dtype=np.intp)
