"""The transforms reverse mode gives: grad, grad_and_value, vjp, jacrev.

Note [Transform levels]: each call of a transform is one level. The
arguments it differentiates become private tensors of the level: a fresh
leaf for an argument nothing outside tracks, an alias (a view) for one that
an enclosing transform or the caller's own autograd does track, so that the
outer graph stays connected through it. The level's leaves carry its epoch,
larger than any older level's, and every graph node knows the smallest leaf
epoch below it (Note [Transform epochs] in csrc/autograd/node.h). After the
function ran, the level asks the output's node once: if it reaches a leaf
older than the level, something outside is differentiating through this
call and the
gradients are computed with ``create_graph=True`` (so ``grad(grad(f))``,
``jacrev(jacrev(f))`` and ordinary ``.backward()`` through a transform
work); otherwise the gradients, and every result handed back, are detached,
exactly as torch.func's results are plain tensors at the top level. Like
torch.func, a transform ignores an enclosing ``no_grad`` (its result then
is not tracked) but respects one inside the function.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from .. import _C
from ..autograd import forward_ad as fwAD
from ..autograd.grad_mode import enable_grad
from ._batched import active_levels, as_dispatching, lift, physical, rewrap
from ._pytree import TreeSpec, tree_flatten, tree_map, tree_unflatten

Tensor = _C.Tensor
Argnums: TypeAlias = "int | tuple[int, ...]"

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "hessian"]


class _Level:
    """The private tensors of one transform call (Note [Transform levels])."""

    __slots__ = ("dual_leaves", "epoch", "outer_grad")

    def __init__(self) -> None:
        # The level's own leaves carry this epoch, larger than every older
        # level's (Note [Transform epochs] in csrc/autograd/node.h).
        self.epoch = _C._next_transform_epoch()
        self.dual_leaves: list[Tensor] = []
        # Whether anything outside may record: a transform under no_grad
        # hands back untracked results.
        self.outer_grad = _C.is_grad_enabled()

    def differentiable(self, x: object) -> Any:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        # Under vmap the level's tensors are batched at every vmap level,
        # so that each example's gradient is its own (Note [Batched tensors]).
        p = lift(x)
        if p.requires_grad:
            return rewrap(p.view_as(p))
        tangent = _tangent(p)
        leaf = p.detach().requires_grad_(True)
        _C._mark_transform_leaf(leaf, self.epoch)
        if tangent is not None:
            # Under jvp (forward mode): the leaf keeps the input's tangent.
            # Only the dual view is handed on, so the level holds the leaf.
            self.dual_leaves.append(leaf)
            # Both physical: the primitive directly (fwAD.make_dual's checks
            # hold, the tangent being one already).
            return rewrap(_C._make_dual(leaf, tangent, level=_C._current_dual_level()))
        return rewrap(leaf)

    def tracked_outside(self, tensors: Sequence[object]) -> bool:
        """Whether any of ``tensors`` depends on a leaf older than this
        level: only then must this level's results stay differentiable. O(1)
        per tensor: each node knows the oldest leaf epoch it reaches."""
        if not self.outer_grad:
            return False
        phys = [p for p in map(physical, tensors) if isinstance(p, Tensor)]
        return bool(_C._depends_before_epoch(phys, self.epoch))

    def release(self, tree: Any, keep: bool | None = None) -> Any:
        """``tree`` (of tensors) as handed back to the caller: each detached
        unless it depends on something outside the level."""

        def one(x: Any) -> Any:
            if not isinstance(x, Tensor):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
            if not x.requires_grad:
                return x
            if keep if keep is not None else self.tracked_outside([x]):
                return x
            tangent = _tangent(x)
            return x.detach() if tangent is None else fwAD.make_dual(x.detach(), tangent)

        return tree_map(one, tree)


def _tangent(x: Any) -> Tensor | None:
    """x's forward-mode tangent (jvp over this transform), or None."""
    level = _C._current_dual_level()
    if level < 0 or not isinstance(x, Tensor):
        return None
    if type(x) is Tensor:  # a plain tensor: no vmap level to see through
        return _C._unpack_dual(x, level=level)[1]
    return fwAD.unpack_dual(x).tangent


