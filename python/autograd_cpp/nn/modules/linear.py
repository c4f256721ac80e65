"""Identity, Linear and Bilinear layers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from ... import _C
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module
from .utils import _empty

if TYPE_CHECKING:
    from ..._tensor import device

__all__ = ["Identity", "Linear", "Bilinear"]

_T = TypeVar("_T")
# Accepted for PyTorch compatibility; tensors always live on the CPU.
_Device: TypeAlias = "str | device | None"

if TYPE_CHECKING:

    class _HasWeightAndBias(Protocol):
        """What reset_parameters needs (Linear and the convolutions have it)."""

        @property
        def weight(self) -> _C.Tensor: ...
        @property
        def bias(self) -> _C.Tensor | None: ...


# Calling a module runs forward (through its hooks): the `__call__ = forward`
# lines under TYPE_CHECKING give each call forward's signature for type checkers.


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: _T) -> _T:
        return input

    if TYPE_CHECKING:
        __call__ = forward


def _kaiming_reset(self: _HasWeightAndBias) -> None:
    # PyTorch's default: kaiming_uniform with a = sqrt(5), i.e. weights and
    # bias uniform in +-1/sqrt(fan_in).
    init.kaiming_uniform_(self.weight, a=math.sqrt(5))
    if self.bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(self.bias, -bound, bound)


class Linear(Module):
    """y = x W^T + b, with W of shape (out_features, in_features)."""

    weight: Parameter
    bias: Parameter | None

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_empty((out_features, in_features), dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    reset_parameters = _kaiming_reset

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.linear(input, self.weight, self.bias)

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear that quantization tooling leaves alone (MultiheadAttention's
    output projection); it computes exactly what Linear does."""


class Bilinear(Module):
    """y_k = x1^T A_k x2 + b_k, with A of shape (out_features, in1_features, in2_features)."""

    weight: Parameter
    bias: Parameter | None

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self.weight = Parameter(_empty((out_features, in1_features, in2_features), dtype))
        if bias:
            self.bias = Parameter(_empty((out_features,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: _C.Tensor, input2: _C.Tensor) -> _C.Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
