"""PyTorch's alternative names and small views of existing operations:
``multiply``/``subtract``/``greater``/... (the same ops under NumPy-style
names), ``fliplr``/``flipud``, ``ravel``, ``unflatten``, the matrix
transposes ``mT``/``mH``/``H``/``adjoint``, and the trivial conjugation
queries of real tensors. Each calls the op it names, so values, gradients
and ``grad_fn`` are that op's."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from . import _C

__all__ = [
    "absolute", "adjoint", "conj", "fliplr", "flipud", "greater", "greater_equal",
    "is_conj", "is_neg", "is_nonzero", "is_same_size", "less", "less_equal", "multiply",
    "not_equal", "positive", "ravel", "resolve_conj", "resolve_neg", "subtract", "unflatten",
]  # fmt: skip

Tensor = _C.Tensor


def multiply(input: Tensor, other: Any) -> Tensor:
    """Alias for mul."""
    return input.mul(other)


def subtract(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """Alias for sub."""
    return input.sub(other, alpha=alpha)


def greater(input: Tensor, other: Any) -> Tensor:
    """Alias for gt."""
    return input.gt(other)


def greater_equal(input: Tensor, other: Any) -> Tensor:
    """Alias for ge."""
    return input.ge(other)


def less(input: Tensor, other: Any) -> Tensor:
    """Alias for lt."""
    return input.lt(other)


def less_equal(input: Tensor, other: Any) -> Tensor:
    """Alias for le."""
    return input.le(other)


def not_equal(input: Tensor, other: Any) -> Tensor:
    """Alias for ne."""
    return input.ne(other)


def absolute(input: Tensor) -> Tensor:
    """Alias for abs."""
    return input.abs()


def fliplr(input: Tensor) -> Tensor:
    """Columns in reverse order: flip along dim 1."""
    if input.dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input: Tensor) -> Tensor:
    """Rows in reverse order: flip along dim 0."""
    if input.dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


def ravel(input: Tensor) -> Tensor:
    """The elements as one dimension (a view when input is contiguous)."""
    return input.contiguous().view(-1)


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Dimension ``dim`` split into ``sizes`` (one entry may be -1)."""
    shape = list(input.shape)
    ndim = len(shape)
    if not -ndim <= dim < max(ndim, 1):
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
            f"but got {dim})"
        )
    dim %= max(ndim, 1)
    sizes = list(sizes)
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes and known != 0 and shape[dim] % known == 0:
        sizes[sizes.index(-1)] = shape[dim] // known
    elif -1 in sizes or known != shape[dim]:
        raise RuntimeError(
            f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} "
            f"({shape[dim]}) in the input tensor"
        )
    return input.view(*shape[:dim], *sizes, *shape[dim + 1 :])


def positive(input: Tensor) -> Tensor:
    """input itself (unary plus)."""
    if input.dtype == _C.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def conj(input: Tensor) -> Tensor:
    """The complex conjugate: input itself, as every dtype here is real."""
    return input


def resolve_conj(input: Tensor) -> Tensor:
    """input itself: real tensors carry no lazy conjugation."""
    return input


def resolve_neg(input: Tensor) -> Tensor:
    """input itself: real tensors carry no lazy negation."""
    return input


def is_conj(input: Tensor) -> bool:
    """False: real tensors carry no lazy conjugation."""
    return False


def is_neg(input: Tensor) -> bool:
    """False: real tensors carry no lazy negation."""
    return False


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether both tensors have the same shape."""
    return tuple(input.shape) == tuple(other.shape)


def is_nonzero(input: Tensor) -> bool:
    """The truth of a one-element tensor (an error for any other size)."""
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item() != 0)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dimensions (a view)."""
    if input.dim() < 2:
        raise RuntimeError(
            f"tensor.adjoint() is only supported on matrices or batches of matrices. Got {input.dim()}-D tensor."
        )
    return input.transpose(-2, -1)


def _mT(self: Tensor) -> Tensor:
    if self.dim() < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {self.dim()}-D tensor."
        )
    return self.transpose(-2, -1)


def _mH(self: Tensor) -> Tensor:
    if self.dim() < 2:
        raise RuntimeError(
            "tensor.mH is only supported on matrices or batches of matrices. "
            f"Got {self.dim()}-D tensor."
        )
    return self.transpose(-2, -1)


def _H(self: Tensor) -> Tensor:
    if self.dim() not in (0, 2):
        hint = " For batches of matrices, consider using tensor.mH" if self.dim() > 2 else ""
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {self.dim()}-D tensor.{hint}"
        )
    return self.transpose(0, 1) if self.dim() == 2 else self


def _real(self: Tensor) -> Tensor:
    return self


def _imag(self: Tensor) -> Tensor:
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def _itemsize(self: Tensor) -> int:
    return int(self.dtype.itemsize)


def _nbytes(self: Tensor) -> int:
    return int(self.numel() * self.dtype.itemsize)


def _retains_grad(self: Tensor) -> bool:
    return bool(self._retains_grad)


# Attached to the C++ class; _C.pyi declares these members.
for _name, _member in (
    *((name, globals()[name]) for name in __all__),
    ("mT", property(_mT, doc="The last two dimensions transposed (a view).")),
    ("mH", property(_mH, doc="The conjugate transpose of the last two dimensions.")),
    ("H", property(_H, doc="The conjugate transpose of a matrix.")),
    ("real", property(_real, doc="The real part: the tensor itself (real dtypes).")),
    ("imag", property(_imag, doc="The imaginary part (complex dtypes only).")),
    ("itemsize", property(_itemsize, doc="Bytes per element.")),
    ("nbytes", property(_nbytes, doc="Bytes of the elements the tensor views.")),
    ("retains_grad", property(_retains_grad, doc="Whether retain_grad() was called.")),
):
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _member)
del _name, _member
