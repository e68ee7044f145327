"""Weights: explicit, equal, effective, and AHP priorities checked against published examples."""

from __future__ import annotations

import itertools
import math
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import frameworks
from policyeval.exceptions import InvalidArgument
from policyeval.framework import Edge, Framework, Node
from policyeval.scales import Level, OrdinalScale
from policyeval.weights import (
    SAATY_1980,
    SAATY_2005,
    ahp,
    edges,
    effective_weights,
    equal_weights,
    explicit_weights,
    framework_weights,
)

YES_NO = OrdinalScale(
    "yn", (Level("no", 0, label={"en": "No"}), Level("yes", 1, label={"en": "Yes"}))
)


def dag() -> Framework:
    """index -> a (weight 1), b (weight 3); a -> x, y (weight 2); b -> y (edge weight 1), z.

    y is shared by a and b.
    """
    return Framework.build(
        id="dag",
        scales=[YES_NO],
        default_scale="yn",
        nodes=[
            Node("index", "root", label={"en": "index"}),
            Node("a", "dimension", parents=("index",), label={"en": "a"}),
            Node("b", "dimension", parents=("index",), weight=3, label={"en": "b"}),
            Node("x", "indicator", parents=("a",), label={"en": "x"}),
            Node("y", "indicator", parents=("a",), weight=2, label={"en": "y"}),
            Node("z", "indicator", parents=("b",), label={"en": "z"}),
        ],
        edges=[Edge("b", "y", 1)],
    )


# --- explicit, equal and framework weights ----------------------------------------------------


def test_edges_follow_declaration_order() -> None:
    """Inner nodes in declaration order, each followed by its children."""
    assert edges(dag()) == (
        ("index", "a"),
        ("index", "b"),
        ("a", "x"),
        ("a", "y"),
        ("b", "z"),
        ("b", "y"),
    )


def test_framework_and_equal_weights() -> None:
    """The framework's own weights, or 1 everywhere; both read-only."""
    own = framework_weights(dag())
    assert own["index", "b"] == 3.0 and own["a", "y"] == 2.0 and own["b", "y"] == 1.0
    equal = equal_weights(dag())
    assert set(equal) == set(edges(dag())) and set(equal.values()) == {1.0}
    with pytest.raises(TypeError):
        equal["index", "a"] = 2.0  # type: ignore[index]


def test_explicit_weights_fill_in_the_framework_weights() -> None:
    """Named edges take the given weight; the others keep the framework's."""
    chosen = explicit_weights(dag(), {("index", "b"): 0.5, ("a", "x"): 0})
    assert dict(chosen) == {
        ("index", "a"): 1.0,
        ("index", "b"): 0.5,
        ("a", "x"): 0.0,
        ("a", "y"): 2.0,
        ("b", "z"): 1.0,
        ("b", "y"): 1.0,
    }
    with pytest.raises(TypeError, match="read-only"):
        chosen["index", "a"] = 2.0  # type: ignore[index]
    assert pickle.loads(pickle.dumps(chosen)) == chosen


def test_ahp_results_pickle() -> None:
    """An AHP result (read-only priorities and completed comparisons) crosses to other
    processes."""
    result = ahp({("a", "b"): 3, ("b", "c"): 2})
    again = pickle.loads(pickle.dumps(result))
    assert again == result and dict(again.priorities) == dict(result.priorities)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({("index", "x"): 1}, "does not have"),
        ({"index": 1}, "does not have"),
        ({("index", "a"): -1}, r"weights\[\('index', 'a'\)\] must be finite and >= 0, got -1"),
        ({("index", "a"): math.nan}, "must be finite"),
        ({("index", "a"): True}, "must be a number, got True"),
        ({("index", "a"): "2"}, "must be a number"),
        ({("b", "z"): 0, ("b", "y"): 0}, "node 'b' without a positive weight"),
        ([(("index", "a"), 1)], "must be a mapping"),
    ],
)
def test_explicit_weights_refuse_bad_input(weights: Any, message: str) -> None:
    """Unknown edges, bad numbers and a node left without weight are refused, naming them."""
    with pytest.raises(InvalidArgument, match=message):
        explicit_weights(dag(), weights)


# --- effective weights --------------------------------------------------------------------------


