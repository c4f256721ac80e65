"""Every default a user leans on, against PyTorch's: the signatures of every
public optimizer, scheduler, module, loss and Python-level function that
both libraries have (found by introspection, so a new class is covered the
day it is added), and the values those defaults produce once constructed."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

# Parameters PyTorch has that we do not accept yet. A user passing one gets a
# TypeError; each entry is a known gap, not an accepted difference. Anything
# missing that is not listed here fails the test.
KNOWN_MISSING: dict[str, set[str]] = {
    "autograd.gradcheck": {
        "check_undefined_grad", "check_grad_dtypes", "check_batched_grad",
        "check_batched_forward_grad", "check_forward_ad", "check_backward_ad", "fast_mode",
        "masked",
    },
    "autograd.gradgradcheck": {
        "gen_non_contig_grad_outputs", "nondet_tol", "check_undefined_grad",
        "check_grad_dtypes", "check_batched_grad", "check_fwd_over_rev", "check_rev_over_rev",
        "fast_mode", "masked",
    },
    # Attributes PyTorch's convolutions share with the transposed ones.
    "nn.Conv1d": {"transposed", "output_padding"},
    "nn.Conv2d": {"transposed", "output_padding"},
    "autograd.backward": {"grad_variables"},  # deprecated alias of grad_tensors
    "autograd.grad": {"only_inputs", "is_grads_batched"},
}  # fmt: skip

# Defaults that differ in spelling but not in what they do.
EQUIVALENT_DEFAULTS = {
    # Each library's own global generator.
    ("utils.data.random_split", "generator"): ("default_generator", "default_generator"),
}


def _namespaces():
    """(label, ours, theirs) for every namespace whose public names are
    checked."""
    return [
        ("nn", ag.nn, torch.nn),
        ("optim", ag.optim, torch.optim),
        ("optim.lr_scheduler", ag.optim.lr_scheduler, torch.optim.lr_scheduler),
        ("nn.functional", ag.nn.functional, torch.nn.functional),
        ("nn.init", ag.nn.init, torch.nn.init),
        ("autograd", ag.autograd, torch.autograd),
        ("autograd.functional", ag.autograd.functional, torch.autograd.functional),
        ("utils.data", ag.utils.data, torch.utils.data),
    ]


def _signature(obj):
    target = obj.__init__ if isinstance(obj, type) else obj
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):  # a C++ builtin without a text signature
        return None


def _ours_defined_here(obj):
    return getattr(obj, "__module__", "").startswith("autograd_cpp")


def _pairs():
    """Every public class or function of ours that PyTorch also has under
    the same name, where both have Python signatures."""
    pairs = []
    for label, ours_ns, theirs_ns in _namespaces():
        for name, obj in sorted(vars(ours_ns).items()):
            if name.startswith("_") or not callable(obj) or not _ours_defined_here(obj):
                continue
            theirs = getattr(theirs_ns, name, None)
            if theirs is None or _signature(obj) is None or _signature(theirs) is None:
                continue
            pairs.append((f"{label}.{name}", obj, theirs))
    return pairs


PAIRS = _pairs() if torch is not None else []


def test_the_introspection_finds_what_users_construct():
    found = {label for label, _, _ in PAIRS}
    for expected in (
        "optim.Adam", "optim.SGD", "optim.lr_scheduler.StepLR", "nn.Linear", "nn.Conv2d",
        "nn.BatchNorm1d", "nn.MSELoss", "nn.CrossEntropyLoss", "nn.functional.mse_loss",
        "nn.init.kaiming_uniform_", "autograd.gradcheck", "utils.data.DataLoader",
    ):  # fmt: skip
        assert expected in found


def _same_default(label, name, ours, theirs):
    if (label, name) in EQUIVALENT_DEFAULTS:
        want_ours, theirs_spelling = EQUIVALENT_DEFAULTS[label, name]
        if theirs_spelling == "default_generator":
            return ours is ag.default_generator and theirs is torch.default_generator
        return ours == want_ours and theirs == theirs_spelling
    if inspect.isfunction(theirs) or inspect.isbuiltin(theirs):
        # A default function (activation=F.relu): each library's own, by name.
        return callable(ours) and getattr(ours, "__name__", None) == theirs.__name__
    if isinstance(theirs, (bool, str)) or theirs is None or ours is None:
        return type(ours) is type(theirs) and ours == theirs
    if isinstance(theirs, float) and math.isnan(theirs):
        return isinstance(ours, float) and math.isnan(ours)
    return ours == theirs


@pytest.mark.parametrize("label,ours,theirs", PAIRS, ids=[p[0] for p in PAIRS])
def test_signature_matches_torch(label, ours, theirs):
    """Same parameter names, the same defaults, and every positional call
    that works in PyTorch binds the same way in ours."""
    po = _signature(ours).parameters
    pt = _signature(theirs).parameters
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    theirs_named = [
        k for k, p in pt.items() if k != "self" and not k.startswith("_") and p.kind not in variadic
    ]
    ours_takes_anything = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in po.values())
    missing = {k for k in theirs_named if k not in po} - KNOWN_MISSING.get(label, set())
    assert ours_takes_anything or not missing, f"{label} lacks PyTorch's parameters {missing}"

    wrong = {
        k: (po[k].default, pt[k].default)
        for k in theirs_named
        if k in po and not _same_default(label, k, po[k].default, pt[k].default)
    }
    assert not wrong, f"{label}: defaults (ours, PyTorch's) differ: {wrong}"

    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    pos_theirs = [k for k, p in pt.items() if k != "self" and p.kind in positional]
    pos_ours = [k for k, p in po.items() if k != "self" and p.kind in positional]
    # Up to the first positional parameter we lack, a positional call must
    # land on the same names; private parameters (_weight) end the comparison.
    pos_theirs = pos_theirs[: next((i for i, k in enumerate(pos_theirs) if k[0] == "_"), None)]
    usable = next(
        (i for i, k in enumerate(pos_theirs) if k not in pos_ours and k in theirs_named),
        len(pos_theirs),
    )
    if not any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in po.values()):
        assert pos_ours[:usable] == pos_theirs[:usable], (label, pos_ours, pos_theirs)
        if usable < len(pos_theirs):
            assert pos_theirs[usable] in KNOWN_MISSING.get(label, set()), (
                f"{label}: {pos_theirs[usable]!r} is positional in PyTorch but not in ours"
            )


# ---- the values the defaults produce -----------------------------------------------

# Values for required constructor arguments, by parameter name, so that a new
# class with the usual argument names is constructed without a table entry.
REQUIRED_ARGS = {
    "in_features": 6, "out_features": 5, "in_channels": 4, "out_channels": 6,
    "kernel_size": 3, "num_features": 5, "normalized_shape": 5, "num_embeddings": 7,
    "embedding_dim": 3, "step_size": 2, "T_max": 5, "gamma": 0.9, "milestones": [2, 4],
    "lr_lambda": lambda epoch: 0.9**epoch, "total_iters": 4, "T_0": 3, "max_lr": 0.1,
    "total_steps": 10, "base_lr": 0.001, "factor": 0.5, "start_factor": 0.25, "power": 1.0,
    "num_parameters": 1, "dim": 1, "p": 0.5, "scale_factor": 2, "size": 4,
    "output_size": 2, "upscale_factor": 2, "padding": 1, "lambd": 0.5, "min_val": -1.0,
    "max_val": 1.0, "threshold": 0.1, "value": 0.0, "hidden_size": 4, "input_size": 3,
    "num_layers": 1, "d_model": 8, "nhead": 2, "embed_dim": 8, "num_heads": 2,
    "num_groups": 1, "num_channels": 4, "blank": 0, "margin": 1.0, "in1_features": 3,
    "in2_features": 2, "unflattened_size": (2, 2), "norm_type": 2.0, "downscale_factor": 2,
    "groups": 2, "mode": "LSTM", "num_chunks": 4, "bias": True,
}  # fmt: skip


def _required_args(label, cls):
    args = {}
    signature = _signature(cls)
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in signature.parameters.values()):
        # PyTorch's RNN, LSTM and GRU take (*args, **kwargs); ours spell them out.
        signature = _signature(getattr(ag.nn, cls.__name__))
    for name, p in signature.parameters.items():
        if name in ("self", "params", "optimizer") or p.default is not inspect.Parameter.empty:
            continue
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if name not in REQUIRED_ARGS:
            pytest.fail(f"{label}: add a value for the required argument {name!r} to REQUIRED_ARGS")
        args[name] = REQUIRED_ARGS[name]
    return args


def _classes(kind):
    base = {
        "module": lambda lib: lib.nn.Module,
        "optimizer": lambda lib: lib.optim.Optimizer,
        "scheduler": lambda lib: lib.optim.lr_scheduler.LRScheduler,
    }[kind]
    abstract = {"Module", "Optimizer", "LRScheduler", "Sequential", "ModuleList", "ModuleDict"}
    # Wrappers built around another module (covered by their own tests).
    abstract |= {"DataParallel", "TransformerEncoder", "TransformerDecoder"}
    return [
        (label, ours, theirs)
        for label, ours, theirs in PAIRS
        if isinstance(ours, type)
        and issubclass(ours, base(ag))
        and issubclass(theirs, base(torch))
        and ours.__name__ not in abstract
    ]


MODULES = _classes("module") if torch is not None else []
OPTIMIZERS = _classes("optimizer") if torch is not None else []
SCHEDULERS = _classes("scheduler") if torch is not None else []


def _public_state(obj):
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def _comparable(v):
    return v is None or isinstance(v, (bool, int, float, str, tuple, list))


@pytest.mark.parametrize("label,ours,theirs", MODULES, ids=[m[0] for m in MODULES])
def test_module_attributes_from_defaults_match_torch(label, ours, theirs):
    """A module built from its required arguments alone holds the same
    settings as PyTorch's (reduction, eps, momentum, negative_slope...)."""
    args = _required_args(label, theirs)
    a, t = ours(**args), theirs(**args)
    state_t = _public_state(t)
    state_a = _public_state(a)
    checked = [k for k, v in state_t.items() if _comparable(v)]
    missing = [k for k in checked if k not in state_a and k not in KNOWN_MISSING.get(label, ())]
    assert not missing, f"{label} lacks PyTorch's attributes {missing}"
    wrong = {
        k: (state_a[k], state_t[k]) for k in checked if k in state_a and state_a[k] != state_t[k]
    }
    assert not wrong, f"{label}: attributes (ours, PyTorch's) differ: {wrong}"
    assert repr(a) == repr(t)


