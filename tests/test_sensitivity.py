"""Sensitivity analysis: every draw is a plain evaluation with that draw's settings, the same
seed gives the same JSON however the draws are run, and bad declarations are located."""

from __future__ import annotations

import json
import math
import shutil
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policyeval import evaluate
from policyeval.aggregate import edge_order
from policyeval.case import load_case, run_case
from policyeval.cli import main
from policyeval.evidence import Evidence
from policyeval.exceptions import CaseError, InvalidArgument
from policyeval.framework import Framework, Node
from policyeval.ranking import competition_ranks
from policyeval.scales import Level, NumericScale, OrdinalScale
from policyeval.sensitivity import (
    BINS,
    Sensitivity,
    Uncertainty,
    correlation_ratio,
    sensitivity,
    sensitivity_case,
)
from random_frameworks import random_dag

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

SERANG = Path(__file__).parent.parent / "examples" / "serang_2024"
FOUR = OrdinalScale(
    "four",
    tuple(
        Level(name, score, label={"en": name})
        for name, score in (("good", 4), ("fair", 3), ("poor", 2), ("bad", 1))
    ),
)
CHOICES = ("mean", "median", "min", "max", "geometric", {"name": "generalised", "p": 2})


@st.composite
def problems(draw: st.DrawFn) -> tuple[Framework, list[Evidence], Uncertainty, float]:
    """A small random DAG, evidence from a few sources, and a random set of uncertain inputs."""
    framework = random_dag(draw, FOUR, inner=3, indicators=4)
    items = [
        Evidence(
            id=f"E{k}",
            unit=draw(st.sampled_from(("u0", "u1"))),
            indicator=draw(st.sampled_from(framework.indicators)),
            rating=draw(st.sampled_from(("good", "fair", "poor", "bad"))),
            source=f"s{draw(st.integers(0, 2))}",
            source_category=draw(st.sampled_from(("a", "b"))),
            technique="interview",
        )
        for k in range(draw(st.integers(1, 8)))
    ]
    kinds = sorted({framework.node(n).kind for n in framework.inner_nodes})
    uncertainty = Uncertainty(
        weights={"*": draw(st.sampled_from((0.0, 0.25, 0.9)))},
        dirichlet={
            kind: draw(st.sampled_from((0.5, 4.0, 100.0))) for kind in kinds if draw(st.booleans())
        },
        thresholds=draw(st.sampled_from(({}, {"high_agreement": (0.8, 1.0)}))),
        aggregators={
            kind: tuple(draw(st.lists(st.sampled_from(CHOICES), min_size=1, max_size=3)))
            for kind in kinds
            if draw(st.booleans())
        },
        min_agreement=draw(st.sampled_from(((), (0.4, 0.5, 0.75)))),
        leave_out=draw(st.lists(st.sampled_from(("evidence", "source", "indicator")), unique=True)),
    )
    min_share = draw(st.sampled_from((0.0, 0.5)))
    return framework, items, uncertainty, min_share


def _settings_of(result: Sensitivity, row: int, items: list[Evidence]) -> dict[str, Any]:
    """Read one draw's settings back from the design, independently of the engine."""
    framework = result.framework
    order = edge_order(framework)
    weights = {edge: framework.weight(*edge) for edge in order}
    aggregators: dict[str, Any] = {}
    rule: dict[str, Any] = {"name": "source"}
    kept = list(items)
    variates: dict[str, dict[tuple[str, str], float]] = {}
    for column, item in enumerate(result.inputs):
        value = result.design[row, column]
        if item.name.startswith("weight:"):
            parent, child = item.name.removeprefix("weight:").split(">")
            if item.kind == "dirichlet":
                variates.setdefault(parent, {})[parent, child] = value
            else:
                weights[parent, child] *= value
            continue
        choice = item.choices[int(value)]
        if item.name.startswith("aggregator:"):
            aggregators.update(dict.fromkeys(item.nodes, choice))
        elif item.name == "min_agreement":
            rule["min_agreement"] = choice
        elif item.name.startswith("threshold:"):
            rule[item.name.removeprefix("threshold:")] = choice
        elif item.name == "leave_out:evidence":
            kept = [i for i in kept if i.id != choice]
        elif item.name == "leave_out:source":
            kept = [i for i in kept if i.source != choice]
        elif item.name == "leave_out:indicator" and choice is not None:
            weights.update({edge: 0.0 for edge in order if edge[1] == choice})
    # A Dirichlet draw shares the nominal total of a node's weights in proportion to its variates.
    for drawn in variates.values():
        total = sum(framework.weight(*edge) for edge in drawn)
        for edge, variate in drawn.items():
            weights[edge] = total * variate / sum(drawn.values()) * (weights[edge] > 0)
    return {
        "evidence": kept,
        "rules": rule,
        "aggregators": aggregators or None,
        "weights": [weights[edge] for edge in order],
    }


