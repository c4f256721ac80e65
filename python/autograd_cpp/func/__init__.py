"""Composable function transforms, with torch.func's names and semantics.

``grad``, ``grad_and_value``, ``vjp``, ``jacrev`` and ``hessian`` take a
function and return a function; they nest (``grad(grad(f))``,
``jacrev(jacrev(f))``) and compose with ordinary autograd.
``jvp`` and ``jacfwd`` give Jacobian-vector products and Jacobians by
columns, by forward-mode AD (falling back to double backward under
``vmap``, inside another ``jvp``, or where an op has no forward rule). ``vmap`` maps a function over a batch dimension with one batched op per op
(``vmap(grad(f))`` gives per-sample gradients). ``functional_call`` makes a module a function of its weights and
``stack_module_state`` stacks the weights of an ensemble.
"""

from ._forward import jacfwd, jvp
from ._module import functional_call, stack_module_state
from ._reverse import grad, grad_and_value, hessian, jacrev, vjp
from ._vmap import vmap

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "stack_module_state",
    "vjp",
    "vmap",
]
