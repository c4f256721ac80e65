"""torch.utils.data against PyTorch: samplers' and random_split's index
orders for the same generator seed, DataLoader orders (shuffled, with
samplers and batch samplers), collation, dataset combinators, and real
worker processes (ordering, seeding, worker_init_fn, get_worker_info,
IterableDataset sharding, persistent workers, errors and timeouts)."""

import collections
import os
import time
import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from autograd_cpp.utils import data
from oracle import requires_torch, torch


def gen(lib, seed):
    return lib.Generator().manual_seed(seed)


# ---- index orders against PyTorch ---------------------------------------------------

ORDERS = {
    "random": lambda m, g: list(m.utils.data.RandomSampler(range(23), generator=g)),
    "random_more": lambda m, g: list(
        m.utils.data.RandomSampler(range(7), num_samples=30, generator=g)
    ),
    "random_fewer": lambda m, g: list(
        m.utils.data.RandomSampler(range(20), num_samples=6, generator=g)
    ),
    "random_replacement": lambda m, g: list(
        m.utils.data.RandomSampler(range(10), replacement=True, num_samples=75, generator=g)
    ),
    "random_two_passes": lambda m, g: (lambda s: [list(s), list(s)])(
        m.utils.data.RandomSampler(range(9), generator=g)
    ),
    "subset_random": lambda m, g: list(
        m.utils.data.SubsetRandomSampler([5, 10, 15, 20, 25, 30], generator=g)
    ),
    "weighted": lambda m, g: list(
        m.utils.data.WeightedRandomSampler([0.1, 0.5, 2.0, 0.0, 1.0], 40, generator=g)
    ),
    "weighted_tensor": lambda m, g: list(
        m.utils.data.WeightedRandomSampler(m.tensor([1.0, 3.0, 0.5]), 17, generator=g)
    ),
    "batch": lambda m, g: list(
        m.utils.data.BatchSampler(m.utils.data.RandomSampler(range(10), generator=g), 3, False)
    ),
    "batch_drop_last": lambda m, g: list(
        m.utils.data.BatchSampler(m.utils.data.RandomSampler(range(10), generator=g), 3, True)
    ),
    "random_split": lambda m, g: [
        list(s.indices) for s in m.utils.data.random_split(range(12), [5, 4, 3], generator=g)
    ],
    "random_split_fractions": lambda m, g: [
        list(s.indices) for s in m.utils.data.random_split(range(11), [0.5, 0.3, 0.2], generator=g)
    ],
    "distributed": lambda m, g: [
        list(m.utils.data.DistributedSampler(range(11), num_replicas=3, rank=r, seed=4))
        for r in range(3)
    ],
    "loader_shuffle": lambda m, g: [
        b.tolist()
        for b in m.utils.data.DataLoader(list(range(14)), batch_size=4, shuffle=True, generator=g)
    ],
    "loader_two_epochs": lambda m, g: (lambda dl: [[b.tolist() for b in dl] for _ in range(2)])(
        m.utils.data.DataLoader(list(range(8)), batch_size=3, shuffle=True, generator=g)
    ),
    "loader_sampler": lambda m, g: [
        b.tolist()
        for b in m.utils.data.DataLoader(
            list(range(30)),
            batch_size=5,
            sampler=m.utils.data.RandomSampler(
                range(30), replacement=True, num_samples=20, generator=g
            ),
            generator=g,
        )
    ],
}


@requires_torch
@pytest.mark.parametrize("seed", [0, 7, 2**40 + 11])
@pytest.mark.parametrize("name", sorted(ORDERS))
def test_index_orders_match_torch_for_the_same_seed(name, seed):
    ours = ORDERS[name](ag, gen(ag, seed))
    theirs = ORDERS[name](torch, gen(torch, seed))
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_orders_without_a_generator_follow_manual_seed(name):
    def run():
        ag.manual_seed(21)
        return ORDERS[name](ag, None)

    first = run()
    assert run() == first


def test_shuffles_differ_between_unseeded_runs():
    sampler = data.RandomSampler(range(50))
    assert list(sampler) != list(sampler)


