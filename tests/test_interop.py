"""Interop with the rest of the ecosystem: DLPack (numpy, PyTorch, JAX),
numpy's array protocol and operators, pickle and copy."""

import copy
import gc
import os
import pickle
import warnings
import weakref

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

# torch's __array_wrap__ predates numpy 2's signature and warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:__array_wrap__ must accept:DeprecationWarning")

DTYPES = ["bool", "int32", "int64", "float32", "float64"]


def sample(module, dtype, shape=(3, 4)):
    values = np.arange(int(np.prod(shape))).reshape(shape) % 5
    if dtype == "bool":
        values = values % 2 == 0
    return module.tensor(values.tolist(), dtype=getattr(module, dtype))


def storage_of(module, t):
    return t.data_ptr() if module is ag else t.untyped_storage().data_ptr()


# ---- DLPack: export -------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_dlpack_to_numpy_shares_memory_and_dtype(dtype):
    t = sample(ag, dtype)
    a = np.from_dlpack(t)
    assert a.dtype == np.dtype(dtype)
    assert a.ctypes.data == t.data_ptr()
    np.testing.assert_array_equal(a, t.numpy())
    a[1, 2] = 1
    t[0, 0] = 0
    assert t[1, 2].item() == 1 and a[0, 0] == 0


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_dlpack_to_torch_shares_memory_and_dtype(dtype):
    t = sample(ag, dtype)
    tt = torch.from_dlpack(t)
    assert str(tt.dtype) == str(t.dtype)
    assert tt.data_ptr() == t.data_ptr()
    np.testing.assert_array_equal(tt.numpy(), t.numpy())
    tt[2, 3] = 1
    assert t[2, 3].item() == 1


@requires_torch
@pytest.mark.parametrize(
    "view",
    [
        lambda x: x.transpose(0, 2),
        lambda x: x[:, 1::2],
        lambda x: x[1:, 2:],
        lambda x: x.permute(2, 0, 1)[1],
        lambda x: x.expand(2, 3, 4, 5)[:, 1],
        lambda x: x[0, 0, 0],
        lambda x: x[:, :0],
    ],
)
def test_dlpack_export_keeps_strides_and_offset(view):
    base = np.arange(60.0).reshape(3, 4, 5)
    ours, theirs = view(ag.tensor(base)), view(torch.tensor(base))
    a = np.from_dlpack(ours)
    tt = torch.from_dlpack(ours)
    assert tt.stride() == ours.stride() == theirs.stride()
    assert a.strides == tuple(s * 8 for s in ours.stride())
    np.testing.assert_array_equal(a, theirs.numpy())
    np.testing.assert_array_equal(tt.numpy(), theirs.numpy())
    if ours.numel():
        assert tt.data_ptr() == ours.data_ptr()


def test_dlpack_zero_dim_and_zero_size():
    s = ag.tensor(2.5)
    a = np.from_dlpack(s)
    assert a.shape == () and a == 2.5
    a[()] = 4.0
    assert s.item() == 4.0
    e = ag.zeros(0, 3)
    assert np.from_dlpack(e).shape == (0, 3)
    assert ag.from_dlpack(np.zeros((2, 0))).shape == (2, 0)
    z = ag.from_dlpack(np.array(7, dtype=np.int32))
    assert z.shape == () and z.dtype == ag.int32 and z.item() == 7


def test_dlpack_device():
    assert ag.ones(2).__dlpack_device__() == (1, 0)


@requires_torch
def test_dlpack_export_of_a_tensor_requiring_grad_is_refused_like_torch():
    with pytest.raises(BufferError) as theirs:
        torch.ones(2, requires_grad=True).__dlpack__()
    with pytest.raises(BufferError) as ours:
        ag.ones(2, requires_grad=True).__dlpack__()
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(BufferError, match="detach"):
        np.from_dlpack(ag.ones(2, requires_grad=True) * 2)
    np.testing.assert_array_equal(np.from_dlpack(ag.ones(2, requires_grad=True).detach()), 1)


