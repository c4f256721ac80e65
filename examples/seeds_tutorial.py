"""The PyTorch autograd tutorials this project grew from, run unchanged on
autograd_cpp.

Each section is the tutorial's own code after ``import autograd_cpp as torch``.
Values drawn from the random factories differ from the tutorials' (their
printouts came from PyTorch's generator); every deterministic value matches.

Run:  python examples/seeds_tutorial.py
"""

import autograd_cpp as torch


def section(title: str) -> None:
    print(f"\n=== {title} ===")


# ---------------------------------------------------------------------------
section("Autograd basics: grad_fn, backward, non-scalar outputs")
x = torch.ones(2, 2, requires_grad=True)
print(x)

y = x + 2
print(y)

try:
    y.backward()
except RuntimeError as err:
    print("RuntimeError:", err)

y = (x + 2).sum()
print(y)
y.backward()
print(x.grad)

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
y.backward(x)
print(x.grad)

y = x + 2  # add
z = y * y  # mul
w = z * 7  # mul
print(x)
print(y)
print(z)
print(w)

# ---------------------------------------------------------------------------
section("Saved tensors")
torch.manual_seed(0)
x = torch.randn(5, requires_grad=True)
y = x.pow(2)
assert y.grad_fn is not None  # y is recorded: x requires grad
print(y)
print(x)
print(y.grad_fn._saved_self)  # saved tensor
print("saved tensor is x:", y.grad_fn._saved_self is x)

# ---------------------------------------------------------------------------
section("Non-differentiable points")
x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
torch.relu(x).sum().backward()
print("relu'(x) at -1, 0, 2:", x.grad)
x = torch.tensor([0.0, 4.0], requires_grad=True)
torch.sqrt(x).sum().backward()
print("sqrt'(x) at 0, 4:", x.grad)

# ---------------------------------------------------------------------------
section("A one-layer network: binary cross-entropy with logits")
x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print("Gradient function for z =", z.grad_fn)
print("Gradient function for loss =", loss.grad_fn)

loss.backward()
print(w.grad)
print(b.grad)

z = torch.matmul(x, w) + b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)

z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad)

# ---------------------------------------------------------------------------
section("Jacobian products and gradient accumulation")
inp = torch.eye(5, requires_grad=True)
out = (inp + 1).pow(2)
out.backward(torch.ones_like(inp), retain_graph=True)
print("First call\n", inp.grad)
out.backward(torch.ones_like(inp), retain_graph=True)
print("\nSecond call\n", inp.grad)
assert inp.grad is not None
inp.grad.zero_()
out.backward(torch.ones_like(inp), retain_graph=True)
print("\nCall after zeroing gradients\n", inp.grad)

# ---------------------------------------------------------------------------
section("The blitz autograd tutorial")
x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
print(y.grad_fn)
z = y * y * 3
out = z.mean()
print(z, out)

a = torch.randn(2, 2)
a = (a * 3) / (a - 1)
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)

out.backward()
print(x.grad)

x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)

gradients = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(gradients)
print(x.grad)

print(x.requires_grad)
print((x**2).requires_grad)
with torch.no_grad():
    print((x**2).requires_grad)
