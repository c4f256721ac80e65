"""RAdam: Adam with the variance of the adaptive learning rate rectified."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .. import _C
from ._single_tensor import adam_moments, check_modes, check_value, new_scalar, params_with_grads
from .optimizer import Optimizer, _Params, _use_grad_for_differentiable

_L = TypeVar("_L")

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (Liu et al.): plain momentum steps while the second-moment
    estimate is unreliable (rho_t <= 5), then Adam steps scaled by the
    rectification term; weight decay as L2 or, with decoupled_weight_decay,
    as in AdamW."""

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_value(0.0 <= lr, "learning rate", lr)
        check_value(0.0 <= eps, "epsilon value", eps)
        check_value(0.0 <= betas[0] < 1.0, "beta parameter at index 0", betas[0])
        check_value(0.0 <= betas[1] < 1.0, "beta parameter at index 1", betas[1])
        check_value(0.0 <= weight_decay, "weight_decay value", weight_decay)
        check_modes(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, eps = group["lr"], group["eps"]
            beta1, beta2 = group["betas"]
            rho_inf = 2 / (1 - beta2) - 1
            for p, grad in params_with_grads(group, "RAdam"):
                state = self.state[p]
                if not state:
                    state["step"] = new_scalar(0.0)
                    state["exp_avg"] = _C.zeros_like(p)
                    state["exp_avg_sq"] = _C.zeros_like(p)
                state["step"] += 1
                step = state["step"].item()
                grad = adam_moments(p, grad, state, group, beta1, beta2)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                correction2 = 1 - beta2**step
                corrected_avg = exp_avg / (1 - beta1**step)
                rho_t = rho_inf - 2 * step * (beta2**step) / correction2
                if rho_t > 5.0:
                    rect = (
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    ) ** 0.5
                    adaptive = (correction2**0.5) / exp_avg_sq.sqrt().add(eps)
                    p.add_(corrected_avg * lr * adaptive * rect, alpha=-1.0)
                else:
                    p.add_(corrected_avg * lr, alpha=-1.0)
        return loss
