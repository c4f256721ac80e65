"""Gradient clipping by total norm or by value, in place."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ... import _C
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]  # fmt: skip

_Tensors = _C.Tensor | Iterable[_C.Tensor]


def _as_list(tensors: _Tensors) -> list[_C.Tensor]:
    if isinstance(tensors, _C.Tensor):
        return [tensors]
    return list(tensors)


def _norm_type(norm_type: float | str) -> float:
    return math.inf if norm_type in ("inf", math.inf) else float(norm_type)


def _vector_norm(t: _C.Tensor, p: float) -> _C.Tensor:
    if p == math.inf:
        return t.abs().amax() if t.numel() else _C.zeros((), dtype=t.dtype)
    return t.norm(p=p)


def get_total_norm(
    tensors: _Tensors,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> _C.Tensor:
    """The norm of the norms of the tensors (the norm of their concatenation)."""
    items = _as_list(tensors)
    p = _norm_type(norm_type)
    if not items:
        return _C.tensor(0.0)
    with no_grad():
        total = _vector_norm(_C.stack([_vector_norm(t, p) for t in items]), p)
    if error_if_nonfinite and not bool(total.isfinite().item()):
        raise RuntimeError(
            f"The total norm of order {float(p)} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(
    parameters: _Tensors,
    max_norm: float,
    total_norm: _C.Tensor,
    foreach: bool | None = None,
) -> None:
    """Scales the gradients by max_norm / (total_norm + 1e-6) where that is below 1."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    with no_grad():
        coef = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.dtype))


def clip_grad_norm_(
    parameters: _Tensors,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> _C.Tensor:
    """Scales the gradients so that their joint norm is at most max_norm;
    returns the norm before clipping."""
    params = _as_list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(
    parameters: _Tensors,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> _C.Tensor:
    """clip_grad_norm_ under its deprecated name."""
    import warnings

    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: _Tensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamps every gradient to [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(-clip_value, clip_value)
