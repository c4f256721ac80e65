"""``torch.backends.mps``: Apple's Metal backend is not part of this build."""

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """False: there is no MPS device."""
    return False


def is_built() -> bool:
    """False: the build has no MPS support."""
    return False
