"""Python threads: independent training runs at once give bitwise the results
they give one after another, grad mode is per thread, and long kernels,
backward and optimizer steps let other Python threads run meanwhile."""

import sys
import threading

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import nn, optim

THREADS = 4


def run_in_threads(fn, n=THREADS):
    """fn(i) on n threads released together; returns their results in order
    and re-raises the first error."""
    results, errors = [None] * n, []
    barrier = threading.Barrier(n)

    def body(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def train(seed, opt_cls, steps=15):
    """A small regression run, wide enough that its kernels drop the GIL."""
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(128, 256), nn.Tanh(), nn.Linear(256, 1))
    with ag.no_grad():
        for p in model.parameters():
            p.copy_(ag.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.05))
    x = ag.from_numpy(rng.standard_normal((512, 128)).astype(np.float32))
    target = ag.from_numpy(rng.standard_normal((512, 1)).astype(np.float32))
    opt = opt_cls(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("opt_cls", [optim.SGD, optim.Adam], ids=["sgd", "adam"])
def test_concurrent_training_runs_match_serial_runs_bitwise(opt_cls):
    serial = [train(i, opt_cls) for i in range(THREADS)]
    parallel = run_in_threads(lambda i: train(i, opt_cls))
    for (s_losses, s_params), (p_losses, p_params) in zip(serial, parallel):
        assert s_losses == p_losses
        for a, b in zip(s_params, p_params):
            np.testing.assert_array_equal(a, b)


def test_concurrent_autograd_grad_and_hooks_match_serial():
    def work(i):
        x = ag.linspace(-1.0, 1.0, 40000, dtype=ag.float64).requires_grad_()
        seen = []
        h = (x * (i + 1)).sin()
        h.register_hook(lambda g: seen.append(g.shape) or g * 2)
        (g,) = ag.autograd.grad((h * h).sum(), x)
        return g.numpy().copy(), seen

    serial = [work(i) for i in range(THREADS)]
    parallel = run_in_threads(work)
    for (a, sa), (b, sb) in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)
        assert sa == sb == [(40000,)]


def test_threads_accumulating_into_one_leaf_lose_no_update():
    w = ag.ones(50000, dtype=ag.float64, requires_grad=True)

    def work(i):
        for _ in range(20):
            (w * (i + 1.0)).sum().backward()

    run_in_threads(work)
    # Small integers: exact in any order of accumulation.
    assert np.all(w.grad.numpy() == 20 * THREADS * (THREADS + 1) / 2)


def test_grad_mode_is_per_thread_while_threads_overlap():
    x = ag.ones(3, requires_grad=True)
    inside, outside = threading.Event(), threading.Event()
    seen = {}

    def no_grad_thread():
        with ag.no_grad():
            inside.set()
            outside.wait()
            seen["no_grad_thread"] = (x * 2).requires_grad
        seen["after"] = (x * 2).requires_grad

    def grad_thread():
        inside.wait()
        seen["grad_thread"] = ag.is_grad_enabled() and (x * 2).requires_grad
        with ag.inference_mode():
            seen["inference"] = (x * 2).requires_grad
        outside.set()

    threads = [threading.Thread(target=f) for f in (no_grad_thread, grad_thread)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {
        "no_grad_thread": False,
        "after": True,
        "grad_thread": True,
        "inference": False,
    }
    assert ag.is_grad_enabled()


def other_thread_ran_during(op):
    """Whether another Python thread ran while `op()` was in C++.

    With a huge switch interval the interpreter never takes the GIL from a
    running thread, so the waiting thread runs only when the caller gives the
    GIL up itself: inside the op if it releases it, else at join(). So True
    proves the op released the GIL; False can also mean the other thread was
    not scheduled before the op ended."""
    state = {"in_op": False}
    go = threading.Event()
    seen = []

    def other():
        go.wait()
        seen.append(state["in_op"])

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=other)
        t.start()
        state["in_op"] = True
        go.set()
        op()
        state["in_op"] = False
        t.join()
    finally:
        sys.setswitchinterval(old)
    return seen == [True]


def test_small_ops_keep_the_gil():
    # Releasing costs more than a tiny kernel; the check above is not vacuous.
    x = ag.ones(4)
    assert not other_thread_ran_during(lambda: x + 1)
