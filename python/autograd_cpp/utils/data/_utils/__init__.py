"""DataLoader's helpers, at the module paths PyTorch keeps them."""

from . import collate, worker

__all__ = ["collate", "worker"]
