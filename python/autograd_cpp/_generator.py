"""Seeded random number generators for data shuffling (Generator)."""

from . import _C

__all__ = ["Generator", "default_generator"]


def _fresh_seed():
    import numpy as np

    return int(np.random.SeedSequence().entropy % (2**63))


class Generator:
    """A random stream of its own: ``Generator().manual_seed(42)`` gives the
    same shuffles every run, independent of the global seed."""

    def __init__(self, device="cpu"):
        self.manual_seed(_fresh_seed())

    def manual_seed(self, seed):
        import numpy as np  # imported on first use: keeps `import autograd_cpp` fast

        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed

    def seed(self):
        return self.manual_seed(_fresh_seed()).initial_seed()

    def permutation(self, n):
        return [int(i) for i in self._rng.permutation(n)]

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self


def default_generator():
    """A generator seeded from the global stream (autograd_cpp.manual_seed),
    so shuffles follow manual_seed when no generator is given."""
    seed = int(_C.randint(0, 2**62, (1,)).item())
    return Generator().manual_seed(seed)
