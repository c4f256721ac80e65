"""Pieces shared by the optimizers whose updates are written with in-place
tensor ops, one parameter at a time (PyTorch's single-tensor form, which is
also the form PyTorch runs on the CPU): option checks, per-parameter step
counters and the gradients a group's step sees."""

from __future__ import annotations

from typing import Any

from .. import _C

# The devices PyTorch 2.13's capturable=True allows (listed in its error);
# the CPU is not one of them.
_CAPTURABLE_DEVICES = ["cuda", "xpu", "hpu", "privateuseone", "xla"]


def scalar_dtype() -> _C.dtype:
    """The dtype of scalar state (step counts, NAdam's mu product, ASGD's
    eta and mu): float64 when that is the default dtype, else float32, as in
    PyTorch, so these values round as PyTorch's do."""
    return _C.float64 if _C.get_default_dtype() == _C.float64 else _C.float32


def new_scalar(value: float) -> _C.Tensor:
    return _C.tensor(float(value), dtype=scalar_dtype())


def check_value(ok: bool, what: str, value: object) -> None:
    """Raises PyTorch's ValueError ("Invalid learning rate: -1") unless ok."""
    if not ok:
        raise ValueError(f"Invalid {what}: {value}")


def check_modes(
    differentiable: bool, fused: bool | None = None, foreach: bool | None = None
) -> None:
    """PyTorch's construction errors for incompatible execution options.
    Every option combination it accepts is accepted: ``foreach`` and
    ``fused`` choose how PyTorch batches the update, not what it computes,
    and on the CPU this library runs one kernel for all of them (its results
    agree with PyTorch's fused and single-tensor forms to rounding);
    ``differentiable`` runs the step with grad mode on."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def check_capturable(
    group: dict[str, Any],
    tensors: str = "params and state_steps",
    devices: list[str] = _CAPTURABLE_DEVICES,  # noqa: B006 - read only
) -> None:
    """capturable=True needs device-resident step counters: PyTorch refuses
    it for CPU tensors at the first step (a fused step never checks), and so
    does this library."""
    if group.get("capturable") and not group.get("fused"):
        raise AssertionError(
            f"If capturable=True, {tensors} must be on supported devices: {devices}."
        )


def params_with_grads(
    group: dict[str, Any],
    name: str,
    capturable_tensors: str = "params and state_steps",
    capturable_devices: list[str] = _CAPTURABLE_DEVICES,  # noqa: B006 - read only
) -> list[tuple[_C.Tensor, _C.Tensor]]:
    """(param, grad) for the group's parameters that have a gradient, with
    the gradient negated under maximize."""
    check_capturable(group, capturable_tensors, capturable_devices)
    pairs = []
    for p in group["params"]:
        grad = p.grad
        if grad is None:
            continue
        pairs.append((p, -grad if group.get("maximize") else grad))
    return pairs


def addcmul_term(value: float, a: _C.Tensor, b: _C.Tensor) -> _C.Tensor:
    """value * a * b, multiplied left to right as PyTorch's addcmul does, so
    running sums of squares round as PyTorch's do."""
    return a.mul(value).mul_(b) if value != 1 else a * b


def adam_moments(
    p: _C.Tensor,
    grad: _C.Tensor,
    state: dict[str, Any],
    group: dict[str, Any],
    beta1: float,
    beta2: float,
) -> _C.Tensor:
    """Adam's weight decay (decoupled or added to the gradient) and its two
    running moments, updated in place in state; returns the decayed grad."""
    lr, wd = group["lr"], group["weight_decay"]
    if wd != 0:
        if group["decoupled_weight_decay"]:
            p.mul_(1 - lr * wd)
        else:
            grad = grad.add(p, alpha=wd)
    state["exp_avg"].lerp_(grad, 1 - beta1)
    state["exp_avg_sq"].mul_(beta2).add_(addcmul_term(1 - beta2, grad, grad))
    return grad
