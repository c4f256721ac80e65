"""Assignment through indexing drops the value's leading size-1 dimensions
before broadcasting, as PyTorch's setitem does (the seq2seq tutorial stores
a (1, n) attention row into a (n,) slot); copy_ itself still refuses."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

CASES = [
    ((3, 4), lambda a, v: a.__setitem__(0, v), (1, 4)),
    ((3, 4), lambda a, v: a.__setitem__(0, v), (1, 1, 4)),
    ((3, 4), lambda a, v: a.__setitem__(slice(1, 3), v), (1, 1, 2, 4)),
    ((3, 4), lambda a, v: a.__setitem__([0, 2], v), (1, 2, 4)),
    ((4,), lambda a, v: a.__setitem__(Ellipsis, v), (1, 1, 4)),
    ((1, 4), lambda a, v: a.__setitem__(0, v), (1, 1, 1)),
    ((3, 4), lambda a, v: a.__setitem__((slice(None), 1), v), (1, 3)),
]


@pytest.mark.parametrize("shape,assign,value_shape", CASES)
def test_setitem_matches_torch_values_and_grads(shape, assign, value_shape):
    v = np.arange(1, 1 + int(np.prod(value_shape)), dtype=np.float64).reshape(value_shape)
    results = []
    for lib in (ag, torch):
        a = lib.zeros(*shape, dtype=lib.float64)
        value = lib.tensor(v, requires_grad=True)
        target = a.clone()
        assign(target, value)
        w = lib.tensor(np.arange(np.prod(shape), dtype=np.float64).reshape(shape))
        (target * w).sum().backward()
        results.append((target.detach().numpy(), value.grad.numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_non_unit_leading_dimension_is_still_an_error():
    for lib in (ag, torch):
        with pytest.raises(RuntimeError):
            lib.zeros(3, 4)[0] = lib.ones(2, 4)
        with pytest.raises(
            RuntimeError,
            match=r"output with shape \[4\] doesn't match the broadcast shape \[1, 4\]",
        ):
            lib.zeros(4).copy_(lib.ones(1, 4))
