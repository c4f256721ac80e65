"""Adadelta: steps scaled by the ratio of running RMS of updates and of gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .. import _C
from ._single_tensor import addcmul_term, check_modes, check_value, new_scalar, params_with_grads
from .optimizer import Optimizer, _Params, _use_grad_for_differentiable

_L = TypeVar("_L")

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler): each step is grad * RMS(past updates) / RMS(past
    gradients) with running averages of factor rho, times lr."""

    def __init__(
        self,
        params: _Params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_value(0.0 <= lr, "learning rate", lr)
        check_value(0.0 <= rho <= 1.0, "rho value", rho)
        check_value(0.0 <= eps, "epsilon value", eps)
        check_value(0.0 <= weight_decay, "weight_decay value", weight_decay)
        check_modes(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            rho, eps = group["rho"], group["eps"]
            for p, grad in params_with_grads(
                group, "Adadelta", capturable_devices=["cuda", "xpu", "hpu", "privateuseone"]
            ):
                state = self.state[p]
                if not state:
                    state["step"] = new_scalar(0.0)
                    state["square_avg"] = _C.zeros_like(p)
                    state["acc_delta"] = _C.zeros_like(p)
                state["step"] += 1
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                square_avg.mul_(rho).add_(addcmul_term(1 - rho, grad, grad))
                std = square_avg.add(eps).sqrt()
                delta = acc_delta.add(eps).sqrt().div(std).mul(grad)
                acc_delta.mul_(rho).add_(addcmul_term(1 - rho, delta, delta))
                p.add_(delta, alpha=-group["lr"])
        return loss
