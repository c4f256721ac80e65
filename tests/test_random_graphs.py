"""Randomized differential test: random expression DAGs (which reuse
intermediate results) built from the op set, compared with PyTorch on the
output and on the gradients of every leaf."""

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch

SHAPE = (3, 4)

# Ops map tensors of SHAPE to SHAPE (reductions keep dims and broadcast back),
# written once for both libraries. Inputs are kept in safe domains.
UNARY = [
    lambda m, x: x.exp() * 0.1,
    lambda m, x: (x.abs() + 1).log(),
    lambda m, x: (x * x + 1).sqrt(),
    lambda m, x: x.sin(),
    lambda m, x: m.cos(x),
    lambda m, x: x.tanh(),
    lambda m, x: m.sigmoid(x),
    lambda m, x: m.relu(x),
    lambda m, x: -x,
    lambda m, x: x**2,
    lambda m, x: x.abs(),
    lambda m, x: x - x.mean(1, keepdim=True),
    lambda m, x: x / (x.norm() + 1),
    lambda m, x: x.sum(0, keepdim=True) * x,
    lambda m, x: x.t().contiguous().t(),
    lambda m, x: x.reshape(4, 3).reshape(3, 4),
    lambda m, x: x.amax(1, keepdim=True) - x,
    lambda m, x: x.logsumexp(0, keepdim=True) + x,
    lambda m, x: x.cumsum(1) * 0.3,
    lambda m, x: x.var(0, keepdim=True) + x,
    lambda m, x: x.unsqueeze(0).expand(2, 3, 4).sum(0),
    lambda m, x: x[:, 1:].sum(1, keepdim=True) + x,
    lambda m, x: x.clamp(-0.5, 0.8),
    lambda m, x: m.nn.functional.gelu(x),
    lambda m, x: m.nn.functional.softplus(x),
    lambda m, x: m.nn.functional.silu(x),
    lambda m, x: m.nn.functional.elu(x),
    lambda m, x: m.nn.functional.leaky_relu(x, 0.1),
    lambda m, x: m.softmax(x, 1),
    lambda m, x: m.log_softmax(x, 0),
    lambda m, x: x.erf(),
    lambda m, x: x.expm1() * 0.2,
    lambda m, x: x.square(),
    lambda m, x: x.flip(1),
    lambda m, x: m.cat([x[:, :2], x[:, 2:] * 2], 1),
    lambda m, x: m.stack([x, -x], 0).sum(0),
    lambda m, x: x.roll(1, 1),
    lambda m, x: x.tril() + x.triu(1) * 0.5,
    lambda m, x: x.gather(1, m.tensor([[0, 1, 2, 3], [3, 2, 1, 0], [1, 1, 2, 2]])),
    lambda m, x: x[m.tensor([2, 0, 1])],
    lambda m, x: x.masked_fill(x > 1.0, 0.3),
    lambda m, x: x.std(1, keepdim=True) * x,
    lambda m, x: x.prod(0, keepdim=True) + x,
    lambda m, x: m.nn.functional.layer_norm(x, (4,)),
    lambda m, x: x.repeat(2, 1)[1:4],
    lambda m, x: m.einsum("ij,kj->ik", x, x) @ x * 0.1,
]
BINARY = [
    lambda m, a, b: a + b,
    lambda m, a, b: a - b,
    lambda m, a, b: a * b,
    lambda m, a, b: a / (b * b + 1),
    lambda m, a, b: m.where(a > b, a, b),
    lambda m, a, b: a @ b.t() @ b * 0.1,
    lambda m, a, b: a * b[0],
    lambda m, a, b: (a * b).sum(1, keepdim=True) * a,
    lambda m, a, b: m.maximum(a, b),
    lambda m, a, b: m.minimum(a, b * 0.5),
    lambda m, a, b: m.lerp(a, b, 0.3),
    lambda m, a, b: a.clamp(min=b - 0.5, max=b + 0.5),
    lambda m, a, b: m.nn.functional.mse_loss(a, b, reduction="none"),
    lambda m, a, b: m.nn.functional.smooth_l1_loss(a, b, reduction="none"),
    lambda m, a, b: m.nn.functional.linear(a, b[:, :4] * 0.3, b[0, :3]) @ b,
    lambda m, a, b: m.outer(a[0], b[1])[:3] * a * 0.1,
]


def build(lib, leaves, plan):
    values = list(leaves)
    for kind, op, args in plan:
        ins = [values[i] for i in args]
        values.append((UNARY if kind == "u" else BINARY)[op](lib, *ins))
    return values[-1]


def random_plan(rng, n_leaves, n_ops):
    plan = []
    for step in range(n_ops):
        available = n_leaves + step
        if rng.random() < 0.5:
            plan.append(("u", int(rng.integers(len(UNARY))), [int(rng.integers(available))]))
        else:
            args = [int(rng.integers(available)) for _ in range(2)]
            plan.append(("b", int(rng.integers(len(BINARY))), args))
    return plan


@pytest.mark.parametrize("seed", range(80))
def test_random_graph_matches_torch(seed):
    rng = np.random.default_rng(seed)
    n_leaves = int(rng.integers(1, 4))
    data = [rng.uniform(-1.5, 1.5, SHAPE) for _ in range(n_leaves)]
    plan = random_plan(rng, n_leaves, int(rng.integers(3, 12)))
    results = []
    for lib in (ag, torch):
        leaves = [lib.tensor(d, dtype=lib.float64, requires_grad=True) for d in data]
        out = build(lib, leaves, plan)
        weights = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        (out * weights).sum().backward()
        results.append((out.detach().numpy(), [x.grad for x in leaves]))
    (va, ga), (vt, gt) = results
    np.testing.assert_allclose(va, vt, rtol=1e-9, atol=1e-10)
    for a, t in zip(ga, gt):
        assert (a is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-8, atol=1e-9)
