"""The thread-local state of a running capture (``autograd_cpp.compiler``).

``Module.__call__`` and ``Optimizer.step`` register themselves here while a
capture runs: the program then guards on the Python state it froze (each
module's ``training`` flag and parameters, each optimizer's hyperparameters),
so ``model.eval()`` or a learning-rate change between calls captures again
instead of replaying stale choices."""

from __future__ import annotations

import threading
from typing import Any


class CaptureState(threading.local):
    def __init__(self) -> None:
        self.depth = 0
        self.modules: list[Any] = []
        self.optimizers: list[Any] = []


state = CaptureState()
