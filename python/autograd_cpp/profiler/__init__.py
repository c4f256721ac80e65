"""torch.profiler: profile a region or a training loop.

    with autograd_cpp.profiler.profile(record_shapes=True) as prof:
        step()
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
    prof.export_chrome_trace("trace.json")  # chrome://tracing or Perfetto

With a ``schedule``, ``prof.step()`` at the end of each iteration decides
which iterations are recorded; ``on_trace_ready`` runs after each recorded
cycle. Only CPU activity exists here, as in a CPU-only PyTorch build.
"""

from __future__ import annotations

import enum
import gzip
import os
import socket
import time
import warnings
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from ..autograd import profiler as _autograd_profiler
from ..autograd.profiler import record_function
from ..autograd.profiler_util import EventList, _trace_events

__all__ = [
    "ProfilerAction",
    "ProfilerActivity",
    "profile",
    "record_function",
    "schedule",
    "supported_activities",
    "tensorboard_trace_handler",
]


class ProfilerActivity(enum.Enum):
    """What a profile records: CPU ops (the only activity here) or a device."""

    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


def supported_activities() -> set[ProfilerActivity]:
    return {ProfilerActivity.CPU}


class ProfilerAction(enum.Enum):
    """What the profiler does during one step of a schedule."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(
    *,
    wait: int,
    warmup: int,
    active: int,
    repeat: int = 0,
    skip_first: int = 0,
    skip_first_wait: int = 0,
) -> Callable[[int], ProfilerAction]:
    """Steps to skip, then cycles of ``wait`` idle, ``warmup`` and ``active``
    recorded steps, ``repeat`` times (0: for as long as the loop runs)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise ValueError("Invalid profiler schedule arguments")
    if warmup == 0:
        warnings.warn(
            "Profiler won't be using warmup, this can skew profiler results",
            UserWarning,
            stacklevel=2,
        )

    def action(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        # skip_first_wait drops the wait of the first cycle only.
        if skip_first_wait:
            step += wait
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        pos = step % cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if pos < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


def _record_always(step: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(
    dir_name: str, worker_name: str | None = None, use_gzip: bool = False
) -> Callable[[profile], None]:
    """An on_trace_ready callback writing each cycle's Chrome trace into
    ``dir_name`` as ``<worker>.<time in ms>.pt.trace.json[.gz]``."""

    def handler(prof: profile) -> None:
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json"
        path = os.path.join(dir_name, name)
        if not use_gzip:
            prof.export_chrome_trace(path)
            return
        import json

        trace = {"schemaVersion": 1, "traceEvents": _trace_events(prof.events())}
        with gzip.open(path + ".gz", "wt", encoding="utf-8") as f:
            json.dump(trace, f)

    return handler


class profile:
    """The profiler as a context manager, or with start()/step()/stop()."""

    def __init__(
        self,
        *,
        activities: Iterable[ProfilerActivity] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[[profile], Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_flops: bool = False,
        with_modules: bool = False,
        experimental_config: object = None,
        execution_trace_observer: object = None,
        acc_events: bool = False,
        use_cuda: bool | None = None,
        custom_trace_id_callback: Callable[[], str] | None = None,
    ) -> None:
        self.activities = set(activities) if activities is not None else supported_activities()
        if use_cuda:
            self.activities.add(ProfilerActivity.CUDA)
        unavailable = self.activities - supported_activities()
        if unavailable:
            names = ", ".join(sorted(a.name for a in unavailable))
            warnings.warn(
                f"Profiler activities not available in this build ({names}): "
                "only CPU activity is recorded",
                UserWarning,
                stacklevel=2,
            )
        self.schedule = schedule if schedule is not None else _record_always
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.acc_events = acc_events
        self.step_num = 0
        self.current_action = self.schedule(0)
        self.profiler: _autograd_profiler.profile | None = None
        self._recording: _autograd_profiler.profile | None = None
        self._step_range: record_function | None = None

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self._transit(ProfilerAction.NONE, self.current_action)
        self._open_step()

    def stop(self) -> None:
        self._close_step()
        self._transit(self.current_action, None)

    def step(self) -> None:
        """Marks the end of one iteration of the profiled loop."""
        self._close_step()
        previous = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit(previous, self.current_action)
        self._open_step()

    def _open_step(self) -> None:
        if self.record_steps and self._recording is not None:
            self._step_range = record_function(f"ProfilerStep#{self.step_num}")
            self._step_range.__enter__()

    def _close_step(self) -> None:
        if self._step_range is not None:
            self._step_range.__exit__(None, None, None)
            self._step_range = None

    def _transit(self, previous: ProfilerAction, current: ProfilerAction | None) -> None:
        recording = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
        # A finished cycle (or the end) stops recording and hands the trace on.
        if self._recording is not None and (
            previous == ProfilerAction.RECORD_AND_SAVE
            or current is None
            or current not in recording
        ):
            self._stop_recording()
            if previous == ProfilerAction.RECORD_AND_SAVE or current is None:
                if self.on_trace_ready is not None:
                    self.on_trace_ready(self)
        if current in recording and self._recording is None:
            self._start_recording()

    def _start_recording(self) -> None:
        prof = _autograd_profiler.profile(
            record_shapes=self.record_shapes,
            profile_memory=self.profile_memory,
            with_stack=self.with_stack,
            with_flops=self.with_flops,
            with_modules=self.with_modules,
        )
        if self.acc_events and self.profiler is not None:
            prof.function_events = self.profiler.function_events
            prof.acc_events = True
        prof.__enter__()
        self._recording = prof

    def _stop_recording(self) -> None:
        if self._recording is None:
            return
        self._recording.__exit__(None, None, None)
        self.profiler = self._recording
        self._recording = None

    def _finished(self) -> _autograd_profiler.profile:
        if self.profiler is None or self.profiler.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.profiler

    def events(self) -> EventList:
        """Every event of the last recorded cycle."""
        events = self._finished().function_events
        assert events is not None
        return events

    def key_averages(
        self,
        group_by_input_shape: bool = False,
        group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
    ) -> EventList:
        return self._finished().key_averages(
            group_by_input_shape, group_by_stack_n, group_by_overload_name
        )

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        self._finished().export_chrome_trace(path)


__all__ += ["EventList"]
