"""Forward-mode AD (autograd.forward_ad): dual levels, make_dual/unpack_dual,
every op's forward rule against PyTorch's forward AD and finite differences,
the NotImplementedError of ops without a rule, and reverse-over-forward."""

import numpy as np
import pytest

import autograd_cpp as ag
import autograd_cpp.autograd.forward_ad as fwAD
from op_db import OPS as DB_OPS
from op_db import OpInfo, sample_values
from oracle import requires_torch, torch

if torch is not None:
    import torch.autograd.forward_ad as tfwAD


def _tangent_values(shapes, seed):
    rng = np.random.default_rng(seed + 100)
    return [rng.uniform(-1.0, 1.0, size=s) for s in shapes]


def _jvp(lib, fw, fn, values, tangents, dtype, transpose=False):
    """fn's output and tangent at values along tangents, by forward AD."""

    def make(v):
        if transpose and np.ndim(v) == 2:
            return lib.tensor(np.ascontiguousarray(v.T), dtype=dtype).t()
        return lib.tensor(v, dtype=dtype)

    with fw.dual_level():
        duals = [fw.make_dual(make(v), make(t)) for v, t in zip(values, tangents)]
        out = fw.unpack_dual(fn(lib, *duals))
        assert out.tangent is not None
        return out.primal.detach().numpy().copy(), out.tangent.detach().numpy().copy()


# ---- the forward rules, against PyTorch and finite differences -------------------------

# Every op of op_db has a forward rule, except those listed here with the op
# name their NotImplementedError must give. A new op without a rule fails
# test_forward_rule_matches_torch until it gets one or is listed.
WITHOUT_RULE: dict[str, str] = {}

# PyTorch 2.13's scatter_reduce "prod" forward rule gives the result no
# tangent at all; ours is the derivative, checked by finite differences,
# gradcheck's forward mode and the reverse-mode Jacobian
# (test_scatter_reduce_prod_tangent_is_the_jacobian_product).
TORCH_DROPS_TANGENT = {"scatter_reduce_prod", "scatter_reduce_prod_exclude_self",
                       "scatter_reduce_inplace"}  # fmt: skip


def _torch_drops_the_tangent(op, values, tangents, **kw):
    """Checks that PyTorch still gives no tangent (so the list is revised
    when it does)."""
    # (its in-place form refuses a dual src outright)
    with pytest.raises((AssertionError, RuntimeError)):
        _jvp(torch, tfwAD, op.fn, values, tangents, torch.float64, **kw)


# PyTorch's hardsigmoid forward rule scales by 1/6 rounded to float32, even in
# float64 (its tangent is off by ~3e-8 relative); ours is exact.
FLOAT32_ACCURATE_IN_TORCH = {"hardsigmoid"}

# Forward-mode variants the op database does not list: ties, keepdim forms,
# dims lists, label smoothing over probabilities, in-place writes.
EXTRA = [
    OpInfo("max_ties", lambda m, a: (a.round() * 0.5).max(), [((3, 4),)], smooth=False),
    OpInfo("amax_ties_dims", lambda m, a: m.amax(a.round(), (0, 2)), [((2, 3, 4),)], smooth=False),
    OpInfo("min_dim", lambda m, a: a.min(0)[0], [((3, 4),)]),
    OpInfo("max_dim_keepdim", lambda m, a: a.max(-1, keepdim=True)[0], [((2, 3, 4),)]),
    OpInfo("prod_with_zero", lambda m, a: (a * m.tensor([1.0, 0.0, 1.0])).prod(1), [((2, 3),)]),
    OpInfo("std_dims_keepdim", lambda m, a: a.std((0, 2), keepdim=True), [((2, 3, 4),)]),
    OpInfo("var_correction2", lambda m, a: a.var(1, correction=2), [((3, 5),)]),
    OpInfo("norm_dims_p3", lambda m, a: a.norm(p=3, dim=(0, 1)), [((3, 4, 2),)]),
    OpInfo("logsumexp_keepdim", lambda m, a: m.logsumexp(a * 30, 1, keepdim=True), [((3, 4),)]),
    OpInfo("cumsum_dim1", lambda m, a: m.cumsum(a, 1) * a, [((3, 4),)]),
    OpInfo(
        "cross_entropy_probs_smoothing",
        lambda m, x, t: m.nn.functional.cross_entropy(x, t.softmax(1), label_smoothing=0.2),
        [((3, 5), (3, 5))],
    ),
    OpInfo(
        "where_broadcast",
        lambda m, a, b: m.where(a > 0, a * b, b.exp()),
        [((3, 4), (4,))],
        smooth=False,
    ),
    OpInfo("clamp_tensor_bounds", lambda m, a, lo: a.clamp(lo, lo + 1.0), [((3, 4), (4,))]),
    OpInfo("setitem_dual_value", lambda m, a, b: _setitem(m, a, b), [((3, 4), (4,))]),
    OpInfo("scatter_reduce_grad_path", lambda m, a, b: _scatter_chain(m, a, b), [((3, 4), (3, 2))]),
]


