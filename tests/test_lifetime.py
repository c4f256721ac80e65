"""Memory and lifetime: graphs, saved tensors, hooks and custom Function
contexts are freed as soon as nothing needs them, no hook makes a cycle the
garbage collector cannot break, and a long training loop runs at flat memory.

A numpy array wrapped by ``from_numpy`` stands for "a tensor's memory": its
weakref dies exactly when the last tensor over that memory is gone."""

import gc
import weakref

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import nn, optim


def live_nodes():
    return ag._C._live_node_count()


class Sentinel:
    """Something a hook's closure keeps alive; its weakref says when it went."""


def collected(ref):
    gc.collect()
    assert gc.garbage == []
    return ref() is None


@pytest.fixture(autouse=True)
def no_leftover_graphs():
    gc.collect()
    before = live_nodes()
    yield
    gc.collect()
    assert gc.garbage == []
    assert live_nodes() == before, "a test left graph nodes alive"


def tracked_memory(n=3):
    """A float64 tensor over numpy memory, and a weakref to that memory."""
    arr = np.arange(1.0, n + 1.0)
    return ag.from_numpy(arr), weakref.ref(arr)


# ---- graphs and saved tensors ---------------------------------------------------------


def test_backward_frees_saved_tensors_while_the_output_lives():
    w = ag.ones(3, dtype=ag.float64, requires_grad=True)
    t, memory = tracked_memory()
    y = w * t  # MulBackward0 saves t
    del t
    assert memory() is not None
    y.sum().backward()
    # y and its grad_fn are still here; what backward needed is not.
    assert y.grad_fn is not None
    assert memory() is None
    assert w.grad.tolist() == [1.0, 2.0, 3.0]


def test_retain_graph_keeps_saved_tensors_until_the_graph_goes():
    w = ag.ones(3, dtype=ag.float64, requires_grad=True)
    t, memory = tracked_memory()
    y = (w * t).sum()
    del t
    y.backward(retain_graph=True)
    assert memory() is not None
    y.backward()
    assert memory() is None


def test_dropping_outputs_frees_graph_and_saved_tensors_without_gc():
    before = live_nodes()
    w = ag.ones(3, dtype=ag.float64, requires_grad=True)
    t, memory = tracked_memory()
    y = ((w * t).exp() * t).tanh()
    del t
    assert live_nodes() > before
    del y
    # Reference counting alone frees it: no cycle anywhere in the graph.
    assert memory() is None
    assert live_nodes() <= before + 1  # w's accumulator goes with w
    del w
    assert live_nodes() == before


def test_saved_outputs_make_no_cycle():
    x = ag.ones(3, dtype=ag.float64, requires_grad=True)
    t, memory = tracked_memory()
    # exp, tanh, sigmoid and sqrt save their own result.
    y = (x * t).exp().tanh().sigmoid().sqrt()
    del t
    was = gc.isenabled()
    gc.disable()
    try:
        del y
        assert memory() is None
    finally:
        if was:
            gc.enable()


def test_autograd_grad_frees_the_graph():
    x = ag.ones(3, dtype=ag.float64, requires_grad=True)
    t, memory = tracked_memory()
    y = (x * t).sum()
    del t
    (g,) = ag.autograd.grad(y, x)
    assert memory() is None
    assert g.tolist() == [1.0, 2.0, 3.0]


def test_create_graph_gradient_graph_is_freed():
    before = live_nodes()
    x = ag.tensor([1.0, 2.0], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad((x**3).sum(), x, create_graph=True)
    g.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]
    del g
    x.grad = None
    del x
    assert live_nodes() == before


# ---- hooks: each one is freed with its graph or tensor --------------------------------


def hook_keeping(sentinel, result=None):
    def hook(*args):
        assert sentinel is not None
        return result

    return hook


