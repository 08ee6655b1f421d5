"""`kjqg template`: the history rows an analyst fills in so that a plan's unanswered targets get a
probability. The first sheet has the history columns with `value` blank; the others explain each
series in Chinese and how to fill it in. Rows left blank are skipped on loading, so a half-filled
sheet already works."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis.readiness import State, readiness, series_for
from ..engine.fit import exact_series
from ..inputs.context import Context
from ..inputs.errors import InputError
from ..inputs.targets import Plan, Target
from .outputs import atomic_write, refuse_existing, write_csv, write_text

COLUMNS = ["geo", "indicator", "year", "value", "unit", "qualifier", "source", "note"]
YEARS_BEFORE = 8  # years asked for up to the origin: the trend's shape and noise need several
KEY_YEARS = 3  # the last years before the origin: the level and recent pace rest on them
SOURCE_TO_FILL = "待注明出处（分析员填报）"  # a filled row keeps this until the analyst names the source
KINDS = {
    "stock": "年末总数（存量，不是当年新增数）",
    "flow": "当年发生数（流量，不是累计数）",
    "share": "占比，单位 %（12.5 表示 12.5%）",
    "ratio": "比率（按目标所用口径）",
}
# where such figures are usually published, by words in the series' name (first match wins)
PUBLISHED = (
    (r"R&D|研发|研究与试验发展", "统计局《科技经费投入统计公报》、统计年鉴科技章节"),
    (r"生产总值|GDP", "统计局统计公报、统计年鉴"),
    (r"财政|预算|专项资金|项目经费", "财政局决算报告、科技局部门决算"),
    (r"技术合同", "科技局技术合同认定登记统计（技术市场年报）"),
    (r"高新区|园区", "高新区管委会统计、园区年报"),
    (r"高新技术企业", "科技局高新技术企业认定公示、火炬统计"),
    (r"专利", "知识产权局统计年报"),
    (r"上市|专精特新|小巨人", "工信局、金融办名单"),
    (r"人才|团队|特派员|技术经理人", "科技局、人社局、人才办工作统计"),
    (r"平台|实验室|中心|孵化器|众创空间|星创天地|基地|研究院|研究所|园区", "科技局（自治区科技厅认定名单）"),
    (r"产值|增加值|规模以上|工业|新产品|营业收入", "统计局工业统计、统计年鉴"),
)
OTHER_SOURCE = "本部门业务统计或年度工作总结"


@dataclass
class Request:
    """One series a plan's unanswered targets need, with the years to ask for."""

    geo: str
    indicator: str
    years: dict[int, str] = field(default_factory=dict)  # year -> why it matters ('' for ordinary years)
    targets: list[Target] = field(default_factory=list)


def requests(plan: Plan, ctx: Context, origin: int) -> list[Request]:
    """The series (and years not yet published) behind every target without a probability, or with
    one resting on fewer than THIN observations."""
    found: dict[tuple[str, str], Request] = {}
    for t in plan.targets:
        if readiness(t, ctx.history, ctx.vocab, origin).state == State.MODELLED:
            continue
        for geo, indicator in series_for(t, ctx.vocab):
            req = found.setdefault((geo, indicator), Request(geo, indicator))
            req.targets.append(t)
            for year in range(origin - YEARS_BEFORE + 1, origin + 1):
                req.years.setdefault(year, "关键年份：预测起点前最近几年" if year > origin - KEY_YEARS else "")
            if t.period and t.kind in ("increase", "growth_rate") and t.period[0] <= origin:
                req.years[t.period[0]] = f"基期年：{t.name}的新增或增速以此年为基数"
    for req in found.values():
        published = set(exact_series(ctx.history, req.geo, req.indicator, origin).index)
        req.years = {y: why for y, why in sorted(req.years.items()) if y not in published}
    return [r for r in found.values() if r.years]


