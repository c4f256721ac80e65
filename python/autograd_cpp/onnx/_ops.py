"""ONNX nodes for each recorded op (see _trace). A converter gets a `Builder`
and the `OpCall`, emits nodes whose last outputs carry the call's output
names, and raises UnsupportedOperatorError for arguments it cannot express."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._trace import OpCall, SymInt, UnsupportedOperatorError, Value

if TYPE_CHECKING:
    import onnx

_ONNX_DTYPES = {"float32": 1, "float64": 11, "int64": 7, "int32": 6, "bool": 9}


class Builder:
    """Collects nodes and initializers; hands out fresh names."""

    def __init__(self, opset: int) -> None:
        self.opset = opset
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.counter = 0

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"_{stem}_{self.counter}"

    def node(
        self, op: str, inputs: Sequence[str], out: str | None = None, n_out: int = 1, **attrs: Any
    ) -> str:
        import onnx

        outputs = [out] if out is not None else [self.fresh(op) for _ in range(n_out)]
        self.nodes.append(
            onnx.helper.make_node(op, list(inputs), outputs, name=self.fresh(op + "_node"), **attrs)
        )
        return outputs[0]

    def multi(self, op: str, inputs: Sequence[str], outs: Sequence[str], **attrs: Any) -> None:
        import onnx

        self.nodes.append(
            onnx.helper.make_node(
                op, list(inputs), list(outs), name=self.fresh(op + "_node"), **attrs
            )
        )

    def const(self, value: Any, dtype: str) -> str:
        """An initializer holding a Python number or list, of our dtype."""
        import numpy as np
        import onnx

        np_dtype = np.bool_ if dtype == "bool" else dtype
        name = self.fresh("const")
        self.initializers.append(
            onnx.numpy_helper.from_array(np.asarray(value, dtype=np_dtype), name)
        )
        return name

    def ints(self, values: Sequence[int]) -> str:
        return self.const([int(v) for v in values], "int64")

    def size(self, d: int) -> str:
        """A traced size as a 1-element int64 tensor computed at run time."""
        if not isinstance(d, SymInt):
            return self.ints([d])
        if d.expr is not None:
            op, left, right = d.expr
            return self.node(op, [self.size(left), self.size(right)])
        assert d.source is not None
        whole = self.node("Shape", [d.source.name])
        return self.node("Gather", [whole, self.ints([d.dim])], axis=0)

    def shape(self, dims: Sequence[int]) -> str:
        """A 1-D int64 shape: constant, except the traced sizes (SymInts),
        which are read from their tensors' shapes when the model runs."""
        if not any(isinstance(d, SymInt) for d in dims):
            return self.ints(dims)
        parts: list[str] = []
        plain: list[int] = []
        for d in dims:
            if isinstance(d, SymInt):
                if plain:
                    parts.append(self.ints(plain))
                    plain = []
                parts.append(self.size(d))
            else:
                plain.append(d)
        if plain:
            parts.append(self.ints(plain))
        return self.node("Concat", parts, axis=0)


def _dims(call: OpCall, value: Any, ndim: int) -> list[int]:
    dims = [value] if isinstance(value, int) else list(value)
    out = []
    for d in dims:
        if not isinstance(d, int):
            raise UnsupportedOperatorError(f"ONNX export: '{call.name}' got a dim {d!r}")
        out.append(d + ndim if d < 0 else d)
    return out


def _arg(call: OpCall, index: int, name: str, default: Any = None) -> Any:
    if name in call.kwargs:
        return call.kwargs[name]
    return call.args[index] if len(call.args) > index else default


def _operand(b: Builder, x: Any, dtype: str) -> str:
    """A tensor operand cast to dtype, or a number as a constant of dtype."""
    if isinstance(x, Value):
        if x.dtype == dtype:
            return x.name
        return b.node("Cast", [x.name], to=_ONNX_DTYPES[dtype])
    if isinstance(x, (bool, int, float)):
        return b.const(x, dtype)
    raise UnsupportedOperatorError(f"ONNX export: cannot use {type(x).__name__} as an operand")


def _out(call: OpCall, i: int = 0) -> Value:
    return call.outputs[i]


# ---- elementwise ------------------------------------------------------------------


def _binary(op: str, reverse: bool = False) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        out = _out(call)
        a, other = call.args[0], _arg(call, 1, "other")
        if reverse:
            a, other = other, a
        operand_dtype = out.dtype
        if op in ("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"):
            operand_dtype = next(v.dtype for v in (a, other) if isinstance(v, Value))
            if operand_dtype == "bool" and op != "Equal":
                operand_dtype = "int32"
        left = _operand(b, a, operand_dtype)
        right = _operand(b, other, operand_dtype)
        alpha = call.kwargs.get("alpha", 1)
        if alpha != 1:
            right = b.node("Mul", [right, b.const(alpha, operand_dtype)])
        b.node(op, [left, right], out.name)

    return convert


