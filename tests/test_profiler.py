"""The profiler: ops and backward nodes recorded with their shapes and call
counts, record_function ranges nesting, key_averages and PyTorch's table
layout, Chrome trace export, schedules, and nothing recorded when off."""

import json
import warnings

import pytest

import autograd_cpp as ag
from autograd_cpp import _C
from autograd_cpp.autograd.profiler_util import EventList, FunctionEvent
from autograd_cpp.profiler import (
    ProfilerAction,
    ProfilerActivity,
    profile,
    record_function,
    schedule,
)
from oracle import requires_torch, torch


def names(events):
    return [e.name for e in events]


def averages_by_key(prof):
    return {a.key: a for a in prof.key_averages()}


def test_ops_recorded_with_call_counts():
    a, b = ag.randn(4, 5), ag.randn(5, 3)
    with profile() as prof:
        for _ in range(3):
            (a @ b).exp()
    avg = averages_by_key(prof)
    assert avg["aten::mm"].count == 3
    assert avg["aten::exp"].count == 3
    for event in prof.events():
        assert event.cpu_time_total >= 0
        assert event.self_cpu_time_total <= event.cpu_time_total + 1e-9


def test_backward_nodes_recorded_and_nested():
    a = ag.randn(4, 5, requires_grad=True)
    b = ag.randn(5, 3, requires_grad=True)
    loss = (a @ b).sum()
    with profile() as prof:
        loss.backward()
    events = prof.events()
    evaluate = [e for e in events if e.name == "autograd::engine::evaluate_function: MmBackward0"]
    assert len(evaluate) == 1
    node = [e for e in events if e.name == "MmBackward0"]
    assert len(node) == 1
    # The node runs inside its evaluate_function range; its matrix products
    # (one per input gradient) inside the node.
    assert node[0].cpu_parent is evaluate[0]
    assert names(node[0].cpu_children).count("aten::mm") == 2
    assert node[0].sequence_nr == loss.grad_fn.next_functions[0][0]._sequence_nr
    assert "SumBackward0" in names(events)
    assert names(events).count("torch::autograd::AccumulateGrad") == 2
    assert "GraphRoot" not in names(events)
    assert evaluate[0].scope == 1


def test_record_function_nesting_and_decorator():
    x = ag.randn(10)

    @record_function("decorated")
    def work():
        return x.tanh()

    with profile() as prof:
        with record_function("outer"):
            with record_function("inner"):
                x.exp()
            work()
    by_name = {e.name: e for e in prof.events()}
    outer, inner, decorated = by_name["outer"], by_name["inner"], by_name["decorated"]
    assert outer.cpu_parent is None
    assert inner.cpu_parent is outer and decorated.cpu_parent is outer
    assert by_name["aten::exp"].cpu_parent is inner
    assert by_name["aten::tanh"].cpu_parent is decorated
    assert outer.is_user_annotation and not by_name["aten::exp"].is_user_annotation
    assert outer.time_range.start <= inner.time_range.start
    assert inner.time_range.end <= outer.time_range.end
    # Self time excludes the children.
    children = sum(c.cpu_time_total for c in outer.cpu_children)
    assert outer.self_cpu_time_total == pytest.approx(outer.cpu_time_total - children)


def test_record_function_outside_a_profile_is_a_no_op():
    with record_function("nothing"):
        y = ag.ones(3) * 2
    assert y.tolist() == [2.0, 2.0, 2.0]
    assert not _C._profiler_enabled()


def test_record_shapes_and_grouping_by_input_shape():
    with profile(record_shapes=True) as prof:
        ag.randn(2, 3) @ ag.randn(3, 4)
        ag.randn(5, 3) @ ag.randn(3, 4)
        ag.randn(5, 3) @ ag.randn(3, 4)
    grouped = [a for a in prof.key_averages(group_by_input_shape=True) if a.key == "aten::mm"]
    shapes = {str(a.input_shapes): a.count for a in grouped}
    assert shapes == {"[[2, 3], [3, 4]]": 1, "[[5, 3], [3, 4]]": 2}
    # Without grouping, one row per name and no shapes column.
    plain = [a for a in prof.key_averages() if a.key == "aten::mm"]
    assert len(plain) == 1 and plain[0].count == 3
    assert "Input Shapes" not in prof.key_averages().table()
    assert "Input Shapes" in prof.key_averages(group_by_input_shape=True).table()


def test_shapes_not_recorded_by_default():
    with profile() as prof:
        ag.randn(2, 3).exp()
    assert all(e.input_shapes == [] for e in prof.events())


