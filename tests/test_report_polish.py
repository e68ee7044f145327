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


def test_radar_ring_labels_stay_clear_of_the_data_points() -> None:
    """Each ring label is drawn away from every data point, on top of the polygon."""
    import re

    from policyeval.report.charts import radar_chart

    svg = radar_chart(
        [("A", 4.0, "4"), ("B", 3.0, "3"), ("C", 2.0, "2"), ("D", 1.0, "1"), ("E", 2.0, "2")],
        minimum=1,
        maximum=4,
        title="t",
        description="d",
        key="k",
        ticks=[(1, "Bad"), (2, "Poor"), (3, "Fair"), (4, "Good")],
    )
    ticks = svg.split('<g class="ticks"', 1)[1].split("</g>", 1)[0]
    points = svg.split('<g class="points"', 1)[1].split("</g>", 1)[0]
    labels = [
        (float(x), float(y)) for x, y in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"', ticks)
    ]
    dots = [(float(x), float(y)) for x, y in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', points)]
    assert len(labels) == 4 and len(dots) == 5
    for lx, ly in labels:
        assert min(((lx - dx) ** 2 + (ly - dy) ** 2) ** 0.5 for dx, dy in dots) > 12
    assert svg.index('class="ticks"') > svg.index('class="values"')


def test_the_text_tree_draws_a_shared_indicator_under_each_parent(tmp_path: Path) -> None:
    """In the text report's tree 'Staff' appears under 'Inputs' and again under 'Outputs'."""
    import re

    from policyeval.report import render_text

    (tmp_path / "shared.toml").write_text(
        dumps_framework(_shared_framework(), format="toml"), encoding="utf-8"
    )
    (tmp_path / "case.toml").write_text(
        'schema = "policyeval.case/1"\n[case]\nid = "c"\nframework = "shared.toml"\n'
        '[[units]]\nid = "u"\n',
        encoding="utf-8",
    )
    (tmp_path / "evidence.csv").write_text(
        "id,indicator,rating,source,technique\nE1,staff,good,s1,interview\n",
        encoding="utf-8",
    )
    result = evaluate_case(tmp_path)
    tree = [row.id for row in build_report(result, lang="en").units[0].tree]
    assert tree == ["programme", "inputs", "staff", "money", "outputs", "staff"]
    lines = render_text(result, lang="en").splitlines()
    branches = [found.group() for line in lines if (found := re.match(r"[│ ]*[├└]─ \w+", line))]
    assert branches == ["├─ Inputs", "│  ├─ Staff", "│  └─ Money", "└─ Outputs", "   └─ Staff"]