def _not_equal(b: Builder, call: OpCall) -> None:
    a, other = call.args[0], _arg(call, 1, "other")
    dtype = next(v.dtype for v in (a, other) if isinstance(v, Value))
    eq = b.node("Equal", [_operand(b, a, dtype), _operand(b, other, dtype)])
    b.node("Not", [eq], _out(call).name)


def _unary(op: str, **attrs: Any) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        b.node(op, [_operand(b, call.args[0], _out(call).dtype)], _out(call).name, **attrs)

    return convert


def _chain(*ops: str) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        x = _operand(b, call.args[0], _out(call).dtype)
        for op in ops[:-1]:
            x = b.node(op, [x])
        b.node(ops[-1], [x], _out(call).name)

    return convert


def _with_constant(
    op: str, constant: float, first: bool = False
) -> Callable[[Builder, OpCall], None]:
    """op(x, c) (or op(c, x)) for a fixed constant."""

    def convert(b: Builder, call: OpCall) -> None:
        dtype = _out(call).dtype
        x, c = call.args[0].name, b.const(constant, dtype)
        b.node(op, [c, x] if first else [x, c], _out(call).name)

    return convert


def _log1p(b: Builder, call: OpCall) -> None:
    one = b.const(1.0, _out(call).dtype)
    b.node("Log", [b.node("Add", [call.args[0].name, one])], _out(call).name)


def _expm1(b: Builder, call: OpCall) -> None:
    one = b.const(1.0, _out(call).dtype)
    b.node("Sub", [b.node("Exp", [call.args[0].name]), one], _out(call).name)


def _rsqrt(b: Builder, call: OpCall) -> None:
    b.node("Reciprocal", [b.node("Sqrt", [call.args[0].name])], _out(call).name)


def _square(b: Builder, call: OpCall) -> None:
    x = call.args[0].name
    b.node("Mul", [x, x], _out(call).name)


def _silu(b: Builder, call: OpCall) -> None:
    x = call.args[0].name
    b.node("Mul", [x, b.node("Sigmoid", [x])], _out(call).name)


def _gelu(b: Builder, call: OpCall) -> None:
    x, dtype = call.args[0].name, _out(call).dtype
    approximate = _arg(call, 1, "approximate", "none")
    half = b.node("Mul", [x, b.const(0.5, dtype)])
    if approximate == "tanh":
        cube = b.node("Mul", [b.node("Mul", [x, x]), x])
        inner = b.node("Add", [x, b.node("Mul", [cube, b.const(0.044715, dtype)])])
        scaled = b.node("Mul", [inner, b.const(math.sqrt(2 / math.pi), dtype)])
        core = b.node("Tanh", [scaled])
    else:
        core = b.node("Erf", [b.node("Mul", [x, b.const(1 / math.sqrt(2), dtype)])])
    b.node("Mul", [half, b.node("Add", [core, b.const(1.0, dtype)])], _out(call).name)


def _leaky_relu(b: Builder, call: OpCall) -> None:
    slope = _arg(call, 1, "negative_slope", 0.01)
    b.node("LeakyRelu", [call.args[0].name], _out(call).name, alpha=float(slope))


def _elu(b: Builder, call: OpCall) -> None:
    b.node("Elu", [call.args[0].name], _out(call).name, alpha=float(_arg(call, 1, "alpha", 1.0)))


def _softplus(b: Builder, call: OpCall) -> None:
    x, dtype = call.args[0].name, _out(call).dtype
    beta = float(_arg(call, 1, "beta", 1.0))
    threshold = float(_arg(call, 2, "threshold", 20.0))
    scaled = b.node("Mul", [x, b.const(beta, dtype)])
    soft = b.node("Div", [b.node("Softplus", [scaled]), b.const(beta, dtype)])
    linear = b.node("Greater", [scaled, b.const(threshold, dtype)])
    b.node("Where", [linear, x, soft], _out(call).name)


def _logsigmoid(b: Builder, call: OpCall) -> None:
    x = call.args[0].name
    b.node("Neg", [b.node("Softplus", [b.node("Neg", [x])])], _out(call).name)


def _clip(lo_default: float | None, hi_default: float | None, lo_i: int, hi_i: int,
          lo_key: str, hi_key: str) -> Callable[[Builder, OpCall], None]:  # fmt: skip
    def convert(b: Builder, call: OpCall) -> None:
        dtype = _out(call).dtype
        lo = _arg(call, lo_i, lo_key, lo_default)
        hi = _arg(call, hi_i, hi_key, hi_default)
        inputs = [call.args[0].name, "" if lo is None else _operand(b, lo, dtype)]
        if hi is not None:
            inputs.append(_operand(b, hi, dtype))
        b.node("Clip", inputs, _out(call).name)

    return convert


