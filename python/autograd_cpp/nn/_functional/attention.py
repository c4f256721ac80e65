"""Attention: scaled_dot_product_attention and the multi-head attention
forward that nn.MultiheadAttention and the Transformer layers run."""

from __future__ import annotations

import math
import warnings

from ... import _C
from ..._C import _nn

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_SHORT_DTYPE = {"torch.float32": "float", "torch.float64": "double"}


def _short(dtype: _C.dtype) -> str:
    return _SHORT_DTYPE.get(str(dtype), str(dtype).removeprefix("torch."))


def _none_or_dtype(input: _C.Tensor | None) -> _C.dtype | None:
    if input is None:
        return None
    if isinstance(input, _C.Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(
    mask: _C.Tensor | None,
    mask_name: str,
    other_type: _C.dtype | None,
    other_name: str,
    target_type: _C.dtype,
    check_other: bool = True,
) -> _C.Tensor | None:
    """A boolean mask (True = may not attend) as the additive float mask
    of target_type (-inf where True); a float mask as it is."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != _C.bool and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type "
            "for both instead.",
            stacklevel=3,
        )
    if not is_float:
        mask = _C.zeros(tuple(mask.shape), dtype=target_type).masked_fill(mask, float("-inf"))
    return mask


def _repeat_heads(t: _C.Tensor, repeats: int) -> _C.Tensor:
    """Each head of t (dim -3) repeated `repeats` times in place (repeat_interleave)."""
    shape = tuple(t.shape)
    expanded = t.unsqueeze(-3).expand(shape[:-3] + (shape[-3], repeats) + shape[-2:])
    return expanded.reshape(shape[:-3] + (shape[-3] * repeats,) + shape[-2:])


def scaled_dot_product_attention(
    query: _C.Tensor,
    key: _C.Tensor,
    value: _C.Tensor,
    attn_mask: _C.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> _C.Tensor:
    """softmax(q k^T * scale + mask) v over the last two dims. A boolean
    attn_mask says where attention is allowed, a float one is added to the
    scores; is_causal (instead of a mask) forbids attending to later
    positions. Rows that may attend nowhere give zeros (and zero gradients),
    as PyTorch's do."""
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_short(query.dtype)} key.dtype: {_short(key.dtype)} and value.dtype: "
            f"{_short(value.dtype)} instead."
        )
    if min(query.dim(), key.dim(), value.dim()) < 2:
        # PyTorch's message, double space included.
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} "
            "instead."
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    if enable_gqa and query.dim() >= 3 and key.size(-3) != query.size(-3):
        if query.size(-3) % key.size(-3):
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in query"
            )
        key = _repeat_heads(key, query.size(-3) // key.size(-3))
        value = _repeat_heads(value, query.size(-3) // value.size(-3))
    length, source = query.size(-2), key.size(-2)
    scores = query.matmul(key.transpose(-2, -1))
    if query.size(-1) > 0:
        # Empty heads score 0 whatever the scale (PyTorch scales q and k
        # before the product, so 1/sqrt(0) never multiplies a score).
        scores = scores * (1.0 / math.sqrt(query.size(-1)) if scale is None else scale)
    bias = None
    if attn_mask is not None:
        if attn_mask.dtype == _C.bool:
            bias = _C.zeros(tuple(attn_mask.shape), dtype=query.dtype).masked_fill(
                attn_mask.logical_not(), float("-inf")
            )
        else:
            bias = attn_mask
    if is_causal:
        bias = _C.triu(_C.full((length, source), float("-inf"), dtype=query.dtype), 1)
    if bias is None:
        weights = _C.softmax(scores, -1)
    else:
        # Rows with nowhere to attend: softmax over zeros, then zeroed, so
        # that neither the output nor the gradient turns into NaN.
        blocked = (bias == float("-inf")).all(-1, keepdim=True)
        # Under vmap, blocked stands for a whole batch and steers no
        # branch: the zeroing path serves every row there (it leaves rows
        # that may attend as they are).
        if type(blocked) is not _C.Tensor or bool(blocked.any()):
            bias = _C.where(blocked, _C.zeros_like(bias), bias)
            weights = _C.softmax(scores + bias, -1)
            weights = _C.where(blocked, _C.zeros_like(weights), weights)
        else:
            weights = _C.softmax(scores + bias, -1)
    if dropout_p > 0.0:
        weights = _C.dropout(weights, dropout_p, True)
    return weights.matmul(value)


def _in_projection_packed(
    q: _C.Tensor, k: _C.Tensor, v: _C.Tensor, w: _C.Tensor, b: _C.Tensor | None
) -> tuple[_C.Tensor, _C.Tensor, _C.Tensor]:
    """q, k, v projected by the three stacked (E, E) blocks of w: one matmul
    for self-attention, two when key is value (encoder-decoder), else three."""
    embed = q.size(-1)
    if k is v:
        if q is k:
            proj = _nn.linear(q, w, b)
            proj = proj.reshape(tuple(proj.shape[:-1]) + (3, embed))
            parts = proj.unbind(-2)
            return parts[0], parts[1], parts[2]
        w_q, w_kv = w.split_with_sizes([embed, 2 * embed], 0)
        b_q, b_kv = b.split_with_sizes([embed, 2 * embed], 0) if b is not None else (None, None)
        kv = _nn.linear(k, w_kv, b_kv).chunk(2, -1)
        return _nn.linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3, 0)
    b_q, b_k, b_v = b.chunk(3, 0) if b is not None else (None, None, None)
    return _nn.linear(q, w_q, b_q), _nn.linear(k, w_k, b_k), _nn.linear(v, w_v, b_v)


def _check_mha_shapes(
    query: _C.Tensor,
    key: _C.Tensor,
    value: _C.Tensor,
    key_padding_mask: _C.Tensor | None,
    attn_mask: _C.Tensor | None,
    num_heads: int,
) -> bool:
    """Whether the input is batched, with PyTorch's shape checks."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                f"found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.dim()}-D tensor instead"
            )
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{key.dim()}-D and {value.dim()}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                    f"but found {attn_mask.dim()}-D tensor instead"
                )
            if attn_mask.dim() == 3:
                expected = (num_heads, query.size(0), key.size(0))
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(
                        f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}"
                    )
        return False
    raise AssertionError(
        f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
        "tensor"
    )


def multi_head_attention_forward(
    query: _C.Tensor,
    key: _C.Tensor,
    value: _C.Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: _C.Tensor | None,
    in_proj_bias: _C.Tensor | None,
    bias_k: _C.Tensor | None,
    bias_v: _C.Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: _C.Tensor,
    out_proj_bias: _C.Tensor | None,
    training: bool = True,
    key_padding_mask: _C.Tensor | None = None,
    need_weights: bool = True,
    attn_mask: _C.Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: _C.Tensor | None = None,
    k_proj_weight: _C.Tensor | None = None,
    v_proj_weight: _C.Tensor | None = None,
    static_k: _C.Tensor | None = None,
    static_v: _C.Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[_C.Tensor, _C.Tensor | None]:
    """Multi-head attention of (L, N, E) queries over (S, N, E) keys and
    values (unbatched: (L, E), (S, E)): in-projection, per-head scaled dot
    products with the masks, out-projection. Returns the output and, when
    need_weights, the attention weights (averaged over heads by default)."""
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.size(0)
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)  # fmt: skip
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
            "method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        # The mask is only the causal hint's stand-in: attention masks causally itself.
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                f"{tuple(value.shape[:2])}"
            )
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but a projection weight is None")
        biases = in_proj_bias.chunk(3, 0) if in_proj_bias is not None else (None, None, None)
        q = _nn.linear(query, q_proj_weight, biases[0])
        k = _nn.linear(key, k_proj_weight, biases[1])
        v = _nn.linear(value, v_proj_weight, biases[2])
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                    f"{(bsz * num_heads, tgt_len, src_len)}."
                )
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        k = _C.cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = _C.cat([v, bias_v.expand(1, bsz, embed_dim)])
        if attn_mask is not None:
            attn_mask = _C.constant_pad_nd(attn_mask, (0, 1), 0.0)
        if key_padding_mask is not None:
            key_padding_mask = _C.constant_pad_nd(key_padding_mask, (0, 1), 0.0)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be given or both be None")
    # (L, N, E) -> (N * heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.size(0), bsz * num_heads, head_dim).transpose(0, 1)
    else:
        k = static_k
    if static_v is None:
        v = v.reshape(v.size(0), bsz * num_heads, head_dim).transpose(0, 1)
    else:
        v = static_v
    if add_zero_attn:
        zeros = _C.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k = _C.cat([k, zeros], 1)
        v = _C.cat([v, zeros], 1)
        if attn_mask is not None:
            attn_mask = _C.constant_pad_nd(attn_mask, (0, 1), 0.0)
        if key_padding_mask is not None:
            key_padding_mask = _C.constant_pad_nd(key_padding_mask, (0, 1), 0.0)
    src_len = k.size(1)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                f"{key_padding_mask.shape}"
            )
        padding = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
        padding = padding.reshape(bsz * num_heads, 1, src_len)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        scores = q_scaled.bmm(k.transpose(-2, -1))
        if attn_mask is not None:
            scores = attn_mask + scores
        weights = _C.softmax(scores, -1)
        if dropout_p > 0.0:
            weights = _C.dropout(weights, dropout_p, True)
        out = weights.bmm(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = _nn.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = _nn.linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not batched:
        out = out.squeeze(1)
    return out, None
