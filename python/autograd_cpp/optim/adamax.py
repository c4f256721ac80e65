"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .. import _C
from ._single_tensor import check_modes, check_value, new_scalar, params_with_grads
from .optimizer import Optimizer, _Params, _use_grad_for_differentiable

_L = TypeVar("_L")

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba): the first moment as in Adam, divided by an
    exponentially weighted infinity norm of past gradients."""

    def __init__(
        self,
        params: _Params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_value(0.0 <= lr, "learning rate", lr)
        check_value(0.0 <= eps, "epsilon value", eps)
        check_value(0.0 <= betas[0] < 1.0, "beta parameter at index 0", betas[0])
        check_value(0.0 <= betas[1] < 1.0, "beta parameter at index 1", betas[1])
        check_value(0.0 <= weight_decay, "weight_decay value", weight_decay)
        check_modes(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)  # fmt: skip
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p, grad in params_with_grads(group, "Adamax"):
                state = self.state[p]
                if not state:
                    state["step"] = new_scalar(0.0)
                    state["exp_avg"] = _C.zeros_like(p)
                    state["exp_inf"] = _C.zeros_like(p)
                state["step"] += 1
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_inf.copy_(_C.maximum(exp_inf.mul(beta2), grad.abs().add(group["eps"])))
                clr = group["lr"] / (1 - beta1 ** state["step"].item())
                p.add_(exp_avg / exp_inf, alpha=-clr)
        return loss
