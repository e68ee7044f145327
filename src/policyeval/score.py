"""The second stage: assessments and numeric data -> a units x indicators score table.

:func:`score` reads each indicator's value for every unit (the score of an
ordinal rating's level, or a number from the evidence or from a numeric
data table), and asks the indicator's scorer to put the column onto the
framework's common score range. The result, a :class:`ScoreTable`, records
where each value came from and which scorer made each score.

Each indicator has a scorer: the one configured for it, else the default
for its scale (:func:`~policyeval.scorers.levels` for ordinal scales,
:func:`~policyeval.scorers.bands` for numeric scales with bands). A numeric
indicator without bands and without a scorer passes its raw numbers on,
which is only right when every parent reads them on the same scale;
:func:`scoring_problems` finds every indicator where that is not so, and
:func:`score` refuses such a framework with a
:class:`~policyeval.exceptions.ScoringError` naming the indicator.

>>> from policyeval import frameworks
>>> from policyeval.evidence import Evidence
>>> from policyeval.triangulate import triangulate
>>> fw = frameworks.load("agustino")
>>> items = [Evidence(id="E1", unit="u", indicator="kompetensi", rating="cukup_baik",
...                   source="s1", source_category="asn", technique="interview")]
>>> table = score(fw, triangulate(fw, items))
>>> table.score("u", "kompetensi"), table.level("u", "kompetensi"), table.scorers["kompetensi"]
(3.0, 'cukup_baik', 'levels()')
>>> table.score("u", "komunikasi_publik") is None
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from policyeval._arrays import arrays_equal, frozen_mapping, read_only
from policyeval._frozen import FrozenDict
from policyeval.exceptions import (
    InvalidArgument,
    PluginContractError,
    PolicyEvalError,
    Problem,
    ScoringError,
)
from policyeval.framework import Framework
from policyeval.protocols import Assessment, Scorer, Status
from policyeval.registry import build_aggregator, build_scorer, describe
from policyeval.scales import NumericScale, OrdinalScale, Scale
from policyeval.scorers import bands, levels
from policyeval.triangulate import Triangulation

__all__ = [
    "NumericData",
    "ScoreTable",
    "ScorerSpec",
    "default_scorer",
    "score",
    "scorer_lookup",
    "scoring_problems",
]

FloatArray = npt.NDArray[np.float64]
ScorerSpec = Scorer | str | Mapping[str, Any]
NumericData = Mapping[str, Mapping[str, float | None]] | Any
"""Per-unit numbers: ``{unit: {indicator: value}}``, or a table with ``units``,
``indicators`` and a ``values`` array (units x indicators, ``nan`` = missing)."""


class _Cells(Mapping[tuple[str, str], str | None]):
    """A read-only mapping ``(unit, indicator) -> value`` over a units x indicators grid.

    Compact where a dict would hold one entry per cell; iterates indicator by
    indicator, each over every unit, as the scores are read.
    """

    __slots__ = ("_columns", "_grid", "_indicators", "_rows", "_units")

    def __init__(
        self, units: tuple[str, ...], indicators: tuple[str, ...], grid: npt.NDArray[Any]
    ) -> None:
        self._units, self._indicators = units, indicators
        self._rows = {unit: row for row, unit in enumerate(units)}
        self._columns = {indicator: column for column, indicator in enumerate(indicators)}
        self._grid = grid.copy()
        self._grid.flags.writeable = False

    def __getitem__(self, key: tuple[str, str]) -> str | None:
        try:
            unit, indicator = key
            value: str | None = self._grid[self._rows[unit], self._columns[indicator]]
        except (KeyError, TypeError, ValueError):
            raise KeyError(key) from None
        return value

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((unit, indicator) for indicator in self._indicators for unit in self._units)

    def __len__(self) -> int:
        return len(self._units) * len(self._indicators)

    def __repr__(self) -> str:
        return repr(dict(self))


def cell_grid(table: ScoreTable, name: str) -> npt.NDArray[Any]:
    """The table's ``levels`` or ``origins`` (``name``) as a read-only units x indicators array."""
    cells = getattr(table, name)
    if isinstance(cells, _Cells):
        return cells._grid
    grid = np.full((len(table.units), len(table.indicators)), None, dtype=object)
    for row, unit in enumerate(table.units):
        for column, indicator in enumerate(table.indicators):
            grid[row, column] = cells.get((unit, indicator))
    grid.flags.writeable = False
    return grid


