"""Activations that are compositions of existing ops. Each follows PyTorch's
formula in the same order of operations, so float32 results agree to
rounding; gradients come from the composed ops."""

from __future__ import annotations

from collections.abc import Callable

from ... import _C
from ...autograd.function import Function, FunctionCtx
from ...autograd.grad_mode import no_grad
from ._utils import _require_floating, _scalar_type_name

__all__ = [
    "relu_", "elu_", "leaky_relu_", "hardtanh_", "hardswish", "hardsigmoid", "mish",
    "softsign", "softmin", "glu", "celu", "celu_", "selu", "selu_", "threshold", "threshold_",
    "tanhshrink", "softshrink", "hardshrink", "prelu", "rrelu", "rrelu_", "gumbel_softmax",
]  # fmt: skip

# SELU's constants (Klambauer et al., 2017), as PyTorch spells them.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _inplace(input: _C.Tensor, fn: Callable[[_C.Tensor], _C.Tensor]) -> _C.Tensor:
    """input overwritten with fn(input). With grad mode on, fn runs on a
    clone so that the values it saved for backward are not the ones the copy
    overwrites (the gradient still flows to input's history)."""
    if _C.is_grad_enabled() and input.requires_grad:
        return input.copy_(fn(input.clone()))
    with no_grad():
        return input.copy_(fn(input))


def relu_(input: _C.Tensor) -> _C.Tensor:
    """In-place relu."""
    return _C.relu_(input)


def elu_(input: _C.Tensor, alpha: float = 1.0) -> _C.Tensor:
    """In-place elu."""
    return _C.elu_(input, alpha)


def leaky_relu_(input: _C.Tensor, negative_slope: float = 0.01) -> _C.Tensor:
    """In-place leaky_relu."""
    return _C.leaky_relu_(input, negative_slope)


def hardtanh_(input: _C.Tensor, min_val: float = -1.0, max_val: float = 1.0) -> _C.Tensor:
    """In-place hardtanh; unlike hardtanh, min_val > max_val is accepted (all
    elements become max_val), as in PyTorch."""
    return _C.hardtanh_(input, min_val, max_val)


# 1/6 rounded to float32: PyTorch's hardsigmoid derivative uses it in every dtype.
_ONE_SIXTH_F32 = 0.1666666716337204


class _Hardsigmoid(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, x: _C.Tensor) -> _C.Tensor:
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        return _C.hardtanh(x + 3.0, 0.0, 6.0) / 6.0

    @staticmethod
    def jvp(ctx: FunctionCtx, x_t: _C.Tensor) -> _C.Tensor:
        (x,) = ctx.saved_tensors
        assert x is not None
        inside = (x > -3.0).logical_and(x < 3.0)
        return _C.where(inside, x_t * _ONE_SIXTH_F32, _C.zeros_like(x_t))

    @staticmethod
    def backward(ctx: FunctionCtx, grad: _C.Tensor) -> _C.Tensor:
        (x,) = ctx.saved_tensors
        assert x is not None
        # d/dx = 1/6 strictly inside (-3, 3), 0 outside.
        inside = (x > -3.0).logical_and(x < 3.0)
        return _C.where(inside, grad * _ONE_SIXTH_F32, _C.zeros_like(grad))


def _hardsigmoid(x: _C.Tensor) -> _C.Tensor:
    result: _C.Tensor = _Hardsigmoid.apply(x)
    return result


def hardsigmoid(input: _C.Tensor, inplace: bool = False) -> _C.Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return _inplace(input, _hardsigmoid) if inplace else _hardsigmoid(input)


def _hardswish(x: _C.Tensor) -> _C.Tensor:
    return _C._nn.hardswish(x)


def hardswish(input: _C.Tensor, inplace: bool = False) -> _C.Tensor:
    """x * relu6(x + 3) / 6."""
    return _inplace(input, _hardswish) if inplace else _hardswish(input)


def _mish(x: _C.Tensor) -> _C.Tensor:
    return x * _C.tanh(_C.softplus(x, 1.0, 20.0))


def mish(input: _C.Tensor, inplace: bool = False) -> _C.Tensor:
    """x * tanh(softplus(x))."""
    return _inplace(input, _mish) if inplace else _mish(input)