def test_nothing_recorded_when_off():
    x = ag.randn(100, requires_grad=True)
    assert not _C._profiler_enabled()
    (x.exp() * 2).sum().backward()  # runs with the profiler off
    with profile() as prof:
        pass
    assert len(prof.events()) == 0
    assert prof.key_averages().table() == ""
    # Ops after the profile ends are not recorded either.
    with profile() as prof:
        x.exp()
    x.exp()
    x.exp()
    assert averages_by_key(prof)["aten::exp"].count == 1
    assert not _C._profiler_enabled()


def test_nested_profiles_are_rejected():
    with profile():
        with pytest.raises(RuntimeError, match="already enabled"):
            with profile():
                pass
    assert not _C._profiler_enabled()


def test_memory_is_attributed_to_the_enclosing_range():
    with profile(profile_memory=True) as prof:
        with record_function("alloc"):
            keep = ag.ones(1000)  # 4000 bytes of float32
        with record_function("alloc_and_free"):
            ag.ones(2000)  # freed at once
    by_name = {e.name: e for e in prof.events()}
    assert by_name["alloc"].cpu_memory_usage == 4000
    assert by_name["alloc_and_free"].cpu_memory_usage == 0
    assert keep.numel() == 1000
    table = prof.key_averages().table(sort_by="cpu_memory_usage")
    assert "CPU Mem" in table and "Self CPU Mem" in table
    assert "3.91 KB" in table  # 4000 bytes, as PyTorch prints them


def table_lines(table):
    lines = table.splitlines()
    assert lines[0].startswith("-") and lines[2].startswith("-")
    return lines


def test_table_layout_and_sorting():
    x = ag.randn(200, 200)
    with profile() as prof:
        for _ in range(4):
            x.exp()
        x @ x
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=2)
    lines = table_lines(table)
    header = lines[1]
    for column in (
        "Name",
        "Self CPU %",
        "Self CPU",
        "CPU total %",
        "CPU total",
        "CPU time avg",
        "# of Calls",
    ):
        assert column in header
    body = lines[3:-2]
    assert len(body) == 2  # row_limit
    assert lines[-2] == lines[0]
    assert lines[-1].startswith("Self CPU time total: ")
    # Rows are sorted by the chosen column, biggest first.
    selfs = sorted((a.self_cpu_time_total for a in prof.key_averages()), reverse=True)
    first = body[0].split()
    top = next(a for a in prof.key_averages() if a.key == first[0])
    assert top.self_cpu_time_total == selfs[0]
    # Every line of the table has the separator's width.
    assert all(len(line) == len(lines[0]) for line in lines[:-1])


@requires_torch
def test_table_matches_pytorch_layout():
    """The same events printed by PyTorch's table code and ours."""
    from torch.autograd import profiler_util as tpu

    spec = [
        # id, name, start, end, parent
        (1, "outer", 0.0, 1500.0, None),
        (2, "aten::mm", 10.0, 810.0, 1),
        (3, "aten::exp", 900.0, 1000.0, 1),
        (4, "aten::exp", 1100.0, 1350.5, 1),
        (5, "autograd::engine::evaluate_function: MmBackward0", 2000.0, 2100.25, None),
    ]

    def build(cls, event_list, **kw):
        events = {}
        for eid, name, start, end, parent in spec:
            e = cls(id=eid, name=name, thread=0, start_us=start, end_us=end, **kw)
            events[eid] = e
            if parent is not None and cls is FunctionEvent:
                e.cpu_parent = events[parent]
                events[parent].cpu_children.append(e)
        return event_list(list(events.values()))

    ours = build(FunctionEvent, EventList)
    theirs = build(tpu.FunctionEvent, tpu.EventList, input_shapes=[], stack=[])
    theirs._build_tree()  # links parents from the time ranges
    assert [e.cpu_parent.id if e.cpu_parent else None for e in theirs] == [s[4] for s in spec]
    for sort_by in (None, "cpu_time_total", "self_cpu_time_total", "count"):
        for row_limit in (100, 2):
            assert ours.key_averages().table(
                sort_by=sort_by, row_limit=row_limit
            ) == theirs.key_averages().table(sort_by=sort_by, row_limit=row_limit)
    assert ours.table(time_unit="ms") == theirs.table(time_unit="ms")
    # With memory columns: our events hold their own bytes, PyTorch's the
    # bytes including their children's.
    self_bytes = {1: -48, 2: 4096, 3: 2 << 20, 4: 0, 5: 100}
    ours_mem = EventList(
        [
            FunctionEvent(
                id=e.id,
                name=e.name,
                thread=0,
                start_us=e.time_range.start,
                end_us=e.time_range.end,
                self_memory=self_bytes[e.id],
            )
            for e in ours
        ],
        profile_memory=True,
    )
    by_id = {e.id: e for e in ours_mem}
    for eid, _, _, _, parent in spec:
        if parent is not None:
            by_id[eid].cpu_parent = by_id[parent]
            by_id[parent].cpu_children.append(by_id[eid])
    theirs_mem = tpu.EventList(
        [
            tpu.FunctionEvent(
                id=e.id,
                name=e.name,
                thread=0,
                start_us=e.time_range.start,
                end_us=e.time_range.end,
                input_shapes=[],
                stack=[],
                cpu_memory_usage=by_id[e.id].cpu_memory_usage,
            )
            for e in ours
        ],
        profile_memory=True,
    )
    theirs_mem._build_tree()
    for sort_by in (None, "cpu_memory_usage", "self_cpu_memory_usage"):
        assert ours_mem.key_averages().table(sort_by=sort_by) == theirs_mem.key_averages().table(
            sort_by=sort_by
        )
    assert ours.table(top_level_events_only=True) == theirs.table(top_level_events_only=True)
    assert ours.table(header="A title") == theirs.table(header="A title")
    for a, b in ((ours, theirs), (ours_mem, theirs_mem)):
        mine, torchs = a.total_average(), b.total_average()
        for attr in ("key", "count", "cpu_time_total", "self_cpu_time_total"):
            assert getattr(mine, attr) == getattr(torchs, attr), attr
    # Self memory adds up over events; PyTorch's cpu_memory_usage is
    # inclusive, so only the self sums compare.
    assert ours_mem.total_average().self_cpu_memory_usage == sum(self_bytes.values())
    assert ours_mem.total_average().self_cpu_memory_usage == (
        theirs_mem.total_average().self_cpu_memory_usage
    )
    # Events of zero duration: every time share prints as NaN.
    zero = [(1, "aten::add", 5.0, 5.0)]
    assert (
        EventList(
            [FunctionEvent(id=i, name=n, thread=0, start_us=a, end_us=b) for i, n, a, b in zero]
        ).table()
        == tpu.EventList(
            [
                tpu.FunctionEvent(
                    id=i, name=n, thread=0, start_us=a, end_us=b, input_shapes=[], stack=[]
                )
                for i, n, a, b in zero
            ]
        ).table()
    )


