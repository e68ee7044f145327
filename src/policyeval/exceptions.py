"""The exceptions policyeval raises, in one tree.

Every exception derives from :class:`PolicyEvalError` and also from the
builtin that best describes it, so ``except ValueError`` keeps working for
callers who do not know about policyeval.

Errors about files carry :class:`Problem` records that name the file, the
line or row, the key or column, and the offending value. A loader collects
every problem it finds before raising, so a user fixes a file in one pass.

>>> problem = Problem("weight must be >= 0", file="f.toml", line=7, key="nodes[2].weight", value=-1)
>>> print(problem)
f.toml:7: nodes[2].weight: weight must be >= 0 (got -1)
>>> error = FrameworkError([problem])
>>> isinstance(error, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from policyeval._frozen import FrozenDict

__all__ = [
    "CaseError",
    "DataCheckError",
    "EvidenceError",
    "FrameworkError",
    "InteropError",
    "InvalidArgument",
    "PluginContractError",
    "PolicyEvalError",
    "PolicyEvalWarning",
    "Problem",
    "ScaleError",
    "UnknownPluginError",
    "did_you_mean",
    "first_of",
]


class _Unset:
    """Marks a :class:`Problem` that carries no offending value."""

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        # Unpickled as the module's one instance, so ``value is UNSET`` still holds.
        return "UNSET"


UNSET: Any = _Unset()


def _read_only(params: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return FrozenDict(params or {})


_NO_PARAMS: Mapping[str, Any] = FrozenDict()


@attrs.frozen(kw_only=True)
class Problem:
    """One located problem in an input file or object.

    ``file`` is the path as given by the user; ``line`` is a 1-based line
    number (framework files); ``row`` is a row number counted as a
    spreadsheet shows it, the header being row 1 (evidence tables); ``key``
    is a key path such as ``nodes[3].weight`` or a column name; ``value`` is
    the offending value, when there is one.

    ``message_id`` names the message's entry in the catalogues of
    :mod:`policyeval.locales` and ``params`` the values filled into it, so
    the message can be shown in another language; ``message`` stays the
    English text.

    >>> problem = Problem("missing value", row=4, key="rating", message_id="row.missing_value")
    >>> from policyeval.locales import localise
    >>> localise(problem, "id")
    'baris 4: rating: nilai kosong'
    """

    message: str = attrs.field(kw_only=False)
    file: str | None = None
    line: int | None = None
    row: int | None = None
    key: str | None = None
    value: Any = attrs.field(default=UNSET, eq=False)
    message_id: str | None = attrs.field(default=None, eq=False)
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_read_only, eq=False)

    @classmethod
    def from_error(cls, error: BaseException, **where: Any) -> Problem:
        """A problem with ``error``'s message and catalogue entry, located by ``where``.

        >>> problem = Problem.from_error(ValueError("must be > 0"), file="case.toml", key="x")
        >>> print(problem)
        case.toml: x: must be > 0
        """
        return cls(
            str(error),
            message_id=getattr(error, "message_id", None),
            params=getattr(error, "params", None),
            **where,
        )

    @property
    def has_value(self) -> bool:
        """Whether the problem names an offending value."""
        return self.value is not UNSET

    def __str__(self) -> str:
        head = ""
        if self.file is not None:
            head = str(self.file)
            if self.line is not None:
                head += f":{self.line}"
        elif self.line is not None:
            head = f"line {self.line}"
        parts = [head] if head else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.key is not None:
            parts.append(self.key)
        text = ": ".join([*parts, self.message])
        if self.has_value:
            text += f" (got {self.value!r})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready mapping (unset fields left out)."""
        out: dict[str, Any] = {"message": self.message}
        for name in ("file", "line", "row", "key"):
            field_value = getattr(self, name)
            if field_value is not None:
                out[name] = field_value
        if self.has_value:
            out["value"] = self.value if _jsonable(self.value) else repr(self.value)
        return out


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


class _Keyed:
    """The catalogue entry of a message: ``message_id`` and the ``params`` filled into it.

    The text of the exception or warning stays English; the command line shows
    it in the chosen language through :func:`policyeval.locales.localise`.
    """

    message_id: str | None = None
    params: Mapping[str, Any] = _NO_PARAMS

    def _keep(self, message_id: str | None, params: Mapping[str, Any] | None) -> None:
        if message_id is not None:
            self.message_id = message_id
            self.params = _read_only(params)


