"""Checkpoints in PyTorch's format, both ways, against the installed torch:
state_dicts of every module, optimizer states, nested checkpoints, shared
storages and views, the format before PyTorch 1.6, map_location and mmap;
and files that must be refused without running anything."""

import io
import os
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import _torch_format, nn, serialization
from oracle import requires_torch, torch

pytestmark = requires_torch

DTYPES = ["float32", "float64", "int64", "int32", "bool"]


def to_np(t):
    return t.detach().numpy() if isinstance(t, ag.Tensor) else t.detach().cpu().numpy()


def same_tensor(ours, theirs):
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(to_np(ours), to_np(theirs))


def torch_to_ours(obj, tmp_path, **kwargs):
    path = tmp_path / "from_torch.pt"
    torch.save(obj, path, **kwargs)
    return ag.load(path)


def ours_to_torch(obj, tmp_path, weights_only=True, **kwargs):
    path = tmp_path / "from_ours.pt"
    ag.save(obj, path, **kwargs)
    return torch.load(path, weights_only=weights_only)


# ---- state dicts of every module ------------------------------------------------

# (constructor, input shape or None for modules that take no float input)
MODULES = {
    "Linear": (lambda m: m.nn.Linear(5, 3), (4, 5)),
    "Linear-nobias": (lambda m: m.nn.Linear(5, 3, bias=False), (4, 5)),
    "Conv1d": (lambda m: m.nn.Conv1d(2, 3, 3, padding=1), (2, 2, 7)),
    "Conv2d": (lambda m: m.nn.Conv2d(2, 4, 3, stride=2, padding=1), (2, 2, 8, 8)),
    "LayerNorm": (lambda m: m.nn.LayerNorm(6), (3, 6)),
    "BatchNorm1d": (lambda m: m.nn.BatchNorm1d(4), (5, 4)),
    "BatchNorm2d": (lambda m: m.nn.BatchNorm2d(3), (2, 3, 4, 4)),
    "Embedding": (lambda m: m.nn.Embedding(10, 4, padding_idx=0), None),
    "ConvTranspose2d": (lambda m: m.nn.ConvTranspose2d(3, 2, 3, stride=2), (2, 3, 4, 4)),
    "Conv3d": (lambda m: m.nn.Conv3d(2, 3, 2), (1, 2, 4, 4, 4)),
    "GroupNorm": (lambda m: m.nn.GroupNorm(2, 4), (3, 4, 5)),
    "InstanceNorm2d": (
        lambda m: m.nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
        (2, 3, 4, 4),
    ),
    "BatchNorm3d": (lambda m: m.nn.BatchNorm3d(2), (2, 2, 3, 3, 3)),
    "PReLU": (lambda m: m.nn.PReLU(3), (2, 3, 4)),
    "RNN": (lambda m: m.nn.RNN(4, 5, num_layers=2, nonlinearity="relu"), (6, 2, 4)),
    "LSTM": (lambda m: m.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=3), (6, 2, 4)),
    "GRU": (lambda m: m.nn.GRU(4, 5, batch_first=True, bidirectional=True), (2, 6, 4)),
    "TransformerEncoderLayer": (
        lambda m: m.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
        (2, 5, 8),
    ),
    "TransformerDecoderLayer-self": (
        lambda m: m.nn.TransformerDecoderLayer(8, 2, 16, norm_first=True),
        None,
    ),
    "Sequential": (
        lambda m: m.nn.Sequential(
            m.nn.Conv2d(1, 4, 3),
            m.nn.BatchNorm2d(4),
            m.nn.ReLU(),
            m.nn.AvgPool2d(1),
            m.nn.MaxPool2d(2),
            m.nn.Flatten(),
            m.nn.Dropout(0.2),
            m.nn.Linear(36, 10),
            m.nn.GELU(),
            m.nn.LayerNorm(10),
            m.nn.Identity(),
            m.nn.SiLU(),
            m.nn.Tanh(),
            m.nn.Sigmoid(),
            m.nn.LeakyReLU(),
            m.nn.ELU(),
            m.nn.Softplus(),
            m.nn.LogSigmoid(),
            m.nn.Softmax(dim=1),
            m.nn.LogSoftmax(dim=1),
        ),
        (2, 1, 8, 8),
    ),
    "ModuleList-ModuleDict": (
        lambda m: m.nn.ModuleDict(
            {"a": m.nn.ModuleList([m.nn.Linear(3, 3), m.nn.Linear(3, 2)]), "b": m.nn.LayerNorm(2)}
        ),
        None,
    ),
}


def trained_state(model, shape, lib):
    """A state with moved running statistics (a few forward passes in training mode)."""
    if shape is not None:
        gen = np.random.default_rng(1)
        for _ in range(2):
            model(lib.tensor(gen.standard_normal(shape), dtype=lib.float32))
    return model


