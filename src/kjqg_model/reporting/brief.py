"""The content of a brief: numbered sections of tables, figures and Chinese prose for one plan
under several scenarios. The brief notebook calls one section method per cell; a section with
nothing to show is left out, so a plan without data gets a data request, not empty headings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from ..analysis.evaluate import evaluate_plans
from ..analysis.outcomes import concrete_indicator
from ..analysis.readiness import THIN, needed_series, overridden_rows, series_for
from ..analysis.whatif import fiscal_driven, sensitivity_table, solve_required_growth
from ..engine.fit import indicator_pool
from ..engine.projection import GeoModel, NoHistory, Settings, simulate_indicator
from ..inputs import units
from ..inputs.context import Context
from ..inputs.coverage import band, leaning, load_record
from ..inputs.errors import InputError
from ..inputs.targets import Target
from . import plots
from .fonts import cjk_style
from .template import requests, series_sheet

COLOURS = ((0.8, "#b7e1a1"), (0.5, "#fbe5a0"), (0.2, "#f8c79b"), (0.0, "#f4a3a3"))
COMPARATOR_ZH = plots.COMPARATOR_ZH
NUMERALS = "一二三四五六七八九十"
BASIS_ZH = {"inflow": "按吸纳地域", "outflow": "按输出地域"}
PROGRESS_ZH = {
    "on track": "按期可达",
    "acceleration needed": "需加速",
    "limited progress": "进展有限",
    "deterioration": "倒退",
}
# the assumptions whatif.sensitivity_table moves (projection.SHIFTS), as a reader knows them
ASSUMPTION_ZH = {
    "fiscal_st_expenditure_growth": "财政科技支出增速",
    "gdp_growth": "GDP 增速",
    "fiscal_elasticity": "R&D 对财政科技支出的弹性",
    "gdp_elasticity": "R&D 对 GDP 的弹性",
    "drift": "指标自身的趋势增速",
    "noise": "年度波动幅度",
}
JUMP = 2.0  # a published year at least this many times the year before gets a line under the table
MIN_SWING = 0.02  # a sensitivity panel whose bars all move less than this would look blank
# where a figure was first published, found in a history row's note or source (first match wins)
PUBLICATION = (
    r"《[^》]+》[^,;，；()（）|]*",
    r"(?:NBS\s*)?[\u4e00-\u9fff]*(?:统计年鉴|统计公报)[^;；|]*",
    r"[\u4e00-\u9fff]+\s?公示",
)
MONEY_CUTOFF = 100  # money at or above this is shown without decimals


# --- formatting -----------------------------------------------------------------------------


def _fmt_prob(p) -> str:
    return "—" if pd.isna(p) else f"{p:.0%}" if 0.005 <= p <= 0.995 else ("<1%" if p < 0.005 else ">99%")


def _colour(p) -> str:
    if pd.isna(p):
        return ""
    return "background-color: " + next(c for floor, c in COLOURS if p >= floor)


def _number(value: float, unit: str) -> str:
    """One precision per kind of unit, so a column reads alike: shares to 2 decimals, counts whole."""
    dim = units.dimension(unit)
    if dim == "money":
        return f"{value:,.0f}" if abs(value) >= MONEY_CUTOFF else f"{value:,.2f}"
    if dim == "count" and units.factor(unit, "个") == 1:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _amount(value: float, unit: str) -> str:
    text = _number(value, unit)
    return f"{text}倍" if unit == "ratio" else f"{text}个百分点" if unit == "百分点" else text + unit


def _threshold(t: Target) -> str:
    high = f"—{t.threshold_high:g}" if t.threshold_high is not None else ""
    return f"{t.threshold:g}{high}" + {"ratio": "倍", "百分点": "个百分点"}.get(t.unit, t.unit)


def goal(t: Target, stock: bool = False) -> str:
    """The target in words: year, comparison and amount ('2021—2023年累计＞2000亿元')."""
    cmp = "" if t.threshold_high is not None else COMPARATOR_ZH[t.comparator]  # '2—3个' says it all
    when = f"{t.period[0]}—{t.period[1]}年每年" if t.each_year and t.period else f"{t.year}年"
    if t.kind == "relative":
        words = {">=": "不低于", ">": "高于", "~": "约为", "<": "低于", "<=": "不高于"}[t.comparator]
        times = "" if t.threshold == 1 else f"的{t.threshold:g}倍"
        return f"{when}{words}{t.relative_to}平均水平{times}"
    if t.kind == "level" or t.period is None:
        return f"{when}{cmp}{_threshold(t)}"
    a, b = t.period
    if t.kind == "cumulative":
        return f"{a}—{b}年累计{cmp}{_threshold(t)}"
    if t.kind == "growth_rate":
        return f"{a}—{b}年{'每年' if t.each_year else '年均'}增长{cmp}{_threshold(t)}"
    if t.threshold == 0 and t.comparator in (">=", ">"):
        rise = "提高" if t.unit in ("%", "百分点") else "增加"
        return f"{a}—{b}年{'逐年' if t.each_year else ''}{'不减' if t.comparator == '>=' else rise}"
    verb = "提高" if t.unit == "百分点" else "每年新增" if t.each_year else "净增" if stock else "增加"
    return f"{a}—{b}年{verb}{cmp}{_threshold(t)}"


def actual_text(t: Target, value: float, qualifier: str = "=") -> str:
    """A published outcome with its unit and what it measures ('2023年比2020年增加3.19亿元'); for a
    yearly condition, the worst year."""
    if pd.isna(value):
        return ""
    worst = "最低一年" if t.each_year else ""
    if t.kind == "relative":
        return f"{worst}为{t.relative_to}的{value:.2f}倍"
    if t.kind == "growth_rate":
        return f"{worst}年均{value:.1f}%" if not worst else f"{worst}增长{value:.1f}%"
    amount = ("超过" if qualifier == ">" else "") + _amount(abs(value) if t.kind == "increase" else value, t.unit)
    if t.kind == "cumulative" and t.period:
        return f"累计{amount}"
    if t.kind == "increase" and t.period:
        a, b = t.period
        change = "增加" if value >= 0 else "减少"
        return f"{worst}比上年{change}{amount}" if worst else f"{b}年比{a}年{change}{amount}"
    return worst + amount + ("（下限）" if qualifier == ">" else "")


def _met_text(met) -> str:
    return "未知" if met is None or pd.isna(met) else "是" if met else "否"


def _progress_text(ratio, label) -> str:
    label = str(label)
    if "bound" in label:
        return "—（基年值仅为下限）"
    label, _, pace = label.partition("; pace ")
    if pd.isna(ratio) or label not in PROGRESS_ZH:
        return "—"
    if np.isinf(ratio):
        return PROGRESS_ZH[label]
    return f"{ratio:.2f}（{PROGRESS_ZH[label]}{'，按' + pace.replace('-', '—') + '年增速' if pace else ''}）"


def _years(years) -> str:
    """2013, 2014, …, 2020 -> '2013—2020'; gaps listed ('2000, 2005, 2010—2020')."""
    ys, runs = sorted(set(int(y) for y in years)), []
    for y in ys:
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return "、".join(f"{a}" if a == b else f"{a}—{b}" for a, b in runs)


def _short_source(source: str) -> str:
    """Where the figure was read: a github file's repository, a page's site, or a printed source."""
    names = set()
    for one in str(source).split(" | "):
        if one.startswith("github:"):
            names.add(one.split(" ")[0].split(":data")[0].split("@")[0])
        elif one.startswith("http"):
            names.add(urlparse(one.split(" ")[0]).netloc)
        else:
            names.add(citation(one, "") or one.strip("() ").split(";")[0])
    return "；".join(sorted(names))


def citation(note: str, source: str) -> str:
    """The statistical publication a figure comes from (统计年鉴 table, 统计公报, 公示 list, a report's
    attribution), read from the history row's note or source; '' when none is named."""
    note = str(note or "")
    mirror = re.match(r"^\[(?:[^\]]*?(?:copy|mirror|reprint) of |[^\]]*cites )([^\]]+)\]", note)
    if mirror:
        return mirror.group(1).strip()
    for text in (note, str(source or "")):
        for pattern in PUBLICATION:
            found = re.search(pattern, text)
            if found:
                return _chinese(found.group(0).replace("NBS", "国家统计局"))
    for text in (note, str(source or "")):  # a report's attribution, in closing brackets
        said = re.search(r"[（(]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]\s*$", text)
        if said and _chinese(said.group(1)):
            return _chinese(said.group(1))
    return ""


