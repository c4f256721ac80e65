"""Adagrad: per-coordinate learning rates from the running sum of squared
gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .. import _C
from ._single_tensor import check_modes, check_value, new_scalar, params_with_grads
from .optimizer import Optimizer, _Params, _use_grad_for_differentiable

_L = TypeVar("_L")

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.): each coordinate's step is lr divided by the
    root of its accumulated squared gradients (plus eps); lr itself decays
    as lr / (1 + (step - 1) * lr_decay). State (step, sum) exists for every
    parameter from construction, as in PyTorch."""

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_value(0.0 <= lr, "learning rate", lr)
        check_value(0.0 <= lr_decay, "lr_decay value", lr_decay)
        check_value(0.0 <= weight_decay, "weight_decay value", weight_decay)
        check_value(
            0.0 <= initial_accumulator_value,
            "initial_accumulator_value value",
            initial_accumulator_value,
        )
        check_value(0.0 <= eps, "epsilon value", eps)
        check_modes(differentiable, fused, foreach)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)  # fmt: skip
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = new_scalar(0.0)
                state["sum"] = _C.full_like(p, group["initial_accumulator_value"])

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, eps = group["lr"], group["eps"]
            for p, grad in params_with_grads(group, "Adagrad"):
                state = self.state[p]
                state["step"] += 1
                step = state["step"].item()
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                clr = lr / (1 + (step - 1) * group["lr_decay"])
                total = state["sum"]
                total.add_(grad * grad)
                p.add_(grad / total.sqrt().add(eps), alpha=-clr)
        return loss
