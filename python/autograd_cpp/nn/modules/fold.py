"""Fold and Unfold: sliding blocks to columns (im2col) and back (col2im)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from ... import _C
from .. import functional as F
from .module import Module

__all__ = ["Fold", "Unfold"]

_Size: TypeAlias = "int | tuple[int, ...] | list[int]"


class Fold(Module):
    """Sums columns of sliding blocks back into an (N, C, H, W) tensor."""

    def __init__(
        self,
        output_size: _Size,
        kernel_size: _Size,
        dilation: _Size = 1,
        padding: _Size = 0,
        stride: _Size = 1,
    ) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )


class Unfold(Module):
    """Extracts sliding local blocks of an (N, C, H, W) input as columns."""

    def __init__(
        self, kernel_size: _Size, dilation: _Size = 1, padding: _Size = 0, stride: _Size = 1
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )
