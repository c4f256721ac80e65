"""``torch.cuda`` as PyTorch's CPU-only build answers it: no device is
available, seeding and cache calls do nothing, and calls that need a device
raise ``AssertionError: Torch not compiled with CUDA enabled``. Programs
that test ``is_available()`` before touching the GPU run unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from .. import _C
from .._device import _not_compiled_with, device
from .._tensor import _legacy_type
from . import amp

__all__ = [
    "BoolTensor", "DoubleTensor", "FloatTensor", "IntTensor", "LongTensor", "OutOfMemoryError",
    "amp", "current_device", "device_count", "empty_cache", "get_arch_list", "get_device_capability",
    "get_device_name", "get_device_properties", "get_rng_state", "get_rng_state_all", "init",
    "initial_seed", "ipc_collect", "is_available", "is_bf16_supported", "is_initialized",
    "manual_seed", "manual_seed_all", "max_memory_allocated", "max_memory_reserved",
    "mem_get_info", "memory_allocated", "memory_reserved", "memory_stats",
    "reset_peak_memory_stats", "seed", "seed_all", "set_device", "set_rng_state",
    "set_rng_state_all", "synchronize",
]  # fmt: skip

_Device = device | str | int | None


class OutOfMemoryError(RuntimeError):
    """Raised by PyTorch when a device allocation fails; named here so that
    ``except torch.cuda.OutOfMemoryError`` clauses work."""


# Named so programs can refer to them; building one raises TypeError.
FloatTensor = _legacy_type("FloatTensor", _C.float32, is_cuda=True)
DoubleTensor = _legacy_type("DoubleTensor", _C.float64, is_cuda=True)
LongTensor = _legacy_type("LongTensor", _C.int64, is_cuda=True)
IntTensor = _legacy_type("IntTensor", _C.int32, is_cuda=True)
BoolTensor = _legacy_type("BoolTensor", _C.bool, is_cuda=True)


def _no_cuda() -> NoReturn:
    _not_compiled_with("cuda")


# ---- what answers without a device ---------------------------------------------


def is_available() -> bool:
    """False: this build has no CUDA backend."""
    return False


def device_count() -> int:
    """0: no CUDA devices."""
    return 0


def is_initialized() -> bool:
    """False: CUDA is never initialised."""
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def get_arch_list() -> list[str]:
    """The CUDA architectures the build targets: none."""
    return []


def empty_cache() -> None:
    """Nothing to free: no CUDA memory is ever allocated."""


def memory_allocated(device: _Device = None) -> int:
    return 0


def max_memory_allocated(device: _Device = None) -> int:
    return 0


def memory_reserved(device: _Device = None) -> int:
    return 0


def max_memory_reserved(device: _Device = None) -> int:
    return 0


def memory_stats(device: _Device = None) -> dict[str, Any]:
    return {}


# Seeding is recorded lazily by PyTorch and never applied without a device:
# these are no-ops, so seed-everything helpers run.
def manual_seed(seed: int) -> None:
    """Does nothing: there is no CUDA generator to seed."""


def manual_seed_all(seed: int) -> None:
    """Does nothing: there is no CUDA generator to seed."""


def seed() -> None:
    """Does nothing: there is no CUDA generator to seed."""


def seed_all() -> None:
    """Does nothing: there is no CUDA generator to seed."""


def get_rng_state_all() -> list[_C.Tensor]:
    """One state per CUDA device: none."""
    return []


def set_rng_state_all(new_states: Iterable[_C.Tensor]) -> None:
    """Sets one state per CUDA device; with no devices, only an empty list fits."""
    for state in new_states:
        set_rng_state(state)


# ---- what needs a device --------------------------------------------------------


def current_device() -> int:
    _no_cuda()


def set_device(device: _Device) -> None:
    _no_cuda()


def synchronize(device: _Device = None) -> None:
    _no_cuda()


def get_device_name(device: _Device = None) -> str:
    _no_cuda()


def get_device_capability(device: _Device = None) -> tuple[int, int]:
    _no_cuda()


def get_device_properties(device: _Device = None) -> Any:
    _no_cuda()


def initial_seed() -> int:
    _no_cuda()


def get_rng_state(device: _Device = "cuda") -> _C.Tensor:
    _no_cuda()


def set_rng_state(new_state: _C.Tensor, device: _Device = "cuda") -> None:
    _no_cuda()


def init() -> None:
    _no_cuda()


def ipc_collect() -> None:
    _no_cuda()


def mem_get_info(device: _Device = None) -> tuple[int, int]:
    _no_cuda()


def reset_peak_memory_stats(device: _Device = None) -> None:
    _no_cuda()
