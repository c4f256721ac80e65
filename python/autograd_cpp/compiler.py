"""``torch.compile`` and ``torch.compiler``: the one entry point through
which models and functions are compiled.

Today compilation keeps eager execution (the results are eager results by
contract); the wrapper objects are PyTorch's, so programs that compile
behind a flag, save ``_orig_mod.``-prefixed state dicts or reach the
original module through ``_orig_mod`` run unchanged. A capturing backend
plugs in at ``_compiled_callable``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .nn.modules.module import Module

__all__ = ["OptimizedModule", "compile", "disable", "is_compiling", "reset"]

_F = TypeVar("_F", bound=Callable[..., Any])

_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def _compiled_callable(fn: Callable[..., Any], options: dict[str, Any]) -> Callable[..., Any]:
    """What a compiled call runs: the eager call itself, until capture lands."""
    return fn


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

    return compiled


def disable(fn: _F | None = None, recursive: bool = True, *, reason: str | None = None) -> Any:
    """Marks fn to run eagerly under compile (every call does today); usable
    as ``@disable`` or ``@disable()``."""
    if fn is None:
        return lambda f: f
    return fn


def is_compiling() -> bool:
    """Whether the caller runs inside a capture: never, today."""
    return False


def reset() -> None:
    """Forgets compiled code: there is none to forget today."""
