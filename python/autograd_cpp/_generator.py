"""Random number generators: ``Generator`` objects with their own stream
(data shuffling, sampling in Python) and ``default_generator``, the global
stream the random factories draw from (``manual_seed``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import _C
from ._device import device as _Device

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from typing_extensions import Self

__all__ = ["Generator", "default_generator"]

# The seed a new Generator starts from, PyTorch's: Generator().initial_seed()
# is the same in every process, while the global stream starts fresh.
_DEFAULT_SEED = 67280421310721
_U64 = 2**64
_STATE_WORDS = 12  # seed (2) + PCG64 state (4) + increment (4) + 2 cached-bit fields


def _entropy_seed() -> int:
    """A 64-bit seed from the operating system's entropy."""
    return int.from_bytes(os.urandom(8), "little")


def _words(value: int, count: int) -> list[int]:
    """value as count little-endian 32-bit words (each fits an int64 tensor)."""
    return [(value >> (32 * i)) & 0xFFFFFFFF for i in range(count)]


def _from_words(words: list[int]) -> int:
    return sum(w << (32 * i) for i, w in enumerate(words))


class Generator:
    """A random stream of its own. ``Generator().manual_seed(42)`` gives the
    same draws every run, independently of the global seed; a new generator
    starts from PyTorch's fixed default seed, and ``seed()`` reseeds it from
    the operating system. Its state round-trips through ``get_state`` and
    ``set_state`` (an int64 tensor)."""

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
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
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
        state = self._rng.bit_generator.state
        words = (
            _words(self._seed, 2)
            + _words(state["state"]["state"], 4)
            + _words(state["state"]["inc"], 4)
            + [int(state["has_uint32"]), int(state["uinteger"])]
        )
        return _C.tensor(words, dtype=_C.int64)

    def set_state(self, new_state: _C.Tensor) -> Self:
        """Moves the stream to a position get_state returned."""
        if (
            not isinstance(new_state, _C.Tensor)
            or new_state.dtype != _C.int64
            or tuple(new_state.shape) != (_STATE_WORDS,)
        ):
            raise TypeError("RNG state must be an int64 tensor returned by Generator.get_state()")
        words = [int(w) for w in new_state.tolist()]
        self.manual_seed(_from_words(words[0:2]))
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": _from_words(words[2:6]), "inc": _from_words(words[6:10])},
            "has_uint32": words[10],
            "uinteger": words[11],
        }
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_generator_from_state, (self.get_state(),))

    # ---- draws used by the Python-level samplers ---------------------------------

    def _numpy(self) -> np.random.Generator:
        """The numpy stream the draws come from."""
        return self._rng

    def _permutation(self, n: int) -> list[int]:
        return [int(i) for i in self._numpy().permutation(n)]

    def _integers(self, high: int, count: int) -> NDArray[np.int64]:
        """count integers drawn uniformly from [0, high)."""
        return self._numpy().integers(0, high, size=count, dtype="int64")

    def _random_seed(self) -> int:
        """A 63-bit integer drawn from this stream (seeds for worker
        processes and for samplers' own generators)."""
        return int(self._numpy().integers(0, 2**63, dtype="int64"))


def _generator_from_state(state: _C.Tensor) -> Generator:
    return Generator().set_state(state)


class _DefaultGenerator(Generator):
    """The global stream (``torch.default_generator``): seeding it seeds the
    random factories (rand, randn, dropout, ...). Draws made through it in
    Python (shuffles without a generator) come from a stream seeded by the
    factories' stream, so ``manual_seed`` makes them reproducible too."""

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

    def _numpy(self) -> np.random.Generator:
        import numpy as np

        seed = int(_C.randint(0, 2**62, (1,)).item())
        return np.random.Generator(np.random.PCG64(seed))


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
