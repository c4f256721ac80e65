#!/usr/bin/env python
"""Capture and replay (``autograd_cpp.compile``) against eager and PyTorch.

Side by side in one process, one thread:

* ``chain``: 200 elementwise ops on a (16,) tensor that requires grad, then
  backward (each op is recorded in the graph and differentiated): time per
  op, compiled with elementwise fusion (the default) and without it
  (``unfused``: every recorded op replayed);
* ``mlp_adam``: a 16-64-64-1 ReLU MLP, batch 32, one training step
  (zero_grad, forward, MSE loss, backward, Adam step);
* ``memory_plan``: the compiled ``mlp_adam`` step with the memory plan on
  and off (trials alternating), and the allocations one replay makes:
  served from the program's kept buffers, or ordinary ones;
* ``capture``: the first calls of the compiled functions: for autograd_cpp
  the eager warm-up call plus the capturing call, for PyTorch
  ``torch.compile``'s first call (code generation and C++ compilation).

For each workload: autograd_cpp eager, autograd_cpp compiled, torch eager and
torch.compile (when it works on this machine: it needs a C++ compiler;
``--no-torch-compile`` skips it), medians over repeats, and the ratios the
issue's targets are stated in. Compiled results are checked bit for bit
against eager before timing, and against torch within float tolerance.

    PYTHONPATH=python python benchmarks/bench_compile.py [--repeat N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import autograd_cpp as ag  # noqa: E402

CHAIN_OPS = 200


def chain_fn(lib: Any) -> Callable[[Any], Any]:
    """200 elementwise ops (4 per round: mul, sin, add, tanh), then backward."""

    def chain(x: Any) -> Any:
        y = x
        for _ in range(CHAIN_OPS // 4):
            y = (y * 1.01).sin() + x
            y = y.tanh()
        loss = y.sum()
        loss.backward()
        return loss

    return chain


def mlp_setup(lib: Any) -> tuple[Any, Any, Callable[[Any, Any], Any]]:
    rng = np.random.default_rng(0)
    model = lib.nn.Sequential(
        lib.nn.Linear(16, 64),
        lib.nn.ReLU(),
        lib.nn.Linear(64, 64),
        lib.nn.ReLU(),
        lib.nn.Linear(64, 1),
    )
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rng.uniform(-0.2, 0.2, tuple(p.shape)).astype(np.float32)))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)

    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, opt, step


def median_time(fn: Callable[[], Any], repeat: int, inner: int) -> float:
    """Median seconds per call over `repeat` trials of `inner` calls."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t) / inner)
    return statistics.median(times)


