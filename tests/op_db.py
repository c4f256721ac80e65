"""One row per differentiable op. Each row's `fn` takes the library module
first, so the same lambda runs on autograd_cpp and on the PyTorch oracle.

Fields:
  name      a label for test ids
  fn        fn(lib, *tensors) -> tensor
  shapes    input shape tuples to try (several to cover broadcasting)
  domain    "real", "positive" (log, sqrt, ...) or "nonzero"
  grad_fn   the node name PyTorch gives the output (None: not checked)
  second    whether second derivatives are checked
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass
class OpInfo:
    name: str
    fn: object
    shapes: list
    domain: str = "real"
    grad_fn: str | None = None
    second: bool = True
    smooth: bool = True  # finite differences are unreliable at kinks
    extra: dict = field(default_factory=dict)
    # False for a private op checked against a composite of PyTorch's: the
    # API fuzz would compare its errors with the composite's own.
    fuzz: bool = True


BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3))]


def _all_ops():
    from opinfo import math, nn, nn_more, reduce, shape

    return math.OPS + reduce.OPS + shape.OPS + nn.OPS + nn_more.OPS


def sample_values(shapes, domain, seed, np_dtype=np.float64):
    """Random inputs for an op: uniform in [-2, 2], shifted into the op's
    domain, and kept at least 0.1 away from 0 where kinks (relu, abs) sit, so
    finite differences stay valid."""
    rng = np.random.default_rng(seed)
    values = []
    for shape in shapes:
        v = rng.uniform(-2.0, 2.0, size=shape)
        if domain == "positive":
            v = np.abs(v) + 0.5
        elif domain == "nonzero":
            v = np.sign(v + 1e-3) * (np.abs(v) + 0.5)
        else:
            v = np.where(np.abs(v) < 0.1, v + 0.3, v)
        values.append(np.asarray(v).astype(np_dtype))
    return values


OPS = _all_ops()
