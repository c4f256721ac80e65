"""The Optimizer base class: parameter groups, per-parameter state,
zero_grad, and state_dict round trips."""

from __future__ import annotations

import copy
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias, TypeVar

from .. import _C
from .._capture_state import state as _capture
from ..autograd.grad_mode import enable_grad
from ..autograd.profiler import record_function

__all__ = ["Optimizer"]

_L = TypeVar("_L")
# Tensors to optimise, or parameter groups: dicts with "params" and options.
_Params: TypeAlias = "Iterable[_C.Tensor] | Iterable[dict[str, Any]]"


def _profiled_step(step: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(step)
    def wrapper(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        if not _C._profiler_enabled():
            return step(self, *args, **kwargs)
        with record_function(f"Optimizer.step#{type(self).__name__}.step"):
            return step(self, *args, **kwargs)

    return wrapper


def _use_grad_for_differentiable(step: Callable[..., Any]) -> Callable[..., Any]:
    """Runs an optimizer's step with grad mode on exactly when the optimizer
    was built with differentiable=True (so the update itself is recorded, as
    PyTorch's differentiable optimizers are), and off otherwise."""

    @functools.wraps(step)
    def wrapper(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        differentiable = bool(self.defaults.get("differentiable", False))
        if differentiable:
            # The step updates its state in place; a graph recorded by an
            # earlier step saved those tensors, so each step works on
            # copies (through which gradients still flow) instead.
            for state in self.state.values():
                for key, value in state.items():
                    if isinstance(value, _C.Tensor):
                        state[key] = value.clone()
        previous = _C.is_grad_enabled()
        _C._set_grad_enabled(differentiable)
        try:
            return step(self, *args, **kwargs)
        finally:
            _C._set_grad_enabled(previous)

    return wrapper


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of the optimizers.

    An optimizer holds the parameters to update, in *parameter groups*
    (dicts with a ``"params"`` list and the group's hyperparameters, such as
    ``"lr"``), plus per-parameter state (momentum buffers, moment
    estimates). ``step()`` updates the parameters from their ``.grad``;
    ``zero_grad()`` clears the gradients before the next backward.
    ``state_dict()`` and ``load_state_dict()`` save and restore everything.

    Args:
        params: the tensors to optimize (an iterable such as
            ``model.parameters()``), or an iterable of dicts, each a
            parameter group with its own options.
        defaults: the options of groups that do not set them.

    Examples:
        >>> import autograd_cpp as torch
        >>> model = torch.nn.Linear(2, 1)
        >>> opt = torch.optim.SGD([
        ...     {"params": [model.weight]},
        ...     {"params": [model.bias], "lr": 0.5},   # this group's own rate
        ... ], lr=0.1)
        >>> [group["lr"] for group in opt.param_groups]
        [0.1, 0.5]
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Under a profile, each step shows as PyTorch names it:
        # "Optimizer.step#AdamW.step" around the update's ops.
        step = cls.__dict__.get("step")
        if step is not None:
            cls.step = _profiled_step(step)  # type: ignore[method-assign]

    def __init__(self, params: _Params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[_C.Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, _C.Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {params.type()}"
            )
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        params = [params] if isinstance(params, _C.Tensor) else list(params)
        for p in params:
            if not isinstance(p, _C.Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}"
                )
            # A differentiable optimizer updates tensors inside a graph.
            if not self.defaults.get("differentiable") and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        group: dict[str, Any] = {"params": params}
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}"
                )
            group[name] = param_group.get(name, default)
        for k, v in param_group.items():
            group.setdefault(k, v)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in existing for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the gradients of every parameter, since backward adds to
        ``.grad`` rather than replacing it.

        Args:
            set_to_none: set ``.grad`` to ``None`` (the default: no memory
                is touched, and the next backward writes fresh gradients)
                rather than filling it with zeros.
        """
        if _C._profiler_enabled():
            name = type(self).__name__
            with record_function(f"Optimizer.zero_grad#{name}.zero_grad"):
                self._zero_grad(set_to_none)
        else:
            self._zero_grad(set_to_none)

    def _zero_grad(self, set_to_none: bool) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    p.grad.zero_()

    def step(self, closure: Callable[[], _L] | None = None) -> _L | None:
        """Updates every parameter that has a gradient, once.

        Args:
            closure: a function that clears the gradients, recomputes the
                loss, calls ``backward()`` and returns the loss (for
                algorithms that evaluate it more than once); it runs with
                grad mode on.

        Returns:
            The closure's loss, or ``None`` without a closure.
        """
        raise NotImplementedError

    def _run_closure(self, closure: Callable[[], _L] | None) -> _L | None:
        # Every step() starts here: a capture records that it used this
        # optimizer (and guards on its hyperparameters).
        if _capture.depth:
            _capture.optimizers.append(self)
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def state_dict(self) -> dict[str, Any]:
        """{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}
        with parameters numbered in group order, as in PyTorch."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {
            index[id(p)]: {k: v for k, v in s.items()}
            for p, s in self.state.items()
            if id(p) in index and s  # no entry for a parameter without state, as in PyTorch
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for mine, saved in zip(self.param_groups, groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
        by_index: dict[int, _C.Tensor] = {}
        for mine, saved in zip(self.param_groups, groups):
            for p, i in zip(mine["params"], saved["params"]):
                by_index[i] = p
        self.state = defaultdict(dict)
        for i, s in state_dict["state"].items():
            p = by_index[int(i)]
            restored: dict[str, Any] = {}
            for k, v in s.items():
                if isinstance(v, _C.Tensor):
                    v = v.clone() if k == "step" else v.to(p.dtype).clone()
                else:
                    v = copy.deepcopy(v)
                restored[k] = v
            self.state[p] = restored
        for mine, saved in zip(self.param_groups, groups):
            for k, v in saved.items():
                if k != "params":
                    mine[k] = v

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            if i:
                lines.append("")  # PyTorch's blank line between groups
            lines.append(f"Parameter Group {i}")
            for k in sorted(group):
                if k != "params":
                    lines.append(f"    {k}: {group[k]}")
        lines.append(")")
        return "\n".join(lines)


def _grads_of(group: dict[str, Any], name: str) -> tuple[list[_C.Tensor], list[_C.Tensor]]:
    """The params of a group that have gradients, with their gradients made
    contiguous (the fused kernels read them as flat arrays)."""
    params, grads = [], []
    for p in group["params"]:
        if p.grad is None:
            continue
        if not p.is_contiguous():
            raise RuntimeError(f"{name}: parameters must be contiguous")
        params.append(p)
        grads.append(p.grad.contiguous())
    return params, grads
