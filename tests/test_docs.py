"""The documentation cannot rot: every ```python block of README.md and
docs/**/*.md runs as written, each on its own in a fresh interpreter (as a
reader pastes it); every public name has a docstring, the main entry points
have full ones whose examples run, and the version comes from pyproject.toml."""

import doctest
import importlib.util
import inspect
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

import autograd_cpp
from autograd_cpp import autograd, nn, optim, viz
from autograd_cpp.nn import functional
from autograd_cpp.utils.data import DataLoader

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
# Blocks that join an MPI job (they also run under mpirun -n 2 when it exists).
NEEDS_MPI = re.compile(r"\bdist\.init\(|\binit_process_group\(")


def python_blocks(page):
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def page_name(page):
    return str(page.relative_to(ROOT))


BLOCKS = [
    pytest.param(code, id=f"{page_name(page)}[{i}]")
    for page in PAGES
    for i, code in enumerate(python_blocks(page))
]
MPI_BLOCKS = [b for b in BLOCKS if NEEDS_MPI.search(b.values[0])]
PLAIN_BLOCKS = [b for b in BLOCKS if not NEEDS_MPI.search(b.values[0])]


def test_docs_have_python_examples():
    runnable = [p.name for p in PAGES if python_blocks(p)]
    assert {
        "README.md",
        "autograd.md",
        "gradient_tape.md",
        "api_mapping.md",
        "index.md",
        "data.md",
        "distributed.md",
        "graphs.md",
    } <= set(runnable)
    assert len(MPI_BLOCKS) >= 4 and len(PLAIN_BLOCKS) >= 40


def run_block(code, tmp_path, launcher=()):
    """Runs code as a script in a fresh interpreter, in an empty directory
    (files it writes land there); fails with its output unless it exits 0."""
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    result = subprocess.run(
        [*launcher, sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{code}\n---- output:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("code", PLAIN_BLOCKS)
def test_code_block_runs(code, tmp_path):
    run_block(code, tmp_path)


def mpi_or_skip():
    """mpirun's path; skips without Open MPI and mpi4py, except in CI (where
    only the README's own test command runs without them, and says so)."""
    mpirun = shutil.which("mpirun")
    if mpirun and importlib.util.find_spec("mpi4py"):
        return mpirun
    if os.environ.get("CI") and not os.environ.get("AUTOGRAD_CPP_TEST_NO_MPI"):
        raise RuntimeError("CI needs Open MPI (mpirun) and mpi4py; .ci/run installs them")
    pytest.skip("needs Open MPI and mpi4py (pip install '.[mpi]')")


@pytest.mark.parametrize("code", MPI_BLOCKS)
def test_mpi_code_block_runs(code, tmp_path):
    mpirun = mpi_or_skip()
    assert "rank 0 of 1" in run_block(code, tmp_path)  # a plain `python script.py`
    out = run_block(code, tmp_path, launcher=(mpirun, "--oversubscribe", "-n", "2"))
    assert "rank 0 of 2" in out and "rank 1 of 2" in out


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


# The entry points a newcomer meets first get PyTorch-style docstrings: what
# it does, every parameter under "Args:", and an example that runs.
MAIN_ENTRY_POINTS = {
    "Tensor.backward": autograd_cpp.Tensor.backward,
    "Tensor.detach": autograd_cpp.Tensor.detach,
    "Tensor.requires_grad_": autograd_cpp.Tensor.requires_grad_,
    "autograd.backward": autograd.backward,
    "autograd.grad": autograd.grad,
    "autograd.explain": autograd.explain,
    "no_grad": autograd_cpp.no_grad,
    "enable_grad": autograd_cpp.enable_grad,
    "inference_mode": autograd_cpp.inference_mode,
    "set_grad_enabled": autograd_cpp.set_grad_enabled,
    "nn.Module": nn.Module,
    "optim.Optimizer": optim.Optimizer,
    "optim.SGD": optim.SGD,
    "optim.Adam": optim.Adam,
    "optim.AdamW": optim.AdamW,
    "optim.RMSprop": optim.RMSprop,
    "utils.data.DataLoader": DataLoader,
    "GradientTape.gradient": autograd_cpp.GradientTape.gradient,
    "viz.render": viz.render,
    "viz.print_graph": viz.print_graph,
    "viz.to_dot": viz.to_dot,
}
# Accepted for PyTorch compatibility only, or the internals of a base class.
UNDOCUMENTED_PARAMETERS = {"self", "args", "kwargs"}


def parameter_names(obj):
    """The parameters of a function, or of a class's constructor; for a
    compiled method, read from pybind11's signature line."""
    try:
        target = obj.__init__ if inspect.isclass(obj) else obj
        return [p for p in inspect.signature(target).parameters]
    except ValueError:
        first = inspect.getdoc(obj).splitlines()[0]
        inner = first[first.index("(") + 1 : first.rindex(")")]
        return [part.split(":")[0].strip() for part in inner.split(",") if part.strip()]


def own_docstring(obj):
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else obj.__doc__
    return inspect.cleandoc(doc or "")


@pytest.mark.parametrize("name", sorted(MAIN_ENTRY_POINTS))
def test_main_entry_points_have_full_docstrings(name):
    obj = MAIN_ENTRY_POINTS[name]
    doc = own_docstring(obj)
    prose = doc.split("\n\n")
    assert len(prose) >= 3 and len(doc) > 300, f"{name}: docstring too short:\n{doc}"
    assert "Examples:" in doc and ">>> " in doc.split("Examples:")[1], name
    params = [p for p in parameter_names(obj) if p not in UNDOCUMENTED_PARAMETERS]
    if params:
        assert "Args:" in doc, name
        args = doc.split("Args:")[1]
        missing = [p for p in params if not re.search(rf"^\s+{p}:", args, re.M)]
        assert not missing, f"{name}: parameters missing under Args: {missing}"


@pytest.mark.parametrize("name", sorted(MAIN_ENTRY_POINTS))
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    obj = MAIN_ENTRY_POINTS[name]
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    finder = doctest.DocTestFinder(recurse=False)
    (test,) = finder.find(obj, name, globs={})
    assert test.examples, name
    runner = doctest.DocTestRunner(optionflags=flags)
    failures = []
    result = runner.run(test, out=failures.append)
    assert result.failed == 0, "".join(failures)


# ---- version -------------------------------------------------------------------


def test_version_comes_from_pyproject():
    pyproject = (ROOT / "pyproject.toml").read_text()
    version = re.search(r'^version = "([^"]+)"$', pyproject, re.M).group(1)
    assert autograd_cpp.__version__ == version
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text()
