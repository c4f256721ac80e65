"""ChannelShuffle: interleaves the channels of groups (ShuffleNet)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import _C
from .. import functional as F
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """(N, g * k, *) viewed as (N, g, k, *), transposed to (N, k, g, *)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.channel_shuffle(input, self.groups)

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
