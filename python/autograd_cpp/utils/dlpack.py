"""PyTorch's ``torch.utils.dlpack``: DLPack capsules in and out."""

from typing import Any

from .. import _C
from .._C import from_dlpack

__all__ = ["from_dlpack", "to_dlpack"]


def to_dlpack(tensor: _C.Tensor) -> Any:
    """A (pre-1.0, unversioned) DLPack capsule sharing ``tensor``'s memory,
    consumable once by any DLPack importer."""
    return tensor.__dlpack__()
