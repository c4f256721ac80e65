"""
autograd_cpp core: tensors, ops and the autograd engine in C++

Generated from the extension by tools/stubgen.py: do not edit.
"""

from __future__ import annotations

import builtins
import collections.abc
import typing

import numpy
import numpy.typing
import typing_extensions

from autograd_cpp._device import device as _device
from autograd_cpp import return_types as _return_types
from autograd_cpp._tensor import Size, _LegacyTensorType

# Tensor has methods named int, float and bool, and the module has a dtype
# named bool: the builtin types are spelled through these aliases.
_int: typing.TypeAlias = builtins.int
_float: typing.TypeAlias = builtins.float
_bool: typing.TypeAlias = builtins.bool
_str: typing.TypeAlias = builtins.str
# What a Number parameter accepts (bool and int are floats to type checkers).
_Number: typing.TypeAlias = builtins.float
# Inside Tensor, `dtype` names the property.
_dtype: typing.TypeAlias = dtype
__all__: list[str] = ['Node', 'RemovableHandle', 'Tensor', 'abs', 'add', 'addcdiv', 'addcmul', 'addmm', 'all', 'amax', 'amin', 'any', 'arange', 'argmax', 'argmin', 'argsort', 'argwhere', 'as_strided', 'as_tensor', 'batch_norm', 'bernoulli', 'bfloat16', 'binary_cross_entropy_with_logits', 'bincount', 'bitwise_and', 'bitwise_not', 'bitwise_or', 'bitwise_xor', 'bmm', 'bool', 'broadcast_shapes', 'bucketize', 'cat', 'ceil', 'chunk', 'clamp', 'clamp_max', 'clamp_min', 'clip', 'clone', 'concat', 'concatenate', 'constant_pad_nd', 'contiguous', 'conv1d', 'conv2d', 'cos', 'cross', 'cummax', 'cummin', 'cumprod', 'cumsum', 'detach', 'diff', 'div', 'divide', 'dot', 'dropout', 'dropout_', 'dtype', 'einsum', 'elu', 'elu_', 'embedding', 'empty', 'empty_like', 'eq', 'erf', 'erfinv', 'exp', 'expm1', 'eye', 'fix', 'flatten', 'flip', 'float16', 'float32', 'float64', 'floor', 'floor_divide', 'from_dlpack', 'from_numpy', 'full', 'full_like', 'gather', 'ge', 'gelu', 'ger', 'get_default_dtype', 'get_num_threads', 'gt', 'hardtanh', 'hardtanh_', 'histc', 'hypot', 'index_add', 'index_copy', 'index_fill', 'index_put', 'index_put_', 'index_select', 'initial_seed', 'int32', 'int64', 'is_anomaly_enabled', 'is_grad_enabled', 'isfinite', 'isinf', 'isnan', 'kron', 'kthvalue', 'layer_norm', 'le', 'leaky_relu', 'leaky_relu_', 'lerp', 'linspace', 'log', 'log10', 'log1p', 'log2', 'log_softmax', 'logaddexp', 'logaddexp2', 'logcumsumexp', 'logical_and', 'logical_not', 'logical_or', 'logical_xor', 'logsumexp', 'lt', 'manual_seed', 'masked_fill', 'masked_scatter', 'masked_select', 'matmul', 'max', 'max_pool2d', 'maximum', 'mean', 'median', 'min', 'minimum', 'mm', 'mode', 'moveaxis', 'movedim', 'msort', 'mul', 'multinomial', 'mv', 'nan_to_num', 'nanmedian', 'narrow', 'ne', 'neg', 'negative', 'nonzero', 'norm', 'normal', 'one_hot', 'ones', 'ones_like', 'outer', 'permute', 'poisson', 'pow', 'prod', 'promote_types', 'rand', 'rand_like', 'randint', 'randn', 'randn_like', 'randperm', 'reciprocal', 'relu', 'relu6', 'relu_', 'remainder', 'reshape', 'result_type', 'roll', 'round', 'rsqrt', 'scatter', 'scatter_add', 'scatter_reduce', 'searchsorted', 'select', 'set_default_dtype', 'set_num_threads', 'sigmoid', 'sigmoid_', 'sign', 'silu', 'silu_', 'sin', 'softmax', 'softplus', 'sort', 'split', 'split_with_sizes', 'sqrt', 'square', 'squeeze', 'stack', 'std', 'sub', 'sum', 'swapaxes', 'swapdims', 't', 'tan', 'tanh', 'tensor', 'tile', 'topk', 'transpose', 'tril', 'triu', 'true_divide', 'trunc', 'unbind', 'unique', 'unique_consecutive', 'unsqueeze', 'var', 'where', 'zeros', 'zeros_like']

__version__: _str

class Node:
    """
    A node of the backward graph (what `grad_fn` returns): computes the gradients of an operation's inputs from the gradient of its output.
    """
    def __getattr__(self, name: _str) -> typing.Any: ...
    def __repr__(self) -> _str: ...
    @property
    def _class_name(self) -> _str:
        """
        The node's name without its C++ namespace.
        """
    def _repr_svg_(self) -> _str: ...
    def _saved_names(self) -> list[_str]:
        """
        The names of the values this node saved (its _saved_* attributes).
        """
    @property
    def _sequence_nr(self) -> _int:
        """
        The order the node was created in.
        """
    def name(self) -> _str:
        """
        The name PyTorch prints for this node, e.g. MulBackward0.
        """
    @property
    def next_functions(self) -> tuple[tuple[Node | None, _int], ...]:
        """
        The nodes the gradients of this node's inputs flow to, with the input slot of each.
        """
    def register_hook(self, hook: collections.abc.Callable[..., typing.Any]) -> RemovableHandle:
        """
        Registers fn(grad_inputs, grad_outputs), run after the node; it may return replacement grad_inputs.
        """
    def register_prehook(self, hook: collections.abc.Callable[..., typing.Any]) -> RemovableHandle:
        """
        Registers fn(grad_outputs), run before the node; it may return replacements.
        """
    @property
    def variable(self) -> typing.Any:
        """
        The leaf an AccumulateGrad node accumulates into.
        """

class RemovableHandle:
    """
    Returned by hook registration; `remove()` unregisters the hook.
    """
    def __enter__(self) -> RemovableHandle: ...
    def __exit__(self, type: typing.Any = None, value: typing.Any = None, traceback: typing.Any = None) -> None: ...
    def remove(self) -> None:
        """
        Unregisters the hook (again: no effect).
        """

