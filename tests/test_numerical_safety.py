"""Numerical safety: the functions that overflow when written naively
(log_softmax, cross_entropy, softplus, logsumexp, BCE with logits, sigmoid,
tanh) give PyTorch's values and gradients at extreme inputs, in float32 and
float64. Where PyTorch's result is finite ours must be finite and close to
it; where it is inf or NaN ours must be the same inf or NaN. Also the IEEE
special cases users meet first: log(0), 0/0, x/0, log of a negative."""

import math

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

INF = math.inf
# Rows mixing huge, tiny and infinite logits: the shapes that break a naive
# exp-then-log.
ROWS = [
    [1e4, -1e4, 0.0, 3.0],
    [-1e4, -1e4, -1e4 + 1.0, -1e4 - 1.0],
    [88.0, 89.0, 709.0, 710.0],
    [-88.0, -104.0, -745.0, -746.0],
    [3e38, -3e38, 1.0, 0.0],
    [-INF, 0.0, 1.0, 2.0],
    [-INF, -INF, -INF, 5.0],
    [1e-30, -1e-30, 0.0, -0.0],
]
POINTS = sorted({v for row in ROWS for v in row if math.isfinite(v)}) + [-INF, INF]


def _bce_targets(m, x):
    # Fixed targets in [0, 1], one per logit, the same for both libraries.
    t = [(i % 5) / 4.0 for i in range(x.numel())]
    return m.tensor(t, dtype=x.dtype).reshape(x.shape)


ROW_FUNCTIONS = {
    "log_softmax": lambda m, x: m.log_softmax(x, dim=1),
    "softmax": lambda m, x: m.softmax(x, dim=1),
    "logsumexp": lambda m, x: m.logsumexp(x, dim=1),
    "cross_entropy": lambda m, x: m.nn.functional.cross_entropy(
        x, m.tensor([i % x.shape[1] for i in range(x.shape[0])]), reduction="none"
    ),
    "cross_entropy_smoothed": lambda m, x: m.nn.functional.cross_entropy(
        x,
        m.tensor([(i + 1) % x.shape[1] for i in range(x.shape[0])]),
        reduction="none",
        label_smoothing=0.2,
    ),
}
POINT_FUNCTIONS = {
    "sigmoid": lambda m, x: m.sigmoid(x),
    "tanh": lambda m, x: m.tanh(x),
    "softplus": lambda m, x: m.nn.functional.softplus(x),
    "softplus_beta": lambda m, x: m.nn.functional.softplus(x, beta=3.0, threshold=5.0),
    "logsigmoid": lambda m, x: m.nn.functional.logsigmoid(x),
    "bce_with_logits": lambda m, x: m.nn.functional.binary_cross_entropy_with_logits(
        x, _bce_targets(m, x), reduction="none"
    ),
    "bce_with_logits_pos_weight": lambda m, x: m.nn.functional.binary_cross_entropy_with_logits(
        x, _bce_targets(m, x), reduction="none", pos_weight=m.tensor(2.5, dtype=x.dtype)
    ),
    "exp": lambda m, x: m.exp(x),
    "log1p_exp": lambda m, x: m.log1p(m.exp(x)),
}


def _value_and_grad(m, fn, data, dtype):
    x = m.tensor(data, dtype=getattr(m, dtype), requires_grad=True)
    out = fn(m, x)
    # A weighted sum, so every output's gradient path is exercised with its
    # own weight rather than only their sum.
    weights = m.arange(1, out.numel() + 1, dtype=out.dtype).reshape(out.shape) / out.numel()
    (grad,) = m.autograd.grad((out * weights).sum(), x)
    return out.detach().numpy().copy(), grad.detach().numpy().copy()


def _assert_matches(ours, theirs, rtol, what):
    """Finite where torch is finite (and close), the same inf/NaN elsewhere."""
    finite = np.isfinite(theirs)
    assert np.isfinite(ours[finite]).all(), f"{what}: non-finite where torch is finite\n{ours}"
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=rtol, atol=rtol, err_msg=what)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{what}: NaNs")
    infinite = np.isinf(theirs)
    np.testing.assert_array_equal(ours[infinite], theirs[infinite], err_msg=f"{what}: infs")


def _tolerance(dtype):
    return 2e-5 if dtype == "float32" else 1e-12


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ROW_FUNCTIONS)
def test_row_functions_at_extreme_logits(name, dtype):
    fn = ROW_FUNCTIONS[name]
    for row in ROWS:
        data = [row, row[::-1]]
        ours = _value_and_grad(ag, fn, data, dtype)
        theirs = _value_and_grad(torch, fn, data, dtype)
        for part, a, b in zip(("value", "grad"), ours, theirs):
            _assert_matches(a, b, _tolerance(dtype), f"{name}({row}) {part} [{dtype}]")


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", POINT_FUNCTIONS)
def test_pointwise_functions_at_extreme_inputs(name, dtype):
    fn = POINT_FUNCTIONS[name]
    ours = _value_and_grad(ag, fn, POINTS, dtype)
    theirs = _value_and_grad(torch, fn, POINTS, dtype)
    for part, a, b in zip(("value", "grad"), ours, theirs):
        _assert_matches(a, b, _tolerance(dtype), f"{name} {part} [{dtype}] at {POINTS}")


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_and_tanh_saturate_exactly(dtype):
    """Far out, the values are exactly the limits and the gradients exactly
    zero, never NaN from inf/inf."""
    x = ag.tensor([-1e4, -800.0, 800.0, 1e4], dtype=getattr(ag, dtype), requires_grad=True)
    s = ag.sigmoid(x)
    t = ag.tanh(x)
    assert s.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert t.tolist() == [-1.0, -1.0, 1.0, 1.0]
    (gs,) = ag.autograd.grad(s.sum(), x)
    (gt,) = ag.autograd.grad(t.sum(), x)
    assert gs.tolist() == [0.0] * 4 and gt.tolist() == [0.0] * 4


