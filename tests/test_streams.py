"""Random streams: float32 normals by Box–Muller are standard normal, and any chunking of the paths
gives the same numbers."""

from __future__ import annotations

import numpy as np

from kjqg_model.engine.streams import BLOCK, Streams, box_muller


def test_box_muller_draws_are_standard_normal():
    from scipy import stats  # imported here: only the worker that runs this test pays for it

    z = np.empty(2_000_000, np.float32)
    box_muller(np.random.Generator(np.random.SFC64(7)), z)
    se = 1 / np.sqrt(z.size)
    assert abs(z.mean()) < 4 * se and abs(z.var() - 1) < 4 * np.sqrt(2) * se
    assert abs(stats.kurtosis(z) - 0.0) < 4 * np.sqrt(24) * se
    for k in (1, 2, 3, 4):  # tail rates, two-sided
        expected = 2 * stats.norm.sf(k)
        assert abs(np.mean(np.abs(z) > k) - expected) < 5 * np.sqrt(expected / z.size), k
    assert stats.kstest(z[:200_000], "norm").pvalue > 1e-3
    assert abs(np.corrcoef(z[0::2], z[1::2])[0, 1]) < 4 * se * np.sqrt(2)  # the pair's sine and cosine


def test_an_odd_length_fill_is_the_prefix_of_a_longer_one():
    a, b = np.empty(1001, np.float32), np.empty(4000, np.float32)
    box_muller(np.random.Generator(np.random.SFC64(3)), a)
    box_muller(np.random.Generator(np.random.SFC64(3)), b)
    assert np.array_equal(a, b[:1001])


def test_the_same_paths_whatever_the_chunks():
    n = BLOCK + 5000
    whole = Streams(11).normal("shock", n, 7, np.float32)
    parts = [
        Streams(11, lo).normal("shock", hi - lo, 7, np.float32)
        for lo, hi in ((0, 3000), (3000, BLOCK + 10), (BLOCK + 10, n))
    ]
    assert np.array_equal(whole, np.vstack(parts))
    chunked = [s.normal("shock", hi - lo, 7, np.float32) for lo, hi, s in Streams(11).chunks(n)]
    assert np.array_equal(whole, np.vstack(chunked))
