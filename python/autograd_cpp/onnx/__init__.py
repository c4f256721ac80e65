"""ONNX export: ``autograd_cpp.onnx.export(model, args, f, ...)``, the
``torch.onnx.export`` of PyTorch's TorchScript-based exporter.

The model runs once on ``args`` while `_trace` records its ops; each op
becomes ONNX nodes (`_ops`), parameters and buffers become initializers, and
the graph is written with the ``onnx`` package (``pip install
autograd_cpp[onnx]``) and checked with ``onnx.checker``. The export is a
trace: Python control flow is fixed to the path taken; sizes read from the
inputs (``x.size(0)``, ``x.shape``, and arithmetic on them) stay symbolic, so
an axis marked in ``dynamic_axes`` stays dynamic through factories, reshapes
and expands. An op without an ONNX form raises `UnsupportedOperatorError`
naming it.
"""

from __future__ import annotations

import enum
import io
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import _C
from ._trace import UnsupportedOperatorError

if TYPE_CHECKING:
    import onnx as onnx_

    from ..nn.modules.module import Module

__all__ = [
    "DEFAULT_OPSET",
    "OperatorExportTypes",
    "TrainingMode",
    "UnsupportedOperatorError",
    "export",
    "is_in_onnx_export",
]

DEFAULT_OPSET = 17
_ONNX_TYPES = {"float32": 1, "float64": 11, "int64": 7, "int32": 6, "bool": 9}
_exporting = False


class TrainingMode(enum.IntEnum):
    """Which mode the model is exported in (as torch.onnx.TrainingMode)."""

    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


class OperatorExportTypes(enum.IntEnum):
    """Accepted for compatibility; every op is exported as a standard ONNX op."""

    ONNX = 0
    ONNX_ATEN = 1
    ONNX_ATEN_FALLBACK = 2
    ONNX_FALLTHROUGH = 3


def is_in_onnx_export() -> bool:
    """True while export() is tracing a model."""
    return _exporting


def _as_inputs(args: Any) -> list[_C.Tensor]:
    if isinstance(args, _C.Tensor):
        return [args]
    if isinstance(args, (tuple, list)) and all(isinstance(a, _C.Tensor) for a in args):
        return list(args)
    raise TypeError("export: args must be a tensor or a tuple of tensors (the model's inputs)")


def export(
    model: Module | Any,
    args: Any,
    f: str | os.PathLike[str] | io.BytesIO | None = None,
    export_params: bool = True,
    verbose: bool = False,
    training: TrainingMode = TrainingMode.EVAL,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    operator_export_type: OperatorExportTypes = OperatorExportTypes.ONNX,
    opset_version: int | None = None,
    do_constant_folding: bool = True,
    dynamic_axes: Mapping[str, Mapping[int, str] | Sequence[int]] | None = None,
    keep_initializers_as_inputs: bool = False,
    *,
    dynamo: bool = False,
    **ignored: Any,
) -> None:
    """Traces ``model(*args)`` and writes it as an ONNX model to ``f`` (a path
    or a binary file object).

    ``input_names``/``output_names`` name the graph's inputs and outputs
    (default ``input_0``..., ``output_0``...); ``dynamic_axes`` maps those names
    to the axes that may vary (``{"x": {0: "batch"}}`` or ``{"x": [0]}``);
    ``opset_version`` defaults to 17. The model is traced in eval mode unless
    ``training=TrainingMode.PRESERVE``. ``do_constant_folding`` is always on
    (whatever does not depend on the inputs is computed at export time);
    ``operator_export_type`` and ``dynamo`` are accepted and ignored.
    """
    import onnx

    global _exporting
    unknown = set(ignored) - {
        "custom_opsets", "export_modules_as_functions", "autograd_inlining", "external_data",
        "optimize", "verify", "report", "kwargs", "dynamic_shapes",
    }  # fmt: skip
    if unknown:
        raise TypeError(f"export() got unexpected keyword arguments {sorted(unknown)}")
    if f is None:
        raise ValueError("export: f (a path or a binary file object) is required")
    if not export_params:
        raise ValueError("export: export_params=False (weights as graph inputs) is not supported")
    del do_constant_folding, operator_export_type, dynamo
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if not 13 <= opset <= onnx.defs.onnx_opset_version():
        raise ValueError(
            f"export: opset_version {opset} is not supported (13 to "
            f"{onnx.defs.onnx_opset_version()})"
        )
    inputs = _as_inputs(args)
    names_in = list(input_names or [f"input_{i}" for i in range(len(inputs))])
    if len(names_in) != len(inputs):
        raise ValueError(f"export: {len(names_in)} input_names for {len(inputs)} inputs")

    from . import _trace

    params: dict[int, str] = {}
    frozen: list[_C.Tensor] = []
    restore_mode = None
    if hasattr(model, "named_parameters"):
        for name, p in model.named_parameters():
            params.setdefault(id(p), name)
            frozen.append(p)
        for name, buf in model.named_buffers():
            params.setdefault(id(buf), name)
        restore_mode = model.training
        if training != TrainingMode.PRESERVE:
            model.train(training == TrainingMode.TRAINING)
    _exporting = True
    try:
        trace = _trace.trace(model, inputs, names_in, params, frozen)
    finally:
        _exporting = False
        if restore_mode is not None:
            model.train(restore_mode)
    proto = _build(
        trace, names_in, output_names, dynamic_axes or {}, opset, keep_initializers_as_inputs
    )
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    if isinstance(f, (str, os.PathLike)):
        onnx.save(proto, os.fspath(f))
    else:
        f.write(proto.SerializeToString())


