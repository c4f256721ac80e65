"""NAdam: Adam with Nesterov momentum."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .. import _C
from ._single_tensor import addcmul_term, check_modes, check_value, new_scalar, params_with_grads
from .optimizer import Optimizer, _Params, _use_grad_for_differentiable

_L = TypeVar("_L")

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (Dozat): Adam whose momentum looks one step ahead, with the
    momentum schedule mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay));
    weight decay as L2 or, with decoupled_weight_decay, as in AdamW."""

    def __init__(
        self,
        params: _Params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        check_value(0.0 <= momentum_decay, "momentum_decay value", momentum_decay)
        check_modes(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p, grad in params_with_grads(group, "NAdam", "params, mu_products and state_steps"):
                state = self.state[p]
                if not state:
                    state["step"] = new_scalar(0.0)
                    # A scalar tensor, so its products round as PyTorch's.
                    state["mu_product"] = new_scalar(1.0)
                    state["exp_avg"] = _C.zeros_like(p)
                    state["exp_avg_sq"] = _C.zeros_like(p)
                state["step"] += 1
                step = state["step"].item()
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        p.mul_(1 - lr * wd)
                    else:
                        grad = grad.add(p, alpha=wd)
                decay = group["momentum_decay"]
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
                mu_product = state["mu_product"]
                mu_product.mul_(mu)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_avg_sq.mul_(beta2).add_(addcmul_term(1 - beta2, grad, grad))
                denom = exp_avg_sq.div(1 - beta2**step).sqrt().add(eps)
                product = mu_product.item()
                p.add_(grad / denom, alpha=-lr * (1.0 - mu) / (1.0 - product))
                p.add_(exp_avg / denom, alpha=(-lr * mu_next) / (1.0 - product * mu_next))
        return loss
