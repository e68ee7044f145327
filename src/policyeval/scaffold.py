"""A new case folder, ready to fill: ``policyeval init``.

:func:`init_case` writes a commented ``case.toml``, ``sources.csv`` and
``evidence.csv`` with their header rows, and (with openpyxl, the ``xlsx``
extra) an ``evidence.xlsx`` template whose cells offer drop-down lists of the
framework's indicator ids, the level labels in the chosen language, the
units, the source ids of ``sources.csv`` and common techniques, with the
indicators and their descriptions on a second sheet. What it writes
validates as is and evaluates to ``no_evidence`` everywhere, so a
researcher can check each row as it is added.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "kota_contoh"
>>> written = init_case(folder, "agustino", units=["kota-contoh"], xlsx=False)
>>> [path.name for path in written]
['case.toml', 'sources.csv', 'evidence.csv']
>>> from policyeval import evaluate_case
>>> evaluate_case(folder).evaluation.judgement("kota-contoh", "program").status.value
'no_evidence'
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policyeval.evidence_io import SOURCE_COLUMNS
from policyeval.exceptions import CaseError, Problem
from policyeval.framework import Framework
from policyeval.scales import NumericScale, OrdinalScale

__all__ = ["TECHNIQUES", "evidence_columns", "init_case", "write_evidence_template"]

TECHNIQUES = ("interview", "observation", "documentation", "survey", "statistic", "focus_group")
"""The techniques the evidence template offers (any other name is accepted too)."""

SHEET = "evidence"
INDICATOR_SHEET = "indicators"
LIST_SHEET = "lists"
_TEMPLATE_ROWS = 1000

_COMMENTS = {
    "en": {
        "head": "policyeval case for {framework}. Fill sources.csv and {evidence}, then run:",
        "docs": "Every key is in the policyeval docs (reference: case files). Keys marked TEXT take "
        'a string or one string per language: { id = "...", en = "..." }.',
        "title": "TEXT: the title of the evaluation",
        "period": "the period evaluated",
        "optional": "optional: a description (TEXT) and the study to cite",
        "units": "One [[units]] per region or organisation evaluated; the evidence's unit column "
        "uses the id. label is TEXT.",
        "evidence": "The evidence table ({other} works too), and the sources it names.",
        "lenient": "true: evaluate the good rows and list each rejected row with its reason",
        "rule": "How far an indicator's evidence is corroborated: source, technique, time, "
        "investigator, agreement, cerqual, or all_of/any_of of them.",
        "why": "TEXT: why this choice fits the study (shown in the report)",
        "aggregation": "How scores go up the framework: mean, median, min (weakest_link), ...; "
        "the framework's own choice when not set.",
        "report": "Recommend for nodes below this level (default: the best level).",
        "recommendations": "Your own recommendation per node id (TEXT), replacing the "
        "framework's generic ones.",
        "categories": "Readable names (TEXT) of the source categories of sources.csv, for reports.",
    },
    "id": {
        "head": "Kasus policyeval untuk {framework}. Isi sources.csv dan {evidence}, lalu jalankan:",
        "docs": "Semua kunci ada di dokumentasi policyeval (reference: case files). Kunci bertanda "
        'TEKS menerima teks atau satu teks per bahasa: { id = "...", en = "..." }.',
        "title": "TEKS: judul evaluasi",
        "period": "periode yang dievaluasi",
        "optional": "opsional: deskripsi (TEKS) dan rujukan penelitian",
        "units": "Satu [[units]] per wilayah atau organisasi yang dievaluasi; kolom unit pada "
        "bukti memakai id-nya. label adalah TEKS.",
        "evidence": "Tabel bukti ({other} juga bisa), dan tabel sumber yang dirujuknya.",
        "lenient": "true: evaluasi baris yang baik dan daftar setiap baris yang ditolak beserta "
        "alasannya",
        "rule": "Seberapa jauh bukti sebuah indikator terkonfirmasi: source, technique, time, "
        "investigator, agreement, cerqual, atau all_of/any_of dari aturan-aturan itu.",
        "why": "TEKS: mengapa pilihan ini cocok dengan penelitian (tampil di laporan)",
        "aggregation": "Cara skor naik dalam kerangka: mean, median, min (weakest_link), ...; "
        "pilihan kerangka bila tidak diisi.",
        "report": "Rekomendasi untuk simpul di bawah tingkat ini (bawaan: tingkat terbaik).",
        "recommendations": "Rekomendasi Anda sendiri per id simpul (TEKS), menggantikan "
        "rekomendasi umum dari kerangka.",
        "categories": "Nama yang mudah dibaca (TEKS) untuk kategori sumber di sources.csv, "
        "untuk laporan.",
    },
}

_PROMPTS = {
    "en": {
        "indicator": "Pick an indicator id (see the indicators sheet)",
        "rating": "Pick a level",
        "unit": "Pick a unit",
        "source": "Pick a source id from sources.csv (or add it there)",
        "technique": "Pick a technique, or type another",
        "date": "A date such as 17/08/2024 or 2024-08-17",
        "weight": "How much the item counts (> 0, default 1)",
    },
    "id": {
        "indicator": "Pilih id indikator (lihat lembar indicators)",
        "rating": "Pilih tingkat",
        "unit": "Pilih unit",
        "source": "Pilih id sumber dari sources.csv (atau tambahkan di sana)",
        "technique": "Pilih teknik, atau ketik yang lain",
        "date": "Tanggal seperti 17/08/2024 atau 2024-08-17",
        "weight": "Bobot butir (> 0, bawaan 1)",
    },
}


def _quote(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def _readable(name: str) -> str:
    """A folder or unit id as a starting label: ``kota_contoh-2024`` -> ``Kota Contoh 2024``."""
    return " ".join(part.capitalize() for part in re.split(r"[-_\s]+", name) if part) or name


def _slug(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", name.casefold()).strip("-") or "unit"


def evidence_columns(framework: Framework) -> tuple[str, ...]:
    """The header of a new evidence table: ``value`` only when some indicator is numeric.

    >>> from policyeval import frameworks
    >>> evidence_columns(frameworks.load("agustino"))[:5]
    ('id', 'unit', 'indicator', 'rating', 'source')
    """
    numeric = any(
        isinstance(framework.scale_of(node), NumericScale) for node in framework.indicators
    )
    return (
        "id",
        "unit",
        "indicator",
        "rating",
        *(("value",) if numeric else ()),
        "source",
        "source_category",
        "technique",
        "date",
        "investigator",
        "weight",
        "excerpt",
        "citation",
    )


def _level_labels(framework: Framework, lang: str) -> list[str]:
    """The level labels of every ordinal indicator scale, in order, each once."""
    labels: list[str] = []
    for node in framework.indicators:
        scale = framework.scale_of(node)
        if isinstance(scale, OrdinalScale):
            for level in scale.levels:
                label = level.text(lang, fallback=framework.default_language)
                if label not in labels:
                    labels.append(label)
    return labels


def _case_toml(
    folder: Path,
    framework: Framework,
    framework_ref: str,
    units: Sequence[str],
    lang: str,
    evidence_file: str,
) -> str:
    c = _COMMENTS.get(lang, _COMMENTS["en"])
    other = "evidence.csv" if evidence_file.endswith(".xlsx") else "evidence.xlsx"
    title = framework.text(framework.title, lang) or framework.id
    scale = framework.scale_of(framework.root)
    levels = scale.levels if isinstance(scale, NumericScale) else scale
    best = levels.best.id if isinstance(levels, OrdinalScale) else None
    example_node = framework.children(framework.root)[0]
    lines = [
        f"# {c['head'].format(framework=title, evidence=evidence_file)}",
        f"#   policyeval validate {folder.name}",
        f"#   policyeval report {folder.name} -o {folder.name}/report.html",
        f"# {c['docs']}",
        'schema = "policyeval.case/1"',
        "",
        "[case]",
        f"id = {_quote(folder.name)}",
        f"title = {{ id = {_quote(_readable(folder.name))}, en = {_quote(_readable(folder.name))} }}"
        f"  # {c['title']}",
        f'period = "2024"  # {c["period"]}',
        f"framework = {_quote(framework_ref)}",
        f"language = {_quote(lang)}",
        f"# {c['optional']}",
        '# description = { id = "...", en = "..." }',
        '# citation = "..."',
        "",
        f"# {c['units']}",
    ]
    for unit in units:
        lines += ["[[units]]", f"id = {_quote(unit)}", f"label = {_quote(_readable(unit))}", ""]
    lines += [
        f"# {c['evidence'].format(other=other)}",
        "[evidence]",
        f"file = {_quote(evidence_file)}",
    ]
    if evidence_file.endswith(".xlsx"):
        lines.append(f"sheet = {_quote(SHEET)}")
    lines += [
        'sources = "sources.csv"',
        f"# lenient = true  # {c['lenient']}",
        "",
        f"# {c['rule']}",
        "[triangulation]",
        'rule = "source"',
        f'# why = "..."  # {c["why"]}',
        "",
        f"# {c['aggregation']}",
        "[aggregation]",
        '# default = "mean"',
        f'# why = "..."  # {c["why"]}',
        "",
        "[report]",
    ]
    if best is not None:
        lines.append(f"# recommend_below = {_quote(best)}  # {c['report']}")
    lines += [
        f"# {c['recommendations']}",
        "# [report.recommendations]",
        f'# {example_node} = {{ id = "...", en = "..." }}',
        f"# {c['categories']}",
        "# [report.categories]",
        '# dokumen_resmi = { id = "Dokumen resmi", en = "Official documents" }',
        "",
    ]
    return "\n".join(lines)


def _csv(header: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(header)
    return buffer.getvalue()


def _existing_sources(path: Path) -> list[str]:
    if not path.is_file():
        return []
    from policyeval.evidence_io import load_sources

    sources, _ = load_sources(path, lenient=True)
    return list(sources)


def init_case(
    folder: str | os.PathLike[str],
    framework: str,
    *,
    units: Sequence[str] | None = None,
    lang: str | None = None,
    xlsx: bool = True,
    force: bool = False,
) -> tuple[Path, ...]:
    """Write a new case folder for ``framework`` (a built-in name or a file path).

    ``units`` are the unit ids (default: one unit named after the folder);
    ``lang`` the case language (default: the framework's). With ``xlsx``
    (needs openpyxl) an ``evidence.xlsx`` template is written and named in
    ``case.toml``; otherwise ``evidence.csv`` is. An existing
    ``sources.csv`` is kept and its ids fill the template's source list; an
    existing ``case.toml`` or evidence file is an error unless ``force``.
    Returns the paths written.
    """
    from policyeval import frameworks

    target = Path(folder)
    fw = frameworks.resolve(framework)
    language = lang or fw.default_language
    unit_ids = [unit.strip() for unit in (units or [_slug(target.resolve().name)])]
    problems = []
    if not all(unit_ids):
        problems.append(
            Problem(
                "a unit id cannot be empty",
                key="units",
                value=unit_ids,
                message_id="case.empty_unit_id",
            )
        )
    if len(set(unit_ids)) != len(unit_ids):
        problems.append(
            Problem(
                "duplicate unit ids",
                key="units",
                value=unit_ids,
                message_id="case.duplicate_unit_ids",
            )
        )
    if xlsx:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            problems.append(
                Problem(
                    "the evidence.xlsx template needs openpyxl: pip install 'policyeval[xlsx]' "
                    "(or pass --no-xlsx for CSV files only)",
                    message_id="case.xlsx_needs_openpyxl",
                )
            )
    names = ["case.toml", "evidence.csv", *(["evidence.xlsx"] if xlsx else [])]
    existing = [name for name in names if (target / name).exists()]
    if existing and not force:
        problems += [
            Problem(
                "already exists; pass --force to overwrite",
                file=str(target / name),
                message_id="case.already_exists",
            )
            for name in existing
        ]
    if problems:
        raise CaseError(problems)
    target.mkdir(parents=True, exist_ok=True)
    framework_ref = (
        framework
        if framework in frameworks.available()
        else os.path.relpath(Path(framework).resolve(), target.resolve())
    )
    evidence_file = "evidence.xlsx" if xlsx else "evidence.csv"
    written = [target / "case.toml"]
    (target / "case.toml").write_text(
        _case_toml(target, fw, Path(framework_ref).as_posix(), unit_ids, language, evidence_file),
        encoding="utf-8",
    )
    sources = target / "sources.csv"
    if not sources.exists():
        sources.write_text(_csv(SOURCE_COLUMNS), encoding="utf-8")
        written.append(sources)
    (target / "evidence.csv").write_text(_csv(evidence_columns(fw)), encoding="utf-8")
    written.append(target / "evidence.csv")
    if xlsx:
        write_evidence_template(
            target / "evidence.xlsx",
            fw,
            lang=language,
            units=unit_ids,
            sources=_existing_sources(sources),
        )
        written.append(target / "evidence.xlsx")
    return tuple(written)


def write_evidence_template(
    path: str | os.PathLike[str],
    framework: Framework,
    *,
    lang: str,
    units: Sequence[str],
    sources: Sequence[str] = (),
) -> None:
    """Write an XLSX evidence template with drop-down lists (needs openpyxl).

    The first sheet, ``evidence``, has the header row and drop-downs on the
    indicator, rating, unit, source and technique columns, fed from the
    ``lists`` sheet (add source ids there as ``sources.csv`` grows); the
    ``indicators`` sheet lists each indicator with its dimension,
    description and levels in ``lang``.
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    prompts = _PROMPTS.get(lang, _PROMPTS["en"])
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = SHEET
    columns = evidence_columns(framework)
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        width = 40 if column in ("excerpt", "citation") else max(12, len(column) + 4)
        sheet.column_dimensions[get_column_letter(index)].width = width

    lists = workbook.create_sheet(LIST_SHEET)
    level_labels = _level_labels(framework, lang)
    columns_of_lists: dict[str, Sequence[str]] = {
        "indicator": framework.indicators,
        "rating": level_labels,
        "unit": units,
        "source": sources,
        "technique": TECHNIQUES,
    }
    # sources.csv grows while the researcher works: leave room in its list
    room = {"source": max(200, len(sources))}
    for index, (name, values) in enumerate(columns_of_lists.items(), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=value)
        last = 1 + max(room.get(name, 0), len(values), 1)
        if name not in columns:
            continue
        strict = name in ("indicator", "rating", "unit")
        validation = DataValidation(
            type="list",
            formula1=f"={LIST_SHEET}!${letter}$2:${letter}${last}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
            promptTitle=name,
            prompt=prompts[name],
            showInputMessage=True,
        )
        target_letter = get_column_letter(columns.index(name) + 1)
        validation.add(f"{target_letter}2:{target_letter}{_TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)
    for name in ("date", "weight"):
        letter = get_column_letter(columns.index(name) + 1)
        hint = DataValidation(showInputMessage=True, promptTitle=name, prompt=prompts[name])
        hint.add(f"{letter}2:{letter}{_TEMPLATE_ROWS}")
        sheet.add_data_validation(hint)

    described = workbook.create_sheet(INDICATOR_SHEET, 1)
    header = ["id", "label", "dimension", "description", "levels"]
    described.append(header)
    for cell in described[1]:
        cell.font = Font(bold=True)
    for node in framework.indicators:
        scale = framework.scale_of(node)
        levels = ""
        if isinstance(scale, OrdinalScale):
            levels = ", ".join(
                level.text(lang, fallback=framework.default_language) for level in scale.levels
            )
        elif isinstance(scale, NumericScale):
            unit = f" {scale.unit}" if scale.unit else ""
            levels = f"{scale.minimum:g}–{scale.maximum:g}{unit}"
        parents = ", ".join(framework.label(parent, lang) for parent in framework.parents(node))
        description = framework.node(node).description
        described.append(
            [
                node,
                framework.label(node, lang),
                parents,
                framework.text(description, lang) if description else "",
                levels,
            ]
        )
    for letter, width in zip("ABCDE", (26, 30, 30, 80, 40), strict=True):
        described.column_dimensions[letter].width = width
    described.freeze_panes = "A2"
    _fixed_properties(workbook)
    workbook.save(path)


def _fixed_properties(workbook: Any) -> None:
    """Fixed document dates, so the same inputs give the same template contents."""
    import datetime

    moment = datetime.datetime(2024, 1, 1)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "policyeval"
