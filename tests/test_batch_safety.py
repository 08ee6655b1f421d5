"""Batch failure safety without rendering: one batch per output folder, and a folder move that
fails puts the last good brief back."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kjqg_model.inputs.errors import InputError
from kjqg_model.reporting.batch import LOCK, _replace, batch_lock


def test_a_second_batch_into_the_same_folder_is_refused(tmp_path):
    with batch_lock(tmp_path):
        assert (tmp_path / LOCK).read_text() == str(os.getpid())
        with pytest.raises(InputError, match="in use by batch process"), batch_lock(tmp_path):
            pass
    assert not (tmp_path / LOCK).exists()  # released


def test_a_dead_batchs_lock_is_taken_over(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / LOCK).write_text(dead.stdout.strip())
    with batch_lock(tmp_path):
        assert (tmp_path / LOCK).read_text() == str(os.getpid())


def test_a_failed_move_puts_the_last_good_brief_back(tmp_path, monkeypatch):
    final, staging = tmp_path / "run", tmp_path / ".run.partial"
    final.mkdir()
    (final / "brief.pdf").write_text("good")
    staging.mkdir()
    real_rename = type(staging).rename

    def refuse(self, target):
        if self == staging:
            raise PermissionError(13, "Permission denied", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(type(staging), "rename", refuse)
    with pytest.raises(PermissionError):
        _replace(staging, final)
    assert (final / "brief.pdf").read_text() == "good"
