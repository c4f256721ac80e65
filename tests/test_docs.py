"""The documentation cannot rot: every ```python block of docs/*.md runs
(blocks of one page in order, sharing one namespace), every public name has a
docstring, and the version comes from pyproject.toml."""

import importlib.util
import inspect
import pathlib
import re

import pytest

import autograd_cpp
from autograd_cpp import autograd, nn, optim
from autograd_cpp.nn import functional

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(page):
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def test_docs_have_python_examples():
    runnable = [p.name for p in PAGES if python_blocks(p)]
    assert {"autograd.md", "gradient_tape.md", "api_mapping.md", "index.md"} <= set(runnable)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_doc_page_code_runs(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace = {"__name__": "__docs__"}
    for i, code in enumerate(python_blocks(page)):
        compiled = compile(code, f"{page.name}[block {i}]", "exec")
        exec(compiled, namespace)  # noqa: S102 - the point of the test
    capsys.readouterr()


# ---- docstrings ----------------------------------------------------------------

NAMESPACES = {
    "autograd_cpp": autograd_cpp,
    "autograd_cpp.nn": nn,
    "autograd_cpp.nn.functional": functional,
    "autograd_cpp.optim": optim,
    "autograd_cpp.autograd": autograd,
    "autograd_cpp.autograd.functional": autograd.functional,
}


def public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return sorted(names)


# The docs' own hook knows how to read a docstring past pybind11's generated
# signatures (which alone do not count as documentation).
_spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hooks)


def has_doc(name, obj):
    # A class without its own docstring would show its base's.
    if inspect.isclass(obj) and not (vars(obj).get("__doc__") or "").strip():
        return False
    return bool(hooks.summary(name.rsplit(".", 1)[-1], obj))


def public_callables():
    for modname, module in NAMESPACES.items():
        for name in public_names(module):
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj):
                continue
            if isinstance(obj, autograd_cpp.dtype):
                continue
            yield f"{modname}.{name}", obj
    for name, obj in vars(autograd_cpp.Tensor).items():
        if not name.startswith("_"):
            yield f"Tensor.{name}", obj


def test_every_public_function_has_a_docstring():
    missing = sorted({name for name, obj in public_callables() if not has_doc(name, obj)})
    assert not missing, f"{len(missing)} public names lack a docstring: {missing}"


def test_docstring_walk_covers_the_api():
    names = dict(public_callables())
    for expected in [
        "autograd_cpp.tensor",
        "autograd_cpp.matmul",
        "autograd_cpp.no_grad",
        "autograd_cpp.nn.Linear",
        "autograd_cpp.nn.functional.relu",
        "autograd_cpp.optim.SGD",
        "autograd_cpp.autograd.grad",
        "Tensor.backward",
        "Tensor.sum",
    ]:
        assert expected in names
    assert len(names) > 400


# ---- version -------------------------------------------------------------------


def test_version_comes_from_pyproject():
    pyproject = (ROOT / "pyproject.toml").read_text()
    version = re.search(r'^version = "([^"]+)"$', pyproject, re.M).group(1)
    assert autograd_cpp.__version__ == version
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text()
