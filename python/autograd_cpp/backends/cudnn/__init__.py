"""``torch.backends.cudnn``: cuDNN is not part of this build. Its flags are
plain settings with PyTorch's defaults, so seed-everything and benchmark
switches (``deterministic``, ``benchmark``, ``enabled``) can be set and read."""

__all__ = ["allow_tf32", "benchmark", "deterministic", "enabled", "is_available", "version"]

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: the build has no cuDNN."""
    return False


def version() -> int | None:
    """cuDNN's version: None, as it is not linked."""
    return None
