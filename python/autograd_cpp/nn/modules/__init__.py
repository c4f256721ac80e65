"""Layers and containers."""

from . import layers
from .container import ModuleDict, ModuleList, Sequential
from .layers import *  # noqa: F403
from .module import Module

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict"]
__all__ += layers.__all__
