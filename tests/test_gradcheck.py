"""Finite-difference gradcheck (float64) of every op in op_db, first and
second order."""

from pathlib import Path

import numpy as np
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


# ---- gradcheck itself: a planted error anywhere is found ------------------------------

SHAPE = (2, 3)


def _one_hot(element, dtype=ag.float64):
    mask = ag.zeros(SHAPE, dtype=dtype)
    mask.view(-1)[element] = 1.0
    return mask


def _planted(n_inputs, bad_input, element, delta, order):
    """f(x_0, ..., x_n) = sum_i c_i * sin(x_i) * prod_j x_j (elementwise),
    whose analytical derivative of the given order is off by `delta` at one
    element of one input while every value (and, for order 2, every first
    derivative) stays right: (x - x.detach()) is zero but has gradient one."""
    mask = _one_hot(element) * delta

    def f(*xs):
        prod = xs[0]
        for x in xs[1:]:
            prod = prod * x
        out = sum((i + 1) * x.sin() for i, x in enumerate(xs)) * prod
        x = xs[bad_input]
        if order == 1:
            return out + (x - x.detach()) * mask * x.detach().cos()
        return out + (x - x.detach()).pow(2) * mask

    return f


def _inputs(n, seed=0):
    rng = np.random.default_rng(seed)
    return [
        ag.tensor(rng.uniform(0.5, 1.5, SHAPE), dtype=ag.float64, requires_grad=True)
        for _ in range(n)
    ]


PLANTED = [
    (n, bad, element) for n in (1, 2, 3) for bad in range(n) for element in (0, 4, 5)
]  # fmt: skip


@pytest.mark.parametrize("n,bad,element", PLANTED)
def test_gradcheck_finds_an_error_in_any_input_and_element(n, bad, element):
    inputs = _inputs(n)
    assert gradcheck(_planted(n, bad, element, 0.0, order=1), inputs)
    wrong = _planted(n, bad, element, 0.5, order=1)
    with pytest.raises(GradcheckError, match=f"with respect to input {bad}, element {element} "):
        gradcheck(wrong, inputs)
    assert gradcheck(wrong, inputs, raise_exception=False) is False


@pytest.mark.parametrize("n,bad,element", PLANTED)
def test_gradgradcheck_finds_an_error_in_any_input_and_element(n, bad, element):
    inputs = _inputs(n, seed=1)
    wrong = _planted(n, bad, element, 0.5, order=2)
    assert gradcheck(wrong, inputs)  # first derivatives are right
    assert gradgradcheck(_planted(n, bad, element, 0.0, order=2), inputs)
    with pytest.raises(GradcheckError, match=f"with respect to input {bad}, element {element} "):
        gradgradcheck(wrong, inputs)
    assert gradgradcheck(wrong, inputs, raise_exception=False) is False


