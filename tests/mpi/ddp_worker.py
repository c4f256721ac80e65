"""Run under mpirun by tests/test_distributed.py: ``ddp_worker.py MODE``.

equivalence: trains a float64 model with DistributedDataParallel (tiny
    buckets, so several all-reduces overlap backward) and checks on rank 0
    that it equals one process trained on the combined batches.
collectives: all_reduce / broadcast / barrier across ranks.
stall: rank 1 stops taking part; the others must time out and abort.
kill: trains until killed; rank 1 prints its pid for the test to kill.
"""

import os
import sys
import time

import autograd_cpp as torch
import autograd_cpp.distributed as dist
from autograd_cpp import nn
from autograd_cpp.nn.parallel import DistributedDataParallel

STEPS = 8
BATCH = 6  # per rank


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3)
    ).double()


def global_batches(world):
    torch.manual_seed(1)
    for _ in range(STEPS):
        yield (
            torch.randn(BATCH * world, 5, dtype=torch.float64),
            torch.randint(0, 3, (BATCH * world,)),
        )


def train(model, batches, shard=None):
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for x, y in batches:
        if shard is not None:
            x, y = x[shard], y[shard]
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()


def equivalence():
    rank, world = dist.rank(), dist.world_size()
    # Other ranks start from different parameters: DDP must replace them with rank 0's.
    local = make_model()
    if rank:
        with torch.no_grad():
            for p in local.parameters():
                p.add_(rank)
    ddp = DistributedDataParallel(local, bucket_cap_mb=0.0005)
    assert len(ddp._buckets) > 2, len(ddp._buckets)
    train(ddp, global_batches(world), shard=slice(rank * BATCH, (rank + 1) * BATCH))
    if rank == 0:
        single = make_model()
        train(single, global_batches(world))
        diff = max(
            (a - b).abs().max().item() for a, b in zip(ddp.module.parameters(), single.parameters())
        )
        moved = max(
            (a - b).abs().max().item()
            for a, b in zip(ddp.module.parameters(), make_model().parameters())
        )
        print(f"max difference {diff:.3e}, moved {moved:.3e}", flush=True)
        assert diff <= 1e-10 and moved > 1e-3, (diff, moved)
    flat = torch.cat([p.detach().reshape(-1) for p in ddp.parameters()])
    reference = dist.broadcast(flat.clone(), 0)
    assert (flat == reference).all().item(), "ranks differ"


def collectives():
    rank, world = dist.rank(), dist.world_size()
    t = torch.tensor([1.0, 2.0]) * (rank + 1)
    dist.all_reduce(t)
    assert t.tolist() == [3.0, 6.0], t
    dist.all_reduce(t, op="mean")
    assert t.tolist() == [3.0, 6.0], t
    m = torch.tensor([rank, -rank], dtype=torch.int64)
    dist.all_reduce(m, op=dist.ReduceOp.MAX)
    assert m.tolist() == [world - 1, 0], m
    # A non-contiguous view: only its elements change.
    base = torch.arange(12, dtype=torch.float64).reshape(3, 4) * (rank + 1)
    dist.all_reduce(base.t()[1:3])
    expected = torch.arange(12, dtype=torch.float64).reshape(3, 4) * (rank + 1)
    expected[:, 1:3] = torch.arange(12, dtype=torch.float64).reshape(3, 4)[:, 1:3] * 3
    assert (base == expected).all().item(), base
    b = torch.full((2, 3), float(rank)).t()
    dist.broadcast(b, root=1)
    assert (b == 1.0).all().item(), b
    dist.barrier()
    print(f"rank {rank} collectives ok", flush=True)


def stall():
    ddp = DistributedDataParallel(make_model())
    x, y = torch.randn(4, 5, dtype=torch.float64), torch.randint(0, 3, (4,))
    for step in range(1000):
        if dist.rank() == 1 and step == 3:
            print("rank 1 stalls", flush=True)
            time.sleep(3600)
        nn.CrossEntropyLoss()(ddp(x), y).backward()


def kill():
    ddp = DistributedDataParallel(make_model())
    x, y = torch.randn(4, 5, dtype=torch.float64), torch.randint(0, 3, (4,))
    for step in range(10**6):
        nn.CrossEntropyLoss()(ddp(x), y).backward()
        if dist.rank() == 1 and step == 3:
            print(f"rank 1 pid {os.getpid()}", flush=True)


if __name__ == "__main__":
    dist.init()
    {"equivalence": equivalence, "collectives": collectives, "stall": stall, "kill": kill}[
        sys.argv[1]
    ]()