def _setitem(m, a, b):
    out = a * 1.0
    out[1] = b.sin()
    out[0, 1:3] = b[:2] * 2
    return out


def _scatter_chain(m, a, b):
    idx = m.tensor([[0, 3], [1, 1], [2, 0]])
    return a.scatter_add(1, idx, b).gather(1, idx) * a.index_select(1, m.tensor([0, 2]))


OPS = DB_OPS + EXTRA
CASES = [(op, shapes) for op in OPS for shapes in op.shapes]
IDS = [f"{op.name}-{'x'.join(map(str, s))}" for op, s in CASES]


def _ours_or_missing(op, values, tangents, dtype, transpose=False):
    """Our jvp, or None when the op is listed without a rule (after checking
    that its error names it: never a silent zero)."""
    try:
        return _jvp(ag, fwAD, op.fn, values, tangents, dtype, transpose)
    except NotImplementedError as e:
        assert op.name in WITHOUT_RULE, f"{op.name} must have a forward rule: {e}"
        assert f"Trying to use forward AD with {WITHOUT_RULE[op.name]} " in str(e)
        assert "that does not support it" in str(e)
        return None


@requires_torch
@pytest.mark.parametrize("op,shapes", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_forward_rule_matches_torch(op, shapes, dtype):
    values = sample_values(shapes, op.domain, seed=0)
    tangents = _tangent_values(shapes, 0)
    ours = _ours_or_missing(op, values, tangents, getattr(ag, dtype))
    if ours is None:
        return
    if op.name in TORCH_DROPS_TANGENT:
        _torch_drops_the_tangent(op, values, tangents)
        return
    try:
        ref = _jvp(torch, tfwAD, op.fn, values, tangents, getattr(torch, dtype))
    except NotImplementedError:
        return  # PyTorch has no rule (sdpa's fused kernel); finite differences check ours
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours[0], ref[0], **tol)
    if op.name in FLOAT32_ACCURATE_IN_TORCH:
        tol = dict(rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours[1], ref[1], **tol)


def test_ops_listed_without_a_rule_are_in_the_op_database():
    assert set(WITHOUT_RULE) <= {op.name for op in OPS}


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_every_op_has_a_rule_or_names_itself(op):
    # Each output gets a tangent, or the op raises naming itself.
    values = sample_values(op.shapes[0], op.domain, seed=1)
    tangents = _tangent_values(op.shapes[0], 1)
    with fwAD.dual_level():
        duals = [
            fwAD.make_dual(ag.tensor(v, dtype=ag.float64), ag.tensor(t, dtype=ag.float64))
            for v, t in zip(values, tangents)
        ]
        try:
            out = op.fn(ag, *duals)
        except NotImplementedError as e:
            assert op.name in WITHOUT_RULE, str(e)
            assert f"Trying to use forward AD with {WITHOUT_RULE[op.name]} " in str(e)
            return
        outs = out if isinstance(out, (tuple, list)) else [out]
        for o in outs:
            if o.is_floating_point():
                assert fwAD.unpack_dual(o).tangent is not None, op.name


NON_CONTIGUOUS = [(op, s) for op, s in CASES if any(len(x) == 2 for x in s)]


