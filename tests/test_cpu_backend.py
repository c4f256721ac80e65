"""CPU backend: the baseline and AVX2 kernel builds agree; import stays light.

The AVX2 build is chosen at import when the CPU has it; a subprocess with
AUTOGRAD_CPP_CPU_CAPABILITY=default runs the baseline build of the same
workload so the two can be compared element by element.
"""

import contextlib
import json
import math
import os
import subprocess
import sys

import numpy as np

import autograd_cpp as ag

_WORKLOAD = r"""
import json, sys
import numpy as np
import autograd_cpp as ag

rng = np.random.default_rng(0)
results = {"capability": ag.backends.cpu.get_cpu_capability()}
for dtype in ("float32", "float64"):
    # Odd sizes exercise the vector loops and their scalar tails.
    a = ag.tensor(rng.standard_normal((37, 53)).astype(dtype) * 4)
    b = ag.tensor(rng.uniform(0.5, 2.0, (37, 53)).astype(dtype))
    outs = {
        "exp": a.exp(), "sigmoid": a.sigmoid(), "silu": ag.nn.functional.silu(a),
        "tanh": a.tanh(), "log": b.log(), "sqrt": b.sqrt(), "relu": a.relu(),
        "add": a + b, "mul": a * b, "div": a / b, "pow": b ** 1.7,
        "maximum": ag.maximum(a, b), "where": ag.where(a > 0, a, b),
        "sum_all": a.sum(), "sum_rows": a.sum(1), "sum_cols": a.sum(0),
        "amax": a.amax(1), "prod": b.prod(0), "cumsum": a.cumsum(1),
        "softmax_last": a.softmax(1), "softmax_first": a.softmax(0),
        "log_softmax": a.log_softmax(1), "argmax": a.argmax(1),
        "gelu": ag.nn.functional.gelu(a), "gelu_central": ag.nn.functional.gelu(a * 0.1),
    }
    # The LSTM layer's kernels (a product with a packed weight, the fused
    # cells) also have an AVX-512 build; 37 rows and 45 columns leave
    # partial register tiles.
    ag.manual_seed(0)
    lstm = ag.nn.LSTM(11, 45, dtype=getattr(ag, dtype))
    x = ag.tensor(rng.standard_normal((6, 37, 11)).astype(dtype), requires_grad=True)
    out, (h, c) = lstm(x)
    (out.sum() + c.sum()).backward()
    outs.update({"lstm_out": out, "lstm_c": c, "lstm_dx": x.grad,
                 "lstm_dw_hh": lstm.weight_hh_l0.grad})
    for name, t in outs.items():
        results[f"{dtype}/{name}"] = t.detach().double().tolist()
json.dump(results, sys.stdout)
"""


def _run(capability: str | None) -> dict:
    env = dict(os.environ)
    env.pop("AUTOGRAD_CPP_CPU_CAPABILITY", None)
    if capability is not None:
        env["AUTOGRAD_CPP_CPU_CAPABILITY"] = capability
    out = subprocess.run(
        [sys.executable, "-c", _WORKLOAD], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_capability_names_the_build_in_use():
    assert ag.backends.cpu.get_cpu_capability() in ("AVX512", "AVX2", "DEFAULT")


def test_baseline_and_dispatched_kernels_agree():
    # Each build pinned in turn, then the one chosen for this CPU: every
    # pair agrees (on an older CPU a pinned build falls back to a narrower
    # one, and the comparison still holds).
    baseline = _run("default")
    assert baseline.pop("capability") == "DEFAULT"
    for capability in ("avx2", None):
        chosen = _run(capability)
        assert chosen.pop("capability") in ("AVX512", "AVX2", "DEFAULT")
        assert baseline.keys() == chosen.keys()
        for key in baseline:
            # FMA contraction and the order of a product's sums move the
            # last bits; nothing more.
            rtol = 2e-6 if key.startswith("float32") else 1e-13
            np.testing.assert_allclose(
                chosen[key], baseline[key], rtol=rtol, atol=rtol, err_msg=f"{capability}: {key}"
            )


def test_float32_exp_is_accurate_over_its_whole_range():
    # From underflow through overflow, including the exact edges.
    x64 = np.concatenate(
        [np.linspace(-104.0, 89.0, 200_003), [-np.inf, np.inf, 0.0, -0.0, 88.72, -87.33]]
    )
    x32 = x64.astype(np.float32)
    got = ag.tensor(x32).exp().numpy()
    want = np.exp(x32.astype(np.float64))
    with np.errstate(over="ignore"):
        want32 = want.astype(np.float32)
    finite = np.isfinite(want32) & (want32 != 0)
    ulp = np.spacing(want[finite].astype(np.float32)).astype(np.float64)
    err = np.abs(got[finite].astype(np.float64) - want[finite]) / ulp
    assert err.max() <= 1.0, f"max error {err.max():.3f} ulp at x={x32[finite][err.argmax()]}"
    # Overflow, underflow and the special values behave like numpy's float32 exp.
    with np.errstate(over="ignore", under="ignore"):
        ref32 = np.exp(x32)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(ref32))
    assert got[x32 == -np.inf][0] == 0.0
    assert np.isnan(ag.tensor([np.nan], dtype=ag.float32).exp().numpy()[0])


