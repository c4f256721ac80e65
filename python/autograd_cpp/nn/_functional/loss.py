"""Losses composed from existing ops, with PyTorch's reductions, argument
checks and warnings."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

from ... import _C
from ...autograd.grad_mode import no_grad
from ._utils import (
    _check_castable,
    _check_reduction,
    _dtype_name,
    _legacy_reduction,
    _pointwise_operands,
    _reduce,
    _require_floating,
)
from .distance import pairwise_distance

__all__ = [
    "kl_div", "huber_loss", "margin_ranking_loss", "cosine_embedding_loss",
    "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "multi_margin_loss", "multilabel_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss",
]  # fmt: skip


def kl_div(
    input: _C.Tensor,
    target: _C.Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> _C.Tensor:
    """Kullback-Leibler divergence of target from input, both given as
    log-probabilities when log_target (input always is)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=2,
        )
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = _C.exp(target) * (target - input)
    else:
        # target * log(target) taken as 0 where target is 0 (xlogy); a negative
        # target gives NaN, as the log does.
        safe = _C.where(target != 0, target, _C.ones_like(target))
        loss = target * _C.log(safe) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.size(0) if input.dim() != 0 else total
    return _reduce(loss, reduction)


def huber_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: _C.Tensor | None = None,
) -> _C.Tensor:
    """0.5 * d^2 where |d| < delta, delta * (|d| - 0.5 * delta) elsewhere,
    for d = input - target."""
    unbroadcast = input
    input, target = _pointwise_operands(input, target)
    _check_reduction(reduction)
    # PyTorch's kernel computes in the promoted type into a tensor like the
    # input, and has only floating versions.
    common = _C.promote_types(input.dtype, target.dtype)
    _check_castable(common, input.dtype)
    if not common.is_floating_point:
        raise NotImplementedError(f"\"huber_cpu\" not implemented for '{_dtype_name(common)}'")
    # The kernel reads a bool target as numbers (subtraction refuses bools).
    diff = input - target.to(common)
    magnitude = diff.abs()
    # PyTorch's kernels test |d| > delta (the backward) and |d| < delta (the
    # forward; the two branches meet at delta): a NaN d takes the quadratic
    # branch's gradient, NaN. That branch squares d zeroed beyond delta, as
    # where() still sends its unselected branch a zero gradient and 0 * inf
    # would make it NaN.
    beyond = magnitude > delta
    small = _C.where(beyond, 0.0, diff)
    loss = _C.where(beyond, (magnitude - 0.5 * delta) * delta, small * small * 0.5)
    # PyTorch's kernel writes into a tensor like the input: its dtype wins.
    loss = loss.to(unbroadcast.dtype)
    if weight is not None:
        if weight.size() != unbroadcast.size():
            raise ValueError("Weights and input must have the same size.")
        loss = loss * weight
    return _reduce(loss, reduction)


