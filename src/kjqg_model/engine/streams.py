"""Monte Carlo primitives on numpy arrays: named random streams (common random numbers) and
the draws of a drift path.

Every random quantity comes from a stream named after what it drives (e.g. "广西/gdp/shock"), so
two scenarios that differ only in fiscal growth see the same GDP and R&D shocks. Path i's numbers
in a stream depend only on (seed, name, i): they come from fixed blocks of paths, so drawing in
chunks of any size gives the same numbers as drawing all paths at once.
"""

from __future__ import annotations

import contextvars
import os
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import pairwise

import numpy as np
from scipy import special
from threadpoolctl import ThreadpoolController

# project() holds every path (paths x years x 8 bytes): 50M paths of ten years take 4 GB, a sixth of
# this machine's 24 GiB; evaluation runs in chunks, but 50M paths already take about a minute
MAX_PATHS = 50_000_000
BLOCK = 65536  # paths per generator block (a block is drawn only as far as it is used)
# threads a simulation spreads its chunks of paths over (run_chunks)
THREADS = min(2, os.cpu_count() or 1)
PAIRS = 65536  # Box–Muller pairs made at a time: temporaries stay in cache, few calls release the GIL


# callers inside one_blas_thread(), the limit they share, and the BLAS controller (found once: ~3 ms)
_BLAS: dict = {"users": 0, "limiter": None, "controller": None}
_BLAS_LOCK = threading.Lock()


@contextmanager
def one_blas_thread():
    """BLAS on one thread while any caller is inside: on skinny (paths x years) products extra BLAS
    threads only contend, with each other and with the simulation's own threads (a 65,536 x 7
    product: 0.3 ms on one thread, 5 ms beside a busy core). Safe to nest and to enter from several
    threads: the first in sets the limit, the last out restores it."""
    with _BLAS_LOCK:
        if not _BLAS["users"]:
            if _BLAS["controller"] is None:
                _BLAS["controller"] = ThreadpoolController()
            _BLAS["limiter"] = _BLAS["controller"].limit(limits=1, user_api="blas")
        _BLAS["users"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS["users"] -= 1
            if not _BLAS["users"]:
                _BLAS["limiter"].restore_original_limits()


def run_chunks(fn, chunks: list) -> None:
    """fn(chunk) for every chunk, on THREADS threads (numpy's draws and ufuncs release the GIL, so
    chunks run on both cores), with BLAS on one thread meanwhile. Each thread runs in a copy of the
    caller's context, so a caller's np.errstate still holds."""
    with one_blas_thread():
        if THREADS > 1 and len(chunks) > 1:
            caller = contextvars.copy_context()
            with ThreadPoolExecutor(min(THREADS, len(chunks))) as pool:
                list(pool.map(lambda chunk: caller.copy().run(fn, chunk), chunks))
        else:
            for chunk in chunks:
                fn(chunk)


class Streams:
    """Reproducible draws keyed by (seed, stream name, path index), for paths start, start+1, ..."""

    def __init__(self, seed: int, start: int = 0):
        self.seed, self.start = int(seed), int(start)

    def _fill(self, name: str, n: int, width: int, dtype, draw) -> np.ndarray:
        """Rows start..start+n-1 of the stream, written straight into one array (no copies of
        whole blocks): `draw(rng, out)` fills `out` with the next numbers of `rng`."""
        key = zlib.crc32(name.encode("utf-8"))
        out = np.empty((n, width), dtype)
        first, last = self.start // BLOCK, (self.start + n - 1) // BLOCK
        for b in range(first, last + 1):
            # SFC64: ~12 % faster than the default PCG64 at drawing normals, same statistical quality
            rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence([self.seed, key, b])))
            lo = max(self.start - b * BLOCK, 0)
            hi = min(self.start + n - b * BLOCK, BLOCK)
            at = b * BLOCK + lo - self.start
            if lo == 0:
                draw(rng, out[at : at + hi])
            else:  # a chunk starting inside a block: draw the block's head, keep its tail
                head = np.empty((hi, width), dtype)
                draw(rng, head)
                out[at : at + hi - lo] = head[lo:]
        return out

    def chunks(self, n: int, size: int = BLOCK) -> list[tuple[int, int, Streams]]:
        """Rows 0..n-1 cut into (lo, hi, streams of rows lo..hi-1) of at most `size` rows (a multiple
        of BLOCK), cut where blocks begin: no block is drawn by two chunks."""
        cuts = [0, *range(size - self.start % size, n, size), n]
        return [(lo, hi, Streams(self.seed, self.start + lo)) for lo, hi in pairwise(cuts)]

    def normal(self, name: str, n: int, h: int | None = None, dtype=np.float64) -> np.ndarray:
        """Standard normals: one per path, or (paths x years). float32 suits shock matrices and
        parameter draws, and is drawn by Box–Muller (2.5x as fast); float64 by numpy's ziggurat."""
        if np.dtype(dtype) == np.float32:
            out = self._fill(name, n, h or 1, dtype, box_muller)
        else:
            out = self._fill(name, n, h or 1, dtype, lambda rng, o: rng.standard_normal(out=o, dtype=dtype))
        return out[:, 0] if h is None else out

    def uniform(self, name: str, n: int, h: int | None = None, dtype=np.float64) -> np.ndarray:
        out = self._fill(name, n, h or 1, dtype, lambda rng, o: rng.random(out=o, dtype=dtype))
        return out[:, 0] if h is None else out


