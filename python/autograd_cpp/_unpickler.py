"""A restricted unpickler: reads the pickles inside PyTorch checkpoints and
never runs code from the file.

Python's unpickler only reaches code through ``find_class``: every callable a
pickle can call, and every class it can instantiate, comes from there. Here
``find_class`` answers only from a fixed table of stand-ins (`_Global`), each
safe to call with any arguments (they build tensors, containers, numbers,
strings, dtypes and numeric numpy arrays, checking what they are given). No
real class or function of the running program is ever handed to the pickle,
so nothing else can be called or instantiated.

Three more guards close the remaining doors:
- the opcodes are scanned first: instance-building opcodes of old protocols,
  extension codes and out-of-band buffers are refused, and memo indices are
  bounded by the pickle's length (CPython's unpickler sizes its memo table by
  the largest index it sees);
- BUILD (``__setstate__``) on a stand-in raises; the objects the stand-ins
  return are builtins without a ``__dict__``, tensors, OrderedDicts (whose
  attributes PyTorch sets this way) or the numpy builders below;
- numpy's own ``__setstate__`` trusts the dtype's flags from the pickle, so
  numpy arrays and dtypes are built by placeholders that check the state and
  are swapped for the real array or dtype once the pickle is read.
"""

from __future__ import annotations

import io
import math
import pickle
import pickletools
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, NoReturn

from . import _C

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "FullUnpickler",
    "LoadedStorage",
    "RestrictedUnpickler",
    "UnpicklingError",
    "UnsupportedGlobal",
    "scan",
    "unpickler",
]

UnpicklingError = pickle.UnpicklingError
_MAX_NDIM = 64

# Opcodes that build instances the old way, look up the extension registry
# or take out-of-band buffers: PyTorch's files never contain them.
_REFUSED_OPCODES = frozenset(
    {"INST", "OBJ", "EXT1", "EXT2", "EXT4", "NEXT_BUFFER", "READONLY_BUFFER"}
)
_MEMO_OPCODES = frozenset({"PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"})

# Our dtypes by PyTorch's name, and the ones PyTorch has that we do not.
_DTYPES: dict[str, _C.dtype] = {
    "float32": _C.float32,
    "float64": _C.float64,
    "int64": _C.int64,
    "int32": _C.int32,
    "bool": _C.bool,
}
_DTYPE_ALIASES = {"float": "float32", "double": "float64", "long": "int64", "int": "int32"}
_FOREIGN_DTYPES = (
    "float16 half bfloat16 uint8 int8 int16 short uint16 uint32 uint64 complex32 complex64 "
    "cfloat complex128 cdouble float8_e4m3fn float8_e5m2 float8_e4m3fnuz float8_e5m2fnuz "
    "float8_e8m0fnu qint8 quint8 qint32 quint4x2 quint2x4"
).split()

# PyTorch's legacy typed-storage classes: the element type of a storage
# record. None marks one we have no dtype for (the error names it).
STORAGE_DTYPES: dict[str, _C.dtype | None] = {
    "FloatStorage": _C.float32,
    "DoubleStorage": _C.float64,
    "LongStorage": _C.int64,
    "IntStorage": _C.int32,
    "BoolStorage": _C.bool,
    "HalfStorage": None,
    "BFloat16Storage": None,
    "ByteStorage": None,
    "CharStorage": None,
    "ShortStorage": None,
    "ComplexFloatStorage": None,
    "ComplexDoubleStorage": None,
}
STORAGE_CLASS_OF: dict[str, str] = {
    str(dtype).removeprefix("torch."): name
    for name, dtype in STORAGE_DTYPES.items()
    if dtype is not None
}
STORAGE_ITEMSIZE = {
    "FloatStorage": 4,
    "DoubleStorage": 8,
    "LongStorage": 8,
    "IntStorage": 4,
    "BoolStorage": 1,
    "HalfStorage": 2,
    "BFloat16Storage": 2,
    "ByteStorage": 1,
    "CharStorage": 1,
    "ShortStorage": 2,
    "ComplexFloatStorage": 8,
    "ComplexDoubleStorage": 16,
    "UntypedStorage": 1,
}
FOREIGN_STORAGE_DTYPES = {
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "ByteStorage": "uint8",
    "CharStorage": "int8",
    "ShortStorage": "int16",
    "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
    "UntypedStorage": "uint8",
}


