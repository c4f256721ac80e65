"""The PyTorch test oracle. In CI (CI=true) a missing torch is an error, so
differential tests fail rather than skip; elsewhere they skip."""

import os

import pytest

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        raise
    torch = None

requires_torch = pytest.mark.skipif(
    torch is None, reason="the PyTorch oracle (pip install torch==2.13.0) is not installed"
)


def assert_same_error(call, kind=Exception):
    """``call(torch)`` and ``call(autograd_cpp)`` both raise ``kind``, of the
    same type and with the same message."""
    import autograd_cpp

    with pytest.raises(kind) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(autograd_cpp)
    assert str(ours.value) == str(theirs.value)
