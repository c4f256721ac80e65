"""Categorical: one of K categories, from probabilities or logits."""

from __future__ import annotations

from functools import cached_property

from .. import _C
from .._functions import finfo
from .._tensor import Size
from ..autograd.grad_mode import no_grad
from . import constraints
from .distribution import Distribution, _broadcast_shape, _Shape
from .utils import logits_to_probs, probs_to_logits


class Categorical(Distribution):
    """Categories ``0 .. K-1`` over the last dimension of ``probs`` (made to
    sum to one) or of ``logits`` (normalised log-probabilities)."""

    arg_constraints: dict[str, constraints.Constraint] = {  # noqa: RUF012
        "probs": constraints.simplex,
        "logits": constraints.real,
    }
    has_enumerate_support = True

    def __init__(
        self,
        probs: _C.Tensor | None = None,
        logits: _C.Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            assert logits is not None
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(-1, keepdim=True)
            param = self.logits
        self._param = param
        self._num_events = param.shape[-1]
        batch_shape = tuple(param.shape[:-1]) if param.dim() > 1 else ()
        super().__init__(batch_shape, validate_args=validate_args)

    @cached_property
    def logits(self) -> _C.Tensor:
        return probs_to_logits(self.probs)

    @cached_property
    def probs(self) -> _C.Tensor:
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> Size:
        return Size(self._param.shape)

    @property
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def mean(self) -> _C.Tensor:
        return _C.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    @property
    def mode(self) -> _C.Tensor:
        return self.probs.argmax(-1)

    @property
    def variance(self) -> _C.Tensor:
        return _C.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype)

    def sample(self, sample_shape: _Shape = ()) -> _C.Tensor:
        """Category indices (int64) by inverting the cumulative
        distribution at uniform draws; zero-probability categories are never
        drawn."""
        sample_shape = Size(sample_shape)
        with no_grad():
            probs_2d = self.probs.reshape(-1, self._num_events)
            cdf = probs_2d.cumsum(-1)
            n = sample_shape.numel()
            u = _C.rand(n, probs_2d.shape[0], 1, dtype=cdf.dtype) * cdf[:, -1:]
            drawn = (cdf <= u).sum(-1)
            return drawn.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value: _C.Tensor) -> _C.Tensor:
        if self._validate_args:
            self._validate_sample(value)
        index = value.long().unsqueeze(-1)
        shape = _broadcast_shape(tuple(index.shape), tuple(self.logits.shape))
        log_pmf = self.logits.expand(*shape)
        index = index.expand(*shape[:-1], 1)
        return log_pmf.gather(-1, index).squeeze(-1)

    def entropy(self) -> _C.Tensor:
        logits = self.logits.clamp(min=finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> _C.Tensor:
        values = _C.arange(self._num_events).reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand(self._num_events, *self._batch_shape)
        return values
