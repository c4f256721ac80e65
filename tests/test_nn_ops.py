"""nn ops beyond the op table: options, reductions, ignore_index, running
statistics, error messages and numerical edge cases, each against PyTorch;
and a small CNN whose loss and gradients must equal PyTorch's."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

AF = ag.nn.functional


def TF():
    return torch.nn.functional


def F(lib):
    return lib.nn.functional


def both(values, dtype=np.float64, requires_grad=False):
    """The same values as (ours, torch's) tensors."""
    arr = np.asarray(values, dtype=dtype)
    return (
        ag.tensor(arr, requires_grad=requires_grad),
        torch.tensor(arr, requires_grad=requires_grad),
    )


def to_np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def assert_close(ours, theirs, rtol=1e-10, atol=1e-10):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(to_np(ours), to_np(theirs), rtol=rtol, atol=atol)


def run_both(fn, arrays, requires_grad=True, dtype=np.float64):
    """Runs fn(lib, *leaves) on both libraries, backpropagates the same
    upstream gradient and compares outputs and input gradients."""
    ours = [ag.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad) for a in arrays]
    theirs = [torch.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad) for a in arrays]
    out_ours, out_theirs = fn(ag, *ours), fn(torch, *theirs)
    assert_close(out_ours, out_theirs)
    if requires_grad:
        up = np.random.default_rng(5).standard_normal(tuple(out_theirs.shape))
        out_ours.backward(ag.tensor(up.astype(dtype)))
        out_theirs.backward(torch.tensor(up.astype(dtype)))
        for a, b in zip(ours, theirs):
            assert_close(a.grad, b.grad)
    return out_ours, out_theirs


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ---- the small CNN -----------------------------------------------------------


def test_small_cnn_matches_torch():
    rng = np.random.default_rng(42)
    params = {
        "conv_w": rng.standard_normal((4, 2, 3, 3)) * 0.5,
        "conv_b": rng.standard_normal(4) * 0.1,
        "fc_w": rng.standard_normal((3, 4 * 3 * 3)) * 0.2,
        "fc_b": rng.standard_normal(3) * 0.1,
    }
    images = rng.standard_normal((5, 2, 7, 7))
    labels = np.array([0, 2, 1, 1, 0])

    def model(lib):
        p = {k: lib.tensor(v, requires_grad=True) for k, v in params.items()}
        x = lib.tensor(images)
        h = lib.nn.functional.conv2d(x, p["conv_w"], p["conv_b"], padding=1)
        h = lib.relu(h)
        h = lib.nn.functional.max_pool2d(h, 2)
        h = h.flatten(1)
        logits = lib.nn.functional.linear(h, p["fc_w"], p["fc_b"])
        loss = lib.nn.functional.cross_entropy(logits, lib.tensor(labels))
        loss.backward()
        return loss, p

    loss_ours, p_ours = model(ag)
    loss_theirs, p_theirs = model(torch)
    assert loss_ours.grad_fn.name() == loss_theirs.grad_fn.name() == "NllLossBackward0"
    np.testing.assert_allclose(loss_ours.item(), loss_theirs.item(), rtol=1e-12, atol=1e-12)
    for name in params:
        np.testing.assert_allclose(
            to_np(p_ours[name].grad), to_np(p_theirs[name].grad), rtol=1e-10, atol=1e-12
        )


