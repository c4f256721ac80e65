"""jvp and jacfwd: Jacobian-vector products, by transposing reverse mode.

Note [JVP by double backward]: there are no tangents on tensors yet, so a
Jacobian-vector product is computed from the reverse-mode graph. With ``u``
a dummy cotangent of the output, ``g(u) = J^T u`` is a gradient computed
with ``create_graph=True``; it is linear in ``u``, so the gradient of
``<g(u), t>`` with respect to ``u`` is ``J t``. Each op's backward formula
is written with differentiable ops, which is what makes this exact for
every op that has a backward. The values equal forward mode's; the cost is
about two backward passes per product instead of one forward pass, so
``jacfwd`` is no faster than ``jacrev`` here. True dual numbers (a tangent
slot filled at each op's dispatch point) will replace this without changing
these functions' behaviour.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from .. import _C
from ..autograd.grad_mode import enable_grad
from ._batched import active_levels, as_dispatching, lift, rewrap
from ._pytree import tree_flatten, tree_unflatten
from ._reverse import (
    Argnums,
    _assemble,
    _autograd_grad,
    _Level,
    _normalize_argnums,
    _replace,
    _slice,
)

Tensor = _C.Tensor

__all__ = ["jvp", "jacfwd"]

_API = "jvp(f, primals, tangents)"


def _dummy_cotangent(o: Any) -> Any:
    """A zero leaf shaped as ``o`` (batched at every vmap level)."""
    leaf = _C.zeros_like(lift(o)).requires_grad_(True)
    return rewrap(leaf) if active_levels() else leaf


class _Linearized:
    """``func`` run once at a point with its reverse graph kept, and
    ``g(u) = J^T u`` built from it (Note [JVP by double backward])."""

    def __init__(
        self,
        func: Callable[..., Any],
        primals: tuple[Any, ...],
        argnums: Argnums | None,
        has_aux: bool,
    ) -> None:
        self.level = _Level()
        with enable_grad():
            if argnums is None:
                diff = tuple(self._diff(p) for p in primals)
                call_args = diff
            else:
                diff = _slice(primals, argnums)
                diff = (
                    self._diff(diff)
                    if isinstance(argnums, int)
                    else tuple(self._diff(d) for d in diff)
                )
                call_args = _replace(primals, argnums, diff)
            out = as_dispatching(func)(*call_args)
            self.aux: Any = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(
                        f"{_API}: output of function f should be a tuple: (output, aux) if "
                        "has_aux is True"
                    )
                out, aux = out
                self.aux = self.level.release(aux)
            self.flat_out, self.out_spec = tree_flatten(out)
            _check_outputs(out, self.flat_out)
            self.flat_in = tree_flatten(diff)[0]
            self.outer = self.level.tracked_outside(self.flat_out)
            self.us = [_dummy_cotangent(o) for o in self.flat_out]
            self.g = _autograd_grad(self.flat_out, self.flat_in, self.us, True, True)

    def _diff(self, tree: Any) -> Any:
        from ._pytree import tree_map

        return tree_map(self.level.differentiable, tree)

    def column(self, tangents: Sequence[Any], create_graph: bool) -> tuple[Any, ...]:
        """``J t`` for one tangent per differentiated input, one entry per
        output."""
        with enable_grad():
            return _autograd_grad(self.g, self.us, list(tangents), True, create_graph)

    def outputs(self) -> Any:
        return self.level.release(tree_unflatten(self.flat_out, self.out_spec), self.outer)


def _check_outputs(out: Any, flat: list[Any]) -> None:
    if len(flat) == 0:
        raise RuntimeError(f"{_API}: Expected output of f to be a non-empty tuple of Tensors.")
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{_API}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(o)}"
            )


def _check_tensors(flat: list[Any], argname: str) -> None:
    if len(flat) == 0:
        raise RuntimeError(f"{_API}: Expected {argname} to contain at least one Tensor.")
    for x in flat:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{_API}: Expected {argname} to only contain Tensors, got {type(x)}")


def jvp(
    func: Callable[..., Any],
    primals: Any,
    tangents: Any,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> Any:
    """Runs ``func`` at ``primals`` and returns its output and the
    Jacobian-vector product ``J @ tangents`` there.

    Computed from the reverse-mode graph (Note [JVP by double backward] in
    this module): the values are forward mode's, the cost about two
    backward passes.

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        primals: a tuple of the arguments (``func(*primals)`` is called);
            each may be a tensor or a structure of tensors.
        tangents: a tuple of the same structure and shapes.
        strict: raise if an output does not depend on the inputs.
        has_aux: ``func`` returns ``(output, aux)``; ``aux`` is returned as a
            third element.

    Returns:
        ``(output, jvp_out)``, or ``(output, jvp_out, aux)`` with ``has_aux``.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import jvp
        >>> x = torch.tensor([0.0, 1.0])
        >>> jvp(torch.sin, (x,), (torch.ones(2),))     # (sin x, cos x)
        (tensor([0.0000, 0.8415]), tensor([1.0000, 0.5403]))
    """
    return _jvp(func, primals, tangents, None, strict, has_aux)


def _jvp(
    func: Callable[..., Any],
    primals: Any,
    tangents: Any,
    argnums: Argnums | None,
    strict: bool,
    has_aux: bool,
) -> Any:
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{_API}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    diff_args = primals if argnums is None else _slice(primals, argnums)
    flat_primals, primals_spec = tree_flatten(diff_args)
    flat_tangents, tangents_spec = tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(
            f"{_API}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {primals_spec} and tangents with structure {tangents_spec}"
        )
    _check_tensors(flat_primals, "primals")
    _check_tensors(flat_tangents, "tangents")
    for p, t in zip(flat_primals, flat_tangents):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}."
            )
    lin = _Linearized(func, primals, argnums, has_aux)
    if strict:
        for o in lin.flat_out:
            if not lift(o).requires_grad:
                raise RuntimeError(
                    "jvp(f, primals, tangents, strict=True): The output of f is independent of "
                    "the inputs. This is not allowed with strict=True."
                )
    keep = lin.outer or any(t.requires_grad for t in flat_tangents)
    cols = lin.column(flat_tangents, keep and _C.is_grad_enabled())
    out = lin.outputs()
    tangent_out = lin.level.release(tree_unflatten(list(cols), lin.out_spec), keep)
    if has_aux:
        return out, tangent_out, lin.aux
    return out, tangent_out


def jacfwd(
    func: Callable[..., Any],
    argnums: Argnums = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """Returns a function that computes the Jacobian of ``func`` with
    respect to the arguments at ``argnums``, one Jacobian-vector product per
    input element (a column).

    The layout is jacrev's: for an output of shape ``O`` and an argument of
    shape ``I``, a block of shape ``O + I``, in the output's structure with
    the argument's structure at each leaf. The products are computed from the
    reverse-mode graph (Note [JVP by double backward]), so the values are
    forward mode's but the cost is jacrev's or more.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import jacfwd
        >>> jacfwd(lambda x: x ** 2)(torch.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        norm = _normalize_argnums(argnums, len(args))
        lin = _Linearized(func, args, norm, has_aux)
        create = lin.outer and _C.is_grad_enabled()
        flat_args = [norm] if isinstance(norm, int) else list(norm)
        arg_specs = [tree_flatten(args[a])[1] for a in flat_args]
        columns: list[list[Any]] = []  # columns[i][j]: J_ji, shaped O_j + (n_i,)
        for i, x in enumerate(lin.flat_in):
            n = x.numel()
            per_out: list[list[Any]] = [[] for _ in lin.flat_out]
            if n:
                basis = _C.eye(n, dtype=x.dtype)
                for k in range(n):
                    seeds = [
                        basis[k].view(tuple(x.shape)) if m == i else _C.zeros_like(y)
                        for m, y in enumerate(lin.flat_in)
                    ]
                    for j, c in enumerate(lin.column(seeds, create)):
                        per_out[j].append(c)
            columns.append(
                [
                    _C.stack(cs, -1).reshape(tuple(o.shape) + tuple(x.shape))
                    if cs
                    else _C.zeros(tuple(o.shape) + tuple(x.shape), dtype=o.dtype)
                    for cs, o in zip(per_out, lin.flat_out)
                ]
            )
        blocks = [
            [columns[i][j] for i in range(len(lin.flat_in))] for j in range(len(lin.flat_out))
        ]
        jac = lin.level.release(_assemble(blocks, lin.out_spec, norm, arg_specs), lin.outer)
        if has_aux:
            return jac, lin.aux
        return jac

    return wrapper
