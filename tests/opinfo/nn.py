"""Matrix products, losses and nn.functional ops."""

from op_db import OpInfo


def F(m):
    return m.nn.functional


def _w(m, x, values):
    """A constant weight tensor in x's dtype."""
    return m.tensor(values, dtype=x.dtype)


# Class-index targets shared by the nll/cross-entropy rows.
T3 = [0, 2, 1]
T3_ALL = [3, 0, 2]
T_IMG = [[[0, 1], [2, 1]], [[1, 1], [0, 2]]]  # (2, 2, 2) for a (2, 3, 2, 2) input
T_SEQ = [[0, 1, 2], [2, 2, 0]]  # (2, 3) for a (2, 3, 3) input


def _lstm_layer(m, x, h, c, w, reverse=False):
    """One LSTM layer over a precomputed input projection x (T, B, 4H): ours
    is the op behind nn.LSTM; PyTorch's reference is torch.lstm with an
    identity input weight and zero biases, whose gates are the same sums.
    The reverse direction is the forward one over the flipped sequence."""
    if m.__name__ == "torch":
        eye = m.eye(x.shape[2], dtype=x.dtype)
        zero = m.zeros(x.shape[2], dtype=x.dtype)
        seq = x.flip(0) if reverse else x
        out, hn, cn = m.lstm(
            seq, (h[None], c[None]), [eye, w, zero, zero], True, 1, 0.0, False, False, False
        )
        out, hn, cn = (out.flip(0) if reverse else out), hn[0], cn[0]
    else:
        out, hn, cn = m._C._nn._lstm_layer(x, h, c, w, reverse)
    return m.cat([out.flatten(), hn.flatten(), cn.flatten()])


LSTM_SHAPES = [((3, 2, 8), (2, 2), (2, 2), (8, 2)), ((1, 3, 4), (3, 1), (3, 1), (4, 1))]

