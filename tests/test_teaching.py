"""Graph pictures, explain(), and errors that say what to do (while keeping
PyTorch's exception types and opening words)."""

import re
import shutil

import pytest

import autograd_cpp as ag
from autograd_cpp import viz
from autograd_cpp.autograd import explain


def seed_graph():
    x = ag.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    return x, z.mean()


def parse_dot(text):
    """(labels by node id, edges) from our DOT output."""
    labels = dict(re.findall(r'^\s*(n\d+|out) \[label="([^"]*)"', text, re.M))
    edges = re.findall(r"^\s*(\w+) -> (\w+)(?: \[label=\"([^\"]*)\"\])?;", text, re.M)
    return labels, edges


def test_dot_has_the_expected_nodes_and_edges():
    x, out = seed_graph()
    labels, edges = parse_dot(viz.to_dot(out, {"x": x}))
    by_label = {v.split("\\n")[0]: k for k, v in labels.items()}
    for name in ("MeanBackward0", "MulBackward0", "AddBackward0", "x", "output"):
        assert name in by_label, labels
    assert (by_label["MeanBackward0"], "out", "") in edges
    assert (by_label["x"], by_label["AddBackward0"], "") in edges
    assert labels[by_label["x"]] == "x\\n(2, 2)"
    # Two MulBackward0 nodes (y * y, then * 3), each reached once.
    assert sum(v == "MulBackward0" for v in labels.values()) == 2
    assert len(edges) == 6  # out, mean<-mul, mul<-mul, mul<-add (twice), add<-x
    # y * y: two edges from AddBackward0, told apart by their argument positions.
    assert sorted(e[2] for e in edges if e[0] == by_label["AddBackward0"]) == ["arg 0", "arg 1"]
    assert "cluster_key" in viz.to_dot(out) and "leaf tensor" in viz.to_dot(out)


def test_dot_can_show_saved_tensors():
    x, out = seed_graph()
    text = viz.to_dot(out, {"x": x}, show_saved=True)
    assert "self_sym_sizes: (2, 2)" in text
    # z * 3 saves no self (only other's gradient would need it): said in words.
    assert "self: None" not in text and "self: not saved (no gradient needs it)" in text
    assert "other: tensor(3)" in text and "self: tensor of shape (2, 2)" in text
    out.backward()
    assert "(freed by backward)" in viz.to_dot(out, show_saved=True)


def test_svg_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    x, out = seed_graph()
    path = viz.render(out, tmp_path / "g.svg", {"x": x})
    svg = path.read_text()
    assert svg.startswith("<svg") and svg.count('<rect class="node"') == 6
    for name in ("MeanBackward0", "AddBackward0", "output"):
        assert name in svg
    # The colour key, and the two curves of y * y (one path per edge, plus the
    # key's sample arrow), each labelled.
    assert svg.count('<rect class="key"') == 4 and "leaf tensor" in svg
    curves = re.findall(r'<path d="M [\d.]+ [\d.]+ Q ([\d.]+) ', svg)
    assert len(curves) == 6 and len(set(curves)) >= 2
    assert ">arg 0<" in svg and ">arg 1<" in svg
    with pytest.raises(RuntimeError, match="needs Graphviz"):
        viz.render(out, tmp_path / "g.png")


def test_print_graph(capsys):
    x, out = seed_graph()
    viz.print_graph(out, {"x": x})
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "output ()"
    assert "└─ MeanBackward0" in text and "x (2, 2)" in text
    assert "├─ arg 0: AddBackward0" in text  # y * y uses AddBackward0 twice
    assert "└─ arg 1: AddBackward0 (shared, see above)" in text
    leaf_twice = (x * x).sum()
    viz.print_graph(leaf_twice, {"x": x})
    assert "arg 1: x (shared, see above)" in capsys.readouterr().out


def test_explain_covers_the_usual_reasons():
    x = ag.ones(2, requires_grad=True)
    w = ag.ones(2, requires_grad=True)
    out = (x * w.detach()).sum()
    assert "reaches" in explain(out, x)
    assert "detached" in explain(out, w) and "MulBackward0" in explain(out, w)
    h = x * 2
    assert explain((h * h).sum(), h) == (
        "The gradient reaches the tensor of shape (2,) along SumBackward0 <- MulBackward0 <- "
        "MulBackward0, but it is not a leaf: backward() does not store gradients of "
        "intermediate tensors. Call .retain_grad() on it before backward(), or use "
        "autograd.grad(output, tensor)."
    )
    with pytest.raises(TypeError, match=r"^explain\(output, tensor\) expects two tensors$"):
        explain(out, 1.0)
    with ag.no_grad():
        cut = (x * 2).sum()
    assert "no grad_fn" in explain(cut, x)
    assert "floating point" in explain(out, ag.ones(2, dtype=ag.int64))
    assert "does not require grad" in explain(out, ag.ones(2))
    assert "not part of output's graph" in explain(out, ag.ones(3, requires_grad=True))


def test_backward_twice_names_the_node_and_the_usual_cause():
    x = ag.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(
        RuntimeError, match="^Trying to backward through the graph a second time"
    ) as err:
        y.backward()
    text = str(err.value)
    assert "MulBackward0" in text and "detach()" in text
    assert text.index("detach()") < text.index("retain_graph=True")


def test_inplace_error_names_the_op_and_the_saving_node():
    x = ag.ones(2, requires_grad=True)
    a = x * 2
    b = a * a
    a.zero_()
    with pytest.raises(
        RuntimeError, match="^one of the variables needed for gradient computation"
    ) as err:
        b.sum().backward()
    text = str(err.value)
    assert "zero_()" in text and "saved by MulBackward0" in text and "clone()" in text


def test_non_scalar_error_shows_shape_and_fixes():
    y = ag.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(
        RuntimeError, match="^grad can be implicitly created only for scalar outputs"
    ) as err:
        y.backward()
    text = str(err.value)
    assert "[2, 3]" in text and ".sum()" in text and "gradient=" in text and "jacobian" in text


def test_no_grad_fn_error_explains():
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad") as err:
        ag.ones(2).sum().backward()
    assert "no_grad()" in str(err.value) and "parameters" in str(err.value)


def test_inplace_on_leaf_points_to_no_grad():
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="a leaf Variable that requires grad is being used"
    ) as err:
        w -= 0.1
    assert "no_grad" in str(err.value)
