"""PyTorch's checkpoint format, read and written without PyTorch.

A checkpoint is a zip archive (entries stored, not compressed, each one's
data aligned to 64 bytes) under one top-level folder:

    data.pkl               the object, pickled with protocol 2; each tensor is
                           torch._utils._rebuild_tensor_v2(storage, offset,
                           size, stride, requires_grad, hooks) and each
                           storage a persistent id ('storage', torch.<T>Storage,
                           key, location, numel)
    data/<key>             a storage's raw bytes (the whole storage, once, however
                           many tensors view it)
    byteorder              "little" or "big"
    version, .format_version, .storage_alignment, .data/serialization_id

Files from PyTorch before 1.6 (``_use_new_zipfile_serialization=False``)
are a run of pickles (magic number, protocol version, system info, the
object, the storage keys) followed by each storage as an int64 element count
and its bytes; they are read too.

The pickles are read by `_unpickler.RestrictedUnpickler` and written by
`_PickleWriter` below, which emits only the opcodes PyTorch's
``weights_only`` unpickler reads.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import struct
import sys
import zipfile
import zlib
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, NoReturn, Protocol

from . import _C
from ._unpickler import (
    FOREIGN_STORAGE_DTYPES,
    STORAGE_CLASS_OF,
    STORAGE_DTYPES,
    STORAGE_ITEMSIZE,
    FullUnpickler,
    LoadedStorage,
    Passthrough,
    RestrictedUnpickler,
    UnpicklingError,
    scan,
    unpickler,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["is_legacy", "is_zip", "load_legacy", "load_zip", "save_zip"]

ZIP_MAGIC = b"PK\x03\x04"
_LEGACY_MAGIC = b"\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19."  # pickle of 0x1950a86a20f9469cfc6c
_MAGIC_LONG = _LEGACY_MAGIC[2:-1]  # the LONG1 opcode holding that number
_LEGACY_PROTOCOL_VERSION = 1001
_ALIGNMENT = 64
_FORMAT_VERSION = 3  # the "version" record PyTorch writes today
# Deflate cannot expand data by more than about 1032:1; a larger claim is a lie.
_MAX_DEFLATE_RATIO = 1032


class _Writable(Protocol):
    def write(self, data: Any, /) -> object: ...


MapLocation = Any  # None, str, device, dict[str, str] or a callable(storage, location)


def is_zip(head: bytes) -> bool:
    return head[:4] == ZIP_MAGIC


def is_legacy(head: bytes) -> bool:
    """The file starts with a pickle (any protocol; 4 and up open a frame)
    of PyTorch's magic number."""
    if head[:1] != b"\x80":
        return False
    body = head[2:]
    if body[:1] == b"\x95":  # FRAME and its 8-byte length
        body = body[9:]
    return body[: len(_MAGIC_LONG)] == _MAGIC_LONG


def is_cut_short(head: bytes) -> bool:
    """True for the first bytes of a checkpoint that ends within its magic."""
    return 0 < len(head) and any(
        len(head) < len(magic) and magic.startswith(head) for magic in (ZIP_MAGIC, _LEGACY_MAGIC)
    )


def _fail(name: str, why: str) -> NoReturn:
    raise RuntimeError(f"autograd_cpp.load: {name} {why}")


# ---- where storages go ---------------------------------------------------------


def _check_location(location: str) -> None:
    kind = location.split(":")[0]
    if kind == "cpu":
        return
    if kind == "cuda":
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
            "is False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU."
        )
    raise RuntimeError(
        f"Attempting to deserialize object on device '{location}', which autograd_cpp does "
        "not have (it runs on the CPU only); please use torch.load with "
        "map_location=torch.device('cpu') to map your storages to the CPU."
    )


def _place(storage: LoadedStorage, location: str, map_location: MapLocation) -> LoadedStorage:
    """Applies map_location as torch.load does (the only device is the CPU)."""
    if map_location is None:
        _check_location(location)
        return storage
    if isinstance(map_location, dict):
        target = map_location.get(location, location)
        _check_location(str(target))
        return storage
    if isinstance(map_location, str) or type(map_location).__name__ == "device":
        _check_location(str(map_location))
        return storage
    if callable(map_location):
        try:
            result = map_location(storage, location)
        except Exception as e:
            raise Passthrough(e) from e
        if result is None:
            _check_location(location)
            return storage
        if not isinstance(result, LoadedStorage):
            raise RuntimeError(
                "map_location must return a storage (the one it was given, or storage.cpu()) "
                f"or None, not {type(result).__name__}"
            )
        return result
    raise AssertionError("check_map_location admits only the kinds above")


