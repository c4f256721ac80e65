"""TensorBoard event files written without TensorFlow or protobuf: the few
messages a scalar log needs, encoded by hand, in TFRecord framing (length,
masked CRC-32C of the length, payload, masked CRC-32C of the payload)."""

from __future__ import annotations

import struct

_CRC32C_POLY = 0x82F63B78  # Castagnoli, reflected


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC32C_POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C of data (crc32c(b"123456789") == 0xE3069283)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The rotated and offset CRC TFRecord stores (so CRCs of CRCs differ)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(payload: bytes) -> bytes:
    """One TFRecord around payload."""
    length = struct.pack("<Q", len(payload))
    return (
        length
        + struct.pack("<I", masked_crc32c(length))
        + payload
        + struct.pack("<I", masked_crc32c(payload))
    )


# Protocol-buffer wire format: a key is (field number << 3) | wire type.
_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 values take ten bytes
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint((field << 3) | wire)


def _bytes_field(field: int, data: bytes) -> bytes:
    return _key(field, _BYTES) + _varint(len(data)) + data


def summary_value(tag: str, simple_value: float) -> bytes:
    """Summary.Value{tag = 1, simple_value = 2 (float)}."""
    return _bytes_field(1, tag.encode()) + _key(2, _FIXED32) + struct.pack("<f", simple_value)


def event(
    wall_time: float,
    step: int = 0,
    *,
    file_version: str | None = None,
    values: list[bytes] | None = None,
) -> bytes:
    """Event{wall_time = 1 (double), step = 2, file_version = 3, summary = 5}
    with Summary{value = 1 (repeated)}."""
    out = _key(1, _FIXED64) + struct.pack("<d", wall_time)
    if step:
        out += _key(2, _VARINT) + _varint(step)
    if file_version is not None:
        out += _bytes_field(3, file_version.encode())
    if values is not None:
        out += _bytes_field(5, b"".join(_bytes_field(1, v) for v in values))
    return out