def run(model, shape, lib):
    model.eval()
    if shape is None:
        if isinstance(model, lib.nn.Embedding):
            return model(lib.tensor([[1, 2, 0], [9, 3, 3]]))
        if isinstance(model, lib.nn.TransformerDecoderLayer):
            gen = np.random.default_rng(3)
            target, memory = (
                lib.tensor(gen.standard_normal(s), dtype=lib.float32)
                for s in [(4, 2, 8), (5, 2, 8)]
            )
            return model(target, memory)
        return model["b"](model["a"][1](model["a"][0](lib.ones(2, 3))))
    x = np.random.default_rng(2).standard_normal(shape)
    out = model(lib.tensor(x, dtype=lib.float32))
    return out[0] if isinstance(out, tuple) else out  # recurrent layers: (output, state)


@pytest.mark.parametrize("name", list(MODULES))
def test_module_state_dict_from_torch(name, tmp_path):
    make, shape = MODULES[name]
    torch.manual_seed(0)
    theirs = trained_state(make(torch), shape, torch)
    sd = torch_to_ours(theirs.state_dict(), tmp_path)
    assert isinstance(sd, OrderedDict) and list(sd) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        same_tensor(sd[key], value)
    ours = make(ag)
    ours.load_state_dict(sd)
    with torch.no_grad():
        expected = run(theirs, shape, torch)
    with ag.no_grad():
        np.testing.assert_allclose(
            to_np(run(ours, shape, ag)), to_np(expected), rtol=1e-5, atol=1e-6
        )


@pytest.mark.parametrize("name", list(MODULES))
def test_module_state_dict_to_torch(name, tmp_path):
    make, shape = MODULES[name]
    ag.manual_seed(0)
    ours = trained_state(make(ag), shape, ag)
    sd = ours_to_torch(ours.state_dict(), tmp_path)
    assert list(sd) == list(ours.state_dict())
    for key, value in ours.state_dict().items():
        same_tensor(value, sd[key])
    theirs = make(torch)
    theirs.load_state_dict(sd)
    with torch.no_grad():
        expected = run(theirs, shape, torch)
    with ag.no_grad():
        np.testing.assert_allclose(
            to_np(run(ours, shape, ag)), to_np(expected), rtol=1e-5, atol=1e-6
        )


def test_whole_trained_model_both_ways(tmp_path):
    """A model trained in PyTorch gives the same outputs here, and back."""
    torch.manual_seed(0)
    make, shape = MODULES["Sequential"]
    theirs = make(torch)
    opt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    x = torch.randn(*shape)
    for _ in range(3):
        opt.zero_grad()
        theirs(x).pow(2).sum().backward()
        opt.step()
    ours = make(ag)
    ours.load_state_dict(torch_to_ours(theirs.state_dict(), tmp_path))
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(
        to_np(ours(ag.tensor(x.numpy()))), to_np(theirs(x)), rtol=1e-5, atol=1e-6
    )
    back = make(torch)
    back.load_state_dict(ours_to_torch(ours.state_dict(), tmp_path))
    back.eval()
    np.testing.assert_array_equal(to_np(back(x)), to_np(theirs(x)))


# ---- optimizers -----------------------------------------------------------------

OPTIMIZERS = [
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.05, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
]


def steps(lib, model, opt, n):
    x = lib.tensor(np.random.default_rng(3).standard_normal((6, 4)), dtype=lib.float64)
    for _ in range(n):
        opt.zero_grad()
        model(x).tanh().pow(2).mean().backward()
        opt.step()


def fresh(lib, name, kwargs, weights):
    model = lib.nn.Linear(4, 2).double()
    with lib.no_grad():
        model.weight.copy_(lib.tensor(weights[0]))
        model.bias.copy_(lib.tensor(weights[1]))
    return model, getattr(lib.optim, name)(model.parameters(), **kwargs)


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
@pytest.mark.parametrize("direction", ["torch->ours", "ours->torch"])
def test_optimizer_state_dict_continues_identically(name, kwargs, direction, tmp_path):
    gen = np.random.default_rng(4)
    weights = (gen.standard_normal((2, 4)), gen.standard_normal(2))
    src, dst = (torch, ag) if direction == "torch->ours" else (ag, torch)
    model, opt = fresh(src, name, kwargs, weights)
    steps(src, model, opt, 3)
    path = tmp_path / "ck.pt"
    checkpoint = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}
    if src is torch:
        torch.save(checkpoint, path)
        loaded = ag.load(path)
    else:
        ag.save(checkpoint, path)
        loaded = torch.load(path, weights_only=True)
    assert loaded["epoch"] == 3
    state = loaded["optimizer"]["state"]
    for index, entry in opt.state_dict()["state"].items():
        assert set(state[index]) == set(entry)
        for key, value in entry.items():
            if hasattr(value, "dtype"):
                same_tensor(
                    *((state[index][key], value) if dst is ag else (value, state[index][key]))
                )
    model2, opt2 = fresh(dst, name, kwargs, [np.zeros((2, 4)), np.zeros(2)])
    model2.load_state_dict(loaded["model"])
    opt2.load_state_dict(loaded["optimizer"])
    steps(src, model, opt, 3)
    steps(dst, model2, opt2, 3)
    np.testing.assert_allclose(to_np(model2.weight), to_np(model.weight), rtol=1e-12, atol=1e-14)


