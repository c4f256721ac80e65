"""``torch.random``: the global random stream's seed and state, and
``fork_rng`` to draw without disturbing it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from ._generator import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

__all__ = [
    "Generator",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]


@contextlib.contextmanager
def fork_rng(
    devices: Iterable[Any] | None = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str = "cuda",
) -> Iterator[None]:
    """Runs the block on a copy of the global stream: whatever it draws, the
    stream is back where it was afterwards. Devices other than the CPU have
    no generators here, so `devices` may only be empty."""
    if device_type == "meta":
        yield
        return
    if devices is not None and list(devices):
        raise RuntimeError(
            f"{_caller}: {_devices_kw} names {device_type} devices, but only the CPU "
            "has a random generator here"
        )
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
