"""The layers, functional options and utilities beyond the op table:
every module's repr, state_dict, default initialisation and outputs (from
the same weights) against PyTorch; functional argument checks and warnings;
gradient clipping and parameter/vector conversion; parameter containers;
and the module paths programs import from."""

import importlib
import math
import time
import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


def to_np(t):
    return t.detach().numpy()


def copy_weights(ours, theirs):
    """Loads torch module `theirs`'s state into `ours` through numpy."""
    state = {k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)


def check_same_outputs(
    ours, theirs, inputs, dtype=np.float64, rtol=1e-10, atol=1e-10, differentiable=None
):
    """Runs both modules (same weights) on the same inputs and compares
    outputs, input gradients and parameter gradients. `differentiable`: how
    many leading inputs require grad (all by default)."""
    if dtype == np.float64:
        ours.double()
        theirs.double()
    copy_weights(ours, theirs)
    n = len(inputs) if differentiable is None else differentiable
    xs_o = [
        ag.tensor(np.asarray(x, dtype=dtype), requires_grad=i < n) for i, x in enumerate(inputs)
    ]
    xs_t = [
        torch.tensor(np.asarray(x, dtype=dtype), requires_grad=i < n) for i, x in enumerate(inputs)
    ]
    out_o, out_t = ours(*xs_o), theirs(*xs_t)
    assert tuple(out_o.shape) == tuple(out_t.shape)
    np.testing.assert_allclose(to_np(out_o), to_np(out_t), rtol=rtol, atol=atol)
    up = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(dtype)
    out_o.backward(ag.tensor(up))
    out_t.backward(torch.tensor(up))
    for a, b in zip(xs_o[:n], xs_t[:n]):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.grad), rtol=rtol, atol=atol)
    grads_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        q = grads_t[name]
        assert (p.grad is None) == (q.grad is None), name
        if q.grad is not None:
            np.testing.assert_allclose(to_np(p.grad), to_np(q.grad), rtol=rtol, atol=atol)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# Constructors shared by the repr / state_dict / output tests: (label, build
# from a library, input shapes). The output test skips rows with no shapes.
MODULES = [
    ("ReLU6", lambda m: m.nn.ReLU6(), [(3, 4)]),
    ("ReLU6_inplace", lambda m: m.nn.ReLU6(inplace=True), []),
    ("Hardtanh", lambda m: m.nn.Hardtanh(-0.5, 0.75), [(3, 4)]),
    ("Threshold", lambda m: m.nn.Threshold(0.1, 20), [(3, 4)]),
    ("RReLU", lambda m: m.nn.RReLU(), []),
    ("Hardsigmoid", lambda m: m.nn.Hardsigmoid(), [(3, 4)]),
    ("Hardswish", lambda m: m.nn.Hardswish(), [(3, 4)]),
    ("Mish", lambda m: m.nn.Mish(), [(3, 4)]),
    ("Mish_inplace", lambda m: m.nn.Mish(inplace=True), []),
    ("SiLU", lambda m: m.nn.SiLU(), [(3, 4)]),
    ("ELU", lambda m: m.nn.ELU(alpha=0.5), [(3, 4)]),
    ("ELU_inplace", lambda m: m.nn.ELU(inplace=True), []),
    ("CELU", lambda m: m.nn.CELU(2.0), [(3, 4)]),
    ("SELU", lambda m: m.nn.SELU(), [(3, 4)]),
    ("GLU", lambda m: m.nn.GLU(1), [(3, 4)]),
    ("Hardshrink", lambda m: m.nn.Hardshrink(), [(3, 4)]),
    ("Softshrink", lambda m: m.nn.Softshrink(0.3), [(3, 4)]),
    ("Tanhshrink", lambda m: m.nn.Tanhshrink(), [(3, 4)]),
    ("Softsign", lambda m: m.nn.Softsign(), [(3, 4)]),
    ("PReLU", lambda m: m.nn.PReLU(), [(3, 4)]),
    ("PReLU_channels", lambda m: m.nn.PReLU(3), [(2, 3, 4)]),
    ("Softmin", lambda m: m.nn.Softmin(1), [(3, 4)]),
    ("Softmax2d", lambda m: m.nn.Softmax2d(), [(2, 3, 2, 2)]),
    ("LeakyReLU_inplace", lambda m: m.nn.LeakyReLU(0.2, inplace=True), []),
    ("GELU_tanh", lambda m: m.nn.GELU("tanh"), [(3, 4)]),
    ("MaxPool1d", lambda m: m.nn.MaxPool1d(3, 2, 1), [(2, 3, 8)]),
    ("MaxPool1d_options", lambda m: m.nn.MaxPool1d(3, 1, 1, 2, True, True), []),
    ("AvgPool1d", lambda m: m.nn.AvgPool1d(3, 2, 1), [(2, 3, 8)]),
    ("AdaptiveAvgPool1d", lambda m: m.nn.AdaptiveAvgPool1d(3), [(2, 3, 8)]),
    ("AdaptiveAvgPool2d", lambda m: m.nn.AdaptiveAvgPool2d((5, None)), [(2, 3, 7, 4)]),
    ("AdaptiveAvgPool2d_global", lambda m: m.nn.AdaptiveAvgPool2d(1), [(2, 3, 7, 4)]),
    ("AdaptiveMaxPool1d", lambda m: m.nn.AdaptiveMaxPool1d(3), [(2, 3, 8)]),
    ("AdaptiveMaxPool2d", lambda m: m.nn.AdaptiveMaxPool2d((2, 3)), [(2, 3, 7, 4)]),
    ("LPPool1d", lambda m: m.nn.LPPool1d(2, 3), [(2, 3, 9)]),
    ("LPPool2d", lambda m: m.nn.LPPool2d(2, 3, 2), [(2, 3, 7, 7)]),
    ("MaxUnpool1d", lambda m: m.nn.MaxUnpool1d(2), []),
    ("MaxUnpool2d", lambda m: m.nn.MaxUnpool2d(2, 1, 1), []),
    ("GroupNorm", lambda m: m.nn.GroupNorm(2, 4), [(3, 4, 5)]),
    ("GroupNorm_plain", lambda m: m.nn.GroupNorm(2, 4, affine=False), [(3, 4, 2, 3)]),
    ("InstanceNorm1d", lambda m: m.nn.InstanceNorm1d(3), [(2, 3, 5)]),
    ("InstanceNorm2d_affine", lambda m: m.nn.InstanceNorm2d(3, affine=True), [(2, 3, 4, 5)]),
    ("InstanceNorm2d_stats", lambda m: m.nn.InstanceNorm2d(3, track_running_stats=True), []),
    ("RMSNorm", lambda m: m.nn.RMSNorm(4), [(3, 4)]),
    ("RMSNorm_2d", lambda m: m.nn.RMSNorm([2, 3], eps=1e-5, elementwise_affine=False), [(4, 2, 3)]),
    ("LocalResponseNorm", lambda m: m.nn.LocalResponseNorm(2), [(2, 4, 3, 3)]),
    ("BatchNorm3d", lambda m: m.nn.BatchNorm3d(3), [(2, 3, 2, 2, 2)]),
    ("Dropout1d", lambda m: m.nn.Dropout1d(), []),
    ("Dropout2d", lambda m: m.nn.Dropout2d(0.2), []),
    ("Dropout3d", lambda m: m.nn.Dropout3d(0.2, inplace=True), []),
    ("AlphaDropout", lambda m: m.nn.AlphaDropout(), []),
    ("FeatureAlphaDropout", lambda m: m.nn.FeatureAlphaDropout(0.1), []),
    ("Unflatten", lambda m: m.nn.Unflatten(1, (2, 3)), [(4, 6, 2)]),
    ("ConstantPad1d", lambda m: m.nn.ConstantPad1d(2, 3.5), [(2, 3, 4)]),
    ("ConstantPad2d", lambda m: m.nn.ConstantPad2d((1, 0, 2, 1), -1.0), [(2, 3, 4)]),
    ("ZeroPad2d", lambda m: m.nn.ZeroPad2d((1, 2, 0, 1)), [(1, 2, 3, 4)]),
    ("ZeroPad1d", lambda m: m.nn.ZeroPad1d(1), [(2, 3)]),
    ("ReflectionPad1d", lambda m: m.nn.ReflectionPad1d(2), [(2, 3, 4)]),
    ("ReflectionPad2d", lambda m: m.nn.ReflectionPad2d((1, 2, 2, 1)), [(1, 2, 4, 4)]),
    ("ReplicationPad2d", lambda m: m.nn.ReplicationPad2d(1), [(1, 2, 3, 3)]),
    ("ReplicationPad1d", lambda m: m.nn.ReplicationPad1d((2, 0)), [(2, 3, 3)]),
    ("CircularPad1d", lambda m: m.nn.CircularPad1d(2), [(2, 3, 4)]),
    ("CircularPad2d", lambda m: m.nn.CircularPad2d((1, 2, 0, 1)), [(1, 2, 3, 4)]),
    ("PixelShuffle", lambda m: m.nn.PixelShuffle(2), [(1, 8, 2, 3)]),
    ("PixelUnshuffle", lambda m: m.nn.PixelUnshuffle(2), [(1, 2, 4, 6)]),
    ("ChannelShuffle", lambda m: m.nn.ChannelShuffle(2), [(2, 4, 3)]),
    ("Upsample", lambda m: m.nn.Upsample(scale_factor=2), [(1, 2, 3, 4)]),
    ("Upsample_bilinear", lambda m: m.nn.Upsample(size=5, mode="bilinear"), [(1, 2, 3, 4)]),
    ("Upsample_tuple", lambda m: m.nn.Upsample(scale_factor=(2.0, 3.0)), [(1, 2, 3, 2)]),
    (
        "Upsample_linear",
        lambda m: m.nn.Upsample(scale_factor=1.5, mode="linear", align_corners=True),
        [(2, 3, 4)],
    ),  # fmt: skip
    ("UpsamplingNearest2d", lambda m: m.nn.UpsamplingNearest2d(scale_factor=2), [(1, 2, 3, 3)]),
    ("UpsamplingBilinear2d", lambda m: m.nn.UpsamplingBilinear2d(size=5), [(1, 2, 3, 3)]),
    ("PairwiseDistance", lambda m: m.nn.PairwiseDistance(), [(3, 4), (3, 4)]),
    ("CosineSimilarity", lambda m: m.nn.CosineSimilarity(dim=-1), [(3, 4), (3, 4)]),
    ("Fold", lambda m: m.nn.Fold(4, 2), [(1, 8, 9)]),
    ("Unfold", lambda m: m.nn.Unfold(2, padding=1), [(1, 2, 3, 3)]),
    ("Bilinear", lambda m: m.nn.Bilinear(2, 3, 4), [(5, 2), (5, 3)]),
    ("Bilinear_no_bias", lambda m: m.nn.Bilinear(2, 3, 4, bias=False), [(5, 2), (5, 3)]),
    ("ConvTranspose2d", lambda m: m.nn.ConvTranspose2d(2, 3, 3, 2, 1, 1), [(2, 2, 4, 3)]),
    (
        "ConvTranspose2d_groups",
        lambda m: m.nn.ConvTranspose2d(4, 6, (2, 3), groups=2, dilation=2),
        [(1, 4, 3, 3)],
    ),  # fmt: skip
    (
        "ConvTranspose1d",
        lambda m: m.nn.ConvTranspose1d(2, 4, 3, groups=2, bias=False),
        [(2, 2, 5)],
    ),  # fmt: skip
    (
        "ConvTranspose1d_stride",
        lambda m: m.nn.ConvTranspose1d(3, 2, 4, stride=3, padding=1, output_padding=2),
        [(2, 3, 4)],
    ),  # fmt: skip
    (
        "Conv2d_circular",
        lambda m: m.nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"),
        [(1, 2, 4, 5)],
    ),  # fmt: skip
    (
        "Conv2d_reflect_same",
        lambda m: m.nn.Conv2d(2, 3, (3, 2), padding="same", padding_mode="reflect"),
        [(1, 2, 4, 5)],
    ),  # fmt: skip
    (
        "Conv1d_replicate",
        lambda m: m.nn.Conv1d(2, 3, 3, padding=2, padding_mode="replicate"),
        [(2, 2, 5)],
    ),  # fmt: skip
    ("Conv1d_same", lambda m: m.nn.Conv1d(2, 3, 3, padding="same"), [(2, 2, 5)]),
    (
        "Conv3d",
        lambda m: m.nn.Conv3d(2, 4, (2, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1), groups=2),
        [(1, 2, 4, 5, 5)],
    ),  # fmt: skip
    (
        "Conv3d_circular",
        lambda m: m.nn.Conv3d(2, 3, 3, padding=1, padding_mode="circular"),
        [(1, 2, 4, 4, 4)],
    ),  # fmt: skip
    ("ConvTranspose3d", lambda m: m.nn.ConvTranspose3d(2, 3, 2, stride=2), [(1, 2, 2, 3, 2)]),
    ("MaxPool3d", lambda m: m.nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1)), [(1, 2, 3, 5, 5)]),
    ("AvgPool3d", lambda m: m.nn.AvgPool3d(3, 2, 1, True, False), [(1, 2, 5, 5, 5)]),
    ("AdaptiveAvgPool3d", lambda m: m.nn.AdaptiveAvgPool3d((2, None, 3)), [(1, 2, 5, 4, 7)]),
    ("AdaptiveMaxPool3d", lambda m: m.nn.AdaptiveMaxPool3d(2), [(1, 2, 5, 4, 7)]),
    ("LPPool3d", lambda m: m.nn.LPPool3d(2, 2), [(1, 2, 4, 4, 4)]),
    ("MaxUnpool3d", lambda m: m.nn.MaxUnpool3d(2), []),
    ("EmbeddingBag", lambda m: m.nn.EmbeddingBag(10, 3), []),
    (
        "EmbeddingBag_options",
        lambda m: m.nn.EmbeddingBag(10, 3, max_norm=1.0, mode="sum", padding_idx=0),
        [],
    ),  # fmt: skip
    ("HuberLoss", lambda m: m.nn.HuberLoss(delta=0.5), [(3, 4), (3, 4)]),
    (
        "KLDivLoss",
        lambda m: m.nn.KLDivLoss(reduction="batchmean", log_target=True),
        [(3, 4), (3, 4)],
    ),  # fmt: skip
    ("SoftMarginLoss", lambda m: m.nn.SoftMarginLoss(), [(3, 4), (3, 4)]),
    ("MultiLabelSoftMarginLoss", lambda m: m.nn.MultiLabelSoftMarginLoss(), []),
    ("MarginRankingLoss", lambda m: m.nn.MarginRankingLoss(0.5), []),
    ("CosineEmbeddingLoss", lambda m: m.nn.CosineEmbeddingLoss(), []),
    ("HingeEmbeddingLoss", lambda m: m.nn.HingeEmbeddingLoss(), []),
    ("MultiMarginLoss", lambda m: m.nn.MultiMarginLoss(p=2), []),
    ("MultiLabelMarginLoss", lambda m: m.nn.MultiLabelMarginLoss(), []),
    ("PoissonNLLLoss", lambda m: m.nn.PoissonNLLLoss(), [(3, 4), (3, 4)]),
    ("GaussianNLLLoss", lambda m: m.nn.GaussianNLLLoss(), []),
    ("TripletMarginLoss", lambda m: m.nn.TripletMarginLoss(), [(3, 4), (3, 4), (3, 4)]),
    ("TripletMarginWithDistanceLoss", lambda m: m.nn.TripletMarginWithDistanceLoss(), []),
    ("NLLLoss2d", lambda m: m.nn.NLLLoss(), []),
    ("DataParallel", lambda m: m.nn.DataParallel(m.nn.Linear(3, 2)), [(4, 3)]),
    (
        "Sequential_nested",
        lambda m: m.nn.Sequential(
            m.nn.Conv2d(2, 4, 3),
            m.nn.GroupNorm(2, 4),
            m.nn.Hardswish(),
            m.nn.AdaptiveAvgPool2d(1),
            m.nn.Flatten(),
            m.nn.Linear(4, 2),
        ),
        [(2, 2, 6, 5)],
    ),  # fmt: skip
]

