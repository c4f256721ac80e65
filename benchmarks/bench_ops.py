"""Single ops at a realistic size (1M float32 elements), autograd_cpp next to
PyTorch in one run, to catch a kernel that falls off its vectorised path.

Each op runs in both libraries on the same data, after checking that both
give the same result; the report lists every op with its median time per
call and the ratio, slowest first, and flags ops more than FLAG_RATIO
times PyTorch's time (a kernel defect worth a profile, not noise). The
summary line gives the geometric mean of the ratios.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        PYTHONPATH=python python benchmarks/bench_ops.py [--threads 1 2] [--repeat 7]
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import autograd_cpp as ag
from bench_func import _timeit

FLAG_RATIO = 2.0
RTOL = 1e-5
ROWS, COLS = 256, 4096  # 1M elements


def _cases(m: Any) -> dict[str, Callable[[], Any]]:
    """The ops, built on the same numpy data for either library."""
    rng = np.random.default_rng(0)
    F = m.nn.functional

    def t(a: np.ndarray, grad: bool = False) -> Any:
        out = m.from_numpy(a.copy())
        return out.requires_grad_() if grad else out

    x = t(rng.standard_normal((ROWS, COLS)).astype(np.float32))
    y = t(rng.standard_normal((ROWS, COLS)).astype(np.float32))
    xg = t(rng.standard_normal((ROWS, COLS)).astype(np.float32), grad=True)
    g = t(rng.standard_normal((ROWS, COLS)).astype(np.float32))
    xi = t(rng.integers(0, 100, (ROWS, COLS)))
    mask = x > 0
    cols = t(rng.integers(0, COLS, (COLS,)))
    picks = t(rng.integers(0, COLS, (ROWS, 64)))
    labels = t(rng.integers(0, COLS, (ROWS,)))
    img = t(rng.standard_normal((32, 32, 32, 32)).astype(np.float32))
    positive = x.abs() + 1

    def grad_of(f: Callable[[Any], Any]) -> Callable[[], Any]:
        return lambda: m.autograd.grad(f(xg), xg, g)[0]

    return {
        "relu": lambda: m.relu(x),
        "leaky_relu": lambda: F.leaky_relu(x, 0.1),
        "gelu": lambda: F.gelu(x),
        "silu": lambda: F.silu(x),
        "elu": lambda: F.elu(x),
        "hardtanh": lambda: F.hardtanh(x),
        "clamp": lambda: x.clamp(-0.5, 0.5),
        "sigmoid": lambda: m.sigmoid(x),
        "tanh": lambda: m.tanh(x),
        "exp": lambda: m.exp(x),
        "log": lambda: m.log(positive),
        "sqrt": lambda: m.sqrt(positive),
        "sin": lambda: m.sin(x),
        "erf": lambda: m.erf(x),
        "abs": lambda: x.abs(),
        "add": lambda: x + y,
        "mul": lambda: x * y,
        "div": lambda: x / positive,
        "pow 2": lambda: x**2,
        "int add": lambda: xi + xi,
        "gt": lambda: x > y,
        "where": lambda: m.where(mask, x, y),
        "masked_fill": lambda: x.masked_fill(mask, 0.0),
        "sum": lambda: x.sum(),
        "sum dim 0": lambda: x.sum(0),
        "sum dim 1": lambda: x.sum(1),
        "mean": lambda: x.mean(),
        "var dim 1": lambda: x.var(1),
        "norm dim 1": lambda: x.norm(dim=1),
        "max": lambda: x.max(),
        "argmax dim 1": lambda: x.argmax(1),
        "cumsum dim 1": lambda: x.cumsum(1),
        "softmax dim 1": lambda: F.softmax(x, 1),
        "log_softmax dim 1": lambda: F.log_softmax(x, 1),
        "layer_norm": lambda: F.layer_norm(x, (COLS,)),
        "cross_entropy": lambda: F.cross_entropy(x, labels),
        "mse_loss": lambda: F.mse_loss(x, y),
        "transpose copy": lambda: x.t().contiguous(),
        "cat dim 1": lambda: m.cat([x, y], 1),
        "index_select dim 1": lambda: x.index_select(1, cols),
        "gather dim 1": lambda: x.gather(1, picks),
        "to float64": lambda: x.double(),
        "max_pool2d 2": lambda: F.max_pool2d(img, 2),
        "avg_pool2d 2": lambda: F.avg_pool2d(img, 2),
        "batch_norm (train)": lambda: F.batch_norm(img, None, None, training=True),
        "upsample nearest x2": lambda: F.interpolate(img, scale_factor=2, mode="nearest"),
        "relu backward": grad_of(m.relu),
        "gelu backward": grad_of(F.gelu),
        "tanh backward": grad_of(m.tanh),
        "softmax backward": grad_of(lambda v: F.softmax(v, 1)),
    }


def _max_rel_diff(ours: Any, theirs: Any) -> float:
    if isinstance(theirs, tuple):
        return max(_max_rel_diff(a, b) for a, b in zip(ours, theirs))
    a = np.asarray(ours.detach().numpy(), dtype=np.float64)
    b = np.asarray(theirs.detach().numpy(), dtype=np.float64)
    if a.shape != b.shape:
        return math.inf
    scale = max(float(np.max(np.abs(b))), 1e-30) if b.size else 1.0
    return float(np.max(np.abs(a - b))) / scale if a.size else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ours_cases, theirs_cases = _cases(ag), _cases(torch)
    for name in ours_cases:
        diff = _max_rel_diff(ours_cases[name](), theirs_cases[name]())
        if not diff <= RTOL:  # NaN fails too
            raise SystemExit(f"FAILED: {name}: autograd_cpp differs from torch by {diff:.2e}")
    for threads in args.threads:
        torch.set_num_threads(threads)
        ag.set_num_threads(threads)
        rows = []
        for name in ours_cases:
            ours, theirs = _timeit([ours_cases[name], theirs_cases[name]], args.repeat)
            rows.append((name, ours, theirs))
        rows.sort(key=lambda r: -r[1] / r[2])
        print(f"\n{threads} thread(s), {ROWS}x{COLS} float32 unless named:\n")
        print("| op | autograd_cpp (us) | torch (us) | ratio | flag |")
        print("|---|---:|---:|---:|---|")
        for name, ours, theirs in rows:
            ratio = ours / theirs
            flag = f"> {FLAG_RATIO:g}x" if ratio > FLAG_RATIO else ""
            print(f"| {name} | {ours * 1e6:.0f} | {theirs * 1e6:.0f} | {ratio:.2f} | {flag} |")
        geo = math.exp(sum(math.log(r[1] / r[2]) for r in rows) / len(rows))
        flagged = sum(r[1] / r[2] > FLAG_RATIO for r in rows)
        print(
            f"\ngeometric mean ratio {geo:.2f}; {flagged} of {len(rows)} ops over {FLAG_RATIO:g}x"
        )


if __name__ == "__main__":
    main()
