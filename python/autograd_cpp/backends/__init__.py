"""Facts about the backends the library runs on (``torch.backends`` style)."""

from . import cpu

__all__ = ["cpu"]
