"""Ops captured by compile beyond arithmetic and nn (docs/compile.md):
factories (random ones drawing from the default generator as eager does),
cumsum, flip, comparisons and their masks in where/masked_fill, var/std,
and indexing (slices, integers, index tensors; getitem, setitem,
index_put). Each runs compiled against eager: values, gradients, .grad
accumulation and optimizer state bit for bit with fusion off, within
fusion's tolerance with it on; and each is recorded (no fallback)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import compiler
from compile_helpers import (
    close,
    compare,
    failures,
    fusion,
    program_count,
    run_both,
    same,
    step_names,
)

nn = ag.nn
F = ag.nn.functional


def captured(cf: Callable[..., Any], *names: str) -> None:
    """cf replays one program that records each of names as a step."""
    assert program_count(cf) == 1 and not failures(cf), failures(cf)
    recorded = step_names(cf)
    for n in names:
        assert n in recorded, (n, recorded)


def both_ways(
    fn: Callable[..., Any], data: list[np.ndarray], *names: str, extra: tuple[Any, ...] = ()
) -> None:
    """compare() with fusion off (bit for bit) and on (fusion's tolerance)."""
    for fused in (False, True):
        with fusion(fused):
            cf = compare(fn, data, extra=extra, exact=not fused)
        captured(cf, *names)


RNG = np.random.default_rng(0)


# ---- factories -----------------------------------------------------------------------


def test_factories_are_recorded() -> None:
    def f(x: ag.Tensor) -> tuple[ag.Tensor, ...]:
        z = ag.zeros(2, 3) + ag.ones(2, 3, dtype=ag.float64) * ag.full((3,), 2.5)
        e = ag.empty(2, 3).fill_(1.0)
        r = ag.arange(3.0) + ag.arange(0, 6, 2) + ag.eye(3)[0] + ag.linspace(0, 1, 3)
        like = ag.zeros_like(x) + ag.ones_like(x) + ag.full_like(x, 3) + ag.empty_like(x).zero_()
        loss = ((x * r + like) * z).sum()
        loss.backward()
        return loss, z, e, like

    both_ways(f, [RNG.standard_normal((2, 3))], "zeros", "ones", "full", "arange", "eye",
              "linspace", "empty")  # fmt: skip


def test_factory_with_requires_grad_makes_a_fresh_leaf_per_call() -> None:
    def f(x: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor | None, ag.Tensor]:
        w = ag.ones(3, requires_grad=True)
        b = ag.zeros_like(x, requires_grad=True)
        loss = (w * x + b).pow(2).sum()
        loss.backward()
        return w, w.grad, b.grad  # type: ignore[return-value]

    cf = run_both(f, lambda i: (ag.arange(3.0) * (i + 1),))
    captured(cf, "ones", "zeros", "backward")
    w1, _, _ = cf(ag.arange(3.0))
    w2, _, _ = cf(ag.arange(3.0))
    assert w1 is not w2 and w1.is_leaf and w1.requires_grad


@pytest.mark.parametrize("fused", [False, True])
def test_random_factories_draw_from_the_default_generator_as_eager(fused: bool) -> None:
    def noisy(x: ag.Tensor) -> tuple[ag.Tensor, ...]:
        a = x + ag.randn(3) * 0.1
        b = ag.rand(2, 3) + ag.randn_like(x) + ag.rand_like(x, dtype=ag.float64)
        c = ag.randint(0, 10, (4,)) + ag.randint(5, (4,))
        return a, b, c

    x = ag.zeros(3)
    with fusion(fused):
        ag.manual_seed(5)
        eager = [noisy(x) for _ in range(5)]
        eager_next = ag.randn(4)
        cf = ag.compile(noisy)
        ag.manual_seed(5)
        compiled = [cf(x) for _ in range(5)]
        compiled_next = ag.randn(4)
    close(eager, compiled, exact=not fused)
    # The generator advanced by the same draws.
    same(eager_next, compiled_next)
    captured(cf, "randn", "rand", "randint")


def test_dropout_and_randn_noise_in_a_training_step() -> None:
    def build() -> tuple[nn.Module, Any]:
        ag.manual_seed(0)
        m = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 1))
        return m, ag.optim.Adam(m.parameters(), lr=1e-2)

    def make(m: nn.Module, opt: Any) -> Callable[[ag.Tensor, ag.Tensor], ag.Tensor]:
        def step(x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
            opt.zero_grad()
            noisy = x + 0.05 * ag.randn_like(x)
            loss = F.mse_loss(m(noisy), y)
            loss.backward()
            opt.step()
            return loss

        return step

    (m_e, o_e), (m_c, o_c) = build(), build()
    s_e, s_c = make(m_e, o_e), ag.compile(make(m_c, o_c))
    data = [(ag.randn(8, 6), ag.randn(8, 1)) for _ in range(5)]
    for i, (x, y) in enumerate(data):
        ag.manual_seed(50 + i)
        a = s_e(x, y)
        ag.manual_seed(50 + i)
        same(a, s_c(x, y))
    captured(s_c, "randn", "dropout", "adam_step")
    for p, q in zip(m_e.parameters(), m_c.parameters()):
        same(p, q)
        same(o_e.state[p], o_c.state[q])


def test_random_factory_with_an_explicit_generator_falls_back() -> None:
    gens = [ag.Generator().manual_seed(3), ag.Generator().manual_seed(3)]

    def make(g: Any) -> Callable[[ag.Tensor], ag.Tensor]:
        return lambda x: x + ag.randn(3, generator=g)

    f, cf = make(gens[0]), ag.compile(make(gens[1]))
    x = ag.zeros(3)
    for _ in range(4):
        same(f(x), cf(x))
    assert program_count(cf) == 0
    assert any("explicit generator" in r for r in failures(cf)), failures(cf)


# ---- cumsum, flip, comparisons, var/std -------------------------------------------------


def test_cumsum_and_flip_with_gradients() -> None:
    def f(x: ag.Tensor, w: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
        c = ag.cumsum(x * w, 1).flip(0) + x.cumsum(0, dtype=ag.float64)
        d = ag.flip(c, [0, 1]).cumsum(-1)
        loss = (d * d).sum()
        loss.backward()
        return c, loss

    both_ways(f, [RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))], "cumsum", "flip")