def test_profile_table_passes_its_options_on():
    x = ag.randn(50, 50)
    with profile() as prof:
        x.exp()
    autograd_prof = prof.profiler
    assert autograd_prof is not None
    ms = autograd_prof.table(time_unit="ms")
    assert ms == autograd_prof.function_events.table(time_unit="ms")
    assert "ms" in ms and ms != autograd_prof.table(time_unit="us")


def test_chrome_trace_is_valid_json(tmp_path):
    a = ag.randn(8, 8, requires_grad=True)
    with profile(record_shapes=True) as prof:
        with record_function("step"):
            (a @ a).relu().sum().backward()
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    complete = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert len(complete) == len(prof.events())
    for e in complete:
        assert {"name", "ts", "dur", "pid", "tid", "cat", "args"} <= set(e)
        assert e["dur"] >= 0
    by_name = {e["name"]: e for e in complete}
    step = by_name["step"]
    assert step["cat"] == "user_annotation"
    mm = [e for e in complete if e["name"] == "aten::mm"]
    assert mm[0]["args"]["Input Dims"] == [[8, 8], [8, 8]]
    # Every op of the forward pass lies inside the step range.
    for e in complete:
        assert step["ts"] <= e["ts"] and e["ts"] + e["dur"] <= step["ts"] + step["dur"] + 1e-3
    meta = [e for e in trace["traceEvents"] if e["ph"] == "M"]
    assert {"name": "process_name", "args": {"name": "python"}}.items() <= meta[0].items()
    # Each thread's track is named, so trace viewers label it.
    thread_names = {e["tid"]: e for e in meta if e["name"] == "thread_name"}
    assert set(thread_names) == {e["tid"] for e in complete}
    for tid, e in thread_names.items():
        assert e["args"] == {"name": f"thread {tid}"} and e["pid"] == complete[0]["pid"]


def test_schedule_records_the_active_steps():
    calls = []
    x = ag.randn(10)
    prof = profile(
        activities=[ProfilerActivity.CPU],
        schedule=schedule(wait=1, warmup=1, active=2, repeat=1),
        on_trace_ready=lambda p: calls.append(sorted({e.name for e in p.events()})),
    )
    with prof:
        for _ in range(6):
            x.exp()
            prof.step()
    assert len(calls) == 1
    assert "ProfilerStep#2" in calls[0] and "ProfilerStep#3" in calls[0]
    assert "ProfilerStep#1" not in calls[0] and "ProfilerStep#4" not in calls[0]
    assert averages_by_key(prof)["aten::exp"].count == 2


