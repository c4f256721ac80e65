"""Writes _C.pyi, the type stub of the extension autograd_cpp._C, from the
extension itself.

Every function and method the extension defines carries its signatures in
Python syntax as the first lines of its __doc__ (csrc/python/arg_parser.h);
properties say their type in the first line of theirs. Members that
python/autograd_cpp/_tensor.py, _aliases.py, _stacking.py and _display.py
attach to the classes are read from those files' source. Nothing here lists names or types by hand, so the stub cannot drift
from what the extension defines; a member the generator cannot type is an
error, not a guess.

    python tools/stubgen.py EXTENSION OUT        # write the stub
    python tools/stubgen.py EXTENSION OUT --check  # exit 1 if OUT differs

tests/test_typing.py runs the second form against the imported extension, so a
stale stub fails the suite; regenerate it after changing a binding:

    python tools/stubgen.py python/autograd_cpp/_C*.so python/autograd_cpp/_C.pyi
"""

from __future__ import annotations

import argparse
import ast
import importlib.machinery
import importlib.util
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TENSOR_PY = ROOT / "python" / "autograd_cpp" / "_tensor.py"
DISPLAY_PY = ROOT / "python" / "autograd_cpp" / "_display.py"
# Modules that attach functions to Tensor besides _tensor.py.
ATTACHING_PY = [ROOT / "python" / "autograd_cpp" / f for f in ("_aliases.py", "_stacking.py")]

HEADER = '''\
"""
{doc}

Generated from the extension by tools/stubgen.py: do not edit.
"""

from __future__ import annotations

import builtins
import collections.abc
import typing

import numpy
import numpy.typing
import typing_extensions

from autograd_cpp._device import device as _device
from autograd_cpp import return_types as _return_types
from autograd_cpp._tensor import Size, _LegacyTensorType

# Tensor has methods named int, float and bool, and the module has a dtype
# named bool: the builtin types are spelled through these aliases.
_int: typing.TypeAlias = builtins.int
_float: typing.TypeAlias = builtins.float
_bool: typing.TypeAlias = builtins.bool
_str: typing.TypeAlias = builtins.str
# What a Number parameter accepts (bool and int are floats to type checkers).
_Number: typing.TypeAlias = builtins.float
# Inside Tensor, `dtype` names the property.
_dtype: typing.TypeAlias = dtype
'''

# Methods whose stub must say `# type: ignore[override]`: they return a
# Tensor where object's return a bool.
OVERRIDES_OBJECT = {"__eq__", "__ne__"}


class StubError(Exception):
    pass


def load_extension(path: Path) -> types.ModuleType:
    loader = importlib.machinery.ExtensionFileLoader("autograd_cpp._C", str(path))
    spec = importlib.util.spec_from_file_location("autograd_cpp._C", path, loader=loader)
    if spec is None:
        raise StubError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def doc_signatures(obj: object, name: str) -> tuple[list[str], str]:
    """The signature lines at the top of a callable's __doc__, and the rest."""
    doc = getattr(obj, "__doc__", None) or ""
    lines = doc.split("\n")
    sigs = []
    while lines and lines[0].startswith(name + "("):
        sigs.append(lines.pop(0))
    if not sigs:
        raise StubError(f"{name}: no signature in its __doc__ ({doc[:60]!r})")
    return sigs, "\n".join(lines).strip()


def quote_doc(text: str, indent: str) -> str:
    if not text:
        return ""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    body = "\n".join((indent + line) if line else "" for line in text.split("\n"))
    return f'{indent}"""\n{body}\n{indent}"""\n'


def render_def(sigs: list[str], doc: str, indent: str, ignore_override: bool = False) -> str:
    out = []
    for sig in sigs:
        if len(sigs) > 1:
            out.append(f"{indent}@typing.overload\n")
        suffix = "  # type: ignore[override]" if ignore_override else ""
        body = quote_doc(doc, indent + "    ") if len(sigs) == 1 and doc else ""
        if body:
            out.append(f"{indent}def {sig}:{suffix}\n{body}")
        else:
            out.append(f"{indent}def {sig}: ...{suffix}\n")
    return "".join(out)


def is_ours(obj: object, kind: str) -> bool:
    return type(obj).__name__ == kind and type(obj).__module__ == "autograd_cpp._C"


def property_type(prop: property, name: str) -> tuple[str, str]:
    doc = prop.__doc__ or ""
    first, _, rest = doc.partition("\n\n")
    if not first or "\n" in first:
        raise StubError(f"property {name}: its __doc__ must start with its type")
    return first.strip(), rest.strip()


