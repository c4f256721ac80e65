"""Compare autograd_cpp's tensor printing with repr() of real torch tensors."""

import math
import os

import numpy as np
import pytest

if os.environ.get("CI"):
    import torch
else:
    torch = pytest.importorskip("torch")

from autograd_cpp._tensor_str import format_tensor, get_printoptions, set_printoptions

PARAM_PREFIX = "Parameter containing:\ntensor("
N_RANDOM = 400


@pytest.fixture(autouse=True)
def _reset_options():
    yield
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def _set_both(**opts):
    torch.set_printoptions(**opts)
    set_printoptions(**opts)


def _ours(t, prefix="tensor(", default_float="float32"):
    grad_fn = t.grad_fn
    return format_tensor(
        t.detach().numpy(),
        str(t.dtype).removeprefix("torch."),
        requires_grad=t.requires_grad,
        grad_fn_name=None if grad_fn is None else type(grad_fn).__name__,
        prefix=prefix,
        default_float=default_float,
    )


def _check(t, param=False, default_float="float32"):
    if param:
        expected = repr(torch.nn.Parameter(t, requires_grad=t.requires_grad))
        actual = _ours(t, prefix=PARAM_PREFIX, default_float=default_float)
    else:
        expected = repr(t)
        actual = _ours(t, default_float=default_float)
    assert actual == expected


def _leaf(data, **kw):
    return torch.tensor(data, requires_grad=True, **kw)


nan, inf = math.nan, math.inf

# (id, print options, tensor factory); factories run after the options are set.
HAND_PICKED = [
    ("scalar_float", {}, lambda: torch.tensor(3.0)),
    ("scalar_float_frac", {}, lambda: torch.tensor(3.25)),
    ("scalar_pow", {}, lambda: torch.tensor(3.0) ** 3),
    ("scalar_bool", {}, lambda: torch.tensor(True)),
    ("scalar_int", {}, lambda: torch.tensor(-7)),
    ("scalar_int32", {}, lambda: torch.tensor(5, dtype=torch.int32)),
    ("scalar_f64", {}, lambda: torch.tensor(0.1, dtype=torch.float64)),
    ("scalar_nan", {}, lambda: torch.tensor(nan)),
    ("scalar_neg_inf", {}, lambda: torch.tensor(-inf)),
    ("scalar_neg_zero", {}, lambda: torch.tensor(-0.0)),
    ("scalar_tiny", {}, lambda: torch.tensor(1e-7)),
    ("scalar_huge", {}, lambda: torch.tensor(1e9)),
    ("scalar_grad", {}, lambda: _leaf(2.5)),
    ("ones_grad", {}, lambda: torch.ones(2, 2, requires_grad=True)),
    ("add_backward", {}, lambda: torch.ones(2, 2, requires_grad=True) + 2),
    ("mul_backward", {}, lambda: _leaf([1.5, -2.0]) * 3),
    ("sum_backward", {}, lambda: _leaf([1.5, -2.0]).sum()),
    ("mixed_range", {}, lambda: torch.tensor([102.4, 1024.0, 0.1024])),
    (
        "mixed_range_no_sci",
        {"sci_mode": False},
        lambda: torch.tensor([102.4, 1024.0, 0.1024]),
    ),
    ("ratio_just_over", {}, lambda: torch.tensor([1.0, 1000.5])),
    ("ratio_exact", {}, lambda: torch.tensor([1.0, 1000.0])),
    ("ratio_over_int", {}, lambda: torch.tensor([1.0, 1001.0])),
    ("min_1e-4", {}, lambda: torch.tensor([1e-4, 2e-4], dtype=torch.float64)),
    ("min_below_1e-4", {}, lambda: torch.tensor([9e-5, 2e-4], dtype=torch.float64)),
    ("max_1e8", {}, lambda: torch.tensor([1e8, 2e7], dtype=torch.float64)),
    ("max_over_1e8", {}, lambda: torch.tensor([1.0000001e8, 2e7], dtype=torch.float64)),
    ("nonfinite", {}, lambda: torch.tensor([nan, inf, -inf, 1.0])),
    ("nonfinite_frac", {}, lambda: torch.tensor([nan, inf, -inf, 1.5])),
    ("nonfinite_sci", {}, lambda: torch.tensor([nan, inf, -inf, 1e-9, 1.0])),
    ("only_nonfinite", {}, lambda: torch.tensor([nan, inf, -inf])),
    ("zeros", {}, lambda: torch.zeros(3)),
    ("neg_zeros", {}, lambda: torch.tensor([-0.0, 0.0, -0.0])),
    ("neg_zero_frac", {}, lambda: torch.tensor([-0.0, 1.5])),
    ("neg_zero_sci", {}, lambda: torch.tensor([-0.0, 1e-6])),
    ("sci_forced", {"sci_mode": True}, lambda: torch.tensor([1.0, 2.5])),
    ("sci_forced_ints", {"sci_mode": True}, lambda: torch.tensor([1.0, 20.0])),
    ("sci_forced_zeros", {"sci_mode": True}, lambda: torch.zeros(2)),
    ("sci_off", {"sci_mode": False}, lambda: torch.tensor([1e-9, 1e10, 3.5])),
    ("sci_off_big", {"sci_mode": False}, lambda: torch.tensor([1e20, 1.0])),
    ("precision_2", {"precision": 2}, lambda: torch.tensor([1.12345, 2.5])),
    ("precision_0", {"precision": 0}, lambda: torch.tensor([1.6, 2.5, 1e-6])),
    ("precision_8", {"precision": 8}, lambda: torch.tensor([1 / 3, 2.0])),
    ("long_row", {}, lambda: torch.arange(40.0) / 3),
    ("long_int_row", {}, lambda: torch.arange(100)),
    ("long_row_grad", {}, lambda: torch.linspace(-1, 1, 30, requires_grad=True)),
    ("linewidth_40", {"linewidth": 40}, lambda: torch.arange(30.0)),
    ("linewidth_tiny", {"linewidth": 5}, lambda: torch.arange(6.0).reshape(2, 3) * 1.5),
    ("matrix", {}, lambda: torch.arange(12.0).reshape(3, 4) - 5),
    ("cube", {}, lambda: torch.arange(24).reshape(2, 3, 4)),
    ("hyper", {}, lambda: torch.arange(32.0).reshape(2, 2, 2, 4) / 7),
    ("five_d", {}, lambda: torch.ones(2, 1, 2, 1, 2, dtype=torch.int32)),
    ("bools", {}, lambda: torch.tensor([[True, False], [False, True]])),
    ("int32", {}, lambda: torch.tensor([1, -20, 300], dtype=torch.int32)),
    ("int64_big", {}, lambda: torch.tensor([2**62, -(2**63)])),
    ("float64_vec", {}, lambda: torch.tensor([1.5, 2.25], dtype=torch.float64)),
    ("summ_1d", {}, lambda: torch.arange(2000.0)),
    ("summ_2d", {}, lambda: torch.arange(2000).reshape(40, 50)),
    ("summ_3d", {}, lambda: torch.arange(3000.0).reshape(10, 10, 30) / 9),
    ("summ_narrow", {}, lambda: torch.arange(1200.0).reshape(1200, 1)),
    ("summ_threshold", {"threshold": 5}, lambda: torch.arange(10)),
    (
        "summ_edge_1",
        {"threshold": 5, "edgeitems": 1},
        lambda: torch.arange(60.0).reshape(3, 4, 5),
    ),
    (
        "summ_hidden_extremes",
        {},
        lambda: torch.cat([torch.ones(3), torch.full((1000,), 1e-9), torch.ones(3)]),
    ),
    ("edge_0", {"edgeitems": 0}, lambda: torch.arange(4.0)),
    ("edge_0_summ_1d", {"edgeitems": 0, "threshold": 3}, lambda: torch.arange(10.0)),
    ("edge_0_summ_2d", {"edgeitems": 0, "threshold": 3}, lambda: torch.ones(3, 4)),
    ("edge_0_scalar", {"edgeitems": 0}, lambda: torch.tensor(2.0)),
    ("threshold_0_scalar", {"threshold": 0}, lambda: torch.tensor(2.0)),
    ("profile_short", {"profile": "short"}, lambda: torch.arange(2000.0) / 3),
    ("profile_full", {"profile": "full"}, lambda: torch.arange(1100)),
    ("empty", {}, lambda: torch.tensor([])),
    ("empty_2d", {}, lambda: torch.zeros(0, 3)),
    ("empty_3d", {}, lambda: torch.zeros(2, 0, 3)),
    ("empty_int64", {}, lambda: torch.tensor([], dtype=torch.int64)),
    ("empty_int32", {}, lambda: torch.zeros(0, dtype=torch.int32)),
    ("empty_bool", {}, lambda: torch.zeros(1, 0, dtype=torch.bool)),
    ("empty_f64", {}, lambda: torch.zeros(0, dtype=torch.float64)),
    ("empty_grad", {}, lambda: torch.zeros(0, 2, requires_grad=True)),
    (
        "wrap_suffix",
        {},
        lambda: torch.arange(9.0, dtype=torch.float64).requires_grad_() * 1.5,
    ),
    (
        "wrap_suffix_narrow",
        {"linewidth": 30},
        lambda: _leaf([1.5, 2.5], dtype=torch.float64),
    ),
]