def test_small_cnn_trains_like_torch():
    """A few SGD steps through conv, batch norm, avg pool and log_softmax
    stay in lockstep with PyTorch."""
    rng = np.random.default_rng(7)
    init = {
        "w": rng.standard_normal((3, 1, 3, 3)) * 0.4,
        "gamma": np.ones(3),
        "beta": np.zeros(3),
        "fc": rng.standard_normal((2, 12)) * 0.3,
    }
    x_np = rng.standard_normal((6, 1, 4, 4))
    y_np = np.array([0, 1, 1, 0, 1, 0])

    def train(lib):
        p = {k: lib.tensor(v, requires_grad=True) for k, v in init.items()}
        rm, rv = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        losses = []
        for _ in range(3):
            h = lib.nn.functional.conv2d(lib.tensor(x_np), p["w"], padding="same")
            h = lib.nn.functional.batch_norm(h, rm, rv, p["gamma"], p["beta"], training=True)
            h = lib.nn.functional.avg_pool2d(lib.tanh(h), 2)
            logp = lib.nn.functional.log_softmax(lib.nn.functional.linear(h.flatten(1), p["fc"]), 1)
            loss = lib.nn.functional.nll_loss(logp, lib.tensor(y_np))
            loss.backward()
            with lib.no_grad():
                for v in p.values():
                    v -= 0.5 * v.grad
                    v.grad = None
            losses.append(loss.item())
        return losses, p, rm, rv

    ours, theirs = train(ag), train(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
    for k in init:
        np.testing.assert_allclose(to_np(ours[1][k]), to_np(theirs[1][k]), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(to_np(ours[2]), to_np(theirs[2]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(to_np(ours[3]), to_np(theirs[3]), rtol=1e-10, atol=1e-12)


# ---- softmax family ----------------------------------------------------------


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_large_logits_stay_finite(fn):
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -999.0], [1e4, 1e4, -1e4]])
    for dtype in (np.float32, np.float64):
        ours, theirs = both(logits, dtype)
        a, b = getattr(ag, fn)(ours, 1), getattr(torch, fn)(theirs, 1)
        assert np.isfinite(to_np(a)).all()
        assert_close(a, b, rtol=1e-6, atol=1e-6)


def test_cross_entropy_large_logits():
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    target = [2, 1]

    def fn(lib, x):
        return lib.nn.functional.cross_entropy(x, lib.tensor(target), label_smoothing=0.1)

    out, _ = run_both(fn, [logits])
    assert np.isfinite(out.item())


def test_softmax_nan_poisons_its_row_only():
    ours, theirs = both([[1.0, float("nan"), 2.0], [0.0, 1.0, 2.0]])
    a, b = ag.softmax(ours, 1), torch.softmax(theirs, 1)
    np.testing.assert_array_equal(np.isnan(to_np(a)), np.isnan(to_np(b)))
    np.testing.assert_allclose(to_np(a)[1], to_np(b)[1])


def test_softmax_implicit_dim_warns_like_torch():
    ours, theirs = both(randn(2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        a = AF.softmax(ours)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = TF().softmax(theirs)
    assert_close(a, b)


def test_softmax_dtype_and_methods():
    ours, theirs = both(randn(3, 4), np.float32)
    assert_close(ours.softmax(1, dtype=ag.float64), theirs.softmax(1, dtype=torch.float64))
    assert_close(ours.log_softmax(dim=0), theirs.log_softmax(dim=0), rtol=1e-6, atol=1e-6)
    assert_close(
        AF.log_softmax(ours, 1, dtype=ag.float64), TF().log_softmax(theirs, 1, dtype=torch.float64)
    )


def test_softmax_saved_values():
    x = ag.tensor(randn(2, 3), requires_grad=True)
    y = ag.softmax(x, -1)
    assert y.grad_fn._saved_dim == 1
    np.testing.assert_allclose(to_np(y.grad_fn._saved_result), to_np(y))


def test_softmax_parallel_rows_match_torch():
    # Large enough to be split across threads, along both kinds of dim.
    big = randn(300, 257)
    for dim in (0, 1):
        ours, theirs = both(big, np.float32)
        assert_close(ag.softmax(ours, dim), torch.softmax(theirs, dim), rtol=1e-5, atol=1e-7)
        assert_close(
            ag.log_softmax(ours, dim), torch.log_softmax(theirs, dim), rtol=1e-5, atol=1e-5
        )


# ---- convolution -------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_conv_same_padding_with_even_kernel():
    # Total padding 1 per dim: PyTorch puts the extra zero after the input.
    def fn(lib, x, w, b):
        return lib.nn.functional.conv2d(x, w, b, padding="same")

    out, _ = run_both(fn, [randn(2, 3, 5, 4), randn(2, 3, 2, 2, seed=1), randn(2, seed=2)])
    assert tuple(out.shape) == (2, 2, 5, 4)

    def fn1(lib, x, w):
        return lib.conv1d(x, w, padding="same", dilation=3)

    run_both(fn1, [randn(2, 2, 9), randn(3, 2, 2, seed=3)])


def test_conv_large_batch_uses_chunks():
    # More column data than one chunk holds, so samples are processed in
    # several groups; float32 against torch.
    x, w = randn(40, 16, 32, 32), randn(8, 16, 3, 3, seed=1)
    ours = ag.nn.functional.conv2d(ag.tensor(x, dtype=ag.float32), ag.tensor(w, dtype=ag.float32))
    theirs = TF().conv2d(torch.tensor(x, dtype=torch.float32), torch.tensor(w, dtype=torch.float32))
    assert_close(ours, theirs, rtol=1e-4, atol=1e-4)


def test_conv_saved_values_and_edges():
    x = ag.tensor(randn(1, 2, 5, 5), requires_grad=True)
    w = ag.tensor(randn(4, 1, 3, 3), requires_grad=True)
    y = ag.conv2d(x, w, None, (2, 1), 1, 1, 2)
    fn = y.grad_fn
    assert fn.name() == "ConvolutionBackward0"
    assert tuple(fn._saved_stride) == (2, 1)
    assert tuple(fn._saved_padding) == (1, 1)
    assert tuple(fn._saved_dilation) == (1, 1)
    assert fn._saved_groups == 2
    assert fn._saved_transposed is False
    assert fn._saved_input is not None
    # No bias: the third edge is empty, as in PyTorch.
    assert fn.next_functions[2][0] is None


def test_conv_integer_inputs():
    x = np.arange(2 * 2 * 4 * 4).reshape(2, 2, 4, 4)
    w = np.arange(3 * 2 * 2 * 2).reshape(3, 2, 2, 2) - 10
    ours = ag.conv2d(ag.tensor(x), ag.tensor(w), stride=2)
    theirs = torch.conv2d(torch.tensor(x), torch.tensor(w), stride=2)
    assert ours.dtype == ag.int64
    np.testing.assert_array_equal(to_np(ours), to_np(theirs))


def test_conv_second_derivative_matches_torch():
    x_np, w_np = randn(2, 2, 4, 4), randn(3, 2, 2, 2, seed=1)

    def second(lib):
        x = lib.tensor(x_np, requires_grad=True)
        w = lib.tensor(w_np, requires_grad=True)
        y = lib.nn.functional.conv2d(x, w, stride=2, padding=1)
        (gx, gw) = lib.autograd.grad((y * y).sum(), [x, w], create_graph=True)
        return lib.autograd.grad((gx * gx).sum() + (gw**3).sum(), [x, w])

    for a, b in zip(second(ag), second(torch)):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-10, atol=1e-10)


# ---- pooling -----------------------------------------------------------------


def test_max_pool_indices_match_torch():
    x = randn(2, 3, 7, 6)
    for kwargs in (
        dict(kernel_size=2),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1)),
    ):
        a, ia = AF.max_pool2d(ag.tensor(x), return_indices=True, **kwargs)
        b, ib = TF().max_pool2d(torch.tensor(x), return_indices=True, **kwargs)
        assert_close(a, b)
        assert ia.dtype == ag.int64
        np.testing.assert_array_equal(to_np(ia), to_np(ib))


def test_max_pool_nan_and_inf():
    x = np.array([[[[1.0, float("nan")], [3.0, 2.0]], [[-np.inf, -np.inf], [-np.inf, -np.inf]]]])
    a, ia = AF.max_pool2d(ag.tensor(x), 2, return_indices=True)
    b, ib = TF().max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(to_np(a), to_np(b))
    np.testing.assert_array_equal(to_np(ia), to_np(ib))


def test_max_pool_double_backward_matches_torch():
    x_np = randn(1, 2, 4, 4)

    def second(lib):
        x = lib.tensor(x_np, requires_grad=True)
        y = lib.nn.functional.max_pool2d(x, 2, stride=1)
        (g,) = lib.autograd.grad((y * y).sum(), [x], create_graph=True)
        return lib.autograd.grad((g * g * x).sum(), [x])[0]

    np.testing.assert_allclose(to_np(second(ag)), to_np(second(torch)), rtol=1e-10)


