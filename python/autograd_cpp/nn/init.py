"""In-place initialisers for parameters (nn.init), with PyTorch's formulas."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..autograd.grad_mode import no_grad

if TYPE_CHECKING:
    from .. import _C
    from .._generator import Generator

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "trunc_normal_", "orthogonal_", "sparse_", "dirac_", "uniform", "normal", "constant",
    "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal",
    "sparse", "dirac",
]  # fmt: skip


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended std gain for a nonlinearity."""
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")  # fmt: skip
    if nonlinearity in linear:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: _C.Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: _C.Tensor, mode: str) -> int:
    mode = mode.lower()
    valid = ["fan_in", "fan_out"]
    if mode not in valid:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(
    tensor: _C.Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None
) -> _C.Tensor:
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(
    tensor: _C.Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> _C.Tensor:
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor: _C.Tensor, val: float) -> _C.Tensor:
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: _C.Tensor) -> _C.Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: _C.Tensor) -> _C.Tensor:
    return constant_(tensor, 1.0)


def eye_(tensor: _C.Tensor) -> _C.Tensor:
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from .. import eye

    with no_grad():
        return tensor.copy_(eye(*tensor.shape, dtype=tensor.dtype))


def xavier_uniform_(
    tensor: _C.Tensor, gain: float = 1.0, generator: Generator | None = None
) -> _C.Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(
    tensor: _C.Tensor, gain: float = 1.0, generator: Generator | None = None
) -> _C.Tensor:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: _C.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> _C.Tensor:
    if 0 in tensor.shape:
        return tensor
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(_fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: _C.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> _C.Tensor:
    if 0 in tensor.shape:
        return tensor
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0.0, gain / math.sqrt(_fan(tensor, mode)), generator)


def trunc_normal_(
    tensor: _C.Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> _C.Tensor:
    """Fills tensor from N(mean, std^2) truncated to [a, b] (a and b are
    values, not numbers of standard deviations): uniform draws mapped through
    the normal's inverse CDF."""
    from .. import _C as C

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of "
            "values may be incorrect.",
            stacklevel=2,
        )

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    low, high = cdf((a - mean) / std), cdf((b - mean) / std)
    with no_grad():
        u = C.empty(tuple(tensor.shape), dtype=C.float64).uniform_(2 * low - 1, 2 * high - 1)
        u = C.clamp(u, -1 + 1e-16, 1 - 1e-16)
        values = C.erfinv(u) * (std * math.sqrt(2.0)) + mean
        return tensor.copy_(C.clamp(values, a, b).to(tensor.dtype))


def orthogonal_(
    tensor: _C.Tensor, gain: float = 1, generator: Generator | None = None
) -> _C.Tensor:
    """Fills tensor (viewed as rows x rest) with a (semi-)orthogonal matrix
    drawn uniformly (QR of a Gaussian matrix, signs fixed by R's diagonal),
    times gain."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    import numpy as np

    from .. import _C as C

    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with no_grad():
        gaussian = C.empty((rows, cols), dtype=C.float64).normal_(0.0, 1.0).numpy()
        flat = gaussian.T if rows < cols else gaussian
        q, r = np.linalg.qr(flat)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        values = C.tensor(np.ascontiguousarray(q) * gain, dtype=tensor.dtype)
        return tensor.copy_(values.reshape(tuple(tensor.shape)))


def sparse_(
    tensor: _C.Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None
) -> _C.Tensor:
    """Fills a 2-D tensor from N(0, std^2), then zeroes ceil(sparsity * rows)
    randomly chosen entries of each column."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from .. import _C as C

    rows, cols = tensor.shape
    zeros = int(math.ceil(sparsity * rows))
    with no_grad():
        tensor.normal_(0, std)
        for col in range(cols):
            keys = C.rand(rows).tolist()
            order = sorted(range(rows), key=keys.__getitem__)
            for row in order[:zeros]:
                tensor[row, col] = 0
    return tensor


def dirac_(tensor: _C.Tensor, groups: int = 1) -> _C.Tensor:
    """Fills a 3-, 4- or 5-d convolution weight with the identity: each of
    the first channels of every group passes its input channel's centre
    through unchanged."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    centre = tuple(s // 2 for s in sizes[2:])
    with no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(per_group, sizes[1])):
                tensor[(g * per_group + d, d) + centre] = 1
    return tensor


def _deprecated(new: Callable[..., _C.Tensor], old: str) -> Callable[..., _C.Tensor]:
    """The old name of an initialiser: warns, then calls the new one."""

    def call(*args: Any, **kwargs: Any) -> _C.Tensor:
        warnings.warn(
            f"`nn.init.{old}` is now deprecated in favor of `nn.init.{new.__name__}`.",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    call.__name__ = old
    call.__doc__ = f"{new.__name__} under its deprecated name."
    return call


uniform = _deprecated(uniform_, "uniform")
normal = _deprecated(normal_, "normal")
constant = _deprecated(constant_, "constant")
xavier_uniform = _deprecated(xavier_uniform_, "xavier_uniform")
xavier_normal = _deprecated(xavier_normal_, "xavier_normal")
kaiming_uniform = _deprecated(kaiming_uniform_, "kaiming_uniform")
kaiming_normal = _deprecated(kaiming_normal_, "kaiming_normal")
orthogonal = _deprecated(orthogonal_, "orthogonal")
sparse = _deprecated(sparse_, "sparse")
dirac = _deprecated(dirac_, "dirac")
