"""nn.functional ops composed in Python (activations, distances, losses,
pooling, normalisation, resampling, transposed convolution): each row runs
through gradcheck, gradgradcheck and the PyTorch comparisons of op_db."""

from op_db import OpInfo


def F(m):
    return m.nn.functional


def _t(m, values, like=None):
    """A constant tensor (in like's dtype when given)."""
    return m.tensor(values, dtype=like.dtype) if like is not None else m.tensor(values)


SIGNS = [1.0, -1.0, 1.0]
SIGNS4 = [[1.0, -1.0, -1.0, 1.0], [-1.0, 1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]]

ACTIVATIONS = [
    OpInfo(
        "hardswish",
        lambda m, x: F(m).hardswish(x * 2.5),
        [((3, 4),)],
        grad_fn="HardswishBackward0",
        smooth=False,
    ),
    # PyTorch has no second derivative for hardsigmoid, pdist and the margin
    # losses, so theirs are not compared (second=False).
    OpInfo(
        "hardsigmoid",
        lambda m, x: F(m).hardsigmoid(x * 2.5),
        [((3, 4),)],
        smooth=False,
        second=False,
    ),
    OpInfo("relu6_scaled", lambda m, x: F(m).relu6(x * 4.0), [((3, 4),)], smooth=False),
    OpInfo("hardtanh_range", lambda m, x: F(m).hardtanh(x, -0.5, 1.5), [((3, 4),)], smooth=False),
    OpInfo("mish", lambda m, x: F(m).mish(x), [((3, 4),)]),
    OpInfo("softsign", lambda m, x: F(m).softsign(x), [((3, 4),)], smooth=False),
    OpInfo("softmin", lambda m, x: F(m).softmin(x, dim=1), [((3, 4),), ((2, 3, 2),)]),
    OpInfo("glu", lambda m, x: F(m).glu(x), [((3, 4),), ((2, 6, 2),)]),
    OpInfo("glu_dim", lambda m, x: F(m).glu(x, dim=1), [((2, 6, 3),)]),
    OpInfo("celu", lambda m, x: F(m).celu(x, alpha=1.5), [((3, 4),)], smooth=False),
    OpInfo("celu_default", lambda m, x: F(m).celu(x), [((3, 4),)], smooth=False),
    OpInfo("selu", lambda m, x: F(m).selu(x), [((3, 4),)], smooth=False),
    OpInfo(
        "threshold",
        lambda m, x: F(m).threshold(x, 0.35, -1.5),
        [((3, 4),)],
        smooth=False,
        grad_fn="ThresholdBackward0",
    ),
    OpInfo("tanhshrink", lambda m, x: F(m).tanhshrink(x), [((3, 4),)]),
    OpInfo("softshrink", lambda m, x: F(m).softshrink(x, 0.45), [((3, 4),)], smooth=False),
    OpInfo("hardshrink", lambda m, x: F(m).hardshrink(x, 0.45), [((3, 4),)], smooth=False),
    OpInfo(
        "prelu_channels",
        lambda m, x, w: F(m).prelu(x, w),
        [((2, 3, 4), (3,)), ((2, 3), (3,))],
        smooth=False,
    ),
    OpInfo("prelu_shared", lambda m, x, w: F(m).prelu(x, w), [((3, 4), (1,))], smooth=False),
    OpInfo("rrelu_eval", lambda m, x: F(m).rrelu(x), [((3, 4),)], smooth=False),
]

DISTANCES = [
    OpInfo("normalize", lambda m, x: F(m).normalize(x), [((3, 4),), ((2, 3, 2),)]),
    OpInfo("normalize_p1", lambda m, x: F(m).normalize(x, p=1, dim=-1), [((3, 4),)], smooth=False),
    OpInfo(
        "pairwise_distance",
        lambda m, a, b: F(m).pairwise_distance(a, b),
        [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 4))],
    ),
    OpInfo(
        "pairwise_distance_p1",
        lambda m, a, b: F(m).pairwise_distance(a, b, p=1, keepdim=True),
        [((3, 4), (3, 4))],
        smooth=False,
    ),
    OpInfo(
        "cosine_similarity",
        lambda m, a, b: F(m).cosine_similarity(a, b),
        [((3, 4), (3, 4)), ((3, 4, 2), (1, 4, 2))],
    ),
    OpInfo(
        "cosine_similarity_last",
        lambda m, a, b: F(m).cosine_similarity(a, b, dim=-1),
        [((3, 4), (4,))],
    ),
    OpInfo("pdist", lambda m, x: F(m).pdist(x), [((4, 3),)], second=False),
]

