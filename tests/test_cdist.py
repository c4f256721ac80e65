"""torch.cdist: values, gradients (CdistBackward0) and errors against
PyTorch; gradcheck in float64."""

import math

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp.autograd import gradcheck, gradgradcheck
from oracle import assert_same_error, requires_torch, torch

pytestmark = requires_torch

P_VALUES = [0.0, 1.0, 2.0, 3.0, 0.5, math.inf]
SHAPES = [((3, 4), (5, 4)), ((2, 3, 4), (5, 4)), ((2, 1, 3, 2), (4, 5, 2))]


def _inputs(s1, s2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(s1), rng.standard_normal(s2)


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("shapes", SHAPES)
def test_matches_torch(p, shapes):
    a, b = _inputs(*shapes)
    xa, ya = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    xt, yt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    da, dt = ag.cdist(xa, ya, p=p), torch.cdist(xt, yt, p=p)
    assert tuple(da.shape) == tuple(dt.shape)
    np.testing.assert_allclose(da.detach().numpy(), dt.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert da.grad_fn.name() == "CdistBackward0" == type(dt.grad_fn).__name__
    w = np.random.default_rng(1).standard_normal(tuple(dt.shape))
    (da * ag.tensor(w)).sum().backward()
    (dt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ya.grad.numpy(), yt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, 0.5, math.inf])
def test_gradcheck(p):
    a, b = _inputs((2, 3, 3), (4, 3))
    x = ag.tensor(a, requires_grad=True)
    y = ag.tensor(b, requires_grad=True)
    assert gradcheck(lambda u, v: ag.cdist(u, v, p=p), (x, y))


def test_gradgradcheck_euclidean():
    a, b = _inputs((3, 2), (2, 2))
    x, y = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    assert gradgradcheck(lambda u, v: ag.cdist(u, v), (x, y))


def test_zero_distance_has_zero_gradient_and_float32():
    for lib in (ag, torch):
        a = lib.zeros(1, 2, requires_grad=True)
        lib.cdist(a, lib.zeros(1, 2)).sum().backward()
        assert a.grad.tolist() == [[0.0, 0.0]]
    x = ag.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert ag.cdist(x, x).dtype == ag.float32
    assert tuple(ag.cdist(ag.ones(0, 3), ag.ones(2, 3)).shape) == (0, 2)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.cdist(m.ones(2, 3, dtype=m.long), m.ones(2, 3, dtype=m.long)),
        lambda m: m.cdist(m.ones(2, 3), m.ones(2, 4)),
        lambda m: m.cdist(m.ones(2, 3), m.ones(2, 3), p=-1),
        lambda m: m.cdist(m.ones(3), m.ones(2, 3)),
    ],
)
def test_errors_match_torch(call):
    assert_same_error(call, RuntimeError)
