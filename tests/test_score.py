"""The score stage: every indicator's score for every unit, read from evidence or data."""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pytest

from conftest import make_framework
from policyeval._frozen import FrozenDict
from policyeval.exceptions import InvalidArgument, PluginContractError
from policyeval.framework import Framework
from policyeval.scales import Scale
from policyeval.score import score, scorer_lookup


def _with_scorer(spec: object) -> Framework:
    """The mini framework whose numeric indicator declares ``spec`` as its scorer."""
    framework = make_framework()
    nodes = [
        attrs.evolve(node, attributes={"scorer": spec}) if node.id == "realisasi" else node
        for node in (framework.node(node_id) for node_id in framework.node_ids)
    ]
    return Framework.build(
        id=framework.id,
        title=dict(framework.title),
        languages=framework.languages,
        default_language=framework.default_language,
        scales=list(framework.scales.values()),
        default_scale=framework.default_scale,
        nodes=nodes,
    )


def test_a_table_scored_from_data_answers_per_unit_and_indicator() -> None:
    """Banded numbers score as their level; cells without a value are None; an unknown unit is
    a KeyError naming unit and indicator."""
    table = score(
        make_framework(), data={"kota-b": {"realisasi": 40.0}, "kota-a": {"realisasi": 80}}
    )
    assert table.units == ("kota-a", "kota-b")
    assert table.value("kota-a", "realisasi") == 80.0
    assert table.score("kota-a", "realisasi") == 3.0
    assert table.level("kota-a", "realisasi") == "cukup_baik"
    assert (table.score("kota-b", "realisasi"), table.level("kota-b", "realisasi")) == (
        1.0,
        "tidak_baik",
    )
    assert table.value("kota-a", "kejelasan") is None
    assert table.origins["kota-a", "realisasi"] == "data"
    with pytest.raises(KeyError, match="no score for unit='kota-c', indicator='realisasi'"):
        table.value("kota-c", "realisasi")
    with pytest.raises(KeyError, match="no score for unit='kota-a', indicator='program'"):
        table.score("kota-a", "program")


def test_the_cell_mappings_read_like_read_only_dicts() -> None:
    """levels and origins print as the dict of their cells, unit by unit per indicator, as an
    eagerly built read-only mapping does, and refuse changes."""
    table = score(make_framework(), data={"a": {"realisasi": 95.0}})
    assert repr(table.levels) == repr(FrozenDict(dict(table.levels))) == repr(dict(table.levels))
    with pytest.raises(TypeError):
        table.levels["a", "realisasi"] = "buruk"  # type: ignore[index]
    assert "('a', 'realisasi'): 'baik'" in repr(table.levels)
    assert len(table.origins) == len(table.framework.indicators)


def test_a_number_for_an_ordinal_indicator_reads_as_the_level_with_that_score() -> None:
    """Data may give an ordinal indicator a level's score: the cell reads as that level."""
    table = score(make_framework(), data={"a": {"kejelasan": 2.0}})
    assert table.level("a", "kejelasan") == "kurang_baik"
    assert table.score("a", "kejelasan") == 2.0
    assert table.origins["a", "kejelasan"] == "data"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"data": {"a": {"komunikasi": 1.0}}},
            r"data names columns that are not indicators: \['komunikasi'\]",
        ),
        ({"data": {"a": {"realisasi": 1.0}}, "units": ["b"]}, r"name units not in units: \['a'\]"),
        (
            {"scorers": {"komunikasi": "levels"}},
            r"scorers name nodes that are not indicators: \['komunikasi'\]",
        ),
        (
            {
                "data": types.SimpleNamespace(
                    units=("a",), indicators=("realisasi",), values=[[1, 2]]
                )
            },
            "units x indicators values array; got SimpleNamespace",
        ),
    ],
)
def test_bad_arguments_are_refused_naming_what_is_wrong(
    arguments: dict[str, Any], message: str
) -> None:
    """Data columns or scorers that are not indicators, units missing from `units`, and a data
    table of the wrong shape raise InvalidArgument."""
    with pytest.raises(InvalidArgument, match=message):
        score(make_framework(), **arguments)


def test_a_table_like_object_is_read_by_its_units_indicators_and_values() -> None:
    """Data may be any object with units, indicators and a units x indicators values array."""
    data = types.SimpleNamespace(
        units=("a", "b"), indicators=("realisasi",), values=[[60.0], [np.nan]]
    )
    table = score(make_framework(), data=data)
    assert table.units == ("a",)
    assert table.level("a", "realisasi") == "kurang_baik"