def test_pooling_module_function_and_saved_values():
    x = ag.tensor(randn(1, 1, 4, 4), requires_grad=True)
    assert_close(ag.max_pool2d(x, 2), torch.max_pool2d(torch.tensor(randn(1, 1, 4, 4)), 2))
    fn = AF.avg_pool2d(x, 2, divisor_override=3).grad_fn
    assert fn._saved_divisor_override == 3
    assert tuple(fn._saved_kernel_size) == (2, 2)
    assert AF.avg_pool2d(x, 2).grad_fn._saved_divisor_override is None
    m = AF.max_pool2d(x, 2, stride=1).grad_fn
    assert tuple(m._saved_stride) == (1, 1) and m._saved_ceil_mode is False
    assert m._saved_result1.dtype == ag.int64


# ---- normalization -----------------------------------------------------------


def test_batch_norm_running_statistics():
    x_np = randn(5, 3, 2, 2)
    rm_a, rm_t = both([0.5, -0.5, 0.0])
    rv_a, rv_t = both([1.0, 2.0, 0.5])
    for _ in range(2):
        a = AF.batch_norm(ag.tensor(x_np), rm_a, rv_a, training=True, momentum=0.2)
        b = TF().batch_norm(torch.tensor(x_np), rm_t, rv_t, training=True, momentum=0.2)
        assert_close(a, b)
    assert_close(rm_a, rm_t)
    assert_close(rv_a, rv_t)
    assert rm_a._version == 2
    # Evaluation uses (and leaves alone) the running statistics.
    a = AF.batch_norm(ag.tensor(x_np), rm_a, rv_a, training=False, eps=1e-3)
    b = TF().batch_norm(torch.tensor(x_np), rm_t, rv_t, training=False, eps=1e-3)
    assert_close(a, b)
    assert rm_a._version == 2


def test_batch_norm_float32_running_stats():
    x = randn(8, 4)
    rm_a, rm_t = both(np.zeros(4), np.float32)
    rv_a, rv_t = both(np.ones(4), np.float32)
    a = AF.batch_norm(ag.tensor(x, dtype=ag.float32), rm_a, rv_a, training=True)
    b = TF().batch_norm(torch.tensor(x, dtype=torch.float32), rm_t, rv_t, training=True)
    assert_close(a, b, rtol=1e-5, atol=1e-5)
    assert_close(rv_a, rv_t, rtol=1e-6, atol=1e-6)


def test_batch_norm_saved_values():
    x = ag.tensor(randn(4, 3), requires_grad=True)
    y = AF.batch_norm(x, None, None, training=True)
    fn = y.grad_fn
    assert fn._saved_training is True
    assert tuple(fn._saved_result1.shape) == (3,)
    assert fn._saved_running_mean is None
    y = AF.batch_norm(x, ag.zeros(3, dtype=ag.float64), ag.ones(3, dtype=ag.float64))
    assert tuple(y.grad_fn._saved_result1.shape) == (0,)


def test_batch_norm_eval_second_derivative():
    def second(lib):
        x = lib.tensor(randn(4, 3), requires_grad=True)
        w = lib.tensor([1.0, 2.0, -1.0], dtype=lib.float64, requires_grad=True)
        rm = lib.tensor([0.1, 0.2, 0.3], dtype=lib.float64)
        rv = lib.tensor([1.0, 0.5, 2.0], dtype=lib.float64)
        y = lib.nn.functional.batch_norm(x, rm, rv, w, training=False)
        gx, gw = lib.autograd.grad((y**3).sum(), [x, w], create_graph=True)
        return lib.autograd.grad((gx * gx).sum() + (gw * gw).sum(), [x, w])

    for a, b in zip(second(ag), second(torch)):
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-10)


def test_layer_norm_saved_values():
    x_np = randn(2, 3, 4)
    saved = []
    for lib in (ag, torch):
        x = lib.tensor(x_np, requires_grad=True)
        w = lib.ones(4, dtype=lib.float64, requires_grad=True)
        saved.append(lib.layer_norm(x, [4], w).grad_fn)
    ours, theirs = saved
    assert tuple(ours._saved_normalized_shape) == tuple(theirs._saved_normalized_shape) == (4,)
    assert_close(ours._saved_result1, theirs._saved_result1)
    assert_close(ours._saved_result2, theirs._saved_result2)


def test_layer_norm_large_offset_is_accurate():
    # A large mean with a small spread: a one-pass variance would lose it.
    x = 1e4 + randn(3, 8)
    run_both(lambda lib, t: lib.nn.functional.layer_norm(t, (8,)), [x])


# ---- losses ------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_nll_and_cross_entropy_options(reduction, ignore_index):
    target = [1, 0, 3, 1, 2]
    weight = [0.5, 2.0, 1.0, 3.0]

    for name in ("nll_loss", "cross_entropy"):

        def fn(lib, x, name=name):
            w = lib.tensor(weight, dtype=lib.float64)
            return getattr(lib.nn.functional, name)(
                x, lib.tensor(target), weight=w, ignore_index=ignore_index, reduction=reduction
            )

        run_both(fn, [randn(5, 4)])


def test_nll_all_targets_ignored():
    for reduction in ("mean", "sum"):
        for lib in (ag, torch):
            x = lib.tensor(randn(2, 3), requires_grad=True)
            loss = lib.nn.functional.nll_loss(x, lib.tensor([-100, -100]), reduction=reduction)
            loss.backward()
            assert np.isnan(loss.item()) == (reduction == "mean")
            np.testing.assert_array_equal(to_np(x.grad), np.zeros((2, 3)))


def test_nll_saved_values():
    x = ag.tensor(randn(3, 4), requires_grad=True)
    y = AF.nll_loss(x, ag.tensor([0, 1, 3]), ignore_index=1)
    fn = y.grad_fn
    assert fn._saved_ignore_index == 1
    assert fn._saved_reduction == 1
    assert fn._saved_total_weight.item() == 2.0
    assert fn._saved_weight is None


def test_cross_entropy_probabilities_match_torch():
    for reduction in ("mean", "sum", "none"):
        for smoothing in (0.0, 0.3):

            def fn(lib, x, t, reduction=reduction, smoothing=smoothing):
                return lib.nn.functional.cross_entropy(
                    x, lib.softmax(t, 1), reduction=reduction, label_smoothing=smoothing
                )

            run_both(fn, [randn(2, 3, 2, 2), randn(2, 3, 2, 2, seed=1)])


