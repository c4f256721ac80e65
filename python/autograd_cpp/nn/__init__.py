"""Neural-network building blocks: Module, Parameter, layers, losses, init."""

from . import functional, init, parallel, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules
from .parameter import Parameter

__all__ = ["Parameter", "functional", "init", "parallel", "utils", *_modules]
