"""Collective communication between processes over MPI (through mpi4py).

Start every process with ``mpirun -n N python script.py`` and call ``init()``
in each; ranks and the world size come from MPI. Collectives work on the
tensor's memory in place (a NumPy view of its storage, handed to MPI through
the buffer protocol). Like ``torch.distributed``, they are not recorded by
autograd: a tensor that requires grad is modified as under ``no_grad``.

Collectives run on one communication thread, and every wait for them has a
deadline (``init(timeout=...)`` or the ``AUTOGRAD_CPP_DIST_TIMEOUT``
environment variable, in seconds): when a peer has died or stalled, the rank prints which collective timed out and aborts the
whole MPI job instead of hanging.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .. import _C

if TYPE_CHECKING:
    from datetime import timedelta

    from mpi4py import MPI
    from numpy.typing import NDArray

__all__ = [
    "ReduceOp",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "get_rank",
    "get_world_size",
    "init",
    "init_process_group",
    "is_available",
    "is_initialized",
    "rank",
    "world_size",
]

DEFAULT_TIMEOUT = 600.0
_TIMEOUT_ENV = "AUTOGRAD_CPP_DIST_TIMEOUT"


class ReduceOp:
    """Reductions for ``all_reduce`` (the strings 'sum', 'mean', ... work too)."""

    SUM = "sum"
    AVG = "mean"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


_OP_NAMES = {
    "sum": "SUM",
    "mean": "SUM",
    "avg": "SUM",
    "product": "PROD",
    "min": "MIN",
    "max": "MAX",
}
_REDUCIBLE = (_C.float32, _C.float64, _C.int32, _C.int64)


class _State:
    mpi: Any = None  # the mpi4py.MPI module once init() has run
    comm: MPI.Intracomm | None = None
    jobs: queue.SimpleQueue[Work] | None = None  # the communication thread's, started on first use
    timeout = DEFAULT_TIMEOUT


_state = _State()


def is_available() -> bool:
    """True when mpi4py can be imported (an MPI library is then needed to init)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def init(timeout: float | None = None) -> None:
    """Joins the MPI job: rank and world size come from ``mpirun``; a plain
    ``python script.py`` is a world of one. Calling it again is a no-op
    (``timeout`` is then updated when given)."""
    if timeout is None and _TIMEOUT_ENV in os.environ:
        timeout = float(os.environ[_TIMEOUT_ENV])
    if timeout is not None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        _state.timeout = float(timeout)
    if _state.comm is not None:
        return
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(
            "autograd_cpp.distributed needs mpi4py and an MPI library: "
            "apt-get install openmpi-bin libopenmpi-dev && pip install 'autograd_cpp[mpi]'"
        ) from e
    if MPI.Query_thread() != MPI.THREAD_MULTIPLE:
        # The communication thread blocks in MPI while this one may abort.
        raise RuntimeError(
            "autograd_cpp.distributed needs MPI initialised with MPI_THREAD_MULTIPLE "
            "(mpi4py's default; check mpi4py.rc.thread_level)"
        )
    _state.mpi = MPI
    # A private communicator keeps our collectives apart from the user's own MPI traffic.
    _state.comm = MPI.COMM_WORLD.Dup()


def init_process_group(
    backend: str | None = "mpi", timeout: float | timedelta | None = None, **kwargs: Any
) -> None:
    """PyTorch's name for ``init``; only the 'mpi' backend exists. ``timeout``
    may be seconds or a ``datetime.timedelta``."""
    if backend not in (None, "mpi"):
        raise ValueError(f"Invalid backend: '{backend}'; only 'mpi' is available")
    if timeout is not None and hasattr(timeout, "total_seconds"):
        timeout = timeout.total_seconds()
    init(timeout)


def is_initialized() -> bool:
    return _state.comm is not None


def destroy_process_group() -> None:
    """Releases the communicator; ``init`` may be called again afterwards."""
    if _state.comm is not None:
        submit(_state.comm.Free, "destroy_process_group").wait()
        _state.comm = None


def _comm() -> MPI.Intracomm:
    if _state.comm is None:
        raise RuntimeError(
            "Default process group has not been initialized, please make sure to call "
            "autograd_cpp.distributed.init()"
        )
    return _state.comm


def rank() -> int:
    return int(_comm().Get_rank())


def world_size() -> int:
    return int(_comm().Get_size())


get_rank = rank
get_world_size = world_size