IDS = [label for label, _, _ in MODULES]


@pytest.mark.parametrize("label,build,shapes", MODULES, ids=IDS)
def test_repr_and_state_dict_match_torch(label, build, shapes):
    ours, theirs = build(ag), build(torch)
    assert repr(ours) == repr(theirs)
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)
    for key in theirs_state:
        assert tuple(ours_state[key].shape) == tuple(theirs_state[key].shape), key
        assert str(ours_state[key].dtype) == str(theirs_state[key].dtype), key
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


WITH_INPUTS = [row for row in MODULES if row[2]]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize(
    "label,build,shapes", WITH_INPUTS, ids=[label for label, _, _ in WITH_INPUTS]
)
def test_outputs_and_gradients_match_torch(label, build, shapes, dtype):
    inputs = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    if label.startswith(("PoissonNLL", "LPPool")):
        inputs = [np.abs(x) + 0.1 for x in inputs]
    tol = 1e-10 if dtype == np.float64 else 2e-5
    # A loss's target takes no gradient (PyTorch refuses one for several).
    targets = label.endswith("Loss") and not label.startswith("Triplet")
    check_same_outputs(build(ag), build(torch), inputs, dtype, rtol=tol, atol=tol,
                       differentiable=1 if targets else None)  # fmt: skip


# ---- default initialisation ----------------------------------------------------------


def _bound_check(w, bound):
    values = np.abs(to_np(w))
    assert values.max() <= bound + 1e-7
    assert values.max() > 0.8 * bound  # the full range is used, not a narrower one


def test_default_initialisation_matches_torch_scale():
    ag.manual_seed(0)
    ct = ag.nn.ConvTranspose2d(16, 8, 3)
    # ConvTranspose's fan_in is weight.size(1) * kernel: out_channels / groups * 9.
    _bound_check(ct.weight, 1 / math.sqrt(8 * 9))
    _bound_check(ct.bias, 1 / math.sqrt(8 * 9))
    ct1 = ag.nn.ConvTranspose1d(6, 12, 5, groups=3)
    _bound_check(ct1.weight, 1 / math.sqrt(4 * 5))
    bil = ag.nn.Bilinear(20, 7, 30)
    _bound_check(bil.weight, 1 / math.sqrt(20))
    _bound_check(bil.bias, 1 / math.sqrt(20))
    assert to_np(ag.nn.PReLU(3).weight).tolist() == [0.25] * 3
    assert to_np(ag.nn.PReLU(init=0.1).weight).tolist() == pytest.approx([0.1])
    gn = ag.nn.GroupNorm(2, 6)
    assert to_np(gn.weight).tolist() == [1.0] * 6 and to_np(gn.bias).tolist() == [0.0] * 6
    assert to_np(ag.nn.RMSNorm(5).weight).tolist() == [1.0] * 5
    inorm = ag.nn.InstanceNorm1d(4, affine=True, track_running_stats=True)
    assert to_np(inorm.weight).tolist() == [1.0] * 4
    assert to_np(inorm.running_var).tolist() == [1.0] * 4
    bag = ag.nn.EmbeddingBag(400, 50)
    assert abs(to_np(bag.weight).std() - 1.0) < 0.05  # N(0, 1), as Embedding
    bag_pad = ag.nn.EmbeddingBag(10, 3, padding_idx=2)
    assert to_np(bag_pad.weight)[2].tolist() == [0.0, 0.0, 0.0]