def _autograd_grad(
    outputs: Sequence[Tensor],
    inputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor | None],
    retain_graph: bool,
    create_graph: bool,
) -> tuple[Tensor, ...]:
    """Gradients of ``outputs`` w.r.t. ``inputs``; outputs that do not
    require grad are skipped, and an input they do not reach gets zeros.
    Under vmap, the physical tensors are differentiated: every example's
    output depends on its own inputs only."""
    if active_levels():
        outputs = [lift(o) for o in outputs]
        grad_outputs = [
            _C.ones_like(o) if g is None else lift(g) for o, g in zip(outputs, grad_outputs)
        ]
        inputs = [physical(x) for x in inputs]
        grads = _plain_grad(outputs, inputs, grad_outputs, retain_graph, create_graph)
        return tuple(rewrap(g) for g in grads)
    return _plain_grad(outputs, inputs, grad_outputs, retain_graph, create_graph)


def _plain_grad(
    outputs: Sequence[Tensor],
    inputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor | None],
    retain_graph: bool,
    create_graph: bool,
) -> tuple[Tensor, ...]:
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    grads: tuple[Tensor | None, ...]
    if pairs:
        grads = _C._run_grad(
            [o for o, _ in pairs],
            list(inputs),
            [g for _, g in pairs],
            retain_graph,
            create_graph,
            True,
        )
    else:
        for o, g in zip(outputs, grad_outputs):
            if g is not None and tuple(g.shape) != tuple(o.shape):
                _C._run_grad([o.detach().requires_grad_(True)], [], [g], False, False, True)
        grads = (None,) * len(inputs)
    return tuple(_C.zeros_like(x) if g is None else g for x, g in zip(inputs, grads))


# ---- argnums ------------------------------------------------------------


def _check_argnums(argnums: object) -> None:
    if isinstance(argnums, tuple):
        if len(argnums) == 0:
            raise RuntimeError("argnums must be non-empty")
        if len(set(argnums)) != len(argnums):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    elif not isinstance(argnums, int):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _wrap_argnum(argnum: object, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _normalize_argnums(argnums: Argnums, num_args: int) -> Argnums:
    _check_argnums(argnums)
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, num_args)
    return tuple(_wrap_argnum(a, num_args) for a in argnums)


def _slice(args: tuple[Any, ...], argnums: Argnums) -> Any:
    """The differentiated arguments: the one argument for an int, a tuple
    of them for a tuple of argnums."""
    if isinstance(argnums, int):
        return args[argnums]
    return tuple(args[i] for i in argnums)


def _replace(args: tuple[Any, ...], argnums: Argnums, new: Any) -> tuple[Any, ...]:
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    where = {a: k for k, a in enumerate(argnums)}
    return tuple(new[where[i]] if i in where else a for i, a in enumerate(args))


# ---- grad ---------------------------------------------------------------


def _grad_and_value(
    func: Callable[..., Any],
    argnums: Argnums,
    has_aux: bool,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> tuple[Any, Any]:
    level = _Level()
    with enable_grad():
        argnums = _normalize_argnums(argnums, len(args))
        diff_args = tree_map(level.differentiable, _slice(args, argnums))
        output = as_dispatching(func)(*_replace(args, argnums, diff_args), **kwargs)
        aux = None
        if has_aux:
            if not (isinstance(output, tuple) and len(output) == 2):
                raise RuntimeError(
                    "grad_and_value(f)(*args): output of function f should be a tuple: "
                    "(output, aux) if has_aux is True"
                )
            output, aux = output
        if not isinstance(output, Tensor):
            raise RuntimeError(
                f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(output)}"
            )
        if output.dim() != 0:
            raise RuntimeError(
                "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                f"tensor with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                "APIs instead?"
            )
        flat_diff, spec = tree_flatten(diff_args)
        keep = level.tracked_outside([output])
        grads = _autograd_grad([output], flat_diff, [None], keep, keep)
    grad_input = tree_unflatten(grads, spec)
    value = level.release(output, keep)
    if has_aux:
        return grad_input, (value, level.release(aux))
    return grad_input, value


