"""The analyst's workflow: template -> fill in Excel -> --history -> probabilities; analysts' own
indicators (indicators.yaml beside their data) and plans (--plans)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from kjqg_model import evaluate_targets, project
from kjqg_model.cli import main
from kjqg_model.engine.fit import fit_rd_panel
from kjqg_model.engine.projection import GeoModel
from kjqg_model.engine.streams import Streams
from kjqg_model.inputs.context import Context
from kjqg_model.inputs.errors import InputError
from kjqg_model.inputs.history import WHOLE_COUNTS, load_history
from kjqg_model.reporting.template import COLUMNS, SOURCE_TO_FILL

from .conftest import write_csv


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def fill_like_an_analyst(path, seed: int = 1) -> int:
    """Put a plausible number in every blank value of the template's first sheet (a smooth series
    with some noise, shares in single digits, a city's amounts below its province's, a series with
    a level target a few times below it), as an analyst typing into Excel would."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    goals = {
        (t.geo, t.indicator, t.unit): t.threshold
        for plan in Context.get().plans.values()
        for t in plan.targets
        if t.kind == "level" and t.threshold > 0
    }
    rng, filled = np.random.default_rng(seed), 0
    for row in sheet.iter_rows(min_row=2):
        cell = dict(zip(header, row, strict=True))
        if cell["value"].value is None:
            base = {"%": 2.0, "亿元": 5.0, "万元": 500.0}.get(cell["unit"].value, 20.0)
            goal = goals.get((cell["geo"].value, cell["indicator"].value, cell["unit"].value))
            base = base if goal is None else goal / 4  # a plan aims a few times above where it stands
            growth = 1.08 ** (cell["year"].value - 2013) * np.exp(rng.normal(0, 0.03))
            whole = cell["unit"].value in WHOLE_COUNTS  # 17.52 家 is refused: a count is whole
            cell["value"].value = round(float(base * growth), None if whole else 2)
            filled += 1
    book.save(path)
    return filled


@pytest.mark.parametrize("plan", ["baise_2021_2023", pytest.param("guangxi_2021_2023", marks=pytest.mark.slow)])
def test_template_round_trip_answers_the_plan(tmp_path, plan):
    before = evaluate_targets(plan, n_paths=500)
    code, _, err = run("template", "--plan", plan, "--out", str(tmp_path / "need.xlsx"))
    assert code == 0, err
    book = openpyxl.load_workbook(tmp_path / "need.xlsx")
    assert [c.value for c in book.worksheets[0][1]] == COLUMNS
    assert book.sheetnames[1] == "序列说明"  # every series explained in Chinese
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert rows and all(r[3] is None and r[6] == SOURCE_TO_FILL for r in rows)  # value blank, source to name
    # a sheet not filled in is an error, not a run that quietly changes nothing
    blank = r"need.xlsx \[sheet history\], field 'value': found \d+ rows, every value blank"
    with pytest.raises(InputError, match=blank):
        Context.get(history_dirs=[tmp_path])
    assert fill_like_an_analyst(tmp_path / "need.xlsx") == len(rows)
    after = evaluate_targets(plan, origin=2020, n_paths=500, history_dirs=[tmp_path])
    share = after.probability.notna().mean()
    assert share >= 0.9, after[after.probability.isna()][["target_id", "status"]]
    assert share > before.probability.notna().mean()
    assert (after.n_obs >= 3).all() or plan == "guangxi_2021_2023"  # eight years asked for, all filled


def test_template_csv_has_the_history_columns_and_a_readme(tmp_path):
    code, _, err = run("template", "--plan", "guilin_2026_2030", "--out", str(tmp_path / "need.csv"))
    assert code == 0, err
    sheet = pd.read_csv(tmp_path / "need.csv")
    assert list(sheet.columns) == COLUMNS and sheet.value.isna().all()
    assert sheet.year.max() == 2025  # Guilin's base year: the forecast starts where the plan does
    readme = (tmp_path / "need_说明.txt").read_text(encoding="utf-8")
    assert "每万人口高价值发明专利拥有量" in readme and "kjqg probabilities" in readme


def test_unanswered_status_names_the_template_command():
    frame = evaluate_targets("baise_2021_2023", n_paths=100)
    talents = frame.set_index("target_id").loc["high_level_talents_2023"]
    assert talents.indicator == "baise_2021_2023.high_level_talents"
    assert "kjqg template --plan baise_2021_2023" in talents.status and np.isnan(talents.probability)


