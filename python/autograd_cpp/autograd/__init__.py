"""Reverse-mode differentiation entry points: backward and grad."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, TypeVar, overload

from .. import _C
from . import functional, graph, profiler
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .explain import explain
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "detect_anomaly",
    "functional",
    "graph",
    "profiler",
    "is_anomaly_enabled",
    "once_differentiable",
    "set_detect_anomaly",
    "backward",
    "enable_grad",
    "explain",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "no_grad",
    "set_grad_enabled",
]


_T = TypeVar("_T")


@overload
def _as_list(value: None) -> None: ...
@overload
def _as_list(value: _C.Tensor | Iterable[_T]) -> list[_C.Tensor | _T]: ...
def _as_list(value: _C.Tensor | Iterable[_T] | None) -> list[_C.Tensor | _T] | None:
    if value is None:
        return None
    if isinstance(value, _C.Tensor):
        return [value]
    return list(value)


def backward(
    tensors: _C.Tensor | Sequence[_C.Tensor],
    grad_tensors: _C.Tensor | Sequence[_C.Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: _C.Tensor | Sequence[_C.Tensor] | None = None,
) -> None:
    """Accumulates gradients of ``tensors`` into the leaves' ``.grad``."""
    tensors = _as_list(tensors)
    grads = _as_list(grad_tensors) or [None] * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"grad_tensors has {len(grads)} entries but tensors has {len(tensors)}")
    if retain_graph is None:
        retain_graph = create_graph
    _C._run_backward(tensors, grads, retain_graph, create_graph, _as_list(inputs) or [])


# Without allow_unused, or with materialize_grads, every gradient is a tensor;
# otherwise an input the outputs do not depend on gets None.
@overload
def grad(
    outputs: _C.Tensor | Sequence[_C.Tensor],
    inputs: _C.Tensor | Sequence[_C.Tensor],
    grad_outputs: _C.Tensor | Sequence[_C.Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: Literal[False] | None = None,
    materialize_grads: bool = False,
) -> tuple[_C.Tensor, ...]: ...
@overload
def grad(
    outputs: _C.Tensor | Sequence[_C.Tensor],
    inputs: _C.Tensor | Sequence[_C.Tensor],
    grad_outputs: _C.Tensor | Sequence[_C.Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    *,
    materialize_grads: Literal[True],
) -> tuple[_C.Tensor, ...]: ...
@overload
def grad(
    outputs: _C.Tensor | Sequence[_C.Tensor],
    inputs: _C.Tensor | Sequence[_C.Tensor],
    grad_outputs: _C.Tensor | Sequence[_C.Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[_C.Tensor | None, ...]: ...
def grad(
    outputs: _C.Tensor | Sequence[_C.Tensor],
    inputs: _C.Tensor | Sequence[_C.Tensor],
    grad_outputs: _C.Tensor | Sequence[_C.Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[_C.Tensor | None, ...]:
    """Returns the gradients of ``outputs`` with respect to ``inputs``."""
    outputs = _as_list(outputs)
    input_list = _as_list(inputs)
    grads = _as_list(grad_outputs) or [None] * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    result = _C._run_grad(outputs, input_list, grads, retain_graph, create_graph, allow_unused)
    if materialize_grads:
        from .. import zeros_like

        result = tuple(g if g is not None else zeros_like(x) for g, x in zip(result, input_list))
    return result