@requires_torch
def test_sampler_errors_match_torch():
    def errors(lib):
        d = lib.utils.data
        out = []
        for make in [
            lambda: d.RandomSampler(range(3), replacement=1),
            lambda: d.RandomSampler(range(3), num_samples=0),
            lambda: d.RandomSampler([], num_samples=None),
            lambda: d.WeightedRandomSampler([1.0], 0),
            lambda: d.WeightedRandomSampler([1.0], 2, replacement="yes"),
            lambda: d.WeightedRandomSampler([[1.0]], 2),
            lambda: list(d.WeightedRandomSampler([1.0, -1.0], 2)),
            lambda: list(d.WeightedRandomSampler([0.0, 0.0], 2)),
            lambda: list(d.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
            lambda: d.BatchSampler(range(3), 0, False),
            lambda: d.BatchSampler(range(3), 2, None),
            lambda: d.random_split(range(10), [3, 3]),
            lambda: d.random_split(range(10), [1.2, -0.2]),
        ]:
            try:
                make()
                out.append(None)
            except Exception as e:
                out.append((type(e).__name__, str(e).split("\n")[0][:70]))
        return out

    assert errors(ag) == errors(torch)


def test_weighted_sampling_without_replacement_is_a_seeded_weighted_draw():
    g = ag.Generator().manual_seed(3)
    picks = list(
        data.WeightedRandomSampler([1.0, 0.0, 5.0, 2.0], 3, replacement=False, generator=g)
    )
    assert sorted(picks) == [0, 2, 3]
    counts = collections.Counter(
        tuple(data.WeightedRandomSampler([1.0, 8.0], 1, False, generator=g))[0] for _ in range(400)
    )
    assert counts[1] > 300


def test_random_split_warns_for_empty_splits():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        parts = data.random_split(range(2), [0.9, 0.1], generator=gen(ag, 0))
    assert [len(p) for p in parts] == [2, 0]


# ---- collation -------------------------------------------------------------------------

Point = collections.namedtuple("Point", ["x", "y"])

COLLATE = {
    "tensors": lambda m: [m.ones(2) * i for i in range(3)],
    "ints": lambda m: [1, 2, 3],
    "floats": lambda m: [1.5, 2.5],
    "bools": lambda m: [True, False],
    "strings": lambda m: ["a", "b"],
    "numpy": lambda m: [np.arange(3, dtype=np.float32) + i for i in range(2)],
    "numpy_int": lambda m: [np.arange(2) for _ in range(2)],
    "numpy_scalars": lambda m: [np.float64(1.5), np.float64(2.0)],
    "numpy_float32_scalars": lambda m: [np.float32(1.5), np.float32(2.0)],
    "dicts": lambda m: [{"x": m.ones(2) * i, "label": i, "name": f"s{i}"} for i in range(3)],
    "tuples": lambda m: [(m.ones(1) * i, i) for i in range(3)],
    "lists": lambda m: [[i, i + 1.0] for i in range(3)],
    "namedtuples": lambda m: [Point(m.zeros(2), 1), Point(m.ones(2), 2)],
    "nested": lambda m: [{"a": (i, [m.ones(1) * i, 2.0]), "b": {"c": i}} for i in range(2)],
    "ragged": lambda m: [[1, 2], [3]],
    "numpy_strings": lambda m: [np.array(["a"]), np.array(["b"])],
    "objects": lambda m: [object(), object()],
}


def plain(value):
    """A batch as plain Python values, tensors as (dtype name, values)."""
    if hasattr(value, "dtype") and hasattr(value, "tolist") and not isinstance(value, np.ndarray):
        return ("tensor", str(value.dtype).removeprefix("torch."), value.tolist())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, *[plain(v) for v in value])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(v) for v in value])
    if isinstance(value, np.ndarray):
        return ("ndarray", value.tolist())
    return value


def collated(lib, fn, batch):
    try:
        return plain(fn(batch))
    except Exception as e:
        return ("raises", type(e).__name__, str(e).split("\n")[0].replace("autograd_cpp", "torch"))


@requires_torch
@pytest.mark.parametrize("name", sorted(COLLATE))
def test_default_collate_matches_torch(name):
    ours = collated(ag, ag.utils.data.default_collate, COLLATE[name](ag))
    theirs = collated(torch, torch.utils.data.default_collate, COLLATE[name](torch))
    if name == "objects":  # the class named in the message differs
        ours, theirs = ours[:2], theirs[:2]
    assert ours == theirs


