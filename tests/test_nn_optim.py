"""nn.Module semantics, layers' defaults, optimizers against PyTorch from the
same weights, schedulers, data loading and save/load."""

import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import nn
from oracle import requires_torch, torch


def to_np(t):
    return t.detach().numpy()


# ---- modules -------------------------------------------------------------------


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
        self.norm = nn.BatchNorm1d(3)
        self.head = nn.Sequential(OrderedDict(drop=nn.Dropout(0.5), out=nn.Linear(3, 2)))
        self.register_buffer("steps", ag.zeros(1))
        self.register_buffer("scratch", ag.zeros(1), persistent=False)
        self.scale = nn.Parameter(ag.ones(1))

    def forward(self, x):
        x = self.act(self.fc1(x))
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x)) * self.scale


def test_registration_and_traversal():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "scale", "fc1.weight", "fc1.bias", "blocks.0.weight", "blocks.0.bias",
        "blocks.1.weight", "blocks.1.bias", "norm.weight", "norm.bias",
        "head.out.weight", "head.out.bias",
    ]  # fmt: skip
    assert len(list(net.parameters())) == 11
    assert [n for n, _ in net.named_buffers()] == [
        "steps",
        "scratch",
        "norm.running_mean",
        "norm.running_var",
        "norm.num_batches_tracked",
    ]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "blocks", "norm", "head"]
    assert len(list(net.modules())) == 10
    assert "scratch" not in net.state_dict() and "steps" in net.state_dict()
    assert isinstance(net.fc1.weight, nn.Parameter) and net.fc1.weight.requires_grad
    net.fc1 = nn.Linear(4, 3, bias=False)
    assert net.fc1.bias is None and "fc1.bias" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="cannot assign"):
        net.scale = ag.ones(1)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = net.nothing


def test_train_eval_switch_dropout_and_batchnorm():
    net = Net()
    x = ag.randn(16, 4)
    net.eval()
    assert not net.training and not net.head.drop.training
    a, b = net(x), net(x)
    assert np.array_equal(to_np(a), to_np(b))
    before = to_np(net.norm.running_mean).copy()
    net.train()
    net(x)
    assert not np.array_equal(before, to_np(net.norm.running_mean))
    assert net.norm.num_batches_tracked.item() == 1


def test_state_dict_round_trip_and_errors():
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (n1, p1), (n2, p2) in zip(a.state_dict().items(), b.state_dict().items()):
        assert n1 == n2 and np.array_equal(to_np(p1), to_np(p2))
    sd = a.state_dict()
    del sd["fc1.bias"]
    sd["extra"] = ag.ones(1)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "fc1.bias"') as err:
        b.load_state_dict(sd)
    assert 'Unexpected key(s) in state_dict: "extra"' in str(err.value)
    result = b.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc1.bias"] and result.unexpected_keys == ["extra"]
    sd = a.state_dict()
    sd["fc1.weight"] = ag.ones(2, 2)
    with pytest.raises(RuntimeError, match="size mismatch for fc1.weight"):
        b.load_state_dict(sd)


def test_to_dtype_zero_grad_apply_and_hooks():
    net = nn.Linear(3, 2).double()
    assert net.weight.dtype == ag.float64 and isinstance(net.weight, nn.Parameter)
    net(ag.ones(1, 3, dtype=ag.float64)).sum().backward()
    assert net.weight.grad is not None
    net.zero_grad()
    assert net.weight.grad is None
    seen = []
    handle = net.register_forward_hook(lambda m, inp, out: seen.append(out.shape))
    net(ag.ones(5, 3, dtype=ag.float64))
    handle.remove()
    net(ag.ones(5, 3, dtype=ag.float64))
    assert seen == [(5, 2)]
    count = []
    net.apply(lambda m: count.append(type(m).__name__))
    assert count == ["Linear"]


