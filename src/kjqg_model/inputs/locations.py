"""Where the shipped parameters live: `params/` beside `src/` in a checkout, or inside the wheel."""

from __future__ import annotations

import os
from pathlib import Path


def _shipped(name: str, marker: str) -> Path:
    here = Path(__file__).resolve().parents[1]  # the package folder (this file is in inputs/)
    for candidate in (here.parents[1] / name, here / name):
        if (candidate / marker).is_file():
            return candidate
    raise FileNotFoundError(f"kjqg_model {name}/ not found beside {here}")


def notebooks_dir() -> Path:
    return _shipped("notebooks", "brief.ipynb")


def params_dir() -> Path:
    env = os.environ.get("KJQG_PARAMS")
    if env:
        return Path(env)
    return _shipped("params", "indicators.yaml")
