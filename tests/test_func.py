"""autograd_cpp.func against torch.func: grad, grad_and_value, vjp, jacrev,
hessian, functional_call and stack_module_state, in float64, on values,
structures, composition and errors."""

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import func as agf
from oracle import requires_torch, torch

pytestmark = requires_torch

Pair = namedtuple("Pair", "a b")


def _to_torch(x):
    """The same tree with autograd_cpp tensors replaced by torch copies."""
    if isinstance(x, ag.Tensor):
        t = torch.from_numpy(x.detach().numpy().copy())
        return t.requires_grad_(x.requires_grad) if x.requires_grad else t
    if isinstance(x, Pair):
        return Pair(*(_to_torch(v) for v in x))
    if isinstance(x, (tuple, list)):
        return type(x)(_to_torch(v) for v in x)
    if isinstance(x, dict):
        return type(x)((k, _to_torch(v)) for k, v in x.items())
    return x


def assert_same(ours, theirs, atol=1e-10, rtol=1e-7):
    """Same tree structure, same shapes and values (and dtypes)."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ag.Tensor), type(ours)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert str(ours.dtype) == str(theirs.dtype)
        np.testing.assert_allclose(
            ours.detach().numpy(), theirs.detach().numpy(), atol=atol, rtol=rtol
        )
    elif isinstance(theirs, (tuple, list)):
        assert type(ours) is type(theirs), (type(ours), type(theirs))
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b, atol, rtol)
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs)
        assert list(ours) == list(theirs)
        for k in theirs:
            assert_same(ours[k], theirs[k], atol, rtol)
    else:
        assert ours == theirs


def both(run, *args):
    """run(lib, func_namespace, *args) on autograd_cpp and on torch."""
    ours = run(ag, agf, *args)
    theirs = run(torch, torch.func, *_to_torch(args))
    assert_same(ours, theirs)
    return ours, theirs


def rand(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).uniform(-1.5, 1.5, shape), dtype=ag.float64)


def raises_same(run, *args):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as theirs:
        run(torch, torch.func, *_to_torch(args))
    with pytest.raises(type(theirs.value)) as ours:
        run(ag, agf, *args)
    assert str(ours.value) == str(theirs.value)


# ---- functions of one tensor -------------------------------------------------

SCALAR_FNS = {
    "sin_sum": lambda m, x: m.sin(x).sum(),
    "poly": lambda m, x: (x**3 - 2 * x * x + x).sum(),
    "exp_mean": lambda m, x: x.exp().mean(),
    "tanh_norm": lambda m, x: (m.tanh(x) ** 2).sum().sqrt(),
    "softmax": lambda m, x: (m.softmax(x, -1) * m.arange(x.shape[-1], dtype=x.dtype)).sum(),
    "matmul": lambda m, x: (x.reshape(2, 3) @ x.reshape(3, 2)).sum(),
    "logsumexp": lambda m, x: m.logsumexp(x, 0),
    "sigmoid_prod": lambda m, x: m.sigmoid(x).prod(),
}


@pytest.mark.parametrize("name", sorted(SCALAR_FNS))
def test_grad_matches_torch(name):
    f = SCALAR_FNS[name]
    both(lambda m, F, x: F.grad(lambda x: f(m, x))(x), rand(6))


@pytest.mark.parametrize("name", sorted(SCALAR_FNS))
def test_grad_of_grad_matches_torch(name):
    f = SCALAR_FNS[name]
    both(lambda m, F, x: F.grad(lambda x: F.grad(lambda y: f(m, y))(x).sin().sum())(x), rand(6))


@pytest.mark.parametrize("name", sorted(SCALAR_FNS))
def test_hessian_matches_torch(name):
    f = SCALAR_FNS[name]
    both(lambda m, F, x: F.hessian(lambda x: f(m, x))(x), rand(6))


@pytest.mark.parametrize("name", sorted(SCALAR_FNS))
def test_jacrev_of_gradient_is_hessian(name):
    f = SCALAR_FNS[name]
    x = rand(6, seed=3)
    h = agf.hessian(lambda x: f(ag, x))(x)
    assert_same(agf.jacrev(agf.grad(lambda x: f(ag, x)))(x), _to_torch(h))


def test_scalar_second_and_third_derivatives():
    x = ag.tensor(0.7, dtype=ag.float64)
    both(lambda m, F, x: F.grad(F.grad(F.grad(m.sin)))(x), x)
    both(lambda m, F, x: F.grad(F.grad(lambda x: x * m.exp(x)))(x), x)


# ---- argnums, has_aux, structures -------------------------------------------


def _two_args(m, x, y):
    return (m.sin(x) * y.reshape(-1)[: x.numel()].reshape(x.shape)).sum() + (y**2).sum()


@pytest.mark.parametrize("argnums", [0, 1, -1, -2, (0,), (1, 0), (0, 1), (-1,)])
def test_grad_argnums(argnums):
    both(
        lambda m, F, x, y: F.grad(lambda a, b: _two_args(m, a, b), argnums=argnums)(x, y),
        rand(2, 3),
        rand(6, seed=1),
    )


def test_grad_and_value_with_aux():
    def run(m, F, x, y):
        def f(a, b):
            loss = (a * b).sum()
            return loss, {"pred": a * 2, "n": [a.sum()]}

        return F.grad_and_value(f, argnums=(0, 1), has_aux=True)(x, y)

    (g, (value, aux)), _ = both(run, rand(3), rand(3, seed=1))
    assert not value.requires_grad and not aux["pred"].requires_grad
    assert not g[0].requires_grad


def test_grad_has_aux_returns_grad_and_aux():
    both(
        lambda m, F, x: F.grad(lambda x: ((x**2).sum(), [x.sum(), x.max()]), has_aux=True)(x),
        rand(4),
    )


def test_grad_of_pytree_argument():
    def run(m, F, params, x):
        def loss(p, x):
            h = m.tanh(x @ p["w"] + p["b"])
            return (h * p["scale"][0]).sum() + (p["scale"][1] ** 2).sum()

        return F.grad(loss)(params, x)

    params = {
        "w": rand(3, 4),
        "b": rand(4, seed=1),
        "scale": [rand(seed=2), rand(2, seed=3)],
    }
    both(run, params, rand(5, 3, seed=4))


def test_grad_of_tuple_ordered_dict_and_namedtuple_arguments():
    def run(m, F, a, b, c):
        def f(t, od, nt):
            return (t[0] * t[1]).sum() + (od["u"] ** 3).sum() + (nt.a * nt.b).sum()

        return F.grad(f, argnums=(0, 1, 2))(a, b, c)

    both(
        run,
        (rand(2), rand(2, seed=1)),
        OrderedDict(u=rand(3, seed=2)),
        Pair(rand(2, seed=3), rand(2, seed=4)),
    )


def test_grad_kwargs_are_not_differentiated():
    both(lambda m, F, x, y: F.grad(lambda x, *, y: (x * y).sum())(x, y=y), rand(3), rand(3, seed=1))


def test_grad_of_constant_and_of_unused_input_is_zero():
    both(lambda m, F, x: F.grad(lambda x: m.tensor(2.0, dtype=m.float64))(x), rand(3))
    both(lambda m, F, x, y: F.grad(lambda x, y: (y * y).sum())(x, y), rand(3), rand(2, seed=1))
    both(lambda m, F, x: F.grad(lambda x: x.detach().sum())(x), rand(3))


def test_grad_respects_no_grad_inside_the_function():
    def run(m, F, x):
        def f(x):
            with m.no_grad():
                c = (x * 2).sum()
            return c * x.sum()

        return F.grad(f)(x)

    both(run, rand(3))


def test_grad_ignores_enclosing_no_grad():
    def run(m, F, x):
        with m.no_grad():
            return F.grad_and_value(lambda x: (x.sin() * 2).sum())(x)

    (g, v), _ = both(run, rand(3).requires_grad_(True))
    assert not g.requires_grad and not v.requires_grad


def test_grad_does_not_touch_dot_grad_or_inputs():
    x = rand(4).requires_grad_(True)
    before = x.detach().clone()
    agf.grad(lambda x: (x**2).sum())(x)
    assert x.grad is None
    np.testing.assert_array_equal(x.detach().numpy(), before.numpy())


# ---- composing with ordinary autograd ----------------------------------------


def test_grad_result_is_differentiable_wrt_closed_over_tensor():
    def run(m, F, x, w):
        g = F.grad(lambda x: (m.sin(x) * w).sum())(x)
        assert g.requires_grad
        (gw,) = m.autograd.grad((g**2).sum(), [w])
        return g, gw

    both(run, rand(4), rand(4, seed=1).requires_grad_(True))


def test_grad_result_is_differentiable_wrt_a_tracked_input():
    def run(m, F, x):
        g = F.grad(lambda x: (x**3).sum())(x)
        g.sum().backward()
        return g, x.grad

    both(run, rand(4).requires_grad_(True))


@pytest.mark.parametrize(
    "f",
    [
        lambda m, x: (x * x).sum(),
        lambda m, x: (2 * x).sum(),
        lambda m, x: m.sin(x).sum(),
    ],
)
def test_results_untracked_at_top_level_as_in_torch(f):
    for make in (lambda: rand(3), lambda: rand(3).requires_grad_(True)):
        x = make()
        g, v = agf.grad_and_value(lambda x: f(ag, x))(x)
        tg, tv = torch.func.grad_and_value(lambda x: f(torch, x))(_to_torch(x))
        assert g.requires_grad == tg.requires_grad
        assert v.requires_grad == tv.requires_grad


def test_perturbations_of_nested_levels_stay_apart():
    # d/dx [ x * d/dy (x * y) ] = d/dx [x * x] = 2x: the inner derivative
    # must see x as a constant, not as the variable being differentiated.
    def run(m, F, x):
        return F.grad(lambda x: (x * F.grad(lambda y: (x * y).sum())(x)).sum())(x)

    ours, _ = both(run, rand(3))
    assert np.allclose(ours.numpy(), 2 * rand(3).numpy())


# ---- vjp ----------------------------------------------------------------------


def test_vjp_single_output():
    def run(m, F, x, v):
        out, fn = F.vjp(lambda x: m.sin(x) * x, x)
        return out, fn(v), fn(2 * v)  # the pullback is reusable

    both(run, rand(5), rand(5, seed=1))


def test_vjp_structures_in_and_out():
    def run(m, F, x, y, cts):
        def f(a, b):
            return {"s": (a[0] * b).sum(), "v": [a[1].exp(), b * 2]}

        out, fn = F.vjp(f, x, y)
        return out, fn(cts)

    cts = {"s": ag.tensor(1.5, dtype=ag.float64), "v": [rand(2, seed=5), rand(2, seed=6)]}
    both(run, (rand(2), rand(2, seed=1)), rand(2, seed=2), cts)


def test_vjp_has_aux():
    def run(m, F, x):
        out, fn, aux = F.vjp(lambda x: (x.cos(), x.sum()), x, has_aux=True)
        return out, fn(m.ones_like(out)), aux

    (_, _, aux), _ = both(run, rand(3))
    assert not aux.requires_grad


def test_vjp_of_grad_is_a_hessian_vector_product():
    def run(m, F, x, v):
        _, fn = F.vjp(F.grad(lambda x: (m.sin(x) * x**2).sum()), x)
        return fn(v)

    both(run, rand(4), rand(4, seed=1))


def test_grad_through_vjp_fn_wrt_cotangent():
    def run(m, F, x, v):
        def g(v):
            _, fn = F.vjp(lambda x: m.tanh(x) * 3, x)
            return (fn(v)[0] ** 2).sum()

        return F.grad(g)(v)

    both(run, rand(4), rand(4, seed=1))


def test_vjp_fn_create_graph_flag():
    x = rand(3)
    out, fn = agf.vjp(lambda x: x**3, x)
    assert not fn(ag.ones(3, dtype=ag.float64))[0].requires_grad
    w = ag.ones(3, dtype=ag.float64, requires_grad=True)
    (g,) = fn(w)
    assert g.requires_grad  # linear in a tracked cotangent
    (gw,) = ag.autograd.grad(g.sum(), [w])
    np.testing.assert_allclose(gw.numpy(), 3 * x.numpy() ** 2)


# ---- jacrev -------------------------------------------------------------------


def test_jacrev_shapes_and_values():
    both(lambda m, F, x: F.jacrev(lambda x: m.sin(x) @ x.T)(x), rand(3, 2))
    both(lambda m, F, x: F.jacrev(lambda x: (x**2).sum())(x), rand(4))
    both(lambda m, F, x: F.jacrev(lambda x: x * 2)(x), rand())
    both(lambda m, F, x: F.jacrev(lambda x: x.exp())(x), rand(0))


@pytest.mark.parametrize("chunk_size", [None, 1, 2, 7])
def test_jacrev_chunk_size_does_not_change_the_result(chunk_size):
    both(lambda m, F, x: F.jacrev(lambda x: m.tanh(x) * x.sum(), chunk_size=chunk_size)(x), rand(5))


def test_jacrev_structures_and_argnums():
    def run(m, F, x, y):
        def f(a, b):
            return (a * b, {"t": (a.sum() * b, b.exp())})

        return (
            F.jacrev(f, argnums=(0, 1))(x, y),
            F.jacrev(f, argnums=1)(x, y),
            F.jacrev(f)(x, y),
        )

    both(run, rand(3), rand(3, seed=1))


def test_jacrev_of_dict_argument():
    def run(m, F, p, x):
        return F.jacrev(lambda p, x: m.tanh(x @ p["w"] + p["b"]))(p, x)

    both(run, {"w": rand(3, 2), "b": rand(2, seed=1)}, rand(4, 3, seed=2))


def test_jacrev_has_aux():
    both(lambda m, F, x: F.jacrev(lambda x: (x.sin(), x.cos()), has_aux=True)(x), rand(3))


def test_jacrev_of_jacrev_and_hessian_argnums():
    def run(m, F, x, y):
        def f(a, b):
            return (m.sin(a) * b.exp()).sum() + (a**2 * b).sum()

        return F.hessian(f, argnums=(0, 1))(x, y), F.jacrev(F.jacrev(f, 1), 0)(x, y)

    both(run, rand(3), rand(3, seed=1))


def test_jacrev_matches_autograd_functional_jacobian():
    x = rand(4)
    f = lambda x: ag.sin(x).cumsum(0) * x  # noqa: E731
    np.testing.assert_allclose(
        agf.jacrev(f)(x).numpy(), ag.autograd.functional.jacobian(f, x).numpy()
    )


# ---- errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "run",
    [
        lambda m, F, x: F.grad(lambda x: x)(x),
        lambda m, F, x: F.grad(lambda x: 1.0)(x),
        lambda m, F, x: F.grad(lambda x: x.sum(), has_aux=True)(x),
        lambda m, F, x: F.grad(lambda x: x.sum())(3.0),
        lambda m, F, x: F.grad(lambda x: x.sum(), argnums=1)(x),
        lambda m, F, x: F.grad(lambda x: x.sum(), argnums=-2)(x),
        lambda m, F, x: F.grad(lambda x: x.sum(), argnums=1.0)(x),
        lambda m, F, x: F.grad(lambda x: x.sum(), argnums=[0])(x),
        lambda m, F, x: F.grad(lambda x, y: x.sum(), argnums=(0, 0))(x, x),
        lambda m, F, x: F.grad(lambda x, y: x.sum(), argnums=())(x, x),
        lambda m, F, x: F.grad(lambda x, y: x.sum(), argnums=(0, "a"))(x, x),
        lambda m, F, x: F.grad(lambda x: x.sum())(),
        lambda m, F, x: F.grad(lambda x: (x.sum(), 3), has_aux=True)(x),
        lambda m, F, x: F.vjp(lambda x: (x, {"a": 3}), x, has_aux=True),
        lambda m, F, x: F.grad(lambda x: x.sum())([x, 1]),
        lambda m, F, x: F.vjp(lambda x: x * 2, x)[1](m.ones(4, dtype=m.float64)),
        lambda m, F, x: F.vjp(lambda x: x * 2, x)[1]((m.ones(3, dtype=m.float64),)),
        lambda m, F, x: F.vjp(lambda x: (x * 2, 1), x),
        lambda m, F, x: F.vjp(lambda x: None, x),
        lambda m, F, x: F.vjp(lambda x: [], x),
        lambda m, F, x: F.vjp(lambda x: x.long(), x),
        lambda m, F, x: F.vjp(lambda x: x, x, has_aux=True),
        lambda m, F, x: F.jacrev(lambda x: x, chunk_size=0),
        lambda m, F, x: F.jacrev(lambda x: x, argnums=3)(x),
        lambda m, F, x: F.jacrev(lambda x: x.sum(), has_aux=True)(x),
    ],
)
def test_errors_match_torch(run):
    raises_same(run, rand(3))


def test_integer_input_cannot_be_differentiated():
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        agf.grad(lambda x: x.sum())(ag.arange(3))


# ---- functional_call and stack_module_state -----------------------------------


def _pair(make):
    """The same module in both libraries, with the same weights."""
    ours = make(ag)
    theirs = make(torch)
    with torch.no_grad():
        for (n1, p1), (n2, p2) in zip(ours.state_dict().items(), theirs.state_dict().items()):
            assert n1 == n2
            p2.copy_(_to_torch(p1))
    return ours, theirs


def _mlp(m):
    m.manual_seed(0)
    return m.nn.Sequential(m.nn.Linear(4, 8), m.nn.Tanh(), m.nn.Linear(8, 3))


def test_functional_call_uses_given_weights_and_restores():
    ours, theirs = _pair(_mlp)
    params = {k: rand(*v.shape, seed=i) for i, (k, v) in enumerate(ours.named_parameters())}
    x = rand(5, 4, seed=9)
    before = {k: v.detach().clone() for k, v in ours.named_parameters()}
    out = agf.functional_call(ours, params, x)
    expected = torch.func.functional_call(theirs.double(), _to_torch(params), _to_torch(x))
    assert_same(out, expected)
    for k, v in ours.named_parameters():
        assert isinstance(v, ag.nn.Parameter)
        np.testing.assert_array_equal(v.detach().numpy(), before[k].numpy())


def test_functional_call_partial_dict_args_kwargs_and_tuple_of_dicts():
    class Affine(ag.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = ag.nn.Parameter(ag.ones(3, dtype=ag.float64))
            self.register_buffer("shift", ag.zeros(3, dtype=ag.float64))

        def forward(self, x, *, scale=1.0):
            return (x * self.w + self.shift) * scale

    mod = Affine()
    x = rand(3)
    w, s = rand(3, seed=1), rand(3, seed=2)
    out = agf.functional_call(mod, ({"w": w}, {"shift": s}), (x,), {"scale": 2.0})
    np.testing.assert_allclose(out.numpy(), (x.numpy() * w.numpy() + s.numpy()) * 2)
    out = agf.functional_call(mod, {"shift": s}, x)
    np.testing.assert_allclose(out.detach().numpy(), x.numpy() + s.numpy())
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        agf.functional_call(mod, ({"w": w}, {"w": w}), x)
    with pytest.raises(ValueError, match="to be dictionaries"):
        agf.functional_call(mod, ({"w": w}, 3), x)
    with pytest.raises(ValueError, match="to be a dict, or a list/tuple of dicts"):
        agf.functional_call(mod, 3, x)


def test_functional_call_strict():
    ours, theirs = _pair(_mlp)
    params = dict(ours.named_parameters())
    partial = {k: v for k, v in params.items() if k != "2.bias"}
    extra = dict(params, **{"0.nope": rand(1)})
    for given in (partial, extra):
        with pytest.raises(RuntimeError) as e_ours:
            agf.functional_call(ours, given, rand(1, 4), strict=True)
        with pytest.raises(RuntimeError) as e_theirs:
            torch.func.functional_call(
                theirs, {k: _to_torch(v) for k, v in given.items()}, torch.zeros(1, 4), strict=True
            )
        assert str(e_ours.value) == str(e_theirs.value)


def test_functional_call_tie_weights():
    class Tied(ag.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = ag.nn.Linear(2, 2, bias=False)
            self.b = ag.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    mod = Tied().double()
    x = rand(1, 2)
    w = rand(2, 2, seed=1)
    expected = x.numpy() @ w.numpy().T @ w.numpy().T
    np.testing.assert_allclose(agf.functional_call(mod, {"a.weight": w}, x).numpy(), expected)
    untied = agf.functional_call(mod, {"a.weight": w}, x, tie_weights=False).detach().numpy()
    orig = mod.a.weight.detach().numpy()
    np.testing.assert_allclose(untied, x.numpy() @ w.numpy().T @ orig.T)
    with pytest.raises(ValueError, match="which are tied"):
        agf.functional_call(mod, {"a.weight": w, "b.weight": w * 2}, x)
    assert mod.b.weight is mod.a.weight


def test_functional_call_restores_after_an_exception():
    ours, _ = _pair(_mlp)
    w = ours[0].weight
    with pytest.raises(RuntimeError):
        agf.functional_call(ours, {"0.weight": rand(8, 5)}, rand(2, 4))
    assert ours[0].weight is w


def test_grad_over_functional_call_matches_torch():
    ours, theirs = _pair(_mlp)
    ours, theirs = ours.double(), theirs.double()
    x, y = rand(6, 4, seed=1), rand(6, 3, seed=2)

    def run(m, F, model, x, y):
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y):
            return m.nn.functional.mse_loss(F.functional_call(model, p, (x,)), y)

        return F.grad(loss)(params, x, y)

    assert_same(run(ag, agf, ours, x, y), run(torch, torch.func, theirs, *_to_torch((x, y))))


def test_per_sample_gradients_by_a_loop_equal_backward():
    model = _mlp(ag).double()
    params = {k: v.detach() for k, v in model.named_parameters()}
    x, y = rand(4, 4, seed=1), rand(4, 3, seed=2)

    def loss(p, xi, yi):
        out = agf.functional_call(model, p, (xi.unsqueeze(0),))
        return ((out - yi.unsqueeze(0)) ** 2).sum()

    for i in range(4):
        g = agf.grad(loss)(params, x[i], y[i])
        model.zero_grad()
        ((model(x[i : i + 1]) - y[i : i + 1]) ** 2).sum().backward()
        for k, p in model.named_parameters():
            np.testing.assert_allclose(g[k].numpy(), p.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_stack_module_state():
    models = [_mlp(ag) for _ in range(3)]
    for i, m in enumerate(models):
        with ag.no_grad():
            for p in m.parameters():
                p.add_(i)
    params, buffers = agf.stack_module_state(models)
    assert list(params) == [k for k, _ in models[0].named_parameters()]
    assert buffers == {}
    for k, v in params.items():
        assert v.is_leaf and v.requires_grad
        for i, m in enumerate(models):
            np.testing.assert_array_equal(
                v[i].detach().numpy(), dict(m.named_parameters())[k].detach().numpy()
            )
    bn = [ag.nn.BatchNorm1d(3) for _ in range(2)]
    p, b = agf.stack_module_state(bn)
    tp, tb = torch.func.stack_module_state([torch.nn.BatchNorm1d(3) for _ in range(2)])
    assert list(b) == list(tb) and list(p) == list(tp)
    assert {k: tuple(v.shape) for k, v in b.items()} == {k: tuple(v.shape) for k, v in tb.items()}
    assert not b["running_mean"].requires_grad


def test_stack_module_state_errors():
    with pytest.raises(RuntimeError, match="Expected at least one model, got 0"):
        agf.stack_module_state([])
    a, b = ag.nn.Linear(2, 2), ag.nn.Linear(2, 2)
    b.eval()
    with pytest.raises(RuntimeError, match="same training/eval mode"):
        agf.stack_module_state([a, b])
    with pytest.raises(RuntimeError, match="same class"):
        agf.stack_module_state([a, ag.nn.Tanh()])
    c = ag.nn.Linear(2, 2)
    c.bias.requires_grad_(False)
    with pytest.raises(RuntimeError, match="bias from each model to have the same .requires_grad"):
        agf.stack_module_state([a, c])


def test_namespace_matches_torch_func_signatures():
    import inspect

    for name in agf.__all__:
        ours = inspect.signature(getattr(agf, name))
        theirs = inspect.signature(getattr(torch.func, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        for p in theirs.parameters.values():
            assert ours.parameters[p.name].default == p.default, (name, p.name)
            assert ours.parameters[p.name].kind == p.kind, (name, p.name)
    assert ag.func is agf


@pytest.mark.parametrize("name", agf.__all__)
def test_docstring_examples_run(name):
    import doctest

    obj = getattr(agf, name)
    (test,) = doctest.DocTestFinder(recurse=False).find(obj, name, globs={})
    assert test.examples, name
    out = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert runner.run(test, out=out.append).failed == 0, "".join(out)