def margin_ranking_loss(
    input1: _C.Tensor,
    input2: _C.Tensor,
    target: _C.Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not input1.dim() == input2.dim() == target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def cosine_embedding_loss(
    input1: _C.Tensor,
    input2: _C.Tensor,
    target: _C.Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim():
        raise RuntimeError(
            f"cosine_embedding_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {input1.size()}, input2: {input2.size()}"
        )
    if input1.dim() not in (1, 2):
        raise RuntimeError(
            f"1D target tensor expects 1D or 2D input tensors, but found inputs with sizes "
            f"{input1.size()} and {input2.size()}."
        )
    dim = input1.dim() - 1
    eps = 1e-12
    dot = (input1 * input2).sum(dim)
    square1 = (input1 * input1).sum(dim) + eps
    square2 = (input2 * input2).sum(dim) + eps
    cos = dot / (square1 * square2).sqrt()
    zeros = _C.zeros_like(cos)
    positive = _C.where(target == 1, 1 - cos, zeros)
    negative = _C.where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(positive + negative, reduction)


def hinge_embedding_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """input where target is 1, max(0, margin - input) where it is -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = _C.zeros_like(input)
    # margin - input in input's dtype, as PyTorch's (a Scalar filled into a
    # tensor like input): an integer input truncates the margin, a bool one
    # meets the bool subtraction error.
    below = _C.where(target != 1, (_C.full_like(input, margin) - input).clamp_min(0), zeros)
    same = _C.where(target != -1, input, zeros)
    return _reduce(below + same, reduction)


def soft_margin_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """log(1 + exp(-target * input))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    margin = -input * target
    if margin.shape != input.shape:
        # PyTorch writes the elementwise loss into a tensor shaped like input.
        raise RuntimeError(
            f"output with shape {list(input.shape)} doesn't match the broadcast shape "
            f"{list(margin.shape)}"
        )
    return _reduce(_C.log1p(_C.exp(margin)), reduction)


def multilabel_soft_margin_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    weight: _C.Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """Binary cross-entropy of sigmoid(input) per class, averaged over classes."""
    from ..functional import logsigmoid

    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.size(class_dim)
    return _reduce(loss, reduction)


def _class_targets(input: _C.Tensor, target: _C.Tensor, what: str) -> tuple[_C.Tensor, _C.Tensor]:
    """input as (N, C) and target as (N,) or (N, C), with PyTorch's shape checks."""
    if input.dim() > 2:
        raise RuntimeError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{input.size()}"
        )
    batched = input.dim() == 2
    x = input if batched else input.reshape(1, -1)
    expected = (x.size(0),) if what == "multi" else tuple(x.shape)
    t = target.reshape(expected) if target.numel() == math.prod(expected) else None
    if t is None or (batched and target.dim() != len(expected)):
        raise RuntimeError(
            f"inconsistent target size: {target.size()} for input of size: {input.size()}"
        )
    return x, t


def _hinge(z: _C.Tensor) -> _C.Tensor:
    # PyTorch's margin kernels add z only where z > 0, so a nan term counts 0
    # (clamp_min would keep the nan).
    return _C.where(z > 0, z, _C.zeros_like(z))


def multi_margin_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: _C.Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """Multi-class hinge loss: for each sample, the mean over the other
    classes j of max(0, margin - x[y] + x[j])^p (times weight[y])."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _check_reduction(reduction)
    x, t = _class_targets(input, target, "multi")
    if weight is not None and weight.numel() != x.size(1):
        raise RuntimeError(
            f"inconsistent weight size, expected {x.size(1)} but got {list(weight.shape)}"
        )
    _require_floating(input, "multi_margin_loss_cpu_kernel")
    picked = x.gather(1, t.reshape(-1, 1))
    # margin - x[y] first, as PyTorch's kernel: with huge scores the other
    # order rounds a zero loss to the margin.
    z = _hinge(margin - picked + x)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight.index_select(0, t).reshape(-1, 1)
    others = _C.one_hot(t, x.size(1)) == 0
    loss = _C.where(others, z, _C.zeros_like(z)).sum(1) / x.size(1)
    if input.dim() < 2 and reduction == "none":
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """Multi-label hinge loss. Each target row lists class indices, ended by
    the first -1; the loss sums max(0, 1 - (x[y] - x[i])) over listed y and
    unlisted i, divided by the number of classes."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, t = _class_targets(input, target, "multilabel")
    n, c = x.shape
    # Entries before each row's first -1 are the listed classes.
    valid = (t < 0).long().cumsum(1) == 0
    index = _C.where(valid, t, _C.zeros_like(t))
    counts = _C.zeros((n, c), dtype=x.dtype).scatter_add(1, index, valid.to(x.dtype))
    is_target = counts > 0
    picked = x.gather(1, index)  # x[y_j] for each listed entry j
    pair = _hinge(1 - picked.unsqueeze(2) + x.unsqueeze(1))  # (n, j, i)
    mask = valid.unsqueeze(2).logical_and(is_target.logical_not().unsqueeze(1))
    loss = _C.where(mask, pair, _C.zeros_like(pair)).sum((1, 2)) / c
    if input.dim() < 2 and reduction == "none":
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """Negative log-likelihood of target under a Poisson distribution whose
    rate is input (exp(input) when log_input)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_input:
        loss = _C.exp(input) - target * input
    else:
        loss = input - target * _C.log(input + eps)
    if full:
        # Stirling's approximation of log(target!), counted where target > 1.
        big = target > 1
        safe = _C.where(big, target, _C.ones_like(target))
        stirling = safe * _C.log(safe) - safe + 0.5 * _C.log(2 * math.pi * safe)
        loss = loss + _C.where(big, stirling, _C.zeros_like(stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input: _C.Tensor,
    target: _C.Tensor,
    var: _C.Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> _C.Tensor:
    """Negative log-likelihood of target under Gaussians of mean input and
    variance var (clamped to at least eps without affecting its gradient)."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _C.ones_like(input) * float(var)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and (
            sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1
        ):
            pass  # one variance shared along a dim (heteroscedastic)
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (_C.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _check_triplet_dims(anchor: _C.Tensor, positive: _C.Tensor, negative: _C.Tensor) -> None:
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not a == p == n:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs"
        )


