from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from kjqg_model.inputs.history import COLUMNS, History
from kjqg_model.inputs.locations import params_dir
from kjqg_model.inputs.vocab import load_vocabulary
from kjqg_model.reporting.batch import Outcome, Run, run_batch


@pytest.fixture
def params_copy(tmp_path: Path) -> Path:
    """A private copy of params/ to break on purpose."""
    dst = tmp_path / "params"
    shutil.copytree(params_dir(), dst)
    return dst


def history_of(rows, data_hash: str = "test", fits: dict | None = None) -> History:
    """A History of the shipped vocabulary from rows (geo, indicator, year, value[, qualifier])."""
    records = [
        dict(geo=r[0], indicator=r[1], year=r[2], value=r[3], qualifier=r[4] if len(r) > 4 else "=", unit="x",
             priority=0, source="s", dataset="d")
        for r in rows
    ]  # fmt: skip
    return History(pd.DataFrame(records, columns=COLUMNS), data_hash, ("a.csv",), load_vocabulary(), fits or {})


HEADER = "geo,indicator,year,value,unit,qualifier,source,note\n"


def write_csv(folder: Path, body: str, name: str = "extra.csv", header: str = HEADER, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes((header + body).encode(encoding))
    return path


BRIEF_PATHS = 400
BRIEF_RUNS = {  # Guangxi with a look-back and two scenarios, Guilin from the latest data, Baise without data
    "gx": Run("gx", "guangxi_2021_2023", ("baseline", "fiscal-15"), 2020, 2021),
    "gl": Run("gl", "guilin_2026_2030", ("baseline",), None, None),
    "bs": Run("bs", "baise_2021_2023", ("baseline",), 2020, 2021),
}


@dataclass(frozen=True)
class Rendered:
    out: Path
    outcomes: list[Outcome]
    text: dict[str, str]  # each run's PDF text
    stderr: str  # what the batch and its kernels wrote to stderr


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Rendered:
    """One real batch of three briefs (papermill, HTML, PDF), shared by the tests that read them."""
    from pypdf import PdfReader  # imported here: only the worker that runs this test pays for it

    base = tmp_path_factory.mktemp("briefs")
    cwd, saved = os.getcwd(), os.dup(2)
    with tempfile.TemporaryFile() as err:
        os.chdir(base)  # a relative output folder, as `make briefs` gives
        os.dup2(err.fileno(), 2)  # the kernels inherit the batch's stderr
        try:
            outcomes = run_batch(list(BRIEF_RUNS.values()), Path("out"), BRIEF_PATHS, 0, jobs=2, progress=False)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.chdir(cwd)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    out = base / "out"
    text = {
        o.run.name: "".join(p.extract_text() for p in PdfReader(out / o.run.name / "brief.pdf").pages)
        for o in outcomes
        if o.ok
    }
    return Rendered(out, outcomes, text, stderr)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the node ids
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`make test` runs two workers), the tests that read the rendered batch
    run on one worker, so the batch is built once."""
    for item in items:
        if "rendered" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("briefs"))
