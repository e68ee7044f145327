"""Mapping files: which code of a qualitative project stands for which indicator (and level).

A mapping file is TOML::

    [mapping]
    framework = "agustino"        # a built-in name or a path (relative to this file)
    technique = "interview"       # the technique of every source (default "interview")
    unit = "kota-serang"          # the unit of sources that belong to no case
    category_variable = "Role"    # the case or source variable giving the source category
    end = "auto"                  # end positions: "exclusive", "inclusive" or "auto"

    [codes]
    "Topics/Competence" = { indicator = "kompetensi" }
    "Budget" = { indicator = "anggaran", level = "baik" }
    "20000000-0000-0000-0000-000000000004" = { indicator = "integritas" }

A key under ``[codes]`` is a code's path from the top of the code book joined
by ``/``, its name when no other code has it, or its GUID. A mapped code
without a level whose children are named after the indicator scale's levels
(by id or label, any language, any case) gives the level of the child a
selection is coded with.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from policyeval.exceptions import InteropError, PolicyEvalError, Problem
from policyeval.framework import Framework
from policyeval.scales import OrdinalScale

__all__ = ["Code", "CodeMapping", "Target", "load_mapping", "mapping_from_dict"]

_MAPPING_KEYS = {"framework", "technique", "unit", "category_variable", "end"}


@attrs.frozen
class Code:
    """A code of a code book: its id (GUID or generated), name and path of names from the top."""

    id: str
    name: str
    path: tuple[str, ...]
    parent: str | None = None

    @property
    def path_text(self) -> str:
        """The path joined by ``/``."""
        return "/".join(self.path)


@attrs.frozen
class Target:
    """Where a coded segment goes: an indicator and, when known, a level id."""

    indicator: str
    level: str | None


@attrs.frozen
class CodeMapping:
    """A loaded mapping: its settings and the code keys to targets (not yet bound to a code book)."""

    framework: Framework
    framework_ref: str  # a built-in name or an absolute path
    entries: Mapping[str, Target]
    technique: str = "interview"
    unit: str | None = None
    category_variable: str | None = None
    end: str = "auto"
    file: str | None = None

    def bind(self, codes: Sequence[Code]) -> dict[str, Target]:
        """Targets by code id for a code book: mapped codes and their level-named children.

        Raises :class:`~policyeval.exceptions.InteropError` listing every key
        that names no code, or more than one.
        """
        by_path: dict[str, list[Code]] = {}
        by_name: dict[str, list[Code]] = {}
        by_id = {code.id: code for code in codes}
        for code in codes:
            by_path.setdefault(code.path_text.casefold(), []).append(code)
            by_name.setdefault(code.name.casefold(), []).append(code)
        problems: list[Problem] = []
        bound: dict[str, Target] = {}
        for key, target in self.entries.items():
            if key in by_id:
                found = [by_id[key]]
            else:
                found = by_path.get(key.casefold()) or by_name.get(key.casefold(), [])
            if len(found) != 1:
                if found:
                    message = (
                        f"the name is shared by {len(found)} codes "
                        f"({', '.join(c.path_text for c in found)}): use the path"
                    )
                else:
                    hint = difflib.get_close_matches(key, [c.path_text for c in codes], n=1)
                    message = "names no code in the project" + (
                        f" (did you mean {hint[0]!r}?)" if hint else ""
                    )
                problems.append(Problem(message, file=self.file, key=f"codes.{key}"))
                continue
            bound[found[0].id] = target
        if problems:
            raise InteropError(problems)
        for code in codes:
            if code.id in bound or code.parent is None:
                continue
            parent = bound.get(code.parent)
            if parent is None or parent.level is not None:
                continue
            scale = self.framework.scale_of(parent.indicator)
            level = scale.find(code.name) if isinstance(scale, OrdinalScale) else None
            if level is not None:
                bound[code.id] = Target(parent.indicator, level.id)
        return bound


def load_mapping(path: str | os.PathLike[str], *, framework: str | None = None) -> CodeMapping:
    """Read a mapping file; ``framework`` (a name or path) overrides the file's."""
    name = os.fspath(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InteropError(f"cannot read the mapping file: {error.strerror}", file=name) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InteropError(f"not valid TOML: {error}", file=name) from None
    return mapping_from_dict(data, file=name, framework=framework)


def mapping_from_dict(
    data: Mapping[str, Any], *, file: str | None = None, framework: str | None = None
) -> CodeMapping:
    """A mapping from the parsed content of a mapping file.

    >>> m = mapping_from_dict({"mapping": {"framework": "agustino"},
    ...                        "codes": {"Skills": {"indicator": "kompetensi"}}})
    >>> m.entries["Skills"]
    Target(indicator='kompetensi', level=None)
    """
    from policyeval import frameworks

    problems: list[Problem] = []

    def bad(message: str, key: str, *value: Any) -> None:
        if value:
            problems.append(Problem(message, file=file, key=key, value=value[0]))
        else:
            problems.append(Problem(message, file=file, key=key))

    for key in set(data) - {"mapping", "codes"}:
        bad("unknown table (expected [mapping] and [codes])", key)
    settings = data.get("mapping", {})
    if not isinstance(settings, Mapping):
        raise InteropError("[mapping] must be a table", file=file)
    for key in set(settings) - _MAPPING_KEYS:
        hint = difflib.get_close_matches(key, sorted(_MAPPING_KEYS), n=1)
        bad("unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else ""), f"mapping.{key}")
    reference = framework or settings.get("framework")
    if not reference:
        raise InteropError(
            "name the framework: [mapping] framework = NAME or PATH, or --framework", file=file
        )
    reference = str(reference)
    candidate = reference
    if file is not None and reference.endswith((".toml", ".json")):
        candidate = str(Path(file).parent / reference) if framework is None else reference
    try:
        fw = frameworks.resolve(candidate)
    except (PolicyEvalError, LookupError) as error:
        raise InteropError(f"cannot load the framework: {error}", file=file) from None
    if candidate not in frameworks.available():
        # a path: kept absolute so a case folder anywhere can point at it
        reference = str(Path(candidate).resolve())
    end = str(settings.get("end", "auto"))
    if end not in {"auto", "exclusive", "inclusive"}:
        bad("must be 'auto', 'exclusive' or 'inclusive'", "mapping.end", end)
    entries: dict[str, Target] = {}
    codes = data.get("codes", {})
    if not isinstance(codes, Mapping) or not codes:
        bad("give at least one code under [codes]", "codes")
        codes = {}
    for key, value in codes.items():
        where = f"codes.{key}"
        if not isinstance(value, Mapping) or "indicator" not in value:
            bad('expected { indicator = "...", level = "..." }', where, value)
            continue
        for extra in set(value) - {"indicator", "level"}:
            bad("unknown key (expected indicator and level)", f"{where}.{extra}")
        indicator = str(value["indicator"])
        if indicator not in fw or not fw.node(indicator).is_indicator:
            hint = difflib.get_close_matches(indicator, list(fw.indicators), n=1)
            bad(
                f"not an indicator of framework {fw.id!r}"
                + (f" (did you mean {hint[0]!r}?)" if hint else ""),
                f"{where}.indicator",
                indicator,
            )
            continue
        level_id = None
        if value.get("level") is not None:
            scale = fw.scale_of(indicator)
            level = scale.find(str(value["level"])) if isinstance(scale, OrdinalScale) else None
            if level is None:
                bad(f"not a level of the scale of {indicator!r}", f"{where}.level", value["level"])
                continue
            level_id = level.id
        entries[str(key)] = Target(indicator, level_id)
    if problems:
        raise InteropError(problems)
    return CodeMapping(
        framework=fw,
        framework_ref=reference,
        entries=entries,
        technique=str(settings.get("technique", "interview")),
        unit=None if settings.get("unit") is None else str(settings["unit"]),
        category_variable=None
        if settings.get("category_variable") is None
        else str(settings["category_variable"]),
        end=end,
        file=file,
    )
