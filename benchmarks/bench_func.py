"""autograd_cpp.func next to torch.func, in one run: per-sample gradients
(vmap(grad) of an MLP 64-128-10 over a batch of 128), jacrev and jacfwd of a
32 -> 32 function of 50 ops, and a Hessian-vector product by
forward-over-reverse (also against our double-backward
autograd.functional.hvp). Each case runs in both libraries at each thread
count, after checking that both give the same result (a mismatch fails the
run); the report gives the median time per call (each sample a loop of
calls, as timeit times) and their ratio.

    PYTHONPATH=python python benchmarks/bench_func.py [--threads 1 2] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import autograd_cpp as ag

# Each sample times enough calls in a row to last about this long, as
# timeit does: the time of a call in a loop, not of a lone call right after
# the other library's (whose caches that call would start from).
SAMPLE_SECONDS = 0.005


def _calls_per_sample(fn: Callable[[], Any]) -> int:
    """How many calls in a row last SAMPLE_SECONDS (counted, not estimated
    from one call, which may be a slow one)."""
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < SAMPLE_SECONDS:
        fn()
        calls += 1
    return calls


def _timeit(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """The median time per call of each of ``fns``, over ``repeat``
    samples taken in turns (so a busy spell of a shared machine hits both
    libraries alike)."""
    for fn in fns:
        fn()  # warm-up
    numbers = [_calls_per_sample(fn) for fn in fns]
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, number, ts in zip(fns, numbers, times):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            ts.append((time.perf_counter() - start) / number)
    return [statistics.median(ts) for ts in times]


def _mlp(m: Any) -> Any:
    model = m.nn.Sequential(m.nn.Linear(64, 128), m.nn.Tanh(), m.nn.Linear(128, 10))
    # The same weights in both libraries, so their results can be compared.
    rng = np.random.default_rng(0)
    with m.no_grad():
        for p in model.parameters():
            values = rng.uniform(-0.1, 0.1, size=tuple(p.shape)).astype(np.float32)
            p.copy_(m.tensor(values))
    return model


def per_sample_grads(m: Any) -> Callable[[], Any]:
    F = m.func
    model = _mlp(m)
    params = {k: v.detach() for k, v in model.named_parameters()}
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((128, 64)).astype(np.float32))
    y = m.tensor(rng.integers(0, 10, (128,)))

    def loss(p: Any, xi: Any, yi: Any) -> Any:
        out = F.functional_call(model, p, (xi.unsqueeze(0),))
        return m.nn.functional.cross_entropy(out, yi.unsqueeze(0))

    step = F.vmap(F.grad(loss), in_dims=(None, 0, 0))
    return lambda: step(params, x, y)


def _fifty_ops(m: Any, w: Any) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        for i in range(10):  # 5 ops per round
            x = m.tanh(w @ x) * 0.5 + x.sin() * (0.1 * (i + 1))
        return x

    return f


def _point(m: Any) -> tuple[Any, Any]:
    rng = np.random.default_rng(1)
    w = m.tensor((rng.standard_normal((32, 32)) / 6).astype(np.float32))
    x = m.tensor(rng.standard_normal(32).astype(np.float32))
    return w, x


def jacrev_50(m: Any) -> Callable[[], Any]:
    w, x = _point(m)
    jac = m.func.jacrev(_fifty_ops(m, w))
    return lambda: jac(x)


def jacfwd_50(m: Any) -> Callable[[], Any]:
    w, x = _point(m)
    jac = m.func.jacfwd(_fifty_ops(m, w))
    return lambda: jac(x)


def _scalar(m: Any, w: Any) -> Callable[[Any], Any]:
    f = _fifty_ops(m, w)
    return lambda x: f(x).pow(2).sum()


def hvp_fwd_over_rev(m: Any) -> Callable[[], Any]:
    w, x = _point(m)
    F = m.func
    g = F.grad(_scalar(m, w))
    v = x.flip(0)
    return lambda: F.jvp(g, (x,), (v,))[1]


def hvp_dual_level(m: Any) -> Callable[[], Any]:
    """Forward over reverse written with autograd.forward_ad directly: a dual
    input, one backward pass, the gradient's tangent (no func bookkeeping)."""
    w, x = _point(m)
    v = x.flip(0)
    f = _scalar(m, w)
    fw = m.autograd.forward_ad

    def run() -> Any:
        leaf = x.detach().requires_grad_(True)
        with fw.dual_level():
            dual = fw.make_dual(leaf, v)
            (g,) = m.autograd.grad(f(dual), (dual,))
            return fw.unpack_dual(g).tangent

    return run


