"""``torch.compile`` and ``torch.compiler``: capture and replay.

A compiled function runs eagerly on its first call for an input signature
(so lazily created state, such as an optimizer's, exists), then once more
while the C++ recorder writes down every op it executes: forward ops, the
backward passes it starts, ``.grad`` reads and writes, fused optimizer steps.
Later calls with that signature replay the recorded op list in C++ with one
call from Python. Each replay checks its guards (the tensors' shapes,
strides, dtypes and ``requires_grad``, grad mode, and for every tensor the
capture found outside its inputs, such as parameters and optimizer state,
the same plus whether ``.grad`` is set; the training flags and parameters
of the modules it called and the hyperparameters of the optimizers it
stepped); a miss captures again, up to
``cache_size_limit`` programs per function, after which the function stays
eager with a warning. What cannot be replayed (reading tensor values into
Python, ops without a replay kernel, Python hooks, in-place random draws) fails the
capture, and that signature runs eagerly from then on; ``explain`` says why.
Results are eager's, bit for bit: replay runs the same kernels."""

from __future__ import annotations

import dataclasses
import functools
import warnings
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, overload

from . import _C, _capture_state
from .nn.modules.module import Module

__all__ = [
    "ExplainOutput",
    "OptimizedModule",
    "compile",
    "disable",
    "explain",
    "is_compiling",
    "reset",
]

_F = TypeVar("_F", bound=Callable[..., Any])

_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")

# Programs one compiled function keeps (over all its signatures).
cache_size_limit = 8


_local = _capture_state.state

# A flattened argument or result: tensors become their index in the flat
# tensor list; tuples, lists and dicts keep their shape; anything else is
# kept as a value (part of the signature for arguments).
_Spec = Hashable


def _flatten(obj: Any, tensors: list[_C.Tensor]) -> _Spec:
    if isinstance(obj, _C.Tensor):
        tensors.append(obj)
        return ("T", len(tensors) - 1)
    if isinstance(obj, tuple):
        return ("t", tuple(_flatten(x, tensors) for x in obj))
    if isinstance(obj, list):
        return ("l", tuple(_flatten(x, tensors) for x in obj))
    if isinstance(obj, dict):
        return ("d", tuple(obj), tuple(_flatten(x, tensors) for x in obj.values()))
    return ("v", obj)


def _unflatten(spec: Any, tensors: list[_C.Tensor | None]) -> Any:
    kind = spec[0]
    if kind == "T":
        return tensors[spec[1]]
    if kind == "t":
        return tuple(_unflatten(x, tensors) for x in spec[1])
    if kind == "l":
        return [_unflatten(x, tensors) for x in spec[1]]
    if kind == "d":
        return {k: _unflatten(x, tensors) for k, x in zip(spec[1], spec[2])}
    return spec[1]


_compiled: weakref.WeakSet[_CompiledFunction] = weakref.WeakSet()


