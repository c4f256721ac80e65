"""Map-style datasets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..._generator import default_generator

if TYPE_CHECKING:
    from ... import _C
    from ..._generator import Generator

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split"]


class _MapDataset(Protocol):
    """What DataLoader and Subset take as a dataset: a Dataset, a list, ...
    Samples can be anything the collate function accepts."""

    def __getitem__(self, index: Any, /) -> Any: ...
    def __len__(self) -> int: ...


class Dataset:
    """Anything with __getitem__(index) and __len__()."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __len__(self) -> int:
        raise NotImplementedError("Subclasses of Dataset should implement __len__.")


class TensorDataset(Dataset):
    """Samples are the index-th rows of each tensor (all of equal length)."""

    def __init__(self, *tensors: _C.Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        n = tensors[0].size(0)
        if any(t.size(0) != n for t in tensors):
            raise ValueError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index: object) -> tuple[_C.Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class Subset(Dataset):
    def __init__(self, dataset: _MapDataset, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index: int | list[int]) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(
    dataset: _MapDataset, lengths: Sequence[float], generator: Generator | None = None
) -> list[Subset]:
    """Splits a dataset into non-overlapping random subsets of the given
    lengths (or fractions summing to 1)."""
    n = len(dataset)
    if all(0 <= x <= 1 for x in lengths) and abs(sum(lengths) - 1) < 1e-9 and sum(lengths) != n:
        counts = [int(n * f) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = (generator or default_generator)._permutation(n)
    out: list[Subset] = []
    start = 0
    for length in cast("Sequence[int]", lengths):  # counts by now
        out.append(Subset(dataset, order[start : start + length]))
        start += length
    return out
