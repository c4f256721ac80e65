"""autograd_cpp: reverse-mode automatic differentiation with a C++ core.

The Python API follows PyTorch's names and semantics, so that
``import autograd_cpp as torch`` runs PyTorch tutorial code.
"""

from . import _C, autograd, backends, distributed, nn, optim, return_types, tf, utils, viz

# Every public name of the extension (ops, factories, dtypes, Tensor) is
# part of the top-level namespace, as in PyTorch.
from ._C import *  # noqa: F403
from ._C import Tensor, bool, float32, float64, int32, int64  # noqa: F401
from ._generator import Generator
from ._tensor import Size, device
from ._tensor_str import set_printoptions
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    no_grad,
    set_grad_enabled,
)
from .serialization import load, save
from .tape import GradientTape, Variable, constant

# PyTorch's aliases for the dtypes.
float = float32
double = float64
long = int64
int = int32

__version__ = "0.1.0"


def _dtype_by_name(name):
    """Unpickles a dtype (see dtype.__reduce__)."""
    return globals()[name]


def numel(input):
    return input.numel()


def is_tensor(obj):
    return isinstance(obj, Tensor)