def grad_and_value(
    func: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Returns a function that computes both the gradient of ``func`` with
    respect to the arguments at ``argnums`` and the value of ``func``.

    Args:
        func: a function returning a scalar tensor (or, with ``has_aux``, a
            pair of a scalar tensor and anything else).
        argnums: which positional arguments to differentiate, an int or a
            tuple of ints. Each may be a tensor or a tuple/list/dict of
            tensors; the gradient has the same structure.
        has_aux: ``func`` returns ``(output, aux)``; ``aux`` is handed back
            alongside and not differentiated.

    Returns:
        A function taking ``func``'s arguments and returning ``(grad, value)``,
        or ``(grad, (value, aux))`` with ``has_aux``.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import grad_and_value
        >>> g, v = grad_and_value(lambda x: (x ** 2).sum())(torch.tensor([1.0, 2.0]))
        >>> g, v
        (tensor([2., 4.]), tensor(5.))
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _grad_and_value(func, argnums, has_aux, args, kwargs)

    return wrapper


def grad(
    func: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Returns a function that computes the gradient of ``func`` with
    respect to the arguments at ``argnums``.

    ``grad(f)(x)`` is the gradient of the scalar ``f(x)`` at ``x``, as a
    tensor of ``x``'s shape. Transforms compose: ``grad(grad(f))`` is the
    second derivative, and a gradient that depends on tensors tracked
    outside (a module's parameters, an enclosing transform's input) stays
    differentiable with respect to them.

    Args:
        func: a function returning a scalar tensor (or ``(output, aux)``
            with ``has_aux``).
        argnums: which positional arguments to differentiate (int or tuple
            of ints). With a tuple, the result is a tuple of gradients.
        has_aux: ``func`` returns ``(output, aux)``; the result is then
            ``(grad, aux)``.

    Returns:
        A function with ``func``'s arguments returning the gradient.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import grad
        >>> x = torch.tensor(0.5)
        >>> grad(torch.sin)(x)                  # cos(0.5)
        tensor(0.8776)
        >>> grad(grad(torch.sin))(x)            # -sin(0.5)
        tensor(-0.4794)
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = _grad_and_value(func, argnums, has_aux, args, kwargs)
        if has_aux:
            return g, value[1]
        return g

    return wrapper


# ---- vjp ----------------------------------------------------------------


def _check_outputs(flat: list[Any], api: str) -> None:
    if len(flat) < 1 or (len(flat) == 1 and flat[0] is None):
        raise RuntimeError(
            f"{api}: Expected f to be a function that has non-empty output (got output = {flat})"
        )
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(o)}"
            )
        if not o.is_floating_point():
            raise RuntimeError(
                "vjp(f, ...): All outputs of f must be floating-point or complex Tensors, "
                f"got Tensor with dtype {o.dtype}"
            )