@pytest.mark.parametrize(
    ("opts", "make"), [c[1:] for c in HAND_PICKED], ids=[c[0] for c in HAND_PICKED]
)
def test_hand_picked(opts, make):
    _set_both(**opts)
    t = make()
    _check(t)
    _check(t.detach(), param=True)


def test_parameter_prefix():
    _check(torch.arange(30.0).reshape(3, 10) / 7, param=True)
    _check(torch.arange(6, dtype=torch.int32).reshape(2, 3), param=True)
    _check(torch.ones(2, 2).requires_grad_(), param=True)


def test_default_float64():
    torch.set_default_dtype(torch.float64)
    for t in (
        torch.tensor([1.5, 2.0]),
        torch.tensor([1.5, 2.0], dtype=torch.float32),
        torch.zeros(0),
        torch.zeros(0, dtype=torch.float32),
        torch.tensor([1, 2]),
    ):
        _check(t, default_float="float64")


def test_printoptions_roundtrip():
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    _set_both(precision=6, threshold=20, edgeitems=1, linewidth=100, sci_mode=True)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    # sci_mode falls back to automatic on any call; other options stick.
    _set_both(precision=3)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    for profile in ("short", "full", "default", "bogus"):
        _set_both(profile=profile)
        assert get_printoptions() == torch._tensor_str.get_printoptions()


def _random_options(rng):
    opts = {}
    if rng.random() < 0.2:
        opts["profile"] = str(rng.choice(["default", "short", "full"]))
    if rng.random() < 0.3:
        opts["precision"] = int(rng.choice([0, 1, 2, 6, 8]))
    if rng.random() < 0.3:
        opts["threshold"] = int(rng.choice([0, 5, 20, 100]))
    if rng.random() < 0.2:
        opts["edgeitems"] = int(rng.choice([0, 1, 2, 4]))
    if rng.random() < 0.2:
        opts["linewidth"] = int(rng.choice([20, 40, 120]))
    if rng.random() < 0.3:
        opts["sci_mode"] = bool(rng.random() < 0.5)
    return opts


def _random_shape(rng):
    kind = rng.random()
    if kind < 0.08:
        return (int(rng.integers(1001, 1300)),)  # summarized under default options
    if kind < 0.12:
        return (int(rng.integers(30, 60)), int(rng.integers(25, 40)))
    ndim = int(rng.choice([0, 1, 1, 2, 2, 3, 4]))
    high = 3 if rng.random() < 0.1 else 9  # occasionally a zero-size dimension
    low = 0 if high == 3 else 1
    return tuple(int(rng.integers(low, high)) for _ in range(ndim))


def _random_floats(rng, shape, dtype):
    n = math.prod(shape)
    style = rng.choice(["spread", "narrow", "integral", "normal"])
    if style == "spread":
        vals = 10.0 ** rng.uniform(-10, 12, n)
    elif style == "narrow":
        vals = 10.0 ** rng.uniform(-10, 12) * rng.uniform(0.5, 5, n)
    elif style == "integral":
        vals = np.round(rng.uniform(0, 10.0 ** rng.integers(0, 12), n))
    else:
        vals = rng.normal(size=n)
    vals *= rng.choice([-1.0, 1.0], n)
    if rng.random() < 0.35:
        specials = np.array([nan, inf, -inf, 0.0, -0.0])
        mask = rng.random(n) < rng.uniform(0.05, 0.5)
        vals[mask] = rng.choice(specials, int(mask.sum()))
    return vals.astype(dtype).reshape(shape)


def _random_tensor(rng):
    dtype = str(rng.choice(["bool", "int32", "int64", "float32", "float32", "float64"]))
    shape = _random_shape(rng)
    n = math.prod(shape)
    if dtype == "bool":
        arr = (rng.random(n) < 0.5).reshape(shape)
    elif dtype.startswith("int"):
        top = 10 ** int(rng.integers(0, 10 if dtype == "int32" else 19))
        arr = rng.integers(-top, top, n, dtype=dtype, endpoint=True).reshape(shape)
    else:
        arr = _random_floats(rng, shape, dtype)
    t = torch.from_numpy(np.ascontiguousarray(arr))
    if dtype.startswith("float") and rng.random() < 0.4:
        t.requires_grad_()
        if rng.random() < 0.5:
            ops = [lambda x: x * 2, lambda x: x + 1, lambda x: -x, lambda x: x.clone()]
            t = ops[int(rng.integers(len(ops)))](t)
    return t


@pytest.mark.parametrize("seed", range(N_RANDOM))
def test_random(seed):
    rng = np.random.default_rng(seed)
    _set_both(**_random_options(rng))
    t = _random_tensor(rng)
    _check(t, param=t.grad_fn is None and rng.random() < 0.2)
