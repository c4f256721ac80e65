"""Helpers around parameters and their gradients."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ... import _C
from ...autograd.grad_mode import no_grad

if TYPE_CHECKING:
    from ..modules.module import Module

__all__ = ["clip_grad_norm_", "clip_grad_value_", "grad_report", "parameters_to_vector"]


def _params(parameters: _C.Tensor | Iterable[_C.Tensor]) -> list[_C.Tensor]:
    if isinstance(parameters, _C.Tensor):
        return [parameters]
    return list(parameters)


def clip_grad_norm_(
    parameters: _C.Tensor | Iterable[_C.Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> _C.Tensor:
    """Scales gradients so their joint norm is at most ``max_norm``; returns
    the norm before clipping."""
    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    if not grads:
        return _C.tensor(0.0)
    norms = _C.stack([g.norm(p=norm_type) for g in grads])
    total = norms.norm(p=norm_type)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped."
        )
    coef = float(max_norm) / (float(total) + 1e-6)
    if coef < 1:
        with no_grad():
            for g in grads:
                g.mul_(coef)
    return total


def clip_grad_value_(parameters: _C.Tensor | Iterable[_C.Tensor], clip_value: float) -> None:
    with no_grad():
        for p in _params(parameters):
            if p.grad is not None:
                p.grad.clamp_(-clip_value, clip_value)


def parameters_to_vector(parameters: _C.Tensor | Iterable[_C.Tensor]) -> _C.Tensor:
    return _C.cat([p.reshape(-1) for p in _params(parameters)])


def grad_report(module: Module) -> dict[str, list[str]]:
    """After backward(): the names of the parameters whose gradient is
    missing, zero everywhere, or not finite, as {"none": [...], "zero": [...],
    "nonfinite": [...]}. autograd.explain(loss, param) says why for one."""
    report: dict[str, list[str]] = {"none": [], "zero": [], "nonfinite": []}
    for name, p in module.named_parameters():
        if not p.requires_grad:
            continue
        g = p.grad
        if g is None:
            report["none"].append(name)
        elif not bool(g.isfinite().all().item()):
            report["nonfinite"].append(name)
        elif g.numel() > 0 and not bool((g.abs().sum() > 0).item()):
            report["zero"].append(name)
    return report