def bits(t: Any) -> bytes:
    return bytes(t.detach().numpy().tobytes())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-torch-compile", action="store_true")
    parser.add_argument("--json", help="write the results here as JSON")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    ag.set_num_threads(1)
    libs = {"ag": ag, "torch": torch}
    results: dict[str, dict[str, float]] = {
        "chain": {},
        "mlp_adam": {},
        "memory_plan": {},
        "capture": {},
    }
    ok = True

    # ---- chain ----
    x_np = np.random.default_rng(1).standard_normal(16).astype(np.float32)
    for name, lib in libs.items():
        x = lib.tensor(x_np, requires_grad=True)
        eager = chain_fn(lib)
        variants: dict[str, Callable[[Any], Any]] = {"eager": eager}
        if name == "ag":
            variants["compiled"] = ag.compile(chain_fn(lib))
            variants["unfused"] = ag.compile(chain_fn(lib))
        elif not args.no_torch_compile:
            variants["compiled"] = torch.compile(chain_fn(lib))
        for kind, fn in variants.items():
            # The unfused variant captures with fusion off: the replay of
            # every recorded op, as before fusion existed.
            ag._C._compile_set_fusion(kind != "unfused")
            try:
                t0 = time.perf_counter()
                x.grad = None
                fn(x)
                first = time.perf_counter() - t0
                t1 = time.perf_counter()
                x.grad = None
                fn(x)
                second = time.perf_counter() - t1
            except Exception as e:  # torch.compile without a working toolchain
                print(f"chain {name} {kind}: {type(e).__name__}: {e}", file=sys.stderr)
                continue
            if kind == "compiled":
                results["capture"][f"{name}_chain"] = first + second if name == "ag" else first
            x.grad = None
            loss = fn(x)
            grad = x.grad.clone()
            ag._C._compile_set_fusion(True)
            if name == "ag" and kind != "eager":
                x.grad = None
                ref = eager(x)
                if kind == "unfused":
                    same = bits(ref) == bits(loss) and bits(x.grad) == bits(grad)
                else:  # fusion may reorder arithmetic: 1e-6 relative
                    same = all(
                        np.allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=0)
                        for a, b in ((ref, loss), (x.grad, grad))
                    )
                if not same:
                    print(f"chain: {kind} differs from eager", file=sys.stderr)
                    ok = False

            def call(fn: Callable[[Any], Any] = fn, x: Any = x) -> None:
                x.grad = None
                fn(x)

            results["chain"][f"{name}_{kind}"] = median_time(call, args.repeat, 20) / CHAIN_OPS
    # ---- MLP Adam step ----
    rng = np.random.default_rng(2)
    xb = rng.standard_normal((32, 16)).astype(np.float32)
    yb = rng.standard_normal((32, 1)).astype(np.float32)
    losses: dict[str, list[float]] = {}
    for name, lib in libs.items():
        kinds = ["eager", "compiled"] if name == "ag" or not args.no_torch_compile else ["eager"]
        for kind in kinds:
            _, _, step = mlp_setup(lib)
            fn = step
            if kind == "compiled":
                fn = ag.compile(step) if name == "ag" else torch.compile(step)
            x, y = lib.tensor(xb), lib.tensor(yb)
            try:
                t0 = time.perf_counter()
                fn(x, y)
                first = time.perf_counter() - t0
                t1 = time.perf_counter()
                fn(x, y)
                second = time.perf_counter() - t1
            except Exception as e:
                print(f"mlp {name} {kind}: {type(e).__name__}: {e}", file=sys.stderr)
                continue
            if kind == "compiled":
                results["capture"][f"{name}_mlp_adam"] = first + second if name == "ag" else first
            losses[f"{name}_{kind}"] = [float(fn(x, y).item()) for _ in range(3)]
            results["mlp_adam"][f"{name}_{kind}"] = median_time(
                lambda fn=fn, x=x, y=y: fn(x, y), args.repeat, 20
            )
    if losses.get("ag_eager") != losses.get("ag_compiled"):
        print("mlp_adam: compiled losses differ from eager", file=sys.stderr)
        ok = False
    if not np.allclose(losses["ag_eager"], losses["torch_eager"], rtol=1e-4):
        print("mlp_adam: autograd_cpp and torch disagree", file=sys.stderr)
        ok = False

    # ---- memory plan ----
    _, _, step = mlp_setup(ag)
    cf = ag.compile(step)
    x, y = ag.tensor(xb), ag.tensor(yb)
    for _ in range(3):
        cf(x, y)
    ((program, _, _),) = [e for es in cf._compiled_function.programs.values() for e in es]
    reused, allocated, kept = program.buffer_stats()
    cf(x, y)
    reused2, allocated2, _ = program.buffer_stats()
    mp = results["memory_plan"]
    mp["reused_per_step"], mp["allocated_per_step"] = reused2 - reused, allocated2 - allocated
    mp["kept_bytes"] = kept
    trials: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.repeat):
        for on in (True, False):
            ag._C._compile_set_memory_plan(on)
            trials[on].append(median_time(lambda: cf(x, y), 1, 20))
    ag._C._compile_set_memory_plan(True)
    mp["on"], mp["off"] = statistics.median(trials[True]), statistics.median(trials[False])

    # ---- report ----
    def us(v: float | None) -> str:
        return "-" if v is None else f"{v * 1e6:.2f}"

    def ratio(a: float | None, b: float | None) -> str:
        return "-" if a is None or b is None else f"{a / b:.2f}x"

    c, m, cap = results["chain"], results["mlp_adam"], results["capture"]
    print(f"load average: {os.getloadavg()[0]:.2f}; torch {torch.__version__}; 1 thread")
    print()
    print(
        "| workload | ag eager | ag compiled | torch eager | torch.compile | compiled/ag eager | compiled/torch eager | compiled/torch.compile |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, r in (("chain, µs per op", c), ("mlp_adam, µs per step", m)):
        print(
            f"| {label} | {us(r.get('ag_eager'))} | {us(r.get('ag_compiled'))} | {us(r.get('torch_eager'))} | "
            f"{us(r.get('torch_compiled'))} | {ratio(r.get('ag_compiled'), r.get('ag_eager'))} | "
            f"{ratio(r.get('ag_compiled'), r.get('torch_eager'))} | "
            f"{ratio(r.get('ag_compiled'), r.get('torch_compiled'))} |"
        )
    print()
    print(
        f"chain, µs per op: ag compiled {us(c.get('ag_compiled'))} "
        f"(unfused replay {us(c.get('ag_unfused'))}), torch.compile {us(c.get('torch_compiled'))}"
    )
    print()
    print("| target | measured | met |")
    print("|---|---|---|")

    def target(label: str, a: float | None, b: float | None, limit: float) -> None:
        if a is None or b is None:
            print(f"| {label} <= {limit}x | - | - |")
            return
        print(f"| {label} <= {limit}x | {a / b:.2f}x | {'yes' if a / b <= limit else 'no'} |")

    target("chain: compiled / torch.compile", c.get("ag_compiled"), c.get("torch_compiled"), 0.4)
    target(
        "chain: unfused replay / torch.compile", c.get("ag_unfused"), c.get("torch_compiled"), 0.4
    )
    target("mlp_adam: compiled / torch eager", m.get("ag_compiled"), m.get("torch_eager"), 0.1)
    target("mlp_adam: compiled / ag eager", m.get("ag_compiled"), m.get("ag_eager"), 0.5)
    for k, v in cap.items():
        if k.startswith("ag_"):
            print(f"| first call(s) {k[3:]} <= 0.5 s | {v:.3f} s | {'yes' if v <= 0.5 else 'no'} |")
    print()
    print(
        f"memory plan, mlp_adam replay: {mp['reused_per_step']:.0f} allocations from kept "
        f"buffers, {mp['allocated_per_step']:.0f} ordinary ({mp['kept_bytes'] / 1024:.0f} KiB "
        f"kept); µs per step with the plan {us(mp['on'])}, without {us(mp['off'])} "
        f"({ratio(mp['on'], mp['off'])})"
    )
    print()
    print("first calls (s): " + ", ".join(f"{k} {v:.3f}" for k, v in cap.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "agree": ok, "load": os.getloadavg()[0]}, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