class _Pullback:
    """What one vjp call keeps: the function's flattened outputs and the
    level's differentiated inputs, with the graph between them."""

    __slots__ = ("flat_out", "out_spec", "flat_in", "in_spec", "outer")

    def __init__(
        self,
        flat_out: list[Tensor],
        out_spec: TreeSpec,
        flat_in: list[Tensor],
        in_spec: TreeSpec,
        outer: bool,
    ) -> None:
        self.flat_out = flat_out
        self.out_spec = out_spec
        self.flat_in = flat_in
        self.in_spec = in_spec
        self.outer = outer

    def flat(
        self,
        outputs: Sequence[Tensor],
        cotangents: Sequence[Tensor],
        retain_graph: bool,
        create_graph: bool | None,
    ) -> tuple[Tensor, ...]:
        if create_graph is None:
            create_graph = _C.is_grad_enabled() and (
                self.outer or any(c.requires_grad for c in cotangents)
            )
        with enable_grad():
            return _autograd_grad(outputs, self.flat_in, cotangents, retain_graph, create_graph)

    def __call__(
        self, cotangents: Any, retain_graph: bool = True, create_graph: bool | None = None
    ) -> Any:
        flat_ct, ct_spec = tree_flatten(cotangents)
        if ct_spec != self.out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {ct_spec.pprint()}, primal output: "
                f"{self.out_spec.pprint()}"
            )
        for c in flat_ct:
            if not isinstance(c, Tensor):
                raise RuntimeError(f"vjp_fn: expected the cotangents to be tensors, got {type(c)}")
        grads = self.flat(self.flat_out, flat_ct, retain_graph, create_graph)
        return tree_unflatten(grads, self.in_spec)


def _vjp(
    func: Callable[..., Any],
    primals: tuple[Any, ...],
    argnums: Argnums | None,
    has_aux: bool,
) -> tuple[Any, _Pullback, Any]:
    level = _Level()
    with enable_grad():
        if argnums is None:
            diff = tree_map(level.differentiable, primals)
            call_args = diff
        else:
            argnums = _normalize_argnums(argnums, len(primals))
            diff = tree_map(level.differentiable, _slice(primals, argnums))
            call_args = _replace(primals, argnums, diff)
        out = as_dispatching(func)(*call_args)
        aux = None
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise RuntimeError(
                    "vjp(f, *primals): output of function f should be a tuple: (output, aux) "
                    "if has_aux is True"
                )
            out, aux = out
            aux = level.release(aux)
        flat_out, out_spec = tree_flatten(out)
        _check_outputs(flat_out, "vjp(f, *primals)")
        flat_diff, diff_spec = tree_flatten(diff)
        outer = level.tracked_outside(flat_out)
    results = level.release(out, outer)
    return results, _Pullback(flat_out, out_spec, flat_diff, diff_spec, outer), aux


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """Runs ``func`` at ``primals`` and returns its output and a function
    that computes vector-Jacobian products there.

    ``output, vjp_fn = vjp(f, x)``; then ``vjp_fn(v)`` is ``v^T J``, the
    gradient of ``(f(x) * v).sum()`` with respect to ``x``. ``vjp_fn`` may
    be called many times (the graph is kept); it returns a tuple with one
    entry per primal, each of that primal's structure.

    Args:
        func: a function of tensors (or tuples/lists/dicts of tensors)
            returning a tensor or a tuple/list/dict of tensors.
        primals: the point; every leaf is differentiated.
        has_aux: ``func`` returns ``(output, aux)``; ``aux`` is returned as
            a third element, not differentiated.

    Returns:
        ``(output, vjp_fn)``, or ``(output, vjp_fn, aux)`` with ``has_aux``.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import vjp
        >>> x = torch.tensor([1.0, 2.0])
        >>> out, vjp_fn = vjp(lambda x: x ** 2, x)
        >>> vjp_fn(torch.tensor([1.0, 10.0]))     # v * 2x
        (tensor([ 2., 40.]),)
    """
    results, vjp_fn, aux = _vjp(func, primals, None, has_aux)
    if has_aux:
        return results, vjp_fn, aux
    return results, vjp_fn


# ---- jacrev -------------------------------------------------------------


