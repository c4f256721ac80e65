"""Learning-rate schedulers against PyTorch: the lr of every group (and
cycled momentum) at every step, parameter trajectories under a scheduled
optimizer, get_last_lr, state_dict round trips and errors."""

import io
import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch


def make_optimizer(lib, name="SGD", **kwargs):
    p1 = lib.nn.Parameter(lib.ones(2, dtype=lib.float64))
    p2 = lib.nn.Parameter(lib.ones(3, dtype=lib.float64))
    groups = [{"params": [p1]}, {"params": [p2], "lr": 0.05}]
    defaults = {"SGD": dict(lr=0.1, momentum=0.9), "Adam": dict(lr=0.1)}[name]
    return getattr(lib.optim, name)(groups, **dict(defaults, **kwargs)), (p1, p2)


class Halving:
    """A callable object (its attributes are saved in state dicts)."""

    def __init__(self):
        self.rate = 0.5

    def __call__(self, epoch):
        return self.rate ** (epoch // 3)


SCHEDULERS = {
    "LambdaLR": lambda m, o: m.optim.lr_scheduler.LambdaLR(o, lambda e: 0.9**e),
    "LambdaLR_per_group": lambda m, o: m.optim.lr_scheduler.LambdaLR(
        o, [lambda e: 1 / (e + 1), Halving()]
    ),
    "MultiplicativeLR": lambda m, o: m.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.95),
    "StepLR": lambda m, o: m.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda m, o: m.optim.lr_scheduler.MultiStepLR(o, [2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda m, o: m.optim.lr_scheduler.ExponentialLR(o, gamma=0.8),
    "LinearLR": lambda m, o: m.optim.lr_scheduler.LinearLR(o),
    "LinearLR_args": lambda m, o: m.optim.lr_scheduler.LinearLR(
        o, start_factor=0.5, end_factor=0.1, total_iters=7
    ),
    "ConstantLR": lambda m, o: m.optim.lr_scheduler.ConstantLR(o, factor=0.25, total_iters=4),
    "PolynomialLR": lambda m, o: m.optim.lr_scheduler.PolynomialLR(o, total_iters=8, power=2.0),
    "CosineAnnealingLR": lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=5, eta_min=0.001
    ),
    "CosineAnnealingWarmRestarts": lambda m, o: m.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01
    ),
    "CosineAnnealingWarmRestarts_1": lambda m, o: m.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=4
    ),
    "CyclicLR": lambda m, o: m.optim.lr_scheduler.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=3
    ),
    "CyclicLR_triangular2": lambda m, o: m.optim.lr_scheduler.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=2, step_size_down=3, mode="triangular2"
    ),
    "CyclicLR_exp_range": lambda m, o: m.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.1, step_size_up=4, mode="exp_range", gamma=0.9, cycle_momentum=False
    ),
    "CyclicLR_scale_fn": lambda m, o: m.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"
    ),
    "OneCycleLR": lambda m, o: m.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=20),
    "OneCycleLR_linear": lambda m, o: m.optim.lr_scheduler.OneCycleLR(
        o,
        max_lr=[0.5, 0.2],
        epochs=4,
        steps_per_epoch=5,
        pct_start=0.4,
        anneal_strategy="linear",
        div_factor=10.0,
        final_div_factor=100.0,
    ),  # fmt: skip
    "OneCycleLR_three_phase": lambda m, o: m.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.5, total_steps=20, three_phase=True, cycle_momentum=False
    ),
    "SequentialLR": lambda m, o: m.optim.lr_scheduler.SequentialLR(
        o,
        [
            m.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=3),
            m.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
            m.optim.lr_scheduler.StepLR(o, step_size=2),
        ],
        milestones=[3, 8],
    ),
    "ChainedScheduler": lambda m, o: m.optim.lr_scheduler.ChainedScheduler(
        [
            m.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=4),
            m.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
        ]
    ),
}


def lr_history(lib, make, optimizer="SGD", steps=20):
    """(lrs, momentum or beta1 of each group, get_last_lr) after each step,
    and the parameters at the end."""
    opt, params = make_optimizer(lib, optimizer)
    sched = make(lib, opt)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        (params[0].pow(2).sum() + params[1].pow(3).sum()).backward()
        opt.step()
        sched.step()
        momentum = [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]
        history.append(([g["lr"] for g in opt.param_groups], momentum, list(sched.get_last_lr())))
    return history, [p.detach().numpy().copy() for p in params]


