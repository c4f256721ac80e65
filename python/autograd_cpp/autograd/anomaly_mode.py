"""Anomaly detection: find the forward op behind a NaN gradient."""

import warnings

from .. import _C

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


def is_anomaly_enabled():
    """Whether anomaly detection is on."""
    return _C.is_anomaly_enabled()


class detect_anomaly:
    """While active, every graph node remembers the Python stack that created
    it, and backward raises at the first node that produces NaN, showing that
    stack. Slow: use it to debug, not to train. Also a decorator."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime "
            "and should only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self):
        self._prev = _C.is_anomaly_enabled()
        _C._set_anomaly_enabled(self.check_nan)
        return self

    def __exit__(self, *exc):
        _C._set_anomaly_enabled(self._prev)
        return False

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)

        return wrapper


class set_detect_anomaly:
    """Turns anomaly detection on or off (a call, or a context manager that
    restores the previous setting)."""

    def __init__(self, mode, check_nan=True):
        self._prev = _C.is_anomaly_enabled()
        _C._set_anomaly_enabled(bool(mode) and check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _C._set_anomaly_enabled(self._prev)
        return False
