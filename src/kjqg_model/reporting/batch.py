"""Batch PDF briefs: papermill runs the brief notebook for every run in parallel, nbconvert turns
each into HTML without code, WeasyPrint into PDF with a CJK font subset once for the whole batch.

Each run is built in a hidden folder beside its destination and moved into place only when every
file is written, so a failed rerun leaves the last good brief untouched. One failing run does not
stop the others; its error is summarised and the batch exits non-zero.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

from ..engine.streams import MAX_PATHS
from ..inputs.context import Context
from ..inputs.errors import InputError, Problem, is_whole, shorten
from ..inputs.files import read_yaml
from ..inputs.locations import notebooks_dir, params_dir
from .fonts import subset_font
from .outputs import write_text
from .pdf import html_to_pdf, notebook_to_html
from .provenance import code_version


@dataclass(frozen=True)
class Run:
    name: str
    plan: str
    scenarios: tuple[str, ...]
    origin: int | None = None
    exante_origin: int | None = None


@dataclass
class Outcome:
    run: Run
    error: str = ""
    timings: dict = field(default_factory=dict)
    staging: Path | None = None
    page: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def load_runs(path: Path | None = None, history_dirs=(), plans_dirs=()) -> tuple[list[Run], dict]:
    """The run list (params/runs.yaml) and its defaults (paths, seed, and the analyst folders: its
    `history` and `plans` lists, relative to the file, after those given here), validated."""
    path = Path(path) if path else params_dir() / "runs.yaml"
    f = str(path)
    data = read_yaml(path)
    entries = data.get("runs") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError.single("runs", shorten(entries), "a non-empty list of runs", file=f)
    folders = {"history": [*map(Path, history_dirs)], "plans": [*map(Path, plans_dirs)]}
    for key, listed in folders.items():
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError.single(key, shorten(value), "a list of folders (relative to this file)", file=f)
        listed += [path.parent / v for v in value]
    ctx = Context.get(history_dirs=folders["history"], plans_dirs=folders["plans"])
    problems, runs = [], []
    for i, e in enumerate(entries):
        where = f"run {e.get('name') if isinstance(e, dict) else i + 1}"
        if not isinstance(e, dict) or e.get("plan") not in ctx.plans:
            problems.append(
                Problem(
                    f,
                    where,
                    "plan",
                    shorten(e.get("plan") if isinstance(e, dict) else e),
                    "one of " + ", ".join(ctx.plans),
                )
            )
            continue
        bad = [s for s in e.get("scenarios", ["baseline"]) if s not in ctx.scenarios]
        if bad:
            problems.append(Problem(f, where, "scenarios", ", ".join(map(str, bad)), "names in params/scenarios.yaml"))
        runs.append(
            Run(
                str(e.get("name", e["plan"])),
                e["plan"],
                tuple(e.get("scenarios", ["baseline"])),
                e.get("origin"),
                e.get("exante_origin"),
            )
        )
    names = [r.name for r in runs]
    problems += [Problem(f, f"run {n}", "name", repr(n), "a name used once") for n in set(names) if names.count(n) > 1]
    defaults = {}
    for key, default, lo, hi in (("paths", 20_000, 1, MAX_PATHS), ("seed", 0, 0, 2**63 - 1)):
        value = data.get(key, default)
        if not is_whole(value) or not lo <= value <= hi:
            problems.append(Problem(f, "", key, shorten(value), f"a whole number from {lo:,} to {hi:,}"))
        defaults[key] = value
    if problems:
        raise InputError(problems)
    return runs, {**defaults, "history_dirs": folders["history"], "plans_dirs": folders["plans"]}


def run_batch(
    runs: list[Run],
    out: Path,
    n_paths: int,
    seed: int,
    jobs: int = 2,
    history_dirs=(),
    progress: bool = True,
    plans_dirs=(),
) -> list[Outcome]:
    out = Path(out).resolve()  # the notebooks run with their staging folder as working directory
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context.get(history_dirs=history_dirs, plans_dirs=plans_dirs)  # bad data fails here, once
    common = dict(
        n_paths=n_paths,
        seed=seed,
        history_dirs=[str(Path(d).resolve()) for d in history_dirs],
        plans_dirs=[str(Path(d).resolve()) for d in plans_dirs],
        code_version=code_version(),
    )
    with batch_lock(out):
        remove_stale_staging(out)
        return _run_locked(runs, out, jobs, ctx, common, progress)


def _run_locked(runs: list[Run], out: Path, jobs: int, ctx: Context, common: dict, progress: bool) -> list[Outcome]:
    titles = {r.name: ctx.plan(r.plan).title for r in runs}
    outcomes = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_execute, r, out, common, titles[r.name]) for r in runs]
        done = as_completed(futures)
        if progress:
            from tqdm import tqdm

            done = tqdm(done, total=len(futures), desc="briefs", unit="run")
        outcomes = [f.result() for f in done]
    from .brief import last_data_year  # matplotlib and pandas styling load only for a batch

    good = [o for o in outcomes if o.ok]
    if good:
        font = _batch_font(out, "".join(o.page for o in good))
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            pdfs = {o.run.name: pool.submit(_render, o.page, o.staging, font) for o in good}
            for o in good:
                try:
                    o.timings["pdf_s"] = pdfs[o.run.name].result()
                except Exception as exc:
                    o.error = f"PDF: {type(exc).__name__}: {exc}"
    for o in outcomes:
        if o.ok:
            _write_manifest(o, common, ctx.history.data_hash, last_data_year(ctx, o.run.plan, o.run.origin))
            _replace(o.staging, out / o.run.name)
        elif o.staging is not None:
            shutil.rmtree(o.staging, ignore_errors=True)
    return sorted(outcomes, key=lambda o: o.run.name)


LOCK = ".kjqg-batch.lock"


@contextmanager
def batch_lock(out: Path):
    """One batch at a time writes into `out`: a second one is refused, naming the first; the lock of a
    batch that died (its process is gone) is taken over."""
    lock = out / LOCK
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            owner = lock.read_text(encoding="utf-8").strip() if lock.is_file() else ""
            if owner.isdigit() and _alive(int(owner)):
                raise InputError.single(
                    "--out",
                    f"{out} in use by batch process {owner}",
                    "a folder no other `kjqg briefs` is writing to: wait for it to finish, or give another --out",
                ) from None
            lock.unlink(missing_ok=True)  # a dead batch's lock
    else:
        raise InputError.single("--out", f"{out} locked ({lock})", "a folder whose lock can be taken")
    try:
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove the staging folders of batches that died (killed, machine restarted): each is named
    after its batch's process, and a folder whose process is gone is never moved into place."""
    removed = []
    for folder in out.glob(".*.partial-*"):
        pid = folder.name.rsplit(".partial-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _execute(run: Run, out: Path, common: dict, title: str) -> Outcome:
    """Run the brief notebook into a staging folder and build its HTML page (no PDF yet)."""
    import papermill

    outcome = Outcome(run)
    outcome.staging = Path(tempfile.mkdtemp(prefix=f".{run.name}.partial-{os.getpid()}-", dir=out))
    outcome.staging.chmod(0o755)
    params = dict(
        plan=run.plan,
        scenarios=list(run.scenarios),
        origin=run.origin,
        exante_origin=run.exante_origin,
        out_dir=str(outcome.staging),
        **common,
    )
    try:
        t = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="kjqg-ipc-") as sockets:
            papermill.execute_notebook(
                str(notebooks_dir() / "brief.ipynb"),
                str(outcome.staging / "brief.ipynb"),
                parameters=params,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(outcome.staging),
                config=_local_kernel(Path(sockets)),
            )
        outcome.timings["execute_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        outcome.page = notebook_to_html(
            outcome.staging / "brief.ipynb",
            title,
            f"{title if len(title) <= 30 else title[:29] + '…'} · {run.name}",  # one line; provenance is on p.1
        )
        write_text(outcome.page, outcome.staging / "brief.html")
        outcome.timings["html_s"] = round(time.perf_counter() - t, 2)
    except Exception as exc:
        evalue = getattr(exc, "evalue", None)
        outcome.error = f"{getattr(exc, 'ename', type(exc).__name__)}: {evalue if evalue is not None else exc}"
    return outcome


