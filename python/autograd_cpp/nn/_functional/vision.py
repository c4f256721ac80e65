"""Resampling (interpolate), pixel and channel shuffles, transposed
convolutions and the bilinear form, composed from existing ops."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import _C
from ..._C import _nn
from ...autograd.function import Function, FunctionCtx
from ._utils import _cpp_type_name, _require_floating, _scalar_type_name
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = [
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
    "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "conv_transpose1d",
    "conv_transpose2d", "bilinear", "affine_grid", "grid_sample",
]  # fmt: skip

_NUMPY = {"torch.float32": "float32", "torch.float64": "float64"}
_Scale = float | Sequence[float] | None


def _np_dtype(t: _C.Tensor) -> Any:
    """The numpy scalar type matching t's dtype: the resampling weights are
    computed in it, as PyTorch's kernels compute them in the input's type.
    (numpy is imported here, not at import time: `import autograd_cpp` stays light.)"""
    import numpy as np

    kind = _NUMPY.get(str(t.dtype))
    if kind is None:
        raise NotImplementedError(f'"upsample" not implemented for {str(t.dtype)[6:].title()}')
    return getattr(np, kind)


# ---- interpolate ---------------------------------------------------------------------
#
# Each spatial dim is resampled in turn, innermost first (the order of
# PyTorch's kernels): the output is a weighted sum of a few input positions
# ("taps") per output position, picked with index_select, so gradients flow
# back through index_select's scatter-add.

_Taps = list[tuple[_C.Tensor, _C.Tensor | None]]


def _source_scale(
    n_in: int, n_out: int, align_corners: bool, scale: float | None, dt: Any
) -> float:
    """Input positions per output position."""
    if align_corners:
        return float(dt(n_in - 1) / dt(n_out - 1)) if n_out > 1 else 0.0
    if scale is not None and scale > 0:
        return float(dt(1.0 / scale))
    return float(dt(n_in) / dt(n_out))


def _nearest_taps(n_in: int, n_out: int, scale: float | None, exact: bool, dt: Any) -> _Taps:
    import numpy as np

    dst: Any = np.arange(n_out)
    if n_out == n_in and not exact:
        src = dst
    elif n_out == 2 * n_in and not exact:
        src = dst >> 1
    else:
        s = dt(_source_scale(n_in, n_out, False, scale, dt))
        pos = (dst.astype(dt) + dt(0.5)) * s if exact else dst.astype(dt) * s
        src = np.minimum(np.floor(pos).astype(np.int64), n_in - 1)
    return [(_C.tensor(src.tolist()), None)]


def _linear_taps(
    n_in: int, n_out: int, align_corners: bool, scale: float | None, dt: Any, dtype: _C.dtype
) -> _Taps:
    import numpy as np

    s = dt(_source_scale(n_in, n_out, align_corners, scale, dt))
    dst: Any = np.arange(n_out).astype(dt)
    real = dst * s if align_corners else np.maximum(s * (dst + dt(0.5)) - dt(0.5), dt(0))
    low = real.astype(np.int64)
    high = np.where(low < n_in - 1, low + 1, low)
    frac = np.clip(real - low.astype(dt), dt(0), dt(1)).astype(dt)
    return [
        (_C.tensor(low.tolist()), _C.tensor((dt(1) - frac).tolist(), dtype=dtype)),
        (_C.tensor(high.tolist()), _C.tensor(frac.tolist(), dtype=dtype)),
    ]


def _cubic_taps(
    n_in: int, n_out: int, align_corners: bool, scale: float | None, dt: Any, dtype: _C.dtype
) -> _Taps:
    import numpy as np

    a = dt(-0.75)  # the cubic convolution's A, as in PyTorch and OpenCV
    s = dt(_source_scale(n_in, n_out, align_corners, scale, dt))
    dst: Any = np.arange(n_out).astype(dt)
    real = dst * s if align_corners else s * (dst + dt(0.5)) - dt(0.5)
    base = np.floor(real).astype(np.int64)
    t = (real - base.astype(dt)).astype(dt)

    def near(x: Any) -> Any:
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: Any) -> Any:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = [far(t + dt(1)), near(t), near(dt(1) - t), far(dt(2) - t)]
    taps: _Taps = []
    for k, w in enumerate(weights):
        index = np.clip(base - 1 + k, 0, n_in - 1)
        taps.append((_C.tensor(index.tolist()), _C.tensor(w.astype(dt).tolist(), dtype=dtype)))
    return taps


def _resample(input: _C.Tensor, dim: int, taps: _Taps) -> _C.Tensor:
    out: _C.Tensor | None = None
    shape = [1] * input.dim()
    shape[dim] = -1
    for index, weight in taps:
        picked = input.index_select(dim, index)
        term = picked if weight is None else picked * weight.reshape(shape)
        out = term if out is None else out + term
    assert out is not None
    return out


def _resample_adjoint(grad: _C.Tensor, dim: int, n_in: int, taps: _Taps) -> _C.Tensor:
    """The transpose of _resample: each output gradient goes back, weighted,
    to the input positions its taps read."""
    shape = list(grad.shape)
    shape[dim] = n_in
    view = [1] * grad.dim()
    view[dim] = -1
    out = _C.zeros(shape, dtype=grad.dtype)
    for index, weight in taps:
        term = grad if weight is None else grad * weight.reshape(view)
        out = out.scatter_add(dim, index.reshape(view).expand(grad.shape), term)
    return out


_Plan = list[tuple[int, int, _Taps]]  # (dim, input size, taps), in the order applied


class _Interpolate(Function):
    """One node for the whole resampling, as PyTorch's upsample kernels. Its
    indices and weights are constants kept on ctx rather than saved tensors,
    so, as in PyTorch, a second backward needs no retain_graph."""

    @staticmethod
    def forward(ctx: FunctionCtx, input: _C.Tensor, plan: _Plan) -> _C.Tensor:
        ctx.plan = plan  # type: ignore[attr-defined]
        out = input
        for dim, _, taps in plan:
            out = _resample(out, dim, taps)
        return out

    @staticmethod
    def jvp(ctx: FunctionCtx, input_t: _C.Tensor, plan_t: None) -> _C.Tensor:
        # Resampling is linear: the tangent is resampled the same way.
        plan: _Plan = ctx.plan  # type: ignore[attr-defined]
        out = input_t
        for dim, _, taps in plan:
            out = _resample(out, dim, taps)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, grad: _C.Tensor) -> tuple[_C.Tensor, None]:
        plan: _Plan = ctx.plan  # type: ignore[attr-defined]
        for dim, n_in, taps in reversed(plan):
            grad = _resample_adjoint(grad, dim, n_in, taps)
        return grad, None


_LINEAR_MODES = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def interpolate(
    input: _C.Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: _Scale = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> _C.Tensor:
    """Resizes the spatial dims of an (N, C, d1, ...) input to ``size`` or by
    ``scale_factor``. Modes: nearest, nearest-exact, linear (3-D input),
    bilinear and bicubic (4-D), trilinear (5-D), area (adaptive average)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    scales: list[float | None] = [None] * max(dim, 0)
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if not isinstance(size, int):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size "
                    f"of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and output size in (o1, o2, ...,oK) format."
                )
            if not all(isinstance(x, int) for x in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}"
                )
            out_size = [int(x) for x in size]
        else:
            out_size = [size] * dim
    elif scale_factor is not None:
        if not isinstance(scale_factor, (int, float)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            factors = [float(s) for s in scale_factor]
        else:
            factors = [float(scale_factor)] * dim
        out_size = [int(input.size(i + 2) * factors[i]) for i in range(dim)]
        recompute = recompute_scale_factor or mode == "area"
        scales = [None] * dim if recompute else list(factors)
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    known = ("nearest", "nearest-exact", "area", *_LINEAR_MODES)
    if input.dim() not in (3, 4, 5) or mode not in known:
        raise NotImplementedError(
            "Input Error: Only 3D, 4D and 5D input Tensors supported"
            f" (got {input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | "
            f"trilinear | lanczos | area | nearest-exact (got {mode})"
        )
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != input.dim():
        need = _LINEAR_MODES[mode]
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need}D input")
    if mode == "area":
        if dim == 1:
            return adaptive_avg_pool1d(input, out_size)
        if dim == 2:
            return adaptive_avg_pool2d(input, out_size)
        raise NotImplementedError("interpolate: mode 'area' supports 3-D and 4-D input")
    for n_in, n_out in zip(input.shape[2:], out_size):
        if n_in <= 0 or n_out <= 0:
            raise RuntimeError(
                f"Input and output sizes should be greater than 0, but got input "
                f"({', '.join(str(s) for s in input.shape[2:])}) and output "
                f"({', '.join(str(s) for s in out_size)})"
            )
    dt = _np_dtype(input)
    plan: _Plan = []
    for i in reversed(range(dim)):
        n_in, n_out = input.size(i + 2), out_size[i]
        if mode in ("nearest", "nearest-exact"):
            taps = _nearest_taps(n_in, n_out, scales[i], mode == "nearest-exact", dt)
        elif mode == "bicubic":
            taps = _cubic_taps(n_in, n_out, bool(align_corners), scales[i], dt, input.dtype)
        else:
            taps = _linear_taps(n_in, n_out, bool(align_corners), scales[i], dt, input.dtype)
        plan.append((i + 2, n_in, taps))
    result: _C.Tensor = _Interpolate.apply(input, plan)
    return result