def _where(b: Builder, call: OpCall) -> None:
    cond, x, y = call.args[:3]
    dtype = _out(call).dtype
    b.node("Where", [cond.name, _operand(b, x, dtype), _operand(b, y, dtype)], _out(call).name)


def _masked_fill(b: Builder, call: OpCall) -> None:
    x, mask, value = call.args[0], _arg(call, 1, "mask"), _arg(call, 2, "value")
    fill = _operand(b, value, x.dtype)
    b.node("Where", [mask.name, fill, x.name], _out(call).name)


def _identity(b: Builder, call: OpCall) -> None:
    b.node("Identity", [call.args[0].name], _out(call).name)


def _cast(b: Builder, call: OpCall) -> None:
    x, out = call.args[0], _out(call)
    if x.dtype == out.dtype:
        b.node("Identity", [x.name], out.name)
    else:
        b.node("Cast", [x.name], out.name, to=_ONNX_DTYPES[out.dtype])


def _dropout(b: Builder, call: OpCall) -> None:
    training = _arg(call, 2, "training", True) if call.name == "dropout" else False
    if training and _arg(call, 1, "p", 0.5) > 0:
        raise UnsupportedOperatorError(
            "ONNX export: dropout in training mode cannot be exported (call model.eval(), or "
            "pass training=self.training to F.dropout)"
        )
    _identity(b, call)


# ---- linear algebra and layers --------------------------------------------------


def _matmul(b: Builder, call: OpCall) -> None:
    a, other = call.args[0], _arg(call, 1, "other", _arg(call, 1, "mat2"))
    if call.name == "__rmatmul__":
        a, other = other, a
    b.node("MatMul", [a.name, other.name], _out(call).name)


def _linear(b: Builder, call: OpCall) -> None:
    x, weight, bias = call.args[0], _arg(call, 1, "weight"), _arg(call, 2, "bias")
    out = _out(call).name
    if x.ndim == 2:
        inputs = [x.name, weight.name] + ([bias.name] if bias is not None else [])
        b.node("Gemm", inputs, out, transB=1)
        return
    product = b.node("MatMul", [x.name, b.node("Transpose", [weight.name], perm=[1, 0])])
    if bias is None:
        b.node("Identity", [product], out)
    else:
        b.node("Add", [product, bias.name], out)


def _addmm(b: Builder, call: OpCall) -> None:
    bias, m1, m2 = call.args[:3]
    beta, alpha = call.kwargs.get("beta", 1), call.kwargs.get("alpha", 1)
    b.node(
        "Gemm", [m1.name, m2.name, bias.name], _out(call).name, alpha=float(alpha), beta=float(beta)
    )


