"""Answers "why is this gradient None?" in words."""

from __future__ import annotations

from .. import _C

__all__ = ["explain"]


def _walk(root: _C.Node) -> dict[int, list[_C.Node]]:
    """Every node reachable from root, with the path (list of nodes) to it."""
    paths = {id(root): [root]}
    queue = [root]
    while queue:
        node = queue.pop(0)
        for fn, _ in node.next_functions:
            if fn is not None and id(fn) not in paths:
                paths[id(fn)] = paths[id(node)] + [fn]
                queue.append(fn)
    return paths


def _shares_memory(a: _C.Tensor, b: _C.Tensor) -> bool:
    return a.numel() > 0 and b.numel() > 0 and a.data_ptr() == b.data_ptr() and a.shape == b.shape


def explain(output: _C.Tensor, tensor: _C.Tensor) -> str:
    """Says in words whether and how the gradient of ``output`` reaches
    ``tensor``, and so why ``tensor.grad`` is or is not filled by
    ``output.backward()``.

    It walks the backward graph of ``output`` and names the usual causes of a
    missing gradient: ``tensor`` does not require grad (or is not floating
    point); it is not a leaf, so its gradient passes through without being
    stored; the path was cut by ``detach()``, ``.data``, ``no_grad()`` or a
    round trip through ``.item()``/``.numpy()``; or it was not used at all.
    When the gradient does arrive, it gives the chain of nodes it travels.

    Args:
        output: the tensor you would call ``backward()`` on.
        tensor: the tensor whose gradient is in question.

    Returns:
        The explanation, as a string.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.autograd import explain
        >>> w = torch.ones(2, requires_grad=True)
        >>> b = torch.ones(2, requires_grad=True)
        >>> out = (w * b.detach()).sum()
        >>> print(explain(out, w))
        The gradient reaches the tensor of shape (2,) along SumBackward0 <- MulBackward0 <- AccumulateGrad; backward() accumulates it into its .grad.
        >>> print(explain(out, b))
        The tensor of shape (2,) is used by MulBackward0 (as 'other') only through a copy without history: it was detached (detach(), .data or no_grad()) before that op, so the path ends there.
    """
    if not isinstance(output, _C.Tensor) or not isinstance(tensor, _C.Tensor):
        raise TypeError("explain(output, tensor) expects two tensors")
    name = f"The tensor of shape {tuple(tensor.shape)}"
    if not tensor.dtype.is_floating_point:
        return (
            f"{name} has dtype {tensor.dtype}: only floating point tensors can require "
            "gradients, so it never gets one. Convert it with .float() before the "
            "computation if it should be learned."
        )
    if output.grad_fn is None:
        if output.requires_grad:
            return "output is itself a leaf tensor: backward() on it only fills its own .grad."
        return (
            f"output (shape {tuple(output.shape)}) has no grad_fn: nothing that required grad "
            "went into it while graph recording was on. Either no input required grad, or "
            "the path was cut (computed under no_grad(), through detach()/.data, or through "
            ".item()/.numpy()/tensor(...) which make new tensors without history). Setting "
            "requires_grad=True on the output afterwards will not make the inputs learn."
        )
    if not tensor.requires_grad:
        return (
            f"{name} does not require grad, so no gradient is computed for it. Create it "
            "with requires_grad=True or call .requires_grad_() before using it."
        )
    paths = _walk(output.grad_fn)
    nodes: dict[int, _C.Node] = {}
    for path in paths.values():
        nodes[id(path[-1])] = path[-1]
    if tensor.is_leaf:
        target = next(
            (
                n
                for n in nodes.values()
                if n._class_name == "AccumulateGrad" and n.variable is tensor
            ),
            None,
        )
    else:
        target = nodes.get(id(tensor.grad_fn))
    if target is not None:
        chain = " <- ".join(n._class_name for n in paths[id(target)])
        if tensor.is_leaf:
            return (
                f"The gradient reaches {name[0].lower() + name[1:]} along {chain}; backward() accumulates it "
                "into its .grad."
            )
        return (
            f"The gradient reaches {name[0].lower() + name[1:]} along {chain}, but it is not a leaf: "
            "backward() does not store gradients of intermediate tensors. Call "
            ".retain_grad() on it before backward(), or use autograd.grad(output, tensor)."
        )
    # Not reachable: look for a detached copy of it among the saved tensors.
    for node in nodes.values():
        for saved in node._saved_names():
            try:
                value = getattr(node, "_saved_" + saved)
            except RuntimeError:
                continue
            if (
                isinstance(value, _C.Tensor)
                and value is not tensor
                and _shares_memory(value, tensor)
            ):
                return (
                    f"{name} is used by {node._class_name} (as '{saved}') only through a "
                    "copy without history: it was detached (detach(), .data or no_grad()) "
                    "before that op, so the path ends there."
                )
    return (
        f"{name} is not part of output's graph: it was never used to compute output, or "
        "its use was cut by detach(), no_grad(), or by re-wrapping values with "
        ".item()/.numpy()/tensor(...)."
    )
