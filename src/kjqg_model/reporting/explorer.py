"""Interactive scenario exploration in JupyterLab: sliders for fiscal and GDP growth, the origin and
the plan; the probability table and a fan chart are recomputed on the same random numbers.

Every plan and origin draws something or says in Chinese why it cannot: a callback's traceback
would land in JupyterLab's log console, where a reader never looks."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from ..analysis.evaluate import evaluate_plans
from ..analysis.outcomes import concrete_indicator
from ..analysis.whatif import fiscal_driven
from ..engine.projection import Settings, simulate_indicator
from ..inputs.context import Context
from ..inputs.errors import InputError
from ..inputs.scenarios import PARAMETERS, SERIES, TITLES, Scenario
from ..inputs.targets import Target
from . import plots
from .tables import MISSING, cell_text

LATEST = "latest"  # the origin dropdown's value for "all data": a None value would show a blank box
ORIGINS = [("最新 latest", LATEST), *((str(y), y) for y in range(2019, 2024))]


@dataclass(frozen=True)
class Slider:
    """How a scenario parameter's slider moves; its title and range are the scenario schema's
    (params/scenarios.yaml via scenarios.TITLES and scenarios.PARAMETERS)."""

    step: float
    readout: str
    rate: float  # shown before the reader sets one
    trend: bool  # whether it starts on the fitted trend


SLIDERS = {
    "fiscal_st_growth": Slider(0.01, ".0%", 0.07, False),
    "gdp_growth": Slider(0.005, ".1%", 0.05, True),
}
KIND_MARK = {"increase": "增量", "growth_rate": "年增速", "cumulative": "累计"}
BASIS_MARK = {"inflow": "（按吸纳地域）", "outflow": "（按输出地域）"}
NO_EFFECT = "对本计划已建模的目标没有影响 changes nothing for this plan"
# the table fits the notebook's width: long names wrap, the numbers do not
TABLE_CSS = [
    {"selector": "", "props": "width: 100%; max-width: 100%; table-layout: auto; font-size: 12px;"},
    {"selector": "th, td", "props": "white-space: normal; text-align: left; vertical-align: top; padding: 2px 6px;"},
]
NAME_CSS = [{"selector": "", "props": "min-width: 10em; max-width: 22em; overflow-wrap: anywhere;"}]
NUMBER_CSS = [{"selector": "", "props": "white-space: nowrap; text-align: right;"}]


def moves(parameter: str, indicator: str, vocab) -> bool:
    """Whether a scenario parameter moves the indicator in the model: fiscal S&T growth drives the
    R&D model; GDP growth drives it too, and is the denominator of R&D intensity."""
    if parameter == "fiscal_st_growth":
        return fiscal_driven(indicator, vocab)
    ind = vocab.indicators[indicator]
    return (
        indicator == SERIES[parameter]
        or ind.model == "rd_panel"
        or (ind.model == "ratio" and any(moves(parameter, i, vocab) for i in ind.inputs))
    )


class Explorer:
    def __init__(
        self,
        plan: str,
        n_paths: int = 20_000,
        seed: int = 0,
        history_dirs=(),
        plans_dirs=(),
        origin: int | None = None,
    ):
        self.ctx = Context.get(history_dirs=history_dirs or (), plans_dirs=plans_dirs or ())
        self.n_paths, self.seed = n_paths, seed
        self._evaluated: tuple[tuple, pd.DataFrame] | None = None  # the last settings and their results
        self._series_targets: dict[tuple[str, str], list[Target]] = {}
        style = {"description_width": "150px"}
        self.plan = widgets.Dropdown(
            options=list(self.ctx.plans), value=self.ctx.plan(plan).id, description="计划 plan", style=style
        )
        self.origin = widgets.Dropdown(
            options=ORIGINS, value=LATEST if origin is None else origin, description="起点 origin", style=style
        )
        self.rates = {p: self._slider(p, style) for p in PARAMETERS}
        self.trends = {p: self._trend_box(p) for p in PARAMETERS}
        self.hints = {p: widgets.HTML() for p in PARAMETERS}
        self.series = widgets.Dropdown(description="扇形图 series", style=style)
        self.table_out, self.chart_out = widgets.Output(), widgets.Output()
        for w in (self.plan, self.origin):
            w.observe(self._on_plan, names="value")
        for w in (*self.rates.values(), *self.trends.values()):
            w.observe(self._on_scenario, names="value")
        self.series.observe(self._on_series, names="value")
        self._replan()

    @staticmethod
    def _slider(parameter: str, style: dict) -> widgets.FloatSlider:
        """A rate slider over the parameter's allowed range (scenarios.PARAMETERS, one place for it)."""
        look, (lo, hi) = SLIDERS[parameter], PARAMETERS[parameter]
        return widgets.FloatSlider(
            value=look.rate,
            min=lo,
            max=hi,
            step=look.step,
            readout_format=look.readout,
            description=TITLES[parameter],
            style=style,
        )

    @staticmethod
    def _trend_box(parameter: str) -> widgets.Checkbox:
        """Follow the fitted trend instead of the slider's rate (narrow: the row must fit the notebook)."""
        return widgets.Checkbox(
            value=SLIDERS[parameter].trend, description="按趋势 trend", indent=False, layout={"width": "auto"}
        )

    # --- what the controls say --------------------------------------------------------------

    @property
    def origin_year(self) -> int | None:
        return None if self.origin.value == LATEST else self.origin.value

    def scenario(self) -> Scenario:
        """The baseline adjusted by the controls, checked against the scenario schema."""
        diff = {p: None if self.trends[p].value else self.rates[p].value for p in PARAMETERS}
        return self.ctx.scenario("baseline").adjust(diff, self._scenario_label())

    def _scenario_label(self) -> str:
        """The settings in words, for the fan chart's title."""
        return "，".join(
            f"{TITLES[p]}按趋势" if self.trends[p].value else f"{TITLES[p]} {self.rates[p].value:.1%}"
            for p in PARAMETERS
        )

    def evaluated(self) -> pd.DataFrame:
        """Every target of the plan at the current settings (the last result is kept: the series
        list, the hints and the table all read it)."""
        sc = self.scenario()
        key = (self.plan.value, self.origin_year, tuple(sorted(sc.params.items())))
        if self._evaluated is None or self._evaluated[0] != key:
            frame = evaluate_plans(self.ctx, [self.plan.value], Settings(sc, self.origin_year, self.n_paths, self.seed))
            self._evaluated = (key, frame)
        return self._evaluated[1]

    # --- reacting to the controls -----------------------------------------------------------

    def _on_plan(self, _change=None) -> None:
        self._replan()
        self.update()

    def _on_scenario(self, _change=None) -> None:
        self._hint_sliders()
        self.update()

    def _on_series(self, _change=None) -> None:
        self.chart_out.outputs = (self.chart_output(),)

    def _replan(self) -> None:
        """The modelled series of the plan at this origin, the first one chosen so a fan chart shows
        at once; the slider hints follow."""
        modelled = self.evaluated()
        modelled = modelled[modelled.probability.notna()]
        targets = {t.id: t for t in self.ctx.plan(self.plan.value).targets}
        self._series_targets = {}
        for row in modelled.itertuples():
            t = targets[row.target_id]
            pair = (t.geo, concrete_indicator(t, self.ctx.vocab, row.basis or None))
            self._series_targets.setdefault(pair, []).append(t)
        options = [(f"{g} {self.ctx.vocab.indicators[i].label}", (g, i)) for g, i in self._series_targets]
        self.series.unobserve(self._on_series, names="value")  # one redraw, by update(), not two
        try:
            self.series.options = options
            self.series.value = options[0][1] if options else None
        finally:
            self.series.observe(self._on_series, names="value")
        self.series.disabled = not options
        self._hint_sliders()

    def _hint_sliders(self) -> None:
        """Grey out a slider that moves no modelled target of the plan, and say so in one line."""
        indicators = {i for _, i in self._series_targets}
        for p in PARAMETERS:
            useful = any(moves(p, i, self.ctx.vocab) for i in indicators)
            self.trends[p].disabled = not useful
            self.rates[p].disabled = not useful or self.trends[p].value  # the trend ignores the rate
            self.hints[p].value = "" if useful else f"<small>{NO_EFFECT}</small>"

    # --- what is shown ----------------------------------------------------------------------

    def frame(self) -> pd.DataFrame:
        """The targets with a probability or a published outcome, as text a reader wants: Chinese
        column titles, '—' for missing, probability in percent, 是/否 for met; a target the plan
        lists in two sections shows once."""
        df = self.evaluated()
        df = df[df.probability.notna() | df.actual.notna()]
        targets = {t.id: t for t in self.ctx.plan(self.plan.value).targets}
        return pd.DataFrame(
            {
                "目标": df.name + df.basis.map(BASIS_MARK).fillna(""),
                "地区": df.geo,
                "年份": df.year.map(str),
                "目标值": [_goal(targets[i]) for i in df.target_id],
                "达成概率": df.probability.map(_percent),
                "观测数": df.n_obs.map(cell_text),
                "实际": [_actual(r) for r in df.itertuples()],
                "已达成": df.met.map(lambda m: cell_text(None if pd.isna(m) else bool(m))),
            }
        ).drop_duplicates(ignore_index=True)

    def table(self):
        """The readable table, styled to wrap long names within the notebook's width."""
        styles = {"目标": NAME_CSS} | {c: NUMBER_CSS for c in ("年份", "目标值", "达成概率", "观测数", "实际")}
        return (
            self.frame().style.hide(axis="index").set_table_styles(TABLE_CSS).set_table_styles(styles, overwrite=False)
        )

    def chart(self):
        """The fan chart of the chosen series (a closed Figure, so it shows once), or why not, in Chinese."""
        if not self._series_targets:
            when = "现有数据" if self.origin_year is None else f"截至 {self.origin_year} 年的数据"
            return (
                f"本计划在{when}下没有可建模的统计序列，无法绘制扇形图。"
                f"补充数据：kjqg template {self.ctx.plan(self.plan.value).option}"
            )
        geo, ind = self.series.value
        targets = self._series_targets[(geo, ind)]
        label = f"{geo} {self.ctx.vocab.indicators[ind].label}"
        try:
            settings = Settings(self.scenario(), self.origin_year, self.n_paths, self.seed)
            proj = simulate_indicator(self.ctx, geo, ind, settings, max([t.year for t in targets] + [2030]))
        except InputError:
            return f"{label}：截至起点没有精确的历史值，无法绘制扇形图。"
        if proj.observed.empty:  # a stock built from flows needs three years of them
            return f"{label}：截至起点的数据不足以确定起点值，无法绘制扇形图。"
        fig = plots.fan_chart(proj, self.ctx.history.series(geo, ind), targets, self.ctx.vocab, self._scenario_label())
        plt.close(fig)
        return fig

    def table_output(self) -> dict:
        """The table as one notebook output (or why there is none)."""
        rows = self.frame()
        if rows.empty:
            command = f"kjqg template {self.ctx.plan(self.plan.value).option}"
            return _text(f"本计划没有可计算概率或已公布结果的目标。补充数据：{command}")
        return _display({"text/html": self.table().to_html(), "text/plain": rows.to_string(index=False)})

    def chart_output(self) -> dict:
        """The fan chart as one notebook output (a PNG), or why there is none."""
        got = self.chart()
        if isinstance(got, str):
            return _text(got)
        png = io.BytesIO()
        got.savefig(png, format="png", dpi=100)
        title = got.axes[0].get_title().replace("\n", " ")
        return _display({"image/png": base64.b64encode(png.getvalue()).decode("ascii"), "text/plain": title})

    def update(self) -> None:
        """Redraw the table and the chart. The outputs are set on the widgets from the kernel rather
        than captured with `with out:`: capture makes nbclient (papermill) echo each output back on
        the shell channel, which can stall the cell until its timeout (jupyter/nbclient#312)."""
        self.table_out.outputs = (self.table_output(),)
        self.chart_out.outputs = (self.chart_output(),)

    def snapshot(self) -> None:
        """The table and the fan chart as plain cell output: what papermill and a PDF keep."""
        for output in (self.table_output(), self.chart_output()):
            if output["output_type"] == "stream":
                print(output["text"], end="")
            else:
                display(output["data"], raw=True)

    def show(self) -> None:
        wrap = {"flex_flow": "row wrap", "align_items": "center"}  # the hint drops below when narrow
        rows = [widgets.HBox([self.rates[p], self.trends[p], self.hints[p]], layout=wrap) for p in PARAMETERS]
        controls = widgets.VBox([self.plan, *rows, self.origin, self.series])
        display(widgets.VBox([controls, self.table_out, self.chart_out]))
        self.update()


def _percent(p: float) -> str:
    return MISSING if pd.isna(p) else f"{p:.1%}"


def _goal(t: Target) -> str:
    """'≥4,200家', '累计＞2,000亿元', '≥全国': what is measured, the comparator, threshold and unit."""
    cmp = plots.COMPARATOR_ZH.get(t.comparator, t.comparator)
    if t.kind == "relative":  # a ratio to the reference geo: 1 means "not below it"
        return f"{cmp}{t.relative_to}" + ("" if t.threshold == 1 else f"×{cell_text(t.threshold)}")
    return f"{KIND_MARK.get(t.kind, '')}{cmp}{cell_text(t.threshold)}{t.unit or ''}"


def _actual(row) -> str:
    """The published outcome with its unit; '＞' where the data give only a lower bound."""
    if pd.isna(row.actual):
        return MISSING
    bound = "＞" if row.actual_qualifier == ">" else ""
    return f"{bound}{cell_text(row.actual)}{row.unit or ''}"


def _text(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text + "\n"}


def _display(data: dict) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": {}}