def _abort(what: str) -> None:
    timeout = _state.timeout
    sys.stderr.write(
        f"autograd_cpp.distributed: rank {rank()} timed out after {timeout:g} s waiting for "
        f"{what}; another rank has probably died or stalled. Aborting all ranks; restart the "
        f"job and resume from the last checkpoint (timeout: init(timeout=...) or "
        f"{_TIMEOUT_ENV}).\n"
    )
    sys.stderr.flush()
    _state.mpi.COMM_WORLD.Abort(1)


class Work:
    """A collective handed to the communication thread; ``wait()`` returns
    when it has completed on this rank."""

    def __init__(self, call: Callable[[], object], what: str) -> None:
        self.call = call
        self.what = what
        self.error: BaseException | None = None
        self.done = threading.Event()

    def wait(self) -> None:
        wait_all([self])


def _communicate(jobs: queue.SimpleQueue[Work]) -> None:
    while True:
        work = jobs.get()
        try:
            work.call()
        except BaseException as e:  # re-raised by the waiting thread
            work.error = e
        finally:
            work.done.set()


def submit(call: Callable[[], object], what: str) -> Work:
    """Runs ``call`` (blocking MPI calls) on the communication thread.

    One thread makes every collective call, in submission order, so all ranks
    issue the same sequence; blocking MPI collectives (faster than their
    non-blocking forms in Open MPI) release the GIL and progress while this
    thread computes, and the caller can wait with a deadline."""
    if _state.jobs is None:
        _state.jobs = queue.SimpleQueue()
        threading.Thread(
            target=_communicate, args=(_state.jobs,), name="autograd_cpp.distributed", daemon=True
        ).start()
    work = Work(call, what)
    _state.jobs.put(work)
    return work


def wait_all(works: Iterable[Work]) -> None:
    """Waits for submitted collectives, aborting the job past the deadline."""
    deadline = time.monotonic() + _state.timeout
    for work in works:
        if not work.done.wait(max(0.0, deadline - time.monotonic())):
            _abort(work.what)
        if work.error is not None:
            raise work.error


def _contiguous_buffer(tensor: _C.Tensor, name: str) -> tuple[NDArray[Any], Callable[[], None]]:
    """A C-contiguous NumPy array over the tensor's memory, and a function that
    writes it back (a no-op when the array is the tensor's own storage)."""
    if not isinstance(tensor, _C.Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(tensor).__name__}")
    view = tensor._numpy_view()
    if view.flags.c_contiguous:
        return view, lambda: None
    temp = view.copy(order="C")

    def write_back() -> None:
        view[...] = temp

    return temp, write_back


def all_reduce(tensor: _C.Tensor, op: str = "sum") -> _C.Tensor:
    """Reduces ``tensor`` across all ranks in place: every rank ends with the
    sum (or mean, product, min, max) of all ranks' values."""
    name = str(op).lower()
    if name not in _OP_NAMES:
        raise ValueError(f"all_reduce: unknown op {op!r}; expected one of {sorted(_OP_NAMES)}")
    comm = _comm()
    buf, write_back = _contiguous_buffer(tensor, "all_reduce")
    if tensor.dtype not in _REDUCIBLE:
        raise TypeError(f"all_reduce: unsupported dtype {tensor.dtype}")
    averaging = name in ("mean", "avg")
    if averaging and not tensor.is_floating_point():
        raise TypeError(f"all_reduce: op='mean' needs a floating-point tensor, got {tensor.dtype}")
    if buf.size:
        mpi = _state.mpi
        reduce_op = getattr(mpi, _OP_NAMES[name])
        submit(lambda: comm.Allreduce(mpi.IN_PLACE, buf, reduce_op), "all_reduce").wait()
        if averaging:
            buf /= comm.Get_size()
    write_back()
    return tensor


def broadcast(tensor: _C.Tensor, root: int = 0, *, src: int | None = None) -> _C.Tensor:
    """Copies ``tensor`` from rank ``root`` (PyTorch's ``src``) to every rank, in place."""
    root = root if src is None else src
    comm = _comm()
    if not 0 <= root < comm.Get_size():
        raise ValueError(f"broadcast: root {root} is not a rank of a world of {comm.Get_size()}")
    buf, write_back = _contiguous_buffer(tensor, "broadcast")
    if buf.size:
        submit(lambda: comm.Bcast(buf, root=root), "broadcast").wait()
    write_back()
    return tensor


def barrier() -> None:
    """Returns once every rank has reached it."""
    comm = _comm()
    submit(comm.Barrier, "barrier").wait()
