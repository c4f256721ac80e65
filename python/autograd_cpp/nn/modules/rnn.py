"""Recurrent layers (RNN, LSTM, GRU) and cells, with PyTorch's parameter
names, shapes, initialisation and argument checks, so state_dicts
interchange with PyTorch's."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import TYPE_CHECKING, Any, TypeAlias, overload

from ... import _C
from .. import init
from .._functional import rnn as _rnn
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module
from .utils import _empty

if TYPE_CHECKING:
    from ..._tensor import device

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_Device: TypeAlias = "str | device | None"
_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of each layer and
    direction, argument checks and the forward pass."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__()
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= float(dropout) <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=3,
            )
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(
                f"batch_first should be of type bool, got: {type(batch_first).__name__}"
            )
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih", (gate_size, layer_input)),
                    ("weight_hh", (gate_size, real_hidden)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for prefix, shape in shapes:
                    setattr(self, prefix + suffix, Parameter(_empty(shape, dtype)))
                    names.append(prefix + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """Kept for PyTorch compatibility: the weights need no flat buffer here."""

    @property
    def _flat_weights(self) -> list[Parameter | None]:
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _layer_weights(self) -> list[list[_rnn.Weights]]:
        directions = 2 if self.bidirectional else 1
        out: list[list[_rnn.Weights]] = []
        for layer in range(self.num_layers):
            row = []
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                row.append((
                    getattr(self, "weight_ih" + suffix),
                    getattr(self, "weight_hh" + suffix),
                    getattr(self, "bias_ih" + suffix) if self.bias else None,
                    getattr(self, "bias_hh" + suffix) if self.bias else None,
                    getattr(self, "weight_hr" + suffix) if self.proj_size > 0 else None,
                ))  # fmt: skip
            out.append(row)
        return out

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- argument checks (PyTorch's wording) --------------------------------------

    def _check_input(self, input: _C.Tensor, batch_sizes: list[int] | None) -> None:
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.size(-1)}"
            )

    def _expected_hidden(
        self, input: _C.Tensor, batch_sizes: list[int] | None, size: int
    ) -> tuple[int, int, int]:
        if batch_sizes is not None:
            batch = batch_sizes[0]
        else:
            batch = input.size(0) if self.batch_first else input.size(1)
        directions = 2 if self.bidirectional else 1
        return (self.num_layers * directions, batch, size)

    @staticmethod
    def _check_hidden_size(hx: _C.Tensor, expected: tuple[int, int, int], msg: str) -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _check_forward_args(
        self, input: _C.Tensor, hx: tuple[_C.Tensor, ...], batch_sizes: list[int] | None
    ) -> None:
        self._check_input(input, batch_sizes)
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if self.mode == "LSTM":
            self._check_hidden_size(hx[0], self._expected_hidden(input, batch_sizes, real_hidden),
                                    "Expected hidden[0] size {}, got {}")  # fmt: skip
            self._check_hidden_size(
                hx[1], self._expected_hidden(input, batch_sizes, self.hidden_size),
                "Expected hidden[1] size {}, got {}",
            )  # fmt: skip
        else:
            self._check_hidden_size(hx[0], self._expected_hidden(input, batch_sizes, real_hidden),
                                    "Expected hidden size {}, got {}")  # fmt: skip

    # ---- forward ------------------------------------------------------------------------

    def _forward(
        self, input: _C.Tensor | PackedSequence, hx: tuple[_C.Tensor, ...] | None
    ) -> tuple[_C.Tensor | PackedSequence, tuple[_C.Tensor, ...]]:
        name = "RNN" if self.mode.startswith("RNN") else self.mode
        lstm = self.mode == "LSTM"
        directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        sizes = (real_hidden, self.hidden_size) if lstm else (real_hidden,)
        packed = isinstance(input, PackedSequence)
        batch_sizes: list[int] | None = None
        sorted_indices = unsorted_indices = None
        is_batched = True
        if isinstance(input, PackedSequence):
            data, batch_sizes_t, sorted_indices, unsorted_indices = input
            batch_sizes = [int(v) for v in batch_sizes_t.tolist()]
            x = data
            batch = batch_sizes[0]
        else:
            if input.dim() not in (2, 3):
                tail = " tensor instead" if name == "RNN" else " instead"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tail}")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            x = input if is_batched else input.unsqueeze(batch_dim)
            batch = x.size(0) if self.batch_first else x.size(1)
        if hx is None:
            state = tuple(
                _C.zeros((self.num_layers * directions, batch, size), dtype=x.dtype)
                for size in sizes
            )
        else:
            want = 3 if is_batched else 2
            if any(h.dim() != want for h in hx):
                kind = "batched 3-D" if is_batched else "unbatched 2-D"
                if lstm:
                    raise RuntimeError(
                        f"For {kind} input, hx and cx should also be {want}-D but got "
                        f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors"
                    )
                raise RuntimeError(
                    f"For {kind} input, hx should also be {want}-D but got {hx[0].dim()}-D tensor"
                )
            state = hx if is_batched else tuple(h.unsqueeze(1) for h in hx)
        self._check_forward_args(x, state, batch_sizes)
        if sorted_indices is not None:
            state = tuple(h.index_select(1, sorted_indices) for h in state)
        if batch_sizes is None and self.batch_first:
            x = x.transpose(0, 1)
        output, final = _rnn.rnn_forward(self.mode, x, batch_sizes, state, self._layer_weights(),
                                         self.dropout, self.training)  # fmt: skip
        if unsorted_indices is not None:
            final = tuple(h.index_select(1, unsorted_indices) for h in final)
        if packed:
            assert batch_sizes is not None and isinstance(input, PackedSequence)
            return PackedSequence(output, input.batch_sizes, sorted_indices,
                                  unsorted_indices), final  # fmt: skip
        if self.batch_first:
            output = output.transpose(0, 1)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            final = tuple(h.squeeze(1) for h in final)
        return output, final


class RNN(RNNBase):
    """Elman recurrent network: h_t = tanh (or relu) of x_t W_ih^T + b_ih +
    h_{t-1} W_hh^T + b_hh, over layers and (optionally) both directions."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: _Device = None,
        dtype: _C.dtype | None = None,
        **kwargs: Any,
    ) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN got unexpected keyword arguments {sorted(kwargs)}")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)  # fmt: skip

    @overload
    def forward(
        self, input: _C.Tensor, hx: _C.Tensor | None = None
    ) -> tuple[_C.Tensor, _C.Tensor]: ...
    @overload
    def forward(
        self, input: PackedSequence, hx: _C.Tensor | None = None
    ) -> tuple[PackedSequence, _C.Tensor]: ...
    def forward(
        self, input: _C.Tensor | PackedSequence, hx: _C.Tensor | None = None
    ) -> tuple[_C.Tensor | PackedSequence, _C.Tensor]:
        output, final = self._forward(input, None if hx is None else (hx,))
        return output, final[0]

    if TYPE_CHECKING:
        __call__ = forward