def test_legacy_reduction_arguments():
    x, t = randn(3, 4), randn(3, 4, seed=1)
    for kwargs in (dict(size_average=False), dict(reduce=False), dict(size_average=True)):
        with pytest.warns(UserWarning, match="size_average and reduce args"):
            a = AF.mse_loss(ag.tensor(x), ag.tensor(t), **kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b = TF().mse_loss(torch.tensor(x), torch.tensor(t), **kwargs)
        assert_close(a, b)


def test_pointwise_losses_broadcast_with_warning():
    x, t = randn(3, 4), randn(4, seed=1)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss"):
        with pytest.warns(UserWarning, match="Using a target size"):
            a = getattr(AF, name)(ag.tensor(x), ag.tensor(t))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b = getattr(TF(), name)(torch.tensor(x), torch.tensor(t))
        assert_close(a, b)


def test_pointwise_losses_weighted_and_beta():
    x, t, w = randn(3, 4), randn(3, 4, seed=1), np.abs(randn(3, 4, seed=2))
    for reduction in ("mean", "sum", "none"):
        for name in ("mse_loss", "l1_loss"):
            run_both(
                lambda lib, a, b, c, name=name, r=reduction: getattr(lib.nn.functional, name)(
                    a, b, reduction=r, weight=c
                ),
                [x, t, w],
            )
    for beta in (0.0, 0.3, 5.0):
        run_both(
            lambda lib, a, b, beta=beta: lib.nn.functional.smooth_l1_loss(a, b, beta=beta), [x, t]
        )


def test_batch_norm_of_an_empty_input_matches_torch():
    cases = [
        lambda m: F(m).batch_norm(m.ones(0), None, None, m.ones(1), m.ones(1), training=True),
        lambda m: F(m).batch_norm(m.ones(0, 3), None, None, None, None, training=False),
        lambda m: F(m).batch_norm(m.ones(0), m.ones(3), m.ones(3), training=False),
        lambda m: F(m).batch_norm(m.ones(0, 3, dtype=m.int64), None, None, training=True),
        lambda m: F(m).batch_norm(m.ones(2, 0), None, None, m.full((5,), 2.0), m.ones(5)),
    ]
    for case in cases:
        ours, theirs = case(ag), case(torch)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert str(ours.dtype) == str(theirs.dtype)


def test_relu_gradient_at_nan_and_of_inf_matches_torch():
    """Zero where the result is <= 0, the gradient elsewhere: a NaN input
    passes it, and an inf gradient stays inf (not inf * 0)."""
    grads = []
    for lib in (ag, torch):
        x = lib.tensor([float("nan"), 0.0, -1.0, 2.0], requires_grad=True)
        lib.relu(x).backward(lib.tensor([float("inf"), 1.0, float("inf"), 3.0]))
        (gg,) = lib.autograd.grad(
            lib.autograd.grad((lib.relu(x) ** 2).sum(), x, create_graph=True)[0].sum(), x
        )
        grads.append((x.grad.tolist(), gg.tolist()))
    assert str(grads[0]) == str(grads[1])


def test_hinge_embedding_loss_keeps_an_integer_input_dtype():
    for margin in (0.8, 2.8):
        ours = ag.nn.functional.hinge_embedding_loss(
            ag.tensor([0, 2, 1]), ag.tensor([1, -1, -1]), margin=margin, reduction="none"
        )
        theirs = torch.nn.functional.hinge_embedding_loss(
            torch.tensor([0, 2, 1]), torch.tensor([1, -1, -1]), margin=margin, reduction="none"
        )
        assert str(ours.dtype) == str(theirs.dtype) and ours.tolist() == theirs.tolist()


def test_mse_loss_promotes_dtypes():
    a = AF.mse_loss(ag.tensor(randn(3)), ag.tensor(randn(3), dtype=ag.float32))
    b = TF().mse_loss(torch.tensor(randn(3)), torch.tensor(randn(3), dtype=torch.float32))
    assert_close(a, b)


def test_binary_cross_entropy_clamps_logs():
    x = [1.0, 0.0, 0.5, 1.0]
    t = [0.0, 1.0, 0.25, 1.0]
    ours_x, theirs_x = both(x, requires_grad=True)
    ours_t, theirs_t = both(t)
    a = AF.binary_cross_entropy(ours_x, ours_t, reduction="sum")
    b = TF().binary_cross_entropy(theirs_x, theirs_t, reduction="sum")
    assert_close(a, b)
    assert a.item() == pytest.approx(200.0 + 0.6931471805599453 * 1.0, rel=1e-12)
    a.backward()
    b.backward()
    assert_close(ours_x.grad, theirs_x.grad, rtol=1e-12, atol=0)


def test_binary_cross_entropy_target_gradient():
    def fn(lib, x, t):
        return lib.nn.functional.binary_cross_entropy(lib.sigmoid(x), t, reduction="none")

    run_both(fn, [randn(5), np.random.default_rng(3).uniform(size=5)])


# ---- linear algebra ----------------------------------------------------------


def test_addmm_beta_zero_ignores_self():
    bad = np.full((2, 2), np.nan)
    a = ag.addmm(ag.tensor(bad), ag.tensor(randn(2, 3)), ag.tensor(randn(3, 2)), beta=0)
    b = torch.addmm(torch.tensor(bad), torch.tensor(randn(2, 3)), torch.tensor(randn(3, 2)), beta=0)
    assert_close(a, b)
    run_both(
        lambda lib, s, m1, m2: lib.addmm(s, m1, m2, beta=0, alpha=3),
        [bad * 0, randn(2, 3), randn(3, 2)],
    )


def test_addmm_saved_values():
    s, m1, m2 = (ag.tensor(randn(*shape), requires_grad=True) for shape in ((2,), (3, 4), (4, 2)))
    fn = ag.addmm(s, m1, m2, beta=2, alpha=0.5).grad_fn
    assert fn._saved_beta == 2 and fn._saved_alpha == 0.5
    assert tuple(fn._saved_mat1_sym_sizes) == (3, 4)


def test_einsum_forms():
    a, b = randn(2, 3), randn(3, 4, seed=1)
    assert_close(
        ag.einsum("ij,jk->ik", [ag.tensor(a), ag.tensor(b)]),
        torch.einsum("ij,jk->ik", [torch.tensor(a), torch.tensor(b)]),
    )
    assert_close(
        ag.einsum(" i j , j k -> k i ", ag.tensor(a), ag.tensor(b)),
        torch.einsum(" i j , j k -> k i ", torch.tensor(a), torch.tensor(b)),
    )
    # Capitals sort before lower case in the implicit output.
    x = randn(2, 3)
    assert_close(ag.einsum("iJ", ag.tensor(x)), torch.einsum("iJ", torch.tensor(x)))
    # Broadcasting of size-1 dims and batched ellipses.
    run_both(
        lambda lib, p, q: lib.einsum("...ij,...jk->...ik", p, q),
        [randn(3, 1, 2, 3), randn(4, 3, 2)],
    )
    run_both(lambda lib, p: lib.einsum("bii->bi", p), [randn(2, 3, 3)])
    run_both(lambda lib, p, q: lib.einsum("ij,ij->", p, q), [randn(2, 3), randn(1, 3)])


def test_outer_and_ger_methods():
    a, b = randn(3), randn(2, seed=1)
    assert_close(ag.tensor(a).outer(ag.tensor(b)), torch.tensor(a).outer(torch.tensor(b)))
    assert_close(ag.ger(ag.tensor(a), ag.tensor(b)), torch.ger(torch.tensor(a), torch.tensor(b)))
    # Different dtypes promote, as mul does.
    mixed_a = ag.outer(ag.tensor(a), ag.tensor(b, dtype=ag.float32))
    mixed_t = torch.outer(torch.tensor(a), torch.tensor(b, dtype=torch.float32))
    assert_close(mixed_a, mixed_t)


# ---- errors ------------------------------------------------------------------


def _x(lib, *shape, dtype=None):
    t = lib.tensor(randn(*shape)) if shape else lib.tensor(1.0, dtype=lib.float64)
    return t if dtype is None else t.to(getattr(lib, dtype))


ERRORS = {
    "conv_input_dim": lambda m: F(m).conv2d(_x(m, 5, 5), _x(m, 4, 3, 3, 3)),
    "conv_channels": lambda m: F(m).conv2d(_x(m, 2, 3, 5, 5), _x(m, 4, 2, 3, 3)),
    "conv_kernel_too_big": lambda m: F(m).conv2d(_x(m, 2, 3, 5, 5), _x(m, 4, 3, 7, 7)),
    "conv_dtype": lambda m: F(m).conv2d(_x(m, 2, 3, 5, 5, dtype="float32"), _x(m, 4, 3, 3, 3)),
    "conv_bias_dtype": lambda m: F(m).conv2d(
        _x(m, 2, 3, 5, 5), _x(m, 4, 3, 3, 3), _x(m, 4, dtype="float32")
    ),
    "conv_bias_size": lambda m: F(m).conv2d(_x(m, 2, 3, 5, 5), _x(m, 4, 3, 3, 3), _x(m, 5)),
    "conv_same_strided": lambda m: F(m).conv2d(
        _x(m, 2, 3, 5, 5), _x(m, 4, 3, 3, 3), padding="same", stride=2
    ),
    "conv_bad_padding_string": lambda m: F(m).conv2d(
        _x(m, 2, 3, 5, 5), _x(m, 4, 3, 3, 3), padding="full"
    ),
    "conv_groups_divide": lambda m: F(m).conv2d(_x(m, 2, 3, 5, 5), _x(m, 4, 1, 3, 3), groups=3),
    "conv_groups_positive": lambda m: F(m).conv2d(_x(m, 2, 3, 5, 5), _x(m, 4, 3, 3, 3), groups=0),
    "conv_stride": lambda m: F(m).conv2d(_x(m, 2, 3, 5, 5), _x(m, 4, 3, 3, 3), stride=0),
    "conv_padding": lambda m: F(m).conv2d(_x(m, 2, 3, 5, 5), _x(m, 4, 3, 3, 3), padding=-1),
    "conv_stride_len": lambda m: F(m).conv2d(
        _x(m, 2, 3, 5, 5), _x(m, 4, 3, 3, 3), stride=(1, 2, 3)
    ),
    "conv1d_weight_dim": lambda m: F(m).conv1d(_x(m, 2, 3, 7), _x(m, 4, 3, 3, 3)),
    "conv1d_input_dim": lambda m: F(m).conv1d(_x(m, 2, 3, 7, 5), _x(m, 4, 3, 3)),
    "maxpool_pad": lambda m: F(m).max_pool2d(_x(m, 2, 3, 5, 5), 3, padding=2),
    "maxpool_stride_zero": lambda m: F(m).max_pool2d(_x(m, 2, 3, 5, 5), 3, stride=0),
    "maxpool_stride_negative": lambda m: F(m).max_pool2d(_x(m, 2, 3, 5, 5), 2, stride=-1),
    "maxpool_dim": lambda m: F(m).max_pool2d(_x(m, 5, 5), 2),
    "maxpool_small": lambda m: F(m).max_pool2d(_x(m, 2, 3, 5, 5), 6),
    "maxpool_kernel_len": lambda m: F(m).max_pool2d(_x(m, 2, 3, 5, 5), (2, 2, 2)),
    "maxpool_dilation": lambda m: F(m).max_pool2d(_x(m, 2, 3, 5, 5), 2, dilation=0),
    "maxpool_empty_channels": lambda m: F(m).max_pool2d(_x(m, 2, 0, 5, 5), 2),
    "avgpool_divisor": lambda m: F(m).avg_pool2d(_x(m, 2, 3, 5, 5), 2, divisor_override=0),
    "avgpool_padding_len": lambda m: F(m).avg_pool2d(_x(m, 2, 3, 5, 5), 2, padding=(1, 2, 3)),
    "unfold_kernel_len": lambda m: F(m).unfold(_x(m, 2, 3, 5, 5), (2, 2, 2)),
    "unfold_too_big": lambda m: F(m).unfold(_x(m, 2, 3, 5, 5), 6),
    "fold_divisible": lambda m: F(m).fold(_x(m, 2, 12, 16), (5, 5), 3),
    "fold_int32_shape_first": lambda m: F(m).fold(_x(m, 2, 8, 8, dtype="int32"), (4, 5), 2),
    "adaptive_avg1d_rank": lambda m: F(m).adaptive_avg_pool1d(m.zeros(3), 2),
    "adaptive_max1d_len": lambda m: F(m).adaptive_max_pool1d(m.zeros(2, 3), (2, 2)),
    "adaptive_avg2d_0d": lambda m: F(m).adaptive_avg_pool2d(m.tensor(0.0), (2, 2)),
    "adaptive_avg2d_rank": lambda m: F(m).adaptive_avg_pool2d(m.zeros(3), 2),
    "adaptive_max2d_rank": lambda m: F(m).adaptive_max_pool2d(m.zeros(3), 2),
    "adaptive_max2d_none": lambda m: F(m).adaptive_max_pool2d(m.zeros(2, 3, 3), None),
    "adaptive_avg2d_len": lambda m: F(m).adaptive_avg_pool2d(m.zeros(2, 3, 3, 3), (2, 2, 2)),
    "adaptive_max2d_len": lambda m: F(m).adaptive_max_pool2d(m.zeros(2, 3, 3, 3), (2, 2, 2)),
    "adaptive_avg3d_short": lambda m: F(m).adaptive_avg_pool3d(m.zeros(3, 3), (2, 2, 2)),
    "adaptive_max3d_rank": lambda m: F(m).adaptive_max_pool3d(m.zeros(3, 3), 2),
    "adaptive_avg3d_len": lambda m: F(m).adaptive_avg_pool3d(m.zeros(2, 3, 3, 3, 3), (2, 2)),
    "grid_sample_0d": lambda m: F(m).grid_sample(m.tensor(0.0), m.tensor(0.0), align_corners=False),
    "grid_sample_batch": lambda m: F(m).grid_sample(
        m.zeros(2, 3, 4, 4), m.zeros(3, 5, 5, 2), align_corners=False
    ),
    "grid_sample_last_dim": lambda m: F(m).grid_sample(
        m.zeros(2, 3, 4, 4), m.zeros(2, 5, 5, 3), align_corners=False
    ),
    "grid_sample_empty": lambda m: F(m).grid_sample(
        m.zeros(2, 3, 0, 4), m.zeros(2, 5, 5, 2), align_corners=False
    ),
    "grid_sample_rank": lambda m: F(m).grid_sample(
        m.zeros(2, 3, 4, 4), m.zeros(2, 5, 2), align_corners=False
    ),
    "grid_sample_int": lambda m: F(m).grid_sample(
        m.zeros(2, 3, 4, 4, dtype=m.int64), m.zeros(2, 5, 5, 2), align_corners=False
    ),
    "grid_sample_dtypes": lambda m: F(m).grid_sample(
        m.zeros(2, 3, 4, 4), m.zeros(2, 5, 5, 2, dtype=m.float64), align_corners=False
    ),
    "unfold_int64": lambda m: F(m).unfold(m.zeros(1, 2, 4, 4, dtype=m.int64), 2),
    "unfold_int32": lambda m: F(m).unfold(m.zeros(1, 2, 4, 4, dtype=m.int32), 2),
    "fold_int64": lambda m: F(m).fold(m.zeros(2, 8, 4, dtype=m.int64), (3, 3), 2),
    # A kernel whose product wraps to 0 in 64 bits (it divided by zero).
    "fold_kernel_overflow": lambda m: F(m).fold(
        m.zeros(2, 1, 3, dtype=m.int64), (2, 3), (2**40, 2**40), (2, 3), (2, 3)
    ),
    "fold_kernel_2_63": lambda m: F(m).fold(_x(m, 1, 4, 2), (2, 3), (2**62, 2)),
    "layer_norm_shape": lambda m: F(m).layer_norm(_x(m, 2, 3, 5), (4,)),
    "layer_norm_weight": lambda m: F(m).layer_norm(_x(m, 2, 3, 5), (5,), _x(m, 4)),
    "layer_norm_empty": lambda m: F(m).layer_norm(_x(m, 2, 3), ()),
    "layer_norm_int_shape": lambda m: F(m).layer_norm(_x(m, 2, 3), 3),
    "layer_norm_mixed": lambda m: F(m).layer_norm(_x(m, 2, 3), (3,), _x(m, 3, dtype="float32")),
    "bn_eval_no_stats": lambda m: F(m).batch_norm(_x(m, 4, 3), None, None),
    "bn_running_size": lambda m: F(m).batch_norm(_x(m, 4, 3), m.zeros(4), m.ones(4), training=True),
    "bn_weight_size": lambda m: F(m).batch_norm(_x(m, 4, 3), None, None, m.ones(2), training=True),
    "bn_one_value": lambda m: F(m).batch_norm(_x(m, 1, 3), None, None, training=True),
    "softmax_int": lambda m: m.softmax(m.tensor([1, 2]), 0),
    "log_softmax_int": lambda m: m.log_softmax(m.tensor([1, 2]), 0),
    "softmax_dim": lambda m: m.softmax(_x(m, 3), 1),
    "nll_target_oob": lambda m: F(m).nll_loss(_x(m, 3, 4), m.tensor([0, 5, 1])),
    "nll_target_negative": lambda m: F(m).nll_loss(_x(m, 3, 4), m.tensor([0, -5, 1])),
    "nll_2d_target_oob": lambda m: F(m).nll_loss(
        _x(m, 2, 3, 2, 2), m.zeros(2, 2, 2, dtype=m.int64) + 7
    ),
    "nll_batch": lambda m: F(m).nll_loss(_x(m, 3, 4), m.tensor([0, 1])),
    "nll_target_dtype": lambda m: F(m).nll_loss(_x(m, 3, 4), m.tensor([0.0, 1.0, 1.0])),
    "nll_target_int32": lambda m: F(m).nll_loss(_x(m, 3, 4), m.tensor([0, 1, 1], dtype=m.int32)),
    "nll_weight_size": lambda m: F(m).nll_loss(
        _x(m, 3, 4), m.tensor([0, 1, 1]), weight=m.ones(3, dtype=m.float64)
    ),
    "nll_weight_dtype": lambda m: F(m).nll_loss(_x(m, 3, 4), m.tensor([0, 1, 1]), weight=m.ones(4)),
    "nll_weight_requires_grad": lambda m: F(m).nll_loss(
        _x(m, 3, 4), m.tensor([0, 1, 1]), weight=m.ones(4, dtype=m.float64, requires_grad=True)
    ),
    "nll_0d": lambda m: F(m).nll_loss(_x(m), m.tensor(0)),
    "nll_multi_target": lambda m: F(m).nll_loss(_x(m, 3, 4), m.tensor([[0], [1], [1]])),
    "nll_seq_target": lambda m: F(m).nll_loss(_x(m, 2, 3, 4), m.zeros(2, 5, dtype=m.int64)),
    "nll_img_target_dim": lambda m: F(m).nll_loss(_x(m, 2, 3, 4, 5), m.zeros(2, 4, dtype=m.int64)),
    "nll_img_weight": lambda m: F(m).nll_loss(
        _x(m, 2, 3, 4, 5), m.zeros(2, 4, 5, dtype=m.int64), weight=m.ones(2, dtype=m.float64)
    ),
    "nll_reduction": lambda m: F(m).nll_loss(_x(m, 3, 4), m.tensor([0, 1, 1]), reduction="avg"),
    "ce_float_target": lambda m: F(m).cross_entropy(_x(m, 3, 4), m.tensor([0.0, 1.0, 1.0])),
    "ce_long_probs": lambda m: F(m).cross_entropy(_x(m, 3, 4), m.zeros(3, 4, dtype=m.int64)),
    "ce_probs_ignore": lambda m: F(m).cross_entropy(_x(m, 3, 4), _x(m, 3, 4), ignore_index=1),
    "ce_smoothing_range": lambda m: F(m).cross_entropy(
        _x(m, 3, 4), m.tensor([0, 1, 1]), label_smoothing=1.5
    ),
    "ce_probs_weight": lambda m: F(m).cross_entropy(
        _x(m, 2, 3), _x(m, 2, 3), weight=m.ones(2, dtype=m.float64)
    ),
    "bce_range": lambda m: F(m).binary_cross_entropy(
        m.tensor([1.5], dtype=m.float64), m.tensor([0.5], dtype=m.float64)
    ),
    "bce_size": lambda m: F(m).binary_cross_entropy(_x(m, 3).sigmoid(), _x(m, 3, 1).sigmoid()),
    "bce_dtype": lambda m: F(m).binary_cross_entropy(
        _x(m, 3).sigmoid(), _x(m, 3, dtype="float32").sigmoid()
    ),
    "bce_int": lambda m: F(m).binary_cross_entropy(m.tensor([1, 0]), m.tensor([1, 0])),
    "bce_weight_requires_grad": lambda m: F(m).binary_cross_entropy(
        _x(m, 3).sigmoid(),
        _x(m, 3).sigmoid(),
        weight=m.ones(3, dtype=m.float64, requires_grad=True),
    ),
    "mse_int": lambda m: F(m).mse_loss(m.tensor([1, 2]), m.tensor([1, 3])),
    "mse_shapes": lambda m: F(m).mse_loss(_x(m, 3), _x(m, 4)),
    "mse_weight_size": lambda m: F(m).mse_loss(_x(m, 3), _x(m, 3), weight=_x(m, 2)),
    "smooth_l1_beta": lambda m: F(m).smooth_l1_loss(_x(m, 3), _x(m, 3), beta=-1.0),
    "smooth_l1_int": lambda m: F(m).smooth_l1_loss(m.tensor([1, 2]), m.tensor([1, 3])),
    "outer_self": lambda m: m.outer(_x(m, 3, 2), _x(m, 3)),
    "outer_vec2": lambda m: m.outer(_x(m, 3), _x(m, 3, 1)),
    "linear_shapes": lambda m: F(m).linear(_x(m, 3, 4), _x(m, 5, 3)),
    "linear_bias_shape": lambda m: F(m).linear(_x(m, 3, 4), _x(m, 5, 4), _x(m, 4)),
    "linear_bias_dtype": lambda m: F(m).linear(_x(m, 3, 4), _x(m, 5, 4), _x(m, 5, dtype="float32")),
    "linear_weight_1d_bias": lambda m: F(m).linear(_x(m, 2, 3), _x(m, 3), _x(m)),
    "addmm_mat1": lambda m: m.addmm(_x(m, 3), _x(m, 4), _x(m, 4, 3)),
    "addmm_sizes": lambda m: m.addmm(_x(m, 3), _x(m, 2, 4), _x(m, 5, 3)),
    "addmm_self": lambda m: m.addmm(_x(m, 4), _x(m, 2, 4), _x(m, 4, 3)),
    "addmm_self_dtype": lambda m: m.addmm(_x(m, 3, dtype="float32"), _x(m, 2, 4), _x(m, 4, 3)),
    "addmm_mat_dtype": lambda m: m.addmm(_x(m, 3), _x(m, 2, 4, dtype="float32"), _x(m, 4, 3)),
    "addmm_sizes_before_self": lambda m: m.addmm(_x(m, 4), _x(m, 2, 4), _x(m, 5, 3)),
    "einsum_size": lambda m: m.einsum("ij,jk->ik", _x(m, 2, 3), _x(m, 4, 5)),
    "einsum_fewer": lambda m: m.einsum("ij,jk->ik", _x(m, 2, 3)),
    "einsum_more": lambda m: m.einsum("ij->ji", _x(m, 2, 3), _x(m, 2, 3)),
    "einsum_output_missing": lambda m: m.einsum("ij->k", _x(m, 2, 3)),
    "einsum_output_twice": lambda m: m.einsum("ij->ii", _x(m, 2, 3)),
    "einsum_subscripts": lambda m: m.einsum("ijk->ij", _x(m, 2, 3)),
    "einsum_ellipsis_subscripts": lambda m: m.einsum("...ijk->ij", _x(m, 2, 3)),
    "einsum_bad_char": lambda m: m.einsum("i1", _x(m, 2, 3)),
    "einsum_dtype": lambda m: m.einsum("i,i->", _x(m, 3), _x(m, 3, dtype="float32")),
    "einsum_diag_size": lambda m: m.einsum("ii->i", _x(m, 2, 3)),
    # Bool inputs reach product, convolution and pooling kernels PyTorch has
    # no bool version of (NotImplementedError, the kernel named).
    "mm_bool": lambda m: m.ones(2, 3, dtype=m.bool) @ m.ones(3, 2, dtype=m.bool),
    "mv_bool": lambda m: m.ones(2, 3, dtype=m.bool).mv(m.ones(3, dtype=m.bool)),
    "bmm_bool": lambda m: m.ones(1, 2, 3, dtype=m.bool).bmm(m.ones(1, 3, 2, dtype=m.bool)),
    "dot_bool_empty": lambda m: m.ones(0, dtype=m.bool).dot(m.ones(0, dtype=m.bool)),
    "addmm_bool": lambda m: m.addmm(*(m.ones(2, 2, dtype=m.bool),) * 3),
    "linear_bool": lambda m: F(m).linear(m.ones(2, 2, dtype=m.bool), m.ones(3, 2, dtype=m.bool)),
    "einsum_bool": lambda m: m.einsum(
        "ij,jk->ik", m.ones(2, 3, dtype=m.bool), m.ones(3, 4, dtype=m.bool)
    ),
    "conv1d_bool": lambda m: F(m).conv1d(
        m.ones(1, 2, 3, dtype=m.bool), m.ones(1, 2, 1, dtype=m.bool)
    ),
    "max_pool2d_bool": lambda m: F(m).max_pool2d(m.ones(1, 2, 3, dtype=m.bool), 1),
    "avg_pool2d_bool": lambda m: F(m).avg_pool2d(m.ones(1, 2, 3, dtype=m.bool), 1),
    # margin - input is computed in input's dtype (int stays int, so its mean fails).
    # Python-composed functionals meet PyTorch's kernel dtype check after their shape checks.
    "glu_int": lambda m: F(m).glu(m.ones(3, 4, dtype=m.int64)),
    "glu_int_odd_size_first": lambda m: F(m).glu(m.ones(3, 3, dtype=m.int64)),
    "adaptive_max_pool1d_int": lambda m: F(m).adaptive_max_pool1d(
        m.ones(2, 3, 7, dtype=m.int64), 3
    ),
    "adaptive_avg_pool2d_bool": lambda m: F(m).adaptive_avg_pool2d(
        m.ones(2, 3, 7, dtype=m.bool), 3
    ),
    "interpolate_area_int": lambda m: F(m).interpolate(
        m.ones(2, 3, 5, 5, dtype=m.int64), size=7, mode="area"
    ),
    # An empty input returns before the channel checks, indexing weight[0].
    "batch_norm_empty_0d_weight": lambda m: F(m).batch_norm(
        m.ones(0), None, None, m.tensor(0.0), m.tensor(0.0), training=True
    ),
    "hinge_embedding_int_mean": lambda m: F(m).hinge_embedding_loss(
        m.tensor([0, 2]), m.tensor([1, -1]), margin=0.8
    ),
    "hinge_embedding_bool": lambda m: F(m).hinge_embedding_loss(
        m.tensor([True, False]), m.tensor([1, -1]), reduction="none"
    ),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    fn = ERRORS[name]
    with pytest.raises(Exception) as theirs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(torch)
    with pytest.raises(Exception) as ours:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(ag)
    assert type(ours.value).__name__ == type(theirs.value).__name__
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "name,fn,shape",
    [
        ("max_pool2d", lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1), (4, 16, 40, 40)),
        ("avg_pool2d", lambda lib, x: lib.nn.functional.avg_pool2d(x, 2), (4, 16, 40, 40)),
        ("layer_norm", lambda lib, x: lib.nn.functional.layer_norm(x, (300,)), (400, 300)),
        (
            "batch_norm",
            lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True),
            (16, 8, 30, 30),
        ),
        ("unfold", lambda lib, x: lib.nn.functional.unfold(x, 3, padding=1), (2, 16, 40, 40)),
        ("log_softmax", lambda lib, x: lib.log_softmax(x, 1), (30, 200, 30)),
    ],
)
def test_large_inputs_split_across_threads(name, fn, shape):
    # Big enough that the kernels hand chunks to the thread pool.
    run_both(fn, [randn(*shape)])


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("input_shape,target_shape", [((), (3,)), ((1, 3), (2, 3)), ((), (0,))])
def test_weight_matches_the_unbroadcast_input(name, input_shape, target_shape):
    """PyTorch compares weight with the input's own size, then broadcasts."""
    results = []
    for lib in (torch, ag):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = getattr(lib.nn.functional, name)(
                lib.full(input_shape, 1.5, dtype=lib.float64),
                lib.zeros(target_shape, dtype=lib.float64),
                reduction="sum",
                weight=lib.full(input_shape, 2.0, dtype=lib.float64),
            )
        results.append(float(out))
    assert results[0] == results[1]


