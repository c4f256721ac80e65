"""Helpers around parameters and their gradients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import clip_grad as clip_grad
from . import convert_parameters as convert_parameters
from . import parametrizations as parametrizations
from . import parametrize as parametrize
from . import rnn as rnn
from . import stateless as stateless
from .clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

if TYPE_CHECKING:
    from ..modules.module import Module

__all__ = [
    "clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "clip_grads_with_norm_",
    "get_total_norm", "parameters_to_vector", "vector_to_parameters", "grad_report", "rnn",
    "weight_norm", "remove_weight_norm", "spectral_norm", "remove_spectral_norm", "parametrize",
    "parametrizations", "stateless", "skip_init",
]  # fmt: skip


def skip_init(module_cls: type[Any], *args: Any, **kwargs: Any) -> Any:
    """module_cls(*args, **kwargs); PyTorch skips the initialisation (values
    unspecified), this library runs it (the cost is small on CPU)."""
    if "device" not in __import__("inspect").signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)


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
