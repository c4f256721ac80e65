"""Functional forms of layers, activations and losses, with PyTorch's
signatures. Argument handling that PyTorch does in Python (legacy reduction
flags, implicit softmax dims, broadcasting warnings) happens here; the ops
themselves are in C++ (``_C`` and ``_C._nn``)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal, TypeAlias, overload

from .. import _C
from .._C import _nn
from ._functional._utils import (
    _legacy_reduction,
    _pointwise_operands,
)
from ._functional.activation import *  # noqa: F403
from ._functional.attention import *  # noqa: F403
from ._functional.attention import _canonical_mask as _canonical_mask
from ._functional.attention import _none_or_dtype as _none_or_dtype
from ._functional.distance import *  # noqa: F403
from ._functional.dropout import *  # noqa: F403
from ._functional.loss import *  # noqa: F403
from ._functional.normalization import *  # noqa: F403
from ._functional.pooling import *  # noqa: F403
from ._functional.sparse import *  # noqa: F403
from ._functional.vision import *  # noqa: F403
from ._functional.volumetric import *  # noqa: F403

# A size given once for every spatial dim, or per dim.
_Size: TypeAlias = "int | Sequence[int]"


def one_hot(tensor: _C.Tensor, num_classes: int = -1) -> _C.Tensor:
    """Int64 one-hot encodings of ``tensor``, shape ``(*tensor.shape, C)``."""
    return _C.one_hot(tensor, num_classes)


def embedding(
    input: _C.Tensor,
    weight: _C.Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> _C.Tensor:
    """Rows of ``weight`` picked by the integer ``input``; the row at
    ``padding_idx`` gets no gradient. With ``max_norm``, the picked rows of
    ``weight`` are first rescaled in place to norms of at most ``max_norm``."""
    # As PyTorch: the padding index is checked against weight.size(0) before
    # the weight's shape is (so a 0-d weight fails there, with IndexError).
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx > 0:
        if padding_idx >= weight.size(0):
            raise AssertionError("Padding_idx must be within num_embeddings")
    elif padding_idx < 0:
        if padding_idx < -weight.size(0):
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx += weight.size(0)
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return _C.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def _embedding_renorm_(
    weight: _C.Tensor, input: _C.Tensor, max_norm: float, norm_type: float
) -> None:
    # As torch.embedding_renorm_: rows whose norm exceeds max_norm are scaled
    # to it (with PyTorch's 1e-7 guard), outside the graph.
    from .. import no_grad, tensor, where

    rows = sorted(set(input.reshape(-1).tolist()))
    if not rows:
        return
    with no_grad():
        index = tensor(rows)
        picked = weight[index]
        norms = picked.norm(p=norm_type, dim=1, keepdim=True)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[index] = picked * scale


def pad(
    input: _C.Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> _C.Tensor:
    """Pads the last ``len(pad) // 2`` dims: ``pad = (left, right, top,
    bottom, ...)`` starting from the last dim. ``mode`` is ``"constant"``
    (any number of dims), ``"reflect"`` or ``"replicate"`` (1 to 3 dims)."""
    if not isinstance(input, _C.Tensor):
        raise TypeError(
            "pad(): argument 'input' (position 1) must be Tensor, not " + type(input).__name__
        )
    if not isinstance(pad, (list, tuple)):
        # A list may hold 0-d tensors; a tensor (or a number) in place of the
        # list is a TypeError in PyTorch, not a padding-length error.
        raise TypeError(
            "pad(): argument 'pad' (position 2) must be tuple of ints, not " + type(pad).__name__
        )
    if not isinstance(mode, str):
        raise TypeError(
            f"pad(): argument 'mode' (position 3) must be str, not {type(mode).__name__}"
        )
    if mode == "constant":
        return _C.constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode == "reflect":
        return _C._reflection_pad(input, pad)
    if mode == "replicate":
        return _C._replication_pad(input, pad)
    if mode == "circular":
        return _circular_pad(input, pad)
    raise NotImplementedError(f"Unrecognised padding mode {mode}")


def _circular_pad(input: _C.Tensor, pad: Sequence[int]) -> _C.Tensor:
    """Wraps each padded dim around: the left pad repeats the dim's last
    entries, the right pad its first ones (negative pads crop)."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    dims = len(pad) // 2
    if input.dim() not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    out = input
    for i in range(dims):
        dim = input.dim() - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        size = out.size(dim)
        if left > size or right > size:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if left < 0:
            out = out.narrow(dim, -left, size + left)
        if right < 0:
            out = out.narrow(dim, 0, out.size(dim) + right)
        pieces = []
        if left > 0:
            pieces.append(out.narrow(dim, size - left, left))
        pieces.append(out)
        if right > 0:
            pieces.append(out.narrow(dim, 0, right))
        if len(pieces) > 1:
            out = _C.cat(pieces, dim)
    return out


linear = _nn.linear
conv1d = _C.conv1d
conv2d = _C.conv2d


def _softmax_dim(ndim: int) -> int:
    warnings.warn(
        "Implicit dimension choice for softmax has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(
    input: _C.Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _C.dtype | None = None
) -> _C.Tensor:
    """exp(x) / sum(exp(x)) along dim."""
    if dim is None:
        dim = _softmax_dim(input.dim())
    return _C.softmax(input, dim, dtype=dtype)


