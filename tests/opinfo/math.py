"""Elementwise arithmetic, unary math, activations."""

from op_db import BROADCAST_PAIRS, OpInfo

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
    OpInfo(
        "where",
        lambda m, a, b: m.where(a > 0, a, b),
        [((3, 4), (3, 4)), ((3, 4), (4,))],
        grad_fn="WhereBackward0",
        smooth=False,
    ),
]
