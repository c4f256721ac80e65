"""Reductions."""

from op_db import OpInfo

OPS = [
    OpInfo("sum", lambda m, a: a.sum(), [((3, 4),), ((),)], grad_fn="SumBackward0"),
    OpInfo("sum_dim", lambda m, a: a.sum(1), [((3, 4),)], grad_fn="SumBackward1"),
    OpInfo(
        "sum_dims_keepdim",
        lambda m, a: a.sum((0, 2), keepdim=True),
        [((2, 3, 4),)],
        grad_fn="SumBackward1",
    ),
    OpInfo("sum_neg_dim", lambda m, a: m.sum(a, -1), [((2, 3, 4),)], grad_fn="SumBackward1"),
    OpInfo("mean", lambda m, a: a.mean(), [((3, 4),)], grad_fn="MeanBackward0"),
    OpInfo("mean_dim", lambda m, a: a.mean(0, keepdim=True), [((3, 4),)], grad_fn="MeanBackward1"),
    OpInfo("mean_dims", lambda m, a: m.mean(a, (0, 1)), [((2, 3, 4),)], grad_fn="MeanBackward1"),
    OpInfo("norm", lambda m, a: a.norm(), [((3, 4),)], grad_fn="LinalgVectorNormBackward0"),
    OpInfo(
        "norm_dim", lambda m, a: a.norm(dim=1), [((3, 4),)], grad_fn="LinalgVectorNormBackward0"
    ),
    OpInfo(
        "norm_p1",
        lambda m, a: a.norm(p=1),
        [((5,),)],
        grad_fn="LinalgVectorNormBackward0",
        second=False,
        smooth=False,
    ),
    OpInfo(
        "norm_p3",
        lambda m, a: a.norm(p=3, dim=0, keepdim=True),
        [((4, 2),)],
        grad_fn="LinalgVectorNormBackward0",
    ),
]
