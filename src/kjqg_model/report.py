"""The content of a brief: tables and figures for one plan under several scenarios. The brief
notebook only calls these, in order, between its prose."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, plots, units
from .context import Context
from .errors import InputError
from .evaluate import concrete_indicator, evaluate_targets, fiscal_driven, required_growth, sensitivity
from .fonts import use_cjk_in_matplotlib
from .projection import NoHistory, project
from .readiness import series_for

COLOURS = ((0.8, "#b7e1a1"), (0.5, "#fbe5a0"), (0.2, "#f8c79b"), (0.0, "#f4a3a3"))
COMPARATOR_ZH = plots.COMPARATOR_ZH


def _short_source(source: str) -> str:
    """A readable name for a source: a github file's repository and commit, a page's address
    (merged sources are split)."""
    names = {
        one.split(" ")[0].split(":data")[0][:48] if one.startswith("github:") else one[:90]
        for one in source.split(" | ")
    }
    return "; ".join(sorted(names))


def _colour(p) -> str:
    if pd.isna(p):
        return ""
    return "background-color: " + next(c for floor, c in COLOURS if p >= floor)


def _fmt_prob(p) -> str:
    return "—" if pd.isna(p) else f"{p:.0%}" if 0.005 <= p <= 0.995 else ("<1%" if p < 0.005 else ">99%")


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
        use_cjk_in_matplotlib()

    def title(self, code_version: str = "") -> str:
        from .provenance import code_version as current

        p = self.plan
        origin = self.origin if self.origin is not None else "最新数据 latest data"
        return (
            f"# {p.title}\n\n"
            f"**{p.id}** · {' · '.join(x for x in (p.document, p.issued) if x)} · 目标 {len(p.targets)} 项\n\n"
            f"情景 scenarios: {', '.join(self.scenarios)} · 预测起点 origin: {origin} · "
            f"模拟路径 paths: {self.n_paths:,} · 随机种子 seed: {self.seed} · "
            f"数据指纹 data hash: `{self.ctx.history.data_hash}` · 代码版本 code: `{code_version or current()}`"
        )

    def gdp_assumption(self) -> str:
        """One plain line: the nominal GDP growth the brief's scenarios assume for the plan's place."""
        fixed = {n: self.ctx.scenario(n).params.get("gdp_growth") for n in self.scenarios}
        parts = [f"{n} 情景按每年 {r:.1%}" for n, r in fixed.items() if r is not None]
        trend = [n for n, r in fixed.items() if r is None]
        if trend:
            try:
                proj = project(
                    self.plan.geo,
                    "gdp",
                    trend[0],
                    self.origin,
                    max(t.year for t in self.plan.targets),
                    4000,
                    self.seed,
                    self.ctx.history,
                )
                span = proj.years[-1] - proj.observed.index.max()
                rate = (np.median(proj.paths[:, -1]) / proj.observed.iloc[-1]) ** (1 / span) - 1
                parts.insert(0, f"{'、'.join(trend)} 情景延续近期趋势，年均约 {rate:.1%}（中位数，近年权重更高）")
            except (NoHistory, InputError):
                parts.insert(0, f"{'、'.join(trend)} 情景按全区/全国同类序列的趋势")
        return (
            f"**GDP 假设**：{self.plan.geo}名义地区生产总值——"
            + "；".join(parts)
            + "。GDP 越快，R&D 强度（R&D ÷ GDP）越难提高。数据：国家统计局地区生产总值（现行口径）。"
        )

    def model_summary(self) -> str:
        from .models import fit_rd_panel

        return fit_rd_panel(self.ctx.history, self.ctx.vocab, self.origin).summary()

    def save_results(self, out_dir) -> None:
        """The probability table of every scenario as CSV (written atomically)."""
        from .outputs import write_csv

        if out_dir:
            write_csv(self.results, Path(out_dir) / "probabilities.csv")

    @staticmethod
    def show(figures) -> None:
        """Display figures in the notebook and free them."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        for fig in [figures] if figures is not None and not isinstance(figures, list) else figures or []:
            display(fig)
            plt.close(fig)

    # --- tables ---------------------------------------------------------------------------------
    @cached_property
    def results(self) -> pd.DataFrame:
        """evaluate_targets for every scenario, stacked (the CSV of the brief)."""
        frames = [
            evaluate_targets(self.plan.id, s, self.origin, self.n_paths, self.seed, self.ctx.history)
            for s in self.scenarios
        ]
        return pd.concat(frames, ignore_index=True)

    def parameters(self) -> dict:
        return dict(
            plan=self.plan.id,
            scenarios=self.scenarios,
            origin=self.origin,
            n_paths=self.n_paths,
            seed=self.seed,
            exante_origin=self.exante_origin,
            data_hash=self.ctx.history.data_hash,
            package_version=__version__,
        )

    def headline(self) -> pd.DataFrame:
        """One row per target with a probability or an outcome: probability per scenario."""
        r = self.results
        shown = r[r.probability.notna() | r.actual.notna()]
        if shown.empty:
            return pd.DataFrame()
        wide = shown.pivot_table(index="target_id", columns="scenario", values="probability", dropna=False)
        first = shown.drop_duplicates("target_id").set_index("target_id")
        rows = []
        for tid in first.index:
            f = first.loc[tid]
            row = {
                "目标 target": f["name"],
                "地区 geo": f.geo,
                "年份 year": int(f.year),
                "门槛 threshold": f"{COMPARATOR_ZH[f.comparator]}{f.threshold:g} {f.unit}",
                "口径 basis": f.basis or "",
            }
            for s in self.scenarios:
                row[f"P({s})"] = wide.loc[tid, s] if tid in wide.index and s in wide.columns else np.nan
            row["MC se (max)"] = shown[shown.target_id == tid].mc_se.max()
            row["进度比 progress"] = "" if pd.isna(f.progress_ratio) else f"{f.progress_ratio:.2f} ({f.progress})"
            row["实际 actual"] = (
                "" if pd.isna(f.actual) else f"{'>' if f.actual_qualifier == '>' else ''}{f.actual:.4g}"
            )
            row["达成 met"] = {True: "是 yes", False: "否 no"}.get(f.met, "未知 unknown" if pd.notna(f.actual) else "")
            rows.append(row)
        return pd.DataFrame(rows)

    def headline_styled(self):
        """The headline table, colour-coded; a sentence instead when no target can be judged."""
        df = self.headline()
        if df.empty:
            from IPython.display import Markdown

            return Markdown(
                "**本计划没有可建模或已公布结果的目标**：所需指标在数据中没有序列，见第八节。"
                " No target of this plan has a series to model or a published outcome; see section 8."
            )
        pcols = [c for c in df.columns if c.startswith("P(")]
        return (
            df.style.hide(axis="index")
            .map(_colour, subset=pcols)
            .format({c: _fmt_prob for c in pcols} | {"MC se (max)": lambda v: "" if pd.isna(v) else f"{v:.3f}"})
        )

    def exante(self) -> pd.DataFrame:
        """The plan's targets seen from `exante_origin`, next to what happened."""
        if self.exante_origin is None:
            return pd.DataFrame()
        r = evaluate_targets(self.plan.id, "baseline", self.exante_origin, self.n_paths, self.seed, self.ctx.history)
        r = r[r.probability.notna()]
        return pd.DataFrame(
            {
                "目标 target": r["name"],
                "年份 year": r.year,
                "门槛 threshold": [
                    f"{COMPARATOR_ZH[c]}{t:g} {u}" for c, t, u in zip(r.comparator, r.threshold, r.unit, strict=True)
                ],
                f"P(从{self.exante_origin}年看 seen from {self.exante_origin})": r.probability.map(_fmt_prob),
                "实际 actual": [
                    ("" if pd.isna(a) else f"{'>' if q == '>' else ''}{a:.4g}")
                    for a, q in zip(r.actual, r.actual_qualifier, strict=True)
                ],
                "达成 met": r.met.map({True: "是 yes", False: "否 no"}).fillna("未知 unknown"),
            }
        )

    def required_growth(self) -> pd.DataFrame:
        """Yearly fiscal S&T growth for a 50 % and an 80 % chance, for fiscal-driven targets."""
        rows = []
        for t in self._modelled_targets():
            if not fiscal_driven(t.indicator, self.ctx.vocab):
                continue
            out = {
                "目标 target": t.name,
                "年份 year": t.year,
                "门槛 threshold": f"{COMPARATOR_ZH[t.comparator]}{t.threshold:g} {t.unit}",
            }
            for p in (0.5, 0.8):
                g = required_growth(t, p, self.origin, min(self.n_paths, 5000), self.seed, self.ctx.history)
                out[f"{p:.0%}把握所需财政科技年增速 growth for {p:.0%}"] = (
                    f"{g.rate:.1%}" if g.rate is not None else g.message
                )
            rows.append(out)
        return pd.DataFrame(rows)

    def not_modelled(self) -> pd.DataFrame:
        r = self.results[self.results.scenario == self.scenarios[0]]
        r = r[r.probability.isna()]
        reasons = r.status.str.replace(r"^not modelled: ", "", regex=True)
        return (
            pd.DataFrame({"原因 reason": reasons, "目标 target": r["name"] + "（" + r.geo + "）"})
            .groupby("原因 reason")["目标 target"]
            .agg(lambda s: "；".join(s))
            .reset_index()
        )

    def data_coverage(self) -> pd.DataFrame:
        """The series the plan's modelled targets use: years, values, sources."""
        h, rows, seen = self.ctx.history, [], set()
        for t in self._modelled_targets():
            for geo, ind in series_for(t, self.ctx.vocab):
                for name in (ind, "hte_recognitions") if ind == "hte_stock" else (ind,):
                    s = h.series(geo, name, upto=self.origin)
                    if (geo, name) in seen or s.empty:
                        continue
                    seen.add((geo, name))
                    rows.append(
                        {
                            "地区 geo": geo,
                            "指标 indicator": name,
                            "年份 years": f"{s.index.min()}–{s.index.max()} ({len(s)})",
                            "下限值 lower bounds": int((s.qualifier == ">").sum()),
                            "来源 sources": "; ".join(sorted({_short_source(x) for x in s.source})),
                        }
                    )
        return pd.DataFrame(rows)

    def _modelled_targets(self):
        r = self.results[self.results.scenario == self.scenarios[0]]
        ok = set(r[r.probability.notna()].target_id)
        return [t for t in self.plan.targets if t.id in ok]

    # --- figures --------------------------------------------------------------------------------
    def fan_charts(self):
        """Bank of England style deciles per modelled series, first scenario, targets marked."""
        figs = []
        groups: dict[tuple[str, str], list] = {}
        for t in self._modelled_targets():
            groups.setdefault((t.geo, concrete_indicator(t, self.ctx.vocab)), []).append(t)
        for (geo, ind), targets in groups.items():
            end = max(t.year for t in targets)
            try:
                proj = project(
                    geo,
                    ind,
                    self.scenarios[0],
                    self.origin,
                    end,
                    min(self.n_paths, 20_000),
                    self.seed,
                    self.ctx.history,
                )
            except InputError:  # a series that cannot be drawn is explained in its table row
                continue
            if proj.paths.shape[1] == 0:
                continue
            figs.append(plots.fan_chart(proj, self.ctx.history.series(geo, ind), targets, self.ctx.vocab))
        return figs

    def cumulative_charts(self):
        """For each cumulative target: the distribution of the simulated total against the threshold."""
        import matplotlib.pyplot as plt

        figs = []
        for t in self._modelled_targets():
            if t.kind != "cumulative":
                continue
            ind = concrete_indicator(t, self.ctx.vocab)
            try:
                proj = project(
                    t.geo,
                    ind,
                    self.scenarios[0],
                    self.origin,
                    t.year,
                    min(self.n_paths, 20_000),
                    self.seed,
                    self.ctx.history,
                )
                total = sum(proj.value_at(y) for y in range(t.period[0], t.period[1] + 1))
            except (InputError, NoHistory):
                continue
            total = total * units.factor(self.ctx.vocab.indicators[ind].unit, t.unit)
            fig, ax = plt.subplots(figsize=(6.4, 2.6))
            ax.hist(np.log10(total), bins=60, color="#7f8c8d")
            ax.axvline(np.log10(t.threshold), color="#c0392b", label=f"目标 {t.threshold:g} {t.unit}")
            ax.set_xlabel(f"{t.period[0]}–{t.period[1]} 累计 {t.unit}（对数刻度 log10）")
            ax.set_title(f"{t.name}（{ind}）P = {np.mean(total > t.threshold):.0%}", fontsize=9)
            ax.legend(fontsize=7)
            fig.tight_layout()
            figs.append(fig)
        return figs

    def tornado(self, top: int = 4):
        """How each assumption moves the probability (±1 sd), for the targets it moves most."""
        import matplotlib.pyplot as plt

        s = sensitivity(
            self.plan.id, self.scenarios[0], self.origin, min(self.n_paths, 5000), self.seed, self.ctx.history
        )
        if s.empty:
            return None
        s = s[s.swing > 0]  # an assumption that moves nothing (or a target already decided) has no bar
        if s.empty:
            return None
        keep = s.groupby("target_id").swing.max().sort_values(ascending=False).head(top).index
        s = s[s.target_id.isin(keep)]
        fig, axes = plt.subplots(len(keep), 1, figsize=(6.4, 1.2 + 1.1 * len(keep)), squeeze=False)
        for ax, tid in zip(axes[:, 0], keep, strict=True):
            g = s[s.target_id == tid].sort_values("swing")
            base = g.p_base.iloc[0] if len(g) else np.nan
            for i, row in enumerate(g.itertuples()):
                ax.barh(i, row.p_plus - base, left=base, color="#2e86c1")
                ax.barh(i, row.p_minus - base, left=base, color="#e67e22")
            ax.set_yticks(range(len(g)), g.assumption, fontsize=7)
            ax.axvline(base, color="k", linewidth=0.8)
            ax.set_xlim(0, 1)
            name = g.name.iloc[0] if len(g) else tid
            ax.set_title(f"{name}：蓝 +1sd / 橙 −1sd", fontsize=8)
        fig.tight_layout()
        return fig
