"""cdist: p-norm distances between the rows of two batches of matrices."""

from __future__ import annotations

import math

from . import _C
from .autograd.function import Function, FunctionCtx

__all__ = ["cdist"]


def _sum_to(t: _C.Tensor, shape: tuple[int, ...]) -> _C.Tensor:
    """t summed over the dims broadcasting added to shape."""
    lead = t.dim() - len(shape)
    if lead:
        t = t.sum(tuple(range(lead)))
    kept = tuple(d for d, n in enumerate(shape) if n == 1 and t.shape[d] != 1)
    return t.sum(kept, keepdim=True) if kept else t


def _pnorm(diff: _C.Tensor, p: float) -> _C.Tensor:
    if p == 0:
        return (diff != 0).to(diff.dtype).sum(-1)
    if p == 1:
        return diff.abs().sum(-1)
    if p == 2:
        return (diff * diff).sum(-1).sqrt()
    if math.isinf(p):
        return diff.abs().amax(-1)
    return (diff.abs() ** p).sum(-1) ** (1.0 / p)


class _Cdist(Function):
    _grad_fn_name = "CdistBackward0"

    @staticmethod
    def forward(ctx: FunctionCtx, x1: _C.Tensor, x2: _C.Tensor, p: float) -> _C.Tensor:
        dist = _pnorm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p)
        ctx.save_for_backward(x1, x2, dist)
        ctx.p = p  # type: ignore[attr-defined]
        return dist

    @staticmethod
    def backward(
        ctx: FunctionCtx, grad: _C.Tensor
    ) -> tuple[_C.Tensor | None, _C.Tensor | None, None]:
        x1, x2, dist = ctx.saved_tensors
        assert x1 is not None and x2 is not None and dist is not None
        p: float = ctx.p  # type: ignore[attr-defined]
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        d = dist.unsqueeze(-1)
        # d dist / d diff; zero where the distance is zero (as PyTorch).
        if p == 0:
            w = _C.zeros_like(diff)
        elif p == 1:
            w = diff.sign()
        elif p == 2:
            w = diff / d
        elif math.isinf(p):
            w = diff.sign() * (diff.abs() == d).to(diff.dtype)
        else:
            w = diff.sign() * diff.abs() ** (p - 1) / d ** (p - 1)
        w = _C.where(d == 0, _C.zeros_like(w), w)
        g = grad.unsqueeze(-1) * w
        return _sum_to(g.sum(-2), tuple(x1.shape)), _sum_to(-g.sum(-3), tuple(x2.shape)), None


def cdist(
    x1: _C.Tensor, x2: _C.Tensor, p: float = 2.0, compute_mode: str | None = None
) -> _C.Tensor:
    """The p-norm distance between each row of x1 (..., P, M) and each row of
    x2 (..., R, M): a (..., P, R) tensor, batch dims broadcast. p = 0 counts
    differing elements, p = inf takes the largest difference. compute_mode is
    accepted for PyTorch's signature; distances are always computed directly
    (PyTorch may use a matrix-product form for p = 2, which differs in the
    last bits)."""
    del compute_mode
    for name, t in (("X1", x1), ("X2", x2)):
        if not t.is_floating_point():
            legacy = {"int64": "Long", "int32": "Int", "bool": "Bool"}[str(t.dtype)[6:]]
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {legacy}")
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    result: _C.Tensor = _Cdist.apply(x1, x2, float(p))
    return result
