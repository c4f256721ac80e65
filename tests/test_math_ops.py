"""Elementwise math beyond the op table: integer and bool dtypes, Python
operator semantics, special values, errors, in-place forms, numerically
extreme inputs of the activations, and dropout."""

import math

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

F = ag.nn.functional

INT_VALUES = [7, -7, 6, -6, 0, 1, -1]
INT_DIVISORS = [2, 2, -4, -4, 3, -1, 5]
FLOAT_SPECIAL = [5.5, -5.5, 0.0, -0.0, math.inf, -math.inf, math.nan, 1e-300, 2.5, -2.5]


def same(ours, theirs, rtol=1e-6):
    """Values, dtype and shape equal to torch's (NaN equal to NaN, and the
    sign of zeros and infinities checked)."""
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    a = ours.detach().numpy()
    b = theirs.detach().numpy()
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0, equal_nan=True)
        numbers = ~np.isnan(a)  # a NaN's sign bit carries no meaning
        np.testing.assert_array_equal(np.signbit(a[numbers]), np.signbit(b[numbers]))
    else:
        np.testing.assert_array_equal(a, b)


def both(fn, *values, dtype=None):
    """fn on autograd_cpp tensors and on torch tensors made from `values`."""
    ours = [ag.tensor(v, dtype=getattr(ag, dtype) if dtype else None) for v in values]
    theirs = [torch.tensor(v, dtype=getattr(torch, dtype) if dtype else None) for v in values]
    return fn(ag, *ours), fn(torch, *theirs)


def raises_like_torch(fn, *values):
    """Both libraries raise the same exception type with the same message."""
    with pytest.raises(Exception) as theirs:
        fn(torch, *[torch.tensor(v) for v in values])
    with pytest.raises(type(theirs.value), match=_escape(str(theirs.value).splitlines()[0])):
        fn(ag, *[ag.tensor(v) for v in values])


def _escape(message):
    import re

    return re.escape(message)


# ---- division, floor division, remainder ---------------------------------------


DIV_FNS = {
    "true": lambda m, a, b: m.div(a, b),
    "trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    "floordiv": lambda m, a, b: a // b,
    "floor_divide": lambda m, a, b: m.floor_divide(a, b),
    "mod": lambda m, a, b: a % b,
    "remainder": lambda m, a, b: m.remainder(a, b),
    "true_divide": lambda m, a, b: m.true_divide(a, b),
}


@requires_torch
@pytest.mark.parametrize("name", DIV_FNS)
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32", "float64"])
def test_division_family_matches_torch(name, dtype):
    same(*both(DIV_FNS[name], INT_VALUES, INT_DIVISORS, dtype=dtype))


@requires_torch
@pytest.mark.parametrize("name", DIV_FNS)
def test_division_family_special_floats(name):
    a = FLOAT_SPECIAL * len(FLOAT_SPECIAL)
    b = [v for v in FLOAT_SPECIAL for _ in FLOAT_SPECIAL]
    for dtype in ("float32", "float64"):
        same(*both(DIV_FNS[name], a, b, dtype=dtype))


