"""Build REFI-QDA projects for tests (and the documentation's sample).

The interviews are invented illustrations, not evidence from any study.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

INTERVIEW_1 = (
    "The village secretary has trained all staff in the new reporting system. "
    "Funds for the programme arrived three months late. "
    "We meet the district office every month to plan together."
)
INTERVIEW_2 = "Staff still struggle with the online forms. The budget was spent on time this year."

USERS = {"u1": "Ana", "u2": "Budi"}
# guid, name, children
CODES = [
    (
        "c-res",
        "Resources",
        [
            ("c-comp", "Staff competence", [("c-good", "Good", []), ("c-fair", "Cukup baik", [])]),
            ("c-budget", "Budget", []),
        ],
    ),
    ("c-coord", "Coordination", []),
    ("c-off", "Off-topic", []),
    ("c-unused", "Never used", []),
]
# source, selection guid, quoted text, [(code guid, user)]
SELECTIONS = [
    (
        "s1",
        "sel-1",
        "The village secretary has trained all staff",
        [("c-good", "u1"), ("c-good", "u2")],
    ),
    ("s1", "sel-2", "Funds for the programme arrived three months late", [("c-budget", "u1")]),
    (
        "s1",
        "sel-3",
        "We meet the district office every month",
        [("c-coord", "u1"), ("c-coord", "u2")],
    ),
    (
        "s2",
        "sel-4",
        "Staff still struggle with the online forms",
        [("c-fair", "u1"), ("c-good", "u2")],
    ),
    ("s2", "sel-5", "this year.", [("c-off", "u2")]),
]
SOURCES = {"s1": ("Interview 1.txt", INTERVIEW_1, "Village A", "official"),
           "s2": ("Interview 2.txt", INTERVIEW_2, "Village B", "resident")}  # fmt: skip


def _codes_xml(codes: list[tuple[str, str, list]]) -> str:  # type: ignore[type-arg]
    return "".join(
        f'<Code guid="{guid}" name={quoteattr(name)} isCodable="true">{_codes_xml(children)}</Code>'
        for guid, name, children in codes
    )


def project_xml(
    *, inclusive: bool = False, extra_sources: str = "", codings: list | None = None
) -> str:  # type: ignore[type-arg]
    """The project document; ``inclusive`` writes end positions as the last character's index."""
    users = "".join(f'<User guid="{g}" name="{n}"/>' for g, n in USERS.items())
    sources = []
    for guid, (name, text, _, _) in SOURCES.items():
        selections = []
        for source, sel, quoted, coded in codings if codings is not None else SELECTIONS:
            if source != guid:
                continue
            start = text.index(quoted)
            end = start + len(quoted) - (1 if inclusive else 0)
            inner = "".join(
                f'<Coding guid="{sel}-{i}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
                for i, (code, user) in enumerate(coded)
            )
            selections.append(
                f'<PlainTextSelection guid="{sel}" name={quoteattr(quoted)} '
                f'startPosition="{start}" endPosition="{end}">{inner}</PlainTextSelection>'
            )
        sources.append(
            f'<TextSource guid="{guid}" name={quoteattr(name)} '
            f'plainTextPath="internal://{guid}.txt">{"".join(selections)}</TextSource>'
        )
    cases = "".join(
        f'<Case guid="case-{guid}" name="{case}"><VariableValue><VariableRef targetGUID="v-role"/>'
        f'<TextValue>{role}</TextValue></VariableValue><SourceRef targetGUID="{guid}"/></Case>'
        for guid, (_, _, case, role) in SOURCES.items()
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Village services">'
        f"<Users>{users}</Users><CodeBook><Codes>{_codes_xml(CODES)}</Codes></CodeBook>"
        '<Variables><Variable guid="v-role" name="Role" typeOfVariable="Text"/></Variables>'
        f"<Cases>{cases}</Cases><Sources>{''.join(sources)}{extra_sources}</Sources></Project>"
    )


def write_qdpx(path: Path, **options: object) -> Path:
    """Write the sample project as a ``.qdpx`` archive."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_xml(**options))  # type: ignore[arg-type]
        for guid, (_, text, _, _) in SOURCES.items():
            archive.writestr(f"sources/{guid}.txt", text)
    return path


MAPPING = """\
[mapping]
framework = "agustino"
technique = "interview"
category_variable = "Role"
unit = "village"  # for sources that belong to no case

[codes]
"Resources/Staff competence" = { indicator = "kompetensi" }
"Budget" = { indicator = "pengelolaan_anggaran" }
"Coordination" = { indicator = "koordinasi_kolaborasi", level = "cukup baik" }
"""


def _code_path(guid: str) -> tuple[str, ...]:
    def walk(codes: list, path: tuple[str, ...]) -> tuple[str, ...] | None:  # type: ignore[type-arg]
        for code, name, children in codes:
            if code == guid:
                return (*path, name)
            found = walk(children, (*path, name))
            if found:
                return found
        return None

    found = walk(CODES, ())
    assert found is not None
    return found


def qualcoder_rows() -> list[list[str]]:
    """The sample's codings as QualCoder exports them (one Category column per level)."""
    rows = [["File", "Coder", "Coded", "Id", "Codename", "Coded_Memo", "Category", "Category"]]
    number = 0
    for source, _, quoted, coded in SELECTIONS:
        for code, user in coded:
            number += 1
            path = _code_path(code)
            categories = list(path[:-1]) + [""] * (2 - len(path[:-1]))
            rows.append(
                [SOURCES[source][0], USERS[user], quoted, str(number), path[-1], "", *categories]
            )
    return rows


def taguette_rows() -> list[list[str]]:
    """The sample's highlights as Taguette exports them (flat tags, no coder)."""
    rows = [["id", "document", "tag", "content"]]
    for number, (source, _, quoted, coded) in enumerate(SELECTIONS, start=1):
        tags = []
        for code, _ in coded:
            path = _code_path(code)
            tags.append(path[1] if path[0] == "Resources" and len(path) > 1 else path[0])
        for tag in dict.fromkeys(tags):
            rows.append([str(number), SOURCES[source][0].removesuffix(".txt"), tag, quoted])
    return rows


TAGUETTE_MAPPING = """\
[mapping]
framework = "agustino"
unit = "village"

[codes]
"Staff competence" = { indicator = "kompetensi" }
"Budget" = { indicator = "pengelolaan_anggaran", level = "kurang baik" }
"Coordination" = { indicator = "koordinasi_kolaborasi", level = "cukup baik" }
"""
