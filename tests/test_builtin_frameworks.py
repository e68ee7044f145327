"""The built-in frameworks: what ships, how it loads, and what the flagship says exactly."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from policyeval import frameworks
from policyeval.exceptions import FrameworkError, UnknownPluginError
from policyeval.framework import AggregatorSpec, Framework
from policyeval.registry import build_aggregator
from policyeval.scales import NumericScale, OrdinalScale

NAMES = ("agustino", "dunn", "edward3", "oecd_dac")

AGUSTINO_TREE = {
    "sumber_daya_aparatur": (
        "kompetensi",
        "kapabilitas",
        "integritas",
        "pemahaman_kebijakan",
        "harmoni_kebijakan",
        "kualitas_data",
        "kepemimpinan",
    ),
    "kelembagaan": ("manajemen_organisasi", "koordinasi_kolaborasi"),
    "sarana_prasarana_teknologi": ("komunikasi_publik",),
    "keuangan": ("pengelolaan_anggaran",),
    "regulasi": ("regulasi_turunan",),
}

# (dimensions, indicators) per framework
SHAPES = {
    "agustino": (5, 12),
    "dunn": (6, 13),
    "edward3": (4, 12),
    "oecd_dac": (6, 15),
}


@pytest.fixture(params=NAMES)
def framework(request: pytest.FixtureRequest) -> Framework:
    return frameworks.load(request.param)


@pytest.fixture
def agustino() -> Framework:
    return frameworks.load("agustino")


# --- the catalogue -------------------------------------------------------------------------


def test_available_lists_every_builtin_sorted() -> None:
    """available() names every shipped framework, in sorted order."""
    assert frameworks.available() == NAMES


def test_path_points_at_the_toml_data_file() -> None:
    """path() returns the framework's TOML file inside the package."""
    for name in NAMES:
        data = frameworks.path(name)
        assert data.name == f"{name}.toml"
        assert 'schema = "policyeval.framework/1"' in data.read_text(encoding="utf-8")


@pytest.mark.parametrize("call", [frameworks.load, frameworks.path, frameworks.resolve])
def test_unknown_name_raises_listing_the_available_names(call: Callable[[str], object]) -> None:
    """An unknown name raises UnknownPluginError (a LookupError) naming it and every built-in."""
    with pytest.raises(UnknownPluginError) as caught:
        call("agustin")
    assert isinstance(caught.value, LookupError)
    message = str(caught.value)
    assert "name='agustin'" in message
    for name in NAMES:
        assert name in message


def test_load_returns_equal_frameworks_on_repeated_calls() -> None:
    """Loading the same name twice gives equal frameworks."""
    assert frameworks.load("dunn") == frameworks.load("dunn")


def test_loaded_frameworks_carry_their_own_id() -> None:
    """Each file's framework id is the name it is loaded by."""
    for name in NAMES:
        assert frameworks.load(name).id == name


# --- every framework ---------------------------------------------------------------------


def test_each_framework_has_the_pinned_shape(framework: Framework) -> None:
    """Each framework has one root, its pinned number of dimensions and of indicators."""
    dimensions, indicators = SHAPES[framework.id]
    assert len(framework.of_kind("root")) == 1
    assert len(framework.of_kind("dimension")) == dimensions
    assert len(framework.indicators) == indicators
    assert len(framework) == 1 + dimensions + indicators


def test_each_framework_is_a_strict_tree_of_root_dimensions_indicators(
    framework: Framework,
) -> None:
    """Every dimension hangs from the root and every indicator from exactly one dimension."""
    assert set(framework.children(framework.root)) == set(framework.of_kind("dimension"))
    for indicator in framework.indicators:
        parents = framework.parents(indicator)
        assert len(parents) == 1
        assert framework.kind_of(parents[0]) == "dimension"


def test_each_framework_is_bilingual_everywhere(framework: Framework) -> None:
    """Title, node labels, descriptions, recommendations and level labels exist in id and en."""
    assert set(framework.languages) == {"id", "en"}
    for text in (framework.title, framework.description):
        assert all(text.get(lang, "").strip() for lang in ("id", "en"))
    for node in framework:
        for text in (node.label, node.description, node.recommendation):
            assert all(text.get(lang, "").strip() for lang in ("id", "en")), node.id
    for scale in framework.scales.values():
        assert all(scale.label.get(lang, "").strip() for lang in ("id", "en")), scale.id
        if isinstance(scale, OrdinalScale):
            for level in scale.levels:
                assert all(level.label.get(lang, "").strip() for lang in ("id", "en")), level.id


