"""scaled_dot_product_attention, MultiheadAttention and the Transformer
layers against PyTorch from the same weights (copied through state_dict):
outputs and every gradient to 1e-10 in float64 and 1e-6 (relative to each
tensor's scale) in float32, for masks, padding, causal hints, norm_first,
activations and batch_first; reprs, initialisation, warnings and errors;
and small GPT-style and word-language-model Transformers trained side by side."""

import math
import time
import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

# float32: PyTorch's own absolute float32 tolerance (1e-5), relative to the
# largest magnitude; a whole encoder-decoder sums thousands of float32 products
# per output in a different order than PyTorch's kernels (measured: 2.4e-6 on
# input gradients of size 2). A wrong formula is off by far more.
TOL = {np.float64: 1e-10, np.float32: 1e-5}


def to_np(t):
    return t.detach().numpy()


def assert_close(ours, theirs, dtype, what=""):
    """The largest difference within TOL of the larger of 1 and the tensor's
    largest magnitude."""
    a, b = to_np(ours).astype(np.float64), to_np(theirs).astype(np.float64)
    assert a.shape == b.shape, what
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=what)
    a, b = np.nan_to_num(a), np.nan_to_num(b)
    scale = max(1.0, float(np.abs(b).max()) if b.size else 1.0)
    err = float(np.abs(a - b).max()) if a.size else 0.0
    assert err <= TOL[dtype] * scale, f"{what}: max error {err} (scale {scale})"


def twin(build, dtype=np.float64):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # enable_nested_tensor notes, the same on both sides
        theirs, ours = build(torch), build(ag)
    if dtype == np.float64:
        theirs.double()
        ours.double()
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _weights(lib, like, seed):
    values = np.random.default_rng(100 + seed).standard_normal(tuple(like.shape))
    return lib.tensor(values, dtype=like.dtype)


def compare(build, inputs, kwargs=lambda lib: {}, dtype=np.float64, train=True, outputs=1):
    """Runs both modules on the same inputs and compares outputs (the first
    `outputs` of a tuple), input gradients and parameter gradients."""
    ours, theirs = twin(build, dtype)
    if not train:
        ours.eval()
        theirs.eval()
    results = []
    for lib, module in ((ag, ours), (torch, theirs)):
        xs = [lib.tensor(x.astype(dtype), requires_grad=True) for x in inputs]
        out = module(*xs, **kwargs(lib))
        outs = list(out[:outputs]) if isinstance(out, tuple) else [out]
        # A fixed random projection of the outputs: (o * o).sum() after a
        # LayerNorm would be nearly constant and leave only rounding noise.
        loss = sum((o * _weights(lib, o, i)).sum() for i, o in enumerate(outs) if o is not None)
        loss.backward()
        grads = [x.grad for x in xs] + [p.grad for _, p in module.named_parameters()]
        results.append((outs, grads, [n for n, _ in module.named_parameters()]))
    (outs_a, grads_a, names_a), (outs_t, grads_t, names_t) = results
    assert names_a == names_t
    for a, t in zip(outs_a, outs_t):
        assert (a is None) == (t is None)
        if t is not None:
            assert_close(a, t, dtype, "output")
    for name, a, t in zip(["input"] * len(inputs) + names_a, grads_a, grads_t):
        assert (a is None) == (t is None), name
        if t is not None:
            assert_close(a, t, dtype, name)


RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 3, 8))  # (S, N, E)
Y = RNG.standard_normal((4, 3, 8))  # (L, N, E)
KPM = np.zeros((3, 5), bool)
KPM[0, 3:] = True
KPM[2, 4] = True
CAUSAL = np.triu(np.full((4, 5), -np.inf), 1)


def _mask(lib, values, dtype=None):
    return lib.tensor(values) if dtype is None else lib.tensor(values, dtype=dtype)


# ---- scaled_dot_product_attention ---------------------------------------------------------