@requires_torch
@pytest.mark.parametrize(
    "op,shapes",
    NON_CONTIGUOUS,
    ids=[f"{op.name}-{'x'.join(map(str, s))}" for op, s in NON_CONTIGUOUS],
)
def test_forward_rule_non_contiguous(op, shapes):
    values = sample_values(shapes, op.domain, seed=2)
    tangents = _tangent_values(shapes, 2)
    if op.name in WITHOUT_RULE:
        assert _ours_or_missing(op, values, tangents, ag.float64, transpose=True) is None
        return
    if op.name in TORCH_DROPS_TANGENT:
        _torch_drops_the_tangent(op, values, tangents, transpose=True)
        return
    try:
        ref = _jvp(torch, tfwAD, op.fn, values, tangents, torch.float64, transpose=True)
    except NotImplementedError:
        return  # PyTorch has no rule (sdpa's fused kernel); finite differences check ours
    except RuntimeError:
        # view() of a transposed tensor: the same error here
        with pytest.raises(RuntimeError):
            _jvp(ag, fwAD, op.fn, values, tangents, ag.float64, transpose=True)
        return
    ours = _ours_or_missing(op, values, tangents, ag.float64, transpose=True)
    if ours is None:
        return
    loose = op.name in FLOAT32_ACCURATE_IN_TORCH
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-6 if loose else 1e-10, atol=1e-12)


SMOOTH = [(op, s) for op, s in CASES if op.smooth]


@pytest.mark.parametrize(
    "op,shapes", SMOOTH, ids=[f"{op.name}-{'x'.join(map(str, s))}" for op, s in SMOOTH]
)
def test_forward_rule_finite_differences(op, shapes):
    values = sample_values(shapes, op.domain, seed=3)
    tangents = _tangent_values(shapes, 3)
    ours = _ours_or_missing(op, values, tangents, ag.float64)
    if ours is None:
        return
    tangent = ours[1]
    eps = 1e-6

    def at(step):
        xs = [ag.tensor(v + step * t, dtype=ag.float64) for v, t in zip(values, tangents)]
        return op.fn(ag, *xs).detach().numpy()

    numerical = (at(eps) - at(-eps)) / (2 * eps)
    np.testing.assert_allclose(tangent, numerical, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "op,shapes", SMOOTH, ids=[f"{op.name}-{'x'.join(map(str, s))}" for op, s in SMOOTH]
)
def test_forward_rule_gradcheck(op, shapes):
    from autograd_cpp.autograd import gradcheck

    if op.name in WITHOUT_RULE:
        return
    values = sample_values(shapes, op.domain, seed=4)
    xs = tuple(ag.tensor(v, dtype=ag.float64, requires_grad=True) for v in values)
    assert gradcheck(lambda *a: op.fn(ag, *a), xs, check_forward_ad=True, check_backward_ad=False)


SECOND = [(op, s) for op, s in SMOOTH if op.second and op.name not in WITHOUT_RULE]


def _mixed_modes(lib, fw, op, values, tangents, weights):
    """Reverse over forward (the gradient of <jvp, w>) and forward over
    reverse (the tangent of the gradient of <f, w>) at values along tangents."""

    def leaves():
        return [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in values]

    def weighted(out):
        outs = out if isinstance(out, (tuple, list)) else [out]
        return sum((o * lib.tensor(w, dtype=lib.float64)).sum() for o, w in zip(outs, weights))

    xs = leaves()
    with fw.dual_level():
        duals = [fw.make_dual(x, lib.tensor(t, dtype=lib.float64)) for x, t in zip(xs, tangents)]
        out = op.fn(lib, *duals)
        outs = out if isinstance(out, (tuple, list)) else [out]
        jvp = weighted([fw.unpack_dual(o).tangent for o in outs])
        # A tangent that does not depend on the primals (a linear op) has a
        # zero gradient, shown as None.
        rof = (
            lib.autograd.grad(jvp, xs, allow_unused=True) if jvp.requires_grad else [None] * len(xs)
        )
    xs = leaves()
    with fw.dual_level():
        duals = [fw.make_dual(x, lib.tensor(t, dtype=lib.float64)) for x, t in zip(xs, tangents)]
        grads = lib.autograd.grad(
            weighted(op.fn(lib, *duals)), duals, create_graph=True, allow_unused=True
        )
        # Built from dual tensors, each gradient carries its own tangent.
        for_ = [None if g is None else fw.unpack_dual(g).tangent for g in grads]
    return [None if r is None else r.detach().numpy().copy() for r in rof], [
        None if f is None else f.detach().numpy().copy() for f in for_
    ]


