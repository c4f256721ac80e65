"""save/load of tensors, state dicts, optimizer states and whole checkpoints.

``save`` writes PyTorch's checkpoint format (a zip archive: a pickle naming
tensors by storage record, and the records), so real PyTorch reads the files
with ``torch.load(f, weights_only=True)`` and autograd_cpp reads PyTorch's
(see _torch_format). ``load`` reads that format, PyTorch's format from
before 1.6, and autograd_cpp's own earlier format, which executes no code
when read either: a fixed header, a JSON description of the object
(containers, numbers, strings and tensor descriptors only), then the raw
tensor bytes, guarded by lengths and a CRC32:

    magic "AGCPPSV1" | u64 json length | u64 data length | u32 crc32 of both
    | json (utf-8) | tensor bytes

Unless the caller passes ``weights_only=False``, nothing in a file is
executed on loading: pickles are read by a restricted unpickler (_unpickler)
that builds only tensors, containers, numbers, strings, dtypes and numeric
numpy arrays.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import struct
import tempfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from pickle import UnpicklingError
from typing import IO, Any, BinaryIO, NoReturn, Protocol, TypeAlias

from . import _C, _torch_format
from ._unpickler import UnsupportedGlobal

__all__ = ["save", "load"]

_MAGIC = b"AGCPPSV1"
_MAGIC_FAMILY = _MAGIC[:-1]  # the last byte is the format version
_LEGACY_HEAD = 32  # bytes enough to tell the formats apart
_MAX_NDIM = 64  # as PyTorch; a larger claim marks a damaged file
_HEADER = struct.Struct("<8sQQI")
# What the JSON description holds.
_Json: TypeAlias = "None | bool | int | float | str | list[_Json] | dict[str, _Json]"


class _Writable(Protocol):
    def write(self, data: Any, /) -> object: ...


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


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


def _save_native(obj: object, f: str | os.PathLike[str] | _Writable) -> None:
    """Writes autograd_cpp's own format (what save() wrote before 0.2); kept
    so that files in it can still be produced for tests and tools."""
    writer = _Writer()
    description = json.dumps(writer.encode(obj), separators=(",", ":")).encode()
    data = b"".join(writer.chunks)
    crc = zlib.crc32(data, zlib.crc32(description))
    blob = _HEADER.pack(_MAGIC, len(description), len(data), crc) + description + data
    if isinstance(f, (str, os.PathLike)):
        with _atomic_file(os.fspath(f)) as out:
            out.write(blob)
    else:
        f.write(blob)


@contextlib.contextmanager
def _atomic_file(path: str) -> Iterator[BinaryIO]:
    """A temporary file beside `path`, renamed over `path` once written: a
    crash or an error mid-write leaves the previous file untouched and no
    temporary file behind."""
    directory, base = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{base}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
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


def _load_native(blob: bytes, name: str) -> Any:
    if len(blob) < _HEADER.size:
        if blob[: len(_MAGIC)] == _MAGIC[: len(blob)] and blob:
            _fail(name, f"is truncated ({len(blob)} bytes, shorter than the header)")
        _fail(name, "is not a file written by autograd_cpp.save")
    magic, json_len, data_len, crc = _HEADER.unpack_from(blob)
    if magic != _MAGIC:
        version = magic[len(_MAGIC_FAMILY) :].decode("ascii", "replace")
        _fail(
            name,
            f"was written in format version {version!r}, which this version of "
            f"autograd_cpp cannot read (it reads version {_MAGIC[-1:].decode()!r})",
        )
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


def save(
    obj: object,
    f: str | os.PathLike[str] | _Writable,
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Saves ``obj`` to a path or a binary file object in PyTorch's checkpoint
    format (a zip archive, or PyTorch's format from before 1.6 with
    ``_use_new_zipfile_serialization=False``).

    Like ``torch.save``, any picklable object is saved. Tensors, Parameters,
    numbers, strings, bytes, None, dtypes, torch.Size, devices, numeric numpy
    arrays and dicts (OrderedDict too), lists, tuples and sets of them are
    written with the globals that weights_only loading reads (here and in
    PyTorch, except numpy arrays there). Anything else, such as a whole
    ``nn.Module``, names its classes, so reading it back needs
    ``load(f, weights_only=False)``, which runs the file's code. Tensors
    sharing a storage (views) are saved once, with their offsets and
    strides. A path is written atomically: an interrupted save leaves the
    previous file. ``pickle_module`` is accepted and not used.
    """
    del pickle_module
    if isinstance(f, (str, os.PathLike)):
        with _atomic_file(os.fspath(f)) as out:
            _save_torch(
                obj, out, pickle_protocol, _use_new_zipfile_serialization, _disable_byteorder_record
            )
    else:
        _save_torch(
            obj, f, pickle_protocol, _use_new_zipfile_serialization, _disable_byteorder_record
        )


