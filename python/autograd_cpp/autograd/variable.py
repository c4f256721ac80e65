"""``torch.autograd.Variable``: the wrapper older programs still call. Tensors
carry autograd themselves, so ``Variable(t)`` is a tensor: ``t`` detached
(same data), requiring grad as asked; every tensor is a Variable."""

from __future__ import annotations

import warnings
from typing import Any

from .. import _C

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, _C.Tensor)


class Variable(metaclass=_VariableMeta):
    """The pre-0.4 tensor wrapper: ``Variable(data, requires_grad=False)`` is
    ``data`` detached, requiring grad as asked; ``Variable()`` is an empty
    tensor, and ``volatile`` has no effect (use ``no_grad``)."""

    def __new__(  # type: ignore[misc]  # returns a Tensor, as PyTorch's does
        cls, data: Any = None, requires_grad: bool = False, volatile: bool = False
    ) -> _C.Tensor:
        if volatile:
            if requires_grad:
                raise ValueError("Variable can't be volatile and require_grad at the same time!")
            warnings.warn(
                "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                UserWarning,
                stacklevel=2,
            )
        if data is None:
            out = _C.empty(0)
        elif isinstance(data, _C.Tensor):
            out = data.detach()
        else:
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out.requires_grad_(requires_grad)
        return out
