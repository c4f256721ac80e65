"""The recurrent layers' computation: Elman (tanh/relu), LSTM (optionally
with a projection) and GRU, multi-layer and bidirectional, over padded
(time-major) or packed batches.

The input projection of every timestep is one matmul per layer and
direction (biases folded in where the cell allows); each step then costs one
addmm for the hidden projection plus the gate arithmetic. Steps read their
slice of the projection through one unbind (or split, for packed batches),
and the outputs are joined by one stack (or cat), so backward costs time
linear in the sequence length."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ... import _C
from ..._C import _nn

__all__: list[str] = []

State = tuple[_C.Tensor, ...]  # (h,) or, for LSTM, (h, c)
# One layer and direction's weights: w_ih, w_hh, b_ih, b_hh, w_hr (None when absent).
Weights = tuple[_C.Tensor, _C.Tensor, _C.Tensor | None, _C.Tensor | None, _C.Tensor | None]
# step(input projection of this step, state, w_hh transposed, b_hh, w_hr transposed)
Step = Callable[[_C.Tensor, State, _C.Tensor, "_C.Tensor | None", "_C.Tensor | None"], State]


def _hidden(xg: _C.Tensor, h: _C.Tensor, w_hh_t: _C.Tensor, b_hh: _C.Tensor | None) -> _C.Tensor:
    """xg + h @ w_hh^T (+ b_hh): one addmm."""
    if b_hh is not None:
        xg = xg + b_hh
    return _C.addmm(xg, h, w_hh_t)


def tanh_step(
    xg: _C.Tensor, state: State, w_hh_t: _C.Tensor, b_hh: _C.Tensor | None, w_hr_t: _C.Tensor | None
) -> State:
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return (_C.tanh(_hidden(xg, state[0], w_hh_t, b_hh)),)


def relu_step(
    xg: _C.Tensor, state: State, w_hh_t: _C.Tensor, b_hh: _C.Tensor | None, w_hr_t: _C.Tensor | None
) -> State:
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return (_C.relu(_hidden(xg, state[0], w_hh_t, b_hh)),)


def lstm_step(
    xg: _C.Tensor, state: State, w_hh_t: _C.Tensor, b_hh: _C.Tensor | None, w_hr_t: _C.Tensor | None
) -> State:
    """Gates (i, f, g, o) from x and h; c' = f c + i g; h' = o tanh(c'),
    projected by w_hr when the layer has one."""
    h, c = state
    i, f, g, o = _hidden(xg, h, w_hh_t, b_hh).chunk(4, 1)
    c = _C.sigmoid(f) * c + _C.sigmoid(i) * _C.tanh(g)
    h = _C.sigmoid(o) * _C.tanh(c)
    if w_hr_t is not None:
        h = h.mm(w_hr_t)
    return (h, c)


def gru_step(
    xg: _C.Tensor, state: State, w_hh_t: _C.Tensor, b_hh: _C.Tensor | None, w_hr_t: _C.Tensor | None
) -> State:
    """r, z = sigmoid(x- and h-parts); n = tanh(x_n + r * (h W_hn^T + b_hn));
    h' = (h - n) z + n. b_hh stays on the hidden side (r scales it)."""
    h = state[0]
    size = h.size(1)
    hg = _C.addmm(b_hh, h, w_hh_t) if b_hh is not None else h.mm(w_hh_t)
    rz = _C.sigmoid(xg.narrow(1, 0, 2 * size) + hg.narrow(1, 0, 2 * size))
    r, z = rz.chunk(2, 1)
    n = _C.tanh(xg.narrow(1, 2 * size, size) + hg.narrow(1, 2 * size, size) * r)
    return ((h - n) * z + n,)


STEPS: dict[str, Step] = {
    "RNN_TANH": tanh_step,
    "RNN_RELU": relu_step,
    "LSTM": lstm_step,
    "GRU": gru_step,
}


def _project_inputs(
    mode: str, x: _C.Tensor, weights: Weights
) -> tuple[_C.Tensor, _C.Tensor | None]:
    """x W_ih^T + b for all steps at once, and the b_hh each step still adds.
    Elman and LSTM cells add b_hh linearly, so it joins the projection; GRU
    keeps it apart (the reset gate scales its last third)."""
    w_ih, _, b_ih, b_hh, _ = weights
    # A batch-first input arrives transposed. The product would copy it to
    # fold its steps into rows anyway; copied first, the product is one
    # addmm with the bias fused instead of a product and an add over the
    # (four times wider) gates.
    x = x.contiguous()
    if mode == "GRU" or b_ih is None or b_hh is None:
        return _nn.linear(x, w_ih, b_ih), b_hh
    return _nn.linear(x, w_ih, b_ih + b_hh), None


def _run_padded(
    step: Step,
    steps: Sequence[_C.Tensor],
    state: State,
    w_hh_t: _C.Tensor,
    b_hh: _C.Tensor | None,
    w_hr_t: _C.Tensor | None,
    reverse: bool,
) -> tuple[list[_C.Tensor], State]:
    outputs: list[_C.Tensor] = [state[0]] * len(steps)
    order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
    for t in order:
        state = step(steps[t], state, w_hh_t, b_hh, w_hr_t)
        outputs[t] = state[0]
    return outputs, state


def _run_packed(
    step: Step,
    steps: Sequence[_C.Tensor],
    batch_sizes: Sequence[int],
    state: State,
    w_hh_t: _C.Tensor,
    b_hh: _C.Tensor | None,
    w_hr_t: _C.Tensor | None,
    reverse: bool,
) -> tuple[list[_C.Tensor], State]:
    """Steps of a packed batch (sequences sorted longest first). Forward,
    sequences drop out as they end and their last state is kept; backward,
    each sequence joins at its last step with its initial state."""
    outputs: list[_C.Tensor] = [state[0]] * len(steps)
    if not reverse:
        finished: list[State] = []
        rows = state[0].size(0)
        for t, size in enumerate(batch_sizes):
            if size < rows:
                finished.append(tuple(s.narrow(0, size, rows - size) for s in state))
                state = tuple(s.narrow(0, 0, size) for s in state)
                rows = size
            state = step(steps[t], state, w_hh_t, b_hh, w_hr_t)
            outputs[t] = state[0]
        if finished:
            parts = [state, *reversed(finished)]
            state = tuple(_C.cat([p[k] for p in parts]) for k in range(len(state)))
        return outputs, state
    initial = state
    rows = batch_sizes[-1]
    state = tuple(s.narrow(0, 0, rows) for s in initial)
    for t in range(len(steps) - 1, -1, -1):
        size = batch_sizes[t]
        if size > rows:
            state = tuple(
                _C.cat([s, s0.narrow(0, rows, size - rows)]) for s, s0 in zip(state, initial)
            )
            rows = size
        state = step(steps[t], state, w_hh_t, b_hh, w_hr_t)
        outputs[t] = state[0]
    return outputs, state


def lstm_layer_composed(
    input: _C.Tensor, hx: _C.Tensor, cx: _C.Tensor, weight_hh: _C.Tensor, reverse: bool = False
) -> tuple[_C.Tensor, _C.Tensor, _C.Tensor]:
    """_nn._lstm_layer composed of the step ops: vmap's batching rule for it
    (each op of the steps has its own rule)."""
    outs, (h, c) = _run_padded(lstm_step, input.unbind(0), (hx, cx), weight_hh.t(), None, None,
                               reverse)  # fmt: skip
    return _C.stack(outs), h, c


def rnn_forward(
    mode: str,
    input: _C.Tensor,
    batch_sizes: Sequence[int] | None,
    hx: State,
    weights: Sequence[Sequence[Weights]],
    dropout: float,
    training: bool,
) -> tuple[_C.Tensor, State]:
    """Runs every layer and direction. ``input`` is (T, B, F), or packed
    data (N, F) with ``batch_sizes``; ``hx`` holds (layers * directions, B,
    H) initial states; ``weights[layer][direction]``. Returns the last
    layer's output (directions concatenated on the feature dim) and the final
    states stacked as hx is."""
    step = STEPS[mode]
    directions = len(weights[0])
    x = input
    # A padded LSTM layer without projection runs as one op, _nn._lstm_layer.
    fused = mode == "LSTM" and batch_sizes is None and x.size(0) > 0
    finals: list[State] = []
    for layer, layer_weights in enumerate(weights):
        if layer > 0 and dropout > 0 and training:
            x = _C.dropout(x, dropout, True)
        outputs = []
        for direction, w in enumerate(layer_weights):
            projected, b_hh = _project_inputs(mode, x, w)
            w_hh_t = w[1].t()
            w_hr_t = w[4].t() if w[4] is not None else None
            state = tuple(s[layer * directions + direction] for s in hx)
            reverse = direction == 1
            if fused and w[4] is None:
                if b_hh is not None:
                    projected = projected + b_hh
                out, h_last, c_last = _nn._lstm_layer(projected, state[0], state[1], w[1], reverse)
                outputs.append(out)
                finals.append((h_last, c_last))
                continue
            if batch_sizes is None:
                outs, final = _run_padded(step, projected.unbind(0), state, w_hh_t, b_hh, w_hr_t,
                                          reverse)  # fmt: skip
                outputs.append(_C.stack(outs))
            else:
                pieces = projected.split_with_sizes(list(batch_sizes), 0)
                outs, final = _run_packed(step, pieces, batch_sizes, state, w_hh_t, b_hh,
                                          w_hr_t, reverse)  # fmt: skip
                outputs.append(_C.cat(outs))
            finals.append(final)
        x = outputs[0] if directions == 1 else _C.cat(outputs, -1)
    n_state = len(hx)
    h_n = tuple(_C.stack([f[k] for f in finals]) for k in range(n_state))
    return x, h_n


def cell_forward(
    mode: str,
    input: _C.Tensor,
    state: State,
    w_ih: _C.Tensor,
    w_hh: _C.Tensor,
    b_ih: _C.Tensor | None,
    b_hh: _C.Tensor | None,
) -> State:
    """One step of a cell on a (B, F) input."""
    projected = _nn.linear(input, w_ih, b_ih)
    return STEPS[mode](projected, state, w_hh.t(), b_hh, None)
