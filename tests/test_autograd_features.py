"""Hooks, custom Functions, saved-tensor hooks, anomaly mode and
autograd.functional, each checked against PyTorch."""

import threading

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


def both(fn):
    return fn(ag), fn(torch)


def close(a, b, rtol=1e-10):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            close(x, y, rtol)
        return
    if a is None or b is None:
        assert a is None and b is None
        return
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=1e-12)


# ---- tensor hooks --------------------------------------------------------------


def test_hook_that_doubles_the_gradient():
    def run(m):
        x = m.tensor([1.0, 2.0, 3.0], dtype=m.float64, requires_grad=True)
        x.register_hook(lambda g: g * 2)
        y = x * x
        y.register_hook(lambda g: g + 1)
        y.sum().backward()
        return x.grad

    close(*both(run))


def test_hook_handle_remove_and_observe_only_hooks():
    def run(m):
        seen = []
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        h = x.register_hook(lambda g: g * 10)
        x.register_hook(lambda g: seen.append(g.clone()))
        h.remove()
        (x * 3).sum().backward()
        return x.grad, seen[0]

    close(*both(run))


def test_hooks_apply_in_autograd_grad_and_retain_grad_sees_hooked_value():
    def run(m):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 3)
        (g,) = m.autograd.grad((y * y).sum(), x, retain_graph=True)
        (y * y).sum().backward()
        return g, y.grad

    close(*both(run))


