"""Interactive scenario exploration in JupyterLab: sliders for fiscal and GDP growth, the origin and
the plan; the probability table and a fan chart are recomputed (about 0.1 s at 20,000 paths)."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from . import plots
from .context import Context
from .errors import InputError
from .evaluate import concrete_indicator, evaluate_targets
from .fonts import use_cjk_in_matplotlib
from .projection import project
from .scenarios import Scenario

TABLE_COLUMNS = [
    "target_id",
    "name",
    "geo",
    "year",
    "comparator",
    "threshold",
    "unit",
    "probability",
    "mc_se",
    "actual",
    "met",
]


class Explorer:
    def __init__(self, plan: str, n_paths: int = 20_000, seed: int = 0, history_dirs=(), plans_dirs=()):
        self.ctx = Context.get(history_dirs=history_dirs or (), plans_dirs=plans_dirs or ())
        self.n_paths, self.seed = n_paths, seed
        use_cjk_in_matplotlib()
        style = {"description_width": "150px"}
        self.plan = widgets.Dropdown(
            options=list(self.ctx.plans), value=self.ctx.plan(plan).id, description="计划 plan", style=style
        )
        self.fiscal = widgets.FloatSlider(
            value=0.07,
            min=-0.10,
            max=0.30,
            step=0.01,
            readout_format=".0%",
            description="财政科技年增速 fiscal",
            style=style,
        )
        self.fiscal_trend = widgets.Checkbox(value=False, description="按趋势 trend")
        self.gdp = widgets.FloatSlider(
            value=0.05, min=-0.05, max=0.15, step=0.005, readout_format=".1%", description="GDP 年增速", style=style
        )
        self.gdp_trend = widgets.Checkbox(value=True, description="按趋势 trend")
        self.origin = widgets.Dropdown(
            options=[("最新 latest", None), *((str(y), y) for y in range(2019, 2024))],
            value=None,
            description="起点 origin",
            style=style,
        )
        self.series = widgets.Dropdown(description="扇形图 series", style=style)
        self.out = widgets.Output()
        self._refresh_series()
        self.plan.observe(self._refresh_series, names="value")
        for w in (self.plan, self.fiscal, self.fiscal_trend, self.gdp, self.gdp_trend, self.origin, self.series):
            w.observe(self.update, names="value")

    def scenario(self) -> Scenario:
        return Scenario(
            "explorer",
            "set by the sliders",
            {
                "fiscal_st_growth": None if self.fiscal_trend.value else self.fiscal.value,
                "gdp_growth": None if self.gdp_trend.value else self.gdp.value,
            },
        )

    def _refresh_series(self, *_) -> None:
        pairs = sorted(
            {
                (t.geo, concrete_indicator(t, self.ctx.vocab))
                for t in self.ctx.plan(self.plan.value).targets
                if t.indicator
            }
        )
        self.series.options = [(f"{g} {i}", (g, i)) for g, i in pairs]

    def table(self):
        df = evaluate_targets(
            self.plan.value, self.scenario(), self.origin.value, self.n_paths, self.seed, context=self.ctx
        )
        return df[df.probability.notna()][TABLE_COLUMNS]

    def update(self, *_) -> None:
        with self.out:
            self.out.clear_output(wait=True)
            display(self.table().style.hide(axis="index").format({"probability": "{:.1%}", "mc_se": "{:.3f}"}))
            if self.series.value:
                geo, ind = self.series.value
                targets = [
                    t
                    for t in self.ctx.plan(self.plan.value).targets
                    if t.geo == geo and t.indicator and concrete_indicator(t, self.ctx.vocab) == ind
                ]
                end = max([t.year for t in targets] + [2030])
                try:
                    proj = project(
                        geo, ind, self.scenario(), self.origin.value, end, self.n_paths, self.seed, self.ctx.history
                    )
                except InputError as exc:  # no history for that series: said instead of drawn
                    print(f"无法绘制 cannot draw {geo} {ind}: {exc}")
                    return
                fig = plots.fan_chart(proj, self.ctx.history.series(geo, ind), targets, self.ctx.vocab)
                display(fig)
                plt.close(fig)

    def show(self) -> None:
        controls = widgets.VBox(
            [
                self.plan,
                widgets.HBox([self.fiscal, self.fiscal_trend]),
                widgets.HBox([self.gdp, self.gdp_trend]),
                self.origin,
                self.series,
            ]
        )
        display(widgets.VBox([controls, self.out]))
        self.update()
