"""The ASEM example: `policyeval evaluate examples/asem_coinr --format json` reproduces COINr's
published index and gives every aggregate of every unit with its score and rank."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyeval.cli import cli, main

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "asem_coinr"

# COINr documentation, "results" article: Index score and rank.
PUBLISHED = {
    "CHE": (68.38, 1),
    "NLD": (64.82, 2),
    "DNK": (64.80, 3),
    "NOR": (64.47, 4),
    "BEL": (63.54, 5),
    "SWE": (63.00, 6),
    "IND": (39.79, 45),
}


@pytest.fixture(scope="module")
def document() -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, ["evaluate", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_the_index_matches_coinr_to_the_digits_published(document: dict) -> None:  # type: ignore[type-arg]
    """CHE 68.38 (1), NLD 64.82 (2), DNK 64.80 (3), NOR 64.47 (4), BEL 63.54 (5), SWE 63.00 (6),
    IND 39.79 (45), read from the CLI's JSON."""
    found = {
        unit: (
            round(document["units"][unit]["nodes"]["Index"]["score"], 2),
            document["units"][unit]["nodes"]["Index"]["rank"],
        )
        for unit in PUBLISHED
    }
    assert found == PUBLISHED


def test_every_unit_has_every_aggregate_under_its_imeta_code(document: dict) -> None:  # type: ignore[type-arg]
    """51 units under their uCode, each with the index, Conn, Sust and the eight pillars."""
    with (EXAMPLE / "data" / "ASEM_iData.csv").open(encoding="utf-8") as handle:
        codes = [row["uCode"] for row in csv.DictReader(handle)]
    with (EXAMPLE / "data" / "ASEM_iMeta.csv").open(encoding="utf-8") as handle:
        aggregates = [row["iCode"] for row in csv.DictReader(handle) if row["Type"] == "Aggregate"]
    assert len(aggregates) == 11
    assert sorted(document["units"]) == sorted(codes)
    for code in aggregates:
        scores = {unit: document["units"][unit]["nodes"][code]["score"] for unit in codes}
        for unit in codes:
            node = document["units"][unit]["nodes"][code]
            assert isinstance(node["score"], float)
            higher = sum(1 for other in scores.values() if other > node["score"])
            assert node["rank"] == 1 + higher, (unit, code)


def test_ranks_are_competition_ranks(document: dict) -> None:  # type: ignore[type-arg]
    """Rank 1 is the highest score; each rank is one more than the number of higher scores."""
    scores = {u: d["nodes"]["Physical"]["score"] for u, d in document["units"].items()}
    for unit, data in document["units"].items():
        higher = sum(1 for other in scores.values() if other > scores[unit])
        assert data["nodes"]["Physical"]["rank"] == 1 + higher


def test_the_pipeline_is_recorded_step_by_step(document: dict) -> None:  # type: ignore[type-arg]
    """Every step says what it did: 65 imputed cells, 15 winsorised indicators, no unit dropped."""
    records = document["pipeline"]
    actions = [(r["step"], r["action"]) for r in records]
    assert actions.count(("impute", "imputed")) == 65
    assert len({r["indicator"] for r in records if r["action"] == "winsorise"}) == 15
    assert not [r for r in records if r["action"] == "unit dropped"]
    assert document["settings"]["scorers"]["LPI"] == "min_max(low=0.0, high=100.0)"


def test_the_same_case_gives_the_same_bytes() -> None:
    """Two runs of the CLI write identical JSON."""
    runs = [
        CliRunner().invoke(cli, ["evaluate", str(EXAMPLE), "--format", "json"]) for _ in range(2)
    ]
    assert runs[0].output == runs[1].output


def test_the_comparison_counts_measured_indicators_as_covered() -> None:
    """A case fed by data shows its indicators as measured, not as 0/49 without evidence."""
    result = CliRunner().invoke(cli, ["compare", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    units = json.loads(result.output)["units"]
    assert len(units) == 51
    assert {
        (unit["evidence"], unit["indicators_with_evidence"], unit["indicators_measured"])
        for unit in units
    } == {(0, 0, 49)}
    table = CliRunner().invoke(cli, ["compare", str(EXAMPLE), "--lang", "id"])
    assert "0/49 indikator berbukti (0 butir), 49 terukur" in table.output


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "asem"
    shutil.copytree(EXAMPLE, target)
    return target


def test_a_variant_is_a_change_in_the_case_file(tmp_path: Path) -> None:
    """Rank normalisation and a geometric index need no code: only case.toml changes."""
    folder = _copy(tmp_path)
    text = (folder / "case.toml").read_text(encoding="utf-8")
    text = text.replace('default = { name = "min_max", low = 0, high = 100 }', 'default = "rank"')
    text = text.replace('root = "mean"', 'root = "geometric"')
    (folder / "case.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["settings"]["aggregators"]["Index"] == "geometric()"
    conn = document["units"]["CHE"]["nodes"]["Conn"]["score"]
    sust = document["units"]["CHE"]["nodes"]["Sust"]["score"]
    assert document["units"]["CHE"]["nodes"]["Index"]["score"] == pytest.approx(
        (conn * sust) ** 0.5
    )


def test_a_framework_without_its_scorer_is_refused_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Raw ASEM numbers cannot reach the pillars: without the declared scorer, validate names
    an indicator and exits 2."""
    folder = _copy(tmp_path)
    text = (folder / "framework.toml").read_text(encoding="utf-8")
    text = text.replace(', scorer = { name = "min_max", low = 0, high = 100 }', "")
    (folder / "framework.toml").write_text(text, encoding="utf-8")
    assert main(["validate", str(folder / "framework.toml")]) == 2
    assert "indicator 'LPI'" in capsys.readouterr().err
    case = (folder / "case.toml").read_text(encoding="utf-8")
    (folder / "case.toml").write_text(case.replace("[scoring]\ndefault", "[scoring]\n# default"))
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "indicator 'LPI'" in err and "scoring.indicators.LPI" in err


@pytest.mark.parametrize(
    "old, new, key",
    [
        ('group = "EurAsia_group"', 'group = "Continent"', "pipeline.impute.group"),
        ('Flights = "Population"', 'Flights = "People"', "pipeline.denominate.Flights"),
        ('name = "coinr_default"', 'name = "trim"', "pipeline.treat"),
        ('unit_column = "uCode"', "unit_column = 3", "data.unit_column"),
        ('pillar = "mean"', 'pilar = "mean"', "aggregation.kinds.pilar"),
        (
            "[aggregation]",
            "[aggregation]\nweights = { Index = { Physical = 2 } }",
            "aggregation.weights.Index.Physical",
        ),
    ],
)
def test_bad_numeric_case_settings_are_named_by_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str
) -> None:
    """Each bad choice in [data], [pipeline] or [aggregation] is reported with its key."""
    folder = _copy(tmp_path)
    text = (folder / "case.toml").read_text(encoding="utf-8")
    assert old in text
    (folder / "case.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["validate", str(folder)]) == 2
    assert key in capsys.readouterr().err
