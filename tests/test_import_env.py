"""What the environment sets at import: the thread count from
AUTOGRAD_CPP_NUM_THREADS, or from OMP_NUM_THREADS / MKL_NUM_THREADS as
PyTorch reads them."""

import os
import subprocess
import sys

import pytest

from autograd_cpp import _threads
from oracle import requires_torch

VARIABLES = ("AUTOGRAD_CPP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def threads_at_import(module, **env):
    """get_num_threads() right after `import module` in a fresh interpreter
    whose environment holds exactly the given thread variables; also returns
    what it wrote to stderr."""
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environ.update(env)
    code = f"import {module}; print({module}.get_num_threads())"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1]), result.stderr


def default_threads():
    return threads_at_import("autograd_cpp")[0]


def test_omp_num_threads_is_honoured():
    assert threads_at_import("autograd_cpp", OMP_NUM_THREADS="1")[0] == 1


def test_own_variable_wins_and_is_not_capped():
    cores = default_threads()
    count, _ = threads_at_import(
        "autograd_cpp", AUTOGRAD_CPP_NUM_THREADS=str(cores + 1), OMP_NUM_THREADS="1"
    )
    assert count == cores + 1


def test_bad_values_warn_and_fall_back():
    count, err = threads_at_import("autograd_cpp", OMP_NUM_THREADS="abc")
    assert count == default_threads()
    assert "OMP_NUM_THREADS='abc'" in err and "positive integer" in err
    count, err = threads_at_import(
        "autograd_cpp", AUTOGRAD_CPP_NUM_THREADS="0", OMP_NUM_THREADS="1"
    )
    assert count == 1 and "AUTOGRAD_CPP_NUM_THREADS='0'" in err


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, None),
        ({"OMP_NUM_THREADS": "3"}, 3),
        ({"OMP_NUM_THREADS": " 3 "}, 3),
        ({"OMP_NUM_THREADS": "64"}, 8),  # capped at the cores
        ({"MKL_NUM_THREADS": "2", "OMP_NUM_THREADS": "5"}, 2),
        ({"MKL_NUM_THREADS": "-1", "OMP_NUM_THREADS": "5"}, 5),
        ({"AUTOGRAD_CPP_NUM_THREADS": "64", "OMP_NUM_THREADS": "5"}, 64),
    ],
)
def test_threads_from_environment(env, expected, recwarn):
    assert _threads.threads_from_environment(env, cores=8) == expected
    assert len(recwarn) == ("-1" in env.values())


@requires_torch
@pytest.mark.parametrize(
    "env",
    [
        {"OMP_NUM_THREADS": "1"},
        {"OMP_NUM_THREADS": "64"},
        {"OMP_NUM_THREADS": "x"},
        {"MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": "2"},
    ],
    ids=lambda env: " ".join(f"{k}={v}" for k, v in env.items()),
)
def test_same_count_as_pytorch(env):
    assert threads_at_import("autograd_cpp", **env)[0] == threads_at_import("torch", **env)[0]
