"""nn.Module: parameters, buffers and submodules registered by attribute
assignment, with PyTorch's traversal, state_dict and hook semantics."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ... import _C
from ..._capture_state import state as _capture
from ..._device import _check_device
from ..._functions import typename
from ...autograd.function import Function, FunctionCtx
from ...autograd.grad_mode import no_grad
from ..parameter import Buffer, Parameter

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Module"]

_V = TypeVar("_V")


class _IncompatibleKeys(NamedTuple):
    """What load_state_dict returns: the keys it did not find, and those it did not expect."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class _HookHandle:
    """What register_forward_hook returns; remove() detaches the hook."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Callable[..., Any]]) -> None:
        self._hooks = hooks
        self.id = _HookHandle._next_id
        _HookHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Module:
    """Base class of all layers and models.

    Subclass it, create parameters and submodules as attributes in
    ``__init__`` (after calling ``super().__init__()``), and compute the
    output in ``forward``; call the module itself (``model(x)``), which runs
    the forward hooks around ``forward``. Attributes that are
    ``nn.Parameter``, ``Module`` or registered buffers are tracked, so that:

    - ``parameters()`` / ``named_parameters()`` list every parameter of the
      module and its submodules (what an optimizer needs);
    - ``state_dict()`` / ``load_state_dict()`` save and restore parameters
      and buffers by dotted name (``"layer.weight"``), with PyTorch's keys;
    - ``train()`` / ``eval()`` switch layers such as dropout and batch norm
      between their training and evaluation behaviour (``training``);
    - ``zero_grad()``, ``requires_grad_()``, ``apply(fn)``, ``to(dtype)``,
      ``children()``, ``modules()`` and the hook registrations act on the
      whole tree.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp import nn
        >>> class TwoLayer(nn.Module):
        ...     def __init__(self, n_in, n_hidden, n_out):
        ...         super().__init__()
        ...         self.hidden = nn.Linear(n_in, n_hidden)
        ...         self.out = nn.Linear(n_hidden, n_out)
        ...
        ...     def forward(self, x):
        ...         return self.out(torch.relu(self.hidden(x)))
        >>> model = TwoLayer(4, 8, 2)
        >>> model(torch.randn(3, 4)).shape
        torch.Size([3, 2])
        >>> [name for name, _ in model.named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
        >>> model.eval().training
        False
    """

    training: bool
    # Set in __init__ (through object.__setattr__, bypassing registration).
    _parameters: OrderedDict[str, Parameter | None]
    _buffers: OrderedDict[str, _C.Tensor | None]
    _non_persistent_buffers: set[str]
    _modules: OrderedDict[str, Module | None]
    _forward_hooks: OrderedDict[int, Callable[..., Any]]
    _forward_pre_hooks: OrderedDict[int, Callable[..., Any]]
    _backward_hooks: OrderedDict[int, Callable[..., Any]]
    _backward_pre_hooks: OrderedDict[int, Callable[..., Any]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                f"'{next(iter(kwargs))}'"
            )
        if args:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional argument but "
                f"{len(args) + 1} were given"
            )
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    # ---- calling --------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if _capture.depth:
            _capture.modules.append(self)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        backward = None
        if (self.__dict__.get("_backward_hooks") or self.__dict__.get("_backward_pre_hooks")) and (
            _C.is_grad_enabled()
        ):
            backward = _BackwardHooks(self, args)
            args = backward.wrap_inputs()
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        if backward is not None:
            output = backward.wrap_outputs(output)
        return output

    def register_forward_pre_hook(
        self, hook: Callable[[Module, tuple[Any, ...]], Any]
    ) -> _HookHandle:
        handle = _HookHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(
        self, hook: Callable[[Module, tuple[Any, ...], Any], Any]
    ) -> _HookHandle:
        handle = _HookHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_full_backward_hook(
        self, hook: Callable[[Module, tuple[Any, ...], tuple[Any, ...]], Any]
    ) -> _HookHandle:
        """hook(module, grad_input, grad_output) runs once the gradients with
        respect to the module's positional tensor inputs are known; it may
        return replacements for grad_input."""
        handle = _HookHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    def register_full_backward_pre_hook(
        self, hook: Callable[[Module, tuple[Any, ...]], Any]
    ) -> _HookHandle:
        """hook(module, grad_output) runs when the gradients with respect to
        the module's outputs arrive; it may return replacements for them."""
        handle = _HookHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        return handle

    def register_backward_hook(
        self, hook: Callable[[Module, tuple[Any, ...], tuple[Any, ...]], Any]
    ) -> _HookHandle:
        """The deprecated form of register_full_backward_hook; this library
        gives it the full hook's (well-defined) gradients."""
        return self.register_full_backward_hook(hook)

    # ---- registration ---------------------------------------------------------

    def _check_name(self, name: object, kind: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            # PyTorch names the offending name for modules only.
            got = f", got: {name}" if kind == "module" else ""
            raise KeyError(f'{kind} name can\'t contain "."{got}')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{typename(param)}' object to parameter '{name}' "
                "(torch.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: _C.Tensor | None, persistent: bool = True) -> None:
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, _C.Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(torch Tensor or None required)"
            )
        if isinstance(tensor, Buffer):
            tensor = tensor._as_tensor()
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{typename(module)} is not a Module subclass")
        self._check_name(name, "module")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name: str, value: object) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._remove_from(name, self.__dict__, self._buffers, self._modules)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{typename(value)}' as parameter '{name}' "
                    "(torch.nn.Parameter or None expected)"
                )
            self.register_parameter(name, value)
        elif isinstance(value, Buffer):
            if params is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self._remove_from(name, self.__dict__, self._parameters, self._modules)
            self.register_buffer(name, value, value.persistent)
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._remove_from(name, self.__dict__, self._parameters, self._buffers)
            self._modules[name] = value
        elif "_modules" in self.__dict__ and name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(torch.nn.Module or None expected)"
                )
            self._modules[name] = value
        elif "_buffers" in self.__dict__ and name in self._buffers:
            if value is not None and not isinstance(value, _C.Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(torch.nn.Buffer, torch.Tensor or None expected)"
                )
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    @staticmethod
    def _remove_from(name: str, *dicts: dict[str, Any]) -> None:
        for d in dicts:
            if name in d:
                del d[name]

    # A registered parameter, buffer or submodule (or None registered as one):
    # which, and its type, is known only at run time.
    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = list(super().__dir__())
        return sorted(
            set(keys + list(self._parameters) + list(self._buffers) + list(self._modules))
        )

    # ---- traversal ------------------------------------------------------------

    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        if memo is None:
            memo = set()
        if remove_duplicate and id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(
        self,
        get: Callable[[Module], Iterable[tuple[str, _V | None]]],
        prefix: str,
        recurse: bool,
        remove_duplicate: bool = True,
    ) -> Iterator[tuple[str, _V]]:
        seen = set()
        modules: Iterable[tuple[str, Module]] = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in get(module):
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        yield from self._named_members(
            lambda m: m._parameters.items(), prefix, recurse, remove_duplicate
        )

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, _C.Tensor]]:
        yield from self._named_members(
            lambda m: m._buffers.items(), prefix, recurse, remove_duplicate
        )

    def buffers(self, recurse: bool = True) -> Iterator[_C.Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module | None:
        # A submodule registered as None ends the walk (or fails the next step).
        module: Any = self
        for part in target.split(".") if target else []:
            if part not in module._modules:
                raise AttributeError(f"{type(module).__name__} has no attribute `{part}`")
            module = module._modules[part]
        found: Module | None = module
        return found

    def _owner(self, target: str) -> tuple[Module, str]:
        """The submodule holding the last component of a dotted name, and that component."""
        path, _, name = target.rpartition(".")
        owner = self.get_submodule(path)
        if owner is None:
            raise AttributeError(f"{target} has no owning module")
        return owner, name

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path such as "layer1.0.weight"."""
        owner, name = self._owner(target)
        if not hasattr(owner, name):
            raise AttributeError(f"{type(owner).__name__} has no attribute `{name}`")
        if name not in owner._parameters:
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        param = owner._parameters[name]
        if param is None:
            raise AttributeError(f"`{name}` is None")
        return param

    def get_buffer(self, target: str) -> _C.Tensor:
        """The buffer at a dotted path such as "bn1.running_mean"."""
        owner, name = self._owner(target)
        if not hasattr(owner, name):
            raise AttributeError(f"{type(owner).__name__} has no attribute `{name}`")
        if name not in owner._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        buffer = owner._buffers[name]
        if buffer is None:
            raise AttributeError(f"`{name}` is None")
        return buffer

    def set_submodule(self, target: str, module: Module, strict: bool = False) -> None:
        """Replaces (or, unless strict, adds) the submodule at a dotted path."""
        if not target:
            raise ValueError("Cannot set the submodule without a target name!")
        owner, name = self._owner(target)
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        if strict and name not in owner._modules:
            raise AttributeError(f"{type(owner).__name__} has no attribute `{name}`")
        if hasattr(owner, name) and name not in owner._modules:
            raise AttributeError(f"`{name}` is not an nn.Module")
        owner.add_module(name, module)

    def share_memory(self) -> Self:
        """Accepted for PyTorch compatibility: returns the module unchanged
        (its tensors are not moved to shared memory)."""
        return self

    # ---- modes and conversions --------------------------------------------------

    def train(self, mode: bool = True) -> Self:
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Self:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_()
                p.grad.zero_()

    def apply(self, fn: Callable[[Module], object]) -> Self:
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def _apply_to_tensors(self, convert: Callable[[_C.Tensor], _C.Tensor]) -> Self:
        with no_grad():
            for m in self.modules():
                for p in m._parameters.values():
                    if p is None:
                        continue
                    new = convert(p)
                    if new is not p:
                        p.data = new
                        if p.grad is not None:
                            p.grad = convert(p.grad)
                for name, b in m._buffers.items():
                    if b is not None:
                        m._buffers[name] = convert(b)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Self:
        dtype = kwargs.get("dtype")
        _check_device(kwargs.get("device"))
        for a in args:
            if isinstance(a, _C.dtype):
                dtype = a
            elif isinstance(a, _C.Tensor):
                dtype = a.dtype
            else:
                _check_device(a)
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dtype}"
            )
        if dtype is None:
            return self
        return self._apply_to_tensors(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def float(self) -> Self:
        return self.to(_C.float32)

    def double(self) -> Self:
        return self.to(_C.float64)

    def cpu(self) -> Self:
        return self

    def cuda(self, device: object = None) -> Self:
        _check_device("cuda")  # raises PyTorch's CPU-build error
        return self

    def type(self, dst_type: _C.dtype) -> Self:
        # Unlike to(), every parameter and buffer is cast, integers included.
        return self._apply_to_tensors(lambda t: t.to(dst_type))

    # ---- state ----------------------------------------------------------------

    def state_dict(
        self,
        *,
        destination: dict[str, _C.Tensor] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> dict[str, _C.Tensor]:
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(
                    destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
                )
        return destination

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        if not hasattr(state_dict, "items"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict:
            if missing:
                errors.append(
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". "
                )
            if unexpected:
                errors.append(
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ". "
                )
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if not isinstance(value, _C.Tensor):
                errors.append(
                    f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(value)}"
                )
                continue
            if tuple(value.shape) != tuple(target.shape):
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}."
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with no_grad():
            for key, target in own.items():
                if key in state_dict:
                    target.copy_(state_dict[key])
        return _IncompatibleKeys(missing, unexpected)

    # ---- printing ---------------------------------------------------------------

    def extra_repr(self) -> str:
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, module in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(module), 2))
        main = self._get_name() + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


class _Identity(Function):
    """Passes tensors through; its backward hands their gradients to a callback."""

    @staticmethod
    def forward(ctx: FunctionCtx, callback: Callable[..., Any], *tensors: _C.Tensor) -> Any:
        ctx.callback = callback  # type: ignore[attr-defined]
        return tensors

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        new = ctx.callback(grads)  # type: ignore[attr-defined]
        return (None, *new)


class _BackwardHooks:
    """One call's backward hooks: identity nodes on the module's tensor
    inputs and outputs catch grad_input and grad_output."""

    def __init__(self, module: Module, args: tuple[Any, ...]) -> None:
        self.module, self.args = module, args
        self.positions = [
            i for i, a in enumerate(args) if isinstance(a, _C.Tensor) and a.requires_grad
        ]
        self.grad_output: tuple[Any, ...] = ()

    def wrap_inputs(self) -> tuple[Any, ...]:
        if not self.positions:
            return self.args
        wrapped = _Identity.apply(self._on_inputs, *[self.args[i] for i in self.positions])
        args = list(self.args)
        for i, t in zip(self.positions, wrapped):
            args[i] = t
        return tuple(args)

    def wrap_outputs(self, output: Any) -> Any:
        single = isinstance(output, _C.Tensor)
        outs = (output,) if single else output
        if not isinstance(outs, tuple):
            return output
        positions = [i for i, o in enumerate(outs) if isinstance(o, _C.Tensor) and o.requires_grad]
        if not positions:
            return output
        wrapped = _Identity.apply(self._on_outputs, *[outs[i] for i in positions])
        new = list(outs)
        for i, t in zip(positions, wrapped):
            new[i] = t
        self.count = len(outs)
        self.out_positions = positions
        return new[0] if single else tuple(new)

    def _on_outputs(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        full: list[Any] = [None] * self.count
        for i, g in zip(self.out_positions, grads):
            full[i] = g
        grad_output = tuple(full)
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        self.grad_output = grad_output
        if not self.positions and self.module._backward_hooks:
            # No input takes a gradient: the hooks run now, as PyTorch's do.
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients. See "
                "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.register_full_backward_hook for more details.",
                stacklevel=2,
            )
            self._run_hooks(tuple(None for _ in self.args))
        return tuple(grad_output[i] for i in self.out_positions)

    def _on_inputs(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        full: list[Any] = [None] * len(self.args)
        for i, g in zip(self.positions, grads):
            full[i] = g
        grad_input = self._run_hooks(tuple(full))
        return tuple(grad_input[i] for i in self.positions)

    def _run_hooks(self, grad_input: tuple[Any, ...]) -> tuple[Any, ...]:
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        return grad_input
