"""Parametrizations: a module's tensor computed on access from "original"
tensors by a chain of modules (``register_parametrization``), as
torch.nn.utils.parametrize provides. The module's class is swapped for a
``Parametrized<Class>`` subclass carrying a property per parametrized name;
the originals live in ``module.parametrizations[name]``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from ... import _C
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = [
    "ParametrizationList", "register_parametrization", "remove_parametrizations",
    "is_parametrized", "type_before_parametrizations", "cached",
]  # fmt: skip

_cache_enabled = 0
_cache: dict[tuple[int, str], _C.Tensor] = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Within the block each parametrized tensor is computed once and reused."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _register(module: Module, name: str, value: _C.Tensor) -> None:
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


def _set_values(dest: _C.Tensor, src: _C.Tensor) -> None:
    """dest takes src's values (and shape), in place."""
    if tuple(dest.shape) == tuple(src.shape):
        dest.copy_(src)
    else:
        dest.data = src.detach().clone()


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order to the
    originals (``original``, or ``original0``, ``original1``... when the
    first parametrization's right_inverse returns several tensors)."""

    def __init__(
        self, modules: Sequence[Module], original: _C.Tensor, unsafe: bool = False
    ) -> None:
        if not modules:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        new: Any = original
        with no_grad():
            for module in reversed(list(self)):
                inverse = getattr(module, "right_inverse", None)
                if inverse is not None:
                    new = inverse(new)
        if not isinstance(new, (_C.Tensor, tuple, list)):
            raise ValueError(
                "'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                f"Got {type(new).__name__}"
            )
        self.is_tensor = isinstance(new, _C.Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if isinstance(new, _C.Tensor):
            if new is not original:
                with no_grad():
                    _set_values(original, new)
            _register(self, "original", original)
        else:
            for i, value in enumerate(new):
                tensor = value.detach().clone() if isinstance(value, _C.Tensor) else value
                if isinstance(original, Parameter):
                    tensor = Parameter(tensor, original.requires_grad)
                else:
                    tensor.requires_grad_(original.requires_grad)
                _register(self, f"original{i}", tensor)

    def right_inverse(self, value: _C.Tensor) -> None:
        """Sets the originals so that the parametrized tensor becomes value."""
        new: Any = value
        with no_grad():
            for module in reversed(list(self)):
                inverse = getattr(module, "right_inverse", None)
                if inverse is None:
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement right_inverse."
                    )
                new = inverse(new)
            if self.is_tensor:
                _set_values(self.original, new)
            else:
                for i, part in enumerate(new):
                    _set_values(getattr(self, f"original{i}"), part)

    def forward(self) -> _C.Tensor:
        modules = list(self)
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        result: _C.Tensor = x
        return result


def _inject_property(module: Module, name: str) -> None:
    def get(self: Any) -> _C.Tensor:
        parametrization = self.parametrizations[name]
        if _cache_enabled:
            key = (id(self), name)
            if key not in _cache:
                _cache[key] = parametrization()
            return _cache[key]
        result: _C.Tensor = parametrization()
        return result

    def set_(self: Any, value: _C.Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    setattr(type(module), name, property(get, set_))


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether module has parametrizations (on tensor_name, when given)."""
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before any parametrization."""
    cls = type(module)
    return cls.__bases__[0] if is_parametrized(module) else cls


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Makes module.<tensor_name> the output of parametrization applied to
    the current tensor (or to what its right_inverse gives); a second call
    on the same name chains another parametrization."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        chain: Any = module.parametrizations[tensor_name]
        chain.append(parametrization)
        chain.unsafe |= unsafe
        return module
    if tensor_name not in module._parameters and tensor_name not in module._buffers:
        raise ValueError(
            f"Module '{module}' does not have a parameter, a buffer, or a parametrized element "
            f"with name '{tensor_name}'"
        )
    original = getattr(module, tensor_name)
    chain = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        cls = type(module)
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})
        module.parametrizations = ModuleDict()
    _inject_property(module, tensor_name)
    module.parametrizations[tensor_name] = chain
    return module


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Removes the parametrizations on tensor_name; the tensor becomes a
    plain parameter (or buffer) holding its current parametrized value
    (leave_parametrized) or its original."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    chain: Any = module.parametrizations[tensor_name]
    if chain.is_tensor:
        original = chain.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
                _set_values(original, value)
    else:
        if not leave_parametrized:
            raise ValueError(
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                "parametrized in terms of a sequence of tensors."
            )
        with no_grad():
            value = getattr(module, tensor_name)
        requires_grad = chain.original0.requires_grad
        if isinstance(chain.original0, Parameter):
            original = Parameter(value.detach().clone(), requires_grad)
        else:
            original = value.detach().clone().requires_grad_(requires_grad)
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        del module._modules["parametrizations"]
        module.__class__ = type(module).__bases__[0]
    return module
