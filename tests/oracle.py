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
