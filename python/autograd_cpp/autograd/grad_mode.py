"""Grad-mode switches: context managers that also work as decorators."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, ParamSpec, TypeVar

from .. import _C

if TYPE_CHECKING:
    from typing_extensions import Self

_P = ParamSpec("_P")
_R = TypeVar("_R")


class _GradModeContext:
    """Sets grad mode on entry and restores the previous mode on exit."""

    _mode = True

    def __enter__(self) -> Self:
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, func: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Context manager (and decorator) that turns off graph recording.

    Inside it, results of operations do not require grad and have no
    ``grad_fn``, even when their inputs require grad: no graph is built and
    nothing is saved for backward. Use it for evaluation and for updating
    parameters by hand. Grad mode is per thread; the previous mode comes
    back on exit, even after an exception.

    Examples:
        >>> import autograd_cpp as torch
        >>> w = torch.ones(3, requires_grad=True)
        >>> with torch.no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
        >>> @torch.no_grad()
        ... def evaluate(x):
        ...     return (w * x).sum()
        >>> evaluate(torch.ones(3)).requires_grad
        False
    """

    _mode = False


class enable_grad(_GradModeContext):
    """Context manager (and decorator) that turns graph recording back on,
    for example inside a ``no_grad`` region. The previous mode comes back on
    exit, even after an exception.

    It is how a function that must differentiate (a closure passed to an
    optimizer, a gradient penalty) keeps working when its caller has turned
    recording off. Grad mode is per thread.

    Examples:
        >>> import autograd_cpp as torch
        >>> x = torch.ones(2, requires_grad=True)
        >>> with torch.no_grad():
        ...     with torch.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    _mode = True


class inference_mode(_GradModeContext):
    """Context manager (and decorator) for code that only runs forward,
    such as serving a model: like ``no_grad``, results record no graph.

    Args:
        mode: ``True`` (the default) turns recording off; ``False`` makes it
            a no-op, so that one decorator can be switched by a flag.

    Examples:
        >>> import autograd_cpp as torch
        >>> model = torch.nn.Linear(3, 1)
        >>> with torch.inference_mode():
        ...     out = model(torch.ones(2, 3))
        >>> out.requires_grad
        False
    """

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode

    def __call__(self, func: Callable[_P, _R]) -> Callable[_P, _R]:
        mode = not self._mode

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with inference_mode(mode):
                return func(*args, **kwargs)

        return wrapper


class set_grad_enabled(_GradModeContext):
    """Turns graph recording on or off: as a context manager or decorator
    (restoring the previous mode on exit), or as a plain call, which sets
    the mode from then on.

    Args:
        mode: ``True`` to record graphs, ``False`` to stop recording.

    Examples:
        >>> import autograd_cpp as torch
        >>> x = torch.ones(2, requires_grad=True)
        >>> is_train = False
        >>> with torch.set_grad_enabled(is_train):
        ...     y = x * 2
        >>> y.requires_grad
        False
        >>> _ = torch.set_grad_enabled(False)   # a plain call: off from here on
        >>> (x * 2).requires_grad
        False
        >>> _ = torch.set_grad_enabled(True)
        >>> (x * 2).requires_grad
        True
    """

    def __init__(self, mode: bool) -> None:
        self._prev = _C.is_grad_enabled()
        self._mode = bool(mode)
        _C._set_grad_enabled(self._mode)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, func: Callable[_P, _R]) -> Callable[_P, _R]:
        _C._set_grad_enabled(self._prev)
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


def is_grad_enabled() -> bool:
    """True when operations record a graph in this thread (see ``no_grad``)."""
    return _C.is_grad_enabled()