@requires_torch
def test_module_reprs_match_torch():
    def build(m):
        return m.nn.Sequential(
            m.nn.Conv2d(1, 4, 3, padding=1),
            m.nn.ReLU(),
            m.nn.MaxPool2d(2),
            m.nn.Flatten(),
            m.nn.Linear(16, 10, bias=False),
            m.nn.LayerNorm(10),
            m.nn.BatchNorm1d(10),
            m.nn.Dropout(0.25),
            m.nn.GELU(),
            m.nn.Softmax(dim=1),
            m.nn.Embedding(5, 2, padding_idx=0),
            m.nn.CrossEntropyLoss(),
        )

    assert repr(build(ag)) == repr(build(torch))
    assert repr(ag.nn.Parameter(ag.ones(2))) == repr(torch.nn.Parameter(torch.ones(2)))


# Initial distributions (every module, every nn.init function) are compared
# with PyTorch's in test_init_distributions.py.


# ---- optimizers -----------------------------------------------------------------------


def train(lib, opt_name, kwargs, dtype, steps=6, sched=None):
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((4, 3))
    w2 = rng.standard_normal((3,))
    x = rng.standard_normal((8, 4))
    y = rng.standard_normal((8,))
    dt = getattr(lib, dtype)
    p1 = lib.nn.Parameter(lib.tensor(w1, dtype=dt))
    p2 = lib.nn.Parameter(lib.tensor(w2, dtype=dt))
    opt = getattr(lib.optim, opt_name)([{"params": [p1]}, {"params": [p2], "lr": 0.02}], **kwargs)
    scheduler = sched(lib, opt) if sched else None
    X, Y = lib.tensor(x, dtype=dt), lib.tensor(y, dtype=dt)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((X @ p1).tanh() @ p2 - Y).pow(2).mean()
        loss.backward()
        opt.step()
        if scheduler:
            scheduler.step()
    return [to_np(p1), to_np(p2)]


OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.99), amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.05)),
]


@requires_torch
@pytest.mark.parametrize("dtype,rtol,atol", [("float64", 1e-10, 1e-10), ("float32", 1.3e-6, 1e-5)])
@pytest.mark.parametrize(
    "name,kwargs", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)]
)
def test_optimizers_match_torch(name, kwargs, dtype, rtol, atol):
    ours = train(ag, name, kwargs, dtype)
    theirs = train(torch, name, kwargs, dtype)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@requires_torch
@pytest.mark.parametrize(
    "sched",
    [
        lambda m, o: m.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
        lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.001),
    ],
)
def test_schedulers_match_torch(sched):
    ours = train(ag, "SGD", dict(lr=0.1, momentum=0.9), "float64", steps=10, sched=sched)
    theirs = train(torch, "SGD", dict(lr=0.1, momentum=0.9), "float64", steps=10, sched=sched)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_optimizer_state_dict_round_trip_continues_identically():
    def run(split):
        ag.manual_seed(3)
        model = nn.Linear(3, 1).double()
        opt = ag.optim.Adam(model.parameters(), lr=0.1)
        x = ag.randn(5, 3, dtype=ag.float64)
        for step in range(6):
            if step == split:
                buf = io.BytesIO()
                ag.save({"model": model.state_dict(), "opt": opt.state_dict()}, buf)
                buf.seek(0)
                ck = ag.load(buf)
                model = nn.Linear(3, 1).double()
                model.load_state_dict(ck["model"])
                opt = ag.optim.Adam(model.parameters(), lr=0.1)
                opt.load_state_dict(ck["opt"])
            opt.zero_grad()
            model(x).pow(2).sum().backward()
            opt.step()
        return to_np(model.weight)

    np.testing.assert_array_equal(run(split=-1), run(split=3))


