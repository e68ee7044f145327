"""Read-only containers, so that "frozen" means immutable all the way down.

:class:`FrozenDict` is a :class:`dict` whose contents cannot change: every
mutating method raises :class:`TypeError`. Being a dict, it serialises to
JSON and TOML as one, compares equal to a dict with the same items, and
shows as one in reprs; it pickles and copies. :func:`freeze` converts nested
dicts and lists (to tuples) on the way in.

>>> labels = FrozenDict({"en": "Good"})
>>> labels["en"] = "Bad"
Traceback (most recent call last):
...
TypeError: this mapping is read-only; copy it with dict(...) to change it
>>> labels == {"en": "Good"}, labels
(True, {'en': 'Good'})
>>> freeze({"rules": [{"when": [1, 2]}]})
{'rules': ({'when': (1, 2)},)}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenDict", "freeze", "frozen_dict"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class FrozenDict(dict[_K, _V]):
    """A dict that refuses every change after it is built."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("this mapping is read-only; copy it with dict(...) to change it")

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        # dict's default reduction refills the new object item by item, which would be refused.
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict[_K, _V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[_K, _V]:
        import copy

        return type(self)({copy.deepcopy(k, memo): copy.deepcopy(v, memo) for k, v in self.items()})


def frozen_dict(value: Mapping[Any, Any]) -> dict[Any, Any]:
    """A read-only copy of ``value`` (one level deep), typed for attrs converters."""
    return FrozenDict(value)


def freeze(value: Any) -> Any:
    """``value`` with every dict made a :class:`FrozenDict` and every list a tuple, recursively."""
    if isinstance(value, dict):
        return FrozenDict({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value
