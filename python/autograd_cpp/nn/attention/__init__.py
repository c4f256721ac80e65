"""torch.nn.attention: choosing the scaled_dot_product_attention backend.
This library has one implementation (the math one), so the backend
choice is recorded and checked but does not change the computation."""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterable, Iterator

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.IntEnum):
    """The kernels PyTorch can run scaled_dot_product_attention with."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_enabled: list[SDPBackend] = list(SDPBackend)[1:]


def enabled_backends() -> list[SDPBackend]:
    """The backends sdpa_kernel currently allows."""
    return list(_enabled)


@contextlib.contextmanager
def sdpa_kernel(
    backends: SDPBackend | Iterable[SDPBackend], set_priority: bool = False
) -> Iterator[None]:
    """Within the block only the given backends are allowed (restored on exit)."""
    global _enabled
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError(
            "Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
            f"{type(backends).__name__}"
        )
    chosen = [backends] if isinstance(backends, SDPBackend) else list(dict.fromkeys(backends))
    previous = _enabled
    _enabled = chosen
    try:
        yield
    finally:
        _enabled = previous