def _chinese(text: str) -> str:
    """The parts of an attribution a Chinese reader needs: comma-separated pieces with Chinese in
    them, without the curator's remarks ('去年=2021')."""
    pieces = [p.strip() for p in re.split(r"[,，;；]", text)]
    kept = [re.sub(r"^reprint of ", "", p) for p in pieces if re.search(r"[\u4e00-\u9fff]", p) and "=" not in p]
    return "，".join(kept)


def _distinct(targets) -> list[Target]:
    """Each target once, where the plan states it in two sections (same series, year, amount)."""
    seen, out = set(), []
    for t in targets:
        key = (t.geo, t.indicator, t.kind, t.year, t.period, t.comparator, t.threshold, t.unit, t.relative_to)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


@dataclass
class Row:
    """One line of a probability table: a target on one basis, its probability per scenario."""

    target: Target
    basis: str
    probs: dict[str, float]
    n_obs: int
    progress: str
    actual: str
    met: str


def _styled(df: pd.DataFrame, probs: pd.DataFrame | None = None, wide: dict | None = None):
    """A table without index; probability cells coloured from `probs`; `wide` columns get a
    minimum width (em) so Chinese names do not wrap every few characters."""
    style = df.style.hide(axis="index")
    if probs is not None and not probs.empty:
        style = style.apply(lambda _: probs.map(_colour), axis=None, subset=list(probs.columns))
    cols = list(df.columns)
    rules = [
        {"selector": f".col{cols.index(c)}", "props": f"min-width: {em}em;"}
        for c, em in (wide or {}).items()
        if c in cols
    ]
    return style.set_table_styles(rules).set_table_attributes('style="width: 100%"')


# --- the brief ------------------------------------------------------------------------------


