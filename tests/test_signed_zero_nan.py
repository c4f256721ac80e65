"""Max/min-like ops on -0.0, +0.0 and NaN give PyTorch's values bit for bit:
the sign of a zero shows when a tensor is printed (tensor([-0.])), and a NaN
must neither vanish nor appear."""

import math

import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

NAN = float("nan")
X = [-0.0, 0.0, NAN, -2.0, 0.5, 3.0]
Y = [0.0, -0.0, 1.0, NAN, 0.5, -1.0]

CASES = {
    "relu": lambda m, x, y: m.relu(x),
    "relu_": lambda m, x, y: x.clone().relu_(),
    "nn.ReLU": lambda m, x, y: m.nn.ReLU()(x),
    "relu6": lambda m, x, y: m.nn.functional.relu6(x),
    "hardtanh": lambda m, x, y: m.nn.functional.hardtanh(x),
    "maximum": lambda m, x, y: m.maximum(x, y),
    "minimum": lambda m, x, y: m.minimum(x, y),
    "maximum swapped": lambda m, x, y: m.maximum(y, x),
    "max of two": lambda m, x, y: m.max(x, y),
    "clamp scalars": lambda m, x, y: x.clamp(0.0, 0.7),
    "clamp NaN bound": lambda m, x, y: x.clamp(NAN, 0.7),
    "clamp min": lambda m, x, y: x.clamp(min=0.0),
    "clamp max -0": lambda m, x, y: x.clamp(max=-0.0),
    "clamp tensor bounds": lambda m, x, y: x.clamp(y, m.tensor(2.0)),
    "threshold": lambda m, x, y: m.nn.functional.threshold(x, 0.0, 7.0),
}


def _bits(t):
    """Each value with its sign, NaN as a marker (NaN != NaN)."""
    return [("nan" if v != v else (v, math.copysign(1.0, v))) for v in t.tolist()]


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_zero_signs_match_pytorch(name):
    f = CASES[name]
    theirs = f(torch, torch.tensor(X), torch.tensor(Y))
    ours = f(ag, ag.tensor(X), ag.tensor(Y))
    assert _bits(ours) == _bits(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", ["relu", "threshold", "clamp scalars", "hardtanh"])
def test_gradient_at_zero_and_nan_matches_pytorch(name):
    f = CASES[name]
    grads = []
    for m in (torch, ag):
        x = m.tensor(X, requires_grad=True)
        f(m, x, m.tensor(Y)).backward(m.ones(len(X)))
        grads.append(_bits(x.grad))
    assert grads[1] == grads[0]
