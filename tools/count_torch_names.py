"""Counts how many of PyTorch's public names autograd_cpp has: top-level
``torch``, ``torch.Tensor``, ``torch.nn`` and ``torch.nn.functional``.

A public name is one in dir() without a leading underscore (the measure
benchmarks/realprogs/README.md reports). Usage: ``PYTHONPATH=python python tools/count_torch_names.py
[--missing]`` (needs PyTorch installed as the reference).
"""

from __future__ import annotations

import sys


def _public(obj: object) -> set[str]:
    return {n for n in dir(obj) if not n.startswith("_")}


def counts() -> dict[str, tuple[int, int, list[str]]]:
    import torch
    import torch.nn.functional

    import autograd_cpp
    import autograd_cpp.nn.functional

    pairs = {
        "torch": (torch, autograd_cpp),
        "Tensor": (torch.Tensor, autograd_cpp.Tensor),
        "nn": (torch.nn, autograd_cpp.nn),
        "nn.functional": (torch.nn.functional, autograd_cpp.nn.functional),
    }
    out = {}
    for label, (theirs, ours) in pairs.items():
        wanted = sorted(_public(theirs))
        missing = [n for n in wanted if not hasattr(ours, n)]
        out[label] = (len(wanted) - len(missing), len(wanted), missing)
    return out


def main() -> None:
    for label, (have, total, missing) in counts().items():
        print(f"{label}: {have}/{total}")
        if "--missing" in sys.argv:
            print("  missing:", " ".join(missing))


if __name__ == "__main__":
    main()
