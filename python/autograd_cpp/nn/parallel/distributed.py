"""DistributedDataParallel: data-parallel training over autograd_cpp.distributed."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from ... import _C
from ... import distributed as dist
from ...autograd.grad_mode import no_grad
from ..modules.module import Module

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["DistributedDataParallel"]


class _Bucket:
    """Gradients of a few parameters of one dtype, flattened into one buffer
    so that they travel in a single all-reduce."""

    def __init__(self, params: list[_C.Tensor]) -> None:
        self.params = params
        sizes = [p.numel() for p in params]
        self.offsets = [0, *itertools.accumulate(sizes)]
        import numpy as np  # loaded on first use: keeps `import autograd_cpp` fast

        self.flat: NDArray[Any] = np.empty(self.offsets[-1], dtype=params[0]._numpy_view().dtype)
        self.pending = len(params)
        self.work: dist.Work | None = None


class DistributedDataParallel(Module):
    """Wraps ``module`` for data-parallel training: every rank runs the same
    script on its own shard of the data; parameters and buffers start as rank
    0's, and ``backward`` leaves every rank with the gradients averaged over
    all ranks, so the ranks' optimizers keep identical parameters.

    Gradients are grouped in buckets of about ``bucket_cap_mb`` megabytes, in
    reverse parameter order (roughly the order backward produces them). A
    post-accumulate-grad hook marks each parameter ready; a full bucket goes
    at once to the communication thread of ``autograd_cpp.distributed``, whose
    all-reduce runs while backward goes on. Buckets start strictly in order so that every rank issues the
    same sequence of collectives. The hook that completes the last bucket
    waits for all of them and writes the averages back into ``.grad``, so the
    gradients are final when ``backward()`` returns.

    As in PyTorch, every parameter that requires grad must take part in each
    backward: otherwise its bucket never completes and the next forward
    raises. ``no_sync()`` skips the all-reduce for gradient accumulation.
    """

    def __init__(
        self,
        module: Module,
        device_ids: list[int] | None = None,
        output_device: int | None = None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        bucket_cap_mb: float = 25,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if not dist.is_initialized():
            raise RuntimeError(
                "DistributedDataParallel: call autograd_cpp.distributed.init() first"
            )
        if kwargs.get("find_unused_parameters"):
            raise NotImplementedError(
                "DistributedDataParallel: find_unused_parameters is not supported"
            )
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self._params = [p for p in module.parameters() if p.requires_grad]
        with no_grad():
            for t in (*module.parameters(), *module.buffers()):
                dist.broadcast(t, 0)
        self._buckets = self._make_buckets(bucket_cap_mb * 1024 * 1024)
        self._bucket_of: dict[int, tuple[int, int]] = {}
        for b, bucket in enumerate(self._buckets):
            for i, p in enumerate(bucket.params):
                self._bucket_of[id(p)] = (b, i)
        self._next_bucket = 0
        self._sync = True
        self._sync_this_backward = True
        self._handles = [
            p.register_post_accumulate_grad_hook(self._grad_ready) for p in self._params
        ]

    def _make_buckets(self, cap_bytes: float) -> list[_Bucket]:
        buckets: list[_Bucket] = []
        current: list[_C.Tensor] = []
        size = 0
        for p in reversed(self._params):
            if current and (p.dtype != current[0].dtype or size >= cap_bytes):
                buckets.append(_Bucket(current))
                current, size = [], 0
            current.append(p)
            size += p.numel() * p.element_size()
        if current:
            buckets.append(_Bucket(current))
        return buckets

    # The hook runs once the gradient is accumulated: .grad is a tensor here.
    def _grad_ready(self, param: _C.Tensor) -> None:
        if not self._sync_this_backward:
            return
        b, i = self._bucket_of[id(param)]
        bucket = self._buckets[b]
        start, stop = bucket.offsets[i], bucket.offsets[i + 1]
        bucket.flat[start:stop] = cast(_C.Tensor, param.grad)._numpy_view().reshape(-1)
        bucket.pending -= 1
        comm, mpi = dist._comm(), dist._state.mpi
        while self._next_bucket < len(self._buckets):
            nxt = self._buckets[self._next_bucket]
            if nxt.pending:
                return
            nxt.work = dist.submit(
                functools.partial(comm.Allreduce, mpi.IN_PLACE, nxt.flat, mpi.SUM),
                "DistributedDataParallel's gradients",
            )
            self._next_bucket += 1
        self._finish_reduction(comm.Get_size())

    def _finish_reduction(self, world: int) -> None:
        # Every bucket has been submitted by now.
        dist.wait_all(cast("list[dist.Work]", [b.work for b in self._buckets]))
        for bucket in self._buckets:
            bucket.flat /= world
            for i, p in enumerate(bucket.params):
                start, stop = bucket.offsets[i], bucket.offsets[i + 1]
                grad = cast(_C.Tensor, p.grad)._numpy_view()
                grad[...] = bucket.flat[start:stop].reshape(grad.shape)
            bucket.pending = len(bucket.params)
            bucket.work = None
        self._next_bucket = 0

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if self._next_bucket or any(b.pending != len(b.params) for b in self._buckets):
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss, or that backward was not run on the previous output; "
                "every parameter that requires grad must receive a gradient in each backward."
            )
        self._sync_this_backward = self._sync
        if self.broadcast_buffers and dist.world_size() > 1:
            with no_grad():
                for buf in self.module.buffers():
                    dist.broadcast(buf, 0)
        return self.module(*args, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes of forwards run inside accumulate gradients locally;
        the first synchronised backward afterwards averages the sum."""
        previous, self._sync = self._sync, False
        try:
            yield
        finally:
            self._sync = previous
