"""Trains train_digits.py's MLP on scikit-learn's 8x8 digits with data
parallelism over MPI: each rank sees its own shard of every epoch and
DistributedDataParallel averages the gradients, so the global batch (64) and
the accuracy match the single-process demo.

After every step the ranks check that their parameters are identical. Rank 0
saves a checkpoint per epoch; after a failure, rerun with --resume to carry
on from the last one.

Run:  mpirun -n 2 python examples/train_digits_ddp.py [--out DIR] [--resume]
(as root add --allow-run-as-root; across machines add --hostfile FILE).
"""

import argparse
import os
import time
from pathlib import Path

from train_digits import MLP, accuracy, load_data

import autograd_cpp as torch
import autograd_cpp.distributed as dist
from autograd_cpp import nn
from autograd_cpp.nn.parallel import DistributedDataParallel
from autograd_cpp.utils.data import DataLoader, DistributedSampler, TensorDataset

GLOBAL_BATCH = 64


def check_identical(model: nn.Module) -> None:
    """Raises unless every rank holds rank 0's parameters, bit for bit."""
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    reference = dist.broadcast(flat.clone(), 0)
    mismatch = (flat != reference).any().to(torch.float32).reshape(1)
    if dist.all_reduce(mismatch, "max").item():
        raise SystemExit("the ranks' parameters differ")


def save_checkpoint(
    path: Path,
    epoch: int,
    model: DistributedDataParallel,
    opt: torch.optim.Optimizer,
    sched: torch.optim.lr_scheduler.LRScheduler,
) -> None:
    """Rank 0 writes the checkpoint atomically, so a crash mid-write leaves the previous one."""
    if dist.rank() == 0:
        state = {
            "epoch": epoch,
            "model": model.module.state_dict(),
            "optimizer": opt.state_dict(),
            "scheduler": sched.state_dict(),
        }
        torch.save(state, f"{path}.tmp")
        os.replace(f"{path}.tmp", path)
    dist.barrier()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="digits_ddp_output")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", type=float, default=0.97, help="least test accuracy")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.agc")
    args = parser.parse_args()

    dist.init()
    rank, world = dist.rank(), dist.world_size()
    if GLOBAL_BATCH % world:
        raise SystemExit(f"the world size must divide the global batch of {GLOBAL_BATCH}")
    if world == 1:
        print("a single process (1 rank); start it with `mpirun -n 2 python ...` for 2 ranks")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = out / "checkpoint.agc"
    # Same initial parameters as the single-process demo; each rank its own dropout stream.
    torch.manual_seed(args.seed)
    x_train, x_test, y_train, y_test = load_data(args.seed)
    model = DistributedDataParallel(MLP())
    torch.manual_seed(args.seed + 1000 * rank)

    dataset = TensorDataset(x_train, y_train)
    sampler = DistributedSampler(dataset, seed=args.seed)
    loader = DataLoader(dataset, batch_size=GLOBAL_BATCH // world, sampler=sampler)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    first_epoch = 1
    if args.resume and checkpoint.exists():
        state = torch.load(checkpoint)
        model.module.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        first_epoch = state["epoch"] + 1
        if rank == 0:
            print(f"resumed from {checkpoint} after epoch {state['epoch']}")

    start = time.perf_counter()
    for epoch in range(first_epoch, args.epochs + 1):
        sampler.set_epoch(epoch)
        totals = torch.zeros(2, dtype=torch.float64)  # summed loss, samples seen
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            check_identical(model)
            totals += torch.tensor([loss.item() * len(yb), len(yb)], dtype=torch.float64)
        sched.step()
        dist.all_reduce(totals)
        save_checkpoint(checkpoint, epoch, model, opt, sched)
        if rank == 0:
            test_acc = accuracy(model.module, x_test, y_test)
            print(f"epoch {epoch:2d}: loss {totals[0].item() / totals[1].item():.4f}  "
                  f"test acc {test_acc:.3f}", flush=True)  # fmt: skip

    acc = accuracy(model.module, x_test, y_test)
    if rank == 0:
        ranks = "1 rank" if world == 1 else f"{world} ranks"
        print(f"MLP on {ranks}: test accuracy {acc:.4f} (target {args.target})")
        print(f"training time {time.perf_counter() - start:.1f} s, checkpoint {checkpoint}")
    if acc < args.target:
        raise SystemExit(f"accuracy {acc:.4f} is below the target {args.target}")


if __name__ == "__main__":
    main()