def test_optimizer_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        ag.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        ag.optim.Adam([nn.Parameter(ag.ones(1))], lr=-1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        ag.optim.SGD([ag.ones(1, requires_grad=True) * 2], lr=0.1)


def test_optimizer_step_bumps_versions():
    p = nn.Parameter(ag.ones(2))
    y = p * p
    p.grad = ag.ones(2)
    ag.optim.SGD([p], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ---- data ------------------------------------------------------------------------------


def test_dataloader_batches_shuffle_and_drop_last():
    x = ag.arange(10).float().unsqueeze(1)
    y = ag.arange(10)
    ds = ag.utils.data.TensorDataset(x, y)
    assert len(ds) == 10 and ds[3][1].item() == 3
    batches = list(ag.utils.data.DataLoader(ds, batch_size=4))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(ag.utils.data.DataLoader(ds, batch_size=4, drop_last=True)) == 2

    def order(seed):
        g = ag.Generator().manual_seed(seed)
        loader = ag.utils.data.DataLoader(ds, batch_size=3, shuffle=True, generator=g)
        return [i for _, yb in loader for i in yb.tolist()]

    assert order(1) == order(1) and order(1) != order(2)
    assert sorted(order(1)) == list(range(10))
    ag.manual_seed(5)
    first = [
        i for _, yb in ag.utils.data.DataLoader(ds, batch_size=5, shuffle=True) for i in yb.tolist()
    ]
    ag.manual_seed(5)
    again = [
        i for _, yb in ag.utils.data.DataLoader(ds, batch_size=5, shuffle=True) for i in yb.tolist()
    ]
    assert first == again


def test_default_collate_of_python_samples():
    class Pairs(ag.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return {"x": ag.ones(2) * i, "label": i}

    batch = next(iter(ag.utils.data.DataLoader(Pairs(), batch_size=3)))
    assert batch["x"].shape == (3, 2) and batch["label"].tolist() == [0, 1, 2]


# ---- save / load -----------------------------------------------------------------------


def test_save_load_round_trip(tmp_path):
    obj = {
        "w": ag.randn(3, 4),
        "i": ag.arange(5, dtype=ag.int32),
        "b": ag.tensor([True, False]),
        "d": ag.ones(2, dtype=ag.float64, requires_grad=True),
        "p": nn.Parameter(ag.zeros(2)),
        "meta": {"epoch": 3, "lr": 0.1, "name": "run", "dims": (1, 2), "none": None},
        "big": 2**62,
        1: [ag.zeros(0, 3)],
    }
    path = tmp_path / "ck.agc"
    ag.save(obj, path)
    back = ag.load(path)
    assert set(back) == set(obj)
    for key in ("w", "i", "b", "d", "p"):
        assert back[key].dtype == obj[key].dtype
        assert np.array_equal(to_np(back[key]), to_np(obj[key]))
    assert back["d"].requires_grad and isinstance(back["p"], nn.Parameter)
    assert back["meta"] == obj["meta"] and back["big"] == 2**62 and back[1][0].shape == (0, 3)


def test_load_rejects_truncated_corrupt_and_foreign_files(tmp_path):
    path = tmp_path / "model.agc"
    ag.save({"w": ag.randn(10, 10)}, path)
    blob = path.read_bytes()
    (tmp_path / "short.agc").write_bytes(blob[:-7])
    with pytest.raises(RuntimeError, match="short.agc.*is truncated"):
        ag.load(tmp_path / "short.agc")
    damaged = bytearray(blob)
    damaged[-5] ^= 0xFF
    (tmp_path / "bad.agc").write_bytes(bytes(damaged))
    with pytest.raises(RuntimeError, match="bad.agc.*is corrupted"):
        ag.load(tmp_path / "bad.agc")
    (tmp_path / "other.bin").write_bytes(b"\x80\x04K\x01.")  # a pickle: never run
    with pytest.raises(RuntimeError, match="other.bin.*is not a file written by autograd_cpp.save"):
        ag.load(tmp_path / "other.bin")
    ag.save(object(), tmp_path / "x.agc")  # any object is pickled, as torch.save does
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ag.load(tmp_path / "x.agc")
    assert type(ag.load(tmp_path / "x.agc", weights_only=False)) is object


# ---- optimizer state: state_dict, load_state_dict, repr against PyTorch ---------------


def _optimizer_after(lib, name, kwargs, steps):
    rng = np.random.default_rng(4)
    p1 = lib.nn.Parameter(lib.tensor(rng.standard_normal((4, 3))))
    p2 = lib.nn.Parameter(lib.tensor(rng.standard_normal(3)))
    x = lib.tensor(rng.standard_normal((8, 4)))
    opt = getattr(lib.optim, name)([{"params": [p1]}, {"params": [p2], "lr": 0.02}], **kwargs)

    def step():
        opt.zero_grad()
        ((x @ p1).tanh() @ p2).pow(2).mean().backward()
        opt.step()

    for _ in range(steps):
        step()
    return opt, step, [p1, p2]


def _torch_only(name):
    from test_defaults import KNOWN_MISSING

    return KNOWN_MISSING.get(f"optim.{name}", set())


def _plain(value, lib):
    if isinstance(value, lib.Tensor):
        return value.detach().numpy().copy()
    return value


@requires_torch
@pytest.mark.parametrize(
    "name,kwargs", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)]
)
def test_optimizer_state_dict_and_repr_match_torch(name, kwargs):
    ours, _, _ = _optimizer_after(ag, name, kwargs, steps=3)
    theirs, _, _ = _optimizer_after(torch, name, kwargs, steps=3)
    skip = _torch_only(name)
    a, t = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(t) == ["state", "param_groups"]
    assert [{k: v for k, v in g.items() if k not in skip} for g in t["param_groups"]] == a[
        "param_groups"
    ]
    assert list(a["state"]) == list(t["state"])
    for i in t["state"]:
        assert list(a["state"][i]) == list(t["state"][i])
        for key, value in t["state"][i].items():
            np.testing.assert_allclose(
                _plain(a["state"][i][key], ag), _plain(value, torch), rtol=1e-12, err_msg=key
            )
    shown = [ln for ln in repr(theirs).splitlines() if ln.strip().split(":")[0] not in skip]
    assert repr(ours).splitlines() == shown


@requires_torch
@pytest.mark.parametrize(
    "name,kwargs", OPTIMIZERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(OPTIMIZERS)]
)
def test_load_state_dict_from_torch_continues_like_torch(name, kwargs):
    """PyTorch's optimizer state (tensors converted), loaded into ours, with a
    changed learning rate in it: both continue with the same updates."""
    theirs, torch_step, torch_params = _optimizer_after(torch, name, kwargs, steps=3)
    ours, our_step, our_params = _optimizer_after(ag, name, kwargs, steps=0)
    for p, tp in zip(our_params, torch_params):
        with ag.no_grad():
            p.copy_(ag.tensor(tp.detach().numpy()))
    saved = theirs.state_dict()
    saved["param_groups"][1]["lr"] = 0.005
    theirs.load_state_dict(saved)
    converted = {
        "state": {
            i: {k: ag.tensor(v.numpy()) if isinstance(v, torch.Tensor) else v for k, v in s.items()}
            for i, s in saved["state"].items()
        },
        "param_groups": [
            {k: v for k, v in g.items() if k not in _torch_only(name)}
            for g in saved["param_groups"]
        ],
    }
    ours.load_state_dict(converted)
    assert ours.param_groups[1]["lr"] == 0.005
    for _ in range(3):
        torch_step()
        our_step()
    for p, tp in zip(our_params, torch_params):
        np.testing.assert_allclose(to_np(p), tp.detach().numpy(), rtol=1e-11, atol=1e-12)


def test_load_state_dict_rejects_a_different_layout():
    opt, _, _ = _optimizer_after(ag, "Adam", {}, steps=1)
    sd = opt.state_dict()
    one_group = {"state": {}, "param_groups": sd["param_groups"][:1]}
    with pytest.raises(
        ValueError, match=r"^loaded state dict has a different number of parameter groups$"
    ):
        opt.load_state_dict(one_group)
    resized = {"state": {}, "param_groups": [dict(sd["param_groups"][0]), sd["param_groups"][1]]}
    resized["param_groups"][0]["params"] = [0, 1]
    with pytest.raises(
        ValueError,
        match=r"^loaded state dict contains a parameter group that doesn't match the size of "
        r"optimizer's group$",
    ):
        opt.load_state_dict(resized)
