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

    __slots__ = ("kind", "context", "children", "num_leaves", "flat")

    def __init__(self, kind: type | None, context: Any, children: list[TreeSpec]) -> None:
        self.kind = kind
        self.context = context
        self.children = children
        self.num_leaves: int = 1 if kind is None else sum(c.num_leaves for c in children)
        # A tuple or list of leaves: flattened and rebuilt without recursion.
        self.flat = (kind is tuple or kind is list) and all(c.kind is None for c in children)

    def is_leaf(self) -> bool:
        return self.kind is None

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
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
    t = type(x)
    if t is tuple or t is list:
        return t, None, list(x)  # type: ignore[call-overload]
    if t is dict or t is OrderedDict:
        keys = list(x)  # type: ignore[call-overload]
        return t, keys, [x[k] for k in keys]  # type: ignore[index]
    if isinstance(x, tuple) and _is_namedtuple(x):
        return t, None, list(x)
    return None


def _is_leaf(x: object) -> bool:
    t = type(x)
    if t is tuple or t is list or t is dict or t is OrderedDict:
        return False
    return not (isinstance(x, tuple) and _is_namedtuple(x))


# The specs of tuples and lists of n leaves, shared (specs are not mutated).
_FLAT_SPECS: dict[tuple[type, int], TreeSpec] = {}


def tree_flatten(tree: Any) -> tuple[list[Any], TreeSpec]:
    """The leaves of ``tree`` in order, and its spec."""
    t = type(tree)
    if t is tuple or t is list:
        # Fast path: a tuple or list of leaves (transforms' usual arguments).
        for c in tree:
            if not _is_leaf(c):
                break
        else:
            spec = _FLAT_SPECS.get((t, len(tree)))
            if spec is None:
                spec = _FLAT_SPECS[(t, len(tree))] = TreeSpec(t, None, [_LEAF] * len(tree))
            return list(tree), spec
    elif _is_leaf(tree):
        return [tree], _LEAF
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
    if spec.kind is None or spec.flat:
        # The common cases, made cheap: a single leaf, a tuple/list of them.
        items = list(leaves)
        if len(items) != spec.num_leaves:
            if len(items) > spec.num_leaves:
                raise ValueError("tree_unflatten: more leaves than the spec holds")
            raise StopIteration
        return items[0] if spec.kind is None else spec.kind(items)
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
    if _children(tree) is None:
        return fn(tree)
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)