def check_map_location(map_location: MapLocation) -> None:
    if map_location is None or isinstance(map_location, (str, dict)) or callable(map_location):
        return
    if type(map_location).__name__ != "device":
        raise TypeError(
            "map_location should be a string, a torch.device, a dict or a callable, "
            f"not {type(map_location).__name__}"
        )


def _storage_class(marker: object) -> str:
    name = getattr(marker, "name", None)
    if not isinstance(name, str):
        raise UnpicklingError("a storage reference does not name a storage type")
    short = name.rsplit(".", 1)[-1]
    if short not in STORAGE_ITEMSIZE:
        raise UnpicklingError(f"a storage reference names an unknown storage type '{name}'")
    return short


def _to_storage(
    raw: NDArray[Any] | None, storage_class: str, location: str, nbytes: int, big_endian: bool
) -> LoadedStorage:
    """Wraps a storage's bytes (shared, not copied) as a flat tensor."""
    import numpy as np

    dtype = STORAGE_DTYPES.get(storage_class)
    if dtype is None or raw is None:
        return LoadedStorage(None, location, nbytes, FOREIGN_STORAGE_DTYPES[storage_class], raw)
    name = str(dtype).removeprefix("torch.")
    if name == "bool":  # any byte other than 0 or 1 is not a valid C++ bool
        return LoadedStorage(_C.from_numpy(raw != 0), location, nbytes)
    np_dtype = np.dtype(name)
    arr = raw.view(np_dtype.newbyteorder(">") if big_endian else np_dtype)
    if big_endian:
        arr = arr.astype(np_dtype)
    return LoadedStorage(_C.from_numpy(arr), location, nbytes)


# ---- the zip container ---------------------------------------------------------


class _ZipRecords:
    """The records of a checkpoint archive, read on demand with their sizes
    checked against the file before anything is allocated."""

    def __init__(self, fp: IO[bytes], name: str, path: str | None) -> None:
        self.fp = fp
        self.name = name
        self.path = path
        fp.seek(0, os.SEEK_END)
        self.file_size = fp.tell()
        fp.seek(0)
        try:
            archive = zipfile.ZipFile(fp)
        except zipfile.BadZipFile as e:
            # Without its end record (the last bytes) the archive was cut short.
            cut = str(e) == "File is not a zip file"
            _fail(name, f"is {'truncated' if cut else 'corrupted'} (a zip archive, but {e})")
        except (zipfile.LargeZipFile, ValueError, OSError, EOFError) as e:
            _fail(name, f"is corrupted (a zip archive, but {e})")
        infos = archive.infolist()
        if not infos:
            _fail(name, "is an empty zip archive, not a checkpoint")
        first = infos[0].filename
        if "/" not in first:
            _fail(name, "is a zip archive without a top-level folder, not a checkpoint")
        self.prefix = first.split("/", 1)[0] + "/"
        self.entries = {
            info.filename[len(self.prefix) :]: info
            for info in infos
            if info.filename.startswith(self.prefix)
        }
        if "data.pkl" not in self.entries:
            _fail(name, "is a zip archive without data.pkl, not a PyTorch checkpoint")

    def _span(self, key: str) -> tuple[zipfile.ZipInfo, int]:
        """The record's entry and the offset of its data in the file."""
        info = self.entries.get(key)
        if info is None:
            _fail(self.name, f"is corrupted or truncated (it has no record '{key}')")
        if not 0 <= info.header_offset <= self.file_size - 30:
            _fail(self.name, f"is corrupted (record '{key}' starts outside the file)")
        self.fp.seek(info.header_offset)
        header = self.fp.read(30)
        if len(header) != 30 or header[:4] != ZIP_MAGIC:
            _fail(self.name, f"is corrupted (bad local header for record '{key}')")
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        local_name = self.fp.read(name_len)
        if local_name.decode("utf-8", "replace") != info.filename:
            _fail(self.name, f"is corrupted (record '{key}' has two names)")
        start = info.header_offset + 30 + name_len + extra_len
        if start + info.compress_size > self.file_size:
            _fail(
                self.name,
                f"is truncated or corrupted: record '{key}' declares {info.compress_size} "
                f"bytes, but the file ends {max(self.file_size - start, 0)} bytes after its start",
            )
        return info, start

    def has(self, key: str) -> bool:
        return key in self.entries

    def read(self, key: str, expected: int | None = None) -> NDArray[Any]:
        """The record's bytes as a writable uint8 array (CRC checked)."""
        import numpy as np

        info, start = self._span(key)
        if expected is not None and info.file_size != expected:
            _fail(
                self.name,
                f"is corrupted: record '{key}' holds {info.file_size} bytes, "
                f"its tensors need {expected}",
            )
        self.fp.seek(start)
        if info.compress_type == zipfile.ZIP_STORED:
            if info.file_size != info.compress_size:
                _fail(self.name, f"is corrupted (record '{key}' has two sizes)")
            # np.empty: the pages are written once, by the read (no zero fill).
            buf = np.empty(info.file_size, dtype=np.uint8)
            if self.fp.readinto(buf.data) != info.file_size:  # type: ignore[attr-defined]
                _fail(self.name, f"is truncated (record '{key}')")
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            if info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + 1024:
                _fail(
                    self.name,
                    f"is corrupted: record '{key}' claims {info.file_size} bytes from "
                    f"{info.compress_size} compressed bytes",
                )
            inflater = zlib.decompressobj(-15)
            out = inflater.decompress(self.fp.read(info.compress_size), info.file_size)
            if len(out) != info.file_size or inflater.unconsumed_tail:
                _fail(self.name, f"is corrupted (record '{key}' does not inflate to its size)")
            buf = np.frombuffer(bytearray(out), dtype=np.uint8)
        else:
            _fail(self.name, f"uses a compression autograd_cpp does not read (record '{key}')")
        if zlib.crc32(buf.data) != info.CRC:
            _fail(self.name, f"is corrupted (checksum mismatch in record '{key}')")
        return buf

    def map(self, key: str, expected: int) -> NDArray[Any] | None:
        """The record's bytes mapped copy-on-write from the file (None when it
        is compressed: then it is read instead)."""
        import numpy as np

        info, start = self._span(key)
        if info.file_size != expected:
            _fail(self.name, f"is corrupted: record '{key}' holds {info.file_size} bytes")
        if info.compress_type != zipfile.ZIP_STORED or self.path is None:
            return None
        if expected == 0:
            return np.zeros(0, dtype=np.uint8)
        return np.memmap(self.path, dtype=np.uint8, mode="c", offset=start, shape=(expected,))


