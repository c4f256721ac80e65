"""Finite-difference checks of analytical gradients."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import _C

if TYPE_CHECKING:
    from numpy.typing import NDArray


class GradcheckError(RuntimeError):
    """Raised when analytical and numerical Jacobians disagree."""


def _as_tuple(x: object) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable_outputs(
    func: Callable[..., Any], inputs: Sequence[Any]
) -> tuple[list[_C.Tensor], list[int]]:
    """The outputs that require grad, and their positions among func's."""
    outputs = _as_tuple(func(*inputs))
    positions = [k for k, o in enumerate(outputs) if isinstance(o, _C.Tensor) and o.requires_grad]
    return [outputs[k] for k in positions], positions


def _numerical_jacobians(
    func: Callable[..., Any], inputs: Sequence[Any], wrt: list[int], eps: float
) -> list[NDArray[Any] | None]:
    """Central differences: one Jacobian (numel(out) x numel(in)) per pair.
    Inputs are perturbed through a numpy view of their memory; func runs
    with grad mode on, since it may itself differentiate (gradgradcheck)."""
    import numpy as np

    jacobians: list[NDArray[Any] | None] = []
    for i in wrt:
        x = inputs[i]
        flat = x.data._numpy_view().reshape(-1) if x.is_contiguous() else None
        if flat is None:
            raise ValueError("gradcheck needs contiguous inputs")
        columns = []
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = [o.detach().clone() for o in _as_tuple(func(*inputs))]
            flat[k] = orig - eps
            minus = [o.detach().clone() for o in _as_tuple(func(*inputs))]
            flat[k] = orig
            columns.append(
                np.concatenate(
                    [((p - m) / (2 * eps))._numpy_view().reshape(-1) for p, m in zip(plus, minus)]
                )
            )
        jacobians.append(np.stack(columns, axis=1) if columns else None)
    return jacobians


def _analytical_jacobians(
    outputs: list[_C.Tensor], inputs: Sequence[Any], wrt: list[int]
) -> list[NDArray[Any]]:
    """Rows of the Jacobian by backpropagating one-hot output gradients."""
    import numpy as np

    from . import grad

    total = sum(o.numel() for o in outputs)
    rows = {i: np.zeros((total, inputs[i].numel())) for i in wrt}
    row = 0
    for o in outputs:
        for k in range(o.numel()):
            seed = _C.zeros_like(o)
            seed.view(-1)[k] = 1.0
            grads = grad(
                [o],
                [inputs[i] for i in wrt],
                [seed],
                retain_graph=True,
                allow_unused=True,
            )
            for i, g in zip(wrt, grads):
                if g is not None:
                    rows[i][row] = g.detach().contiguous()._numpy_view().reshape(-1)
            row += 1
    return [rows[i] for i in wrt]


def _forward_jacobians(
    func: Callable[..., Any], inputs: Sequence[Any], wrt: list[int], positions: list[int]
) -> list[NDArray[Any]]:
    """Columns of the Jacobian by forward AD: one dual pass per input
    element, with a one-hot tangent on that input."""
    import numpy as np

    from . import forward_ad as fwAD

    jacobians = []
    for i in wrt:
        x = inputs[i]
        columns = []
        for k in range(x.numel()):
            one_hot = _C.zeros_like(x)
            one_hot.view(-1)[k] = 1.0
            with fwAD.dual_level():
                args = list(inputs)
                args[i] = fwAD.make_dual(x.detach(), one_hot)
                outs = _as_tuple(func(*args))
                parts = []
                for o in (outs[k] for k in positions):
                    tangent = fwAD.unpack_dual(o).tangent
                    value = _C.zeros_like(o) if tangent is None else tangent
                    parts.append(value.detach().contiguous()._numpy_view().reshape(-1).copy())
            columns.append(np.concatenate(parts) if parts else np.zeros(0))
        jacobians.append(np.stack(columns, axis=1) if columns else np.zeros((0, 0)))
    return jacobians


def _first_mismatch(
    computed: list[NDArray[Any]],
    numerical: list[NDArray[Any] | None],
    wrt: list[int],
    outputs: list[_C.Tensor],
    rtol: float,
    atol: float,
    what: str,
) -> str | None:
    """The message for the first element where the Jacobians differ."""
    import numpy as np

    for i, a, n in zip(wrt, computed, numerical):
        if n is None:
            continue
        # A NaN anywhere is a mismatch, as in PyTorch: it hides any check.
        bad = ~np.isclose(a, n, rtol=rtol, atol=atol, equal_nan=False)
        if bad.any():
            row, in_idx = (int(v) for v in np.argwhere(bad)[0])
            # Rows run over the outputs one after another.
            sizes = np.cumsum([o.numel() for o in outputs])
            out_nr = int(np.searchsorted(sizes, row, side="right"))
            out_idx = row - (int(sizes[out_nr - 1]) if out_nr else 0)
            return (
                f"Jacobian{what} mismatch for output {out_nr} with respect to input {i}, "
                f"element {in_idx} (output element {out_idx}):\n"
                f"numerical: {n[row, in_idx]!r}\nanalytical: {a[row, in_idx]!r}\n\n"
                f"numerical Jacobian:\n{n}\nanalytical Jacobian:\n{a}"
            )
    return None


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
) -> bool:
    """Compares the gradients autograd computes for ``func`` at ``inputs``
    with central finite differences. Inputs that require grad should be
    float64. Returns True, or raises GradcheckError naming the input and the
    first mismatching element (False instead with raise_exception=False).

    ``check_forward_ad=True`` also checks the Jacobian computed by forward
    AD (autograd.forward_ad), one column per input element;
    ``check_backward_ad=False`` skips the reverse-mode check."""
    inputs = _as_tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, _C.Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor that requires grad")
    for i in wrt:
        if inputs[i].dtype != _C.float64:
            import warnings

            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating "
                "point tensor; gradcheck may fail from rounding.",
                UserWarning,
                stacklevel=2,
            )
    outputs, positions = _differentiable_outputs(func, inputs)
    if not outputs:
        raise ValueError("gradcheck: the function returned no output that requires grad")
    numerical = _numerical_jacobians(func, inputs, wrt, eps)
    checks = []
    if check_backward_ad:
        checks.append(("", _analytical_jacobians(outputs, inputs, wrt)))
    if check_forward_ad:
        forward = _forward_jacobians(func, inputs, wrt, positions)
        checks.append((" computed with forward mode", forward))
    for what, computed in checks:
        message = _first_mismatch(computed, numerical, wrt, outputs, rtol, atol + nondet_tol, what)
        if message is not None:
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: _C.Tensor | Sequence[_C.Tensor] | None = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Checks second derivatives: gradcheck of the function that maps inputs
    (and output gradients) to the first derivatives, built with
    create_graph=True."""
    from . import grad

    inputs = _as_tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, _C.Tensor) and x.requires_grad]
    outputs = _differentiable_outputs(func, inputs)[0]
    if grad_outputs is None:
        _C.manual_seed(0)
        grad_outputs = [
            _C.randn(tuple(o.shape), dtype=o.dtype).requires_grad_(True) for o in outputs
        ]
    grad_outputs = list(_as_tuple(grad_outputs))
    n_in = len(inputs)

    def first_derivatives(*args: Any) -> tuple[_C.Tensor, ...]:
        ins, gos = args[:n_in], args[n_in:]
        outs = _differentiable_outputs(func, ins)[0]
        grads = grad(
            outs,
            [ins[i] for i in wrt],
            list(gos),
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        tuple(inputs) + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