LINALG = [
    OpInfo("mm", lambda m, a, b: m.mm(a, b), [((3, 4), (4, 2))], grad_fn="MmBackward0"),
    OpInfo("matmul_2d", lambda m, a, b: a @ b, [((3, 4), (4, 5))], grad_fn="MmBackward0"),
    OpInfo(
        "matmul_vec_mat",
        lambda m, a, b: m.matmul(a, b),
        [((4,), (4, 3))],
        grad_fn="SqueezeBackward4",
    ),
    OpInfo(
        "matmul_mat_vec", lambda m, a, b: m.matmul(a, b), [((3, 4), (4,))], grad_fn="MvBackward0"
    ),
    OpInfo("matmul_dot", lambda m, a, b: m.matmul(a, b), [((4,), (4,))], grad_fn="DotBackward0"),
    OpInfo(
        "matmul_batched",
        lambda m, a, b: m.matmul(a, b),
        [((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (3, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,))],
        grad_fn="UnsafeViewBackward0",
    ),
    OpInfo(
        "matmul_nd_2d",
        lambda m, a, b: m.matmul(a, b),
        [((2, 3, 4), (4, 5))],
        grad_fn="UnsafeViewBackward0",
    ),
    OpInfo("bmm", lambda m, a, b: m.bmm(a, b), [((2, 3, 4), (2, 4, 5))], grad_fn="BmmBackward0"),
    OpInfo("mv", lambda m, a, b: m.mv(a, b), [((3, 4), (4,))], grad_fn="MvBackward0"),
    OpInfo("dot", lambda m, a, b: m.dot(a, b), [((5,), (5,))], grad_fn="DotBackward0"),
    OpInfo("outer", lambda m, a, b: m.outer(a, b), [((3,), (4,))], grad_fn="MulBackward0"),
    OpInfo("ger", lambda m, a, b: a.ger(b), [((2,), (3,))], grad_fn="MulBackward0"),
    OpInfo(
        "addmm",
        lambda m, s, a, b: m.addmm(s, a, b),
        [((3, 4), (3, 5), (5, 4)), ((4,), (3, 5), (5, 4)), ((), (2, 3), (3, 2))],
        grad_fn="AddmmBackward0",
    ),
    OpInfo(
        "addmm_scaled",
        lambda m, s, a, b: s.addmm(a, b, beta=0.5, alpha=-2),
        [((1, 4), (3, 5), (5, 4))],
        grad_fn="AddmmBackward0",
    ),
    OpInfo(
        "linear",
        lambda m, x, w, b: F(m).linear(x, w, b),
        [((3, 5), (4, 5), (4,)), ((5,), (2, 5), (2,))],
        grad_fn="AddmmBackward0",
    ),
    OpInfo(
        "linear_3d",
        lambda m, x, w, b: F(m).linear(x, w, b),
        [((2, 3, 5), (4, 5), (4,)), ((2, 1, 2, 3), (2, 3), (2,))],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "linear_1d",
        lambda m, x, w, b: F(m).linear(x, w, b),
        [((5,), (4, 5), (4,))],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "linear_no_bias",
        lambda m, x, w: F(m).linear(x, w),
        [((3, 5), (4, 5))],
        grad_fn="MmBackward0",
    ),
    OpInfo(
        "linear_no_bias_3d",
        lambda m, x, w: F(m).linear(x, w),
        [((2, 3, 5), (4, 5))],
        grad_fn="UnsafeViewBackward0",
    ),
    OpInfo(
        "linear_bias_2d",
        lambda m, x, w, b: F(m).linear(x, w, b),
        [((2, 2, 3), (4, 3), (2, 4))],
        grad_fn="AddBackward0",
    ),
    OpInfo(
        "einsum_mm",
        lambda m, a, b: m.einsum("ij,jk->ik", a, b),
        [((2, 3), (3, 4))],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_bmm",
        lambda m, a, b: m.einsum("bij,bjk->bik", a, b),
        [((2, 3, 4), (2, 4, 2)), ((1, 3, 4), (2, 4, 2))],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_dot",
        lambda m, a, b: m.einsum("i,i->", a, b),
        [((4,), (4,))],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_transpose",
        lambda m, a: m.einsum("ij->ji", a),
        [((2, 3),)],
        grad_fn="PermuteBackward0",
    ),
    OpInfo("einsum_diag", lambda m, a: m.einsum("ii->i", a), [((3, 3),)]),
    OpInfo("einsum_trace", lambda m, a: m.einsum("ii", a), [((3, 3),)]),
    OpInfo(
        "einsum_attention",
        lambda m, q, k: m.einsum("bhqd,bhkd->bhqk", q, k),
        [((2, 2, 3, 4), (2, 2, 2, 4))],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_ellipsis",
        lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b),
        [((2, 3, 4), (2, 4, 2)), ((2, 2, 3), (3, 2))],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_implicit",
        lambda m, a, b: m.einsum("ij,jk", a, b),
        [((2, 3), (3, 4))],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "einsum_outer",
        lambda m, a, b: m.einsum("i,j", a, b),
        [((2,), (3,))],
        grad_fn="MulBackward0",
    ),
    OpInfo(
        "einsum_chain",
        lambda m, a, b, c: m.einsum("ij,jk,kl->il", [a, b, c]),
        [((2, 3), (3, 2), (2, 4))],
    ),
    OpInfo("einsum_sum_out", lambda m, a, b: m.einsum("ij,kj->k", a, b), [((2, 3), (4, 3))]),
]

