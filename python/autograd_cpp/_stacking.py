"""Stacking and broadcasting functions that PyTorch itself composes from
views and ``cat``: ``atleast_1d/2d/3d``, ``hstack``, ``vstack``/``row_stack``,
``dstack``, ``column_stack``, ``broadcast_shapes``, ``broadcast_tensors``,
``broadcast_to`` and ``meshgrid``. Gradients and ``grad_fn`` names come from
the views and ``cat`` they are made of, as in PyTorch."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from . import _C
from ._tensor import Size

__all__ = [
    "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
    "broadcast_to", "column_stack", "dstack", "hstack", "meshgrid", "row_stack", "vstack",
]  # fmt: skip


def _tensor_args(args: tuple[Any, ...]) -> tuple[list[_C.Tensor], bool]:
    """The tensors of f(t), f(t1, t2, ...) or f([t1, t2]); and whether one
    bare tensor was given (then one tensor is returned, else a tuple)."""
    if len(args) == 1 and isinstance(args[0], _C.Tensor):
        return [args[0]], True
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        return list(args[0]), False
    return list(args), False


def _atleast(args: tuple[Any, ...], fix: Any) -> Any:
    tensors, single = _tensor_args(args)
    out = tuple(fix(t) for t in tensors)
    return out[0] if single else out


def _to_1d(t: _C.Tensor) -> _C.Tensor:
    return t.reshape(1) if t.dim() == 0 else t


def _to_2d(t: _C.Tensor) -> _C.Tensor:
    if t.dim() == 0:
        return t.reshape(1, 1)
    return t.unsqueeze(0) if t.dim() == 1 else t


def _to_3d(t: _C.Tensor) -> _C.Tensor:
    if t.dim() == 0:
        return t.reshape(1, 1, 1)
    if t.dim() == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if t.dim() == 2 else t


def atleast_1d(*tensors: Any) -> Any:
    """Each input viewed with at least one dimension (a scalar becomes shape (1,))."""
    return _atleast(tensors, _to_1d)


def atleast_2d(*tensors: Any) -> Any:
    """Each input viewed with at least two dimensions (a vector becomes a row)."""
    return _atleast(tensors, _to_2d)


def atleast_3d(*tensors: Any) -> Any:
    """Each input viewed with at least three dimensions (a matrix gains a last one)."""
    return _atleast(tensors, _to_3d)


def _nonempty(name: str, tensors: Sequence[_C.Tensor]) -> list[_C.Tensor]:
    if len(tensors) == 0:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return list(tensors)


def hstack(tensors: Sequence[_C.Tensor]) -> _C.Tensor:
    """Columns side by side: cat along dim 1, or dim 0 for vectors."""
    parts = [_to_1d(t) for t in _nonempty("hstack", tensors)]
    return _C.cat(parts, 0 if parts[0].dim() == 1 else 1)


def vstack(tensors: Sequence[_C.Tensor]) -> _C.Tensor:
    """Rows one under another: cat along dim 0 of the inputs as matrices."""
    parts = [_to_2d(t) for t in _nonempty("vstack", tensors)]
    return _C.cat(parts, 0)


row_stack = vstack


def dstack(tensors: Sequence[_C.Tensor]) -> _C.Tensor:
    """Depth-wise: cat along dim 2 of the inputs with at least three dimensions."""
    parts = [_to_3d(t) for t in _nonempty("dstack", tensors)]
    return _C.cat(parts, 2)


def column_stack(tensors: Sequence[_C.Tensor]) -> _C.Tensor:
    """Scalars and vectors as columns, matrices as they are, side by side."""
    parts = [
        t.reshape(t.numel(), 1) if t.dim() <= 1 else t for t in _nonempty("column_stack", tensors)
    ]
    return _C.cat(parts, 1)


def broadcast_shapes(*shapes: int | Sequence[int]) -> Size:
    """The shape all the given shapes broadcast to (RuntimeError if none)."""
    sizes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    ndim = max((len(s) for s in sizes), default=0)
    result = [1] * ndim
    for shape in sizes:
        for i, n in enumerate(shape, ndim - len(shape)):
            if n < 0:
                raise RuntimeError(
                    f"Trying to create tensor with negative dimension {n}: {list(shape)}"
                )
            if result[i] == 1 or n == result[i]:
                result[i] = n
            elif n != 1:
                raise RuntimeError(
                    f"Shape mismatch: objects cannot be broadcast to a single shape.  "
                    f"Mismatch is between {result[i]} and {n} at dimension {i}"
                )
    return Size(result)


def broadcast_tensors(*tensors: _C.Tensor) -> tuple[_C.Tensor, ...]:
    """Each input expanded (a view) to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = _broadcast_for(tensors)
    return tuple(t.expand(tuple(shape)) for t in tensors)  # () for 0-d inputs


def _broadcast_for(tensors: Sequence[_C.Tensor]) -> Size:
    try:
        return broadcast_shapes(*(tuple(t.shape) for t in tensors))
    except RuntimeError:
        shapes = ", ".join(str(list(t.shape)) for t in tensors)
        raise RuntimeError(
            f"The size of tensors do not match and cannot be broadcast together: {shapes}"
        ) from None


def broadcast_to(input: _C.Tensor, size: Sequence[int]) -> _C.Tensor:
    """input expanded (a view) to ``size``; -1 keeps a dimension."""
    return input.expand(tuple(size))


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[_C.Tensor, ...]:
    """Coordinate grids from 1-D (or scalar) tensors, as expanded views:
    ``indexing="ij"`` (matrix, the default with a warning) or ``"xy"``
    (Cartesian: the first two dimensions swapped)."""
    inputs, _ = _tensor_args(tensors)
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    if len(inputs) == 0:
        raise RuntimeError("torch.meshgrid expects a non-empty TensorList")
    for t in inputs:
        if t.dim() > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}"
            )
    dtype = inputs[0].dtype
    for t in inputs[1:]:
        if t.dtype != dtype:
            raise RuntimeError(
                "torch.meshgrid: Expected all tensors in the tensor list to have the same dtype."
            )
    swap = indexing == "xy" and len(inputs) >= 2
    order = [1, 0, *range(2, len(inputs))] if swap else list(range(len(inputs)))
    shape = [inputs[i].numel() for i in order]
    grids = []
    for pos, i in enumerate(order):
        view = [1] * len(inputs)
        view[pos] = -1
        grids.append((pos, inputs[i].reshape(*view).expand(*shape)))
    by_input = {order[pos]: g for pos, g in grids}
    return tuple(by_input[i] for i in range(len(inputs)))


# Attached to the C++ class; _C.pyi declares the method.
for _name, _member in (("broadcast_to", broadcast_to),):
    setattr(_C.Tensor, _name, _member)
del _name, _member
