"""Group, instance, RMS and local-response normalisation, composed from the
layer- and batch-norm kernels."""

from __future__ import annotations

from collections.abc import Sequence

from ... import _C
from ..._C import _nn
from ._utils import _require_floating, _scalar_type_name

__all__ = ["group_norm", "instance_norm", "rms_norm", "local_response_norm"]

# Machine epsilon of each floating dtype (torch.finfo(dtype).eps).
_EPS = {"torch.float32": 1.1920928955078125e-07, "torch.float64": 2.220446049250313e-16}


def _verify_batch_size(size: Sequence[int]) -> None:
    values = size[0]
    for s in size[2:]:
        values *= s
    if values == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )


def _channel_view(t: _C.Tensor, dim: int) -> _C.Tensor:
    """A per-channel vector shaped to broadcast along dim 1 of a dim-d input."""
    return t.reshape((-1,) + (1,) * (dim - 2))


def _check_group_norm_dtypes(
    input: _C.Tensor, weight: _C.Tensor | None, bias: _C.Tensor | None
) -> None:
    """PyTorch's group_norm kernel takes parameters of the input's dtype only
    (its messages differ by which one differs), and floating inputs only."""
    first = weight if weight is not None else bias
    if first is not None and first.dtype != input.dtype:
        raise RuntimeError(
            "mixed dtype (CPU): all inputs must share same datatype."
            if input.dtype == _C.float64
            else "mixed dtype (CPU): expect parameter to have scalar type of Float"
        )
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(
            f"expected scalar type {_scalar_type_name(input)} but found {_scalar_type_name(bias)}"
        )
    _require_floating(input, "GroupNormKernelImpl")


def group_norm(
    input: _C.Tensor,
    num_groups: int,
    weight: _C.Tensor | None = None,
    bias: _C.Tensor | None = None,
    eps: float = 1e-5,
) -> _C.Tensor:
    """Normalises each group of channels of each sample over the group's
    channels and positions, then scales and shifts each channel."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    n, c = input.size(0), input.size(1)
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {input.size()} and num_groups={num_groups}"
        )
    _verify_batch_size([n * c // num_groups, num_groups] + list(input.shape[2:]))
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(
                f"Expected {what} to be a vector of size equal to the number of channels in "
                f"input, but got {what} of shape {t.size()} and input of shape {input.size()}"
            )
    _check_group_norm_dtypes(input, weight, bias)
    grouped = input.reshape(n, num_groups, -1)
    out = _C.layer_norm(grouped, (grouped.size(-1),), None, None, eps).reshape(input.shape)
    if weight is not None:
        out = out * _channel_view(weight, input.dim())
    if bias is not None:
        out = out + _channel_view(bias, input.dim())
    return out


def instance_norm(
    input: _C.Tensor,
    running_mean: _C.Tensor | None = None,
    running_var: _C.Tensor | None = None,
    weight: _C.Tensor | None = None,
    bias: _C.Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> _C.Tensor:
    """Normalises each channel of each sample over its positions. The
    running statistics, when given, track the batch averages of the
    per-sample ones."""
    if use_input_stats:
        size = input.size()
        spatial = 1
        for s in size[2:]:
            spatial *= s
        if spatial == 1:
            raise ValueError(
                f"Expected more than 1 spatial element when training, got input size {size}"
            )
    if not use_input_stats:
        return _C.batch_norm(input, weight, bias, running_mean, running_var, False, momentum,
                             eps, False)  # fmt: skip
    # Batch norm of a (1, N * C, ...) view: each (sample, channel) is one channel.
    n, c = input.size(0), input.size(1)
    folded = input.reshape((1, n * c) + tuple(input.shape[2:]))
    mean_n = running_mean.repeat(n) if running_mean is not None else None
    var_n = running_var.repeat(n) if running_var is not None else None
    out = _C.batch_norm(
        folded,
        weight.repeat(n) if weight is not None else None,
        bias.repeat(n) if bias is not None else None,
        mean_n,
        var_n,
        True,
        momentum,
        eps,
        False,
    )
    if running_mean is not None and mean_n is not None:
        running_mean.copy_(mean_n.reshape(n, c).mean(0))
    if running_var is not None and var_n is not None:
        running_var.copy_(var_n.reshape(n, c).mean(0))
    return out.reshape(input.shape)


def rms_norm(
    input: _C.Tensor,
    normalized_shape: Sequence[int] | int,
    weight: _C.Tensor | None = None,
    eps: float | None = None,
) -> _C.Tensor:
    """x / sqrt(mean(x^2) + eps) over the trailing normalized_shape dims,
    times weight; eps defaults to the dtype's machine epsilon."""
    # PyTorch's checks, in its order and words (its parser takes a list or
    # tuple of ints, not a lone int).
    if not isinstance(normalized_shape, (list, tuple)):
        raise TypeError(
            "rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, "
            f"not {type(normalized_shape).__name__}"
        )
    shape = tuple(int(s) for s in normalized_shape)
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
            "least one element, but got normalized_shape = []"
        )
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of "
            f"shape {list(weight.shape)} and normalized_shape = {list(shape)}"
        )
    if len(shape) > input.dim():
        raise ValueError(
            f"Input tensor must have at least {len(shape)} dimensions, but got {input.dim()}"
        )
    if tuple(input.shape[input.dim() - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}"
        )
    _require_floating(input, "rms_norm")
    if eps is None:
        eps = _EPS.get(str(input.dtype), _EPS["torch.float32"])
    dims = tuple(range(-len(shape), 0))
    out = input * _C.rsqrt(input.pow(2).mean(dims, keepdim=True) + eps)
    if weight is not None:
        out = out * weight
    # A weight of another dtype promotes the product; PyTorch casts the
    # result back to the input's dtype.
    return out if out.dtype == input.dtype else out.to(input.dtype)


def local_response_norm(
    input: _C.Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> _C.Tensor:
    """Divides each value by (k + alpha * mean of squares over `size`
    neighbouring channels)^beta."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    # (N, 1, C, rest): channels become a height the (size, 1) window slides along.
    n, c = input.size(0), input.size(1)
    squares = (input * input).reshape(n, 1, c, -1)
    squares = _C.constant_pad_nd(squares, (0, 0, size // 2, (size - 1) // 2), 0.0)
    div = _nn.avg_pool2d(squares, (size, 1), 1).reshape(input.shape)
    return input / (div * alpha + k).pow(beta)
