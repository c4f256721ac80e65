"""The TensorFlow names the GradientTape tutorials use, on autograd_cpp:
``from autograd_cpp import tf`` in place of ``import tensorflow as tf``."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Protocol, cast

from . import _C
from .tape import GradientTape, Variable, constant

__all__ = [
    "GradientTape", "Variable", "constant", "float32", "float64", "int32", "int64",
    "math", "nn", "random", "reduce_mean", "reduce_sum", "zeros", "ones", "linspace",
]  # fmt: skip

__version__ = "autograd_cpp"

float32, float64, int32, int64, bool = _C.float32, _C.float64, _C.int32, _C.int64, _C.bool


class _Reduction(Protocol):
    def __call__(
        self,
        input_tensor: _C.Tensor,
        axis: int | Sequence[int] | None = None,
        keepdims: builtins.bool = False,
        name: str | None = None,
    ) -> _C.Tensor: ...


def _axis_reduce(fn: Callable[..., _C.Tensor]) -> _Reduction:
    def reduce(
        input_tensor: _C.Tensor,
        axis: int | Sequence[int] | None = None,
        keepdims: builtins.bool = False,
        name: str | None = None,
    ) -> _C.Tensor:
        if axis is None:
            return fn(input_tensor)
        return fn(input_tensor, axis, keepdim=keepdims)

    return reduce


reduce_sum = _axis_reduce(_C.sum)
reduce_mean = _axis_reduce(_C.mean)


def zeros(
    shape: int | Sequence[int], dtype: _C.dtype = float32, name: str | None = None
) -> _C.Tensor:
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _C.zeros(tuple(shape), dtype=dtype)


def ones(
    shape: int | Sequence[int], dtype: _C.dtype = float32, name: str | None = None
) -> _C.Tensor:
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _C.ones(tuple(shape), dtype=dtype)


def linspace(
    start: float, stop: float, num: int, name: str | None = None, axis: int = 0
) -> _C.Tensor:
    return _C.linspace(float(start), float(stop), int(num))


def _normal(
    shape: Sequence[int],
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: _C.dtype = float32,
    seed: int | None = None,
    name: str | None = None,
) -> _C.Tensor:
    return _C.randn(tuple(shape), dtype=dtype) * stddev + mean


def _uniform(
    shape: Sequence[int],
    minval: float = 0,
    maxval: float | None = None,
    dtype: _C.dtype = float32,
    seed: int | None = None,
    name: str | None = None,
) -> _C.Tensor:
    hi = 1.0 if maxval is None else maxval
    return _C.rand(tuple(shape), dtype=dtype) * (hi - minval) + minval


if TYPE_CHECKING:
    # What the namespaces below hold, for type checkers (the attributes of a
    # SimpleNamespace are otherwise untyped).
    class _Math:
        abs = staticmethod(_C.abs)
        sin = staticmethod(_C.sin)
        cos = staticmethod(_C.cos)
        exp = staticmethod(_C.exp)
        log = staticmethod(_C.log)
        sqrt = staticmethod(_C.sqrt)
        square = staticmethod(_C.square)
        tanh = staticmethod(_C.tanh)
        sigmoid = staticmethod(_C.sigmoid)
        reduce_sum: _Reduction
        reduce_mean: _Reduction

    class _NN:
        sigmoid = staticmethod(_C.sigmoid)
        relu = staticmethod(_C.relu)
        tanh = staticmethod(_C.tanh)
        softplus: Callable[[_C.Tensor], _C.Tensor]

    class _Random:
        normal = staticmethod(_normal)
        uniform = staticmethod(_uniform)


math = cast("_Math", SimpleNamespace(
    abs=_C.abs, sin=_C.sin, cos=_C.cos, exp=_C.exp, log=_C.log, sqrt=_C.sqrt,
    square=_C.square, tanh=_C.tanh, sigmoid=_C.sigmoid,
    reduce_sum=reduce_sum, reduce_mean=reduce_mean,
))  # fmt: skip
nn = cast(
    "_NN",
    SimpleNamespace(
        sigmoid=_C.sigmoid, relu=_C.relu, tanh=_C.tanh, softplus=lambda x: _C.softplus(x)
    ),
)
random = cast("_Random", SimpleNamespace(normal=_normal, uniform=_uniform))