@requires_torch
@pytest.mark.parametrize(
    "op,shapes", SECOND, ids=[f"{op.name}-{'x'.join(map(str, s))}" for op, s in SECOND]
)
def test_reverse_over_forward_and_forward_over_reverse_match_torch(op, shapes):
    values = sample_values(shapes, op.domain, seed=6)
    tangents = _tangent_values(shapes, 6)
    with torch.no_grad():
        outs = op.fn(torch, *[torch.tensor(v) for v in values])
    outs = outs if isinstance(outs, (tuple, list)) else [outs]
    rng = np.random.default_rng(16)
    weights = [rng.uniform(-1.0, 1.0, size=tuple(o.shape)) for o in outs]
    if op.name in TORCH_DROPS_TANGENT:
        # No reference: our two orders must compute the same product.
        _assert_same_derivatives(*_mixed_modes(ag, fwAD, op, values, tangents, weights), op.name)
        return
    try:
        ref = _mixed_modes(torch, tfwAD, op, values, tangents, weights)
    except (NotImplementedError, RuntimeError):
        return  # PyTorch has no second-order forward rule for this op
    ours_rof, ours_for = _mixed_modes(ag, fwAD, op, values, tangents, weights)
    ref_rof, ref_for = ref
    _assert_same_derivatives(ours_for, ref_for, op.name)
    # Both orders compute the same Hessian-vector product.
    _assert_same_derivatives(ours_rof, ours_for, op.name)
    # PyTorch's reverse over forward drops the dependence on the saved
    # statistics of its fused normalization kernels (layer/batch/instance norm
    # and losses built on them), so its two orders disagree there: compared
    # only where they agree.
    if _same_derivatives(ref_rof, ref_for):
        _assert_same_derivatives(ours_rof, ref_rof, op.name)


def _same_derivatives(a_list, b_list):
    try:
        _assert_same_derivatives(a_list, b_list, "")
    except AssertionError:
        return False
    return True


def _assert_same_derivatives(a_list, b_list, name):
    """Equal per input; None (no dependence) counts as zeros."""
    for a, b in zip(a_list, b_list):
        if a is None or b is None:
            c = a if b is None else b
            assert c is None or np.allclose(c, 0.0, atol=1e-10), name
            continue
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10, err_msg=name)


# ---- levels, make_dual, unpack_dual ---------------------------------------------------


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return type(e), str(e)
    return None


@requires_torch
def test_level_rules_and_errors_match_torch():
    def scenario(lib, fw):
        x = lib.tensor([1.0, 2.0, 3.0])
        t = lib.tensor([0.5, -1.0, 2.0])
        seen = [_error(lambda: fw.make_dual(x, t)), _error(fw.exit_dual_level)]
        with fw.dual_level() as level:
            seen.append(level)
            seen.append(_error(fw.enter_dual_level))
            seen.append(_error(lambda: fw.make_dual(x, lib.tensor([1.0, 2.0]))))
            seen.append(_error(lambda: fw.make_dual(x, lib.tensor([1, 2, 3]))))
            seen.append(_error(lambda: fw.make_dual(lib.tensor([1, 2, 3]), t)))
            d = fw.make_dual(x, t)
            seen.append(_error(lambda: fw.make_dual(d, t)))
            seen.append(_error(lambda: fw.make_dual(x, d)))
            seen.append(_error(lambda: fw.exit_dual_level(level=1)))
            seen.append(fw.unpack_dual(x).tangent is None)
        seen.append(fw.unpack_dual(d).tangent is None)
        seen.append(fw.enter_dual_level())
        fw.exit_dual_level(level=0)
        return seen

    ours = scenario(ag, fwAD)
    ref = scenario(torch, tfwAD)
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        if isinstance(b, tuple):
            assert a is not None and a[0].__name__ == b[0].__name__ and a[1] == b[1]
        else:
            assert a == b


