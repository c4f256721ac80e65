"""Fused and vectorised kernels against PyTorch: float32 transcendental
functions over dense ranges, and the fused backward passes (taken when the
backward is not itself differentiated) against both PyTorch and the
composed formulas used under create_graph."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

DENSE = np.concatenate(
    [
        np.linspace(-12.0, 12.0, 200_001),
        np.linspace(-1e-3, 1e-3, 2001),
        [0.0, -0.0, 1e-30, -1e-30, 0.921875, -0.921875, 5.0, -5.0, 9.99, -9.99],
    ]
).astype(np.float32)


def ulp_error(ours, reference):
    """Error of float32 results in units of the last place of the exact
    (float64) value."""
    ref32 = np.abs(reference).astype(np.float32)
    ulp = np.spacing(ref32).astype(np.float64)
    ulp[ulp == 0] = np.finfo(np.float32).smallest_subnormal
    return np.abs(ours.astype(np.float64) - reference) / ulp


@requires_torch
def test_erf_float32_within_3_ulp():
    x = ag.from_numpy(DENSE)
    exact = torch.erf(torch.from_numpy(DENSE.astype(np.float64))).numpy()
    assert ulp_error(ag.erf(x).numpy(), exact).max() <= 3
    special = ag.tensor([float("nan"), float("inf"), float("-inf"), 20.0, -20.0])
    np.testing.assert_array_equal(ag.erf(special).numpy(), [np.nan, 1.0, -1.0, 1.0, -1.0])


@requires_torch
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_float32_forward_and_backward(approximate):
    x64 = torch.from_numpy(DENSE.astype(np.float64)).requires_grad_()
    y64 = torch.nn.functional.gelu(x64, approximate=approximate)
    (g64,) = torch.autograd.grad(y64.sum(), x64)
    x = ag.from_numpy(DENSE).requires_grad_()
    y = ag.nn.functional.gelu(x, approximate=approximate)
    y.sum().backward()
    assert y.grad_fn.name() == "GeluBackward0"
    # The exact GELU is relative-accurate down to 1e-6 (its left tail comes
    # from erfc, not 1 + erf); the tanh form's 1 + tanh(u) cancels there as
    # PyTorch's does, and the derivatives cross zero, so those are held to an
    # absolute 2e-6 (float32 near 1 is exact to 6e-8).
    forward_floor = 1e-6 if approximate == "none" else 1.0
    for ours, exact, floor in (
        (y.detach().numpy(), y64.detach().numpy(), forward_floor),
        (x.grad.numpy(), g64.numpy(), 1.0),
    ):
        err = np.abs(ours.astype(np.float64) - exact) / np.maximum(np.abs(exact), floor)
        assert err.max() < 2e-6


@requires_torch
@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fused_backward_matches_pytorch_and_composed(name, dtype):
    fns = {
        "gelu": lambda m, t: m.nn.functional.gelu(t),
        "gelu_tanh": lambda m, t: m.nn.functional.gelu(t, approximate="tanh"),
        "silu": lambda m, t: m.nn.functional.silu(t),
    }
    fn = fns[name]
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((64, 48)) * 3).astype(dtype)
    weights = rng.standard_normal((48, 64)).astype(dtype)  # a non-contiguous grad

    def grads(m, create_graph):
        x = m.from_numpy(data.copy()).requires_grad_()
        w = m.from_numpy(weights.copy()).t()
        (g,) = m.autograd.grad((fn(m, x) * w).sum(), x, create_graph=create_graph)
        return g.detach().numpy()

    fused, composed, theirs = grads(ag, False), grads(ag, True), grads(torch, False)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(fused, theirs, rtol=tol, atol=tol)
    np.testing.assert_allclose(fused, composed, rtol=tol, atol=tol)

    # A broadcast (expanded) incoming gradient.
    def expanded(m):
        x = m.from_numpy(data.copy()).requires_grad_()
        fn(m, x).sum().backward()
        return x.grad.numpy()

    np.testing.assert_allclose(expanded(ag), expanded(torch), rtol=tol, atol=tol)


def grads_three_ways(fn, arrays, dtype):
    """Gradients of sum(fn(...) * w) w.r.t. every input: ours fused (plain
    backward), ours composed (create_graph) and PyTorch's."""
    rng = np.random.default_rng(1)
    out_shape = fn(torch, *[torch.from_numpy(a.astype(dtype)) for a in arrays]).shape
    w = rng.standard_normal(tuple(out_shape)).astype(dtype)

    def run(m, create_graph):
        inputs = [m.from_numpy(a.astype(dtype).copy()).requires_grad_() for a in arrays]
        out = fn(m, *inputs)
        gs = m.autograd.grad(
            (out * m.from_numpy(w.copy())).sum(), inputs, create_graph=create_graph
        )
        return [g.detach().numpy() for g in gs]

    return run(ag, False), run(ag, True), run(torch, False)


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", ["both", "weight", "none"])
@pytest.mark.parametrize(
    "shape,normalized", [((6, 7, 33), (33,)), ((5, 4, 6), (4, 6)), ((300, 64), (64,))]
)
def test_layer_norm_fused_backward(dtype, affine, shape, normalized):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape) * 2 + 0.5
    arrays = [x]
    if affine in ("both", "weight"):
        arrays.append(rng.standard_normal(normalized))
    if affine == "both":
        arrays.append(rng.standard_normal(normalized))

    def fn(m, x, *wb):
        weight = wb[0] if wb else None
        bias = wb[1] if len(wb) > 1 else None
        return m.nn.functional.layer_norm(x, normalized, weight, bias)

    fused, composed, theirs = grads_three_ways(fn, arrays, dtype)
    tol = 2e-5 if dtype == "float32" else 1e-10
    for a, b, c in zip(fused, composed, theirs):
        np.testing.assert_allclose(a, c, rtol=tol, atol=tol)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@requires_torch