def _shape(
    shape: tuple[int, ...], axes: Mapping[int, str] | Sequence[int] | None, name: str
) -> list[int | str | None]:
    dims: list[int | str | None] = list(shape)
    if axes is None:
        return dims
    named = (
        dict(axes) if isinstance(axes, Mapping) else {a: f"{name}_dynamic_axes_{a}" for a in axes}
    )
    for axis, label in named.items():
        dims[axis if axis >= 0 else axis + len(dims)] = label
    return dims


def _build(
    trace: Any,
    names_in: list[str],
    output_names: Sequence[str] | None,
    dynamic_axes: Mapping[str, Mapping[int, str] | Sequence[int]],
    opset: int,
    initializers_as_inputs: bool,
) -> onnx_.ModelProto:
    import onnx

    from ._ops import CONVERTERS, Builder

    builder = Builder(opset)
    for call in trace.calls:
        convert = CONVERTERS.get(call.name)
        if convert is None:
            where = {"torch": "torch.", "F": "torch.nn.functional.", "Tensor": "Tensor."}.get(
                call.where, ""
            )
            raise UnsupportedOperatorError(
                f"ONNX export: the op '{where}{call.name}' has no ONNX export in autograd_cpp"
            )
        convert(builder, call)
    names_out = list(output_names or [f"output_{i}" for i in range(len(trace.outputs))])
    if len(names_out) != len(trace.outputs):
        raise ValueError(f"export: {len(names_out)} output_names for {len(trace.outputs)} outputs")
    dynamic_inputs = any(name in dynamic_axes for name in names_in)
    graph_outputs = []
    for value, name in zip(trace.outputs, names_out):
        builder.node("Identity", [value.name], name)
        if name in dynamic_axes:
            dims = _shape(value.shape, dynamic_axes[name], name)
        elif dynamic_inputs:
            dims = [None] * len(value.shape)  # sizes follow the inputs
        else:
            dims = list(value.shape)
        graph_outputs.append(
            onnx.helper.make_tensor_value_info(name, _ONNX_TYPES[value.dtype], dims)
        )
    graph_inputs = [
        onnx.helper.make_tensor_value_info(
            value.name,
            _ONNX_TYPES[value.dtype],
            _shape(value.shape, dynamic_axes.get(value.name), value.name),
        )
        for value in trace.inputs
    ]
    initializers = [
        onnx.numpy_helper.from_array(value.tensor.numpy(), value.name)
        for value in trace.constants.values()
    ] + builder.initializers
    if initializers_as_inputs:
        graph_inputs += [
            onnx.helper.make_tensor_value_info(t.name, t.data_type, list(t.dims))
            for t in initializers
        ]
    graph = onnx.helper.make_graph(
        builder.nodes, "autograd_cpp_graph", graph_inputs, graph_outputs, initializers
    )
    model = onnx.helper.make_model(
        graph, opset_imports=[onnx.helper.make_opsetid("", opset)], producer_name="autograd_cpp",
        producer_version=_C.__version__,
    )  # fmt: skip
    # The IR version of the opset, not the newest the onnx package knows:
    # runtimes read older IR versions.
    model.ir_version = min(
        onnx.IR_VERSION, 8 if opset <= 17 else 9 if opset <= 20 else onnx.IR_VERSION
    )
    onnx.checker.check_model(model)
    return model