@requires_torch
@pytest.mark.parametrize("name", ["floordiv", "mod", "trunc", "floor"])
@pytest.mark.parametrize("scalar", [3, -3, 2.5, -0.75, True])
def test_division_family_with_python_numbers(name, scalar):
    fn = DIV_FNS[name]
    for values in ([7, -7, 0, 5], [7.5, -7.5, 0.0, 5.25]):
        same(*both(lambda m, a: fn(m, a, scalar), values))
    if name in ("floordiv", "mod"):
        reflected = (lambda m, a: scalar // a) if name == "floordiv" else (lambda m, a: scalar % a)
        for values in ([7, -7, 3, 5], [7.5, -7.5, 0.5, 5.25]):
            same(*both(reflected, values))


@requires_torch
def test_division_dtype_promotion():
    cases = [
        (lambda m: m.tensor([7, -7]) // 2.5),
        (lambda m: m.tensor([7, -7], dtype=m.int32) // m.tensor(2)),
        (lambda m: m.tensor([7, -7], dtype=m.int32) % m.tensor([2, 3])),
        (lambda m: m.tensor([True, False]) // 2),
        (lambda m: m.div(m.tensor([7, -7]), 2, rounding_mode="floor")),
        (lambda m: m.div(m.tensor([7, -7]), 2)),
        (lambda m: m.remainder(5, m.tensor([3, -3]))),
        (lambda m: m.remainder(5.5, m.tensor([3, -3]))),
        (lambda m: m.tensor([1.5, -2.5], dtype=m.float64) // m.tensor([2.0])),
    ]
    for case in cases:
        same(case(ag), case(torch))


@requires_torch
def test_division_errors_match_torch():
    raises_like_torch(lambda m, a: a // 0, [7, -7])
    raises_like_torch(lambda m, a: a % 0, [7, -7])
    raises_like_torch(lambda m, a, b: a // b, [1, 2], [1, 0])
    raises_like_torch(lambda m, a: m.div(a, 0, rounding_mode="trunc"), [7])
    raises_like_torch(lambda m, a, b: a // b, [True, False], [True, True])
    raises_like_torch(lambda m, a, b: a % b, [True, False], [True, True])
    raises_like_torch(lambda m, a: m.div(a, 2, rounding_mode="bad"), [1.0])


def test_integer_division_edge_cases_do_not_trap():
    big = ag.tensor([-(2**63)], dtype=ag.int64)
    assert (big // -1).tolist() == [-(2**63)]
    assert (big % -1).tolist() == [0]
    assert ag.div(big, -1, rounding_mode="trunc").tolist() == [-(2**63)]


@requires_torch
def test_rounding_division_has_zero_gradient_and_floor_divide_none():
    x = ag.tensor([1.5, -2.5, 3.0], requires_grad=True)
    y = ag.tensor([2.0, 2.0, -2.0], requires_grad=True)
    out = ag.div(x, y, rounding_mode="floor")
    assert out.grad_fn.name() == "DivBackward2"
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0] and y.grad.tolist() == [0.0, 0.0, 0.0]

    for op in (lambda m, a: a // m.tensor([2.0, 2.0, -2.0]), lambda m, a: 3 % a):
        out = op(ag, x)
        assert out.grad_fn.name() == "NotImplemented"
        theirs = op(torch, torch.tensor([1.5, -2.5, 3.0], requires_grad=True))
        with pytest.raises(RuntimeError) as err_theirs:
            theirs.sum().backward()
        with pytest.raises(RuntimeError, match=_escape(str(err_theirs.value))):
            out.sum().backward()


@requires_torch
def test_inplace_division_family():
    for fn in (
        lambda t: t.div_(2, rounding_mode="floor"),
        lambda t: t.floor_divide_(-2),
        lambda t: t.remainder_(3),
    ):
        for values in ([7, -7, 3], [7.5, -7.5, 3.25]):
            a, b = ag.tensor(values), torch.tensor(values)
            assert fn(a) is a
            fn(b)
            same(a, b)
    a, b = ag.tensor([7, -7]), torch.tensor([7, -7])
    a //= 2
    b //= 2
    same(a, b)
    a %= 5
    b %= 5
    same(a, b)
    raises_like_torch(lambda m, a: a.div_(2), [1, 2])


# ---- unary math and rounding ---------------------------------------------------------


UNARY = ["expm1", "log2", "log10", "rsqrt", "reciprocal", "square", "tan", "erf", "exp", "sqrt"]
ROUNDING = ["floor", "ceil", "round", "trunc"]


@requires_torch
@pytest.mark.parametrize("name", UNARY + ROUNDING)
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32", "float64"])
def test_unary_dtypes_match_torch(name, dtype):
    values = [1, 2, 3, 4, 0, 7]
    same(*both(lambda m, a: getattr(m, name)(a), values, dtype=dtype), rtol=2e-6)
    same(*both(lambda m, a: getattr(a, name)(), values, dtype=dtype), rtol=2e-6)


@requires_torch
@pytest.mark.parametrize("name", UNARY + ["square"])
def test_unary_on_bool(name):
    same(*both(lambda m, a: getattr(m, name)(a), [True, False]), rtol=2e-6)


@requires_torch
@pytest.mark.parametrize("name", ROUNDING)
def test_rounding_rejects_bool(name):
    raises_like_torch(lambda m, a: getattr(m, name)(a), [True, False])


@requires_torch
@pytest.mark.parametrize("name", UNARY + ROUNDING)
def test_unary_special_values(name):
    for dtype in ("float32", "float64"):
        same(*both(lambda m, a: getattr(m, name)(a), FLOAT_SPECIAL, dtype=dtype), rtol=2e-6)


@requires_torch
def test_round_half_to_even_and_decimals():
    values = [0.5, 1.5, 2.5, -0.5, -1.5, 1.25, 1.35, 125.0, 135.0, 1e20, -0.0, math.nan]
    for dtype in ("float32", "float64"):
        same(*both(lambda m, a: m.round(a), values, dtype=dtype))
        for decimals in (0, 1, 2, -1, -2):
            same(*both(lambda m, a, d=decimals: m.round(a, decimals=d), values, dtype=dtype))
            same(*both(lambda m, a, d=decimals: a.round(decimals=d), values, dtype=dtype))
    raises_like_torch(lambda m, a: m.round(a, decimals=-1), [15, 25])
    raises_like_torch(lambda m, a: m.round(a, decimals=0), [15, 25])
    with pytest.raises(TypeError):
        ag.tensor([1.25]).round(1)


# ---- clamp ---------------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, a: m.clamp(a, -1, 1),
        lambda m, a: a.clamp(min=0),
        lambda m, a: a.clamp(max=0.5),
        lambda m, a: m.clip(a, 2.5, 3),
        lambda m, a: a.clamp(3, 2),
        lambda m, a: a.clamp(math.nan, 2),
        lambda m, a: m.clamp_min(a, 2.5),
        lambda m, a: a.clamp_max(1),
        lambda m, a: a.clamp(m.tensor(2.5), None),
        lambda m, a: a.clamp(min=m.tensor(0.0), max=1),
        lambda m, a: m.clamp(a, m.tensor([0.0, 1, 2, 3, 4, 5, 6]), m.tensor([1, 1, 1, 1, 1, 1, 1])),
        lambda m, a: a.clamp_min(m.tensor([0, 1, 2, 3, 4, 5, 6], dtype=m.int32)),
        lambda m, a: a.clamp_max(m.tensor(math.nan)),
    ],
)
@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
def test_clamp_values_and_promotion(fn, dtype):
    values = [-3, -1, 0, 1, 2, 3, 5]
    same(*both(fn, values, dtype=dtype))


@requires_torch
def test_clamp_nan_and_bool():
    same(*both(lambda m, a: a.clamp(-1, 1), [math.nan, 2.0, -2.0]))
    same(
        *both(
            lambda m, a, lo, hi: m.clamp(a, lo, hi),
            [1.0, 5, 2],
            [math.nan, 1, 1],
            [2.0, 2, math.nan],
        )
    )
    same(*both(lambda m, a: a.clamp(0, 1), [True, False]))


@requires_torch
def test_clamp_argument_errors():
    raises_like_torch(lambda m, a: a.clamp(), [1.0])
    raises_like_torch(lambda m, a: m.clamp(a, None, None), [1.0])
    with pytest.raises(TypeError):
        ag.clamp(ag.tensor([1.0, 2.0]), ag.tensor([0.0, 0.0]), 1)


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x, lo, hi: m.clamp(x, -1.0, 1.0),
        lambda m, x, lo, hi: x.clamp(min=-1.0),
        lambda m, x, lo, hi: x.clamp(max=1.0),
        lambda m, x, lo, hi: x.clamp_min(1.0),
        lambda m, x, lo, hi: x.clamp_max(-1.0),
        lambda m, x, lo, hi: m.clamp(x, lo, hi),
        lambda m, x, lo, hi: m.clamp(x, hi, lo),
        lambda m, x, lo, hi: x.clamp(min=lo),
        lambda m, x, lo, hi: x.clamp(max=hi),
        lambda m, x, lo, hi: x.clamp_min(lo),
        lambda m, x, lo, hi: x.clamp_max(hi),
    ],
)
def test_clamp_gradient_at_the_bounds(fn):
    """Values exactly at a bound, NaN, and crossed bounds route the gradient
    as PyTorch does."""
    x = [-2.0, -1.0, 0.0, 1.0, 2.0, math.nan, 1.0]
    lo = [-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, 2.0]
    hi = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]

    def grads(m):
        leaves = [m.tensor(v, dtype=m.float64, requires_grad=True) for v in (x, lo, hi)]
        out = fn(m, *leaves)
        out.backward(m.arange(1.0, 8.0, dtype=m.float64))
        return out, [leaf.grad for leaf in leaves]

    (out_a, grads_a), (out_b, grads_b) = grads(ag), grads(torch)
    same(out_a, out_b)
    assert out_a.grad_fn.name() == out_b.grad_fn.name()
    for a, b in zip(grads_a, grads_b):
        assert (a is None) == (b is None)
        if a is not None:
            same(a, b)


# ---- maximum, minimum ------------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_ties_and_nan(name):
    a_vals = [1.0, 2.0, 3.0, math.nan, 5.0, math.nan]
    b_vals = [1.0, 3.0, 2.0, 1.0, math.nan, math.nan]

    def run(m):
        a = m.tensor(a_vals, dtype=m.float64, requires_grad=True)
        b = m.tensor(b_vals, dtype=m.float64, requires_grad=True)
        out = getattr(m, name)(a, b)
        out.backward(m.tensor([1.0, 2, 3, 4, 5, 6], dtype=m.float64))
        return out, a.grad, b.grad

    for x, y in zip(run(ag), run(torch)):
        same(x, y)
    # Ties split the gradient: half to each side.
    assert run(ag)[1].tolist()[0] == 0.5


@requires_torch
def test_maximum_minimum_dtypes_and_errors():
    same(*both(lambda m, a, b: m.maximum(a, b), [1, 5], [2.5, 1.0]))
    same(*both(lambda m, a, b: m.minimum(a, b), [True, False], [False, False]))
    same(*both(lambda m, a, b: m.maximum(a, b), [1, 2], 2.5))
    raises_like_torch(lambda m, a: m.maximum(a, 2), [1, 5])
    raises_like_torch(lambda m, a: a.minimum(2.0), [1.0])


# ---- lerp ----------------------------------------------------------------------------


@requires_torch
def test_lerp_values_and_errors():
    same(*both(lambda m, a, b: m.lerp(a, b, 2), [1.0, 5.0], [2.0, 3.0]))
    same(*both(lambda m, a, b: m.lerp(a, b, True), [1.0, 5.0], [2.0, 3.0]))
    same(*both(lambda m, a, b: m.lerp(a, b, m.tensor(0.5, dtype=m.float64)), [1.0, 5], [2.0, 3]))
    same(*both(lambda m, a, b: m.lerp(a, b, m.tensor([[0.5], [0.25], [1.0]])), [1.0, 5], [2.0, 3]))
    # Exact at both ends, however far apart the end points are.
    same(*both(lambda m, a, b: m.lerp(a, b, 1.0), [1e8, -3.0], [1e-8, 7.0]))
    same(*both(lambda m, a, b: m.lerp(a, b, 0.0), [1e8, -3.0], [1e-8, 7.0]))
    raises_like_torch(lambda m, a, b: m.lerp(a, b, 0.5), [1, 5], [2, 3])
    raises_like_torch(lambda m, a: m.lerp(a, m.tensor([2.0, 3], dtype=m.float64), 0.5), [1.0, 5])
    raises_like_torch(lambda m, a: m.lerp(a, a, m.tensor([1, 2])), [1.0, 2.0])
    raises_like_torch(lambda m, a: a.lerp_(m.tensor([3.0, 4.0]), 0.5), 1.0)


# ---- masked_fill -------------------------------------------------------------------------


@requires_torch
def test_masked_fill_values_dtypes_and_broadcasting():
    same(*both(lambda m, a: a.masked_fill(m.tensor([True, False]), 2.7), [1, 2]))
    same(*both(lambda m, a: a.masked_fill(m.tensor([True, False]), m.tensor(2.7)), [1, 2]))
    same(*both(lambda m, a: a.masked_fill(m.tensor([True, False]), 5), [True, False]))
    same(*both(lambda m, a: a.masked_fill(m.tensor([[True], [False]]), 2.7), [1.0, 2.0]))
    same(*both(lambda m, a: m.masked_fill(a, m.tensor(True), 3), [1.0, 2.0]))
    same(
        *both(
            lambda m, a: a.masked_fill(m.tensor([True, False]), m.tensor(2.7, dtype=m.float64)),
            [1.0, 2.0],
        )
    )
    same(*both(lambda m, a: a.masked_fill(a > 1, -math.inf), [1.0, 2.0, 3.0]))


@requires_torch
def test_masked_fill_errors():
    raises_like_torch(lambda m, a: a.masked_fill(m.tensor([1, 0]), 2.7), [1.0, 2.0])
    raises_like_torch(
        lambda m, a: a.masked_fill(m.tensor([True, False]), m.tensor([2.7])), [1.0, 2.0]
    )
    raises_like_torch(lambda m, a: a.masked_fill_(m.tensor([[True], [False]]), 2.7), [1.0, 2.0])


@requires_torch
def test_masked_fill_gradients():
    def run(m):
        x = m.tensor([1.0, -2.0, 3.0, -4.0], requires_grad=True)
        v = m.tensor(0.5, requires_grad=True)
        out = x.masked_fill(x < 0, v)
        out.backward(m.tensor([1.0, 2.0, 3.0, 4.0]))
        return out, x.grad, v.grad

    for a, b in zip(run(ag), run(torch)):
        same(a, b)


# ---- logical and bitwise ops -------------------------------------------------------------


OPERAND_SETS = {
    "bool": [True, False, True, False],
    "int64": [3, 0, -2, 5],
    "int32": [6, 0, 1, -1],
    "float32": [1.5, 0.0, -2.0, math.nan],
}
PAIRS = [(a, b) for a in OPERAND_SETS for b in OPERAND_SETS]


def _operand(m, key):
    dtype = getattr(m, key)
    return m.tensor(OPERAND_SETS[key], dtype=dtype)


@requires_torch
@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("left,right", PAIRS)
def test_logical_binary(name, left, right):
    ours = getattr(ag, name)(_operand(ag, left), _operand(ag, right))
    theirs = getattr(torch, name)(_operand(torch, left), _operand(torch, right))
    same(ours, theirs)


@requires_torch
@pytest.mark.parametrize(
    "name", ["logical_not", "isnan", "isinf", "isfinite", "bitwise_not", "__invert__"]
)
@pytest.mark.parametrize("key", OPERAND_SETS)
def test_unary_predicates(name, key):
    values = OPERAND_SETS[key] + ([math.inf, -math.inf] if key == "float32" else [])

    def run(m):
        t = m.tensor(values, dtype=getattr(m, key))
        return getattr(t, name)() if name.startswith("__") else getattr(m, name)(t)

    try:
        theirs = run(torch)
    except Exception as err:  # noqa: BLE001 - the error type is compared below
        with pytest.raises(type(err), match=_escape(str(err))):
            run(ag)
        return
    same(run(ag), theirs)


BITWISE = {
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
}


@requires_torch
@pytest.mark.parametrize("op", BITWISE)
@pytest.mark.parametrize("left,right", PAIRS)
def test_bitwise_operators(op, left, right):
    fn = BITWISE[op]

    def run(m):
        return fn(_operand(m, left), _operand(m, right))

    try:
        theirs = run(torch)
    except Exception as err:  # noqa: BLE001
        with pytest.raises(type(err), match=_escape(str(err))):
            run(ag)
        return
    same(run(ag), theirs)


@requires_torch
@pytest.mark.parametrize("op", BITWISE)
@pytest.mark.parametrize("scalar", [1, True, False, 6, 1.5])
@pytest.mark.parametrize("key", ["bool", "int64", "int32"])
def test_bitwise_operators_with_python_numbers(op, scalar, key):
    fn = BITWISE[op]
    for run in (
        lambda m: fn(_operand(m, key), scalar),
        lambda m: fn(scalar, _operand(m, key)),
    ):
        try:
            theirs = run(torch)
        except Exception as err:  # noqa: BLE001
            with pytest.raises(type(err), match=_escape(str(err))):
                run(ag)
            continue
        same(run(ag), theirs)


@requires_torch
def test_bitwise_named_and_inplace():
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        same(*both(lambda m, a, b, n=name: getattr(m, n)(a, b), [12, 10, -1], [10, 6, 3]))
        same(*both(lambda m, a, n=name: getattr(a, n)(3), [12, 10, -1]))
    for op in ("__iand__", "__ior__", "__ixor__"):
        a, b = ag.tensor([12, 10, -1]), torch.tensor([12, 10, -1])
        assert getattr(a, op)(ag.tensor([10, 6, 3])) is a
        getattr(b, op)(torch.tensor([10, 6, 3]))
        same(a, b)
    a, b = ag.tensor([True, False]), torch.tensor([True, False])
    a &= True
    b &= True
    same(a, b)
    a, b = ag.tensor([2, 3]), torch.tensor([2, 3])
    same(a.logical_and_(ag.tensor([0, 3])), b.logical_and_(torch.tensor([0, 3])))
    a, b = ag.tensor([2.0, 0.0]), torch.tensor([2.0, 0.0])
    same(a.logical_not_(), b.logical_not_())
    raises_like_torch(lambda m, a, b: a & b, [1.0], [1.0])
    raises_like_torch(lambda m, a: m.logical_xor(a, 1), [1.5, 0.0])
    raises_like_torch(lambda m, a: ~a, [1.5])


# ---- in-place forms ----------------------------------------------------------------------


INPLACE = {
    "exp_": (lambda t: t.exp_(), "ExpBackward0"),
    "sigmoid_": (lambda t: t.sigmoid_(), "SigmoidBackward0"),
    "tanh_": (lambda t: t.tanh_(), "TanhBackward0"),
    "relu_": (lambda t: t.relu_(), "ReluBackward0"),
    "neg_": (lambda t: t.neg_(), "NegBackward0"),
    "sin_": (lambda t: t.sin_(), "SinBackward0"),
    "pow_": (lambda t: t.pow_(3), "PowBackward0"),
    "square_": (lambda t: t.square_(), "PowBackward0"),
    "clamp_": (lambda t: t.clamp_(-0.5, 0.5), "ClampBackward1"),
    "clip_": (lambda t: t.clip_(max=0.5), "ClampBackward1"),
    "clamp_min_": (lambda t: t.clamp_min_(0.2), "ClampMinBackward0"),
    "clamp_max_": (lambda t: t.clamp_max_(0.2), "ClampMaxBackward0"),
    "masked_fill_": (lambda t: t.masked_fill_(t > 0, 0.0), "MaskedFillBackward0"),
    "floor_": (lambda t: t.floor_(), "FloorBackward0"),
    "round_": (lambda t: t.round_(decimals=1), "RoundBackward1"),
    "reciprocal_": (lambda t: t.reciprocal_(), "ReciprocalBackward0"),
    "abs_": (lambda t: t.abs_(), "AbsBackward0"),
    "erf_": (lambda t: t.erf_(), "ErfBackward0"),
}


@requires_torch
@pytest.mark.parametrize("name", INPLACE)
@pytest.mark.parametrize("through_view", [False, True])
def test_inplace_forms_match_torch(name, through_view):
    """In place on a non-leaf (or a view of one): same values, grad_fn and
    first and second derivatives as PyTorch; the version counter moves."""
    fn, node = INPLACE[name]
    values = [[0.3, -1.2, 0.7], [-0.4, 1.5, -2.0]]

    def run(m):
        x = m.tensor(values, dtype=m.float64, requires_grad=True)
        y = x * 1.0
        target = y[1] if through_view else y
        version = target._version
        result = fn(target)
        assert result is target
        assert target._version > version
        name_ = target.grad_fn.name()
        out = (y * y).sum() if through_view else (y * m.arange(1.0, 7.0).reshape(2, 3)).sum()
        (g,) = m.autograd.grad(out, x, create_graph=True)
        gg = None
        if g.requires_grad:
            (gg,) = m.autograd.grad((g * g).sum(), x, allow_unused=True)
        return y, g, gg, name_

    ya, ga, gga, name_a = run(ag)
    yb, gb, ggb, name_b = run(torch)
    same(ya, yb, rtol=1e-12)
    same(ga, gb, rtol=1e-12)
    if gga is None or ggb is None:
        assert gga is None or np.allclose(gga.numpy(), 0)
        assert ggb is None or np.allclose(ggb.numpy(force=True), 0)
    else:
        np.testing.assert_allclose(gga.numpy(), ggb.numpy(force=True), rtol=1e-10, atol=1e-12)
    if not through_view:
        assert name_a == name_b == node


def test_inplace_keeps_saved_tensors_valid():
    x = ag.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y
    y.exp_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_on_leaf_and_dtype_errors():
    leaf = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        leaf.clamp_(0, 1)
    with ag.no_grad():
        leaf.clamp_(0, 1.5)
    assert leaf.tolist() == [1.0, 1.5]
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        ag.tensor([1, 2]).exp_()
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        ag.tensor([1, 2]).clamp_(0.5, 1.5)
    assert ag.tensor([1, 2]).pow_(2).tolist() == [1, 4]
    assert ag.tensor([-1, 2]).relu_().tolist() == [0, 2]


@requires_torch
def test_inplace_with_tensor_bound_requiring_grad():
    """The bound requires grad but self does not: self takes the node."""

    def run(m):
        lo = m.tensor([0.0, 0.5, 1.0], requires_grad=True)
        x = m.tensor([0.2, 0.2, 2.0])
        x.clamp_(min=lo * 1.0)
        x.sum().backward()
        return x, lo.grad

    for a, b in zip(run(ag), run(torch)):
        same(a, b)


# ---- activations ---------------------------------------------------------------------------


ACTIVATIONS = {
    "relu": lambda m, x: m.nn.functional.relu(x),
    "sigmoid": lambda m, x: m.sigmoid(x),
    "tanh": lambda m, x: m.tanh(x),
    "leaky_relu": lambda m, x: m.nn.functional.leaky_relu(x, 0.1),
    "elu": lambda m, x: m.nn.functional.elu(x, alpha=1.5),
    "gelu": lambda m, x: m.nn.functional.gelu(x),
    "gelu_tanh": lambda m, x: m.nn.functional.gelu(x, approximate="tanh"),
    "silu": lambda m, x: m.nn.functional.silu(x),
    "softplus": lambda m, x: m.nn.functional.softplus(x),
    "softplus_beta": lambda m, x: m.nn.functional.softplus(x, beta=0.5, threshold=10),
    "relu6": lambda m, x: m.nn.functional.relu6(x),
    "hardtanh": lambda m, x: m.nn.functional.hardtanh(x, -2.0, 3.0),
}
EXTREME = [-1000.0, -100.0, -30.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 30.0, 100.0, 1000.0]


@requires_torch
@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activations_finite_at_extremes(name, dtype):
    """Values, gradients and second derivatives stay finite at +-1000 and
    match PyTorch."""
    fn = ACTIVATIONS[name]

    def run(m):
        x = m.tensor(EXTREME, dtype=getattr(m, dtype), requires_grad=True)
        out = fn(m, x)
        (g,) = m.autograd.grad(out.sum(), x, create_graph=True)
        gg = None
        if g.requires_grad:
            (gg,) = m.autograd.grad(g.sum(), x)
        return out, g, gg

    ours, theirs = run(ag), run(torch)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for a, b in zip(ours, theirs):
        if a is None or b is None:
            assert a is None or np.allclose(a.detach().numpy(), 0)
            assert b is None or np.allclose(b.detach().numpy(), 0)
            continue
        assert np.isfinite(a.detach().numpy()).all(), a
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=rtol)


@requires_torch
def test_activation_nan_and_integer_inputs():
    nan = [math.nan, 7.0, -1.0, 0.5]
    for name in ("relu6", "hardtanh", "leaky_relu", "elu", "gelu", "silu", "softplus"):
        same(*both(lambda m, a, n=name: getattr(m.nn.functional, n)(a), nan), rtol=1e-6)
    same(*both(lambda m, a: m.nn.functional.relu6(a), [1, -2, 9]))
    same(*both(lambda m, a: m.nn.functional.hardtanh(a), [1, -2, 9]))
    for name in ("leaky_relu", "elu", "gelu", "silu", "softplus"):
        raises_like_torch(lambda m, a, n=name: getattr(m.nn.functional, n)(a), [1, -2])
    raises_like_torch(lambda m, a: m.nn.functional.hardtanh(a), [True])
    raises_like_torch(lambda m, a: m.nn.functional.relu(a), [True])
    raises_like_torch(lambda m, a: m.nn.functional.gelu(a, approximate="bad"), [1.0])
    raises_like_torch(lambda m, a: m.nn.functional.hardtanh(a, 2.0, 1.0), [1.0])


@requires_torch
@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("relu", {}),
        ("relu6", {}),
        ("leaky_relu", {"negative_slope": 0.2}),
        ("elu", {"alpha": 0.5}),
        ("silu", {}),
        ("hardtanh", {"min_val": -0.5, "max_val": 0.5}),
    ],
)
def test_functional_inplace_flag(name, kwargs):
    def run(m):
        x = m.tensor([-1.0, -0.2, 0.3, 2.0], requires_grad=True)
        y = x * 1.0
        out = getattr(m.nn.functional, name)(y, inplace=True, **kwargs)
        assert out is y
        y.backward(m.tensor([1.0, 2.0, 3.0, 4.0]))
        return y, x.grad

    for a, b in zip(run(ag), run(torch)):
        same(a, b, rtol=1e-6)


def test_functional_exposes_activations():
    for name in (
        "relu",
        "relu6",
        "hardtanh",
        "leaky_relu",
        "elu",
        "gelu",
        "silu",
        "softplus",
        "sigmoid",
        "tanh",
        "dropout",
        "binary_cross_entropy_with_logits",
    ):
        assert callable(getattr(F, name))


# ---- dropout -------------------------------------------------------------------------------


def test_dropout_is_reproducible_under_manual_seed():
    x = ag.ones(1000)
    ag.manual_seed(123)
    a = F.dropout(x, 0.3)
    ag.manual_seed(123)
    b = F.dropout(x, 0.3)
    c = F.dropout(x, 0.3)
    assert a.tolist() == b.tolist()
    assert a.tolist() != c.tolist()


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dropout_mask_statistics(p, dtype):
    n = 200_000
    ag.manual_seed(7)
    x = ag.full((n,), 2.0, dtype=getattr(ag, dtype))
    out = F.dropout(x, p).numpy()
    kept = out != 0
    # Binomial(n, 1 - p): five standard deviations.
    assert abs(kept.mean() - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(out[kept], 2.0 / (1 - p), rtol=1e-6)
    # Kept elements are not clustered: halves agree.
    halves = kept.reshape(2, -1).mean(axis=1)
    assert abs(halves[0] - halves[1]) < 10 * math.sqrt(p * (1 - p) / n)


def test_dropout_gradient_is_the_scaled_mask():
    p = 0.4
    ag.manual_seed(0)
    x = ag.randn(5000, dtype=ag.float64).requires_grad_()
    out = F.dropout(x, p)
    assert out.grad_fn.name() == "MulBackward0"
    out.sum().backward()
    mask = (out.detach().numpy() != 0).astype(np.float64)
    np.testing.assert_allclose(x.grad.numpy(), mask / (1 - p), rtol=1e-15)
    np.testing.assert_allclose(out.detach().numpy(), x.detach().numpy() * mask / (1 - p))


def test_dropout_identity_cases_and_errors():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert ag.dropout(x, 0.5, False) is x
    assert F.dropout(x, 1.0).tolist() == [0.0, 0.0]
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            F.dropout(x, p)
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        F.dropout(ag.tensor([1, 2]), 0.5)


def test_dropout_inplace():
    ag.manual_seed(3)
    x = ag.ones(100, requires_grad=True)
    y = x * 1.0
    out = F.dropout(y, 0.5, inplace=True)
    assert out is y
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_floor_division_bitwise_equal_to_torch_over_many_magnitudes(dtype):
    """The fast path of floor division agrees with PyTorch's fmod-based one
    bit for bit, huge and integral quotients included."""
    rng = np.random.default_rng(11)
    n = 50_000
    a = (rng.standard_normal(n) * 10.0 ** rng.integers(-8, 18, n)).astype(dtype)
    b = (rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)).astype(dtype)
    a[:500] = np.round(a[:500])
    b[:500] = np.round(b[:500]) + 0.5
    for fn in (lambda x, y: x // y, lambda x, y: x % y):
        same(fn(ag.tensor(a), ag.tensor(b)), fn(torch.tensor(a), torch.tensor(b)), rtol=0)


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_erfinv_matches_torch_from_the_centre_to_the_tails(dtype):
    """Over (-1, 1) including values within a few ulps of +-1 (where erf has no
    digits left), at +-1 (infinite), outside (NaN), and for integer inputs."""
    x = np.concatenate([
        np.linspace(-1.0, 1.0, 20001),
        [1 - 2**-53, -1 + 2**-53, 1 - 1e-15, 1 - 1e-12, 0.9999999, 1e-300, -0.0, -1.5, 2.0, np.nan],
    ]).astype(dtype)  # fmt: skip
    ours = ag.tensor(x).erfinv().numpy()
    theirs = torch.tensor(x).erfinv().numpy()
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(ours[~finite], theirs[~finite])
    rtol = 1e-6 if dtype == "float32" else 1e-14
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=rtol, atol=rtol)
    assert np.signbit(ag.tensor([-0.0]).erfinv().item())
    same(ag.tensor([1, 0, -1]).erfinv(), torch.tensor([1, 0, -1]).erfinv())


# erfinv is tested here rather than by an op_db row: a new row shifts the
# seeded draws of tests/test_fuzz.py's whole-table fuzzing.
@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("in_place", [False, True])
def test_erfinv_values_gradients_and_node_match_torch(dtype, layout, in_place):
    x = np.random.default_rng(3).uniform(-0.95, 0.95, (3, 4)).astype(dtype)
    g = np.random.default_rng(4).standard_normal((4, 3) if layout == "transposed" else (3, 4))

    def run(m):
        leaf = m.tensor(x, requires_grad=True)
        a = (leaf * 1).t() if layout == "transposed" else leaf * 1
        out = a.erfinv_() if in_place else m.erfinv(a)
        out.backward(m.tensor(g.astype(dtype)))
        return out, leaf.grad, out.grad_fn.name()

    ours, theirs = run(ag), run(torch)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    same(ours[0], theirs[0], rtol=rtol)
    same(ours[1], theirs[1], rtol=rtol)
    # In place on a view, both regenerate the view's node.
    assert ours[2] == theirs[2]
    if not (in_place and layout == "transposed"):
        assert ours[2] == "ErfinvBackward0"


def test_erfinv_gradcheck_and_forward_mode():
    x = ag.tensor(np.linspace(-0.9, 0.9, 7), dtype=ag.float64, requires_grad=True)
    assert ag.autograd.gradcheck(ag.erfinv, (x,))
    assert ag.autograd.gradgradcheck(ag.erfinv, (x,))
    assert ag.autograd.gradcheck(ag.erfinv, (x,), check_forward_ad=True)