class LSTM(RNNBase):
    """Long short-term memory network: input, forget, cell and output gates
    per step (PyTorch's gate order i, f, g, o), optional projection of h to
    proj_size."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)  # fmt: skip

    @overload
    def forward(
        self, input: _C.Tensor, hx: tuple[_C.Tensor, _C.Tensor] | None = None
    ) -> tuple[_C.Tensor, tuple[_C.Tensor, _C.Tensor]]: ...
    @overload
    def forward(
        self, input: PackedSequence, hx: tuple[_C.Tensor, _C.Tensor] | None = None
    ) -> tuple[PackedSequence, tuple[_C.Tensor, _C.Tensor]]: ...
    def forward(
        self, input: _C.Tensor | PackedSequence, hx: tuple[_C.Tensor, _C.Tensor] | None = None
    ) -> tuple[_C.Tensor | PackedSequence, tuple[_C.Tensor, _C.Tensor]]:
        output, final = self._forward(input, None if hx is None else tuple(hx))
        return output, (final[0], final[1])

    if TYPE_CHECKING:
        __call__ = forward


class GRU(RNNBase):
    """Gated recurrent unit network (PyTorch's gate order r, z, n)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: _Device = None,
        dtype: _C.dtype | None = None,
        **kwargs: Any,
    ) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU got unexpected keyword arguments {sorted(kwargs)}")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)  # fmt: skip

    @overload
    def forward(
        self, input: _C.Tensor, hx: _C.Tensor | None = None
    ) -> tuple[_C.Tensor, _C.Tensor]: ...
    @overload
    def forward(
        self, input: PackedSequence, hx: _C.Tensor | None = None
    ) -> tuple[PackedSequence, _C.Tensor]: ...
    def forward(
        self, input: _C.Tensor | PackedSequence, hx: _C.Tensor | None = None
    ) -> tuple[_C.Tensor | PackedSequence, _C.Tensor]:
        output, final = self._forward(input, None if hx is None else (hx,))
        return output, final[0]

    if TYPE_CHECKING:
        __call__ = forward


