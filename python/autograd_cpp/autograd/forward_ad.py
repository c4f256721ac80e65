"""Forward-mode automatic differentiation with dual tensors.

Inside a ``dual_level()``, ``make_dual(primal, tangent)`` gives a tensor
that carries ``tangent`` beside its value. Every operation on it computes
its output's tangent as it runs (the Jacobian-vector product ``J @
tangent``), which ``unpack_dual`` reads back. One forward pass gives one
column of the Jacobian, where reverse mode gives one row per backward pass:
forward mode is cheaper for functions with few inputs and many outputs.

Tangents are computed with differentiable operations, so a tangent can
itself be differentiated in reverse mode (``backward`` on a tangent gives
second derivatives). As in PyTorch, only one level can be open at a time,
and tangents are dropped when their level exits. An operation without a
forward rule raises ``NotImplementedError`` naming it.

Examples:
    >>> import autograd_cpp as torch
    >>> import autograd_cpp.autograd.forward_ad as fwAD
    >>> x = torch.tensor([1.0, 2.0])
    >>> with fwAD.dual_level():
    ...     d = fwAD.make_dual(x, torch.tensor([1.0, 0.0]))
    ...     fwAD.unpack_dual(d * d).tangent
    tensor([2., 0.])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal, NamedTuple, ParamSpec, TypeVar

from .. import _C

__all__ = [
    "UnpackedDualTensor",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
    "dual_level",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")

# The level this module last entered (-1: none); the C++ side keeps the
# tangents, this only checks that levels are entered and left in order.
_current_level = -1


def enter_dual_level() -> int:
    """Opens a new forward AD level and makes it the default of
    ``make_dual`` and ``unpack_dual``; returns its index. Levels do not
    nest: a second one raises ``RuntimeError``.
    """
    global _current_level
    new_level = _C._enter_dual_level()
    if new_level != _current_level + 1:
        raise RuntimeError(
            "Entering a new forward AD level but the current level is not valid. Make sure "
            "you did not modified it directly."
        )
    _current_level = new_level
    return new_level


def exit_dual_level(*, level: int | None = None) -> None:
    """Closes ``level`` (the current one by default); every tangent set at
    it is dropped.
    """
    global _current_level
    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    if level != _current_level:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    _C._exit_dual_level(level=level)
    _current_level = level - 1


def make_dual(tensor: _C.Tensor, tangent: _C.Tensor, *, level: int | None = None) -> _C.Tensor:
    """A view of ``tensor`` that carries ``tangent`` as its forward
    gradient at ``level`` (the current one by default).

    Args:
        tensor: the primal, a floating-point tensor.
        tangent: its tangent, of the same size.
        level: the dual level; one must be open.

    Returns:
        The dual tensor. Operations on it propagate the tangent; read it back
        with ``unpack_dual``.
    """
    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if not tensor.is_floating_point():
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if not tangent.is_floating_point():
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    if _batched_levels(tensor, tangent):
        # Under vmap: the dual is made on the physical tensors (each batched
        # at every level), so each op's forward rule, run on the whole batch
        # by its batching rule, gives every example its tangent.
        from ..func._batched import lift, rewrap

        return rewrap(_C._make_dual(lift(tensor), lift(tangent), level=level))  # type: ignore[no-any-return]
    return _C._make_dual(tensor, tangent, level=level)


def _batched_levels(*tensors: object) -> bool:
    """Whether a vmap runs and one of ``tensors`` is batched by it."""
    for t in tensors:
        if type(t) is not _C.Tensor:
            break
    else:
        return False
    from ..func._batched import active_levels

    return bool(active_levels())


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the primal (a view of the tensor
    without its tangent) and the tangent (``None`` when there is none)."""

    primal: _C.Tensor
    tangent: _C.Tensor | None


def unpack_dual(tensor: _C.Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """Splits a dual tensor into its primal and its tangent at ``level``
    (the current one by default). Outside a level, or for a tensor without
    a tangent, the tangent is ``None``.
    """
    if level is None:
        level = _current_level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    if _batched_levels(tensor):
        from ..func._batched import lift, rewrap

        primal, tangent = _C._unpack_dual(lift(tensor), level=level)
        return UnpackedDualTensor(rewrap(primal), None if tangent is None else rewrap(tangent))
    primal, tangent = _C._unpack_dual(tensor, level=level)
    return UnpackedDualTensor(primal, tangent)


class dual_level:
    """Context manager (and decorator) that opens a forward AD level on
    entry and closes it on exit, dropping its tangents. ``with`` gives the
    level's index.

    Examples:
        >>> import autograd_cpp as torch
        >>> import autograd_cpp.autograd.forward_ad as fwAD
        >>> with fwAD.dual_level() as level:
        ...     level
        0
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> Literal[False]:
        exit_dual_level()
        return False

    def __call__(self, func: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper
