"""save/load of tensors, state dicts and optimizer states.

The file format executes no code when read: a fixed header, a JSON
description of the object (containers, numbers, strings and tensor
descriptors only), then the raw tensor bytes, guarded by lengths and a CRC32
so that a truncated or damaged file is reported rather than misread.

    magic "AGCPPSV1" | u64 json length | u64 data length | u32 crc32 of both
    | json (utf-8) | tensor bytes
"""

from __future__ import annotations

import json
import math
import os
import struct
import tempfile
import zlib
from collections import OrderedDict
from typing import Any, NoReturn, Protocol, TypeAlias

from . import _C

__all__ = ["save", "load"]

_MAGIC = b"AGCPPSV1"
_MAGIC_FAMILY = _MAGIC[:-1]  # the last byte is the format version
_MAX_NDIM = 64  # as PyTorch; a larger claim marks a damaged file
_HEADER = struct.Struct("<8sQQI")
# What the JSON description holds.
_Json: TypeAlias = "None | bool | int | float | str | list[_Json] | dict[str, _Json]"


class _Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


class _Readable(Protocol):
    def read(self) -> bytes: ...


_DTYPES = {
    "bool": _C.bool,
    "int32": _C.int32,
    "int64": _C.int64,
    "float32": _C.float32,
    "float64": _C.float64,
}


