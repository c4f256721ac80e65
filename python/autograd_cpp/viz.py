"""Pictures of the backward graph: Graphviz DOT text, SVG (with no other
software needed) and a text tree for terminals.

    y = (x * w).sum()
    print_graph(y)                   # text tree
    print(to_dot(y, {"x": x, "w": w}))
    render(y, "graph.svg")
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
    lines = []
    for name in node._saved_names():
        try:
            value = getattr(node, "_saved_" + name)
        except RuntimeError:
            lines.append(f"{name}: (freed)")
            continue
        if isinstance(value, _C.Tensor):
            lines.append(f"{name}: {_shape(value)}")
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


def to_dot(tensor: _C.Tensor, params: _Params = None, show_saved: bool = False) -> str:
    """Graphviz DOT text of the graph that produced ``tensor``: one box per
    backward node (named as grad_fn prints it), leaves labelled with their
    names from ``params`` (a dict or named_parameters()) and shapes, and an
    edge from each input to the node that consumes it."""
    names = _names_by_id(params)
    nodes = graph_nodes(tensor)
    out = [
        "digraph backward {",
        '  graph [rankdir=BT, fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
    ]
    ids = {id(n): f"n{i}" for i, (n, _) in enumerate(nodes)}
    root_label = "output\\n" + html.escape(_shape(tensor)).replace('"', "&quot;")
    out.append(f'  out [label="{root_label}", fillcolor="#c9e3c9"];')
    for node, _ in nodes:
        label = _label(node, names, show_saved).replace("\\", "\\\\").replace('"', '\\"')
        label = label.replace("\n", "\\n")
        leaf = _short(node) == "AccumulateGrad"
        color = "#cfe0f7" if leaf else "#eeeeee"
        out.append(f'  {ids[id(node)]} [label="{label}", fillcolor="{color}"];')
    if nodes:
        out.append(f"  {ids[id(nodes[0][0])]} -> out;")
    for node, edges in nodes:
        for fn, _ in edges:
            out.append(f"  {ids[id(fn)]} -> {ids[id(node)]};")
    out.append("}")
    return "\n".join(out) + "\n"


def print_graph(
    tensor: _C.Tensor, params: _Params = None, show_saved: bool = False, file: IO[str] | None = None
) -> None:
    """Prints the graph as a tree, output first; a node reached twice is
    shown once and then referred to."""
    names = _names_by_id(params)
    lines = [f"output {_shape(tensor)}"]
    root = tensor.grad_fn
    if root is None:
        lines.append("  (no grad_fn: this tensor is not the result of recorded ops)")
    else:
        shown: set[int] = set()
        _tree(root, "", True, names, show_saved, shown, lines)
    print("\n".join(lines), file=file)


def _tree(
    node: _C.Node,
    prefix: str,
    last: bool,
    names: dict[int, str],
    show_saved: bool,
    shown: set[int],
    lines: list[str],
) -> None:
    branch = "└─ " if last else "├─ "
    label = _label(node, names, show_saved).replace("\n", " ")
    if id(node) in shown:
        lines.append(f"{prefix}{branch}{_short(node)} (shared, see above)")
        return
    shown.add(id(node))
    lines.append(f"{prefix}{branch}{label}")
    children = [fn for fn, _ in node.next_functions if fn is not None]
    for i, child in enumerate(children):
        _tree(
            child,
            prefix + ("   " if last else "│  "),
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
    """Writes a picture of the graph to ``path``. SVG works with nothing else
    installed (a layered layout of our own); with Graphviz's ``dot`` program
    on PATH it is used instead, and PNG becomes available too."""
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
    that consumes its gradient, the output at the top."""
    names = _names_by_id(params)
    nodes = graph_nodes(tensor)
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
    box_w, box_h, gap_x, gap_y, char_w = 170, 0, 30, 50, 7
    labels = {id(n): _label(n, names, show_saved).split("\n") for n, _ in nodes}
    line_h = 15
    box_h = max([len(v) for v in labels.values()] + [2]) * line_h + 12
    width_for = {
        id(n): max(box_w, max(len(s) for s in labels[id(n)]) * char_w + 20) for n, _ in nodes
    }
    n_rows = (max(rows) if rows else 0) + 1
    widest = max([sum(width_for[id(n)] + gap_x for n in r) for r in rows.values()] + [box_w])
    height = n_rows * (box_h + gap_y) + gap_y
    # Box anchors by node id, and the output's under "out".
    pos: dict[int | str, tuple[float, int]] = {}
    out_label = ["output", _shape(tensor) if isinstance(tensor, _C.Tensor) else ""]
    parts: list[str] = []

    def box(x: float, y: int, w: int, lines: list[str], fill: str) -> None:
        parts.append(
            f'<rect x="{x}" y="{y}" width="{w}" height="{box_h}" rx="8" fill="{fill}" stroke="#555"/>'
        )
        for i, line in enumerate(lines):
            ty = y + 18 + i * line_h
            parts.append(
                f'<text x="{x + w / 2}" y="{ty}" text-anchor="middle" font-family="Helvetica" '
                f'font-size="12">{html.escape(line)}</text>'
            )

    out_x = (widest - box_w) / 2
    box(out_x, gap_y, box_w, out_label, "#c9e3c9")
    pos["out"] = (out_x + box_w / 2, gap_y)
    for level, row in sorted(rows.items()):
        total = sum(width_for[id(n)] + gap_x for n in row) - gap_x
        x = (widest - total) / 2
        y = gap_y + level * (box_h + gap_y)
        for node in row:
            w = width_for[id(node)]
            fill = "#cfe0f7" if _short(node) == "AccumulateGrad" else "#eeeeee"
            box(x, y, w, labels[id(node)], fill)
            pos[id(node)] = (x + w / 2, y)
            x += w + gap_x
    lines = []
    if nodes:
        cx, cy = pos[id(nodes[0][0])]
        ox, oy = pos["out"]
        lines.append((cx, cy, ox, oy + box_h))
    for node, edges in nodes:
        px, py = pos[id(node)]
        for fn, _ in edges:
            cx, cy = pos[id(fn)]
            lines.append((cx, cy, px, py + box_h))
    arrows = [
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#555" marker-end="url(#arrow)"/>'
        for x1, y1, x2, y2 in lines
    ]
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{widest}" height="{height}" '
        f'viewBox="0 0 {widest} {height}">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555"/></marker></defs>'
        f'<rect width="{widest}" height="{height}" fill="white"/>'
    )
    return head + "".join(arrows) + "".join(parts) + "</svg>\n"
