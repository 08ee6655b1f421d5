"""Where the shipped parameters live: `params/` beside `src/` in a checkout, or inside the wheel."""

from __future__ import annotations

import os
from pathlib import Path


def params_dir() -> Path:
    env = os.environ.get("KJQG_PARAMS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1] / "params", here / "params"):
        if (candidate / "indicators.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"kjqg_model parameters not found beside {here}; set KJQG_PARAMS")
