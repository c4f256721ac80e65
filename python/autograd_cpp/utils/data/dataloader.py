"""DataLoader: batches of a dataset, in the main process or in worker
processes, in PyTorch's order for the same generator seed."""

from __future__ import annotations

import itertools
import os
import queue
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ... import _C
from ..._generator import Generator, default_generator
from ._utils.collate import default_collate, default_convert
from ._utils.worker import (
    ExceptionWrapper,
    ResumeIteration,
    _IterableExhausted,
    get_worker_info,
    worker_loop,
)
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

if TYPE_CHECKING:
    from .dataset import _MapDataset

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

# How often a waiting main process checks that its workers are alive.
_POLL_SECONDS = 1.0


class _InfiniteConstantSampler(Sampler[None]):
    """The sampler of an iterable dataset: every request is "the next one"."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader:
    """Iterates over a dataset in batches.

    Each pass (``for batch in loader``) takes the dataset's indices in the
    order of ``sampler`` (sequential, or a new random order with
    ``shuffle=True``), cuts them into batches of ``batch_size`` (or takes
    the index lists of a ``batch_sampler``), and turns each batch's samples
    into one value with ``collate_fn``. An ``IterableDataset`` is read in
    its own order instead. For the same ``generator`` seed the orders are
    PyTorch's.

    With ``num_workers > 0`` the batches are made in that many worker
    processes (started with the platform's default method, fork on Linux),
    each seeded with the loader's base seed plus its id, as in PyTorch, and
    returned in order. ``get_worker_info()`` tells a dataset, inside a
    worker, which worker it runs in (an ``IterableDataset`` uses it to split
    its stream).

    Args:
        dataset: anything with ``__getitem__(index)`` and ``__len__()`` (a
            ``TensorDataset``, a ``Dataset`` subclass, a list), or an
            ``IterableDataset``.
        batch_size: samples per batch; ``None`` yields the samples one by
            one, converted by ``default_convert`` rather than collated.
        shuffle: draw a new random order for every pass.
        sampler: the indices of one pass, as an iterable (such as
            ``RandomSampler`` or ``DistributedSampler``); excludes ``shuffle``.
        batch_sampler: yields the index list of each batch; excludes
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers: worker processes making batches; 0 makes them in the
            calling process.
        collate_fn: makes a batch from the list of its samples. The default
            stacks tensors and numpy arrays along a new first dimension,
            gathers numbers into a tensor, and combines tuples, lists and
            dicts field by field.
        pin_memory: page-locked memory needs an accelerator; accepted and
            ignored with PyTorch's warning.
        drop_last: drop the last batch when it is smaller than
            ``batch_size``.
        timeout: seconds to wait for a batch from the workers before raising
            (0: no limit).
        worker_init_fn: called with the worker id in each worker, after
            seeding and before loading.
        multiprocessing_context: the start method (``"fork"``, ``"spawn"``,
            ...) or context for the workers.
        generator: the ``Generator`` that draws the base seed and the
            shuffled orders (the global one, seeded by ``manual_seed``, when
            ``None``).
        prefetch_factor: batches each worker loads ahead (2 when workers are
            used).
        persistent_workers: keep the workers between passes.
        pin_memory_device: accepted for compatibility; unused.
        in_order: return batches in sampler order (``False``: as they come).

    Examples:
        >>> import autograd_cpp as torch
        >>> from autograd_cpp.utils.data import DataLoader, TensorDataset
        >>> dataset = TensorDataset(torch.arange(10.0).reshape(5, 2), torch.arange(5))
        >>> loader = DataLoader(dataset, batch_size=2)
        >>> len(loader)
        3
        >>> for xb, yb in loader:
        ...     print(xb.shape, yb)
        torch.Size([2, 2]) tensor([0, 1])
        torch.Size([2, 2]) tensor([2, 3])
        torch.Size([1, 2]) tensor([4])
        >>> shuffled = DataLoader(dataset, batch_size=5, shuffle=True,
        ...                       generator=torch.Generator().manual_seed(0))
        >>> next(iter(shuffled))[1].tolist()  # PyTorch's order for seed 0
        [3, 1, 0, 4, 2]
        >>> in_workers = DataLoader(dataset, batch_size=2, num_workers=2)
        >>> [yb.tolist() for _, yb in in_workers]
        [[0, 1], [2, 3], [4]]
    """

    _initialized = False
    _FIXED = (
        "batch_size",
        "batch_sampler",
        "sampler",
        "drop_last",
        "dataset",
        "persistent_workers",
    )

    def __init__(
        self,
        dataset: _MapDataset | Iterable[Any],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if batch_size is not None and (
            not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0
        ):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = "iterable"
            if shuffle not in (None, False):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, but "
                    f"got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, but "
                    f"got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        else:
            self._dataset_kind = "map"
        shuffle = bool(shuffle)

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )

        if sampler is None:
            if self._dataset_kind == "iterable":
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator: _MultiProcessIter | None = None
        self._initialized = True

        self._warn_if_too_many_workers()
        if pin_memory:
            warnings.warn(
                "'pin_memory' argument is set as true but no accelerator is found, then device "
                "pinned memory won't be used.",
                UserWarning,
                stacklevel=2,
            )

    def _warn_if_too_many_workers(self) -> None:
        """PyTorch's warning when there are more workers than usable CPUs."""
        if self.num_workers == 0:
            return
        usable = (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        )
        if usable is None or self.num_workers > usable:
            suggestion = (
                "DataLoader is not able to compute a suggested max number of worker in current "
                "system."
                if usable is None
                else f"Our suggested max number of worker in current system is {usable}"
                f"{'' if hasattr(os, 'sched_getaffinity') else ' (`cpuset` is not taken into account)'}"
                ", which is smaller than what this DataLoader is going to create."
            )
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. "
                f"{suggestion} Please be aware that excessive worker creation might get "
                "DataLoader running slow or even freeze, lower the worker number to avoid "
                "potential slowness/freeze if necessary.",
                UserWarning,
                stacklevel=3,
            )

    def __setattr__(self, name: str, value: Any) -> None:
        if self._initialized and name in self._FIXED:
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable[Any]:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def _draw_base_seed(self) -> int:
        # Drawn before the sampler's first draw, as in PyTorch, so a shared
        # generator gives PyTorch's index order.
        return (self.generator if self.generator is not None else default_generator)._random_seed()

    def __iter__(self) -> Iterator[Any]:
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self._iterator is None or not self.persistent_workers:
            self._warn_if_too_many_workers()
        if self.persistent_workers:
            if self._iterator is None:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        return _MultiProcessIter(self)

    def __len__(self) -> int:
        if self._dataset_kind == "iterable":
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)  # type: ignore[arg-type]


