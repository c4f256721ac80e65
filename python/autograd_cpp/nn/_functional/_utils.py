"""Argument handling the functional families share: reductions (including
PyTorch's deprecated size_average/reduce flags), broadcast checks and the
dtype check of kernels that only have floating versions."""

from __future__ import annotations

import warnings

from ... import _C


def _legacy_name(size_average: bool | None, reduce: bool | None) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction named by the deprecated size_average/reduce flags."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use "
        f"reduction='{_legacy_name(size_average, reduce)}' instead.",
        stacklevel=3,
    )
    return _legacy_name(size_average, reduce)


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss: _C.Tensor, reduction: str) -> _C.Tensor:
    """The elementwise loss reduced as ``reduction`` names."""
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pointwise_operands(
    input: _C.Tensor, target: _C.Tensor, stacklevel: int = 3
) -> tuple[_C.Tensor, _C.Tensor]:
    """input and target broadcast together, warning (as PyTorch does) when
    their sizes differ."""
    for what, value in (("input", input), ("target", target)):
        if not isinstance(value, _C.Tensor):
            raise TypeError(f"{what} must be a Tensor, not {type(value).__name__}")
    if target.size() == input.size():
        return input, target
    warnings.warn(
        f"Using a target size ({target.size()}) that is different to the input size "
        f"({input.size()}). This will likely lead to incorrect results due to "
        "broadcasting. Please ensure they have the same size.",
        stacklevel=stacklevel,
    )
    shape = _C.broadcast_shapes(input.size(), target.size())
    return input.expand(shape), target.expand(shape)


# PyTorch's names of the scalar types, as its kernel errors print them.
_SCALAR_TYPE_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "int32": "Int",
    "int64": "Long",
    "bool": "Bool",
}


def _scalar_type_name(t: _C.Tensor) -> str:
    return _SCALAR_TYPE_NAMES[str(t.dtype).split(".")[-1]]


# The C++ element type's name, as some PyTorch errors print a dtype.
_CPP_TYPE_NAMES = {
    "float32": "float",
    "float64": "double",
    "int32": "int",
    "int64": "long int",
    "bool": "bool",
}


def _cpp_type_name(t: _C.Tensor) -> str:
    return _CPP_TYPE_NAMES[str(t.dtype).split(".")[-1]]


def _dtype_name(dtype: _C.dtype) -> str:
    return _SCALAR_TYPE_NAMES[str(dtype).split(".")[-1]]


def _check_castable(result: _C.dtype, output: _C.dtype) -> None:
    """PyTorch's error for a kernel whose output tensor (made like one of its
    operands) cannot hold the computation's promoted type."""
    narrowing = (result.is_floating_point and not output.is_floating_point) or (
        output == _C.bool and result != _C.bool
    )
    if narrowing:
        raise RuntimeError(
            f"result type {_dtype_name(result)} can't be cast to the desired output type "
            f"{_dtype_name(output)}"
        )


def _require_floating(input: _C.Tensor, kernel: str) -> None:
    """PyTorch's NotImplementedError for an integer or bool input reaching a
    kernel (named as PyTorch names it) that has only floating versions.
    Called where PyTorch's kernel runs: after its shape checks."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_type_name(input)}'")
