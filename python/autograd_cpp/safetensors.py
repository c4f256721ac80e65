"""safetensors files: the format model hubs use, with the names of
``safetensors.torch`` (``save_file``, ``load_file``, ``save``, ``load``,
``safe_open``, ``save_model``, ``load_model``).

A file is an 8-byte little-endian header length, a JSON header
(``{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
"__metadata__": {str: str}}``, padded with spaces to a multiple of 8 bytes)
and the tensors' bytes back to back. Nothing in it is code, and every offset
and size is checked against the file before a tensor is made. Files are read
zero-copy: ``load_file`` maps the file copy-on-write and each tensor views
the mapping (a tensor whose bytes are not aligned for its dtype is copied).
The package ``safetensors`` is not needed; its files and these interchange.
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import _C

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from .nn.modules.module import Module

__all__ = [
    "SafetensorError",
    "load",
    "load_file",
    "load_model",
    "safe_open",
    "save",
    "save_file",
    "save_model",
]

# safetensors' dtype codes for ours, and the ones it has that we lack.
_CODES = {"float32": "F32", "float64": "F64", "int64": "I64", "int32": "I32", "bool": "BOOL"}
_DTYPES = {code: name for name, code in _CODES.items()}
_ITEMSIZE = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "I16": 2, "U16": 2,
    "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8,
}  # fmt: skip
_MAX_HEADER = 100_000_000  # as safetensors: a larger header is refused


class SafetensorError(Exception):
    """A safetensors file that cannot be read or a state that cannot be written."""


def _numpy_dtype(name: str) -> np.dtype[Any]:
    import numpy as np

    dtype: np.dtype[Any] = np.dtype(np.bool_ if name == "bool" else name).newbyteorder("<")
    return dtype


# ---- writing ------------------------------------------------------------------


def _layout(
    tensors: Mapping[str, _C.Tensor], metadata: Mapping[str, str] | None
) -> tuple[bytes, list[tuple[str, _C.Tensor]]]:
    """The header and the tensors in file order: by decreasing item size then
    name, as safetensors writes them, so every tensor stays aligned."""
    if metadata is not None and not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise ValueError("metadata must be a dict of str to str")
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise ValueError(f"tensor names must be strings, got {name!r}")
        if not isinstance(t, _C.Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected a tensor but received {type(t)}")
        if not t.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{name}` which is not allowed. "
                "It either means you are trying to save tensors which are reference of each "
                "other in which case it's recommended to save only the full tensors, and "
                "reslice at load time, or simply call `.contiguous()` on your tensor to pack it "
                "before saving."
            )
    _refuse_shared(tensors)
    order = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header: dict[str, Any] = {}
    if metadata is not None:
        header["__metadata__"] = dict(metadata)
    offset = 0
    for name, t in order:
        nbytes = t.numel() * t.element_size()
        header[name] = {
            "dtype": _CODES[str(t.dtype).removeprefix("torch.")],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + nbytes],
        }
        offset += nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw, order


def _refuse_shared(tensors: Mapping[str, _C.Tensor]) -> None:
    """safetensors stores each tensor's own bytes: tensors sharing memory
    would come back as copies, so (as safetensors.torch) they are refused."""
    spans: list[tuple[int, int, str]] = []
    for name, t in tensors.items():
        if t.numel():
            start = t.data_ptr()
            spans.append((start, start + t.numel() * t.element_size(), name))
    spans.sort()
    for (_, end, first), (start, _, second) in zip(spans, spans[1:]):
        if start < end:
            raise RuntimeError(
                f"Some tensors share memory, this will lead to duplicate memory on disk and "
                f"potential differences when loading them again: [{first!r}, {second!r}]. "
                "A potential way to correctly save your model is to use `save_model`."
            )


def _payload(t: _C.Tensor) -> memoryview:
    import numpy as np

    return t.detach()._numpy_view().reshape(-1).view(np.uint8).data


def save(tensors: Mapping[str, _C.Tensor], metadata: Mapping[str, str] | None = None) -> bytes:
    """The safetensors bytes of a dict of contiguous tensors."""
    head, order = _layout(tensors, metadata)
    return head + b"".join(bytes(_payload(t)) for _, t in order)


def save_file(
    tensors: Mapping[str, _C.Tensor],
    filename: str | os.PathLike[str],
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Writes a dict of contiguous tensors to a safetensors file (the tensors'
    memory is written directly, without an intermediate copy)."""
    head, order = _layout(tensors, metadata)
    with open(filename, "wb") as out:
        out.write(head)
        for _, t in order:
            out.write(_payload(t))


