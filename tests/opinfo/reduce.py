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
    OpInfo("prod", lambda m, a: a.prod(), [((3, 4),), ((),), ((0,),)], grad_fn="ProdBackward0"),
    OpInfo("prod_dim", lambda m, a: a.prod(1), [((3, 4),), ((2, 0),)], grad_fn="ProdBackward1"),
    OpInfo(
        "prod_keepdim",
        lambda m, a: m.prod(a, 0, keepdim=True),
        [((3, 4),)],
        grad_fn="ProdBackward1",
    ),
    OpInfo("max", lambda m, a: a.max(), [((3, 4),)], grad_fn="MaxBackward1"),
    OpInfo("min", lambda m, a: m.min(a), [((3, 4),)], grad_fn="MinBackward1"),
    OpInfo("max_dim", lambda m, a: a.max(1)[0], [((3, 4),), ((0, 3),)], grad_fn="MaxBackward0"),
    OpInfo(
        "min_dim_keepdim",
        lambda m, a: m.min(a, 0, keepdim=True).values,
        [((3, 4),)],
        grad_fn="MinBackward0",
    ),
    OpInfo("amax", lambda m, a: a.amax(1), [((3, 4),)], grad_fn="AmaxBackward0"),
    OpInfo(
        "amin_dims",
        lambda m, a: m.amin(a, (0, 2), keepdim=True),
        [((2, 3, 4),)],
        grad_fn="AminBackward0",
    ),
    OpInfo("var", lambda m, a: a.var(), [((3, 4),)], grad_fn="VarBackward0"),
    OpInfo("var_dim", lambda m, a: a.var(1, keepdim=True), [((3, 4),)], grad_fn="VarBackward0"),
    OpInfo(
        "var_correction0",
        lambda m, a: m.var(a, (0, 1), correction=0),
        [((2, 3, 4),)],
        grad_fn="VarBackward0",
    ),
    OpInfo("std", lambda m, a: a.std(), [((3, 4),)], grad_fn="StdBackward0"),
    OpInfo("std_dim", lambda m, a: a.std(0, correction=0), [((3, 4),)], grad_fn="StdBackward0"),
    OpInfo(
        "norm_inf",
        lambda m, a: a.norm(p=float("inf")),
        [((3, 4),)],
        grad_fn="LinalgVectorNormBackward0",
        smooth=False,
    ),
    OpInfo(
        "norm_neg_inf",
        lambda m, a: a.norm(p=float("-inf"), dim=1),
        [((3, 4),)],
        grad_fn="LinalgVectorNormBackward0",
        smooth=False,
    ),
    OpInfo(
        "norm_fro", lambda m, a: a.norm(p="fro"), [((3, 4),)], grad_fn="LinalgVectorNormBackward0"
    ),
    OpInfo(
        "norm_dims",
        lambda m, a: a.norm(dim=(0, 1)),
        [((2, 3, 4),)],
        grad_fn="LinalgVectorNormBackward0",
    ),
    OpInfo(
        "logsumexp",
        lambda m, a: a.logsumexp(1),
        [((3, 4),), ((0, 3),)],
        grad_fn="LogsumexpBackward0",
    ),
    OpInfo(
        "logsumexp_dims",
        lambda m, a: m.logsumexp(a, (0, 1), keepdim=True),
        [((2, 3, 4),)],
        grad_fn="LogsumexpBackward0",
    ),
    OpInfo(
        "cumsum",
        lambda m, a: a.cumsum(-1),
        [((3, 4),), ((5,),), ((0, 2),)],
        grad_fn="CumsumBackward0",
    ),
    OpInfo(
        "cumsum_neg_dim", lambda m, a: m.cumsum(a, -3), [((2, 3, 4),)], grad_fn="CumsumBackward0"
    ),
]