def history_sheet(reqs: list[Request], ctx: Context) -> pd.DataFrame:
    rows = [
        dict(
            geo=r.geo,
            indicator=r.indicator,
            year=year,
            value=None,  # an empty cell, for the analyst
            unit=ctx.vocab.indicators[r.indicator].unit,
            qualifier=None,
            source=SOURCE_TO_FILL,
            note=why,
        )
        for r in reqs
        for year, why in r.years.items()
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def series_sheet(reqs: list[Request], ctx: Context) -> pd.DataFrame:
    """每个序列一行：它量什么、单位、怎么填、用于哪些目标、通常在哪里公布。"""
    rows = []
    for r in reqs:
        ind = ctx.vocab.indicators[r.indicator]
        extra = ""
        if ind.model == "ratio" and ind.declared_in:
            extra = f"；也可改填分子 {ind.inputs[0]} 与分母 {ind.inputs[1]}，程序自动相除"
        if ind.kind == "flow" and "累计" in ind.label:  # named after a cumulative target, asked for by year
            extra += "；目标的累计数由程序把各年相加，请勿填累计值"
        rows.append(
            {
                "地区 geo": r.geo,
                "序列代码 indicator": r.indicator,
                "名称": ind.label,
                "单位 unit": ind.unit,
                "填写要求": KINDS.get(ind.kind, "") + extra,
                "用于目标": "；".join(
                    f"{t.name}（{t.year}年 {t.comparator}{t.threshold:g}{t.unit}）" for t in r.targets
                ),
                "常见出处": next((where for words, where in PUBLISHED if re.search(words, ind.label)), OTHER_SOURCE),
            }
        )
    return pd.DataFrame(rows)


def instructions(plan: Plan, origin: int, out: Path) -> list[str]:
    folder = out.parent if str(out.parent) != "." else Path(".")
    return [
        f"《{plan.title}》数据填报表（kjqg template {plan.option} --origin {origin}）",
        f"1. 在第一张表的 value 列填入数值；找不到的年份留空即可（留空的行不读取）。预测起点为 {origin} 年。",
        "2. 最重要的是 note 写有“关键年份”的最近三年和“基期年”；更早的年份有则更好："
        "只有1—3年数据时概率仍给出，但区间更宽，表中注明观测数。",
        "3. 单位可改为统计资料上的单位（如 万元、亿元），程序自动换算；“突破/超过X”这类下限值在 qualifier 列填 >。",
        f"4. source 列请改为实际出处（如 统计年鉴2021 表3-1）；未改的行记为“{SOURCE_TO_FILL}”。",
        f"5. 保存后运行：kjqg probabilities {plan.option} --origin {origin} --history {folder}",
        "   然后生成简报：kjqg briefs --plan ... --history 同一文件夹。",
        "第二张表说明每个序列量的是什么、用于哪些目标、通常在哪里公布。",
    ]


def write_template(
    ctx: Context, plan_id: str, out: Path, origin: int | None = None, force: bool = False
) -> tuple[int, int, int]:
    """Write the template for `plan_id` (a plan of `ctx`) to `out` (.xlsx, or .csv with a
    tab-separated _说明.txt beside it). Returns (rows, series, the origin used). An existing `out`
    is replaced only with `force`: it may be the analyst's filled-in copy."""
    plan = ctx.plan(plan_id)
    origin = plan.base_year if origin is None else origin
    out = Path(out)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError.single("--out", str(out), "a file name ending in .xlsx or .csv")
    refuse_existing(out, force, "hold figures already filled in", "a blank template")
    reqs = requests(plan, ctx, origin)
    sheet, about, how = history_sheet(reqs, ctx), series_sheet(reqs, ctx), instructions(plan, origin, out)
    if out.suffix.lower() == ".csv":
        write_csv(sheet, out)
        table = ["\t".join(about.columns), *("\t".join(map(str, row)) for row in about.itertuples(index=False))]
        write_text("\n".join([*how, "", *table]) + "\n", out.with_name(f"{out.stem}_说明.txt"))
    else:
        atomic_write(out, lambda tmp: _write_xlsx(tmp, sheet, about, how))
    return len(sheet), len(reqs), origin


def _write_xlsx(path: Path, sheet: pd.DataFrame, about: pd.DataFrame, how: list[str]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        sheet.to_excel(xl, sheet_name="history", index=False)
        about.to_excel(xl, sheet_name="序列说明", index=False)
        pd.DataFrame({"填写方法": how}).to_excel(xl, sheet_name="填写方法", index=False)
        for name, widths in (("history", [8, 34, 6, 12, 8, 9, 26, 30]), ("序列说明", [8, 34, 30, 9, 30, 60, 30])):
            for i, w in enumerate(widths):
                xl.sheets[name].column_dimensions[chr(65 + i)].width = w
        xl.sheets["填写方法"].column_dimensions["A"].width = 110
