"""nonzero/argwhere/where(cond), masked_select, masked_scatter,
index_add/index_copy/index_fill (and in place), unique, unique_consecutive,
diff, cross, kron and nan_to_num against PyTorch: values, dtypes, gradients,
grad_fn names, non-contiguous inputs, errors; float64 gradchecks."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

rng = np.random.default_rng(0)
A = rng.normal(size=(4, 5))
B = rng.normal(size=(4, 5))


def pair(data, dtype="float64", grad=False, transpose=False):
    out = []
    for lib in (ag, torch):
        x = lib.tensor(data, dtype=getattr(lib, dtype))
        if transpose:
            x = x.t()
        out.append(x.requires_grad_(grad) if grad else x)
    return out


def same(a, b):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
        return
    assert str(a.dtype) == str(b.dtype)
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-12)


def check(fn, *datas, grad=True, transpose=False, dtype="float64"):
    ins = [pair(d, dtype, grad, transpose) for d in datas]
    ya = fn(ag, *[p[0] for p in ins])
    yt = fn(torch, *[p[1] for p in ins])
    same(ya, yt)
    if grad:
        assert ya.grad_fn.name() == yt.grad_fn.name()
        w = np.arange(1.0, ya.numel() + 1).reshape(tuple(ya.shape))
        (ya * ag.tensor(w, dtype=ya.dtype)).sum().backward()
        (yt * torch.tensor(w, dtype=yt.dtype)).sum().backward()
        for xa, xt in ins:
            same(xa.grad, xt.grad)


OPS = {
    "masked_select": lambda m, x: m.masked_select(x, x > 0),
    "masked_select_bcast": lambda m, x: x.masked_select(m.tensor([True, False, True, True, False])),
    "masked_scatter": lambda m, x: x.masked_scatter(x < 0, m.arange(30.0, dtype=x.dtype)),
    "index_add": lambda m, x: x.index_add(1, m.tensor([0, 2, 0]), m.ones(4, 3, dtype=x.dtype) * 2),
    "index_add_alpha": lambda m, x: m.index_add(x, 0, m.tensor([3, 1]), x[:2] * 1, alpha=-1.5),
    "index_copy": lambda m, x: x.index_copy(0, m.tensor([2, 0]), m.zeros(2, 5, dtype=x.dtype)),
    "index_fill": lambda m, x: x.index_fill(1, m.tensor([1, 3]), -7.0),
    "diff": lambda m, x: m.diff(x),
    "diff_n2_dim0": lambda m, x: x.diff(2, 0),
    "diff_prepend": lambda m, x: m.diff(x, dim=1, prepend=m.zeros(4, 1, dtype=x.dtype)),
    "kron": lambda m, x: m.kron(x, m.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=x.dtype)),
    "nan_to_num": lambda m, x: m.nan_to_num(x / (x > 0).to(x.dtype)),
}


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("transpose", [False, True])
def test_values_and_gradients(name, transpose):
    data = A if not transpose else A.T
    if transpose and name in ("masked_select_bcast", "index_add", "index_copy", "index_add_alpha"):
        data = A
        transpose = False
    check(OPS[name], data, transpose=transpose)


@pytest.mark.parametrize("name", sorted(OPS))
def test_float32(name):
    check(OPS[name], A, dtype="float32")


def test_grad_flows_to_source():
    for fn in (
        lambda m, x, s: x.index_add(1, m.tensor([0, 4]), s),
        lambda m, x, s: x.index_copy(1, m.tensor([4, 1]), s),
        lambda m, x, s: x.masked_scatter(m.arange(20).reshape(4, 5) % 3 == 0, s),
    ):
        outs = []
        for lib in (ag, torch):
            x = lib.tensor(A, requires_grad=True)
            s = lib.tensor(B[:, :2], requires_grad=True)
            y = fn(lib, x, s)
            (y * lib.arange(1.0, 21.0, dtype=lib.float64).reshape(4, 5)).sum().backward()
            outs.append((y, x.grad, s.grad, y.grad_fn.name()))
        same(list(outs[0][:3]), list(outs[1][:3]))
        assert outs[0][3] == outs[1][3]


def test_cross():
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    res = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, requires_grad=True)
        z = lib.cross(x, y, dim=1)
        w = lib.linalg.cross(x, y) if hasattr(lib, "linalg") and hasattr(lib.linalg, "cross") else z
        (z * lib.arange(1.0, 13.0, dtype=lib.float64).reshape(4, 3)).sum().backward()
        res.append((z, w, x.grad, y.grad, z.grad_fn.name()))
    same(list(res[0][:4]), list(res[1][:4]))
    assert res[0][4] == res[1][4]
    r = [m.cross(m.tensor(a.T), m.tensor(b.T)) for m in (ag, torch)]
    same(r[0], r[1])


def test_inplace_variants():
    for fn in (
        lambda m, x: x.index_add_(0, m.tensor([1]), m.ones(1, 5, dtype=x.dtype)),
        lambda m, x: x.index_copy_(1, m.tensor([0]), m.ones(4, 1, dtype=x.dtype)),
        lambda m, x: x.index_fill_(0, m.tensor([0, 3]), 9),
        lambda m, x: x.masked_scatter_(x > 0, m.zeros(20, dtype=x.dtype)),
        lambda m, x: x.nan_to_num_(),
    ):
        outs = []
        for lib in (ag, torch):
            leaf = lib.tensor(A, requires_grad=True)
            x = leaf * 1
            fn(lib, x)
            x.sum().backward()
            outs.append((x, leaf.grad, x.grad_fn.name()))
        same(list(outs[0][:2]), list(outs[1][:2]))
        assert outs[0][2] == outs[1][2]


def test_nonzero_argwhere_where():
    data = [[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]]
    for fn in (
        lambda m, x: m.nonzero(x),
        lambda m, x: x.nonzero(as_tuple=True),
        lambda m, x: m.argwhere(x),
        lambda m, x: m.where(x > 0),
        lambda m, x: m.where(x.t() != 0),
        lambda m, x: m.nonzero(m.tensor(5)),
        lambda m, x: m.where(m.tensor(True)),
        lambda m, x: m.nonzero(m.tensor([[True, False]])),
    ):
        a, t = pair(data)
        same(fn(ag, a), fn(torch, t))


def test_unique():
    data = [3, 1, 2, 1, 3, 3, 0]
    for kw in (
        {},
        {"return_inverse": True},
        {"return_counts": True},
        {"return_inverse": True, "return_counts": True},
        {"sorted": False},
    ):
        for dtype in ("int64", "float32"):
            a, t = pair(data, dtype)
            same(ag.unique(a, **kw), torch.unique(t, **kw))
        a, t = pair([[2, 2], [1, 2]], "int64")
        same(
            a.unique(**{k: v for k, v in kw.items() if k != "sorted"}),
            t.unique(**{k: v for k, v in kw.items() if k != "sorted"}),
        )
    for kw in ({}, {"return_inverse": True}, {"return_counts": True}):
        a, t = pair([1, 1, 2, 2, 3, 1, 1, 2], "int64")
        same(ag.unique_consecutive(a, **kw), torch.unique_consecutive(t, **kw))
    a, t = pair([3.0, float("nan"), float("nan"), 1.0])
    same(ag.unique(a), torch.unique(t))
    same(
        ag.unique(ag.tensor([], dtype=ag.int64)), torch.unique(torch.tensor([], dtype=torch.int64))
    )


def test_unique_dim():
    data = [[1, 2, 1], [3, 4, 3], [1, 2, 1], [0, 9, 0]]
    for kw in ({}, {"return_inverse": True, "return_counts": True}, {"sorted": False}):
        for dim in (0, 1, -1):
            for dtype in ("int64", "float64"):
                a, t = pair(data, dtype)
                same(ag.unique(a, dim=dim, **kw), torch.unique(t, dim=dim, **kw))
                same(a.unique(dim=dim, **kw), t.unique(dim=dim, **kw))
        a, t = pair(data, "int64", transpose=True)
        same(ag.unique(a, dim=1, **kw), torch.unique(t, dim=1, **kw))
        kc = {k: v for k, v in kw.items() if k != "sorted"}
        for dim in (0, 1):
            a, t = pair(data, "int64")
            same(
                ag.unique_consecutive(a, dim=dim, **kc), torch.unique_consecutive(t, dim=dim, **kc)
            )
    cube = np.random.default_rng(1).integers(0, 2, size=(3, 4, 2))
    a, t = pair(cube, "int64")
    kw = {"return_inverse": True, "return_counts": True}
    same(ag.unique(a, dim=1, **kw), torch.unique(t, dim=1, **kw))
    a, t = pair(np.zeros((0, 2)), "float32")
    same(ag.unique(a, dim=0, **kw), torch.unique(t, dim=0, **kw))


def test_dropout_masks_match_a_seeded_torch():
    # dropout draws bernoulli_(1 - p), so one seed gives PyTorch's masks.
    outs = []
    for lib in (ag, torch):
        lib.manual_seed(3)
        x = lib.ones(4, 6, dtype=lib.float64)
        outs.append(
            (lib.nn.functional.dropout(x, 0.3), lib.nn.Dropout(0.5)(x), lib.dropout(x, 0.9, True))
        )
    same(list(outs[0]), list(outs[1]))


def test_diff_bool_and_nan_to_num_options():
    a, t = pair([True, False, False, True], "bool")
    same(ag.diff(a), torch.diff(t))
    vals = [float("nan"), float("inf"), -float("inf"), 1.0]
    for kw in ({}, {"nan": 2.0, "posinf": 9.0, "neginf": -9.0}):
        for dtype in ("float32", "float64"):
            a, t = pair(vals, dtype)
            same(ag.nan_to_num(a, **kw), torch.nan_to_num(t, **kw))
    a, t = pair([1, 2], "int64")
    same(ag.nan_to_num(a), torch.nan_to_num(t))


GRADCHECKED = [
    lambda x: x.masked_select(x > 0.3),
    lambda x: x.masked_scatter(x > 0.3, x * 2),
    lambda x: x.index_add(1, ag.tensor([0, 2, 0]), x[:, :3] * 3),
    lambda x: x.index_copy(0, ag.tensor([2, 0]), x[:2] ** 2),
    lambda x: x.index_fill(1, ag.tensor([1]), 0.5),
    lambda x: ag.diff(x, 2, 1),
    lambda x: ag.kron(x, x[:2, :2]),
    lambda x: ag.cross(x[:, :3], x[:, 1:4] ** 2, dim=1),
    lambda x: ag.nan_to_num(x),
]


@pytest.mark.parametrize("i", range(len(GRADCHECKED)))
def test_gradcheck(i):
    x = ag.tensor(rng.uniform(0.1, 1.0, size=(3, 4)), requires_grad=True)
    assert ag.autograd.gradcheck(GRADCHECKED[i], (x,))
    assert ag.autograd.gradgradcheck(GRADCHECKED[i], (x,))


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.masked_select(m.ones(2), m.tensor([1, 0])),
        lambda m: m.ones(3).masked_scatter(m.tensor([True, True, True]), m.ones(2)),
        lambda m: m.ones(2, 3).index_add(1, m.tensor([[0]]), m.ones(2, 1)),
        lambda m: m.ones(2, 3).index_add(1, m.tensor([0.0]), m.ones(2, 1)),
        lambda m: m.ones(2, 3).index_add(1, m.tensor([5]), m.ones(2, 1)),
        lambda m: m.ones(2, 3).index_fill(3, m.tensor([0]), 1.0),
        lambda m: m.cross(m.ones(2, 3), m.ones(2, 4), dim=1),
        lambda m: m.diff(m.tensor(1.0)),
        lambda m: m.zeros(2, 3).index_add(1, m.tensor([-1]), m.ones(2, 1)),
        lambda m: m.zeros(2, 3).index_copy(1, m.tensor([-1]), m.ones(2, 1)),
        lambda m: m.zeros(2, 3).index_copy(1, m.tensor([3]), m.ones(2, 1)),
        lambda m: m.zeros(2, 3).index_fill(1, m.tensor([-4]), 1),
        lambda m: m.zeros(2, 3).index_fill(1, m.tensor([1], dtype=m.int32), 1),
        lambda m: m.zeros(2, 3).index_add(1, m.tensor([0]), m.ones(2, 2)),
        lambda m: m.zeros(2, 3).index_copy(1, m.tensor([0]), m.ones(2, 2)),
        lambda m: m.zeros(2, 3).index_add(1, m.tensor([0]), m.ones(3, 1)),
        lambda m: m.zeros(2, 3).index_add(1, m.tensor([0]), m.ones(2, 1, dtype=m.float64)),
        lambda m: m.unique(m.empty(3, 0), dim=0),
        lambda m: m.unique(m.ones(2, 2), dim=2),
    ],
)
def test_errors_as_torch(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(ag)
    if "out of bounds" in str(theirs.value) or "Number of" in str(theirs.value):
        assert str(ours.value) == str(theirs.value)


# Nodes whose saved values are declared once as slots (SavedTensor/Saved):
# each _saved_ attribute they show reads as PyTorch's, and saved tensors are
# gone once backward has run.
SAVED_SLOTS = {
    "median": (lambda m, x: x.median(), ["result", "self"]),
    "cross": (lambda m, x: m.cross(x[:, :3], x[:, 1:], dim=1), ["dim", "other", "self"]),
    "nan_to_num": (lambda m, x: x.nan_to_num(), ["self"]),
    # (A mask of self's shape: given one that broadcasts, the node shows it
    # broadcast, where PyTorch shows it as given.)
    "masked_select": (lambda m, x: x.masked_select(m.arange(12).reshape(3, 4) % 3 == 0), ["mask"]),
    "masked_scatter": (
        lambda m, x: x.masked_scatter(m.arange(12).reshape(3, 4) % 3 == 0, x * 2),
        ["mask", "source_sym_sizes"],
    ),
    "index_add": (lambda m, x: x.index_add(1, m.tensor([0, 2]), x[:, :2]), ["dim", "index"]),
    "cummax": (lambda m, x: x.cummax(1)[0], ["dim", "indices", "self"]),
    "max_dim": (lambda m, x: x.max(1)[0], ["dim", "indices", "keepdim", "self_sym_sizes"]),
}


@pytest.mark.parametrize("fn,names", SAVED_SLOTS.values(), ids=SAVED_SLOTS.keys())
def test_saved_slots_match_torch(fn, names):
    def saved(lib):
        x = lib.arange(12.0).reshape(3, 4).requires_grad_()
        g = fn(lib, x).grad_fn
        out = []
        for n in names:
            v = getattr(g, "_saved_" + n)
            out.append(tuple(np.asarray(v.detach()).ravel().tolist()) if hasattr(v, "shape") else v)
        return out

    assert saved(ag) == saved(torch)


@pytest.mark.parametrize("name", ["median", "cross", "nan_to_num"])
def test_saved_slot_tensors_are_released_by_backward(name):
    fn = SAVED_SLOTS[name][0]
    x = ag.arange(12.0).reshape(3, 4).requires_grad_()
    y = fn(ag, x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        _ = y.grad_fn._saved_self
