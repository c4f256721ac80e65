"""Tensor behaviour best written in Python: printing, backward's argument
handling, .grad with PyTorch's warning, iteration. Attached to the C++ class."""

from __future__ import annotations

import copy
import numbers
import operator
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, SupportsIndex, cast

from . import _C
from ._device import _check_device
from ._device import device as device
from ._tensor_str import format_tensor

if TYPE_CHECKING:
    from numpy.typing import DTypeLike, NDArray

Tensor = _C.Tensor


class Size(tuple[int, ...]):
    """The shape of a tensor: a tuple that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


_C._set_size_class(Size)


_CPU = device("cpu")


def _repr(self: Tensor) -> str:
    fn = self.grad_fn
    return format_tensor(
        self._numpy_view(),
        str(self.dtype).removeprefix("torch."),
        requires_grad=self.requires_grad and fn is None,
        grad_fn_name=fn._class_name if fn is not None else None,
        default_float=str(_C.get_default_dtype()).removeprefix("torch."),
    )


def _format(self: Tensor, spec: str) -> str:
    if self.dim() == 0:
        return self.item().__format__(spec)
    return object.__format__(self, spec)


def _grad_get(self: Tensor) -> Tensor | None:
    grad = self._grad
    if grad is None and not self.is_leaf and not self._retains_grad:
        warnings.warn(
            "The .grad attribute of a Tensor that is not a leaf Tensor is being "
            "accessed. Its .grad attribute won't be populated during "
            "autograd.backward(). If you indeed want the .grad field to be "
            "populated for a non-leaf Tensor, use .retain_grad() on the non-leaf "
            "Tensor. If you access the non-leaf Tensor by mistake, make sure you "
            "access the leaf Tensor instead.",
            UserWarning,
            stacklevel=2,
        )
    return grad


def _grad_set(self: Tensor, value: Tensor | None) -> None:
    self._grad = value


def _engine_flag(value: object) -> bool:
    """retain_graph or create_graph as PyTorch's engine parses them, as an
    unsigned byte: a bool, or an integer from 0 to 255."""
    if isinstance(value, bool):
        return value
    number = operator.index(value)  # type: ignore[arg-type]
    if number < 0:
        raise OverflowError("unsigned byte integer is less than minimum")
    if number > 255:
        raise OverflowError("unsigned byte integer is greater than maximum")
    return bool(number)


def backward(
    self: Tensor,
    gradient: Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Computes the gradient of this tensor with respect to the graph's
    leaves and accumulates it into their ``.grad``.

    The graph is the chain of ``grad_fn`` nodes recorded while this tensor
    was computed. Gradients are summed into ``.grad`` of every leaf that
    requires grad (call ``optimizer.zero_grad()`` or set ``.grad = None``
    between steps); intermediate tensors keep none unless they called
    ``retain_grad()``. Without ``retain_graph``, the tensors the graph saved
    are freed as backward goes, so a second backward through it fails.

    Args:
        gradient: the gradient of some scalar with respect to this tensor,
            of this tensor's shape; backward then computes the
            vector-Jacobian product ``gradient @ J``. May be omitted only for
            a one-element tensor (it is then ``1``).
        retain_graph: keep the saved tensors so that backward can run
            through the graph again. Defaults to ``create_graph``.
        create_graph: record the backward pass itself, so that the
            gradients have a ``grad_fn`` and can be differentiated again
            (higher-order derivatives).
        inputs: accumulate only into these tensors (leaves, or tensors that
            called ``retain_grad()``) instead of into every leaf.

    Raises:
        RuntimeError: without ``gradient`` on a tensor of more than one
            element; when this tensor does not require grad; on a second
            backward through a freed graph; when a saved tensor was modified
            in place since it was saved.

    Examples:
        >>> import autograd_cpp as torch
        >>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x ** 2).sum()
        >>> y.backward()
        >>> x.grad                      # dy/dx = 2x
        tensor([2., 4., 6.])
        >>> z = x * 3                   # not a scalar: pass the gradient
        >>> z.backward(torch.tensor([1.0, 0.0, 0.5]))
        >>> x.grad                      # accumulated: 2x + [3, 0, 1.5]
        tensor([5.0000, 4.0000, 7.5000])
    """
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    if gradient is not None and not isinstance(gradient, Tensor):
        iter(gradient)  # PyTorch's TypeError for a non-iterable comes before the flags'
    self._backward(gradient, _engine_flag(retain_graph), _engine_flag(create_graph), inputs or [])


