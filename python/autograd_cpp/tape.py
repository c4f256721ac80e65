"""TensorFlow-style differentiation on the same engine: GradientTape,
Variable and constant.

A tape is a recording window on the one graph engine: it remembers the
graph nodes created while it records, and gradient() follows only those, so
work done before the ``with`` block, after it, or inside stop_recording()
is not differentiated.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from . import _C
from .autograd.grad_mode import no_grad

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from typing_extensions import Self

__all__ = ["GradientTape", "Variable", "constant"]

_local = threading.local()


def _active_tapes() -> list[GradientTape]:
    if not hasattr(_local, "tapes"):
        _local.tapes = []
    tapes: list[GradientTape] = _local.tapes
    return tapes


def _as_tensor(value: object, dtype: _C.dtype | None = None) -> _C.Tensor:
    if isinstance(value, _C.Tensor):
        return value if dtype is None else value.to(dtype)
    if dtype is None and isinstance(value, (float, int)) and not isinstance(value, bool):
        dtype = _C.float32 if isinstance(value, float) else _C.int32
    np = sys.modules.get("numpy")  # an ndarray can only exist once numpy is imported
    if dtype is None and np and isinstance(value, np.ndarray) and value.dtype == np.float64:
        dtype = _C.float32  # TensorFlow makes float32 tensors from Python floats
    return _C.tensor(value, dtype=dtype)


def constant(
    value: object,
    dtype: _C.dtype | None = None,
    shape: Sequence[int] | None = None,
    name: str | None = None,
) -> _C.Tensor:
    """A tensor that is never watched unless asked (tape.watch)."""
    t = _as_tensor(value, dtype)
    return t.reshape(shape) if shape is not None else t


def _list_operand(name: str) -> Callable[[_C.Tensor, object], _C.Tensor]:
    """Tensor's operator ``name``, converting a list or tuple operand first
    (TensorFlow converts Python lists in arithmetic: ``[[1., 2.]] @ w``)."""
    base = getattr(_C.Tensor, name)

    def op(self: _C.Tensor, other: object) -> _C.Tensor:
        if isinstance(other, (list, tuple)):
            other = _as_tensor(other, self.dtype)
        result: _C.Tensor = base(self, other)
        return result

    op.__name__ = name
    return op


class Variable(_C.Tensor):
    """A tensor with a name whose value can change in place (assign, ...).
    Trainable Variables are watched automatically by a tape that uses them."""

    _unnamed = 0

    def __init__(
        self,
        initial_value: object,
        trainable: bool = True,
        name: str | None = None,
        dtype: _C.dtype | None = None,
    ) -> None:
        value = _as_tensor(initial_value, dtype).detach()
        super().__init__(value.clone())
        self.trainable = bool(trainable) and value.is_floating_point()
        if self.trainable:
            self.requires_grad_(True)
        self._name = f"{name or 'Variable'}:0"

    @property
    def name(self) -> str:
        return self._name

    # TensorFlow's shape and numpy(): a plain tuple, and always a copy.
    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        return tuple(_C.Tensor.size(self))

    def numpy(self) -> NDArray[Any]:  # type: ignore[override]
        array: NDArray[Any] = self.detach().numpy().copy()
        return array

    def assign(self, value: object) -> Self:
        with no_grad():
            self.copy_(_as_tensor(value))
        return self

    def assign_add(self, delta: object) -> Self:
        with no_grad():
            self.add_(_as_tensor(delta))
        return self

    def assign_sub(self, delta: object) -> Self:
        with no_grad():
            self.sub_(_as_tensor(delta))
        return self

    for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                  "__truediv__", "__rtruediv__", "__matmul__", "__rmatmul__"):  # fmt: skip
        locals()[_name] = _list_operand(_name)
    del _name

    def __repr__(self) -> str:
        value = self.numpy()
        shape = tuple(self.shape)
        dtype = str(self.dtype).removeprefix("torch.")
        text = repr(value) if value.ndim else repr(value.item())
        if value.ndim:
            text = "\n" + text
        return f"<tf.Variable '{self._name}' shape={shape} dtype={dtype}, numpy={text}>"

    __str__ = __repr__


# Sources, targets and results are nested structures of tensors, any shape.
def _flatten(structure: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """Leaves of a nested tensor/list/tuple/dict, and a function that puts
    new leaves back in the same structure."""
    if isinstance(structure, dict):
        keys = list(structure)
        parts = [_flatten(structure[k]) for k in keys]

        def rebuild(leaves: list[Any]) -> Any:
            out: dict[Any, Any] = {}
            i = 0
            for k, (items, sub) in zip(keys, parts):
                out[k] = sub(leaves[i : i + len(items)])
                i += len(items)
            return out

        return [x for items, _ in parts for x in items], rebuild
    if isinstance(structure, (list, tuple)):
        parts = [_flatten(s) for s in structure]

        def rebuild(leaves: list[Any]) -> Any:
            out: list[Any] = []
            i = 0
            for items, sub in parts:
                out.append(sub(leaves[i : i + len(items)]))
                i += len(items)
            return type(structure)(out)

        return [x for items, _ in parts for x in items], rebuild
    return [structure], lambda leaves: leaves[0]


class GradientTape:
    """Records the operations run inside ``with GradientTape() as tape:`` and
    computes gradients of a target with respect to sources::

        x = Variable(4.0)
        with GradientTape() as tape:
            y = x ** 2
        tape.gradient(y, x)   # 8.0
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._recorder = _C._NodeRecorder()
        self._watched: list[_C.Tensor] = []
        self._used = False
        self._recording = False

    # ---- recording window --------------------------------------------------------

    def __enter__(self) -> Self:
        if self._recording:
            raise ValueError(
                "Tape is still recording, This can happen if you try to re-enter an already-active tape."
            )
        self._recorder.start()
        self._recording = True
        _active_tapes().append(self)
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self._recorder.stop()
        self._recording = False
        tapes = _active_tapes()
        if self in tapes:
            tapes.remove(self)
        return False

    class _Paused:
        def __init__(self, tape: GradientTape) -> None:
            self.tape = tape

        def __enter__(self) -> None:
            self.tape._recorder.pause()

        def __exit__(self, *exc: object) -> Literal[False]:
            self.tape._recorder.resume()
            return False

    def stop_recording(self) -> GradientTape._Paused:
        """Operations run inside ``with tape.stop_recording():`` are not
        recorded on this tape."""
        if not self._recording:
            raise RuntimeError(
                "Tape.stop_recording() can only be called while the tape is recording."
            )
        return GradientTape._Paused(self)

    def reset(self) -> None:
        """Forgets everything recorded so far (the tape keeps recording if
        it was)."""
        self._recorder.clear()
        self._watched = []
        self._used = False

    def watch(self, tensor: Any) -> None:
        """Marks tensors (or a structure of them) to be differentiated with
        respect to, even if they are not trainable Variables."""
        for t in _flatten(tensor)[0]:
            if not isinstance(t, _C.Tensor):
                raise ValueError(
                    f"Passed in object {t!r} of type {type(t).__name__!r}, not tf.Tensor or tf.Variable."
                )
            if not t.is_floating_point():
                warnings.warn(
                    f"The dtype of the watched tensor must be floating (e.g. tf.float32), got {t.dtype}",
                    stacklevel=2,
                )
                continue
            if t.is_leaf and not t.requires_grad:
                # The one engine records ops on tensors that require grad;
                # watching turns that on (it stays on, so the tape's graph
                # stays usable after the block).
                t.requires_grad_(True)
            if not any(t is w for w in self._watched):
                self._watched.append(t)

    def _is_watched(self, t: _C.Tensor) -> bool:
        if any(t is w for w in self._watched):
            return True
        return self._watch_accessed and isinstance(t, Variable) and t.trainable

    def watched_variables(self) -> tuple[Variable, ...]:
        """The Variables this tape watches: trainable ones its recorded
        operations used (unless watch_accessed_variables=False) and those
        passed to watch(), in order of first use."""
        found = [w for w in self._watched if isinstance(w, Variable)]
        if self._watch_accessed:
            for node in self._recorder.nodes():
                for fn, _ in node.next_functions:
                    if fn is None or fn._class_name != "AccumulateGrad":
                        continue
                    var = fn.variable
                    if (
                        isinstance(var, Variable)
                        and var.trainable
                        and not any(var is f for f in found)
                    ):
                        found.append(var)
        return tuple(found)

    # ---- gradients ----------------------------------------------------------------

    def _nested_recording(self) -> bool:
        return any(t is not self and t._recording for t in _active_tapes())

    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: str = "none",
    ) -> Any:
        """The gradient of ``target`` with respect to ``sources``, computed
        from the operations recorded on this tape.

        Only what ran inside the tape's ``with`` block (and outside
        ``stop_recording()``) is differentiated, and only with respect to
        watched tensors: trainable ``Variable``s used inside the block (unless
        ``watch_accessed_variables=False``) and whatever ``watch()`` was
        given. A non-persistent tape can answer once; create it with
        ``persistent=True`` to ask several times.

        Args:
            target: the tensor to differentiate, or a list of tensors, whose
                gradients are summed. A target with several elements is
                summed first (or weighted by ``output_gradients``).
            sources: what to differentiate with respect to: a tensor or
                ``Variable``, or a list, tuple or dict of them (nested
                structures too).
            output_gradients: the gradient with respect to ``target``, of its
                shape (or a list, one per target), for a vector-Jacobian
                product.
            unconnected_gradients: what a source the target does not depend
                on, or that is not watched, gets: ``"none"`` (``None``, the
                default) or ``"zero"`` (zeros of its shape).

        Returns:
            The gradients, in the structure of ``sources``.

        Raises:
            RuntimeError: when a non-persistent tape is asked a second time.
            ValueError: for an unknown ``unconnected_gradients``.

        Examples:
            >>> from autograd_cpp import tf
            >>> w = tf.Variable([[1.0, 2.0]])
            >>> b = tf.Variable(0.5)
            >>> x = tf.constant([[3.0], [4.0]])
            >>> with tf.GradientTape() as tape:
            ...     y = tf.reduce_sum(w @ x + b)
            >>> grads = tape.gradient(y, {"w": w, "b": b})
            >>> grads["w"], grads["b"]
            (tensor([[3., 4.]]), tensor(1.))
        """
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients "
                "(or jacobians). Pass all targets in one gradient() call (a list of targets is "
                "summed), or create the tape with GradientTape(persistent=True) to ask several times."
            )
        if self._recording and self._persistent:
            warnings.warn(
                "Calling GradientTape.gradient on a persistent tape inside its context is "
                "significantly less efficient than calling it outside the context.",
                stacklevel=2,
            )
        self._used = True
        leaves, rebuild = _flatten(sources)
        targets = _flatten(target)[0]
        weights: list[Any] = (
            [None] * len(targets) if output_gradients is None else _flatten(output_gradients)[0]
        )
        outs: list[_C.Tensor] = []
        grads: list[_C.Tensor] = []
        for t, w in zip(targets, weights):
            if not isinstance(t, _C.Tensor) or t.grad_fn is None and not t.requires_grad:
                continue
            outs.append(t)
            grads.append(_C.ones_like(t) if w is None else _as_tensor(w, t.dtype))
        watched = [
            i
            for i, s in enumerate(leaves)
            if isinstance(s, _C.Tensor) and s.requires_grad and self._is_watched(s)
        ]
        result: list[_C.Tensor | None] = [None] * len(leaves)
        if outs and watched:
            create_graph = self._nested_recording()
            found = _C._run_grad_recorded(
                self._recorder,
                outs,
                [leaves[i] for i in watched],
                grads,
                self._persistent or create_graph,
                create_graph,
            )
            for i, g in zip(watched, found):
                result[i] = g
        if unconnected_gradients == "zero":
            result = [
                _C.zeros_like(s) if g is None and isinstance(s, _C.Tensor) else g
                for s, g in zip(leaves, result)
            ]
        return rebuild(result)

    def jacobian(self, target: _C.Tensor, sources: Any, unconnected_gradients: str = "none") -> Any:
        """The Jacobian of ``target`` with respect to each source: shape
        target.shape + source.shape, one gradient per element of target."""
        persistent, self._persistent = self._persistent, True
        try:
            leaves, rebuild = _flatten(sources)
            flat = target.reshape(-1)
            rows: list[list[_C.Tensor | None]] = [[] for _ in leaves]
            for k in range(flat.numel()):
                onehot = _C.zeros(flat.numel(), dtype=target.dtype)
                onehot[k] = 1.0
                self._used = False
                grads = _flatten(
                    self.gradient(
                        target,
                        leaves,
                        output_gradients=onehot.reshape(tuple(target.shape)),
                        unconnected_gradients=unconnected_gradients,
                    )  # fmt: skip
                )[0]
                for i, g in enumerate(grads):
                    rows[i].append(g)
            out: list[_C.Tensor | None] = []
            for s, r in zip(leaves, rows):
                if any(g is None for g in r):
                    out.append(None)
                else:
                    out.append(_C.stack(r, 0).reshape(tuple(target.shape) + tuple(s.shape)))
            return rebuild(out)
        finally:
            self._persistent = persistent
            self._used = not persistent