# ---- nested checkpoints, dtypes, views ------------------------------------------


def checkpoint(lib):
    base = lib.arange(24, dtype=lib.float64).reshape(4, 6)
    return {
        "epoch": 7,
        "loss": 0.125,
        "name": "run-α",
        "flags": [True, False, None],
        "history": [1.5, 2.5, -3.0],
        "shape": (3, (4, 5)),
        "big": 2**70,
        "raw": b"\x00\xffbytes",
        "tags": {"a", "b"},
        "complex": 1 - 2j,
        "dtype": lib.int32,
        "size": lib.Size([2, 3]),
        "nested": {"deep": [{"t": lib.ones(2)}, (lib.zeros(1, dtype=lib.int64),)]},
        "scalar": lib.tensor(3.5),
        "empty": lib.zeros(0, 3),
        "base": base,
        "view": base[1:3, ::2],
        "transposed": base.t(),
        "grad": lib.ones(3, requires_grad=True),
        "param": lib.nn.Parameter(lib.full((2,), 0.5)),
        "frozen": lib.nn.Parameter(lib.ones(1), requires_grad=False),
        **{dtype: lib.tensor([1, 0, 1], dtype=getattr(lib, dtype)) for dtype in DTYPES},
    }


def assert_same_checkpoint(ours, theirs):
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        mine = ours[key]
        if isinstance(value, torch.Tensor):
            same_tensor(mine, value)
            assert mine.requires_grad == value.requires_grad, key
            assert isinstance(mine, nn.Parameter) == isinstance(value, torch.nn.Parameter), key
            assert (
                mine.stride() == value.stride() and mine.storage_offset() == value.storage_offset()
            )
        elif key == "dtype":
            assert str(mine) == str(value)
        elif key == "nested":
            same_tensor(mine["deep"][0]["t"], value["deep"][0]["t"])
            same_tensor(mine["deep"][1][0], value["deep"][1][0])
        else:
            assert mine == value and type(mine).__name__ == type(value).__name__, key


def test_nested_checkpoint_from_torch(tmp_path):
    ours = torch_to_ours(checkpoint(torch), tmp_path)
    assert_same_checkpoint(ours, checkpoint(torch))
    # The view still shares the base's storage.
    ours["view"][0, 0] = 100.0
    assert ours["base"][1, 0].item() == 100.0
    assert ours["transposed"][0, 1].item() == 100.0


def test_nested_checkpoint_to_torch(tmp_path):
    theirs = ours_to_torch(checkpoint(ag), tmp_path)
    assert_same_checkpoint(checkpoint(ag), theirs)
    theirs["view"][0, 0] = 100.0
    assert theirs["base"][1, 0].item() == 100.0


def test_round_trip_ours(tmp_path):
    path = tmp_path / "ck.pt"
    ag.save(checkpoint(ag), path)
    back = ag.load(path)
    assert_same_checkpoint(back, torch.load(path, weights_only=True))
    assert back["nested"]["deep"][1][0].dtype == ag.int64


def test_shared_storage_is_saved_once(tmp_path):
    base = ag.arange(1000.0)
    views = {"a": base, "b": base[10:20], "c": base.view(10, 100)[:, 3], "d": base}
    path = tmp_path / "views.pt"
    ag.save(views, path)
    names = zipfile.ZipFile(path).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]
    assert path.stat().st_size < 4000 + 2000  # one 4000-byte storage and the small records
    theirs = torch.load(path, weights_only=True)
    assert theirs["a"] is theirs["d"]
    assert theirs["c"].untyped_storage().data_ptr() == theirs["a"].untyped_storage().data_ptr()
    same_tensor(views["c"], theirs["c"])
    torch.save(theirs, path)
    back = ag.load(path)
    assert back["a"] is back["d"]
    back["b"][0] = -1.0
    assert back["a"][10].item() == -1.0 and back["c"][0].item() == 3.0