def test_dlpack_capsules_legacy_and_versioned():
    t = ag.arange(4.0)
    legacy = t.__dlpack__()
    versioned = t.__dlpack__(max_version=(1, 0))
    assert '"dltensor"' in repr(legacy)
    assert '"dltensor_versioned"' in repr(versioned)
    assert '"dltensor"' in repr(t.__dlpack__(max_version=(0, 8)))
    a, b = ag.from_dlpack(legacy), ag.from_dlpack(versioned)
    assert "used_dltensor" in repr(legacy) and "used_dltensor_versioned" in repr(versioned)
    a[0] = 10.0
    assert t[0].item() == 10.0 and b[0].item() == 10.0
    with pytest.raises(RuntimeError, match="consumed only once"):
        ag.from_dlpack(legacy)
    # A capsule nobody consumes frees its export when it dies.
    del versioned
    t.__dlpack__(max_version=(1, 1))
    gc.collect()


def test_dlpack_export_arguments():
    t = ag.arange(3.0)
    with pytest.raises(BufferError, match="stream"):
        t.__dlpack__(stream=1)
    t.__dlpack__(stream=-1)
    with pytest.raises(BufferError, match="CPU"):
        t.__dlpack__(dl_device=(2, 0))
    np.from_dlpack(t, device="cpu")
    copied = np.from_dlpack(t, copy=True)
    copied[0] = 5.0
    assert t[0].item() == 0.0


# ---- DLPack: import --------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_dlpack_from_numpy_shares_memory(dtype):
    arr = np.arange(12).reshape(3, 4).astype(dtype)
    t = ag.from_dlpack(arr)
    assert str(t.dtype) == f"torch.{dtype}"
    assert t.data_ptr() == arr.ctypes.data
    np.testing.assert_array_equal(t.numpy(), arr)
    t[0, 1] = 0
    arr[2, 3] = 1
    assert arr[0, 1] == 0 and t[2, 3].item() == 1


@pytest.mark.parametrize(
    "view",
    [
        lambda a: a.T,
        lambda a: a[1:, ::2],
        lambda a: a[2:3, 1:],
        lambda a: a[:, 1],
        lambda a: a[::2, ::-1][:, :1],
    ],
)
def test_dlpack_import_honours_strides_and_offset(view):
    arr = np.arange(20.0, dtype=np.float32).reshape(4, 5)
    v = view(arr)
    t = ag.from_dlpack(v)
    for size, ours, theirs in zip(v.shape, t.stride(), v.strides):
        assert size == 1 or ours * 4 == theirs  # a size-1 dim's stride is free
    assert t.data_ptr() == v.ctypes.data
    np.testing.assert_array_equal(t.numpy(), v)
    t.fill_(-1.0)
    assert (v == -1.0).all()


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_dlpack_from_torch_shares_memory(dtype):
    src = torch.arange(24).reshape(2, 3, 4).to(getattr(torch, dtype))
    view = src.transpose(0, 2)[1:]
    t = ag.from_dlpack(view)
    assert str(t.dtype) == str(view.dtype)
    assert t.stride() == view.stride() and tuple(t.shape) == tuple(view.shape)
    assert t.data_ptr() == view.data_ptr()
    np.testing.assert_array_equal(t.numpy(), view.numpy())
    view.zero_()
    assert not t.any().item()


def test_dlpack_roundtrip_through_ourselves():
    t = ag.arange(6.0).reshape(2, 3)[:, 1:]
    u = ag.from_dlpack(t)
    assert u.data_ptr() == t.data_ptr() and u.stride() == t.stride()
    u.mul_(2)
    np.testing.assert_array_equal(t.numpy(), [[2.0, 4.0], [8.0, 10.0]])


def test_dlpack_imported_tensor_is_a_leaf_that_can_require_grad():
    x = ag.from_dlpack(np.array([1.0, 2.0, 3.0]))
    assert x.is_leaf and not x.requires_grad
    x.requires_grad_()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0, 6.0])


def test_dlpack_copy_argument_of_from_dlpack():
    arr = np.ones(3)
    t = ag.from_dlpack(arr, copy=True)
    t[0] = 5.0
    assert arr[0] == 1.0
    with pytest.raises(RuntimeError, match="cpu"):
        ag.from_dlpack(arr, device="cuda")


