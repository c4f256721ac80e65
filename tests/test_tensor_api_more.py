"""Tensor API programs lean on, against PyTorch: new_* factories, type()
with legacy names, the legacy constructors (torch.FloatTensor & co.),
isinstance with them, formatting, iteration and len."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch


def outcome(fn, lib):
    """("ok", dtype name, shape, values, requires_grad) for a tensor result,
    ("ok", value) for others, ("raises", type name) on error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = fn(lib)
    except Exception as e:
        return ("raises", type(e).__name__)
    if isinstance(value, (ag.Tensor, getattr(torch, "Tensor", ()))):
        values = value.tolist() if value.numel() and "empty" not in fn.__name__ else None
        return ("ok", str(value.dtype), tuple(value.shape), values, value.requires_grad)
    return ("ok", repr(value).replace("autograd_cpp", "torch"))


def check(fn):
    ours, theirs = outcome(fn, ag), outcome(fn, torch)
    assert ours == theirs


def base(m, dtype="float64"):
    return m.ones(2, 3, dtype=getattr(m, dtype), requires_grad=dtype == "float64")


NEW_CALLS = {
    "zeros_ints": lambda m: base(m).new_zeros(2, 3),
    "zeros_tuple": lambda m: base(m).new_zeros((2, 2)),
    "zeros_list_dtype": lambda m: base(m).new_zeros([2], dtype=m.int64),
    "zeros_size": lambda m: base(m).new_zeros(m.Size([3])),
    "zeros_none": lambda m: base(m).new_zeros(),
    "zeros_zero": lambda m: base(m).new_zeros(0),
    "zeros_cpu": lambda m: base(m).new_zeros(2, device="cpu"),
    "ones_grad": lambda m: base(m).new_ones(2, requires_grad=True),
    "ones_int_grad": lambda m: base(m).new_ones(2, dtype=m.int64, requires_grad=True),
    "ones_from_int": lambda m: base(m, "int32").new_ones(3),
    "full": lambda m: base(m).new_full((2,), 3),
    "full_list": lambda m: base(m).new_full([2, 1], 2.5),
    "full_dtype": lambda m: base(m).new_full((2,), 3, dtype=m.int32),
    "full_bool": lambda m: base(m, "bool").new_full((2,), True),
    "full_int_size": lambda m: base(m).new_full(2, 3.0),
    "empty_shape": lambda m: base(m).new_empty((2, 3), dtype=m.float32),
    "empty_ints": lambda m: base(m).new_empty(4),
    "tensor_list": lambda m: base(m).new_tensor([1, 2]),
    "tensor_float_to_int": lambda m: base(m, "int64").new_tensor([1.5, 2.7]),
    "tensor_scalar": lambda m: base(m, "float32").new_tensor(3),
    "tensor_grad": lambda m: base(m).new_tensor([1.0], requires_grad=True),
    "tensor_dtype": lambda m: base(m).new_tensor([1, 0], dtype=m.bool),
    "tensor_numpy": lambda m: base(m, "float32").new_tensor(np.array([1, 2])),
    "tensor_of_tensor": lambda m: base(m).new_tensor(base(m) * 2),
    "new_sizes": lambda m: base(m).new(2, 3).shape,
    "new_data": lambda m: base(m, "int64").new([1, 2]),
    "new_empty_call": lambda m: base(m).new().shape,
}


@requires_torch
@pytest.mark.parametrize("name", sorted(NEW_CALLS))
def test_new_factories_match_torch(name):
    fn = NEW_CALLS[name]
    fn.__name__ = name
    check(fn)


def test_new_tensor_of_a_tensor_warns_and_copies():
    x = ag.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        y = x.new_tensor(x)
    assert not y.requires_grad and y.data_ptr() != x.data_ptr()


