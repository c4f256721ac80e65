"""Conversions between probabilities and logits shared by the discrete
distributions."""

from __future__ import annotations

from .. import _C
from .._functions import finfo


def clamp_probs(probs: _C.Tensor) -> _C.Tensor:
    """probs kept inside (eps, 1 - eps), so their logarithms are finite."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: _C.Tensor, is_binary: bool = False) -> _C.Tensor:
    """log(p) for categories; log(p) - log(1 - p) for a binary event."""
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


def logits_to_probs(logits: _C.Tensor, is_binary: bool = False) -> _C.Tensor:
    """sigmoid for a binary event, softmax over the last dimension otherwise."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)
