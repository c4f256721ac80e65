"""The examples of the PyTorch tutorials in the seeds, with the numbers they
print (random values aside)."""

import subprocess
import sys
from pathlib import Path

import pytest

import autograd_cpp as torch


def test_grad_of_mean_of_squares_is_4_5():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    assert repr(y) == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    z = y * y * 3
    out = z.mean()
    assert repr(z) == "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>)"
    assert repr(out) == "tensor(27., grad_fn=<MeanBackward0>)"
    out.backward()
    assert repr(x.grad) == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"


def test_leaf_prints_requires_grad():
    x = torch.ones(2, 2, requires_grad=True)
    assert repr(x) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"


def test_implicit_gradient_needs_a_scalar():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        y.backward()
    y = (x + 2).sum()
    assert repr(y) == "tensor(12., grad_fn=<SumBackward0>)"
    y.backward()
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_backward_with_the_input_as_gradient():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    y.backward(x)
    assert repr(x.grad) == "tensor([[1., 1.],\n        [1., 1.]])"
    # The gradient must be a copy, not x itself.
    x.grad.zero_()
    assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_chain_add_mul_mul():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y
    w = z * 7
    assert repr(z) == "tensor([[9., 9.],\n        [9., 9.]], grad_fn=<MulBackward0>)"
    assert repr(w) == "tensor([[63., 63.],\n        [63., 63.]], grad_fn=<MulBackward0>)"


def test_pow_saves_its_input():
    x = torch.randn(5, requires_grad=True)
    y = x.pow(2)
    assert y.grad_fn.name() == "PowBackward0"
    assert y.grad_fn._saved_self is x
    assert y.grad_fn._saved_exponent == 2
    assert repr(y.grad_fn._saved_self) == repr(x)


def test_relu_gradient_is_zero_at_zero_and_sqrt_is_inf():
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    torch.relu(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    x = torch.tensor([0.0, 4.0], requires_grad=True)
    torch.sqrt(x).sum().backward()
    assert x.grad.tolist() == [float("inf"), 0.25]


def test_one_layer_network_with_bce_logits():
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    assert repr(z.grad_fn).startswith("<AddBackward0 object at 0x")
    assert repr(loss.grad_fn).startswith("<BinaryCrossEntropyWithLogitsBackward0 object at 0x")
    loss.backward()
    # d loss / d b = sigmoid(z) / 3 and every row of w.grad equals it.
    expected = (torch.sigmoid(z.detach()) / 3).tolist()
    assert b.grad.tolist() == pytest.approx(expected, rel=1e-5)
    for row in w.grad.tolist():
        assert row == pytest.approx(expected, rel=1e-5)
    assert (torch.matmul(x, w) + b).requires_grad
    with torch.no_grad():
        assert not (torch.matmul(x, w) + b).requires_grad
    assert not (torch.matmul(x, w) + b).detach().requires_grad


def test_jacobian_product_accumulates_and_zeroes():
    inp = torch.eye(5, requires_grad=True)
    out = (inp + 1).pow(2)
    first = [[4.0 if i == j else 2.0 for j in range(5)] for i in range(5)]
    out.backward(torch.ones_like(inp), retain_graph=True)
    assert inp.grad.tolist() == first
    out.backward(torch.ones_like(inp), retain_graph=True)
    assert inp.grad.tolist() == [[2 * v for v in row] for row in first]
    inp.grad.zero_()
    out.backward(torch.ones_like(inp), retain_graph=True)
    assert inp.grad.tolist() == first
    assert repr(inp.grad) == (
        "tensor([[4., 2., 2., 2., 2.],\n"
        "        [2., 4., 2., 2., 2.],\n"
        "        [2., 2., 4., 2., 2.],\n"
        "        [2., 2., 2., 4., 2.],\n"
        "        [2., 2., 2., 2., 4.]])"
    )


def test_requires_grad_flag_changes_in_place():
    a = torch.randn(2, 2)
    a = (a * 3) / (a - 1)
    assert a.requires_grad is False
    a.requires_grad_(True)
    assert a.requires_grad is True
    b = (a * a).sum()
    assert b.grad_fn.name() == "SumBackward0"


def test_data_norm_loop_and_vector_jacobian_product():
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    steps = 1
    while y.data.norm() < 1000:
        y = y * 2
        steps += 1
    gradients = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(gradients)
    scale = 2.0**steps
    assert x.grad.tolist() == pytest.approx([0.1 * scale, scale, 0.0001 * scale], rel=1e-6)
    assert x.requires_grad
    assert (x**2).requires_grad
    with torch.no_grad():
        assert not (x**2).requires_grad


def test_seed_tutorial_script_runs():
    script = Path(__file__).resolve().parents[1] / "examples" / "seeds_tutorial.py"
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])" in result.stdout
    assert "grad can be implicitly created only for scalar outputs" in result.stdout