# ---- cells -------------------------------------------------------------------------------


class RNNCellBase(Module):
    """What the cells share: weight_ih, weight_hh and (optional) biases."""

    weight_ih: Parameter
    weight_hh: Parameter
    bias_ih: Parameter | None
    bias_hh: Parameter | None

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(_empty((num_chunks * hidden_size, input_size), dtype))
        self.weight_hh = Parameter(_empty((num_chunks * hidden_size, hidden_size), dtype))
        if bias:
            self.bias_ih = Parameter(_empty((num_chunks * hidden_size,), dtype))
            self.bias_hh = Parameter(_empty((num_chunks * hidden_size,), dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _prepare(
        self, input: _C.Tensor, hx: tuple[_C.Tensor, ...] | None, count: int
    ) -> tuple[_C.Tensor, tuple[_C.Tensor, ...], bool]:
        """input and state as (B, *) tensors, zeros for a missing state, and
        whether the input was batched; with PyTorch's checks."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for h in hx:
                if h.dim() not in (1, 2):
                    raise ValueError(
                        f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D instead"
                    )
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = _C.zeros((input.size(0), self.hidden_size), dtype=input.dtype)
            state = tuple(zeros for _ in range(count))
        else:
            state = hx if batched else tuple(h.unsqueeze(0) for h in hx)
        if input.size(1) != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}"
            )
        for k, h in enumerate(state):
            if h.size(0) != input.size(0):
                raise RuntimeError(
                    f"Input batch size {input.size(0)} doesn't match hidden{k} batch size "
                    f"{h.size(0)}"
                )
            if h.size(1) != self.hidden_size:
                raise RuntimeError(
                    f"hidden{k} has inconsistent hidden_size: got {h.size(1)}, expected "
                    f"{self.hidden_size}"
                )
        return input, state, batched

    def _step(self, mode: str, input: _C.Tensor, state: tuple[_C.Tensor, ...]) -> _rnn.State:
        return _rnn.cell_forward(mode, input, state, self.weight_ih, self.weight_hh,
                                 self.bias_ih, self.bias_hh)  # fmt: skip


class RNNCell(RNNCellBase):
    """One step of an Elman network: h' = tanh (or relu) of x W_ih^T + b_ih + h W_hh^T + b_hh."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: _C.Tensor, hx: _C.Tensor | None = None) -> _C.Tensor:
        x, state, batched = self._prepare(input, None if hx is None else (hx,), 1)
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = self._step(mode, x, state)[0]
        return h if batched else h.squeeze(0)

    if TYPE_CHECKING:
        __call__ = forward


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c')."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(
        self, input: _C.Tensor, hx: tuple[_C.Tensor, _C.Tensor] | None = None
    ) -> tuple[_C.Tensor, _C.Tensor]:
        x, state, batched = self._prepare(input, None if hx is None else tuple(hx), 2)
        h, c = self._step("LSTM", x, state)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))

    if TYPE_CHECKING:
        __call__ = forward


class GRUCell(RNNCellBase):
    """One GRU step: returns h'."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: _Device = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: _C.Tensor, hx: _C.Tensor | None = None) -> _C.Tensor:
        x, state, batched = self._prepare(input, None if hx is None else (hx,), 1)
        h = self._step("GRU", x, state)[0]
        return h if batched else h.squeeze(0)

    if TYPE_CHECKING:
        __call__ = forward