def save_model(
    model: Module,
    filename: str | os.PathLike[str],
    metadata: Mapping[str, str] | None = None,
    force_contiguous: bool = False,
) -> None:
    """Saves a module's state_dict; tensors that share memory (tied weights)
    are stored once, under the first name, as safetensors.torch does."""
    state = model.state_dict()
    kept: dict[str, _C.Tensor] = {}
    seen: dict[tuple[int, int, str], str] = {}
    removed: dict[str, str] = {}
    for name, t in state.items():
        key = (t.data_ptr(), t.numel(), str(t.dtype))
        if t.numel() and key in seen:
            removed[name] = seen[key]
            continue
        seen[key] = name
        kept[name] = t.contiguous() if force_contiguous else t
    info = {**(metadata or {}), **removed}
    save_file(kept, filename, info or None)


# ---- reading ------------------------------------------------------------------


class _Reader:
    """A checked safetensors header over a buffer (a mapping or bytes)."""

    def __init__(self, buffer: Any, size: int, name: str) -> None:
        self.name = name
        if size < 8:
            self.fail("is too small to be a safetensors file (HeaderTooSmall)")
        (length,) = struct.unpack("<Q", bytes(buffer[:8]))
        if length > _MAX_HEADER:
            self.fail(f"declares a header of {length} bytes (HeaderTooLarge)")
        if 8 + length > size:
            self.fail(
                f"declares a header of {length} bytes but has {size - 8} (InvalidHeaderLength)"
            )
        raw = bytes(buffer[8 : 8 + length])
        try:
            if not raw.startswith(b"{"):
                raise ValueError("the header does not start with '{'")
            header = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            self.fail(f"has a header that is not valid JSON (InvalidHeaderDeserialization: {e})")
        if not isinstance(header, dict):
            self.fail("has a header that is not a JSON object")
        metadata = header.pop("__metadata__", None)
        if metadata is not None and not (
            isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
        ):
            self.fail("has __metadata__ that is not a dict of strings")
        self.metadata: dict[str, str] | None = metadata
        self.data_start = 8 + length
        data_size = size - self.data_start
        self.entries: dict[str, tuple[str, tuple[int, ...], int, int]] = {}
        spans = []
        for key, info in header.items():
            if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
                self.fail(f"has a malformed entry for tensor {key!r}")
            code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
            if code not in _ITEMSIZE:
                self.fail(f"gives tensor {key!r} an unknown dtype {code!r}")
            if (
                not isinstance(shape, list)
                or len(shape) > 64
                or not all(type(n) is int and n >= 0 for n in shape)
            ):
                self.fail(f"gives tensor {key!r} an invalid shape")
            if (
                not isinstance(offsets, list)
                or len(offsets) != 2
                or not all(type(n) is int for n in offsets)
                or not 0 <= offsets[0] <= offsets[1] <= data_size
            ):
                self.fail(f"gives tensor {key!r} offsets outside the file (InvalidOffset)")
            begin, end = offsets
            if math.prod(shape) * _ITEMSIZE[code] != end - begin:
                self.fail(
                    f"gives tensor {key!r} {end - begin} bytes for its shape {shape} "
                    "(TensorInvalidInfo)"
                )
            self.entries[key] = (code, tuple(shape), begin, end)
            spans.append((begin, end, key))
        spans.sort()
        for (_, end, first), (begin, _, second) in zip(spans, spans[1:]):
            if begin < end:
                self.fail(f"has overlapping tensors {first!r} and {second!r} (InvalidOffset)")

    def fail(self, why: str) -> Any:
        raise SafetensorError(f"{self.name} {why}")

    def tensor(self, key: str, buffer: NDArray[Any], writable_copy: bool) -> _C.Tensor:
        if key not in self.entries:
            raise SafetensorError(f"File does not contain tensor {key}")
        code, shape, begin, end = self.entries[key]
        if code not in _DTYPES:
            raise TypeError(
                f"{self.name}: tensor {key!r} has dtype {code}, which autograd_cpp does not have "
                f"(it reads {', '.join(sorted(_DTYPES))})"
            )
        dtype = _numpy_dtype(_DTYPES[code])
        start = self.data_start + begin
        raw = buffer[start : self.data_start + end]
        if code == "BOOL":  # only 0 and 1 are valid C++ bools
            arr = raw != 0
        else:
            arr = raw.view(dtype)
            if writable_copy or start % dtype.itemsize:
                arr = arr.copy()
        return _C.from_numpy(arr.reshape(shape))


