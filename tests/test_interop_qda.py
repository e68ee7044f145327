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


# --- mapping files and segment tables: every problem located ---------------------------------


def test_a_mapping_file_that_cannot_be_read_names_the_file(tmp_path: Path) -> None:
    """A missing mapping file, or one that is not TOML, is refused naming the file."""
    with pytest.raises(InteropError, match="cannot read the mapping file: No such file"):
        load_mapping(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[mapping\n", encoding="utf-8")
    with pytest.raises(InteropError, match=r"broken\.toml: not valid TOML"):
        load_mapping(broken)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mapping": "agustino"}, r"\[mapping\] must be a table"),
        ({"mapping": {}, "codes": {"A": {"indicator": "kompetensi"}}}, "name the framework"),
        ({"mapping": {"framework": "agustin"}}, "cannot load the framework: .*'agustin'"),
        (
            {"mapping": {"framework": "agustino", "framwork": "x"}, "code": {}},
            r"m.toml: code: unknown table.*\n.*mapping.framwork: unknown key \(did you mean "
            r"'framework'\?\).*\n.*codes: give at least one code",
        ),
        (
            {"mapping": {"framework": "agustino"}, "codes": {"A": "kompetensi"}},
            r"codes.A: expected \{ indicator = .*\(got 'kompetensi'\)",
        ),
        (
            {
                "mapping": {"framework": "agustino"},
                "codes": {"A": {"indicator": "kompetensi", "levle": "baik"}},
            },
            r"codes.A.levle: unknown key \(expected indicator and level\)",
        ),
    ],
)
def test_mapping_problems_name_the_file_and_key(data: dict[str, object], message: str) -> None:
    """A mapping that is not a table, names no framework or a missing one, or has unknown
    tables, keys or codes that are not tables, is refused naming the key."""
    with pytest.raises(InteropError, match=message):
        mapping_from_dict(data, file="m.toml")


def test_a_mapping_may_name_a_framework_file_beside_it(tmp_path: Path) -> None:
    """framework = "fw.toml" is read next to the mapping file and recorded as an absolute path."""
    (tmp_path / "fw.toml").write_text(
        main_output(["frameworks", "show", "agustino", "--format", "toml"]), encoding="utf-8"
    )
    mapping = mapping_from_dict(
        {"mapping": {"framework": "fw.toml"}, "codes": {"A": {"indicator": "kompetensi"}}},
        file=str(tmp_path / "m.toml"),
    )
    assert mapping.framework.id == "agustino"
    assert mapping.framework_ref == str((tmp_path / "fw.toml").resolve())


