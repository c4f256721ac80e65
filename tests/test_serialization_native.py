"""autograd_cpp's own file format (what save() wrote before PyTorch's zip
format; load() still reads it): every kind of value round-trips with its
type, tensors keep their bytes, dtype, shape and flags wherever they sit in
the file, and what cannot be saved says what can."""

import io
from collections import OrderedDict

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import serialization


def _round_trip(obj, tmp_path):
    path = tmp_path / "obj.agcpp"
    serialization._save_native(obj, path)
    return ag.load(path)


def test_values_keep_their_types(tmp_path):
    obj = {
        "none": None, "flag": True, "off": False, "text": "hi", "int": 12345678901234,
        "float": 0.1, "neg": -2.5, "list": [1, 2.0, "x"], "tuple": (3, (4.5,)),
        "odict": OrderedDict([("b", 1), ("a", 2)]), "dtype": ag.float64,
        "dtypes": [ag.int64, ag.bool, ag.float32], 7: "int key",
    }  # fmt: skip
    back = _round_trip(obj, tmp_path)
    assert back == obj
    assert type(back["list"]) is list and type(back["tuple"]) is tuple
    assert type(back["tuple"][1]) is tuple
    assert type(back["odict"]) is OrderedDict and list(back["odict"]) == ["b", "a"]
    assert type(back) is dict and type(back["float"]) is float and type(back["int"]) is int
    assert back["dtype"] is ag.float64


def test_tensors_keep_bytes_dtype_shape_and_place(tmp_path):
    tensors = [
        ag.tensor([[1.5, -2.0], [3.25, 4.0]]),
        ag.tensor([True, False, True, True, False]),
        ag.arange(6, dtype=ag.int64).reshape(3, 2),
        ag.tensor([False, True]),
        ag.tensor(7, dtype=ag.int32),
        ag.tensor([0.1, 0.2], dtype=ag.float64),
        ag.zeros(0, 3),
    ]
    back = _round_trip({"ts": tensors, "last": ag.tensor([9.0])}, tmp_path)
    for a, b in zip(tensors, back["ts"]):
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert back["last"].tolist() == [9.0]


def test_parameters_and_requires_grad_survive(tmp_path):
    p = ag.nn.Parameter(ag.ones(2))
    q = ag.nn.Parameter(ag.ones(2), requires_grad=False)
    r = ag.ones(3, requires_grad=True)
    s = (r * 2).detach()
    back = _round_trip([p, q, r, s], tmp_path)
    assert isinstance(back[0], ag.nn.Parameter) and back[0].requires_grad
    assert isinstance(back[1], ag.nn.Parameter) and not back[1].requires_grad
    assert not isinstance(back[2], ag.nn.Parameter) and back[2].requires_grad
    assert not back[3].requires_grad and back[3].is_leaf


def test_a_model_round_trips_through_a_file_object(tmp_path):
    ag.manual_seed(0)
    model = ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.ReLU(), ag.nn.Linear(4, 2))
    buffer = io.BytesIO()
    serialization._save_native(model.state_dict(), buffer)
    buffer.seek(0)
    state = ag.load(buffer)
    other = ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.ReLU(), ag.nn.Linear(4, 2))
    other.load_state_dict(state)
    x = ag.randn(5, 3)
    np.testing.assert_array_equal(model(x).detach().numpy(), other(x).detach().numpy())


@pytest.mark.parametrize("bad", [object(), {1, 2}, b"bytes", 1 + 2j])
def test_what_cannot_be_saved_says_what_can(bad, tmp_path):
    with pytest.raises(TypeError) as info:
        serialization._save_native({"x": [bad]}, tmp_path / "bad.agcpp")
    assert str(info.value) == (
        f"autograd_cpp.save: cannot save an object of type {type(bad).__name__}; "
        "save tensors, numbers, strings and dicts/lists/tuples of them "
        "(e.g. model.state_dict() or optimizer.state_dict())"
    )
    assert not (tmp_path / "bad.agcpp").exists()


def test_errors_name_the_file_object_they_read(tmp_path):
    path = tmp_path / "short.agcpp"
    path.write_bytes(b"AGCPPSV1" + b"\0" * 4)
    with open(path, "rb") as fh, pytest.raises(RuntimeError) as info:
        ag.load(fh)
    assert str(info.value).startswith(f"autograd_cpp.load: {str(path)!r} ")
    with pytest.raises(RuntimeError) as info:
        ag.load(io.BytesIO(b"AGCPPSV1" + b"\0" * 4))
    assert str(info.value).startswith("autograd_cpp.load: '<file object>' ")


class _IntSizedReader:
    """A file object whose read() takes only an int size, as many stream
    wrappers do (io's classes also accept None)."""

    def __init__(self, data):
        self._buffer = io.BytesIO(data)

    def read(self, size=-1):
        if not isinstance(size, int):
            raise TypeError(f"read() size must be an int, not {type(size).__name__}")
        return self._buffer.read(size)

    def seek(self, offset, whence=0):
        return self._buffer.seek(offset, whence)

    def tell(self):
        return self._buffer.tell()

    def seekable(self):
        return True


def test_load_reads_through_a_file_object_taking_int_sizes():
    buffer = io.BytesIO()
    serialization._save_native({"w": ag.arange(4.0)}, buffer)
    back = ag.load(_IntSizedReader(buffer.getvalue()))
    assert back["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
