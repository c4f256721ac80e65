"""The Tensor API against PyTorch: factories, dtypes and promotion, views and
indexing, printing, conversions and error messages."""

import itertools
import math

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

DTYPES = ["bool", "int32", "int64", "float32", "float64"]


def both(fn):
    """Runs fn on both libraries; returns (ours, theirs)."""
    return fn(ag), fn(torch)


def same_values(a, b):
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


# ---- factories -----------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.zeros(2, 3),
        lambda m: m.zeros((2, 3), dtype=m.int32),
        lambda m: m.ones([4]),
        lambda m: m.ones(2, 2, dtype=m.float64),
        lambda m: m.full((2, 2), 7),
        lambda m: m.full((2,), 1.5),
        lambda m: m.full((2,), True),
        lambda m: m.eye(3),
        lambda m: m.eye(2, 4, dtype=m.int64),
        lambda m: m.arange(5),
        lambda m: m.arange(1, 4),
        lambda m: m.arange(0, 1, 0.125),
        lambda m: m.arange(10, 0, -3),
        lambda m: m.arange(5, dtype=m.float32),
        lambda m: m.linspace(0, 1, 5),
        lambda m: m.linspace(-2, 2, 1),
        lambda m: m.linspace(0, 10, 7, dtype=m.float64),
        lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int32)),
        lambda m: m.ones_like(m.zeros(3), dtype=m.float64),
        lambda m: m.full_like(m.zeros(2), 4),
        lambda m: m.tensor([[1, 2], [3, 4]]),
        lambda m: m.tensor([1.5, 2]),
        lambda m: m.tensor([True, False]),
        lambda m: m.tensor([True, 2]),
        lambda m: m.tensor(3),
        lambda m: m.tensor(2.5),
        lambda m: m.tensor([]),
        lambda m: m.tensor([[1, 2]], dtype=m.float64),
        lambda m: m.tensor(np.arange(6, dtype=np.int32).reshape(2, 3)),
        lambda m: m.tensor(np.float64(2.5)),
        lambda m: m.tensor((1, 2.0, 3)),
        lambda m: m.as_tensor([1, 2, 3]),
        lambda m: m.from_numpy(np.ones((2, 2), dtype=np.float32)),
    ],
)
def test_factories_match_torch(make):
    same_values(*both(make))


def test_random_factories_are_seeded_and_shaped():
    ag.manual_seed(123)
    a = ag.randn(3, 4)
    b = ag.rand(5)
    ag.manual_seed(123)
    assert ag.randn(3, 4).tolist() == a.tolist()
    assert ag.rand(5).tolist() == b.tolist()
    assert all(0.0 <= v < 1.0 for v in b.tolist())
    r = ag.randint(3, 7, (100,))
    assert r.dtype == ag.int64 and set(r.tolist()) <= {3, 4, 5, 6}
    assert ag.randint(10, (2, 2)).shape == (2, 2)
    n = ag.randn(20000)
    assert abs(n.mean().item()) < 0.05 and abs(n.norm().item() / 20000**0.5 - 1) < 0.05


