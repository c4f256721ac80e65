"""Inspecting and customising the backward graph."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from .. import _C

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Node", "saved_tensors_hooks", "disable_saved_tensors_hooks"]

Node = _C.Node


class saved_tensors_hooks:
    """Inside this context, each tensor an op saves for backward goes through
    ``pack_hook(tensor) -> object``, and comes back through
    ``unpack_hook(object) -> tensor`` when backward needs it::

        with saved_tensors_hooks(lambda t: t.numpy().copy(), torch.from_numpy):
            y = x.exp()   # saves exp(x) as a numpy array
    """

    def __init__(
        self, pack_hook: Callable[[_C.Tensor], Any], unpack_hook: Callable[[Any], _C.Tensor]
    ) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> Self:
        _C._push_saved_tensors_hooks(self.pack_hook, self.unpack_hook)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _C._pop_saved_tensors_hooks()
        return False


class disable_saved_tensors_hooks:
    """Errors if saved-tensor hooks are used inside (the hooks are meant to be
    off there)."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self) -> Self:
        message = self.error_message

        def refuse(_: object) -> NoReturn:
            raise RuntimeError(message)

        _C._push_saved_tensors_hooks(refuse, refuse)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        _C._pop_saved_tensors_hooks()
        return False
