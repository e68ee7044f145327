"""Invalid framework files: each is refused with a message naming the file, line and key.

One row per file in ``tests/data/invalid_frameworks``. The message must appear
among the problems :func:`check_framework_file` returns, and
:func:`load_framework` must raise :class:`FrameworkError` carrying it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policyeval.exceptions import FrameworkError
from policyeval.framework_io import check_framework_file, load_framework

FOLDER = Path(__file__).parent / "data" / "invalid_frameworks"

INVALID = [
    ("parse_error.toml", "parse_error.toml:19: invalid TOML: Invalid value (column 9)"),
    (
        "parse_error.json",
        "parse_error.json:22: invalid JSON: Expecting property name enclosed in double quotes"
        " (column 22)",
    ),
    ("not_an_object.json", "not_an_object.json:1: a framework file must hold a JSON object"),
    (
        "unsupported_schema.toml",
        "unsupported_schema.toml:1: schema: unsupported schema; this version reads "
        "'policyeval.framework/1' (got 'policyeval.framework/2')",
    ),
    (
        "unknown_key.toml",
        "unknown_key.toml:43: nodes[2].wieght: unknown key 'wieght' (did you mean 'weight'?)",
    ),
    (
        "unknown_key.json",
        "unknown_key.json:7: framework.titel: unknown key 'titel' (did you mean 'title'?)",
    ),
    (
        "unknown_top_level_key.toml",
        "unknown_top_level_key.toml:27: node: unknown key 'node' (did you mean 'nodes'?)",
    ),
    (
        "wrong_type_weight.toml",
        "wrong_type_weight.toml:43: nodes[2].weight: must be a number, not a string (got 'heavy')",
    ),
    (
        "wrong_type_label.toml",
        "wrong_type_label.toml:35: nodes[1].label: must be a table of language code to text, "
        "not a string (got 'Resources')",
    ),
    ("missing_kind.toml", "missing_kind.toml:32: nodes[1].kind: missing required key 'kind'"),
    (
        "edge_missing_weight.toml",
        "edge_missing_weight.toml:45: edges[0].weight: missing required key 'weight'",
    ),
    (
        "aggregator_without_name.toml",
        "aggregator_without_name.toml:31: nodes[0].aggregator.name: missing required key 'name'",
    ),
    (
        "negative_weight.toml",
        "negative_weight.toml:43: nodes[2].weight: must be a number >= 0 (got -1)",
    ),
    (
        "negative_weight.json",
        "negative_weight.json:60: nodes[2].weight: must be a number >= 0 (got -1)",
    ),
    (
        "nan_weight.toml",
        "nan_weight.toml:43: nodes[2].weight: weight must be a finite number >= 0 (got nan)",
    ),
    (
        "all_weights_zero.toml",
        "all_weights_zero.toml:32: nodes[1]: every child of 'resources' has weight 0",
    ),
    (
        "duplicate_node_id.toml",
        "duplicate_node_id.toml:39: nodes[2].id: duplicate node id (first declared at nodes[1])"
        " (got 'resources')",
    ),
    (
        "cycle.toml",
        "cycle.toml:36: nodes[1].parents[1]: cycle: resources -> staff -> resources",
    ),
    (
        "dangling_parent.toml",
        "dangling_parent.toml:42: nodes[2].parent: dangling edge: node 'staff' names an unknown"
        " parent (got 'resource')",
    ),
    (
        "several_roots.toml",
        "several_roots.toml:32: nodes[1].parents: several roots: 'programme', 'resources'; "
        "node 'resources' has no parent",
    ),
    (
        "parent_and_parents.toml",
        "parent_and_parents.toml:43: nodes[2].parents: give either 'parent' or 'parents', not both",
    ),
    (
        "root_with_parent.toml",
        "root_with_parent.toml:30: nodes[0].parent: the root cannot have parents",
    ),
    (
        "indicator_with_children.toml",
        "indicator_with_children.toml:34: nodes[1].kind: indicator 'resources' has children",
    ),
    (
        "childless_dimension.toml",
        "childless_dimension.toml:47: nodes[3].kind: inner node 'outputs' (kind 'dimension') "
        "has no children",
    ),
    (
        "dangling_edge.toml",
        "dangling_edge.toml:47: edges[0].child: dangling edge: unknown child (got 'budget')",
    ),
    (
        "edge_declared_twice.toml",
        "edge_declared_twice.toml:45: edges[0]: edge 'resources' -> 'staff' declared twice "
        "(also at nodes[2].parents[0])",
    ),
    (
        "unknown_node_scale.toml",
        "unknown_node_scale.toml:44: nodes[2].scale: unknown scale (got 'pct')",
    ),
    (
        "undefined_default_scale.toml",
        "undefined_default_scale.toml:6: framework.default_scale: default scale is not defined"
        " (got 'good4')",
    ),
    (
        "unknown_scale_kind.toml",
        "unknown_scale_kind.toml:10: scales[0].kind: must be one of 'ordinal', 'numeric'"
        " (got 'likert')",
    ),
    (
        "level_label_language.toml",
        "level_label_language.toml:20: scales[0].levels[1].label: level 'fair' has no label in"
        " the default language 'en'",
    ),
    (
        "duplicate_level_id.toml",
        "duplicate_level_id.toml:23: scales[0].levels[2].id: duplicate level id (first declared"
        " at scales[0].levels[1]) (got 'fair')",
    ),
    (
        "duplicate_level_score.toml",
        "duplicate_level_score.toml:24: scales[0].levels[2].score: level scores must be distinct"
        " (same score as scales[0].levels[1]) (got 2.0)",
    ),
    (
        "bands_unknown_level.toml",
        "bands_unknown_level.toml:50: scales[1].bands.levels[2]: not a level of the scale"
        " (levels: poor, fair, good) (got 'great')",
    ),
    (
        "bands_unknown_scale.toml",
        "bands_unknown_scale.toml:50: scales[1].bands.scale: bands refer to an unknown ordinal"
        " scale (got 'good5')",
    ),
    (
        "bands_cuts_not_increasing.toml",
        "bands_cuts_not_increasing.toml:50: scales[1].bands: band cuts must increase strictly,"
        " got cuts=[80.0, 50.0]",
    ),
    (
        "equal_width_without_range.toml",
        "equal_width_without_range.toml:48: scales[1].bands: equal_width bands need 'low' and"
        " 'high' (or the scale's minimum and maximum)",
    ),
]


def test_every_invalid_file_is_in_the_table() -> None:
    """The table covers every file in the folder, and nothing else."""
    assert sorted(name for name, _ in INVALID) == sorted(p.name for p in FOLDER.iterdir())


@pytest.mark.parametrize(("name", "message"), INVALID, ids=[name for name, _ in INVALID])
def test_invalid_file_is_refused_with_a_located_message(
    name: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is refused; the problem names the file, the line and the key path."""
    monkeypatch.chdir(FOLDER)
    found = [str(problem) for problem in check_framework_file(name)]
    assert message in found, found
    with pytest.raises(FrameworkError) as caught:
        load_framework(name)
    assert message in [str(problem) for problem in caught.value.problems]
    assert all(problem.file == name for problem in caught.value.problems)
