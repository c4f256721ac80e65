"""Elementwise arithmetic, unary math, rounding, clamp, activations."""

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
    # ---- rounding division, remainder ---------------------------------------
    OpInfo(
        "div_trunc",
        lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
        BROADCAST_PAIRS[:3],
        domain="nonzero",
        grad_fn="DivBackward2",
        second=False,
    ),
    OpInfo(
        "div_floor",
        lambda m, a, b: m.div(a * 3, b, rounding_mode="floor"),
        BROADCAST_PAIRS[:3],
        domain="nonzero",
        grad_fn="DivBackward2",
        second=False,
    ),
    OpInfo(
        "div_floor_scalar",
        lambda m, a: a.div(0.7, rounding_mode="floor"),
        [((3, 4),)],
        grad_fn="DivBackward2",
        second=False,
    ),
    OpInfo("true_divide", lambda m, a, b: m.true_divide(a, b), [((3, 4), (4,))], domain="nonzero"),
    OpInfo(
        "remainder",
        lambda m, a, b: m.remainder(a * 3, b),
        BROADCAST_PAIRS[:3],
        domain="nonzero",
        grad_fn="RemainderBackward1",
    ),
    OpInfo("mod_operator", lambda m, a, b: (a * 3) % b, [((3, 4), (4,))], domain="nonzero"),
    OpInfo("mod_scalar", lambda m, a: a % 0.75, [((3, 4),)], grad_fn="RemainderBackward0"),
    OpInfo("mod_neg_scalar", lambda m, a: a % -0.75, [((5,),)], grad_fn="RemainderBackward0"),
    # ---- unary math --------------------------------------------------------
    OpInfo("expm1", lambda m, a: m.expm1(a), [((3, 4),)], grad_fn="Expm1Backward0"),
    OpInfo("log2", lambda m, a: a.log2(), [((3, 4),)], domain="positive", grad_fn="Log2Backward0"),
    OpInfo(
        "log10", lambda m, a: a.log10(), [((3, 4),)], domain="positive", grad_fn="Log10Backward0"
    ),
    OpInfo(
        "rsqrt", lambda m, a: m.rsqrt(a), [((3, 4),)], domain="positive", grad_fn="RsqrtBackward0"
    ),
    OpInfo(
        "reciprocal",
        lambda m, a: a.reciprocal(),
        [((3, 4),)],
        domain="nonzero",
        grad_fn="ReciprocalBackward0",
    ),
    OpInfo("square", lambda m, a: m.square(a), [((3, 4),)], grad_fn="PowBackward0"),
    OpInfo("tan", lambda m, a: m.tan(a * 0.7), [((3, 4),)]),
    OpInfo("tan_grad_fn", lambda m, a: a.tan(), [((3, 4),)], grad_fn="TanBackward0", second=False),
    OpInfo("erf", lambda m, a: m.erf(a), [((3, 4),)], grad_fn="ErfBackward0"),
    OpInfo("floor", lambda m, a: m.floor(a * 3), [((3, 4),)], second=False),
    OpInfo(
        "floor_grad_fn", lambda m, a: a.floor(), [((3, 4),)], grad_fn="FloorBackward0", second=False
    ),
    OpInfo("ceil", lambda m, a: a.ceil(), [((3, 4),)], grad_fn="CeilBackward0", second=False),
    OpInfo("trunc", lambda m, a: m.trunc(a), [((3, 4),)], grad_fn="TruncBackward0", second=False),
    OpInfo("round", lambda m, a: m.round(a * 3), [((3, 4),)], second=False),
    OpInfo(
        "round_grad_fn", lambda m, a: a.round(), [((3, 4),)], grad_fn="RoundBackward0", second=False
    ),
    OpInfo(
        "round_decimals",
        lambda m, a: m.round(a * 10, decimals=1),
        [((3, 4),)],
        grad_fn="RoundBackward1",
        second=False,
    ),
    OpInfo(
        "round_neg_decimals", lambda m, a: (a * 300).round(decimals=-1), [((3, 4),)], second=False
    ),
    # ---- clamp, maximum/minimum, lerp, masked_fill ---------------------------
    OpInfo("clamp", lambda m, a: m.clamp(a, -1, 1), [((3, 4),)], grad_fn="ClampBackward1"),
    OpInfo("clamp_min_only", lambda m, a: a.clamp(min=0.5), [((3, 4),)], grad_fn="ClampBackward1"),
    OpInfo("clamp_max_only", lambda m, a: a.clamp(max=0.5), [((3, 4),)], grad_fn="ClampBackward1"),
    OpInfo("clip", lambda m, a: m.clip(a, -0.5, 1.5), [((3, 4),)], grad_fn="ClampBackward1"),
    OpInfo("clamp_inverted", lambda m, a: a.clamp(1, -1), [((3, 4),)], grad_fn="ClampBackward1"),
    OpInfo(
        "clamp_tensor",
        lambda m, a, lo, hi: m.clamp(a, lo - 1, hi + 1),
        [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((2, 3, 4), (3, 1), ())],
        grad_fn="ClampBackward0",
    ),
    OpInfo(
        "clamp_tensor_crossed",
        lambda m, a, lo, hi: m.clamp(a, lo, hi),
        [((3, 4), (3, 4), (3, 4))],
        grad_fn="ClampBackward0",
    ),
    OpInfo(
        "clamp_tensor_min",
        lambda m, a, b: a.clamp(min=b),
        [((3, 4), (4,))],
        grad_fn="ClampBackward0",
    ),
    OpInfo(
        "clamp_tensor_max",
        lambda m, a, b: m.clamp(a, max=b),
        [((3, 4), (3, 1))],
        grad_fn="ClampBackward0",
    ),
    OpInfo("clamp_min", lambda m, a: m.clamp_min(a, 0.3), [((3, 4),)], grad_fn="ClampMinBackward0"),
    OpInfo("clamp_max", lambda m, a: a.clamp_max(-0.3), [((3, 4),)], grad_fn="ClampMaxBackward0"),
    OpInfo(
        "clamp_min_tensor",
        lambda m, a, b: a.clamp_min(b),
        BROADCAST_PAIRS,
        grad_fn="ClampMinBackward1",
    ),
    OpInfo(
        "clamp_max_tensor",
        lambda m, a, b: m.clamp_max(a, b),
        BROADCAST_PAIRS,
        grad_fn="ClampMaxBackward1",
    ),
    OpInfo("maximum", lambda m, a, b: m.maximum(a, b), BROADCAST_PAIRS, grad_fn="MaximumBackward0"),
    OpInfo("minimum", lambda m, a, b: a.minimum(b), BROADCAST_PAIRS, grad_fn="MinimumBackward0"),
    OpInfo(
        "logaddexp",
        lambda m, a, b: m.logaddexp(a, b),
        BROADCAST_PAIRS,
        grad_fn="LogaddexpBackward0",
    ),
    OpInfo(
        "logaddexp2",
        lambda m, a, b: a.logaddexp2(b),
        BROADCAST_PAIRS,
        grad_fn="Logaddexp2Backward0",
    ),
    OpInfo("hypot", lambda m, a, b: m.hypot(a, b), BROADCAST_PAIRS, grad_fn="HypotBackward0"),
    OpInfo(
        "lerp_scalar",
        lambda m, a, b: m.lerp(a, b, 0.3),
        [((3, 4), (3, 4)), ((3, 4), (4,)), ((), (2, 3))],
        grad_fn="LerpBackward0",
    ),
    OpInfo("lerp_scalar_big", lambda m, a, b: a.lerp(b, 0.8), [((3, 4), (3, 4))]),
    OpInfo(
        "lerp_tensor",
        lambda m, a, b, w: m.lerp(a, b, w),
        [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((4,), (4,), ())],
        grad_fn="LerpBackward1",
    ),
    OpInfo(
        "masked_fill",
        lambda m, a: a.masked_fill(a > 0.5, 2.5),
        [((3, 4),)],
        grad_fn="MaskedFillBackward0",
    ),
    OpInfo(
        "masked_fill_broadcast_mask",
        lambda m, a, b: m.masked_fill(a, b > 0, -1.0),
        [((3, 4), (4,)), ((4,), (3, 4))],
    ),
    OpInfo(
        "masked_fill_tensor",
        lambda m, a, v: a.masked_fill(a < 0, v.sum()),
        [((3, 4), (2,))],
        grad_fn="MaskedFillBackward1",
    ),
    # ---- activations -------------------------------------------------------
    OpInfo(
        "leaky_relu",
        lambda m, a: m.nn.functional.leaky_relu(a),
        [((3, 4),)],
        grad_fn="LeakyReluBackward0",
    ),
    OpInfo("leaky_relu_slope", lambda m, a: m.nn.functional.leaky_relu(a, 0.2), [((3, 4),)]),
    OpInfo("elu", lambda m, a: m.nn.functional.elu(a), [((3, 4),)], grad_fn="EluBackward0"),
    OpInfo("elu_alpha", lambda m, a: m.nn.functional.elu(a, alpha=0.5), [((3, 4),)]),
    OpInfo("gelu", lambda m, a: m.nn.functional.gelu(a), [((3, 4),)], grad_fn="GeluBackward0"),
    OpInfo(
        "gelu_tanh",
        lambda m, a: m.nn.functional.gelu(a, approximate="tanh"),
        [((3, 4),)],
        grad_fn="GeluBackward0",
    ),
    OpInfo("silu", lambda m, a: m.nn.functional.silu(a), [((3, 4),)], grad_fn="SiluBackward0"),
    OpInfo(
        "softplus",
        lambda m, a: m.nn.functional.softplus(a),
        [((3, 4),)],
        grad_fn="SoftplusBackward0",
    ),
    OpInfo(
        "softplus_beta_threshold",
        lambda m, a: m.nn.functional.softplus(a * 4, beta=2.0, threshold=5.0),
        [((3, 4),)],
    ),
    OpInfo(
        "hardtanh",
        lambda m, a: m.nn.functional.hardtanh(a),
        [((3, 4),)],
        grad_fn="HardtanhBackward0",
    ),
    OpInfo(
        "hardtanh_bounds",
        lambda m, a: m.nn.functional.hardtanh(a, -0.5, 1.5),
        [((3, 4),)],
    ),
    OpInfo(
        "relu6", lambda m, a: m.nn.functional.relu6(a * 5), [((3, 4),)], grad_fn="HardtanhBackward0"
    ),
    OpInfo("functional_relu", lambda m, a: m.nn.functional.relu(a), [((3, 4),)]),
    OpInfo("functional_sigmoid", lambda m, a: m.nn.functional.sigmoid(a), [((3, 4),)]),
    OpInfo("functional_tanh", lambda m, a: m.nn.functional.tanh(a), [((3, 4),)]),
]
