"""``torch.mps``: Apple's Metal backend is not part of this build. Seeding
is a no-op (as in PyTorch without MPS); calls that need the device raise
PyTorch's error."""

from __future__ import annotations

from typing import NoReturn

__all__ = ["device_count", "empty_cache", "is_available", "manual_seed", "seed", "synchronize"]


def _no_mps(what: str) -> NoReturn:
    raise RuntimeError(f"Cannot execute {what}() without MPS backend.")


def is_available() -> bool:
    """False: there is no MPS device."""
    return False


def device_count() -> int:
    """0: no MPS devices."""
    return 0


def manual_seed(seed: int) -> None:
    """Does nothing: there is no MPS generator to seed."""


def seed() -> None:
    _no_mps("getDefaultGenerator")


def synchronize() -> None:
    _no_mps("deviceSynchronize")


def empty_cache() -> None:
    _no_mps("emptyCache")
