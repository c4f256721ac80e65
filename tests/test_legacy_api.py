"""PyTorch's deprecated spellings that older programs still use: the
alpha-first overloads add_(alpha, other) / sub_(alpha, other) (values, and
PyTorch's warning, once per process)."""

import os
import subprocess
import sys
import warnings

import numpy as np

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


def test_alpha_first_overloads_compute_like_torch():
    a = np.array([1.0, -2.0, 3.0])
    g = np.array([0.5, 0.25, -1.0])
    ours, theirs = ag.tensor(a), torch.tensor(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.add_(-0.1, ag.tensor(g)).sub_(2, ag.tensor(g))
        theirs.add_(-0.1, torch.tensor(g)).sub_(2, torch.tensor(g))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    # the SGD step of the word language model example, on .data
    w = ag.ones(3, requires_grad=True)
    (w * ag.tensor(g)).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w.data.add_(-0.5, w.grad.data)
    np.testing.assert_array_equal(w.detach().numpy(), 1 - 0.5 * g)


def test_alpha_first_overloads_warn_once_like_torch():
    code = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "import {lib} as t\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    x = t.ones(2)\n"
        "    x.add_(2, t.ones(2)); x.add_(2, t.ones(2))\n"
        "    print(repr([str(m.message).split(' (Triggered')[0] for m in w]))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = {
        lib: subprocess.run(
            [sys.executable, "-c", code.format(lib=lib)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        for lib in ("autograd_cpp", "torch")
    }
    assert out["autograd_cpp"] == out["torch"]
    assert "add_(Number alpha, Tensor other)" in out["torch"]
