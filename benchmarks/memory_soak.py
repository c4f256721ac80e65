"""Memory soak: a long training loop must run at flat memory.

Trains a small MLP with Adam for --steps steps (default 10,000) and samples
the process's resident memory (VmRSS) and the number of live graph nodes
every --every steps after a warm-up. Prints one line per sample and a
summary; exits non-zero if RSS grew by more than --max-growth-mib or graph
nodes piled up. tests/test_lifetime.py runs a shorter version of this.

    python benchmarks/memory_soak.py
    python benchmarks/memory_soak.py --steps 50000 --every 5000
"""

import argparse
import gc
import sys
import time

import autograd_cpp as ag
from autograd_cpp import nn, optim


def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--every", type=int, default=1000)
    parser.add_argument("--max-growth-mib", type=float, default=8.0)
    args = parser.parse_args()

    ag.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1)
    )
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, target = ag.randn(32, 8), ag.randn(32, 1)

    def step():
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        return loss

    for _ in range(args.warmup):
        step()
    gc.collect()
    base_rss, base_nodes = rss_mib(), ag._C._live_node_count()
    print(f"after {args.warmup} warm-up steps: RSS {base_rss:.1f} MiB, {base_nodes} live nodes")
    start = time.perf_counter()
    peak = base_rss
    for i in range(1, args.steps + 1):
        loss = step()
        if i % args.every == 0:
            rss = rss_mib()
            peak = max(peak, rss)
            print(
                f"step {i:>7}: loss {loss.item():.3e}  RSS {rss:.1f} MiB "
                f"({rss - base_rss:+.2f})  live nodes {ag._C._live_node_count()}"
            )
    del loss
    gc.collect()
    elapsed = time.perf_counter() - start
    growth = rss_mib() - base_rss
    nodes = ag._C._live_node_count() - base_nodes
    print(
        f"{args.steps} steps in {elapsed:.1f} s ({elapsed / args.steps * 1e6:.0f} us/step): "
        f"RSS growth {growth:+.2f} MiB (peak {peak - base_rss:+.2f}), live nodes {nodes:+d}"
    )
    ok = growth <= args.max_growth_mib and nodes == 0
    print("flat" if ok else "GROWING")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