def test_a_scorer_declared_in_the_framework_is_used_unless_one_is_given() -> None:
    """attributes.scorer of an indicator chooses its scorer; a scorer given to score() wins."""
    framework = _with_scorer({"name": "min_max", "low": 1, "high": 4})
    data = {"a": {"realisasi": 10.0}, "b": {"realisasi": 30.0}}
    table = score(framework, data=data)
    assert table.scorers["realisasi"] == "min_max(low=1.0, high=4.0)"
    assert table.score("a", "realisasi") == 1.0 and table.score("b", "realisasi") == 4.0
    assert repr(scorer_lookup(framework, {"realisasi": "bands"})("realisasi")) == "bands()"
    assert (
        score(framework, data=data, scorers={"realisasi": "bands"}).score("b", "realisasi") == 1.0
    )


def test_a_framework_declaring_an_unknown_scorer_is_refused_naming_the_indicator() -> None:
    """A bad attributes.scorer names the framework, the indicator and the spec."""
    with pytest.raises(
        InvalidArgument,
        match=r"framework 'mini': indicator 'realisasi': attributes.scorer='minmax'.*min_max",
    ):
        scorer_lookup(_with_scorer("minmax"), None)


def _raising(error: Exception) -> Any:
    def scorer(values: Any, scale: Scale, /, *, units: Sequence[str]) -> Any:
        raise error

    return scorer


@pytest.mark.parametrize(
    ("scorer", "message"),
    [
        (_raising(ValueError("cannot read")), r"failed for indicator='realisasi': cannot read"),
        (_raising(PluginContractError("my own words")), "^my own words$"),
        (
            lambda values, scale, *, units: "many",
            r"returned 'many' for indicator='realisasi'; expected 2 numbers",
        ),
        (
            lambda values, scale, *, units: [1.0],
            r"returned \[1.0\].*expected 2 numbers, one per unit",
        ),
    ],
)
def test_a_scorer_breaking_its_contract_is_named_with_the_indicator(
    scorer: Any, message: str
) -> None:
    """A scorer that raises, or returns something other than one number per unit, is a
    PluginContractError naming the indicator; its own contract errors pass through unchanged."""
    data = {"a": {"realisasi": 10.0}, "b": {"realisasi": 30.0}}
    with pytest.raises(PluginContractError, match=message):
        score(make_framework(), data=data, scorers={"realisasi": scorer})


@attrs.frozen
class _Doubling:
    """A hashable scorer with an array form, counting its calls, and optionally broken."""

    calls: list[str] = attrs.field(factory=list, eq=False, hash=False)
    broken: str = ""

    def __call__(self, values: Any, scale: Scale, /, *, units: Sequence[str]) -> Any:
        self.calls.append("column")
        return np.asarray(values, dtype=float) * 2

    def columns(self, values: Any, scales: Sequence[Scale], /, *, units: Sequence[str]) -> Any:
        self.calls.append("block")
        if self.broken == "raises":
            raise ArithmeticError("cannot")
        if self.broken == "shape":
            return np.zeros((1, 1))
        return np.asarray(values, dtype=float) * 2


def test_equal_scorers_with_an_array_form_score_their_indicators_in_one_call() -> None:
    """Indicators sharing a hashable scorer with `columns` are scored together, once."""
    scorer = _Doubling()
    data = {"a": {"kejelasan": 1.0, "konsistensi": 2.0, "kompetensi": 4.0}}
    table = score(make_framework(), data=data, scorers={"kejelasan": scorer, "konsistensi": scorer})
    assert scorer.calls == ["block"]
    assert (table.score("a", "kejelasan"), table.score("a", "konsistensi")) == (2.0, 4.0)
    assert table.score("a", "kompetensi") == 4.0


@pytest.mark.parametrize("broken", ["raises", "shape"])
def test_an_array_form_that_fails_falls_back_to_column_by_column(broken: str) -> None:
    """When `columns` raises or returns the wrong shape, each column is scored on its own, with
    the same scores."""
    scorer = _Doubling(broken=broken)
    data = {"a": {"kejelasan": 1.0, "konsistensi": 2.0}}
    table = score(make_framework(), data=data, scorers={"kejelasan": scorer, "konsistensi": scorer})
    assert scorer.calls == ["block", "column", "column"]
    assert (table.score("a", "kejelasan"), table.score("a", "konsistensi")) == (2.0, 4.0)
