"""The number of threads, taken from the environment when the package is
imported.

``AUTOGRAD_CPP_NUM_THREADS`` (this library's own) wins. Otherwise, as in
PyTorch, ``MKL_NUM_THREADS`` and then ``OMP_NUM_THREADS`` are read, and their
value is capped at the number of cores (more threads than cores only
oversubscribes them). A value that is not a positive whole number is ignored
with a warning. Without any of them every core is used;
``set_num_threads`` changes the count at any time.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping

from . import _C

OWN_VARIABLE = "AUTOGRAD_CPP_NUM_THREADS"
# PyTorch's order: MKL_NUM_THREADS overrides OMP_NUM_THREADS.
PYTORCH_VARIABLES = ("MKL_NUM_THREADS", "OMP_NUM_THREADS")


def _parse(name: str, environ: Mapping[str, str]) -> int | None:
    value = environ.get(name)
    if value is None:
        return None
    try:
        count = int(value.strip())
    except ValueError:
        count = 0
    if count <= 0:
        warnings.warn(
            f"ignoring {name}={value!r}: the number of threads must be a positive integer",
            UserWarning,
            stacklevel=4,  # the package's import line
        )
        return None
    return count


def threads_from_environment(environ: Mapping[str, str], cores: int) -> int | None:
    """The thread count the environment asks for (None when it asks for none)."""
    # Every variable is read, so that each bad value is reported.
    own = _parse(OWN_VARIABLE, environ)
    counts = []
    for name in PYTORCH_VARIABLES:
        count = _parse(name, environ)
        if count is not None:
            counts.append(count)
    if own is not None:
        return own
    return min(counts[0], cores) if counts else None


def apply_environment() -> None:
    """Called once at import: sets the kernel and BLAS thread counts from the
    environment, if it names one."""
    count = threads_from_environment(os.environ, _C.get_num_threads())
    if count is not None:
        _C.set_num_threads(count)
