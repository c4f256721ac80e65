"""Flatten and Unflatten: reshape one span of dims."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ... import _C
from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flattens dims start_dim..end_dim into one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dim into the sizes unflattened_size (one may be -1)."""

    def __init__(self, dim: int | str, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if isinstance(dim, str):
            raise TypeError("Unflatten: named dimensions are not supported")
        if not isinstance(unflattened_size, (tuple, list)) or not all(
            isinstance(s, int) for s in unflattened_size
        ):
            raise TypeError(
                "unflattened_size must be tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        dim = self.dim % input.dim() if input.dim() else 0
        known = 1
        for s in self.unflattened_size:
            known *= s if s != -1 else 1
        size = input.size(dim)
        if (-1 in self.unflattened_size and size % known) or (
            -1 not in self.unflattened_size and known != size
        ):
            raise RuntimeError(
                f"unflatten: Provided sizes {list(self.unflattened_size)} don't multiply up to "
                f"the size of dim {self.dim} ({size}) in the input tensor"
            )
        shape = tuple(input.shape[:dim]) + self.unflattened_size + tuple(input.shape[dim + 1 :])
        return input.reshape(shape)

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
