"""Convolutions and transposed convolutions over 1-d and 2-d inputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from ... import _C
from .. import functional as F
from ..parameter import Parameter
from .linear import _kaiming_reset
from .module import Module
from .utils import _empty, _ntuple, _reverse_repeat_tuple

if TYPE_CHECKING:
    from ..._tensor import device

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
]

_Device: TypeAlias = "str | device | None"
# A size given once for every spatial dim, or per dim.
_Size: TypeAlias = "int | tuple[int, ...] | list[int]"

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    weight: Parameter
    bias: Parameter | None

    def __init__(
        self,
        n: int,
        in_channels: int,
        out_channels: int,
        kernel_size: _Size,
        stride: _Size,
        padding: str | _Size,
        dilation: _Size,
        transposed: bool,
        output_padding: _Size,
        groups: int,
        bias: bool,
        padding_mode: str,
        dtype: _C.dtype | None,
    ) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                f"padding_mode='{padding_mode}'"
            )
        ntuple = _ntuple(n)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size: tuple[int, ...] = ntuple(kernel_size)
        self.stride: tuple[int, ...] = ntuple(stride)
        self.dilation: tuple[int, ...] = ntuple(dilation)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: str | tuple[int, ...] = padding
        else:
            self.padding = ntuple(padding)
        self.transposed = transposed
        self.output_padding: tuple[int, ...] = ntuple(output_padding)
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's (left, right) pairs from the last dim, for the non-zero padding modes.
        if isinstance(self.padding, str):
            pairs: list[int] = []
            if self.padding == "same":
                for d, k in zip(reversed(self.dilation), reversed(self.kernel_size)):
                    total = d * (k - 1)
                    pairs += [total // 2, total - total // 2]
            else:
                pairs = [0, 0] * n
            self._reversed_padding_repeated_twice = tuple(pairs)
        else:
            self._reversed_padding_repeated_twice = _reverse_repeat_tuple(self.padding, 2)
        if transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(_empty(shape, dtype))
        if bias:
            self.bias = Parameter(_empty((out_channels,), dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    reset_parameters = _kaiming_reset

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * len(self.kernel_size):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.kernel_size):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.kernel_size):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _padded(self, input: _C.Tensor) -> tuple[_C.Tensor, str | tuple[int, ...]]:
        """The input and the padding for the convolution: padding modes other
        than zeros pad the input explicitly first."""
        if self.padding_mode == "zeros":
            return input, self.padding
        pad = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
        return pad, (0,) * len(self.kernel_size)


class Conv1d(_ConvNd):
    """1-d convolution layer over (N, C, L) inputs, with learnable weight and bias."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _Size,
        stride: _Size = 1,
        padding: str | _Size = 0,
        dilation: _Size = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, dtype)  # fmt: skip

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        x, padding = self._padded(input)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward


class Conv2d(_ConvNd):
    """2-d convolution layer over (N, C, H, W) inputs, with learnable weight and bias."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _Size,
        stride: _Size = 1,
        padding: str | _Size = 0,
        dilation: _Size = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, dtype)  # fmt: skip

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        x, padding = self._padded(input)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward


class Conv3d(_ConvNd):
    """3-d convolution layer over (N, C, D, H, W) inputs, with learnable weight and bias."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _Size,
        stride: _Size = 1,
        padding: str | _Size = 0,
        dilation: _Size = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__(3, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, dtype)  # fmt: skip

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        x, padding = self._padded(input)
        return F.conv3d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward


class _ConvTransposeNd(_ConvNd):
    def _output_padding(
        self, input: _C.Tensor, output_size: Sequence[int] | None
    ) -> tuple[int, ...]:
        """output_padding, or the one that makes the output output_size."""
        if output_size is None:
            return self.output_padding
        n = len(self.kernel_size)
        lead = 2 if input.dim() == n + 2 else 1
        sizes = list(output_size)
        if len(sizes) == lead + n:
            sizes = sizes[lead:]
        if len(sizes) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} or "
                f"{lead + n} elements (got {len(sizes)})"
            )
        padding = self.padding
        assert not isinstance(padding, str)
        low = [
            (input.size(d + lead) - 1) * self.stride[d] - 2 * padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            for d in range(n)
        ]  # fmt: skip
        high = [low[d] + self.stride[d] - 1 for d in range(n)]
        for d in range(n):
            if not low[d] <= sizes[d] <= high[d]:
                raise ValueError(
                    f"requested an output size of {sizes}, but valid sizes range from {low} to "
                    f"{high} (for an input of {input.size()[lead:]})"
                )
        return tuple(sizes[d] - low[d] for d in range(n))


def _check_transposed(name: str, padding: str | _Size, padding_mode: str) -> None:
    if padding_mode != "zeros":
        raise ValueError(f'Only "zeros" padding mode is supported for {name}')
    if isinstance(padding, str):
        raise ValueError(f"{name} does not support string padding")


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution over (N, C, L) inputs: the gradient of
    Conv1d with respect to its input, with learnable weight and bias."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _Size,
        stride: _Size = 1,
        padding: _Size = 0,
        output_padding: _Size = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: _Size = 1,
        padding_mode: str = "zeros",
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        _check_transposed("ConvTranspose1d", padding, padding_mode)
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, dtype)  # fmt: skip

    def forward(self, input: _C.Tensor, output_size: Sequence[int] | None = None) -> _C.Tensor:
        output_padding = self._output_padding(input, output_size)
        padding = self.padding
        assert not isinstance(padding, str)
        return F.conv_transpose1d(input, self.weight, self.bias, self.stride, padding,
                                  output_padding, self.groups, self.dilation)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution over (N, C, H, W) inputs: the gradient of
    Conv2d with respect to its input, with learnable weight and bias."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _Size,
        stride: _Size = 1,
        padding: _Size = 0,
        output_padding: _Size = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: _Size = 1,
        padding_mode: str = "zeros",
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        _check_transposed("ConvTranspose2d", padding, padding_mode)
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, dtype)  # fmt: skip

    def forward(self, input: _C.Tensor, output_size: Sequence[int] | None = None) -> _C.Tensor:
        output_padding = self._output_padding(input, output_size)
        padding = self.padding
        assert not isinstance(padding, str)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, padding,
                                  output_padding, self.groups, self.dilation)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward


class ConvTranspose3d(_ConvTransposeNd):
    """3-d transposed convolution over (N, C, D, H, W) inputs: the gradient of
    Conv3d with respect to its input, with learnable weight and bias."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: _Size,
        stride: _Size = 1,
        padding: _Size = 0,
        output_padding: _Size = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: _Size = 1,
        padding_mode: str = "zeros",
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        _check_transposed("ConvTranspose3d", padding, padding_mode)
        super().__init__(3, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, dtype)  # fmt: skip

    def forward(self, input: _C.Tensor, output_size: Sequence[int] | None = None) -> _C.Tensor:
        output_padding = self._output_padding(input, output_size)
        padding = self.padding
        assert not isinstance(padding, str)
        return F.conv_transpose3d(input, self.weight, self.bias, self.stride, padding,
                                  output_padding, self.groups, self.dilation)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward
