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
