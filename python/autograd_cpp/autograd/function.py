"""Custom differentiable functions: subclass Function, write forward and
backward as static methods, call apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .. import _C
from .grad_mode import no_grad

_R = TypeVar("_R")

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The ``ctx`` passed to forward and backward: saves tensors for the
    backward pass (with in-place modification checks) and carries flags."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._to_save: tuple[_C.Tensor | None, ...] | None = None
        self._non_differentiable: tuple[_C.Tensor, ...] = ()
        self._dirty: tuple[_C.Tensor, ...] = ()
        self._materialize_grads = True
        self._node: _C._FunctionNodeRef | None = None

    def save_for_backward(self, *tensors: _C.Tensor | None) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, _C.Tensor):
                raise TypeError(
                    "save_for_backward can only save tensors (or None), but got "
                    f"{type(t).__name__}; store other values as attributes of ctx"
                )
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple[_C.Tensor | None, ...]:
        if self._node is None:
            return tuple(self._to_save or ())
        return self._node.saved_tensors()

    def mark_non_differentiable(self, *tensors: _C.Tensor) -> None:
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors: _C.Tensor) -> None:
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize_grads = bool(value)


class Function:
    """Base class of custom autograd operations::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    y = Exp.apply(x)   # y.grad_fn is <ExpBackward object ...>
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            "Function instances are not used directly: call the class's static "
            "apply method, e.g. MyFunction.apply(x)."
        )

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom Function.")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement the backward function for custom Function.")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        tensors = [a for a in args if isinstance(a, _C.Tensor)]
        needs = tuple(isinstance(a, _C.Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with no_grad():
            outputs = cls.forward(ctx, *args)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if _C.is_grad_enabled() and any(needs):
            dirty = {id(t) for t in ctx._dirty}
            # An input returned unchanged gets a fresh alias, so the node's
            # history attaches to the output and not to the caller's input.
            outs = tuple(
                o.detach()
                if isinstance(o, _C.Tensor) and id(o) not in dirty and any(o is t for t in tensors)
                else o
                for o in outs
            )
            ctx._node = _C._record_function(
                cls.__name__ + "Backward",
                cls.backward,
                ctx,
                list(args),
                [o for o in outs if isinstance(o, _C.Tensor)],
                list(ctx._non_differentiable),
                list(ctx._dirty),
                [t for t in (ctx._to_save or ())],
                ctx._materialize_grads,
            )
            ctx._to_save = None
        return outs[0] if single else outs


def once_differentiable(backward: Callable[..., _R]) -> Callable[..., _R]:
    """Marks a backward that is not itself differentiable: it runs without
    recording, so asking for a higher derivative through it gives an error
    rather than a silently wrong result."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx: FunctionCtx, *grads: Any) -> _R:
        with no_grad():
            results = backward(ctx, *grads)
        if _C.is_grad_enabled():
            needs_graph = any(isinstance(g, _C.Tensor) and g.requires_grad for g in grads)
            if needs_graph:
                raise RuntimeError(
                    "trying to differentiate twice a function that was marked with "
                    "@once_differentiable"
                )
        return results

    return wrapper
