"""Autograd semantics: retain_graph, freed graphs, version checks, grad mode,
detach/.data, accumulation, leaf rules, hooks into .grad, graph lifetime."""

import gc
import threading
import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch


def leaf(values, dtype=ag.float32):
    return ag.tensor(values, dtype=dtype, requires_grad=True)


# ---- backward ---------------------------------------------------------------


def test_second_backward_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_saved_tensors_are_freed_after_backward():
    x = leaf([1.0, 2.0])
    y = x * x
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        _ = y.grad_fn._saved_self


def test_retain_graph_allows_a_second_backward_and_accumulates():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_graph_without_saved_tensors_can_be_run_twice():
    x = leaf([1.0, 2.0])
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_gradient_shape_mismatch_raises():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(
        RuntimeError,
        match=r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[3\]\)",
    ):
        (x * 2).backward(ag.ones(3))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        ag.ones(2).sum().backward()


def test_diamond_graph_sums_gradients():
    x = leaf([3.0])
    a = x * 2
    b = x * 5
    (a * b).backward(ag.ones(1))
    # d/dx (2x * 5x) = 20x
    assert x.grad.tolist() == [60.0]


def test_broadcast_gradients_are_reduced_to_input_shapes():
    x = leaf([1.0, 2.0, 3.0])
    y = leaf([[1.0], [2.0]])
    (x * y).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]
    assert y.grad.tolist() == [[6.0], [6.0]]


def test_gradient_of_float64_root_with_float32_gradient_argument():
    x = leaf([1.0, 2.0], dtype=ag.float64)
    (x * 3).backward(ag.ones(2))
    assert x.grad.dtype == ag.float64
    assert x.grad.tolist() == [3.0, 3.0]


def test_backward_inputs_restricts_accumulation():
    a = leaf([1.0])
    b = leaf([2.0])
    (a * b).sum().backward(inputs=[a])
    assert a.grad.tolist() == [2.0]
    assert b.grad is None


def test_autograd_grad_does_not_touch_dot_grad():
    x = leaf([1.0, 2.0])
    (g,) = ag.autograd.grad((x**3).sum(), x)
    assert g.tolist() == [3.0, 12.0]
    assert x.grad is None


def test_autograd_grad_unused_input():
    x = leaf([1.0])
    z = leaf([1.0])
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ag.autograd.grad((x * 2).sum(), [x, z])
    gx, gz = ag.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gx.tolist() == [2.0] and gz is None
    gx, gz = ag.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    assert gz.tolist() == [0.0]


def test_create_graph_gives_higher_derivatives():
    x = leaf([2.0], dtype=ag.float64)
    y = x**4
    (g1,) = ag.autograd.grad(y.sum(), x, create_graph=True)
    (g2,) = ag.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = ag.autograd.grad(g2.sum(), x)
    assert g1.tolist() == [32.0]  # 4x^3
    assert g2.tolist() == [48.0]  # 12x^2
    assert g3.tolist() == [48.0]  # 24x


def test_backward_create_graph_keeps_grad_differentiable():
    x = leaf([3.0], dtype=ag.float64)
    (x**2).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    assert x.grad.tolist() == [6.0]


# ---- versions and in-place ops --------------------------------------------


def test_inplace_change_of_saved_input_is_detected():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation") as err:
        z.sum().backward()
    assert "is at version 1; expected version 0 instead" in str(err.value)
    assert "[torch.FloatTensor [2]]" in str(err.value)


def test_inplace_change_of_saved_output_is_detected():
    x = leaf([1.0, 2.0], dtype=ag.float64)
    y = x.exp()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="which is output 0 of Exp"):
        y.sum().backward()


def test_inplace_on_leaf_requiring_grad_raises():
    x = leaf([1.0])
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad is being used in an in-place operation.",
    ):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0] = 2.0
    with ag.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0]


def test_inplace_ops_bump_version():
    x = ag.zeros(3)
    assert x._version == 0
    x.add_(1)
    x.mul_(2)
    x.sub_(1)
    x.div_(2)
    x += 1
    x -= 1
    x *= 2
    x /= 2
    x.zero_()
    x.fill_(3)
    x.copy_(ag.ones(3))
    assert x._version == 11
    v = x[1:]
    v.add_(1)
    assert x._version == 12 and v._version == 12
    assert x.tolist() == [1.0, 2.0, 2.0]


def test_inplace_keeps_object_identity():
    x = ag.zeros(2)
    y = x
    x += 1
    assert x is y


def test_inplace_on_nonleaf_rewrites_history():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.add_(1)
    assert y.grad_fn.name() == "AddBackward0"
    y.mul_(y.detach().clone())  # y <- (3x + 1)^2 with the second factor constant
    y.sum().backward()
    assert x.grad.tolist() == [12.0, 21.0]


def test_inplace_mul_by_tensor_requiring_grad():
    a = leaf([2.0, 3.0])
    b = leaf([5.0, 7.0])
    y = a * 1
    y.mul_(b)
    y.sum().backward()
    assert a.grad.tolist() == [5.0, 7.0]
    assert b.grad.tolist() == [2.0, 3.0]


