"""Top-level functions and constants written in Python: global settings
programs set at start-up (matmul precision, determinism, interop threads,
warnings), dtype facts (finfo, iinfo) and small predicates."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

from . import _C
from ._tensor import _LEGACY_BY_NAME, _LegacyTensorType

if TYPE_CHECKING:
    import builtins

__all__ = [
    "are_deterministic_algorithms_enabled", "e", "finfo", "get_deterministic_debug_mode",
    "get_float32_matmul_precision", "get_num_interop_threads", "iinfo", "inf",
    "is_complex", "is_deterministic_algorithms_warn_only_enabled", "is_floating_point",
    "is_warn_always_enabled", "nan", "newaxis", "pi", "set_default_tensor_type",
    "set_deterministic_debug_mode", "set_float32_matmul_precision",
    "set_num_interop_threads", "set_warn_always", "typename", "use_deterministic_algorithms",
]  # fmt: skip

e = math.e
pi = math.pi
inf = math.inf
nan = math.nan
newaxis: None = None

_settings: dict[str, Any] = {
    "matmul_precision": "highest",
    "deterministic": False,
    "deterministic_warn_only": False,
    "interop_threads": None,
    "warn_always": False,
}


def set_float32_matmul_precision(precision: str) -> None:
    """Records the float32 matmul precision ("highest", "high" or "medium").
    The CPU kernels always compute in full float32, which every setting
    permits."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
            "setFloat32MatmulPrecision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision last set ("highest" by default)."""
    return str(_settings["matmul_precision"])


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Asks for deterministic algorithms. Every kernel here already is one
    (a fixed thread count gives bitwise-repeatable results), so the setting
    is recorded for the queries below."""
    _settings["deterministic"] = bool(mode)
    _settings["deterministic_warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether use_deterministic_algorithms(True) is in effect."""
    return bool(_settings["deterministic"])


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether deterministic mode was asked for with warn_only=True."""
    return bool(_settings["deterministic_warn_only"])


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """0/"default": off; 1/"warn": deterministic, warn only; 2/"error": deterministic."""
    names = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but "
                f"got {debug_mode}"
            )
        debug_mode = names[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (deterministic, warn only) or 2 (deterministic)."""
    if not _settings["deterministic"]:
        return 0
    return 1 if _settings["deterministic_warn_only"] else 2


def set_num_interop_threads(num: int) -> None:
    """Records the inter-op thread count. There is one thread pool (see
    set_num_threads); ops are not run concurrently with each other."""
    if num <= 0:
        raise RuntimeError("Expected number of threads to be positive")
    _settings["interop_threads"] = int(num)


def get_num_interop_threads() -> int:
    """The inter-op thread count last set, else the intra-op count."""
    recorded = _settings["interop_threads"]
    return int(recorded) if recorded is not None else int(_C.get_num_threads())


def set_warn_always(b: bool) -> None:
    """Records whether once-only warnings should repeat."""
    _settings["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    """Whether set_warn_always(True) is in effect."""
    return bool(_settings["warn_always"])


def set_default_tensor_type(t: str | _LegacyTensorType) -> None:
    """Deprecated in PyTorch: sets the default dtype from a legacy type or
    its name ("torch.DoubleTensor")."""
    warnings.warn(
        "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
        UserWarning,
        stacklevel=2,
    )
    legacy = _LEGACY_BY_NAME.get(t) if isinstance(t, str) else t
    if not isinstance(legacy, _LegacyTensorType) or legacy.is_cuda:
        raise TypeError(f"invalid type: '{t}'")
    if not legacy.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _C.set_default_dtype(legacy.dtype)


def is_floating_point(input: _C.Tensor) -> builtins.bool:
    """Whether input's dtype is a floating-point one."""
    if not isinstance(input, _C.Tensor):
        raise TypeError(
            "is_floating_point(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    return input.is_floating_point()


def is_complex(input: _C.Tensor) -> builtins.bool:
    """Whether input's dtype is a complex one: never, as there are none here."""
    if not isinstance(input, _C.Tensor):
        raise TypeError(
            "is_complex(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    return False


def typename(obj: object) -> str:
    """A tensor's legacy type name ('torch.FloatTensor'), else the object's
    qualified class name."""
    if isinstance(obj, _C.Tensor):
        return str(obj.type())
    kind = type(obj)
    module = kind.__module__
    if module in ("builtins", "__builtin__", None):
        return kind.__qualname__
    return f"{module}.{kind.__qualname__}"


def _g(x: float) -> str:
    """A float as C's %g prints it (PyTorch's finfo/iinfo repr)."""
    return f"{x:g}"


class finfo:
    """Machine limits of a floating-point dtype (the default dtype when
    none is given): bits, eps, max, min, tiny (= smallest_normal) and
    resolution; dtype is its name."""

    bits: int
    eps: float
    max: float
    min: float
    tiny: float
    smallest_normal: float
    resolution: float
    dtype: str

    def __init__(self, type: _C.dtype | None = None) -> None:
        import numpy as np

        dtype = _C.get_default_dtype() if type is None else type
        if not isinstance(dtype, _C.dtype):
            raise TypeError(f"finfo(): argument 'type' must be torch.dtype, not {_name(dtype)}")
        if not dtype.is_floating_point:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        name = str(dtype).removeprefix("torch.")
        if name == "bfloat16":  # float32's exponent, 8 significant bits; numpy lacks it
            self.bits, self.eps = 16, 2.0**-7
            self.max, self.tiny = float.fromhex("0x1.fep127"), 2.0**-126
        else:
            info = np.finfo(np.dtype(name))
            self.bits, self.eps = int(info.bits), float(info.eps)
            self.max, self.tiny = float(info.max), float(info.smallest_normal)
        # 10**-(decimal digits), computed in double (numpy's float16 one is 0.0010004).
        self.resolution = 10.0 ** -math.floor(-math.log10(self.eps))
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.dtype = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={_g(self.resolution)}, min={_g(self.min)}, max={_g(self.max)}, "
            f"eps={_g(self.eps)}, smallest_normal={_g(self.smallest_normal)}, "
            f"tiny={_g(self.tiny)}, dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype: bits, min and max; dtype is its name."""

    bits: int
    max: int
    min: int
    dtype: str

    def __init__(self, type: _C.dtype) -> None:
        import numpy as np

        if not isinstance(type, _C.dtype):
            raise TypeError(f"iinfo(): argument 'type' must be torch.dtype, not {_name(type)}")
        name = str(type).removeprefix("torch.")
        if type.is_floating_point:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        if name == "bool":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        info = np.iinfo(np.dtype(name))
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={_g(self.min)}, max={_g(self.max)}, dtype={self.dtype})"


def _name(obj: object) -> str:
    return type(obj).__name__
