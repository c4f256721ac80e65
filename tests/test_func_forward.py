"""autograd_cpp.func.jvp and jacfwd against torch.func in float64: values,
structures, argnums, has_aux, errors, and composition with grad, jacrev,
hessian and vmap."""

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import func as agf
from oracle import requires_torch, torch
from test_func import _to_torch, assert_same, both, raises_same, rand

pytestmark = requires_torch

VECTOR_FNS = {
    "sin": lambda m, x: m.sin(x),
    "poly": lambda m, x: x**3 - 2 * x * x + x,
    "softmax": lambda m, x: m.softmax(x, -1),
    "log_softmax_2d": lambda m, x: m.log_softmax(x.reshape(2, 3), 0),
    "matmul": lambda m, x: x.reshape(2, 3) @ x.reshape(3, 2),
    "tanh_norm": lambda m, x: m.tanh(x) / x.norm(),
    "reductions": lambda m, x: m.stack([x.sum(), x.prod(), x.amax(), x.var(), x.logsumexp(0)]),
    "shapes": lambda m, x: m.cat([x.flip(0), x[1:4]]).reshape(3, 3).t().sigmoid(),
    "relu_gelu": lambda m, x: m.nn.functional.gelu(x) + m.relu(x) ** 2,
    "where_clamp": lambda m, x: m.where(x > 0, x.clamp(max=0.7), x.exp()),
    "layer_norm": lambda m, x: m.nn.functional.layer_norm(x.reshape(2, 3), (3,)),
    "scalar": lambda m, x: (x.sin() * x).sum(),
}


@pytest.mark.parametrize("name", sorted(VECTOR_FNS))
def test_jvp_matches_torch(name):
    fn = VECTOR_FNS[name]
    both(lambda m, F, x, t: F.jvp(lambda x: fn(m, x), (x,), (t,)), rand(6), rand(6, seed=1))


@pytest.mark.parametrize("name", sorted(VECTOR_FNS))
def test_jacfwd_matches_torch_and_jacrev(name):
    fn = VECTOR_FNS[name]
    ours, _ = both(lambda m, F, x: F.jacfwd(lambda x: fn(m, x))(x), rand(6))
    rev = agf.jacrev(lambda x: fn(ag, x))(rand(6))
    np.testing.assert_allclose(ours.numpy(), rev.numpy(), atol=1e-12)


def test_jvp_structures_and_has_aux():
    def run(m, F, x, y, tx, ty):
        def f(p):
            a, b = p["a"], p["b"]
            return (a * b.sum(), [a.exp()]), a.sum()

        return F.jvp(f, ({"a": x, "b": y},), ({"a": tx, "b": ty},), has_aux=True)

    both(run, rand(3), rand(2, seed=1), rand(3, seed=2), rand(2, seed=3))


def test_jvp_of_constant_output_is_zero_and_strict_raises():
    both(lambda m, F, x: F.jvp(lambda x: m.ones(2, dtype=x.dtype), (x,), (x,)), rand(3))
    raises_same(
        lambda m, F, x: F.jvp(lambda x: m.ones(2, dtype=x.dtype), (x,), (x,), strict=True),
        rand(3),
    )


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0)])
def test_jacfwd_argnums(argnums):
    def run(m, F, x, y):
        return F.jacfwd(lambda x, y: (x[:, None] * y).sin(), argnums=argnums)(x, y)

    both(run, rand(3), rand(2, seed=1))


def test_jacfwd_negative_argnums_equal_jacrev():
    # torch.func.jacfwd returns zeros for a negative argnum; jacrev does not.
    def f(x, y):
        return (x[:, None] * y).sin()

    x, y = rand(3), rand(2, seed=1)
    for a in (-1, (-2, -1)):
        assert_same(
            agf.jacfwd(f, argnums=a)(x, y), torch.func.jacrev(f, argnums=a)(*_to_torch((x, y)))
        )