def test_setitem_through_a_view_is_differentiable():
    x = leaf([1.0, 2.0])
    y = ag.zeros(4)
    y[1:3] = x * 2
    assert y.grad_fn.name() == "torch::autograd::CopySlices"
    (y * ag.tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    assert x.grad.tolist() == [20.0, 200.0]


def test_inplace_on_view_of_nonleaf_updates_base_history():
    x = leaf([1.0, 2.0, 3.0])
    base = x * 1
    view = base[:2]
    view.mul_(10)
    assert base.tolist() == [10.0, 20.0, 3.0]
    base.sum().backward()
    assert x.grad.tolist() == [10.0, 10.0, 1.0]


def test_stale_view_history_is_rebuilt_after_base_changes():
    x = leaf([1.0, 2.0, 3.0])
    base = x * 1
    view = base[1:]
    base.mul_(2)  # the view now shows 2x; its grad_fn must follow
    view.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


def test_inplace_on_expanded_view_raises():
    x = ag.ones(3).expand(2, 3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        x.add_(1)


def test_inplace_dtype_rules():
    x = ag.ones(3, dtype=ag.int64)
    with pytest.raises(
        RuntimeError, match="result type Float can't be cast to the desired output type Long"
    ):
        x.add_(1.5)
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        x /= 2


# ---- leaves, requires_grad, .grad -----------------------------------------


def test_requires_grad_only_for_floating_point():
    with pytest.raises(
        RuntimeError, match="only Tensors of floating point dtype can require gradients"
    ):
        ag.ones(2, dtype=ag.int64).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], requires_grad=True)


def test_requires_grad_cannot_change_on_nonleaf():
    y = leaf([1.0]) * 2
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables"
    ):
        y.requires_grad = False


def test_is_leaf():
    x = leaf([1.0])
    assert x.is_leaf and ag.ones(1).is_leaf
    assert not (x * 2).is_leaf
    with ag.no_grad():
        assert (x * 2).is_leaf


def test_grad_of_nonleaf_is_none_and_warns():
    x = leaf([1.0])
    y = x * 2
    y.backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_retain_grad_keeps_nonleaf_gradient():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert y.grad.tolist() == [4.0, 8.0]


def test_grad_is_settable_and_validated():
    x = leaf([1.0, 2.0])
    x.grad = ag.ones(2)
    (x * 3).sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]
    x.grad = None
    assert x.grad is None
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = ag.ones(3)


def test_leaf_grad_is_not_aliased_to_incoming_gradient():
    x = leaf([1.0, 1.0])
    g = ag.tensor([5.0, 6.0])
    (x + 0).backward(g)
    x.grad.zero_()
    assert g.tolist() == [5.0, 6.0]


# ---- grad mode ---------------------------------------------------------------


