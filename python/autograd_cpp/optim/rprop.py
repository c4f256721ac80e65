"""Rprop: resilient backpropagation, steps from gradient signs only."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .. import _C
from ._single_tensor import check_modes, check_value, new_scalar, params_with_grads
from .optimizer import Optimizer, _Params, _use_grad_for_differentiable

_L = TypeVar("_L")

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop (Riedmiller & Braun): each coordinate keeps its own step size,
    grown by etas[1] while the gradient keeps its sign and shrunk by etas[0]
    when it flips (that step is then skipped), clamped to step_sizes."""

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_value(0.0 <= lr, "learning rate", lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_modes(differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)  # fmt: skip
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            smallest, largest = group["step_sizes"]
            for p, grad in params_with_grads(group, "Rprop"):
                state = self.state[p]
                if not state:
                    state["step"] = new_scalar(0.0)
                    state["prev"] = _C.zeros_like(p)
                    state["step_size"] = _C.full_like(grad, group["lr"])
                state["step"] += 1
                prev, step_size = state["prev"], state["step_size"]
                sign = grad.mul(prev).sign()
                # Built in the gradient's dtype, so etas are not rounded to float32.
                factor = _C.where(
                    sign > 0, etaplus, _C.where(sign < 0, etaminus, _C.ones_like(sign))
                )
                step_size.mul_(factor).clamp_(smallest, largest)
                # Where the sign flipped the step is skipped, and the next
                # step starts from a zero previous gradient.
                grad = _C.where(factor == etaminus, 0.0, grad)
                p.sub_(grad.sign() * step_size)
                prev.copy_(grad)
        return loss
