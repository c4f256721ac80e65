"""Adam and AdamW (decoupled weight decay), with amsgrad."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .. import _C
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, _grads_of, _Params

_L = TypeVar("_L")

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam: adaptive moment estimation (Kingma and Ba), PyTorch's variant.

    Each parameter moves by ``lr * m / (sqrt(v) + eps)``, where ``m`` and
    ``v`` are bias-corrected running averages of its gradient and squared
    gradient, so every element gets a step size of its own.

    Args:
        params: the tensors to optimize (such as ``model.parameters()``), or
            parameter groups: dicts with ``"params"`` and options of their own.
        lr: the learning rate.
        betas: the decay rates of the running averages of the gradient and
            of its square.
        eps: added to the denominator for numerical stability.
        weight_decay: L2 penalty, added to the gradient (``AdamW`` applies
            it to the parameters instead).
        amsgrad: use the maximum of all past ``v`` (the AMSGrad variant).
        maximize: ascend the objective instead of descending it.

    Examples:
        >>> import autograd_cpp as torch
        >>> _ = torch.manual_seed(0)
        >>> model = torch.nn.Linear(3, 1)
        >>> opt = torch.optim.Adam(model.parameters(), lr=0.05)
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

    _decoupled = False

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize)  # fmt: skip
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            params, grads = _grads_of(group, type(self).__name__)
            m1: list[_C.Tensor] = []
            m2: list[_C.Tensor] = []
            mx: list[_C.Tensor | None] = []
            steps: list[_C.Tensor] = []
            for p in params:
                state = self.state[p]
                if not state:
                    state["step"] = _C.tensor(0.0)
                    state["exp_avg"] = _C.zeros_like(p)
                    state["exp_avg_sq"] = _C.zeros_like(p)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = _C.zeros_like(p)
                state["step"] += 1
                m1.append(state["exp_avg"])
                m2.append(state["exp_avg_sq"])
                mx.append(state.get("max_exp_avg_sq"))
                steps.append(state["step"])
            beta1, beta2 = group["betas"]
            _C._adam_step(params, grads, m1, m2, mx, steps, group["lr"], beta1, beta2,
                          group["eps"], group["weight_decay"], group["amsgrad"],
                          group["maximize"], self._decoupled)  # fmt: skip
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): each step
    first multiplies the parameters by ``1 - lr * weight_decay``, then makes
    Adam's update, instead of adding the decay to the gradient where Adam's
    scaling would weaken it.

    Args:
        params: the tensors to optimize (such as ``model.parameters()``), or
            parameter groups: dicts with ``"params"`` and options of their own.
        lr: the learning rate.
        betas: the decay rates of the running averages of the gradient and
            of its square.
        eps: added to the denominator for numerical stability.
        weight_decay: the decoupled weight decay coefficient.
        amsgrad: use the maximum of all past squared-gradient averages.
        maximize: ascend the objective instead of descending it.

    Examples:
        >>> import autograd_cpp as torch
        >>> _ = torch.manual_seed(0)
        >>> model = torch.nn.Linear(3, 1)
        >>> opt = torch.optim.AdamW(model.parameters(), lr=0.05)
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

    _decoupled = True

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