class _CompiledFunction:
    """The callable ``compile`` returns for a function (and runs for a
    module): the per-signature program cache and the capture logic."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.reset()
        _compiled.add(self)

    def reset(self) -> None:
        self.programs: dict[Hashable, list[tuple[_C._CompiledProgram, _Spec, _Guard]]] = {}
        # The program the last call replayed, when that call passed tensors
        # by position and the program was the first of its signature: the
        # next call tries it with all its checks in one C++ call (program,
        # aliases, Python state, result spec).
        self.fast: tuple[_C._CompiledProgram, tuple[int, ...], _Guard, _Spec] | None = None
        self.warm: set[Hashable] = set()
        self.failures: dict[Hashable, list[str]] = {}
        self.count = 0
        self.exhausted = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _local.depth:  # inside another capture: its recorder sees our ops
            return self.fn(*args, **kwargs)
        fast = self.fast
        if fast is not None and not kwargs:
            outs = fast[0].replay(args, fast[1], fast[2])
            if outs is not None:
                return _unflatten(fast[3], outs)
        self.fast = None
        if not kwargs and all(isinstance(a, _C.Tensor) for a in args):
            # The common call, tensors by position: a flat signature.
            tensors: list[_C.Tensor] = list(args)
            spec: _Spec = ("P", len(args))
            flat = True
        else:
            flat = False
            tensors = []
            spec = _flatten((args, kwargs), tensors)
        # The same tensor passed twice is one slot of the program: which
        # arguments alias is part of the signature.
        first: dict[int, int] = {}
        aliases = tuple(first.setdefault(id(t), i) for i, t in enumerate(tensors))
        key = (spec, aliases, _C.is_grad_enabled())
        try:
            entries = self.programs.get(key)
        except TypeError:  # an unhashable argument: no signature to cache
            return self.fn(*args, **kwargs)
        if entries:
            stale = []
            for entry in entries:
                cached, cached_spec, state = entry
                if not _C._compile_state_holds(state):
                    stale.append(entry)
                    continue
                outs = cached.run(tensors)
                if outs is not None:
                    if flat and entry is entries[0]:
                        self.fast = (cached, aliases, state, cached_spec)
                    return _unflatten(cached_spec, outs)
            # Stale programs (a scheduler changed the learning rate, a module
            # switched mode) are replaced by the capture below rather than
            # kept, so a schedule does not fill the cache.
            for entry in stale:
                entries.remove(entry)
                self.count -= 1
        if self.exhausted or key in self.failures:
            return self.fn(*args, **kwargs)
        if key not in self.warm:
            # The first call creates lazy state (optimizer moments, ...):
            # capturing it would replay the creation on every call.
            self.warm.add(key)
            return self.fn(*args, **kwargs)
        if self.count >= cache_size_limit:
            self.exhausted = True
            warnings.warn(
                f"compile: {getattr(self.fn, '__name__', self.fn)!r} reached "
                f"cache_size_limit ({cache_size_limit}) captured programs; it "
                "runs eagerly from now on",
                stacklevel=2,
            )
            return self.fn(*args, **kwargs)
        result, program, out_spec, failures, guard = _capture(self.fn, tensors, args, kwargs)
        if program is None:
            self.failures[key] = failures
        else:
            self.count += 1
            self.programs.setdefault(key, []).append((program, out_spec, guard))
        return result


# The Python state a program froze, checked by _C._compile_state_holds:
# (same-object checks, equal-value checks, size checks).
_Guard = tuple[
    list[tuple[dict[str, Any], str, Any]],
    list[tuple[dict[str, Any], str, Any]],
    list[tuple[Any, int]],
]


def _python_state_guard(modules: list[Module], optimizers: list[Any]) -> _Guard:
    """A guard on what Python code decided from during the capture: each
    module's training flag and parameter objects, each optimizer's
    hyperparameters and parameter lists. Each check is a (mapping, key,
    value) triple: the mapping must still hold that very object (``is``)
    or, for hyperparameters, a value that is not ``!=`` to it; each size
    check a (container, length) pair."""
    same_object: list[tuple[dict[str, Any], str, Any]] = []
    equal_value: list[tuple[dict[str, Any], str, Any]] = []
    sizes: list[tuple[Any, int]] = []
    for m in {id(m): m for m in modules}.values():
        same_object.append((m.__dict__, "training", m.training))
        same_object += [(m._parameters, k, p) for k, p in m._parameters.items()]
        sizes.append((m._parameters, len(m._parameters)))
    for o in {id(o): o for o in optimizers}.values():
        sizes.append((o.param_groups, len(o.param_groups)))
        for g in o.param_groups:
            same_object.append((g, "params", g["params"]))
            sizes.append((g["params"], len(g["params"])))
            equal_value += [(g, k, v) for k, v in g.items() if k != "params"]
    return same_object, equal_value, sizes


def _capture(
    fn: Callable[..., Any], tensors: list[_C.Tensor], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, _C._CompiledProgram | None, _Spec, list[str], _Guard]:
    """Runs fn eagerly under a recorder: (its result, the program or None,
    the result's spec, why the capture failed, the guard on Python state)."""
    session = _C._compile_capture(tensors)
    _local.depth += 1
    _local.modules, _local.optimizers = [], []
    try:
        result = fn(*args, **kwargs)
    except BaseException:
        session.abort()
        raise
    finally:
        _local.depth -= 1
    outs: list[_C.Tensor] = []
    out_spec = _flatten(result, outs)
    program = session.finish(outs)
    guard = _python_state_guard(_local.modules, _local.optimizers)
    _local.modules, _local.optimizers = [], []
    return result, program, out_spec, session.failures(), guard


@dataclasses.dataclass
class ExplainOutput:
    """What ``explain`` found: whether the call can be replayed, the steps
    it recorded, and the reasons it cannot (empty when it can)."""

    captured: bool
    ops: list[str]
    break_reasons: list[str]
    program_text: str

    @property
    def graph_count(self) -> int:
        return 1 if self.captured else 0

    @property
    def op_count(self) -> int:
        return len(self.ops)

    def __str__(self) -> str:
        lines = [f"Captured: {self.captured}", f"Op count: {self.op_count}"]
        if self.break_reasons:
            lines.append("Break reasons:")
            lines += [f"  {i + 1}. {r}" for i, r in enumerate(self.break_reasons)]
        return "\n".join(lines)


def explain(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> ExplainOutput:
    """Captures one call of fn (a compiled function, a compiled module or a
    plain callable) on these arguments and reports what was recorded and why
    it could not be replayed. The call runs eagerly, with its side effects
    (parameters and optimizer state are updated as by a normal call)."""
    if isinstance(fn, OptimizedModule):
        fn = fn._orig_mod
    fn = getattr(fn, "_compiled_function", None) or fn
    if isinstance(fn, _CompiledFunction):
        fn = fn.fn
    tensors: list[_C.Tensor] = []
    _flatten((args, kwargs), tensors)
    _, program, _, failures, _ = _capture(fn, tensors, args, kwargs)
    if program is None:
        return ExplainOutput(False, [], list(dict.fromkeys(failures)), "")
    return ExplainOutput(True, program.step_names(), [], program.dump())


def _compiled_callable(fn: Callable[..., Any], options: dict[str, Any]) -> Callable[..., Any]:
    """What a compiled call runs: fn's per-signature capture and replay."""
    return _CompiledFunction(fn)


class OptimizedModule(Module):
    """A compiled module: calls run the original module (``_orig_mod``,
    registered as a submodule, so parameters are shared and state-dict keys
    gain the ``_orig_mod.`` prefix, as in PyTorch). Attributes the wrapper
    lacks are looked up on the original module."""

    _orig_mod: Module
    _call: Callable[..., Any]

    def __init__(self, mod: Module, options: dict[str, Any]) -> None:
        super().__init__()
        self._orig_mod = mod
        # Set past Module.__setattr__: the runner may be the module itself,
        # which must not be registered a second time.
        object.__setattr__(self, "_call", _compiled_callable(mod, options))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._call(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["_orig_mod"], name)


def _check_options(mode: str | None, options: dict[str, Any] | None, backend: object) -> None:
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if not (backend is None or isinstance(backend, str) or callable(backend)):
        raise TypeError(f"backend must be a string or a callable, got {type(backend).__name__}")


@overload
def compile(
    model: None = None, *, fullgraph: bool = ..., dynamic: bool | None = ...,
    backend: str | Callable[..., Any] | None = ..., mode: str | None = ...,
    options: dict[str, Any] | None = ..., disable: bool = ..., **kwargs: Any,
) -> Callable[[_F], _F]: ...  # fmt: skip
@overload
def compile(
    model: _F, *, fullgraph: bool = ..., dynamic: bool | None = ...,
    backend: str | Callable[..., Any] | None = ..., mode: str | None = ...,
    options: dict[str, Any] | None = ..., disable: bool = ..., **kwargs: Any,
) -> _F: ...  # fmt: skip
def compile(
    model: Callable[..., Any] | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable[..., Any] | None = "inductor",
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    disable: bool = False,
    **kwargs: Any,
) -> Any:
    """Compiles a module or function. Returns an ``OptimizedModule`` for a
    module, a wrapped function for a function, or (with no model) a
    decorator; ``disable=True`` returns the model itself. Results are those
    of eager execution."""
    _check_options(mode, options, backend)
    settings = dict(kwargs, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                    options=options)  # fmt: skip
    if model is None:

        def decorate(fn: _F) -> _F:
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, disable=disable, **kwargs)  # fmt: skip

        return decorate
    if not callable(model):
        raise RuntimeError("torch.compile() expects a callable or an nn.Module")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model, settings)
    run = _compiled_callable(model, settings)

    @functools.wraps(model)
    def compiled(*args: Any, **kw: Any) -> Any:
        return run(*args, **kw)

    compiled._compiled_function = run  # type: ignore[attr-defined]
    return compiled


def disable(fn: _F | None = None, recursive: bool = True, *, reason: str | None = None) -> Any:
    """Marks fn to run eagerly under compile (every call does today); usable
    as ``@disable`` or ``@disable()``."""
    if fn is None:
        return lambda f: f
    return fn


def is_compiling() -> bool:
    """Whether the caller runs inside a capture on this thread."""
    return _local.depth > 0


def reset() -> None:
    """Forgets every compiled function's captured programs (the next calls
    warm up and capture again)."""
    for f in list(_compiled):
        f.reset()