def log_softmax(
    input: _C.Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _C.dtype | None = None
) -> _C.Tensor:
    """log(softmax(x)) along dim, computed stably."""
    if dim is None:
        dim = _softmax_dim(input.dim())
    return _C.log_softmax(input, dim, dtype=dtype)


def unfold(
    input: _C.Tensor, kernel_size: _Size, dilation: _Size = 1, padding: _Size = 0, stride: _Size = 1
) -> _C.Tensor:
    """Extracts sliding local blocks of an (N, C, H, W) input as columns (im2col)."""
    out = _nn.im2col(input, kernel_size, dilation, padding, stride)
    _check_fold_dtype(input, "im2col_out_cpu")
    return out


def fold(
    input: _C.Tensor,
    output_size: _Size,
    kernel_size: _Size,
    dilation: _Size = 1,
    padding: _Size = 0,
    stride: _Size = 1,
) -> _C.Tensor:
    """Sums columns of sliding blocks back into an (N, C, H, W) tensor (col2im)."""
    out = _nn.col2im(input, output_size, kernel_size, dilation, padding, stride)
    _check_fold_dtype(input, "col2im_out_cpu")
    return out


# PyTorch's names of the integer types its im2col/col2im kernels lack.
_INTEGER_NAMES = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
}


def _check_fold_dtype(input: _C.Tensor, kernel: str) -> None:
    # After the shape checks, as in PyTorch, which reports those first.
    name = _INTEGER_NAMES.get(str(input.dtype).removeprefix("torch."))
    if name is not None:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


@overload
def max_pool2d(
    input: _C.Tensor,
    kernel_size: _Size,
    stride: _Size | None = None,
    padding: _Size = 0,
    dilation: _Size = 1,
    ceil_mode: bool = False,
    return_indices: Literal[False] = False,
) -> _C.Tensor: ...
@overload
def max_pool2d(
    input: _C.Tensor,
    kernel_size: _Size,
    stride: _Size | None = None,
    padding: _Size = 0,
    dilation: _Size = 1,
    ceil_mode: bool = False,
    *,
    return_indices: Literal[True],
) -> tuple[_C.Tensor, _C.Tensor]: ...
@overload
def max_pool2d(
    input: _C.Tensor,
    kernel_size: _Size,
    stride: _Size | None = None,
    padding: _Size = 0,
    dilation: _Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]: ...
