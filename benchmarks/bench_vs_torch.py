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

    @property
    def key(self) -> str:
        return f"{self.name}/{self.metric}"


WORKLOADS: list[Workload] = []


def workload(
    name: str,
    *,
    metric: str,
    unit: str,
    kind: str = "time",
    to_value: Callable[[float], float],
    numpy: Callable[[Any], Callable[[], Any]] | None = None,
    rtol: float = 1e-4,
):
    """Registers ``fn(lib) -> callable`` as a workload (decorator)."""
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


def _small_ops_inputs():
    import numpy as np

    rng = _rng()
    x = rng.standard_normal(SMALL_OPS_SIZE).astype(np.float32)
    c = rng.uniform(-1.0, 1.0, SMALL_OPS_SIZE).astype(np.float32)
    w = rng.uniform(0.5, 1.5, SMALL_OPS_SIZE).astype(np.float32)
    d = rng.uniform(1.0, 2.0, SMALL_OPS_SIZE).astype(np.float32)
    return x, c, w, d


def _small_ops_chain(x, c, w, d):
    """200 elementwise ops. Every value stays in about [-1, 3.5], so exp cannot overflow."""
    y = x
    for _ in range(SMALL_OPS_BLOCKS):
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


def _small_ops_numpy(np):
    """The same chain in numpy: forward values, then the reverse pass written by hand."""
    x, c, w, d = _small_ops_inputs()

    def step():
        y = x
        saved = []
        for _ in range(SMALL_OPS_BLOCKS):
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


# ---- matmul ----------------------------------------------------------------------------

MATMUL_N = 1024


def _matmul_inputs():
    import numpy as np

    rng = _rng()
    a = rng.standard_normal((MATMUL_N, MATMUL_N)).astype(np.float32)
    b = rng.standard_normal((MATMUL_N, MATMUL_N)).astype(np.float32)
    return a, b


def _matmul_fwd_numpy(np):
    a, b = _matmul_inputs()
    return lambda: a @ b


@workload(
    "matmul",
    metric=f"fwd, n={MATMUL_N} float32",
    unit="GFLOP/s",
    kind="throughput",
    to_value=lambda s: 2.0 * MATMUL_N**3 / s / 1e9,
    numpy=_matmul_fwd_numpy,
    rtol=1e-4,
)
def matmul_fwd(lib):
    """C = A @ B for two n x n float32 matrices that do not require grad."""
    a, b = _matmul_inputs()
    A, B = _from_numpy(lib, a), _from_numpy(lib, b)
    return lambda: A @ B


def _matmul_fwd_bwd_numpy(np):
    a, b = _matmul_inputs()

    def step():
        c = a @ b
        c.sum()
        g = np.ones_like(c)  # d sum / d C
        return g @ b.T, a.T @ g

    return step


@workload(
    "matmul",
    metric=f"fwd+bwd, n={MATMUL_N} float32",
    unit="ms",
    to_value=lambda s: s * 1e3,
    numpy=_matmul_fwd_bwd_numpy,
    rtol=1e-4,
)
def matmul_fwd_bwd(lib):
    """(A @ B).sum().backward() with A and B requiring grad."""
    a, b = _matmul_inputs()
    A = _from_numpy(lib, a, requires_grad=True)
    B = _from_numpy(lib, b, requires_grad=True)

    def step():
        A.grad = None
        B.grad = None
        (A @ B).sum().backward()
        return A.grad, B.grad

    return step


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


def _red_input():
    import numpy as np

    return _rng().standard_normal((RED_N, RED_N)).astype(np.float32)


def _reduction(name, fn, np_fn):
    @workload(
        "reductions",
        metric=f"{name}, {RED_N}x{RED_N} float32",
        unit="ms",
        to_value=lambda s: s * 1e3,
        numpy=lambda np: (lambda a: lambda: np_fn(np, a))(_red_input()),
        rtol=1e-3,
    )
    def run(lib):
        x = _from_numpy(lib, _red_input())
        return lambda: fn(lib, x)

    return run


