#!/usr/bin/env python
"""Side-by-side benchmarks: autograd_cpp against PyTorch (and numpy where it fits).

Run ``python benchmarks/bench_vs_torch.py`` (see benchmarks/README.md).

How a run is organised
----------------------
The parent process never imports the libraries it measures. For every thread
count it starts a child process (this same script with ``--child``) whose
environment is cleaned first:

* ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` are set
  to the thread count. The BLAS libraries (autograd_cpp's OpenBLAS, numpy's
  OpenBLAS, PyTorch's MKL/OpenMP) size their thread pools when they are loaded,
  so this has to happen before the import, hence the child process.
* ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are removed, so that OpenBLAS
  detects the CPU itself. They are removed only in the children; the
  environment of the caller is left alone.

The child then calls ``torch.set_num_threads(n)`` and
``autograd_cpp.set_num_threads(n)`` (autograd_cpp's own thread pool), runs every
selected workload on every library in the same process, and prints its results
as one JSON object on stdout. The parent collects them and prints a markdown
table.

Workloads
---------
A workload is registered with :func:`workload`; it is a function taking a
library module (``autograd_cpp`` or ``torch``, which share an API) and returning
a zero-argument callable, one call of which is what gets timed. A workload may
also name a numpy version (a function taking the ``numpy`` module). What a
callable returns is used once, before timing, to check that the libraries agree.
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import functools
import gc
import importlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

LIBS = ("autograd_cpp", "torch")  # compared libraries; the ratio is LIBS[0] vs LIBS[1]
DEFAULT_THREADS = (1, 2)
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
UNSET_IN_CHILD = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
SEED = 20240601
NOISY_SPREAD = 0.10  # rows whose trials' IQR exceeds this fraction of the median get a mark


# --------------------------------------------------------------------------------------
# Timing plans
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Plan:
    """How hard to time one (workload, library) pair."""

    warmup_calls: int  # at least this many calls before the first trial ...
    warmup_s: float  # ... and at least this long
    block_warmup_s: float  # re-warm-up before each later block of trials
    min_trial_s: float  # calls per trial are chosen so that a trial lasts this long
    repeat: int  # trials per library in total (split over `blocks`)
    blocks: int  # 2: libraries are timed in the order A B C, then C B A


FULL = Plan(
    warmup_calls=3, warmup_s=0.3, block_warmup_s=0.15, min_trial_s=0.05, repeat=14, blocks=2
)
QUICK = Plan(
    warmup_calls=1, warmup_s=0.0, block_warmup_s=0.0, min_trial_s=0.005, repeat=3, blocks=1
)


# --------------------------------------------------------------------------------------
# Workload registry
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """Issue 7's goal for a row: ``ratio`` (autograd_cpp / torch of the reported
    values) or autograd_cpp's own ``value`` at most (or at least) ``bound``."""

    bound: float
    at_most: bool = True
    of: str = "ratio"  # "ratio" or "value"

    def met(self, row: dict) -> bool | None:
        x = row.get("ratio") if self.of == "ratio" else row["libs"]["autograd_cpp"]["value"]
        if x is None or not math.isfinite(x):
            return None
        return x <= self.bound if self.at_most else x >= self.bound

    def text(self, unit: str) -> str:
        sign = "≤" if self.at_most else "≥"
        return f"{sign} {self.bound:g}" + ("" if self.of == "ratio" else f" {unit}")


# Targets of issue 7 (ratios are autograd_cpp / torch of the reported values, so a
# throughput has to reach >= 1 where a time has to stay <= 1).
OVERHEAD_TARGET = Target(0.25)
NOT_SLOWER = Target(1.0)
NOT_SLOWER_THROUGHPUT = Target(1.0, at_most=False)


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str  # workload name shown in the table; several metrics may share it
    metric: str  # what is measured, e.g. "fwd+bwd"
    unit: str  # unit of the reported value, e.g. "us/op"
    kind: str  # "time" (lower is better) or "throughput" (higher is better)
    build: Callable[[Any], Callable[[], Any]]  # lib module -> callable to time
    to_value: Callable[[float], float]  # seconds per call -> reported value
    build_numpy: Callable[[Any], Callable[[], Any]] | None = None
    rtol: float = 1e-4  # allowed max|ours - torch| / max|torch| in the agreement check
    description: str = ""
    heavy: bool = False  # skipped under --quick unless named in --workloads
    target: Target | None = None

    @property
    def key(self) -> str:
        return f"{self.name}/{self.metric}"


