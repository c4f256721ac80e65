"""The timing harness of bench_vs_torch.py: timing plans, the child process
that times every workload at one thread count (with its clean environment), the
agreement check between libraries, and the system measures (peak memory,
import time, installed size)."""

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

from bench_workloads import (
    DERIVED,
    NOT_SLOWER,
    SEED,
    Prepared,
    Target,
    Workload,
    mlp_step,
)

# The children are the command-line script itself, run with --child.
ENTRY_POINT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_vs_torch.py")
LIBS = ("autograd_cpp", "torch")  # compared libraries; the ratio is LIBS[0] vs LIBS[1]
DEFAULT_THREADS = (1, 2)
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
UNSET_IN_CHILD = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

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


def _run_json_child(
    extra_args: list[str], threads: int, extra_env: dict[str, str] | None = None
) -> dict:
    """Runs this script with ``extra_args`` in a cleaned environment; parses its JSON line."""
    cmd = [sys.executable, ENTRY_POINT, "--threads", str(threads), *extra_args]
    env = child_env(threads) | (extra_env or {})
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
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
    # An installed package imports from bytecode pip compiled; a source tree
    # under PYTHONDONTWRITEBYTECODE would compile every module on every import.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
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


# PyTorch's CPU allocator setting under which the torch_alloc_variant rows are
# timed a second time: with transparent huge pages, fresh large buffers fault in
# 2 MiB at a time instead of 4 KiB (the default run is page-fault bound there).
TORCH_ALLOC_VARIANT = {"THP_MEM_ALLOC_ENABLE": "1"}


def spawn_child(
    threads: int,
    args: argparse.Namespace,
    selected: list[Workload],
    extra_env: dict[str, str] | None = None,
) -> dict:
    extra = ["--child"]
    if args.quick:
        extra.append("--quick")
    if args.repeat is not None:
        extra += ["--repeat", str(args.repeat)]
    extra += ["--keys", *(w.key for w in selected)]  # exactly these rows, heavy or not
    run = _run_json_child(extra, threads, extra_env)
    if extra_env:
        setting = " ".join(f"{k}={v}" for k, v in extra_env.items())
        for row in run["results"]:
            row["metric"] += f" [torch: {setting}]"
            row["torch_env"] = dict(extra_env)
    return run


def agreement_failures(runs: list[dict]) -> list[str]:
    """One line per row whose libraries' results differ beyond its rtol."""
    failures = []
    for run in runs:
        for row in run["results"]:
            for lib, check in row.get("check", {}).items():
                if not check["ok"]:
                    failures.append(
                        f"{row['workload']} ({row['metric']}, {run['threads']} thread(s)): "
                        f"{lib} differs from torch by {check['max_rel_diff']:.2e} "
                        f"(rtol {row['rtol']:g})"
                    )
    return failures