class _SingleProcessIter:
    """Batches made in the main process as they are asked for."""

    def __init__(self, loader: DataLoader) -> None:
        self._base_seed = loader._draw_base_seed()
        self._loader = loader
        self._indices = iter(loader._index_sampler)
        dataset: Any = loader.dataset
        self._stream = iter(dataset) if loader._dataset_kind == "iterable" else None
        # A TensorDataset batch is one gather per tensor.
        tensors = getattr(loader.dataset, "tensors", None)
        self._gather = (
            tensors
            if loader._auto_collation
            and loader.collate_fn is default_collate
            and type(loader.dataset) is TensorDataset
            else None
        )

    def __iter__(self) -> _SingleProcessIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self) -> Any:
        loader = self._loader
        if self._stream is not None:
            return self._next_from_stream()
        indices = next(self._indices)
        if not loader._auto_collation:
            return loader.collate_fn(loader.dataset[indices])  # type: ignore[index]
        if self._gather is not None:
            index = _C.tensor(list(indices), dtype=_C.int64)
            return [t[index] for t in self._gather]
        dataset: Any = loader.dataset
        getitems = getattr(dataset, "__getitems__", None)
        samples = getitems(indices) if callable(getitems) else [dataset[i] for i in indices]
        return loader.collate_fn(samples)

    def _next_from_stream(self) -> Any:
        loader = self._loader
        assert self._stream is not None
        if not loader._auto_collation:
            return loader.collate_fn(next(self._stream))
        assert loader.batch_size is not None
        batch = list(itertools.islice(self._stream, loader.batch_size))
        if not batch or (loader.drop_last and len(batch) < loader.batch_size):
            raise StopIteration
        return loader.collate_fn(batch)


def _fork_context(loader: DataLoader) -> Any:
    import multiprocessing

    context = loader.multiprocessing_context
    if context is None:
        # The platform's default start method, as PyTorch uses (fork on Linux).
        return multiprocessing.get_context()
    if isinstance(context, str):
        return multiprocessing.get_context(context)
    return context


