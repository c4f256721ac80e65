"""Batched tensors for vmap: the wrapper, the levels and the op dispatch.

Note [Batched tensors]: inside ``vmap`` an argument mapped over becomes a
``BatchedTensor``: a physical tensor (or, under nested vmaps, the batched
tensor of an outer level) whose dimension 0 is this level's batch, and
whose logical shape is the rest. Every op that reaches a batched tensor
(its methods and operators, and, while a vmap runs, the library's
functions) goes through ``dispatch``: the op's batching rule turns the
call on logical tensors into one call on the physical ones (moving dims,
padding for broadcasting, folding the batch into an existing batch
dimension). An op without a rule runs once per batch element and warns
once, naming the op. Rules re-enter ``dispatch`` for their own calls, so a
level's physical tensor may itself be batched at an outer level, and
nested vmaps need nothing more.

While any vmap runs, every function and method the extension defines
hands a call that gets a batched tensor to ``dispatch`` (Note [vmap's
dispatch hook] in csrc/python/callable.cpp), wherever the caller found the
function; calls on plain tensors run as usual. Random ops, which vmap
handles on plain tensors too, are also replaced by dispatching wrappers in
the library's modules and on Tensor until the outermost vmap ends.
"""

from __future__ import annotations

import sys
import threading
import types
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .. import _C

Tensor = _C.Tensor

__all__ = ["BatchedTensor", "VmapLevel", "active_levels", "dispatch"]


# ---- levels ---------------------------------------------------------------


class VmapLevel:
    __slots__ = ("level", "size", "randomness")

    def __init__(self, level: int, size: int, randomness: str) -> None:
        self.level = level
        self.size = size
        self.randomness = randomness


_tls = threading.local()
_counter_lock = threading.Lock()
_counter = [0]


def active_levels() -> list[VmapLevel]:
    """The vmap levels running in this thread, outermost first."""
    stack: list[VmapLevel] | None = getattr(_tls, "stack", None)
    if stack is None:
        stack = _tls.stack = []
    return stack


def _level_info(level: int) -> VmapLevel:
    for lv in active_levels():
        if lv.level == level:
            return lv
    raise RuntimeError(
        "vmap: a batched tensor escaped its vmap (returned through a side channel) and "
        "was used after the vmap ended"
    )


def push_level(size: int, randomness: str) -> VmapLevel:
    with _counter_lock:
        _counter[0] += 1
        lv = VmapLevel(_counter[0], size, randomness)
    active_levels().append(lv)
    _install()
    return lv


def pop_level(lv: VmapLevel) -> None:
    stack = active_levels()
    assert stack and stack[-1] is lv
    stack.pop()
    _uninstall()


# ---- the wrapper ----------------------------------------------------------


def _is_tensor(x: object) -> bool:
    return isinstance(x, (Tensor, BatchedTensor))


def _unsupported_data(what: str) -> RuntimeError:
    return RuntimeError(
        f"vmap: It looks like you're calling {what} on a Tensor. We don't support vmap over "
        f"calling {what} on a Tensor, please try to rewrite what you're doing with other "
        "operations. If error is occurring somewhere inside PyTorch internals, please file a "
        "bug report."
    )


def _control_flow() -> RuntimeError:
    return RuntimeError(
        "vmap: It looks like you're attempting to use a Tensor in some data-dependent control "
        "flow. We don't support that yet, please file an issue at "
        "https://github.com/pytorch/pytorch/issues ."
    )


class BatchedTensor:
    """A tensor with a hidden batch dimension (Note [Batched tensors]).
    ``isinstance(x, Tensor)`` holds, as code inside vmap expects."""

    __slots__ = ("_value", "_level")

    def __init__(self, value: Any, level: int) -> None:
        self._value = value
        self._level = level

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: D105
        return Tensor

    # -- metadata (logical) --
    @property
    def shape(self) -> Any:
        full = self._value.shape
        return type(full)(tuple(full)[1:])

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        return self.shape[_wrap_dim(dim, self.dim())]

    def dim(self) -> int:
        return int(self._value.dim()) - 1

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self.dim()

    def numel(self) -> int:
        n = 1
        for s in self.shape:
            n *= int(s)
        return n

    nelement = numel

    def __len__(self) -> int:
        if self.dim() == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self.shape[0])

    @property
    def dtype(self) -> Any:
        return self._value.dtype

    @property
    def device(self) -> Any:
        return self._value.device

    @property
    def requires_grad(self) -> bool:
        return bool(self._value.requires_grad)

    @property
    def is_leaf(self) -> bool:
        return bool(self._value.is_leaf)

    @property
    def grad_fn(self) -> Any:
        return self._value.grad_fn

    @property
    def grad(self) -> Any:
        return None

    @property
    def T(self) -> Any:
        return self.permute(*reversed(range(self.dim())))

    @property
    def mT(self) -> Any:
        return self.transpose(-2, -1)

    @property
    def data(self) -> Any:
        return self.detach()

    def is_floating_point(self) -> bool:
        return bool(self._value.is_floating_point())

    def is_complex(self) -> bool:
        return False

    def is_contiguous(self, *args: Any, **kwargs: Any) -> bool:
        return True

    def element_size(self) -> int:
        return int(self._value.element_size())

    def stride(self, dim: int | None = None) -> Any:
        raise RuntimeError("vmap: the strides of a batched tensor are not defined")

    # -- what cannot run per sample --
    def item(self) -> Any:
        raise _unsupported_data(".item()")

    def tolist(self) -> Any:
        raise _unsupported_data(".tolist()")

    def numpy(self, *args: Any, **kwargs: Any) -> Any:
        raise _unsupported_data(".numpy()")

    def __bool__(self) -> bool:
        raise _control_flow()

    def __float__(self) -> float:
        raise _unsupported_data(".item()")

    def __int__(self) -> int:
        raise _unsupported_data(".item()")

    def __index__(self) -> int:
        raise _unsupported_data(".item()")

    def __hash__(self) -> int:
        return id(self)

    def backward(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            "vmap: backward() is not supported inside vmap; use autograd_cpp.func.grad or "
            "autograd_cpp.autograd.grad on the function instead"
        )

    def __iter__(self) -> Any:
        if self.dim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __repr__(self) -> str:
        return f"BatchedTensor(lvl={self._level}, bdim=0, value=\n{self._value!r}\n)"

    def size_hint(self) -> int:
        return int(self._value.shape[0])

    # -- every other method: the class's own (Python) code, or a dispatch --
    def __getattr__(self, name: str) -> Any:
        attr = None if name.startswith(("__", "_pybind11")) else _TENSOR_ATTRS.get(name)
        if attr is None:
            raise AttributeError(f"'Tensor' object has no attribute '{name}'")
        if isinstance(attr, types.FunctionType) and name not in _RULES and name not in _RANDOM:
            return attr.__get__(self)  # a method written in Python: runs on the batched self
        if isinstance(attr, property):
            if attr.fget is None:
                raise AttributeError(name)
            return attr.fget(self)
        # Found once here, then a method of the class: later lookups skip
        # this (it is on the hot path of code under vmap).
        method = _make_method(name)
        setattr(BatchedTensor, name, method)
        return method.__get__(self)


# ---- dispatch -------------------------------------------------------------


class _Op:
    """One op as vmap sees it: its name (the rule's key), how to run it
    when no argument is batched, and whether its rule is the plain
    elementwise one (``simple``: Note [The simple elementwise call])."""

    __slots__ = ("name", "base", "simple", "__name__", "__wrapped__")

    def __init__(self, name: str, base: Callable[..., Any]) -> None:
        self.name = name
        self.base = base
        self.simple = (
            _RULES.get(name) is _elementwise and not _is_inplace(name) and name not in _RANDOM
        )
        self.__name__ = name
        self.__wrapped__ = base

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return dispatch(self, args, kwargs)


