"""Reductions beyond the op table: ties, zeros in products, integer dtypes,
empty inputs, infinities, named results and error messages, against PyTorch."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


def run_both(fn, data, dtype="float64", grad=True):
    out = []
    for lib in (ag, torch):
        x = lib.tensor(data, dtype=getattr(lib, dtype), requires_grad=grad)
        y = fn(lib, x)
        if grad:
            y.sum().backward()
        out.append((x, y))
    return out


def check(fn, data, dtype="float64", grad=True):
    (xa, ya), (xt, yt) = run_both(fn, data, dtype, grad)
    assert str(ya.dtype) == str(yt.dtype)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy(), rtol=1e-6)
    if grad:
        np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: x.max(),
        lambda m, x: x.min(),
        lambda m, x: x.amax(1),
        lambda m, x: x.amin(0, keepdim=True),
        lambda m, x: x.max(1).values,
        lambda m, x: x.min(0).values,
        lambda m, x: x.norm(p=float("inf")),
    ],
)
def test_ties_share_or_route_the_gradient_as_torch(fn):
    check(fn, [[1.0, 3.0, 3.0], [3.0, -1.0, 2.0]])


@pytest.mark.parametrize(
    "data",
    [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 3.0, 1.0], [1.0, 2.0, 3.0, 4.0], [[0.0, 2.0], [3.0, 0.0]]],
)
@pytest.mark.parametrize("dim", [None, 0])
def test_prod_with_zeros_first_and_second_order(data, dim):
    def f(m, x):
        return x.prod() if dim is None else x.prod(dim)

    check(f, data)
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(f(lib, x).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        grads.append(gg.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: x.sum(),
        lambda m, x: x.prod(),
        lambda m, x: x.cumsum(0),
        lambda m, x: x.max(),
        lambda m, x: x.min(1).indices,
        lambda m, x: x.argmax(),
        lambda m, x: x.argmin(0),
        lambda m, x: x.amax(0),
        lambda m, x: x.all(),
        lambda m, x: x.any(1),
        lambda m, x: m.logsumexp(x, 1),
    ],
)
def test_integer_and_bool_inputs(dtype, fn):
    data = [[1, 0, 3], [2, 2, 1]]
    try:
        fn(torch, torch.tensor(data, dtype=getattr(torch, dtype)))
    except RuntimeError as err:  # e.g. argmax of bool: both must refuse
        with pytest.raises(RuntimeError, match=str(err).split("(")[0]):
            fn(ag, ag.tensor(data, dtype=getattr(ag, dtype)))
        return
    check(fn, data, dtype=dtype, grad=False)


def test_named_results():
    values, indices = ag.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    r = ag.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1)
    assert r.values.tolist() == [5.0, 7.0] and r.indices.tolist() == [1, 0]
    assert values.tolist() == [5.0, 7.0]
    assert repr(r) == repr(torch.tensor([[1.0, 5.0], [7.0, 2.0]]).max(1))


def test_nan_propagates_and_wins_argmax():
    data = [1.0, float("nan"), 3.0]
    for fn in (lambda m, x: x.max(), lambda m, x: x.argmax(), lambda m, x: x.max(0).indices):
        a = fn(ag, ag.tensor(data))
        t = fn(torch, torch.tensor(data))
        np.testing.assert_array_equal(a.numpy(), t.numpy())


def test_logsumexp_is_stable_and_handles_infinities():
    for data in (
        [1000.0, 1000.0],
        [-1000.0, -1000.0],
        [float("-inf"), float("-inf")],
        [float("inf"), 1.0],
    ):
        check(lambda m, x: x.logsumexp(0), data, grad=False)
    check(lambda m, x: x.logsumexp(0), [1000.0, 999.0])


def test_var_std_corrections():
    check(lambda m, x: x.var(correction=0), [1.0, 2.0, 4.0])
    check(lambda m, x: x.std(0, unbiased=False), [[1.0, 2.0], [4.0, 8.0]])
    check(lambda m, x: x.var(False), [1.0, 2.0, 4.0])
    a = ag.tensor([1.0, 2.0]).var(correction=2)
    t = torch.tensor([1.0, 2.0]).var(correction=2)
    assert str(a) == str(t)
    # A constant input: std is 0 and its gradient 0 (not NaN), as PyTorch.
    check(lambda m, x: x.std(), [2.0, 2.0, 2.0])


@pytest.mark.parametrize(
    "fn,exc",
    [
        (lambda m: m.ones(0).max(), RuntimeError),
        (lambda m: m.ones(0, 3).max(0), IndexError),
        (lambda m: m.ones(0).argmax(), IndexError),
        (lambda m: m.ones(0).amax(), RuntimeError),
        (lambda m: m.tensor([1, 2]).var(), RuntimeError),
        (lambda m: m.ones(2, 3).sum((0, 0)), RuntimeError),
        (lambda m: m.ones(2, 3).max(2), IndexError),
    ],
)
def test_errors_match_torch(fn, exc):
    with pytest.raises(exc) as theirs:
        fn(torch)
    with pytest.raises(exc) as ours:
        fn(ag)
    assert str(theirs.value).split("\n")[0][:30] in str(ours.value)


def test_empty_reductions_give_identities():
    for fn in (
        lambda m: m.ones(0).sum(),
        lambda m: m.ones(0).prod(),
        lambda m: m.ones(0, 3).max(1).values,
        lambda m: m.ones(0, dtype=m.bool).all(),
        lambda m: m.ones(0, dtype=m.bool).any(),
        lambda m: m.ones(2, 0).logsumexp(1),
        lambda m: m.ones(0, 3).cumsum(0),
    ):
        a, t = fn(ag), fn(torch)
        assert tuple(a.shape) == tuple(t.shape)
        np.testing.assert_array_equal(a.numpy(), t.numpy())


def test_large_reductions_use_threads_correctly():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((300, 400)).astype(np.float32)
    for fn in (
        lambda m, x: x.sum(0),
        lambda m, x: x.sum(1),
        lambda m, x: x.amax(0),
        lambda m, x: x.prod(1),
        lambda m, x: x.cumsum(0),
        lambda m, x: x.argmax(1),
        lambda m, x: (x > 0).all(0),
    ):
        a = fn(ag, ag.tensor(data)).numpy()
        t = fn(torch, torch.tensor(data)).numpy()
        np.testing.assert_allclose(a, t, rtol=1e-4, atol=1e-5)
