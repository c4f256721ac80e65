"""Max, average, power-average, adaptive and unpooling layers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

from ... import _C
from .. import functional as F
from .module import Module
from .utils import _pair, _single, _triple

__all__ = [
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "LPPool1d", "LPPool2d",
    "MaxUnpool1d", "MaxUnpool2d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d",
    "AdaptiveMaxPool3d", "LPPool3d", "MaxUnpool3d",
]  # fmt: skip

# A size given once for every spatial dim, or per dim.
_Size: TypeAlias = "int | tuple[int, ...] | list[int]"
_OptSize: TypeAlias = "int | None | tuple[int | None, ...] | list[int | None]"


class _MaxPoolNd(Module):
    def __init__(
        self,
        kernel_size: _Size,
        stride: _Size | None = None,
        padding: _Size = 0,
        dilation: _Size = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling over (N, C, L) inputs."""

    # (values, indices) when return_indices.
    def forward(self, input: _C.Tensor) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling over (N, C, H, W) inputs."""

    # (values, indices) when return_indices.
    def forward(self, input: _C.Tensor) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward


class AvgPool1d(Module):
    """1-d average pooling over (N, C, L) inputs."""

    def __init__(
        self,
        kernel_size: _Size,
        stride: _Size | None = None,
        padding: _Size = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """2-d average pooling over (N, C, H, W) inputs."""

    def __init__(
        self,
        kernel_size: _Size,
        stride: _Size | None = None,
        padding: _Size = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    def __init__(self, output_size: _OptSize, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average pooling of (N, C, L) inputs to output_size positions, whatever L."""

    def __init__(self, output_size: int | Sequence[int]) -> None:
        super().__init__(output_size if isinstance(output_size, int) else tuple(output_size))

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)  # type: ignore[arg-type]

    if TYPE_CHECKING:
        __call__ = forward


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average pooling of (N, C, H, W) inputs to output_size (None keeps a dim)."""

    def __init__(self, output_size: _OptSize) -> None:
        super().__init__(output_size)

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    if TYPE_CHECKING:
        __call__ = forward


class AdaptiveMaxPool1d(_AdaptivePool):
    """Max pooling of (N, C, L) inputs to output_size positions, whatever L."""

    def __init__(self, output_size: int | Sequence[int], return_indices: bool = False) -> None:
        super().__init__(
            output_size if isinstance(output_size, int) else tuple(output_size), return_indices
        )

    def forward(self, input: _C.Tensor) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)  # type: ignore[arg-type]

    if TYPE_CHECKING:
        __call__ = forward


class AdaptiveMaxPool2d(_AdaptivePool):
    """Max pooling of (N, C, H, W) inputs to output_size (None keeps a dim)."""

    def forward(self, input: _C.Tensor) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    if TYPE_CHECKING:
        __call__ = forward


class _LPPool(Module):
    def __init__(
        self,
        norm_type: float,
        kernel_size: _Size,
        stride: _Size | None = None,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPool):
    """Power-average pooling over (N, C, L) inputs: (sum of x^p over each window)^(1/p)."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        kernel = self.kernel_size
        k = kernel if isinstance(kernel, int) else kernel[0]
        return F.lp_pool1d(input, self.norm_type, k, self.stride, self.ceil_mode)

    if TYPE_CHECKING:
        __call__ = forward


class LPPool2d(_LPPool):
    """Power-average pooling over (N, C, H, W) inputs."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    if TYPE_CHECKING:
        __call__ = forward


class MaxUnpool1d(Module):
    """The inverse of MaxPool1d: each value back at its index, zeros elsewhere."""

    def __init__(self, kernel_size: _Size, stride: _Size | None = None, padding: _Size = 0) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)

    def forward(
        self, input: _C.Tensor, indices: _C.Tensor, output_size: Sequence[int] | None = None
    ) -> _C.Tensor:
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(MaxUnpool1d):
    """The inverse of MaxPool2d: each value back at its flat index, zeros elsewhere."""

    def __init__(self, kernel_size: _Size, stride: _Size | None = None, padding: _Size = 0) -> None:
        Module.__init__(self)
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride if stride is not None else kernel_size)
        self.padding = _pair(padding)

    def forward(
        self, input: _C.Tensor, indices: _C.Tensor, output_size: Sequence[int] | None = None
    ) -> _C.Tensor:
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)  # fmt: skip


class MaxPool3d(_MaxPoolNd):
    """3-d max pooling over (N, C, D, H, W) inputs."""

    # (values, indices) when return_indices.
    def forward(self, input: _C.Tensor) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)  # fmt: skip

    if TYPE_CHECKING:
        __call__ = forward


class AvgPool3d(AvgPool2d):
    """3-d average pooling over (N, C, D, H, W) inputs."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)  # fmt: skip


class AdaptiveAvgPool3d(_AdaptivePool):
    """Average pooling of (N, C, D, H, W) inputs to output_size (None keeps a dim)."""

    def __init__(self, output_size: _OptSize) -> None:
        super().__init__(output_size)

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)

    if TYPE_CHECKING:
        __call__ = forward


class AdaptiveMaxPool3d(_AdaptivePool):
    """Max pooling of (N, C, D, H, W) inputs to output_size (None keeps a dim)."""

    def forward(self, input: _C.Tensor) -> _C.Tensor | tuple[_C.Tensor, _C.Tensor]:
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)

    if TYPE_CHECKING:
        __call__ = forward


class LPPool3d(_LPPool):
    """Power-average pooling over (N, C, D, H, W) inputs."""

    def forward(self, input: _C.Tensor) -> _C.Tensor:
        return F.lp_pool3d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    if TYPE_CHECKING:
        __call__ = forward


class MaxUnpool3d(MaxUnpool1d):
    """The inverse of MaxPool3d: each value back at its flat index, zeros elsewhere."""

    def __init__(self, kernel_size: _Size, stride: _Size | None = None, padding: _Size = 0) -> None:
        Module.__init__(self)
        self.kernel_size = _triple(kernel_size)
        self.stride = _triple(stride if stride is not None else kernel_size)
        self.padding = _triple(padding)

    def forward(
        self, input: _C.Tensor, indices: _C.Tensor, output_size: Sequence[int] | None = None
    ) -> _C.Tensor:
        return F.max_unpool3d(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)  # fmt: skip
