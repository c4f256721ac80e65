"""RNN, LSTM, GRU and their cells against PyTorch from the same weights
(copied through state_dict): outputs, final states and every gradient, to
1e-10 in float64 and 1e-6 (relative to each tensor's scale) in float32;
packed sequences and the nn.utils.rnn helpers; argument checks; and a small
LSTM language model trained side by side."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

TOL = {np.float64: 1e-10, np.float32: 1e-6}


def to_np(t):
    return t.detach().numpy()


def assert_close(ours, theirs, dtype, what=""):
    """|ours - theirs| within TOL of the larger of 1 and theirs's magnitude."""
    a, b = to_np(ours).astype(np.float64), to_np(theirs).astype(np.float64)
    assert a.shape == b.shape, what
    scale = max(1.0, float(np.abs(b).max()) if b.size else 1.0)
    err = float(np.abs(a - b).max()) if a.size else 0.0
    assert err <= TOL[dtype] * scale, f"{what}: max error {err} (scale {scale})"


def twin(name, *args, dtype=np.float64, **kwargs):
    """The same layer in both libraries, ours holding PyTorch's weights."""
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    ours = getattr(ag.nn, name)(*args, **kwargs)
    if dtype == np.float64:
        theirs.double()
        ours.double()
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _states(h):
    return h if isinstance(h, tuple) else (h,)


def compare_layer(name, config, dtype, with_state, seed=0, steps=5, batch=3, features=4, hidden=6):
    rng = np.random.default_rng(seed)
    ours, theirs = twin(name, features, hidden, dtype=dtype, **config)
    batch_first = config.get("batch_first", False)
    shape = (batch, steps, features) if batch_first else (steps, batch, features)
    x = rng.standard_normal(shape).astype(dtype)
    directions = 2 if config.get("bidirectional") else 1
    layers = config.get("num_layers", 1)
    proj = config.get("proj_size", 0)
    sizes = [proj or hidden] + ([hidden] if name == "LSTM" else [])
    h0 = [rng.standard_normal((layers * directions, batch, s)).astype(dtype) for s in sizes]
    results = []
    for lib, module in ((ag, ours), (torch, theirs)):
        xt = lib.tensor(x, requires_grad=True)
        hts = [lib.tensor(h, requires_grad=True) for h in h0]
        state = None
        if with_state:
            state = tuple(hts) if name == "LSTM" else hts[0]
        out, final = module(xt, state)
        finals = _states(final)
        loss = (out * out).sum() + sum((f * f * f).sum() for f in finals)
        loss.backward()
        grads = [xt.grad] + ([h.grad for h in hts] if with_state else [])
        params = [p.grad for _, p in module.named_parameters()]
        results.append((out, finals, grads, params, [n for n, _ in module.named_parameters()]))
    (out_a, fin_a, g_a, p_a, names_a), (out_t, fin_t, g_t, p_t, names_t) = results
    assert names_a == names_t
    assert_close(out_a, out_t, dtype, "output")
    for a, t in zip(fin_a, fin_t):
        assert_close(a, t, dtype, "final state")
    for a, t in zip(g_a, g_t):
        assert_close(a, t, dtype, "input gradient")
    for n, a, t in zip(names_a, p_a, p_t):
        assert_close(a, t, dtype, n)


