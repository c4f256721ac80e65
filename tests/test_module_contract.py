"""nn.Module's contract, run side by side with PyTorch: each case does the
same thing with both libraries and compares what comes out (names, values,
reprs) or the error raised (type and text). Registration, traversal with
shared members, dotted lookups, modes, conversions, state_dict round trips
and their errors, hooks."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


def outcome(lib, case):
    """What a case returns, or the error it raises as (type name, text; a
    class path names the package as torch does)."""
    try:
        return ("ok", case(lib))
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return (type(e).__name__, str(e).replace("autograd_cpp.", "torch."))


def tree(lib):
    """A module with a shared child, a shared parameter, a None child, and
    persistent and non-persistent buffers."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 3)
            self.b = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
            self.shared = self.a
            self.empty = None
            self.register_module("nothing", None)
            self.scale = nn.Parameter(lib.ones(3))
            self.register_buffer("count", lib.zeros(1, dtype=lib.int64))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)

        def forward(self, x):
            return self.b(self.a(x)) * self.scale

    return Net()


def _names(pairs):
    return [n for n, _ in pairs]


CASES = {
    # ---- registration errors
    "param_name_with_dot": lambda lib: tree(lib).register_parameter("x.y", None),
    "param_name_empty": lambda lib: tree(lib).register_parameter("", None),
    "param_name_not_str": lambda lib: tree(lib).register_parameter(3, None),
    "param_name_taken": lambda lib: tree(lib).register_parameter("a", None),
    "param_not_parameter": lambda lib: tree(lib).register_parameter("w", lib.ones(2)),
    "buffer_name_with_dot": lambda lib: tree(lib).register_buffer("x.y", None),
    "buffer_name_empty": lambda lib: tree(lib).register_buffer("", None),
    "buffer_name_taken": lambda lib: tree(lib).register_buffer("scale", None),
    "buffer_not_tensor": lambda lib: tree(lib).register_buffer("w", [1.0]),
    "module_not_module": lambda lib: tree(lib).add_module("m", lib.ones(1)),
    "module_name_with_dot": lambda lib: tree(lib).add_module("m.n", lib.nn.ReLU()),
    "module_name_empty": lambda lib: tree(lib).add_module("", lib.nn.ReLU()),
    "module_name_taken": lambda lib: tree(lib).add_module("scale", lib.nn.ReLU()),
    "tensor_over_parameter": lambda lib: setattr(tree(lib), "scale", lib.ones(3)),
    "number_over_module": lambda lib: setattr(tree(lib), "a", 3),
    "list_over_buffer": lambda lib: setattr(tree(lib), "count", [1]),
    "missing_attribute": lambda lib: tree(lib).nonexistent,
    "forward_missing": lambda lib: lib.nn.Module()(lib.ones(1)),
    "init_arguments": lambda lib: lib.nn.Module(3),
    # ---- registration that works
    "none_over_parameter": lambda lib: _names(_set(tree(lib), "scale", None).named_parameters()),
    "none_over_module": lambda lib: _names(_set(tree(lib), "a", None).named_modules()),
    "none_over_buffer": lambda lib: list(_set(tree(lib), "count", None).state_dict()),
    "tensor_over_buffer": lambda lib: _set(tree(lib), "count", lib.ones(2)).count.tolist(),
    "parameter_replaces_attribute": lambda lib: _names(
        _set(_set(tree(lib), "plain", 1), "plain", lib.nn.Parameter(lib.ones(1))).named_parameters()
    ),
    "module_replaces_parameter": lambda lib: (
        _names(_set(tree(lib), "scale", lib.nn.ReLU()).named_parameters()),
        _names(_set(tree(lib), "scale", lib.nn.ReLU()).named_children()),
    ),
    "delete_members": lambda lib: _deleted(tree(lib)),
    # ---- traversal
    "named_modules": lambda lib: _names(tree(lib).named_modules()),
    "named_modules_duplicates": lambda lib: _names(tree(lib).named_modules(remove_duplicate=False)),
    "named_modules_prefix": lambda lib: _names(tree(lib).named_modules(prefix="net")),
    "modules_count": lambda lib: len(list(tree(lib).modules())),
    "named_children": lambda lib: _names(tree(lib).named_children()),
    "children_count": lambda lib: len(list(tree(lib).children())),
    "named_parameters": lambda lib: _names(tree(lib).named_parameters()),
    "named_parameters_prefix": lambda lib: _names(tree(lib).named_parameters(prefix="p")),
    "named_parameters_local": lambda lib: _names(tree(lib).named_parameters(recurse=False)),
    "named_parameters_duplicates": lambda lib: _names(
        tree(lib).named_parameters(remove_duplicate=False)
    ),
    "parameters_local": lambda lib: [tuple(p.shape) for p in tree(lib).parameters(recurse=False)],
    "named_buffers": lambda lib: _names(tree(lib).named_buffers()),
    "named_buffers_local_prefix": lambda lib: _names(
        tree(lib).named_buffers(prefix="q", recurse=False)
    ),
    "buffers_count": lambda lib: len(list(tree(lib).buffers())),
    "dir_lists_members": lambda lib: [n for n in dir(tree(lib)) if n in ("a", "scale", "count")],
    # ---- dotted lookups
    "get_submodule": lambda lib: type(tree(lib).get_submodule("b.0")).__name__,
    "get_submodule_self": lambda lib: type(tree(lib).get_submodule("")).__name__,
    "get_submodule_missing": lambda lib: tree(lib).get_submodule("b.7"),
    "get_parameter": lambda lib: tuple(tree(lib).get_parameter("b.0.weight").shape),
    "get_parameter_missing": lambda lib: tree(lib).get_parameter("a.nope"),
    "get_parameter_not_parameter": lambda lib: tree(lib).get_parameter("count"),
    "get_parameter_of_missing_module": lambda lib: tree(lib).get_parameter("zz.weight"),
    "get_buffer": lambda lib: tree(lib).get_buffer("count").tolist(),
    "get_buffer_missing": lambda lib: tree(lib).get_buffer("b.zz"),
    "get_buffer_not_buffer": lambda lib: tree(lib).get_buffer("scale"),
    "set_submodule": lambda lib: _names(_setsub(tree(lib), "b.0", lib.nn.Tanh()).named_modules()),
    "set_submodule_new": lambda lib: _names(
        _setsub(tree(lib), "b.z", lib.nn.Tanh()).named_modules()
    ),
    "set_submodule_strict_new": lambda lib: _setsub(tree(lib), "b.z", lib.nn.Tanh(), strict=True),
    "set_submodule_empty": lambda lib: _setsub(tree(lib), "", lib.nn.Tanh()),
    "set_submodule_not_module": lambda lib: _setsub(tree(lib), "b.0", 3),
    "set_submodule_over_parameter": lambda lib: _setsub(tree(lib), "scale", lib.nn.Tanh()),
    # ---- modes and conversions
    "train_not_bool": lambda lib: tree(lib).train("yes"),
    "eval_everywhere": lambda lib: [m.training for m in tree(lib).eval().modules()],
    "train_again": lambda lib: [m.training for m in tree(lib).eval().train().modules()],
    "requires_grad_off": lambda lib: [
        p.requires_grad for p in tree(lib).requires_grad_(False).parameters()
    ],
    "to_integer": lambda lib: tree(lib).to(lib.int64),
    "to_double": lambda lib: [str(t.dtype) for t in _all(tree(lib).double())],
    "to_tensor_dtype": lambda lib: [
        str(t.dtype) for t in _all(tree(lib).to(lib.ones(1, dtype=lib.float64)))
    ],
    "to_double_then_float": lambda lib: [str(t.dtype) for t in _all(tree(lib).double().float())],
    "type_double": lambda lib: [str(t.dtype) for t in _all(tree(lib).type(lib.float64))],
    "apply_order": lambda lib: _apply_order(tree(lib)),
    # ---- state
    "state_dict_keys": lambda lib: list(tree(lib).state_dict()),
    "state_dict_prefix": lambda lib: list(tree(lib).state_dict(prefix="m.")),
    "state_dict_detached": lambda lib: [t.requires_grad for t in tree(lib).state_dict().values()],
    "state_dict_keep_vars": lambda lib: [
        t.requires_grad for t in tree(lib).state_dict(keep_vars=True).values()
    ],
    "load_missing_and_unexpected": lambda lib: tree(lib).load_state_dict(
        {**_drop(tree(lib).state_dict(), "a.bias"), "extra": lib.ones(1)}
    ),
    "load_non_strict": lambda lib: repr(
        tree(lib).load_state_dict(
            {**_drop(tree(lib).state_dict(), "a.bias"), "x": lib.ones(1)}, strict=False
        )  # fmt: skip
    ),
    "load_non_strict_fields": lambda lib: tuple(
        tree(lib).load_state_dict({"x": lib.ones(1)}, strict=False)
    ),
    "load_size_mismatch": lambda lib: tree(lib).load_state_dict(
        {**tree(lib).state_dict(), "scale": lib.ones(4)}
    ),
    "load_not_tensor": lambda lib: tree(lib).load_state_dict(
        {**tree(lib).state_dict(), "scale": [1.0, 2.0, 3.0]}
    ),
    "load_not_a_dict": lambda lib: tree(lib).load_state_dict([1, 2]),
    "load_copies_values": lambda lib: _round_trip(lib),
    # ---- printing
    "repr": lambda lib: repr(tree(lib)),
    "repr_extra_multiline": lambda lib: repr(_Multi(lib)),
}