class _Writer:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.offset = 0

    def encode(self, obj: object) -> _Json:
        from .nn.parameter import Parameter

        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return {"int": str(obj)}
        if isinstance(obj, float):
            return {"float": repr(obj)}
        if isinstance(obj, _C.Tensor):
            t = obj.detach().contiguous()
            raw = t.numpy().tobytes()
            entry: dict[str, _Json] = {
                "tensor": str(t.dtype).removeprefix("torch."),
                "shape": list(t.shape),
                "offset": self.offset,
                "nbytes": len(raw),
                "requires_grad": bool(obj.requires_grad),
                "parameter": isinstance(obj, Parameter),
            }
            self.chunks.append(raw)
            self.offset += len(raw)
            return entry
        if isinstance(obj, _C.dtype):
            return {"dtype": str(obj).removeprefix("torch.")}
        if isinstance(obj, dict):
            kind = "odict" if isinstance(obj, OrderedDict) else "dict"
            return {kind: [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        if isinstance(obj, (list, tuple)):
            return {"list" if isinstance(obj, list) else "tuple": [self.encode(v) for v in obj]}
        raise TypeError(
            f"autograd_cpp.save: cannot save an object of type {type(obj).__name__}; "
            "save tensors, numbers, strings and dicts/lists/tuples of them "
            "(e.g. model.state_dict() or optimizer.state_dict())"
        )


def save(obj: object, f: str | os.PathLike[str] | _Writable) -> None:
    """Writes ``obj`` (tensors, state dicts, optimizer states, and nested
    dicts/lists/tuples of them with numbers and strings) to a path or a
    binary file object."""
    writer = _Writer()
    description = json.dumps(writer.encode(obj), separators=(",", ":")).encode()
    data = b"".join(writer.chunks)
    crc = zlib.crc32(data, zlib.crc32(description))
    blob = _HEADER.pack(_MAGIC, len(description), len(data), crc) + description + data
    if isinstance(f, (str, os.PathLike)):
        _write_atomically(os.fspath(f), blob)
    else:
        f.write(blob)


def _write_atomically(path: str, blob: bytes) -> None:
    """Writes to a temporary file beside `path`, then renames it over `path`:
    a crash or an error mid-write leaves the previous file untouched and no
    temporary file behind."""
    directory, base = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{base}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private; give it the mode open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _fail(name: str, why: str) -> NoReturn:
    raise RuntimeError(f"autograd_cpp.load: {name} {why}")


def _count(value: object, name: str) -> int:
    """A size or offset from the description: a non-negative int."""
    if type(value) is not int or value < 0:
        _fail(name, f"is corrupted (invalid size or offset {value!r:.40})")
    return value


# node is parsed JSON from the file, checked as it is decoded.
def _decode(node: Any, data: bytes, name: str) -> Any:
    from .nn.parameter import Parameter

    if node is None or isinstance(node, (bool, str)):
        return node
    if not isinstance(node, dict) or len(node) == 0:
        _fail(name, "is corrupted (unexpected entry in its description)")
    if "int" in node:
        return int(node["int"])
    if "float" in node:
        return float(node["float"])
    if "dtype" in node:
        return _DTYPES[node["dtype"]]
    if "tensor" in node:
        dtype = node["tensor"]
        if dtype not in _DTYPES:
            _fail(name, f"is corrupted (unknown dtype {dtype!r})")
        start, nbytes = _count(node["offset"], name), _count(node["nbytes"], name)
        if start + nbytes > len(data):
            _fail(name, "is corrupted (a tensor's bytes lie outside the file)")
        if not isinstance(node["shape"], list) or len(node["shape"]) > _MAX_NDIM:
            _fail(name, "is corrupted (a tensor's shape is not a list of at most 64 sizes)")
        shape = [_count(s, name) for s in node["shape"]]
        import numpy as np  # loaded on first use: keeps `import autograd_cpp` fast

        np_dtype = np.dtype(np.bool_ if dtype == "bool" else dtype)
        count = math.prod(shape)
        if count * np_dtype.itemsize != nbytes:
            _fail(name, "is corrupted (a tensor's size does not match its shape)")
        arr = np.frombuffer(data, dtype=np_dtype, count=count, offset=start)
        if dtype == "bool":  # a byte other than 0 or 1 is not a valid C++ bool
            arr = np.frombuffer(data, dtype=np.uint8, count=count, offset=start) != 0
        t = _C.from_numpy(arr.reshape(shape).copy())
        if node.get("parameter"):
            return Parameter(t, requires_grad=bool(node.get("requires_grad", True)))
        if node.get("requires_grad"):
            t.requires_grad_(True)
        return t
    if "dict" in node or "odict" in node:
        items = node["dict"] if "dict" in node else node["odict"]
        pairs = [(_decode(k, data, name), _decode(v, data, name)) for k, v in items]
        return OrderedDict(pairs) if "odict" in node else dict(pairs)
    if "list" in node:
        return [_decode(v, data, name) for v in node["list"]]
    if "tuple" in node:
        return tuple(_decode(v, data, name) for v in node["tuple"])
    _fail(name, "is corrupted (unexpected entry in its description)")


def load(
    f: str | os.PathLike[str] | _Readable, map_location: Any = None, weights_only: bool = True
) -> Any:
    """Reads an object written by save() from a path or a binary file
    object. Raises RuntimeError naming the file if it is not such a file,
    is truncated, or is damaged."""
    if isinstance(f, (str, os.PathLike)):
        name = repr(os.fspath(f))
        with open(f, "rb") as src:
            blob = src.read()
    else:
        name = repr(getattr(f, "name", "<file object>"))
        blob = f.read()
    if len(blob) < _HEADER.size:
        if blob[: len(_MAGIC)] == _MAGIC[: len(blob)] and blob:
            _fail(name, f"is truncated ({len(blob)} bytes, shorter than the header)")
        _fail(name, "is not a file written by autograd_cpp.save")
    magic, json_len, data_len, crc = _HEADER.unpack_from(blob)
    if magic != _MAGIC:
        if magic[: len(_MAGIC_FAMILY)] == _MAGIC_FAMILY:
            version = magic[len(_MAGIC_FAMILY) :].decode("ascii", "replace")
            _fail(
                name,
                f"was written in format version {version!r}, which this version of "
                f"autograd_cpp cannot read (it reads version {_MAGIC[-1:].decode()!r})",
            )
        _fail(name, "is not a file written by autograd_cpp.save")
    expected = _HEADER.size + json_len + data_len
    if len(blob) < expected:
        _fail(name, f"is truncated ({len(blob)} of {expected} bytes)")
    if len(blob) > expected:
        _fail(name, f"is corrupted ({len(blob) - expected} unexpected bytes at the end)")
    description = blob[_HEADER.size : _HEADER.size + json_len]
    data = blob[_HEADER.size + json_len :]
    if zlib.crc32(data, zlib.crc32(description)) != crc:
        _fail(name, "is corrupted (checksum mismatch)")
    try:
        node = json.loads(description.decode())
        return _decode(node, data, name)
    except RecursionError:  # a RuntimeError, but not one of ours
        _fail(name, "is corrupted (description nested too deeply)")
    except RuntimeError:
        raise
    # A description that passes the checksum but is malformed (a crafted
    # file): wrong types, missing keys, absurd numbers or nesting.
    except (ValueError, TypeError, KeyError, OverflowError, MemoryError):
        _fail(name, "is corrupted (malformed description)")
