"""The numeric pipeline: prepare a units x indicators table for aggregation, step by step.

A :class:`NumericPipeline` is an ordered, frozen tuple of *steps*. A step is
any callable ``step(table) -> StepResult`` taking a
:class:`~policyeval.numeric_data.NumericTable` and returning the new table
with the :class:`~policyeval.numeric_data.Record` entries saying what it did.
The built-in steps wrap the plain functions of
:mod:`~policyeval.numeric_data`, :mod:`~policyeval.imputation`,
:mod:`~policyeval.treatment` and :mod:`~policyeval.normalisation`; swap any
of them, reorder them, or add your own. Every step writes at least one
record, even when it changed nothing, so no step is ever silently skipped.

COINr's default example pipeline is
``denominate -> impute -> screen -> treat -> normalise``:

>>> import numpy as np
>>> from policyeval.numeric_data import NumericTable
>>> table = NumericTable(
...     units=("A", "B", "C", "D"), indicators=("jobs", "waste"),
...     values=np.array([[1.0, 4.0], [2.0, np.nan], [3.0, 2.0], [4.0, 1.0]]),
... )
>>> pipeline = NumericPipeline((
...     impute_step("mean"),
...     treat_step(),
...     normalise_step(directions={"waste": -1}),
... ))
>>> result = pipeline(table)
>>> result.table.values
array([[  0.        ,   0.        ],
       [ 33.33333333,  55.55555556],
       [ 66.66666667,  66.66666667],
       [100.        , 100.        ]])
>>> print(result.provenance[0])
impute: waste: B: imputed (mean of all units)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np

from policyeval._frozen import FrozenDict
from policyeval.exceptions import InvalidArgument, PluginContractError
from policyeval.imputation import impute
from policyeval.normalisation import flip, for_direction, min_max
from policyeval.numeric_data import (
    NumericTable,
    Record,
    _check_min_share,
    denominate,
    screen_units,
)
from policyeval.treatment import Treated, coinr_default

__all__ = [
    "NumericPipeline",
    "PipelineResult",
    "StepResult",
    "coinr_default_pipeline",
    "denominate_step",
    "impute_step",
    "normalise_step",
    "screen_step",
    "treat_step",
]


@attrs.frozen
class StepResult:
    """What a step returns: the new table and its records."""

    table: NumericTable
    records: tuple[Record, ...]


Step = Callable[[NumericTable], StepResult]


@attrs.frozen
class PipelineResult:
    """The output of a pipeline run.

    ``table`` is the final table; ``provenance`` every record in step order;
    ``tables`` the table after each step, by step name, starting with
    ``("input", table)`` (COINr's data sets ``Raw``, ``Denominated``...).
    """

    table: NumericTable
    provenance: tuple[Record, ...]
    tables: tuple[tuple[str, NumericTable], ...]

    def table_after(self, step: str) -> NumericTable:
        """The table as the named step left it (the last, if a name repeats)."""
        for name, table in reversed(self.tables):
            if name == step:
                return table
        raise InvalidArgument(f"no step {step!r}; steps are {[name for name, _ in self.tables]!r}")


def _steps(steps: Sequence[Step]) -> tuple[Step, ...]:
    return tuple(steps)


@attrs.frozen
class NumericPipeline:
    """An ordered composition of steps; calling it runs them in order.

    The loop checks what each step returns and names the step that broke
    the contract. Runs are deterministic: the same table gives the same
    result, record for record.
    """

    steps: tuple[Step, ...] = attrs.field(converter=_steps)

    def __attrs_post_init__(self) -> None:
        for step in self.steps:
            if not callable(step):
                raise InvalidArgument(f"every step must be callable, got {step!r}")

    def __call__(self, table: NumericTable, /) -> PipelineResult:
        if not isinstance(table, NumericTable):
            raise InvalidArgument(f"a pipeline runs on a NumericTable, got {type(table).__name__}")
        provenance: list[Record] = []
        tables: list[tuple[str, NumericTable]] = [("input", table)]
        for step in self.steps:
            result = step(table)
            if not (
                isinstance(result, StepResult)
                and isinstance(result.table, NumericTable)
                and all(isinstance(r, Record) for r in result.records)
            ):
                raise PluginContractError(
                    f"step {step!r} must return a StepResult(table, records), got {result!r}"
                )
            if not result.records:
                raise PluginContractError(
                    f"step {step!r} returned no records; a step must say what it did"
                )
            table = result.table
            provenance.extend(result.records)
            tables.append((getattr(step, "name", repr(step)), table))
        return PipelineResult(table, tuple(provenance), tuple(tables))


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return FrozenDict(mapping)


@attrs.frozen(repr=False)
class _Denominate:
    denominators: Mapping[str, str] = attrs.field(converter=_frozen)
    scale: float | Mapping[str, float]
    name: str = attrs.field(default="denominate", init=False)

    def __call__(self, table: NumericTable, /) -> StepResult:
        result = denominate(table, self.denominators, scale=self.scale)
        records = result.records or (
            Record("denominate", "nothing to do", detail="no indicator has a denominator"),
        )
        return StepResult(result.table, records)

    def __repr__(self) -> str:
        return f"denominate_step({dict(self.denominators)!r}, scale={self.scale!r})"


@attrs.frozen(repr=False)
class _Impute:
    method: Literal["mean", "median"]
    group: str | None
    name: str = attrs.field(default="impute", init=False)

    def __call__(self, table: NumericTable, /) -> StepResult:
        groups = None
        if self.group is not None:
            if self.group not in table.groups:
                raise InvalidArgument(
                    f"no group column {self.group!r}; groups are {sorted(table.groups)!r}"
                )
            groups = table.groups[self.group]
        result = impute(
            table.values,
            method=self.method,
            groups=groups,
            units=table.units,
            indicators=table.indicators,
        )
        records = [
            Record(
                "impute",
                "imputed",
                indicator=table.indicators[cell.indicator],
                unit=table.units[cell.unit],
                detail=(
                    f"{self.method} of {self.group} {cell.group}"
                    if cell.group is not None
                    else f"{self.method} of all units"
                ),
                value=cell.value,
            )
            for cell in result.record
        ]
        if not records:
            records.append(Record("impute", "nothing to do", detail="no value is missing"))
        return StepResult(table.with_values(result.values), tuple(records))

    def __repr__(self) -> str:
        return f"impute_step({self.method!r}, group={self.group!r})"


@attrs.frozen(repr=False)
class _Screen:
    min_share: float
    name: str = attrs.field(default="screen", init=False)

    def __call__(self, table: NumericTable, /) -> StepResult:
        result = screen_units(table, min_share=self.min_share)
        summary = Record(
            "screen",
            "kept units",
            detail=f"{len(result.table.units)} of {len(table.units)} units have a data share "
            f">= {self.min_share:g}",
        )
        return StepResult(result.table, (*result.records, summary))

    def __repr__(self) -> str:
        return f"screen_step(min_share={self.min_share!r})"


Treatment = Callable[[Any], Treated]


def _treatments(value: Treatment | Mapping[str, Treatment]) -> Treatment | Mapping[str, Treatment]:
    return FrozenDict(value) if isinstance(value, Mapping) else value


@attrs.frozen(repr=False)
class _Treat:
    treatment: Treatment | Mapping[str, Treatment] = attrs.field(converter=_treatments)
    default: Treatment | None
    name: str = attrs.field(default="treat", init=False)

    def _for(self, indicator: str) -> Treatment | None:
        if isinstance(self.treatment, Mapping):
            return self.treatment.get(indicator, self.default)
        return self.treatment

    def __call__(self, table: NumericTable, /) -> StepResult:
        values = table.values.copy()
        records: list[Record] = []
        # One treatment for every column, with an array form: its first check runs for all at once.
        whole = getattr(self.treatment, "columns", None) if self.default is None else None
        treated_columns: tuple[Any, ...] | None = None
        if whole is not None and not isinstance(self.treatment, Mapping):
            try:
                treated_columns = tuple(whole(values))
            except InvalidArgument:
                treated_columns = None  # the column-by-column calls below name the indicator
            if treated_columns is not None and len(treated_columns) != len(table.indicators):
                treated_columns = None
        for j, indicator in enumerate(table.indicators):
            treatment = self._for(indicator)
            if treatment is None:
                records.append(Record("treat", "none", indicator=indicator, detail="no treatment"))
                continue
            try:
                if treated_columns is not None:
                    treated = treated_columns[j]
                else:
                    treated = treatment(values[:, j].copy())
            except InvalidArgument as error:
                raise InvalidArgument(f"indicator {indicator!r}: {error}") from None
            if not isinstance(treated, Treated) or np.shape(treated.values) != (len(table.units),):
                raise PluginContractError(
                    f"treatment {treatment!r} must return a Treated with one value per unit, "
                    f"got {treated!r} for indicator {indicator!r}"
                )
            values[:, j] = treated.values
            for step in treated.record:
                detail = str(step)
                if step.action == "winsorise" and step.points:
                    detail += f"; units {[table.units[i] for i in step.points]}"
                records.append(Record("treat", step.action, indicator=indicator, detail=detail))
        return StepResult(table.with_values(values), tuple(records))

    def __repr__(self) -> str:
        if isinstance(self.treatment, Mapping):
            return f"treat_step({dict(self.treatment)!r}, default={self.default!r})"
        return f"treat_step({self.treatment!r})"


Normaliser = Callable[..., Any]


def _normalisers(
    value: Normaliser | Mapping[str, Normaliser],
) -> Normaliser | Mapping[str, Normaliser]:
    return FrozenDict(value) if isinstance(value, Mapping) else value


@attrs.frozen(repr=False)
class _Normalise:
    normaliser: Normaliser | Mapping[str, Normaliser] = attrs.field(converter=_normalisers)
    directions: Mapping[str, int | str] = attrs.field(converter=_frozen)
    default: Normaliser
    name: str = attrs.field(default="normalise", init=False)

    def __call__(self, table: NumericTable, /) -> StepResult:
        unknown = sorted(set(self.directions) - set(table.indicators))
        if unknown:
            raise InvalidArgument(f"directions name unknown indicators {unknown!r}")
        values = np.empty_like(table.values)
        records: list[Record] = []
        for j, indicator in enumerate(table.indicators):
            if isinstance(self.normaliser, Mapping):
                normaliser = self.normaliser.get(indicator, self.default)
            else:
                normaliser = self.normaliser
            direction = self.directions.get(indicator, 1)
            normaliser = for_direction(normaliser, direction)
            try:
                column = flip(table.values[:, j], direction)
                normalised = np.asarray(normaliser(column, units=table.units), dtype=np.float64)
            except InvalidArgument as error:
                raise InvalidArgument(f"indicator {indicator!r}: {error}") from None
            if (
                normalised.shape != column.shape
                or not np.array_equal(np.isnan(normalised), np.isnan(column))
                or not np.isfinite(normalised[~np.isnan(column)]).all()
            ):
                raise PluginContractError(
                    f"normaliser {normaliser!r} must return one finite value per present value and "
                    f"nan where the input is missing; it did not for indicator {indicator!r}"
                )
            values[:, j] = normalised
            flipped = " after flipping the direction" if flip([1.0], direction)[0] < 0 else ""
            records.append(
                Record(
                    "normalise",
                    "normalised",
                    indicator=indicator,
                    detail=f"{normaliser!r}{flipped}",
                )
            )
            for i in np.flatnonzero(np.isnan(column)):
                records.append(
                    Record(
                        "normalise",
                        "missing value kept",
                        indicator=indicator,
                        unit=table.units[i],
                        detail="no value to normalise",
                    )
                )
        return StepResult(table.with_values(values), tuple(records))

    def __repr__(self) -> str:
        if isinstance(self.normaliser, Mapping):
            normaliser = f"{dict(self.normaliser)!r}, default={self.default!r}"
        else:
            normaliser = repr(self.normaliser)
        return f"normalise_step({normaliser}, directions={dict(self.directions)!r})"


def denominate_step(
    denominators: Mapping[str, str], *, scale: float | Mapping[str, float] = 1.0
) -> _Denominate:
    """The step form of :func:`~policyeval.numeric_data.denominate`.

    >>> denominate_step({"Flights": "Population"})
    denominate_step({'Flights': 'Population'}, scale=1.0)
    """
    return _Denominate(denominators, scale)


def impute_step(method: Literal["mean", "median"] = "mean", *, group: str | None = None) -> _Impute:
    """The step form of :func:`~policyeval.imputation.impute`; ``group`` names a groups column.

    >>> impute_step("mean", group="EurAsia_group")
    impute_step('mean', group='EurAsia_group')
    """
    if method not in ("mean", "median"):
        raise InvalidArgument(f"method must be 'mean' or 'median', got method={method!r}")
    return _Impute(method, group)


def screen_step(*, min_share: float = 0.9) -> _Screen:
    """The step form of :func:`~policyeval.numeric_data.screen_units`.

    The threshold is checked here, so a bad one is refused before any table
    is read.

    >>> screen_step(min_share=0.9)
    screen_step(min_share=0.9)
    """
    _check_min_share(min_share)
    return _Screen(min_share)


def treat_step(
    treatment: Treatment | Mapping[str, Treatment] | None = None,
    *,
    default: Treatment | None = None,
) -> _Treat:
    """Treat every indicator with ``treatment`` (default: COINr's), or one per indicator.

    With a mapping, indicators not in it get ``default`` (``None``: untreated,
    recorded as such).

    >>> treat_step()
    treat_step(coinr_default(winmax=5, skew_threshold=2.0, kurtosis_threshold=3.5))
    """
    return _Treat(coinr_default() if treatment is None else treatment, default)


def normalise_step(
    normaliser: Normaliser | Mapping[str, Normaliser] | None = None,
    *,
    directions: Mapping[str, int | str] | None = None,
    default: Normaliser | None = None,
) -> _Normalise:
    """Flip each indicator by its direction, then normalise it (default: min-max 0..100).

    ``directions`` maps indicators to ``1``/``"higher"`` or ``-1``/``"lower"``
    (unlisted: higher is better). Goalposts and targets are given in the
    indicator's own units and flipped with it
    (:func:`~policyeval.normalisation.for_direction`). ``normaliser`` may map indicators to their
    own normaliser, the others getting ``default`` (min-max 0..100). Errors
    name the indicator.

    >>> normalise_step(directions={"CO2": -1})
    normalise_step(min_max(low=0.0, high=100.0), directions={'CO2': -1})
    """
    fallback = min_max() if default is None else default
    for direction in (directions or {}).values():
        flip([0.0], direction)  # validates it, naming the bad direction
    return _Normalise(fallback if normaliser is None else normaliser, directions or {}, fallback)


def coinr_default_pipeline(
    *,
    denominators: Mapping[str, str],
    directions: Mapping[str, int | str],
    group: str | None,
    min_share: float = 0.9,
    winmax: int = 5,
) -> NumericPipeline:
    """COINr's ``build_example_coin()`` data steps, in its order.

    Denominate (scale 1) -> impute by the mean of the unit's ``group`` ->
    screen units with a data share below ``min_share`` (after imputation, as
    COINr does) -> COINr's default treatment -> flip and min-max to 0..100.

    >>> pipeline = coinr_default_pipeline(denominators={}, directions={}, group=None)
    >>> [step.name for step in pipeline.steps]
    ['denominate', 'impute', 'screen', 'treat', 'normalise']
    """
    return NumericPipeline(
        (
            denominate_step(denominators),
            impute_step("mean", group=group),
            screen_step(min_share=min_share),
            treat_step(coinr_default(winmax=winmax)),
            normalise_step(min_max(0, 100), directions=directions),
        )
    )
