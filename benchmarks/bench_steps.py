#!/usr/bin/env python
"""Training steps at the sizes people train on a CPU, against PyTorch.

Importing this module registers its workloads with bench_workloads' registry,
so ``bench_vs_torch.py`` times them side by side with PyTorch at 1 and 2
threads like every other row (and puts them in the README table):

* ``gpt_step``: a GPT-style model (4 blocks, d=128, 4 heads, T=64, batch 16,
  manual causal attention, LayerNorm, GELU, cross-entropy), AdamW;
* ``cifar_cnn_step``: conv 3->32->64 (3x3, padding 1), ReLU, max-pool,
  linear, on 32x32 images, batch 32, AdamW;
* ``wide_mlp_step``: a 1024-2048-2048-10 ReLU MLP, batch 256, AdamW;
* ``lstm_step``: an LSTM language model (embedding 128, hidden 256, T=64,
  batch 32), AdamW, registered when autograd_cpp has ``nn.LSTM``.

Both libraries get the same weights (drawn with numpy, copied in
``named_parameters()`` order), so the agreement check compares the loss, every
gradient and every updated parameter of one step.

Run as a script, it measures contention instead: a step timed idle and again
while as many busy processes as cores spin, for both libraries in one child
process (``--contention``; see ``main``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_workloads import NOT_SLOWER, SEED, Target, _from_numpy, _rng, _step_result, workload

STEP_TARGET = Target(0.8)
# AdamW divides each gradient by its own running magnitude, so float32
# rounding differences in small gradients (another summation order in a
# product) reach the updated parameters at ~1e-4..1e-3 of their scale.
STEP_RTOL = 2e-3


def _set_weights(lib, model) -> list:
    """Overwrites every parameter of ``model`` with numpy draws (same seed, same
    order for both libraries); returns the parameters."""
    rng = _rng()
    params = []
    with lib.no_grad():
        for name, p in model.named_parameters():
            shape = tuple(p.shape)
            if len(shape) >= 2:
                bound = 1.0 / math.sqrt(math.prod(shape[1:]))
                arr = rng.uniform(-bound, bound, shape)
            elif "ln" in name and name.endswith("weight"):
                arr = 1.0 + 0.1 * rng.standard_normal(shape)
            else:
                arr = 0.02 * rng.standard_normal(shape)
            p.copy_(lib.from_numpy(arr.astype("float32")))
            params.append(p)
    return params


def _training_step(lib, model, inputs, loss_fn) -> Callable[[], Any]:
    params = _set_weights(lib, model)
    opt = lib.optim.AdamW(params, lr=1e-3)

    def step():
        loss = loss_fn(model(*inputs))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return _step_result(loss, params)

    return step


# ---- GPT-style model -------------------------------------------------------------------

GPT_D, GPT_HEADS, GPT_T, GPT_BATCH, GPT_LAYERS, GPT_VOCAB = 128, 4, 64, 16, 4, 65


def _gpt_model(lib):
    nn, F = lib.nn, lib.nn.functional
    d, heads, T = GPT_D, GPT_HEADS, GPT_T

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.fc, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
            self.register_buffer("mask", lib.tril(lib.ones(T, T)).view(1, 1, T, T))

        def forward(self, x):
            B, Tq, C = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q = q.view(B, Tq, heads, C // heads).transpose(1, 2)
            k = k.view(B, Tq, heads, C // heads).transpose(1, 2)
            v = v.view(B, Tq, heads, C // heads).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // heads))
            att = F.softmax(att.masked_fill(self.mask == 0, float("-inf")), dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, Tq, C)
            x = x + self.proj(y)
            return x + self.fc2(F.gelu(self.fc(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(GPT_VOCAB, d), nn.Embedding(T, d)
            self.blocks = nn.Sequential(*[Block() for _ in range(GPT_LAYERS)])
            self.ln = nn.LayerNorm(d)
            self.head = nn.Linear(d, GPT_VOCAB)

        def forward(self, idx):
            x = self.tok(idx) + self.pos(lib.arange(T))
            return self.head(self.ln(self.blocks(x)))

    return GPT()


@workload(
    "gpt_step",
    metric=f"GPT-style: {GPT_LAYERS} blocks, d={GPT_D}, T={GPT_T}, batch {GPT_BATCH}, AdamW step",
    unit="ms",
    to_value=lambda s: s * 1e3,
    rtol=STEP_RTOL,
    heavy=True,
    target=STEP_TARGET,
)
def gpt_step(lib):
    """Forward (causal attention, LayerNorm, GELU), cross-entropy, backward, AdamW."""
    rng = _rng()
    idx = lib.from_numpy(rng.integers(0, GPT_VOCAB, (GPT_BATCH, GPT_T)))
    target = lib.from_numpy(rng.integers(0, GPT_VOCAB, (GPT_BATCH * GPT_T,)))
    F = lib.nn.functional
    return _training_step(
        lib,
        _gpt_model(lib),
        (idx,),
        lambda logits: F.cross_entropy(logits.view(-1, GPT_VOCAB), target),
    )


# ---- CIFAR-size CNN ----------------------------------------------------------------------

CIFAR_BATCH = 32


@workload(
    "cifar_cnn_step",
    metric=f"conv 3->32->64 + ReLU + max-pool + linear, 32x32, batch {CIFAR_BATCH}, AdamW step",
    unit="ms",
    to_value=lambda s: s * 1e3,
    rtol=STEP_RTOL,
    heavy=True,
    target=STEP_TARGET,
)
def cifar_cnn_step(lib):
    """Two 3x3 convolutions with ReLU and 2x2 max-pooling, a linear head, AdamW."""
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 8 * 8, 10),
    )
    rng = _rng()
    x = _from_numpy(lib, rng.standard_normal((CIFAR_BATCH, 3, 32, 32)).astype("float32"))
    y = lib.from_numpy(rng.integers(0, 10, CIFAR_BATCH))
    F = lib.nn.functional
    return _training_step(lib, model, (x,), lambda out: F.cross_entropy(out, y))


# ---- wide MLP ----------------------------------------------------------------------------

WIDE_BATCH = 256


@workload(
    "wide_mlp_step",
    metric=f"1024-2048-2048-10 ReLU MLP, batch {WIDE_BATCH}, AdamW step",
    unit="ms",
    to_value=lambda s: s * 1e3,
    rtol=STEP_RTOL,
    heavy=True,
    target=STEP_TARGET,
)
def wide_mlp_step(lib):
    """Three linear layers with ReLU, cross-entropy, backward, AdamW."""
    nn = lib.nn
    model = nn.Sequential(
        nn.Linear(1024, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, 10)
    )
    rng = _rng()
    x = _from_numpy(lib, rng.standard_normal((WIDE_BATCH, 1024)).astype("float32"))
    y = lib.from_numpy(rng.integers(0, 10, WIDE_BATCH))
    F = lib.nn.functional
    return _training_step(lib, model, (x,), lambda out: F.cross_entropy(out, y))


# ---- LSTM language model -------------------------------------------------------------------

LSTM_VOCAB, LSTM_EMBED, LSTM_HIDDEN, LSTM_T, LSTM_BATCH = 65, 128, 256, 64, 32


def _has_lstm() -> bool:
    """Whether the autograd_cpp to be measured has nn.LSTM, read from its
    source: this process does not import the libraries it times."""
    spec = importlib.util.find_spec("autograd_cpp")
    if spec is None or not spec.submodule_search_locations:
        return False
    nn_dir = Path(next(iter(spec.submodule_search_locations))) / "nn"
    return any("class LSTM(" in f.read_text(encoding="utf-8") for f in nn_dir.rglob("*.py"))


if _has_lstm():

    @workload(
        "lstm_step",
        metric=(
            f"LSTM LM: embedding {LSTM_EMBED}, hidden {LSTM_HIDDEN}, T={LSTM_T}, "
            f"batch {LSTM_BATCH}, AdamW step"
        ),
        unit="ms",
        to_value=lambda s: s * 1e3,
        rtol=STEP_RTOL,
        heavy=True,
        target=NOT_SLOWER,
    )
    def lstm_step(lib):
        """Embedding, one LSTM layer over the sequence, linear head, CE, AdamW."""
        nn = lib.nn

        class LM(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(LSTM_VOCAB, LSTM_EMBED)
                self.lstm = nn.LSTM(LSTM_EMBED, LSTM_HIDDEN, batch_first=True)
                self.head = nn.Linear(LSTM_HIDDEN, LSTM_VOCAB)

            def forward(self, idx):
                out, _ = self.lstm(self.embed(idx))
                return self.head(out)

        rng = _rng()
        idx = lib.from_numpy(rng.integers(0, LSTM_VOCAB, (LSTM_BATCH, LSTM_T)))
        target = lib.from_numpy(rng.integers(0, LSTM_VOCAB, (LSTM_BATCH * LSTM_T,)))
        F = lib.nn.functional
        return _training_step(
            lib, LM(), (idx,), lambda logits: F.cross_entropy(logits.view(-1, LSTM_VOCAB), target)
        )


# ---- contention ----------------------------------------------------------------------------

CONTENTION_TARGETS = {"loaded/idle": 1.5, "ours/torch loaded": 1.0}


def _busy_processes(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` processes that spin on a core each until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def _median_step_s(fn: Callable[[], Any], seconds: float) -> float:
    """The median wall time of calls to ``fn`` over about ``seconds``."""
    times = []
    start = time.perf_counter()
    while len(times) < 5 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def contention_child(names: list[str], threads: int, busy: int, seconds: float) -> dict:
    """Times each workload's step for both libraries idle, then under ``busy``
    spinning processes; rounds alternate (idle, loaded, loaded, idle) so drift
    of the machine affects both conditions alike."""
    import bench_workloads

    mods = {name: importlib.import_module(name) for name in ("autograd_cpp", "torch")}
    for mod in mods.values():
        mod.set_num_threads(threads)
        mod.manual_seed(SEED)
    by_name = {w.name: w for w in bench_workloads.WORKLOADS}
    rows = []
    for name in names:
        fns = {lib: by_name[name].build(mod) for lib, mod in mods.items()}
        for fn in fns.values():
            _median_step_s(fn, 0.5)  # warm-up
        samples: dict[str, dict[str, list[float]]] = {
            lib: {"idle": [], "loaded": []} for lib in fns
        }
        for condition in ("idle", "loaded", "loaded", "idle"):
            procs = _busy_processes(busy) if condition == "loaded" else []
            try:
                if procs:
                    time.sleep(0.3)  # let them reach the scheduler
                for lib, fn in fns.items():
                    samples[lib][condition].append(_median_step_s(fn, seconds))
            finally:
                for p in procs:
                    p.kill()
                for p in procs:
                    p.wait()
        result = {lib: {c: min(v) * 1e3 for c, v in s.items()} for lib, s in samples.items()}
        rows.append({"workload": name, "threads": threads, "busy": busy, "ms": result})
    return {"rows": rows}


def _contention_table(rows: list[dict]) -> str:
    lines = [
        "| workload | threads | busy processes | autograd_cpp idle → loaded (ms) | loaded/idle "
        "| torch idle → loaded (ms) | loaded/idle | ours/torch loaded |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ours, torch = r["ms"]["autograd_cpp"], r["ms"]["torch"]
        lines.append(
            f"| {r['workload']} | {r['threads']} | {r['busy']} "
            f"| {ours['idle']:.1f} → {ours['loaded']:.1f} | {ours['loaded'] / ours['idle']:.2f} "
            f"| {torch['idle']:.1f} → {torch['loaded']:.1f} | {torch['loaded'] / torch['idle']:.2f} "
            f"| {ours['loaded'] / torch['loaded']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--contention", action="store_true", help="time steps idle and with busy processes"
    )
    parser.add_argument("--workloads", default="mlp_step,gpt_step", help="comma-separated names")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--busy", type=int, default=os.cpu_count() or 1, help="spinning processes (default: cores)"
    )
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="timing per condition and library"
    )
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.contention:
        parser.error(
            "run bench_vs_torch.py for the step timings; this script measures --contention"
        )
    names = [n for n in args.workloads.split(",") if n]
    if args.child:
        print(json.dumps(contention_child(names, args.threads, args.busy, args.seconds)))
        return
    from bench_harness import child_env

    # A child with the BLAS thread variables set before the libraries load.
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), *sys.argv[1:], "--child"],
        env=child_env(args.threads),
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout)
    print(_contention_table(result["rows"]))
    print(
        f"\nTargets: loaded/idle ≤ {CONTENTION_TARGETS['loaded/idle']} for autograd_cpp, "
        f"ours/torch loaded ≤ {CONTENTION_TARGETS['ours/torch loaded']}."
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