def _local_kernel(sockets: Path):
    """Kernel settings: talk over local sockets in a private folder, not unencrypted TCP (so the
    kernel has nothing to warn about); one folder per run, so parallel kernels never share one."""
    from traitlets.config import Config

    return Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})


def _batch_font(out: Path, text: str) -> Path:
    """The CJK font cut to the characters of this batch's pages, cached by that character set."""
    chars = "".join(sorted({c for c in text if ord(c) > 127}))
    path = out / ".font-cache" / f"cjk-{hashlib.sha256(chars.encode()).hexdigest()[:16]}.otf"
    return path if path.is_file() else subset_font(chars, path)


def _render(page: str, staging: Path, font: Path) -> float:
    t = time.perf_counter()
    html_to_pdf(page, staging / "brief.pdf", staging, font)
    return round(time.perf_counter() - t, 2)


def _write_manifest(o: Outcome, common: dict, data_hash: str, last_year: int | None) -> None:
    manifest = dict(
        run=o.run.name,
        plan=o.run.plan,
        scenarios=list(o.run.scenarios),
        origin=o.run.origin,
        last_data_year=last_year,  # the latest year the projections rest on (what origin null meant)
        exante_origin=o.run.exante_origin,
        n_paths=common["n_paths"],
        seed=common["seed"],
        history_dirs=common["history_dirs"],
        plans_dirs=common["plans_dirs"],
        data_hash=data_hash,
        code_version=common["code_version"],
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        timings=o.timings,
        files=[*sorted(p.name for p in o.staging.iterdir()), "manifest.json"],
    )
    write_text(json.dumps(manifest, ensure_ascii=False, indent=2), o.staging / "manifest.json")


def _replace(staging: Path, final: Path) -> None:
    """Move a complete run folder into place; the previous one is removed only after, and put back
    if the move fails (a folder turned read-only or vanished)."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{time.time_ns()}")
        final.rename(old)
    try:
        staging.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
