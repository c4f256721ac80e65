"""Grad-mode switches: context managers that also work as decorators."""

import functools

from .. import _C


class _GradModeContext:
    """Sets grad mode on entry and restores the previous mode on exit."""

    _mode = True

    def __enter__(self):
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
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

    def __init__(self, mode=True):
        self._mode = not mode

    def __call__(self, func):
        mode = not self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)

        return wrapper


class set_grad_enabled(_GradModeContext):
    """Sets grad mode on construction (so it works as a plain call too) and,
    used with ``with``, restores the previous mode on exit."""

    def __init__(self, mode):
        self._prev = _C.is_grad_enabled()
        self._mode = bool(mode)
        _C._set_grad_enabled(self._mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, func):
        _C._set_grad_enabled(self._prev)
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


def is_grad_enabled():
    return _C.is_grad_enabled()
