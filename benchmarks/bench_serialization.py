#!/usr/bin/env python
"""save/load of a 100 MB state_dict: autograd_cpp against PyTorch (and the
safetensors package), side by side in one run, with ratios.

    python benchmarks/bench_serialization.py              # 100 MB, 5 trials
    python benchmarks/bench_serialization.py --mb 20 --repeat 3

Each measure is the median of the trials (the file cache is warm: every
format is written and read on the same disk). Rows:

- checkpoint save/load: ``autograd_cpp.save``/``load`` against
  ``torch.save``/``torch.load(weights_only=True)`` on a path (our save also
  fsyncs: it writes atomically) and on an in-memory buffer;
- ``mmap=True`` loads;
- safetensors ``save_file``/``load_file``: ``autograd_cpp.safetensors``
  against ``safetensors.torch``;
- a cross check that each file reads back in the other library.

The ratio column is autograd_cpp's time over the other's (below 1: faster).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np
import torch

import autograd_cpp as ag
from autograd_cpp import safetensors as ag_safetensors


def median_time(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm: the page cache, allocations, imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=100.0, help="state_dict size in MB")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    layers = max(1, round(args.mb * 1e6 / (4 * 1024 * 1024)))  # 4 MiB float32 weights
    gen = np.random.default_rng(0)
    arrays = {
        f"layers.{i}.weight": gen.standard_normal((1024, 1024), dtype=np.float32)
        for i in range(layers)
    }
    arrays.update({f"layers.{i}.bias": np.zeros(1024, np.float32) for i in range(layers)})
    theirs = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    ours = {k: ag.from_numpy(v.copy()) for k, v in arrays.items()}
    total = sum(v.nbytes for v in arrays.values()) / 1e6

    import safetensors.torch as st

    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        ours_pt, theirs_pt = os.path.join(tmp, "ours.pt"), os.path.join(tmp, "theirs.pt")
        ours_st, theirs_st = os.path.join(tmp, "ours.st"), os.path.join(tmp, "theirs.st")

        def to_buffer(save: Callable[[object, io.BytesIO], None], obj: object) -> io.BytesIO:
            buf = io.BytesIO()
            save(obj, buf)
            buf.seek(0)
            return buf

        measures: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
            ("save, path", lambda: ag.save(ours, ours_pt), lambda: torch.save(theirs, theirs_pt)),
            (
                "load, path",
                lambda: ag.load(ours_pt),
                lambda: torch.load(theirs_pt, weights_only=True),
            ),
            (
                "load, path, mmap=True",
                lambda: ag.load(ours_pt, mmap=True),
                lambda: torch.load(theirs_pt, weights_only=True, mmap=True),
            ),
            (
                "save, BytesIO",
                lambda: to_buffer(ag.save, ours),
                lambda: to_buffer(torch.save, theirs),
            ),
            (
                "load, BytesIO",
                lambda: ag.load(to_buffer(ag.save, ours)),
                lambda: torch.load(to_buffer(torch.save, theirs), weights_only=True),
            ),
            (
                "safetensors save_file",
                lambda: ag_safetensors.save_file(ours, ours_st),
                lambda: st.save_file(theirs, theirs_st),
            ),
            (
                "safetensors load_file",
                lambda: ag_safetensors.load_file(ours_st),
                lambda: st.load_file(theirs_st),
            ),
        ]
        for label, mine, other in measures:
            a = median_time(mine, args.repeat)
            b = median_time(other, args.repeat)
            if label == "load, BytesIO":  # minus the save into the buffer
                a -= median_time(lambda: to_buffer(ag.save, ours), args.repeat)
                b -= median_time(lambda: to_buffer(torch.save, theirs), args.repeat)
            rows.append((label, a, b))
            print(f"  {label}: {a * 1e3:.1f} ms vs {b * 1e3:.1f} ms", file=sys.stderr)

        # Each library reads the other's files, with equal values.
        key = "layers.0.weight"
        assert np.array_equal(torch.load(ours_pt, weights_only=True)[key].numpy(), arrays[key])
        assert np.array_equal(ag.load(theirs_pt)[key].numpy(), arrays[key])
        assert np.array_equal(st.load_file(ours_st)[key].numpy(), arrays[key])
        assert np.array_equal(ag_safetensors.load_file(theirs_st)[key].numpy(), arrays[key])
        sizes = (os.path.getsize(ours_pt), os.path.getsize(theirs_pt))

    print(f"\nsave/load of a {total:.0f} MB state_dict ({len(arrays)} tensors), median of "
          f"{args.repeat} trials; torch {torch.__version__}, autograd_cpp {ag.__version__}\n")  # fmt: skip
    print("| measure | autograd_cpp (ms) | PyTorch / safetensors (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for label, a, b in rows:
        print(f"| {label} | {a * 1e3:.1f} | {b * 1e3:.1f} | {a / b:.2f} |")
    print(f"\nfile sizes: ours {sizes[0]} bytes, PyTorch's {sizes[1]} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