def test_factory_kwargs_and_dtype():
    for build in (
        lambda m: m.nn.ConvTranspose2d(2, 3, 3, dtype=m.float64),
        lambda m: m.nn.Bilinear(2, 3, 4, dtype=m.float64),
        lambda m: m.nn.GroupNorm(2, 4, dtype=m.float64),
        lambda m: m.nn.PReLU(dtype=m.float64),
        lambda m: m.nn.RMSNorm(3, dtype=m.float64),
    ):
        ours, theirs = build(ag), build(torch)
        for (n1, p1), (n2, p2) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert n1 == n2 and str(p1.dtype) == str(p2.dtype)


# ---- modules with extra arguments ----------------------------------------------------


def test_conv_transpose_output_size_matches_torch():
    ours, theirs = ag.nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, 2)
    copy_weights(ours, theirs)
    x = randn(1, 2, 4, 4)
    for size in ([9, 9], [10, 10], [1, 3, 10, 9]):
        a = ours(ag.tensor(x, dtype=ag.float32), output_size=size)
        b = theirs(torch.tensor(x, dtype=torch.float32), output_size=size)
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="requested an output size of"):
        ours(ag.tensor(x, dtype=ag.float32), output_size=[12, 12])
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        ag.nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect")


def test_max_unpool_inverts_max_pool_like_torch():
    x = randn(2, 3, 5, 6)
    for lib in (ag, torch):
        pool = lib.nn.MaxPool2d(2, return_indices=True)
        unpool = lib.nn.MaxUnpool2d(2)
        out, idx = pool(lib.tensor(x))
        result = unpool(out, idx, output_size=[5, 6])
        if lib is ag:
            ours = to_np(result)
        else:
            np.testing.assert_array_equal(ours, to_np(result))
    x1 = randn(2, 3, 8)
    a, ia = ag.nn.MaxPool1d(2, return_indices=True)(ag.tensor(x1))
    b, ib = torch.nn.MaxPool1d(2, return_indices=True)(torch.tensor(x1))
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    np.testing.assert_array_equal(
        to_np(ag.nn.MaxUnpool1d(2)(a, ia)), to_np(torch.nn.MaxUnpool1d(2)(b, ib))
    )


def test_adaptive_max_pool_indices_match_torch():
    x = randn(2, 3, 7, 5)
    for size in [(3, 2), (7, 5), (1, 1), (4, 3)]:
        va, ia = ag.nn.functional.adaptive_max_pool2d(ag.tensor(x), size, return_indices=True)
        vb, ib = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), size, True)
        np.testing.assert_array_equal(to_np(va), to_np(vb))
        np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    v1, i1 = ag.nn.AdaptiveMaxPool1d(3, return_indices=True)(ag.tensor(randn(2, 4, 7)))
    v2, i2 = torch.nn.AdaptiveMaxPool1d(3, return_indices=True)(torch.tensor(randn(2, 4, 7)))
    np.testing.assert_array_equal(i1.numpy(), i2.numpy())


ADAPTIVE_POOL_ODD_SIZES = {
    "avg2d_negative": lambda m: m.nn.functional.adaptive_avg_pool2d(m.ones(2, 1, 3), (-1, 2)),
    "max2d_negative": lambda m: m.nn.functional.adaptive_max_pool2d(m.ones(2, 1, 3), (-1, 2)),
    "avg1d_negative": lambda m: m.nn.functional.adaptive_avg_pool1d(m.ones(2, 1, 3), -1),
    "max1d_negative": lambda m: m.nn.functional.adaptive_max_pool1d(m.ones(2, 1, 3), -2),
    "avg3d_negative": lambda m: m.nn.functional.adaptive_avg_pool3d(m.ones(2, 1, 3, 3), (-1, 2, 2)),
    "max3d_negative": lambda m: m.nn.functional.adaptive_max_pool3d(m.ones(2, 1, 3, 3), (-1, 2, 2)),
    # Impossible outputs fail at once, before any window is computed.
    "max2d_huge": lambda m: m.nn.functional.adaptive_max_pool2d(
        m.ones(2, 1, 3), (2**40, 2**40), True
    ),
}


@pytest.mark.parametrize("name", sorted(ADAPTIVE_POOL_ODD_SIZES))
def test_adaptive_pool_size_errors_match_torch(name):
    with pytest.raises(Exception) as theirs:
        ADAPTIVE_POOL_ODD_SIZES[name](torch)
    with pytest.raises(type(theirs.value)) as ours:
        ADAPTIVE_POOL_ODD_SIZES[name](ag)
    if "huge" not in name:
        assert str(ours.value) == str(theirs.value)


def test_adaptive_pool_huge_output_fails_fast():
    start = time.monotonic()
    for fn in (
        lambda: ag.nn.functional.adaptive_avg_pool2d(ag.ones(2, 1, 3), (2**40, 2**40)),
        lambda: ag.nn.functional.adaptive_max_pool1d(ag.ones(2, 1, 3), 2**40),
        lambda: ag.nn.functional.adaptive_avg_pool3d(ag.ones(2, 1, 3, 3), (2**40, 2**40, 1)),
    ):
        with pytest.raises((RuntimeError, MemoryError), match="overflow|allocate"):
            fn()
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    "make",
    [
        lambda m, x: m.nn.functional.adaptive_avg_pool2d(x, (0, 2)),
        lambda m, x: m.nn.functional.adaptive_max_pool2d(x, (2, 0), True)[0],
        lambda m, x: m.nn.functional.adaptive_max_pool2d(x, (2, 0), True)[1],
        lambda m, x: m.nn.functional.adaptive_avg_pool1d(x, 0),
        lambda m, x: m.nn.functional.adaptive_max_pool1d(x, 0),
        lambda m, x: m.nn.functional.adaptive_avg_pool3d(x.unsqueeze(0), (1, 0, 2)),
        lambda m, x: m.nn.functional.adaptive_max_pool3d(x.unsqueeze(0), (0, 1, 2), True)[1],
    ],
)
def test_adaptive_pool_to_zero_cells_matches_torch(make):
    x = randn(2, 3, 4)
    a = make(ag, ag.tensor(x, requires_grad=True))
    b = make(torch, torch.tensor(x, requires_grad=True))
    assert tuple(a.shape) == tuple(b.shape)
    assert a.dtype == getattr(ag, str(b.dtype).split(".")[1])


def test_instance_norm_running_statistics_match_torch():
    ours = ag.nn.InstanceNorm1d(3, track_running_stats=True, affine=True).double()
    theirs = torch.nn.InstanceNorm1d(3, track_running_stats=True, affine=True).double()
    for seed in range(3):
        x = randn(4, 3, 6, seed=seed)
        np.testing.assert_allclose(
            to_np(ours(ag.tensor(x))), to_np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-10
        )
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(
            to_np(getattr(ours, name)), to_np(getattr(theirs, name)), rtol=1e-12
        )
    ours.eval()
    theirs.eval()
    x = randn(2, 3, 5, seed=9)
    np.testing.assert_allclose(
        to_np(ours(ag.tensor(x))), to_np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-10
    )
    unbatched = randn(3, 5)
    np.testing.assert_allclose(
        to_np(ours(ag.tensor(unbatched))),
        to_np(theirs(torch.tensor(unbatched))),
        rtol=1e-10,
        atol=1e-10,
    )


def test_embedding_bag_matches_torch():
    weight = randn(10, 4)
    cases = [
        dict(input=[1, 2, 4, 5, 4, 3, 2, 9], offsets=[0, 4]),
        dict(input=[1, 2, 4, 5, 4, 3, 2, 9], offsets=[0, 2, 2, 8], include_last_offset=True),
        dict(input=[[1, 2, 0], [4, 0, 0]], mode="mean", padding_idx=0),
        dict(input=[[1, 2, 3], [4, 5, 6]], mode="max"),
        dict(input=[1, 2, 3, 4], offsets=[0, 1], mode="sum", per_sample_weights=[1.0, 2, 3, 4]),
    ]
    for case in cases:
        results = []
        for lib in (ag, torch):
            w = lib.tensor(weight, requires_grad=True)
            kwargs = dict(case)
            args = [lib.tensor(kwargs.pop("input")), w]
            if "offsets" in kwargs:
                args.append(lib.tensor(kwargs.pop("offsets")))
            if "per_sample_weights" in kwargs:
                kwargs["per_sample_weights"] = lib.tensor(
                    kwargs["per_sample_weights"], dtype=lib.float64
                )
            out = lib.nn.functional.embedding_bag(*args, **kwargs)
            out.sum().backward()
            results.append((to_np(out), to_np(w.grad)))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_embedding_from_pretrained():
    w = randn(5, 3)
    for lib in (ag, torch):
        emb = lib.nn.Embedding.from_pretrained(lib.tensor(w), padding_idx=1)
        assert not emb.weight.requires_grad and emb.padding_idx == 1
        bag = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(w), freeze=False, mode="sum")
        assert bag.weight.requires_grad
        out = bag(lib.tensor([[0, 1], [2, 4]]))
        np.testing.assert_allclose(to_np(out), [w[0] + w[1], w[2] + w[4]], rtol=1e-12)


