"""Lazy modules: layers whose input size is read from their first input.
Until then their weights are UninitializedParameters; on the first call
they are allocated, initialised as the eager layer would be, and the module
becomes that layer (LazyLinear becomes Linear, and so on)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from ... import _C
from ...autograd.grad_mode import no_grad
from ..parameter import UninitializedBuffer, UninitializedParameter
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .linear import Linear
from .module import Module

if TYPE_CHECKING:
    from ..._tensor import device

__all__ = [
    "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
    "LazyConvTranspose2d", "LazyConvTranspose3d",
    "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d",
    "LazyInstanceNorm2d", "LazyInstanceNorm3d",
]  # fmt: skip

_Device: TypeAlias = "str | device | None"
_Size: TypeAlias = "int | tuple[int, ...] | list[int]"


class LazyModuleMixin:
    """Infers the parameters' shapes on the first forward call, then turns
    the module into cls_to_become."""

    cls_to_become: type[Module] | None = None

    def _start_lazy(self) -> None:
        module: Any = self
        module._initialize_hook = module.register_forward_pre_hook(LazyModuleMixin._infer)

    def has_uninitialized_params(self) -> bool:
        module: Any = self
        tensors = list(module._parameters.values()) + list(module._buffers.values())
        return any(isinstance(t, (UninitializedParameter, UninitializedBuffer)) for t in tensors)

    def initialize_parameters(self, *args: Any) -> None:
        raise NotImplementedError

    @staticmethod
    def _infer(module: Any, args: tuple[Any, ...]) -> None:
        module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        del module.__dict__["_initialize_hook"]
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become


def _materialize(module: Any, name: str, shape: tuple[int, ...]) -> None:
    value = getattr(module, name)
    if isinstance(value, UninitializedParameter):
        value.materialize(shape)
    elif isinstance(value, UninitializedBuffer):
        module._buffers[name] = value.materialize(shape)


class LazyLinear(LazyModuleMixin, Linear):
    """A Linear whose in_features is the last dim of its first input."""

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:  # fmt: skip
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        self._start_lazy()

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            Linear.reset_parameters(self)

    def initialize_parameters(self, input: _C.Tensor) -> None:
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                _materialize(self, "weight", (self.out_features, self.in_features))
                if self.bias is not None:
                    _materialize(self, "bias", (self.out_features,))
                self.reset_parameters()


class _LazyConvMixin(LazyModuleMixin):
    _spatial = 2

    def _lazy_init(self, out_channels: int, bias: bool, dtype: _C.dtype | None) -> None:
        module: Any = self
        module.weight = UninitializedParameter(dtype=dtype)
        module.out_channels = out_channels
        if bias:
            module.bias = UninitializedParameter(dtype=dtype)
        self._start_lazy()

    def reset_parameters(self) -> None:
        module: Any = self
        if not self.has_uninitialized_params() and module.in_channels != 0:
            from .linear import _kaiming_reset

            _kaiming_reset(module)

    def initialize_parameters(self, input: _C.Tensor) -> None:
        module: Any = self
        if not self.has_uninitialized_params():
            return
        batched = input.dim() == self._spatial + 2
        module.in_channels = input.shape[1] if batched else input.shape[0]
        if module.in_channels % module.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if module.transposed:
            shape = (module.in_channels, module.out_channels // module.groups)
        else:
            shape = (module.out_channels, module.in_channels // module.groups)
        with no_grad():
            _materialize(module, "weight", shape + tuple(module.kernel_size))
            if module.bias is not None:
                _materialize(module, "bias", (module.out_channels,))
            self.reset_parameters()


class LazyConv1d(_LazyConvMixin, Conv1d):
    """A Conv1d whose in_channels is read from its first input."""

    cls_to_become = Conv1d
    _spatial = 1

    def __init__(
        self,
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
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode)
        self._lazy_init(out_channels, bias, dtype)


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A Conv2d whose in_channels is read from its first input."""

    cls_to_become = Conv2d

    def __init__(
        self,
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
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode)
        self._lazy_init(out_channels, bias, dtype)


class LazyConvTranspose1d(_LazyConvMixin, ConvTranspose1d):
    """A ConvTranspose1d whose in_channels is read from its first input."""

    cls_to_become = ConvTranspose1d
    _spatial = 1

    def __init__(
        self,
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
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode)  # fmt: skip
        self._lazy_init(out_channels, bias, dtype)


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """A ConvTranspose2d whose in_channels is read from its first input."""

    cls_to_become = ConvTranspose2d

    def __init__(
        self,
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
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode)  # fmt: skip
        self._lazy_init(out_channels, bias, dtype)


