"""RMSprop, optionally centered and with momentum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .. import _C
from ._single_tensor import addcmul_term, check_capturable, new_scalar, params_with_grads
from .optimizer import Optimizer, _grads_of, _Params, _use_grad_for_differentiable

_L = TypeVar("_L")

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: divides each gradient by a running root mean square of the
    recent gradients, so that every element gets a step size of its own.

    Each step: ``v = alpha * v + (1 - alpha) * g**2``; with ``centered``, the
    running mean of ``g`` squared is subtracted from ``v``; then ``p -= lr *
    g / (sqrt(v) + eps)``, through a momentum buffer when ``momentum > 0``.

    Args:
        params: the tensors to optimize (such as ``model.parameters()``), or
            parameter groups: dicts with ``"params"`` and options of their own.
        lr: the learning rate.
        alpha: the decay rate of the running average of squared gradients.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty, added to the gradient.
        momentum: the momentum factor (0 for none).
        centered: normalise by an estimate of the gradient's variance.
        capturable: CUDA-graph capture; on the CPU the first step raises
            PyTorch's AssertionError.
        foreach: how PyTorch batches the update; accepted (one CPU kernel).
        maximize: ascend the objective instead of descending it.
        differentiable: record the update in the autograd graph (grad mode
            on during ``step``).

    Examples:
        >>> import autograd_cpp as torch
        >>> _ = torch.manual_seed(0)
        >>> model = torch.nn.Linear(3, 1)
        >>> opt = torch.optim.RMSprop(model.parameters(), lr=0.01)
        >>> x, y = torch.randn(16, 3), torch.randn(16, 1)
        >>> for _ in range(100):
        ...     loss = torch.nn.functional.mse_loss(model(x), y)
        ...     opt.zero_grad()
        ...     loss.backward()
        ...     opt.step()
        >>> first = torch.nn.functional.mse_loss(torch.nn.Linear(3, 1)(x), y)
        >>> bool(loss < first)
        True
    """

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            check_capturable(group)
            if group["differentiable"]:
                self._recorded_step(group)
                continue
            params, grads = _grads_of(group, "RMSprop")
            sq: list[_C.Tensor] = []
            bufs: list[_C.Tensor | None] = []
            gavg: list[_C.Tensor | None] = []
            for p in params:
                state = self._state_of(p, group, _C.tensor)
                state["step"] += 1
                sq.append(state["square_avg"])
                bufs.append(state.get("momentum_buffer"))
                gavg.append(state.get("grad_avg"))
            _C._rmsprop_step(params, grads, sq, bufs, gavg, group["lr"], group["alpha"],
                             group["eps"], group["weight_decay"], group["momentum"],
                             group["centered"], group["maximize"])  # fmt: skip
        return loss

    def _state_of(
        self, p: _C.Tensor, group: dict[str, Any], scalar: Callable[[float], _C.Tensor]
    ) -> dict[str, Any]:
        """p's state, made on its first step (the step count a tensor made by
        ``scalar``)."""
        state = self.state[p]
        if not state:
            state["step"] = scalar(0.0)
            state["square_avg"] = _C.zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = _C.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = _C.zeros_like(p)
        return state

    def _recorded_step(self, group: dict[str, Any]) -> None:
        """The update written with differentiable tensor ops (grad mode is
        on), in PyTorch's single-tensor form."""
        lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
        for p, grad in params_with_grads(group, "RMSprop"):
            state = self._state_of(p, group, new_scalar)
            state["step"] += 1
            if wd != 0:
                grad = grad.add(p, alpha=wd)
            square_avg = state["square_avg"]
            square_avg.mul_(alpha).add_(addcmul_term(1 - alpha, grad, grad))
            if group["centered"]:
                grad_avg = state["grad_avg"]
                grad_avg.lerp_(grad, 1 - alpha)
                avg = (square_avg - grad_avg * grad_avg).sqrt()
            else:
                avg = square_avg.sqrt()
            avg = avg.add(eps)
            if group["momentum"] > 0:
                buf = state["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(grad / avg)
                p.add_(buf, alpha=-lr)
            else:
                p.add_(grad / avg, alpha=-lr)