def test_layer_norm_fused_backward_non_contiguous_input():
    rng = np.random.default_rng(3)
    data = rng.standard_normal((16, 24)).astype(np.float32)

    def run(m):
        x = m.from_numpy(data.copy()).requires_grad_()
        ln = m.nn.LayerNorm(16)
        with m.no_grad():
            ln.weight.copy_(m.linspace(0.5, 1.5, 16))
            ln.bias.copy_(m.linspace(-1, 1, 16))
        (ln(x.t()) ** 2).sum().backward()
        return x.grad.numpy(), ln.weight.grad.numpy(), ln.bias.grad.numpy()

    for a, b in zip(run(ag), run(torch)):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dim", [-1, 1, 0])
def test_softmax_fused_backward(dtype, log, dim):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 7, 9)) * 3

    def fn(m, x):
        f = m.log_softmax if log else m.softmax
        return f(x, dim)

    fused, composed, theirs = grads_three_ways(fn, [x], dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(fused[0], theirs[0], rtol=tol, atol=tol)
    np.testing.assert_allclose(fused[0], composed[0], rtol=tol, atol=tol)


@requires_torch
def test_cross_entropy_backward_through_fused_log_softmax():
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((64, 65)).astype(np.float32)
    target = rng.integers(0, 65, 64)

    def run(m):
        x = m.from_numpy(logits.copy()).requires_grad_()
        m.nn.functional.cross_entropy(x, m.from_numpy(target)).backward()
        return x.grad.numpy()

    np.testing.assert_allclose(run(ag), run(torch), rtol=1e-5, atol=1e-7)


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "kw",
    [
        dict(padding=1),
        dict(stride=2, padding=0),
        dict(padding=2, dilation=2, groups=2),
        dict(padding=1, bias=False),
    ],
)
def test_conv2d_fused_backward(dtype, kw):
    kw = dict(kw)
    has_bias = kw.pop("bias", True)
    groups = kw.get("groups", 1)
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((5, 4, 9, 8)), rng.standard_normal((6, 4 // groups, 3, 3))]
    if has_bias:
        arrays.append(rng.standard_normal(6))

    def fn(m, x, w, *b):
        return m.nn.functional.conv2d(x, w, b[0] if b else None, **kw)

    fused, composed, theirs = grads_three_ways(fn, arrays, dtype)
    tol = 5e-5 if dtype == "float32" else 1e-10
    for a, b, c in zip(fused, composed, theirs):
        np.testing.assert_allclose(a, c, rtol=tol, atol=tol)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@requires_torch
def test_conv1d_fused_backward_and_thread_independence():
    rng = np.random.default_rng(7)
    arrays = [
        rng.standard_normal((3, 2, 20)),
        rng.standard_normal((4, 2, 5)),
        rng.standard_normal(4),
    ]

    def fn(m, x, w, b):
        return m.nn.functional.conv1d(x, w, b, padding=2)

    fused, _, theirs = grads_three_ways(fn, arrays, "float64")
    for a, c in zip(fused, theirs):
        np.testing.assert_allclose(a, c, rtol=1e-10, atol=1e-10)
    # The weight gradient sums fixed blocks of samples: bitwise the same on
    # one thread and on several.
    x = rng.standard_normal((33, 8, 12, 12)).astype(np.float32)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)

    def weight_grad():
        wt = ag.from_numpy(w.copy()).requires_grad_()
        ag.nn.functional.conv2d(ag.from_numpy(x.copy()), wt, padding=1).square().sum().backward()
        return wt.grad.numpy()

    threads = ag.get_num_threads()
    try:
        ag.set_num_threads(1)
        one = weight_grad()
        ag.set_num_threads(3)
        several = weight_grad()
    finally:
        ag.set_num_threads(threads)
    np.testing.assert_array_equal(one, several)


@requires_torch
def test_max_pool_2x2_matches_pytorch_with_ties_and_nan():
    rng = np.random.default_rng(8)
    data = rng.integers(0, 3, (2, 3, 8, 10)).astype(np.float32)  # many ties
    data[0, 0, 2, 3] = np.nan
    data[1, 2, 5, 5] = -np.inf

    def run(m):
        x = m.from_numpy(data.copy()).requires_grad_()
        out, idx = m.nn.functional.max_pool2d(x, 2, return_indices=True)
        out.backward(m.ones_like(out))
        return out.detach().numpy(), idx.numpy(), x.grad.numpy()

    for a, b in zip(run(ag), run(torch)):
        np.testing.assert_array_equal(a, b)


@requires_torch
def test_relu_fused_backward_matches_threshold_backward():
    x = np.array([-2.0, -0.0, 0.0, 1e-30, 3.0, np.nan, 5.0], dtype=np.float32)
    g = np.array([1.0, np.inf, np.nan, 2.0, np.nan, 4.0, -1.0], dtype=np.float32)

    def run(m):
        t = m.from_numpy(x.copy()).requires_grad_()
        m.relu(t).backward(m.from_numpy(g.copy()))
        return t.grad.numpy()

    np.testing.assert_array_equal(run(ag), run(torch))
