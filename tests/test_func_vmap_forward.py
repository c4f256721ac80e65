"""vmap and vmap of forward mode against torch.func in float64: vmap, vmap(jvp) and jacfwd
(one forward pass vmapped over the basis tangents) on the op database,
make_dual/unpack_dual under vmap, nested transforms, in_dims/out_dims, and
per-sample gradients against a loop of per-example backward passes."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import func as agf
from op_db import OPS, sample_values
from oracle import requires_torch, torch
from test_forward_ad import TORCH_DROPS_TANGENT
from test_func import _to_torch, assert_same, both, rand

pytestmark = requires_torch

BATCH = 3


def _batched_inputs(op, seed):
    """Each input of the op's first sample shape, BATCH times (different
    values per example), and tangents of the same shapes."""
    shapes = op.shapes[0]
    per = [sample_values(shapes, op.domain, seed=seed + k) for k in range(BATCH)]
    xs = [np.stack([p[i] for p in per]) for i in range(len(shapes))]
    rng = np.random.default_rng(seed + 100)
    ts = [rng.uniform(-1.0, 1.0, size=x.shape) for x in xs]
    return xs, ts


def _run_both(run, xs, ts):
    """run(lib, F, xs, ts) on both libraries; None where torch.func cannot
    run it (an op its vmap or forward mode does not support)."""
    try:
        theirs = run(
            torch, torch.func, [torch.tensor(x) for x in xs], [torch.tensor(t) for t in ts]
        )
    except (RuntimeError, NotImplementedError, ValueError, IndexError, TypeError):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ops without a batching rule warn once
        ours = run(ag, agf, [ag.tensor(x) for x in xs], [ag.tensor(t) for t in ts])
    return ours, theirs


def _floating(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return all(o.is_floating_point() for o in outs)


def _jvp_by_jacobian(F, f, primals, tangents):
    """f's value and Jacobian-vector product from reverse mode: the reference
    where PyTorch's forward rule drops the tangent (TORCH_DROPS_TANGENT)."""
    out = f(*primals)
    jac = F.jacrev(f, argnums=tuple(range(len(primals))))(*primals)
    total = 0
    for j, t in zip(jac, tangents):
        total = total + (j * t).reshape(*out.shape, -1).sum(-1)
    return out, total


def _vmap_jvp(op):
    def run(lib, F, xs, ts):
        def f(*a):
            return op.fn(lib, *a)

        n = len(xs)
        jvp = _jvp_by_jacobian if lib is torch and op.name in TORCH_DROPS_TANGENT else F.jvp

        def one(*args):
            return jvp(f, tuple(args[:n]), tuple(args[n:]))

        return F.vmap(one)(*xs, *ts)

    return run


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_vmap_matches_torch_on_the_op_database(op):
    xs, _ = _batched_inputs(op, seed=2)

    def run(lib, F, xs, ts):
        return F.vmap(lambda *a: op.fn(lib, *a))(*xs)

    result = _run_both(run, xs, [])
    if result is None:
        return
    assert_same(*result)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_vmap_of_jvp_matches_torch_on_the_op_database(op):
    xs, ts = _batched_inputs(op, seed=0)
    result = _run_both(_vmap_jvp(op), xs, ts)
    if result is None:
        return
    assert_same(*result)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_jacfwd_matches_torch_on_the_op_database(op):
    xs, ts = _batched_inputs(op, seed=1)
    xs = [x[0] for x in xs]  # one example; jacfwd vmaps over its basis

    def run(lib, F, xs, ts):
        argnums = tuple(range(len(xs)))
        by_reverse = lib is torch and op.name in TORCH_DROPS_TANGENT
        jac = F.jacrev if by_reverse else F.jacfwd
        return jac(lambda *a: op.fn(lib, *a), argnums=argnums)(*xs)

    result = _run_both(run, xs, ts)
    if result is None:
        return
    assert_same(*result)


