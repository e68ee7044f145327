"""The data files that ship inside policyeval's packages (catalogues, built-in frameworks).

A package installed as a folder (a wheel unpacked by pip, a source checkout)
has its data files beside its modules, read with :mod:`pathlib`; a package
imported from a zip reaches them through :mod:`importlib.resources`, which
is imported only then (its import costs a command's start-up a few
milliseconds).

>>> folder = package_files("policyeval.locales", None)
>>> folder.joinpath("en.toml").is_file()
True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["package_files"]


def package_files(package: str, module_file: str | None) -> Traversable:
    """The folder of ``package``'s data files.

    ``module_file`` is the ``__file__`` of the package or of a module in it:
    when it names a file in a folder on disk, that folder is the answer; otherwise (``None``, or a path
    inside a zip) :func:`importlib.resources.files` is.
    """
    if module_file is not None:
        folder = Path(module_file).parent
        if folder.is_dir():
            return folder
    from importlib import resources

    return resources.files(package)