def load_zip(
    fp: IO[bytes],
    name: str,
    map_location: MapLocation,
    mmap_path: str | None = None,
    encoding: str = "utf-8",
    weights_only: bool = True,
) -> Any:
    records = _ZipRecords(fp, name, mmap_path)
    big_endian = False
    if records.has("byteorder"):
        order = records.read("byteorder").tobytes().decode("ascii", "replace")
        if order not in ("little", "big"):
            _fail(name, f"is corrupted (unknown byte order {order!r:.20})")
        big_endian = order == "big"
    loaded: dict[str, LoadedStorage] = {}

    def storage(pid: object) -> LoadedStorage:
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            raise UnpicklingError(f"unknown persistent id in the checkpoint: {pid!r:.80}")
        _, marker, key, location, numel = pid
        storage_class = _storage_class(marker)
        if type(key) is not str or type(location) is not str or type(numel) is not int:
            raise UnpicklingError(f"malformed storage reference in the checkpoint: {pid!r:.80}")
        if key in loaded:
            return loaded[key]
        if numel < 0:
            raise UnpicklingError("a storage has a negative size")
        nbytes = numel * STORAGE_ITEMSIZE[storage_class]
        record = f"data/{key}"
        raw: NDArray[Any] | None = None
        if STORAGE_DTYPES.get(storage_class) is not None or storage_class == "UntypedStorage":
            if mmap_path is not None:
                raw = records.map(record, nbytes)
            if raw is None:
                raw = records.read(record, nbytes)
        placed = _place(
            _to_storage(raw, storage_class, location, nbytes, big_endian), location, map_location
        )
        loaded[key] = placed
        return placed

    pickle_bytes = records.read("data.pkl").tobytes()
    return unpickler(pickle_bytes, storage, encoding, weights_only).load_checked()


# ---- the format before PyTorch 1.6 ----------------------------------------------


def load_legacy(
    data: bytes,
    name: str,
    map_location: MapLocation,
    encoding: str = "utf-8",
    weights_only: bool = True,
) -> Any:
    import numpy as np

    def unpickle(
        at: int, persistent: Callable[[object], LoadedStorage] | None = None
    ) -> tuple[Any, int]:
        if not weights_only:
            stream = io.BytesIO(data)
            stream.seek(at)
            return FullUnpickler(stream, persistent, encoding).load_checked(), stream.tell()
        end = scan(data, at)
        unpickler = RestrictedUnpickler(memoryview(data)[at:end], persistent, encoding)
        return unpickler.load_checked(), end

    magic, pos = unpickle(0)
    protocol, pos = unpickle(pos)
    if protocol != _LEGACY_PROTOCOL_VERSION:
        _fail(name, f"has an unknown legacy protocol version {protocol!r:.20}")
    info, pos = unpickle(pos)
    if not isinstance(info, dict) or info.get("little_endian") is not True:
        _fail(name, "was written on a big-endian machine in the legacy format, which is not read")
    # The storages' bytes follow the object: each storage is allocated here
    # (zeros, checked to fit in the rest of the file) and filled below, and
    # its tensors view it meanwhile.
    buffers: dict[str, tuple[NDArray[Any], str, int, LoadedStorage]] = {}
    budget = len(data) - pos

    def storage(pid: object) -> LoadedStorage:
        nonlocal budget
        if not isinstance(pid, tuple) or len(pid) != 6 or pid[0] != "storage":
            raise UnpicklingError(f"unknown persistent id in the checkpoint: {pid!r:.80}")
        _, marker, key, location, numel, view = pid
        storage_class = _storage_class(marker)
        if type(key) is not str or type(location) is not str or type(numel) is not int:
            raise UnpicklingError(f"malformed storage reference in the checkpoint: {pid!r:.80}")
        if key not in buffers:
            if numel < 0:
                raise UnpicklingError("a storage has a negative size")
            nbytes = numel * STORAGE_ITEMSIZE[storage_class]
            budget -= 8 + nbytes
            if budget < 0:
                _fail(name, "is truncated or corrupted (its storages are larger than the file)")
            raw = np.zeros(nbytes, dtype=np.uint8)
            dtype = STORAGE_DTYPES.get(storage_class)
            if dtype is None:
                root = LoadedStorage(
                    None, location, nbytes, FOREIGN_STORAGE_DTYPES[storage_class], raw
                )
            else:
                root = LoadedStorage(_C.from_numpy(raw.view(_numpy_dtype(dtype))), location, nbytes)
            buffers[key] = (raw, storage_class, numel, _place(root, location, map_location))
        root = buffers[key][3]
        if view is None or root.flat is None:
            return root
        if (
            not isinstance(view, tuple)
            or len(view) != 3
            or not all(type(v) is int for v in view[1:])
        ):
            raise UnpicklingError("malformed storage view in the checkpoint")
        _, offset, size = view
        if offset < 0 or size < 0 or offset + size > root.flat.numel():
            raise UnpicklingError("a storage view lies outside its storage")
        return LoadedStorage(root.flat._alias_as((size,), (1,), offset), root.location, size)

    obj, pos = unpickle(pos, storage)
    keys, pos = unpickle(pos)
    if not isinstance(keys, list) or sorted(keys) != sorted(buffers):
        _fail(name, "is corrupted (its storage key list does not match its storages)")
    for key in keys:
        raw, storage_class, numel, _ = buffers[key]
        if pos + 8 + raw.nbytes > len(data) or struct.unpack_from("<q", data, pos)[0] != numel:
            _fail(name, f"is truncated or corrupted (storage '{key}')")
        src = np.frombuffer(data, dtype=np.uint8, count=raw.nbytes, offset=pos + 8)
        raw[:] = src != 0 if storage_class == "BoolStorage" else src
        pos += 8 + raw.nbytes
    return obj


def _numpy_dtype(dtype: _C.dtype) -> np.dtype[Any]:
    import numpy as np

    name = str(dtype).removeprefix("torch.")
    return np.dtype(np.bool_ if name == "bool" else name)


# ---- writing -------------------------------------------------------------------


_GLOBAL = b"c"
_BATCH = 1000