def softsign(input: _C.Tensor) -> _C.Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def softmin(
    input: _C.Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: _C.dtype | None = None
) -> _C.Tensor:
    """softmax(-x) along dim."""
    from ..functional import _softmax_dim

    if dim is None:
        dim = _softmax_dim(input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return _C.softmax(-input, dim)


def glu(input: _C.Tensor, dim: int = -1) -> _C.Tensor:
    """a * sigmoid(b), where a and b are the halves of input along dim."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.size(dim)
    if size % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {dim % input.dim()} is size {size}"
        )
    _require_floating(input, "glu_cpu")
    a, b = _C.chunk(input, 2, dim)
    return a * _C.sigmoid(b)


def _celu(alpha: float) -> Callable[[_C.Tensor], _C.Tensor]:
    # elu of x / alpha scaled back: x above 0, alpha * (exp(x / alpha) - 1) below;
    # through elu (not where) so exp never overflows into a NaN gradient.
    # x / alpha would make an integer input float: elu itself refuses it, with
    # PyTorch's NotImplementedError.
    return lambda x: (
        _C.elu(x / alpha, 1.0) * alpha if alpha != 1.0 and x.is_floating_point() else _C.elu(x, 1.0)
    )


def celu(input: _C.Tensor, alpha: float = 1.0, inplace: bool = False) -> _C.Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    fn = _celu(alpha)
    return _inplace(input, fn) if inplace else fn(input)


def celu_(input: _C.Tensor, alpha: float = 1.0) -> _C.Tensor:
    """In-place celu."""
    return celu(input, alpha, inplace=True)


def _selu(x: _C.Tensor) -> _C.Tensor:
    return _C.elu(x, _SELU_ALPHA) * _SELU_SCALE


def selu(input: _C.Tensor, inplace: bool = False) -> _C.Tensor:
    """scale * elu(x, alpha) with SELU's fixed scale and alpha."""
    return _inplace(input, _selu) if inplace else _selu(input)


def selu_(input: _C.Tensor) -> _C.Tensor:
    """In-place selu."""
    return selu(input, inplace=True)


def _shrunk(x: _C.Tensor, lambd: float) -> _C.Tensor:
    """Where softshrink and hardshrink give 0: x in [-lambd, lambd]."""
    return (x >= -lambd).logical_and(x <= lambd)


def _kept(x: _C.Tensor, threshold: float) -> _C.Tensor:
    """Where threshold keeps x: PyTorch's kernels test x <= threshold for
    the replaced elements, so a NaN is kept (and passes its gradient)."""
    return (x <= threshold).logical_not()


class _Threshold(Function):
    _grad_fn_name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x: _C.Tensor, threshold: float, value: float) -> _C.Tensor:
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        ctx.threshold = threshold  # type: ignore[attr-defined]
        return _C.where(_kept(x, threshold), x, _C.tensor(value, dtype=x.dtype))

    @staticmethod
    def jvp(ctx: FunctionCtx, x_t: _C.Tensor, *_: object) -> _C.Tensor:
        (x,) = ctx.saved_tensors
        assert x is not None
        return _C.where(_kept(x, ctx.threshold), x_t, _C.zeros_like(x_t))  # type: ignore[attr-defined]

    @staticmethod
    def backward(ctx: FunctionCtx, grad: _C.Tensor) -> tuple[_C.Tensor, None, None]:
        # d/dx = 1 where x is kept, else 0 (threshold_backward).
        (x,) = ctx.saved_tensors
        assert x is not None
        kept = _kept(x, ctx.threshold)  # type: ignore[attr-defined]
        return _C.where(kept, grad, _C.zeros_like(grad)), None, None


def threshold(input: _C.Tensor, threshold: float, value: float, inplace: bool = False) -> _C.Tensor:
    """value where x <= threshold, else x (both taken in input's dtype, as
    PyTorch's kernel reads them)."""
    if input.dtype == _C.bool:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    if not input.dtype.is_floating_point:
        threshold, value = int(threshold), int(value)

    def fn(x: _C.Tensor) -> _C.Tensor:
        result: _C.Tensor = _Threshold.apply(x, threshold, value)
        return result

    return _inplace(input, fn) if inplace else fn(input)