class Brief:
    """Everything a brief shows for `plan` under `scenarios`, computed once."""

    def __init__(
        self,
        plan: str,
        scenarios=("baseline",),
        origin: int | None = None,
        n_paths: int = 20_000,
        seed: int = 0,
        history_dirs=(),
        exante_origin: int | None = 2020,
        plans_dirs=(),
    ):
        self.ctx = Context.get(history_dirs=history_dirs or (), plans_dirs=plans_dirs or ())
        self.plan = self.ctx.plan(plan)
        self.scenarios = [self.ctx.scenario(s).name for s in scenarios]
        self.origin, self.n_paths, self.seed, self.exante_origin = origin, n_paths, seed, exante_origin
        self.targets = {t.id: t for t in self.plan.targets}
        self._sections = 0

    # --- labels ---------------------------------------------------------------------------------
    def scenario_label(self, name: str) -> str:
        """The Chinese part of a scenario's description ('财政科技支出年均增长7%')."""
        return self.ctx.scenario(name).description.split(" — ")[0].strip() or name

    def label(self, indicator: str) -> str:
        return self.ctx.vocab.indicators[indicator].label

    def _name(self, t: Target, basis: str = "") -> str:
        """The target's name, its place when not the plan's own, and the basis shown."""
        where = f"〔{t.geo}〕" if t.geo != self.plan.geo and t.geo not in t.name else ""
        return t.name + where + (f"（{BASIS_ZH[basis]}）" if basis in BASIS_ZH else "")

    def _goal(self, t: Target) -> str:
        ind = self.ctx.vocab.indicators.get(t.indicator or "")
        return goal(t, stock=ind is not None and ind.kind == "stock")

    # --- sections -------------------------------------------------------------------------------
    def _section(self, title: str, intro: str, parts: list) -> None:
        """Display a numbered section, or nothing at all when it has no content."""
        from IPython.display import Markdown, display

        parts = [p for p in parts if p is not None and not (isinstance(p, list | str) and not p)]
        if not parts:
            return
        self._sections += 1
        display(Markdown(f"## {NUMERALS[self._sections - 1]}、{title}\n\n{intro}".strip()))
        for part in parts:
            if isinstance(part, str):
                display(Markdown(part))
            elif isinstance(part, list) or hasattr(part, "savefig"):
                self.show(part)  # a figure left open would be shown a second time by the notebook
            else:
                display(part)

    @staticmethod
    def show(figures) -> None:
        """Display figures in the notebook and free them."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        for fig in [figures] if figures is not None and not isinstance(figures, list) else figures or []:
            display(fig)
            plt.close(fig)

    def header(self, code_version: str = "") -> None:
        """Title, provenance and what the brief covers."""
        from IPython.display import Markdown, display

        display(Markdown(self.title(code_version) + "\n\n" + self.coverage_line()))
        if any(fiscal_driven(t.indicator, self.ctx.vocab) for t in self._modelled_targets()):
            display(Markdown(self.gdp_assumption()))  # GDP and fiscal growth drive R&D targets only

    def title(self, code_version: str = "") -> str:
        from .provenance import code_version as current

        p = self.plan
        last = self.last_data_year()
        origin = (
            f"{self.origin}年（只用{self.origin}年及以前的数据）"
            if self.origin is not None
            else f"最新数据（截至{last}年）"
            if last
            else "最新数据"
        )
        return (
            f"# {p.title}\n\n"
            f"{' · '.join(x for x in (p.document, p.issued) if x)} · 方案编号 {p.id}\n\n"
            f"情景：{'；'.join(self.scenario_label(s) for s in self.scenarios)} · 预测起点：{origin} · "
            f"模拟路径 {self.n_paths:,} 条 · 随机种子 {self.seed} · "
            f"数据指纹 `{self.ctx.history.data_hash}` · 代码版本 `{code_version or current()}`"
        )

    def coverage_line(self) -> str:
        """How many targets the brief can answer, and how many only wait for data."""
        listed, distinct = len(self.plan.targets), len(_distinct(self.plan.targets))
        rows = self._first()
        answered = rows[rows.probability.notna()].target_id
        known = rows[rows.probability.isna() & rows.actual.notna()].target_id

        def n(ids) -> int:
            return len(_distinct(self.targets[i] for i in ids))

        counts = {
            "给出达成概率": n(answered),
            "只有已公布的实际值": n(known),
            "缺少历史数据、暂不能判断（见“需要补充的数据”）": distinct - n(set(answered) | set(known)),
        }
        repeated = f"（方案中有{listed - distinct}项重复列出，只计一次）" if listed > distinct else ""
        said = "，".join(f"{k}项{what}" for what, k in counts.items() if k)
        return f"**本方案共{distinct}项量化目标**{repeated}：{said}。"

    def gdp_assumption(self) -> str:
        """One plain line: the nominal GDP growth the brief's scenarios assume for the plan's place."""
        fixed = {n: self.ctx.scenario(n).params.get("gdp_growth") for n in self.scenarios}
        parts = [f"“{self.scenario_label(n)}”情景按每年{r:.1%}" for n, r in fixed.items() if r is not None]
        trend = [n for n, r in fixed.items() if r is None]
        if trend:
            who = "其余情景" if parts else "各情景"
            # the fitted trend's drift: the same figure the fiscal-growth section's reasons quote
            try:
                gdp = GeoModel(self.ctx.history, self.plan.geo, self.origin, self.ctx.vocab).series("gdp")
            except (NoHistory, InputError):
                gdp = None
            if gdp is not None:
                parts.append(f"{who}延续近期趋势，年均约{np.expm1(gdp.fit.params['drift']):.1%}（近年权重更高）")
            else:
                parts.append(f"{who}按全区/全国同类序列的趋势")
        return (
            f"**GDP 假设**：{self.plan.geo}名义地区生产总值——"
            + "；".join(parts)
            + "。GDP 越快，R&D 强度（R&D ÷ GDP）越难提高。数据：国家统计局地区生产总值（现行口径）。"
        )

    # --- results and files ----------------------------------------------------------------------
    @cached_property
    def results(self) -> pd.DataFrame:
        """The probability table of every scenario, stacked (the CSV of the brief)."""
        frames = [evaluate_plans(self.ctx, [self.plan.id], self._settings(s)) for s in self.scenarios]
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def lookback_results(self) -> pd.DataFrame:
        """The baseline seen from `exante_origin`, for targets due after it (an earlier-due target
        is already history there: no forecast to look back on)."""
        if self.exante_origin is None:
            return pd.DataFrame()
        r = evaluate_plans(self.ctx, [self.plan.id], Settings("baseline", self.exante_origin, self.n_paths, self.seed))
        return r[(r.year > self.exante_origin) & r.probability.notna()].reset_index(drop=True)

    def save_results(self, out_dir) -> None:
        """The probability table of every scenario as CSV and Excel, and the look-back as CSV."""
        from .outputs import atomic_write, write_csv

        if not out_dir:
            return
        out = Path(out_dir)
        write_csv(self.results, out / "probabilities.csv")
        sheets = {"概率 probabilities": self.results}
        if not self.lookback_results.empty:
            write_csv(self.lookback_results, out / "lookback_probabilities.csv")
            sheets[f"回看 from {self.exante_origin}"] = self.lookback_results
        atomic_write(out / "probabilities.xlsx", lambda tmp: _write_xlsx(tmp, sheets))

    def last_data_year(self) -> int | None:
        return last_data_year(self.ctx, self.plan.id, self.origin)

    def _first(self) -> pd.DataFrame:
        return self.results[self.results.scenario == self.scenarios[0]]

    def _modelled_targets(self) -> list[Target]:
        r = self._first()
        ok = set(r[r.probability.notna()].target_id)
        return _distinct(t for t in self.plan.targets if t.id in ok)

    # --- probability tables ---------------------------------------------------------------------
    def rows(self, results: pd.DataFrame, scenarios: list[str]) -> list[Row]:
        """One Row per distinct target with a probability or an outcome; a turnover target whose
        plan names no basis gets a second Row for the other basis."""
        shown = results[results.probability.notna() | results.actual.notna() | results.alt_basis_actual.notna()]
        out = []
        for t in _distinct(self.targets[i] for i in dict.fromkeys(shown.target_id)):
            mine = shown[shown.target_id == t.id].set_index("scenario")
            f = mine.iloc[0]
            basis = f.basis if isinstance(f.basis, str) and f.basis in BASIS_ZH else ""
            out.append(
                Row(
                    t,
                    basis,
                    {s: mine.probability.get(s, np.nan) for s in scenarios},
                    int(f.n_obs),
                    _progress_text(f.progress_ratio, f.progress),
                    actual_text(t, f.actual, f.actual_qualifier),
                    _met_text(f.met) if pd.notna(f.actual) else "",
                )
            )
            alt = mine.alt_basis_probability.notna().any() or pd.notna(f.alt_basis_actual)
            if basis and alt:
                other = next(b for b in BASIS_ZH if b != basis)
                met = bool(t.met(f.alt_basis_actual)) if pd.notna(f.alt_basis_actual) else None
                out.append(
                    Row(
                        t,
                        other,
                        {s: mine.alt_basis_probability.get(s, np.nan) for s in scenarios},
                        int(f.n_obs),
                        "—",
                        actual_text(t, f.alt_basis_actual),
                        _met_text(met) if pd.notna(f.alt_basis_actual) else "",
                    )
                )
        return out

    def _table(self, rows: list[Row], scenarios: list[str], heads: dict[str, str], pending: str = ""):
        """Rows as a coloured table: one probability column per scenario in `heads` (under one
        spanning 达成概率 header when there are several); an outcome not yet published reads `pending`."""
        span = len(scenarios) > 1

        def col(name: str, sub: str = ""):
            return ("达成概率", sub) if span and name == "达成概率" else (name, "") if span else sub or name

        frame, probs = [], []
        for r in rows:
            thin = f"（仅{r.n_obs}个观测）" if 0 < r.n_obs < THIN else ""
            cells = {
                col("达成概率", heads[s]): _fmt_prob(r.probs[s]) + thin if pd.notna(r.probs[s]) else "—"
                for s in scenarios
            }
            extra = {
                "进度比": r.progress,
                "实际": r.actual or pending,
                "达成": r.met or ("未知" if pending else ""),
            }
            frame.append({col("目标"): self._name(r.target, r.basis), col("目标值"): self._goal(r.target)} | cells)
            frame[-1] |= {col(k): v for k, v in extra.items()}
            probs.append({col("达成概率", heads[s]): r.probs[s] for s in scenarios})
        df, probs = pd.DataFrame(frame), pd.DataFrame(probs)
        if span:
            df.columns, probs.columns = (pd.MultiIndex.from_tuples(f.columns) for f in (df, probs))
        empty = [c for c in map(col, extra) if not df[c].str.strip("—").any()]
        df = df.drop(columns=empty)  # a column with nothing in any row only takes room
        return _styled(df, probs, {col("目标"): 13, col("目标值"): 8})

    def headline_parts(self, rows: list[Row]) -> list:
        """The probability tables: targets the scenarios move (one column per scenario), then the
        others with one probability column, said once; notes on thin data and jumps below."""
        if not rows:
            return []
        moved = [r for r in rows if len(self.scenarios) > 1 and _varies(r.probs)]
        still = [r for r in rows if r not in moved]
        parts: list = []
        if moved:
            heads = {s: self.scenario_label(s) for s in self.scenarios}
            parts.append(self._table(moved, self.scenarios, heads))
        if still:
            unknown = (
                "概率为“—”的目标没有历史序列，只有已公布的实际值。"
                if any(not _varies(r.probs, 1) for r in still)
                else ""
            )
            if moved or len(self.scenarios) > 1:
                parts.append(
                    "以下目标的概率不随所列情景变化（情景只改变财政科技支出或 GDP 增速，这些目标在模型中与之无关），"
                    f"只列一次。{unknown}"
                )
            elif unknown:
                parts.append(unknown)
            first = self.scenarios[:1]
            parts.append(self._table(still, first, {first[0]: "达成概率"}))
        notes = self.thin_notes(rows) + self.borrowed_notes(rows) + self.calibration_notes(rows)
        notes += self.increase_notes(rows) + self.jump_notes(rows) + self.override_notes(rows)
        se = self.results.mc_se.max()
        if pd.notna(se):
            notes.append(f"模拟误差：每个概率按 {self.n_paths:,} 条模拟路径计算，标准误不超过 {se:.1%}。")
        parts.append("\n".join(f"- {n}" for n in notes))
        return parts

    def thin_notes(self, rows: list[Row]) -> list[str]:
        """Say what a probability resting on few observations is extrapolated from."""
        notes = []
        for r in {id(r.target): r for r in rows if 0 < r.n_obs < THIN}.values():
            t = r.target
            for geo, ind in series_for(t, self.ctx.vocab):
                s = self.ctx.history.series(geo, ind, upto=self.origin)
                if s.empty or len(s) >= THIN:
                    continue
                values = "、".join(f"{y}年{_amount(v, s.unit.iloc[0])}" for y, v in s.value.items())
                # a borrowed trend has a note of its own (borrowed_notes), which also says "只作参考"
                how = "。" if self._borrowed(geo, ind) else "；走势借用各省同一指标的序列，概率只作参考。"
                notes.append(f"“{self._name(t)}”只有{len(s)}个观测（{values}），要外推到{t.year}年{how}")
        return notes

    def borrowed_notes(self, rows: list[Row]) -> list[str]:
        """One line for the targets whose series no province publishes: their trend is borrowed
        from other indicators. The backtest finds such intervals about right on average over the
        indicators, but too narrow for one far more volatile than its kind, too wide for a steady one."""
        names = [
            self._name(r.target)
            for r in {id(r.target): r for r in rows if np.isfinite(list(r.probs.values())).any()}.values()
            if any(self._borrowed(geo, ind) for geo, ind in series_for(r.target, self.ctx.vocab))
        ]
        if not names:
            return []
        return [
            f"{'、'.join(f'“{n}”' for n in names)}没有各省的同一指标可借鉴，走势按其自身观测从同类指标中加权借用；"
            "回测中这类预测平均大致可信，但若该指标的起伏比同类指标大得多，所示概率会过于肯定，只作参考。"
        ]

    @cached_property
    def _record(self) -> pd.DataFrame | None:
        return load_record()

    def calibration_notes(self, rows: list[Row]) -> list[str]:
        """One line per indicator and horizon whose backtest forecasts leaned one way
        (params/calibration.csv, `leaning`): those probabilities are less sure, or surer, than they
        read, or lean low or high. Borrowed trends have their own line (borrowed_notes)."""
        found: dict[tuple, list[str]] = {}
        for r in {(id(r.target), r.basis): r for r in rows if np.isfinite(list(r.probs.values())).any()}.values():
            for geo, ind in self._modelled_series(r):
                if (end := series_end(self.ctx, geo, ind, self.origin)) is None or self._borrowed(geo, ind):
                    continue
                h = r.target.year - end
                if h >= 1 and (hit := self._leaning(ind, band(h))) is not None:
                    up = r.target.comparator in (">", ">=")  # a target met by a high outcome
                    found.setdefault((*hit, up, h > 5), []).append(self._name(r.target, r.basis))
        return [self._leaning_line(key, names) for key, names in found.items()]

    @staticmethod
    def _leaning_line(key: tuple, names: list[str]) -> str:
        label, band, lean, (cover, below, above), up, beyond = key
        ahead = f"提前{band.replace('–', '—')}年" + ("（更远的未经回测）" if beyond else "")
        tails = f"实际结果低于预测区间下沿的占{below:.0%}、高于上沿的占{above:.0%}，应各占10%"
        verdict = {
            "low": f"预测总体偏低（{tails}）：达标概率可能被{'低估' if up else '高估'}",
            "high": f"预测总体偏高（{tails}）：达标概率可能被{'高估' if up else '低估'}",
            "narrow": f"预测区间偏窄（80%的区间只覆盖了{cover:.0%}的实际结果）：所示概率比实际更有把握",
            "wide": f"预测区间偏宽（80%的区间覆盖了{cover:.0%}的实际结果）：所示概率偏于保守",
        }[lean]
        return f"{'、'.join(f'“{n}”' for n in dict.fromkeys(names))}：回测中，{label}{ahead}的{verdict}。"

    def _modelled_series(self, r: Row) -> list[tuple[str, str]]:
        """The (geo, indicator) pairs the row's probability comes from (its basis only, if any)."""
        ind = self.ctx.vocab.indicators[r.target.indicator]
        pairs = series_for(r.target, self.ctx.vocab)
        return [(g, i) for g, i in pairs if not (r.basis and ind.bases) or i == ind.bases.get(r.basis)]

    def _leaning(self, indicator: str, band: str) -> tuple | None:
        """(label, band, leaning, (cover80, below, above)) where the record finds the indicator's forecasts (or,
        for one built from others, its first recorded input's) leaning one way, else None."""
        if self._record is None:
            return None
        for name in (indicator, *self.ctx.vocab.indicators[indicator].inputs):
            hit = self._record[(self._record.indicator == name) & (self._record.horizons == band)]
            if len(hit):
                rec = hit.iloc[0]
                lean = leaning(rec.n, rec.cover80, rec.below, rec.above)
                return (self.label(name), band, lean, (rec.cover80, rec.below, rec.above)) if lean else None
        return None

    def _borrowed(self, geo: str, indicator: str) -> bool:
        """Whether the series follows a trend borrowed from other indicators (no provincial pool of
        its own); a derived series whose inputs are published, whether any input does."""
        spec, h = self.ctx.vocab.indicators[indicator], self.ctx.history
        if spec.derived and all(not h.series(geo, i, upto=self.origin).empty for i in spec.inputs):
            return any(self._borrowed(geo, i) for i in spec.inputs)
        return indicator_pool(h, self.ctx.vocab, indicator, self.origin) is None

    def increase_notes(self, rows: list[Row]) -> list[str]:
        """How 新增 was read for a stock: the net change of the year-end count."""
        notes = []
        for t in _distinct(r.target for r in rows):
            ind = self.ctx.vocab.indicators.get(t.indicator or "")
            if t.kind == "increase" and t.period and ind is not None and ind.kind == "stock":
                a, b = t.period
                # the stock built from three years of recognitions drops the certificates that lapse
                lapsed = "，到期退出的企业已扣除" if ind.model == "stock_from_flows" else ""
                notes.append(f"“{t.name}”按年末保有量的净增计算（{b}年末减{a}年末{lapsed}），不是各年新增数之和。")
        return notes

    def override_notes(self, rows: list[Row]) -> list[str]:
        """One line when the local data replace published figures these targets read: the reader
        should know that the result rests on a correction."""
        replaced = overridden_rows(self.ctx.history, needed_series([r.target for r in rows], self.ctx.vocab))
        if replaced.empty:
            return []
        shown = "；".join(
            f"{r.geo}{self.label(r.indicator)}{r.year}年{_amount(r.value_shipped, r.unit)}→{_amount(r.value, r.unit)}"
            for r in replaced.head(3).itertuples()
        )
        more = f"等{len(replaced)}个" if len(replaced) > 3 else ""
        return [f"本简报采用地方提供的数据，替换了{more}公开发布的数值（{shown}）；结果以地方数据为准。"]

    def jump_notes(self, rows: list[Row]) -> list[str]:
        """A published year far above the year before decides a cumulative or level outcome:
        say so in one line."""
        notes = []
        for r in rows:
            t = r.target
            ind = concrete_indicator(t, self.ctx.vocab, r.basis or None)
            s = self.ctx.history.series(t.geo, ind)
            start = self.origin if self.origin is not None else t.year - 1
            for y in s.index:
                prev = [p for p in s.index if p < y]
                if not (start < y <= t.year) or not prev or s.value[prev[-1]] <= 0:
                    continue
                ratio = s.value[y] / s.value[prev[-1]]
                if ratio >= JUMP:
                    unit = s.unit.iloc[0]
                    notes.append(
                        f"{self.label(ind)}{y}年为{_amount(s.value[y], unit)}，是{prev[-1]}年"
                        f"（{_amount(s.value[prev[-1]], unit)}）的{ratio:.1f}倍；结果在很大程度上取决于这一年。"
                    )
        return notes

    def probabilities_section(self) -> None:
        rows = self.rows(self.results, self.scenarios)
        intro = [
            "每行一个已建模或已有实际值的目标，概率按颜色分级（绿 ≥80%，黄 50–80%，橙 20–50%，红 <20%），"
            "在每条模拟路径上逐年计算后判断目标是否达成。"
        ]
        if any(r.progress != "—" for r in rows):
            intro.append(
                "进度比为“基年以来实际年均增速 ÷ 按期达标所需年均增速”，基年之后尚无数据时用括号中所注年份的增速"
                "（≥0.95 按期可达，0.6–0.95 需加速，<0.6 进展有限）。"
            )
        if any(r.basis for r in rows):
            intro.append("技术合同成交额的目标未写明口径时，按吸纳地域和按输出地域两种口径各列一行。")
        self._section("目标达成概率", "".join(intro), self.headline_parts(rows))

    # --- look-back ------------------------------------------------------------------------------
    def lookback_section(self) -> None:
        x = self.exante_origin
        rows = self.rows(self.lookback_results, ["baseline"]) if x is not None else []
        if not rows:
            return
        later = f"比第一节的预测起点（{self.origin}年）晚；" if self.origin is not None and x > self.origin else ""
        last = last_data_year(self.ctx, self.plan.id, x)
        if last is not None and last < x:  # the data stop before the look-back year: say what it rests on
            later = f"所用数据实际只到{last}年；" + later
        self._section(
            f"从{x}年数据回看",
            f"只用截至{x}年的数据（{later}近期趋势情景）重新计算{x}年之后到期的目标，再与其后公布的实际值对照："
            f"概率高而未达成、或概率低而达成，说明当时的判断偏离了实际。{x}年及以前到期的目标在那时已成定局，不列入。",
            [self._table(rows, ["baseline"], {"baseline": f"从{x}年看的概率"}, pending="尚未公布")],
        )

    # --- figures --------------------------------------------------------------------------------
    def _basis(self, target_id: str) -> str:
        """The basis a target's main probability is on ('' where the indicator has none)."""
        r = self._first()
        basis = r[r.target_id == target_id].basis.iloc[0]
        return basis if isinstance(basis, str) and basis in BASIS_ZH else ""

    def _series_shown(self, t: Target) -> list[str]:
        """The concrete series a modelled target is drawn on (both bases where both are shown)."""
        r = self._first()
        f = r[r.target_id == t.id].iloc[0]
        basis = self._basis(t.id) or None
        inds = [concrete_indicator(t, self.ctx.vocab, basis)]
        if basis and pd.notna(f.alt_basis_probability):
            inds.append(concrete_indicator(t, self.ctx.vocab, next(b for b in BASIS_ZH if b != basis)))
        return inds

    def _settings(self, scenario: str, n_paths: int | None = None) -> Settings:
        """This brief's origin and seed, with `scenario` and at most `n_paths` paths."""
        return Settings(scenario, self.origin, min(self.n_paths, n_paths or self.n_paths), self.seed)

    def _project(self, geo: str, ind: str, end: int, scenario: str | None = None, n_paths: int = 20_000):
        return simulate_indicator(self.ctx, geo, ind, self._settings(scenario or self.scenarios[0], n_paths), end)

    def fan_charts(self) -> list:
        """Bank of England style deciles per modelled series, first scenario, targets marked; two
        panels to a row so a page holds several."""
        import matplotlib.pyplot as plt

        groups: dict[tuple[str, str], list] = {}
        for t in self._modelled_targets():
            for ind in self._series_shown(t):
                groups.setdefault((t.geo, ind), []).append(t)
        fans = []
        for (geo, ind), targets in groups.items():
            try:
                proj = self._project(geo, ind, max(t.year for t in targets))
            except (InputError, NoHistory):  # a series that cannot be drawn is explained in its table row
                continue
            if proj.paths.shape[1]:
                fans.append((proj, self.ctx.history.series(geo, ind), targets))
        figs = []
        for i in range(0, len(fans), 2):
            with cjk_style():  # the pair's frame; each fan chart sets its own text in the CJK font
                fig, axes = plt.subplots(1, 2, figsize=(7.4, 2.7))
            for ax, (proj, history, targets) in zip(axes, fans[i : i + 2], strict=False):
                label = self.scenario_label(self.scenarios[0])
                plots.fan_chart(proj, history, targets, self.ctx.vocab, scenario_label=label, ax=ax)
            axes[1].set_visible(len(fans[i : i + 2]) == 2)
            fig.tight_layout()
            figs.append(fig)
        return figs

    def fan_section(self) -> None:
        self._section(
            "扇形图",
            f"每个已建模序列一张图（“{self.scenario_label(self.scenarios[0])}”情景）：黑线为预测起点前的历史，"
            "红色阴影为 10–90% 分位（每档一个十分位），蓝点为起点之后公布的实际值，星号为目标值。",
            [self.fan_charts()],
        )

    def cumulative_charts(self) -> list:
        """For each cumulative target: the distribution of the simulated total (per basis shown)."""
        figs = []
        for t in self._modelled_targets():
            if t.kind != "cumulative":
                continue
            totals = {}
            for ind in self._series_shown(t):
                try:
                    proj = self._project(t.geo, ind, t.year)
                    total = sum(proj.value_at(y) for y in range(t.period[0], t.period[1] + 1))
                except (InputError, NoHistory):
                    continue
                totals[self.label(ind)] = total * units.factor(self.ctx.vocab.indicators[ind].unit, t.unit)
            if totals:
                figs.append(plots.cumulative_histogram(totals, t, self._goal(t)))
        return figs

    def cumulative_section(self) -> None:
        self._section(
            "累计目标",
            "累计类目标（如“三年累计突破…”）按每条模拟路径逐年相加后判断；下图为累计值的分布（横轴为对数刻度，"
            "刻度标的是亿元等实际数值）与目标门槛。",
            [self.cumulative_charts()],
        )

    def tornado(self, top: int = 4):
        """How each assumption moves the probability (±1 sd), for the targets it moves most;
        returns the figure (or None) and the names of targets no assumption visibly moves."""
        s = sensitivity_table(self.ctx, self.plan.id, self._settings(self.scenarios[0], 5000))
        if s.empty:
            return None, []
        once = {t.id for t in _distinct(self.targets[i] for i in dict.fromkeys(s.target_id))}
        s = s[s.target_id.isin(once)]  # a target the plan states twice is one panel
        swing = s.groupby("target_id").swing.max()
        flat = [self._name(self.targets[i]) for i in swing[swing < MIN_SWING].index]
        keep = swing[swing >= MIN_SWING].sort_values(ascending=False).head(top).index
        if keep.empty:
            return None, flat
        s = s[s.target_id.isin(keep)].assign(assumption=lambda d: d.assumption.map(ASSUMPTION_ZH))
        panels = [(self._name(self.targets[tid], self._basis(tid)), s[s.target_id == tid]) for tid in keep]
        return plots.tornado(panels), flat

    def sensitivity_section(self) -> None:
        fig, flat = self.tornado() if self._modelled_targets() else (None, [])
        note = (
            f"{'、'.join(flat)}：各假设移动一个标准差，概率变化都不到 {MIN_SWING:.0%}（结论已很确定），不再画图。"
            if flat
            else ""
        )
        self._section(
            "敏感性：什么最影响结果",
            "每个关键假设各移动一个标准差时概率的变化（蓝：+1 个标准差，橙：−1 个标准差；"
            f"“{self.scenario_label(self.scenarios[0])}”情景）。"
            "为节省计算，敏感性按 5,000 条路径估计，中心概率与第一节可能相差一两个百分点。",
            [fig, note] if fig is not None else [note] if note else [],
        )

    # --- fiscal growth needed -------------------------------------------------------------------
    def required_growth(self) -> pd.DataFrame:
        """Yearly fiscal S&T growth for a 50 % and an 80 % chance, for fiscal-driven targets; one
        explanation per target where both answers share it."""
        rows = []
        for t in self._modelled_targets():
            if not fiscal_driven(t.indicator, self.ctx.vocab):
                continue
            got = {p: solve_required_growth(self.ctx, t, p, self._settings("baseline", 5000), None) for p in (0.5, 0.8)}
            out = {"目标": self._name(t), "目标值": self._goal(t)}
            for p, g in got.items():
                out[f"{p:.0%}把握所需年增速"] = f"{g.rate:.1%}" if g.rate is not None else "达不到"
            messages = list(dict.fromkeys(g.message for g in got.values()))
            out["说明"] = (
                messages[0] if len(messages) == 1 else "；".join(f"{p:.0%}：{g.message}" for p, g in got.items())
            )
            rows.append(out)
        return pd.DataFrame(rows)

    def stand_in_notes(self) -> list[str]:
        """One line per place whose fiscal-driven targets lean on drivers it has no data of: their
        past years are the provinces' mean growth, so the growth asked of it is less sure."""
        vocab, notes = self.ctx.vocab, []
        drivers = list(dict.fromkeys(d for ind in vocab.indicators.values() for d in ind.drivers))
        for geo in dict.fromkeys(t.geo for t in self._modelled_targets() if fiscal_driven(t.indicator, vocab)):
            missing = [d for d in drivers if self.ctx.history.series(geo, d, upto=self.origin).empty]
            if missing:
                names = "和".join(self.label(d) for d in missing)
                notes.append(
                    f"{geo}没有{names}的历史数据，过去各年按各省同年的平均增速代替；"
                    f"所需增速指{geo}本级财政科技支出的增速，只作参考。"
                )
        return notes

    def fiscal_section(self) -> None:
        rg = self.required_growth()
        self._section(
            "所需财政科技投入增速",
            "对受财政科技投入驱动的目标（R&D 经费、R&D 强度、财政科技支出本身），使达成概率为 50% 和 80% 的"
            "财政科技支出年均增速（其余假设按近期趋势）。“达不到”表示即使财政投入大幅增长，概率也达不到该水平，"
            "说明列给出原因。" + "".join(self.stand_in_notes() if len(rg) else []),
            [_styled(rg, wide={"目标": 8, "目标值": 6, "说明": 18})] if len(rg) else [],
        )

    # --- data used ------------------------------------------------------------------------------
    def data_coverage(self) -> pd.DataFrame:
        """The series the modelled targets use: years, the statistical source, where it was read."""
        h, rows, seen = self.ctx.history, [], set()
        table = h.table.sort_values(["year", "priority"]).drop_duplicates(["geo", "indicator", "year"])
        for t in self._modelled_targets():
            for geo, ind in series_for(t, self.ctx.vocab):
                for name in (ind, *self.ctx.vocab.indicators[ind].inputs):
                    s = h.series(geo, name, upto=self.origin)
                    if (geo, name) in seen or s.empty:
                        continue
                    seen.add((geo, name))
                    later = h.series(geo, name).index.difference(s.index)
                    used = table[(table.geo == geo) & (table.indicator == name)]
                    found = [citation(n, src) for n, src in zip(used.note, used.source, strict=True)]
                    cites = list(dict.fromkeys(c for c in found if c)) + (
                        ["其余年份见转录来源"] if not all(found) else []
                    )
                    rows.append(
                        {
                            "地区": geo,
                            "指标": self.label(name),
                            "建模所用年份": f"{_years(s.index)}（{len(s)}个）",
                            "其后公布（对照实际）": _years(later) if len(later) else "—",
                            "统计来源": "；".join(cites) if any(found) else "见转录来源",
                            "转录自": "; ".join(sorted({_short_source(x) for x in s.source})),
                        }
                    )
        return pd.DataFrame(rows)

    def data_section(self) -> None:
        df = self.data_coverage()
        self._section(
            "数据与来源",
            "“统计来源”是数字最初发布的出处（统计年鉴表号、统计公报、公示名单或报道）；“转录自”是本项目读取数据的副本。"
            "“突破/超过 X”一类的报道值作为下限使用。",
            [_styled(df, wide={"地区": 2.5, "指标": 7, "建模所用年份": 7, "统计来源": 14})] if len(df) else [],
        )

    # --- what data would answer the rest --------------------------------------------------------
    @cached_property
    def request_origin(self) -> int:
        """The origin the data request asks up to: the brief's, or the plan's base year."""
        return self.origin if self.origin is not None else max(self.plan.base_year, self.last_data_year() or 0)

    def data_request(self) -> pd.DataFrame:
        """One row per missing (or thin) series: who usually has it, what it is, the years needed,
        the targets it serves; two bases of one quantity that serve the same targets share a row."""
        reqs = requests(self.plan, self.ctx, self.request_origin)
        if not reqs:
            return pd.DataFrame()
        about = series_sheet(reqs, self.ctx)
        rows: dict[tuple, dict] = {}
        for r, (_, a) in zip(reqs, about.iterrows(), strict=True):
            name, unit = self.label(r.indicator), a["单位 unit"]
            umbrella = re.sub(r"（按.+地域）$", "", name)  # either basis of one quantity serves alike
            where = f"〔{r.geo}〕" if r.geo != self.plan.geo and r.geo not in name else ""
            either = "；按吸纳地域或按输出地域，有其一即可" if umbrella != name else ""
            key_years = [y for y, why in r.years.items() if why]
            row = rows.setdefault(
                (r.geo, umbrella, unit),
                {
                    "通常出处": a["常见出处"],
                    "需要的数据（单位）": f"{where}{umbrella}（{unit}{either}）",
                    "年份（重点）": f"{_years(r.years)}（{_years(key_years)}）" if key_years else _years(r.years),
                    "targets": [],
                },
            )
            row["targets"] += [(t, name) for t in r.targets]
        for row in rows.values():  # a series asked under two names, or two bases: each target once
            targets = row.pop("targets")
            names = dict(targets)
            row["用于目标"] = "；".join(self._request_target(t, names[t]) for t in _distinct(t for t, _ in targets))
        df = pd.DataFrame(rows.values())
        return df.sort_values("通常出处", kind="stable", ignore_index=True)

    def _request_target(self, t: Target, series: str) -> str:
        """A target a requested series serves: its goal, its name where the series does not say it."""
        r = self._first()
        n = r[r.target_id == t.id].n_obs
        thin = f"（已有概率，但仅{int(n.iloc[0])}个观测）" if len(n) and 0 < n.iloc[0] < THIN else ""
        name = "" if t.name == series else f"{t.name}："  # the row already names the place
        return f"{name}{self._goal(t)}{thin}"

    def request_section(self) -> None:
        df = self.data_request()
        if df.empty:
            return
        command = f"kjqg template {self.plan.option} --out 需求.xlsx"
        if self.request_origin != self.plan.base_year:
            command = command.replace(" --out", f" --origin {self.request_origin} --out")
        years = df.pop("年份（重点）")
        usual = years.mode().iloc[0]
        other = years != usual
        when = f"{'除另注年份的以外，' if other.any() else ''}各项都需要{usual}年的数据（括号内为最重要的年份）"
        df.loc[other, "需要的数据（单位）"] += "；年份：" + years[other]  # only the exceptions take room
        df["通常出处"] = df["通常出处"].where(df["通常出处"] != df["通常出处"].shift(), "")  # once per group
        none = not self._modelled_targets() and self._first().actual.isna().all()
        lead = (
            "本方案的目标目前都没有可用的历史数据，因此还不能给出达成概率；本简报是一份数据需求清单。"
            if none
            else "下列目标缺少历史数据（或只有一两个观测），暂不能可靠判断。"
        )
        self._section(
            "需要补充的数据" if none else "未建模的目标：需要补充的数据",
            f"{lead}下表每行一项数据，按通常出处分组，{when}。向有关部门收集这些数据后重新生成简报，"
            "这些目标即给出达成概率。"
            f"（经办人员：运行 `{command}` 生成填报表，每年一行，列有单位、填写要求和用途；填好后放入数据文件夹。）",
            [_styled(df, wide={"通常出处": 7, "需要的数据（单位）": 12, "用于目标": 16})],
        )

    # --- method ---------------------------------------------------------------------------------
    def method_section(self) -> None:
        """The method notes that concern this brief's modelled targets; none when nothing is modelled."""
        modelled = self._modelled_targets()
        if not modelled:
            return
        rd = any(fiscal_driven(t.indicator, self.ctx.vocab) for t in modelled)
        bases = any(self._basis(t.id) for t in modelled)
        notes = [n for key, n in METHOD if key == "all" or (key == "rd" and rd) or (key == "basis" and bases)]
        self._section("方法与注意事项", "", ["\n".join(notes), self.model_summary()])

    def model_summary(self) -> str:
        """The fitted R&D panel in one Chinese sentence, where an R&D target uses it."""
        from ..engine.fit import fit_rd_panel

        vocab = self.ctx.vocab
        used = {t.indicator for t in self._modelled_targets() if fiscal_driven(t.indicator, vocab)}
        used |= {i for name in used for i in vocab.indicators[name].inputs}  # R&D intensity: R&D
        driven = sorted(n for n in used if vocab.indicators[n].model == "rd_panel")
        fit = fit_rd_panel(self.ctx.history, vocab, driven[0], self.origin) if driven else None
        if fit is None:  # no R&D target, or too few provinces and years up to the origin for the panel
            return ""
        se = np.sqrt(np.diag(fit.cov))
        upto = f"截至{fit.upto}年" if fit.upto else "全部年份"
        return (
            f"**模型拟合**：31 省 R&D 面板（{upto}，{fit.n_obs} 个省·年）估计的财政科技支出弹性为 "
            f"{fit.coef[0]:.3f}（标准误 {se[0]:.3f}，按年份聚类），GDP 弹性为 {fit.coef[1]:.3f}（标准误 {se[1]:.3f}）："
            f"财政科技支出多增长 1%，R&D 经费约多增长 {fit.coef[0]:.2f}%。"
        )