def test_jacfwd_is_one_forward_pass():
    calls = []

    def f(m, x):
        calls.append(1)
        return (m.tanh(x) * x.sum()).reshape(2, 3)

    jac = agf.jacfwd(lambda x: f(ag, x))(rand(6))
    assert len(calls) == 1
    assert_same(jac, torch.func.jacfwd(lambda x: f(torch, x))(torch.tensor(rand(6).numpy())))


def test_make_dual_and_unpack_dual_under_vmap():
    def one(m, w):
        fw = m.autograd.forward_ad

        def run(x, t):
            with fw.dual_level():
                d = fw.make_dual(x, t)
                out = fw.unpack_dual((d.sin() * w).sum(-1) + d.exp())
                return out.primal, out.tangent

        return run

    x, t, w = rand(4, 3), rand(4, 3, seed=1), rand(3, seed=2)
    tx, tt, tw = _to_torch((x, t, w))
    # torch.func has no batching rule for make_dual: the reference is a loop
    # of single examples in torch.
    for in_dims, t_at in ((0, lambda i: tt[i]), ((0, None), lambda i: tt[0])):
        ours = agf.vmap(one(ag, w), in_dims=in_dims)(x, t if in_dims == 0 else t[0])
        loop = [one(torch, tw)(tx[i], t_at(i)) for i in range(4)]
        assert_same(ours, tuple(torch.stack([r[j] for r in loop]) for j in range(2)))


def test_vmap_jvp_in_dims_and_out_dims():
    def f(m, x, y):
        return (x * y.sin()).tanh(), (x @ y) * y

    def run(m, F, xs, ys, ts):
        jv = lambda x, y, t: F.jvp(lambda a: f(m, a, y), (x,), (t,))  # noqa: E731
        return (
            F.vmap(jv, in_dims=(0, None, 0))(xs, ys[0], ts),
            F.vmap(jv, in_dims=(-1, 1, None))(xs.t(), ys.t(), ts[0]),
            F.vmap(jv, out_dims=((1, 0), -1))(xs, ys, ts),
        )

    both(run, rand(5, 3), rand(5, 3, seed=1), rand(5, 3, seed=2))


def test_nested_forward_transforms():
    def f(m, x):
        return (m.sin(x) * x.exp()).sum() + (x[:2] @ x[1:]) ** 2

    def g(m, x):
        return m.stack([x.prod(), (x**2).sum(), m.logsumexp(x, 0)]) * x[0]

    def run(m, F, xs, ts):
        fwd = lambda x: f(m, x)  # noqa: E731
        return (
            F.vmap(F.jacfwd(lambda x: g(m, x)))(xs),
            F.vmap(F.vmap(lambda x, t: F.jvp(lambda u: g(m, u), (x,), (t,))))(
                xs.reshape(1, 4, 3), ts.reshape(1, 4, 3)
            ),
            F.vmap(lambda x, t: F.jvp(F.grad(fwd), (x,), (t,)))(xs, ts),
            F.vmap(F.jacfwd(F.jacrev(fwd)))(xs),
            F.jacfwd(F.jacfwd(lambda x: g(m, x)))(xs[0]),
            F.jacfwd(lambda x: F.vmap(lambda r: g(m, r))(x))(xs),
        )

    both(run, rand(4, 3), rand(4, 3, seed=1))


def test_jacfwd_of_jacrev_is_the_hessian():
    def f(m, x, y):
        return (m.tanh(x @ y) * x).sum() + (x**3).prod()

    x, y = rand(4), rand(4, 4, seed=1)
    for argnums in (0, 1, (0, 1)):
        ours = agf.jacfwd(agf.jacrev(lambda a, b: f(ag, a, b), argnums), argnums)(x, y)
        hess = agf.hessian(lambda a, b: f(ag, a, b), argnums)(x, y)
        theirs = torch.func.hessian(lambda a, b: f(torch, a, b), argnums)(*_to_torch((x, y)))
        assert_same(ours, theirs)
        assert_same(hess, theirs)


