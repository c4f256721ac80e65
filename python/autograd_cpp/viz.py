"""Pictures of the backward graph: Graphviz DOT text, SVG (with no other
software needed) and a text tree for terminals.

Boxes are the graph's nodes: green for the tensor you call backward() on,
grey for backward nodes (what ``grad_fn`` holds: each turns the gradient of
its op's output into gradients of the op's inputs), blue for leaf tensors,
whose gradients are accumulated into ``.grad``. An arrow runs from an input
to the op that used it, so gradients flow against the arrows; when an op has
several inputs, its arrows are labelled with their positions (``arg 0``,
``arg 1``), so that ``y * y`` shows two arrows from ``y``'s node. Every SVG
carries this key.

Examples:
    >>> import autograd_cpp as torch
    >>> from autograd_cpp import viz
    >>> x = torch.ones(2, requires_grad=True)
    >>> y = (x * x).sum()
    >>> viz.print_graph(y, {"x": x})
    output ()
    └─ SumBackward0
       └─ MulBackward0
          ├─ arg 0: x (2,)
          └─ arg 1: x (shared, see above)
    >>> path = viz.render(y, "graph.svg", {"x": x})  # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from typing import IO, TypeAlias, TypeVar

from . import _C

# Names for tensors: a dict, or (name, tensor) pairs such as named_parameters().
_Params: TypeAlias = "Mapping[str, _C.Tensor] | Iterable[tuple[str, _C.Tensor]] | None"
_Edges: TypeAlias = "list[tuple[_C.Node, int]]"
_Path = TypeVar("_Path", bound="str | os.PathLike[str]")

__all__ = ["to_dot", "render", "print_graph", "graph_nodes"]


def _short(node: _C.Node) -> str:
    return node._class_name


def _shape(t: _C.Tensor) -> str:
    return str(tuple(t.shape))


def _names_by_id(params: _Params) -> dict[int, str]:
    if params is None:
        return {}
    items = params.items() if hasattr(params, "items") else params
    return {id(t): name for name, t in items}


def graph_nodes(root: _C.Tensor | _C.Node | None) -> list[tuple[_C.Node, _Edges]]:
    """The nodes reachable from ``root`` (a tensor or grad_fn), each once, in
    breadth-first order, with their edges: [(node, [(next_node, input_nr)])]."""
    start = root.grad_fn if isinstance(root, _C.Tensor) else root
    if start is None:
        return []
    order: list[tuple[_C.Node, _Edges]] = []
    seen, queue = {id(start)}, [start]
    while queue:
        node = queue.pop(0)
        edges = [(fn, nr) for fn, nr in node.next_functions if fn is not None]
        order.append((node, edges))
        for fn, _ in edges:
            if id(fn) not in seen:
                seen.add(id(fn))
                queue.append(fn)
    return order


def _leaf_label(node: _C.Node, names: dict[int, str]) -> str:
    var = node.variable
    name = names.get(id(var))
    return f"{name}\n{_shape(var)}" if name else _shape(var)


def _saved_lines(node: _C.Node) -> list[str]:
    """What the node saved for its backward, one line each: a tensor by its
    shape (or its value when it holds one element), other values as they are."""
    lines = []
    for name in node._saved_names():
        try:
            value = getattr(node, "_saved_" + name)
        except RuntimeError:
            lines.append(f"{name}: (freed by backward)")
            continue
        if value is None:
            # PyTorch's convention too: an input is saved only when the
            # gradient of another input needs it.
            lines.append(f"{name}: not saved (no gradient needs it)")
        elif isinstance(value, _C.Tensor):
            shown = repr(value) if value.numel() == 1 else f"tensor of shape {_shape(value)}"
            lines.append(f"{name}: {shown}")
        else:
            lines.append(f"{name}: {value}")
    return lines


def _label(node: _C.Node, names: dict[int, str], show_saved: bool) -> str:
    if _short(node) == "AccumulateGrad":
        return _leaf_label(node, names)
    lines = [_short(node)]
    if show_saved:
        lines += _saved_lines(node)
    return "\n".join(lines)


def _input_edges(node: _C.Node) -> list[tuple[_C.Node, str]]:
    """(input's node, label) for each input that has a node. The label is
    "arg k" (k counts all of the op's inputs, so it is the argument's
    position) when the op has several inputs with nodes, else ""."""
    fns = [fn for fn, _ in node.next_functions]
    positions = [k for k, fn in enumerate(fns) if fn is not None]
    several = len(positions) > 1
    edges = []
    for k in positions:
        fn = fns[k]
        assert fn is not None
        edges.append((fn, f"arg {k}" if several else ""))
    return edges


_OUTPUT_FILL, _NODE_FILL, _LEAF_FILL = "#c9e3c9", "#eeeeee", "#cfe0f7"
_KEY = [
    (_OUTPUT_FILL, "the tensor backward() starts from"),
    (_NODE_FILL, "backward node (grad_fn): gradient of its op's output -> its inputs'"),
    (_LEAF_FILL, "leaf tensor: its gradient is accumulated into .grad"),
    ("", "arrow: input -> the op that used it (gradients flow the other way)"),
    ("", "arg k: the op's k-th input, when it has several"),
]


def to_dot(tensor: _C.Tensor, params: _Params = None, show_saved: bool = False) -> str:
    """Graphviz DOT text of the graph that produced ``tensor``.

    One box per backward node (named as ``grad_fn`` prints it, with what it
    saved when ``show_saved``), leaves labelled with their names from
    ``params`` and their shapes, an arrow from each input to the node that
    consumes it (labelled ``arg k`` when the node has several), and a key to
    the colours.

    Args:
        tensor: the output whose backward graph is drawn.
        params: names for leaf tensors: a dict, or (name, tensor) pairs such
            as ``model.named_parameters()``.
        show_saved: also list each node's saved tensors and values.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp import viz
        >>> x = torch.ones(3, requires_grad=True)
        >>> print(viz.to_dot((x * 2).sum(), {"x": x}).splitlines()[0])
        digraph backward {
    """
    names = _names_by_id(params)
    nodes = graph_nodes(tensor)
    out = [
        "digraph backward {",
        '  graph [rankdir=BT, fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    ids = {id(n): f"n{i}" for i, (n, _) in enumerate(nodes)}
    root_label = "output\\n" + _dot_escape(_shape(tensor))
    out.append(f'  out [label="{root_label}", fillcolor="{_OUTPUT_FILL}"];')
    for node, _ in nodes:
        label = _dot_escape(_label(node, names, show_saved))
        fill = _LEAF_FILL if _short(node) == "AccumulateGrad" else _NODE_FILL
        out.append(f'  {ids[id(node)]} [label="{label}", fillcolor="{fill}"];')
    if nodes:
        out.append(f"  {ids[id(nodes[0][0])]} -> out;")
    for node, _ in nodes:
        for fn, label in _input_edges(node):
            attrs = f' [label="{label}"]' if label else ""
            out.append(f"  {ids[id(fn)]} -> {ids[id(node)]}{attrs};")
    out.append("  subgraph cluster_key {")
    out.append('    label="key"; fontsize=10; style=rounded; color="#999999";')
    for i, (fill, text) in enumerate(_KEY):
        shape = f'fillcolor="{fill}"' if fill else 'shape=plaintext, style=""'
        out.append(f'    key{i} [label="{_dot_escape(text)}", {shape}, fontsize=9];')
    out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def print_graph(
    tensor: _C.Tensor, params: _Params = None, show_saved: bool = False, file: IO[str] | None = None
) -> None:
    """Prints the backward graph as a tree, output first.

    Each line is a node; leaves show their names from ``params`` and their
    shapes. An op with several inputs marks each branch ``arg k`` with the
    input's position, and a node reached a second time is named and referred
    to ("shared, see above") instead of repeated.

    Args:
        tensor: the output whose backward graph is printed.
        params: names for leaf tensors: a dict, or (name, tensor) pairs such
            as ``model.named_parameters()``.
        show_saved: also list what each node saved for backward.
        file: where to print (default ``sys.stdout``).

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp import viz
        >>> w = torch.ones(2, requires_grad=True)
        >>> viz.print_graph((w * 3).sum(), {"w": w})
        output ()
        └─ SumBackward0
           └─ MulBackward0
              └─ w (2,)
    """
    names = _names_by_id(params)
    lines = [f"output {_shape(tensor)}"]
    root = tensor.grad_fn
    if root is None:
        lines.append("  (no grad_fn: this tensor is not the result of recorded ops)")
    else:
        shown: set[int] = set()
        _tree(root, "", "", True, names, show_saved, shown, lines)
    print("\n".join(lines), file=file)


def _tree(
    node: _C.Node,
    prefix: str,
    edge: str,
    last: bool,
    names: dict[int, str],
    show_saved: bool,
    shown: set[int],
    lines: list[str],
) -> None:
    branch = ("└─ " if last else "├─ ") + (f"{edge}: " if edge else "")
    label = _label(node, names, show_saved).split("\n")
    if id(node) in shown:
        lines.append(f"{prefix}{branch}{label[0]} (shared, see above)")
        return
    shown.add(id(node))
    lines.append(f"{prefix}{branch}{' '.join(label)}")
    children = _input_edges(node)
    for i, (child, child_edge) in enumerate(children):
        _tree(
            child,
            prefix + ("   " if last else "│  "),
            child_edge,
            i == len(children) - 1,
            names,
            show_saved,
            shown,
            lines,
        )


def render(
    tensor: _C.Tensor,
    path: _Path,
    params: _Params = None,
    show_saved: bool = False,
    format: str | None = None,
) -> _Path:
    """Writes a picture of the backward graph of ``tensor`` to ``path``.

    SVG works with nothing else installed (a layered layout of our own, with
    a colour key below the graph); with Graphviz's ``dot`` program on PATH,
    ``dot`` draws it instead, and PNG and its other formats become available.

    Args:
        tensor: the output whose backward graph is drawn.
        path: the file to write; its suffix picks the format.
        params: names for leaf tensors: a dict, or (name, tensor) pairs such
            as ``model.named_parameters()``.
        show_saved: also list what each node saved for backward.
        format: the format, when it is not the suffix of ``path``.

    Returns:
        ``path``.

    Raises:
        RuntimeError: for a format other than SVG without Graphviz.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp import viz
        >>> x = torch.ones(2, 2, requires_grad=True)
        >>> y = x + 2
        >>> out = (y * y * 3).mean()
        >>> viz.render(out, "graph.svg", {"x": x}, show_saved=True)
        'graph.svg'
    """
    fmt = (format or str(path).rsplit(".", 1)[-1]).lower()
    dot = shutil.which("dot")
    if dot:
        subprocess.run(
            [dot, f"-T{fmt}", "-o", str(path)],
            input=to_dot(tensor, params, show_saved).encode(),
            check=True,
        )
        return path
    if fmt != "svg":
        raise RuntimeError(
            f"render: writing {fmt.upper()} needs Graphviz's 'dot' program, which is not "
            "installed; write an .svg file instead, or install Graphviz."
        )
    with open(path, "w", encoding="utf-8") as f:
        f.write(_svg(tensor, params, show_saved))
    return path


def _svg(tensor: _C.Tensor | _C.Node, params: _Params, show_saved: bool) -> str:
    """A layered drawing: each node sits one row below the furthest node
    that consumes its gradient, the output at the top, the key at the
    bottom. Several edges between the same two boxes (``y * y``) are drawn
    as separate curves, each labelled with its argument position."""
    names = _names_by_id(params)
    nodes = graph_nodes(tensor)
    inputs = {id(node): _input_edges(node) for node, _ in nodes}
    depth: dict[int, int] = {}
    for node, _edges in nodes:  # BFS order: consumers come before inputs
        depth.setdefault(id(node), 1)
    changed = True
    while changed:
        changed = False
        for node, edges in nodes:
            for fn, _ in edges:
                if depth[id(fn)] < depth[id(node)] + 1:
                    depth[id(fn)] = depth[id(node)] + 1
                    changed = True
    rows: dict[int, list[_C.Node]] = {}
    for node, _ in nodes:
        rows.setdefault(depth[id(node)], []).append(node)
    box_w, gap_x, gap_y, char_w, line_h = 170, 40, 60, 7, 15
    labels = {id(n): _label(n, names, show_saved).split("\n") for n, _ in nodes}

    def height_for(lines: int) -> int:
        return max(lines, 2) * line_h + 12

    # Each row is as tall as its tallest box; row 0 is the output's.
    row_h = {0: height_for(2)}
    for level, row in rows.items():
        row_h[level] = height_for(max(len(labels[id(n)]) for n in row))
    width_for = {
        id(n): max(box_w, max(len(s) for s in labels[id(n)]) * char_w + 20) for n, _ in nodes
    }
    key_w = max(len(text) for _, text in _KEY) * char_w + 60
    widest = max(
        [sum(width_for[id(n)] + gap_x for n in r) + gap_x for r in rows.values()]
        + [box_w + 2 * gap_x, key_w + 2 * gap_x]
    )
    row_top = {}
    y = gap_y
    for level in sorted(row_h):
        row_top[level] = y
        y += row_h[level] + gap_y
    key_top = y + 10
    height = key_top + len(_KEY) * 20 + 30
    # Box anchors by node id, and the output's under "out": (centre x, top, bottom).
    pos: dict[int | str, tuple[float, int, int]] = {}
    out_label = ["output", _shape(tensor) if isinstance(tensor, _C.Tensor) else ""]
    parts: list[str] = []

    def text(x: float, y: float, value: str, anchor: str = "middle", size: int = 12) -> None:
        parts.append(
            f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" font-family="Helvetica" '
            f'font-size="{size}">{html.escape(value)}</text>'
        )

    def box(x: float, y: int, w: int, h: int, lines: list[str], fill: str) -> None:
        parts.append(
            f'<rect class="node" x="{x:g}" y="{y}" width="{w}" height="{h}" rx="8" '
            f'fill="{fill}" stroke="#555"/>'
        )
        for i, line in enumerate(lines):
            text(x + w / 2, y + 18 + i * line_h, line)

    out_x = (widest - box_w) / 2
    box(out_x, gap_y, box_w, row_h[0], out_label, _OUTPUT_FILL)
    pos["out"] = (out_x + box_w / 2, gap_y, gap_y + row_h[0])
    for level, row in sorted(rows.items()):
        total = sum(width_for[id(n)] + gap_x for n in row) - gap_x
        x = (widest - total) / 2
        top = row_top[level]
        for node in row:
            w, h = width_for[id(node)], height_for(len(labels[id(node)]))
            fill = _LEAF_FILL if _short(node) == "AccumulateGrad" else _NODE_FILL
            box(x, top, w, h, labels[id(node)], fill)
            pos[id(node)] = (x + w / 2, top, top + h)
            x += w + gap_x

    # Edges from the bottom of an input's box to the top of its consumer's,
    # bent apart when several join the same two boxes.
    links: list[tuple[int | str, int | str, str]] = []
    if nodes:
        links.append((id(nodes[0][0]), "out", ""))
    for node, _ in nodes:
        links += [(id(fn), id(node), label) for fn, label in inputs[id(node)]]
    count: dict[tuple[int | str, int | str], int] = {}
    for src, dst, _ in links:
        count[(src, dst)] = count.get((src, dst), 0) + 1
    seen: dict[tuple[int | str, int | str], int] = {}
    arrows: list[str] = []
    for src, dst, label in links:
        k = seen.get((src, dst), 0)
        seen[(src, dst)] = k + 1
        bend = (k - (count[(src, dst)] - 1) / 2) * 70
        x1, y1 = pos[src][0] + bend / 3, pos[src][1]
        x2, y2 = pos[dst][0] + bend / 3, pos[dst][2]
        cx, cy = (x1 + x2) / 2 + bend, (y1 + y2) / 2
        arrows.append(
            f'<path d="M {x1:g} {y1:g} Q {cx:g} {cy:g} {x2:g} {y2:g}" fill="none" '
            f'stroke="#555" marker-end="url(#arrow)"/>'
        )
        if label:
            # The curve's midpoint, with the label beside it on its outer side.
            mx, my = (x1 + 2 * cx + x2) / 4, (y1 + 2 * cy + y2) / 4
            side = -1 if bend < 0 else 1
            anchor = "end" if side < 0 else "start"
            parts.append(
                f'<text x="{mx + 6 * side:g}" y="{my + 4:g}" text-anchor="{anchor}" '
                f'font-family="Helvetica" font-size="11" fill="#333">{html.escape(label)}</text>'
            )

    key_x = (widest - key_w) / 2
    parts.append(
        f'<rect class="key" x="{key_x:g}" y="{key_top - 22}" width="{key_w}" '
        f'height="{len(_KEY) * 20 + 30}" rx="6" fill="none" stroke="#999"/>'
    )
    text(key_x + 10, key_top - 6, "key", anchor="start", size=11)
    for i, (fill, meaning) in enumerate(_KEY):
        y = key_top + 8 + i * 20
        if fill:
            parts.append(
                f'<rect class="key" x="{key_x + 12:g}" y="{y - 10}" width="24" height="13" '
                f'rx="3" fill="{fill}" stroke="#555"/>'
            )
        elif meaning.startswith("arrow"):
            parts.append(
                f'<path d="M {key_x + 12:g} {y - 4} L {key_x + 36:g} {y - 4}" stroke="#555" '
                'marker-end="url(#arrow)"/>'
            )
        text(key_x + 46, y, meaning, anchor="start", size=11)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{widest:g}" height="{height}" '
        f'viewBox="0 0 {widest:g} {height}">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555"/></marker></defs>'
        f'<rect width="{widest:g}" height="{height}" fill="white"/>'
    )
    return head + "".join(arrows) + "".join(parts) + "</svg>\n"