def _pads(
    call: OpCall, padding: Any, n: int, kernel: Sequence[int], dilation: Sequence[int]
) -> list[int]:
    if padding == "valid":
        return [0] * (2 * n)
    if padding == "same":
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [t // 2 for t in total] + [t - t // 2 for t in total]
    pads = [padding] * n if isinstance(padding, int) else list(padding)
    if len(pads) != n:
        raise UnsupportedOperatorError(f"ONNX export: '{call.name}' got padding {padding!r}")
    return pads + pads


def _tuple(v: Any, n: int) -> list[int]:
    return [v] * n if isinstance(v, int) else list(v)


def _conv(n: int) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        x, weight = call.args[0], _arg(call, 1, "weight")
        bias = _arg(call, 2, "bias")
        stride = _tuple(_arg(call, 3, "stride", 1), n)
        dilation = _tuple(_arg(call, 5, "dilation", 1), n)
        kernel = list(weight.shape[2:])
        pads = _pads(call, _arg(call, 4, "padding", 0), n, kernel, dilation)
        inputs = [x.name, weight.name] + ([bias.name] if bias is not None else [])
        b.node(
            "Conv", inputs, _out(call).name, kernel_shape=kernel, strides=stride, pads=pads,
            dilations=dilation, group=int(_arg(call, 6, "groups", 1)),
        )  # fmt: skip

    return convert


def _max_pool2d(b: Builder, call: OpCall) -> None:
    if _arg(call, 6, "return_indices", False) or len(call.outputs) > 1:
        raise UnsupportedOperatorError(
            "ONNX export: max_pool2d with return_indices is not exported"
        )
    kernel = _tuple(_arg(call, 1, "kernel_size"), 2)
    stride = _arg(call, 2, "stride", None)
    stride = kernel if stride is None or stride == [] or stride == () else _tuple(stride, 2)
    padding = _tuple(_arg(call, 3, "padding", 0), 2)
    dilation = _tuple(_arg(call, 4, "dilation", 1), 2)
    b.node(
        "MaxPool", [call.args[0].name], _out(call).name, kernel_shape=kernel, strides=stride,
        pads=padding + padding, dilations=dilation, ceil_mode=int(bool(_arg(call, 5, "ceil_mode", False))),
    )  # fmt: skip


def _avg_pool2d(b: Builder, call: OpCall) -> None:
    if _arg(call, 6, "divisor_override", None) is not None:
        raise UnsupportedOperatorError(
            "ONNX export: avg_pool2d with divisor_override is not exported"
        )
    kernel = _tuple(_arg(call, 1, "kernel_size"), 2)
    stride = _arg(call, 2, "stride", None)
    stride = kernel if stride is None or stride == [] or stride == () else _tuple(stride, 2)
    padding = _tuple(_arg(call, 3, "padding", 0), 2)
    b.node(
        "AveragePool", [call.args[0].name], _out(call).name, kernel_shape=kernel, strides=stride,
        pads=padding + padding, ceil_mode=int(bool(_arg(call, 4, "ceil_mode", False))),
        count_include_pad=int(bool(_arg(call, 5, "count_include_pad", True))),
    )  # fmt: skip


def _batch_norm(b: Builder, call: OpCall) -> None:
    x, mean, var = call.args[0], _arg(call, 1, "running_mean"), _arg(call, 2, "running_var")
    weight, bias = _arg(call, 3, "weight"), _arg(call, 4, "bias")
    if _arg(call, 5, "training", False) or mean is None:
        raise UnsupportedOperatorError(
            "ONNX export: batch_norm with batch statistics (training mode) is not exported; "
            "call model.eval()"
        )
    channels = x.shape[1]
    scale = weight.name if weight is not None else b.const([1.0] * channels, x.dtype)
    shift = bias.name if bias is not None else b.const([0.0] * channels, x.dtype)
    b.node(
        "BatchNormalization", [x.name, scale, shift, mean.name, var.name], _out(call).name,
        epsilon=float(_arg(call, 7, "eps", 1e-5)),
    )  # fmt: skip


def _layer_norm(b: Builder, call: OpCall) -> None:
    x, shape = call.args[0], _arg(call, 1, "normalized_shape")
    weight, bias = _arg(call, 2, "weight"), _arg(call, 3, "bias")
    eps = float(_arg(call, 4, "eps", 1e-5))
    n = 1 if isinstance(shape, int) else len(shape)
    size = list(x.shape[-n:])
    scale = weight.name if weight is not None else b.const(_ones(size), x.dtype)
    shift = bias.name if bias is not None else b.const(_zeros(size), x.dtype)
    if b.opset >= 17:
        b.node("LayerNormalization", [x.name, scale, shift], _out(call).name, axis=-n, epsilon=eps)
        return
    axes = list(range(x.ndim - n, x.ndim))
    mean = b.node("ReduceMean", [x.name], axes=axes)
    centred = b.node("Sub", [x.name, mean])
    var = b.node("ReduceMean", [b.node("Mul", [centred, centred])], axes=axes)
    normed = b.node("Div", [centred, b.node("Sqrt", [b.node("Add", [var, b.const(eps, x.dtype)])])])
    b.node("Add", [b.node("Mul", [normed, scale]), shift], _out(call).name)


def _ones(size: list[int]) -> Any:
    import numpy as np

    return np.ones(size)


def _zeros(size: list[int]) -> Any:
    import numpy as np

    return np.zeros(size)


def _softmax(op: str) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        x = call.args[0]
        dim = _arg(call, 1, "dim", None)
        if dim is None:
            dim = 0 if x.ndim in (0, 1, 3) else 1  # PyTorch's implicit choice
        inp = x.name if x.dtype == _out(call).dtype else _operand(b, x, _out(call).dtype)
        b.node(op, [inp], _out(call).name, axis=_dims(call, dim, x.ndim)[0])

    return convert


def _embedding(b: Builder, call: OpCall) -> None:
    indices, weight = call.args[0], _arg(call, 1, "weight")
    if _arg(call, 3, "max_norm", None) is not None:
        raise UnsupportedOperatorError("ONNX export: embedding with max_norm is not exported")
    b.node("Gather", [weight.name, indices.name], _out(call).name, axis=0)


# ---- shapes -----------------------------------------------------------------------


def _shape_args(call: OpCall) -> list[int]:
    rest = call.args[1:] or tuple(call.kwargs.get("shape", call.kwargs.get("size", ())))
    if len(rest) == 1 and isinstance(rest[0], (list, tuple)):
        rest = tuple(rest[0])
    if not all(isinstance(d, int) for d in rest):
        raise UnsupportedOperatorError(f"ONNX export: '{call.name}' got a shape {rest!r}")
    return list(rest)


def _reshape_to(b: Builder, x: Value, target: list[int], out: str) -> None:
    if any(isinstance(d, SymInt) for d in target):
        b.node("Reshape", [x.name, b.shape(target)], out)
        return
    # The leading sizes a reshape keeps are written as 0 ("copy the input's
    # size"), so the exported reshape follows a batch (or sequence) size that
    # differs from the traced one.
    shape = list(target)
    for i, d in enumerate(target):
        if i >= x.ndim or d != x.shape[i] or d <= 0:
            break
        shape[i] = 0
    b.node("Reshape", [x.name, b.ints(shape)], out)


def _reshape(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    if call.name in ("view_as", "reshape_as"):
        target = list(call.args[1].shape)
    else:
        target = _shape_args(call)
    _reshape_to(b, x, target, _out(call).name)


def _flatten(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    start = _dims(call, _arg(call, 1, "start_dim", 0), max(x.ndim, 1))[0]
    end = _dims(call, _arg(call, 2, "end_dim", -1), max(x.ndim, 1))[0]
    if x.ndim == 0:
        b.node("Reshape", [x.name, b.ints([1])], _out(call).name)
    elif end == x.ndim - 1 and start > 0:
        axis_shape = [0] * start + [-1]
        b.node("Reshape", [x.name, b.ints(axis_shape)], _out(call).name)
    else:
        _reshape_to(b, x, list(_out(call).shape), _out(call).name)


def _unsqueeze(b: Builder, call: OpCall) -> None:
    x, dim = call.args[0], _arg(call, 1, "dim")
    axis = _dims(call, dim, x.ndim + 1)[0]
    b.node("Unsqueeze", [x.name, b.ints([axis])], _out(call).name)


def _squeeze(b: Builder, call: OpCall) -> None:
    x, dim = call.args[0], _arg(call, 1, "dim", None)
    if dim is None:
        axes = [i for i, s in enumerate(x.shape) if s == 1]
    else:
        axes = [a for a in _dims(call, dim, x.ndim) if x.shape[a] == 1]
    if not axes:
        b.node("Identity", [x.name], _out(call).name)
    else:
        b.node("Squeeze", [x.name, b.ints(axes)], _out(call).name)


def _transpose(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    perm = list(range(x.ndim))
    if call.name in ("t", "T"):
        perm = perm[::-1]
    else:
        d0, d1 = _dims(call, [_arg(call, 1, "dim0"), _arg(call, 2, "dim1")], x.ndim)
        perm[d0], perm[d1] = perm[d1], perm[d0]
    b.node("Transpose", [x.name], _out(call).name, perm=perm)


def _permute(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    dims = _shape_args(call) if call.args[1:] else list(call.kwargs["dims"])
    b.node("Transpose", [x.name], _out(call).name, perm=_dims(call, dims, x.ndim))


def _cat(b: Builder, call: OpCall) -> None:
    tensors = list(_arg(call, 0, "tensors"))
    dim = _arg(call, 1, "dim", _arg(call, 1, "axis", 0))
    ndim = next(t.ndim for t in tensors if isinstance(t, Value))
    dtype = _out(call).dtype
    b.node(
        "Concat",
        [_operand(b, t, dtype) for t in tensors],
        _out(call).name,
        axis=_dims(call, dim, ndim)[0],
    )


def _stack(b: Builder, call: OpCall) -> None:
    tensors = list(_arg(call, 0, "tensors"))
    dim = _dims(call, _arg(call, 1, "dim", 0), tensors[0].ndim + 1)[0]
    parts = [b.node("Unsqueeze", [t.name, b.ints([dim])]) for t in tensors]
    b.node("Concat", parts, _out(call).name, axis=dim)


def _reduce(op: str) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        x, out = call.args[0], _out(call)
        dim = _arg(call, 1, "dim", None)
        keepdim = int(bool(_arg(call, 2, "keepdim", False)))
        inp = _operand(b, x, out.dtype) if op != "ReduceMax" and op != "ReduceMin" else x.name
        axes = (
            list(range(x.ndim))
            if dim is None or dim == () or dim == []
            else _dims(call, dim, x.ndim)
        )
        if op == "ReduceSum" or b.opset >= 18:
            b.node(op, [inp, b.ints(axes)], out.name, keepdims=keepdim)
        else:
            b.node(op, [inp], out.name, axes=axes, keepdims=keepdim)

    return convert


def _max_min(op: str) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        if len(call.outputs) > 1:
            raise UnsupportedOperatorError(
                f"ONNX export: '{call.name}' with dim (values and indices)"
            )
        other = _arg(call, 1, "other", _arg(call, 1, "dim", None))
        if isinstance(other, Value):
            b.node(
                "Max" if op == "ReduceMax" else "Min",
                [call.args[0].name, other.name],
                _out(call).name,
            )
        else:
            _reduce(op)(b, call)

    return convert


def _argmax(op: str) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        x = call.args[0]
        dim = _arg(call, 1, "dim", None)
        keepdim = int(bool(_arg(call, 2, "keepdim", False)))
        if dim is None:
            flat = b.node("Reshape", [x.name, b.ints([-1])])
            b.node(op, [flat], _out(call).name, axis=0, keepdims=0)
        else:
            b.node(
                op, [x.name], _out(call).name, axis=_dims(call, dim, x.ndim)[0], keepdims=keepdim
            )

    return convert


def _expand(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    if call.name == "expand_as":  # to the other tensor's shape when the model runs
        b.node("Expand", [x.name, b.node("Shape", [call.args[1].name])], _out(call).name)
        return
    # Expand broadcasts: a size of 1 keeps the input's size (what -1 asks for).
    shape = [1 if d == -1 else d for d in _shape_args(call)]
    b.node("Expand", [x.name, b.shape(shape)], _out(call).name)


def _factory(fill: float | None, method: bool) -> Callable[[Builder, OpCall], None]:
    """zeros/ones/full/empty (and Tensor.new_*) given traced sizes."""

    def convert(b: Builder, call: OpCall) -> None:
        import numpy as np
        import onnx

        args = call.args[1:] if method else call.args
        value = fill
        if fill is None:  # full: (size, fill_value)
            value = call.kwargs.get("fill_value", args[1] if len(args) > 1 else None)
            args = args[:1]
        dims = call.kwargs.get(
            "size", args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
        )
        out = _out(call)
        np_dtype = np.bool_ if out.dtype == "bool" else out.dtype
        tensor = onnx.numpy_helper.from_array(np.array([value], dtype=np_dtype))
        b.node("ConstantOfShape", [b.shape(list(dims))], out.name, value=tensor)

    return convert


def _getitem(b: Builder, call: OpCall) -> None:
    x, index = call.args[0], call.args[1]
    items = list(index) if isinstance(index, tuple) else [index]
    if any(isinstance(i, (Value, list)) for i in items):
        if len(items) == 1 and isinstance(items[0], Value) and items[0].dtype in ("int64", "int32"):
            b.node("Gather", [x.name, items[0].name], _out(call).name, axis=0)
            return
        raise UnsupportedOperatorError(
            "ONNX export: indexing with tensors or lists is not exported"
        )
    if items.count(Ellipsis) > 1:
        raise UnsupportedOperatorError("ONNX export: an index with two ellipses")
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at : at + 1] = [slice(None)] * (x.ndim - used)
    items += [slice(None)] * (x.ndim - sum(1 for i in items if i is not None))
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    dim, out_dim = 0, 0
    for item in items:
        if item is None:
            unsqueeze.append(out_dim)
            out_dim += 1
            continue
        size = x.shape[dim]
        if isinstance(item, int):
            start = item + size if item < 0 else item
            starts.append(start)
            ends.append(start + 1)
            axes.append(dim)
            steps.append(1)
            squeeze.append(dim)
        elif isinstance(item, slice):
            if item != slice(None):
                start, stop, step = item.indices(size)
                if step < 1:
                    raise UnsupportedOperatorError("ONNX export: slices with a negative step")
                starts.append(start)
                # A slice to the end stays open, so it follows a dynamic size.
                ends.append(stop if item.stop is not None else 2**62)
                axes.append(dim)
                steps.append(step)
            out_dim += 1
        else:
            raise UnsupportedOperatorError(f"ONNX export: index {item!r} is not exported")
        dim += 1
    result = x.name
    if axes:
        result = b.node(
            "Slice", [result, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)]
        )
    if squeeze:
        result = b.node("Squeeze", [result, b.ints(squeeze)])
    if unsqueeze:
        result = b.node("Unsqueeze", [result, b.ints(unsqueeze)])
    b.node("Identity", [result], _out(call).name)


def _narrow(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    dim = _dims(call, _arg(call, 1, "dim"), x.ndim)[0]
    start, length = _arg(call, 2, "start"), _arg(call, 3, "length")
    start = start + x.shape[dim] if start < 0 else start
    b.node(
        "Slice", [x.name, b.ints([start]), b.ints([start + length]), b.ints([dim])],
        _out(call).name,
    )  # fmt: skip


def _select(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    dim = _dims(call, _arg(call, 1, "dim"), x.ndim)[0]
    index = _arg(call, 2, "index")
    index = index + x.shape[dim] if index < 0 else index
    b.node("Gather", [x.name, b.const(index, "int64")], _out(call).name, axis=dim)


def _index_select(b: Builder, call: OpCall) -> None:
    x, index = call.args[0], _arg(call, 2, "index")
    dim = _dims(call, _arg(call, 1, "dim"), x.ndim)[0]
    b.node("Gather", [x.name, index.name], _out(call).name, axis=dim)


def _attention(b: Builder, call: OpCall) -> None:
    """softmax(q k^T * scale + bias) v, as PyTorch defines it: a bool mask
    allows (True) or forbids (-inf), a float mask is added, is_causal forbids
    later positions; rows with nowhere to attend give zeros."""
    q, k, v = call.args[:3]
    mask = _arg(call, 3, "attn_mask")
    if _arg(call, 4, "dropout_p", 0.0) > 0.0:
        raise UnsupportedOperatorError(
            "ONNX export: scaled_dot_product_attention with dropout_p > 0 (training) is not "
            "exported; pass dropout_p=0.0 in eval mode"
        )
    if _arg(call, 7, "enable_gqa", False) and k.shape[-3:-2] != q.shape[-3:-2]:
        raise UnsupportedOperatorError("ONNX export: grouped-query attention is not exported")
    dtype = q.dtype
    scale = _arg(call, 6, "scale", None)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    perm = list(range(k.ndim))
    perm[-2], perm[-1] = perm[-1], perm[-2]
    scores = b.node("MatMul", [q.name, b.node("Transpose", [k.name], perm=perm)])
    scores = b.node("Mul", [scores, b.const(scale, dtype)])
    allowed = None
    if _arg(call, 5, "is_causal", False):
        import numpy as np

        length, source = q.shape[-2], k.shape[-2]
        allowed = b.const(np.tril(np.ones((length, source), dtype=bool)), "bool")
    elif isinstance(mask, Value) and mask.dtype == "bool":
        allowed = mask.name
    elif isinstance(mask, Value):
        scores = b.node("Add", [scores, _operand(b, mask, dtype)])
    if allowed is not None:
        blocked = b.const(float("-inf"), dtype)
        scores = b.node("Where", [allowed, scores, blocked])
    weights = b.node("Softmax", [scores], axis=-1)
    if allowed is not None:  # fully forbidden rows: NaN from softmax, zeros in PyTorch
        weights = b.node("Where", [b.node("IsNaN", [weights]), b.const(0.0, dtype), weights])
    b.node("MatMul", [weights, v.name], _out(call).name)


def _trilu(upper: bool) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        if b.opset < 14:
            raise UnsupportedOperatorError(
                f"ONNX export: '{call.name}' needs opset_version 14 or later"
            )
        k = int(_arg(call, 1, "diagonal", 0))
        b.node("Trilu", [call.args[0].name, b.const(k, "int64")], _out(call).name, upper=int(upper))

    return convert


def _split(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    dim = _dims(call, _arg(call, 2, "dim", 0), x.ndim)[0]
    sizes = [v.shape[dim] for v in call.outputs]
    b.multi("Split", [x.name, b.ints(sizes)], [v.name for v in call.outputs], axis=dim)


def _unbind(b: Builder, call: OpCall) -> None:
    x = call.args[0]
    dim = _dims(call, _arg(call, 1, "dim", 0), x.ndim)[0]
    parts = [b.fresh("part") for _ in call.outputs]
    b.multi("Split", [x.name, b.ints([1] * len(parts))], parts, axis=dim)
    for part, value in zip(parts, call.outputs):
        b.node("Squeeze", [part, b.ints([dim])], value.name)


def _to(b: Builder, call: OpCall) -> None:
    _cast(b, call)


def _einsum(b: Builder, call: OpCall) -> None:
    equation, operands = call.args[0], call.args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    b.node(
        "Einsum", [v.name for v in operands], _out(call).name, equation=equation.replace(" ", "")
    )


def _like(fill: float | None) -> Callable[[Builder, OpCall], None]:
    def convert(b: Builder, call: OpCall) -> None:
        import numpy as np
        import onnx

        out = _out(call)
        value = fill if fill is not None else _arg(call, 1, "fill_value")
        np_dtype = np.bool_ if out.dtype == "bool" else out.dtype
        tensor = onnx.numpy_helper.from_array(np.array([value], dtype=np_dtype))
        b.node("ConstantOfShape", [b.node("Shape", [call.args[0].name])], out.name, value=tensor)

    return convert


def _pow(b: Builder, call: OpCall) -> None:
    out = _out(call)
    base, exponent = call.args[0], _arg(call, 1, "exponent")
    if call.name == "__rpow__":
        base, exponent = exponent, base
    b.node("Pow", [_operand(b, base, out.dtype), _operand(b, exponent, out.dtype)], out.name)


CONVERTERS: dict[str, Callable[[Builder, OpCall], None]] = {}


def _register(names: str, convert: Callable[[Builder, OpCall], None]) -> None:
    for name in names.split():
        CONVERTERS[name] = convert


_register("add __add__ __radd__ __iadd__ add_", _binary("Add"))
_register("sub __sub__ __isub__ sub_ subtract", _binary("Sub"))
_register("__rsub__", _binary("Sub", reverse=True))
_register("mul __mul__ __rmul__ __imul__ mul_ multiply", _binary("Mul"))
_register("div __truediv__ __itruediv__ div_ divide true_divide", _binary("Div"))
_register("__rtruediv__", _binary("Div", reverse=True))
_register("maximum", _binary("Max"))
_register("minimum", _binary("Min"))
_register("eq", _binary("Equal"))
_register("ne", _not_equal)
_register("lt __lt__", _binary("Less"))
_register("gt __gt__", _binary("Greater"))
_register("le __le__", _binary("LessOrEqual"))
_register("ge __ge__", _binary("GreaterOrEqual"))
_register("logical_and __and__", _binary("And"))
_register("logical_or __or__", _binary("Or"))
_register("logical_not __invert__", _unary("Not"))
_register("pow __pow__ __rpow__ pow_", _pow)
_register("relu relu_", _unary("Relu"))
_register("sigmoid sigmoid_", _unary("Sigmoid"))
_register("tanh tanh_", _unary("Tanh"))
_register("exp exp_", _unary("Exp"))
_register("log log_", _unary("Log"))
_register("sqrt sqrt_", _unary("Sqrt"))
_register("neg __neg__ negative neg_", _unary("Neg"))
_register("abs __abs__ abs_", _unary("Abs"))
_register("erf erf_", _unary("Erf"))
_register("sin sin_", _unary("Sin"))
_register("cos cos_", _unary("Cos"))
_register("tan tan_", _unary("Tan"))
_register("floor floor_", _unary("Floor"))
_register("ceil ceil_", _unary("Ceil"))
_register("sign sign_", _unary("Sign"))
_register("reciprocal reciprocal_", _unary("Reciprocal"))
_register("rsqrt rsqrt_", _rsqrt)
_register("square square_", _square)
_register("log1p log1p_", _log1p)
_register("expm1 expm1_", _expm1)
_register("silu silu_", _silu)
_register("gelu", _gelu)
_register("leaky_relu leaky_relu_", _leaky_relu)
_register("elu elu_", _elu)
_register("softplus", _softplus)
_register("logsigmoid", _logsigmoid)
_register("hardtanh hardtanh_", _clip(-1.0, 1.0, 1, 2, "min_val", "max_val"))
_register("clamp clamp_ clip clip_", _clip(None, None, 1, 2, "min", "max"))
_register("clamp_min clamp_min_", _clip(None, None, 1, 9, "min", "_"))
_register("where", _where)
_register("masked_fill masked_fill_", _masked_fill)
_register("contiguous clone detach data __pos__", _identity)
_register("dropout dropout_", _dropout)
_register("float double long int bool type_as to", _cast)
_register("matmul __matmul__ __rmatmul__ mm bmm", _matmul)
_register("linear", _linear)
_register("addmm", _addmm)
_register("conv1d", _conv(1))
_register("conv2d", _conv(2))
_register("max_pool2d", _max_pool2d)
_register("avg_pool2d", _avg_pool2d)
_register("batch_norm", _batch_norm)
_register("layer_norm", _layer_norm)
_register("softmax", _softmax("Softmax"))
_register("log_softmax", _softmax("LogSoftmax"))
_register("embedding", _embedding)
_register("view reshape view_as reshape_as", _reshape)
_register("flatten", _flatten)
_register("unsqueeze", _unsqueeze)
_register("squeeze", _squeeze)
_register("transpose swapaxes swapdims t T", _transpose)
_register("permute", _permute)
_register("cat concat concatenate", _cat)
_register("stack", _stack)
_register("sum", _reduce("ReduceSum"))
_register("mean", _reduce("ReduceMean"))
_register("amax", _reduce("ReduceMax"))
_register("amin", _reduce("ReduceMin"))
_register("max", _max_min("ReduceMax"))
_register("min", _max_min("ReduceMin"))
_register("argmax", _argmax("ArgMax"))
_register("argmin", _argmax("ArgMin"))
_register("expand expand_as", _expand)
_register("__getitem__", _getitem)
_register("split chunk split_with_sizes", _split)
_register("unbind", _unbind)
_register("scaled_dot_product_attention", _attention)
_register("narrow", _narrow)
_register("tril tril_", _trilu(False))
_register("triu triu_", _trilu(True))
_register("select", _select)
_register("index_select", _index_select)
_register("einsum", _einsum)
_register("zeros empty", _factory(0.0, False))
_register("ones", _factory(1.0, False))
_register("full", _factory(None, False))
_register("new_zeros new_empty", _factory(0.0, True))
_register("new_ones", _factory(1.0, True))
_register("new_full", _factory(None, True))
_register("zeros_like", _like(0.0))
_register("ones_like", _like(1.0))
_register("full_like", _like(None))
_register("relu6", _clip(0.0, 6.0, 99, 99, "", ""))  # relu6 takes no bounds
