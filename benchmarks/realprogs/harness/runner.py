"""Runs the real programs on autograd_cpp and on PyTorch and compares what
they print (see ../README.md).

The programs are not in this repository: fetch each one (repository, path
and commit in the README's table) into $REALPROGS/progs/<folder>/, and run
make_data.py once to write the stand-in data into $REALPROGS/data/. Then
``python runner.py [names...]`` runs each program in a fresh copy of its
folder, once on PyTorch and once on autograd_cpp (sitecustomize.py, put
first on PYTHONPATH, maps ``torch`` imports to ``autograd_cpp``), one
thread, under ``nice`` and a time limit ($LIMIT seconds, 300 by default),
and appends to $REALPROGS/results.json. ``programs.json`` holds each
program's command line, the constants it lowers (old, new text) and the
data it links.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("REALPROGS", "/work/scratch/realprogs")
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
WORK = os.path.join(ROOT, "runs")
PROGRAMS: dict[str, dict[str, Any]] = json.load(open(os.path.join(HERE, "programs.json")))

NUM = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+(?:e[-+]?\d+)?")
TIMING = re.compile(r"ms/batch|time:|elapsed|\d+m \d+s|it/s|s/it", re.I)
# Timings inside a line that also prints losses ("step time 12.3ms", "mfu 1.2%").
TIMING_FIELD = re.compile(r"-?\d+\.?\d*\s?ms\b|mfu -?\d+\.?\d*%", re.I)


def run(name: str, lib: str, limit: int) -> dict[str, Any]:
    spec = PROGRAMS[name]
    work = os.path.join(WORK, f"{name}_{lib}")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "progs", spec["folder"]), work)
    for fname, subs in spec["edits"].items():
        path = os.path.join(work, fname)
        with open(path) as f:
            text = f.read()
        for old, new in subs:
            assert old in text, (name, old)
            text = text.replace(old, new)
        with open(path, "w") as f:
            f.write(text)
    for dst, src in spec["links"].items():
        os.makedirs(os.path.dirname(os.path.join(work, dst)), exist_ok=True)
        os.symlink(os.path.join(ROOT, "data", src), os.path.join(work, dst))
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    # The program's folder stands in for an installed package (minGPT is used
    # through `pip install -e .`); shims are offline stand-ins (unidecode,
    # requests, tiktoken) for packages the runs import but never use; pydeps
    # holds what PyTorch's own SummaryWriter needs (`pip install --target
    # $REALPROGS/pydeps --no-deps tensorboard absl-py`).
    paths = [work, os.path.join(ROOT, "shims"), os.path.join(ROOT, "pydeps")]
    if lib == "ag":
        paths = [HERE, os.path.join(REPO, "python"), *paths]
    env["PYTHONPATH"] = ":".join(paths)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(
            ["nice", "-n", "10", sys.executable, *spec["argv"]],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=limit,
        )
        rc: int | str = done.returncode
        out, err = done.stdout, done.stderr
    except subprocess.TimeoutExpired as e:
        rc = "timeout"
        out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = (e.stderr or b"").decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    with open(f"{work}.out", "w") as f:
        f.write(out)
    with open(f"{work}.err", "w") as f:
        f.write(err)
    last = [line for line in err.strip().splitlines() if line and not line.startswith(" ")]
    error = last[-1][:200] if rc != 0 and last else ""
    return {"rc": rc, "cpu": round(cpu, 1), "error": error, "out": out}


def numbers(text: str) -> list[float]:
    values: list[float] = []
    for line in text.splitlines():
        if not TIMING.search(line):
            values += [float(x) for x in NUM.findall(TIMING_FIELD.sub("", line))]
    return values


def compare(ours: str, theirs: str) -> str:
    a, b = numbers(ours), numbers(theirs)
    if not a and not b:
        return "no numbers"
    if len(a) != len(b):
        return f"differ (count {len(a)} vs {len(b)})"
    rel = sorted(abs(x - y) / max(abs(x), abs(y), 1e-12) for x, y in zip(a, b))
    if rel[-1] <= 1e-5:
        return "identical"
    if rel[-1] <= 1e-3:
        return "agree (<=1e-3)"
    return f"differ (median rel {rel[len(rel) // 2]:.2g}, max {rel[-1]:.2g})"


def main() -> None:
    names = sys.argv[1:] or list(PROGRAMS)
    limit = int(os.environ.get("LIMIT", "300"))
    path = os.path.join(ROOT, "results.json")
    results = json.load(open(path)) if os.path.exists(path) else {}
    for name in names:
        runs = {lib: run(name, lib, limit) for lib in os.environ.get("LIBS", "torch,ag").split(",")}
        entry: dict[str, Any] = {
            lib: {k: v for k, v in r.items() if k != "out"} for lib, r in runs.items()
        }
        if len(runs) == 2 and runs["ag"]["rc"] == 0 and runs["torch"]["rc"] == 0:
            entry["verdict"] = compare(runs["ag"]["out"], runs["torch"]["out"])
            entry["ratio"] = round(runs["ag"]["cpu"] / max(runs["torch"]["cpu"], 0.05), 2)
        results[name] = entry
        print(name, json.dumps(entry), flush=True)
        with open(path, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
