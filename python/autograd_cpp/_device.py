"""torch.device and the checks that make a CPU-only build answer as
PyTorch's CPU build does: devices of every type can be named and compared,
but data can only live on the CPU."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["device", "get_default_device", "set_default_device"]

# The device types PyTorch parses, in the order its error message lists them.
_DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
    "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?")


def _no_accelerator() -> NoReturn:
    raise RuntimeError("Cannot access accelerator device when none is available.")


class device:
    """Where a tensor's data lives: a type (``'cpu'``, ``'cuda'``, ...) and an
    optional index. Every device PyTorch names can be built and compared;
    only ``cpu`` can hold tensors in this library."""

    __slots__ = ("_type", "_index")
    _type: str
    _index: int | None

    def __init__(self, type: str | device | int, index: int | None = None) -> None:
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): a device object takes no index")
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            # A bare index names the current accelerator, and there is none.
            _no_accelerator()
        if not isinstance(type, str):
            raise TypeError(
                f"device() received an invalid combination of arguments - got "
                f"({_typename(type)}), but expected one of:\n * (torch.device device)\n"
                " * (str type, int index = -1)"
            )
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(
                f"device(): argument 'index' (position 2) must be int, not {_typename(index)}"
            )
        match = _DEVICE_STRING.fullmatch(type)
        if match is None:
            raise RuntimeError(f"Invalid device string: '{type}'")
        kind, parsed = match.group(1), match.group(2)
        if kind not in _DEVICE_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device "
                f"string: {type}"
            )
        if parsed is not None:
            if index is not None:
                raise RuntimeError(
                    "type (string) must not include an index because index was passed "
                    f"explicitly: {type}"
                )
            index = int(parsed)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self._type, self._index = kind, index

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self) -> int | None:
        return self._index

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __eq__(self, other: object) -> bool:
        # As in PyTorch, a device never equals a string.
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __reduce__(self) -> tuple[Callable[..., device], tuple[str, int | None]]:
        return (device, (self._type, self._index))

    # `with torch.device(...)` makes it the default device for the block;
    # here only the CPU can be one.
    def __enter__(self) -> Self:
        _check_device(self)
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _typename(obj: object) -> str:
    return "NoneType" if obj is None else type(obj).__name__


def _not_compiled_with(kind: str) -> NoReturn:
    names = {"cuda": "CUDA", "xpu": "XPU", "hip": "HIP", "mtia": "MTIA"}
    if kind in names:
        raise AssertionError(f"Torch not compiled with {names[kind]} enabled")
    raise RuntimeError(f"PyTorch is not linked with support for {kind} devices")


def _check_device(where: object) -> None:
    """Raises PyTorch's CPU-build error unless ``where`` names the CPU
    (a device, a device string or an accelerator index)."""
    if where is None:
        return
    if isinstance(where, str) and (where == "cpu" or where.startswith("cpu:")):
        return  # the common case, without building a device
    parsed = where if isinstance(where, device) else device(where)  # type: ignore[arg-type]
    if parsed.type != "cpu":
        _not_compiled_with(parsed.type)


_CPU = device("cpu")


def set_default_device(device: device | str | int | None) -> None:
    """Sets the device factories use when given none. Only the CPU exists
    here: naming another device raises PyTorch's CPU-build error at once
    (PyTorch raises it at the first factory call instead)."""
    _check_device(device)


def get_default_device() -> device:
    """The device factories use when given none: always the CPU."""
    return _CPU
