"""1-d pooling (through the 2-d kernels on a height-1 input), adaptive
pooling, power-average pooling and max unpooling."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, overload

from ... import _C
from ..._C import _nn
from ._utils import _require_floating

__all__ = [
    "avg_pool1d", "max_pool1d", "max_pool1d_with_indices", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices", "lp_pool1d", "lp_pool2d",
    "max_unpool1d", "max_unpool2d",
]  # fmt: skip

_Size1 = int | Sequence[int]
_Size2 = int | Sequence[int]
_OptSize2 = int | None | Sequence[int | None]


def _one(v: _Size1, name: str) -> int:
    """A 1-d pooling argument given as an int or a one-element sequence."""
    if isinstance(v, int):
        return v
    values = list(v)
    if len(values) != 1:
        raise RuntimeError(f"max_pool1d() {name} must be a single int, got {tuple(values)}")
    return int(values[0])


def _pair(v: _Size2) -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    values = tuple(int(x) for x in v)
    if len(values) == 1:
        return (values[0], values[0])
    return (values[0], values[1])


def _check_dims(input: _C.Tensor, spatial: int, name: str) -> None:
    if input.dim() not in (spatial + 1, spatial + 2):
        raise RuntimeError(
            f"{name}: Expected {spatial + 1}D or {spatial + 2}D (batch mode) tensor, "
            f"but got: {input.dim()}D"
        )


def avg_pool1d(
    input: _C.Tensor,
    kernel_size: _Size1,
    stride: _Size1 | None = None,
    padding: _Size1 = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> _C.Tensor:
    """Average pooling over the last dim of an (N, C, L) or (C, L) input."""
    _check_dims(input, 1, "avg_pool1d")
    k = _one(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and not list(stride)) else stride
    out = _nn.avg_pool2d(
        input.unsqueeze(-2),
        (1, k),
        (1, _one(s, "stride")),
        (0, _one(padding, "padding")),
        ceil_mode,
        count_include_pad,
    )
    return out.squeeze(-2)


def max_pool1d_with_indices(
    input: _C.Tensor,
    kernel_size: _Size1,
    stride: _Size1 | None = None,
    padding: _Size1 = 0,
    dilation: _Size1 = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[_C.Tensor, _C.Tensor]:
    """Max pooling over the last dim, returning (values, indices into L)."""
    _check_dims(input, 1, "max_pool1d")
    k = _one(kernel_size, "kernel_size")
    s = k if stride is None or (not isinstance(stride, int) and not list(stride)) else stride
    values, indices = _nn.max_pool2d_with_indices(
        input.unsqueeze(-2),
        (1, k),
        (1, _one(s, "stride")),
        (0, _one(padding, "padding")),
        (1, _one(dilation, "dilation")),
        ceil_mode,
    )
    return values.squeeze(-2), indices.squeeze(-2)


@overload
def max_pool1d(
    input: _C.Tensor,
    kernel_size: _Size1,
    stride: _Size1 | None = None,
    padding: _Size1 = 0,
    dilation: _Size1 = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
) -> _C.Tensor: ...
@overload
def max_pool1d(
    input: _C.Tensor,
    kernel_size: _Size1,
    stride: _Size1 | None = None,
    padding: _Size1 = 0,
    dilation: _Size1 = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
) -> tuple[_C.Tensor, _C.Tensor]: ...
@overload
def max_pool1d(
    input: _C.Tensor,
    kernel_size: _Size1,
    stride: _Size1 | None = None,
    padding: _Size1 = 0,
    dilation: _Size1 = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]: ...
def max_pool1d(
    input: _C.Tensor,
    kernel_size: _Size1,
    stride: _Size1 | None = None,
    padding: _Size1 = 0,
    dilation: _Size1 = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
    """Max pooling over the last dim of an (N, C, L) or (C, L) input."""
    values, indices = max_pool1d_with_indices(
        input, kernel_size, stride, padding, dilation, ceil_mode
    )
    return (values, indices) if return_indices else values


# ---- adaptive pooling --------------------------------------------------------------
#
# Output cell i of a dim of size n pooled to size m covers the input range
# [floor(i * n / m), ceil((i + 1) * n / m)).


def _windows(n: int, m: int) -> list[tuple[int, int]]:
    return [((i * n) // m, -((-(i + 1) * n) // m)) for i in range(m)]


def _adaptive_sizes(input: _C.Tensor, output_size: _OptSize2, spatial: int, name: str) -> list[int]:
    # PyTorch's 2-d and 3-d forms fill None entries in Python before the
    # kernel checks the rank; the 1-d form goes straight to the kernel.
    if spatial > 1 and not isinstance(output_size, int):
        if output_size is None:
            raise TypeError("object of type 'NoneType' has no len()")
        if input.dim() <= len(output_size):
            raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    if input.dim() not in (spatial + 1, spatial + 2):
        if spatial == 1:
            raise RuntimeError(
                f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
                f"argument #1 'self' (while checking arguments for {name})"
            )
        colon = ":" if "max" in name else ""
        raise RuntimeError(
            f"{name}(): Expected {spatial + 1}D or {spatial + 2}D tensor, but got{colon} "
            f"{list(input.shape)}"
        )
    if isinstance(output_size, int) or output_size is None:
        sizes: list[int | None] = [output_size] * spatial
    else:
        sizes = list(output_size)
        if len(sizes) != spatial:
            if spatial == 1:
                message = (
                    f"{name}() argument 'output_size' should contain one int (got {len(sizes)})"
                )
            elif "max" in name:
                message = f"{name}(): internal error: output_size.size() must be {spatial}"
            else:
                message = f"{name}: output_size must be {spatial}"
            raise RuntimeError(message)
    shape = input.shape[-spatial:]
    out = [shape[i] if s is None else int(s) for i, s in enumerate(sizes)]
    for d in range(input.dim() - spatial, input.dim()):
        if input.size(d) == 0 and not (d == 0 and input.dim() == spatial + 2):
            raise RuntimeError(
                f"{name}(): Expected input to have non-zero size for non-batch dimensions, "
                f"but input has sizes {input.size()} with dimension {d} being empty"
            )
    # PyTorch's 1-d forms run the 2-d kernel on an unsqueezed input.
    alloc = tuple(input.shape[:-spatial]) + (1,) * (spatial == 1) + tuple(out)
    if "avg" in name and any(s < 0 for s in out):
        shown = alloc[-max(spatial, 2) :]
        received = ", ".join(str(s) for s in shown[:2]) + "".join(f",{s}" for s in shown[2:])
        raise RuntimeError(
            f"adaptive_avg_pool{len(shown)}d: elements of output_size must be greater than or "
            f"equal to 0 but received {{{received}}}"
        )
    # The kernel allocates its output first: impossible sizes fail here, at
    # once, before any window of them is computed.
    _C.empty(alloc, dtype=input.dtype)
    return out


def _empty_pool(input: _C.Tensor, sizes: list[int]) -> _C.Tensor:
    """The empty result of pooling to sizes that hold a 0, still in the graph."""
    shape = tuple(input.shape[: -len(sizes)]) + tuple(sizes)
    return input.reshape(-1)[:0].reshape(shape)


def _average_windows(input: _C.Tensor, dim: int, m: int) -> _C.Tensor:
    """The mean of each of m adaptive windows along dim (negative): every
    window's positions gathered and summed under a mask, so an inf input
    stays inf where a product with an averaging matrix gave inf * 0 = nan."""
    n = input.size(dim)
    windows = _windows(n, m)
    index, k = _window_index(n, m)
    shape = list(input.shape)
    shape[dim : len(shape) + dim + 1] = [m, k]
    grouped = input.index_select(dim, index).reshape(shape)
    trailing = [1] * (-dim - 1)
    valid = _C.tensor([[j < end - start for j in range(k)] for start, end in windows])
    counts = _C.tensor([end - start for start, end in windows], dtype=input.dtype)
    kept = _C.where(valid.reshape([m, k, *trailing]), grouped, _C.zeros_like(grouped))
    return kept.sum(dim) / counts.reshape([m, *trailing])


def _adaptive_avg(input: _C.Tensor, sizes: list[int]) -> _C.Tensor:
    spatial = len(sizes)
    shape = input.shape[-spatial:]
    if 0 in sizes:
        return _empty_pool(input, sizes)
    if all(s == 1 for s in sizes):
        return input.mean(tuple(range(-spatial, 0)), keepdim=True)
    if all(n % m == 0 for n, m in zip(shape, sizes)):
        kernel = tuple(n // m for n, m in zip(shape, sizes))
        if spatial == 1:
            return avg_pool1d(input, kernel[0], kernel[0])
        return _nn.avg_pool2d(input, kernel, kernel)
    # Windows of uneven size: averaged one dim at a time.
    out = input
    for i, size in enumerate(sizes):
        out = _average_windows(out, i - spatial, size)
    return out


def adaptive_avg_pool1d(input: _C.Tensor, output_size: int | Sequence[int]) -> _C.Tensor:
    """Average pooling of the last dim to output_size cells."""
    sizes = _adaptive_sizes(input, output_size, 1, "adaptive_avg_pool1d")
    _require_floating(input, "adaptive_avg_pool2d")
    return _adaptive_avg(input, sizes)


def adaptive_avg_pool2d(input: _C.Tensor, output_size: _OptSize2) -> _C.Tensor:
    """Average pooling of the last two dims to output_size cells (None keeps a dim)."""
    sizes = _adaptive_sizes(input, output_size, 2, "adaptive_avg_pool2d")
    _require_floating(input, "adaptive_avg_pool2d")
    return _adaptive_avg(input, sizes)


def _window_index(n: int, m: int) -> tuple[_C.Tensor, int]:
    """The input positions of each output cell's window, as one flat index
    of m * k entries (k the widest window); narrower windows repeat their
    last position, which changes neither their max nor where it is."""
    windows = _windows(n, m)
    k = max(end - start for start, end in windows)
    flat = [min(start + j, end - 1) for start, end in windows for j in range(k)]
    return _C.tensor(flat), k


def _adaptive_max(input: _C.Tensor, sizes: list[int]) -> tuple[_C.Tensor, _C.Tensor]:
    spatial = len(sizes)
    shape = input.shape[-spatial:]
    if 0 in sizes:
        values = _empty_pool(input, sizes)
        return values, _C.zeros(values.shape, dtype=_C.int64)
    if all(n % m == 0 for n, m in zip(shape, sizes)):
        kernel = tuple(n // m for n, m in zip(shape, sizes))
        if spatial == 1:
            return max_pool1d_with_indices(input, kernel[0], kernel[0])
        return _nn.max_pool2d_with_indices(input, kernel, kernel, 0, 1, False)
    lead = tuple(input.shape[:-spatial])
    index_w, kw = _window_index(shape[-1], sizes[-1])
    cols = input.index_select(input.dim() - 1, index_w)
    if spatial == 1:
        windows = cols.reshape(lead + (sizes[0], kw))
        values, arg = windows.max(-1)
        positions = index_w.reshape(sizes[0], kw).expand(lead + (sizes[0], kw))
        return values, positions.gather(-1, arg.unsqueeze(-1)).squeeze(-1)
    index_h, kh = _window_index(shape[0], sizes[0])
    patches = cols.index_select(input.dim() - 2, index_h)
    # (..., oh, kh, ow, kw) -> (..., oh, ow, kh * kw), the window scanned row by row.
    patches = patches.reshape(lead + (sizes[0], kh, sizes[1], kw))
    d = len(lead)
    patches = patches.permute(tuple(range(d)) + (d, d + 2, d + 1, d + 3))
    values, arg = patches.reshape(lead + (sizes[0], sizes[1], kh * kw)).max(-1)
    rows = index_h.reshape(sizes[0], 1, kh, 1)
    cols_at = index_w.reshape(1, sizes[1], 1, kw)
    flat = (rows * shape[1] + cols_at).reshape(sizes[0], sizes[1], kh * kw)
    picked = flat.expand(lead + (sizes[0], sizes[1], kh * kw)).gather(-1, arg.unsqueeze(-1))
    return values, picked.squeeze(-1)


def adaptive_max_pool1d_with_indices(
    input: _C.Tensor, output_size: int | Sequence[int], return_indices: bool = False
) -> tuple[_C.Tensor, _C.Tensor]:
    """Adaptive max pooling of the last dim, returning (values, indices)."""
    sizes = _adaptive_sizes(input, output_size, 1, "adaptive_max_pool1d")
    _require_floating(input, "adaptive_max_pool2d")
    return _adaptive_max(input, sizes)


def adaptive_max_pool2d_with_indices(
    input: _C.Tensor, output_size: _OptSize2, return_indices: bool = False
) -> tuple[_C.Tensor, _C.Tensor]:
    """Adaptive max pooling of the last two dims, returning (values, flat indices)."""
    sizes = _adaptive_sizes(input, output_size, 2, "adaptive_max_pool2d")
    _require_floating(input, "adaptive_max_pool2d")
    return _adaptive_max(input, sizes)


def adaptive_max_pool1d(
    input: _C.Tensor, output_size: int | Sequence[int], return_indices: bool = False
) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
    """Max pooling of the last dim to output_size cells (with indices when return_indices)."""
    values, indices = adaptive_max_pool1d_with_indices(input, output_size)
    return (values, indices) if return_indices else values


def adaptive_max_pool2d(
    input: _C.Tensor, output_size: _OptSize2, return_indices: bool = False
) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
    """Max pooling of the last two dims to output_size cells (with indices when return_indices)."""
    values, indices = adaptive_max_pool2d_with_indices(input, output_size)
    return (values, indices) if return_indices else values


# ---- power-average and unpooling ------------------------------------------------------


def lp_pool1d(
    input: _C.Tensor,
    norm_type: float,
    kernel_size: int,
    stride: _Size1 | None = None,
    ceil_mode: bool = False,
) -> _C.Tensor:
    """(sum of x^p over each window)^(1/p) along the last dim."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (_C.sign(out) * _C.relu(out.abs())).mul(kernel_size).pow(1.0 / norm_type)


