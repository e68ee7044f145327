"""Report details: a shared indicator is shown under each of its parents."""

from __future__ import annotations

from pathlib import Path

from policyeval import dumps_framework, evaluate_case
from policyeval.framework import Framework, Node
from policyeval.report import build_report, render_markdown
from policyeval.scales import Level, OrdinalScale


def _shared_framework() -> Framework:
    scale = OrdinalScale(
        "yn", (Level("good", 2, label={"en": "Good"}), Level("poor", 1, label={"en": "Poor"}))
    )
    return Framework.build(
        id="shared",
        title={"en": "Shared"},
        scales=[scale],
        default_scale="yn",
        nodes=[
            Node("programme", "root", label={"en": "Programme"}),
            Node("inputs", "dimension", label={"en": "Inputs"}, parents=("programme",)),
            Node("outputs", "dimension", label={"en": "Outputs"}, parents=("programme",)),
            Node("staff", "indicator", label={"en": "Staff"}, parents=("inputs", "outputs")),
            Node("money", "indicator", label={"en": "Money"}, parents=("inputs",)),
        ],
    )


def test_a_shared_indicator_names_every_parent(tmp_path: Path) -> None:
    """The indicator table lists 'Staff' with both of its dimensions."""
    (tmp_path / "shared.toml").write_text(
        dumps_framework(_shared_framework(), format="toml"), encoding="utf-8"
    )
    (tmp_path / "case.toml").write_text(
        'schema = "policyeval.case/1"\n[case]\nid = "c"\nframework = "shared.toml"\n'
        '[[units]]\nid = "u"\n',
        encoding="utf-8",
    )
    (tmp_path / "evidence.csv").write_text(
        "id,indicator,rating,source,technique\nE1,staff,good,s1,interview\n"
        "E2,money,poor,s2,interview\n",
        encoding="utf-8",
    )
    result = evaluate_case(tmp_path)
    rows = {row.id: row for row in build_report(result, lang="en").units[0].indicators}
    assert rows["staff"].parent_label == "Inputs, Outputs"
    assert rows["money"].parent_label == "Inputs"
    assert "| Staff | Inputs, Outputs |" in render_markdown(result, lang="en")