BOOL_4x6 = np.random.default_rng(9).random((4, 6)) > 0.3
SDPA_CASES = {
    "plain": lambda lib: {},
    "causal": lambda lib: {"is_causal": True},
    "scale": lambda lib: {"scale": 0.3},
    "bool_mask": lambda lib: {"attn_mask": lib.tensor(BOOL_4x6)},
    "float_mask": lambda lib: {"attn_mask": lib.tensor(np.random.default_rng(1).standard_normal((3, 4, 6)))},
    "blocked_rows": lambda lib: {"attn_mask": lib.tensor(np.array([[True] * 6, [False] * 6, [True, False] * 3, [False] * 6]))},
}  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", sorted(SDPA_CASES))
def test_sdpa_matches_torch(case, dtype):
    rng = np.random.default_rng(3)
    q, k, v = (
        rng.standard_normal(s).astype(dtype) for s in ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5))
    )
    results = []
    for lib in (ag, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in (q, k, v)]
        kwargs = SDPA_CASES[case](lib)
        if "attn_mask" in kwargs and kwargs["attn_mask"].dtype != lib.bool:
            kwargs["attn_mask"] = kwargs["attn_mask"].to(xs[0].dtype)
        out = lib.nn.functional.scaled_dot_product_attention(*xs, **kwargs)
        (out * out).sum().backward()
        results.append([out] + [x.grad for x in xs])
    for a, t in zip(*results):
        assert_close(a, t, dtype, case)


def test_sdpa_grouped_query_attention_and_unbatched():
    rng = np.random.default_rng(4)
    q, k, v = (
        rng.standard_normal((1, 4, 3, 6)),
        rng.standard_normal((1, 2, 5, 6)),
        rng.standard_normal((1, 2, 5, 6)),
    )
    outs = [
        lib.nn.functional.scaled_dot_product_attention(lib.tensor(q), lib.tensor(k), lib.tensor(v), enable_gqa=True)
        for lib in (ag, torch)
    ]  # fmt: skip
    assert_close(outs[0], outs[1], np.float64)
    outs = [
        lib.nn.functional.scaled_dot_product_attention(lib.tensor(q[0, 0]), lib.tensor(k[0, 0]), lib.tensor(v[0, 0]))
        for lib in (ag, torch)
    ]  # fmt: skip
    assert_close(outs[0], outs[1], np.float64)


def test_sdpa_gradcheck_and_dropout():
    ag.manual_seed(0)
    q, k, v = (ag.randn(2, 3, 4, dtype=ag.float64, requires_grad=True) for _ in range(3))
    mask = ag.tensor([[True, True, False], [False, False, False], [True, False, True]])
    f = lambda q, k, v: ag.nn.functional.scaled_dot_product_attention(q, k, v, mask)  # noqa: E731
    assert ag.autograd.gradcheck(f, [q, k, v])
    assert ag.autograd.gradgradcheck(f, [q, k, v])
    ag.manual_seed(5)
    a = to_np(ag.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=0.5))
    ag.manual_seed(5)
    np.testing.assert_array_equal(
        a, to_np(ag.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=0.5))
    )
    # Dropping every weight leaves zeros.
    zero = ag.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    np.testing.assert_array_equal(to_np(zero), 0)


def test_sdpa_mask_with_is_causal_is_an_error_like_torch():
    q = np.random.default_rng(0).standard_normal((2, 3, 4))
    for lib in (torch, ag):
        with pytest.raises(
            RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"
        ):
            x = lib.tensor(q, requires_grad=True)
            lib.nn.functional.scaled_dot_product_attention(
                x, x, x, lib.ones(3, 3, dtype=lib.bool), is_causal=True
            )


def test_sdpa_dtype_error_matches_torch():
    for lib in (torch, ag):
        with pytest.raises(
            RuntimeError,
            match="Expected query, key, and value to have the same dtype, but got query.dtype: float key.dtype: double and value.dtype: float instead.",
        ):
            lib.nn.functional.scaled_dot_product_attention(
                lib.randn(2, 3), lib.randn(2, 3, dtype=lib.float64), lib.randn(2, 3)
            )


# ---- MultiheadAttention --------------------------------------------------------------------

