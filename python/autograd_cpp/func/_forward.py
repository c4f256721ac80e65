"""jvp and jacfwd: Jacobian-vector products, by forward-mode AD.

Note [JVP by forward mode]: ``func`` runs once on dual tensors
(autograd.forward_ad): each op computes its output's tangent as it runs,
so a Jacobian-vector product costs about one extra forward pass. This
composes with the reverse transforms (``grad(jvp(...))`` is reverse over
forward, ``jvp(grad(f))`` forward over reverse: grad's levels keep their
inputs' tangents).

Note [Batched tangents]: under ``vmap`` the dual tensors are the physical
ones (every vmap level's batch in front, see _batched.py): a batching rule
rewrites an op into ops on physical tensors, and their forward rules then
carry every example's tangent at once. So ``vmap(jvp(f))`` and functions
calling make_dual/unpack_dual run batched, and ``jacfwd`` is one forward
pass under ``vmap`` over the basis tangents, as in torch.func. An op
without a batching rule runs once per example (the fallback warns); the
per-example ops carry the tangents the same way.

Note [JVP by double backward]: the fallback, used where forward mode cannot
run: inside another ``jvp`` (one dual level exists at a time), or when an
op (or a custom Function without ``jvp``) has no forward rule. With ``u`` a dummy cotangent of the output, ``g(u) = J^T u`` is a
gradient computed with ``create_graph=True``; it is linear in ``u``, so the
gradient of ``<g(u), t>`` with respect to ``u`` is ``J t``. The values equal
forward mode's; the cost is about two backward passes per product.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from .. import _C
from ..autograd import forward_ad as fwAD
from ..autograd.grad_mode import enable_grad
from ._batched import active_levels, as_dispatching, lift, rewrap
from ._pytree import tree_flatten, tree_map, tree_unflatten
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


# The errors of an op without a forward rule (Note [JVP by double backward]).
_NO_FORWARD_RULE = ("Trying to use forward AD with", "You must implement the jvp function")


def _dual_run(
    func: Callable[..., Any],
    primals: tuple[Any, ...],
    argnums: Argnums | None,
    flat_tangents: Sequence[Any],
    has_aux: bool,
) -> tuple[list[Any], Any, list[Any], Any] | None:
    """Runs ``func`` once on dual inputs (Note [JVP by forward mode]):
    the flat outputs, their structure, their tangents and aux; None where
    forward mode cannot run. Under vmap the duals are the physical tensors
    (Note [Batched tangents])."""
    if _C._current_dual_level() >= 0:
        return None
    diff = primals if argnums is None else _slice(primals, argnums)
    flat, spec = tree_flatten(diff)
    # A tangent keeps its graph where it can reach something outside this
    # call: the inputs' or tangents', or its value's (a tensor func closes
    # over). Graphs internal to func (a grad level's leaves, under forward
    # over reverse) are dropped, and, where no input or tangent requires
    # grad, not recorded at all (Note [Untracked tangents] in
    # csrc/autograd/forward_ad.h).
    outside = any(isinstance(a, Tensor) and a.requires_grad for a in (*flat, *flat_tangents))
    previous = _C._set_untracked_tangent_epoch(0 if outside else _C._next_transform_epoch())
    try:
        with fwAD.dual_level():
            duals = tree_unflatten(
                [fwAD.make_dual(p, t) for p, t in zip(flat, flat_tangents)], spec
            )
            call_args = duals if argnums is None else _replace(primals, argnums, duals)
            out = as_dispatching(func)(*call_args)
            aux: Any = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(
                        f"{_API}: output of function f should be a tuple: (output, aux) if "
                        "has_aux is True"
                    )
                out, aux = out
                aux = tree_map(lambda a: rewrap(_unpack(a)[0]) if isinstance(a, Tensor) else a, aux)
            flat_out, out_spec = tree_flatten(out)
            _check_outputs(out, flat_out)
            unpacked = [_unpack(o) for o in flat_out]
            values = [rewrap(p) for p, _ in unpacked]
            tangents = [
                _C.zeros_like(v)
                if t is None
                else rewrap(t if outside or p.requires_grad else t.detach())
                for v, (p, t) in zip(values, unpacked)
            ]
            independent = [t is None for _, t in unpacked]
    except NotImplementedError as e:
        if str(e).startswith(_NO_FORWARD_RULE):
            return None
        raise
    finally:
        _C._set_untracked_tangent_epoch(previous)
    return values, out_spec, tangents, (aux, independent)


def _unpack(x: Any) -> tuple[Tensor, Tensor | None]:
    """The physical primal and tangent of a (maybe batched) dual tensor."""
    return _C._unpack_dual(lift(x), level=0)


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

    Computed by forward mode, one pass over ``func`` with dual inputs (Note
    [JVP by forward mode] in this module); under ``vmap``, inside another
    ``jvp`` or where an op has no forward rule, from the reverse-mode graph
    instead (Note [JVP by double backward]), with the same values.

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
    forward = _dual_run(func, primals, argnums, flat_tangents, has_aux)
    if forward is not None:
        values, out_spec, tangent_values, (aux, independent) = forward
        if strict and any(independent):
            raise RuntimeError(
                "jvp(f, primals, tangents, strict=True): The output of f is independent of "
                "the inputs. This is not allowed with strict=True."
            )
        out = tree_unflatten(values, out_spec)
        tangent_out = tree_unflatten(tangent_values, out_spec)
        return (out, tangent_out, aux) if has_aux else (out, tangent_out)
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
    the argument's structure at each leaf. Each column is one forward-mode
    pass (Note [JVP by forward mode]), or, where forward mode cannot run,
    a product from the reverse-mode graph (Note [JVP by double backward]).

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
        forward = _forward_jacobian(func, args, norm, has_aux, randomness)
        if forward is not None:
            return forward
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


class _NoForwardRule(Exception):
    """Raised out of jacfwd's vmapped pass where forward mode cannot run."""