def _iter(self: Tensor) -> Iterator[Tensor]:
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(self.shape[0]))


def _array(self: Tensor, dtype: DTypeLike | None = None, copy: bool | None = None) -> NDArray[Any]:
    """numpy's array protocol (numpy 2 form): shares memory unless a dtype
    change or ``copy=True`` asks for a copy; ``copy=False`` forbids one."""
    import numpy as np  # already loaded by .numpy(); kept local for import speed

    arr = self.detach().numpy()
    if dtype is not None and np.dtype(dtype) != arr.dtype:
        if copy is False:
            raise ValueError("Unable to avoid copy while creating an array as requested.")
        return arr.astype(dtype)
    return arr.copy() if copy else arr


def _array_wrap(
    self: Tensor, array: NDArray[Any], context: Any = None, return_scalar: bool = False
) -> Tensor | NDArray[Any]:
    """Lets numpy functions applied to a tensor (``np.sin(t)``) return a
    tensor, as PyTorch's do; results of dtypes we lack stay arrays."""
    import numpy as np  # numpy is calling us, so it is loaded

    try:
        return _C.from_numpy(np.ascontiguousarray(array))
    except TypeError:
        return array


def _reversed(self: Tensor) -> Iterator[Tensor]:
    return iter(list(_iter(self))[::-1])


# ---- legacy tensor types: torch.FloatTensor & co. -------------------------------


class _LegacyTensorType(type):
    """The metaclass of torch.FloatTensor & co.: calling one builds a tensor
    of its dtype (PyTorch's legacy constructor), and ``isinstance(x,
    torch.FloatTensor)`` asks whether x has that dtype. The ``cuda`` variants
    exist so programs can name them, but build nothing."""

    dtype: _C.dtype
    is_cuda: bool

    def __instancecheck__(cls, obj: object) -> bool:
        return not cls.is_cuda and isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args: Any, device: object = None) -> Tensor:
        if cls.is_cuda:
            raise TypeError(
                f"type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA "
                "enabled."
            )
        return _legacy_new(cls.dtype, args, device)


def _legacy_type(name: str, dtype: _C.dtype, is_cuda: bool = False) -> _LegacyTensorType:
    doc = (
        f"Names the legacy CUDA tensor type of {dtype}; building one raises TypeError."
        if is_cuda
        else f"Builds {dtype} tensors (PyTorch's legacy constructor); isinstance(x, {name}) "
        f"tests x.dtype == {dtype}."
    )
    attrs = {
        "dtype": dtype,
        "is_cuda": is_cuda,
        "__module__": "autograd_cpp.cuda" if is_cuda else "autograd_cpp",
        "__doc__": doc,
    }
    return _LegacyTensorType(name, (), attrs)


