"""scatter_reduce / scatter_reduce_ against PyTorch: every reduction with and
without include_self, integer and bool dtypes, NaN, the gradients where
PyTorch's formula has special cases (zeros under prod, ties under
amax/amin), errors; float64 gradcheck through those cases."""

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp.autograd import gradcheck, gradgradcheck
from oracle import assert_same_error, requires_torch, torch

pytestmark = requires_torch

REDUCES = ["sum", "prod", "mean", "amax", "amin"]


def _both(fn):
    return fn(ag), fn(torch)


def _same(ours, theirs):
    assert ours.dtype.__repr__().split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=0, equal_nan=True)


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32", "float64"])
def test_values_match_torch(reduce, include_self, dtype):
    rng = np.random.default_rng(0)
    self_v = rng.integers(-5, 6, size=(4, 5))
    src_v = rng.integers(-5, 6, size=(3, 6))
    index_v = rng.integers(0, 4, size=(3, 5))

    def run(m):
        dt = getattr(m, dtype)
        x = m.tensor(self_v, dtype=dt)
        return x.scatter_reduce(0, m.tensor(index_v), m.tensor(src_v, dtype=dt), reduce,
                                include_self=include_self)  # fmt: skip

    _same(*_both(run))


@pytest.mark.parametrize("reduce", ["sum", "prod", "amax", "amin"])
def test_bool(reduce):
    def run(m):
        x = m.tensor([True, False, False])
        return x.scatter_reduce(0, m.tensor([0, 1, 1]), m.tensor([False, True, False]), reduce)

    _same(*_both(run))


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_nan_propagates_in_amax_and_amin(reduce, include_self):
    nan = float("nan")

    def run(m):
        x = m.tensor([1.0, nan, 2.0])
        src = m.tensor([nan, 2.0, 3.0, -1.0])
        return x.scatter_reduce(0, m.tensor([0, 0, 1, 2]), src, reduce, include_self=include_self)

    _same(*_both(run))


@pytest.mark.parametrize("reduce", ["max", "min"])
def test_legacy_max_min_forward(reduce):
    def run(m):
        src = m.tensor([2.0, 7.0, -1.0])
        return m.tensor([5.0, 0.0]).scatter_reduce(0, m.tensor([0, 0, 1]), src, reduce)

    _same(*_both(run))


def test_inplace_function_and_scalar_forms():
    def run(m):
        x = m.arange(6.0).view(2, 3)
        y = x.scatter_reduce_(
            1, m.tensor([[2, 2], [0, 0]]), m.tensor([[1.0, 2.0], [3.0, 4.0]]), "amax"
        )
        assert y is x
        z = m.scatter_reduce(
            x, 1, m.tensor([[1]]), m.tensor([[10.0]]), reduce="sum", include_self=False
        )
        s = m.tensor(2.0).scatter_reduce(0, m.tensor(0), m.tensor(5.0), "prod")
        return m.cat([x.flatten(), z.flatten(), s.reshape(1)])

    _same(*_both(run))


def _grads(m, reduce, include_self, self_v, src_v, index_v, weight):
    x = m.tensor(self_v, requires_grad=True)
    s = m.tensor(src_v, requires_grad=True)
    out = x.scatter_reduce(0, m.tensor(index_v), s, reduce, include_self=include_self)
    (out * m.tensor(weight)).sum().backward()
    return out.detach(), x.grad, s.grad


# self/src values with zeros (one and two per target under prod) and ties
# (for amax/amin): the cases PyTorch's backward treats specially.
SPECIAL = (
    [[0.0, 2.0, 3.0], [1.0, 1.0, 4.0], [2.0, 0.0, 5.0]],
    [[0.0, 2.0, 3.0], [0.0, 1.0, 0.0], [4.0, 2.0, 5.0], [1.0, 0.0, -1.0]],
    [[0, 0, 1], [2, 1, 1], [1, 0, 2], [1, 2, 1]],
)


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_gradients_match_torch_at_zeros_and_ties(reduce, include_self):
    weight = np.arange(1.0, 10.0).reshape(3, 3)
    ours = _grads(ag, reduce, include_self, *SPECIAL, weight)
    theirs = _grads(torch, reduce, include_self, *SPECIAL, weight)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_gradcheck_float64(reduce, include_self):
    rng = np.random.default_rng(3)
    # Distinct values away from zero: amax/amin and prod are smooth there.
    x = ag.tensor(rng.permutation(np.arange(1.0, 13.0)).reshape(3, 4) / 3, requires_grad=True)
    s = ag.tensor(rng.permutation(np.arange(13.0, 21.0)).reshape(2, 4) / -5, requires_grad=True)
    index = ag.tensor([[0, 2, 2, 1], [0, 0, 2, 1]])

    def f(a, b):
        return a.scatter_reduce(0, index, b, reduce, include_self=include_self)

    assert gradcheck(f, (x, s))
    assert gradgradcheck(f, (x, s))


def test_prod_gradcheck_with_one_zero_per_target():
    x = ag.tensor([[0.5, 2.0], [1.5, -1.0]], dtype=ag.float64, requires_grad=True)
    s = ag.tensor([[0.0, 3.0], [2.0, 0.0], [1.25, 0.75]], dtype=ag.float64, requires_grad=True)
    index = ag.tensor([[0, 1], [1, 0], [0, 0]])
    assert gradcheck(lambda a, b: a.scatter_reduce(0, index, b, "prod"), (x, s))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1), "add"),
        # The forward takes scatter's "max" and "min"; the backward refuses them.
        lambda m: (
            m.zeros(3, requires_grad=True)
            .scatter_reduce(0, m.tensor([0]), m.ones(1), "max")
            .sum()
            .backward()
        ),
        lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0.0]), m.ones(1), "sum"),
        lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0]), m.ones(1, dtype=m.float64), "sum"),
        lambda m: m.zeros(3).scatter_reduce(0, m.tensor([3]), m.ones(1), "amin"),
        lambda m: m.zeros(3).scatter_reduce(0, m.tensor([0, 1]), m.ones(1), "sum"),
        lambda m: m.zeros(3, 2).scatter_reduce(0, m.tensor([0, 1]), m.ones(2), "sum"),
        # PyTorch's src gradient has index's shape, so a larger src fails there.
        lambda m: (
            m.zeros(3, 4, requires_grad=True)
            .scatter_reduce(0, m.tensor([[0, 2]]), m.ones(2, 3, requires_grad=True), "amax")
            .sum()
            .backward()
        ),
        lambda m: (
            m.zeros(3, 4, requires_grad=True)
            .scatter_reduce(0, m.tensor([[0, 2]]), m.ones(2, 3, requires_grad=True), "sum")
            .sum()
            .backward()
        ),
    ],
)
def test_errors_match_torch(call):
    assert_same_error(call, RuntimeError)


def test_bool_mean_and_dim_errors_match_torch():
    for call, kind in [
        (lambda m: m.tensor([True]).scatter_reduce(0, m.tensor([0]), m.tensor([True]), "mean"),
         NotImplementedError),
        (lambda m: m.zeros(3).scatter_reduce(1, m.tensor([0]), m.ones(1), "sum"), IndexError),
    ]:  # fmt: skip
        assert_same_error(call, kind)


def test_grad_fn_and_saved_values():
    x = ag.ones(3, requires_grad=True)
    out = x.scatter_reduce(0, ag.tensor([1, 1]), ag.tensor([2.0, 3.0]), "amax", include_self=False)
    assert out.grad_fn.name() == "ScatterReduceBackward0"
    assert out.grad_fn._saved_dim == 0
    assert out.grad_fn._saved_include_self is False