def test_effective_weights_multiply_down_and_add_over_paths() -> None:
    """Shares computed by hand: a = 1/4, b = 3/4; x = 1/4 * 1/3, z = 3/4 * 1/2, and the shared
    y gets 1/4 * 2/3 through a plus 3/4 * 1/2 through b."""
    shares = effective_weights(dag())
    expected = {
        "index": 1.0,
        "a": 0.25,
        "b": 0.75,
        "x": 1 / 12,
        "y": 1 / 6 + 3 / 8,
        "z": 3 / 8,
    }
    assert shares.keys() == expected.keys()
    for node, share in expected.items():
        assert shares[node] == pytest.approx(share, abs=1e-15)


def test_effective_weights_take_other_weights() -> None:
    """With equal weights everywhere: a = b = 1/2, x = 1/4, y = 1/4 + 1/4, z = 1/4."""
    shares = effective_weights(dag(), equal_weights(dag()))
    assert [shares[node] for node in ("a", "b", "x", "y", "z")] == [0.5, 0.5, 0.25, 0.5, 0.25]


def test_effective_weights_of_a_zero_weight_branch_are_zero() -> None:
    """A zero-weight edge passes nothing down."""
    shares = effective_weights(dag(), {("index", "a"): 0})
    assert shares["a"] == 0.0 and shares["x"] == 0.0 and shares["y"] == 0.5


@pytest.mark.parametrize("name", frameworks.available())
def test_effective_weights_of_the_indicators_add_up_to_one(name: str) -> None:
    """Every built-in framework hands the whole index down to its indicators."""
    fw = frameworks.load(name)
    shares = effective_weights(fw)
    assert math.fsum(shares[node] for node in fw.indicators) == pytest.approx(1.0, abs=1e-12)
    assert all(0 <= share <= 1 for share in shares.values())


# --- AHP against published examples -----------------------------------------------------------


def _upper(names: list[str], rows: list[list[float]]) -> dict[tuple[str, str], float]:
    return {
        (names[i], names[j]): rows[i][j] for i, j in itertools.combinations(range(len(names)), 2)
    }