def test_sync_batchnorm_conversion_keeps_parameters():
    model = ag.nn.Sequential(ag.nn.Conv2d(2, 3, 1), ag.nn.BatchNorm2d(3), ag.nn.ReLU())
    converted = ag.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert type(converted[1]).__name__ == "SyncBatchNorm"
    assert converted[1].weight is model[1].weight
    assert list(converted.state_dict()) == list(
        torch.nn.SyncBatchNorm.convert_sync_batchnorm(
            torch.nn.Sequential(torch.nn.Conv2d(2, 3, 1), torch.nn.BatchNorm2d(3), torch.nn.ReLU())
        ).state_dict()
    )
    x = ag.randn(2, 3, 4, 4)
    np.testing.assert_allclose(
        to_np(converted[1](x)), to_np(ag.nn.functional.batch_norm(x, None, None, training=True)),
        rtol=1e-6, atol=1e-6,
    )  # fmt: skip


# ---- in-place activations --------------------------------------------------------------


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("hardswish", {}),
        ("hardsigmoid", {}),
        ("mish", {}),
        ("selu", {}),
        ("celu", {"alpha": 0.7}),
        ("threshold", {"threshold": 0.2, "value": -2.0}),
        ("relu6", {}),
        ("elu", {}),
        ("leaky_relu", {"negative_slope": 0.3}),
        ("hardtanh", {}),
        ("rrelu", {}),
    ],
)
def test_inplace_activation_matches_torch(name, kwargs):
    x = randn(3, 4) * 3

    def run(lib):
        leaf = lib.tensor(x, requires_grad=True)
        y = leaf * 1.0
        out = getattr(lib.nn.functional, name)(y, inplace=True, **kwargs)
        assert out is y
        (out * out).sum().backward()
        return to_np(out), to_np(leaf.grad)

    # PyTorch's in-place elu-family backward works from the output (out +
    # alpha cancels for very negative x): agreement to 1e-7, not to the last bit.
    for a, b in zip(run(ag), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_underscore_functional_forms():
    x = randn(3, 4)
    for name, args in [
        ("relu_", ()),
        ("elu_", ()),
        ("leaky_relu_", (0.2,)),
        ("hardtanh_", (-0.5, 0.5)),
        ("selu_", ()),
        ("celu_", ()),
        ("threshold_", (0.1, 5.0)),
    ]:
        a, b = ag.tensor(x), torch.tensor(x)
        getattr(ag.nn.functional, name)(a, *args)
        getattr(torch.nn.functional, name)(b, *args)
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-12, err_msg=name)


def test_random_layers_are_reproducible_and_train_only():
    x = ag.randn(4, 6, 5, 5)
    for layer in (
        ag.nn.Dropout2d(0.5),
        ag.nn.Dropout3d(0.5),
        ag.nn.AlphaDropout(0.3),
        ag.nn.FeatureAlphaDropout(0.3),
        ag.nn.RReLU(),
    ):
        ag.manual_seed(3)
        first = to_np(layer(x))
        ag.manual_seed(3)
        np.testing.assert_array_equal(first, to_np(layer(x)))
        layer.eval()
        expected = x if not isinstance(layer, ag.nn.RReLU) else ag.nn.functional.rrelu(x)
        np.testing.assert_array_equal(to_np(layer(x)), to_np(expected))
    ag.manual_seed(0)
    out = to_np(ag.nn.functional.dropout2d(ag.ones(8, 50, 3, 3), 0.5))
    # Whole channels are dropped: each (sample, channel) slice is all 0 or all 2.
    per_channel = out.reshape(8, 50, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7
    ag.manual_seed(0)
    alpha = to_np(ag.nn.functional.alpha_dropout(ag.randn(200, 200), 0.2, training=True))
    assert abs(alpha.mean()) < 0.05 and abs(alpha.std() - 1) < 0.05  # keeps mean 0, var 1


# ---- functional argument checks --------------------------------------------------------

ERRORS = {
    "glu_odd": lambda m: m.nn.functional.glu(m.randn(3)),
    "glu_scalar": lambda m: m.nn.functional.glu(m.tensor(1.0)),
    "celu_zero": lambda m: m.nn.functional.celu(m.randn(3), 0.0),
    "prelu_mismatch": lambda m: m.nn.functional.prelu(m.randn(2, 3), m.ones(2)),
    "prelu_1d": lambda m: m.nn.functional.prelu(m.randn(3), m.ones(3)),
    "huber_reduction": lambda m: m.nn.functional.huber_loss(m.randn(3), m.randn(3), "bad"),
    "kl_reduction": lambda m: m.nn.functional.kl_div(m.randn(3), m.randn(3), reduction="bad"),
    "margin_dims": lambda m: m.nn.functional.margin_ranking_loss(
        m.randn(3, 4), m.randn(4), m.randn(3, 4)
    ),
    "triplet_dims": lambda m: m.nn.functional.triplet_margin_loss(
        m.randn(3, 4), m.randn(3, 4), m.randn(4)
    ),
    "triplet_margin": lambda m: m.nn.functional.triplet_margin_loss(
        m.randn(3), m.randn(3), m.randn(3), margin=0
    ),
    "multi_margin_p": lambda m: m.nn.functional.multi_margin_loss(
        m.randn(3, 4), m.tensor([0, 1, 2]), p=3
    ),
    "gaussian_var_size": lambda m: m.nn.functional.gaussian_nll_loss(
        m.randn(3, 4), m.randn(3, 4), m.ones(2)
    ),
    "gaussian_var_negative": lambda m: m.nn.functional.gaussian_nll_loss(
        m.randn(3), m.randn(3), -m.ones(3)
    ),
    "group_norm_groups": lambda m: m.nn.functional.group_norm(m.randn(2, 6, 3), 4),
    "group_norm_1d": lambda m: m.nn.functional.group_norm(m.randn(6), 2),
    "group_norm_module": lambda m: m.nn.GroupNorm(4, 6),
    "lrn_dims": lambda m: m.nn.functional.local_response_norm(m.randn(2, 3), 2),
    "dropout1d_dims": lambda m: m.nn.functional.dropout1d(m.randn(2, 3, 4, 5)),
    "dropout_p": lambda m: m.nn.functional.alpha_dropout(m.randn(3), 1.5),
    "interp_both": lambda m: m.nn.functional.interpolate(m.randn(1, 1, 3), 4, 2.0),
    "interp_neither": lambda m: m.nn.functional.interpolate(m.randn(1, 1, 3)),
    "interp_align_nearest": lambda m: m.nn.functional.interpolate(
        m.randn(1, 1, 3), 4, align_corners=True
    ),
    "interp_size_len": lambda m: m.nn.functional.interpolate(m.randn(1, 1, 3, 3), size=(2, 3, 4)),
    "interp_scale_len": lambda m: m.nn.functional.interpolate(
        m.randn(1, 1, 3, 3), scale_factor=(2.0,)
    ),
    "interp_bilinear_3d": lambda m: m.nn.functional.interpolate(
        m.randn(1, 1, 3), 4, mode="bilinear"
    ),
    "interp_linear_4d": lambda m: m.nn.functional.interpolate(
        m.randn(1, 1, 3, 3), 4, mode="linear"
    ),
    "interp_2d_input": lambda m: m.nn.functional.interpolate(m.randn(3, 3), 4),
    "interp_recompute_size": lambda m: m.nn.functional.interpolate(
        m.randn(1, 1, 3), 4, recompute_scale_factor=True
    ),
    "pixel_shuffle_channels": lambda m: m.nn.functional.pixel_shuffle(m.randn(1, 3, 2, 2), 2),
    "pixel_unshuffle_height": lambda m: m.nn.functional.pixel_unshuffle(m.randn(1, 1, 3, 4), 2),
    "channel_shuffle_groups": lambda m: m.nn.functional.channel_shuffle(m.randn(1, 5, 2), 2),
    "conv_transpose_channels": lambda m: m.nn.functional.conv_transpose2d(
        m.randn(1, 2, 3, 3), m.randn(3, 2, 2, 2)
    ),
    "conv_transpose_output_padding": lambda m: m.nn.functional.conv_transpose2d(
        m.randn(1, 2, 3, 3), m.randn(2, 2, 2, 2), output_padding=1
    ),
    "circular_too_much": lambda m: m.nn.functional.pad(m.randn(1, 2, 3), (4, 0), mode="circular"),
    "circular_dims": lambda m: m.nn.functional.pad(m.randn(1, 2, 3, 4), (1, 1), mode="circular"),
    "unflatten_sizes": lambda m: m.nn.Unflatten(1, (2, 4))(m.randn(3, 6)),
    "embedding_bag_mode": lambda m: m.nn.functional.embedding_bag(
        m.tensor([1, 2]), m.randn(3, 2), m.tensor([0]), mode="min"
    ),
    "embedding_bag_offsets_2d": lambda m: m.nn.functional.embedding_bag(
        m.tensor([[1, 2]]), m.randn(3, 2), m.tensor([0])
    ),
    # The weight's rank is checked first, then the input's, then the mode.
    "embedding_bag_weight_0d": lambda m: m.nn.functional.embedding_bag(
        m.tensor([1, 2]), m.tensor(0.0), m.tensor([0]), mode="min"
    ),
    "embedding_bag_input_3d_before_mode": lambda m: m.nn.functional.embedding_bag(
        m.tensor([[[1, 2]]]), m.randn(3, 2), mode="min"
    ),
    "embedding_bag_no_offsets_before_mode": lambda m: m.nn.functional.embedding_bag(
        m.tensor([1, 2]), m.randn(3, 2), mode="min"
    ),
    "softmax2d_dims": lambda m: m.nn.Softmax2d()(m.randn(3, 4)),
    "adaptive_dims": lambda m: m.nn.functional.adaptive_avg_pool2d(m.randn(3, 4), 2),
    "instance_norm_affine_size": lambda m: m.nn.InstanceNorm1d(3, affine=True)(m.randn(2, 4, 5)),
    "instance_norm_spatial": lambda m: m.nn.functional.instance_norm(m.randn(2, 3, 1)),
    "bilinear_dims": lambda m: m.nn.functional.bilinear(
        m.randn(2, 3), m.randn(3), m.randn(1, 3, 3)
    ),
    "pdist_dims": lambda m: m.nn.functional.pdist(m.randn(3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[name](ag)
    # Our message carries PyTorch's opening words.
    expected = str(theirs.value).split("\n")[0][:30]
    assert str(ours.value).startswith(expected), (str(ours.value), str(theirs.value))


def test_warnings_match_torch():
    x, t = randn(3, 4), randn(3, 4)
    cases = [
        lambda m: m.nn.functional.kl_div(m.tensor(x), m.tensor(t)),
        lambda m: m.nn.functional.huber_loss(m.tensor(x), m.tensor(t[0])),
        lambda m: m.nn.functional.dropout2d(m.tensor(x).reshape(1, 3, 4)),
        lambda m: m.nn.functional.soft_margin_loss(m.tensor(x), m.tensor(t), size_average=False),
        lambda m: m.nn.InstanceNorm1d(5)(m.tensor(x).reshape(1, 3, 4)),
    ]
    for case in cases:
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            case(torch)
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            case(ag)
        assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]


def test_kl_div_reductions_and_zero_targets():
    x = np.log(np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]))
    t = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    for reduction in ("batchmean", "sum", "none", "mean"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = ag.nn.functional.kl_div(ag.tensor(x), ag.tensor(t), reduction=reduction)
            b = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(t), reduction=reduction)
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-12)