def _jacobian_blocks(
    flat_out: Sequence[Tensor],
    vjp_rows: Callable[[int, Tensor], tuple[Tensor, ...]],
    flat_in: Sequence[Tensor],
) -> list[list[Tensor]]:
    """blocks[j][i]: the Jacobian of output j w.r.t. input i, shaped
    out_j.shape + in_i.shape, assembled from one vjp per output element."""
    blocks = []
    for j, o in enumerate(flat_out):
        n = o.numel()
        rows: list[list[Tensor]] = [[] for _ in flat_in]
        if n:
            basis = _C.eye(n, dtype=o.dtype)
            for k in range(n):
                for i, g in enumerate(vjp_rows(j, basis[k].view(tuple(o.shape)))):
                    rows[i].append(g.reshape(-1))
        per_in = []
        for x, r in zip(flat_in, rows):
            shape = tuple(o.shape) + tuple(x.shape)
            per_in.append(_C.stack(r, 0).view(shape) if r else _C.zeros(shape, dtype=x.dtype))
        blocks.append(per_in)
    return blocks


def _assemble(
    blocks: list[list[Tensor]],
    out_spec: TreeSpec,
    argnums: Argnums,
    arg_specs: list[TreeSpec],
) -> Any:
    """The Jacobian as torch.func lays it out: the output's structure,
    each leaf holding the argument structure (a tuple of them for a tuple
    of argnums)."""
    per_out = []
    for per_in in blocks:
        trees, start = [], 0
        for spec in arg_specs:
            trees.append(tree_unflatten(per_in[start : start + spec.num_leaves], spec))
            start += spec.num_leaves
        per_out.append(trees[0] if isinstance(argnums, int) else tuple(trees))
    return tree_unflatten(per_out, out_spec)


