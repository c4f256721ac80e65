"""Random draws against PyTorch: with the same seed, the factories, sampling
ops and in-place fills give PyTorch's values (the generator is PyTorch's
Mersenne Twister and the algorithms are its CPU kernels'); generator=
everywhere; the global state round-trips (get/set_rng_state, fork_rng);
grad_fn names and zero gradients; error types on bad input."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


def seeded(fn, seed=0):
    out = []
    for lib in (ag, torch):
        lib.manual_seed(seed)
        out.append(fn(lib))
    return out


def assert_same(a, b, rtol=0.0):
    assert str(a.dtype) == str(b.dtype)
    assert tuple(a.shape) == tuple(b.shape)
    if rtol:
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=1e-6)
    else:
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


DRAWS = {
    "rand": lambda m: m.rand(3, 5),
    "rand_f64": lambda m: m.rand(7, dtype=m.float64),
    "randint": lambda m: m.randint(0, 10, (20,)),
    "randint_low": lambda m: m.randint(-5, 5, (3, 4), dtype=m.int32),
    "randint_wide": lambda m: m.randint(0, 2**40, (6,)),
    "randperm": lambda m: m.randperm(30),
    "randperm_f32": lambda m: m.randperm(9, dtype=m.float32),
    "multinomial_1": lambda m: m.multinomial(m.tensor([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]]), 1),
    "multinomial_norepl": lambda m: m.multinomial(m.tensor([1.0, 2.0, 3.0, 4.0, 0.5]), 4),
    "multinomial_repl": lambda m: m.multinomial(m.tensor([0.2, 0.3, 0.5]), 40, True),
    "multinomial_2d_repl": lambda m: m.rand(4, 6).multinomial(9, replacement=True),
    "multinomial_f64": lambda m: m.multinomial(m.tensor([0.2, 0.8], dtype=m.float64), 2),
    "bernoulli_p": lambda m: m.bernoulli(m.full((30,), 0.4)),
    "bernoulli_p64": lambda m: m.bernoulli(m.full((30,), 0.4, dtype=m.float64)),
    "bernoulli_scalar": lambda m: m.empty(30).bernoulli_(0.3),
    "bernoulli_method": lambda m: m.rand(10).bernoulli(0.5),
    "bernoulli_tensor_p": lambda m: m.empty(2, 5).bernoulli_(m.full((5,), 0.7)),
    "poisson": lambda m: m.poisson(m.tensor([0.0, 0.5, 3.0, 12.0, 40.0, 200.0])),
    "uniform_": lambda m: m.empty(4, 4).uniform_(-2, 3),
    "uniform_f64": lambda m: m.empty(5, dtype=m.float64).uniform_(1, 2),
    "random_": lambda m: m.empty(8, dtype=m.int64).random_(),
    "random_to": lambda m: m.empty(8).random_(7),
    "random_from_to": lambda m: m.empty(8, dtype=m.int32).random_(-3, 9),
    "random_bool": lambda m: m.empty(8, dtype=m.bool).random_(),
    "random_f32": lambda m: m.empty(8).random_(),
    "exponential_": lambda m: m.empty(20).exponential_(2.5),
    "geometric_": lambda m: m.empty(20).geometric_(0.3),
}

CLOSE_DRAWS = {
    "randn_small": lambda m: m.randn(5),
    "randn_large": lambda m: m.randn(4, 9),
    "randn_f64": lambda m: m.randn(37, dtype=m.float64),
    "randn_twice": lambda m: m.cat([m.randn(3), m.randn(3)]),
    "normal_": lambda m: m.empty(21).normal_(3.0, 0.5),
    "normal_tensors": lambda m: m.normal(m.zeros(2, 3), m.ones(3)),
    "normal_mean": lambda m: m.normal(m.arange(5.0), 2.0),
    "normal_std": lambda m: m.normal(1.0, m.arange(1.0, 20.0)),
    "normal_size": lambda m: m.normal(2.0, 3.0, size=(4, 5)),
    "normal_small": lambda m: m.normal(2.0, 3.0, (3,)),
    "cauchy_": lambda m: m.empty(10).cauchy_(1.0, 2.0),
    "log_normal_": lambda m: m.empty(10, dtype=m.float64).log_normal_(0.5, 0.25),
    "exponential_f64": lambda m: m.empty(10, dtype=m.float64).exponential_(),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_same_seed_same_draws_as_torch(name):
    a, t = seeded(DRAWS[name])
    assert_same(a, t)


@pytest.mark.parametrize("name", sorted(CLOSE_DRAWS))
def test_same_seed_same_continuous_draws_as_torch(name):
    a, t = seeded(CLOSE_DRAWS[name])
    assert_same(a, t, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(DRAWS) + sorted(CLOSE_DRAWS))
def test_generator_argument_and_draw_order(name):
    fn = {**DRAWS, **CLOSE_DRAWS}[name]
    # The draws after a call continue where PyTorch's do.
    a, t = seeded(lambda m: (fn(m), m.rand(4))[1], seed=7)
    assert_same(a, t, rtol=1e-6)


def test_generator_objects_draw_as_torch():
    outs = []
    for lib in (ag, torch):
        g = lib.Generator().manual_seed(123)
        outs.append(
            [
                lib.rand(3, generator=g),
                lib.randn(20, generator=g),
                lib.randint(0, 100, (4,), generator=g),
                lib.randperm(8, generator=g),
                lib.multinomial(lib.tensor([0.5, 0.5, 1.0]), 3, generator=g),
                lib.multinomial(lib.tensor([0.5, 0.5, 1.0]), 6, True, generator=g),
                lib.normal(lib.zeros(3), 1.0, generator=g),
                lib.normal(0.0, 1.0, (2,), generator=g),
                lib.bernoulli(lib.full((6,), 0.5), generator=g),
                lib.poisson(lib.full((4,), 5.0), generator=g),
                lib.empty(5).uniform_(generator=g),
                lib.empty(5).normal_(generator=g),
                lib.empty(5).exponential_(generator=g),
                lib.empty(5, dtype=lib.int64).random_(0, 10, generator=g),
            ]
        )
    for a, t in zip(*outs):
        assert_same(a, t, rtol=1e-5)


def test_generator_state_round_trip_and_independence():
    g = ag.Generator().manual_seed(5)
    state = g.get_state()
    first = ag.randn(7, generator=g)
    ag.manual_seed(0)
    g.set_state(state)
    assert ag.randn(7, generator=g).tolist() == first.tolist()
    # The cached second normal value is part of the state.
    g.manual_seed(3)
    ag.randn(1, generator=g)
    state = g.get_state()
    one = ag.randn(1, generator=g).item()
    g.set_state(state)
    assert ag.randn(1, generator=g).item() == one


def test_global_rng_state_and_fork_rng():
    ag.manual_seed(11)
    state = ag.get_rng_state()
    a = ag.rand(5)
    ag.set_rng_state(state)
    assert ag.rand(5).tolist() == a.tolist()
    ag.manual_seed(11)
    with ag.random.fork_rng():
        ag.randn(100)
    assert ag.rand(5).tolist() == a.tolist()
    assert ag.random.get_rng_state().dtype == ag.int64
    with pytest.raises(TypeError):
        ag.set_rng_state(ag.zeros(3))


def test_unseeded_processes_differ_and_seed_reseeds():
    s1 = ag.seed()
    x = ag.rand(4)
    ag.manual_seed(s1)
    assert ag.rand(4).tolist() == x.tolist()
    assert ag.initial_seed() == s1


def test_grad_fn_names_and_zero_gradients():
    for lib in (ag, torch):
        mean = lib.zeros(3, requires_grad=True)
        std = lib.ones(3, requires_grad=True)
        names = [
            lib.normal(mean, std).grad_fn.name(),
            lib.normal(mean, 1.0).grad_fn.name(),
            lib.normal(0.0, std).grad_fn.name(),
            lib.bernoulli(lib.full((3,), 0.5, requires_grad=True)).grad_fn.name(),
        ]
        x = mean * 1
        names += [
            x.uniform_().grad_fn.name(),
            x.normal_().grad_fn.name(),
            x.bernoulli_(0.5).grad_fn.name(),
            x.bernoulli_(lib.full((3,), 0.5)).grad_fn.name(),
            x.random_().grad_fn.name(),
            x.random_(5).grad_fn.name(),
            x.random_(1, 5).grad_fn.name(),
            x.exponential_().grad_fn.name(),
            x.geometric_(0.5).grad_fn.name(),
            x.cauchy_().grad_fn.name(),
            x.log_normal_().grad_fn.name(),
        ]
        y = lib.normal(mean, std) + x
        y.sum().backward()
        assert mean.grad.tolist() == [0.0, 0.0, 0.0]
        assert std.grad.tolist() == [0.0, 0.0, 0.0]
        if lib is ag:
            ours = names
        else:
            assert ours == names


def test_inplace_fill_on_leaf_requiring_grad_raises():
    x = ag.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.uniform_()
    with ag.no_grad():
        x.normal_()
    assert x.requires_grad and x.grad_fn is None


def test_fills_write_through_views():
    base = ag.zeros(4, 4)
    base[:, 1].uniform_(5, 6)
    col = base[:, 1]
    assert bool(((col >= 5) & (col < 6)).all())
    assert base.sum().item() == col.sum().item()


def test_multinomial_statistics():
    ag.manual_seed(0)
    draws = ag.multinomial(ag.tensor([0.1, 0.2, 0.7]), 20000, True)
    freq = ag.bincount(draws, minlength=3).double() / 20000
    np.testing.assert_allclose(freq.numpy(), [0.1, 0.2, 0.7], atol=0.02)
    no_repeat = ag.multinomial(ag.ones(50), 50)
    assert sorted(no_repeat.tolist()) == list(range(50))


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.multinomial(m.tensor([1, 2]), 1),
        lambda m: m.multinomial(m.ones(2, 2, 2), 1),
        lambda m: m.multinomial(m.ones(3), 0),
        lambda m: m.multinomial(m.ones(3), 4),
        lambda m: m.multinomial(m.tensor([1.0, -1.0]), 1),
        lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1),
        lambda m: m.multinomial(m.tensor([0.0, 0.0]), 2, True),
        lambda m: m.multinomial(m.tensor([1.0, float("nan")]), 2, True),
        lambda m: m.normal(m.zeros(2), m.tensor([-1.0, 1.0])),
        lambda m: m.normal(0.0, -1.0, (2,)),
        lambda m: m.normal(m.zeros(2), m.zeros(3)),
        lambda m: m.normal(m.zeros(2, dtype=m.int64), 1.0),
        lambda m: m.bernoulli(m.tensor([2.0])),
        lambda m: m.bernoulli(m.tensor([1, 0])),
        lambda m: m.poisson(m.tensor([-1.0])),
        lambda m: m.poisson(m.tensor([1])),
        lambda m: m.randperm(-1),
        lambda m: m.empty(2, dtype=m.int64).uniform_(),
        lambda m: m.empty(2, dtype=m.int64).normal_(),
        lambda m: m.empty(2).random_(5, 2),
        lambda m: m.empty(2, dtype=m.int32).random_(0, 2**40),
        lambda m: m.empty(2, dtype=m.int64).exponential_(),
        lambda m: m.empty(2).exponential_(-1),
        lambda m: m.empty(2).geometric_(0),
        lambda m: m.empty(2).uniform_(3, 1),
    ],
)
def test_errors_as_torch(fn):
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(ag)
    assert str(ours.value).split(" ")[:2] == str(theirs.value).split(" ")[:2]


def test_variable_legacy_wrapper():
    from autograd_cpp.autograd import Variable

    a = ag.ones(2, requires_grad=True) * 2
    v = Variable(a)
    assert type(v) is ag.Tensor and v.grad_fn is None and not v.requires_grad
    assert isinstance(a, Variable)
    assert Variable(a, requires_grad=True).is_leaf
    assert tuple(Variable().shape) == (0,)
    with pytest.raises(TypeError):
        Variable([1, 2])
    with pytest.warns(UserWarning, match="volatile"):
        Variable(a, volatile=True)
    with pytest.raises(ValueError):
        Variable(a, volatile=True, requires_grad=True)


def test_init_and_linear_weights_match_torch_for_a_seed():
    outs = []
    for lib in (ag, torch):
        lib.manual_seed(42)
        layer = lib.nn.Linear(5, 3)
        g = lib.Generator().manual_seed(9)
        w = lib.empty(4, 6)
        lib.nn.init.kaiming_uniform_(w, generator=g)
        v = lib.nn.init.normal_(lib.empty(40), 0.0, 0.02, generator=g)
        outs.append((layer.weight, layer.bias, w, v))
    for a, t in zip(outs[0], outs[1]):
        assert_same(a, t, rtol=1e-6)
