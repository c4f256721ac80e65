"""In-place view ops (unsqueeze_, squeeze_, t_, transpose_, swapdims_,
swapaxes_, as_strided_): sizes and strides change in place, the version is
bumped and the history rebased, checked against PyTorch; gradients by
finite differences in float64."""

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp.autograd import gradcheck
from oracle import requires_torch, torch

pytestmark = requires_torch

# name: (input shape, the op applied to a tensor)
CASES = {
    "unsqueeze_": ((2, 3), lambda x: x.unsqueeze_(1)),
    "unsqueeze_neg": ((2, 3), lambda x: x.unsqueeze_(-1)),
    "squeeze_all": ((1, 2, 1, 3), lambda x: x.squeeze_()),
    "squeeze_dim": ((1, 2, 1, 3), lambda x: x.squeeze_(2)),
    "squeeze_dim_kept": ((1, 2, 1, 3), lambda x: x.squeeze_(1)),
    "squeeze_dims": ((1, 2, 1, 3), lambda x: x.squeeze_((0, 2))),
    "t_": ((2, 3), lambda x: x.t_()),
    "t_1d": ((3,), lambda x: x.t_()),
    "transpose_": ((2, 3, 4), lambda x: x.transpose_(0, 2)),
    "swapdims_": ((2, 3, 4), lambda x: x.swapdims_(-1, 1)),
    "swapaxes_": ((2, 3, 4), lambda x: x.swapaxes_(0, 1)),
    "as_strided_": ((2, 3), lambda x: x.as_strided_((2, 2), (1, 2), 1)),
}


def _pair(shape, dtype="float64"):
    values = np.random.default_rng(0).standard_normal(shape)
    return (
        ag.tensor(values, dtype=getattr(ag, dtype), requires_grad=True),
        torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True),
    )


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    shape, op = CASES[name]
    a, b = _pair(shape)
    ya, yb = a * 1, b * 1
    before = ya._version
    ra, rb = op(ya), op(yb)
    assert ra is ya and rb is yb  # in place: self is returned
    assert tuple(ya.shape) == tuple(yb.shape) and ya.stride() == yb.stride()
    assert ya.storage_offset() == yb.storage_offset()
    assert ya._version == before + 1 and yb._version == 1
    np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
    assert ya.grad_fn.name() == yb.grad_fn.name()
    assert ya.grad_fn.next_functions[0][0].name() == "MulBackward0"
    w = np.random.default_rng(1).standard_normal(tuple(yb.shape))
    (ya * ag.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_gradcheck(name):
    shape, op = CASES[name]
    x = ag.randn(*shape, dtype=ag.float64, requires_grad=True)
    assert gradcheck(lambda t: op(t * 1), (x,))


def test_grad_fn_names():
    x = torch.randn(1, 2, 1, requires_grad=True)
    y = ag.randn(1, 2, 1, requires_grad=True)
    for op in (
        lambda t: (t * 1).unsqueeze_(0),
        lambda t: (t * 1).squeeze_(),
        lambda t: (t * 1).squeeze_(0),
        lambda t: (t * 1).squeeze_((0, 2)),
        lambda t: (t * 1).transpose_(0, 1),
        lambda t: (t * 1).squeeze_().t_(),
        lambda t: (t * 1).as_strided_((2,), (1,)),
    ):
        assert op(y).grad_fn.name() == op(x).grad_fn.name()


def test_shares_data_and_sees_later_writes():
    base = ag.zeros(2, 3)
    v = base[0]
    v.unsqueeze_(0)
    assert tuple(v.shape) == (1, 3)
    base[0, 1] = 5.0
    assert v.tolist() == [[0.0, 5.0, 0.0]]
    v.mul_(2).add_(1)  # writes reach the base through the new geometry
    assert base.tolist() == [[1.0, 11.0, 1.0], [0.0, 0.0, 0.0]]


def test_view_of_non_leaf_then_write_through_it():
    for lib in (ag, torch):
        x = lib.arange(6.0, dtype=lib.float64).reshape(2, 3).requires_grad_()
        b = x * 1
        v = b[0]
        v.unsqueeze_(0)
        v.mul_(3)
        b.sum().backward()
        assert x.grad.tolist() == [[3.0, 3.0, 3.0], [1.0, 1.0, 1.0]], lib


def test_saved_tensor_sees_the_version_bump():
    for lib in (ag, torch):
        x = lib.randn(2, 3, requires_grad=True)
        y = x * 1
        z = y.sin()  # saves y
        y.unsqueeze_(0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


@pytest.mark.parametrize(
    "op",
    [
        lambda lib: lib.randn(2, 3, requires_grad=True).unsqueeze_(0),
        lambda lib: lib.randn(2, 3, requires_grad=True)[0].unsqueeze_(0),
        lambda lib: lib.randn(2, 3, 4).t_(),
        lambda lib: lib.randn(2).squeeze_(3),
        lambda lib: lib.randn(2).unsqueeze_(3),
        lambda lib: lib.randn(2, 3).transpose_(0, 2),
        lambda lib: lib.randn(2, 3).as_strided_((3, 3), (3, 1)),
    ],
)
def test_errors_match_torch(op):
    with pytest.raises(Exception) as theirs:
        op(torch)
    with pytest.raises(Exception) as ours:
        op(ag)
    assert type(ours.value).__name__ == type(theirs.value).__name__
    first = str(theirs.value).split(".")[0].split(" storage")[0]
    assert str(ours.value).startswith(first[:40]), (str(ours.value), str(theirs.value))


def test_leaf_under_no_grad_keeps_requires_grad():
    for lib in (ag, torch):
        x = lib.randn(2, 3, requires_grad=True)
        with lib.no_grad():
            x.unsqueeze_(0)
        assert tuple(x.shape) == (1, 2, 3) and x.requires_grad and x.grad_fn is None
        x.sum().backward()
        assert tuple(x.grad.shape) == (1, 2, 3)


def test_as_strided_out_of_place_matches_torch():
    a, b = _pair((3, 4))
    oa, ob = a.as_strided((2, 2), (4, 1), 5), b.as_strided((2, 2), (4, 1), 5)
    np.testing.assert_array_equal(oa.detach().numpy(), ob.detach().numpy())
    assert oa.grad_fn.name() == ob.grad_fn.name()
    assert gradcheck(lambda t: ag.as_strided(t, (2, 3), (1, 2)), (a,))
