"""torch.distributions basics (Categorical, Bernoulli, Normal, Uniform, KL)
and the legacy autograd.Variable against PyTorch: log-densities, entropies,
moments and their gradients, printed forms, validation errors, and the
frequencies and shapes of samples."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import distributions as D
from oracle import requires_torch, torch

pytestmark = requires_torch


@pytest.fixture(autouse=True)
def _torch_validates():
    # torch.compile (used by other tests) turns PyTorch's validation off globally
    before = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(True)
    yield
    torch.distributions.Distribution.set_default_validate_args(before)


def both(values, dtype=np.float64, requires_grad=False):
    a = np.asarray(values, dtype=dtype)
    return (
        ag.tensor(a).requires_grad_(requires_grad),
        torch.tensor(a).requires_grad_(requires_grad),
    )


def close(ours, theirs, tol=1e-12):
    a, b = ours.detach().numpy(), theirs.detach().numpy()
    assert a.shape == b.shape
    assert a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


# (name, our parameters -> dist, values to score) built from the same numbers
PROBS = [[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]]
LOGITS = [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_categorical_log_prob_entropy_grads(kind):
    ours_p, theirs_p = both(PROBS if kind == "probs" else LOGITS, requires_grad=True)
    ours = D.Categorical(**{kind: ours_p})
    theirs = torch.distributions.Categorical(**{kind: theirs_p})
    assert repr(ours) == repr(theirs)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    value = [[2, 0], [1, 1], [0, 2]]  # broadcasts over the batch of two
    lp_o = ours.log_prob(ag.tensor(value))
    lp_t = theirs.log_prob(torch.tensor(value))
    close(lp_o, lp_t)
    close(ours.entropy(), theirs.entropy())
    close(ours.probs, theirs.probs)
    close(ours.logits, theirs.logits)
    close(ours.mode, theirs.mode)
    assert repr(ours) == repr(theirs)  # the lazily made parameter now shows too
    (lp_o.sum() + ours.entropy().sum()).backward()
    (lp_t.sum() + theirs.entropy().sum()).backward()
    close(ours_p.grad, theirs_p.grad)


def test_categorical_sample_shapes_and_frequencies():
    ag.manual_seed(0)
    probs = ag.tensor([[0.1, 0.0, 0.6, 0.3], [0.0, 0.0, 0.0, 1.0]])
    d = D.Categorical(probs)
    s = d.sample((20000,))
    assert s.shape == (20000, 2) and s.dtype == ag.int64
    freq = np.bincount(s[:, 0].numpy(), minlength=4) / 20000
    np.testing.assert_allclose(freq, [0.1, 0.0, 0.6, 0.3], atol=0.015)
    assert (s[:, 1] == 3).all()  # zero-probability categories are never drawn
    assert d.sample().shape == (2,)
    assert d.enumerate_support().shape == (4, 2)
    close(
        d.enumerate_support(),
        torch.distributions.Categorical(torch.tensor(probs.numpy())).enumerate_support(),
    )


def test_normal_values_grads_and_rsample():
    loc_o, loc_t = both([0.5, -1.0, 2.0], requires_grad=True)
    sc_o, sc_t = both([1.0, 0.3, 2.5], requires_grad=True)
    ours, theirs = D.Normal(loc_o, sc_o), torch.distributions.Normal(loc_t, sc_t)
    x_o, x_t = both([[0.1, 0.2, 0.3], [-1.0, 4.0, 2.0]])
    total_o = ours.log_prob(x_o).sum() + ours.entropy().sum() + ours.cdf(x_o).sum()
    total_t = theirs.log_prob(x_t).sum() + theirs.entropy().sum() + theirs.cdf(x_t).sum()
    close(total_o, total_t)
    total_o.backward()
    total_t.backward()
    close(loc_o.grad, loc_t.grad)
    close(sc_o.grad, sc_t.grad)
    for name in ["mean", "mode", "stddev", "variance"]:
        close(getattr(ours, name), getattr(theirs, name))
    assert repr(ours) == repr(theirs)
    assert repr(D.Normal(0.0, 1.0)) == repr(torch.distributions.Normal(0.0, 1.0))
    # rsample is loc + scale * eps: d/dloc = 1, d/dscale = eps
    ag.manual_seed(1)
    loc, scale = ag.tensor(1.0, requires_grad=True), ag.tensor(2.0, requires_grad=True)
    draw = D.Normal(loc, scale).rsample((5000,))
    draw.sum().backward()
    assert loc.grad.item() == 5000
    assert abs(scale.grad.item() - ((draw.detach() - 1) / 2).sum().item()) < 1e-3
    assert abs(draw.mean().item() - 1) < 0.1 and abs(draw.std().item() - 2) < 0.1
    assert not D.Normal(loc, scale).sample((3,)).requires_grad


def test_bernoulli_and_uniform():
    p_o, p_t = both([0.2, 0.5, 0.9], requires_grad=True)
    ours, theirs = D.Bernoulli(p_o), torch.distributions.Bernoulli(p_t)
    v_o, v_t = both([1.0, 0.0, 1.0])
    out_o = ours.log_prob(v_o).sum() + ours.entropy().sum()
    out_t = theirs.log_prob(v_t).sum() + theirs.entropy().sum()
    close(out_o, out_t)
    out_o.backward()
    out_t.backward()
    close(p_o.grad, p_t.grad)
    close(ours.variance, theirs.variance)
    close(ours.mode, theirs.mode)
    close(
        D.Bernoulli(logits=ag.tensor([0.3, -2.0])).probs,
        torch.distributions.Bernoulli(logits=torch.tensor([0.3, -2.0])).probs,
        1e-7,
    )
    assert repr(D.Bernoulli(0.3)) == repr(torch.distributions.Bernoulli(0.3))
    ag.manual_seed(2)
    s = D.Bernoulli(ag.tensor([0.25, 1.0])).sample((20000,))
    assert (
        s.dtype == ag.float32 and abs(s[:, 0].mean().item() - 0.25) < 0.015 and (s[:, 1] == 1).all()
    )

    lo_o, lo_t = both([0.0, -1.0], requires_grad=True)
    ours_u, theirs_u = D.Uniform(lo_o, 3.0), torch.distributions.Uniform(lo_t, 3.0)
    x_o, x_t = both([0.5, 2.0])
    r_o = ours_u.log_prob(x_o).sum() + ours_u.entropy().sum() + ours_u.cdf(x_o).sum()
    r_t = theirs_u.log_prob(x_t).sum() + theirs_u.entropy().sum() + theirs_u.cdf(x_t).sum()
    close(r_o, r_t)
    r_o.backward()
    r_t.backward()
    close(lo_o.grad, lo_t.grad)
    for name in ["mean", "stddev", "variance"]:
        close(getattr(ours_u, name), getattr(theirs_u, name))
    u = D.Uniform(2.0, 5.0).sample((10000,))
    assert float(u.min()) >= 2 and float(u.max()) < 5 and abs(u.mean().item() - 3.5) < 0.05


def test_kl_divergence():
    pairs = [
        (lambda m: m.Normal(m.tensor([0.0, 1.0]), m.tensor([1.0, 0.5])), lambda m: m.Normal(m.tensor(0.5), m.tensor(2.0))),
        (lambda m: m.Categorical(m.tensor([0.2, 0.3, 0.5])), lambda m: m.Categorical(logits=m.tensor([0.0, 1.0, -1.0]))),
        (lambda m: m.Bernoulli(m.tensor([0.3, 0.0])), lambda m: m.Bernoulli(m.tensor([0.6, 0.4]))),
        (lambda m: m.Uniform(m.tensor([0.0, -2.0]), m.tensor(1.0)), lambda m: m.Uniform(m.tensor(-0.5), m.tensor(2.0))),
    ]  # fmt: skip

    class Mod:
        def __init__(self, lib, dist):
            self.lib, self.dist = lib, dist

        def __getattr__(self, name):
            return getattr(self.dist, name) if name[0].isupper() else getattr(self.lib, name)

    mo, mt = Mod(ag, D), Mod(torch, torch.distributions)
    for p, q in pairs:
        close(D.kl_divergence(p(mo), q(mo)), torch.distributions.kl_divergence(p(mt), q(mt)), 1e-6)
    with pytest.raises(NotImplementedError):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(0.5))


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and text are compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize(
    "make",
    [
        lambda m, d: d.Normal(0.0, -1.0),
        lambda m, d: d.Categorical(m.tensor([-1.0, 2.0])),
        lambda m, d: d.Categorical(m.ones(2)).log_prob(m.tensor(3)),
        lambda m, d: d.Normal(0.0, 1.0).log_prob(m.tensor(float("nan"))),
        lambda m, d: d.Categorical(),
        lambda m, d: d.Categorical(m.ones(2), m.ones(2)),
        lambda m, d: d.Bernoulli(1.5),
        lambda m, d: d.Uniform(1.0, 0.0),
        lambda m, d: d.Bernoulli(0.5).log_prob(m.tensor(0.5)),
        lambda m, d: d.Normal(m.zeros(3), 1.0).log_prob(m.zeros(2)),
        lambda m, d: d.Categorical(m.ones(2, 3)).log_prob([0, 1]),
    ],
)
def test_validation_errors_match(make):
    ours = _error(lambda: make(ag, D))
    theirs = _error(lambda: make(torch, torch.distributions))
    assert ours is not None and ours == theirs


def test_validation_can_be_turned_off():
    d = D.Normal(0.0, -1.0, validate_args=False)
    assert d.scale.item() == -1.0
    # unchecked, an out-of-range category reaches the indexing, which refuses it
    with pytest.raises(RuntimeError):
        D.Categorical(ag.ones(2), validate_args=False).log_prob(ag.tensor(5))
    D.Distribution.set_default_validate_args(False)
    try:
        assert D.Bernoulli(1.5).probs.item() == 1.5
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Bernoulli(1.5)


def test_legacy_variable():
    from autograd_cpp.autograd import Variable

    a = ag.ones(2, requires_grad=True) * 2
    v = Variable(a, requires_grad=True)
    assert v.is_leaf and v.requires_grad and v.data_ptr() == a.data_ptr()
    assert isinstance(a, Variable) and not isinstance([1], Variable)
    assert repr(Variable()) == repr(torch.autograd.Variable())
    assert not Variable(a).requires_grad
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1, 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Variable(a, volatile=True)
    assert [str(w.message) for w in caught] == [
        "volatile was removed and now has no effect. Use `with torch.no_grad():` instead."
    ]
