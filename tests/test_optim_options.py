"""The execution options of PyTorch's optimizers (foreach, fused,
capturable, differentiable, maximize, and Adam's decoupled_weight_decay)
against PyTorch: accepted where PyTorch accepts them with the same
parameter groups and the same numbers, PyTorch's errors where it refuses
them, and differentiable steps giving PyTorch's gradients."""

import inspect
import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

NAMES = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop",
         "Rprop", "SGD"]  # fmt: skip
OPTIONS = ("foreach", "fused", "capturable", "differentiable", "maximize")


def _accepts(name, option):
    return option in inspect.signature(getattr(torch.optim, name)).parameters


def _trajectory(m, name, dtype, steps=6, **kwargs):
    rng = np.random.default_rng(0)
    p = m.nn.Parameter(m.tensor(rng.standard_normal((4, 3)), dtype=dtype))
    opt = getattr(m.optim, name)([p], lr=0.05, **kwargs)
    for _ in range(steps):
        p.grad = m.tensor(rng.standard_normal((4, 3)), dtype=dtype)
        opt.step()
    return p.detach().numpy(), opt


def _variants(name):
    out = [{}]
    for option in ("foreach", "fused"):
        if _accepts(name, option):
            out += [{option: True}, {option: False}]
    if _accepts(name, "fused"):
        out.append({"fused": True, "maximize": True})
        if _accepts(name, "capturable"):
            out.append({"fused": True, "capturable": True})  # a fused step never checks
    return out


def _cases():
    return [(n, kw) for n in NAMES for kw in _variants(n)]


@pytest.mark.parametrize("name,kwargs", _cases(), ids=lambda v: str(v))
def test_accepted_options_give_torchs_numbers(name, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, topt = _trajectory(torch, name, torch.float64, **kwargs)
        ours, oopt = _trajectory(ag, name, ag.float64, **kwargs)
    # PyTorch's foreach ASGD keeps its scalars in float32 where its
    # single-tensor form (which ours follows) keeps float64: compare with
    # that form, allowing the distance between PyTorch's own two forms.
    plain = _trajectory(torch, name, torch.float64, **{**kwargs, "foreach": False})[0]
    atol = max(1e-12, 2 * np.abs(plain - theirs).max()) if kwargs.get("foreach") else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=atol)
    # Same group options (and so state_dicts that load across libraries).
    tg = {k: v for k, v in topt.param_groups[0].items() if k != "params"}
    og = {k: v for k, v in oopt.param_groups[0].items() if k != "params"}
    assert og == tg


def test_adamw_fused_float32_matches_torchs_fused_kernel():
    kwargs = dict(weight_decay=0.1, amsgrad=True)
    theirs, _ = _trajectory(torch, "AdamW", torch.float32, steps=20, fused=True, **kwargs)
    ours, _ = _trajectory(ag, "AdamW", ag.float32, steps=20, fused=True, **kwargs)
    plain, _ = _trajectory(torch, "AdamW", torch.float32, steps=20, **kwargs)
    # PyTorch's fused and single-tensor forms differ by rounding; ours lies
    # within that distance of its fused form.
    np.testing.assert_allclose(
        ours, theirs, rtol=0, atol=max(4 * np.abs(plain - theirs).max(), 1e-6)
    )


def _error(m, name, kwargs, step):
    p = m.nn.Parameter(m.ones(3))
    p.grad = m.ones(3)
    opt = getattr(m.optim, name)([p], **kwargs)
    if step:
        opt.step()


ERROR_CASES = [
    (n, kw, step)
    for n in NAMES
    for kw, step in [
        ({"fused": True, "foreach": True}, False),
        ({"fused": True, "differentiable": True}, False),
        ({"capturable": True}, True),
        ({"differentiable": True}, True),  # in place on a leaf that requires grad
    ]
    if all(_accepts(n, k) for k in kw)
]


@pytest.mark.parametrize("name,kwargs,step", ERROR_CASES, ids=lambda v: str(v))
def test_refused_options_raise_torchs_errors(name, kwargs, step):
    with pytest.raises((RuntimeError, AssertionError)) as theirs:
        _error(torch, name, kwargs, step)
    with pytest.raises(theirs.type) as ours:
        _error(ag, name, kwargs, step)
    # The in-place-on-a-leaf error adds a hint after PyTorch's sentence.
    assert str(ours.value).startswith(str(theirs.value))


DIFF_CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True, "weight_decay": 0.1, "maximize": True}),
    ("AdamW", {"weight_decay": 0.1}),
    ("RMSprop", {"momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("Adagrad", {"lr_decay": 0.1}),
    ("Adadelta", {}),
    ("Adamax", {"weight_decay": 0.1}),
    ("NAdam", {}),
    ("RAdam", {}),
    ("ASGD", {}),
    ("Rprop", {}),
]


def _differentiable_run(m, name, kwargs, steps):
    rng = np.random.default_rng(1)
    w = m.tensor(rng.standard_normal(5), requires_grad=True)
    g = m.tensor(rng.standard_normal(5), requires_grad=True)
    p = w * 1.5  # a non-leaf: the update joins its graph
    opt = getattr(m.optim, name)([p], lr=0.1, differentiable=True, **kwargs)
    for k in range(steps):
        p.grad = g * (k + 1)
        opt.step()
    (p * m.arange(1.0, 6.0, dtype=p.dtype)).sum().backward()
    return p.detach().numpy(), w.grad.numpy(), g.grad.numpy()


@pytest.mark.parametrize("name,kwargs", DIFF_CASES, ids=lambda v: str(v))
def test_differentiable_steps_give_torchs_gradients(name, kwargs):
    ag.set_default_dtype(ag.float64)
    torch.set_default_dtype(torch.float64)
    try:
        # Several steps where PyTorch's graph allows them (some of its
        # optimizers overwrite state saved by the previous step), else one.
        try:
            theirs, steps = _differentiable_run(torch, name, kwargs, 3), 3
        except RuntimeError:
            theirs, steps = _differentiable_run(torch, name, kwargs, 1), 1
        ours = _differentiable_run(ag, name, kwargs, steps)
    finally:
        ag.set_default_dtype(ag.float32)
        torch.set_default_dtype(torch.float32)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_step_restores_grad_mode():
    p = ag.nn.Parameter(ag.ones(2))
    p.grad = ag.ones(2)
    q = p * 1
    q.retain_grad()
    q.grad = ag.ones(2)
    opt = ag.optim.Adam([q], differentiable=True)
    with ag.no_grad():
        opt.step()
        assert not ag.is_grad_enabled()
    ag.optim.SGD([p], lr=0.1).step()
    assert ag.is_grad_enabled()


def test_signatures_take_every_option_torch_has():
    for name in NAMES:
        theirs = inspect.signature(getattr(torch.optim, name)).parameters
        ours = inspect.signature(getattr(ag.optim, name)).parameters
        for option in OPTIONS:
            if option in theirs:
                assert option in ours, (name, option)
                assert ours[option].default == theirs[option].default
                assert ours[option].kind == theirs[option].kind
