"""Utilities: data loading, DLPack."""

from . import data, dlpack

__all__ = ["data", "dlpack"]
