"""Every loss module with options away from their defaults, against PyTorch:
values and input gradients (float64) for each reduction, the deprecated
size_average/reduce flags (the reduction they pick and the warning), repr
and state_dict (a weight is a buffer)."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

RNG = np.random.default_rng(7)
N, C = 4, 5


def _real(*shape):
    return RNG.standard_normal(shape)


def _prob(*shape):
    return RNG.uniform(0.05, 0.95, shape)


def _classes(n, c, ignore=None):
    t = RNG.integers(0, c, n)
    if ignore is not None:
        t[0] = ignore
    return t


def _sign(*shape):
    return np.where(RNG.standard_normal(shape) > 0, 1.0, -1.0)


def _multilabel():
    t = np.full((N, C), -1, dtype=np.int64)
    for i in range(N):
        k = RNG.integers(1, C)
        t[i, :k] = RNG.permutation(C)[:k]
    return t


# name -> (constructor kwargs, inputs: list of (array, differentiable)); the
# weights are made per library from the arrays in WEIGHTS.
WEIGHT = RNG.uniform(0.5, 2.0, C)
CASES = {
    "MSELoss": ({}, lambda: [(_real(N, C), True), (_real(N, C), False)]),
    "L1Loss": ({}, lambda: [(_real(N, C), True), (_real(N, C), False)]),
    "SmoothL1Loss": (dict(beta=0.4), lambda: [(_real(N, C), True), (_real(N, C), False)]),
    "HuberLoss": (dict(delta=0.3), lambda: [(_real(N, C), True), (_real(N, C), False)]),
    "CrossEntropyLoss": (
        dict(weight="w", ignore_index=2, label_smoothing=0.15),
        lambda: [(_real(N, C), True), (_classes(N, C, ignore=2), False)],
    ),
    "NLLLoss": (
        dict(weight="w", ignore_index=1),
        lambda: [(np.log(_prob(N, C)), True), (_classes(N, C, ignore=1), False)],
    ),
    "BCELoss": (dict(weight="w"), lambda: [(_prob(N, C), True), (_prob(N, C), False)]),
    "BCEWithLogitsLoss": (
        dict(weight="w", pos_weight="w"),
        lambda: [(_real(N, C), True), (_prob(N, C), False)],
    ),
    "KLDivLoss": (dict(log_target=True), lambda: [(_real(N, C), True), (_real(N, C), False)]),
    "MarginRankingLoss": (
        dict(margin=0.3),
        lambda: [(_real(N), True), (_real(N), True), (_sign(N), False)],
    ),
    "CosineEmbeddingLoss": (
        dict(margin=0.2),
        lambda: [(_real(N, C), True), (_real(N, C), True), (_sign(N), False)],
    ),
    "HingeEmbeddingLoss": (dict(margin=0.6), lambda: [(_real(N, C), True), (_sign(N, C), False)]),
    "SoftMarginLoss": ({}, lambda: [(_real(N, C), True), (_sign(N, C), False)]),
    "MultiLabelSoftMarginLoss": (
        dict(weight="w"),
        lambda: [(_real(N, C), True), (RNG.integers(0, 2, (N, C)).astype(float), False)],
    ),
    "MultiMarginLoss": (
        dict(p=2, margin=0.7, weight="w"),
        lambda: [(_real(N, C), True), (_classes(N, C), False)],
    ),
    "MultiLabelMarginLoss": ({}, lambda: [(_real(N, C), True), (_multilabel(), False)]),
    "PoissonNLLLoss": (
        dict(log_input=False, full=True, eps=1e-3),
        lambda: [(_prob(N, C) * 3, True), (RNG.integers(0, 6, (N, C)).astype(float), False)],
    ),
    "GaussianNLLLoss": (
        dict(full=True, eps=1e-2),
        lambda: [(_real(N, C), True), (_real(N, C), False), (_prob(N, C), True)],
    ),
    "TripletMarginLoss": (
        dict(margin=0.5, p=1.0, eps=1e-4, swap=True),
        lambda: [(_real(N, C), True), (_real(N, C), True), (_real(N, C), True)],
    ),
    "TripletMarginWithDistanceLoss": (
        dict(margin=0.4, swap=True),
        lambda: [(_real(N, C), True), (_real(N, C), True), (_real(N, C), True)],
    ),
}


def _build(lib, name, kwargs, reduction):
    kw = {k: (lib.tensor(WEIGHT) if v == "w" else v) for k, v in kwargs.items()}
    return getattr(lib.nn, name)(reduction=reduction, **kw)


def _run(lib, module, arrays):
    tensors = [
        lib.tensor(a, requires_grad=bool(d and a.dtype.kind == "f")) for a, d in arrays
    ]  # fmt: skip
    out = module(*tensors)
    out.sum().backward()
    grads = [t.grad.numpy().copy() if t.grad is not None else None for t in tensors]
    return out.detach().numpy().copy(), grads


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_module_with_options_matches_torch(name, reduction):
    kwargs, make = CASES[name]
    if name == "KLDivLoss" and reduction == "mean":
        reduction = "batchmean"
    arrays = make()
    ours = _run(ag, _build(ag, name, kwargs, reduction), arrays)
    theirs = _run(torch, _build(torch, name, kwargs, reduction), arrays)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10, atol=1e-12)
    for g, h in zip(ours[1], theirs[1]):
        assert (g is None) == (h is None)
        if g is not None:
            np.testing.assert_allclose(g, h, rtol=1e-10, atol=1e-12)


def test_every_loss_module_is_in_the_table():
    listed = set(CASES) | {"CTCLoss", "NLLLoss2d"}  # tested below, and deprecated
    assert {n for n in ag.nn.modules.loss.__all__} <= listed


def test_ctc_loss_module_with_options_matches_torch():
    T, B, K, S = 8, 2, 5, 3
    logits = RNG.standard_normal((T, B, K))
    targets = RNG.integers(2, K, (B, S))
    lengths_in, lengths_target = [T, T - 2], [S, 2]

    def run(lib):
        x = lib.tensor(logits, requires_grad=True)
        loss = lib.nn.CTCLoss(blank=1, zero_infinity=True, reduction="sum")(
            x.log_softmax(2), lib.tensor(targets), lengths_in, lengths_target
        )
        loss.backward()
        return float(loss), x.grad.numpy()

    (a, ga), (b, gb) = run(ag), run(torch)
    assert a == pytest.approx(b, rel=1e-10)
    np.testing.assert_allclose(ga, gb, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "flags", [dict(size_average=False), dict(reduce=False), dict(size_average=True, reduce=True),
              dict(size_average=False, reduce=True), dict(size_average=True, reduce=False)],
)  # fmt: skip
@pytest.mark.parametrize("name", ["MSELoss", "NLLLoss", "BCELoss", "MultiMarginLoss"])
def test_legacy_flags_pick_torchs_reduction_and_warn(name, flags):
    with pytest.warns(UserWarning) as theirs:
        t = getattr(torch.nn, name)(**flags)
    with pytest.warns(UserWarning) as ours:
        a = getattr(ag.nn, name)(**flags)
    assert a.reduction == t.reduction
    assert str(ours[0].message) == str(theirs[0].message)


def test_no_flags_no_warning_and_reduction_checked():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ag.nn.MSELoss().reduction == "mean"
        assert ag.nn.L1Loss(reduction="sum").reduction == "sum"
    x = ag.zeros(3)
    with pytest.raises(ValueError) as ours:
        ag.nn.MSELoss(reduction="average")(x, x)
    with pytest.raises(ValueError) as theirs:
        torch.nn.MSELoss(reduction="average")(torch.zeros(3), torch.zeros(3))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", sorted(CASES) + ["CTCLoss"])
def test_loss_module_repr_and_state_dict_match_torch(name):
    kwargs = CASES[name][0] if name in CASES else dict(blank=2)
    a, t = _build(ag, name, kwargs, "sum"), _build(torch, name, kwargs, "sum")
    assert repr(a) == repr(t)
    assert list(a.state_dict()) == list(t.state_dict())
    for k, v in t.state_dict().items():
        np.testing.assert_array_equal(a.state_dict()[k].numpy(), v.numpy())
    for attr in ("reduction", "margin", "p", "eps", "swap", "beta", "delta", "full",
                 "log_input", "log_target", "ignore_index", "label_smoothing", "blank",
                 "zero_infinity"):  # fmt: skip
        if hasattr(t, attr):
            assert getattr(a, attr) == getattr(t, attr), attr


@requires_torch
@pytest.mark.parametrize("margin", [0.0, -1.0])
def test_triplet_margin_with_distance_loss_rejects_a_margin_at_most_zero(margin):
    def error(lib):
        with pytest.raises(ValueError) as info:
            lib.nn.TripletMarginWithDistanceLoss(margin=margin)
        return str(info.value)

    assert error(ag) == error(torch)


# ---- functional losses: legacy arguments, defaults, unbatched inputs, errors ---------


def _same(fn):
    """fn(lib) in both libraries: equal values, or the same error type and text."""

    def outcome(lib):
        try:
            out = fn(lib)
        except (ValueError, RuntimeError) as e:
            return type(e).__name__, str(e)
        return "ok", np.asarray(out.detach().numpy()).tolist(), tuple(out.shape)

    ours, theirs = outcome(ag), outcome(torch)
    if ours[0] == "ok" and theirs[0] == "ok":
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-12)
        assert ours[2] == theirs[2]
    else:
        assert ours == theirs


def _t(lib, values, **kw):
    return lib.tensor(values, dtype=kw.pop("dtype", lib.float64), **kw)


FUNCTIONAL_LOSS_CASES = {
    "margin_ranking_default_margin": lambda m: m.nn.functional.margin_ranking_loss(
        _t(m, [0.3, -1.0, 2.0]), _t(m, [0.1, 0.5, 2.5]), _t(m, [1.0, -1.0, 1.0])
    ),
    "hinge_embedding_size_average_false": lambda m: m.nn.functional.hinge_embedding_loss(
        _t(m, [0.3, 2.0, 0.5]), _t(m, [1.0, -1.0, -1.0]), size_average=False
    ),
    "poisson_nll_size_average_false": lambda m: m.nn.functional.poisson_nll_loss(
        _t(m, [0.3, 1.0, 0.5]), _t(m, [1.0, 2.0, 0.0]), size_average=False
    ),
    "multi_margin_unbatched": lambda m: m.nn.functional.multi_margin_loss(
        _t(m, [0.3, 1.0, -0.5, 2.0]), m.tensor(2)
    ),
    "multilabel_margin_unbatched_none": lambda m: m.nn.functional.multilabel_margin_loss(
        _t(m, [0.3, 1.0, -0.5, 2.0]), m.tensor([3, 0, -1, 1]), reduction="none"
    ),
    "gaussian_nll_float_var": lambda m: m.nn.functional.gaussian_nll_loss(
        _t(m, [0.3, 1.0]), _t(m, [0.0, 1.5]), 0.5
    ),
    "gaussian_nll_var_wrong_size": lambda m: m.nn.functional.gaussian_nll_loss(
        _t(m, [[0.3, 1.0], [1.0, 2.0]]), _t(m, [[0.0, 1.5], [1.0, 1.0]]), _t(m, [1.0, 2.0, 3.0])
    ),
    "triplet_with_distance_zero_margin": lambda m: (
        m.nn.functional.triplet_margin_with_distance_loss(
            _t(m, [[1.0, 2.0]]), _t(m, [[1.0, 2.5]]), _t(m, [[0.0, 2.0]]), margin=0.0
        )
    ),
    "ctc_impossible_alignment_is_inf": lambda m: m.nn.functional.ctc_loss(
        _t(m, np.log(np.full((2, 1, 3), 1 / 3))),
        m.tensor([[1, 2, 1]]),
        m.tensor([2]),
        m.tensor([3]),
        reduction="none",
    ),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(FUNCTIONAL_LOSS_CASES))
def test_functional_loss_cases_match_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # size_average/reduce are deprecated in both
        _same(FUNCTIONAL_LOSS_CASES[name])
