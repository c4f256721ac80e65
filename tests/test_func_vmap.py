"""autograd_cpp.func.vmap against torch.func.vmap: every batching rule (with
in_dims 0, None and negative), nesting, out_dims, randomness, chunk_size,
errors, the looping fallback, and vmap(grad) per-sample gradients."""

import contextlib
import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp import func as agf
from oracle import requires_torch, torch
from test_func import _to_torch, assert_same, raises_same, rand

pytestmark = requires_torch


@contextlib.contextmanager
def no_fallback():
    """Fails the test if any op falls back to the per-element loop."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="There is a performance drop")
        yield


def vmap_both(fn, args, in_dims=0, out_dims=0, atol=1e-10):
    """vmap(fn(lib, ...)) on both libraries: same values and shapes, and
    every op batched natively."""
    with no_fallback():
        ours = agf.vmap(lambda *a: fn(ag, *a), in_dims, out_dims)(*args)
    theirs = torch.func.vmap(lambda *a: fn(torch, *a), in_dims, out_dims)(*_to_torch(args))
    assert_same(ours, theirs, atol=atol)


B = 3

# name -> (fn(m, *args), logical shapes of the args)
UNARY = {
    "sin": lambda m, x: m.sin(x),
    "method_exp": lambda m, x: x.exp(),
    "neg_abs": lambda m, x: -abs(x),
    "pow": lambda m, x: x**2 + 2**x,
    "relu_gelu": lambda m, x: m.nn.functional.gelu(m.relu(x)),
    "sigmoid_tanh": lambda m, x: m.sigmoid(x) * m.tanh(x),
    "clamp": lambda m, x: x.clamp(-0.5, 0.5),
    "where": lambda m, x: m.where(x > 0, x, 2 * x),
    "softplus_silu": lambda m, x: m.nn.functional.softplus(x) + m.nn.functional.silu(x),
    "sum": lambda m, x: x.sum(),
    "sum_dim": lambda m, x: x.sum(-1),
    "sum_dims_keep": lambda m, x: m.sum(x, dim=(0, 1), keepdim=True),
    "mean": lambda m, x: x.mean(0),
    "std_var": lambda m, x: x.std(1) + x.var(),
    "amax": lambda m, x: x.amax(-1) + x.amin(),
    "max_dim": lambda m, x: x.max(dim=1).values,
    "max_all": lambda m, x: x.max() + x.min(),
    "argmax": lambda m, x: x.argmax(),
    "argmax_dim": lambda m, x: x.argmax(dim=0),
    "prod": lambda m, x: x.prod(1) + x.prod(),
    "logsumexp": lambda m, x: m.logsumexp(x, 1),
    "norm": lambda m, x: x.norm() + m.norm(x, dim=1).sum(),
    "softmax": lambda m, x: m.softmax(x, -1),
    "log_softmax": lambda m, x: m.nn.functional.log_softmax(x, dim=0),
    "cumsum": lambda m, x: x.cumsum(1),
    "reshape": lambda m, x: x.reshape(-1, 2),
    "view": lambda m, x: x.view(4, 3),
    "flatten": lambda m, x: x.flatten(),
    "transpose": lambda m, x: x.transpose(0, 1),
    "t_T": lambda m, x: x.t() + x.T,
    "permute": lambda m, x: x.unsqueeze(0).permute(2, 0, 1),
    "unsqueeze_squeeze": lambda m, x: x.unsqueeze(-1).squeeze(),
    "expand": lambda m, x: x[:, :1].expand(2, 4, 3),
    "repeat": lambda m, x: x.repeat(2, 1, 1),
    "flip": lambda m, x: x.flip(0),
    "narrow_select": lambda m, x: x.narrow(1, 1, 2) + x.select(1, 0).unsqueeze(1),
    "getitem": lambda m, x: x[1:, ::2] * x[0, -1],
    "getitem_none_ellipsis": lambda m, x: x[None, ..., 1],
    "getitem_index_list": lambda m, x: x[m.tensor([0, 3, 3])],
    "split": lambda m, x: m.cat(x.split(1, dim=1)[::-1], 1),
    "chunk_unbind": lambda m, x: m.stack(x.chunk(2, 0)[0].unbind(1), 0),
    "cat": lambda m, x: m.cat([x, x * 2], dim=-1),
    "stack": lambda m, x: m.stack([x, x.sin()], 1),
    "movedim": lambda m, x: x.movedim(0, -1),
    "tril": lambda m, x: x.tril() - x.triu(1),
    "matmul_self": lambda m, x: x @ x.T,
    "mv_dot": lambda m, x: m.mv(x, x[0]) + m.dot(x[0], x[1]),
    "outer": lambda m, x: m.outer(x[0], x[1]),
    "einsum": lambda m, x: m.einsum("ij,kj->ik", x, x),
    "clone_detach": lambda m, x: x.clone().detach() + x.contiguous(),
    "zeros_like": lambda m, x: m.zeros_like(x) + m.ones_like(x),
    "masked_fill": lambda m, x: x.masked_fill(x < 0, 0.0),
    "to_dtype": lambda m, x: x.to(m.float32).double(),
    "comparison": lambda m, x: ((x > 0) & (x < 1)).to(x.dtype),
    "inplace": lambda m, x: x.clone().mul_(2).add_(1),
    "layer_norm": lambda m, x: m.nn.functional.layer_norm(x, (3,)),
    "tile": lambda m, x: x.tile((2,)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("in_dim", [0, -1, 1])
def test_unary_rules(name, in_dim):
    shape = [4, 3]
    shape.insert(in_dim % 3, B)
    vmap_both(UNARY[name], (rand(*shape, seed=1),), in_dims=in_dim)


BINARY = {
    "add": lambda m, x, y: x + y,
    "sub_r": lambda m, x, y: 1 - x - y,
    "mul_div": lambda m, x, y: x * y / (y.abs() + 1),
    "maximum": lambda m, x, y: m.maximum(x, y),
    "pow_t": lambda m, x, y: x.abs() ** y,
    "atan2_like": lambda m, x, y: m.where(x > y, x, y),
    "matmul": lambda m, x, y: x @ y.T,
    "matmul_vec": lambda m, x, y: x @ y[0],
    "matmul_vec_left": lambda m, x, y: x[0] @ y.T,
    "mm": lambda m, x, y: m.mm(x, y.t()),
    "linear": lambda m, x, y: m.nn.functional.linear(x, y),
    "linear_bias": lambda m, x, y: m.nn.functional.linear(x, y, y[0, :4]),
    "mse": lambda m, x, y: m.nn.functional.mse_loss(x, y),
    "mse_sum": lambda m, x, y: m.nn.functional.mse_loss(x, y, reduction="sum"),
    "l1_none": lambda m, x, y: m.nn.functional.l1_loss(x, y, reduction="none"),
    "smooth_l1": lambda m, x, y: m.nn.functional.smooth_l1_loss(x, y),
    "bce_logits": lambda m, x, y: m.nn.functional.binary_cross_entropy_with_logits(x, m.sigmoid(y)),
    "bce": lambda m, x, y: m.nn.functional.binary_cross_entropy(m.sigmoid(x), m.sigmoid(y)),
    "cat": lambda m, x, y: m.cat([x, y], 0),
    "stack": lambda m, x, y: m.stack([x, y], -1),
    "einsum": lambda m, x, y: m.einsum("ij,ij->i", x, y),
    "kl_div": lambda m, x, y: m.nn.functional.kl_div(
        m.log_softmax(x, -1), m.softmax(y, -1), reduction="batchmean"
    ),
    "cosine_similarity": lambda m, x, y: m.nn.functional.cosine_similarity(x, y),
    "inplace_add": lambda m, x, y: x.clone().add_(y),
}


# torch.func's own rules reject a batched input with an unbatched target here.
SAME_SHAPE_ONLY = {"bce", "bce_logits"}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("in_dims", [(0, 0), (0, None), (None, 1), (1, -1)])
def test_binary_rules(name, in_dims):
    if (name in SAME_SHAPE_ONLY or name == "inplace_add") and None in in_dims:
        in_dims = (in_dims[0] or 0, in_dims[1] or 0)

    def shaped(d, seed):
        if d is None:
            return rand(4, 5, seed=seed)
        shape = [4, 5]
        shape.insert(d % 3, B)
        return rand(*shape, seed=seed)

    x, y = shaped(in_dims[0], 1), shaped(in_dims[1], 2)
    vmap_both(BINARY[name], (x, y), in_dims=in_dims)


def test_inplace_into_unbatched_raises_as_torch():
    def run(m, F, x, y):
        return F.vmap(lambda a, b: a.add_(b), in_dims=(None, 0))(x, y)

    raises_same(run, rand(3), rand(2, 3))


@pytest.mark.parametrize("in_dims", [(0, None, None), (0, 0, 0), (None, 0, None), (0, 0, None)])
def test_conv2d(in_dims):
    x = rand(2, 2, 3, 6, 6, seed=1) if in_dims[0] == 0 else rand(2, 3, 6, 6, seed=1)
    w = rand(2, 4, 3, 3, 3, seed=2) if in_dims[1] == 0 else rand(4, 3, 3, 3, seed=2)
    b = rand(2, 4, seed=3) if in_dims[2] == 0 else rand(4, seed=3)

    def f(m, x, w, b):
        return m.nn.functional.conv2d(x, w, b, padding=1, stride=(1, 2))

    vmap_both(f, (x, w, b), in_dims=in_dims)


def test_conv1d_unbatched_sample_and_pooling():
    x = rand(B, 3, 8, 8, seed=1)  # each sample is an unbatched (C, H, W) input
    w = rand(4, 3, 3, 3, seed=2)

    def f(m, x, w):
        y = m.nn.functional.conv2d(x, w)
        return m.nn.functional.max_pool2d(y, 2) + m.nn.functional.avg_pool2d(y, 2)

    vmap_both(f, (x, w), in_dims=(0, None))
    x1, w1 = rand(B, 2, 3, 10, seed=1), rand(4, 3, 3, seed=2)
    vmap_both(lambda m, x, w: m.nn.functional.conv1d(x, w, padding=1), (x1, w1), (0, None))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_and_nll(reduction, weighted):
    x = rand(B, 5, 4, seed=1)
    t = ag.tensor(np.random.default_rng(0).integers(0, 4, (B, 5)))
    t[0, 1] = 2
    w = rand(4, seed=3).abs() + 0.1 if weighted else None

    def f(m, x, t, w):
        F = m.nn.functional
        a = F.cross_entropy(x, t, weight=w, reduction=reduction, ignore_index=2)
        b = F.nll_loss(F.log_softmax(x, -1), t, weight=w, reduction=reduction)
        return a + b

    vmap_both(f, (x, t, w), in_dims=(0, 0, None))
    vmap_both(f, (x[:, 0], t[:, 0], w), in_dims=(0, 0, None))  # one (C,) sample each
    vmap_both(
        lambda m, x, t: m.nn.functional.cross_entropy(
            x, t, label_smoothing=0.1, reduction=reduction
        ),
        (x, t[0]),
        in_dims=(0, None),
    )


def test_norm_layers_and_embedding():
    x = rand(B, 4, 3, 5, seed=1)
    w, b = rand(5, seed=2), rand(5, seed=3)

    def ln(m, x, w, b):
        return m.nn.functional.layer_norm(x, (5,), w, b)

    vmap_both(ln, (x, w, b), in_dims=(0, None, None))
    vmap_both(ln, (x, rand(B, 5, seed=2), b), in_dims=(0, 0, None))

    def bn(m, x, w, b):
        return m.nn.functional.batch_norm(x, None, None, w, b, training=True)

    vmap_both(bn, (x, rand(3, seed=2), rand(3, seed=3)), in_dims=(0, None, None))
    rm, rv = rand(3, seed=4), rand(3, seed=5).abs()

    def bn_eval(m, x, rm, rv):
        return m.nn.functional.batch_norm(x, rm, rv, training=False)

    vmap_both(bn_eval, (x, rm, rv), in_dims=(0, None, None))
    weight = rand(10, 4, seed=6)
    idx = ag.tensor(np.random.default_rng(1).integers(0, 10, (B, 2, 3)))
    vmap_both(lambda m, i, w: m.nn.functional.embedding(i, w), (idx, weight), in_dims=(0, None))


def test_gather_scatter_and_batched_index():
    x = rand(B, 4, 5, seed=1)
    idx = ag.tensor(np.random.default_rng(1).integers(0, 4, (B, 2, 5)))

    def f(m, x, i):
        return x.gather(0, i).sum(0) + m.zeros(4, 5, dtype=x.dtype).scatter_add(0, i, x[:2])

    vmap_both(f, (x, idx), in_dims=(0, 0))
    vmap_both(f, (x, idx[0]), in_dims=(0, None))
    rows = ag.tensor(np.random.default_rng(2).integers(0, 4, (B, 6)))
    vmap_both(lambda m, x, r: x[r], (x, rows), in_dims=(0, 0))
    vmap_both(lambda m, x, r: x[r], (x[0], rows), in_dims=(None, 0))
    vmap_both(lambda m, x, i: x.index_select(1, i), (x, rows[0] % 5), in_dims=(0, None))


def test_setitem_on_a_batched_clone():
    def f(m, x, y):
        z = x.clone()
        z[1:, 0] = y[:2]
        z[0] = 5.0
        return z

    vmap_both(f, (rand(B, 3, 4, seed=1), rand(B, 3, seed=2)), in_dims=(0, 0))
    vmap_both(f, (rand(B, 3, 4, seed=1), rand(3, seed=2)), in_dims=(0, None))


def test_nested_vmap_and_out_dims():
    x, y = rand(2, 3, 4, seed=1), rand(3, 4, seed=2)

    def run(m, F, x, y):
        inner = F.vmap(lambda a, b: (a * b).sum() + a, in_dims=(0, None))
        outer = F.vmap(inner, in_dims=(0, None), out_dims=1)
        return outer(x, y)

    ours = run(ag, agf, x, y)
    theirs = run(torch, torch.func, *_to_torch((x, y)))
    assert_same(ours, theirs)

    def run2(m, F, x):
        return F.vmap(F.vmap(lambda a: (a.sin(), a.sum()), in_dims=1), out_dims=(0, -1))(x)

    assert_same(run2(ag, agf, x), run2(torch, torch.func, _to_torch(x)))

    def run3(m, F, x, y):
        # The inner function closes over an outer batched tensor.
        return F.vmap(lambda a: F.vmap(lambda b: a @ b)(y))(x)

    assert_same(run3(ag, agf, x, y), run3(torch, torch.func, *_to_torch((x, y))))


def test_in_dims_structures_and_unbatched_outputs():
    x = {"a": rand(4, B, seed=1), "b": [rand(B, 2, seed=2), rand(2, seed=3)]}

    def run(m, F, x, s):
        f = F.vmap(
            lambda d, s: (d["a"].sum() * d["b"][0] + d["b"][1] * s, m.ones(2)),
            in_dims=({"a": 1, "b": [0, None]}, None),
        )
        return f(x, s)

    assert_same(run(ag, agf, x, 2.0), run(torch, torch.func, _to_torch(x), 2.0))


def test_kwargs_are_not_mapped():
    def run(m, F, x):
        return F.vmap(lambda x, scale=1.0: x * scale)(x, scale=3.0)

    assert_same(run(ag, agf, rand(B, 2)), run(torch, torch.func, _to_torch(rand(B, 2))))


@pytest.mark.parametrize("chunk_size", [1, 2, 5])
def test_chunk_size_does_not_change_the_result(chunk_size):
    def run(m, F, x, y):
        return F.vmap(lambda a, b: (a @ b, a.sum()), in_dims=(0, None), chunk_size=chunk_size)(x, y)

    args = (rand(5, 3, 2, seed=1), rand(2, 4, seed=2))
    assert_same(run(ag, agf, *args), run(torch, torch.func, *_to_torch(args)))


ERRORS = {
    "no_inputs": lambda m, F, x: F.vmap(lambda: x)(),
    "in_dims_type": lambda m, F, x: F.vmap(lambda a: a, in_dims=[0])(x),
    "in_dims_range": lambda m, F, x: F.vmap(lambda a: a, in_dims=2)(x),
    "in_dims_structure": lambda m, F, x: F.vmap(lambda a, b: a, in_dims=(0, 0, 0))(x, x),
    "in_dim_non_tensor": lambda m, F, x: F.vmap(lambda a, b: a, in_dims=(0, 0))(x, 2.0),
    "sizes": lambda m, F, x: F.vmap(lambda a, b: a + b.sum())(x, x[:1]),
    "all_none": lambda m, F, x: F.vmap(lambda a: a, in_dims=None)(x),
    "non_tensor_output": lambda m, F, x: F.vmap(lambda a: 3)(x),
    "out_dims_structure": lambda m, F, x: F.vmap(lambda a: (a, a), out_dims=(0, 0, 0))(x),
    "batched_out_dim_none": lambda m, F, x: F.vmap(lambda a: a, out_dims=None)(x),
    "randomness_value": lambda m, F, x: F.vmap(lambda a: a, randomness="sometimes")(x),
    "chunk_size": lambda m, F, x: F.vmap(lambda a: a, chunk_size=0)(x),
    "random_in_error_mode": lambda m, F, x: F.vmap(lambda a: a + m.randn(2))(x),
    "random_like_error_mode": lambda m, F, x: F.vmap(lambda a: m.rand_like(a))(x),
    "item": lambda m, F, x: F.vmap(lambda a: a.sum().item())(x),
    "control_flow": lambda m, F, x: F.vmap(lambda a: a if a.sum() > 0 else -a)(x),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    raises_same(ERRORS[name], rand(B, 2))


def test_randomness_modes():
    x = ag.zeros(4, 3)
    ag.manual_seed(0)
    same = agf.vmap(lambda a: a + ag.randn(3), randomness="same")(x)
    assert all(np.allclose(same[i].numpy(), same[0].numpy()) for i in range(4))
    diff = agf.vmap(lambda a: a + ag.randn(3), randomness="different")(x)
    assert not np.allclose(diff[1].numpy(), diff[0].numpy())
    like = agf.vmap(lambda a: ag.rand_like(a), randomness="different")(x)
    assert like.shape == (4, 3) and not np.allclose(like[1].numpy(), like[0].numpy())
    like_same = agf.vmap(lambda a: ag.rand_like(a), randomness="same")(x)
    assert np.allclose(like_same[1].numpy(), like_same[0].numpy())
    ones = ag.ones(4, 50)
    drop = agf.vmap(lambda a: ag.nn.functional.dropout(a, 0.5), randomness="different")(ones)
    assert not np.allclose(drop[1].numpy(), drop[0].numpy())
    drop_same = agf.vmap(lambda a: ag.nn.functional.dropout(a, 0.5), randomness="same")(ones)
    assert np.allclose(drop_same[1].numpy(), drop_same[0].numpy())
    assert set(np.unique(drop.numpy())) <= {0.0, 2.0}
    # Eval-mode dropout is not random.
    agf.vmap(lambda a: ag.nn.functional.dropout(a, 0.5, training=False))(ones)


def test_fallback_loops_and_warns_once_naming_the_op():
    import autograd_cpp.func._batched as batched

    # roll without dims rolls the flattened example: no batching rule.
    batched._warned.discard("roll")
    x = rand(B, 4, seed=1)
    f = agf.vmap(lambda a: a.roll(1) * 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = f(x)
        f(x)
    messages = [str(w.message) for w in caught if "performance drop" in str(w.message)]
    assert len(messages) == 1
    theirs = torch.func.vmap(lambda a: a.roll(1) * 2)(_to_torch(x))
    assert_same(ours, theirs)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, a: a.roll(1, 0),
        lambda m, a: a.roll((1, -2), (1, 0)),
        lambda m, a: m.logaddexp(a, a.flip(0)),
        lambda m, a: m.nn.functional.pad(a, (1, 2), value=0.5),
        lambda m, a: m.nn.functional.logsigmoid(a),
    ],
)
def test_ops_once_looped_batch_natively(fn):
    import autograd_cpp.func._batched as batched

    batched._warned.clear()  # so a fallback, warned before, warns again
    x = rand(B, 3, 4, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fallback would warn
        ours = agf.vmap(lambda a: fn(ag, a))(x)
    assert_same(ours, torch.func.vmap(lambda a: fn(torch, a))(_to_torch(x)))


def test_fallback_warning_names_the_op():
    import autograd_cpp.func._batched as batched

    batched._warned.discard("kthvalue")
    batched._RULES.pop("kthvalue_probe", None)
    op = batched._Op("kthvalue_probe", lambda x: x * 2)
    lv = batched.push_level(B, "error")
    try:
        with pytest.warns(UserWarning, match="no batching rule for `kthvalue_probe`"):
            out = op(batched.BatchedTensor(rand(B, 2), lv.level))
    finally:
        batched.pop_level(lv)
    np.testing.assert_allclose(out._value.numpy(), rand(B, 2).numpy() * 2)


def test_functions_are_restored_after_vmap():
    before = ag.sin, ag._C.sin, ag.nn.functional.linear
    with pytest.raises(RuntimeError):
        agf.vmap(lambda a: ag.sin(a).sum().item())(rand(B, 2))
    assert (ag.sin, ag._C.sin, ag.nn.functional.linear) == before


# ---- composition with grad ----------------------------------------------------------


def _mlp(m):
    m.manual_seed(0)
    return m.nn.Sequential(m.nn.Linear(6, 16), m.nn.Tanh(), m.nn.Linear(16, 4)).double()


def test_per_sample_gradients_match_torch_func_and_a_loop():
    ours_model, theirs_model = _mlp(ag), _mlp(torch)
    with torch.no_grad():
        for p, q in zip(ours_model.parameters(), theirs_model.parameters()):
            q.copy_(_to_torch(p))
    x, y = rand(8, 6, seed=1), ag.tensor(np.random.default_rng(2).integers(0, 4, (8,)))

    def run(m, F, model, x, y):
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, xi, yi):
            out = F.functional_call(model, p, (xi.unsqueeze(0),))
            return m.nn.functional.cross_entropy(out, yi.unsqueeze(0))

        return F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, x, y)

    with no_fallback():
        ours = run(ag, agf, ours_model, x, y)
    assert_same(ours, run(torch, torch.func, theirs_model, *_to_torch((x, y))))
    for i in range(8):
        ours_model.zero_grad()
        ag.nn.functional.cross_entropy(ours_model(x[i : i + 1]), y[i : i + 1]).backward()
        for k, p in ours_model.named_parameters():
            np.testing.assert_allclose(ours[k][i].numpy(), p.grad.numpy(), atol=1e-12)


def test_vmap_of_grad_of_grad_and_grad_of_vmap():
    x = rand(B, 4, seed=1)

    def run(m, F, x):
        f = lambda a: (a.sin() * a).sum()  # noqa: E731
        second = F.vmap(F.grad(F.grad(lambda a: a.sin().sum())))(x[:, 0])
        hv = F.vmap(F.grad(lambda a: F.grad(f)(a).pow(2).sum()))(x)
        outer = F.grad(lambda z: F.vmap(f)(z).sum())(x)
        return second, hv, outer

    assert_same(run(ag, agf, x), run(torch, torch.func, _to_torch(x)))


def test_vmap_of_vjp_and_jacrev():
    x = rand(B, 3, seed=1)
    w = rand(3, 3, seed=2)

    def run(m, F, x, w):
        def f(a):
            return m.tanh(w @ a)

        jac = F.vmap(F.jacrev(f))(x)
        vj = F.vmap(lambda a, v: F.vjp(f, a)[1](v)[0])(x, x * 2)
        return jac, vj

    assert_same(run(ag, agf, x, w), run(torch, torch.func, *_to_torch((x, w))))


def test_ensemble_with_stack_module_state():
    models = [ag.nn.Linear(3, 2).double() for _ in range(4)]
    params, buffers = agf.stack_module_state(models)
    x = rand(5, 3, seed=1)
    base = models[0]

    def call(p, b, x):
        return agf.functional_call(base, (p, b), (x,))

    with no_fallback():
        out = agf.vmap(call, in_dims=(0, 0, None))(params, buffers, x)
    for i, m in enumerate(models):
        np.testing.assert_allclose(out[i].detach().numpy(), m(x).detach().numpy(), atol=1e-12)


def test_transforms_of_a_library_op_inside_vmap():
    # The op object itself is what the inner transforms hold.
    def run(m, F, x):
        return (
            F.vmap(F.grad(m.sin))(x[:, 0]),
            F.vmap(F.jacrev(m.sin))(x),
            F.vmap(lambda a: F.jvp(m.tanh, (a,), (a,))[1])(x),
        )

    x = rand(B, 2)
    assert_same(run(ag, agf, x), run(torch, torch.func, _to_torch(x)))


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_per_sample_embedding_gradients_batch_natively(padding_idx):
    import autograd_cpp.func._batched as batched

    rows = np.arange(40.0).reshape(10, 4)
    x = np.array([[1, 2, 3], [2, 2, 9], [0, 5, 9]])

    def run(m):
        emb = m.nn.Embedding(10, 4, padding_idx=padding_idx)
        with m.no_grad():
            emb.weight.copy_(m.tensor(rows, dtype=m.float32))
        params = {k: v.detach() for k, v in emb.named_parameters()}

        def loss(p, xi):
            return (m.func.functional_call(emb, p, (xi,)) ** 2).sum()

        return m.func.vmap(m.func.grad(loss), in_dims=(None, 0))(params, m.tensor(x))["weight"]

    batched._warned.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a fallback would warn
        ours = run(ag)
    assert_same(ours, run(torch))


def test_embedding_index_out_of_an_examples_table_raises():
    # The batched table holds every example's rows: an index past one
    # example's table must not reach the next example's rows. (torch.func
    # 2.13 reads that row; the unbatched op raises, and so does ours.)
    w = ag.rand(3, 4, 2)
    with pytest.raises(IndexError) as theirs:
        torch.nn.functional.embedding(torch.tensor([4]), torch.rand(4, 2))
    with pytest.raises(IndexError) as ours:
        agf.vmap(ag.nn.functional.embedding)(ag.tensor([[0], [4], [1]]), w)
    assert str(ours.value) == str(theirs.value)
