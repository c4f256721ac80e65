"""Initial parameters and buffers of every module with state, against
PyTorch's: the same constants where PyTorch's are constant, otherwise the
same distribution (mean, spread, bounds and shape of the distribution).
Values need not equal PyTorch's; their law must."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch
from test_defaults import MODULES, REQUIRED_ARGS

pytestmark = requires_torch

# Sizes big enough for the statistics to be sharp, by constructor argument
# name; other required arguments come from test_defaults.REQUIRED_ARGS.
LARGE_ARGS = {
    "in_features": 96, "out_features": 64, "in_channels": 12, "out_channels": 16,
    "kernel_size": 3, "num_features": 48, "normalized_shape": 48, "num_embeddings": 120,
    "embedding_dim": 40, "input_size": 30, "hidden_size": 40, "in1_features": 24,
    "in2_features": 20, "num_channels": 24,
}  # fmt: skip

# Optional arguments that keep a default-built model small (nn.Transformer's
# defaults hold 44M parameters; its 512-value LayerNorms would need a hundred
# builds to reach SAMPLES).
SMALL_OPTIONAL = {
    "Transformer": {"d_model": 16, "nhead": 2, "num_encoder_layers": 1,
                    "num_decoder_layers": 1, "dim_feedforward": 32},
}  # fmt: skip

SAMPLES = 60_000  # per tensor, from as many constructions as that takes
MAX_BUILDS = 400


def _build_args(cls):
    import inspect

    args = {}
    signature = inspect.signature(cls.__init__)
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in signature.parameters.values()):
        # PyTorch's RNN, LSTM and GRU take (*args, **kwargs); ours spell them out.
        signature = inspect.signature(getattr(ag.nn, cls.__name__).__init__)
    for name, p in signature.parameters.items():
        if name == "self" or p.default is not inspect.Parameter.empty:
            continue
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if name not in LARGE_ARGS and name not in REQUIRED_ARGS:
            pytest.fail(f"{cls.__name__}: add {name!r} to LARGE_ARGS or REQUIRED_ARGS")
        args[name] = LARGE_ARGS.get(name, REQUIRED_ARGS.get(name))
    args.update(SMALL_OPTIONAL.get(cls.__name__, {}))
    return args


def _draw(lib, cls, args, seed):
    """Flattened initial values of each parameter and buffer, over enough
    fresh modules to reach SAMPLES values (or MAX_BUILDS modules)."""
    lib.manual_seed(seed)
    drawn: dict[str, list[np.ndarray]] = {}
    dtypes: dict[str, str] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    for _ in range(MAX_BUILDS):
        module = cls(**args)
        state = dict(module.named_parameters()) | dict(module.named_buffers())
        for name, t in state.items():
            drawn.setdefault(name, []).append(t.detach().numpy().astype(np.float64).ravel())
            dtypes[name] = str(t.dtype)
            shapes[name] = tuple(t.shape)
        if all(sum(v.size for v in chunks) >= SAMPLES for chunks in drawn.values()):
            break
    return {k: np.concatenate(v) for k, v in drawn.items()}, dtypes, shapes


def _ks_statistic(a, b):
    """Two-sample Kolmogorov-Smirnov distance between empirical CDFs."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / a.size
    cdf_b = np.searchsorted(b, grid, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _with_state(entries):
    # Lazy modules have no values until their first call (PyTorch refuses to
    # read them); they then become the eager layers checked here.
    return [
        (label, ours, theirs)
        for label, ours, theirs in entries
        if not theirs.__name__.startswith("Lazy")
        and list(theirs(**_build_args(theirs)).state_dict())
    ]


STATEFUL = _with_state(MODULES) if torch is not None else []


def test_every_module_with_state_is_covered():
    names = {label for label, _, _ in STATEFUL}
    for expected in ("nn.Linear", "nn.Conv1d", "nn.Conv2d", "nn.Embedding", "nn.LayerNorm"):
        assert expected in names


@pytest.mark.parametrize("label,ours,theirs", STATEFUL, ids=[m[0] for m in STATEFUL])
def test_initial_values_follow_torchs_distribution(label, ours, theirs):
    args = _build_args(theirs)
    mine, my_dtypes, my_shapes = _draw(ag, ours, args, seed=0)
    ref, ref_dtypes, ref_shapes = _draw(torch, theirs, args, seed=0)
    assert list(mine) == list(ref)
    for name in ref:
        what = f"{label}.{name}"
        assert my_shapes[name] == ref_shapes[name], what
        assert my_dtypes[name] == ref_dtypes[name], what
        a, t = mine[name], ref[name]
        assert a.size == t.size, what
        if np.all(t == t[0]):  # a constant init (zeros, ones, counters)
            np.testing.assert_array_equal(a, t, err_msg=what)
            continue
        n = a.size
        spread = float(t.std())
        # Six standard errors: a fixed seed makes these deterministic, and a
        # real change in scale moves them by far more.
        assert abs(a.mean() - t.mean()) <= 6 * spread * np.sqrt(2 / n), (what, a.mean(), t.mean())
        assert abs(a.std() / spread - 1) <= 6 * np.sqrt(1 / n), (what, a.std(), spread)
        # Bounds: beyond the other sample's largest magnitude lie about one
        # value per sample when the laws agree (more on a bounded law widened
        # by even 0.1%).
        assert np.sum(np.abs(a) > np.abs(t).max()) <= 10 + n * 2e-4, (what, np.abs(a).max())
        assert np.sum(np.abs(t) > np.abs(a).max()) <= 10 + n * 2e-4, (what, np.abs(t).max())
        # Shape of the law: KS distance under its 1e-6 critical value.
        critical = np.sqrt(-np.log(1e-6 / 2) / 2) * np.sqrt(2 / n)
        assert _ks_statistic(a, t) <= critical, (what, _ks_statistic(a, t), critical)


# ---- nn.init functions ---------------------------------------------------------------

INIT_FUNCTIONS = sorted(
    name
    for name in vars(ag.nn.init)
    if name.endswith("_") and not name.startswith("_") and hasattr(torch.nn.init, name)
)
# Each function's calls: required arguments plus the options that change the
# law (mode, nonlinearity, gain, bounds), on shapes whose fans differ.
INIT_CALLS = {
    "constant_": [dict(val=0.3)],
    "zeros_": [{}],
    "ones_": [{}],
    "eye_": [{}],
    "uniform_": [{}, dict(a=-0.5, b=2.0)],
    "normal_": [{}, dict(mean=1.5, std=0.2)],
    "xavier_uniform_": [{}, dict(gain=2.0)],
    "xavier_normal_": [{}, dict(gain=0.5)],
    "kaiming_uniform_": [
        {},
        dict(a=0.2, mode="fan_out", nonlinearity="leaky_relu"),
        dict(nonlinearity="relu"),
        dict(mode="fan_out", nonlinearity="tanh"),
    ],
    "kaiming_normal_": [
        {},
        dict(a=0.3, mode="fan_out"),
        dict(mode="fan_in", nonlinearity="relu"),
        dict(nonlinearity="sigmoid"),
    ],
}
INIT_CALLS.update({
    "trunc_normal_": [{}, dict(mean=0.5, std=0.7, a=0.0, b=1.0)],
    "orthogonal_": [{}, dict(gain=2.0)],
    "sparse_": [dict(sparsity=0.3), dict(sparsity=0.1, std=0.5)],
    "dirac_": [{}, dict(groups=2)],
})  # fmt: skip
INIT_SHAPES = [(300, 200), (40, 12, 3, 3)]
# Functions defined for one kind of shape only: matrices, or convolution weights.
ONLY_SHAPES = {"eye_": INIT_SHAPES[:1], "sparse_": INIT_SHAPES[:1], "dirac_": INIT_SHAPES[1:]}
INIT_CASES = [
    (name, kwargs, shape) for name in INIT_FUNCTIONS for kwargs in INIT_CALLS.get(name, [None])
    for shape in ONLY_SHAPES.get(name, INIT_SHAPES)
]  # fmt: skip


@pytest.mark.parametrize(
    "name,kwargs,shape", INIT_CASES, ids=[f"{n}-{k}-{s}" for n, k, s in INIT_CASES]
)
def test_init_function_follows_torchs_distribution(name, kwargs, shape):
    assert kwargs is not None, f"add the calls of nn.init.{name} to INIT_CALLS"

    def draw(lib):
        lib.manual_seed(0)
        t = lib.empty(*shape)
        out = getattr(lib.nn.init, name)(t, **kwargs)
        assert out is t  # in place, returning its argument
        return t.numpy().astype(np.float64).ravel()

    a, t = draw(ag), draw(torch)
    if np.all(t == t[0]) or name in ("eye_", "dirac_"):
        np.testing.assert_array_equal(a, t)
        return
    n = a.size
    spread = float(t.std())
    assert abs(a.mean() - t.mean()) <= 6 * spread * np.sqrt(2 / n), (a.mean(), t.mean())
    assert abs(a.std() / spread - 1) <= 6 * np.sqrt(1 / n), (a.std(), spread)
    assert np.sum(np.abs(a) > np.abs(t).max()) <= 10 + n * 2e-4
    assert np.sum(np.abs(t) > np.abs(a).max()) <= 10 + n * 2e-4
    critical = np.sqrt(-np.log(1e-6 / 2) / 2) * np.sqrt(2 / n)
    assert _ks_statistic(a, t) <= critical


@pytest.mark.parametrize(
    "nonlinearity,param",
    [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
     ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv_transpose1d", None)],
)  # fmt: skip
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert ag.nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15
    )


@pytest.mark.parametrize("bad", [("nonsense", None), ("leaky_relu", "x"), ("leaky_relu", True)])
def test_calculate_gain_rejects_what_torch_rejects(bad):
    with pytest.raises(ValueError) as theirs:
        torch.nn.init.calculate_gain(*bad)
    with pytest.raises(ValueError) as ours:
        ag.nn.init.calculate_gain(*bad)
    assert str(ours.value) == str(theirs.value)
