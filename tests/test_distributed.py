"""autograd_cpp.distributed, DistributedDataParallel and DistributedSampler.

Single-process tests run in this process (a world of one); the multi-rank
ones start tests/mpi/ddp_worker.py under mpirun with 2 ranks. In CI (CI=true)
a missing Open MPI or mpi4py is an error, not a skip.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import autograd_cpp as ag
import autograd_cpp.distributed as dist
from autograd_cpp import nn
from autograd_cpp.nn.parallel import DistributedDataParallel
from autograd_cpp.utils.data import DataLoader, DistributedSampler, TensorDataset
from oracle import requires_torch

MPIRUN = shutil.which("mpirun")
HAVE_MPI = MPIRUN is not None and dist.is_available()
# CI runs the README's test command in a venv without MPI first (it sets
# AUTOGRAD_CPP_TEST_NO_MPI there), then these tests again with MPI installed.
if os.environ.get("CI") and not HAVE_MPI and not os.environ.get("AUTOGRAD_CPP_TEST_NO_MPI"):
    raise RuntimeError("CI needs Open MPI (mpirun) and mpi4py; .ci/run installs them")
requires_mpi = pytest.mark.skipif(
    not HAVE_MPI, reason="needs Open MPI and mpi4py (pip install '.[mpi]')"
)
WORKER = Path(__file__).resolve().parent / "mpi" / "ddp_worker.py"


def mpirun(*args, n=2, env=None):
    """Starts a script (the worker by default) on n ranks; root may run it, and
    slots may exceed cores."""
    full_env = {
        **os.environ,
        "OMPI_ALLOW_RUN_AS_ROOT": "1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
        **(env or {}),
    }
    script = args if args[0].endswith(".py") else (str(WORKER), *args)
    cmd = [MPIRUN, "--oversubscribe", "-n", str(n), sys.executable, *script]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env
    )


def finish(proc, timeout=120):
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


# ---- DistributedSampler ---------------------------------------------------------


@requires_torch
@pytest.mark.parametrize("n", [0, 1, 7, 10, 11])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_shards_match_torch(n, replicas, drop_last):
    from torch.utils.data import DistributedSampler as TorchSampler

    data = list(range(n))
    for rank in range(replicas):
        ours = DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs) == len(list(ours))


@pytest.mark.parametrize("n, replicas", [(10, 3), (12, 4), (5, 8)])
def test_sampler_shuffle_shares_one_permutation(n, replicas):
    shards = [list(DistributedSampler(range(n), replicas, r, seed=3)) for r in range(replicas)]
    assert len({len(s) for s in shards}) == 1
    # Interleaving the shards gives back one padded permutation of the dataset.
    order = [shards[i % replicas][i // replicas] for i in range(len(shards[0]) * replicas)]
    assert sorted(set(order)) == list(range(n))
    assert order[n:] == (order[:n] * replicas)[: len(order) - n]
    again = [list(DistributedSampler(range(n), replicas, r, seed=3)) for r in range(replicas)]
    assert again == shards


def test_sampler_set_epoch_and_seed_reshuffle():
    sampler = DistributedSampler(range(50), 2, 0, seed=1)
    first = list(sampler)
    assert list(sampler) == first
    sampler.set_epoch(1)
    assert list(sampler) != first
    assert list(DistributedSampler(range(50), 2, 0, seed=2)) != first


def test_sampler_errors():
    with pytest.raises(
        ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"
    ):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), num_replicas=2, rank=-1)


def test_sampler_feeds_a_dataloader():
    x = ag.arange(10.0)
    loader = DataLoader(
        TensorDataset(x), batch_size=2, sampler=DistributedSampler(x, 2, 1, shuffle=False)
    )
    assert [b[0].tolist() for b in loader] == [[1.0, 3.0], [5.0, 7.0], [9.0]]


def test_uninitialised_errors(monkeypatch):
    monkeypatch.setattr(dist._state, "comm", None)
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.rank()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        dist.all_reduce(ag.ones(2))
    with pytest.raises(RuntimeError, match="distributed.init"):
        DistributedSampler(range(4))
    with pytest.raises(RuntimeError, match="distributed.init"):
        DistributedDataParallel(nn.Linear(2, 2))


def test_init_without_mpi4py_says_what_to_install(monkeypatch):
    monkeypatch.setattr(dist._state, "comm", None)
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    with pytest.raises(RuntimeError, match="needs mpi4py"):
        dist.init()


# ---- a world of one, in this process ---------------------------------------------


@pytest.fixture
def world_of_one():
    if not HAVE_MPI:
        pytest.skip("needs Open MPI and mpi4py (pip install '.[mpi]')")
    dist.init()
    assert dist.world_size() == 1
    return dist


def test_init_is_idempotent(world_of_one):
    comm = dist._state.comm
    dist.init()
    assert dist._state.comm is comm and dist.is_initialized()
    assert (dist.rank(), dist.world_size()) == (0, 1)
    assert (dist.get_rank(), dist.get_world_size()) == (0, 1)
    with pytest.raises(ValueError, match="timeout must be positive"):
        dist.init(timeout=0)


def test_collectives_keep_a_single_rank_values(world_of_one):
    t = ag.tensor([1.5, -2.0, 3.0])
    ptr = t.data_ptr()
    assert dist.all_reduce(t) is t and t.tolist() == [1.5, -2.0, 3.0]
    dist.all_reduce(t, op="mean")
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    assert t.tolist() == [1.5, -2.0, 3.0] and t.data_ptr() == ptr
    i = ag.tensor([4, 5], dtype=ag.int32)
    dist.all_reduce(i, op="product")
    assert i.tolist() == [4, 5]
    b = ag.tensor([True, False])
    dist.broadcast(b, 0)
    assert b.tolist() == [True, False]
    dist.barrier()


def test_non_contiguous_tensor_written_back(world_of_one):
    base = ag.arange(12.0).reshape(3, 4)
    view = base.t()[1:3]
    dist.all_reduce(view)
    dist.broadcast(view, 0)
    assert base.tolist() == ag.arange(12.0).reshape(3, 4).tolist()


def test_collective_errors(world_of_one):
    with pytest.raises(ValueError, match="unknown op"):
        dist.all_reduce(ag.ones(2), op="median")
    with pytest.raises(TypeError, match="floating-point"):
        dist.all_reduce(ag.ones(2, dtype=ag.int64), op="mean")
    with pytest.raises(TypeError, match="unsupported dtype"):
        dist.all_reduce(ag.ones(2, dtype=ag.bool))
    with pytest.raises(TypeError, match="expected a Tensor"):
        dist.all_reduce([1.0, 2.0])
    with pytest.raises(ValueError, match="root 1 is not a rank"):
        dist.broadcast(ag.ones(2), root=1)


def test_collective_on_tensor_requiring_grad_records_no_graph(world_of_one):
    w = ag.ones(3, requires_grad=True)
    dist.all_reduce(w)
    assert w.grad_fn is None and w.requires_grad and w.is_leaf


def _grads(model):
    return [p.grad.clone() for p in model.parameters()]


def test_ddp_world_of_one_matches_the_plain_module(world_of_one):
    ag.manual_seed(0)
    plain = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).double()
    ag.manual_seed(0)
    ddp = DistributedDataParallel(
        nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).double(), bucket_cap_mb=1e-5
    )
    assert len(ddp._buckets) == 4
    assert list(ddp.state_dict()) == ["module." + k for k in plain.state_dict()]
    assert ddp.module.state_dict().keys() == plain.state_dict().keys()
    x = ag.randn(5, 4, dtype=ag.float64)
    for _ in range(2):  # gradients accumulate across backward passes as usual
        plain(x).pow(2).sum().backward()
        ddp(x).pow(2).sum().backward()
    for a, b in zip(_grads(plain), _grads(ddp)):
        assert (a == b).all().item()


def test_ddp_no_sync_and_unused_parameters(world_of_one):
    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2)
            self.b = nn.Linear(2, 2)

        def forward(self, x, use_b=True):
            return self.a(x) + (self.b(x) if use_b else 0)

    ddp = DistributedDataParallel(TwoHeads())
    x = ag.ones(1, 2)
    with ddp.no_sync():
        ddp(x, use_b=False).sum().backward()  # not synchronised: no reduction pending
    ddp(x).sum().backward()
    ddp(x, use_b=False).sum().backward()
    with pytest.raises(RuntimeError, match="Expected to have finished reduction"):
        ddp(x)


# ---- two ranks under mpirun ------------------------------------------------------


@requires_mpi
def test_two_ranks_equal_one_process_on_the_combined_batch():
    rc, out = finish(mpirun("equivalence"))
    assert rc == 0, out
    assert "max difference" in out


@requires_mpi
def test_two_rank_collectives():
    rc, out = finish(mpirun("collectives"))
    assert rc == 0, out
    assert "rank 0 collectives ok" in out and "rank 1 collectives ok" in out


@requires_mpi
def test_a_stalled_rank_makes_the_others_abort_with_a_clear_error():
    start = time.monotonic()
    rc, out = finish(mpirun("stall", env={"AUTOGRAD_CPP_DIST_TIMEOUT": "2"}), timeout=60)
    assert rc != 0, out
    assert "rank 0 timed out after 2 s waiting for DistributedDataParallel's gradients" in out
    assert "resume from the last checkpoint" in out
    assert time.monotonic() - start < 60


@requires_mpi
def test_a_killed_rank_ends_the_job():
    proc = mpirun("kill")
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("rank 1 pid"):
            os.kill(int(line.split()[-1]), signal.SIGKILL)
            break
    rc, rest = finish(proc, timeout=60)
    out = "".join(lines) + rest
    assert rc != 0, out
    assert "signal 9" in out, out


@requires_mpi
def test_ddp_example_saves_checkpoints_and_resumes(tmp_path):
    pytest.importorskip("sklearn")
    example = str(Path(__file__).resolve().parents[1] / "examples" / "train_digits_ddp.py")
    common = ["--out", str(tmp_path), "--target", "0"]
    rc, out = finish(mpirun(example, "--epochs", "1", *common), timeout=300)
    assert rc == 0, out
    assert (tmp_path / "checkpoint.agc").stat().st_size > 0
    rc, out = finish(mpirun(example, "--epochs", "2", "--resume", *common), timeout=300)
    assert rc == 0, out
    assert "resumed from" in out and "after epoch 1" in out
    assert "epoch  2:" in out and "epoch  1:" not in out