class _TwiceWithWrongSecondOrder(ag.autograd.Function):
    """y = 2x; its backward is right in value, but the backward of that
    backward scales one element of the output gradient by 1.1."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return _TwiceOffAtElement1.apply(grad)


class _TwiceOffAtElement1(ag.autograd.Function):
    @staticmethod
    def forward(ctx, g):
        return g * 2

    @staticmethod
    def backward(ctx, gg):
        return gg * 2 * (1 + 0.1 * _one_hot(1))


def test_gradgradcheck_checks_the_dependence_on_output_gradients():
    x = _inputs(1)[0]
    fn = _TwiceWithWrongSecondOrder.apply
    assert gradcheck(fn, [x])
    # Inputs of the second-order check are (x, grad_output): the error is in
    # the derivative with respect to the output gradient, input 1.
    with pytest.raises(GradcheckError, match="with respect to input 1, element 1 "):
        gradgradcheck(fn, [x])


def test_gradcheck_names_the_output_of_a_multi_output_function():
    def two(x, y):
        return x * y, x.sin() + (y - y.detach()) * _one_hot(2) * 0.1

    x, y = _inputs(2)
    with pytest.raises(
        GradcheckError,
        match=r"for output 1 with respect to input 1, element 2 \(output element 2\)",
    ):
        gradcheck(two, [x, y])

    def first_of_second(x, y):
        return x * y, x.sin() + (y - y.detach()) * _one_hot(0) * 0.1

    with pytest.raises(
        GradcheckError,
        match=r"for output 1 with respect to input 1, element 0 \(output element 0\)",
    ):
        gradcheck(first_of_second, [x, y])
    with pytest.raises(
        GradcheckError,
        match=r"for output 0 with respect to input 0, element 3 \(output element 3\)",
    ):
        gradcheck(lambda x: (x + (x - x.detach()) * _one_hot(3) * 0.1, x * 3), [x])


@pytest.mark.parametrize("delta,rtol,atol,passes", [
    (1e-5, 1e-3, 1e-5, True),  # inside the defaults
    (1e-2, 1e-3, 1e-5, False),
    (1e-5, 1e-7, 1e-9, False),  # tightened: now visible
    (1e-2, 1e-1, 1e-5, True),  # loosened rtol
    (1e-2, 1e-3, 1.0, True),  # loosened atol
])  # fmt: skip
def test_gradcheck_honours_its_tolerances(delta, rtol, atol, passes):
    inputs = _inputs(1)
    fn = _planted(1, 0, 0, delta, order=1)
    assert gradcheck(fn, inputs, rtol=rtol, atol=atol, raise_exception=False) is passes


@pytest.mark.parametrize("rtol,atol,passes", [(1e-3, 1e-5, False), (1e-3, 1.0, True)])
def test_gradgradcheck_honours_its_tolerances(rtol, atol, passes):
    fn = _planted(1, 0, 0, 0.05, order=2)
    assert gradgradcheck(fn, _inputs(1), rtol=rtol, atol=atol, raise_exception=False) is passes


def test_gradcheck_nondet_tol_widens_atol():
    inputs = _inputs(1)
    fn = _planted(1, 0, 0, 1e-2, order=1)
    assert gradcheck(fn, inputs, raise_exception=False) is False
    assert gradcheck(fn, inputs, nondet_tol=0.1, raise_exception=False) is True


def test_gradcheck_eps_sets_the_finite_difference_step():
    # x^3's central difference is off by eps^2 exactly: a coarse step shows it.
    x = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    assert gradcheck(lambda x: x.pow(3), [x])
    assert gradcheck(lambda x: x.pow(3), [x], eps=0.1, raise_exception=False) is False


def test_gradcheck_leaves_inputs_as_they_were():
    inputs = _inputs(2)
    before = [x.detach().numpy().copy() for x in inputs]
    gradcheck(_planted(2, 1, 0, 0.0, order=1), inputs)
    gradgradcheck(_planted(2, 1, 0, 0.0, order=2), inputs)
    for x, b in zip(inputs, before):
        np.testing.assert_array_equal(x.detach().numpy(), b)
        assert x.grad is None


def test_gradcheck_argument_errors_and_warnings():
    with pytest.raises(
        ValueError, match=r"^gradcheck expects at least one input tensor that requires grad$"
    ):
        gradcheck(lambda x: x * 2, [ag.ones(2, dtype=ag.float64)])
    with pytest.warns(UserWarning) as caught:
        gradcheck(lambda x: x * 2, [ag.ones(2, requires_grad=True)], atol=0.1, rtol=0.1)
    (warning,) = caught
    assert str(warning.message) == (
        "Input #0 requires gradient and is not a double precision floating point tensor; "
        "gradcheck may fail from rounding."
    )
    # It points at the caller, outside the library (not necessarily this
    # file: a wrapper such as a mutation tester's may sit in between).
    assert not warning.filename.startswith(str(Path(ag.__file__).parent))
    x = ag.ones(2, dtype=ag.float64, requires_grad=True)
    with pytest.raises(
        ValueError, match=r"^gradcheck: the function returned no output that requires grad$"
    ):
        gradcheck(lambda x: x.detach(), [x])
    # Finite differences perturb the input's memory in place.
    strided = ag.ones(4, dtype=ag.float64)[::2].requires_grad_()
    with pytest.raises(ValueError, match=r"^gradcheck needs contiguous inputs$"):
        gradcheck(lambda x: x * 2, [strided])
    # A single tensor is accepted as well as a sequence of them.
    assert gradcheck(lambda x: x * x, x)
    assert gradgradcheck(lambda x: x * x * x, x)


def test_inputs_that_do_not_require_grad_are_held_constant():
    x = _inputs(1)[0]
    c = ag.tensor([[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]], dtype=ag.float64)
    for check in (gradcheck, gradgradcheck):
        assert check(lambda x, c, k: x * x * x * c * k, [x, c, 3])
        assert check(lambda c, x: (x * c).sin(), [c, x])


def test_gradgradcheck_passes_eps_and_rtol_on():
    x = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    # The central difference of 4x^3 (the first derivative of x^4) is off by
    # 4 eps^2: invisible at the default eps, 0.04 (over 12) at eps = 0.1.
    assert gradgradcheck(lambda x: x.pow(4), [x])
    assert gradgradcheck(lambda x: x.pow(4), [x], eps=0.1, raise_exception=False) is False
    assert gradgradcheck(lambda x: x.pow(4), [x], eps=0.1, rtol=0.01, raise_exception=False)


def test_an_empty_input_does_not_end_the_check():
    empty = ag.zeros(0, dtype=ag.float64, requires_grad=True)
    x = _inputs(1)[0]

    def f(e, x):
        return x + (x - x.detach()) * _one_hot(5) * 0.5 + e.sum()

    with pytest.raises(GradcheckError, match="with respect to input 1, element 5 "):
        gradcheck(f, [empty, x])


def test_a_nan_in_the_jacobian_is_a_mismatch():
    # As in PyTorch: NaN == NaN would let a broken derivative pass.
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    assert gradcheck(lambda x: x * float("nan"), [x], raise_exception=False) is False
