#!/usr/bin/env python
"""Distributed benchmarks: gradient all-reduce throughput and DDP step scaling.

Run ``python benchmarks/bench_distributed.py`` (add ``--quick`` for a smoke
run). The script starts itself under ``mpirun -n 1`` and ``mpirun -n 2``
(``--worker``), one thread per rank, and prints two markdown tables:

* all-reduce of float32 buffers of growing size across 2 ranks, through
  ``autograd_cpp.distributed.all_reduce`` on a tensor and through raw mpi4py on
  a NumPy array (the floor our wrapper sits on). Bandwidth is the message size
  over the time per call (with 2 ranks this equals the bus bandwidth, as a
  ring all-reduce sends 2(n-1)/n of the message per rank).
* one training step (forward, backward, gradient all-reduce, Adam) of an MLP
  with a fixed batch per rank: 1 rank, 2 ranks with DistributedDataParallel,
  and 2 ranks without it (the same compute, no communication). Scaling
  efficiency is the 2-rank throughput over twice the 1-rank throughput.

Extra arguments after ``--`` go to mpirun (e.g. ``-- --hostfile hosts``).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time


def median_times(fns, repeats, inner):
    """Median seconds per call of each function, the functions taking turns
    in every repeat so that a change in machine load hits them alike."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, acc in zip(fns, times):
            start = time.perf_counter()
            for _ in range(inner):
                fn()
            acc.append((time.perf_counter() - start) / inner)
    return [sorted(t)[len(t) // 2] for t in times]


def worker(quick):
    import numpy as np
    from mpi4py import MPI

    import autograd_cpp as torch
    import autograd_cpp.distributed as dist
    from autograd_cpp import nn
    from autograd_cpp.nn.parallel import DistributedDataParallel

    torch.set_num_threads(1)
    dist.init()
    world, rank = dist.world_size(), dist.rank()
    comm = dist._state.comm
    results = {"world": world, "allreduce": []}
    repeats = 3 if quick else 7

    if world > 1:
        sizes = [2**k for k in range(12, 25 if quick else 27, 2)]  # 4 KiB .. 64 MiB
        for nbytes in sizes:
            t = torch.ones(nbytes // 4)
            a = np.ones(nbytes // 4, dtype=np.float32)
            inner = max(1, min(200, (1 << 24) // nbytes))
            dist.barrier()
            ours, raw = median_times(
                [lambda t=t: dist.all_reduce(t), lambda a=a: comm.Allreduce(MPI.IN_PLACE, a)],
                repeats,
                inner,
            )
            results["allreduce"].append({"bytes": nbytes, "ours": ours, "mpi4py": raw})

    torch.manual_seed(0)
    batch, width = 64, 512
    x, y = torch.randn(batch, 256), torch.randint(0, 10, (batch,))

    def step_fn(model):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()

        return step

    def mlp():
        torch.manual_seed(0)
        return nn.Sequential(
            nn.Linear(256, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
            nn.Linear(width, 10),
        )  # fmt: skip

    steps = [step_fn(mlp()), step_fn(DistributedDataParallel(mlp()))]
    for step in steps:
        step()
    dist.barrier()
    plain, ddp = median_times(steps, repeats, 5 if quick else 20)
    results["step"] = {"plain": plain, "ddp": ddp}
    results["params_mb"] = sum(p.numel() for p in mlp().parameters()) * 4 / 1e6
    results["batch"] = batch
    if rank == 0:
        print("RESULT " + json.dumps(results), flush=True)


def launch(n, quick, extra):
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        raise SystemExit("mpirun not found: apt-get install openmpi-bin libopenmpi-dev")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = [mpirun, "--oversubscribe", "-n", str(n), *extra, sys.executable, __file__, "--worker"]
    out = subprocess.run(
        cmd + (["--quick"] if quick else []), env=env, capture_output=True, text=True, check=False
    )
    lines = [x for x in out.stdout.splitlines() if x.startswith("RESULT ")]
    if out.returncode or not lines:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(lines[0][len("RESULT ") :])


def report(one, two):
    print("### all-reduce across 2 ranks (float32)\n")
    print("| size | autograd_cpp all_reduce | GB/s | raw mpi4py | GB/s | ours/raw time |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in two["allreduce"]:
        size = r["bytes"]
        label = f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"
        ours_bw, raw_bw = size / r["ours"] / 1e9, size / r["mpi4py"] / 1e9
        print(
            f"| {label} | {r['ours'] * 1e6:.1f} us | {ours_bw:.2f} | "
            f"{r['mpi4py'] * 1e6:.1f} us | {raw_bw:.2f} | {r['ours'] / r['mpi4py']:.2f} |"
        )
    batch = one["batch"]
    print(
        f"\n### training step, MLP 256-512-512-10 ({one['params_mb']:.2f} MB of gradients), "
        f"batch {batch} per rank\n"
    )
    print("| run | step time | samples/s | scaling efficiency |")
    print("|---|---:|---:|---:|")
    base = batch / one["step"]["plain"]
    rows = (
        ("1 rank", one["step"]["plain"], 1),
        ("1 rank, DDP", one["step"]["ddp"], 1),
        ("2 ranks, DDP", two["step"]["ddp"], 2),
        ("2 ranks, no communication", two["step"]["plain"], 2),
    )
    for name, t, n in rows:
        rate = n * batch / t
        print(f"| {name} | {t * 1e3:.2f} ms | {rate:.0f} | {rate / (n * base):.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument("mpirun_args", nargs="*", help="extra mpirun arguments, after --")
    args = parser.parse_args()
    if args.worker:
        worker(args.quick)
        return
    report(launch(1, args.quick, args.mpirun_args), launch(2, args.quick, args.mpirun_args))


if __name__ == "__main__":
    main()
