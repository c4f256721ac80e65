"""autograd_cpp: reverse-mode automatic differentiation with a C++ core.

The Python API follows PyTorch's names and semantics, so that
``import autograd_cpp as torch`` runs PyTorch tutorial code.
"""

import typing as _typing

from . import (
    _C,
    _threads,
    accelerator,
    amp,
    autograd,
    backends,
    compiler,
    cpu,
    cuda,
    distributed,
    distributions,
    func,
    mps,
    multiprocessing,
    nn,
    onnx,
    optim,
    profiler,
    random,
    return_types,
    safetensors,
    tf,
    utils,
    viz,
)
from ._aliases import *  # noqa: F403

# Every public name of the extension (ops, factories, dtypes, Tensor) is
# part of the top-level namespace, as in PyTorch.
from ._C import *  # noqa: F403
from ._C import Tensor, bfloat16, bool, float16, float32, float64, int32, int64  # noqa: F401

# "import x as x" marks a public re-export for type checkers.
from ._device import device as device
from ._device import get_default_device as get_default_device
from ._device import set_default_device as set_default_device
from ._display import install as _install_display
from ._distance import cdist as cdist
from ._functions import *  # noqa: F403
from ._generator import Generator as Generator
from ._generator import default_generator as default_generator
from ._generator import get_rng_state as get_rng_state
from ._generator import initial_seed as initial_seed
from ._generator import manual_seed as manual_seed  # type: ignore[assignment]  # returns a Generator
from ._generator import seed as seed
from ._generator import set_rng_state as set_rng_state
from ._stacking import *  # noqa: F403
from ._tensor import BoolTensor as BoolTensor
from ._tensor import DoubleTensor as DoubleTensor
from ._tensor import FloatTensor as FloatTensor
from ._tensor import IntTensor as IntTensor
from ._tensor import LongTensor as LongTensor
from ._tensor import Size as Size
from ._tensor_str import set_printoptions as set_printoptions
from .amp import GradScaler as GradScaler
from .amp import autocast as autocast
from .amp import is_autocast_enabled as is_autocast_enabled
from .autograd.grad_mode import enable_grad as enable_grad
from .autograd.grad_mode import inference_mode as inference_mode
from .autograd.grad_mode import no_grad as no_grad
from .autograd.grad_mode import set_grad_enabled as set_grad_enabled
from .compiler import compile as compile
from .cuda import OutOfMemoryError as OutOfMemoryError
from .serialization import load as load
from .serialization import save as save
from .tape import GradientTape as GradientTape
from .tape import Variable as Variable
from .tape import constant as constant

_install_display()  # Jupyter's pictures of tensors and graphs

# PyTorch's aliases for the dtypes.
float = float32
double = float64
long = int64
int = int32
half = float16  # named only: autograd_cpp has no 16-bit tensors (see dtype)

__version__ = _C.__version__  # pyproject.toml's version, compiled in

_threads.apply_environment()  # OMP_NUM_THREADS and AUTOGRAD_CPP_NUM_THREADS


if _typing.TYPE_CHECKING:
    # int, float and bool name dtypes here. The annotations are strings, so
    # these imports stay out of the package namespace (a PyTorch look-alike).
    import builtins
    from typing import TypeGuard


def _dtype_by_name(name: "builtins.str") -> "_C.dtype":
    """Unpickles a dtype (see dtype.__reduce__)."""
    found: _C.dtype = globals()[name]
    return found


def numel(input: "Tensor") -> "builtins.int":
    """The number of elements of input."""
    return input.numel()


def is_tensor(obj: object) -> "TypeGuard[Tensor]":
    """True if obj is a Tensor."""
    return isinstance(obj, Tensor)