def assert_histories_close(ours, theirs):
    assert len(ours) == len(theirs)
    for (a_lr, a_m, a_last), (b_lr, b_m, b_last) in zip(ours, theirs):
        np.testing.assert_allclose(a_lr, b_lr, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(a_last, b_last, rtol=1e-12, atol=1e-15)
        assert (a_m is None) == (b_m is None)
        np.testing.assert_allclose(np.array(a_m, float), np.array(b_m, float), rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_schedules_and_trajectories_match_torch(name, optimizer):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, our_params = lr_history(ag, SCHEDULERS[name], optimizer)
        theirs, their_params = lr_history(torch, SCHEDULERS[name], optimizer)
    assert_histories_close(ours, theirs)
    for a, b in zip(our_params, their_params):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def plateau_history(lib, **kwargs):
    opt, _ = make_optimizer(lib)
    sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    metrics = [5, 4, 4.5, 4.2, 4.1, 4.0, 4.05, 3.0, 3.5, 3.4, 3.3, 3.2, 3.1, 3.0, 3.9, 4.0]
    out = []
    for m in metrics:
        sched.step(lib.tensor(m) if kwargs.get("tensor_metric") else m)
        out.append(([g["lr"] for g in opt.param_groups], sched.get_last_lr(), sched.num_bad_epochs))
    return out


PLATEAU = [
    dict(patience=1),
    dict(mode="max", factor=0.5, patience=0, threshold=0.01, threshold_mode="abs"),
    dict(patience=2, cooldown=2, min_lr=[0.01, 0.02], eps=1e-3),
    dict(mode="min", factor=0.2, patience=1, threshold=0.1, min_lr=0.004),
]


@requires_torch
@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(i) for i in range(len(PLATEAU))])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    assert plateau_history(ag, **kwargs) == plateau_history(torch, **kwargs)


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_state_dict_round_trip_continues_identically(name):
    def run(split):
        opt, params = make_optimizer(ag)
        sched = SCHEDULERS[name](ag, opt)
        lrs = []
        for step in range(16):
            if step == split:
                buf = io.BytesIO()
                ag.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, buf)
                buf.seek(0)
                ck = ag.load(buf)
                opt, params = make_optimizer(ag)
                sched = SCHEDULERS[name](ag, opt)
                opt.load_state_dict(ck["opt"])
                sched.load_state_dict(ck["sched"])
            opt.step()
            sched.step()
            lrs.append([g["lr"] for g in opt.param_groups])
        return lrs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run(split=-1) == run(split=7)


@requires_torch
@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_state_dict_keys_match_torch(name):
    def keys(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            opt, _ = make_optimizer(lib)
            sched = SCHEDULERS[name](lib, opt)
            opt.step()
            sched.step()
        state = sched.state_dict()
        nested = state.get("_schedulers")
        inner = [sorted(s) for s in nested] if nested else None
        return sorted(k for k in state if k != "_scale_fn_ref"), inner

    assert keys(ag) == keys(torch)


def test_callable_object_lambdas_are_saved_by_attributes():
    opt, _ = make_optimizer(ag)
    fn = Halving()
    sched = ag.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, fn])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [None, {"rate": 0.5}]
    fn.rate = 0.1
    sched.load_state_dict(state)
    assert fn.rate == 0.5


@requires_torch
def test_warnings_match_torch():
    for lib in (ag, torch):
        opt, _ = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()
        opt, _ = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            sched.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            sched.step(4)
        np.testing.assert_allclose(sched.get_last_lr(), [0.1 * 0.5**4, 0.05 * 0.5**4])


@requires_torch
def test_constructor_errors_match_torch():
    def errors(lib):
        opt, _ = make_optimizer(lib)
        sch = lib.optim.lr_scheduler
        out = []
        for make in [
            lambda: sch.StepLR("not an optimizer", 2),
            lambda: sch.LambdaLR(opt, [lambda e: 1.0]),
            lambda: sch.MultiplicativeLR(opt, 3),
            lambda: sch.ConstantLR(opt, factor=2),
            lambda: sch.LinearLR(opt, start_factor=0),
            lambda: sch.LinearLR(opt, end_factor=1.5),
            lambda: sch.CosineAnnealingWarmRestarts(opt, T_0=0),
            lambda: sch.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0),
            lambda: sch.CyclicLR(opt, 0.1, 1.0, mode="zigzag"),
            lambda: sch.CyclicLR(lib.optim.Adagrad([lib.nn.Parameter(lib.ones(1))]), 0.1, 1.0),
            lambda: sch.OneCycleLR(opt, 0.1),
            lambda: sch.OneCycleLR(opt, 0.1, total_steps=0),
            lambda: sch.OneCycleLR(opt, 0.1, total_steps=10, pct_start=1.5),
            lambda: sch.OneCycleLR(opt, 0.1, total_steps=10, anneal_strategy="cubic"),
            lambda: sch.OneCycleLR(opt, [0.1], total_steps=10),
            lambda: sch.ReduceLROnPlateau(opt, factor=1.0),
            lambda: sch.ReduceLROnPlateau(opt, mode="avg"),
            lambda: sch.ReduceLROnPlateau(opt, threshold_mode="pct"),
            lambda: sch.ReduceLROnPlateau(opt, min_lr=[0.1]),
            lambda: sch.SequentialLR(opt, [], []),
            lambda: sch.SequentialLR(opt, [sch.StepLR(opt, 2)], [1]),
            lambda: sch.ChainedScheduler([]),
            lambda: sch.StepLR(make_optimizer(lib)[0], 2, last_epoch=3),
        ]:
            try:
                make()
                out.append(None)
            except Exception as e:
                out.append((type(e).__name__, str(e).split("\n")[0][:60]))
        return out

    assert errors(ag) == errors(torch)