def test_numpy_arrays_both_ways(tmp_path):
    data = {
        "x": np.arange(12, dtype=np.float32).reshape(3, 4),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "ints": np.array([1, -2], dtype=np.int16),
        "flags": np.array([True, False]),
        "scalar": np.float64(2.5),
        "int_scalar": np.int64(-3),
        "empty": np.zeros((0, 2)),
    }
    for back in (
        ours_to_torch(data, tmp_path, weights_only=False),
        torch_to_ours(data, tmp_path),
        serialization.load(_saved(data)),
    ):
        assert set(back) == set(data)
        for key, value in data.items():
            assert type(back[key]) is type(value), key
            assert back[key].dtype == value.dtype, key
            np.testing.assert_array_equal(back[key], value)
    assert torch_to_ours(data, tmp_path)["x"].flags.writeable


def _saved(obj, **kwargs):
    buf = io.BytesIO()
    ag.save(obj, buf, **kwargs)
    buf.seek(0)
    return buf


def test_file_objects_and_paths(tmp_path):
    buf = _saved({"w": ag.ones(2)})
    assert torch.load(buf, weights_only=True)["w"].tolist() == [1.0, 1.0]
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    buf.seek(0)
    assert ag.load(buf)["w"].tolist() == [1.0, 1.0]
    ag.save(ag.ones(1), str(tmp_path / "s.pt"))
    assert ag.load(str(tmp_path / "s.pt")).tolist() == [1.0]


class _Unseekable(io.RawIOBase):
    def __init__(self, data):
        self.data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, b):
        return self.data.readinto(b)


def test_unseekable_streams(tmp_path):
    chunks = []

    class Sink:
        def write(self, data):
            chunks.append(bytes(data))

    ag.save({"w": ag.arange(3)}, Sink())
    blob = b"".join(chunks)
    assert torch.load(io.BytesIO(blob), weights_only=True)["w"].tolist() == [0, 1, 2]
    assert ag.load(_Unseekable(blob))["w"].tolist() == [0, 1, 2]


