"""The examples run from a fresh process and do what they say."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(script, *args, cwd=None):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_train_digits_reaches_its_accuracy(tmp_path):
    pytest.importorskip("sklearn")
    out = run("train_digits.py", "--out", str(tmp_path))
    for name, target in (("MLP", 0.97), ("CNN", 0.98)):
        line = next(x for x in out.splitlines() if x.startswith(f"{name}: test accuracy"))
        accuracy = float(line.split()[3])
        assert accuracy >= target, line
    for produced in ("training_curves.png", "mlp_graph.svg", "mlp.agc", "cnn.agc"):
        assert (tmp_path / produced).stat().st_size > 0


def test_perceptron_loss_falls():
    out = run("perceptron.py")
    losses = [
        float(x.split("loss")[1].split()[0]) for x in out.splitlines() if x.startswith("step")
    ]
    assert losses[0] > 2 * losses[-1]
    grads = [x for x in out.splitlines() if x.startswith("dL/dw")]
    assert grads[0].split(":")[1].strip() == grads[1].split(":")[1].strip()


def test_graph_picture_script(tmp_path):
    out = run("graph_picture.py")
    assert "MeanBackward0" in out and "wrote" in out