NN = [
    OpInfo("softmax", lambda m, x: m.softmax(x, 1), [((3, 4),)], grad_fn="SoftmaxBackward0"),
    OpInfo(
        "softmax_dims",
        lambda m, x: x.softmax(0),
        [((2, 3, 4),), ((5,),), ((),)],
        grad_fn="SoftmaxBackward0",
    ),
    OpInfo(
        "softmax_functional",
        lambda m, x: F(m).softmax(x, dim=-1),
        [((2, 3, 4),)],
        grad_fn="SoftmaxBackward0",
    ),
    OpInfo(
        "softmax_dtype",
        lambda m, x: m.softmax(x, 1, dtype=m.float64),
        [((2, 3),)],
        grad_fn="SoftmaxBackward0",
    ),
    OpInfo(
        "log_softmax", lambda m, x: m.log_softmax(x, 1), [((3, 4),)], grad_fn="LogSoftmaxBackward0"
    ),
    OpInfo(
        "log_softmax_dims",
        lambda m, x: x.log_softmax(-2),
        [((2, 3, 4),), ((4, 1),)],
        grad_fn="LogSoftmaxBackward0",
    ),
    OpInfo(
        "log_softmax_functional",
        lambda m, x: F(m).log_softmax(x * 50, 1),
        [((2, 5),)],
        grad_fn="LogSoftmaxBackward0",
    ),
    OpInfo(
        "conv2d",
        lambda m, x, w, b: F(m).conv2d(x, w, b),
        [((2, 2, 4, 4), (3, 2, 2, 2), (3,)), ((1, 3, 3, 5), (2, 3, 3, 1), (2,))],
        grad_fn="ConvolutionBackward0",
    ),
    OpInfo(
        "conv2d_options",
        lambda m, x, w: F(m).conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2)),
        [((1, 2, 5, 5), (2, 2, 2, 2))],
        grad_fn="ConvolutionBackward0",
    ),
    OpInfo(
        "conv2d_groups",
        lambda m, x, w, b: F(m).conv2d(x, w, b, padding=(1, 0), groups=2),
        [((2, 4, 3, 3), (4, 2, 2, 2), (4,))],
        grad_fn="ConvolutionBackward0",
    ),
    OpInfo(
        "conv2d_same",
        lambda m, x, w: F(m).conv2d(x, w, padding="same", dilation=(2, 1)),
        [((1, 2, 4, 3), (2, 2, 2, 3))],
        grad_fn="ConvolutionBackward0",
    ),
    OpInfo(
        "conv2d_valid_unbatched",
        lambda m, x, w: m.conv2d(x, w, padding="valid"),
        [((2, 4, 4), (3, 2, 3, 2))],
        grad_fn="SqueezeBackward1",
    ),
    OpInfo(
        "conv1d",
        lambda m, x, w, b: F(m).conv1d(x, w, b, stride=2, padding=1),
        [((2, 2, 7), (3, 2, 3), (3,))],
        grad_fn="ConvolutionBackward0",
    ),
    OpInfo(
        "conv1d_same_dilated",
        lambda m, x, w: m.conv1d(x, w, padding="same", dilation=2, groups=2),
        [((1, 4, 6), (2, 2, 2))],
        grad_fn="ConvolutionBackward0",
    ),
    OpInfo(
        "unfold",
        lambda m, x: F(m).unfold(x, (2, 3), padding=1, stride=(2, 1)),
        [((2, 2, 3, 4),), ((2, 3, 3),)],
        grad_fn="Im2ColBackward0",
    ),
    OpInfo(
        "fold",
        lambda m, x: F(m).fold(x, (3, 4), 2, padding=(0, 1), dilation=(1, 2)),
        [((2, 8, 8),), ((4, 8),)],
        grad_fn="Col2ImBackward0",
    ),
    OpInfo(
        "max_pool2d",
        lambda m, x: F(m).max_pool2d(x, 2),
        [((2, 2, 4, 5),), ((2, 3, 3),)],
        grad_fn="MaxPool2DWithIndicesBackward0",
        smooth=False,
    ),
    OpInfo(
        "max_pool2d_options",
        lambda m, x: F(m).max_pool2d(
            x, (3, 2), stride=2, padding=1, dilation=(1, 2), ceil_mode=True
        ),
        [((1, 2, 5, 6),)],
        grad_fn="MaxPool2DWithIndicesBackward0",
        smooth=False,
    ),
    OpInfo(
        "max_pool2d_indices",
        lambda m, x: F(m).max_pool2d(x, 2, stride=1, return_indices=True)[0],
        [((1, 2, 3, 3),)],
        grad_fn="MaxPool2DWithIndicesBackward0",
        smooth=False,
    ),
    OpInfo(
        "avg_pool2d",
        lambda m, x: F(m).avg_pool2d(x, 2),
        [((2, 2, 4, 5),), ((2, 3, 3),)],
        grad_fn="AvgPool2DBackward0",
    ),
    OpInfo(
        "avg_pool2d_pad",
        lambda m, x: F(m).avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
        [((1, 2, 5, 6),)],
        grad_fn="AvgPool2DBackward0",
    ),
    OpInfo(
        "avg_pool2d_exclude_pad",
        lambda m, x: F(m).avg_pool2d(
            x, (3, 2), stride=(2, 1), padding=1, ceil_mode=True, count_include_pad=False
        ),
        [((1, 2, 5, 4),)],
        grad_fn="AvgPool2DBackward0",
    ),
    OpInfo(
        "avg_pool2d_divisor",
        lambda m, x: F(m).avg_pool2d(x, 2, stride=1, divisor_override=3),
        [((1, 1, 3, 4),)],
        grad_fn="AvgPool2DBackward0",
    ),
    OpInfo(
        "layer_norm",
        lambda m, x, w, b: F(m).layer_norm(x, (4,), w, b),
        [((3, 4), (4,), (4,)), ((2, 3, 4), (4,), (4,))],
        grad_fn="NativeLayerNormBackward0",
    ),
    OpInfo(
        "layer_norm_plain",
        lambda m, x: m.layer_norm(x, (2, 3)),
        [((2, 2, 3),), ((2, 3),)],
        grad_fn="NativeLayerNormBackward0",
    ),
    OpInfo(
        "layer_norm_weight_only",
        lambda m, x, w: F(m).layer_norm(x, [3], weight=w, eps=1e-3),
        [((4, 3), (3,))],
        grad_fn="NativeLayerNormBackward0",
    ),
    OpInfo(
        "batch_norm_train",
        lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True),
        [((4, 3), (3,), (3,)), ((2, 3, 2, 2), (3,), (3,))],
        grad_fn="NativeBatchNormBackward0",
    ),
    OpInfo(
        "batch_norm_train_running",
        lambda m, x: F(m).batch_norm(
            x, m.zeros(2, dtype=x.dtype), m.ones(2, dtype=x.dtype), training=True, momentum=0.3
        ),
        [((3, 2, 2),)],
        grad_fn="NativeBatchNormBackward0",
    ),
    OpInfo(
        "batch_norm_eval",
        lambda m, x, w, b: F(m).batch_norm(
            x, _w(m, x, [0.1, -0.2, 0.3]), _w(m, x, [1.5, 0.5, 2.0]), w, b, eps=1e-3
        ),
        [((4, 3, 2), (3,), (3,))],
        grad_fn="NativeBatchNormBackward0",
    ),
]

