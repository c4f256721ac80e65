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
    """Disables graph recording: ``with no_grad():`` or ``@no_grad()``."""

    _mode = False


class enable_grad(_GradModeContext):
    """Enables graph recording inside a ``no_grad`` region."""

    _mode = True


class inference_mode(_GradModeContext):
    """Like ``no_grad``, for code that only runs models forward."""

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
    """Sets grad mode on construction (so it works as a plain call too) and,
    used with ``with``, restores the previous mode on exit."""

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
    return _C.is_grad_enabled()