CONVERT = {
    "numpy": lambda m: np.arange(4.0),
    "numpy_scalar": lambda m: np.int64(3),
    "tuple": lambda m: (np.ones(2), 1, "a"),
    "dict": lambda m: {"a": np.zeros(2), "b": [np.ones(1), 2]},
    "namedtuple": lambda m: Point(np.ones(1), 2),
    "strings": lambda m: np.array(["x", "y"]),
    "tensor": lambda m: m.ones(2),
    "number": lambda m: 5,
}


@requires_torch
@pytest.mark.parametrize("name", sorted(CONVERT))
def test_default_convert_matches_torch(name):
    ours = collated(ag, ag.utils.data.default_convert, CONVERT[name](ag))
    theirs = collated(torch, torch.utils.data.default_convert, CONVERT[name](torch))
    assert ours == theirs


@requires_torch
def test_loader_batches_match_torch_for_python_samples():
    def batches(lib):
        class Samples(lib.utils.data.Dataset):
            def __len__(self):
                return 7

            def __getitem__(self, i):
                return {"x": np.full(2, i, dtype=np.float32), "y": i, "w": i / 2, "id": f"n{i}"}

        out = []
        for kwargs in (
            dict(batch_size=3),
            dict(batch_size=3, drop_last=True),
            dict(batch_size=None),
        ):
            out.append([plain(b) for b in lib.utils.data.DataLoader(Samples(), **kwargs)])
        return out

    assert batches(ag) == batches(torch)


# ---- datasets --------------------------------------------------------------------------


class Numbers(data.IterableDataset):
    """0 .. n-1, split between workers by get_worker_info (as PyTorch's docs show)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = data.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def test_dataset_combinators():
    a, b = list(range(3)), list(range(10, 15))
    cat = data.ConcatDataset([a, b])
    assert len(cat) == 8 and cat.cumulative_sizes == [3, 8]
    assert [cat[i] for i in range(8)] == a + b and cat[-1] == 14 and cat[-8] == 0
    with pytest.raises(ValueError, match="absolute value of index"):
        cat[-9]
    with pytest.raises(AssertionError, match="empty iterable"):
        data.ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        data.ConcatDataset([Numbers(2)])
    t = data.TensorDataset(ag.arange(4), ag.arange(4) * 2)
    assert len(t + t) == 8 and isinstance(t + t, data.ConcatDataset)
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        data.TensorDataset(ag.ones(2), ag.ones(3))
    chain = Numbers(3) + Numbers(2)
    assert isinstance(chain, data.ChainDataset) and list(chain) == [0, 1, 2, 0, 1]
    assert len(chain) == 5
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(data.ChainDataset([[1]]))
    stack = data.StackDataset(a, [7, 8, 9])
    assert stack[1] == (1, 8) and len(stack) == 3
    named = data.StackDataset(x=a, y=[7, 8, 9])
    assert named[2] == {"x": 2, "y": 9}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        data.StackDataset(a, b)
    with pytest.raises(ValueError, match="At least one dataset"):
        data.StackDataset()
    sub = data.Subset(b, [4, 0])
    assert [sub[0], sub[1]] == [14, 10] and sub.__getitems__([1, 0]) == [10, 14]
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        data.Dataset()[0]


def test_module_paths_programs_import_from():
    from autograd_cpp.utils.data import dataloader, dataset, distributed, sampler
    from autograd_cpp.utils.data._utils.collate import default_collate

    assert dataloader.DataLoader is data.DataLoader and sampler.Sampler is data.Sampler
    assert dataset.Dataset is data.Dataset and distributed.DistributedSampler
    assert default_collate is data.default_collate and dataloader.get_worker_info() is None


# ---- DataLoader checks against PyTorch -------------------------------------------------------


@requires_torch
def test_loader_errors_match_torch():
    def errors(lib):
        d = lib.utils.data
        ds = list(range(5))
        out = []
        for make in [
            lambda: d.DataLoader(ds, num_workers=-1),
            lambda: d.DataLoader(ds, timeout=-1),
            lambda: d.DataLoader(ds, prefetch_factor=2),
            lambda: d.DataLoader(ds, persistent_workers=True),
            lambda: d.DataLoader(ds, batch_size=0),
            lambda: d.DataLoader(ds, sampler=range(5), shuffle=True),
            lambda: d.DataLoader(ds, batch_sampler=[[0]], batch_size=2),
            lambda: d.DataLoader(ds, batch_sampler=[[0]], drop_last=True),
            lambda: d.DataLoader(ds, batch_size=None, drop_last=True),
            lambda: d.DataLoader(Numbers(3) if lib is ag else TorchNumbers(3), shuffle=True),
            lambda: setattr(d.DataLoader(ds), "batch_size", 3),
        ]:
            try:
                make()
                out.append(None)
            except Exception as e:
                out.append((type(e).__name__, str(e).split("\n")[0][:60]))
        return out

    class TorchNumbers(torch.utils.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

    assert errors(ag) == errors(torch)


@requires_torch
def test_too_many_workers_warn_as_in_torch():
    n = len(os.sched_getaffinity(0)) + 1
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match=f"will create {n} worker processes in total"):
            lib.utils.data.DataLoader(list(range(3)), num_workers=n)


def test_pin_memory_is_accepted_with_torchs_warning():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        loader = data.DataLoader(list(range(4)), batch_size=2, pin_memory=True)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3]]


def test_lengths():
    assert len(data.DataLoader(list(range(10)), batch_size=3)) == 4
    assert len(data.DataLoader(list(range(10)), batch_size=3, drop_last=True)) == 3
    assert len(data.DataLoader(Numbers(10), batch_size=4)) == 3
    assert len(data.DataLoader(list(range(10)), batch_size=None)) == 10
    assert len(data.DataLoader(list(range(10)), batch_sampler=[[0, 1], [2]])) == 2


# ---- worker processes --------------------------------------------------------------------


class Traced(data.Dataset):
    """Samples that say which process and worker made them."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = data.get_worker_info()
        return {
            "i": i,
            "worker": -1 if info is None else info.id,
            "pid": os.getpid(),
            "rand": ag.rand(1).item(),
        }


