"""Optimizers' edges as users meet them, against PyTorch: every argument
check (type and text, and the boundary values that are still valid), the
parameter-group rules, zero_grad's two modes, and state that follows the
parameters through load_state_dict."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

# (optimizer, keyword arguments) that PyTorch rejects.
BAD_ARGS = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(lr=0.1, momentum=-0.5)),
    ("SGD", dict(lr=0.1, weight_decay=-1e-3)), ("SGD", dict(lr=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-1e-3)), ("Adam", dict(eps=-1e-8)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(-0.1, 0.999))), ("Adam", dict(betas=(0.9, 1.0))),
    ("Adam", dict(betas=(0.9, -0.5))), ("Adam", dict(weight_decay=-0.1)),
    ("AdamW", dict(lr=-1e-3)), ("AdamW", dict(eps=-1.0)), ("AdamW", dict(betas=(1.5, 0.9))),
    ("AdamW", dict(betas=(0.9, 1.0))), ("AdamW", dict(weight_decay=-0.01)),
    ("RMSprop", dict(lr=-0.01)), ("RMSprop", dict(eps=-1.0)), ("RMSprop", dict(momentum=-0.1)),
    ("RMSprop", dict(weight_decay=-1.0)), ("RMSprop", dict(alpha=-0.5)),
    ("Adagrad", dict(lr=-0.01)), ("Adagrad", dict(lr_decay=-0.1)),
    ("Adagrad", dict(weight_decay=-0.1)), ("Adagrad", dict(initial_accumulator_value=-1.0)),
    ("Adagrad", dict(eps=-1.0)),
    ("Adadelta", dict(lr=-1.0)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(rho=-0.1)),
    ("Adadelta", dict(eps=-1.0)), ("Adadelta", dict(weight_decay=-1.0)),
    ("Adamax", dict(lr=-1.0)), ("Adamax", dict(eps=-1.0)), ("Adamax", dict(betas=(1.0, 0.9))),
    ("Adamax", dict(betas=(0.9, 1.0))), ("Adamax", dict(weight_decay=-1.0)),
    ("NAdam", dict(lr=-1.0)), ("NAdam", dict(eps=-1.0)), ("NAdam", dict(betas=(1.0, 0.9))),
    ("NAdam", dict(betas=(0.9, 1.0))), ("NAdam", dict(weight_decay=-1.0)),
    ("NAdam", dict(momentum_decay=-1.0)),
    ("RAdam", dict(lr=-1.0)), ("RAdam", dict(eps=-1.0)), ("RAdam", dict(betas=(1.0, 0.9))),
    ("RAdam", dict(betas=(0.9, 1.0))), ("RAdam", dict(weight_decay=-1.0)),
    ("ASGD", dict(lr=-1.0)), ("ASGD", dict(weight_decay=-1.0)),
    ("Rprop", dict(lr=-1.0)), ("Rprop", dict(etas=(1.5, 1.2))), ("Rprop", dict(etas=(0.5, 0.9))),
]  # fmt: skip

# Boundary values PyTorch still accepts.
EDGE_ARGS = [
    ("SGD", dict(lr=0.0)), ("SGD", dict(lr=0.1, momentum=0.0, weight_decay=0.0)),
    ("SGD", dict(lr=0.1, momentum=0.5, nesterov=True)),
    ("Adam", dict(lr=0.0, eps=0.0, betas=(0.0, 0.0), weight_decay=0.0)),
    ("AdamW", dict(lr=0.0, eps=0.0, betas=(0.0, 0.0), weight_decay=0.0)),
    ("RMSprop", dict(lr=0.0, eps=0.0, momentum=0.0, weight_decay=0.0, alpha=0.0)),
    ("Adagrad", dict(lr=0.0, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0)),
    ("Adadelta", dict(lr=0.0, rho=0.0, eps=0.0, weight_decay=0.0)),
    ("Adadelta", dict(rho=1.0)),
    ("Adamax", dict(lr=0.0, eps=0.0, betas=(0.0, 0.0), weight_decay=0.0)),
    ("NAdam", dict(lr=0.0, eps=0.0, betas=(0.0, 0.0), weight_decay=0.0, momentum_decay=0.0)),
    ("RAdam", dict(lr=0.0, eps=0.0, betas=(0.0, 0.0), weight_decay=0.0)),
    ("Rprop", dict(lr=0.0)),
]  # fmt: skip


def _param(lib):
    return lib.nn.Parameter(lib.ones(3))


@pytest.mark.parametrize("name,kwargs", BAD_ARGS, ids=[f"{n}-{k}" for n, k in BAD_ARGS])
def test_bad_arguments_raise_as_in_torch(name, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(torch.optim, name)([_param(torch)], **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(ag.optim, name)([_param(ag)], **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name,kwargs", EDGE_ARGS, ids=[f"{n}-{k}" for n, k in EDGE_ARGS])
def test_boundary_arguments_are_accepted_as_in_torch(name, kwargs):
    getattr(torch.optim, name)([_param(torch)], **kwargs)
    opt = getattr(ag.optim, name)([_param(ag)], **kwargs)
    for k, v in kwargs.items():
        assert opt.param_groups[0][k] == v


def _construct(lib, make):
    try:
        make(lib)
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize(
    "case",
    [
        "tensor_not_list", "empty", "group_not_dict", "non_tensor", "non_leaf", "duplicate",
        "duplicate_across_groups",
    ],
)  # fmt: skip
def test_parameter_list_errors_match_torch(case):
    def make(lib):
        p, q = _param(lib), _param(lib)
        if case == "tensor_not_list":
            lib.optim.SGD(p, lr=0.1)
        elif case == "empty":
            lib.optim.Adam([])
        elif case == "group_not_dict":
            lib.optim.SGD([p], lr=0.1).add_param_group([q])
        elif case == "non_tensor":
            lib.optim.SGD([p, 3.0], lr=0.1)
        elif case == "non_leaf":
            lib.optim.SGD([p * 2], lr=0.1)
        elif case == "duplicate":
            lib.optim.SGD([{"params": [p]}, {"params": [q, p]}], lr=0.1)
        elif case == "duplicate_across_groups":
            opt = lib.optim.SGD([p], lr=0.1)
            opt.add_param_group({"params": p})

    theirs, ours = _construct(torch, make), _construct(ag, make)
    assert theirs is not None
    assert ours == theirs


def test_groups_take_their_own_options_and_the_defaults_for_the_rest():
    def groups(lib):
        a, b, c = _param(lib), _param(lib), _param(lib)
        opt = lib.optim.Adam([{"params": [a], "lr": 0.5}, {"params": b, "eps": 1e-3}], lr=0.01)
        opt.add_param_group({"params": [c], "betas": (0.5, 0.6), "custom": "kept"})
        return [
            {k: v for k, v in g.items() if k not in ("params", "foreach", "fused", "capturable",
                                                     "differentiable", "decoupled_weight_decay")}
            for g in opt.param_groups
        ]  # fmt: skip

    assert groups(ag) == groups(torch)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_clears_every_group(set_to_none):
    def run(lib):
        a, b = _param(lib), _param(lib)
        frozen = _param(lib)  # never receives a gradient
        opt = lib.optim.SGD([{"params": [a]}, {"params": [b, frozen]}], lr=0.1)
        (a * b).sum().backward()
        opt.zero_grad(set_to_none=set_to_none)
        return [None if p.grad is None else p.grad.tolist() for p in (a, b, frozen)]

    assert run(ag) == run(torch)
    if not set_to_none:
        assert run(ag)[:2] == [[0.0] * 3] * 2


def test_zero_grad_by_default_sets_none_and_detaches_kept_gradients():
    a = ag.nn.Parameter(ag.ones(2))
    opt = ag.optim.SGD([a], lr=0.1)
    (a * a).sum().backward(create_graph=True)
    assert a.grad.requires_grad
    opt.zero_grad(set_to_none=False)
    assert not a.grad.requires_grad and a.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None


def test_parameters_without_gradients_are_left_alone():
    def run(lib):
        lib.manual_seed(0)
        a, b = lib.nn.Parameter(lib.ones(3)), lib.nn.Parameter(lib.full((3,), 2.0))
        opt = lib.optim.Adam([a, b], lr=0.1, weight_decay=0.1)
        for _ in range(3):
            opt.zero_grad()
            (a * a).sum().backward()
            opt.step()
        return a.detach().numpy().copy(), b.detach().numpy().copy(), len(opt.state_dict()["state"])

    (a1, b1, n1), (a2, b2, n2) = run(ag), run(torch)
    np.testing.assert_allclose(a1, a2, rtol=1.3e-6, atol=1e-5)
    np.testing.assert_array_equal(b1, b2)
    assert n1 == n2 == 1


def test_state_dict_numbers_parameters_across_groups_and_loads_back():
    def build(lib):
        lib.manual_seed(0)
        a, b, c = (lib.nn.Parameter(lib.full((2,), float(i + 1))) for i in range(3))
        opt = lib.optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
        return opt, (a, b, c)

    def train(opt, params, steps):
        for _ in range(steps):
            opt.zero_grad()
            sum((p * p * (i + 1)).sum() for i, p in enumerate(params)).backward()
            opt.step()

    ours, ours_params = build(ag)
    theirs, theirs_params = build(torch)
    train(ours, ours_params, 2)
    train(theirs, theirs_params, 2)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in tsd["param_groups"]]
    assert sorted(sd["state"]) == sorted(tsd["state"]) == [0, 1, 2]
    for i in range(3):
        for k in ("exp_avg", "exp_avg_sq"):
            np.testing.assert_allclose(sd["state"][i][k].numpy(), tsd["state"][i][k].numpy(),
                                       rtol=1e-5, atol=1e-7)  # fmt: skip
    # A fresh optimizer with another lr loads the state and the saved options.
    fresh_params = tuple(ag.nn.Parameter(p.detach().clone()) for p in ours_params)
    fresh = ag.optim.Adam(
        [{"params": list(fresh_params[:2])}, {"params": [fresh_params[2]], "lr": 9.0}], lr=7.0
    )
    fresh.load_state_dict(sd)
    assert [g["lr"] for g in fresh.param_groups] == [0.1, 0.5]
    assert fresh.state[fresh_params[2]]["exp_avg"] is not sd["state"][2]["exp_avg"]
    train(fresh, fresh_params, 1)
    train(theirs, theirs_params, 1)
    for p, q in zip(fresh_params, theirs_params):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-6)
