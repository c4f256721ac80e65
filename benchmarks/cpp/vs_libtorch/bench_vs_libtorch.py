"""autograd_cpp's C++ API beside libtorch's, on the same source (workloads.cpp).

Builds workloads.cpp against an installed autograd_cpp package and against the
libtorch that the ``torch`` wheel ships (its headers and libraries live under
torch/include and torch/lib), runs both single-threaded, and prints per-op
CPU times (the process's, so a busy machine's waits stay out) with their
ratios, plus each build's compile time (CPU seconds of the
compiler, which a busy machine distorts less than wall time) and binary size.

    cmake -S . -B build/core -DAUTOGRAD_CPP_BUILD_PYTHON=OFF
    cmake --build build/core && cmake --install build/core --prefix build/core/install
    python benchmarks/cpp/vs_libtorch/bench_vs_libtorch.py --prefix build/core/install
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "workloads.cpp"
LAYERS = ("api", "ops", "kernels", "base")


def _compile(cmd: list[str]) -> float:
    """Runs a compiler command; returns its children's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"build failed: {' '.join(cmd)}\n{proc.stderr[-4000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _blas_library() -> Path:
    import scipy_openblas32 as s

    return Path(s.get_lib_dir()) / s.get_library(True)


def build_ours(prefix: Path, out: Path) -> float:
    blas = _blas_library()
    return _compile(
        [
            "c++",
            "-std=c++17",
            "-O2",
            "-DNDEBUG",
            f"-I{prefix}/include",
            str(SOURCE),
            "-o",
            str(out),
            # The layers' static libraries, each before the ones it uses.
            *(str(prefix / "lib" / f"libautograd_cpp_{layer}.a") for layer in LAYERS),
            str(blas),
            f"-Wl,-rpath,{blas.parent}",
            "-pthread",
        ]  # fmt: skip
    )


def build_libtorch(out: Path) -> float:
    import torch

    root = Path(torch.__file__).parent
    abi = int(torch.compiled_with_cxx11_abi())
    return _compile(
        [
            "c++",
            "-std=c++17",
            "-O2",
            "-DNDEBUG",
            "-DAG_BENCH_LIBTORCH",
            f"-D_GLIBCXX_USE_CXX11_ABI={abi}",
            f"-I{root}/include",
            f"-I{root}/include/torch/csrc/api/include",
            str(SOURCE),
            "-o",
            str(out),
            f"-L{root}/lib",
            "-ltorch",
            "-ltorch_cpu",
            "-lc10",
            f"-Wl,-rpath,{root}/lib",
            "-pthread",
        ]  # fmt: skip
    )


def run(binary: Path) -> dict[str, float]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([str(binary)], capture_output=True, text=True, check=True, env=env).stdout
    return {line.split()[1]: float(line.split()[2]) for line in out.splitlines()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--prefix", type=Path, required=True, help="install prefix of the autograd_cpp package"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours_bin, theirs_bin = Path(tmp) / "ours", Path(tmp) / "libtorch"
        ours_cpu = build_ours(args.prefix.resolve(), ours_bin)
        theirs_cpu = build_libtorch(theirs_bin)
        ours, theirs = run(ours_bin), run(theirs_bin)
        print(f"{'workload':<22}{'autograd_cpp':>14}{'libtorch':>12}{'ratio':>8}")
        for key in ours:
            print(f"{key:<22}{ours[key]:>14.4g}{theirs[key]:>12.4g}{ours[key] / theirs[key]:>8.2f}")
        print(
            f"{'compile_cpu_s':<22}{ours_cpu:>14.1f}{theirs_cpu:>12.1f}{ours_cpu / theirs_cpu:>8.2f}"
        )
        size_ours, size_theirs = ours_bin.stat().st_size, theirs_bin.stat().st_size
        print(
            f"{'binary_kib':<22}{size_ours / 1024:>14.0f}{size_theirs / 1024:>12.0f}{size_ours / size_theirs:>8.2f}"
        )


if __name__ == "__main__":
    main()
