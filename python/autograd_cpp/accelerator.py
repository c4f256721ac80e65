"""``torch.accelerator``: the device-agnostic accelerator API. This build
has no accelerator, so queries answer "none" and calls that need a device
raise PyTorch's error."""

from __future__ import annotations

from ._device import _no_accelerator, device

__all__ = [
    "current_accelerator", "current_device_index", "device_count", "empty_cache",
    "is_available", "max_memory_allocated", "memory_allocated", "set_device_index",
    "synchronize",
]  # fmt: skip

_Where = device | str | int | None


def is_available() -> bool:
    """False: no accelerator is present."""
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """The accelerator's device type: None."""
    return None


def device_count() -> int:
    """0: no accelerator devices."""
    return 0


def current_device_index() -> int:
    _no_accelerator()


def set_device_index(device: _Where, /) -> None:
    _no_accelerator()


def synchronize(device: _Where = None, /) -> None:
    _no_accelerator()


def empty_cache() -> None:
    _no_accelerator()


def memory_allocated(device_index: _Where = None, /) -> int:
    _no_accelerator()


def max_memory_allocated(device_index: _Where = None, /) -> int:
    _no_accelerator()
