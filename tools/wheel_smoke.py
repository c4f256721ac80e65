"""Smoke test for an installed wheel: import, print where the extension and
its BLAS come from, and check a gradient through a matrix product (which
calls OpenBLAS). Run from outside the source tree."""

import autograd_cpp as torch

x = torch.arange(6.0).reshape(2, 3).requires_grad_()
w = torch.ones(3, 2, requires_grad=True)
(x @ w).sum().backward()
assert x.grad.tolist() == [[2.0] * 3] * 2, x.grad
assert w.grad.tolist() == [[3.0, 3.0], [5.0, 5.0], [7.0, 7.0]], w.grad
print(f"autograd_cpp {torch.__version__} from {torch.__file__}: gradients OK")
