"""Errors that help: no such folder, "did you mean", and unknown sources columns."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from policyeval import load_sources
from policyeval.cli import main
from policyeval.exceptions import PolicyEvalWarning, did_you_mean

pytestmark = pytest.mark.usefixtures("errors_in_both_languages")
"""Every command these tests run that exits 2 shows its error in Indonesian too."""

CASE_TOML = """\
schema = "policyeval.case/1"

[case]
id = "kota_contoh"
framework = "{framework}"

[[units]]
id = "kota-contoh"

[aggregation]
default = "{aggregator}"
nodes = {{ {node} = "min" }}

[triangulation]
rule = "{rule}"
"""


def _case(
    folder: Path,
    *,
    framework: str = "agustino",
    aggregator: str = "mean",
    node: str = "regulasi",
    rule: str = "source",
    indicator: str = "kepemimpinan",
    sources_header: str = "id,name,category,technique",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    toml = CASE_TOML.format(framework=framework, aggregator=aggregator, node=node, rule=rule)
    (folder / "case.toml").write_text(toml, encoding="utf-8")
    (folder / "sources.csv").write_text(
        f"{sources_header}\ns1,Informan,asn,interview\n", encoding="utf-8"
    )
    (folder / "evidence.csv").write_text(
        f"id,indicator,rating,source\nE1,{indicator},baik,s1\n", encoding="utf-8"
    )
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_misspelt_case_folder_is_no_such_folder_with_the_closest_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kota_contho_2024` when `kota_contoh_2024` exists: no such folder, did you mean."""
    _case(tmp_path / "kota_contoh_2024")
    for command in ("validate", "evaluate", "explain", "compare"):
        code, _, err = _run(capsys, command, str(tmp_path / "kota_contho_2024"))
        assert code == 2
        assert "kota_contho_2024: no such folder (did you mean 'kota_contoh_2024'?)" in err


def test_a_folder_without_case_toml_says_how_to_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing folder without case.toml names the file and points at `policyeval init`."""
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, "validate", str(tmp_path / "empty"))
    assert code == 2
    assert "case.toml: no case.toml in this folder (policyeval init FOLDER" in err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"framework": "agustno"}, "did you mean 'agustino'?"),
        ({"aggregator": "weakest_lnk"}, "did you mean 'weakest_link'?"),
        ({"rule": "sourse"}, "did you mean 'source'?"),
        (
            {"node": "regulsi"},
            "aggregation.nodes.regulsi: not an inner node of the framework "
            "(did you mean 'regulasi'?)",
        ),
        ({"indicator": "kepemimpnan"}, "unknown indicator (did you mean 'kepemimpinan'?)"),
    ],
)
def test_misspelt_names_in_case_files_get_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, str], expected: str
) -> None:
    """Framework, aggregator, rule, node and indicator names each suggest the closest name."""
    case = _case(tmp_path / "case", **change)
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 2
    assert expected in err


def test_explain_suggests_node_and_unit_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`explain CASE kepemimpnan` and `--unit kota-contho` suggest the right names."""
    case = _case(tmp_path / "case")
    code, _, err = _run(capsys, "explain", str(case), "kepemimpnan")
    assert (code, "did you mean 'kepemimpinan'?" in err) == (2, True)
    code, _, err = _run(capsys, "explain", str(case), "--unit", "kota-contho")
    assert (code, "did you mean 'kota-contoh'?" in err) == (2, True)


def test_an_unknown_sources_column_is_warned_with_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kategori` in sources.csv: a warning naming file, row, column, suggestion and known columns."""
    case = _case(tmp_path / "case", sources_header="id,name,kategori,technique")
    with pytest.warns(PolicyEvalWarning, match="kategori: unknown column") as caught:
        sources, _ = load_sources(case / "sources.csv")
    assert "(did you mean 'category'?)" in str(caught[0].message)
    assert sources["s1"].category is None and sources["s1"].extra == {"kategori": "asn"}
    code, _, err = _run(capsys, "validate", str(case))
    assert code == 0
    assert (
        "warning: " + str(case / "sources.csv") + ": row 1: kategori: unknown column "
        "(did you mean 'category'?), kept as extra information "
        "(known columns: id, name, category, technique, description, citation)"
    ) in err


def test_known_sources_columns_raise_no_warning(tmp_path: Path) -> None:
    """A sources table with only known columns loads silently."""
    case = _case(tmp_path / "case", sources_header="id,name,category,technique")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_sources(case / "sources.csv")


def test_did_you_mean_ignores_case_and_separators() -> None:
    """`Weakest-Link` is close to `weakest_link`; nothing close gives no hint."""
    assert (
        did_you_mean("Weakest-Link", ["weakest_link", "mean"]) == " (did you mean 'weakest_link'?)"
    )
    assert did_you_mean("xyz", ["weakest_link"]) == ""
