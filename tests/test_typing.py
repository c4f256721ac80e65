"""Type information: the extension's stub (_C.pyi, generated from the
extension by tools/stubgen.py and checked in) is what the generator makes of
the extension that is imported, so it cannot drift; it declares every name
the extension exports; the package is marked typed (py.typed), and `python -m
mypy` (strict, configured in pyproject.toml) passes on the examples and the
package. In CI (CI=true) a missing mypy is an error rather than a skip."""

import ast
import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import autograd_cpp
from autograd_cpp import _C

ROOT = Path(__file__).resolve().parents[1]
# The stub beside the extension that was imported: the source tree's in a
# development build, the wheel's when the package is installed.
PACKAGE = Path(autograd_cpp.__file__).resolve().parent

# What every module, and every pybind11 class, has without the stub declaring it.
MODULE_ATTRIBUTES = {"__doc__", "__file__", "__loader__", "__name__", "__package__", "__spec__"}
CLASS_ATTRIBUTES = {"__doc__", "__module__", "__dict__", "__weakref__", "_pybind11_conduit_v1_"}


def declared_names(body):
    """Names a stub's module or class body declares: functions (properties and
    overloads included), classes and annotated or assigned variables."""
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


@pytest.fixture(scope="module")
def stub():
    path = PACKAGE / "_C.pyi"
    assert path.is_file(), f"{path} is missing"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = {n.name: declared_names(n.body) for n in tree.body if isinstance(n, ast.ClassDef)}
    return declared_names(tree.body), classes


def extension_classes():
    """The classes the extension defines (pybind11's metaclass tells them
    from Python classes stored on the module, such as _size_class)."""
    for name in dir(_C):
        obj = getattr(_C, name)
        if isinstance(obj, type) and type(obj) is type(_C.Tensor):
            yield name, obj


def class_members(cls):
    members = set(vars(cls)) - CLASS_ATTRIBUTES
    # A class without a constructor keeps the slot wrapper pybind11 inherits;
    # there is nothing to declare.
    if isinstance(vars(cls).get("__init__"), types.WrapperDescriptorType):
        members.discard("__init__")
    return members


def test_stub_is_generated_from_this_extension():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "stubgen.py"),
            _C.__file__,
            str(PACKAGE / "_C.pyi"),
            "--check",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        "_C.pyi differs from what tools/stubgen.py generates from the imported "
        "extension (regenerate: python tools/stubgen.py EXTENSION "
        "python/autograd_cpp/_C.pyi): " + result.stderr
    )


def test_package_is_marked_typed():
    assert (PACKAGE / "py.typed").is_file()


def test_stub_declares_every_module_name(stub):
    module, _ = stub
    missing = sorted(set(dir(_C)) - MODULE_ATTRIBUTES - module)
    assert not missing, f"_C.pyi lacks: {missing}"


def test_stub_declares_every_class_member(stub):
    _, classes = stub
    names = dict(extension_classes())
    assert {"Tensor", "dtype", "Node"} <= set(names)
    missing = {}
    for name, cls in names.items():
        if name not in classes:
            missing[name] = ["(the class)"]
            continue
        absent = sorted(class_members(cls) - classes[name])
        if absent:
            missing[name] = absent
    assert not missing, f"_C.pyi lacks: {missing}"


def test_stub_declares_the_nn_submodule(stub):
    _, classes = stub
    missing = sorted(set(dir(_C._nn)) - MODULE_ATTRIBUTES - classes["_NNModule"])
    assert not missing, f"_C.pyi's _NNModule lacks: {missing}"


def test_mypy_strict_passes():
    if importlib.util.find_spec("mypy") is None:
        if os.environ.get("CI"):
            pytest.fail("mypy is not installed; CI installs it with the test extra")
        pytest.skip("mypy is not installed (pip install '.[test]')")
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