def test_factory_requires_grad():
    x = ag.zeros(2, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    with pytest.raises(RuntimeError, match="floating point"):
        ag.zeros(2, dtype=ag.int64, requires_grad=True)


# ---- dtypes and promotion -------------------------------------------------------


def test_dtype_objects():
    assert repr(ag.float32) == "torch.float32"
    assert ag.float is ag.float32 and ag.double is ag.float64
    assert ag.long is ag.int64 and ag.int is ag.int32
    assert ag.float32.is_floating_point and not ag.int64.is_floating_point
    assert ag.get_default_dtype() is ag.float32
    assert ag.ones(2).dtype is ag.float32


def operand(m, kind, dtype):
    if kind == "tensor":
        return m.ones(3, dtype=getattr(m, dtype))
    if kind == "zero_dim":
        return m.tensor(1, dtype=getattr(m, dtype))
    return {"bool": True, "int64": 2, "float64": 2.5}[dtype]


PROMOTION_CASES = [
    (ka, da, kb, db)
    for ka, kb in [
        ("tensor", "tensor"),
        ("tensor", "zero_dim"),
        ("tensor", "python"),
        ("zero_dim", "python"),
    ]
    for da in DTYPES
    for db in (DTYPES if kb != "python" else ["bool", "int64", "float64"])
]


@requires_torch
@pytest.mark.parametrize("ka,da,kb,db", PROMOTION_CASES)
def test_type_promotion_matches_torch(ka, da, kb, db):
    def run(m):
        a, b = operand(m, ka, da), operand(m, kb, db)
        if da == "bool" and (db == "bool"):
            return a * b
        return a + b

    ours, theirs = both(run)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_reductions_and_division_dtypes(dtype):
    def run(m):
        x = m.ones(3, dtype=getattr(m, dtype))
        return [x.sum(), x / 2 if dtype != "bool" else x.sum() / 2, -x if dtype != "bool" else x]

    for a, b in zip(*both(run)):
        same_values(a, b)


@requires_torch
def test_conversions():
    for name in ["float", "double", "long", "int", "bool"]:
        ours, theirs = both(lambda m, name=name: getattr(m.tensor([1.5, -2.0, 0.0]), name)())
        same_values(ours, theirs)
    ours, theirs = both(lambda m: m.tensor([1, 2]).to(m.float64))
    same_values(ours, theirs)


# ---- views and indexing ---------------------------------------------------------


def test_views_share_memory():
    x = ag.arange(12.0)
    views = [
        x.view(3, 4),
        x.reshape(2, 6),
        x.view(3, 4).t(),
        x.view(2, 2, 3).permute(2, 0, 1),
        x.unsqueeze(0),
        x.view(1, 12).squeeze(),
        x.view(3, 4)[1],
        x[2:8:3],
        x.view(3, 4)[:, 1:3],
        x.view(12, 1).expand(12, 5),
        x.view(3, 4).flatten(),
        x[...],
        x.detach(),
    ]
    for v in views:
        assert v.data_ptr() >= x.data_ptr()
    x.view(3, 4)[1, 2] = 100.0
    assert x[6].item() == 100.0
    assert x.view(3, 4).t()[2, 1].item() == 100.0


def test_view_of_noncontiguous_needs_reshape():
    x = ag.zeros(2, 3).t()
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x.view(6)
    y = x.reshape(6)
    assert y.is_contiguous() and y.shape == (6,)


INDEX_EXPRESSIONS = [
    (1,),
    (-1,),
    (slice(None),),
    (slice(1, None),),
    (slice(None, None, 2),),
    (slice(-3, -1),),
    (slice(10, 20),),
    (None,),
    (Ellipsis,),
    (0, 1),
    (Ellipsis, 0),
    (None, 1, slice(None, 2)),
    (slice(None), None, 0),
    (1, Ellipsis, None),
    (slice(0, 3, 2), slice(1, None, 2)),
]


@requires_torch
@pytest.mark.parametrize("index", INDEX_EXPRESSIONS, ids=str)
def test_basic_indexing_matches_torch(index):
    data = np.arange(60.0, dtype=np.float32).reshape(3, 4, 5)
    ours, theirs = ag.tensor(data), torch.tensor(data)
    same_values(ours[index], theirs[index])
    v = np.float32(-1.0)
    ours[index] = float(v)
    theirs[index] = float(v)
    same_values(ours, theirs)


@requires_torch
def test_setitem_with_tensor_broadcast():
    ours, theirs = ag.zeros(3, 4), torch.zeros(3, 4)
    ours[1:] = ag.arange(4.0)
    theirs[1:] = torch.arange(4.0)
    same_values(ours, theirs)


@requires_torch
@pytest.mark.parametrize(
    "op",
    [
        lambda m, x: x.view(4, -1),
        lambda m, x: x.reshape(-1),
        lambda m, x: x.transpose(0, 1),
        lambda m, x: x.permute(1, 0),
        lambda m, x: x.t(),
        lambda m, x: x.T,
        lambda m, x: x.unsqueeze(1),
        lambda m, x: x.unsqueeze(-1).expand(3, 4, 2),
        lambda m, x: x.flatten(),
        lambda m, x: x.squeeze(),
        lambda m, x: x.view(3, 1, 4).squeeze(1),
        lambda m, x: x.contiguous(),
        lambda m, x: x.t().contiguous(),
        lambda m, x: x.clone(),
        lambda m, x: m.reshape(x, (2, 6)),
        lambda m, x: m.permute(x, (1, 0)),
        lambda m, x: m.select(x, 1, 2),
    ],
)
def test_shape_ops_match_torch(op):
    data = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    a, b = op(ag, ag.tensor(data)), op(torch, torch.tensor(data))
    same_values(a, b)
    assert a.stride() == b.stride()
    assert a.is_contiguous() == b.is_contiguous()


# ---- printing ---------------------------------------------------------------------


PRINT_CASES = [
    lambda m: m.ones(2, 2, requires_grad=True),
    lambda m: m.ones(2, 2, requires_grad=True) + 2,
    lambda m: m.tensor(27.0),
    lambda m: m.tensor([102.4, 1024.0, 0.1024]),
    lambda m: m.tensor([1e-5, 1.0]),
    lambda m: m.tensor([1, 2, 3]),
    lambda m: m.tensor([1, 2, 3], dtype=m.int32),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor([1.5, float("nan"), float("inf")], dtype=m.float64),
    lambda m: m.arange(2000.0),
    lambda m: m.arange(24).reshape(2, 3, 4),
    lambda m: m.zeros(0, 3),
    lambda m: m.tensor([], dtype=m.int64),
    lambda m: m.linspace(-1, 1, 30).view(5, 6),
    lambda m: (m.tensor([3.0], requires_grad=True) * 2).sum(),
    lambda m: m.tensor([2.0], requires_grad=True).exp(),
]


@requires_torch
@pytest.mark.parametrize("make", PRINT_CASES)
def test_repr_matches_torch(make):
    ours, theirs = both(make)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


@requires_torch
def test_size_and_grad_fn_repr():
    ours, theirs = both(lambda m: m.ones(2, 3))
    assert repr(ours.shape) == repr(theirs.shape)
    assert ours.shape == (2, 3) and ours.size(-1) == 3
    ours, theirs = both(lambda m: (m.ones(1, requires_grad=True) * 2).grad_fn)
    assert repr(ours).startswith("<MulBackward0 object at 0x")


def test_format_and_scalars():
    x = ag.tensor(2.5)
    assert f"{x:.2f}" == "2.50"
    assert float(x) == 2.5 and int(ag.tensor(3)) == 3 and bool(ag.tensor(1))
    # int() of a float tensor is Python's int() of the float: exact when big.
    assert int(x) == 2 and int(ag.tensor(-3.7, dtype=ag.float64)) == -3
    assert int(ag.tensor(1e30)) == int(np.float32(1e30))
    assert ag.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert ag.tensor(7).item() == 7 and isinstance(ag.tensor(7).item(), int)
    assert isinstance(ag.tensor(True).item(), bool)
    assert len(ag.zeros(4, 2)) == 4
    assert [t.item() for t in ag.arange(3)] == [0, 1, 2]
    assert ag.ones(3).numel() == 3 and ag.ones(2, 3).dim() == 2 and ag.ones(2, 3).ndim == 2


# ---- errors ----------------------------------------------------------------------


ERROR_CASES = [
    (lambda m: m.ones(2, 3) + m.ones(4), RuntimeError),
    (lambda m: m.ones(2, 3) @ m.ones(2, 3), RuntimeError),
    (lambda m: m.mm(m.ones(2, 3), m.ones(3, 2, dtype=m.float64)), RuntimeError),
    (lambda m: m.ones(3) @ m.ones(4), RuntimeError),
    (lambda m: m.ones(2, 3).sum(2), IndexError),
    (lambda m: m.ones(2, 3).view(4, -1), RuntimeError),
    (lambda m: m.ones(2, 3).view(-1, -1), RuntimeError),
    (lambda m: m.ones(2, 3).expand(3, 3), RuntimeError),
    (lambda m: m.ones(2, 3).permute(0, 0), RuntimeError),
    (lambda m: m.ones(2, 3).transpose(0, 2), IndexError),
    (lambda m: m.ones(2, 3)[3], IndexError),
    (lambda m: m.ones(2, 3)[0, 0, 0], IndexError),
    (lambda m: m.ones(2, 3)[1.5], IndexError),
    (lambda m: m.ones(2, 3)[::0], ValueError),
    (lambda m: m.ones(2, 3)[::-1], ValueError),
    (lambda m: m.tensor(1.0).select(0, 0), IndexError),
    (lambda m: m.ones(2).item(), RuntimeError),
    (lambda m: bool(m.ones(2)), RuntimeError),
    (lambda m: len(m.tensor(1.0)), TypeError),
    (lambda m: iter(m.tensor(1.0)), TypeError),
    (lambda m: m.ones(2) + "a", TypeError),
    (lambda m: m.tensor([[1, 2], [3]]), ValueError),
    (lambda m: m.tensor(["a"]), ValueError),
    (lambda m: m.tensor("abc"), TypeError),
    (lambda m: m.tensor([1, None]), RuntimeError),
    (lambda m: m.ones(3, dtype=m.bool) - m.ones(3, dtype=m.bool), RuntimeError),
    (lambda m: m.ones(3, dtype=m.int64) ** -1, RuntimeError),
    (lambda m: m.ones(3, dtype=m.int64).mean(), RuntimeError),
    (lambda m: m.ones(2, 3).flatten(1, 0), RuntimeError),
    (lambda m: m.ones(2, 3).unsqueeze(-4), IndexError),
    (lambda m: int(m.tensor(float("nan"))), ValueError),
    (lambda m: int(m.tensor(float("-inf"), dtype=m.float64)), OverflowError),
    (lambda m: m.ones(4).split(True), TypeError),
]


@requires_torch
@pytest.mark.parametrize("fn,exc", ERROR_CASES)
def test_errors_match_torch(fn, exc):
    with pytest.raises(exc) as theirs:
        fn(torch)
    with pytest.raises(exc) as ours:
        fn(ag)
    their_msg = str(theirs.value).split("\n")[0]
    # Our messages carry PyTorch's wording (ours may add detail at the end).
    if exc is not TypeError and "sparse_coo" not in their_msg:
        assert their_msg[:40] in str(ours.value), (str(ours.value), their_msg)


@requires_torch
def test_elementwise_comparisons_match_torch():
    data = np.array([[1.0, -2.0, 3.0], [0.0, 5.0, -6.0]], dtype=np.float32)
    for op in ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"]:
        for other in (1.0, np.array([1.0, -2.0, 0.0], dtype=np.float32)):
            a = getattr(ag.tensor(data), op)(
                ag.tensor(other) if isinstance(other, np.ndarray) else other
            )
            b = getattr(torch.tensor(data), op)(
                torch.tensor(other) if isinstance(other, np.ndarray) else other
            )
            same_values(a, b)


@requires_torch
@pytest.mark.parametrize(
    "a_shape,b_shape", list(itertools.product([(3,), (1, 3), (2, 1), (2, 3)], repeat=2))
)
def test_broadcast_arithmetic_noncontiguous(a_shape, b_shape):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)

    def run(m):
        ta = m.tensor(np.ascontiguousarray(a.T)).t() if a.ndim == 2 else m.tensor(a)
        tb = m.tensor(b)
        return [ta + tb, ta * tb, ta - tb, ta / (tb.abs() + 1), m.where(ta > tb, ta, tb)]

    for x, y in zip(*both(run)):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6)