@pytest.mark.parametrize("protocol", [2, 4])
def test_legacy_format_both_ways(tmp_path, protocol):
    ck = checkpoint(torch)
    del ck["big"]  # LONG1 up to 2**2039 only in either format; kept simple here
    theirs_path = tmp_path / "legacy_torch.pt"
    torch.save(ck, theirs_path, _use_new_zipfile_serialization=False, pickle_protocol=protocol)
    ours = ag.load(theirs_path)
    assert_same_checkpoint(ours, ck)
    ours["view"][0, 0] = 100.0
    assert ours["base"][1, 0].item() == 100.0
    ours_path = tmp_path / "legacy_ours.pt"
    ag.save(checkpoint(ag), ours_path, _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(ours_path)
    assert_same_checkpoint(checkpoint(ag), torch.load(ours_path, weights_only=True))
    assert_same_checkpoint(ag.load(ours_path), checkpoint(torch))


def test_old_native_format_still_loads(tmp_path):
    path = tmp_path / "old.agcpp"
    obj = {"w": ag.arange(4.0), "meta": {"epoch": 2}}
    serialization._save_native(obj, path)
    assert path.read_bytes()[:8] == b"AGCPPSV1"
    back = ag.load(path)
    assert back["w"].tolist() == [0.0, 1.0, 2.0, 3.0] and back["meta"] == {"epoch": 2}


def test_state_dict_metadata_survives(tmp_path):
    theirs = torch.nn.Linear(2, 2).state_dict()
    ours = torch_to_ours(theirs, tmp_path)
    assert ours._metadata == theirs._metadata
    assert ours_to_torch(ours, tmp_path)._metadata == theirs._metadata


def test_files_are_aligned_and_deterministic(tmp_path):
    obj = {"a": ag.arange(5.0), "b": ag.arange(7, dtype=ag.int64)}
    ag.save(obj, tmp_path / "1.pt")
    ag.save(obj, tmp_path / "2.pt")
    blob = (tmp_path / "1.pt").read_bytes()
    assert blob == (tmp_path / "2.pt").read_bytes()
    for info in zipfile.ZipFile(tmp_path / "1.pt").infolist():
        name_len, extra_len = struct.unpack_from("<HH", blob, info.header_offset + 26)
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
        assert info.compress_type == zipfile.ZIP_STORED


def test_zip64_records_are_read_by_zipfile_and_torch(tmp_path, monkeypatch):
    """Past 4 GiB the sizes and offsets move to zip64 fields; the same code
    path is forced here with a small archive."""
    real = _torch_format._zip_entry
    monkeypatch.setattr(
        _torch_format,
        "_zip_entry",
        lambda name, crc, size, offset: real(name, crc, size, offset, True),
    )
    path = tmp_path / "z64.pt"
    ag.save({"w": ag.arange(10.0)}, path)
    assert zipfile.ZipFile(path).testzip() is None
    assert torch.load(path, weights_only=True)["w"].tolist() == list(map(float, range(10)))
    assert ag.load(path)["w"].tolist() == list(map(float, range(10)))


def test_big_endian_checkpoints(tmp_path):
    values = np.arange(6, dtype=np.float32)
    pickled = _torch_format._PickleWriter(2)
    blob = pickled.dump(ag.arange(6.0))
    path = tmp_path / "be.pt"
    with open(path, "wb") as out:
        _torch_format.write_zip(
            out,
            "be",
            [
                ("data.pkl", blob),
                ("byteorder", b"big"),
                ("data/0", values.astype(">f4").tobytes()),
                ("version", b"3\n"),
            ],
        )
    assert ag.load(path).tolist() == values.tolist()
    assert torch.load(path, weights_only=True).tolist() == values.tolist()


# ---- map_location, mmap, weights_only --------------------------------------------


def _relocated(tmp_path, location):
    """A checkpoint whose storages claim to come from another device."""
    src = tmp_path / "cpu.pt"
    torch.save({"w": torch.arange(3.0)}, src)
    out = tmp_path / f"{location.replace(':', '_')}.pt"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu", pickle.dumps(location, 2)[2:-1])
            zout.writestr(info.filename, data)
    return out


def test_map_location(tmp_path):
    path = _relocated(tmp_path, "cuda:0")
    with pytest.raises(RuntimeError, match="CUDA device but torch.cuda.is_available.. is False"):
        ag.load(path)
    for where in ("cpu", ag.device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s):
        assert ag.load(path, map_location=where)["w"].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(RuntimeError, match="CUDA device"):
        ag.load(path, map_location=lambda s, loc: None)  # None: the default placement
    assert ag.load(path, map_location=lambda s, loc: s.cpu())["w"].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ag.load(path, map_location=lambda s, loc: s.cuda())
    with pytest.raises(RuntimeError, match="CUDA device"):
        ag.load(tmp_path / "cpu.pt", map_location="cuda")
    with pytest.raises(TypeError, match="map_location"):
        ag.load(tmp_path / "cpu.pt", map_location=3)
    with pytest.raises(RuntimeError, match="device 'mps'"):
        ag.load(_relocated(tmp_path, "mps"))


def test_mmap(tmp_path):
    path = tmp_path / "m.pt"
    w = torch.arange(1000.0)
    torch.save({"w": w, "v": w[::3]}, path)
    mapped = ag.load(path, mmap=True)
    assert mapped["v"].tolist() == list(map(float, range(0, 1000, 3)))
    mapped["w"].mul_(2)  # copy-on-write: the file does not change
    assert mapped["v"][1].item() == 6.0
    assert ag.load(path)["w"][1].item() == 1.0
    with pytest.raises(ValueError, match="file path"):
        ag.load(io.BytesIO(path.read_bytes()), mmap=True)
    legacy = tmp_path / "legacy.pt"
    torch.save(torch.ones(1), legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used"):
        ag.load(legacy, mmap=True)


def test_weights_only_and_pickle_arguments(tmp_path):
    path = tmp_path / "w.pt"
    ag.save({"w": ag.ones(1)}, path, pickle_module=pickle, pickle_protocol=2)
    for weights_only in (True, False, None):
        assert ag.load(path, weights_only=weights_only)["w"].tolist() == [1.0]
    assert ag.load(path, pickle_module=pickle, encoding="latin1")["w"].tolist() == [1.0]
    with pytest.raises(TypeError, match="unexpected keyword"):
        ag.load(path, fix_imports=False)
    with pytest.raises(ValueError, match="pickle_protocol"):
        ag.save(1, tmp_path / "p.pt", pickle_protocol=1)


class _Net(nn.Module):  # module-level: pickle finds classes by name
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(5, 3)
        self.rnn = nn.GRU(3, 3)
        self.out = nn.Linear(3, 5)
        self.out.weight = nn.Parameter(self.embed.weight.detach().clone().T.contiguous().T)
        self.register_buffer("steps", ag.tensor(7))
        self.note = "kept"

    def forward(self, idx):
        h, _ = self.rnn(self.embed(idx).unsqueeze(1))
        return self.out(h.squeeze(1))


def _same_module(a, b):
    assert type(a) is type(b)
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        assert sa[k].tolist() == sb[k].tolist() and sa[k].dtype == sb[k].dtype
        assert sa[k].stride() == sb[k].stride()


@pytest.mark.parametrize("zipped", [True, False])
def test_whole_module_needs_weights_only_false(tmp_path, zipped):
    ag.manual_seed(0)
    model = _Net()
    path = tmp_path / "m.pt"
    ag.save(model, path, _use_new_zipfile_serialization=zipped)
    for kwargs in ({}, {"weights_only": True}, {"weights_only": None}):
        with pytest.raises(pickle.UnpicklingError) as info:
            ag.load(path, **kwargs)
        message = str(info.value)
        assert message.startswith("Weights only load failed.")
        assert "with `weights_only` set to `False` will likely succeed" in message
        assert f"{__name__}._Net" in message
    back = ag.load(path, weights_only=False)
    _same_module(model, back)
    assert back.note == "kept" and back.steps.item() == 7
    assert isinstance(back.out.weight, nn.Parameter) and back.out.weight.requires_grad
    idx = ag.tensor([0, 3, 1])
    assert back(idx).tolist() == model(idx).tolist()
    back(idx).sum().backward()  # a working module: gradients reach its parameters
    assert back.embed.weight.grad is not None


def test_whole_module_shares_storages_as_saved(tmp_path):
    class_model = nn.Linear(3, 3)
    shared = {"model": class_model, "again": class_model, "w": class_model.weight}
    buf = io.BytesIO()
    ag.save(shared, buf)
    back = ag.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert back["model"] is back["again"]
    assert back["w"] is back["model"].weight  # one object, as pickle memoizes it
    with pytest.raises(pickle.UnpicklingError, match="Linear"):
        ag.load(io.BytesIO(buf.getvalue()))


def test_plain_checkpoints_still_load_weights_only(tmp_path):
    ag.manual_seed(0)
    model = nn.Linear(2, 2)
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": ag.optim.Adam(model.parameters()).state_dict(),
        "iter_num": 3,
        "best_val_loss": 1.5,
        "config": {"name": "x", "dropout": None, "sizes": (1, 2)},
        "array": np.arange(4.0),
    }
    path = tmp_path / "ckpt.pt"
    ag.save(checkpoint, path)
    back = ag.load(path)  # weights_only=True: the restricted unpickler
    assert back["iter_num"] == 3 and back["config"]["sizes"] == (1, 2)
    assert back["array"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert back["model"]["weight"].tolist() == model.weight.tolist()
    with zipfile.ZipFile(path) as z:
        pickled = z.read(next(n for n in z.namelist() if n.endswith("data.pkl")))
    assert b"__main__" not in pickled and b"copyreg" not in pickled


@requires_torch
def test_torch_reads_our_whole_object_file_and_we_read_its(tmp_path):
    # An object of a class PyTorch does not know, holding tensors: PyTorch reads
    # it with weights_only=False, and we read PyTorch's.
    obj = _Plain(ag.arange(4.0), "x")
    path = tmp_path / "o.pt"
    ag.save(obj, path)
    theirs = torch.load(path, weights_only=False)
    assert theirs.t.tolist() == [0.0, 1.0, 2.0, 3.0] and isinstance(theirs.t, torch.Tensor)
    torch.save(_Plain(torch.ones(2, dtype=torch.float64), "y"), path)
    ours = ag.load(path, weights_only=False)
    assert isinstance(ours.t, ag.Tensor) and ours.t.dtype == ag.float64 and ours.name == "y"
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        ag.load(path)


class _Plain:
    def __init__(self, t, name):
        self.t = t
        self.name = name


def test_unsupported_objects_and_dtypes_are_named(tmp_path):
    path = tmp_path / "half.pt"
    torch.save({"h": torch.ones(2, dtype=torch.float16)}, path)
    with pytest.raises(RuntimeError, match="torch.float16, which autograd_cpp does not have"):
        ag.load(path)
    torch.save(torch.nn.Linear(2, 2), path)  # a whole module: PyTorch's own weights_only refuses it
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.linear.Linear"):
        ag.load(path)


# ---- malicious and damaged files --------------------------------------------------


class _RunsCommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_reduce_payload_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    for kwargs in ({}, {"_use_new_zipfile_serialization": False}):
        path = tmp_path / "evil.pt"
        torch.save({"w": torch.ones(1), "x": _RunsCommand(marker)}, path, **kwargs)
        with pytest.raises(pickle.UnpicklingError, match=r"evil.pt.*'posix.system'"):
            ag.load(path)
        assert not marker.exists()
    # The payload is real: plain pickle would have run it.
    pickle.loads(pickle.dumps(_RunsCommand(marker)))
    assert marker.exists()


def _zip_with_pickle(tmp_path, payload, extra=()):
    path = tmp_path / "crafted.pt"
    with open(path, "wb") as out:
        _torch_format.write_zip(out, "crafted", [("data.pkl", payload), *extra])
    return path


@pytest.mark.parametrize(
    "payload,message",
    [
        (b"\x80\x02cbuiltins\neval\nX\x03\x00\x00\x001+1\x85R.", "'builtins.eval'"),
        (b"\x80\x02c__builtin__\ngetattr\n.", "'builtins.getattr'"),
        (b"\x80\x02c__main__\nEvil\n)R.", "'__main__.Evil'"),
        (b"\x80\x02ctorch.serialization\n_get_layout\n.", "'torch.serialization._get_layout'"),
        (b"\x80\x04\x8c\x02os\x8c\x06system\x93.", "'os.system'"),
        (b"\x80\x02ccollections\nOrderedDict\n}b.", "change the state of the global"),
        (b"\x80\x02ccollections\nOrderedDict\n.", "not a value"),
        (b"\x80\x02ctorch\nFloatStorage\nX\x01\x00\x00\x00x\x85R.", "not callable"),
        (b"\x80\x02cbuiltins\nbytearray\nJ\x00\x00\x00\x7f\x85R.", "only read from bytes"),
        (b"\x80\x02cnumpy\ndtype\nX\x01\x00\x00\x00O\x85R.", "not a plain numeric dtype"),
        (b"\x80\x02N(I1\ni__main__\nX\n.", "opcode INST"),
        (b"\x80\x02Nr\xff\xff\xff\x7f.", "memo index out of range"),
        (b"\x80\x02N\x82\x01.", "opcode EXT1"),
        (b"\x80\x02Nj\x05\x00\x00\x00.", "malformed"),
        (b"\x80\x02X\xff\xff\xff\x7fabc", "truncated"),
        (b"\x80\x02N", "no STOP|truncated"),
        (b"\x80\x02N" + b"\x85" * 200_000 + b".", "nested too deeply"),
        (b"\xff\xfe", "malformed"),
    ],
)
def test_crafted_pickles_are_refused(tmp_path, payload, message):
    with pytest.raises(pickle.UnpicklingError, match=message):
        ag.load(_zip_with_pickle(tmp_path, payload))


def _tensor_pickle(
    offset=0, size=(2,), stride=(1,), numel=2, requires_grad=False, storage="FloatStorage"
):
    writer = _torch_format._PickleWriter(2)
    writer.out += b"\x80\x02"
    writer.global_("torch._utils", "_rebuild_tensor_v2")
    writer.out += b"((" + b"X\x07\x00\x00\x00storage"
    writer.global_("torch", storage)
    writer.save_str("0")
    writer.save_str("cpu")
    writer.save_int(numel)
    writer.out += b"tQ"
    writer.save_int(offset)
    writer.save_tuple(size)
    writer.save_tuple(stride)
    writer.save(requires_grad)
    writer.call("collections", "OrderedDict")
    writer.out += b"tR."
    return bytes(writer.out)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(size=(10**6,)), "past the end of its storage"),
        (dict(offset=5), "past the end of its storage"),
        (dict(stride=(-1,)), "size and stride"),
        (dict(size=(2, 2)), "size and stride"),
        (dict(size=(1,) * 100, stride=(1,) * 100), "at most 64"),
        (
            dict(storage="LongStorage", size=(1,), numel=1, requires_grad=True),
            "claims to require grad",
        ),
        (dict(numel=3), "holds 8 bytes, its tensors need 12"),
        (dict(storage="EvilStorage"), "'torch.EvilStorage'"),
    ],
)
def test_crafted_tensors_are_refused(tmp_path, kwargs, message):
    raw = ("data/0", np.arange(2, dtype=np.float32).tobytes())
    with pytest.raises((pickle.UnpicklingError, RuntimeError), match=message):
        ag.load(_zip_with_pickle(tmp_path, _tensor_pickle(**kwargs), [raw]))


