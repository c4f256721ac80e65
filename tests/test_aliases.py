"""PyTorch's alternative op names and small Tensor members (multiply,
subtract, greater..., fliplr/flipud, ravel, unflatten, mT/mH/H/adjoint,
real/imag, positive, conj queries, is_nonzero, itemsize/nbytes,
retains_grad) against PyTorch: values, gradients, grad_fn names, errors."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


def pair(shape, seed=0, transpose=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    o, t = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    return o, t


def compare(fo, ft, shape=(3, 4), transpose=False):
    xo, xt = pair(shape)
    io, it = (xo.t(), xt.t()) if transpose else (xo, xt)
    yo, yt = fo(io), ft(it)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy())
    assert yo.dtype.is_floating_point == yt.dtype.is_floating_point
    if yt.grad_fn is None:  # comparisons; or the input itself, as PyTorch returns it
        assert yo.grad_fn is None and yo.requires_grad == yt.requires_grad
        assert (yo is io) == (yt is it)
    else:
        assert yo.grad_fn.name() == yt.grad_fn.name()
        w = np.arange(yt.numel(), dtype=np.float64).reshape(tuple(yt.shape))
        (yo * ag.tensor(w)).sum().backward()
        (yt * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy())


BINARY = ["multiply", "subtract", "greater", "greater_equal", "less", "less_equal", "not_equal"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_aliases(name):
    b = np.linspace(-1, 1, 4)
    compare(
        lambda x: getattr(ag, name)(x, ag.tensor(b)),
        lambda x: getattr(torch, name)(x, torch.tensor(b)),
    )
    compare(lambda x: getattr(x, name)(0.5), lambda x: getattr(x, name)(0.5))


def test_subtract_alpha():
    compare(lambda x: ag.subtract(x, 2.0, alpha=3), lambda x: torch.subtract(x, 2.0, alpha=3))


@pytest.mark.parametrize(
    "name",
    [
        "absolute",
        "fliplr",
        "flipud",
        "ravel",
        "positive",
        "conj",
        "resolve_conj",
        "resolve_neg",
        "adjoint",
    ],
)
@pytest.mark.parametrize("transpose", [False, True])
def test_unary_aliases(name, transpose):
    compare(lambda x: getattr(ag, name)(x), lambda x: getattr(torch, name)(x), transpose=transpose)
    compare(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), transpose=transpose)


@pytest.mark.parametrize("name", ["mT", "mH", "H", "real"])
def test_properties(name):
    compare(lambda x: getattr(x, name), lambda x: getattr(x, name))
    compare(
        lambda x: getattr(x, name),
        lambda x: getattr(x, name),
        shape=(2, 3, 4) if name != "H" else (3, 4),
    )


@pytest.mark.parametrize("dim,sizes", [(1, (2, 2)), (-1, (2, -1)), (0, (3, 1)), (1, (1, 4, 1))])
def test_unflatten(dim, sizes):
    compare(lambda x: x.unflatten(dim, sizes), lambda x: x.unflatten(dim, sizes))
    compare(lambda x: ag.unflatten(x, dim, sizes), lambda x: torch.unflatten(x, dim, sizes))


def outcome(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the type and text are compared
        return (type(e).__name__, str(e))


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.fliplr(m.ones(3)),
        lambda m: m.flipud(m.tensor(1.0)),
        lambda m: m.ones(3).mT,
        lambda m: m.ones(3).mH,
        lambda m: m.ones(2, 2, 2).H,
        lambda m: m.adjoint(m.ones(3)),
        lambda m: m.ones(3).imag,
        lambda m: m.positive(m.ones(2, dtype=m.bool)),
        lambda m: m.ones(2, 6).unflatten(1, (4, 2)),
        lambda m: m.ones(2, 6).unflatten(1, ()),
        lambda m: m.ones(2, 6).unflatten(3, (2, 3)),
        lambda m: m.ones(2, 6).unflatten(1, (5, -1)),
        lambda m: m.tensor([0.0]).is_nonzero(),
        lambda m: m.tensor([2]).is_nonzero(),
        lambda m: m.ones(2).is_nonzero(),
        lambda m: m.ones(0).is_nonzero(),
        lambda m: m.ones(2, 3).is_same_size(m.ones(2, 3)),
        lambda m: m.ones(2, 3).is_same_size(m.ones(3, 2)),
        lambda m: (m.ones(2).is_conj(), m.ones(2).is_neg()),
        lambda m: (m.ones(2, 3).itemsize, m.ones(2, 3).nbytes, m.ones(5, dtype=m.int64).t().nbytes),
        lambda m: m.ones(4, dtype=m.float64)[::2].nbytes,
    ],
)
def test_results_and_errors_match(call):
    ours, theirs = outcome(lambda: call(ag)), outcome(lambda: call(torch))
    assert ours == theirs


def test_unflatten_two_inferred_sizes_is_an_error():
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
            lib.ones(2, 6).unflatten(1, (-1, -1))


def test_retains_grad():
    for lib in (ag, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        assert not y.retains_grad and not x.retains_grad
        y.retain_grad()
        assert y.retains_grad