CONFIGS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 3, "bidirectional": True},
    {"batch_first": True},
    {"bias": False, "num_layers": 2, "batch_first": True, "bidirectional": True},
]
LAYER_CASES = (
    [("RNN", c) for c in CONFIGS]
    + [("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True})]
    + [("LSTM", c) for c in CONFIGS]
    + [
        ("LSTM", {"proj_size": 3}),
        ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True}),
    ]
    + [("GRU", c) for c in CONFIGS]
)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("with_state", [True, False], ids=["h0", "zeros"])
@pytest.mark.parametrize(
    "name,config",
    LAYER_CASES,
    ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in c.items())}" for n, c in LAYER_CASES],
)
def test_layer_matches_torch(name, config, with_state, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's oneDNN note on LSTM projections
        compare_layer(name, config, dtype, with_state)


def test_long_sequence_float32_stays_within_tolerance():
    # 60 steps, larger hidden size: rounding differences must not accumulate.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("LSTM", "GRU"):
            compare_layer(name, {"num_layers": 2}, np.float32, True, steps=60, batch=4,
                          features=16, hidden=32)  # fmt: skip


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_input_matches_torch(name):
    ours, theirs = twin(name, 3, 5, num_layers=2, bidirectional=True)
    x = np.random.default_rng(0).standard_normal((4, 3))
    out_a, fin_a = ours(ag.tensor(x))
    out_t, fin_t = theirs(torch.tensor(x))
    assert_close(out_a, out_t, np.float64)
    for a, t in zip(_states(fin_a), _states(fin_t)):
        assert tuple(a.shape) == tuple(t.shape) == (4, 5)
        assert_close(a, t, np.float64)
    h = np.random.default_rng(1).standard_normal((4, 5))
    state_a = (ag.tensor(h), ag.tensor(h)) if name == "LSTM" else ag.tensor(h)
    state_t = (torch.tensor(h), torch.tensor(h)) if name == "LSTM" else torch.tensor(h)
    assert_close(ours(ag.tensor(x), state_a)[0], theirs(torch.tensor(x), state_t)[0], np.float64)


# ---- packed sequences -------------------------------------------------------------------------


PACKED = [
    ("RNN", {}),
    ("LSTM", {}),
    ("GRU", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("GRU", {"bidirectional": True, "batch_first": True}),
    ("RNN", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("LSTM", {"proj_size": 3, "bidirectional": True}),
]


@pytest.mark.parametrize("enforce_sorted", [False, True], ids=["unsorted", "sorted"])
@pytest.mark.parametrize("with_state", [True, False], ids=["h0", "zeros"])
@pytest.mark.parametrize("name,config", PACKED, ids=[f"{n}-{c}" for n, c in PACKED])
def test_packed_input_matches_torch(name, config, with_state, enforce_sorted):
    lengths = [5, 5, 3, 2, 1] if enforce_sorted else [3, 5, 1, 5, 2]
    rng = np.random.default_rng(3)
    features, hidden = 4, 6
    ours, theirs = twin(name, features, hidden, **config)
    batch_first = config.get("batch_first", False)
    steps, batch = max(lengths), len(lengths)
    x = rng.standard_normal((batch, steps, features) if batch_first else (steps, batch, features))
    directions = 2 if config.get("bidirectional") else 1
    layers = config.get("num_layers", 1)
    sizes = [config.get("proj_size") or hidden] + ([hidden] if name == "LSTM" else [])
    h0 = [rng.standard_normal((layers * directions, batch, s)) for s in sizes]
    results = []
    for lib, module in ((ag, ours), (torch, theirs)):
        rnn_utils = lib.nn.utils.rnn
        xt = lib.tensor(x, requires_grad=True)
        hts = [lib.tensor(h, requires_grad=True) for h in h0]
        packed = rnn_utils.pack_padded_sequence(
            xt, lib.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted
        )
        state = (tuple(hts) if name == "LSTM" else hts[0]) if with_state else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, final = module(packed, state)
        assert type(out).__name__ == "PackedSequence"
        padded, lens = rnn_utils.pad_packed_sequence(out, batch_first=batch_first)
        finals = _states(final)
        loss = (padded * padded).sum() + sum((f * f * f).sum() for f in finals)
        loss.backward()
        grads = [xt.grad] + ([h.grad for h in hts] if with_state else [])
        results.append(
            (out.data, out.batch_sizes, padded, lens, finals, grads,
             [p.grad for _, p in module.named_parameters()])
        )  # fmt: skip
    a, t = results
    assert_close(a[0], t[0], np.float64, "packed data")
    np.testing.assert_array_equal(a[1].numpy(), t[1].numpy())
    assert_close(a[2], t[2], np.float64, "padded output")
    np.testing.assert_array_equal(a[3].numpy(), t[3].numpy())
    for x_a, x_t in zip(a[4], t[4]):
        assert_close(x_a, x_t, np.float64, "final state")
    for x_a, x_t in zip(a[5] + a[6], t[5] + t[6]):
        assert_close(x_a, x_t, np.float64, "gradient")


def test_packed_gradcheck():
    ag.manual_seed(0)
    lstm = ag.nn.LSTM(2, 3, bidirectional=True).double()
    x = ag.randn(4, 3, 2, dtype=ag.float64, requires_grad=True)
    h0 = ag.randn(2, 3, 3, dtype=ag.float64, requires_grad=True)
    c0 = ag.randn(2, 3, 3, dtype=ag.float64, requires_grad=True)

    def f(x, h0, c0):
        packed = ag.nn.utils.rnn.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        out, (h, c) = lstm(packed, (h0, c0))
        return ag.nn.utils.rnn.pad_packed_sequence(out)[0].sum() + (h * c).sum()

    assert ag.autograd.gradcheck(f, [x, h0, c0])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_gradcheck_through_layers(name):
    ag.manual_seed(1)
    layer = getattr(ag.nn, name)(2, 3, num_layers=2, bidirectional=True).double()
    x = ag.randn(3, 2, 2, dtype=ag.float64, requires_grad=True)

    def f(x):
        out, final = layer(x)
        return out.sum() + sum(s.pow(2).sum() for s in _states(final))

    assert ag.autograd.gradcheck(f, [x])
    assert ag.autograd.gradgradcheck(f, [x])


# ---- the fused LSTM layer op (nn.LSTM over padded input) ------------------------------------------


def test_lstm_output_grad_fn_matches_torch():
    # float32 on CPU: PyTorch's oneDNN layer, one node per layer and direction.
    ours, theirs = twin("LSTM", 3, 4, dtype=np.float32)
    x = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)
    out_a, (h_a, c_a) = ours(ag.tensor(x, requires_grad=True))
    out_t, (h_t, c_t) = theirs(torch.tensor(x, requires_grad=True))
    assert out_a.grad_fn.name() == out_t.grad_fn.name() == "MkldnnRnnLayerBackward0"
    assert h_a.grad_fn.name() == h_t.grad_fn.name() == "StackBackward0"
    assert c_a.grad_fn.name() == c_t.grad_fn.name()


@pytest.mark.parametrize("config", [{}, {"bidirectional": True, "num_layers": 2}])
def test_lstm_forward_ad_matches_torch(config):
    # Tangents of the output and both final states, from tangents of the
    # input and both initial states (the layer op computes them step by step).
    ours, theirs = twin("LSTM", 3, 4, **config)
    rng = np.random.default_rng(1)
    states = 4 if config else 1
    x, v = rng.standard_normal((2, 5, 2, 3))
    h0, c0, hv, cv = rng.standard_normal((4, states, 2, 4))
    results = []
    for lib, module in ((ag, ours), (torch, theirs)):

        def f(x, h, c, module=module):
            out, (h_n, c_n) = module(x, (h, c))
            return out, h_n, c_n

        primals = tuple(lib.tensor(a) for a in (x, h0, c0))
        tangents = tuple(lib.tensor(a) for a in (v, hv, cv))
        results.append(lib.func.jvp(f, primals, tangents))
    for a, t in zip(results[0][0] + results[0][1], results[1][0] + results[1][1]):
        assert_close(a, t, np.float64, "jvp")


def test_lstm_under_vmap_matches_a_loop():
    ours, theirs = twin("LSTM", 3, 4, num_layers=2)
    xs = np.random.default_rng(2).standard_normal((3, 5, 3))  # 3 unbatched sequences
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every op batches by its rule
        out = ag.func.vmap(lambda x: ours(x)[0])(ag.tensor(xs))
    for i in range(3):
        assert_close(out[i], theirs(torch.tensor(xs[i]))[0], np.float64, f"example {i}")


def test_lstm_layer_double_backward_through_a_training_step():
    # create_graph recomputes the layer from differentiable ops; its gradient
    # of a gradient matches PyTorch's.
    ours, theirs = twin("LSTM", 3, 4)
    x = np.random.default_rng(3).standard_normal((4, 2, 3))
    results = []
    for lib, module in ((ag, ours), (torch, theirs)):
        xt = lib.tensor(x, requires_grad=True)
        out, (h, c) = module(xt)
        (g,) = lib.autograd.grad((out * out).sum() + (c * h).sum(), xt, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), module.weight_hh_l0)
        results.append((g, gg))
    for a, t in zip(*results):
        assert_close(a, t, np.float64, "gradients")


# ---- cells ---------------------------------------------------------------------------------------

CELLS = [
    ("RNNCell", {}),
    ("RNNCell", {"nonlinearity": "relu"}),
    ("RNNCell", {"bias": False}),
    ("LSTMCell", {}),
    ("LSTMCell", {"bias": False}),
    ("GRUCell", {}),
    ("GRUCell", {"bias": False}),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_state", [True, False], ids=["hx", "zeros"])
@pytest.mark.parametrize("name,config", CELLS, ids=[f"{n}-{c}" for n, c in CELLS])
def test_cell_matches_torch(name, config, with_state, batched, dtype):
    rng = np.random.default_rng(0)
    ours, theirs = twin(name, 4, 5, dtype=dtype, **config)
    lead = (3,) if batched else ()
    xs = [rng.standard_normal(lead + (4,)).astype(dtype) for _ in range(3)]
    hs = [rng.standard_normal(lead + (5,)).astype(dtype) for _ in range(2)]
    results = []
    for lib, cell in ((ag, ours), (torch, theirs)):
        inputs = [lib.tensor(x, requires_grad=True) for x in xs]
        states = [lib.tensor(h, requires_grad=True) for h in hs]
        state = None
        if with_state:
            state = (states[0], states[1]) if name == "LSTMCell" else states[0]
        total = 0
        for x in inputs:  # three steps, as a hand-written loop would run them
            state = cell(x, state)
            h = state[0] if name == "LSTMCell" else state
            total = total + (h * h).sum()
        total.backward()
        grads = [x.grad for x in inputs] + (
            [s.grad for s in states[: 2 if name == "LSTMCell" else 1]] if with_state else []
        )
        results.append((_states(state), grads, [p.grad for _, p in cell.named_parameters()]))
    (s_a, g_a, p_a), (s_t, g_t, p_t) = results
    for a, t in zip(s_a + tuple(g_a) + tuple(p_a), s_t + tuple(g_t) + tuple(p_t)):
        assert_close(a, t, dtype)


# ---- modules: repr, parameters, state_dict interchange --------------------------------------

REPRS = [
    lambda m: m.nn.RNN(3, 4, nonlinearity="relu"),
    lambda m: m.nn.RNN(3, 4, 2, bias=False, batch_first=True, dropout=0.5, bidirectional=True),
    lambda m: m.nn.LSTM(3, 4, proj_size=2),
    lambda m: m.nn.LSTM(10, 20, 3, dropout=0.25, bidirectional=True),
    lambda m: m.nn.GRU(3, 4, batch_first=True),
    lambda m: m.nn.RNNCell(3, 4, nonlinearity="relu"),
    lambda m: m.nn.LSTMCell(3, 4, bias=False),
    lambda m: m.nn.GRUCell(3, 4),
    lambda m: m.nn.Sequential(m.nn.Embedding(10, 3), m.nn.GRU(3, 4)),
]


@pytest.mark.parametrize("build", REPRS)
def test_repr_parameters_and_state_dict_match_torch(build):
    ours, theirs = build(ag), build(torch)
    assert repr(ours) == repr(theirs)
    a, t = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(t)
    for key in t:
        assert tuple(a[key].shape) == tuple(t[key].shape), key
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_rnn_attributes_match_torch():
    ours = ag.nn.LSTM(3, 4, 2, bidirectional=True, proj_size=2)
    theirs = torch.nn.LSTM(3, 4, 2, bidirectional=True, proj_size=2)
    assert ours._flat_weights_names == theirs._flat_weights_names
    assert [[tuple(p.shape) for p in layer] for layer in ours.all_weights] == [
        [tuple(p.shape) for p in layer] for layer in theirs.all_weights
    ]
    for attr in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                 "dropout", "bidirectional", "proj_size"):  # fmt: skip
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    ours.flatten_parameters()  # accepted, as programs call it after .to(device)
    assert ag.nn.RNN(2, 3, nonlinearity="relu").nonlinearity == "relu"


def test_default_initialisation_is_uniform_in_one_over_sqrt_hidden():
    ag.manual_seed(0)
    for layer in (ag.nn.LSTM(30, 64, 2), ag.nn.GRUCell(30, 64), ag.nn.RNN(5, 16)):
        bound = 1 / np.sqrt(layer.hidden_size)
        for name, p in layer.named_parameters():
            values = to_np(p)
            assert np.abs(values).max() <= bound, name
            assert np.abs(values).max() > 0.9 * bound, name
            if values.size >= 1000:
                assert abs(values.mean()) < 0.1 * bound, name


def test_state_dict_loads_into_torch_and_back():
    ag.manual_seed(0)
    ours = ag.nn.GRU(3, 4, 2, bidirectional=True)
    theirs = torch.nn.GRU(3, 4, 2, bidirectional=True)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32)
    assert_close(ours(ag.tensor(x))[0], theirs(torch.tensor(x))[0], np.float32)


