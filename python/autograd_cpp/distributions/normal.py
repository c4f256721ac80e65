"""Normal (Gaussian) distribution with mean ``loc`` and deviation ``scale``."""

from __future__ import annotations

import math

from .. import _C
from ..autograd.grad_mode import no_grad
from . import constraints
from .distribution import Distribution, _Shape, broadcast_all


class Normal(Distribution):
    """N(loc, scale^2), elementwise over the broadcast shape of the parameters."""

    arg_constraints: dict[str, constraints.Constraint] = {  # noqa: RUF012
        "loc": constraints.real,
        "scale": constraints.positive,
    }
    support = constraints.real
    has_rsample = True

    def __init__(
        self,
        loc: _C.Tensor | float,
        scale: _C.Tensor | float,
        validate_args: bool | None = None,
    ) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    @property
    def mean(self) -> _C.Tensor:
        return self.loc

    @property
    def mode(self) -> _C.Tensor:
        return self.loc

    @property
    def stddev(self) -> _C.Tensor:
        return self.scale

    @property
    def variance(self) -> _C.Tensor:
        return self.scale.pow(2)

    def sample(self, sample_shape: _Shape = ()) -> _C.Tensor:
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: _Shape = ()) -> _C.Tensor:
        """loc + scale * eps with eps standard normal: differentiable in loc and scale."""
        eps = _C.randn(*self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: _C.Tensor) -> _C.Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return (
            -((value - self.loc) ** 2) / (2 * self.variance)
            - self.scale.log()
            - math.log(math.sqrt(2 * math.pi))
        )

    def cdf(self, value: _C.Tensor) -> _C.Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def entropy(self) -> _C.Tensor:
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
