"""nn.Parameter: a tensor a Module registers as one of its weights."""

from __future__ import annotations

from typing import Any, SupportsIndex, cast

from .. import _C
from .._tensor_str import format_tensor


class Parameter(_C.Tensor):
    """A leaf tensor that shares ``data``'s memory, requires grad by default,
    and is registered as a parameter when assigned to a Module attribute."""

    def __init__(self, data: _C.Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = _C.empty(0)
        super().__init__(data)
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return format_tensor(
            self._numpy_view(),
            str(self.dtype).removeprefix("torch."),
            requires_grad=self.requires_grad,
            prefix="Parameter containing:\ntensor(",
        )

    __str__ = __repr__

    def __reduce_ex__(
        self, protocol: SupportsIndex
    ) -> tuple[type[Parameter], tuple[_C.Tensor, bool]]:
        return (Parameter, (self.detach().clone(), self.requires_grad))

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return cast(Parameter, memo[id(self)])
        result = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result


class Buffer(_C.Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module
    attribute (persistent buffers are part of the state_dict)."""

    def __init__(self, data: _C.Tensor | None = None, *, persistent: bool = True) -> None:
        if data is None:
            data = _C.empty(0)
        super().__init__(data)
        self.requires_grad_(data.requires_grad)
        self.persistent = persistent

    def _as_tensor(self) -> _C.Tensor:
        """The plain tensor the module stores (sharing this one's memory)."""
        return self.detach().requires_grad_(self.requires_grad)


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy module's, until its
    first call); materialize() gives it one and makes it a Parameter."""

    cls_to_become = Parameter

    def __init__(
        self, requires_grad: bool = True, device: object = None, dtype: _C.dtype | None = None
    ) -> None:
        super().__init__(_C.empty(0, dtype=dtype or _C.get_default_dtype()), requires_grad)

    def materialize(
        self,
        shape: tuple[int, ...] | list[int],
        device: object = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        """Allocates the values (uninitialised) and becomes a Parameter."""
        self.data = _C.empty(tuple(shape), dtype=dtype or self.dtype)
        self.__class__ = Parameter  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<UninitializedParameter>"

    __str__ = __repr__


class UninitializedBuffer(_C.Tensor):
    """A buffer whose shape is not known yet (a lazy module's running statistics)."""

    def __init__(
        self, requires_grad: bool = False, device: object = None, dtype: _C.dtype | None = None
    ) -> None:
        super().__init__(_C.empty(0, dtype=dtype or _C.get_default_dtype()))
        self.requires_grad_(requires_grad)

    def materialize(
        self,
        shape: tuple[int, ...] | list[int],
        device: object = None,
        dtype: _C.dtype | None = None,
    ) -> _C.Tensor:
        """A plain tensor of the given shape (uninitialised) to register in its place."""
        return _C.empty(tuple(shape), dtype=dtype or self.dtype)

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"

    __str__ = __repr__