def test_no_grad_and_enable_grad_nest():
    x = leaf([1.0])
    with ag.no_grad():
        assert not (x * 2).requires_grad
        with ag.enable_grad():
            assert (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_grad_mode_decorators():
    x = leaf([1.0])

    @ag.no_grad()
    def f():
        return x * 2

    @ag.enable_grad()
    def g():
        return x * 2

    assert not f().requires_grad
    with ag.no_grad():
        assert g().requires_grad
    assert ag.is_grad_enabled()


def test_set_grad_enabled_as_call_and_context():
    x = leaf([1.0])
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ag.is_grad_enabled()
    ag.set_grad_enabled(False)
    assert not ag.is_grad_enabled()
    ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()


def test_inference_mode_disables_recording():
    x = leaf([1.0])
    with ag.inference_mode():
        assert not (x * 2).requires_grad
    with ag.inference_mode(False):
        assert (x * 2).requires_grad


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["enabled"] = ag.is_grad_enabled()

    with ag.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen["enabled"] is True


# ---- detach, .data, numpy -------------------------------------------------------


def test_detach_shares_storage_and_version():
    x = leaf([1.0, 2.0])
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    with ag.no_grad():
        x.mul_(2)
    assert d.tolist() == [2.0, 4.0]
    assert d._version == x._version == 1


def test_data_shares_storage_but_not_version():
    x = leaf([1.0, 2.0])
    y = x * x
    x.data.mul_(10)  # invisible to autograd: no version error
    assert x.tolist() == [10.0, 20.0]
    assert x._version == 0
    y.sum().backward()
    assert x.grad.tolist() == [20.0, 40.0]


def test_detach_inplace():
    y = leaf([1.0]) * 2
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad


def test_numpy_shares_memory_both_ways():
    t = ag.zeros(3)
    a = t.numpy()
    a[0] = 5
    assert t.tolist() == [5.0, 0.0, 0.0]
    n = np.arange(4.0)
    f = ag.from_numpy(n)
    n[1] = 9
    assert f.tolist() == [0.0, 9.0, 2.0, 3.0]
    assert f.dtype == ag.float64
    del n
    gc.collect()
    assert f.tolist() == [0.0, 9.0, 2.0, 3.0]


def test_numpy_on_tensor_requiring_grad_raises():
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        leaf([1.0]).numpy()


# ---- lifetime -----------------------------------------------------------------


def test_dropping_output_frees_the_graph():
    gc.collect()
    before = ag._C._live_node_count()
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(50):
        y = y * 1.5 + 1
    assert ag._C._live_node_count() > before
    del y
    assert ag._C._live_node_count() <= before + 1  # x's AccumulateGrad may linger with x
    del x
    gc.collect()
    assert ag._C._live_node_count() == before


def test_backward_frees_nothing_the_user_holds():
    gc.collect()
    before = ag._C._live_node_count()
    x = leaf([1.0])
    loss = (x.exp() * 2).sum()
    loss.backward()
    del loss, x
    gc.collect()
    assert ag._C._live_node_count() == before


def test_saved_output_makes_no_reference_cycle():
    gc.collect()
    before = ag._C._live_node_count()
    x = leaf([1.0])
    y = x.exp()  # ExpBackward0 saves its own output
    del y, x
    # No gc.collect(): reference counting alone must free it.
    assert ag._C._live_node_count() == before


def test_million_node_chain_runs_backward_and_frees():
    x = leaf([1.0])
    y = x
    for _ in range(1_000_000):
        y = y + 1
    y.backward()
    assert x.grad.tolist() == [1.0]
    del y
    z = x
    for _ in range(1_000_000):
        z = z * 1.0
    del z  # freed without running backward: must not recurse either


def test_backward_inputs_accepts_non_leaves():
    x = leaf([1.0, 2.0])
    h = x * 3
    (h * h).sum().backward(inputs=[h, x])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert h.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_grad_report_lists_missing_zero_and_nonfinite_gradients():
    from autograd_cpp import nn

    class Three(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Linear(2, 1)
            self.unused = nn.Linear(2, 1)
            self.dead = nn.Parameter(ag.ones(1))

        def forward(self, x):
            return self.used(x).sum() + self.dead * 0

    m = Three()
    m(ag.ones(3, 2)).backward()
    report = nn.utils.grad_report(m)
    assert report["none"] == ["unused.weight", "unused.bias"]
    assert report["zero"] == ["dead"] and report["nonfinite"] == []
    m.used.weight.grad.fill_(float("nan"))
    assert nn.utils.grad_report(m)["nonfinite"] == ["used.weight"]


def test_linear_weight_grad_has_the_weight_layout():
    # The weight enters the product transposed; its gradient still arrives
    # contiguous, like the weight, as PyTorch's layout contract asks.
    lin = ag.nn.Linear(5, 3)
    x = ag.randn(4, 5, requires_grad=True)
    lin(x).square().sum().backward()
    for p in (lin.weight, lin.bias, x):
        assert p.grad.is_contiguous()
        assert p.grad.stride() == p.stride()
    np.testing.assert_allclose(
        lin.weight.grad.numpy(),
        (2 * lin(x).detach().numpy()).T @ x.detach().numpy(),
        rtol=1e-5,
    )


def test_gradient_buffers_given_by_the_user_are_never_reused():
    x = ag.ones(3, requires_grad=True)
    g = ag.full((3,), 2.0)
    (x * 1).backward(g)
    (x * 1).backward(g)
    # Accumulation never wrote into the user's gradient tensor.
    assert g.tolist() == [2.0, 2.0, 2.0]
    assert x.grad.tolist() == [4.0, 4.0, 4.0]
    y = x * 1
    (y + y).backward(g)  # two gradients summed into one slot
    assert g.tolist() == [2.0, 2.0, 2.0]
    assert x.grad.tolist() == [8.0, 8.0, 8.0]


def test_grad_never_aliases_a_gradient_the_user_still_holds():
    x = ag.zeros(2, 3, requires_grad=True)
    g = ag.ones(6)
    x.reshape(6).backward(g)  # the gradient reaching x is a view of g
    x.grad.add_(1.0)
    assert g.tolist() == [1.0] * 6
    w = ag.zeros(3, 2, requires_grad=True)
    gt = ag.ones(2, 3)
    w.t().backward(gt)
    w.grad.mul_(5.0)
    assert gt.tolist() == [[1.0] * 3] * 2
    assert w.grad.is_contiguous()


@requires_torch
def test_gradients_summed_through_a_shared_transpose_match_torch():
    # A weight read through one .t() in every step of a loop: the gradients
    # meet in a transposed buffer and are summed in place there. Broadcast
    # (stride 0) and permuted gradients reach the same buffer too.
    rng = np.random.default_rng(5)
    w0 = rng.standard_normal((4, 3))
    xs = [rng.standard_normal((2, 3)) for _ in range(5)]

    def run(lib):
        w = lib.tensor(w0, requires_grad=True)
        wt = w.t()
        total = wt.sum() * 0.5
        for i, x in enumerate(xs):
            total = total + (lib.addmm(lib.ones(2, 4, dtype=lib.float64), lib.tensor(x), wt)
                             * (i + 1)).sum()  # fmt: skip
        total = total + (wt * lib.tensor(w0).t()).sum()
        total.backward()
        return w.grad.numpy()

    np.testing.assert_allclose(run(ag), run(torch), rtol=1e-14, atol=1e-14)
