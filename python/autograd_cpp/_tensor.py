"""Tensor behaviour best written in Python: printing, backward's argument
handling, .grad with PyTorch's warning, iteration. Attached to the C++ class."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, SupportsIndex, cast

from . import _C
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


class device:
    """The device a tensor lives on; only the CPU exists today."""

    type: str
    index: int | None

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:
        if isinstance(type, device):
            type = type.type
        if type != "cpu":
            raise RuntimeError(f"autograd_cpp only supports the cpu device, got '{type}'")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) or other == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


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
    self._backward(gradient, retain_graph, create_graph, inputs or [])


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


_LEGACY_TYPE_NAMES = {
    "float32": "torch.FloatTensor",
    "float64": "torch.DoubleTensor",
    "int64": "torch.LongTensor",
    "int32": "torch.IntTensor",
    "bool": "torch.BoolTensor",
}


def _type(self: Tensor, dtype: _C.dtype | None = None) -> str | Tensor:
    """``x.type()`` names the legacy tensor type; ``x.type(dtype)`` converts."""
    if dtype is None:
        return _LEGACY_TYPE_NAMES[str(self.dtype).removeprefix("torch.")]
    return self.to(dtype)


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
    ("device", property(lambda self: _CPU, doc="The device holding the data (always cpu).")),
    ("type", _type),
):
    setattr(Tensor, _name, _member)
del _name, _member
Tensor.__module__ = "autograd_cpp"