class LazyConv3d(_LazyConvMixin, Conv3d):
    """A Conv3d whose in_channels is read from its first input."""

    cls_to_become = Conv3d
    _spatial = 3

    def __init__(
        self,
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
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode)
        self._lazy_init(out_channels, bias, dtype)


class LazyConvTranspose3d(_LazyConvMixin, ConvTranspose3d):
    """A ConvTranspose3d whose in_channels is read from its first input."""

    cls_to_become = ConvTranspose3d
    _spatial = 3

    def __init__(
        self,
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
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode)  # fmt: skip
        self._lazy_init(out_channels, bias, dtype)


class _LazyNormMixin(LazyModuleMixin):
    def _lazy_init(
        self, affine: bool, track_running_stats: bool, dtype: _C.dtype | None, bias: bool
    ) -> None:
        module: Any = self
        module.affine, module.track_running_stats = affine, track_running_stats
        module._has_bias = affine and bias
        if affine:
            module.weight = UninitializedParameter(dtype=dtype)
            if bias:
                module.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            module.register_buffer("running_mean", UninitializedBuffer(dtype=dtype))
            module.register_buffer("running_var", UninitializedBuffer(dtype=dtype))
            module.register_buffer("num_batches_tracked", _C.tensor(0))
        self._start_lazy()

    def reset_parameters(self) -> None:
        module: Any = self
        if not self.has_uninitialized_params() and module.num_features != 0:
            if module.track_running_stats:
                module.running_mean.zero_()
                module.running_var.fill_(1)
                module.num_batches_tracked.zero_()
            if module.affine:
                module.weight.data.fill_(1)
                if module.bias is not None:
                    module.bias.data.zero_()

    def initialize_parameters(self, input: _C.Tensor) -> None:
        module: Any = self
        if not self.has_uninitialized_params():
            return
        module.num_features = input.shape[1]
        with no_grad():
            for name in ("weight", "bias", "running_mean", "running_var"):
                if name in module._parameters or name in module._buffers:
                    if getattr(module, name) is not None:
                        _materialize(module, name, (module.num_features,))
            self.reset_parameters()


class LazyBatchNorm1d(_LazyNormMixin, BatchNorm1d):
    """A BatchNorm1d whose num_features is read from its first input."""

    cls_to_become: type[Module] | None = BatchNorm1d

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: _Device = None,
        dtype: _C.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(0, eps, momentum, False, False)
        self._lazy_init(affine, track_running_stats, dtype, bias)


class LazyBatchNorm2d(LazyBatchNorm1d, BatchNorm2d):
    """A BatchNorm2d whose num_features is read from its first input."""

    cls_to_become = BatchNorm2d
    _expected_dims = BatchNorm2d._expected_dims


class LazyBatchNorm3d(LazyBatchNorm1d, BatchNorm3d):
    """A BatchNorm3d whose num_features is read from its first input."""

    cls_to_become = BatchNorm3d
    _expected_dims = BatchNorm3d._expected_dims


class LazyInstanceNorm1d(_LazyNormMixin, InstanceNorm1d):
    """An InstanceNorm1d whose num_features is read from its first input."""

    cls_to_become: type[Module] | None = InstanceNorm1d

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: _Device = None,
        dtype: _C.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(0, eps, momentum, False, False)
        self._lazy_init(affine, track_running_stats, dtype, bias)

    def initialize_parameters(self, input: _C.Tensor) -> None:
        # Unbatched input has its channels first.
        batched = input.dim() == self._no_batch_dim + 1
        super().initialize_parameters(input if batched else input.unsqueeze(0))


class LazyInstanceNorm2d(LazyInstanceNorm1d, InstanceNorm2d):
    """An InstanceNorm2d whose num_features is read from its first input."""

    cls_to_become = InstanceNorm2d
    _no_batch_dim = InstanceNorm2d._no_batch_dim


class LazyInstanceNorm3d(LazyInstanceNorm1d, InstanceNorm3d):
    """An InstanceNorm3d whose num_features is read from its first input."""

    cls_to_become = InstanceNorm3d
    _no_batch_dim = InstanceNorm3d._no_batch_dim
