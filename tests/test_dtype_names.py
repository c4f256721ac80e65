"""float16 and bfloat16 exist as named dtypes (programs name them in dtype
tables and finfo calls) while autograd_cpp has no 16-bit tensors: asking
for a tensor of one raises TypeError naming it."""

import pickle

import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_dtype_objects_match_torch(name):
    ours, theirs = getattr(ag, name), getattr(torch, name)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert ours.itemsize == theirs.itemsize == 2
    assert ours.is_floating_point is theirs.is_floating_point is True
    assert isinstance(ours, ag.dtype)
    assert ours != ag.float32 and ours == getattr(ag, name)
    assert repr(ag.finfo(ours)) == repr(torch.finfo(theirs))
    assert ag.finfo(ours).bits == 16
    assert pickle.loads(pickle.dumps(ours)) is ours


def test_half_is_float16():
    assert ag.half is ag.float16 and torch.half is torch.float16


@pytest.mark.parametrize(
    "make",
    [
        lambda d: ag.zeros(2, dtype=d),
        lambda d: ag.tensor([1.0], dtype=d),
        lambda d: ag.ones(2).to(d),
        lambda d: ag.ones(2).to(dtype=d),
        lambda d: ag.randn(2, dtype=d),
    ],
)
@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_tensors_of_them_raise_type_error_naming_them(make, name):
    with pytest.raises(TypeError, match=f"no tensors of dtype torch.{name}"):
        make(getattr(ag, name))


def test_nanogpt_style_dtype_table():
    dtype = "bfloat16" if ag.cuda.is_available() and ag.cuda.is_bf16_supported() else "float16"
    table = {"float32": ag.float32, "bfloat16": ag.bfloat16, "float16": ag.float16}
    assert table[dtype] is ag.float16