@settings(max_examples=30, deadline=None)
@given(problems(), st.integers(0, 2**32 - 1), st.sampled_from(("montecarlo", "saltelli")))
def test_every_draw_equals_a_plain_evaluation_with_its_settings(
    problem: Any, seed: int, design: str
) -> None:
    """On random frameworks, evidence and uncertain inputs, and either design, each draw's score
    for every unit and node is exactly what evaluate() gives with that draw's weights (within
    +-x or from a Dirichlet), aggregators, thresholds and evidence (the batched array path and
    the cached triangulations change nothing)."""
    framework, items, uncertainty, min_share = problem
    units = ("u0", "u1")
    if design == "saltelli" and not uncertainty.min_agreement:
        # The Saltelli design needs at least one input; a threshold is always one.
        uncertainty = attrs.evolve(uncertainty, min_agreement=(0.5, 0.6))
    result = sensitivity(
        framework,
        items,
        uncertainty=uncertainty,
        draws=6 if design == "montecarlo" else 1,
        seed=seed,
        units=units,
        min_share=min_share,
        chunk_size=4,
        design=design,
    )
    for row in range(result.draws):
        chosen = _settings_of(result, row, items)
        plain = evaluate(
            framework,
            chosen.pop("evidence"),
            units=units,
            min_share=min_share,
            **chosen,
        )
        for u, unit in enumerate(units):
            for n, node in enumerate(framework.node_ids):
                expected = plain.judgement(unit, node).score
                got = float(result.scores[row, u, n])
                assert (expected is None and math.isnan(got)) or expected == got, (row, unit, node)
                level = plain.judgement(unit, node).level
                code = int(result.levels[row, u, n])
                assert (FOUR.levels[code].id if code >= 0 else None) == (
                    level if expected is not None or framework.node(node).is_indicator else None
                )
                ranks = competition_ranks([plain.judgement(o, node).score for o in units])
                rank = float(result.ranks[row, u, n])
                assert math.isnan(rank) if ranks[u] is None else rank == ranks[u]


def test_the_nominal_verdicts_are_the_case_verdicts() -> None:
    """With no draw changing anything, the nominal levels are evaluate's levels for the case."""
    case = load_case(SERANG)
    result = sensitivity_case(case, draws=3, seed=0)
    evaluation = run_case(case).evaluation
    for node in case.framework.node_ids:
        assert (
            result.nominal_level("kota-serang", node)
            == evaluation.judgement("kota-serang", node).level
        )


def test_serang_json_is_byte_identical_and_complete(tmp_path: Path) -> None:
    """`policyeval sensitivity examples/serang_2024 --format json` gives the same bytes twice,
    and every node's level shares add up to one."""
    outputs = []
    for name in ("a.json", "b.json"):
        target = tmp_path / name
        code = main(
            [
                "sensitivity", str(SERANG), "--draws", "120", "--seed", "1",
                "--format", "json", "--quiet", "-o", str(target),
            ]
        )  # fmt: skip
        assert code == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    document = json.loads(outputs[0])
    assert document["draws"] == 120
    nodes = document["units"]["kota-serang"]["nodes"]
    assert set(nodes) == set(load_case(SERANG).framework.node_ids)
    for node in nodes.values():
        assert sum(node["levels"].values()) == pytest.approx(1.0)
    # The programme verdict depends on the aggregator choice above all (mean vs median/min).
    drivers = nodes["program"]["sensitivity"]
    assert max(drivers, key=drivers.get) == "aggregator:root"


def test_results_are_read_only() -> None:
    """A caller cannot change the draws behind the summaries."""
    result = sensitivity_case(load_case(SERANG), draws=5, seed=0)
    with pytest.raises(ValueError, match="read-only"):
        result.scores[0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        result.design[0, 0] = 1.0


def test_chunking_and_executors_do_not_change_the_result() -> None:
    """The same seed gives the same JSON in one process and over a thread pool."""
    case = load_case(SERANG)
    alone = sensitivity_case(case, draws=70, seed=5, chunk_size=16).to_json()
    with ThreadPoolExecutor(max_workers=2) as pool:
        pooled = sensitivity_case(case, draws=70, seed=5, chunk_size=16, executor=pool)
    assert pooled.to_json() == alone
    assert sensitivity_case(case, draws=70, seed=6, chunk_size=16).to_json() != alone


def test_numeric_draws_over_threads_give_the_same_json() -> None:
    """Threads running ASEM's weighted-mean chunks at once (each with its own scratch arrays)
    give the JSON of one thread."""
    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    uncertainty = Uncertainty(
        weights={"*": 0.25}, scorers=({"name": "min_max", "low": 0, "high": 100}, "z_score")
    )
    alone = sensitivity_case(case, uncertainty=uncertainty, draws=120, seed=3, chunk_size=10)
    with ThreadPoolExecutor(max_workers=4) as pool:
        pooled = sensitivity_case(
            case, uncertainty=uncertainty, draws=120, seed=3, chunk_size=10, executor=pool
        )
    assert pooled.to_json() == alone.to_json()
    assert np.array_equal(pooled.ranks, alone.ranks)


def test_a_process_pool_gives_the_same_json_as_one_process() -> None:
    """Chunks run in other processes (pickled context, per-chunk seeds) change nothing."""
    case = load_case(SERANG)
    alone = sensitivity_case(case, draws=40, seed=2, chunk_size=10).to_json()
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = sensitivity_case(case, draws=40, seed=2, chunk_size=10, executor=pool)
    assert pooled.to_json() == alone


def test_a_process_pool_runs_numeric_draws_with_the_same_json() -> None:
    """A numeric case (groups, denominators, a treatment pipeline) crosses to other processes
    too, with weights, normalisers and treatment varying."""
    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    assert case.sensitivity is not None  # treatment, normaliser and aggregator choices
    alone = sensitivity_case(case, draws=24, seed=4, chunk_size=6).to_json()
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = sensitivity_case(case, draws=24, seed=4, chunk_size=6, executor=pool)
    assert pooled.to_json() == alone


def test_summaries_taken_a_block_of_units_at_a_time_change_nothing(monkeypatch: Any) -> None:
    """The document is written a block of units at a time (bounded memory for many draws);
    one unit per block gives the bytes of all units at once, indices and intervals included."""
    import importlib

    module = importlib.import_module("policyeval.sensitivity")
    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    result = sensitivity_case(case, draws=60, seed=8)
    whole = result.to_json()
    assert len(result.units) * len(case.framework.node_ids) * 60 < module._BLOCK_CELLS
    monkeypatch.setattr(module, "_BLOCK_CELLS", 1)
    assert result.to_json() == whole
    inner = sum(not case.framework.node(node).is_indicator for node in case.framework.node_ids)
    monkeypatch.setattr(module, "_BLOCK_CELLS", 7 * inner * 60)
    assert result.to_json() == whole  # blocks of 7 units, the last one shorter


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
            st.integers(0, 40),
        ),
        min_size=1,
        max_size=6,
    ).filter(lambda cells: any(count for _, count in cells)),
    st.lists(st.floats(0, 100), min_size=1, max_size=4),
)
def test_percentiles_from_counts_are_those_of_the_repeated_draws(
    cells: list[tuple[float, int]], percentiles: list[float]
) -> None:
    """An indicator's draws repeat a few table values: the percentiles read off the values and
    their counts are numpy's percentiles of the repeated draws, to the bit."""
    import importlib

    module = importlib.import_module("policyeval.sensitivity")
    # Values with full mantissas, where the two ways numpy interpolates differ in the last bit.
    drawn = np.array([value for value, _ in cells]) * 0.7071067811865476 + 0.1
    values = np.stack([drawn, -np.sqrt(np.abs(drawn))])
    counts = np.array([count for _, count in cells])
    found = module._repeated_percentiles(values, counts, percentiles)
    for row in range(2):
        expected = np.percentile(np.repeat(values[row], counts), percentiles)
        assert found[row].tolist() == expected.tolist()


