#!/usr/bin/env bash
# Counts mutmut's verdicts in the current workspace: killed / total.
set -euo pipefail
mutmut results --all true > results.txt || true
python - <<'PY'
import collections
import re

counts = collections.Counter()
for line in open("results.txt"):
    m = re.match(r"\s*(\S+): (.+)$", line)
    if m:
        counts[m.group(2).strip()] += 1
total = sum(counts.values())
killed = counts.get("killed", 0) + counts.get("timeout", 0)
print("outcomes:", dict(counts))
print(f"killed (timeouts included) / total: {killed} / {total}")
PY