def test_comparisons_and_their_masks_in_where_and_masked_fill() -> None:
    def f(x: ag.Tensor, t: ag.Tensor) -> tuple[ag.Tensor, ...]:
        masks = (x > 0, x >= t, x < 0.5, x <= t, x == t, x != 0.25, ag.gt(x, t), x.le(0))
        y = ag.where(masks[0], x * 2, x.exp())
        y = y.masked_fill(masks[2] & masks[5], 0.5) + ag.where(x.ge(t), t, 0.0)
        y = y + ag.where(ag.logical_not(masks[4]), 1.0, 0.0)
        loss = (y * y).sum()
        loss.backward()
        return (loss, *masks)

    data = [RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))]
    data[1][0] = data[0][0]  # some equal elements
    both_ways(f, data, "gt", "ge", "lt", "le", "eq", "ne", "where", "masked_fill")


@pytest.mark.parametrize("dims", [None, 0, (0, 1), -1])
def test_var_and_std_with_gradients(dims: Any) -> None:
    def f(x: ag.Tensor) -> tuple[ag.Tensor, ...]:
        if dims is None:
            v, s = x.var(), ag.std(x, unbiased=False)
        else:
            v, s = x.var(dims, keepdim=True), x.std(dims, correction=0)
        loss = v.sum() + (s * 2).sum()
        loss.backward()
        return v, s, loss

    both_ways(f, [RNG.standard_normal((4, 3))], "var", "std")


# ---- indexing -----------------------------------------------------------------------------


def test_getitem_slices_integers_and_index_tensors() -> None:
    def f(x: ag.Tensor, idx: ag.Tensor, rows: ag.Tensor) -> tuple[ag.Tensor, ...]:
        a = x[1:, ::2] * 2 + x[0, :3:1].sum()
        b = x[idx] + x[:, idx].sum(0).unsqueeze(1)
        c = x[rows, idx] + x[..., -1][None, 1:3].sum()
        loss = (a * a).sum() + (b * 3).sum() + c.sum()
        loss.backward()
        return a, b, c, loss

    leaves = [RNG.standard_normal((4, 5))]
    for fused in (False, True):
        x_e, x_c = (ag.tensor(leaves[0], requires_grad=True) for _ in range(2))
        with fusion(fused):
            cf = ag.compile(f)
            for i in range(5):
                # Index tensors are inputs: other values, same shape, replay.
                idx = ag.tensor([i % 4, (i + 1) % 4, 3])
                rows = ag.tensor([3 - i % 4, 0, 1])
                if i % 2 == 0:
                    x_e.grad = x_c.grad = None
                close(f(x_e, idx, rows), cf(x_c, idx, rows), exact=not fused)
                close(x_e.grad, x_c.grad, exact=not fused)
        captured(cf, "getitem")


