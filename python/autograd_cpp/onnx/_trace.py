"""The op recorder ONNX export traces with.

`trace(fn, inputs)` runs ``fn`` once and returns the ops it called as a list
of `OpCall`: the op's name, its arguments with every tensor replaced by a
`Value` (a name, shape and dtype fixed when the op ran), and the Values of
its outputs. This is the one interface the exporter reads; today it is fed by
wrapping the Python entry points of the ops (``autograd_cpp.*``,
``autograd_cpp.nn.functional.*`` and the Tensor methods) for the duration of
the trace, and it can later be fed by a recorder at the ops' single dispatch
point in C++ without the exporter changing.

Only the outermost op of a call is recorded (``F.linear`` rather than the
matmul inside it), and only when one of its tensor arguments depends on the
inputs: anything computed from parameters and constants alone is folded into
a constant. As a safety net, a tensor that depends on the inputs (it has a
grad_fn: parameters stop requiring grad during the trace, the inputs start)
but was made by an op the recorder did not see raises an error naming the op.
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import _C
from ..nn import functional as _F


class UnsupportedOperatorError(RuntimeError):
    """An op that cannot be exported to ONNX (the message names it)."""


@dataclass
class Value:
    """A tensor of the traced graph: its ONNX name, shape and dtype."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    tensor: _C.Tensor | None = None  # constants keep their data

    @property
    def ndim(self) -> int:
        return len(self.shape)


class SymInt(int):
    """A size read from a traced tensor (``x.size(0)``, ``x.shape[1]``): an
    int that remembers where it came from, so factories and reshapes given
    it follow that size in the exported graph instead of freezing it. Sums,
    differences, products and floor quotients with ints or other SymInts are
    SymInts too (``bsz * num_heads``); anything else gives a plain int."""

    source: Value | None  # the tensor whose size this is
    dim: int
    expr: tuple[str, Any, Any] | None  # or the arithmetic that made it

    def __new__(
        cls,
        value: int,
        source: Value | None,
        dim: int = 0,
        expr: tuple[str, Any, Any] | None = None,
    ) -> SymInt:
        made = int.__new__(cls, value)
        made.source = source
        made.dim = dim
        made.expr = expr
        return made

    def _combine(self, op: str, other: Any, swap: bool = False) -> Any:
        if type(other) is not int and not isinstance(other, SymInt):
            return NotImplemented
        left, right = (int(other), int(self)) if swap else (int(self), int(other))
        if op == "Add":
            value = left + right
        elif op == "Sub":
            value = left - right
        elif op == "Mul":
            value = left * right
        else:  # "Div": floor division of sizes (non-negative)
            value = left // right
        operands = (other, self) if swap else (self, other)
        return SymInt(value, None, 0, (op, *operands))

    def __add__(self, other: Any) -> Any:
        return self._combine("Add", other)

    def __radd__(self, other: Any) -> Any:
        return self._combine("Add", other, True)

    def __sub__(self, other: Any) -> Any:
        return self._combine("Sub", other)

    def __rsub__(self, other: Any) -> Any:
        return self._combine("Sub", other, True)

    def __mul__(self, other: Any) -> Any:
        return self._combine("Mul", other)

    def __rmul__(self, other: Any) -> Any:
        return self._combine("Mul", other, True)

    def __floordiv__(self, other: Any) -> Any:
        return self._combine("Div", other)


@dataclass
class OpCall:
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    outputs: list[Value]
    result: Any = None  # the outputs' structure: a Value, or a tuple/list of them
    where: str = ""


@dataclass
class Trace:
    calls: list[OpCall] = field(default_factory=list)
    inputs: list[Value] = field(default_factory=list)
    constants: dict[str, Value] = field(default_factory=dict)
    outputs: list[Value] = field(default_factory=list)


# Functions written in Python from other ops: their inner ops are recorded.
_TRANSPARENT = frozenset({"multi_head_attention_forward"})

# Tensor methods that only read metadata or leave the graph: not ops.
_NOT_OPS = frozenset(
    """__init__ __new__ __repr__ __str__ __format__ __hash__ __reduce__ __reduce_ex__
    __deepcopy__ __copy__ __getattribute__ __setattr__ __delattr__ __dir__ __sizeof__
    __init_subclass__ __subclasshook__ __class__ __len__ __bool__ __float__ __int__ __index__
    __iter__ __reversed__ __array__ __array_wrap__ __dlpack__ __dlpack_device__ __getstate__
    __setstate__ __eq__ __ne__ _repr_html_ size dim ndimension numel nelement stride
    storage_offset data_ptr element_size is_contiguous is_floating_point tolist item numpy
    _numpy_view _storage_flat _alias_as register_hook register_post_accumulate_grad_hook
    retain_grad backward _backward requires_grad_ type _pybind11_conduit_v1_ _grad grad
    grad_fn is_leaf is_cuda device dtype shape ndim output_nr requires_grad _version
    _retains_grad""".split()
)
# (== and != are ops too, but Python also calls them for `in` and dict lookups
# on tensors; eq/ne cover them.)


