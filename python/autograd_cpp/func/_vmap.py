"""vmap: a function of one example becomes a function of a batch.

The mapped arguments become batched tensors (Note [Batched tensors] in
_batched.py); each op batches natively through its rule, so a vmapped
function runs about as many ops as the unbatched one, on bigger tensors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .. import _C
from ._batched import BatchedTensor, as_dispatching, batched_at, pop_level, push_level
from ._pytree import TreeSpec, tree_flatten, tree_unflatten

Tensor = _C.Tensor

__all__ = ["vmap"]


def _name(func: Callable[..., Any]) -> str:
    return getattr(func, "__name__", repr(func))


def _broadcast_prefix(prefix: Any, spec: TreeSpec) -> list[Any] | None:
    """``prefix`` (an int/None for a whole subtree, or a container of the
    tree's shape) as one entry per leaf; None when they do not match."""
    if prefix is None or isinstance(prefix, int):
        return [prefix] * spec.num_leaves
    flat, pspec = tree_flatten(prefix)
    if spec.is_leaf():
        return None
    if pspec.kind is not spec.kind or len(pspec.children) != len(spec.children):
        return None
    if pspec.context != spec.context:
        return None
    items = list(prefix.values()) if isinstance(prefix, dict) else list(prefix)
    out: list[Any] = []
    for sub, child in zip(items, spec.children):
        part = _broadcast_prefix(sub, child)
        if part is None:
            return None
        out += part
    return out


def _process_inputs(
    func: Callable[..., Any], in_dims: Any, args: tuple[Any, ...]
) -> tuple[int, list[int | None], list[Any], TreeSpec]:
    name = _name(func)
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
            f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}."
        )
    if len(args) == 0:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
            "trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat_args, spec = tree_flatten(args)
    flat_dims = _broadcast_prefix(in_dims, spec)
    if flat_dims is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
            f"structure of `inputs`. in_dims has structure {tree_flatten(in_dims)[1]} but inputs "
            f"has structure {spec}."
        )
    for i, (arg, d) in enumerate(zip(flat_args, flat_dims)):
        if d is not None and not isinstance(d, int):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input "
                "but in_dim must be either an integer dimension or None."
            )
        if isinstance(d, int) and not isinstance(arg, Tensor):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input "
                f"but the input is of type {type(arg)}. We cannot vmap over non-Tensor "
                "arguments, please use None as the respective in_dim"
            )
        if d is not None:
            nd = arg.dim()
            if d < -nd or d >= nd:
                raise ValueError(
                    f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                    f"input, but that input is a Tensor of dimensionality {nd} so expected "
                    f"in_dim to satisfy -{nd} <= in_dim < {nd}."
                )
            flat_dims[i] = d % nd
    sizes = [int(a.size(d)) for a, d in zip(flat_args, flat_dims) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return sizes[0], flat_dims, flat_args, spec


def _out_dims_for(func: Callable[..., Any], out_dims: Any, output: Any) -> tuple[list[Any], Any]:
    flat, spec = tree_flatten(output)

    def incompatible() -> ValueError:
        return ValueError(
            f"vmap({_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            f"compatible with the structure of `outputs`. out_dims has structure "
            f"{tree_flatten(out_dims)[1]} but outputs has structure {spec}."
        )

    dims: list[Any] | None
    if isinstance(output, Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            dims = [out_dims]
        elif isinstance(out_dims, tuple) and len(out_dims) == 1:
            dims = list(out_dims)
        else:
            raise incompatible()
    else:
        dims = _broadcast_prefix(out_dims, spec)
        if dims is None:
            raise incompatible()
    assert dims is not None
    for d in dims:
        if d is not None and not isinstance(d, int):
            raise ValueError(
                f"vmap({_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, None "
                "or a python collection of ints representing where in the outputs the vmapped "
                "dimension should appear."
            )
    return dims, spec


def _unbatch(func: Callable[..., Any], out: Any, level: int, size: int, out_dim: Any) -> Any:
    name = _name(func)
    if out_dim is None:
        if batched_at(out, level):
            raise ValueError(
                f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None"
            )
        return out
    if not isinstance(out, Tensor):
        raise ValueError(
            f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(out)}. Did "
            "you mean to set out_dims= to None for output?"
        )
    if batched_at(out, level):
        value = out._value  # type: ignore[attr-defined]
    else:
        value = out.unsqueeze(0).expand(size, *out.shape)
    nd = value.dim()
    if not -nd <= out_dim < nd:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got "
            f"{out_dim})"
        )
    return value.movedim(0, out_dim) if out_dim % nd else value


def _run(
    func: Callable[..., Any],
    out_dims: Any,
    randomness: str,
    size: int,
    flat_dims: list[int | None],
    flat_args: list[Any],
    spec: TreeSpec,
    kwargs: dict[str, Any],
) -> Any:
    lv = push_level(size, randomness)
    try:
        batched = [
            a if d is None else BatchedTensor(a.movedim(d, 0) if d else a, lv.level)
            for a, d in zip(flat_args, flat_dims)
        ]
        output = as_dispatching(func)(*tree_unflatten(batched, spec), **kwargs)
        dims, out_spec = _out_dims_for(func, out_dims, output)
        flat_out = tree_flatten(output)[0]
        return tree_unflatten(
            [_unbatch(func, o, lv.level, size, d) for o, d in zip(flat_out, dims)], out_spec
        )
    finally:
        pop_level(lv)


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """Returns a function that maps ``func`` over a dimension of its inputs.

    ``vmap(f)(xs)`` equals ``torch.stack([f(x) for x in xs])``, computed as
    one batched op per op of ``f`` (an op without a batching rule runs once
    per element, with a warning naming it). Transforms compose:
    ``vmap(grad(loss))`` gives per-sample gradients, and vmaps nest.

    Args:
        func: a function of tensors (and tuples/lists/dicts of them)
            returning a tensor or a structure of tensors.
        in_dims: which dimension of each input is mapped: an int for all,
            None for an input that is not mapped (shared by every element),
            or a tuple matching the inputs' structure.
        out_dims: where the mapped dimension goes in each output.
        randomness: ``'error'`` (random ops raise), ``'different'`` (each
            element draws its own numbers) or ``'same'`` (all elements
            share one draw).
        chunk_size: map this many elements at a time (None: all at once);
            the result does not depend on it.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import vmap
        >>> x, y = torch.ones(3, 2), torch.arange(6.0).reshape(3, 2)
        >>> vmap(torch.dot)(x, y)
        tensor([1., 5., 9.])
        >>> vmap(torch.mul, in_dims=(0, None))(x, torch.tensor([2.0, 3.0]))
        tensor([[2., 3.],
                [2., 3.],
                [2., 3.]])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        size, flat_dims, flat_args, spec = _process_inputs(func, in_dims, args)
        if chunk_size is None or chunk_size >= size:
            return _run(func, out_dims, randomness, size, flat_dims, flat_args, spec, kwargs)
        pieces = []
        for start in range(0, size, chunk_size):
            n = min(chunk_size, size - start)
            chunk = [
                a if d is None else a.narrow(d, start, n) for a, d in zip(flat_args, flat_dims)
            ]
            pieces.append(_run(func, out_dims, randomness, n, flat_dims, chunk, spec, kwargs))
        flat0, out_spec = tree_flatten(pieces[0])
        dims, _ = _out_dims_for(func, out_dims, pieces[0])
        joined = []
        for j, d in enumerate(dims):
            parts = [tree_flatten(p)[0][j] for p in pieces]
            joined.append(parts[0] if d is None else _C.cat(parts, d))
        return tree_unflatten(joined, out_spec)

    return wrapped
