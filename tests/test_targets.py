"""Every quantitative target of the four plans is listed, with its clause copied verbatim."""

from __future__ import annotations

import re

import pytest
import yaml

from kjqg_model.inputs.locations import params_dir
from kjqg_model.inputs.targets import load_plans

TARGETS = params_dir() / "targets"
UNITS = "%|％|亿元|万元|家|个|项|人次|人|件|名|支|所|篇|台|套|倍|个百分点|百分点"
NUMBER_WITH_UNIT = re.compile(rf"(\d+(?:\.\d+)?)\s*(?:多)?\s*({UNITS})")


@pytest.fixture(scope="module")
def plans():
    return load_plans()


def _raw(plan_id):
    return yaml.safe_load((TARGETS / f"{plan_id}.yaml").read_text(encoding="utf-8"))


def _seed_text(plan_id) -> str:
    seeds = str(_raw(plan_id)["seed"]).split(",")
    return "".join(re.sub(r"\s+", "", (TARGETS / "seeds" / s.strip()).read_text(encoding="utf-8")) for s in seeds)


def test_the_four_plans_and_their_sizes(plans):
    sizes = {k: len(p.targets) for k, p in plans.items()}
    assert set(sizes) == {"guangxi_2021_2023", "baise_2021_2023", "liuzhou_2021_2023", "guilin_2026_2030"}
    assert sum(sizes.values()) > 100


@pytest.mark.parametrize("plan_id", ["guangxi_2021_2023", "baise_2021_2023", "liuzhou_2021_2023", "guilin_2026_2030"])
def test_clauses_are_verbatim(plans, plan_id):
    text = _seed_text(plan_id)
    for t in plans[plan_id].targets:
        if "表格" in t.note:  # table cells are written "table | row | column | value"
            assert re.sub(r"\s+", "", t.clause.split("|")[-1]).rstrip("%") in text
        else:
            assert re.sub(r"\s+", "", t.clause) in text, t.id


@pytest.mark.parametrize("plan_id", ["guangxi_2021_2023", "baise_2021_2023", "liuzhou_2021_2023", "guilin_2026_2030"])
def test_every_number_in_the_document_is_a_target_or_explained(plans, plan_id):
    """Independent of how the targets were transcribed: scan the seed for numbers with units."""
    raw = _raw(plan_id)
    thresholds = {t.threshold for t in plans[plan_id].targets} | {
        t.threshold_high for t in plans[plan_id].targets if t.threshold_high is not None
    }
    explained = {e["text"] for e in raw.get("not_targets", [])}
    unexplained = [
        m.group(0)
        for m in NUMBER_WITH_UNIT.finditer(_seed_text(plan_id))
        if float(m.group(1)) not in thresholds and m.group(0) not in explained
    ]
    assert unexplained == []


def _get(plans, plan_id, target_id):
    return next(t for t in plans[plan_id].targets if t.id == target_id)


def test_guangxi_headline_targets(plans):
    by_threshold = {(t.indicator, t.kind, t.threshold): t for t in plans["guangxi_2021_2023"].targets}
    rd = by_threshold[("rd_intensity", "level", 1.3)]
    assert (rd.comparator, rd.unit, rd.year, rd.geo) == (">", "%", 2023, "广西")  # 突破1.3%
    hte = by_threshold[("hte_stock", "level", 4200.0)]
    assert (hte.comparator, hte.unit) == (">=", "家")  # 达4200家
    tc = by_threshold[("tech_contract_turnover", "cumulative", 2000.0)]
    assert (tc.comparator, tc.unit, tc.period, tc.basis) == (">", "亿元", (2021, 2023), "unspecified")


def test_liuzhou_year_by_year_annex_and_county_breakdown(plans):
    liuzhou = plans["liuzhou_2021_2023"].targets
    annex2_rd = sorted(
        (t.year, t.kind, t.threshold)
        for t in liuzhou
        if t.indicator == "rd_intensity" and t.section.startswith("附件2")
    )
    assert annex2_rd == [(2021, "level", 1.9), (2022, "level", 2.2), (2023, "relative", 1.0)]
    county_hte = {t.geo: t.threshold for t in liuzhou if t.indicator == "hte_stock" and t.year == 2021}
    assert county_hte["柳州柳东新区"] == 225 and county_hte["柳州"] == 701 and len(county_hte) == 13
    fiscal = _get(plans, "liuzhou_2021_2023", "fiscal_st_expenditure_growth_2020_2023")
    assert (fiscal.kind, fiscal.threshold, fiscal.unit, fiscal.period) == ("growth_rate", 7.0, "%", (2020, 2023))


def test_guilin_2030_targets(plans):
    g = {(t.indicator, t.kind): t for t in plans["guilin_2026_2030"].targets if t.indicator}
    assert g[("rd_intensity", "level")].threshold == 2.0 and g[("rd_intensity", "level")].year == 2030
    assert g[("rd_expenditure", "growth_rate")].period == (2025, 2030)
    assert g[("hte_stock", "increase")].threshold == 200


def test_met_at_the_boundary(plans):
    rd = _get(plans, "guangxi_2021_2023", "rd_intensity_2023")  # 突破1.3% is strict
    assert not rd.met(1.3) and rd.met(1.3001)
    hte = next(t for t in plans["guangxi_2021_2023"].targets if t.indicator == "hte_stock" and t.kind == "level")
    assert hte.met(4200) and not hte.met(4199)


def test_fiscal_7_scenario_comes_from_liuzhou():
    text = (params_dir() / "scenarios.yaml").read_text(encoding="utf-8")
    assert "财政科技投入年均增长7%以上" in text and "fiscal_st_growth: 0.07" in text
    assert "财政科技投入年均增长7%以上" in _seed_text("liuzhou_2021_2023")