def test_each_framework_is_cited(framework: Framework) -> None:
    """Each framework names the published source it follows."""
    assert framework.citation
    assert re.search(r"\((19|20)\d\d\)", framework.citation)


def test_each_framework_uses_plain_ids_and_unit_weights(framework: Framework) -> None:
    """Node ids are lower-case snake case, and every edge weighs 1."""
    for node_id in framework.node_ids:
        assert re.fullmatch(r"[a-z0-9_]+", node_id)
    for parent in framework.inner_nodes:
        for child in framework.children(parent):
            assert framework.weight(parent, child) == 1.0


def test_each_framework_rates_indicators_on_a_declared_scale(framework: Framework) -> None:
    """Every indicator has a scale, and every scale is used by some node or band."""
    used = set()
    for indicator in framework.indicators:
        scale = framework.scale_of(indicator)
        assert scale is not None
        used.add(scale.id)
        if isinstance(scale, NumericScale) and scale.levels is not None:
            used.add(scale.levels.id)
    assert used == set(framework.scales)


def test_each_aggregator_named_is_registered(framework: Framework) -> None:
    """Every aggregator a framework names can be built from the registry."""
    for node_id in framework.inner_nodes:
        assert callable(build_aggregator(framework.aggregator_of(node_id)))


def test_each_framework_text_file_reads_the_same_as_json(
    framework: Framework, tmp_path: Path
) -> None:
    """resolve() reads a framework file by path, TOML or JSON, to an equal framework."""
    text = frameworks.path(framework.id).read_text(encoding="utf-8")
    toml_file = tmp_path / f"copy-{framework.id}.toml"
    toml_file.write_text(text, encoding="utf-8")
    json_file = tmp_path / f"copy-{framework.id}.json"
    json_file.write_text(json.dumps(tomllib.loads(text)), encoding="utf-8")
    assert frameworks.resolve(str(toml_file)) == framework
    assert frameworks.resolve(toml_file) == framework
    assert frameworks.resolve(str(json_file)) == framework


# --- resolve -------------------------------------------------------------------------------


def test_resolve_prefers_builtin_names() -> None:
    """A built-in name resolves to the built-in framework."""
    assert frameworks.resolve("edward3") == frameworks.load("edward3")


def test_resolve_reports_a_missing_file_as_a_framework_error(tmp_path: Path) -> None:
    """A path that does not exist raises FrameworkError naming the file."""
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(FrameworkError) as caught:
        frameworks.resolve(str(missing))
    assert caught.value.problems[0].file == str(missing)


# --- agustino, exactly -----------------------------------------------------------------------


def test_agustino_has_the_five_dimensions_and_twelve_indicators_in_order(
    agustino: Framework,
) -> None:
    """The dimensions and their indicators are those of the Serang study, in its order."""
    assert agustino.root == "program"
    assert agustino.of_kind("dimension") == tuple(AGUSTINO_TREE)
    assert agustino.children("program") == tuple(AGUSTINO_TREE)
    for dimension, indicators in AGUSTINO_TREE.items():
        assert agustino.children(dimension) == indicators
    assert agustino.indicators == tuple(i for group in AGUSTINO_TREE.values() for i in group)


def test_agustino_is_indonesian_first(agustino: Framework) -> None:
    """The framework's default language is Indonesian, with English alongside."""
    assert agustino.default_language == "id"
    assert agustino.languages == ("id", "en")
    assert agustino.label("keuangan") == "Keuangan"
    assert agustino.label("keuangan", "en") == "Finance"
    assert agustino.label("sumber_daya_aparatur") == "Sumber daya aparatur"
    assert agustino.label("koordinasi_kolaborasi", "en") == "Coordination and collaboration"


