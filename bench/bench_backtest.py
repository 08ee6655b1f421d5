"""`kjqg backtest` (origins 2014–2022, every province, the five indicators, the default methods,
the ex-post table and the figures) against its 60 s budget on 2 cores.

    .venv/bin/python bench/bench_backtest.py [--one-process]

Runs the command as a user would, into a fresh folder, and prints its wall time and the ratio
to the budget (aim: at most 1). With --one-process, also the same scoring on one process
(`score_backtest` at jobs 1) and the speed-up of the two-process split.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET = 60.0  # seconds, issue "Honest probabilities"
BIN = Path(sys.executable).parent


def command_seconds(out: Path) -> float:
    t = time.perf_counter()
    subprocess.run([str(BIN / "kjqg"), "backtest", "--out", str(out)], check=True, capture_output=True)
    return time.perf_counter() - t


def scoring_seconds(jobs: int) -> float:
    from kjqg_model.analysis.backtest import BacktestSpec, score_backtest
    from kjqg_model.inputs.context import Context

    ctx = Context.get()
    t = time.perf_counter()
    score_backtest(ctx, BacktestSpec(jobs=jobs))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--one-process", action="store_true", help="also time the scoring on one process")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wall = command_seconds(Path(tmp) / "out")
    print(f"kjqg backtest: {wall:.1f} s, {wall / BUDGET:.2f} x the {BUDGET:.0f} s budget")
    if args.one_process:
        one, two = scoring_seconds(1), scoring_seconds(2)
        print(f"scoring alone: {one:.1f} s on one process, {two:.1f} s on two ({one / two:.2f} x)")


if __name__ == "__main__":
    main()
