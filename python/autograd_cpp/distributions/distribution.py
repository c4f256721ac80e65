"""The base class of probability distributions: shapes, argument and sample
validation and the printed form, as ``torch.distributions.Distribution``."""

from __future__ import annotations

import builtins
from typing import Any, ClassVar

from .. import _C
from .._tensor import Size
from ..autograd.grad_mode import no_grad
from . import constraints

_Shape = Size | tuple[int, ...] | list[int]


class Distribution:
    """``batch_shape`` indexes independent distributions, ``event_shape`` is
    the shape of one draw. With validation on (the default, as in PyTorch
    run without ``-O``), bad parameters and ``log_prob`` values outside the
    support raise ``ValueError``."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args: ClassVar[bool] = __debug__
    arg_constraints: dict[str, constraints.Constraint] = {}

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turns argument and sample validation on or off for every distribution."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(
        self,
        batch_shape: _Shape = (),
        event_shape: _Shape = (),
        validate_args: bool | None = None,
    ) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args  # type: ignore[misc]  # per-instance override
        if not self._validate_args:
            return
        for param, constraint in self.arg_constraints.items():
            if isinstance(constraint, type(constraints.dependent)) or param not in self.__dict__:
                continue  # derived parameters (logits from probs) are not checked
            value = getattr(self, param)
            if not bool(constraint.check(value).all()):
                raise ValueError(
                    f"Expected parameter {param} ({type(value).__name__} of shape "
                    f"{tuple(value.shape)}) of distribution {self!r} to satisfy the constraint "
                    f"{constraint!r}, but found invalid values:\n{value}"
                )

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    @property
    def support(self) -> constraints.Constraint:
        raise NotImplementedError

    @property
    def mean(self) -> _C.Tensor:
        raise NotImplementedError

    @property
    def mode(self) -> _C.Tensor:
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self) -> _C.Tensor:
        raise NotImplementedError

    @property
    def stddev(self) -> _C.Tensor:
        return self.variance.sqrt()

    def sample(self, sample_shape: _Shape = ()) -> _C.Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: _Shape = ()) -> _C.Tensor:
        """A draw through which gradients flow to the parameters."""
        raise NotImplementedError

    def sample_n(self, n: int) -> _C.Tensor:
        return self.sample((n,))

    def log_prob(self, value: _C.Tensor) -> _C.Tensor:
        raise NotImplementedError

    def cdf(self, value: _C.Tensor) -> _C.Tensor:
        raise NotImplementedError

    def entropy(self) -> _C.Tensor:
        raise NotImplementedError

    def perplexity(self) -> _C.Tensor:
        return self.entropy().exp()

    def _extended_shape(self, sample_shape: _Shape = ()) -> Size:
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _validate_sample(self, value: _C.Tensor) -> None:
        if not isinstance(value, _C.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        size = Size(value.shape)
        event_start = len(size) - len(self._event_shape)
        if Size(size[event_start:]) != self._event_shape:
            raise ValueError(
                "The right-most size of value must match event_shape: "
                f"{size} vs {self._event_shape}."
            )
        expected = self._extended_shape()
        for i, j in zip(reversed(size), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    "Value is not broadcastable with batch_shape+event_shape: "
                    f"{size} vs {expected}."
                )
        if not bool(self.support.check(value).all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) "
                f"to be within the support ({self.support!r}) of the distribution {self!r}, "
                f"but found invalid values:\n{value}"
            )

    def __repr__(self) -> str:
        shown = []
        for name in self.arg_constraints:
            if name in self.__dict__:
                value: _C.Tensor = self.__dict__[name]
                shown.append(f"{name}: {value.item() if value.numel() == 1 else Size(value.shape)}")
        return f"{type(self).__name__}({', '.join(shown)})"


def _broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for i, n in enumerate(shape, ndim - len(shape)):
            if n != 1 and out[i] not in (1, n):
                raise ValueError("shape mismatch: objects cannot be broadcast to a single shape")
            out[i] = n if n != 1 else out[i]
    return tuple(out)


def broadcast_all(*values: Any) -> tuple[_C.Tensor, ...]:
    """Tensors and numbers as tensors of one broadcast shape; numbers take
    the dtype of the tensor arguments, else the default dtype."""
    tensors = [v for v in values if isinstance(v, _C.Tensor)]
    if any(not isinstance(v, (_C.Tensor, builtins.int, builtins.float)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number or torch.Tensor.")
    dtype = tensors[0].dtype if tensors else _C.get_default_dtype()
    as_tensors = [v if isinstance(v, _C.Tensor) else _C.tensor(v, dtype=dtype) for v in values]
    shape = _broadcast_shape(*(tuple(t.shape) for t in as_tensors))
    return tuple(t if tuple(t.shape) == shape else t.expand(*shape) for t in as_tensors)
