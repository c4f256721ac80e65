"""Utilities: data loading, DLPack."""

from . import data, dlpack, tensorboard

__all__ = ["data", "dlpack", "tensorboard"]
