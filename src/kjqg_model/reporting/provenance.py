"""Which code produced an output: package version and git commit (with a mark if uncommitted)."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

from .. import __version__


def _git(*args: str) -> str:
    repo = Path(__file__).resolve().parents[2]
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


@cache
def git_commit() -> str:
    try:
        head = _git("rev-parse", "--short=12", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+uncommitted" if dirty else "")


def code_version() -> str:
    return f"kjqg_model {__version__} @ {git_commit()}"
