"""default_collate and default_convert: how DataLoader turns samples into
batches (PyTorch's rules: tensors and numpy arrays are stacked, numbers
become tensors, strings stay lists, dicts, namedtuples and sequences are
collated field by field)."""

from __future__ import annotations

import collections.abc
import copy
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .... import _C

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

# numpy dtype kinds that cannot become tensors: bytes, str, unicode, objects.
_NOT_NUMERIC = re.compile("[SaUO]")
_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)
_CollateFn = Callable[..., Any]


def _is_numpy(value: object) -> bool:
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_")


def default_convert(data: Any) -> Any:
    """Converts numpy arrays and numbers inside data to tensors, keeping the
    structure (tuples become lists, as in PyTorch); everything else is kept."""
    kind = type(data)
    if isinstance(data, _C.Tensor):
        return data
    if _is_numpy(data):
        if kind.__name__ == "ndarray" and _NOT_NUMERIC.search(data.dtype.str) is not None:
            return data
        return _C.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        return _rebuild_mapping(data, converted)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return kind(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(original: Any, values: dict[Any, Any]) -> Any:
    """A mapping of original's type holding values (a dict if that fails)."""
    try:
        if isinstance(original, collections.abc.MutableMapping):
            clone = copy.copy(original)
            clone.update(values)
            return clone
        return type(original)(values)
    except TypeError:
        return values


def _rebuild_sequence(original: Any, items: list[Any]) -> Any:
    """A sequence of original's type holding items (a list if that fails)."""
    try:
        if isinstance(original, collections.abc.MutableSequence):
            clone = copy.copy(original)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(original)(items)
    except TypeError:
        return items


def collate(batch: Sequence[Any], *, collate_fn_map: dict[Any, _CollateFn] | None = None) -> Any:
    """Collates a list of samples by the first one's type: a function from
    collate_fn_map (looked up by type, then by isinstance), else field by
    field for mappings, namedtuples and sequences."""
    elem = batch[0]
    kind = type(elem)
    if collate_fn_map is not None:
        if kind in collate_fn_map:
            return collate_fn_map[kind](batch, collate_fn_map=collate_fn_map)
        for known in collate_fn_map:
            if isinstance(elem, known):
                return collate_fn_map[known](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        values = {
            key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem
        }
        return _rebuild_mapping(elem, values)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return kind(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        # Tuples become lists, as in PyTorch.
        return columns if isinstance(elem, tuple) else _rebuild_sequence(elem, columns)
    raise TypeError(_ERROR.format(kind))


def collate_tensor_fn(batch: Sequence[_C.Tensor], *, collate_fn_map: Any = None) -> _C.Tensor:
    return _C.stack(list(batch), 0)


def collate_numpy_array_fn(batch: Sequence[Any], *, collate_fn_map: Any = None) -> Any:
    if _NOT_NUMERIC.search(batch[0].dtype.str) is not None:
        raise TypeError(_ERROR.format(batch[0].dtype))
    return collate([_C.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch: Sequence[Any], *, collate_fn_map: Any = None) -> _C.Tensor:
    import numpy as np

    return _C.as_tensor(np.asarray(batch))


def collate_float_fn(batch: Sequence[float], *, collate_fn_map: Any = None) -> _C.Tensor:
    return _C.tensor(list(batch), dtype=_C.float64)


def collate_int_fn(batch: Sequence[int], *, collate_fn_map: Any = None) -> _C.Tensor:
    # bool is an int: a batch of bools becomes a bool tensor.
    return _C.tensor(list(batch))


def collate_str_fn(batch: Sequence[Any], *, collate_fn_map: Any = None) -> Sequence[Any]:
    return batch


default_collate_fn_map: dict[Any, _CollateFn] = {_C.Tensor: collate_tensor_fn}


default_collate_fn_map[float] = collate_float_fn
default_collate_fn_map[int] = collate_int_fn
default_collate_fn_map[str] = collate_str_fn
default_collate_fn_map[bytes] = collate_str_fn


def _register_numpy() -> None:
    """Adds numpy's types to the map once numpy is loaded (a batch can only
    hold numpy objects then), keeping numpy out of ``import autograd_cpp``."""
    if "numpy" not in sys.modules or _numpy_registered:
        return
    import numpy as np

    # Ahead of float and int, as in PyTorch's map (np.float64 is a float).
    entries = {
        np.ndarray: collate_numpy_array_fn,
        (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    }
    rest = dict(default_collate_fn_map)
    default_collate_fn_map.clear()
    default_collate_fn_map[_C.Tensor] = rest.pop(_C.Tensor)
    default_collate_fn_map.update(entries)
    default_collate_fn_map.update(rest)
    _numpy_registered.append(True)


_numpy_registered: list[bool] = []


def default_collate(batch: Sequence[Any]) -> Any:
    """Stacks a list of samples into a batch: tensors and numpy arrays
    along a new first dimension, Python numbers into a tensor (float64 for
    floats, int64 for ints), strings kept as a list, and mappings,
    namedtuples, tuples (as lists) and lists collated field by field."""
    _register_numpy()
    return collate(batch, collate_fn_map=default_collate_fn_map)
