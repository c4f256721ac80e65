"""Adam and AdamW (decoupled weight decay), with amsgrad."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .. import _C
from ._single_tensor import (
    adam_moments,
    check_capturable,
    check_modes,
    new_scalar,
    params_with_grads,
)
from .optimizer import Optimizer, _grads_of, _Params, _use_grad_for_differentiable

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
        foreach: how PyTorch batches the update; accepted, and every choice
            runs the same CPU kernel.
        fused: PyTorch's fused kernel; accepted, the same CPU kernel
            (results agree with PyTorch's fused form to rounding). With
            ``foreach`` or ``differentiable`` it raises PyTorch's
            RuntimeError.
        capturable: CUDA-graph capture; on the CPU the first step raises
            PyTorch's AssertionError (unless ``fused``).
        differentiable: record the update in the autograd graph (grad mode
            on during ``step``), so the new parameters are differentiable
            functions of the old ones and of the gradients.
        decoupled_weight_decay: apply the weight decay as ``AdamW`` does.

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

    def __init__(
        self,
        params: _Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
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
        check_modes(differentiable, fused, foreach)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)  # fmt: skip
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        loss = self._run_closure(closure)
        for group in self.param_groups:
            check_capturable(group)
            if group["differentiable"]:
                self._recorded_step(group)
                continue
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
                          group["maximize"], group["decoupled_weight_decay"])  # fmt: skip
        return loss

    def _recorded_step(self, group: dict[str, Any]) -> None:
        """The update written with differentiable tensor ops (grad mode is
        on), in PyTorch's differentiable form: the bias corrections are
        tensors of the step count, and the update is one division whose
        denominator carries -step_size."""
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        for p, grad in params_with_grads(group, type(self).__name__):
            state = self.state[p]
            if not state:
                state["step"] = new_scalar(0.0)
                state["exp_avg"] = _C.zeros_like(p)
                state["exp_avg_sq"] = _C.zeros_like(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = _C.zeros_like(p)
            state["step"] += 1
            step = state["step"]
            grad = adam_moments(p, grad, state, group, beta1, beta2)
            exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
            neg_step_size = -(lr / (1 - beta1**step))
            scale = (1 - beta2**step).sqrt() * neg_step_size
            second = exp_avg_sq
            if group["amsgrad"]:
                # The old maximum is read before it is overwritten.
                state["max_exp_avg_sq"].copy_(
                    _C.maximum(state["max_exp_avg_sq"].clone(), exp_avg_sq)
                )
                second = state["max_exp_avg_sq"]
            denom = (second.sqrt() / scale).add_(eps / neg_step_size)
            p.add_(exp_avg.clone() / denom)


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
        foreach: as for ``Adam``.
        capturable: as for ``Adam``.
        differentiable: as for ``Adam``.
        fused: as for ``Adam``.

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
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)  # fmt: skip
