"""``torch.cpu``: the device-module API for the CPU (the one device here)."""

from __future__ import annotations

from ._device import device

__all__ = ["current_device", "device_count", "is_available", "set_device", "synchronize"]


def is_available() -> bool:
    """True: the CPU is always there."""
    return True


def device_count() -> int:
    """1: the CPU counts as one device."""
    return 1


def current_device() -> str:
    return "cpu"


def set_device(device: device | str | int | None) -> None:
    """Does nothing, as in PyTorch: there is one CPU device."""


def synchronize(device: device | str | int | None = None) -> None:
    """Does nothing: CPU work is finished when a call returns."""