def _dtype_name(t: _C.Tensor) -> str:
    return str(t.dtype).removeprefix("torch.")


class _Recorder:
    def __init__(self, names: dict[int, str]) -> None:
        self.trace = Trace()
        self.values: dict[int, Value] = {}  # id(tensor) -> its current Value
        self.alive: list[_C.Tensor] = []  # keeps ids unique while tracing
        self.param_names = names
        self.depth = 0
        self.counter = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"

    def bind(self, t: _C.Tensor, name: str) -> Value:
        value = Value(name, tuple(t.shape), _dtype_name(t))
        self.values[id(t)] = value
        self.alive.append(t)
        return value

    def dynamic(self, x: Any) -> bool:
        """Whether x depends on the inputs: a traced tensor, one with a
        grad_fn (only the inputs require grad while tracing; the error for an
        op that made it unseen comes when it is used), or a traced size."""
        if isinstance(x, SymInt):
            return True
        if isinstance(x, _C.Tensor):
            return id(x) in self.values or x.grad_fn is not None
        if isinstance(x, (list, tuple)):
            return any(self.dynamic(v) for v in x)
        return False

    def value_of(self, t: _C.Tensor, op: str) -> Value:
        found = self.values.get(id(t))
        if found is not None:
            return found
        fn = t.grad_fn
        if fn is not None:
            raise UnsupportedOperatorError(
                f"ONNX export: the op behind {fn.name()} (used by '{op}') was not recorded; "
                "it cannot be exported"
            )
        # A parameter, buffer or a constant made without the inputs.
        name = self.param_names.get(id(t)) or self.fresh("const")
        while name in self.trace.constants:
            name = self.fresh(name)
        value = Value(name, tuple(t.shape), _dtype_name(t), t.detach().clone())
        self.trace.constants[name] = value
        self.values[id(t)] = value
        self.alive.append(t)
        return value

    def sizes(self, t: _C.Tensor, sizes: Any) -> Any:
        """t's sizes as SymInts when t is a traced (not constant) tensor."""
        value = self.values.get(id(t))
        if value is None or value.tensor is not None or self.depth:
            return sizes
        from .._tensor import Size

        return Size(SymInt(n, value, i) for i, n in enumerate(sizes))

    def abstract(self, x: Any, op: str) -> Any:
        if isinstance(x, SymInt):
            return x
        if isinstance(x, _C.Tensor):
            return self.value_of(x, op)
        if isinstance(x, list):
            return [self.abstract(v, op) for v in x]
        if isinstance(x, tuple) and not hasattr(x, "_fields"):
            return type(x)(self.abstract(v, op) for v in x) if type(x) is tuple else x
        if isinstance(x, slice):
            return slice(
                self.abstract(x.start, op), self.abstract(x.stop, op), self.abstract(x.step, op)
            )
        return x

    def outputs(self, result: Any, op: str, inplace_target: Any) -> tuple[list[Value], Any]:
        made: list[Value] = []

        def walk(x: Any) -> Any:
            if isinstance(x, _C.Tensor):
                value = self.bind(x, self.fresh(op.strip("_") or "op"))
                made.append(value)
                return value
            if isinstance(x, (list, tuple)):
                return (
                    type(x)(walk(v) for v in x)
                    if type(x) in (list, tuple)
                    else tuple(walk(v) for v in x)
                )
            return x

        if result is None and isinstance(inplace_target, _C.Tensor):
            result = inplace_target  # __setitem__ and friends change self
        return made, walk(result)

    def wrap(self, name: str, fn: Callable[..., Any], where: str) -> Callable[..., Any]:
        recorder = self

        def recorded(*args: Any, **kwargs: Any) -> Any:
            if recorder.depth or not (
                recorder.dynamic(args) or recorder.dynamic(list(kwargs.values()))
            ):
                return fn(*args, **kwargs)
            abstract_args = recorder.abstract(args, name)
            abstract_kwargs = {k: recorder.abstract(v, name) for k, v in kwargs.items()}
            recorder.depth += 1
            try:
                result = fn(*args, **kwargs)
            finally:
                recorder.depth -= 1
            if not _has_tensor(result) and result is not None:
                return result
            outputs, structure = recorder.outputs(result, name, args[0] if args else None)
            recorder.trace.calls.append(
                OpCall(name, abstract_args, abstract_kwargs, outputs, structure, where)
            )
            return result

        recorded.__name__ = getattr(fn, "__name__", name)
        recorded.__doc__ = getattr(fn, "__doc__", None)
        return recorded


def _pick(sizes: Any, args: tuple[Any, ...], kwargs: dict[str, Any], plain: int) -> Any:
    """x.size(dim) from the traced sizes."""
    dim = kwargs.get("dim", args[0] if args else None)
    if not isinstance(dim, int) or not sizes:
        return plain
    return sizes[dim % len(sizes)]


