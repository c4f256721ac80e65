"""Shape, view, indexing and copy ops."""

from op_db import OpInfo

OPS = [
    OpInfo("view", lambda m, a: a.view(4, 3) * 1, [((3, 4),)]),
    OpInfo("view_grad_fn", lambda m, a: a.view(-1), [((3, 4),)], grad_fn="ViewBackward0"),
    OpInfo("reshape", lambda m, a: a.reshape(2, -1), [((3, 4),)], grad_fn="ViewBackward0"),
    OpInfo(
        "reshape_noncontig",
        lambda m, a: a.t().reshape(12),
        [((3, 4),)],
        grad_fn="UnsafeViewBackward0",
    ),
    OpInfo(
        "transpose", lambda m, a: a.transpose(0, 2), [((2, 3, 4),)], grad_fn="TransposeBackward0"
    ),
    OpInfo("t", lambda m, a: a.t(), [((3, 4),)], grad_fn="TBackward0"),
    OpInfo("T", lambda m, a: a.T, [((3, 4),)]),
    OpInfo("permute", lambda m, a: a.permute(2, 0, 1), [((2, 3, 4),)], grad_fn="PermuteBackward0"),
    OpInfo("squeeze", lambda m, a: a.squeeze(), [((3, 1, 4, 1),)], grad_fn="SqueezeBackward0"),
    OpInfo("squeeze_dim", lambda m, a: a.squeeze(1), [((3, 1, 4),)], grad_fn="SqueezeBackward1"),
    OpInfo("unsqueeze", lambda m, a: a.unsqueeze(-1), [((3, 4),)], grad_fn="UnsqueezeBackward0"),
    OpInfo("expand", lambda m, a: a.expand(2, 3, 4), [((3, 1),)], grad_fn="ExpandBackward0"),
    OpInfo("flatten", lambda m, a: a.flatten(), [((2, 3, 4),)], grad_fn="ViewBackward0"),
    OpInfo("flatten_range", lambda m, a: a.flatten(1, 2), [((2, 3, 4),)], grad_fn="ViewBackward0"),
    OpInfo("select", lambda m, a: a[1], [((3, 4),)], grad_fn="SelectBackward0"),
    OpInfo("index_neg", lambda m, a: a[-1, 2], [((3, 4),)], grad_fn="SelectBackward0"),
    OpInfo("slice_step", lambda m, a: a[:, 1::2], [((3, 5),)], grad_fn="SliceBackward0"),
    OpInfo("index_mixed", lambda m, a: a[None, 1:, ..., 0], [((3, 2, 4),)]),
    OpInfo("contiguous", lambda m, a: a.t().contiguous(), [((3, 4),)], grad_fn="CloneBackward0"),
    OpInfo("clone", lambda m, a: a.clone(), [((3, 4),)], grad_fn="CloneBackward0"),
    OpInfo("to_double", lambda m, a: a.to(m.float64) * 2, [((3,),)]),
]


def _setitem(x, index, value):
    """x[index] = value on a copy of x, so the leaf stays untouched."""
    y = x * 1
    y[index] = value
    return y


def _pieces_weighted(pieces):
    """Every piece of a split reaches the output, each with its own weight."""
    return sum((p * (i + 1)).sum() for i, p in enumerate(pieces))


def _embedding_masked(m, indices, weight, padding_idx):
    """The padding row gets no gradient by definition; zeroing its output
    rows makes that the true derivative, so finite differences agree."""
    out = m.nn.functional.embedding(indices, weight, padding_idx=padding_idx)
    return out * (indices != padding_idx).unsqueeze(-1)


def _idx(m, *rows):
    return m.tensor(list(rows))