@requires_torch
def test_one_cycle_refuses_to_step_past_total_steps():
    for lib in (ag, torch):
        opt, _ = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        for _ in range(3):
            opt.step()
            sched.step()
        opt.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            sched.step()


@requires_torch
def test_closed_form_on_explicit_epochs_matches_torch():
    def run(lib):
        out = []
        for make in (
            lambda o: lib.optim.lr_scheduler.StepLR(o, 3, 0.5),
            lambda o: lib.optim.lr_scheduler.MultiStepLR(o, [2, 4]),
            lambda o: lib.optim.lr_scheduler.LinearLR(o, total_iters=4),
            lambda o: lib.optim.lr_scheduler.CosineAnnealingLR(o, 6),
            lambda o: lib.optim.lr_scheduler.PolynomialLR(o, 5, 2.0),
            lambda o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, 3, 2),
        ):
            opt, _ = make_optimizer(lib)
            sched = make(opt)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for epoch in (5, 2, 7, 3.5 if "Warm" in type(sched).__name__ else 3):
                    opt.step()
                    sched.step(epoch)
                    out.append(sched.get_last_lr())
        return out

    np.testing.assert_allclose(run(ag), run(torch), rtol=1e-12)


# Schedulers that resume from a last_epoch given at construction (built with
# the arguments of their SCHEDULERS row).
RESUMABLE = {
    "LambdaLR": lambda s, o, kw: s.LambdaLR(o, lambda e: 0.9**e, **kw),
    "MultiplicativeLR": lambda s, o, kw: s.MultiplicativeLR(o, lambda e: 0.95, **kw),
    "StepLR": lambda s, o, kw: s.StepLR(o, step_size=3, gamma=0.5, **kw),
    "MultiStepLR": lambda s, o, kw: s.MultiStepLR(o, [2, 5, 5, 9], gamma=0.3, **kw),
    "ExponentialLR": lambda s, o, kw: s.ExponentialLR(o, gamma=0.8, **kw),
    "LinearLR": lambda s, o, kw: s.LinearLR(o, 0.5, 0.1, total_iters=7, **kw),
    "ConstantLR": lambda s, o, kw: s.ConstantLR(o, factor=0.25, total_iters=6, **kw),
    "PolynomialLR": lambda s, o, kw: s.PolynomialLR(o, total_iters=8, power=2.0, **kw),
    "CosineAnnealingLR": lambda s, o, kw: s.CosineAnnealingLR(o, T_max=5, eta_min=0.001, **kw),
    "CosineAnnealingWarmRestarts": lambda s, o, kw: s.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01, **kw
    ),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(RESUMABLE))
def test_resuming_from_last_epoch_matches_torch(name):
    """A scheduler built with last_epoch > 0 (resuming a run) starts from each
    group's initial_lr; some take a closed form on that first step only."""

    def run(lib):
        opt, _ = make_optimizer(lib)
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"]
        sched = RESUMABLE[name](lib.optim.lr_scheduler, opt, {"last_epoch": 4})
        out = [list(sched.get_last_lr())]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(6):
                opt.step()
                sched.step()
                out.append(list(sched.get_last_lr()))
        return out

    np.testing.assert_allclose(run(ag), run(torch), rtol=1e-12, atol=1e-15)


@requires_torch
def test_plateau_after_adding_a_param_group_matches_torch():
    """A group added after the scheduler was built gets the default min_lr."""

    def run(lib):
        opt, _ = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, min_lr=0.02)
        opt.add_param_group({"params": [lib.nn.Parameter(lib.ones(1))], "lr": 0.08})
        out = []
        for metric in (3.0, 3.0, 3.0, 3.0, 3.0):
            sched.step(metric)
            out.append([g["lr"] for g in opt.param_groups])
        return out

    np.testing.assert_allclose(run(ag), run(torch), rtol=1e-12)