LOSSES = [
    OpInfo(
        "kl_div_batchmean",
        lambda m, x, t: F(m).kl_div(
            F(m).log_softmax(x, 1), F(m).softmax(t, 1), reduction="batchmean"
        ),
        [((3, 4), (3, 4))],
    ),
    OpInfo(
        "kl_div_log_target",
        lambda m, x, t: F(m).kl_div(x, t, reduction="sum", log_target=True),
        [((3, 4), (3, 4))],
    ),
    OpInfo(
        "kl_div_none",
        lambda m, x, t: F(m).kl_div(x, t, reduction="none"),
        [((3, 4), (3, 4))],
        domain="positive",
    ),
    OpInfo(
        "huber_loss",
        lambda m, a, b: F(m).huber_loss(a, b, delta=0.7),
        [((3, 4), (3, 4))],
        smooth=False,
    ),
    OpInfo(
        "huber_loss_none",
        lambda m, a, b: F(m).huber_loss(a, b, reduction="none", delta=1.5),
        [((3, 4), (3, 4))],
        smooth=False,
    ),
    OpInfo(
        "margin_ranking_loss",
        lambda m, a, b: F(m).margin_ranking_loss(a, b, _t(m, SIGNS, a), margin=0.2),
        [((3,), (3,))],
        smooth=False,
    ),
    OpInfo(
        "cosine_embedding_loss",
        lambda m, a, b: F(m).cosine_embedding_loss(a, b, _t(m, [1, -1, 1]), margin=-0.5),
        [((3, 4), (3, 4))],
        smooth=False,
    ),
    OpInfo(
        "cosine_embedding_loss_1d",
        lambda m, a, b: F(m).cosine_embedding_loss(a, b, _t(m, 1), reduction="sum"),
        [((4,), (4,))],
    ),
    OpInfo(
        "hinge_embedding_loss",
        lambda m, x: F(m).hinge_embedding_loss(x, _t(m, SIGNS4, x), margin=0.8),
        [((3, 4),)],
        smooth=False,
    ),
    OpInfo(
        "soft_margin_loss",
        lambda m, x: F(m).soft_margin_loss(x, _t(m, SIGNS4, x)),
        [((3, 4),)],
    ),
    OpInfo(
        "multilabel_soft_margin_loss",
        lambda m, x, w: F(m).multilabel_soft_margin_loss(
            x, _t(m, [[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]], x), weight=w
        ),
        [((3, 4), (4,))],
    ),
    OpInfo(
        "multi_margin_loss",
        lambda m, x: F(m).multi_margin_loss(x, _t(m, [0, 2, 3])),
        [((3, 4),)],
        smooth=False,
        second=False,
    ),
    OpInfo(
        "multi_margin_loss_p2_weight",
        lambda m, x: F(m).multi_margin_loss(
            x,
            _t(m, [1, 2, 0]),
            p=2,
            margin=0.7,
            weight=_t(m, [0.5, 1, 2, 1.5], x),
            reduction="none",
        ),
        [((3, 4),)],
        smooth=False,
        second=False,
    ),
    OpInfo(
        "multilabel_margin_loss",
        lambda m, x: F(m).multilabel_margin_loss(
            x, _t(m, [[3, 0, -1, 1], [1, 2, 3, -1], [-1, 1, 1, 1]])
        ),
        [((3, 4),)],
        smooth=False,
        second=False,
    ),
    OpInfo(
        "poisson_nll_loss",
        lambda m, x, t: F(m).poisson_nll_loss(x, t),
        [((3, 4), (3, 4))],
    ),
    OpInfo(
        "poisson_nll_loss_rates_full",
        lambda m, x, t: F(m).poisson_nll_loss(x, t * 2, log_input=False, full=True),
        [((3, 4), (3, 4))],
        domain="positive",
    ),
    OpInfo(
        "gaussian_nll_loss",
        lambda m, x, t, v: F(m).gaussian_nll_loss(x, t, v * v + 0.1),
        [((3, 4), (3, 4), (3, 4)), ((3, 4), (3, 4), (3, 1)), ((3, 4), (3, 4), (3,))],
    ),
    OpInfo(
        "gaussian_nll_loss_full",
        lambda m, x, t, v: F(m).gaussian_nll_loss(x, t, v * v + 0.1, full=True, reduction="sum"),
        [((3, 4), (3, 4), (3, 4))],
    ),
    OpInfo(
        "triplet_margin_loss",
        lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n, margin=2.0),
        [((3, 4), (3, 4), (3, 4))],
        smooth=False,
    ),
    OpInfo(
        "triplet_margin_loss_swap",
        lambda m, a, p, n: F(m).triplet_margin_loss(a, p, n, margin=3.0, p=1, swap=True),
        [((3, 4), (3, 4), (3, 4))],
        smooth=False,
    ),
    OpInfo(
        "triplet_margin_with_distance_loss",
        lambda m, a, p, n: F(m).triplet_margin_with_distance_loss(
            a, p, n, distance_function=lambda x, y: 1 - F(m).cosine_similarity(x, y), margin=1.5
        ),
        [((3, 4), (3, 4), (3, 4))],
        smooth=False,
    ),
]