OPS += [
    # ---- joining and splitting
    OpInfo("cat", lambda m, a, b: m.cat([a, b]), [((2, 3), (4, 3))], grad_fn="CatBackward0"),
    OpInfo(
        "cat_neg_dim",
        lambda m, a, b: m.cat((a, b, a), dim=-1),
        [((3, 2), (3, 1)), ((2, 1, 2), (2, 1, 3))],
        grad_fn="CatBackward0",
    ),
    OpInfo("cat_empty_piece", lambda m, a: m.cat([a, a[:0], a * 2]), [((2, 3),)]),
    OpInfo("cat_legacy_empty", lambda m, a: m.cat([a, a.reshape(-1)[:0], a]), [((2, 3),)]),
    OpInfo("concat", lambda m, a, b: m.concat([a, b], 1), [((2, 3), (2, 2))]),
    OpInfo("stack", lambda m, a, b: m.stack([a, b]), [((2, 3), (2, 3))], grad_fn="StackBackward0"),
    OpInfo("stack_last", lambda m, a, b: m.stack((a, b, a), -1), [((3,), (3,)), ((2, 3), (2, 3))]),
    OpInfo("split", lambda m, a: a.split(2)[1], [((5, 3),)], grad_fn="SplitBackward0"),
    OpInfo("split_all", lambda m, a: _pieces_weighted(a.split(2, dim=1)), [((3, 5),)]),
    OpInfo(
        "split_sizes",
        lambda m, a: m.split(a, [1, 3], dim=1)[1],
        [((2, 4),)],
        grad_fn="SplitWithSizesBackward0",
    ),
    OpInfo("split_sizes_all", lambda m, a: _pieces_weighted(a.split([2, 0, 1])), [((3, 2),)]),
    OpInfo("chunk", lambda m, a: a.chunk(3)[2], [((5, 2),)], grad_fn="SplitBackward0"),
    OpInfo("chunk_all", lambda m, a: _pieces_weighted(m.chunk(a, 2, -1)), [((2, 3),)]),
    OpInfo("unbind", lambda m, a: a.unbind(1)[2], [((2, 3),)], grad_fn="UnbindBackward0"),
    OpInfo("unbind_all", lambda m, a: m.stack(m.unbind(a)[::-1]), [((3, 2),), ((4,),)]),
    OpInfo("narrow", lambda m, a: a.narrow(1, 1, 2), [((3, 4),)], grad_fn="SliceBackward0"),
    OpInfo("narrow_neg", lambda m, a: m.narrow(a, 0, -2, 2), [((3, 4),)]),
    OpInfo("narrow_empty", lambda m, a: a.narrow(0, 1, 0), [((3, 4),)]),
    OpInfo("movedim", lambda m, a: a.movedim(0, 2), [((2, 3, 4),)], grad_fn="PermuteBackward0"),
    OpInfo("moveaxis", lambda m, a: m.moveaxis(a, (0, 1), (2, 0)), [((2, 3, 4),)]),
    OpInfo("swapaxes", lambda m, a: a.swapaxes(0, -1), [((2, 3, 4),)]),
    # ---- copies along the shape
    OpInfo("flip", lambda m, a: a.flip(0, 2), [((2, 3, 4),)], grad_fn="FlipBackward0"),
    OpInfo("flip_fn", lambda m, a: m.flip(a, (-1,)), [((3, 4),), ((5,),), ((),)]),
    OpInfo("repeat", lambda m, a: a.repeat(2, 1, 3), [((2, 3),)], grad_fn="RepeatBackward0"),
    OpInfo("repeat_scalar", lambda m, a: a.repeat(3), [((),), ((2,),)]),
    OpInfo("repeat_zero", lambda m, a: a.repeat(0, 2), [((2, 3),)]),
    OpInfo("tile", lambda m, a: a.tile(2), [((2, 3),)], grad_fn="RepeatBackward0"),
    OpInfo("tile_more", lambda m, a: m.tile(a, (2, 1, 2)), [((2, 3),)]),
    OpInfo("roll", lambda m, a: a.roll(1), [((3, 4),)], grad_fn="RollBackward0"),
    OpInfo("roll_dims", lambda m, a: m.roll(a, (1, -5), (0, 1)), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("tril", lambda m, a: a.tril(), [((3, 4),)], grad_fn="TrilBackward0"),
    OpInfo("tril_neg", lambda m, a: m.tril(a, -1), [((4, 3),), ((2, 3, 3),)]),
    OpInfo("triu", lambda m, a: a.triu(1), [((3, 4),)], grad_fn="TriuBackward0"),
    OpInfo("triu_batched", lambda m, a: m.triu(a, diagonal=-1), [((2, 3, 4),)]),
    # ---- gather, scatter, index_select
    OpInfo(
        "gather",
        lambda m, a: a.gather(1, _idx(m, [0, 2], [1, 1], [3, 0])),
        [((3, 4),)],
        grad_fn="GatherBackward0",
    ),
    OpInfo("gather_dim0", lambda m, a: m.gather(a, 0, _idx(m, [2, 0, 1, 2])), [((3, 4),)]),
    OpInfo(
        "scatter_add",
        lambda m, a, b: a.scatter_add(1, _idx(m, [0, 1], [4, 4], [1, 2]), b),
        [((3, 5), (3, 2))],
        grad_fn="ScatterAddBackward0",
    ),
    OpInfo(
        "scatter_add_inplace",
        lambda m, a, b: (a * 1).scatter_add_(0, _idx(m, [0, 1, 0], [2, 2, 0]), b),
        [((3, 3), (2, 3))],
        grad_fn="ScatterAddBackward0",
    ),
    OpInfo(
        "scatter_src",
        lambda m, a, b: m.scatter(a, 1, _idx(m, [0, 3], [4, 1], [2, 0]), b),
        [((3, 5), (3, 2))],
        grad_fn="ScatterBackward0",
    ),
    OpInfo(
        "scatter_value",
        lambda m, a: a.scatter(0, _idx(m, [1, 0, 2]), 2.5),
        [((3, 3),)],
        grad_fn="ScatterBackward1",
    ),
    OpInfo(
        "scatter_inplace",
        lambda m, a, b: (a * 1).scatter_(-1, _idx(m, [1], [0]), b),
        [((2, 3), (2, 1))],
    ),
    *[
        OpInfo(
            f"scatter_reduce_{reduce}{'' if include_self else '_exclude_self'}",
            lambda m, a, b, reduce=reduce, include_self=include_self: a.scatter_reduce(
                1, _idx(m, [0, 1, 0], [4, 4, 2], [1, 3, 1]), b, reduce, include_self=include_self
            ),
            [((3, 5), (3, 3))],
            grad_fn="ScatterReduceBackward0",
        )
        for reduce in ("sum", "prod", "mean", "amax", "amin")
        for include_self in (True, False)
    ],
    OpInfo(
        "scatter_reduce_inplace",
        lambda m, a, b: (a * 1).scatter_reduce_(0, _idx(m, [0, 1, 0], [2, 2, 0]), b, "prod"),
        [((3, 3), (2, 3))],
        grad_fn="ScatterReduceBackward0",
    ),
    OpInfo(
        "scatter_reduce_function",
        lambda m, a, b: m.scatter_reduce(a, -1, _idx(m, [2, 2], [0, 1]), b, reduce="mean"),
        [((2, 3), (2, 2))],
    ),
    OpInfo(
        "index_select",
        lambda m, a: a.index_select(1, m.tensor([3, 0, 0])),
        [((3, 4),)],
        grad_fn="IndexSelectBackward0",
    ),
    OpInfo(
        "index_select_dim0", lambda m, a: m.index_select(a, 0, m.tensor([1, 1])), [((2, 3, 2),)]
    ),
    OpInfo(
        "index_select_empty",
        lambda m, a: a.index_select(0, m.tensor([], dtype=m.int64)),
        [((3, 2),)],
    ),
    # ---- advanced indexing: getitem
    OpInfo("getitem_list", lambda m, a: a[[0, 2]], [((3, 4),)], grad_fn="IndexBackward0"),
    OpInfo("getitem_dup", lambda m, a: a[[2, 0, 2]], [((3,),), ((3, 2),)]),
    OpInfo("getitem_tensor2d", lambda m, a: a[_idx(m, [0, 1], [2, 0])], [((3, 4),)]),
    OpInfo("getitem_after_slice", lambda m, a: a[1:, [0, 0, 3]], [((3, 4),)]),
    OpInfo("getitem_adjacent", lambda m, a: a[:, [0, 1], [2, 0]], [((2, 3, 4),)]),
    OpInfo("getitem_separated", lambda m, a: a[[0, 1], :, [1, -1]], [((2, 3, 4),)]),
    OpInfo("getitem_int_and_list", lambda m, a: a[:, 1, [2, 0]], [((2, 3, 4),)]),
    OpInfo("getitem_mask", lambda m, a: a[a > 0], [((3, 4),)], grad_fn="IndexBackward0"),
    OpInfo("getitem_mask_rows", lambda m, a: a[m.tensor([True, False, True])], [((3, 4),)]),
    OpInfo("getitem_mask_mid", lambda m, a: a[:, a[0] > 0], [((3, 4),)]),
    OpInfo("getitem_bool", lambda m, a: a[True], [((3,),)]),
    OpInfo("getitem_none_list", lambda m, a: a[None, ..., [1, 0]], [((2, 3),)]),
    OpInfo("getitem_empty_list", lambda m, a: a[m.tensor([], dtype=m.int64)], [((3, 2),)]),
    # ---- advanced indexing: setitem and index_put
    OpInfo(
        "setitem_list",
        lambda m, a, b: _setitem(a, [0, 2], b),
        [((3, 4), (2, 4)), ((3, 4), (4,))],
        grad_fn="IndexPutBackward0",
    ),
    OpInfo("setitem_number", lambda m, a: _setitem(a, ([0, 2], [1, 3]), 2.0), [((3, 4),)]),
    OpInfo(
        "setitem_after_slice",
        lambda m, a, b: _setitem(a, (slice(1, None), [0, 3]), b),
        [((3, 4), (2, 2))],
        grad_fn="CopySlices",
    ),
    OpInfo(
        "setitem_mask",
        lambda m, a: _setitem(a, a > 0, 0.0),
        [((3, 4),)],
        grad_fn="IndexPutBackward0",
    ),
    OpInfo(
        "setitem_mask_values",
        lambda m, a, b: _setitem(a, m.tensor([True, False, True]), b),
        [((3, 2), (2,))],
    ),
    OpInfo("setitem_basic", lambda m, a, b: _setitem(a, (1, slice(None, 2)), b), [((3, 4), (2,))]),
    OpInfo(
        "index_put_accumulate",
        lambda m, a, b: m.index_put(a, (m.tensor([0, 0, 2]),), b, accumulate=True),
        [((3, 2), (3, 2)), ((3, 2), (2,))],
        grad_fn="IndexPutBackward0",
    ),
    OpInfo(
        "index_put_inplace",
        lambda m, a, b: (a * 1).index_put_((m.tensor([1, 0]), m.tensor([2, 2])), b),
        [((2, 3), (2,))],
    ),
    # ---- embedding and padding
    OpInfo(
        "embedding",
        lambda m, w: m.nn.functional.embedding(_idx(m, [0, 2], [4, 2]), w),
        [((5, 3),)],
        grad_fn="EmbeddingBackward0",
    ),
    OpInfo(
        "embedding_padding_idx",
        lambda m, w: _embedding_masked(m, m.tensor([0, 2, 4, 2, 1]), w, 2),
        [((5, 3),)],
    ),
    OpInfo(
        "pad_constant",
        lambda m, a: m.nn.functional.pad(a, (1, 2)),
        [((3, 4),)],
        grad_fn="ConstantPadNdBackward0",
    ),
    OpInfo(
        "pad_constant_crop",
        lambda m, a: m.nn.functional.pad(a, (1, -1, -2, 0, 0, 1), value=1.5),
        [((2, 3, 4),)],
    ),
    OpInfo("constant_pad_nd", lambda m, a: m.constant_pad_nd(a, (0, 0, 2, 1)), [((2, 3),)]),
    OpInfo(
        "pad_reflect_1d",
        lambda m, a: m.nn.functional.pad(a, (2, 1), mode="reflect"),
        [((2, 3, 4),)],
        grad_fn="ReflectionPad1DBackward0",
    ),
    OpInfo(
        "pad_reflect_2d",
        lambda m, a: m.nn.functional.pad(a, (1, 2, 2, -1), mode="reflect"),
        [((2, 3, 4),)],
        grad_fn="ReflectionPad2DBackward0",
    ),
    OpInfo(
        "pad_reflect_3d",
        lambda m, a: m.nn.functional.pad(a, (1, 1, 0, 2, 1, 0), mode="reflect"),
        [((2, 2, 3, 3),)],
        grad_fn="ReflectionPad3DBackward0",
    ),
    OpInfo(
        "pad_replicate_1d",
        lambda m, a: m.nn.functional.pad(a, (3, 1), mode="replicate"),
        [((3, 2),)],
        grad_fn="ReplicationPad1DBackward0",
    ),
    OpInfo(
        "pad_replicate_2d",
        lambda m, a: m.nn.functional.pad(a, (2, 0, 1, 3), mode="replicate"),
        [((1, 2, 3, 2),)],
        grad_fn="ReplicationPad2DBackward0",
    ),
    OpInfo(
        "pad_replicate_3d",
        lambda m, a: m.nn.functional.pad(a, (1, 0, 0, 1, 2, 1), mode="replicate"),
        [((2, 2, 2, 3),)],
        grad_fn="ReplicationPad3DBackward0",
    ),
]