def test_dlpack_producer_deleted_before_consumer():
    # numpy keeps its array alive through the capsule until our tensor dies.
    arr = np.arange(1000.0)
    ref = weakref.ref(arr)
    t = ag.from_dlpack(arr[10:20])
    del arr
    gc.collect()
    assert ref() is not None
    np.testing.assert_array_equal(t.numpy(), np.arange(10.0, 20.0))
    del t
    gc.collect()
    assert ref() is None

    # Our storage outlives the tensor it was exported from.
    src = ag.arange(1000.0)[500:]
    a = np.from_dlpack(src)
    del src
    gc.collect()
    ag.zeros(1000)  # reuse freed memory if it had been freed
    np.testing.assert_array_equal(a, np.arange(500.0, 1000.0))


@requires_torch
def test_dlpack_torch_producer_deleted_before_consumer():
    src = torch.arange(100.0)
    t = ag.from_dlpack(src)
    del src
    gc.collect()
    torch.zeros(100)
    np.testing.assert_array_equal(t.numpy(), np.arange(100.0))
    ours = ag.arange(50, dtype=ag.int64)
    theirs = torch.from_dlpack(ours)
    del ours
    gc.collect()
    np.testing.assert_array_equal(theirs.numpy(), np.arange(50))


def test_dlpack_read_only_import_warns_and_shares():
    arr = np.arange(4.0)
    arr.flags.writeable = False
    with pytest.warns(UserWarning, match="read-only"):
        t = ag.from_dlpack(arr)
    assert t.data_ptr() == arr.ctypes.data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = ag.from_dlpack(arr.copy())
    assert c.sum().item() == 6.0


def test_dlpack_import_errors():
    with pytest.raises(ValueError, match="negative strides"):
        ag.from_dlpack(np.arange(5.0)[::-1])
    with pytest.raises(TypeError, match="unsupported DLPack dtype"):
        ag.from_dlpack(np.ones(3, dtype=np.uint16))
    with pytest.raises(TypeError, match="unsupported DLPack dtype"):
        ag.from_dlpack(np.ones(3, dtype=np.float16))
    with pytest.raises(RuntimeError, match="__dlpack__"):
        ag.from_dlpack([1.0, 2.0])


def test_dlpack_with_jax():
    # CI installs JAX (pinned) in a step of its own after the README's test
    # command and runs this test there with AUTOGRAD_CPP_REQUIRE_JAX=1, so a
    # missing JAX fails rather than skips; elsewhere it needs JAX by hand.
    if os.environ.get("AUTOGRAD_CPP_REQUIRE_JAX"):
        import jax.numpy as jnp
    else:
        jnp = pytest.importorskip("jax.numpy")
    import jax

    x = jnp.arange(6.0, dtype=jnp.float32).reshape(2, 3)
    t = ag.from_dlpack(x)
    np.testing.assert_array_equal(t.numpy(), np.asarray(x))
    back = jax.dlpack.from_dlpack(ag.arange(4.0).reshape(2, 2))
    np.testing.assert_array_equal(np.asarray(back), [[0.0, 1.0], [2.0, 3.0]])


# ---- numpy: the array protocol and operators --------------------------------------


def test_array_protocol_shares_memory_and_honours_dtype_and_copy():
    t = ag.arange(3.0)
    a = np.asarray(t)
    assert a.ctypes.data == t.data_ptr()
    assert np.array(t, copy=False).ctypes.data == t.data_ptr()
    assert np.array(t, copy=True).ctypes.data != t.data_ptr()
    converted = np.asarray(t, dtype=np.float64)
    assert converted.dtype == np.float64
    np.testing.assert_array_equal(converted, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="avoid copy"):
        np.array(t, dtype=np.float64, copy=False)


def test_array_protocol_reads_tensors_requiring_grad():
    # Kept from before (plotting code relies on it); torch raises here instead.
    np.testing.assert_array_equal(np.asarray(ag.ones(2, requires_grad=True)), [1.0, 1.0])


OPERATORS = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / b,
    lambda a, b: a**b,
    lambda a, b: a == b,
    lambda a, b: a != b,
    lambda a, b: a < b,
    lambda a, b: a >= b,
]


