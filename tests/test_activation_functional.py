"""The functional activations written in Python, against PyTorch: values
and gradients in float64 with options away from their defaults, inputs on
and around every threshold, the in-place forms (same object, same values,
gradients through the input's history), and the errors users meet."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

# Points on and beside the thresholds used below (0, +-0.5, +-0.7, +-1, 2, 3).
X = np.array([-4.0, -3.0, -2.5, -1.0, -0.7, -0.5, -0.3, -1e-3, 0.0, 1e-3, 0.3, 0.5, 0.7,
              1.0, 2.0, 2.5, 3.0, 4.0])  # fmt: skip
X2 = np.stack([X, X[::-1] * 0.5, X * 1.5, X - 0.25])  # (4, 18)

# (name, kwargs); each is called as F.name(x, **kwargs).
CALLS = [
    ("hardswish", {}), ("hardsigmoid", {}), ("mish", {}), ("softsign", {}),
    ("softmin", dict(dim=1)), ("softmin", dict(dim=0, dtype=ag.float64)),
    ("glu", dict(dim=1)), ("glu", dict(dim=0)),
    ("celu", {}), ("celu", dict(alpha=0.5)), ("celu", dict(alpha=2.0)),
    ("selu", {}), ("threshold", dict(threshold=0.5, value=-2.0)),
    ("threshold", dict(threshold=-1.0, value=3.0)),
    ("tanhshrink", {}), ("softshrink", {}), ("softshrink", dict(lambd=0.7)),
    ("softshrink", dict(lambd=0.0)), ("hardshrink", {}), ("hardshrink", dict(lambd=1.0)),
    ("rrelu", {}), ("rrelu", dict(lower=0.2, upper=0.6)),
    ("elu", dict(alpha=0.7)), ("leaky_relu", dict(negative_slope=0.3)),
    ("hardtanh", dict(min_val=-0.5, max_val=2.0)),
]  # fmt: skip


def _lib_kwargs(lib, kwargs):
    return {k: (lib.float64 if v is ag.float64 else v) for k, v in kwargs.items()}


def _run(lib, name, kwargs, inplace=False):
    x = lib.tensor(X2, requires_grad=True)
    weight = lib.tensor(np.linspace(-1.0, 1.0, X2.size).reshape(X2.shape))
    kw = _lib_kwargs(lib, kwargs)
    if inplace:
        y = x * 1.0  # a non-leaf the in-place form may overwrite
        out = getattr(lib.nn.functional, name + "_")(y, **kw)
        assert out is y
    else:
        out = getattr(lib.nn.functional, name)(x, **kw)
    (out * weight[..., : out.shape[-1]][: out.shape[0]]).sum().backward()
    return out.detach().numpy().copy(), x.grad.numpy().copy()


@pytest.mark.parametrize("name,kwargs", CALLS, ids=[f"{n}-{k}" for n, k in CALLS])
def test_activation_matches_torch(name, kwargs):
    (a, ga), (t, gt) = _run(ag, name, kwargs), _run(torch, name, kwargs)
    np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ga, gt, rtol=1e-12, atol=1e-14)


INPLACE = [
    ("celu", {}), ("celu", dict(alpha=0.5)), ("selu", {}), ("elu", dict(alpha=0.7)),
    ("leaky_relu", dict(negative_slope=0.3)), ("hardtanh", dict(min_val=-0.5, max_val=2.0)),
    ("threshold", dict(threshold=0.5, value=-2.0)), ("rrelu", dict(lower=0.2, upper=0.6)),
    ("relu", {}),
    # Inverted bounds: F.hardtanh rejects them, hardtanh_ clamps all to max_val.
    ("hardtanh", dict(min_val=2.0, max_val=1.0)),
]  # fmt: skip


@pytest.mark.parametrize("name,kwargs", INPLACE, ids=[f"{n}-{k}" for n, k in INPLACE])
def test_inplace_form_matches_torch(name, kwargs):
    if name == "threshold":  # threshold_ names its first option differently
        kwargs = dict(threshold=kwargs["threshold"], value=kwargs["value"])

        def call(lib, y):
            return lib.nn.functional.threshold_(y, kwargs["threshold"], kwargs["value"])
    else:

        def call(lib, y):
            return getattr(lib.nn.functional, name + "_")(y, **kwargs)

    def run(lib):
        x = lib.tensor(X2, requires_grad=True)
        y = x * 1.0
        out = call(lib, y)
        assert out is y
        (out * out).sum().backward()
        return out.detach().numpy().copy(), x.grad.numpy().copy()

    (a, ga), (t, gt) = run(ag), run(torch)
    np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ga, gt, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "name,kwargs",
    [("hardswish", {}), ("hardsigmoid", {}), ("mish", {}), ("celu", dict(alpha=0.5)),
     ("selu", {}), ("threshold", dict(threshold=0.5, value=-2.0)), ("rrelu", {})],
)  # fmt: skip
def test_inplace_flag_overwrites_its_input_without_grad(name, kwargs):
    x, t = ag.tensor(X2), torch.tensor(X2)
    out = getattr(ag.nn.functional, name)(x, inplace=True, **kwargs)
    getattr(torch.nn.functional, name)(t, inplace=True, **kwargs)
    assert out is x
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12, atol=1e-14)


def test_rrelu_in_training_draws_slopes_between_its_bounds():
    ag.manual_seed(0)
    x = -ag.ones(2000, dtype=ag.float64)
    y = ag.nn.functional.rrelu(x, lower=0.2, upper=0.6, training=True)
    slopes = (-y).numpy()
    assert 0.2 <= slopes.min() < 0.21 and 0.59 < slopes.max() <= 0.6
    assert abs(slopes.mean() - 0.4) < 0.01
    positive = ag.nn.functional.rrelu(ag.ones(5), training=True)
    assert positive.tolist() == [1.0] * 5


@pytest.mark.parametrize("weight_shape", [(1,), (4,), ()])
def test_prelu_matches_torch(weight_shape):
    w = np.linspace(0.1, 0.4, int(np.prod(weight_shape))).reshape(weight_shape)

    def run(lib):
        x = lib.tensor(X2.reshape(2, 4, 9), requires_grad=True)
        wt = lib.tensor(w, requires_grad=True)
        out = lib.nn.functional.prelu(x, wt)
        out.sum().backward()
        return out.detach().numpy(), x.grad.numpy(), wt.grad.numpy()

    for a, t in zip(run(ag), run(torch)):
        np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-14)


def test_gumbel_softmax_samples_rows_and_hard_one_hots():
    ag.manual_seed(1)
    logits = ag.tensor(np.log([[0.7, 0.2, 0.1]] * 4000), requires_grad=True)
    soft = ag.nn.functional.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1.0, rtol=1e-12)
    hard = ag.nn.functional.gumbel_softmax(logits, tau=0.5, hard=True)
    h = hard.detach().numpy()
    assert set(np.unique(h)) == {0.0, 1.0} and np.all(h.sum(-1) == 1)
    # Sampling follows the class probabilities.
    np.testing.assert_allclose(h.mean(0), [0.7, 0.2, 0.1], atol=0.03)
    (hard * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        ag.nn.functional.gumbel_softmax(logits, eps=1e-3)


ERRORS = [
    ("glu", (np.zeros(()),), {}), ("glu", (np.zeros((2, 3)),), dict(dim=1)),
    ("glu", (np.zeros((3, 2)),), dict(dim=-2)), ("celu", (np.zeros(3),), dict(alpha=0.0)),
    ("softshrink", (np.zeros(3),), dict(lambd=-0.5)),
    ("softshrink", (np.zeros(3, dtype=np.float32),), dict(lambd=-0.5)),
    ("hardtanh", (np.zeros(3),), dict(min_val=1.0, max_val=0.0)),
    ("prelu", (np.zeros((2, 3)), np.ones(4)), {}), ("prelu", (np.zeros(()), np.ones(3)), {}),
    ("prelu", (np.zeros((2, 3)), np.ones((3, 1))), {}),
]  # fmt: skip


@pytest.mark.parametrize("name,arrays,kwargs", ERRORS, ids=[f"{e[0]}-{e[2]}" for e in ERRORS])
def test_errors_match_torch(name, arrays, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(torch.nn.functional, name)(*[torch.tensor(a) for a in arrays], **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(ag.nn.functional, name)(*[ag.tensor(a) for a in arrays], **kwargs)
    assert str(ours.value) == str(theirs.value)