class _MultiProcessIter:
    """Batches made by worker processes. Index lists go round-robin to the
    workers, up to prefetch_factor per worker ahead; results come back on
    one queue and are returned in sampler order (or as they arrive with
    in_order=False)."""

    def __init__(self, loader: DataLoader) -> None:
        self._loader = loader
        self._num_workers = loader.num_workers
        self._prefetch = loader.num_workers * (loader.prefetch_factor or 2)
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._persistent = loader.persistent_workers
        self._base_seed = loader._draw_base_seed()
        context = _fork_context(loader)
        self._done = context.Event()
        self._data_queue = context.Queue()
        self._index_queues: list[Any] = []
        self._workers: list[Any] = []
        threads = _C.get_num_threads()
        # The thread pool's threads do not survive a fork: shrink it to the
        # calling thread while the workers are forked, then grow it back.
        _C.set_num_threads(1)
        try:
            for i in range(self._num_workers):
                index_queue = context.Queue()
                index_queue.cancel_join_thread()
                worker = context.Process(
                    target=worker_loop,
                    args=(
                        loader._dataset_kind,
                        loader.dataset,
                        index_queue,
                        self._data_queue,
                        self._done,
                        loader._auto_collation,
                        loader.collate_fn,
                        loader.drop_last,
                        self._base_seed,
                        loader.worker_init_fn,
                        i,
                        self._num_workers,
                    ),  # fmt: skip
                    daemon=True,
                )
                worker.start()
                self._index_queues.append(index_queue)
                self._workers.append(worker)
        finally:
            _C.set_num_threads(threads)
        self._shut = False
        self._reset(loader, first=True)

    def _reset(self, loader: DataLoader, first: bool = False) -> None:
        self._indices = iter(loader._index_sampler)
        self._send_idx = 0
        self._rcvd_idx = 0
        # task index -> (worker id,) while pending, (worker id, result) once back
        self._tasks: dict[int, tuple[Any, ...]] = {}
        self._outstanding = 0
        self._active = [True] * self._num_workers
        self._next_worker = itertools.cycle(range(self._num_workers))
        if not first:
            # Persistent workers restart their iterable datasets and confirm.
            for q in self._index_queues:
                q.put(ResumeIteration())
            pending = self._num_workers
            while pending:
                task, _ = self._get()
                if isinstance(task, ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch):
            self._dispatch()

    def __iter__(self) -> _MultiProcessIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def _dispatch(self) -> None:
        """Sends the next index list to the next live worker."""
        if not any(self._active):
            return
        try:
            indices = next(self._indices)
        except StopIteration:
            return
        if self._loader._dataset_kind == "iterable":
            indices = self._loader.batch_size if self._loader._auto_collation else None
        worker = next(self._next_worker)
        while not self._active[worker]:
            worker = next(self._next_worker)
        self._index_queues[worker].put((self._send_idx, indices))
        self._tasks[self._send_idx] = (worker,)
        self._send_idx += 1
        self._outstanding += 1

    def _get(self) -> tuple[Any, Any]:
        """The next (task index, result) from the workers, watching for a
        timeout and for workers that died."""
        waited = 0.0
        while True:
            step = _POLL_SECONDS if self._timeout <= 0 else min(_POLL_SECONDS, self._timeout)
            try:
                return self._data_queue.get(timeout=step)  # type: ignore[no-any-return]
            except queue.Empty:
                waited += step
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown()
                    pids = ", ".join(str(p) for p in dead)
                    raise RuntimeError(
                        f"DataLoader worker (pid(s) {pids}) exited unexpectedly"
                    ) from None
                if self._timeout > 0 and waited >= self._timeout:
                    self._shutdown()
                    raise RuntimeError(
                        f"DataLoader timed out after {self._timeout} seconds"
                    ) from None

    def __next__(self) -> Any:
        while True:
            if self._in_order:
                # Skip tasks that will not come back: their worker's stream ended.
                while self._rcvd_idx < self._send_idx:
                    info = self._tasks.get(self._rcvd_idx)
                    if info is not None:
                        if len(info) == 2 or self._active[info[0]]:
                            break
                        del self._tasks[self._rcvd_idx]
                    self._rcvd_idx += 1
                else:
                    return self._end()
                ready = self._tasks[self._rcvd_idx]
                if len(ready) == 2:
                    del self._tasks[self._rcvd_idx]
                    self._rcvd_idx += 1
                    return self._deliver(ready[1])
            elif self._outstanding == 0:
                return self._end()
            idx, result = self._get()
            self._outstanding -= 1
            if isinstance(result, _IterableExhausted):
                # That worker gets no more tasks; another one gets this slot.
                self._active[result.worker_id] = False
                if not self._in_order:
                    for i in [i for i, t in self._tasks.items() if t[0] == result.worker_id]:
                        del self._tasks[i]
                        self._outstanding -= i != idx
                self._dispatch()
                continue
            if self._in_order:
                if idx in self._tasks:
                    self._tasks[idx] = (self._tasks[idx][0], result)
                continue
            self._tasks.pop(idx, None)
            return self._deliver(result)

    def _end(self) -> Any:
        if not self._persistent:
            self._shutdown()
        raise StopIteration

    def _deliver(self, result: Any) -> Any:
        self._dispatch()
        if isinstance(result, ExceptionWrapper):
            self._shutdown()
            result.reraise()
        return result

    def _shutdown(self) -> None:
        if self._shut:
            return
        self._shut = True
        self._done.set()
        for q in self._index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        for w in self._workers:
            w.join(timeout=5.0)
            if w.is_alive():
                w.terminate()
        for q in [*self._index_queues, self._data_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self) -> None:
        if threading is not None and not getattr(self, "_shut", True):
            self._shutdown()