# np.bool_ is left out: torch 2.13 reads it as a float (int64 tensor + np.bool_
# gives float32); we read it as a bool, as numpy does.
@requires_torch
@pytest.mark.parametrize("op", OPERATORS)
@pytest.mark.parametrize("scalar", [np.float64(2.5), np.float32(2.0), np.int64(3), np.int32(2)])
@pytest.mark.parametrize("dtype", ["float32", "int64", "float64"])
def test_numpy_scalars_on_either_side_match_torch(op, scalar, dtype):
    ours = ag.tensor([1, 2, 3], dtype=getattr(ag, dtype))
    theirs = torch.tensor([1, 2, 3], dtype=getattr(torch, dtype))
    for fn in (lambda x: op(x, scalar), lambda x: op(scalar, x)):
        try:
            expected = fn(theirs)
        except RuntimeError:
            with pytest.raises(RuntimeError):
                fn(ours)
            continue
        got = fn(ours)
        assert isinstance(got, ag.Tensor)
        assert str(got.dtype) == str(expected.dtype)
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


@requires_torch
@pytest.mark.parametrize("op", OPERATORS)
def test_numpy_arrays_on_either_side_give_our_tensors(op):
    arr = np.array([0.5, 2.0, 3.0])
    ours = ag.tensor([1.0, 2.0, 4.0])
    theirs = torch.tensor([1.0, 2.0, 4.0])
    # torch accepts an array only on the right of arithmetic (not in
    # comparisons); we accept it anywhere, as if converted to a tensor first.
    for got, expected in (
        (op(ours, arr), op(theirs, torch.from_numpy(arr))),
        (op(arr, ours), op(torch.from_numpy(arr), theirs)),
    ):
        assert isinstance(got, ag.Tensor)
        assert str(got.dtype) == str(expected.dtype)
        np.testing.assert_allclose(got.numpy(), expected.numpy())


def test_numpy_array_operands_take_part_in_autograd():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (np.array([3.0, 4.0], dtype=np.float32) * x + x * np.float64(2)).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 6.0])
    with pytest.raises(TypeError, match="only supported types"):
        ag.ones(2) + np.array(["a", "b"])
    assert ag.ones(2).__array_priority__ == 1000


@requires_torch
@pytest.mark.parametrize("fn", [np.sin, np.exp, lambda x: np.add(x, 1), np.negative])
def test_numpy_functions_on_tensors_return_tensors_like_torch(fn):
    ours, theirs = fn(ag.arange(3.0)), fn(torch.arange(3.0))
    assert isinstance(ours, ag.Tensor) and isinstance(theirs, torch.Tensor)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# ---- pickle and copy -----------------------------------------------------------


def same_tensor(a, b):
    assert type(a) is type(b)
    assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
    assert a.requires_grad == b.requires_grad
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@requires_torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "make",
    [
        lambda m, t: t,
        lambda m, t: t.t(),
        lambda m, t: t[1:, ::2],
        lambda m, t: t[1, 2],
        lambda m, t: t[:0],
    ],
)
def test_pickle_keeps_values_dtype_strides_and_offset_like_torch(dtype, make):
    ours, theirs = make(ag, sample(ag, dtype)), make(torch, sample(torch, dtype))
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        got = pickle.loads(pickle.dumps(ours, protocol=protocol))
        expected = pickle.loads(pickle.dumps(theirs, protocol=protocol))
        same_tensor(got, ours)
        assert got.stride() == expected.stride()
        assert got.storage_offset() == expected.storage_offset()
        assert got.data_ptr() != ours.data_ptr() or ours.numel() == 0


@requires_torch
def test_pickle_and_copy_of_tensors_requiring_grad_like_torch():
    for m in (ag, torch):
        x = m.ones(2, requires_grad=True)
        x.grad = m.full((2,), 3.0)
        y = x * 2
        for out in (pickle.loads(pickle.dumps(x)), pickle.loads(pickle.dumps(y)), copy.copy(y)):
            assert out.requires_grad and out.is_leaf and out.grad_fn is None
            assert out.grad is None
        assert copy.deepcopy(x).grad.tolist() == [3.0, 3.0]