MHA_CASES = [
    ("self", lambda m: m.nn.MultiheadAttention(8, 2), [X, X, X], lambda lib: {}),
    ("cross", lambda m: m.nn.MultiheadAttention(8, 2), [Y, X, X], lambda lib: {}),
    ("separate_kv", lambda m: m.nn.MultiheadAttention(8, 2), [Y, X, X[::-1].copy()], lambda lib: {}),
    ("kdim_vdim", lambda m: m.nn.MultiheadAttention(8, 2, kdim=5, vdim=3),
     [Y, RNG.standard_normal((5, 3, 5)), RNG.standard_normal((5, 3, 3))], lambda lib: {}),
    ("no_bias", lambda m: m.nn.MultiheadAttention(8, 4, bias=False), [Y, X, X], lambda lib: {}),
    ("bias_kv_zero_attn", lambda m: m.nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True),
     [Y, X, X], lambda lib: {"key_padding_mask": lib.tensor(KPM), "attn_mask": lib.tensor(CAUSAL)}),
    ("key_padding", lambda m: m.nn.MultiheadAttention(8, 4), [Y, X, X],
     lambda lib: {"key_padding_mask": lib.tensor(KPM)}),
    ("key_padding_no_weights", lambda m: m.nn.MultiheadAttention(8, 4), [Y, X, X],
     lambda lib: {"key_padding_mask": lib.tensor(KPM), "need_weights": False}),
    ("float_mask", lambda m: m.nn.MultiheadAttention(8, 2), [Y, X, X],
     lambda lib: {"attn_mask": lib.tensor(CAUSAL)}),
    ("bool_mask_3d", lambda m: m.nn.MultiheadAttention(8, 2), [Y, X, X],
     lambda lib: {"attn_mask": lib.tensor(np.random.default_rng(5).random((6, 4, 5)) > 0.7)}),
    ("per_head_weights", lambda m: m.nn.MultiheadAttention(8, 2), [Y, X, X],
     lambda lib: {"average_attn_weights": False}),
    ("causal_hint", lambda m: m.nn.MultiheadAttention(8, 2), [X, X, X],
     lambda lib: {"attn_mask": lib.tensor(np.triu(np.full((5, 5), -np.inf), 1)), "is_causal": True,
                  "need_weights": False}),
    ("batch_first", lambda m: m.nn.MultiheadAttention(8, 2, batch_first=True),
     [X.transpose(1, 0, 2).copy()] * 3, lambda lib: {}),
    ("unbatched", lambda m: m.nn.MultiheadAttention(8, 2), [Y[:, 0], X[:, 0], X[:, 0]],
     lambda lib: {"key_padding_mask": lib.tensor(KPM[0])}),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("label,build,inputs,kwargs", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_multihead_attention_matches_torch(label, build, inputs, kwargs, dtype):
    # Both outputs (the attention and its weights) are compared and differentiated.
    def call_kwargs(lib):
        kw = kwargs(lib)
        if "attn_mask" in kw and kw["attn_mask"].dtype != lib.bool:
            kw["attn_mask"] = kw["attn_mask"].to(
                lib.float64 if dtype == np.float64 else lib.float32
            )
        return kw

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(build, inputs, call_kwargs, dtype, outputs=2)


def test_self_attention_with_one_tensor_runs_one_projection():
    # query is key is value: one (3E, E) projection, as PyTorch's fast packing.
    mha = ag.nn.MultiheadAttention(8, 2)
    x = ag.randn(5, 3, 8)
    out, weights = mha(x, x, x)
    assert tuple(out.shape) == (5, 3, 8) and tuple(weights.shape) == (3, 5, 5)
    np.testing.assert_allclose(to_np(weights).sum(-1), 1.0, rtol=1e-6)


def test_multihead_attention_module_matches_torch():
    for args, kwargs in [((8, 2), {}), ((8, 2), {"kdim": 4, "vdim": 6, "bias": False}),
                         ((8, 4), {"add_bias_kv": True, "dropout": 0.1, "batch_first": True})]:  # fmt: skip
        ours, theirs = (
            ag.nn.MultiheadAttention(*args, **kwargs),
            torch.nn.MultiheadAttention(*args, **kwargs),
        )
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for key, value in theirs.state_dict().items():
            assert tuple(ours.state_dict()[key].shape) == tuple(value.shape)
        for attr in ("embed_dim", "kdim", "vdim", "num_heads", "dropout", "batch_first", "head_dim",
                     "_qkv_same_embed_dim", "add_zero_attn"):  # fmt: skip
            assert getattr(ours, attr) == getattr(theirs, attr), attr


def test_multihead_attention_initialisation():
    ag.manual_seed(0)
    mha = ag.nn.MultiheadAttention(64, 4, add_bias_kv=True)
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier_uniform on the (3E, E) stack
    w = to_np(mha.in_proj_weight)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    np.testing.assert_array_equal(to_np(mha.in_proj_bias), 0)
    np.testing.assert_array_equal(to_np(mha.out_proj.bias), 0)
    assert np.abs(to_np(mha.out_proj.weight)).max() <= 1 / math.sqrt(64)  # Linear's default
    assert tuple(mha.bias_k.shape) == (1, 1, 64)
    sep = ag.nn.MultiheadAttention(8, 2, kdim=5)
    assert sep.in_proj_weight is None and tuple(sep.k_proj_weight.shape) == (8, 5)


def test_multihead_attention_dropout_and_modes():
    mha = ag.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = ag.randn(4, 2, 8)
    ag.manual_seed(1)
    a = to_np(mha(x, x, x)[0])
    ag.manual_seed(1)
    np.testing.assert_array_equal(a, to_np(mha(x, x, x)[0]))
    mha.eval()
    np.testing.assert_array_equal(to_np(mha(x, x, x)[0]), to_np(mha(x, x, x)[0]))


MHA_ERRORS = {
    "heads_divide": lambda m: m.nn.MultiheadAttention(8, 3),
    "positive": lambda m: m.nn.MultiheadAttention(0, 2),
    "mask_shape": lambda m: m.nn.MultiheadAttention(8, 2)(m.randn(4, 3, 8), m.randn(5, 3, 8), m.randn(5, 3, 8), attn_mask=m.zeros(4, 4)),
    "mask_3d_shape": lambda m: m.nn.MultiheadAttention(8, 2)(m.randn(4, 3, 8), m.randn(5, 3, 8), m.randn(5, 3, 8), attn_mask=m.zeros(3, 4, 5)),
    "causal_without_mask": lambda m: m.nn.MultiheadAttention(8, 2)(m.randn(4, 3, 8), m.randn(4, 3, 8), m.randn(4, 3, 8), is_causal=True),
    "mask_type": lambda m: m.nn.MultiheadAttention(8, 2)(m.randn(4, 3, 8), m.randn(4, 3, 8), m.randn(4, 3, 8), attn_mask=m.zeros(4, 4, dtype=m.int64)),
    "query_dims": lambda m: m.nn.MultiheadAttention(8, 2)(m.randn(8), m.randn(8), m.randn(8)),
    "key_dims": lambda m: m.nn.MultiheadAttention(8, 2)(m.randn(4, 3, 8), m.randn(4, 8), m.randn(4, 8)),
    "embed_check": lambda m: m.nn.MultiheadAttention(8, 2)(m.randn(4, 3, 6), m.randn(4, 3, 6), m.randn(4, 3, 6)),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MHA_ERRORS))
