"""Argument helpers layers share (PyTorch's ``torch.nn.modules.utils``)."""

from __future__ import annotations

import collections.abc
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

__all__: list[str] = []


def _ntuple(n: int, name: str = "parse") -> Callable[[Any], tuple[Any, ...]]:
    """A parser that turns a scalar into an n-tuple and passes iterables through."""

    def parse(x: Any) -> tuple[Any, ...]:
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t: Iterable[Any], n: int) -> tuple[Any, ...]:
    """Each element of t repeated n times, in reverse order (F.pad's layout)."""
    return tuple(x for x in reversed(tuple(t)) for _ in range(n))


def _list_with_default(out_size: Iterable[int | None], defaults: list[int]) -> list[int]:
    """out_size with each None replaced by the matching trailing default."""
    sizes = list(out_size)
    tail = defaults[-len(sizes) :]
    return [d if v is None else v for v, d in zip(sizes, tail)]


def _empty(shape: tuple[int, ...], dtype: Any = None) -> Any:
    """An uninitialised tensor for a new parameter, in dtype or the default
    dtype (layers then fill it with their initialiser)."""
    from ... import _C

    return _C.empty(tuple(shape), dtype=dtype or _C.get_default_dtype())