def _cells_or_frozen(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return value if isinstance(value, _Cells) else FrozenDict(value)


@attrs.frozen(kw_only=True)
class ScoreTable:
    """Every indicator's score for every unit, on the framework's common score range.

    ``scores`` and ``values`` are read-only float arrays of shape
    ``(len(units), len(indicators))``, ``nan`` where a unit has no score:
    ``values`` holds what the scorer was given (a level's score, or a
    number), ``scores`` what it returned. ``levels`` maps ``(unit,
    indicator)`` to the level id read from the rating or the bands (or
    ``None``); ``origins`` to ``"evidence"``, ``"data"`` or ``None`` (no
    value). ``scorers`` maps each indicator to its scorer's ``repr``
    (``"none"`` for raw numbers passed on unchanged). ``triangulation`` is
    the first stage's result the table was scored from, when there was one.
    """

    framework: Framework = attrs.field(eq=False, repr=False)
    units: tuple[str, ...]
    indicators: tuple[str, ...]
    scores: FloatArray = attrs.field(converter=read_only, eq=attrs.cmp_using(eq=arrays_equal))
    values: FloatArray = attrs.field(converter=read_only, eq=attrs.cmp_using(eq=arrays_equal))
    levels: Mapping[tuple[str, str], str | None] = attrs.field(converter=_cells_or_frozen)
    origins: Mapping[tuple[str, str], str | None] = attrs.field(converter=_cells_or_frozen)
    scorers: Mapping[str, str] = attrs.field(converter=frozen_mapping)
    triangulation: Triangulation | None = attrs.field(default=None, eq=False, repr=False)

    def _index(self, unit: str, indicator: str) -> tuple[int, int]:
        try:
            return self.units.index(unit), self.indicators.index(indicator)
        except ValueError:
            raise KeyError(f"no score for unit={unit!r}, indicator={indicator!r}") from None

    def score(self, unit: str, indicator: str) -> float | None:
        """The score of ``indicator`` for ``unit``, or ``None`` when it has none."""
        number = float(self.scores[self._index(unit, indicator)])
        return None if math.isnan(number) else number

    def value(self, unit: str, indicator: str) -> float | None:
        """The value the scorer was given, or ``None``."""
        number = float(self.values[self._index(unit, indicator)])
        return None if math.isnan(number) else number

    def level(self, unit: str, indicator: str) -> str | None:
        """The level id of ``indicator`` for ``unit``, or ``None``."""
        self._index(unit, indicator)
        return self.levels[unit, indicator]


def default_scorer(scale: Scale) -> Scorer | None:
    """The scorer an indicator on ``scale`` gets unless another is configured.

    ``None`` means raw numbers pass on unchanged (a numeric scale without bands).

    >>> from policyeval.testing.strategies import FOUR_LEVEL_SCALE, PERCENT_SCALE
    >>> default_scorer(FOUR_LEVEL_SCALE), default_scorer(PERCENT_SCALE)
    (levels(), bands())
    """
    if isinstance(scale, OrdinalScale):
        return levels()
    if scale.bands is not None:
        return bands()
    return None


def scorer_lookup(
    framework: Framework, scorers: ScorerSpec | Mapping[str, ScorerSpec] | None
) -> Callable[[str], Scorer | None]:
    """A function from indicator id to its scorer (``None``: raw numbers pass on).

    ``scorers`` is one scorer for every indicator, or a mapping from
    indicator id (or ``"*"``, every other indicator) to a scorer. An
    indicator it does not name gets the scorer its framework file declares
    (the node's ``attributes.scorer``, else the framework's
    ``attributes.scorer``), else :func:`default_scorer`.
    """
    named: dict[str, Scorer] = {}
    every: Scorer | None = None
    if isinstance(scorers, Mapping) and "name" not in scorers:
        unknown = sorted(set(scorers) - set(framework.indicators) - {"*"})
        if unknown:
            raise InvalidArgument(f"scorers name nodes that are not indicators: {unknown!r}")
        named = {key: build_scorer(spec) for key, spec in scorers.items() if key != "*"}
        if "*" in scorers:
            every = build_scorer(scorers["*"])
    elif scorers is not None:
        every = build_scorer(scorers)
    declared = _declared_scorers(framework) if every is None else {}

    def lookup(indicator: str) -> Scorer | None:
        if indicator in named:
            return named[indicator]
        if every is not None:
            return every
        if indicator in declared:
            return declared[indicator]
        scale = framework.scale_of(indicator)
        assert scale is not None  # validated: every indicator has a scale
        return default_scorer(scale)

    return lookup


def _declared_scorers(framework: Framework) -> dict[str, Scorer]:
    """The scorers a framework file declares in its attributes, by indicator."""
    found: dict[str, Scorer] = {}
    built: dict[str, Scorer] = {}  # one scorer per distinct spec: they are frozen values
    overall = framework.attributes.get("scorer")
    for indicator in framework.indicators:
        spec = framework.node(indicator).attributes.get("scorer", overall)
        if spec is None:
            continue
        try:
            if repr(spec) not in built:
                built[repr(spec)] = build_scorer(spec)
            found[indicator] = built[repr(spec)]
        except PolicyEvalError as error:
            raise InvalidArgument(
                f"framework {framework.id!r}: indicator {indicator!r}: attributes.scorer="
                f"{spec!r}: {error}"
            ) from None
    return found


def _bounds(scale: Scale | None) -> tuple[float | None, float | None]:
    if isinstance(scale, OrdinalScale):
        return scale.minimum, scale.maximum
    if isinstance(scale, NumericScale):
        return scale.minimum, scale.maximum
    return None, None


def _describe_scale(scale: Scale | None) -> str:
    if scale is None:
        return "no scale"
    low, high = _bounds(scale)
    span = "" if low is None and high is None else f", {low!r} to {high!r}"
    return f"{scale.kind} scale {scale.id!r}{span}"


def scoring_problems(
    framework: Framework,
    scorers: ScorerSpec | Mapping[str, ScorerSpec] | None = None,
    *,
    file: str | None = None,
    key: str | None = "scorers",
) -> list[Problem]:
    """Every indicator whose scores would reach a parent that cannot read them.

    An indicator's scores fit a parent when the scorer's declared range
    (``range_for``) lies within the bounds of the parent's scale; a scorer
    declaring an unbounded range fits only a parent on an unbounded numeric
    scale; raw numbers (no scorer) fit only a parent on the same scale.
    Each problem names the indicator (``key`` is ``"{key}.{indicator}"``,
    or with ``key=None`` the node's place in its file) and the parent. Third-party scorers without ``range_for`` are trusted.

    >>> from policyeval import frameworks
    >>> scoring_problems(frameworks.load("dunn"))
    []
    """
    return _problems(framework, scorer_lookup(framework, scorers), file=file, key=key)


def _problems(
    framework: Framework,
    lookup: Callable[[str], Scorer | None],
    *,
    file: str | None,
    key: str | None,
) -> list[Problem]:
    problems = []
    reads_child_scales: dict[str, bool] = {}
    for indicator in framework.indicators:
        scale = framework.scale_of(indicator)
        chosen = lookup(indicator)
        for parent in framework.parents(indicator):
            # One answer per aggregator spec: building an aggregator is not free.
            spec = repr(framework.aggregator_of(parent))
            if spec not in reads_child_scales:
                reads_child_scales[spec] = _reads_child_scales(framework, parent)
            if reads_child_scales[spec]:
                continue
            target = framework.scale_of(parent)
            reason = _misfit(chosen, scale, target)
            if reason is not None:
                problems.append(
                    Problem(
                        f"indicator {indicator!r} ({_describe_scale(scale)}) would reach parent "
                        f"{parent!r} ({_describe_scale(target)}) {reason}; give the indicator "
                        "bands or a scorer onto the parent's scale (such as min_max with the "
                        "parent's bounds)",
                        file=file,
                        key=f"{key}.{indicator}"
                        if key is not None
                        else framework.node(indicator).key or f"nodes.{indicator}",
                        value=None if chosen is None else repr(chosen),
                    )
                )
    return problems


def _reads_child_scales(framework: Framework, parent: str) -> bool:
    """Whether the parent's aggregator reads each child on the child's own scale (a decision table)."""
    try:
        built = build_aggregator(framework.aggregator_of(parent))
    except PolicyEvalError:
        return False  # reported where the aggregator is built
    return getattr(built, "reads_child_scales", False) is True


def _misfit(chosen: Scorer | None, scale: Scale | None, target: Scale | None) -> str | None:
    """Why scores from ``chosen`` on ``scale`` do not fit a parent on ``target`` (or ``None``)."""
    if chosen is None:
        if target is not None and scale is not None and target.id == scale.id:
            return None
        return "as raw numbers without a scorer"
    range_for = getattr(chosen, "range_for", None)
    if range_for is None or scale is None:
        return None
    span = range_for(scale)
    low, high = _bounds(target)
    if span is None:
        if low is None and high is None and isinstance(target, NumericScale):
            return None
        return f"with scores from {chosen!r}, which are unbounded"
    tolerance = 1e-9
    if (low is not None and span[0] < low - tolerance) or (
        high is not None and span[1] > high + tolerance
    ):
        return f"with scores from {chosen!r} in {span[0]!r} to {span[1]!r}"
    return None


def _data_table(
    data: NumericData | None,
) -> tuple[tuple[str, ...], tuple[str, ...], FloatArray]:
    """The units, the indicators and the units x indicators values of ``data``."""
    if data is None:
        return (), (), np.empty((0, 0))
    if isinstance(data, Mapping):
        units = tuple(str(unit) for unit in data)
        columns = tuple(dict.fromkeys(str(i) for row in data.values() for i in row))
        values = np.full((len(units), len(columns)), np.nan)
        for row, unit_row in enumerate(data.values()):
            for indicator, value in unit_row.items():
                if value is not None:
                    values[row, columns.index(str(indicator))] = float(value)
        return units, columns, values
    units = tuple(str(unit) for unit in getattr(data, "units", ()))
    columns = tuple(str(c) for c in getattr(data, "indicators", getattr(data, "columns", ())))
    values = np.asarray(getattr(data, "values", None), dtype=np.float64)
    if values.shape != (len(units), len(columns)):
        raise InvalidArgument(
            "data must map unit -> indicator -> value, or have units, indicators and a "
            f"units x indicators values array; got {type(data).__name__}"
        )
    return units, columns, values


def score(
    framework: Framework,
    assessments: Triangulation | None = None,
    data: NumericData | None = None,
    *,
    scorers: ScorerSpec | Mapping[str, ScorerSpec] | None = None,
    units: Sequence[str] | None = None,
) -> ScoreTable:
    """Score every indicator of ``framework`` for every unit.

    ``assessments`` is the result of :func:`policyeval.triangulate.triangulate`;
    ``data`` holds numbers per unit and indicator (``{unit: {indicator:
    value}}`` or a units x indicators table). A unit may have a number for an
    indicator from its evidence or from the data, not both. ``scorers``
    chooses each indicator's scorer (see :func:`scorer_lookup`). ``units``
    fixes the units (default: the assessments' units, then any other unit in
    the data, sorted).

    Raises :class:`~policyeval.exceptions.ScoringError` when an indicator's
    scores would reach a parent that cannot read them (see
    :func:`scoring_problems`), and
    :class:`~policyeval.exceptions.PluginContractError` naming the indicator
    when a scorer breaks its contract.
    """
    lookup = scorer_lookup(framework, scorers)
    problems = _problems(framework, lookup, file=None, key="scorers")
    if problems:
        raise ScoringError(problems)
    data_units, columns, data_values = _data_table(data)
    unknown = sorted(set(columns) - set(framework.indicators))
    if unknown:
        raise InvalidArgument(f"data names columns that are not indicators: {unknown!r}")
    known_units = assessments.units if assessments is not None else ()
    with_data = {
        data_units[row] for row in np.flatnonzero((~np.isnan(data_values)).any(axis=1)).tolist()
    }
    if units is None:
        unit_ids = tuple(known_units) + tuple(sorted(with_data - set(known_units)))
    else:
        unit_ids = tuple(units)
        missing = sorted((with_data | set(known_units)) - set(unit_ids))
        if missing:
            raise InvalidArgument(f"data or assessments name units not in units: {missing!r}")
    indicators = framework.indicators
    # The data laid out as the table: units x indicators, nan where there is no number.
    from_data = np.full((len(unit_ids), len(indicators)), np.nan)
    row_of = {unit: row for row, unit in enumerate(data_units)}
    source_rows = [row_of.get(unit, -1) for unit in unit_ids]
    taken = np.array([row >= 0 for row in source_rows], dtype=bool)
    taken_rows = [row for row in source_rows if row >= 0]
    for column, indicator in enumerate(columns):
        from_data[taken, indicators.index(indicator)] = data_values[taken_rows, column]
    values = np.full_like(from_data, np.nan)
    scores = np.full_like(values, np.nan)
    level_grid = np.full(values.shape, None, dtype=object)
    origin_grid = np.full(values.shape, None, dtype=object)
    chosen_scorers: dict[str, Scorer | None] = {}
    scales: list[Scale] = []
    known = set(known_units)
    columns_of = assessments.columns_for(unit_ids) if assessments is not None else None
    for column, indicator in enumerate(indicators):
        scale = framework.scale_of(indicator)
        assert scale is not None  # validated: every indicator has a scale
        scales.append(scale)
        data_column = from_data[:, column]
        if assessments is None and isinstance(scale, NumericScale) and scale.bands is None:
            # Numbers only, on a scale without levels: nothing to read cell by cell.
            values[:, column] = data_column
            origin_grid[~np.isnan(data_column), column] = "data"
        elif (
            columns_of is not None
            and isinstance(scale, OrdinalScale)
            and np.isnan(data_column).all()
        ):
            # Ratings read off the assessments' arrays, none made: a rating's level and score.
            ratings, statuses = columns_of[1][:, column], columns_of[2][:, column]
            rated = (statuses != _NO_EVIDENCE) & (ratings != None)  # noqa: E711 - elementwise
            chosen = ratings[rated]
            score_of = {rating: scale.get(rating).score for rating in set(chosen.tolist())}
            level_grid[rated, column] = chosen
            origin_grid[rated, column] = "evidence"
            values[rated, column] = [score_of[rating] for rating in chosen.tolist()]
        else:
            for row, unit in enumerate(unit_ids):
                assessment = None
                if assessments is not None and unit in known:
                    assessment = assessments.assessment(unit, indicator)
                datum = float(data_column[row])
                level, number, origin = _read(
                    scale, assessment, None if math.isnan(datum) else datum
                )
                if origin == "clash":
                    raise InvalidArgument(
                        f"unit={unit!r}, indicator={indicator!r} has a value both from evidence "
                        "and from the data table; give it in one place"
                    )
                level_grid[row, column] = level
                origin_grid[row, column] = origin
                if number is not None:
                    values[row, column] = number
        chosen_scorers[indicator] = lookup(indicator)
    # Indicators sharing a scorer with an array form are scored in one call; the others, and
    # any block the array form cannot score, column by column (which names what went wrong).
    blocks: dict[Any, list[int]] = {}
    for column, indicator in enumerate(indicators):
        chosen = chosen_scorers[indicator]
        if (
            chosen is not None
            and getattr(chosen, "columns", None) is not None
            and not np.isnan(values[:, column]).all()
        ):
            blocks.setdefault(_block_key(chosen), []).append(column)
    from_blocks: dict[int, FloatArray] = {}
    for block in blocks.values():
        chosen = chosen_scorers[indicators[block[0]]]
        scored = _apply_columns(chosen, values[:, block], [scales[c] for c in block], unit_ids)
        if scored is not None:
            from_blocks.update((column, scored[:, k]) for k, column in enumerate(block))
    for column, indicator in enumerate(indicators):
        if column in from_blocks:
            scores[:, column] = from_blocks[column]
        else:
            scores[:, column] = _apply(
                chosen_scorers[indicator], values[:, column], scales[column], unit_ids, indicator
            )
    return ScoreTable(
        framework=framework,
        units=unit_ids,
        indicators=indicators,
        scores=scores,
        values=values,
        levels=_Cells(unit_ids, indicators, level_grid),
        origins=_Cells(unit_ids, indicators, origin_grid),
        scorers={
            indicator: "none" if chosen is None else describe(chosen)
            for indicator, chosen in chosen_scorers.items()
        },
        triangulation=assessments,
    )


_NO_EVIDENCE = tuple(Status).index(Status.NO_EVIDENCE)


def _block_key(chosen: Any) -> Any:
    """Equal scorers score one block together; an unhashable scorer, by identity."""
    try:
        hash(chosen)
    except TypeError:
        return ("id", id(chosen))
    return chosen


def _apply_columns(
    chosen: Any, block: FloatArray, scales: Sequence[Scale], units: Sequence[str]
) -> FloatArray | None:
    """The array form's scores for a block of columns, or ``None`` when it fails or breaks the contract."""
    try:
        out = np.asarray(chosen.columns(block.copy(), scales, units=tuple(units)), dtype=np.float64)
    except (PolicyEvalError, ValueError, TypeError, ArithmeticError):
        return None
    if out.shape != block.shape or (np.isnan(block) != np.isnan(out)).any() or np.isinf(out).any():
        return None
    return out


def _read(
    scale: Scale, assessment: Assessment | None, datum: float | None
) -> tuple[str | None, float | None, str | None]:
    """The level, the value to score, and where it came from, for one unit and indicator."""
    has_evidence = assessment is not None and assessment.status is not Status.NO_EVIDENCE
    if datum is not None:
        if has_evidence:
            return None, None, "clash"
        if isinstance(scale, OrdinalScale):
            level = scale.level_for_score(datum)
            return level.id, datum, "data"
        banded = scale.level_for_value(datum)
        return (banded.id if banded else None), datum, "data"
    if assessment is None or not has_evidence:
        return None, None, None
    if isinstance(scale, OrdinalScale):
        if assessment.rating is None:
            return None, None, None
        return assessment.rating, scale.get(assessment.rating).score, "evidence"
    if assessment.value is None:
        return assessment.rating, None, None
    banded = scale.level_for_value(assessment.value)
    return (banded.id if banded else None), assessment.value, "evidence"


def _apply(
    chosen: Scorer | None,
    column: FloatArray,
    scale: Scale,
    units: Sequence[str],
    indicator: str,
) -> FloatArray:
    if chosen is None or np.isnan(column).all():
        return column.copy()
    try:
        result = chosen(column.copy(), scale, units=tuple(units))
    except PluginContractError:
        raise
    except (PolicyEvalError, ValueError, TypeError, ArithmeticError) as error:
        raise PluginContractError(
            f"scorer {chosen!r} failed for indicator={indicator!r}: {error}"
        ) from error
    try:
        out = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        out = np.empty(0)
    if out.shape != column.shape:
        raise PluginContractError(
            f"scorer {chosen!r} returned {result!r} for indicator={indicator!r}; expected "
            f"{column.shape[0]} numbers, one per unit"
        )
    broken = (np.isnan(column) != np.isnan(out)) | np.isinf(out)
    if broken.any():
        bad = [units[row] for row in np.flatnonzero(broken).tolist()]
        raise PluginContractError(
            f"scorer {chosen!r} broke its contract for indicator={indicator!r}, units {bad!r}: "
            "a score must be missing exactly where the value is, and finite otherwise"
        )
    return out
