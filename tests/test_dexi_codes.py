"""DEXi models on arrays: many alternatives at once as value codes, each row exactly what the
one-alternative evaluation gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval.exceptions import InvalidArgument
from policyeval.interop.dexi import DexiAttribute, DexiModel, evaluate_dexi, read_dexi
from policyeval.interop.dexi_codes import attribute_index, evaluate_dexi_codes, input_attributes

DATA = Path(__file__).parent / "data" / "dexi"


@st.composite
def models(draw: st.DrawFn) -> DexiModel:
    """A random tree of up to three levels with small scales and a full crisp table per aggregate."""
    attributes: list[DexiAttribute] = []
    counter = iter(range(1000))

    def build(parent: str | None, depth: int) -> str:
        name = f"a{next(counter)}"
        size = draw(st.integers(2, 3))
        scale = tuple(f"v{i}" for i in range(size))
        width = 0 if depth == 3 else draw(st.integers(0 if depth else 1, 3))
        position = len(attributes)
        attributes.append(DexiAttribute(id=name, name=name, scale=scale, parent=parent))
        inputs = tuple(build(name, depth + 1) for _ in range(width))
        if inputs:
            combinations = int(np.prod([len(a.scale) for a in attributes if a.id in inputs]))
            table = tuple(draw(st.lists(st.integers(0, size - 1), min_size=combinations,
                                        max_size=combinations)))  # fmt: skip
            attributes[position] = DexiAttribute(
                id=name, name=name, scale=scale, parent=parent, inputs=inputs, table=table
            )
        return name

    build(None, 0)
    return DexiModel(name="random", description="", attributes=tuple(attributes), alternatives=())


@settings(max_examples=60, deadline=None)
@given(models(), st.data())
def test_every_row_equals_the_one_alternative_evaluation(model: DexiModel, data: Any) -> None:
    """On random models and alternatives, each attribute's code is evaluate_dexi's value."""
    inputs = input_attributes(model)
    rows = data.draw(
        st.lists(
            st.tuples(*(st.integers(0, len(a.scale) - 1) for a in inputs)), min_size=1, max_size=8
        )
    )
    codes = evaluate_dexi_codes(model, np.array(rows, dtype=np.int64).reshape(len(rows), -1))
    expected = evaluate_dexi(
        model, [dict(zip((a.id for a in inputs), row, strict=True)) for row in rows]
    )
    for row, values in enumerate(expected):
        assert [values[a.id] for a in model.attributes] == codes[row].tolist()


def test_a_linked_attribute_repeats_the_column_it_stands_for() -> None:
    """Linked basic attributes take their target's value, as in the one-alternative evaluation."""
    model = read_dexi(DATA / "Linked.dxi")
    inputs = input_attributes(model)
    rng = np.random.default_rng(0)
    codes = np.column_stack([rng.integers(0, len(a.scale), size=50) for a in inputs])
    try:
        found = evaluate_dexi_codes(model, codes)
    except InvalidArgument as error:  # a rule that is not one value: the array path says so
        assert "not one value" in str(error)
        return
    expected = evaluate_dexi(
        model, [dict(zip((a.id for a in inputs), row, strict=True)) for row in codes.tolist()]
    )
    linked = [a for a in model.attributes if a.link is not None]
    assert linked
    for row, values in enumerate(expected):
        assert [values[a.id] for a in model.attributes] == found[row].tolist()
        for attribute in linked:
            assert found[row, attribute_index(model, attribute.id)] == values[attribute.link]


def test_the_car_model_gives_the_stored_verdicts() -> None:
    """The stored Car1 and Car2 alternatives evaluate to DEXi's stored values."""
    model = read_dexi(DATA / "Car.dxi")
    inputs = input_attributes(model)
    codes = np.array([[alt.values[a.id] for a in inputs] for alt in model.alternatives])
    found = evaluate_dexi_codes(model, codes)
    for row, alternative in enumerate(model.alternatives):
        for index, attribute in enumerate(model.attributes):
            assert found[row, index] == alternative.values[attribute.id]


CAR = read_dexi(DATA / "Car.dxi")


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (np.zeros((2, 5), dtype=np.int64), "x 6 input attributes"),
        (np.zeros((2, 6)), "integer array"),
        (np.full((2, 6), 7, dtype=np.int64), "must be a value index in 0..2, got 7"),
        (np.full((2, 6), -1, dtype=np.int64), "codes\\[0, 0\\].*got -1"),
    ],
)
def test_bad_codes_are_refused_by_name(codes: Any, message: str) -> None:
    """A wrong shape, a non-integer array or a code off its scale is named."""
    with pytest.raises(InvalidArgument, match=message):
        evaluate_dexi_codes(CAR, codes)


def test_a_rule_that_is_not_one_value_is_refused_by_attribute() -> None:
    """A set-valued rule cannot be a code: the attribute and the rule are named."""
    model = read_dexi(DATA / "Car.dxi")
    car = model.attribute("CAR")
    assert car.table is not None
    broken = DexiAttribute(
        id=car.id,
        name=car.name,
        inputs=car.inputs,
        scale=car.scale,
        table=(frozenset({0, 1}), *car.table[1:]),
    )
    attributes = tuple(broken if a.id == "CAR" else a for a in model.attributes)
    with pytest.raises(InvalidArgument, match="'CAR': rule 0 gives"):
        evaluate_dexi_codes(
            DexiModel(name="x", description="", attributes=attributes, alternatives=()),
            np.zeros((1, 6), dtype=np.int64),
        )


def test_a_code_too_large_for_the_working_type_is_refused_not_wrapped() -> None:
    """65,538 would read as 2 in 16 bits: it is refused as what it is."""
    codes = np.zeros((3, 6), dtype=np.int64)
    codes[2, 5] = 65_538
    with pytest.raises(InvalidArgument, match=r"codes\[2, 5\] \('SAFETY'\).*got 65538"):
        evaluate_dexi_codes(CAR, codes)
