"""A random sample of mutmut's mutants, for parts too large to run whole on
a shared machine. Run inside a workspace made by mutmut_module.sh:

    python mutmut_sample.py pick N SEED   # generate every mutant, print N of them
    python mutmut_sample.py open FILE     # those in FILE with no verdict yet
    python mutmut_sample.py open FILE --recheck   # ... or not killed

A uniform sample estimates the part's score: with n mutants and k killed,
the 95% interval is about k/n +- 2 sqrt(p(1-p)/n) (+-6 points at n = 100).
"""

from __future__ import annotations

import contextlib
import json
import random
import subprocess
import sys
from pathlib import Path


def all_mutants() -> list[str]:
    names: list[str] = []
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        names.extend(json.loads(meta.read_text())["exit_code_by_key"])
    return sorted(names)


def generate() -> None:
    # The first steps of `mutmut run`, without its test runs (pinned 3.8.1).
    from mutmut.__main__ import (
        copy_also_copy_files,
        copy_src_dir,
        create_mutants,
        setup_source_paths,
    )

    Path("mutants").mkdir(exist_ok=True)
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the names
        copy_src_dir()
        copy_also_copy_files()
        setup_source_paths()
        create_mutants(1)


def verdicts() -> dict[str, str]:
    out = subprocess.run(
        ["mutmut", "results", "--all", "true"], capture_output=True, text=True
    ).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, verdict = line.strip().partition(": ")
        if sep:
            found[name] = verdict.strip()
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["pick"]:
        n, seed = int(argv[1]), int(argv[2])
        generate()
        names = all_mutants()
        picked = sorted(random.Random(seed).sample(names, min(n, len(names))))
        print(f"{len(picked)} of {len(names)} mutants", file=sys.stderr)
        print("\n".join(picked))
        return 0
    if argv[:1] == ["open"]:
        picked = Path(argv[1]).read_text().split()
        recheck = "--recheck" in argv
        seen = verdicts()
        for name in picked:
            verdict = seen.get(name, "not checked")
            if verdict == "not checked" or (recheck and verdict != "killed"):
                print(name)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
