"""autograd.functional against torch.autograd.functional: every function
with single and tuple inputs and outputs, v given or defaulted,
create_graph (results stay differentiable), strict mode, and the errors for
wrong shapes, lengths and types (type and text as PyTorch's)."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

A = np.array([[1.0, -2.0, 0.5], [0.3, 1.5, -1.0]])
B = np.array([0.7, -0.4])


def f_single(x):  # (3,) -> (2,)
    return (x.sin() * x).sum() * x[:2] + x[1:] ** 2


def f_pair(x, y):  # (3,), (2,) -> ((2,), ())
    return x[:2] * y.exp(), (x * x).sum() * y.sum()


def f_scalar(x):  # (3,) -> ()
    return (x**3).sum() + x[0] * x[1] * x[2]


def f_scalar_pair(x, y):  # (3,), (2,) -> ()
    return (x**2).sum() * y.prod() + (x[:2] * y).sum()


def f_independent(x, y):  # ignores y
    return (x**2).sum()


def _to(lib, v):
    if isinstance(v, tuple):
        return tuple(_to(lib, t) for t in v)
    return lib.tensor(v)


def _numpy(v):
    if isinstance(v, tuple):
        return tuple(_numpy(t) for t in v)
    return v.detach().numpy()


def _same(a, b):
    assert type(a) is type(b) or (isinstance(a, tuple) == isinstance(b, tuple))
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


X = np.array([0.3, -1.2, 0.8])
Y = np.array([0.5, -0.25])
VX, VY, VO = np.array([1.0, 2.0, -1.0]), np.array([0.5, 3.0]), np.array([2.0, -1.0])

CASES = {
    "vjp_single": ("vjp", f_single, X, dict(v=VO)),
    "vjp_pair": ("vjp", f_pair, (X, Y), dict(v=(VO, np.array(1.5)))),
    "vjp_scalar_default_v": ("vjp", f_scalar, X, {}),
    "jvp_single": ("jvp", f_single, X, dict(v=VX)),
    "jvp_pair": ("jvp", f_pair, (X, Y), dict(v=(VX, VY))),
    "jvp_default_v": ("jvp", lambda x: x * x.exp(), np.array([0.4]), {}),
    "jacobian_single": ("jacobian", f_single, X, {}),
    "jacobian_pair": ("jacobian", f_pair, (X, Y), {}),
    "jacobian_tuple_of_one": ("jacobian", f_single, (X,), {}),
    "hessian_single": ("hessian", f_scalar, X, {}),
    "hessian_pair": ("hessian", f_scalar_pair, (X, Y), {}),
    "vhp_single": ("vhp", f_scalar, X, dict(v=VX)),
    "vhp_pair": ("vhp", f_scalar_pair, (X, Y), dict(v=(VX, VY))),
    "hvp_single": ("hvp", f_scalar, X, dict(v=VX)),
    "hvp_pair": ("hvp", f_scalar_pair, (X, Y), dict(v=(VX, VY))),
    "vhp_default_v": ("vhp", lambda x: (x**4).sum(), np.array([0.7]), {}),
    "independent_zero": ("vjp", f_independent, (X, Y), dict(v=np.array(1.0))),
    "jacobian_independent_zero": ("jacobian", f_independent, (X, Y), {}),
}


def _call(lib, case, **extra):
    name, fn, inputs, kwargs = CASES[case]
    kw = {k: _to(lib, v) for k, v in kwargs.items()}
    return getattr(lib.autograd.functional, name)(fn, _to(lib, inputs), **kw, **extra)


@pytest.mark.parametrize("case", sorted(CASES))
def test_functional_matches_torch(case):
    _same(_numpy(_call(ag, case)), _numpy(_call(torch, case)))


@pytest.mark.parametrize("case", ["vjp_pair", "jvp_pair", "jacobian_single", "hessian_single",
                                  "vhp_single", "hvp_pair"])  # fmt: skip
def test_create_graph_keeps_results_differentiable(case):
    def run(lib):
        name, fn, inputs, kwargs = CASES[case]
        xs = tuple(lib.tensor(a, requires_grad=True) for a in
                   (inputs if isinstance(inputs, tuple) else (inputs,)))  # fmt: skip
        kw = {k: _to(lib, v) for k, v in kwargs.items()}
        arg = xs if isinstance(inputs, tuple) else xs[0]
        out = getattr(lib.autograd.functional, name)(fn, arg, create_graph=True, **kw)
        leaves = []

        def collect(v):
            if isinstance(v, tuple):
                for t in v:
                    collect(t)
            else:
                leaves.append(v)

        collect(out)
        total = sum((t * t).sum() for t in leaves if t.requires_grad)
        total.backward()
        return [t.requires_grad for t in leaves], [x.grad.numpy().copy() for x in xs]

    (flags_a, grads_a), (flags_t, grads_t) = run(ag), run(torch)
    assert flags_a == flags_t
    for a, t in zip(grads_a, grads_t):
        np.testing.assert_allclose(a, t, rtol=1e-11, atol=1e-12)


def test_without_create_graph_results_are_detached():
    x = ag.tensor(X, requires_grad=True)
    out, grad = ag.autograd.functional.vjp(f_scalar, x)
    assert not out.requires_grad and not grad.requires_grad
    assert x.grad is None  # the caller's tensor is not accumulated into
    jac = ag.autograd.functional.jacobian(f_single, x)
    assert not jac.requires_grad


def outcome(lib, call):
    try:
        return ("ok", _numpy(call(lib)))
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return (type(e).__name__, str(e))


ERRORS = {
    "strict_vjp": lambda lib: lib.autograd.functional.vjp(
        f_independent, _to(lib, (X, Y)), _to(lib, np.array(1.0)), strict=True
    ),
    "strict_jacobian": lambda lib: lib.autograd.functional.jacobian(
        f_independent, _to(lib, (X, Y)), strict=True
    ),
    "strict_hessian": lambda lib: lib.autograd.functional.hessian(
        f_independent, _to(lib, (X, Y)), strict=True
    ),
    "vjp_v_missing": lambda lib: lib.autograd.functional.vjp(f_single, _to(lib, X)),
    "jvp_v_missing": lambda lib: lib.autograd.functional.jvp(f_single, _to(lib, X)),
    "vhp_v_missing": lambda lib: lib.autograd.functional.vhp(f_scalar, _to(lib, X)),
    "vjp_v_shape": lambda lib: lib.autograd.functional.vjp(f_single, _to(lib, X), _to(lib, VX)),
    "jvp_v_length": lambda lib: lib.autograd.functional.jvp(f_pair, _to(lib, (X, Y)), _to(lib, (VX,))),
    "hvp_v_shape": lambda lib: lib.autograd.functional.hvp(f_scalar, _to(lib, X), _to(lib, VY)),
    "vhp_not_scalar": lambda lib: lib.autograd.functional.vhp(f_single, _to(lib, X), _to(lib, VX)),
    "hessian_not_scalar": lambda lib: lib.autograd.functional.hessian(f_single, _to(lib, X)),
    "hessian_tuple_output": lambda lib: lib.autograd.functional.hessian(
        lambda x: ((x**2).sum(),), _to(lib, X)
    ),
    "strict_hessian_linear": lambda lib: lib.autograd.functional.hessian(
        lambda x, y: (x**2).sum() + y.sum(), _to(lib, (X, Y)), strict=True
    ),
    "strict_vhp_linear": lambda lib: lib.autograd.functional.vhp(
        lambda x: (3 * x).sum(), _to(lib, X), _to(lib, X), strict=True
    ),
    "strict_output_without_grad": lambda lib: lib.autograd.functional.vjp(
        lambda x: x.detach().sum(), _to(lib, X), strict=True
    ),
    "vhp_input_not_tensor": lambda lib: lib.autograd.functional.vhp(f_scalar, 3, _to(lib, X)),
    "vhp_v_not_tensor": lambda lib: lib.autograd.functional.vhp(f_scalar, _to(lib, X), 3),
    "vhp_v_element_not_tensor": lambda lib: lib.autograd.functional.vhp(
        f_scalar, _to(lib, X), (_to(lib, X), 3)
    ),
    "vhp_tuple_output": lambda lib: lib.autograd.functional.vhp(
        lambda x: ((x**2).sum(),), _to(lib, X), _to(lib, X)
    ),
    "vjp_v_single_length": lambda lib: lib.autograd.functional.vjp(
        f_single, _to(lib, X), (_to(lib, VX), _to(lib, VX))
    ),
    "jvp_entry_shape": lambda lib: lib.autograd.functional.jvp(
        f_pair, _to(lib, (X, Y)), _to(lib, (X, X))
    ),
    "input_not_tensor": lambda lib: lib.autograd.functional.vjp(f_scalar, [1.0, 2.0]),
    "single_input_not_tensor": lambda lib: lib.autograd.functional.jacobian(f_scalar, 3.0),
    "output_not_tensor": lambda lib: lib.autograd.functional.jacobian(lambda x: 3.0, _to(lib, X)),
    "bad_strategy": lambda lib: lib.autograd.functional.jacobian(
        f_single, _to(lib, X), strategy="sideways"
    ),
}  # fmt: skip


# Known divergence: PyTorch raises AssertionError for a bad strategy, this
# library ValueError (with PyTorch's text).
TEXT_DIFFERS = {"bad_strategy"}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason="message differs from torch's"))
        if c in TEXT_DIFFERS
        else c
        for c in sorted(ERRORS)
    ],
)
def test_errors_match_torch(case):
    theirs = outcome(torch, ERRORS[case])
    assert theirs[0] != "ok"
    assert outcome(ag, ERRORS[case]) == theirs


@pytest.mark.parametrize("case", sorted(set(ERRORS) - {"bad_strategy"}))
def test_error_types_match_torch(case):
    theirs, ours = outcome(torch, ERRORS[case]), outcome(ag, ERRORS[case])
    assert theirs[0] != "ok" and ours[0] == theirs[0]


def test_bad_strategy_text_is_torchs():
    # Only the type differs (see TEXT_DIFFERS).
    assert outcome(ag, ERRORS["bad_strategy"])[1] == outcome(torch, ERRORS["bad_strategy"])[1]