class Refused(UnpicklingError):
    """A pickle refused by the checks here (others are malformed pickles)."""


class Passthrough(Exception):
    """Carries an error of the caller's own code (a map_location callable)
    through the unpickler unchanged."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class UnsupportedGlobal(Refused):
    """A global outside the table: what load(f, weights_only=False) reads."""


def _refuse(message: str) -> NoReturn:
    raise Refused(message)


class _Global:
    """What ``find_class`` hands to the pickle: a name, and either a checked
    builder (callable) or nothing (a marker passed as an argument, such as
    ``torch.FloatStorage`` inside a storage reference)."""

    __slots__ = ("name", "build")

    def __init__(self, name: str, build: Callable[..., Any] | None = None) -> None:
        self.name = name
        self.build = build

    def __call__(self, *args: Any) -> Any:
        if self.build is None:
            _refuse(f"the global '{self.name}' is not callable in a checkpoint")
        return self.build(*args)

    def __setstate__(self, state: object) -> NoReturn:
        _refuse(f"the checkpoint tries to change the state of the global '{self.name}'")

    def __repr__(self) -> str:
        return f"<global {self.name}>"


class LoadedStorage:
    """A storage read from a checkpoint: its bytes as a flat tensor of its
    dtype (``flat`` is None for a dtype autograd_cpp lacks, named by
    ``foreign``; ``raw`` keeps the bytes for an untyped storage), and where
    it was saved from."""

    __slots__ = ("flat", "foreign", "location", "nbytes_", "raw")

    def __init__(
        self,
        flat: _C.Tensor | None,
        location: str,
        nbytes: int,
        foreign: str | None = None,
        raw: Any = None,
    ) -> None:
        self.flat = flat
        self.foreign = foreign
        self.location = location
        self.nbytes_ = nbytes
        self.raw = raw

    # What map_location callables use.
    @property
    def device(self) -> Any:
        from ._tensor import device

        return device("cpu")

    def nbytes(self) -> int:
        return self.nbytes_

    def cpu(self) -> LoadedStorage:
        return self

    def to(self, *args: Any, **kwargs: Any) -> LoadedStorage:
        device = kwargs.get("device", args[0] if args else "cpu")
        if str(device).split(":")[0] != "cpu":
            raise AssertionError("Torch not compiled with CUDA enabled")
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("Torch not compiled with CUDA enabled")

    def __setstate__(self, state: object) -> NoReturn:
        _refuse("the checkpoint tries to change the state of a storage")


# ---- tensors --------------------------------------------------------------


def _ints(value: object, what: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or len(value) > _MAX_NDIM:
        _refuse(f"a tensor's {what} is not a sequence of at most {_MAX_NDIM} ints")
    if not all(type(v) is int for v in value):
        _refuse(f"a tensor's {what} holds something other than ints")
    return tuple(value)


def _check_hooks(hooks: object) -> None:
    if hooks is not None and not (isinstance(hooks, dict) and len(hooks) == 0):
        _refuse("a tensor in the checkpoint carries backward hooks (code); they are not loaded")


def _rebuild_tensor(
    storage: object,
    storage_offset: object,
    size: object,
    stride: object,
    requires_grad: object = False,
    backward_hooks: object = None,
    metadata: object = None,
) -> _C.Tensor:
    if not isinstance(storage, LoadedStorage):
        _refuse("a tensor in the checkpoint is not built on a storage record")
    if type(storage_offset) is not int or storage_offset < 0:
        _refuse("a tensor's storage offset is not a non-negative int")
    sizes, strides = _ints(size, "size"), _ints(stride, "stride")
    if len(sizes) != len(strides) or min(sizes + strides, default=0) < 0:
        _refuse("a tensor's size and stride do not match")
    if type(requires_grad) is not bool:
        _refuse("a tensor's requires_grad is not a bool")
    _check_hooks(backward_hooks)
    if metadata is not None and not isinstance(metadata, dict):
        _refuse("a tensor's metadata is not a dict")
    if storage.flat is None:
        raise RuntimeError(
            f"the checkpoint holds a tensor of dtype torch.{storage.foreign}, which autograd_cpp "
            f"does not have (it has {', '.join('torch.' + d for d in _DTYPES)}); convert it "
            "with .float() or .long() before saving"
        )
    # The element count may be far beyond the storage only with zero strides;
    # otherwise the view must lie inside the storage (checked again in C++).
    extent = storage_offset + sum((n - 1) * s for n, s in zip(sizes, strides) if n > 0)
    if math.prod(sizes) > 0 and extent >= storage.flat.numel():
        _refuse("a tensor reaches past the end of its storage")
    try:
        t = storage.flat._alias_as(sizes, strides, storage_offset)
    except (RuntimeError, ValueError, IndexError) as e:
        _refuse(f"a tensor's geometry does not fit its storage ({e})")
    if requires_grad:
        if not t.is_floating_point():
            _refuse("an integer or bool tensor claims to require grad")
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(
    storage: object,
    storage_offset: object,
    size: object,
    stride: object,
    requires_grad: object,
    backward_hooks: object,
    dtype: object,
    metadata: object = None,
) -> _C.Tensor:
    if not isinstance(dtype, _C.dtype):
        _refuse("a tensor's dtype is not a dtype")
    if isinstance(storage, LoadedStorage) and (storage.flat is None or storage.flat.dtype != dtype):
        storage = _retyped(storage, dtype)
    return _rebuild_tensor(
        storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata
    )


def _retyped(storage: LoadedStorage, dtype: _C.dtype) -> LoadedStorage:
    """An untyped (byte) storage seen as elements of dtype."""
    raw = storage.raw
    if raw is None:
        _refuse("a tensor's storage has no bytes to reinterpret")
    np_dtype = _numpy_dtype_of(dtype)
    if raw.nbytes % np_dtype.itemsize:
        _refuse("a storage's size is not a whole number of elements")
    return LoadedStorage(_C.from_numpy(raw.view(np_dtype)), storage.location, storage.nbytes_, None)


def _numpy_dtype_of(dtype: _C.dtype) -> np.dtype[Any]:
    import numpy as np

    name = str(dtype).removeprefix("torch.")
    return np.dtype(np.bool_ if name == "bool" else name)


def _rebuild_parameter(data: object, requires_grad: object, backward_hooks: object) -> _C.Tensor:
    from .nn.parameter import Parameter

    if not isinstance(data, _C.Tensor) or type(requires_grad) is not bool:
        _refuse("a Parameter in the checkpoint is not built from a tensor")
    _check_hooks(backward_hooks)
    return Parameter(data, requires_grad=requires_grad)


def _rebuild_parameter_with_state(
    data: object, requires_grad: object, backward_hooks: object, state: object
) -> _C.Tensor:
    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    _set_attributes(param, state)
    return param


def _set_attributes(obj: object, state: object) -> None:
    """PyTorch keeps a tensor subclass's Python attributes as a dict (or a
    (dict, slots) pair); plain attributes are restored, nothing else."""
    if state is None:
        return
    if isinstance(state, tuple) and len(state) == 2:
        state = {**(state[0] or {}), **(state[1] or {})}
    if not isinstance(state, dict):
        _refuse("a tensor's attributes are not a dict")
    if not state:
        return
    if not hasattr(obj, "__dict__"):
        _refuse("a plain tensor in the checkpoint carries Python attributes")
    for key, value in state.items():
        if type(key) is not str or key.startswith("__"):
            _refuse(f"a tensor's attribute name {key!r:.40} is not allowed")
        obj.__dict__[key] = value


def _rebuild_from_type_v2(func: object, new_type: object, args: object, state: object) -> Any:
    if not isinstance(func, _Global) or func.build not in (
        _rebuild_tensor,
        _rebuild_tensor_v3,
        _rebuild_parameter,
    ):
        _refuse("a tensor in the checkpoint is rebuilt by an unexpected function")
    if not isinstance(args, tuple):
        _refuse("a tensor's arguments are not a tuple")
    result = func(*args)
    if new_type is _TENSOR_MARKER:
        pass
    elif new_type is _PARAMETER_MARKER:
        if not isinstance(result, _C.Tensor):
            _refuse("a Parameter in the checkpoint is not built from a tensor")
        from .nn.parameter import Parameter

        if not isinstance(result, Parameter):
            result = Parameter(result, requires_grad=result.requires_grad)
    else:
        _refuse(f"tensor subclasses are not loaded (the checkpoint names {new_type!r:.60})")
    _set_attributes(result, state)
    return result


def _unsupported_tensor_kind(kind: str) -> Callable[..., NoReturn]:
    def refuse(*args: object) -> NoReturn:
        raise RuntimeError(f"the checkpoint holds {kind}, which autograd_cpp does not support")

    return refuse


# ---- numpy ----------------------------------------------------------------


class _NumpyDType:
    """numpy.dtype(spec, align, copy) followed by BUILD: only plain numeric
    and bool dtypes, of either byte order."""

    __slots__ = ("dtype",)

    def __init__(self, spec: object, align: object = False, copy: object = True) -> None:
        import numpy as np

        if type(spec) is not str or len(spec) > 8:
            _refuse(f"numpy dtype {spec!r:.40} is not a plain numeric dtype")
        try:
            dtype = np.dtype(spec)
        except (TypeError, ValueError):
            _refuse(f"numpy dtype {spec!r:.40} is not a plain numeric dtype")
        if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
            _refuse(f"numpy dtype {spec!r:.40} is not a plain numeric dtype")
        self.dtype: np.dtype[Any] = dtype

    def __setstate__(self, state: object) -> None:
        # (version, byte order, subarray, names, fields, elsize, alignment, flags):
        # only the byte order is taken; a plain dtype has no names or fields.
        if not isinstance(state, tuple) or len(state) < 2 or state[1] not in "<>=|":
            _refuse("a numpy dtype's state is malformed")
        if any(s is not None for s in state[2:5]):
            _refuse("numpy structured dtypes are not loaded")
        if state[1] in "<>":
            self.dtype = self.dtype.newbyteorder(state[1])


class _NumpyArray:
    """numpy's _reconstruct(ndarray, (0,), b'b') followed by BUILD with
    (version, shape, dtype, fortran_order, raw bytes)."""

    __slots__ = ("array",)

    def __init__(self, cls: object, shape: object = (0,), typecode: object = b"b") -> None:
        if cls is not _NDARRAY_MARKER:
            _refuse(f"numpy arrays of type {cls!r:.60} are not loaded")
        self.array: Any = None

    def __setstate__(self, state: object) -> None:
        import numpy as np

        if isinstance(state, tuple) and len(state) == 5:
            state = state[1:]
        if not isinstance(state, tuple) or len(state) != 4:
            _refuse("a numpy array's state is malformed")
        shape, dtype, fortran, raw = state
        dims = _ints(shape, "numpy shape")
        if min(dims, default=0) < 0 or not isinstance(dtype, _NumpyDType):
            _refuse("a numpy array's state is malformed")
        if isinstance(raw, str):  # written by Python 2
            raw = raw.encode("latin1")
        if not isinstance(raw, (bytes, bytearray)) or type(fortran) is not bool:
            _refuse("a numpy array's state is malformed")
        if math.prod(dims) * dtype.dtype.itemsize != len(raw):
            _refuse("a numpy array's data does not match its shape")
        flat = np.frombuffer(bytearray(raw), dtype=dtype.dtype)
        self.array = flat.reshape(dims, order="F" if fortran else "C")


def _numpy_scalar(dtype: object, raw: object) -> Any:
    import numpy as np

    if not isinstance(dtype, _NumpyDType):
        _refuse("a numpy scalar's dtype is not a plain numeric dtype")
    if isinstance(raw, str):
        raw = raw.encode("latin1")
    if not isinstance(raw, bytes) or len(raw) != dtype.dtype.itemsize:
        _refuse("a numpy scalar's data does not match its dtype")
    return np.frombuffer(raw, dtype=dtype.dtype)[0].copy()


# ---- builtins ---------------------------------------------------------------


def _codecs_encode(text: object, encoding: object = "utf-8") -> bytes:
    # Protocol 2 writes bytes as _codecs.encode(str, "latin1").
    if type(text) is not str or encoding not in ("latin1", "latin-1"):
        _refuse("_codecs.encode is only read as bytes written by pickle")
    return text.encode("latin1")


def _bytes_like(kind: type[bytes] | type[bytearray]) -> Callable[..., Any]:
    def build(*args: object) -> bytes | bytearray:
        if not args:
            return kind()
        source = args[0]
        if isinstance(source, str) and len(args) == 2 and args[1] in ("latin1", "latin-1"):
            return kind(source.encode("latin1"))
        if isinstance(source, (bytes, bytearray)) and len(args) == 1:
            return kind(source)
        _refuse(f"{kind.__name__} is only read from bytes (an int would allocate memory)")

    return build


def _container(kind: Callable[..., Any]) -> Callable[..., Any]:
    def build(*args: object) -> Any:
        if len(args) > 1 or (args and not isinstance(args[0], (list, tuple, dict, set))):
            _refuse(f"{getattr(kind, '__name__', kind)} is only read from a list, tuple or dict")
        return kind(*args)

    return build


def _complex(real: object = 0.0, imag: object = 0.0) -> complex:
    if not isinstance(real, (int, float)) or not isinstance(imag, (int, float)):
        _refuse("complex is only read from two numbers")
    return complex(real, imag)


def _size(dims: object = ()) -> Any:
    from ._tensor import Size

    return Size(_ints(dims, "torch.Size"))


def _device(*args: object) -> Any:
    from ._tensor import device

    if not args or type(args[0]) is not str or (len(args) > 1 and type(args[1]) is not int):
        _refuse("torch.device is only read from a name and an index")
    return device(*args)  # type: ignore[arg-type]


def _foreign_dtype(name: str) -> Callable[..., NoReturn]:
    def refuse(*args: object) -> NoReturn:
        _refuse(f"torch.{name} is a dtype autograd_cpp does not have")

    return refuse


_TENSOR_MARKER = _Global("torch.Tensor")
_PARAMETER_MARKER = _Global("torch.nn.parameter.Parameter")
_NDARRAY_MARKER = _Global("numpy.ndarray")


def _allowed_globals() -> dict[str, Any]:
    table: dict[str, Any] = {}

    def add(name: str, build: Callable[..., Any] | None = None) -> None:
        table[name] = _Global(name, build)

    add("collections.OrderedDict", _container(OrderedDict))
    add("collections.Counter", _container(Counter))
    add("builtins.set", _container(set))
    add("builtins.frozenset", _container(frozenset))
    add("builtins.complex", _complex)
    add("builtins.bytes", _bytes_like(bytes))
    add("builtins.bytearray", _bytes_like(bytearray))
    add("_codecs.encode", _codecs_encode)
    add("torch.Size", _size)
    add("torch.device", _device)
    for name, dtype in _DTYPES.items():
        table[f"torch.{name}"] = dtype
    for alias, name in _DTYPE_ALIASES.items():
        table[f"torch.{alias}"] = _DTYPES[name]
    for name in _FOREIGN_DTYPES:
        add(f"torch.{name}", _foreign_dtype(name))
    for name in STORAGE_DTYPES:
        add(f"torch.{name}")
        add(f"torch.cuda.{name}")
    add("torch.storage.UntypedStorage")
    add("torch.UntypedStorage")
    add("torch._utils._rebuild_tensor", _rebuild_tensor)
    add("torch._utils._rebuild_tensor_v2", _rebuild_tensor)
    add("torch._utils._rebuild_tensor_v3", _rebuild_tensor_v3)
    add("torch._utils._rebuild_parameter", _rebuild_parameter)
    add("torch._utils._rebuild_parameter_with_state", _rebuild_parameter_with_state)
    add("torch._tensor._rebuild_from_type_v2", _rebuild_from_type_v2)
    for kind, what in (
        ("_rebuild_sparse_tensor", "a sparse tensor"),
        ("_rebuild_sparse_csr", "a sparse tensor"),
        ("_rebuild_nested_tensor", "a nested tensor"),
        ("_rebuild_qtensor", "a quantized tensor"),
        ("_rebuild_meta_tensor_no_storage", "a meta tensor"),
        ("_rebuild_wrapper_subclass", "a tensor subclass"),
        ("_rebuild_device_tensor_from_numpy", "a tensor of another device"),
        ("_rebuild_device_tensor_from_cpu_tensor", "a tensor of another device"),
    ):
        add(f"torch._utils.{kind}", _unsupported_tensor_kind(what))
    table["torch.Tensor"] = _TENSOR_MARKER
    table["torch._tensor.Tensor"] = _TENSOR_MARKER
    table["torch.nn.parameter.Parameter"] = _PARAMETER_MARKER
    table["numpy.ndarray"] = _NDARRAY_MARKER
    for core in ("numpy.core", "numpy._core"):
        add(f"{core}.multiarray._reconstruct", _NumpyArray)
        add(f"{core}.multiarray.scalar", _numpy_scalar)
    add("numpy.dtype", _NumpyDType)
    return table


_ALLOWED = _allowed_globals()
# Names Python 2 (and protocol 2 with fix_imports) writes for Python 3's modules.
_OLD_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


def scan(data: bytes | bytearray | memoryview, start: int = 0) -> int:
    """Checks the opcodes of the pickle at data[start:] (see the module
    docstring) and returns the offset just past its STOP."""
    limit = len(data)
    stream = io.BytesIO(data)
    stream.seek(start)
    try:
        for opcode, arg, _pos in pickletools.genops(stream):
            name = opcode.name
            if name in _REFUSED_OPCODES:
                _refuse(f"the pickle uses the opcode {name}, which checkpoints never contain")
            if name in _MEMO_OPCODES and (type(arg) is not int or not 0 <= arg < limit):
                _refuse(f"the pickle uses a memo index out of range ({arg!r:.20})")
            if name == "STOP":
                return stream.tell()
    except (ValueError, IndexError, UnicodeDecodeError, OverflowError) as e:
        _refuse(f"the pickle is malformed or truncated ({e})")
    _refuse("the pickle is truncated (no STOP opcode)")


class RestrictedUnpickler(pickle.Unpickler):
    """pickle.Unpickler limited to the table above. `persistent_load`
    resolves storage references (PyTorch's persistent ids)."""

    def __init__(
        self,
        data: bytes | bytearray | memoryview,
        persistent_load: Callable[[object], LoadedStorage] | None = None,
        encoding: str = "utf-8",
    ) -> None:
        super().__init__(io.BytesIO(data), encoding=encoding)
        self._resolve = persistent_load

    def find_class(self, module: str, name: str) -> Any:
        module = _OLD_MODULES.get(module, module)
        full = f"{module}.{name}"
        found = _ALLOWED.get(full)
        if found is None:
            raise UnsupportedGlobal(
                f"the checkpoint refers to the global '{full}', which is not loaded: "
                "loading never runs code from a file, so only tensors, containers "
                "(dict, OrderedDict, list, tuple, set), numbers, strings, bytes, "
                "dtypes, torch.Size and numeric numpy arrays are read"
            )
        return found

    def persistent_load(self, pid: object) -> LoadedStorage:
        if self._resolve is None:
            _refuse("the pickle refers to a storage record outside a checkpoint")
        return self._resolve(pid)

    def load_checked(self) -> Any:
        try:
            obj = super().load()
        except Passthrough as wrapped:
            raise wrapped.error from None
        except (Refused, RuntimeError, AssertionError):
            raise
        except RecursionError:
            _refuse("the pickle is nested too deeply")
        except (
            EOFError,
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
            OverflowError,
            MemoryError,
            UnicodeDecodeError,
            UnpicklingError,
        ) as e:
            _refuse(f"the pickle is malformed ({type(e).__name__}: {e})")
        return _resolve_placeholders(obj)


def _resolve_placeholders(obj: Any) -> Any:
    """Swaps the numpy placeholders for the arrays and dtypes they built,
    wherever they sit (containers are updated in place; tuples rebuilt)."""
    done: dict[int, Any] = {}

    def walk(x: Any) -> Any:
        if isinstance(x, _NumpyArray):
            if x.array is None:
                _refuse("a numpy array in the checkpoint has no data")
            return x.array
        if isinstance(x, _NumpyDType):
            return x.dtype
        if isinstance(x, _Global):
            _refuse(f"the global '{x.name}' is not a value")
        if not isinstance(x, (list, dict, tuple, set, frozenset)) and not hasattr(x, "__dict__"):
            return x
        key = id(x)
        if key in done:
            return done[key]
        done[key] = x
        if isinstance(x, list):
            for i, v in enumerate(x):
                x[i] = walk(v)
        elif isinstance(x, dict):
            for k, v in list(x.items()):
                x[k] = walk(v)
            if hasattr(x, "__dict__"):  # OrderedDict attributes (_metadata)
                for k, v in list(vars(x).items()):
                    vars(x)[k] = walk(v)
        elif isinstance(x, tuple):
            items = tuple(walk(v) for v in x)
            if any(a is not b for a, b in zip(items, x)):
                rebuilt = type(x)(items)
                done[key] = rebuilt
                return rebuilt
        elif isinstance(x, (set, frozenset)):
            if any(isinstance(v, (_NumpyArray, _NumpyDType, _Global)) for v in x):
                _refuse("a set in the checkpoint holds numpy arrays or globals")
        return x

    try:
        return walk(obj)
    except RecursionError:
        _refuse("the pickle is nested too deeply")


def iter_globals() -> Iterator[str]:
    """The globals a checkpoint may name (documentation and tests)."""
    return iter(sorted(_ALLOWED))


class FullUnpickler(pickle.Unpickler):
    """What ``load(f, weights_only=False)`` uses: an ordinary unpickler,
    which imports and runs whatever the pickle names (the caller chose to
    trust the file). PyTorch's tensor, storage and dtype globals go to the
    same builders as above; other ``torch.*`` names resolve in autograd_cpp,
    so a whole pickled ``nn.Module`` comes back as autograd_cpp's."""

    def __init__(
        self,
        stream: IO[bytes],
        persistent_load: Callable[[object], LoadedStorage] | None = None,
        encoding: str = "utf-8",
    ) -> None:
        super().__init__(stream, encoding=encoding)
        self._resolve = persistent_load

    def find_class(self, module: str, name: str) -> Any:
        module = _OLD_MODULES.get(module, module)
        if module == "torch" or module.startswith("torch."):
            found = _ALLOWED.get(f"{module}.{name}")
            if found is not None and found not in (_TENSOR_MARKER, _PARAMETER_MARKER):
                return found
            module = "autograd_cpp" + module[len("torch") :]
        return super().find_class(module, name)

    def persistent_load(self, pid: object) -> LoadedStorage:
        if self._resolve is None:
            raise UnpicklingError("the pickle refers to a storage record outside a checkpoint")
        return self._resolve(pid)

    def load_checked(self) -> Any:
        try:
            return super().load()
        except Passthrough as wrapped:
            raise wrapped.error from None


def unpickler(
    data: bytes | bytearray | memoryview,
    persistent_load: Callable[[object], LoadedStorage] | None,
    encoding: str,
    weights_only: bool,
) -> RestrictedUnpickler | FullUnpickler:
    """The restricted unpickler (after the opcode scan), or the full one."""
    if weights_only:
        scan(data)
        return RestrictedUnpickler(data, persistent_load, encoding)
    return FullUnpickler(io.BytesIO(data), persistent_load, encoding)
