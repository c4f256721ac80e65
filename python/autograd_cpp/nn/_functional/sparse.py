"""Bags of embeddings: per-bag sums, means or maxima of embedding rows."""

from __future__ import annotations

from ... import _C

__all__ = ["embedding_bag"]


def embedding_bag(
    input: _C.Tensor,
    weight: _C.Tensor,
    offsets: _C.Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: _C.Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> _C.Tensor:
    """The sum, mean or max of the embeddings in each bag. A 2-d input holds
    one bag per row; a 1-d input is cut into bags at ``offsets``. Entries
    equal to padding_idx are left out (and not counted by the mean)."""
    from ..functional import embedding

    # Checked in PyTorch's order: weight, then input and offsets, then mode.
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2 and offsets is not None:
        raise ValueError(
            "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
            "of fixed length sequences. However, found offsets of type Tensor"
        )
    if input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    elif input.dim() != 2:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max, got {mode}")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on GitHub."
            )
        if per_sample_weights.shape != input.shape:
            raise ValueError(
                f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                f"then it must have the same shape as the input ({input.shape})"
            )
    if input.dim() == 2:
        bags, length = input.shape
        flat = input.reshape(-1)
        starts = list(range(0, bags * length, length))
        ends = starts[1:] + [bags * length]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    else:
        assert offsets is not None
        flat = input
        bounds = [int(v) for v in offsets.tolist()]
        if include_last_offset:
            starts, ends = bounds[:-1], bounds[1:]
        else:
            starts, ends = bounds, bounds[1:] + [input.numel()]
    rows = embedding(flat, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse)
    keep = None
    if padding_idx is not None:
        pad = padding_idx % weight.size(0)
        keep = flat != pad
        # Left out, not multiplied by 0: an inf row times 0 would give nan.
        rows = _C.where(keep.unsqueeze(1), rows, _C.zeros_like(rows))
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(1)
    dim = weight.size(1)
    if mode == "max":
        out = []
        for start, end in zip(starts, ends):
            counted = end > start and (keep is None or bool(keep[start:end].any()))
            if counted:
                bag = rows.narrow(0, start, end - start)
                if keep is not None:  # padding entries take no part in the max
                    fill = _C.full_like(bag, float("-inf"))
                    bag = _C.where(keep[start:end].unsqueeze(1), bag, fill)
                out.append(bag.amax(0))
            else:
                out.append(_C.zeros(dim, dtype=weight.dtype))
        return _C.stack(out) if out else _C.zeros((0, dim), dtype=weight.dtype)
    bag_of = [i for i, (start, end) in enumerate(zip(starts, ends)) for _ in range(start, end)]
    positions = [p for start, end in zip(starts, ends) for p in range(start, end)]
    if positions == list(range(len(positions))):
        picked = rows.narrow(0, 0, len(positions))
    else:
        picked = rows.index_select(0, _C.tensor(positions, dtype=_C.int64))
    index = _C.tensor(bag_of, dtype=_C.int64).reshape(-1, 1).expand(len(bag_of), dim)
    total = _C.zeros((len(starts), dim), dtype=weight.dtype).scatter_add(0, index, picked)
    if mode == "sum":
        return total
    counts = [float(end - start) for start, end in zip(starts, ends)]
    if keep is not None:
        kept = keep.tolist()
        counts = [float(sum(kept[start:end])) for start, end in zip(starts, ends)]
    divisor = _C.tensor([max(c, 1.0) for c in counts], dtype=weight.dtype).unsqueeze(1)
    return total / divisor