def test_multihead_attention_errors_match_torch(name):
    with pytest.raises(Exception) as theirs:
        MHA_ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as ours:
        MHA_ERRORS[name](ag)
    assert str(ours.value) == str(theirs.value)


def test_mismatched_mask_types_warn_like_torch():
    for lib in (ag, torch):
        mha = lib.nn.MultiheadAttention(8, 2)
        x = lib.randn(4, 3, 8)
        with pytest.warns(
            UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"
        ):
            mha(
                x, x, x, key_padding_mask=lib.zeros(3, 4, dtype=lib.bool), attn_mask=lib.zeros(4, 4)
            )


# ---- Transformer layers ------------------------------------------------------------------

SRC = RNG.standard_normal((6, 2, 8))
TGT = RNG.standard_normal((5, 2, 8))
SRC_KPM = np.zeros((2, 6), bool)
SRC_KPM[1, 4:] = True
TGT_KPM = np.zeros((2, 5), bool)
TGT_KPM[0, 3:] = True


def _causal(lib, n, dtype):
    return lib.nn.Transformer.generate_square_subsequent_mask(
        n, dtype=lib.float64 if dtype == np.float64 else lib.float32
    )


LAYER_CASES = [
    ("encoder_layer", lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), [SRC], lambda lib, dt: {}),
    ("encoder_layer_norm_first_gelu", lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", norm_first=True),
     [SRC], lambda lib, dt: {"src_key_padding_mask": lib.tensor(SRC_KPM)}),
    ("encoder_layer_callable_activation", lambda m: m.nn.TransformerEncoderLayer(8, 4, 16, 0.0, m.nn.functional.silu, bias=False),
     [SRC], lambda lib, dt: {"src_mask": _causal(lib, 6, dt)}),
    ("encoder_layer_module_activation", lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, 0.0, m.nn.GELU(), layer_norm_eps=1e-3),
     [SRC], lambda lib, dt: {"src_mask": _causal(lib, 6, dt), "is_causal": True}),
    ("encoder_layer_batch_first", lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True),
     [SRC.transpose(1, 0, 2).copy()], lambda lib, dt: {"src_key_padding_mask": lib.tensor(SRC_KPM)}),
    ("decoder_layer", lambda m: m.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), [TGT, SRC],
     lambda lib, dt: {"tgt_mask": _causal(lib, 5, dt), "memory_key_padding_mask": lib.tensor(SRC_KPM)}),
    ("decoder_layer_norm_first", lambda m: m.nn.TransformerDecoderLayer(8, 2, 16, 0.0, "gelu", norm_first=True),
     [TGT, SRC], lambda lib, dt: {"tgt_key_padding_mask": lib.tensor(TGT_KPM), "tgt_mask": _causal(lib, 5, dt), "tgt_is_causal": True}),
    ("encoder", lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, 0.0), 2, m.nn.LayerNorm(8)),
     [SRC], lambda lib, dt: {"mask": _causal(lib, 6, dt)}),
    ("encoder_padding", lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True), 2),
     [SRC.transpose(1, 0, 2).copy()], lambda lib, dt: {"src_key_padding_mask": lib.tensor(SRC_KPM)}),
    ("decoder", lambda m: m.nn.TransformerDecoder(m.nn.TransformerDecoderLayer(8, 2, 16, 0.0), 2, m.nn.LayerNorm(8)),
     [TGT, SRC], lambda lib, dt: {"tgt_mask": _causal(lib, 5, dt), "memory_mask": lib.tensor(np.random.default_rng(7).random((5, 6)) > 0.8)}),
    ("transformer", lambda m: m.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0), [SRC, TGT],
     lambda lib, dt: {"tgt_mask": _causal(lib, 5, dt), "src_key_padding_mask": lib.tensor(SRC_KPM),
                      "memory_key_padding_mask": lib.tensor(SRC_KPM), "tgt_key_padding_mask": lib.tensor(TGT_KPM)}),
    ("transformer_batch_first_norm_first", lambda m: m.nn.Transformer(8, 4, 1, 2, 16, 0.0, "gelu", batch_first=True, norm_first=True),
     [SRC.transpose(1, 0, 2).copy(), TGT.transpose(1, 0, 2).copy()], lambda lib, dt: {"tgt_mask": _causal(lib, 5, dt), "src_is_causal": False}),
    ("unbatched_encoder_layer", lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, 0.0), [SRC[:, 0]],
     lambda lib, dt: {"src_key_padding_mask": lib.tensor(SRC_KPM[1])}),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("label,build,inputs,kwargs", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_transformer_layers_match_torch(label, build, inputs, kwargs, dtype):
    compare(build, inputs, lambda lib: kwargs(lib, dtype), dtype)


@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_inference_matches_torch(batch_first):
    """Eval mode without gradients: PyTorch's inference path (packed
    sequences when batch_first, whose padded positions come out as 0)."""
    ours, theirs = twin(
        lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=batch_first), 2, m.nn.LayerNorm(8)),
        np.float32,
    )  # fmt: skip
    ours.eval()
    theirs.eval()
    src = SRC.transpose(1, 0, 2).copy() if batch_first else SRC
    for kpm in (SRC_KPM, np.array([[0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1]], bool), None):
        outs = []
        for lib, module in ((ag, ours), (torch, theirs)):
            with lib.no_grad():
                mask = None if kpm is None else lib.tensor(kpm)
                outs.append(module(lib.tensor(src.astype(np.float32)), src_key_padding_mask=mask))
        np.testing.assert_allclose(to_np(outs[0]), to_np(outs[1]), rtol=1e-5, atol=1e-5)


