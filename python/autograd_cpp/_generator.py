"""Seeded random number generators for data shuffling (Generator)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from . import _C

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Generator", "default_generator"]


def _fresh_seed() -> int:
    import numpy as np

    # Made without entropy, a SeedSequence draws an int from the OS.
    entropy = cast(int, np.random.SeedSequence().entropy)
    return int(entropy % (2**63))


class Generator:
    """A random stream of its own: ``Generator().manual_seed(42)`` gives the
    same shuffles every run, independent of the global seed."""

    def __init__(self, device: str = "cpu") -> None:
        self.manual_seed(_fresh_seed())

    def manual_seed(self, seed: int) -> Self:
        import numpy as np  # imported on first use: keeps `import autograd_cpp` fast

        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(_fresh_seed()).initial_seed()

    def permutation(self, n: int) -> list[int]:
        return [int(i) for i in self._rng.permutation(n)]

    def get_state(self) -> Mapping[str, Any]:
        return self._rng.bit_generator.state

    def set_state(self, state: Mapping[str, Any]) -> Self:
        self._rng.bit_generator.state = state
        return self


def default_generator() -> Generator:
    """A generator seeded from the global stream (autograd_cpp.manual_seed),
    so shuffles follow manual_seed when no generator is given."""
    seed = int(_C.randint(0, 2**62, (1,)).item())
    return Generator().manual_seed(seed)