def _save_torch(
    obj: object, out: _Writable, protocol: int, zipped: bool, no_byteorder: bool
) -> None:
    if zipped:
        _torch_format.save_zip(obj, out, protocol, byteorder=not no_byteorder)
    else:
        _torch_format.save_legacy(obj, out, protocol)


def load(
    f: str | os.PathLike[str] | _Readable,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Reads a checkpoint from a path or a binary file object: PyTorch's
    format (written by ``torch.save`` or ``autograd_cpp.save``; the zip
    archive, and the format before PyTorch 1.6) or autograd_cpp's own
    earlier format, told apart by their first bytes.

    With ``weights_only=True`` (the default, as in PyTorch since 2.6)
    loading runs no code from the file: a restricted unpickler rebuilds only
    tensors, Parameters, containers, numbers, strings, bytes, dtypes,
    torch.Size and numeric numpy arrays, and raises
    ``pickle.UnpicklingError`` naming any other global (a whole pickled
    ``nn.Module`` is such a file). ``weights_only=False`` unpickles
    everything, importing and running what the file names (``torch.*``
    names resolve in autograd_cpp): only for files from a trusted source.
    ``map_location`` maps devices as in PyTorch (a string, device, dict or
    callable); as the only device is the CPU, a checkpoint saved from a GPU
    needs ``map_location='cpu'`` (or a mapping to it). ``mmap=True`` maps the
    storages of a zip checkpoint at a path copy-on-write instead of reading
    them. A damaged or truncated file raises RuntimeError naming the file.
    """
    del pickle_module
    # None is PyTorch's default since 2.6: True (its TORCH_FORCE_* variables aside).
    weights_only = weights_only is None or bool(weights_only)
    _torch_format.check_map_location(map_location)
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if pickle_load_args:
        raise TypeError(
            f"load() got unexpected keyword arguments {sorted(pickle_load_args)} "
            "(of pickle's arguments only encoding is used)"
        )
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        if path.endswith(".safetensors"):  # as torch.load does
            from . import safetensors

            if isinstance(map_location, dict) or callable(map_location):
                kind = "dict" if isinstance(map_location, dict) else "callable"
                raise RuntimeError(
                    f"Loading safetensors file with {kind} map_location is not "
                    "supported. Use a device string or torch.device instead."
                )
            return safetensors.load_file(path, device=map_location or "cpu")
        with open(path, "rb") as src:
            mmap_path = path if mmap else None
            return _load_from(src, repr(path), map_location, mmap_path, encoding, weights_only)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    name = repr(getattr(f, "name", "<file object>"))
    return _load_from(_torch_format.seekable(f), name, map_location, None, encoding, weights_only)


_WEIGHTS_ONLY_FAILED = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, "
    "do those steps only if you trust the source of the checkpoint.\n"
    "\t(1) In PyTorch 2.6, we changed the default value of the `weights_only` argument in "
    "`torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set to "
    "`False` will likely succeed, but it can result in arbitrary code execution. Do it only if "
    "you got the file from a trusted source.\n"
    "\t(2) Alternatively, to load with `weights_only=True` save tensors, containers, numbers "
    "and strings only (e.g. model.state_dict()).\n"
    "\tWeightsUnpickler error: "
)


def _load_from(
    fp: BinaryIO | IO[bytes],
    name: str,
    map_location: Any,
    mmap_path: str | None,
    encoding: str,
    weights_only: bool,
) -> Any:
    start = fp.tell()
    head = fp.read(_LEGACY_HEAD)
    fp.seek(start)
    try:
        if _torch_format.is_zip(head):
            return _torch_format.load_zip(fp, name, map_location, mmap_path, encoding, weights_only)
        if mmap_path is not None:
            raise RuntimeError(
                "mmap can only be used with files saved with `torch.save(f, "
                "_use_new_zipfile_serialization=True)`, please torch.save your checkpoint "
                "with this option in order to use mmap."
            )
        if head[: len(_MAGIC_FAMILY)] == _MAGIC_FAMILY:
            return _load_native(fp.read(), name)
        if _torch_format.is_legacy(head):
            return _torch_format.load_legacy(fp.read(), name, map_location, encoding, weights_only)
    except UnpicklingError as e:
        lead = _WEIGHTS_ONLY_FAILED if isinstance(e, UnsupportedGlobal) else ""
        raise UnpicklingError(f"{lead}autograd_cpp.load: {name}: {e}") from None
    if not head:
        _fail(name, "is empty")
    if _torch_format.is_cut_short(head) or _MAGIC.startswith(head):
        _fail(name, f"is truncated ({len(head)} bytes)")
    _fail(
        name,
        "is not a file written by autograd_cpp.save or torch.save (neither PyTorch's "
        "checkpoint format, zip or legacy, nor autograd_cpp's own)",
    )