class PolicyEvalError(_Keyed, Exception):
    """Root of every exception raised by policyeval.

    ``message_id`` and ``params`` (optional) name the message's catalogue
    entry, so it can be shown in another language.
    """

    def __init__(
        self, *args: Any, message_id: str | None = None, params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(*args)
        self._keep(message_id, params)


class PolicyEvalWarning(_Keyed, UserWarning):
    """Warned when an input is accepted but probably not meant as written.

    For example, a column of ``sources.csv`` that policyeval does not know
    (``kategori`` for ``category``) is kept as extra information, with a
    warning listing the known columns. The command line prints these as
    ``warning: ...`` lines, in the language of ``--lang``. A warning about
    a place in a file carries that :class:`Problem` (``problem``) and reads as it.
    """

    def __init__(
        self,
        *args: Any,
        message_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        problem: Problem | None = None,
    ) -> None:
        if problem is not None and not args:
            args = (str(problem),)
        super().__init__(*args)
        self._keep(message_id, params)
        self.problems: tuple[Problem, ...] = () if problem is None else (problem,)


class InvalidArgument(PolicyEvalError, ValueError):
    """Raised when a function is called with an argument it cannot accept.

    The message names the argument as ``name=value``.
    """


class _ProblemsError(PolicyEvalError):
    """Base for errors that carry a list of located :class:`Problem` records."""

    def __init__(
        self,
        problems: Iterable[Problem] | str,
        *,
        file: str | None = None,
        message_id: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, file=file, message_id=message_id, params=params)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        if count == 1:
            return str(self.problems[0])
        lines = [f"{count} problems:"] + [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


class FrameworkError(_ProblemsError, ValueError):
    """Raised when a framework (a file or a graph) is invalid.

    ``problems`` lists every problem found, each naming the file, the key
    path and, where the format allows, the line.
    """


class ScaleError(PolicyEvalError, ValueError):
    """Raised when a scale is malformed, or a rating or value does not fit a scale."""


class EvidenceError(_ProblemsError, ValueError):
    """Raised when an evidence or sources table is invalid in strict mode.

    ``problems`` lists every bad row with its file, row, column and value.
    """


class CaseError(_ProblemsError, ValueError):
    """Raised when a case directory or its ``case.toml`` is invalid."""


class DataCheckError(_ProblemsError, ValueError):
    """Raised when a data-check specification or a data table cannot be read."""


class ScoringError(_ProblemsError, ValueError):
    """Raised when an indicator's values would reach a parent without a scorer onto its scale.

    Each problem names the indicator (``key``) and the parent whose scale
    the values do not fit, so raw numbers are never averaged with level
    scores silently.
    """


class InteropError(_ProblemsError, ValueError):
    """Raised when a file from another tool (a REFI-QDA project, a QualCoder or
    Taguette export, a DEXi model, a coding-to-indicator mapping) cannot be read,
    or is refused as unsafe (an archive member escaping its folder, an oversized
    member, a compression bomb, XML entities).
    """


class UnknownPluginError(PolicyEvalError, LookupError):
    """Raised when an aggregator or rule name is not registered."""


class PluginContractError(PolicyEvalError, TypeError):
    """Raised when a plug-in returns something other than its protocol promises."""


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """A `` (did you mean 'x'?)`` hint naming the closest choice to ``name``, or ``""``.

    Case and the separators ``-``, ``_`` and space are ignored when comparing,
    so a hint also catches ``Kepemimpinan`` or ``weakest-link``.

    >>> did_you_mean("kepemimpnan", ["kompetensi", "kepemimpinan"])
    " (did you mean 'kepemimpinan'?)"
    >>> did_you_mean("zzz", ["kompetensi"])
    ''
    """

    def folded(text: str) -> str:
        return text.casefold().replace("-", "_").replace(" ", "_")

    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(folded(choice), choice)
    import difflib  # only once a name is not found

    close = difflib.get_close_matches(folded(str(name)), list(by_folded), n=1, cutoff=0.75)
    return f" (did you mean {by_folded[close[0]]!r}?)" if close else ""


def first_of(names: Sequence[str], shown: int = 10) -> str:
    """``names`` joined for a message, the first ``shown`` of them and the count when there
    are more (a national case has a thousand units).

    >>> first_of(["a", "b"]), first_of([str(n) for n in range(12)], shown=3)
    ('a, b', '0, 1, 2, … (12)')
    """
    return ", ".join(names[:shown]) + (f", … ({len(names)})" if len(names) > shown else "")
