"""Matrix products, losses and nn.functional ops."""

from op_db import OpInfo

OPS = [
    OpInfo("mm", lambda m, a, b: m.mm(a, b), [((3, 4), (4, 2))], grad_fn="MmBackward0"),
    OpInfo("matmul_2d", lambda m, a, b: a @ b, [((3, 4), (4, 5))], grad_fn="MmBackward0"),
    OpInfo("matmul_vec_mat", lambda m, a, b: m.matmul(a, b), [((4,), (4, 3))]),
    OpInfo(
        "matmul_mat_vec", lambda m, a, b: m.matmul(a, b), [((3, 4), (4,))], grad_fn="MvBackward0"
    ),
    OpInfo("matmul_dot", lambda m, a, b: m.matmul(a, b), [((4,), (4,))], grad_fn="DotBackward0"),
    OpInfo(
        "matmul_batched",
        lambda m, a, b: m.matmul(a, b),
        [((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (3, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,))],
    ),
    OpInfo("matmul_nd_2d", lambda m, a, b: m.matmul(a, b), [((2, 3, 4), (4, 5))]),
    OpInfo("bmm", lambda m, a, b: m.bmm(a, b), [((2, 3, 4), (2, 4, 5))], grad_fn="BmmBackward0"),
    OpInfo("mv", lambda m, a, b: m.mv(a, b), [((3, 4), (4,))], grad_fn="MvBackward0"),
    OpInfo("dot", lambda m, a, b: m.dot(a, b), [((5,), (5,))], grad_fn="DotBackward0"),
    OpInfo(
        "bce_logits",
        lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(x, m.sigmoid(t)),
        [((3, 4), (3, 4))],
        grad_fn="BinaryCrossEntropyWithLogitsBackward0",
    ),
    OpInfo(
        "bce_logits_sum_weighted",
        lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(
            x, m.sigmoid(t), weight=m.linspace(0.5, 2.0, 5, dtype=x.dtype), reduction="sum"
        ),
        [((5,), (5,))],
    ),
    OpInfo(
        "bce_logits_pos_weight",
        lambda m, x, t: m.nn.functional.binary_cross_entropy_with_logits(
            x, m.sigmoid(t), pos_weight=m.tensor([0.5, 2.0, 3.0], dtype=x.dtype), reduction="none"
        ),
        [((2, 3), (2, 3))],
    ),
]
