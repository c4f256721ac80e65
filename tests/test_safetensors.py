"""safetensors files interchange with the safetensors package (and through
it with PyTorch) both ways; loading maps the file without copying; crafted
files are refused."""

import json
import struct

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import nn
from autograd_cpp import safetensors as ours
from oracle import requires_torch, torch

try:
    import safetensors.torch as theirs
    from safetensors import safe_open as their_safe_open
except ImportError:  # pragma: no cover - depends on the environment
    import os

    if os.environ.get("CI"):
        raise
    theirs = None

pytestmark = [
    requires_torch,
    pytest.mark.skipif(theirs is None, reason="safetensors (the [safetensors] extra) missing"),
]

DTYPES = ["float32", "float64", "int64", "int32", "bool"]


def sample(lib):
    gen = np.random.default_rng(0)
    out = {
        f"t.{dtype}": lib.tensor(gen.standard_normal((3, 4)) > 0, dtype=getattr(lib, dtype))
        if dtype == "bool"
        else lib.tensor(gen.standard_normal((3, 4)) * 100, dtype=getattr(lib, dtype))
        for dtype in DTYPES
    }
    out["scalar"] = lib.tensor(2.5)
    out["empty"] = lib.zeros(0, 5)
    out["odd.bool"] = lib.tensor([True, False, True])  # 3 bytes, then wider dtypes
    return out


def same(a, b):
    assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_ours_to_safetensors_torch(tmp_path):
    path = tmp_path / "ours.safetensors"
    ours.save_file(sample(ag), path, metadata={"format": "pt", "note": "α"})
    loaded = theirs.load_file(path)
    assert set(loaded) == set(sample(ag))
    for key, value in sample(ag).items():
        same(value, loaded[key])
    with their_safe_open(path, framework="pt") as f:
        assert f.metadata() == {"format": "pt", "note": "α"}
    assert path.read_bytes() == ours.save(sample(ag), {"format": "pt", "note": "α"})
    for key, value in theirs.load(ours.save(sample(ag))).items():
        same(sample(ag)[key], value)


def test_safetensors_torch_to_ours(tmp_path):
    path = tmp_path / "theirs.safetensors"
    theirs.save_file(sample(torch), path, metadata={"k": "v"})
    loaded = ours.load_file(path)
    assert set(loaded) == set(sample(torch))
    for key, value in sample(torch).items():
        same(loaded[key], value)
    with ours.safe_open(path, framework="pt") as f:
        assert f.metadata() == {"k": "v"}
        assert f.keys() == sorted(sample(torch))
        part = f.get_slice("t.float32")
        assert part.get_shape() == [3, 4] and part.get_dtype() == "F32"
        same(part[1:, :2], sample(torch)["t.float32"][1:, :2])
    for key, value in ours.load(theirs.save(sample(torch))).items():
        same(value, sample(torch)[key])
    # torch.load spelling: a .safetensors path goes to load_file, as in PyTorch.
    same(ag.load(path)["t.int64"], sample(torch)["t.int64"])


def test_loading_maps_the_file_without_copying(tmp_path):
    path = tmp_path / "big.safetensors"
    tensors = {"a": ag.arange(1000.0), "b": ag.arange(1000.0) * 2}
    ours.save_file(tensors, path)
    loaded = ours.load_file(path)
    with ours.safe_open(path) as f:
        offsets = {k: f.reader.entries[k][2] for k in f.keys()}
    # Both tensors view one mapping: their addresses differ as their file offsets do.
    assert loaded["b"].data_ptr() - loaded["a"].data_ptr() == offsets["b"] - offsets["a"]
    before = path.read_bytes()
    loaded["a"].mul_(0)  # copy-on-write: the file does not change
    assert path.read_bytes() == before
    assert ours.load_file(path)["a"][5].item() == 5.0


@pytest.mark.parametrize("direction", ["ours->torch", "torch->ours"])
def test_model_weights_interchange(tmp_path, direction):
    def make(lib):
        return lib.nn.Sequential(
            lib.nn.Conv2d(1, 3, 3), lib.nn.BatchNorm2d(3), lib.nn.Flatten(), lib.nn.Linear(12, 2)
        )

    path = tmp_path / "model.safetensors"
    x = np.random.default_rng(1).standard_normal((2, 1, 4, 4))
    src, dst = (ag, torch) if direction == "ours->torch" else (torch, ag)
    src.manual_seed(0)
    model = make(src)
    model(src.tensor(x, dtype=src.float32))  # moves the running statistics
    (ours if src is ag else theirs).save_file(model.state_dict(), path)
    other = make(dst)
    other.load_state_dict((ours if dst is ag else theirs).load_file(path))
    model.eval()
    other.eval()
    with torch.no_grad():
        np.testing.assert_allclose(
            model(src.tensor(x, dtype=src.float32)).detach().numpy(),
            other(dst.tensor(x, dtype=dst.float32)).detach().numpy(),
            rtol=1e-5,
            atol=1e-6,
        )


