"""hstack/vstack/dstack/column_stack/row_stack, atleast_1d/2d/3d,
broadcast_shapes/broadcast_tensors/broadcast_to and meshgrid against
PyTorch: values, shapes, gradients (through the views and cat they are made
of), grad_fn names and errors."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

SHAPES = [(), (3,), (2, 3), (2, 3, 2)]


def pair(shape, seed, dtype=np.float64):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def check(fn_ours, fn_theirs, ins_o, ins_t, tol=1e-12):
    out_o, out_t = fn_ours(ins_o), fn_theirs(ins_t)
    outs_o = out_o if isinstance(out_o, tuple) else (out_o,)
    outs_t = out_t if isinstance(out_t, tuple) else (out_t,)
    assert len(outs_o) == len(outs_t)
    weights = []
    for k, (o, t) in enumerate(zip(outs_o, outs_t)):
        assert tuple(o.shape) == tuple(t.shape)
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)
        if t.grad_fn is not None:
            assert o.grad_fn.name() == t.grad_fn.name()
        weights.append(
            np.arange(1, o.numel() + 1, dtype=np.float64).reshape(tuple(t.shape)) * (k + 1)
        )
    sum(((o * ag.tensor(w)).sum() for o, w in zip(outs_o, weights)), ag.tensor(0.0)).backward()
    sum(
        ((t * torch.tensor(w)).sum() for t, w in zip(outs_t, weights)), torch.tensor(0.0)
    ).backward()
    for a, b in zip(ins_o, ins_t):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["hstack", "vstack", "row_stack", "dstack", "column_stack"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 2)])
def test_stacks(name, shape):
    a_o, a_t = pair(shape, 0)
    b_o, b_t = pair(shape, 1)
    if name == "column_stack" and len(shape) > 2:
        shape = shape[:2]
        a_o, a_t = pair(shape, 0)
        b_o, b_t = pair(shape, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # row_stack is deprecated in PyTorch
        check(
            lambda xs: getattr(ag, name)(xs),
            lambda xs: getattr(torch, name)(xs),
            [a_o, b_o],
            [a_t, b_t],
        )


def test_stacks_of_scalars_and_mixed_ranks():
    s_o, s_t = pair((), 2)
    v_o, v_t = pair((2,), 3)
    check(lambda xs: ag.hstack(xs), lambda xs: torch.hstack(xs), [s_o, v_o], [s_t, v_t])
    m_o, m_t = pair((2, 2), 4)
    check(lambda xs: ag.column_stack(xs), lambda xs: torch.column_stack(xs), [v_o, m_o], [v_t, m_t])
    check(lambda xs: ag.vstack(xs), lambda xs: torch.vstack(xs), [v_o, m_o], [v_t, m_t])
    with pytest.raises(RuntimeError, match="hstack expects a non-empty TensorList"):
        ag.hstack([])
    with pytest.raises(RuntimeError):
        ag.vstack([ag.ones(2), ag.ones(3)])


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast(name):
    for shape in SHAPES:
        x_o, x_t = pair(shape, 5)
        check(
            lambda xs: getattr(ag, name)(xs[0]),
            lambda xs: getattr(torch, name)(xs[0]),
            [x_o],
            [x_t],
        )
    x_o, x_t = pair((), 6)
    y_o, y_t = pair((2, 3), 7)
    check(
        lambda xs: getattr(ag, name)(*xs),
        lambda xs: getattr(torch, name)(*xs),
        [x_o, y_o],
        [x_t, y_t],
    )
    check(
        lambda xs: getattr(ag, name)(xs),
        lambda xs: getattr(torch, name)(xs),
        [x_o, y_o],
        [x_t, y_t],
    )


def test_broadcasting_helpers():
    assert ag.broadcast_shapes((2, 1), (3,), 1) == torch.broadcast_shapes((2, 1), (3,), 1)
    assert repr(ag.broadcast_shapes((2, 1), (1, 4))) == repr(torch.broadcast_shapes((2, 1), (1, 4)))
    with pytest.raises(RuntimeError, match="Shape mismatch"):
        ag.broadcast_shapes((2,), (3,))
    a_o, a_t = pair((3, 1), 8)
    b_o, b_t = pair((4,), 9)
    check(
        lambda xs: ag.broadcast_tensors(*xs),
        lambda xs: torch.broadcast_tensors(*xs),
        [a_o, b_o],
        [a_t, b_t],
    )
    check(
        lambda xs: ag.broadcast_to(xs[0], (2, 3, 4)),
        lambda xs: torch.broadcast_to(xs[0], (2, 3, 4)),
        [a_o],
        [a_t],
    )
    check(
        lambda xs: xs[0].broadcast_to((3, 5)), lambda xs: xs[0].broadcast_to((3, 5)), [a_o], [a_t]
    )
    with pytest.raises(RuntimeError):
        ag.broadcast_tensors(ag.ones(2), ag.ones(3))
    with pytest.raises(RuntimeError):
        torch.broadcast_tensors(torch.ones(2), torch.ones(3))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("shapes", [[(3,), (4,)], [(2,), (), (3,)], [(5,)]])
def test_meshgrid(indexing, shapes):
    ins = [pair(s, 10 + i) for i, s in enumerate(shapes)]
    check(
        lambda xs: ag.meshgrid(*xs, indexing=indexing),
        lambda xs: torch.meshgrid(*xs, indexing=indexing),
        [p[0] for p in ins],
        [p[1] for p in ins],
    )


def test_meshgrid_default_warns_and_errors():
    with pytest.warns(UserWarning, match="it will be required to pass the indexing"):
        grids = ag.meshgrid(ag.arange(2), ag.arange(3))
    assert [tuple(g.shape) for g in grids] == [(2, 3), (2, 3)]
    assert [tuple(g.shape) for g in ag.meshgrid([ag.arange(2), ag.arange(3)], indexing="ij")] == [
        (2, 3),
        (2, 3),
    ]
    for bad in [
        lambda m: m.meshgrid(m.ones(2, 2), indexing="ij"),
        lambda m: m.meshgrid(m.ones(2), indexing="yx"),
    ]:
        with pytest.raises(RuntimeError):
            bad(torch)
        with pytest.raises(RuntimeError):
            bad(ag)