def test_layers_repr_state_dict_and_attributes_match_torch():
    builders = [
        lambda m: m.nn.TransformerEncoderLayer(8, 2, 16),
        lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, activation=m.nn.GELU(), bias=False),
        lambda m: m.nn.TransformerDecoderLayer(8, 2, 32, norm_first=True, batch_first=True),
        lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16), 3),
        lambda m: m.nn.Transformer(8, 2, 1, 2, 16),
    ]
    for build in builders:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours, theirs = build(ag), build(torch)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for key, value in theirs.state_dict().items():
            assert tuple(ours.state_dict()[key].shape) == tuple(value.shape), key
    layer, tlayer = (
        ag.nn.TransformerEncoderLayer(8, 2, 16, activation="gelu"),
        torch.nn.TransformerEncoderLayer(8, 2, 16, activation="gelu"),
    )
    assert layer.activation_relu_or_gelu == tlayer.activation_relu_or_gelu == 2
    assert layer.norm_first == tlayer.norm_first


def test_encoder_clones_are_independent_copies():
    layer = ag.nn.TransformerEncoderLayer(8, 2, 16)
    enc = ag.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    assert (
        enc.layers[0] is not layer
        and enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    )
    np.testing.assert_array_equal(to_np(enc.layers[0].linear1.weight), to_np(layer.linear1.weight))
    assert len(list(enc.parameters())) == 2 * len(list(layer.parameters()))


