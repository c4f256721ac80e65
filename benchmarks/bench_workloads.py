"""The workloads of bench_vs_torch.py: each builds, for one library module
(autograd_cpp or torch, which share an API), the callable that gets timed, and
returns what the libraries must agree on. The registry (``workload``) and the
speed targets are here too."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any

SEED = 20240601

# --------------------------------------------------------------------------------------
# Workload registry
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Target:
    """The project's goal for a row: ``ratio`` (autograd_cpp / torch of the reported
    values) or autograd_cpp's own ``value`` at most (or at least) ``bound``."""

    bound: float
    at_most: bool = True
    of: str = "ratio"  # "ratio" or "value"

    def met(self, row: dict) -> bool | None:
        x = row.get("ratio") if self.of == "ratio" else row["libs"]["autograd_cpp"]["value"]
        if x is None or not math.isfinite(x):
            return None
        return x <= self.bound if self.at_most else x >= self.bound

    def text(self, unit: str) -> str:
        sign = "≤" if self.at_most else "≥"
        return f"{sign} {self.bound:g}" + ("" if self.of == "ratio" else f" {unit}")


# Speed targets (ratios are autograd_cpp / torch of the reported values, so a
# throughput has to reach >= 1 where a time has to stay <= 1).
OVERHEAD_TARGET = Target(0.25)
NOT_SLOWER = Target(1.0)
NOT_SLOWER_THROUGHPUT = Target(1.0, at_most=False)


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
    heavy: bool = False  # skipped under --quick unless named in --workloads
    target: Target | None = None
    # Also timed with PyTorch's allocator under TORCH_ALLOC_VARIANT (a second
    # child): large fresh buffers make PyTorch's default page-fault bound.
    torch_alloc_variant: bool = False

    @property
    def key(self) -> str:
        return f"{self.name}/{self.metric}"


WORKLOADS: list[Workload] = []


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A workload call with an untimed setup: only ``run(prepare())``'s ``run`` is timed.

    For things that can run once per setup, e.g. a backward pass, which frees the
    graph it runs through: ``prepare`` builds the graph, ``run`` runs backward.
    Calling it runs both (that is what the agreement check does).
    """

    prepare: Callable[[], Any]
    run: Callable[[Any], Any]

    def __call__(self) -> Any:
        return self.run(self.prepare())


def workload(
    name: str,
    *,
    metric: str,
    unit: str,
    kind: str = "time",
    to_value: Callable[[float], float],
    numpy: Callable[[Any], Callable[[], Any]] | None = None,
    rtol: float = 1e-4,
    heavy: bool = False,
    target: Target | None = None,
    torch_alloc_variant: bool = False,
):
    """Registers ``fn(lib) -> callable`` as a workload (decorator).

    ``heavy`` workloads (large inputs, long calls) are skipped under ``--quick``.
    """
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
            heavy=heavy,
            target=target,
            torch_alloc_variant=torch_alloc_variant,
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


def _small_ops_inputs(size=SMALL_OPS_SIZE):
    """x, c, w, d of shape ``size`` (``()`` gives 0-d arrays)."""
    import numpy as np

    rng = _rng()
    x = rng.standard_normal(size).astype(np.float32)
    c = rng.uniform(-1.0, 1.0, size).astype(np.float32)
    w = rng.uniform(0.5, 1.5, size).astype(np.float32)
    d = rng.uniform(1.0, 2.0, size).astype(np.float32)
    return x, c, w, d


def _small_ops_chain(x, c, w, d, blocks=SMALL_OPS_BLOCKS):
    """10 * blocks elementwise ops. Every value stays in about [-1, 3.5], so exp cannot overflow."""
    y = x
    for _ in range(blocks):
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


def _small_ops_numpy(np, size=SMALL_OPS_SIZE, blocks=SMALL_OPS_BLOCKS):
    """The same chain in numpy: forward values, then the reverse pass written by hand."""
    x, c, w, d = _small_ops_inputs(size)

    def step():
        y = x
        saved = []
        for _ in range(blocks):
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
    target=OVERHEAD_TARGET,
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


# ---- scalar_chain: per-op overhead on 0-d tensors ----------------------------------------

SCALAR_CHAIN_BLOCKS = 200  # 10 ops per block
SCALAR_CHAIN_COUNT = 10 * SCALAR_CHAIN_BLOCKS


@workload(
    "scalar_chain",
    metric=f"fwd+bwd, {SCALAR_CHAIN_COUNT} ops on 0-d float32",
    unit="ms",
    to_value=lambda s: s * 1e3,
    numpy=lambda np: _small_ops_numpy(np, (), SCALAR_CHAIN_BLOCKS),
    rtol=1e-4,
    target=OVERHEAD_TARGET,
)
def scalar_chain(lib):
    """small_ops' chain, 2,000 ops long, on 0-d tensors (scalar code: pure overhead)."""
    xa, ca, wa, da = _small_ops_inputs(())
    x = _from_numpy(lib, xa, requires_grad=True)
    c, w, d = (_from_numpy(lib, a) for a in (ca, wa, da))

    def step():
        x.grad = None
        _small_ops_chain(x, c, w, d, SCALAR_CHAIN_BLOCKS).sum().backward()
        return x.grad

    return step


