"""torch.autograd.profiler: the profile context manager and record_function.

Every op (named after PyTorch's aten ops), every backward node and every
record_function range run while a profile is active is timed on the CPU,
with its input shapes (record_shapes=True) and the memory it allocated
(profile_memory=True). When no profile is active the recording hooks cost
one branch.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable
from types import TracebackType

from .. import _C
from .profiler_util import EventList, FunctionEvent, FunctionEventAvg, build_events

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "profile", "record_function"]


class record_function(contextlib.ContextDecorator):
    """Labels a block (or a function, as a decorator) in the profile: it shows
    as one event whose children are the ops run inside it."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self._handles: list[int] = []

    def __enter__(self) -> record_function:
        self._handles.append(_C._profiler_range_enter(self.name))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _C._profiler_range_exit(self._handles.pop())


class profile:
    """Records ops and backward nodes while active (a context manager).

    After it exits, ``function_events`` holds every event, ``key_averages()``
    their sums per op name and ``table()`` the summary PyTorch prints.
    """

    def __init__(
        self,
        enabled: bool = True,
        *,
        use_cuda: bool = False,
        use_device: str | None = None,
        record_shapes: bool = False,
        with_flops: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_modules: bool = False,
        use_kineto: bool = False,
        use_cpu: bool = True,
        experimental_config: object = None,
        acc_events: bool = False,
        custom_trace_id_callback: Callable[[], str] | None = None,
    ) -> None:
        if use_cuda or (use_device is not None and use_device != "cpu"):
            warnings.warn(
                "CUDA is not available: only CPU activity is recorded",
                UserWarning,
                stacklevel=2,
            )
        self.enabled = enabled
        self.use_device: str | None = None
        self.record_shapes = record_shapes
        self.with_flops = with_flops
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_modules = with_modules
        self.use_cpu = use_cpu
        self.acc_events = acc_events
        self.function_events: EventList | None = None
        self.entered = False
        self._origin_ns = 0

    def __enter__(self) -> profile:
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self.enabled:
            return
        self._stop()

    def _start(self) -> None:
        self._origin_ns = _C._profiler_now_ns()
        _C._profiler_start(self.record_shapes, self.profile_memory)

    def _stop(self) -> None:
        raw = _C._profiler_stop()
        events = build_events(raw, self._origin_ns)
        if self.acc_events and self.function_events is not None:
            events = EventList(list(self.function_events) + list(events))
        events._profile_memory = self.profile_memory
        self.function_events = events
        self.entered = False

    def _check_finish(self) -> EventList:
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def __repr__(self) -> str:
        if self.function_events is None:
            return "<unfinished torch.autograd.profile>"
        return repr(self.function_events)

    def __str__(self) -> str:
        if self.function_events is None:
            return "<unfinished torch.autograd.profile>"
        return str(self.function_events)

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
        time_unit: str | None = None,
    ) -> str:
        return self._check_finish().table(
            sort_by=sort_by,
            row_limit=row_limit,
            max_src_column_width=max_src_column_width,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width,
            header=header,
            top_level_events_only=top_level_events_only,
            time_unit=time_unit,
        )

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        self._check_finish().export_chrome_trace(path)

    def key_averages(
        self,
        group_by_input_shape: bool = False,
        group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
    ) -> EventList:
        return self._check_finish().key_averages(
            group_by_input_shape, group_by_stack_n, group_by_overload_name
        )

    def total_average(self) -> FunctionEventAvg:
        return self._check_finish().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """Self CPU time of all events, in microseconds."""
        return self._check_finish().self_cpu_time_total
