"""explain: the walk from a node down to the evidence rows, in the reader's language."""

from __future__ import annotations

from conftest import make_framework
from policyeval import evaluate
from policyeval.evidence import Evidence
from policyeval.report import render_explanation

ITEMS = [
    Evidence(
        id="E1",
        unit="a",
        indicator="kejelasan",
        rating="baik",
        source="s1",
        source_category="asn",
        technique="interview",
        excerpt="jelas sekali",
        extra={"excerpt_en": "very clear"},
    ),
    Evidence(
        id="E2",
        unit="a",
        indicator="realisasi",
        value=82.5,
        source="s2",
        source_category="dokumen",
        technique="documentation",
    ),
]


def _lines(lang: str, node: str | None = None, **options: float) -> list[str]:
    evaluation = evaluate(make_framework(), ITEMS, **options)  # type: ignore[arg-type]
    return [
        line.strip() for line in render_explanation(evaluation, "a", node, lang=lang).splitlines()
    ]


def test_indonesian_lines_name_levels_numbers_and_missing_parts() -> None:
    """In Indonesian, a rating or a banded number is shown as its level, a child without a score
    is named, and an indicator without evidence says so."""
    lines = _lines("id")
    assert (
        "1 dari 1 butir (100%) sejalan pada Baik; 1 kategori sumber (asn), 1 teknik (wawancara) — satu sumber"
        in lines
    )
    assert any(line.startswith("1 dari 1 butir (100%) sejalan pada Cukup baik;") for line in lines)
    assert (
        "mean() dari 1 anak simpul = 4.00 → Baik; tanpa skor: Konsistensi (bobot dinormalkan ulang)"
        in lines
    )
    assert lines.count("tidak ada bukti") == 2
    assert "+ E1 (Baik): s1, asn, wawancara: jelas sekali" in lines


def test_an_english_walk_shows_the_english_excerpt() -> None:
    """An item's excerpt_en replaces the excerpt in English; the technique is translated."""
    lines = _lines("en")
    assert "+ E1 (Good): s1, asn, interview: very clear" in lines
    assert "+ E2 (82.5): s2, dokumen, documentation" in lines


def test_an_undefined_node_says_how_much_weight_was_scored_and_how_much_was_needed() -> None:
    """Below min_share a node is undefined, and the line gives both shares."""
    lines = _lines("en", "komunikasi", min_share=1)
    assert lines[0] == "Communication [komunikasi]: undefined (score –, no evidence, confidence –)"
    assert lines[1] == (
        "undefined: children with a score carry 50% of the weight, below the minimum share 100%"
    )