def test_agustino_scale_levels_are_exact(agustino: Framework) -> None:
    """agustino4 runs baik 4, cukup_baik 3, kurang_baik 2, tidak_baik 1 with their labels."""
    assert agustino.default_scale == "agustino4"
    scale = agustino.scales["agustino4"]
    assert isinstance(scale, OrdinalScale)
    assert [(level.id, level.score) for level in scale.levels] == [
        ("baik", 4.0),
        ("cukup_baik", 3.0),
        ("kurang_baik", 2.0),
        ("tidak_baik", 1.0),
    ]
    assert [level.label for level in scale.levels] == [
        {"en": "Good", "id": "Baik"},
        {"en": "Fair", "id": "Cukup baik"},
        {"en": "Poor", "id": "Kurang baik"},
        {"en": "Bad", "id": "Tidak baik"},
    ]
    assert all(
        level.description.get("id") and level.description.get("en") for level in scale.levels
    )
    assert scale.level("Cukup baik").id == "cukup_baik"
    assert scale.level("poor").id == "kurang_baik"


def test_agustino_reads_scores_back_at_midpoints_ties_down(agustino: Framework) -> None:
    """Aggregated scores map to levels with cuts 1.5, 2.5, 3.5, a tie going to the lower level."""
    scale = agustino.scales["agustino4"]
    assert isinstance(scale, OrdinalScale)
    bands = scale.effective_bands
    assert bands.method == "midpoints"
    assert bands.ties == "down"
    assert bands.cuts == (1.5, 2.5, 3.5)
    assert scale.level_for_score(2.6).id == "cukup_baik"
    assert scale.level_for_score(2.5).id == "kurang_baik"
    assert scale.level_for_score(3.5).id == "cukup_baik"
    assert scale.level_for_score(3.51).id == "baik"


def test_agustino_aggregates_by_plain_mean(agustino: Framework) -> None:
    """The root and every dimension combine their children with an unweighted mean."""
    assert agustino.default_aggregator == AggregatorSpec("mean")
    for node_id in ("program", *AGUSTINO_TREE):
        assert agustino.node(node_id).aggregator == AggregatorSpec("mean")


def test_agustino_cites_agustino_and_the_serang_study(agustino: Framework) -> None:
    """The citation is Agustino (2023) and the references name the Serang study."""
    assert agustino.citation is not None
    assert agustino.citation.startswith("Agustino, L. (2023). Memahami Evaluasi Kebijakan")
    assert len(agustino.references) == 1
    assert agustino.references[0].startswith("Sahyudi, A., & Yusuf, M.")
    assert "Universitas Sultan Ageng Tirtayasa" in agustino.references[0]


def test_agustino_nodes_point_to_the_paper_section(agustino: Framework) -> None:
    """Every dimension and indicator records where the study discusses it."""
    sections = {node.id: node.attributes["paper_section"] for node in agustino}
    assert sections["kompetensi"] == "Hasil dan Diskusi: kompetensi; Tabel 5; Kesimpulan 1"
    assert "Tabel 8" in sections["pengelolaan_anggaran"]
    assert "Tabel 7" in sections["manajemen_organisasi"]
    assert "Gambar 3" in sections["koordinasi_kolaborasi"]
    assert all(section.startswith("Hasil dan Diskusi") for section in sections.values())


@pytest.mark.parametrize(
    ("node_id", "phrases"),
    [
        ("komunikasi_publik", ("interactive", "dedicated page", "neutrality")),
        ("pengelolaan_anggaran", ("provincial Bawaslu", "dedicated budget line")),
        ("regulasi_turunan", ("Juklak/Juknis",)),
        ("koordinasi_kolaborasi", ("BKPSDM", "Inspectorate", "beyond formal MoUs")),
        ("manajemen_organisasi", ("local strategy", "KPP", "national module", "periodically")),
        ("kompetensi", ("capacity building",)),
        ("sumber_daya_aparatur", ("capacity building",)),
    ],
)
def test_agustino_recommendations_follow_the_study(node_id: str, phrases: tuple[str, ...]) -> None:
    """Each recommendation carries the study's concrete suggestion for that node (English)."""
    text = frameworks.load("agustino").node(node_id).recommendation["en"]
    for phrase in phrases:
        assert phrase in text


def test_agustino_recommendations_name_no_single_city_or_province(agustino: Framework) -> None:
    """The framework's advice is general: the Serang case adds its own province-specific line."""
    for node in agustino:
        for text in node.recommendation.values():
            for place in ("Serang", "Banten"):
                assert place not in text, (node.id, place)


