"""Atomic file output: write beside the target, then rename over it, so a failed or interrupted
run never leaves a half-written file nor destroys the last good one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..inputs.errors import InputError


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp_path), then move tmp_path onto `path` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would make shared outputs unreadable
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def refuse_existing(out: Path, force: bool, holds: str, replacement: str) -> None:
    """An existing `out` may be the analyst's own work (`holds` says what): replaced only with --force."""
    if Path(out).exists() and not force:
        raise InputError.single(
            "--out",
            f"{out}, which exists (it may {holds})",
            f"a new file name, or --force to replace it with {replacement}",
        )


def write_csv(frame, path: Path) -> Path:
    return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8"))


def write_text(text: str, path: Path) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def save_figure(fig, path: Path, **kw) -> Path:
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip("."), **kw))