def test_tensor_hooks_on_leaf_and_non_leaf_are_freed():
    s1, s2 = Sentinel(), Sentinel()
    r1, r2 = weakref.ref(s1), weakref.ref(s2)
    x = ag.ones(2, requires_grad=True)
    x.register_hook(hook_keeping(s1))
    h = x * 2
    h.register_hook(hook_keeping(s2))
    del s1, s2
    h.sum().backward()
    del h
    assert not collected(r1)  # still registered on x
    assert collected(r2)
    del x
    assert collected(r1)


def test_removed_hook_is_freed_at_once():
    s = Sentinel()
    r = weakref.ref(s)
    x = ag.ones(2, requires_grad=True)
    handle = x.register_hook(hook_keeping(s))
    del s
    handle.remove()
    assert collected(r)
    assert x is not None


def test_node_pre_and_post_hooks_are_freed_with_the_graph():
    s1, s2 = Sentinel(), Sentinel()
    r1, r2 = weakref.ref(s1), weakref.ref(s2)
    x = ag.ones(2, requires_grad=True)
    y = (x * 3).sum()
    y.grad_fn.register_prehook(hook_keeping(s1))
    y.grad_fn.next_functions[0][0].register_hook(hook_keeping(s2))
    del s1, s2
    y.backward()
    assert x.grad.tolist() == [3.0, 3.0]
    del y
    assert collected(r1) and collected(r2)


def test_post_accumulate_grad_hook_is_freed_with_its_leaf():
    s = Sentinel()
    r = weakref.ref(s)
    x = ag.ones(2, requires_grad=True)
    x.register_post_accumulate_grad_hook(hook_keeping(s))
    del s
    (x * 2).sum().backward()
    assert not collected(r)
    del x
    assert collected(r)


class Packed:
    def __init__(self, t):
        self.t = t


def test_saved_tensors_hooks_packed_objects_are_freed():
    packed = []

    def pack(t):
        p = Packed(t)
        packed.append(weakref.ref(p))
        return p

    x = ag.ones(3, requires_grad=True)
    with ag.autograd.graph.saved_tensors_hooks(pack, lambda p: p.t):
        y = (x * x).exp().sum()
    assert packed and all(r() is not None for r in packed)
    y.backward()
    # Backward released them as it went.
    assert all(collected(r) for r in packed)
    with ag.autograd.graph.saved_tensors_hooks(pack, lambda p: p.t):
        y = (x * x).exp().sum()
    del packed[:]
    with ag.autograd.graph.saved_tensors_hooks(pack, lambda p: p.t):
        y = (x * x).exp().sum()
    refs = list(packed)
    del y
    assert all(collected(r) for r in refs)


def test_saved_tensors_hook_pair_is_freed_after_the_context():
    s = Sentinel()
    r = weakref.ref(s)
    x = ag.ones(3, requires_grad=True)

    def pack_keeping(sentinel):
        return lambda t: (sentinel, t)[1]

    with ag.autograd.graph.saved_tensors_hooks(pack_keeping(s), lambda t: t):
        y = (x * x).sum()
    del s
    assert not collected(r)  # y's graph still holds the pack/unpack pair
    del y
    assert collected(r)