def test_agustino_indonesian_recommendations_name_the_same_bodies(agustino: Framework) -> None:
    """The Indonesian recommendations name the same institutions and instruments."""
    assert "BKPSDM" in agustino.node("koordinasi_kolaborasi").recommendation["id"]
    assert "Bawaslu provinsi" in agustino.node("pengelolaan_anggaran").recommendation["id"]
    assert "Juklak dan Juknis" in agustino.node("regulasi_turunan").recommendation["id"]
    assert "halaman khusus" in agustino.node("komunikasi_publik").recommendation["id"]


# --- the other frameworks ----------------------------------------------------------------------


def test_oecd_dac_has_the_six_2019_criteria() -> None:
    """oecd_dac has the six revised criteria, read overall through their median."""
    fw = frameworks.load("oecd_dac")
    assert fw.children(fw.root) == (
        "relevance",
        "coherence",
        "effectiveness",
        "efficiency",
        "impact",
        "sustainability",
    )
    assert fw.children("coherence") == ("internal_coherence", "external_coherence")
    assert fw.aggregator_of(fw.root) == AggregatorSpec("median")
    assert fw.aggregator_of("relevance") == AggregatorSpec("mean")
    scale = fw.scales["dac4"]
    assert isinstance(scale, OrdinalScale)
    assert [(level.id, level.score) for level in scale.levels] == [
        ("highly_satisfactory", 4.0),
        ("satisfactory", 3.0),
        ("unsatisfactory", 2.0),
        ("highly_unsatisfactory", 1.0),
    ]


def test_dunn_has_the_six_criteria_with_indonesian_names() -> None:
    """dunn has Dunn's six criteria, labelled as the Indonesian translation names them."""
    fw = frameworks.load("dunn")
    criteria = fw.children(fw.root)
    assert criteria == (
        "effectiveness",
        "efficiency",
        "adequacy",
        "equity",
        "responsiveness",
        "appropriateness",
    )
    assert [fw.label(c, "id") for c in criteria] == [
        "Efektivitas",
        "Efisiensi",
        "Kecukupan",
        "Perataan (pemerataan)",
        "Responsivitas",
        "Ketepatan",
    ]


def test_dunn_bands_target_achievement_in_equal_quarters() -> None:
    """Percent of target achieved is banded in equal-width quarters onto dunn4, ties down."""
    fw = frameworks.load("dunn")
    scale = fw.scale_of("units_of_service")
    assert isinstance(scale, NumericScale)
    assert (scale.minimum, scale.maximum, scale.unit) == (0.0, 100.0, "%")
    assert scale.bands is not None
    assert scale.bands.method == "equal_width"
    assert scale.bands.cuts == (25.0, 50.0, 75.0)
    readings = {value: scale.level_for_value(value) for value in (10, 25, 25.5, 75, 75.5)}
    assert {value: level.id for value, level in readings.items() if level} == {
        10: "very_poor",
        25: "very_poor",
        25.5: "poor",
        75: "good",
        75.5: "very_good",
    }


def test_edward3_has_the_four_factors_and_their_sub_factors() -> None:
    """edward3 has Edwards III's four factors, read overall by the weakest of them."""
    fw = frameworks.load("edward3")
    assert fw.children(fw.root) == (
        "communication",
        "resources",
        "disposition",
        "bureaucratic_structure",
    )
    assert fw.children("communication") == ("transmission", "clarity", "consistency")
    assert fw.children("resources") == ("staff", "information", "authority", "facilities")
    assert fw.children("bureaucratic_structure") == (
        "standard_operating_procedures",
        "fragmentation",
    )
    assert fw.aggregator_of(fw.root) == AggregatorSpec("min")
    assert fw.citation is not None
    assert fw.citation.startswith("Edwards III, G. C. (1980). Implementing Public Policy.")


def test_edward3_keeps_information_under_resources_only() -> None:
    """Edwards III counts information as a resource, so it has a single parent."""
    fw = frameworks.load("edward3")
    assert fw.parents("information") == ("resources",)


def test_reference_page_lists_every_node_of_every_framework() -> None:
    """docs/reference/builtin-frameworks.rst has a table row for every node id."""
    page = Path(__file__).resolve().parents[1] / "docs" / "reference" / "builtin-frameworks.rst"
    text = page.read_text(encoding="utf-8")
    for name in NAMES:
        assert f"``{name}``" in text
        for node_id in frameworks.load(name).node_ids:
            assert f"     - ``{node_id}``\n" in text, (name, node_id)