def upsample(
    input: _C.Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: _Scale = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> _C.Tensor:
    """interpolate under its older name."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(
    input: _C.Tensor, size: int | Sequence[int] | None = None, scale_factor: _Scale = None
) -> _C.Tensor:
    """interpolate(mode='nearest') under its older name."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(
    input: _C.Tensor, size: int | Sequence[int] | None = None, scale_factor: _Scale = None
) -> _C.Tensor:
    """interpolate(mode='bilinear', align_corners=True) under its older name."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- shuffles ---------------------------------------------------------------------------


def pixel_shuffle(input: _C.Tensor, upscale_factor: int) -> _C.Tensor:
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = upscale_factor
    if input.dim() < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    d = len(lead)
    x = input.reshape((*lead, c // (r * r), r, r, h, w))
    x = x.permute((*range(d), d, d + 3, d + 1, d + 4, d + 2))
    return x.reshape((*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: _C.Tensor, downscale_factor: int) -> _C.Tensor:
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    r = downscale_factor
    if input.dim() < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    *lead, c, h, w = input.shape
    for name, size, idx in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({idx})={size} is not divisible by {r}"
            )
    d = len(lead)
    x = input.reshape((*lead, c, h // r, r, w // r, r))
    x = x.permute((*range(d), d, d + 2, d + 4, d + 1, d + 3))
    return x.reshape((*lead, c * r * r, h // r, w // r))


def channel_shuffle(input: _C.Tensor, groups: int) -> _C.Tensor:
    """Interleaves the channels of `groups` groups: (N, g * k, *) viewed as
    (N, g, k, *) and transposed to (N, k, g, *)."""
    if input.dim() <= 2:
        raise RuntimeError(
            "channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    n, c = input.size(0), input.size(1)
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    rest = tuple(input.shape[2:])
    x = input.reshape((n, groups, c // groups) + rest).transpose(1, 2)
    return x.reshape(input.shape)


native_channel_shuffle = channel_shuffle


# ---- transposed convolution -------------------------------------------------------------


def _tuple(v: int | Sequence[int], n: int) -> tuple[int, ...]:
    if isinstance(v, int):
        return (v,) * n
    values = tuple(int(x) for x in v)
    return values * n if len(values) == 1 else values


def _conv_transpose(
    input: _C.Tensor,
    weight: _C.Tensor,
    bias: _C.Tensor | None,
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    output_padding: tuple[int, ...],
    groups: int,
    dilation: tuple[int, ...],
) -> _C.Tensor:
    """2-d transposed convolution of an (N, C_in, H, W) input: each input
    pixel scatters weight-scaled kernels into the output (one matmul for the
    columns, then col2im sums the overlaps), the adjoint of conv2d."""
    n, c_in, h, w = input.shape
    if weight.size(0) != c_in:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(input.shape)} to have {weight.size(0)} channels, but got {c_in} channels "
            "instead"
        )
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding_height: {output_padding[0]} output_padding_width: "
                f"{output_padding[1]} stride_height: {stride[0]} stride_width: {stride[1]} "
                f"dilation_height: {dilation[0]} dilation_width: {dilation[1]}"
            )
    # PyTorch's kernel is chosen by the input's dtype, and is floating only.
    _require_floating(input, "slow_conv_transpose2d_out_cpu")
    c_out_g, kh, kw = weight.size(1), weight.size(2), weight.size(3)
    out_h = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    out_w = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    cols_w = weight.reshape(groups, c_in // groups, c_out_g * kh * kw).transpose(1, 2)
    cols = cols_w.matmul(input.reshape(n, groups, c_in // groups, h * w))
    cols = cols.reshape(n, groups * c_out_g * kh * kw, h * w)
    out = _nn.col2im(cols, (out_h, out_w), (kh, kw), dilation, padding, stride)
    if bias is not None:
        out = out + bias.reshape(-1, 1, 1)
    return out


def conv_transpose2d(
    input: _C.Tensor,
    weight: _C.Tensor,
    bias: _C.Tensor | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    output_padding: int | Sequence[int] = 0,
    groups: int = 1,
    dilation: int | Sequence[int] = 1,
) -> _C.Tensor:
    """2-d transposed convolution ("deconvolution") of an (N, C_in, H, W) or
    (C_in, H, W) input with a (C_in, C_out / groups, kH, kW) weight."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input "
            f"of size: {list(input.shape)}"
        )
    batched = input.dim() == 4
    out = _conv_transpose(
        input if batched else input.unsqueeze(0),
        weight,
        bias,
        _tuple(stride, 2),
        _tuple(padding, 2),
        _tuple(output_padding, 2),
        groups,
        _tuple(dilation, 2),
    )
    return out if batched else out.squeeze(0)


