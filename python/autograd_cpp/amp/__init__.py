"""Mixed precision (``torch.amp``): ``autocast`` and ``GradScaler``.

The library has no float16 or bfloat16, so autocast never changes a dtype:
like PyTorch's CPU build asked for CUDA autocast, it warns and runs the
block in full precision. ``GradScaler`` on the CPU scales the loss and
unscales gradients for real (skipping steps with inf/NaN gradients, growing
and backing off the scale) exactly as PyTorch's; on CUDA it is disabled
with PyTorch's warning."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _C
from ..autograd.grad_mode import no_grad

if TYPE_CHECKING:
    from typing_extensions import Self

    from ..optim.optimizer import Optimizer

__all__ = ["GradScaler", "autocast", "is_autocast_available"]

_F = TypeVar("_F", bound=Callable[..., Any])


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can lower precision on device_type: never here."""
    return False


class autocast:
    """Context manager and decorator for mixed-precision regions. Without
    half-precision dtypes nothing is lowered: an enabled autocast warns
    once per use (as PyTorch's CPU build does for CUDA) and the region runs
    in the tensors' own dtypes."""

    def __init__(
        self,
        device_type: str,
        dtype: _C.dtype | None = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = False
        if not enabled:
            return
        if device_type == "cuda":
            warnings.warn(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                UserWarning,
                stacklevel=2,
            )
        elif device_type == "cpu":
            warnings.warn(
                "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                "CPU Autocast only supports dtype of torch.bfloat16, torch.float16, which this "
                "library does not have.",
                UserWarning,
                stacklevel=2,
            )
        else:
            warnings.warn(
                f"User provided device_type of '{device_type}', but it is not available. "
                "Disabling autocast.",
                UserWarning,
                stacklevel=2,
            )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __call__(self, fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """False: autocast never lowers precision here."""
    return False


class GradScaler:
    """Loss scaling for mixed-precision training. ``scale(loss)`` multiplies
    by the scale, ``step(optimizer)`` unscales the gradients and skips the
    step when any is inf or NaN, ``update()`` backs the scale off after such
    a step and grows it after ``growth_interval`` clean ones. Disabled (every
    call passes through) when ``enabled=False`` or the device is CUDA."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._enabled = enabled
        if enabled and device == "cuda":
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._init_scale = float(init_scale)
        self._scale: float | None = None
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._init_growth_tracker = 0
        self._growth_tracker = 0
        # Per optimizer (by id): "unscaled" or "stepped", and whether its
        # gradients held an inf or NaN.
        self._stage: dict[int, str] = {}
        self._found_inf: dict[int, bool] = {}

    def is_enabled(self) -> bool:
        return self._enabled

    def _current_scale(self) -> float:
        if self._scale is None:
            self._scale = self._init_scale
        return self._scale

    def scale(self, outputs: Any) -> Any:
        """outputs (a tensor or nested lists/tuples of tensors) times the scale."""
        if not self._enabled:
            return outputs
        factor = self._current_scale()

        def apply(value: Any) -> Any:
            if isinstance(value, _C.Tensor):
                return value * _C.tensor(factor, dtype=_C.float32)
            if isinstance(value, (list, tuple)):
                scaled = [apply(v) for v in value]
                return type(value)(scaled) if isinstance(value, tuple) else scaled
            if isinstance(value, Iterable):
                return map(apply, value)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply(outputs)

    def unscale_(self, optimizer: Optimizer) -> None:
        """Divides optimizer's gradients by the scale (once per step) and
        records whether any of them is inf or NaN."""
        if not self._enabled:
            return
        key = id(optimizer)
        stage = self._stage.get(key)
        if stage == "unscaled":
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if stage == "stepped":
            raise RuntimeError("unscale_() is being called after step().")
        # The inverse is rounded to float32 as PyTorch's kernel takes it.
        inv_scale = _C.tensor(1.0 / self._current_scale(), dtype=_C.float32).item()
        found = False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.grad.mul_(inv_scale)
                    if not bool(p.grad.isfinite().all()):
                        found = True
        self._found_inf[key] = found
        self._stage[key] = "unscaled"

    def step(self, optimizer: Optimizer, *args: Any, **kwargs: Any) -> Any:
        """Unscales (if unscale_ was not called) and steps optimizer unless a
        gradient is inf or NaN; returns what optimizer.step returned, or None
        when the step is skipped."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        key = id(optimizer)
        if self._stage.get(key) == "stepped":
            raise RuntimeError("step() has already been called since the last update().")
        if self._stage.get(key) != "unscaled":
            self.unscale_(optimizer)
        result = None if self._found_inf[key] else optimizer.step(*args, **kwargs)
        self._stage[key] = "stepped"
        return result

    def update(self, new_scale: float | _C.Tensor | None = None) -> None:
        """Moves the scale: the given value, or backoff after a step with inf
        or NaN gradients, growth after growth_interval clean steps."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale.item() if isinstance(new_scale, _C.Tensor) else new_scale)
        else:
            if not self._found_inf:
                raise AssertionError("No inf checks were recorded prior to update.")
            scale = self._current_scale()
            if any(self._found_inf.values()):
                scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    scale *= self._growth_factor
                    self._growth_tracker = 0
            # PyTorch keeps the scale in a float32 tensor.
            self._scale = _C.tensor(scale, dtype=_C.float32).item()
        self._stage.clear()
        self._found_inf.clear()

    def get_scale(self) -> float:
        return self._current_scale() if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's keys: scale, growth_factor, backoff_factor,
        growth_interval, _growth_tracker (empty when disabled)."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._init_scale = float(state_dict["scale"])
        self._scale = self._init_scale
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])
