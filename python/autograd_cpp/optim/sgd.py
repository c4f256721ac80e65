"""Stochastic gradient descent with momentum, dampening, Nesterov and
weight decay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .. import _C
from ._single_tensor import check_modes, params_with_grads
from .optimizer import Optimizer, _grads_of, _Params, _use_grad_for_differentiable, required

_L = TypeVar("_L")

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (classical or
    Nesterov), dampening and weight decay; PyTorch's update rule.

    Each step, with gradient ``g`` of parameter ``p``: ``g += weight_decay *
    p``; with momentum, ``b = momentum * b + (1 - dampening) * g`` (``b = g``
    at the first step) and ``g = b``, or ``g += momentum * b`` with Nesterov;
    then ``p -= lr * g`` (``p += lr * g`` with ``maximize``).

    Args:
        params: the tensors to optimize (such as ``model.parameters()``), or
            parameter groups: dicts with ``"params"`` and options of their own.
        lr: the learning rate.
        momentum: the momentum factor (0 for none).
        dampening: how much of each new gradient the momentum buffer damps.
        weight_decay: L2 penalty: adds ``weight_decay * p`` to the gradient.
        nesterov: use Nesterov momentum (needs momentum and no dampening).
        maximize: ascend the objective instead of descending it.
        foreach: how PyTorch batches the update; accepted, and every choice
            runs the same CPU kernel.
        fused: PyTorch's fused kernel; accepted, the same CPU kernel. With
            ``foreach`` or ``differentiable`` it raises PyTorch's
            RuntimeError.
        differentiable: record the update in the autograd graph (grad mode
            on during ``step``).

    Examples:
        >>> import autograd_cpp as torch
        >>> _ = torch.manual_seed(0)
        >>> model = torch.nn.Linear(3, 1)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
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
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        # lr may also be the `required` marker of PyTorch's old signature.
        if lr is not required and lr < 0.0:  # type: ignore[comparison-overlap]
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)  # fmt: skip
        check_modes(differentiable, fused, foreach)
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            if group["differentiable"]:
                self._recorded_step(group)
                continue
            params, grads = _grads_of(group, "SGD")
            bufs: list[_C.Tensor | None] = []
            first: list[bool] = []
            for p in params:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if group["momentum"] != 0 and buf is None:
                    buf = _C.empty_like(p)
                    state["momentum_buffer"] = buf
                    first.append(True)
                else:
                    first.append(False)
                bufs.append(buf if group["momentum"] != 0 else None)
            _C._sgd_step(params, grads, bufs, first, group["lr"], group["momentum"],
                         group["dampening"], group["weight_decay"], group["nesterov"],
                         group["maximize"])  # fmt: skip
        return loss

    def _recorded_step(self, group: dict[str, Any]) -> None:
        """The update written with differentiable tensor ops (grad mode is
        on), as PyTorch's differentiable SGD: the first momentum buffer is a
        detached copy of the gradient."""
        lr, wd, momentum = group["lr"], group["weight_decay"], group["momentum"]
        for p, grad in params_with_grads(group, "SGD"):
            if wd != 0:
                grad = grad.add(p, alpha=wd)
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = grad.detach().clone()
                    state["momentum_buffer"] = buf
                else:
                    buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
                grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
            p.add_(grad, alpha=-lr)