def test_import_does_not_load_numpy():
    # numpy is only needed once arrays are exchanged or tensors printed; a
    # bare import stays light.
    code = "import sys, autograd_cpp; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_float32_tanh_is_accurate_and_keeps_signs():
    x32 = np.concatenate(
        [np.linspace(-50.0, 50.0, 200_001), [0.5499, 0.55, 0.5501, 1e-30, -1e-30]]
    ).astype(np.float32)
    got = ag.tensor(x32).tanh().numpy().astype(np.float64)
    want = np.tanh(x32.astype(np.float64))
    nonzero = want != 0
    ulp = np.spacing(np.abs(want[nonzero]).astype(np.float32)).astype(np.float64)
    assert (np.abs(got[nonzero] - want[nonzero]) / ulp).max() <= 2.0
    special = ag.tensor([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=ag.float32).tanh().numpy()
    assert np.signbit(special[:2]).tolist() == [False, True]
    assert special[2:4].tolist() == [1.0, -1.0]
    assert np.isnan(special[4])


def _gelu_reference(x32):
    """x Phi(x) and its derivative in float64, Phi from erfc (no cancellation
    in the left tail)."""
    x = x32.astype(np.float64)
    cdf = 0.5 * np.vectorize(math.erfc)(-x / math.sqrt(2.0))
    return x * cdf, cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def test_float32_gelu_is_accurate_in_both_of_its_paths():
    # Runs of 32 inputs that all lie within |x| < 2.5 take a polynomial;
    # any other run takes the erfc formula. Sorted, nearly every run is one
    # or the other; shuffled, central values also go through the tails' path.
    x32 = np.linspace(-12.0, 12.0, 300_001).astype(np.float32)
    for order in ("sorted", "shuffled"):
        xs = x32.copy()
        if order == "shuffled":
            np.random.default_rng(0).shuffle(xs)
        t = ag.tensor(xs, requires_grad=True)
        y = ag.nn.functional.gelu(t)
        y.sum().backward()
        want, want_grad = _gelu_reference(xs)
        got = y.detach().numpy().astype(np.float64)
        normal = np.abs(want) > 1e-37
        rel = np.abs(got[normal] - want[normal]) / np.abs(want[normal])
        central = np.abs(xs[normal]) < 2.5
        assert rel[central].max() < 1.2e-6, order  # about 10 ulp
        assert rel[~central].max() < 3e-5, order  # the rounding of x^2 far out
        grad_err = np.abs(t.grad.numpy().astype(np.float64) - want_grad)
        assert grad_err.max() < 3e-7, order


def test_float32_gelu_special_values_in_a_central_run():
    # One NaN or infinity sends its whole run down the erfc path; the other
    # values agree with the polynomial's to rounding.
    for special in (np.nan, np.inf, -np.inf):
        xs = np.full(64, 0.75, dtype=np.float32)
        xs[5] = special
        t = ag.tensor(xs, requires_grad=True)
        y = ag.nn.functional.gelu(t)
        y.sum().backward()
        got, grad = y.detach().numpy(), t.grad.numpy()
        want, want_grad = _gelu_reference(np.float32([0.75]))
        np.testing.assert_allclose(np.delete(got, 5), want[0], rtol=2e-6)
        np.testing.assert_allclose(np.delete(grad, 5), want_grad[0], rtol=2e-6)
        # The special value itself comes out as it does alone.
        lone = ag.tensor([special], dtype=ag.float32, requires_grad=True)
        lone_out = ag.nn.functional.gelu(lone)
        lone_out.sum().backward()
        np.testing.assert_array_equal(got[5], lone_out.detach().numpy()[0])
        np.testing.assert_array_equal(grad[5], lone.grad.numpy()[0])


def test_float32_products_agree_with_float64_on_every_tiling():
    # On AVX-512 CPUs these shapes take the packed product (N a multiple of
    # 64, 512 and up, or 32): partial row tiles (M mod 4 = 1, 2, 3, and
    # short tiles of the narrow panel's eight rows), a partial last panel,
    # several depth blocks (K > 256), each operand stored transposed or as
    # a slice of a wider matrix, and a bias (the product accumulates onto
    # it). Elsewhere they check BLAS the same way. One thread runs each
    # product whole; two split it into blocks.
    for threads in (1, 2):
        with _threads(threads):
            _check_products()


@contextlib.contextmanager
def _threads(n):
    before = ag.get_num_threads()
    ag.set_num_threads(n)
    try:
        yield
    finally:
        ag.set_num_threads(before)


def _check_products():
    rng = np.random.default_rng(0)
    cases = [
        (5, 17, 64),
        (6, 300, 128),
        (7, 520, 577),
        (1027, 129, 192),
        (4, 16, 64),
        (33, 1000, 640),
        (13, 64, 32),
        (7, 300, 32),
    ]
    for m, k, n in cases:
        for a_transposed in (False, True):
            for b_transposed in (False, True):
                a64 = rng.standard_normal((m, k))
                b64 = rng.standard_normal((k, n))
                bias64 = rng.standard_normal(n)
                a = ag.tensor(
                    np.ascontiguousarray(a64.T) if a_transposed else a64, dtype=ag.float32
                )
                a = a.t() if a_transposed else a
                # B as a slice of a wider matrix: its row stride exceeds N.
                wide = np.zeros((n + 3, k) if b_transposed else (k, n + 3))
                if b_transposed:
                    wide[:n] = b64.T
                    b = ag.tensor(wide, dtype=ag.float32)[:n].t()
                else:
                    wide[:, :n] = b64
                    b = ag.tensor(wide, dtype=ag.float32)[:, :n]
                bias = ag.tensor(bias64, dtype=ag.float32)
                a32 = a.double().numpy()
                b32 = b.double().numpy()
                want = a32 @ b32
                scale = np.abs(a32) @ np.abs(b32)  # the sums' magnitude
                label = f"{m}x{k}x{n} a_t={a_transposed} b_t={b_transposed}"
                got = (a @ b).double().numpy()
                assert (np.abs(got - want) / scale).max() < 1e-6, label
                got = ag.addmm(bias, a, b).double().numpy()
                want_bias = want + bias.double().numpy()
                assert (np.abs(got - want_bias) / (scale + 1)).max() < 1e-6, label
