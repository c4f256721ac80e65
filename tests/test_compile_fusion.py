"""Elementwise fusion in compiled programs (docs/compile.md): fused replays
match eager within 1e-6 relative (float32 elements that cancel: relative to
the tensor's largest element),
unfused programs stay bit-identical, and what fusion assumed at capture is
checked again on every replay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import compiler
from compile_helpers import close, compare, fusion, step_names
from test_random_graphs import BINARY, UNARY, build, random_plan

# Ops that fuse (elementwise over one shape, Python numbers as scalars).
FUSIBLE_UNARY: list[Callable[[ag.Tensor], ag.Tensor]] = [
    lambda x: x.exp() * 0.1,
    lambda x: (x * x + 1).sqrt(),
    lambda x: (x * x + 1).log(),
    lambda x: x.sin(),
    lambda x: x.cos(),
    lambda x: x.tanh(),
    lambda x: x.sigmoid(),
    lambda x: ag.relu(x),
    lambda x: -x,
    lambda x: 1.5 - x,
    lambda x: x / 3,
    lambda x: (x * 0.5).expm1(),
    lambda x: (x * x).log1p(),
    lambda x: 1 / (x * x + 1),
    lambda x: (x * x + 1).reciprocal(),
]
FUSIBLE_BINARY: list[Callable[[ag.Tensor, ag.Tensor], ag.Tensor]] = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1),
    lambda a, b: ag.add(a, b, alpha=0.5),
    lambda a, b: ag.sub(a, b, alpha=2),
]


def fusible_program(seed: int) -> tuple[Callable[..., Any], int]:
    rng = np.random.default_rng(seed)
    n_leaves = int(rng.integers(1, 4))
    plan = []
    for step in range(int(rng.integers(3, 25))):
        available = n_leaves + step
        if rng.random() < 0.5:
            plan.append((0, int(rng.integers(len(FUSIBLE_UNARY))), [int(rng.integers(available))]))
        else:
            args = [int(rng.integers(available)) for _ in range(2)]
            plan.append((1, int(rng.integers(len(FUSIBLE_BINARY))), args))

    def fn(*leaves: ag.Tensor) -> ag.Tensor:
        values = list(leaves)
        for kind, op, args in plan:
            ins = [values[i] for i in args]
            if kind == 0:
                values.append(FUSIBLE_UNARY[op](ins[0]))
            else:
                values.append(FUSIBLE_BINARY[op](ins[0], ins[1]))
        loss = values[-1].sum()
        loss.backward()
        return loss

    return fn, n_leaves


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("dtype", [ag.float64, ag.float32])
def test_random_fusible_programs_match_eager(seed: int, dtype: Any) -> None:
    fn, n_leaves = fusible_program(seed)
    rng = np.random.default_rng(1000 + seed)
    data = [rng.uniform(-1.5, 1.5, (37,)) for _ in range(n_leaves)]
    cf = compare(fn, data, dtype=dtype)
    names = step_names(cf)
    assert names == ["fused_elementwise_backward"]


@pytest.mark.parametrize("seed", range(40))
def test_random_graph_programs_compiled_match_eager(seed: int) -> None:
    """The random-graph generator's programs (fusible or not, some falling
    back) compiled against eager, with a weighted sum as loss."""
    rng = np.random.default_rng(seed)
    n_leaves = int(rng.integers(1, 4))
    data = [rng.uniform(-1.5, 1.5, (3, 4)) for _ in range(n_leaves)]
    plan = random_plan(rng, n_leaves, int(rng.integers(3, 12)))
    assert len(UNARY) and len(BINARY)

    def fn(*args: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
        *leaves, weights = args
        out = build(ag, leaves, plan)
        loss = (out * weights).sum()
        loss.backward()
        return out, loss

    weights = ag.tensor(np.linspace(-1, 1, 12).reshape(3, 4))
    compare(fn, data, extra=(weights,))


def test_fused_chain_replaces_forward_and_backward() -> None:
    def chain(x: ag.Tensor) -> ag.Tensor:
        y = x
        for _ in range(20):
            y = (y * 1.01).sin() + x
            y = y.tanh()
        loss = y.sum()
        loss.backward()
        return loss

    data = [np.random.default_rng(0).standard_normal(16)]
    cf = compare(chain, data, dtype=ag.float32)
    assert step_names(cf) == ["fused_elementwise_backward"]
    x = ag.ones(16, requires_grad=True)
    loss = cf(x)
    loss = cf(x)
    loss = cf(x)
    # The loss's graph ran inside the fused step and is spent, as eager's.
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_unfused_programs_stay_bit_identical() -> None:
    def f(x: ag.Tensor, w: ag.Tensor) -> ag.Tensor:
        loss = ((x * w).sin().tanh() + x).sum()
        loss.backward()
        return loss

    rng = np.random.default_rng(3)
    with fusion(False):
        cf = compare(f, [rng.standard_normal(8), rng.standard_normal(8)], exact=True)
    assert "fused_elementwise_backward" not in step_names(cf)


def test_forward_only_fusion_without_grad() -> None:
    def f(x: ag.Tensor, w: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
        with ag.no_grad():
            h = (x * w + 1).tanh()
            mid = h.sigmoid() * 2  # escapes: returned
            out = (mid - x).exp() / 3
        return mid, out

    rng = np.random.default_rng(4)
    x, w = ag.tensor(rng.standard_normal(50)), ag.tensor(rng.standard_normal(50))
    cf = ag.compile(f)
    for _ in range(4):
        close(f(x, w), cf(x, w), exact=True)
    assert step_names(cf) == ["fused_elementwise"]
    # Inputs that need no gradient fuse under grad mode too.
    g = ag.compile(lambda x, w: ((x * w).sin() + w).cos())
    for _ in range(4):
        close((((x * w).sin() + w).cos()), g(x, w), exact=True)
    assert step_names(g) == ["fused_elementwise"]


def test_escaping_intermediates_in_place_views_and_broadcasting() -> None:
    def f(x: ag.Tensor, w: ag.Tensor, b: ag.Tensor) -> tuple[ag.Tensor, ...]:
        h = (x * w).sin()
        kept = h * 2  # escapes: returned, so it keeps its graph
        v = (h + 1).view(2, 4).t()  # a view of a group value
        z = kept.tanh() + b  # broadcasting (4,) + (2, 4): not fused
        z2 = z + 0.25
        z2.mul_(0.5)  # in place
        loss = (z2.sum() + v.sum()).relu()
        loss.backward()
        return kept, loss, x  # an input is also an output

    rng = np.random.default_rng(5)
    data = [rng.standard_normal(8), rng.standard_normal(8)]

    def g(x: ag.Tensor, w: ag.Tensor) -> tuple[ag.Tensor, ...]:
        out: tuple[ag.Tensor, ...] = f(
            x.view(2, 4), w.view(2, 4), ag.tensor([0.1, 0.2, 0.3, 0.4], dtype=ag.float64)
        )
        return out

    # The constant b is made inside: the capture falls back, still equal.
    compare(g, data)

    def h(x: ag.Tensor, w: ag.Tensor, b: ag.Tensor) -> tuple[ag.Tensor, ...]:
        out: tuple[ag.Tensor, ...] = f(x.view(2, 4), w.view(2, 4), b)
        return out

    cf = compare(h, data, extra=(ag.tensor([0.1, 0.2, 0.3, 0.4], dtype=ag.float64),))
    assert step_names(cf)


def test_inputs_used_twice_and_gradients_to_several_leaves() -> None:
    def f(a: ag.Tensor, b: ag.Tensor, c: ag.Tensor) -> ag.Tensor:
        y = a * a + b / (c * c + 1) - a * b
        y = ag.relu(y) * c + (y - 0.25).sigmoid()
        loss = (y * y).sum()
        loss.backward()
        return loss

    rng = np.random.default_rng(6)
    cf = compare(f, [rng.standard_normal(300) for _ in range(3)], calls=6)
    assert step_names(cf) == ["fused_elementwise_backward"]


def test_leaf_without_path_to_the_loss_keeps_its_grad() -> None:
    def f(a: ag.Tensor, b: ag.Tensor) -> ag.Tensor:
        _unused = b.sin() * 2  # computed, never reaches the loss
        loss = (a.tanh() * 3).sum()
        loss.backward()
        return loss

    rng = np.random.default_rng(7)
    compare(f, [rng.standard_normal(5), rng.standard_normal(5)])


def test_replay_falls_back_when_a_leaf_gets_a_hook() -> None:
    def f(x: ag.Tensor) -> ag.Tensor:
        loss = (x.sin() * x).sum()
        loss.backward()
        return loss

    x = ag.ones(4, requires_grad=True)
    cf = ag.compile(f)
    for _ in range(3):
        x.grad = None
        cf(x)
    assert step_names(cf) == ["fused_elementwise_backward"]
    seen = []
    handle = x.register_hook(lambda g: seen.append(1) or g * 2)
    x.grad = None
    cf(x)
    y = ag.ones(4, requires_grad=True)
    y.register_hook(lambda g: g * 2)
    f(y)
    close(y.grad, x.grad)
    assert seen == [1]
    handle.remove()


def test_train_step_with_fused_elementwise_and_optimizer() -> None:
    rng = np.random.default_rng(8)
    w0, x0 = rng.standard_normal(64), rng.standard_normal(64)

    def setup() -> tuple[ag.Tensor, Any, Callable[[ag.Tensor], ag.Tensor]]:
        w = ag.tensor(w0, requires_grad=True)
        opt = ag.optim.Adam([w], lr=0.05)

        def step(x: ag.Tensor) -> ag.Tensor:
            opt.zero_grad()
            loss = ((w * x).tanh() - 0.5 * x).sigmoid().sum()
            loss.backward()
            opt.step()
            return loss

        return w, opt, step

    we, opte, se = setup()
    wc, optc, sc = setup()
    cf = ag.compile(sc)
    x = ag.tensor(x0)
    for _ in range(6):
        close(se(x), cf(x))
        close(we, wc)
        for k in ("exp_avg", "exp_avg_sq"):
            close(opte.state[we][k], optc.state[wc][k])
    assert "fused_elementwise_backward" in step_names(cf)


def test_explain_shows_fused_steps() -> None:
    def f(x: ag.Tensor) -> ag.Tensor:
        loss = (x.exp() + 1).log().sum()
        loss.backward()
        return loss

    report = compiler.explain(f, ag.ones(3, requires_grad=True))
    assert report.captured and report.ops == ["fused_elementwise_backward"]
    with fusion(False):
        report = compiler.explain(f, ag.ones(3, requires_grad=True))
    assert report.ops == ["exp", "add", "log", "sum", "backward"]
