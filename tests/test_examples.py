"""The examples run from a fresh process and do what they say."""

import importlib.util
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(script, *args, cwd=None, with_stderr=False, env=None):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        env=None if env is None else {**os.environ, **env},
        timeout=1800,  # generous: the digits demo trains 80 epochs, and shared machines are slow
        cwd=cwd,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return (result.stdout, result.stderr) if with_stderr else result.stdout


def test_train_digits_reaches_its_accuracy(tmp_path):
    pytest.importorskip("sklearn")
    # TQDM_MININTERVAL=0 draws every update: by default tqdm redraws at most
    # every 0.1 s, and on a quiet machine a whole epoch can pass between draws.
    out, err = run(
        "train_digits.py", "--out", str(tmp_path), with_stderr=True, env={"TQDM_MININTERVAL": "0"}
    )
    # Every state of the progress bar that shows running numbers also shows
    # the steps they came from (the bar once sat at 0/22 while they changed).
    states = re.findall(r"(\d+)/(\d+) \[[^\]]*loss=", err)
    assert states and all(int(done) >= 1 for done, _ in states), err[-2000:]
    assert "test loss" in out
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
    # The committed picture in docs/ is what the script draws today.
    target = tmp_path / "seed_graph.svg"
    out = run("graph_picture.py", str(target))
    assert "MeanBackward0" in out and f"wrote {target}" in out
    docs_image = EXAMPLES.parent / "docs" / "images" / "seed_graph.svg"
    assert target.read_text() == docs_image.read_text()


def test_training_curves_show_every_point():
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    sys.path.insert(0, str(EXAMPLES))
    try:
        import train_digits
    finally:
        sys.path.remove(str(EXAMPLES))
    history = {
        "loss": [2.1, 0.3, 0.01],
        "test_loss": [1.5, 0.2, 0.05],
        "train_acc": [0.35, 0.95, 1.0],
        "test_acc": [0.62, 0.93, 0.99],
    }
    fig = train_digits.figure({"MLP": history, "CNN": history})
    ax_loss, ax_acc = fig.axes
    assert {line.get_label() for line in ax_loss.lines} >= {"MLP test", "CNN train"}
    for ax, keys in ((ax_loss, ("loss", "test_loss")), (ax_acc, ("train_acc", "test_acc"))):
        low, high = ax.get_ylim()
        values = [v for k in keys for v in history[k]]
        assert low <= min(values) and max(values) < high, (ax.get_title(), low, high)
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel()
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_gradient_tape_plot_is_labelled_and_announced(tmp_path, monkeypatch, capsys):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = []
    save = plt.savefig

    def savefig(*args, **kwargs):
        figures.append(plt.gcf())
        save(*args, **kwargs)

    monkeypatch.setattr(plt, "savefig", savefig)
    target = tmp_path / "sigmoid.png"
    monkeypatch.setattr(sys, "argv", ["gradient_tape.py", "--out", str(target)])
    runpy.run_path(str(EXAMPLES / "gradient_tape.py"), run_name="__main__")
    (ax,) = figures[0].axes
    assert "sigmoid" in ax.get_title().lower()
    assert ax.get_xlabel() == "x" and ax.get_ylabel()
    assert target.stat().st_size > 0
    assert f"wrote {target}" in capsys.readouterr().out


def test_ddp_example_in_a_world_of_one(tmp_path):
    """Without mpirun the DDP example trains as one rank and says so."""
    pytest.importorskip("sklearn")
    have_mpi = shutil.which("mpirun") and importlib.util.find_spec("mpi4py")
    if not have_mpi:
        if os.environ.get("CI") and not os.environ.get("AUTOGRAD_CPP_TEST_NO_MPI"):
            raise RuntimeError("CI needs Open MPI (mpirun) and mpi4py; .ci/run installs them")
        pytest.skip("needs Open MPI and mpi4py (pip install '.[mpi]')")
    out = run("train_digits_ddp.py", "--epochs", "2", "--target", "0", "--out", str(tmp_path))
    assert "MLP on 1 rank:" in out and "1 ranks" not in out
    assert (tmp_path / "checkpoint.agc").stat().st_size > 0


def corpus_words():
    spec = importlib.util.spec_from_file_location("charlm", EXAMPLES / "charlm.py")
    charlm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(charlm)
    return set(charlm.make_corpus().split())


@pytest.mark.parametrize("script, steps", [("char_gpt.py", 240), ("char_lstm.py", 120)])
def test_char_language_model_learns_resumes_and_samples(script, steps, tmp_path):
    out = run(
        script, "--steps", str(steps), "--eval-every", str(steps // 2), "--out", str(tmp_path)
    )
    val = [float(v) for v in re.findall(r"val loss (\d+\.\d+)", out)]
    # A uniform guess over the corpus's 26 characters costs ln(26) = 3.26.
    assert len(val) == 2 and val[1] < val[0] and val[1] < 1.0, out
    sample = out.split("--- sample ---\n")[1]
    assert sample.startswith("the ") and len(sample) > 200, sample
    # The model has learnt the corpus's words: nearly every sampled word is one.
    words = sample.split()[:-1]  # the last word may be cut off
    known = corpus_words()
    assert sum(w in known for w in words) >= 0.9 * len(words), sample

    resumed = run(
        script,
        *("--resume", "--compile", "--steps", str(steps + 10), "--eval-every", "10"),
        *("--out", str(tmp_path)),
    )
    assert f"resumed from {tmp_path / 'ckpt.pt'} at step {steps}" in resumed, resumed
    assert re.search(rf"step +{steps + 10} \| train loss", resumed), resumed
