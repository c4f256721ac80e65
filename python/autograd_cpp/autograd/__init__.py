"""Reverse-mode differentiation entry points: backward and grad."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, TypeVar, overload

from .. import _C
from .._tensor import _engine_flag
from . import forward_ad, functional, graph, profiler
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .explain import explain
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Variable",
    "detect_anomaly",
    "forward_ad",
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
    "Variable",
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
    """Computes the gradients of ``tensors`` and accumulates them into the
    ``.grad`` of the graph's leaves: ``Tensor.backward`` for several outputs
    at once (their gradients are summed where the graphs meet).

    Args:
        tensors: the tensors to differentiate (one, or a sequence).
        grad_tensors: for each tensor, the gradient with respect to it
            (the ``gradient`` of ``Tensor.backward``); ``None`` entries are
            allowed for one-element tensors.
        retain_graph: keep the saved tensors for another backward. Defaults
            to ``create_graph``.
        create_graph: record the backward pass, for higher-order derivatives.
        inputs: accumulate only into these tensors.

    Examples:
        >>> import autograd_cpp as torch
        >>> x = torch.tensor(3.0, requires_grad=True)
        >>> torch.autograd.backward([x * 2, x ** 2])   # d(2x + x^2)/dx = 2 + 2x
        >>> x.grad
        tensor(8.)
    """
    tensors = _as_list(tensors)
    grads = _as_list(grad_tensors) or [None] * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"grad_tensors has {len(grads)} entries but tensors has {len(tensors)}")
    if retain_graph is None:
        retain_graph = create_graph
    _C._run_backward(
        tensors,
        grads,
        _engine_flag(retain_graph),
        _engine_flag(create_graph),
        _as_list(inputs) or [],
    )


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
    """Computes and returns the gradients of ``outputs`` with respect to
    ``inputs``, without touching any ``.grad``.

    Where ``Tensor.backward`` accumulates into every leaf, ``grad`` returns
    exactly the gradients asked for, as a tuple with one entry per input.
    With ``create_graph=True`` those gradients are themselves differentiable,
    which gives higher-order derivatives, gradient penalties and
    Hessian-vector products.

    Args:
        outputs: the tensors to differentiate (one, or a sequence).
        inputs: the tensors to differentiate with respect to (one, or a
            sequence); they may be leaves or intermediate results.
        grad_outputs: for each output, the gradient with respect to it (the
            vector of a vector-Jacobian product); ``None`` entries are
            allowed for one-element outputs.
        retain_graph: keep the saved tensors for another backward. Defaults
            to ``create_graph``.
        create_graph: record the backward pass, so that the results can be
            differentiated again.
        allow_unused: return ``None`` for an input the outputs do not
            depend on, instead of raising.
        materialize_grads: return zeros instead of ``None`` for such inputs
            (implies ``allow_unused``).

    Returns:
        A tuple of gradients, one per input, each of its input's shape.

    Raises:
        RuntimeError: when an input was not used to compute the outputs
            (unless ``allow_unused``), or for the errors of
            ``Tensor.backward``.

    Examples:
        >>> import autograd_cpp as torch
        >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
        >>> y = (x ** 3).sum()
        >>> (dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
        >>> dy_dx                                   # 3 x^2
        tensor([ 3., 12.], grad_fn=<MulBackward0>)
        >>> torch.autograd.grad(dy_dx.sum(), x)     # 6 x
        (tensor([ 6., 12.]),)
        >>> x.grad is None                          # nothing was accumulated
        True
    """
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