def load(data: bytes | bytearray) -> dict[str, _C.Tensor]:
    """The tensors of safetensors bytes (one copy of the bytes, which the
    tensors share)."""
    import numpy as np

    buffer = np.frombuffer(bytearray(data), dtype=np.uint8)
    reader = _Reader(buffer, len(buffer), "the safetensors data")
    return {key: reader.tensor(key, buffer, False) for key in reader.entries}


def _map(path: str | os.PathLike[str]) -> NDArray[Any]:
    import numpy as np

    size = os.path.getsize(path)
    if size == 0:
        return np.zeros(0, dtype=np.uint8)
    return np.memmap(path, dtype=np.uint8, mode="c", shape=(size,))


def load_file(filename: str | os.PathLike[str], device: Any = "cpu") -> dict[str, _C.Tensor]:
    """The tensors of a safetensors file, viewing a copy-on-write mapping of
    it (writing to them never changes the file)."""
    with safe_open(filename, framework="pt", device=device) as f:
        return {key: f.get_tensor(key) for key in f.keys()}


def load_model(
    model: Module, filename: str | os.PathLike[str], strict: bool = True, device: Any = "cpu"
) -> tuple[list[str], list[str]]:
    """Loads a file written by save_model (or save_file) into model; returns
    (missing, unexpected) keys, as safetensors.torch does."""
    with safe_open(filename, framework="pt", device=device) as f:
        state = {key: f.get_tensor(key) for key in f.keys()}
        aliases = f.metadata() or {}
    for name, first in aliases.items():
        if name not in state and first in state:
            state[name] = state[first]
    result = model.load_state_dict(state, strict=strict)
    return list(result.missing_keys), list(result.unexpected_keys)


class _Slice:
    """A tensor of an open file, indexed before it is materialised."""

    def __init__(self, handle: safe_open, key: str) -> None:
        self.handle = handle
        self.key = key

    def get_shape(self) -> list[int]:
        return list(self.handle.reader.entries[self.key][1])

    def get_dtype(self) -> str:
        return self.handle.reader.entries[self.key][0]

    def __getitem__(self, index: Any) -> _C.Tensor:
        return self.handle.get_tensor(self.key)[index]


class safe_open:
    """``with safe_open(path, framework="pt") as f:`` then ``f.keys()``,
    ``f.get_tensor(name)``, ``f.get_slice(name)``, ``f.metadata()``."""

    def __init__(
        self, filename: str | os.PathLike[str], framework: str = "pt", device: Any = "cpu"
    ) -> None:
        if framework not in ("pt", "torch", "numpy", "np"):
            raise SafetensorError(f"framework {framework!r} is not supported here (use 'pt')")
        if str(device).split(":")[0] != "cpu":
            raise AssertionError("Torch not compiled with CUDA enabled")
        self.buffer = _map(filename)
        self.reader = _Reader(self.buffer, len(self.buffer), repr(os.fspath(filename)))

    def __enter__(self) -> safe_open:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None

    def keys(self) -> list[str]:
        return sorted(self.reader.entries)

    def offset_keys(self) -> list[str]:
        return sorted(self.reader.entries, key=lambda k: self.reader.entries[k][2])

    def metadata(self) -> dict[str, str] | None:
        return self.reader.metadata

    def get_tensor(self, name: str) -> _C.Tensor:
        return self.reader.tensor(name, self.buffer, False)

    def get_slice(self, name: str) -> _Slice:
        if name not in self.reader.entries:
            raise SafetensorError(f"File does not contain tensor {name}")
        return _Slice(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())