def _patch_sizes(blob, name, compressed, uncompressed):
    """Rewrites the sizes a zip's central directory declares for one entry."""
    blob = bytearray(blob)
    start = zipfile.ZipFile(io.BytesIO(bytes(blob))).start_dir
    entry = blob.index(name.encode(), start) - 46
    assert blob[entry : entry + 4] == b"PK\x01\x02"
    struct.pack_into("<II", blob, entry + 20, compressed, uncompressed)
    return bytes(blob)


def test_zip_with_huge_declared_size_is_refused(tmp_path):
    path = tmp_path / "huge.pt"
    ag.save({"w": ag.ones(4)}, path)
    path.write_bytes(_patch_sizes(path.read_bytes(), "archive/data/0", 0xFFFFFFF0, 0xFFFFFFF0))
    with pytest.raises(RuntimeError, match="huge.pt.*declares 4294967280 bytes"):
        ag.load(path)
    # Deflated records: the size must match the tensors, and deflate cannot
    # expand more than about 1000 times.
    deflated = tmp_path / "bomb.pt"
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb/data.pkl", _tensor_pickle(numel=2**20, size=(2**20,)))
        z.writestr("bomb/data/0", bytes(4 * 2**20))
    assert ag.load(deflated).shape == (2**20,)  # an honest compressed file loads
    blob = deflated.read_bytes()
    compressed = zipfile.ZipFile(deflated).getinfo("bomb/data/0").compress_size
    deflated.write_bytes(_patch_sizes(blob, "bomb/data/0", compressed, 2**31))
    with pytest.raises(RuntimeError, match="holds 2147483648 bytes, its tensors need 4194304"):
        ag.load(deflated)
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb/data.pkl", _tensor_pickle(numel=2**29, size=(2**29,)))
        z.writestr("bomb/data/0", bytes(4 * 2**20))
    deflated.write_bytes(_patch_sizes(deflated.read_bytes(), "bomb/data/0", compressed, 2**31))
    with pytest.raises(RuntimeError, match="claims 2147483648 bytes from"):
        ag.load(deflated)


