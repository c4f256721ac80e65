"""Facts about the backends the library runs on (``torch.backends``): the
CPU's, and the GPU libraries' flags, which programs set whatever the build
(a CPU-only build has neither CUDA, cuDNN nor MPS)."""

from . import cpu, cuda, cudnn, mps

__all__ = ["cpu", "cuda", "cudnn", "mps"]