def test_save_model_with_tied_weights(tmp_path):
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(5, 3)
            self.out = nn.Linear(3, 5, bias=False)
            self.out.weight = self.embed.weight

    model = Tied()
    with pytest.raises(RuntimeError, match="share memory"):
        ours.save_file(model.state_dict(), tmp_path / "x.safetensors")
    path = tmp_path / "tied.safetensors"
    ours.save_model(model, path)
    fresh = Tied()
    assert ours.load_model(fresh, path) == ([], [])
    same(fresh.out.weight.detach(), model.embed.weight.detach())

    class TorchTied(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(5, 3)
            self.out = torch.nn.Linear(3, 5, bias=False)
            self.out.weight = self.embed.weight

    theirs_model = TorchTied()
    theirs.load_model(theirs_model, path)
    same(model.embed.weight.detach(), theirs_model.out.weight.detach())


def test_errors_match_safetensors(tmp_path):
    base = ag.arange(12.0).reshape(3, 4)
    with pytest.raises(ValueError, match="non contiguous tensor"):
        ours.save_file({"t": base.t()}, tmp_path / "t.safetensors")
    with pytest.raises(ValueError, match="non contiguous tensor"):
        theirs.save_file({"t": torch.arange(12.0).reshape(3, 4).t()}, tmp_path / "t.safetensors")
    with pytest.raises(RuntimeError, match="share memory"):
        ours.save_file({"a": base, "b": base[1]}, tmp_path / "s.safetensors")
    path = tmp_path / "half.safetensors"
    theirs.save_file({"h": torch.ones(2, dtype=torch.float16)}, path)
    with pytest.raises(TypeError, match="dtype F16, which autograd_cpp does not have"):
        ours.load_file(path)
    with pytest.raises(ours.SafetensorError, match="does not contain tensor nope"):
        ours.safe_open(path).get_tensor("nope")


def _file(tmp_path, header, data=b"", raw_header=None):
    raw = raw_header if raw_header is not None else json.dumps(header).encode()
    path = tmp_path / "crafted.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    return path


@pytest.mark.parametrize(
    "header,data,message",
    [
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4, "InvalidOffset"),
        (
            {"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}},
            b"\0" * 8,
            "TensorInvalidInfo",
        ),
        (
            {"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 8]}},
            b"\0" * 8,
            "invalid shape",
        ),
        ({"a": {"dtype": "X9", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8, "unknown dtype"),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}, b"\0" * 8, "InvalidOffset"),
        (
            {
                "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
            },
            b"\0" * 12,
            "overlapping",
        ),
        ({"a": {"dtype": "F32", "shape": [2]}}, b"\0" * 8, "malformed entry"),
        ({"__metadata__": {"k": 1}}, b"", "__metadata__"),
        ([1, 2], b"", "not valid JSON|not a JSON object"),
    ],
)
def test_crafted_files_are_refused(tmp_path, header, data, message):
    with pytest.raises(ours.SafetensorError, match=message):
        ours.load_file(_file(tmp_path, header, data))


def test_crafted_lengths_and_random_bytes(tmp_path):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", 2**62) + b"{}")
    with pytest.raises(ours.SafetensorError, match="HeaderTooLarge"):
        ours.load_file(path)
    path.write_bytes(struct.pack("<Q", 1000) + b"{}")
    with pytest.raises(ours.SafetensorError, match="InvalidHeaderLength"):
        ours.load_file(path)
    path.write_bytes(b"\1\2")
    with pytest.raises(ours.SafetensorError, match="HeaderTooSmall"):
        ours.load_file(path)
    good = ours.save(sample(ag))
    gen = np.random.default_rng(0)
    for cut in range(0, len(good), 37):
        path.write_bytes(good[:cut])
        with pytest.raises(ours.SafetensorError):
            ours.load_file(path)
    for _ in range(50):
        path.write_bytes(gen.integers(0, 256, int(gen.integers(8, 500)), dtype=np.uint8).tobytes())
        with pytest.raises(ours.SafetensorError):
            ours.load_file(path)
    # Bytes other than 0 and 1 in a BOOL tensor read as True.
    bools = _file(
        tmp_path, {"b": {"dtype": "BOOL", "shape": [3], "data_offsets": [0, 3]}}, b"\2\0\1"
    )
    assert ours.load_file(bools)["b"].tolist() == [True, False, True]