def test_unpack_dual_is_a_named_tuple():
    x = ag.tensor([1.0, 2.0])
    t = ag.tensor([3.0, 4.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t)
        primal, tangent = fwAD.unpack_dual(d)
        unpacked = fwAD.unpack_dual(d)
        assert unpacked.primal is primal or np.array_equal(unpacked.primal.numpy(), x.numpy())
        assert unpacked.tangent is t
        assert np.array_equal(primal.numpy(), x.numpy())
        assert fwAD.unpack_dual(primal).tangent is None  # the primal is plain
        assert repr(unpacked).startswith("UnpackedDualTensor(primal=tensor(")
    assert fwAD.unpack_dual(d) == (d, None)


def test_tangents_die_with_their_level():
    x = ag.tensor([1.0, 2.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, ag.ones(2))
        y = d * 3
        assert fwAD.unpack_dual(y).tangent is not None
    with fwAD.dual_level():
        assert fwAD.unpack_dual(d).tangent is None
        assert fwAD.unpack_dual(y).tangent is None
        # Plain values again: ops on them compute no tangent and raise nothing.
        assert fwAD.unpack_dual(ag.floor_divide(d, 2.0)).tangent is None


def test_dual_level_as_decorator():
    @fwAD.dual_level()
    def f(x):
        return fwAD.unpack_dual(fwAD.make_dual(x, ag.ones(2)).exp()).tangent

    x = ag.tensor([0.0, 1.0])
    np.testing.assert_allclose(f(x).numpy(), np.exp([0.0, 1.0]), rtol=1e-6)
    assert fwAD.unpack_dual(x).tangent is None


def test_make_dual_keeps_the_reverse_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, ag.ones(2))
        assert d.grad_fn.name() == "ViewBackward0"
        (d * d).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_forward_ad_ignores_no_grad():
    x = ag.tensor([1.0, 2.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, ag.ones(2))
        with ag.no_grad():
            y = d * d
        np.testing.assert_allclose(fwAD.unpack_dual(y).tangent.numpy(), [2.0, 4.0])


# ---- ops without a rule ---------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "call",
    [
        lambda lib, d: lib.floor_divide(d, 2.0),
        lambda lib, d: lib.remainder(2.0, d),
    ],
    ids=["floor_divide", "rremainder"],
)
def test_ops_without_a_derivative_raise_as_torch(call):
    # PyTorch has no derivative at all for these: forward AD names the op.
    def error(lib, fw):
        with fw.dual_level():
            d = fw.make_dual(lib.tensor([3.0, 1.0, 2.0]), lib.ones(3))
            return _error(lambda: call(lib, d))

    ours, ref = error(ag, fwAD), error(torch, tfwAD)
    assert ours[0].__name__ == ref[0].__name__ == "NotImplementedError"
    assert ours[1] == ref[1]


def test_missing_rule_names_the_op():
    class Cube(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x**3

        @staticmethod
        def backward(ctx, g):
            return g

    with fwAD.dual_level():
        d = fwAD.make_dual(ag.tensor([3.0, 1.0, 2.0]), ag.ones(3))
        with pytest.raises(NotImplementedError, match="You must implement the jvp function"):
            Cube.apply(d)


def test_ops_without_tangent_inputs_need_no_rule():
    with fwAD.dual_level():
        fwAD.make_dual(ag.tensor([1.0]), ag.ones(1))
        x = ag.tensor([3.0, 1.0, 2.0])
        assert fwAD.unpack_dual(ag.floor_divide(x, 2.0)).tangent is None


# ---- in place ---------------------------------------------------------------------------


@requires_torch
def test_in_place_ops_carry_the_tangent():
    def scenario(lib, fw):
        with fw.dual_level():
            a = fw.make_dual(lib.tensor([1.0, 2.0]), lib.tensor([1.0, -1.0]))
            b = lib.tensor([3.0, 4.0])
            b.mul_(a)
            b.add_(a, alpha=2)
            c = lib.tensor([0.5, 0.25])
            c.exp_()
            c.mul_(a)
            return [fw.unpack_dual(v).tangent.numpy().copy() for v in (b, c)]

    for ours, ref in zip(scenario(ag, fwAD), scenario(torch, tfwAD)):
        np.testing.assert_allclose(ours, ref, rtol=1e-6)


# ---- reverse over forward ---------------------------------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, w: (x * w).sin().sum(),
        lambda lib, x, w: lib.tanh(x @ w).exp().mean(),
        lambda lib, x, w: (lib.softmax(x @ w, dim=-1) * w).sum(),
        lambda lib, x, w: (x.t().reshape(-1)[1:5] / w.sum()).sigmoid().sum(),
    ],
    ids=["sin-mul", "tanh-matmul", "softmax", "views"],
)
def test_reverse_over_forward(fn):
    rng = np.random.default_rng(5)
    xv, wv, tv = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))

    def forward_then_reverse(lib, fw):
        x = lib.tensor(xv, dtype=lib.float64, requires_grad=True)
        w = lib.tensor(wv, dtype=lib.float64, requires_grad=True)
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor(tv, dtype=lib.float64))
            jvp = fw.unpack_dual(fn(lib, d, w)).tangent
            return lib.autograd.grad(jvp, (x, w))

    def double_backward(lib):
        # d/d(x, w) of (grad_x f) . t, by reverse over reverse
        x = lib.tensor(xv, dtype=lib.float64, requires_grad=True)
        w = lib.tensor(wv, dtype=lib.float64, requires_grad=True)
        (gx,) = lib.autograd.grad(fn(lib, x, w), (x,), create_graph=True)
        return lib.autograd.grad((gx * lib.tensor(tv, dtype=lib.float64)).sum(), (x, w))

    ours = forward_then_reverse(ag, fwAD)
    for a, b in zip(ours, double_backward(torch)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)
    for a, b in zip(ours, double_backward(ag)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)