def test_interpolate_scale_factor_forms_match_torch():
    x = randn(1, 2, 5, 7)
    cases = [
        dict(scale_factor=0.7),
        dict(scale_factor=1.3, recompute_scale_factor=True),
        dict(scale_factor=(2.5, 0.5), mode="bilinear"),
        dict(scale_factor=1.6, mode="bicubic", align_corners=False),
        dict(scale_factor=3, mode="nearest-exact"),
        dict(size=(3, 4), mode="area"),
        dict(scale_factor=0.5, mode="area"),
        dict(size=(1, 1), mode="bilinear", align_corners=True),
        dict(size=(5, 7), mode="bilinear"),
    ]
    for case in cases:
        a = ag.nn.functional.interpolate(ag.tensor(x), **case)
        b = torch.nn.functional.interpolate(torch.tensor(x), **case)
        assert tuple(a.shape) == tuple(b.shape), case
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-12, atol=1e-12, err_msg=str(case))
    a = ag.nn.functional.upsample_bilinear(ag.tensor(x), scale_factor=2)
    b = torch.nn.functional.interpolate(
        torch.tensor(x), scale_factor=2, mode="bilinear", align_corners=True
    )
    np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-12)


@pytest.mark.parametrize(
    "case",
    [
        dict(size=7),
        dict(scale_factor=(2.5, 0.5), mode="bilinear"),
        dict(scale_factor=1.6, mode="bicubic", align_corners=True),
        dict(size=(3, 9), mode="nearest-exact"),
    ],
)
def test_interpolate_backward_twice_and_double_backward_match_torch(case):
    """PyTorch's upsample nodes save no tensors: a second backward needs no
    retain_graph, and the gradient is itself differentiable."""
    x = randn(1, 2, 5, 4)
    results = []
    for lib in (ag, torch):
        t = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.interpolate(t, **case)
        weights = lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(out.shape))
        (out * weights).sum().backward()
        (out * weights).sum().backward()
        (g,) = lib.autograd.grad((out * out).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        results.append([to_np(t.grad), to_np(g), to_np(gg)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# ---- nn.utils ---------------------------------------------------------------------------


def _model_with_grads(lib, seed=0):
    rng = np.random.default_rng(seed)
    lin1, lin2 = lib.nn.Linear(4, 3), lib.nn.Linear(3, 2)
    params = [lin1.weight, lin1.bias, lin2.weight, lin2.bias]
    for p in params:
        p.grad = lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 3)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, "inf", math.inf, 3.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _model_with_grads(ag), _model_with_grads(torch)
    total_o = ag.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert str(total_o.dtype) == str(total_t.dtype) and total_o.dim() == total_t.dim() == 0
    np.testing.assert_allclose(to_np(total_o), to_np(total_t), rtol=1e-6)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(to_np(a.grad), to_np(b.grad), rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_edge_cases():
    ours, theirs = _model_with_grads(ag), _model_with_grads(torch)
    ours[0].grad[0, 0] = float("nan")
    theirs[0].grad[0, 0] = float("nan")
    with pytest.raises(RuntimeError) as theirs_err:
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ours_err:
        ag.nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert str(ours_err.value) == str(theirs_err.value)
    no_grads = [ag.nn.Parameter(ag.ones(2))]
    assert float(ag.nn.utils.clip_grad_norm_(no_grads, 1.0)) == 0.0
    single = ag.nn.Parameter(ag.ones(4))
    single.grad = ag.full((4,), 2.0)
    assert float(ag.nn.utils.clip_grad_norm_(single, 1.0)) == pytest.approx(4.0)
    np.testing.assert_allclose(to_np(single.grad), [0.5] * 4, rtol=1e-5)
    total = ag.nn.utils.get_total_norm([ag.ones(3), ag.ones(1)])
    np.testing.assert_allclose(to_np(total), 2.0)
    with pytest.warns(FutureWarning):
        ag.nn.utils.clip_grad_norm(_model_with_grads(ag), 1.0)


def test_clip_grad_value_matches_torch():
    ours, theirs = _model_with_grads(ag), _model_with_grads(torch)
    assert ag.nn.utils.clip_grad_value_(ours, 0.7) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(to_np(a.grad), to_np(b.grad))


def test_parameters_to_vector_and_back():
    model = ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.Linear(4, 2))
    vec = ag.nn.utils.parameters_to_vector(model.parameters())
    assert tuple(vec.shape) == (3 * 4 + 4 + 4 * 2 + 2,)
    assert vec.requires_grad  # differentiable, as PyTorch's
    new = ag.arange(vec.numel(), dtype=ag.float32)
    ag.nn.utils.vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(to_np(model[0].weight).reshape(-1), np.arange(12))
    np.testing.assert_array_equal(to_np(model[1].bias), [24, 25])
    assert model[0].weight.requires_grad
    np.testing.assert_array_equal(
        to_np(ag.nn.utils.parameters_to_vector(model.parameters())), np.arange(26)
    )
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        ag.nn.utils.vector_to_parameters([1.0], model.parameters())


# ---- containers, Buffer, DataParallel ------------------------------------------------------


def test_parameter_list_matches_torch():
    def build(m):
        pl = m.nn.ParameterList([m.nn.Parameter(m.zeros(3, 4)), m.zeros(2)])
        pl.append(m.nn.Parameter(m.zeros(2, dtype=m.float64), requires_grad=False))
        pl.extend([m.nn.Parameter(m.ones(1))])
        pl += [m.zeros(5)]
        return pl

    ours, theirs = build(ag), build(torch)
    assert repr(ours) == repr(theirs)
    assert len(ours) == len(theirs) == 5
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert type(ours[1]).__name__ == "Parameter" and ours[1].requires_grad
    assert not ours[2].requires_grad
    assert [tuple(p.shape) for p in ours] == [tuple(p.shape) for p in theirs]
    assert len(ours[1:3]) == 2
    with pytest.raises(IndexError):
        ours[7]

    class Holder(ag.nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = ag.nn.ParameterList([ag.nn.Parameter(ag.ones(2)) for _ in range(3)])

        def forward(self, x):
            for w in self.weights:
                x = x * w
            return x

    h = Holder()
    assert [n for n, _ in h.named_parameters()] == ["weights.0", "weights.1", "weights.2"]
    h(ag.ones(2)).sum().backward()
    assert all(p.grad is not None for p in h.parameters())
    single = ag.nn.ParameterList([ag.nn.Parameter(ag.ones(1))])
    assert repr(single) == repr(torch.nn.ParameterList([torch.nn.Parameter(torch.ones(1))]))


def test_parameter_dict_matches_torch():
    def build(m):
        pd = m.nn.ParameterDict({"a": m.nn.Parameter(m.zeros(2)), "b": m.zeros(3)})
        pd["c"] = m.nn.Parameter(m.zeros(1, dtype=m.float64))
        pd.update([("d", m.zeros(2, 2))])
        return pd

    ours, theirs = build(ag), build(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.keys()) == list(theirs.keys()) == ["a", "b", "c", "d"]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "b" in ours and "z" not in ours and len(ours) == 4
    assert type(ours["b"]).__name__ == "Parameter"
    popped = ours.pop("a")
    assert tuple(popped.shape) == (2,) and list(ours) == ["b", "c", "d"]
    assert [k for k, _ in ours.items()] == ["b", "c", "d"]
    assert ours.get("zz", 5) == 5
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


def test_sequential_and_module_list_editing():
    seq = ag.nn.Sequential(ag.nn.ReLU(), ag.nn.Tanh())
    seq.insert(1, ag.nn.Sigmoid()).extend([ag.nn.Identity()])
    assert [type(m).__name__ for m in seq] == ["ReLU", "Sigmoid", "Tanh", "Identity"]
    assert type(seq.pop(0)).__name__ == "ReLU" and len(seq) == 3
    ml = ag.nn.ModuleList([ag.nn.ReLU(), ag.nn.Tanh(), ag.nn.Sigmoid()])
    del ml[0]
    assert list(ml._modules) == ["0", "1"]
    ml += [ag.nn.Identity()]
    assert len(ml + ag.nn.ModuleList([ag.nn.ReLU()])) == 4


def test_buffer_registration_matches_torch():
    def build(m):
        class Model(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.kept = m.nn.Buffer(m.ones(2))
                self.scratch = m.nn.Buffer(m.zeros(3), persistent=False)

        return Model()

    ours, theirs = build(ag), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["kept"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert not list(ours.parameters())
    assert repr(ag.nn.Buffer(ag.ones(2))) == repr(torch.nn.Buffer(torch.ones(2)))


def test_data_parallel_on_cpu_calls_the_module():
    inner = ag.nn.Linear(3, 2)
    dp = ag.nn.DataParallel(inner)
    x = ag.randn(4, 3)
    np.testing.assert_array_equal(to_np(dp(x)), to_np(inner(x)))
    assert dp.module is inner and dp.device_ids == []
    assert list(dp.state_dict()) == ["module.weight", "module.bias"]


# ---- import paths ---------------------------------------------------------------------------

PATHS = [
    ("nn.modules.activation", ["ReLU", "GELU", "Hardswish", "PReLU", "Softmax"]),
    ("nn.modules.linear", ["Linear", "Identity", "Bilinear"]),
    ("nn.modules.conv", ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]),
    ("nn.modules.pooling", ["MaxPool2d", "AdaptiveAvgPool2d", "AvgPool1d"]),
    ("nn.modules.batchnorm", ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]),
    ("nn.modules.normalization", ["LayerNorm", "GroupNorm", "RMSNorm"]),
    ("nn.modules.instancenorm", ["InstanceNorm1d", "InstanceNorm2d"]),
    ("nn.modules.dropout", ["Dropout", "Dropout2d"]),
    ("nn.modules.sparse", ["Embedding", "EmbeddingBag"]),
    ("nn.modules.container", ["Sequential", "ModuleList", "ModuleDict", "ParameterList"]),
    ("nn.modules.loss", ["CrossEntropyLoss", "MSELoss", "KLDivLoss", "_Loss", "_WeightedLoss"]),
    ("nn.modules.module", ["Module"]),
    ("nn.modules.flatten", ["Flatten", "Unflatten"]),
    ("nn.modules.padding", ["ZeroPad2d", "ReflectionPad2d"]),
    ("nn.modules.upsampling", ["Upsample"]),
    ("nn.modules.pixelshuffle", ["PixelShuffle"]),
    ("nn.modules.distance", ["CosineSimilarity"]),
    ("nn.modules.fold", ["Fold", "Unfold"]),
    ("nn.modules.utils", ["_pair", "_single", "_triple", "_quadruple", "_ntuple"]),
    ("nn.parameter", ["Parameter", "Buffer"]),
    ("nn.utils", ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector"]),
    ("nn.utils.clip_grad", ["clip_grad_norm_"]),
    ("nn.utils.convert_parameters", ["vector_to_parameters"]),
    ("nn.parallel", ["DataParallel", "DistributedDataParallel"]),
    ("nn.common_types", ["_size_2_t", "_size_any_t"]),
    ("nn.init", ["kaiming_uniform_", "xavier_uniform_"]),
    ("nn.functional", ["interpolate", "gelu"]),
]


@pytest.mark.parametrize("path,names", PATHS, ids=[p for p, _ in PATHS])
def test_module_paths_programs_import(path, names):
    module = importlib.import_module(f"autograd_cpp.{path}")
    reference = importlib.import_module(f"torch.{path}")
    for name in names:
        assert hasattr(reference, name), name
        assert hasattr(module, name), f"{path}.{name}"


def test_nll_loss_2d_is_deprecated_like_torch():
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        loss = ag.nn.NLLLoss2d()
    assert isinstance(loss, ag.nn.NLLLoss) and repr(loss) == "NLLLoss2d()"


def test_ntuple_helpers_match_torch():
    from torch.nn.modules import utils as theirs

    from autograd_cpp.nn.modules import utils as ours

    for name in ("_single", "_pair", "_triple", "_quadruple"):
        for value in (3, (1, 2), [4, 5, 6]):
            assert getattr(ours, name)(value) == getattr(theirs, name)(value)
    assert ours._reverse_repeat_tuple((1, 2, 3), 2) == theirs._reverse_repeat_tuple((1, 2, 3), 2)


# ---- nn.init additions --------------------------------------------------------------------


def test_trunc_normal_matches_torch_distribution():
    ag.manual_seed(0)
    torch.manual_seed(0)
    for mean, std, a, b in [(0.0, 1.0, -2.0, 2.0), (0.5, 0.7, 0.0, 1.0), (0.0, 0.02, -2.0, 2.0)]:
        ours = to_np(ag.nn.init.trunc_normal_(ag.empty(200_000), mean, std, a, b))
        theirs = to_np(torch.nn.init.trunc_normal_(torch.empty(200_000), mean, std, a, b))
        assert ours.min() >= a and ours.max() <= b
        assert abs(ours.mean() - theirs.mean()) < 5 * theirs.std() / math.sqrt(200_000)
        assert abs(ours.std() / theirs.std() - 1) < 0.01
        qs = [0.01, 0.25, 0.5, 0.75, 0.99]
        np.testing.assert_allclose(np.quantile(ours, qs), np.quantile(theirs, qs), atol=0.01 * std)
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        ag.nn.init.trunc_normal_(ag.empty(3), mean=10.0)


def test_orthogonal_sparse_and_dirac_initialisers():
    ag.manual_seed(0)
    for shape, gain in [((3, 5), 1.0), ((6, 4), 2.0), ((4, 2, 3), 0.5)]:
        w = to_np(ag.nn.init.orthogonal_(ag.empty(*shape), gain=gain)).reshape(shape[0], -1)
        small = w @ w.T if shape[0] <= w.shape[1] else w.T @ w
        np.testing.assert_allclose(small, gain**2 * np.eye(len(small)), atol=1e-5)
    # The law: orthogonal_ of a 1 x n row is a uniformly random unit vector.
    rows = np.stack([to_np(ag.nn.init.orthogonal_(ag.empty(1, 3)))[0] for _ in range(3000)])
    assert np.all(np.abs(rows.mean(0)) < 0.05)
    w = to_np(ag.nn.init.sparse_(ag.empty(10, 6), 0.35, std=0.5))
    assert ((w == 0).sum(0) == 4).all()  # ceil(0.35 * 10) zeros in every column
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 1, 3, 3), 1)]:
        ours = to_np(ag.nn.init.dirac_(ag.empty(*shape), groups))
        theirs = to_np(torch.nn.init.dirac_(torch.empty(*shape), groups))
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions"):
        ag.nn.init.orthogonal_(ag.empty(3))
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
        ag.nn.init.dirac_(ag.empty(3, 3))


def test_deprecated_init_names_warn_like_torch():
    for name in ("uniform", "normal", "xavier_uniform", "kaiming_normal", "orthogonal"):
        for lib in (ag, torch):
            with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated"):
                getattr(lib.nn.init, name)(lib.empty(3, 4))
    with pytest.warns(FutureWarning):
        ag.nn.init.constant(ag.empty(2), 3.0)


# ---- weight_norm and spectral_norm ----------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(dim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.utils.weight_norm(torch.nn.Conv1d(3, 4, 2).double(), dim=dim)
        ours = ag.nn.utils.weight_norm(ag.nn.Conv1d(3, 4, 2).double(), dim=dim)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["bias", "weight_g", "weight_v"]
    check_same_outputs(ours, theirs, [randn(2, 3, 5)])
    ag.nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(to_np(ours.weight), to_np(theirs.weight), rtol=1e-12)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        ag.nn.utils.remove_weight_norm(ours)
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated"):
        twice = ag.nn.utils.weight_norm(ag.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ag.nn.utils.weight_norm(twice)


def test_spectral_norm_matches_torch():
    for build in (lambda m: m.nn.Linear(5, 4), lambda m: m.nn.ConvTranspose2d(2, 3, 3)):
        theirs = torch.nn.utils.spectral_norm(build(torch).double(), n_power_iterations=2)
        ours = ag.nn.utils.spectral_norm(build(ag).double(), n_power_iterations=2)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [tuple(v.shape) for v in ours.state_dict().values()] == [
            tuple(v.shape) for v in theirs.state_dict().values()
        ]
        copy_weights(ours, theirs)  # the same u and v too
        shape = (3, 5) if isinstance(ours, ag.nn.Linear) else (1, 2, 4, 4)
        for step in range(3):  # power iterations advance in training mode
            check_same_outputs(ours, theirs, [randn(*shape, seed=step)])
            np.testing.assert_allclose(to_np(ours.weight_u), to_np(theirs.weight_u), rtol=1e-10)
        ours.eval()
        theirs.eval()
        x = randn(*shape)
        np.testing.assert_allclose(
            to_np(ours(ag.tensor(x))), to_np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-12
        )
        ag.nn.utils.remove_spectral_norm(ours)
        torch.nn.utils.remove_spectral_norm(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())


# ---- Module: backward hooks, dotted-path access ---------------------------------------------


def _hooked(lib, model):
    log = []

    def record(tag):
        def hook(module, grad_input, grad_output):
            log.append((tag, [None if g is None else to_np(g).copy() for g in grad_input],
                        [None if g is None else to_np(g).copy() for g in grad_output]))  # fmt: skip

        return hook

    model[0].register_full_backward_hook(record("first"))
    handle = model[2].register_full_backward_hook(record("last"))
    model[2].register_full_backward_pre_hook(lambda module, grad_output: (grad_output[0] * 2,))
    model[1].register_full_backward_hook(
        lambda module, grad_input, grad_output: (grad_input[0] * 3,)
    )
    return log, handle


def test_full_backward_hooks_match_torch():
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)
    ).double()
    ours = ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.Tanh(), ag.nn.Linear(4, 2)).double()
    copy_weights(ours, theirs)
    x = randn(5, 3)
    results = []
    for lib, model in ((ag, ours), (torch, theirs)):
        log, handle = _hooked(lib, model)
        for requires_grad in (True, False):
            xt = lib.tensor(x, requires_grad=requires_grad)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model(xt).sum().backward()
            # Without input gradients PyTorch warns that the hook fires early.
            assert len(caught) == (0 if requires_grad else 1)
        handle.remove()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the early-firing note again, on both sides
            model(lib.tensor(x)).sum().backward()
        results.append((log, [to_np(p.grad) for p in model.parameters()]))
    (log_a, grads_a), (log_t, grads_t) = results
    assert [entry[0] for entry in log_a] == [entry[0] for entry in log_t]
    for (_, gi_a, go_a), (_, gi_t, go_t) in zip(log_a, log_t):
        for a, t in zip(gi_a + go_a, gi_t + go_t):
            assert (a is None) == (t is None)
            if t is not None:
                np.testing.assert_allclose(a, t, rtol=1e-12)
    for a, t in zip(grads_a, grads_t):
        np.testing.assert_allclose(a, t, rtol=1e-12)


