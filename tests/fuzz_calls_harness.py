"""Calls every public callable of autograd_cpp with every kind of argument,
each call in a worker process, and reports crashes and hangs.

A call is described by plain data (the target's dotted name and tokens for
its arguments), so the parent can print any call that went wrong and replay
it. The worker builds fresh arguments for each call from the tokens, runs
the call, and answers with the outcome. A call may return or raise any
Python exception but SystemError (the mark of an exception lost or invented
in C++); a worker that dies on a signal is a crash, one that does not
answer in time is a hang.

    python tests/fuzz_calls_harness.py --calls 100000 --seed 1 --workers 2

runs a long campaign and prints its figures; tests/test_fuzz_calls.py runs a
seeded slice in the suite. As a worker (--worker) it reads one JSON call per
line on stdin and answers one JSON line per call on stdout.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import random
import select
import subprocess
import sys
import tempfile
import time
import types
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CALL_TIMEOUT_S = 30.0

# ---- targets ------------------------------------------------------------------

# Namespaces whose public callables are fuzzed. Left out: autograd_cpp.distributed,
# whose collectives wait for peer processes by design (a call with no peers
# blocks, as PyTorch's does).
NAMESPACES = [
    "autograd_cpp",
    "autograd_cpp.nn.functional",
    "autograd_cpp.nn.init",
    "autograd_cpp.nn",
    "autograd_cpp.optim",
    "autograd_cpp.optim.lr_scheduler",
    "autograd_cpp.autograd",
    "autograd_cpp.autograd.functional",
    "autograd_cpp.autograd.graph",
    "autograd_cpp.tf",
    "autograd_cpp.viz",
    "autograd_cpp.utils.data",
    "autograd_cpp.utils.dlpack",
    "autograd_cpp._C._nn",
]

# Tensor dunders beyond the public methods: the operators.
TENSOR_DUNDERS = [
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
    "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
    "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__and__",
    "__or__", "__xor__", "__invert__", "__neg__", "__pos__", "__abs__",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__getitem__",
    "__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__",
    "__len__", "__bool__", "__float__", "__int__", "__index__", "__iter__",
    "__repr__", "__format__", "__array__", "__dlpack__", "__reduce_ex__",
    "__deepcopy__",
]  # fmt: skip


def targets() -> list[str]:
    """Dotted names of every public callable (Tensor methods as Tensor.name)."""
    import importlib

    import autograd_cpp

    out = set()
    for ns in NAMESPACES:
        module = importlib.import_module(ns)
        for name in dir(module):
            if name.startswith("_"):
                continue
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType) or not callable(obj):
                continue
            # Re-exports of other libraries (typing helpers, dataclasses).
            origin = getattr(obj, "__module__", "") or ""
            if not (origin.startswith("autograd_cpp") or ns == "autograd_cpp._C._nn"):
                continue
            out.add(f"{ns}.{name}")
    for name in dir(autograd_cpp.Tensor):
        if not name.startswith("_") or name in TENSOR_DUNDERS:
            if callable(getattr(autograd_cpp.Tensor, name, None)):
                out.add(f"Tensor.{name}")
    return sorted(out)


# ---- argument tokens ------------------------------------------------------------

DTYPES = ["float32", "float64", "int64", "int32", "bool"]
SHAPES = ["", "0", "3", "2x3", "0x3", "2x1x3", "4x4", "1"]
LAYOUTS = ["contig", "contig", "t", "expand", "slice"]
PLAIN = [
    "None", "True", "False", "0", "1", "-1", "2", "3", "7", "-3", "2**63-1", "-2**63",
    "2**40", "2**31", "0.5", "-2.5", "1e308", "nan", "inf", "-inf", "-0.0", "'abc'",
    "''", "'mean'", "'sum'", "'none'", "'cpu'", "'cuda'", "'fro'", "'tanh'", "'floor'",
    "b'x'", "object()", "[1, 2]", "[[1, 2], [3]]", "[0, -1]", "(2, 3)", "()", "(0,)",
    "(-1,)", "(2**40, 2**40)", "[[1.0, 2.0], [3.0, 4.0]]", "slice(0, 2)", "slice(None)",
    "Ellipsis", "{}", "{'a': 1}", "lambda *a, **k: None", "range(3)", "1j",
    "m.float32", "m.float64", "m.int64", "m.int32", "m.bool", "float", "int", "bool",
    "np.zeros((2, 3))", "np.float64(1.5)", "np.int64(2)", "np.array([1, 2])",
    "[m.ones(2), m.zeros(2)]", "(m.ones(2, 3),)", "m.nn.Linear(2, 2)",
    "m.nn.Linear(2, 2).parameters()", "[m.nn.Parameter(m.ones(2))]",
]  # fmt: skip
KWARG_NAMES = [
    "dim", "keepdim", "out", "dtype", "requires_grad", "alpha", "p", "device",
    "input", "other", "weight", "bias", "reduction", "lr", "size", "inplace",
    "retain_graph", "create_graph", "unbiased", "correction", "min", "max",
    "approximate", "rounding_mode", "decimals", "generator", "bogus",
]  # fmt: skip


# Values of the kind a parameter's annotation asks for; a call draws from
# these most of the time and from everything the rest.
TYPED = {
    "int": ["0", "1", "2", "-1", "3", "-2", "2**63-1", "-2**63", "2**40", "m.tensor(1)"],
    "float": ["0.5", "1.0", "-2.5", "0", "1e308", "nan", "inf", "-inf", "-0.0", "2"],
    "bool": ["True", "False"],
    "str": ["'mean'", "'sum'", "'none'", "'abc'", "''", "'fro'", "'tanh'", "'floor'"],
    "ints": ["(2, 3)", "()", "(0,)", "(-1,)", "[1, 2]", "(2**40, 2**40)", "1", "(0, 1)"],
    "dtype": ["m.float32", "m.float64", "m.int64", "m.int32", "m.bool", "float", "None"],
}


def tensor_token(rng: random.Random) -> str:
    dtype = rng.choice(DTYPES)
    grad = dtype.startswith("float") and rng.random() < 0.3
    return f"T:{dtype}:{rng.choice(SHAPES)}:{rng.choice(LAYOUTS)}:{int(grad)}"


def arg_token(rng: random.Random, kind: str = "any") -> str:
    if kind == "tensor" or (kind == "any" and rng.random() < 0.45):
        return tensor_token(rng)
    if kind in TYPED and rng.random() < 0.8:
        return rng.choice(TYPED[kind])
    return rng.choice(PLAIN)


def kind_of(annotation: str) -> str:
    a = annotation.replace("_", "")
    for key, kind in (
        ("Sequence[int]", "ints"),
        ("Size", "ints"),
        ("dtype", "dtype"),
        ("Tensor", "tensor"),
        ("bool", "bool"),
        ("int", "int"),
        ("float", "float"),
        ("Number", "float"),
        ("str", "str"),
    ):
        if key in a:
            return kind
    return "any"


def parameters(target: str) -> list[tuple[str, str, bool, bool]] | None:
    """(name, kind, required, keyword-only) for each parameter of a target,
    read from its signature line (ours) or inspect (Python's); None if
    unknown."""
    import ast
    import importlib

    import autograd_cpp

    if target.startswith("Tensor."):
        obj = getattr(autograd_cpp.Tensor, target[7:])
    else:
        module_name, _, attr = target.rpartition(".")
        obj = getattr(importlib.import_module(module_name), attr)
    doc = getattr(obj, "__doc__", None) or ""
    first = doc.split("\n")[0]
    name = target.rpartition(".")[2]
    if first.startswith(name + "(") and "->" in first:
        try:
            fn = ast.parse(f"def {first}: ...").body[0]
        except SyntaxError:
            return None
        assert isinstance(fn, ast.FunctionDef)
        out = []
        args = fn.args
        n_required = len(args.args) - len(args.defaults)
        for i, a in enumerate(args.args):
            if a.arg == "self":
                continue
            ann = ast.unparse(a.annotation) if a.annotation else ""
            out.append((a.arg, kind_of(ann), i < n_required, False))
        if args.vararg is not None:
            out.append(
                ("*", kind_of(ast.unparse(args.vararg.annotation or ast.Name("x"))), True, False)
            )
        for a, d in zip(args.kwonlyargs, args.kw_defaults):
            ann = ast.unparse(a.annotation) if a.annotation else ""
            out.append((a.arg, kind_of(ann), d is None, True))
        return out
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        ann = (
            p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", "")
        )
        required = p.default is inspect.Parameter.empty and p.kind not in (
            p.VAR_POSITIONAL,
            p.VAR_KEYWORD,
        )
        if p.kind is p.VAR_KEYWORD:
            continue
        name = "*" if p.kind is p.VAR_POSITIONAL else p.name
        out.append((name, kind_of(str(ann)), required, p.kind is p.KEYWORD_ONLY))
    return out


_PARAMS: dict[str, list[tuple[str, str, bool, bool]] | None] = {}


def make_call(rng: random.Random, target: str) -> dict[str, Any]:
    if target not in _PARAMS:
        _PARAMS[target] = parameters(target)
    params = _PARAMS[target]
    args: list[str] = []
    kwargs: dict[str, str] = {}
    if params is None or rng.random() < 0.25:
        # Anything, in any number.
        args = [arg_token(rng) for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4]))]
    else:
        positional = [p for p in params if not p[3]]
        keyword = [p for p in params if p[3]]
        n = sum(1 for p in positional if p[2])
        n = max(0, n + rng.choice([0, 0, 0, 1, 1, 2, -1]))
        for i in range(n):
            kind = positional[i][1] if i < len(positional) else "any"
            if i < len(positional) and positional[i][0] == "*":
                for _ in range(rng.choice([1, 2, 3])):
                    args.append(arg_token(rng, kind))
                break
            args.append(arg_token(rng, kind))
        for p in keyword:
            if p[2] or rng.random() < 0.3:
                kwargs[p[0]] = arg_token(rng, p[1])
    if target.startswith("Tensor."):
        args.insert(0, tensor_token(rng))
    for _ in range(rng.choice([0, 0, 0, 0, 1])):
        kwargs[rng.choice(KWARG_NAMES)] = arg_token(rng)
    return {"target": target, "args": args, "kwargs": kwargs}


def describe(call: dict[str, Any]) -> str:
    parts = list(call["args"]) + [f"{k}={v}" for k, v in call["kwargs"].items()]
    return f"{call['target']}({', '.join(parts)})"


# ---- worker ---------------------------------------------------------------------


def build(token: str, m: Any, np: Any) -> Any:
    if not token.startswith("T:"):
        return eval(token, {"m": m, "np": np, "nan": math.nan, "inf": math.inf})  # noqa: S307
    _, dtype, shape_text, layout, grad = token.split(":")
    shape = tuple(int(s) for s in shape_text.split("x")) if shape_text else ()
    n = 1
    for s in shape:
        n *= s
    values = [((i * 7) % 11) - 5 + 0.25 * (i % 3) for i in range(n)]
    dt = getattr(m, dtype)
    if layout == "t" and len(shape) >= 2:
        t = m.tensor(values, dtype=dt).reshape(shape[::-1]).t() if len(shape) == 2 else None
        if t is None:
            t = m.tensor(values, dtype=dt).reshape(shape)
    elif layout == "expand" and shape:
        base = m.tensor(values[: max(1, n // max(shape[0], 1))], dtype=dt)
        t = base.reshape((1,) + shape[1:]).expand(shape) if n else m.zeros(shape, dtype=dt)
    elif layout == "slice" and shape:
        wide = shape[:-1] + (shape[-1] * 2,)
        w = 1
        for s in wide:
            w *= s
        t = m.tensor([float(v % 5) for v in range(w)], dtype=dt).reshape(wide)[..., ::2]
    else:
        t = m.tensor(values, dtype=dt).reshape(shape)
    if grad == "1" and dtype.startswith("float"):
        t = t.detach().requires_grad_(True)
    return t


def resolve(target: str, m: Any) -> Any:
    import importlib

    if target.startswith("Tensor."):
        return None
    module_name, _, attr = target.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def run_call(call: dict[str, Any], m: Any, np: Any) -> str:
    import warnings

    try:
        args = [build(t, m, np) for t in call["args"]]
        kwargs = {k: build(v, m, np) for k, v in call["kwargs"].items()}
    except Exception as e:  # the arguments themselves failed: not a finding
        return f"skip:{type(e).__name__}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if call["target"].startswith("Tensor."):
                self = args.pop(0)
                result = getattr(self, call["target"][7:])(*args, **kwargs)
            else:
                result = resolve(call["target"], m)(*args, **kwargs)
            if inspect.isgenerator(result):
                for _ in zip(range(3), result):
                    pass
            repr(result)
            return "ok"
        except SystemError as e:
            return f"bad:SystemError: {e}"
        except BaseException as e:  # noqa: BLE001 - any exception is an answer
            if isinstance(e, KeyboardInterrupt):
                raise
            return f"error:{type(e).__name__}"


def worker() -> None:
    import resource

    # Huge requests fail as allocation errors instead of meeting the OOM killer.
    limit = 8 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import numpy as np

    import autograd_cpp as m

    os.chdir(tempfile.mkdtemp(prefix="fuzz_calls_"))
    # Answers go to a private copy of stdout; what the calls print is dropped.
    answers = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the process's life
    for line in sys.stdin:
        call = json.loads(line)
        outcome = run_call(call, m, np)
        answers.write(json.dumps({"id": call["id"], "outcome": outcome}) + "\n")
        answers.flush()


# ---- parent ---------------------------------------------------------------------


class Worker:
    def __init__(self) -> None:
        self.history: list[dict[str, Any]] = []
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(HERE)] + [p for p in sys.path if p] + [env.get("PYTHONPATH", "")]
        )
        env["OMP_NUM_THREADS"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )

    def send(self, call: dict[str, Any]) -> None:
        self.history.append(call)
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(call) + "\n")
        self.proc.stdin.flush()

    def receive(self, timeout: float) -> str | None:
        """The outcome line, "crash:<signal>" if the worker died, or None on a
        timeout."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            return f"crash:{code}"
        try:
            outcome: str = json.loads(line)["outcome"]
        except ValueError:
            # Something in the call wrote into the answer channel.
            return f"bad:garbled answer {line[:200]!r}"
        return outcome

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


def campaign(n_calls: int, seed: int, n_workers: int = 2, progress: int = 0) -> dict[str, Any]:
    """Runs n_calls random calls; returns the figures and every failure.
    With progress > 0, each failure goes to stderr when it happens and a line
    of counts every `progress` calls (a long campaign is read while it runs)."""
    rng = random.Random(seed)
    names = targets()
    calls = []
    for i in range(n_calls):
        call = make_call(rng, names[i % len(names)] if i < len(names) else rng.choice(names))
        call["id"] = i
        calls.append(call)
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    # The calls each failed worker ran, in order: a crash may come from an
    # earlier call's damage (replay with --replay).
    histories: list[list[dict[str, Any]]] = []
    workers = [Worker() for _ in range(n_workers)]
    pending: dict[int, dict[str, Any]] = {}
    next_call = 0
    reported = 0  # failures printed so far (with progress)
    start = time.monotonic()

    def feed(w: int) -> None:
        nonlocal next_call
        if next_call < len(calls):
            pending[w] = calls[next_call]
            workers[w].send(calls[next_call])
            next_call += 1

    for w in range(n_workers):
        feed(w)
    while pending:
        for w in list(pending):
            outcome = workers[w].receive(0.05)
            call = pending[w]
            if outcome is None:
                call.setdefault("_waited", 0.0)
                call["_waited"] += 0.05
                if call["_waited"] < CALL_TIMEOUT_S:
                    continue
                outcome = "hang"
                workers[w].kill()
            if outcome.startswith("crash") or outcome == "hang":
                failures.append(f"{outcome}: {describe(call)}")
                histories.append(
                    [{k: c[k] for k in ("target", "args", "kwargs")} for c in workers[w].history]
                )
                workers[w] = Worker()
            elif outcome.startswith("bad:"):
                failures.append(f"{outcome}: {describe(call)}")
            if progress and len(failures) > reported:
                print(failures[-1], file=sys.stderr, flush=True)
                reported = len(failures)
            outcomes[outcome.split(":")[0]] += 1
            done = sum(outcomes.values())
            if progress and done % progress == 0:
                elapsed = time.monotonic() - start
                print(
                    f"{done} calls, {elapsed:.0f} s, {dict(outcomes)}",
                    file=sys.stderr,
                    flush=True,
                )
            del pending[w]
            feed(w)
    for wk in workers:
        wk.kill()
    return {
        "calls": n_calls,
        "targets": len(names),
        "seconds": round(time.monotonic() - start, 1),
        "outcomes": dict(outcomes),
        "crashes": sum(1 for f in failures if f.startswith("crash")),
        "hangs": sum(1 for f in failures if f.startswith("hang")),
        "failures": failures,
        "histories": histories,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--calls", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--save", type=Path, help="write failed workers' histories here")
    parser.add_argument(
        "--progress", type=int, default=0, help="report to stderr every N calls, and each failure"
    )
    args = parser.parse_args()
    if args.worker:
        worker()
        return 0
    report = campaign(args.calls, args.seed, args.workers, args.progress)
    shown = {k: v for k, v in report.items() if k not in ("failures", "histories")}
    print(json.dumps(shown, indent=1))
    for failure in report["failures"]:
        print(failure)
    if args.save and report["histories"]:
        args.save.write_text(json.dumps(report["histories"]))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
