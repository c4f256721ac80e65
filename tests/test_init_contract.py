"""nn.init beyond distributions: every name calculate_gain knows, the errors
and warnings users meet (type and text as PyTorch's), exact values of the
deterministic initialisers, and the structure of sparse_ and orthogonal_."""

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

GAIN_NAMES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]  # fmt: skip


@pytest.mark.parametrize("name", GAIN_NAMES)
def test_calculate_gain_of_every_nonlinearity(name):
    assert ag.nn.init.calculate_gain(name) == torch.nn.init.calculate_gain(name)


@pytest.mark.parametrize("param", [0, 1, 3, 0.5])
def test_leaky_relu_gain_takes_ints_and_floats(param):
    ours = ag.nn.init.calculate_gain("leaky_relu", param)
    assert ours == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", param), rel=1e-15)


def _same_error(call, shape, *args, **kwargs):
    """Both libraries raise the same type with the same text."""
    with pytest.raises(Exception) as theirs:
        call(torch, torch.empty(*shape), *args, **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        call(ag, ag.empty(*shape), *args, **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "name,shape,kwargs",
    [
        ("xavier_uniform_", (5,), {}),
        ("xavier_normal_", (5,), {}),
        ("kaiming_uniform_", (5,), {}),
        ("kaiming_normal_", (5,), {}),
        ("kaiming_uniform_", (3, 4), dict(mode="fan_avg")),
        ("kaiming_normal_", (3, 4), dict(mode="fan_avg")),
        ("eye_", (2, 2, 2), {}),
        ("orthogonal_", (4,), {}),
        ("sparse_", (2, 3, 4), dict(sparsity=0.5)),
        ("dirac_", (3, 3), {}),
        ("dirac_", (3, 2, 3), dict(groups=2)),
    ],
)  # fmt: skip
def test_bad_shapes_and_modes_raise_as_in_torch(name, shape, kwargs):
    _same_error(lambda lib, t, **kw: getattr(lib.nn.init, name)(t, **kw), shape, **kwargs)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_OUT", "Fan_In"])
@pytest.mark.parametrize("shape", [(6, 3), (8, 2, 5), (4, 3, 2, 2)])
def test_kaiming_bounds_follow_the_fan(mode, shape):
    # A uniform draw of many values reaches close to its bound; the bound is
    # sqrt(3) * gain / sqrt(fan), with fan as PyTorch computes it.
    fan_in = shape[1] * math.prod(shape[2:])
    fan_out = shape[0] * math.prod(shape[2:])
    # Many more values along the dimension that is not part of the fan.
    if mode.lower() == "fan_in":
        big, fan = (shape[0] * 50,) + shape[1:], fan_in
    else:
        big, fan = (shape[0], shape[1] * 50) + shape[2:], fan_out
    t = ag.empty(*big)
    ag.nn.init.kaiming_uniform_(t, a=0.5, mode=mode)
    gain = torch.nn.init.calculate_gain("leaky_relu", 0.5)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    top = float(t.abs().max())
    assert bound * 0.97 <= top <= bound
    n = ag.empty(*big)
    ag.nn.init.kaiming_normal_(n, a=0.5, mode=mode)
    assert float(n.std()) == pytest.approx(gain / math.sqrt(fan), rel=0.06)


def test_xavier_scales_with_gain_and_both_fans():
    t = ag.empty(200, 100)
    ag.nn.init.xavier_uniform_(t, gain=2.5)
    bound = 2.5 * math.sqrt(6.0 / 300)
    assert bound * 0.99 <= float(t.abs().max()) <= bound
    ag.nn.init.xavier_normal_(t, gain=2.5)
    assert float(t.std()) == pytest.approx(2.5 * math.sqrt(2.0 / 300), rel=0.03)
    assert abs(float(t.mean())) < 0.01


def test_uniform_and_normal_use_their_arguments():
    t = ag.empty(20000)
    ag.nn.init.uniform_(t, a=3.0, b=5.0)
    assert 3.0 <= float(t.min()) < 3.01 and 4.99 < float(t.max()) <= 5.0
    ag.nn.init.normal_(t, mean=-2.0, std=0.5)
    assert float(t.mean()) == pytest.approx(-2.0, abs=0.02)
    assert float(t.std()) == pytest.approx(0.5, rel=0.03)


@pytest.mark.parametrize(
    "name,shape,kwargs",
    [
        ("constant_", (3, 4), dict(val=2.5)),
        ("zeros_", (3, 4), {}),
        ("ones_", (2, 5), {}),
        ("eye_", (3, 5), {}),
        ("eye_", (4, 2), {}),
        ("dirac_", (4, 2, 3), {}),
        ("dirac_", (6, 3, 3, 3), dict(groups=2)),
        ("dirac_", (2, 4, 3, 3, 3), {}),
        ("dirac_", (8, 2, 4, 5), dict(groups=4)),
    ],
)  # fmt: skip
def test_deterministic_initialisers_equal_torch(name, shape, kwargs):
    t, r = ag.full(shape, 7.0), torch.full(shape, 7.0)
    out = getattr(ag.nn.init, name)(t, **kwargs)
    getattr(torch.nn.init, name)(r, **kwargs)
    assert out is t
    np.testing.assert_array_equal(t.numpy(), r.numpy())


def test_initialisers_do_not_record_a_graph():
    w = ag.empty(3, 4, requires_grad=True)
    for init in (ag.nn.init.ones_, ag.nn.init.eye_, ag.nn.init.xavier_uniform_,
                 ag.nn.init.kaiming_normal_, ag.nn.init.orthogonal_, ag.nn.init.trunc_normal_):  # fmt: skip
        assert init(w) is w
        assert w.is_leaf and w.grad_fn is None and w.requires_grad


@pytest.mark.parametrize("sparsity,rows,cols", [(0.3, 10, 6), (0.5, 7, 3), (0.05, 40, 2)])
def test_sparse_zeroes_the_same_count_per_column_as_torch(sparsity, rows, cols):
    t, r = ag.empty(rows, cols), torch.empty(rows, cols)
    ag.nn.init.sparse_(t, sparsity, std=3.0)
    torch.nn.init.sparse_(r, sparsity, std=3.0)
    ours = (t.numpy() == 0).sum(axis=0)
    theirs = (r.numpy() == 0).sum(axis=0)
    np.testing.assert_array_equal(ours, theirs)
    assert np.all(ours == math.ceil(sparsity * rows))
    # The rest come from N(0, std^2): at this std, far from zero.
    assert np.abs(t.numpy()[t.numpy() != 0]).max() > 0.5


@pytest.mark.parametrize("shape", [(3, 7), (7, 3), (5, 5), (4, 2, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_rows_or_columns_are_orthonormal(shape, gain):
    t = ag.empty(*shape, dtype=ag.float64)
    ag.nn.init.orthogonal_(t, gain=gain)
    m = t.numpy().reshape(shape[0], -1)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, gain**2 * np.eye(small), atol=1e-10)


def test_zero_element_tensors_are_left_alone():
    for init in (ag.nn.init.kaiming_uniform_, ag.nn.init.kaiming_normal_, ag.nn.init.orthogonal_):
        t = ag.empty(0, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert init(t) is t
        assert tuple(t.shape) == (0, 3)


def test_trunc_normal_stays_inside_its_bounds_and_warns_like_torch():
    t = ag.empty(20000, dtype=ag.float64)
    ag.nn.init.trunc_normal_(t, mean=1.0, std=2.0, a=-0.5, b=0.5)
    assert -0.5 <= float(t.min()) < -0.49 and 0.49 < float(t.max()) <= 0.5
    with pytest.warns(UserWarning) as theirs:
        torch.nn.init.trunc_normal_(torch.empty(10), mean=10.0, std=1.0, a=-2.0, b=2.0)
    with pytest.warns(UserWarning) as ours:
        ag.nn.init.trunc_normal_(ag.empty(10), mean=10.0, std=1.0, a=-2.0, b=2.0)
    assert str(ours[0].message) == str(theirs[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ag.nn.init.trunc_normal_(ag.empty(10), mean=3.9, std=1.0, a=-2.0, b=2.0)


@pytest.mark.parametrize(
    "old,args",
    [("uniform", ()), ("normal", ()), ("constant", (0.5,)), ("xavier_uniform", ()),
     ("xavier_normal", ()), ("kaiming_uniform", ()), ("kaiming_normal", ()),
     ("orthogonal", ()), ("sparse", (0.5,))],
)  # fmt: skip
def test_deprecated_names_warn_like_torch_and_still_work(old, args):
    with pytest.warns(FutureWarning) as theirs:
        getattr(torch.nn.init, old)(torch.empty(4, 6), *args)
    t = ag.zeros(4, 6)
    with pytest.warns(FutureWarning) as ours:
        out = getattr(ag.nn.init, old)(t, *args)
    assert str(ours[0].message) == str(theirs[0].message)
    assert out is t
    assert not ours[0].filename.startswith(str(Path(ag.__file__).parent))


@pytest.mark.parametrize(
    "old", ["uniform", "normal", "constant", "xavier_uniform", "kaiming_normal"]
)
def test_deprecated_names_warn_as_torch(old):
    def message(lib):
        t = lib.empty(3, 4)
        args = (0.5,) if old == "constant" else ()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(lib.nn.init, old)(t, *args)
        return [(w.category, str(w.message)) for w in caught]

    assert message(ag) == message(torch)