def conv_transpose1d(
    input: _C.Tensor,
    weight: _C.Tensor,
    bias: _C.Tensor | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    output_padding: int | Sequence[int] = 0,
    groups: int = 1,
    dilation: int | Sequence[int] = 1,
) -> _C.Tensor:
    """1-d transposed convolution of an (N, C_in, L) or (C_in, L) input with
    a (C_in, C_out / groups, k) weight."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input "
            f"of size: {list(input.shape)}"
        )
    batched = input.dim() == 3
    x = (input if batched else input.unsqueeze(0)).unsqueeze(2)
    out = _conv_transpose(
        x,
        weight.unsqueeze(2),
        bias,
        (1,) + _tuple(stride, 1),
        (0,) + _tuple(padding, 1),
        (0,) + _tuple(output_padding, 1),
        groups,
        (1,) + _tuple(dilation, 1),
    ).squeeze(2)
    return out if batched else out.squeeze(0)


def bilinear(
    input1: _C.Tensor, input2: _C.Tensor, weight: _C.Tensor, bias: _C.Tensor | None = None
) -> _C.Tensor:
    """y_k = input1^T weight_k input2 + bias_k for a (out, in1, in2) weight."""
    named = {"input1": input1, "input2": input2, "weight": weight}
    if bias is not None:
        named["bias"] = bias
    # PyTorch checks the dtypes first, naming each as its C++ type.
    if any(t.dtype != input1.dtype for t in named.values()):
        listed = ", ".join(f"{name}: {_cpp_type_name(t)}" for name, t in named.items())
        raise RuntimeError(f"All tensors must have the same dtype, got {listed}")
    if input1.dim() != input2.dim():
        raise RuntimeError(
            f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}"
        )
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, got {weight.dim()}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, input1.size(-1))
    x2 = input2.reshape(-1, input2.size(-1))
    # (B, in1) @ (in1, out * in2) -> (B, out, in2), then contracted with x2.
    left = x1.matmul(weight.permute(1, 0, 2).reshape(weight.size(1), -1))
    out = (left.reshape(x1.size(0), weight.size(0), -1) * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (weight.size(0),))


# ---- spatial transformers: affine_grid and grid_sample --------------------------------------

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _base_coords(steps: int, align_corners: bool, dtype: _C.dtype) -> _C.Tensor:
    """Normalised [-1, 1] coordinates of `steps` pixel centres (corners when aligned)."""
    if steps <= 1:
        return _C.zeros(max(steps, 0), dtype=dtype)
    coords = _C.linspace(-1.0, 1.0, steps, dtype=dtype)
    return coords if align_corners else coords * ((steps - 1) / steps)


def affine_grid(
    theta: _C.Tensor, size: Sequence[int], align_corners: bool | None = None
) -> _C.Tensor:
    """The sampling grid of a batch of affine transforms: theta (N, 2, 3)
    maps each output pixel's normalised (x, y, 1) to input coordinates,
    giving (N, H, W, 2) for size (N, C, H, W); (N, 3, 4) and 5-d sizes give
    (N, D, H, W, 3)."""
    import warnings

    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = [int(s) for s in size]
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                f"Got {theta.shape}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(
                f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                f"Got {theta.shape}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    # (x, y[, z], 1) of every output position, x fastest, as PyTorch lays it out.
    axes = [_base_coords(s, align_corners, theta.dtype) for s in reversed(spatial)]
    shape = tuple(spatial)
    dims = len(spatial)
    columns = []
    for k, axis in enumerate(axes):
        view = [1] * dims
        view[dims - 1 - k] = axis.numel()
        columns.append(axis.reshape(view).expand(shape))
    columns.append(_C.ones(shape, dtype=theta.dtype))
    base = _C.stack(columns, -1).reshape(1, -1, dims + 1)
    grid = base.matmul(theta.transpose(1, 2))
    return grid.reshape((size[0], *shape, dims))


def _unnormalize(coord: _C.Tensor, size: int, align_corners: bool) -> _C.Tensor:
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: _C.Tensor, twice_low: int, twice_high: int) -> _C.Tensor:
    """coord folded back into [low, high] by reflections at the ends."""
    if twice_low == twice_high:
        return _C.zeros_like(coord)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    distance = (coord - low).abs()
    flips = _C.floor(distance / span)
    extra = distance - flips * span
    even = _C.remainder(flips.detach(), 2) == 0
    return _C.where(even, extra + low, span - extra + low)


def _pad_coords(coord: _C.Tensor, size: int, padding_mode: str, align_corners: bool) -> _C.Tensor:
    if padding_mode == "border":
        return coord.clamp(0, size - 1)
    if padding_mode == "reflection":
        if align_corners:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        return coord.clamp(0, size - 1)
    return coord


def _gather_pixels(
    flat: _C.Tensor, x: _C.Tensor, y: _C.Tensor, width: int, height: int
) -> _C.Tensor:
    """Values of (N, C, H*W) input at integer (x, y) of shape (N, Ho, Wo),
    zero where (x, y) falls outside the image."""
    inside = (x >= 0).logical_and(x <= width - 1).logical_and(y >= 0).logical_and(y <= height - 1)
    # A NaN coordinate (an infinite grid value padded by reflection) reads
    # pixel 0 and is masked out; clamp alone would leave it NaN.
    x, y = _C.nan_to_num(x, nan=0.0), _C.nan_to_num(y, nan=0.0)
    index = (y.clamp(0, height - 1) * width + x.clamp(0, width - 1)).long()
    n, c = flat.size(0), flat.size(1)
    picked = flat.gather(2, index.reshape(n, 1, -1).expand(n, c, index[0].numel()))
    picked = picked.reshape((n, c) + tuple(x.shape[1:]))
    # Selected, not multiplied by the mask: an outside pixel reads as 0 even
    # where the value it stands on is NaN or infinite, as PyTorch skips it.
    return _C.where(inside.unsqueeze(1), picked, _C.zeros((), dtype=flat.dtype))


def _check_grid_sampler(input: _C.Tensor, grid: _C.Tensor) -> None:
    """PyTorch's grid_sampler checks, in its order (the batch sizes are
    compared first, so a 0-d tensor fails there with an IndexError)."""
    if input.dim() == 0 or grid.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")

    def sizes() -> str:
        return f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"

    if input.size(0) != grid.size(0):
        raise RuntimeError(
            f"grid_sampler(): expected grid and input to have same batch size, but got {sizes()}"
        )
    if grid.size(-1) != input.dim() - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, "
            f"but got grid with sizes {list(grid.shape)}"
        )
    for d in range(2, input.dim()):
        if input.size(d) == 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but input "
                f"has sizes {list(input.shape)} with dimension {d} being empty"
            )
    if input.dim() == 5 and grid.dim() == 5:
        raise NotImplementedError(
            "grid_sample: volumetric (5-D) inputs are not supported yet; 4-D inputs are"
        )
    if input.dim() != 4 or grid.dim() != 4:
        raise RuntimeError(
            "grid_sampler(): expected 4D input and grid with same number of dimensions, but got "
            + sizes()
        )
    name = _scalar_type_name(input)
    if input.size(0) * input.size(1) * grid.size(1) * grid.size(2) == 0:
        return  # PyTorch returns an empty output without reaching the kernel
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"grid_sampler_2d_cpu_kernel_impl\" not implemented for '{name}'"
        )
    if grid.dtype != input.dtype:
        grid_name = _scalar_type_name(grid)
        raise RuntimeError(f"expected scalar type {name} but found {grid_name}")


def grid_sample(
    input: _C.Tensor,
    grid: _C.Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> _C.Tensor:
    """Samples (N, C, H, W) input at the normalised (x, y) locations of an
    (N, Ho, Wo, 2) grid (-1 and 1 are the edges), by bilinear, nearest or
    bicubic interpolation, reading zeros, the border or a reflection outside.
    Differentiable with respect to both input and grid."""
    import warnings

    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    _check_grid_sampler(input, grid)
    n, c, height, width = input.shape
    if not input.is_floating_point() and n * c * grid.size(1) * grid.size(2) == 0:
        return _C.zeros((n, c, grid.size(1), grid.size(2)), dtype=input.dtype)
    flat = input.reshape(n, c, height * width)
    gx, gy = grid.unbind(-1)
    ix = _unnormalize(gx, width, align_corners)
    iy = _unnormalize(gy, height, align_corners)
    if mode == "bicubic":
        return _bicubic_sample(flat, ix, iy, width, height, padding_mode, align_corners)
    ix = _pad_coords(ix, width, padding_mode, align_corners)
    iy = _pad_coords(iy, height, padding_mode, align_corners)
    if mode == "nearest":
        return _gather_pixels(flat, _C.round(ix).detach(), _C.round(iy).detach(), width, height)
    x0, y0 = _C.floor(ix).detach(), _C.floor(iy).detach()
    x1, y1 = x0 + 1, y0 + 1
    wx1, wy1 = ix - x0, iy - y0
    wx0, wy0 = x1 - ix, y1 - iy
    out = _gather_pixels(flat, x0, y0, width, height) * (wx0 * wy0).unsqueeze(1)
    out = out + _gather_pixels(flat, x1, y0, width, height) * (wx1 * wy0).unsqueeze(1)
    out = out + _gather_pixels(flat, x0, y1, width, height) * (wx0 * wy1).unsqueeze(1)
    return out + _gather_pixels(flat, x1, y1, width, height) * (wx1 * wy1).unsqueeze(1)


def _cubic_weights(t: _C.Tensor) -> list[_C.Tensor]:
    """The cubic convolution weights (A = -0.75) of the taps at offsets -1..2."""
    a = -0.75

    def near(x: _C.Tensor) -> _C.Tensor:
        return ((x * (a + 2) - (a + 3)) * x * x) + 1

    def far(x: _C.Tensor) -> _C.Tensor:
        return ((x * a - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic_sample(
    flat: _C.Tensor,
    ix: _C.Tensor,
    iy: _C.Tensor,
    width: int,
    height: int,
    padding_mode: str,
    align_corners: bool,
) -> _C.Tensor:
    """4 x 4 taps around each location; each tap's coordinate is padded on its own."""
    x0, y0 = _C.floor(ix).detach(), _C.floor(iy).detach()
    wx, wy = _cubic_weights(ix - x0), _cubic_weights(iy - y0)
    out: _C.Tensor | None = None
    for j in range(4):
        ty = _pad_coords(y0 + (j - 1), height, padding_mode, align_corners).detach()
        row: _C.Tensor | None = None
        for i in range(4):
            tx = _pad_coords(x0 + (i - 1), width, padding_mode, align_corners).detach()
            term = _gather_pixels(flat, tx, ty, width, height) * wx[i].unsqueeze(1)
            row = term if row is None else row + term
        assert row is not None
        term = row * wy[j].unsqueeze(1)
        out = term if out is None else out + term
    assert out is not None
    return out