METHOD = (  # (which briefs need it: all | rd (an R&D or fiscal target is modelled) | basis, the note)
    (
        "rd",
        "- **R&D 经费与强度**：31 省面板（2010 年起）估计 R&D 增长对财政科技支出增长和 GDP 增长的弹性"
        "（按年份聚类的标准误）；"
        "扣除这两项后的 R&D 走势为局部线性趋势（一次性跳升不被当作新水平，趋势本身可缓慢变化），各省趋势向全体收缩；"
        "参数按路径抽样，R&D 强度 = 模拟 R&D ÷ 模拟 GDP，以首发口径强度为起点。",
    ),
    (
        "all",
        "- **其他指标**（技术合同成交额、高新技术企业、占比等）：对数（占比用对数几率）局部线性趋势，"
        "先验来自同一指标的 31 省"
        "（无省级序列时，按序列自身的观测在各同类指标的趋势中加权取用）；短序列向全体收缩，观测少时概率只作参考。"
        "高新技术企业保有量 ≈ 近三年认定数 × 比例"
        "（证书有效期三年）。",
    ),
    ("all", "- **下限值**（“突破/超过 X”）作为下限处理，模拟路径在该年满足下限；实际值为下限时“达成”可能为“未知”。"),
    ("all", "- **校准**：以 2014–2022 年各年为起点滚动回测，检验预测区间的实际覆盖率（结果见项目技术文档）。"),
    (
        "basis",
        "- **口径**：技术合同成交额计划未注明口径时，按吸纳地域和按输出地域两种口径分别给出概率和实际值。",
    ),
    ("rd", "- **R&D 强度**采用统计公报首发数。"),
    (
        "all",
        "- 概率是模型在给定数据和假设下的判断，不是预测承诺；情景只改变财政科技支出或 GDP 增速，不改变其他假设。",
    ),
)


