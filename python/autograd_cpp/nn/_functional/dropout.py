"""Channel-wise (feature) dropout and alpha dropout."""

from __future__ import annotations

import math
import warnings

from ... import _C
from ...autograd.grad_mode import no_grad

__all__ = ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

# SELU's scale * alpha: the value alpha dropout sets dropped units to (before
# the affine correction), so that SELU activations keep mean 0 and variance 1.
_ALPHA = 1.7580993408473766


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input: _C.Tensor, p: float, feature: bool) -> _C.Tensor:
    """1 with probability 1 - p, else 0: one draw per (sample, channel) when
    feature, else per element."""
    shape = tuple(input.shape)
    if feature:
        shape = shape[:2] + (1,) * (len(shape) - 2)
    with no_grad():
        return (_C.rand(shape, dtype=input.dtype) < 1 - p).to(input.dtype)


def _dropout(
    input: _C.Tensor, p: float, training: bool, inplace: bool, feature: bool, alpha: bool
) -> _C.Tensor:
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = _C.zeros((), dtype=input.dtype)
        return input.mul_(zero) if inplace else input * zero
    keep = _keep_mask(input, p, feature)
    if not alpha:
        scale = keep / (1 - p)
        return input.mul_(scale) if inplace else input * scale
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
    factor = keep * a
    if inplace:
        return input.mul_(factor).add_(shift)
    return input * factor + shift


def dropout1d(
    input: _C.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> _C.Tensor:
    """Zeroes whole channels of an (N, C, L) or (C, L) input with probability p."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    if input.dim() == 2:
        return _dropout(input.unsqueeze(0), p, training, inplace, True, False).squeeze(0)
    return _dropout(input, p, training, inplace, True, False)


def _feature_warn(name: str, dim: int, expected: tuple[int, int], spatial: int) -> None:
    if dim not in expected:
        warnings.warn(
            f"{name}: Received a {dim}-D input to {name}, which is deprecated and will result "
            "in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that "
            f"{name} exists to provide channel-wise dropout on inputs with {spatial} spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. "
            f"{expected[0]}D or {expected[1]}D inputs).",
            stacklevel=3,
        )


def dropout2d(
    input: _C.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> _C.Tensor:
    """Zeroes whole channels of an (N, C, H, W) input with probability p."""
    _check_p(p)
    _feature_warn("dropout2d", input.dim(), (3, 4), 2)
    if input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _dropout(input, p, training, inplace, True, False)


def dropout3d(
    input: _C.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> _C.Tensor:
    """Zeroes whole channels of an (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    _check_p(p)
    _feature_warn("dropout3d", input.dim(), (4, 5), 3)
    if input.dim() == 4:
        return _dropout(input.unsqueeze(0), p, training, inplace, True, False).squeeze(0)
    return _dropout(input, p, training, inplace, True, False)


def alpha_dropout(
    input: _C.Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> _C.Tensor:
    """Dropout that keeps the mean and variance of SELU activations."""
    _check_p(p)
    return _dropout(input, p, training, inplace, False, True)


def feature_alpha_dropout(
    input: _C.Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> _C.Tensor:
    """Alpha dropout of whole channels."""
    _check_p(p)
    return _dropout(input, p, training, inplace, True, True)
