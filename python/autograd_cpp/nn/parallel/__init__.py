"""Data-parallel training: across processes (DistributedDataParallel) and,
on a machine without GPUs, the pass-through DataParallel."""

from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
