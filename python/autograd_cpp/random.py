"""``torch.random``: the global random stream's seed."""

from ._generator import Generator, default_generator, initial_seed, manual_seed, seed

__all__ = ["Generator", "default_generator", "initial_seed", "manual_seed", "seed"]
