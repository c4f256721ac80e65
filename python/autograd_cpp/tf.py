"""The TensorFlow names the GradientTape tutorials use, on autograd_cpp:
``from autograd_cpp import tf`` in place of ``import tensorflow as tf``."""

from types import SimpleNamespace

from . import _C
from .tape import GradientTape, Variable, constant

__all__ = [
    "GradientTape", "Variable", "constant", "float32", "float64", "int32", "int64",
    "math", "nn", "random", "reduce_mean", "reduce_sum", "zeros", "ones", "linspace",
]  # fmt: skip

__version__ = "autograd_cpp"

float32, float64, int32, int64, bool = _C.float32, _C.float64, _C.int32, _C.int64, _C.bool


def _axis_reduce(fn):
    def reduce(input_tensor, axis=None, keepdims=False, name=None):
        if axis is None:
            return fn(input_tensor)
        return fn(input_tensor, axis, keepdim=keepdims)

    return reduce


reduce_sum = _axis_reduce(_C.sum)
reduce_mean = _axis_reduce(_C.mean)


def zeros(shape, dtype=float32, name=None):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _C.zeros(*shape, dtype=dtype)


def ones(shape, dtype=float32, name=None):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return _C.ones(*shape, dtype=dtype)


def linspace(start, stop, num, name=None, axis=0):
    return _C.linspace(float(start), float(stop), int(num))


def _normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    return _C.randn(*tuple(shape), dtype=dtype) * stddev + mean


def _uniform(shape, minval=0, maxval=None, dtype=float32, seed=None, name=None):
    hi = 1.0 if maxval is None else maxval
    return _C.rand(*tuple(shape), dtype=dtype) * (hi - minval) + minval


math = SimpleNamespace(
    abs=_C.abs, sin=_C.sin, cos=_C.cos, exp=_C.exp, log=_C.log, sqrt=_C.sqrt,
    square=_C.square, tanh=_C.tanh, sigmoid=_C.sigmoid,
    reduce_sum=reduce_sum, reduce_mean=reduce_mean,
)  # fmt: skip
nn = SimpleNamespace(
    sigmoid=_C.sigmoid, relu=_C.relu, tanh=_C.tanh, softplus=lambda x: _C.softplus(x)
)
random = SimpleNamespace(normal=_normal, uniform=_uniform)
