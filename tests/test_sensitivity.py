"""Sensitivity analysis: every draw is a plain evaluation with that draw's settings, the same
seed gives the same JSON however the draws are run, and bad declarations are located."""

from __future__ import annotations

import json
import math
import shutil
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

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
from policyeval.scales import Level, OrdinalScale
from policyeval.sensitivity import (
    Sensitivity,
    Uncertainty,
    correlation_ratio,
    sensitivity,
    sensitivity_case,
)

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
    inner = draw(st.integers(1, 3))
    nodes = [Node("n0", "root", label={"en": "n0"})]
    for index in range(1, inner):
        parent = f"n{draw(st.integers(0, index - 1))}"
        nodes.append(Node(f"n{index}", "dimension", label={"en": "x"}, parents=(parent,)))
    childless = {f"n{i}" for i in range(inner)} - {p for n in nodes for p in n.parents}
    for index in range(draw(st.integers(1, 4))):
        parents = {f"n{draw(st.integers(0, inner - 1))}"}
        if childless:
            parents.add(childless.pop())
        nodes.append(Node(f"i{index}", "indicator", label={"en": "i"}, parents=sorted(parents)))
    for node in sorted(childless):
        nodes.append(Node(f"extra_{node}", "indicator", label={"en": "i"}, parents=(node,)))
    framework = Framework.build(id="random", scales=[FOUR], default_scale="four", nodes=nodes)
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
    rule: Any = "source"
    kept = list(items)
    for column, item in enumerate(result.inputs):
        value = result.design[row, column]
        if item.name.startswith("weight:"):
            parent, child = item.name.removeprefix("weight:").split(">")
            weights[parent, child] *= value
            continue
        choice = item.choices[int(value)]
        if item.name.startswith("aggregator:"):
            aggregators.update(dict.fromkeys(item.nodes, choice))
        elif item.name == "min_agreement":
            rule = {"name": "source", "min_agreement": choice}
        elif item.name == "leave_out:evidence":
            kept = [i for i in kept if i.id != choice]
        elif item.name == "leave_out:source":
            kept = [i for i in kept if i.source != choice]
        elif item.name == "leave_out:indicator" and choice is not None:
            weights.update({edge: 0.0 for edge in order if edge[1] == choice})
    return {
        "evidence": kept,
        "rules": rule,
        "aggregators": aggregators or None,
        "weights": [weights[edge] for edge in order],
    }


@settings(max_examples=30, deadline=None)
@given(problems(), st.integers(0, 2**32 - 1))
def test_every_draw_equals_a_plain_evaluation_with_its_settings(problem: Any, seed: int) -> None:
    """On random frameworks, evidence and uncertain inputs, each draw's score for every unit and
    node is exactly what evaluate() gives with that draw's weights, aggregators, threshold and
    evidence (the batched array path and the cached triangulations change nothing)."""
    framework, items, uncertainty, min_share = problem
    units = ("u0", "u1")
    result = sensitivity(
        framework,
        items,
        uncertainty=uncertainty,
        draws=6,
        seed=seed,
        units=units,
        min_share=min_share,
        chunk_size=4,
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


def test_a_process_pool_gives_the_same_json_as_one_process() -> None:
    """Chunks run in other processes (pickled context, per-chunk seeds) change nothing."""
    case = load_case(SERANG)
    alone = sensitivity_case(case, draws=40, seed=2, chunk_size=10).to_json()
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = sensitivity_case(case, draws=40, seed=2, chunk_size=10, executor=pool)
    assert pooled.to_json() == alone


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


def test_table_and_markdown_formats_name_the_nominal_verdict(capsys: Any) -> None:
    """The table shows each node's nominal level and its share of draws."""
    assert main(["sensitivity", str(SERANG), "--draws", "30", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "program" in out and "cukup_baik" in out and "30 draws" in out
    assert main(["sensitivity", str(SERANG), "--draws", "30", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# Sensitivity")


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