def _triplet_hinge(d_pos: _C.Tensor, d_neg: _C.Tensor, margin: float, reduction: str) -> _C.Tensor:
    # PyTorch adds margin to d_pos before subtracting d_neg; with large
    # distances the other order rounds to a different loss.
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_loss(
    anchor: _C.Tensor,
    positive: _C.Tensor,
    negative: _C.Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> _C.Tensor:
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with the
    pairwise p-norm distance d (swap: the smaller of d(a, n) and d(p, n))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_triplet_dims(anchor, positive, negative)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _C.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _triplet_hinge(d_pos, d_neg, margin, reduction)


def triplet_margin_with_distance_loss(
    anchor: _C.Tensor,
    positive: _C.Tensor,
    negative: _C.Tensor,
    *,
    distance_function: Callable[[_C.Tensor, _C.Tensor], _C.Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> _C.Tensor:
    """triplet_margin_loss with any distance function (pairwise_distance by default)."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    distance = distance_function if distance_function is not None else pairwise_distance
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = _C.minimum(d_neg, distance(positive, negative))
    return _triplet_hinge(d_pos, d_neg, margin, reduction)


def _int_list(values: _C.Tensor | Sequence[int]) -> list[int]:
    if isinstance(values, _C.Tensor):
        return [int(v) for v in values.reshape(-1).tolist()]
    return [int(v) for v in values]


# Log-probability of an unreachable state: finite, so that logsumexp's
# gradient stays 0 there instead of NaN; anything below -1e29 reads as -inf.
_NEVER = -1e30


def ctc_loss(
    log_probs: _C.Tensor,
    targets: _C.Tensor,
    input_lengths: _C.Tensor | Sequence[int],
    target_lengths: _C.Tensor | Sequence[int],
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> _C.Tensor:
    """Connectionist temporal classification loss: -log of the total
    probability of all alignments of each target to the (T, N, C)
    log-probabilities (forward algorithm in log space, over the targets
    interleaved with blanks). 'mean' divides each loss by its target length
    first."""
    _check_reduction(reduction)
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.dim() == 1 else targets
    steps, batch, classes = log_probs.shape
    if log_probs.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    in_lens, tgt_lens = _int_list(input_lengths), _int_list(target_lengths)
    if len(in_lens) != batch or len(tgt_lens) != batch:
        raise RuntimeError(
            f"input_lengths must be of size batch_size ({batch}) and target_lengths too, got "
            f"{len(in_lens)} and {len(tgt_lens)}"
        )
    too_long = [n for n in in_lens if n > steps]
    if too_long:
        raise RuntimeError(
            f"Expected input_lengths to have value at most {steps}, but got value "
            f"{too_long[0]} (while checking arguments for ctc_loss_allocate_outputs)"
        )
    flat = [int(v) for v in targets.reshape(-1).tolist()]
    rows: list[list[int]] = []
    if targets.dim() == 2:
        width = targets.size(1)
        rows = [flat[n * width : n * width + tgt_lens[n]] for n in range(batch)]
    else:
        offset = 0
        for n in range(batch):
            rows.append(flat[offset : offset + tgt_lens[n]])
            offset += tgt_lens[n]
    longest = max(tgt_lens)  # the batch is not empty (checked above)
    states = 2 * longest + 1
    # Extended labels (blank, l1, blank, l2, ..., blank) and where a path may
    # skip the blank between two different labels.
    ext = [[blank] * states for _ in range(batch)]
    skip = [[False] * states for _ in range(batch)]
    for n, row in enumerate(rows):
        for i, label in enumerate(row):
            ext[n][2 * i + 1] = label
            if i > 0 and label != row[i - 1]:
                skip[n][2 * i + 1] = True
    # reshape: an empty batch gives empty lists, which have no inner size.
    index = _C.tensor(ext, dtype=_C.int64).reshape(batch, states).expand(steps, batch, states)
    emit = log_probs.gather(2, index)  # (T, N, S') log-probability of each state's label
    never = _C.full((batch, 1), _NEVER, dtype=log_probs.dtype)
    can_skip = _C.tensor(skip, dtype=_C.bool).reshape(batch, states)
    start = _C.tensor(
        [[0.0 if s < 2 and (s == 0 or tgt_lens[n] > 0) else _NEVER for s in range(states)]
         for n in range(batch)],
        dtype=log_probs.dtype,
    ).reshape(batch, states)  # fmt: skip
    alpha = emit[0] + start
    alphas = [alpha]
    for t in range(1, steps):
        one = _C.cat([never, alpha.narrow(1, 0, states - 1)], 1)
        two = _C.cat([never, never, alpha.narrow(1, 0, states - 2)], 1) if states > 2 else None
        candidates = [alpha, one]
        if two is not None:
            candidates.append(_C.where(can_skip, two, _C.full_like(two, _NEVER)))
        alpha = _C.logsumexp(_C.stack(candidates), 0) + emit[t]
        alphas.append(alpha)
    history = _C.stack(alphas)  # (T, N, S')
    last = history.gather(
        0,
        _C.tensor([max(n - 1, 0) for n in in_lens], dtype=_C.int64).reshape(1, batch, 1)
        .expand(1, batch, states),
    ).squeeze(0)  # fmt: skip
    ends = [[2 * tgt_lens[n], max(2 * tgt_lens[n] - 1, 0)] for n in range(batch)]
    final = last.gather(1, _C.tensor(ends, dtype=_C.int64).reshape(batch, 2))
    final = _C.where(
        _C.tensor([[True, tgt_lens[n] > 0] for n in range(batch)], dtype=_C.bool)
        .reshape(batch, 2), final,
        _C.full_like(final, _NEVER),
    )  # fmt: skip
    loss = -_C.logsumexp(final, 1)
    impossible = loss > -_NEVER / 10
    if zero_infinity:
        loss = _C.where(impossible, _C.zeros_like(loss), loss)
    elif bool(impossible.any()):
        loss = _C.where(impossible, _C.full_like(loss, float("inf")), loss)
    if reduction == "mean":
        divisor = _C.tensor([max(n, 1) for n in tgt_lens], dtype=loss.dtype)
        return (loss / divisor).mean()
    if reduction == "sum":
        return loss.sum()
    return loss.squeeze(0) if unbatched else loss
