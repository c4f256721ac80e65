"""Draws the backward graph of the seeds' first example
(out = ((x + 2) * (x + 2) * 3).mean()) to docs/images/seed_graph.svg, or to
the path given.

Run:  python examples/graph_picture.py [OUTPUT.svg]
"""

import sys
from pathlib import Path

import autograd_cpp as torch
from autograd_cpp import viz

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()

docs_image = Path(__file__).resolve().parents[1] / "docs" / "images" / "seed_graph.svg"
target = Path(sys.argv[1]) if len(sys.argv) > 1 else docs_image
target.parent.mkdir(parents=True, exist_ok=True)
viz.render(out, target, params={"x": x}, show_saved=True)
viz.print_graph(out, params={"x": x})
print(f"wrote {target}")
