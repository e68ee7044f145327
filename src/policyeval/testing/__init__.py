"""The conformance kit: check that an aggregator, a rule or a scorer keeps its contract.

Run :func:`check_aggregator` on an aggregator, :func:`check_rule` on a
triangulation rule and :func:`check_scorer` on a scorer; each tries every
law of its contract on generated examples and raises :class:`AssertionError`
naming each broken law with its smallest falsifying example.
:func:`aggregator_checks`, :func:`rule_checks` and :func:`scorer_checks`
give one check per law for a parametrised test.
:func:`check_cross_unit_aggregator` checks aggregators that score units
against each other (Copeland's method) by their own laws.
:mod:`policyeval.testing.strategies` holds the hypothesis strategies the
checks use. The kit needs hypothesis (the ``test`` extra).

>>> def weighted_mean(values, weights):
...     return sum(v * w for v, w in zip(values, weights)) / sum(weights)
>>> check_aggregator(weighted_mean, max_examples=20)
>>> "monotonicity" in AGGREGATOR_LAWS
True
"""

from policyeval.testing import strategies
from policyeval.testing._cross_unit_checks import (
    CROSS_UNIT_LAWS,
    check_cross_unit_aggregator,
    cross_unit_aggregator_checks,
)
from policyeval.testing._scorer_checks import (
    LOWER_IS_BETTER_SCALE,
    SCORER_LAWS,
    check_scorer,
    scorer_checks,
)
from policyeval.testing.checks import (
    AGGREGATOR_LAWS,
    LAW_STATEMENTS,
    RULE_LAWS,
    aggregator_checks,
    check_aggregator,
    check_rule,
    rule_checks,
)

__all__ = [
    "AGGREGATOR_LAWS",
    "CROSS_UNIT_LAWS",
    "LAW_STATEMENTS",
    "LOWER_IS_BETTER_SCALE",
    "RULE_LAWS",
    "SCORER_LAWS",
    "aggregator_checks",
    "check_aggregator",
    "check_cross_unit_aggregator",
    "check_rule",
    "check_scorer",
    "cross_unit_aggregator_checks",
    "rule_checks",
    "scorer_checks",
    "strategies",
]
