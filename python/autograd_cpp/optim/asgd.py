"""ASGD: averaged stochastic gradient descent."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .. import _C
from ._single_tensor import check_modes, check_value, new_scalar, params_with_grads
from .optimizer import Optimizer, _Params, _use_grad_for_differentiable

_L = TypeVar("_L")

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD (Polyak & Juditsky): SGD with a decaying step size
    eta = lr / (1 + lambd * lr * t) ** alpha, keeping in state "ax" the
    average of the iterates from step t0 on."""

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_value(0.0 <= lr, "learning rate", lr)
        check_value(0.0 <= weight_decay, "weight_decay value", weight_decay)
        check_modes(differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)  # fmt: skip
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, lambd = group["lr"], group["lambd"]
            for p, grad in params_with_grads(group, "ASGD", "params, mus, etas, and state_steps"):
                state = self.state[p]
                if not state:
                    # eta and mu are scalar tensors, so they round as PyTorch's.
                    state["step"] = new_scalar(0.0)
                    state["eta"] = new_scalar(lr)
                    state["mu"] = new_scalar(1.0)
                    state["ax"] = _C.zeros_like(p)
                state["step"] += 1
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                eta = state["eta"].item()
                p.mul_(1 - lambd * eta)
                p.add_(grad, alpha=-eta)
                mu, ax = state["mu"], state["ax"]
                if mu.item() != 1:
                    ax.add_(p.sub(ax).mul(mu))
                else:
                    ax.copy_(p)
                step = state["step"].item()
                # New values pass through a default-dtype tensor, as PyTorch's do.
                state["eta"].copy_(_C.tensor(lr / ((1 + lambd * lr * step) ** group["alpha"])))
                mu.copy_(_C.tensor(1 / max(1, step - group["t0"])))
        return loss