def test_batch_norm_of_a_constant_channel_rounds_as_torch():
    # With zero variance the output is the rounding of x * scale + shift
    # magnified by 1 / sqrt(eps): scale and shift must be rounded as
    # PyTorch's are, term by term, in float32.
    for value in (3.0, -2.5, 0.1):
        x = np.full((3, 2, 2), value, dtype=np.float32)
        outs = [
            F(lib).batch_norm(lib.tensor(x), None, None, training=True).numpy()
            for lib in (ag, torch)
        ]
        np.testing.assert_array_equal(outs[0], outs[1])


@pytest.mark.parametrize("name", ["adaptive_avg_pool1d", "adaptive_avg_pool2d"])
def test_adaptive_avg_pool_of_uneven_windows_keeps_inf(name):
    # Windows of uneven size (7 into 3) once became a product with an
    # averaging matrix, where inf * 0 gave nan.
    x = np.full((1, 2, 7, 7), np.inf, dtype=np.float32)
    x[0, 1, 3, 3] = -np.inf
    if name.endswith("1d"):
        x = x[0, :, 0]
    outs = [getattr(F(lib), name)(lib.tensor(x), 3).numpy() for lib in (ag, torch)]
    np.testing.assert_array_equal(outs[0], outs[1])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_leaves_padding_out(mode):
    # Padding entries are left out of every mode: not multiplied by 0 (an
    # inf row gave nan) and not part of the max (a zero row beat negative
    # entries), and a bag of padding only gives zeros.
    w = np.random.default_rng(5).standard_normal((6, 3)).astype(np.float32) - 3
    w[2, 1] = np.inf
    results = []
    for lib in (ag, torch):
        weight = lib.tensor(w, requires_grad=True)
        bags = lib.tensor([[1, 2, 0], [4, 0, 4], [0, 0, 0]])
        out = F(lib).embedding_bag(bags, weight, mode=mode, padding_idx=0)
        out.sum().backward()
        results.append((out.detach().numpy(), weight.grad.numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1.3e-6, atol=1e-5)
