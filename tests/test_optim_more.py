"""Adagrad, Adamax, NAdam, RAdam, Adadelta, ASGD, Rprop and LBFGS against
PyTorch: parameter trajectories over many steps from the same weights
(float64 to 1e-10, float32 to PyTorch's float32 tolerances), every option,
state dicts in PyTorch's layout and resuming from them."""

import io

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

TOLERANCE = {"float64": dict(rtol=1e-10, atol=1e-10), "float32": dict(rtol=1.3e-6, atol=1e-5)}


def problem(lib, dtype):
    """Two parameter tensors of a small tanh regression, and its loss."""
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal((4, 3)), rng.standard_normal((3,))
    x, y = rng.standard_normal((8, 4)), rng.standard_normal((8,))
    dt = getattr(lib, dtype)
    p1 = lib.nn.Parameter(lib.tensor(w1, dtype=dt))
    p2 = lib.nn.Parameter(lib.tensor(w2, dtype=dt))
    X, Y = lib.tensor(x, dtype=dt), lib.tensor(y, dtype=dt)

    def loss_fn():
        return ((X @ p1).tanh() @ p2 - Y).pow(2).mean()

    return p1, p2, loss_fn


def train(lib, name, kwargs, dtype, steps=25, groups=True):
    p1, p2, loss_fn = problem(lib, dtype)
    params = [{"params": [p1]}, {"params": [p2], "lr": 0.02}] if groups else [p1, p2]
    opt = getattr(lib.optim, name)(params, **kwargs)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        trajectory.append(np.concatenate([p1.detach().numpy().ravel(), p2.detach().numpy()]))
    return np.array(trajectory), opt


OPTIMIZERS = [
    ("Adagrad", {}),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, eps=1e-6, maximize=True, foreach=False)),
    ("Adamax", {}),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", {}),
    ("NAdam", dict(lr=0.05, betas=(0.85, 0.995), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", {}),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adadelta", {}),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("ASGD", {}),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
    ("Rprop", {}),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.1))),
    ("Rprop", dict(lr=0.02, maximize=True)),
]


@requires_torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "name,kwargs", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)]
)
def test_trajectories_match_torch(name, kwargs, dtype):
    ours, _ = train(ag, name, kwargs, dtype)
    theirs, _ = train(torch, name, kwargs, dtype)
    np.testing.assert_allclose(ours, theirs, **TOLERANCE[dtype])


def layout(sd):
    """A state dict with tensors replaced by (dtype name, shape)."""

    def plain(v):
        if hasattr(v, "shape") and hasattr(v, "dtype"):
            return (str(v.dtype).removeprefix("torch."), tuple(v.shape))
        return v

    state = {k: {n: plain(v) for n, v in s.items()} for k, s in sd["state"].items()}
    return state, [list(g.items()) for g in sd["param_groups"]]


@requires_torch
@pytest.mark.parametrize("name", sorted({n for n, _ in OPTIMIZERS}))
def test_state_dict_layout_matches_torch(name):
    _, ours = train(ag, name, {}, "float64", steps=2)
    _, theirs = train(torch, name, {}, "float64", steps=2)
    assert layout(ours.state_dict()) == layout(theirs.state_dict())


@requires_torch
@pytest.mark.parametrize("name", sorted({n for n, _ in OPTIMIZERS}))
def test_state_values_match_torch_and_load_from_torch(name):
    _, ours = train(ag, name, {}, "float64", steps=5)
    _, theirs = train(torch, name, {}, "float64", steps=5)
    a, b = ours.state_dict(), theirs.state_dict()
    for i in b["state"]:
        for key, v in b["state"][i].items():
            np.testing.assert_allclose(a["state"][i][key].numpy(), v.numpy(), rtol=1e-10)
    # A PyTorch state dict loads into ours (as a checkpoint written by
    # PyTorch would) and the runs then continue identically.
    p1, p2, loss_fn = problem(ag, "float64")
    fresh = getattr(ag.optim, name)([{"params": [p1]}, {"params": [p2], "lr": 0.02}])
    converted = {
        "state": {
            i: {k: ag.tensor(v.numpy()) for k, v in s.items()} for i, s in b["state"].items()
        },
        "param_groups": b["param_groups"],
    }
    fresh.load_state_dict(converted)
    for group, saved in zip(fresh.state_dict()["param_groups"], b["param_groups"]):
        assert group == saved


def resumed_run(lib, name, split):
    p1, p2, loss_fn = problem(lib, "float64")
    opt = getattr(lib.optim, name)([p1, p2], lr=0.05)
    out = []
    for step in range(8):
        if step == split:
            buf = io.BytesIO()
            lib.save(opt.state_dict(), buf)
            buf.seek(0)
            opt = getattr(lib.optim, name)([p1, p2], lr=0.05)
            opt.load_state_dict(lib.load(buf))
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        out.append(p2.tolist())
    return out


# Loading casts scalar state other than "step" to the parameters' dtype (as
# PyTorch does), so NAdam's mu_product and ASGD's eta and mu round
# differently after a resume, in PyTorch too.
_CAST_ON_LOAD = {"NAdam", "ASGD"}