def test_setitem_and_index_put_with_gradients() -> None:
    def f(x: ag.Tensor, v: ag.Tensor, idx: ag.Tensor, mask: ag.Tensor) -> tuple[ag.Tensor, ...]:
        y = x * 1.5
        y[0] = 0.0
        y[1:, idx] = v[: len(idx)].unsqueeze(0) * 2
        y[mask] = -1.0  # a boolean mask written in place: shapes stay fixed
        z = ag.index_put(y, (idx,), v[: len(idx)].unsqueeze(1), accumulate=True)
        z.index_put_((idx,), ag.ones((), dtype=ag.float64), accumulate=False)
        w = y.clone()
        w[..., 2] += v[:3].sum()
        loss = (z * z).sum() + w.sum()
        loss.backward()
        return y, z, w, loss

    x0, v0 = RNG.standard_normal((4, 3)), RNG.standard_normal(5)
    for fused in (False, True):
        x_e, x_c, v_e, v_c = (ag.tensor(d, requires_grad=True) for d in (x0, x0, v0, v0))
        with fusion(fused):
            cf = ag.compile(f)
            for i in range(5):
                idx = ag.tensor([i % 3, (i + 2) % 3])
                mask = ag.tensor(RNG.random((4, 3)) < 0.3)
                if i % 2 == 0:
                    for t in (x_e, x_c, v_e, v_c):
                        t.grad = None
                close(f(x_e, v_e, idx, mask), cf(x_c, v_c, idx, mask), exact=not fused)
                close([x_e.grad, v_e.grad], [x_c.grad, v_c.grad], exact=not fused)
        captured(cf, "setitem", "index_put", "index_put_")


def test_setitem_on_captured_state_updates_it_in_place() -> None:
    state_e, state_c = ag.zeros(4), ag.zeros(4)

    def make(state: ag.Tensor) -> Callable[[ag.Tensor, ag.Tensor], ag.Tensor]:
        def f(x: ag.Tensor, i: ag.Tensor) -> ag.Tensor:
            state[i] = state[i] + x
            state[0] += 1
            return state.sum()

        return f

    f, cf = make(state_e), ag.compile(make(state_c))
    for k in range(6):
        i = ag.tensor([k % 4])
        same(f(ag.ones(1) * k, i), cf(ag.ones(1) * k, i))
        same(state_e, state_c)
    captured(cf, "setitem", "getitem")


def test_getitem_with_a_boolean_mask_falls_back() -> None:
    def f(x: ag.Tensor) -> ag.Tensor:
        return x[x > 0].sum() * 2

    cf = run_both(f, lambda i: (ag.arange(-2.0, 3.0) * (-1) ** i,))
    assert program_count(cf) == 0
    assert any("boolean mask" in r for r in failures(cf)), failures(cf)
    report = compiler.explain(f, ag.arange(3.0))
    assert not report.captured and any("boolean mask" in r for r in report.break_reasons)


# ---- a training step using them ---------------------------------------------------------------


@pytest.mark.parametrize("fused", [False, True])
def test_training_step_with_the_captured_ops(fused: bool) -> None:
    def build() -> tuple[nn.Module, Any]:
        ag.manual_seed(0)
        m = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 4))
        return m, ag.optim.Adam(m.parameters(), lr=1e-2)

    def make(m: nn.Module, opt: Any) -> Callable[..., tuple[ag.Tensor, ag.Tensor]]:
        def step(x: ag.Tensor, y: ag.Tensor, pick: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
            opt.zero_grad()
            out = m(x)
            mask = out.gt(0) | (y == 1)
            shaped = ag.where(mask, out, out * 0.1).masked_fill(y < 0, 0.0)
            running = shaped.cumsum(1).flip(1)[:, :3]
            target = ag.zeros_like(running)
            target[pick] = 1.0
            spread = running.var(0).sum() + running.std(1).mean()
            loss = F.mse_loss(running, target) + 0.01 * spread
            loss = loss + out[pick, 0].sum() * ag.full((), 1e-3)
            loss.backward()
            opt.step()
            return loss, out.detach()

        return step

    (m_e, o_e), (m_c, o_c) = build(), build()
    s_e = make(m_e, o_e)
    with fusion(fused):
        s_c = ag.compile(make(m_c, o_c))
        rng = np.random.default_rng(1)
        for _ in range(6):
            x = ag.tensor(rng.standard_normal((10, 8)), dtype=ag.float32)
            y = ag.tensor(rng.integers(-1, 2, (10, 4)))
            pick = ag.tensor(rng.integers(0, 10, 3))
            close(s_e(x, y, pick), s_c(x, y, pick), exact=not fused)
            for p, q in zip(m_e.parameters(), m_c.parameters()):
                close(p, q, exact=not fused)
                close(p.grad, q.grad, exact=not fused)
                close(o_e.state[p], o_c.state[q], exact=not fused)
    captured(s_c, "gt", "eq", "lt", "where", "masked_fill", "cumsum", "flip", "getitem",
             "zeros", "setitem", "var", "std", "full", "adam_step")  # fmt: skip