WORKLOADS: list[Workload] = []


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A workload call with an untimed setup: only ``run(prepare())``'s ``run`` is timed.

    For things that can run once per setup, e.g. a backward pass, which frees the
    graph it runs through: ``prepare`` builds the graph, ``run`` runs backward.
    Calling it runs both (that is what the agreement check does).
    """

    prepare: Callable[[], Any]
    run: Callable[[Any], Any]

    def __call__(self) -> Any:
        return self.run(self.prepare())


def workload(
    name: str,
    *,
    metric: str,
    unit: str,
    kind: str = "time",
    to_value: Callable[[float], float],
    numpy: Callable[[Any], Callable[[], Any]] | None = None,
    rtol: float = 1e-4,
    heavy: bool = False,
    target: Target | None = None,
):
    """Registers ``fn(lib) -> callable`` as a workload (decorator).

    ``heavy`` workloads (large inputs, long calls) are skipped under ``--quick``.
    """
    if kind not in ("time", "throughput"):
        raise ValueError(f"kind must be 'time' or 'throughput', not {kind!r}")

    def register(fn: Callable[[Any], Callable[[], Any]]):
        w = Workload(
            name=name,
            metric=metric,
            unit=unit,
            kind=kind,
            build=fn,
            to_value=to_value,
            build_numpy=numpy,
            rtol=rtol,
            description=(fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "",
            heavy=heavy,
            target=target,
        )
        if any(other.key == w.key for other in WORKLOADS):
            raise ValueError(f"workload {w.key} registered twice")
        WORKLOADS.append(w)
        return fn

    return register


def _rng():
    import numpy as np

    return np.random.default_rng(SEED)


def _from_numpy(lib, array, requires_grad=False):
    """A tensor of ``lib`` holding a private copy of ``array``."""
    t = lib.from_numpy(array.copy())
    return t.requires_grad_() if requires_grad else t


# ---- small_ops: the per-op overhead of the autograd machinery --------------------------

SMALL_OPS_SIZE = 16
SMALL_OPS_BLOCKS = 20  # 10 ops per block
SMALL_OPS_COUNT = 10 * SMALL_OPS_BLOCKS


def _small_ops_inputs(size=SMALL_OPS_SIZE):
    """x, c, w, d of shape ``size`` (``()`` gives 0-d arrays)."""
    import numpy as np

    rng = _rng()
    x = rng.standard_normal(size).astype(np.float32)
    c = rng.uniform(-1.0, 1.0, size).astype(np.float32)
    w = rng.uniform(0.5, 1.5, size).astype(np.float32)
    d = rng.uniform(1.0, 2.0, size).astype(np.float32)
    return x, c, w, d


def _small_ops_chain(x, c, w, d, blocks=SMALL_OPS_BLOCKS):
    """10 * blocks elementwise ops. Every value stays in about [-1, 3.5], so exp cannot overflow."""
    y = x
    for _ in range(blocks):
        y = y * 0.9  # mul by a constant
        y = y + c  # add a tensor
        y = y.tanh()  # in (-1, 1)
        y = y * w  # mul by a tensor
        y = y - 0.1  # sub a constant
        y = y / d  # div by a tensor
        y = y.sigmoid()  # in (0, 1)
        y = y + 0.25  # add a constant
        y = y.exp()  # in (1.28, 3.5)
        y = y / 2.0  # div by a constant
    return y


def _small_ops_numpy(np, size=SMALL_OPS_SIZE, blocks=SMALL_OPS_BLOCKS):
    """The same chain in numpy: forward values, then the reverse pass written by hand."""
    x, c, w, d = _small_ops_inputs(size)

    def step():
        y = x
        saved = []
        for _ in range(blocks):
            y = y * 0.9
            y = y + c
            t = y = np.tanh(y)
            y = y * w
            y = y - 0.1
            y = y / d
            s = y = 1.0 / (1.0 + np.exp(-y))
            y = y + 0.25
            e = y = np.exp(y)
            y = y / 2.0
            saved.append((t, s, e))
        y.sum()
        g = np.ones_like(x)  # d sum / d y
        for t, s, e in reversed(saved):
            g = g / 2.0  # y / 2
            g = g * e  # exp
            # y + 0.25: identity
            g = g * (s * (1.0 - s))  # sigmoid
            g = g / d  # y / d
            # y - 0.1: identity
            g = g * w  # y * w
            g = g * (1.0 - t * t)  # tanh
            # y + c: identity
            g = g * 0.9  # y * 0.9
        return g

    return step


@workload(
    "small_ops",
    metric=f"fwd+bwd per op ({SMALL_OPS_COUNT} ops, shape ({SMALL_OPS_SIZE},))",
    unit="us/op",
    to_value=lambda s: s / SMALL_OPS_COUNT * 1e6,
    numpy=_small_ops_numpy,
    rtol=1e-4,
    target=OVERHEAD_TARGET,
)
def small_ops(lib):
    """200-op elementwise chain on a (16,) float32 tensor, then .sum().backward()."""
    xa, ca, wa, da = _small_ops_inputs()
    x = _from_numpy(lib, xa, requires_grad=True)
    c, w, d = (_from_numpy(lib, a) for a in (ca, wa, da))

    def step():
        x.grad = None
        _small_ops_chain(x, c, w, d).sum().backward()
        return x.grad

    return step


# ---- scalar_chain: per-op overhead on 0-d tensors ----------------------------------------

SCALAR_CHAIN_BLOCKS = 200  # 10 ops per block
SCALAR_CHAIN_COUNT = 10 * SCALAR_CHAIN_BLOCKS


@workload(
    "scalar_chain",
    metric=f"fwd+bwd, {SCALAR_CHAIN_COUNT} ops on 0-d float32",
    unit="ms",
    to_value=lambda s: s * 1e3,
    numpy=lambda np: _small_ops_numpy(np, (), SCALAR_CHAIN_BLOCKS),
    rtol=1e-4,
    target=OVERHEAD_TARGET,
)
def scalar_chain(lib):
    """small_ops' chain, 2,000 ops long, on 0-d tensors (scalar code: pure overhead)."""
    xa, ca, wa, da = _small_ops_inputs(())
    x = _from_numpy(lib, xa, requires_grad=True)
    c, w, d = (_from_numpy(lib, a) for a in (ca, wa, da))

    def step():
        x.grad = None
        _small_ops_chain(x, c, w, d, SCALAR_CHAIN_BLOCKS).sum().backward()
        return x.grad

    return step


# ---- deep_chain: the backward engine's cost per node -------------------------------------

DEEP_NODES = 10_000  # nodes in the chain (plus the sum)
DEEP_SIZE = 64
DEEP_MUL, DEEP_ADD = 1.0001, 0.001  # d out / d x = DEEP_MUL ** (DEEP_NODES / 2), about 1.65


def _deep_input():
    import numpy as np

    return _rng().standard_normal(DEEP_SIZE).astype(np.float32)


