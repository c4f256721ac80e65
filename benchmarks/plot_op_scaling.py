#!/usr/bin/env python
"""Time per op against tensor size, autograd_cpp and PyTorch side by side.

Times one elementwise op (``x * y``, both float32 tensors of n elements) forward
only and forward+backward (``(x * y).backward(g)``, gradients into both
inputs), for n from 1 to 16M, and plots both libraries' times with the sizes at
which the curves cross marked. Small tensors show each library's fixed cost per
op, large ones its memory bandwidth.

    python benchmarks/plot_op_scaling.py            # writes benchmarks/results/op_scaling.png
    python benchmarks/plot_op_scaling.py --quick    # fewer sizes and trials

Like bench_vs_torch.py it runs with one thread count for both libraries (set
before they are loaded: the script restarts itself with the BLAS thread
variables set and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import math
import os
import sys

import bench_harness
import bench_report
import bench_workloads

SIZES = [4**k for k in range(13)]  # 1 .. 16M (4**12 = 16,777,216)
QUICK_SIZES = [4**k for k in range(0, 13, 3)]
PLAN = bench_harness.Plan(
    warmup_calls=3, warmup_s=0.05, block_warmup_s=0.02, min_trial_s=0.02, repeat=8, blocks=2
)
QUICK_PLAN = bench_harness.Plan(
    warmup_calls=1, warmup_s=0.0, block_warmup_s=0.0, min_trial_s=0.005, repeat=3, blocks=1
)
MODES = {
    "fwd": "forward: x * y",
    "fwd+bwd": "forward + backward: (x * y).backward(g)",
}


def build(lib, n: int, mode: str):
    """The callable to time: one op on n-element float32 tensors."""
    import numpy as np

    rng = np.random.default_rng(bench_workloads.SEED)
    xa, ya = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
    grad = lib.ones(n)
    x = bench_workloads._from_numpy(lib, xa, requires_grad=mode == "fwd+bwd")
    y = bench_workloads._from_numpy(lib, ya, requires_grad=mode == "fwd+bwd")
    if mode == "fwd":
        return lambda: x * y

    def step():
        x.grad = None
        y.grad = None
        (x * y).backward(grad)
        return x.grad, y.grad

    return step


def measure(sizes: list[int], plan: bench_harness.Plan, threads: int) -> dict:
    mods = {name: importlib.import_module(name) for name in bench_harness.LIBS}
    for mod in mods.values():
        mod.set_num_threads(threads)
    out = {mode: {name: [] for name in mods} for mode in MODES}
    for mode in MODES:
        for n in sizes:
            bench_harness._log(f"{mode}: n={n}")
            stats = bench_harness._time_libs({k: build(m, n, mode) for k, m in mods.items()}, plan)
            for name, s in stats.items():
                out[mode][name].append(s["median_s"])
    return out


def crossings(sizes: list[int], a: list[float], b: list[float]) -> list[float]:
    """Sizes where a / b crosses 1, interpolated linearly in log(size) and log(ratio)."""
    found = []
    logs = [math.log(x / y) for x, y in zip(a, b)]
    for i in range(len(sizes) - 1):
        r0, r1 = logs[i], logs[i + 1]
        if r0 == 0.0:
            found.append(float(sizes[i]))
        elif r0 * r1 < 0:
            f = r0 / (r0 - r1)
            found.append(math.exp(math.log(sizes[i]) + f * math.log(sizes[i + 1] / sizes[i])))
    return found


def plot(sizes: list[int], times: dict, threads: int, path: str, title_note: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"autograd_cpp": "tab:blue", "torch": "tab:orange"}
    fig, axes = plt.subplots(1, len(MODES), figsize=(13, 5.2), constrained_layout=True)
    for ax, (mode, label) in zip(axes, MODES.items()):
        per_lib = times[mode]
        for name in bench_harness.LIBS:
            ax.plot(
                sizes,
                [t * 1e6 for t in per_lib[name]],
                marker="o",
                ms=4,
                color=colours[name],
                label=name,
            )
        cross = crossings(sizes, per_lib["autograd_cpp"], per_lib["torch"])
        if not cross:
            ax.text(
                0.98,
                0.03,
                "the curves do not cross",
                transform=ax.transAxes,
                ha="right",
                fontsize=9,
                color="dimgrey",
            )
        for c in cross:
            ax.axvline(c, color="grey", ls="--", lw=1)
            ax.annotate(
                f"cross at ~{c:,.0f}",
                xy=(c, 0.5),
                xycoords=("data", "axes fraction"),
                rotation=90,
                va="center",
                ha="right",
                fontsize=9,
                color="dimgrey",
            )
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("elements per tensor (float32)")
        ax.set_ylabel("time per op (µs)")
        ax.set_title(label)
        ax.grid(True, which="major", alpha=0.4)
        ax.legend(loc="upper left")
    fig.suptitle(f"Time per elementwise op against size, {threads} thread(s){title_note}")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1, help="threads for both libraries")
    p.add_argument("--quick", action="store_true", help="fewer sizes and trials")
    p.add_argument(
        "--out",
        default=os.path.join(
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"), "op_scaling.png"
        ),
        help="PNG path (a JSON of the times is written next to it)",
    )
    args = p.parse_args(argv)
    bench_harness.reexec_with_clean_env(args.threads)
    sizes, plan = (QUICK_SIZES, QUICK_PLAN) if args.quick else (SIZES, PLAN)
    times = measure(sizes, plan, args.threads)
    machine = bench_report.machine_info()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    plot(sizes, times, args.threads, args.out, f" — {machine['cpu']}")
    cross = {m: crossings(sizes, t["autograd_cpp"], t["torch"]) for m, t in times.items()}
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump(
            {
                "sizes": sizes,
                "threads": args.threads,
                "plan": dataclasses.asdict(plan),
                "machine": machine,
                "seconds_per_op": times,
                "crossings": cross,
            },
            f,
            indent=2,
        )
    for mode, cs in cross.items():
        where = ", ".join(f"~{c:,.0f}" for c in cs)
        print(f"{mode}: " + (f"the curves cross at {where} elements" if cs else "no crossing"))
    print(f"plot written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
