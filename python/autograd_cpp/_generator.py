"""Random number generators: ``Generator`` objects with their own stream
(data shuffling, sampling in Python) and ``default_generator``, the global
stream the random factories draw from (``manual_seed``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import _C
from ._device import device as _Device

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Generator", "default_generator", "get_rng_state", "set_rng_state"]

# The seed a new Generator starts from, PyTorch's: Generator().initial_seed()
# is the same in every process, while the global stream starts fresh.
_DEFAULT_SEED = 67280421310721
_U64 = 2**64
# The state as int64 words: the seed's two halves, the position, the twister's
# 624 words, and a waiting normal value (flag and bits).
_STATE_WORDS = 3 + 624 + 2


def _entropy_seed() -> int:
    """A 64-bit seed from the operating system's entropy."""
    return int.from_bytes(os.urandom(8), "little")


class Generator:
    """A random stream of its own, PyTorch's CPU generator: a 32-bit
    Mersenne Twister seeded as PyTorch seeds it, so shuffles drawn from it
    (RandomSampler, SubsetRandomSampler, random_split, DataLoader) give
    PyTorch's index orders for the same seed. A new generator starts from
    PyTorch's fixed default seed; ``seed()`` reseeds it from the operating
    system; the state round-trips through ``get_state``/``set_state`` (an
    int64 tensor)."""

    def __init__(self, device: str | _Device = "cpu") -> None:
        kind = _Device(device).type
        if kind != "cpu":
            raise RuntimeError(f"Cannot get {kind.upper()} generator: only cpu generators exist")
        self.device = _Device("cpu")
        self._impl = _C._Generator(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Self:
        """Restarts the stream from seed (any int; taken modulo 2**64) and returns self."""
        self._impl.manual_seed(int(seed) % _U64)
        return self

    def initial_seed(self) -> int:
        """The seed the stream last started from."""
        return int(self._impl.initial_seed())

    def seed(self) -> int:
        """Restarts the stream from a fresh seed drawn from the operating
        system and returns that seed."""
        return self.manual_seed(_entropy_seed()).initial_seed()

    def get_state(self) -> _C.Tensor:
        """The stream's position (with its seed) as an int64 tensor, for set_state."""
        return self._impl.get_state()

    def set_state(self, new_state: _C.Tensor) -> Self:
        """Moves the stream to a position get_state returned."""
        if (
            not isinstance(new_state, _C.Tensor)
            or new_state.dtype != _C.int64
            or tuple(new_state.shape) not in ((_STATE_WORDS,), (_STATE_WORDS - 2,))
        ):
            raise TypeError("RNG state must be an int64 tensor returned by Generator.get_state()")
        self._impl.set_state(new_state)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_generator_from_state, (self.get_state(),))

    # ---- draws, made as PyTorch's CPU kernels make them -------------------------

    def _stream(self) -> Generator:
        """The generator the draws below come from: itself (the global
        generator hands out a fresh one seeded from its stream)."""
        return self

    def _raw32(self, count: int) -> list[int]:
        """count 32-bit words of the twister (PyTorch's random())."""
        words: list[int] = self._impl.random_raw(count)
        return words

    def _random64(self) -> int:
        """A 64-bit word from two 32-bit ones, the first high (PyTorch's random64())."""
        high, low = self._raw32(2)
        return (high << 32) | low

    def _random_seed(self) -> int:
        """A non-negative int64 as ``torch.empty((), dtype=torch.int64).random_()``
        draws one (the seeds of samplers' generators and of workers)."""
        return self._random64() % 2**63

    def _permutation(self, n: int) -> list[int]:
        """A random permutation of range(n), PyTorch's CPU randperm:
        Fisher-Yates with each swap partner drawn modulo the count left."""
        stream = self._stream()
        if n >= 2**32 // 20:
            return [int(i) for i in _C.randperm(n, generator=stream).tolist()]
        order = list(range(n))
        for i, word in enumerate(stream._raw32(max(n - 1, 0))):
            j = i + word % (n - i)
            order[i], order[j] = order[j], order[i]
        return order

    def _randint(self, high: int, count: int) -> list[int]:
        """count integers uniform in [0, high), PyTorch's randint: one word
        modulo the range (two words for ranges of 2**32 and more)."""
        stream = self._stream()
        if high < 2**32:
            return [w % high for w in stream._raw32(count)]
        return [stream._random64() % high for _ in range(count)]

    def _uniform(self, count: int) -> list[float]:
        """count doubles in [0, 1), each from 53 bits of a 64-bit word
        (PyTorch's uniform_real_distribution<double>)."""
        stream = self._stream()
        return [(stream._random64() & (2**53 - 1)) * 2.0**-53 for _ in range(count)]


def _generator_from_state(state: _C.Tensor) -> Generator:
    return Generator().set_state(state)


class _DefaultGenerator(Generator):
    """The global stream (``torch.default_generator``) that the random
    factories, sampling ops and dropout draw from; seeded as PyTorch's, so
    ``manual_seed`` gives PyTorch's draws where the algorithms agree."""

    def __init__(self) -> None:
        self.device = _Device("cpu")
        self._impl = _C._default_generator()

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("the global generator cannot be pickled")

    def _stream(self) -> Generator:
        # As PyTorch's samplers do without a generator: a new generator,
        # seeded with a non-negative int64 drawn from the global stream.
        return Generator().manual_seed(self._random64() % 2**63)


default_generator = _DefaultGenerator()
# Each process starts from a fresh seed, as in PyTorch: without manual_seed
# two runs draw different numbers.
default_generator.manual_seed(_entropy_seed())


def manual_seed(seed: int) -> Generator:
    """Seeds the global stream (random factories, dropout, shuffles without
    a generator) and returns ``default_generator``."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seeds the global stream from the operating system; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global stream last started from."""
    return default_generator.initial_seed()


def get_rng_state() -> _C.Tensor:
    """The global stream's state (an int64 tensor), for set_rng_state."""
    return default_generator.get_state()


def set_rng_state(new_state: _C.Tensor) -> None:
    """Restores the global stream to a state get_rng_state returned."""
    default_generator.set_state(new_state)
