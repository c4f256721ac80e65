"""Replays hand-made mutants, each a bug the suite once let through (the
table in tests/README.md, "Known bugs once missed"): each change is applied
to a scratch copy of the Python package, the copy is confirmed to be the one
imported (and to carry the change), and the tests that should catch it run
against it. Prints one line per change: caught or not, and by what.

    python tools/mutation/known_bugs_table.py            # every row
    python tools/mutation/known_bugs_table.py adam_lr    # one row
    python tools/mutation/known_bugs_table.py --check    # every row still applies
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Change:
    name: str
    description: str
    file: str  # relative to python/autograd_cpp
    old: str
    new: str
    count: int  # how many occurrences of `old` are replaced
    probe: str  # Python run against the copy; must print "mutated"
    tests: list[str]


CHANGES = [
    Change(
        "adam_lr",
        "Adam/AdamW default lr 1e-3 -> 1e-2",
        "optim/adam.py",
        "lr: float = 1e-3,",
        "lr: float = 1e-2,",
        2,
        "import inspect, autograd_cpp as t;"
        "print('mutated' if inspect.signature(t.optim.AdamW).parameters['lr'].default == 1e-2"
        " else 'original')",
        ["tests/test_defaults.py", "tests/test_nn_optim.py"],
    ),
    Change(
        "linear_bound",
        "nn.Linear initial weight bound x 0.34",
        "nn/modules/linear.py",
        "    init.kaiming_uniform_(self.weight, a=math.sqrt(5))\n",
        "    init.kaiming_uniform_(self.weight, a=math.sqrt(5))\n"
        "    _b = 0.34 / math.sqrt(self.weight.shape[1])\n"
        "    init.uniform_(self.weight, -_b, _b)\n",
        1,
        "import autograd_cpp as t; w = t.nn.Linear(100, 50).weight;"
        "print('mutated' if float(w.abs().max()) < 0.035 else 'original')",
        ["tests/test_init_distributions.py", "tests/test_nn_optim.py"],
    ),
    Change(
        "gradcheck_first_input",
        "gradcheck checks only its first input",
        "autograd/gradcheck.py",
        "for i, a, n in zip(wrt, computed, numerical):",
        "for i, a, n in list(zip(wrt, computed, numerical))[:1]:",
        1,
        "import autograd_cpp as t;"
        "x = t.ones(2, dtype=t.float64, requires_grad=True);"
        "y = t.ones(2, dtype=t.float64, requires_grad=True);"
        "ok = t.autograd.gradcheck(lambda a, b: a * b.detach(), [x, y], raise_exception=False);"
        "print('mutated' if ok else 'original')",
        ["tests/test_gradcheck.py"],
    ),
    Change(
        "mse_grad_f32",
        "float32-only mse_loss gradient x 1.0005",
        "nn/functional.py",
        "    return _nn.mse_loss(input, target, reduction)\n",
        "    _out = _nn.mse_loss(input, target, reduction)\n"
        "    if input.dtype == _C.float32:\n"
        "        _out = _out + (_out - _out.detach()) * 0.0005\n"
        "    return _out\n",
        1,
        "import autograd_cpp as t; x = t.ones(3, requires_grad=True);"
        "t.nn.functional.mse_loss(x, t.zeros(3)).backward();"
        "print('mutated' if abs(float(x.grad[0]) - 2 / 3 * 1.0005) < 1e-6 else 'original')",
        ["tests/test_vs_torch.py", "tests/test_nn_ops.py"],
    ),
    Change(
        "mse_value",
        "mse_loss x 1.0001",
        "nn/functional.py",
        "    return _nn.mse_loss(input, target, reduction)\n",
        "    return _nn.mse_loss(input, target, reduction) * 1.0001\n",
        1,
        "import autograd_cpp as t; v = t.nn.functional.mse_loss(t.ones(3), t.zeros(3)).item();"
        "print('mutated' if v != 1.0 else 'original')",
        ["tests/test_vs_torch.py", "tests/test_nn_ops.py"],
    ),
    Change(
        "adam_beta2_step5",
        "Adam beta2 -> 0.99 from step 5",
        "optim/adam.py",
        '            beta1, beta2 = group["betas"]\n',
        '            beta1, beta2 = group["betas"]\n'
        "            beta2 = beta2 if steps[0] < 5 else 0.99\n",
        1,
        "import inspect, autograd_cpp as t;"
        "print('mutated' if '0.99' in inspect.getsource(t.optim.Adam.step) else 'original')",
        ["tests/test_defaults.py", "tests/test_nn_optim.py"],
    ),
]


def mutated_text(change: Change, package: Path) -> str:
    """The changed file's text; exits if the package no longer holds the
    original text as often as the change expects (the code moved on)."""
    target = package / change.file
    if not target.is_file():
        raise SystemExit(f"{change.name}: {change.file} no longer exists")
    text = target.read_text()
    found = text.count(change.old)
    if found != change.count:
        raise SystemExit(f"{change.name}: expected {change.count} matches, found {found}")
    return text.replace(change.old, change.new)


def run(change: Change, python: str) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        package = Path(tmp) / "autograd_cpp"
        shutil.copytree(ROOT / "python" / "autograd_cpp", package)
        (package / change.file).write_text(mutated_text(change, package))
        env = dict(os.environ, PYTHONPATH=tmp)
        probe = subprocess.run(
            [python, "-c", "import autograd_cpp as t; print(t.__file__);" + change.probe],
            env=env, capture_output=True, text=True, cwd=tmp,
        )  # fmt: skip
        lines = probe.stdout.split()
        if probe.returncode or lines[-1] != "mutated" or not lines[0].startswith(tmp):
            raise SystemExit(f"{change.name}: the copy is not the one imported\n{probe}")
        result = subprocess.run(
            [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *change.tests],
            env=env, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        failed = [ln for ln in result.stdout.splitlines() if ln.startswith("FAILED")]
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        return result.returncode == 1, (failed[0] if failed else summary)


def main() -> int:
    if sys.argv[1:] == ["--check"]:
        for change in CHANGES:
            mutated_text(change, ROOT / "python" / "autograd_cpp")
        print(f"all {len(CHANGES)} changes apply")
        return 0
    wanted = set(sys.argv[1:])
    missed = 0
    for change in CHANGES:
        if wanted and change.name not in wanted:
            continue
        caught, detail = run(change, sys.executable)
        missed += not caught
        print(f"{'caught' if caught else 'MISSED'}  {change.description}: {detail}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