def _has_tensor(x: Any) -> bool:
    if isinstance(x, _C.Tensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(_has_tensor(v) for v in x)
    return False


def _op_functions() -> dict[int, tuple[Callable[..., Any], str, str]]:
    """The ops' functions by id: those of the extension, of the package's
    top level and of nn.functional, with their names and namespaces."""
    import autograd_cpp

    found: dict[int, tuple[Callable[..., Any], str, str]] = {}
    namespaces: list[tuple[Any, str]] = [(autograd_cpp, "torch"), (_F, "F"), (_C, "torch")]
    namespaces += [(m, "F") for m in vars(_C).values() if isinstance(m, types.ModuleType)]
    for module, where in namespaces:
        for name, member in vars(module).items():
            if name.startswith("_") or isinstance(member, (type, types.ModuleType, _C.dtype)):
                continue
            if callable(member):
                found.setdefault(id(member), (member, name, where))
    return found


@contextlib.contextmanager
def _patched(recorder: _Recorder) -> Iterator[None]:
    """Swaps the ops' Python entry points for recording wrappers: the Tensor
    methods, and every reference to an op function held by a module of the
    package (so ``from ..functional import linear`` inside a layer is seen)."""
    undo: list[tuple[Any, str, Any]] = []
    try:
        for name, member in list(vars(_C.Tensor).items()):
            if name in _NOT_OPS:
                continue
            if isinstance(member, property) and name in ("T", "data"):
                getter = member.fget
                assert getter is not None
                undo.append((_C.Tensor, name, member))
                setattr(_C.Tensor, name, property(recorder.wrap(name, getter, "Tensor")))
            elif callable(member) and not isinstance(member, (type, property)):
                undo.append((_C.Tensor, name, member))
                setattr(_C.Tensor, name, recorder.wrap(name, member, "Tensor"))
        size, shape = vars(_C.Tensor)["size"], vars(_C.Tensor)["shape"]

        def traced_size(self: _C.Tensor, *args: Any, **kwargs: Any) -> Any:
            result = size(self, *args, **kwargs)
            if isinstance(result, int):
                return _pick(recorder.sizes(self, size(self)), args, kwargs, result)
            return recorder.sizes(self, result)

        undo.append((_C.Tensor, "size", size))
        _C.Tensor.size = traced_size  # type: ignore[method-assign]
        undo.append((_C.Tensor, "shape", shape))
        _C.Tensor.shape = property(lambda t: recorder.sizes(t, shape.fget(t)))  # type: ignore[assignment]
        # The fused LSTM layer has no ONNX form: traced, it runs as its
        # steps' ops, each of which has one.
        from ..nn._functional.rnn import lstm_layer_composed

        undo.append((_C._nn, "_lstm_layer", _C._nn._lstm_layer))
        _C._nn._lstm_layer = lstm_layer_composed  # type: ignore[method-assign]
        ops = _op_functions()
        wrappers = {
            key: recorder.wrap(name, fn, where)
            for key, (fn, name, where) in ops.items()
            if name not in _TRANSPARENT
        }
        for module_name, module in list(sys.modules.items()):
            inside = module_name == "autograd_cpp" or module_name.startswith("autograd_cpp.")
            if not inside or module_name.startswith(__package__ or "autograd_cpp.onnx"):
                continue
            for attr, value in list(vars(module).items()):
                wrapper = wrappers.get(id(value))
                if wrapper is not None and ops[id(value)][0] is value:
                    undo.append((module, attr, value))
                    setattr(module, attr, wrapper)
        yield
    finally:
        for owner, name, original in reversed(undo):
            setattr(owner, name, original)


def trace(
    fn: Callable[..., Any],
    inputs: Sequence[_C.Tensor],
    input_names: Sequence[str],
    param_names: dict[int, str],
    frozen: Sequence[_C.Tensor],
) -> Trace:
    """Runs fn(*inputs) once, recording the ops that depend on the inputs."""
    recorder = _Recorder(param_names)
    feeds = []
    for t, name in zip(inputs, input_names):
        feed = t.detach().clone()
        if feed.is_floating_point():
            feed.requires_grad_(True)
        recorder.trace.inputs.append(recorder.bind(feed, name))
        feeds.append(feed)
    was = [p.requires_grad for p in frozen]
    for p in frozen:
        p.requires_grad_(False)
    try:
        from ..autograd.grad_mode import enable_grad

        with enable_grad(), _patched(recorder):
            result = fn(*feeds)
    finally:
        for p, flag in zip(frozen, was):
            p.requires_grad_(flag)
    flat = _flatten(result)
    if not flat:
        raise UnsupportedOperatorError("ONNX export: the model returned no tensor")
    recorder.trace.outputs = [recorder.value_of(t, "output") for t in flat]
    return recorder.trace


def _flatten(x: Any) -> list[_C.Tensor]:
    if isinstance(x, _C.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _flatten(v)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in _flatten(v)]
    return []