def _set(module, name, value):
    setattr(module, name, value)
    return module


def _setsub(module, target, value, **kwargs):
    module.set_submodule(target, value, **kwargs)
    return module


def _deleted(module):
    del module.scale, module.count, module.b
    return (
        _names(module.named_parameters()),
        list(module.state_dict()),
        _names(module.named_children()),
        hasattr(module, "scale"),
    )


def _all(module):
    return list(module.parameters()) + list(module.buffers())


def _apply_order(module):
    seen = []
    module.apply(lambda m: seen.append(type(m).__name__))
    return seen


def _drop(d, key):
    return {k: v for k, v in d.items() if k != key}


def _round_trip(lib):
    lib.manual_seed(0)
    src, dst = tree(lib), tree(lib)
    with lib.no_grad():
        for i, p in enumerate(src.parameters()):
            p.fill_(i + 0.5)
        src.count.fill_(7)
    result = dst.load_state_dict(src.state_dict())
    return (
        tuple(result),
        [p.detach().numpy().tolist() for p in dst.parameters()],
        dst.count.tolist(),
        all(p.requires_grad and p.is_leaf for p in dst.parameters()),
    )


def _Multi(lib):
    class Multi(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = lib.nn.Linear(1, 1)

        def extra_repr(self):
            return "first line\nsecond line"

    return Multi()


@pytest.mark.parametrize("name", sorted(CASES))
def test_module_behaves_as_torchs(name):
    ours, theirs = outcome(ag, CASES[name]), outcome(torch, CASES[name])
    assert ours == theirs


def test_forward_hooks_change_inputs_and_outputs_and_go_away():
    def run(lib):
        lin = lib.nn.Linear(2, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
            lin.bias.zero_()
        calls = []
        pre = lin.register_forward_pre_hook(lambda m, args: args[0] * 10)  # not a tuple
        pre2 = lin.register_forward_pre_hook(lambda m, args: calls.append(args[0].tolist()))
        post = lin.register_forward_hook(lambda m, args, out: out + 1)
        post2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.tolist()))
        x = lib.tensor([[1.0, 1.0]])
        first = lin(x).tolist()
        pre.remove()
        post.remove()
        second = lin(x).tolist()
        with lin.register_forward_hook(lambda m, args, out: out * 0):
            third = lin(x).tolist()
        fourth = lin(x).tolist()
        pre2.remove()
        post2.remove()
        return first, second, third, fourth, calls

    assert run(ag) == run(torch)


