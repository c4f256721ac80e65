"""Capture and replay (autograd_cpp.compile): compiled programs run with
eager's results bit for bit (values, gradients, parameters, optimizer state,
buffers), guards re-capture on a new signature, and whatever cannot be
replayed falls back to eager with a reason."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import compiler
from compile_helpers import failures, program_count, run_both, same

nn = ag.nn
F = ag.nn.functional


# ---- programs ----------------------------------------------------------------------


def test_elementwise_chain_values_and_gradients_equal_eager() -> None:
    ag.manual_seed(0)
    xs = [ag.randn(16) for _ in range(6)]
    w_e = ag.randn(16, requires_grad=True)
    w_c = w_e.detach().clone().requires_grad_()

    def chain(w: ag.Tensor, x: ag.Tensor) -> tuple[ag.Tensor, ...]:
        y = x * w
        for _ in range(10):
            y = (y * 1.01 - 0.5).sin() + x / 3
            y = y.tanh().exp().sqrt() * y.sigmoid()
            y = 2 - y
            y = y**2 + y.relu() - (-y).neg().clamp(-1.0, 1.0)
        loss = y.sum() + y.mean()
        loss.backward()
        return loss, y, {"mid": y.detach() * 0.5, "tag": "constant"}

    cf = ag.compile(chain)
    for x in xs:
        w_e.grad = None
        w_c.grad = None
        same(chain(w_e, x), cf(w_c, x))
        same(w_e.grad, w_c.grad)
    assert program_count(cf) == 1 and not failures(cf)


def test_gradients_accumulate_across_replays_like_eager() -> None:
    ag.manual_seed(1)
    w_e = ag.randn(4, 3, requires_grad=True)
    w_c = w_e.detach().clone().requires_grad_()

    def f(w: ag.Tensor, x: ag.Tensor) -> ag.Tensor:
        out = (x @ w).tanh().sum()
        out.backward()
        return out

    cf = ag.compile(f)
    for _i in range(5):
        x = ag.randn(2, 4)
        same(f(w_e, x), cf(w_c, x))
        same(w_e.grad, w_c.grad)  # .grad keeps accumulating in both
    assert program_count(cf) == 1


def test_mlp_forward_and_backward() -> None:
    def build() -> nn.Module:
        ag.manual_seed(3)
        return nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.GELU(),
                             nn.Linear(64, 1))  # fmt: skip

    m_e, m_c = build(), build()

    def step(m: nn.Module) -> Callable[[ag.Tensor], ag.Tensor]:
        def f(x: ag.Tensor) -> ag.Tensor:
            for p in m.parameters():
                p.grad = None
            out = m(x)
            out.pow(2).mean().backward()
            return out

        return f

    f_e, f_c = step(m_e), ag.compile(step(m_c))
    for i in range(4):
        ag.manual_seed(10 + i)
        x = ag.randn(32, 16)
        same(f_e(x), f_c(x))
        for p, q in zip(m_e.parameters(), m_c.parameters()):
            same(p, q)
            same(p.grad, q.grad)
    assert program_count(f_c) == 1 and not failures(f_c)


OPTIMIZERS: dict[str, Callable[[Any], Any]] = {
    "sgd": lambda ps: ag.optim.SGD(ps, lr=0.05),
    "sgd_momentum": lambda ps: ag.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "sgd_nesterov": lambda ps: ag.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda ps: ag.optim.Adam(ps, lr=1e-2),
    "adamw_amsgrad": lambda ps: ag.optim.AdamW(ps, lr=1e-2, amsgrad=True),
    "rmsprop": lambda ps: ag.optim.RMSprop(ps, lr=1e-2, momentum=0.5, centered=True),
}


@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("set_to_none", [True, False])
@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
def test_train_step_updates_parameters_and_state_exactly(
    opt_name: str, set_to_none: bool, batchnorm: bool
) -> None:
    def build() -> tuple[nn.Module, Any]:
        ag.manual_seed(0)
        layers: list[nn.Module] = [nn.Linear(16, 32), nn.ReLU()]
        if batchnorm:
            layers.append(nn.BatchNorm1d(32))
        layers += [nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1)]
        model = nn.Sequential(*layers)
        return model, OPTIMIZERS[opt_name](model.parameters())

    def make_step(model: nn.Module, opt: Any) -> Callable[[ag.Tensor, ag.Tensor], ag.Tensor]:
        def train_step(x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
            opt.zero_grad(set_to_none=set_to_none)
            loss = F.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return train_step

    (m_e, o_e), (m_c, o_c) = build(), build()
    s_e, s_c = make_step(m_e, o_e), ag.compile(make_step(m_c, o_c))
    ag.manual_seed(1)
    data = [(ag.randn(32, 16), ag.randn(32, 1)) for _ in range(6)]
    for x, y in data:
        same(s_e(x, y), s_c(x, y))
    assert program_count(s_c) == 1, failures(s_c)
    for p, q in zip(m_e.parameters(), m_c.parameters()):
        same(p, q)
        same(p.grad, q.grad)
    same(list(m_e.buffers()), list(m_c.buffers()))
    for p, q in zip(m_e.parameters(), m_c.parameters()):
        same(o_e.state[p], o_c.state[q])


def test_more_recorded_ops_with_gradients() -> None:
    ag.manual_seed(5)
    emb_e = ag.randn(10, 6, requires_grad=True)
    emb_c = emb_e.detach().clone().requires_grad_()
    w = ag.randn(6, 6, requires_grad=True)

    def f(
        emb: ag.Tensor, ids: ag.Tensor, mask: ag.Tensor, target: ag.Tensor
    ) -> tuple[ag.Tensor, ...]:
        h = F.embedding(ids, emb)  # (4, 6)
        h = F.layer_norm(h, (6,))
        h = ag.addmm(h, h, w, beta=0.5, alpha=2.0)
        both = ag.cat([h, h * 2], 0)
        stacked = ag.stack([both, both.exp()], 0).mean(0)
        logits = stacked.masked_fill(mask, -1.0)
        probs = F.softmax(logits, dim=1)
        picked = (
            ag.gather(probs, 1, target.unsqueeze(1)).sum() + ag.index_select(probs, 0, target).sum()
        )
        loss = F.nll_loss(F.log_softmax(logits, dim=1), target) + picked.sum()
        loss = loss + F.binary_cross_entropy_with_logits(logits, probs.detach())
        loss.backward()
        return loss, probs

    cf = ag.compile(f)
    rng = np.random.default_rng(0)
    for _ in range(4):
        ids = ag.tensor(rng.integers(0, 10, 4))
        mask = ag.tensor(rng.random((8, 6)) < 0.2)
        target = ag.tensor(rng.integers(0, 6, 8))
        same(f(emb_e, ids, mask, target), cf(emb_c, ids, mask, target))
        same(emb_e.grad, emb_c.grad)
    assert program_count(cf) == 1, failures(cf)


def test_no_grad_update_and_autograd_grad_inside_the_function() -> None:
    ag.manual_seed(4)
    w_e = ag.randn(8, requires_grad=True)
    w_c = w_e.detach().clone().requires_grad_()

    def step(w: ag.Tensor, x: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
        y = (w * x).sin().sum()
        (g,) = ag.autograd.grad(y, [w], create_graph=True)
        penalty = (g * g).sum()
        penalty.backward()
        with ag.no_grad():
            w -= 0.1 * w.grad
        w.grad = None
        return y, g

    cf = ag.compile(step)
    for _i in range(5):
        x = ag.randn(8)
        same(step(w_e, x), cf(w_c, x))
        same(w_e, w_c)
    assert program_count(cf) == 1, failures(cf)


def test_in_place_writes_to_inputs_and_outside_state_are_reproduced() -> None:
    total_e, total_c = ag.zeros(5), ag.zeros(5)

    def make(total: ag.Tensor) -> Callable[[ag.Tensor], ag.Tensor]:
        def f(x: ag.Tensor) -> ag.Tensor:
            x.mul_(2)
            total.add_(x)
            return total * 1

        return f

    f_e, f_c = make(total_e), ag.compile(make(total_c))
    for i in range(5):
        a, b = ag.arange(5.0) + i, ag.arange(5.0) + i
        same(f_e(a), f_c(b))
        same(a, b)
    same(total_e, total_c)
    assert program_count(f_c) == 1


def test_compiled_module_matches_eager_and_records_under_capture() -> None:
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    compiled = ag.compile(model)
    seen: list[bool] = []

    class Probe(nn.Module):
        def forward(self, x: ag.Tensor) -> ag.Tensor:
            seen.append(compiler.is_compiling())
            return x

    model.append(Probe())
    for _ in range(4):
        x = ag.randn(5, 3)
        same(model(x), compiled(x))
    assert seen == [False, False, False, True, False, False]
    assert compiler.is_compiling() is False


# ---- guards ----------------------------------------------------------------------------


def test_guard_misses_capture_again() -> None:
    def f(x: ag.Tensor) -> ag.Tensor:
        return (x.exp() * 2).sum(0)

    cf = ag.compile(f)
    shapes = [(3, 4), (3, 4), (3, 4), (5, 4), (5, 4), (5, 4), (3, 4)]
    for s in shapes:
        x = ag.randn(*s)
        same(f(x), cf(x))
    assert program_count(cf) == 2
    x64 = ag.randn(3, 4, dtype=ag.float64)
    for _ in range(3):
        same(f(x64), cf(x64))
    assert program_count(cf) == 3
    xt = ag.randn(4, 3).t()  # same shape, other strides
    for _ in range(3):
        same(f(xt), cf(xt))
    assert program_count(cf) == 4
    xr = ag.randn(3, 4, requires_grad=True)
    for _ in range(3):
        same(f(xr), cf(xr))
    assert program_count(cf) == 5
    with ag.no_grad():
        for _ in range(3):
            same(f(xr), cf(xr))
    assert program_count(cf) == 6
    # A non-tensor argument is part of the signature.
    g = ag.compile(lambda x, k: x * k)
    for k in (2, 2, 2, 3, 3, 3):
        same(x64 * k, g(x64, k))
    assert program_count(g) == 2


def test_aliased_arguments_are_part_of_the_signature() -> None:
    def f(a: ag.Tensor, b: ag.Tensor) -> ag.Tensor:
        a.mul_(2)
        return a + b

    cf = ag.compile(f)
    for _ in range(3):
        x, y = ag.ones(2), ag.ones(2)
        same(cf(x, x), f(y, y))
    for _ in range(3):
        x, y, z, w = ag.ones(2), ag.full((2,), 3.0), ag.ones(2), ag.full((2,), 3.0)
        same(cf(x, y), f(z, w))
    assert program_count(cf) == 2
    for _ in range(3):  # alternating: each call replays its own program
        x, y = ag.ones(2), ag.ones(2)
        same(cf(x, x), f(y, y))
        x, y, z, w = ag.ones(2), ag.full((2,), 3.0), ag.ones(2), ag.full((2,), 3.0)
        same(cf(x, y), f(z, w))
    assert program_count(cf) == 2


def test_captured_state_guard_catches_grad_cleared_outside() -> None:
    w = ag.randn(3, requires_grad=True)

    def f(x: ag.Tensor) -> ag.Tensor:
        loss = (w * x).sum()
        loss.backward()
        return loss

    cf = ag.compile(f)
    x = ag.randn(3)
    for _ in range(3):
        cf(x)
    assert program_count(cf) == 1
    w.grad = None  # the program was captured with .grad set
    for _ in range(3):
        cf(x)
    assert program_count(cf) == 2
    same(w.grad, x * 3)  # the three calls after the reset


def test_python_state_guards_train_eval_and_hyperparameters() -> None:
    def build() -> tuple[nn.Module, Any]:
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.3), nn.Linear(8, 1))
        return model, ag.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def make_step(model: nn.Module, opt: Any) -> Callable[[ag.Tensor], ag.Tensor]:
        def step(x: ag.Tensor) -> ag.Tensor:
            opt.zero_grad()
            out = model(x)
            if model.training:
                out.pow(2).mean().backward()
                opt.step()
            return out

        return step

    (m_e, o_e), (m_c, o_c) = build(), build()
    s_e, s_c = make_step(m_e, o_e), ag.compile(make_step(m_c, o_c))
    x = ag.randn(6, 4)

    def both() -> None:
        ag.manual_seed(3)
        a = s_e(x)
        ag.manual_seed(3)
        same(a, s_c(x))

    for _ in range(4):
        both()
    assert program_count(s_c) == 1
    for m in (m_e, m_c):
        m.eval()  # no dropout, running statistics, no step
    for _ in range(3):
        both()
    # The training program is replaced: in eval mode the capture saw .grad
    # set, the next call cleared, so two programs serve eval.
    assert program_count(s_c) == 2
    for m in (m_e, m_c):
        m.train()
    for o in (o_e, o_c):
        o.param_groups[0]["lr"] = 0.01  # a scheduler's change
    for _ in range(4):
        both()
    assert program_count(s_c) <= 3  # stale programs are replaced, not kept
    for p, q in zip(m_e.parameters(), m_c.parameters()):
        same(p, q)
    same(list(m_e.buffers()), list(m_c.buffers()))
    new_weight = nn.Parameter(ag.ones(1, 8))
    m_e[3].weight = new_weight
    m_c[3].weight = nn.Parameter(ag.ones(1, 8))
    for _ in range(3):
        both()
    assert program_count(s_c) <= 3


def test_digits_example_training_loop_compiled_matches_eager() -> None:
    """examples/train_digits.py's loop (shuffled batches with a short last
    one, dropout, a cosine learning-rate schedule) with its step compiled."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
    try:
        import train_digits
    finally:
        sys.path.pop(0)
    ag.manual_seed(0)
    x = ag.rand(80, 8, 8)
    y = ag.randint(0, 10, (80,))
    for model_class in (train_digits.MLP, train_digits.CNN):
        results = []
        for compiled in (False, True):
            ag.manual_seed(1)
            model = model_class()
            opt = ag.optim.Adam(model.parameters(), lr=3e-3)
            sched = ag.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3)
            loss_fn = nn.CrossEntropyLoss()

            def step(xb: ag.Tensor, yb: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
                logits = model(xb)  # noqa: B023 (called inside the loop)
                loss = loss_fn(logits, yb)  # noqa: B023
                opt.zero_grad()  # noqa: B023
                loss.backward()
                opt.step()  # noqa: B023
                return loss, logits

            run = ag.compile(step) if compiled else step
            loader = ag.utils.data.DataLoader(
                ag.utils.data.TensorDataset(x, y),
                batch_size=32,
                shuffle=True,
                generator=ag.Generator().manual_seed(2),
            )
            ag.manual_seed(3)
            outs = []
            for _ in range(3):
                for xb, yb in loader:
                    outs.append(run(xb, yb))
                sched.step()
            results.append((outs, [p.detach().clone() for p in model.parameters()]))
            if compiled:
                assert not failures(run)
                assert 1 <= program_count(run) <= 2  # one per batch size
        same(results[0], results[1])


def test_cache_limit_falls_back_to_eager_with_a_warning() -> None:
    cf = ag.compile(lambda x: x + 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(1, compiler.cache_size_limit + 3):
            x = ag.randn(n)
            for _ in range(2):
                same(x + 1, cf(x))
    assert program_count(cf) == compiler.cache_size_limit
    assert any("cache_size_limit" in str(w.message) for w in caught)
    compiler.reset()
    assert program_count(cf) == 0


# ---- fallbacks ---------------------------------------------------------------------


def fallback_case(
    fn: Callable[..., Any], make_args: Callable[[int], tuple[Any, ...]], reason: str
) -> None:
    cf = run_both(fn, make_args)
    assert program_count(cf) == 0
    assert any(reason in r for r in failures(cf)), failures(cf)
    report = compiler.explain(fn, *make_args(0))
    assert not report.captured and any(reason in r for r in report.break_reasons)
    assert reason in str(report)


def test_data_dependent_python_control_flow_falls_back() -> None:
    def f(x: ag.Tensor) -> ag.Tensor:
        if x.sum() > 0:  # bool(tensor)
            return x * 2
        return x - 1

    fallback_case(f, lambda i: (ag.arange(-2.0, 3.0) * (-1) ** i,), "bool(tensor)")

    def g(x: ag.Tensor) -> ag.Tensor:
        return x * x.max().item()

    fallback_case(g, lambda i: (ag.arange(5.0) + i,), ".item()")
    fallback_case(lambda x: x * len(x.tolist()), lambda i: (ag.ones(i + 1),), ".tolist()")


def test_ops_without_replay_kernels_fall_back() -> None:
    fallback_case(
        lambda x: ag.cumprod(x, 0) * 2, lambda i: (ag.arange(4.0) + i,), "without a replay kernel"
    )
    fallback_case(
        lambda x: x + ag.tensor([1.0, 2.0, 3.0]),
        lambda i: (ag.arange(3.0) + i,),
        "without a replay kernel",
    )
    fallback_case(
        lambda x: x.sort().values + 1, lambda i: (ag.arange(3.0) + i,), "without a replay kernel"
    )


def test_unrecorded_in_place_change_falls_back() -> None:
    state = ag.zeros(3)

    def f(x: ag.Tensor) -> ag.Tensor:
        y = x * 2
        y.clamp_(max=1.0)  # no replay kernel, in place
        return y + state

    fallback_case(f, lambda i: (ag.arange(3.0) + i,), "changed in place")


@pytest.mark.parametrize("model_name", ["mlp", "cnn"])
def test_classifier_training_with_dropout_matches_eager(model_name: str) -> None:
    """The digits example's models: dropout draws from the generator in
    program order on replay, as eager does, so seeded runs agree."""

    def build() -> tuple[nn.Module, Any]:
        ag.manual_seed(0)
        if model_name == "mlp":
            model: nn.Module = nn.Sequential(
                nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10)
            )
        else:
            model = nn.Sequential(
                nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten(), nn.Dropout(0.2), nn.Linear(4 * 4 * 4, 10),
            )  # fmt: skip
        return model, ag.optim.AdamW(model.parameters(), lr=3e-3)

    def make_step(model: nn.Module, opt: Any) -> Callable[[ag.Tensor, ag.Tensor], ag.Tensor]:
        loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

        def step(x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
            model.train()
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return step

    (m_e, o_e), (m_c, o_c) = build(), build()
    s_e, s_c = make_step(m_e, o_e), ag.compile(make_step(m_c, o_c))
    ag.manual_seed(7)
    data = [(ag.randn(8, 1, 8, 8), ag.randint(0, 10, (8,))) for _ in range(5)]
    for seed, (x, y) in enumerate(data):
        ag.manual_seed(100 + seed)
        a = s_e(x, y)
        ag.manual_seed(100 + seed)
        same(a, s_c(x, y))
    assert program_count(s_c) == 1, failures(s_c)
    for p, q in zip(m_e.parameters(), m_c.parameters()):
        same(p, q)
    same(list(m_e.buffers()), list(m_c.buffers()))
    with ag.no_grad():
        m_e.eval()
        m_c.eval()
        same(m_e(data[0][0]), m_c(data[0][0]))


def test_random_in_place_draws_and_python_hooks_fall_back() -> None:
    def noisy(x: ag.Tensor) -> ag.Tensor:
        return x + ag.empty(3).normal_()

    ag.manual_seed(0)
    cf = ag.compile(noisy)
    x = ag.zeros(3)
    ag.manual_seed(5)
    eager = [noisy(x) for _ in range(4)]
    ag.manual_seed(5)
    compiled = [cf(x) for _ in range(4)]
    same(eager, compiled)
    assert program_count(cf) == 0 and any("random op" in r for r in failures(cf))

    calls: list[int] = []

    def hooked(w: ag.Tensor) -> ag.Tensor:
        y = w * 3
        y.register_hook(lambda g: calls.append(1))
        y.sum().backward()
        return y

    w = ag.ones(2, requires_grad=True)
    ch = ag.compile(hooked)
    for _ in range(4):
        ch(w)
    assert calls == [1, 1, 1, 1]  # the hook ran on every call: eager
    assert any("Python tensor hook" in r for r in failures(ch))


def test_explain_lists_the_recorded_steps() -> None:
    w = ag.randn(3, requires_grad=True)
    opt = ag.optim.Adam([w], lr=0.1)

    def step(x: ag.Tensor) -> ag.Tensor:
        opt.zero_grad()
        loss = (w * x).pow(2).sum()
        loss.backward()
        opt.step()
        return loss

    step(ag.ones(3))  # creates the optimizer state
    report = compiler.explain(step, ag.ones(3))
    assert report.captured and report.break_reasons == []
    assert report.ops == [
        "set_grad", "mul", "pow", "sum", "backward", "grad", "contiguous", "add_", "adam_step"
    ]  # fmt: skip
    assert report.graph_count == 1 and report.op_count == 9
    assert "adam_step(" in report.program_text
    assert compiler.explain(ag.compile(step), ag.ones(3)).captured


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_counter_increments_match_eager(dtype: str) -> None:
    # Step counts as optimizers keep them: Python numbers added in place
    # into 0-d tensors (int and float numbers, a large count).
    def make(start: float) -> tuple[ag.Tensor, Callable[[ag.Tensor], ag.Tensor]]:
        count = ag.tensor(start, dtype=getattr(ag, dtype))

        def f(x: ag.Tensor) -> ag.Tensor:
            count.add_(1)
            count.add_(0.1)
            count.add_(16777217)
            return x * count

        return count, f

    for start in (0.0, 3.5):
        (c_e, f_e), (c_c, f_c) = make(start), make(start)
        cf = ag.compile(f_c)
        x = ag.ones(2)
        for _ in range(4):
            same(cf(x), f_e(x))
            same(c_c, c_e)
            assert c_c._version == c_e._version
        assert program_count(cf) == 1


def test_capture_does_not_nest_and_survives_exceptions() -> None:
    def bad(x: ag.Tensor) -> ag.Tensor:
        x * 2
        raise ValueError("boom")

    cf = ag.compile(bad)
    for _ in range(3):
        with pytest.raises(ValueError, match="boom"):
            cf(ag.ones(2))
    assert compiler.is_compiling() is False
    # The thread captures again normally afterwards.
    inner = ag.compile(lambda x: x * 3)
    outer = ag.compile(lambda x: inner(x) + 1)
    for _ in range(4):
        same(outer(ag.ones(2)), ag.ones(2) * 3 + 1)
    assert program_count(outer) == 1 and program_count(inner) == 0
    with pytest.raises(RuntimeError, match="already running"):
        session = ag._C._compile_capture([])
        try:
            ag._C._compile_capture([])
        finally:
            session.abort()


def test_replayed_outputs_backward_outside_the_function() -> None:
    ag.manual_seed(2)
    w_e = ag.randn(4, requires_grad=True)
    w_c = w_e.detach().clone().requires_grad_()

    def f(w: ag.Tensor) -> ag.Tensor:
        return (w.sin() * w).sum()

    cf = ag.compile(f)
    for _ in range(4):
        a, b = f(w_e), cf(w_c)
        same(a, b)
        a.backward()
        b.backward()
        same(w_e.grad, w_c.grad)
    assert program_count(cf) == 1


def test_unhashable_arguments_run_eagerly() -> None:
    cf = ag.compile(lambda x, scale: x * float(scale[0]))
    x = ag.ones(2)
    for _ in range(3):
        same(cf(x, np.array([3.0])), x * 3)
    assert program_count(cf) == 0
    # Lists and dicts are flattened: their values join the signature.
    cd = ag.compile(lambda x, opts: x * opts["k"][0])
    for k in (2, 2, 2, 5, 5, 5):
        same(cd(x, {"k": [k]}), x * k)
    assert program_count(cd) == 2


def test_replay_matches_eager_on_float64_and_broadcasting() -> None:
    def f(a: ag.Tensor, b: ag.Tensor) -> ag.Tensor:
        return ((a + b) * (a - b) / (b.abs() + 1)).sum(1, keepdim=True)

    a = np.random.default_rng(0).standard_normal((3, 3))
    b = np.random.default_rng(1).standard_normal((4, 1))
    run_both(f, lambda i: (ag.tensor(b + i), ag.tensor(b.T)))
    run_both(f, lambda i: (ag.tensor(a + i), ag.tensor(a.T)))


def test_in_place_view_op_falls_back() -> None:
    def f(x: ag.Tensor) -> ag.Tensor:
        y = x * 2
        y.unsqueeze_(0)
        return y.sum(1)

    fallback_case(f, lambda i: (ag.arange(3.0) + i,), "in-place view op")


# ---- memory plan ---------------------------------------------------------------------


def the_program(f: Callable[..., Any]) -> Any:
    (entry,) = [e for es in f._compiled_function.programs.values() for e in es]  # type: ignore[attr-defined]
    return entry[0]


def test_memory_plan_reuses_buffers_of_unfused_steps() -> None:
    def build() -> tuple[nn.Module, Any]:
        ag.manual_seed(0)
        m = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 1))
        return m, ag.optim.Adam(m.parameters(), lr=1e-2)

    def make(m: nn.Module, opt: Any) -> Callable[[ag.Tensor, ag.Tensor], ag.Tensor]:
        def step(x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
            opt.zero_grad()
            loss = F.mse_loss(m(x), y)
            loss.backward()
            opt.step()
            return loss

        return step

    (m_e, o_e), (m_c, o_c) = build(), build()
    s_e, s_c = make(m_e, o_e), ag.compile(make(m_c, o_c))
    data = [(ag.randn(32, 16), ag.randn(32, 1)) for _ in range(6)]
    for x, y in data[:3]:
        same(s_e(x, y), s_c(x, y))
    program = the_program(s_c)
    reused, allocated, kept = program.buffer_stats()
    for x, y in data[3:]:
        same(s_e(x, y), s_c(x, y))
    reused2, allocated2, kept2 = program.buffer_stats()
    # Every later replay takes all its buffers from the plan.
    assert reused2 - reused >= 3 * 5 and allocated2 == allocated and kept2 == kept > 0
    for p, q in zip(m_e.parameters(), m_c.parameters()):
        same(p, q)
        same(o_e.state[p], o_c.state[q])


def test_memory_plan_leaves_buffers_that_are_still_held() -> None:
    w_e = ag.randn(8, 8, requires_grad=True)
    w_c = w_e.detach().clone().requires_grad_()

    def f(w: ag.Tensor, x: ag.Tensor) -> tuple[ag.Tensor, ag.Tensor]:
        h = (x @ w).tanh()  # kept by the caller
        loss = (h @ w).sum()  # its graph is run outside, later
        return h, loss

    cf = ag.compile(f)
    eager, compiled = [], []
    for i in range(6):
        x = ag.randn(4, 8) * (i + 1)
        eager.append(f(w_e, x))
        compiled.append(cf(w_c, x))
    for (h_e, l_e), (h_c, l_c) in zip(eager, compiled):
        l_e.backward()
        l_c.backward()
        same(h_e, h_c)  # no later replay wrote into what a caller holds
    same(w_e.grad, w_c.grad)
    program = the_program(cf)
    assert program.buffer_stats()[1] > 0  # held buffers: ordinary allocations
    # Outputs outlive their program and its plan.
    compiler.reset()
    del program, cf
    same(eager[-1][0], compiled[-1][0])


def test_memory_plan_off_gives_the_same_results() -> None:
    def f(x: ag.Tensor, w: ag.Tensor) -> ag.Tensor:
        out = (x @ w).relu() @ w.t()
        loss = out.pow(2).mean()
        loss.backward()
        return out

    ag.manual_seed(4)
    w_e = ag.randn(6, 5, requires_grad=True)
    w_c = w_e.detach().clone().requires_grad_()
    cf = ag.compile(f)
    try:
        for i in range(6):
            ag._C._compile_set_memory_plan(i % 2 == 0)
            x = ag.randn(3, 6)
            same(f(x, w_e), cf(x, w_c))
            same(w_e.grad, w_c.grad)
    finally:
        ag._C._compile_set_memory_plan(True)
