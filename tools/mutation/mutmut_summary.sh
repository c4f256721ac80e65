#!/usr/bin/env bash
# Counts mutmut's verdicts in the current workspace: killed / total (only the
# mutants named in sample.txt when the run was a sample).
set -euo pipefail
mutmut results --all true > results.txt || true
python - <<'PY'
import collections
import os
import re

sample = set(open("sample.txt").read().split()) if os.path.exists("sample.txt") else None
counts = collections.Counter()
for line in open("results.txt"):
    m = re.match(r"\s*(\S+): (.+)$", line)
    if m and (sample is None or m.group(1) in sample):
        counts[m.group(2).strip()] += 1
total = sum(counts.values())
killed = counts.get("killed", 0) + counts.get("timeout", 0)
print("outcomes:", dict(counts))
scope = f"sample of {len(sample)}" if sample is not None else "all mutants"
print(f"killed (timeouts included) / total ({scope}): {killed} / {total}")
PY
