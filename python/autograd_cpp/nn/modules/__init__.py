"""Layers and containers."""

from .container import ModuleDict, ModuleList, Sequential
from .layers import *  # noqa: F403
from .layers import __all__ as _layers
from .module import Module

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", *_layers]