def test_dropout_between_layers():
    # dropout=1 zeroes every layer's input but the first's: deterministic.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_layer("LSTM", {"num_layers": 3, "dropout": 1.0}, np.float64, True)
    lstm = ag.nn.LSTM(4, 5, 2, dropout=0.5)
    x = ag.randn(6, 2, 4)
    ag.manual_seed(7)
    first = to_np(lstm(x)[0])
    ag.manual_seed(7)
    np.testing.assert_array_equal(first, to_np(lstm(x)[0]))
    ag.manual_seed(8)
    assert not np.array_equal(first, to_np(lstm(x)[0]))
    lstm.eval()
    np.testing.assert_array_equal(to_np(lstm(x)[0]), to_np(lstm(x)[0]))
    with ag.no_grad():
        out_eval = to_np(lstm(x)[0])
    plain = ag.nn.LSTM(4, 5, 2)
    plain.load_state_dict(lstm.state_dict())
    np.testing.assert_array_equal(out_eval, to_np(plain(x)[0]))


# ---- errors ------------------------------------------------------------------------------------

ERRORS = {
    "input_4d": lambda m: m.nn.LSTM(3, 4)(m.randn(2, 3, 4, 5)),
    "gru_input_4d": lambda m: m.nn.GRU(3, 4)(m.randn(2, 3, 4, 5)),
    "rnn_input_1d": lambda m: m.nn.RNN(3, 4)(m.randn(5)),
    "input_size": lambda m: m.nn.LSTM(3, 4)(m.randn(5, 2, 2)),
    "hidden_batch": lambda m: m.nn.LSTM(3, 4)(
        m.randn(5, 2, 3), (m.zeros(1, 3, 4), m.zeros(1, 2, 4))
    ),
    "cell_size": lambda m: m.nn.LSTM(3, 4)(m.randn(5, 2, 3), (m.zeros(1, 2, 4), m.zeros(2, 2, 4))),
    "hx_dims_batched": lambda m: m.nn.GRU(3, 4)(m.randn(5, 2, 3), m.zeros(2, 4)),
    "hx_dims_unbatched": lambda m: m.nn.GRU(3, 4)(m.randn(5, 3), m.zeros(1, 1, 4)),
    "lstm_hx_dims": lambda m: m.nn.LSTM(3, 4)(m.randn(5, 3), (m.zeros(1, 1, 4), m.zeros(1, 1, 4))),
    "rnn_hidden_size": lambda m: m.nn.RNN(3, 4, 2)(m.randn(5, 2, 3), m.zeros(1, 2, 4)),
    "dtype": lambda m: m.nn.LSTM(3, 4)(m.randn(5, 2, 3, dtype=m.float64)),
    "cell_input_dims": lambda m: m.nn.RNNCell(3, 4)(m.randn(2, 2, 3)),
    "cell_batch": lambda m: m.nn.LSTMCell(3, 4)(m.randn(2, 3), (m.zeros(3, 4), m.zeros(2, 4))),
    "cell_input_size": lambda m: m.nn.GRUCell(3, 4)(m.randn(2, 5)),
    "cell_hidden_dims": lambda m: m.nn.RNNCell(3, 4)(m.randn(2, 3), m.zeros(2, 2, 4)),
    "dropout_range": lambda m: m.nn.LSTM(3, 4, dropout=1.5),
    "dropout_bool": lambda m: m.nn.LSTM(3, 4, dropout=True),
    "hidden_zero": lambda m: m.nn.LSTM(3, 0),
    "layers_zero": lambda m: m.nn.LSTM(3, 4, 0),
    "proj_too_big": lambda m: m.nn.LSTM(3, 4, proj_size=4),
    "proj_negative": lambda m: m.nn.LSTM(3, 4, proj_size=-1),
    "hidden_float": lambda m: m.nn.LSTM(3, 4.0),
    # Checked before any layer is built: no time is spent on 2**40 layers.
    "input_tensor": lambda m: m.nn.LSTM(m.tensor(1), 2, 2**40, False),
    "input_zero": lambda m: m.nn.GRU(0, 2),
    "bias_int": lambda m: m.nn.RNN(3, 4, 1, 1),
    "batch_first_int": lambda m: m.nn.LSTM(3, 4, 1, True, 1),
    "nonlinearity": lambda m: m.nn.RNN(3, 4, nonlinearity="sig"),
    "gru_proj": lambda m: m.nn.GRU(3, 4, proj_size=2),
    "pack_unsorted": lambda m: m.nn.utils.rnn.pack_padded_sequence(m.randn(4, 3, 1), [2, 4, 2]),
    "pack_zero_length": lambda m: m.nn.utils.rnn.pack_padded_sequence(m.randn(4, 3, 1), [4, 2, 0]),
    "pack_lengths_count": lambda m: m.nn.utils.rnn.pack_padded_sequence(m.randn(4, 3, 1), [4, 2]),
    "pad_total_length": lambda m: m.nn.utils.rnn.pad_packed_sequence(
        m.nn.utils.rnn.pack_padded_sequence(m.randn(4, 3, 1), [4, 2, 2]), total_length=2
    ),
    "pad_side": lambda m: m.nn.utils.rnn.pad_sequence([m.ones(2)], padding_side="middle"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[name](ag)
    assert str(ours.value) == str(theirs.value)


def test_dropout_warning_matches_torch():
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="dropout option adds dropout after all but last"):
            lib.nn.GRU(3, 4, dropout=0.2)


# ---- nn.utils.rnn ---------------------------------------------------------------------------


def test_pad_sequence_matches_torch():
    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal((n, 2)) for n in (3, 5, 1)]
    for kwargs in ({}, {"batch_first": True}, {"padding_value": -1.5, "padding_side": "left"}):
        a_in = [ag.tensor(s, requires_grad=True) for s in seqs]
        t_in = [torch.tensor(s, requires_grad=True) for s in seqs]
        a = ag.nn.utils.rnn.pad_sequence(a_in, **kwargs)
        t = torch.nn.utils.rnn.pad_sequence(t_in, **kwargs)
        np.testing.assert_array_equal(to_np(a), to_np(t))
        (a * a).sum().backward()
        (t * t).sum().backward()
        for x, y in zip(a_in, t_in):
            np.testing.assert_array_equal(to_np(x.grad), to_np(y.grad))