POOLING = [
    OpInfo("avg_pool1d", lambda m, x: F(m).avg_pool1d(x, 3, 2, 1), [((2, 3, 7),), ((3, 6),)]),
    OpInfo(
        "avg_pool1d_ceil",
        lambda m, x: F(m).avg_pool1d(x, 2, ceil_mode=True, count_include_pad=False),
        [((2, 3, 7),)],
    ),
    OpInfo(
        "max_pool1d",
        lambda m, x: F(m).max_pool1d(x, 3, 2, 1, dilation=1),
        [((2, 3, 7),), ((3, 6),)],
        smooth=False,
    ),
    OpInfo(
        "max_pool1d_indices",
        lambda m, x: F(m).max_pool1d(x, 2, return_indices=True)[0],
        [((2, 3, 6),)],
        smooth=False,
    ),
    OpInfo(
        "adaptive_avg_pool1d",
        lambda m, x: F(m).adaptive_avg_pool1d(x, 3),
        [((2, 3, 7),), ((3, 6),), ((2, 2, 5),)],
    ),
    OpInfo(
        "adaptive_avg_pool2d",
        lambda m, x: F(m).adaptive_avg_pool2d(x, (3, 2)),
        [((2, 3, 7, 5),), ((3, 6, 4),)],
    ),
    OpInfo(
        "adaptive_avg_pool2d_global", lambda m, x: F(m).adaptive_avg_pool2d(x, 1), [((2, 3, 4, 5),)]
    ),  # fmt: skip
    OpInfo(
        "adaptive_avg_pool2d_none",
        lambda m, x: F(m).adaptive_avg_pool2d(x, (None, 3)),
        [((2, 2, 3, 7),)],
    ),
    OpInfo(
        "adaptive_max_pool1d",
        lambda m, x: F(m).adaptive_max_pool1d(x, 3),
        [((2, 3, 7),), ((3, 6),)],
        smooth=False,
    ),
    OpInfo(
        "adaptive_max_pool2d",
        lambda m, x: F(m).adaptive_max_pool2d(x, (3, 2)),
        [((2, 3, 7, 5),), ((3, 6, 4),)],
        smooth=False,
    ),
    OpInfo("lp_pool1d", lambda m, x: F(m).lp_pool1d(x, 2, 3, 2), [((2, 3, 7),)]),
    OpInfo("lp_pool2d", lambda m, x: F(m).lp_pool2d(x, 2, (2, 3), 1), [((2, 3, 4, 5),)]),
    OpInfo(
        "max_unpool2d",
        lambda m, x: F(m).max_unpool2d(*F(m).max_pool2d(x, 2, return_indices=True), 2),
        [((2, 3, 4, 6),)],
        smooth=False,
    ),
    OpInfo(
        "max_unpool1d",
        lambda m, x: F(m).max_unpool1d(
            *F(m).max_pool1d(x, 2, return_indices=True), 2, output_size=[7]
        ),
        [((2, 3, 7),)],
        smooth=False,
    ),
]

NORMALIZATION = [
    OpInfo(
        "group_norm",
        lambda m, x, w, b: F(m).group_norm(x, 2, w, b),
        [((3, 4, 5), (4,), (4,)), ((2, 6, 2, 3), (6,), (6,))],
    ),
    OpInfo(
        "group_norm_no_affine", lambda m, x: F(m).group_norm(x, 3, eps=1e-3), [((2, 6, 4),)]
    ),  # fmt: skip
    OpInfo(
        "instance_norm",
        lambda m, x, w, b: F(m).instance_norm(x, weight=w, bias=b),
        [((2, 3, 5), (3,), (3,)), ((2, 3, 2, 3), (3,), (3,))],
    ),
    OpInfo("rms_norm", lambda m, x, w: F(m).rms_norm(x, [4], w), [((3, 4), (4,))]),
    OpInfo(
        "rms_norm_2d", lambda m, x: F(m).rms_norm(x, (3, 4), eps=1e-4), [((2, 3, 4),)]
    ),  # fmt: skip
    OpInfo(
        "local_response_norm",
        lambda m, x: F(m).local_response_norm(x, 3, alpha=0.1),
        [((2, 5, 4),), ((2, 4, 3, 2),)],
    ),  # fmt: skip
]