def _legacy_new(dtype: _C.dtype, args: tuple[Any, ...], where: object) -> Tensor:
    """PyTorch's legacy constructor: ``()`` is an empty tensor, integers or a
    Size are a shape (uninitialised values), a sequence or array is data
    converted to dtype, and a tensor of that dtype is shared."""
    if where is not None:
        kind = where.type if isinstance(where, device) else device(where).type  # type: ignore[arg-type]
        if kind != "cpu":
            raise RuntimeError(
                f"legacy constructor expects device type: cpu but device type: {kind} was passed"
            )
    if not args:
        return _C.empty((0,), dtype=dtype)
    first = args[0]
    if len(args) == 1 and not isinstance(first, numbers.Integral):
        if isinstance(first, Tensor):
            if first.dtype != dtype:
                raise TypeError(f"expected {dtype} (got {first.dtype})")
            return first.detach()
        if isinstance(first, Size):
            return _C.empty(tuple(first), dtype=dtype)
        if isinstance(first, (str, numbers.Number)) or not (
            isinstance(first, Sequence) or hasattr(first, "__array__")
        ):
            raise TypeError(f"new(): data must be a sequence (got {_qualified_name(first)})")
        return _C.tensor(first, dtype=dtype)
    if not all(isinstance(a, numbers.Integral) for a in args):
        names = ", ".join(_qualified_name(a) for a in args)
        raise TypeError(f"new() received an invalid combination of arguments - got ({names})")
    return _C.empty(tuple(int(a) for a in args), dtype=dtype)


def _qualified_name(obj: object) -> str:
    kind = type(obj)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


FloatTensor = _legacy_type("FloatTensor", _C.float32)
DoubleTensor = _legacy_type("DoubleTensor", _C.float64)
LongTensor = _legacy_type("LongTensor", _C.int64)
IntTensor = _legacy_type("IntTensor", _C.int32)
BoolTensor = _legacy_type("BoolTensor", _C.bool)
_LEGACY_TYPES = (FloatTensor, DoubleTensor, LongTensor, IntTensor, BoolTensor)
_LEGACY_BY_DTYPE = {t.dtype: t for t in _LEGACY_TYPES}
_LEGACY_BY_NAME = {f"torch.{t.__name__}": t for t in _LEGACY_TYPES}


def _type(
    self: Tensor,
    dtype: _C.dtype | str | _LegacyTensorType | None = None,
    non_blocking: bool = False,
    **kwargs: Any,
) -> str | Tensor:
    """``x.type()`` names the legacy tensor type (``'torch.FloatTensor'``);
    ``x.type(t)`` converts to a dtype, a legacy type or its name, returning
    x itself when it already has that type."""
    if dtype is None:
        return f"torch.{_LEGACY_BY_DTYPE[self.dtype].__name__}"
    if isinstance(dtype, str):
        legacy = _LEGACY_BY_NAME.get(dtype)
        if legacy is None:
            if dtype.startswith("torch.cuda."):
                raise RuntimeError("Cannot initialize CUDA without ATen_cuda library.")
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = legacy
    if isinstance(dtype, _LegacyTensorType):
        if dtype.is_cuda:
            raise RuntimeError("Cannot initialize CUDA without ATen_cuda library.")
        dtype = dtype.dtype
    if not isinstance(dtype, _C.dtype):
        raise TypeError("dtype must be a type, str, or dtype object")
    return self.to(dtype)


# ---- new_* factories: a tensor of this tensor's dtype -----------------------------


def _size_arg(name: str, size: tuple[Any, ...]) -> tuple[int, ...]:
    """new_zeros(2, 3), new_zeros((2, 3)) and new_zeros(torch.Size([2, 3]))."""
    if not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    if len(size) == 1 and not isinstance(size[0], numbers.Integral):
        return tuple(size[0])
    return tuple(size)


def _finish_new(t: Tensor, requires_grad: bool) -> Tensor:
    return t.requires_grad_(True) if requires_grad else t