def test_jacfwd_has_aux_and_dict_input():
    def run(m, F, p):
        return F.jacfwd(lambda p: ((p["w"] @ p["v"]).tanh(), p["v"].sum()), has_aux=True)(p)

    both(run, {"w": rand(2, 3), "v": rand(3, seed=1)})


JVP_ERRORS = [
    lambda m, F, x: F.jvp(m.sin, [x], [x]),
    lambda m, F, x: F.jvp(m.sin, (x,), (x, x)),
    lambda m, F, x: F.jvp(m.sin, (x,), (x[:2],)),
    lambda m, F, x: F.jvp(m.sin, (), ()),
    lambda m, F, x: F.jvp(m.sin, (2.0,), (1.0,)),
    lambda m, F, x: F.jvp(lambda x: 3, (x,), (x,)),
    lambda m, F, x: F.jvp(lambda x: (x, 3), (x,), (x,)),
    lambda m, F, x: F.jvp(lambda x: x, (x,), (x,), has_aux=True),
    lambda m, F, x: F.jacfwd(m.sin, randomness="maybe")(x),
]


@pytest.mark.parametrize("run", JVP_ERRORS)
def test_errors_match_torch(run):
    raises_same(run, rand(3))


def test_forward_over_reverse_compositions():
    def f(m, x):
        return (m.sin(x) * x.exp()).sum() + (x[:2] @ x[1:]) ** 2

    def run(m, F, x, v):
        hvp = F.jvp(F.grad(lambda x: f(m, x)), (x,), (v,))[1]
        hess_fwd = F.jacfwd(F.jacrev(lambda x: f(m, x)))(x)
        hess_fwdfwd = F.jacfwd(F.jacfwd(lambda x: f(m, x)))(x)
        return hvp, hess_fwd, hess_fwdfwd, F.hessian(lambda x: f(m, x))(x)

    ours, _ = both(run, rand(3), rand(3, seed=1))
    np.testing.assert_allclose(ours[1].numpy(), ours[3].numpy(), atol=1e-12)
    np.testing.assert_allclose(ours[0].numpy(), ours[3].numpy() @ rand(3, seed=1).numpy())


def test_grad_through_jvp_wrt_primal_and_tangent():
    def run(m, F, x, t):
        def g(x, t):
            return F.jvp(lambda x: (x.sin() * x).sum(), (x,), (t,))[1]

        return F.grad(g, argnums=(0, 1))(x, t)

    both(run, rand(4), rand(4, seed=1))


def test_vmap_of_jvp_and_jacfwd():
    def run(m, F, x, t):
        per = F.vmap(lambda a, b: F.jvp(lambda z: z.tanh() * z.sum(), (a,), (b,)))(x, t)
        jac = F.vmap(F.jacfwd(lambda z: z.sin() * z[0]))(x)
        return per, jac

    both(run, rand(5, 3), rand(5, 3, seed=1))


def test_jvp_inside_backward_of_a_module():
    model = ag.nn.Linear(3, 2).double()
    x, t = rand(3), rand(3, seed=1)
    _, jt = agf.jvp(model, (x,), (t,))
    expected = (model.weight @ t).detach().numpy()
    np.testing.assert_allclose(jt.detach().numpy(), expected, atol=1e-12)
    jt_tracked = agf.jvp(lambda z: model(z).tanh(), (x,), (t,))[1]
    assert jt.requires_grad and jt_tracked.requires_grad  # they depend on the weights
    jt_tracked.sum().backward()
    assert model.weight.grad is not None


def test_signatures_match_torch():
    import inspect

    for name in ("jvp", "jacfwd"):
        ours = inspect.signature(getattr(agf, name))
        theirs = inspect.signature(getattr(torch.func, name))
        assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
            (p.name, p.kind, p.default) for p in theirs.parameters.values()
        ]
    assert_same(
        agf.jvp(ag.sin, (rand(2),), (rand(2),)),
        torch.func.jvp(torch.sin, *_to_torch(((rand(2),), (rand(2),)))),
    )
