"""The perceptron of the KeraTorch tutorial: y_hat = sigmoid(w^T x + b),
mean squared error, plain gradient descent (w <- w - lr * dL/dw), with the
gradient from autograd checked against the chain-rule formula the tutorial
derives: dL/dw = 2/N (y_hat - y)^T diag(sigma'(z)) X.

Run:  python examples/perceptron.py
"""

import autograd_cpp as torch

torch.manual_seed(0)
N, n = 64, 3
X = torch.randn(N, n)
true_w = torch.tensor([1.5, -2.0, 0.5])
y = (X @ true_w + 0.3 > 0).float()  # a linearly separable target

w = torch.zeros(n, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 2.0

for step in range(201):
    z = X @ w + b
    y_hat = torch.sigmoid(z)
    loss = ((y_hat - y) ** 2).mean()
    loss.backward()
    assert w.grad is not None and b.grad is not None  # backward() filled them
    if step == 0:
        # The tutorial's formula, by hand, against autograd.
        s = y_hat.detach()
        by_hand = (2 / N) * ((s - y) * s * (1 - s)) @ X
        print("dL/dw autograd:", w.grad)
        print("dL/dw by hand: ", by_hand)
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad = None
    b.grad = None
    if step % 40 == 0:
        accuracy = ((y_hat > 0.5).float() == y).float().mean()
        print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy.item():.3f}")

print("learned w:", w.detach(), " b:", b.detach())