_METHOD_OPS: dict[str, _Op] = {}


def _method_op(name: str) -> _Op:
    op = _METHOD_OPS.get(name)
    if op is None:
        orig = _TENSOR_ATTRS.get(name)

        def base(self: Any, *args: Any, **kwargs: Any) -> Any:
            if orig is None or not isinstance(self, Tensor):
                return getattr(self, name)(*args, **kwargs)
            return orig(self, *args, **kwargs)

        op = _METHOD_OPS[name] = _Op(name, base)
    return op


def _level_of(x: object) -> int:
    return x._level if type(x) is BatchedTensor else 0


def _max_level(args: Sequence[Any], kwargs: dict[str, Any]) -> int:
    level = 0
    for a in (*args, *kwargs.values()):
        if type(a) is BatchedTensor:
            level = max(level, a._level)
        elif type(a) in (list, tuple):
            for b in a:
                if type(b) is BatchedTensor:
                    level = max(level, b._level)
    return level


_NUMBERS = (float, int, bool)


def _simple_elementwise(op: _Op, args: tuple[Any, ...]) -> Any:
    """Note [The simple elementwise call]: most ops under vmap are
    arithmetic on tensors batched at one level and of one logical rank,
    with plain tensors of no higher rank and Python numbers. Then the batch
    dims line up as they are, and the elementwise rule reduces to running
    the op on the physical tensors; this does that without the rule's
    general bookkeeping (it is the hot path of vmap, jacrev and per-sample
    gradients). Anything else returns None and takes the rule."""
    level = 0
    rank = -1
    top = -1
    values = []
    for a in args:
        kind = type(a)
        if kind is BatchedTensor:
            v = a._value
            r = v.dim() - 1
            if level == 0:
                level, rank = a._level, r
            elif a._level != level or r != rank:
                return None
            values.append(v)
        elif kind in _NUMBERS:
            values.append(a)
        elif isinstance(a, Tensor):
            top = max(top, a.dim())
            values.append(a)
        else:
            return None
    if level == 0 or top > rank:
        return None
    out = op.base(*values)
    return BatchedTensor(out, level) if isinstance(out, Tensor) else wrap(out, level)


def dispatch(op: _Op, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if op.simple and not kwargs:
        out = _simple_elementwise(op, args)
        if out is not None:
            return out
    if not args and "input" in kwargs:
        kwargs = dict(kwargs)
        args = (kwargs.pop("input"),)
    level = _max_level(args, kwargs)
    if op.name in _RANDOM and active_levels():
        return _random_rule(op, level, args, kwargs)
    if level == 0:
        return op.base(*args, **kwargs)
    rule = _RULES.get(op.name)
    if rule is None:
        return _fallback(op, level, args, kwargs)
    return rule(op, level, args, kwargs)


def unwrap(x: Any, level: int) -> tuple[Any, bool]:
    """(x's tensor one level down, whether x is batched at ``level``)."""
    if type(x) is BatchedTensor and x._level == level:
        return x._value, True
    return x, False


def wrap(out: Any, level: int) -> Any:
    if isinstance(out, (Tensor, BatchedTensor)):
        return BatchedTensor(out, level)
    if isinstance(out, tuple) and hasattr(type(out), "_fields"):
        return type(out)(*(wrap(o, level) for o in out))
    if isinstance(out, (tuple, list)):
        return type(out)(wrap(o, level) for o in out)
    return out


def _nd(x: Any) -> int:
    return int(x.dim()) if _is_tensor(x) else 0


def _wrap_dim(d: int, nd: int) -> int:
    n = max(nd, 1)
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d + n if d < 0 else d


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], pos: int, name: str, default: Any) -> Any:
    if pos < len(args):
        return args[pos]
    return kwargs.get(name, default)


