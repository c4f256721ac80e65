"""KL divergences between pairs of distributions, looked up by their types."""

from __future__ import annotations

import math
from collections.abc import Callable

from .. import _C
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .normal import Normal
from .uniform import Uniform

_KLFn = Callable[[Distribution, Distribution], _C.Tensor]
_REGISTRY: dict[tuple[type, type], _KLFn] = {}


def register_kl(type_p: type, type_q: type) -> Callable[[_KLFn], _KLFn]:
    """Decorator: ``fn(p, q)`` computes KL(p || q) for these two types."""

    def decorate(fn: _KLFn) -> _KLFn:
        _REGISTRY[type_p, type_q] = fn
        return fn

    return decorate


def kl_divergence(p: Distribution, q: Distribution) -> _C.Tensor:
    """KL(p || q) over the batch shape; the most specific registered pair wins."""
    matches = [(tp, tq) for tp, tq in _REGISTRY if isinstance(p, tp) and isinstance(q, tq)]
    if not matches:
        raise NotImplementedError(
            f"No KL(p || q) is implemented for p type {type(p).__name__} and q type "
            f"{type(q).__name__}"
        )
    best = min(
        matches, key=lambda pair: (type(p).__mro__.index(pair[0]), type(q).__mro__.index(pair[1]))
    )
    return _REGISTRY[best](p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Distribution, q: Distribution) -> _C.Tensor:
    assert isinstance(p, Normal) and isinstance(q, Normal)
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Distribution, q: Distribution) -> _C.Tensor:
    assert isinstance(p, Categorical) and isinstance(q, Categorical)
    t = p.probs * (p.logits - q.logits)
    t = t.masked_fill(q.probs == 0, math.inf).masked_fill(p.probs == 0, 0.0)
    return t.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Distribution, q: Distribution) -> _C.Tensor:
    assert isinstance(p, Bernoulli) and isinstance(q, Bernoulli)
    from ..nn.functional import softplus

    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = t1.masked_fill(q.probs == 0, math.inf).masked_fill(p.probs == 0, 0.0)
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = t2.masked_fill(q.probs == 1, math.inf).masked_fill(p.probs == 1, 0.0)
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Distribution, q: Distribution) -> _C.Tensor:
    assert isinstance(p, Uniform) and isinstance(q, Uniform)
    result = ((q.high - q.low) / (p.high - p.low)).log()
    outside = (q.low > p.low) | (q.high < p.high)
    return result.masked_fill(outside, math.inf)