def function_stub(fn: ast.FunctionDef, name: str) -> str:
    """The stub of a Python function attached to a class as method `name`."""
    args = fn.args
    params = [ast.unparse(a) for a in args.args]
    params[0] = "self"
    # Defaults line up with the last parameters.
    defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    text = [p if d is None else f"{p} = {ast.unparse(d)}" for p, d in zip(params, defaults)]
    if args.vararg is not None:
        text.append("*" + ast.unparse(args.vararg))
    elif args.kwonlyargs:
        text.append("*")
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        text.append(ast.unparse(a) if d is None else f"{ast.unparse(a)} = {ast.unparse(d)}")
    if args.kwarg is not None:
        text.append("**" + ast.unparse(args.kwarg))
    ret = ast.unparse(fn.returns) if fn.returns else "None"
    doc = ast.get_docstring(fn) or ""
    sig = fix_names(f"{name}({', '.join(text)}) -> {ret}")
    return render_def([sig], doc, "    ")


def module_functions_of(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def module_all(tree: ast.Module, path: Path) -> list[str]:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, ast.List)
        ):
            return [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    raise StubError(f"{path}: no __all__ list")


def tensor_members_of(path: Path) -> dict[str, str]:
    """Stub text of the members a module attaches to Tensor: the entries
    ("name", member) of its `for _name, _member in (...)` table, where
    `*(... for name in __all__)` stands for each of its __all__ functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = module_functions_of(path)
    table = None
    for node in tree.body:
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
            table = node.iter
    if table is None:
        raise StubError(f"{path}: no attachment table found")
    entries: list[tuple[str, ast.expr]] = []
    for entry in table.elts:
        if isinstance(entry, ast.Starred) and "__all__" in ast.unparse(entry.value):
            entries.extend((name, ast.Name(id=name)) for name in module_all(tree, path))
            continue
        if not (isinstance(entry, ast.Tuple) and isinstance(entry.elts[0], ast.Constant)):
            raise StubError(f"{path}: unexpected table entry {ast.dump(entry)[:80]}")
        entries.append((entry.elts[0].value, entry.elts[1]))
    out = {}
    for name, member in entries:
        if isinstance(member, ast.Name):
            out[name] = function_stub(functions[member.id], name)
        elif isinstance(member, ast.Call) and ast.unparse(member.func) == "property":
            getter = member.args[0]
            if isinstance(getter, ast.Name):
                ret = fix_names(ast.unparse(functions[getter.id].returns))
            else:
                raise StubError(f"{path}: property {name} needs a named getter")
            if len(member.args) > 1:
                out[name] = f"    {name}: {ret}\n"
            else:
                out[name] = f"    @property\n    def {name}(self) -> {ret}: ...\n"
        elif isinstance(member, ast.Call) and isinstance(member.func, ast.Name):
            raise StubError(f"{path}: cannot type member {name}")
    return out


def tensor_py_members() -> dict[str, str]:
    """Stub text of the members _tensor.py and ATTACHING_PY attach to Tensor."""
    out: dict[str, str] = {}
    for path in ATTACHING_PY:
        out.update(tensor_members_of(path))
    out.update(tensor_members_of(TENSOR_PY))
    return out


def display_members() -> dict[str, dict[str, str]]:
    """Stub text of the methods _display.py attaches, by class: the entries
    (_C.Class, "name", function) of its table."""
    functions = module_functions_of(DISPLAY_PY)
    out: dict[str, dict[str, str]] = {}
    for node in ast.walk(ast.parse(DISPLAY_PY.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Tuple) and len(node.elts) == 3):
            continue
        cls, name, fn = node.elts
        if (
            isinstance(cls, ast.Attribute)
            and isinstance(name, ast.Constant)
            and isinstance(fn, ast.Name)
            and fn.id in functions
        ):
            out.setdefault(cls.attr, {})[name.value] = function_stub(functions[fn.id], name.value)
    return out


def fix_names(text: str) -> str:
    """_tensor.py's spellings as the stub's."""
    text = re.sub(r"\b_C\.dtype\b", "_dtype", text)
    text = re.sub(r"\b_C\.", "", text)
    text = re.sub(r"(?<![\w.])device\b", "_device", text)
    text = re.sub(r"\bint\b", "_int", text)
    text = re.sub(r"\bfloat\b", "_float", text)
    text = re.sub(r"\bbool\b", "_bool", text)
    text = re.sub(r"\bstr\b", "_str", text)
    text = re.sub(r"\bNDArray\b", "numpy.typing.NDArray", text)
    text = re.sub(r"\bDTypeLike\b", "numpy.typing.DTypeLike", text)
    text = re.sub(r"\b(Iterator|Callable|Sequence)\b", r"collections.abc.\1", text)
    text = re.sub(r"\b(Any|SupportsIndex)\b", r"typing.\1", text)
    return text


def pybind11_init(init: object, cls: str) -> str:
    """A pybind11 constructor's stub, from the signature pybind11 wrote
    (constructors stay pybind11's: they build the C++ object in place)."""
    sig = (getattr(init, "__doc__", None) or "").split("\n")[0]
    match = re.fullmatch(r"__init__\(self: [\w.]+(, \*args)?\) -> None", sig)
    if not match:
        raise StubError(f"{cls}.__init__: unexpected signature {sig!r}")
    args = ", *args: typing.Any" if match.group(1) else ""
    return f"    def __init__(self{args}) -> None: ...\n"


def class_stub(cls: type, name: str, extra: dict[str, str] | None = None) -> str:
    members: dict[str, str] = dict(extra or {})
    for key, value in vars(cls).items():
        if key in members or key in ("__doc__", "__module__", "__dict__", "__weakref__"):
            continue
        if key == "_pybind11_conduit_v1_":
            continue
        if is_ours(value, "method_descriptor"):
            sigs, doc = doc_signatures(value, key)
            members[key] = render_def(sigs, doc, "    ", key in OVERRIDES_OBJECT)
        elif isinstance(value, property):
            ptype, pdoc = property_type(value, f"{name}.{key}")
            if value.fset is not None:
                members[key] = f"    {key}: {ptype}\n"
            else:
                members[key] = f"    @property\n    def {key}(self) -> {ptype}:"
                members[key] += ("\n" + quote_doc(pdoc, "        ")) if pdoc else " ...\n"
        elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
            members[key] = f"    {key}: typing.ClassVar[{type(value).__name__}] = {value!r}\n"
        elif key == "__init__" and isinstance(value, types.WrapperDescriptorType):
            continue
        elif key == "__init__":
            members[key] = pybind11_init(value, name)
        elif callable(value) and type(value).__name__ in (
            "instancemethod",
            "builtin_function_or_method",
        ):
            raise StubError(f"{name}.{key}: defined outside the argument parser")
        elif key in ("__getstate__", "__setstate__") or isinstance(
            value, types.WrapperDescriptorType
        ):
            continue
        else:
            raise StubError(f"{name}.{key}: cannot type {type(value).__name__}")
    doc = cls.__doc__ or ""
    body = quote_doc(doc.strip(), "    ") + "".join(members[k] for k in sorted(members))
    if not body:
        body = "    ...\n"
    return f"class {name}:\n{body}\n"


def module_functions(module: types.ModuleType, indent: str) -> list[str]:
    out = []
    for key in sorted(dir(module)):
        value = getattr(module, key)
        if is_ours(value, "builtin_function"):
            sigs, doc = doc_signatures(value, key)
            if indent:
                sigs = [
                    s.replace(f"{key}(", f"{key}(self, ", 1).replace("(self, )", "(self)")
                    for s in sigs
                ]
            out.append(render_def(sigs, doc, indent))
    return out


def generate(ext: types.ModuleType) -> str:
    parts = [HEADER.format(doc=(ext.__doc__ or "").strip())]
    dtype_cls = ext.dtype
    tensor_cls = ext.Tensor
    names = sorted(n for n in dir(ext) if not (n.startswith("__") and n.endswith("__")))
    parts.append(f"__all__: list[str] = {sorted(n for n in names if not n.startswith('_'))!r}\n\n")
    parts.append("__version__: _str\n\n")
    classes, variables, submodules = [], [], []
    display = display_members()
    for key in names:
        value = getattr(ext, key)
        if is_ours(value, "builtin_function"):
            continue
        if key == "_size_class":
            variables.append("# The class shapes are returned as (set at import).\n")
            variables.append("_size_class: type[Size]\n")
            continue
        if isinstance(value, type):
            if value.__module__ == "autograd_cpp._C" and value.__name__ in (
                "builtin_function",
                "method_descriptor",
            ):
                classes.append(
                    f"class {key}:\n"
                    "    def __call__(self, *args: typing.Any, **kwargs: typing.Any)"
                    " -> typing.Any: ...\n\n"
                )
            else:
                extra = dict(display.get(key, {}))
                if value is tensor_cls:
                    extra.update(tensor_py_members())
                classes.append(class_stub(value, key, extra))
        elif isinstance(value, dtype_cls):
            variables.append(f"{key}: dtype\n")
        elif isinstance(value, types.ModuleType):
            cls_name = f"_{key.strip('_').upper()}Module"
            body = "".join(module_functions(value, "    "))
            submodules.append(
                f"class {cls_name}:\n"
                f'    """The submodule ``_C.{key}``."""\n\n{body}\n{key}: {cls_name}\n'
            )
        else:
            raise StubError(f"{key}: cannot type {type(value).__name__}")
    parts.extend(classes)
    parts.extend(module_functions(ext, ""))
    parts.append("\n")
    parts.extend(variables)
    parts.append("\n")
    parts.extend(submodules)
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("extension", type=Path, help="the built _C extension")
    parser.add_argument("out", type=Path, help="where _C.pyi goes")
    parser.add_argument("--check", action="store_true", help="fail if OUT differs")
    args = parser.parse_args()
    try:
        text = generate(load_extension(args.extension))
    except StubError as e:
        print(f"stubgen: {e}", file=sys.stderr)
        return 2
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"stubgen: {args.out} differs from the extension's stub", file=sys.stderr)
            return 1
        return 0
    if not args.out.exists() or args.out.read_text(encoding="utf-8") != text:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
