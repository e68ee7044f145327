"""The evaluation frameworks that ship with policyeval, as TOML data files.

Each built-in framework lives in ``policyeval/frameworks/data/<name>.toml``
and is read with :mod:`importlib.resources`, so it works from a wheel, a
zip or a source checkout alike. :func:`resolve` accepts either a built-in
name or the path of a framework file of your own, which is what the command
line does with its ``--framework`` option.

>>> from policyeval import frameworks
>>> frameworks.available()
('agustino', 'dunn', 'edward3', 'oecd_dac')
>>> fw = frameworks.load("agustino")
>>> fw.children("kelembagaan")
('manajemen_organisasi', 'koordinasi_kolaborasi')
>>> fw.label("kelembagaan", "en")
'Institutions'
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from policyeval._resources import package_files
from policyeval.exceptions import FrameworkError, Problem, UnknownPluginError, did_you_mean
from policyeval.framework import Framework
from policyeval.framework_io import load_framework, loads_framework

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["available", "load", "path", "resolve"]

_SUFFIX = ".toml"
_FILE_SUFFIXES = (".toml", ".json")


def _data() -> Traversable:
    return package_files(__name__, __file__).joinpath("data")


def available() -> tuple[str, ...]:
    """The names of the built-in frameworks, sorted.

    >>> "agustino" in available()
    True
    """
    return tuple(
        sorted(
            entry.name[: -len(_SUFFIX)]
            for entry in _data().iterdir()
            if entry.is_file() and entry.name.endswith(_SUFFIX)
        )
    )


def _unknown(name: str) -> UnknownPluginError:
    return UnknownPluginError(
        f"no built-in framework name={name!r}{did_you_mean(name, available())}; "
        f"available: {', '.join(available())}"
    )


def path(name: str) -> Traversable:
    """The data file of a built-in framework, as an :mod:`importlib.resources` object.

    Raises :class:`~policyeval.exceptions.UnknownPluginError` listing the
    available names when ``name`` is not one of them.

    >>> path("dunn").name
    'dunn.toml'
    """
    if name not in available():
        raise _unknown(name)
    return _data().joinpath(name + _SUFFIX)


@functools.cache
def _load(name: str) -> Framework:
    text = path(name).read_text(encoding="utf-8")
    return loads_framework(text, format="toml", source=f"policyeval.frameworks:{name}")


def load(name: str) -> Framework:
    """Load a built-in framework by name.

    Frameworks are frozen, so repeated calls share one parsed object.
    Raises :class:`~policyeval.exceptions.UnknownPluginError` listing the
    available names when ``name`` is not one of them.

    >>> fw = load("edward3")
    >>> fw.of_kind("dimension")
    ('communication', 'resources', 'disposition', 'bureaucratic_structure')
    >>> load("edward3") == fw
    True
    """
    if name not in available():
        raise _unknown(name)
    return _load(name)


def _looks_like_path(text: str) -> bool:
    return (
        text.lower().endswith(_FILE_SUFFIXES)
        or os.sep in text
        or (os.altsep is not None and os.altsep in text)
    )


def resolve(name_or_path: str | os.PathLike[str]) -> Framework:
    """Load a built-in framework by name, or a framework file by path.

    A string that names a built-in framework loads it; a string ending in
    ``.toml`` or ``.json``, containing a path separator, or naming an
    existing file is read with
    :func:`~policyeval.framework_io.load_framework`. A missing file raises
    :class:`~policyeval.exceptions.FrameworkError`; anything else raises
    :class:`~policyeval.exceptions.UnknownPluginError` listing the built-in
    names.

    >>> resolve("oecd_dac").id
    'oecd_dac'
    """
    if isinstance(name_or_path, str) and name_or_path in available():
        return load(name_or_path)
    text = os.fspath(name_or_path)
    candidate = Path(text)
    if not isinstance(name_or_path, str) or _looks_like_path(text) or candidate.is_file():
        if not candidate.is_file():
            raise FrameworkError([Problem("framework file not found", file=text)])
        return load_framework(candidate)
    raise _unknown(text)