def lp_pool2d(
    input: _C.Tensor,
    norm_type: float,
    kernel_size: _Size2,
    stride: _Size2 | None = None,
    ceil_mode: bool = False,
) -> _C.Tensor:
    """(sum of x^p over each window)^(1/p) over the last two dims."""
    kh, kw = _pair(kernel_size)
    out = _nn.avg_pool2d(input.pow(norm_type), (kh, kw), () if stride is None else stride, 0,
                         ceil_mode)  # fmt: skip
    return (_C.sign(out) * _C.relu(out.abs())).mul(kh * kw).pow(1.0 / norm_type)


def _unpool(
    input: _C.Tensor,
    indices: _C.Tensor,
    kernel: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    output_size: Sequence[int] | None,
) -> _C.Tensor:
    spatial = len(kernel)
    if not input.dtype.is_floating_point:
        # PyTorch's unpooling kernels cover the floating types only.
        names = {_C.int64: "Long", _C.int32: "Int", _C.bool: "Bool"}
        raise NotImplementedError(
            f'"max_unpool{max(spatial, 2)}d" not implemented for {names.get(input.dtype, input.dtype)!r}'
        )
    shape = input.shape[-spatial:]
    default = [(shape[i] - 1) * stride[i] - 2 * padding[i] + kernel[i] for i in range(spatial)]
    if output_size is None:
        out = default
    else:
        out = [int(v) for v in output_size][-spatial:]
        for i in range(spatial):
            low, high = default[i] - stride[i], default[i] + stride[i]
            if not low < out[i] < high:
                raise ValueError(
                    f'invalid output_size "{list(output_size)}" (dim {i} must be between '
                    f"{low} and {high})"
                )
    lead = tuple(input.shape[:-spatial])
    count = 1
    for v in out:
        count *= v
    flat_in = input.reshape(lead + (-1,))
    flat_idx = indices.reshape(lead + (-1,))
    zeros = _C.zeros(lead + (count,), dtype=input.dtype)
    return zeros.scatter(len(lead), flat_idx, flat_in).reshape(lead + tuple(out))


def max_unpool1d(
    input: _C.Tensor,
    indices: _C.Tensor,
    kernel_size: _Size1,
    stride: _Size1 | None = None,
    padding: _Size1 = 0,
    output_size: Sequence[int] | None = None,
) -> _C.Tensor:
    """Places each value at its index in a zero tensor: the inverse of max_pool1d."""
    k = _one(kernel_size, "kernel_size")
    s = k if stride is None else _one(stride, "stride")
    return _unpool(input, indices, [k], [s], [_one(padding, "padding")], output_size)


def max_unpool2d(
    input: _C.Tensor,
    indices: _C.Tensor,
    kernel_size: _Size2,
    stride: _Size2 | None = None,
    padding: _Size2 = 0,
    output_size: Sequence[int] | None = None,
) -> _C.Tensor:
    """Places each value at its flat index in a zero tensor: the inverse of max_pool2d."""
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    return _unpool(input, indices, k, s, _pair(padding), output_size)