def test_post_accumulate_grad_hook():
    def run(m):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return seen

    close(*both(run))
    with pytest.raises(
        RuntimeError, match="post accumulate grad hooks cannot be registered on non-leaf"
    ):
        (ag.ones(1, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(
        RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"
    ):
        ag.ones(2).register_hook(lambda g: g)


def test_hook_changing_shape_raises():
    x = ag.ones(2, requires_grad=True)
    x.register_hook(lambda g: ag.ones(3))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (x * 2).sum().backward()


def test_grad_fn_hooks():
    def run(m):
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        y = x * x
        calls = []
        y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
        y.grad_fn.register_hook(lambda gi, go: calls.append((gi[0].clone(), go[0].clone())))
        y.sum().backward()
        return x.grad, calls[0][0], calls[0][1]

    close(*both(run))


# ---- custom Function -----------------------------------------------------------


def make_clamp_ste(m):
    class ClampSTE(m.autograd.Function):
        """A clamp whose backward lets the gradient straight through."""

        @staticmethod
        def forward(ctx, x, lo, hi):
            ctx.save_for_backward(x)
            return m.where(x < lo, m.full_like(x, lo), m.where(x > hi, m.full_like(x, hi), x))

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * (x * 0 + 1), None, None

    return ClampSTE


def test_custom_function_inside_a_larger_graph():
    def run(m):
        clamp = make_clamp_ste(m)
        w = m.tensor([[0.5, -2.0], [3.0, 0.1]], dtype=m.float64, requires_grad=True)
        x = m.tensor([1.0, 2.0], dtype=m.float64)
        h = clamp.apply(w @ x, -1.0, 1.0)
        loss = (h.exp() * 2).sum()
        loss.backward()
        return loss, w.grad, h.grad_fn.name()

    (la, ga, na), (lt, gt, nt) = both(run)
    close((la, ga), (lt, gt))
    assert na == nt == "ClampSTEBackward"


def test_custom_function_second_derivative():
    def run(m):
        class Cube(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * 3 * x**2

        x = m.tensor([2.0], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        return g, gg

    close(*both(run))


def test_custom_function_needs_input_grad_and_non_differentiable():
    seen = {}

    class Split(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen["needs"] = ctx.needs_input_grad
            idx = (x > 0).long()
            ctx.mark_non_differentiable(idx)
            return x * y, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 2, None

    x = ag.tensor([1.0, -1.0], requires_grad=True)
    out, idx = Split.apply(x, ag.ones(2))
    assert seen["needs"] == (True, False)
    assert not idx.requires_grad and out.requires_grad
    out.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_custom_function_wrong_number_of_gradients():
    class Bad(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = ag.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"returned an incorrect number of gradients \(expected 2, got 1\)"
    ):
        Bad.apply(x, ag.ones(2)).sum().backward()


def test_custom_function_saved_tensor_version_check():
    class Square(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ag.ones(2, requires_grad=True)
    h = x * 1
    y = Square.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_set_materialize_grads_false_gives_none():
    got = {}

    class Two(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            got["g2"] = g2
            return g1 * 2

    x = ag.ones(2, requires_grad=True)
    a, _ = Two.apply(x)
    a.sum().backward()
    assert got["g2"] is None
    assert x.grad.tolist() == [2.0, 2.0]


# ---- saved tensor hooks -----------------------------------------------------------


def test_saved_tensors_hooks_pack_unpack():
    def run(m):
        packed = []
        x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        with m.autograd.graph.saved_tensors_hooks(
            lambda t: packed.append(1) or t.detach().numpy().copy(), lambda a: m.from_numpy(a)
        ):
            y = (x * x).exp()
        y.sum().backward()
        return x.grad, len(packed)

    (ga, na), (gt, nt) = both(run)
    close(ga, gt)
    assert na == nt


def test_saved_tensors_hooks_keep_double_backward():
    def run(m):
        x = m.tensor([1.5], dtype=m.float64, requires_grad=True)
        with m.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            y = (x * x * x).sum()
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        return g, gg

    close(*both(run))


# ---- anomaly mode ----------------------------------------------------------------


def test_anomaly_mode_names_the_node_and_the_forward_line():
    x = ag.tensor([-1.0, 4.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with ag.autograd.detect_anomaly():
            y = x.sqrt()  # the forward line that must be reported
            with pytest.raises(
                RuntimeError, match="Function 'SqrtBackward0' returned nan values"
            ) as err:
                y.sum().backward()
    assert "y = x.sqrt()" in str(err.value)
    assert not ag.autograd.is_anomaly_enabled()
    # Off again: the NaN passes silently, as in PyTorch.
    x.grad = None
    x.sqrt().sum().backward()
    assert np.isnan(x.grad.numpy()[0])


# ---- autograd.functional ---------------------------------------------------------


def mlp_loss(m, w1, w2):
    x = m.tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]], dtype=m.float64)
    return ((x @ w1).tanh() @ w2).pow(2).sum()


def mlp_weights(m):
    rng = np.random.default_rng(0)
    return (
        m.tensor(rng.standard_normal((3, 4)), dtype=m.float64),
        m.tensor(rng.standard_normal((4, 1)), dtype=m.float64),
    )


def test_hessian_of_a_small_mlp_loss_matches_torch():
    ours = ag.autograd.functional.hessian(lambda a, b: mlp_loss(ag, a, b), mlp_weights(ag))
    theirs = torch.autograd.functional.hessian(
        lambda a, b: mlp_loss(torch, a, b), mlp_weights(torch)
    )
    close(ours, theirs, rtol=1e-9)


@pytest.mark.parametrize("name", ["vjp", "jvp", "hvp", "vhp"])
def test_products_match_torch(name):
    def run(m):
        f = getattr(m.autograd.functional, name)
        w = mlp_weights(m)
        v = tuple(m.ones_like(t) * 0.5 for t in w)
        if name in ("vjp",):
            return f(lambda a, b: mlp_loss(m, a, b) * a, w, v=mlp_weights(m)[0])
        if name == "jvp":
            return f(lambda a, b: (a @ b).sin(), w, v=v)
        return f(lambda a, b: mlp_loss(m, a, b), w, v=v)

    close(*both(run), rtol=1e-9)


def test_jacobian_structures_match_torch():
    def run(m):
        J = m.autograd.functional.jacobian
        x = m.tensor([1.0, 2.0, 3.0], dtype=m.float64)
        y = m.tensor([0.5, -1.0], dtype=m.float64)
        return (
            J(lambda a: a.exp(), x),
            J(lambda a, b: (a.sum() * b, a * 2), (x, y)),
        )

    close(*both(run))


def test_functional_strict_mode():
    # An output that does not depend on the input at all is caught first, as in PyTorch.
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not"):
        ag.autograd.functional.vjp(lambda a: ag.ones(2), ag.ones(2), v=ag.ones(2), strict=True)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        ag.autograd.functional.vjp(
            lambda a, b: a * 2, (ag.ones(2), ag.ones(2)), v=ag.ones(2), strict=True
        )
    _, g = ag.autograd.functional.vjp(lambda a: ag.ones(2) + a.detach(), ag.ones(2), v=ag.ones(2))
    assert g.tolist() == [0.0, 0.0]


# ---- threads ------------------------------------------------------------------------


def test_threaded_backward_matches_serial():
    rng = np.random.default_rng(1)
    datas = [rng.standard_normal((64, 64)) for _ in range(4)]

    def work(d):
        w = ag.tensor(d, requires_grad=True)
        for _ in range(20):
            loss = ((w @ w.t()).tanh() * w).sum()
            loss.backward()
        return w.grad.numpy().copy()

    serial = [work(d) for d in datas]
    results = [None] * len(datas)

    def run(i):
        results[i] = work(datas[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(datas))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(serial, results):
        np.testing.assert_array_equal(a, b)


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the error itself is compared
        return type(e).__name__, str(e)
    return "ok", ""


def test_anomaly_mode_warns_as_pytorch():
    def run(m):
        with pytest.warns(UserWarning) as record:
            with m.autograd.detect_anomaly():
                pass
        return [str(w.message) for w in record]

    ours, theirs = both(run)
    assert ours == theirs


def test_custom_function_defaults_raise_pytorchs_errors():
    def run(m):
        class NoBackward(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

        class NoForward(m.autograd.Function):
            pass

        x = m.ones(2, requires_grad=True)
        return (
            _raised(lambda: NoBackward.apply(x).sum().backward()),
            _raised(lambda: NoForward.apply(x)),
        )

    ours, theirs = both(run)
    assert ours == theirs


def test_backward_of_several_outputs_without_gradients():
    def run(m):
        a, b = m.ones(2, requires_grad=True), m.ones(3, requires_grad=True)
        m.autograd.backward([(a * 2).sum(), (b * b).sum()])
        return a.grad, b.grad

    close(*both(run))


def test_library_function_without_forward_rule_is_named_without_underscore():
    # A Function defined inside the library stands for an op: the forward-AD
    # error names the op as PyTorch would, not the private class.
    import autograd_cpp.autograd.forward_ad as fwAD

    class _Halve(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x / 2

        @staticmethod
        def backward(ctx, g):
            return g / 2

    _Halve.__module__ = "autograd_cpp.nn._functional.fake"
    with fwAD.dual_level():
        dual = fwAD.make_dual(ag.ones(2), ag.ones(2))
        with pytest.raises(NotImplementedError) as info:
            _Halve.apply(dual)
    assert str(info.value) == (
        "Trying to use forward AD with halve that does not support it because it has not "
        "been implemented yet."
    )
