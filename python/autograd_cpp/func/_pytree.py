"""Nested containers of tensors ("pytrees"), as the transforms accept them.

Tuples, lists, dicts (and OrderedDicts) and namedtuples are containers;
anything else (None included) is a leaf. Flattening gives the leaves
in order and a spec; unflattening puts new leaves back in the same shape.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any


class TreeSpec:
    """The shape of a pytree: its container type, its keys (dicts) or field
    names (namedtuples), and one spec per child. A leaf has kind None."""

    __slots__ = ("kind", "context", "children", "num_leaves")

    def __init__(self, kind: type | None, context: Any, children: list[TreeSpec]) -> None:
        self.kind = kind
        self.context = context
        self.children = children
        self.num_leaves: int = 1 if kind is None else sum(c.num_leaves for c in children)

    def is_leaf(self) -> bool:
        return self.kind is None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TreeSpec):
            return NotImplemented
        return (
            self.kind is other.kind
            and self.context == other.context
            and self.children == other.children
        )

    def __hash__(self) -> int:
        return hash((self.kind, len(self.children)))

    def __repr__(self) -> str:
        return self._repr(0)

    def pprint(self) -> str:
        """The short form torch.func's messages use: (*, [*]), {'a': *}."""
        if self.kind is None:
            return "*"
        inner = [c.pprint() for c in self.children]
        if self.kind is tuple:
            return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
        if self.kind is list:
            return "[" + ", ".join(inner) + "]"
        if self.kind is dict:
            return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(self.context, inner)) + "}"
        if issubclass(self.kind, dict):
            pairs = ", ".join(f"({k!r}, {v})" for k, v in zip(self.context, inner))
            return f"{self.kind.__name__}([{pairs}])"
        fields = getattr(self.kind, "_fields", ())
        body = ", ".join(f"{f}={v}" for f, v in zip(fields, inner))
        return f"{self.kind.__name__}({body})"

    def _repr(self, indent: int) -> str:
        """PyTorch's layout: the first child on the line, each other child
        on its own line, two spaces deeper per level."""
        if self.kind is None:
            return "*"
        context = repr(list(self.context)) if isinstance(self.context, list) else "None"
        sep = ",\n" + " " * (indent + 2)
        inner = sep.join(c._repr(indent + 2) for c in self.children)
        return f"TreeSpec({self.kind.__name__}, {context}, [{inner}])"


_LEAF = TreeSpec(None, None, [])


def _is_namedtuple(x: object) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _children(x: object) -> tuple[type, Any, list[Any]] | None:
    """(kind, context, children) of a container, None for a leaf."""
    if isinstance(x, (tuple, list)):
        if _is_namedtuple(x):
            return type(x), None, list(x)
        if type(x) in (tuple, list):
            return type(x), None, list(x)
        return None
    if type(x) in (dict, OrderedDict):
        keys = list(x)  # type: ignore[call-overload]
        return type(x), keys, [x[k] for k in keys]  # type: ignore[index]
    return None


def tree_flatten(tree: Any) -> tuple[list[Any], TreeSpec]:
    """The leaves of ``tree`` in order, and its spec."""
    leaves: list[Any] = []

    def go(x: Any) -> TreeSpec:
        node = _children(x)
        if node is None:
            leaves.append(x)
            return _LEAF
        kind, context, kids = node
        return TreeSpec(kind, context, [go(k) for k in kids])

    spec = go(tree)
    return leaves, spec


def tree_unflatten(leaves: Iterable[Any], spec: TreeSpec) -> Any:
    """A tree of ``spec``'s shape holding ``leaves``."""
    it = iter(leaves)

    def go(s: TreeSpec) -> Any:
        if s.kind is None:
            return next(it)
        kids = [go(c) for c in s.children]
        if s.kind in (tuple, list):
            return s.kind(kids)
        if issubclass(s.kind, dict):
            return s.kind(zip(s.context, kids))
        return s.kind(*kids)  # namedtuple

    out = go(spec)
    if next(it, _sentinel) is not _sentinel:
        raise ValueError("tree_unflatten: more leaves than the spec holds")
    return out


_sentinel = object()


def tree_leaves(tree: Any) -> list[Any]:
    return tree_flatten(tree)[0]


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)
