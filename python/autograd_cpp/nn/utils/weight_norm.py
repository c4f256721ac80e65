"""Weight normalisation (Salimans & Kingma, 2016) through a forward
pre-hook: the weight is recomputed from a magnitude g and a direction v
before every call, as torch.nn.utils.weight_norm does."""

from __future__ import annotations

import warnings
from typing import TypeVar

from ... import _C
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["weight_norm", "remove_weight_norm"]

_M = TypeVar("_M", bound=Module)


def norm_except_dim(v: _C.Tensor, pow: float = 2, dim: int = 0) -> _C.Tensor:
    """The p-norm of v over every dim but dim (kept, others size 1); dim=-1: the whole norm."""
    if dim == -1:
        return v.norm(p=pow)
    dim = dim % v.dim()
    moved = v.movedim(dim, 0)
    norms = moved.reshape(moved.size(0), -1).norm(p=pow, dim=1)
    shape = [1] * v.dim()
    shape[dim] = v.size(dim)
    return norms.reshape(shape)


class WeightNorm:
    """The forward pre-hook that recomputes ``name`` from ``name_g`` and ``name_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module) -> _C.Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        result: _C.Tensor = v * (g / norm_except_dim(v, 2, self.dim))
        return result

    @staticmethod
    def apply(module: Module, name: str, dim: int) -> WeightNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two weight_norm hooks on the same parameter {name}"
                )
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: object) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: _M, name: str = "weight", dim: int | None = 0) -> _M:
    """Replaces ``module.<name>`` by g * v / ||v|| (norm over all dims but
    dim; dim=None: over the whole tensor), with parameters ``<name>_g`` and
    ``<name>_v``, recomputed before each forward."""
    warnings.warn(
        "`torch.nn.utils.weight_norm` is deprecated in favor of "
        "`torch.nn.utils.parametrizations.weight_norm`.",
        FutureWarning,
        stacklevel=2,
    )
    WeightNorm.apply(module, name, -1 if dim is None else dim)
    return module


def remove_weight_norm(module: _M, name: str = "weight") -> _M:
    """Undoes weight_norm: ``<name>`` becomes a plain parameter again."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