VISION = [
    OpInfo("interpolate_nearest", lambda m, x: F(m).interpolate(x, size=7), [((2, 3, 5),)]),
    OpInfo(
        "interpolate_nearest_2d",
        lambda m, x: F(m).interpolate(x, scale_factor=(2, 1.5)),
        [((1, 2, 3, 4),)],
    ),
    OpInfo(
        "interpolate_nearest_exact",
        lambda m, x: F(m).interpolate(x, size=(5, 3), mode="nearest-exact"),
        [((1, 2, 3, 4),)],
    ),
    OpInfo(
        "interpolate_linear",
        lambda m, x: F(m).interpolate(x, size=8, mode="linear"),
        [((2, 3, 5),)],
    ),
    OpInfo(
        "interpolate_linear_corners",
        lambda m, x: F(m).interpolate(x, scale_factor=1.7, mode="linear", align_corners=True),
        [((2, 3, 5),)],
    ),
    OpInfo(
        "interpolate_bilinear",
        lambda m, x: F(m).interpolate(x, scale_factor=2, mode="bilinear"),
        [((1, 2, 3, 4),)],
    ),
    OpInfo(
        "interpolate_bilinear_down",
        lambda m, x: F(m).interpolate(x, size=(2, 3), mode="bilinear", align_corners=True),
        [((1, 2, 5, 4),)],
    ),
    OpInfo(
        "interpolate_bicubic",
        lambda m, x: F(m).interpolate(x, size=(5, 6), mode="bicubic"),
        [((1, 2, 3, 4),)],
    ),
    OpInfo(
        "interpolate_trilinear",
        lambda m, x: F(m).interpolate(x, size=(3, 4, 2), mode="trilinear"),
        [((1, 1, 2, 3, 2),)],
    ),
    OpInfo(
        "interpolate_area",
        lambda m, x: F(m).interpolate(x, size=(2, 3), mode="area"),
        [((1, 2, 5, 4),)],
    ),  # fmt: skip
    OpInfo(
        "conv_transpose2d",
        lambda m, x, w, b: F(m).conv_transpose2d(x, w, b),
        [((2, 3, 4, 5), (3, 2, 3, 2), (2,)), ((3, 4, 3), (3, 2, 2, 2), (2,))],
    ),
    OpInfo(
        "conv_transpose2d_options",
        lambda m, x, w: F(m).conv_transpose2d(
            x, w, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2)
        ),
        [((1, 2, 3, 3), (2, 3, 3, 2))],
    ),
    OpInfo(
        "conv_transpose2d_groups",
        lambda m, x, w, b: F(m).conv_transpose2d(x, w, b, stride=2, groups=2),
        [((2, 4, 3, 3), (4, 3, 2, 2), (6,))],
    ),
    OpInfo(
        "conv_transpose1d",
        lambda m, x, w, b: F(m).conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
        [((2, 3, 5), (3, 2, 3), (2,)), ((3, 4), (3, 2, 2), (2,))],
    ),
    OpInfo("pixel_shuffle", lambda m, x: F(m).pixel_shuffle(x, 2), [((2, 8, 2, 3),)]),
    OpInfo("pixel_unshuffle", lambda m, x: F(m).pixel_unshuffle(x, 2), [((1, 2, 4, 6),)]),
    OpInfo("channel_shuffle", lambda m, x: F(m).channel_shuffle(x, 3), [((2, 6, 2),)]),
    OpInfo(
        "bilinear",
        lambda m, a, b, w, c: F(m).bilinear(a, b, w, c),
        [((3, 4), (3, 2), (5, 4, 2), (5,)), ((2, 3, 4), (2, 3, 2), (1, 4, 2), (1,))],
    ),
    OpInfo(
        "pad_circular",
        lambda m, x: F(m).pad(x, (1, 2, 2, 0), mode="circular"),
        [((1, 2, 3, 4),)],
    ),
    OpInfo(
        "embedding_bag_mean",
        lambda m, w: F(m).embedding_bag(m.tensor([1, 2, 4, 5, 4, 3]), w, m.tensor([0, 2, 2])),
        [((6, 3),)],
    ),
    OpInfo(
        "embedding_bag_sum_padding",
        lambda m, w: F(m).embedding_bag(
            m.tensor([[1, 2, 0], [4, 0, 4]]), w, mode="sum", padding_idx=0
        ),
        [((6, 3),)],
    ),
    OpInfo(
        "embedding_bag_max",
        lambda m, w: F(m).embedding_bag(m.tensor([1, 2, 4, 5]), w, m.tensor([0, 3]), mode="max"),
        [((6, 3),)],
        smooth=False,
    ),
]

