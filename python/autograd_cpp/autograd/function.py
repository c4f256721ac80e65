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
        # Tensors for jvp (save_for_forward), read as saved_tensors there.
        self._for_forward: tuple[_C.Tensor | None, ...] | None = None

    def save_for_backward(self, *tensors: _C.Tensor | None) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, _C.Tensor):
                raise TypeError(
                    "save_for_backward can only save tensors (or None), but got "
                    f"{type(t).__name__}; store other values as attributes of ctx"
                )
        self._to_save = tensors

    def save_for_forward(self, *tensors: _C.Tensor | None) -> None:
        """Saves tensors for jvp, where ``saved_tensors`` gives them back."""
        for t in tensors:
            if t is not None and not isinstance(t, _C.Tensor):
                raise TypeError(
                    "save_for_forward expects all arguments to be tensors; you should save "
                    "non-tensors as attributes on ctx."
                )
        self._for_forward = tensors

    @property
    def saved_tensors(self) -> tuple[_C.Tensor | None, ...]:
        if self._for_forward is not None:
            return self._for_forward
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
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @staticmethod
    def jvp(ctx: FunctionCtx, *grad_inputs: Any) -> Any:
        """Forward-mode rule: given one tangent per forward input (zeros for
        a tensor input without one, None for a non-tensor), returns the
        tangent of each output. Runs after forward, with the same ctx."""
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it "
            "with forward mode AD."
        )

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Any, ...], output: Any) -> None:
        """PyTorch's second style: ``forward(*args)`` takes no ctx, and this
        fills ctx from the inputs and the output instead."""
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        needs = tuple(isinstance(a, _C.Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        # Forward AD: forward sees the primals; jvp gives the outputs' tangents.
        call_args, tangents = _split_duals(cls, args)
        tensors = [a for a in call_args if isinstance(a, _C.Tensor)]
        with no_grad():
            if cls.setup_context is Function.setup_context:
                outputs = cls.forward(ctx, *call_args)
            else:
                outputs = cls.forward(*call_args)
                cls.setup_context(ctx, call_args, outputs)
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
                # A library op may print as PyTorch's node (ThresholdBackward0).
                getattr(cls, "_grad_fn_name", cls.__name__ + "Backward"),
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
        if tangents is not None:
            _set_output_tangents(cls, ctx, outs, tangents)
        return outs[0] if single else outs


def _split_duals(
    cls: type[Function], args: tuple[Any, ...]
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
    """args with dual tensors replaced by their primals, and the tangents
    for jvp (None when no argument carries one)."""
    level = _C._current_dual_level()
    if level < 0:
        return args, None
    pairs = [_unpack(a, level) if isinstance(a, _C.Tensor) else None for a in args]
    if all(p is None or p[1] is None for p in pairs):
        return args, None
    if cls.jvp is Function.jvp:
        if cls.__module__.startswith("autograd_cpp."):
            # One of the library's own ops: the error every op without a
            # forward rule gives, naming it.
            raise NotImplementedError(
                f"Trying to use forward AD with {cls.__name__.lstrip('_').lower()} that does "
                "not support it because it has not been implemented yet."
            )
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it "
            "with forward mode AD."
        )
    primals = tuple(a if p is None else p[0] for a, p in zip(args, pairs))
    tangents = tuple(
        None if p is None else (_C.zeros_like(p[0]) if p[1] is None else p[1]) for p in pairs
    )
    return primals, tangents


def _unpack(a: _C.Tensor, level: int) -> tuple[Any, Any]:
    """(primal, tangent) of a, a plain or (under vmap) batched tensor. Under
    vmap the dual is the physical tensor, so forward and jvp then run on
    batched primals and tangents, each op batching by its own rule: the
    Function needs no vmap rule of its own (PyTorch's generate_vmap_rule)."""
    if type(a) is _C.Tensor:
        return _C._unpack_dual(a, level=level)
    from . import forward_ad

    primal, tangent = forward_ad.unpack_dual(a, level=level)
    return primal, tangent


def _set_output_tangents(
    cls: type[Function], ctx: FunctionCtx, outs: tuple[Any, ...], tangents: tuple[Any, ...]
) -> None:
    # During jvp, saved_tensors are those saved for forward (as in PyTorch).
    if ctx._for_forward is None:
        ctx._for_forward = ()
    try:
        result = cls.jvp(ctx, *tangents)
    finally:
        ctx._for_forward = None
    out_tangents = result if isinstance(result, tuple) else (result,)
    if len(out_tangents) != len(outs):
        raise RuntimeError(
            f"{cls.__name__}.jvp returned {len(out_tangents)} tangents but forward returned "
            f"{len(outs)} outputs: jvp must return one tangent (or None) per output."
        )
    for o, t in zip(outs, out_tangents):
        if t is None or not isinstance(o, _C.Tensor):
            continue
        if not isinstance(t, _C.Tensor):
            raise TypeError(f"{cls.__name__}.jvp must return tensors or None, got {type(t)}")
        if type(o) is not _C.Tensor or type(t) is not _C.Tensor:
            # Under vmap: the tangent goes on the physical output (_unpack).
            from ..func._batched import lift

            o, t = lift(o), lift(t)
        _C._set_tangent(o, t)


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