def _with(
    args: tuple[Any, ...], kwargs: dict[str, Any], pos: int, name: str, value: Any
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if pos < len(args):
        return args[:pos] + (value,) + args[pos + 1 :], kwargs
    return args, {**kwargs, name: value}


def _pad(v: Any, k: int) -> Any:
    """Inserts k size-1 dims after the batch dim."""
    for _ in range(k):
        v = v.unsqueeze(1)
    return v


def _materialize(x: Any, batched: bool, size: int) -> Any:
    """x's physical form with the batch dim at 0, expanding an unbatched x."""
    if batched:
        return x
    return x.unsqueeze(0).expand(size, *x.shape)


# ---- rules: elementwise and broadcasting ----------------------------------


_INPLACE: dict[str, bool] = {}


def _is_inplace(name: str) -> bool:
    found = _INPLACE.get(name)
    if found is None:
        found = _INPLACE[name] = (name.endswith("_") and not name.startswith("__")) or name in (
            "__iadd__",
            "__isub__",
            "__imul__",
            "__itruediv__",
        )
    return found


def _elementwise(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    # Hot: every elementwise op under vmap. Each argument is unwrapped once;
    # batched ones of a lower logical rank get size-1 dims after the batch.
    # The unwrapped call goes to op.base: an argument still batched at an
    # outer level reaches that level through the C++ hook (Note [vmap's
    # dispatch hook]).
    flat = (*args, *kwargs.values()) if kwargs else args
    nd = -1
    same_rank = True
    for a in flat:
        if type(a) is BatchedTensor:
            r = a._value.dim() - 1  # its logical rank, at any level
        elif isinstance(a, Tensor):
            r = a.dim()
        else:
            continue
        if r != nd:
            if nd >= 0:
                same_rank = False
            if r > nd:
                nd = r

    def one(a: Any) -> Any:
        if type(a) is not BatchedTensor or a._level != level:
            return a
        v = a._value
        if same_rank:
            return v
        k = nd + 1 - v.dim()
        return _pad(v, k) if k else v

    if not _is_inplace(op.name):
        out = (
            op.base(*map(one, args), **{k: one(v) for k, v in kwargs.items()})
            if kwargs
            else op.base(*map(one, args))
        )
        return BatchedTensor(out, level) if isinstance(out, Tensor) else wrap(out, level)
    # In place: the batched result is written into self's physical tensor.
    self_v, self_b = unwrap(args[0], level)
    if not self_b:
        # The batched result cannot be written into an unbatched self.
        shapes = [list(self_v.shape)] + [
            list(a.shape) for a in flat if _is_tensor(a) and a is not args[0]
        ]
        nd_all = max(len(x) for x in shapes)
        full = [1] * nd_all
        for shp in shapes:
            for i, n in enumerate(shp, nd_all - len(shp)):
                full[i] = max(full[i], n)
        raise RuntimeError(
            f"output with shape {list(self_v.shape)} doesn't match the broadcast shape "
            f"{[_level_info(level).size] + full}"
        )
    nd = _nd(self_v) - 1
    op.base(self_v, *(one(a) for a in args[1:]), **{k: one(v) for k, v in kwargs.items()})
    return args[0]


# ---- rules: dims ------------------------------------------------------------


def _self(level: int, args: tuple[Any, ...]) -> tuple[Any, int]:
    """The physical self (batch dim at 0, expanded if needed) and its
    logical rank."""
    v, b = unwrap(args[0], level)
    v = _materialize(v, b, _level_info(level).size)
    return v, _nd(v) - 1


def _no_other_batched(level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return all(not unwrap(a, level)[1] for a in (*args[1:], *kwargs.values()))


def _reduce_rule(pos: int, multi: bool, flatten_none: bool) -> Callable[..., Any]:
    """A reduction over ``dim`` (argument ``pos``): its dims move past the
    batch dim; None (all dims) names every logical dim, or flattens them for
    ops that take one dim."""

    def rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not _no_other_batched(level, args, kwargs):
            return _fallback(op, level, args, kwargs)
        v, nd = _self(level, args)
        dim = _arg(args, kwargs, pos, "dim", None)
        rest = args[1:]
        if dim is None:
            size = _level_info(level).size
            if flatten_none or nd == 0:
                flat = v.reshape(size, -1)
                keep = _arg(args, kwargs, pos + 1, "keepdim", False)
                kw = dict(kwargs)
                kw.pop("dim", None)
                kw.pop("keepdim", None)
                a2 = list(rest)
                del a2[pos - 1 :]
                out = op(flat, *a2, dim=1, **kw)
                if keep and nd > 0:

                    def reshaped(o: Any) -> Any:
                        return o.reshape(size, *([1] * nd))

                    out = _map_out(out, reshaped)
                else:
                    out = _map_out(out, lambda o: o.reshape(size))
                if dim is None and isinstance(out, tuple):
                    out = out[0]  # max() and min() of everything: the values
                return wrap(out, level)
            new: Any = tuple(range(1, nd + 1))
        elif isinstance(dim, (tuple, list)):
            new = tuple(_wrap_dim(d, nd) + 1 for d in dim)
        else:
            new = _wrap_dim(dim, nd) + 1
        if not multi and isinstance(new, tuple) and len(new) == 1:
            new = new[0]
        a, k = _with(args, kwargs, pos, "dim", new)
        return wrap(op(v, *a[1:], **k), level)

    return rule


def _map_out(out: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(out, tuple) and hasattr(type(out), "_fields"):
        return type(out)(*(fn(o) for o in out))
    if isinstance(out, (tuple, list)):
        return type(out)(fn(o) for o in out)
    return fn(out)


def _dims_rule(*spec: tuple[int, str, Any, int]) -> Callable[..., Any]:
    """Ops whose dim arguments (position, name, default, extra rank: 1 for a
    dim that may be one past the last, as unsqueeze's) move past the batch
    dim; other tensor arguments must be unbatched."""

    def rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not _no_other_batched(level, args, kwargs):
            return _fallback(op, level, args, kwargs)
        v, nd = _self(level, args)
        a, k = (v, *args[1:]), dict(kwargs)
        for pos, name, default, extra in spec:
            d = _arg(a, k, pos, name, default)
            if isinstance(d, (tuple, list)):
                d = type(d)(_wrap_dim(x, nd + extra) + 1 for x in d)
            else:
                d = _wrap_dim(d, nd + extra) + 1
            a, k = _with(a, k, pos, name, d)
        return wrap(op(*a, **k), level)

    return rule


def _same_shape_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Ops acting on the last dims only (tril, triu, mT-like): the batch dim
    rides along."""
    if not _no_other_batched(level, args, kwargs):
        return _fallback(op, level, args, kwargs)
    v, _ = _self(level, args)
    return wrap(op(v, *args[1:], **kwargs), level)


def _shape_args(args: tuple[Any, ...], kwargs: dict[str, Any], name: str) -> list[int]:
    if (
        len(args) == 2
        and isinstance(args[1], (tuple, list))
        or len(args) == 2
        and hasattr(args[1], "__iter__")
    ):
        return [int(s) for s in args[1]]
    if len(args) == 1:
        return [int(s) for s in kwargs.get(name, kwargs.get("size", ()))]
    return [int(s) for s in args[1:]]


def _reshape_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if op.name == "view" and len(args) == 2 and not isinstance(args[1], (tuple, list, int)):
        if not hasattr(args[1], "__iter__") or _is_tensor(args[1]):
            return _fallback(op, level, args, kwargs)  # view(dtype)
    v, _ = _self(level, args)
    shape = _shape_args(args, kwargs, "shape")
    return wrap(v.reshape(_level_info(level).size, *shape), level)


def _reshape_as_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    other = _arg(args, kwargs, 1, "other", None)
    return _reshape_rule(_method_op("reshape"), level, (args[0], tuple(other.shape)), {})


def _flatten_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    v, nd = _self(level, args)
    start = _wrap_dim(_arg(args, kwargs, 1, "start_dim", 0), nd)
    end = _wrap_dim(_arg(args, kwargs, 2, "end_dim", -1), nd)
    if nd == 0:
        return wrap(v.reshape(-1, 1), level)
    return wrap(v.flatten(start + 1, end + 1), level)


def _squeeze_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    v, nd = _self(level, args)
    dim = _arg(args, kwargs, 1, "dim", None)
    shape = tuple(v.shape)[1:]
    if dim is None:
        dims = [d for d in range(nd) if shape[d] == 1]
    elif isinstance(dim, (tuple, list)):
        dims = [_wrap_dim(d, nd) for d in dim if shape[_wrap_dim(d, nd)] == 1] if nd else []
    else:
        dims = [_wrap_dim(dim, nd)] if nd and shape[_wrap_dim(dim, nd)] == 1 else []
    for d in sorted(dims, reverse=True):
        v = v.squeeze(d + 1)
    return wrap(v, level)


def _permute_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    v, nd = _self(level, args)
    dims = _shape_args(args, kwargs, "dims")
    return wrap(v.permute(0, *(_wrap_dim(d, nd) + 1 for d in dims)), level)


def _t_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    v, nd = _self(level, args)
    return wrap(v if nd < 2 else v.transpose(1, 2), level)


def _expand_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    v, nd = _self(level, args)
    if op.name == "expand_as":
        sizes = list(_arg(args, kwargs, 1, "other", None).shape)
    else:
        sizes = _shape_args(args, kwargs, "size")
    v = _pad(v, len(sizes) - nd)
    return wrap(v.expand(_level_info(level).size, *sizes), level)


def _repeat_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    v, nd = _self(level, args)
    sizes = _shape_args(args, kwargs, "repeats" if op.name == "repeat" else "dims")
    if op.name == "tile" and len(sizes) < nd:
        sizes = [1] * (nd - len(sizes)) + sizes
    v = _pad(v, len(sizes) - nd)
    return wrap(v.repeat(1, *sizes), level)


def _cat_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    tensors = _arg(args, kwargs, 0, "tensors", ())
    size = _level_info(level).size
    phys = [_materialize(*unwrap(t, level), size) for t in tensors]
    nd = max(_nd(p) - 1 for p in phys)
    extra = 1 if op.name == "stack" else 0
    dim = _wrap_dim(_arg(args, kwargs, 1, "dim", 0), nd + extra) + 1
    if op.name != "stack":
        # cat skips 1-d empty tensors of any other rank, as PyTorch does.
        phys = [p for p in phys if not (_nd(p) == 2 and p.shape[1] == 0 and nd != 1)] or phys
    # Under nested vmaps a physical tensor may still be batched (at an outer
    # level): only plain ones go straight to the op.
    base = op.base if all(type(p) is not BatchedTensor for p in phys) else op
    return wrap(base(phys, dim), level)


def _split_rule(pos: int, default: int) -> Callable[..., Any]:
    return _dims_rule((pos, "dim", default, 0))


def _flip_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """flip(dims) and flip(*dims): each dim moves past the batch dim."""
    v, nd = _self(level, args)
    dims = _shape_args(args, kwargs, "dims")
    return wrap(v.flip([_wrap_dim(d, nd) + 1 for d in dims]), level)


def _movedim_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    v, nd = _self(level, args)
    src = _arg(args, kwargs, 1, "source", None)
    dst = _arg(args, kwargs, 2, "destination", None)

    def sh(d: Any) -> Any:
        if isinstance(d, (tuple, list)):
            return tuple(_wrap_dim(x, nd) + 1 for x in d)
        return _wrap_dim(d, nd) + 1

    return wrap(v.movedim(sh(src), sh(dst)), level)


def _index_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``x[index]``: basic indexing and unbatched tensor indices shift past
    the batch dim; a single batched integer index in front gathers with the
    batch positions."""
    self_v, self_b = unwrap(args[0], level)
    index = args[1] if isinstance(args[1], tuple) else (args[1],)
    batched = [unwrap(i, level)[1] for i in index]
    size = _level_info(level).size
    if not any(batched):
        v = _materialize(self_v, self_b, size)
        advanced = [i for i, x in enumerate(index) if _is_tensor(x) or isinstance(x, list)]
        if advanced and advanced != list(range(advanced[0], advanced[-1] + 1)):
            return _fallback(op, level, args, kwargs)
        if op.name == "__setitem__":
            value, value_b = unwrap(args[2], level)
            target_nd = _nd(v[(slice(None),) + tuple(index)]) - 1
            if value_b:
                value = _pad(value, target_nd - (_nd(value) - 1))
            v[(slice(None),) + tuple(index)] = value
            return None
        return wrap(v[(slice(None),) + tuple(index)], level)
    if (
        op.name == "__getitem__"
        and batched[0]
        and all(isinstance(x, slice) and x == slice(None) for x in index[1:])
    ):
        idx = unwrap(index[0], level)[0]
        if not idx.dtype.is_floating_point and idx.dtype != _C.bool:
            rows = _C.arange(size).reshape(size, *([1] * (_nd(idx) - 1)))
            v = _materialize(self_v, self_b, size)
            return wrap(v[rows, idx], level)
    return _fallback(op, level, args, kwargs)


def _gather_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """gather/scatter/scatter_add/scatter_reduce: every tensor argument batched (expanded
    where it is not), the dim past the batch dim."""
    size = _level_info(level).size
    v, nd = _self(level, args)
    dim = _wrap_dim(_arg(args, kwargs, 1, "dim", 0), nd) + 1
    rest = []
    for a in args[2:]:
        if _is_tensor(a):
            x, b = unwrap(a, level)
            rest.append(_materialize(x, b, size))
        else:
            rest.append(a)
    kw = {}
    for k, a in kwargs.items():
        if k == "dim":
            continue
        if _is_tensor(a):
            x, b = unwrap(a, level)
            kw[k] = _materialize(x, b, size)
        else:
            kw[k] = a
    return wrap(op(v, dim, *rest, **kw), level)


def _index_select_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    index = _arg(args, kwargs, 2, "index", None)
    if unwrap(index, level)[1]:
        return _fallback(op, level, args, kwargs)
    return _dims_rule((1, "dim", 0, 0))(op, level, args, kwargs)


def _matmul_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """matmul with either side batched: 1-d operands become matrices, both
    are padded to one rank, and one matmul with the batch dim in front
    broadcasts (an unbatched operand is shared, not copied)."""
    (av, ab), (bv, bb) = unwrap(args[0], level), unwrap(args[1], level)
    and_, bnd = _nd(av) - ab, _nd(bv) - bb
    if and_ == 0 or bnd == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {and_}D and {bnd}D"
        )
    # A shared matrix and a batch of vectors: one matrix product with the
    # vectors as rows, (B, k) @ (k, n), not B matrix-vector products.
    if bb and not ab and (and_, bnd) == (2, 1):
        return wrap(_C.matmul(bv, av.transpose(-1, -2)), level)
    if ab and not bb and (and_, bnd) == (1, 2):
        return wrap(_C.matmul(av, bv), level)

    def lunsq(v: Any, b: bool, d: int) -> Any:  # logical unsqueeze
        return v.unsqueeze(d + 1 if (b and d >= 0) else d)

    squeeze = []
    if and_ == 1:
        av, and_ = lunsq(av, ab, -2 if not ab else 0), 2
        squeeze.append(-2)
    if bnd == 1:
        bv, bnd = lunsq(bv, bb, -1), 2
        squeeze.append(-1)
    nd = max(and_, bnd)
    for _ in range(nd - and_):
        av = lunsq(av, ab, 0)
    for _ in range(nd - bnd):
        bv = lunsq(bv, bb, 0)
    out = _C.matmul(av, bv)
    for d in squeeze:
        out = out.squeeze(d) if d == -1 else out.squeeze(-1 if len(squeeze) == 2 else -2)
    return wrap(out, level)


def _mm_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return _matmul_rule(op, level, args[:2], {})


def _dot_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return (args[0] * args[1]).sum(-1)


def _outer_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return args[0].unsqueeze(-1) * args[1].unsqueeze(-2)


def _addmm_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    bias, a, b = args[:3]
    beta = _arg(args, kwargs, 3, "beta", 1)
    alpha = _arg(args, kwargs, 4, "alpha", 1)
    prod = a @ b
    return bias * beta + prod * alpha if (beta, alpha) != (1, 1) else bias + prod


def _linear_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    x = args[0]
    w = _arg(args, kwargs, 1, "weight", None)
    bias = _arg(args, kwargs, 2, "bias", None)
    xv, xb = unwrap(x, level)
    if xb and not unwrap(w, level)[1] and not unwrap(bias, level)[1]:
        return wrap(op(xv, w, bias), level)
    out = x @ w.transpose(-1, -2)
    return out if bias is None else out + bias


def _fold_batch_rule(rank: int) -> Callable[..., Any]:
    """Ops on (N, C, *spatial) inputs of ``rank`` dims that also take an
    unbatched (C, *spatial) input (convolutions, pooling, padding): the
    vmap batch becomes N, or is folded into N."""

    def rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        v, nd = _self(level, args)
        if not _no_other_batched(level, args, kwargs):
            if op.name.startswith("conv") and nd == rank:
                return _conv_batched_weight(op, level, args, kwargs)
            return _fallback(op, level, args, kwargs)
        size = _level_info(level).size
        if nd == rank - 1:
            return _map_out(op(v, *args[1:], **kwargs), lambda o: BatchedTensor(o, level))
        if nd != rank:
            return _fallback(op, level, args, kwargs)
        n = v.shape[1]
        out = op(v.reshape(size * n, *v.shape[2:]), *args[1:], **kwargs)

        def back(o: Any) -> Any:
            return BatchedTensor(o.reshape(size, n, *o.shape[1:]), level)

        return _map_out(out, back)

    return rule


def _conv_batched_weight(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A convolution with per-sample weights: the batch becomes groups."""
    size = _level_info(level).size
    x, w = args[0], _arg(args, kwargs, 1, "weight", None)
    bias = _arg(args, kwargs, 2, "bias", None)
    rest = list(args[3:])
    groups = _arg(args, kwargs, 6, "groups", 1)
    kw = {k: a for k, a in kwargs.items() if k not in ("weight", "bias", "groups")}
    if len(rest) >= 4:
        rest = rest[:3]
    xv = _materialize(*unwrap(x, level), size)  # (B, N, C, *S)
    wv = _materialize(*unwrap(w, level), size)  # (B, O, C/g, *K)
    n, c = xv.shape[1], xv.shape[2]
    o = wv.shape[1]
    xg = xv.transpose(0, 1).reshape(n, size * c, *xv.shape[3:])
    wg = wv.reshape(size * o, *wv.shape[2:])
    bg = None if bias is None else _materialize(*unwrap(bias, level), size).reshape(size * o)
    out = op(xg, wg, bg, *rest, groups=groups * size, **kw)
    out = out.reshape(n, size, o, *out.shape[2:]).transpose(0, 1)
    return BatchedTensor(out, level)


def _layer_norm_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    x = args[0]
    shape = _arg(args, kwargs, 1, "normalized_shape", None)
    weight = _arg(args, kwargs, 2, "weight", None)
    bias = _arg(args, kwargs, 3, "bias", None)
    eps = _arg(args, kwargs, 4, "eps", 1e-5)
    xv, xb = unwrap(x, level)
    if unwrap(weight, level)[1] or unwrap(bias, level)[1]:
        out = _Op("layer_norm", _C.layer_norm)(x, shape, None, None, eps)
        if weight is not None:
            out = out * weight
        return out if bias is None else out + bias
    return wrap(op(xv, shape, weight, bias, eps), level)


def _batch_norm_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Each sample's statistics are its own: the batch joins the channels."""
    names = ("input", "weight", "bias", "running_mean", "running_var", "training", "momentum",
             "eps", "cudnn_enabled")  # fmt: skip
    a = {n: _arg(args, kwargs, i, n, None) for i, n in enumerate(names)}
    size = _level_info(level).size
    x, xb = unwrap(a["input"], level)
    training = bool(a["training"])
    if training and a["running_mean"] is not None and not unwrap(a["running_mean"], level)[1]:
        raise RuntimeError(
            "vmap: batch_norm with running statistics in training mode updates them in place "
            "with per-sample values; pass track_running_stats=False or use eval mode"
        )
    x = _materialize(x, xb, size)  # (B, N, C, *S)
    n, c = x.shape[1], x.shape[2]
    xs = x.transpose(0, 1).reshape(n, size * c, *x.shape[3:])

    def per_channel(t: Any) -> Any:
        if t is None:
            return None
        tv, tb = unwrap(t, level)
        return _materialize(tv, tb, size).reshape(size * c)

    out = op(
        xs,
        per_channel(a["weight"]),
        per_channel(a["bias"]),
        per_channel(a["running_mean"]),
        per_channel(a["running_var"]),
        training,
        a["momentum"],
        a["eps"],
        a["cudnn_enabled"] if a["cudnn_enabled"] is not None else True,
    )
    return BatchedTensor(out.reshape(n, size, c, *x.shape[3:]).transpose(0, 1), level)


def _pointwise_loss_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Losses that are a mean or sum of elementwise terms: the terms batch
    as elementwise ops, the reduction runs per sample."""
    names = ["input", "target"]
    extra = {"binary_cross_entropy": ["weight"], "binary_cross_entropy_with_logits": ["weight"]}
    names += extra.get(op.name, [])
    red_pos = len(names)
    reduction = _arg(args, kwargs, red_pos, "reduction", "mean")
    if op.name == "binary_cross_entropy_with_logits":
        reduction = kwargs.get("reduction", args[3] if len(args) > 3 else "mean")
    a, k = _with(args, kwargs, red_pos, "reduction", "none")
    if op.name == "binary_cross_entropy_with_logits" and len(args) <= 3:
        k = {**kwargs, "reduction": "none"}
    terms = _elementwise(op, level, a, k)
    if reduction == "none":
        return terms
    if reduction == "sum":
        return terms.sum()
    return terms.mean()


def _class_loss_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """cross_entropy and nll_loss: the batch joins N (or becomes N for an
    unbatched input); 'mean' divides by each sample's total weight."""
    size = _level_info(level).size
    x, xb = unwrap(args[0], level)
    t, tb = unwrap(_arg(args, kwargs, 1, "target", None), level)
    weight = _arg(args, kwargs, 2, "weight", None)
    if unwrap(weight, level)[1]:
        return _fallback(op, level, args, kwargs)
    reduction = _arg(args, kwargs, 3, "reduction", "mean")
    ignore_index = _arg(args, kwargs, 4, "ignore_index", -100)
    tail = [weight, "none", ignore_index]
    if op.name == "cross_entropy":
        tail.append(_arg(args, kwargs, 5, "label_smoothing", 0.0))
    x = _materialize(x, xb, size)
    t = _materialize(t, tb, size)
    nd = _nd(x) - 1
    probs = t.is_floating_point()
    if nd == 1:
        loss = op(x, t, *tail)  # (B,)
        n_shape: tuple[int, ...] = ()
    else:
        n = x.shape[1]
        loss = op(x.reshape(size * n, *x.shape[2:]), t.reshape(size * n, *t.shape[2:]), *tail)
        loss = loss.reshape(size, n, *loss.shape[1:])
        n_shape = tuple(loss.shape[1:])
    if reduction == "none":
        return BatchedTensor(loss, level)
    dims = tuple(range(1, len(n_shape) + 1))
    total = loss.sum(dims) if dims else loss
    if reduction == "sum":
        return BatchedTensor(total, level)
    if probs:
        count = 1
        for s in n_shape[:1] + n_shape[1:]:
            count *= int(s)
        return BatchedTensor(total / max(count, 1) if dims else total, level)
    valid = (t != ignore_index).to(x.dtype)
    w = valid if weight is None else weight[t.clamp_min(0)] * valid
    denom = w.sum(dims) if dims else w
    return BatchedTensor(total / denom, level)


def _embedding_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse).
    A shared table looks the batched indices up as they are. A batched
    table (per-sample gradients lift the weights) becomes one table of
    every example's rows, each example's indices offset to its own rows;
    padding rows keep their values and pass no gradient, as the op's
    padding_idx does."""
    weight, wb = unwrap(args[0], level)
    idx, ib = unwrap(_arg(args, kwargs, 1, "indices", None), level)
    if not wb:
        return wrap(op(weight, idx, *args[2:], **kwargs), level)
    padding_idx = _arg(args, kwargs, 2, "padding_idx", -1)
    by_freq = _arg(args, kwargs, 3, "scale_grad_by_freq", False)
    if by_freq or weight.dim() != 3 or not _is_tensor(idx):
        return _fallback(op, level, args, kwargs)
    size, rows = weight.shape[0], weight.shape[1]
    if not ib:
        idx = idx.unsqueeze(0).expand(size, *idx.shape)
    outside = (idx < 0).logical_or(idx >= rows)
    if type(outside) is not Tensor or bool(outside.any()):
        # An index outside its example's table (raising per example as the
        # op does), or indices batched at an outer level too.
        return _fallback(op, level, args, kwargs)
    offsets = _C.arange(size, dtype=idx.dtype).reshape(size, *([1] * (idx.dim() - 1)))
    out = op(weight.reshape(size * rows, weight.shape[2]), idx + offsets * rows)
    if padding_idx >= 0:
        out = _C.where((idx == padding_idx).unsqueeze(-1), out.detach(), out)
    return wrap(out, level)


def _einsum_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A fresh subscript letter names the batch dim of each batched operand
    and leads the output."""
    equation, *operands = args
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    if not isinstance(equation, str) or "..." in equation:
        return _fallback(op, level, args, kwargs)
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if not arrow:
        letters = [c for c in lhs if c.isalpha()]
        rhs = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    free = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in eq)
    phys = []
    for i, o in enumerate(operands):
        v, b = unwrap(o, level)
        phys.append(v)
        if b:
            terms[i] = free + terms[i]
    new_eq = ",".join(terms) + "->" + free + rhs
    return wrap(op(new_eq, *phys), level)


def _clone_like_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    v, b = unwrap(args[0], level)
    return wrap(op(v, *args[1:], **kwargs), level)


def _new_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """new_zeros & co. make an unbatched tensor of the dtype of self."""
    v, _ = unwrap(args[0], level)
    return op(v.select(0, 0), *args[1:], **kwargs)


# ---- randomness -------------------------------------------------------------

_RANDOM_FACTORIES = {"rand", "randn", "randint", "randperm", "normal"}
_RANDOM_LIKE = {"rand_like", "randn_like", "randint_like", "bernoulli", "multinomial"}
_RANDOM_INPLACE = {"uniform_", "normal_", "bernoulli_", "random_", "exponential_", "cauchy_"}
_RANDOM_DROPOUT = {"dropout", "dropout_", "alpha_dropout", "feature_alpha_dropout"}
_RANDOM = _RANDOM_FACTORIES | _RANDOM_LIKE | _RANDOM_INPLACE | _RANDOM_DROPOUT


def _random_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    current = active_levels()[-1]
    if op.name in _RANDOM_DROPOUT and not _arg(args, kwargs, 2, "train", True):
        return _elementwise(op, level, args, kwargs) if level else op.base(*args, **kwargs)
    if current.randomness == "error":
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use "
            "the 'same' or 'different' randomness flags on vmap or perform the randomness "
            "operation out of vmap"
        )
    lv = current.level
    if level and level != lv:
        # Batched only at an outer level: the op runs at that level.
        return _random_at(op, level, _level_info(level).randomness, args, kwargs)
    return _random_at(op, lv, current.randomness, args, kwargs)


def _random_at(
    op: _Op, level: int, randomness: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    size = _level_info(level).size
    if op.name in _RANDOM_FACTORIES:
        if randomness == "same":
            return op.base(*args, **kwargs)
        if op.name == "randint":
            *bounds, shape = args
            return BatchedTensor(op.base(*bounds, (size, *shape), **kwargs), level)
        shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
        return BatchedTensor(op.base((size, *shape), **kwargs), level)
    v, b = unwrap(args[0], level)
    if op.name in _RANDOM_INPLACE:
        if randomness == "different" and not b:
            raise RuntimeError(
                "vmap: Cannot ask for different inplace randomness on an unbatched tensor. This "
                "will appear like same randomness. If this is necessary for your usage, please "
                "file an issue with functorch."
            )
        if randomness == "same" and b:
            fresh = _C.empty(tuple(v.shape)[1:], dtype=v.dtype)
            getattr(fresh, op.name)(*args[1:], **kwargs)
            v.copy_(fresh.expand(*v.shape))
            return args[0]
        getattr(v, op.name)(*args[1:], **kwargs)
        return args[0]
    if randomness == "same":
        if op.name in _RANDOM_DROPOUT:
            if op.name.endswith("_"):
                raise RuntimeError("vmap: in-place dropout with randomness='same' is not supported")
            ones = _C.ones(tuple(v.shape)[1:] if b else tuple(v.shape), dtype=v.dtype)
            mask = op.base(ones, *args[1:], **kwargs)
            return args[0] * mask
        if b:
            return op.base(v.select(0, 0), *args[1:], **kwargs)
        return op.base(*args, **kwargs)
    phys = _materialize(v, b, size)
    if op.name == "dropout_" and not b:
        raise RuntimeError(
            "vmap: Cannot ask for different inplace randomness on an unbatched tensor."
        )
    out = op.base(phys, *args[1:], **kwargs) if isinstance(phys, Tensor) else op(phys, *args[1:])
    if op.name == "dropout_":
        return args[0]
    return BatchedTensor(out, level)


# ---- the fallback -----------------------------------------------------------

_warned: set[str] = set()


def _fallback(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Runs the op once per batch element and stacks the results."""
    if op.name not in _warned:
        _warned.add(op.name)
        warnings.warn(
            f"There is a performance drop because there is no batching rule for `{op.name}`: "
            "vmap runs it once per batch element and stacks the results.",
            UserWarning,
            stacklevel=3,
        )
    size = _level_info(level).size

    def pick(x: Any, i: int) -> Any:
        v, b = unwrap(x, level)
        if b:
            return v.select(0, i)
        if type(x) in (list, tuple):
            return type(x)(pick(y, i) for y in x)
        return x

    results = [
        op(*(pick(a, i) for a in args), **{k: pick(v, i) for k, v in kwargs.items()})
        for i in range(size)
    ]
    first = results[0]
    if _is_tensor(first):
        return BatchedTensor(_Op("stack", _C.stack)(results), level)
    if isinstance(first, (tuple, list)) and all(_is_tensor(r) for r in first):
        parts = [BatchedTensor(_Op("stack", _C.stack)([r[j] for r in results]), level)
                 for j in range(len(first))]  # fmt: skip
        if hasattr(type(first), "_fields"):
            return type(first)(*parts)
        return type(first)(parts)
    if first is None or (op.name.endswith("_") and not op.name.startswith("__")):
        if op.name.endswith("_"):
            return args[0]
        return None
    if all(r == first for r in results):
        return first
    raise _unsupported_data(op.name)


# ---- the rule table ---------------------------------------------------------

_ELEMENTWISE = """
abs abs_ absolute acos acosh add add_ addcdiv addcdiv_ addcmul addcmul_ asin asinh atan atan2 atanh bitwise_and
bitwise_and_ bitwise_not bitwise_not_ bitwise_or bitwise_or_ bitwise_xor bitwise_xor_ bool ceil
ceil_ celu clamp clamp_ clamp_max clamp_max_ clamp_min clamp_min_ clip clip_ clone contiguous
copy_ copysign cos cos_ cosh cpu deg2rad detach detach_ div div_ divide double elu elu_ empty_like
eq erf erf_ erfc exp exp_ exp2 expm1 expm1_ fill_ fix fix_ float float_power floor floor_ floor_divide
floor_divide_ fmod frac full_like ge gelu ge_ glu greater gt half hardshrink hardsigmoid hardswish
hardtanh hardtanh_ heaviside hypot int isclose isfinite isinf isnan le leaky_relu leaky_relu_ lerp
lerp_ less log log10 log10_ log1p log1p_ log2 log2_ log_ logaddexp logaddexp2 logsigmoid logical_and logical_and_ logical_not
logical_not_ logical_or logical_or_ logical_xor logical_xor_ logit long lt masked_fill masked_fill_
maximum minimum mish mul mul_ multiply nan_to_num ne neg neg_ negative negative_ ones_like pow pow_
prelu rad2deg reciprocal reciprocal_ relu relu6 relu_ remainder remainder_ requires_grad_ round
round_ rrelu rsqrt rsqrt_ selu sgn short sigmoid sigmoid_ sign sign_ signbit silu silu_ sin sin_
sinc sinh softplus softshrink softsign sqrt sqrt_ square square_ sub sub_ subtract tan tan_ tanh
tanh_ tanhshrink threshold to true_divide trunc trunc_ type type_as where xlogy zero_ zeros_like
__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ __floordiv__
__rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ __and__ __rand__ __or__ __ror__ __xor__ __rxor__
__lt__ __le__ __gt__ __ge__ __eq__ __ne__ __neg__ __pos__ __abs__ __invert__ __iadd__ __isub__
__imul__ __itruediv__ binary_cross_entropy_with_logits_terms
"""

_RULES: dict[str, Callable[..., Any]] = {n: _elementwise for n in _ELEMENTWISE.split()}
_RULES.update(
    {
        **{
            n: _reduce_rule(1, True, False)
            for n in "sum mean nansum nanmean amax amin logsumexp count_nonzero".split()
        },
        **{n: _reduce_rule(1, False, True) for n in "prod argmax argmin median all any".split()},
        "std": _reduce_rule(1, True, False),
        "var": _reduce_rule(1, True, False),
        **{
            n: _dims_rule((1, "dim", None, 0))
            for n in "softmax log_softmax cumsum cumprod cummax cummin logcumsumexp".split()
        },
        "sort": _dims_rule((1, "dim", -1, 0)),
        "argsort": _dims_rule((1, "dim", -1, 0)),
        "topk": _dims_rule((2, "dim", -1, 0)),
        "kthvalue": _dims_rule((2, "dim", -1, 0)),
        "flip": _flip_rule,
        "narrow": _dims_rule((1, "dim", None, 0)),
        "select": _dims_rule((1, "dim", None, 0)),
        "unbind": _dims_rule((1, "dim", 0, 0)),
        "chunk": _split_rule(2, 0),
        "split": _split_rule(2, 0),
        "split_with_sizes": _split_rule(2, 0),
        "tensor_split": _split_rule(2, 0),
        "unsqueeze": _dims_rule((1, "dim", None, 1)),
        "transpose": _dims_rule((1, "dim0", None, 0), (2, "dim1", None, 0)),
        "swapaxes": _dims_rule((1, "axis0", None, 0), (2, "axis1", None, 0)),
        "swapdims": _dims_rule((1, "dim0", None, 0), (2, "dim1", None, 0)),
        "diagonal": _dims_rule((2, "dim1", 0, 0), (3, "dim2", 1, 0)),
        "diff": _dims_rule((2, "dim", -1, 0)),
        "movedim": _movedim_rule,
        "moveaxis": _movedim_rule,
        "tril": _same_shape_rule,
        "triu": _same_shape_rule,
        "view": _reshape_rule,
        "reshape": _reshape_rule,
        "view_as": _reshape_as_rule,
        "reshape_as": _reshape_as_rule,
        "flatten": _flatten_rule,
        "squeeze": _squeeze_rule,
        "permute": _permute_rule,
        "t": _t_rule,
        "expand": _expand_rule,
        "expand_as": _expand_rule,
        "repeat": _repeat_rule,
        "tile": _repeat_rule,
        "cat": _cat_rule,
        "concat": _cat_rule,
        "concatenate": _cat_rule,
        "stack": _cat_rule,
        "__getitem__": _index_rule,
        "__setitem__": _index_rule,
        "gather": _gather_rule,
        "scatter": _gather_rule,
        "scatter_": _gather_rule,
        "scatter_add": _gather_rule,
        "scatter_add_": _gather_rule,
        "scatter_reduce": _gather_rule,
        "scatter_reduce_": _gather_rule,
        "index_select": _index_select_rule,
        "matmul": _matmul_rule,
        "__matmul__": _matmul_rule,
        "__rmatmul__": lambda op, lv, a, k: _matmul_rule(op, lv, (a[1], a[0]), k),
        "mm": _mm_rule,
        "bmm": _mm_rule,
        "mv": _mm_rule,
        "dot": _dot_rule,
        "inner": _dot_rule,
        "outer": _outer_rule,
        "ger": _outer_rule,
        "addmm": _addmm_rule,
        "linear": _linear_rule,
        "conv1d": _fold_batch_rule(3),
        "conv2d": _fold_batch_rule(4),
        "conv3d": _fold_batch_rule(5),
        "max_pool2d": _fold_batch_rule(4),
        "max_pool2d_with_indices": _fold_batch_rule(4),
        "avg_pool2d": _fold_batch_rule(4),
        "layer_norm": _layer_norm_rule,
        "batch_norm": _batch_norm_rule,
        "mse_loss": _pointwise_loss_rule,
        "l1_loss": _pointwise_loss_rule,
        "smooth_l1_loss": _pointwise_loss_rule,
        "binary_cross_entropy": _pointwise_loss_rule,
        "binary_cross_entropy_with_logits": _pointwise_loss_rule,
        "cross_entropy": _class_loss_rule,
        "nll_loss": _class_loss_rule,
        "embedding": _embedding_rule,
        "einsum": _einsum_rule,
        "one_hot": _clone_like_rule,
        "new_zeros": _new_rule,
        "new_ones": _new_rule,
        "new_full": _new_rule,
        "new_empty": _new_rule,
        "new_tensor": _new_rule,
    }
)
_RULES["max"] = lambda op, lv, a, k: (
    _elementwise(op, lv, a, k) if len(a) > 1 and _is_tensor(a[1]) else
    _reduce_rule(1, False, True)(op, lv, a, k)
)  # fmt: skip
_RULES["min"] = lambda op, lv, a, k: (
    _elementwise(op, lv, a, k) if len(a) > 1 and _is_tensor(a[1]) else
    _reduce_rule(1, False, True)(op, lv, a, k)
)  # fmt: skip
_RULES["norm"] = lambda op, lv, a, k: _norm_rule(op, lv, a, k)


def _result_type_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The dtype depends only on each tensor's dtype and whether it is 0-d:
    an empty stand-in of one example's shape answers for the whole batch."""

    def example(x: Any) -> Any:
        v, b = unwrap(x, level)
        return _C.empty(tuple(v.shape)[1:], dtype=v.dtype) if b else x

    return op(*(example(a) for a in args), **kwargs)


_RULES["result_type"] = _result_type_rule


def _lstm_layer_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The fused LSTM layer (behind nn.LSTM) as its steps' ops, each batched
    by its own rule."""
    from ..nn._functional.rnn import lstm_layer_composed

    return lstm_layer_composed(*args, **kwargs)


_RULES["_lstm_layer"] = _lstm_layer_rule


def _pad_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """reflect and replicate padding of the last len(pad) // 2 dims, on
    (N, C, *dims) inputs or unbatched (C, *dims) ones."""
    pad = _arg(args, kwargs, 1, "pad", ())
    return _fold_batch_rule(len(pad) // 2 + 2)(op, level, args, kwargs)


def _masked_fill_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A batched value (a 0-d tensor per example) is a per-example fill:
    where(mask, value, self) in self's dtype. Otherwise elementwise."""
    value = _arg(args, kwargs, 2, "value", None)
    if not batched_at(value, level):
        return _elementwise(op, level, args, kwargs)
    if _is_inplace(op.name) or value._value.dim() != 1:
        # In place, or a value that is not 0-d per example (each example
        # then raises PyTorch's error).
        return _fallback(op, level, args, kwargs)
    self_ = args[0]
    mask = _arg(args, kwargs, 1, "mask", None)
    return _C.where(mask, value.to(self_.dtype), self_)


def _roll_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """roll along given dims; without dims it rolls the flattened example."""
    if _arg(args, kwargs, 2, "dims", None) in (None, (), []):
        return _fallback(op, level, args, kwargs)
    return _dims_rule((2, "dims", None, 0))(op, level, args, kwargs)


def _constant_pad_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Constant padding of the last len(pad) // 2 dims leaves the batch dim
    alone when the example has that many dims."""
    v, nd = _self(level, args)
    pad = _arg(args, kwargs, 1, "pad", ())
    if not _no_other_batched(level, args, kwargs) or len(pad) // 2 > nd:
        return _fallback(op, level, args, kwargs)
    return wrap(op(v, *args[1:], **kwargs), level)


_RULES.update(
    {
        "roll": _roll_rule,
        # unfold and fold (and the transposed convolutions built on fold)
        "im2col": _fold_batch_rule(4),
        "col2im": _fold_batch_rule(3),
        "constant_pad_nd": _constant_pad_rule,
        "_reflection_pad": _pad_rule,
        "_replication_pad": _pad_rule,
        "masked_fill": _masked_fill_rule,
        "masked_fill_": _masked_fill_rule,
    }
)


def _norm_rule(op: _Op, level: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    p = _arg(args, kwargs, 1, "p", "fro")
    dim = _arg(args, kwargs, 2, "dim", None)
    keepdim = _arg(args, kwargs, 3, "keepdim", False)
    v, nd = _self(level, args)
    if dim is None:
        if nd == 0:
            return wrap(v.abs(), level)
        dims: Any = tuple(range(1, nd + 1))
        if p == "fro":
            p = 2
        flat = v.reshape(v.shape[0], -1)
        out = op(flat, p, 1, False)
        if keepdim:
            out = out.reshape(v.shape[0], *([1] * nd))
        return wrap(out, level)
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(d, nd) + 1 for d in dim)
    else:
        dims = _wrap_dim(dim, nd) + 1
    return wrap(op(v, p, dims, keepdim), level)


# ---- installing the dispatching functions -------------------------------------

_install_lock = threading.Lock()
_install_count = [0]
_sites_cache: dict[str, Any] = {"n": -1, "sites": []}
_wrappers: dict[int, _Op] = {}


def _builtins() -> dict[int, Any]:
    out = {}
    for mod in (_C, _C._nn):
        for name, fn in vars(mod).items():
            if isinstance(fn, _C._builtin_function) and (
                not name.startswith("_") or name in _RULES
            ):
                out[id(fn)] = fn
    return out


_BUILTINS = _builtins()

# Tensor's own attributes as defined (the originals while a vmap runs).
_TENSOR_ATTRS: dict[str, Any] = {}
for _klass in reversed(Tensor.__mro__):
    _TENSOR_ATTRS.update(vars(_klass))

# Metadata and conversions: no op to batch, and hot in library code.
_UNPATCHED_METHODS = set(
    """size dim ndimension numel nelement item tolist numpy data_ptr backward register_hook
    register_post_accumulate_grad_hook retain_grad stride storage_offset element_size
    is_contiguous is_floating_point is_complex is_signed get_device untyped_storage
    is_pinned is_shared is_meta is_cpu is_cuda is_mps is_sparse is_quantized""".split()
)


def _tensor_methods() -> list[tuple[str, Any]]:
    """The Tensor methods that run ops: public methods and the operators."""
    out = []
    for name, attr in vars(Tensor).items():
        if name in _UNPATCHED_METHODS:
            continue
        if name.startswith("_") and name not in _DUNDERS:
            continue
        if isinstance(attr, (types.FunctionType, _C._method_descriptor)):
            out.append((name, attr))
    return out


_PATCHED_METHODS: list[tuple[str, Any]] = []
_METHOD_WRAPPERS: dict[str, Callable[..., Any]] = {}


def _sites() -> list[tuple[Any, str, Any]]:
    """Every (module, name, builtin) where the library exposes a random op."""
    if _sites_cache["n"] == len(sys.modules):
        return _sites_cache["sites"]  # type: ignore[no-any-return]
    sites = []
    for mname, mod in list(sys.modules.items()):
        if mod is None or not mname.startswith("autograd_cpp"):
            continue
        if mname.startswith("autograd_cpp.func"):
            continue
        try:
            items = list(vars(mod).items())
        except TypeError:
            continue
        for name, value in items:
            if id(value) in _BUILTINS and _BUILTINS[id(value)] is value and name in _RANDOM:
                sites.append((mod, name, value))
    _sites_cache["n"] = len(sys.modules)
    _sites_cache["sites"] = sites
    # What _install sets, built once per scan: installing runs on every vmap.
    _sites_cache["plan"] = [(mod, name, _wrapper(fn)) for mod, name, fn in sites] + [
        (Tensor, name, _METHOD_WRAPPERS[name]) for name, _ in _patched_methods()
    ]
    return sites


def _patched_methods() -> list[tuple[str, Any]]:
    if not _PATCHED_METHODS:
        _PATCHED_METHODS.extend((n, a) for n, a in _tensor_methods() if n in _RANDOM)
        _METHOD_WRAPPERS.update((n, _make_method(n)) for n, _ in _PATCHED_METHODS)
    return _PATCHED_METHODS


def as_dispatching(fn: Any) -> Any:
    """``fn`` itself, or its dispatching form if it is one of the library's ops
    (``vmap(torch.dot)`` holds the op from before the vmap began)."""
    if id(fn) in _BUILTINS and _BUILTINS[id(fn)] is fn:
        return _wrapper(fn)
    return fn


def _wrapper(fn: Any) -> _Op:
    op = _wrappers.get(id(fn))
    if op is None:
        op = _wrappers[id(fn)] = _Op(fn.__name__, fn)
    return op


# The Tensor methods vmap dispatches, by identity (filled on first use).
_METHOD_NAMES: dict[int, str] = {}


def _hook(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Note [vmap's dispatch hook] (python/callable.cpp): a C++ function or
    method called with a batched tensor while a vmap runs."""
    if not _METHOD_NAMES:
        _METHOD_NAMES.update(
            (id(attr), name)
            for name, attr in _tensor_methods()
            if isinstance(attr, _C._method_descriptor)
        )
    name = _METHOD_NAMES.get(id(fn))
    if name is not None:
        return dispatch(_method_op(name), args, kwargs)
    if _BUILTINS.get(id(fn)) is fn:
        return dispatch(_wrapper(fn), args, kwargs)
    return NotImplemented  # a private function: runs (and refuses batched tensors) as before


def _install() -> None:
    """Ops reached by a batched tensor dispatch through the C++ hook; random
    ops dispatch even on plain tensors (randomness applies to them), so
    their module functions and methods are replaced while a vmap runs."""
    with _install_lock:
        _install_count[0] += 1
        if _install_count[0] > 1:
            return
        _C._set_vmap_hook(_hook, BatchedTensor)
        _sites()
        for obj, name, wrapper in _sites_cache["plan"]:
            setattr(obj, name, wrapper)


def _uninstall() -> None:
    with _install_lock:
        _install_count[0] -= 1
        if _install_count[0] > 0:
            return
        _C._set_vmap_hook(None, None)
        for mod, name, fn in _sites_cache["sites"]:
            setattr(mod, name, fn)
        for name, attr in _PATCHED_METHODS:
            setattr(Tensor, name, attr)


# ---- moving between logical and physical ----------------------------------------


def batched_at(x: object, level: int) -> bool:
    return type(x) is BatchedTensor and x._level == level


def physical(x: Any) -> Any:
    """The plain tensor under every level of ``x``."""
    while type(x) is BatchedTensor:
        x = x._value
    return x


def lift(x: Any) -> Any:
    """``x`` batched at every active level, as the plain tensor whose
    leading dims are the levels' batches, outermost first (expanded where
    ``x`` is not batched at a level)."""
    levels = active_levels()
    if not levels:
        return x
    present = []
    y = x
    while type(y) is BatchedTensor:
        present.append(y._level)
        y = y._value
    present.reverse()  # outermost first, as the physical dims are
    p = y
    for i, lv in enumerate(levels):
        if lv.level not in present:
            p = p.unsqueeze(i)
            p = p.expand(*p.shape[:i], lv.size, *p.shape[i + 1 :])
    return p


def rewrap(p: Any) -> Any:
    """The inverse of ``lift``: a plain tensor with every active level's
    batch in front, as nested batched tensors."""
    for lv in active_levels():
        p = BatchedTensor(p, lv.level)
    return p


# ---- operators of BatchedTensor --------------------------------------------


def _make_method(name: str) -> Callable[..., Any]:
    op = _method_op(name)

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return dispatch(op, (self, *args), kwargs)

    method.__name__ = name
    return method


# The operators of a batched tensor dispatch as its methods do.
_DUNDERS = [
    f"__{n}__"
    for n in """add radd sub rsub mul rmul truediv rtruediv floordiv rfloordiv mod rmod pow rpow
    matmul rmatmul and rand or ror xor rxor lt le gt ge eq ne neg pos abs invert iadd isub imul
    itruediv getitem setitem""".split()
]
for _name in _DUNDERS:
    setattr(BatchedTensor, _name, _make_method(_name))
