"""Finite-difference gradcheck (float64) of every op in op_db, first and
second order."""

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp.autograd import GradcheckError, gradcheck, gradgradcheck
from op_db import OPS


def make_inputs(shapes, domain, seed):
    rng = np.random.default_rng(seed)
    inputs = []
    for shape in shapes:
        values = rng.uniform(-2.0, 2.0, size=shape)
        if domain == "positive":
            values = np.abs(values) + 0.5
        elif domain == "nonzero":
            values = np.sign(values + 1e-3) * (np.abs(values) + 0.5)
        else:
            # Keep away from kinks (relu/abs at 0) so differences are valid.
            values = np.where(np.abs(values) < 0.1, values + 0.3, values)
        inputs.append(ag.tensor(values, dtype=ag.float64, requires_grad=True))
    return inputs


CASES = [(op, shapes) for op in OPS for shapes in op.shapes]
IDS = [f"{op.name}-{'x'.join(map(str, shapes))}" for op, shapes in CASES]


@pytest.mark.parametrize("op,shapes", CASES, ids=IDS)
def test_gradcheck(op, shapes):
    inputs = make_inputs(shapes, op.domain, seed=0)
    assert gradcheck(lambda *xs: op.fn(ag, *xs), inputs)


SECOND = [(op, shapes) for op, shapes in CASES if op.second]


@pytest.mark.parametrize(
    "op,shapes", SECOND, ids=[f"{op.name}-{'x'.join(map(str, s))}" for op, s in SECOND]
)
def test_gradgradcheck(op, shapes):
    inputs = make_inputs(shapes, op.domain, seed=1)
    assert gradgradcheck(lambda *xs: op.fn(ag, *xs), inputs)


def test_gradcheck_reports_the_input_and_element():
    def wrong_square(x):
        # Forward x^2 but through a detached factor, so autograd sees only x.
        return x * x.detach()

    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="with respect to input 0, element 0") as err:
        gradcheck(wrong_square, [x])
    assert "numerical" in str(err.value) and "analytical" in str(err.value)
    assert gradcheck(wrong_square, [x], raise_exception=False) is False
