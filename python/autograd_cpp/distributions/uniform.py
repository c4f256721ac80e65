"""Uniform distribution on the half-open interval [low, high)."""

from __future__ import annotations

from .. import _C
from . import constraints
from .distribution import Distribution, _Shape, broadcast_all


class Uniform(Distribution):
    """Uniform on [low, high), elementwise over the broadcast shape."""

    has_rsample = True

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:  # type: ignore[override]
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(self.low)}

    def __init__(
        self,
        low: _C.Tensor | float,
        high: _C.Tensor | float,
        validate_args: bool | None = None,
    ) -> None:
        self.low, self.high = broadcast_all(low, high)
        super().__init__(tuple(self.low.shape), validate_args=validate_args)

    @property
    def support(self) -> constraints.Constraint:
        return constraints.interval(self.low, self.high)

    @property
    def mean(self) -> _C.Tensor:
        return (self.high + self.low) / 2

    @property
    def mode(self) -> _C.Tensor:
        return self.high * float("nan")

    @property
    def stddev(self) -> _C.Tensor:
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self) -> _C.Tensor:
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: _Shape = ()) -> _C.Tensor:
        u = _C.rand(*self._extended_shape(sample_shape), dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: _C.Tensor) -> _C.Tensor:
        if self._validate_args:
            self._validate_sample(value)
        inside = (self.low <= value).to(self.low.dtype) * (self.high > value).to(self.low.dtype)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value: _C.Tensor) -> _C.Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def entropy(self) -> _C.Tensor:
        return (self.high - self.low).log()
