"""Samplers: the order in which a DataLoader visits a dataset's indices.

Shuffles are drawn as PyTorch draws them (randperm, randint and multinomial
with replacement on PyTorch's CPU generator), so with the same
``torch.Generator`` seed they give PyTorch's index orders. Without a
generator each pass seeds a new generator from the global stream."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

from ... import _C
from ..._generator import Generator, default_generator

__all__ = [
    "BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
    "WeightedRandomSampler",
]  # fmt: skip

_T_co = TypeVar("_T_co", covariant=True)


class Sampler(Generic[_T_co]):
    """Base class: iterating yields dataset indices (or batches of them);
    subclasses that know their length define ``__len__``."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[_T_co]:
        raise NotImplementedError


def _generator_for_pass(generator: Generator | None) -> Generator:
    """The generator, or a new one seeded from the global stream."""
    if generator is not None:
        return generator
    return Generator().manual_seed(default_generator._random_seed())


class SequentialSampler(Sampler[int]):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random order of the indices: permutations (num_samples beyond the
    dataset's length continue with further permutations) or, with
    replacement, num_samples independent draws."""

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        generator = _generator_for_pass(self.generator)
        if self.replacement:
            # Drawn in chunks of 32, as PyTorch does (the chunking fixes the order).
            for _ in range(self.num_samples // 32):
                yield from generator._randint(n, 32)
            yield from generator._randint(n, self.num_samples % 32)
        else:
            for _ in range(self.num_samples // n):
                yield from generator._permutation(n)
            yield from generator._permutation(n)[: self.num_samples % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a random order."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        generator = self.generator if self.generator is not None else default_generator
        for i in generator._permutation(len(self.indices)):
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


def _check_weights(weights: list[float], replacement: bool, num_samples: int) -> None:
    """PyTorch's multinomial checks, with its messages (which depend on the path taken)."""
    if replacement and num_samples > 1:
        for w in weights:
            if not w >= 0:
                raise RuntimeError(
                    "invalid multinomial distribution (encountering probability entry < 0)"
                )
            if not math.isfinite(w):
                raise RuntimeError(
                    "invalid multinomial distribution (encountering probability entry = "
                    "infinity or NaN)"
                )
    elif any(not math.isfinite(w) or w < 0 for w in weights):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if sum(weights) <= 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


def _weighted_draws(
    weights: list[float], num_samples: int, replacement: bool, generator: Generator
) -> list[int]:
    """num_samples category indices drawn with probabilities proportional to
    weights. With replacement: PyTorch's multinomial (inverse CDF of a
    uniform double, so PyTorch's draws for the same seed); without: the
    exponential race (largest weight / Exp(1) first), as PyTorch's
    algorithm, from draws of its own."""
    import numpy as np

    _check_weights(weights, replacement, num_samples)
    w = np.asarray(weights, dtype=np.float64)
    if replacement:
        cumulative = np.cumsum(w)
        cumulative /= cumulative[-1]
        found = np.searchsorted(cumulative, generator._uniform(num_samples), side="left")
        return [int(i) for i in found]
    if num_samples > len(weights):
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    race = w / -np.log1p(-np.asarray(generator._uniform(len(weights))))
    return [int(i) for i in np.argsort(-race, kind="stable")[:num_samples]]


class WeightedRandomSampler(Sampler[int]):
    """num_samples indices drawn with probabilities proportional to weights
    (with replacement by default)."""

    def __init__(
        self,
        weights: Sequence[float] | _C.Tensor,
        num_samples: int,
        replacement: bool = True,
        generator: Generator | None = None,
    ) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}"
            )
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        as_tensor = _C.as_tensor(weights, dtype=_C.float64)
        if as_tensor.dim() != 1:
            raise ValueError(
                "weights should be a 1d sequence but given weights have shape "
                f"{tuple(as_tensor.shape)}"
            )
        self.weights = as_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        generator = self.generator if self.generator is not None else default_generator
        drawn = _weighted_draws(
            self.weights.tolist(), self.num_samples, self.replacement, generator._stream()
        )
        yield from drawn

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[Any]]):
    """Groups the indices of a sampler into lists of batch_size (the last
    shorter unless drop_last)."""

    def __init__(
        self, sampler: Sampler[Any] | Iterable[Any], batch_size: int, drop_last: bool
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[Any]]:
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