def write_plan(folder, plan_id: str, targets: list[dict]) -> None:
    folder.mkdir(exist_ok=True)
    plan = dict(plan=plan_id, title="分析员自己的方案", geo="广西", base_year=2020, targets=targets)
    (folder / f"{plan_id}.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")


def target(tid, indicator, kind, threshold, unit, **time):
    return dict(
        id=tid, name=tid, geo="广西", indicator=indicator, kind=kind, comparator=">=", threshold=threshold, unit=unit,
        clause="（测试）", **time,
    )  # fmt: skip


def test_an_analysts_plan_gets_probabilities_from_2020(tmp_path):
    write_plan(
        tmp_path / "plans",
        "my_plan",
        [
            target("rd_level_2025", "rd_intensity", "level", 1.5, "%", year=2025),
            target("turnover_cum", "tech_contract_turnover", "cumulative", 1500, "亿元", period=[2021, 2023]),
            target("rd_growth", "rd_expenditure", "growth_rate", 12, "%", period=[2020, 2025]),
            target("rd_2035", "rd_intensity", "level", 2.0, "%", year=2035),
            target("platforms", None, "level", 500, "个", year=2025),
        ],
    )
    code, out, err = run(
        "probabilities", "--plans", str(tmp_path / "plans"), "--plan", "my_plan", "--origin", "2020",
        "--paths", "2000", "--format", "csv", "--all",
    )  # fmt: skip
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out)).set_index("target_id")
    assert frame.loc[["rd_level_2025", "turnover_cum", "rd_growth", "rd_2035"]].probability.between(0, 1).all()
    assert frame.loc["rd_2035"].probability > frame.loc["rd_level_2025"].probability - 0.5  # a long horizon, no crash
    assert "kjqg template --plan my_plan" in frame.loc["platforms"].status
    code, out, err = run("targets", "--plans", str(tmp_path / "plans"), "--plan", "my_plan")
    assert code == 0 and "my_plan.platforms" in out


def test_an_analysts_declared_indicator_is_modelled(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    declared = {"patents_granted": {"label": "专利授权量", "unit": "件", "kind": "flow"}}
    (data / "indicators.yaml").write_text(yaml.safe_dump(declared, allow_unicode=True), encoding="utf-8")
    rows = [dict(geo="广西", indicator="patents_granted", year=y, value=round(20000 * 1.1 ** (y - 2014)), unit="件",
                 source="广西知识产权局年报") for y in range(2014, 2021)]  # fmt: skip
    pd.DataFrame(rows).to_csv(data / "patents.csv", index=False)
    write_plan(
        tmp_path / "plans", "patent_plan", [target("patents", "patents_granted", "level", 47000, "件", year=2023)]
    )
    frame = evaluate_targets(
        "patent_plan", origin=2020, n_paths=2000, history_dirs=[data], plans_dirs=[tmp_path / "plans"]
    )
    # 35,431 in 2020 growing 10 % a year reaches about 47,000 in 2023: a coin flip, not a certainty
    assert frame.probability.between(0.2, 0.8).all(), frame[["probability", "status"]]
    assert frame.n_obs.tolist() == [7]


def test_a_declared_indicator_may_not_shadow_a_shipped_one(tmp_path):
    (tmp_path / "indicators.yaml").write_text("gdp: {label: x, unit: 亿元, kind: flow}\n", encoding="utf-8")
    pd.DataFrame([dict(geo="广西", indicator="gdp", year=2020, value=1, unit="亿元", source="s")]).to_csv(
        tmp_path / "a.csv", index=False
    )
    code, _, err = run("data", "--history", str(tmp_path))
    assert code == 2 and "indicators.yaml" in err and "gdp" in err and "Traceback" not in err


def test_a_declared_driven_indicator_names_two_known_drivers(tmp_path):
    (tmp_path / "indicators.yaml").write_text(
        "biz_rd: {label: 企业R&D经费, unit: 亿元, kind: flow, model: rd_panel}\n"
        "biz_rd2: {label: 企业研发, unit: 亿元, kind: flow, model: rd_panel, drivers: [fiscal_st_expenditure, nope]}\n"
        "gdp_share: {label: x, unit: '%', kind: share, drivers: [gdp]}\n",
        encoding="utf-8",
    )
    code, _, err = run("data", "--history", str(tmp_path))
    assert code == 2 and "Traceback" not in err
    assert "biz_rd" in err and "drivers" in err and "'nope'" in err and "gdp_share" in err


def test_a_declared_driven_indicator_without_a_provincial_panel_follows_its_own_trend(tmp_path):
    (tmp_path / "indicators.yaml").write_text(
        "biz_rd: {label: 企业研发, unit: 亿元, kind: flow, model: rd_panel, drivers: [fiscal_st_expenditure, gdp]}\n",
        encoding="utf-8",
    )
    rows = [dict(geo="广西", indicator="biz_rd", year=y, value=100 * 1.1 ** (y - 2014), unit="亿元", source="s")
            for y in range(2014, 2021)]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "biz.csv", index=False)
    ctx = Context.get(history_dirs=[tmp_path])
    paths = project("广西", "biz_rd", origin=2020, end=2023, n_paths=2000, history=ctx.history).paths[:, -1]
    assert 0.8 * 177 * 1.1**3 < np.median(paths) < 1.2 * 177 * 1.1**3  # one province: no panel to fit, its trend
    # fitted beside R&D expenditure (which has its panel), it is still its own trend, path for path
    both = GeoModel(ctx.history, "广西", 2020, ctx.vocab).fit(["rd_expenditure", "biz_rd"])
    beside = both.simulate(["biz_rd"], 2023, 2000, Streams(0), ctx.scenario("baseline"))["biz_rd"].paths[:, -1]
    np.testing.assert_array_equal(beside, paths)


