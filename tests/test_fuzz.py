"""Property-based API fuzz test: random calls of the op table's ops, tensor
methods and autograd entry points, with random shapes (0-size and 0-d
included), dtypes, dims (out of range included), layouts (transposed, sliced,
expanded views), special values (nan, inf, huge) and wrong argument types.

Every case runs in a worker subprocess, so a segfault, an abort or a hang is
caught; the failure prints the case's source, which reproduces it. A case
passes when it returns a result or raises one of the expected Python
exceptions. Where PyTorch is installed the worker also runs the case on it
and the results of calls valid on both must agree.

CI runs a seeded, derandomized set; AUTOGRAD_CPP_FUZZ_EXAMPLES=20000 asks for
a long run (AUTOGRAD_CPP_FUZZ_SEED varies it).
"""

import json
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import autograd_cpp as ag
from fuzz_harness import EXPECTED_ERRORS, PREAMBLE
from op_db import OPS
from oracle import torch

HERE = Path(__file__).resolve().parent
EXAMPLES = int(os.environ.get("AUTOGRAD_CPP_FUZZ_EXAMPLES", "800"))
SEED = int(os.environ.get("AUTOGRAD_CPP_FUZZ_SEED", "20261123"))
TIMEOUT_S = 20.0

DTYPES = ["float32", "float64", "int64", "int32", "bool"]
LAYOUTS = ["contiguous", "contiguous", "transposed", "sliced", "expanded"]
VALUES = [
    0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.0,
    1e-30,
    1e30,
    -1e4,
    88.0,
    float("nan"),
    float("inf"),
    float("-inf"),
    -0.0,
]

# Method calls with argument lists drawn from ARGS: many are wrong on
# purpose (dims out of range, wrong types, negative or absurd sizes).
METHODS = [
    "sum",
    "mean",
    "amax",
    "amin",
    "max",
    "min",
    "argmax",
    "argmin",
    "prod",
    "std",
    "var",
    "norm",
    "logsumexp",
    "softmax",
    "log_softmax",
    "cumsum",
    "transpose",
    "permute",
    "reshape",
    "view",
    "expand",
    "repeat",
    "squeeze",
    "unsqueeze",
    "flatten",
    "narrow",
    "select",
    "clamp",
    "pow",
    "add",
    "sub",
    "mul",
    "div",
    "matmul",
    "__getitem__",
    "__setitem__",
    "gather",
    "index_select",
    "masked_fill",
    "split",
    "chunk",
    "flip",
    "roll",
    "tril",
    "triu",
    "to",
    "type",
    "contiguous",
    "t",
    "exp",
    "log",
    "sqrt",
    "abs",
    "sigmoid",
    "tanh",
    "relu",
    "add_",
    "mul_",
    "sub_",
    "div_",
    "fill_",
    "zero_",
    "clamp_",
    "copy_",
    "masked_fill_",
    "index_fill_",
    "scatter",
    "scatter_",
    "where",
    "expand_as",
    "view_as",
    "reshape_as",
    "requires_grad_",
    "retain_grad",
    "item",
    "tolist",
    "numpy",
    "backward",
    "detach",
    "detach_",
    "float",
    "long",
    "bool",
    "__and__",
    "__or__",
    "__floordiv__",
    "__mod__",
    "__lshift__",
    "__neg__",
    "__invert__",
    "eq",
    "lt",
    "maximum",
    "minimum",
    "lerp",
    "addmm",
    "baddbmm",
    "bmm",
    "mm",
    "mv",
    "dot",
    "outer",
    "diagonal",
    "movedim",
    "swapaxes",
    "unbind",
    "nan_to_num",
    "all",
    "any",
    "sign",
    "floor",
    "round",
    "remainder",
    "fmod",
    "atan2",
]
METHODS = [name for name in METHODS if hasattr(ag.Tensor, name)]
FUNCTIONS = [
    "cat",
    "stack",
    "where",
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "softplus",
    "embedding",
    "one_hot",
    "linear",
    "conv1d",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "dropout",
    "layer_norm",
    "batch_norm",
    "pad",
    "normalize",
    "gelu",
    "softmax",
    "huber_loss",
]


