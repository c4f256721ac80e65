"""Calling a module with some of its parameters and buffers replaced
(functional_call): the replacements are swapped in for the call and the
originals restored after, so gradients flow to the tensors passed in."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

from ... import _C
from ..modules.module import Module

__all__ = ["functional_call"]


def _owner(module: Module, name: str) -> tuple[Module, str]:
    path, _, leaf = name.rpartition(".")
    owner = module.get_submodule(path)
    if owner is None:
        raise AttributeError(f"{name}: its owning module is None")
    return owner, leaf


@contextlib.contextmanager
def _reparametrize_module(
    module: Module,
    parameters_and_buffers: Mapping[str, _C.Tensor],
    tie_weights: bool = True,
    strict: bool = False,
) -> Iterator[None]:
    """Within the block, module's named tensors are the given ones (with
    tie_weights, every name sharing a tensor with a replaced one too)."""
    replacements = dict(parameters_and_buffers)
    if tie_weights:
        by_id: dict[int, list[str]] = {}
        named: list[tuple[str, _C.Tensor]] = list(module.named_parameters(remove_duplicate=False))
        named += list(module.named_buffers(remove_duplicate=False))
        for name, tensor in named:
            by_id.setdefault(id(tensor), []).append(name)
        for names in by_id.values():
            given = [n for n in names if n in parameters_and_buffers]
            if len({id(parameters_and_buffers[n]) for n in given}) > 1:
                raise ValueError(
                    f"functional_call got multiple values for keys {sorted(given)}, which are "
                    "tied. Consider using tie_weights=False"
                )
            for n in names:
                if given and n not in replacements:
                    replacements[n] = parameters_and_buffers[given[0]]
    if strict:
        own = [n for n, _ in module.named_parameters(remove_duplicate=False)]
        own += [n for n, _ in module.named_buffers(remove_duplicate=False)]
        unexpected = [k for k in replacements if k not in own]
        missing = sorted(k for k in own if k not in replacements)
        if unexpected or missing:
            lines = []
            if unexpected:
                lines.append("Unexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
            if missing:
                lines.append("Missing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
            raise RuntimeError(
                f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(lines)
            )
    # An instance attribute shadows the registered tensor for attribute
    # access (Module.__getattr__ is consulted only when it is absent), so the
    # registries, and the state_dict order, stay as they are.
    shadowed: list[tuple[Module, str, bool, Any]] = []
    try:
        for name, tensor in replacements.items():
            owner, leaf = _owner(module, name)
            had = leaf in owner.__dict__
            shadowed.append((owner, leaf, had, owner.__dict__.get(leaf)))
            object.__setattr__(owner, leaf, tensor)
        yield
    finally:
        for owner, leaf, had, previous in reversed(shadowed):
            if had:
                object.__setattr__(owner, leaf, previous)
            else:
                owner.__dict__.pop(leaf, None)


def _functional_call(
    module: Module,
    parameters_and_buffers: Mapping[str, _C.Tensor],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights, strict):
        return module(*args, **(kwargs or {}))


def functional_call(
    module: Module,
    parameters_and_buffers: Mapping[str, _C.Tensor],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """module(*args, **kwargs) with the given tensors in place of its
    parameters and buffers of the same (dotted) names, for this call only."""
    warnings.warn(
        "`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be "
        "removed in a future version of PyTorch. Please use `torch.func.functional_call` "
        "instead which is a drop-in replacement.",
        FutureWarning,
        stacklevel=2,
    )
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)  # fmt: skip
