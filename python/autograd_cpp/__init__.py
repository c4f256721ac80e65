"""autograd_cpp: reverse-mode automatic differentiation with a C++ core.

The Python API follows PyTorch's names and semantics, so that
``import autograd_cpp as torch`` runs PyTorch tutorial code.
"""

from . import _C, autograd, nn
from ._C import (
    Tensor,
    abs,
    add,
    arange,
    as_tensor,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    bmm,
    bool,
    ceil,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    clone,
    contiguous,
    cos,
    detach,
    div,
    divide,
    dot,
    dropout,
    dtype,
    empty,
    empty_like,
    eq,
    erf,
    exp,
    expm1,
    eye,
    fix,
    flatten,
    float32,
    float64,
    floor,
    floor_divide,
    from_numpy,
    full,
    full_like,
    ge,
    get_default_dtype,
    get_num_threads,
    gt,
    initial_seed,
    int32,
    int64,
    is_grad_enabled,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    linspace,
    log,
    log1p,
    log2,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    manual_seed,
    masked_fill,
    matmul,
    maximum,
    mean,
    minimum,
    mm,
    mul,
    mv,
    ne,
    neg,
    negative,
    norm,
    ones,
    ones_like,
    permute,
    pow,
    promote_types,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    reciprocal,
    relu,
    relu_,
    remainder,
    reshape,
    result_type,
    round,
    rsqrt,
    select,
    set_default_dtype,
    set_num_threads,
    sigmoid,
    sigmoid_,
    sign,
    sin,
    sqrt,
    square,
    squeeze,
    sub,
    sum,
    t,
    tan,
    tanh,
    tensor,
    transpose,
    true_divide,
    trunc,
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