def test_workers_return_the_single_process_batches_in_order():
    ds = data.TensorDataset(ag.arange(20).float(), ag.arange(20))
    for shuffle in (False, True):
        one = [[t.tolist() for t in b] for b in data.DataLoader(
            ds, batch_size=3, shuffle=shuffle, generator=gen(ag, 5))]  # fmt: skip
        many = [[t.tolist() for t in b] for b in data.DataLoader(
            ds, batch_size=3, shuffle=shuffle, generator=gen(ag, 5), num_workers=2)]  # fmt: skip
        assert many == one


def test_workers_are_processes_seeded_as_pytorch_seeds_them():
    seen = []
    loader = data.DataLoader(
        Traced(), batch_size=2, num_workers=3, generator=gen(ag, 9),
        worker_init_fn=lambda wid: None, prefetch_factor=4, timeout=60,
    )  # fmt: skip
    for batch in loader:
        seen.append(batch)
    assert [i for b in seen for i in b["i"].tolist()] == list(range(12))
    workers = [b["worker"].tolist() for b in seen]
    assert workers == [[0, 0], [1, 1], [2, 2], [0, 0], [1, 1], [2, 2]]
    pids = {p for b in seen for p in b["pid"].tolist()}
    assert len(pids) == 3 and os.getpid() not in pids
    # Each worker's global stream starts at base_seed + id: the loader's
    # base seed is the first draw of its generator, as in PyTorch.
    base = gen(ag, 9)._random_seed()
    for b in seen[:3]:
        w = b["worker"][0].item()
        ag.manual_seed(base + w)
        assert b["rand"][0].item() == ag.rand(1).item()


@requires_torch
def test_worker_seeds_and_numpy_seeds_match_torch():
    from torch.utils.data._utils.worker import _generate_state

    from autograd_cpp.utils.data._utils.worker import _numpy_seed

    for base in (0, 5, 2**32 + 3, 2**62 + 12345):
        for wid in range(4):
            assert _numpy_seed(base, wid) == _generate_state(base, wid)

    def seeds(lib):
        class S(lib.utils.data.Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, i):
                info = lib.utils.data.get_worker_info()
                return info.seed, info.id, info.num_workers, lib.initial_seed()

        g = lib.Generator().manual_seed(13)
        return sorted(
            tuple(x) for b in lib.utils.data.DataLoader(
                S(), batch_size=None, num_workers=2, generator=g) for x in [b]
        )  # fmt: skip

    assert seeds(ag) == seeds(torch)


