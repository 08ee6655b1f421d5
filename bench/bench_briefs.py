"""The batch of briefs vs the same work done one notebook after another with plain tools.

    .venv/bin/python bench/bench_briefs.py [--paths 20000]

Plain: for each run of params/runs.yaml, the papermill CLI, then `jupyter nbconvert --to html
--no-input`, then the weasyprint CLI with a stylesheet declaring the full 16 MB CJK font.
Batch: `kjqg briefs --jobs 2` into a fresh folder (so the font subset is built, once).
Prints both wall times and their ratio (aim: batch at least 2x faster).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kjqg_model.inputs.locations import notebooks_dir
from kjqg_model.reporting.batch import load_runs
from kjqg_model.reporting.fonts import cjk_font_path

BIN = Path(sys.executable).parent


def plain(out: Path, paths: int, seed: int) -> float:
    runs, _ = load_runs()
    css = out / "cjk.css"
    css.write_text(
        f'@font-face {{ font-family: cjk; src: url("file://{cjk_font_path()}"); }}\n'
        "body { font-family: cjk, sans-serif; }\n",
        encoding="utf-8",
    )
    t = time.perf_counter()
    for r in runs:
        nb = out / f"{r.name}.ipynb"
        params = dict(
            plan=r.plan,
            scenarios=list(r.scenarios),
            origin=r.origin,
            exante_origin=r.exante_origin,
            n_paths=paths,
            seed=seed,
        )
        subprocess.run(
            [
                BIN / "papermill",
                str(notebooks_dir() / "brief.ipynb"),
                str(nb),
                "-y",
                json.dumps(params),
                "--no-progress-bar",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(nb)], check=True, capture_output=True
        )
        subprocess.run(
            [BIN / "weasyprint", "-s", str(css), str(nb.with_suffix(".html")), str(nb.with_suffix(".pdf"))],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - t


def batch(out: Path, paths: int, seed: int) -> float:
    t = time.perf_counter()
    subprocess.run(
        [BIN / "kjqg", "briefs", "--jobs", "2", "--out", str(out), "--paths", str(paths), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        t_batch = batch(Path(a), args.paths, args.seed)
        t_plain = plain(Path(b), args.paths, args.seed)
        pdfs = sorted(p.name for p in Path(b).glob("*.pdf"))
    print(f"plain papermill + nbconvert + weasyprint, one after another: {t_plain:.1f} s ({len(pdfs)} PDFs)")
    print(f"kjqg briefs --jobs 2:                                       {t_batch:.1f} s")
    print(f"ratio plain / batch: {t_plain / t_batch:.2f}x (aim: >= 2x)")


if __name__ == "__main__":
    main()
