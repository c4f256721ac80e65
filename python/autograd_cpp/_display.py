"""How tensors and graphs look in Jupyter: a grad_fn (a node of the backward
graph) draws the graph below it as SVG (viz's picture), a tensor shows a small
HTML table with its shape, dtype and autograd state. Plain ``repr`` stays
PyTorch's text, which Jupyter keeps as the text/plain form."""

from __future__ import annotations

import html

from . import _C, viz

_MAX_CELLS = 400  # larger tensors show their printed form instead of a table


def _node_svg(node: _C.Node) -> str:
    return viz._svg(node, None, False)


def _cell(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:.0f}." if value.is_integer() else f"{value:.4g}"
    else:
        text = str(value)
    return f"<td>{html.escape(text)}</td>"


def _tensor_html(t: _C.Tensor) -> str:
    dtype = str(t.dtype)
    if t.grad_fn is not None:
        state = f"grad_fn={html.escape(t.grad_fn._class_name)}"
    else:
        state = "requires_grad=True" if t.requires_grad else ""
    caption = f"{html.escape(str(t.shape))}, {dtype}" + (f", {state}" if state else "")
    style = 'style="font-family: monospace; border-collapse: collapse; text-align: right"'
    if t.dim() > 2 or t.numel() > _MAX_CELLS:
        body = f"<pre>{html.escape(repr(t))}</pre>"
        return f"<div><div><b>tensor</b> {caption}</div>{body}</div>"
    values = t.detach().tolist()
    rows = [[values]] if t.dim() == 0 else [values] if t.dim() == 1 else values
    table = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table {style}><caption><b>tensor</b> {caption}</caption>{table}</table>"


def install() -> None:
    """Attaches the display methods (IPython looks them up on the class)."""
    methods: tuple[tuple[type, str, object], ...] = (
        (_C.Node, "_repr_svg_", _node_svg),
        (_C.Tensor, "_repr_html_", _tensor_html),
    )
    for cls, name, method in methods:
        setattr(cls, name, method)