def test_pack_and_unpack_helpers_match_torch():
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 3)) for n in (2, 4, 4, 1)]
    for lib in (ag, torch):
        u = lib.nn.utils.rnn
        packed = u.pack_sequence([lib.tensor(s) for s in seqs], enforce_sorted=False)
        if lib is ag:
            ours = packed
        else:
            theirs = packed
    np.testing.assert_array_equal(to_np(ours.data), to_np(theirs.data))
    np.testing.assert_array_equal(ours.batch_sizes.numpy(), theirs.batch_sizes.numpy())
    np.testing.assert_array_equal(ours.sorted_indices.numpy(), theirs.sorted_indices.numpy())
    np.testing.assert_array_equal(ours.unsorted_indices.numpy(), theirs.unsorted_indices.numpy())
    assert ours._fields == theirs._fields
    unpacked = ag.nn.utils.rnn.unpack_sequence(ours)
    for a, s in zip(unpacked, seqs):
        np.testing.assert_array_equal(to_np(a), s)
    padded, lengths = ag.nn.utils.rnn.pad_packed_sequence(ours, batch_first=True, total_length=6,
                                                          padding_value=9.0)  # fmt: skip
    tpadded, tlengths = torch.nn.utils.rnn.pad_packed_sequence(
        theirs, batch_first=True, total_length=6, padding_value=9.0
    )
    np.testing.assert_array_equal(to_np(padded), to_np(tpadded))
    np.testing.assert_array_equal(lengths.numpy(), tlengths.numpy())
    assert str(lengths.dtype) == str(tlengths.dtype)
    parts = ag.nn.utils.rnn.unpad_sequence(padded, lengths, batch_first=True)
    assert [tuple(p.shape) for p in parts] == [(2, 3), (4, 3), (4, 3), (1, 3)]
    sorted_pack = ag.nn.utils.rnn.pack_sequence([ag.tensor(s) for s in sorted(seqs, key=len)[::-1]])
    assert sorted_pack.sorted_indices is None and sorted_pack.unsorted_indices is None
    assert ag.nn.utils.rnn.invert_permutation(ag.tensor([2, 0, 1])).tolist() == [1, 2, 0]
    assert ours.double().data.dtype == ag.float64 and ours.to(ag.float32).data.dtype == ag.float32