def threshold_(input: _C.Tensor, threshold_value: float, value: float) -> _C.Tensor:
    """In-place threshold."""
    return threshold(input, threshold_value, value, inplace=True)


def tanhshrink(input: _C.Tensor) -> _C.Tensor:
    """x - tanh(x)."""
    return input - _C.tanh(input)


def softshrink(input: _C.Tensor, lambd: float = 0.5) -> _C.Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    _require_floating(input, "softshrink_check")
    if lambd < 0:
        # PyTorch names the dtype's largest value and its C++ scalar type.
        kind, largest = {
            _C.float32: ("Float", 3.4028234663852886e38),
            _C.float64: ("Double", 1.7976931348623157e308),
        }.get(input.dtype, (str(input.dtype), float("inf")))
        raise RuntimeError(
            f"lambda must be in range [0, {largest:g}] for input dtype {kind}, but found {lambd}"
        )
    zero = _C.zeros_like(input)
    # PyTorch's kernel zeroes [-lambd, lambd] and shifts the rest, so a NaN
    # stays NaN.
    shifted = _C.where(input > 0, input - lambd, input + lambd)
    return _C.where(_shrunk(input, lambd), zero, shifted)


def hardshrink(input: _C.Tensor, lambd: float = 0.5) -> _C.Tensor:
    """0 where -lambd <= x <= lambd, else x (a NaN stays NaN, as in
    PyTorch's kernel)."""
    _require_floating(input, "hardshrink_cpu")
    return _C.where(_shrunk(input, lambd), _C.zeros_like(input), input)


def prelu(input: _C.Tensor, weight: _C.Tensor) -> _C.Tensor:
    """x where x > 0, else weight * x, with one weight per channel (dim 1)
    or a single shared one."""
    if input.dtype != weight.dtype:
        raise RuntimeError(
            "prelu: Type promoting not supported. Got "
            f"{_scalar_type_name(input)} and {_scalar_type_name(weight)}"
        )
    channels = input.size(1) if input.dim() >= 2 else 1
    if weight.numel() != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        if weight.numel() != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {weight.numel()} and channel size = {channels}."
            )
    if weight.dim() > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}"
        )
    _require_floating(input, "prelu_cpu")
    if weight.numel() > 1:
        weight = weight.reshape((channels,) + (1,) * (input.dim() - 2))
    return _C.where(input > 0, input, weight * input)


def rrelu(
    input: _C.Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> _C.Tensor:
    """Leaky relu whose negative slope is drawn uniformly from [lower, upper]
    per element while training, and is their mean otherwise."""
    if not training:
        slope = (lower + upper) / 2
        if inplace:
            return _C.leaky_relu_(input, slope)
        return _C.leaky_relu(input, slope)

    def fn(x: _C.Tensor) -> _C.Tensor:
        with no_grad():
            slopes = _C.empty(tuple(x.shape), dtype=x.dtype).uniform_(lower, upper)
        return _C.where(x >= 0, x, x * slopes)

    return _inplace(input, fn) if inplace else fn(input)


def rrelu_(
    input: _C.Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> _C.Tensor:
    """In-place rrelu."""
    return rrelu(input, lower, upper, training, inplace=True)


def gumbel_softmax(
    logits: _C.Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> _C.Tensor:
    """A sample from the Gumbel-softmax (concrete) distribution over dim:
    softmax((logits + Gumbel noise) / tau); with hard=True, the one-hot of
    its argmax in the forward pass and the soft sample's gradient
    (straight-through)."""
    import warnings

    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    with no_grad():
        uniform = _C.rand(tuple(logits.shape), dtype=logits.dtype)
        # -log(Exp(1)) is Gumbel(0, 1); Exp(1) = -log(1 - U).
        gumbels = -_C.log(-_C.log1p(-uniform))
    y_soft = _C.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.argmax(dim, keepdim=True)
    y_hard = _C.zeros_like(logits).scatter(dim, index, _C.ones_like(index, dtype=logits.dtype))
    return y_hard - y_soft.detach() + y_soft
