"""PairwiseDistance and CosineSimilarity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import _C
from .. import functional as F
from .module import Module

__all__ = ["PairwiseDistance", "CosineSimilarity"]


class PairwiseDistance(Module):
    """The p-norm of x1 - x2 + eps along the last dim."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: _C.Tensor, x2: _C.Tensor) -> _C.Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)

    if TYPE_CHECKING:
        __call__ = forward


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along dim."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: _C.Tensor, x2: _C.Tensor) -> _C.Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)

    if TYPE_CHECKING:
        __call__ = forward