# ---- gradcheck(check_forward_ad=True) ---------------------------------------------------


def test_gradcheck_checks_forward_mode():
    from autograd_cpp.autograd import gradcheck

    rng = np.random.default_rng(7)
    x = ag.tensor(rng.normal(size=(3, 4)), dtype=ag.float64, requires_grad=True)
    w = ag.tensor(rng.normal(size=(4, 2)), dtype=ag.float64, requires_grad=True)

    def f(a, b):
        return (a @ b).tanh().softmax(-1), (a * 2).sum()

    assert gradcheck(f, (x, w), check_forward_ad=True)
    assert gradcheck(f, (x, w), check_forward_ad=True, check_backward_ad=False)
    with pytest.raises(NotImplementedError, match="forward AD with aten::floor_divide"):
        gradcheck(
            lambda a: ag.floor_divide(a, 2.0),
            (x,),
            check_forward_ad=True,
            check_backward_ad=False,
        )


# ---- autograd.Function: jvp, save_for_forward, setup_context ---------------------------


@requires_torch
def test_custom_function_jvp_and_setup_context_match_torch():
    def scenario(lib, fw):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.save_for_backward(x)
                ctx.save_for_forward(x)
                ctx.k = k
                return x * x * x * k

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x * x * g * ctx.k, None

            @staticmethod
            def jvp(ctx, x_t, k_t):
                (x,) = ctx.saved_tensors
                return 3 * x * x * x_t * ctx.k

        class Exp(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x.exp()

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(output)
                ctx.save_for_forward(output)

            @staticmethod
            def backward(ctx, g):
                return g * ctx.saved_tensors[0]

            @staticmethod
            def jvp(ctx, x_t):
                return x_t * ctx.saved_tensors[0]

        class NoJvp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        seen = []
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor([1.0, 0.5], dtype=lib.float64))
            y = Cube.apply(d, 3.0)
            seen.append(fw.unpack_dual(y).tangent.detach().numpy().tolist())
            seen.append(fw.unpack_dual(Exp.apply(d)).tangent.detach().numpy().tolist())
            seen.append(_error(lambda: NoJvp.apply(d)))
        y.sum().backward()
        seen.append(x.grad.numpy().tolist())
        z = Exp.apply(x)
        z.sum().backward()
        seen.append(x.grad.numpy().tolist())
        return seen

    ours, ref = scenario(ag, fwAD), scenario(torch, tfwAD)
    assert ours[2][0].__name__ == ref[2][0].__name__ == "NotImplementedError"
    assert ours[2][1] == ref[2][1]
    for a, b in zip(ours[:2] + ours[3:], ref[:2] + ref[3:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


# ---- forward over reverse (Hessian-vector products) -------------------------------------


@requires_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, w: (x.exp() * w).sum(),
        lambda lib, x, w: lib.tanh(x @ w).pow(3).mean(),
        lambda lib, x, w: lib.softmax(x @ w, dim=-1).log().sum() * x.sigmoid().sum(),
        lambda lib, x, w: (x * x).sum().sqrt(),
    ],
    ids=["exp", "tanh-matmul", "softmax-sigmoid", "sqrt"],
)
def test_forward_over_reverse(fn):
    # Backward formulas run on dual tensors, saved outputs included.
    rng = np.random.default_rng(0)
    xv, tv, wv = rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3))

    def hvp(lib, fw):
        x = lib.tensor(xv, dtype=lib.float64, requires_grad=True)
        w = lib.tensor(wv, dtype=lib.float64)
        with fw.dual_level():
            d = fw.make_dual(x, lib.tensor(tv, dtype=lib.float64))
            (g,) = lib.autograd.grad(fn(lib, d, w), (d,), create_graph=True)
            return fw.unpack_dual(g).tangent.detach().numpy()

    np.testing.assert_allclose(hvp(ag, fwAD), hvp(torch, tfwAD), rtol=1e-10, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("requires_grad", [False, True])
def test_in_place_ops_on_views_of_duals_update_the_base_tangent(requires_grad):
    def scenario(lib, fw):
        xv = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=requires_grad)
        xt = lib.tensor([[1.0, -1.0, 0.5], [2.0, 0.0, -2.0]])
        with fw.dual_level():
            x = fw.make_dual(xv.clone(), xt)
            v = x[0]
            v.mul_(2)
            x[1, 1:].exp_()
            y = x.clone()
            y[:, 0] = 7.0
            z = x.clone()
            z[0].zero_()
            w = lib.zeros(2, 3)
            w[1].add_(x[0])
            sc = x.clone()
            sc[1].scatter_(0, lib.tensor([2, 0]), x[0, :2] * 3)
            sa = x.clone()
            sa.scatter_add_(1, lib.tensor([[0, 0], [1, 2]]), x[:, 1:])
            q = x.clone()
            q[lib.tensor([0, 1]), lib.tensor([2, 0])] = x[1, :2].sin()
            m = x.clone()
            m[1].masked_fill_(lib.tensor([True, False, True]), 0.5)
            c = x.clone()
            c.t()[1:].clamp_(min=3.0)
            tensors = (x, v, y, z, w, sc, sa, q, m, c)
            return [fw.unpack_dual(t).tangent.detach().numpy().copy() for t in tensors]

    for ours, ref in zip(scenario(ag, fwAD), scenario(torch, tfwAD)):
        np.testing.assert_allclose(ours, ref, rtol=1e-6)


