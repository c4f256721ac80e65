"""Writes the PyTorch numbers the C++ tests compare with:

- lr_schedules.h, for tests/cpp/test_cpp_lr_scheduler.cpp: each schedule
  starts from a fresh optimizer over one parameter; a row is the learning
  rate after construction, then after each scheduler step (momentum rows
  likewise for OneCycleLR). One schedule also trains the parameter (loss
  sum(p ** 2)) so the test checks the optimizer uses what it is given.
- nn_reference.h, for tests/cpp/test_cpp_nn_layers.cpp: transposed
  convolutions and recurrent layers and cells in float64, their weights,
  inputs and states filled by formula (the C++ test fills its own the same
  way), with the outputs, the gradients of the input and of every parameter
  (in named_parameters order) under a fixed weighting of the outputs, and
  the repr.

    python tests/cpp/data/gen_reference.py   # with torch 2.13.0 installed

tests/test_cpp.py regenerates both headers and checks they are current.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def _run(
    torch: Any,
    make_opt: Callable[[list[Any]], Any],
    make_sched: Callable[[Any], Any],
    steps: int,
    metrics: list[float] | None = None,
    momentum_key: str | None = None,
    train: bool = False,
) -> dict[str, list[float]]:
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    opt = make_opt([p])
    sched = make_sched(opt)
    group = opt.param_groups[0]

    def momentum() -> float:
        if momentum_key == "betas":
            return float(group["betas"][0])
        return float(group[momentum_key])

    lrs, moms, params = [float(group["lr"])], [], []
    if momentum_key:
        moms.append(momentum())
    for i in range(steps):
        if train:
            opt.zero_grad()
            (p**2).sum().backward()
        opt.step()
        if metrics is not None:
            sched.step(metrics[i])
        else:
            sched.step()
        lrs.append(float(group["lr"]))
        if momentum_key:
            moms.append(momentum())
        if train:
            params += [float(v) for v in p.detach().tolist()]
    out = {"lr": lrs}
    if momentum_key:
        out["momentum"] = moms
    if train:
        out["params"] = params
    return out


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87]
PLATEAU_MAX_METRICS = [0.1, 0.2, 0.2, 0.25, 0.2, 0.21, 0.3, 0.3, 0.3, 0.3]


def schedules(torch: Any) -> dict[str, dict[str, list[float]]]:
    optim, lr_s = torch.optim, torch.optim.lr_scheduler

    def sgd(lr: float, momentum: float = 0.0) -> Callable[[list[Any]], Any]:
        return lambda p: optim.SGD(p, lr=lr, momentum=momentum)

    return {
        "step_lr": _run(torch, sgd(0.1), lambda o: lr_s.StepLR(o, 3, gamma=0.5), 10),
        "multi_step_lr": _run(
            torch, sgd(0.1), lambda o: lr_s.MultiStepLR(o, [2, 5, 5, 8], gamma=0.1), 10
        ),
        "exponential_lr": _run(
            torch, lambda p: optim.Adam(p, lr=0.01), lambda o: lr_s.ExponentialLR(o, 0.9), 10
        ),
        "cosine_annealing_lr": _run(
            torch, sgd(0.1), lambda o: lr_s.CosineAnnealingLR(o, T_max=4, eta_min=0.001), 13
        ),
        "lambda_lr": _run(
            torch,
            sgd(0.1),
            lambda o: lr_s.LambdaLR(o, lambda e: 0.95**e / (1 + e)),
            10,
        ),
        "reduce_lr_on_plateau": _run(
            torch,
            sgd(0.1),
            lambda o: lr_s.ReduceLROnPlateau(
                o, factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=0.02
            ),
            len(PLATEAU_METRICS),
            metrics=PLATEAU_METRICS,
        ),
        "reduce_lr_on_plateau_max_abs": _run(
            torch,
            sgd(0.1),
            lambda o: lr_s.ReduceLROnPlateau(
                o, mode="max", factor=0.1, patience=1, threshold=0.05, threshold_mode="abs"
            ),
            len(PLATEAU_MAX_METRICS),
            metrics=PLATEAU_MAX_METRICS,
        ),
        "one_cycle_lr_sgd": _run(
            torch,
            sgd(0.1, momentum=0.9),
            lambda o: lr_s.OneCycleLR(o, max_lr=1.0, total_steps=10),
            10,
            momentum_key="momentum",
            train=True,
        ),
        "one_cycle_lr_adam": _run(
            torch,
            lambda p: optim.Adam(p, lr=0.01),
            lambda o: lr_s.OneCycleLR(
                o, max_lr=0.01, total_steps=12, anneal_strategy="linear", three_phase=True
            ),
            12,
            momentum_key="betas",
        ),
    }


def _render(torch: Any, test: str, space: str, arrays: dict[str, list[float]],
            strings: dict[str, str]) -> str:  # fmt: skip
    version = torch.__version__.split("+")[0]
    lines = [
        f"// PyTorch's numbers for {test},",
        f"// written by gen_reference.py with torch {version}. Do not edit.",
        "#pragma once",
        "",
        "#include <vector>",
        "",
        "// clang-format off",
        f"namespace {space} {{",
        "",
    ]
    for name, values in arrays.items():
        assert all(math.isfinite(v) for v in values), name
        lines.append(f"inline const std::vector<double> {name} = {{")
        lines += [f"    {v!r}," for v in values] + ["};", ""]
    for name, text in strings.items():
        lines += [f"inline const char* const {name} = {json.dumps(text)};", ""]
    lines += [f"}}  // namespace {space}", "// clang-format on", ""]
    return "\n".join(lines)


def render_lr(torch: Any) -> str:
    arrays = {"plateau_metrics": PLATEAU_METRICS, "plateau_max_metrics": PLATEAU_MAX_METRICS}
    for sched, rows in schedules(torch).items():
        for row, values in rows.items():
            arrays[f"{sched}_{row}"] = values
    return _render(torch, "test_cpp_lr_scheduler.cpp", "lr_reference", arrays, {})


def _fill(torch: Any, shape: tuple[int, ...], lo: float, hi: float) -> Any:
    n = math.prod(shape)
    return torch.linspace(lo, hi, n, dtype=torch.float64).reshape(shape)


def _layer_case(
    torch: Any, module: Any, input_shape: tuple[int, ...], call: Callable[[Any, Any], list[Any]]
) -> tuple[list[float], list[float], str]:
    """The outputs, then the gradients of the input and of each parameter,
    of `call(module, x)`: weights i = linspace(-0.5, 0.5) * (1 + i / 4), the
    input sin(linspace(-2, 2)), the loss sum(out * linspace(-1, 1)) over the
    outputs."""
    module = module.double()
    params = list(module.parameters())
    with torch.no_grad():
        for i, p in enumerate(params):
            p.copy_(_fill(torch, tuple(p.shape), -0.5, 0.5) * (1 + i / 4))
    x = _fill(torch, input_shape, -2, 2).sin().requires_grad_()
    outs = call(module, x)
    loss = sum((o * _fill(torch, tuple(o.shape), -1, 1)).sum() for o in outs)
    loss.backward()
    values = [v for o in outs for v in o.detach().reshape(-1).tolist()]
    grads = x.grad.reshape(-1).tolist()
    for p in params:
        grads += p.grad.reshape(-1).tolist()
    return values, grads, repr(module)


def _state(torch: Any, shape: tuple[int, ...]) -> Any:
    """A recurrent state: cos(linspace(-1, 1)) / 2."""
    return _fill(torch, shape, -1, 1).cos() / 2


def layer_cases(torch: Any) -> dict[str, tuple[list[float], list[float], str]]:
    nn = torch.nn

    def plain(m: Any, x: Any) -> list[Any]:
        return [m(x)]

    def lstm_cell(m: Any, x: Any) -> list[Any]:
        h, c = m(x, (_state(torch, (2, 4)), _state(torch, (2, 4)) * 2))
        return [h, c]

    def lstm(m: Any, x: Any) -> list[Any]:
        h0, c0 = _state(torch, (4, 2, 4)), _state(torch, (4, 2, 4)) * 2
        out, (h, c) = m(x, (h0, c0))
        return [out, h, c]

    def rnn(m: Any, x: Any) -> list[Any]:
        out, h = m(x)
        return [out, h]

    return {
        "conv_transpose2d": _layer_case(
            torch,
            nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1),
            (2, 2, 4, 5),
            plain,
        ),
        "conv_transpose2d_groups": _layer_case(
            torch,
            nn.ConvTranspose2d(4, 6, (2, 3), stride=(2, 1), groups=2, dilation=(1, 2)),
            (1, 4, 3, 3),
            plain,
        ),
        "conv_transpose2d_unbatched": _layer_case(
            torch, nn.ConvTranspose2d(2, 2, 2, bias=False), (2, 4, 4), plain
        ),
        "conv_transpose1d": _layer_case(
            torch,
            nn.ConvTranspose1d(3, 2, 4, stride=3, padding=1, output_padding=2),
            (2, 3, 5),
            plain,
        ),
        "conv_transpose1d_unbatched": _layer_case(
            torch, nn.ConvTranspose1d(3, 2, 2, dilation=2), (3, 5), plain
        ),
        "rnn_cell": _layer_case(
            torch, nn.RNNCell(3, 4), (2, 3), lambda m, x: [m(x, _state(torch, (2, 4)))]
        ),
        "rnn_cell_relu_unbatched": _layer_case(
            torch, nn.RNNCell(3, 4, bias=False, nonlinearity="relu"), (3,), plain
        ),
        "lstm_cell": _layer_case(torch, nn.LSTMCell(3, 4), (2, 3), lstm_cell),
        "gru_cell": _layer_case(
            torch, nn.GRUCell(3, 4), (2, 3), lambda m, x: [m(x, _state(torch, (2, 4)))]
        ),
        "rnn": _layer_case(
            torch,
            nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bidirectional=True),
            (5, 2, 3),
            rnn,
        ),
        "lstm": _layer_case(
            torch,
            nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True),
            (2, 5, 3),
            lstm,
        ),
        "gru_unbatched": _layer_case(torch, nn.GRU(3, 4, bias=False), (5, 3), rnn),
    }


def render_nn(torch: Any) -> str:
    arrays: dict[str, list[float]] = {}
    strings: dict[str, str] = {}
    for name, (values, grads, text) in layer_cases(torch).items():
        arrays[f"{name}_outputs"] = values
        arrays[f"{name}_grads"] = grads
        strings[f"{name}_repr"] = text
    return _render(torch, "test_cpp_nn_layers.cpp", "nn_reference", arrays, strings)


def outputs(torch: Any) -> dict[Path, str]:
    """Each header's path and the text it should hold."""
    return {HERE / "lr_schedules.h": render_lr(torch), HERE / "nn_reference.h": render_nn(torch)}


if __name__ == "__main__":
    import torch

    for path, text in outputs(torch).items():
        path.write_text(text)
        sys.stdout.write(f"wrote {path}\n")