def test_a_new_driven_indicator_is_one_line_of_yaml(tmp_path):
    # business R&D, declared driven by fiscal S&T spending and GDP, published by every province as 60 % of
    # R&D expenditure: its own panel gives the same elasticities (logs are blind to the factor)
    (tmp_path / "indicators.yaml").write_text(
        "biz_rd: {label: 企业研发, unit: 亿元, kind: flow, model: rd_panel, drivers: [fiscal_st_expenditure, gdp]}\n",
        encoding="utf-8",
    )
    shipped = Context.get()
    rd = shipped.history.table.query("indicator == 'rd_expenditure' and qualifier == '='")
    rows = rd.assign(indicator="biz_rd", value=0.6 * rd.value, source="test")
    rows[["geo", "indicator", "year", "value", "unit", "source"]].to_csv(tmp_path / "biz.csv", index=False)
    ctx = Context.get(history_dirs=[tmp_path])
    own, rd_fit = (fit_rd_panel(ctx.history, ctx.vocab, i, 2020) for i in ("biz_rd", "rd_expenditure"))
    np.testing.assert_allclose(own.coef, rd_fit.coef, atol=1e-9)
    assert own.drivers == ("fiscal_st_expenditure", "gdp") and own.n_obs == rd_fit.n_obs
    got = project("广西", "biz_rd", origin=2020, end=2023, n_paths=500, history=ctx.history)
    assert got.paths.shape == (500, 3)


def test_an_analysts_plan_may_not_reuse_a_shipped_id(tmp_path):
    write_plan(tmp_path, "guangxi_2021_2023", [target("x", "rd_intensity", "level", 1, "%", year=2025)])
    code, _, err = run("targets", "--plans", str(tmp_path))
    assert code == 2 and "guangxi_2021_2023" in err and "already used" in err


def test_per_10k_people_target_from_numerator_and_population(tmp_path):
    ctx = Context.get()
    ratio = ctx.vocab.indicators["guilin_2026_2030.high_value_invention_patents_per_10k"]
    numerator, population = ratio.inputs
    assert ratio.model == "ratio" and population == "population_resident_year_end"
    rows = [
        dict(geo="桂林", indicator=ind, year=y, value=v, unit=u, source="测试")
        for y in range(2018, 2026)
        for ind, v, u in ((numerator, round(3000 * 1.15 ** (y - 2018)), "件"), (population, 495 + y - 2018, "万人"))
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "patents.csv", index=False)
    frame = evaluate_targets("guilin_2026_2030", n_paths=2000, history_dirs=[tmp_path]).set_index("target_id")
    row = frame.loc["high_value_invention_patents_per_10k_2030"]
    assert 0 <= row.probability <= 1, row.status
    # 3000 x 1.15^7 / 502 ≈ 16 per 10,000 people in 2025, growing about 15 % a year: 2030 target 15 is likely
    assert row.probability > 0.8


@pytest.mark.parametrize("plan", ["guangxi_2021_2023", "baise_2021_2023", "liuzhou_2021_2023", "guilin_2026_2030"])
def test_default_probabilities_exit_zero_for_every_shipped_plan(plan):
    code, _, err = run("probabilities", "--plan", plan, "--paths", "200")
    assert code == 0, err
    assert "Traceback" not in err