BOOL_MASK = [[True, False, True, True, False], [False, False, True, True, True],
             [True, True, True, False, True]]  # fmt: skip

ATTENTION = [
    OpInfo(
        "sdpa",
        lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v),
        [((2, 3, 4), (2, 5, 4), (2, 5, 3)), ((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4))],
    ),
    OpInfo(
        "sdpa_causal_scale",
        lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.4),
        [((2, 4, 3), (2, 4, 3), (2, 4, 2))],
    ),
    OpInfo(
        "sdpa_bool_mask",
        lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v, m.tensor(BOOL_MASK)),
        [((2, 3, 4), (2, 5, 4), (2, 5, 3))],
    ),
    OpInfo(
        "sdpa_float_mask",
        lambda m, q, k, v, b: F(m).scaled_dot_product_attention(q, k, v, attn_mask=b),
        [((2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5)), ((2, 3, 4), (2, 5, 4), (2, 5, 3), (2, 3, 5))],
    ),
]

SPATIAL = [
    OpInfo(
        "affine_grid",
        lambda m, t: F(m).affine_grid(t, [2, 3, 4, 5], align_corners=False),
        [((2, 2, 3),)],
    ),
    OpInfo(
        "affine_grid_3d",
        lambda m, t: F(m).affine_grid(t, [1, 1, 2, 3, 4], align_corners=True),
        [((1, 3, 4),)],
    ),
    # Grid values in [-1, 1] (the inputs' [-2, 2] halved); PyTorch has no
    # second derivative of grid_sample.
    OpInfo(
        "grid_sample_bilinear",
        lambda m, x, g: F(m).grid_sample(x, g * 0.6, align_corners=False),
        [((2, 3, 4, 5), (2, 3, 2, 2))],
        smooth=False,
        second=False,
    ),
    OpInfo(
        "grid_sample_border_corners",
        lambda m, x, g: F(m).grid_sample(x, g * 0.7, padding_mode="border", align_corners=True),
        [((1, 2, 3, 4), (1, 2, 3, 2))],
        smooth=False,
        second=False,
    ),
    OpInfo(
        "grid_sample_reflection_bicubic",
        lambda m, x, g: F(m).grid_sample(
            x, g * 0.65, mode="bicubic", padding_mode="reflection", align_corners=False
        ),
        [((1, 2, 4, 4), (1, 2, 2, 2))],
        smooth=False,
        second=False,
    ),
]

VOLUMETRIC = [
    OpInfo(
        "conv3d",
        lambda m, x, w, b: F(m).conv3d(x, w, b, stride=(2, 1, 1), padding=(1, 0, 1)),
        [((2, 2, 4, 3, 3), (3, 2, 2, 2, 2), (3,)), ((2, 3, 3, 3), (2, 2, 2, 2, 2), (2,))],
    ),
    OpInfo(
        "conv3d_groups_dilation",
        lambda m, x, w: F(m).conv3d(x, w, groups=2, dilation=(2, 1, 1)),
        [((1, 4, 5, 3, 3), (2, 2, 2, 2, 2))],
    ),
    OpInfo(
        "conv_transpose3d",
        lambda m, x, w, b: F(m).conv_transpose3d(
            x, w, b, stride=(2, 1, 2), padding=(1, 0, 0), output_padding=(1, 0, 1)
        ),
        [((1, 2, 3, 2, 2), (2, 3, 2, 2, 2), (3,))],
    ),
    OpInfo(
        "max_pool3d",
        lambda m, x: F(m).max_pool3d(x, (2, 2, 3), stride=(2, 1, 2), padding=(1, 0, 1)),
        [((1, 2, 4, 3, 5),)],
        smooth=False,
    ),
    OpInfo(
        "avg_pool3d",
        lambda m, x: F(m).avg_pool3d(x, 2, stride=1, padding=1, count_include_pad=False),
        [((1, 2, 3, 3, 4),)],
    ),
    OpInfo(
        "adaptive_avg_pool3d",
        lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 3, None)),
        [((1, 2, 5, 4, 3),)],
    ),
    OpInfo(
        "adaptive_max_pool3d",
        lambda m, x: F(m).adaptive_max_pool3d(x, (2, 3, 2)),
        [((1, 2, 5, 4, 3),)],
        smooth=False,
    ),
]

OPS = (
    ACTIVATIONS + DISTANCES + LOSSES + POOLING + NORMALIZATION + VISION + ATTENTION + SPATIAL
    + VOLUMETRIC
)  # fmt: skip
