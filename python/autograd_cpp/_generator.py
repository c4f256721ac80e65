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

__all__ = ["Generator", "default_generator"]

# The seed a new Generator starts from, PyTorch's: Generator().initial_seed()
# is the same in every process, while the global stream starts fresh.
_DEFAULT_SEED = 67280421310721
_U64 = 2**64
_MT_WORDS = 624  # the Mersenne Twister's state: 624 32-bit words (and a position)


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
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Self:
        """Restarts the stream from seed (any int; taken modulo 2**64) and returns self."""
        import numpy as np  # imported on first use: keeps `import autograd_cpp` fast

        self._seed = int(seed) % _U64
        self._mt = np.random.MT19937()
        # PyTorch seeds its twister with the seed's low 32 bits, as numpy's
        # legacy seeding does.
        self._mt._legacy_seeding(self._seed & 0xFFFFFFFF)
        return self

    def initial_seed(self) -> int:
        """The seed the stream last started from."""
        return self._seed

    def seed(self) -> int:
        """Restarts the stream from a fresh seed drawn from the operating
        system and returns that seed."""
        return self.manual_seed(_entropy_seed()).initial_seed()

    def get_state(self) -> _C.Tensor:
        """The stream's position (with its seed) as an int64 tensor, for set_state."""
        state = self._mt.state["state"]
        words = [self._seed & 0xFFFFFFFF, self._seed >> 32, int(state["pos"])]
        return _C.tensor(words + [int(k) for k in state["key"]], dtype=_C.int64)

    def set_state(self, new_state: _C.Tensor) -> Self:
        """Moves the stream to a position get_state returned."""
        if (
            not isinstance(new_state, _C.Tensor)
            or new_state.dtype != _C.int64
            or tuple(new_state.shape) != (_MT_WORDS + 3,)
        ):
            raise TypeError("RNG state must be an int64 tensor returned by Generator.get_state()")
        import numpy as np

        words = [int(w) for w in new_state.tolist()]
        self.manual_seed(words[0] | (words[1] << 32))
        key = np.array(words[3:], dtype=np.uint32)
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": words[2]}}
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
        return [int(w) for w in self._mt.random_raw(count)]

    def _random64(self) -> int:
        """A 64-bit word from two 32-bit ones, the first high (PyTorch's random64())."""
        high, low = self._raw32(2)
        return (high << 32) | low

    def _random_seed(self) -> int:
        """A non-negative int64 as ``torch.empty((), dtype=torch.int64).random_()``
        draws one (the seeds of samplers' generators and of workers)."""
        return self._stream()._random64() % 2**63

    def _permutation(self, n: int) -> list[int]:
        """A random permutation of range(n), PyTorch's CPU randperm:
        Fisher-Yates with each swap partner drawn modulo the count left."""
        stream = self._stream()
        if n >= 2**32 // 20:
            import numpy as np

            return [int(i) for i in np.random.Generator(stream._mt).permutation(n)]
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
    """The global stream (``torch.default_generator``): seeding it seeds the
    random factories (rand, randn, dropout, ...). Shuffles drawn through it
    come from a new generator seeded from that stream, so ``manual_seed``
    makes them reproducible too (their values differ from PyTorch's, whose
    global stream is another)."""

    def __init__(self) -> None:
        self.device = _Device("cpu")

    def manual_seed(self, seed: int) -> Self:
        seed = int(seed) % _U64
        # The extension takes a signed 64-bit seed; the bits are what count.
        _C.manual_seed(seed - _U64 if seed >= 2**63 else seed)
        return self

    def initial_seed(self) -> int:
        return int(_C.initial_seed())

    def get_state(self) -> _C.Tensor:
        raise RuntimeError(
            "the global generator's state cannot be read: reseed it with manual_seed(), or "
            "draw from a torch.Generator, whose state can be saved"
        )

    def set_state(self, new_state: _C.Tensor) -> Self:
        raise RuntimeError(
            "the global generator's state cannot be set: reseed it with manual_seed(), or "
            "draw from a torch.Generator, whose state can be saved"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("the global generator cannot be pickled")

    def _stream(self) -> Generator:
        # As PyTorch's samplers do without a generator: a new generator,
        # seeded from the global stream.
        return Generator().manual_seed(int(_C.randint(0, 2**62, (1,)).item()))


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