def test_a_process_unpickles_each_context_once(monkeypatch: Any) -> None:
    """Chunks sent to a worker carry the same bytes; the worker unpickles them once and reuses
    that context (its caches built by the first chunk), and keeps only a few contexts."""
    import importlib
    import pickle

    module = importlib.import_module("policyeval.sensitivity")  # the package names a function so
    monkeypatch.setattr(module, "_RECEIVED", {})  # this process plays the worker here
    serang = module._Shipped(_context_of(load_case(SERANG)))
    first = pickle.loads(pickle.dumps(serang))
    assert first is not serang and pickle.loads(pickle.dumps(serang)) is first
    assert first.context.framework == serang.context.framework
    for noise in range(1, 1 + module._RECEIVED_KEPT):
        other = module._Shipped(_context_of(load_case(SERANG), noise / 10))
        pickle.loads(pickle.dumps(other))
    assert pickle.loads(pickle.dumps(serang)) is not first  # pushed out by newer ones
    assert len(module._RECEIVED) == module._RECEIVED_KEPT


def _context_of(case: Any, noise: float | None = None) -> Any:
    """The draw context a sensitivity analysis of ``case`` builds (with ``noise`` on every
    weight instead of the case's own inputs, when given)."""
    from policyeval import _draws

    seen: list[Any] = []
    run_chunk = _draws.run_chunk

    def spy(context: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(context)
        return run_chunk(context, *args, **kwargs)

    _draws.run_chunk = spy
    try:
        uncertainty = None if noise is None else Uncertainty(weights={"*": noise})
        sensitivity_case(case, uncertainty=uncertainty, draws=1)
    finally:
        _draws.run_chunk = run_chunk
    return seen[0]


def test_a_dask_local_cluster_gives_the_same_json_as_one_process() -> None:
    """Dask's executor is one more concurrent.futures.Executor: same seed, same JSON."""
    distributed = pytest.importorskip("distributed", reason="the optional dask extra")
    case = load_case(SERANG)
    alone = sensitivity_case(case, draws=40, seed=2, chunk_size=10).to_json()
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False) as cluster,
        distributed.Client(cluster) as client,
    ):
        pooled = sensitivity_case(
            case, draws=40, seed=2, chunk_size=10, executor=client.get_executor()
        )
    assert pooled.to_json() == alone


