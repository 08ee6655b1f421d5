from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kjqg_model.locations import params_dir

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture
def params_copy(tmp_path: Path) -> Path:
    """A private copy of params/ to break on purpose."""
    dst = tmp_path / "params"
    shutil.copytree(params_dir(), dst)
    return dst


HEADER = "geo,indicator,year,value,unit,qualifier,source,note\n"


def write_csv(folder: Path, body: str, name: str = "extra.csv", header: str = HEADER, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes((header + body).encode(encoding))
    return path
