"""The CPU backend."""

from ... import _C

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """The instruction set the elementwise, reduction and softmax kernels use.

    ``"AVX2"`` on CPUs with AVX2 and FMA (when the library was built with those
    kernels), otherwise ``"DEFAULT"``. Setting the environment variable
    ``AUTOGRAD_CPP_CPU_CAPABILITY=default`` before import pins ``"DEFAULT"``.
    """
    return _C._get_cpu_capability()
