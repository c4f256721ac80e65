"""Higher-level differentiation of functions: vjp, jvp, jacobian, hessian,
hvp and vhp, with PyTorch's signatures and return structures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias, TypeVar, cast

from .. import _C
from .grad_mode import enable_grad

_T = TypeVar("_T")
# A tensor, or a tuple of them: what a function takes or returns here.
_Tensors: TypeAlias = "_C.Tensor | Sequence[_C.Tensor]"
# Per output, per input: a tuple level is present where the caller passed one.
_Jacobian: TypeAlias = (
    "_C.Tensor | tuple[_C.Tensor, ...] | tuple[_C.Tensor | tuple[_C.Tensor, ...], ...]"
)

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(x: object, arg_name: str, fn_name: str) -> tuple[tuple[_C.Tensor, ...], bool]:
    """(tuple of tensors, whether the caller passed a tuple). As in PyTorch, a
    list is not a tuple of tensors."""
    is_tuple = isinstance(x, tuple)
    items = cast("tuple[object, ...]", x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, _C.Tensor):
            culprit = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but {culprit} has type {type(t)}."
            )
    return cast("tuple[_C.Tensor, ...]", items), is_tuple


def _unpack(items: tuple[_T, ...], is_tuple: bool) -> _T | tuple[_T, ...]:
    return items if is_tuple else items[0]


def _prepare_inputs(inputs: tuple[_C.Tensor, ...], create_graph: bool) -> tuple[_C.Tensor, ...]:
    """Fresh leaves (or, under create_graph, aliases that keep the caller's
    graph) that the function's outputs can be differentiated against."""
    out = []
    for x in inputs:
        if create_graph and x.requires_grad:
            out.append(x.view_as(x))
        else:
            out.append(x.detach().requires_grad_(True))
    return tuple(out)


def _grad(
    outputs: Sequence[_C.Tensor],
    inputs: Sequence[_C.Tensor],
    grad_outputs: Sequence[_C.Tensor],
    create_graph: bool,
    strict: bool,
    retain_graph: bool | None = None,
) -> tuple[_C.Tensor, ...]:
    """Gradients of outputs w.r.t. inputs; independent inputs give zeros, or
    an error in strict mode."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    grads: tuple[_C.Tensor | None, ...]
    if pairs:
        grads = _C._run_grad(
            [o for o, _ in pairs],
            list(inputs),
            [g for _, g in pairs],
            create_graph if retain_graph is None else retain_graph,
            create_graph,
            True,
        )
    else:
        grads = (None,) * len(inputs)
    result = []
    for i, (x, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The output of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."
                )
            g = _C.zeros_like(x)
        result.append(g)
    return tuple(result)


def _call(
    func: Callable[..., Any], inputs: tuple[_C.Tensor, ...], name: str
) -> tuple[tuple[_C.Tensor, ...], bool]:
    outputs = func(*inputs)
    items, is_tuple = _as_tuple(outputs, "outputs of the user-provided function", name)
    return items, is_tuple


def _check_outputs_require_grad(outputs: Sequence[_C.Tensor], strict: bool) -> None:
    if not strict:
        return
    for i, o in enumerate(outputs):
        if not o.requires_grad:
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."
            )


def _check_jacobian_requires_grad(jacobian: Sequence[_C.Tensor], strict: bool) -> None:
    """Strict second-order functions need a first derivative that still
    depends on the inputs (a linear function's does not)."""
    if not strict:
        return
    for i, g in enumerate(jacobian):
        if not g.requires_grad:
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example)."
            )


def _finish(t: _C.Tensor, create_graph: bool) -> _C.Tensor:
    return t if create_graph else t.detach()


def vjp(
    func: Callable[..., Any],
    inputs: _Tensors,
    v: _Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[_C.Tensor | tuple[_C.Tensor, ...], _C.Tensor | tuple[_C.Tensor, ...]]:
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``."""
    with enable_grad():
        inputs, inputs_tuple = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare_inputs(inputs, create_graph)
        outputs, outputs_tuple = _call(func, inputs, "vjp")
        _check_outputs_require_grad(outputs, strict)
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the user-provided function returns a "
                    "single Tensor with a single element."
                )
            v = (_C.ones_like(outputs[0]),)
        else:
            v, _ = _as_tuple(v, "v", "vjp")
        _check_shapes(v, outputs, outputs_tuple)
        grads = _grad(outputs, inputs, v, create_graph, strict)
    outs = tuple(_finish(o, create_graph) for o in outputs)
    return _unpack(outs, outputs_tuple), _unpack(
        tuple(_finish(g, create_graph) for g in grads), inputs_tuple
    )


def jvp(
    func: Callable[..., Any],
    inputs: _Tensors,
    v: _Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[_C.Tensor | tuple[_C.Tensor, ...], _C.Tensor | tuple[_C.Tensor, ...]]:
    """(func(inputs), J v): the Jacobian-vector product, computed with two
    reverse passes (the backward of a vjp is a jvp)."""
    with enable_grad():
        inputs, inputs_tuple = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare_inputs(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided "
                    "function is a single Tensor with a single element."
                )
            v = (_C.ones_like(inputs[0]),)
        else:
            v, _ = _as_tuple(v, "v", "jvp")
        _check_shapes(v, inputs, inputs_tuple)
        outputs, outputs_tuple = _call(func, inputs, "jvp")
        _check_outputs_require_grad(outputs, strict)
        dummies = tuple(_C.zeros_like(o).requires_grad_(True) for o in outputs)
        first = _grad(outputs, inputs, dummies, True, strict)
        grads = _grad(first, dummies, v, create_graph, strict, retain_graph=True)
    outs = tuple(_finish(o, create_graph) for o in outputs)
    return _unpack(outs, outputs_tuple), _unpack(
        tuple(_finish(g, create_graph) for g in grads), outputs_tuple
    )


def _check_shapes(
    vs: Sequence[_C.Tensor], targets: Sequence[_C.Tensor], targets_tuple: bool
) -> None:
    """v against the tensors it multiplies (outputs for vjp, inputs for the
    others), with PyTorch's messages."""
    if len(vs) != len(targets):
        if targets_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(targets)} but got {len(vs)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(vs, targets)):
        if tuple(a.shape) != tuple(b.shape):
            entry = f"Entry {i} in " if targets_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {b.shape} but got {a.shape}.")