def main_output(argv: list[str]) -> str:
    """What the command line prints for ``argv`` (which must succeed)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


def test_a_code_name_shared_by_two_codes_must_be_given_by_path(tmp_path: Path) -> None:
    """A mapping key matching two codes' names is refused, listing both paths."""
    rows = [["File", "Coded", "Category", "Codename"]]
    rows += [["a", "one", "Staff", "Skills"], ["a", "two", "Leaders", "Skills"]]
    project = read_qualcoder(_write_csv(tmp_path / "q.csv", rows))
    mapping = mapping_from_dict(
        {"mapping": {"framework": "agustino"}, "codes": {"Skills": {"indicator": "kompetensi"}}}
    )
    with pytest.raises(
        InteropError, match=r"codes.Skills: the name is shared by 2 codes .*use the path"
    ):
        map_segments(project, mapping)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("q.csv", ",,\n , \n", "q.csv: the table has no header row"),
        ("q.ods", "File,Coded,Codename\n", r"unsupported table format '.ods'; use .csv or .xlsx"),
        ("q.csv", "Coded,Codename\nx,y\n", r"q.csv: row 1: missing column 'File' or 'Case'"),
        ("q.csv", "File,Coded,Codename\na,text,\n", r"q.csv: row 2: codename: missing value"),
    ],
)
def test_a_qualcoder_table_problem_is_located(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    """Empty tables, other formats, missing columns and empty code names are refused with the
    file and row."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InteropError, match=message):
        read_qualcoder(path)


def test_a_segment_table_that_is_not_a_file_is_refused(tmp_path: Path) -> None:
    """A missing export is "no such file"; a FIFO named like one is refused without blocking."""
    with pytest.raises(InteropError, match="no such file"):
        read_qualcoder(tmp_path / "missing.csv")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.csv")
        with pytest.raises(InteropError, match=r"no such file|not a regular file"):
            read_qualcoder(tmp_path / "pipe.csv")


def test_a_taguette_export_missing_columns_lists_each(tmp_path: Path) -> None:
    """A Taguette table without its required columns names every missing one."""
    path = _write_csv(tmp_path / "t.csv", [["id", "document"], ["1", "d"]])
    with pytest.raises(InteropError) as caught:
        read_taguette(path)
    text = str(caught.value)
    assert "row 1: tag: missing required column" in text
    assert "row 1: content: missing required column" in text


def test_encrypted_members_are_refused_before_any_is_read(tmp_path: Path) -> None:
    """A member flagged as encrypted is refused by name; nothing is decrypted or read."""
    path = tmp_path / "locked.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", project_xml())
        archive.writestr("sources/s1.txt", b"ciphertext")
    # zipfile cannot write encrypted members: set the "encrypted" flag in the central directory.
    data = bytearray(path.read_bytes())
    entry = data.rindex(b"PK\x01\x02")  # the last central entry is sources/s1.txt
    assert data[entry + 46 : entry + 46 + 14] == b"sources/s1.txt"
    data[entry + 8] |= 0x1
    path.write_bytes(bytes(data))
    with pytest.raises(InteropError, match=r"refused: member 'sources/s1\.txt' is encrypted"):
        read_refi_qda(path)


def test_the_total_unpacked_size_is_bounded(tmp_path: Path) -> None:
    """Members that are each small but together exceed the total limit are refused."""
    archive = write_qdpx(tmp_path / "p.qdpx")
    with pytest.raises(InteropError, match="the members expand to more than 100 bytes"):
        read_refi_qda(archive, limits={"total": 100})


@pytest.mark.parametrize(
    "xml",
    [
        '<!DOCTYPE p [<!ENTITY e "x">]><p>&e;</p>',
        '<!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]><p>&e;</p>',
        '<!DOCTYPE p SYSTEM "http://example.org/p.dtd"><p/>',
    ],
)
def test_entities_and_external_references_are_refused_with_their_dtd(xml: str) -> None:
    """Entities and external resources can only come with a DTD, which is refused outright."""
    from policyeval.interop._safe import parse_xml

    with pytest.raises(InteropError, match=r"p\.qde: refused: the XML declares a DTD"):
        parse_xml(xml, file="p.qde")


def _coded_rows(tmp_path: Path) -> Path:
    """A QualCoder export without a Case column, from two files whose names slug alike."""
    return _write_csv(
        tmp_path / "q.csv",
        [
            ["File", "Coded", "Codename"],
            ["Interview 1.txt", "staff are skilled", "Skills"],
            ["interview_1.txt", "skills vary", "Skills"],
        ],
    )


def test_segments_outside_any_case_need_a_unit_from_the_mapping(tmp_path: Path) -> None:
    """Without a Case column, the mapping must name the unit; with one, every row gets it and
    sources whose names slug alike get distinct ids."""
    project = read_qualcoder(_coded_rows(tmp_path))
    codes = {"Skills": {"indicator": "kompetensi", "level": "baik"}}
    without_unit = mapping_from_dict({"mapping": {"framework": "agustino"}, "codes": codes})
    with pytest.raises(InteropError, match="sources that belong to no case need a unit"):
        map_segments(project, without_unit)
    with_unit = mapping_from_dict(
        {"mapping": {"framework": "agustino", "unit": "kota-a"}, "codes": codes}
    )
    result = map_segments(project, with_unit)
    assert {row["unit"] for row in result.evidence} == {"kota-a"}
    assert [row["source"] for row in result.evidence] == ["interview_1_txt", "interview_1_txt_2"]


def test_a_written_case_carries_a_copy_of_a_framework_file_from_outside(tmp_path: Path) -> None:
    """A case may only read files inside its folder: when the mapping names a framework file
    elsewhere, the case gets a copy of it and case.toml names the copy; the case loads."""
    framework_file = tmp_path / "fw.toml"
    framework_file.write_text(
        main_output(["frameworks", "show", "agustino", "--format", "toml"]), encoding="utf-8"
    )
    mapping = mapping_from_dict(
        {
            "mapping": {"framework": "fw.toml", "unit": "kota-a"},
            "codes": {"Skills": {"indicator": "kompetensi", "level": "baik"}},
        },
        file=str(tmp_path / "m.toml"),
    )
    result = map_segments(read_qualcoder(_coded_rows(tmp_path)), mapping)
    written = write_case(result, tmp_path / "case", mapping)
    assert [path.name for path in written] == [
        "evidence.csv",
        "sources.csv",
        "fw.toml",
        "case.toml",
    ]
    text = (tmp_path / "case" / "case.toml").read_text(encoding="utf-8")
    assert 'framework = "fw.toml"' in text
    assert (tmp_path / "case" / "fw.toml").read_bytes() == framework_file.read_bytes()
    assert load_case(tmp_path / "case").framework.id == "agustino"
    for name in ("case.toml", "evidence.csv", "sources.csv"):
        (tmp_path / "case" / name).unlink()
    (tmp_path / "case" / "fw.toml").write_text("# mine\n", encoding="utf-8")
    with pytest.raises(InteropError, match=r"refusing to replace .*fw\.toml"):
        write_case(result, tmp_path / "case", mapping)
    assert sorted(os.listdir(tmp_path / "case")) == ["fw.toml"]
    assert write_case(result, tmp_path / "case", mapping, overwrite=True)[2].name == "fw.toml"
    assert (tmp_path / "case" / "fw.toml").read_bytes() == framework_file.read_bytes()