def test_dotted_path_access_matches_torch():
    def build(m):
        return m.nn.Sequential(m.nn.Linear(2, 3), m.nn.BatchNorm1d(3))

    ours, theirs = build(ag), build(torch)
    assert tuple(ours.get_parameter("0.weight").shape) == (3, 2)
    assert tuple(ours.get_buffer("1.running_mean").shape) == (3,)
    cases = [
        lambda m: m.get_parameter("0.nope"),
        lambda m: m.get_parameter("2.weight"),
        lambda m: m.get_buffer("0.weight"),
        lambda m: m.get_parameter("1.running_mean"),
    ]
    for case in cases:
        with pytest.raises(AttributeError) as t_err:
            case(theirs)
        with pytest.raises(AttributeError) as o_err:
            case(ours)
        assert str(o_err.value) == str(t_err.value)
    ours.set_submodule("0", ag.nn.ReLU())
    theirs.set_submodule("0", torch.nn.ReLU())
    assert repr(ours) == repr(theirs)
    assert ours.share_memory() is ours


# ---- lazy modules ------------------------------------------------------------------------------

LAZY = [
    (lambda m: m.nn.LazyLinear(5), (2, 3)),
    (lambda m: m.nn.LazyLinear(5, bias=False), (2, 4, 3)),
    (lambda m: m.nn.LazyConv1d(4, 3, groups=2), (2, 4, 7)),
    (lambda m: m.nn.LazyConv2d(4, 3, padding=1), (1, 2, 5, 5)),
    (lambda m: m.nn.LazyConv2d(4, 3), (2, 5, 5)),
    (lambda m: m.nn.LazyConvTranspose1d(3, 2), (2, 4, 5)),
    (lambda m: m.nn.LazyConvTranspose2d(3, 2, stride=2), (1, 2, 3, 3)),
    (lambda m: m.nn.LazyConv3d(3, 2), (1, 2, 3, 3, 3)),
    (lambda m: m.nn.LazyConvTranspose3d(3, 2, stride=2), (1, 2, 2, 2, 2)),
    (lambda m: m.nn.LazyBatchNorm1d(), (4, 3)),
    (lambda m: m.nn.LazyBatchNorm2d(affine=False), (2, 3, 4, 4)),
    (lambda m: m.nn.LazyBatchNorm3d(bias=False), (2, 3, 2, 2, 2)),
    (lambda m: m.nn.LazyInstanceNorm1d(), (2, 3, 5)),
    (lambda m: m.nn.LazyInstanceNorm2d(affine=False, track_running_stats=False), (3, 4, 4)),
]


