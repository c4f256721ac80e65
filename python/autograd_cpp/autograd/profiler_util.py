"""Profiler results: events, their averages by key, the summary table and
the Chrome trace (PyTorch's torch.autograd.profiler_util)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "Interval"]

# How the C++ recorder tags a range (core/profiler.h EventKind).
KIND_OP = 0
KIND_BACKWARD = 1
KIND_USER = 2


def _format_time(time_us: float) -> str:
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _format_time_share(time_us: float, total_us: float) -> str:
    if total_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_us:.2f}%"


def _format_memory(nbytes: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


class Interval:
    """A time range in microseconds."""

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def elapsed_us(self) -> float:
        return self.end - self.start


class _TimeStrings:
    """The formatted-time properties shared by events and their averages."""

    count: int
    cpu_time_total: float
    self_cpu_time_total: float

    @property
    def cpu_time(self) -> float:
        """Average CPU time per call (us)."""
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    @property
    def cpu_time_str(self) -> str:
        return _format_time(self.cpu_time)

    @property
    def cpu_time_total_str(self) -> str:
        return _format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self) -> str:
        return _format_time(self.self_cpu_time_total)

    # CPU-only: every device figure is zero, as in a CPU-only PyTorch build.
    device_time_total: float = 0.0
    self_device_time_total: float = 0.0
    device_memory_usage: int = 0
    self_device_memory_usage: int = 0

    @property
    def device_time(self) -> float:
        return 0.0

    @property
    def cuda_time_total(self) -> float:
        return 0.0

    @property
    def self_cuda_time_total(self) -> float:
        return 0.0

    @property
    def cuda_time(self) -> float:
        return 0.0


class FunctionEvent(_TimeStrings):
    """One recorded range: an op, a backward node or a record_function."""

    def __init__(
        self,
        id: int,
        name: str,
        thread: int,
        start_us: float,
        end_us: float,
        input_shapes: list[list[int]] | None = None,
        sequence_nr: int = -1,
        is_user_annotation: bool = False,
        self_memory: int = 0,
    ) -> None:
        self.id = id
        self.name = name
        self.thread = thread
        self.time_range = Interval(start_us, end_us)
        self.input_shapes: list[list[int]] = input_shapes if input_shapes is not None else []
        self.sequence_nr = sequence_nr
        self.is_user_annotation = is_user_annotation
        self.count = 1
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.node_id = -1
        self.is_async = False
        self.is_remote = False
        self.is_legacy = False
        self.use_device: str | None = None
        self.overload_name = ""
        self.stack: list[str] = []
        self.scope = 1 if sequence_nr >= 0 and not is_user_annotation else 0
        self.flops = 0
        self._self_memory = self_memory
        self._memory_total: int | None = None

    @property
    def key(self) -> str:
        return self.name

    @property
    def cpu_time_total(self) -> float:  # type: ignore[override]
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self) -> float:  # type: ignore[override]
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_memory_usage(self) -> int:
        """Bytes allocated minus freed inside this range, children included."""
        if self._memory_total is None:
            self._memory_total = self._self_memory + sum(
                c.cpu_memory_usage for c in self.cpu_children
            )
        return self._memory_total

    @property
    def self_cpu_memory_usage(self) -> int:
        return self._self_memory

    def __repr__(self) -> str:
        return (
            f"<FunctionEvent id={self.id} name={self.name} "
            f"cpu_time={self.cpu_time_str} start_us={self.time_range.start:.3f} "
            f"end_us={self.time_range.end:.3f} thread={self.thread} "
            f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage} "
            f"sequence_nr={self.sequence_nr} cpu_children={[c.id for c in self.cpu_children]}>"
        )


class FunctionEventAvg(_TimeStrings):
    """The events of one key (name, and input shapes when grouped by them)
    added up."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.input_shapes: list[list[int]] | str | None = None
        self.node_id = -1
        self.is_async = False
        self.is_remote = False
        self.is_legacy = False
        self.is_user_annotation = False
        self.use_device: str | None = None
        self.overload_name = ""
        self.stack: list[str] = []
        self.scope: int | None = None
        self.flops = 0
        self.cpu_children: list[FunctionEvent] | None = None
        self.cpu_parent: FunctionEvent | None = None

    def add(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        if self.key is None:
            self.key = other.key
            self.input_shapes = other.input_shapes
            self.is_user_annotation = other.is_user_annotation
            self.scope = other.scope
            self.cpu_parent = other.cpu_parent
            self.cpu_children = other.cpu_children
        if other.key != self.key:
            raise ValueError(f"cannot add an event of key {other.key!r} to {self.key!r}")
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        return self

    def __iadd__(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        return self.add(other)

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
            f"cpu_time={self.cpu_time_str} input_shapes={self.input_shapes} "
            f"cpu_memory_usage={self.cpu_memory_usage}>"
        )


_Event = FunctionEvent | FunctionEventAvg


class EventList(list[Any]):
    """A list of FunctionEvent (or, from key_averages, FunctionEventAvg)."""

    def __init__(
        self,
        events: Iterable[_Event] = (),
        profile_memory: bool = False,
        use_device: str | None = None,
        with_flops: bool = False,
    ) -> None:
        super().__init__(events)
        self._profile_memory = profile_memory
        self._use_device = use_device
        self._with_flops = with_flops

    @property
    def self_cpu_time_total(self) -> float:
        return float(sum(e.self_cpu_time_total for e in self))

    def key_averages(
        self,
        group_by_input_shapes: bool = False,
        group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
    ) -> EventList:
        """One FunctionEventAvg per name (and per input shapes when asked),
        in order of first appearance."""
        groups: dict[tuple[str, str], FunctionEventAvg] = {}
        for event in self:
            key = (event.key, str(event.input_shapes) if group_by_input_shapes else "")
            avg = groups.get(key)
            if avg is None:
                avg = groups[key] = FunctionEventAvg()
            avg.add(event)
        averages = EventList(groups.values(), profile_memory=self._profile_memory)
        for avg in averages:
            if not group_by_input_shapes:
                avg.input_shapes = ""
        return averages

    def total_average(self) -> FunctionEventAvg:
        total = FunctionEventAvg()
        total.key = "Total"
        for event in self:
            total.count += event.count
            total.cpu_time_total += event.cpu_time_total
            total.self_cpu_time_total += event.self_cpu_time_total
            total.cpu_memory_usage += event.cpu_memory_usage
            total.self_cpu_memory_usage += event.self_cpu_memory_usage
        return total

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
        """The summary table, laid out as PyTorch prints it."""
        return _build_table(
            self,
            sort_by=sort_by,
            row_limit=row_limit,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width,
            header=header,
            profile_memory=self._profile_memory,
            top_level_events_only=top_level_events_only,
            time_unit=time_unit,
        )

    def __str__(self) -> str:
        return self.table()

    def export_chrome_trace(self, path: str | os.PathLike[str]) -> None:
        """Writes the events as Chrome trace JSON (chrome://tracing, Perfetto)."""
        trace = {
            "schemaVersion": 1,
            "displayTimeUnit": "ms",
            "traceEvents": _trace_events(self),
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump(trace, f)


def _trace_events(events: Iterable[FunctionEvent]) -> list[dict[str, Any]]:
    pid = os.getpid()
    out: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": "python"}}
    ]
    threads: set[int] = set()
    for e in events:
        threads.add(e.thread)
        args: dict[str, Any] = {"External id": e.id}
        if e.sequence_nr >= 0:
            args["Sequence number"] = e.sequence_nr
        if e.input_shapes:
            args["Input Dims"] = e.input_shapes
        out.append(
            {
                "ph": "X",
                "cat": "user_annotation" if e.is_user_annotation else "cpu_op",
                "name": e.name,
                "pid": pid,
                "tid": e.thread,
                "ts": round(e.time_range.start, 3),
                "dur": round(e.time_range.elapsed_us(), 3),
                "args": args,
            }
        )
    for tid in sorted(threads):
        out.append(
            {
                "ph": "M",
                "name": "thread_name",
                "pid": pid,
                "tid": tid,
                "args": {"name": f"thread {tid}"},
            }
        )
    return out


def _scaled_time(time_us: float, unit: str | None) -> str:
    if unit == "s":
        return f"{time_us / 1e6:.3f}s"
    if unit == "ms":
        return f"{time_us / 1e3:.3f}ms"
    if unit == "us":
        return f"{time_us:.3f}us"
    return _format_time(time_us)


def _build_table(
    events: EventList,
    sort_by: str | None,
    row_limit: int,
    max_name_column_width: int,
    max_shapes_column_width: int,
    header: str | None,
    profile_memory: bool,
    top_level_events_only: bool,
    time_unit: str | None,
) -> str:
    if len(events) == 0:
        return ""
    rows: list[_Event] = list(events)
    if sort_by is not None:
        attr = sort_by.replace("cuda", "device").replace("xpu", "device")
        rows.sort(key=lambda e: getattr(e, attr), reverse=True)

    has_shapes = any(e.input_shapes is not None and len(e.input_shapes) > 0 for e in rows)
    name_width = min(max(len(str(e.key)) for e in rows) + 4, max_name_column_width)
    shapes_width = min(max(len(str(e.input_shapes)) for e in rows) + 4, max_shapes_column_width)

    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
    headers.append("# of Calls")
    widths = [name_width] + [12] * (len(headers) - 1)
    if has_shapes:
        headers.append("Input Shapes")
        widths.append(shapes_width)

    def line(values: list[str]) -> str:
        return "".join(f"{v:>{w}}  " for v, w in zip(values, widths, strict=True))

    separator = "".join("-" * w + "  " for w in widths)
    line_length = sum(w + 2 for w in widths) - 2
    self_total = sum(e.self_cpu_time_total for e in rows)

    out: list[str] = []
    if header is not None:
        out += ["=" * line_length, header]
    if top_level_events_only:
        out += ["=" * line_length, "This report only display top-level ops statistics"]
    out += [separator, line(headers), separator]
    shown = 0
    for e in rows:
        if shown == row_limit:
            break
        if top_level_events_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = str(e.key)
        if len(name) >= max_name_column_width - 3:
            name = name[: max_name_column_width - 3] + "..."
        values = [
            name,
            _format_time_share(e.self_cpu_time_total, self_total),
            _scaled_time(e.self_cpu_time_total, time_unit),
            _format_time_share(e.cpu_time_total, self_total),
            _scaled_time(e.cpu_time_total, time_unit),
            _scaled_time(e.cpu_time, time_unit),
        ]
        if profile_memory:
            values += [_format_memory(e.cpu_memory_usage), _format_memory(e.self_cpu_memory_usage)]
        values.append(str(e.count))
        if has_shapes:
            values.append(str(e.input_shapes)[:shapes_width])
        out.append(line(values))
    out.append(separator)
    out.append(f"Self CPU time total: {_scaled_time(self_total, time_unit)}")
    return "".join(s + "\n" for s in out)


def build_events(raw: list[tuple[Any, ...]], origin_ns: int) -> EventList:
    """FunctionEvents from the recorder's tuples, linked to their parents,
    with times in microseconds from `origin_ns`."""
    events: list[FunctionEvent] = []
    by_id: dict[int, FunctionEvent] = {}
    for name, kind, eid, parent, start, end, thread, seq, memory, shapes in raw:
        event = FunctionEvent(
            id=eid,
            name=name,
            thread=thread,
            start_us=(start - origin_ns) / 1e3,
            end_us=(end - origin_ns) / 1e3,
            input_shapes=[list(s) for s in shapes],
            sequence_nr=seq,
            is_user_annotation=kind == KIND_USER,
            self_memory=memory,
        )
        by_id[eid] = event
        events.append(event)
        if parent >= 0 and parent in by_id:
            event.cpu_parent = by_id[parent]
            by_id[parent].cpu_children.append(event)
    events.sort(key=lambda e: (e.time_range.start, e.id))
    return EventList(events)
