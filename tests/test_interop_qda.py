"""Importing coded qualitative work: REFI-QDA projects, QualCoder and Taguette exports."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from policyeval.case import load_case
from policyeval.cli import main
from policyeval.exceptions import InteropError
from policyeval.interop.coded import map_segments, write_case
from policyeval.interop.mapping import load_mapping, mapping_from_dict
from policyeval.interop.qualcoder import read_qualcoder
from policyeval.interop.refi_qda import read_refi_qda
from policyeval.interop.taguette import read_taguette
from qda_builder import (
    INTERVIEW_1,
    MAPPING,
    SELECTIONS,
    TAGUETTE_MAPPING,
    project_xml,
    qualcoder_rows,
    taguette_rows,
    write_qdpx,
)

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

ROOT = Path(__file__).parent
ORNIO = ROOT / "data" / "refi_qda" / "ornio_hand_authored.qdpx"


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _summary(project_path: Path, mapping_path: Path) -> dict:  # type: ignore[type-arg]
    mapping = load_mapping(mapping_path)
    return map_segments(read_refi_qda(project_path, end=mapping.end), mapping).summary


@pytest.mark.parametrize("inclusive", [False, True], ids=["exclusive", "inclusive"])
def test_both_readings_of_end_positions_give_the_quoted_text(
    tmp_path: Path, mapping_file: Path, inclusive: bool
) -> None:
    project = read_refi_qda(write_qdpx(tmp_path / "p.qdpx", inclusive=inclusive))
    assert project.details["end_positions"] == ("inclusive" if inclusive else "exclusive")
    first = project.segments[0]
    assert first.text == "The village secretary has trained all staff"
    assert INTERVIEW_1.startswith(first.text or "")


def test_the_mapping_can_fix_the_reading(tmp_path: Path) -> None:
    with pytest.raises(InteropError, match="'sel-5': positions 73-83 run past the end"):
        read_refi_qda(write_qdpx(tmp_path / "p.qdpx"), end="inclusive")
    early = write_qdpx(tmp_path / "early.qdpx", codings=SELECTIONS[:4])
    project = read_refi_qda(early, end="inclusive")
    assert project.details["end_positions_why"] == "set in the mapping"
    assert project.segments[0].text == "The village secretary has trained all staff "


def test_every_selection_is_accounted_for(tmp_path: Path, mapping_file: Path) -> None:
    summary = _summary(write_qdpx(tmp_path / "p.qdpx"), mapping_file)
    assert summary["selections"] == 5
    assert summary["mapped"] == 4
    assert summary["rows"] == 7  # two coders on three selections
    assert summary["unmapped"] == [
        {"selection": "sel-5", "source": "Interview 2.txt", "code": "Off-topic"}
    ]
    assert summary["unused_codes"] == ["Never used"]
    assert summary["needs_rating"] == ["Q0003"]


def test_rows_carry_level_from_children_coder_case_and_category(
    tmp_path: Path, mapping_file: Path
) -> None:
    mapping = load_mapping(mapping_file)
    result = map_segments(read_refi_qda(write_qdpx(tmp_path / "p.qdpx")), mapping)
    rows = {row["id"]: row for row in result.evidence}
    assert rows["Q0001"]["rating"] == "baik"  # child "Good" of the mapped code
    assert rows["Q0006"]["rating"] == "cukup_baik"  # child "Cukup baik", another language
    assert rows["Q0004"]["rating"] == "cukup_baik"  # level given in the mapping
    assert (rows["Q0001"]["investigator"], rows["Q0002"]["investigator"]) == ("Ana", "Budi")
    assert (rows["Q0001"]["unit"], rows["Q0006"]["unit"]) == ("village_a", "village_b")
    assert rows["Q0006"]["source_category"] == "resident"
    assert rows["Q0003"]["citation"] == "Interview 1.txt, characters 73-122"
    assert rows["Q0003"]["excerpt"] == INTERVIEW_1[73:122]


def test_the_written_case_loads_and_a_rated_copy_evaluates(
    tmp_path: Path, mapping_file: Path
) -> None:
    mapping = load_mapping(mapping_file)
    result = map_segments(read_refi_qda(write_qdpx(tmp_path / "p.qdpx")), mapping)
    written = write_case(result, tmp_path / "case", mapping)
    assert [p.name for p in written] == ["evidence.csv", "sources.csv", "case.toml"]
    case = load_case(tmp_path / "case")
    assert [unit.id for unit in case.units] == ["village_a", "village_b"]
    with pytest.raises(InteropError, match="refusing to replace"):
        write_case(result, tmp_path / "case", mapping)
    rows = list(csv.DictReader((tmp_path / "case" / "evidence.csv").open(encoding="utf-8")))
    assert len(rows) == 7 and rows[2]["rating"] == ""


def test_the_standard_sample_imports_with_every_selection_accounted_for(tmp_path: Path) -> None:
    mapping = mapping_from_dict(
        {
            "mapping": {"framework": "agustino", "unit": "study"},
            "codes": {
                "Topics/Health": {"indicator": "kompetensi"},
                "Diet": {"indicator": "integritas"},
            },
        }
    )
    project = read_refi_qda(ORNIO)
    summary = map_segments(project, mapping).summary
    assert summary["selections"] == 7
    assert summary["mapped"] + len(summary["unmapped"]) == 7
    assert {entry["code"] for entry in summary["unmapped"]} == {"Topics/Wellbeing"}
    texts = {segment.selection[-1]: segment.text for segment in project.segments}
    assert texts["1"] == "Diet and health"  # exclusive end 15
    assert texts["4"] == "diet and health"  # a PDF selection's representation
    assert texts["5"] == "Diet and health are "  # a transcript selection between sync points
    assert project.details["end_positions"] == "exclusive"


def test_a_bare_qde_reads_its_texts_from_the_sources_folder(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    (folder / "sources").mkdir(parents=True)
    with zipfile.ZipFile(write_qdpx(tmp_path / "p.qdpx")) as archive:
        archive.extractall(folder)
    project = read_refi_qda(folder / "project.qde")
    assert project.segments[0].text == "The village secretary has trained all staff"


def test_external_sources_are_not_read_and_are_listed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("do not read me", encoding="utf-8")
    extra = (
        f'<TextSource guid="s9" name="Outside" plainTextPath="absolute://{outside}">'
        '<PlainTextSelection guid="sel-9" startPosition="0" endPosition="2"/></TextSource>'
    )
    project = read_refi_qda(write_qdpx(tmp_path / "p.qdpx", extra_sources=extra))
    assert project.details["unread_sources"] == [
        {
            "source": "Outside",
            "path": f"absolute://{outside}",
            "reason": "absolute:// sources are not read",
        }
    ]
    assert [s.text for s in project.segments if s.selection == "sel-9"] == [None]


def test_mapping_problems_are_all_named(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        '[mapping]\nframework = "agustino"\nend = "sideways"\n[codes]\n'
        '"A" = { indicator = "kompetensy" }\n"B" = { indicator = "kompetensi", level = "great" }\n',
        encoding="utf-8",
    )
    with pytest.raises(InteropError) as caught:
        load_mapping(path)
    text = str(caught.value)
    assert "mapping.end" in text and "did you mean 'kompetensi'" in text and "codes.B.level" in text


def test_a_mapping_key_that_names_no_code_is_refused(tmp_path: Path) -> None:
    mapping = mapping_from_dict(
        {
            "mapping": {"framework": "agustino"},
            "codes": {"Coordinaton": {"indicator": "kompetensi"}},
        }
    )
    with pytest.raises(InteropError, match="did you mean 'Coordination'"):
        map_segments(read_refi_qda(write_qdpx(tmp_path / "p.qdpx")), mapping)


# --- untrusted archives -------------------------------------------------------


def _archive(path: Path, members: dict[str, bytes], *, compress: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _symlink_archive(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", project_xml())
        info = zipfile.ZipInfo("sources/s1.txt")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    return path


ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Project>&b;</Project>'
)
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project>&x;</Project>'

HOSTILE = [
    ("traversal", lambda p: _archive(p, {"project.qde": b"<Project/>", "../evil.txt": b"x"}), "path traversal"),
    ("absolute", lambda p: _archive(p, {"project.qde": b"<Project/>", "/tmp/evil.txt": b"x"}), "absolute path"),
    ("drive", lambda p: _archive(p, {"project.qde": b"<Project/>", "C:/evil.txt": b"x"}), "absolute path"),
    ("symlink", _symlink_archive, "symbolic link"),
    ("bomb", lambda p: _archive(p, {"project.qde": b"<Project/>", "sources/big.txt": b"0" * 5_000_000}), "compression bomb"),
    ("entities", lambda p: _archive(p, {"project.qde": ENTITY_BOMB.encode()}), "DTD"),
    ("external", lambda p: _archive(p, {"project.qde": EXTERNAL.encode()}), "DTD"),
    ("no project", lambda p: _archive(p, {"readme.txt": b"x"}), "expected one .qde"),
    ("not a zip", lambda p: (p.write_bytes(b"not a zip"), p)[1], "not a readable zip"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "build", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_archives_are_refused_and_nothing_is_written(
    tmp_path: Path,
    mapping_file: Path,
    capsys,
    name,
    build,
    message,  # type: ignore[no-untyped-def]
) -> None:
    archive = build(tmp_path / "hostile.qdpx")
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(InteropError, match=message):
        read_refi_qda(archive)
    out = tmp_path / "case"
    code = main(
        ["import", "refi-qda", str(archive), "--mapping", str(mapping_file), "--out", str(out)]
    )
    assert code == 2
    assert message in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == before
    assert not (tmp_path.parent / "evil.txt").exists()


def test_oversized_members_are_refused(tmp_path: Path) -> None:
    archive = write_qdpx(tmp_path / "p.qdpx")
    with pytest.raises(InteropError, match="limit 10"):
        read_refi_qda(archive, limits={"member": 10})


def test_a_bare_qde_cannot_reach_outside_its_sources_folder(tmp_path: Path) -> None:
    extra = (
        '<TextSource guid="s9" name="Escape" plainTextPath="internal://../../secret.txt">'
        '<PlainTextSelection guid="sel-9" startPosition="0" endPosition="2"/></TextSource>'
    )
    (tmp_path / "p.qde").write_text(project_xml(extra_sources=extra), encoding="utf-8")
    with pytest.raises(InteropError, match="path traversal"):
        read_refi_qda(tmp_path / "p.qde")


# --- the command line -----------------------------------------------------------


def test_cli_import_prints_the_json_summary(tmp_path: Path, mapping_file: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = write_qdpx(tmp_path / "p.qdpx")
    args = ["import", "refi-qda", str(project), "--mapping", str(mapping_file), "--format", "json"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    first = capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().out == first
    summary = json.loads(first)
    assert list(summary)[:6] == [
        "selections",
        "mapped",
        "rows",
        "unmapped",
        "unused_codes",
        "needs_rating",
    ]
    assert (tmp_path / "a" / "evidence.csv").read_bytes() == (
        tmp_path / "b" / "evidence.csv"
    ).read_bytes()


# --- QualCoder and Taguette ---------------------------------------------------------


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_qualcoder_csv_goes_through_the_same_mapping(tmp_path: Path, mapping_file: Path) -> None:
    project = read_qualcoder(_write_csv(tmp_path / "q.csv", qualcoder_rows()))
    result = map_segments(project, load_mapping(mapping_file))
    assert result.summary["selections"] == 8
    assert result.summary["mapped"] == 7
    assert [row["rating"] for row in result.evidence] == [
        "baik", "baik", "", "cukup_baik", "cukup_baik", "cukup_baik", "baik",
    ]  # fmt: skip
    assert result.evidence[0]["investigator"] == "Ana"


def test_qualcoder_xlsx_reads_like_the_csv(tmp_path: Path, mapping_file: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in qualcoder_rows():
        book.active.append(row)
    book.save(tmp_path / "q.xlsx")
    from_xlsx = map_segments(read_qualcoder(tmp_path / "q.xlsx"), load_mapping(mapping_file))
    from_csv = map_segments(
        read_qualcoder(_write_csv(tmp_path / "q.csv", qualcoder_rows())), load_mapping(mapping_file)
    )
    strip = [{k: v for k, v in row.items() if k != "citation"} for row in from_xlsx.evidence]
    assert strip == [{k: v for k, v in row.items() if k != "citation"} for row in from_csv.evidence]


def test_qualcoder_export_without_codename_is_refused(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "q.csv", [["File", "Coded"], ["a", "b"]])
    with pytest.raises(InteropError, match="codename: missing required column"):
        read_qualcoder(path)


def test_taguette_highlights_go_through_the_same_mapping(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text(TAGUETTE_MAPPING, encoding="utf-8")
    project = read_taguette(_write_csv(tmp_path / "t.csv", taguette_rows()))
    result = map_segments(project, load_mapping(tmp_path / "m.toml"))
    assert result.summary["selections"] == 5
    assert result.summary["mapped"] == 4
    assert result.summary["needs_rating"] == ["Q0001", "Q0004"]
    assert {row["unit"] for row in result.evidence} == {"village"}


def test_taguette_row_without_a_tag_is_refused_with_its_row(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "t.csv", [["id", "document", "tag", "content"], ["1", "d", "", "x"]]
    )
    with pytest.raises(InteropError, match="row 2: tag: missing value"):
        read_taguette(path)


def test_the_documented_samples_import(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    samples = ROOT.parent / "docs" / "howto" / "samples"
    shutil.copytree(samples, tmp_path / "samples")
    s = tmp_path / "samples"
    runs = [
        ["refi-qda", str(s / "interviews.qdpx"), "--mapping", str(s / "interviews-mapping.toml")],
        [
            "qualcoder",
            str(s / "qualcoder-codings.csv"),
            "--mapping",
            str(s / "interviews-mapping.toml"),
        ],
        [
            "taguette",
            str(s / "taguette-highlights.csv"),
            "--mapping",
            str(s / "taguette-mapping.toml"),
        ],
    ]
    for index, run in enumerate(runs):
        assert main(["import", *run, "--out", str(tmp_path / f"case{index}")]) == 0, run
        assert (tmp_path / f"case{index}" / "case.toml").exists()


def test_an_archive_naming_a_member_twice_is_refused(tmp_path: Path) -> None:
    import warnings

    path = tmp_path / "twice.qdpx"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as z:
        warnings.simplefilter("ignore")
        z.writestr("project.qde", project_xml())
        z.writestr("project.qde", "<Project/>")
    with pytest.raises(InteropError, match="appears twice"):
        read_refi_qda(path)


def test_a_selection_without_codes_is_listed_as_unmapped(
    tmp_path: Path, mapping_file: Path
) -> None:
    codings = [*SELECTIONS, ("s2", "sel-6", "The budget was spent", [])]
    summary = _summary(write_qdpx(tmp_path / "p.qdpx", codings=codings), mapping_file)
    assert summary["selections"] == 6
    assert {"selection": "sel-6", "source": "Interview 2.txt", "code": None} in summary["unmapped"]
