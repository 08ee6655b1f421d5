"""Analyst series for targets the vocabulary does not measure."""

from __future__ import annotations

from dataclasses import replace

from kjqg_model.analysis.outcomes import outcome
from kjqg_model.inputs.analyst_series import implied_series, stem
from kjqg_model.inputs.context import Context
from kjqg_model.inputs.targets import Target


def make(tid, name, kind, unit, year=2023, period=None):
    return Target("p", tid, name, "广西", None, kind, ">=", 10.0, unit, "（测试）", year, period)


def test_stem_drops_years_and_decorations():
    assert stem("annex2_national_high_level_talents_2021") == "national_high_level_talents"
    assert stem("sci_tech_achievements_transferred_cum_2021_2023_headline") == "sci_tech_achievements_transferred_cum"
    assert stem("2023") == "2023"  # nothing left: the id itself


def test_one_series_per_quantity_with_kind_and_unit_from_its_targets():
    targets = (
        make("platforms_2022", "创新平台数", "level", "个", 2022),
        make("platforms_2023", "创新平台数", "level", "个"),
        make("platforms_new_2020_2023", "新建创新平台数", "increase", "个", period=(2020, 2023)),
        make("achievements_cum_2021_2023", "累计转化科技成果数", "cumulative", "项", period=(2021, 2023)),
        make("share_2023", "新产品销售收入占比", "level", "%"),
        make("share_increase_2020_2023", "新产品销售收入占比提高幅度", "increase", "百分点", period=(2020, 2023)),
        make("revenue_growth", "科技服务业营业收入年均增长", "growth_rate", "%", period=(2020, 2023)),
        replace(make("talents_each_year", "每年引进高层次人才", "level", "人", period=(2021, 2023)), each_year=True),
    )
    out, series = implied_series("p", targets)
    ids = {t.id: t.indicator for t in out}
    assert ids["platforms_2022"] == ids["platforms_2023"] == "p.platforms"
    assert all(t.implied for t in out)
    kinds = {k: (v.unit, v.kind) for k, v in series.items()}
    assert kinds["p.platforms"] == ("个", "stock")
    assert kinds["p.platforms_new"] == ("个", "stock")  # 新建 x 个: the increase of a stock
    assert series["p.platforms_new"].label == "创新平台数（年末累计总数）"
    assert kinds["p.achievements_cum"] == ("项", "flow")  # 累计: yearly flows added up
    assert kinds["p.share"] == ("%", "share") and kinds["p.share_increase"] == ("%", "share")
    assert series["p.share_increase"].label == "新产品销售收入占比"
    assert kinds["p.revenue_growth"] == ("亿元", "flow")  # an amount's growth: the name says revenue
    assert series["p.revenue_growth"].label == "科技服务业营业收入"  # the amount is asked for, not its growth
    assert kinds["p.talents"] == ("人", "flow")  # at least 50 a year: a count of each year's arrivals


def test_targets_in_different_units_get_different_series():
    out, series = implied_series(
        "p", (make("x_2022", "产值", "level", "亿元", 2022), make("x_2023", "占比", "level", "%"))
    )
    assert {t.indicator for t in out} == {"p.x_money", "p.x_share"}
    assert series["p.x_money"].unit == "亿元" and series["p.x_share"].kind == "share"


def test_per_10k_target_is_a_ratio_of_count_over_people_or_firms():
    people = make("patents_per_10k_2030", "每万人口高价值发明专利拥有量", "level", "件/万人", 2030)
    firms = make("hte_per_10k_firms_2030", "每万家企业法人中高新技术企业数", "level", "家/万家", 2030)
    _, series = implied_series("p", (people, firms))
    ratio = series["p.patents_per_10k"]
    assert ratio.model == "ratio" and ratio.scale == 1.0
    assert ratio.inputs == ("p.patents_per_10k_count", "population_resident_year_end")
    assert series["p.patents_per_10k_count"].label == "高价值发明专利拥有量"
    assert series["p.hte_per_10k_firms"].inputs[1] == "p.hte_per_10k_firms_firms"
    assert series["p.hte_per_10k_firms_firms"].unit == "万家"


def test_growth_rate_target_on_an_amount_is_judged_in_percent():
    ctx = Context.get()
    t = next(t for t in ctx.plan("liuzhou_2021_2023").targets if t.kind == "growth_rate" and t.implied)
    values = {t.period[0]: 100.0, t.period[1]: 100.0 * 1.1 ** (t.period[1] - t.period[0])}
    got = outcome(t, lambda geo, year: values[year], ctx.vocab)
    assert abs(float(got) - 10.0) < 1e-9  # 10 % a year, whatever the amount's unit
