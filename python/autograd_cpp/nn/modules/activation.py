"""Activation layers (and MultiheadAttention, which PyTorch files here too)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from ... import _C
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module
from .utils import _empty

if TYPE_CHECKING:
    from ..._tensor import device

__all__ = [
    "ReLU", "ReLU6", "Hardtanh", "Threshold", "RReLU", "LeakyReLU", "PReLU", "ELU", "CELU",
    "SELU", "GELU", "SiLU", "Mish", "Hardsigmoid", "Hardswish", "Sigmoid", "Tanh", "LogSigmoid",
    "Softplus", "Softsign", "Tanhshrink", "Softshrink", "Hardshrink", "GLU", "Softmax",
    "Softmin", "LogSoftmax", "Softmax2d",
]  # fmt: skip

_Device: TypeAlias = "str | device | None"


class _Elementwise(Module):
    """An activation with no options: forward applies one function."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        raise NotImplementedError

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return self._fn(input)

    if TYPE_CHECKING:
        __call__ = forward


class _Inplace(_Elementwise):
    """An activation whose only option is inplace."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """max(x, 0), elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.relu(input, self.inplace)


class Hardtanh(_Elementwise):
    """Clamps to [min_val, max_val]."""

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        super().__init__()
        if min_value is not None or max_value is not None:
            import warnings

            warnings.warn(
                "keyword argument `min_value` is deprecated and rename to `min_val`"
                if min_value is not None
                else "keyword argument `max_value` is deprecated and rename to `max_val`",
                FutureWarning,
                stacklevel=2,
            )
            min_val = min_value if min_value is not None else min_val
            max_val = max_value if max_value is not None else max_val
        if max_val <= min_val:
            raise AssertionError
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{inplace}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6), elementwise."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Threshold(_Elementwise):
    """x where x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"threshold={self.threshold}, value={self.value}{inplace}"


class RReLU(_Elementwise):
    """Leaky relu with a random negative slope in [lower, upper] while
    training, their mean otherwise."""

    def __init__(
        self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False
    ) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace}"


class LeakyReLU(_Elementwise):
    """x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(_Elementwise):
    """x if x > 0 else a * x, with a learnable slope a (one, or one per channel)."""

    weight: Parameter

    def __init__(
        self,
        num_parameters: int = 1,
        init: float = 0.25,
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(_empty((num_parameters,), dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(_Elementwise):
    """x if x > 0 else alpha * (exp(x) - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.celu(input, self.alpha, self.inplace)


class SELU(_Inplace):
    """scale * elu(x, alpha) with SELU's self-normalising constants."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.selu(input, self.inplace)


class GELU(_Elementwise):
    """Gaussian error linear unit x * Phi(x) (approximate='tanh' for the tanh form)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Inplace):
    """x * sigmoid(x), elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.silu(input, self.inplace)


class Mish(_Inplace):
    """x * tanh(softplus(x)), elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.mish(input, self.inplace)


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6, elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.hardsigmoid(input, self.inplace)

    def extra_repr(self) -> str:
        return ""


class Hardswish(_Inplace):
    """x * relu6(x + 3) / 6, elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.hardswish(input, self.inplace)

    def extra_repr(self) -> str:
        return ""


class Sigmoid(_Elementwise):
    """1 / (1 + exp(-x)), elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return _C.sigmoid(input)


class Tanh(_Elementwise):
    """Hyperbolic tangent, elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return _C.tanh(input)


class LogSigmoid(_Elementwise):
    """log(sigmoid(x)), elementwise, without overflow for large |x|."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.logsigmoid(input)


class Softsign(_Elementwise):
    """x / (1 + |x|), elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.softsign(input)


class Tanhshrink(_Elementwise):
    """x - tanh(x), elementwise."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.tanhshrink(input)


class Softplus(_Elementwise):
    """log(1 + exp(beta * x)) / beta, linear above threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softshrink(_Elementwise):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """x where |x| > lambd, else 0."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.hardshrink(input, self.lambd)


class GLU(_Elementwise):
    """a * sigmoid(b) for the two halves a, b of the input along dim."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_Elementwise):
    """Softmax along dim."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Softmax):
    """softmax(-x) along dim."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.softmin(input, self.dim, _stacklevel=5)


class LogSoftmax(Softmax):
    """log(softmax(x)) along dim, computed stably."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmax2d(_Elementwise):
    """Softmax over the channels of each position of (N, C, H, W) or (C, H, W) inputs."""

    def _fn(self, input: _C.Tensor) -> _C.Tensor:
        if input.dim() not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead"
            )
        return F.softmax(input, -3, _stacklevel=5)