def init_marker(worker_id):
    os.environ["LOADER_WORKER_MARK"] = f"w{worker_id}"


class Marked(data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return os.environ.get("LOADER_WORKER_MARK", "none")


def test_worker_init_fn_runs_in_each_worker():
    marks = [m for b in data.DataLoader(Marked(), batch_size=1, num_workers=2,
                                        worker_init_fn=init_marker) for m in b]  # fmt: skip
    assert marks == ["w0", "w1", "w0", "w1"]
    assert "LOADER_WORKER_MARK" not in os.environ


@requires_torch
def test_iterable_dataset_sharding_matches_torchs_interleaving():
    def order(lib, workers, batch_size):
        class N(lib.utils.data.IterableDataset):
            def __iter__(self):
                info = lib.utils.data.get_worker_info()
                if info is None:
                    return iter(range(11))
                return iter(range(info.id, 11, info.num_workers))

        loader = lib.utils.data.DataLoader(N(), batch_size=batch_size, num_workers=workers)
        return [b.tolist() if hasattr(b, "tolist") else b for b in loader]

    for workers, batch_size in [(0, 3), (2, 3), (3, 2), (2, None)]:
        assert order(ag, workers, batch_size) == order(torch, workers, batch_size)


def test_iterable_dataset_with_drop_last_in_workers():
    loader = data.DataLoader(Numbers(11), batch_size=2, num_workers=2, drop_last=True)
    assert [b.tolist() for b in loader] == [[0, 2], [1, 3], [4, 6], [5, 7], [8, 10]]


def test_persistent_workers_live_across_epochs():
    loader = data.DataLoader(Traced(), batch_size=4, num_workers=2, persistent_workers=True)
    first = [b["pid"].tolist() for b in loader]
    second = [b["pid"].tolist() for b in loader]
    assert set(sum(first, [])) == set(sum(second, []))
    assert [b["i"].tolist() for b in loader][0] == [0, 1, 2, 3]
    stream = data.DataLoader(Numbers(6), batch_size=2, num_workers=2, persistent_workers=True)
    assert (
        [b.tolist() for b in stream] == [b.tolist() for b in stream] == [[0, 2], [1, 3], [4], [5]]
    )


class Failing(data.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            raise ValueError(f"bad sample {i}")
        if i == 5:
            raise KeyError("missing")
        return i


def test_worker_errors_are_raised_in_the_main_process():
    loader = data.DataLoader(Failing(), batch_size=2, num_workers=2)
    it = iter(loader)
    assert next(it).tolist() == [0, 1]
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 1") as e:
        next(it)
    assert "bad sample 3" in str(e.value) and "Traceback" in str(e.value)
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        list(data.DataLoader(Failing(), batch_size=1, num_workers=2, sampler=[5]))


class Slow(data.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(3)
        return i


def test_timeout_raises():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        list(data.DataLoader(Slow(), num_workers=1, timeout=0.5))


class Dying(data.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        os._exit(3)


def test_a_worker_that_dies_is_reported():
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(data.DataLoader(Dying(), num_workers=1))


def test_workers_with_custom_collate_batch_sampler_and_unordered_results():
    def collate(samples):
        return sum(samples)

    loader = data.DataLoader(
        list(range(10)), batch_sampler=[[0, 1], [2, 3, 4], [9]], num_workers=2,
        collate_fn=collate,
    )  # fmt: skip
    assert list(loader) == [1, 9, 9]
    unordered = data.DataLoader(list(range(10)), batch_size=2, num_workers=3, in_order=False)
    assert sorted(x for b in unordered for x in b.tolist()) == list(range(10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [b for b in data.DataLoader(["a", "b", "c"], batch_size=2, num_workers=2)] == [
            ["a", "b"],
            ["c"],
        ]


def test_thread_pool_keeps_working_in_parent_after_workers():
    threads = ag.get_num_threads()
    list(data.DataLoader(list(range(4)), num_workers=2))
    assert ag.get_num_threads() == threads
    x = ag.randn(512, 512)
    assert (x @ x).shape == (512, 512)


# ---- torch.multiprocessing -----------------------------------------------------------------


def _write_rank(i, path, fail_at):
    if i == fail_at:
        raise ValueError(f"rank {i} failed")
    with open(f"{path}/{i}", "w") as f:
        f.write(str(ag.ones(2).sum().item()))


def test_multiprocessing_spawn(tmp_path):
    import autograd_cpp.multiprocessing as mp

    mp.spawn(_write_rank, args=(str(tmp_path), -1), nprocs=2, start_method="fork")
    assert sorted(os.listdir(tmp_path)) == ["0", "1"]
    with pytest.raises(mp.ProcessRaisedException, match="rank 1 failed"):
        mp.spawn(_write_rank, args=(str(tmp_path), 1), nprocs=2, start_method="fork")
    context = mp.spawn(_write_rank, args=(str(tmp_path), -1), nprocs=1, join=False,
                       start_method="fork")  # fmt: skip
    while not context.join():
        pass
    mp.set_sharing_strategy("file_system")
    assert mp.get_sharing_strategy() == "file_system"
    mp.set_sharing_strategy("file_descriptor")
    assert mp.Queue is not None and mp.cpu_count() >= 1


# ---- details users meet (each checked against PyTorch) ------------------------------


class BatchFetchDataset:
    """A map-style dataset with a batched __getitems__, which Subset must use."""

    def __init__(self):
        self.batched_calls = 0

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return i * 10

    def __getitems__(self, indices):
        self.batched_calls += 1
        return [i * 100 for i in indices]


@requires_torch
def test_subset_fetches_through_the_datasets_getitems():
    def run(lib):
        base = BatchFetchDataset()
        loader = lib.utils.data.DataLoader(lib.utils.data.Subset(base, [9, 1, 4, 2]), batch_size=3)
        return [b.tolist() for b in loader], base.batched_calls

    assert run(ag) == run(torch)


@requires_torch
@pytest.mark.parametrize("rank", [-1, 3, 4])
def test_distributed_sampler_rejects_a_rank_outside_the_world(rank):
    def error(lib):
        with pytest.raises(ValueError) as info:
            lib.utils.data.DistributedSampler(range(8), num_replicas=3, rank=rank)
        return str(info.value)

    assert error(ag) == error(torch)


@requires_torch
def test_dataloader_keeps_its_arguments_as_attributes():
    def attrs(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pin_memory without an accelerator
            loader = lib.utils.data.DataLoader(
                range(6), batch_size=2, pin_memory=True, drop_last=True
            )
        return loader.pin_memory, loader.drop_last, loader.batch_size, loader.num_workers

    assert attrs(ag) == attrs(torch)


class Stream(data.IterableDataset):
    def __iter__(self):
        return iter(range(4))


@requires_torch
def test_iterable_dataset_refuses_a_batch_sampler_with_torchs_message():
    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(4))

    def error(lib, ds):
        with pytest.raises(ValueError) as info:
            lib.utils.data.DataLoader(ds, batch_sampler=[[0, 1]])
        return str(info.value)

    assert error(ag, Stream()) == error(torch, TorchStream())


@requires_torch
def test_too_many_workers_warning_as_torch():
    def message(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.utils.data.DataLoader(range(4), num_workers=(os.cpu_count() or 1) + 7)
        return [str(w.message) for w in caught]

    assert message(ag) == message(torch)


def test_persistent_workers_keep_one_iterator_across_epochs():
    loader = data.DataLoader(range(6), batch_size=2, num_workers=1, persistent_workers=True)
    first = [b.tolist() for b in loader]
    iterator = loader._iterator
    assert iterator is not None
    assert [b.tolist() for b in loader] == first
    assert loader._iterator is iterator  # the same workers served the second epoch


@requires_torch
def test_default_convert_keeps_a_mutable_sequence_type():
    def convert(lib):
        out = lib.utils.data.default_convert(collections.UserList([np.array([1, 2]), np.array(3)]))
        return type(out).__name__, [type(x).__name__ for x in out], [x.tolist() for x in out]

    assert convert(ag) == convert(torch)


@requires_torch
@pytest.mark.parametrize("persistent", [False, True])
def test_too_many_workers_warns_when_torch_does(persistent):
    def count(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loader = lib.utils.data.DataLoader(
                range(4), num_workers=(os.cpu_count() or 1) + 1, persistent_workers=persistent
            )
            counts = []
            for _ in range(2):
                list(loader)
                counts.append(sum("worker processes in total" in str(w.message) for w in caught))
        return counts  # after each epoch: persistent workers warn on the first only

    assert count(ag) == count(torch)