def test_huge_or_overflowing_sizes_raise_instead_of_crashing():
    with pytest.raises(RuntimeError, match="Storage size calculation overflowed"):
        ag.ones(2**40, 2**40)
    # A failed allocation is PyTorch's RuntimeError (its CPU allocator's text).
    with pytest.raises(RuntimeError, match="DefaultCPUAllocator: can't allocate memory"):
        ag.ones(2**20, 2**20)
    with pytest.raises(RuntimeError, match="you tried to allocate 140737488355328 bytes"):
        ag.empty(2**45)
    with pytest.raises(RuntimeError, match="negative dimension"):
        ag.zeros(-1)


@pytest.mark.parametrize(
    "make,shape",
    [
        (lambda: ag.ones(0).view(-1), (0,)),
        (lambda: ag.ones(0, 3).sum(0), (3,)),
        (lambda: ag.ones(3)[5:1], (0,)),
        (lambda: ag.mm(ag.ones(0, 3), ag.ones(3, 0)), (0, 0)),
        (lambda: ag.zeros(2, 0, 3) @ ag.zeros(2, 3, 4), (2, 0, 4)),
        (lambda: ag.ones(2)[None, None, ..., None], (1, 1, 2, 1)),
    ],
)
def test_zero_size_and_degenerate_shapes(make, shape):
    assert tuple(make().shape) == shape


def test_empty_reductions():
    assert ag.ones(0).sum().item() == 0.0
    assert math.isnan(ag.ones(0).mean().item())
    x = ag.mm(ag.ones(2, 0), ag.ones(0, 3))
    assert x.tolist() == [[0.0] * 3] * 2


@requires_torch
def test_tensor_from_other_sequences():
    same_values(ag.tensor(range(3)), torch.tensor(range(3)))
    same_values(ag.tensor([range(2), range(2)]), torch.tensor([range(2), range(2)]))