@requires_torch
def test_copy_shares_memory_like_torch():
    for m in (ag, torch):
        base = m.arange(6.0)
        view = base.view(2, 3).t()
        c = copy.copy(view)
        assert c.stride() == view.stride() and c.data_ptr() == view.data_ptr()
        c[0, 0] = 100.0
        assert base[0].item() == 100.0


@requires_torch
def test_deepcopy_copies_storage_once_per_container_like_torch():
    for m in (ag, torch):
        base = m.arange(6.0)
        view = base[2:5]
        new_base, new_view = copy.deepcopy([base, view])
        assert new_view.storage_offset() == 2 and new_view.stride() == (1,)
        new_base[3] = 99.0
        assert new_view.tolist() == [2.0, 99.0, 4.0]
        assert base[3].item() == 3.0
        alone = copy.deepcopy(view)
        alone[0] = -1.0
        assert view[0].item() == 2.0 and alone.tolist() == [-1.0, 3.0, 4.0]
        t = copy.deepcopy(base.view(2, 3).t())
        assert t.stride() == (1, 3)


@requires_torch
def test_deepcopy_of_a_non_leaf_is_refused_like_torch():
    with pytest.raises(RuntimeError, match="graph leaves") as theirs:
        copy.deepcopy(torch.ones(2, requires_grad=True) * 2)
    with pytest.raises(RuntimeError) as ours:
        copy.deepcopy(ag.ones(2, requires_grad=True) * 2)
    prefix = "Only Tensors created explicitly by the user (graph leaves) support the deepcopy"
    assert str(theirs.value).startswith(prefix) and str(ours.value).startswith(prefix)


@requires_torch
def test_parameters_pickle_and_deepcopy_like_torch():
    for m in (ag, torch):
        p = m.nn.Parameter(m.ones(2, 2))
        p.grad = m.ones(2, 2)
        for out in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
            assert type(out) is m.nn.Parameter
            assert out.requires_grad and out.grad is None
            assert out.data_ptr() != p.data_ptr()
        frozen = pickle.loads(pickle.dumps(m.nn.Parameter(m.ones(1), requires_grad=False)))
        assert not frozen.requires_grad


class TwoLayer(ag.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = ag.nn.Linear(3, 4)
        self.fc2 = ag.nn.Linear(4, 1)
        self.register_buffer("scale", ag.full((1,), 2.0))

    def forward(self, x):
        return self.fc2(ag.relu(self.fc1(x))) * self.scale


def test_deepcopied_module_has_independent_parameters():
    ag.manual_seed(0)
    model = TwoLayer()
    clone = copy.deepcopy(model)
    x = ag.randn(5, 3)
    np.testing.assert_array_equal(model(x).detach().numpy(), clone(x).detach().numpy())
    for (name, p), (name2, q) in zip(model.named_parameters(), clone.named_parameters()):
        assert name == name2 and type(q) is ag.nn.Parameter and q.requires_grad
        assert p.data_ptr() != q.data_ptr()
    with ag.no_grad():
        clone.fc1.weight.add_(1.0)
    assert not np.array_equal(model.fc1.weight.detach().numpy(), clone.fc1.weight.detach().numpy())
    clone(x).sum().backward()
    assert model.fc1.weight.grad is None and clone.fc1.weight.grad is not None
    assert clone.scale.data_ptr() != model.scale.data_ptr()


def test_pickled_module_round_trips():
    ag.manual_seed(1)
    model = TwoLayer()
    model.eval()
    loaded = pickle.loads(pickle.dumps(model))
    assert type(loaded) is TwoLayer and not loaded.training
    x = ag.randn(4, 3)
    np.testing.assert_array_equal(model(x).detach().numpy(), loaded(x).detach().numpy())
    assert list(loaded.state_dict()) == list(model.state_dict())
    assert all(type(p) is ag.nn.Parameter for p in loaded.parameters())


def test_utils_dlpack_capsules():
    t = ag.arange(3.0)
    capsule = ag.utils.dlpack.to_dlpack(t)
    back = ag.utils.dlpack.from_dlpack(capsule)
    back[1] = 7.0
    assert t.tolist() == [0.0, 7.0, 2.0]
    assert np.from_dlpack(t).base is not None
