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
    """Iterates over a dataset in batches.

    Each pass (``for batch in loader``) takes the dataset's indices in order,
    in a new random order with ``shuffle=True``, or in the order a
    ``sampler`` gives; cuts them into batches of ``batch_size``; and turns
    each batch's samples into one value with ``collate_fn``. Batches are
    made in the calling process.

    Args:
        dataset: anything with ``__getitem__(index)`` and ``__len__()``: a
            ``TensorDataset``, a ``Dataset`` subclass, a list.
        batch_size: samples per batch; ``None`` yields the samples one by
            one, without collating.
        shuffle: draw a new order for every pass.
        sampler: the indices of one pass, as an iterable with a length
            (such as ``DistributedSampler``); excludes ``shuffle``.
        drop_last: drop the last batch when it is smaller than
            ``batch_size``.
        collate_fn: makes a batch from the list of its samples. The default
            stacks tensors along a new first dimension, gathers numbers into
            a tensor, and combines tuples, lists and dicts field by field.
        generator: the ``Generator`` that draws the shuffled orders (the
            global one, seeded by ``manual_seed``, when ``None``).
        num_workers: accepted for compatibility with PyTorch; batches are
            always made in the calling process.

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.utils.data import DataLoader, TensorDataset
        >>> dataset = TensorDataset(torch.arange(10.0).reshape(5, 2), torch.arange(5))
        >>> loader = DataLoader(dataset, batch_size=2)
        >>> len(loader)
        3
        >>> for xb, yb in loader:
        ...     print(xb.shape, yb)
        torch.Size([2, 2]) tensor([0, 1])
        torch.Size([2, 2]) tensor([2, 3])
        torch.Size([1, 2]) tensor([4])
        >>> shuffled = DataLoader(dataset, batch_size=5, shuffle=True,
        ...                       generator=torch.Generator().manual_seed(0))
        >>> sorted(next(iter(shuffled))[1].tolist())
        [0, 1, 2, 3, 4]
    """

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