def _new_zeros(
    self: Tensor, *size: Any, dtype: _C.dtype | None = None, device: object = None,
    requires_grad: bool = False, layout: object = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """A tensor of zeros of the given size, with this tensor's dtype unless told."""
    _check_device(device)
    shape = _size_arg("new_zeros", size)
    return _finish_new(_C.zeros(shape, dtype=dtype or self.dtype), requires_grad)


def _new_ones(
    self: Tensor, *size: Any, dtype: _C.dtype | None = None, device: object = None,
    requires_grad: bool = False, layout: object = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """A tensor of ones of the given size, with this tensor's dtype unless told."""
    _check_device(device)
    shape = _size_arg("new_ones", size)
    return _finish_new(_C.ones(shape, dtype=dtype or self.dtype), requires_grad)


def _new_empty(
    self: Tensor, *size: Any, dtype: _C.dtype | None = None, device: object = None,
    requires_grad: bool = False, layout: object = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """An uninitialised tensor of the given size, with this tensor's dtype unless told."""
    _check_device(device)
    shape = _size_arg("new_empty", size)
    return _finish_new(_C.empty(shape, dtype=dtype or self.dtype), requires_grad)


def _new_full(
    self: Tensor, size: Sequence[int], fill_value: float | bool, *,
    dtype: _C.dtype | None = None, device: object = None, requires_grad: bool = False,
    layout: object = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """A tensor of the given size filled with fill_value, with this tensor's dtype unless told."""
    _check_device(device)
    if isinstance(size, numbers.Integral) or not isinstance(size, Sequence):
        raise TypeError(
            "new_full(): argument 'size' (position 1) must be tuple of ints, not "
            f"{type(size).__name__}"
        )
    full = _C.full(tuple(size), fill_value, dtype=dtype or self.dtype)
    return _finish_new(full, requires_grad)


def _new_tensor(
    self: Tensor, data: Any, dtype: _C.dtype | None = None, device: object = None,
    requires_grad: bool = False, layout: object = None, pin_memory: bool = False,
) -> Tensor:  # fmt: skip
    """A new tensor holding a copy of data, with this tensor's dtype unless told."""
    _check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        copied = data.detach().to(dtype or self.dtype, copy=True)
        return _finish_new(copied, requires_grad)
    return _finish_new(_C.tensor(data, dtype=dtype or self.dtype), requires_grad)


def _new(self: Tensor, *args: Any, device: object = None) -> Tensor:
    """The legacy constructor with this tensor's dtype: ``x.new(2, 3)``, ``x.new([1, 2])``."""
    return _legacy_new(self.dtype, args, device)


# ---- devices: only the CPU holds data -------------------------------------------


_to_impl = Tensor.to


def _to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Converts to a dtype (or another tensor's dtype); a device argument
    must name the CPU, as in PyTorch's CPU-only build."""
    for a in args:
        if isinstance(a, (str, device)) or (
            isinstance(a, numbers.Integral) and not isinstance(a, bool)
        ):
            _check_device(a)
    _check_device(kwargs.get("device"))
    return _to_impl(self, *args, **kwargs)


def _cpu(self: Tensor, memory_format: object = None) -> Tensor:
    """The tensor itself: its data is already in CPU memory."""
    return self


def _cuda(
    self: Tensor, device: object = None, non_blocking: bool = False, memory_format: object = None
) -> Tensor:
    """Raises PyTorch's CPU-build error: this library has no CUDA backend."""
    _check_device("cuda")
    return self  # not reached


def _pin_memory(self: Tensor, device: object = None) -> Tensor:
    """Page-locked memory needs an accelerator; there is none."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


def _is_signed(self: Tensor) -> bool:
    """Whether the dtype holds negative values (all but bool)."""
    return self.dtype != _C.bool


def _is_pinned(self: Tensor, device: object = None) -> bool:
    """False: memory is never page-locked without an accelerator."""
    return False


def _get_device(self: Tensor) -> int:
    """The CUDA device index, or -1 for a CPU tensor (always -1 here)."""
    return -1


def _is_complex(self: Tensor) -> bool:
    """False: there are no complex dtypes."""
    return False


class _Storage:
    """A tensor's whole storage as a flat tensor. copy.copy passes it on as it
    is, so the copy shares memory as in PyTorch; pickling writes its bytes."""

    __slots__ = ("flat",)

    def __init__(self, flat: Tensor) -> None:
        self.flat = flat

    def __reduce__(self) -> tuple[Callable[[NDArray[Any]], _Storage], tuple[NDArray[Any]]]:
        return (_storage_from_array, (self.flat.numpy().copy(),))


def _storage_from_array(array: NDArray[Any]) -> _Storage:
    return _Storage(_C.from_numpy(array))


def _rebuild(
    storage: _Storage,
    sizes: tuple[int, ...],
    strides: tuple[int, ...],
    offset: int,
    requires_grad: bool,
) -> Tensor:
    t = storage.flat._alias_as(sizes, strides, offset)
    return t.requires_grad_(True) if requires_grad else t


def _reduce_ex(self: Tensor, protocol: SupportsIndex) -> tuple[Any, ...]:
    """Pickling and copy.copy: the storage with sizes, strides, offset and
    requires_grad, as PyTorch keeps them; the graph and .grad are not kept."""
    return (
        _rebuild,
        (
            _Storage(self._storage_flat()),
            tuple(self.shape),
            self.stride(),
            self.storage_offset(),
            self.requires_grad,
        ),
    )


# memo is copy.deepcopy's, keyed by id() and here also by storage.
def _deepcopy(self: Tensor, memo: dict[Any, Any]) -> Tensor:
    if not self.is_leaf:
        raise RuntimeError(
            "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
            "protocol at the moment. Use detach() first to copy the value."
        )
    if id(self) in memo:
        return cast(Tensor, memo[id(self)])
    # One new storage per original storage, so views copied together (a
    # tensor and its view in one container) still share memory afterwards.
    flat = self._storage_flat()
    key = ("autograd_cpp.storage", flat.data_ptr(), str(flat.dtype), flat.numel())
    if key not in memo:
        memo[key] = _Storage(flat.clone())
    result = _rebuild(
        memo[key], tuple(self.shape), self.stride(), self.storage_offset(), self.requires_grad
    )
    if self._grad is not None:
        result._grad = copy.deepcopy(self._grad, memo)
    memo[id(self)] = result
    return result


# Attached to the C++ class by name: type checkers take these members from
# _C.pyi, which declares them with the same signatures.
def _device_get(self: Tensor) -> device:
    return _CPU


# Getters of the properties that are constant on a CPU-only build (named, so
# the stub generator reads their types).
def _always_true(self: Tensor) -> bool:
    return True


def _always_false(self: Tensor) -> bool:
    return False


for _name, _member in (
    ("__reduce_ex__", _reduce_ex),
    ("__deepcopy__", _deepcopy),
    ("__repr__", _repr),
    ("__str__", _repr),
    ("__format__", _format),
    ("__iter__", _iter),
    ("__reversed__", _reversed),
    ("__array__", _array),
    ("__array_wrap__", _array_wrap),
    (
        "grad",
        property(
            _grad_get,
            _grad_set,
            doc="The gradient accumulated by backward (None until one arrives).",
        ),
    ),
    ("backward", backward),
    ("device", property(_device_get, doc="The device holding the data (always cpu).")),
    ("type", _type),
    ("to", _to),
    ("cpu", _cpu),
    ("cuda", _cuda),
    ("pin_memory", _pin_memory),
    ("is_pinned", _is_pinned),
    ("get_device", _get_device),
    ("is_cpu", property(_always_true, doc="Always True: tensors live on the CPU.")),
    ("is_mps", property(_always_false, doc="Always False: tensors live on the CPU.")),
    ("is_meta", property(_always_false, doc="Always False: tensors hold data.")),
    ("is_sparse", property(_always_false, doc="Always False: tensors are dense.")),
    ("is_quantized", property(_always_false, doc="Always False: no quantized dtypes.")),
    ("is_complex", _is_complex),
    ("is_signed", _is_signed),
    ("new_zeros", _new_zeros),
    ("new_ones", _new_ones),
    ("new_empty", _new_empty),
    ("new_full", _new_full),
    ("new_tensor", _new_tensor),
    ("new", _new),
):
    setattr(Tensor, _name, _member)
del _name, _member
Tensor.__module__ = "autograd_cpp"