class _PickleWriter:
    """Pickles checkpoint objects with the opcodes of protocol 2 that
    PyTorch's weights_only unpickler reads, naming PyTorch's globals. Tensors
    become storage references; each storage is recorded once."""

    def __init__(self, protocol: int, legacy: bool = False) -> None:
        self.legacy = legacy  # storage references of the format before 1.6
        self.out = bytearray()
        self.memo: dict[int, int] = {}
        self.globals: dict[str, int] = {}
        self.storages: dict[tuple[int, str, int], tuple[str, _C.Tensor]] = {}
        self.protocol = protocol
        self.in_tuple: set[int] = set()
        # Objects whose id() is memoized must outlive the write.
        self.keep: list[object] = []

    def dump(self, obj: object) -> bytes:
        self.out += pickle_proto(self.protocol)
        self.save(obj)
        self.out += b"."
        return bytes(self.out)

    # -- primitives

    def put(self, obj: object) -> None:
        idx = len(self.memo)
        self.memo[id(obj)] = idx
        self.keep.append(obj)
        self.out += b"q" + bytes([idx]) if idx < 256 else b"r" + struct.pack("<I", idx)

    def get(self, idx: int) -> None:
        self.out += b"h" + bytes([idx]) if idx < 256 else b"j" + struct.pack("<I", idx)

    def global_(self, module: str, name: str) -> None:
        full = f"{module}\n{name}\n"
        idx = self.globals.get(full)
        if idx is not None:
            self.get(idx)
            return
        self.out += _GLOBAL + full.encode("ascii")
        idx = len(self.memo)
        self.globals[full] = idx
        self.memo[-1 - idx] = idx  # a slot no object id can take
        self.out += b"q" + bytes([idx]) if idx < 256 else b"r" + struct.pack("<I", idx)

    def save_int(self, x: int) -> None:
        if 0 <= x < 256:
            self.out += b"K" + bytes([x])
        elif 0 <= x < 65536:
            self.out += b"M" + struct.pack("<H", x)
        elif -(2**31) <= x < 2**31:
            self.out += b"J" + struct.pack("<i", x)
        else:
            raw = x.to_bytes((x.bit_length() + 8) // 8, "little", signed=True)
            if len(raw) < 256:
                self.out += b"\x8a" + bytes([len(raw)]) + raw
            else:
                self.out += b"\x8b" + struct.pack("<i", len(raw)) + raw

    def save_str(self, s: str) -> None:
        raw = s.encode("utf-8", "surrogatepass")
        self.out += b"X" + struct.pack("<I", len(raw)) + raw

    def save_bytes(self, b: bytes) -> None:
        self.global_("_codecs", "encode")
        self.save_str(b.decode("latin1"))
        self.save_str("latin1")
        self.out += b"\x86R"  # TUPLE2 REDUCE

    def call(self, module: str, name: str, *args: object) -> None:
        """module.name(*args) as GLOBAL, args tuple, REDUCE."""
        self.global_(module, name)
        self.save_tuple(args)
        self.out += b"R"

    # -- objects

    def save(self, obj: object) -> None:
        kind = type(obj)
        if obj is None:
            self.out += b"N"
        elif kind is bool:
            self.out += b"\x88" if obj else b"\x89"
        elif kind is int:
            self.save_int(obj)  # type: ignore[arg-type]
        elif kind is float:
            self.out += b"G" + struct.pack(">d", obj)
        elif kind is str:
            self.save_str(obj)  # type: ignore[arg-type]
        elif id(obj) in self.memo:
            self.get(self.memo[id(obj)])
        elif kind is bytes:
            self.save_bytes(obj)  # type: ignore[arg-type]
            self.put(obj)
        elif kind is tuple:
            self.save_tuple(obj)  # type: ignore[arg-type]
            self.put(obj)
        elif kind is list:
            self.save_list(obj)  # type: ignore[arg-type]
        elif kind is dict:
            self.out += b"}"
            self.put(obj)
            self.save_items(obj)  # type: ignore[arg-type]
        elif kind is OrderedDict or kind is Counter:
            self.save_mapping_class(obj)  # type: ignore[arg-type]
        elif isinstance(obj, _C.Tensor):
            self.save_tensor(obj)
            self.put(obj)
        else:
            self.save_other(obj)

    def save_tuple(self, items: tuple[object, ...]) -> None:
        if id(items) in self.in_tuple:
            raise ValueError("autograd_cpp.save: cannot save a tuple that contains itself")
        self.in_tuple.add(id(items))
        n = len(items)
        if n == 0:
            self.out += b")"
        elif n <= 3:
            for item in items:
                self.save(item)
            self.out += (b"\x85", b"\x86", b"\x87")[n - 1]
        else:
            self.out += b"("
            for item in items:
                self.save(item)
            self.out += b"t"
        self.in_tuple.discard(id(items))

    def save_list(self, items: list[object]) -> None:
        self.out += b"]"
        self.put(items)
        for start in range(0, len(items), _BATCH):
            self.out += b"("
            for item in items[start : start + _BATCH]:
                self.save(item)
            self.out += b"e"  # APPENDS

    def save_items(self, mapping: dict[Any, Any]) -> None:
        items = list(mapping.items())
        for start in range(0, len(items), _BATCH):
            self.out += b"("
            for key, value in items[start : start + _BATCH]:
                self.save(key)
                self.save(value)
            self.out += b"u"  # SETITEMS

    def save_mapping_class(self, mapping: dict[Any, Any]) -> None:
        self.call("collections", type(mapping).__name__)
        self.put(mapping)
        self.save_items(mapping)
        attributes = vars(mapping)
        if attributes:  # a state_dict's _metadata
            self.save(dict(attributes))
            self.out += b"b"  # BUILD

    def save_tensor(self, t: _C.Tensor) -> None:
        from .nn.parameter import Parameter

        flat = t._storage_flat()
        dtype = str(t.dtype).removeprefix("torch.")
        key = (flat.data_ptr(), dtype, flat.numel())
        if key not in self.storages:
            self.storages[key] = (str(len(self.storages)), flat)
        record = self.storages[key][0]
        is_parameter = isinstance(t, Parameter)
        if is_parameter:
            self.global_("torch._utils", "_rebuild_parameter")
            self.out += b"("
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.out += b"("
        # The storage reference: ('storage', torch.<T>Storage, key, 'cpu', numel)
        self.out += b"("
        self.save_str("storage")
        self.global_("torch", STORAGE_CLASS_OF[dtype])
        self.save_str(record)
        self.save_str("cpu")
        self.save_int(flat.numel())
        if self.legacy:
            self.out += b"N"  # no view of another storage
        self.out += b"tQ"  # TUPLE BINPERSID
        self.save_int(t.storage_offset())
        self.save_tuple(tuple(t.shape))
        self.save_tuple(t.stride())
        requires_grad = bool(t.requires_grad)
        self.save(requires_grad and not is_parameter)
        self.call("collections", "OrderedDict")  # backward hooks: none
        self.out += b"tR"
        if is_parameter:
            self.save(requires_grad)
            self.call("collections", "OrderedDict")
            self.out += b"tR"

    def save_other(self, obj: object) -> None:
        import numpy as np

        from ._tensor import Size, device

        if isinstance(obj, Size):
            self.call("torch", "Size", tuple(obj))
            self.put(obj)
        elif isinstance(obj, _C.dtype):
            self.global_("torch", str(obj).removeprefix("torch."))
        elif isinstance(obj, device):
            self.call("torch", "device", str(obj))
        elif type(obj) is set or type(obj) is frozenset:
            self.call("builtins", type(obj).__name__, list(obj))
            self.put(obj)
        elif type(obj) is complex:
            self.call("builtins", "complex", obj.real, obj.imag)
        elif type(obj) is bytearray:
            self.call("builtins", "bytearray", bytes(obj))
            self.put(obj)
        elif isinstance(obj, np.ndarray):
            self.save_ndarray(obj)
            self.put(obj)
        elif isinstance(obj, np.generic) and _plain_numpy_dtype(obj.dtype):
            self.global_(_numpy_core(), "scalar")
            self.out += b"("
            self.save_numpy_dtype(obj.dtype)
            self.save_bytes(obj.tobytes())
            self.out += b"tR"
        else:
            raise _NotPlain(type(obj).__name__)

    def save_numpy_dtype(self, dtype: np.dtype[Any]) -> None:
        # numpy.dtype('f8', False, True) then BUILD with its byte order, as numpy pickles it.
        self.call("numpy", "dtype", dtype.str[1:], False, True)
        order = "|" if dtype.itemsize == 1 else dtype.str[0]
        self.save_tuple((3, order, None, None, None, -1, -1, 0))
        self.out += b"b"

    def save_ndarray(self, arr: NDArray[Any]) -> None:
        if not _plain_numpy_dtype(arr.dtype):
            raise _NotPlain(f"numpy array of dtype {arr.dtype}")
        core = _numpy_core()
        self.global_(core, "_reconstruct")
        self.out += b"("
        self.global_("numpy", "ndarray")
        self.save_tuple((0,))
        self.save_bytes(b"b")
        self.out += b"tR"
        fortran = bool(arr.flags.f_contiguous and not arr.flags.c_contiguous)
        self.out += b"("
        self.save_int(1)
        self.save_tuple(tuple(arr.shape))
        self.save_numpy_dtype(arr.dtype)
        self.save(fortran)
        self.save_bytes(arr.tobytes(order="F" if fortran else "C"))
        self.out += b"tb"  # TUPLE BUILD


def _bytes_of(arr: NDArray[Any]) -> memoryview:
    """A contiguous array's memory as bytes, without a copy."""
    import numpy as np

    return arr.reshape(-1).view(np.uint8).data


def pickle_proto(protocol: int) -> bytes:
    return b"\x80" + bytes([protocol])


def _plain_numpy_dtype(dtype: np.dtype[Any]) -> bool:
    return dtype.kind in "biufc" and dtype.fields is None and dtype.subdtype is None


def _numpy_core() -> str:
    """Where this numpy's arrays pickle from (numpy._core since numpy 2)."""
    import numpy as np

    return str(np.ndarray.__reduce__(np.zeros(0))[0].__module__)


def _zip_entry(
    name: bytes, crc: int, size: int, offset: int, force_zip64: bool = False
) -> tuple[bytes, bytes]:
    """A stored entry's local header (padded so its data starts on a 64-byte
    boundary, as PyTorch's reader expects for memory mapping) and its central
    directory record. Sizes and offsets past 4 GiB go in zip64 extra fields."""
    big = force_zip64 or size >= 0xFFFFFFFF
    far = force_zip64 or offset >= 0xFFFFFFFF
    zip64_local = struct.pack("<HHQQ", 1, 16, size, size) if big else b""
    base = offset + 30 + len(name) + len(zip64_local) + 4
    pad = (-base) % _ALIGNMENT
    extra = zip64_local + struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # "FB" padding field
    stored = 0xFFFFFFFF if big else size
    version = 45 if big or far else 20
    local = (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            version,
            0x0800,  # names are UTF-8
            0,  # stored
            0,
            0x21,  # 1980-01-01 00:00: files do not depend on the clock
            crc,
            stored,
            stored,
            len(name),
            len(extra),
        )
        + name
        + extra
    )
    fields = ((size, size) if big else ()) + ((offset,) if far else ())
    central_extra = b""
    if fields:
        central_extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields)
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            version,
            version,
            0x0800,
            0,
            0,
            0x21,
            crc,
            stored,
            stored,
            len(name),
            len(central_extra),
            0,
            0,
            0,
            0,
            0xFFFFFFFF if far else offset,
        )
        + name
        + central_extra
    )
    return local, central


