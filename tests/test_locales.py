"""Both languages all the way: complete catalogues, and every message a user sees in the chosen one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policyeval.cli import main
from policyeval.locales import LANGUAGES, catalogue, message, placeholders, translate

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

SERANG = Path(__file__).parent.parent / "examples" / "serang_2024"

BAD_ROWS = (
    "X1,kota-serang,kompetnsi,baik,temuan_lapangan,unspecified,stated,,,c\n"
    "X2,kota-serang,kompetensi,bagus,temuan_lapangan,unspecified,stated,,,c\n"
)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_catalogue_has_the_english_keys_and_placeholders(lang: str) -> None:
    """A translation has exactly the tables and keys of English, each with the same {placeholders}."""
    english, other = catalogue("en"), catalogue(lang)
    assert sorted(other) == sorted(english)
    for table in english:
        assert sorted(other[table]) == sorted(english[table]), table
        for key, template in english[table].items():
            assert placeholders(other[table][key]) == placeholders(template), (table, key)


def test_an_unknown_language_has_no_catalogue() -> None:
    """Asking for a language without a catalogue names the languages there are."""
    with pytest.raises(LookupError, match="languages are en, id"):
        catalogue("fr")


def test_a_message_is_recognised_with_its_location_hint_and_value() -> None:
    """A rejection reason is translated part by part: key, message, hint and offending value."""
    reason = (
        "date: a date needs a day: write e.g. 17 Agustus 2024 or 2024-08-17 (got 'Agustus 2024')"
    )
    assert translate(reason, "id") == (
        "date: tanggal memerlukan hari: tulis misalnya 17 Agustus 2024 atau 2024-08-17"
        " (isian 'Agustus 2024')"
    )
    assert translate(reason, "en") == reason
    assert translate("id: missing value; source: missing value", "id") == (
        "id: nilai kosong; source: nilai kosong"
    )


def test_english_messages_are_the_ones_the_code_writes() -> None:
    """The English catalogue renders a message exactly as policyeval writes it, so it can be recognised."""
    assert message("row.duplicate_id", "en", row=3) == "duplicate id (first at row 3)"
    assert translate(message("row.duplicate_id", "en", row=3), "id") == (
        "id ganda (pertama di baris 3)"
    )


@pytest.fixture
def bad_serang(tmp_path: Path) -> Path:
    """The Serang case with two bad evidence rows (its data checks already find problems)."""
    case = tmp_path / "serang"
    shutil.copytree(SERANG, case)
    with (case / "evidence.csv").open("a", encoding="utf-8") as file:
        file.write(BAD_ROWS)
    return case


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_validate_speaks_indonesian_with_lang_id(
    bad_serang: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --lang id, validate's summary and each rejected row with its reason are in Indonesian."""
    code, out, _ = _run(capsys, "validate", str(bad_serang), "--lenient", "--lang", "id")
    assert code == 0
    assert "kasus valid; 26 butir bukti, 2 baris ditolak, 18 putusan studi" in out
    assert (
        "  ditolak evidence.csv: baris 27 (X1): indicator: indikator tidak dikenal"
        " (maksud Anda 'kompetensi'?) (tidak ada dalam kerangka 'agustino') (isian 'kompetnsi')"
    ) in out
    assert "bukan tingkat pada skala 'agustino4'" in out
    assert "rejected" not in out and "unknown" not in out


def test_validate_speaks_english_with_lang_en(
    bad_serang: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --lang en (and by default) the same lines are in English."""
    for args in (("--lang", "en"), ()):
        code, out, _ = _run(capsys, "validate", str(bad_serang), "--lenient", *args)
        assert code == 0
        assert "valid case; 26 evidence items, 2 rejected rows, 18 reported verdicts" in out
        assert (
            "  rejected evidence.csv: row 27 (X1): indicator: unknown indicator"
            " (did you mean 'kompetensi'?) (not in framework 'agustino') (got 'kompetnsi')"
        ) in out


def test_reports_render_rejections_and_data_check_findings_in_their_language(
    bad_serang: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Markdown report in Indonesian shows rejected rows and data-check findings in Indonesian."""
    code, out, _ = _run(
        capsys, "evaluate", str(bad_serang), "--lenient", "--lang", "id", "--format", "markdown"
    )
    assert code == 0
    assert "realisation 92583000 lebih besar daripada allocation 82254000" in out
    assert "realisation tidak berisi nilai" in out
    assert "start\\_date 2022-10-11 jatuh setelah end\\_date 2022-10-02" in out
    assert "indikator tidak dikenal" in out
    assert "2 dari 4 butir (50%) sejalan pada Kurang baik" in out
    assert " of 4 items" not in out
    code, out, _ = _run(
        capsys, "evaluate", str(bad_serang), "--lenient", "--lang", "en", "--format", "markdown"
    )
    assert "realisation 92583000 is greater than allocation 82254000" in out
    assert "unknown indicator" in out


def test_errors_are_in_the_chosen_language(
    bad_serang: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --lenient the bad rows are errors, listed in Indonesian with --lang id."""
    code, _, err = _run(capsys, "evaluate", str(bad_serang), "--lang", "id")
    assert code == 2
    assert err.startswith("galat: 2 masalah:\n")
    assert "baris 28: rating: bukan tingkat pada skala 'agustino4'" in err


def test_every_english_message_is_recognised_as_itself() -> None:
    """Each message template, filled in, translates to the same message in every language."""
    for key, template in catalogue("en")["message"].items():
        if key.startswith(("cli.", "location.")):
            continue
        # appended parts (a hint, a filter) start with a space, as policyeval writes them
        values = {
            name: f"'v{index}'"  # a quoted cell value, as policyeval writes it
            if name == "cell"
            else (" " if name in {"hint", "missing", "where"} else "") + f"v{index}"
            for index, name in enumerate(sorted(placeholders(template)))
        }
        english = message(key, "en", **values)
        for lang in LANGUAGES:
            assert translate(english, lang) == message(key, lang, **values), (key, lang)


def test_warnings_on_the_command_line_follow_lang(
    bad_serang: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown column in sources.csv is warned about in Indonesian with --lang id."""
    sources = bad_serang / "sources.csv"
    lines = sources.read_text(encoding="utf-8").splitlines()
    sources.write_text(
        "\n".join([lines[0] + ",kategori", *(line + ",x" for line in lines[1:])]) + "\n",
        encoding="utf-8",
    )
    _, _, err = _run(capsys, "validate", str(bad_serang), "--lenient", "--lang", "id")
    assert "peringatan: " in err
    assert "kategori: kolom tidak dikenal (maksud Anda 'category'?)" in err
    _, _, err = _run(capsys, "validate", str(bad_serang), "--lenient")
    assert "warning: " in err and "kategori: unknown column (did you mean 'category'?)" in err


def test_case_file_errors_are_in_the_chosen_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt framework and a missing evidence file in case.toml are reported in Indonesian."""
    (tmp_path / "case.toml").write_text(
        'schema = "policyeval.case/1"\n[case]\nid = "x"\nframework = "agustno"\n'
        '[[units]]\nid = "u"\n',
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "validate", str(tmp_path), "--lang", "id")
    assert code == 2
    assert (
        "case.framework: kerangka tidak dapat dimuat: tidak ada kerangka bawaan bernama 'agustno'"
        " (maksud Anda 'agustino'?); yang tersedia: "
    ) in err
    assert "evidence.file: berkas bukti tidak ditemukan (isian 'evidence.csv')" in err
