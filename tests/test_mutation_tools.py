"""The mutation tools must keep applying as the package moves on: a replayed
bug whose original text has gone would silently test nothing."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_known_bugs_table_changes_still_apply() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "mutation" / "known_bugs_table.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "changes apply" in result.stdout