@pytest.mark.parametrize("build,shape", LAZY)
def test_lazy_modules_become_their_eager_layer_like_torch(build, shape):
    ours, theirs = build(ag), build(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.has_uninitialized_params() == theirs.has_uninitialized_params()
    x = randn(*shape).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # InstanceNorm's num_features note, on both sides
        ours(ag.tensor(x))
        theirs(torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__
    assert repr(ours) == repr(theirs)
    assert (
        not ours.has_uninitialized_params() if hasattr(ours, "has_uninitialized_params") else True
    )
    for (n1, a), (n2, t) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert n1 == n2 and tuple(a.shape) == tuple(t.shape) and str(a.dtype) == str(t.dtype)
    # Now an ordinary layer: same outputs as PyTorch's from the same weights.
    copy_weights(ours, theirs)
    ours.eval()
    theirs.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(
            to_np(ours(ag.tensor(x))), to_np(theirs(torch.tensor(x))), rtol=2e-5, atol=2e-5
        )


def test_lazy_linear_initialises_like_linear():
    ag.manual_seed(0)
    lazy = ag.nn.LazyLinear(200)
    assert repr(lazy.weight) == "<UninitializedParameter>"
    lazy(ag.ones(1, 50))
    bound = 1 / math.sqrt(50)
    w = to_np(lazy.weight)
    assert type(lazy.weight).__name__ == "Parameter" and w.shape == (200, 50)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    params = list(ag.nn.Sequential(ag.nn.LazyLinear(3), ag.nn.ReLU()).parameters())
    assert all(type(p).__name__ == "UninitializedParameter" for p in params)


# ---- CTC loss -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss_matches_torch(reduction, zero_infinity):
    rng = np.random.default_rng(0)
    steps, batch, classes = 12, 4, 6
    x = rng.standard_normal((steps, batch, classes))
    targets = rng.integers(1, classes, size=(batch, 5))
    targets[1, 1] = targets[1, 0]  # a repeated label needs a blank between
    input_lengths, target_lengths = [12, 10, 12, 7], [5, 3, 0, 4]
    flat = np.concatenate([targets[n, : target_lengths[n]] for n in range(batch)])
    for tgt in (targets, flat):
        results = []
        for lib in (ag, torch):
            xt = lib.tensor(x, requires_grad=True)
            log_probs = lib.nn.functional.log_softmax(xt, 2)
            loss = lib.nn.CTCLoss(reduction=reduction, zero_infinity=zero_infinity)(
                log_probs, lib.tensor(tgt), lib.tensor(input_lengths), lib.tensor(target_lengths)
            )
            loss.sum().backward()
            results.append((to_np(loss), to_np(xt.grad)))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10, atol=1e-12)


def test_ctc_loss_impossible_alignment_and_gradcheck():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 2, 4))
    for zero_infinity in (False, True):
        losses = [
            lib.nn.functional.ctc_loss(
                lib.nn.functional.log_softmax(lib.tensor(x), 2), lib.tensor([[1, 2, 3, 1], [2, 2, 0, 0]]),
                [3, 3], [4, 2], reduction="none", zero_infinity=zero_infinity,
            )
            for lib in (ag, torch)
        ]  # fmt: skip
        np.testing.assert_allclose(to_np(losses[0]), to_np(losses[1]), rtol=1e-12)
    leaf = ag.tensor(rng.standard_normal((5, 2, 3)), requires_grad=True)
    assert ag.autograd.gradcheck(
        lambda v: ag.nn.functional.ctc_loss(
            ag.nn.functional.log_softmax(v, 2), ag.tensor([[1, 2], [1, 1]]), [5, 4], [2, 2]
        ),
        [leaf],
    )
    assert repr(ag.nn.CTCLoss(blank=3)) == repr(torch.nn.CTCLoss(blank=3))


# ---- smaller additions --------------------------------------------------------------------------