def _function_path(name):
    if hasattr(ag, name) and name not in ("softmax",):
        return f"m.{name}"
    if hasattr(ag.nn.functional, name):
        return f"m.nn.functional.{name}"
    return None


FUNCTIONS = [p for p in map(_function_path, FUNCTIONS) if p]
OP_NAMES = [o.name for o in OPS]
OP_ARITY = {o.name: len(o.shapes[0]) for o in OPS}
OP_SHAPES = {o.name: o.shapes for o in OPS}

small_dim = st.integers(0, 3)
shapes = st.one_of(
    st.just(()),
    st.lists(st.integers(0, 4), min_size=1, max_size=4).map(tuple),
    st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple),
)


@st.composite
def tensor_src(draw, shape=None, float_only=False):
    shape = draw(shapes) if shape is None else tuple(shape)
    dtype = draw(st.sampled_from(DTYPES[:2] if float_only else DTYPES))
    layout = draw(st.sampled_from(LAYOUTS))
    values = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=6))
    grad = dtype.startswith("float") and draw(st.booleans())
    return f"mk(m, {values!r}, {shape!r}, {dtype!r}, {layout!r}, {grad})"


scalar_args = st.one_of(
    st.integers(-5, 5),
    st.sampled_from([2**31, 2**62, -(2**40), 2**63 - 1]),
    st.sampled_from([0.5, -1.0, float("nan"), float("inf")]),
    st.sampled_from([None, True, "a", "sum", ()]),
    st.lists(st.integers(-3, 5), max_size=4).map(tuple),
    st.lists(st.integers(-3, 5), max_size=3),
)


@st.composite
def arg_src(draw):
    if draw(st.integers(0, 3)) == 0:
        return draw(tensor_src())
    return repr(draw(scalar_args))


@st.composite
def method_case(draw):
    name = draw(st.sampled_from(METHODS))
    args = draw(st.lists(arg_src(), max_size=3))
    return [f"x = {draw(tensor_src())}", f"out = x.{name}({', '.join(args)})"]


@st.composite
def function_case(draw):
    fn = draw(st.sampled_from(FUNCTIONS))
    args = draw(st.lists(arg_src(), min_size=1, max_size=3))
    if fn in ("m.cat", "m.stack"):
        args[0] = "[" + ", ".join(draw(st.lists(tensor_src(), max_size=3))) + "]"
    return [f"out = {fn}({', '.join(args)})"]


@st.composite
def op_case(draw):
    name = draw(st.sampled_from(OP_NAMES))
    if draw(st.booleans()):
        op_shapes = draw(st.sampled_from(OP_SHAPES[name]))
        inputs = [draw(tensor_src(s, float_only=draw(st.booleans()))) for s in op_shapes]
    else:
        inputs = [draw(tensor_src()) for _ in range(OP_ARITY[name])]
    lines = [f"x{i} = {src}" for i, src in enumerate(inputs)]
    xs = ", ".join(f"x{i}" for i in range(len(inputs)))
    call = f"OP[{name!r}](m, {xs})"
    mode = draw(st.sampled_from(["plain", "no_grad", "hook", "inplace_before", "detach"]))
    if mode == "no_grad":
        lines.append("with m.no_grad():")
        lines.append(f"    out = {call}")
        return lines
    if mode == "hook" and inputs:
        lines.append("if x0.requires_grad:")
        lines.append("    x0.register_hook(lambda g: g * 2)")
    if mode == "inplace_before" and inputs:
        lines.append("x0.add_(1)")
    lines.append(f"out = {call}")
    if mode == "detach":
        lines.append("out = out.detach()")
        lines.append("out.mul_(2)")
    follow = draw(
        st.sampled_from(
            ["none", "backward", "grad", "grad_outputs", "twice", "inplace_after", "view"]
        )
    )
    grads = f"[t for t in ({xs},) if t.requires_grad]"
    if follow == "backward":
        lines += [
            "if out.requires_grad:",
            "    out.sum().backward()",
            f"    out = [t.grad for t in {grads}]",
        ]
    elif follow == "grad":
        lines += [
            f"if out.requires_grad and {grads}:",
            f"    out = m.autograd.grad(out.sum(), {grads}, allow_unused=True, create_graph=True)",
        ]
    elif follow == "grad_outputs":
        lines += [
            f"if out.requires_grad and {grads}:",
            f"    out = m.autograd.grad(out, {grads}, grad_outputs=m.ones_like(out),"
            " allow_unused=True)",
        ]
    elif follow == "twice":
        lines += ["if out.requires_grad:", "    out.sum().backward()", "    out.sum().backward()"]
    elif follow == "inplace_after" and inputs:
        lines += ["x0.mul_(2)", "if out.requires_grad:", "    out.sum().backward()"]
    elif follow == "view":
        lines += [
            "v = out.reshape(-1)[:1]",
            "v.mul_(3)",
            "if out.requires_grad:",
            "    out.sum().backward()",
        ]
    return lines


