"""autograd_cpp: reverse-mode automatic differentiation with a C++ core.

The Python API follows PyTorch's names and semantics, so that
``import autograd_cpp as torch`` runs PyTorch tutorial code.
"""

from . import _C, autograd, nn
from ._C import (
    Tensor,
    abs,
    add,
    addmm,
    arange,
    as_tensor,
    batch_norm,
    bmm,
    bool,
    clone,
    contiguous,
    conv1d,
    conv2d,
    cos,
    detach,
    div,
    dot,
    dtype,
    einsum,
    empty,
    empty_like,
    eq,
    exp,
    eye,
    flatten,
    float32,
    float64,
    from_numpy,
    full,
    full_like,
    ge,
    ger,
    get_default_dtype,
    get_num_threads,
    gt,
    initial_seed,
    int32,
    int64,
    is_grad_enabled,
    layer_norm,
    le,
    linspace,
    log,
    log1p,
    log_softmax,
    lt,
    manual_seed,
    matmul,
    max_pool2d,
    mean,
    mm,
    mul,
    mv,
    ne,
    neg,
    norm,
    ones,
    ones_like,
    outer,
    permute,
    pow,
    promote_types,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    relu,
    reshape,
    result_type,
    select,
    set_default_dtype,
    set_num_threads,
    sigmoid,
    sign,
    sin,
    softmax,
    sqrt,
    squeeze,
    sub,
    sum,
    t,
    tanh,
    tensor,
    transpose,
    unsqueeze,
    where,
    zeros,
    zeros_like,
)
from ._tensor import Size, device
from ._tensor_str import set_printoptions
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    no_grad,
    set_grad_enabled,
)

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