TYPE_CALLS = {
    "name_float": lambda m: m.ones(2).type(),
    "name_double": lambda m: m.ones(2, dtype=m.float64).type(),
    "name_long": lambda m: m.ones(2, dtype=m.int64).type(),
    "name_int": lambda m: m.ones(2, dtype=m.int32).type(),
    "name_bool": lambda m: m.ones(2, dtype=m.bool).type(),
    "to_long_name": lambda m: m.tensor([1.7, -2.2]).type("torch.LongTensor"),
    "to_int_name": lambda m: m.ones(2).type("torch.IntTensor"),
    "to_bool_name": lambda m: m.tensor([0.0, 2.0]).type("torch.BoolTensor"),
    "to_double_class": lambda m: m.ones(2).type(m.DoubleTensor),
    "to_dtype": lambda m: m.ones(2).type(m.float64),
    "to_dtype_kw": lambda m: m.ones(2).type(dtype=m.int64),
    "non_blocking": lambda m: m.ones(2).type(m.int64, non_blocking=True),
    "same_is_self": lambda m: (lambda x: x.type(m.float32) is x and x.type(m.FloatTensor) is x)(
        m.ones(2)
    ),
    "cuda_name": lambda m: m.ones(2).type("torch.cuda.FloatTensor"),
    "bad_name": lambda m: m.ones(2).type("float"),
    "bad_object": lambda m: m.ones(2).type(m.ones(1)),
    "grad": lambda m: m.ones(2, requires_grad=True).type(m.float64),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(TYPE_CALLS))
def test_type_matches_torch(name):
    check(TYPE_CALLS[name])


def test_type_keeps_the_graph():
    x = ag.ones(2, requires_grad=True)
    y = x.type("torch.DoubleTensor")
    assert y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


LEGACY_CALLS = {
    "float_sizes": lambda m: m.FloatTensor(2, 3).shape,
    "float_data": lambda m: m.FloatTensor([1, 2]),
    "long_truncates": lambda m: m.LongTensor([1.7, -2.5]),
    "long_size": lambda m: m.LongTensor(2).dtype,
    "double_nested": lambda m: m.DoubleTensor([[1, 2], [3, 4]]),
    "int_data": lambda m: m.IntTensor([1]),
    "bool_data": lambda m: m.BoolTensor([2, 0]),
    "long_of_bools": lambda m: m.LongTensor([True, False]),
    "empty": lambda m: m.FloatTensor().shape,
    "size_object": lambda m: m.FloatTensor(m.Size([2])).shape,
    "tuple_is_data": lambda m: m.FloatTensor((2, 3)),
    "zero_size": lambda m: m.FloatTensor(2, 0).shape,
    "empty_list": lambda m: m.FloatTensor([]).shape,
    "empty_nested": lambda m: m.FloatTensor([[]]).shape,
    "numpy": lambda m: m.FloatTensor(np.ones(2)),
    "numpy_long": lambda m: m.LongTensor(np.array([1.5, 2.0])),
    "numpy_int_size": lambda m: m.FloatTensor(np.int64(2)).shape,
    "numpy_float_scalar": lambda m: m.FloatTensor(np.float64(2)),
    "float_scalar": lambda m: m.FloatTensor(2.5),
    "string": lambda m: m.FloatTensor("ab"),
    "same_dtype_tensor": lambda m: m.FloatTensor(m.ones(2)),
    "other_dtype_tensor": lambda m: m.FloatTensor(m.ones(2, dtype=m.float64)),
    "ragged": lambda m: m.FloatTensor([[1, 2], [3]]),
    "negative": lambda m: m.FloatTensor(-1),
    "device_cpu": lambda m: m.FloatTensor([[1, 2]], device="cpu"),
    "device_cuda": lambda m: m.FloatTensor([1], device="cuda"),
    "requires_grad_kw": lambda m: m.FloatTensor(2, requires_grad=True),
    "isinstance_float": lambda m: (
        isinstance(m.ones(2), m.FloatTensor),
        isinstance(m.ones(2, dtype=m.float64), m.FloatTensor),
        isinstance(m.ones(2, dtype=m.float64), m.DoubleTensor),
        isinstance(m.ones(2, dtype=m.int64), m.LongTensor),
        isinstance(m.ones(2, dtype=m.int32), m.IntTensor),
        isinstance(m.ones(2, dtype=m.bool), m.BoolTensor),
        isinstance([1.0], m.FloatTensor),
    ),
    "not_subclass": lambda m: issubclass(m.FloatTensor, m.Tensor),
    "class_names": lambda m: (m.FloatTensor.__name__, m.LongTensor.__name__),
    "legacy_dtype": lambda m: (m.FloatTensor.dtype, m.LongTensor.dtype),
    "new_tensor_result_class": lambda m: type(m.FloatTensor([1])).__name__,
}


