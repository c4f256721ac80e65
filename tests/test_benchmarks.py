"""The benchmark harness checks what it times: the libraries' results must
agree (a mismatch fails the run), and the training workloads compare every
gradient and updated weight, not only the loss."""

import os
import sys

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "benchmarks"))

import bench_harness  # noqa: E402
import bench_workloads  # noqa: E402

pytestmark = requires_torch


def _workload(name):
    return next(w for w in bench_workloads.WORKLOADS if w.name == name)


@pytest.mark.parametrize("name", ["mlp_step", "cnn_step"])
def test_training_steps_compare_gradients_and_updated_weights(name):
    w = _workload(name)
    ours, theirs = w.build(ag)(), w.build(torch)()
    n_params = (len(ours) - 1) // 2
    assert len(ours) == len(theirs) == 1 + 2 * n_params and n_params >= 4
    assert bench_harness._max_rel_diff(ours, theirs) <= w.rtol
    # A wrong gradient in one parameter is seen, even where the loss agrees.
    bad = list(ours)
    bad[1] = ours[1] * 1.001
    assert bench_harness._max_rel_diff(bad, theirs) > w.rtol
    bad = list(ours)
    bad[-1] = ours[-1] + 1e-3 * float(np.abs(ours[-1].detach().numpy()).max())
    assert bench_harness._max_rel_diff(bad, theirs) > w.rtol


def test_a_result_mismatch_fails_the_run():
    runs = [
        {
            "threads": 1,
            "results": [
                {"workload": "a", "metric": "m", "rtol": 1e-5, "check": {"autograd_cpp": {
                    "max_rel_diff": 1e-7, "ok": True}}},
                {"workload": "b", "metric": "m", "rtol": 1e-5, "check": {"autograd_cpp": {
                    "max_rel_diff": 3e-2, "ok": False}}},
            ],
        }
    ]  # fmt: skip
    (line,) = bench_harness.agreement_failures(runs)
    assert line.startswith("b (m, 1 thread(s)): autograd_cpp differs from torch by 3.00e-02")


def test_elementwise_rows_are_also_timed_under_torchs_thp_allocator():
    variant = {w.key for w in bench_workloads.WORKLOADS if w.torch_alloc_variant}
    elementwise = {w.key for w in bench_workloads.WORKLOADS if w.name == "elementwise"}
    assert variant == elementwise and len(variant) == 3
    assert bench_harness.TORCH_ALLOC_VARIANT == {"THP_MEM_ALLOC_ENABLE": "1"}