def write_zip(out: _Writable, prefix: str, records: list[tuple[str, Any]]) -> None:
    """Writes the records (name, bytes-like) as an uncompressed zip archive in
    one pass, computing each CRC before its header so no seeking is needed."""
    offset = 0
    central: list[bytes] = []
    ids = hashlib.blake2b(digest_size=16)
    for key, data in records:
        view = _bytes_of(data) if hasattr(data, "dtype") else memoryview(data)
        crc = zlib.crc32(view)
        ids.update(struct.pack("<IQ", crc, view.nbytes) + key.encode())
        local, entry = _zip_entry(f"{prefix}/{key}".encode(), crc, view.nbytes, offset)
        out.write(local)
        out.write(view)
        central.append(entry)
        offset += len(local) + view.nbytes
    # PyTorch closes its archives with an id made from the records.
    digest = int.from_bytes(ids.digest(), "little")
    serial = f"{digest % 10**20:020d}{(digest >> 64) % 10**20:020d}".encode()
    local, entry = _zip_entry(
        f"{prefix}/.data/serialization_id".encode(), zlib.crc32(serial), len(serial), offset
    )
    out.write(local + serial)
    central.append(entry)
    offset += len(local) + len(serial)
    directory = b"".join(central)
    count, size = len(central), len(directory)
    out.write(directory)
    if count >= 0xFFFF or offset >= 0xFFFFFFFF or size >= 0xFFFFFFFF:
        end64 = offset + size
        out.write(
            struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, offset)
        )
        out.write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
    out.write(
        struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            min(count, 0xFFFF),
            min(count, 0xFFFF),
            min(size, 0xFFFFFFFF),
            min(offset, 0xFFFFFFFF),
            0,
        )
    )