def jacobian(
    func: Callable[..., Any],
    inputs: _Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> _Jacobian:
    """The Jacobian of func at inputs, one row per output element, built with
    one reverse pass per output element. For outputs of shape O and inputs
    of shape I each block has shape O + I."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    with enable_grad():
        inputs, inputs_tuple = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare_inputs(inputs, create_graph)
        outputs, outputs_tuple = _call(func, inputs, "jacobian")
        blocks = []
        for out in outputs:
            rows: list[list[_C.Tensor]] = [[] for _ in inputs]
            flat = out.reshape(-1)
            for k in range(flat.numel()):
                grads: tuple[_C.Tensor | None, ...]
                if out.requires_grad:
                    grads = _C._run_grad([flat[k]], list(inputs), [None], True, create_graph, True)
                else:
                    grads = (None,) * len(inputs)
                for i, (x, g) in enumerate(zip(inputs, grads)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                "Output 0 of the user-provided function is independent of "
                                f"input {i}. This is not allowed in strict mode."
                            )
                        g = _C.zeros_like(x)
                    rows[i].append(g)
            per_input = []
            for x, r in zip(inputs, rows):
                if r:
                    jac = _C.stack(r, 0)
                else:
                    jac = _C.zeros(0, *x.shape, dtype=x.dtype)
                per_input.append(
                    _finish(jac.reshape(tuple(out.shape) + tuple(x.shape)), create_graph)
                )
            blocks.append(_unpack(tuple(per_input), inputs_tuple))
    return _unpack(tuple(blocks), outputs_tuple)


def hessian(
    func: Callable[..., Any],
    inputs: _Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> _Jacobian:
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    inputs_t, inputs_tuple = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*xs: _C.Tensor) -> tuple[_C.Tensor, ...]:
        outs, out_is_tuple = _call(func, xs, "hessian")
        _check_outputs_require_grad(outs, strict)
        if out_is_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if outs[0].numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        grads = _grad(outs, xs, (_C.ones_like(outs[0]),), True, False)
        _check_jacobian_requires_grad(grads, strict)
        return grads

    jac = jacobian(gradient, inputs_t, create_graph=create_graph, strict=strict)
    if not inputs_tuple:
        return jac[0][0] if isinstance(jac, tuple) and isinstance(jac[0], tuple) else jac[0]
    return jac


def vhp(
    func: Callable[..., Any],
    inputs: _Tensors,
    v: _Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[_C.Tensor, _C.Tensor | tuple[_C.Tensor, ...]]:
    """(func(inputs), v^T H) for a scalar function."""
    with enable_grad():
        inputs, inputs_tuple = _as_tuple(inputs, "inputs", "vhp")
        inputs = _prepare_inputs(inputs, create_graph)
        outputs, outputs_tuple = _call(func, inputs, "vhp")
        _check_outputs_require_grad(outputs, strict)
        if outputs_tuple:
            raise RuntimeError("The function given to vhp should return a single Tensor")
        if outputs[0].numel() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to vhp should contain a single element"
            )
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError(
                    "The vector v can only be None if the input to the user-provided "
                    "function is a single Tensor with a single element."
                )
            v = (_C.ones_like(inputs[0]),)
        else:
            v, _ = _as_tuple(v, "v", "vhp")
        _check_shapes(v, inputs, inputs_tuple)
        grads = _grad(outputs, inputs, (_C.ones_like(outputs[0]),), True, False)
        _check_jacobian_requires_grad(grads, strict)
        result = _grad(grads, inputs, v, create_graph, strict, retain_graph=True)
    return _finish(outputs[0], create_graph), _unpack(
        tuple(_finish(r, create_graph) for r in result), inputs_tuple
    )


def hvp(
    func: Callable[..., Any],
    inputs: _Tensors,
    v: _Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[_C.Tensor, _C.Tensor | tuple[_C.Tensor, ...]]:
    """(func(inputs), H v) for a scalar function (H is symmetric, so this
    equals vhp for twice-differentiable functions)."""
    return vhp(func, inputs, v, create_graph=create_graph, strict=strict)
