"""3-d convolution and pooling over (N, C, D, H, W) inputs, composed from
the 2-d kernels: a 3-d convolution sums one 2-d convolution per kernel
depth; max and average pooling are separable (a 2-d pool over each depth
slice, then a 1-d pool along depth); adaptive pooling is separable too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import _C
from ..._C import _nn
from ._utils import _require_floating, _scalar_type_name
from .pooling import (
    _adaptive_max,
    _adaptive_sizes,
    _average_windows,
    _empty_pool,
    _unpool,
    max_pool1d_with_indices,
)
from .vision import conv_transpose2d

__all__ = [
    "conv3d", "conv_transpose3d", "max_pool3d", "max_pool3d_with_indices", "avg_pool3d",
    "adaptive_avg_pool3d", "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices",
    "lp_pool3d", "max_unpool3d",
]  # fmt: skip

_Size3 = int | Sequence[int]


def _triple(v: _Size3) -> tuple[int, int, int]:
    if isinstance(v, int):
        return (v, v, v)
    values = tuple(int(x) for x in v)
    if len(values) == 1:
        return (values[0], values[0], values[0])
    return (values[0], values[1], values[2])


def _batched(input: _C.Tensor, name: str) -> tuple[_C.Tensor, bool]:
    if input.dim() not in (4, 5):
        raise RuntimeError(
            f"Expected 4D (unbatched) or 5D (batched) input to {name}, but got input of size: "
            f"{list(input.shape)}"
        )
    return (input, True) if input.dim() == 5 else (input.unsqueeze(0), False)


def conv3d(
    input: _C.Tensor,
    weight: _C.Tensor,
    bias: _C.Tensor | None = None,
    stride: _Size3 = 1,
    padding: str | _Size3 = 0,
    dilation: _Size3 = 1,
    groups: int = 1,
) -> _C.Tensor:
    """3-d convolution of an (N, C_in, D, H, W) or (C_in, D, H, W) input
    with a (C_out, C_in / groups, kD, kH, kW) weight."""
    x, batched = _batched(input, "conv3d")
    if weight.dim() != 5:
        raise RuntimeError(
            f"Expected 5-dimensional weight for 5-dimensional input {list(x.shape)}, but got "
            f"{weight.dim()}-dimensional weight of size {list(weight.shape)} instead"
        )
    if x.size(1) != weight.size(1) * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.size(1) * groups} channels, but got {x.size(1)} "
            "channels instead"
        )
    s, d = _triple(stride), _triple(dilation)
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(
                f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
            )
        if padding == "same":
            if any(v != 1 for v in s):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads: list[int] = []
            for k, dil in zip(reversed(kernel), reversed(d)):
                total = dil * (k - 1)
                pads += [total // 2, total - total // 2]
            x = _C.constant_pad_nd(x, pads, 0.0)
        p = (0, 0, 0)
    else:
        p = _triple(padding)
    if p[0]:
        x = _C.constant_pad_nd(x, (0, 0, 0, 0, p[0], p[0]), 0.0)
    n, c, depth, height, width = x.shape
    kd = kernel[0]
    out_depth = (depth - d[0] * (kd - 1) - 1) // s[0] + 1
    if out_depth <= 0:
        raise RuntimeError(
            "Calculated padded input size per channel: "
            f"({depth} x {height} x {width}). Kernel size: ({' x '.join(map(str, kernel))}). "
            "Kernel size can't be greater than actual input size"
        )
    out: _C.Tensor | None = None
    for k in range(kd):
        # The depth slices kernel slice k meets: k * d, k * d + s, ...
        sl = x.narrow(2, k * d[0], (out_depth - 1) * s[0] + 1)
        if s[0] > 1:
            sl = sl[:, :, :: s[0]]
        planes = sl.transpose(1, 2).reshape(n * out_depth, c, height, width)
        term = _C.conv2d(planes, weight.select(2, k), None, s[1:], p[1:], d[1:], groups)
        out = term if out is None else out + term
    assert out is not None
    result = out.reshape((n, out_depth) + tuple(out.shape[1:])).transpose(1, 2)
    if bias is not None:
        result = result + bias.reshape(-1, 1, 1, 1)
    return result if batched else result.squeeze(0)


def conv_transpose3d(
    input: _C.Tensor,
    weight: _C.Tensor,
    bias: _C.Tensor | None = None,
    stride: _Size3 = 1,
    padding: _Size3 = 0,
    output_padding: _Size3 = 0,
    groups: int = 1,
    dilation: _Size3 = 1,
) -> _C.Tensor:
    """3-d transposed convolution of an (N, C_in, D, H, W) or (C_in, D, H, W)
    input with a (C_in, C_out / groups, kD, kH, kW) weight: one 2-d transposed
    convolution per kernel depth, placed at depth i * stride + k * dilation."""
    x, batched = _batched(input, "conv_transpose3d")
    if bias is not None and bias.dtype != input.dtype:
        # Unlike the 2-d one, PyTorch's 3-d kernel requires the input's dtype.
        raise RuntimeError(
            f"expected scalar type {_scalar_type_name(input)} but found {_scalar_type_name(bias)}"
        )
    s, p, op, d = _triple(stride), _triple(padding), _triple(output_padding), _triple(dilation)
    n, c, depth, height, width = x.shape
    kd = weight.size(2)
    out_depth = (depth - 1) * s[0] - 2 * p[0] + d[0] * (kd - 1) + op[0] + 1
    full = (depth - 1) * s[0] + d[0] * (kd - 1) + 1 + op[0]
    planes = x.transpose(1, 2).reshape(n * depth, c, height, width)
    out: _C.Tensor | None = None
    for k in range(kd):
        y = conv_transpose2d(planes, weight.select(2, k), None, s[1:], p[1:], op[1:], groups, d[1:])
        y = y.reshape((n, depth) + tuple(y.shape[1:])).transpose(1, 2)  # (N, C_out, D, H', W')
        if s[0] > 1:  # zeros between the input depths
            zeros = _C.zeros(tuple(y.shape[:3]) + (s[0] - 1,) + tuple(y.shape[3:]), dtype=y.dtype)
            y = _C.cat([y.unsqueeze(3), zeros], 3)
            y = y.reshape(tuple(y.shape[:2]) + (depth * s[0],) + tuple(y.shape[4:]))
            y = y.narrow(2, 0, (depth - 1) * s[0] + 1)
        before = k * d[0]
        after = full - before - y.size(2)
        y = _C.constant_pad_nd(y, (0, 0, 0, 0, before, after), 0.0)
        out = y if out is None else out + y
    assert out is not None
    result = out.narrow(2, p[0], out_depth)
    if bias is not None:
        result = result + bias.reshape(-1, 1, 1, 1)
    return result if batched else result.squeeze(0)


def _along_depth(x: _C.Tensor, pool: Any) -> tuple[_C.Tensor, _C.Tensor | None]:
    """Applies a 1-d pool (returning (values, indices or None)) along dim 2
    of an (N, C, D, H, W) tensor."""
    n, c, depth, height, width = x.shape
    lines = x.permute(0, 1, 3, 4, 2).reshape(n * c * height * width, 1, depth)
    values, indices = pool(lines)
    out_depth = values.size(-1)

    def back(t: _C.Tensor) -> _C.Tensor:
        return t.reshape(n, c, height, width, out_depth).permute(0, 1, 4, 2, 3)

    return back(values), (back(indices) if indices is not None else None)


def max_pool3d_with_indices(
    input: _C.Tensor,
    kernel_size: _Size3,
    stride: _Size3 | None = None,
    padding: _Size3 = 0,
    dilation: _Size3 = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[_C.Tensor, _C.Tensor]:
    """3-d max pooling returning (values, flat indices into D * H * W)."""
    x, batched = _batched(input, "max_pool3d")
    k = _triple(kernel_size)
    s = (
        k
        if stride is None or (not isinstance(stride, int) and not list(stride))
        else _triple(stride)
    )
    p, d = _triple(padding), _triple(dilation)
    n, c, depth, height, width = x.shape
    planes = x.reshape(n * c * depth, 1, height, width)
    v1, i1 = _nn.max_pool2d_with_indices(planes, k[1:], s[1:], p[1:], d[1:], ceil_mode)
    v1 = v1.reshape((n, c, depth) + tuple(v1.shape[2:]))
    i1 = i1.reshape((n, c, depth) + tuple(i1.shape[2:]))
    values, which = _along_depth(
        v1, lambda t: max_pool1d_with_indices(t, k[0], s[0], p[0], d[0], ceil_mode)
    )
    assert which is not None
    plane_index = i1.gather(2, which)
    indices = which * (height * width) + plane_index
    if not batched:
        return values.squeeze(0), indices.squeeze(0)
    return values, indices


def max_pool3d(
    input: _C.Tensor,
    kernel_size: _Size3,
    stride: _Size3 | None = None,
    padding: _Size3 = 0,
    dilation: _Size3 = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
    """3-d max pooling over (N, C, D, H, W) or (C, D, H, W) inputs."""
    values, indices = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation,
                                              ceil_mode)  # fmt: skip
    return (values, indices) if return_indices else values


def avg_pool3d(
    input: _C.Tensor,
    kernel_size: _Size3,
    stride: _Size3 | None = None,
    padding: _Size3 = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> _C.Tensor:
    """3-d average pooling over (N, C, D, H, W) or (C, D, H, W) inputs."""
    x, batched = _batched(input, "avg_pool3d")
    k = _triple(kernel_size)
    s = (
        k
        if stride is None or (not isinstance(stride, int) and not list(stride))
        else _triple(stride)
    )
    p = _triple(padding)
    n, c, depth, height, width = x.shape
    planes = x.reshape(n * c * depth, 1, height, width)
    # Window sizes, and so divisors, are products over the dims: each stage
    # averages (or, with divisor_override, sums) along its own dims.
    divisor = 1 if divisor_override is not None else None
    v1 = _nn.avg_pool2d(planes, k[1:], s[1:], p[1:], ceil_mode, count_include_pad, divisor)
    v1 = v1.reshape((n, c, depth) + tuple(v1.shape[2:]))
    values, _ = _along_depth(
        v1,
        lambda t: (
            _nn.avg_pool2d(t.unsqueeze(-2), (1, k[0]), (1, s[0]), (0, p[0]), ceil_mode,
                           count_include_pad, divisor).squeeze(-2),
            None,
        ),
    )  # fmt: skip
    if divisor_override is not None:
        values = values / divisor_override
    return values if batched else values.squeeze(0)


def adaptive_avg_pool3d(input: _C.Tensor, output_size: Any) -> _C.Tensor:
    """Average pooling of the last three dims to output_size cells (None keeps a dim)."""
    sizes = _adaptive_sizes(input, output_size, 3, "adaptive_avg_pool3d")
    if all(v == 1 for v in sizes):
        # PyTorch's shortcut: mean's errors (and gradient).
        return input.mean((-3, -2, -1), keepdim=True)
    _require_floating(input, "adaptive_avg_pool3d_cpu")
    if 0 in sizes:
        return _empty_pool(input, sizes)
    out = input
    for i, size in enumerate(sizes):
        out = _average_windows(out, i - 3, size)
    return out


def adaptive_max_pool3d_with_indices(
    input: _C.Tensor, output_size: Any, return_indices: bool = False
) -> tuple[_C.Tensor, _C.Tensor]:
    """Adaptive max pooling of the last three dims, returning (values, flat indices)."""
    sizes = _adaptive_sizes(input, output_size, 3, "adaptive_max_pool3d")
    _require_floating(input, "adaptive_max_pool3d_cpu")
    if 0 in sizes:
        values = _empty_pool(input, sizes)
        return values, _C.zeros(values.shape, dtype=_C.int64)
    x, batched = _batched(input, "adaptive_max_pool3d")
    n, c, depth, height, width = x.shape
    v1, i1 = _adaptive_max(x.reshape(n * c * depth, height, width), sizes[1:])
    v1 = v1.reshape((n, c, depth) + tuple(v1.shape[1:]))
    i1 = i1.reshape((n, c, depth) + tuple(i1.shape[1:]))
    values, which = _along_depth(v1, lambda t: _adaptive_max(t, sizes[:1]))
    assert which is not None
    indices = which * (height * width) + i1.gather(2, which)
    if not batched:
        return values.squeeze(0), indices.squeeze(0)
    return values, indices


def adaptive_max_pool3d(
    input: _C.Tensor, output_size: Any, return_indices: bool = False
) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
    """Max pooling of the last three dims to output_size cells (with indices when return_indices)."""
    values, indices = adaptive_max_pool3d_with_indices(input, output_size)
    return (values, indices) if return_indices else values


def lp_pool3d(
    input: _C.Tensor,
    norm_type: float,
    kernel_size: _Size3,
    stride: _Size3 | None = None,
    ceil_mode: bool = False,
) -> _C.Tensor:
    """(sum of x^p over each 3-d window)^(1/p)."""
    kd, kh, kw = _triple(kernel_size)
    out = avg_pool3d(input.pow(norm_type), (kd, kh, kw), stride, 0, ceil_mode)
    return (_C.sign(out) * _C.relu(out.abs())).mul(kd * kh * kw).pow(1.0 / norm_type)


def max_unpool3d(
    input: _C.Tensor,
    indices: _C.Tensor,
    kernel_size: _Size3,
    stride: _Size3 | None = None,
    padding: _Size3 = 0,
    output_size: Sequence[int] | None = None,
) -> _C.Tensor:
    """Places each value at its flat index in a zero tensor: the inverse of max_pool3d."""
    k = _triple(kernel_size)
    s = k if stride is None else _triple(stride)
    return _unpool(input, indices, k, s, _triple(padding), output_size)