def test_transformer_initialisation_is_xavier():
    ag.manual_seed(0)
    model = ag.nn.Transformer(32, 4, 1, 1, 64)
    for name, p in model.named_parameters():
        values = to_np(p)
        if p.dim() > 1:
            bound = math.sqrt(6 / (p.size(0) + p.size(1)))
            assert np.abs(values).max() <= bound + 1e-7 and np.abs(values).max() > 0.9 * bound, name


def test_nested_tensor_warnings_match_torch():
    builders = [
        lambda m: m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16), 2),
        lambda m: m.nn.TransformerEncoder(
            m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2
        ),
        lambda m: m.nn.TransformerEncoder(
            m.nn.TransformerEncoderLayer(8, 1, 16, batch_first=True), 2
        ),
        lambda m: m.nn.TransformerEncoder(
            m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True), 2
        ),
        lambda m: m.nn.TransformerEncoder(
            m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, activation=m.tanh), 2
        ),
        lambda m: m.nn.TransformerEncoder(
            m.nn.TransformerEncoderLayer(8, 2, 16), 2, enable_nested_tensor=False
        ),
        lambda m: m.nn.Transformer(8, 2, 1, 1, 16),
    ]
    for build in builders:
        seen = []
        for lib in (ag, torch):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                module = build(lib)
            seen.append(
                ([str(w.message) for w in caught], getattr(module, "use_nested_tensor", None))
            )
        assert seen[0] == seen[1]


def test_generate_square_subsequent_mask_matches_torch():
    for size in (1, 4):
        np.testing.assert_array_equal(
            to_np(ag.nn.Transformer.generate_square_subsequent_mask(size)),
            to_np(torch.nn.Transformer.generate_square_subsequent_mask(size)),
        )
    mask = ag.nn.Transformer.generate_square_subsequent_mask(3, dtype=ag.float64)
    assert mask.dtype == ag.float64


TRANSFORMER_ERRORS = {
    "batch": lambda m: m.nn.Transformer(8, 2, 1, 1, 16)(m.randn(5, 2, 8), m.randn(4, 3, 8)),
    "features": lambda m: m.nn.Transformer(8, 2, 1, 1, 16)(m.randn(5, 2, 8), m.randn(4, 2, 6)),
    "activation": lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, activation="tanh"),
    "encoder_layer_type": lambda m: m.nn.TransformerEncoder(b"x", 2),
    "decoder_layer_type": lambda m: m.nn.TransformerDecoder(1.5, 2),
}


def test_layer_of_wrong_type_is_refused_at_the_first_copy():
    # PyTorch copies all num_layers first (with 2**40 it never returns).
    start = time.monotonic()
    with pytest.raises(TypeError, match="bytes is not a Module subclass"):
        ag.nn.TransformerEncoder(b"x", 2**40)
    with pytest.raises(TypeError, match="float is not a Module subclass"):
        ag.nn.TransformerDecoder(1.5, 2**40)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("name", sorted(TRANSFORMER_ERRORS))
def test_transformer_errors_match_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            TRANSFORMER_ERRORS[name](torch)
        with pytest.raises(type(theirs.value)) as ours:
            TRANSFORMER_ERRORS[name](ag)
    assert str(ours.value) == str(theirs.value)


# ---- programs ------------------------------------------------------------------------------