def test_the_command_runs_on_worker_processes_with_the_same_json(capsys: Any) -> None:
    """--workers N runs the chunks in N processes and prints the JSON of one; 0 is refused."""
    asem = str(Path(__file__).parent.parent / "examples" / "asem_coinr")
    arguments = ["sensitivity", asem, "--draws", "600", "--seed", "3", "--format", "json"]
    assert main([*arguments, "--quiet"]) == 0
    alone = capsys.readouterr().out
    assert main([*arguments, "--quiet", "--workers", "2"]) == 0
    assert capsys.readouterr().out == alone
    assert json.loads(alone)["draws"] == 600
    assert main([*arguments, "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_the_report_runs_its_stability_draws_on_worker_processes(tmp_path: Path) -> None:
    """report --stability --workers 2 writes the page of one process."""
    pages = []
    for workers in ("1", "2"):
        target = tmp_path / f"report_{workers}.md"
        arguments = ["report", str(SERANG), "-o", str(target), "--stability", "--draws", "300"]
        assert main([*arguments, "--workers", workers]) == 0
        pages.append(target.read_text(encoding="utf-8"))
    assert pages[0] == pages[1] and "Kestabilan penilaian" in pages[0]


def test_table_and_markdown_formats_name_the_nominal_verdict(capsys: Any) -> None:
    """The table shows each node's nominal level and its share of draws, in the case's language
    unless --lang says otherwise, indicators included."""
    assert main(["sensitivity", str(SERANG), "--draws", "30", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("30 evaluasi, seed 0\n\n")
    header, program, *rest = out.split("\n\n", 1)[1].splitlines()
    assert header.split()[:3] == ["Unit", "Simpul", "Penilaian"]
    assert "Penilaian nominal" in header and "Pendorong utama" in header
    assert program.startswith("kota-serang  Program yang dievaluasi") and "Cukup baik" in program
    assert len(rest) == 17  # the other 17 nodes of the framework, indicators included
    assert main(["sensitivity", str(SERANG), "--draws", "30", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# Sensitivitas\n\n30 evaluasi, seed 0\n\n| Unit |")
    assert main(["sensitivity", str(SERANG), "--draws", "30", "--lang", "en", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("30 draws, seed 0\n\n") and "Programme under evaluation" in out
    assert "Nominal verdict" in out and "Fair" in out


def test_correlation_ratio_separates_a_driver_from_noise() -> None:
    """A score that follows its input gets an index near 1; one that ignores it, near 0."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 2000)
    noise = rng.uniform(0, 1, 2000)
    assert correlation_ratio(x, 3 * x, bins=10) == pytest.approx(0.99, abs=0.01)
    assert correlation_ratio(x, noise, bins=10) < 0.02
    assert correlation_ratio(x, np.ones(2000), bins=10) is None


BAD_SECTIONS = [
    ("weights = { pillar = 0.2 }", "sensitivity.weights.pillar", "not a kind of inner node"),
    ("weights = 1.5", "sensitivity.weights", "must be a number in [0, 1)"),
    ('aggregators = { root = ["mean", "nope"] }', "sensitivity.aggregators.root[1]", "nope"),
    ("min_agreement = [2]", "sensitivity.min_agreement[0]", "must be a number in [0, 1]"),
    ('leave_out = ["unit"]', "sensitivity.leave_out[0]", "must be one of"),
    ('scorers = ["min_max"]', "sensitivity.scorers", "needs a [data] table"),
    ("draw = 5", "sensitivity.draw", "unknown key"),
]


@pytest.mark.parametrize(("line", "key", "message"), BAD_SECTIONS)
def test_a_bad_sensitivity_section_is_located(
    tmp_path: Path, line: str, key: str, message: str, capsys: Any
) -> None:
    """load_case and validate name the file, line and key of a bad [sensitivity] entry."""
    folder = tmp_path / "case"
    shutil.copytree(SERANG, folder)
    text = (folder / "case.toml").read_text(encoding="utf-8")
    start = text.index("[sensitivity]")
    end = text.index("\n[", start + 1)
    (folder / "case.toml").write_text(
        text[:start] + "[sensitivity]\n" + line + "\n" + text[end:], encoding="utf-8"
    )
    with pytest.raises(CaseError) as raised:
        load_case(folder)
    found = [p for p in raised.value.problems if p.key == key]
    assert found and message in found[0].message and found[0].line is not None
    assert main(["validate", str(folder)]) == 2
    assert key in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [({"draws": 0}, "draws=0"), ({"seed": -1}, "seed=-1"), ({"chunk_size": 0}, "chunk_size=0")],
)
def test_bad_arguments_are_refused_by_name(options: dict[str, Any], message: str) -> None:
    """Draws, seed and chunk size are checked before anything runs."""
    case = load_case(SERANG)
    with pytest.raises(InvalidArgument, match=message):
        sensitivity_case(case, **options)


def test_asem_draws_with_scorers_and_weights_equal_plain_evaluations() -> None:
    """On the ASEM data, each draw (a normaliser and +-25 % weights) gives exactly the scores
    evaluate() gives with that normaliser for the data's indicators and those weights."""
    from policyeval.case_data import load_case_data

    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    choices = ({"name": "min_max", "low": 0, "high": 100}, "z_score")
    uncertainty = Uncertainty(weights={"*": 0.25}, scorers=choices)
    result = sensitivity_case(case, uncertainty=uncertainty, draws=4, seed=4, chunk_size=2)
    assert not np.isnan(result.scores).any()  # ASEM is complete after imputation
    assert len(set(result.design[:, -1].tolist())) == 2  # both normalisers drawn
    numeric = load_case_data(case.data, case.framework)
    framework = case.framework
    order = edge_order(framework)
    names = [item.name for item in result.inputs]
    for row in range(result.draws):
        weights = {edge: framework.weight(*edge) for edge in order}
        for column, name in enumerate(names):
            if name.startswith("weight:"):
                parent, child = name.removeprefix("weight:").split(">")
                weights[parent, child] *= result.design[row, column]
        scorer = choices[int(result.design[row, names.index("scorer")])]
        plain = evaluate(
            framework,
            units=result.units,
            data=numeric.table,
            scorers=dict.fromkeys(numeric.table.indicators, scorer),
            weights=[weights[edge] for edge in order],
            min_share=case.min_share,
            aggregators={"*": case.aggregator, **case.aggregator_overrides},
        )
        for u, unit in enumerate(result.units):
            for n, node in enumerate(framework.node_ids):
                expected = plain.judgement(unit, node).score
                got = float(result.scores[row, u, n])
                assert (expected is None and math.isnan(got)) or expected == got


SCORE = NumericScale("score")
RAW = (NumericScale("higher"), NumericScale("lower", direction="lower"))
NORMALISERS = ({"name": "min_max", "low": 0, "high": 100}, "z_score", "rank", "percentile_rank")
# Equal values (ties in ranks), negatives, zero and values far apart.
RAW_VALUES = st.sampled_from((-2.5, -1.0, 0.0, 0.0, 1.0, 1.0, 3.0, 1e-9, 250.0))


@st.composite
def numeric_problems(
    draw: st.DrawFn,
) -> tuple[Framework, dict[str, dict[str, float]], Uncertainty]:
    """A random DAG of weighted means over numeric indicators, a complete data table, and
    weights and normalisers varying."""
    inner = draw(st.integers(1, 5))
    label = {"en": "x"}
    weight = st.sampled_from((None, 0.5, 1.0, 2.0, 3.25))
    nodes = [Node("n0", "root", label=label)]
    for index in range(1, inner):
        parent = f"n{draw(st.integers(0, index - 1))}"
        kind = draw(st.sampled_from(("dimension", "pillar")))
        nodes.append(Node(f"n{index}", kind, label=label, parents=(parent,), weight=draw(weight)))
    childless = {f"n{i}" for i in range(inner)} - {p for n in nodes for p in n.parents}
    indicators = []
    for index in range(draw(st.integers(1, 7))):
        parents = {f"n{draw(st.integers(0, inner - 1))}"}
        if childless:
            parents.add(childless.pop())
        indicators.append((f"i{index}", sorted(parents)))
    indicators += [(f"extra_{node}", [node]) for node in sorted(childless)]
    for name, parents in indicators:
        nodes.append(
            Node(
                name,
                "indicator",
                label=label,
                parents=parents,
                scale=draw(st.sampled_from(RAW)).id,
                weight=draw(weight),
            )
        )
    framework = Framework.build(
        id="numbers", scales=[SCORE, *RAW], default_scale="score", nodes=nodes
    )
    units = [f"u{i}" for i in range(draw(st.integers(2, 6)))]
    data: dict[str, dict[str, float]] = {unit: {} for unit in units}
    for name, _ in indicators:
        column = draw(st.lists(RAW_VALUES, min_size=len(units), max_size=len(units)))
        if column[0] == column[1]:  # normalisers need two different values
            column[1] = column[0] + 1.5
        for unit, value in zip(units, column, strict=True):
            data[unit][name] = value
    uncertainty = Uncertainty(
        weights={"*": draw(st.sampled_from((0.1, 0.25, 0.9)))},
        scorers=tuple(draw(st.lists(st.sampled_from(NORMALISERS), min_size=1, max_size=3))),
        leave_out=draw(st.sampled_from(((), ("indicator",)))),
    )
    return framework, data, uncertainty


@settings(max_examples=40, deadline=None)
@given(numeric_problems(), st.integers(0, 2**32 - 1))
def test_numeric_draws_are_plain_evaluations_to_the_bit(problem: Any, seed: int) -> None:
    """On random frameworks of weighted means over numeric data, each draw's score for every
    unit and node has the bits of evaluate()'s with that draw's normaliser and weights (the
    sign of a zero included), and its rank is evaluate()'s competition rank."""
    framework, data, uncertainty = problem
    result = sensitivity(
        framework,
        uncertainty=uncertainty,
        draws=7,
        seed=seed,
        data=data,
        scorers=dict.fromkeys(framework.indicators, "z_score"),
        min_share=0,
        chunk_size=3,
    )
    scorer_column = [item.name for item in result.inputs].index("scorer")
    for row in range(result.draws):
        chosen = _settings_of(result, row, [])
        scorer = uncertainty.scorers[int(result.design[row, scorer_column])]
        plain = evaluate(
            framework,
            units=result.units,
            data=data,
            scorers=dict.fromkeys(framework.indicators, scorer),
            weights=chosen["weights"],
            min_share=0,
        )
        for node_column, node in enumerate(framework.node_ids):
            scores = [plain.judgement(unit, node).score for unit in result.units]
            ranks = competition_ranks(scores)
            for unit_row, expected in enumerate(scores):
                got = float(result.scores[row, unit_row, node_column])
                rank = float(result.ranks[row, unit_row, node_column])
                if expected is None:  # an indicator left out leaves its only parent undefined
                    assert math.isnan(got) and math.isnan(rank)
                    continue
                assert np.float64(expected).tobytes() == np.float64(got).tobytes(), (row, node)
                assert rank == ranks[unit_row]


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_the_report_shows_each_verdicts_stability_when_asked(tmp_path: Path, suffix: str) -> None:
    """`report --stability` adds the stability section in both languages; without it, none."""
    plain = tmp_path / f"plain{suffix}"
    assert main(["report", str(SERANG), "-o", str(plain)]) == 0
    assert "Kestabilan penilaian" not in plain.read_text(encoding="utf-8")
    for lang, heading in (("id", "Kestabilan penilaian"), ("en", "Stability of the verdicts")):
        target = tmp_path / f"{lang}{suffix}"
        arguments = ["report", str(SERANG), "-o", str(target), "--lang", lang]
        assert main([*arguments, "--stability", "--draws", "40", "--seed", "3"]) == 0
        page = target.read_text(encoding="utf-8")
        assert heading in page and "aggregator:root" in page


def test_the_draw_caches_do_not_outlive_their_analysis() -> None:
    """Triangulations and score tables are shared by the chunks of one analysis only: running
    more analyses leaves no more caches behind."""
    import gc

    from policyeval import _draws

    case = load_case(SERANG)
    sensitivity_case(case, draws=5, seed=0)
    gc.collect()
    before = len(_draws._CACHES)
    for seed in range(3):
        sensitivity_case(case, draws=5, seed=seed)
    gc.collect()
    assert len(_draws._CACHES) == before


def test_the_summaries_are_the_per_cell_functions_to_the_bit() -> None:
    """to_dict computes every cell at once, yet each index, median and interval is exactly what
    index() and a per-cell percentile give (so the JSON does not depend on how it is computed)."""
    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    choices = ({"name": "min_max", "low": 0, "high": 100}, "z_score")
    uncertainty = Uncertainty(weights={"*": 0.25}, scorers=choices)
    result = sensitivity_case(case, uncertainty=uncertainty, draws=60, seed=3, chunk_size=25)
    document = result.to_dict()
    framework = case.framework
    for u, unit in enumerate(result.units[:5]):
        for n, node in enumerate(framework.node_ids):
            entry = document["units"][unit]["nodes"][node]
            low, middle, high = np.percentile(result.scores[:, u, n], [5, 50, 95]).tolist()
            assert (entry["score"]["p5"], entry["score"]["median"], entry["score"]["p95"]) == (
                round(low, 10),
                round(middle, 10),
                round(high, 10),
            )
            if framework.node(node).is_indicator:
                continue
            for item in result.inputs:
                expected = result.index(unit, node, item.name)
                found = entry["sensitivity"][item.name]
                assert found == (None if expected is None else round(expected, 10))


AGREEMENT_ITEMS = [
    Evidence(
        id=f"E{index}",
        unit=unit,
        indicator=indicator,
        rating=rating,
        source=f"s{index}",
        source_category=category,
        technique="interview",
    )
    for index, (unit, indicator, rating, category) in enumerate(
        [
            ("u", "kompetensi", "baik", "asn"),
            ("u", "kompetensi", "baik", "pers"),
            ("u", "kompetensi", "cukup_baik", "asn"),
            ("u", "integritas", "kurang_baik", "asn"),
            ("v", "kompetensi", "cukup_baik", "pers"),
            ("v", "integritas", "baik", "asn"),
        ]
    )
]


def test_the_agreement_rules_thresholds_vary_and_each_draw_is_a_plain_evaluation() -> None:
    """`thresholds` varies the agreement rule's contested_below and corroborated_at (any rule
    parameter by name); each draw equals evaluate() with the drawn values set on the rule."""
    from policyeval import frameworks

    framework = frameworks.load("agustino")
    uncertainty = Uncertainty(
        thresholds={"contested_below": (0.4, 0.6), "corroborated_at": (0.7, 0.9)}
    )
    result = sensitivity(
        framework, AGREEMENT_ITEMS, uncertainty=uncertainty, draws=12, seed=2, rules="agreement"
    )
    names = [item.name for item in result.inputs]
    assert names == ["threshold:contested_below", "threshold:corroborated_at"]
    assert {tuple(row) for row in result.design.tolist()} == {
        (a, b) for a in (0, 1) for b in (0, 1)
    }
    for row in range(result.draws):
        rule = {
            "name": "agreement",
            "contested_below": (0.4, 0.6)[int(result.design[row, 0])],
            "corroborated_at": (0.7, 0.9)[int(result.design[row, 1])],
        }
        plain = evaluate(framework, AGREEMENT_ITEMS, rules=rule, units=result.units)
        for u, unit in enumerate(result.units):
            for n, node in enumerate(framework.node_ids):
                expected = plain.judgement(unit, node).score
                got = float(result.scores[row, u, n])
                assert (expected is None and math.isnan(got)) or expected == got


def test_a_threshold_is_set_on_every_rule_that_takes_it() -> None:
    """Combined and wrapped rules get the threshold on each part whose factory takes it, and the
    coder_agreement wrapper its own `threshold`; a parameter no rule takes is refused."""
    from policyeval.registry import rules_with, with_threshold

    combined = with_threshold({"name": "all_of", "rules": ["source", "agreement"]}, 0.6)
    assert combined["rules"] == [{"name": "source", "min_agreement": 0.6}, "agreement"]
    wrapped = with_threshold({"name": "coder_agreement", "base": "agreement"}, 0.4, "threshold")
    assert wrapped == {"name": "coder_agreement", "base": "agreement", "threshold": 0.4}
    inner = with_threshold({"name": "coder_agreement", "base": "agreement"}, 0.4, "contested_below")
    assert inner["base"] == {"name": "agreement", "contested_below": 0.4}
    with pytest.raises(TypeError, match="high_at"):
        with_threshold("source", 0.9, "high_at")
    by_indicator = rules_with({"*": "agreement", "kompetensi": "source"}, 0.4, "contested_below")
    assert by_indicator == {
        "*": {"name": "agreement", "contested_below": 0.4},
        "kompetensi": "source",
    }


@pytest.mark.parametrize(
    ("thresholds", "key", "message"),
    [
        ({"contested_below": [0.7], "corroborated_at": [0.6]}, "thresholds", "do not fit together"),
        ({"high_at": [0.5]}, "thresholds.high_at[0]", "does not take this value"),
        ({"min_categories": ["two"]}, "thresholds.min_categories[0]", "must be a number"),
        ({"contested_below": []}, "thresholds.contested_below", "non-empty list"),
    ],
)
def test_bad_thresholds_are_located(thresholds: dict[str, Any], key: str, message: str) -> None:
    """Each threshold value must suit the rule, and every combination the draws could pick must
    build (contested_below may not pass corroborated_at)."""
    from policyeval import frameworks
    from policyeval.uncertainty import uncertainty_problems

    problems = uncertainty_problems(
        Uncertainty(thresholds=thresholds), frameworks.load("agustino"), rules="agreement"
    )
    assert [p.key for p in problems] == [f"sensitivity.{key}"]
    assert message in problems[0].message


def test_dirichlet_weights_centre_on_the_nominal_weights() -> None:
    """Dirichlet draws keep each node's total weight, average to the nominal shares, and spread
    each share with variance p (1 - p) / (c + 1)."""
    from policyeval import frameworks

    framework = frameworks.load("agustino")
    concentration = 20.0
    result = sensitivity(
        framework,
        AGREEMENT_ITEMS,
        uncertainty=Uncertainty(dirichlet={"root": concentration}),
        draws=4000,
        seed=1,
    )
    columns = [c for c, item in enumerate(result.inputs) if item.kind == "dirichlet"]
    assert len(columns) == len(framework.children(framework.root))
    variates = result.design[:, columns]
    shares = variates / variates.sum(axis=1, keepdims=True)
    p = 1 / len(columns)
    assert shares.mean(axis=0) == pytest.approx([p] * len(columns), abs=0.01)
    assert shares.var(axis=0) == pytest.approx([p * (1 - p) / (concentration + 1)] * 5, rel=0.15)


def test_weights_within_a_range_and_around_a_dirichlet_do_not_mix_on_one_kind() -> None:
    """A kind's weights vary one way: naming it under both is a located problem."""
    from policyeval import frameworks
    from policyeval.uncertainty import uncertainty_problems

    problems = uncertainty_problems(
        Uncertainty(weights={"root": 0.2}, dirichlet={"root": 10, "dimension": -1}),
        frameworks.load("agustino"),
    )
    assert [(p.key, p.message[:20]) for p in problems] == [
        ("sensitivity.dirichlet.root", "the weights of a kin"),
        ("sensitivity.dirichlet.dimension", "must be a positive n"),
    ]


IMPUTATIONS = ({"method": "mean", "group": "EurAsia_group"}, "median")
TREATMENTS = ("none", {"name": "winsorise", "winmax": 2})


def test_asem_draws_with_imputation_and_treatment_equal_plain_evaluations() -> None:
    """Each ASEM draw with an imputation and a treatment drawn equals evaluate() on the data the
    case's pipeline gives with its impute and treat steps replaced by the drawn ones."""
    from policyeval.case_data import load_case_data
    from policyeval.pipeline import NumericPipeline, impute_step, treat_step
    from policyeval.treatment import no_treatment, winsorise

    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    uncertainty = Uncertainty(imputation=IMPUTATIONS, treatment=TREATMENTS)
    result = sensitivity_case(case, uncertainty=uncertainty, draws=8, seed=3, chunk_size=3)
    assert [item.name for item in result.inputs] == ["imputation", "treatment"]
    picked = {tuple(row) for row in result.design.astype(int).tolist()}
    assert len(picked) >= 3
    raw = load_case_data(case.data, case.framework).tables[0][1]
    imputes = (impute_step("mean", group="EurAsia_group"), impute_step("median"))
    treats = (treat_step(no_treatment()), treat_step(winsorise(winmax=2)))
    for row, (i, t) in enumerate(result.design.astype(int).tolist()):
        steps = [
            imputes[i] if step.name == "impute" else treats[t] if step.name == "treat" else step
            for step in case.data.pipeline.steps
        ]
        plain = evaluate(
            case.framework,
            units=result.units,
            data=NumericPipeline(tuple(steps))(raw).table,
            scorers=case.scorers,
            min_share=case.min_share,
            aggregators={"*": case.aggregator, **case.aggregator_overrides},
        )
        for u, unit in enumerate(result.units):
            for n, node in enumerate(case.framework.node_ids):
                expected = plain.judgement(unit, node).score
                got = float(result.scores[row, u, n])
                assert (expected is None and math.isnan(got)) or expected == got


def test_a_pipeline_choice_that_drops_units_is_refused_by_name() -> None:
    """Without imputation, ASEM's screen step drops units; the error names the choice and them."""
    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    with pytest.raises(InvalidArgument, match=r"imputation='none' drops units \['BGD'"):
        sensitivity_case(case, uncertainty=Uncertainty(imputation=("none",)), draws=2)


def test_imputation_and_treatment_need_the_table_as_read() -> None:
    """Through the API, varying the pipeline needs raw_data and pipeline; the error says so."""
    from policyeval import frameworks

    with pytest.raises(InvalidArgument, match="raw_data"):
        sensitivity(
            frameworks.load("agustino"),
            AGREEMENT_ITEMS,
            uncertainty=Uncertainty(treatment=("none",)),
            data={"u": {"kompetensi": 1.0}},
        )


BAD_SECTIONS += [
    (
        "min_agreement = [0.4]\nthresholds = { min_agreement = [0.5] }",
        "sensitivity.thresholds.min_agreement",
        "declared twice",
    ),
    ("dirichlet = { root = 0 }", "sensitivity.dirichlet.root", "must be a positive number"),
    ("dirichlet = -2", "sensitivity.dirichlet", "must be a positive number"),
    ('design = "latin"', "sensitivity.design", "must be one of"),
    ('design = "saltelli"', "sensitivity.draws", "power of two"),
    ("thresholds = { high_at = [0.9] }", "sensitivity.thresholds.high_at[0]", "does not take"),
    ('imputation = ["mean"]', "sensitivity.imputation", "needs a [data] table"),
    ('treatment = ["clip"]', "sensitivity.treatment[0]", "unknown treatment 'clip'"),
]


def test_asem_sensitivity_section_varies_the_pipeline(tmp_path: Path, capsys: Any) -> None:
    """A case's [sensitivity] may vary imputation and treatment (with a design); validate runs
    every choice, and a group the data does not have is located."""
    folder = tmp_path / "asem"
    shutil.copytree(Path(__file__).parent.parent / "examples" / "asem_coinr", folder)
    text = (folder / "case.toml").read_text(encoding="utf-8")
    text = text[: text.index("\n[sensitivity]")]  # replaced by the section below
    section = (
        '\n[sensitivity]\ndraws = 4\ndesign = "saltelli"\ndirichlet = { pillar = 50 }\n'
        'imputation = [{ method = "mean", group = "EurAsia_group" }, "median"]\n'
        'treatment = ["none", { name = "coinr_default", winmax = 3 }]\n'
    )
    (folder / "case.toml").write_text(text + section, encoding="utf-8")
    assert main(["validate", str(folder)]) == 0
    target = tmp_path / "out.json"
    assert main(["sensitivity", str(folder), "--format", "json", "-o", str(target)]) == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["design"] == "saltelli"
    assert {"imputation", "treatment"} <= {item["name"] for item in document["inputs"]}
    bad = section.replace('group = "EurAsia_group"', 'group = "continent"')
    (folder / "case.toml").write_text(text + bad, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(folder)]) == 2
    error = capsys.readouterr().err
    assert "sensitivity.imputation[0]" in error and "not one of data.groups" in error


@pytest.mark.parametrize(
    ("lang", "heading", "label"),
    [
        ("en", "What drives each verdict", "aggregator at programme level"),
        ("id", "Apa yang mendorong setiap penilaian", "agregator pada tingkat program"),
    ],
)
def test_the_stability_section_charts_what_drives_each_verdict(
    tmp_path: Path, lang: str, heading: str, label: str
) -> None:
    """Both reports show the driver chart in the report's language: the programme's main input
    in words with its index, as an SVG with a text alternative (HTML) or text bars (Markdown);
    the same run gives the same bytes."""
    pages = {}
    for suffix in (".html", ".md"):
        target = tmp_path / f"report{suffix}"
        arguments = ["report", str(SERANG), "-o", str(target), "--lang", lang, "--stability"]
        assert main([*arguments, "--draws", "60", "--seed", "2"]) == 0
        pages[suffix] = target.read_text(encoding="utf-8")
        assert main([*arguments, "--draws", "60", "--seed", "2"]) == 0
        assert target.read_text(encoding="utf-8") == pages[suffix]
    html, markdown = pages[".html"], pages[".md"]
    assert f'<h3 id="stability-drivers">{heading}</h3>' in html
    chart = html[html.index('aria-labelledby="drivers-kota-serang-title') :]
    chart = chart[: chart.index("</svg>")]
    description = chart[chart.index("<desc") : chart.index("</desc>")]
    assert label in description and label in chart
    assert chart.count('class="bar"') >= 1 and 'class="total"' not in chart
    assert f"### {heading}" in markdown
    row = next(line for line in markdown.splitlines() if label in line)
    assert "█" in row


def test_a_saltelli_report_shows_total_indices(tmp_path: Path) -> None:
    """With the Saltelli design the report says so and draws each input's total index too."""
    target = tmp_path / "report.html"
    arguments = ["report", str(SERANG), "-o", str(target), "--lang", "en", "--stability"]
    assert main([*arguments, "--design", "saltelli", "--draws", "4"]) == 0
    page = target.read_text(encoding="utf-8")
    assert "Saltelli design (base sample 4" in page
    assert 'class="total"' in page and "· total " in page
    markdown = tmp_path / "report.md"
    assert main([*arguments[:2], "-o", str(markdown), *arguments[4:], "--design", "saltelli",
                 "--draws", "4"]) == 0  # fmt: skip
    assert "| Total index |" in markdown.read_text(encoding="utf-8")


def test_the_epsilon_squared_index_does_not_reward_many_choices() -> None:
    """An input with as many choices as draws, unrelated to the score, gets no index at all,
    where the plain correlation ratio would give it one."""
    rng = np.random.default_rng(1)
    choice = np.arange(200) % 100
    noise = rng.normal(size=200)
    assert correlation_ratio(choice.astype(float), noise) == pytest.approx(0.0, abs=0.05)


def test_the_asem_example_declares_coinrs_sensitivity_specs() -> None:
    """The ASEM case varies what COINr's sensitivity vignette varies: winmax 1-5 of the default
    treatment, min-max 1-100 or z-scores (10, 2), and the arithmetic or geometric mean."""
    case = load_case(Path(__file__).parent.parent / "examples" / "asem_coinr")
    result = sensitivity_case(case, draws=20, seed=1)
    described = {item["name"]: item["choices"] for item in json.loads(result.to_json())["inputs"]}
    assert described["aggregator:*"] == ["mean()", "geometric()"]
    assert [choice.count("winmax=") for choice in described["treatment"]] == [1] * 5
    assert "winmax=1," in described["treatment"][0] and "winmax=5," in described["treatment"][4]
    assert described["scorer"] == ["min_max(low=1.0, high=100.0)", "z_score(mean=10.0, sd=2.0)"]


@settings(max_examples=30, deadline=None)
@given(numeric_problems(), st.integers(0, 2**32 - 1))
def test_an_input_that_cannot_reach_a_node_has_index_0_there(problem: Any, seed: int) -> None:
    """A weight on an edge drives only its parent and what lies above it: elsewhere its index
    is 0, not the noise a correlation ratio over few draws shows; reachable inputs keep theirs."""
    framework, data, uncertainty = problem
    result = sensitivity(
        framework,
        uncertainty=uncertainty,
        draws=9,
        seed=seed,
        data=data,
        scorers=dict.fromkeys(framework.indicators, "z_score"),
        min_share=0,
    )
    document = result.to_dict()
    edges = edge_order(framework)
    above: dict[str, set[str]] = {}
    for node in framework.node_ids:  # each node with its ancestors, the slow way
        found, frontier = {node}, [node]
        while frontier:
            parents = framework.parents(frontier.pop())
            frontier += [p for p in parents if p not in found]
            found |= set(parents)
        above[node] = found
    position = {node: column for column, node in enumerate(framework.node_ids)}
    for unit_row, unit in enumerate(result.units):
        nodes = document["units"][unit]["nodes"]
        for node in framework.inner_nodes:
            for item_column, item in enumerate(result.inputs):
                if item.kind != "weight":
                    continue
                shown = nodes[node]["sensitivity"][item.name]
                plain = result.index(unit, node, item.name)
                assert shown == (None if plain is None else round(plain, 10))
                raw = correlation_ratio(
                    result.design[:, item_column],
                    result.scores[:, unit_row, position[node]],
                    bins=BINS,
                )
                if node in above[edges[item.edges[0]][0]]:
                    assert shown == (None if raw is None else round(raw, 10))
                else:
                    assert shown in (None, 0.0)
