"""Anomaly detection: find the forward op behind a NaN gradient."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, ParamSpec, TypeVar

from .. import _C

if TYPE_CHECKING:
    from typing_extensions import Self

_P = ParamSpec("_P")
_R = TypeVar("_R")

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return _C.is_anomaly_enabled()


class detect_anomaly:
    """While active, every graph node remembers the Python stack that created
    it, and backward raises at the first node that produces NaN, showing that
    stack. Slow: use it to debug, not to train. Also a decorator."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime "
            "and should only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> Self:
        self._prev = _C.is_anomaly_enabled()
        _C._set_anomaly_enabled(self.check_nan)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _C._set_anomaly_enabled(self._prev)
        return False

    def __call__(self, func: Callable[_P, _R]) -> Callable[_P, _R]:
        import functools

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turns anomaly detection on or off (a call, or a context manager that
    restores the previous setting)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = _C.is_anomaly_enabled()
        _C._set_anomaly_enabled(bool(mode) and check_nan)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _C._set_anomaly_enabled(self._prev)
        return False