LOSSES = [
    OpInfo(
        "bce_logits",
        lambda m, x, t: F(m).binary_cross_entropy_with_logits(x, m.sigmoid(t)),
        [((3, 4), (3, 4))],
        grad_fn="BinaryCrossEntropyWithLogitsBackward0",
    ),
    OpInfo(
        "bce_logits_sum_weighted",
        lambda m, x, t: F(m).binary_cross_entropy_with_logits(
            x, m.sigmoid(t), weight=m.linspace(0.5, 2.0, 5, dtype=x.dtype), reduction="sum"
        ),
        [((5,), (5,))],
    ),
    OpInfo(
        "bce_logits_pos_weight",
        lambda m, x, t: F(m).binary_cross_entropy_with_logits(
            x, m.sigmoid(t), pos_weight=m.tensor([0.5, 2.0, 3.0], dtype=x.dtype), reduction="none"
        ),
        [((2, 3), (2, 3))],
    ),
    OpInfo(
        "bce",
        lambda m, x, t: F(m).binary_cross_entropy(m.sigmoid(x), m.sigmoid(t)),
        [((3, 4), (3, 4)), ((), ())],
        grad_fn="BinaryCrossEntropyBackward0",
    ),
    OpInfo(
        "bce_weighted",
        lambda m, x, t: F(m).binary_cross_entropy(
            m.sigmoid(x), m.sigmoid(t), weight=_w(m, x, [0.5, 1.0, 2.0]), reduction="sum"
        ),
        [((2, 3), (2, 3))],
        grad_fn="BinaryCrossEntropyBackward0",
    ),
    OpInfo(
        "bce_none",
        lambda m, x, t: F(m).binary_cross_entropy(m.sigmoid(x), m.sigmoid(t), reduction="none"),
        [((4,), (4,))],
        grad_fn="BinaryCrossEntropyBackward0",
    ),
    OpInfo(
        "nll_loss",
        lambda m, x: F(m).nll_loss(x, m.tensor(T3)),
        [((3, 4),)],
        grad_fn="NllLossBackward0",
    ),
    OpInfo(
        "nll_loss_weight_ignore",
        lambda m, x: F(m).nll_loss(
            x, m.tensor(T3_ALL), weight=_w(m, x, [1.0, 2.0, 0.5, 3.0]), ignore_index=2
        ),
        [((3, 4),)],
        grad_fn="NllLossBackward0",
    ),
    OpInfo(
        "nll_loss_none",
        lambda m, x: F(m).nll_loss(x, m.tensor(T3), reduction="none", ignore_index=1),
        [((3, 4),)],
        grad_fn="NllLossBackward0",
    ),
    OpInfo(
        "nll_loss_sum_1d",
        lambda m, x: F(m).nll_loss(x, m.tensor(2), reduction="sum"),
        [((4,),)],
        grad_fn="NllLossBackward0",
    ),
    OpInfo(
        "nll_loss_2d",
        lambda m, x: F(m).nll_loss(x, m.tensor(T_IMG), weight=_w(m, x, [1.0, 0.5, 2.0])),
        [((2, 3, 2, 2),)],
        grad_fn="NllLoss2DBackward0",
    ),
    OpInfo(
        "nll_loss_seq_none",
        lambda m, x: F(m).nll_loss(x, m.tensor(T_SEQ), reduction="none"),
        [((2, 3, 3),)],
        grad_fn="ViewBackward0",
    ),
    OpInfo(
        "cross_entropy",
        lambda m, x: F(m).cross_entropy(x, m.tensor(T3)),
        [((3, 4),)],
        grad_fn="NllLossBackward0",
    ),
    OpInfo(
        "cross_entropy_options",
        lambda m, x: F(m).cross_entropy(
            x,
            m.tensor(T3_ALL),
            weight=_w(m, x, [1.0, 2.0, 0.5, 3.0]),
            ignore_index=0,
            reduction="sum",
        ),
        [((3, 4),)],
        grad_fn="NllLossBackward0",
    ),
    OpInfo(
        "cross_entropy_2d",
        lambda m, x: F(m).cross_entropy(x, m.tensor(T_IMG), reduction="none"),
        [((2, 3, 2, 2),)],
        grad_fn="NllLoss2DBackward0",
    ),
    OpInfo(
        "cross_entropy_1d",
        lambda m, x: F(m).cross_entropy(x, m.tensor(1)),
        [((4,),)],
        grad_fn="NllLossBackward0",
    ),
    OpInfo(
        "cross_entropy_smoothing",
        lambda m, x: F(m).cross_entropy(x, m.tensor(T3), label_smoothing=0.2),
        [((3, 4),)],
        grad_fn="AddBackward0",
    ),
    OpInfo(
        "cross_entropy_smoothing_weight_ignore",
        lambda m, x: F(m).cross_entropy(
            x,
            m.tensor(T3_ALL),
            weight=_w(m, x, [1.0, 2.0, 0.5, 3.0]),
            ignore_index=2,
            label_smoothing=0.3,
        ),
        [((3, 4),)],
        grad_fn="AddBackward0",
    ),
    OpInfo(
        "cross_entropy_smoothing_2d_none",
        lambda m, x: F(m).cross_entropy(
            x, m.tensor(T_IMG), label_smoothing=0.1, reduction="none", ignore_index=1
        ),
        [((2, 3, 2, 2),)],
        grad_fn="AddBackward0",
    ),
    OpInfo(
        "cross_entropy_probs",
        lambda m, x, t: F(m).cross_entropy(x, m.softmax(t, 1)),
        [((3, 4), (3, 4))],
        grad_fn="DivBackward1",
    ),
    OpInfo(
        "cross_entropy_probs_options",
        lambda m, x, t: F(m).cross_entropy(
            x,
            m.softmax(t, 1),
            weight=_w(m, x, [1.0, 2.0, 0.5]),
            label_smoothing=0.25,
            reduction="sum",
        ),
        [((2, 3, 2), (2, 3, 2))],
        grad_fn="NegBackward0",
    ),
    OpInfo(
        "cross_entropy_probs_none",
        lambda m, x, t: F(m).cross_entropy(x, m.softmax(t, 1), reduction="none"),
        [((3, 4), (3, 4))],
        grad_fn="NegBackward0",
    ),
    OpInfo(
        "mse_loss",
        lambda m, x, y: F(m).mse_loss(x, y),
        [((3, 4), (3, 4)), ((), ())],
        grad_fn="MseLossBackward0",
    ),
    OpInfo(
        "mse_loss_reductions",
        lambda m, x, y: (
            F(m).mse_loss(x, y, reduction="sum") + F(m).mse_loss(x, y, reduction="none")
        ),
        [((2, 3), (2, 3))],
    ),
    OpInfo(
        "mse_loss_weighted",
        lambda m, x, y, w: F(m).mse_loss(x, y, weight=w),
        [((2, 3), (2, 3), (2, 3))],
        grad_fn="DivBackward0",
    ),
    OpInfo(
        "l1_loss",
        lambda m, x, y: F(m).l1_loss(x, y),
        [((3, 4), (3, 4))],
        grad_fn="MeanBackward0",
        smooth=False,
    ),
    OpInfo(
        "l1_loss_none",
        lambda m, x, y: F(m).l1_loss(x, y, reduction="none"),
        [((3, 4), (3, 4))],
        grad_fn="AbsBackward0",
        smooth=False,
    ),
    OpInfo(
        "smooth_l1_loss",
        lambda m, x, y: F(m).smooth_l1_loss(x, y),
        [((3, 4), (3, 4))],
        grad_fn="SmoothL1LossBackward0",
        smooth=False,
    ),
    OpInfo(
        "smooth_l1_loss_beta",
        lambda m, x, y: F(m).smooth_l1_loss(x, y, reduction="sum", beta=0.5),
        [((3, 4), (3, 4))],
        grad_fn="SmoothL1LossBackward0",
        smooth=False,
    ),
    OpInfo(
        "smooth_l1_loss_none",
        lambda m, x, y: F(m).smooth_l1_loss(x, y, reduction="none", beta=2.0),
        [((5,), (5,))],
        grad_fn="SmoothL1LossBackward0",
        smooth=False,
    ),
]

RNN = [
    OpInfo("lstm_layer", _lstm_layer, LSTM_SHAPES, grad_fn="CatBackward0", fuzz=False),
    OpInfo(
        "lstm_layer_reverse",
        lambda m, x, h, c, w: _lstm_layer(m, x, h, c, w, reverse=True),
        LSTM_SHAPES[:1],
        fuzz=False,
    ),
]

OPS = LINALG + NN + LOSSES + RNN
