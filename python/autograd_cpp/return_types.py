"""Named results of ops that return several tensors (``x.max(dim)``)."""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

__all__ = [
    "cummax",
    "cummin",
    "kthvalue",
    "max",
    "median",
    "min",
    "mode",
    "nanmedian",
    "sort",
    "topk",
]


def _make(name: str, fields: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A tuple subclass with named fields that prints like PyTorch's."""

    def __new__(cls: type[tuple[Any, ...]], *values: Any) -> tuple[Any, ...]:
        return tuple.__new__(cls, values)

    def __repr__(self: tuple[Any, ...]) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    attrs: dict[str, Any] = {
        "__new__": __new__,
        "__repr__": __repr__,
        "__slots__": (),
        "_fields": fields,
    }
    for i, f in enumerate(fields):
        attrs[f] = property(operator.itemgetter(i))
    return type(name, (tuple,), attrs)


if TYPE_CHECKING:
    # What type checkers see: named tuples of two tensors (the classes
    # below are built at run time, so they print as PyTorch's).
    from typing import NamedTuple

    from ._C import Tensor

    class _ValuesIndices(NamedTuple):
        values: Tensor
        indices: Tensor

    max = _ValuesIndices  # noqa: A001
    min = _ValuesIndices  # noqa: A001
    sort = _ValuesIndices
    topk = _ValuesIndices
    kthvalue = _ValuesIndices
    median = _ValuesIndices
    nanmedian = _ValuesIndices
    mode = _ValuesIndices
    cummax = _ValuesIndices
    cummin = _ValuesIndices
else:
    max = _make("max", ("values", "indices"))  # noqa: A001
    min = _make("min", ("values", "indices"))  # noqa: A001
    sort = _make("sort", ("values", "indices"))
    topk = _make("topk", ("values", "indices"))
    kthvalue = _make("kthvalue", ("values", "indices"))
    median = _make("median", ("values", "indices"))
    nanmedian = _make("nanmedian", ("values", "indices"))
    mode = _make("mode", ("values", "indices"))
    cummax = _make("cummax", ("values", "indices"))
    cummin = _make("cummin", ("values", "indices"))
