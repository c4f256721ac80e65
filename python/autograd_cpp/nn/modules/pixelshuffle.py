"""PixelShuffle and PixelUnshuffle: trade channels for resolution and back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import _C
from .. import functional as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