def test_full_backward_hooks_see_and_replace_gradients():
    def run(lib):
        lin = lib.nn.Linear(3, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]]))
        seen = []

        def hook(module, grad_input, grad_output):
            seen.append(([g.tolist() for g in grad_input], [g.tolist() for g in grad_output]))
            return (grad_input[0] * 2,)

        def pre_hook(module, grad_output):
            seen.append([g.tolist() for g in grad_output])
            return (grad_output[0] * 3,)

        lin.register_full_backward_hook(hook)
        lin.register_full_backward_pre_hook(pre_hook)
        x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        (lin(x) * lib.tensor([[1.0, -1.0]])).sum().backward()
        return seen, x.grad.tolist(), lin.weight.grad.tolist()

    assert run(ag) == run(torch)


def test_state_dict_round_trip_between_libraries():
    t = tree(torch)
    ours = tree(ag)
    converted = {k: ag.tensor(v.numpy()) for k, v in t.state_dict().items()}
    ours.load_state_dict(converted)
    x = np.arange(4.0).reshape(2, 2).astype(np.float32)
    np.testing.assert_allclose(
        ours(ag.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1.3e-6,
        atol=1e-5,
    )  # fmt: skip


def test_zero_grad_of_a_module():
    def run(lib, set_to_none):
        m = tree(lib)
        m(lib.ones(1, 2)).sum().backward(create_graph=not set_to_none)
        m.zero_grad(set_to_none=set_to_none)
        return [
            None if p.grad is None else (p.grad.abs().sum().item(), p.grad.requires_grad)
            for p in m.parameters()
        ]

    for set_to_none in (True, False):
        assert run(ag, set_to_none) == run(torch, set_to_none)


@requires_torch
def test_module_rejects_unknown_keyword_arguments_as_torch():
    def error(lib):
        with pytest.raises(TypeError) as info:
            lib.nn.Module(depth=3)
        return str(info.value)

    assert error(ag) == error(torch)


@requires_torch
def test_non_strict_load_checks_the_keys_after_a_missing_one():
    """A key missing from the state dict is skipped; the keys after it are
    still checked (a wrong shape raises) and loaded."""

    def load(lib, wrong_shape):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Linear(3, 1))
        state = {k: lib.full_like(v, 0.5) for k, v in model.state_dict().items()}
        del state["0.weight"]
        if wrong_shape:
            state["1.weight"] = lib.zeros(2, 3)
            with pytest.raises(RuntimeError) as info:
                model.load_state_dict(state, strict=False)
            return (
                str(info.value).replace("torch.Size", "Size").replace("autograd_cpp.Size", "Size")
            )
        result = model.load_state_dict(state, strict=False)
        loaded = {k: v.tolist() for k, v in model.state_dict().items() if k != "0.weight"}
        return list(result.missing_keys), loaded

    for wrong_shape in (False, True):
        assert load(ag, wrong_shape) == load(torch, wrong_shape)
