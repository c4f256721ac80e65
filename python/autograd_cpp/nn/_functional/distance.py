"""Distances and similarities between batches of vectors."""

from __future__ import annotations

from ... import _C

__all__ = ["normalize", "pairwise_distance", "cosine_similarity", "pdist"]


def normalize(
    input: _C.Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: _C.Tensor | None = None
) -> _C.Tensor:
    """input divided by its p-norm along dim (at least eps)."""
    if isinstance(p, _C.Tensor) and (p.dim() != 0 or p.requires_grad):
        # PyTorch parses ord as a number: only a 0-d tensor without grad converts.
        raise TypeError(
            "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not Tensor"
        )
    denom = input.norm(p=p, dim=dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        return out.copy_(result)
    return result


def pairwise_distance(
    x1: _C.Tensor, x2: _C.Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> _C.Tensor:
    """The p-norm of x1 - x2 + eps along the last dim."""
    dim = max(x1.dim(), x2.dim()) - 1
    return (x1 - x2 + eps).norm(p=p, dim=dim, keepdim=keepdim)


def cosine_similarity(x1: _C.Tensor, x2: _C.Tensor, dim: int = 1, eps: float = 1e-8) -> _C.Tensor:
    """The cosine of the angle between x1 and x2 along dim: each is divided
    by its norm (at least eps) before their dot product, which keeps the
    result within [-1, 1]."""
    from ..._stacking import broadcast_tensors

    # As PyTorch: the common dtype by its result-type rules (a 0-d input
    # ranks below one with dims) must be floating; only integer and bool
    # inputs are cast to it, so floating ones meet in the arithmetic after
    # broadcasting (a 0-d float64 with float32 dims gives float64). dim is
    # taken in the broadcast shape.
    common = _C.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError(
            f"expected common dtype to be floating point, yet common dtype is {common}"
        )
    x1, x2 = (x if x.dtype.is_floating_point else x.to(common) for x in (x1, x2))
    x1, x2 = broadcast_tensors(x1, x2)
    n1 = x1.norm(p=2, dim=dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(p=2, dim=dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pdist(input: _C.Tensor, p: float = 2) -> _C.Tensor:
    """The p-norm distances between every pair of rows i < j of an (N, M)
    input, in row-major order of the pairs."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    n = input.size(0)
    rows = [i for i in range(n) for _ in range(i + 1, n)]
    cols = [j for i in range(n) for j in range(i + 1, n)]
    if not rows:
        return _C.zeros(0, dtype=input.dtype)
    left = input.index_select(0, _C.tensor(rows))
    right = input.index_select(0, _C.tensor(cols))
    return (left - right).norm(p=p, dim=1)