@requires_torch
@pytest.mark.parametrize("acc_events", [True, False])
def test_acc_events_keeps_every_cycle_as_pytorch(acc_events):
    def ops_recorded(lib):
        x = lib.randn(10)
        prof = lib.profiler.profile(
            activities=[lib.profiler.ProfilerActivity.CPU],
            schedule=lib.profiler.schedule(wait=0, warmup=0, active=1, repeat=3),
            acc_events=acc_events,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with prof:
                for i in range(3):
                    x.sin() if i == 1 else x.exp()
                    prof.step()
        return sorted(e.name for e in prof.events() if not e.name.startswith("ProfilerStep"))

    ours = ops_recorded(ag)
    assert ours == ops_recorded(torch)
    assert ours == (["aten::exp", "aten::exp", "aten::sin"] if acc_events else ["aten::exp"])


def test_schedule_actions():
    s = schedule(skip_first=1, wait=1, warmup=1, active=2, repeat=2)
    actions = [s(i) for i in range(10)]
    A = ProfilerAction
    assert actions == [
        A.NONE,
        A.NONE,
        A.WARMUP,
        A.RECORD,
        A.RECORD_AND_SAVE,
        A.NONE,
        A.WARMUP,
        A.RECORD,
        A.RECORD_AND_SAVE,
        A.NONE,
    ]


@requires_torch
def test_schedule_matches_pytorch():
    for kw in (
        dict(wait=1, warmup=1, active=2),
        dict(wait=0, warmup=2, active=3, repeat=2, skip_first=3),
        dict(wait=2, warmup=1, active=1, repeat=1, skip_first_wait=1),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours, theirs = schedule(**kw), torch.profiler.schedule(**kw)
        assert [ours(i).name for i in range(20)] == [theirs(i).name for i in range(20)]


def test_torch_spellings():
    x = ag.randn(3, 3, requires_grad=True)
    with ag.autograd.profiler.profile(record_shapes=True) as prof:
        with ag.autograd.profiler.record_function("region"):
            (x * x).sum().backward()
    assert "region" in names(prof.function_events)
    assert "MulBackward0" in names(prof.function_events)
    assert prof.self_cpu_time_total > 0
    assert "Self CPU time total" in prof.table()
    assert ag.profiler.record_function is ag.autograd.profiler.record_function
    with pytest.warns(UserWarning, match="CUDA"):
        ag.profiler.profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA])
    # start()/stop() instead of a with block.
    prof2 = ag.profiler.profile()
    prof2.start()
    x.exp()
    prof2.stop()
    assert "aten::exp" in names(prof2.events())


def test_events_from_worker_threads():
    import threading

    x = ag.randn(50)

    def work():
        with record_function("worker"):
            x.exp()

    with profile() as prof:
        t = threading.Thread(target=work)
        t.start()
        t.join()
        x.exp()
    events = prof.events()
    worker = next(e for e in events if e.name == "worker")
    exps = [e for e in events if e.name == "aten::exp"]
    assert len(exps) == 2
    inside = [e for e in exps if e.cpu_parent is worker]
    assert len(inside) == 1 and inside[0].thread == worker.thread
    main = next(e for e in exps if e.cpu_parent is None)
    assert main.thread != worker.thread


@requires_torch
def test_optimizer_ranges_named_as_pytorch():
    def optimizer_ranges(lib, profile_cls):
        model = lib.nn.Linear(3, 2)
        opts = [lib.optim.AdamW(model.parameters()), lib.optim.SGD(model.parameters(), lr=0.1)]
        model(lib.ones(4, 3)).sum().backward()
        with profile_cls() as prof:
            for opt in opts:
                opt.step()
                opt.zero_grad()
        return sorted(
            {e.name for e in prof.events() if e.name.startswith("Optimizer.")}
        ), prof.events()

    ours, events = optimizer_ranges(ag, profile)
    theirs, _ = optimizer_ranges(torch, torch.profiler.profile)
    assert ours == theirs
    # The update's ops are children of the step range.
    step = next(e for e in events if e.name == "Optimizer.step#AdamW.step")
    assert any(e.cpu_parent is step for e in events if e.name.startswith("aten::"))


def test_optimizer_step_unchanged_when_not_profiling():
    p = ag.tensor([1.0, 2.0], requires_grad=True)
    p.grad = ag.tensor([0.5, 0.5])
    opt = ag.optim.SGD([p], lr=1.0)
    assert opt.step() is None
    assert opt.step(lambda: 3.0) == 3.0
    assert p.tolist() == [0.0, 1.0]
    assert ag.optim.SGD.step.__name__ == "step"
    opt.zero_grad()
    assert p.grad is None