@pytest.mark.parametrize("name", sorted({n for n, _ in OPTIMIZERS} - _CAST_ON_LOAD))
def test_resuming_from_a_saved_state_continues_identically(name):
    assert resumed_run(ag, name, split=-1) == resumed_run(ag, name, split=4)


@requires_torch
@pytest.mark.parametrize("name", sorted({n for n, _ in OPTIMIZERS}))
def test_resuming_matches_torch(name):
    np.testing.assert_allclose(
        resumed_run(ag, name, split=4), resumed_run(torch, name, split=4), rtol=1e-10, atol=1e-10
    )


def lbfgs_run(lib, dtype, kwargs, steps):
    p1, p2, loss_fn = problem(lib, dtype)
    opt = lib.optim.LBFGS([p1, p2], **kwargs)
    losses = []

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
    state = opt.state[p1]
    return (
        np.concatenate([p1.detach().numpy().ravel(), p2.detach().numpy()]),
        losses,
        (state["func_evals"], state["n_iter"], len(state["old_dirs"])),
    )


LBFGS_CASES = [
    {},
    dict(lr=0.5, max_iter=5),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", history_size=3, max_iter=10, max_eval=14),
    dict(lr=0.8, tolerance_grad=1e-5, tolerance_change=1e-7, history_size=5),
]


@requires_torch
@pytest.mark.parametrize("kwargs", LBFGS_CASES, ids=[str(i) for i in range(len(LBFGS_CASES))])
def test_lbfgs_matches_torch(kwargs):
    # Iterations, evaluations and stored pairs agree exactly over several
    # steps; the values to 1e-10 over one step of up to 20 iterations (over
    # many more, quasi-Newton iterations amplify last-bit differences of
    # sums and dot products, in PyTorch between builds too).
    ours, our_losses, our_counts = lbfgs_run(ag, "float64", kwargs, steps=3)
    theirs, their_losses, their_counts = lbfgs_run(torch, "float64", kwargs, steps=3)
    assert our_counts == their_counts
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-4)
    ours, our_losses, _ = lbfgs_run(ag, "float64", kwargs, steps=1)
    theirs, their_losses, _ = lbfgs_run(torch, "float64", kwargs, steps=1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-10, atol=1e-10)


@requires_torch
@pytest.mark.parametrize("kwargs", LBFGS_CASES, ids=[str(i) for i in range(len(LBFGS_CASES))])
def test_lbfgs_float32_matches_torch(kwargs):
    kwargs = dict(kwargs, max_iter=min(kwargs.get("max_iter", 20), 5))
    ours, our_losses, our_counts = lbfgs_run(ag, "float32", kwargs, steps=1)
    theirs, their_losses, their_counts = lbfgs_run(torch, "float32", kwargs, steps=1)
    assert our_counts == their_counts
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_lbfgs_minimises_the_rosenbrock_function():
    xy = ag.nn.Parameter(ag.tensor([-1.5, 2.0], dtype=ag.float64))
    opt = ag.optim.LBFGS([xy], line_search_fn="strong_wolfe", max_iter=100)

    def closure():
        opt.zero_grad()
        x, y = xy[0], xy[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    np.testing.assert_allclose(xy.tolist(), [1.0, 1.0], atol=1e-5)
    assert opt.state[xy]["func_evals"] == 55  # as PyTorch's, from this start


@requires_torch
def test_optimizer_errors_match_torch():
    def errors(lib):
        p = [lib.nn.Parameter(lib.ones(2))]
        out = []
        for make in [
            lambda: lib.optim.Adagrad(p, lr=-1),
            lambda: lib.optim.Adagrad(p, lr_decay=-1),
            lambda: lib.optim.Adagrad(p, initial_accumulator_value=-1),
            lambda: lib.optim.Adamax(p, betas=(1.0, 0.9)),
            lambda: lib.optim.NAdam(p, momentum_decay=-1),
            lambda: lib.optim.RAdam(p, eps=-1),
            lambda: lib.optim.Adadelta(p, rho=1.5),
            lambda: lib.optim.Rprop(p, etas=(1.5, 1.2)),
            lambda: lib.optim.LBFGS(
                [{"params": p[:1]}, {"params": [lib.nn.Parameter(lib.ones(1))]}]
            ),
        ]:
            try:
                make()
                out.append(None)
            except Exception as e:
                out.append((type(e).__name__, str(e)))
        return out

    assert errors(ag) == errors(torch)


def test_unsupported_modes_are_refused():
    # (differentiable=True is supported: tests/test_optim_options.py.)
    p = [ag.nn.Parameter(ag.ones(2))]
    opt = ag.optim.Adamax(p, capturable=True)
    p[0].grad = ag.ones(2)
    with pytest.raises(AssertionError, match="capturable=True"):
        opt.step()
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        ag.optim.LBFGS(p, line_search_fn="armijo").step(lambda: p[0].sum())


def test_module_paths_programs_import_from():
    from autograd_cpp.optim import lr_scheduler, optimizer
    from autograd_cpp.optim.lr_scheduler import LRScheduler, OneCycleLR  # noqa: F401
    from autograd_cpp.optim.optimizer import Optimizer

    assert optimizer.Optimizer is ag.optim.Optimizer is Optimizer
    assert lr_scheduler.LambdaLR is ag.optim.lr_scheduler.LambdaLR
