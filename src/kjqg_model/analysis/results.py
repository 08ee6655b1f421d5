"""The rows of a probability table (`evaluate_targets`, the CLI, the briefs), defined once."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class ResultRow:
    plan: str
    target_id: str
    name: str
    geo: str
    indicator: str  # the series judged: a vocabulary indicator or an analyst series <plan>.<stem>
    basis: str  # inflow | outflow for turnover, else the target's basis or ''
    kind: str
    year: int
    comparator: str
    threshold: float
    unit: str
    scenario: str
    origin: int | None
    n_paths: int
    seed: int
    state: str  # readiness.State value: what code branches on
    status: str  # the same in words, with what to do about it
    probability: float = np.nan
    mc_se: float = np.nan
    n_obs: int = 0  # observations the probability rests on (1-2: thin)
    progress_ratio: float = np.nan
    progress: str = "n/a"
    actual: float = np.nan
    actual_qualifier: str = ""  # '>' when only a lower bound is published
    met: bool | None = None
    alt_basis_probability: float = np.nan
    alt_basis_actual: float = np.nan


COLUMNS = [f.name for f in fields(ResultRow)]