def test_a_drafted_plan_loads_with_plans_and_gets_probabilities(tmp_path):
    text = tmp_path / "plan.txt"
    text.write_text(
        "南宁市科技创新三年行动方案（2024—2026年）\n一、主要目标\n"
        "到2026年，全市全社会研发投入强度达到1.5%，技术合同成交额突破300亿元，众创空间达到60家。\n",
        encoding="utf-8",
    )
    plans = tmp_path / "plans"
    plans.mkdir()
    code, out, err = run("draft-plan", str(text), "--plan", "nanning_2024_2026", "--geo", "nanning",
                         "--out", str(plans / "nanning_2024_2026.yaml"))  # fmt: skip
    assert code == 0, err
    code, out, err = run("targets", "--plans", str(plans), "--plan", "nanning_2024_2026", "--format", "csv")
    assert code == 0, err
    drafted = pd.read_csv(io.StringIO(out))
    assert {(1.5, "%"), (300.0, "亿元"), (60.0, "家")} <= set(zip(drafted.threshold, drafted.unit, strict=True))
    assert (drafted.year == 2026).all() and (drafted.geo == "南宁").all()


def test_a_template_never_overwrites_a_filled_in_file(tmp_path):
    out = tmp_path / "need.xlsx"
    assert run("template", "--plan", "baise_2021_2023", "--out", str(out))[0] == 0
    fill_like_an_analyst(out)
    filled = out.read_bytes()
    code, _, err = run("template", "--plan", "baise_2021_2023", "--out", str(out))
    assert code == 2 and "which exists" in err and "--force" in err and "Traceback" not in err
    assert out.read_bytes() == filled  # the analyst's figures are still there
    assert run("template", "--plan", "baise_2021_2023", "--out", str(out), "--force")[0] == 0
    assert out.read_bytes() != filled


def test_a_declared_indicator_with_a_misspelled_field_or_no_label_is_named(tmp_path):
    (tmp_path / "indicators.yaml").write_text(
        "platforms: {label: 平台数, unti: 个, kind: stock, rnage: [0, 100]}\nfirms: {unit: 家, kind: stock}\n"
        "my_share: {label: 占比, unit: 亿元, kind: share}\n",
        encoding="utf-8",
    )
    code, _, err = run("data", "--history", str(tmp_path))
    assert code == 2 and "Traceback" not in err
    assert "indicator platforms, field 'rnage': found rnage, unti" in err  # a misspelled range would switch it off
    assert "indicator firms, field 'label': found nothing" in err
    assert "indicator my_share, field 'unit': found 亿元 with kind share; expected unit % for a share" in err


def test_a_flow_named_after_a_cumulative_target_asks_for_yearly_figures_not_the_running_total():
    from kjqg_model.reporting.template import requests, series_sheet

    ctx = Context.get()
    sheet = series_sheet(requests(ctx.plan("baise_2021_2023"), ctx, 2020), ctx).set_index("序列代码 indicator")
    ask = sheet.loc["baise_2021_2023.sci_tech_achievements_transferred_cum", "填写要求"]
    assert ask.startswith("当年发生数") and "请勿填累计值" in ask


def test_a_target_naming_its_basis_is_not_judged_on_the_other_basis(tmp_path):
    # 北海: buyer-basis turnover 30 亿元 against a buyer-basis target of 40; its seller basis is 0.5
    goal = {**target("turnover_2026", "tech_contract_turnover", "level", 40, "亿元", year=2026), "geo": "北海"}
    write_plan(tmp_path / "plans", "bh", [{**goal, "basis": "inflow"}])
    rows = "".join(
        f"北海,tech_contract_turnover_{b},2024,{v},亿元,=,x,\n" for b, v in (("inflow", 30), ("outflow", 0.5))
    )
    write_csv(tmp_path / "data", rows)
    history = load_history([tmp_path / "data"], plans_dirs=[tmp_path / "plans"])
    assert history.exact("北海", "tech_contract_turnover_outflow")[2024] == 0.5
    write_plan(tmp_path / "plans", "bh", [{**goal, "basis": "outflow"}])  # the seller basis named: 80-fold off
    with pytest.raises(InputError, match=r"tech_contract_turnover_outflow 2024, the latest of its series"):
        load_history([tmp_path / "data"], plans_dirs=[tmp_path / "plans"])