def test_packed_sequence_construction():
    data, sizes = ag.randn(5, 2), ag.tensor([3, 2])
    p = ag.nn.utils.rnn.PackedSequence(data, sizes)
    assert p.sorted_indices is None and p.batch_sizes is sizes
    legacy = ag.nn.utils.rnn.PackedSequence((data, sizes))
    assert legacy.data is data
    p2 = ag.nn.utils.rnn.PackedSequence(data, sizes, ag.tensor([1, 0]))
    assert p2.unsorted_indices.tolist() == [1, 0]
    data_out, batch_sizes, *_ = p2  # unpacks as a tuple, as programs do
    assert data_out is data


# ---- a language model trained side by side -----------------------------------------------------


def _lm(lib, kind):
    class RNNModel(lib.nn.Module):
        def __init__(self, ntoken=20, ninp=8, nhid=8, nlayers=2):
            super().__init__()
            self.drop = lib.nn.Dropout(0.0)
            self.encoder = lib.nn.Embedding(ntoken, ninp)
            self.rnn = getattr(lib.nn, kind)(ninp, nhid, nlayers, dropout=0.0)
            self.decoder = lib.nn.Linear(nhid, ntoken)
            self.decoder.weight = self.encoder.weight  # tied, as the word-LM example does
            self.nhid, self.nlayers = nhid, nlayers

        def forward(self, input, hidden):
            emb = self.drop(self.encoder(input))
            output, hidden = self.rnn(emb, hidden)
            decoded = self.decoder(self.drop(output)).view(-1, 20)
            return lib.nn.functional.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz):
            weight = next(self.parameters())
            zeros = lib.zeros(self.nlayers, bsz, self.nhid, dtype=weight.dtype)
            return (zeros, zeros.clone()) if kind == "LSTM" else zeros

    return RNNModel()


def _repackage(h):
    return tuple(v.detach() for v in h) if isinstance(h, tuple) else h.detach()


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_word_language_model_trains_like_torch(kind):
    ours, theirs = _lm(ag, kind), _lm(torch, kind)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(0)
    data = rng.integers(0, 20, size=(41, 4))
    losses = []
    for lib, model in ((ag, ours), (torch, theirs)):
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        hidden = model.init_hidden(4)
        trace = []
        for i in range(0, 40, 8):
            x = lib.tensor(data[i : i + 8])
            y = lib.tensor(data[i + 1 : i + 9]).reshape(-1)
            hidden = _repackage(hidden)
            model.zero_grad()
            out, hidden = model(x, hidden)
            loss = lib.nn.functional.nll_loss(out, y)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            opt.step()
            trace.append(float(loss))
        losses.append(trace)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