def _gpt(lib, vocab=16, block=8, embed=16, heads=2, layers=2):
    """A small GPT in the style of the widely copied character-level scripts:
    token and position embeddings, causal self-attention blocks written with
    scaled_dot_product_attention, LayerNorm, GELU MLP, a tied head."""
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(embed, 3 * embed)
            self.c_proj = nn.Linear(embed, embed)

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(embed, dim=2)
            k = k.view(B, T, heads, C // heads).transpose(1, 2)
            q = q.view(B, T, heads, C // heads).transpose(1, 2)
            v = v.view(B, T, heads, C // heads).transpose(1, 2)
            y = F.scaled_dot_product_attention(
                q, k, v, attn_mask=None, dropout_p=0.0, is_causal=True
            )
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(embed)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(embed)
            self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(embed, 4 * embed), c_proj=nn.Linear(4 * embed, embed),
                                          act=nn.GELU(approximate="tanh")))  # fmt: skip

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp.c_proj(self.mlp.act(self.mlp.c_fc(self.ln_2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(vocab, embed), wpe=nn.Embedding(block, embed),
                h=nn.ModuleList([Block() for _ in range(layers)]), ln_f=nn.LayerNorm(embed),
            ))  # fmt: skip
            self.lm_head = nn.Linear(embed, vocab, bias=False)
            self.transformer.wte.weight = self.lm_head.weight
            self.apply(self._init_weights)

        def _init_weights(self, module):
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx, targets):
            b, t = idx.size()
            pos = lib.arange(0, t, dtype=lib.long)
            x = self.transformer.wte(idx) + self.transformer.wpe(pos)
            for block in self.transformer.h:
                x = block(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            return F.cross_entropy(
                logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1
            )

    return GPT()


def test_small_gpt_trains_like_torch():
    ours, theirs = _gpt(ag), _gpt(torch)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    data = np.random.default_rng(0).integers(0, 16, size=(40, 9))
    losses = []
    for lib, model in ((ag, ours), (torch, theirs)):
        opt = lib.optim.AdamW(model.parameters(), lr=1e-2)
        trace = []
        for i in range(0, 40, 8):
            x, y = lib.tensor(data[i : i + 8, :8]), lib.tensor(data[i : i + 8, 1:])
            loss = model(x, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            trace.append(float(loss))
        losses.append(trace)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)


def _word_lm(lib):
    """The Transformer model of PyTorch's word_language_model example: a
    subclass of nn.Transformer that uses only its encoder."""
    nn, F = lib.nn, lib.nn.functional

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model, dropout=0.1, max_len=64):
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)
            pe = lib.zeros(max_len, d_model)
            position = lib.arange(0, max_len, dtype=lib.float).unsqueeze(1)
            div_term = lib.exp(lib.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
            pe[:, 0::2] = lib.sin(position * div_term)
            pe[:, 1::2] = lib.cos(position * div_term)
            self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))

        def forward(self, x):
            return self.dropout(x + self.pe[: x.size(0), :])

    class TransformerModel(nn.Transformer):
        def __init__(self, ntoken=20, ninp=8, nhead=2, nhid=16, nlayers=2, dropout=0.0):
            super().__init__(
                d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers
            )
            self.src_mask = None
            self.pos_encoder = PositionalEncoding(ninp, dropout)
            self.input_emb = nn.Embedding(ntoken, ninp)
            self.ninp = ninp
            self.decoder = nn.Linear(ninp, ntoken)
            nn.init.uniform_(self.input_emb.weight, -0.1, 0.1)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

        def _generate_square_subsequent_mask(self, sz):
            mask = (lib.triu(lib.ones(sz, sz)) == 1).transpose(0, 1)
            return mask.float().masked_fill(mask == 0, float("-inf")).masked_fill(mask == 1, 0.0)

        def forward(self, src):
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                self.src_mask = self._generate_square_subsequent_mask(len(src))
            src = self.pos_encoder(self.input_emb(src) * math.sqrt(self.ninp))
            output = self.encoder(src, mask=self.src_mask)
            return F.log_softmax(self.decoder(output), dim=-1)

    return TransformerModel()


def test_word_language_model_transformer_trains_like_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = _word_lm(ag), _word_lm(torch)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    for m in (ours, theirs):  # dropout 0.1 inside the layers: compare deterministically
        for sub in m.modules():
            if type(sub).__name__ == "Dropout":
                sub.p = 0.0
            elif type(sub).__name__ == "MultiheadAttention":
                sub.dropout = 0.0
    data = np.random.default_rng(1).integers(0, 20, size=(33, 3))
    losses = []
    for lib, model in ((ag, ours), (torch, theirs)):
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        trace = []
        for i in range(0, 32, 8):
            x = lib.tensor(data[i : i + 8])
            y = lib.tensor(data[i + 1 : i + 9]).reshape(-1)
            model.zero_grad()
            loss = lib.nn.functional.nll_loss(model(x).view(-1, 20), y)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
            trace.append(float(loss))
        losses.append(trace)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
