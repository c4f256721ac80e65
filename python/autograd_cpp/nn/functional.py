"""Functional forms of layers, activations and losses."""

from .. import _C

relu = _C.relu
sigmoid = _C.sigmoid
tanh = _C.tanh
binary_cross_entropy_with_logits = _C.binary_cross_entropy_with_logits


def one_hot(tensor, num_classes=-1):
    """Int64 one-hot encodings of ``tensor``, shape ``(*tensor.shape, C)``."""
    return _C.one_hot(tensor, num_classes)


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Rows of ``weight`` picked by the integer ``input``; the row at
    ``padding_idx`` gets no gradient. With ``max_norm``, the picked rows of
    ``weight`` are first rescaled in place to norms of at most ``max_norm``."""
    num = weight.size(0)
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            padding_idx += num
    else:
        padding_idx = -1
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return _C.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def _embedding_renorm_(weight, input, max_norm, norm_type):
    # As torch.embedding_renorm_: rows whose norm exceeds max_norm are scaled
    # to it (with PyTorch's 1e-7 guard), outside the graph.
    from .. import no_grad, tensor, where

    rows = sorted(set(input.reshape(-1).tolist()))
    if not rows:
        return
    with no_grad():
        index = tensor(rows)
        picked = weight[index]
        norms = picked.norm(p=norm_type, dim=1, keepdim=True)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[index] = picked * scale


def pad(input, pad, mode="constant", value=None):
    """Pads the last ``len(pad) // 2`` dims: ``pad = (left, right, top,
    bottom, ...)`` starting from the last dim. ``mode`` is ``"constant"``
    (any number of dims), ``"reflect"`` or ``"replicate"`` (1 to 3 dims)."""
    if mode == "constant":
        return _C.constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode == "reflect":
        return _C._reflection_pad(input, pad)
    if mode == "replicate":
        return _C._replication_pad(input, pad)
    if mode == "circular":
        raise NotImplementedError('Padding mode "circular" is not supported')
    raise NotImplementedError(f"Unrecognised padding mode {mode}")