def test_cross_map_lrn2d_forward_matches_torch_and_its_gradient_is_exact():
    x = randn(2, 6, 3, 3)
    for size in (1, 2, 3, 5, 9):
        a = ag.nn.CrossMapLRN2d(size, alpha=0.1, beta=0.6, k=2.0)(ag.tensor(x))
        b = torch.nn.CrossMapLRN2d(size, alpha=0.1, beta=0.6, k=2.0)(torch.tensor(x))
        np.testing.assert_allclose(to_np(a), to_np(b), rtol=1e-12)
    assert repr(ag.nn.CrossMapLRN2d(3)) == repr(torch.nn.CrossMapLRN2d(3))
    # PyTorch's hand-written backward for this legacy layer does not follow
    # its forward's window (channel 0 stays in every sum); ours is checked
    # against finite differences instead.
    leaf = ag.tensor(randn(1, 4, 2, 2), requires_grad=True)
    assert ag.autograd.gradcheck(lambda v: ag.nn.CrossMapLRN2d(3, alpha=0.5)(v), [leaf])


def test_gumbel_softmax():
    ag.manual_seed(0)
    logits = ag.tensor(np.log([[0.7, 0.2, 0.1]] * 4000), requires_grad=True)
    soft = ag.nn.functional.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(to_np(soft).sum(1), 1.0, rtol=1e-6)
    hard = ag.nn.functional.gumbel_softmax(logits, tau=0.5, hard=True)
    values = to_np(hard)
    assert set(np.unique(values)) <= {0.0, 1.0} and (values.sum(1) == 1).all()
    # Samples follow the logits' categorical distribution.
    np.testing.assert_allclose(values.mean(0), [0.7, 0.2, 0.1], atol=0.03)
    (hard * ag.tensor([1.0, 2.0, 3.0])).sum().backward()  # straight-through gradient
    assert logits.grad is not None and np.abs(to_np(logits.grad)).sum() > 0
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        ag.nn.functional.gumbel_softmax(logits, eps=1e-5)


def test_affine_grid_and_grid_sample_match_torch():
    rng = np.random.default_rng(0)
    theta = rng.standard_normal((2, 2, 3)) * 0.6
    x = rng.standard_normal((2, 3, 5, 6))
    grid = rng.uniform(-1.3, 1.3, (2, 4, 7, 2))
    for mode in ("bilinear", "nearest", "bicubic"):
        for padding_mode in ("zeros", "border", "reflection"):
            for align_corners in (False, True):
                results = []
                for lib in (ag, torch):
                    xt = lib.tensor(x, requires_grad=True)
                    gt = lib.tensor(grid, requires_grad=True)
                    out = lib.nn.functional.grid_sample(xt, gt, mode, padding_mode, align_corners)
                    out.sum().backward()
                    g = np.zeros(grid.shape) if gt.grad is None else to_np(gt.grad)
                    results.append((to_np(out), to_np(xt.grad), g))
                for a, t in zip(*results):
                    np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)
    # The spatial-transformer pattern: a grid from theta, then sampling.
    for lib in (ag, torch):
        g = lib.nn.functional.affine_grid(lib.tensor(theta), [2, 3, 5, 6], align_corners=False)
        out = lib.nn.functional.grid_sample(lib.tensor(x), g, align_corners=False)
        results.append(to_np(out))
    np.testing.assert_allclose(results[-2], results[-1], rtol=1e-10, atol=1e-12)
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
            lib.nn.functional.affine_grid(lib.tensor(theta), [2, 3, 5, 6])
        with pytest.raises(ValueError, match="expected mode to be 'bilinear', 'nearest' or"):
            lib.nn.functional.grid_sample(lib.tensor(x), lib.tensor(grid), mode="area")
        with pytest.raises(ValueError, match="Expected a batch of 2D affine matrices"):
            lib.nn.functional.affine_grid(lib.tensor(theta[:, :, :2]), [2, 3, 5, 6], False)


def test_container_factory_kwargs_and_attention_backends():
    with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
        c = ag.nn.Container(a=ag.nn.Linear(2, 3))
    with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
        t = torch.nn.Container(a=torch.nn.Linear(2, 3))
    assert repr(c) == repr(t)
    for kwargs in ({"dtype": "x"}, {"device": "cpu", "factory_kwargs": {"dtype": "y"}}, None):
        assert ag.nn.factory_kwargs(kwargs) == torch.nn.factory_kwargs(kwargs)
    for bad in ({"bias": True}, {"dtype": 1, "factory_kwargs": {"dtype": 2}}):
        with pytest.raises(TypeError):
            ag.nn.factory_kwargs(bad)
    from autograd_cpp.nn.attention import SDPBackend, sdpa_kernel

    assert list(SDPBackend.__members__) == list(torch.nn.attention.SDPBackend.__members__)
    q = ag.randn(1, 2, 3, 4)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.MATH]):
        out = ag.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)
    np.testing.assert_array_equal(
        to_np(out), to_np(ag.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True))
    )
    assert ag.nn.attention.enabled_backends()[0] == SDPBackend.MATH
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with sdpa_kernel("math"):
            pass
    assert ag.nn.functional.has_torch_function((q,)) is False


# ---- nn.utils.parametrize and parametrizations ------------------------------------------------


def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    return Symmetric()


def _scale(lib):
    class Scale(lib.nn.Module):
        def forward(self, X):
            return X * 2

        def right_inverse(self, X):
            return X / 2

    return Scale()


def test_register_parametrization_matches_torch():
    results = []
    for lib in (ag, torch):
        P = lib.nn.utils.parametrize
        layer = lib.nn.Linear(3, 3).double()
        P.register_parametrization(layer, "weight", _symmetric(lib))
        P.register_parametrization(layer, "weight", _scale(lib))  # chained
        record = [repr(layer), list(layer.state_dict()), type(layer).__name__,
                  P.is_parametrized(layer), P.is_parametrized(layer, "bias"),
                  P.type_before_parametrizations(layer).__name__]  # fmt: skip
        w = to_np(layer.weight)
        assert np.allclose(w, w.T)
        with P.cached():
            assert layer.weight is layer.weight  # computed once inside cached()
        layer.weight = lib.tensor(np.arange(9.0).reshape(3, 3) * 2)  # through right_inverse
        record.append(to_np(layer.parametrizations.weight.original).tolist())
        x = lib.tensor(randn(4, 3), requires_grad=True)
        layer(x).sum().backward()
        record.append(to_np(layer.parametrizations.weight.original.grad).tolist())
        P.remove_parametrizations(layer, "weight")
        record += [repr(layer), list(layer.state_dict()), type(layer).__name__]
        results.append(record)
    assert results[0] == results[1]
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        ag.nn.utils.parametrize.remove_parametrizations(ag.nn.Linear(2, 2), "weight")
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized"):
        ag.nn.utils.parametrize.register_parametrization(ag.nn.Linear(2, 2), "nope", _scale(ag))


def test_parametrizations_weight_norm_and_spectral_norm_match_torch():
    for name, kwargs in (
        ("weight_norm", {}),
        ("weight_norm", {"dim": None}),
        ("spectral_norm", {}),
    ):
        theirs = getattr(torch.nn.utils.parametrizations, name)(
            torch.nn.Linear(3, 4).double(), **kwargs
        )
        ours = getattr(ag.nn.utils.parametrizations, name)(ag.nn.Linear(3, 4).double(), **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        copy_weights(ours, theirs)
        for step in range(2):
            check_same_outputs(ours, theirs, [randn(5, 3, seed=step)])
        ag.nn.utils.parametrize.remove_parametrizations(ours, "weight")
        torch.nn.utils.parametrize.remove_parametrizations(theirs, "weight")
        np.testing.assert_allclose(to_np(ours.weight), to_np(theirs.weight), rtol=1e-10)
        assert type(ours.weight).__name__ == "Parameter"


def test_stateless_functional_call_matches_torch():
    def build(lib):
        model = lib.nn.Sequential(lib.nn.Linear(4, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 4))
        model[2].weight = model[0].weight  # tied: replacing one replaces both
        return model.double()

    ours, theirs = build(ag), build(torch)
    copy_weights(ours, theirs)
    rng = np.random.default_rng(0)
    new_w, x = rng.standard_normal((4, 4)), rng.standard_normal((5, 4))
    rng_up = rng.standard_normal((5, 4))
    results = []
    for lib, model in ((ag, ours), (torch, theirs)):
        w = lib.tensor(new_w, requires_grad=True)
        stats = lib.zeros(4, dtype=lib.float64)
        with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
            out = lib.nn.utils.stateless.functional_call(
                model, {"0.weight": w, "1.running_mean": stats}, (lib.tensor(x),)
            )
        (out * lib.tensor(rng_up)).sum().backward()
        results.append((to_np(out), to_np(w.grad), to_np(stats), model[0].weight.grad,
                        list(model.state_dict())))  # fmt: skip
    (o_a, g_a, s_a, orig_a, keys_a), (o_t, g_t, s_t, orig_t, keys_t) = results
    np.testing.assert_allclose(o_a, o_t, rtol=1e-12)
    np.testing.assert_allclose(g_a, g_t, rtol=1e-12)
    np.testing.assert_allclose(s_a, s_t, rtol=1e-12)  # the passed buffer took the update
    assert orig_a is None and orig_t is None and keys_a == keys_t
    with pytest.raises(RuntimeError) as theirs_err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.nn.utils.stateless.functional_call(
                theirs, {"nope": torch.ones(1)}, (torch.ones(1, 4),), strict=True
            )
    with pytest.raises(RuntimeError) as ours_err:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ag.nn.utils.stateless.functional_call(
                ours, {"nope": ag.ones(1)}, (ag.ones(1, 4),), strict=True
            )
    assert str(ours_err.value) == str(theirs_err.value)
    assert (
        repr(ag.nn.utils.skip_init(ag.nn.Linear, 2, 3))
        == "Linear(in_features=2, out_features=3, bias=True)"
    )