class Square(ag.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.note = Sentinel()
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


class ExpSavesOutput(ag.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class ScaleBy(ag.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        (b,) = ctx.saved_tensors
        return g * b, None


def test_function_saved_tensors_are_freed_by_backward():
    a = ag.ones(3, dtype=ag.float64, requires_grad=True)
    t, memory = tracked_memory()
    y = ScaleBy.apply(a, t)
    del t
    assert memory() is not None
    y.sum().backward()
    assert a.grad.tolist() == [1.0, 2.0, 3.0]
    assert y.grad_fn is not None and memory() is None


def test_function_saving_its_input_frees_it_with_the_graph():
    t, memory = tracked_memory()
    y = Square.apply(t.requires_grad_())
    del t  # the graph still reaches it, through its accumulator and ctx
    y.sum().backward()
    assert memory() is not None
    was = gc.isenabled()
    gc.disable()
    try:
        del y
        assert memory() is None
    finally:
        if was:
            gc.enable()


def test_function_ctx_is_freed_with_and_without_backward():
    notes = []

    class Keep(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.note = Sentinel()
            notes.append(weakref.ref(ctx.note))
            return x * 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2

    x = ag.ones(2, requires_grad=True)
    y = Keep.apply(x).sum()
    y.backward()
    del y
    y = Keep.apply(x * 1)
    del y
    assert len(notes) == 2 and all(collected(r) for r in notes)


def test_function_saving_its_output_makes_no_cycle():
    before = live_nodes()
    x = ag.ones(3, requires_grad=True)
    y = ExpSavesOutput.apply(x)
    y.sum().backward(retain_graph=True)
    assert x.grad.tolist() == pytest.approx([np.e] * 3)
    del y
    assert live_nodes() == before  # without gc


def test_retain_grad_makes_no_cycle():
    x = ag.ones(2, requires_grad=True)
    h = x * 2
    h.retain_grad()
    h.sum().backward()
    assert h.grad.tolist() == [1.0, 1.0]
    before = live_nodes()
    del h
    assert live_nodes() < before  # MulBackward0 went with h, without gc


# ---- hooks that refer back to their own tensor ----------------------------------------
#
# These make a cycle through C++ (tensor -> hook -> closure -> tensor) that
# Python's collector must still see and break.


def test_post_accumulate_hook_referring_to_optimizer_and_parameter_is_collected():
    def build():
        model = nn.Linear(3, 2)
        opt = optim.SGD(model.parameters(), lr=0.1)
        for p in model.parameters():
            p.register_post_accumulate_grad_hook(lambda p: opt.step())
        model(ag.ones(1, 3)).sum().backward()
        return weakref.ref(model), weakref.ref(opt)

    for r in build():
        assert collected(r)


def test_parameter_hook_referring_to_itself_is_collected():
    def build():
        p = nn.Parameter(ag.ones(2))
        p.register_hook(lambda g: g * p.detach())
        (p * 1).sum().backward()
        assert p.grad.tolist() == [1.0, 1.0]
        return weakref.ref(p)

    assert collected(build())


def test_non_leaf_hook_referring_to_its_tensor_is_collected():
    def build():
        x = ag.ones(2, requires_grad=True)
        h = x * 2
        keep = Sentinel()
        h.register_hook(lambda g: (keep, h, g)[2])
        return weakref.ref(keep)

    before = live_nodes()
    r = build()
    assert collected(r)
    assert live_nodes() == before


def test_node_hook_referring_to_its_output_is_collected():
    def build():
        x = ag.ones(2, requires_grad=True)
        y = x * 2
        keep = Sentinel()
        y.grad_fn.register_hook(lambda gi, go: (keep, y) and None)
        return weakref.ref(keep)

    before = live_nodes()
    r = build()
    assert collected(r)
    assert live_nodes() == before


def test_function_ctx_referring_to_its_output_is_collected():
    class StoresOutput(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            ctx.out = y  # not how to save tensors, but it must not leak
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    before = live_nodes()
    x = ag.ones(2, requires_grad=True)
    y = StoresOutput.apply(x)
    del y, x
    gc.collect()
    assert live_nodes() == before


# ---- long runs --------------------------------------------------------------------------


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def train_steps(model, opt, x, target, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), target)
        loss.backward()
        opt.step()
    return loss.item()


def test_training_loop_runs_at_flat_memory():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, target = ag.randn(16, 8), ag.randn(16, 1)
    train_steps(model, opt, x, target, 300)  # warm-up: allocator pools, caches
    gc.collect()
    nodes, rss = live_nodes(), rss_kib()
    first = train_steps(model, opt, x, target, 3000)
    gc.collect()
    last = train_steps(model, opt, x, target, 1)
    assert last < first * 1.5  # it trained (and did not diverge)
    assert live_nodes() == nodes
    # Each step allocates ~30 small tensors; a leak of even one 16x32 float
    # buffer a step would add 6 MiB. The bound leaves room for the
    # allocator's own noise.
    assert rss_kib() - rss < 4 * 1024
