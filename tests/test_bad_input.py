"""Bad input raises the exception PyTorch raises, never crashes; save is
atomic and load refuses damaged or crafted files."""

import json
import os
import struct
import zlib

import pytest

import autograd_cpp as ag
from autograd_cpp import serialization
from oracle import requires_torch, torch

BAD_CALLS = [
    lambda m: m.zeros(1, 1).expand(2**62, 2**62),
    lambda m: m.zeros(0).reshape(2**40, 2**40, 0),
    lambda m: m.zeros(2**40, 2**40),
    lambda m: m.zeros(2).repeat(2**40, 2**40),
    lambda m: m.empty(-1),
    lambda m: m.zeros(3).normal_(0, -1),
    lambda m: m.zeros(1, 3).expand(4, 3).add_(1),
    lambda m: m.zeros(3, requires_grad=True).add_(1),
    lambda m: m.zeros(2, 3).sum(5),
    lambda m: m.zeros(3)[5],
    lambda m: m.zeros(2, 3) + m.zeros(4),
    # A 0-d tensor has no dim 0 (found by the fuzz test: size(0) read past
    # the end of the shape).
    lambda m: m.tensor(0.0).size(0),
    lambda m: m.tensor(0.0).stride(-1),
    # Size and dims arguments are required, even for a 0-d tensor.
    lambda m: m.tensor(1.0).permute(),
    lambda m: m.zeros(2, 3).permute(),
    lambda m: m.zeros(2).flip(),
    lambda m: m.zeros(2).repeat(),
    lambda m: m.zeros(2).tile(),
    lambda m: m.zeros(2).view(),
    lambda m: m.zeros(2).reshape(),
    lambda m: m.zeros(2).expand(),
    lambda m: m.zeros(),
    lambda m: m.randn(),
    lambda m: m.nn.functional.embedding(m.tensor([0, 1]), m.tensor(0.0), padding_idx=0),
]


@requires_torch
@pytest.mark.parametrize("call", BAD_CALLS)
def test_bad_input_raises_like_torch(call):
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(type(expected.value)):
        call(ag)


def test_fill_on_expanded_view_is_allowed():
    base = ag.zeros(3, 1)
    base.expand(3, 4).fill_(2.0)
    assert base.tolist() == [[2.0], [2.0], [2.0]]
    base.expand(3, 4).zero_()
    assert base.tolist() == [[0.0], [0.0], [0.0]]


def _craft(path, description, data=b"", magic=b"AGCPPSV1"):
    desc = json.dumps(description).encode()
    crc = zlib.crc32(data, zlib.crc32(desc))
    path.write_bytes(struct.pack("<8sQQI", magic, len(desc), len(data), crc) + desc + data)


def _tensor(**over):
    node = {"tensor": "float32", "shape": [2], "offset": 0, "nbytes": 8}
    node.update(over)
    return node


@pytest.mark.parametrize(
    "description",
    [
        _tensor(shape=[-2, -1]),
        _tensor(shape=[2**40, 2**40]),
        _tensor(offset=-8),
        _tensor(offset=4),
        _tensor(nbytes=2**62),
        _tensor(shape=[1] * 1000),
        _tensor(shape="ab"),
        _tensor(offset="0"),
        {"dtype": "complex128"},
        {"int": "9" * 10000},
        {"float": []},
        {"list": [{"unknown": 1}]},
        {"__reduce__": "os.system"},
    ],
)
def test_load_rejects_crafted_descriptions(tmp_path, description):
    path = tmp_path / "crafted.agcpp"
    _craft(path, description, b"\0" * 8)
    with pytest.raises(RuntimeError, match="crafted.agcpp"):
        ag.load(path)


def test_load_rejects_json_bomb(tmp_path):
    path = tmp_path / "bomb.agcpp"
    desc = b'{"list":[' * 100000 + b"null" + b"]}" * 100000
    crc = zlib.crc32(desc)
    path.write_bytes(struct.pack("<8sQQI", b"AGCPPSV1", len(desc), 0, crc) + desc)
    with pytest.raises(RuntimeError, match="bomb.agcpp"):
        ag.load(path)


def test_load_rejects_wrong_version_truncated_and_corrupted(tmp_path):
    path = tmp_path / "t.agcpp"
    serialization._save_native({"w": ag.arange(6.0)}, path)
    blob = path.read_bytes()
    path.write_bytes(b"AGCPPSV9" + blob[8:])
    with pytest.raises(RuntimeError) as info:
        ag.load(path)
    assert str(info.value) == (
        f"autograd_cpp.load: {str(path)!r} was written in format version '9', which this "
        "version of autograd_cpp cannot read (it reads version '1')"
    )
    for cut in (3, 20, len(blob) - 1):
        path.write_bytes(blob[:cut])
        with pytest.raises(RuntimeError, match="t.agcpp.*truncated"):
            ag.load(path)
    damaged = bytearray(blob)
    damaged[-1] ^= 0xFF
    path.write_bytes(bytes(damaged))
    with pytest.raises(RuntimeError, match="checksum"):
        ag.load(path)


def test_bool_bytes_are_normalised(tmp_path):
    path = tmp_path / "b.agcpp"
    _craft(path, {"tensor": "bool", "shape": [2], "offset": 0, "nbytes": 2}, b"\x02\x00")
    assert ag.load(path).tolist() == [True, False]


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.agcpp"
    ag.save({"w": ag.ones(3)}, path)
    before = path.read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(serialization.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        ag.save({"w": ag.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.agcpp"]
    monkeypatch.undo()
    ag.save({"w": ag.zeros(2)}, path)
    assert ag.load(path)["w"].tolist() == [0.0, 0.0]
    assert os.listdir(tmp_path) == ["model.agcpp"]
