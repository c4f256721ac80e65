"""Writes lr_schedules.h: PyTorch's learning rates for the schedules that
tests/cpp/test_cpp_lr_scheduler.cpp replays with ag::optim's schedulers.

    python tests/cpp/data/gen_lr_schedules.py   # with torch 2.13.0 installed

Each schedule starts from a fresh optimizer over one parameter; a row is the
learning rate after construction, then after each scheduler step (momentum
rows likewise for OneCycleLR). The last schedule also trains the parameter
(loss sum(p ** 2)) so the test checks the optimizer uses what it is given.
tests/test_cpp.py regenerates the header and checks it is current.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HEADER = Path(__file__).with_name("lr_schedules.h")


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


def render(torch: Any) -> str:
    lines = [
        "// PyTorch's learning rates for the schedules of test_cpp_lr_scheduler.cpp,",
        f"// written by gen_lr_schedules.py with torch {torch.__version__.split('+')[0]}."
        " Do not edit.",
        "#pragma once",
        "",
        "#include <vector>",
        "",
        "// clang-format off",
        "namespace lr_reference {",
        "",
    ]
    for name, values in [
        ("plateau_metrics", PLATEAU_METRICS),
        ("plateau_max_metrics", PLATEAU_MAX_METRICS),
    ]:
        lines.append(f"inline const std::vector<double> {name} = {{")
        lines += [f"    {v!r}," for v in values] + ["};", ""]
    for sched, rows in schedules(torch).items():
        for row, values in rows.items():
            assert all(math.isfinite(v) for v in values)
            lines.append(f"inline const std::vector<double> {sched}_{row} = {{")
            lines += [f"    {v!r}," for v in values] + ["};", ""]
    lines += ["}  // namespace lr_reference", "// clang-format on", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import torch

    HEADER.write_text(render(torch))
    sys.stdout.write(f"wrote {HEADER}\n")