@requires_torch
def test_in_place_writes_leave_other_tensors_tangents_alone():
    # Tangents that alias an input's (broadcast, passed through) must not
    # carry an in-place write back into that input's tangent.
    def scenario(lib, fw):
        with fw.dual_level():
            t = lib.tensor([1.0, -1.0, 0.5, 2.0])
            x = fw.make_dual(lib.tensor([1.0, 2.0, 3.0, 4.0]), t)
            y = x + lib.zeros(3, 4)
            z = x + 1.0
            with lib.no_grad():
                y.mul_(2)
                z.mul_(3)
            w = x * 1.0
            w.add_(1.0)
            tensors = (x, y, z, w)
            return [t.numpy().copy()] + [fw.unpack_dual(v).tangent.numpy().copy() for v in tensors]

    for ours, ref in zip(scenario(ag, fwAD), scenario(torch, tfwAD)):
        np.testing.assert_allclose(ours, ref)


@requires_torch
def test_copy_into_a_view_writes_the_base_tangent():
    def scenario(lib, fw):
        with fw.dual_level():
            d = fw.make_dual(lib.tensor([1.0, 2.0, 3.0]), lib.tensor([0.5, -1.0, 2.0]))
            z = lib.zeros(3, 3)
            z[1].copy_(d)
            z.narrow(1, 0, 1).squeeze(1).copy_(d * 2)
            plain = lib.zeros(3)
            plain.copy_(d)
            return [fw.unpack_dual(v).tangent.numpy().copy() for v in (z, plain)]

    for ours, ref in zip(scenario(ag, fwAD), scenario(torch, tfwAD)):
        np.testing.assert_allclose(ours, ref)


# ---- func.jvp and func.jacfwd run forward mode --------------------------------------------


