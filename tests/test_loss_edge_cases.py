"""Loss functions at the edges users reach: empty targets and empty batches
in CTC, the messages of invalid arguments, the deprecated reduce flag, and
default distance functions, each against PyTorch."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

RNG = np.random.default_rng(11)


def _pair(array, requires_grad=False):
    return (
        ag.tensor(array, requires_grad=requires_grad),
        torch.tensor(array, requires_grad=requires_grad),
    )


def _log_probs(steps, batch, classes):
    """Normalised log-probabilities, as log_softmax would give."""
    logits = RNG.standard_normal((steps, batch, classes))
    return logits - np.log(np.exp(logits).sum(-1, keepdims=True))


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_ctc_loss_with_only_empty_targets(reduction):
    # Every target has length 0: the only path is all blanks (one state).
    # Gradients are compared at the logits, through log_softmax: PyTorch's
    # CTC gradient with respect to log_probs already folds in log_softmax's
    # Jacobian, so only the logits' gradients are the same numbers.
    ours_lp, ref_lp = _pair(RNG.standard_normal((5, 2, 4)), requires_grad=True)
    targets = np.zeros((2, 0), dtype=np.int64)
    ours = ag.nn.functional.ctc_loss(
        ours_lp.log_softmax(2), ag.tensor(targets), [5, 3], [0, 0], reduction=reduction
    )
    ref = torch.nn.functional.ctc_loss(
        ref_lp.log_softmax(2), torch.tensor(targets), [5, 3], [0, 0], reduction=reduction
    )
    np.testing.assert_allclose(ours.detach().numpy(), ref.detach().numpy(), rtol=1e-10)
    ours.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(ours_lp.grad.numpy(), ref_lp.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("shape", [(4, 0, 3), (0, 2, 3)])
def test_ctc_loss_rejects_empty_log_probs(shape):
    batch = shape[1]
    targets = np.ones((batch, 1), dtype=np.int64)
    lengths = [1] * batch
    with pytest.raises(RuntimeError) as ours:
        ag.nn.functional.ctc_loss(ag.zeros(shape), ag.tensor(targets), lengths, lengths)
    with pytest.raises(RuntimeError) as ref:
        torch.nn.functional.ctc_loss(torch.zeros(shape), torch.tensor(targets), lengths, lengths)
    assert str(ours.value) == str(ref.value)


def test_ctc_loss_input_length_too_long_names_the_longest():
    lp = _log_probs(3, 2, 4)
    targets = np.ones((2, 1), dtype=np.int64)
    with pytest.raises(RuntimeError) as ours:
        ag.nn.functional.ctc_loss(ag.tensor(lp), ag.tensor(targets), [4, 5], [1, 1])
    with pytest.raises(RuntimeError) as ref:
        torch.nn.functional.ctc_loss(torch.tensor(lp), torch.tensor(targets), [4, 5], [1, 1])
    assert str(ours.value) == str(ref.value)


def test_gaussian_nll_loss_negative_var_message():
    x, t, var = RNG.standard_normal(4), RNG.standard_normal(4), -np.ones(4)
    with pytest.raises(ValueError) as ours:
        ag.nn.functional.gaussian_nll_loss(ag.tensor(x), ag.tensor(t), ag.tensor(var))
    with pytest.raises(ValueError) as ref:
        torch.nn.functional.gaussian_nll_loss(torch.tensor(x), torch.tensor(t), torch.tensor(var))
    assert str(ours.value) == str(ref.value)


@pytest.mark.parametrize("size_average", [None, False])
@pytest.mark.parametrize("reduce", [False, True])
def test_poisson_nll_loss_legacy_flags(size_average, reduce):
    x, t = RNG.standard_normal((3, 4)), RNG.uniform(0, 3, (3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ag.nn.functional.poisson_nll_loss(
            ag.tensor(x), ag.tensor(t), size_average=size_average, reduce=reduce
        )
        ref = torch.nn.functional.poisson_nll_loss(
            torch.tensor(x), torch.tensor(t), size_average=size_average, reduce=reduce
        )
    assert ours.shape == tuple(ref.shape)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12)


def test_triplet_margin_with_distance_loss_defaults_to_pairwise_distance():
    a, p, n = (RNG.standard_normal((5, 3)) for _ in range(3))
    ours = ag.nn.functional.triplet_margin_with_distance_loss(
        ag.tensor(a), ag.tensor(p), ag.tensor(n), reduction="none"
    )
    ref = torch.nn.functional.triplet_margin_with_distance_loss(
        torch.tensor(a), torch.tensor(p), torch.tensor(n), reduction="none"
    )
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn", ["triplet_margin_loss", "triplet_margin_with_distance_loss"])
def test_triplet_losses_add_margin_before_subtracting(fn):
    # Distances of 1e30 swallow a margin added to d_pos first: PyTorch's loss
    # is 0 there, and a margin added last would give 2.
    far = np.array([[1e30]])
    ours = getattr(ag.nn.functional, fn)(ag.zeros(1, 1), ag.tensor(far), ag.tensor(far), margin=2.0)
    ref = getattr(torch.nn.functional, fn)(
        torch.zeros(1, 1), torch.tensor(far), torch.tensor(far), margin=2.0
    )
    assert ours.item() == ref.item() == 0.0


def test_ctc_loss_with_concatenated_targets():
    # 1-d targets hold every sample's labels one after another.
    logits = RNG.standard_normal((6, 3, 5))
    targets = np.array([1, 2, 2, 3, 4, 1], dtype=np.int64)
    lengths = [3, 1, 2]

    def run(lib):
        x = lib.tensor(logits, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(
            x.log_softmax(2), lib.tensor(targets), [6, 5, 6], lengths, reduction="none"
        )
        loss.sum().backward()
        return loss.detach().numpy(), x.grad.numpy()

    (ours, ours_grad), (ref, ref_grad) = run(ag), run(torch)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    np.testing.assert_allclose(ours_grad, ref_grad, atol=1e-10)


def test_kl_div_mean_warns_as_torch():
    x, t = np.log(RNG.uniform(0.1, 1, (2, 3))), RNG.uniform(0.1, 1, (2, 3))
    with pytest.warns(UserWarning) as ours:
        ag.nn.functional.kl_div(ag.tensor(x), ag.tensor(t))
    with pytest.warns(UserWarning) as ref:
        torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(t))
    assert str(ours[0].message) == str(ref[0].message)


@pytest.mark.parametrize("reduce", [False, True])
def test_kl_div_legacy_reduce_flag(reduce):
    x, t = np.log(RNG.uniform(0.1, 1, (2, 3))), RNG.uniform(0.1, 1, (2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ag.nn.functional.kl_div(ag.tensor(x), ag.tensor(t), reduce=reduce)
        ref = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(t), reduce=reduce)
    assert ours.shape == tuple(ref.shape)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_ctc_loss_unbatched(reduction):
    # (T, C) log-probabilities and 1-d targets: one sample without a batch dim.
    logits = RNG.standard_normal((6, 4))
    targets = np.array([1, 3, 3], dtype=np.int64)

    def run(lib):
        x = lib.tensor(logits, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(
            x.log_softmax(1), lib.tensor(targets), [6], [3], reduction=reduction
        )
        loss.sum().backward()
        return loss.detach().numpy(), x.grad.numpy()

    (ours, ours_grad), (ref, ref_grad) = run(ag), run(torch)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    np.testing.assert_allclose(ours_grad, ref_grad, atol=1e-10)


@pytest.mark.parametrize("fn", ["multi_margin_loss", "multilabel_margin_loss"])
def test_margin_losses_count_a_nan_term_as_zero(fn):
    # PyTorch's kernels add a term only where it is positive, so nan scores
    # (or huge ones, whose terms round to 0) give PyTorch's losses exactly.
    scores = np.array([[np.nan, 0.5, 1e30, -1e30], [0.2, np.nan, 0.1, 0.3]], dtype=np.float32)
    target = [[2, 0, -1, 0], [1, 3, -1, 0]] if fn.startswith("multilabel") else [2, 1]
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(scores, requires_grad=True)
        loss = getattr(lib.nn.functional, fn)(x, lib.tensor(target), reduction="none")
        loss.sum().backward()
        outs.append((loss.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1.3e-6, atol=1e-5)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1.3e-6, atol=1e-5)
