"""Dropout layers: elementwise, channel-wise and alpha dropout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import _C
from .. import functional as F
from .module import Module

__all__ = [
    "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout",
]  # fmt: skip


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes elements with probability p while training and scales the rest by 1 / (1 - p)."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    if TYPE_CHECKING:
        __call__ = forward


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of (N, C, L) inputs with probability p while training."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)

    if TYPE_CHECKING:
        __call__ = forward


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of (N, C, H, W) inputs with probability p while training."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)

    if TYPE_CHECKING:
        __call__ = forward


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of (N, C, D, H, W) inputs with probability p while training."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)

    if TYPE_CHECKING:
        __call__ = forward


class AlphaDropout(_DropoutNd):
    """Dropout that keeps the zero mean and unit variance of SELU activations."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.alpha_dropout(input, self.p, self.training)

    if TYPE_CHECKING:
        __call__ = forward


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training)

    if TYPE_CHECKING:
        __call__ = forward