def _deep_build(x):
    """DEEP_NODES nodes: alternately a mul and an add by a constant."""
    y = x
    for _ in range(DEEP_NODES // 2):
        y = y * DEEP_MUL
        y = y + DEEP_ADD
    return y


def _deep_numpy_backward(np):
    """numpy reference: the hand-written reverse pass of the chain (the adds pass through)."""
    x = _deep_input()

    def backward(_):
        g = np.ones_like(x)
        for _ in range(DEEP_NODES // 2):
            g = g * np.float32(DEEP_MUL)
        return g

    return backward


def _deep_chain_numpy(np):
    backward = _deep_numpy_backward(np)
    return lambda: backward(_deep_build(_deep_input()))


def _deep_chain_numpy_bwd(np):
    return Prepared(prepare=lambda: _deep_build(_deep_input()), run=_deep_numpy_backward(np))


@workload(
    "deep_chain",
    metric=f"bwd only: .sum().backward() through {DEEP_NODES} nodes, shape ({DEEP_SIZE},)",
    unit="ms",
    to_value=lambda s: s * 1e3,
    numpy=_deep_chain_numpy_bwd,
    rtol=1e-4,
    target=OVERHEAD_TARGET,
)
def deep_chain_bwd(lib):
    """Backward through a chain of 10,000 mul/add nodes; the chain is built untimed."""
    x = _from_numpy(lib, _deep_input(), requires_grad=True)

    def prepare():
        x.grad = None
        return _deep_build(x)

    def run(y):
        y.sum().backward()
        return x.grad

    return Prepared(prepare, run)


@workload(
    "deep_chain",
    metric=f"build+bwd, {DEEP_NODES} nodes, shape ({DEEP_SIZE},)",
    unit="ms",
    to_value=lambda s: s * 1e3,
    numpy=_deep_chain_numpy,
    rtol=1e-4,
)
def deep_chain_build_bwd(lib):
    """Builds the 10,000-node chain and runs backward through it."""
    x = _from_numpy(lib, _deep_input(), requires_grad=True)

    def step():
        x.grad = None
        _deep_build(x).sum().backward()
        return x.grad

    return step


# ---- matmul ----------------------------------------------------------------------------

MATMUL_SIZES = (256, 1024, 2048)  # forward GFLOP/s and fwd+bwd ms at each
MATMUL_TARGET_FROM = 1024  # the GFLOP/s target holds from this size on
MATMUL_HEAVY = 2048  # from this size on, skipped under --quick


@functools.cache
def _matmul_inputs(n):
    import numpy as np

    rng = _rng()
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    a.setflags(write=False)  # shared by every library's builder: nobody may write
    b.setflags(write=False)
    return a, b


def _matmul_fwd(n):
    def numpy_fwd(np):
        a, b = _matmul_inputs(n)
        return lambda: a @ b

    @workload(
        "matmul",
        metric=f"fwd, n={n} float32",
        unit="GFLOP/s",
        kind="throughput",
        to_value=lambda s: 2.0 * n**3 / s / 1e9,
        numpy=numpy_fwd,
        rtol=1e-4,
        heavy=n >= MATMUL_HEAVY,
        target=NOT_SLOWER_THROUGHPUT if n >= MATMUL_TARGET_FROM else None,
    )
    def matmul_fwd(lib):
        """C = A @ B for two n x n float32 matrices that do not require grad."""
        a, b = _matmul_inputs(n)
        A, B = _from_numpy(lib, a), _from_numpy(lib, b)
        return lambda: A @ B


def _matmul_fwd_bwd(n):
    def numpy_fwd_bwd(np):
        a, b = _matmul_inputs(n)

        def step():
            c = a @ b
            c.sum()
            g = np.ones_like(c)  # d sum / d C
            return g @ b.T, a.T @ g

        return step

    @workload(
        "matmul",
        metric=f"fwd+bwd, n={n} float32",
        unit="ms",
        to_value=lambda s: s * 1e3,
        numpy=numpy_fwd_bwd,
        rtol=1e-4,
        heavy=n >= MATMUL_HEAVY,
    )
    def matmul_fwd_bwd(lib):
        """(A @ B).sum().backward() with A and B requiring grad."""
        a, b = _matmul_inputs(n)
        A = _from_numpy(lib, a, requires_grad=True)
        B = _from_numpy(lib, b, requires_grad=True)

        def step():
            A.grad = None
            B.grad = None
            (A @ B).sum().backward()
            return A.grad, B.grad

        return step


for _n in MATMUL_SIZES:
    _matmul_fwd(_n)
    _matmul_fwd_bwd(_n)


# ---- training steps: an MLP and a small CNN ----------------------------------------------

MLP_SIZES = (784, 256, 128, 10)
MLP_BATCH = 128


def _mlp_inputs():
    import numpy as np

    rng = _rng()
    weights = []
    for fan_in, fan_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        weights.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    x = rng.standard_normal((MLP_BATCH, MLP_SIZES[0])).astype(np.float32)
    y = rng.integers(0, MLP_SIZES[-1], MLP_BATCH)
    return weights, x, y


@workload(
    "mlp_step",
    metric=f"784-256-128-10 ReLU MLP, batch {MLP_BATCH}, CE + SGD step",
    unit="ms",
    to_value=lambda s: s * 1e3,
    rtol=1e-3,
    target=Target(0.8),
)
def mlp_step(lib):
    """Forward, cross-entropy, backward and an SGD step of a 3-layer MLP."""
    weights, xa, ya = _mlp_inputs()
    params = [_from_numpy(lib, w, requires_grad=True) for w in weights]
    x, y = _from_numpy(lib, xa), lib.from_numpy(ya.copy())
    opt = lib.optim.SGD(params, lr=0.01)
    F = lib.nn.functional

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = F.linear(h, params[i], params[i + 1])
            if i + 2 < len(params):
                h = F.relu(h)
        loss = F.cross_entropy(h, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


CNN_BATCH = 64


@workload(
    "cnn_step",
    metric=f"conv-relu-pool-linear on 8x8 images, batch {CNN_BATCH}, CE + SGD step",
    unit="ms",
    to_value=lambda s: s * 1e3,
    rtol=1e-3,
    target=NOT_SLOWER,
)
def cnn_step(lib):
    """conv2d(1->16, 3x3) -> relu -> max_pool2d(2) -> linear(256->10) -> CE, SGD."""
    import numpy as np

    rng = _rng()
    arrays = [
        rng.uniform(-0.3, 0.3, (16, 1, 3, 3)).astype(np.float32),
        rng.uniform(-0.3, 0.3, (16,)).astype(np.float32),
        rng.uniform(-0.06, 0.06, (10, 256)).astype(np.float32),
        rng.uniform(-0.06, 0.06, (10,)).astype(np.float32),
    ]
    params = [_from_numpy(lib, a, requires_grad=True) for a in arrays]
    x = _from_numpy(lib, rng.standard_normal((CNN_BATCH, 1, 8, 8)).astype(np.float32))
    y = lib.from_numpy(rng.integers(0, 10, CNN_BATCH))
    opt = lib.optim.SGD(params, lr=0.01)
    F = lib.nn.functional

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(x, params[0], params[1], padding=1)), 2)
        loss = F.cross_entropy(F.linear(h.flatten(1), params[2], params[3]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


# ---- reductions and softmax on a large matrix --------------------------------------------

RED_N = 4096


@functools.cache  # generating it takes 0.6 s, and every library of every row needs it
def _red_input():
    import numpy as np

    a = _rng().standard_normal((RED_N, RED_N)).astype(np.float32)
    a.setflags(write=False)  # shared by every library's builder: nobody may write
    return a


def _softmax_numpy(np, a, dim):
    e = np.exp(a - a.max(dim, keepdims=True))
    return e / e.sum(dim, keepdims=True)


def _reduction(name, dim, fn, np_fn):
    # dim 1 reduces along each row (one result per row), dim 0 along each column.
    where = "each row (dim=1)" if dim == 1 else "each column (dim=0)"

    @workload(
        "reductions",
        metric=f"{name} over {where}, {RED_N}x{RED_N} float32",
        unit="ms",
        to_value=lambda s: s * 1e3,
        numpy=lambda np: (lambda a: lambda: np_fn(np, a, dim))(_red_input()),
        rtol=1e-3,
        target=NOT_SLOWER,
    )
    def run(lib):
        """A forward reduction (no grad) of a 4096x4096 float32 matrix."""
        x = _from_numpy(lib, _red_input())
        return lambda: fn(lib, x, dim)

    return run


for _dim in (1, 0):
    _reduction("sum", _dim, lambda m, x, d: x.sum(d), lambda np, a, d: a.sum(d))
    _reduction("mean", _dim, lambda m, x, d: x.mean(d), lambda np, a, d: a.mean(d))
    _reduction("softmax", _dim, lambda m, x, d: m.softmax(x, d), _softmax_numpy)


# ---- elementwise bandwidth on 16M elements, and a STREAM-like triad ----------------------

ELEM_N = 16 * 2**20  # 16M float32: 64 MiB per tensor, far beyond any cache
ELEM_SCALE, ELEM_SHIFT = 1.5, 0.25
TRIAD_S = 3.0
# Bytes are counted as whole 64 MiB tensor passes (4 B x ELEM_N): every full-size
# tensor that an unfused kernel must read or write once. Scalars, the stride-0
# gradient of sum() and page-fault or write-allocate traffic are not counted.
ELEM_FWD_PASSES = 6  # x*a: read x, write t; t+b: read, write u; relu: read, write y
ELEM_FWD_BWD_PASSES = 11  # + sum: read y; relu bwd: read y, write g; mul bwd: read, write
TRIAD_PASSES = 5  # copy b -> a: read, write; a += s*c: read a, read c, write a
ELEM_FWD_METRIC = f"fwd (x*1.5+0.25).relu(), no grad, 16M float32 ({ELEM_FWD_PASSES} passes)"
TRIAD_METRIC = f"triad a = b + 3*c in place, 16M float32 ({TRIAD_PASSES} passes)"
BANDWIDTH_TARGET = Target(70.0, at_most=False, of="value")  # % of the best triad


def _gb_per_s(passes: int) -> Callable[[float], float]:
    return lambda s: passes * 4 * ELEM_N / s / 1e9


@functools.cache
def _elem_inputs():
    import numpy as np

    rng = _rng()
    x = rng.standard_normal(ELEM_N, dtype=np.float32)
    c = rng.standard_normal(ELEM_N, dtype=np.float32)
    x.setflags(write=False)  # shared by every library's builder: nobody may write
    c.setflags(write=False)
    return x, c


def _elem_fwd_bwd_numpy(np):
    x, _ = _elem_inputs()

    def step():
        y = np.maximum(x * np.float32(ELEM_SCALE) + np.float32(ELEM_SHIFT), 0)
        y.sum()
        return np.where(y > 0, np.float32(ELEM_SCALE), np.float32(0))  # d sum / d x

    return step


@workload(
    "elementwise",
    metric=f"fwd+bwd (x*1.5+0.25).relu().sum(), 16M float32 ({ELEM_FWD_BWD_PASSES} passes)",
    unit="GB/s",
    kind="throughput",
    to_value=_gb_per_s(ELEM_FWD_BWD_PASSES),
    numpy=_elem_fwd_bwd_numpy,
    rtol=1e-6,
    heavy=True,
    target=NOT_SLOWER_THROUGHPUT,
)
def elementwise_fwd_bwd(lib):
    """A 3-op elementwise chain on 16M elements with .sum().backward(): memory-bound."""
    x = _from_numpy(lib, _elem_inputs()[0], requires_grad=True)

    def step():
        x.grad = None
        (x * ELEM_SCALE + ELEM_SHIFT).relu().sum().backward()
        return x.grad

    return step


def _elem_fwd_numpy(np):
    x, _ = _elem_inputs()
    return lambda: np.maximum(x * np.float32(ELEM_SCALE) + np.float32(ELEM_SHIFT), 0)


@workload(
    "elementwise",
    metric=ELEM_FWD_METRIC,
    unit="GB/s",
    kind="throughput",
    to_value=_gb_per_s(ELEM_FWD_PASSES),
    numpy=_elem_fwd_numpy,
    rtol=1e-6,
    heavy=True,
    target=NOT_SLOWER_THROUGHPUT,
)
def elementwise_fwd(lib):
    """The same chain's forward only, on a tensor that does not require grad."""
    x = _from_numpy(lib, _elem_inputs()[0])
    return lambda: (x * ELEM_SCALE + ELEM_SHIFT).relu()


def _triad_numpy(np):
    b, c = _elem_inputs()
    a = np.empty_like(b)

    def step():
        np.multiply(c, np.float32(TRIAD_S), out=a)
        np.add(a, b, out=a)
        return a

    return step


@workload(
    "elementwise",
    metric=TRIAD_METRIC,
    unit="GB/s",
    kind="throughput",
    to_value=_gb_per_s(TRIAD_PASSES),
    numpy=_triad_numpy,
    rtol=1e-6,
    heavy=True,
)
def triad(lib):
    """STREAM-like triad into a preallocated output: the machine's usable bandwidth."""
    b, c = (_from_numpy(lib, arr) for arr in _elem_inputs())
    a = lib.zeros(ELEM_N)  # preallocated (and touched) once: no page faults when timed

    def step():
        a.copy_(b)
        a.add_(c, alpha=TRIAD_S)
        return a

    return step


def _elementwise_fraction(results: list[dict]) -> dict | None:
    """Derived row: each library's elementwise forward GB/s as a share of the best triad."""
    by_metric = {r["metric"]: r for r in results if r["workload"] == "elementwise"}
    fwd, tri = by_metric.get(ELEM_FWD_METRIC), by_metric.get(TRIAD_METRIC)
    if fwd is None or tri is None:
        return None
    best_lib, best = max(((k, s["value"]) for k, s in tri["libs"].items()), key=lambda kv: kv[1])
    return {
        "workload": "elementwise",
        "metric": "fwd GB/s as % of the best triad (machine bandwidth)",
        "unit": "%",
        "kind": "throughput",
        "description": f"derived: fwd GB/s / best triad ({best:.1f} GB/s, {best_lib})",
        "rtol": None,
        "check": {},
        "derived": True,
        "target": dataclasses.asdict(BANDWIDTH_TARGET),
        "libs": {k: {"value": 100.0 * s["value"] / best} for k, s in fwd["libs"].items()},
    }


DERIVED: list[Callable[[list[dict]], dict | None]] = [_elementwise_fraction]


# --------------------------------------------------------------------------------------
# Child: time everything at one thread count
# --------------------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _call_times(fn: Callable[[], Any], number: int) -> float:
    """Seconds for ``number`` back-to-back calls, with the garbage collector off.

    For a :class:`Prepared` call only ``run`` is timed, each call on its own.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if isinstance(fn, Prepared):
            total = 0.0
            for _ in range(number):
                arg = fn.prepare()
                t0 = time.perf_counter()
                fn.run(arg)
                total += time.perf_counter() - t0
                del arg  # frees the graph here, outside the timed region
            return total
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        return time.perf_counter() - t0
    finally:
        if gc_was_enabled:
            gc.enable()


def _warm_up(fn: Callable[[], Any], min_calls: int, min_s: float) -> float:
    """Calls ``fn`` at least ``min_calls`` times and ``min_s`` seconds.

    Returns the wall time per call (with a :class:`Prepared` call's untimed part),
    which sizes the trials.
    """
    per_call = []
    start = time.perf_counter()
    while len(per_call) < max(1, min_calls) or time.perf_counter() - start < min_s:
        t0 = time.perf_counter()
        _call_times(fn, 1)
        per_call.append(time.perf_counter() - t0)
    recent = per_call[len(per_call) // 2 :]
    return statistics.median(recent)


def _time_libs(fns: dict[str, Callable[[], Any]], plan: Plan) -> dict[str, dict]:
    """Times every callable of ``fns``; returns per-library statistics.

    Each library runs its trials in a block of its own (so the spinning threads
    a BLAS or OpenMP runtime leaves behind after a call only get in the way of
    the same library), and with ``plan.blocks == 2`` the order of the blocks is
    reversed for the second half of the trials so that slow drift of the machine
    does not favour one library.
    """
    names = list(fns)
    number = {}
    for name in names:
        per_call = _warm_up(fns[name], plan.warmup_calls, plan.warmup_s)
        number[name] = max(1, math.ceil(plan.min_trial_s / max(per_call, 1e-9)))
    trials: dict[str, list[float]] = {name: [] for name in names}
    per_block = [plan.repeat // plan.blocks] * plan.blocks
    per_block[0] += plan.repeat - sum(per_block)
    for block, count in enumerate(per_block):
        order = names if block % 2 == 0 else names[::-1]
        for name in order:
            if block > 0 and plan.block_warmup_s > 0:
                _warm_up(fns[name], 1, plan.block_warmup_s)
            gc.collect()
            for _ in range(count):
                trials[name].append(_call_times(fns[name], number[name]) / number[name])
    stats = {}
    for name in names:
        t = sorted(trials[name])
        q1, _, q3 = statistics.quantiles(t, n=4) if len(t) >= 2 else (t[0], t[0], t[0])
        stats[name] = {
            "median_s": statistics.median(t),
            "min_s": t[0],
            "iqr_s": q3 - q1,
            "calls_per_trial": number[name],
            "trials_s": trials[name],
        }
    return stats


def _to_numpy(result) -> list:
    """Flattens a callable's result (tensor, array or a tuple of them) into arrays."""
    import numpy as np

    items = result if isinstance(result, (tuple, list)) else (result,)
    out = []
    for item in items:
        if hasattr(item, "detach"):
            item = item.detach().numpy()
        out.append(np.asarray(item, dtype=np.float64))
    return out


def _max_rel_diff(result, reference) -> float:
    import numpy as np

    worst = 0.0
    for a, b in zip(_to_numpy(result), _to_numpy(reference), strict=True):
        if a.shape != b.shape:
            return math.inf
        scale = max(float(np.max(np.abs(b))), 1e-30)
        worst = max(worst, float(np.max(np.abs(a - b))) / scale)
    return worst


def _blas_info() -> list[dict]:
    """Best-effort: thread count and core type of each OpenBLAS loaded in this process."""
    paths = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                if "openblas" in os.path.basename(path).lower():
                    paths.add(path)
    except OSError:
        return []
    info = []
    for path in sorted(paths):
        entry = {"lib": os.path.basename(path)}
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for suffix in ("", "64_", "_64"):
            for prefix in ("scipy_openblas", "openblas"):
                getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                corename = getattr(lib, f"{prefix}_get_corename{suffix}", None)
                if getter is not None and "threads" not in entry:
                    getter.restype = ctypes.c_int
                    entry["threads"] = getter()
                if corename is not None and "core" not in entry:
                    corename.restype = ctypes.c_char_p
                    entry["core"] = corename().decode()
        info.append(entry)
    return info


def _mtime_iso(module) -> str | None:
    """When a compiled module's file was last written (which build is being measured)."""
    path = getattr(module, "__file__", None)
    if not path:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(path)))


def run_child(threads: int, selected: list[Workload], plan: Plan) -> dict:
    import numpy as np

    mods = {name: importlib.import_module(name) for name in LIBS}
    torch, ours = mods["torch"], mods["autograd_cpp"]
    torch.set_num_threads(threads)
    ours.set_num_threads(threads)
    torch.manual_seed(SEED)
    ours.manual_seed(SEED)

    results = []
    for w in selected:
        _log(f"[threads={threads}] {w.name}: {w.metric}")
        fns = {name: w.build(mod) for name, mod in mods.items()}
        if w.build_numpy is not None:
            fns["numpy"] = w.build_numpy(np)
        # Agreement check (one call each, before timing).
        reference = fns["torch"]()
        check = {}
        for name, fn in fns.items():
            if name != "torch":
                diff = _max_rel_diff(fn(), reference)
                check[name] = {"max_rel_diff": diff, "ok": diff <= w.rtol}
        stats = _time_libs(fns, plan)
        for s in stats.values():
            s["value"] = w.to_value(s["median_s"])
        results.append(
            {
                "workload": w.name,
                "metric": w.metric,
                "unit": w.unit,
                "kind": w.kind,
                "description": w.description,
                "rtol": w.rtol,
                "check": check,
                "target": dataclasses.asdict(w.target) if w.target else None,
                "libs": stats,
            }
        )
        del fns, reference  # large inputs go before the next workload builds its own
    for derive in DERIVED:
        row = derive(results)
        if row is not None:
            results.append(row)

    return {
        "threads": threads,
        "effective_threads": {
            "autograd_cpp": ours.get_num_threads(),
            "torch": torch.get_num_threads(),
        },
        "blas": _blas_info(),
        "env": {k: os.environ.get(k) for k in BLAS_THREAD_VARS + UNSET_IN_CHILD},
        "versions": {
            "python": platform.python_version(),
            "autograd_cpp": getattr(ours, "__version__", "?"),
            "torch": torch.__version__,
            "numpy": np.__version__,
        },
        "autograd_cpp_path": os.path.dirname(ours.__file__),
        "autograd_cpp_built": _mtime_iso(getattr(ours, "_C", None)),
        "torch_mkl": bool(torch.backends.mkl.is_available()),
        "results": results,
    }


# --------------------------------------------------------------------------------------
# Library-level measures: peak memory, import time, installed size
# --------------------------------------------------------------------------------------

# The measures below that are not per-call timings; each can be named in --workloads.
MEMORY, IMPORT, SIZE = "memory", "import", "size"
SYSTEM_MEASURES = {
    MEMORY: "peak RSS of a process running mlp_step, one fresh process per library",
    IMPORT: "wall time of `import <lib>` in a fresh interpreter, median of several",
    SIZE: "bytes on disk of the package directories, BLAS and bundled libraries included",
}
MEMORY_STEPS = {"full": 30, "quick": 3}
IMPORT_RUNS = {"full": 9, "quick": 3}
# What "installed size" counts: each package's directory and its auditwheel-style
# sibling "<pkg>.libs" (bundled shared libraries). autograd_cpp's BLAS is the
# scipy_openblas32 package; torch's MKL/OpenMP/... live in torch/lib. Required
# pure-Python dependencies (numpy for autograd_cpp; sympy, networkx, jinja2, ...
# for torch) are not counted for either.
SIZE_PACKAGES = {
    "autograd_cpp": ("autograd_cpp", "scipy_openblas32"),
    "torch": ("torch",),
    "numpy": ("numpy",),
}
MIB = 2**20


def _peak_rss_kib() -> int:
    """The process's peak resident set (VmHWM) in KiB; native allocations count."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def run_memory_child(lib_name: str, threads: int, steps: int) -> dict:
    """Peak RSS of this process around ``steps`` mlp_step calls of one library."""
    import numpy  # noqa: F401  (every library's process holds numpy before the baseline)

    before_import = _peak_rss_kib()
    lib = importlib.import_module(lib_name)
    lib.set_num_threads(threads)
    lib.manual_seed(SEED)
    after_import = _peak_rss_kib()
    step = mlp_step(lib)
    for _ in range(steps):
        step()
    return {
        "before_import_kib": before_import,
        "after_import_kib": after_import,
        "peak_kib": _peak_rss_kib(),
        "steps": steps,
    }


def _run_json_child(extra_args: list[str], threads: int) -> dict:
    """Runs this script with ``extra_args`` in a cleaned environment; parses its JSON line."""
    cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(threads), *extra_args]
    proc = subprocess.run(cmd, env=child_env(threads), stdout=subprocess.PIPE, text=True)
    what = " ".join(extra_args)
    if proc.returncode != 0:
        raise RuntimeError(f"`{what}` for {threads} thread(s) exited with {proc.returncode}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"`{what}` for {threads} thread(s) printed nothing")
    return json.loads(lines[-1])


def _static_row(name: str, metric: str, unit: str, values: dict, target: Target | None) -> dict:
    return {
        "workload": name,
        "metric": metric,
        "unit": unit,
        "kind": "time",
        "description": SYSTEM_MEASURES[name],
        "rtol": None,
        "check": {},
        "target": dataclasses.asdict(target) if target else None,
        "libs": {k: {"value": v} for k, v in values.items()},
    }


def memory_rows(threads: int, mode: str) -> list[dict]:
    steps = MEMORY_STEPS[mode]
    _log(f"[threads={threads}] {MEMORY}: {steps} mlp_step calls per library")
    runs = {
        lib: _run_json_child(
            ["--memory-child", lib, *(["--quick"] if mode == "quick" else [])], threads
        )
        for lib in LIBS
    }
    grown = {k: (r["peak_kib"] - r["after_import_kib"]) / 1024 for k, r in runs.items()}
    peak = {k: r["peak_kib"] / 1024 for k, r in runs.items()}
    rows = [
        _static_row(
            MEMORY,
            f"mlp_step peak RSS growth after import ({steps} steps)",
            "MiB",
            grown,
            NOT_SLOWER,
        ),
        _static_row(
            MEMORY,
            "mlp_step peak RSS of the process (Python + numpy + library + steps)",
            "MiB",
            peak,
            NOT_SLOWER,
        ),
    ]
    for row in rows:
        row["raw"] = runs
    return rows


def _import_seconds(module: str, env: dict[str, str]) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def import_rows(threads: int, mode: str) -> list[dict]:
    runs = IMPORT_RUNS[mode]
    _log(f"{IMPORT}: {runs} fresh interpreters per library")
    env = child_env(threads)
    names = (*LIBS, "numpy")
    for name in names:  # one untimed import each: the files are in the page cache after it
        _import_seconds(name, env)
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(runs):  # interleaved, so that drift of the machine hits all alike
        for name in names:
            times[name].append(_import_seconds(name, env))
    row = _static_row(
        IMPORT,
        f"`import` in a fresh interpreter (median of {runs})",
        "ms",
        {k: 1e3 * statistics.median(v) for k, v in times.items()},
        Target(0.1),
    )
    row["trials_s"] = times
    return [row]


def _tree_bytes(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            full = os.path.join(root, f)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total


def package_dirs(name: str) -> list[str]:
    """The directories SIZE_PACKAGES counts for ``name``, as this interpreter finds them."""
    import importlib.util

    dirs = []
    for package in SIZE_PACKAGES[name]:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"package {package} not found")
        path = os.path.realpath(list(spec.submodule_search_locations)[0])
        dirs.append(path)
        libs = path + ".libs"
        if os.path.isdir(libs):
            dirs.append(libs)
    return dirs


def size_rows() -> list[dict]:
    _log(f"{SIZE}: package directories")
    dirs = {name: package_dirs(name) for name in SIZE_PACKAGES}
    row = _static_row(
        SIZE,
        "installed size (package dirs incl. BLAS and bundled libs)",
        "MB",
        {k: sum(_tree_bytes(d) for d in v) / 1e6 for k, v in dirs.items()},
        Target(0.05),
    )
    row["dirs"] = dirs
    return [row]


# --------------------------------------------------------------------------------------
# Parent: spawn children, print the report
# --------------------------------------------------------------------------------------


def child_env(threads: int) -> dict[str, str]:
    """This process's environment with the thread variables set and the CPU overrides gone."""
    env = dict(os.environ)
    for var in UNSET_IN_CHILD:
        env.pop(var, None)
    for var in BLAS_THREAD_VARS:
        env[var] = str(threads)
    return env


def reexec_with_clean_env(threads: int) -> None:
    """Restarts this process under ``child_env(threads)`` unless it already runs in it.

    For scripts that import the libraries themselves (plot_op_scaling.py): the
    BLAS libraries read these variables when they are loaded.
    """
    env = child_env(threads)
    if any(os.environ.get(k) != env.get(k) for k in (*BLAS_THREAD_VARS, *UNSET_IN_CHILD)):
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


def spawn_child(threads: int, args: argparse.Namespace, selected: list[Workload]) -> dict:
    extra = ["--child"]
    if args.quick:
        extra.append("--quick")
    if args.repeat is not None:
        extra += ["--repeat", str(args.repeat)]
    extra += ["--keys", *(w.key for w in selected)]  # exactly these rows, heavy or not
    return _run_json_child(extra, threads)


def machine_info() -> dict:
    model, physical = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            phys_id = core_id = None
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "model name" and model is None:
                    model = value
                elif key == "physical id":
                    phys_id = value
                elif key == "core id":
                    core_id = value
                elif not key:  # blank line ends a processor block
                    if core_id is not None:
                        physical.add((phys_id, core_id))
                    phys_id = core_id = None
            if core_id is not None:
                physical.add((phys_id, core_id))
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    return {
        "cpu": model or platform.processor() or "unknown",
        "logical_cpus": os.cpu_count(),
        "physical_cores": len(physical) or None,
        "usable_cpus": usable,
        "platform": platform.platform(),
        "loadavg_at_start": _loadavg(),
    }


def _loadavg() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return ""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value < 1 else f"{value:.2f}"


def ratio_of(row: dict) -> float | None:
    """autograd_cpp's value / torch's value (for a time < 1 is better, for GB/s > 1)."""
    ours = row["libs"].get("autograd_cpp", {}).get("value")
    ref = row["libs"].get("torch", {}).get("value")
    if not ours or not ref:
        return None
    return ours / ref


def finish_row(row: dict) -> None:
    """Adds the ratio and whether the row's target is met."""
    row["ratio"] = ratio_of(row)
    target = row.get("target")
    row["target_met"] = Target(**target).met(row) if target else None


def _met_text(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[met]


def _row_line(row: dict, threads: str) -> tuple[str, list[str]]:
    libs = row["libs"]
    notes = []
    flags = ""
    bad = [k for k, c in row["check"].items() if not c["ok"]]
    if bad:
        flags += " ‡"
        diffs = ", ".join(f"{k} {row['check'][k]['max_rel_diff']:.2e}" for k in bad)
        notes.append(
            f"‡ {row['workload']} ({row['metric']}, {threads} thread(s)): results differ "
            f"from torch beyond rtol={row['rtol']:g}: {diffs}"
        )
    spreads = [s["iqr_s"] / s["median_s"] for s in libs.values() if s.get("median_s")]
    if spreads and max(spreads) > NOISY_SPREAD:
        flags += " §"
    target = Target(**row["target"]).text(row["unit"]) if row.get("target") else ""
    ratio = row.get("ratio")
    line = (
        f"| {row['workload']}{flags} | {threads} | {row['metric']} | {row['unit']} | "
        f"{_fmt(libs.get('autograd_cpp', {}).get('value'))} | "
        f"{_fmt(libs.get('torch', {}).get('value'))} | "
        f"{_fmt(libs.get('numpy', {}).get('value'))} | "
        f"{'' if ratio is None else f'{ratio:.2f}'} | {target} | "
        f"{_met_text(row.get('target_met'))} |"
    )
    return line, notes


def _shown_path(path: str | None) -> str:
    """``path`` relative to the repository when inside it (a source checkout's build)."""
    if not path:
        return "?"
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    inside = os.path.commonpath([repo, os.path.abspath(path)]) == repo
    return os.path.relpath(path, repo) if inside else path


def render_table(report: dict) -> str:
    """The header lines, the table and its notes (no title): what goes into README.md."""
    m = report["machine"]
    runs = report["runs"]
    first = runs[0] if runs else {}
    v = first.get("versions", {})
    out = []
    cores = f"{m['logical_cpus']} logical CPUs"
    if m.get("physical_cores"):
        cores += f", {m['physical_cores']} physical cores"
    if m.get("usable_cpus") != m.get("logical_cpus"):
        cores += f", {m['usable_cpus']} usable by this process"
    out.append(f"- Run: {report['config']['date']}, command `{report['config']['command']}`")
    out.append(f"- CPU: {m['cpu']} ({cores})")
    out.append(f"- Platform: {m['platform']}, Python {v.get('python', '?')}")
    built = (
        f", extension built {first['autograd_cpp_built']}"
        if first.get("autograd_cpp_built")
        else ""
    )
    if first:
        out.append(
            f"- Versions: autograd_cpp {v.get('autograd_cpp', '?')} "
            f"(from `{_shown_path(first.get('autograd_cpp_path'))}`{built}), "
            f"torch {v.get('torch', '?')}"
            f" (MKL: {'yes' if first.get('torch_mkl') else 'no'}), numpy {v.get('numpy', '?')}"
        )
    blas = first.get("blas", [])
    if blas:
        parts = [f"{b['lib']} core={b.get('core', '?')}" for b in blas]
        out.append(f"- OpenBLAS: {'; '.join(parts)}")
    out.append(f"- Mode: {'quick (smoke run, noisy)' if report['config']['quick'] else 'full'}")
    load = m.get("loadavg_at_start")
    if load is not None:
        busy = " (the machine was busy: expect noisy timings)" if load > 0.5 else ""
        out.append(f"- 1-minute load average at start: {load:.2f}{busy}")
    out.append("")
    out.append(
        "| workload | threads | metric | unit | autograd_cpp | torch | numpy | ratio | "
        "target | met |"
    )
    out.append("|---|---:|---|---|---:|---:|---:|---:|---|---|")
    notes = []
    # The thread counts of one metric sit next to each other.
    order: list[tuple[str, str]] = []
    by_key: dict[tuple[str, str], list[tuple[int, dict]]] = {}
    for run in runs:
        for row in run["results"]:
            key = (row["workload"], row["metric"])
            if key not in by_key:
                order.append(key)
                by_key[key] = []
            by_key[key].append((run["threads"], row))
    for key in order:
        for threads, row in by_key[key]:
            line, row_notes = _row_line(row, str(threads))
            out.append(line)
            notes += row_notes
    for row in report.get("static", []):
        line, row_notes = _row_line(row, "–")
        out.append(line)
        notes += row_notes
    out.append("")
    out.append(
        "Values are medians over repeated trials. ratio = autograd_cpp / torch of the "
        "values shown, so for times (us, ms, MiB, MB) below 1 is better for autograd_cpp and "
        "for throughputs (GFLOP/s, GB/s, %) above 1 is. target: issue 7's goal for the ratio "
        "(or, with a unit, for autograd_cpp's own value). Each thread count runs in its own "
        f"process with {'/'.join(BLAS_THREAD_VARS)} set to it and "
        f"{'/'.join(UNSET_IN_CHILD)} unset; torch.set_num_threads and "
        "autograd_cpp.set_num_threads are called with it. The numpy column is a "
        "graph-free reference (hand-written backward where there is a backward). "
        f"§: for some library the trials' interquartile range exceeds {NOISY_SPREAD:.0%} "
        "of the median (noisy)."
    )
    for run in runs:
        eff = run["effective_threads"]
        if any(n != run["threads"] for n in eff.values()):
            notes.append(f"thread count {run['threads']}: libraries report {eff}")
        for b in run.get("blas", []):
            if "threads" in b and b["threads"] != run["threads"]:
                notes.append(
                    f"thread count {run['threads']}: {b['lib']} reports {b['threads']} thread(s)"
                )
    for note in notes:
        out.append("")
        out.append(note)
    return "\n".join(out)


def render(report: dict) -> str:
    return "# autograd_cpp vs PyTorch\n\n" + render_table(report)


README_BEGIN, README_END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_readme(path: str, table: str) -> None:
    """Replaces what lies between the bench markers in ``path`` with ``table``."""
    with open(path) as f:
        text = f.read()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"{path} lacks the markers {README_BEGIN} ... {README_END}")
    head = text[: begin + len(README_BEGIN)]
    with open(path, "w") as f:
        f.write(f"{head}\n{table}\n{text[end:]}")


def select_workloads(names: list[str] | None, quick: bool) -> tuple[list[Workload], list[str]]:
    """The timed workloads and the library-level measures to run.

    Without names: everything, except heavy workloads under --quick.
    """
    if not names:
        return [w for w in WORKLOADS if not (quick and w.heavy)], list(SYSTEM_MEASURES)
    known = {w.name for w in WORKLOADS} | set(SYSTEM_MEASURES)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown workload(s): {', '.join(unknown)}; known: {sorted(known)}")
    return [w for w in WORKLOADS if w.name in names], [m for m in SYSTEM_MEASURES if m in names]


RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
REPO_README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Benchmark autograd_cpp against PyTorch (and numpy) side by side."
    )
    p.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=list(DEFAULT_THREADS),
        metavar="N",
        help="thread counts to run, each in its own process (default: 1 2)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="few repeats and no heavy workloads: a fast, noisy smoke run",
    )
    p.add_argument("--repeat", type=int, default=None, help="trials per library (overrides)")
    p.add_argument(
        "--json",
        metavar="PATH",
        help="where to write the raw results (default: benchmarks/results/bench_vs_torch"
        "[-quick|-partial].json, with the table next to it as .md)",
    )
    p.add_argument(
        "--readme",
        nargs="?",
        const=REPO_README,
        metavar="PATH",
        help=f"write the table into PATH (default: the repository's README.md) between "
        f"{README_BEGIN} and {README_END}",
    )
    p.add_argument(
        "--workloads", nargs="+", metavar="NAME", help="run only these workloads (default: all)"
    )
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument(
        "--render",
        metavar="JSON",
        help="run nothing: print (and with --readme write) the report of a saved run",
    )
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--memory-child", metavar="LIB", help=argparse.SUPPRESS)
    p.add_argument("--keys", nargs="+", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if any(n < 1 for n in args.threads):
        p.error("--threads must be >= 1")
    if args.repeat is not None and args.repeat < 1:
        p.error("--repeat must be >= 1")
    return args


def _default_json_path(args: argparse.Namespace) -> str:
    partial = args.workloads or args.repeat is not None or args.threads != list(DEFAULT_THREADS)
    suffix = "-quick" if args.quick else "-partial" if partial else ""
    return os.path.join(RESULTS_DIR, f"bench_vs_torch{suffix}.json")


def main(argv=None) -> int:
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    if args.list:
        for w in WORKLOADS:
            heavy = " (heavy: not in --quick)" if w.heavy else ""
            print(f"{w.name:12s} {w.metric} [{w.unit}]  {w.description}{heavy}")
        for name, text in SYSTEM_MEASURES.items():
            print(f"{name:12s} {text}")
        return 0
    if args.render:
        with open(args.render) as f:
            report = json.load(f)
        print(render(report))
        if args.readme:
            write_readme(args.readme, render_table(report))
        return 0
    if args.memory_child:
        print(json.dumps(run_memory_child(args.memory_child, args.threads[0], MEMORY_STEPS[mode])))
        return 0
    selected, measures = select_workloads(args.workloads, args.quick)
    plan = QUICK if args.quick else FULL
    if args.repeat is not None:
        plan = dataclasses.replace(plan, repeat=args.repeat, blocks=min(plan.blocks, args.repeat))

    if args.child:
        if args.keys:
            selected = [w for w in WORKLOADS if w.key in args.keys]
        (threads,) = args.threads
        print(json.dumps(run_child(threads, selected, plan)), flush=True)
        return 0

    machine = machine_info()
    usable = machine["usable_cpus"] or 1
    for n in args.threads:
        if n > usable:
            _log(f"warning: {n} threads but only {usable} CPUs are usable; timings will suffer")
    start = time.perf_counter()
    runs, static, failed = [], [], []
    for n in args.threads:
        try:
            run = spawn_child(n, args, selected) if selected else {"threads": n, "results": []}
            if MEMORY in measures:
                run["results"] += memory_rows(n, mode)
            runs.append(run)
        except (RuntimeError, json.JSONDecodeError) as e:
            _log(f"error: {e}")
            failed.append(n)
    try:
        if IMPORT in measures:
            static += import_rows(args.threads[0], mode)
        if SIZE in measures:
            static += size_rows()
    except (RuntimeError, subprocess.CalledProcessError, ValueError) as e:
        _log(f"error: {e}")
        failed.append("static")
    report = {
        "machine": machine,
        "config": {
            "quick": args.quick,
            "plan": dataclasses.asdict(plan),
            "threads": args.threads,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "command": " ".join(["python benchmarks/bench_vs_torch.py", *(argv or sys.argv[1:])]),
            "wall_s": time.perf_counter() - start,
        },
        "runs": runs,
        "static": static,
    }
    for run in runs:
        run.setdefault("effective_threads", {})
        for row in run["results"]:
            finish_row(row)
    for row in static:
        finish_row(row)
    text = render(report)
    print(text)
    json_path = args.json or _default_json_path(args)
    os.makedirs(os.path.dirname(os.path.abspath(json_path)), exist_ok=True)
    with open(json_path, "w") as f:
        json.dump(report, f, indent=2)
    with open(os.path.splitext(json_path)[0] + ".md", "w") as f:
        f.write(text + "\n")
    _log(f"raw results written to {json_path}")
    if args.readme:
        write_readme(args.readme, render_table(report))
        _log(f"table written into {args.readme}")
    _log(f"total wall time: {report['config']['wall_s']:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
