"""DataLoader: batches of samples, optionally shuffled by a seeded generator."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ... import _C
from ..._generator import default_generator

if TYPE_CHECKING:
    from ..._generator import Generator
    from .dataset import _MapDataset


class _Sampler(Protocol):
    """What DataLoader takes as a sampler: the dataset indices of one pass, and their count."""

    def __iter__(self) -> Iterator[int]: ...
    def __len__(self) -> int: ...


__all__ = ["DataLoader", "default_collate"]


# Samples are whatever the dataset holds; the batch mirrors their structure.
def default_collate(batch: Sequence[Any]) -> Any:
    """Stacks a list of samples into a batch: tensors along a new first dim,
    numbers into a tensor, tuples/lists/dicts element by element."""
    first = batch[0]
    if isinstance(first, _C.Tensor):
        return _C.stack(batch, 0)
    if isinstance(first, bool):
        return _C.tensor(batch)
    if isinstance(first, int):
        return _C.tensor(batch, dtype=_C.int64)
    if isinstance(first, float):
        return _C.tensor(batch, dtype=_C.float64)
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, Mapping):
        return {key: default_collate([s[key] for s in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):
        return type(first)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(first, Sequence):
        columns = list(zip(*batch))
        collated = [default_collate(list(c)) for c in columns]
        return tuple(collated) if isinstance(first, tuple) else collated
    import numpy as np

    if isinstance(first, np.ndarray):
        return _C.stack([_C.as_tensor(a) for a in batch], 0)
    raise TypeError(
        f"default_collate: batch must contain tensors, numbers, dicts or lists; found {type(first)}"
    )


class DataLoader:
    """Iterates over a dataset in batches. With ``shuffle=True`` each pass
    uses a new order drawn from ``generator`` (or the global seed)."""

    def __init__(
        self,
        dataset: _MapDataset,
        batch_size: int | None = 1,
        shuffle: bool = False,
        sampler: _Sampler | None = None,
        drop_last: bool = False,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        generator: Generator | None = None,
        num_workers: int = 0,
        **kwargs: Any,
    ) -> None:
        if batch_size is not None and batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.sampler = sampler
        self.drop_last = drop_last
        self.collate_fn = collate_fn or default_collate
        self.generator = generator

    def _indices(self) -> list[int]:
        if self.sampler is not None:
            return list(iter(self.sampler))
        n = len(self.dataset)
        if self.shuffle:
            return (self.generator or default_generator)._permutation(n)
        return list(range(n))

    # A batch is whatever collate_fn makes of the samples (for a
    # TensorDataset, a list of tensors).
    def __iter__(self) -> Iterator[Any]:
        indices = self._indices()
        if self.batch_size is None:
            for i in indices:
                yield self.dataset[i]
            return
        tensors = getattr(self.dataset, "tensors", None)
        for start in range(0, len(indices), self.batch_size):
            chunk = indices[start : start + self.batch_size]
            if len(chunk) < self.batch_size and self.drop_last:
                return
            if tensors is not None and self.collate_fn is default_collate:
                # A TensorDataset batch is one gather per tensor.
                index = _C.tensor(chunk, dtype=_C.int64)
                yield [t[index] for t in tensors]
            else:
                yield self.collate_fn([self.dataset[i] for i in chunk])

    def __len__(self) -> int:
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
