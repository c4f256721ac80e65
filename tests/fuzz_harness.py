"""Helpers shared by the API fuzz test and the reproducer snippets it prints.

A fuzz case is Python source that uses `m` (the library: autograd_cpp, or
torch for the comparison) and the helpers below; it leaves its result in
`out`. The same text runs in the worker process and is what a failure prints,
so a crash can be replayed by pasting it (with tests/ on sys.path).

Run as a script, this module is the worker: it reads one JSON-encoded case
per line on stdin, runs it, and answers one JSON line per case on stdout.
"""

import json
import sys

import numpy as np

# A call may end in one of these; anything else (a crash, a hang, an
# AttributeError from a half-built object, ...) is a failure.
EXPECTED_ERRORS = (
    TypeError,
    IndexError,
    RuntimeError,
    ValueError,
    MemoryError,
    NotImplementedError,
)

PREAMBLE = """\
from math import inf, nan

import autograd_cpp as m
from fuzz_harness import mk, OP
"""


def _ops():
    from op_db import OPS

    return {o.name: o.fn for o in OPS}


class _LazyOps(dict):
    def __missing__(self, key):
        self.update(_ops())
        return dict.__getitem__(self, key)


OP = _LazyOps()


def mk(m, values, shape, dtype, layout="contiguous", requires_grad=False):
    """A tensor of `shape` and `dtype` filled cyclically with `values`, laid
    out as asked: "contiguous", "transposed" (reversed dims), "sliced" (every
    other element of the last dim) or "expanded" (stride 0 in dim 0)."""
    shape = tuple(shape)
    dt = getattr(m, dtype)
    base_shape = shape
    if layout == "transposed":
        base_shape = shape[::-1]
    elif layout == "sliced" and shape:
        base_shape = shape[:-1] + (shape[-1] * 2,)
    elif layout == "expanded" and shape:
        base_shape = (1,) + shape[1:]
    n = int(np.prod(base_shape, dtype=np.int64))
    arr = np.resize(np.asarray(values or [0.0], dtype=np.float64), n)
    if dtype in ("int32", "int64", "bool"):
        arr = np.nan_to_num(arr, nan=0.0, posinf=7.0, neginf=-7.0).clip(-1e6, 1e6)
    arr = arr.astype(
        {
            "float32": np.float32,
            "float64": np.float64,
            "int32": np.int32,
            "int64": np.int64,
            "bool": np.bool_,
        }[dtype]
    )
    base = m.tensor(arr.tolist(), dtype=dt).reshape(base_shape)
    if requires_grad and dtype.startswith("float"):
        base.requires_grad_(True)
    if layout == "transposed":
        return base.permute(*reversed(range(len(shape))))
    if layout == "sliced" and shape:
        return base[..., ::2]
    if layout == "expanded" and shape:
        return base.expand(*shape)
    return base


def run_case(m, source):
    """Runs one case; returns ("ok", out) or (exception type name, message)."""
    namespace = {"m": m, "mk": mk, "OP": OP, "out": None, "nan": np.nan, "inf": np.inf}
    try:
        exec(source, namespace)
    except EXPECTED_ERRORS as e:
        return type(e).__name__, str(e).split("\n")[0][:200]
    except Exception as e:  # noqa: BLE001 - reported as a failure upstream
        return "UNEXPECTED " + type(e).__name__, str(e).split("\n")[0][:200]
    return "ok", namespace.get("out")


def to_numpy_tree(m, value):
    """Results as nested lists of numpy arrays (None where not comparable)."""
    if isinstance(value, (list, tuple)):
        return [to_numpy_tree(m, v) for v in value]
    if isinstance(value, m.Tensor):
        # A huge expanded view (x.expand(2**31)) is cheap to make but would
        # be gigabytes as a dense copy: only small results are compared.
        if value.numel() > 1_000_000:
            return None
        return value.detach().numpy().copy()
    if isinstance(value, (bool, int, float)):
        return np.asarray(value)
    return None


def compare(a, b):
    """Describes the first difference between two results, or None."""
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return "different structure"
        for x, y in zip(a, b):
            why = compare(x, y)
            if why:
                return why
        return None
    if a is None or b is None:
        return None
    if a.shape != b.shape:
        return f"shape {a.shape} vs torch {b.shape}"
    if a.dtype != b.dtype:
        return f"dtype {a.dtype} vs torch {b.dtype}"
    if a.dtype.kind == "f":
        # torch.testing's default tolerances for float32 and float64.
        rtol, atol = (1.3e-6, 1e-5) if a.dtype == np.float32 else (1e-7, 1e-7)
        if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            return f"values {a.ravel()[:6]} vs torch {b.ravel()[:6]}"
    elif not np.array_equal(a, b):
        return f"values {a.ravel()[:6]} vs torch {b.ravel()[:6]}"
    return None


def _worker():
    sys.setrecursionlimit(10000)
    import autograd_cpp

    try:
        import torch
    except ImportError:
        torch = None
    torch_compare = torch is not None and sys.argv[1:] == ["--torch"]
    if torch_compare:
        torch.set_num_threads(1)
    # Imports done: the per-case timeout starts from here, not from a cold
    # start of two large libraries on a busy machine.
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        source = json.loads(line)
        kind, result = run_case(autograd_cpp, source)
        reply = {"kind": kind}
        if kind != "ok":
            reply["message"] = result
        if torch_compare:
            tkind, tresult = run_case(torch, source)
            reply["torch_kind"] = tkind
            if tkind != "ok":
                reply["torch_message"] = tresult
            if kind == "ok" and tkind == "ok":
                reply["diff"] = compare(
                    to_numpy_tree(autograd_cpp, result), to_numpy_tree(torch, tresult)
                )
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _worker()