def _varies(probs: dict[str, float], known: int = 2) -> bool:
    """Whether the probabilities differ across scenarios; with known=1, whether there is one at all."""
    values = [p for p in probs.values() if pd.notna(p)]
    return len(values) >= known and (known == 1 or max(values) - min(values) > 0)


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name[:31], index=False)
            xl.sheets[name[:31]].freeze_panes = "C2"  # target id and name stay in view


def last_data_year(ctx: Context, plan: str, origin: int | None) -> int | None:
    """The latest year of data the plan's projections rest on (`origin` caps it; None = all data).
    A ratio rests on its staler input: R&D intensity with R&D to 2020 and GDP to 2021 is known to
    2020 (a stock built from flows is known as far as either goes)."""

    years = [
        y
        for t in ctx.plan(plan).targets
        for geo, ind in series_for(t, ctx.vocab)
        if (y := series_end(ctx, geo, ind, origin))
    ]
    return max(years, default=None)


def series_end(ctx: Context, geo: str, ind: str, origin: int | None) -> int | None:
    """The last year of data a series' projection starts from (see last_data_year)."""
    spec = ctx.vocab.indicators[ind]
    names = spec.inputs if spec.model == "ratio" else (ind, *spec.inputs)
    ends = [int(s.index.max()) for n in names if not (s := ctx.history.series(geo, n, upto=origin)).empty]
    if spec.model == "ratio":
        return min(ends) if len(ends) == len(names) else None
    return max(ends, default=None)
