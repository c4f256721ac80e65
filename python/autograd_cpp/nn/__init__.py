"""Neural-network building blocks: Module, Parameter, layers, losses, init."""

from . import functional, init, modules, parallel, utils
from .modules import *  # noqa: F403
from .modules.layers import *  # noqa: F403
from .parameter import Parameter

__all__ = ["Parameter", "functional", "init", "parallel", "utils"]
__all__ += modules.__all__