def _param_pair(lib, dtype=None):
    rng = np.random.default_rng(0)
    dt = dtype or lib.float64
    w = lib.nn.Parameter(lib.tensor(rng.standard_normal((4, 3)), dtype=dt))
    b = lib.nn.Parameter(lib.tensor(rng.standard_normal(3), dtype=dt))
    return w, b


def _train(lib, make, steps=7):
    """A few steps of a small regression from fixed data; returns the
    parameters after each step and the optimizer."""
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal((8, 4)), dtype=lib.float64)
    y = lib.tensor(rng.standard_normal((8, 3)), dtype=lib.float64)
    w, b = _param_pair(lib)
    opt, sched = make(lib, [w, b])
    trace = []

    # Through a closure, which every optimizer accepts and LBFGS needs.
    def closure():
        opt.zero_grad()
        loss = ((x @ w + b).tanh() - y).pow(2).mean()
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
        if sched is not None:
            sched.step()
        trace.append((w.detach().numpy().copy(), b.detach().numpy().copy()))
    return trace, opt


@pytest.mark.parametrize("label,ours,theirs", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizer_from_defaults_matches_torch(label, ours, theirs):
    """Constructed with the parameters alone: the same hyperparameters in
    `defaults` and `param_groups`, and the same updates step after step."""
    name = ours.__name__
    args = _required_args(label, theirs)
    ours_trace, opt_a = _train(ag, lambda lib, ps: (getattr(lib.optim, name)(ps, **args), None))
    theirs_trace, opt_t = _train(
        torch, lambda lib, ps: (getattr(lib.optim, name)(ps, **args), None)
    )
    shared = set(opt_a.defaults) & set(opt_t.defaults)
    assert {k: opt_a.defaults[k] for k in shared} == {k: opt_t.defaults[k] for k in shared}
    missing = set(opt_t.defaults) - set(opt_a.defaults) - KNOWN_MISSING.get(label, set())
    assert not missing, f"{label}: defaults lack {missing}"
    for group_a, group_t in zip(opt_a.param_groups, opt_t.param_groups):
        assert {k: group_a[k] for k in shared} == {k: group_t[k] for k in shared}
    # A default LBFGS step runs 20 quasi-Newton iterations on this problem,
    # which amplify last-bit differences of dot products (iteration and
    # evaluation counts are compared exactly in test_optim_more).
    rtol = 1e-8 if name == "LBFGS" else 1e-12
    for step, ((wa, ba), (wt, bt)) in enumerate(zip(ours_trace, theirs_trace)):
        np.testing.assert_allclose(wa, wt, rtol=rtol, atol=1e-14, err_msg=f"step {step}")
        np.testing.assert_allclose(ba, bt, rtol=rtol, atol=1e-14, err_msg=f"step {step}")


# Schedulers whose required arguments are other schedulers, or whose
# optional arguments must be given: their arguments, built per library.
SCHEDULER_ARGS = {
    "OneCycleLR": lambda lib, opt: {"max_lr": 0.1, "total_steps": 20},
    "SequentialLR": lambda lib, opt: {
        "schedulers": [
            lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
            lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
        ],
        "milestones": [3],
    },
    "ChainedScheduler": lambda lib, opt: {
        "schedulers": [
            lib.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
            lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
        ]
    },
}
# ReduceLROnPlateau steps on a metric: a constant one is a plateau.
SCHEDULER_STEP_ARGS = {"ReduceLROnPlateau": (1.0,)}


@pytest.mark.parametrize("label,ours,theirs", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_scheduler_from_defaults_matches_torch(label, ours, theirs):
    """Built from its required arguments alone, a scheduler walks the
    learning rate through the same values as PyTorch's."""
    name = ours.__name__
    if name not in SCHEDULER_ARGS:
        args = _required_args(label, theirs)

    def lrs(lib):
        w, b = _param_pair(lib)
        opt = lib.optim.SGD([w, b], lr=0.1)
        kwargs = SCHEDULER_ARGS[name](lib, opt) if name in SCHEDULER_ARGS else args
        sched = getattr(lib.optim.lr_scheduler, name)(optimizer=opt, **kwargs)
        seen = [sched.get_last_lr()]
        for _ in range(12):
            opt.step()
            sched.step(*SCHEDULER_STEP_ARGS.get(name, ()))
            seen.append(sched.get_last_lr())
        return seen, _public_state(sched)

    (lr_a, state_a), (lr_t, state_t) = lrs(ag), lrs(torch)
    np.testing.assert_allclose(np.array(lr_a), np.array(lr_t), rtol=1e-13, atol=0)
    checked = {k for k, v in state_t.items() if _comparable(v)}
    assert {k: state_a.get(k) for k in checked} == {k: state_t[k] for k in checked}