def box_muller(rng: np.random.Generator, out: np.ndarray) -> None:
    """Fill the contiguous float32 array `out` with standard normals, a pair from each raw 64-bit
    word of `rng`'s bit generator: radius sqrt(-2 log u) with u = (high 32 bits + 1) / 2^32 in (0, 1]
    (the tail reaches 6.66 sd), angle 2 pi (low 32 bits) / 2^32. Exactly normal up to float32
    rounding, and 2.5x as fast as numpy's float32 ziggurat, which makes one number per call. Word k
    always makes numbers 2k and 2k + 1, so a row's numbers do not depend on how many are drawn."""
    flat = out.reshape(-1)  # a view: `out` is contiguous
    for lo in range(0, flat.size, 2 * PAIRS):
        part = flat[lo : lo + 2 * PAIRS]
        words = rng.bit_generator.random_raw((part.size + 1) // 2).view(np.uint32)  # (low, high) pairs
        radius = words[1::2].astype(np.float32)
        radius += 1
        radius *= np.float32(2.0**-32)
        np.log(radius, out=radius)
        radius *= -2
        np.sqrt(radius, out=radius)
        angle = words[0::2].astype(np.float32)
        angle *= np.float32(2 * np.pi / 2**32)
        np.multiply(np.cos(angle), radius, out=part[0::2])
        half = part.size // 2  # an odd part leaves its last sine unused
        np.multiply(np.sin(angle[:half]), radius[:half], out=part[1::2])


def chi2_over_nu(nu: float, z: np.ndarray) -> np.ndarray:
    """chi^2_nu / nu from standard normals (Wilson–Hilferty): monotone in z, so common random
    numbers carry over, and as cheap as the normal draw itself."""
    c = 2.0 / (9.0 * nu)
    x = z * np.sqrt(c)  # float64: np.sqrt(c) is a float64 scalar; then in place, no more temporaries
    x += 1.0 - c
    np.maximum(x, 0.2, out=x)
    return np.power(x, 3, out=x)


def draw_scale(s2: float, nu: float, z: np.ndarray) -> np.ndarray:
    """Per-path noise scale sigma with sigma^2 ~ s2 * nu / chi2_nu (scaled inverse chi-square)."""
    x = chi2_over_nu(nu, z)
    np.divide(s2, x, out=x)
    return np.sqrt(x, out=x)


def truncated_normal_above(lower: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Standard normal draws conditioned on exceeding `lower`, by inverting the survival function
    at u in [0, 1) (accurate far into the upper tail); never below `lower`."""
    tail = special.ndtr(-np.asarray(lower, dtype=float)) * (1.0 - u)
    with np.errstate(divide="ignore"):
        z = -special.ndtri(tail)
    return np.where(np.isfinite(z) & (z > lower), z, np.nextafter(lower, np.inf) + 1e-12)


def running_sum(steps: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Running sum along each row of a (paths x years) array, as float64 (into `out` if given, else
    a new array laid out as `steps`). A loop over the few year columns beats np.cumsum(axis=1) on
    such arrays by ~4x."""
    if out is None:
        out = np.empty_like(steps, dtype=np.float64)
    out[...] = steps
    for j in range(1, out.shape[1]):
        np.add(out[:, j - 1], out[:, j], out=out[:, j])
    return out
