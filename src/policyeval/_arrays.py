"""Small helpers the score and aggregate stages share for their read-only tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from policyeval._frozen import FrozenDict

FloatArray = npt.NDArray[np.float64]


def frozen_mapping(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """A read-only copy of ``value``."""
    return FrozenDict(value)


def read_only(value: Any) -> FloatArray:
    """A float64 copy of ``value`` that refuses writes."""
    array = np.array(value, dtype=np.float64, copy=True)
    array.flags.writeable = False
    return array


def arrays_equal(a: FloatArray, b: FloatArray) -> bool:
    """Equal shapes and values, ``nan`` equal to ``nan``."""
    return bool(a.shape == b.shape and np.array_equal(a, b, equal_nan=True))
