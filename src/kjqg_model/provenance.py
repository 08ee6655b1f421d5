"""Which code produced an output: package version and git commit (with a mark if uncommitted)."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

from . import __version__


@cache
def git_commit() -> str:
    repo = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+uncommitted" if dirty else "")


def code_version() -> str:
    return f"kjqg_model {__version__} @ {git_commit()}"
