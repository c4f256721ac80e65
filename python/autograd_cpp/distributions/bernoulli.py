"""Bernoulli: a 0/1 event with probability ``probs`` (or ``logits``)."""

from __future__ import annotations

from functools import cached_property

from .. import _C
from ..autograd.grad_mode import no_grad
from ..nn import functional as F
from . import constraints
from .distribution import Distribution, _Shape, broadcast_all
from .utils import logits_to_probs, probs_to_logits


class Bernoulli(Distribution):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0."""

    arg_constraints: dict[str, constraints.Constraint] = {  # noqa: RUF012
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(
        self,
        probs: _C.Tensor | float | None = None,
        logits: _C.Tensor | float | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        self._param = param
        super().__init__(tuple(param.shape), validate_args=validate_args)

    @cached_property
    def logits(self) -> _C.Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @cached_property
    def probs(self) -> _C.Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def mean(self) -> _C.Tensor:
        return self.probs

    @property
    def mode(self) -> _C.Tensor:
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return mode.masked_fill(self.probs == 0.5, float("nan"))

    @property
    def variance(self) -> _C.Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: _Shape = ()) -> _C.Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            probs = self.probs.expand(*shape)
            return (_C.rand(*shape, dtype=probs.dtype) < probs).to(probs.dtype)

    def log_prob(self, value: _C.Tensor) -> _C.Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> _C.Tensor:
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand: bool = True) -> _C.Tensor:
        values = _C.arange(2, dtype=self._param.dtype)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand(2, *self._batch_shape)
        return values
