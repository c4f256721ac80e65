"""Differential tests against PyTorch: values, first and second derivatives
and grad_fn names of every op in op_db, on float32 and float64, contiguous
and non-contiguous inputs."""

import zlib

import numpy as np
import pytest

import autograd_cpp as ag
from op_db import OPS, sample_values
from oracle import requires_torch, torch

pytestmark = requires_torch

# (numpy dtype, rtol, atol), for values and gradients alike. float32 uses
# PyTorch's own float32 tolerance (torch.testing's defaults). Measured over
# this table the largest float32 differences are 3.8e-6 absolute on values
# (a weighted mse sum) and 1.9e-6 on gradients (conv2d: sums of ~30 products
# taken in another order), so gradients need nothing looser. float64 differs
# by reassociation only.
DTYPES = {"float32": (np.float32, 1.3e-6, 1e-5), "float64": (np.float64, 1e-9, 1e-9)}


def as_noncontiguous(lib, array):
    """The same values held in a tensor whose last dim is strided (every
    other element of a wider buffer), or a transposed one for 2-D."""
    wide = (
        np.zeros(array.shape[:-1] + (array.shape[-1] * 2,), dtype=array.dtype)
        if array.ndim
        else None
    )
    if wide is None:
        return lib.tensor(array)
    wide[..., ::2] = array
    base = lib.tensor(wide)
    return base[..., ::2]


def make_leaves(lib, values, layout):
    leaves = []
    for v in values:
        if layout == "noncontiguous" and v.ndim > 0:
            t = as_noncontiguous(lib, v).detach().requires_grad_(True)
            assert not t.is_contiguous() or v.shape[-1] == 1 or v.size == 0
        else:
            t = lib.tensor(v).requires_grad_(True)
        leaves.append(t)
    return leaves


def to_np(t):
    return t.detach().numpy(force=True) if hasattr(t, "detach") else np.asarray(t)


CASES = [
    (op, shapes, dt, layout)
    for op in OPS
    for shapes in op.shapes
    for dt in DTYPES
    for layout in ("contiguous", "noncontiguous")
]


@pytest.mark.parametrize(
    "op,shapes,dt,layout",
    CASES,
    ids=[f"{o.name}-{'x'.join(map(str, s))}-{d}-{lay}" for o, s, d, lay in CASES],
)
def test_forward_backward_matches_torch(op, shapes, dt, layout):
    np_dtype, rtol, atol = DTYPES[dt]
    values = sample_values(
        shapes, op.domain, seed=zlib.crc32(op.name.encode()) % 1000, np_dtype=np_dtype
    )
    ours = make_leaves(ag, values, layout)
    theirs = make_leaves(torch, values, layout)
    out_ours = op.fn(ag, *ours)
    out_theirs = op.fn(torch, *theirs)
    assert tuple(out_ours.shape) == tuple(out_theirs.shape)
    assert str(out_ours.dtype) == str(out_theirs.dtype)
    np.testing.assert_allclose(to_np(out_ours), to_np(out_theirs), rtol=rtol, atol=atol)

    upstream = np.random.default_rng(7).standard_normal(tuple(out_theirs.shape)).astype(np_dtype)
    out_ours.backward(ag.tensor(upstream))
    out_theirs.backward(torch.tensor(upstream))
    for a, b in zip(ours, theirs):
        assert (a.grad is None) == (b.grad is None)
        if b.grad is not None:
            assert tuple(a.grad.shape) == tuple(b.grad.shape)
            np.testing.assert_allclose(to_np(a.grad), to_np(b.grad), rtol=rtol, atol=atol)


NAMED = [(op, op.shapes[0]) for op in OPS if op.grad_fn]


@pytest.mark.parametrize("op,shapes", NAMED, ids=[op.name for op, _ in NAMED])
def test_grad_fn_name_matches_torch(op, shapes):
    values = sample_values(shapes, op.domain, seed=0, np_dtype=np.float32)
    ours = op.fn(ag, *[ag.tensor(v, requires_grad=True) for v in values])
    theirs = op.fn(torch, *[torch.tensor(v, requires_grad=True) for v in values])
    assert type(theirs.grad_fn).__name__ == op.grad_fn
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    assert repr(ours.grad_fn).split(" object")[0] == repr(theirs.grad_fn).split(" object")[0]


SECOND = [(op, op.shapes[0]) for op in OPS if op.second]


@pytest.mark.parametrize("op,shapes", SECOND, ids=[op.name for op, _ in SECOND])
def test_second_derivatives_match_torch(op, shapes):
    values = sample_values(shapes, op.domain, seed=3, np_dtype=np.float64)

    def second(lib):
        leaves = [lib.tensor(v, requires_grad=True) for v in values]
        out = op.fn(lib, *leaves)
        grads = lib.autograd.grad(out.sum(), leaves, create_graph=True, allow_unused=True)
        total = sum((g * g).sum() for g in grads if g is not None and g.requires_grad)
        if not isinstance(total, lib.Tensor):
            return [None for _ in leaves]
        return lib.autograd.grad(total, leaves, allow_unused=True)

    # An unused input may come back as None on one side and zeros on the
    # other (e.g. relu's mask is a constant for us, a zero tensor in torch).
    for a, b in zip(second(ag), second(torch)):
        if a is None or b is None:
            assert a is None or np.allclose(to_np(a), 0)
            assert b is None or np.allclose(to_np(b), 0)
        else:
            np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-8, atol=1e-8)