@pytest.mark.parametrize("chunk_size", [None, 2])
def test_jacrev_matches_torch_and_looped_rows(chunk_size):
    def f(m, x, w):
        h = x
        for _ in range(3):
            h = m.tanh(w @ h) + h.sin() * 0.5
        return h.reshape(2, 2), h.sum()

    def run(m, F, x, w):
        return F.jacrev(lambda a, b: f(m, a, b), argnums=(0, 1), chunk_size=chunk_size)(x, w)

    both(run, rand(4), rand(4, 4, seed=1))


def test_per_sample_grads_equal_a_loop_of_backward():
    ag.manual_seed(0)
    model = ag.nn.Sequential(ag.nn.Linear(4, 8), ag.nn.Tanh(), ag.nn.Linear(8, 3)).double()
    params = {k: v.detach() for k, v in model.named_parameters()}
    x, y = rand(6, 4), ag.tensor([0, 2, 1, 1, 0, 2])

    def loss(p, xi, yi):
        out = agf.functional_call(model, p, (xi.unsqueeze(0),))
        return ag.nn.functional.cross_entropy(out, yi.unsqueeze(0))

    per_sample = agf.vmap(agf.grad(loss), in_dims=(None, 0, 0))(params, x, y)
    for i in range(6):
        model.zero_grad()
        ag.nn.functional.cross_entropy(model(x[i : i + 1]), y[i : i + 1]).backward()
        for k, p in model.named_parameters():
            np.testing.assert_allclose(per_sample[k][i].numpy(), p.grad.numpy(), atol=1e-12)


def test_fallback_under_forward_mode_warns_once_naming_the_op():
    from autograd_cpp.func import _batched

    def run(m, F, x, t):
        # roll without dims (of the flattened example) has no batching rule:
        # it runs once per example, tangents too.
        return F.vmap(lambda x, t: F.jvp(lambda u: u.roll(1).sin(), (x,), (t,)))(x, t)

    _batched._warned.discard("roll")
    with pytest.warns(UserWarning, match="no batching rule for `roll`"):
        both(run, rand(3, 4), rand(3, 4, seed=1))


@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
def test_forward_over_reverse_through_fused_backward_kernels(act):
    # tanh's and sigmoid's backward use one fused kernel when the backward is
    # not differentiated; with a dual saved result it must keep the tangent.
    def run(m, F, w, x, v):
        def f(x):
            return getattr(m, act)(w @ x).pow(2).sum()

        hvp = F.jvp(F.grad(f), (x,), (v,))[1]
        fw = m.autograd.forward_ad
        leaf = x.detach().requires_grad_(True)
        with fw.dual_level():
            dual = fw.make_dual(leaf, v)
            (g,) = m.autograd.grad(f(dual), (dual,))
            return hvp, fw.unpack_dual(g).tangent

    both(run, rand(4, 4), rand(4, seed=1), rand(4, seed=2))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_fast_paths_vmap_relies_on(dtype):
    # A right operand shared by the batch (stride 0) is one product of
    # stacked rows; k == 1 products are outer products: both against torch,
    # with gradients.
    rng = np.random.default_rng(0)
    cases = [((5, 3, 4), (4, 6), True), ((5, 4, 1), (5, 1, 6), False), ((7, 1), (1, 3), False)]
    for sa, sb, expand in cases:
        a, b = rng.standard_normal(sa).astype(dtype), rng.standard_normal(sb).astype(dtype)

        def run(m, a, b, expand=expand):
            a = m.tensor(a).requires_grad_(True)
            b = m.tensor(b).requires_grad_(True)
            rhs = b.expand(a.shape[0], *b.shape) if expand else b
            out = m.matmul(a, rhs)
            (out * out).sum().backward()
            return out.detach(), a.grad, b.grad

        tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
        for o, t in zip(run(ag, a, b), run(torch, a, b)):
            np.testing.assert_allclose(o.numpy(), t.numpy(), **tol)