cases = st.one_of(op_case(), op_case(), method_case(), function_case())


WORKER_ADDRESS_SPACE = 8 << 30


def _limit_address_space():
    """Caps the worker's virtual memory, so a huge request (x.repeat(2**31)
    is 16 GB) must fail as an allocation error in both libraries rather than
    be granted by overcommit and end in the OOM killer."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (WORKER_ADDRESS_SPACE, WORKER_ADDRESS_SPACE))


class Worker:
    """A worker subprocess fed one case at a time; restarted after a crash."""

    def __init__(self):
        self.proc = None

    def start(self):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), *sys.path]))
        args = [sys.executable, str(HERE / "fuzz_harness.py")]
        if torch is not None:
            args.append("--torch")
        # stderr goes to a file: warnings must not fill a pipe and block it.
        self.err = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            args,
            preexec_fn=_limit_address_space,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.err,
            env=env,
            text=True,
            cwd=HERE,
        )

    def run(self, source):
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.proc.stdin.write(json.dumps(source) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT_S)
        line = self.proc.stdout.readline() if ready else ""
        if line:
            return json.loads(line)
        hung = not ready
        self.stop()
        self.err.seek(0)
        err = self.err.read()[-2000:]
        what = (
            f"hang (no answer in {TIMEOUT_S:.0f} s)"
            if hung
            else (f"crash (exit status {self.proc.returncode})")
        )
        return {"kind": what, "message": err}

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.stop()
    stats = getattr(w, "stats", None)
    if stats:
        diffs = stats.pop("torch_differences", [])
        print("\nfuzz outcome counts:", json.dumps(stats, sort_keys=True))
        print(f"results differing from PyTorch: {len(diffs)}")
        for d in diffs[:50]:
            print("  ", d.replace("\n", "; "))


def check_case(worker, lines):
    source = "\n".join(lines) + "\n"
    reply = worker.run(source)
    kind = reply["kind"]
    stats = worker.__dict__.setdefault("stats", {})
    stats[kind] = stats.get(kind, 0) + 1
    snippet = PREAMBLE + source
    # An exception PyTorch raises too on the same call (e.g. AttributeError
    # from a Python-level function given an int) is the contract, not a bug.
    expected = {e.__name__ for e in EXPECTED_ERRORS}
    torch_kind = reply.get("torch_kind", "").removeprefix("UNEXPECTED ")
    ok = kind == "ok" or kind in expected or kind.removeprefix("UNEXPECTED ") == torch_kind
    assert ok, f"{kind}: {reply.get('message')}\nreproduce (from tests/):\n{snippet}"
    if reply.get("diff"):
        # Reported, not failed: value agreement is the differential tests'
        # job; here a difference (often a dtype-promotion corner) is a lead.
        stats.setdefault("torch_differences", []).append(reply["diff"] + " | " + source)


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
@given(lines=cases)
def test_fuzz_api(worker, lines):
    check_case(worker, lines)
