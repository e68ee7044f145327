"""Problems: one located record per input error, printed and exported the same way."""

from __future__ import annotations

import json
import pathlib

from policyeval.exceptions import UNSET, Problem


def test_a_problem_prints_file_line_row_key_message_and_value_in_that_order() -> None:
    """str(Problem) reads "file:line: row R: key: message (got value)", leaving out what is unset."""
    assert str(Problem("unknown level", file="e.csv", row=3, key="rating", value="bagus")) == (
        "e.csv: row 3: rating: unknown level (got 'bagus')"
    )
    assert str(Problem("duplicate key", file="fw.toml", line=7, key="nodes")) == (
        "fw.toml:7: nodes: duplicate key"
    )
    assert str(Problem("bad TOML", line=4)) == "line 4: bad TOML"
    assert str(Problem("no evidence")) == "no evidence"
    assert repr(UNSET) == "UNSET"


def test_as_dict_keeps_the_set_fields_and_a_json_value() -> None:
    """as_dict leaves out unset fields, keeps plain values and writes others as their repr, so
    it always serialises to JSON."""
    plain = Problem("weight must be > 0", file="fw.toml", line=9, key="nodes[2].weight", value=-1)
    assert plain.as_dict() == {
        "message": "weight must be > 0",
        "file": "fw.toml",
        "line": 9,
        "key": "nodes[2].weight",
        "value": -1,
    }
    odd = Problem("not a file", row=2, value=pathlib.PurePosixPath("a/b"))
    assert odd.as_dict() == {"message": "not a file", "row": 2, "value": "PurePosixPath('a/b')"}
    assert Problem("none given", value=None).as_dict() == {"message": "none given", "value": None}
    assert Problem("nothing").as_dict() == {"message": "nothing"}
    json.dumps([plain.as_dict(), odd.as_dict()])