IEEE_CASES = {
    "log(0)": lambda m: m.log(m.tensor([0.0, -0.0])),
    "log(negative)": lambda m: m.log(m.tensor([-1.0])),
    "0/0": lambda m: m.tensor([0.0]) / m.tensor([0.0]),
    "x/0": lambda m: m.tensor([1.0, -1.0, 1.0]) / m.tensor([0.0, 0.0, -0.0]),
    "int true div by 0": lambda m: m.tensor([1, 0, -1]) / 0,
    "sqrt(negative)": lambda m: m.sqrt(m.tensor([-1.0, -0.0])),
    "inf - inf": lambda m: m.tensor([INF]) - m.tensor([INF]),
    "0 * inf": lambda m: m.tensor([0.0]) * m.tensor([INF]),
    "exp overflow": lambda m: m.exp(m.tensor([89.0, 710.0, -1e4])),
    "pow(0, -1)": lambda m: m.pow(m.tensor([0.0, -0.0]), -1.0),
    "log2(0), log10(0)": lambda m: m.cat([m.log2(m.tensor([0.0])), m.log10(m.tensor([0.0]))]),
    "reciprocal(0)": lambda m: m.reciprocal(m.tensor([0.0, -0.0])),
    "rsqrt(0)": lambda m: m.rsqrt(m.tensor([0.0])),
    # PyTorch computes these powers with sqrt, rsqrt, square and reciprocal
    # (found by the fuzz test: pow(-inf, 0.5) is inf, sqrt(-inf) NaN).
    "x ** 0.5, -0.5, 2, -1": lambda m: m.stack(
        [m.tensor([-INF, -0.0, 4.0, -1.0, 0.0, 3.0]) ** e for e in (0.5, -0.5, 2, -1.0)]
    ),
}


@requires_torch
@pytest.mark.parametrize("case", IEEE_CASES)
def test_ieee_special_values_as_torch(case):
    fn = IEEE_CASES[case]
    ours, theirs = fn(ag), fn(torch)
    a, b = ours.numpy(), theirs.numpy()
    assert str(ours.dtype) == str(theirs.dtype), case
    np.testing.assert_array_equal(a, b, err_msg=case)  # equal_nan by default
    numbers = ~np.isnan(b)
    np.testing.assert_array_equal(np.signbit(a[numbers]), np.signbit(b[numbers]), err_msg=case)


@requires_torch
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_ignored_targets_lose_nothing_at_infinite_logits(smoothing):
    """An ignored target's loss is +0 even when its row holds -inf (found by
    the fuzz test: -inf * 0 gave NaN)."""

    def run(m):
        x = m.tensor([[-INF, -0.0, -INF]] * 3, requires_grad=True)
        target = m.tensor([0, 1, 2])
        nll = m.nn.functional.nll_loss(x, target, reduction="none", ignore_index=1)
        ce = m.nn.functional.cross_entropy(
            x, target, reduction="none", ignore_index=1, label_smoothing=smoothing
        )
        nll.sum().backward()
        return nll.detach().numpy(), ce.detach().numpy(), x.grad.numpy()

    for a, b in zip(run(ag), run(torch)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_variance_of_equal_large_values_is_exactly_zero(dtype):
    """Found by the fuzz test: centring on the rounded mean of equal values
    like 1e30 left ulp-sized residues (std 1.4e14 instead of 0)."""
    value = 1e30 if dtype == "float64" else 1e20
    x = ag.full((3, 4), value, dtype=getattr(ag, dtype))
    assert x.std(1).tolist() == [0.0] * 3
    assert x.var().item() == 0.0
    assert x[:, ::2].var(0).tolist() == [0.0, 0.0]


@requires_torch
def test_log_at_zero_gradient_is_inf_as_torch():
    """d/dx log(x) at 0 is +inf (1/0), and 0 * that is NaN through a mask:
    the same values PyTorch's backward gives."""

    def run(m):
        x = m.tensor([0.0, 1.0], requires_grad=True)
        m.log(x).sum().backward()
        y = m.tensor([0.0, 4.0], requires_grad=True)
        m.sqrt(y).sum().backward()
        return x.grad.numpy().copy(), y.grad.numpy().copy()

    for a, b in zip(run(ag), run(torch)):
        np.testing.assert_array_equal(a, b)
