"""One row per differentiable op. Each row's `fn` takes the library module
first, so the same lambda runs on autograd_cpp and on the PyTorch oracle.

Fields:
  name      a label for test ids
  fn        fn(lib, *tensors) -> tensor
  shapes    input shape tuples to try (several to cover broadcasting)
  domain    "real", "positive" (log, sqrt, ...) or "nonzero"
  grad_fn   the node name PyTorch gives the output (None: not checked)
  second    whether second derivatives are checked
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class OpInfo:
    name: str
    fn: object
    shapes: list
    domain: str = "real"
    grad_fn: str | None = None
    second: bool = True
    smooth: bool = True  # finite differences are unreliable at kinks
    extra: dict = field(default_factory=dict)


BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3))]

OPS = [
    OpInfo("add", lambda m, a, b: a + b, BROADCAST_PAIRS, grad_fn="AddBackward0"),
    OpInfo(
        "add_alpha",
        lambda m, a, b: m.add(a, b, alpha=2.5),
        BROADCAST_PAIRS[:2],
        grad_fn="AddBackward0",
    ),
    OpInfo("add_scalar", lambda m, a: a + 2, [((3, 4),)], grad_fn="AddBackward0"),
    OpInfo("radd_scalar", lambda m, a: 2.5 + a, [((3,),)], grad_fn="AddBackward0"),
    OpInfo("sub", lambda m, a, b: a - b, BROADCAST_PAIRS, grad_fn="SubBackward0"),
    OpInfo(
        "sub_alpha",
        lambda m, a, b: m.sub(a, b, alpha=-3),
        BROADCAST_PAIRS[:2],
        grad_fn="SubBackward0",
    ),
    OpInfo("rsub_scalar", lambda m, a: 2 - a, [((3, 4),)], grad_fn="RsubBackward1"),
    OpInfo("mul", lambda m, a, b: a * b, BROADCAST_PAIRS, grad_fn="MulBackward0"),
    OpInfo("mul_scalar", lambda m, a: a * 3, [((3, 4),)], grad_fn="MulBackward0"),
    OpInfo("div", lambda m, a, b: a / b, BROADCAST_PAIRS, domain="nonzero", grad_fn="DivBackward0"),
    OpInfo("div_scalar", lambda m, a: a / 4, [((5,),)], grad_fn="DivBackward0"),
    OpInfo("neg", lambda m, a: -a, [((3, 4),)], grad_fn="NegBackward0"),
    OpInfo("pow_scalar", lambda m, a: a**3, [((3, 4),)], grad_fn="PowBackward0"),
    OpInfo("pow_square", lambda m, a: a.pow(2), [((4,),)], grad_fn="PowBackward0"),
    OpInfo("pow_frac", lambda m, a: a**0.5, [((4,),)], domain="positive", grad_fn="PowBackward0"),
    OpInfo(
        "pow_tensor",
        lambda m, a, b: a**b,
        [((3, 4), (3, 4)), ((3, 4), (4,))],
        domain="positive",
        grad_fn="PowBackward1",
    ),
    OpInfo("rpow", lambda m, a: 2.0**a, [((5,),)], grad_fn="PowBackward2"),
    OpInfo("exp", lambda m, a: a.exp(), [((3, 4),)], grad_fn="ExpBackward0"),
    OpInfo("log", lambda m, a: m.log(a), [((3, 4),)], domain="positive", grad_fn="LogBackward0"),
    OpInfo(
        "log1p", lambda m, a: m.log1p(a), [((6,),)], domain="positive", grad_fn="Log1PBackward0"
    ),
    OpInfo("sqrt", lambda m, a: a.sqrt(), [((3, 4),)], domain="positive", grad_fn="SqrtBackward0"),
    OpInfo("sin", lambda m, a: m.sin(a), [((3, 4),)], grad_fn="SinBackward0"),
    OpInfo("cos", lambda m, a: a.cos(), [((3, 4),)], grad_fn="CosBackward0"),
    OpInfo("tanh", lambda m, a: a.tanh(), [((3, 4),)], grad_fn="TanhBackward0"),
    OpInfo("sigmoid", lambda m, a: m.sigmoid(a), [((3, 4),)], grad_fn="SigmoidBackward0"),
    OpInfo("relu", lambda m, a: m.relu(a), [((3, 4),)], grad_fn="ReluBackward0", smooth=False),
    OpInfo("abs", lambda m, a: a.abs(), [((3, 4),)], grad_fn="AbsBackward0", smooth=False),
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
    OpInfo(
        "where",
        lambda m, a, b: m.where(a > 0, a, b),
        [((3, 4), (3, 4)), ((3, 4), (4,))],
        grad_fn="WhereBackward0",
        smooth=False,
    ),
]


def sample_values(shapes, domain, seed, np_dtype=np.float64):
    """Random inputs for an op: uniform in [-2, 2], shifted into the op's
    domain, and kept at least 0.1 away from 0 where kinks (relu, abs) sit, so
    finite differences stay valid."""
    rng = np.random.default_rng(seed)
    values = []
    for shape in shapes:
        v = rng.uniform(-2.0, 2.0, size=shape)
        if domain == "positive":
            v = np.abs(v) + 0.5
        elif domain == "nonzero":
            v = np.sign(v + 1e-3) * (np.abs(v) + 0.5)
        else:
            v = np.where(np.abs(v) < 0.1, v + 0.3, v)
        values.append(np.asarray(v).astype(np_dtype))
    return values