# ---- deep_chain: the backward engine's cost per node -------------------------------------

DEEP_NODES = 10_000  # nodes in the chain (plus the sum)
DEEP_SIZE = 64
DEEP_MUL, DEEP_ADD = 1.0001, 0.001  # d out / d x = DEEP_MUL ** (DEEP_NODES / 2), about 1.65


def _deep_input():
    import numpy as np

    return _rng().standard_normal(DEEP_SIZE).astype(np.float32)


def _deep_build(x):
    """DEEP_NODES nodes: alternately a mul and an add by a constant."""
    y = x
    for _ in range(DEEP_NODES // 2):
        y = y * DEEP_MUL
        y = y + DEEP_ADD
    return y


def _deep_numpy_backward(np):
    """numpy reference: the hand-written reverse pass of the chain (the adds pass through)."""
    x = _deep_input()

    def backward(_):
        g = np.ones_like(x)
        for _ in range(DEEP_NODES // 2):
            g = g * np.float32(DEEP_MUL)
        return g

    return backward


def _deep_chain_numpy(np):
    backward = _deep_numpy_backward(np)
    return lambda: backward(_deep_build(_deep_input()))


def _deep_chain_numpy_bwd(np):
    return Prepared(prepare=lambda: _deep_build(_deep_input()), run=_deep_numpy_backward(np))


@workload(
    "deep_chain",
    metric=f"bwd only: .sum().backward() through {DEEP_NODES} nodes, shape ({DEEP_SIZE},)",
    unit="ms",
    to_value=lambda s: s * 1e3,
    numpy=_deep_chain_numpy_bwd,
    rtol=1e-4,
    target=OVERHEAD_TARGET,
)
def deep_chain_bwd(lib):
    """Backward through a chain of 10,000 mul/add nodes; the chain is built untimed."""
    x = _from_numpy(lib, _deep_input(), requires_grad=True)

    def prepare():
        x.grad = None
        return _deep_build(x)

    def run(y):
        y.sum().backward()
        return x.grad

    return Prepared(prepare, run)


@workload(
    "deep_chain",
    metric=f"build+bwd, {DEEP_NODES} nodes, shape ({DEEP_SIZE},)",
    unit="ms",
    to_value=lambda s: s * 1e3,
    numpy=_deep_chain_numpy,
    rtol=1e-4,
)
def deep_chain_build_bwd(lib):
    """Builds the 10,000-node chain and runs backward through it."""
    x = _from_numpy(lib, _deep_input(), requires_grad=True)

    def step():
        x.grad = None
        _deep_build(x).sum().backward()
        return x.grad

    return step


# ---- matmul ----------------------------------------------------------------------------

MATMUL_SIZES = (256, 1024, 2048)  # forward GFLOP/s and fwd+bwd ms at each
MATMUL_TARGET_FROM = 1024  # the GFLOP/s target holds from this size on
MATMUL_HEAVY = 2048  # from this size on, skipped under --quick


@functools.cache
def _matmul_inputs(n):
    import numpy as np

    rng = _rng()
    a = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal((n, n)).astype(np.float32)
    a.setflags(write=False)  # shared by every library's builder: nobody may write
    b.setflags(write=False)
    return a, b


def _matmul_fwd(n):
    def numpy_fwd(np):
        a, b = _matmul_inputs(n)
        return lambda: a @ b

    @workload(
        "matmul",
        metric=f"fwd, n={n} float32",
        unit="GFLOP/s",
        kind="throughput",
        to_value=lambda s: 2.0 * n**3 / s / 1e9,
        numpy=numpy_fwd,
        rtol=1e-4,
        heavy=n >= MATMUL_HEAVY,
        target=NOT_SLOWER_THROUGHPUT if n >= MATMUL_TARGET_FROM else None,
    )
    def matmul_fwd(lib):
        """C = A @ B for two n x n float32 matrices that do not require grad."""
        a, b = _matmul_inputs(n)
        A, B = _from_numpy(lib, a), _from_numpy(lib, b)
        return lambda: A @ B


def _matmul_fwd_bwd(n):
    def numpy_fwd_bwd(np):
        a, b = _matmul_inputs(n)

        def step():
            c = a @ b
            c.sum()
            g = np.ones_like(c)  # d sum / d C
            return g @ b.T, a.T @ g

        return step

    @workload(
        "matmul",
        metric=f"fwd+bwd, n={n} float32",
        unit="ms",
        to_value=lambda s: s * 1e3,
        numpy=numpy_fwd_bwd,
        rtol=1e-4,
        heavy=n >= MATMUL_HEAVY,
    )
    def matmul_fwd_bwd(lib):
        """(A @ B).sum().backward() with A and B requiring grad."""
        a, b = _matmul_inputs(n)
        A = _from_numpy(lib, a, requires_grad=True)
        B = _from_numpy(lib, b, requires_grad=True)

        def step():
            A.grad = None
            B.grad = None
            (A @ B).sum().backward()
            return A.grad, B.grad

        return step


for _n in MATMUL_SIZES:
    _matmul_fwd(_n)
    _matmul_fwd_bwd(_n)


# ---- training steps: an MLP and a small CNN ----------------------------------------------

MLP_SIZES = (784, 256, 128, 10)
MLP_BATCH = 128


def _step_result(loss, params):
    """What a training step's libraries must agree on: the loss, every
    gradient and every parameter after the update (references only, so
    timing pays nothing; the agreement check reads them before the next
    call)."""
    return (loss, *(p.grad for p in params), *params)


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
    rtol=1e-5,  # loss, gradients and updated weights (float32; measured ~1e-6)
    target=Target(0.8),
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
        return _step_result(loss, params)

    return step


CNN_BATCH = 64


@workload(
    "cnn_step",
    metric=f"conv-relu-pool-linear on 8x8 images, batch {CNN_BATCH}, CE + SGD step",
    unit="ms",
    to_value=lambda s: s * 1e3,
    rtol=1e-5,  # loss, gradients and updated weights (float32; measured ~1e-6)
    target=NOT_SLOWER,
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
        return _step_result(loss, params)

    return step


# ---- reductions and softmax on a large matrix --------------------------------------------

RED_N = 4096


@functools.cache  # generating it takes 0.6 s, and every library of every row needs it
def _red_input():
    import numpy as np

    a = _rng().standard_normal((RED_N, RED_N)).astype(np.float32)
    a.setflags(write=False)  # shared by every library's builder: nobody may write
    return a


def _softmax_numpy(np, a, dim):
    e = np.exp(a - a.max(dim, keepdims=True))
    return e / e.sum(dim, keepdims=True)


def _reduction(name, dim, fn, np_fn):
    # dim 1 reduces along each row (one result per row), dim 0 along each column.
    where = "each row (dim=1)" if dim == 1 else "each column (dim=0)"

    @workload(
        "reductions",
        metric=f"{name} over {where}, {RED_N}x{RED_N} float32",
        unit="ms",
        to_value=lambda s: s * 1e3,
        numpy=lambda np: (lambda a: lambda: np_fn(np, a, dim))(_red_input()),
        rtol=1e-3,
        target=NOT_SLOWER,
    )
    def run(lib):
        """A forward reduction (no grad) of a 4096x4096 float32 matrix."""
        x = _from_numpy(lib, _red_input())
        return lambda: fn(lib, x, dim)

    return run


for _dim in (1, 0):
    _reduction("sum", _dim, lambda m, x, d: x.sum(d), lambda np, a, d: a.sum(d))
    _reduction("mean", _dim, lambda m, x, d: x.mean(d), lambda np, a, d: a.mean(d))
    _reduction("softmax", _dim, lambda m, x, d: m.softmax(x, d), _softmax_numpy)


# ---- elementwise bandwidth on 16M elements, and a STREAM-like triad ----------------------

ELEM_N = 16 * 2**20  # 16M float32: 64 MiB per tensor, far beyond any cache
ELEM_SCALE, ELEM_SHIFT = 1.5, 0.25
TRIAD_S = 3.0
# Bytes are counted as whole 64 MiB tensor passes (4 B x ELEM_N): every full-size
# tensor that an unfused kernel must read or write once. Scalars, the stride-0
# gradient of sum() and page-fault or write-allocate traffic are not counted.
ELEM_FWD_PASSES = 6  # x*a: read x, write t; t+b: read, write u; relu: read, write y
ELEM_FWD_BWD_PASSES = 11  # + sum: read y; relu bwd: read y, write g; mul bwd: read, write
TRIAD_PASSES = 5  # copy b -> a: read, write; a += s*c: read a, read c, write a
ELEM_FWD_METRIC = f"fwd (x*1.5+0.25).relu(), no grad, 16M float32 ({ELEM_FWD_PASSES} passes)"
TRIAD_METRIC = f"triad a = b + 3*c in place, 16M float32 ({TRIAD_PASSES} passes)"
BANDWIDTH_TARGET = Target(70.0, at_most=False, of="value")  # % of the best triad


def _gb_per_s(passes: int) -> Callable[[float], float]:
    return lambda s: passes * 4 * ELEM_N / s / 1e9


@functools.cache
def _elem_inputs():
    import numpy as np

    rng = _rng()
    x = rng.standard_normal(ELEM_N, dtype=np.float32)
    c = rng.standard_normal(ELEM_N, dtype=np.float32)
    x.setflags(write=False)  # shared by every library's builder: nobody may write
    c.setflags(write=False)
    return x, c


def _elem_fwd_bwd_numpy(np):
    x, _ = _elem_inputs()

    def step():
        y = np.maximum(x * np.float32(ELEM_SCALE) + np.float32(ELEM_SHIFT), 0)
        y.sum()
        return np.where(y > 0, np.float32(ELEM_SCALE), np.float32(0))  # d sum / d x

    return step


@workload(
    "elementwise",
    metric=f"fwd+bwd (x*1.5+0.25).relu().sum(), 16M float32 ({ELEM_FWD_BWD_PASSES} passes)",
    unit="GB/s",
    kind="throughput",
    to_value=_gb_per_s(ELEM_FWD_BWD_PASSES),
    numpy=_elem_fwd_bwd_numpy,
    rtol=1e-6,
    heavy=True,
    target=NOT_SLOWER_THROUGHPUT,
    torch_alloc_variant=True,
)
def elementwise_fwd_bwd(lib):
    """A 3-op elementwise chain on 16M elements with .sum().backward(): memory-bound."""
    x = _from_numpy(lib, _elem_inputs()[0], requires_grad=True)

    def step():
        x.grad = None
        (x * ELEM_SCALE + ELEM_SHIFT).relu().sum().backward()
        return x.grad

    return step


def _elem_fwd_numpy(np):
    x, _ = _elem_inputs()
    return lambda: np.maximum(x * np.float32(ELEM_SCALE) + np.float32(ELEM_SHIFT), 0)


@workload(
    "elementwise",
    metric=ELEM_FWD_METRIC,
    unit="GB/s",
    kind="throughput",
    to_value=_gb_per_s(ELEM_FWD_PASSES),
    numpy=_elem_fwd_numpy,
    rtol=1e-6,
    heavy=True,
    target=NOT_SLOWER_THROUGHPUT,
    torch_alloc_variant=True,
)
def elementwise_fwd(lib):
    """The same chain's forward only, on a tensor that does not require grad."""
    x = _from_numpy(lib, _elem_inputs()[0])
    return lambda: (x * ELEM_SCALE + ELEM_SHIFT).relu()


def _triad_numpy(np):
    b, c = _elem_inputs()
    a = np.empty_like(b)

    def step():
        np.multiply(c, np.float32(TRIAD_S), out=a)
        np.add(a, b, out=a)
        return a

    return step


@workload(
    "elementwise",
    metric=TRIAD_METRIC,
    unit="GB/s",
    kind="throughput",
    to_value=_gb_per_s(TRIAD_PASSES),
    numpy=_triad_numpy,
    rtol=1e-6,
    heavy=True,
    torch_alloc_variant=True,
)
def triad(lib):
    """STREAM-like triad into a preallocated output: the machine's usable bandwidth."""
    b, c = (_from_numpy(lib, arr) for arr in _elem_inputs())
    a = lib.zeros(ELEM_N)  # preallocated (and touched) once: no page faults when timed

    def step():
        a.copy_(b)
        a.add_(c, alpha=TRIAD_S)
        return a

    return step


def _elementwise_fraction(results: list[dict]) -> dict | None:
    """Derived row: each library's elementwise forward GB/s as a share of the best triad."""
    by_metric = {r["metric"]: r for r in results if r["workload"] == "elementwise"}
    fwd, tri = by_metric.get(ELEM_FWD_METRIC), by_metric.get(TRIAD_METRIC)
    if fwd is None or tri is None:
        return None
    best_lib, best = max(((k, s["value"]) for k, s in tri["libs"].items()), key=lambda kv: kv[1])
    return {
        "workload": "elementwise",
        "metric": "fwd GB/s as % of the best triad (machine bandwidth)",
        "unit": "%",
        "kind": "throughput",
        "description": f"derived: fwd GB/s / best triad ({best:.1f} GB/s, {best_lib})",
        "rtol": None,
        "check": {},
        "derived": True,
        "target": dataclasses.asdict(BANDWIDTH_TARGET),
        "libs": {k: {"value": 100.0 * s["value"] / best} for k, s in fwd["libs"].items()},
    }


DERIVED: list[Callable[[list[dict]], dict | None]] = [_elementwise_fraction]