class Tensor:
    """
    A multi-dimensional array of one dtype that can record the operations applied to it for automatic differentiation.
    """
    @property
    def H(self) -> Tensor: ...
    @property
    def T(self) -> Tensor:
        """
        The tensor with its dimensions reversed (a view).
        """
    def __abs__(self) -> Tensor: ...
    def __add__(self, other: typing.Any) -> Tensor: ...
    def __and__(self, other: typing.Any) -> Tensor: ...
    def __array__(self, dtype: numpy.typing.DTypeLike | None = None, copy: _bool | None = None) -> numpy.typing.NDArray[typing.Any]:
        """
        numpy's array protocol (numpy 2 form): shares memory unless a dtype
        change or ``copy=True`` asks for a copy; ``copy=False`` forbids one.
        """
    __array_priority__: typing.ClassVar[int] = 1000
    def __array_wrap__(self, array: numpy.typing.NDArray[typing.Any], context: typing.Any = None, return_scalar: _bool = False) -> Tensor | numpy.typing.NDArray[typing.Any]:
        """
        Lets numpy functions applied to a tensor (``np.sin(t)``) return a
        tensor, as PyTorch's do; results of dtypes we lack stay arrays.
        """
    def __bool__(self) -> _bool: ...
    def __deepcopy__(self, memo: dict[typing.Any, typing.Any]) -> Tensor: ...
    def __dlpack__(self, *, stream: _int | None = None, max_version: collections.abc.Sequence[_int] | None = None, dl_device: collections.abc.Sequence[_int] | None = None, copy: _bool | None = None) -> typing_extensions.CapsuleType:
        """
        Exports the tensor as a DLPack capsule sharing its memory.
        """
    def __dlpack_device__(self) -> tuple[_int, _int]:
        """
        The DLPack device (type, id) of the tensor: (1, 0), the CPU.
        """
    def __eq__(self, other: typing.Any) -> Tensor: ...  # type: ignore[override]
    def __float__(self) -> _float: ...
    def __floordiv__(self, other: typing.Any) -> Tensor: ...
    def __format__(self, spec: _str) -> _str: ...
    def __ge__(self, other: typing.Any) -> Tensor: ...
    def __getitem__(self, index: typing.Any) -> Tensor: ...
    def __gt__(self, other: typing.Any) -> Tensor: ...
    def __hash__(self) -> _int: ...
    def __iadd__(self, other: typing.Any) -> Tensor: ...
    def __iand__(self, other: typing.Any) -> Tensor: ...
    def __ifloordiv__(self, other: typing.Any) -> Tensor: ...
    def __imod__(self, other: typing.Any) -> Tensor: ...
    def __imul__(self, other: typing.Any) -> Tensor: ...
    def __index__(self) -> _int: ...
    def __init__(self, *args: typing.Any) -> None: ...
    def __int__(self) -> _int: ...
    def __invert__(self) -> Tensor: ...
    def __ior__(self, other: typing.Any) -> Tensor: ...
    def __ipow__(self, other: typing.Any) -> Tensor: ...
    def __isub__(self, other: typing.Any) -> Tensor: ...
    def __iter__(self) -> collections.abc.Iterator[Tensor]: ...
    def __itruediv__(self, other: typing.Any) -> Tensor: ...
    def __ixor__(self, other: typing.Any) -> Tensor: ...
    def __le__(self, other: typing.Any) -> Tensor: ...
    def __len__(self) -> _int: ...
    def __lt__(self, other: typing.Any) -> Tensor: ...
    def __matmul__(self, other: typing.Any) -> Tensor: ...
    def __mod__(self, other: typing.Any) -> Tensor: ...
    def __mul__(self, other: typing.Any) -> Tensor: ...
    def __ne__(self, other: typing.Any) -> Tensor: ...  # type: ignore[override]
    def __neg__(self) -> Tensor: ...
    def __or__(self, other: typing.Any) -> Tensor: ...
    def __pos__(self) -> Tensor: ...
    def __pow__(self, other: typing.Any) -> Tensor: ...
    def __radd__(self, other: typing.Any) -> Tensor: ...
    def __rand__(self, other: typing.Any) -> Tensor: ...
    def __reduce_ex__(self, protocol: typing.SupportsIndex) -> tuple[typing.Any, ...]:
        """
        Pickling and copy.copy: the storage with sizes, strides, offset and
        requires_grad, as PyTorch keeps them; the graph and .grad are not kept.
        """
    def __repr__(self) -> _str: ...
    def __reversed__(self) -> collections.abc.Iterator[Tensor]: ...
    def __rfloordiv__(self, other: typing.Any) -> Tensor: ...
    def __rmatmul__(self, other: typing.Any) -> Tensor: ...
    def __rmod__(self, other: typing.Any) -> Tensor: ...
    def __rmul__(self, other: typing.Any) -> Tensor: ...
    def __ror__(self, other: typing.Any) -> Tensor: ...
    def __rpow__(self, other: typing.Any) -> Tensor: ...
    def __rsub__(self, other: typing.Any) -> Tensor: ...
    def __rtruediv__(self, other: typing.Any) -> Tensor: ...
    def __rxor__(self, other: typing.Any) -> Tensor: ...
    def __setitem__(self, index: typing.Any, value: typing.Any) -> None: ...
    def __str__(self) -> _str: ...
    def __sub__(self, other: typing.Any) -> Tensor: ...
    def __truediv__(self, other: typing.Any) -> Tensor: ...
    def __xor__(self, other: typing.Any) -> Tensor: ...
    def _alias_as(self, sizes: collections.abc.Sequence[_int], strides: collections.abc.Sequence[_int], offset: _int) -> Tensor:
        """
        A tensor over the same storage with the given geometry.
        """
    def _backward(self, gradient: Tensor | None, retain_graph: _bool, create_graph: _bool, inputs: collections.abc.Sequence[Tensor]) -> None:
        """
        Runs backward from self (Tensor.backward's C++ part).
        """
    _grad: Tensor | None
    def _numpy_view(self) -> numpy.typing.NDArray[typing.Any]:
        """
        numpy() without the requires_grad check.
        """
    def _repr_html_(self) -> _str: ...
    @property
    def _retains_grad(self) -> _bool:
        """
        Whether retain_grad() was called on this non-leaf.
        """
    def _storage_flat(self) -> Tensor:
        """
        The whole storage as a flat tensor.
        """
    @property
    def _version(self) -> _int:
        """
        How many in-place writes the data has seen.
        """
    def abs(self) -> Tensor:
        """
        Absolute value, elementwise.
        """
    def abs_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def absolute(self) -> Tensor:
        """
        Alias for abs.
        """
    def add(self, other: Tensor | _Number, *, alpha: _Number = 1) -> Tensor:
        """
        input + alpha * other, with broadcasting and type promotion.
        """
    @typing.overload
    def add_(self, other: Tensor | _Number, *, alpha: _Number = 1) -> Tensor: ...
    @typing.overload
    def add_(self, alpha: _Number, other: Tensor) -> Tensor: ...
    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: _Number = 1) -> Tensor:
        """
        input + value * tensor1 / tensor2.
        """
    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: _Number = 1) -> Tensor:
        """
        In-place addcdiv.
        """
    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: _Number = 1) -> Tensor:
        """
        input + value * tensor1 * tensor2.
        """
    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: _Number = 1) -> Tensor:
        """
        In-place addcmul.
        """
    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: _Number = 1, alpha: _Number = 1) -> Tensor:
        """
        beta * input + alpha * (mat1 @ mat2).
        """
    def adjoint(self) -> Tensor:
        """
        The conjugate transpose of the last two dimensions (a view).
        """
    @typing.overload
    def all(self, dim: _int, keepdim: _bool = False) -> Tensor: ...
    @typing.overload
    def all(self, dim: collections.abc.Sequence[_int] | None = None, keepdim: _bool = False) -> Tensor: ...
    def amax(self, dim: _int | collections.abc.Sequence[_int] = (), keepdim: _bool = False) -> Tensor:
        """
        Maximum along the given dims; the gradient is shared between ties.
        """
    def amin(self, dim: _int | collections.abc.Sequence[_int] = (), keepdim: _bool = False) -> Tensor:
        """
        Minimum along the given dims; the gradient is shared between ties.
        """
    @typing.overload
    def any(self, dim: _int, keepdim: _bool = False) -> Tensor: ...
    @typing.overload
    def any(self, dim: collections.abc.Sequence[_int] | None = None, keepdim: _bool = False) -> Tensor: ...
    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        """
        Index of the largest value (flattened, or along dim).
        """
    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        """
        Index of the smallest value (flattened, or along dim).
        """
    def argsort(self, dim: _int = -1, descending: _bool = False, stable: _bool = False) -> Tensor:
        """
        Indices that sort the tensor along dim (ascending unless descending=True).
        """
    def argwhere(self) -> Tensor:
        """
        Coordinates of the non-zero elements, one row per element (int64 [count, ndim]).
        """
    def as_strided(self, size: collections.abc.Sequence[_int], stride: collections.abc.Sequence[_int], storage_offset: _int | None = None) -> Tensor:
        """
        A view of the input's storage with the given sizes, strides and offset.
        """
    def as_strided_(self, size: collections.abc.Sequence[_int], stride: collections.abc.Sequence[_int], storage_offset: _int | None = None) -> Tensor:
        """
        In-place as_strided.
        """
    def backward(self, gradient: Tensor | None = None, retain_graph: _bool | None = None, create_graph: _bool = False, inputs: Tensor | collections.abc.Sequence[Tensor] | None = None) -> None:
        """
        Computes the gradient of this tensor with respect to the graph's
        leaves and accumulates it into their ``.grad``.

        The graph is the chain of ``grad_fn`` nodes recorded while this tensor
        was computed. Gradients are summed into ``.grad`` of every leaf that
        requires grad (call ``optimizer.zero_grad()`` or set ``.grad = None``
        between steps); intermediate tensors keep none unless they called
        ``retain_grad()``. Without ``retain_graph``, the tensors the graph saved
        are freed as backward goes, so a second backward through it fails.

        Args:
            gradient: the gradient of some scalar with respect to this tensor,
                of this tensor's shape; backward then computes the
                vector-Jacobian product ``gradient @ J``. May be omitted only for
                a one-element tensor (it is then ``1``).
            retain_graph: keep the saved tensors so that backward can run
                through the graph again. Defaults to ``create_graph``.
            create_graph: record the backward pass itself, so that the
                gradients have a ``grad_fn`` and can be differentiated again
                (higher-order derivatives).
            inputs: accumulate only into these tensors (leaves, or tensors that
                called ``retain_grad()``) instead of into every leaf.

        Raises:
            RuntimeError: without ``gradient`` on a tensor of more than one
                element; when this tensor does not require grad; on a second
                backward through a freed graph; when a saved tensor was modified
                in place since it was saved.

        Examples:
            >>> import autograd_cpp as torch
            >>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
            >>> y = (x ** 2).sum()
            >>> y.backward()
            >>> x.grad                      # dy/dx = 2x
            tensor([2., 4., 6.])
            >>> z = x * 3                   # not a scalar: pass the gradient
            >>> z.backward(torch.tensor([1.0, 0.0, 0.5]))
            >>> x.grad                      # accumulated: 2x + [3, 0, 1.5]
            tensor([5.0000, 4.0000, 7.5000])
        """
    def bernoulli(self, p: _float | None = None, *, generator: typing.Any = None) -> Tensor:
        """
        Draws 0 or 1 for each element with the element's value as the probability of 1.
        """
    @typing.overload
    def bernoulli_(self, p: Tensor, *, generator: typing.Any = None) -> Tensor: ...
    @typing.overload
    def bernoulli_(self, p: _float = 0.5, *, generator: typing.Any = None) -> Tensor: ...
    def bincount(self, weights: Tensor | None = None, minlength: _int = 0) -> Tensor:
        """
        Counts of each non-negative integer value (summing weights when given).
        """
    def bitwise_and(self, other: Tensor | _Number) -> Tensor:
        """
        Bitwise AND of integer or bool tensors.
        """
    def bitwise_and_(self, other: Tensor | _Number) -> Tensor:
        """
        In place: the result is written into self.
        """
    def bitwise_not(self) -> Tensor:
        """
        Bitwise NOT of an integer or bool tensor.
        """
    def bitwise_not_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def bitwise_or(self, other: Tensor | _Number) -> Tensor:
        """
        Bitwise OR of integer or bool tensors.
        """
    def bitwise_or_(self, other: Tensor | _Number) -> Tensor:
        """
        In place: the result is written into self.
        """
    def bitwise_xor(self, other: Tensor | _Number) -> Tensor:
        """
        Bitwise XOR of integer or bool tensors.
        """
    def bitwise_xor_(self, other: Tensor | _Number) -> Tensor:
        """
        In place: the result is written into self.
        """
    def bmm(self, mat2: Tensor) -> Tensor:
        """
        Batched matrix product of (b, n, m) and (b, m, p) tensors.
        """
    def bool(self) -> Tensor:
        """
        A copy converted to this dtype (self if already of it).
        """
    def broadcast_to(self, size: collections.abc.Sequence[_int]) -> Tensor:
        """
        input expanded (a view) to ``size``; -1 keeps a dimension.
        """
    def cauchy_(self, median: _float = 0.0, sigma: _float = 1.0, *, generator: typing.Any = None) -> Tensor:
        """
        Fills self in place with Cauchy samples of the given median and sigma.
        """
    def ceil(self) -> Tensor:
        """
        Rounds up to the nearest integer, elementwise (zero gradient).
        """
    def ceil_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """
        Splits into the given number of nearly equal views along dim.
        """
    @typing.overload
    def clamp(self, min: Tensor | None = None, max: Tensor | None = None) -> Tensor: ...
    @typing.overload
    def clamp(self, min: _Number | None = None, max: _Number | None = None) -> Tensor: ...
    @typing.overload
    def clamp_(self, min: Tensor | None = None, max: Tensor | None = None) -> Tensor: ...
    @typing.overload
    def clamp_(self, min: _Number | None = None, max: _Number | None = None) -> Tensor: ...
    @typing.overload
    def clamp_max(self, max: Tensor) -> Tensor: ...
    @typing.overload
    def clamp_max(self, max: _Number) -> Tensor: ...
    @typing.overload
    def clamp_max_(self, max: Tensor) -> Tensor: ...
    @typing.overload
    def clamp_max_(self, max: _Number) -> Tensor: ...
    @typing.overload
    def clamp_min(self, min: Tensor) -> Tensor: ...
    @typing.overload
    def clamp_min(self, min: _Number) -> Tensor: ...
    @typing.overload
    def clamp_min_(self, min: Tensor) -> Tensor: ...
    @typing.overload
    def clamp_min_(self, min: _Number) -> Tensor: ...
    @typing.overload
    def clip(self, min: Tensor | None = None, max: Tensor | None = None) -> Tensor: ...
    @typing.overload
    def clip(self, min: _Number | None = None, max: _Number | None = None) -> Tensor: ...
    @typing.overload
    def clip_(self, min: Tensor | None = None, max: Tensor | None = None) -> Tensor: ...
    @typing.overload
    def clip_(self, min: _Number | None = None, max: _Number | None = None) -> Tensor: ...
    def clone(self) -> Tensor:
        """
        A copy with its own storage, differentiable.
        """
    def conj(self) -> Tensor:
        """
        The complex conjugate: input itself, as every dtype here is real.
        """
    def contiguous(self) -> Tensor:
        """
        self if contiguous, else a contiguous copy.
        """
    def copy_(self, src: Tensor, non_blocking: _bool = False) -> Tensor:
        """
        Copies src into self (broadcasting, converting dtype), in place.
        """
    def cos(self) -> Tensor:
        """
        Cosine, elementwise (radians).
        """
    def cos_(self) -> Tensor:
        """
        In-place cos.
        """
    def cpu(self, memory_format: object = None) -> Tensor:
        """
        The tensor itself: its data is already in CPU memory.
        """
    def cross(self, other: Tensor, dim: _int | None = None) -> Tensor:
        """
        Cross product of 3-vectors along dim (the first dim of size 3 when dim is not given).
        """
    def cuda(self, _device: object = None, non_blocking: _bool = False, memory_format: object = None) -> Tensor:
        """
        Raises PyTorch's CPU-build error: this library has no CUDA backend.
        """
    def cummax(self, dim: _int) -> _return_types.cummax:
        """
        Running maximum along dim, with the index where each maximum occurred.
        """
    def cummin(self, dim: _int) -> _return_types.cummin:
        """
        Running minimum along dim, with the index where each minimum occurred.
        """
    def cumprod(self, dim: _int, *, dtype: _dtype | None = None) -> Tensor:
        """
        Cumulative product along dim.
        """
    def cumsum(self, dim: _int, *, dtype: _dtype | None = None) -> Tensor:
        """
        Running sums along dim.
        """
    data: Tensor
    def data_ptr(self) -> _int:
        """
        The address of the first element.
        """
    def detach(self) -> Tensor:
        """
        A new tensor that shares this tensor's data but has no autograd history:
        its requires_grad is False and it has no grad_fn, so gradients do not
        flow through it. Use it to use a value without differentiating through
        it (a target, a logged metric, a stopped gradient). The data is shared,
        not copied: an in-place change to one shows in the other (add .clone()
        for a copy).

        Examples:
            >>> import autograd_cpp as torch
            >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
            >>> y = x * 2
            >>> d = y.detach()
            >>> d.requires_grad, d.grad_fn is None
            (False, True)
            >>> (x * d).sum().backward()  # d is a constant here
            >>> x.grad
            tensor([2., 4.])
        """
    def detach_(self) -> Tensor:
        """
        Detaches self from the graph in place and returns it.
        """
    @property
    def device(self) -> _device: ...
    def diff(self, n: _int = 1, dim: _int = -1, prepend: Tensor | None = None, append: Tensor | None = None) -> Tensor:
        """
        The n-th forward difference along dim, with prepend and append joined first.
        """
    def dim(self) -> _int:
        """
        The number of dimensions.
        """
    def div(self, other: Tensor | _Number, *, rounding_mode: _str | None = None) -> Tensor:
        """
        input / other, or its quotient rounded ('trunc' toward zero, 'floor' toward -inf).
        """
    def div_(self, other: Tensor | _Number, *, rounding_mode: _str | None = None) -> Tensor:
        """
        In-place div.
        """
    def divide(self, other: Tensor | _Number, *, rounding_mode: _str | None = None) -> Tensor:
        """
        input / other, or its quotient rounded ('trunc' toward zero, 'floor' toward -inf).
        """
    def dot(self, other: Tensor) -> Tensor:
        """
        Dot product of two 1-d tensors.
        """
    def double(self) -> Tensor:
        """
        A copy converted to this dtype (self if already of it).
        """
    @property
    def dtype(self) -> _dtype:
        """
        The element type.
        """
    def element_size(self) -> _int:
        """
        The size of one element in bytes.
        """
    def eq(self, other: Tensor | _Number) -> Tensor:
        """
        Elementwise ==, as a bool tensor.
        """
    def erf(self) -> Tensor:
        """
        The error function, elementwise.
        """
    def erf_(self) -> Tensor:
        """
        In-place erf.
        """
    def erfinv(self) -> Tensor:
        """
        The inverse error function, elementwise (NaN outside [-1, 1]).
        """
    def erfinv_(self) -> Tensor:
        """
        In-place erfinv.
        """
    def exp(self) -> Tensor:
        """
        Exponential, elementwise: e ** input.
        """
    def exp_(self) -> Tensor:
        """
        In-place exp.
        """
    def expand(self, *size: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        A view repeating size-1 dims to the given size (-1 keeps a dim).
        """
    def expand_as(self, other: Tensor) -> Tensor:
        """
        expand to other's shape.
        """
    def expm1(self) -> Tensor:
        """
        exp(input) - 1, elementwise, accurate for input near 0.
        """
    def expm1_(self) -> Tensor:
        """
        In-place expm1.
        """
    def exponential_(self, lambd: _float = 1.0, *, generator: typing.Any = None) -> Tensor:
        """
        Fills self in place with exponential samples of rate lambd.
        """
    @typing.overload
    def fill_(self, value: Tensor) -> Tensor: ...
    @typing.overload
    def fill_(self, value: _Number) -> Tensor: ...
    def fix(self) -> Tensor:
        """
        Alias of trunc.
        """
    def fix_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        """
        Flattens dims start_dim..end_dim into one.
        """
    def flip(self, *dims: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        A copy with the order of elements reversed along dims.
        """
    def fliplr(self) -> Tensor:
        """
        Columns in reverse order: flip along dim 1.
        """
    def flipud(self) -> Tensor:
        """
        Rows in reverse order: flip along dim 0.
        """
    def float(self) -> Tensor:
        """
        A copy converted to this dtype (self if already of it).
        """
    def floor(self) -> Tensor:
        """
        Rounds down to the nearest integer, elementwise (zero gradient).
        """
    def floor_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def floor_divide(self, other: Tensor | _Number) -> Tensor:
        """
        input // other, rounding toward negative infinity.
        """
    def floor_divide_(self, other: Tensor | _Number) -> Tensor:
        """
        In place: the result is written into self.
        """
    def gather(self, dim: _int, index: Tensor, *, sparse_grad: _bool = False) -> Tensor:
        """
        Values of input at the index positions along dim: `out[i][j] = input[index[i][j]][j]` for dim 0.
        """
    def ge(self, other: Tensor | _Number) -> Tensor:
        """
        Elementwise >=, as a bool tensor.
        """
    def geometric_(self, p: _float, *, generator: typing.Any = None) -> Tensor:
        """
        Fills self in place with geometric samples (trials until the first success with probability p).
        """
    def ger(self, vec2: Tensor) -> Tensor:
        """
        Alias of outer.
        """
    def get_device(self) -> _int:
        """
        The CUDA device index, or -1 for a CPU tensor (always -1 here).
        """
    grad: Tensor | None
    @property
    def grad_fn(self) -> Node | None:
        """
        The backward node that produced this tensor, or None for leaves.
        """
    def greater(self, other: typing.Any) -> Tensor:
        """
        Alias for gt.
        """
    def greater_equal(self, other: typing.Any) -> Tensor:
        """
        Alias for ge.
        """
    def gt(self, other: Tensor | _Number) -> Tensor:
        """
        Elementwise >, as a bool tensor.
        """
    def histc(self, bins: _int = 100, min: _Number = 0, max: _Number = 0) -> Tensor:
        """
        Histogram of the values in equal-width bins between min and max.
        """
    def hypot(self, other: Tensor) -> Tensor:
        """
        sqrt(input^2 + other^2), elementwise, the squares never overflowing.
        """
    @property
    def imag(self) -> Tensor: ...
    def index_add(self, dim: _int, index: Tensor, source: Tensor, *, alpha: _Number = 1) -> Tensor:
        """
        self with alpha * source added into the slices that index picks along dim.
        """
    def index_add_(self, dim: _int, index: Tensor, source: Tensor, *, alpha: _Number = 1) -> Tensor:
        """
        Adds alpha * source in place into the slices that index picks along dim.
        """
    def index_copy(self, dim: _int, index: Tensor, source: Tensor) -> Tensor:
        """
        self with source copied into the slices that index picks along dim.
        """
    def index_copy_(self, dim: _int, index: Tensor, source: Tensor) -> Tensor:
        """
        Copies source in place into the slices that index picks along dim.
        """
    def index_fill(self, dim: _int, index: Tensor, value: _Number) -> Tensor:
        """
        self with the slices that index picks along dim filled with value.
        """
    def index_fill_(self, dim: _int, index: Tensor, value: _Number) -> Tensor:
        """
        Fills in place the slices that index picks along dim with value.
        """
    def index_put(self, indices: typing.Any, values: Tensor, accumulate: _bool = False) -> Tensor:
        """
        A copy of input with values written at the positions given by a tuple of index tensors (accumulate adds).
        """
    def index_put_(self, indices: typing.Any, values: Tensor, accumulate: _bool = False) -> Tensor:
        """
        In-place index_put.
        """
    def index_select(self, dim: _int, index: Tensor) -> Tensor:
        """
        Entries of input along dim at the positions in a 1-d index tensor.
        """
    def int(self) -> Tensor:
        """
        A copy converted to this dtype (self if already of it).
        """
    def is_complex(self) -> _bool:
        """
        False: there are no complex dtypes.
        """
    def is_conj(self) -> _bool:
        """
        False: real tensors carry no lazy conjugation.
        """
    def is_contiguous(self) -> _bool:
        """
        Whether the elements are laid out contiguously in row-major order.
        """
    @property
    def is_cpu(self) -> _bool: ...
    @property
    def is_cuda(self) -> _bool:
        """
        Always False: tensors live on the CPU.
        """
    def is_floating_point(self) -> _bool:
        """
        Whether the dtype is a floating-point type.
        """
    @property
    def is_leaf(self) -> _bool:
        """
        True for tensors not produced by a recorded operation (their .grad is populated by backward).
        """
    @property
    def is_meta(self) -> _bool: ...
    @property
    def is_mps(self) -> _bool: ...
    def is_neg(self) -> _bool:
        """
        False: real tensors carry no lazy negation.
        """
    def is_nonzero(self) -> _bool:
        """
        The truth of a one-element tensor (an error for any other size).
        """
    def is_pinned(self, _device: object = None) -> _bool:
        """
        False: memory is never page-locked without an accelerator.
        """
    @property
    def is_quantized(self) -> _bool: ...
    def is_same_size(self, other: Tensor) -> _bool:
        """
        Whether both tensors have the same shape.
        """
    def is_signed(self) -> _bool:
        """
        Whether the dtype holds negative values (all but bool).
        """
    @property
    def is_sparse(self) -> _bool: ...
    def isfinite(self) -> Tensor:
        """
        Elementwise test for finite values.
        """
    def isinf(self) -> Tensor:
        """
        Elementwise test for infinities.
        """
    def isnan(self) -> Tensor:
        """
        Elementwise test for NaN.
        """
    def item(self) -> _float | _int | _bool:
        """
        The value of a one-element tensor as a Python number.
        """
    @property
    def itemsize(self) -> _int: ...
    def kron(self, other: Tensor) -> Tensor:
        """
        Kronecker product: every element of self scales a block that is a copy of other.
        """
    def kthvalue(self, k: _int, dim: _int = -1, keepdim: _bool = False) -> _return_types.kthvalue:
        """
        The k-th smallest value along dim, and its index.
        """
    def le(self, other: Tensor | _Number) -> Tensor:
        """
        Elementwise <=, as a bool tensor.
        """
    @typing.overload
    def lerp(self, end: Tensor, weight: Tensor) -> Tensor: ...
    @typing.overload
    def lerp(self, end: Tensor, weight: _Number) -> Tensor: ...
    @typing.overload
    def lerp_(self, end: Tensor, weight: Tensor) -> Tensor: ...
    @typing.overload
    def lerp_(self, end: Tensor, weight: _Number) -> Tensor: ...
    def less(self, other: typing.Any) -> Tensor:
        """
        Alias for lt.
        """
    def less_equal(self, other: typing.Any) -> Tensor:
        """
        Alias for le.
        """
    def log(self) -> Tensor:
        """
        Natural logarithm, elementwise.
        """
    def log10(self) -> Tensor:
        """
        Base-10 logarithm, elementwise.
        """
    def log10_(self) -> Tensor:
        """
        In-place log10.
        """
    def log1p(self) -> Tensor:
        """
        log(1 + input), elementwise, accurate for input near 0.
        """
    def log1p_(self) -> Tensor:
        """
        In-place log1p.
        """
    def log2(self) -> Tensor:
        """
        Base-2 logarithm, elementwise.
        """
    def log2_(self) -> Tensor:
        """
        In-place log2.
        """
    def log_(self) -> Tensor:
        """
        In-place log.
        """
    def log_normal_(self, mean: _float = 1.0, std: _float = 2.0, *, generator: typing.Any = None) -> Tensor:
        """
        Fills self in place with samples whose logarithm is normal of the given mean and std.
        """
    def log_softmax(self, dim: _int, dtype: _dtype | None = None) -> Tensor:
        """
        log(softmax(x)) along dim, computed stably.
        """
    def logaddexp(self, other: Tensor) -> Tensor:
        """
        log(exp(input) + exp(other)), elementwise, without overflow.
        """
    def logaddexp2(self, other: Tensor) -> Tensor:
        """
        log2(2^input + 2^other), elementwise, without overflow.
        """
    def logcumsumexp(self, dim: _int) -> Tensor:
        """
        Logarithm of the cumulative sum of exponentials along dim, computed stably.
        """
    def logical_and(self, other: Tensor) -> Tensor:
        """
        Elementwise logical AND, as a bool tensor.
        """
    def logical_and_(self, other: Tensor) -> Tensor:
        """
        In place: the result is written into self.
        """
    def logical_not(self) -> Tensor:
        """
        Elementwise logical NOT, as a bool tensor.
        """
    def logical_not_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def logical_or(self, other: Tensor) -> Tensor:
        """
        Elementwise logical OR, as a bool tensor.
        """
    def logical_or_(self, other: Tensor) -> Tensor:
        """
        In place: the result is written into self.
        """
    def logical_xor(self, other: Tensor) -> Tensor:
        """
        Elementwise logical XOR, as a bool tensor.
        """
    def logical_xor_(self, other: Tensor) -> Tensor:
        """
        In place: the result is written into self.
        """
    def logsumexp(self, dim: _int | collections.abc.Sequence[_int], keepdim: _bool = False) -> Tensor:
        """
        log(sum(exp(x))) along dims, computed stably.
        """
    def long(self) -> Tensor:
        """
        A copy converted to this dtype (self if already of it).
        """
    def lt(self, other: Tensor | _Number) -> Tensor:
        """
        Elementwise <, as a bool tensor.
        """
    @property
    def mH(self) -> Tensor: ...
    @property
    def mT(self) -> Tensor: ...
    @typing.overload
    def masked_fill(self, mask: Tensor, value: Tensor) -> Tensor: ...
    @typing.overload
    def masked_fill(self, mask: Tensor, value: _Number) -> Tensor: ...
    @typing.overload
    def masked_fill_(self, mask: Tensor, value: Tensor) -> Tensor: ...
    @typing.overload
    def masked_fill_(self, mask: Tensor, value: _Number) -> Tensor: ...
    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        """
        self with the positions where mask is true filled, in order, from source.
        """
    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        """
        Fills in place the positions where mask is true, in order, from source.
        """
    def masked_select(self, mask: Tensor) -> Tensor:
        """
        The elements where mask (broadcast with self) is true, as a 1-d tensor.
        """
    def matmul(self, other: Tensor) -> Tensor:
        """
        Matrix product with NumPy's rules for 1-d and batched operands.
        """
    @typing.overload
    def max(self) -> Tensor: ...
    @typing.overload
    def max(self, other: Tensor) -> Tensor: ...
    @typing.overload
    def max(self, dim: _int, keepdim: _bool = False) -> _return_types.max: ...
    def maximum(self, other: Tensor) -> Tensor:
        """
        The larger of input and other, elementwise (NaN propagates); ties split the gradient.
        """
    def mean(self, dim: _int | collections.abc.Sequence[_int] | None = None, keepdim: _bool = False, *, dtype: _dtype | None = None) -> Tensor:
        """
        Mean of all elements, or along dims.
        """
    @typing.overload
    def median(self) -> Tensor: ...
    @typing.overload
    def median(self, dim: _int, keepdim: _bool = False) -> _return_types.median: ...
    @typing.overload
    def min(self) -> Tensor: ...
    @typing.overload
    def min(self, other: Tensor) -> Tensor: ...
    @typing.overload
    def min(self, dim: _int, keepdim: _bool = False) -> _return_types.min: ...
    def minimum(self, other: Tensor) -> Tensor:
        """
        The smaller of input and other, elementwise (NaN propagates); ties split the gradient.
        """
    def mm(self, mat2: Tensor) -> Tensor:
        """
        Matrix product of two 2-d tensors.
        """
    def mode(self, dim: _int = -1, keepdim: _bool = False) -> _return_types.mode:
        """
        The most frequent value along dim, and an index where it occurs.
        """
    def moveaxis(self, source: _int | collections.abc.Sequence[_int], destination: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        Alias of movedim.
        """
    def movedim(self, source: _int | collections.abc.Sequence[_int], destination: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        A view with dimensions moved from source to destination positions.
        """
    def msort(self) -> Tensor:
        """
        Sorts along the first dimension (ascending).
        """
    def mul(self, other: Tensor | _Number) -> Tensor:
        """
        input * other, with broadcasting.
        """
    def mul_(self, other: Tensor | _Number) -> Tensor:
        """
        In-place mul.
        """
    def multinomial(self, num_samples: _int, replacement: _bool = False, *, generator: typing.Any = None) -> Tensor:
        """
        Draws category indices from each row of non-negative weights, with or without replacement.
        """
    def multiply(self, other: typing.Any) -> Tensor:
        """
        Alias for mul.
        """
    def mv(self, vec: Tensor) -> Tensor:
        """
        Matrix-vector product.
        """
    def nan_to_num(self, nan: _float | None = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
        """
        NaN, +inf and -inf replaced by the given numbers (by default 0 and the dtype's largest and lowest finite values).
        """
    def nan_to_num_(self, nan: _float | None = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
        """
        Replaces NaN, +inf and -inf in place (see nan_to_num).
        """
    @typing.overload
    def nanmedian(self) -> Tensor: ...
    @typing.overload
    def nanmedian(self, dim: _int, keepdim: _bool = False) -> _return_types.nanmedian: ...
    def narrow(self, dim: _int, start: _int, length: _int) -> Tensor:
        """
        A view of length elements along dim starting at start.
        """
    @property
    def nbytes(self) -> _int: ...
    @property
    def ndim(self) -> _int:
        """
        The number of dimensions.
        """
    def ndimension(self) -> _int:
        """
        The number of dimensions.
        """
    def ne(self, other: Tensor | _Number) -> Tensor:
        """
        Elementwise !=, as a bool tensor.
        """
    def neg(self) -> Tensor:
        """
        Negation, elementwise.
        """
    def neg_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def negative(self) -> Tensor:
        """
        Alias of neg.
        """
    def negative_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def nelement(self) -> _int:
        """
        The number of elements.
        """
    def new(self, *args: typing.Any, _device: object = None) -> Tensor:
        """
        The legacy constructor with this tensor's dtype: ``x.new(2, 3)``, ``x.new([1, 2])``.
        """
    def new_empty(self, *size: typing.Any, dtype: _dtype | None = None, _device: object = None, requires_grad: _bool = False, layout: object = None, pin_memory: _bool = False) -> Tensor:
        """
        An uninitialised tensor of the given size, with this tensor's dtype unless told.
        """
    def new_full(self, size: collections.abc.Sequence[_int], fill_value: _float | _bool, *, dtype: _dtype | None = None, _device: object = None, requires_grad: _bool = False, layout: object = None, pin_memory: _bool = False) -> Tensor:
        """
        A tensor of the given size filled with fill_value, with this tensor's dtype unless told.
        """
    def new_ones(self, *size: typing.Any, dtype: _dtype | None = None, _device: object = None, requires_grad: _bool = False, layout: object = None, pin_memory: _bool = False) -> Tensor:
        """
        A tensor of ones of the given size, with this tensor's dtype unless told.
        """
    def new_tensor(self, data: typing.Any, dtype: _dtype | None = None, _device: object = None, requires_grad: _bool = False, layout: object = None, pin_memory: _bool = False) -> Tensor:
        """
        A new tensor holding a copy of data, with this tensor's dtype unless told.
        """
    def new_zeros(self, *size: typing.Any, dtype: _dtype | None = None, _device: object = None, requires_grad: _bool = False, layout: object = None, pin_memory: _bool = False) -> Tensor:
        """
        A tensor of zeros of the given size, with this tensor's dtype unless told.
        """
    def nonzero(self, *, as_tuple: _bool = False) -> typing.Any:
        """
        Coordinates of the non-zero elements: int64 [count, ndim], or one tensor per dim with as_tuple=True.
        """
    def norm(self, p: typing.Any = None, dim: _int | collections.abc.Sequence[_int] | None = None, keepdim: _bool = False) -> Tensor:
        """
        The p-norm of all elements or along dim (p=2 by default).
        """
    def normal_(self, mean: _float = 0.0, std: _float = 1.0, *, generator: typing.Any = None) -> Tensor:
        """
        Fills self in place with normal samples of the given mean and std.
        """
    def not_equal(self, other: typing.Any) -> Tensor:
        """
        Alias for ne.
        """
    def numel(self) -> _int:
        """
        The number of elements.
        """
    def numpy(self, *, force: _bool = False) -> numpy.typing.NDArray[typing.Any]:
        """
        A numpy array sharing this tensor's memory (the tensor must not require grad).
        """
    def outer(self, vec2: Tensor) -> Tensor:
        """
        Outer product of two 1-d tensors.
        """
    @property
    def output_nr(self) -> _int:
        """
        Which output of its grad_fn this tensor is.
        """
    def permute(self, *dims: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        A view with dimensions reordered.
        """
    def pin_memory(self, _device: object = None) -> Tensor:
        """
        Page-locked memory needs an accelerator; there is none.
        """
    def positive(self) -> Tensor:
        """
        input itself (unary plus).
        """
    @typing.overload
    def pow(self, exponent: Tensor) -> Tensor: ...
    @typing.overload
    def pow(self, exponent: _Number) -> Tensor: ...
    @typing.overload
    def pow_(self, exponent: Tensor) -> Tensor: ...
    @typing.overload
    def pow_(self, exponent: _Number) -> Tensor: ...
    def prod(self, dim: _int | None = None, keepdim: _bool = False, *, dtype: _dtype | None = None) -> Tensor:
        """
        Product of all elements, or along dim.
        """
    def random_(self, from_: _int | None = None, to: _int | None = None, *, generator: typing.Any = None) -> Tensor:
        """
        Fills self in place with integers drawn uniformly from [from, to).
        """
    def ravel(self) -> Tensor:
        """
        The elements as one dimension (a view when input is contiguous).
        """
    @property
    def real(self) -> Tensor: ...
    def reciprocal(self) -> Tensor:
        """
        1 / input, elementwise.
        """
    def reciprocal_(self) -> Tensor:
        """
        In-place reciprocal.
        """
    def register_hook(self, hook: collections.abc.Callable[..., typing.Any]) -> RemovableHandle:
        """
        Registers a function called with this tensor's gradient during backward; it may return a replacement. Returns a handle with remove().
        """
    def register_post_accumulate_grad_hook(self, hook: collections.abc.Callable[..., typing.Any]) -> RemovableHandle:
        """
        Registers a function called with this leaf after its .grad has been accumulated.
        """
    def relu(self) -> Tensor:
        """
        max(input, 0), elementwise.
        """
    def relu_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def remainder(self, other: Tensor | _Number) -> Tensor:
        """
        Python's modulo: the remainder has the sign of the divisor.
        """
    def remainder_(self, other: Tensor | _Number) -> Tensor:
        """
        In place: the result is written into self.
        """
    def repeat(self, *repeats: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        Tiles the tensor: repeats it the given number of times along each dim.
        """
    requires_grad: _bool
    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        """
        Sets whether autograd records operations on this tensor, in place, and
        returns the tensor. Only leaves (tensors not computed from others that
        require grad) can be changed; a tensor built by some computation can be
        made a trainable leaf this way, after the fact.

        Args:
            requires_grad: True (the default) to record operations and
                accumulate a gradient into .grad; False to stop.

        Raises:
            RuntimeError: for a non-leaf tensor, or requires_grad=True on a
                tensor that is not floating point.

        Examples:
            >>> import autograd_cpp as torch
            >>> w = torch.randn(3, 2) * 0.1  # a computed tensor ...
            >>> w.requires_grad_()           # ... made a trainable leaf
            tensor(..., requires_grad=True)
            >>> (w ** 2).sum().backward()
            >>> w.grad.shape
            torch.Size([3, 2])
        """
    def reshape(self, *shape: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        A tensor of the given shape with the same elements (a view when possible).
        """
    def reshape_as(self, other: Tensor) -> Tensor:
        """
        reshape to other's shape.
        """
    def resolve_conj(self) -> Tensor:
        """
        input itself: real tensors carry no lazy conjugation.
        """
    def resolve_neg(self) -> Tensor:
        """
        input itself: real tensors carry no lazy negation.
        """
    def retain_grad(self) -> None:
        """
        Makes this non-leaf tensor keep its .grad after backward.
        """
    @property
    def retains_grad(self) -> _bool: ...
    def roll(self, shifts: _int | collections.abc.Sequence[_int], dims: _int | collections.abc.Sequence[_int] | None = None) -> Tensor:
        """
        Rotates elements along dims by shifts.
        """
    def round(self, *, decimals: _int | None = None) -> Tensor:
        """
        Rounds to the nearest integer (ties to even), or to decimals places.
        """
    def round_(self, *, decimals: _int | None = None) -> Tensor:
        """
        In-place round.
        """
    def rsqrt(self) -> Tensor:
        """
        1 / sqrt(input), elementwise.
        """
    def rsqrt_(self) -> Tensor:
        """
        In-place rsqrt.
        """
    def scatter(self, dim: _int, index: Tensor, src: typing.Any = None, value: typing.Any = None, *, reduce: _str | None = None) -> Tensor:
        """
        A copy with src (or value) written at index positions along dim.
        """
    def scatter_(self, dim: _int, index: Tensor, src: typing.Any = None, value: typing.Any = None, *, reduce: _str | None = None) -> Tensor:
        """
        In-place scatter.
        """
    def scatter_add(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        """
        A copy with src added at index positions along dim.
        """
    def scatter_add_(self, dim: _int, index: Tensor, src: Tensor) -> Tensor:
        """
        In-place scatter_add.
        """
    def scatter_reduce(self, dim: _int, index: Tensor, src: Tensor, reduce: _str, *, include_self: _bool = True) -> Tensor:
        """
        A copy with src reduced into the index positions along dim by sum, prod, mean, amax or amin, together with self's value there unless include_self=False.
        """
    def scatter_reduce_(self, dim: _int, index: Tensor, src: Tensor, reduce: _str, *, include_self: _bool = True) -> Tensor:
        """
        In-place scatter_reduce.
        """
    def select(self, dim: _int, index: _int) -> Tensor:
        """
        A view of the slice at index along dim (that dim removed).
        """
    @property
    def shape(self) -> Size:
        """
        The size of each dimension, as a torch.Size.
        """
    def sigmoid(self) -> Tensor:
        """
        The logistic function 1 / (1 + exp(-input)), elementwise.
        """
    def sigmoid_(self) -> Tensor:
        """
        In-place sigmoid.
        """
    def sign(self) -> Tensor:
        """
        -1, 0 or 1 by the sign of each element.
        """
    def sign_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def sin(self) -> Tensor:
        """
        Sine, elementwise (radians).
        """
    def sin_(self) -> Tensor:
        """
        In-place sin.
        """
    @typing.overload
    def size(self, dim: _int) -> _int: ...
    @typing.overload
    def size(self) -> Size: ...
    def softmax(self, dim: _int, dtype: _dtype | None = None) -> Tensor:
        """
        exp(x) / sum(exp(x)) along dim.
        """
    def sort(self, dim: _int = -1, descending: _bool = False, *, stable: _bool | None = None) -> _return_types.sort:
        """
        Sorted values along dim and the indices they came from.
        """
    @typing.overload
    def split(self, split_size: _int, dim: _int = 0) -> tuple[Tensor, ...]: ...
    @typing.overload
    def split(self, split_size: collections.abc.Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]: ...
    @typing.overload
    def split(self, split_size: Tensor, dim: _int = 0) -> tuple[Tensor, ...]: ...
    def split_with_sizes(self, split_sizes: collections.abc.Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        """
        Splits into views of the given sizes along dim.
        """
    def sqrt(self) -> Tensor:
        """
        Square root, elementwise.
        """
    def sqrt_(self) -> Tensor:
        """
        In-place sqrt.
        """
    def square(self) -> Tensor:
        """
        input * input, elementwise.
        """
    def square_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def squeeze(self, dim: _int | collections.abc.Sequence[_int] | None = None) -> Tensor:
        """
        A view with size-1 dims removed (all, or the given ones).
        """
    def squeeze_(self, dim: _int | collections.abc.Sequence[_int] | None = None) -> Tensor:
        """
        In-place squeeze.
        """
    @typing.overload
    def std(self, dim: _int | collections.abc.Sequence[_int] | None = None, unbiased: _bool | None = None, keepdim: _bool = False, *, correction: _Number | None = None) -> Tensor: ...
    @typing.overload
    def std(self, unbiased: _bool) -> Tensor: ...
    def storage_offset(self) -> _int:
        """
        The offset of the first element in the storage, in elements.
        """
    @typing.overload
    def stride(self, dim: _int) -> _int: ...
    @typing.overload
    def stride(self) -> tuple[_int, ...]: ...
    def sub(self, other: Tensor | _Number, *, alpha: _Number = 1) -> Tensor:
        """
        input - alpha * other, with broadcasting.
        """
    @typing.overload
    def sub_(self, other: Tensor | _Number, *, alpha: _Number = 1) -> Tensor: ...
    @typing.overload
    def sub_(self, alpha: _Number, other: Tensor) -> Tensor: ...
    def subtract(self, other: typing.Any, *, alpha: typing.Any = 1) -> Tensor:
        """
        Alias for sub.
        """
    def sum(self, dim: _int | collections.abc.Sequence[_int] | None = None, keepdim: _bool = False, *, dtype: _dtype | None = None) -> Tensor:
        """
        Sum of all elements, or along dims.
        """
    def swapaxes(self, axis0: _int, axis1: _int) -> Tensor:
        """
        Alias of transpose.
        """
    def swapaxes_(self, axis0: _int, axis1: _int) -> Tensor:
        """
        Alias of transpose_.
        """
    def swapdims(self, dim0: _int, dim1: _int) -> Tensor:
        """
        Alias of transpose.
        """
    def swapdims_(self, dim0: _int, dim1: _int) -> Tensor:
        """
        Alias of transpose_.
        """
    def t(self) -> Tensor:
        """
        Transpose of a tensor of at most 2 dims.
        """
    def t_(self) -> Tensor:
        """
        In-place t.
        """
    def tan(self) -> Tensor:
        """
        Tangent, elementwise (radians).
        """
    def tan_(self) -> Tensor:
        """
        In-place tan.
        """
    def tanh(self) -> Tensor:
        """
        Hyperbolic tangent, elementwise.
        """
    def tanh_(self) -> Tensor:
        """
        In-place tanh.
        """
    def tile(self, *dims: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        Repeats the tensor along each dim (fewer reps than dims are padded with ones).
        """
    def to(self, *args: typing.Any, **kwargs: typing.Any) -> Tensor:
        """
        Converts to a dtype (or another tensor's dtype); a device argument
        must name the CPU, as in PyTorch's CPU-only build.
        """
    def tolist(self) -> typing.Any:
        """
        The values as (nested) Python lists.
        """
    def topk(self, k: _int, dim: _int = -1, largest: _bool = True, sorted: _bool = True) -> _return_types.topk:
        """
        The k largest (or smallest) values along dim, and their indices.
        """
    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        """
        A view with two dimensions swapped.
        """
    def transpose_(self, dim0: _int, dim1: _int) -> Tensor:
        """
        In-place transpose.
        """
    def tril(self, diagonal: _int = 0) -> Tensor:
        """
        The lower triangle (below diagonal + offset); the rest is zero.
        """
    def tril_(self, diagonal: _int = 0) -> Tensor:
        """
        In-place tril.
        """
    def triu(self, diagonal: _int = 0) -> Tensor:
        """
        The upper triangle (above diagonal + offset); the rest is zero.
        """
    def triu_(self, diagonal: _int = 0) -> Tensor:
        """
        In-place triu.
        """
    def true_divide(self, other: Tensor | _Number) -> Tensor:
        """
        Alias of div without rounding.
        """
    def trunc(self) -> Tensor:
        """
        Rounds toward zero, elementwise (zero gradient).
        """
    def trunc_(self) -> Tensor:
        """
        In place: the result is written into self.
        """
    def type(self, dtype: _dtype | _str | _LegacyTensorType | None = None, non_blocking: _bool = False, **kwargs: typing.Any) -> _str | Tensor:
        """
        ``x.type()`` names the legacy tensor type (``'torch.FloatTensor'``);
        ``x.type(t)`` converts to a dtype, a legacy type or its name, returning
        x itself when it already has that type.
        """
    def type_as(self, other: Tensor) -> Tensor:
        """
        A copy converted to other's dtype.
        """
    def unbind(self, dim: _int = 0) -> tuple[Tensor, ...]:
        """
        Removes dim, returning the slices along it as views.
        """
    def unflatten(self, dim: _int, sizes: collections.abc.Sequence[_int]) -> Tensor:
        """
        Dimension ``dim`` split into ``sizes`` (one entry may be -1).
        """
    def uniform_(self, from_: _float = 0.0, to: _float = 1.0, *, generator: typing.Any = None) -> Tensor:
        """
        Fills self in place with uniform samples in [from, to).
        """
    def unique(self, sorted: _bool = True, return_inverse: _bool = False, return_counts: _bool = False, dim: _int | None = None) -> typing.Any:
        """
        The sorted distinct elements (or slices along dim), optionally with the inverse indices and counts.
        """
    def unique_consecutive(self, return_inverse: _bool = False, return_counts: _bool = False, dim: _int | None = None) -> typing.Any:
        """
        Collapses runs of equal consecutive elements (or slices along dim) to one, optionally with inverse indices and counts.
        """
    def unsqueeze(self, dim: _int) -> Tensor:
        """
        A view with a size-1 dim inserted at dim.
        """
    def unsqueeze_(self, dim: _int) -> Tensor:
        """
        In-place unsqueeze.
        """
    @typing.overload
    def var(self, dim: _int | collections.abc.Sequence[_int] | None = None, unbiased: _bool | None = None, keepdim: _bool = False, *, correction: _Number | None = None) -> Tensor: ...
    @typing.overload
    def var(self, unbiased: _bool) -> Tensor: ...
    def view(self, *size: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        A view with a new shape over the same storage (-1 infers one dim).
        """
    def view_as(self, other: Tensor) -> Tensor:
        """
        view with other's shape.
        """
    def zero_(self) -> Tensor:
        """
        Fills self with zeros, in place.
        """

class _CaptureSession:
    """
    A capture running on this thread: every op it records until finish().
    """
    def abort(self) -> None:
        """
        Stops recording and discards the capture.
        """
    def failures(self) -> list[_str]:
        """
        Why the capture cannot be replayed (empty when it can).
        """
    def finish(self, outputs: collections.abc.Sequence[Tensor]) -> _CompiledProgram | None:
        """
        Stops recording; the program computing `outputs`, or None when the capture failed (see failures()).
        """

class _CompiledProgram:
    """
    A captured op list, replayed in C++.
    """
    def buffer_stats(self) -> tuple[_int, _int, _int]:
        """
        The memory plan so far: (allocations served from kept buffers, ordinary allocations, bytes kept).
        """
    def check_guards(self, inputs: collections.abc.Sequence[Tensor]) -> _str:
        """
        Why the guards reject `inputs`, or an empty string.
        """
    def dump(self) -> _str:
        """
        The program as text, one step per line.
        """
    def replay(self, args: typing.Any, aliases: typing.Any, state: typing.Any) -> list[Tensor | None] | None:
        """
        Replays the program on a call's positional tensors `args` when they alias as `aliases` says, the Python state `state` holds (see _compile_state_holds) and the guards accept them; its outputs, or None.
        """
    def run(self, inputs: collections.abc.Sequence[Tensor]) -> list[Tensor | None] | None:
        """
        Replays the program on `inputs`; its outputs, or None when a guard rejects the inputs.
        """
    def step_names(self) -> list[_str]:
        """
        The name of each step, in order.
        """

class _FunctionNodeRef:
    """
    A custom Function's ctx link to its graph node.
    """
    @property
    def node(self) -> Node | None:
        """
        The node, while the graph holds it.
        """
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """
        The tensors save_for_backward saved, checked against in-place changes.
        """

class _Generator:
    """
    The C++ random generator behind torch.Generator.
    """
    def __init__(self, *args: typing.Any) -> None: ...
    def get_state(self) -> Tensor:
        """
        The generator's state as a 1-d int64 tensor.
        """
    def initial_seed(self) -> _int:
        """
        The seed the generator was last seeded with.
        """
    def manual_seed(self, seed: _int) -> None:
        """
        Reseeds the generator.
        """
    def random_raw(self, count: _int) -> list[_int]:
        """
        The next count raw 32-bit words of the generator's stream.
        """
    def set_state(self, state: Tensor) -> None:
        """
        Restores a state returned by get_state.
        """

class _NodeRecorder:
    """
    Records the graph nodes created while it is active.
    """
    def __init__(self) -> None: ...
    @property
    def active(self) -> _bool:
        """
        Whether it is recording.
        """
    def clear(self) -> None: ...
    def nodes(self) -> list[Node]:
        """
        The recorded nodes still alive.
        """
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...

class _builtin_function:
    def __call__(self, *args: typing.Any, **kwargs: typing.Any) -> typing.Any: ...

class _method_descriptor:
    def __call__(self, *args: typing.Any, **kwargs: typing.Any) -> typing.Any: ...

class dtype:
    """
    The element type of a tensor (float32, int64, bool, ...).
    """
    def __reduce__(self) -> tuple[typing.Any, tuple[_str]]: ...
    def __repr__(self) -> _str: ...
    @property
    def is_floating_point(self) -> _bool:
        """
        Whether this is a floating-point type.
        """
    @property
    def itemsize(self) -> _int:
        """
        The size of one element in bytes.
        """

def _adam_step(params: collections.abc.Sequence[Tensor], grads: collections.abc.Sequence[Tensor], exp_avgs: collections.abc.Sequence[Tensor], exp_avg_sqs: collections.abc.Sequence[Tensor], max_exp_avg_sqs: typing.Any, steps: collections.abc.Sequence[Tensor], lr: _float, beta1: _float, beta2: _float, eps: _float, weight_decay: _float, amsgrad: _bool, maximize: _bool, decoupled: _bool) -> None:
    """
    Adam's (AdamW's) update of one parameter group, in place.
    """
def _compile_capture(inputs: collections.abc.Sequence[Tensor]) -> _CaptureSession:
    """
    Starts recording the ops this thread runs; `inputs` are the tensors a replay binds anew.
    """
def _compile_fusion() -> _bool:
    """
    Whether captures fuse elementwise steps.
    """
def _compile_memory_plan() -> _bool:
    """
    Whether replays reuse the buffers their programs keep.
    """
def _compile_set_fusion(enabled: _bool) -> None:
    """
    Whether later captures fuse elementwise steps (on by default).
    """
def _compile_set_memory_plan(enabled: _bool) -> None:
    """
    Whether replays reuse the buffers their programs keep (on by default).
    """
def _compile_state_holds(state: typing.Any) -> _bool:
    """
    Whether the Python state a program was captured under still holds: `state` is (same-object checks, equal-value checks, size checks).
    """
def _current_dual_level() -> _int:
    """
    The open forward AD level, or -1.
    """
def _default_generator() -> _Generator:
    """
    The process-wide default generator.
    """
def _depends_before_epoch(tensors: typing.Any, epoch: _int) -> _bool:
    """
    Whether any of tensors reaches a leaf older than epoch.
    """
def _enter_dual_level() -> _int:
    """
    Opens a forward AD level and returns its index.
    """
def _exit_dual_level(*, level: _int) -> None:
    """
    Closes a forward AD level, dropping the tangents set at it.
    """
def _get_cpu_capability() -> _str:
    """
    The instruction set the kernels run with: AVX2 or DEFAULT.
    """
def _live_node_count() -> _int:
    """
    How many graph nodes are alive in the process.
    """
def _make_dual(tensor: Tensor, tangent: Tensor, *, level: _int) -> Tensor:
    """
    A view of tensor carrying tangent at the given level.
    """
def _mark_transform_leaf(tensor: Tensor, epoch: _int) -> None:
    """
    Marks a leaf as the own tensor of the transform level of epoch.
    """
def _next_transform_epoch() -> _int:
    """
    A fresh func transform epoch (Note [Transform epochs]).
    """
def _pop_saved_tensors_hooks() -> None:
    """
    Stops the innermost saved_tensors_hooks.
    """
def _profiler_enabled() -> _bool:
    """
    Whether a profiling session is recording.
    """
def _profiler_now_ns() -> _int:
    """
    The profiler clock, in nanoseconds.
    """
def _profiler_range_enter(name: _str) -> _int:
    """
    Opens a user range on this thread; returns its handle (-1 when not profiling).
    """
def _profiler_range_exit(handle: _int) -> None:
    """
    Closes a range opened by _profiler_range_enter.
    """
def _profiler_start(record_shapes: _bool = False, profile_memory: _bool = False) -> None:
    """
    Starts recording ops, backward nodes and user ranges.
    """
def _profiler_stop() -> list[tuple[_str, _int, _int, _int, _int, _int, _int, _int, _int, list[list[_int]]]]:
    """
    Stops recording; returns (name, kind, id, parent, start_ns, end_ns, thread, sequence_nr, self_memory, shapes) per event.
    """
def _push_saved_tensors_hooks(pack: collections.abc.Callable[..., typing.Any], unpack: collections.abc.Callable[..., typing.Any]) -> None:
    """
    Starts packing saved tensors with these hooks (saved_tensors_hooks).
    """
def _record_function(name: _str, backward: collections.abc.Callable[..., typing.Any], ctx: typing.Any, inputs: collections.abc.Sequence[typing.Any], outputs: collections.abc.Sequence[typing.Any], non_differentiable: collections.abc.Sequence[typing.Any], dirty: collections.abc.Sequence[typing.Any], saved: collections.abc.Sequence[typing.Any], materialize_grads: _bool) -> _FunctionNodeRef:
    """
    Records a custom Function's node as its outputs' history.
    """
def _reflection_pad(input: Tensor, pad: collections.abc.Sequence[_int]) -> Tensor:
    """
    Pads the last dims by reflecting the input at its edges.
    """
def _replication_pad(input: Tensor, pad: collections.abc.Sequence[_int]) -> Tensor:
    """
    Pads the last dims by repeating the edge values.
    """
def _rmsprop_step(params: collections.abc.Sequence[Tensor], grads: collections.abc.Sequence[Tensor], square_avgs: collections.abc.Sequence[Tensor], momentum_buffers: typing.Any, grad_avgs: typing.Any, lr: _float, alpha: _float, eps: _float, weight_decay: _float, momentum: _float, centered: _bool, maximize: _bool) -> None:
    """
    RMSprop's update of one parameter group, in place.
    """
def _run_backward(tensors: typing.Any, grad_tensors: typing.Any, keep_graph: _bool, create_graph: _bool, inputs: typing.Any) -> None:
    """
    autograd.backward's C++ part.
    """
def _run_grad(outputs: typing.Any, inputs: typing.Any, grad_outputs: typing.Any, keep_graph: _bool, create_graph: _bool, allow_unused: _bool) -> tuple[Tensor | None, ...]:
    """
    autograd.grad's C++ part.
    """
def _run_grad_recorded(recorder: typing.Any, outputs: typing.Any, inputs: typing.Any, grad_outputs: typing.Any, keep_graph: _bool, create_graph: _bool) -> tuple[Tensor | None, ...]:
    """
    autograd.grad through the recorded nodes only.
    """
def _set_anomaly_enabled(enabled: _bool) -> None:
    """
    Turns anomaly detection on or off.
    """
def _set_grad_enabled(enabled: _bool) -> None:
    """
    Turns grad mode on or off in this thread.
    """
def _set_size_class(cls: typing.Any) -> None:
    """
    Sets the class shapes are returned as (autograd_cpp.Size).
    """
def _set_tangent(tensor: Tensor, tangent: Tensor) -> None:
    """
    Gives a custom Function's output the tangent its jvp computed.
    """
def _set_untracked_tangent_epoch(epoch: _int) -> _int:
    """
    Note [Untracked tangents]: sets this thread's epoch (0: off) and returns the previous one.
    """
def _set_vmap_hook(hook: typing.Any, batched_type: typing.Any) -> None:
    """
    Note [vmap's dispatch hook]: while a vmap runs, the hook and the class of its batched tensors; None, None removes them.
    """
def _sgd_step(params: collections.abc.Sequence[Tensor], grads: collections.abc.Sequence[Tensor], momentum_buffers: typing.Any, first_step: typing.Any, lr: _float, momentum: _float, dampening: _float, weight_decay: _float, nesterov: _bool, maximize: _bool) -> None:
    """
    SGD's update of one parameter group, in place.
    """
def _unpack_dual(tensor: Tensor, *, level: _int) -> tuple[Tensor, Tensor | None]:
    """
    The primal (a view without the tangent) and the tangent at level.
    """
def abs(input: Tensor) -> Tensor:
    """
    Absolute value, elementwise.
    """
def add(input: Tensor, other: Tensor | _Number, *, alpha: _Number = 1) -> Tensor:
    """
    input + alpha * other, with broadcasting and type promotion.
    """
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: _Number = 1) -> Tensor:
    """
    input + value * tensor1 / tensor2.
    """
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: _Number = 1) -> Tensor:
    """
    input + value * tensor1 * tensor2.
    """
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: _Number = 1, alpha: _Number = 1) -> Tensor:
    """
    beta * input + alpha * (mat1 @ mat2).
    """
@typing.overload
def all(input: Tensor, dim: _int, keepdim: _bool = False) -> Tensor: ...
@typing.overload
def all(input: Tensor, dim: collections.abc.Sequence[_int] | None = None, keepdim: _bool = False) -> Tensor: ...
def amax(input: Tensor, dim: _int | collections.abc.Sequence[_int] = (), keepdim: _bool = False) -> Tensor:
    """
    Maximum along the given dims; the gradient is shared between ties.
    """
def amin(input: Tensor, dim: _int | collections.abc.Sequence[_int] = (), keepdim: _bool = False) -> Tensor:
    """
    Minimum along the given dims; the gradient is shared between ties.
    """
@typing.overload
def any(input: Tensor, dim: _int, keepdim: _bool = False) -> Tensor: ...
@typing.overload
def any(input: Tensor, dim: collections.abc.Sequence[_int] | None = None, keepdim: _bool = False) -> Tensor: ...
@typing.overload
def arange(end: _Number, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor: ...
@typing.overload
def arange(start: _Number, end: _Number, step: _Number = 1, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor: ...
def argmax(input: Tensor, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
    """
    Index of the largest value (flattened, or along dim).
    """
def argmin(input: Tensor, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
    """
    Index of the smallest value (flattened, or along dim).
    """
def argsort(input: Tensor, dim: _int = -1, descending: _bool = False, stable: _bool = False) -> Tensor:
    """
    Indices that sort the tensor along dim (ascending unless descending=True).
    """
def argwhere(input: Tensor) -> Tensor:
    """
    Coordinates of the non-zero elements, one row per element (int64 [count, ndim]).
    """
def as_strided(input: Tensor, size: collections.abc.Sequence[_int], stride: collections.abc.Sequence[_int], storage_offset: _int | None = None) -> Tensor:
    """
    A view of the input's storage with the given sizes, strides and offset.
    """
def as_tensor(data: typing.Any, dtype: _dtype | None = None, device: typing.Any = None) -> Tensor:
    """
    Converts data to a tensor, sharing memory with a tensor or numpy array when dtype allows.
    """
def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None, running_var: Tensor | None, training: _bool, momentum: _float, eps: _float, cudnn_enabled: _bool) -> Tensor:
    """
    Batch normalisation over the channel dimension, updating running statistics when training.
    """
def bernoulli(input: Tensor, p: _float | None = None, *, generator: typing.Any = None) -> Tensor:
    """
    Draws 0 or 1 for each element with the element's value as the probability of 1.
    """
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None, pos_weight: Tensor | None = None, reduction: _str = 'mean') -> Tensor:
    """
    Binary cross-entropy computed from logits, numerically stable.
    """
def bincount(input: Tensor, weights: Tensor | None = None, minlength: _int = 0) -> Tensor:
    """
    Counts of each non-negative integer value (summing weights when given).
    """
def bitwise_and(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Bitwise AND of integer or bool tensors.
    """
def bitwise_not(input: Tensor) -> Tensor:
    """
    Bitwise NOT of an integer or bool tensor.
    """
def bitwise_or(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Bitwise OR of integer or bool tensors.
    """
def bitwise_xor(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Bitwise XOR of integer or bool tensors.
    """
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """
    Batched matrix product of (b, n, m) and (b, m, p) tensors.
    """
def broadcast_shapes(*shapes: typing.Any) -> Size:
    """
    The shape tensors of the given shapes broadcast to.
    """
def bucketize(input: Tensor | _Number, boundaries: Tensor, *, out_int32: _bool = False, right: _bool = False) -> Tensor:
    """
    Index of the bucket of boundaries that each input value falls into.
    """
def cat(tensors: typing.Any, dim: _int = 0) -> Tensor:
    """
    Concatenates tensors along an existing dimension.
    """
def ceil(input: Tensor) -> Tensor:
    """
    Rounds up to the nearest integer, elementwise (zero gradient).
    """
def chunk(input: Tensor, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
    """
    Splits into the given number of nearly equal views along dim.
    """
@typing.overload
def clamp(input: Tensor, min: Tensor | None = None, max: Tensor | None = None) -> Tensor: ...
@typing.overload
def clamp(input: Tensor, min: _Number | None = None, max: _Number | None = None) -> Tensor: ...
@typing.overload
def clamp_max(input: Tensor, max: Tensor) -> Tensor: ...
@typing.overload
def clamp_max(input: Tensor, max: _Number) -> Tensor: ...
@typing.overload
def clamp_min(input: Tensor, min: Tensor) -> Tensor: ...
@typing.overload
def clamp_min(input: Tensor, min: _Number) -> Tensor: ...
@typing.overload
def clip(input: Tensor, min: Tensor | None = None, max: Tensor | None = None) -> Tensor: ...
@typing.overload
def clip(input: Tensor, min: _Number | None = None, max: _Number | None = None) -> Tensor: ...
def clone(input: Tensor) -> Tensor:
    """
    A copy with its own storage, differentiable.
    """
def concat(tensors: typing.Any, dim: _int = 0) -> Tensor:
    """
    Alias of cat.
    """
def concatenate(tensors: typing.Any, axis: _int = 0) -> Tensor:
    """
    Alias of cat.
    """
def constant_pad_nd(input: Tensor, pad: collections.abc.Sequence[_int], value: _Number = 0) -> Tensor:
    """
    Pads the last dims by pad (pairs, last dim first) with value.
    """
def contiguous(input: Tensor) -> Tensor:
    """
    self if contiguous, else a contiguous copy.
    """
@typing.overload
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _int | collections.abc.Sequence[_int] = 1, padding: _int | collections.abc.Sequence[_int] = 0, dilation: _int | collections.abc.Sequence[_int] = 1, groups: _int = 1) -> Tensor: ...
@typing.overload
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _int | collections.abc.Sequence[_int] = 1, padding: _str = 'valid', dilation: _int | collections.abc.Sequence[_int] = 1, groups: _int = 1) -> Tensor: ...
@typing.overload
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _int | collections.abc.Sequence[_int] = 1, padding: _int | collections.abc.Sequence[_int] = 0, dilation: _int | collections.abc.Sequence[_int] = 1, groups: _int = 1) -> Tensor: ...
@typing.overload
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: _int | collections.abc.Sequence[_int] = 1, padding: _str = 'valid', dilation: _int | collections.abc.Sequence[_int] = 1, groups: _int = 1) -> Tensor: ...
def cos(input: Tensor) -> Tensor:
    """
    Cosine, elementwise (radians).
    """
def cross(input: Tensor, other: Tensor, dim: _int | None = None) -> Tensor:
    """
    Cross product of 3-vectors along dim (the first dim of size 3 when dim is not given).
    """
def cummax(input: Tensor, dim: _int) -> _return_types.cummax:
    """
    Running maximum along dim, with the index where each maximum occurred.
    """
def cummin(input: Tensor, dim: _int) -> _return_types.cummin:
    """
    Running minimum along dim, with the index where each minimum occurred.
    """
def cumprod(input: Tensor, dim: _int, *, dtype: _dtype | None = None) -> Tensor:
    """
    Cumulative product along dim.
    """
def cumsum(input: Tensor, dim: _int, *, dtype: _dtype | None = None) -> Tensor:
    """
    Running sums along dim.
    """
def detach(input: Tensor) -> Tensor:
    """
    A new tensor that shares this tensor's data but has no autograd history:
    its requires_grad is False and it has no grad_fn, so gradients do not
    flow through it. Use it to use a value without differentiating through
    it (a target, a logged metric, a stopped gradient). The data is shared,
    not copied: an in-place change to one shows in the other (add .clone()
    for a copy).

    Examples:
        >>> import autograd_cpp as torch
        >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * 2
        >>> d = y.detach()
        >>> d.requires_grad, d.grad_fn is None
        (False, True)
        >>> (x * d).sum().backward()  # d is a constant here
        >>> x.grad
        tensor([2., 4.])
    """
def diff(input: Tensor, n: _int = 1, dim: _int = -1, prepend: Tensor | None = None, append: Tensor | None = None) -> Tensor:
    """
    The n-th forward difference along dim, with prepend and append joined first.
    """
def div(input: Tensor, other: Tensor | _Number, *, rounding_mode: _str | None = None) -> Tensor:
    """
    input / other, or its quotient rounded ('trunc' toward zero, 'floor' toward -inf).
    """
def divide(input: Tensor, other: Tensor | _Number, *, rounding_mode: _str | None = None) -> Tensor:
    """
    input / other, or its quotient rounded ('trunc' toward zero, 'floor' toward -inf).
    """
def dot(input: Tensor, other: Tensor) -> Tensor:
    """
    Dot product of two 1-d tensors.
    """
def dropout(input: Tensor, p: _float, train: _bool) -> Tensor:
    """
    Zeroes elements with probability p and scales the rest by 1 / (1 - p) when training.
    """
def dropout_(input: Tensor, p: _float, train: _bool) -> Tensor:
    """
    In-place dropout.
    """
def einsum(equation: _str, *operands: Tensor | collections.abc.Sequence[Tensor]) -> Tensor:
    """
    Sums products of the operands' elements over the indices the equation names.
    """
def elu(input: Tensor, alpha: _float = 1.0) -> Tensor:
    """
    input if input > 0 else alpha * (exp(input) - 1).
    """
def elu_(input: Tensor, alpha: _float = 1.0) -> Tensor:
    """
    In-place elu.
    """
def embedding(weight: Tensor, indices: Tensor, padding_idx: _int = -1, scale_grad_by_freq: _bool = False, sparse: _bool = False) -> Tensor:
    """
    Rows of weight at the given indices.
    """
def empty(*size: _int | collections.abc.Sequence[_int], dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    An uninitialised tensor of the given size.
    """
def empty_like(input: Tensor, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    An uninitialised tensor with input's size and dtype.
    """
def eq(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Elementwise ==, as a bool tensor.
    """
def erf(input: Tensor) -> Tensor:
    """
    The error function, elementwise.
    """
def erfinv(input: Tensor) -> Tensor:
    """
    The inverse error function, elementwise (NaN outside [-1, 1]).
    """
def exp(input: Tensor) -> Tensor:
    """
    Exponential, elementwise: e ** input.
    """
def expm1(input: Tensor) -> Tensor:
    """
    exp(input) - 1, elementwise, accurate for input near 0.
    """
def eye(n: _int, m: _int | None = None, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    A 2-d tensor with ones on the diagonal and zeros elsewhere.
    """
def fix(input: Tensor) -> Tensor:
    """
    Alias of trunc.
    """
def flatten(input: Tensor, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
    """
    Flattens dims start_dim..end_dim into one.
    """
def flip(input: Tensor, dims: collections.abc.Sequence[_int]) -> Tensor:
    """
    A copy with the order of elements reversed along dims.
    """
def floor(input: Tensor) -> Tensor:
    """
    Rounds down to the nearest integer, elementwise (zero gradient).
    """
def floor_divide(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    input // other, rounding toward negative infinity.
    """
def from_dlpack(ext_tensor: typing.Any, *, device: typing.Any = None, copy: _bool | None = None) -> Tensor:
    """
    A tensor sharing memory with any DLPack producer (numpy, PyTorch, JAX, ...) or DLPack capsule.
    """
def from_numpy(ndarray: typing.Any) -> Tensor:
    """
    A tensor sharing memory with a numpy array.
    """
def full(size: collections.abc.Sequence[_int], fill_value: _Number, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    A tensor of the given size filled with fill_value.
    """
def full_like(input: Tensor, fill_value: _Number, *, dtype: _dtype | None = None, requires_grad: _bool = False) -> Tensor:
    """
    A tensor with input's size filled with fill_value.
    """
def gather(input: Tensor, dim: _int, index: Tensor, *, sparse_grad: _bool = False) -> Tensor:
    """
    Values of input at the index positions along dim: `out[i][j] = input[index[i][j]][j]` for dim 0.
    """
def ge(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Elementwise >=, as a bool tensor.
    """
def gelu(input: Tensor, *, approximate: _str = 'none') -> Tensor:
    """
    Gaussian error linear unit x * Phi(x) (approximate='tanh' for the tanh form).
    """
def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """
    Alias of outer.
    """
def get_default_dtype() -> dtype:
    """
    The dtype floating-point factories use by default (float32 unless changed).
    """
def get_num_threads() -> _int:
    """
    The number of threads kernels may use.
    """
def gt(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Elementwise >, as a bool tensor.
    """
def hardtanh(input: Tensor, min_val: _float = -1.0, max_val: _float = 1.0) -> Tensor:
    """
    Clamps to [min_val, max_val].
    """
def hardtanh_(input: Tensor, min_val: _float = -1.0, max_val: _float = 1.0) -> Tensor:
    """
    In-place hardtanh.
    """
def histc(input: Tensor, bins: _int = 100, min: _Number = 0, max: _Number = 0) -> Tensor:
    """
    Histogram of the values in equal-width bins between min and max.
    """
def hypot(input: Tensor, other: Tensor) -> Tensor:
    """
    sqrt(input^2 + other^2), elementwise, the squares never overflowing.
    """
def index_add(input: Tensor, dim: _int, index: Tensor, source: Tensor, *, alpha: _Number = 1) -> Tensor:
    """
    self with alpha * source added into the slices that index picks along dim.
    """
def index_copy(input: Tensor, dim: _int, index: Tensor, source: Tensor) -> Tensor:
    """
    self with source copied into the slices that index picks along dim.
    """
def index_fill(input: Tensor, dim: _int, index: Tensor, value: _Number) -> Tensor:
    """
    self with the slices that index picks along dim filled with value.
    """
def index_put(input: Tensor, indices: typing.Any, values: Tensor, accumulate: _bool = False) -> Tensor:
    """
    A copy of input with values written at the positions given by a tuple of index tensors (accumulate adds).
    """
def index_put_(input: Tensor, indices: typing.Any, values: Tensor, accumulate: _bool = False) -> Tensor:
    """
    In-place index_put.
    """
def index_select(input: Tensor, dim: _int, index: Tensor) -> Tensor:
    """
    Entries of input along dim at the positions in a 1-d index tensor.
    """
def initial_seed() -> _int:
    """
    The seed of the default random generator.
    """
def is_anomaly_enabled() -> _bool:
    """
    Whether anomaly detection is on.
    """
def is_grad_enabled() -> _bool:
    """
    Whether grad mode is on in this thread.
    """
def isfinite(input: Tensor) -> Tensor:
    """
    Elementwise test for finite values.
    """
def isinf(input: Tensor) -> Tensor:
    """
    Elementwise test for infinities.
    """
def isnan(input: Tensor) -> Tensor:
    """
    Elementwise test for NaN.
    """
def kron(input: Tensor, other: Tensor) -> Tensor:
    """
    Kronecker product: every element of self scales a block that is a copy of other.
    """
def kthvalue(input: Tensor, k: _int, dim: _int = -1, keepdim: _bool = False) -> _return_types.kthvalue:
    """
    The k-th smallest value along dim, and its index.
    """
def layer_norm(input: Tensor, normalized_shape: collections.abc.Sequence[_int], weight: Tensor | None = None, bias: Tensor | None = None, eps: _float = 1e-05, cudnn_enable: _bool = True) -> Tensor:
    """
    Normalises over the last dims given by normalized_shape, then applies weight and bias.
    """
def le(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Elementwise <=, as a bool tensor.
    """
def leaky_relu(input: Tensor, negative_slope: _float = 0.01) -> Tensor:
    """
    input if input > 0 else negative_slope * input.
    """
def leaky_relu_(input: Tensor, negative_slope: _float = 0.01) -> Tensor:
    """
    In-place leaky_relu.
    """
@typing.overload
def lerp(input: Tensor, end: Tensor, weight: Tensor) -> Tensor: ...
@typing.overload
def lerp(input: Tensor, end: Tensor, weight: _Number) -> Tensor: ...
def linspace(start: _Number, end: _Number, steps: _int, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    steps values evenly spaced from start to end inclusive.
    """
def log(input: Tensor) -> Tensor:
    """
    Natural logarithm, elementwise.
    """
def log10(input: Tensor) -> Tensor:
    """
    Base-10 logarithm, elementwise.
    """
def log1p(input: Tensor) -> Tensor:
    """
    log(1 + input), elementwise, accurate for input near 0.
    """
def log2(input: Tensor) -> Tensor:
    """
    Base-2 logarithm, elementwise.
    """
def log_softmax(input: Tensor, dim: _int, dtype: _dtype | None = None) -> Tensor:
    """
    log(softmax(x)) along dim, computed stably.
    """
def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """
    log(exp(input) + exp(other)), elementwise, without overflow.
    """
def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """
    log2(2^input + 2^other), elementwise, without overflow.
    """
def logcumsumexp(input: Tensor, dim: _int) -> Tensor:
    """
    Logarithm of the cumulative sum of exponentials along dim, computed stably.
    """
def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """
    Elementwise logical AND, as a bool tensor.
    """
def logical_not(input: Tensor) -> Tensor:
    """
    Elementwise logical NOT, as a bool tensor.
    """
def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """
    Elementwise logical OR, as a bool tensor.
    """
def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """
    Elementwise logical XOR, as a bool tensor.
    """
def logsumexp(input: Tensor, dim: _int | collections.abc.Sequence[_int], keepdim: _bool = False) -> Tensor:
    """
    log(sum(exp(x))) along dims, computed stably.
    """
def lt(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Elementwise <, as a bool tensor.
    """
def manual_seed(seed: _int) -> None:
    """
    Seeds the default random generator, making random factories reproducible.
    """
@typing.overload
def masked_fill(input: Tensor, mask: Tensor, value: Tensor) -> Tensor: ...
@typing.overload
def masked_fill(input: Tensor, mask: Tensor, value: _Number) -> Tensor: ...
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """
    self with the positions where mask is true filled, in order, from source.
    """
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """
    The elements where mask (broadcast with self) is true, as a 1-d tensor.
    """
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """
    Matrix product with NumPy's rules for 1-d and batched operands.
    """
@typing.overload
def max(input: Tensor) -> Tensor: ...
@typing.overload
def max(input: Tensor, other: Tensor) -> Tensor: ...
@typing.overload
def max(input: Tensor, dim: _int, keepdim: _bool = False) -> _return_types.max: ...
def max_pool2d(input: Tensor, kernel_size: _int | collections.abc.Sequence[_int], stride: _int | collections.abc.Sequence[_int] | None = (), padding: _int | collections.abc.Sequence[_int] = 0, dilation: _int | collections.abc.Sequence[_int] = 1, ceil_mode: _bool = False) -> Tensor:
    """
    2-d max pooling over an (N, C, H, W) input.
    """
def maximum(input: Tensor, other: Tensor) -> Tensor:
    """
    The larger of input and other, elementwise (NaN propagates); ties split the gradient.
    """
def mean(input: Tensor, dim: _int | collections.abc.Sequence[_int] | None = None, keepdim: _bool = False, *, dtype: _dtype | None = None) -> Tensor:
    """
    Mean of all elements, or along dims.
    """
@typing.overload
def median(input: Tensor) -> Tensor: ...
@typing.overload
def median(input: Tensor, dim: _int, keepdim: _bool = False) -> _return_types.median: ...
@typing.overload
def min(input: Tensor) -> Tensor: ...
@typing.overload
def min(input: Tensor, other: Tensor) -> Tensor: ...
@typing.overload
def min(input: Tensor, dim: _int, keepdim: _bool = False) -> _return_types.min: ...
def minimum(input: Tensor, other: Tensor) -> Tensor:
    """
    The smaller of input and other, elementwise (NaN propagates); ties split the gradient.
    """
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """
    Matrix product of two 2-d tensors.
    """
def mode(input: Tensor, dim: _int = -1, keepdim: _bool = False) -> _return_types.mode:
    """
    The most frequent value along dim, and an index where it occurs.
    """
def moveaxis(input: Tensor, source: _int | collections.abc.Sequence[_int], destination: _int | collections.abc.Sequence[_int]) -> Tensor:
    """
    Alias of movedim.
    """
def movedim(input: Tensor, source: _int | collections.abc.Sequence[_int], destination: _int | collections.abc.Sequence[_int]) -> Tensor:
    """
    A view with dimensions moved from source to destination positions.
    """
def msort(input: Tensor) -> Tensor:
    """
    Sorts along the first dimension (ascending).
    """
def mul(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    input * other, with broadcasting.
    """
def multinomial(input: Tensor, num_samples: _int, replacement: _bool = False, *, generator: typing.Any = None) -> Tensor:
    """
    Draws category indices from each row of non-negative weights, with or without replacement.
    """
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """
    Matrix-vector product.
    """
def nan_to_num(input: Tensor, nan: _float | None = 0.0, posinf: _float | None = None, neginf: _float | None = None) -> Tensor:
    """
    NaN, +inf and -inf replaced by the given numbers (by default 0 and the dtype's largest and lowest finite values).
    """
@typing.overload
def nanmedian(input: Tensor) -> Tensor: ...
@typing.overload
def nanmedian(input: Tensor, dim: _int, keepdim: _bool = False) -> _return_types.nanmedian: ...
def narrow(input: Tensor, dim: _int, start: _int, length: _int) -> Tensor:
    """
    A view of length elements along dim starting at start.
    """
def ne(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Elementwise !=, as a bool tensor.
    """
def neg(input: Tensor) -> Tensor:
    """
    Negation, elementwise.
    """
def negative(input: Tensor) -> Tensor:
    """
    Alias of neg.
    """
def nonzero(input: Tensor, *, as_tuple: _bool = False) -> typing.Any:
    """
    Coordinates of the non-zero elements: int64 [count, ndim], or one tensor per dim with as_tuple=True.
    """
def norm(input: Tensor, p: typing.Any = None, dim: _int | collections.abc.Sequence[_int] | None = None, keepdim: _bool = False) -> Tensor:
    """
    The p-norm of all elements or along dim (p=2 by default).
    """
@typing.overload
def normal(mean: Tensor, std: Tensor, *, generator: typing.Any = None) -> Tensor: ...
@typing.overload
def normal(mean: Tensor, std: _float = 1.0, *, generator: typing.Any = None) -> Tensor: ...
@typing.overload
def normal(mean: _float, std: Tensor, *, generator: typing.Any = None) -> Tensor: ...
@typing.overload
def normal(mean: _float, std: _float, size: collections.abc.Sequence[_int], *, generator: typing.Any = None, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor: ...
def one_hot(tensor: Tensor, num_classes: _int = -1) -> Tensor:
    """
    One-hot encoding of integer class indices as int64.
    """
def ones(*size: _int | collections.abc.Sequence[_int], dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    A tensor of the given size filled with ones.
    """
def ones_like(input: Tensor, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    A tensor of ones with input's size and dtype.
    """
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """
    Outer product of two 1-d tensors.
    """
def permute(input: Tensor, dims: collections.abc.Sequence[_int]) -> Tensor:
    """
    A view with dimensions reordered.
    """
def poisson(input: Tensor, generator: typing.Any = None) -> Tensor:
    """
    Draws a Poisson sample for each element, with the element as the rate.
    """
@typing.overload
def pow(input: Tensor, exponent: Tensor) -> Tensor: ...
@typing.overload
def pow(input: Tensor, exponent: _Number) -> Tensor: ...
@typing.overload
def pow(input: _Number, exponent: Tensor) -> Tensor: ...
def prod(input: Tensor, dim: _int | None = None, keepdim: _bool = False, *, dtype: _dtype | None = None) -> Tensor:
    """
    Product of all elements, or along dim.
    """
def promote_types(type1: _dtype, type2: _dtype) -> dtype:
    """
    The dtype two dtypes promote to.
    """
def rand(*size: _int | collections.abc.Sequence[_int], generator: typing.Any = None, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    Uniform samples in [0, 1).
    """
def rand_like(input: Tensor, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    Uniform samples in [0, 1) with input's size and dtype.
    """
@typing.overload
def randint(high: _int, size: collections.abc.Sequence[_int], *, generator: typing.Any = None, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor: ...
@typing.overload
def randint(low: _int, high: _int, size: collections.abc.Sequence[_int], *, generator: typing.Any = None, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor: ...
def randn(*size: _int | collections.abc.Sequence[_int], generator: typing.Any = None, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    Standard normal samples.
    """
def randn_like(input: Tensor, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    Standard normal samples with input's size and dtype.
    """
def randperm(n: _int, *, generator: typing.Any = None, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    A random permutation of 0 .. n-1.
    """
def reciprocal(input: Tensor) -> Tensor:
    """
    1 / input, elementwise.
    """
def relu(input: Tensor) -> Tensor:
    """
    max(input, 0), elementwise.
    """
def relu6(input: Tensor) -> Tensor:
    """
    min(max(input, 0), 6), elementwise.
    """
def relu_(input: Tensor) -> Tensor:
    """
    In-place relu.
    """
@typing.overload
def remainder(input: Tensor, other: Tensor | _Number) -> Tensor: ...
@typing.overload
def remainder(input: _Number, other: Tensor) -> Tensor: ...
def reshape(input: Tensor, shape: collections.abc.Sequence[_int]) -> Tensor:
    """
    A tensor of the given shape with the same elements (a view when possible).
    """
def result_type(tensor: Tensor | _Number, other: Tensor | _Number) -> dtype:
    """
    The dtype an operation on the given tensors or numbers would produce.
    """
def roll(input: Tensor, shifts: _int | collections.abc.Sequence[_int], dims: _int | collections.abc.Sequence[_int] | None = None) -> Tensor:
    """
    Rotates elements along dims by shifts.
    """
def round(input: Tensor, *, decimals: _int | None = None) -> Tensor:
    """
    Rounds to the nearest integer (ties to even), or to decimals places.
    """
def rsqrt(input: Tensor) -> Tensor:
    """
    1 / sqrt(input), elementwise.
    """
def scatter(input: Tensor, dim: _int, index: Tensor, src: typing.Any = None, value: typing.Any = None, *, reduce: _str | None = None) -> Tensor:
    """
    A copy with src (or value) written at index positions along dim.
    """
def scatter_add(input: Tensor, dim: _int, index: Tensor, src: Tensor) -> Tensor:
    """
    A copy with src added at index positions along dim.
    """
def scatter_reduce(input: Tensor, dim: _int, index: Tensor, src: Tensor, reduce: _str, *, include_self: _bool = True) -> Tensor:
    """
    A copy with src reduced into the index positions along dim by sum, prod, mean, amax or amin, together with self's value there unless include_self=False.
    """
def searchsorted(sorted_sequence: Tensor, input: Tensor | _Number, *, out_int32: _bool = False, right: _bool = False, side: _str | None = None, sorter: Tensor | None = None) -> Tensor:
    """
    Indices at which values would be inserted into sorted_sequence to keep it sorted.
    """
def select(input: Tensor, dim: _int, index: _int) -> Tensor:
    """
    A view of the slice at index along dim (that dim removed).
    """
def set_default_dtype(d: _dtype) -> None:
    """
    Sets the dtype floating-point factories use by default.
    """
def set_num_threads(num: _int) -> None:
    """
    Sets the number of threads kernels (and BLAS) may use.
    """
def sigmoid(input: Tensor) -> Tensor:
    """
    The logistic function 1 / (1 + exp(-input)), elementwise.
    """
def sigmoid_(input: Tensor) -> Tensor:
    """
    In-place sigmoid.
    """
def sign(input: Tensor) -> Tensor:
    """
    -1, 0 or 1 by the sign of each element.
    """
def silu(input: Tensor) -> Tensor:
    """
    input * sigmoid(input), elementwise.
    """
def silu_(input: Tensor) -> Tensor:
    """
    In-place silu.
    """
def sin(input: Tensor) -> Tensor:
    """
    Sine, elementwise (radians).
    """
def softmax(input: Tensor, dim: _int, dtype: _dtype | None = None) -> Tensor:
    """
    exp(x) / sum(exp(x)) along dim.
    """
def softplus(input: Tensor, beta: _float = 1.0, threshold: _float = 20.0) -> Tensor:
    """
    log(1 + exp(beta * input)) / beta, linear above threshold.
    """
def sort(input: Tensor, dim: _int = -1, descending: _bool = False, *, stable: _bool | None = None) -> _return_types.sort:
    """
    Sorted values along dim and the indices they came from.
    """
@typing.overload
def split(tensor: Tensor, split_size_or_sections: _int, dim: _int = 0) -> tuple[Tensor, ...]: ...
@typing.overload
def split(tensor: Tensor, split_size_or_sections: collections.abc.Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]: ...
@typing.overload
def split(tensor: Tensor, split_size_or_sections: Tensor, dim: _int = 0) -> tuple[Tensor, ...]: ...
def split_with_sizes(input: Tensor, split_sizes: collections.abc.Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
    """
    Splits into views of the given sizes along dim.
    """
def sqrt(input: Tensor) -> Tensor:
    """
    Square root, elementwise.
    """
def square(input: Tensor) -> Tensor:
    """
    input * input, elementwise.
    """
def squeeze(input: Tensor, dim: _int | collections.abc.Sequence[_int] | None = None) -> Tensor:
    """
    A view with size-1 dims removed (all, or the given ones).
    """
def stack(tensors: typing.Any, dim: _int = 0) -> Tensor:
    """
    Joins tensors of one shape along a new dimension.
    """
@typing.overload
def std(input: Tensor, dim: _int | collections.abc.Sequence[_int] | None = None, unbiased: _bool | None = None, keepdim: _bool = False, *, correction: _Number | None = None) -> Tensor: ...
@typing.overload
def std(input: Tensor, unbiased: _bool) -> Tensor: ...
def sub(input: Tensor, other: Tensor | _Number, *, alpha: _Number = 1) -> Tensor:
    """
    input - alpha * other, with broadcasting.
    """
def sum(input: Tensor, dim: _int | collections.abc.Sequence[_int] | None = None, keepdim: _bool = False, *, dtype: _dtype | None = None) -> Tensor:
    """
    Sum of all elements, or along dims.
    """
def swapaxes(input: Tensor, axis0: _int, axis1: _int) -> Tensor:
    """
    Alias of transpose.
    """
def swapdims(input: Tensor, dim0: _int, dim1: _int) -> Tensor:
    """
    Alias of transpose.
    """
def t(input: Tensor) -> Tensor:
    """
    Transpose of a tensor of at most 2 dims.
    """
def tan(input: Tensor) -> Tensor:
    """
    Tangent, elementwise (radians).
    """
def tanh(input: Tensor) -> Tensor:
    """
    Hyperbolic tangent, elementwise.
    """
def tensor(data: typing.Any, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    A new tensor holding a copy of data (nested lists, numbers, numpy arrays or tensors).
    """
def tile(input: Tensor, dims: collections.abc.Sequence[_int]) -> Tensor:
    """
    Repeats the tensor along each dim (fewer reps than dims are padded with ones).
    """
def topk(input: Tensor, k: _int, dim: _int = -1, largest: _bool = True, sorted: _bool = True) -> _return_types.topk:
    """
    The k largest (or smallest) values along dim, and their indices.
    """
def transpose(input: Tensor, dim0: _int, dim1: _int) -> Tensor:
    """
    A view with two dimensions swapped.
    """
def tril(input: Tensor, diagonal: _int = 0) -> Tensor:
    """
    The lower triangle (below diagonal + offset); the rest is zero.
    """
def triu(input: Tensor, diagonal: _int = 0) -> Tensor:
    """
    The upper triangle (above diagonal + offset); the rest is zero.
    """
def true_divide(input: Tensor, other: Tensor | _Number) -> Tensor:
    """
    Alias of div without rounding.
    """
def trunc(input: Tensor) -> Tensor:
    """
    Rounds toward zero, elementwise (zero gradient).
    """
def unbind(input: Tensor, dim: _int = 0) -> tuple[Tensor, ...]:
    """
    Removes dim, returning the slices along it as views.
    """
def unique(input: Tensor, sorted: _bool = True, return_inverse: _bool = False, return_counts: _bool = False, dim: _int | None = None) -> typing.Any:
    """
    The sorted distinct elements (or slices along dim), optionally with the inverse indices and counts.
    """
def unique_consecutive(input: Tensor, return_inverse: _bool = False, return_counts: _bool = False, dim: _int | None = None) -> typing.Any:
    """
    Collapses runs of equal consecutive elements (or slices along dim) to one, optionally with inverse indices and counts.
    """
def unsqueeze(input: Tensor, dim: _int) -> Tensor:
    """
    A view with a size-1 dim inserted at dim.
    """
@typing.overload
def var(input: Tensor, dim: _int | collections.abc.Sequence[_int] | None = None, unbiased: _bool | None = None, keepdim: _bool = False, *, correction: _Number | None = None) -> Tensor: ...
@typing.overload
def var(input: Tensor, unbiased: _bool) -> Tensor: ...
@typing.overload
def where(condition: Tensor, input: Tensor | _Number, other: Tensor | _Number) -> Tensor: ...
@typing.overload
def where(condition: Tensor) -> tuple[Tensor, ...]: ...
def zeros(*size: _int | collections.abc.Sequence[_int], dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    A tensor of the given size filled with zeros.
    """
def zeros_like(input: Tensor, *, dtype: _dtype | None = None, device: typing.Any = None, requires_grad: _bool = False) -> Tensor:
    """
    A tensor of zeros with input's size and dtype.
    """

# The class shapes are returned as (set at import).
_size_class: type[Size]
bfloat16: dtype
bool: dtype
float16: dtype
float32: dtype
float64: dtype
int32: dtype
int64: dtype

class _NNModule:
    """The submodule ``_C._nn``."""

    def _lstm_layer(self, input: Tensor, hx: Tensor, cx: Tensor, weight_hh: Tensor, reverse: _bool = False) -> tuple[Tensor, Tensor, Tensor]:
        """
        One LSTM layer over a (T, B, 4H) input projection (biases included): output, h_n, c_n.
        """
    def avg_pool2d(self, input: Tensor, kernel_size: _int | collections.abc.Sequence[_int], stride: _int | collections.abc.Sequence[_int] | None = None, padding: _int | collections.abc.Sequence[_int] = 0, ceil_mode: _bool = False, count_include_pad: _bool = True, divisor_override: _int | None = None) -> Tensor:
        """
        2-d average pooling over an (N, C, H, W) input.
        """
    def binary_cross_entropy(self, input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: _str = 'mean') -> Tensor:
        """
        Binary cross-entropy of probabilities against targets.
        """
    def col2im(self, input: Tensor, output_size: _int | collections.abc.Sequence[_int], kernel_size: _int | collections.abc.Sequence[_int], dilation: _int | collections.abc.Sequence[_int], padding: _int | collections.abc.Sequence[_int], stride: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        Sums columns of sliding blocks back into a batched 4-d tensor (fold).
        """
    def cross_entropy(self, input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: _str = 'mean', ignore_index: _int = -100, label_smoothing: _float = 0.0) -> Tensor:
        """
        Cross-entropy of class logits (or probabilities) against targets.
        """
    def hardswish(self, input: Tensor) -> Tensor:
        """
        input * relu6(input + 3) / 6, elementwise.
        """
    def im2col(self, input: Tensor, kernel_size: _int | collections.abc.Sequence[_int], dilation: _int | collections.abc.Sequence[_int], padding: _int | collections.abc.Sequence[_int], stride: _int | collections.abc.Sequence[_int]) -> Tensor:
        """
        The sliding blocks of a batched 4-d input as columns (unfold).
        """
    def l1_loss(self, input: Tensor, target: Tensor, reduction: _str = 'mean') -> Tensor:
        """
        Mean (or sum) absolute error.
        """
    def linear(self, input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
        """
        input @ weight.T + bias.
        """
    def logsigmoid(self, input: Tensor) -> Tensor:
        """
        log(sigmoid(input)), elementwise, computed without overflow.
        """
    def max_pool2d_with_indices(self, input: Tensor, kernel_size: _int | collections.abc.Sequence[_int], stride: _int | collections.abc.Sequence[_int] | None = (), padding: _int | collections.abc.Sequence[_int] = 0, dilation: _int | collections.abc.Sequence[_int] = 1, ceil_mode: _bool = False) -> tuple[Tensor, Tensor]:
        """
        2-d max pooling, with the flat positions of the maxima.
        """
    def mse_loss(self, input: Tensor, target: Tensor, reduction: _str = 'mean') -> Tensor:
        """
        Mean (or sum) squared error.
        """
    def nll_loss(self, input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: _str = 'mean', ignore_index: _int = -100) -> Tensor:
        """
        Negative log-likelihood of the target classes under log-probabilities.
        """
    def smooth_l1_loss(self, input: Tensor, target: Tensor, reduction: _str = 'mean', beta: _float = 1.0) -> Tensor:
        """
        Squared error below beta, absolute error above it.
        """

_nn: _NNModule