def hvp_double_backward(m: Any) -> Callable[[], Any]:
    w, x = _point(m)
    v = x.flip(0)
    f = _scalar(m, w)
    return lambda: m.autograd.functional.hvp(f, x, v)[1]


PER_SAMPLE = "per-sample grads, vmap(grad) MLP 64-128-10, batch 128"
JACREV = "jacrev, 32->32, 50 ops"
JACFWD = "jacfwd, 32->32, 50 ops"
HVP_FWD = "hvp, func.jvp(func.grad(f)) (forward over reverse)"
HVP_DUAL = "hvp, forward_ad dual + autograd.grad (forward over reverse)"
HVP_DOUBLE = "hvp, autograd.functional.hvp (double backward)"
CASES = {
    PER_SAMPLE: per_sample_grads,
    JACREV: jacrev_50,
    JACFWD: jacfwd_50,
    HVP_FWD: hvp_fwd_over_rev,
    HVP_DUAL: hvp_dual_level,
    HVP_DOUBLE: hvp_double_backward,
}


def _numpy(result: Any) -> np.ndarray:
    if isinstance(result, dict):
        return np.concatenate([_numpy(v).ravel() for _, v in sorted(result.items())])
    if isinstance(result, (tuple, list)):
        return np.concatenate([_numpy(v).ravel() for v in result])
    return np.asarray(result.detach().numpy(), dtype=np.float64)


def max_rel_diff(ours: Any, theirs: Any) -> float:
    """The largest difference of the two results, relative to theirs."""
    a, b = _numpy(ours), _numpy(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a - b).max() / max(float(np.abs(b).max()), 1e-30))


# float32 results of 50 chained ops: both libraries round differently.
RTOL = 1e-4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rows = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        ag.set_num_threads(threads)
        for name, case in CASES.items():
            ours_fn, theirs_fn = case(ag), case(torch)
            # What is timed must agree: a wrong result fails the run.
            diff = max_rel_diff(ours_fn(), theirs_fn())
            if not diff <= RTOL:  # NaN fails too
                raise SystemExit(
                    f"FAILED: {name}: autograd_cpp differs from torch.func by {diff:.2e} "
                    f"(allowed {RTOL:.0e}); no timings are reported for a wrong result"
                )
            ours, theirs = _timeit([ours_fn, theirs_fn], args.repeat)
            rows.append((threads, name, ours, theirs))
    print("| threads | case | autograd_cpp (ms) | torch.func (ms) | ratio |")
    print("|---|---|---|---|---|")
    for threads, name, ours, theirs in rows:
        print(
            f"| {threads} | {name} | {ours * 1e3:.2f} | {theirs * 1e3:.2f} | {ours / theirs:.2f}x |"
        )
    # Within each library, same run: jacfwd against jacrev, and forward over
    # reverse against our double-backward hvp.
    times = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    print()
    print("| threads | target | ratio | met |")
    print("|---|---|---|---|")
    for threads in args.threads:
        checks = [
            (f"{name} <= 0.5x torch.func", times[(threads, name)][0] / times[(threads, name)][1])
            for name in (PER_SAMPLE, JACREV, JACFWD, HVP_FWD)
        ]
        checks.append(
            (
                "func.jvp(func.grad(f)) < our autograd.functional.hvp",
                times[(threads, HVP_FWD)][0] / times[(threads, HVP_DOUBLE)][0],
            )
        )
        for label, ratio in checks:
            limit = 1.0 if "<" in label and "<=" not in label else 0.5
            print(f"| {threads} | {label} | {ratio:.2f}x | {'yes' if ratio <= limit else 'NO'} |")
    print()
    for threads in args.threads:
        fwd, rev = times[(threads, JACFWD)], times[(threads, JACREV)]
        print(
            f"{threads} thread(s): jacfwd / jacrev = {fwd[0] / rev[0]:.2f}x here, "
            f"{fwd[1] / rev[1]:.2f}x in torch.func"
        )
        double = times[(threads, HVP_DOUBLE)][0]
        for name in (HVP_FWD, HVP_DUAL):
            print(
                f"{threads} thread(s): {name} / our autograd.functional.hvp = "
                f"{times[(threads, name)][0] / double:.2f}x"
            )


if __name__ == "__main__":
    main()
