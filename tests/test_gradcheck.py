"""Finite-difference gradcheck (float64) of every op in op_db, first and
second order."""

import pytest

import autograd_cpp as ag
from autograd_cpp.autograd import GradcheckError, gradcheck, gradgradcheck
from op_db import OPS, sample_values


def make_inputs(shapes, domain, seed):
    return [
        ag.tensor(v, dtype=ag.float64, requires_grad=True)
        for v in sample_values(shapes, domain, seed)
    ]


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
