"""DataLoader worker processes: what runs in each one, and get_worker_info."""

from __future__ import annotations

import queue
import random
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["WorkerInfo", "get_worker_info"]


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker process knows about itself: its id (0 to
    num_workers - 1), the worker count, its seed (the loader's base seed
    plus id) and its copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: Any

    def __repr__(self) -> str:
        return (
            f"WorkerInfo(id={self.id}, num_workers={self.num_workers}, seed={self.seed}, "
            f"dataset={self.dataset!r})"
        )


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process, that worker's WorkerInfo; None in
    the main process. IterableDatasets use it to split their stream."""
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process (as
    text: tracebacks do not pickle) and raised there with its type."""

    def __init__(self, exc_info: tuple[Any, ...], where: str) -> None:
        self.exc_type: type[BaseException] = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> None:
        message = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            # KeyError would quote the message; a plain text keeps it readable.
            raise KeyError(_KeyErrorMessage(message))
        try:
            error = self.exc_type(message)
        except Exception:
            raise RuntimeError(message) from None
        raise error


class _KeyErrorMessage(str):
    def __repr__(self) -> str:
        return str(self)


class _IterableExhausted:
    """Sent by a worker whose IterableDataset iterator ran out."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class ResumeIteration:
    """Sent to persistent workers at a new epoch: start the dataset's
    iterator again."""


def _numpy_seed(base_seed: int, worker_id: int) -> list[int]:
    """The numpy seed of a worker: four 32-bit words from base_seed and
    worker_id by numpy's SeedSequence hashing (as PyTorch's workers do)."""
    import numpy as np

    return [int(w) for w in np.random.SeedSequence([worker_id, base_seed]).generate_state(4)]


def worker_loop(
    dataset_kind: str,
    dataset: Any,
    index_queue: Any,
    data_queue: Any,
    done_event: Any,
    auto_collation: bool,
    collate_fn: Callable[[Any], Any],
    drop_last: bool,
    base_seed: int,
    init_fn: Callable[[int], None] | None,
    worker_id: int,
    num_workers: int,
) -> None:
    """The body of a worker process: seed, run worker_init_fn, then answer
    (task index, batch indices) requests from index_queue with (task index,
    batch) on data_queue until told to stop (None)."""
    global _worker_info
    from .... import _C
    from ...._generator import manual_seed

    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    if "numpy" in sys.modules:
        import numpy as np

        np.random.seed(_numpy_seed(base_seed, worker_id))
    # Workers share the machine with each other and the main process.
    _C.set_num_threads(1)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

    fetcher: _Fetcher | None = None
    failure: ExceptionWrapper | None = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = _Fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
    except Exception:
        failure = ExceptionWrapper(sys.exc_info(), f"in DataLoader worker process {worker_id}")

    exhausted = False
    while True:
        try:
            task = index_queue.get(timeout=5.0)
        except queue.Empty:
            if done_event.is_set():
                break
            continue
        if task is None:
            break
        if isinstance(task, ResumeIteration):
            data_queue.put((task, None))
            exhausted = False
            fetcher = _Fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
            continue
        if done_event.is_set() or exhausted:
            continue
        idx, indices = task
        result: Any
        if failure is not None:
            result, failure = failure, None
        else:
            try:
                assert fetcher is not None
                result = fetcher.fetch(indices)
            except StopIteration:
                # Only iterable datasets run out; say so once.
                result = _IterableExhausted(worker_id)
                exhausted = True
            except Exception:
                result = ExceptionWrapper(
                    sys.exc_info(), f"in DataLoader worker process {worker_id}"
                )
        data_queue.put((idx, result))
    data_queue.cancel_join_thread()


class _Fetcher:
    """Turns the indices of one batch (map-style) or the next batch_size
    items (iterable) into what the loader yields."""

    def __init__(
        self,
        dataset_kind: str,
        dataset: Any,
        auto_collation: bool,
        collate_fn: Callable[[Any], Any],
        drop_last: bool,
    ) -> None:
        self.kind = dataset_kind
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.iterator = iter(dataset) if dataset_kind == "iterable" else None
        self.ended = False

    def fetch(self, indices: Any) -> Any:
        if self.iterator is not None:
            return self._next_from_stream(indices)
        if not self.auto_collation:
            return self.collate_fn(self.dataset[indices])
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(indices) if callable(getitems) else [self.dataset[i] for i in indices]
        return self.collate_fn(samples)

    def _next_from_stream(self, batch_size: Any) -> Any:
        assert self.iterator is not None
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        batch = []
        for item in self.iterator:
            batch.append(item)
            if len(batch) == batch_size:
                break
        if len(batch) < batch_size:
            self.ended = True
        if not batch or (self.drop_last and len(batch) < batch_size):
            raise StopIteration
        return self.collate_fn(batch)