def jacrev(
    func: Callable[..., Any],
    argnums: Argnums = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable[..., Any]:
    """Returns a function that computes the Jacobian of ``func`` with
    respect to the arguments at ``argnums``, by reverse mode (one
    vector-Jacobian product per output element).

    For an output of shape ``O`` and an argument of shape ``I``, the block
    has shape ``O + I``. Outputs and arguments may be tuples/lists/dicts of
    tensors: the result has the output's structure, each leaf holding the
    argument's structure (a tuple of them when ``argnums`` is a tuple).

    Args:
        func: a function returning a tensor or a structure of tensors.
        argnums: which positional arguments to differentiate.
        has_aux: ``func`` returns ``(output, aux)``; the result is then
            ``(jacobian, aux)``.
        chunk_size: how many rows to compute together (None: all). The
            result does not depend on it.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import jacrev
        >>> jacrev(torch.sin)(torch.tensor([0.0, 1.0]))
        tensor([[1.0000, 0.0000],
                [0.0000, 0.5403]])
    """
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    # Note [Jacobian output layout]: the rows' pass needs the output's
    # structure and shapes, which the plain call below gives. A call at the
    # same argument shapes as the previous one reuses what that call found
    # and skips the plain call (its values are not part of the result); the
    # rows' pass checks the layout and falls back on a mismatch.
    last: dict[Any, Any] = {}

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        norm = _normalize_argnums(argnums, len(args))
        flat_args = [norm] if isinstance(norm, int) else list(norm)
        arg_specs = [tree_flatten(args[a])[1] for a in flat_args]
        key = None if has_aux else _layout_key(args, norm)
        known = last.get(key) if key is not None else None
        if known is not None:
            out_layout, out_spec, in_shapes = known
            blocks = _batched_rows(func, args, norm, out_layout, out_spec, in_shapes, chunk_size)
            if blocks is not None:
                return _assemble(blocks, out_spec, norm, arg_specs)
        output, vjp_fn, aux = _vjp(func, args, argnums, has_aux)
        flat_out, out_spec = tree_flatten(output)
        flat_in = vjp_fn.flat_in
        out_layout = [(tuple(o.shape), o.dtype) for o in flat_out]
        in_shapes = [tuple(x.shape) for x in flat_in]
        blocks = _batched_rows(func, args, norm, out_layout, out_spec, in_shapes, chunk_size)
        if blocks is None:

            def rows(j: int, seed: Tensor) -> tuple[Tensor, ...]:
                return vjp_fn.flat([vjp_fn.flat_out[j]], [seed], True, None)

            blocks = _jacobian_blocks(flat_out, rows, flat_in)
        elif key is not None:
            last.clear()
            last[key] = (out_layout, out_spec, in_shapes)
        jac = _assemble(blocks, out_spec, norm, arg_specs)
        if has_aux:
            return jac, aux
        return jac

    return wrapper


def _layout_key(args: tuple[Any, ...], norm: Argnums) -> Any:
    """What the output layout may depend on (Note [Jacobian output layout]):
    the arguments' structure, each tensor's shape and dtype, every other
    leaf's value; None where a leaf cannot be compared."""
    flat, spec = tree_flatten(args)
    parts: list[Any] = [norm, spec]
    for a in flat:
        if isinstance(a, Tensor):
            parts.append((tuple(a.shape), a.dtype))
        elif isinstance(a, (int, float, bool, str, type(None))):
            parts.append((type(a), a))
        else:
            return None
    return tuple(parts)


class _NotBatchable(Exception):
    """Raised out of jacrev's vmapped pass: the rows are taken one by one."""


def _batched_rows(
    func: Callable[..., Any],
    args: tuple[Any, ...],
    norm: Argnums,
    out_layout: Sequence[tuple[tuple[int, ...], Any]],
    out_spec: TreeSpec,
    in_shapes: Sequence[tuple[int, ...]],
    chunk_size: int | None,
) -> list[list[Tensor]] | None:
    """Note [Jacobian rows in one backward pass]: a backward pass gives one
    row per cotangent, and the graph of an unbatched call cannot take a
    batch of cotangents. So ``func`` runs again under ``vmap`` over the
    identity rows, at the same point for every row (the arguments are
    expanded, not copied): ``vjp`` inside it builds one batched graph, and
    one backward pass with the identity as the batched cotangent gives
    every row, as torch.func's ``vmap(vjp_fn)`` does. None (the rows are
    then taken one backward pass each) where that cannot run: a single row,
    an empty output, or an op that raises under vmap."""
    sizes = [math.prod(shape) for shape, _ in out_layout]
    total = sum(sizes)
    if total <= 1 or any(n == 0 for n in sizes) or not in_shapes:
        return None
    eye = _C.eye(total, dtype=out_layout[0][1])
    seeds, start = [], 0
    for (shape, dtype), n in zip(out_layout, sizes):
        part = eye[:, start : start + n] if len(out_layout) > 1 else eye
        seeds.append(part.to(dtype).reshape(total, *shape))
        start += n

    def rows(*cotangents: Any) -> Any:
        _, pullback, _ = _vjp(func, args, norm, False)
        if pullback.out_spec != out_spec or [
            (tuple(o.shape), o.dtype) for o in pullback.flat_out
        ] != list(out_layout):
            raise _NotBatchable
        return pullback.flat(pullback.flat_out, list(cotangents), False, None)

    from ._vmap import vmap

    try:
        grads = vmap(rows, randomness="same", chunk_size=chunk_size)(*seeds)
    except Exception:  # noqa: BLE001 - any failure falls back to one pass per row
        return None
    blocks = []
    start = 0
    for (shape, _), n in zip(out_layout, sizes):
        per_in = []
        for x_shape, g in zip(in_shapes, grads):  # g: (total, *I_i), row k of J at k
            part = g[start : start + n] if len(out_layout) > 1 else g
            per_in.append(part.reshape(shape + x_shape))
        blocks.append(per_in)
        start += n
    return blocks


def hessian(func: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """Returns a function that computes the Hessian of ``func`` with
    respect to the arguments at ``argnums``: the Jacobian of its Jacobian.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import hessian
        >>> hessian(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    return jacrev(jacrev(func, argnums), argnums)