class _NotPlain(TypeError):
    """An object outside what weights_only loading reads: the whole object
    is then pickled by _ObjectPickler instead."""


class _Name:
    """One of PyTorch's globals, written by name in a whole-object pickle
    (callable only so that pickle accepts it as a reduce function)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def __call__(self, *args: object) -> NoReturn:
        raise TypeError(f"{self.module}.{self.name} is a name in a pickle, not a function")


_REBUILD_TENSOR = _Name("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Name("torch._utils", "_rebuild_parameter")
_SIZE = _Name("torch", "Size")
_DEVICE = _Name("torch", "device")
_STORAGE_NAMES = {dtype: _Name("torch", cls) for dtype, cls in STORAGE_CLASS_OF.items()}


class _StorageRef:
    __slots__ = ("dtype", "record", "numel")

    def __init__(self, dtype: str, record: str, numel: int) -> None:
        self.dtype = dtype
        self.record = record
        self.numel = numel


class _PlainTensor:
    """The tensor inside a Parameter, pickled as a plain tensor."""

    __slots__ = ("tensor",)

    def __init__(self, tensor: _C.Tensor) -> None:
        self.tensor = tensor


# Python's pure-Python pickler (typeshed declares little of it).
_PurePickler: Any = pickle._Pickler


class _ObjectPickler(_PurePickler):  # type: ignore[misc]
    """Pickles any object, as torch.save does: the program's own classes by
    reference (reading the file back runs code: weights_only=False), tensors,
    storages, dtypes, Size and device under PyTorch's names exactly as
    _PickleWriter writes them. Python's pure-Python pickler, because its
    globals can be written by name without importing them."""

    def __init__(self, out: IO[bytes], protocol: int, legacy: bool) -> None:
        super().__init__(out, protocol)
        self.legacy = legacy
        self.storages: dict[tuple[int, str, int], tuple[str, _C.Tensor]] = {}

    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        if isinstance(obj, _C.dtype):
            self.save_name(obj, "torch", str(obj).removeprefix("torch."))
        elif isinstance(obj, _Name):
            self.save_name(obj, obj.module, obj.name)
        else:
            super().save(obj, save_persistent_id)

    def save_name(self, obj: object, module: str, name: str) -> None:
        memo = self.memo.get(id(obj))
        if memo is not None:
            self.write(self.get(memo[0]))
            return
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())
        self.memoize(obj)

    def persistent_id(self, obj: Any) -> object:
        if not isinstance(obj, _StorageRef):
            return None
        ref = ("storage", _STORAGE_NAMES[obj.dtype], obj.record, "cpu", obj.numel)
        return ref + (None,) if self.legacy else ref

    def reducer_override(self, obj: Any) -> Any:
        from ._tensor import Size, device
        from .nn.parameter import Parameter

        if isinstance(obj, Parameter):
            return _REBUILD_PARAMETER, (_PlainTensor(obj), bool(obj.requires_grad), OrderedDict())
        if isinstance(obj, (_C.Tensor, _PlainTensor)):
            plain = isinstance(obj, _PlainTensor)
            t = obj.tensor if isinstance(obj, _PlainTensor) else obj
            flat = t._storage_flat()
            dtype = str(t.dtype).removeprefix("torch.")
            key = (flat.data_ptr(), dtype, flat.numel())
            if key not in self.storages:
                self.storages[key] = (str(len(self.storages)), flat)
            ref = _StorageRef(dtype, self.storages[key][0], flat.numel())
            requires_grad = bool(t.requires_grad) and not plain
            geometry = (t.storage_offset(), tuple(t.shape), t.stride())
            return _REBUILD_TENSOR, (ref, *geometry, requires_grad, OrderedDict())
        if isinstance(obj, Size):
            return _SIZE, (tuple(obj),)
        if isinstance(obj, device):
            return _DEVICE, (str(obj),)
        return NotImplemented


def _pickle(
    obj: object, protocol: int, legacy: bool = False
) -> tuple[bytes, dict[tuple[int, str, int], tuple[str, _C.Tensor]]]:
    """The pickle of obj and the storages it names: written so that
    weights_only loading reads it where obj allows, else by _ObjectPickler."""
    try:
        try:
            writer = _PickleWriter(protocol, legacy)
            return writer.dump(obj), writer.storages
        except _NotPlain:
            out = io.BytesIO()
            pickler = _ObjectPickler(out, protocol, legacy)
            pickler.dump(obj)
            return out.getvalue(), pickler.storages
    except RecursionError:
        raise ValueError("autograd_cpp.save: the object is nested too deeply to save") from None


def _check_protocol(protocol: int) -> None:
    if not 2 <= protocol <= 5:
        raise ValueError(f"autograd_cpp.save: pickle_protocol must be 2 to 5, got {protocol}")


def save_zip(obj: object, out: _Writable, protocol: int = 2, byteorder: bool = True) -> None:
    _check_protocol(protocol)
    pickled, storages = _pickle(obj, protocol)
    records: list[tuple[str, Any]] = [
        ("data.pkl", pickled),
        (".format_version", b"1"),
        (".storage_alignment", str(_ALIGNMENT).encode()),
    ]
    if byteorder:
        records.append(("byteorder", sys.byteorder.encode()))
    for record, flat in storages.values():
        records.append((f"data/{record}", flat._numpy_view()))
    records.append(("version", f"{_FORMAT_VERSION}\n".encode()))
    write_zip(out, "archive", records)


def save_legacy(obj: object, out: _Writable, protocol: int = 2) -> None:
    """PyTorch's format before 1.6: pickles, then each storage's element
    count (int64) and bytes."""
    _check_protocol(protocol)
    pickled, storages = _pickle(obj, protocol, legacy=True)
    out.write(_LEGACY_MAGIC)
    out.write(_PickleWriter(protocol).dump(_LEGACY_PROTOCOL_VERSION))
    little = sys.byteorder == "little"
    info = {
        "protocol_version": _LEGACY_PROTOCOL_VERSION,
        "little_endian": little,
        "type_sizes": {"short": 2, "int": 4, "long": 4},
    }
    out.write(_PickleWriter(protocol).dump(info))
    out.write(pickled)
    out.write(_PickleWriter(protocol).dump([key for key, _ in storages.values()]))
    for _, flat in storages.values():
        out.write(struct.pack("<q", flat.numel()))
        out.write(_bytes_of(flat._numpy_view()))


def seekable(f: Any) -> IO[bytes]:
    """f itself when it can seek, else its remaining bytes in memory."""
    try:
        if f.seekable():
            return f  # type: ignore[no-any-return]
    except (AttributeError, OSError, ValueError):
        pass
    return io.BytesIO(f.read())