@requires_torch
@pytest.mark.parametrize("name", sorted(LEGACY_CALLS))
def test_legacy_constructors_match_torch(name):
    fn = LEGACY_CALLS[name]
    if name in ("float_sizes", "size_object", "zero_size", "empty"):
        fn.__name__ = "empty_" + name  # uninitialised values: compare shapes only
    check(fn)


TENSOR_CONSTRUCTOR_CALLS = {
    "sizes": lambda m: m.Tensor(2, 3).shape,
    "size_object": lambda m: m.Tensor(m.Size([2, 3])).shape,
    "empty": lambda m: m.Tensor().shape,
    "list": lambda m: m.Tensor([1, 2]),
    "tuple_is_data": lambda m: m.Tensor((2, 3)),
    "empty_list": lambda m: m.Tensor([]).shape,
    "empty_tuple": lambda m: m.Tensor(()).shape,
    "range": lambda m: m.Tensor(range(3)),
    "numpy": lambda m: m.Tensor(np.array([1, 2])),
    "numpy_0d": lambda m: m.Tensor(np.array(2.0)),
    "other_dtype_tensor": lambda m: m.Tensor(m.ones(2, dtype=m.int64)),
    "float": lambda m: m.Tensor(2.5),
    "bool": lambda m: m.Tensor(True),
    "none": lambda m: m.Tensor(None),
    "complex": lambda m: m.Tensor(1j),
    "numpy_float": lambda m: m.Tensor(np.float64(1.5)),
    "string": lambda m: m.Tensor("abc"),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(TENSOR_CONSTRUCTOR_CALLS))
def test_tensor_class_constructor_matches_torch(name):
    fn = TENSOR_CONSTRUCTOR_CALLS[name]
    check(fn)
    errors = []
    for lib in (ag, torch):
        try:
            fn(lib)
        except TypeError as e:
            errors.append(str(e))
    if errors:
        assert errors[0] == errors[1]


def test_legacy_constructor_shares_a_tensor_of_its_dtype():
    x = ag.ones(3)
    y = ag.FloatTensor(x)
    y[0] = 5
    assert x[0].item() == 5


FORMAT_CALLS = {
    "float_spec": lambda m: f"{m.tensor(1.23456):.4f}",
    "float_grad": lambda m: f"{m.tensor(2.5, requires_grad=True) * 2:.2f}",
    "int_spec": lambda m: f"{m.tensor(3):d}",
    "align": lambda m: f"{m.tensor(3):>5}",
    "sci": lambda m: f"{m.tensor(12345.678, dtype=m.float64):.3e}",
    "bool": lambda m: f"{m.tensor(True)}",
    "plain": lambda m: format(m.tensor([1.0, 2.0])),
    "str_format": lambda m: "{}".format(m.tensor(2.0)),  # noqa: UP032
    "vector_spec": lambda m: f"{m.tensor([1.5]):.2f}",
    "loss_item": lambda m: "loss {:.3f}".format(m.tensor([0.25, 0.5]).mean()),  # noqa: UP032
}


@requires_torch
@pytest.mark.parametrize("name", sorted(FORMAT_CALLS))
def test_formatting_matches_torch(name):
    check(FORMAT_CALLS[name])


ITER_CALLS = {
    "len": lambda m: len(m.ones(3, 2)),
    "len_0d": lambda m: len(m.tensor(3.0)),
    "len_empty": lambda m: len(m.ones(0, 2)),
    "iter_rows": lambda m: [r.tolist() for r in m.arange(6).reshape(3, 2)],
    "iter_0d": lambda m: list(m.tensor(3.0)),
    "iter_1d_items": lambda m: [x.item() for x in m.tensor([1, 2, 3])],
    "unpack": lambda m: (lambda a, b: (a.item(), b.item()))(*m.tensor([4, 5])),
    "reversed": lambda m: [x.item() for x in reversed(m.tensor([1, 2, 3]))],
    "zip_enumerate": lambda m: [(i, x.item()) for i, x in enumerate(m.tensor([7, 8]))],
    "in": lambda m: 2 in m.tensor([1, 2, 3]),
    "cpu_numpy": lambda m: m.ones(2).cpu().numpy().tolist(),
    "is_signed": lambda m: (m.ones(1).is_signed(), m.ones(1, dtype=m.bool).is_signed()),
    "is_complex": lambda m: m.ones(1).is_complex(),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(ITER_CALLS))
def test_iteration_len_and_small_queries_match_torch(name):
    check(ITER_CALLS[name])