_reduction("sum over rows", lambda m, x: x.sum(1), lambda np, a: a.sum(1))
_reduction("sum over columns", lambda m, x: x.sum(0), lambda np, a: a.sum(0))
_reduction("mean of all", lambda m, x: x.mean(), lambda np, a: a.mean(dtype=np.float64))
_reduction(
    "softmax over rows",
    lambda m, x: m.softmax(x, 1),
    lambda np, a: (lambda e: e / e.sum(1, keepdims=True))(np.exp(a - a.max(1, keepdims=True))),
)


# --------------------------------------------------------------------------------------
# Child: time everything at one thread count
# --------------------------------------------------------------------------------------


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _call_times(fn: Callable[[], Any], number: int) -> float:
    """Seconds for ``number`` back-to-back calls, with the garbage collector off."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        return time.perf_counter() - t0
    finally:
        if gc_was_enabled:
            gc.enable()


def _warm_up(fn: Callable[[], Any], min_calls: int, min_s: float) -> float:
    """Calls ``fn`` at least ``min_calls`` times and ``min_s`` seconds; returns s/call."""
    per_call = []
    start = time.perf_counter()
    while len(per_call) < max(1, min_calls) or time.perf_counter() - start < min_s:
        per_call.append(_call_times(fn, 1))
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
                "libs": stats,
            }
        )

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
# Parent: spawn children, print the report
# --------------------------------------------------------------------------------------


def child_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for var in UNSET_IN_CHILD:
        env.pop(var, None)
    for var in BLAS_THREAD_VARS:
        env[var] = str(threads)
    return env


def spawn_child(threads: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--threads", str(threads)]
    if args.quick:
        cmd.append("--quick")
    if args.repeat is not None:
        cmd += ["--repeat", str(args.repeat)]
    if args.workloads:
        cmd += ["--workloads", *args.workloads]
    proc = subprocess.run(cmd, env=child_env(threads), stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child for {threads} thread(s) exited with {proc.returncode}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError(f"benchmark child for {threads} thread(s) printed nothing")
    return json.loads(lines[-1])


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


def ratio_of(result: dict) -> float | None:
    """< 1 means autograd_cpp is better, for both kinds of metric."""
    ours = result["libs"]["autograd_cpp"]["value"]
    ref = result["libs"]["torch"]["value"]
    if not ours or not ref:
        return None
    return ref / ours if result["kind"] == "throughput" else ours / ref


def render(report: dict) -> str:
    m = report["machine"]
    first = report["runs"][0] if report["runs"] else {}
    v = first.get("versions", {})
    out = ["# autograd_cpp vs PyTorch", ""]
    cores = f"{m['logical_cpus']} logical CPUs"
    if m.get("physical_cores"):
        cores += f", {m['physical_cores']} physical cores"
    if m.get("usable_cpus") != m.get("logical_cpus"):
        cores += f", {m['usable_cpus']} usable by this process"
    out.append(f"- CPU: {m['cpu']} ({cores})")
    out.append(f"- Platform: {m['platform']}, Python {v.get('python', '?')}")
    built = (
        f" (extension built {first['autograd_cpp_built']})"
        if first.get("autograd_cpp_built")
        else ""
    )
    out.append(
        f"- Versions: autograd_cpp {v.get('autograd_cpp', '?')}{built}, torch {v.get('torch', '?')}"
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
    out.append("| workload | threads | metric | autograd_cpp | torch | numpy | ratio |")
    out.append("|---|---:|---|---:|---:|---:|---:|")
    notes = []
    any_noisy = False
    for run in report["runs"]:
        t = run["threads"]
        for r in run["results"]:
            libs = r["libs"]
            ratio = ratio_of(r)
            mark = " †" if r["kind"] == "throughput" else ""
            bad = [k for k, c in r["check"].items() if not c["ok"]]
            flag = " ‡" if bad else ""
            spread = max(s["iqr_s"] / s["median_s"] for s in libs.values() if s["median_s"] > 0)
            noisy = spread > NOISY_SPREAD
            if noisy:
                flag += " §"
                any_noisy = True
            if bad:
                diffs = ", ".join(f"{k} {r['check'][k]['max_rel_diff']:.2e}" for k in bad)
                notes.append(
                    f"‡ {r['workload']} ({r['metric']}, {t} thread(s)): results differ from "
                    f"torch beyond rtol={r['rtol']:g}: {diffs}"
                )
            out.append(
                f"| {r['workload']}{flag} | {t} | {r['metric']}, {r['unit']} | "
                f"{_fmt(libs['autograd_cpp']['value'])} | {_fmt(libs['torch']['value'])} | "
                f"{_fmt(libs['numpy']['value']) if 'numpy' in libs else ''} | "
                f"{'' if ratio is None else f'{ratio:.2f}'}{mark} |"
            )
    out.append("")
    out.append(
        "Values are medians over repeated trials. ratio = autograd_cpp / torch for times; "
        "† for throughputs (GFLOP/s) it is torch / autograd_cpp, so in every row "
        "ratio < 1 means autograd_cpp is faster. Each thread count runs in its own process "
        f"with {'/'.join(BLAS_THREAD_VARS)} set to it and "
        f"{'/'.join(UNSET_IN_CHILD)} unset; torch.set_num_threads and "
        "autograd_cpp.set_num_threads are called with it. The numpy column is a "
        "graph-free reference (hand-written backward where there is a backward)."
    )
    if any_noisy:
        notes.append(
            f"§ noisy: for at least one library the interquartile range of the trials is more "
            f"than {NOISY_SPREAD:.0%} of the median; rerun on a quiet machine before trusting it."
        )
    for run in report["runs"]:
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


def select_workloads(names: list[str] | None) -> list[Workload]:
    if not names:
        return list(WORKLOADS)
    known = {w.name for w in WORKLOADS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown workload(s): {', '.join(unknown)}; known: {sorted(known)}")
    return [w for w in WORKLOADS if w.name in names]


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
    p.add_argument("--quick", action="store_true", help="few repeats: a fast, noisy smoke run")
    p.add_argument("--repeat", type=int, default=None, help="trials per library (overrides)")
    p.add_argument("--json", metavar="PATH", help="also write the raw results to PATH")
    p.add_argument(
        "--workloads", nargs="+", metavar="NAME", help="run only these workloads (default: all)"
    )
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if any(n < 1 for n in args.threads):
        p.error("--threads must be >= 1")
    if args.repeat is not None and args.repeat < 1:
        p.error("--repeat must be >= 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.list:
        for w in WORKLOADS:
            print(f"{w.name:12s} {w.metric} [{w.unit}]  {w.description}")
        return 0
    selected = select_workloads(args.workloads)
    plan = QUICK if args.quick else FULL
    if args.repeat is not None:
        plan = dataclasses.replace(plan, repeat=args.repeat, blocks=min(plan.blocks, args.repeat))

    if args.child:
        (threads,) = args.threads
        print(json.dumps(run_child(threads, selected, plan)), flush=True)
        return 0

    machine = machine_info()
    usable = machine["usable_cpus"] or 1
    for n in args.threads:
        if n > usable:
            _log(f"warning: {n} threads but only {usable} CPUs are usable; timings will suffer")
    start = time.perf_counter()
    runs, failed = [], []
    for n in args.threads:
        try:
            runs.append(spawn_child(n, args))
        except (RuntimeError, json.JSONDecodeError) as e:
            _log(f"error: {e}")
            failed.append(n)
    report = {
        "machine": machine,
        "config": {
            "quick": args.quick,
            "plan": dataclasses.asdict(plan),
            "threads": args.threads,
            "wall_s": time.perf_counter() - start,
        },
        "runs": runs,
    }
    for run in runs:
        for r in run["results"]:
            r["ratio"] = ratio_of(r)
    print(render(report))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
        _log(f"raw results written to {args.json}")
    _log(f"total wall time: {report['config']['wall_s']:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
