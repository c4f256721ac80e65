"""L-BFGS: limited-memory quasi-Newton steps, optionally with a line search
satisfying the strong Wolfe conditions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .. import _C
from ..autograd.grad_mode import enable_grad, no_grad
from ._single_tensor import check_value
from .optimizer import Optimizer, _Params

_L = TypeVar("_L")
# Line-search quantities are Python floats or 0-d tensors, as in PyTorch
# (which keeps them as tensors where its formulas produce tensors).
_Num = Any

__all__ = ["LBFGS"]


def _cubic_minimum(
    x1: _Num, f1: _Num, g1: _Num, x2: _Num, f2: _Num, g2: _Num,
    bounds: tuple[_Num, _Num] | None = None,
) -> _Num:  # fmt: skip
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes
    g1 and g2, clamped to bounds (default: the interval); the midpoint when
    the cubic has no minimum."""
    if bounds is None:
        bounds = (x1, x2) if x1 <= x2 else (x2, x1)
    low, high = bounds
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = d2_square.sqrt() if isinstance(d2_square, _C.Tensor) else d2_square**0.5
    if x1 <= x2:
        at = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        at = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(at, low), high)


def _strong_wolfe(
    evaluate: Callable[[_Num], tuple[float, _C.Tensor]],
    t: _Num,
    d: _C.Tensor,
    f: float,
    g: _C.Tensor,
    gtd: _C.Tensor,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, _C.Tensor, _Num, int]:
    """A step t along d meeting the strong Wolfe conditions (sufficient
    decrease c1, curvature c2): bracket, then zoom by cubic interpolation.
    Returns the loss and flat gradient there, t and the evaluations spent."""
    d_norm = d.abs().max()
    g = g.clone()
    f_new, g_new = evaluate(t)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    # Bracketing: grow t until the interval holds a point meeting the conditions.
    bracket: list[_Num] = []
    bracket_f: list[float] = []
    bracket_g: list[_C.Tensor] = []
    bracket_gtd: list[_Num] = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        # Extrapolate within [t + 0.01 (t - t_prev), 10 t].
        bounds = (t + 0.01 * (t - t_prev), t * 10)
        t_prev, t = t, _cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds)
        f_prev, g_prev, gtd_prev = f_new, g_new.clone(), gtd_new
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # Zoom: shrink the bracket until a point meets the conditions.
    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # Too close to an end of the bracket: move away from it (after one
        # such step, or when t left the bracket).
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insufficient_progress or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.clone(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.clone(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS(Optimizer):
    """L-BFGS (after minFunc): each ``step(closure)`` runs up to max_iter
    quasi-Newton iterations from the last history_size curvature pairs,
    stepping lr along the direction or, with line_search_fn="strong_wolfe",
    as far as a strong-Wolfe line search finds. One parameter group only;
    the closure re-evaluates the model, calls backward and returns the loss."""

    def __init__(
        self,
        params: _Params,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_value(0.0 <= lr, "learning rate", lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)  # fmt: skip
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[_C.Tensor] = self.param_groups[0]["params"]

    def _flat_grad(self) -> _C.Tensor:
        parts = []
        for p in self._params:
            grad = p.grad
            parts.append(_C.zeros(p.numel(), dtype=p.dtype) if grad is None else grad.reshape(-1))
        return _C.cat(parts, 0)

    def _move(self, step: _Num, direction: _C.Tensor) -> None:
        """params += step * direction (direction flat, in parameter order)."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(direction[offset : offset + n].view_as(p), alpha=float(step))
            offset += n

    def _evaluate(self, closure: Callable[[], Any]) -> float:
        with enable_grad():
            return float(closure())

    @no_grad()
    def step(self, closure: Callable[[], _L]) -> _L:  # type: ignore[override]
        """Runs up to max_iter iterations; returns the closure's first loss."""
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search, history_size = group["line_search_fn"], group["history_size"]
        if line_search is not None and line_search != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")

        # The whole state lives with the first parameter, as in PyTorch.
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            first_loss = closure()
        loss = float(first_loss)  # type: ignore[arg-type]
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:
            return first_loss

        # Carried over from the previous step (None before the first).
        d: Any = state.get("d")
        t: Any = state.get("t")
        old_dirs: Any = state.get("old_dirs")
        old_stps: Any = state.get("old_stps")
        ro: Any = state.get("ro")
        H_diag: Any = state.get("H_diag")
        prev_flat_grad: Any = state.get("prev_flat_grad")
        prev_loss: Any = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            # The direction: steepest descent at first, then the two-loop
            # recursion over the stored curvature pairs.
            if state["n_iter"] == 1:
                d = flat_grad.neg()
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                count = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = flat_grad.neg()
                for i in range(count - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q.add_(old_dirs[i], alpha=-float(al[i]))
                d = r = _C.mul(q, H_diag)
                for i in range(count):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r.add_(old_stps[i], alpha=float(al[i] - be_i))

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # The first step is scaled down to at most lr / |g|_1.
            if state["n_iter"] == 1:
                first: Any = min(1.0, 1.0 / flat_grad.abs().sum())
                t = first * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break

            spent = 0
            if line_search is not None:
                start = [p.clone() for p in self._params]

                def along(
                    step: _Num, d: _C.Tensor = d, start: list[_C.Tensor] = start
                ) -> tuple[float, _C.Tensor]:
                    self._move(step, d)
                    value = self._evaluate(closure)
                    grad = self._flat_grad()
                    for p, saved in zip(self._params, start):
                        p.copy_(saved)
                    return value, grad

                loss, flat_grad, t, spent = _strong_wolfe(
                    along, t, d, loss, flat_grad, gtd, max_ls=max_eval - evals
                )
                self._move(t, d)
                converged = bool(flat_grad.abs().max() <= tolerance_grad)
            else:
                self._move(t, d)
                converged = False
                if n_iter != max_iter:
                    loss = self._evaluate(closure)
                    flat_grad = self._flat_grad()
                    converged = bool(flat_grad.abs().max() <= tolerance_grad)
                    spent = 1
            evals += spent
            state["func_evals"] += spent

            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if d.mul(t).abs().max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)  # fmt: skip
        return first_loss
