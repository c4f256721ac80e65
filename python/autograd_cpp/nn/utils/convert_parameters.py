"""Flattening parameters into one vector and back."""

from __future__ import annotations

from collections.abc import Iterable

from ... import _C
from ...autograd.grad_mode import no_grad

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[_C.Tensor]) -> _C.Tensor:
    """All parameters flattened and concatenated into one 1-d tensor."""
    if isinstance(parameters, _C.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(parameters).__name__}")
    return _C.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: _C.Tensor, parameters: Iterable[_C.Tensor]) -> None:
    """Copies consecutive slices of vec into the parameters' values."""
    if not isinstance(vec, _C.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    with no_grad():
        for param in parameters:
            n = param.numel()
            param.data = vec[pointer : pointer + n].reshape(param.shape).clone()
            pointer += n