def test_ahp_wealth_of_nations() -> None:
    """Saaty, *The Analytic Hierarchy Process* (1980), relative wealth of seven nations:
    eigenvector .427 .230 .021 .052 .052 .123 .094, lambda_max = 7.61, C.I. = 0.10, C.R. = 0.08."""
    names = ["US", "USSR", "China", "France", "UK", "Japan", "W. Germany"]
    rows = [
        [1, 4, 9, 6, 6, 5, 5],
        [1 / 4, 1, 7, 5, 5, 3, 4],
        [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
        [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
        [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
        [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
        [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
    ]
    result = ahp(_upper(names, rows))
    assert [round(result.priorities[name], 3) for name in names] == [
        0.427,
        0.230,
        0.021,
        0.052,
        0.052,
        0.123,
        0.094,
    ]
    assert round(result.lambda_max, 2) == 7.61
    assert round(result.consistency_index, 2) == 0.10
    assert result.random_index == 1.32
    assert result.consistency_ratio is not None and round(result.consistency_ratio, 2) == 0.08
    assert result.consistent
    assert result.completed == {}


def test_ahp_drinks() -> None:
    """Saaty, "Decision making with the analytic hierarchy process", Int. J. Services Sciences
    1(1), 2008, 83-98, Table 2 (relative consumption of drinks in the USA): derived priorities
    coffee .177, wine .019, tea .042, beer .116, sodas .190, milk .129, water .327."""
    names = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
    rows = [
        [1, 9, 5, 2, 1, 1, 1 / 2],
        [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
        [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
        [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [1, 9, 4, 2, 1, 2, 1 / 2],
        [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
        [2, 9, 9, 3, 2, 3, 1],
    ]
    result = ahp(_upper(names, rows))
    assert [round(result.priorities[name], 3) for name in names] == [
        0.177,
        0.019,
        0.042,
        0.116,
        0.190,
        0.129,
        0.327,
    ]
    assert result.consistent


def test_ahp_by_hand() -> None:
    """Two items compared 3:1 give 3/4 and 1/4, perfectly consistent."""
    result = ahp({("a", "b"): 3})
    assert dict(result.priorities) == {"a": 0.75, "b": 0.25}
    assert (result.lambda_max, result.consistency_index, result.consistency_ratio) == (2.0, 0, 0)


def test_ahp_reverse_comparisons_must_be_reciprocal() -> None:
    """(b, a) may be given when it is 1 / (a, b); otherwise it is refused naming both."""
    assert ahp({("a", "b"): 4, ("b", "a"): 0.25}).priorities["a"] == pytest.approx(0.8)
    with pytest.raises(InvalidArgument, match="must be reciprocal"):
        ahp({("a", "b"): 4, ("b", "a"): 4})


@pytest.mark.parametrize(
    ("comparisons", "options", "message"),
    [
        ({}, {}, "non-empty mapping"),
        ({("a", "a"): 2}, {}, "not compared with itself"),
        ({("a", "b"): 0}, {}, "must be finite and > 0"),
        ({("a", "b"): math.inf}, {}, "must be finite and > 0"),
        ({("a", "b"): "3"}, {}, "must be a number"),
        ({"ab": 3}, {}, "pair of item names"),
        ({("a", "b"): 2, ("c", "d"): 2}, {}, r"do not link \['c', 'd'\] to 'a'"),
        ({("a", "b"): 2}, {"items": ["a", "b", "c"]}, r"do not link \['c'\]"),
        ({("a", "b"): 2}, {"items": ["a"]}, r"not in items"),
        ({("a", "b"): 2}, {"items": ["a", "a"]}, "distinct"),
        ({("a", "b"): 2}, {"random_index": [0, 0]}, "random_index must map"),
    ],
)
def test_ahp_refuses_bad_input(comparisons: Any, options: dict[str, Any], message: str) -> None:
    """Each bad input raises InvalidArgument saying what is wrong."""
    with pytest.raises(InvalidArgument, match=message):
        ahp(comparisons, **options)


def test_random_index_tables() -> None:
    """Saaty's tables: 0.58 (1980) or 0.52 (2005) for three items; the 2005 one reaches 15."""
    assert SAATY_1980[3] == 0.58 and SAATY_2005[3] == 0.52 and SAATY_2005[15] == 1.59
    names = [f"i{n}" for n in range(11)]
    chain = {(a, b): 2.0 for a, b in itertools.pairwise(names)}
    assert ahp(chain).consistency_ratio is None  # no 1980 value for 11 items
    assert ahp(chain, random_index=SAATY_2005).random_index == 1.52


# --- Harker's method for incomplete comparisons -----------------------------------------------


def test_harker_by_hand() -> None:
    """a = 2b and b = 2c with a-c missing: the Harker matrix [[2, 2, 0], [1/2, 1, 2],
    [0, 1/2, 2]] has eigenvector (4, 2, 1) / 7 and eigenvalue 3, and a-c is completed as 4."""
    result = ahp({("a", "b"): 2, ("b", "c"): 2})
    assert [result.priorities[item] for item in "abc"] == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert result.lambda_max == pytest.approx(3.0)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)
    assert result.completed["a", "c"] == pytest.approx(4.0)
    assert result.completed["c", "a"] == pytest.approx(0.25)


def test_harker_priorities_are_those_of_the_completed_matrix() -> None:
    """Filling the missing comparisons with the derived ratios and solving again gives the same
    priorities and eigenvalue: Harker's fixed point."""
    names = ["US", "USSR", "China", "France"]
    partial = {
        ("US", "USSR"): 4,
        ("US", "China"): 9,
        ("USSR", "France"): 5,
        ("China", "France"): 1 / 5,
    }
    result = ahp(partial)
    completed = {**partial, **result.completed}
    again = ahp(completed, items=names)
    for name in names:
        assert again.priorities[name] == pytest.approx(result.priorities[name], rel=1e-9)
    assert again.lambda_max == pytest.approx(result.lambda_max, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 9), min_size=3, max_size=6),
    st.data(),
)
def test_harker_recovers_consistent_weights(raw: list[int], data: st.DataObject) -> None:
    """Comparisons taken from true weights, with any comparisons beyond a spanning chain
    missing, give back the true weights."""
    names = [f"i{n}" for n in range(len(raw))]
    total = sum(raw)
    truth = [value / total for value in raw]
    pairs = list(itertools.combinations(range(len(raw)), 2))
    chain = {(i, i + 1) for i in range(len(raw) - 1)}
    extra = data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    kept = chain | set(extra)
    result = ahp({(names[i], names[j]): raw[i] / raw[j] for i, j in kept}, items=names)
    assert [result.priorities[name] for name in names] == pytest.approx(truth, rel=1e-9)
    assert result.consistency_index == pytest.approx(0.0, abs=1e-9)


def test_ahp_priorities_become_edge_weights() -> None:
    """AHP priorities feed the weights parameter as (parent, child) -> weight."""
    fw = dag()
    chosen = explicit_weights(fw, ahp({("a", "b"): 3}).edge_weights("index"))
    assert (chosen["index", "a"], chosen["index", "b"]) == (0.75, 0.25)
    assert effective_weights(fw, chosen)["x"] == pytest.approx(0.75 / 3)