@requires_torch
def test_func_jvp_and_jacfwd_use_forward_mode_with_a_documented_fallback():
    from autograd_cpp import func

    calls = []

    class Scale(ag.autograd.Function):
        # Only forward mode calls jvp: counting the calls shows which ran.
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, g):
            return g * 3

        @staticmethod
        def jvp(ctx, t):
            calls.append(1)
            return t * 3

    x = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64)
    t = ag.tensor([1.0, 2.0, -0.5], dtype=ag.float64)
    out, jvp_out = func.jvp(lambda v: Scale.apply(v).sin(), (x,), (t,))
    assert len(calls) == 1
    np.testing.assert_allclose(jvp_out.numpy(), 3 * np.cos(3 * x.numpy()) * t.numpy())
    jac = func.jacfwd(lambda v: Scale.apply(v).exp())(x)
    # One batched pass over the basis: under vmap the Function's forward and
    # jvp run once on batched primals and tangents.
    assert len(calls) == 2
    np.testing.assert_allclose(jac.numpy(), np.diag(3 * np.exp(3 * x.numpy())))

    # A Function without jvp: the double-backward fallback gives the same
    # numbers as torch.func on the same function.
    def f(lib, v):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, u):
                ctx.save_for_backward(u)
                return u * u

            @staticmethod
            def backward(ctx, g):
                (u,) = ctx.saved_tensors
                return 2 * u * g

        return Square.apply(v.sin()) * v

    tx, tt = torch.tensor(x.numpy()), torch.tensor(t.numpy())
    # torch.func refuses such a Function; PyTorch's double-backward jvp is the
    # reference.
    ref = torch.autograd.functional.jvp(lambda v: f(torch, v), (tx,), (tt,))
    ours = func.jvp(lambda v: f(ag, v), (x,), (t,))
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    x_rg = ag.tensor(x.numpy(), dtype=ag.float64)
    np.testing.assert_allclose(
        func.jacfwd(lambda v: f(ag, v))(x_rg).numpy(),
        torch.autograd.functional.jacobian(lambda v: f(torch, v), tx).numpy(),
        rtol=1e-12,
    )


@requires_torch
def test_func_compositions_through_forward_mode():
    import torch.func as tfunc

    from autograd_cpp import func

    def f(lib, v):
        return (lib.sin(v) * v.exp()).sum() + (v[:2] @ v[1:]) ** 2

    xv, tv = np.array([0.3, -0.7, 1.1]), np.array([0.5, 1.0, -2.0])

    def run(lib, F):
        x, t = lib.tensor(xv, dtype=lib.float64), lib.tensor(tv, dtype=lib.float64)
        hvp = F.jvp(F.grad(lambda v: f(lib, v)), (x,), (t,))[1]
        hess = F.jacfwd(F.jacrev(lambda v: f(lib, v)))(x)
        rof = F.grad(lambda v: F.jvp(lambda u: f(lib, u), (v,), (t,))[1])(x)
        return [hvp, hess, rof]

    for a, b in zip(run(ag, func), run(torch, tfunc)):
        assert not a.requires_grad
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_tangent_is_the_jacobian_product(include_self):
    # Zeros among self and src (one and several per position): the cases
    # where a quotient by the value would fail.
    rng = np.random.default_rng(7)
    index = ag.tensor([0, 1, 0, 3, 3, 1, 0])
    for _ in range(20):
        x = ag.tensor(rng.integers(-2, 3, 4).astype(float))
        s = ag.tensor(rng.integers(-2, 3, 7).astype(float))
        xt, st = ag.tensor(rng.standard_normal(4)), ag.tensor(rng.standard_normal(7))

        def f(a, b):
            return a.scatter_reduce(0, index, b, "prod", include_self=include_self)

        jx, js = ag.autograd.functional.jacobian(f, (x, s))
        with fwAD.dual_level():
            tangent = fwAD.unpack_dual(f(fwAD.make_dual(x, xt), fwAD.make_dual(s, st))).tangent
        np.testing.assert_allclose(
            tangent.numpy(), jx.numpy() @ xt.numpy() + js.numpy() @ st.numpy(), rtol=1e-12
        )


def test_in_place_op_keeps_the_tangent_of_a_self_that_does_not_require_grad():
    # The update is recorded (src requires grad) while self, dual, does not
    # require grad: self's tangent still reaches the result.
    index = ag.tensor([[0, 1, 0], [2, 2, 0]])
    a = ag.rand(3, 3, dtype=ag.float64)
    b = ag.rand(2, 3, dtype=ag.float64, requires_grad=True)
    ta = ag.rand(3, 3, dtype=ag.float64)
    for reduce in ("sum", "prod", "amax"):
        with fwAD.dual_level():
            expected = fwAD.unpack_dual(
                fwAD.make_dual(a, ta).scatter_reduce(0, index, b, reduce)
            ).tangent
            out = fwAD.make_dual(a.clone(), ta).scatter_reduce_(0, index, b, reduce)
            tangent = fwAD.unpack_dual(out).tangent
            np.testing.assert_array_equal(tangent.detach().numpy(), expected.detach().numpy())
