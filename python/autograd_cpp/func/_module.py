"""Calling a module with other parameters and buffers: functional_call and
stack_module_state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import _C
from ..nn.modules.module import Module
from ..nn.utils.stateless import _functional_call

Tensor = _C.Tensor

__all__ = ["functional_call", "stack_module_state"]


def functional_call(
    module: Module,
    parameter_and_buffer_dicts: dict[str, Tensor] | Sequence[dict[str, Tensor]],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """Calls ``module`` with its parameters and buffers replaced by the
    given tensors, then puts the originals back.

    This makes a module a function of its weights, which the transforms
    need: ``grad(lambda p, x: loss(functional_call(model, p, x)))`` is the
    gradient with respect to a dict of weights.

    Args:
        module: the module to call.
        parameter_and_buffer_dicts: a dict from dotted names (as in
            ``named_parameters``) to tensors, or a tuple of such dicts with
            distinct keys. Names not given keep the module's own tensors.
        args: the positional arguments (a single non-tuple value is one
            argument).
        kwargs: the keyword arguments.
        tie_weights: tensors tied in the module (one tensor under several
            names) stay tied: giving one name replaces all of them; giving
            different values for them is an error.
        strict: the names given must be exactly the module's parameters and
            buffers.

    Returns:
        What ``module(*args, **kwargs)`` returns.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import functional_call
        >>> lin = torch.nn.Linear(2, 1)
        >>> w = {"weight": torch.ones(1, 2), "bias": torch.zeros(1)}
        >>> functional_call(lin, w, torch.tensor([[1.0, 2.0]]))
        tensor([[3.]])
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        values = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError(
                "Expected all elements of parameter_and_buffer_dicts to be dictionaries"
            )
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(
                f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                "ambiguous"
            )
        values = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
            f"{type(parameter_and_buffer_dicts)}"
        )
    return _functional_call(module, values, args, kwargs, tie_weights=tie_weights, strict=strict)


def _stacked_leaf(tensors: Sequence[Tensor], name: str) -> Tensor:
    flags = {t.requires_grad for t in tensors}
    if len(flags) > 1:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    out = _C.stack(list(tensors))
    if True in flags:
        out = out.detach().requires_grad_(True)
    return out


def stack_module_state(
    models: Sequence[Module],
) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """Stacks the parameters and the buffers of several modules of one
    class, name by name, along a new first dimension: the state of an
    ensemble, ready for ``vmap`` over ``functional_call``.

    The stacked parameters are new leaves (they require grad where the
    originals do), unrelated to the originals' history.

    Returns:
        ``(params, buffers)``: two dicts from names to stacked tensors.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.func import stack_module_state
        >>> params, buffers = stack_module_state([torch.nn.Linear(3, 2) for _ in range(4)])
        >>> {k: tuple(v.shape) for k, v in params.items()}
        {'weight': (4, 2, 3), 'bias': (4, 2)}
    """
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    kind = type(models[0])
    if not all(type(m) is kind for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    params = {k: _stacked_leaf([p[k] for p in all_params], k) for k in all_params[0]}
    all_buffers = [dict(m.named_buffers()) for m in models]
    buffers = {k: _stacked_leaf([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers
