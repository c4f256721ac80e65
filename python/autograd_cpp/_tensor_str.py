"""Text rendering of dense CPU tensors, matching PyTorch 2.13's ``repr()``.

Everything works on numpy arrays so printing needs no help from the C++ core.
The layout rules (one shared element width, int/float/scientific mode choice,
summarization, line wrapping, suffix placement) follow torch's observable output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = ["format_tensor", "get_printoptions", "set_printoptions"]

_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

# Values: ints, except threshold (may be inf) and sci_mode (a bool or None).
_options: dict[str, Any] = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change print options; same semantics as ``torch.set_printoptions``."""
    if profile is not None:
        # torch silently ignores unknown profile names.
        _options.update(_PROFILES.get(profile, {}))
    given = {
        "precision": precision,
        "threshold": threshold,
        "edgeitems": edgeitems,
        "linewidth": linewidth,
    }
    _options.update({key: val for key, val in given.items() if val is not None})
    # Unlike the other options, sci_mode is reset to automatic on every call.
    _options["sci_mode"] = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Current options as a dict that can be passed back to set_printoptions."""
    return dict(_options)


class _ElementFormat:
    """One fixed-width layout shared by all printed elements of a tensor."""

    def __init__(self, data: NDArray[Any], is_float: bool) -> None:
        import numpy as np  # numpy loads on first print, not on `import autograd_cpp`

        self.is_float = is_float
        self.precision: int = _options["precision"]
        self.integral = True
        self.sci = False
        self.width = 1
        flat = data.reshape(-1)
        if not is_float:
            self.width = max([1] + [len(str(v)) for v in flat.tolist()])
            return
        # Zeros and non-finite values neither pick the mode nor set the width.
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return
        mags = np.abs(shown).astype(np.float64)
        lo, hi = float(mags.min()), float(mags.max())
        self.integral = bool(np.all(shown == np.ceil(shown)))
        forced = _options["sci_mode"]
        if forced is None:
            self.sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci = bool(forced)
        self.width = max(len(self._plain(v)) for v in shown.tolist())

    def _plain(self, value: float) -> str:
        if self.sci:
            return f"{value:.{self.precision}e}"
        if self.integral:
            # A trailing "." marks an integral float; nan/inf need no marker.
            text = f"{value:.0f}"
            return text + "." if math.isfinite(value) else text
        return f"{value:.{self.precision}f}"

    def __call__(self, value: float) -> str:
        text = self._plain(value) if self.is_float else str(value)
        return text.rjust(self.width)


def _edge_subset(arr: NDArray[Any], edge: int) -> NDArray[Any]:
    """The elements a summarized print shows: `edge` items at each end of every axis."""
    import numpy as np

    for axis, n in enumerate(arr.shape):
        if n > 2 * edge:
            arr = arr.take(np.r_[0:edge, n - edge : n], axis=axis)
    return arr


def _render(arr: NDArray[Any], indent: int, summarize: bool, fmt: _ElementFormat) -> str:
    """Nested-bracket body; `indent` is the column of this block's opening bracket."""
    if arr.ndim == 0:
        return fmt(arr.item())
    edge: int = _options["edgeitems"]
    n = arr.shape[0]
    cut = summarize and n > 2 * edge
    if arr.ndim == 1:
        if summarize and not edge:
            items = ["..."]
        elif cut:
            head, tail = arr[:edge].tolist(), arr[n - edge :].tolist()
            items = [fmt(v) for v in head] + [" ..."] + [fmt(v) for v in tail]
        else:
            items = [fmt(v) for v in arr.tolist()]
        # Each element costs its width plus ", "; the "..." marker counts as one.
        per_line = max(1, math.floor((_options["linewidth"] - indent) / (fmt.width + 2)))
        rows = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(rows) + "]"
    picks: Iterable[int | None] = [*range(edge), None, *range(n - edge, n)] if cut else range(n)
    parts = ["..." if i is None else _render(arr[i], indent + 1, summarize, fmt) for i in picks]
    # Deeper blocks are separated by more blank lines (ndim - 2 of them).
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(parts) + "]"


def _close(text: str, suffixes: list[str], indent: int) -> str:
    """Append ", suffix" items, wrapping onto new lines past the line width."""
    # torch's estimate of the current column is two more than the true one; kept
    # deliberately so that wrapping decisions match.
    column = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if column + len(suffix) + 2 > _options["linewidth"]:
            text += ",\n" + " " * indent + suffix
            column = indent + len(suffix)
        else:
            text += ", " + suffix
            column += len(suffix) + 2
    return text + ")"


def format_tensor(
    values: ArrayLike,
    dtype_name: str,
    *,
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
    prefix: str = "tensor(",
    default_float: str = "float32",
) -> str:
    """Render `values` (a numpy array) exactly as torch's repr() of a CPU tensor of `dtype_name`.

    Continuation lines are indented to the column after `prefix` (its last line when
    it spans several, e.g. "Parameter containing:\\ntensor(").
    """
    import numpy as np

    arr = np.asarray(values, dtype=dtype_name)  # our dtype names are numpy's
    indent = len(prefix) - prefix.rfind("\n") - 1
    size = f"size={tuple(arr.shape)}"
    dtype = f"dtype=torch.{dtype_name}"
    suffixes = []
    if arr.size == 0:
        # Nothing to infer the dtype from, so any non-default dtype is shown
        # (int64 and bool included); the shape is shown unless it is (0,).
        if arr.ndim != 1:
            suffixes.append(size)
        if dtype_name != default_float:
            suffixes.append(dtype)
        body = "[]"
    else:
        if not _options["edgeitems"]:
            suffixes.append(size)
        if dtype_name not in (default_float, "int64", "bool"):
            suffixes.append(dtype)
        summarize = arr.size > _options["threshold"]
        sample = _edge_subset(arr, _options["edgeitems"]) if summarize else arr
        fmt = _ElementFormat(sample, dtype_name.startswith("float"))
        body = _render(arr, indent, summarize, fmt)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _close(prefix + body, suffixes, indent)
