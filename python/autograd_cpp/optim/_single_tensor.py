"""Pieces shared by the optimizers whose updates are written with in-place
tensor ops, one parameter at a time (PyTorch's single-tensor form, which is
also the form PyTorch runs on the CPU): option checks, per-parameter step
counters and the gradients a group's step sees."""

from __future__ import annotations

from typing import Any

from .. import _C

# The devices PyTorch allows for capturable=True; the CPU is not one of them.
_CAPTURABLE_DEVICES = ["cuda", "xla", "hpu", "xpu", "mtia", "privateuseone"]


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


def check_modes(differentiable: bool) -> None:
    if differentiable:
        raise RuntimeError(
            "differentiable=True is not supported: optimizer steps update parameters in place "
            "without recording a graph"
        )


def check_capturable(group: dict[str, Any]) -> None:
    """capturable=True needs device-resident step counters: PyTorch refuses
    it for CPU tensors at the first step, and so does this library."""
    if group.get("capturable"):
        raise AssertionError(
            "If capturable=True, params and state_steps must be on supported devices: "
            f"{_CAPTURABLE_DEVICES}."
        )


def params_with_grads(group: dict[str, Any], name: str) -> list[tuple[_C.Tensor, _C.Tensor]]:
    """(param, grad) for the group's parameters that have a gradient, with
    the gradient negated under maximize."""
    check_capturable(group)
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
