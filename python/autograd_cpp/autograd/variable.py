"""The legacy ``Variable`` of PyTorch before 0.4: every tensor is one now.
Old programs still write ``Variable(x, requires_grad=True)`` and
``isinstance(x, Variable)``; both keep working."""

from __future__ import annotations

import warnings
from typing import Any

from .. import _C


class _VariableMeta(type):
    # Every tensor counts as a Variable, as in PyTorch.
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _C.Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: ``data`` detached (sharing
    its memory) with ``requires_grad`` set; ``Variable()`` is an empty
    tensor. ``volatile`` has no effect (use ``no_grad``)."""

    def __new__(  # type: ignore[misc]  # returns a Tensor, as PyTorch's does
        cls, data: Any = None, requires_grad: bool = False, volatile: bool = False
    ) -> _C.Tensor:
        if volatile:
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