def test_truncated_and_random_files_are_refused(tmp_path):
    path = tmp_path / "ok.pt"
    ag.save(checkpoint(ag), path)
    blob = path.read_bytes()
    bad = tmp_path / "bad.pt"
    for cut in [1, 2, 3, 10, 100, len(blob) // 3, len(blob) // 2, len(blob) - 30, len(blob) - 1]:
        bad.write_bytes(blob[:cut])
        with pytest.raises(RuntimeError, match="bad.pt.*(truncated|corrupted)"):
            ag.load(bad)
    gen = np.random.default_rng(0)
    for i in range(40):
        junk = gen.integers(0, 256, size=int(gen.integers(0, 3000)), dtype=np.uint8).tobytes()
        if i % 2:
            junk = b"PK\x03\x04" + junk  # looks like a zip
        bad.write_bytes(junk)
        with pytest.raises((RuntimeError, pickle.UnpicklingError), match="bad.pt"):
            ag.load(bad)
    # Single damaged bytes: anywhere, and each byte of the directory at the end.
    spots = [int(gen.integers(0, len(blob))) for _ in range(60)]
    for i in [*spots, *range(len(blob) - 200, len(blob))]:
        damaged = bytearray(blob)
        damaged[i] ^= 1 << int(gen.integers(0, 8))
        bad.write_bytes(bytes(damaged))
        try:
            ag.load(bad)  # a flip in padding or a name may still load
        except (RuntimeError, pickle.UnpicklingError) as e:
            assert "bad.pt" in str(e)


def test_load_rejects_foreign_files(tmp_path):
    path = tmp_path / "other.bin"
    path.write_bytes(b"\x80\x04K\x01.")  # a bare pickle: never run
    with pytest.raises(
        RuntimeError, match="is not a file written by autograd_cpp.save or torch.save"
    ):
        ag.load(path)
    path.write_bytes(b"")
    with pytest.raises(RuntimeError, match="is empty"):
        ag.load(path)


def test_allowed_globals_are_listed():
    from autograd_cpp import _unpickler

    names = list(_unpickler.iter_globals())
    assert "torch._utils._rebuild_tensor_v2" in names and "collections.OrderedDict" in names
    assert not any(n.startswith(("os.", "posix.", "subprocess", "builtins.eval")) for n in names)


def test_loading_needs_no_torch(tmp_path):
    import subprocess

    path = tmp_path / "t.pt"
    torch.save({"w": torch.arange(3)}, path)
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import autograd_cpp as ag\n"
        f"print(ag.load({str(path)!r})['w'].tolist())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[0, 1, 2]"


@requires_torch
@pytest.mark.parametrize("kind", ["dict", "callable"])
def test_load_of_safetensors_rejects_a_dict_or_callable_map_location_as_pytorch(kind, tmp_path):
    pytest.importorskip("safetensors")
    from safetensors.torch import save_file

    path = str(tmp_path / "w.safetensors")
    save_file({"a": torch.arange(3.0)}, path)
    location = {"cpu": "cpu"} if kind == "dict" else (lambda storage, loc: storage)
    messages = []
    for lib in (ag, torch):
        with pytest.raises(RuntimeError) as info:
            lib.load(path, map_location=location)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert f"with {kind} map_location" in messages[0]


def test_load_of_safetensors_goes_to_the_mapped_device(tmp_path):
    path = str(tmp_path / "w.safetensors")
    ag.safetensors.save_file({"a": ag.arange(3.0)}, path)
    assert ag.load(path, map_location="cpu")["a"].tolist() == [0.0, 1.0, 2.0]
    # No CUDA here: PyTorch's CPU build fails too, rather than loading to the CPU.
    with pytest.raises((AssertionError, RuntimeError)):
        ag.load(path, map_location="cuda")