def max_pool2d(
    input: _C.Tensor,
    kernel_size: _Size,
    stride: _Size | None = None,
    padding: _Size = 0,
    dilation: _Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
    """2-d max pooling over an (N, C, H, W) input (with indices when return_indices)."""
    stride = () if stride is None else stride
    if return_indices:
        return _nn.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _C.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(
    input: _C.Tensor,
    kernel_size: _Size,
    stride: _Size | None = None,
    padding: _Size = 0,
    dilation: _Size = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[_C.Tensor, _C.Tensor]:
    """2-d max pooling returning (values, indices)."""
    stride = () if stride is None else stride
    return _nn.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


avg_pool2d = _nn.avg_pool2d


def layer_norm(
    input: _C.Tensor,
    normalized_shape: Sequence[int],
    weight: _C.Tensor | None = None,
    bias: _C.Tensor | None = None,
    eps: float = 1e-5,
) -> _C.Tensor:
    """Normalises over the trailing normalized_shape dims, then applies weight and bias."""
    return _C.layer_norm(input, normalized_shape, weight, bias, eps)


def _verify_batch_size(size: Sequence[int]) -> None:
    values = size[0]
    for s in size[2:]:
        values *= s
    if values == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )


def batch_norm(
    input: _C.Tensor,
    running_mean: _C.Tensor | None,
    running_var: _C.Tensor | None,
    weight: _C.Tensor | None = None,
    bias: _C.Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> _C.Tensor:
    """Batch normalisation over the channel dim, updating running statistics when training."""
    if training:
        _verify_batch_size(input.size())
    return _C.batch_norm(
        input, weight, bias, running_mean, running_var, training, momentum, eps, False
    )


def nll_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    weight: _C.Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """Negative log-likelihood of class-index targets given log-probabilities."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _nn.nll_loss(input, target, weight, reduction, ignore_index)


def cross_entropy(
    input: _C.Tensor,
    target: _C.Tensor,
    weight: _C.Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> _C.Tensor:
    """Cross-entropy of logits against class indices or class probabilities."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _nn.cross_entropy(input, target, weight, reduction, ignore_index, label_smoothing)


def binary_cross_entropy(
    input: _C.Tensor,
    target: _C.Tensor,
    weight: _C.Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """Binary cross-entropy between probabilities and targets."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        weight = weight.expand(_C.broadcast_shapes(target.size(), weight.size()))
    return _nn.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input: _C.Tensor,
    target: _C.Tensor,
    weight: _C.Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: _C.Tensor | None = None,
) -> _C.Tensor:
    """Binary cross-entropy computed from logits, numerically stable."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _C.binary_cross_entropy_with_logits(
        input, target, weight=weight, pos_weight=pos_weight, reduction=reduction
    )


def _weighted(
    errors: _C.Tensor, weight: _C.Tensor, reduction: str, input_size: Sequence[int]
) -> _C.Tensor:
    """The elementwise errors scaled by weight, reduced; the mean divides by
    the total weight. As PyTorch, weight must match the input's own size (before
    broadcasting with the target)."""
    if weight.size() != input_size:
        raise ValueError("Weights and input must have the same size.")
    weighted = errors * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return _C.sum(weighted)
    if reduction == "mean":
        return _C.sum(weighted) / _C.sum(weight)
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def mse_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: _C.Tensor | None = None,
) -> _C.Tensor:
    """Mean squared error between input and target."""
    # Operands first: a non-tensor is a TypeError before any flag is read.
    unbroadcast = input
    input, target = _pointwise_operands(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(_C.pow(input - target, 2), weight, reduction, unbroadcast.size())
    # The op computes in the promoted dtype (an int or bool input with a
    # float target is valid) and saves the operands as given.
    return _nn.mse_loss(input, target, reduction)


def l1_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: _C.Tensor | None = None,
) -> _C.Tensor:
    """Mean absolute error between input and target."""
    # Operands first: a non-tensor is a TypeError before any flag is read.
    unbroadcast = input
    input, target = _pointwise_operands(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(_C.abs(input - target), weight, reduction, unbroadcast.size())
    return _nn.l1_loss(input, target, reduction)


def smooth_l1_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> _C.Tensor:
    """Squared error below beta, absolute error above it (Huber-like)."""
    # Operands first: a non-tensor is a TypeError before any flag is read.
    input, target = _pointwise_operands(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta == 0.0:
        return _nn.l1_loss(input, target, reduction)
    return _nn.smooth_l1_loss(input, target, reduction, beta)


# ---- activations --------------------------------------------------------------


def relu(input: _C.Tensor, inplace: bool = False) -> _C.Tensor:
    """max(x, 0), elementwise."""
    return _C.relu_(input) if inplace else _C.relu(input)


def relu6(input: _C.Tensor, inplace: bool = False) -> _C.Tensor:
    """min(max(x, 0), 6), elementwise."""
    return _C.hardtanh_(input, 0.0, 6.0) if inplace else _C.relu6(input)


def hardtanh(
    input: _C.Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> _C.Tensor:
    """Clamps to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _C.hardtanh_(input, min_val, max_val)
    return _C.hardtanh(input, min_val, max_val)


def leaky_relu(input: _C.Tensor, negative_slope: float = 0.01, inplace: bool = False) -> _C.Tensor:
    """x if x > 0 else negative_slope * x."""
    if inplace:
        return _C.leaky_relu_(input, negative_slope)
    return _C.leaky_relu(input, negative_slope)


def elu(input: _C.Tensor, alpha: float = 1.0, inplace: bool = False) -> _C.Tensor:
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _C.elu_(input, alpha) if inplace else _C.elu(input, alpha)


def gelu(input: _C.Tensor, approximate: str = "none") -> _C.Tensor:
    """Gaussian error linear unit x * Phi(x) (approximate='tanh' for the tanh form)."""
    return _C.gelu(input, approximate=approximate)


def silu(input: _C.Tensor, inplace: bool = False) -> _C.Tensor:
    """x * sigmoid(x), elementwise."""
    return _C.silu_(input) if inplace else _C.silu(input)


def softplus(input: _C.Tensor, beta: float = 1.0, threshold: float = 20.0) -> _C.Tensor:
    """log(1 + exp(beta * x)) / beta, linear above threshold."""
    return _C.softplus(input, beta, threshold)


def logsigmoid(input: _C.Tensor) -> _C.Tensor:
    """log(sigmoid(x)), computed without overflow for inputs of any size."""
    return _nn.logsigmoid(input)


def sigmoid(input: _C.Tensor) -> _C.Tensor:
    """1 / (1 + exp(-x)), elementwise."""
    return _C.sigmoid(input)


def tanh(input: _C.Tensor) -> _C.Tensor:
    """Hyperbolic tangent, elementwise."""
    return _C.tanh(input)


def dropout(
    input: _C.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> _C.Tensor:
    """Zeroes each element with probability ``p`` and scales the others by
    ``1 / (1 - p)`` while training; the identity otherwise. The mask comes
    from the global generator, so ``manual_seed`` makes it reproducible."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _C.dropout_(input, p, training) if inplace else _C.dropout(input, p, training)


# ---- PyTorch's __torch_function__ hooks: no tensor here overrides them ----------------


def has_torch_function(relevant_args: object) -> bool:
    """False: no argument defines __torch_function__ in this library."""
    return False


has_torch_function_unary = has_torch_function
has_torch_function_variadic = has_torch_function


def handle_torch_function(public_api: object, relevant_args: object, *args: object,
                          **kwargs: object) -> object:  # fmt: skip
    """Never reached, as has_torch_function is always False."""
    raise RuntimeError("handle_torch_function: no argument defines __torch_function__")
