"""What the compile tests share: comparing a compiled function's results
with eager's (bit for bit, or within fusion's tolerance), and reading a
compiled function's programs and fallback reasons."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import autograd_cpp as ag

# Fused replays may reorder how a value's gradient contributions are summed.
RTOL = 1e-6


def close(a: Any, b: Any, exact: bool = False) -> None:
    """Equal structure; tensors bit-identical if exact, else equal within
    RTOL; the same requires_grad and grad_fn name."""
    if isinstance(a, ag.Tensor):
        assert isinstance(b, ag.Tensor)
        assert a.dtype == b.dtype and a.shape == b.shape
        x, y = a.detach().numpy(), b.detach().numpy()
        if exact:
            assert x.tobytes() == y.tobytes(), (x, y)
        else:
            # In float32 a gradient summed from many terms can cancel to a
            # value far below its terms: there 1e-6 is taken relative to
            # the largest element (float64 holds it per element).
            scale = float(np.abs(x).max()) if x.size and x.dtype == np.float32 else 0.0
            np.testing.assert_allclose(y, x, rtol=RTOL, atol=max(1e-12, RTOL * scale))
        assert a.requires_grad == b.requires_grad
        assert (a.grad_fn is None) == (b.grad_fn is None)
        if a.grad_fn is not None:
            assert a.grad_fn.name() == b.grad_fn.name()
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for u, v in zip(a, b):
            close(u, v, exact)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            close(a[k], b[k], exact)
    else:
        assert a == b


def same(a: Any, b: Any) -> None:
    """a and b hold the same structure and bit-identical tensors."""
    close(a, b, exact=True)


def run_both(
    fn: Callable[..., Any], make_args: Callable[[int], tuple[Any, ...]], steps: int = 5
) -> Any:
    """Calls fn eagerly and compiled on equal arguments for several steps and
    compares every result bit for bit; returns the compiled function."""
    cf = ag.compile(fn)
    for i in range(steps):
        same(fn(*make_args(i)), cf(*make_args(i)))
    return cf


def program_count(f: Callable[..., Any]) -> int:
    return f._compiled_function.count  # type: ignore[attr-defined, no-any-return]


def failures(f: Callable[..., Any]) -> list[str]:
    return [r for rs in f._compiled_function.failures.values() for r in rs]  # type: ignore[attr-defined]


def step_names(f: Callable[..., Any]) -> list[str]:
    cf = f._compiled_function  # type: ignore[attr-defined]
    return [n for entries in cf.programs.values() for p, _, _ in entries for n in p.step_names()]


@contextmanager
def fusion(enabled: bool) -> Iterator[None]:
    before = ag._C._compile_fusion()
    ag._C._compile_set_fusion(enabled)
    try:
        yield
    finally:
        ag._C._compile_set_fusion(before)


def leaves_like(data: list[np.ndarray], dtype: Any) -> list[ag.Tensor]:
    return [ag.tensor(d, dtype=dtype, requires_grad=True) for d in data]


def compare(
    fn: Callable[..., Any],
    data: list[np.ndarray],
    extra: tuple[Any, ...] = (),
    dtype: Any = ag.float64,
    calls: int = 5,
    exact: bool = False,
) -> Callable[..., Any]:
    """Runs fn eagerly and compiled on equal leaves made from data for
    several calls (every other call keeps .grad, so gradients accumulate)
    and compares outputs and every leaf's .grad after each call."""
    eager_leaves, comp_leaves = leaves_like(data, dtype), leaves_like(data, dtype)
    cf = ag.compile(fn)
    for i in range(calls):
        if i % 2 == 0:
            for x in eager_leaves + comp_leaves:
                x.grad = None
        close(fn(*eager_leaves, *extra), cf(*comp_leaves, *extra), exact)
        for a, b in zip(eager_leaves, comp_leaves):
            close(a.grad, b.grad, exact)
    return cf
