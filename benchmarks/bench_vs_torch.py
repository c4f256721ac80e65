#!/usr/bin/env python
"""Side-by-side benchmarks: autograd_cpp against PyTorch (and numpy where it fits).

Run ``python benchmarks/bench_vs_torch.py`` (see benchmarks/README.md).

This file is the command line. The workloads are in ``bench_workloads.py``,
the timing harness (plans, child processes, agreement check, memory, import
and size measures) in ``bench_harness.py``, the report in ``bench_report.py``.

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
callable returns is used once, before timing, to check that the libraries agree;
a disagreement makes the run exit non-zero.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time

import bench_steps  # noqa: F401  (registers the training-step workloads)
from bench_harness import (
    DEFAULT_THREADS,
    FULL,
    IMPORT,
    MEMORY,
    MEMORY_STEPS,
    QUICK,
    SIZE,
    SYSTEM_MEASURES,
    TORCH_ALLOC_VARIANT,
    _log,
    agreement_failures,
    import_rows,
    memory_rows,
    run_child,
    run_memory_child,
    size_rows,
    spawn_child,
)
from bench_report import (
    README_BEGIN,
    README_END,
    finish_row,
    machine_info,
    render,
    render_table,
    write_readme,
)
from bench_workloads import WORKLOADS, Workload


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
            variant = [w for w in selected if w.torch_alloc_variant]
            if variant:
                extra = spawn_child(n, args, variant, TORCH_ALLOC_VARIANT)
                run["results"] += extra["results"]
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
    mismatches = agreement_failures(runs)
    for line in mismatches:
        _log(f"error: results differ: {line}")
    return 1 if failed or mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
