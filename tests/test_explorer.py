"""The explorer headless (ipywidgets needs no browser): every plan at every origin it offers shows a
table and a fan chart or says why not, and the shipped notebook stays as JupyterLab would save it."""

from __future__ import annotations

import shutil

import pytest

from kjqg_model import explorer
from kjqg_model.inputs.context import Context
from kjqg_model.inputs.locations import notebooks_dir
from kjqg_model.inputs.scenarios import PARAMETERS
from kjqg_model.reporting.explorer import LATEST, NO_EFFECT, ORIGINS, Explorer, moves

PATHS = 100  # enough to exercise every branch; the probabilities themselves are tested elsewhere
NOTEBOOK = notebooks_dir() / "explorer.ipynb"


@pytest.fixture
def shown(monkeypatch) -> list:
    """What the explorer hands to IPython's display: the widgets, and the static snapshot."""
    out: list = []
    monkeypatch.setattr(explorer, "display", lambda obj, **_: out.append(obj))
    return out


def assert_readable(e: Explorer) -> None:
    text = e.frame().to_string() + e.table().to_html()
    for bad in ("nan", "None", ".000000", "NaN"):
        assert bad not in text, (e.plan.value, e.origin.value, bad)


def drawn(e: Explorer) -> str:
    """What the chart panel holds: 'png' or its message."""
    (output,) = e.chart_out.outputs
    return "png" if "image/png" in output.get("data", {}) else output["text"]


@pytest.mark.parametrize(
    "origin",
    # the default run keeps the origin the issue named (latest, on Guangxi) and 2019 (a stock with no start)
    [value if value in (LATEST, 2019) else pytest.param(value, marks=pytest.mark.slow) for _, value in ORIGINS],
)
def test_every_plan_and_series_at_every_origin_shows_without_a_traceback(origin, shown):
    for plan in Context.get().plans:
        e = Explorer(plan, n_paths=PATHS, origin=None if origin == LATEST else origin)
        e.show()
        assert drawn(e) and len(e.table_out.outputs) == 1
        for _, series in e.series.options[1:]:  # each redraws the chart
            e.series.value = series
            assert drawn(e)
        e.trends["gdp_growth"].value = False  # a slider change recomputes both
        assert_readable(e)


def test_a_fan_chart_shows_on_load(shown):
    e = Explorer("guangxi_2021_2023", n_paths=PATHS, origin=2020)
    e.show()
    assert e.series.value == e.series.options[0][1] and drawn(e) == "png"
    assert "text/html" in e.table_out.outputs[0]["data"]
    shown.clear()
    e.snapshot()  # the static copy papermill keeps
    assert [next(iter(o)) for o in shown] == ["text/html", "image/png"]


def test_a_plan_without_modelled_series_says_so_in_chinese(shown):
    e = Explorer("baise_2021_2023", n_paths=PATHS)
    e.show()
    assert e.series.disabled and "没有可建模的统计序列" in drawn(e)
    assert "kjqg template --plan baise_2021_2023" in e.table_out.outputs[0]["text"]


def test_the_origin_dropdown_names_latest():
    e = Explorer("guilin_2026_2030", n_paths=PATHS)
    assert e.origin.value == LATEST and e.origin.label == "最新 latest" and e.origin_year is None
    e.origin.value = 2021
    assert e.origin_year == 2021


def test_slider_ranges_come_from_the_scenario_schema():
    e = Explorer("guilin_2026_2030", n_paths=PATHS)
    assert {p: (s.min, s.max) for p, s in e.rates.items()} == PARAMETERS


def test_which_slider_moves_which_indicator():
    vocab = Context.get().vocab
    assert moves("fiscal_st_growth", "rd_intensity", vocab) and moves("gdp_growth", "rd_intensity", vocab)
    assert moves("gdp_growth", "rd_expenditure", vocab) and not moves("gdp_growth", "hte_stock", vocab)
    assert not moves("fiscal_st_growth", "tech_contract_turnover_inflow", vocab)


def test_a_slider_that_moves_nothing_is_greyed_out_with_a_hint():
    e = Explorer("guilin_2026_2030", n_paths=PATHS)  # only the stock of high-tech firms is modelled
    assert all(e.rates[p].disabled and NO_EFFECT in e.hints[p].value for p in PARAMETERS)
    e.plan.value, e.origin.value = "guangxi_2021_2023", 2020  # R&D intensity is modelled from 2020
    e.trends["fiscal_st_growth"].value = False
    assert not e.rates["fiscal_st_growth"].disabled and not e.hints["fiscal_st_growth"].value


def test_the_table_is_for_people():
    e = Explorer("guangxi_2021_2023", n_paths=PATHS, origin=2020)
    frame = e.frame()
    assert list(frame.columns) == ["目标", "地区", "年份", "目标值", "达成概率", "观测数", "实际", "已达成"]
    assert set(frame["已达成"]) <= {"是", "否", "—"} and "否" in set(frame["已达成"])
    assert frame["达成概率"].str.fullmatch(r"\d+\.\d%|—").all()
    assert not frame.duplicated().any()
    assert_readable(e)


def test_the_notebook_is_as_jupyterlab_saves_it(tmp_path):
    """Opening it must not modify it: JupyterLab sets the kernel's language_info and kernelspec
    (unchanged when equal), and the server writes with nbformat; no outputs or widget state."""
    import nbformat
    import papermill
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_server.services.contents.filemanager import FileContentsManager

    raw = NOTEBOOK.read_bytes()
    nb = nbformat.reads(raw.decode("utf-8"), as_version=nbformat.NO_CONVERT)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5) and all(c.get("id") for c in nb.cells)
    assert set(nb.metadata) == {"kernelspec", "language_info"}
    spec = KernelSpecManager().get_kernel_spec(nb.metadata.kernelspec.name)
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": spec.display_name, "language": spec.language}
    assert nb.metadata.language_info == IPythonKernel.language_info
    parameters = {"plan", "origin", "n_paths", "seed", "history_dirs", "plans_dirs"}
    assert set(papermill.inspect_notebook(str(NOTEBOOK))) == parameters  # each line parses
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    manager = FileContentsManager(root_dir=str(tmp_path))
    manager.save(manager.get(NOTEBOOK.name), NOTEBOOK.name)  # what autosave writes
    assert (tmp_path / NOTEBOOK.name).read_bytes() == raw
