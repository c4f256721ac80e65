"""The CPU backend."""

from ... import _C

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """The widest instruction set the kernels use.

    ``"AVX512"`` on CPUs with AVX-512 (F, VL, DQ): the matrix products, the
    recurrent layers and the activations then use it and the other
    elementwise, reduction, softmax and normalisation kernels AVX2;
    ``"AVX2"`` on CPUs
    with AVX2 and FMA; otherwise ``"DEFAULT"`` (or
    always, when the library was built without those kernels). Setting the
    environment variable ``AUTOGRAD_CPP_CPU_CAPABILITY`` to ``default`` or
    ``avx2`` before import pins that build, as PyTorch's
    ``ATEN_CPU_CAPABILITY`` does.
    """
    return _C._get_cpu_capability()
