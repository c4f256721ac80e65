"""utils.tensorboard.SummaryWriter: event files in TFRecord framing with
valid CRC-32C checksums, scalar events encoded byte for byte as PyTorch's
writer (through the tensorboard package) encodes them, add_scalars run
folders, and the writer's life cycle."""

import os
import struct

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp.utils.tensorboard import SummaryWriter, _record

# The record torch.utils.tensorboard wrote for
# add_scalar("Loss/train", torch.tensor(0.25), 7, walltime=1234.5).
REFERENCE = bytes.fromhex(
    "2000000000000000"
    "29eda950"  # length, its masked CRC
    "0900000000004a9340"
    "1007"  # wall_time = 1234.5, step = 7
    "2a130a110a0a4c6f73732f747261696e150000803e"  # summary{value{tag, simple_value = 0.25}}
    "07b67f07"  # masked CRC of the payload
)


def read_records(path):
    """Payloads of a TFRecord file, checking both checksums of each."""
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos < len(data):
        header = data[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", data[pos + 8 : pos + 12])
        assert len_crc == _record.masked_crc32c(header)
        payload = data[pos + 12 : pos + 12 + length]
        (crc,) = struct.unpack("<I", data[pos + 12 + length : pos + 16 + length])
        assert crc == _record.masked_crc32c(payload)
        out.append(payload)
        pos += 16 + length
    return out


def parse(message):
    """A protobuf message as {field: [values]} (bytes for length-delimited)."""
    fields, pos = {}, 0

    def varint():
        nonlocal pos
        shift = value = 0
        while True:
            b = message[pos]
            pos += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value

    while pos < len(message):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            value = varint()
        elif wire == 1:
            value = struct.unpack("<d", message[pos : pos + 8])[0]
            pos += 8
        elif wire == 5:
            value = struct.unpack("<f", message[pos : pos + 4])[0]
            pos += 4
        else:
            n = varint()
            value = message[pos : pos + n]
            pos += n
        fields.setdefault(field, []).append(value)
    return fields


def scalars(path):
    """(step, tag, value) of every scalar event in an event file."""
    out = []
    for payload in read_records(path)[1:]:
        ev = parse(payload)
        value = parse(parse(ev[5][0])[1][0])  # Event.summary -> Summary.value
        out.append((ev.get(2, [0])[0], value[1][0].decode(), value[2][0]))
    return out


def test_crc32c_known_vectors():
    assert _record.crc32c(b"") == 0
    assert _record.crc32c(b"123456789") == 0xE3069283
    assert _record.crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720's 32 zero bytes


def test_scalar_event_matches_pytorch_encoding(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        w.add_scalar("Loss/train", ag.tensor(0.25), 7, walltime=1234.5)
    (path,) = tmp_path.iterdir()
    data = path.read_bytes()
    assert data.endswith(REFERENCE)
    first = parse(read_records(path)[0])
    assert first[3] == [b"brain.Event:2"]


def test_add_scalar_values_steps_and_types(tmp_path):
    w = SummaryWriter(log_dir=str(tmp_path), filename_suffix=".x")
    values = [ag.tensor(1.5), 2, 3.25, np.float64(4.5), ag.tensor([6.0]), np.array(7.0)]
    for step, v in enumerate(values):
        w.add_scalar("loss", v, step)
    w.flush()
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("events.out.tfevents.") and path.name.endswith(".x")
    got = scalars(path)
    assert [s for s, _, _ in got] == list(range(6))
    assert [v for _, _, v in got] == [1.5, 2.0, 3.25, 4.5, 6.0, 7.0]
    with pytest.raises(AssertionError, match="scalar should be 0D"):
        w.add_scalar("loss", ag.ones(2), 9)
    w.close()
    w.add_scalar("loss", 1.0, 10)  # reopened after close, as PyTorch does
    w.close()
    assert len(list(tmp_path.iterdir())) == 2


def test_add_scalars_writes_one_run_per_tag(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        w.add_scalars("acc/val", {"a": 0.5, "b": ag.tensor(0.75)}, 3)
        assert w.get_logdir() == str(tmp_path)
    runs = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert runs == ["acc_val_a", "acc_val_b"]
    (path,) = (tmp_path / "acc_val_b").iterdir()
    assert scalars(path) == [(3, "acc/val", 0.75)]


def test_default_log_dir_is_under_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1")
    w.close()
    assert w.log_dir.startswith("runs" + os.sep) and w.log_dir.endswith("_lr0.1")
    assert os.path.isdir(w.log_dir)