def _forward_jacobian(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    norm: Argnums,
    has_aux: bool,
    randomness: str,
) -> Any:
    """jacfwd by forward mode: one dual pass, vmapped over the basis
    tangents (Note [Batched tangents]); None where forward mode cannot
    run."""
    flat_args = [norm] if isinstance(norm, int) else list(norm)
    arg_specs = [tree_flatten(args[a])[1] for a in flat_args]
    diff = _slice(args, norm)
    flat_in = tree_flatten(diff)[0]
    if not flat_in or any(not isinstance(x, Tensor) or x.numel() == 0 for x in flat_in):
        return None
    if _C._current_dual_level() >= 0:
        return None
    sizes = [x.numel() for x in flat_in]
    total = sum(sizes)
    # Row k of the identity, split over the inputs: the k-th basis tangent.
    eye = _C.eye(total, dtype=flat_in[0].dtype)
    basis, start = [], 0
    for x, n in zip(flat_in, sizes):
        part = eye[:, start : start + n] if len(flat_in) > 1 else eye
        basis.append(part.to(x.dtype).reshape(total, *x.shape))
        start += n
    spec_box: list[Any] = []

    def push(*seeds: Any) -> Any:
        run = _dual_run(func, args, norm, list(seeds), has_aux)
        if run is None:
            raise _NoForwardRule
        _, out_spec, tangents, (aux, _) = run
        spec_box.append(out_spec)
        return (tangents, aux) if has_aux else tangents

    from ._vmap import vmap

    try:
        result = vmap(push, randomness=randomness)(*basis)
    except _NoForwardRule:
        return None
    except Exception:  # noqa: BLE001 - what cannot run under vmap runs column by column
        return _forward_columns(func, args, norm, has_aux)
    tangents, aux = result if has_aux else (result, None)
    out_spec = spec_box[0]
    blocks = []
    for t in tangents:  # (total, *O_j): column k of J_j at index k
        cols = t.movedim(0, -1)
        out_shape = tuple(t.shape[1:])
        per_in, start = [], 0
        for x, n in zip(flat_in, sizes):
            block = cols[..., start : start + n] if len(flat_in) > 1 else cols
            per_in.append(block.reshape(out_shape + tuple(x.shape)))
            start += n
        blocks.append(per_in)
    jac = _assemble(blocks, out_spec, norm, arg_specs)
    if has_aux:
        aux = tree_map(lambda a: a[0] if isinstance(a, Tensor) else a, aux)
        return jac, aux
    return jac


def _forward_columns(
    func: Callable[..., Any], args: tuple[Any, ...], norm: Argnums, has_aux: bool
) -> Any:
    """jacfwd by forward mode, one dual pass per input element: for
    functions that cannot run under vmap (a custom Function, ``.item()``);
    None where forward mode cannot run."""
    flat_args = [norm] if isinstance(norm, int) else list(norm)
    arg_specs = [tree_flatten(args[a])[1] for a in flat_args]
    flat_in = tree_flatten(_slice(args, norm))[0]
    out_spec: Any = None
    aux: Any = None
    shapes: list[tuple[int, ...]] = []
    columns: list[list[Any]] = []  # columns[i][j]: J_ji, shaped O_j + I_i
    for i, x in enumerate(flat_in):
        basis = _C.eye(x.numel(), dtype=x.dtype)
        per_out: list[list[Any]] = []
        for k in range(x.numel()):
            seeds = [
                basis[k].view(tuple(x.shape)) if m == i else _C.zeros_like(y)
                for m, y in enumerate(flat_in)
            ]
            run = _dual_run(func, args, norm, seeds, has_aux)
            if run is None:
                return None
            values, out_spec, tangents, (aux, _) = run
            shapes = [tuple(v.shape) for v in values]
            if not per_out:
                per_out = [[] for _ in values]
            for j, t in enumerate(tangents):
                per_out[j].append(t)
        columns.append(
            [_C.stack(cs, -1).reshape(shapes[j] + tuple(x.shape)) for j, cs in enumerate(per_out)]
        )
    blocks = [[columns[i][j] for i in range(len(flat_in))] for j in range(len(shapes))]
    jac = _assemble(blocks, out_spec, norm, arg_specs)
    return (jac, aux) if has_aux else jac
