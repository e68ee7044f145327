"""Every piece of report text that is not data, in Indonesian and English.

Data (level labels, node labels, unit labels, excerpts) comes with its own
languages; this table holds only the words around it. A language without an
entry falls back to English.

>>> text("verdict", "id"), text("verdict", "en")
('Penilaian keseluruhan', 'Overall verdict')
>>> text("n_items", "en", n=3)
'3 items'
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGUAGES", "humanise", "kind_text", "technique_text", "text"]

LANGUAGES = ("en", "id")

_TEXT: dict[str, dict[str, str]] = {
    "report": {"en": "Evaluation report", "id": "Laporan evaluasi"},
    "framework": {"en": "Framework", "id": "Kerangka"},
    "period": {"en": "Period", "id": "Periode"},
    "units": {"en": "Units", "id": "Unit"},
    "unit": {"en": "Unit", "id": "Unit"},
    "contents": {"en": "Contents", "id": "Daftar isi"},
    "verdict": {"en": "Overall verdict", "id": "Penilaian keseluruhan"},
    "verdict_sentence": {
        "en": "{node}: {level} (score {score} on {minimum}–{maximum}), confidence {confidence}, {status}.",
        "id": "{node}: {level} (skor {score} pada rentang {minimum}–{maximum}), keyakinan {confidence}, {status}.",
    },
    "verdict_sentence_score_only": {
        "en": "{node}: score {score}, confidence {confidence}, {status}.",
        "id": "{node}: skor {score}, keyakinan {confidence}, {status}.",
    },
    "verdict_sentence_scored": {
        "en": "{node}: score {score} on {minimum}–{maximum}, confidence {confidence}, {status}.",
        "id": "{node}: skor {score} pada rentang {minimum}–{maximum}, keyakinan {confidence}, {status}.",
    },
    "stability": {"en": "Stability of the verdicts", "id": "Kestabilan penilaian"},
    "stability_intro": {
        "en": "{draws} evaluations (seed {seed}) with the inputs the case declares uncertain drawn at random: the share of draws that give the nominal verdict, every level reached, the median score and rank with their 5–95 % intervals, and the input that explains most of the score's variance (first-order index).",
        "id": "{draws} evaluasi (seed {seed}) dengan masukan yang dinyatakan tidak pasti oleh kasus diambil secara acak: proporsi hasil yang memberi penilaian nominal, setiap tingkat yang muncul, median skor dan peringkat dengan interval 5–95 %, serta masukan yang paling menjelaskan variasi skor (indeks orde pertama).",
    },
    "stability_nominal": {"en": "Nominal verdict", "id": "Penilaian nominal"},
    "stability_share": {"en": "Share", "id": "Proporsi"},
    "stability_levels": {"en": "Levels across draws", "id": "Tingkat di semua evaluasi"},
    "stability_score": {"en": "Score [5–95 %]", "id": "Skor [5–95 %]"},
    "stability_rank": {"en": "Rank [5–95 %]", "id": "Peringkat [5–95 %]"},
    "stability_driver": {"en": "Main driver", "id": "Pendorong utama"},
    "stability_none": {"en": "undefined", "id": "tidak terdefinisi"},
    "dimensions": {"en": "Dimensions", "id": "Dimensi"},
    "dimension": {"en": "Dimension", "id": "Dimensi"},
    "dimensions_caption": {
        "en": "Level, score, confidence and status of each dimension",
        "id": "Tingkat, skor, keyakinan dan status setiap dimensi",
    },
    "indicators": {"en": "Indicators", "id": "Indikator"},
    "indicator": {"en": "Indicator", "id": "Indikator"},
    "indicators_caption": {
        "en": "Level, confidence, status and evidence of each indicator",
        "id": "Tingkat, keyakinan, status dan bukti setiap indikator",
    },
    "node": {"en": "Node", "id": "Simpul"},
    "level": {"en": "Level", "id": "Tingkat"},
    "score": {"en": "Score", "id": "Skor"},
    "confidence": {"en": "Confidence", "id": "Keyakinan"},
    "status": {"en": "Status", "id": "Status"},
    "evidence": {"en": "Evidence", "id": "Bukti"},
    "evidence_count": {"en": "Items (agreeing)", "id": "Butir (sejalan)"},
    "by_technique": {"en": "By technique", "id": "Menurut teknik"},
    "by_category": {"en": "By source category", "id": "Menurut kategori sumber"},
    "n_items": {"en": "{n} items", "id": "{n} butir"},
    "undefined": {"en": "undefined", "id": "tidak terdefinisi"},
    "none": {"en": "none", "id": "tidak ada"},
    "levels_legend": {"en": "Levels of the scale", "id": "Tingkat pada skala"},
    "triangulation": {"en": "Triangulation matrix", "id": "Matriks triangulasi"},
    "triangulation_intro": {
        "en": (
            "Each cell counts the evidence items for an indicator from one technique or one "
            "category of source. “a/b” means a of the b items agree with the indicator's "
            "consensus; a single number means all of them agree. An indicator is better "
            "corroborated the more columns its agreeing items spread over."
        ),
        "id": (
            "Setiap sel menghitung butir bukti suatu indikator dari satu teknik atau satu "
            "kategori sumber. “a/b” berarti a dari b butir sejalan dengan konsensus indikator; "
            "satu angka berarti semuanya sejalan. Makin banyak kolom yang diisi butir yang "
            "sejalan, makin kuat konfirmasi indikator itu."
        ),
    },
    "matrix_technique": {
        "en": "Evidence items per indicator and technique",
        "id": "Butir bukti per indikator dan teknik",
    },
    "matrix_category": {
        "en": "Evidence items per indicator and source category",
        "id": "Butir bukti per indikator dan kategori sumber",
    },
    "technique": {"en": "Technique", "id": "Teknik"},
    "category": {"en": "Source category", "id": "Kategori sumber"},
    "source": {"en": "Source", "id": "Sumber"},
    "citation": {"en": "Citation", "id": "Rujukan"},
    "date": {"en": "Date", "id": "Tanggal"},
    "rating": {"en": "Rating", "id": "Penilaian"},
    "charts": {"en": "Charts", "id": "Grafik"},
    "radar": {"en": "Dimension scores", "id": "Skor dimensi"},
    "radar_desc": {
        "en": "Scores of the dimensions on a scale from {minimum} to {maximum}: {values}.",
        "id": "Skor dimensi pada skala {minimum} sampai {maximum}: {values}.",
    },
    "graph": {"en": "Framework graph", "id": "Grafik kerangka"},
    "graph_desc": {
        "en": (
            "The framework drawn top down, from the programme to its dimensions and "
            "indicators; each box shows the node's level and is coloured by it."
        ),
        "id": (
            "Kerangka digambar dari atas ke bawah, dari program ke dimensi dan indikatornya; "
            "setiap kotak menunjukkan tingkat simpul dan diwarnai menurut tingkat itu."
        ),
    },
    "heatmap_desc": {
        "en": "Counts of evidence items: {cells}.",
        "id": "Jumlah butir bukti: {cells}.",
    },
    "key_evidence": {"en": "Key evidence", "id": "Bukti utama"},
    "key_evidence_intro": {
        "en": (
            "For each indicator, the evidence items behind its level: items that agree with "
            "the consensus come first and are marked ✔; items that differ are marked ✘."
        ),
        "id": (
            "Untuk setiap indikator, butir bukti di balik tingkatnya: butir yang sejalan "
            "dengan konsensus ditampilkan lebih dulu dan ditandai ✔; butir yang berbeda "
            "ditandai ✘."
        ),
    },
    "agrees": {"en": "agrees with the consensus", "id": "sejalan dengan konsensus"},
    "differs": {"en": "differs from the consensus", "id": "berbeda dari konsensus"},
    "no_evidence_items": {"en": "No evidence.", "id": "Tidak ada bukti."},
    "concerns": {"en": "Concerns", "id": "Catatan keyakinan"},
    "coder_agreement_text": {
        "en": "Coder agreement: Krippendorff's alpha {alpha} ({coders} investigators; segments rated by two or more: {units})",
        "id": "Kesepakatan pengode: alpha Krippendorff {alpha} ({coders} peneliti; segmen yang dinilai dua orang atau lebih: {units})",
    },
    "data_checks": {"en": "Data checks", "id": "Pemeriksaan data"},
    "data_checks_intro": {
        "en": "{failed} of {total} checks found problems in the data tables; the data are reported as published, not corrected.",
        "id": "{failed} dari {total} pemeriksaan menemukan masalah dalam tabel data; data dilaporkan sebagaimana diterbitkan, tidak dikoreksi.",
    },
    "no_checks": {
        "en": "The case declares no data checks.",
        "id": "Kasus ini tidak menyatakan pemeriksaan data.",
    },
    "check": {"en": "Check", "id": "Pemeriksaan"},
    "kind": {"en": "Kind", "id": "Jenis"},
    "result": {"en": "Result", "id": "Hasil"},
    "why": {"en": "Why", "id": "Alasan"},
    "passed": {"en": "passed", "id": "lolos"},
    "failed": {"en": "failed", "id": "gagal"},
    "findings": {"en": "Findings", "id": "Temuan"},
    "file": {"en": "File", "id": "Berkas"},
    "row": {"en": "Row", "id": "Baris"},
    "message": {"en": "Message", "id": "Pesan"},
    "aggregation": {"en": "Aggregation", "id": "Agregasi"},
    "aggregation_note": {
        "en": (
            "A compensatory aggregator, such as the mean, lets a strong part make up for a "
            "weak one; a non-compensatory aggregator, such as the minimum (the weakest link), "
            "does not, so the whole is only as good as its weakest part. The verdicts below "
            "show how far the conclusion depends on that choice."
        ),
        "id": (
            "Agregator kompensatoris, seperti rata-rata, membiarkan bagian yang kuat menutupi "
            "bagian yang lemah; agregator nonkompensatoris, seperti nilai minimum (mata rantai "
            "terlemah), tidak, sehingga keseluruhan hanya sebaik bagiannya yang paling lemah. "
            "Penilaian di bawah ini menunjukkan seberapa jauh kesimpulan bergantung pada "
            "pilihan itu."
        ),
    },
    "no_alternatives": {
        "en": "The case declares no alternative aggregations.",
        "id": "Kasus ini tidak menyatakan agregasi alternatif.",
    },
    "alternatives_caption": {
        "en": "The verdict under the case's aggregation and under alternatives",
        "id": "Penilaian dengan agregasi kasus dan dengan alternatifnya",
    },
    "alternative": {"en": "Aggregation", "id": "Agregasi"},
    "aggregator": {"en": "Aggregator", "id": "Agregator"},
    "as_declared": {
        "en": "as declared (the case's verdict)",
        "id": "sesuai kasus (penilaian kasus)",
    },
    "over_indicators": {"en": "over the indicators", "id": "atas indikator"},
    "over_children": {"en": "over the children", "id": "atas anak simpul"},
    "recommendations": {"en": "Recommendations", "id": "Rekomendasi"},
    "recommendations_intro": {
        "en": "For every part judged below “{level}”, weakest first, then by weight.",
        "id": "Untuk setiap bagian yang dinilai di bawah “{level}”, dari yang terlemah, lalu menurut bobot.",
    },
    "no_recommendations": {
        "en": "No part is judged below “{level}”.",
        "id": "Tidak ada bagian yang dinilai di bawah “{level}”.",
    },
    "recommendation_generic": {
        "en": "No specific advice is written for this part: review the evidence behind "
        "“{label}” ({level}) and plan how to raise it.",
        "id": "Belum ada saran khusus untuk bagian ini: tinjau bukti di balik “{label}” "
        "({level}) dan rencanakan cara meningkatkannya.",
    },
    "method": {"en": "Method", "id": "Metode"},
    "rule": {"en": "Triangulation rule", "id": "Aturan triangulasi"},
    "rule_overrides": {
        "en": "Rules for single indicators",
        "id": "Aturan untuk indikator tertentu",
    },
    "aggregation_choice": {"en": "Aggregation", "id": "Agregasi"},
    "confidence_rule": {"en": "Confidence propagation", "id": "Penurunan keyakinan"},
    "min_share": {
        "en": "A node is judged when its children with a score carry at least {share} of its weight.",
        "id": "Sebuah simpul dinilai bila anak simpul yang memiliki skor membawa sedikitnya {share} bobotnya.",
    },
    "no_reason": {"en": "No reason given.", "id": "Tidak ada alasan yang diberikan."},
    "rejected": {"en": "Rejected evidence rows", "id": "Baris bukti yang ditolak"},
    "rejected_intro": {
        "en": "These rows were not used in the evaluation.",
        "id": "Baris-baris ini tidak dipakai dalam evaluasi.",
    },
    "reason": {"en": "Reason", "id": "Alasan"},
    "references": {"en": "References", "id": "Rujukan"},
    "case_citation": {"en": "Case", "id": "Kasus"},
    "framework_citation": {"en": "Framework", "id": "Kerangka"},
    "comparison": {"en": "Comparison", "id": "Perbandingan"},
    "strengths": {"en": "Strengths", "id": "Kekuatan"},
    "weaknesses": {"en": "Weaknesses", "id": "Kelemahan"},
    "comparison_caption": {
        "en": "Levels, scores and ranks per dimension and overall (rank 1 is the highest score), "
        "then each unit's strengths and weaknesses: the indicators where it ranks best and worst",
        "id": "Tingkat, skor dan peringkat per dimensi dan keseluruhan (peringkat 1 adalah skor "
        "tertinggi), lalu kekuatan dan kelemahan tiap unit: indikator dengan peringkat terbaik "
        "dan terburuk",
    },
    "overall": {"en": "Overall", "id": "Keseluruhan"},
    "overall_confidence": {"en": "Overall confidence", "id": "Keyakinan keseluruhan"},
    "coverage": {"en": "Coverage", "id": "Cakupan"},
    "coverage_cell": {
        "en": "{with_evidence}/{indicators} indicators, {items} items",
        "id": "{with_evidence}/{indicators} indikator, {items} butir",
    },
    "rejected_in": {
        "en": "{case}: {file} row {row} ({id}): {reason}",
        "id": "{case}: {file} baris {row} ({id}): {reason}",
    },
    "rank": {"en": "rank", "id": "peringkat"},
    "generated_by": {
        "en": "Written by policyeval from the case files; the same files give the same report.",
        "id": "Ditulis oleh policyeval dari berkas kasus; berkas yang sama menghasilkan laporan yang sama.",
    },
    "confidence.very_low": {"en": "very low", "id": "sangat rendah"},
    "confidence.low": {"en": "low", "id": "rendah"},
    "confidence.moderate": {"en": "moderate", "id": "sedang"},
    "confidence.high": {"en": "high", "id": "tinggi"},
    "kind.root": {"en": "programme", "id": "program"},
    "kind.dimension": {"en": "dimension", "id": "dimensi"},
    "kind.indicator": {"en": "indicator", "id": "indikator"},
    "passed_checks": {"en": "Checks that passed", "id": "Pemeriksaan yang lolos"},
    "status.no_evidence": {"en": "no evidence", "id": "tidak ada bukti"},
    "status.contested": {"en": "contested", "id": "diperdebatkan"},
    "status.single_source": {"en": "single source", "id": "satu sumber"},
    "status.partially_corroborated": {
        "en": "partially corroborated",
        "id": "sebagian terkonfirmasi",
    },
    "status.corroborated": {"en": "corroborated", "id": "terkonfirmasi"},
    "status.measured": {"en": "measured", "id": "terukur"},
    "status_from": {"en": "{status} (from {part})", "id": "{status} (dari {part})"},
    "explain_header": {
        "en": "{label} [{node}]: {level} (score {score}, {status}, confidence {confidence})",
        "id": "{label} [{node}]: {level} (skor {score}, {status}, keyakinan {confidence})",
    },
    "explain_no_evidence": {"en": "no evidence", "id": "tidak ada bukti"},
    "explain_agree": {
        "en": "{agreeing} of {total} items ({share}) agree on {subject}",
        "id": "{agreeing} dari {total} butir ({share}) sejalan pada {subject}",
    },
    "explain_even_split": {
        "en": "an even split between {lower} and {upper}: half the weight on each side, "
        "the lower level shown",
        "id": "terbagi rata antara {lower} dan {upper}: setengah bobot di tiap sisi, "
        "tingkat yang lebih rendah ditampilkan",
    },
    "explain_counts": {
        "en": "{categories} source categories ({category_list}), "
        "{techniques} techniques ({technique_list})",
        "id": "{categories} kategori sumber ({category_list}), {techniques} teknik ({technique_list})",
    },
    "explain_undefined": {
        "en": "undefined: children with a score carry {share} of the weight, below the minimum "
        "share {minimum}",
        "id": "tidak terdefinisi: anak simpul yang memiliki skor membawa {share} bobot, di bawah "
        "batas minimum {minimum}",
    },
    "explain_combined": {
        "en": "{aggregator} of {count} children = {score} → {level}",
        "id": "{aggregator} dari {count} anak simpul = {score} → {level}",
    },
    "explain_missing": {
        "en": "without a score: {parts} (weights renormalised)",
        "id": "tanpa skor: {parts} (bobot dinormalkan ulang)",
    },
    "explain_inherited": {
        "en": "status {status}, inherited from its weakest part: {path}",
        "id": "status {status}, diwarisi dari bagian terlemahnya: {path}",
    },
    "via": {"en": " via ", "id": " melalui "},
    "reported_verdicts": {
        "en": "The study's verdicts compared",
        "id": "Putusan studi dibandingkan",
    },
    "reported_summary": {
        "en": "The evidence supports {agrees} of {total} of the study's verdicts ({differs} differ, {no_evidence} without evidence).",
        "id": "Bukti mendukung {agrees} dari {total} putusan studi ({differs} berbeda, {no_evidence} tanpa bukti).",
    },
    "reported_intro": {
        "en": "The verdicts the evaluated study states are not evidence: they are set beside the verdicts the evidence gives, and every difference is explained.",
        "id": "Putusan yang dinyatakan studi yang dievaluasi bukan bukti: putusan itu disandingkan dengan putusan yang dihasilkan bukti, dan setiap perbedaan dijelaskan.",
    },
    "reported_level": {"en": "Study", "id": "Studi"},
    "inferred_mark": {"en": "(inferred)", "id": "(disimpulkan penyandi)"},
    "evidence_level": {"en": "Evidence", "id": "Bukti"},
    "agreement": {"en": "Agreement", "id": "Kesesuaian"},
    "why_differs": {"en": "Why", "id": "Alasan"},
    "agreement.agrees": {"en": "agrees", "id": "sesuai"},
    "agreement.differs": {"en": "differs", "id": "berbeda"},
    "agreement.not_reported": {"en": "not reported", "id": "tidak dinyatakan"},
    "agreement.no_evidence": {"en": "no evidence", "id": "tanpa bukti"},
    "reason_rows": {"en": "evidence rows {rows}", "id": "baris bukti {rows}"},
    "reason_children": {
        "en": "{aggregator} of {children}",
        "id": "{aggregator} dari {children}",
    },
    "reason_no_evidence": {
        "en": "no evidence row bears on this node; the study's verdict has no support in the encoded evidence",
        "id": "tidak ada baris bukti untuk simpul ini; putusan studi tidak didukung bukti yang disandikan",
    },
}

_TECHNIQUES: dict[str, dict[str, str]] = {
    "interview": {"en": "interview", "id": "wawancara"},
    "observation": {"en": "observation", "id": "observasi"},
    "documentation": {"en": "documentation", "id": "dokumentasi"},
    "survey": {"en": "survey", "id": "survei"},
    "statistic": {"en": "statistic", "id": "statistik"},
    "focus_group": {"en": "focus group", "id": "diskusi kelompok terarah"},
    "unspecified": {"en": "unspecified", "id": "tidak disebutkan"},
}


def text(key: str, lang: str | None, **values: Any) -> str:
    """The report text for ``key`` in ``lang`` (English when missing), filled with ``values``.

    >>> text("status.corroborated", "id")
    'terkonfirmasi'
    >>> text("passed", "fr")
    'passed'
    """
    entry = _TEXT[key]
    template = entry.get(lang or "en", entry["en"])
    return template.format(**values) if values else template


def humanise(name: str) -> str:
    """An open-vocabulary id made readable: underscores become spaces.

    >>> humanise("dokumen_resmi")
    'dokumen resmi'
    """
    return name.replace("_", " ")


def technique_text(technique: str, lang: str | None) -> str:
    """A technique name in ``lang`` when it is a common one, else the name made readable.

    >>> technique_text("interview", "id"), technique_text("focus_group", "en")
    ('wawancara', 'focus group')
    """
    known = _TECHNIQUES.get(technique)
    if known is None:
        return humanise(technique)
    return known.get(lang or "en", known["en"])


def kind_text(kind: str, lang: str | None) -> str:
    """A node kind in ``lang`` (root, dimension, indicator), else the kind made readable.

    >>> kind_text("dimension", "id"), kind_text("sub_pillar", "en")
    ('dimensi', 'sub pillar')
    """
    key = f"kind.{kind}"
    return text(key, lang) if key in _TEXT else humanise(kind)
