"""Real papermill runs of the three notebooks (few paths), one brief rendered to PDF and read
back, and a failing rerun that must leave the earlier brief intact."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from kjqg_model.inputs.locations import notebooks_dir
from kjqg_model.reporting.batch import Run, run_batch

from .conftest import BRIEF_PATHS


@pytest.mark.parametrize("name", ["brief", "explorer", "validation"])
def test_every_import_of_every_notebook_resolves(name):
    # the validation notebook runs only in the slow tests: a moved function must fail here too
    cells = json.loads((notebooks_dir() / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    imports = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert imports
    exec(compile(ast.Module(body=imports, type_ignores=[]), name, "exec"), {})


def test_batch_writes_every_file_with_a_manifest(rendered):
    out, outcomes = rendered.out, rendered.outcomes
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    for name, lookback in (("gx", {"lookback_probabilities.csv"}), ("gl", set())):
        files = {p.name for p in (out / name).iterdir()}
        common = {"brief.ipynb", "brief.html", "brief.pdf", "probabilities.csv", "probabilities.xlsx", "manifest.json"}
        assert files == common | lookback
        manifest = json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["n_paths"] == BRIEF_PATHS and manifest["seed"] == 0 and len(manifest["data_hash"]) == 16
        assert manifest["code_version"].startswith("kjqg_model ") and manifest["timings"]["execute_s"] > 0
    assert not [p for p in out.iterdir() if ".partial-" in p.name or ".old-" in p.name]


def test_pdf_has_the_chinese_targets_and_thresholds_and_no_code(rendered):
    out, text = rendered.out, rendered.text["gx"]
    squeezed = "".join(text.split())
    for expected in (
        "科技强桂三年行动方案",
        "全社会R&D经费投入强度",
        "高新技术企业数量",
        "＞1.3%",
        "≥4200家",
        "技术合同成交额",
        "目标达成概率",
        "方法与注意事项",
    ):
        assert expected in squeezed, expected
    for code in ("import", "brief.show", "display(", "Brief(", "<Figure"):
        assert code not in text, code
    html = (out / "gx" / "brief.html").read_text(encoding="utf-8")
    assert 'charset="utf-8"' in html and "data:image/png;base64" in html and "brief.show" not in html


def test_a_failing_rerun_keeps_the_last_good_brief(rendered):
    out = rendered.out
    before = (out / "gx" / "brief.pdf").read_bytes()
    outcomes = run_batch(
        [Run("gx", "guangxi_2021_2023", ("no-such-scenario",), 2020, None)], out, BRIEF_PATHS, 0, jobs=1, progress=False
    )
    assert not outcomes[0].ok and "no-such-scenario" in outcomes[0].error
    assert (out / "gx" / "brief.pdf").read_bytes() == before
    assert not [p for p in out.iterdir() if ".partial-" in p.name]


@pytest.mark.parametrize(
    ("name", "parameters"),
    [
        ("explorer", dict(plan="guilin_2026_2030", n_paths=BRIEF_PATHS)),
        pytest.param(
            "validation",
            dict(origins="2021", indicators=["hte_recognitions"], n_paths=200),
            marks=pytest.mark.slow,  # runs a backtest; tests/test_backtest.py covers the library side fast
        ),
    ],
)
def test_notebook_runs_top_to_bottom_with_overrides(tmp_path, name, parameters):
    if name == "validation":
        parameters["out_dir"] = str(tmp_path / "backtest")
    import papermill  # imported here: only the worker that runs this test pays for it

    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(notebooks_dir() / f"{name}.ipynb"),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    rich = json.dumps(outputs)
    assert "text/html" in rich or "image/png" in rich
    if name == "validation":
        assert (Path(parameters["out_dir"]) / "scores.csv").is_file()
